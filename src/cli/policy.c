/* ward policy: list, show and check seccomp policies. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char policy_usage[] = "usage: ward policy ls\n"
                                   "       ward policy show NAME|FILE\n"
                                   "       ward policy check FILE...\n";

static void print_entry(const char *name, const char *path, void *arg)
{
	(void)arg;
	printf("%-16s %s\n", name, path);
}

static int show(const char *name)
{
	char path[PATH_MAX];
	struct ward_error e;
	if (ward_policy_find(cli_context(false), name, path, sizeof(path), &e) < 0) {
		cli_error(&e);
		return EXIT_WARD;
	}
	FILE *f = fopen(path, "re");
	if (!f) {
		perror(path);
		return EXIT_WARD;
	}
	printf("# %s\n", path);
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

/* Checks each file against the default capability set. */
static int check(int argc, char **argv)
{
	int rc = 0;
	for (int i = 0; i < argc; i++) {
		struct ward_error e;
		if (ward_policy_check(argv[i], ward_default_capabilities(), &e) < 0) {
			cli_error(&e);
			rc = EXIT_WARD;
		}
	}
	return rc;
}

int cmd_policy(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "ls") && argc == 2) {
		ward_policy_list(cli_context(false), print_entry, NULL);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "show"))
		return show(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "check"))
		return check(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		fputs(policy_usage, stdout);
		return 0;
	}
	fputs(policy_usage, stderr);
	return EXIT_WARD;
}
