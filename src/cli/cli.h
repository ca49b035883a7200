/* The ward command: one function per subcommand. */
#ifndef WARD_CLI_H
#define WARD_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "ward/ward.h"

/* Exit codes of ward's own failures, as docker run has them. */
#define EXIT_WARD 125

/* What ward run's options say beyond the spec. */
struct run_args {
	bool json;
	bool create;                   /* parsing for ward create */
	bool tty;                      /* -t */
	const char *image;             /* IMAGE as given, NULL with --rootfs */
	const char *rootfs;            /* --rootfs */
	const char *entrypoint;        /* --entrypoint */
	bool no_start;                 /* create --no-start */
	enum ward_pull_policy pull;    /* --pull */
	struct ward_registry_opts reg; /* --platform */
};

/* One subcommand's option table (opts.c parses every one the same way). */
struct cli_cmd {
	const char *name;          /* as typed after ward: "image import" */
	const char *usage;         /* what --help prints */
	const struct option *opts; /* without --help (added), ended by {0} */
	bool stop_at_operand;      /* run, create, exec: the first operand ends the options */
};

enum { CLI_DONE = -1, CLI_HELP = -2, CLI_BAD = -3 };
/* OPTS (up to MAX of them) with --help appended into OUT, and the short options they name
 * into OUT_SHORTS ("+" to stop at the first operand, ":" to tell a missing value from an
 * unknown option; room for 2 * MAX + 4 characters). Shared by ward's and ward oci's
 * parsers. Returns the entries in OUT. */
size_t cli_option_table(const struct option *opts, bool stop_at_operand, struct option *out,
                        size_t max, char *out_shorts);
/* The next option of ARGV (its getopt_long value; *IDX its table index), CLI_DONE once the
 * options end (optind: the first operand), CLI_HELP after printing the usage to stdout,
 * CLI_BAD with E naming the culprit. Options and operands mix unless stop_at_operand. */
int cli_next(const struct cli_cmd *c, int argc, char **argv, int *idx, struct ward_error *e);
/* After cli_next: between MIN and MAX (-1: no bound) operands, else E names what is missing
 * (WHAT) or the first extra one. */
int cli_operands(const struct cli_cmd *c, int argc, char **argv, int min, int max, const char *what,
                 struct ward_error *e);
/* Parse a command whose only option is --help: -1 to go on, else the exit status to return
 * (0 after the usage, EXIT_WARD after the error line). */
int cli_simple(const struct cli_cmd *c, int argc, char **argv, int min, int max, const char *what);
/* The same for a command whose only option is one flag (cli_json_opts: --json): *FLAG set
 * when it is given. */
extern const struct option cli_json_opts[];
int cli_simple_flag(const struct cli_cmd *c, int argc, char **argv, int min, int max,
                    const char *what, bool *flag);
/* -e ARG: ARG itself when it holds '=', else NAME=the caller's value in *BUF (malloc'ed),
 * or NULL when NAME is unset (nothing passed, as docker). */
const char *cli_env(const char *arg, char **buf);
/* Print J (stolen) as compact JSON and a newline on stdout; 0, or EXIT_WARD without
 * memory. _as: with jansson's FLAGS (ps and inspect indent, as the library's objects). */
int cli_json_print(json_t *j);
int cli_json_print_as(json_t *j, size_t flags);
/* The library's JSON text TEXT (freed) as a value, or null. */
json_t *cli_json_parse(char *text);
/* NAME as stored: with :latest when it names no tag. */
void cli_name_tag(const char *name, char *out, size_t len);
/* ward logs --since T: RFC 3339 time, unix seconds, or a duration before NOW_MS (30s, 10m,
 * 2h); unix milliseconds in *OUT. */
int cli_parse_since(const char *text, int64_t now_ms, int64_t *out, struct ward_error *e);
/* The usage line of a failed parse: "ward: MSG" and the exit status. */
int cli_fail(const struct ward_error *e);

/* ward run's options (and ward create's, with ra->create) into S; an image is opened into
 * *IMG. Returns 0 to go on, 1 when help was printed, -1 on a bad option (e is set). */
int run_parse(struct ward_spec *s, int argc, char **argv, struct run_args *ra,
              struct ward_image **img, struct ward_error *e);

int cmd_run(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_cp(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_write(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_port(int argc, char **argv);
int cmd_network(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_login(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_serve(int argc, char **argv);
/* --tls-verify=true|false into O. */
int cli_tls_verify(const char *v, struct ward_registry_opts *o, struct ward_error *e);

/* "ward: <msg>" on stderr. */
void cli_error(const struct ward_error *e);
/* The context every command uses: $WARD_STATE_DIR, $WARD_STORE and $WARD_POLICY_DIR mapped
 * onto it, warnings printed, notes and progress too unless QUIET (then only warnings). */
struct ward_context *cli_context(bool quiet);
/* The image store of cli_context(QUIET), opened once; NULL with E set on failure. */
struct ward_store *cli_store(bool quiet, struct ward_error *e);
/* Each of argv[FIRST..ARGC) opened and passed to FN; its ref printed when QUIET is false
 * and FN succeeds, each failure reported. Returns the exit status. */
int cli_each_sandbox(int argc, char **argv, int first, bool quiet,
                     int (*fn)(struct ward_sandbox *, void *, struct ward_error *), void *arg);

#endif
