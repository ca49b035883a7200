/* Packets over SOCK_SEQPACKET sockets with SCM_RIGHTS fds, and the sync socket's messages. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "channel.h"
#include "spec.h"

#define PACKET_MAX_FDS 3

int packet_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	union {
		char buf[CMSG_SPACE(sizeof(int) * PACKET_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (nfds > PACKET_MAX_FDS) {
		errno = EINVAL;
		return -1;
	}
	if (nfds) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

ssize_t packet_recv(int sock, void *buf, size_t len, int *fds, size_t maxfds, size_t *nfds)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	union {
		char buf[CMSG_SPACE(sizeof(int) * PACKET_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.buf,
	                    .msg_controllen = sizeof(u.buf)};
	*nfds = 0;
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int got[PACKET_MAX_FDS];
		memcpy(got, CMSG_DATA(c), sizeof(int) * (k < PACKET_MAX_FDS ? k : PACKET_MAX_FDS));
		for (size_t i = 0; i < k && i < PACKET_MAX_FDS; i++) {
			if (*nfds < maxfds)
				fds[(*nfds)++] = got[i];
			else
				close(got[i]);
		}
	}
	if (n > 0 && (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		for (size_t i = 0; i < *nfds; i++)
			close(fds[i]);
		*nfds = 0;
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}

int msg_send(int sock, const struct msg *m, int fd)
{
	return packet_send(sock, m, sizeof(*m), &fd, fd >= 0);
}

int msg_recv(int sock, struct msg *m, int *fd)
{
	int got = -1;
	size_t n_fds;
	ssize_t n = packet_recv(sock, m, sizeof(*m), &got, 1, &n_fds);
	if (fd)
		*fd = n_fds ? got : -1;
	else if (n_fds)
		close(got);
	if (n <= 0)
		return (int)n;
	if ((size_t)n != sizeof(*m)) {
		errno = EPROTO;
		return -1;
	}
	m->text[sizeof(m->text) - 1] = 0;
	return 1;
}

void msg_fail_exit(int sock, int code, const struct ward_error *e)
{
	struct msg m = {
	    .type = code == 125 ? MSG_FAIL : MSG_EXEC_FAIL, .err = e->err, .value = code};
	memcpy(m.text, e->msg, sizeof(m.text));
	m.text[sizeof(m.text) - 1] = 0;
	if (!m.text[0]) /* a step that failed without saying why: still one line */
		memcpy(m.text, "sandbox setup failed", sizeof("sandbox setup failed"));
	msg_send(sock, &m, -1);
	_exit(code);
}

int msg_error(const struct msg *m, struct ward_error *e)
{
	if (e) {
		e->err = m->err;
		memcpy(e->msg, m->text, sizeof(e->msg));
	}
	return -1;
}
