/* Destinations inside an OCI container's root. Symlinks are followed as the container will
 * see them (the kernel's RESOLVE_IN_ROOT keeps them and ".." inside the root), and every
 * path is resolved again from the root after a step that created something. */
#include <errno.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "oci_paths.h"
#include "sys.h"

static int open_follow(int rootfd, const char *path, int flags)
{
	return sys_openat2(rootfd, path, (uint64_t)(flags | O_CLOEXEC),
	                   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

struct oci_fdpath oci_fdpath(int fd)
{
	struct oci_fdpath p;
	snprintf(p.s, sizeof(p.s), "/proc/self/fd/%d", fd);
	return p;
}

int oci_path_parent(int rootfd, const char *path, char *name)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t start = n;
	while (start > 0 && path[start - 1] != '/')
		start--;
	size_t len = n - start;
	if (len == 0 || len > NAME_MAX || (len == 1 && path[start] == '.') ||
	    (len == 2 && path[start] == '.' && path[start + 1] == '.')) {
		errno = len > NAME_MAX ? ENAMETOOLONG : EINVAL;
		return -1;
	}
	memcpy(name, path + start, len);
	name[len] = '\0';
	char *dir = strndupa(path, start);
	int fd = start == 0 ? fcntl(rootfd, F_DUPFD_CLOEXEC, 0)
	                    : oci_path_open(rootfd, dir, OCI_MAKE_DIR);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))) {
		close(fd);
		errno = ENOTDIR;
		return -1;
	}
	return fd;
}

/* Makes PATH's last component as MAKE says. 1: made or already there; 0: it is a dangling
 * symlink, whose target (relative to the root or to PATH's directory) is put in NEXT. */
static int make_last(int rootfd, const char *path, enum oci_make make, char *next, size_t size)
{
	char name[NAME_MAX + 1];
	autoclose int parent = oci_path_parent(rootfd, path, name);
	if (parent < 0)
		return -1;
	int r =
	    make == OCI_MAKE_DIR
	        ? mkdirat(parent, name, 0755)
	        : openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (r >= 0 && make == OCI_MAKE_FILE)
		close(r);
	if (r >= 0)
		return 1;
	if (errno != EEXIST)
		return -1;
	char target[PATH_MAX];
	ssize_t n = readlinkat(parent, name, target, sizeof(target) - 1);
	if (n < 0)
		return errno == EINVAL ? 1 : -1; /* made meanwhile, not a link */
	target[n] = '\0';
	const char *slash = strrchr(path, '/');
	int len = target[0] == '/' || !slash
	              ? snprintf(next, size, "%s", target)
	              : snprintf(next, size, "%.*s/%s", (int)(slash - path), path, target);
	if (len < 0 || (size_t)len >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int oci_path_open(int rootfd, const char *path, enum oci_make make)
{
	char cur[PATH_MAX], next[PATH_MAX];
	if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* a dangling symlink is made where it points, inside the root, as runc does
	 * (/etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf) */
	for (int hops = 0; hops < 40; hops++) {
		int fd = open_follow(rootfd, cur, O_PATH);
		if (fd >= 0 || errno != ENOENT || make == OCI_MAKE_NONE)
			return fd;
		int r = make_last(rootfd, cur, make, next, sizeof(next));
		if (r < 0)
			return -1;
		if (r == 1) /* from the root again: it may be a link made meanwhile */
			return open_follow(rootfd, cur, O_PATH);
		memcpy(cur, next, sizeof(cur));
	}
	errno = ELOOP;
	return -1;
}

bool oci_has_ns(const struct oci_config *o, int type)
{
	static const struct {
		int type;
		const char *name;
	} names[] = {{CLONE_NEWNET, "net"},      {CLONE_NEWIPC, "ipc"}, {CLONE_NEWUTS, "uts"},
	             {CLONE_NEWPID, "pid"},      {CLONE_NEWNS, "mnt"},  {CLONE_NEWUSER, "user"},
	             {CLONE_NEWCGROUP, "cgroup"}};
	for (size_t i = 0; i < o->n_ns; i++) {
		if (o->ns[i].type != type)
			continue;
		if (!o->ns[i].path)
			return true;
		/* a joined one may be the host's own (runc checks net the same way) */
		for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			char host[32];
			struct stat a, b;
			snprintf(host, sizeof(host), "/proc/1/ns/%s", names[j].name);
			if (names[j].type == type && stat(o->ns[i].path, &a) == 0 &&
			    stat(host, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
				return false;
		}
		return true;
	}
	return false;
}

int oci_remount(const char *path, unsigned long flags, const char *source)
{
	flags &= ~(unsigned long)(MS_REC | MS_REMOUNT | MS_BIND);
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | flags, NULL) == 0)
		return 0;
	if (errno != EPERM)
		return -1;
	struct statvfs sv;
	if (!source || statvfs(source, &sv) < 0) {
		errno = EPERM;
		return -1;
	}
	static const struct {
		unsigned long st, ms;
	} locked[] = {{ST_NOSUID, MS_NOSUID},    {ST_NODEV, MS_NODEV},
	              {ST_NOEXEC, MS_NOEXEC},    {ST_RDONLY, MS_RDONLY},
	              {ST_NOATIME, MS_NOATIME},  {ST_NODIRATIME, MS_NODIRATIME},
	              {ST_RELATIME, MS_RELATIME}};
	const unsigned long atime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME;
	for (size_t i = 0; i < sizeof(locked) / sizeof(locked[0]); i++)
		if (sv.f_flag & locked[i].st && (!(locked[i].ms & atime) || !(flags & atime)))
			flags |= locked[i].ms;
	return mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | flags, NULL);
}
