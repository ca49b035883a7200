/* Per-sandbox cgroup on the cgroup v2 hierarchy (the unified tree of hybrid hosts too:
 * grouping and cgroup.kill need no controller). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

#include "cgroup.h"
#include "sys.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

const char *cgroup_v2_root(void)
{
	static const char *const candidates[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
	for (size_t i = 0; i < 2; i++) {
		struct statfs sf;
		if (statfs(candidates[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
			return candidates[i];
	}
	return NULL;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && write(fd, text, strlen(text)) < 0) {
		/* best effort: the caller checks the result by removing the cgroup */
	}
}

/* cgroup.kill is asynchronous: rmdir succeeds once the last process has left. */
static int kill_and_remove(const char *path)
{
	write_file(path, "cgroup.kill", "1");
	for (int i = 0; i < 200; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		nanosleep(&(struct timespec){.tv_nsec = 5 * 1000 * 1000}, NULL);
	}
	return -1;
}

/* Each cgroup is named after its supervisor's pid; one whose supervisor is gone is stale. */
static void sweep_stale(const char *parent)
{
	DIR *d = opendir(parent);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (de->d_type != DT_DIR || *end || pid <= 0 || pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char path[320];
		snprintf(path, sizeof(path), "%s/%ld", parent, pid);
		kill_and_remove(path);
	}
	closedir(d);
}

int cgroup_create(struct cgroup *cg, struct ward_error *e)
{
	(void)e;
	cg->fd = -1;
	cg->path[0] = 0;
	const char *root = cgroup_v2_root();
	if (!root || geteuid() != 0)
		return 0;
	char parent[128];
	snprintf(parent, sizeof(parent), "%s/ward", root);
	if (mkdir(parent, 0755) < 0 && errno != EEXIST)
		return 0;
	sweep_stale(parent);
	snprintf(cg->path, sizeof(cg->path), "%s/%d", parent, getpid());
	if (mkdir(cg->path, 0755) < 0 &&
	    (errno != EEXIST || kill_and_remove(cg->path) < 0 || mkdir(cg->path, 0755) < 0)) {
		cg->path[0] = 0;
		return 0;
	}
	cg->fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* clone3 refuses O_PATH */
	if (cg->fd < 0) {
		rmdir(cg->path);
		cg->path[0] = 0;
	}
	return 0;
}

void cgroup_destroy(struct cgroup *cg)
{
	if (cg->fd >= 0)
		close(cg->fd);
	if (cg->path[0])
		kill_and_remove(cg->path);
	cg->fd = -1;
	cg->path[0] = 0;
}
