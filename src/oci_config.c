/* A bundle's config.json (runtime-spec 1.x) into a spec, faithfully: the engine owns
 * policy, so ward's own defaults (PATH, capabilities, user namespace, seccomp filter,
 * network) are replaced by what the config says, and what ward cannot honour is refused
 * by name. The pieces: oci_process.c, oci_linux.c, oci_mounts.c, oci_seccomp.c,
 * oci_resources.c. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oci_json.h"
#include "oci_parse.h"
#include "spec.h"
#include "ward/container.h"

static int version(json_t *cfg, struct ward_error *e)
{
	const char *v = NULL;
	unsigned major, minor, patch;
	if (oj_str(cfg, "ociVersion", "", &v, e) < 0)
		return -1;
	if (!v)
		return oj_err(e, "", "ociVersion", "required");
	if (sscanf(v, "%u.%u.%u", &major, &minor, &patch) != 3)
		return oj_err(e, "", "ociVersion", "'%s': not a version (MAJOR.MINOR.PATCH)", v);
	/* the spec's minor versions only add fields; a new major may change meanings */
	if (major != 1)
		return oj_err(e, "", "ociVersion", "'%s': ward reads runtime-spec 1.x only", v);
	return 0;
}

static int root(json_t *cfg, struct ward_spec *s, struct oci_config *o, struct ward_error *e)
{
	json_t *r;
	const char *path = NULL;
	if (oj_object(cfg, "root", "", &r, e) < 0 || oj_str(r, "path", "root", &path, e) < 0 ||
	    oj_bool(r, "readonly", "root", &o->root_readonly, e) < 0)
		return -1;
	if (!r)
		return oj_err(e, "", "root", "required");
	if (!path || !path[0])
		return oj_err(e, "root", "path", "required");
	if (path[0] == '/')
		o->root_path = strdup(path);
	else if (asprintf(&o->root_path, "%s/%s", o->bundle, path) < 0)
		o->root_path = NULL;
	if (!o->root_path || str_replace(&s->rootfs, o->root_path, "rootfs", e) < 0)
		return ward_error_set(e, ENOMEM, "root.path");
	struct stat st;
	if (stat(o->root_path, &st) < 0)
		return ward_error_set(e, errno, "root.path %s", o->root_path);
	if (!S_ISDIR(st.st_mode))
		return ward_error_set(e, ENOTDIR, "root.path %s", o->root_path);
	s->read_only = o->root_readonly;
	return 0;
}

static int names(json_t *cfg, struct ward_spec *s, struct oci_config *o, struct ward_error *e)
{
	static const char *const keys[] = {"hostname", "domainname"};
	char **fields[] = {&s->hostname, &o->domainname};
	for (int i = 0; i < 2; i++) {
		if (oj_strdup_nonempty(cfg, keys[i], "", fields[i], e) < 0)
			return -1;
		if (*fields[i] && strlen(*fields[i]) > 64)
			return oj_err(e, "", keys[i], "at most 64 characters");
		/* as runc: a name is set in the container's own UTS namespace only */
		bool uts = false;
		for (size_t k = 0; k < o->n_ns; k++)
			uts |= o->ns[k].type == CLONE_NEWUTS;
		if (*fields[i] && (*fields[i])[0] && !uts)
			return oj_err(e, "", keys[i], "needs a uts namespace in linux.namespaces");
	}
	return 0;
}

