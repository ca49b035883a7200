/* Supervisor side of attach: a persistent sandbox's main command with a terminal (-t) or a
 * stdin (-i), and the clients attached to it. Each client hands over pipes: what it types
 * comes in on one, the command's output goes out on the others, as it is recorded in the log.
 * A client that cannot keep up holds the output back (as a terminal would), never loses it. */
#ifndef WARD_SANDBOX_ATTACH_H
#define WARD_SANDBOX_ATTACH_H

#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "logfile.h"
#include "ward/error.h"

#define ATTACH_MAX  64
#define ATTACH_POLL (2 + 4 * ATTACH_MAX)

struct attach_buf {
	char *p;
	size_t len, cap;
};

struct attach_client {
	int ctl;    /* its connection: hung up, it has detached */
	int in;     /* what it types; -1 when none or ended */
	int out[2]; /* stdout, stderr (non-blocking); -1 when not wanted */
	struct attach_buf pend[2];
	bool dead;
};

struct attach_set {
	int master;       /* the command's terminal, -1 without one */
	bool master_eof;  /* every slave closed */
	int stdin_w;      /* -i without a terminal: the command's stdin, -1 when none or closed */
	bool close_stdin; /* the first attached input ended: close stdin once inbuf is out */
	bool stdin_once;  /* ... and that happened already */
	struct attach_buf inbuf; /* typed, not yet taken by the command */
	struct attach_client c[ATTACH_MAX];
	size_t n;
	struct log_relay *log;
};

void attach_init(struct attach_set *a, struct log_relay *log);
/* -i without -t: a pipe on fd 0, for the init about to be cloned to inherit. */
int attach_stdin_prepare(struct attach_set *a, struct ward_error *e);
/* After the clone: the supervisor's own fd 0 back to /dev/null. */
void attach_stdin_started(struct attach_set *a);
/* The command's terminal (taken). */
void attach_set_master(struct attach_set *a, int master);
/* An "attach" request on CTL: answered; CTL and the fds it keeps are taken (set to -1). */
void attach_add(struct attach_set *a, int ctl, json_t *q, int *fds, size_t nfds);
/* A "resize" request: answered on CTL (kept by the caller). */
void attach_resize(struct attach_set *a, int ctl, json_t *q);
/* True while a client's output waits: the command's output is not read meanwhile. */
bool attach_blocked(const struct attach_set *a);
/* Entries at PFD in the layout attach_io expects (ATTACH_POLL at most, unused ones -1);
 * returns how many to poll: only those in use, since poll() refuses more entries than the
 * file limit (a supervisor started under ulimit -n 64). */
size_t attach_fds(struct attach_set *a, struct pollfd *pfd);
void attach_io(struct attach_set *a, const struct pollfd *pfd);
/* The command ended: the rest of its output to the clients, then its exit code; all closed. */
void attach_end(struct attach_set *a, int exit_code);

#endif
