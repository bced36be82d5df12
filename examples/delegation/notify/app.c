/* The application: it reads its secret (the wallet seed) from the
 * directory it was granted, then tells its notification dependency that
 * the job is done. The dependency receives a copy of that one string and
 * whatever its own grants hold: nothing of the application's. */
#define P2_FILESYSTEM
#include "../p2.h"

IMPORT("notify", "send") void notify_send(const char *msg, u32 n);

EXPORT("run") int run(void) {
	u32 out = wasi_get_stdout();
	u32 data = preopen("/data");
	char seed[128];
	int n = read_file(data, "secret", seed, sizeof seed);
	if (n < 0) {
		say(out, "app: cannot read my secret\n");
		return 1;
	}
	say(out, "app: read my secret (");
	say_num(out, n);
	say(out, " bytes)\n");
	const char *msg = "backup finished";
	notify_send(msg, slen(msg));
	say(out, "app: done\n");
	return 0;
}
