/* ward exec, supervisor side: one command started inside a running sandbox. */
#ifndef WARD_EXEC_H
#define WARD_EXEC_H

#include "launch.h"

struct exec_job {
	pid_t pid;       /* host pid; also its process group */
	int pidfd;       /* the supervisor is its parent: waitid(P_PIDFD) gives its status */
	int sock;        /* reports of a failed setup or execve; end of stream once it runs */
	int master;      /* pty master with -t, else -1 */
	bool failed;     /* FAIL holds the first failure reported, by the helper or the command */
	struct msg fail; /* (a fast command's failed execve can arrive before its pid) */
};

/* A report read from the job's socket: kept in JOB when it is the first failure. */
void exec_job_note(struct exec_job *job, const struct msg *m);

/* Start X (the sandbox's spec with the exec's command, environment, user, directory and
 * terminal) in the sandbox of R, with STDIO as fds 0-2 (ignored with a terminal). */
int exec_spawn(const struct run *r, const struct ward_spec *x, const int stdio[3],
               struct exec_job *job, struct ward_error *e);
void exec_job_close(struct exec_job *job);

/* exec_request.c: the request Q over the sandbox's spec S → X (argv, env, cwd owned by X;
 * free with exec_spec_free) and its timeout in seconds. -1 with e set when Q is bad. */
typedef struct json_t json_t;
int exec_spec_from_json(const struct ward_spec *s, json_t *q, struct ward_spec *x,
                        unsigned *timeout, struct ward_error *e);
void exec_spec_free(struct ward_spec *x);

#endif