static const char *const hook_names[OCI_HOOK_KINDS] = {
    [OCI_HOOK_PRESTART] = "prestart",
    [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
    [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
    [OCI_HOOK_START_CONTAINER] = "startContainer",
    [OCI_HOOK_POSTSTART] = "poststart",
    [OCI_HOOK_POSTSTOP] = "poststop",
};

static int hook(json_t *v, const char *w, struct oci_hook *h, struct ward_error *e)
{
	int64_t timeout = 0;
	if (!json_is_object(v))
		return oj_err(e, w, NULL, "must be an object");
	if (oj_i64(v, "timeout", w, 1, INT_MAX, &timeout, e) < 0)
		return oj_err(e, w, "timeout", "must be a positive number of seconds");
	h->timeout_s = (int)timeout;
	if (oj_abs_path(v, "path", w, true, &h->path, e) < 0 ||
	    oj_strv(v, "args", w, &h->args, e) < 0 || oj_strv(v, "env", w, &h->env, e) < 0)
		return -1;
	return 0;
}

static int hooks(json_t *cfg, struct oci_config *o, struct ward_error *e)
{
	json_t *obj, *list;
	const char *k;
	if (oj_object(cfg, "hooks", "", &obj, e) < 0)
		return -1;
	json_object_foreach(obj, k, list)
	{
		int kind = 0;
		while (kind < OCI_HOOK_KINDS && strcmp(k, hook_names[kind]))
			kind++;
		/* a hook the engine relies on (a GPU's, a network's) must not be skipped */
		if (kind == OCI_HOOK_KINDS)
			return oj_err(e, "hooks", k, "unknown hook kind");
		if (json_is_null(list))
			continue;
		if (!json_is_array(list))
			return oj_err(e, "hooks", k, "must be a list");
		size_t n = json_array_size(list), i;
		json_t *v;
		if (n && !(o->hooks[kind] = calloc(n, sizeof(struct oci_hook))))
			return ward_error_set(e, ENOMEM, "hooks");
		json_array_foreach(list, i, v)
		{
			char w[48];
			snprintf(w, sizeof(w), "hooks.%s[%zu]", k, i);
			o->n_hooks[kind] = i + 1;
			if (hook(v, w, &o->hooks[kind][i], e) < 0)
				return -1;
		}
	}
	return 0;
}

static int annotations(json_t *cfg, struct oci_config *o, struct ward_error *e)
{
	json_t *obj, *v;
	const char *k;
	size_t n = 0;
	if (oj_object(cfg, "annotations", "", &obj, e) < 0)
		return -1;
	if (!obj)
		return 0;
	if (!(o->annotations = calloc(json_object_size(obj) + 1, sizeof(char *))))
		return ward_error_set(e, ENOMEM, "annotations");
	json_object_foreach(obj, k, v)
	{
		const char *val = json_string_value(v);
		if (!val)
			return oj_err(e, "annotations", k, "must be a string");
		if (!strcmp(k, OCI_ANNOTATION_HARDEN)) {
			if (strcmp(val, "true") && strcmp(val, "false"))
				return oj_err(e, "annotations", k,
				              "'%s': must be \"true\" or \"false\"", val);
			o->harden = !strcmp(val, "true");
		}
		if (asprintf(&o->annotations[n], "%s=%s", k, val) < 0) {
			o->annotations[n] = NULL;
			return ward_error_set(e, ENOMEM, "annotations");
		}
		n++;
	}
	return 0;
}

/* Sections for other platforms: this config was not written for a Linux container. */
static int other_platforms(json_t *cfg, struct ward_error *e)
{
	static const char *const keys[] = {"windows", "solaris", "vm", "zos"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (oj_get(cfg, keys[i]))
			return oj_err(e, "", keys[i], "not a Linux container's section");
	return 0;
}

/* What spec_init chose for ward's own sandboxes and this mode does not want. */
static void clear_defaults(struct ward_spec *s)
{
	s->capabilities = 0;
	s->network = WARD_NET_NONE;
	s->n_publish = 0;
	s->idmapped_root = false;
	memset(&s->idmaps, 0, sizeof(s->idmaps));
}

/* With id maps, the process's ids must be among them (as runc checks). */
static int ids_mapped(const struct ward_spec *s, const struct oci_config *o, struct ward_error *e)
{
	const struct ward_idmaps *m = &s->idmaps;
	if (!o->has_uid_mappings)
		return 0;
	if (idmap_to_host(m->uid_map, m->n_uid_map, s->uid) == UINT32_MAX)
		return oj_err(e, "process.user", "uid", "%u is not in linux.uidMappings", s->uid);
	if (idmap_to_host(m->gid_map, m->n_gid_map, s->gid) == UINT32_MAX)
		return oj_err(e, "process.user", "gid", "%u is not in linux.gidMappings", s->gid);
	for (size_t i = 0; i < o->n_groups; i++)
		if (idmap_to_host(m->gid_map, m->n_gid_map, o->groups[i]) == UINT32_MAX)
			return oj_err(e, "process.user", "additionalGids",
			              "%u is not in linux.gidMappings", o->groups[i]);
	return 0;
}

static int parse(json_t *cfg, struct ward_spec *s, struct oci_config *o, struct ward_error *e)
{
	json_t *proc, *lx;
	clear_defaults(s);
	if (version(cfg, e) < 0 || other_platforms(cfg, e) < 0 || root(cfg, s, o, e) < 0 ||
	    oj_object(cfg, "process", "", &proc, e) < 0)
		return -1;
	if (!proc)
		return oj_err(e, "", "process", "required");
	if (oci_process_parse(proc, "process", s, o, e) < 0 ||
	    oj_object(cfg, "linux", "", &lx, e) < 0 || oci_linux_parse(lx, s, o, e) < 0 ||
	    ids_mapped(s, o, e) < 0 || names(cfg, s, o, e) < 0 ||
	    oci_mounts_parse(oj_get(cfg, "mounts"), lx, o, e) < 0 || hooks(cfg, o, e) < 0 ||
	    annotations(cfg, o, e) < 0)
		return -1;
	return 0;
}

int ward_spec_load_oci(struct ward_spec *s, const char *bundle, struct ward_error *e)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	if (!realpath(bundle, dir))
		return ward_error_set(e, errno, "bundle %s", bundle);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	json_t *cfg = oj_load(path, NULL, 0, path, e);
	if (!cfg)
		return -1;
	oci_config_free(s->oci);
	s->oci = calloc(1, sizeof(*s->oci));
	int rc = -1;
	if (!s->oci || !(s->oci->bundle = strdup(dir)))
		ward_error_set(e, ENOMEM, "config.json");
	else {
		oci_resources_init(&s->oci->resources);
		rc = parse(cfg, s, s->oci, e);
		if (rc < 0)
			ward_error_prefix(e, "config.json");
	}
	json_decref(cfg);
	return rc;
}
