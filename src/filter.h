/* Seccomp filters: compiled from a policy file, cached, loaded into the workload. */
#ifndef WARD_FILTER_H
#define WARD_FILTER_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

/* A policy compiles to at most two stacked programs: the main one and an overlay holding
 * conditional rules stricter than an unconditional rule of the same syscall (libseccomp
 * lets the unconditional rule win; the kernel applies the stricter of two filters). A
 * third, the set-id ban (filter_setid.c), is stacked when the sandbox has a rw volume. */
struct ward_filter {
	struct sock_filter *prog[3];
	unsigned short len[3];
};

void filter_free(struct ward_filter *f);

/* Compile policy TEXT (ORIGIN names it in errors) for a workload whose capability set is
 * CAPS. */
int filter_compile(const char *text, size_t len, const char *origin, uint64_t caps,
                   struct ward_filter *f, struct ward_error *e);

/* The set-id ban: refuses set-id modes in chmod, open, mknod and mkdir calls, and the calls
 * that would get around it (openat2, io_uring, mounts). */
int filter_setid(struct sock_filter **prog, unsigned short *len);

/* Does spec S get the set-id ban? (Any rw volume, unless allowed.) */
bool filter_wants_setid_ban(const struct ward_spec *s);

/* The filter of spec S: from the cache when this policy, capability set, kernel and
 * libseccomp were compiled before, otherwise compiled and stored; with the set-id ban when S wants
 * it. Empty when unconfined. */
int filter_prepare(const struct ward_context *c, const struct ward_spec *s, struct ward_filter *f,
                   struct ward_error *e);

/* Child side: install the programs; no_new_privs must already be set, or (--allow-setuid)
 * CAP_SYS_ADMIN held in the current user namespace. */
int filter_load(const struct ward_filter *f);

#endif
