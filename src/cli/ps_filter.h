/* ward ps --filter: which sandboxes a listing shows. */
#ifndef WARD_CLI_PS_FILTER_H
#define WARD_CLI_PS_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "ward/ward.h"

enum { PS_LABEL, PS_NAME, PS_STATUS, PS_ID, PS_KEYS };
#define PS_MAX_FILTERS 32

struct ps_filter {
	int key;
	const char *value; /* in argv */
};

struct ps_filters {
	struct ps_filter v[PS_MAX_FILTERS];
	size_t n;
	bool any_status; /* a status filter shows stopped ones without -a, as docker */
};

/* KEY=VALUE into F; -1 with E naming it when malformed. */
int ps_filter_add(struct ps_filters *f, const char *arg, struct ward_error *e);
bool ps_filter_match(const struct ps_filters *f, const struct ward_sandbox_info *r);

#endif
