/* The ward command: one function per subcommand. */
#ifndef WARD_CLI_H
#define WARD_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "ward/ward.h"

/* Exit codes of ward's own failures, as docker run has them. */
#define EXIT_WARD 125

/* What ward run's options say beyond the spec. */
struct run_args {
	bool json;
	bool create;            /* parsing for ward create */
	bool tty;               /* -t */
	const char *image;      /* IMAGE as given, NULL with --rootfs */
	const char *rootfs;     /* --rootfs */
	const char *entrypoint; /* --entrypoint */
};

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
int cmd_cp(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_write(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_port(int argc, char **argv);
int cmd_network(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_image(int argc, char **argv);

/* "ward: <msg>" on stderr. */
void cli_error(const struct ward_error *e);
/* The context every command uses: $WARD_STATE_DIR, $WARD_STORE and $WARD_POLICY_DIR mapped
 * onto it, warnings printed, notes and progress too unless QUIET (then only warnings). */
struct ward_context *cli_context(bool quiet);
/* The image store of cli_context(QUIET), opened once; NULL with E set on failure. */
struct ward_store *cli_store(bool quiet, struct ward_error *e);
/* Write S as a JSON string literal. */
void json_print_string(FILE *f, const char *s);

#endif
