/* The application: it hands an archive extractor (a preview1 program
 * wrapped into a WASI 0.2 command) the archive it downloaded and one
 * directory, /data/out, then checks that its own code beside that
 * directory is intact. */
#define P2_FILESYSTEM
#include "../p2.h"

IMPORT("extractor", "run") int extractor_run(void);

EXPORT("run") int run(void) {
	u32 out = wasi_get_stdout();
	u32 data = preopen("/data");
	say(out, "app: extracting the archive\n");
	say(out, extractor_run() == 0 ? "app: extractor succeeded\n" : "app: extractor reported failure\n");
	char code[64];
	int n = read_file(data, "app.code", code, sizeof code);
	if (n < 0) {
		say(out, "app: my code is gone\n");
		return 1;
	}
	say(out, "app: my code: ");
	say_n(out, code, (u32)n);
	say(out, "\n");
	return 0;
}
