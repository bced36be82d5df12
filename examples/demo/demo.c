// demo.c: the sample program `make demo` compiles to wasm32-wasi, then to
// native objects for x86-64 and arm64, and runs on both. It prints its
// arguments, a granted environment variable, and a few deterministic
// computations whose results must be identical on every target.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t fnv1a(const unsigned char *p, size_t n) {
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static int count_primes(int limit) {
	char *composite = calloc(limit + 1, 1);
	int count = 0;
	for (int i = 2; i <= limit; i++) {
		if (composite[i])
			continue;
		count++;
		for (long j = (long)i * i; j <= limit; j += i)
			composite[j] = 1;
	}
	free(composite);
	return count;
}

static double leibniz_pi(int terms) {
	double sum = 0;
	for (int k = 0; k < terms; k++)
		sum += (k % 2 ? -4.0 : 4.0) / (2 * k + 1);
	return sum;
}

int main(int argc, char **argv) {
	printf("hello from wasmaot: %d argument(s)", argc - 1);
	for (int i = 1; i < argc; i++)
		printf(" [%s]", argv[i]);
	printf("\n");
	const char *who = getenv("GREETING");
	printf("GREETING=%s\n", who ? who : "(not granted)");
	printf("primes below 1e6: %d\n", count_primes(1000000));
	printf("pi ~ %.12f\n", leibniz_pi(10000000));
	const char *text = "The quick brown fox jumps over the lazy dog";
	printf("fnv1a: %08x\n", fnv1a((const unsigned char *)text, strlen(text)));
	return 0;
}
