/* ward/policy.h: seccomp policies (JSON files: ward's own format or a Docker profile). */
#ifndef WARD_POLICY_H
#define WARD_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "ward/context.h"
#include "ward/error.h"

/* A NAME is looked up in the context's policy directory, then next to the ward binary
 * (../share/ward/policies), then in the source tree ward was built from; a path is taken as
 * is. C may be NULL (the default directories). */
int ward_policy_find(const struct ward_context *c, const char *name_or_path, char *path, size_t len,
                     struct ward_error *e);
/* Calls FN for each policy name found, once per name, first directory winning. */
void ward_policy_list(const struct ward_context *c,
                      void (*fn)(const char *name, const char *path, void *arg), void *arg);
/* Parse and compile a policy for a workload with capability set CAPS (bit N = capability
 * N; ward_default_capabilities()); reports what is wrong with it (JSON error with line,
 * unknown names, actions, ops). */
int ward_policy_check(const char *path, uint64_t caps, struct ward_error *e);
/* Capabilities a workload keeps unless told otherwise. */
uint64_t ward_default_capabilities(void);

#endif
