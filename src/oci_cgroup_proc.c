/* The processes in an OCI container's cgroups: attach, list, freeze, signal, and the end
 * (kill, wait, remove); the record's form of the directories. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_util.h"
#include "oci_cgroup_int.h"
#include "sys.h"

int oci_cgroup_attach(const struct oci_cgroup *cg, pid_t pid, struct ward_error *e)
{
	for (size_t i = 0; i < cg->n_v1; i++)
		if (cg_write(cg->v1[i], "cgroup.procs", "%d", pid) < 0)
			return ward_error_set(e, errno, "cgroup: moving %d into %s", pid,
			                      cg->v1[i]);
	if (cg->v2[0] && cg_write(cg->v2, "cgroup.procs", "%d", pid) < 0)
		return ward_error_set(e, errno, "cgroup: moving %d into %s", pid, cg->v2);
	return 0;
}

/* Any hierarchy holds every process; the unified tree where there is one. */
static const char *any_dir(const struct oci_cgroup *cg)
{
	return cg->v2[0] ? cg->v2 : cg->n_v1 ? cg->v1[0] : NULL;
}

static int collect(const char *dir, pid_t **pids, size_t *n, size_t *cap, int depth)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT && depth > 0 ? 0 : -1;
	long pid;
	while (fscanf(f, "%ld", &pid) == 1) {
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 16;
			pid_t *p = realloc(*pids, c * sizeof(**pids));
			if (!p) {
				fclose(f);
				return -1;
			}
			*pids = p;
			*cap = c;
		}
		(*pids)[(*n)++] = (pid_t)pid;
	}
	fclose(f);
	DIR *d = depth < 32 ? opendir(dir) : NULL;
	struct dirent *de;
	int rc = 0;
	while (d && rc == 0 && (de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			rc = collect(path, pids, n, cap, depth + 1);
		}
	if (d)
		closedir(d);
	return rc;
}

int oci_cgroup_pids(const struct oci_cgroup *cg, pid_t **pids, size_t *n, struct ward_error *e)
{
	*pids = NULL;
	*n = 0;
	const char *d = any_dir(cg);
	size_t cap = 0;
	if (d && collect(d, pids, n, &cap, 0) < 0) {
		int err = errno;
		free(*pids);
		*pids = NULL;
		*n = 0;
		return ward_error_set(e, err, "cgroup: listing the processes of %s", d);
	}
	return 0;
}

static bool read_line(const char *dir, const char *file, char *buf, size_t len)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *f = fopen(path, "re");
	bool ok = f && fgets(buf, (int)len, f);
	if (f)
		fclose(f);
	return ok;
}

/* v1 has no notification: freezer.state reads FREEZING until every task is frozen, and
 * a task caught mid-fork can leave it there; runc writes FROZEN again meanwhile. */
static int freeze_v1(const char *d, bool on, struct ward_error *e)
{
	const char *want = on ? "FROZEN" : "THAWED", *what = on ? "pause" : "resume";
	for (int i = 0; i < 2000; i++) {
		if (i % 50 == 0 && cg_write(d, "freezer.state", "%s", want) < 0)
			return ward_error_set(e, errno, "%s: writing %s/freezer.state", what, d);
		char state[32];
		if (read_line(d, "freezer.state", state, sizeof(state)) && !strncmp(state, want, 6))
			return 0;
		nanosleep(&(struct timespec){.tv_nsec = 5 * 1000 * 1000}, NULL);
	}
	if (on)
		cg_write(d, "freezer.state", "THAWED");
	return ward_error_set(e, ETIMEDOUT, "%s: %s did not become %s in 10 s", what, d, want);
}

int oci_cgroup_freeze(const struct oci_cgroup *cg, bool on, struct ward_error *e)
{
	const char *d = oci_cg_v1_dir(cg, "freezer");
	if (d)
		return freeze_v1(d, on, e);
	if (cg->v2[0])
		return cg_freeze_v2(cg->v2, on, e);
	return ward_error_set(e, 0, "%s: this container has no freezer cgroup",
	                      on ? "pause" : "resume");
}

