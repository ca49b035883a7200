/* PID 1 of the sandbox. */
#ifndef WARD_INIT_H
#define WARD_INIT_H

#include "filter.h"
#include "spec.h"

/* Starts the workload, reaps every child, forwards signals to the workload, reports its
 * wait status over SOCK and exits with its code. Returns only when its own setup failed:
 * -1 with E filled (the caller reports it). */
int init_run(const struct ward_spec *s, const struct ward_filter *f, int sock,
             struct ward_error *e);

#endif
