// Small compute kernels for measuring bounds-check elimination on real
// compiler output (clang-14 --target=wasm32-wasi -O2).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 64

static double a[N][N], b[N][N], c[N][N];

static void matmul(void) {
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			double s = 0;
			for (int k = 0; k < N; k++)
				s += a[i][k] * b[k][j];
			c[i][j] = s;
		}
}

static int cmp(const void *x, const void *y) {
	int p = *(const int *)x, q = *(const int *)y;
	return (p > q) - (p < q);
}

static unsigned crc32(const unsigned char *p, size_t n) {
	unsigned crc = ~0u;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
	}
	return ~crc;
}

int main(void) {
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++) {
			a[i][j] = i + j;
			b[i][j] = i - j;
		}
	matmul();
	int *v = malloc(1000 * sizeof *v);
	for (int i = 0; i < 1000; i++)
		v[i] = (i * 7919) % 1000;
	qsort(v, 1000, sizeof *v, cmp);
	char buf[256];
	snprintf(buf, sizeof buf, "%f %d %d", c[3][5], v[0], v[999]);
	printf("%s %08x\n", buf, crc32((unsigned char *)buf, strlen(buf)));
	free(v);
	return 0;
}
