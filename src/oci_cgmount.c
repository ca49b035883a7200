/* The "cgroup" mount of an OCI config, as runc makes it: cgroup2 on a pure-v2 host, else a
 * tmpfs with one directory per v1 hierarchy. With its own cgroup namespace the container
 * mounts the hierarchies (they show the namespace's root); with the host's, only its own
 * cgroups are bound in, so the host's tree does not leak. */
#include <errno.h>
#include <sched.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "oci_mounts.h"
#include "oci_paths.h"
#include "sys.h"

static bool pure_v2(void)
{
	struct statfs sf;
	return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* Mount (own namespace) or bind (the host's) hierarchy SUB at DEST/SUB, with FLAGS. */
static int hierarchy(int rootfd, const char *dest, const char *sub, const char *type,
                     const char *opts, const char *host, bool own, unsigned long flags,
                     struct ward_error *e)
{
	autofree char *path = NULL;
	if (asprintf(&path, "%s/%s", dest, sub) < 0) {
		path = NULL; /* asprintf leaves it undefined on failure */
		return ward_error_set(e, ENOMEM, "cgroup");
	}
	autoclose int fd = oci_path_open(rootfd, sub[0] ? path : dest, OCI_MAKE_DIR);
	if (fd < 0)
		return ward_error_set(e, errno, "%s", path);
	/* no fallback to a bind: in a namespace of its own /proc/self/cgroup is relative,
	 * and the bind would be the host's whole hierarchy */
	if (own && mount(type, oci_fdpath(fd).s, type, flags, opts) < 0)
		return ward_error_set(e, errno, "mounting %s (%s)", type, opts ? opts : "");
	if (own)
		return 0;
	if (mount(host, oci_fdpath(fd).s, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ward_error_set(e, errno, "binding %s", host);
	autoclose int top = oci_path_open(rootfd, sub[0] ? path : dest, OCI_MAKE_NONE);
	if (top < 0 || oci_remount(oci_fdpath(top).s, flags, host) < 0)
		return ward_error_set(e, errno, "remounting %s", path);
	return 0;
}

/* cpu,cpuacct mounted once; "cpu" and "cpuacct" link to it, as runc lays it out. */
static int comount_links(int rootfd, const char *dest, const char *name, struct ward_error *e)
{
	if (!strchr(name, ','))
		return 0;
	autoclose int dir = oci_path_open(rootfd, dest, OCI_MAKE_NONE);
	if (dir < 0)
		return ward_error_set(e, errno, "%s", dest);
	char *copy = strdupa(name), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (symlinkat(name, dir, t) < 0 && errno != EEXIST)
			return ward_error_set(e, errno, "linking %s/%s", dest, t);
	return 0;
}

static int v1(int rootfd, const struct oci_mount *m, bool own, unsigned long flags,
              struct ward_error *e)
{
	autoclose int fd = oci_path_open(rootfd, m->destination, OCI_MAKE_DIR);
	if (fd < 0)
		return ward_error_set(e, errno, "destination");
	unsigned long tflags =
	    (flags & ~(unsigned long)MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	if (mount("tmpfs", oci_fdpath(fd).s, "tmpfs", tflags, "mode=755") < 0)
		return ward_error_set(e, errno, "mounting its tmpfs");
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return ward_error_set(e, errno, "/proc/self/cgroup");
	char line[4096];
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *ctl = strchr(line, ':'), *path = ctl ? strchr(ctl + 1, ':') : NULL;
		if (!path || path == ctl + 1) /* the unified hierarchy of a hybrid host */
			continue;
		*ctl++ = '\0';
		*path++ = '\0';
		bool named = strncmp(ctl, "name=", 5) == 0;
		const char *name = named ? ctl + 5 : ctl;
		char host[4200], opts[512];
		snprintf(opts, sizeof(opts), "%s%s", named ? "none," : "", ctl);
		snprintf(host, sizeof(host), "/sys/fs/cgroup/%s%s", name, path);
		rc = hierarchy(rootfd, m->destination, name, "cgroup", opts, host, own, flags, e);
		if (rc == 0)
			rc = comount_links(rootfd, m->destination, name, e);
	}
	fclose(f);
	if (rc < 0)
		return -1;
	autoclose int top = oci_path_open(rootfd, m->destination, OCI_MAKE_NONE);
	if (flags & MS_RDONLY &&
	    (top < 0 || oci_remount(oci_fdpath(top).s, tflags | MS_RDONLY, NULL) < 0))
		return ward_error_set(e, errno, "making its tmpfs read-only");
	return 0;
}

/* This process's cgroup on the unified hierarchy ("0::/path"), or "" when not found. */
static void own_v2_path(char *out, size_t len)
{
	out[0] = '\0';
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, len, "%s", line + 3);
		}
	if (f)
		fclose(f);
}

int oci_cgroup_mount(int rootfd, const struct oci_config *o, const struct oci_mount *m,
                     bool in_userns, struct ward_error *e)
{
	(void)in_userns;
	bool own = oci_has_ns(o, CLONE_NEWCGROUP);
	unsigned long flags = (m->flags & ~(unsigned long)(MS_REC | MS_REMOUNT | MS_BIND)) |
	                      MS_NOSUID | MS_NODEV | MS_NOEXEC;
	if (!pure_v2())
		return v1(rootfd, m, own, flags, e);
	char path[4096], host[4200];
	own_v2_path(path, sizeof(path));
	snprintf(host, sizeof(host), "/sys/fs/cgroup%s", path);
	return hierarchy(rootfd, m->destination, "", "cgroup2", NULL, host, own, flags, e);
}
