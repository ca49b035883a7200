/* One start, in pieces: ward run drives them in a row; a persistent sandbox's supervisor
 * (sandbox.c) waits in its own loop between run_start and run_end. */
#ifndef WARD_LAUNCH_H
#define WARD_LAUNCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"
#include "channel.h"
#include "filter.h"
#include "net.h"
#include "tty.h"
#include "context.h"
#include "spec.h"

struct run {
	const struct ward_context *ctx;
	const struct ward_spec *s; /* &eff once started */
	struct ward_spec eff;      /* the caller's spec with the defaults the start chose */
	int sock, pidfd, sigfd;
	pid_t pid;
	uint64_t t0;
	sigset_t oldmask;
	struct tty_relay tty;
	struct cgroup cg;
	struct net net;
	struct ward_filter filter;
	bool have_filter;
	int rootdirfd;
	int rootfd;       /* the sandbox's root (O_PATH), from init's MSG_READY; -1 before */
	int ns[NS_COUNT]; /* its namespaces (ns_names order), from init's MSG_NS; -1 before */
	bool ready;
	int *volfds;
	int *uppers;         /* overlay volumes' upper layers, for --changes */
	int userns, changes; /* for --changes: the sandbox's user namespace, the output */
	int upper;           /* keep_upper: the writable layer's upper directory, else -1 */
	bool timed_out, canceled, have_status, failed;
	int status;
	struct msg fail;
};

uint64_t now_ms(void);

/* Validate, prepare and clone; the child has its GO when this returns 0. On -1, e says why
 * and run_end(r, -1, ...) releases what was made. */
int run_start(struct run *r, const struct ward_context *c, const struct ward_spec *s,
              struct ward_result *res, struct ward_error *e);
/* One message from the child (status, failure, pty, readiness and root, upper layers). */
void run_on_message(struct run *r);
void run_kill(struct run *r);
/* Wait for the init to exit, relaying signals, the terminal and messages meanwhile; kill it
 * at DEADLINE (ms, 0: none) or when CANCELFD (-1: none) becomes readable. */
void run_supervise(struct run *r, uint64_t deadline, int cancelfd);
/* Reap the init and turn its status into the result. */
void run_collect(struct run *r, struct ward_result *res);
/* Usage, failure report and --changes when RC is 0; then close and remove everything. */
int run_end(struct run *r, int rc, struct ward_result *res, struct ward_error *e);

#endif
