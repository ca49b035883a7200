/* --cap-add / --cap-drop: capability names into the spec's set. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "spec.h"

/* Every capability this kernel knows. */
static uint64_t all_caps(void)
{
	unsigned last = cap_max_bits();
	return last >= 64 ? ~0ULL : (1ULL << last) - 1;
}

/* Returns the bit mask for NAME (with or without CAP_, any case; ALL), or 0 if unknown. */
static uint64_t cap_mask(const char *name)
{
	if (!strcasecmp(name, "ALL"))
		return all_caps();
	char buf[64];
	if (strlen(name) + 5 > sizeof(buf))
		return 0;
	snprintf(buf, sizeof(buf), "%s%s", strncasecmp(name, "CAP_", 4) ? "cap_" : "", name);
	for (char *p = buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	cap_value_t v;
	if (cap_from_name(buf, &v) < 0 || v < 0 || v >= 64 || !(all_caps() & (1ULL << v)))
		return 0;
	return 1ULL << v;
}

static int change(struct ward_spec *s, const char *name, bool add, struct ward_error *e)
{
	uint64_t m = cap_mask(name);
	if (!m) {
		ward_error_set(e, 0, "--cap-%s %s: unknown capability (see capabilities(7))",
		               add ? "add" : "drop", name);
		return -1;
	}
	if (add)
		s->capabilities |= m;
	else
		s->capabilities &= ~m;
	return 0;
}

int ward_spec_cap_add(struct ward_spec *s, const char *name, struct ward_error *e)
{
	return change(s, name, true, e);
}

int ward_spec_cap_drop(struct ward_spec *s, const char *name, struct ward_error *e)
{
	return change(s, name, false, e);
}
