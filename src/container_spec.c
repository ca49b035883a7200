/* A created container's spec and seccomp filter, read back from its record's directory. */
#include <errno.h>
#include <string.h>

#include "container.h"
#include "ward/container.h"

int container_spec_load(const char *dir, struct ward_spec *s, struct ward_error *e)
{
	spec_init(s);
	if (ward_spec_load_oci(s, dir, e) < 0) {
		spec_clear(s);
		return -1;
	}
	return 0;
}

int container_filter(const struct ward_spec *s, struct ward_filter *f, struct ward_error *e)
{
	memset(f, 0, sizeof(*f));
	const struct oci_config *o = s->oci;
	if (!o || !o->seccomp)
		return 0;
	return filter_compile(o->seccomp, strlen(o->seccomp), "linux.seccomp",
	                      o->caps.effective | o->caps.bounding, f, e);
}
