// escape: tries every way out of its preopens through raw WASI calls and
// prints the errno each attempt got. Descriptors: 3 = /sandbox (writable),
// 4 = /other (writable), 5 = /ro (read-only). The test builds the host
// tree (including the symbolic links) and checks nothing outside changed.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define SANDBOX 3
#define OTHER 4
#define RO 5
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define ALL ((__wasi_rights_t)0x1fffffff)
#define READ (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET)
// Every right but the byte-stream ones a directory cannot hold (asking
// for fd_write or fd_allocate on a directory answers EISDIR).
#define DIR (ALL & ~(__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_DATASYNC | \
                     __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL))
#define CREAT __WASI_OFLAGS_CREAT
#define TRUNC __WASI_OFLAGS_TRUNC

static void report(const char *what, int e) { printf("%s: %d\n", what, e); }

static __wasi_fd_t last_fd;

static int open_at(__wasi_fd_t dir, int flags, const char *path, int oflags, __wasi_rights_t rights) {
	return __wasi_path_open(dir, flags, path, oflags, rights, ALL, 0, &last_fd);
}

static void open_case(const char *what, __wasi_fd_t dir, int flags, const char *path, int oflags, __wasi_rights_t rights) {
	int e = open_at(dir, flags, path, oflags, rights);
	report(what, e);
	if (e == 0)
		(void)__wasi_fd_close(last_fd);
}

static void read_fd(const char *what, __wasi_fd_t fd) {
	char buf[64] = {0};
	__wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
	__wasi_size_t n = 0;
	int e = __wasi_fd_read(fd, &iov, 1, &n);
	printf("%s: %d %s\n", what, e, buf);
}

int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t len, int32_t nwritten)
	__attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("fd_write")));
int32_t raw_fd_read(int32_t fd, int32_t iovs, int32_t len, int32_t nread)
	__attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("fd_read")));
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags,
                      int64_t base, int64_t inheriting, int32_t fdflags, int32_t result)
	__attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_open")));

