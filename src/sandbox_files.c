/* Files of a running sandbox by handle: its root fd from the supervisor, then ward/files.h.
 * A root caller writes as the sandbox's root user, on this thread only and only for the
 * call: a long-lived caller's other work keeps its own ids. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/securebits.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sandbox.h"

/* What as_container_root changed, to put back. */
struct fs_ids {
	bool changed;
	int securebits;
	uid_t uid;
	gid_t gid;
};

/* Files a root caller makes inside must belong to the sandbox's root, not to host root
 * (whom the sandbox's filesystems cannot even represent): the fs ids change, the
 * capabilities stay (SECBIT_NO_SETUID_FIXUP), so host sources stay readable. */
static int as_container_root(uid_t uid, gid_t gid, struct fs_ids *saved, struct ward_error *e)
{
	*saved = (struct fs_ids){0};
	if (geteuid() != 0)
		return 0;
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (bits < 0 || prctl(PR_SET_SECUREBITS, bits | SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0)
		return ward_error_set(e, errno, "keeping capabilities across setfsuid");
	*saved = (struct fs_ids){.changed = true,
	                         .securebits = bits,
	                         .gid = (gid_t)setfsgid(gid),
	                         .uid = (uid_t)setfsuid(uid)};
	if ((uid_t)setfsuid((uid_t)-1) != uid || (gid_t)setfsgid((gid_t)-1) != gid)
		return ward_error_set(e, EPERM, "taking the sandbox root's ids (%u:%u)",
		                      (unsigned)uid, (unsigned)gid);
	return 0;
}

/* The ids back first, while the securebits still keep the capabilities as they are. */
static void restore_ids(const struct fs_ids *saved)
{
	if (!saved->changed)
		return;
	setfsuid(saved->uid);
	setfsgid(saved->gid);
	prctl(PR_SET_SECUREBITS, saved->securebits, 0, 0, 0);
}

/* SB's root (and its working directory, when CWD); WRITING: as its root user from now until
 * restore_ids. */
static int open_root(struct ward_sandbox *sb, bool writing, int *rootfd, uint64_t *disk, char **cwd,
                     struct fs_ids *saved, struct ward_error *e)
{
	uid_t uid;
	gid_t gid;
	*saved = (struct fs_ids){0};
	if (sb_root(sb, rootfd, &uid, &gid, disk, cwd, e) < 0)
		return -1;
	if (writing && as_container_root(uid, gid, saved, e) < 0) {
		restore_ids(saved);
		close(*rootfd);
		if (cwd) {
			free(*cwd);
			*cwd = NULL;
		}
		return -1;
	}
	return 0;
}

/* The bound of a copy out: the caller's, else the sandbox's --disk, else the library's. */
static struct ward_copy_opts copy_bound(const struct ward_copy_opts *o, uint64_t disk)
{
	struct ward_copy_opts c = o ? *o : (struct ward_copy_opts){0};
	if (!c.max_bytes)
		c.max_bytes = disk;
	return c;
}

int ward_sandbox_read(struct ward_sandbox *sb, const char *path, int out,
                      const struct ward_copy_opts *o, struct ward_error *e)
{
	int rootfd;
	uint64_t disk = 0;
	struct fs_ids ids;
	if (open_root(sb, false, &rootfd, &disk, NULL, &ids, e) < 0)
		return -1;
	struct ward_copy_opts c = copy_bound(o, disk);
	int rc = ward_file_read_opts(rootfd, path, out, &c, e);
	close(rootfd);
	return rc;
}

int ward_sandbox_write(struct ward_sandbox *sb, const char *path, int in, unsigned mode,
                       unsigned flags, struct ward_error *e)
{
	if (flags & ~WARD_WRITE_PARENTS)
		return ward_error_set(e, EINVAL, "write %s: unknown flags %#x", path, flags);
	int rootfd;
	char *cwd = NULL;
	struct fs_ids ids;
	if (open_root(sb, true, &rootfd, NULL, &cwd, &ids, e) < 0)
		return -1;
	/* a relative PATH is the sandbox's working directory's, as its processes see it */
	char *full = NULL;
	int rc = -1;
	if (path[0] != '/' && asprintf(&full, "%s/%s", cwd, path) < 0) {
		full = NULL;
		ward_error_set(e, ENOMEM, "write %s", path);
	} else {
		rc = ward_file_write_flags(rootfd, full ? full : path, in, mode,
		                           flags & WARD_WRITE_PARENTS ? WARD_FILE_PARENTS : 0, e);
	}
	restore_ids(&ids);
	close(rootfd);
	free(full);
	free(cwd);
	return rc;
}

int ward_sandbox_copy_in(struct ward_sandbox *sb, char *const *sources, size_t n, const char *dest,
                         struct ward_error *e)
{
	int rootfd;
	struct fs_ids ids;
	if (open_root(sb, true, &rootfd, NULL, NULL, &ids, e) < 0)
		return -1;
	int rc = ward_copy_in(rootfd, sources, n, dest, e);
	restore_ids(&ids);
	close(rootfd);
	return rc;
}

int ward_sandbox_copy_out(struct ward_sandbox *sb, const char *src, const char *hostdest,
                          const struct ward_copy_opts *o, struct ward_error *e)
{
	int rootfd;
	uint64_t disk = 0;
	struct fs_ids ids;
	if (open_root(sb, false, &rootfd, &disk, NULL, &ids, e) < 0)
		return -1;
	struct ward_copy_opts c = copy_bound(o, disk);
	int rc = ward_copy_out_opts(rootfd, src, hostdest, &c, e);
	close(rootfd);
	return rc;
}
