/* sieve: byte-array sieve of Eratosthenes, repeated; counts and sums
 * the primes below the limit. */
#include "common.h"
#include <string.h>

int main(int argc, char **argv) {
    int rounds = scale_arg(argc, argv, 11);
    int limit = 8000000;
    uint8_t *composite = malloc(limit);
    if (!composite) return 1;
    uint64_t h = 1469598103934665603ULL;
    for (int r = 0; r < rounds; r++) {
        int top = limit - r * 1001;
        memset(composite, 0, top);
        for (int i = 2; (long)i * i < top; i++)
            if (!composite[i])
                for (int j = i * i; j < top; j += i) composite[j] = 1;
        uint64_t count = 0, sum = 0;
        for (int i = 2; i < top; i++)
            if (!composite[i]) { count++; sum += (uint64_t)i; }
        h = mix(h, count);
        h = mix(h, sum);
    }
    print_checksum("sieve", h);
    free(composite);
    return 0;
}
