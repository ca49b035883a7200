/* The server's settings, context and log (context.c). */
#ifndef WARD_SERVE_CONTEXT_H
#define WARD_SERVE_CONTEXT_H

#include <stdarg.h>

#include "serve.h"

/* state_dir, store_dir, policy_dir from WARD_STATE_DIR, WARD_STORE, WARD_POLICY_DIR. */
void serve_settings_from_env(struct serve *srv);
/* A fresh ctx and store from SRV's settings, into SRV. */
int serve_open(struct serve *srv, struct ward_error *e);
/* "ward serve: ..." on stderr. */
void serve_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
