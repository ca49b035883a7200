/* Directory tree → tar entries, through fds, never following a symlink. */
#include <archive_entry.h>
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "sys.h"
#include "tree_tar.h"

static int add(struct tree_tar *t, int dirfd, const char *name, const char *path);

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int fail(struct tree_tar *t, const char *path, const char *what)
{
	snprintf(t->err, sizeof(t->err), "%.200s: %s%s", path, what ? what : "", strerror(errno));
	return -1;
}

/* A failed write: the sink's errno, else libarchive's word for it. */
static int fail_write(struct tree_tar *t, const char *path)
{
	if (errno)
		return fail(t, path, "writing: ");
	snprintf(t->err, sizeof(t->err), "%.200s: writing: %s", path, tar_writer_error(&t->tw));
	return -1;
}

int tree_tar_children(struct tree_tar *t, int fd, const char *prefix)
{
	/* a description of its own: a dup() shares FD's offset, and the supervisor's upper fd is
	 * walked again at each commit and at stop (a second walk would start at the end) */
	int own = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = own < 0 ? NULL : fdopendir(own);
	if (!d) {
		if (own >= 0)
			close(own);
		return fail(t, prefix, NULL);
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char **g = realloc(names, (n + 1) * sizeof(*names));
		if (!g || !(g[n] = strdup(de->d_name))) {
			names = g ? g : names;
			rc = fail(t, prefix, NULL);
			break;
		}
		names = g;
		n++;
	}
	closedir(d);
	if (n) /* sorted: the same tree gives the same bytes */
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		char child[4200];
		snprintf(child, sizeof(child), "%s/%s", prefix, names[i]);
		if (rc == 0)
			rc = add(t, fd, names[i], child);
		free(names[i]);
	}
	free(names);
	return rc;
}

void tree_tar_free(struct tree_tar *t)
{
	for (size_t i = 0; i < t->n_links; i++)
		free(t->links[i].path);
	free(t->links);
	t->links = NULL;
	t->n_links = 0;
	tar_writer_free(&t->tw);
}

static const char *hardlink_of(struct tree_tar *t, const struct stat *st, const char *path)
{
	for (size_t i = 0; i < t->n_links; i++)
		if (t->links[i].dev == st->st_dev && t->links[i].ino == st->st_ino)
			return t->links[i].path;
	struct tree_tar_link *g = realloc(t->links, (t->n_links + 1) * sizeof(*g));
	if (g) {
		t->links = g;
		t->links[t->n_links++] =
		    (struct tree_tar_link){st->st_dev, st->st_ino, strdup(path)};
	}
	return NULL;
}

static int copy_data(struct tree_tar *t, int fd, uint64_t size)
{
	static char buf[1 << 16];
	uint64_t done = 0;
	ssize_t r;
	while (done < size && (r = read(fd, buf, sizeof(buf))) > 0) {
		size_t n = (uint64_t)r > size - done ? (size_t)(size - done) : (size_t)r;
		if (tar_write_data(&t->tw, buf, n) < 0)
			return -1;
		done += n;
	}
	/* A file that shrank while read is padded (by libarchive) to the size written down. */
	return 0;
}

/* An entry with nothing host-specific: no owner names, atime, ctime, dev or ino. */
static struct archive_entry *entry(const char *path, mode_t type, uint32_t perm)
{
	struct archive_entry *en = archive_entry_new();
	if (en) {
		archive_entry_copy_pathname(en, path);
		archive_entry_set_filetype(en, type);
		archive_entry_set_perm(en, perm);
	}
	return en;
}

static int write_entry(struct tree_tar *t, struct archive_entry *en)
{
	errno = 0;
	int rc = en ? tar_write_entry(&t->tw, en) : -1;
	archive_entry_free(en);
	return rc;
}

/* An OCI whiteout: an empty file named .wh.NAME next to where NAME was. */
static int whiteout(struct tree_tar *t, const char *path, const char *name)
{
	char wh[4300];
	size_t dir = strlen(path) - strlen(name);
	snprintf(wh, sizeof(wh), "%.*s.wh.%s", (int)dir, path, name);
	return write_entry(t, entry(wh + 2, AE_IFREG, 0600));
}

