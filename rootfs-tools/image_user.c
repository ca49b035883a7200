/* A user ("name|uid[:group|gid]", from -u or an image's User) against the root's own
 * account files, read through an fd resolved inside the tree (CVE-2024-9676: never the
 * host's, never through a symlink that leaves the tree). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "image.h"
#include "sys.h"
#include "ward/ward.h"

static int parse_id(const char *s, uint32_t *out)
{
	uint64_t v;
	if (ward_parse_count(s, &v) < 0 || v >= UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Find the line of FILE whose field 0 is NAME (or whose field 2 is ID when NAME is NULL):
 * its id (field 2) and, for passwd, its group (field 3). */
static int lookup(int rootfd, const char *file, const char *name, uint32_t id, uint32_t *out_id,
                  uint32_t *out_gid)
{
	int fd = sys_openat2(rootfd, file, O_RDONLY | O_CLOEXEC,
	                     RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "re");
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char line[4096];
	int rc = -1;
	for (int lines = 0; rc < 0 && lines < 100000 && fgets(line, sizeof(line), f); lines++) {
		char *fields[4] = {0}, *save = NULL, *p = line;
		for (int i = 0; i < 4; i++) {
			fields[i] = strsep(&p, ":\n");
			if (!fields[i])
				break;
		}
		(void)save;
		uint32_t fid, fgid = 0;
		if (!fields[2] || parse_id(fields[2], &fid) < 0)
			continue;
		if (fields[3])
			parse_id(fields[3], &fgid);
		if (name ? !strcmp(fields[0], name) : fid == id) {
			*out_id = fid;
			if (out_gid)
				*out_gid = fgid;
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

int ward_root_user(const char *rootfs, const char *user, uint32_t *uid, uint32_t *gid,
                   struct ward_error *e)
{
	char buf[512];
	if (strlen(user) >= sizeof(buf)) {
		ward_error_set(e, 0, "user %.40s...: too long", user);
		return -1;
	}
	strcpy(buf, user);
	char *group = strchr(buf, ':');
	if (group)
		*group++ = 0;
	bool numeric = parse_id(buf, uid) == 0;
	bool numeric_group = group && parse_id(group, gid) == 0;
	if (numeric && numeric_group)
		return 0; /* nothing to look up */
	autoclose int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		ward_error_set(e, errno, "user %s: root %s", user, rootfs);
		return -1;
	}
	uint32_t pgid;
	if (!numeric && lookup(rootfd, "/etc/passwd", buf, 0, uid, &pgid) < 0) {
		ward_error_set(e, 0, "user %s: not in the root's /etc/passwd", buf);
		return -1;
	}
	/* A uid passwd does not list keeps its own number as its group. */
	if (numeric && !group && lookup(rootfd, "/etc/passwd", NULL, *uid, uid, &pgid) < 0)
		pgid = *uid;
	if (!group)
		*gid = pgid;
	else if (!numeric_group && lookup(rootfd, "/etc/group", group, 0, gid, NULL) < 0) {
		ward_error_set(e, 0, "group %s: not in the root's /etc/group", group);
		return -1;
	}
	return 0;
}
