/* What every ward command shares: the context built from the environment, error lines. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

void cli_error(const struct ward_error *e)
{
	fprintf(stderr, "ward: %s\n", e->msg);
}

static bool quiet_log;
static bool progress_shown; /* a progress line is on the terminal, not ended */

static void print_log(enum ward_log_level level, const char *msg, void *arg)
{
	(void)arg;
	bool tty = isatty(2);
	/* A note while a progress line shows: the note takes its place, the next update
	 * draws the line again below it. */
	if (progress_shown && level != WARD_LOG_PROGRESS &&
	    (level == WARD_LOG_WARNING || !quiet_log)) {
		fputs("\r\033[K", stderr);
		progress_shown = false;
	}
	if (level == WARD_LOG_WARNING)
		fprintf(stderr, "ward: warning: %s\n", msg);
	else if (quiet_log)
		return;
	else if (level == WARD_LOG_NOTE)
		fprintf(stderr, "ward: %s\n", msg);
	else if (tty) { /* progress: one line that replaces itself */
		/* Cut to the terminal's width: a wrapped line would not be replaced. */
		struct winsize ws;
		int w = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 8 ? ws.ws_col - 7 : 200;
		fprintf(stderr, "\r\033[K%s%.*s", *msg ? "ward: " : "", w, msg);
		progress_shown = *msg;
	}
}

static int from_env(struct ward_context *c, const char *var,
                    int (*set)(struct ward_context *, const char *, struct ward_error *))
{
	const char *v = getenv(var);
	struct ward_error e = {0};
	if (!v || !*v || set(c, v, &e) == 0)
		return 0;
	fprintf(stderr, "ward: %s: %s\n", var, e.msg);
	return -1;
}

struct ward_context *cli_context(bool quiet)
{
	static struct ward_context *ctx;
	quiet_log = quiet;
	if (ctx)
		return ctx;
	struct ward_error e = {0};
	if (ward_context_new(&ctx, &e) < 0) {
		cli_error(&e);
		exit(EXIT_WARD);
	}
	if (from_env(ctx, "WARD_STATE_DIR", ward_context_set_state_dir) < 0 ||
	    from_env(ctx, "WARD_STORE", ward_context_set_store_dir) < 0 ||
	    from_env(ctx, "WARD_POLICY_DIR", ward_context_set_policy_dir) < 0)
		exit(EXIT_WARD);
	ward_context_set_log(ctx, print_log, NULL);
	return ctx;
}

struct ward_store *cli_store(bool quiet, struct ward_error *e)
{
	static struct ward_store *st;
	struct ward_context *c = cli_context(quiet);
	if (!st && ward_store_open(c, &st, e) < 0)
		return NULL;
	return st;
}
