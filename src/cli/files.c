/* ward cp | read | write: files into and out of a running sandbox, through the root fd its
 * supervisor hands over (see ward.h for how paths inside are resolved). */
#include <errno.h>
#include <signal.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>

#include "cli.h"
#include "sandbox.h"
#include "sys.h"

/* Files a root caller makes inside must belong to the sandbox's root, not to host root
 * (whom the sandbox's filesystems cannot even represent): the fs ids change, the
 * capabilities stay (SECBIT_NO_SETUID_FIXUP), so host sources stay readable. */
static int as_container_root(uid_t uid, gid_t gid, struct ward_error *e)
{
	if (geteuid() != 0)
		return 0;
	if (prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0) {
		ward_error_set(e, errno, "keeping capabilities across setfsuid");
		return -1;
	}
	setfsgid(gid);
	setfsuid(uid);
	if ((uid_t)setfsuid((uid_t)-1) != uid || (gid_t)setfsgid((gid_t)-1) != gid) {
		ward_error_set(e, EPERM, "taking the sandbox root's ids (%u:%u)", (unsigned)uid,
		               (unsigned)gid);
		return -1;
	}
	return 0;
}

/* "SANDBOX:/path" → the sandbox part (NUL-terminated in place) and the path. */
static char *split_ref(char *arg)
{
	char *colon = strchr(arg, ':');
	if (!colon || colon == arg || colon[1] != '/' || memchr(arg, '/', (size_t)(colon - arg)))
		return NULL;
	*colon = 0;
	return colon + 1;
}

static int open_root(const char *ref, bool writing, int *rootfd, uint64_t *disk,
                     struct ward_error *e)
{
	uid_t uid;
	gid_t gid;
	if (sb_root(cli_context(false), ref, rootfd, &uid, &gid, disk, e) < 0)
		return -1;
	if (writing && as_container_root(uid, gid, e) < 0) {
		close(*rootfd);
		return -1;
	}
	return 0;
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

/* The cap a copy out gets: --max-bytes, else the sandbox's --disk, else the library's. */
static struct ward_copy_opts copy_opts(uint64_t max, uint64_t disk)
{
	return (struct ward_copy_opts){.max_bytes = max ? max : disk, .skipped = print_skipped};
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
	int rootfd = -1, rc = -1;
	uint64_t max = 0, disk = 0;
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
		if (open_root(argv[argc - 1], true, &rootfd, NULL, &e) == 0)
			rc = ward_copy_in(rootfd, argv + 1, (size_t)argc - 2, dest, &e);
	} else if (src) {
		if (open_root(argv[1], false, &rootfd, &disk, &e) == 0) {
			struct ward_copy_opts o = copy_opts(max, disk);
			rc = ward_copy_out_opts(rootfd, src, argv[2], &o, &e);
		}
	} else {
		ward_error_set(&e, 0, "cp %s %s: one side must be SANDBOX:/PATH", argv[1],
		               argv[argc - 1]);
	}
	if (rootfd >= 0)
		close(rootfd);
	if (rc < 0)
		cli_error(&e);
	return rc < 0 ? EXIT_WARD : 0;
}

int cmd_read(int argc, char **argv)
{
	struct ward_error e = {0};
	int rootfd = -1, rc = -1;
	uint64_t max = 0, disk = 0;
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
	if (open_root(argv[first], false, &rootfd, &disk, &e) == 0) {
		struct ward_copy_opts o = copy_opts(max, disk);
		rc = ward_file_read_opts(rootfd, argv[first + 1], 1, &o, &e);
	}
	if (rootfd >= 0)
		close(rootfd);
	if (rc < 0)
		cli_error(&e);
	return rc < 0 ? EXIT_WARD : 0;
}

int cmd_write(int argc, char **argv)
{
	struct ward_error e = {0};
	int rootfd = -1, rc = -1, first = 1;
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
	if (argc - first != 2) {
		fputs("usage: ward write [--mode OCTAL] SANDBOX /PATH   (the file's bytes from "
		      "stdin)\n",
		      stderr);
		return EXIT_WARD;
	}
	if (open_root(argv[first], true, &rootfd, NULL, &e) == 0)
		rc = ward_file_write(rootfd, argv[first + 1], 0, (unsigned)mode, &e);
	if (rootfd >= 0)
		close(rootfd);
	if (rc < 0)
		cli_error(&e);
	return rc < 0 ? EXIT_WARD : 0;
}
