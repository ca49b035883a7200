/* ward/run.h: one-shot sandboxes: start, wait, read the result. */
#ifndef WARD_RUN_H
#define WARD_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ward/context.h"
#include "ward/error.h"

#define WARD_MAX_PUBLISH 32

/* One published port: the host listens on ADDR:HOST_PORT and forwards each TCP connection
 * to PORT in the sandbox. */
struct ward_publish {
	char addr[48];      /* numeric host address ("127.0.0.1", "::1") */
	uint16_t host_port; /* the bound port (a free one when 0 was asked) */
	uint16_t port;      /* inside the sandbox */
};

enum ward_reason {
	WARD_EXITED,
	WARD_SIGNALED,
	WARD_TIMEOUT,
	WARD_OOM,
	WARD_SETUP_ERROR,
	WARD_CANCELED, /* ward_run_cancel */
};
const char *ward_reason_name(enum ward_reason r);

struct ward_result {
	enum ward_reason reason;
	int exit_code; /* shell convention: status, 128+signal, or 125/126/127 */
	int signal;    /* signal that ended the workload, 0 if none */
	uint64_t duration_ms;
	/* from the sandbox's cgroup, when it had one */
	bool have_usage;
	uint64_t oom_kills;       /* processes killed by the memory limit */
	uint64_t pids_limit_hits; /* forks refused by the pids limit */
	uint64_t memory_peak;     /* bytes, 0 if the kernel does not say */
	uint64_t cpu_usec;        /* CPU time used by the whole sandbox */
	uint64_t memory_limit;    /* the limits it ran under (0: none), for messages */
	uint64_t pids_limit;
	unsigned timeout_s;
	char limits_note[160]; /* how limits were applied when not by cgroups, else empty */
	struct ward_publish ports[WARD_MAX_PUBLISH]; /* the spec's, with the bound host ports */
	size_t n_ports;
};

/* The result as one JSON object (exitCode, signal, reason, durationMs, usage, limits,
 * ports; "error": E's message when FAILED), malloc'ed, or NULL without memory. */
char *ward_result_json(const struct ward_result *res, const struct ward_error *e, bool failed);

struct ward_spec;
struct ward_run;

/* Start the sandbox and wait for it: ward_run_start + ward_run_wait. Returns -1 only when
 * ward itself failed before or while starting; then e says what and res->reason is
 * WARD_SETUP_ERROR. Errors of the workload's command (not found, not executable) are setup
 * errors with exit code 127/126. */
int ward_run(struct ward_context *c, struct ward_spec *s, struct ward_result *res,
             struct ward_error *e);

/* Start it; on success *out is running (its init has its GO) and must be waited for. On -1
 * res holds the setup error's result and nothing is left on the host. */
int ward_run_start(struct ward_context *c, struct ward_spec *s, struct ward_run **out,
                   struct ward_result *res, struct ward_error *e);
/* The sandbox's init as the host sees it. */
pid_t ward_run_pid(const struct ward_run *r);
/* Its published ports with the bound host ports; returns how many. */
size_t ward_run_ports(const struct ward_run *r, struct ward_publish *out, size_t max);
/* Kill the whole sandbox; its result says WARD_CANCELED. Async-signal-safe, and callable
 * from another thread while ward_run_wait runs. */
void ward_run_cancel(struct ward_run *r);
/* Relay signals and the terminal until it ends, fill *res, release everything and free R. */
int ward_run_wait(struct ward_run *r, struct ward_result *res, struct ward_error *e);

#endif
