// files: files, directories, symbolic links and their errors inside the
// writable preopen /sandbox. Prints one line per step.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK(what, expr)                                                   \
	do {                                                                    \
		errno = 0;                                                          \
		long r_ = (long)(expr);                                             \
		printf("%s: %s\n", what, r_ < 0 ? strerror(errno) : "ok");          \
	} while (0)

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

static void list(const char *dir) {
	DIR *d = opendir(dir);
	if (!d) {
		printf("opendir %s: %s\n", dir, strerror(errno));
		return;
	}
	char *names[64];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 64) {
		char type = e->d_type == DT_DIR ? 'd' : e->d_type == DT_LNK ? 'l' : e->d_type == DT_REG ? 'f' : '?';
		char *s = malloc(strlen(e->d_name) + 3);
		sprintf(s, "%s:%c", e->d_name, type);
		names[n++] = s;
	}
	closedir(d);
	qsort(names, n, sizeof names[0], cmp);
	printf("ls %s:", dir);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

int main(void) {
	// Create, write, read back.
	int fd = open("/sandbox/a.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK("create a.txt", fd);
	CHECK("write", write(fd, "hello world\n", 12));
	CHECK("fsync", fsync(fd));
	printf("lseek end=%ld\n", (long)lseek(fd, 0, SEEK_END));
	lseek(fd, 6, SEEK_SET);
	char buf[64] = {0};
	printf("read after seek=%.*s", (int)read(fd, buf, sizeof buf), buf);
	CHECK("pwrite", pwrite(fd, "W", 1, 6));
	memset(buf, 0, sizeof buf);
	printf("pread=%.*s", (int)pread(fd, buf, sizeof buf, 0), buf);
	printf("tell after pread=%ld\n", (long)lseek(fd, 0, SEEK_CUR));
	CHECK("ftruncate", ftruncate(fd, 5));
	struct stat st;
	fstat(fd, &st);
	printf("size after truncate=%lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode));
	close(fd);

	// Append mode.
	fd = open("/sandbox/a.txt", O_WRONLY | O_APPEND);
	write(fd, "+tail", 5);
	close(fd);
	FILE *f = fopen("/sandbox/a.txt", "r");
	memset(buf, 0, sizeof buf);
	fgets(buf, sizeof buf, f);
	fclose(f);
	printf("after append=%s\n", buf);

	// Errors.
	CHECK("open missing", open("/sandbox/missing", O_RDONLY));
	CHECK("create exclusive existing", open("/sandbox/a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
	CHECK("open file as dir", open("/sandbox/a.txt/", O_RDONLY));
	CHECK("open dir for writing", open("/sandbox", O_WRONLY));
	fd = open("/sandbox/a.txt", O_RDONLY);
	CHECK("write to read-only fd", write(fd, "x", 1));
	close(fd);
	CHECK("read closed fd", read(fd, buf, 1));

	// Directories.
	CHECK("mkdir sub", mkdir("/sandbox/sub", 0755));
	CHECK("mkdir sub again", mkdir("/sandbox/sub", 0755));
	CHECK("mkdir sub/deeper/", mkdir("/sandbox/sub/deeper/", 0755));
	f = fopen("/sandbox/sub/deeper/file", "w");
	fputs("deep", f);
	fclose(f);
	CHECK("rmdir non-empty", rmdir("/sandbox/sub/deeper"));
	CHECK("unlink a directory", unlink("/sandbox/sub"));
	CHECK("rmdir a file", rmdir("/sandbox/a.txt"));
	CHECK("stat via ..", stat("/sandbox/sub/deeper/../deeper/file", &st));
	printf("deep size=%lld\n", (long long)st.st_size);
	CHECK("chdir", chdir("/sandbox/sub"));
	CHECK("open relative to cwd", (fd = open("deeper/file", O_RDONLY)));
	close(fd);
	CHECK("chdir back", chdir("/sandbox"));

	// Rename and unlink.
	CHECK("rename", rename("/sandbox/sub/deeper/file", "/sandbox/moved"));
	CHECK("rename missing", rename("/sandbox/sub/deeper/file", "/sandbox/moved2"));
	CHECK("rename dir over non-empty dir", rename("/sandbox/sub", "/sandbox/sub/deeper"));
	CHECK("rmdir deeper", rmdir("/sandbox/sub/deeper"));
	list("/sandbox");
	list("/sandbox/sub");

	// Links.
	CHECK("symlink", symlink("a.txt", "/sandbox/link"));
	char target[64] = {0};
	CHECK("readlink", readlink("/sandbox/link", target, sizeof target));
	printf("link target=%s\n", target);
	CHECK("readlink a file", readlink("/sandbox/a.txt", target, sizeof target));
	CHECK("stat via link", stat("/sandbox/link", &st));
	printf("link resolves to size=%lld\n", (long long)st.st_size);
	CHECK("lstat link", lstat("/sandbox/link", &st));
	printf("lstat is link=%d\n", S_ISLNK(st.st_mode));
	CHECK("hard link", link("/sandbox/a.txt", "/sandbox/hard"));
	stat("/sandbox/a.txt", &st);
	printf("nlink=%d\n", (int)st.st_nlink);
	CHECK("symlink dangling", symlink("nowhere", "/sandbox/dangling"));
	CHECK("open dangling", open("/sandbox/dangling", O_RDONLY));
	CHECK("symlink loop a", symlink("loopb", "/sandbox/loopa"));
	CHECK("symlink loop b", symlink("loopa", "/sandbox/loopb"));
	CHECK("open loop", open("/sandbox/loopa", O_RDONLY));
	CHECK("open link nofollow", open("/sandbox/link", O_RDONLY | O_NOFOLLOW));
	list("/sandbox");

	// Times.
	struct timespec ts[2] = {{1000, 500}, {2000, 700}};
	CHECK("utimensat", utimensat(AT_FDCWD, "/sandbox/a.txt", ts, 0));
	stat("/sandbox/a.txt", &st);
	printf("atime=%lld.%09ld mtime=%lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	struct timespec omit[2] = {{0, UTIME_OMIT}, {3000, 0}};
	CHECK("utimensat omit atime", utimensat(AT_FDCWD, "/sandbox/link", omit, AT_SYMLINK_NOFOLLOW));
	stat("/sandbox/a.txt", &st);
	printf("target mtime unchanged=%lld\n", (long long)st.st_mtim.tv_sec);

	// Cleanup.
	CHECK("unlink link", unlink("/sandbox/link"));
	CHECK("unlink hard", unlink("/sandbox/hard"));
	CHECK("unlink missing", unlink("/sandbox/hard"));
	return 0;
}
