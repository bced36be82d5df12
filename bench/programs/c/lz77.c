/* lz77: greedy LZ77 compression with a hash-chain match finder over
 * generated, compressible text, then decompression and verification. */
#include "common.h"
#include <string.h>

#define WINDOW 32768
#define MIN_MATCH 4
#define MAX_MATCH 258
#define HASH_BITS 15
#define MAX_CHAIN 32

static uint32_t hash4(const uint8_t *p) {
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* Output format: a literal run is 0x00 len8 bytes...; a match is
 * 0x01 len16 dist16 (little endian). Returns the compressed size. */
static size_t compress(const uint8_t *in, size_t n, uint8_t *out, int32_t *head, int32_t *prev) {
    for (int i = 0; i < (1 << HASH_BITS); i++) head[i] = -1;
    size_t o = 0, i = 0, lit_start = 0;
    while (i < n) {
        int best_len = 0, best_dist = 0;
        if (i + MIN_MATCH <= n) {
            uint32_t hv = hash4(in + i);
            int32_t cand = head[hv];
            int chain = MAX_CHAIN;
            size_t limit = n - i < MAX_MATCH ? n - i : MAX_MATCH;
            while (cand >= 0 && i - (size_t)cand <= WINDOW && chain-- > 0) {
                size_t l = 0;
                while (l < limit && in[cand + l] == in[i + l]) l++;
                if ((int)l > best_len) { best_len = (int)l; best_dist = (int)(i - (size_t)cand); }
                cand = prev[cand];
            }
            prev[i] = head[hv];
            head[hv] = (int32_t)i;
        }
        if (best_len >= MIN_MATCH) {
            while (lit_start < i) {
                size_t run = i - lit_start > 255 ? 255 : i - lit_start;
                out[o++] = 0; out[o++] = (uint8_t)run;
                memcpy(out + o, in + lit_start, run);
                o += run; lit_start += run;
            }
            out[o++] = 1;
            out[o++] = (uint8_t)best_len; out[o++] = (uint8_t)(best_len >> 8);
            out[o++] = (uint8_t)best_dist; out[o++] = (uint8_t)(best_dist >> 8);
            /* index the skipped positions so later matches can find them */
            for (size_t k = i + 1; k < i + (size_t)best_len && k + MIN_MATCH <= n; k++) {
                uint32_t hv = hash4(in + k);
                prev[k] = head[hv];
                head[hv] = (int32_t)k;
            }
            i += (size_t)best_len;
            lit_start = i;
        } else {
            i++;
        }
    }
    while (lit_start < n) {
        size_t run = n - lit_start > 255 ? 255 : n - lit_start;
        out[o++] = 0; out[o++] = (uint8_t)run;
        memcpy(out + o, in + lit_start, run);
        o += run; lit_start += run;
    }
    return o;
}

static size_t decompress(const uint8_t *in, size_t n, uint8_t *out) {
    size_t i = 0, o = 0;
    while (i < n) {
        if (in[i] == 0) {
            size_t run = in[i + 1];
            memcpy(out + o, in + i + 2, run);
            o += run; i += 2 + run;
        } else {
            size_t len = in[i + 1] | (size_t)in[i + 2] << 8;
            size_t dist = in[i + 3] | (size_t)in[i + 4] << 8;
            for (size_t k = 0; k < len; k++, o++) out[o] = out[o - dist];
            i += 5;
        }
    }
    return o;
}

static const char *words[] = {
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "wasm", "module",
    "compile", "ahead", "of", "time", "sandbox", "memory", "table", "global", "export", "import",
    "function", "native", "code", "runtime", "instance", "linear", "page", "trap", "stack", "value",
};

int main(int argc, char **argv) {
    int rounds = scale_arg(argc, argv, 5);
    size_t n = 2 << 20;
    uint8_t *text = malloc(n);
    uint8_t *packed = malloc(n + n / 64 + 16); /* worst case: 2 bytes per 255 literals */
    uint8_t *unpacked = malloc(n);
    int32_t *head = malloc(sizeof(int32_t) << HASH_BITS);
    int32_t *prev = malloc(sizeof(int32_t) * n);
    if (!text || !packed || !unpacked || !head || !prev) return 1;
    rng r = {777};
    uint64_t h = 1469598103934665603ULL;
    for (int round = 0; round < rounds; round++) {
        size_t o = 0;
        while (o < n) {
            const char *w = words[rng_u32(&r) % 30];
            size_t l = strlen(w);
            if (rng_u32(&r) % 8 == 0 && o > 1000) { /* repeat an earlier phrase */
                size_t from = rng_u32(&r) % (o - 64);
                l = 16 + rng_u32(&r) % 48;
                for (size_t k = 0; k < l && o < n; k++) text[o++] = text[from + k];
                continue;
            }
            for (size_t k = 0; k < l && o < n; k++) text[o++] = (uint8_t)w[k];
            if (o < n) text[o++] = (rng_u32(&r) % 11 == 0) ? '\n' : ' ';
        }
        size_t clen = compress(text, n, packed, head, prev);
        size_t dlen = decompress(packed, clen, unpacked);
        if (dlen != n || memcmp(text, unpacked, n) != 0) {
            printf("lz77 round trip failed\n");
            return 1;
        }
        h = mix(h, clen);
        for (size_t k = 0; k < clen; k += 61) h = mix(h, packed[k]);
    }
    print_checksum("lz77", h);
    return 0;
}
