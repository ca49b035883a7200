/* cgroup interface files and the sandboxes' directories, for cgroup.c and its backends
 * (and for removing a dead sandbox's cgroups by the paths its record kept). */
#ifndef WARD_CGROUP_UTIL_H
#define WARD_CGROUP_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "ward/error.h"

/* v2: the sandbox's processes live in this child of the cgroup that holds the limits, so
 * the limits sit above its cgroup namespace, where it cannot reach them. */
#define CGROUP_SANDBOX_LEAF "sandbox"

int cg_write(const char *dir, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Value of KEY in a "key value" file, or of the first number in the file when KEY is NULL. */
int cg_read_u64(const char *dir, const char *file, const char *key, uint64_t *out);
/* PARENT/<supervisor pid>, after removing a stale one of the same name. */
int cg_make(const char *parent, char *out, size_t len, struct ward_error *e);
/* Kill every process still inside DIR (and its sandbox leaf), then remove it. */
int cg_remove(const char *dir);
/* v2: freeze (ON) or thaw DIR and its subtree, returning once cgroup.events says so. */
int cg_freeze_v2(const char *dir, bool on, struct ward_error *e);
/* Remove PARENT's cgroups whose supervisors are gone. */
void cg_sweep(const char *parent);

#endif
