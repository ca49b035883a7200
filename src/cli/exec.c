/* ward exec: run a command in a running sandbox, streamed or captured as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char exec_usage[] =
    "usage: ward exec [OPTIONS] SANDBOX [--] CMD [ARGS...]\n"
    "\n"
    "  SANDBOX                 an id, a unique prefix of one, or a name\n"
    "  -e, --env K=V|NAME      set an environment variable (over the sandbox's); NAME\n"
    "                          alone: the caller's value of NAME (unset: not passed)\n"
    "  -w, --workdir DIR       working directory (default: the sandbox's)\n"
    "  -u, --user U[:G]        user and group (default: the sandbox's)\n"
    "  -i, --interactive       pass stdin through (otherwise /dev/null)\n"
    "  -t, --tty               a terminal inside the sandbox\n"
    "      --timeout SECONDS   kill the command's process group after this long\n"
    "      --json              capture the output; print one JSON object: exitCode, signal,\n"
    "                          stdout, stderr, truncated, durationMs, timedOut, oomKilled\n"
    "      --max-output SIZE   bytes of each stream --json keeps (default 1m)\n"
    "  -h, --help              this text\n"
    "\n"
    "exit status: the command's, 128+N if killed by signal N, 125 if ward failed,\n"
    "126 if the command cannot be executed, 127 if it is not found.\n";

static const struct option exec_options[] = {
    {"env", required_argument, NULL, 'e'},
    {"workdir", required_argument, NULL, 'w'},
    {"user", required_argument, NULL, 'u'},
    {"interactive", no_argument, NULL, 'i'},
    {"tty", no_argument, NULL, 't'},
    {"timeout", required_argument, NULL, 'T'},
    {"json", no_argument, NULL, 'j'},
    {"max-output", required_argument, NULL, 'M'},
    {0},
};

/* What ward exec's options say beyond the command. */
struct exec_args {
	bool json, tty;
	unsigned timeout_s;
	size_t max_output;
};

static int parse_exec(int argc, char **argv, struct ward_exec *x, struct exec_args *a,
                      struct ward_error *e)
{
	static const struct cli_cmd cmd = {"exec", exec_usage, exec_options, true};
	int c;
	uint64_t max;
	while ((c = cli_next(&cmd, argc, argv, NULL, e)) >= 0) {
		switch (c) {
		case 'e': {
			char *buf;
			const char *kv = cli_env(optarg, &buf);
			int r = kv ? ward_exec_add_env(x, kv, e) : 0;
			free(buf);
			if (r < 0)
				return -1;
			break;
		}
		case 'w':
			if (ward_exec_set_cwd(x, optarg, e) < 0)
				return -1;
			break;
		case 'u':
			if (ward_exec_set_user(x, optarg, e) < 0)
				return -1;
			break;
		case 'i':
			ward_exec_set_interactive(x, true);
			break;
		case 't':
			a->tty = true;
			break;
		case 'T':
			if (ward_parse_timeout(optarg, &a->timeout_s, e) < 0)
				return -1;
			break;
		case 'j':
			a->json = true;
			break;
		case 'M':
			if (ward_parse_size(optarg, &max) < 0 || max == 0) {
				ward_error_set(e, 0, "--max-output %s: expected a size such as 64k",
				               optarg);
				return -1;
			}
			a->max_output = (size_t)max;
			break;
		}
	}
	if (c == CLI_HELP)
		return 1;
	if (c == CLI_BAD)
		return -1;
	if (optind < argc && optind + 1 < argc && !strcmp(argv[optind + 1], "--"))
		memmove(argv + optind + 1, argv + optind + 2,
		        (size_t)(argc - optind - 2) * sizeof(char *)),
		    argc--;
	if (cli_operands(&cmd, argc, argv, 1, -1, "SANDBOX", e) < 0 ||
	    cli_operands(&cmd, argc, argv, 2, -1, "CMD", e) < 0)
		return -1;
	if (a->json && a->tty) {
		ward_error_set(e, 0, "--json and -t: a terminal's output cannot be captured apart");
		return -1;
	}
	ward_exec_set_tty(x, a->tty);
	ward_exec_set_timeout(x, a->timeout_s);
	if (a->json)
		ward_exec_set_capture(x, a->max_output);
	return ward_exec_set_argv(x, argc - optind - 1, argv + optind + 1, e);
}

int cmd_exec(int argc, char **argv)
{
	struct ward_exec *x = NULL;
	struct ward_exec_result res = {.exit_code = EXIT_WARD};
	struct ward_error e = {0};
	struct exec_args a = {0};
	struct ward_sandbox *sb = NULL;
	int p = ward_exec_new(&x, &e) < 0 ? -1 : parse_exec(argc, argv, x, &a, &e);
	if (p == 1) {
		ward_exec_free(x);
		return 0;
	}
	int rc = p;
	if (rc == 0)
		rc = ward_sandbox_open(cli_context(false), argv[optind], &sb, &e);
	if (rc == 0)
		rc = ward_sandbox_exec(sb, x, &res, &e);
	if (a.json) {
		char *text = ward_exec_result_json(&res, &e, rc < 0);
		if (text)
			printf("%s\n", text);
		free(text);
	} else if (rc < 0) {
		cli_error(&e);
	} else if (res.timed_out) {
		fprintf(stderr, "ward: exec timeout: killed after %u s\n", a.timeout_s);
	} else if (res.oom_killed) {
		fprintf(stderr, "ward: exec: killed by the sandbox's memory limit\n");
	}
	ward_exec_result_free(&res);
	ward_sandbox_close(sb);
	ward_exec_free(x);
	return res.exit_code;
}
