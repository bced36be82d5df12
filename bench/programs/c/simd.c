/* simd: integer kernels written for auto-vectorisation (the wasm build
 * uses -msimd128): RGBA to grey, a 5-tap blur, saturating brightness,
 * dot products and min/max reductions. */
#include "common.h"

#define W 1024
#define H 512

static uint8_t rgba[W * H * 4];
static uint8_t grey[W * H];
static uint16_t blur[W * H];
static int16_t va[1 << 16], vb[1 << 16];

int main(int argc, char **argv) {
    int rounds = scale_arg(argc, argv, 130);
    rng r = {99};
    for (int i = 0; i < W * H * 4; i++) rgba[i] = (uint8_t)rng_u32(&r);
    for (int i = 0; i < (1 << 16); i++) { va[i] = (int16_t)rng_u32(&r); vb[i] = (int16_t)(rng_u32(&r) % 2001 - 1000); }
    uint64_t h = 1469598103934665603ULL;
    for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < W * H; i++) {
            const uint8_t *p = rgba + 4 * i;
            grey[i] = (uint8_t)((p[0] * 77u + p[1] * 150u + p[2] * 29u) >> 8);
        }
        for (int y = 0; y < H; y++) {
            const uint8_t *row = grey + y * W;
            uint16_t *out = blur + y * W;
            out[0] = out[1] = out[W - 2] = out[W - 1] = 0;
            for (int x = 2; x < W - 2; x++)
                out[x] = (uint16_t)(row[x - 2] + 4 * row[x - 1] + 6 * row[x] + 4 * row[x + 1] + row[x + 2]);
        }
        uint8_t add = (uint8_t)(round * 7);
        for (int i = 0; i < W * H * 4; i++) {
            unsigned v = rgba[i] + add;
            rgba[i] = (uint8_t)(v > 255 ? 255 : v);
        }
        int64_t dot = 0;
        for (int k = 0; k < 8; k++)
            for (int i = 0; i < (1 << 16); i++) dot += (int32_t)va[i] * vb[(i + k) & 0xFFFF];
        uint16_t mn = 0xFFFF, mx = 0;
        for (int i = 0; i < W * H; i++) {
            uint16_t v = blur[i];
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
        uint32_t gsum = 0;
        for (int i = 0; i < W * H; i++) gsum += grey[i];
        h = mix(h, (uint64_t)dot);
        h = mix(h, ((uint64_t)mn << 16) | mx);
        h = mix(h, gsum);
        /* perturb the image so rounds differ */
        for (int i = round; i < W * H * 4; i += 4093) rgba[i] = (uint8_t)rng_u32(&r);
    }
    print_checksum("simd", h);
    return 0;
}
