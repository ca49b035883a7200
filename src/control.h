/* The control socket of a persistent sandbox: JSON messages, each with up to three fds,
 * over SOCK_SEQPACKET (one message per packet, no framing to get wrong). */
#ifndef WARD_CONTROL_H
#define WARD_CONTROL_H

#include <jansson.h>
#include <stddef.h>

#define CTL_MAX_FDS 3
#define CTL_MAX_MSG (256 * 1024)

/* Sends and frees O. Returns 0, or -1 with errno set. */
int ctl_send(int sock, json_t *o, const int *fds, size_t nfds);
/* Returns 1 with *o set (and *nfds fds, close-on-exec), 0 at end of stream, -1 on error
 * (EPROTO for a packet that is not a JSON object). Extra fds are closed. */
int ctl_recv(int sock, json_t **o, int *fds, size_t *nfds);

#endif
