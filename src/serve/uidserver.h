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
/* SIGTERM to each. */
void uidserver_stop_all(void);

#endif
