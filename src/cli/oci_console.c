/* ward oci run of a process with a terminal and no --console-socket: as runc does, the
 * pty's master comes to a socket of our own and is proxied to our stdio while we wait. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "oci.h"

int oci_console_listen(struct oci_console *c)
{
	const char *tmp = getenv("XDG_RUNTIME_DIR");
	/* a socket's path is short (108 bytes) */
	bool xdg = tmp && tmp[0] == '/' && strlen(tmp) < 60 && !access(tmp, W_OK);
	snprintf(c->dir, sizeof(c->dir), "%s/ward-oci-pty.XXXXXX", xdg ? tmp : "/tmp");
	if (!mkdtemp(c->dir))
		return oci_fail("run: %s: %s", c->dir, strerror(errno));
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(c->path, sizeof(c->path), "%s/pty.sock", c->dir);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", c->path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(c->fd, 1) < 0) {
		int err = errno;
		oci_console_close(c);
		return oci_fail("run: the console socket %s: %s", c->path, strerror(err));
	}
	return 0;
}

void oci_console_close(struct oci_console *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->path[0])
		unlink(c->path);
	if (c->dir[0])
		rmdir(c->dir);
	c->path[0] = c->dir[0] = 0;
}

/* The master the library sent during create (-1 once reported). */
int oci_console_master(struct oci_console *c)
{
	int conn = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	char byte, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&byte, 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	int fd = -1;
	if (conn >= 0 && recvmsg(conn, &m, MSG_CMSG_CLOEXEC) >= 0) {
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		if (h && h->cmsg_type == SCM_RIGHTS && h->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(h), sizeof(int));
	}
	if (conn >= 0)
		close(conn);
	oci_console_close(c);
	if (fd < 0)
		oci_fail("run: no terminal came from the container");
	return fd;
}

/* Copy what FROM has to TO: >0 copied, 0 at its end, -1 (errno) when nothing or broken
 * (EIO once the pty's slave side is closed everywhere). */
static ssize_t copy(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));
	for (ssize_t off = 0; n > 0 && off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0 && errno != EINTR && errno != EAGAIN)
			break;
		off += w > 0 ? w : 0;
	}
	return n;
}

static bool ended(ssize_t n)
{
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

static void resize(int master)
{
	struct winsize ws;
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

int oci_console_proxy(int master, pid_t pid)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	int sfd = signalfd(-1, &all, SFD_CLOEXEC);
	struct termios saved;
	bool raw = tcgetattr(0, &saved) == 0;
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
		resize(master);
	}
	fcntl(master, F_SETFL, O_NONBLOCK);
	struct pollfd p[3] = {{sfd, POLLIN, 0}, {master, POLLIN, 0}, {0, POLLIN, 0}};
	int status = -1;
	while (status < 0) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		struct signalfd_siginfo si;
		if ((p[0].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGWINCH)
				resize(master);
			else if (si.ssi_signo != SIGCHLD)
				kill(pid, (int)si.ssi_signo);
		}
		if (p[1].revents && ended(copy(master, 1)))
			p[1].fd = -1;
		if (p[2].revents && ended(copy(0, master)))
			p[2].fd = -1; /* our stdin ended: the container's stays open */
	}
	while (p[1].fd >= 0 && copy(master, 1) > 0) /* what it wrote last */
		;
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	close(sfd);
	close(master);
	return status < 0 ? oci_fail("run: wait: %s", strerror(errno)), 255 : status;
}
