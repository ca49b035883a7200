/* One entry of config.json's "mounts", as runc mounts it: the destination resolved inside
 * the root (made when missing), mount(2) on the exact inode through /proc/self/fd, binds
 * remounted for their other flags, propagation set last. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <linux/magic.h>

#include "oci_mounts.h"
#include "oci_paths.h"
#include "sys.h"

/* Files of /proc a bind may cover (lxcfs and the like), as runc allows. */
static const char *const proc_binds[] = {
    "/proc/cpuinfo",
    "/proc/diskstats",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/swaps",
    "/proc/uptime",
    "/proc/loadavg",
    "/proc/slabinfo",
    "/proc/sys/kernel/ns_last_pid",
    NULL,
};

/* A mount below an existing procfs may only be a bind over one of proc_binds: anything else
 * could cover /proc/self/attr and the like (runc's checkProcMount). */
static int check_proc_target(int fd, const struct oci_mount *m, struct ward_error *e)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return ward_error_set(e, errno, "statfs");
	if (sf.f_type != PROC_SUPER_MAGIC)
		return 0;
	for (size_t i = 0; m->bind && proc_binds[i]; i++)
		if (strcmp(m->destination, proc_binds[i]) == 0)
			return 0;
	return ward_error_set(e, 0, "refusing to mount over procfs");
}

/* The destination, made as MAKE when missing; kernel filesystems need a real directory. */
static int target(int rootfd, const struct oci_mount *m, enum oci_make make, bool real_dir,
                  struct ward_error *e)
{
	autoclose int fd = oci_path_open(rootfd, m->destination, make);
	if (fd < 0)
		return ward_error_set(e, errno, "destination");
	if (real_dir) {
		autoclose int nf =
		    sys_openat2(rootfd, m->destination, O_PATH | O_NOFOLLOW | O_CLOEXEC,
		                RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
		struct stat st;
		if (nf < 0 || fstat(nf, &st) < 0 || !S_ISDIR(st.st_mode))
			return ward_error_set(e, nf < 0 ? errno : 0,
			                      "must be mounted on an ordinary directory");
	}
	if (check_proc_target(fd, m, e) < 0)
		return -1;
	return take_fd(&fd);
}

static int set_propagation(int rootfd, const struct oci_mount *m, struct ward_error *e)
{
	if (!m->propagation)
		return 0;
	autoclose int fd = oci_path_open(rootfd, m->destination, OCI_MAKE_NONE);
	if (fd < 0 || mount(NULL, oci_fdpath(fd).s, NULL, m->propagation, NULL) < 0)
		return ward_error_set(e, errno, "setting its propagation");
	return 0;
}

bool oci_readonly_later(const struct oci_mount *m)
{
	return !m->bind && m->flags & MS_RDONLY && m->type &&
	       (strcmp(m->type, "tmpfs") == 0 || strcmp(m->destination, "/dev") == 0);
}

static unsigned long plain_flags(const struct oci_mount *m)
{
	return m->flags & ~(unsigned long)(MS_REC | MS_REMOUNT | MS_BIND);
}

static int bind_path(int rootfd, const struct oci_mount *m, const char *source, bool recursive,
                     unsigned long flags, struct ward_error *e)
{
	struct stat st;
	if (stat(source, &st) < 0)
		return ward_error_set(e, errno, "source %s", source);
	autoclose int fd =
	    target(rootfd, m, S_ISDIR(st.st_mode) ? OCI_MAKE_DIR : OCI_MAKE_FILE, false, e);
	if (fd < 0)
		return -1;
	if (mount(source, oci_fdpath(fd).s, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
		return ward_error_set(e, errno, "binding %s", source);
	if (flags) {
		autoclose int top = oci_path_open(rootfd, m->destination, OCI_MAKE_NONE);
		if (top < 0 || oci_remount(oci_fdpath(top).s, flags, source) < 0)
			return ward_error_set(e, errno, "remounting with its options");
	}
	return 0;
}

/* A kernel filesystem; sysfs and mqueue fall back to the host's as runc does when the user
 * namespace may not mount them (no network namespace of its own, say). */
static int mount_fs(int rootfd, const struct oci_mount *m, bool in_userns, struct ward_error *e)
{
	bool kernelfs = strcmp(m->type, "proc") == 0 || strcmp(m->type, "sysfs") == 0;
	unsigned long flags = plain_flags(m);
	/* later mounts and /dev's nodes may need their mount points made in it: read-only
	 * comes when the root is entered */
	if (oci_readonly_later(m))
		flags &= ~(unsigned long)MS_RDONLY;
	autoclose int fd = target(rootfd, m, OCI_MAKE_DIR, kernelfs, e);
	if (fd < 0)
		return -1;
	const char *src = m->source && m->source[0] ? m->source : m->type;
	if (mount(src, oci_fdpath(fd).s, m->type, flags, m->data) == 0)
		return 0;
	int err = errno;
	const char *host = strcmp(m->type, "sysfs") == 0    ? "/sys"
	                   : strcmp(m->type, "mqueue") == 0 ? "/dev/mqueue"
	                                                    : NULL;
	if (in_userns && host && (err == EPERM || err == EACCES))
		return bind_path(rootfd, m, host, true, flags, e);
	return ward_error_set(e, err, "mounting");
}

int oci_mount_one(int rootfd, const struct oci_config *o, size_t i, bool in_userns,
                  struct ward_error *e)
{
	const struct oci_mount *m = &o->mounts[i];
	const char *type = m->type ? m->type : "bind";
	int rc;
	if (m->idmap)
		rc = ward_error_set(e, EOPNOTSUPP, "idmapped mounts are not supported yet");
	else if (m->bind)
		rc = !m->source ? ward_error_set(e, EINVAL, "a bind mount needs a source")
		                : bind_path(rootfd, m, m->source, m->recursive, plain_flags(m), e);
	else if (!m->type)
		rc = ward_error_set(e, EINVAL, "no type");
	else if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)
		rc = oci_cgroup_mount(rootfd, o, m, in_userns, e);
	else
		rc = mount_fs(rootfd, m, in_userns, e);
	if (rc == 0)
		rc = set_propagation(rootfd, m, e);
	if (rc < 0)
		return ward_error_prefix(e, "config.json: mounts[%zu] %s (%s)", i, m->destination,
		                         type);
	return 0;
}
