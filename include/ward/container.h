/* ward/container.h: containers with an OCI runtime's life, the way containerd, CRI-O and
 * podman drive runc. A spec comes from a bundle's config.json; create starts the container's
 * process in its namespaces and holds it before its execve until start; create's caller
 * then exits and the process is adopted by whoever waits for it (the engine's shim, a
 * subreaper). No supervisor stays: the container is its process and its cgroup. Each
 * container keeps a small record in a directory the caller names (runc: ROOT/ID). */
#ifndef WARD_CONTAINER_H
#define WARD_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "ward/context.h"
#include "ward/error.h"

struct ward_spec;

/* BUNDLE/config.json (runtime-spec 1.x) into a new spec S, faithfully: the engine owns
 * policy, ward adds nothing the config does not ask for (unless the annotation
 * run.ward.harden is "true", see SECURITY.md). Refuses, naming the field, what ward cannot
 * honour. */
int ward_spec_load_oci(struct ward_spec *s, const char *bundle, struct ward_error *e);

/* ward's own protections on S (loaded from a config) whatever its run.ward.harden annotation
 * says: what the program name ward-runc-hardened asks for, so that a runtime entry of an
 * engine hardens every container it runs. */
int ward_spec_set_oci_harden(struct ward_spec *s, struct ward_error *e);

struct ward_container_opts {
	const char *id;             /* the container's id: [A-Za-z0-9_.+-], at most 1024 */
	const char *state_dir;      /* its record's directory: must not exist; create makes it
	                               (its parent must exist) */
	const char *pid_file;       /* NULL: none; the process's host pid, written atomically */
	const char *console_socket; /* with process.terminal: the pty master is sent there
	                               (SCM_RIGHTS), as runc does */
	unsigned preserve_fds;      /* fds 3 .. 3+N-1 pass to the process (LISTEN_FDS) */
	bool no_pivot;              /* MS_MOVE + chroot instead of pivot_root (ramfs roots) */
	bool no_new_keyring;        /* keep the caller's session keyring */
};

/* Create the container of spec S (from ward_spec_load_oci): namespaces, cgroup, root,
 * createRuntime and createContainer hooks; its process waits before the execve. The process
 * is a child of the caller, which should exit (or wait for it, as ward oci run does).
 * On failure nothing is left: no process, cgroup or record. */
int ward_container_create(const struct ward_context *c, struct ward_spec *s,
                          const struct ward_container_opts *o, pid_t *pid, struct ward_error *e);

/* Let the created container's process exec (startContainer hooks run in it first), then
 * run the poststart hooks. Refused unless the container is "created". */
int ward_container_start(const char *state_dir, struct ward_error *e);

/* The runtime-spec state of the container as JSON (malloc'd text, free()): ociVersion, id,
 * status (creating, created, running, paused, stopped), pid (0 once stopped), bundle,
 * annotations; and runc's extras: rootfs, created (RFC 3339), owner. */
int ward_container_state(const char *state_dir, char **json, struct ward_error *e);

/* Signal the container's process (ALL: every process of its cgroup). Refused once it is
 * stopped. */
int ward_container_kill(const char *state_dir, int sig, bool all, struct ward_error *e);

/* Remove a stopped container: its cgroup, its record, then the poststop hooks. A created one
 * is killed first (as runc does); a running or paused one only with FORCE (SIGKILL). A
 * record already gone: success with FORCE. */
int ward_container_delete(const char *state_dir, bool force, struct ward_error *e);

/* The host pids of every process in the container's cgroup (malloc'd array, free()). */
int ward_container_pids(const char *state_dir, pid_t **pids, size_t *n, struct ward_error *e);

/* Freeze (PAUSE) or thaw every process of the container. */
int ward_container_pause(const char *state_dir, bool pause, struct ward_error *e);

/* New resources (a runtime-spec LinuxResources JSON object) written to the container's
 * cgroup and kept in its record. */
int ward_container_update(const char *state_dir, const char *resources_json, struct ward_error *e);

struct ward_container_exec_opts {
	const char *process_json;   /* a runtime-spec Process object (args, env, cwd, user,
	                               terminal, capabilities, rlimits, noNewPrivileges, ...) */
	const char *pid_file;       /* NULL: none */
	const char *console_socket; /* with a terminal */
	unsigned preserve_fds;
	bool detach; /* return once it runs; it is the caller's orphan */
};

/* Start another process in the running container (its namespaces, cgroup, seccomp filter
 * and root). Without detach, wait for it: *STATUS as a shell gives it (128+N for signal N).
 * With detach, *STATUS is its pid. */
int ward_container_exec(const char *state_dir, const struct ward_container_exec_opts *o,
                        int *status, struct ward_error *e);

/* The runtime-spec "features" document of this build on this host (malloc'd JSON). */
char *ward_container_features(void);

#endif
