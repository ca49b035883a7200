/* ward exec, supervisor side: one command started inside a running sandbox. */
#ifndef WARD_EXEC_H
#define WARD_EXEC_H

#include "launch.h"

struct exec_job {
	pid_t pid;  /* host pid; also its process group */
	int pidfd;  /* the supervisor is its parent: waitid(P_PIDFD) gives its status */
	int sock;   /* reports of a failed setup or execve; end of stream once it runs */
	int master; /* pty master with -t, else -1 */
};

/* Start X (the sandbox's spec with the exec's command, environment, user, directory and
 * terminal) in the sandbox of R, with STDIO as fds 0-2 (ignored with a terminal). */
int exec_spawn(const struct run *r, const struct ward_spec *x, const int stdio[3],
               struct exec_job *job, struct ward_error *e);
void exec_job_close(struct exec_job *job);

#endif
