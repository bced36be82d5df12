// clockrand: realtime and monotonic clocks, sleeping, clock resolution
// and randomness. The test replaces the realtime clock and the random
// source, so their values are exact.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
	struct timespec rt, m0, m1, res;
	clock_gettime(CLOCK_REALTIME, &rt);
	printf("realtime=%lld.%09ld\n", (long long)rt.tv_sec, rt.tv_nsec);
	printf("time()=%lld\n", (long long)time(NULL));
	if (clock_getres(CLOCK_MONOTONIC, &res) != 0 || ns(res) <= 0) {
		printf("bad resolution\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &m0);
	struct timespec req = {0, 20 * 1000 * 1000};
	nanosleep(&req, NULL);
	clock_gettime(CLOCK_MONOTONIC, &m1);
	printf("slept at least 20ms: %s\n", ns(m1) - ns(m0) >= 20000000 ? "yes" : "no");
	usleep(1000);
	struct timespec cpu;
	printf("process cputime: %s\n", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0 ? "ok" : "error");
	unsigned char buf[16];
	if (getentropy(buf, sizeof buf) != 0) {
		printf("getentropy failed\n");
		return 1;
	}
	printf("random=");
	for (int i = 0; i < 16; i++)
		printf("%02x", buf[i]);
	printf("\n");
	printf("rand() seeded by arc4random: %s\n", arc4random() == arc4random() ? "same" : "varies");
	return 0;
}