bool oci_cgroup_frozen(const struct oci_cgroup *cg)
{
	char buf[512];
	const char *d = oci_cg_v1_dir(cg, "freezer");
	if (d)
		return read_line(d, "freezer.state", buf, sizeof(buf)) &&
		       !strncmp(buf, "FROZEN", 6);
	if (!cg->v2[0] || !read_line(cg->v2, "cgroup.freeze", buf, sizeof(buf)))
		return false;
	return buf[0] == '1';
}

int oci_cgroup_signal_all(const struct oci_cgroup *cg, int sig, struct ward_error *e)
{
	bool was = oci_cgroup_frozen(cg);
	/* hybrid: the v1 freezer holds the SIGKILL back until thawed */
	if (sig == SIGKILL && cg->v2[0] && cg_write(cg->v2, "cgroup.kill", "1") == 0)
		return was ? oci_cgroup_freeze(cg, false, e) : 0;
	bool froze = !was && oci_cgroup_freeze(cg, true, NULL) == 0;
	pid_t *pids;
	size_t n;
	int rc = oci_cgroup_pids(cg, &pids, &n, e);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			rc = ward_error_set(e, errno, "kill: process %d", pids[i]);
	free(pids);
	if (froze || (was && sig == SIGKILL))
		oci_cgroup_freeze(cg, false, NULL);
	return rc;
}

/* Sub-cgroups the container made first, then DIR itself (cg_remove kills, waits a bounded
 * time and removes). */
static void remove_tree(const char *dir, int depth)
{
	DIR *d = depth < 32 ? opendir(dir) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.') {
			char sub[600];
			snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
			remove_tree(sub, depth + 1);
		}
	if (d)
		closedir(d);
	cg_remove(dir);
}

void oci_cgroup_destroy(const struct oci_cgroup *cg)
{
	/* frozen tasks take no SIGKILL until thawed */
	if (oci_cgroup_frozen(cg))
		oci_cgroup_freeze(cg, false, NULL);
	oci_cgroup_signal_all(cg, SIGKILL, NULL);
	for (size_t i = 0; i < cg->n_v1; i++)
		remove_tree(cg->v1[i], 0);
	if (cg->v2[0])
		remove_tree(cg->v2, 0);
}

json_t *oci_cgroup_save(const struct oci_cgroup *cg)
{
	json_t *v1 = json_array();
	for (size_t i = 0; i < cg->n_v1; i++)
		json_array_append_new(v1, json_string(cg->v1[i]));
	return json_pack("{s:s, s:o}", "v2", cg->v2, "v1", v1);
}

/* A record is a file: nothing in it may point outside the cgroup mounts. */
static bool safe_dir(const char *p)
{
	return !strncmp(p, "/sys/fs/cgroup/", 15) && !strstr(p, "/..") && !strstr(p, "/./") &&
	       strlen(p) < 512;
}

int oci_cgroup_load(struct oci_cgroup *cg, json_t *saved, struct ward_error *e)
{
	memset(cg, 0, sizeof(*cg));
	json_t *v2 = json_object_get(saved, "v2"), *v1 = json_object_get(saved, "v1");
	if (!json_is_string(v2) || !json_is_array(v1) || json_array_size(v1) > OCI_CG_V1_MAX)
		return ward_error_set(e, 0, "container record: cgroup: malformed");
	const char *s = json_string_value(v2);
	if (*s && !safe_dir(s))
		return ward_error_set(e, 0, "container record: cgroup: bad directory \"%s\"", s);
	snprintf(cg->v2, sizeof(cg->v2), "%s", s);
	size_t i;
	json_t *d;
	json_array_foreach(v1, i, d)
	{
		if (!json_is_string(d) || !safe_dir(json_string_value(d))) {
			memset(cg, 0, sizeof(*cg));
			return ward_error_set(e, 0, "container record: cgroup: bad v1 directory");
		}
		snprintf(cg->v1[cg->n_v1++], sizeof(cg->v1[0]), "%s", json_string_value(d));
	}
	return 0;
}
