/* ward_context: settings a front end gives once instead of environment variables read deep
 * inside the library. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "strv.h"
#include "ward/error.h"

int ward_context_new(struct ward_context **out, struct ward_error *e)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return ward_error_set(e, ENOMEM, "context");
	return 0;
}

void ward_context_free(struct ward_context *c)
{
	if (!c)
		return;
	free(c->state_dir);
	free(c->store_dir);
	free(c->policy_dir);
	free(c);
}

static int set_dir(char **field, const char *dir, const char *what, struct ward_error *e)
{
	if (dir && dir[0] != '/')
		return ward_error_set(e, 0, "%s %s: must be an absolute path", what, dir);
	return str_replace(field, dir, what, e);
}

int ward_context_set_state_dir(struct ward_context *c, const char *dir, struct ward_error *e)
{
	return set_dir(&c->state_dir, dir, "state directory", e);
}

int ward_context_set_store_dir(struct ward_context *c, const char *dir, struct ward_error *e)
{
	return set_dir(&c->store_dir, dir, "image store", e);
}

int ward_context_set_policy_dir(struct ward_context *c, const char *dir, struct ward_error *e)
{
	return set_dir(&c->policy_dir, dir, "policy directory", e);
}

void ward_context_set_log(struct ward_context *c, ward_log_fn fn, void *arg)
{
	c->log = fn;
	c->log_arg = arg;
}

void context_log(const struct ward_context *c, enum ward_log_level level, const char *fmt, ...)
{
	if (!c || !c->log)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->log(level, msg, c->log_arg);
}
