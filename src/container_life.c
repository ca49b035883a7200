/* The calls on a created container: start, state, kill, delete, pids, pause, update. Each
 * reads the record, checks the status the call needs, acts, and leaves the record true. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "container.h"
#include "container_harden.h"
#include "oci_hooks.h"
#include "sys.h"
#include "ward/container.h"

static int load(const char *dir, struct container_record *r, enum container_status *st,
                struct ward_error *e)
{
	if (container_record_load(dir, r, e) < 0)
		return -1;
	*st = container_status_of(dir, r);
	return 0;
}

/* Hooks of KIND with the container's state; FAILS_CALL: a failure fails the call (else it
 * is only the container's business, as the spec says of poststart and poststop). */
static int hooks(const char *dir, const struct container_record *r, enum oci_hook_kind kind,
                 const char *status, bool fails_call, struct ward_error *e)
{
	if (!(r->hook_kinds & (1 << kind)))
		return 0;
	struct ward_spec s;
	struct ward_error ignored;
	if (container_spec_load(dir, &s, fails_call ? e : &ignored) < 0)
		return fails_call ? -1 : 0;
	int rc = 0;
	if (s.oci->n_hooks[kind]) {
		char *state =
		    container_state_json(r->id, status, r->pid, r->bundle, s.oci->annotations,
		                         r->rootfs, r->created, r->owner, false);
		rc = oci_hooks_run(s.oci, kind, state ? state : "{}", fails_call ? e : &ignored);
		free(state);
	}
	spec_clear(&s);
	return fails_call ? rc : 0;
}

int ward_container_start(const char *dir, struct ward_error *e)
{
	struct container_record r;
	enum container_status st;
	if (load(dir, &r, &st, e) < 0)
		return -1;
	if (st != CONTAINER_CREATED)
		return ward_error_set(e, 0, "container %s is %s: only a created one can start",
		                      r.id, container_status_name(st));
	char fifo[PATH_MAX];
	snprintf(fifo, sizeof(fifo), "%s/%s", dir, CONTAINER_FIFO);
	autoclose int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return ward_error_set(e, errno == ENXIO ? 0 : errno,
		                      "container %s: its process is not waiting for start", r.id);
	fault_point("oci-start");
	if (write(fd, "0", 1) != 1)
		return ward_error_set(e, errno, "container %s: starting it", r.id);
	fault_point("oci-started");
	unlink(fifo);
	return hooks(dir, &r, OCI_HOOK_POSTSTART, "running", false, e);
}

int ward_container_state(const char *dir, char **json, struct ward_error *e)
{
	struct container_record r;
	enum container_status st;
	if (load(dir, &r, &st, e) < 0)
		return -1;
	struct ward_spec s;
	struct ward_error ignored;
	bool have_spec = r.annotated && container_spec_load(dir, &s, &ignored) == 0;
	*json = container_state_json(
	    r.id, container_status_name(st), st == CONTAINER_STOPPED ? 0 : r.pid, r.bundle,
	    have_spec ? s.oci->annotations : NULL, r.rootfs, r.created, r.owner, true);
	if (have_spec)
		spec_clear(&s);
	return *json ? 0 : ward_error_set(e, ENOMEM, "state of %s", r.id);
}

int ward_container_kill(const char *dir, int sig, bool all, struct ward_error *e)
{
	struct container_record r;
	enum container_status st;
	if (load(dir, &r, &st, e) < 0)
		return -1;
	if (st == CONTAINER_STOPPED || st == CONTAINER_CREATING)
		return ward_error_set(e, 0, "container %s is %s: nothing to signal", r.id,
		                      container_status_name(st));
	if (all && r.have_cgroup) {
		if (oci_cgroup_signal_all(&r.cg, sig, e) < 0)
			return -1;
	} else {
		autoclose int pfd = container_pidfd(&r);
		if (pfd < 0 || pidfd_send_signal(pfd, sig, NULL, 0) < 0)
			return ward_error_set(e, pfd < 0 ? ESRCH : errno, "container %s: signal %d",
			                      r.id, sig);
	}
	/* a frozen process takes SIGKILL only once thawed */
	if (sig == SIGKILL && st == CONTAINER_PAUSED)
		oci_cgroup_freeze(&r.cg, false, NULL);
	return 0;
}

/* Up to TIMEOUT_MS for the process behind PFD to end. */
static bool wait_gone(int pfd, int timeout_ms)
{
	struct pollfd p = {.fd = pfd, .events = POLLIN};
	return poll(&p, 1, timeout_ms) > 0;
}

