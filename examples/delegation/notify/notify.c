/* The notification dependency as adopted: it writes each message to the
 * one stream it was handed (its stdout). */
#include "../p2.h"

EXPORT("send") void send(const char *msg, u32 n) {
	u32 out = wasi_get_stdout();
	say(out, "notification: ");
	say_n(out, msg, n);
	say(out, "\n");
}
