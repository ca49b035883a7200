/* ward serve: the Docker Engine API server is a program of its own (ward-serve: it links
 * libmicrohttpd, which every ward start would otherwise load); this execs it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_serve(int argc, char **argv)
{
	(void)argc;
	char self[PATH_MAX], path[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		snprintf(path, sizeof(path), "%.*s/ward-serve", (int)(slash - self), self);
		if (access(path, X_OK) != 0)
			snprintf(path, sizeof(path), "%s/ward-serve", WARD_LIBEXEC_DIR);
	} else {
		snprintf(path, sizeof(path), "%s/ward-serve", WARD_LIBEXEC_DIR);
	}
	argv[0] = path;
	execv(path, argv);
	fprintf(stderr, "ward: serve: %s: %s\n", path, strerror(errno));
	return EXIT_WARD;
}
