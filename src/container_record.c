/* A container's record (DIR/state.json) and what its status is now: the record says which
 * process is the container; /proc, the start fifo and the freezer say how it is. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "state.h"
#include "sys.h"

const char *container_status_name(enum container_status st)
{
	static const char *const names[] = {"creating", "created", "running", "paused", "stopped"};
	return names[st];
}

static void copy(char *dst, size_t len, json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	snprintf(dst, len, "%s", v ? v : "");
}

int container_record_load(const char *dir, struct container_record *r, struct ward_error *e)
{
	memset(r, 0, sizeof(*r));
	autoclose int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	autoclose int fd =
	    dfd < 0 ? -1 : openat(dfd, CONTAINER_RECORD, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	const char *slash = strrchr(dir, '/');
	const char *id = slash ? slash + 1 : dir;
	if (fd < 0)
		return ward_error_set(e, errno == ENOENT ? 0 : errno,
		                      "container %s does not exist%s", id,
		                      errno == ENOENT ? "" : ": its record");
	json_error_t je;
	json_t *o = json_read_fd(fd, 0, &je);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		return ward_error_set(e, 0, "container %s: its record %s/%s is damaged", id, dir,
		                      CONTAINER_RECORD);
	}
	copy(r->id, sizeof(r->id), o, "id");
	copy(r->bundle, sizeof(r->bundle), o, "bundle");
	copy(r->rootfs, sizeof(r->rootfs), o, "rootfs");
	copy(r->created, sizeof(r->created), o, "created");
	r->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	r->pid_start = (uint64_t)json_integer_value(json_object_get(o, "pidStart"));
	r->creator = (pid_t)json_integer_value(json_object_get(o, "creator"));
	r->creator_start = (uint64_t)json_integer_value(json_object_get(o, "creatorStart"));
	r->owner = (uid_t)json_integer_value(json_object_get(o, "owner"));
	r->userns = json_is_true(json_object_get(o, "userns"));
	r->ns_types = (int)json_integer_value(json_object_get(o, "namespaces"));
	r->id_slot = (unsigned)json_integer_value(json_object_get(o, "idSlot"));
	r->fifo_fd = (int)json_integer_value(json_object_get(o, "fifoFd"));
	r->hook_kinds = (int)json_integer_value(json_object_get(o, "hookKinds"));
	r->annotated = json_is_true(json_object_get(o, "annotated"));
	json_t *cg = json_object_get(o, "cgroup");
	int rc = 0;
	if (cg && !json_is_null(cg)) {
		r->have_cgroup = true;
		rc = oci_cgroup_load(&r->cg, cg, e);
	}
	json_decref(o);
	return rc;
}

int container_record_save(const char *dir, const struct container_record *r, struct ward_error *e)
{
	autoclose int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ward_error_set(e, errno, "%s", dir);
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:b, s:i}", "id", r->id,
	              "bundle", r->bundle, "rootfs", r->rootfs, "created", r->created, "pid",
	              (json_int_t)r->pid, "pidStart", (json_int_t)r->pid_start, "creator",
	              (json_int_t)r->creator, "creatorStart", (json_int_t)r->creator_start, "owner",
	              (json_int_t)r->owner, "userns", r->userns, "namespaces", r->ns_types);
	if (!o)
		return ward_error_set(e, ENOMEM, "%s/%s", dir, CONTAINER_RECORD);
	json_object_set_new(o, "idSlot", json_integer(r->id_slot));
	json_object_set_new(o, "fifoFd", json_integer(r->fifo_fd));
	json_object_set_new(o, "hookKinds", json_integer(r->hook_kinds));
	json_object_set_new(o, "annotated", json_boolean(r->annotated));
	json_object_set_new(o, "cgroup", r->have_cgroup ? oci_cgroup_save(&r->cg) : json_null());
	int rc = state_write_json(dfd, CONTAINER_RECORD, o, e);
	json_decref(o);
	return rc;
}

/* PID is still the process that started at START and has not ended. */
static bool alive(pid_t pid, uint64_t start)
{
	char st = 0;
	uint64_t t = 0;
	return pid > 0 && proc_stat(pid, &st, &t) == 0 && t == start && st != 'Z' && st != 'X';
}

int container_pidfd(const struct container_record *r)
{
	if (r->pid <= 0)
		return -1;
	int fd = pidfd_open(r->pid, 0);
	/* checked after the open: the fd then holds that very process */
	if (fd >= 0 && !alive(r->pid, r->pid_start)) {
		close(fd);
		return -1;
	}
	return fd;
}

enum container_status container_status_of(const char *dir, const struct container_record *r)
{
	if (r->pid == 0)
		return alive(r->creator, r->creator_start) ? CONTAINER_CREATING : CONTAINER_STOPPED;
	if (!alive(r->pid, r->pid_start))
		return CONTAINER_STOPPED;
	/* created while the process still holds the fifo (read-write, see container_create.c):
	 * a writer's open then finds a reader. A start killed between its write and the fifo's
	 * removal leaves the file, not the waiting process. (/proc/PID/fd would tell as well,
	 * but not a rootless caller: the process is not dumpable.) */
	char fifo[4200];
	snprintf(fifo, sizeof(fifo), "%s/%s", dir, CONTAINER_FIFO);
	int held = open(fifo, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (held >= 0) {
		close(held);
		return CONTAINER_CREATED;
	}
	if (r->have_cgroup && oci_cgroup_frozen(&r->cg))
		return CONTAINER_PAUSED;
	return CONTAINER_RUNNING;
}

char *container_state_json(const char *id, const char *status, pid_t pid, const char *bundle,
                           char *const *annotations, const char *rootfs, const char *created,
                           uid_t owner, bool pretty)
{
	json_t *ann = json_object();
	for (size_t i = 0; annotations && annotations[i]; i++) {
		const char *eq = strchr(annotations[i], '=');
		if (!eq)
			continue;
		char key[1024];
		snprintf(key, sizeof(key), "%.*s", (int)(eq - annotations[i]), annotations[i]);
		json_object_set_new(ann, key, json_string(eq + 1));
	}
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "ociVersion", "1.2.0", "id", id,
	              "status", status, "pid", (json_int_t)pid, "bundle", bundle, "rootfs",
	              rootfs ? rootfs : "", "created", created ? created : "", "owner", "");
	if (!o) {
		json_decref(ann);
		return NULL;
	}
	json_object_set_new(o, "annotations", ann);
	(void)owner; /* runc leaves owner empty too */
	char *text = json_dumps(o, pretty ? JSON_INDENT(2) : JSON_COMPACT);
	json_decref(o);
	return text;
}
