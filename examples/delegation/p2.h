/* p2.h: the few WASI 0.2 functions the delegation examples use, declared
 * in their canonical-ABI lowered form (what a component's core module
 * imports), for freestanding C built with clang --target=wasm32. */
#define IMPORT(m, n) __attribute__((import_module(m), import_name(n)))
#define EXPORT(n) __attribute__((export_name(n)))

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

IMPORT("wasi:cli/stdout@0.2.0", "get-stdout") u32 wasi_get_stdout(void);
IMPORT("wasi:io/streams@0.2.0", "[method]output-stream.blocking-write-and-flush")
void wasi_write(u32 stream, const void *p, u32 n, void *ret);

/* Only a node granted a directory can link these. */
#ifdef P2_FILESYSTEM
IMPORT("wasi:filesystem/preopens@0.2.0", "get-directories") void wasi_get_directories(void *ret);
IMPORT("wasi:filesystem/types@0.2.0", "[method]descriptor.open-at")
void wasi_open_at(u32 dir, u32 path_flags, const char *p, u32 n, u32 open_flags, u32 desc_flags, void *ret);
IMPORT("wasi:filesystem/types@0.2.0", "[method]descriptor.read")
void wasi_read(u32 fd, u64 len, u64 offset, void *ret);
IMPORT("wasi:filesystem/types@0.2.0", "[resource-drop]descriptor") void wasi_drop_descriptor(u32 fd);
#endif

void *memcpy(void *d, const void *s, unsigned long n) {
	u8 *dd = d;
	const u8 *ss = s;
	while (n--)
		*dd++ = *ss++;
	return d;
}

void *memset(void *d, int c, unsigned long n) {
	u8 *dd = d;
	while (n--)
		*dd++ = (u8)c;
	return d;
}

/* cabi_realloc: a bump allocator, enough for the host's list results and
 * the strings other nodes pass in. */
static u8 heap[1 << 16] __attribute__((aligned(8)));
static u32 heap_top;

EXPORT("cabi_realloc") void *cabi_realloc(void *old, u32 old_size, u32 align, u32 size) {
	(void)old;
	(void)old_size;
	heap_top = (heap_top + align - 1) & ~(align - 1);
	if (heap_top + size > sizeof heap)
		__builtin_trap();
	void *p = heap + heap_top;
	heap_top += size;
	return p;
}

static inline u32 slen(const char *s) {
	u32 n = 0;
	while (s[n])
		n++;
	return n;
}

static inline void say_n(u32 out, const char *s, u32 n) {
	u32 ret[3];
	wasi_write(out, s, n, ret);
}

static inline void say(u32 out, const char *s) { say_n(out, s, slen(s)); }

static inline void say_num(u32 out, int v) {
	char b[12];
	int i = sizeof b;
	int neg = v < 0;
	unsigned u = neg ? -(unsigned)v : (unsigned)v;
	do
		b[--i] = '0' + u % 10;
	while ((u /= 10) && i > 1);
	if (neg)
		b[--i] = '-';
	say_n(out, b + i, sizeof b - i);
}

#ifdef P2_FILESYSTEM
/* preopen returns the descriptor granted at guest path, or 0. */
static inline u32 preopen(const char *path) {
	u32 ret[2];
	wasi_get_directories(ret);
	u32 *e = (u32 *)ret[0];
	for (u32 i = 0; i < ret[1]; i++, e += 3) {
		const char *p = (const char *)e[1];
		u32 n = e[2], k = 0;
		while (k < n && path[k] == p[k])
			k++;
		if (k == n && path[k] == 0)
			return e[0];
	}
	return 0;
}

/* read_file reads up to cap bytes of path beneath dir: the count, or
 * -(1 + error-code). */
static inline int read_file(u32 dir, const char *path, char *buf, u32 cap) {
	u32 ret[4] __attribute__((aligned(8)));
	wasi_open_at(dir, 0, path, slen(path), 0, 1 /* read */, ret);
	if ((u8)ret[0])
		return -1 - (int)(u8)ret[1];
	u32 fd = ret[1];
	wasi_read(fd, cap, 0, ret);
	wasi_drop_descriptor(fd);
	if ((u8)ret[0])
		return -1 - (int)(u8)ret[1];
	memcpy(buf, (void *)ret[1], ret[2]);
	return (int)ret[2];
}
#endif
