/* Volumes: opened by the supervisor through O_PATH fds, mounted by the child through fds on
 * targets resolved inside the root, then checked to be where they were meant to be. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "channel.h"
#include "fsutil.h"
#include "idmap.h"
#include "rootfs.h"
#include "sys.h"
#include "volumes.h"

static unsigned attrs(const struct ward_volume *v)
{
	/* an overlay's lower layer is never written: read-only guards the host copy twice */
	return MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
	       (v->mode != WARD_VOLUME_RW ? MOUNT_ATTR_RDONLY : 0);
}

/* The highest system group id: SYS_GID_MAX in /etc/login.defs, else GID_MIN - 1, else 999
 * (shadow's defaults). */
static unsigned long sys_gid_max(void)
{
	FILE *f = fopen("/etc/login.defs", "re");
	unsigned long sys_max = 0, gid_min = 0, v;
	char line[256], key[64];
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %63s %lu", key, &v) != 2)
			continue;
		if (!strcmp(key, "SYS_GID_MAX"))
			sys_max = v;
		else if (!strcmp(key, "GID_MIN"))
			gid_min = v;
	}
	if (f)
		fclose(f);
	return sys_max ? sys_max : gid_min ? gid_min - 1 : 999;
}

/* Root callers: a detached clone of the host path, idmapped so that its owner appears as
 * the workload's user and other host ids stay unmapped. The group mapped is the owner's
 * primary one (the path's own when the owner has no passwd entry): the sandbox gets no
 * group rights its owner would not use by default, and never a system group's. */
static int root_volume(const struct ward_spec *s, const struct ward_volume *v, int fd,
                       const struct stat *st, struct ward_error *e)
{
	if (v->mode == WARD_VOLUME_RW && (st->st_uid == 0 || st->st_gid == 0)) {
		return ward_error_set(
		    e, 0,
		    "volume %s: owned by host root; a rw volume would let the sandbox make "
		    "root-owned (even setuid) files on the host. chown it to a user, or "
		    "mount it :ro",
		    v->host);
	}
	if (v->mode == WARD_VOLUME_RW && st->st_gid <= sys_gid_max()) {
		return ward_error_set(
		    e, 0,
		    "volume %s: its group %u is a system group; a rw volume would "
		    "let the sandbox make files (even setgid ones) of that group "
		    "on the host. chown it to a user and their group, or mount it "
		    ":ro",
		    v->host, (unsigned)st->st_gid);
	}
	/* An unmapped group would leave the path unwritable (the kernel refuses writes to an
	 * inode whose ids it cannot map): say so instead. */
	struct passwd *pw = getpwuid(st->st_uid);
	gid_t group = pw ? pw->pw_gid : st->st_gid;
	if (v->mode == WARD_VOLUME_RW && group != st->st_gid)
		return ward_error_set(
		    e, 0,
		    "volume %s: its group %u is not its owner's primary group (%u), the "
		    "only one ward maps for a rw volume. chgrp it to %u, or mount it :ro",
		    v->host, (unsigned)st->st_gid, (unsigned)group, (unsigned)group);
	autoclose int m = clone_tree(fd, attrs(v));
	if (m < 0)
		return ward_error_set(e, errno, "volume %s: cloning its mount", v->host);
	char umap[48], gmap[48];
	snprintf(umap, sizeof(umap), "%u %u 1", st->st_uid,
	         idmap_to_host(s->idmaps.uid_map, s->idmaps.n_uid_map, s->uid));
	snprintf(gmap, sizeof(gmap), "%u %u 1", group,
	         idmap_to_host(s->idmaps.gid_map, s->idmaps.n_gid_map, s->gid));
	autoclose int ns = idmap_userns(umap, gmap, e);
	if (ns < 0)
		return -1;
	struct mount_attr idm = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)ns};
	if (mount_setattr(m, "", AT_EMPTY_PATH, &idm, sizeof(idm)) < 0)
		return ward_error_set(e, errno, "volume %s: its filesystem cannot be idmapped",
		                      v->host);
	return take_fd(&m);
}

