/* Child side: /proc, /dev and /sys of the sandbox, and the masked and read-only paths that
 * trusted runtimes set. Every target is resolved inside the root without following symlinks
 * (an image whose /proc is a symlink must not get procfs mounted elsewhere). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fsutil.h"
#include "sysmounts.h"
#include "sys.h"

static const char *const masked_files[] = {
    "proc/kcore",       "proc/keys",        "proc/latency_stats", "proc/timer_list",
    "proc/timer_stats", "proc/sched_debug", "proc/interrupts",    NULL,
};
static const char *const masked_dirs[] = {
    "proc/acpi", "proc/asound", "proc/scsi", "sys/firmware", "sys/devices/virtual/powercap", NULL,
};
static const char *const readonly_paths[] = {
    "proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger", NULL,
};
static const char *const device_nodes[] = {"null",    "zero", "full", "random",
                                           "urandom", "tty",  NULL};
static const struct {
	const char *name, *target;
} dev_links[] = {
    {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"},
};

/* Mount point for a kernel filesystem: a real directory in the image, created in the
 * writable layer when missing. A symlink there is refused. */
static int mountpoint(int rootfd, const char *name, bool read_only, struct ward_error *e)
{
	int fd = open_dir_in_root(rootfd, name, !read_only);
	if (fd >= 0)
		return fd;
	if (errno == ELOOP || errno == ENOTDIR)
		return ward_error_set(
		    e, errno,
		    "rootfs: /%s is a symlink or not a directory; refusing to mount there", name);
	if (errno == ENOENT || errno == EROFS)
		return ward_error_set(
		    e, errno, "rootfs: /%s is missing and the root is read-only; add the directory",
		    name);
	return ward_error_set(e, errno, "rootfs: opening /%s", name);
}

static int mount_new(int rootfd, const char *name, const char *type, const char *const *opts,
                     unsigned attr, bool read_only, struct ward_error *e)
{
	autoclose int target = mountpoint(rootfd, name, read_only, e);
	if (target < 0)
		return -1;
	autoclose int m = fs_new(type, opts, attr);
	if (m < 0)
		return ward_error_set(e, errno, "mounting %s", type);
	if (mount_on(m, target) < 0)
		return ward_error_set(e, errno, "attaching /%s", name);
	return 0;
}

/* Device nodes cannot be created in a user namespace: bind the host's own nodes, opened by
 * host path before the sandbox's tree exists, onto empty files in the sandbox's /dev. */
static int populate_dev(int devfd, struct ward_error *e)
{
	for (size_t i = 0; device_nodes[i]; i++) {
		char host[32];
		snprintf(host, sizeof(host), "/dev/%s", device_nodes[i]);
		autoclose int src = open(host, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (src < 0 || fstat(src, &st) < 0 || !S_ISCHR(st.st_mode))
			return ward_error_set(e, errno, "/dev: host %s is not a character device",
			                      host);
		autoclose int f =
		    openat(devfd, device_nodes[i], O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
		if (f < 0)
			return ward_error_set(e, errno, "/dev: creating %s", device_nodes[i]);
		autoclose int target =
		    openat(devfd, device_nodes[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (target < 0 || bind_fd(src, target, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC) < 0)
			return ward_error_set(e, errno, "/dev: binding %s", device_nodes[i]);
	}
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++)
		if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) < 0)
			return ward_error_set(e, errno, "/dev: linking %s", dev_links[i].name);
	return 0;
}

static int mount_dev(int rootfd, bool read_only, bool gid5_mapped, struct ward_error *e)
{
	static const char *const dev_opts[] = {"mode=0755", "size=65536k", "nr_inodes=4096", NULL};
	if (mount_new(rootfd, "dev", "tmpfs", dev_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
	              read_only, e) < 0)
		return -1;
	autoclose int devfd = open_in_root(rootfd, "dev", O_PATH | O_DIRECTORY);
	if (devfd < 0)
		return ward_error_set(e, errno, "/dev: reopening %s", "/dev");
	if (populate_dev(devfd, e) < 0)
		return -1;
	/* A private devpts instance: the sandbox sees only its own terminals. */
	const char *pts_opts[] = {"newinstance", "ptmxmode=0666", "mode=0620",
	                          gid5_mapped ? "gid=5" : NULL, NULL};
	const unsigned noexec = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC;
	static const char *const shm_opts[] = {"mode=1777", "size=65536k", NULL};
	if (mount_new(devfd, "pts", "devpts", pts_opts, noexec, false, e) < 0 ||
	    mount_new(devfd, "shm", "tmpfs", shm_opts, noexec | MOUNT_ATTR_NODEV, false, e) < 0 ||
	    mount_new(devfd, "mqueue", "mqueue", NULL, noexec | MOUNT_ATTR_NODEV, false, e) < 0)
		return -1;
	return 0;
}

/* Masking uses the sandbox's own /dev/null, checked to be the null device, so that an image
 * cannot turn the mask into a bind of something else (CVE-2025-31133). */
static int mask_paths(int rootfd, struct ward_error *e)
{
	autoclose int null = open_in_root(rootfd, "dev/null", O_PATH);
	struct stat st;
	if (null < 0 || fstat(null, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return ward_error_set(e, errno, "masking: %s is not the null device", "/dev/null");
	for (size_t i = 0; masked_files[i]; i++) {
		autoclose int t = open_in_root(rootfd, masked_files[i], O_PATH);
		if (t < 0 && errno == ENOENT)
			continue;
		if (t < 0 || bind_fd(null, t, MOUNT_ATTR_RDONLY) < 0)
			return ward_error_set(e, errno, "masking /%s", masked_files[i]);
	}
	static const char *const empty_opts[] = {"size=0", "nr_inodes=1", NULL};
	for (size_t i = 0; masked_dirs[i]; i++) {
		autoclose int t = open_in_root(rootfd, masked_dirs[i], O_PATH | O_DIRECTORY);
		if (t < 0 && errno == ENOENT)
			continue;
		autoclose int m = fs_new("tmpfs", empty_opts,
		                         MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
		                             MOUNT_ATTR_NOEXEC);
		if (t < 0 || m < 0 || mount_on(m, t) < 0)
			return ward_error_set(e, errno, "masking /%s", masked_dirs[i]);
	}
	for (size_t i = 0; readonly_paths[i]; i++) {
		autoclose int t = open_in_root(rootfd, readonly_paths[i], O_PATH);
		if (t < 0 && errno == ENOENT)
			continue;
		if (t < 0 || bind_fd(t, t, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID) < 0)
			return ward_error_set(e, errno, "making /%s read-only", readonly_paths[i]);
	}
	return 0;
}

int sysmounts_setup(int rootfd, bool read_only, bool gid5_mapped, struct ward_error *e)
{
	const unsigned kernelfs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	if (mount_new(rootfd, "proc", "proc", NULL, kernelfs, read_only, e) < 0)
		return -1;
	if (mount_dev(rootfd, read_only, gid5_mapped, e) < 0)
		return -1;
	if (mount_new(rootfd, "sys", "sysfs", NULL, kernelfs | MOUNT_ATTR_RDONLY, read_only, e) < 0)
		return -1;
	return mask_paths(rootfd, e);
}
