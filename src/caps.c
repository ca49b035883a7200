/* Capability handling with libcap. */
#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "caps.h"

int caps_limit_bounding(uint64_t keep)
{
	int last = (int)cap_max_bits();
	for (int c = 0; c < last && c < 64; c++)
		if (!(keep & (1ULL << c)) && CAP_IS_SUPPORTED(c) &&
		    cap_drop_bound((cap_value_t)c) < 0)
			return -1;
	return cap_reset_ambient();
}

int caps_apply(uint64_t keep, bool is_root)
{
	cap_t c = cap_init(); /* all three sets empty */
	if (!c)
		return -1;
	if (is_root) {
		int last = (int)cap_max_bits();
		for (int v = 0; v < last && v < 64; v++) {
			if (!(keep & (1ULL << v)))
				continue;
			cap_value_t cv = (cap_value_t)v;
			if (cap_set_flag(c, CAP_EFFECTIVE, 1, &cv, CAP_SET) < 0 ||
			    cap_set_flag(c, CAP_PERMITTED, 1, &cv, CAP_SET) < 0)
				goto fail;
		}
	}
	if (cap_set_proc(c) < 0)
		goto fail;
	cap_free(c);
	return 0;
fail:;
	int err = errno;
	cap_free(c);
	errno = err;
	return -1;
}
