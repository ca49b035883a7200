/* The terminal's master to the engine's console socket, as runc hands it over: one message,
 * the pty's name as payload and the fd as SCM_RIGHTS. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "channel.h"
#include "container.h"
#include "sys.h"

int container_console_send(const char *path, int master, struct ward_error *e)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(a.sun_path))
		return ward_error_set(e, 0, "--console-socket %s: path too long", path);
	strcpy(a.sun_path, path);
	autoclose int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&a, sizeof(a)) < 0)
		return ward_error_set(e, errno, "--console-socket %s", path);
	char name[64] = "/dev/ptmx";
	int n = -1;
	if (ioctl(master, TIOCGPTN, &n) == 0)
		snprintf(name, sizeof(name), "/dev/pts/%d", n);
	if (packet_send(sock, name, strlen(name), &master, 1) < 0)
		return ward_error_set(e, errno, "--console-socket %s: sending the terminal", path);
	return 0;
}

int container_console_pass(const char *path, int master, const char *what, struct ward_error *e)
{
	int rc = path ? container_console_send(path, master, e)
	              : ward_error_set(e, 0, "%s: --console-socket is needed", what);
	if (master >= 0)
		close(master);
	return rc;
}
