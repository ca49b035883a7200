/* The context behind ward/context.h: the directories the caller chose and its log. */
#ifndef WARD_CONTEXT_INTERNAL_H
#define WARD_CONTEXT_INTERNAL_H

#include "ward/context.h"

struct ward_context {
	char *state_dir;  /* NULL: userdir.h's choice */
	char *store_dir;  /* NULL: userdir.h's choice */
	char *policy_dir; /* NULL: only the built-in places */
	ward_log_fn log;
	void *log_arg;
};

/* One line to C's log function (C may be NULL: dropped). */
void context_log(const struct ward_context *c, enum ward_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
