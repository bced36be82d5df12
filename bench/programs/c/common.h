/* Shared helpers for the benchmark kernels: argument parsing, a
 * deterministic PRNG and checksum mixing. Every kernel prints exactly one
 * line "<name> <checksum>" so engines can be compared by their output. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* scale_arg returns argv[1] as a positive integer, or def without one. */
static int scale_arg(int argc, char **argv, int def) {
    if (argc < 2) return def;
    int n = atoi(argv[1]);
    if (n <= 0) {
        fprintf(stderr, "usage: %s [positive scale]\n", argv[0]);
        exit(2);
    }
    return n;
}

/* rng is xorshift64*: deterministic on every target. */
typedef struct { uint64_t s; } rng;

static inline uint64_t rng_next(rng *r) {
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static inline uint32_t rng_u32(rng *r) { return (uint32_t)(rng_next(r) >> 32); }

/* mix folds v into the running checksum h (a 64-bit FNV-style step). */
static inline uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v;
    h *= 0x100000001b3ULL;
    return h ^ (h >> 29);
}

static void print_checksum(const char *name, uint64_t h) {
    printf("%s %016llx\n", name, (unsigned long long)h);
}

#endif
