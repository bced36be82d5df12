/* The compromised dependency as it would like to be: it asks for the
 * preopened directories and a TCP socket to send the seed home. Its
 * parent granted neither, so it never links. */
#include "../p2.h"

IMPORT("wasi:filesystem/preopens@0.2.0", "get-directories") void wasi_get_directories(void *ret);
IMPORT("wasi:sockets/tcp-create-socket@0.2.0", "create-tcp-socket") void create_tcp_socket(u32 family, void *ret);

EXPORT("send") void send(const char *msg, u32 n) {
	u32 ret[4];
	wasi_get_directories(ret);
	create_tcp_socket(0, ret);
	u32 out = wasi_get_stdout();
	say_n(out, msg, n);
}
