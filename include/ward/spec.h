/* ward/spec.h: describing a sandbox. A spec is built through setters only, so that fields
 * can be added without breaking callers; every setter that parses text names the culprit in
 * its error. Order does not matter: an image's defaults, -u lookups and the default HOME are
 * resolved when the sandbox starts, with what the caller set always winning. */
#ifndef WARD_SPEC_H_PUBLIC
#define WARD_SPEC_H_PUBLIC

#include <stdbool.h>
#include <stdint.h>

#include "ward/error.h"

struct ward_spec;
struct ward_image;

int ward_spec_new(struct ward_spec **out, struct ward_error *e);
void ward_spec_free(struct ward_spec *s);

/* The command (copied). With an image it replaces the image's Cmd (its Entrypoint stays);
 * without any, the image's Entrypoint + Cmd (a created sandbox without any idles). */
int ward_spec_set_argv(struct ward_spec *s, int argc, char *const argv[], struct ward_error *e);
/* K=V over the defaults and the image's Env (a K given twice: the last wins). */
int ward_spec_add_env(struct ward_spec *s, const char *kv, struct ward_error *e);
/* K=V lines of a file; # comments and blank lines skipped. */
int ward_spec_load_env_file(struct ward_spec *s, const char *path, struct ward_error *e);
int ward_spec_set_cwd(struct ward_spec *s, const char *dir, struct ward_error *e);
/* "name|uid[:group|gid]", looked up in the root's own /etc/passwd and /etc/group when the
 * sandbox starts (default: the image's User, else 0:0). */
int ward_spec_set_user(struct ward_spec *s, const char *user, struct ward_error *e);
/* SANDBOX_USER_ID: run as U:U and show the caller's files as U's; ORIGIN names the source in
 * errors ("--user-id"). Contradicts ward_spec_set_user. */
int ward_spec_set_user_id(struct ward_spec *s, const char *text, const char *origin,
                          struct ward_error *e);
void ward_spec_set_tty(struct ward_spec *s, bool tty);
void ward_spec_set_interactive(struct ward_spec *s, bool interactive);
/* Wall-clock seconds for the whole sandbox; 0: none. */
void ward_spec_set_timeout(struct ward_spec *s, unsigned seconds);
/* NAME=SOFT[:HARD], e.g. nofile=1024:4096. */
int ward_spec_add_rlimit(struct ward_spec *s, const char *text, struct ward_error *e);

/* The root: a host directory (never modified) ... */
int ward_spec_set_rootfs(struct ward_spec *s, const char *dir, struct ward_error *e);
/* ... or an open image, with its defaults. ENTRYPOINT replaces the image's (NULL: keep it,
 * "": none; replacing it also drops the image's Cmd, as docker run does). The image must stay
 * open until the sandbox has started (a one-shot run: until it ended). */
int ward_spec_set_image(struct ward_spec *s, struct ward_image *img, const char *entrypoint,
                        struct ward_error *e);
void ward_spec_set_read_only(struct ward_spec *s, bool read_only);
int ward_spec_set_hostname(struct ward_spec *s, const char *name, struct ward_error *e);
/* Root callers: the host id where container id 0 starts (default WARD_ROOT_IDMAP_BASE). */
int ward_spec_set_idmap_base(struct ward_spec *s, uint32_t base, struct ward_error *e);

/* Security. NAME or CAP_NAME (any case), or ALL. */
int ward_spec_cap_add(struct ward_spec *s, const char *name, struct ward_error *e);
int ward_spec_cap_drop(struct ward_spec *s, const char *name, struct ward_error *e);
/* A policy name (see ward_policy_find) or file; default "default". */
int ward_spec_set_policy(struct ward_spec *s, const char *name_or_path, struct ward_error *e);
/* No syscall filter at all: the start logs a warning. */
void ward_spec_set_seccomp_unconfined(struct ward_spec *s, bool unconfined);
/* rw volumes without the set-id ban: the start logs a warning. */
void ward_spec_set_allow_setid_volumes(struct ward_spec *s, bool allow);

/* Limits: NAME is the CLI option without dashes (memory, memory-swap, pids, cpus,
 * cpu-weight, cpuset, io-max, disk), VALUE its text. */
int ward_spec_set_limit(struct ward_spec *s, const char *name, const char *value,
                        struct ward_error *e);
/* Without a usable cgroup: rlimits instead, said in the result (default: refuse to start). */
void ward_spec_set_best_effort_limits(struct ward_spec *s, bool best_effort);

/* Volumes in the SANDBOX_VOLUMES / -v grammar: "host:container[:rw|ro|overlay]" entries
 * separated by commas; a backslash escapes ',' ':' and '\\'. ORIGIN names the source in
 * errors. The first volume is the working directory. */
int ward_spec_add_volumes(struct ward_spec *s, const char *list, const char *origin,
                          struct ward_error *e);
/* PATH[:size=SIZE,mode=OCTAL,noexec] */
int ward_spec_add_tmpfs(struct ward_spec *s, const char *text, struct ward_error *e);
/* At exit, the overlay volumes' changes as one OCI tar layer into this host file. */
int ward_spec_set_changes(struct ward_spec *s, const char *path, struct ward_error *e);

/* Network: none (only lo, the default) or egress. */
int ward_spec_set_network(struct ward_spec *s, const char *text, struct ward_error *e);
/* [ADDR:]HOSTPORT:PORT[/tcp] or PORT (a free host port); ADDR defaults to 127.0.0.1. */
int ward_spec_add_publish(struct ward_spec *s, const char *text, struct ward_error *e);
/* A numeric resolver address for the sandbox's resolv.conf. */
int ward_spec_add_dns(struct ward_spec *s, const char *text, struct ward_error *e);
/* NAME:ADDR (ADDR a numeric IPv4 or IPv6 address), a line of the sandbox's /etc/hosts. With
 * any, the sandbox gets an /etc/hosts of ward's (localhost, then these) over the image's. */
int ward_spec_add_host(struct ward_spec *s, const char *text, struct ward_error *e);

/* Persistent sandboxes (ward_sandbox_create): a unique name, kept once stopped, and what the
 * sandbox was made from, for listings (default: the image's name or the rootfs). */
int ward_spec_set_name(struct ward_spec *s, const char *name, struct ward_error *e);
void ward_spec_set_persistent(struct ward_spec *s, bool persistent);
int ward_spec_set_origin(struct ward_spec *s, const char *what, struct ward_error *e);
/* A label K=V (K non-empty, no '='; a later K replaces an earlier one): kept in the record,
 * shown by inspect, matched by ward ps --filter label=K[=V]. */
int ward_spec_add_label(struct ward_spec *s, const char *kv, struct ward_error *e);
/* Remove the sandbox (record, writable layer, log) as soon as it stops (--rm). */
void ward_spec_set_auto_remove(struct ward_spec *s, bool auto_remove);
/* No no_new_privs: set-uid and set-gid programs and file capabilities of the image take
 * effect inside (sudo, ping). Container root stays unprivileged on the host, and the set-id
 * ban with rw volumes stays. Default off. */
void ward_spec_set_allow_setuid(struct ward_spec *s, bool allow);

/* Refuse a spec that cannot start, naming the culprit (the start does this too). */
int ward_spec_validate(const struct ward_spec *s, struct ward_error *e);

#endif
