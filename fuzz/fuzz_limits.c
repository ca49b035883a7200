/* libFuzzer target: sizes, counts, limits, rlimits, timeouts and environment entries. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

static const char *const limits[] = {"memory", "memory-swap", "pids", "cpus", "cpu-weight",
                                     "cpuset", "io-max",      "disk", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size);
	if (!text)
		return 0;
	struct ward_spec s;
	struct ward_error e;
	uint64_t v;
	unsigned t;
	ward_spec_init(&s);
	for (size_t i = 0; limits[i]; i++)
		ward_spec_set_limit(&s, limits[i], text, &e);
	ward_parse_size(text, &v);
	ward_parse_count(text, &v);
	ward_parse_timeout(text, &t, &e);
	ward_spec_add_rlimit(&s, text, &e);
	ward_spec_add_env(&s, text, &e);
	ward_spec_cap_add(&s, text, &e);
	ward_spec_free(&s);
	free(text);
	return 0;
}
