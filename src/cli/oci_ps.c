/* ward oci ps: a container's processes, as a JSON array of host pids or as ps(1) shows them
 * (its header and the lines of those pids). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

static const char ps_usage[] =
    "usage: ward-runc ps [--format table|json] ID [-- PS ARGS...]\n"
    "The container's processes: ps(1)'s lines of them (ps -ef unless PS ARGS are given),\n"
    "or with --format json an array of their host pids.\n"
    "  --format, -f table|json   as ps shows them (default) or their pids as JSON\n";

/* The column of the header that is PID, or -1. */
static int pid_column(char *header)
{
	char *save, *copy = strdup(header);
	int k = 0, found = -1;
	for (char *t = copy ? strtok_r(copy, " \t\n", &save) : NULL; t;
	     t = strtok_r(NULL, " \t\n", &save), k++)
		if (!strcmp(t, "PID")) {
			found = k;
			break;
		}
	free(copy);
	return found;
}

static bool line_is_ours(const char *line, int col, const pid_t *pids, size_t n)
{
	char *save, *copy = strdup(line);
	char *t = copy ? strtok_r(copy, " \t\n", &save) : NULL;
	for (int k = 0; t && k < col; k++)
		t = strtok_r(NULL, " \t\n", &save);
	long p = t ? strtol(t, NULL, 10) : -1;
	free(copy);
	for (size_t i = 0; i < n; i++)
		if (pids[i] == p)
			return true;
	return false;
}

/* ps ARGS (argv[0] is "ps"), its output filtered to PIDS. */
static int ps_table(char **args, const pid_t *pids, size_t n)
{
	int fd[2];
	if (pipe2(fd, O_CLOEXEC) < 0)
		return oci_fail("ps: pipe: %s", strerror(errno));
	pid_t child = fork();
	if (child < 0)
		return oci_fail("ps: fork: %s", strerror(errno));
	if (child == 0) {
		dup2(fd[1], 1);
		execvp("ps", args);
		fprintf(stderr, "%s: ps: %s\n", oci_g.prog, strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	FILE *f = fdopen(fd[0], "r");
	char *line = NULL;
	size_t cap = 0;
	int col = -1, r = 0;
	for (bool first = true; f && getline(&line, &cap, f) > 0; first = false) {
		if (first && (col = pid_column(line)) < 0)
			r = oci_fail("ps: no PID column in ps's header");
		if (!r && (first || line_is_ours(line, col, pids, n)))
			fputs(line, stdout);
	}
	free(line);
	if (f)
		fclose(f);
	int st;
	waitpid(child, &st, 0);
	if (!r && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		r = oci_fail("ps: ps failed (status %d)", WIFEXITED(st) ? WEXITSTATUS(st) : 128);
	return r;
}

int oci_cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'}, {0}};
	static const struct oci_cmd c = {"ps", ps_usage, opts, true};
	bool json = false;
	int v;
	while ((v = oci_next(&c, argc, argv, NULL)) >= 0) {
		if (strcmp(optarg, "json") && strcmp(optarg, "table"))
			return oci_fail("ps: --format: '%s': expected table or json", optarg);
		json = !strcmp(optarg, "json");
	}
	if (v == OCI_HELP)
		return 0;
	if (v == OCI_BAD)
		return 1;
	if (optind >= argc)
		return oci_fail("ps: a container id is needed (usage: %s ps ID)", oci_g.prog);
	const char *id = argv[optind];
	char **rest = argv + optind + 1;
	int nrest = argc - optind - 1;
	if (nrest > 0 && !strcmp(rest[0], "--"))
		rest++, nrest--;
	if (json && nrest > 0)
		return oci_fail("ps: --format json takes no ps arguments");
	char dir[PATH_MAX];
	if (oci_check_id(id) < 0 || oci_state_dir(id, false, dir, sizeof(dir)) < 0 ||
	    !oci_exists(id, dir, false))
		return 1;
	oci_close_fds(3);
	struct ward_error e = {0};
	pid_t *pids = NULL;
	size_t n = 0;
	if (ward_container_pids(dir, &pids, &n, &e) < 0)
		return oci_fail_e(id, &e);
	int r;
	if (json) {
		json_t *a = json_array();
		for (size_t i = 0; i < n && a; i++)
			json_array_append_new(a, json_integer(pids[i]));
		r = oci_print_json(a, 0);
	} else {
		char *def[] = {"ps", "-ef", NULL};
		char **args = def;
		if (nrest > 0 && (args = calloc((size_t)nrest + 2, sizeof(char *)))) {
			args[0] = "ps";
			memcpy(args + 1, rest, (size_t)nrest * sizeof(char *));
		}
		r = args ? ps_table(args, pids, n) : oci_fail("out of memory");
		if (args != def)
			free(args);
	}
	free(pids);
	return r;
}