int ward_container_delete(const char *dir, bool force, struct ward_error *e)
{
	struct container_record r;
	enum container_status st;
	if (load(dir, &r, &st, e) < 0) {
		if (force && access(dir, F_OK) != 0)
			return 0;
		if (!force)
			return -1;
		/* a create killed before its first record: only the directory is left */
		st = CONTAINER_STOPPED;
		memset(&r, 0, sizeof(r));
	}
	if ((st == CONTAINER_RUNNING || st == CONTAINER_PAUSED || st == CONTAINER_CREATING) &&
	    !force)
		return ward_error_set(e, 0, "container %s is %s: stop it first or delete --force",
		                      r.id, container_status_name(st));
	autoclose int pfd = container_pidfd(&r);
	if (pfd >= 0) {
		pidfd_send_signal(pfd, SIGKILL, NULL, 0);
		if (st == CONTAINER_PAUSED)
			oci_cgroup_freeze(&r.cg, false, NULL);
		if (!wait_gone(pfd, 10000))
			return ward_error_set(
			    e, 0, "container %s: its process did not end after SIGKILL", r.id);
	}
	if (st == CONTAINER_CREATING && r.creator > 0 &&
	    proc_start_time(r.creator) == r.creator_start)
		kill(r.creator, SIGKILL);
	fault_point("oci-delete-killed");
	if (r.have_cgroup)
		oci_cgroup_destroy(&r.cg);
	/* the record forgets the id range before it is given back: a delete killed after
	 * this and repeated must not free a range another container has taken since (a
	 * kill in between leaks the range instead) */
	if (r.id_slot) {
		unsigned slot = r.id_slot;
		r.id_slot = 0;
		if (container_record_save(dir, &r, e) < 0)
			return -1;
		harden_range_release(slot);
	}
	fault_point("oci-delete-cgroup");
	if (r.id[0])
		hooks(dir, &r, OCI_HOOK_POSTSTOP, "stopped", false, e);
	autoclose int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		unlinkat(dfd, CONTAINER_FIFO, 0);
		unlinkat(dfd, CONTAINER_CONFIG, 0);
		unlinkat(dfd, "config.json.tmp", 0);
		unlinkat(dfd, CONTAINER_RECORD ".tmp", 0);
		unlinkat(dfd, CONTAINER_RECORD, 0);
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		return ward_error_set(e, errno, "container %s: removing %s", r.id, dir);
	return 0;
}

int ward_container_pids(const char *dir, pid_t **pids, size_t *n, struct ward_error *e)
{
	struct container_record r;
	enum container_status st;
	*pids = NULL;
	*n = 0;
	if (load(dir, &r, &st, e) < 0)
		return -1;
	if (r.have_cgroup)
		return oci_cgroup_pids(&r.cg, pids, n, e);
	if (st == CONTAINER_STOPPED)
		return 0;
	if (!(*pids = malloc(sizeof(pid_t))))
		return ward_error_set(e, ENOMEM, "pids");
	(*pids)[0] = r.pid;
	*n = 1;
	return 0;
}

int ward_container_pause(const char *dir, bool pause, struct ward_error *e)
{
	struct container_record r;
	enum container_status st;
	if (load(dir, &r, &st, e) < 0)
		return -1;
	if (st != (pause ? CONTAINER_RUNNING : CONTAINER_PAUSED))
		return ward_error_set(e, 0, "container %s is %s: only a %s one can be %s", r.id,
		                      container_status_name(st), pause ? "running" : "paused",
		                      pause ? "paused" : "resumed");
	if (!r.have_cgroup)
		return ward_error_set(e, 0, "container %s has no cgroup to freeze", r.id);
	return oci_cgroup_freeze(&r.cg, pause, e);
}

int ward_container_update(const char *dir, const char *resources_json, struct ward_error *e)
{
	struct container_record r;
	enum container_status st;
	if (load(dir, &r, &st, e) < 0)
		return -1;
	if (st == CONTAINER_STOPPED)
		return ward_error_set(e, 0, "container %s is stopped", r.id);
	if (!r.have_cgroup)
		return ward_error_set(e, 0, "container %s has no cgroup to update", r.id);
	json_error_t je;
	json_t *o = json_loads(resources_json, 0, &je);
	if (!json_is_object(o)) {
		json_decref(o);
		return ward_error_set(e, 0, "--resources: not a JSON object (%s)", je.text);
	}
	struct oci_resources res;
	oci_resources_init(&res);
	int rc = oci_resources_parse(o, "resources", &res, e);
	if (rc == 0)
		rc = oci_cgroup_apply(&r.cg, &res, e);
	oci_resources_clear(&res);
	json_decref(o);
	return rc;
}
