/* A created container's spec and seccomp filter, read back from its record's directory. */
#include <errno.h>
#include <string.h>

#include "container.h"
#include "ward/container.h"

int ward_spec_set_oci_harden(struct ward_spec *s, struct ward_error *e)
{
	if (!s || !s->oci)
		return ward_error_set(e, 0, "%s: the spec has no OCI config (ward_spec_load_oci)",
		                      OCI_ANNOTATION_HARDEN);
	s->oci->harden = true;
	return 0;
}

int container_spec_load(const char *dir, struct ward_spec *s, struct ward_error *e)
{
	spec_init(s);
	if (ward_spec_load_oci(s, dir, e) < 0) {
		spec_clear(s);
		return -1;
	}
	return 0;
}

/* Both through filter_prepare, for its cache: an engine sends the same profile every time. */
int container_filter(const struct ward_spec *s, struct container_filters *f, struct ward_error *e)
{
	memset(f, 0, sizeof(*f));
	const struct oci_config *o = s->oci;
	struct ward_spec view = {.layer_in = -1, .capabilities = o->caps.bounding};
	if (o->seccomp) {
		view.policy_text = o->seccomp;
		if (filter_prepare(NULL, &view, &f->config, e) < 0)
			return ward_error_prefix(e, "linux.seccomp");
	}
	if (!o->harden)
		return 0;
	/* run.ward.harden: ward's default policy and the set-id ban under the config's */
	view.policy_text = NULL;
	if (filter_prepare(NULL, &view, &f->ward, e) < 0 ||
	    filter_setid(&f->ward.prog[2], &f->ward.len[2]) < 0) {
		container_filter_free(f);
		return ward_error_prefix(e, "%s", OCI_ANNOTATION_HARDEN);
	}
	return 0;
}

void container_filter_free(struct container_filters *f)
{
	filter_free(&f->config);
	filter_free(&f->ward);
}
