/* ward cp | read | write: files into and out of a running sandbox (see ward/files.h for how
 * paths inside are resolved). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* "SANDBOX:/path" → the sandbox part (NUL-terminated in place) and the path. */
static char *split_ref(char *arg)
{
	char *colon = strchr(arg, ':');
	if (!colon || colon == arg || colon[1] != '/' || memchr(arg, '/', (size_t)(colon - arg)))
		return NULL;
	*colon = 0;
	return colon + 1;
}

static struct ward_sandbox *open_sandbox(const char *ref, struct ward_error *e)
{
	struct ward_sandbox *sb = NULL;
	ward_sandbox_open(cli_context(false), ref, &sb, e);
	return sb;
}

static void print_skipped(const char *path, const char *why, void *arg)
{
	(void)arg;
	fprintf(stderr, "ward: %s: %s, not copied\n", path, why);
}

static const struct option max_opts[] = {{"max-bytes", required_argument, NULL, 'M'}, {0}};

/* --max-bytes SIZE, the only option of cp and read: -1 to go on, else the exit status. */
static int parse_max_bytes(const struct cli_cmd *c, int argc, char **argv, int min, int max_ops,
                           const char *what, uint64_t *max)
{
	struct ward_error e = {0};
	int v;
	while ((v = cli_next(c, argc, argv, NULL, &e)) >= 0)
		if (ward_parse_size(optarg, max) < 0 || *max == 0) {
			ward_error_set(&e, 0, "%s --max-bytes %s: expected a size such as 64m",
			               c->name, optarg);
			return cli_fail(&e);
		}
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(c, argc, argv, min, max_ops, what, &e) < 0)
		return cli_fail(&e);
	return -1;
}

/* --max-bytes, else (0) the sandbox's --disk, else the library's bound. */
static struct ward_copy_opts copy_opts(uint64_t max)
{
	return (struct ward_copy_opts){.max_bytes = max, .skipped = print_skipped};
}

/* A caller's file size limit ends a copy with EFBIG, which removes what it wrote, rather
 * than with SIGXFSZ, which would leave it half-done. */
static void no_sigxfsz(void)
{
	signal(SIGXFSZ, SIG_IGN);
}

static const char cp_usage[] =
    "usage: ward cp HOST_PATH|PATTERN... SANDBOX:/DEST\n"
    "       ward cp [--max-bytes SIZE] SANDBOX:/SRC HOST_DEST\n"
    "\n"
    "      --max-bytes SIZE   bytes a copy out may write (default: the sandbox's --disk,\n"
    "                         else 1g)\n"
    "  -h, --help             this text\n";

int cmd_cp(int argc, char **argv)
{
	struct ward_error e = {0};
	struct ward_sandbox *sb = NULL;
	int rc = -1;
	uint64_t max = 0;
	static const struct cli_cmd c = {"cp", cp_usage, max_opts, false};
	no_sigxfsz();
	int first = parse_max_bytes(&c, argc, argv, 2, -1, "SOURCE and DEST", &max);
	if (first >= 0)
		return first;
	argc -= optind - 1;
	argv += optind - 1;
	char *dest = split_ref(argv[argc - 1]);
	char *src = argc == 3 && !dest ? split_ref(argv[1]) : NULL;
	if (dest && max) {
		ward_error_set(&e, 0,
		               "--max-bytes: only for copies out of a sandbox (its --disk "
		               "bounds copies in)");
	} else if (dest) {
		if ((sb = open_sandbox(argv[argc - 1], &e)))
			rc = ward_sandbox_copy_in(sb, argv + 1, (size_t)argc - 2, dest, &e);
	} else if (src) {
		struct ward_copy_opts o = copy_opts(max);
		if ((sb = open_sandbox(argv[1], &e)))
			rc = ward_sandbox_copy_out(sb, src, argv[2], &o, &e);
	} else {
		ward_error_set(&e, 0, "cp %s %s: one side must be SANDBOX:/PATH", argv[1],
		               argv[argc - 1]);
	}
	ward_sandbox_close(sb);
	if (rc < 0)
		cli_error(&e);
	return rc < 0 ? EXIT_WARD : 0;
}

int cmd_read(int argc, char **argv)
{
	struct ward_error e = {0};
	struct ward_sandbox *sb = NULL;
	int rc = -1;
	uint64_t max = 0;
	static const struct cli_cmd c = {
	    "read",
	    "usage: ward read [--max-bytes SIZE] SANDBOX PATH\n"
	    "\n"
	    "The file's bytes on stdout (PATH relative: to the sandbox's working directory).\n"
	    "      --max-bytes SIZE   at most this many (default: the sandbox's --disk, else 1g)\n"
	    "  -h, --help             this text\n",
	    max_opts, false};
	no_sigxfsz();
	int first = parse_max_bytes(&c, argc, argv, 2, 2, "SANDBOX and PATH", &max);
	if (first >= 0)
		return first;
	first = optind;
	struct ward_copy_opts o = copy_opts(max);
	if ((sb = open_sandbox(argv[first], &e)))
		rc = ward_sandbox_read(sb, argv[first + 1], 1, &o, &e);
	ward_sandbox_close(sb);
	if (rc < 0)
		cli_error(&e);
	return rc < 0 ? EXIT_WARD : 0;
}

int cmd_write(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"mode", required_argument, NULL, 'm'}, {"parents", no_argument, NULL, 'p'}, {0}};
	static const struct cli_cmd c = {
	    "write",
	    "usage: ward write [-p|--parents] [--mode OCTAL] SANDBOX PATH\n"
	    "\n"
	    "The file's bytes from stdin (PATH relative: to the sandbox's working directory).\n"
	    "  -p, --parents      make missing parent directories\n"
	    "      --mode OCTAL   its permissions (default 644)\n"
	    "  -h, --help         this text\n",
	    opts, false};
	struct ward_error e = {0};
	struct ward_sandbox *sb = NULL;
	unsigned flags = 0;
	unsigned long mode = 0644;
	int rc = -1, v;
	char *end;
	while ((v = cli_next(&c, argc, argv, NULL, &e)) >= 0) {
		if (v == 'p') {
			flags |= WARD_WRITE_PARENTS;
			continue;
		}
		mode = strtoul(optarg, &end, 8);
		if (*end || !*optarg || mode > 07777) {
			ward_error_set(&e, 0, "write --mode %s: expected octal permissions",
			               optarg);
			return cli_fail(&e);
		}
	}
	if (v == CLI_HELP)
		return 0;
	if (v == CLI_BAD || cli_operands(&c, argc, argv, 2, 2, "SANDBOX and PATH", &e) < 0)
		return cli_fail(&e);
	if ((sb = open_sandbox(argv[optind], &e)))
		rc = ward_sandbox_write(sb, argv[optind + 1], 0, (unsigned)mode, flags, &e);
	ward_sandbox_close(sb);
	return rc < 0 ? cli_fail(&e) : 0;
}
