/* Filling struct ward_error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sys.h"
#include "spec.h"

int ward_error_set(struct ward_error *e, int err, const char *fmt, ...)
{
	if (!e)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (err && n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", strerror(err));
	e->err = err;
	return -1;
}

int ward_error_prefix(struct ward_error *e, const char *fmt, ...)
{
	if (!e)
		return -1;
	char prefix[256], msg[sizeof(e->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(msg, e->msg, sizeof(msg));
	size_t n = strlen(prefix);
	/* The message so far goes after "prefix: ", cut if the whole does not fit. */
	snprintf(e->msg, sizeof(e->msg), "%s: ", prefix);
	if (n + 2 < sizeof(e->msg))
		memcpy(e->msg + n + 2, msg, sizeof(e->msg) - n - 2);
	e->msg[sizeof(e->msg) - 1] = 0;
	return -1;
}
