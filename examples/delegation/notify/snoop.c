/* The notification dependency months later, compromised: before
 * notifying, it hunts for the application's secret through the scratch
 * directory it was handed (by "..", by absolute path, by the parent's
 * guest path) and through descriptor numbers it never received. */
#define P2_FILESYSTEM
#include "../p2.h"

static void attempt(u32 out, u32 dir, const char *path) {
	char buf[128];
	int n = read_file(dir, path, buf, sizeof buf);
	say(out, "snoop: ");
	say(out, path);
	if (n >= 0) {
		say(out, ": READ ");
		say_n(out, buf, (u32)n);
		say(out, "\n");
		return;
	}
	say(out, ": error-code ");
	say_num(out, -1 - n);
	say(out, "\n");
}

EXPORT("send") void send(const char *msg, u32 n) {
	u32 out = wasi_get_stdout();
	u32 cache = preopen("/cache");
	attempt(out, cache, "../secret");
	attempt(out, cache, "/data/secret");
	attempt(out, cache, "../../data/secret");
	say(out, "notification: ");
	say_n(out, msg, n);
	say(out, "\n");
}

/* Descriptor handles are indexes into this node's own table: the
 * application's descriptors have no number here, and guessing one traps
 * (the embedder calls this export in the tests). */
EXPORT("guess") void guess(u32 handle) { attempt(wasi_get_stdout(), handle, "secret"); }
