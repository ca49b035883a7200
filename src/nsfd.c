/* A sandbox's namespaces by name, and opening one of a process as an fd. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>

#include "nsfd.h"

const char *const ns_names[NS_COUNT] = {"user", "mnt", "pid", "net", "ipc", "uts", "cgroup"};
const int ns_flags[NS_COUNT] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,   CLONE_NEWNET,
                                CLONE_NEWIPC,  CLONE_NEWUTS, CLONE_NEWCGROUP};

int ns_open(pid_t pid, const char *name, struct ward_error *e)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		ward_error_set(e, errno, "%s namespace: opening %s", name, path);
	return fd;
}
