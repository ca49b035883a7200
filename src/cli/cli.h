/* The ward command: one function per subcommand. */
#ifndef WARD_CLI_H
#define WARD_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "spec.h"

/* Exit codes of ward's own failures, as docker run has them. */
#define EXIT_WARD 125

struct ward_image;

/* What the options say that only an image can complete. */
struct run_args {
	bool json;
	bool create;              /* parsing for ward create */
	const char *image;        /* IMAGE as given, NULL with --rootfs */
	const char *name;         /* create --name */
	bool persistent;          /* create --persistent */
	const char *user;         /* -u, resolved once the root is known */
	const char *entrypoint;   /* --entrypoint */
	const char *user_id_from; /* "SANDBOX_USER_ID" or "--user-id", whichever set it last */
	size_t n_default_env;     /* env entries that are ward's defaults, not the caller's */
};

/* ward run's options (and ward create's, with ra->create) into S. Returns 0 to go on, 1
 * when help was printed, -1 on a bad option (e is set). */
int run_parse(struct ward_spec *s, int argc, char **argv, struct run_args *ra,
              struct ward_image *img, struct ward_error *e);

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
/* Write S as a JSON string literal. */
void json_print_string(FILE *f, const char *s);

#endif
