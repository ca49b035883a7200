/* The server's libward context and store, made from its settings (the CLI's environment
 * variables), and its log: "ward serve: ..." lines on stderr. */
#include <stdio.h>
#include <stdlib.h>

#include "context.h"

static void print_log(enum ward_log_level level, const char *msg, void *arg)
{
	(void)arg;
	if (level == WARD_LOG_PROGRESS)
		return;
	fprintf(stderr, "ward serve: %s%s\n", level == WARD_LOG_WARNING ? "warning: " : "", msg);
}

void serve_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ward serve: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void serve_settings_from_env(struct serve *srv)
{
	const char *v;
	srv->state_dir = (v = getenv("WARD_STATE_DIR")) && *v ? v : NULL;
	srv->store_dir = (v = getenv("WARD_STORE")) && *v ? v : NULL;
	srv->policy_dir = (v = getenv("WARD_POLICY_DIR")) && *v ? v : NULL;
}

int serve_open(struct serve *srv, struct ward_error *e)
{
	struct ward_context *c = NULL;
	if (ward_context_new(&c, e) < 0)
		return -1;
	if ((srv->state_dir && ward_context_set_state_dir(c, srv->state_dir, e) < 0) ||
	    (srv->store_dir && ward_context_set_store_dir(c, srv->store_dir, e) < 0) ||
	    (srv->policy_dir && ward_context_set_policy_dir(c, srv->policy_dir, e) < 0)) {
		ward_context_free(c);
		return -1;
	}
	ward_context_set_log(c, print_log, NULL);
	struct ward_store *st = NULL;
	if (ward_store_open(c, &st, e) < 0) {
		ward_context_free(c);
		return -1;
	}
	srv->ctx = c;
	srv->store = st;
	return 0;
}
