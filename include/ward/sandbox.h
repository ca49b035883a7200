/* ward/sandbox.h: persistent sandboxes. No daemon: each sandbox has a supervisor of its own
 * (a detached fork of the call that created it); every other call finds it through the
 * context's state root and talks to it over its control socket. */
#ifndef WARD_SANDBOX_H_PUBLIC
#define WARD_SANDBOX_H_PUBLIC

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ward/context.h"
#include "ward/error.h"
#include "ward/files.h"
#include "ward/run.h"

struct ward_spec;
struct ward_sandbox;

#define WARD_SANDBOX_ID_LEN 12

/* created: made, never started (ward_sandbox_new); stopped: its processes ended, its
 * writable layer, log and record kept until removed; paused: every process frozen. */
enum ward_sandbox_status {
	WARD_SANDBOX_CREATING,
	WARD_SANDBOX_RUNNING,
	WARD_SANDBOX_STOPPED,
	WARD_SANDBOX_CREATED,
	WARD_SANDBOX_PAUSED
};
const char *ward_sandbox_status_name(enum ward_sandbox_status s);

struct ward_sandbox_info {
	char id[WARD_SANDBOX_ID_LEN + 1];
	char name[64]; /* "" when unnamed */
	enum ward_sandbox_status status;
	bool persistent;
	bool alive;        /* its supervisor is running */
	char origin[256];  /* what it was made from: the image as asked, or the rootfs */
	char command[512]; /* "" when idle */
	int64_t created_ms, finished_ms;          /* unix time; finished once stopped */
	int exit_code;                            /* once stopped */
	char reason[16];                          /* once stopped: as ward_reason_name */
	pid_t supervisor, init;                   /* host pids */
	uint64_t ns_user, ns_mnt, ns_pid, ns_net; /* init's namespace inodes */
	char cgroups[8][256];
	size_t n_cgroups;
	bool egress;
	char address[16];        /* root: its veth address, "" otherwise */
	char host_interface[16]; /* root: the host side of its veth, "" otherwise */
	struct ward_publish ports[WARD_MAX_PUBLISH];
	size_t n_ports;
	int64_t started_ms; /* last start, 0 if never started */
	char **labels;      /* "K=V", NULL-terminated (malloc'ed, may be NULL) */
	char *config;       /* the whole config as a JSON object (malloc'ed, may be NULL) */
};
/* Free what an info holds (labels, config); the struct itself stays the caller's. */
void ward_sandbox_info_release(struct ward_sandbox_info *info);
/* Free what ward_sandbox_list returned. */
void ward_sandbox_list_free(struct ward_sandbox_info *v, size_t n);
/* The value of label KEY, or NULL. */
const char *ward_sandbox_info_label(const struct ward_sandbox_info *info, const char *key);

/* INFO as the JSON object ward inspect prints (malloc'ed), or NULL without memory. */
char *ward_sandbox_info_json(const struct ward_sandbox_info *info);

/* Start S under a supervisor of its own and return once its init is ready. With a name and
 * persistent, a running sandbox of that name and the same spec is reused (*reused set; may
 * be NULL). The supervisor is a child of the calling process: a long-lived caller reaps it
 * once the sandbox has ended (or ignores SIGCHLD). */
int ward_sandbox_create(struct ward_context *c, struct ward_spec *s, struct ward_sandbox **out,
                        bool *reused, struct ward_error *e);
/* Make a sandbox from S without starting it (status created): its record and config are
 * kept in the state root until removed. Start it with ward_sandbox_start. */
int ward_sandbox_new(struct ward_context *c, struct ward_spec *s, struct ward_sandbox **out,
                     struct ward_error *e);
/* Start a created or stopped sandbox and return once its init is ready; a stopped one comes
 * back with the files its processes wrote (its writable layer). The supervisor is a child of
 * the caller, as for ward_sandbox_create. */
int ward_sandbox_start(struct ward_sandbox *sb, struct ward_error *e);
/* Stop it (as ward_sandbox_stop) if it runs, then start it again. */
int ward_sandbox_restart(struct ward_sandbox *sb, unsigned grace_s, struct ward_error *e);
/* Freeze / thaw every process of a running sandbox (cgroup freezer). Refused, saying what is
 * missing, where the host gives the caller no freezer. */
int ward_sandbox_pause(struct ward_sandbox *sb, struct ward_error *e);
int ward_sandbox_unpause(struct ward_sandbox *sb, struct ward_error *e);

/* What ward_sandbox_logs writes. */
struct ward_log_opts {
	bool follow;      /* keep writing what comes until the sandbox stops */
	bool timestamps;  /* each line prefixed with its time (RFC 3339, UTC, nanoseconds) */
	int64_t since_ms; /* only lines from this unix time on (0: all) */
	long tail;        /* only the last TAIL lines (< 0: all) */
};
/* Its log: what its processes wrote to stdout goes to OUT, stderr to ERR. */
int ward_sandbox_logs(struct ward_sandbox *sb, const struct ward_log_opts *o, int out, int err,
                      struct ward_error *e);

