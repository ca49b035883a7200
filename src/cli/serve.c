/* ward serve: the Docker Engine API server is a program of its own (ward-serve: it links
 * libmicrohttpd, which every ward start would otherwise load); this execs it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Next to ward (a build tree), else in the install's libexec/ward relative to ward's bin/,
 * else in the configured one. */
static void find_server(char *path, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		int dir = (int)(strrchr(self, '/') - self);
		snprintf(path, len, "%.*s/ward-serve", dir, self);
		if (access(path, X_OK) == 0)
			return;
		snprintf(path, len, "%.*s/../libexec/ward/ward-serve", dir, self);
		if (access(path, X_OK) == 0)
			return;
	}
	snprintf(path, len, "%s/ward-serve", WARD_LIBEXEC_DIR);
}

int cmd_serve(int argc, char **argv)
{
	(void)argc;
	char path[PATH_MAX + 32];
	find_server(path, sizeof(path));
	argv[0] = path;
	execv(path, argv);
	fprintf(stderr, "ward: serve: %s: %s\n", path, strerror(errno));
	return EXIT_WARD;
}
