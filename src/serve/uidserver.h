/* A root server's children that serve other uids (uidserver.c). */
#ifndef WARD_SERVE_UIDSERVER_H
#define WARD_SERVE_UIDSERVER_H

#include <sys/types.h>

#include "serve.h"

/* Hand connection FD (taken) to UID's child server, started when none runs. */
void uidserver_pass(struct serve *srv, uid_t uid, int fd);
/* Reap the children that ended. */
void uidserver_reap(void);
/* Children alive. */
unsigned uidserver_count(void);
/* The child's side, in the ward-serve it executes as the uid (main.c's --uid-child): serve
 * the connections that come over SOCK until idle or the parent is gone. */
void uidserver_child_run(const char *socket_path, int sock) __attribute__((noreturn));
/* SIGTERM to each. */
void uidserver_stop_all(void);

#endif