int main(void) {
	// Lexical escapes.
	open_case("dotdot", SANDBOX, FOLLOW, "../outside/secret", 0, READ);
	open_case("absolute", SANDBOX, FOLLOW, "/etc/passwd", 0, READ);
	open_case("dotdot inside then out", SANDBOX, FOLLOW, "sub/../../outside/secret", 0, READ);
	open_case("dotdot underflow create", SANDBOX, FOLLOW, "../created", CREAT, ALL);
	report("mkdir dotdot", __wasi_path_create_directory(SANDBOX, "../escaped_dir"));
	report("unlink dotdot", __wasi_path_unlink_file(SANDBOX, "../outside/secret"));

	// Symbolic links planted by the host.
	open_case("absolute link", SANDBOX, FOLLOW, "abs_link", 0, READ);
	open_case("relative link out", SANDBOX, FOLLOW, "rel_link", 0, READ);
	open_case("relative link nofollow", SANDBOX, 0, "rel_link", 0, READ);
	open_case("dir link component", SANDBOX, FOLLOW, "dir_link/secret", 0, READ);
	open_case("dir link component nofollow", SANDBOX, 0, "dir_link/secret", 0, READ);
	open_case("create through dir link", SANDBOX, FOLLOW, "dir_link/created", CREAT, ALL);
	open_case("truncate through link", SANDBOX, FOLLOW, "rel_link", CREAT | TRUNC, ALL);
	open_case("link loop", SANDBOX, FOLLOW, "loop1", 0, READ);
	open_case("link loop in path", SANDBOX, FOLLOW, "loop1/x", 0, READ);
	open_case("trailing slash on dir link", SANDBOX, FOLLOW, "dir_link/", 0, READ);
	open_case("trailing slash on file", SANDBOX, FOLLOW, "file/", 0, READ);
	open_case("link up two levels", SANDBOX, FOLLOW, "sub/up2/outside/secret", 0, READ);
	report("unlink through dir link", __wasi_path_unlink_file(SANDBOX, "dir_link/secret"));
	report("rmdir a dir link", __wasi_path_remove_directory(SANDBOX, "dir_link"));
	__wasi_filestat_t st;
	report("stat absolute link follow", __wasi_path_filestat_get(SANDBOX, FOLLOW, "abs_link", &st));
	report("stat absolute link nofollow", __wasi_path_filestat_get(SANDBOX, 0, "abs_link", &st));
	printf("  is symlink: %d\n", st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
	report("set times through link", __wasi_path_filestat_set_times(SANDBOX, FOLLOW, "rel_link", 1, 1,
	                                                                 __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
	uint8_t text[64] = {0};
	__wasi_size_t n;
	report("readlink relative link", __wasi_path_readlink(SANDBOX, "rel_link", text, sizeof text, &n));
	printf("  text: %.*s\n", (int)n, text);

	// Links inside are fine.
	int e = open_at(SANDBOX, FOLLOW, "sub/up/file", 0, READ);
	report("link inside", e);
	if (e == 0) {
		read_fd("  read", last_fd);
		(void)__wasi_fd_close(last_fd);
	}

	// Links the guest makes.
	report("symlink absolute", __wasi_path_symlink("/etc/passwd", SANDBOX, "evil_abs"));
	report("symlink relative out", __wasi_path_symlink("../outside/secret", SANDBOX, "evil_rel"));
	open_case("open own link out", SANDBOX, FOLLOW, "evil_rel", 0, READ);
	open_case("create through own link", SANDBOX, FOLLOW, "evil_rel", CREAT | TRUNC, ALL);
	report("hard link dotdot", __wasi_path_link(SANDBOX, 0, "../outside/secret", SANDBOX, "hard"));
	report("hard link through dir link", __wasi_path_link(SANDBOX, 0, "dir_link/secret", SANDBOX, "hard"));
	report("hard link follow link", __wasi_path_link(SANDBOX, FOLLOW, "rel_link", SANDBOX, "hard"));
	report("hard link of the link", __wasi_path_link(SANDBOX, 0, "rel_link", SANDBOX, "hard_link"));
	open_case("open hard link of link", SANDBOX, FOLLOW, "hard_link", 0, READ);

	// Renames.
	report("rename dotdot", __wasi_path_rename(SANDBOX, "file2", SANDBOX, "../escaped"));
	report("rename into dir link", __wasi_path_rename(SANDBOX, "file2", SANDBOX, "dir_link/escaped"));
	report("rename across preopens", __wasi_path_rename(SANDBOX, "file2", OTHER, "moved"));
	report("rename into read-only", __wasi_path_rename(OTHER, "moved", RO, "moved"));
	report("rename out of read-only", __wasi_path_rename(RO, "data", OTHER, "stolen"));
	report("hard link out of read-only", __wasi_path_link(RO, 0, "data", SANDBOX, "ro_hard"));

	// Directory descriptors confine paths beneath them.
	e = open_at(SANDBOX, FOLLOW, "sub", __WASI_OFLAGS_DIRECTORY, DIR);
	report("open sub", e);
	__wasi_fd_t sub = last_fd;
	open_case("dotdot from sub", sub, FOLLOW, "../file", 0, READ);
	open_case("link up from sub", sub, FOLLOW, "up/file", 0, READ);
	(void)__wasi_fd_close(sub);

	// The read-only preopen.
	e = open_at(RO, FOLLOW, "data", 0, ALL & ~(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_ALLOCATE));
	report("ro open for reading", e);
	if (e == 0) {
		__wasi_fd_t fd = last_fd;
		read_fd("  read", fd);
		__wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
		report("  write", __wasi_fd_write(fd, &iov, 1, &n));
		report("  truncate", __wasi_fd_filestat_set_size(fd, 0));
		report("  set times", __wasi_fd_filestat_set_times(fd, 1, 1, __WASI_FSTFLAGS_MTIM));
		report("  append flag", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
		(void)__wasi_fd_close(fd);
	}
	open_case("ro open for writing", RO, FOLLOW, "data", 0, ALL);
	open_case("ro create", RO, FOLLOW, "new", CREAT, ALL);
	open_case("ro truncate", RO, FOLLOW, "data", TRUNC, READ);
	report("ro mkdir", __wasi_path_create_directory(RO, "newdir"));
	report("ro unlink", __wasi_path_unlink_file(RO, "data"));
	report("ro rmdir", __wasi_path_remove_directory(RO, "rsub"));
	report("ro symlink", __wasi_path_symlink("data", RO, "newlink"));
	report("ro rename", __wasi_path_rename(RO, "data", RO, "data2"));
	report("ro set times", __wasi_path_filestat_set_times(RO, 0, "data", 1, 1, __WASI_FSTFLAGS_MTIM));
	e = open_at(RO, FOLLOW, "rsub", __WASI_OFLAGS_DIRECTORY, DIR);
	report("ro open subdir", e);
	open_case("  create in ro subdir", last_fd, FOLLOW, "new", CREAT, ALL);
	(void)__wasi_fd_close(last_fd);

	// Guest pointers outside memory. (Flushed first: under WASI 0.2 the
	// preview1 adapter reads the iovecs in wasm and traps on the first.)
	fflush(stdout);
	report("fd_write iovs out of bounds", raw_fd_write(1, 0x7ffffff0, 4, 0));
	struct { int32_t buf, len; } bad = {0x7ffffff0, 16};
	int32_t nread;
	report("fd_read buffer out of bounds", raw_fd_read(0, (int32_t)(intptr_t)&bad, 1, (int32_t)(intptr_t)&nread));
	int32_t newfd;
	report("path_open path out of bounds", raw_path_open(SANDBOX, 0, 0x7ffffff0, 100, CREAT, ALL, ALL, 0, (int32_t)(intptr_t)&newfd));
	report("path_open result out of bounds", raw_path_open(SANDBOX, 0, (int32_t)(intptr_t)"never", 5, CREAT, ALL, ALL, 0, 0x7ffffff0));
	return 0;
}