/* What ward_sandbox_attach connects. */
struct ward_attach_opts {
	bool in;     /* send what IN gives to the command (its terminal, or -i's stdin) */
	bool out;    /* its stdout (with a terminal: everything it writes) to OUT */
	bool err;    /* its stderr to ERR (with a terminal: to ERR only without OUT) */
	bool logs;   /* its log first, from the beginning */
	bool stream; /* then what it writes from now on, until it ends or the caller goes */
};
/* Attach to the sandbox's main command (ward create -t / -i; any sandbox's output). A created
 * sandbox is waited for until it starts, and then nothing it wrote is missed (docker run
 * attaches before it starts). Several callers may be attached at once; with a terminal the
 * command's output is the same for all and their input is mixed. The first caller whose IN
 * ends closes a -i command's stdin (Docker's StdinOnce); a terminal's input just stops.
 * Returns 0 when the command ended (*EXIT_CODE, may be NULL, gets its exit code) or when
 * OUT or ERR could no longer be written, or went away (*EXIT_CODE -1). A stopped sandbox is
 * refused unless LOGS (then its log, and its recorded exit code). */
int ward_sandbox_attach(struct ward_sandbox *sb, const struct ward_attach_opts *o, int in, int out,
                        int err, int *exit_code, struct ward_error *e);
/* The size of the main command's terminal (TIOCSWINSZ: the command gets SIGWINCH). Refused
 * for a sandbox made without a terminal, or not running. */
int ward_sandbox_resize(struct ward_sandbox *sb, unsigned rows, unsigned cols,
                        struct ward_error *e);

/* Its writable layer as a new image layer on top of its image, stored as NAME[:TAG] with
 * the sandbox's config (env, command, workdir, user); MESSAGE (may be NULL) goes to the
 * image's history. A running sandbox is paused while its layer is read. ID_OUT (may be NULL)
 * gets the new image's id. */
struct ward_store;
int ward_sandbox_commit(struct ward_sandbox *sb, struct ward_store *st, const char *name,
                        const char *message, char id_out[80], struct ward_error *e);

/* REF: an id, a unique prefix of one, or a name. */
int ward_sandbox_open(struct ward_context *c, const char *ref, struct ward_sandbox **out,
                      struct ward_error *e);
const char *ward_sandbox_id(const struct ward_sandbox *sb);
void ward_sandbox_close(struct ward_sandbox *sb);

/* Every sandbox in the state root (cleaning after supervisors that died first); *out is
 * malloc'ed. */
int ward_sandbox_list(struct ward_context *c, struct ward_sandbox_info **out, size_t *n,
                      struct ward_error *e);
int ward_sandbox_inspect(struct ward_sandbox *sb, struct ward_sandbox_info *info,
                         struct ward_error *e);

/* SIGTERM to everything inside, SIGKILL after GRACE_S seconds (0: at once); returns when it
 * has stopped. */
int ward_sandbox_stop(struct ward_sandbox *sb, unsigned grace_s, struct ward_error *e);
/* Send SIG to the sandbox's init (SIGKILL: the whole sandbox ends, and the call returns once
 * it has). Another signal returns at once: init passes it on to the sandbox's command (idle:
 * to everything inside) and ends only when that command does; a signal nothing dies of
 * ends nothing. */
int ward_sandbox_kill(struct ward_sandbox *sb, int sig, struct ward_error *e);
/* Remove it; FORCE kills it first when it runs (else a running one is refused). SB stays to
 * be closed. */
int ward_sandbox_remove(struct ward_sandbox *sb, bool force, struct ward_error *e);
/* Wait until it has stopped; *exit_code (may be NULL) as ward_result's. One that was not
 * persistent and has already ended is gone with its exit code: -1, "no such sandbox". */
int ward_sandbox_wait(struct ward_sandbox *sb, int *exit_code, struct ward_error *e);

/* Give it egress, or take it away, while it runs; loopback and published ports stay. */
int ward_sandbox_network(struct ward_sandbox *sb, bool egress, struct ward_error *e);

/* A command to run in a sandbox, built through setters. */
struct ward_exec;
int ward_exec_new(struct ward_exec **out, struct ward_error *e);
void ward_exec_free(struct ward_exec *x);
int ward_exec_set_argv(struct ward_exec *x, int argc, char *const argv[], struct ward_error *e);
/* K=V over the sandbox's environment. */
int ward_exec_add_env(struct ward_exec *x, const char *kv, struct ward_error *e);
int ward_exec_set_cwd(struct ward_exec *x, const char *dir, struct ward_error *e);
/* U[:G]: ids or names from the sandbox's /etc/passwd and /etc/group. */
int ward_exec_set_user(struct ward_exec *x, const char *user, struct ward_error *e);
void ward_exec_set_tty(struct ward_exec *x, bool tty);
void ward_exec_set_interactive(struct ward_exec *x, bool interactive);
void ward_exec_set_timeout(struct ward_exec *x, unsigned seconds);
/* The fds the command gets as stdin, stdout, stderr (default 0, 1, 2; stdin is /dev/null
 * unless interactive). */
