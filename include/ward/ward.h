/* libward public API: describe a sandbox in a struct ward_spec, start it, read the result. */
#ifndef WARD_H
#define WARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define WARD_VERSION "0.1.0"

#include "ward/error.h"

/* Container ids 0..65535 of a root-started sandbox live at this host id by default: above
 * every range useradd and systemd hand out to users and containers (see README). */
#define WARD_ROOT_IDMAP_BASE 2000000000u
#define WARD_IDMAP_SIZE      65536u

#define WARD_MAX_PUBLISH 32
#define WARD_MAX_DNS     3

/* What the sandbox can reach: only its own loopback, or also the outside (NAT as root,
 * pasta rootless). */
enum ward_network { WARD_NET_NONE, WARD_NET_EGRESS };

/* One published port: the host listens on ADDR:HOST_PORT and forwards each TCP connection
 * to PORT in the sandbox. */
struct ward_publish {
	char addr[48];      /* numeric host address to listen on ("127.0.0.1", "::1") */
	uint16_t host_port; /* 0: a free port, reported once bound */
	uint16_t port;      /* inside the sandbox */
};

/* Opaque outside libward (src/spec.h): built through the ward_spec_* calls. */
struct ward_spec;

void ward_spec_init(struct ward_spec *s);
/* Free a NULL-terminated vector of strings and the strings. */
void ward_strv_free(char **v);
void ward_spec_free(struct ward_spec *s);

/* Capabilities a workload keeps unless told otherwise. */
uint64_t ward_default_capabilities(void);

/* Fill the id maps for the calling user (see README: "Identity"). */
int ward_spec_default_idmaps(struct ward_spec *s, struct ward_error *e);

/* Front-end helpers: each parses one user-supplied string into the spec and names the
 * culprit when it is bad. */
int ward_spec_set_argv(struct ward_spec *s, int argc, char *const argv[], struct ward_error *e);
int ward_spec_add_env(struct ward_spec *s, const char *kv, struct ward_error *e);
int ward_spec_load_env_file(struct ward_spec *s, const char *path, struct ward_error *e);
int ward_spec_add_rlimit(struct ward_spec *s, const char *text, struct ward_error *e);
const char *ward_rlimit_name(int resource);
/* NAME or CAP_NAME (any case), or ALL. */
int ward_spec_cap_add(struct ward_spec *s, const char *name, struct ward_error *e);
int ward_spec_cap_drop(struct ward_spec *s, const char *name, struct ward_error *e);
int ward_parse_timeout(const char *text, unsigned *out, struct ward_error *e);
/* A whole decimal number, nothing else. */
int ward_parse_count(const char *text, uint64_t *out);
/* Sizes: 123, 64k, 256m, 1g, 1.5g (powers of 1024). */
int ward_parse_size(const char *text, uint64_t *out);
/* One limit option: NAME is the option without dashes (memory, memory-swap, pids, cpus,
 * cpu-weight, cpuset, io-max, disk). */
int ward_spec_set_limit(struct ward_spec *s, const char *name, const char *value,
                        struct ward_error *e);
/* Look NAME up in a subuid/subgid file: 0 and the first range, 1 if none, -1 on error. */
int ward_subid_lookup(const char *file, const char *name, uint32_t id, uint32_t *start,
                      uint32_t *count, struct ward_error *e);

/* Volumes in the SANDBOX_VOLUMES / -v grammar: "host:container[:rw|ro|overlay]" entries
 * separated by commas; a backslash escapes ',' ':' and '\\' in paths. ORIGIN names the
 * source in errors ("-v", "SANDBOX_VOLUMES"). Appends to the spec. */
int ward_spec_add_volumes(struct ward_spec *s, const char *list, const char *origin,
                          struct ward_error *e);

/* --tmpfs PATH[:size=SIZE,mode=OCTAL,noexec]. */
int ward_spec_add_tmpfs(struct ward_spec *s, const char *text, struct ward_error *e);

/* --publish [ADDR:]HOSTPORT:PORT[/tcp] or PORT (any free host port); ADDR defaults to
 * 127.0.0.1, an IPv6 one is written in brackets. */
int ward_spec_add_publish(struct ward_spec *s, const char *text, struct ward_error *e);
/* --network none|egress */
int ward_spec_set_network(struct ward_spec *s, const char *text, struct ward_error *e);
/* --dns ADDR: a numeric resolver address for the sandbox's resolv.conf. */
int ward_spec_add_dns(struct ward_spec *s, const char *text, struct ward_error *e);

/* SANDBOX_USER_ID / --user-id: a uid from 0 to 65535. */
int ward_spec_set_user_id(struct ward_spec *s, const char *text, const char *origin,
                          struct ward_error *e);

void ward_volumes_free(struct ward_spec *s);

/* Refuse a spec that cannot start, naming the culprit. */
int ward_spec_validate(const struct ward_spec *s, struct ward_error *e);

