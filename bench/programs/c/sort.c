/* sort: hand-written quicksort (median of three, insertion sort for small
 * runs) and a bottom-up merge sort over pseudo-random 32-bit keys. */
#include "common.h"
#include <string.h>

static void insertion(uint32_t *a, int n) {
    for (int i = 1; i < n; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

static void quicksort(uint32_t *a, int n) {
    while (n > 16) {
        uint32_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint32_t p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        int i = 0, j = n - 1;
        for (;;) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i >= j) break;
            uint32_t t = a[i]; a[i] = a[j]; a[j] = t;
            i++; j--;
        }
        /* recurse into the smaller half to bound the stack */
        if (j + 1 < n - j - 1) { quicksort(a, j + 1); a += j + 1; n -= j + 1; }
        else { quicksort(a + j + 1, n - j - 1); n = j + 1; }
    }
    insertion(a, n);
}

static void mergesort(uint32_t *a, uint32_t *tmp, int n) {
    uint32_t *src = a, *dst = tmp;
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n;
            int hi = lo + 2 * width < n ? lo + 2 * width : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) dst[k++] = src[i] <= src[j] ? src[i++] : src[j++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        uint32_t *t = src; src = dst; dst = t;
    }
    if (src != a) memcpy(a, src, sizeof(uint32_t) * n);
}

int main(int argc, char **argv) {
    int n = scale_arg(argc, argv, 750000);
    uint32_t *a = malloc(sizeof(uint32_t) * n);
    uint32_t *b = malloc(sizeof(uint32_t) * n);
    uint32_t *tmp = malloc(sizeof(uint32_t) * n);
    if (!a || !b || !tmp) return 1;
    rng r = {0x9E3779B97F4A7C15ULL};
    uint64_t h = 1469598103934665603ULL;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < n; i++) a[i] = rng_u32(&r) % (round == 2 ? 1000u : 0xFFFFFFFFu);
        memcpy(b, a, sizeof(uint32_t) * n);
        quicksort(a, n);
        mergesort(b, tmp, n);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i] || (i > 0 && a[i - 1] > a[i])) {
                printf("sort mismatch at %d\n", i);
                return 1;
            }
        }
        for (int i = 0; i < n; i += 97) h = mix(h, a[i]);
    }
    print_checksum("sort", h);
    return 0;
}
