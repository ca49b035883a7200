/* Reading and writing cgroup interface files, and making and removing the sandboxes'
 * directories: the bottom that cgroup.c and both backends stand on. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup_util.h"
#include "sys.h"

int cg_write(const char *dir, const char *file, const char *fmt, ...)
{
	char path[512], text[256];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, (size_t)n) != n)
		return -1;
	return 0;
}

int cg_read_u64(const char *dir, const char *file, const char *key, uint64_t *out)
{
	char path[512], line[256];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int rc = -1;
	size_t klen = key ? strlen(key) : 0;
	while (fgets(line, sizeof(line), f)) {
		const char *v = line;
		if (key) {
			if (strncmp(line, key, klen) != 0 || line[klen] != ' ')
				continue;
			v = line + klen + 1;
		}
		char *end;
		unsigned long long n = strtoull(v, &end, 10);
		if (end != v) {
			*out = n;
			rc = 0;
		}
		break;
	}
	fclose(f);
	return rc;
}

/* cgroup.events changes are announced as POLLPRI on an open fd (kernfs notify): no polling
 * loop. Freezing waits for every task to reach the freezer; 10 s is far past any real case. */
int cg_freeze_v2(const char *dir, bool on, struct ward_error *e)
{
	const char *what = on ? "pause" : "unpause";
	char path[512];
	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	autoclose int ev = open(path, O_RDONLY | O_CLOEXEC);
	if (ev < 0 || cg_write(dir, "cgroup.freeze", "%d", on) < 0)
		return ward_error_set(e, errno, "%s: %s/%s", what, dir,
		                      ev < 0 ? "cgroup.events" : "cgroup.freeze");
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (t = t0; t.tv_sec - t0.tv_sec < 10; clock_gettime(CLOCK_MONOTONIC, &t)) {
		char buf[512];
		ssize_t n = pread(ev, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return ward_error_set(e, errno, "%s: reading %s", what, path);
		buf[n] = 0;
		const char *f = strstr(buf, "frozen ");
		if (f && (f[7] == '1') == on)
			return 0;
		struct pollfd p = {.fd = ev, .events = POLLPRI};
		int r = poll(&p, 1, 100);
		if (r < 0 && errno != EINTR)
			return ward_error_set(e, errno, "%s: waiting on %s", what, path);
	}
	return ward_error_set(e, ETIMEDOUT, "%s: %s did not become %s", what, dir,
	                      on ? "frozen" : "thawed");
}

/* PARENT/<supervisor pid>, after removing a stale one of the same name. */
int cg_make(const char *parent, char *out, size_t len, struct ward_error *e)
{
	if (mkdir(parent, 0755) < 0 && errno != EEXIST) {
		ward_error_set(e, errno, "cgroup: creating %s", parent);
		return -1;
	}
	cg_sweep(parent);
	snprintf(out, len, "%s/%d", parent, getpid());
	if (mkdir(out, 0755) < 0 &&
	    (errno != EEXIST || cg_remove(out) < 0 || mkdir(out, 0755) < 0)) {
		ward_error_set(e, errno, "cgroup: creating %s", out);
		out[0] = 0;
		return -1;
	}
	return 0;
}

/* Kill every process still inside, then remove the directory. v2 has cgroup.kill; on v1
 * the processes are signalled one by one until none is left. */
int cg_remove(const char *dir)
{
	char child[512];
	snprintf(child, sizeof(child), "%s/" CGROUP_SANDBOX_LEAF, dir);
	if (access(child, F_OK) == 0)
		cg_remove(child);
	/* v1 frozen tasks take no SIGKILL until thawed (v2's cgroup.kill needs no thaw) */
	cg_write(dir, "freezer.state", "THAWED");
	if (cg_write(dir, "cgroup.kill", "1") < 0) {
		char path[512];
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		for (int round = 0; round < 50; round++) {
			FILE *f = fopen(path, "re");
			long pid;
			int n = 0;
			while (f && fscanf(f, "%ld", &pid) == 1)
				n += kill((pid_t)pid, SIGKILL) == 0;
			if (f)
				fclose(f);
			if (!n)
				break;
			nanosleep(&(struct timespec){.tv_nsec = 2 * 1000 * 1000}, NULL);
		}
	}
	for (int i = 0; i < 200; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		nanosleep(&(struct timespec){.tv_nsec = 5 * 1000 * 1000}, NULL);
	}
	return -1;
}

/* A killed supervisor whose parent has not reaped it yet (the host's init may take its
 * time) is gone all the same. */
static bool zombie(pid_t pid)
{
	char state;
	return proc_stat(pid, &state, NULL) == 0 && state == 'Z';
}

/* Each sandbox cgroup is named after its supervisor's pid; one whose supervisor is gone is
 * stale. */
void cg_sweep(const char *parent)
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
		if ((kill((pid_t)pid, 0) == 0 || errno != ESRCH) && !zombie((pid_t)pid))
			continue;
		char path[320];
		snprintf(path, sizeof(path), "%s/%ld", parent, pid);
		cg_remove(path);
	}
	closedir(d);
}
