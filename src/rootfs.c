/* Child side: assemble the sandbox's root (image below, private writable layer above) and
 * pivot into it. Runs inside the new user and mount namespaces. */
#include <errno.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "caps.h"
#include "copy.h"
#include "fsutil.h"
#include "rootfs.h"
#include "sys.h"
#include "upper_restore.h"

#define BASE ROOTFS_SCRATCH

/* The scratch tmpfs on BASE: the root's layers (and the overlay volumes') live there. */
static int mount_scratch(uint64_t disk, struct ward_error *e)
{
	char size[48], inodes[48];
	snprintf(size, sizeof(size), "size=%llu", (unsigned long long)disk);
	snprintf(inodes, sizeof(inodes), "nr_inodes=%llu",
	         (unsigned long long)(disk / 8192 < 1024 ? 1024 : disk / 8192));
	const char *const opts[] = {"mode=0700", disk ? size : NULL, disk ? inodes : NULL, NULL};
	int base = fs_new("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (base < 0)
		return ward_error_set(e, errno, "rootfs: creating the writable layer (tmpfs)");
	if (move_mount(base, "", AT_FDCWD, BASE, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		ward_error_set(e, errno, "rootfs: attaching the writable layer on " BASE);
		close(base);
		return -1;
	}
	return base;
}

/* Every fd but A and B closed. */
static void close_all_but(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;
	if (lo > 0)
		close_range(0, (unsigned)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0U, 0);
}

/* The restore's process: it parses what the workload wrote, so it keeps only the upper
 * directory and the tar, sees nothing of the host's tree (chroot into the upper directory,
 * then no capability to leave it) and holds only the file capabilities the files need. */
static __attribute__((noreturn)) void restore_confined(int upper, int tarfd,
                                                       struct ward_error *shared)
{
	const uint64_t keep = 1ULL << CAP_CHOWN | 1ULL << CAP_DAC_OVERRIDE |
	                      1ULL << CAP_DAC_READ_SEARCH | 1ULL << CAP_FOWNER |
	                      1ULL << CAP_FSETID | 1ULL << CAP_MKNOD | 1ULL << CAP_SETFCAP;
	close_all_but(upper, tarfd);
	if (fchdir(upper) < 0 || chroot(".") < 0 || caps_limit_bounding(keep) < 0 ||
	    caps_apply(keep, true) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		ward_error_set(shared, errno, "saved writable layer: confining the restore");
		_exit(1);
	}
	_exit(upper_restore(upper, tarfd, shared) < 0 ? 1 : 0);
}

/* The saved layer LAYER_IN unpacked into BASE/upper, before overlayfs sees it. */
static int restore_layer(int base, int layer_in, uint64_t disk, struct ward_error *e)
{
	autoclose int upper =
	    openat(base, "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (upper < 0)
		return ward_error_set(e, errno, "rootfs: opening the writable layer");
	struct ward_error *shared =
	    mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return ward_error_set(e, errno, "saved writable layer");
	*shared = (struct ward_error){0};
	pid_t pid = fork();
	if (pid == 0)
		restore_confined(upper, layer_in, shared);
	int status = -1;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int rc = 0;
	if (pid < 0) {
		rc = ward_error_set(e, errno, "saved writable layer: fork");
	} else if (status != 0 && shared->err == ENOSPC) {
		char size[32];
		copy_format_size(disk, size, sizeof(size));
		rc = disk
		         ? ward_error_set(e, 0, "saved writable layer does not fit --disk %s", size)
		         : ward_error_set(e, 0,
		                          "saved writable layer does not fit the writable "
		                          "layer (no --disk: half of the memory)");
	} else if (WIFSIGNALED(status)) { /* its tmpfs pages count against --memory */
		rc = ward_error_set(
		    e, 0, "saved writable layer: the restore was killed by signal %d%s",
		    WTERMSIG(status),
		    WTERMSIG(status) == SIGKILL ? " (is --memory too small for it?)" : "");
	} else if (status != 0) {
		*e = *shared;
		rc = shared->msg[0] ? -1
		                    : ward_error_set(e, 0, "saved writable layer: restore failed");
	}
	munmap(shared, sizeof(*shared));
	return rc;
}

/* The writable layer: overlay of the (possibly idmapped) image tree under a tmpfs upper
 * layer that disappears with the mount namespace; LAYER_IN (or -1) restored into it first. */
static int mount_overlay(int base, int lower, int layer_in, uint64_t disk, struct ward_error *e)
{
	static const char *const dirs[] = {"lower", "upper", "work"};
	for (size_t i = 0; i < 3; i++)
		if (mkdirat(base, dirs[i], 0755) < 0)
			return ward_error_set(e, errno, "rootfs: preparing the writable layer");
	if (layer_in >= 0 && restore_layer(base, layer_in, disk, e) < 0)
		return -1;
	autoclose int lowerdir = openat(base, "lower", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (lowerdir < 0 || mount_on(lower, lowerdir) < 0)
		return ward_error_set(e, errno, "rootfs: attaching the root filesystem");
	static const char *const ovl_opts[] = {
	    "lowerdir=" BASE "/lower",
	    "upperdir=" BASE "/upper",
	    "workdir=" BASE "/work",
	    "userxattr",
	    NULL,
	};
	int ovl = fs_new("overlay", ovl_opts, MOUNT_ATTR_NODEV);
	return ovl < 0
	           ? ward_error_set(e, errno, "rootfs: mounting overlayfs over the root filesystem")
	           : ovl;
}

/* Rootless: this namespace's view of DIR, which must still be the directory the supervisor
 * opened. */
static int clone_own_view(const char *path, int rootdirfd, struct ward_error *e)
{
	autoclose int fd = reopen_same(path, O_DIRECTORY, rootdirfd);
	if (fd < 0)
		return ward_error_set(
		    e, errno,
		    errno == ESTALE
		        ? "rootfs: the root filesystem directory was replaced during start"
		        : "rootfs: reopening the root filesystem");
	int m = clone_tree(fd, 0);
	return m < 0 ? ward_error_set(e, errno, "rootfs: cloning the root filesystem tree") : m;
}

int rootfs_assemble(const char *path, int rootdirfd, int idmapped, bool read_only, bool scratch,
                    uint64_t disk, int layer_in, int *upper, struct ward_error *e)
{
	if (upper)
		*upper = -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return ward_error_set(e, errno, "rootfs: making / private");
	autoclose int lower = idmapped >= 0 ? idmapped : clone_own_view(path, rootdirfd, e);
	if (lower < 0)
		return -1;
	if (read_only) {
		struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV};
		if (mount_setattr(lower, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
			return ward_error_set(e, errno, "rootfs: making the root read-only");
		if (!scratch) { /* nothing to keep aside: the tree itself goes on BASE */
			if (move_mount(lower, "", AT_FDCWD, BASE, MOVE_MOUNT_F_EMPTY_PATH) < 0)
				return ward_error_set(
				    e, errno, "rootfs: attaching the root filesystem on " BASE);
			int fd = open(BASE, O_PATH | O_DIRECTORY | O_CLOEXEC);
			return fd < 0 ? ward_error_set(e, errno, "rootfs: opening the root") : fd;
		}
	}
	autoclose int base = mount_scratch(disk, e);
	if (base < 0)
		return -1;
	autoclose int root =
	    read_only ? take_fd(&lower) : mount_overlay(base, lower, layer_in, disk, e);
	if (root < 0)
		return -1;
	if (upper && !read_only &&
	    (*upper = openat(base, "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return ward_error_set(e, errno, "rootfs: opening the writable layer");
	autoclose int rootdir = -1;
	if (mkdirat(base, "root", 0755) < 0 ||
	    (rootdir = openat(base, "root", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    mount_on(root, rootdir) < 0)
		return ward_error_set(e, errno, "rootfs: attaching the root");
	int fd = open(BASE "/root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? ward_error_set(e, errno, "rootfs: opening the root") : fd;
}

int rootfs_pivot(int rootfd, struct ward_error *e)
{
	/* pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves
	 * no path back to the host tree. */
	if (fchdir(rootfd) < 0)
		return ward_error_set(e, errno, "pivot_root: entering the new root");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return ward_error_set(e, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return ward_error_set(e, errno, "pivot_root: detaching the host root");
	if (chdir("/") < 0)
		return ward_error_set(e, errno, "pivot_root: chdir /");
	return 0;
}
