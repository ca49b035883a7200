/* ward policy: list, show and check seccomp policies. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char policy_usage[] =
    "usage: ward policy ls [--json]          the policies: name and file\n"
    "       ward policy show NAME|FILE       one policy's text\n"
    "       ward policy check FILE...        check policy files (against the default\n"
    "                                        capability set)\n"
    "      --json   (ls) [{\"name\", \"path\"}, ...]\n"
    "  -h, --help   this text\n";

static void print_entry(const char *name, const char *path, void *arg)
{
	if (arg)
		json_array_append_new(arg, json_pack("{s:s,s:s}", "name", name, "path", path));
	else
		printf("%-16s %s\n", name, path);
}

static int ls(int argc, char **argv)
{
	static const struct cli_cmd c = {"policy ls", policy_usage, cli_json_opts, false};
	bool json = false;
	int done = cli_simple_flag(&c, argc, argv, 0, 0, "", &json);
	if (done >= 0)
		return done;
	json_t *out = json ? json_array() : NULL;
	ward_policy_list(cli_context(false), print_entry, out);
	return json ? cli_json_print(out) : 0;
}

static int show(int argc, char **argv)
{
	static const struct cli_cmd c = {"policy show", policy_usage, NULL, false};
	int rc = cli_simple(&c, argc, argv, 1, 1, "NAME|FILE");
	if (rc >= 0)
		return rc;
	char path[PATH_MAX];
	struct ward_error e = {0};
	if (ward_policy_find(cli_context(false), argv[optind], path, sizeof(path), &e) < 0)
		return cli_fail(&e);
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
	static const struct cli_cmd c = {"policy check", policy_usage, NULL, false};
	int rc = cli_simple(&c, argc, argv, 1, -1, "FILE");
	if (rc >= 0)
		return rc;
	rc = 0;
	for (int i = optind; i < argc; i++) {
		struct ward_error e = {0};
		if (ward_policy_check(argv[i], ward_default_capabilities(), &e) < 0)
			rc = cli_fail(&e);
	}
	return rc;
}

int cmd_policy(int argc, char **argv)
{
	static const struct cli_cmd top = {"policy", policy_usage, NULL, true};
	const char *sub = argc > 1 ? argv[1] : "";
	if (!strcmp(sub, "ls"))
		return ls(argc - 1, argv + 1);
	if (!strcmp(sub, "show"))
		return show(argc - 1, argv + 1);
	if (!strcmp(sub, "check"))
		return check(argc - 1, argv + 1);
	int rc = cli_simple(&top, argc, argv, 1, -1, "ls, show or check");
	if (rc >= 0)
		return rc;
	fprintf(stderr, "ward: policy: unknown subcommand '%s' (see ward policy --help)\n", sub);
	return EXIT_WARD;
}
