/* Child side: turn the current process into the workload. */
#ifndef WARD_WORKLOAD_H
#define WARD_WORKLOAD_H

#include "filter.h"
#include "ward.h"

/* Never returns: execs the workload or reports over SOCK and exits (126/127 for exec
 * failures, 125 for setup). TTY is the terminal for stdio, or -1. */
__attribute__((noreturn)) void workload_exec(const struct ward_spec *s, const struct ward_filter *f,
                                             int sock, int tty);

#endif
