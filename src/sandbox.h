/* Persistent sandboxes (ward create, exec, ps, inspect, stop, rm, logs, cp, read, write).
 * No daemon: each sandbox has its own supervisor, a detached fork of the ward create that
 * made it; every other command finds it through the state root (state.h) and talks to it
 * over its control socket. */
#ifndef WARD_SANDBOX_H
#define WARD_SANDBOX_H

#include <pthread.h>

#include "state.h"
#include "spec.h"

/* The handle behind ward/sandbox.h: a sandbox resolved once, by id. */
struct ward_sandbox {
	struct ward_context *ctx;
	char id[STATE_ID_LEN + 1];
	char *ref; /* as the caller named it, for messages */
};

/* A handle for ID (REF: as the caller named it). */
int sandbox_handle(struct ward_context *c, const char *id, const char *ref,
                   struct ward_sandbox **out, struct ward_error *e);

/* Start S (prepared, resident) under a supervisor of its own and return once init is
 * ready: ID gets the new sandbox's id, or with s->persistent and s->name, the id of the
 * running sandbox of that name and spec (*reused set). */
int sandbox_create_start(const struct ward_context *c, const struct ward_spec *s,
                         char id[STATE_ID_LEN + 1], bool *reused, struct ward_error *e);
/* Reserve a sandbox for S (prepared, resident) with its config, status created: no
 * supervisor until sandbox_start_existing. */
int sandbox_define(const struct ward_context *c, const struct ward_spec *s,
                   char id[STATE_ID_LEN + 1], struct ward_error *e);
/* Start ID (created or stopped) from S, its config read back, with its saved writable layer.
 * 0 once ready; 1 when it runs already (or another call is starting it); -1 with e set, the
 * sandbox left as it was. */
int sandbox_start_existing(const struct ward_context *c, const char *id, struct ward_spec *s,
                           struct ward_error *e);

/* A TTY exec's terminal size, set before or while it runs (ward_exec_resize from another
 * thread): MASTER is the pty while the relay holds it, else -1. */
struct exec_winsize {
	pthread_mutex_t mu;
	int master;
	unsigned short rows, cols; /* 0: the caller's terminal's */
};

struct ward_exec_opts {
	char **argv;
	char **env;       /* K=V over the sandbox's environment, may be NULL */
	const char *cwd;  /* NULL: the sandbox's */
	const char *user; /* U[:G], NULL: the sandbox's */
	bool tty, interactive;
	unsigned timeout_s;
	int stdio[3];                 /* fds the command gets (a terminal replaces them with tty) */
	int capture[2];               /* read ends to drain while waiting, or -1 */
	size_t max_output;            /* bytes kept of each captured stream */
	struct exec_winsize *winsize; /* may be NULL */
};

/* Run a command in SB and wait for it. -1 when ward could not start it (e says why;
 * res->exit_code is 125, 126 or 127). */
int sb_exec(const struct ward_sandbox *sb, const struct ward_exec_opts *o,
            struct ward_exec_result *res, struct ward_error *e);

/* Stop SB: SIGTERM to everything inside, SIGKILL after GRACE_S seconds (0: at once). */
int sb_stop(const struct ward_sandbox *sb, unsigned grace_s, struct ward_error *e);
/* SIGKILL: as sb_stop at once. Another signal goes to init only, answered at once. */
int sb_kill(const struct ward_sandbox *sb, int sig, struct ward_error *e);
/* Remove SB; FORCE kills it first when it runs. */
int sb_rm(const struct ward_sandbox *sb, bool force, struct ward_error *e);
/* Until SB has stopped: its exit code, from its supervisor or its kept record. */
int sb_wait(const struct ward_sandbox *sb, int *exit_code, struct ward_error *e);

/* SB's writable layer as it is now, written by its supervisor to OUT (layer.h's format). */
int sb_layer(const struct ward_sandbox *sb, int out, struct ward_error *e);
/* The main command's terminal size (refused without one). */
int sb_resize(const struct ward_sandbox *sb, unsigned rows, unsigned cols, struct ward_error *e);
/* Freeze (ON) or thaw SB's processes. */
int sb_pause(const struct ward_sandbox *sb, bool on, struct ward_error *e);
/* *FD: a connection to SB's supervisor that becomes readable (an answer or its end) once SB
 * has stopped; -1 when SB does not run. */
int sb_wait_conn(const struct ward_sandbox *sb, int *fd, struct ward_error *e);

/* Give SB egress, or take it away, while it runs; its loopback and published ports stay. */
int sb_network(const struct ward_sandbox *sb, bool egress, struct ward_error *e);

/* The sandbox's root as an O_PATH fd, the host ids of its root user (for files made there
 * by a root caller), its --disk size (0: none; DISK may be NULL) and its working directory
 * (malloc'ed; CWD may be NULL). */
int sb_root(const struct ward_sandbox *sb, int *rootfd, uid_t *uid, gid_t *gid, uint64_t *disk,
            char **cwd, struct ward_error *e);

/* Supervisor side, in the fork a start made: never returns. FRESH: a new sandbox (removed if
 * the start fails; otherwise the record is put back as it was). */
__attribute__((noreturn)) void sandbox_supervise(const struct ward_spec *s, struct state *st,
                                                 int dirfd, int lockfd, struct sandbox_record *rec,
                                                 int ready, bool fresh);

#endif
