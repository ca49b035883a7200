/* The OCI config's lifetime (oci.h): what the parser made, released in one place. */
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "strv.h"

void oci_resources_init(struct oci_resources *r)
{
	memset(r, 0, sizeof(*r));
	int64_t *unset[] = {
	    &r->memory_limit,      &r->memory_reservation, &r->memory_swap,       &r->memory_kernel,
	    &r->memory_kernel_tcp, &r->memory_swappiness,  &r->cpu_shares,        &r->cpu_quota,
	    &r->cpu_period,        &r->cpu_rt_runtime,     &r->cpu_rt_period,     &r->cpu_idle,
	    &r->pids_limit,        &r->blkio_weight,       &r->blkio_leaf_weight, &r->net_class_id};
	for (size_t i = 0; i < sizeof(unset) / sizeof(unset[0]); i++)
		*unset[i] = OCI_UNSET;
	r->disable_oom_killer = -1;
}

void oci_resources_clear(struct oci_resources *r)
{
	strv_free(r->unified);
	free(r->devices);
	oci_resources_init(r);
}

static void hook_free(struct oci_hook *h)
{
	free(h->path);
	strv_free(h->args);
	strv_free(h->env);
}

void oci_config_free(struct oci_config *o)
{
	if (!o)
		return;
	free(o->bundle);
	free(o->root_path);
	free(o->domainname);
	for (size_t i = 0; i < o->n_ns; i++)
		free(o->ns[i].path);
	for (size_t i = 0; i < o->n_mounts; i++) {
		struct oci_mount *m = &o->mounts[i];
		free(m->destination);
		free(m->type);
		free(m->source);
		free(m->data);
	}
	free(o->mounts);
	for (size_t i = 0; i < o->n_devices; i++)
		free(o->devices[i].path);
	free(o->devices);
	strv_free(o->masked);
	strv_free(o->readonly);
	strv_free(o->sysctl);
	free(o->groups);
	free(o->apparmor);
	free(o->selinux_label);
	free(o->mount_label);
	free(o->seccomp);
	free(o->cgroups_path);
	oci_resources_clear(&o->resources);
	for (int k = 0; k < OCI_HOOK_KINDS; k++) {
		for (size_t i = 0; i < o->n_hooks[k]; i++)
			hook_free(&o->hooks[k][i]);
		free(o->hooks[k]);
	}
	strv_free(o->annotations);
	free(o);
}
