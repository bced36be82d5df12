/* matmul: dense double-precision matrix multiply (i-k-j order, which
 * compilers vectorise), repeated; checksum over the result bits. */
#include "common.h"
#include <string.h>

int main(int argc, char **argv) {
    int n = scale_arg(argc, argv, 720);
    double *a = malloc(sizeof(double) * n * n);
    double *b = malloc(sizeof(double) * n * n);
    double *c = malloc(sizeof(double) * n * n);
    if (!a || !b || !c) return 1;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            a[i * n + j] = (double)((i * 7 + j * 3) % 17) / 16.0;
            b[i * n + j] = (double)((i * 5 + j * 11) % 13) / 8.0 - 0.5;
        }
    uint64_t h = 1469598103934665603ULL;
    for (int round = 0; round < 3; round++) {
        memset(c, 0, sizeof(double) * n * n);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) {
                double aik = a[i * n + k];
                double *ci = c + i * n;
                const double *bk = b + k * n;
                for (int j = 0; j < n; j++) ci[j] += aik * bk[j];
            }
        for (int i = 0; i < n * n; i++) {
            uint64_t bits;
            memcpy(&bits, &c[i], sizeof bits);
            h = mix(h, bits);
        }
        /* feed the result back so rounds depend on each other */
        double *t = a; a = c; c = t;
        for (int i = 0; i < n * n; i++) a[i] *= 1.0 / 64.0;
    }
    print_checksum("matmul", h);
    free(a); free(b); free(c);
    return 0;
}
