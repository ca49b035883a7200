/* Volumes: opened by the supervisor through O_PATH fds, mounted by the child through fds on
 * targets resolved inside the root, then checked to be where they were meant to be. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "channel.h"
#include "fsutil.h"
#include "idmap.h"
#include "sys.h"
#include "volumes.h"

static unsigned attrs(const struct ward_volume *v)
{
	return MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
	       (v->mode == WARD_VOLUME_RO ? MOUNT_ATTR_RDONLY : 0);
}

/* Root callers: a detached clone of the host path, idmapped so that its owner appears as
 * the workload's user and other host ids stay unmapped. */
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
	autoclose int m = clone_tree(fd, attrs(v));
	if (m < 0) {
		ward_error_set(e, errno, "volume %s: cloning its mount", v->host);
		return -1;
	}
	char umap[48], gmap[48];
	snprintf(umap, sizeof(umap), "%u %u 1", st->st_uid,
	         idmap_to_host(s->uid_map, s->n_uid_map, s->uid));
	snprintf(gmap, sizeof(gmap), "%u %u 1", st->st_gid,
	         idmap_to_host(s->gid_map, s->n_gid_map, s->gid));
	autoclose int ns = idmap_userns(umap, gmap, e);
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
		fds[i] = s->idmapped_root ? root_volume(s, v, fd, &st, e) : take_fd(&fd);
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
		const struct ward_volume *v = &s->volumes[i];
		autoclose int again = reopen_same(v->host, O_NOFOLLOW, fds[i]);
		int m = again < 0 ? -1 : clone_tree(again, attrs(v));
		if (m < 0) {
			msg_fail(sock, errno,
			         errno == ESTALE ? "volume %s: host path replaced during start"
			                         : "volume %s: cloning its mount in the sandbox",
			         v->host);
			return -1;
		}
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
		int m = fds[i];
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
			msg_fail(sock, errno, "volume %s: not found at %s after mounting", v->host,
			         v->container);
			return -1;
		}
	}
	return 0;
}
