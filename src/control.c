/* JSON packets with SCM_RIGHTS over the control socket. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "control.h"

int ctl_send(int sock, json_t *o, const int *fds, size_t nfds)
{
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text || strlen(text) > CTL_MAX_MSG) {
		free(text);
		errno = text ? EMSGSIZE : ENOMEM;
		return -1;
	}
	int rc = packet_send(sock, text, strlen(text), fds, nfds);
	free(text);
	return rc;
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
	ssize_t n = packet_recv(sock, buf, CTL_MAX_MSG, fds, CTL_MAX_FDS, nfds);
	if (n <= 0) {
		free(buf);
		return (int)n;
	}
	buf[n] = 0;
	json_error_t je;
	*o = json_loads(buf, 0, &je);
	free(buf);
	if (!json_is_object(*o)) {
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
