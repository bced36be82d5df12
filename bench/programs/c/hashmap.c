/* hashmap: an open-addressing (linear probing, backward-shift delete)
 * uint64 -> uint64 map under a mixed insert/lookup/delete workload. */
#include "common.h"

typedef struct { uint64_t *keys, *vals; uint8_t *used; size_t cap, len; } map;

static size_t slot(uint64_t k, size_t cap) {
    k ^= k >> 33; k *= 0xff51afd7ed558ccdULL; k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

static void put(map *m, uint64_t k, uint64_t v) {
    size_t i = slot(k, m->cap);
    while (m->used[i] && m->keys[i] != k) i = (i + 1) & (m->cap - 1);
    if (!m->used[i]) { m->used[i] = 1; m->keys[i] = k; m->len++; }
    m->vals[i] = v;
}

static int get(const map *m, uint64_t k, uint64_t *v) {
    size_t i = slot(k, m->cap);
    while (m->used[i]) {
        if (m->keys[i] == k) { *v = m->vals[i]; return 1; }
        i = (i + 1) & (m->cap - 1);
    }
    return 0;
}

static void del(map *m, uint64_t k) {
    size_t mask = m->cap - 1, i = slot(k, m->cap);
    while (m->used[i] && m->keys[i] != k) i = (i + 1) & mask;
    if (!m->used[i]) return;
    /* backward shift keeps probe chains unbroken without tombstones */
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->used[j]) break;
        size_t home = slot(m->keys[j], m->cap);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            m->keys[i] = m->keys[j]; m->vals[i] = m->vals[j]; i = j;
        }
    }
    m->used[i] = 0;
    m->len--;
}

int main(int argc, char **argv) {
    int ops = scale_arg(argc, argv, 4500000);
    map m = {0};
    m.cap = 1 << 20;
    m.keys = malloc(sizeof(uint64_t) * m.cap);
    m.vals = malloc(sizeof(uint64_t) * m.cap);
    m.used = calloc(m.cap, 1);
    if (!m.keys || !m.vals || !m.used) return 1;
    rng r = {31337};
    uint64_t h = 1469598103934665603ULL, found = 0, sum = 0;
    for (int i = 0; i < ops; i++) {
        uint64_t k = rng_next(&r) % 600000;
        uint32_t op = rng_u32(&r) % 10;
        if (op < 4) put(&m, k, (uint64_t)i);
        else if (op < 9) { uint64_t v; if (get(&m, k, &v)) { found++; sum += v; } }
        else del(&m, k);
    }
    h = mix(h, found);
    h = mix(h, sum);
    h = mix(h, m.len);
    print_checksum("hashmap", h);
    return 0;
}
