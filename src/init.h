/* PID 1 of the sandbox. */
#ifndef WARD_INIT_H
#define WARD_INIT_H

#include "filter.h"
#include "spec.h"

/* Never returns. Starts the workload, reaps every child, forwards signals to the workload,
 * reports its wait status over SOCK and exits with its code. */
__attribute__((noreturn)) void init_run(const struct ward_spec *s, const struct ward_filter *f,
                                        int sock);

#endif
