/* Child side: turn the current process into the workload. */
#ifndef WARD_WORKLOAD_H
#define WARD_WORKLOAD_H

#include "filter.h"
#include "spec.h"

/* Never returns: execs the workload or reports over SOCK (msg_fail_exit) and exits
 * (126/127 for exec failures, 125 for setup). TTY is the terminal for stdio, or -1. Safe
 * after vfork: nothing is allocated. */
__attribute__((noreturn)) void workload_exec(const struct ward_spec *s, const struct ward_filter *f,
                                             int sock, int tty);

/* A terminal from the sandbox's devpts (call inside its mount namespace): the master goes
 * to the supervisor over SOCK, the peer is returned; -1 with E filled. Not INTERACTIVE, the
 * caller's terminal stays cooked and makes LF CR LF itself: the pty leaves LF alone. */
int workload_open_tty(int sock, bool interactive, struct ward_error *e);

/* For a workload that keeps CAP_SYS_ADMIN: start it in a nested user namespace (same ids)
 * with copies of the mount and UTS namespaces, so that every mount ward made is locked.
 * FLAGS are added to the clone (CLONE_PARENT for exec); PIDFD, if not NULL, gets its pidfd.
 * Returns its pid, or -1 with E filled. */
pid_t workload_spawn_locked(const struct ward_spec *s, const struct ward_filter *f, int sock,
                            int tty, uint64_t flags, int *pidfd, struct ward_error *e);

#endif
