/* The container's root in OCI mode, in runc's order: propagation of /, the root bound onto
 * itself, the config's mounts, /dev; then pivot_root and what runc does after it. Child
 * side, in the container's mount namespace. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include "oci_mounts.h"
#include "oci_paths.h"
#include "oci_rootfs.h"
#include "sys.h"

/* pivot_root refuses a shared parent, and a shared one would carry the container's mounts
 * back to the host: with / made shared, the mount holding the root's parent directory
 * becomes private (runc's rootfsParentMountPrivate; a slave needs nothing). */
static int parent_private(const char *root, struct ward_error *e)
{
	char *dir = strdupa(root);
	for (;;) {
		dir = dirname(dir);
		if (mount(NULL, dir, NULL, MS_PRIVATE, NULL) == 0)
			return 0;
		if (errno != EINVAL || strcmp(dir, "/") == 0)
			return ward_error_set(e, errno, "rootfs: making %s private", dir);
	}
}

int oci_rootfs_prepare(const struct oci_config *o, bool in_userns, struct ward_error *e)
{
	if (oci_sysctl_check(o, e) < 0)
		return -1;
	unsigned long prop = o->rootfs_propagation ? o->rootfs_propagation : MS_SLAVE | MS_REC;
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return ward_error_set(e, errno, "config.json: linux.rootfsPropagation");
	if (prop & MS_SHARED && parent_private(o->root_path, e) < 0)
		return -1;
	if (mount(o->root_path, o->root_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ward_error_set(e, errno, "config.json: root.path %s: binding it onto itself",
		                      o->root_path);
	/* its own propagation comes after pivot_root, which needs it unshared */
	if (prop & MS_SHARED && mount(NULL, o->root_path, NULL, MS_PRIVATE, NULL) < 0)
		return ward_error_set(e, errno, "rootfs: making the root private");
	autoclose int rootfd = open(o->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return ward_error_set(e, errno, "config.json: root.path %s", o->root_path);
	for (size_t i = 0; i < o->n_mounts; i++)
		if (oci_mount_one(rootfd, o, i, in_userns, e) < 0)
			return -1;
	if (oci_dev_is_ours(o) && oci_devices_setup(rootfd, o, in_userns, e) < 0)
		return -1;
	if (chdir(o->root_path) < 0)
		return ward_error_set(e, errno, "config.json: root.path %s", o->root_path);
	return 0;
}

/* mountinfo's octal escapes (\040 for a space) undone in place. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; w++)
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] && r[3]) {
			*w = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 4;
		} else {
			*w = *r++;
		}
	*w = '\0';
}

/* Whether A is B or below it. */
static bool within(const char *a, const char *b)
{
	size_t n = strlen(b);
	return strcmp(b, "/") == 0 || (strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/'));
}

/* Without pivot_root the host's mounts would stay referenced under the root: each one that
 * is neither the root's nor one of its ancestors is detached first (runc's msMoveRoot). */
static void detach_host_mounts(const char *root)
{
	char real[PATH_MAX];
	FILE *f = realpath(root, real) ? fopen("/proc/self/mountinfo", "re") : NULL;
	if (!f)
		return;
	char **mps = NULL, line[8192], mp[PATH_MAX];
	size_t n = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1) {
			unescape(mp);
			char **grown = realloc(mps, (n + 1) * sizeof(*mps));
			if (!grown)
				break;
			mps = grown;
			mps[n++] = strdup(mp);
		}
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		if (mps[i] && !within(mps[i], real) && !within(real, mps[i]))
			umount2(mps[i], MNT_DETACH); /* gone already with a parent: fine */
		free(mps[i]);
	}
	free(mps);
}

static int pivot(const struct oci_config *o, bool no_pivot, struct ward_error *e)
{
	if (chdir(o->root_path) < 0)
		return ward_error_set(e, errno, "rootfs: entering %s", o->root_path);
	if (no_pivot) {
		/* the weaker way, for roots pivot_root cannot take (an initramfs) */
		detach_host_mounts(o->root_path);
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0)
			return ward_error_set(e, errno, "rootfs: moving the root onto /");
		return chdir("/") < 0 ? ward_error_set(e, errno, "rootfs: chdir /") : 0;
	}
	/* pivot_root(".", ".") stacks the old root on the new one; detached (made a slave
	 * first, so that the unmount does not reach the host), no path leads back to it. "."
	 * must be the old root for that (an fd of it, as runc does): the new root's own mounts
	 * keep the propagation the config gave them. */
	autoclose int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0)
		return ward_error_set(e, errno, "pivot_root: opening the old root");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return ward_error_set(e, errno, "pivot_root");
	if (fchdir(oldroot) < 0 || mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0 ||
	    umount2(".", MNT_DETACH) < 0)
		return ward_error_set(e, errno, "pivot_root: detaching the old root");
	return chdir("/") < 0 ? ward_error_set(e, errno, "pivot_root: chdir /") : 0;
}

/* Read-only tmpfs mounts and /dev were mounted writable (runc's finalizeRootfs). The
 * destination is a path in the container's own root now: nothing resolves out of it. */
static int readonly_later(const struct oci_config *o, struct ward_error *e)
{
	for (size_t i = 0; i < o->n_mounts; i++) {
		const struct oci_mount *m = &o->mounts[i];
		if (oci_readonly_later(m) &&
		    oci_remount(m->destination, m->flags | MS_RDONLY, m->destination) < 0)
			return ward_error_set(e, errno, "config.json: mounts[%zu] %s: read-only", i,
			                      m->destination);
	}
	return 0;
}

int oci_rootfs_enter(const struct oci_config *o, bool no_pivot, struct ward_error *e)
{
	if (pivot(o, no_pivot, e) < 0)
		return -1;
	/* Only a shared root needs it again: made before the mounts (prepare), a slave or
	 * private root would now also turn the config's own shared mounts private, which runc
	 * does not do. */
	if ((o->rootfs_propagation & MS_SHARED) &&
	    mount(NULL, "/", NULL, o->rootfs_propagation, NULL) < 0)
		return ward_error_set(e, errno, "config.json: linux.rootfsPropagation");
	if (readonly_later(o, e) < 0)
		return -1;
	if (o->root_readonly && oci_remount("/", MS_RDONLY, "/") < 0)
		return ward_error_set(e, errno, "config.json: root.readonly");
	if (oci_sysctl_apply(o, e) < 0 || oci_readonly_paths(o, e) < 0 ||
	    oci_masked_paths(o, e) < 0)
		return -1;
	return 0;
}
