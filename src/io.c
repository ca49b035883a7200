/* Small I/O helpers shared by the supervisor and the library. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys.h"

long read_long_file(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

json_t *json_read_fd(int fd, size_t flags, json_error_t *je)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			snprintf(je->text, sizeof(je->text), "out of memory");
			return NULL;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(je->text, sizeof(je->text), "read: %s", strerror(errno));
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap) {
			if (cap >= (256u << 20)) {
				snprintf(je->text, sizeof(je->text), "larger than 256 MiB");
				free(buf);
				return NULL;
			}
			char *more = realloc(buf, cap *= 2);
			if (!more)
				free(buf);
			buf = more;
		}
	}
	json_t *j = json_loadb(buf, len, flags, je);
	free(buf);
	return j;
}

int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) { /* a non-blocking fd (the pty master) */
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			poll(&pfd, 1, 1000);
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int proc_stat(pid_t pid, char *state, uint64_t *start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (n <= 0)
		return -1;
	buf[n] = 0;
	/* the command name may hold spaces and parentheses: fields start after the last ')' */
	char *p = strrchr(buf, ')');
	unsigned long long t = 0;
	char c = 0;
	if (!p || sscanf(p + 2,
	                 "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
	                 "%*d %*d %*d %llu",
	                 &c, &t) != 2)
		return -1;
	if (state)
		*state = c;
	if (start)
		*start = t;
	return 0;
}

uint64_t proc_start_time(pid_t pid)
{
	uint64_t start;
	return proc_stat(pid, NULL, &start) == 0 ? start : 0;
}

bool host_root(void)
{
	if (geteuid() != 0)
		return false;
	char buf[128] = "";
	autoclose int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	unsigned a, b, c;
	return n > 0 && sscanf(buf, "%u %u %u", &a, &b, &c) == 3 && a == 0 && b == 0 &&
	       c == 4294967295u;
}