void ward_exec_set_stdio(struct ward_exec *x, int in, int out, int err);
/* A terminal's (set_tty) size at start; 0 rows: the size of the caller's stdin or stdout
 * terminal, if any. With a terminal, the command's stdin (interactive) and output are
 * relayed to and from the fds of set_stdio: other fds than 0 and 1 get the terminal's bytes
 * as they are (CR LF), as a remote terminal wants them. */
void ward_exec_set_winsize(struct ward_exec *x, unsigned short rows, unsigned short cols);
/* Resize the terminal of X while ward_sandbox_exec runs it (safe from another thread; also
 * kept as the size for a later run). -1 when X runs without a terminal now. */
int ward_exec_resize(struct ward_exec *x, unsigned short rows, unsigned short cols,
                     struct ward_error *e);
/* Capture stdout and stderr instead, keeping at most MAX bytes of each (0: 1 MiB). */
void ward_exec_set_capture(struct ward_exec *x, size_t max);

struct ward_exec_result {
	int exit_code; /* as ward_result's: status, 128+signal, 125/126/127 */
	int signal;
	bool timed_out, oom_killed;
	uint64_t duration_ms;
	char *out[2]; /* captured stdout and stderr (malloc'ed), with their lengths */
	size_t len[2];
	size_t total[2]; /* bytes the command wrote, kept or not */
};

/* Run X in SB and wait for it. -1 when ward could not start it (e says why; res->exit_code
 * is 125, 126 or 127). */
int ward_sandbox_exec(struct ward_sandbox *sb, const struct ward_exec *x,
                      struct ward_exec_result *res, struct ward_error *e);
void ward_exec_result_free(struct ward_exec_result *res);
/* The result as ward exec --json prints it (captured bytes as JSON strings, invalid UTF-8 as
 * U+FFFD; "error": E's message when FAILED), malloc'ed. */
char *ward_exec_result_json(const struct ward_exec_result *res, const struct ward_error *e,
                            bool failed);

/* Files of a running sandbox, resolved inside its root as ward/files.h describes. A copy out
 * is bounded by o->max_bytes, else the sandbox's --disk, else WARD_COPY_DEFAULT_MAX. A root
 * caller's files made inside belong to the sandbox's root user. */
int ward_sandbox_read(struct ward_sandbox *sb, const char *path, int out,
                      const struct ward_copy_opts *o, struct ward_error *e);
/* PATH may be relative: to the sandbox's working directory. FLAGS: WARD_WRITE_PARENTS makes
 * missing parent directories (0755, the sandbox root's). */
#define WARD_WRITE_PARENTS 1u
int ward_sandbox_write(struct ward_sandbox *sb, const char *path, int in, unsigned mode,
                       unsigned flags, struct ward_error *e);
int ward_sandbox_copy_in(struct ward_sandbox *sb, char *const *sources, size_t n, const char *dest,
                         struct ward_error *e);
int ward_sandbox_copy_out(struct ward_sandbox *sb, const char *src, const char *hostdest,
                          const struct ward_copy_opts *o, struct ward_error *e);

/* What ward_sandbox_stat says of one path inside (not followed when it is a symlink). */
struct ward_path_stat {
	char name[256]; /* its last component ("/" for the root) */
	uint64_t size;
	unsigned mode;          /* st_mode: type and permissions */
	int64_t mtime_ms;       /* unix time */
	char link_target[4096]; /* a symlink's target, "" otherwise */
};
/* PATH inside a running sandbox (relative: to its working directory), resolved inside its
 * root as ward/files.h describes; the last component is not followed. */
int ward_sandbox_stat(struct ward_sandbox *sb, const char *path, struct ward_path_stat *st,
                      struct ward_error *e);
/* PATH inside as a tar stream (pax) to OUT: one entry named as its last component, and for a
 * directory everything below it, walked through fds without following a symlink (a symlink
 * is an entry); owners as the sandbox sees them; sockets and devices left out. Not
 * thread-safe (the tar writer's buffer and the locale): a server calls it in a process of
 * its own. */
int ward_sandbox_tar_out(struct ward_sandbox *sb, const char *path, int out, struct ward_error *e);
/* The tar stream IN extracted into the directory DIR inside (which must exist), with the
 * rules of ward_sandbox_copy_in: symlinks inside the tar stay symlinks, every path is
 * resolved inside the root, files belong to the sandbox's root user. An entry naming ".."
 * or a hard link to outside the archive is refused, naming it; devices are not made. The
 * archive is unpacked in a private host directory first (removed at the end). */
int ward_sandbox_tar_in(struct ward_sandbox *sb, const char *dir, int in, struct ward_error *e);

#endif
