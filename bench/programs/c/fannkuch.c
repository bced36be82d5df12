/* fannkuch: pancake-flipping over all permutations (fannkuch-redux),
 * integer and small-array heavy. */
#include "common.h"

static void fannkuch(int n, int *checksum, int *maxflips) {
    int perm[16], perm1[16], count[16];
    for (int i = 0; i < n; i++) perm1[i] = i;
    int r = n, permcount = 0;
    *checksum = 0;
    *maxflips = 0;
    for (;;) {
        while (r != 1) { count[r - 1] = r; r--; }
        for (int i = 0; i < n; i++) perm[i] = perm1[i];
        int flips = 0, k;
        while ((k = perm[0]) != 0) {
            for (int i = 0, j = k; i < j; i++, j--) { int t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
            flips++;
        }
        if (flips > *maxflips) *maxflips = flips;
        *checksum += (permcount % 2 == 0) ? flips : -flips;
        for (;;) {
            if (r == n) return;
            int p0 = perm1[0];
            for (int i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = p0;
            if (--count[r] > 0) break;
            r++;
        }
        permcount++;
    }
}

int main(int argc, char **argv) {
    int rounds = scale_arg(argc, argv, 2);
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < rounds; i++) {
        int sum, flips;
        fannkuch(10, &sum, &flips);
        h = mix(h, (uint64_t)(uint32_t)sum);
        h = mix(h, (uint64_t)flips);
    }
    print_checksum("fannkuch", h);
    return 0;
}