enum ward_reason {
	WARD_EXITED,
	WARD_SIGNALED,
	WARD_TIMEOUT,
	WARD_OOM,
	WARD_SETUP_ERROR,
};

struct ward_result {
	enum ward_reason reason;
	int exit_code; /* shell convention: status, 128+signal, or 125/126/127 */
	int signal;    /* signal that ended the workload, 0 if none */
	uint64_t duration_ms;
	/* from the sandbox's cgroup, when it had one */
	bool have_usage;
	uint64_t oom_kills;       /* processes killed by the memory limit */
	uint64_t pids_limit_hits; /* forks refused by the pids limit */
	uint64_t memory_peak;     /* bytes, 0 if the kernel does not say */
	uint64_t cpu_usec;        /* CPU time used by the whole sandbox */
	char limits_note[160];    /* how limits were applied when not by cgroups, else empty */
	struct ward_publish ports[WARD_MAX_PUBLISH]; /* the spec's, with the bound host ports */
	size_t n_ports;
};

const char *ward_reason_name(enum ward_reason r);

/* Start the sandbox, wait for it, fill *res. Returns -1 only when ward itself failed before
 * or while starting; then e says what and res->reason is WARD_SETUP_ERROR. Errors of the
 * workload's command (not found, not executable) are setup errors with exit code 127/126. */
int ward_run(const struct ward_spec *s, struct ward_result *res, struct ward_error *e);

/* Seccomp policies. A NAME is looked up in $WARD_POLICY_DIR, then next to the ward binary
 * (../share/ward/policies), then in the source tree ward was built from. */
int ward_policy_find(const char *name_or_path, char *path, size_t len, struct ward_error *e);
/* Calls FN for each policy name found, once per name, first directory winning. */
void ward_policy_list(void (*fn)(const char *name, const char *path, void *arg), void *arg);
/* Parse and compile a policy for a workload with capability set CAPS; reports what is wrong
 * with it (JSON error with line, unknown names, actions, ops). */
int ward_policy_check(const char *path, uint64_t caps, struct ward_error *e);

/* Files in a sandbox's root, given as a directory fd ROOTFD (for a running sandbox, its
 * /proc/PID/root). Paths inside are resolved with openat2(RESOLVE_IN_ROOT): a symlink the
 * workload planted resolves inside the root, never to the host, and magic links (/proc/N/fd)
 * are refused. Entries below a copied directory are never followed: symlinks are copied as
 * symlinks, devices, sockets and fifos are skipped, setuid/setgid bits are dropped. */

/* How a copy out of a sandbox is bounded and what it reports. Named directly, a device,
 * fifo or socket is refused before anything opens it (so a terminal is never taken); inside
 * a copied directory it is skipped. */
struct ward_copy_opts {
	/* bytes the copy may write (file data; holes stay holes and count nothing); past it
	 * the copy stops and removes what it wrote. 0: WARD_COPY_DEFAULT_MAX */
	uint64_t max_bytes;
	/* called for each entry left out of a directory copy; may be NULL */
	void (*skipped)(const char *path, const char *why, void *arg);
	void *arg;
};

#define WARD_COPY_DEFAULT_MAX (1ull << 30)

/* PATH inside → OUT (a regular file only, at most max_bytes long). */
int ward_file_read(int rootfd, const char *path, int out, struct ward_error *e);
int ward_file_read_opts(int rootfd, const char *path, int out, const struct ward_copy_opts *o,
                        struct ward_error *e);
/* IN → PATH inside, created or atomically replaced (a symlink there is replaced, not
 * followed), with MODE; the parent directory must exist. */
int ward_file_write(int rootfd, const char *path, int in, unsigned mode, struct ward_error *e);
/* Host paths or patterns → DEST inside. A pattern may use * ? [..] per component and ** for
 * any depth; matches keep their paths relative to the pattern's fixed leading directories.
 * With one plain source and a DEST that is not a directory, DEST is the new name. */
int ward_copy_in(int rootfd, char *const *sources, size_t n, const char *dest,
                 struct ward_error *e);
/* SRC inside → HOSTDEST (into it, when it is an existing directory). The copy is made
 * under a temporary name next to its destination and renamed into place once complete (a
 * directory never merges into an existing one); hard links inside it stay links, modes get
 * the caller's umask and never o+w. NULL opts: the defaults. */
int ward_copy_out(int rootfd, const char *src, const char *hostdest, struct ward_error *e);
int ward_copy_out_opts(int rootfd, const char *src, const char *hostdest,
                       const struct ward_copy_opts *o, struct ward_error *e);

/* Host capability report. */
enum ward_check_state { WARD_CHECK_OK, WARD_CHECK_LIMITED, WARD_CHECK_MISSING };

struct ward_check {
	const char *name;
	enum ward_check_state state;
	char detail[256]; /* what was found */
	char advice[256]; /* what to do about it; empty when ok */
};

/* Fills up to max checks, returns how many. */
size_t ward_doctor(struct ward_check *checks, size_t max);

#endif
