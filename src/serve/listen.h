/* The socket (listen.c) and the accept loop (accept.c). */
#ifndef WARD_SERVE_LISTEN_H
#define WARD_SERVE_LISTEN_H

#include <stdbool.h>
#include <sys/types.h>

#include "serve.h"

struct listen_opts {
	const char *socket_path; /* NULL: the default for the caller */
	const char *group;       /* NULL: 0600, else 0660 and this group */
	long idle_timeout;       /* seconds; < 0: the default (never, or 300 when activated) */
};

struct listener {
	int fd;
	bool activated; /* from systemd (LISTEN_FDS): its file is systemd's */
	char path[108];
};

/* Bind (or take from systemd) the socket. */
int listen_open(const struct listen_opts *o, struct listener *l, struct ward_error *e);
/* Remove the socket file (unless systemd's). */
void listen_close(struct listener *l);

/* Accept until SIGTERM/SIGINT or the idle timeout; returns the exit status. */
int accept_loop(struct serve *srv, struct listener *l, long idle_timeout);

#endif
