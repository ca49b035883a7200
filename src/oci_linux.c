/* config.json's linux object: namespaces and id maps, devices, paths, sysctl, personality,
 * labels, the cgroup and its resources, seccomp. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>

#include "oci_json.h"
#include "oci_parse.h"
#include "spec.h"

static const struct {
	const char *name;
	int flag;
} ns_types[] = {
    {"pid", CLONE_NEWPID},       {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
    {"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},     {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

static int namespaces(json_t *lx, struct oci_config *o, struct ward_error *e)
{
	json_t *arr, *v;
	size_t i;
	if (oj_array(lx, "namespaces", "linux", &arr, e) < 0)
		return -1;
	json_array_foreach(arr, i, v)
	{
		char w[64];
		const char *type = NULL;
		snprintf(w, sizeof(w), "linux.namespaces[%zu]", i);
		if (!json_is_object(v))
			return oj_err(e, w, NULL, "must be an object");
		if (oj_str(v, "type", w, &type, e) < 0)
			return -1;
		int flag = 0;
		for (size_t k = 0; type && k < sizeof(ns_types) / sizeof(ns_types[0]); k++)
			if (!strcmp(type, ns_types[k].name))
				flag = ns_types[k].flag;
		if (!flag)
			return oj_err(e, w, "type", "unknown namespace type '%s'",
			              type ? type : "");
		for (size_t k = 0; k < o->n_ns; k++)
			if (o->ns[k].type == flag)
				return oj_err(e, w, "type", "%s listed twice", type);
		struct oci_namespace *ns = &o->ns[o->n_ns++];
		ns->type = flag;
		if (oj_abs_path(v, "path", w, false, &ns->path, e) < 0)
			return -1;
	}
	return 0;
}

static const struct oci_namespace *ns_find(const struct oci_config *o, int flag)
{
	for (size_t k = 0; k < o->n_ns; k++)
		if (o->ns[k].type == flag)
			return &o->ns[k];
	return NULL;
}

static int idmap_list(json_t *lx, const char *key, struct ward_idmap *out, size_t *n,
                      struct ward_error *e)
{
	json_t *arr, *v;
	size_t i;
	if (oj_array(lx, key, "linux", &arr, e) < 0)
		return -1;
	if (json_array_size(arr) > WARD_MAX_IDMAPS)
		return oj_err(e, "linux", key, "at most %d ranges", WARD_MAX_IDMAPS);
	json_array_foreach(arr, i, v)
	{
		char w[64];
		uint32_t c = 0, h = 0, size = 0;
		snprintf(w, sizeof(w), "linux.%s[%zu]", key, i);
		if (!json_is_object(v))
			return oj_err(e, w, NULL, "must be an object");
		if (oj_u32(v, "containerID", w, &c, e) <= 0 || oj_u32(v, "hostID", w, &h, e) <= 0 ||
		    oj_u32(v, "size", w, &size, e) <= 0)
			return oj_get(v, "containerID") && oj_get(v, "hostID") && oj_get(v, "size")
			           ? -1
			           : oj_err(e, w, NULL, "needs containerID, hostID and size");
		if (size == 0 || c > UINT32_MAX - size || h > UINT32_MAX - size)
			return oj_err(e, w, "size", "must be positive and within 32-bit ids");
		out[i] = (struct ward_idmap){.inside = c, .outside = h, .count = size};
		*n = i + 1;
	}
	return 0;
}

/* No user namespace: spec->idmaps stays empty (the launcher makes none). */
static int idmaps(json_t *lx, struct ward_spec *s, struct oci_config *o, struct ward_error *e)
{
	memset(&s->idmaps, 0, sizeof(s->idmaps));
	s->idmapped_root = false;
	if (idmap_list(lx, "uidMappings", s->idmaps.uid_map, &s->idmaps.n_uid_map, e) < 0 ||
	    idmap_list(lx, "gidMappings", s->idmaps.gid_map, &s->idmaps.n_gid_map, e) < 0)
		return -1;
	const struct oci_namespace *user = ns_find(o, CLONE_NEWUSER);
	bool maps = s->idmaps.n_uid_map || s->idmaps.n_gid_map;
	o->has_uid_mappings = maps;
	if (maps && !user)
		return oj_err(e, "linux", "uidMappings",
		              "given without a user namespace in linux.namespaces");
	if (maps && user->path)
		return oj_err(e, "linux", "uidMappings",
		              "given with a joined user namespace (its maps are already set)");
	if (user && !user->path && (!s->idmaps.n_uid_map || !s->idmaps.n_gid_map))
		return oj_err(e, "linux", "uidMappings",
		              "a new user namespace needs uidMappings and gidMappings");
	return 0;
}

