/* ward exec: run a command in a running sandbox, streamed or captured as JSON. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sandbox.h"
#include "sys.h"

static const char exec_usage[] =
    "usage: ward exec [OPTIONS] SANDBOX [--] CMD [ARGS...]\n"
    "\n"
    "  SANDBOX                 an id, a unique prefix of one, or a name\n"
    "  -e, --env K=V           set an environment variable (over the sandbox's)\n"
    "  -w, --workdir DIR       working directory (default: the sandbox's)\n"
    "  -u, --user U[:G]        user and group (default: the sandbox's)\n"
    "  -i, --interactive       pass stdin through (otherwise /dev/null)\n"
    "  -t, --tty               a terminal inside the sandbox\n"
    "      --timeout SECONDS   kill the command's process group after this long\n"
    "      --json              capture the output; print one JSON object: exitCode, signal,\n"
    "                          stdout, stderr, truncated, durationMs, timedOut, oomKilled\n"
    "      --max-output SIZE   bytes of each stream --json keeps (default 1m)\n"
    "\n"
    "exit status: the command's, 128+N if killed by signal N, 125 if ward failed,\n"
    "126 if the command cannot be executed, 127 if it is not found.\n";

/* JSON string of bytes that may not be UTF-8: invalid bytes become U+FFFD. */
static json_t *bytes_json(const char *p, size_t n)
{
	json_t *s = json_stringn(p ? p : "", p ? n : 0);
	if (s)
		return s;
	char *clean = malloc(n * 3 + 1);
	size_t k = 0;
	for (size_t i = 0; clean && i < n;) {
		unsigned char c = (unsigned char)p[i];
		size_t len = c < 0x80         ? 1
		             : (c >> 5) == 6  ? 2
		             : (c >> 4) == 14 ? 3
		             : (c >> 3) == 30 ? 4
		                              : 0;
		json_t *one = len && i + len <= n ? json_stringn(p + i, len) : NULL;
		if (one) {
			memcpy(clean + k, p + i, len);
			k += len;
			i += len;
			json_decref(one);
		} else {
			memcpy(clean + k, "\xef\xbf\xbd", 3);
			k += 3;
			i++;
		}
	}
	s = clean ? json_stringn(clean, k) : NULL;
	free(clean);
	return s;
}

static void print_exec_json(const struct ward_exec_result *r, const struct ward_error *e,
                            bool failed)
{
	json_t *o = json_pack(
	    "{s:i, s:i, s:o, s:o, s:b, s:I, s:I, s:I, s:b, s:b}", "exitCode", r->exit_code,
	    "signal", r->signal, "stdout", bytes_json(r->out[0], r->len[0]), "stderr",
	    bytes_json(r->out[1], r->len[1]), "truncated",
	    r->total[0] > r->len[0] || r->total[1] > r->len[1], "stdoutBytes",
	    (json_int_t)r->total[0], "stderrBytes", (json_int_t)r->total[1], "durationMs",
	    (json_int_t)r->duration_ms, "timedOut", r->timed_out, "oomKilled", r->oom_killed);
	if (o && failed)
		json_object_set_new(o, "error", json_string(e->msg));
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(o);
}

static int add_env(char ***env, size_t *n, const char *kv, struct ward_error *e)
{
	if (!strchr(kv, '=') || kv[0] == '=') {
		ward_error_set(e, 0, "-e %s: expected K=V", kv);
		return -1;
	}
	char **v = realloc(*env, (*n + 2) * sizeof(char *));
	if (!v) {
		ward_error_set(e, ENOMEM, "-e");
		return -1;
	}
	v[(*n)++] = (char *)kv;
	v[*n] = NULL;
	*env = v;
	return 0;
}

static const struct option exec_options[] = {
    {"env", required_argument, NULL, 'e'},  {"workdir", required_argument, NULL, 'w'},
    {"user", required_argument, NULL, 'u'}, {"interactive", no_argument, NULL, 'i'},
    {"tty", no_argument, NULL, 't'},        {"timeout", required_argument, NULL, 'T'},
    {"json", no_argument, NULL, 'j'},       {"max-output", required_argument, NULL, 'M'},
    {"help", no_argument, NULL, 'h'},       {0},
};

static int parse_exec(int argc, char **argv, struct ward_exec_opts *o, bool *json,
                      struct ward_error *e, size_t *n_env)
{
	opterr = 0;
	optind = 1;
	int c;
	uint64_t max;
	while ((c = getopt_long(argc, argv, "+e:w:u:it", exec_options, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (add_env(&o->env, n_env, optarg, e) < 0)
				return -1;
			break;
		case 'w':
			o->cwd = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'i':
			o->interactive = true;
			break;
		case 't':
			o->tty = true;
			break;
		case 'T':
			if (ward_parse_timeout(optarg, &o->timeout_s, e) < 0)
				return -1;
			break;
		case 'j':
			*json = true;
			break;
		case 'M':
			if (ward_parse_size(optarg, &max) < 0 || max == 0) {
				ward_error_set(e, 0, "--max-output %s: expected a size such as 64k",
				               optarg);
				return -1;
			}
			o->max_output = (size_t)max;
			break;
		case 'h':
			fputs(exec_usage, stdout);
			return 1;
		case ':':
			ward_error_set(e, 0, "option %s needs a value", argv[optind - 1]);
			return -1;
		default:
			ward_error_set(e, 0, "unknown option %s (see ward exec --help)",
			               argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc && optind + 1 < argc && !strcmp(argv[optind + 1], "--"))
		memmove(argv + optind + 1, argv + optind + 2,
		        (size_t)(argc - optind - 2) * sizeof(char *)),
		    argc--;
	if (argc - optind < 2) {
		ward_error_set(e, 0, "usage: ward exec [OPTIONS] SANDBOX [--] CMD [ARGS...]");
		return -1;
	}
	if (*json && o->tty) {
		ward_error_set(e, 0, "--json and -t: a terminal's output cannot be captured apart");
		return -1;
	}
	argv[argc] = NULL;
	o->argv = argv + optind + 1;
	return 0;
}

int cmd_exec(int argc, char **argv)
{
	struct ward_exec_opts o = {.stdio = {0, 1, 2}, .capture = {-1, -1}, .max_output = 1 << 20};
	struct ward_exec_result res = {.exit_code = EXIT_WARD};
	struct ward_error e = {0};
	bool json = false;
	size_t n_env = 0;
	int p = parse_exec(argc, argv, &o, &json, &e, &n_env);
	if (p == 1)
		return 0;
	int rc = -1, out[2] = {-1, -1}, err[2] = {-1, -1};
	if (p == 0 && json && (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0))
		ward_error_set(&e, errno, "exec: pipes for --json");
	else if (p == 0) {
		if (json) {
			o.stdio[1] = out[1];
			o.stdio[2] = err[1];
			o.capture[0] = out[0];
			o.capture[1] = err[0];
		}
		/* the write ends close here once sent: only the command holds them then */
		rc = sb_exec(cli_context(false), argv[optind], &o, &res, &e);
	}
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	if (json)
		print_exec_json(&res, &e, rc < 0);
	else if (rc < 0)
		cli_error(&e);
	else if (res.timed_out)
		fprintf(stderr, "ward: exec timeout: killed after %u s\n", o.timeout_s);
	else if (res.oom_killed)
		fprintf(stderr, "ward: exec: killed by the sandbox's memory limit\n");
	ward_exec_result_free(&res);
	free(o.env);
	return res.exit_code;
}
