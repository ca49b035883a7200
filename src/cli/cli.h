/* The ward command: one function per subcommand. */
#ifndef WARD_CLI_H
#define WARD_CLI_H

#include "ward.h"

/* Exit codes of ward's own failures, as docker run has them. */
#define EXIT_WARD 125

int cmd_run(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_image(int argc, char **argv);

/* "ward: <msg>" on stderr. */
void cli_error(const struct ward_error *e);
/* Write S as a JSON string literal. */
void json_print_string(FILE *f, const char *s);

#endif
