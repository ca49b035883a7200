/* linux.readonlyPaths and linux.maskedPaths, after pivot_root (runc's readonlyPath and
 * maskPath): missing paths are skipped; symlinks are followed only inside the root. */
#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fsutil.h"
#include "oci_mounts.h"
#include "sys.h"

static int open_path(const char *path)
{
	return sys_openat2(AT_FDCWD, path, O_PATH | O_CLOEXEC,
	                   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

int oci_readonly_paths(const struct oci_config *o, struct ward_error *e)
{
	for (size_t i = 0; o->readonly && o->readonly[i]; i++) {
		autoclose int t = open_path(o->readonly[i]);
		if (t < 0 && errno == ENOENT)
			continue;
		if (t < 0 || bind_fd(t, t, MOUNT_ATTR_RDONLY) < 0)
			return ward_error_set(e, errno, "config.json: linux.readonlyPaths[%zu] %s",
			                      i, o->readonly[i]);
	}
	return 0;
}

/* Files are covered by the container's own /dev/null, checked to be the null device so that
 * an image cannot turn the mask into a bind of something else (CVE-2025-31133); directories
 * by an empty read-only tmpfs. */
static int mask(const char *path, int *null)
{
	autoclose int t = open_path(path);
	struct stat st;
	if (t < 0 || fstat(t, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(st.st_mode)) {
		static const char *const empty[] = {"size=0", "nr_inodes=1", NULL};
		autoclose int m = fs_new("tmpfs", empty,
		                         MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
		                             MOUNT_ATTR_NOEXEC);
		return m < 0 ? -1 : mount_on(m, t);
	}
	if (*null < 0) {
		*null = open_path("/dev/null");
		if (*null < 0 || fstat(*null, &st) < 0)
			return -1;
		if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
			errno = EPERM;
			return -1;
		}
	}
	return bind_fd(*null, t, MOUNT_ATTR_RDONLY);
}

int oci_masked_paths(const struct oci_config *o, struct ward_error *e)
{
	autoclose int null = -1;
	for (size_t i = 0; o->masked && o->masked[i]; i++)
		if (mask(o->masked[i], &null) < 0)
			return ward_error_set(
			    e, errno, "config.json: linux.maskedPaths[%zu] %s%s", i, o->masked[i],
			    errno == EPERM ? " (/dev/null is not the null device)" : "");
	return 0;
}
