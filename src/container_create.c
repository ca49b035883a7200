/* ward_container_create: the record, the cgroup and the start fifo first (so that a create
 * killed at any point leaves what delete --force removes), then the process in its
 * namespaces; the runtime's hooks when its mounts are made; the pid file once it waits for
 * start. On failure nothing stays. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channel.h"
#include "container.h"
#include "container_create.h"
#include "container_harden.h"
#include "idmap.h"
#include "oci_hooks.h"
#include "state.h"
#include "sys.h"
#include "ward/container.h"

static bool valid_id(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (!n || n > 1024 || !strcmp(id, ".") || !strcmp(id, ".."))
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_.+-", *p)))
			return false;
	return true;
}

static void now_rfc3339(char *out, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char base[32];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%.20s.%09dZ", base, (int)(ts.tv_nsec % 1000000000));
}

/* The bundle's config.json kept with the record, root.path made absolute: exec, start and
 * delete read it even when the bundle has gone. */
static int save_config(const char *dir, const struct oci_config *o, struct ward_error *e)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/config.json", o->bundle);
	json_error_t je;
	json_t *cfg = json_load_file(path, 0, &je);
	if (!cfg)
		return ward_error_set(e, 0, "%s: %s", path, je.text);
	json_t *root = json_object_get(cfg, "root");
	if (json_is_object(root))
		json_object_set_new(root, "path", json_string(o->root_path));
	/* hardened by the program's name: exec and delete read the annotation back */
	if (o->harden) {
		json_t *ann = json_object_get(cfg, "annotations");
		if (!json_is_object(ann))
			json_object_set_new(cfg, "annotations", ann = json_object());
		json_object_set_new(ann, OCI_ANNOTATION_HARDEN, json_string("true"));
	}
	autoclose int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = dfd < 0 ? ward_error_set(e, errno, "%s", dir)
	                 : state_write_json(dfd, CONTAINER_CONFIG, cfg, e);
	json_decref(cfg);
	return rc;
}

