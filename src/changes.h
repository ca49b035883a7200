/* --changes: what the workload changed in overlay volumes, exported as one tar layer. */
#ifndef WARD_CHANGES_H
#define WARD_CHANGES_H

#include "spec.h"

/* Supervisor, before the start: create the output file (so a bad path fails early). */
int changes_open(const struct ward_spec *s, struct ward_error *e);

/* Supervisor, after the sandbox ended: walk each overlay volume's upper layer (UPPERS[i],
 * -1 when none) as root of the sandbox's user namespace USERNS, and write one tar to OUT,
 * paths relative to the sandbox's /, deletions as OCI whiteouts. */
int changes_export(const struct ward_spec *s, int userns, const int *uppers, int out,
                   struct ward_error *e);

#endif
