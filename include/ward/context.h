/* ward/context.h: where libward keeps its state and whom it tells what it is doing. Every
 * call that touches the state root, the image store or the policy directory takes one. */
#ifndef WARD_CONTEXT_H
#define WARD_CONTEXT_H

#include "ward/error.h"

struct ward_context;

enum ward_log_level {
	WARD_LOG_WARNING,  /* something the caller should know: a loud opt-out, a skipped dir */
	WARD_LOG_NOTE,     /* information: a port the host chose, a layer already present */
	WARD_LOG_PROGRESS, /* a progress line that replaces the previous one ("" ends it) */
};

/* Called with one line, without a "ward: " prefix or newline. The library never writes to
 * stdout or stderr itself; without a log function, nothing is reported. Progress of an
 * unpack comes from a thread of the caller's process that ward starts for the unpack (the
 * call that started it waits), so FN must be safe to call from another thread. */
typedef void (*ward_log_fn)(enum ward_log_level level, const char *msg, void *arg);

/* A context with the defaults: state root, store and policy directories chosen per caller
 * (see README: "Where ward keeps things"), no log function. */
int ward_context_new(struct ward_context **out, struct ward_error *e);
void ward_context_free(struct ward_context *c);

/* Override where persistent sandboxes' state lives (the CLI maps $WARD_STATE_DIR here). The
 * directory must be the caller's and closed to others. NULL restores the default. */
int ward_context_set_state_dir(struct ward_context *c, const char *dir, struct ward_error *e);
/* Override the image store (an OCI layout; the CLI maps $WARD_STORE here). */
int ward_context_set_store_dir(struct ward_context *c, const char *dir, struct ward_error *e);
/* A directory searched first for policies named without a path ($WARD_POLICY_DIR). */
int ward_context_set_policy_dir(struct ward_context *c, const char *dir, struct ward_error *e);
void ward_context_set_log(struct ward_context *c, ward_log_fn fn, void *arg);

#endif