static int write_pid_file(const char *path, pid_t pid, struct ward_error *e)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s.ward-tmp", path);
	autoclose int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%d", pid);
	if (fd < 0 || write_all(fd, buf, (size_t)n) < 0 || rename(tmp, path) < 0) {
		ward_error_set(e, errno, "--pid-file %s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* run.ward.harden on a container without a user namespace: one with a private id range. */
static int harden_userns(struct container_launch *l, struct container_record *rec,
                         struct ward_error *e)
{
	const struct oci_config *o = l->s->oci;
	for (size_t i = 0; i < o->n_ns; i++)
		if (o->ns[i].path)
			return ward_error_set(
			    e, 0,
			    "%s: a container that joins namespaces by path cannot "
			    "get ward's user namespace yet",
			    OCI_ANNOTATION_HARDEN);
	uint32_t base;
	if (harden_range_take(rec->id, &rec->id_slot, &base, e) < 0)
		return -1;
	struct ward_idmaps *m = (struct ward_idmaps *)&l->s->idmaps;
	*m = (struct ward_idmaps){0};
	m->uid_map[0] = m->gid_map[0] = (struct ward_idmap){0, base, WARD_IDMAP_SIZE};
	m->n_uid_map = m->n_gid_map = 1;
	l->new_ns |= CLONE_NEWUSER;
	rec->ns_types |= CLONE_NEWUSER;
	l->harden_userns = true;
	return 0;
}

/* Which namespaces are new, which are joined (their fds opened now), which are refused. */
static int plan_namespaces(struct container_launch *l, struct container_record *rec,
                           struct ward_error *e)
{
	const struct oci_config *o = l->s->oci;
	for (size_t i = 0; i < o->n_ns; i++) {
		int t = o->ns[i].type;
		rec->ns_types |= t;
		if (!o->ns[i].path) {
			l->new_ns |= t;
			continue;
		}
		if (t == CLONE_NEWUSER || t == CLONE_NEWNS || t == CLONE_NEWTIME)
			return ward_error_set(
			    e, 0,
			    "linux.namespaces[%zu]: joining a %s namespace by path "
			    "is not supported by ward yet",
			    i,
			    t == CLONE_NEWUSER ? "user"
			    : t == CLONE_NEWNS ? "mount"
			                       : "time");
		l->nsfd[i] = open(o->ns[i].path, O_RDONLY | O_CLOEXEC);
		if (l->nsfd[i] < 0)
			return ward_error_set(e, errno, "linux.namespaces[%zu] path %s", i,
			                      o->ns[i].path);
		if (t == CLONE_NEWPID)
			l->pidns = l->nsfd[i];
	}
	/* run.ward.harden: loopback only unless the engine gave it a network namespace */
	if (o->harden && !(rec->ns_types & CLONE_NEWNET)) {
		l->new_ns |= CLONE_NEWNET;
		rec->ns_types |= CLONE_NEWNET;
	}
	if (l->new_ns & CLONE_NEWTIME)
		return ward_error_set(e, 0,
		                      "linux.namespaces: a time namespace is not supported "
		                      "by ward yet");
	if (o->harden && !(rec->ns_types & CLONE_NEWUSER) && l->host_root &&
	    harden_userns(l, rec, e) < 0)
		return -1;
	rec->userns = l->new_ns & CLONE_NEWUSER;
	l->userns = rec->userns;
	if ((l->new_ns & CLONE_NEWUSER) && !l->s->idmaps.n_uid_map)
		return ward_error_set(e, 0, "linux.uidMappings: a new user namespace needs them");
	/* v1 cgroups are joined after the clone; the namespace is made then */
	if ((l->new_ns & CLONE_NEWCGROUP) && rec->have_cgroup && rec->cg.n_v1) {
		l->new_ns &= ~CLONE_NEWCGROUP;
		l->late_cgroupns = true;
	}
	return 0;
}

/* The exchange with the child up to its hand-over; -1 with E filled (the child's failure
 * as it worded it). */
static int converse(const struct ward_spec *s, const struct ward_container_opts *o, pid_t pid,
                    int sock, struct ward_error *e)
{
	const struct oci_config *oc = s->oci;
	for (;;) {
		struct msg m;
		int fd = -1;
		int got = msg_recv(sock, &m, &fd);
		if (got <= 0)
			return ward_error_set(e, got < 0 ? errno : 0,
			                      "the container's process ended during its setup");
		if (m.type == MSG_FAIL || m.type == MSG_EXEC_FAIL) {
			if (fd >= 0)
				close(fd);
			return msg_error(&m, e);
		}
		if (m.type == MSG_PTY) {
			if (container_console_pass(o->console_socket, fd,
			                           "process.terminal is true", e) < 0)
				return -1;
			continue;
		}
		if (fd >= 0)
			close(fd);
		if (m.type == MSG_READY)
			return 0;
		if (m.type != MSG_HOOKS)
			continue;
		char *state = container_state_json(o->id, "creating", pid, oc->bundle,
		                                   oc->annotations, oc->root_path, "", 0, false);
		int rc = oci_hooks_run(oc, OCI_HOOK_PRESTART, state ? state : "{}", e);
		if (rc == 0)
			rc = oci_hooks_run(oc, OCI_HOOK_CREATE_RUNTIME, state ? state : "{}", e);
		free(state);
		struct msg go = {.type = MSG_GO};
		if (rc < 0 || msg_send(sock, &go, -1) < 0)
			return rc < 0 ? -1 : ward_error_set(e, errno, "the container's setup");
	}
}

static void remove_state(const char *dir)
{
	autoclose int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		unlinkat(dfd, CONTAINER_FIFO, 0);
		unlinkat(dfd, CONTAINER_CONFIG, 0);
		unlinkat(dfd, CONTAINER_RECORD, 0);
	}
	rmdir(dir);
}

/* A pid namespace is joined by the children of a process that setns'ed into it: a helper
 * does, and clones the container's process as this process's child (CLONE_PARENT). */
static long clone_into_pidns(struct container_launch *l, int *pidfd, int sv[2])
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t helper = fork();
	if (helper == 0) {
		close(p[0]);
		/* the pid namespace is shared: non-dumpable from the first instant (inherited) */
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		if (setns(l->pidns, CLONE_NEWPID) < 0)
			_exit(1);
		struct clone_args args = {.flags = (uint64_t)l->new_ns | CLONE_PARENT};
		pid_t pid = (pid_t)sys_clone3(&args);
		if (pid == 0) {
			close(sv[0]);
			container_child(l, sv[1]);
		}
		_exit(pid > 0 && write(p[1], &pid, sizeof(pid)) == sizeof(pid) ? 0 : 1);
	}
	close(p[1]);
	int err = errno;
	if (helper > 0)
		while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
			;
	pid_t pid = -1;
	if (helper < 0 || read(p[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = -1, err = helper < 0 ? err : EPERM;
	close(p[0]);
	/* our child now: its pid cannot be reused before we reap it */
	if (pid > 0 && (*pidfd = pidfd_open(pid, 0)) < 0)
		return -1;
	errno = err;
	return pid;
}

static long clone_child(struct container_launch *l, int *pidfd, int sv[2])
{
	if (l->pidns >= 0)
		return clone_into_pidns(l, pidfd, sv);
	struct clone_args args = {.flags = (uint64_t)l->new_ns | CLONE_PIDFD,
	                          .pidfd = (uint64_t)(uintptr_t)pidfd,
	                          .exit_signal = SIGCHLD};
	long pid = sys_clone3(&args);
	if (pid == 0) {
		close(sv[0]);
		container_child(l, sv[1]);
	}
	return pid;
}

int ward_container_create(const struct ward_context *c, struct ward_spec *s,
                          const struct ward_container_opts *o, pid_t *pidout, struct ward_error *e)
{
	(void)c;
	if (!s || !s->oci)
		return ward_error_set(e, 0,
		                      "create: the spec has no OCI config (ward_spec_load_oci)");
	if (!valid_id(o->id))
		return ward_error_set(e, 0,
		                      "container id \"%s\": use 1 to 1024 of A-Z a-z 0-9 _ . + -",
		                      o->id ? o->id : "");
	if (mkdir(o->state_dir, 0700) < 0)
		return ward_error_set(e, errno == EEXIST ? 0 : errno, "container %s%s", o->id,
		                      errno == EEXIST ? " exists already"
		                                      : ": its state directory");
	struct container_launch l = {.s = s,
	                             .id = o->id,
	                             .fifo = -1,
	                             .pidns = -1,
	                             .host_root = host_root(),
	                             .preserve_fds = o->preserve_fds,
	                             .no_pivot = o->no_pivot};
	for (size_t i = 0; i < OCI_MAX_NAMESPACES; i++)
		l.nsfd[i] = -1;
	struct container_record rec = {.owner = geteuid(), .creator = getpid()};
	rec.creator_start = proc_start_time(rec.creator);
	snprintf(rec.id, sizeof(rec.id), "%s", o->id);
	snprintf(rec.bundle, sizeof(rec.bundle), "%s", s->oci->bundle);
	snprintf(rec.rootfs, sizeof(rec.rootfs), "%s", s->oci->root_path);
	now_rfc3339(rec.created, sizeof(rec.created));
	/* what start, state and delete would otherwise parse the config again for */
	for (int k = 0; k < OCI_HOOK_KINDS; k++)
		if (s->oci->n_hooks[k])
			rec.hook_kinds |= 1 << k;
	rec.annotated = (s->oci->annotations && s->oci->annotations[0]) || s->oci->harden;
	int pidfd = -1, sv[2] = {-1, -1};
	long pid = -1;
	bool have_filter = false;
	if (save_config(o->state_dir, s->oci, e) < 0 || container_filter(s, &l.filter, e) < 0)
		goto fail;
	have_filter = true;
	/* linux.devices are made, not allowed: the device cgroup is resources.devices alone,
	 * as runc has it */
	if (oci_cgroup_create(&rec.cg, s->oci->cgroups_path, o->id, &s->oci->resources, e) < 0)
		goto fail;
	rec.have_cgroup = rec.cg.v2[0] || rec.cg.n_v1;
	if (plan_namespaces(&l, &rec, e) < 0 || container_record_save(o->state_dir, &rec, e) < 0)
		goto fail;
	char fifo[PATH_MAX];
	snprintf(fifo, sizeof(fifo), "%s/%s", o->state_dir, CONTAINER_FIFO);
	/* read-write: no writer's close ever reads as end-of-file (container_child.c) */
	if (mkfifo(fifo, 0600) < 0 || (l.fifo = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
		ward_error_set(e, errno, "%s", fifo);
		goto fail;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ward_error_set(e, errno, "creating the sync socket");
		goto fail;
	}
	fault_point("oci-create");
	pid = clone_child(&l, &pidfd, sv);
	if (pid < 0) {
		ward_error_set(e, errno, "creating the container's namespaces");
		goto fail;
	}
	close(sv[1]);
	sv[1] = -1;
	fault_point("oci-cloned");
	if ((l.userns && idmap_write((pid_t)pid, &s->idmaps, e) < 0) ||
	    (rec.have_cgroup && oci_cgroup_attach(&rec.cg, (pid_t)pid, e) < 0))
		goto fail;
	if (s->oci->oom_score_adj_set) {
		char path[64], val[16];
		snprintf(path, sizeof(path), "/proc/%ld/oom_score_adj", pid);
		snprintf(val, sizeof(val), "%d", s->oci->oom_score_adj);
		autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, val, strlen(val)) < 0) {
			ward_error_set(e, errno, "process.oomScoreAdj %s", val);
			goto fail;
		}
	}
	int tree = -1;
	if (l.harden_userns && (tree = harden_root_tree(s->oci->root_path, (pid_t)pid, e)) < 0)
		goto fail;
	struct msg go = {.type = MSG_GO, .value = (int)pid};
	int sent = msg_send(sv[0], &go, tree);
	if (tree >= 0)
		close(tree);
	if (sent < 0) {
		ward_error_set(e, errno, "starting the container's setup");
		goto fail;
	}
	if (converse(s, o, (pid_t)pid, sv[0], e) < 0)
		goto fail;
	rec.pid = (pid_t)pid;
	rec.pid_start = proc_start_time(rec.pid);
	rec.fifo_fd = l.fifo;
	if (container_record_save(o->state_dir, &rec, e) < 0 ||
	    (o->pid_file && write_pid_file(o->pid_file, rec.pid, e) < 0))
		goto fail;
	fault_point("oci-recorded");
	/* the hand-over: the child stops dying with this process, then says so */
	struct msg m;
	int fd = -1;
	if (msg_send(sv[0], &go, -1) < 0 || msg_recv(sv[0], &m, &fd) != 1 || m.type != MSG_STATUS) {
		ward_error_set(e, errno, "the container's process ended during its setup");
		goto fail;
	}
	close(sv[0]);
	close(pidfd);
	close(l.fifo);
	container_filter_free(&l.filter);
	for (size_t i = 0; i < OCI_MAX_NAMESPACES; i++)
		if (l.nsfd[i] >= 0)
			close(l.nsfd[i]);
	*pidout = rec.pid;
	return 0;
fail:
	if (pidfd >= 0) {
		pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
		siginfo_t si;
		while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 && errno == EINTR)
			;
		close(pidfd);
	}
	for (int i = 0; i < 2; i++)
		if (sv[i] >= 0)
			close(sv[i]);
	if (l.fifo >= 0)
		close(l.fifo);
	for (size_t i = 0; i < OCI_MAX_NAMESPACES; i++)
		if (l.nsfd[i] >= 0)
			close(l.nsfd[i]);
	if (have_filter)
		container_filter_free(&l.filter);
	if (rec.have_cgroup)
		oci_cgroup_destroy(&rec.cg);
	harden_range_release(rec.id_slot);
	if (o->pid_file && rec.pid)
		unlink(o->pid_file);
	remove_state(o->state_dir);
	return -1;
}
