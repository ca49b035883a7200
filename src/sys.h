/* Thin wrappers for kernel interfaces glibc 2.36 does not wrap, and fd cleanup helpers. */
#ifndef WARD_SYS_H
#define WARD_SYS_H

#include <jansson.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static inline long sys_clone3(struct clone_args *args)
{
	return syscall(SYS_clone3, args, sizeof(*args));
}

static inline int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = {.flags = flags, .mode = 0, .resolve = resolve};
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void freep(void *p)
{
	free(*(void **)p);
}
#define autoclose __attribute__((cleanup(closep)))
#define autofree  __attribute__((cleanup(freep)))

/* The first number in a file such as a sysctl, or -1. */
long read_long_file(const char *path);

/* State letter and start time (clock ticks since boot) of PID from /proc/PID/stat; -1 if
 * it is gone. proc_start_time: just the start time, 0 if gone. */
int proc_stat(pid_t pid, char *state, uint64_t *start);
uint64_t proc_start_time(pid_t pid);
/* Root of the host: uid 0 in the initial user namespace (not, e.g., rootless podman's). */
bool host_root(void);

/* The JSON document in FD, read whole first (jansson's json_loadfd reads a byte per
 * syscall: thousands for one sandbox record); at most 256 MiB. */
json_t *json_read_fd(int fd, size_t flags, json_error_t *je);

/* All N bytes to FD (waiting out EINTR, and EAGAIN on non-blocking fds); 0 or -1. */
int write_all(int fd, const void *buf, size_t n);

/* fault.c: stop here if WARD_FAULT_AT names this point (fault-injection tests). */
void fault_point(const char *name);

/* Give up ownership of an fd held by an autoclose variable. */
static inline int take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

#endif
