/* Volumes: opened by the supervisor through O_PATH fds, mounted by the child through fds on
 * targets resolved inside the root, then checked to be where they were meant to be. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "channel.h"
#include "fsutil.h"
#include "sys.h"
#include "volumes.h"

static const char *mode_name(enum ward_volume_mode m)
{
	return m == WARD_VOLUME_RO ? "ro" : m == WARD_VOLUME_OVERLAY ? "overlay" : "rw";
}

/* A user namespace whose only mapping shows host id OWNER as container id WANT (given as
 * host id through the sandbox's map). Made by a short-lived helper process. */
static int owner_userns(uid_t owner, gid_t group, uint32_t uid_out, uint32_t gid_out,
                        struct ward_error *e)
{
	int sv[2];
	if (pipe2(sv, O_CLOEXEC) < 0) {
		ward_error_set(e, errno, "volumes: pipe");
		return -1;
	}
	pid_t p = fork();
	if (p == 0) {
		char b;
		close(sv[1]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(1);
		if (read(sv[0], &b, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(sv[0]);
	int fd = -1;
	char path[64], map[64];
	/* the helper must have unshared before its maps are written: wait for the new ns */
	for (int i = 0; i < 1000 && p > 0; i++) {
		struct stat a, b;
		snprintf(path, sizeof(path), "/proc/%d/ns/user", p);
		if (stat(path, &a) == 0 && stat("/proc/self/ns/user", &b) == 0 &&
		    a.st_ino != b.st_ino)
			break;
		usleep(100);
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", p);
	snprintf(map, sizeof(map), "%u %u 1", owner, uid_out);
	autoclose int u = p > 0 ? open(path, O_WRONLY | O_CLOEXEC) : -1;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", p);
	autoclose int g = p > 0 ? open(path, O_WRONLY | O_CLOEXEC) : -1;
	char gmap[64];
	snprintf(gmap, sizeof(gmap), "%u %u 1", group, gid_out);
	if (u >= 0 && g >= 0 && write(u, map, strlen(map)) > 0 &&
	    write(g, gmap, strlen(gmap)) > 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", p);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		ward_error_set(e, errno, "volumes: making the ownership map");
	close(sv[1]);
	if (p > 0)
		waitpid(p, NULL, 0);
	return fd;
}

static uint32_t host_id(const struct ward_idmap *m, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].inside && id - m[i].inside < m[i].count)
			return m[i].outside + (id - m[i].inside);
	return UINT32_MAX;
}

/* Root callers: a detached, attribute-set (and idmapped) clone of the host path. */
static int root_volume(const struct ward_spec *s, const struct ward_volume *v, int fd,
                       const struct stat *st, struct ward_error *e)
{
	if (v->mode == WARD_VOLUME_RW && (st->st_uid == 0 || st->st_gid == 0)) {
		ward_error_set(
		    e, 0,
		    "volume %s: owned by host root; a rw volume would let the sandbox make "
		    "root-owned (even setuid) files on the host. chown it to a user, or "
		    "mount it :ro",
		    v->host);
		return -1;
	}
	autoclose int m =
	    open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (m < 0) {
		ward_error_set(e, errno, "volume %s: cloning its mount", v->host);
		return -1;
	}
	struct mount_attr a = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
	                                   (v->mode == WARD_VOLUME_RO ? MOUNT_ATTR_RDONLY : 0)};
	if (mount_setattr(m, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0) {
		ward_error_set(e, errno, "volume %s: setting nosuid,nodev%s", v->host,
		               v->mode == WARD_VOLUME_RO ? ",ro" : "");
		return -1;
	}
	/* The host owner appears as the workload's user; other host ids stay unmapped. */
	autoclose int ns =
	    owner_userns(st->st_uid, st->st_gid, host_id(s->uid_map, s->n_uid_map, s->uid),
	                 host_id(s->gid_map, s->n_gid_map, s->gid), e);
	if (ns < 0)
		return -1;
	struct mount_attr idm = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)ns};
	if (mount_setattr(m, "", AT_EMPTY_PATH, &idm, sizeof(idm)) < 0) {
		ward_error_set(e, errno, "volume %s: its filesystem cannot be idmapped", v->host);
		return -1;
	}
	return take_fd(&m);
}

int volumes_open(const struct ward_spec *s, int *fds, struct ward_error *e)
{
	for (size_t i = 0; i < s->n_volumes; i++)
		fds[i] = -1;
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct ward_volume *v = &s->volumes[i];
		if (v->mode == WARD_VOLUME_OVERLAY) {
			ward_error_set(e, 0, "volume %s: mode overlay is not supported yet",
			               v->host);
			goto fail;
		}
		autoclose int fd = open(v->host, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0) {
			ward_error_set(e, errno, "volume %s: host path", v->host);
			goto fail;
		}
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
			ward_error_set(
			    e, 0, "volume %s: host path is %s; give a directory or a file", v->host,
			    S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory or file");
			goto fail;
		}
		fds[i] = geteuid() == 0 ? root_volume(s, v, fd, &st, e) : take_fd(&fd);
		if (fds[i] < 0)
			goto fail;
	}
	return 0;
fail:
	volumes_close(fds, s->n_volumes);
	return -1;
}

void volumes_close(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* Rootless: open_tree() clones only mounts of the caller's own namespace; reopen the host
 * path here and insist it is still the inode the supervisor opened. */
static int own_clone(const struct ward_volume *v, int fd, int sock)
{
	autoclose int again = open(v->host, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat a, b;
	if (again < 0 || fstat(again, &a) < 0 || fstat(fd, &b) < 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino) {
		msg_fail(sock, again < 0 ? errno : ESTALE,
		         "volume %s: host path changed during start", v->host);
		return -1;
	}
	int m = open_tree(again, "",
	                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	struct mount_attr at = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
	                                    (v->mode == WARD_VOLUME_RO ? MOUNT_ATTR_RDONLY : 0)};
	if (m < 0 || mount_setattr(m, "", AT_EMPTY_PATH | AT_RECURSIVE, &at, sizeof(at)) < 0) {
		msg_fail(sock, errno, "volume %s: cloning its mount", v->host);
		if (m >= 0)
			close(m);
		return -1;
	}
	return m;
}

/* The mount point inside the root: every component resolved without following symlinks,
 * missing ones created (directories; the last one a file for a file volume). */
static int target(int rootfd, const char *path, bool is_dir, bool read_only, int sock)
{
	autoclose int dir = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	const char *p = path + 1;
	while (dir >= 0) {
		const char *slash = strchrnul(p, '/');
		char name[256];
		if ((size_t)(slash - p) >= sizeof(name)) {
			msg_fail(sock, ENAMETOOLONG, "volume target %s", path);
			return -1;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(slash - p), p);
		bool last = !*slash;
		int fd = open_in_root(dir, name, O_PATH | (last && !is_dir ? 0 : O_DIRECTORY));
		if (fd < 0 && errno == ENOENT && !read_only) {
			int r = last && !is_dir ? mknodat(dir, name, S_IFREG | 0644, 0)
			                        : mkdirat(dir, name, 0755);
			if (r < 0 && errno != EEXIST) {
				msg_fail(sock, errno, "volume target %s: creating %s", path, name);
				return -1;
			}
			fd = open_in_root(dir, name, O_PATH | (last && !is_dir ? 0 : O_DIRECTORY));
		}
		struct stat ls;
		if (fd < 0 && (errno == ENOTDIR || errno == ELOOP) &&
		    fstatat(dir, name, &ls, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(ls.st_mode))
			errno = ELOOP;
		if (fd < 0) {
			int err = errno;
			msg_fail(sock, err,
			         err == ELOOP
			             ? "volume target %s: a symbolic link in the image; refusing "
			               "to mount through it"
			         : err == ENOENT
			             ? "volume target %s: missing and the root is read-only"
			             : "volume target %s",
			         path);
			return -1;
		}
		close(dir);
		dir = fd;
		if (last)
			return take_fd(&dir);
		p = slash + 1;
	}
	return -1;
}

int volumes_prepare(const struct ward_spec *s, int *fds, int sock)
{
	if (s->idmapped_root)
		return 0; /* the supervisor's detached clones are ready */
	for (size_t i = 0; i < s->n_volumes; i++) {
		int m = own_clone(&s->volumes[i], fds[i], sock);
		if (m < 0)
			return -1;
		close(fds[i]);
		fds[i] = m;
	}
	return 0;
}

int volumes_attach(const struct ward_spec *s, int rootfd, const int *fds, int sock)
{
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct ward_volume *v = &s->volumes[i];
		struct stat src;
		if (fstat(fds[i], &src) < 0) {
			msg_fail(sock, errno, "volume %s", v->host);
			return -1;
		}
		autoclose int m = fcntl(fds[i], F_DUPFD_CLOEXEC, 0);
		if (m < 0)
			return -1;
		autoclose int t =
		    target(rootfd, v->container, S_ISDIR(src.st_mode), s->read_only, sock);
		if (t < 0)
			return -1;
		if (mount_on(m, t) < 0) {
			msg_fail(sock, errno, "volume %s: mounting on %s", v->host, v->container);
			return -1;
		}
		/* Verify: the container path now leads to the host object, inside the root. */
		autoclose int check = open_in_root(rootfd, v->container + 1, O_PATH);
		struct stat now, mnt;
		if (check < 0 || fstat(check, &now) < 0 || fstat(m, &mnt) < 0 ||
		    now.st_dev != mnt.st_dev || now.st_ino != mnt.st_ino) {
			errno = EXDEV;
			msg_fail(sock, errno, "volume %s: not found at %s after mounting (%s)",
			         v->host, v->container, mode_name(v->mode));
			return -1;
		}
	}
	return 0;
}
