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

/* Leading --max-bytes SIZE (or =SIZE) options; returns the index of the first other
 * argument, or -1. */
static int parse_max_bytes(int argc, char **argv, uint64_t *max, struct ward_error *e)
{
	int i = 1;
	while (i < argc && !strncmp(argv[i], "--max-bytes", 11)) {
		const char *v = argv[i][11] == '=' ? argv[i] + 12 : NULL;
		if (!v && argv[i][11] == 0 && i + 1 < argc)
			v = argv[++i];
		if (!v) {
			ward_error_set(e, 0, "%s: expected --max-bytes SIZE", argv[i]);
			return -1;
		}
		if (ward_parse_size(v, max) < 0 || *max == 0) {
			ward_error_set(e, 0, "--max-bytes %s: expected a size such as 64m", v);
			return -1;
		}
		i++;
	}
	return i;
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
    "  --max-bytes SIZE   bytes a copy out may write (default: the sandbox's --disk, else 1g)\n";

int cmd_cp(int argc, char **argv)
{
	struct ward_error e = {0};
	struct ward_sandbox *sb = NULL;
	int rc = -1;
	uint64_t max = 0;
	no_sigxfsz();
	int first = parse_max_bytes(argc, argv, &max, &e);
	if (first < 0) {
		cli_error(&e);
		return EXIT_WARD;
	}
	argc -= first - 1;
	argv += first - 1;
	if (argc < 3) {
		fputs(cp_usage, stderr);
		return EXIT_WARD;
	}
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
	no_sigxfsz();
	int first = parse_max_bytes(argc, argv, &max, &e);
	if (first < 0) {
		cli_error(&e);
		return EXIT_WARD;
	}
	if (argc - first != 2) {
		fputs(
		    "usage: ward read [--max-bytes SIZE] SANDBOX /PATH   (the file's bytes on "
		    "stdout;\n       at most --max-bytes: default the sandbox's --disk, else 1g)\n",
		    stderr);
		return EXIT_WARD;
	}
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
	struct ward_error e = {0};
	struct ward_sandbox *sb = NULL;
	int rc = -1, first = 1;
	unsigned long mode = 0644;
	if (argc > 2 && !strcmp(argv[1], "--mode")) {
		char *end;
		mode = strtoul(argv[2], &end, 8);
		if (*end || !*argv[2] || mode > 07777) {
			fprintf(stderr, "ward: write --mode %s: expected octal permissions\n",
			        argv[2]);
			return EXIT_WARD;
		}
		first = 3;
	}
	unsigned flags = 0;
	if (argc - first == 3 && (!strcmp(argv[first], "-p") || !strcmp(argv[first], "--parents")))
		flags = WARD_WRITE_PARENTS, first++;
	if (argc - first != 2) {
		fputs("usage: ward write [--mode OCTAL] [-p] SANDBOX PATH   (the file's bytes from "
		      "stdin)\n",
		      stderr);
		return EXIT_WARD;
	}
	if ((sb = open_sandbox(argv[first], &e)))
		rc = ward_sandbox_write(sb, argv[first + 1], 0, (unsigned)mode, flags, &e);
	ward_sandbox_close(sb);
	if (rc < 0)
		cli_error(&e);
	return rc < 0 ? EXIT_WARD : 0;
}