int volumes_open(const struct ward_spec *s, int *fds, struct ward_error *e)
{
	for (size_t i = 0; i < s->n_volumes; i++)
		fds[i] = -1;
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct ward_volume *v = &s->volumes[i];
		autoclose int fd = open(v->host, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0) {
			ward_error_set(e, errno, "volume %s: host path", v->host);
			goto fail;
		}
		if (v->mode == WARD_VOLUME_OVERLAY && !S_ISDIR(st.st_mode)) {
			ward_error_set(e, 0, "volume %s: mode overlay needs a directory", v->host);
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
static int target(int rootfd, const char *path, bool is_dir, bool read_only, struct ward_error *e)
{
	autoclose int dir = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	const char *p = path + 1;
	while (dir >= 0) {
		const char *slash = strchrnul(p, '/');
		char name[256];
		if ((size_t)(slash - p) >= sizeof(name))
			return ward_error_set(e, ENAMETOOLONG, "volume target %s", path);
		snprintf(name, sizeof(name), "%.*s", (int)(slash - p), p);
		bool last = !*slash;
		int fd = open_in_root(dir, name, O_PATH | (last && !is_dir ? 0 : O_DIRECTORY));
		if (fd < 0 && errno == ENOENT && !read_only) {
			int r = last && !is_dir ? mknodat(dir, name, S_IFREG | 0644, 0)
			                        : mkdirat(dir, name, 0755);
			if (r < 0 && errno != EEXIST)
				return ward_error_set(e, errno, "volume target %s: creating %s",
				                      path, name);
			fd = open_in_root(dir, name, O_PATH | (last && !is_dir ? 0 : O_DIRECTORY));
		}
		struct stat ls;
		bool swapped = false;
		if (fd < 0 && (errno == ENOTDIR || errno == ELOOP) &&
		    fstatat(dir, name, &ls, AT_SYMLINK_NOFOLLOW) == 0) {
			/* a directory now, yet refused a moment ago: something swapped it */
			swapped = S_ISDIR(ls.st_mode) && (!last || is_dir);
			if (S_ISLNK(ls.st_mode))
				errno = ELOOP;
		}
		if (fd < 0) {
			int err = errno;
			return ward_error_set(
			    e, swapped ? 0 : err,
			    swapped ? "volume target %s: replaced while ward was mounting; "
			              "refusing to mount there"
			    : err == ELOOP
			        ? "volume target %s: a symbolic link in the image; refusing "
			          "to mount through it"
			    : err == ENOENT ? "volume target %s: missing and the root is read-only"
			                    : "volume target %s",
			    path);
		}
		close(dir);
		dir = fd;
		if (last)
			return take_fd(&dir);
		p = slash + 1;
	}
	return -1;
}

int volumes_prepare(const struct ward_spec *s, int *fds, struct ward_error *e)
{
	if (s->idmapped_root)
		return 0; /* the supervisor's detached clones are ready */
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct ward_volume *v = &s->volumes[i];
		autoclose int again = reopen_same(v->host, O_NOFOLLOW, fds[i]);
		int m = again < 0 ? -1 : clone_tree(again, attrs(v));
		if (m < 0)
			return ward_error_set(e, errno,
			                      errno == ESTALE
			                          ? "volume %s: host path replaced during start"
			                          : "volume %s: cloning its mount in the sandbox",
			                      v->host);
		close(fds[i]);
		fds[i] = m;
	}
	return 0;
}

/* Overlay volume I: the host tree as the lower layer of an overlay whose upper layer lives in
 * the sandbox's private scratch tmpfs (the host copy is never written). The upper layer goes
 * to the supervisor when it exports the changes. */
static int overlay_volume(const struct ward_spec *s, size_t i, int lower, int sock,
                          struct ward_error *e)
{
	char dir[64], opt[3][96];
	snprintf(dir, sizeof(dir), ROOTFS_SCRATCH "/vol%zu", i);
	static const char *const parts[] = {"", "/lower", "/upper", "/work"};
	for (size_t k = 0; k < 4; k++) {
		char p[96];
		snprintf(p, sizeof(p), "%s%s", dir, parts[k]);
		if (mkdir(p, 0755) < 0)
			return ward_error_set(e, errno, "volume %s: preparing its overlay",
			                      s->volumes[i].host);
	}
	snprintf(opt[0], sizeof(opt[0]), "lowerdir=%s/lower", dir);
	snprintf(opt[1], sizeof(opt[1]), "upperdir=%s/upper", dir);
	snprintf(opt[2], sizeof(opt[2]), "workdir=%s/work", dir);
	const char *const opts[] = {opt[0], opt[1], opt[2], "userxattr", NULL};
	autoclose int lowerdir = open(opt[0] + 9, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int m = lowerdir < 0 || mount_on(lower, lowerdir) < 0
	            ? -1
	            : fs_new("overlay", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (m < 0)
		return ward_error_set(e, errno, "volume %s: mounting its overlay",
		                      s->volumes[i].host);
	if (s->changes) {
		autoclose int upper = open(opt[1] + 9, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct msg u = {.type = MSG_UPPER, .value = (int32_t)i};
		if (upper < 0 || msg_send(sock, &u, upper) < 0) {
			ward_error_set(e, errno, "volume %s: passing its changes layer",
			               s->volumes[i].host);
			close(m);
			return -1;
		}
	}
	return m;
}

static int new_tmpfs(const struct ward_tmpfs *t, struct ward_error *e)
{
	char size[40], mode[24];
	snprintf(size, sizeof(size), "size=%llu", (unsigned long long)t->size);
	snprintf(mode, sizeof(mode), "mode=%o", t->mode);
	const char *const opts[] = {mode, t->size ? size : NULL, NULL};
	int m = fs_new("tmpfs", opts,
	               MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (t->noexec ? MOUNT_ATTR_NOEXEC : 0));
	return m < 0 ? ward_error_set(e, errno, "--tmpfs %s", t->container) : m;
}

/* Mount M on PATH inside the root, then check that PATH now leads to M's root. */
static int attach_checked(int rootfd, int m, const char *path, const char *what, bool read_only,
                          struct ward_error *e)
{
	struct stat src;
	if (fstat(m, &src) < 0)
		return ward_error_set(e, errno, "%s", what);
	autoclose int t = target(rootfd, path, S_ISDIR(src.st_mode), read_only, e);
	if (t < 0)
		return -1;
	if (mount_on(m, t) < 0)
		return ward_error_set(e, errno, "%s: mounting on %s", what, path);
	autoclose int check = open_in_root(rootfd, path + 1, O_PATH);
	struct stat now;
	if (check < 0 || fstat(check, &now) < 0 || now.st_dev != src.st_dev ||
	    now.st_ino != src.st_ino)
		return ward_error_set(e, EXDEV, "%s: not found at %s after mounting", what, path);
	return 0;
}

bool volumes_any_overlay(const struct ward_spec *s)
{
	for (size_t i = 0; i < s->n_volumes; i++)
		if (s->volumes[i].mode == WARD_VOLUME_OVERLAY)
			return true;
	return false;
}

/* Container path of mount I: volumes first, then tmpfs mounts. */
static const char *mount_path(const struct ward_spec *s, size_t i)
{
	return i < s->n_volumes ? s->volumes[i].container : s->tmpfs[i - s->n_volumes].container;
}

static size_t depth(const char *path)
{
	size_t n = 0;
	for (; *path; path++)
		n += *path == '/';
	return n;
}

int volumes_attach(const struct ward_spec *s, int rootfd, const int *fds, int sock,
                   struct ward_error *e)
{
	/* Shallowest first, so that a mount inside another lands on top of it; volumes before
	 * tmpfs at the same depth, each kind in the order given. */
	size_t n = s->n_volumes + s->n_tmpfs, order[n + 1];
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		for (; j > 0 && depth(mount_path(s, order[j - 1])) > depth(mount_path(s, i)); j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		char what[4200];
		int m;
		const char *path;
		if (i < s->n_volumes) {
			const struct ward_volume *v = &s->volumes[i];
			path = v->container;
			snprintf(what, sizeof(what), "volume %s", v->host);
			m = v->mode == WARD_VOLUME_OVERLAY ? overlay_volume(s, i, fds[i], sock, e)
			                                   : fcntl(fds[i], F_DUPFD_CLOEXEC, 0);
			if (m < 0 && v->mode != WARD_VOLUME_OVERLAY)
				ward_error_set(e, errno, "%s", what);
		} else {
			const struct ward_tmpfs *t = &s->tmpfs[i - s->n_volumes];
			path = t->container;
			snprintf(what, sizeof(what), "--tmpfs %s", t->container);
			m = new_tmpfs(t, e);
		}
		if (m < 0)
			return -1;
		int rc = attach_checked(rootfd, m, path, what, s->read_only, e);
		close(m);
		if (rc < 0)
			return -1;
	}
	return 0;
}
