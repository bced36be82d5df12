/* strings: text processing — tokenising generated text, counting words
 * in a chained hash table keyed by strings, case folding, reversal and
 * naive substring search. */
#include "common.h"
#include <string.h>

#define TABLE 4096

typedef struct entry { struct entry *next; char *word; int count; } entry;

static const char *syll[] = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vu", "qe", "zi", "ba", "do", "fy", "gu", "ha", "je"};

static uint32_t hash_str(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static size_t count_occurrences(const char *hay, size_t n, const char *needle) {
    size_t m = strlen(needle), c = 0;
    for (size_t i = 0; i + m <= n; i++) {
        if (hay[i] != needle[0]) continue;
        size_t k = 1;
        while (k < m && hay[i + k] == needle[k]) k++;
        if (k == m) c++;
    }
    return c;
}

int main(int argc, char **argv) {
    int rounds = scale_arg(argc, argv, 4);
    size_t n = 1 << 20;
    char *text = malloc(n + 1);
    char *work = malloc(n + 1);
    entry **table = calloc(TABLE, sizeof(entry *));
    if (!text || !work || !table) return 1;
    rng r = {4242};
    uint64_t h = 1469598103934665603ULL;
    for (int round = 0; round < rounds; round++) {
        /* generate words of 1-4 syllables, some capitalised */
        size_t o = 0;
        while (o + 12 < n) {
            int syllables = 1 + rng_u32(&r) % 4;
            size_t start = o;
            for (int s = 0; s < syllables; s++) {
                const char *sy = syll[rng_u32(&r) % 16];
                text[o++] = sy[0]; text[o++] = sy[1];
            }
            if (rng_u32(&r) % 5 == 0) text[start] = (char)(text[start] - 'a' + 'A');
            text[o++] = (rng_u32(&r) % 9 == 0) ? '.' : ' ';
        }
        text[o] = 0;
        /* tokenise, fold case and count */
        size_t words = 0, distinct = 0;
        for (size_t i = 0; i < o;) {
            while (i < o && (text[i] == ' ' || text[i] == '.')) i++;
            size_t s = i;
            while (i < o && text[i] != ' ' && text[i] != '.') {
                char c = text[i];
                work[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
                i++;
            }
            if (i == s) break;
            words++;
            size_t len = i - s;
            uint32_t b = hash_str(work + s, len) % TABLE;
            entry *e = table[b];
            while (e && !(strlen(e->word) == len && memcmp(e->word, work + s, len) == 0)) e = e->next;
            if (!e) {
                e = malloc(sizeof(entry));
                e->word = malloc(len + 1);
                memcpy(e->word, work + s, len);
                e->word[len] = 0;
                e->count = 0;
                e->next = table[b];
                table[b] = e;
                distinct++;
            }
            e->count++;
        }
        /* reverse the whole text in place, then search in both directions */
        for (size_t i = 0, j = o - 1; i < j; i++, j--) { char t = text[i]; text[i] = text[j]; text[j] = t; }
        size_t hits = count_occurrences(text, o, "akol") + count_occurrences(text, o, "ab .");
        h = mix(h, words);
        h = mix(h, distinct);
        h = mix(h, hits);
        for (int b = 0; b < TABLE; b++) {
            entry *e = table[b];
            while (e) {
                entry *next = e->next;
                h = mix(h, (uint64_t)e->count * hash_str(e->word, strlen(e->word)));
                free(e->word);
                free(e);
                e = next;
            }
            table[b] = NULL;
        }
    }
    print_checksum("strings", h);
    return 0;
}
