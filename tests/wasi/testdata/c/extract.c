// extract: a deliberately naive archive extractor (the "ZipSlip" shape):
// it joins /out and each entry name without any checking, so only the
// sandbox stands between a hostile archive and the host.
//
// Archive format, read from stdin, one entry after another:
//   F <name> <size>\n<size bytes>   a file
//   D <name>\n                      a directory
//   L <name> <target>\n             a symbolic link
// Prints one line per entry; exits with the number of failed entries.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
	char kind, name[512], arg[512], path[1100];
	int failed = 0;
	while (scanf(" %c %511s", &kind, name) == 2) {
		snprintf(path, sizeof path, "/out/%s", name);
		int ok = 0;
		if (kind == 'F') {
			long size;
			if (scanf(" %ld", &size) != 1 || getchar() != '\n')
				return 100;
			char *data = malloc(size);
			if (fread(data, 1, size, stdin) != (size_t)size)
				return 101;
			int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd >= 0) {
				ok = write(fd, data, size) == size;
				close(fd);
			}
			free(data);
		} else if (kind == 'D') {
			ok = mkdir(path, 0755) == 0;
		} else if (kind == 'L') {
			if (scanf(" %511s", arg) != 1)
				return 102;
			ok = symlink(arg, path) == 0;
		} else {
			return 103;
		}
		if (ok) {
			printf("ok %c %s\n", kind, name);
		} else {
			printf("fail %c %s: %s\n", kind, name, strerror(errno));
			failed++;
		}
	}
	return failed;
}
