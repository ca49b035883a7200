/* The OCI container life behind ward/container.h: its record, its status, and the steps its
 * process takes. No supervisor: the container is its process (adopted by the engine's
 * subreaper once create returns) and its cgroup. */
#ifndef WARD_CONTAINER_INT_H
#define WARD_CONTAINER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "filter.h"
#include "oci_cgroup.h"
#include "spec.h"

#define CONTAINER_RECORD "state.json"
#define CONTAINER_CONFIG "config.json" /* the bundle's, root.path made absolute */
#define CONTAINER_FIFO   "exec.fifo"   /* exists from create until start */

enum container_status {
	CONTAINER_CREATING,
	CONTAINER_CREATED,
	CONTAINER_RUNNING,
	CONTAINER_PAUSED,
	CONTAINER_STOPPED
};

struct container_record {
	char id[1025];
	char bundle[4096];
	char rootfs[4096];
	pid_t pid;          /* the container's process (host pid); 0 while being created */
	uint64_t pid_start; /* its start time, against pid reuse */
	pid_t creator;      /* the create call's process, while pid is 0 */
	uint64_t creator_start;
	char created[40]; /* RFC 3339, UTC */
	uid_t owner;
	bool have_cgroup;
	struct oci_cgroup cg;
	bool userns;      /* it has a user namespace of its own (new or joined) */
	int ns_types;     /* CLONE_NEW* of every namespace it has apart from the host's */
	unsigned id_slot; /* run.ward.harden's private id range (container_harden.h), 0 */
	int fifo_fd;      /* the start fifo's fd in the process while it waits for start */
	int hook_kinds;   /* bit K: the config has hooks of kind K (oci_hook_kind) */
	bool annotated;   /* it has annotations (state reads them from the saved config) */
};

const char *container_status_name(enum container_status st);

/* DIR's record; -1 with "container ID does not exist" when there is none. */
int container_record_load(const char *dir, struct container_record *r, struct ward_error *e);
int container_record_save(const char *dir, const struct container_record *r, struct ward_error *e);
enum container_status container_status_of(const char *dir, const struct container_record *r);
/* A pidfd of the container's process when it is still the one recorded, else -1. */
int container_pidfd(const struct container_record *r);

/* The runtime-spec state (malloc'd JSON text): PID as the runtime sees it, ANNOTATIONS
 * "k=v" (may be NULL). */
char *container_state_json(const char *id, const char *status, pid_t pid, const char *bundle,
                           char *const *annotations, const char *rootfs, const char *created,
                           uid_t owner, bool pretty);

/* The spec of the container at DIR, from its saved config (for exec, start and delete). */
int container_spec_load(const char *dir, struct ward_spec *s, struct ward_error *e);

/* The container's seccomp programs: the config's (none: empty), and with the harden
 * annotation ward's default policy and the set-id ban, stacked under it. */
struct container_filters {
	struct ward_filter config, ward;
};
int container_filter(const struct ward_spec *s, struct container_filters *f, struct ward_error *e);
void container_filter_free(struct container_filters *f);

/* The last steps of a container's process (its init, or an exec'd one), as runc takes them:
 * oom score, tty, rlimits, groups and ids with the five capability sets, no_new_privs,
 * AppArmor/SELinux, umask, personality, fds (3+PRESERVE and up close at exec), cwd, seccomp,
 * execve. TTY: the terminal's peer or -1. Returns only on failure (-1, E filled); an
 * execve failure sets *EXEC_CODE to 126/127. */
int container_proc_setup(const struct ward_spec *s, const struct container_filters *f, int tty,
                         unsigned preserve_fds, struct ward_error *e);
int container_proc_exec(const struct ward_spec *s, int *exec_code, struct ward_error *e);
/* PATH lookup of argv[0] in the container's root and environment, as runc does before it
 * waits for start (a missing command fails create, not start). */
int container_proc_find(const struct ward_spec *s, struct ward_error *e);

/* A terminal from the container's devpts (/dev/pts/ptmx, or /dev/ptmx): the master is
 * returned in *MASTER, the peer as the result; sized per process.consoleSize. */
int container_tty_open(const struct ward_spec *s, int *master, struct ward_error *e);
/* Send MASTER to the console socket at PATH, as runc does (the pty's name as payload). */
int container_console_send(const char *path, int master, struct ward_error *e);
/* The terminal's MASTER (closed here) to the console socket at PATH; without one, an error:
 * "WHAT: --console-socket is needed". */
int container_console_pass(const char *path, int master, const char *what, struct ward_error *e);

#endif