static int devices(json_t *lx, struct oci_config *o, struct ward_error *e)
{
	json_t *arr, *v;
	size_t i;
	if (oj_array(lx, "devices", "linux", &arr, e) < 0)
		return -1;
	if (json_array_size(arr) &&
	    !(o->devices = calloc(json_array_size(arr), sizeof(*o->devices))))
		return ward_error_set(e, ENOMEM, "devices");
	json_array_foreach(arr, i, v)
	{
		char w[64];
		const char *type = NULL;
		uint32_t mode = 0666;
		struct oci_device *d = &o->devices[o->n_devices++];
		snprintf(w, sizeof(w), "linux.devices[%zu]", i);
		if (!json_is_object(v))
			return oj_err(e, w, NULL, "must be an object");
		if (oj_abs_path(v, "path", w, true, &d->path, e) < 0 ||
		    oj_str(v, "type", w, &type, e) < 0 || oj_u32(v, "fileMode", w, &mode, e) < 0 ||
		    oj_u32(v, "uid", w, &d->uid, e) < 0 || oj_u32(v, "gid", w, &d->gid, e) < 0)
			return -1;
		if (!type || strlen(type) != 1 || !strchr("cbup", type[0]))
			return oj_err(e, w, "type", "must be c, b, u or p");
		if (mode > 0777)
			return oj_err(e, w, "fileMode", "must be permission bits (at most 0777)");
		d->type = type[0];
		d->mode = mode;
		d->major = d->minor = 0;
		bool need = d->type != 'p';
		int a = oj_i64(v, "major", w, 0, UINT32_MAX, &d->major, e);
		int b = a < 0 ? -1 : oj_i64(v, "minor", w, 0, UINT32_MAX, &d->minor, e);
		if (a < 0 || b < 0)
			return -1;
		if (need && (!a || !b))
			return oj_err(e, w, NULL, "a %c device needs major and minor", d->type);
	}
	return 0;
}

static int paths(json_t *lx, const char *key, char ***out, struct ward_error *e)
{
	if (oj_strv(lx, key, "linux", out, e) < 0)
		return -1;
	for (size_t i = 0; *out && (*out)[i]; i++)
		if ((*out)[i][0] != '/') {
			char item[48];
			snprintf(item, sizeof(item), "%s[%zu]", key, i);
			return oj_err(e, "linux", item, "must be an absolute path");
		}
	return 0;
}

/* The namespace a sysctl belongs to (as runc checks): one the container must have of its
 * own, or the host's value would change. 0: none, the host's. */
static int sysctl_namespace(const char *key)
{
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
	                                  "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
	                                  "kernel.shmmni", "kernel.shm_rmid_forced"};
	char k[256];
	snprintf(k, sizeof(k), "%s", key);
	for (char *c = k; *c; c++)
		*c = *c == '/' ? '.' : *c;
	for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
		if (!strcmp(k, ipc[i]))
			return CLONE_NEWIPC;
	if (!strncmp(k, "fs.mqueue.", 10))
		return CLONE_NEWIPC;
	if (!strncmp(k, "net.", 4))
		return CLONE_NEWNET;
	if (!strcmp(k, "kernel.hostname") || !strcmp(k, "kernel.domainname"))
		return CLONE_NEWUTS;
	return 0;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static int sysctl_allowed(const struct oci_config *o, const char *k, struct ward_error *e)
{
	int flag = sysctl_namespace(k);
	const struct oci_namespace *ns = flag ? ns_find(o, flag) : NULL;
	if (!flag)
		return oj_err(e, "linux.sysctl", k, "not in a namespace of the container's own");
	if (!ns)
		return oj_err(e, "linux.sysctl", k, "needs the container's own %s namespace",
		              flag == CLONE_NEWNET   ? "network"
		              : flag == CLONE_NEWIPC ? "ipc"
		                                     : "uts");
	if (flag == CLONE_NEWNET && ns->path && same_file(ns->path, "/proc/self/ns/net"))
		return oj_err(e, "linux.sysctl", k, "the network namespace joined is the host's");
	return 0;
}

