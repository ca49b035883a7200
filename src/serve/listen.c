/* The server's unix socket: bound where the caller may keep one (its own directory, closed
 * to others' writes), 0600 or 0660 for a named group; or the one systemd hands over. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"

static int default_path(char *buf, size_t len, struct ward_error *e)
{
	if (geteuid() == 0) {
		snprintf(buf, len, "/run/ward/docker.sock");
		return 0;
	}
	const char *run = getenv("XDG_RUNTIME_DIR");
	if (!run || run[0] != '/')
		return ward_error_set(e, 0,
		                      "XDG_RUNTIME_DIR is not set: name the socket (--socket)");
	if ((size_t)snprintf(buf, len, "%s/ward/docker.sock", run) >= len)
		return ward_error_set(e, 0, "XDG_RUNTIME_DIR %s: too long for a socket path", run);
	return 0;
}

/* The socket's directory: made (0755 under /run for root, else 0700) when missing, and
 * refused when not the caller's or writable by others (they could swap the socket). */
static int check_dir(const char *path, struct ward_error *e)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return ward_error_set(e, 0, "socket %s: must be an absolute path", path);
	*(slash == dir ? slash + 1 : slash) = '\0';
	if (mkdir(dir, geteuid() == 0 ? 0755 : 0700) < 0 && errno != EEXIST)
		return ward_error_set(e, errno, "socket directory %s", dir);
	struct stat st;
	if (stat(dir, &st) < 0)
		return ward_error_set(e, errno, "socket directory %s", dir);
	if (!S_ISDIR(st.st_mode))
		return ward_error_set(e, 0, "socket directory %s: not a directory", dir);
	if (st.st_uid != geteuid())
		return ward_error_set(e, 0,
		                      "socket directory %s: owned by uid %u, not by the caller",
		                      dir, (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return ward_error_set(e, 0, "socket directory %s: writable by others", dir);
	return 0;
}

/* A socket file left by a server that is gone goes; one a server answers on stays. */
static int clear_stale(const char *path, struct ward_error *e)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : ward_error_set(e, errno, "socket %s", path);
	if (!S_ISSOCK(st.st_mode))
		return ward_error_set(e, 0, "socket %s: exists and is not a socket", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&a, sizeof(a));
	int err = errno;
	if (fd >= 0)
		close(fd);
	if (rc == 0)
		return ward_error_set(e, 0, "socket %s: a server already answers there", path);
	if (err != ECONNREFUSED)
		return ward_error_set(e, err, "socket %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return ward_error_set(e, errno, "socket %s: removing the stale one", path);
	return 0;
}

static int set_group(const char *path, const char *group, struct ward_error *e)
{
	struct group *g = getgrnam(group);
	if (!g)
		return ward_error_set(e, 0, "--group %s: no such group", group);
	if (chown(path, (uid_t)-1, g->gr_gid) < 0)
		return ward_error_set(e, errno, "--group %s: socket %s", group, path);
	if (chmod(path, 0660) < 0)
		return ward_error_set(e, errno, "socket %s", path);
	return 0;
}

/* systemd's socket (LISTEN_PID/LISTEN_FDS): one unix stream socket at fd 3. */
static int activated(struct listener *l, struct ward_error *e)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	if (!pid || !fds || atol(pid) != (long)getpid())
		return 0;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	int type = 0, domain = 0;
	socklen_t len = sizeof(int);
	if (atoi(fds) != 1)
		return ward_error_set(e, 0, "LISTEN_FDS=%s: expected one socket", fds);
	if (getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    getsockopt(3, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || type != SOCK_STREAM ||
	    domain != AF_UNIX)
		return ward_error_set(e, 0, "LISTEN_FDS: fd 3 is not a unix stream socket");
	fcntl(3, F_SETFD, FD_CLOEXEC);
	struct sockaddr_un a;
	len = sizeof(a);
	if (getsockname(3, (struct sockaddr *)&a, &len) == 0 && len > sizeof(sa_family_t))
		snprintf(l->path, sizeof(l->path), "%s", a.sun_path);
	l->fd = 3;
	l->activated = true;
	return 1;
}

int listen_open(const struct listen_opts *o, struct listener *l, struct ward_error *e)
{
	*l = (struct listener){.fd = -1};
	int act = activated(l, e);
	if (act != 0)
		return act < 0 ? -1 : 0;
	if (o->socket_path && strlen(o->socket_path) >= sizeof(l->path))
		return ward_error_set(e, 0, "socket %s: longer than %zu bytes", o->socket_path,
		                      sizeof(l->path) - 1);
	if (o->socket_path)
		snprintf(l->path, sizeof(l->path), "%s", o->socket_path);
	else if (default_path(l->path, sizeof(l->path), e) < 0)
		return -1;
	if (l->path[0] != '/')
		return ward_error_set(e, 0, "socket %s: must be an absolute path", l->path);
	if (check_dir(l->path, e) < 0 || clear_stale(l->path, e) < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ward_error_set(e, errno, "socket");
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	memcpy(a.sun_path, l->path, strlen(l->path) + 1);
	mode_t old = umask(0177);
	int rc = bind(fd, (struct sockaddr *)&a, sizeof(a));
	int err = errno;
	umask(old);
	if (rc < 0) {
		close(fd);
		return ward_error_set(e, err, "socket %s", l->path);
	}
	l->fd = fd;
	if ((o->group && set_group(l->path, o->group, e) < 0) || listen(fd, 512) < 0) {
		if (!e->msg[0])
			ward_error_set(e, errno, "socket %s: listen", l->path);
		listen_close(l);
		return -1;
	}
	return 0;
}

void listen_close(struct listener *l)
{
	if (l->fd >= 0 && !l->activated && l->path[0])
		unlink(l->path);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