static bool opaque(int fd)
{
	char v[4];
	ssize_t n = fgetxattr(fd, "user.overlay.opaque", v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

/* user.* but overlayfs' own, and file capabilities: what an image may carry. trusted.* and
 * security.selinux belong to the host (and unpack drops them anyway). */
static bool xattr_kept(const char *name)
{
	if (!strncmp(name, "user.", 5))
		return strncmp(name, "user.overlay.", 13) != 0;
	return !strcmp(name, "security.capability");
}

/* A v3 capability (root id of a user namespace, as a host id here) becomes v2 when that id
 * is the container's root, as images carry them; other root ids are mapped like owners. */
static size_t fix_capability(const struct tree_tar *t, unsigned char *v, size_t n)
{
	struct vfs_ns_cap_data c;
	if (!t->owner || n != sizeof(c))
		return n;
	memcpy(&c, v, n);
	if ((le32toh(c.magic_etc) & VFS_CAP_REVISION_MASK) != VFS_CAP_REVISION_3)
		return n;
	uint32_t root = t->owner(t, le32toh(c.rootid), false);
	if (root == 0) {
		c.magic_etc =
		    htole32((le32toh(c.magic_etc) & ~VFS_CAP_REVISION_MASK) | VFS_CAP_REVISION_2);
		memcpy(v, &c, XATTR_CAPS_SZ_2);
		return XATTR_CAPS_SZ_2;
	}
	c.rootid = htole32(root);
	memcpy(v, &c, n);
	return n;
}

static int cmp_strs(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* FD's kept xattrs, by name, onto EN. */
static int add_xattrs(const struct tree_tar *t, int fd, struct archive_entry *en)
{
	char list[8192];
	ssize_t len = flistxattr(fd, list, sizeof(list));
	if (len < 0)
		return errno == ENOTSUP || errno == ENODATA ? 0 : -1;
	const char *names[256];
	size_t n = 0;
	for (char *p = list; p < list + len && n < 256; p += strlen(p) + 1)
		if (xattr_kept(p))
			names[n++] = p;
	qsort(names, n, sizeof(*names), cmp_strs);
	for (size_t i = 0; i < n; i++) {
		unsigned char v[4096];
		ssize_t vl = fgetxattr(fd, names[i], v, sizeof(v));
		if (vl < 0 && errno == ENODATA)
			continue;
		if (vl < 0)
			return -1;
		size_t size = (size_t)vl;
		if (!strcmp(names[i], "security.capability"))
			size = fix_capability(t, v, size);
		archive_entry_xattr_add_entry(en, names[i], v, size);
	}
	return 0;
}

static int add(struct tree_tar *t, int dirfd, const char *name, const char *path)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(t, path, NULL);
	if (t->overlay_upper && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
		return whiteout(t, path, name) < 0 ? fail_write(t, path) : 0;
	if (S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		return 0; /* never part of a layer */
	int64_t mtime = st.st_mtim.tv_sec;
	if (t->clamp && mtime > t->clamp_to)
		mtime = t->clamp_to;
	if (mtime > t->newest)
		t->newest = mtime;
	const char *rel = path + 2; /* "./x" → "x" */
	struct archive_entry *en = entry(rel, st.st_mode & S_IFMT, st.st_mode & 07777);
	if (!en)
		return fail(t, path, NULL);
	archive_entry_set_uid(en, t->owner ? t->owner(t, st.st_uid, false) : st.st_uid);
	archive_entry_set_gid(en, t->owner ? t->owner(t, st.st_gid, true) : st.st_gid);
	archive_entry_set_mtime(en, mtime, 0);
	char target[4097];
	const char *link;
	autoclose int fd = -1;
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = 0;
		archive_entry_copy_symlink(en, target);
	} else if (S_ISREG(st.st_mode) && st.st_nlink > 1 && (link = hardlink_of(t, &st, rel))) {
		archive_entry_copy_hardlink(en, link);
	} else if (!S_ISFIFO(st.st_mode)) {
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || add_xattrs(t, fd, en) < 0) {
			archive_entry_free(en);
			return fail(t, path, NULL);
		}
		if (S_ISREG(st.st_mode))
			archive_entry_set_size(en, st.st_size);
	}
	bool data = fd >= 0 && S_ISREG(st.st_mode);
	if (write_entry(t, en) < 0 || (data && copy_data(t, fd, (uint64_t)st.st_size) < 0))
		return fail_write(t, path);
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (t->overlay_upper && opaque(fd)) {
		char opq[4300];
		snprintf(opq, sizeof(opq), "%s/.wh..wh..opq", path);
		if (write_entry(t, entry(opq + 2, AE_IFREG, 0600)) < 0)
			return fail_write(t, path);
	}
	return tree_tar_children(t, fd, path);
}
