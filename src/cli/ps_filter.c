/* ward ps --filter KEY=VALUE: the same key twice, either matches; different keys, all must. */
#include <stdlib.h>
#include <string.h>

#include "ps_filter.h"

static const char *const keys[] = {"label", "name", "status", "id"};
static const char *const statuses[] = {"created", "running", "paused", "stopped"};

int ps_filter_add(struct ps_filters *f, const char *arg, struct ward_error *e)
{
	const char *eq = strchr(arg, '=');
	if (f->n == PS_MAX_FILTERS)
		return ward_error_set(e, 0, "ps --filter %s: at most %d filters", arg,
		                      PS_MAX_FILTERS);
	for (int k = 0; eq && k < PS_KEYS; k++) {
		if (strlen(keys[k]) != (size_t)(eq - arg) || strncmp(arg, keys[k], eq - arg))
			continue;
		const char *v = eq + 1;
		if (!*v)
			break;
		if (k == PS_STATUS) {
			size_t i = 0;
			while (i < 4 && strcmp(v, statuses[i]) != 0)
				i++;
			if (i == 4)
				return ward_error_set(e, 0,
				                      "ps --filter %s: status is one of created, "
				                      "running, paused, stopped",
				                      arg);
			f->any_status = true;
		}
		f->v[f->n++] = (struct ps_filter){k, v};
		return 0;
	}
	return ward_error_set(e, 0,
	                      "ps --filter %s: expected label=K[=V], name=SUBSTRING, "
	                      "status=created|running|paused|stopped or id=PREFIX",
	                      arg);
}

static bool match_one(const struct ps_filter *f, const struct ward_sandbox_info *r)
{
	switch (f->key) {
	case PS_LABEL: {
		const char *eq = strchr(f->value, '=');
		size_t klen = eq ? (size_t)(eq - f->value) : strlen(f->value);
		char key[256];
		if (klen >= sizeof(key))
			return false;
		memcpy(key, f->value, klen);
		key[klen] = 0;
		const char *have = ward_sandbox_info_label(r, key);
		return have && (!eq || !strcmp(have, eq + 1));
	}
	case PS_NAME:
		return strstr(r->name, f->value) != NULL;
	case PS_STATUS:
		return !strcmp(ward_sandbox_status_name(r->status), f->value);
	default:
		return !strncmp(r->id, f->value, strlen(f->value));
	}
}

bool ps_filter_match(const struct ps_filters *f, const struct ward_sandbox_info *r)
{
	for (int k = 0; k < PS_KEYS; k++) {
		bool given = false, hit = false;
		for (size_t i = 0; i < f->n; i++)
			if (f->v[i].key == k) {
				given = true;
				hit = hit || match_one(&f->v[i], r);
			}
		if (given && !hit)
			return false;
	}
	return true;
}
