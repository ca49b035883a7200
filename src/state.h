/* The runtime state of persistent sandboxes: one directory per sandbox under the state
 * root ($WARD_STATE_DIR, else root: /run/ward; others: userdir.h's first usable of
 * $XDG_RUNTIME_DIR/ward, /run/user/UID/ward, $XDG_STATE_HOME/ward, ~/.local/state/ward), each
 * with a lock its supervisor holds for its whole life, an atomically replaced record, the
 * control socket and init's log. Names are symlinks to ids. A sandbox whose lock is free
 * but whose record does not say "stopped" lost its supervisor: the next command that sees
 * it cleans what it left. */
#ifndef WARD_STATE_H
#define WARD_STATE_H

#include <stdbool.h>
#include <dirent.h>
#include <stdint.h>
#include <sys/types.h>

#include "context.h"
#include "spec.h"

#define STATE_ID_LEN   12 /* hex characters */
#define STATE_NAME_MAX 63
#define STATE_MAX_CG   8
/* files of a sandbox's directory besides lock, record.json, ctl and log */
#define STATE_CONFIG "config.json" /* its spec (spec_json.h), for ward start */
#define STATE_LAYER  "layer.tar"   /* its writable layer, saved when it stopped */

/* created: made, never started; paused: frozen. Same order as enum ward_sandbox_status. */
enum sandbox_status { SB_CREATING, SB_RUNNING, SB_STOPPED, SB_CREATED, SB_PAUSED };

struct sandbox_record {
	char id[STATE_ID_LEN + 1];
	char name[STATE_NAME_MAX + 1];
	bool persistent;  /* --name reuses it when the spec is the same */
	bool auto_remove; /* --rm: removed when it stops */
	enum sandbox_status status;
	char spec_hash[72];
	char image[256];   /* what was asked for: IMAGE or --rootfs DIR */
	char command[512]; /* "" when idle */
	int64_t created;   /* unix time, ms */
	int64_t started;   /* the last start, unix time ms; 0: never started */
	/* the supervisor and the sandbox's init, each as pid + start time (clock ticks since
	 * boot), so that a reused pid is never taken for them */
	pid_t supervisor, init;
	uint64_t supervisor_start, init_start;
	uint64_t ns_user, ns_mnt, ns_pid, ns_net; /* init's namespace inodes */
	char cgroups[STATE_MAX_CG][256];
	size_t n_cgroups;
	/* network: published ports (bound host ports), egress now, the veth address (root) */
	struct ward_publish ports[WARD_MAX_PUBLISH];
	size_t n_ports;
	bool egress;
	char address[16];
	char host_if[16]; /* root: the host side of its veth */
	/* once stopped */
	int64_t finished;
	int exit_code;
	char reason[16];
};

struct state {
	int root;  /* the state root directory */
	int boxes; /* root/sandboxes */
	int names; /* root/names */
	int lock;  /* root/lock, flock'ed for changes to names and for cleanups */
	const struct ward_context *ctx; /* for warnings */
	char path[256];
};

/* Open (creating) the state root; refuses one that is not the caller's or open to others,
 * or that lies in a directory another user could change (userdir.h). */
int state_open(struct state *st, const struct ward_context *c, struct ward_error *e);
void state_close(struct state *st);
int state_lock(struct state *st, bool exclusive);
void state_unlock(struct state *st);

/* Under the exclusive lock: reserve a fresh id (and NAME, unless NULL), write REC as
 * "creating" and return its directory fd; *lockfd is the sandbox's lock, already held. */
int state_reserve(struct state *st, struct sandbox_record *rec, int *lockfd, struct ward_error *e);

/* ID, a unique prefix of one, or a name → the full id. */
int state_resolve(struct state *st, const char *ref, char id[STATE_ID_LEN + 1],
                  struct ward_error *e);
/* The record of ID, its directory checked to be the caller's. 0; -1 with e set; or
 * STATE_DAMAGED with e set naming the file, when it is there but unreadable as a record. */
#define STATE_DAMAGED (-2)
int state_read(struct state *st, const char *id, struct sandbox_record *rec, struct ward_error *e);
/* The record's "network" object: egress, address, ports (a new reference). */
typedef struct json_t json_t;
json_t *state_network_json(const struct sandbox_record *r);
int state_write(int dirfd, const struct sandbox_record *rec, struct ward_error *e);
/* The sandbox's config (its spec as spec_json.h writes it), replaced atomically / read back
 * checked to be the caller's. */
int state_write_config(int dirfd, json_t *config, struct ward_error *e);
/* NAME in DIRFD replaced atomically by O's text (and a newline), 0600. */
int state_write_json(int dirfd, const char *name, json_t *o, struct ward_error *e);
int state_read_config(struct state *st, const char *id, json_t **out, struct ward_error *e);
/* True while a supervisor holds the sandbox's lock. */
bool state_alive(struct state *st, const char *id);
/* What a supervisor that died left: init if it survived (matched by pid, start time and pid
 * namespace), cgroups, the host side of its veth. */
void state_reap(const struct sandbox_record *rec);
/* Remove ID's directory and name (its supervisor gone, or the supervisor itself at its end);
 * kill what is left of it first when the record does not say stopped (only processes whose
 * pid, start time and pid namespace match the record). Under the exclusive lock. */
int state_remove(struct state *st, const struct sandbox_record *rec, struct ward_error *e);
/* Remove ID's directory (or a .new- one) and everything in it; under the exclusive lock. */
void state_remove_dir(struct state *st, const char *id);
/* Clean every sandbox whose supervisor died; warnings for records it cannot trust. */
void state_collect(struct state *st);
/* Calls FN for each sandbox record (after state_collect). */
int state_each(struct state *st, int (*fn)(const struct sandbox_record *, void *), void *arg);

/* Path of FILE in ID's directory, for connect() and open(): through /proc/self/fd, so
 * that the length of the state root never matters for the socket address. */
void state_file(const struct state *st, const char *id, const char *file, char *out, size_t len);

/* Refuse (naming WHAT) an fd that is not the caller's or that others may write: such a
 * directory or record could point ward at the wrong process. */
int state_check_owned(int fd, const char *what, struct ward_error *e);
/* A directory stream of NAME in PARENT (no symlink followed), or NULL. */
DIR *state_dir_stream(int parent, const char *name);

const char *sandbox_status_name(enum sandbox_status s);

#endif
