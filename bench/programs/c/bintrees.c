/* bintrees: allocation-heavy binary trees (malloc/free per node), after
 * the benchmarks-game program, single-threaded. */
#include "common.h"

typedef struct node { struct node *left, *right; } node;

static node *make(int depth) {
    node *n = malloc(sizeof(node));
    if (!n) { printf("out of memory\n"); exit(1); }
    if (depth > 0) { n->left = make(depth - 1); n->right = make(depth - 1); }
    else n->left = n->right = NULL;
    return n;
}

static long check(const node *n) {
    return n->left ? 1 + check(n->left) + check(n->right) : 1;
}

static void release(node *n) {
    if (n->left) { release(n->left); release(n->right); }
    free(n);
}

int main(int argc, char **argv) {
    int max_depth = scale_arg(argc, argv, 16);
    int min_depth = 4;
    uint64_t h = 1469598103934665603ULL;
    node *stretch = make(max_depth + 1);
    h = mix(h, (uint64_t)check(stretch));
    release(stretch);
    node *long_lived = make(max_depth);
    for (int d = min_depth; d <= max_depth; d += 2) {
        int iters = 1 << (max_depth - d + min_depth);
        long sum = 0;
        for (int i = 0; i < iters; i++) {
            node *t = make(d);
            sum += check(t);
            release(t);
        }
        h = mix(h, (uint64_t)sum);
    }
    h = mix(h, (uint64_t)check(long_lived));
    release(long_lived);
    print_checksum("bintrees", h);
    return 0;
}
