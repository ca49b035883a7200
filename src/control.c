/* JSON packets with SCM_RIGHTS over the control socket. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control.h"

int ctl_send(int sock, json_t *o, const int *fds, size_t nfds)
{
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text || strlen(text) > CTL_MAX_MSG || nfds > CTL_MAX_FDS) {
		free(text);
		errno = text ? EMSGSIZE : ENOMEM;
		return -1;
	}
	struct iovec iov = {.iov_base = text, .iov_len = strlen(text)};
	union {
		char buf[CMSG_SPACE(sizeof(int) * CTL_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
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
	free(text);
	return n < 0 ? -1 : 0;
}

int ctl_recv(int sock, json_t **o, int *fds, size_t *nfds)
{
	*o = NULL;
	*nfds = 0;
	char *buf = malloc(CTL_MAX_MSG + 1);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	struct iovec iov = {.iov_base = buf, .iov_len = CTL_MAX_MSG};
	union {
		char buf[CMSG_SPACE(sizeof(int) * CTL_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.buf,
	                    .msg_controllen = sizeof(u.buf)};
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int got[CTL_MAX_FDS + 1];
		memcpy(got, CMSG_DATA(c), sizeof(int) * (k > CTL_MAX_FDS ? CTL_MAX_FDS : k));
		for (size_t i = 0; i < k && i < CTL_MAX_FDS; i++)
			fds[(*nfds)++] = got[i];
	}
	if (n <= 0) {
		free(buf);
		return (int)n;
	}
	buf[n] = 0;
	json_error_t je;
	*o = json_loads(buf, 0, &je);
	free(buf);
	if (!json_is_object(*o) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		json_decref(*o);
		*o = NULL;
		for (size_t i = 0; i < *nfds; i++)
			close(fds[i]);
		*nfds = 0;
		errno = EPROTO;
		return -1;
	}
	return 1;
}
