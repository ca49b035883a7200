/* ward oci / ward-runc: runc's command line over ward/container.h. Private to the CLI. */
#ifndef WARD_CLI_OCI_H
#define WARD_CLI_OCI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ward/container.h"
#include "ward/context.h"
#include "ward/error.h"
#include "ward/spec.h"

/* The global options, before the command. */
struct oci_globals {
	const char *prog;     /* "ward-runc" or "ward oci": the prefix of every error line */
	const char *root;     /* --root: containers' records live in ROOT/ID */
	const char *log_path; /* --log: errors (and warnings, debug) appended there too */
	bool log_json;        /* --log-format json */
	bool debug;           /* --debug */
	bool harden;          /* called as ward-runc-hardened: run.ward.harden for every one */
};
extern struct oci_globals oci_g;

/* One command's option table: getopt_long_only over OPTS (bool options have an optional
 * value: --detach=false), --help added. */
struct oci_cmd {
	const char *name;
	const char *usage;
	const struct option *opts;
	bool stop_at_operand; /* exec, ps: what follows the id is the command's */
};
enum { OCI_DONE = -1, OCI_HELP = -2, OCI_BAD = -3 };
/* The next option's value (its table index in *IDX), OCI_DONE (optind: the first operand),
 * OCI_HELP once the usage is printed, OCI_BAD once the error is reported. */
int oci_next(const struct oci_cmd *c, int argc, char **argv, int *idx);
/* A bool option's value: true unless given as =false or =0. */
bool oci_bool(const char *optarg_value);
/* After the options: exactly one operand, a valid id, into *ID; else reported, -1. */
int oci_one_id(const struct oci_cmd *c, int argc, char **argv, const char **id);
/* The id's shape (runc's: [A-Za-z0-9_.+-], not "." or ".."), else reported, -1. */
int oci_check_id(const char *id);

/* "PROG: MSG" on stderr and an error line in the log; returns 1 (runc's failure status). */
int oci_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The library's error E after WHAT ("create ID"). */
int oci_fail_e(const char *what, const struct ward_error *e);
/* A debug line in the log (or on stderr without --log), with --debug only. */
void oci_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The library's warnings and notes, to the log (warnings also on stderr without a log). */
void oci_lib_log(enum ward_log_level level, const char *msg, void *arg);

/* ROOT/ID in OUT, ROOT made 0700 when missing (MAKE_ROOT); -1 reported. */
int oci_state_dir(const char *id, bool make_root, char *out, size_t len);
/* Whether the container's record exists (else reported "does not exist" unless QUIET). */
int oci_exists(const char *id, const char *dir, bool quiet);
/* The container's state as JSON (NULL once reported). */
json_t *oci_state_json(const char *id, const char *dir);
/* The log file's fd once opened (-1 before). */
int oci_log_fd(void);
/* Close every fd from FIRST up (what an engine leaks: the shim's ttrpc socket) but the log
 * file's. */
void oci_close_fds(unsigned first);
/* The context for the library's calls (log function installed). */
struct ward_context *oci_context(void);
/* A signal by name (KILL, SIGKILL) or number; -1 when unknown. */
int oci_signal(const char *text);
/* A size with runc's suffixes (k, m, g, t, p; b, kb, KiB...), -1 allowed when NEG_OK; -1
 * once reported. */
int oci_size(const char *opt, const char *text, bool neg_ok, long long *out);
/* A whole file (or stdin for "-") as text (malloc'd), NULL once reported. */
char *oci_read_file(const char *path);
/* J (stolen) printed on stdout indented by INDENT with a newline; 0 or 1. */
int oci_print_json(json_t *j, int indent);

/* run's own console socket, when the process has a terminal and none is given. */
struct oci_console {
	char dir[80], path[108]; /* path fits sun_path */
	int fd;
};
int oci_console_listen(struct oci_console *c);
void oci_console_close(struct oci_console *c);
/* The pty master the library sent to it during create (the socket removed); -1 reported. */
int oci_console_master(struct oci_console *c);
/* Proxy our stdio to MASTER (our terminal raw, its size followed) and forward signals to
 * PID until it ends; its status as a shell gives it. Closes MASTER. */
int oci_console_proxy(int master, pid_t pid);

int oci_cmd_create(int argc, char **argv);
int oci_cmd_run(int argc, char **argv);
int oci_cmd_start(int argc, char **argv);
int oci_cmd_state(int argc, char **argv);
int oci_cmd_kill(int argc, char **argv);
int oci_cmd_delete(int argc, char **argv);
int oci_cmd_list(int argc, char **argv);
int oci_cmd_ps(int argc, char **argv);
int oci_cmd_exec(int argc, char **argv);
int oci_cmd_pause(int argc, char **argv);
int oci_cmd_resume(int argc, char **argv);
int oci_cmd_update(int argc, char **argv);
int oci_cmd_features(int argc, char **argv);
int oci_cmd_spec(int argc, char **argv);

/* ward oci ARGS (PROG "ward oci") or ward-runc ARGS (PROG "ward-runc"): ARGV[0] is the
 * program, the global options follow. */
int oci_main(const char *prog, int argc, char **argv);
/* ward oci ...: ARGV[0] is "oci". */
int cmd_oci(int argc, char **argv);

#endif
