/* Child side of a start: everything between clone3 and the init. */
#ifndef WARD_CHILD_H
#define WARD_CHILD_H

#include "filter.h"
#include "spec.h"

/* Never returns. SOCK is the child's end of the sync socket, ROOTDIRFD the supervisor's
 * O_PATH fd of the root filesystem directory. */
__attribute__((noreturn)) void child_main(const struct ward_spec *s, const struct ward_filter *f,
                                          int *volfds, int sock, int rootdirfd);

/* Bring up lo in the current network namespace (a new one has it down). */
int loopback_up(struct ward_error *e);

#endif
