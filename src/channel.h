/* The sync socket between the supervisor and the sandbox: small typed messages, each
 * optionally carrying one file descriptor. */
#ifndef WARD_CHANNEL_H
#define WARD_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ward/error.h"
#include "nsfd.h" /* MSG_NS names a namespace by its index in ns_names */

enum msg_type {
	MSG_GO = 1,    /* supervisor → child: maps written, go on (fd: idmapped rootfs or none) */
	MSG_FAIL,      /* child → supervisor: a setup step failed (err, text: a ward_error) */
	MSG_EXEC_FAIL, /* workload → supervisor: execve failed (value: 126 or 127; err, text) */
	MSG_PTY,       /* child → supervisor: the pty master (fd) */
	MSG_STATUS,    /* init → supervisor: the workload's wait status (value) */
	MSG_UPPER,     /* child → supervisor: overlay volume (value)'s upper layer (fd); value
	                  -1: the root's writable layer (spec keep_upper) */
	MSG_READY,     /* init → supervisor (persistent sandboxes): set up; fd: the root */
	MSG_NS, /* init → supervisor (persistent sandboxes): namespace ns_names[value] (fd) */
	MSG_EXEC_PID, /* exec helper → supervisor: the command's host pid (value), pidfd (fd) */
	MSG_HOOKS,    /* OCI container → create: its mounts are made, the runtime's hooks run */
};

struct msg {
	uint32_t type;
	int32_t err;
	int32_t value;
	char text[sizeof(((struct ward_error *)0)->msg)];
};

/* One packet of LEN bytes with up to three fds. Returns 0, or -1 with errno set. */
int packet_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds);
/* One packet into BUF: its length, 0 at end of stream, -1 with errno set (EMSGSIZE when it
 * or its fds did not fit; its fds are then closed). Up to MAXFDS fds into FDS (*NFDS),
 * close-on-exec; extra ones are closed. */
ssize_t packet_recv(int sock, void *buf, size_t len, int *fds, size_t maxfds, size_t *nfds);

/* Returns 0, or -1 with errno set. */
int msg_send(int sock, const struct msg *m, int fd);
/* Returns 1 on a message, 0 on end of stream, -1 with errno set. *fd gets a passed fd or -1. */
int msg_recv(int sock, struct msg *m, int *fd);

/* The one place a failure crosses the fork: every process on the child side (init, the
 * workload, an exec helper) unwinds with -1 and E filled, then ends here. E goes to the
 * supervisor as it is, as MSG_FAIL for CODE 125 or MSG_EXEC_FAIL for 126/127 (execve);
 * then the process exits CODE. Safe after vfork (no allocation). */
__attribute__((noreturn)) void msg_fail_exit(int sock, int code, const struct ward_error *e);
/* Supervisor side: the failure M into E, unchanged. Returns -1. */
int msg_error(const struct msg *m, struct ward_error *e);

#endif