static int sysctl(json_t *lx, struct oci_config *o, struct ward_error *e)
{
	json_t *obj, *v;
	const char *k;
	size_t n = 0;
	if (oj_object(lx, "sysctl", "linux", &obj, e) < 0)
		return -1;
	if (!obj)
		return 0;
	if (!(o->sysctl = calloc(json_object_size(obj) + 1, sizeof(char *))))
		return ward_error_set(e, ENOMEM, "sysctl");
	json_object_foreach(obj, k, v)
	{
		/* a name under /proc/sys: no way out of it */
		bool ok = k[0] && k[0] != '/' && k[0] != '.' && !strstr(k, "..");
		if (!ok)
			return oj_err(e, "linux.sysctl", k, "not a sysctl name");
		if (!json_is_string(v) || strchr(json_string_value(v), '\n'))
			return oj_err(e, "linux.sysctl", k, "must be a string of one line");
		if (sysctl_allowed(o, k, e) < 0)
			return -1;
		if (asprintf(&o->sysctl[n], "%s=%s", k, json_string_value(v)) < 0) {
			o->sysctl[n] = NULL;
			return ward_error_set(e, ENOMEM, "sysctl");
		}
		n++;
	}
	return 0;
}

static int personality_parse(json_t *lx, struct oci_config *o, struct ward_error *e)
{
	json_t *p;
	const char *domain = NULL;
	if (oj_object(lx, "personality", "linux", &p, e) < 0)
		return -1;
	if (!p)
		return 0;
	if (oj_str(p, "domain", "linux.personality", &domain, e) < 0)
		return -1;
	if (domain && !strcmp(domain, "LINUX"))
		o->personality = PER_LINUX;
	else if (domain && !strcmp(domain, "LINUX32"))
		o->personality = PER_LINUX32;
	else
		return oj_err(e, "linux.personality", "domain", "must be LINUX or LINUX32");
	o->personality_set = true;
	return oj_refuse(p, "flags", "linux.personality", "not supported by ward", e);
}

unsigned long oci_propagation(const char *name)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} props[] = {
	    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
	    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
	    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
	    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
	};
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		if (!strcmp(name, props[i].name))
			return props[i].flags;
	return 0;
}

/* Keys that change what the container may do and that ward cannot apply: refused rather
 * than ignored (runc ignores keys it does not know; these it knows). */
static int refused(json_t *lx, struct ward_error *e)
{
	static const char *const keys[] = {"intelRdt", "memoryPolicy", "netDevices", "timeOffsets",
	                                   "rdma"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (oj_refuse(lx, keys[i], "linux", "not supported by ward", e) < 0)
			return -1;
	return 0;
}

static int labels_and_cgroup(json_t *lx, struct oci_config *o, struct ward_error *e)
{
	const char *prop = NULL;
	if (oj_str(lx, "rootfsPropagation", "linux", &prop, e) < 0 ||
	    oj_strdup_nonempty(lx, "mountLabel", "linux", &o->mount_label, e) < 0 ||
	    oj_strdup_nonempty(lx, "cgroupsPath", "linux", &o->cgroups_path, e) < 0)
		return -1;
	if (o->mount_label && !oci_host_selinux())
		return oj_err(e, "linux", "mountLabel", "SELinux is not enabled on this host");
	if (prop && prop[0] && !(o->rootfs_propagation = oci_propagation(prop)))
		return oj_err(e, "linux", "rootfsPropagation", "unknown propagation '%s'", prop);
	if (o->cgroups_path && strstr(o->cgroups_path, ".."))
		return oj_err(e, "linux", "cgroupsPath", "must not contain ..");
	return 0;
}

int oci_linux_parse(json_t *lx, struct ward_spec *s, struct oci_config *o, struct ward_error *e)
{
	json_t *res, *sec;
	if (lx && !json_is_object(lx))
		return oj_err(e, "linux", NULL, "must be an object");
	if (refused(lx, e) < 0 || namespaces(lx, o, e) < 0 || idmaps(lx, s, o, e) < 0 ||
	    devices(lx, o, e) < 0 || paths(lx, "maskedPaths", &o->masked, e) < 0 ||
	    paths(lx, "readonlyPaths", &o->readonly, e) < 0 || sysctl(lx, o, e) < 0 ||
	    personality_parse(lx, o, e) < 0 || labels_and_cgroup(lx, o, e) < 0 ||
	    oj_object(lx, "resources", "linux", &res, e) < 0 ||
	    (res && oci_resources_parse(res, "linux.resources", &o->resources, e) < 0) ||
	    oj_object(lx, "seccomp", "linux", &sec, e) < 0)
		return -1;
	/* no filter unless the config has one: the engine decides (the launcher reads
	 * oci->seccomp) */
	s->seccomp_unconfined = !sec;
	return sec ? oci_seccomp_parse(sec, s->capabilities, o, e) : 0;
}
