#include <stdlib.h>
#include <string.h>
#include <stdint.h>

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  (void)old_size; (void)align;
  return realloc(old, new_size);
}

static uint32_t ret[4];

// The api interface of clib.wit, written against the canonical ABI by
// hand: arguments arrive in memory the host allocated with cabi_realloc,
// and results that flatten to more than one value return through ret.

// reverse: func(s: string) -> string
__attribute__((export_name("test:c/api#reverse")))
uint32_t *reverse(char *s, size_t n) {
  char *out = malloc(n ? n : 1);
  for (size_t i = 0; i < n; i++) out[i] = s[n - 1 - i];
  if (n > 0) free(s); // as wit-bindgen's C bindings do: an empty string's pointer may not be from realloc
  ret[0] = (uint32_t)out; ret[1] = n;
  return ret;
}

__attribute__((export_name("cabi_post_test:c/api#reverse")))
void reverse_post(uint32_t *r) { free((void *)r[0]); }

// sum: func(xs: list<s64>) -> s64
__attribute__((export_name("test:c/api#sum")))
int64_t sum(int64_t *xs, size_t n) {
  int64_t t = 0;
  for (size_t i = 0; i < n; i++) t += xs[i];
  if (n > 0) free(xs);
  return t;
}
