/* Child side of a start, inside the new namespaces: wait for the id maps, build the root,
 * pivot into it, set up the host-visible identity (hostname, loopback), become init. */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "channel.h"
#include "fsutil.h"
#include "child.h"
#include "idmap.h"
#include "init.h"
#include "rootfs.h"
#include "sys.h"
#include "sysmounts.h"
#include "volumes.h"

/* Each missing component of PATH, created inside the root without following symlinks;
 * failures are left for the workload's chdir to report. */
static void make_workdir(int rootfd, const char *path)
{
	int fd = open_dir_in_root(rootfd, path, 1); /* there, or only its last part missing */
	if (fd >= 0 || errno != ENOENT) {
		if (fd >= 0)
			close(fd);
		return;
	}
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char saved = *p;
		*p = 0;
		fd = open_dir_in_root(rootfd, buf, 1);
		*p = saved;
		if (fd < 0)
			return;
		close(fd);
		if (!saved)
			return;
	}
}

/* The supervisor going away must take the sandbox with it. PDEATHSIG is reset by any
 * credential change, so it is set again after each, then the supervisor's end is checked
 * in case it died before the signal was armed. */
static void arm_parent_death(int sock)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(125);
	struct pollfd p = {.fd = sock, .events = POLLIN};
	if (poll(&p, 1, 0) > 0 && (p.revents & POLLHUP))
		_exit(125);
}

int loopback_up(struct ward_error *e)
{
	autoclose int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return ward_error_set(e, errno, "network: reading lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return ward_error_set(e, errno, "network: bringing lo up");
	return 0;
}

/* The file /etc/NAME is, or (writable root) a new empty one; -1 if there is none. */
static int etc_file_target(int etc, const char *name, bool writable)
{
	int fd = openat(etc, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return fd;
	if (fd >= 0)
		close(fd);
	if (!writable || (unlinkat(etc, name, 0) < 0 && errno != ENOENT))
		return -1;
	return openat(etc, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
}

/* /etc/NAME with TEXT, on a small tmpfs of its own bound over the image's (so read-only roots
 * and trees closed to the sandbox's ids get one too, and the image is never written). No
 * /etc/NAME that can be made: left alone. */
static int mount_etc_file(const struct ward_spec *s, int rootfd, const char *name, const char *text,
                          struct ward_error *e)
{
	autoclose int etc = open_dir_in_root(rootfd, "/etc", 0);
	autoclose int target = etc >= 0 ? etc_file_target(etc, name, !s->read_only) : -1;
	if (target < 0)
		return 0;
	const char *opts[] = {"size=64k", "mode=0755", NULL};
	autoclose int fs =
	    fs_new("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	autoclose int fd = fs < 0 ? -1 : openat(fs, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return ward_error_set(e, errno, "network: writing /etc/%s", name);
	autoclose int file = open_tree(fs, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (file < 0 || mount_on(file, target) < 0)
		return ward_error_set(e, errno, "network: mounting /etc/%s", name);
	return 0;
}

/* Egress or --dns: a resolv.conf naming the resolvers ward chose; --add-host: an /etc/hosts
 * with localhost and those. */
static int mount_etc_files(const struct ward_spec *s, int rootfd, struct ward_error *e)
{
	/* the host's resolvers with egress, or --dns (for a later connect too) */
	char buf[256] = "";
	size_t len = 0;
	for (size_t i = 0; i < s->n_dns; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "nameserver %s\n", s->dns[i]);
	if (s->n_dns && mount_etc_file(s, rootfd, "resolv.conf", buf, e) < 0)
		return -1;
	if (!s->hosts)
		return 0;
	char hosts[WARD_MAX_HOSTS * 320] = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
	                                   "ip6-loopback\n";
	for (size_t i = 0; s->hosts[i] && strlen(hosts) + strlen(s->hosts[i]) + 2 < sizeof(hosts);
	     i++)
		strcat(strcat(hosts, s->hosts[i]), "\n");
	return mount_etc_file(s, rootfd, "hosts", hosts, e);
}

/* From the GO message to pivot_root; -1 with E filled. */
static int child_setup(const struct ward_spec *s, int *volfds, int sock, int rootdirfd,
                       const struct msg *go, int idmapped, struct ward_error *e)
{
	/* With v1 cgroups the supervisor moved this process after the clone: the cgroup
	 * namespace is made now, rooted at the sandbox's own cgroups. */
	if (go->value == 1 && unshare(CLONE_NEWCGROUP) < 0)
		return ward_error_set(e, errno, "cgroup namespace");
	/* Become container root now that the maps exist. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return ward_error_set(e, errno, "user namespace: becoming root in the sandbox");
	arm_parent_death(sock);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return ward_error_set(e, errno, "prctl(PR_SET_DUMPABLE)");

	if (volumes_prepare(s, volfds, e) < 0)
		return -1;
	autoclose int upper = -1;
	autoclose int rootfd =
	    rootfs_assemble(s->rootfs, rootdirfd, idmapped, s->read_only, volumes_any_overlay(s),
	                    s->limits.disk, s->layer_in, s->keep_upper ? &upper : NULL, e);
	if (s->layer_in >= 0) /* this process's copy: read, and no use to anything after */
		close(s->layer_in);
	if (rootfd < 0)
		return -1;
	close(rootdirfd);
	/* the root's writable layer for layer_export (MSG_UPPER without a volume's index) */
	struct msg u = {.type = MSG_UPPER, .value = -1};
	if (upper >= 0 && msg_send(sock, &u, upper) < 0)
		return ward_error_set(e, errno, "passing the writable layer to the supervisor");
	if (sysmounts_setup(rootfd, s->read_only,
	                    idmap_to_host(s->idmaps.gid_map, s->idmaps.n_gid_map, 5) != UINT32_MAX,
	                    e) < 0 ||
	    volumes_attach(s, rootfd, volfds, sock, e) < 0)
		return -1;
	/* A working directory the image lacks is made, as runc does (in the writable layer). */
	if (s->cwd && !s->read_only)
		make_workdir(rootfd, s->cwd);
	const char *host = s->hostname ? s->hostname : "ward";
	if (sethostname(host, strlen(host)) < 0)
		return ward_error_set(e, errno, "hostname");
	if (loopback_up(e) < 0 || mount_etc_files(s, rootfd, e) < 0)
		return -1;
	return rootfs_pivot(rootfd, e);
}

void child_main(const struct ward_spec *s, const struct ward_filter *f, int *volfds, int sock,
                int rootdirfd)
{
	arm_parent_death(sock);
	struct msg go;
	int idmapped = -1;
	if (msg_recv(sock, &go, &idmapped) != 1 || go.type != MSG_GO)
		_exit(125); /* the supervisor failed and reports it */
	struct ward_error e = {0};
	/* init_run returns only when its own setup failed */
	if (child_setup(s, volfds, sock, rootdirfd, &go, idmapped, &e) == 0)
		init_run(s, f, sock, &e);
	msg_fail_exit(sock, 125, &e);
}
