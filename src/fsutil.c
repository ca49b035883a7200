/* fd-based mount operations on the new mount API. */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "sys.h"

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

int open_in_root(int rootfd, const char *path, int flags)
{
	return sys_openat2(rootfd, path, (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW), IN_ROOT);
}

int open_dir_in_root(int rootfd, const char *path, int create)
{
	int fd = open_in_root(rootfd, path, O_PATH | O_DIRECTORY);
	if (fd >= 0 || errno != ENOENT || !create)
		return fd;
	/* Only single components are created: the parent must already be a real directory. */
	const char *slash = strrchr(path, '/');
	autoclose int parent =
	    slash && slash != path
	        ? open_in_root(rootfd, strndupa(path, (size_t)(slash - path)), O_PATH | O_DIRECTORY)
	        : fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	if (parent < 0)
		return -1;
	const char *name = slash ? slash + 1 : path;
	if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST)
		return -1;
	return open_in_root(parent, name, O_PATH | O_DIRECTORY);
}

int fs_new(const char *type, const char *const *opts, unsigned attr)
{
	autoclose int fsfd = fsopen(type, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return -1;
	for (size_t i = 0; opts && opts[i]; i++) {
		const char *eq = strchr(opts[i], '=');
		int r;
		if (eq)
			r = fsconfig(fsfd, FSCONFIG_SET_STRING,
			             strndupa(opts[i], (size_t)(eq - opts[i])), eq + 1, 0);
		else
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opts[i], NULL, 0);
		if (r < 0)
			return -1;
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	return fsmount(fsfd, FSMOUNT_CLOEXEC, attr);
}

int mount_on(int mntfd, int targetfd)
{
	return move_mount(mntfd, "", targetfd, "",
	                  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

int clone_tree(int fd, unsigned attr)
{
	autoclose int m =
	    open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (m < 0)
		return -1;
	struct mount_attr a = {.attr_set = attr};
	if (attr && mount_setattr(m, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
		return -1;
	return take_fd(&m);
}

int bind_fd(int fd, int targetfd, unsigned attr)
{
	autoclose int m = clone_tree(fd, attr);
	return m < 0 ? -1 : mount_on(m, targetfd);
}

int reopen_same(const char *path, int flags, int expect)
{
	autoclose int fd = open(path, flags | O_PATH | O_CLOEXEC);
	struct stat a, b;
	if (fd < 0 || fstat(fd, &a) < 0 || fstat(expect, &b) < 0)
		return -1;
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		errno = ESTALE;
		return -1;
	}
	return take_fd(&fd);
}
