// hello: arguments, granted and absent environment, stdout, stderr and
// the exit code.
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv) {
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	int n = 0;
	for (char **e = environ; *e; e++)
		n++;
	printf("environ entries=%d\n", n);
	const char *g = getenv("GREETING");
	printf("GREETING=%s\n", g ? g : "(unset)");
	const char *h = getenv("HOME");
	printf("HOME=%s\n", h ? h : "(unset)");
	fprintf(stderr, "to stderr\n");
	return 7;
}
