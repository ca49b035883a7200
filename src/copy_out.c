/* ward cp SANDBOX:/SRC HOST and ward read: out of a sandbox onto the host. The workload
 * decides what the files are, so the copy is bounded (bytes, depth), keeps holes and hard
 * links, takes the caller's umask, and appears on the host only once it is complete. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "copy.h"
#include "sys.h"

static mode_t caller_umask(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned m;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Umask: %o", &m) == 1) {
			fclose(f);
			return (mode_t)m & 0777;
		}
	if (f)
		fclose(f);
	mode_t old = umask(022); /* no /proc: the classic way */
	umask(old);
	return old;
}

static uint64_t max_bytes(const struct ward_copy_opts *o)
{
	return o && o->max_bytes ? o->max_bytes : WARD_COPY_DEFAULT_MAX;
}

/* NAME in DIR and everything below it, as far as this process may. */
static void remove_tree(int dir, const char *name, int depth)
{
	if (unlinkat(dir, name, 0) == 0 || errno != EISDIR || depth > COPY_MAX_DEPTH + 1)
		return;
	int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (d) {
		fchmod(fd, 0700); /* made by this copy, maybe read-only already */
		struct dirent *de;
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				remove_tree(fd, de->d_name, depth + 1);
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	unlinkat(dir, name, AT_REMOVEDIR);
}

/* A directory tree under a temporary name in DDIR, renamed to DNAME when complete. */
static int copy_tree(struct copy *c, int src, const struct stat *st, int ddir, const char *dname,
                     const char *what, struct ward_error *e)
{
	char tmp[40];
	copy_temp_name(tmp);
	if (mkdirat(ddir, tmp, 0700) < 0) {
		ward_error_set(e, errno, "%s: creating it", what);
		return -1;
	}
	c->top = openat(ddir, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	c->links = copy_links_new();
	int rc = -1;
	if (c->top < 0 || !c->links)
		ward_error_set(e, c->top < 0 ? errno : ENOMEM, "%s", what);
	else if (copy_entry(c, src, st, ddir, tmp, what, "", 0, e) == 0)
		rc = 0;
	if (rc == 0 && (fchmod(c->top, st->st_mode & 01777 & ~c->umask & ~(mode_t)S_IWOTH) < 0 ||
	                renameat2(ddir, tmp, ddir, dname, RENAME_NOREPLACE) < 0)) {
		if (errno == EEXIST)
			ward_error_set(e, 0, "%s: exists; a directory is copied to a new name",
			               what);
		else
			ward_error_set(e, errno, "%s", what);
		rc = -1;
	}
	if (c->top >= 0)
		close(c->top);
	copy_links_free(c->links);
	if (rc < 0)
		remove_tree(ddir, tmp, 0);
	return rc;
}

int ward_copy_out_opts(int rootfd, const char *src, const char *hostdest,
                       const struct ward_copy_opts *o, struct ward_error *e)
{
	char sdir[4096], sname[256];
	if (copy_split_path(src, sdir, sizeof(sdir), sname, sizeof(sname)) < 0) {
		ward_error_set(e, 0, "%s: name the file or directory to copy", src);
		return -1;
	}
	struct stat st;
	autoclose int fd = copy_reopen(copy_in_root(rootfd, src, O_PATH), &st, src, e);
	if (fd < 0)
		return -1;
	/* into HOSTDEST when it is a directory, else HOSTDEST is the new name */
	autoclose int ddir = open(hostdest, O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC);
	const char *dname = sname;
	char hdir[4096], hname[256], what[4400];
	if (ddir < 0) {
		if (copy_split_path(hostdest, hdir, sizeof(hdir), hname, sizeof(hname)) < 0 ||
		    (ddir = open(hdir, O_RDONLY | O_DIRECTORY | O_NOCTTY | O_CLOEXEC)) < 0) {
			ward_error_set(e, errno, "%s", hostdest);
			return -1;
		}
		dname = hname;
		snprintf(what, sizeof(what), "%s", hostdest);
	} else {
		snprintf(what, sizeof(what), "%s/%s", hostdest, sname);
	}
	struct copy c = {
	    .max = max_bytes(o), .to_host = true, .umask = caller_umask(), .top = -1, .o = o};
	if (S_ISDIR(st.st_mode))
		return copy_tree(&c, fd, &st, ddir, dname, what, e);
	return copy_entry(&c, fd, &st, ddir, dname, what, "", 0, e);
}

int ward_copy_out(int rootfd, const char *src, const char *hostdest, struct ward_error *e)
{
	return ward_copy_out_opts(rootfd, src, hostdest, NULL, e);
}

int ward_file_read_opts(int rootfd, const char *path, int out, const struct ward_copy_opts *o,
                        struct ward_error *e)
{
	struct stat st;
	autoclose int fd = copy_reopen(copy_in_root(rootfd, path, O_PATH), &st, path, e);
	if (fd < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		ward_error_set(e, 0, "%s: not a regular file", path);
		return -1;
	}
	/* a stream keeps no holes: the whole size counts, and is checked before any byte */
	if ((uint64_t)st.st_size > max_bytes(o)) {
		char cap[32];
		copy_format_size(max_bytes(o), cap, sizeof(cap));
		ward_error_set(e, EFBIG,
		               "%s: %lld bytes, more than --max-bytes %s; nothing was read", path,
		               (long long)st.st_size, cap);
		return -1;
	}
	/* no further than the size seen at open: a file that keeps growing still ends */
	return copy_stream(fd, out, (uint64_t)st.st_size, path, e);
}

int ward_file_read(int rootfd, const char *path, int out, struct ward_error *e)
{
	return ward_file_read_opts(rootfd, path, out, NULL, e);
}
