/* Directory tree → tar entries, through fds, never following a symlink. */
#include <dirent.h>
#include <errno.h>
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

int tree_tar_children(struct tree_tar *t, int fd, const char *prefix)
{
	DIR *d = fdopendir(dup(fd));
	if (!d)
		return fail(t, prefix, NULL);
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
	/* A file that shrank while read is padded to the size already written down. */
	for (; done < size; done++)
		if (tar_write_data(&t->tw, "", 1) < 0)
			return -1;
	return tar_write_pad(&t->tw, size);
}

/* An OCI whiteout: an empty file named .wh.NAME next to where NAME was. */
static int whiteout(struct tree_tar *t, const char *path, const char *name)
{
	char wh[4300];
	size_t dir = strlen(path) - strlen(name);
	snprintf(wh, sizeof(wh), "%.*s.wh.%s", (int)dir, path, name);
	struct tar_header h = {.path = wh + 2, .type = '0', .mode = 0600};
	return tar_write_header(&t->tw, &h);
}

static bool opaque(int fd)
{
	char v[4];
	ssize_t n = fgetxattr(fd, "user.overlay.opaque", v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

static int add(struct tree_tar *t, int dirfd, const char *name, const char *path)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(t, path, NULL);
	if (t->overlay_upper && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
		return whiteout(t, path, name) < 0 ? fail(t, path, "writing: ") : 0;
	if (S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		return 0; /* never part of a layer */
	struct tar_header h = {
	    .path = path + 2, /* "./x" → "x" */
	    .mode = st.st_mode & 07777,
	    .uid = t->owner ? t->owner(t, st.st_uid, false) : st.st_uid,
	    .gid = t->owner ? t->owner(t, st.st_gid, true) : st.st_gid,
	    .mtime = st.st_mtim.tv_sec,
	};
	char target[4097];
	autoclose int fd = -1;
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = 0;
		h.type = '2', h.linkname = target;
	} else if (S_ISFIFO(st.st_mode)) {
		h.type = '6';
	} else if (S_ISREG(st.st_mode) && st.st_nlink > 1 &&
	           (h.linkname = hardlink_of(t, &st, h.path))) {
		h.type = '1';
	} else {
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return fail(t, path, NULL);
		h.type = S_ISDIR(st.st_mode) ? '5' : '0';
		h.size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	}
	if (tar_write_header(&t->tw, &h) < 0 || (h.type == '0' && copy_data(t, fd, h.size) < 0))
		return fail(t, path, "writing: ");
	if (h.type != '5')
		return 0;
	if (t->overlay_upper && opaque(fd)) {
		char opq[4300];
		snprintf(opq, sizeof(opq), "%s/.wh..wh..opq", path);
		struct tar_header o = {.path = opq + 2, .type = '0', .mode = 0600};
		if (tar_write_header(&t->tw, &o) < 0)
			return fail(t, path, "writing: ");
	}
	return tree_tar_children(t, fd, path);
}
