/* Removing sandboxes from the state root, and cleaning after supervisors that died. A pid
 * from a record is acted on only through a pidfd taken while its start time and pid
 * namespace still match the record: a reused pid is never signalled. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup.h"
#include "cgroup_util.h"
#include "net.h"
#include "state.h"
#include "sys.h"

static int open_if_same(pid_t pid, uint64_t start, uint64_t ns_pid)
{
	if (pid <= 0 || !start)
		return -1;
	int fd = pidfd_open(pid, 0);
	if (fd < 0)
		return -1;
	char path[64];
	struct stat sb;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	/* checked after the pidfd exists: if these still match, the pidfd is that process */
	if (proc_start_time(pid) != start || stat(path, &sb) < 0 ||
	    (ns_pid && sb.st_ino != ns_pid)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void kill_and_wait(int pidfd)
{
	pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	poll(&p, 1, 2000);
}

/* Only directories of the cgroup filesystem, never a path a damaged record could aim
 * elsewhere. */
static void remove_cgroup(const char *path)
{
	if (strncmp(path, "/sys/fs/cgroup/", 15) != 0 || strstr(path, "/../") ||
	    strstr(path, "/ward") == NULL)
		return;
	cg_remove(path);
}

void state_reap(const struct sandbox_record *rec)
{
	/* The supervisor died: its sandbox's init normally went with it (parent-death signal),
	 * but a supervisor that died early may have left a cgroup. */
	int fd = open_if_same(rec->init, rec->init_start, rec->ns_pid);
	if (fd >= 0) {
		kill_and_wait(fd);
		close(fd);
	}
	for (size_t i = 0; i < rec->n_cgroups; i++)
		remove_cgroup(rec->cgroups[i]);
	if (rec->host_if[0])
		net_forget(rec->host_if);
}

static bool resting(enum sandbox_status s)
{
	return s == SB_STOPPED || s == SB_CREATED;
}

int state_remove(struct state *st, const struct sandbox_record *rec, struct ward_error *e)
{
	(void)e;
	if (!resting(rec->status))
		state_reap(rec);
	char link[64];
	ssize_t n = rec->name[0] ? readlinkat(st->names, rec->name, link, sizeof(link) - 1) : -1;
	if (n > 0) {
		link[n] = 0;
		if (!strcmp(link, rec->id))
			unlinkat(st->names, rec->name, 0);
	}
	state_remove_dir(st, rec->id);
	return 0;
}

void state_collect(struct state *st)
{
	if (state_lock(st, true) < 0)
		return;
	DIR *d = state_dir_stream(st->boxes, ".");
	struct dirent *de;
	bool dead = false; /* a supervisor died: its cgroups may not be in its record */
	while (d && (de = readdir(d))) {
		const char *n = de->d_name;
		/* a sandbox is reserved (.new-ID) and renamed to its id, and a removed one renamed
		 * to .gone-ID and emptied, under this same lock: one seen here belongs to a ward
		 * that died halfway */
		if (!strncmp(n, ".new-", 5) || !strncmp(n, ".gone-", 6)) {
			dead = true;
			state_remove_dir(st, n);
			continue;
		}
		if (n[0] == '.' || state_alive(st, n))
			continue;
		struct sandbox_record rec;
		struct ward_error e = {0};
		/* one it cannot trust stays; ward ps names it */
		if (state_read(st, n, &rec, &e) < 0)
			continue;
		if (resting(rec.status)) {
			/* a stop killed while it saved the writable layer */
			int dirfd =
			    openat(st->boxes, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (dirfd >= 0)
				unlinkat(dirfd, STATE_LAYER ".new", 0);
			if (dirfd >= 0)
				close(dirfd);
			continue;
		}
		dead = true;
		if (rec.status == SB_CREATING || rec.auto_remove) {
			state_remove(st, &rec, &e);
			continue;
		}
		/* it ran: it stays, stopped, with the layer of its last stop */
		state_reap(&rec);
		rec.status = SB_STOPPED;
		rec.finished = (int64_t)time(NULL) * 1000;
		rec.exit_code = 137;
		snprintf(rec.reason, sizeof(rec.reason), "lost");
		int dirfd = openat(st->boxes, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dirfd >= 0) { /* not written: the next look tries again */
			state_write(dirfd, &rec, &e);
			close(dirfd);
		}
	}
	if (d)
		closedir(d);
	/* names whose sandbox is gone */
	d = state_dir_stream(st->names, ".");
	while (d && (de = readdir(d))) {
		char link[64], rec[96];
		ssize_t len = readlinkat(st->names, de->d_name, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = 0;
		struct stat sb;
		snprintf(rec, sizeof(rec), "%s", link);
		if (strchr(rec, '/') || fstatat(st->boxes, rec, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			unlinkat(st->names, de->d_name, 0);
	}
	if (d)
		closedir(d);
	/* a supervisor killed before its record named its cgroups */
	if (dead)
		cgroup_sweep_all();
	/* also after a killed ward run, which has no record: ward's table without a veth */
	net_sweep();
	state_unlock(st);
}
