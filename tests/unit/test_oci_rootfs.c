/* oci_rootfs_prepare/enter on a busybox root, as root, each case in a child with its own
 * mount and pid namespaces: the checks run inside the container after pivot_root. Skipped
 * when not root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci.h"
#include "oci_rootfs.h"

static char base[] = "/tmp/ward-ocifs-XXXXXX";
static char root[PATH_MAX], hostdir[PATH_MAX], hostfile[PATH_MAX];

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "%s:%d: %s (errno: %s)\n", __FILE__, __LINE__, #c,         \
			        strerror(errno));                                                  \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

static int put(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	if (!mkdtemp(base))
		return -1;
	snprintf(root, sizeof(root), "%s/rootfs", base);
	snprintf(hostdir, sizeof(hostdir), "%s/hostdir", base);
	snprintf(hostfile, sizeof(hostfile), "%s/hostfile", base);
	char cmd[PATH_MAX * 2];
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null", MKROOTFS, root);
	if (system(cmd) != 0 || mkdir(hostdir, 0755) < 0 || put(hostdir, "data", "hello") < 0 ||
	    put(base, "hostfile", "filedata") < 0 || put(root, "etc/masked", "secret") < 0)
		return -1;
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/rodir", root);
	if (mkdir(p, 0755) < 0)
		return -1;
	/* destinations through symlinks that point out of the root, were they followed on the
	 * host */
	snprintf(p, sizeof(p), "%s/link", root);
	if (symlink("/etc", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/up", root);
	if (symlink("../../../../../../tmp", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/etc/resolv.conf", root);
	if (symlink("../run2/resolve/stub.conf", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/dangling", root);
	if (symlink("/../../../../../../tmp/ward-ocifs-dangling", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/procl", root);
	return symlink("/tmp", p);
}

static int teardown(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	char cmd[PATH_MAX];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	return system(cmd) == 0 ? 0 : -1;
}

/* FN(ARG) as pid 1 of new mount and pid namespaces (and NS): its exit status. */
static int in_container(int ns, int (*fn)(void *), void *arg)
{
	fflush(NULL);
	pid_t p = fork();
	if (p == 0) {
		if (unshare(CLONE_NEWNS | CLONE_NEWPID | ns) < 0)
			_exit(90);
		pid_t c = fork();
		if (c == 0)
			_exit(fn(arg));
		int st = 0;
		waitpid(c, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 99);
	}
	int st = 0;
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 98;
}

static ssize_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static bool refused(const char *path, int err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == err;
}

static bool is_fs(const char *path, long type)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == type;
}

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif
#define M_KERN (MS_NOSUID | MS_NOEXEC | MS_NODEV)

static int check_devices(void)
{
	struct stat st;
	CHECK(stat("/dev/mydev", &st) == 0 && S_ISCHR(st.st_mode));
	CHECK(st.st_rdev == makedev(1, 3) && (st.st_mode & 07777) == 0620);
	CHECK(st.st_uid == 1000 && st.st_gid == 1000);
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && (st.st_mode & 0777) == 0666);
	CHECK(stat("/dev/urandom", &st) == 0 && st.st_rdev == makedev(1, 9));
	char l[64] = {0};
	CHECK(readlink("/dev/ptmx", l, sizeof(l) - 1) > 0 && strcmp(l, "pts/ptmx") == 0);
	memset(l, 0, sizeof(l));
	CHECK(readlink("/dev/fd", l, sizeof(l) - 1) > 0 && strcmp(l, "/proc/self/fd") == 0);
	memset(l, 0, sizeof(l));
	CHECK(readlink("/dev/stderr", l, sizeof(l) - 1) > 0 && strcmp(l, "/proc/self/fd/2") == 0);
	CHECK(is_fs("/dev/pts", DEVPTS_SUPER_MAGIC) && is_fs("/dev/mqueue", MQUEUE_MAGIC));
	CHECK(!refused("/dev/shm/x", EROFS)); /* the root's read-only, not its mounts */
	return 0;
}

static int check_mounts(void)
{
	char buf[4096];
	CHECK(slurp("/mnt/ro/data", buf, sizeof(buf)) == 5 && strcmp(buf, "hello") == 0);
	CHECK(refused("/mnt/ro/new", EROFS));
	CHECK(slurp("/new/dir/file", buf, sizeof(buf)) == 8 && strcmp(buf, "filedata") == 0);
	CHECK(slurp("/run/secrets/file", buf, sizeof(buf)) == 8);
	CHECK(slurp("/run2/resolve/stub.conf", buf, sizeof(buf)) == 8);
	CHECK(slurp("/tmp/ward-ocifs-dangling/data", buf, sizeof(buf)) == 5);
	CHECK(is_fs("/run", TMPFS_MAGIC) && refused("/run/x", EROFS));
	/* /link -> /etc: the container's /etc */
	CHECK(slurp("/etc/marker", buf, sizeof(buf)) == 8);
	struct stat a, b;
	CHECK(stat("/tmp/escaped", &a) == 0 && stat("/tmp", &b) == 0 && a.st_dev != b.st_dev);
	CHECK(is_fs("/sys", SYSFS_MAGIC) && refused("/sys/x", EROFS));
	if (is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC)) {
		CHECK(mkdir("/sys/fs/cgroup/x", 0755) < 0 && errno == EROFS);
	} else {
		CHECK(is_fs("/sys/fs/cgroup", TMPFS_MAGIC));
		CHECK(mkdir("/sys/fs/cgroup/x", 0755) < 0 && errno == EROFS);
		CHECK(is_fs("/sys/fs/cgroup/memory", CGROUP_SUPER_MAGIC));
		CHECK(mkdir("/sys/fs/cgroup/memory/x", 0755) < 0 && errno == EROFS);
		CHECK(is_fs("/sys/fs/cgroup/cpu", CGROUP_SUPER_MAGIC)); /* maybe a link */
		CHECK(is_fs("/sys/fs/cgroup/systemd", CGROUP_SUPER_MAGIC));
	}
	/* the host's tree is gone: no mount point names the root's host path (the root field
	 * of the root's own bind does) */
	FILE *f = fopen("/proc/self/mountinfo", "re");
	CHECK(f);
	int n = 0, host = 0;
	while (fgets(buf, sizeof(buf), f)) {
		char mp[1024];
		n++;
		if (sscanf(buf, "%*s %*s %*s %*s %1023s", mp) == 1 && strstr(mp, base))
			host++, fputs(buf, stderr);
	}
	fclose(f);
	CHECK(n > 10 && host == 0);
	return 0;
}

static int check_paths(void)
{
	char buf[64];
	CHECK(slurp("/etc/masked", buf, sizeof(buf)) == 0);
	CHECK(slurp("/proc/kcore", buf, sizeof(buf)) <= 0);
	CHECK(refused("/rodir/x", EROFS) && refused("/newfile", EROFS));
	CHECK(refused("/proc/sys/kernel/domainname", EROFS));
	CHECK(slurp("/proc/sys/net/ipv4/ip_forward", buf, sizeof(buf)) > 0 &&
	      strcmp(buf, "1\n") == 0);
	CHECK(slurp("/proc/sys/kernel/shmmax", buf, sizeof(buf)) > 0 &&
	      strcmp(buf, "123456789\n") == 0);
	return 0;
}

static int full(void *arg)
{
	(void)arg;
	struct oci_mount mounts[] = {
	    {.destination = "/proc", .type = "proc", .source = "proc", .flags = M_KERN},
	    {.destination = "/dev",
	     .type = "tmpfs",
	     .source = "tmpfs",
	     .flags = MS_NOSUID | MS_STRICTATIME,
	     .data = "mode=755,size=65536k"},
	    {.destination = "/dev/pts",
	     .type = "devpts",
	     .source = "devpts",
	     .flags = MS_NOSUID | MS_NOEXEC,
	     .data = "newinstance,ptmxmode=0666,mode=0620"},
	    {.destination = "/dev/shm",
	     .type = "tmpfs",
	     .source = "shm",
	     .flags = M_KERN,
	     .data = "mode=1777,size=65536k"},
	    {.destination = "/dev/mqueue", .type = "mqueue", .source = "mqueue", .flags = M_KERN},
	    {.destination = "/sys",
	     .type = "sysfs",
	     .source = "sysfs",
	     .flags = M_KERN | MS_RDONLY},
	    {.destination = "/sys/fs/cgroup",
	     .type = "cgroup",
	     .source = "cgroup",
	     .flags = M_KERN | MS_RELATIME | MS_RDONLY},
	    {.destination = "/mnt/ro",
	     .type = "bind",
	     .source = hostdir,
	     .bind = true,
	     .recursive = true,
	     .flags = MS_RDONLY,
	     .propagation = MS_PRIVATE | MS_REC},
	    {.destination = "/new/dir/file", .type = "bind", .source = hostfile, .bind = true},
	    {.destination = "/link/marker", .type = "bind", .source = hostfile, .bind = true},
	    {.destination = "/up/escaped", .type = "tmpfs", .source = "tmpfs"},
	    /* dangling symlinks: made where they point, inside the root */
	    {.destination = "/etc/resolv.conf", .type = "bind", .source = hostfile, .bind = true},
	    {.destination = "/dangling", .type = "bind", .source = hostdir, .bind = true},
	    /* a read-only tmpfs gets a mount point made in it, and is read-only in the end */
	    {.destination = "/run", .type = "tmpfs", .flags = M_KERN | MS_RDONLY},
	    {.destination = "/run/secrets/file", .type = "bind", .source = hostfile, .bind = true},
	};
	struct oci_device devs[] = {
	    {.path = "/dev/mydev",
	     .type = 'c',
	     .major = 1,
	     .minor = 3,
	     .mode = 0620,
	     .uid = 1000,
	     .gid = 1000},
	};
	char *masked[] = {"/proc/kcore", "/proc/acpi", "/proc/nonexistent", "/etc/masked", NULL};
	char *ro[] = {"/proc/sys", "/rodir", "/missing", NULL};
	char *sysctl[] = {"net.ipv4.ip_forward=1", "kernel.shmmax=123456789", NULL};
	struct oci_config o = {
	    .root_path = root,
	    .root_readonly = true,
	    .ns = {{CLONE_NEWNS, NULL},
	           {CLONE_NEWPID, NULL},
	           {CLONE_NEWNET, NULL},
	           {CLONE_NEWIPC, NULL}},
	    .n_ns = 4,
	    .mounts = mounts,
	    .n_mounts = sizeof(mounts) / sizeof(mounts[0]),
	    .devices = devs,
	    .n_devices = 1,
	    .masked = masked,
	    .readonly = ro,
	    .sysctl = sysctl,
	};
	struct ward_error e = {0};
	if (oci_rootfs_prepare(&o, false, &e) < 0 || oci_rootfs_enter(&o, false, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	return check_devices() || check_mounts() || check_paths();
}

static void full_config(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(in_container(CLONE_NEWNET | CLONE_NEWIPC, full, NULL), 0);
	/* nothing landed on the host through the root's symlinks */
	struct stat st;
	assert_int_not_equal(stat("/etc/marker", &st), 0);
	assert_int_not_equal(stat("/tmp/escaped", &st), 0);
	assert_int_not_equal(stat("/tmp/ward-ocifs-dangling", &st), 0);
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/etc/marker", root);
	assert_int_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/tmp/escaped", root);
	assert_int_equal(stat(p, &st), 0);
}

struct failing {
	struct oci_config o;
	const char *want;
};

static int fails(void *arg)
{
	struct failing *f = arg;
	f->o.root_path = root;
	struct ward_error e = {0};
	int rc = oci_rootfs_prepare(&f->o, false, &e);
	if (rc == 0 || strcmp(e.msg, f->want) != 0) {
		fprintf(stderr, "got %d: \"%s\"\nwanted: \"%s\"\n", rc, e.msg, f->want);
		return 1;
	}
	return 0;
}

static void refusals(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct oci_mount proc_on_link[] = {{.destination = "/procl", .type = "proc"}};
	struct oci_mount over_proc[] = {
	    {.destination = "/proc", .type = "proc"},
	    {.destination = "/proc/uptime", .type = "bind", .source = hostfile, .bind = true},
	    {.destination = "/proc/sys/kernel/hostname",
	     .type = "bind",
	     .source = hostfile,
	     .bind = true}};
	struct oci_mount idmap[] = {{.destination = "/mnt",
	                             .type = "bind",
	                             .source = hostdir,
	                             .bind = true,
	                             .idmap = true}};
	struct oci_device not_dev[] = {
	    {.path = "/etc/passwd", .type = 'c', .major = 1, .minor = 3}};
	char *net[] = {"net.ipv4.ip_forward=1", NULL};
	char *host_name[] = {"kernel.hostname=x", NULL};
	char *other[] = {"vm.swappiness=1", NULL};
	char *dotdot[] = {"net/../../kernel/x=1", NULL};
	struct failing cases[] = {
	    {{.mounts = proc_on_link, .n_mounts = 1},
	     "config.json: mounts[0] /procl (proc): must be mounted on an ordinary directory"},
	    {{.mounts = over_proc, .n_mounts = 3},
	     "config.json: mounts[2] /proc/sys/kernel/hostname (bind): refusing to mount over "
	     "procfs"},
	    {{.mounts = idmap, .n_mounts = 1},
	     "config.json: mounts[0] /mnt (bind): idmapped mounts are not supported yet: "
	     "Operation not supported"},
	    {{.devices = not_dev, .n_devices = 1},
	     "config.json: linux.devices[0] /etc/passwd: exists and is not that device: File "
	     "exists"},
	    {{.sysctl = net},
	     "config.json: linux.sysctl net.ipv4.ip_forward: not allowed in the host's network "
	     "namespace: Operation not permitted"},
	    {{.sysctl = host_name, .ns = {{CLONE_NEWUTS, NULL}}, .n_ns = 1},
	     "config.json: linux.sysctl kernel.hostname: not allowed; use hostname instead: "
	     "Operation not permitted"},
	    {{.sysctl = other},
	     "config.json: linux.sysctl vm.swappiness: not in a separate kernel namespace: "
	     "Operation not permitted"},
	    {{.sysctl = dotdot},
	     "config.json: linux.sysctl: bad key in net/../../kernel/x=1: Invalid argument"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fprintf(stderr, "case %zu\n", i);
		assert_int_equal(in_container(0, fails, &cases[i]), 0);
	}
}

struct minimal_case {
	bool no_pivot;
	unsigned long propagation;
};

static int minimal(void *arg)
{
	const struct minimal_case *c = arg;
	bool no_pivot = c->no_pivot;
	struct oci_mount mounts[] = {{.destination = "/proc", .type = "proc", .flags = M_KERN}};
	struct oci_config o = {.root_path = root,
	                       .mounts = mounts,
	                       .n_mounts = 1,
	                       .rootfs_propagation = c->propagation};
	struct ward_error e = {0};
	if (oci_rootfs_prepare(&o, false, &e) < 0 || oci_rootfs_enter(&o, no_pivot, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	struct stat st;
	CHECK(stat("/bin/busybox", &st) == 0 && stat("/etc/masked", &st) == 0);
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode)); /* in the image's /dev */
	char buf[8192];
	CHECK(slurp("/proc/self/mountinfo", buf, sizeof(buf)) > 0);
	/* rprivate: "/" has no shared: or master: tag; rshared: shared: */
	int seen = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char mp[256], opts[512];
		if (sscanf(line, "%*s %*s %*s %*s %255s %*s%511[^-]", mp, opts) != 2 ||
		    strcmp(mp, "/") != 0)
			continue;
		seen++;
		if (c->propagation & MS_SHARED)
			CHECK(strstr(opts, "shared:"));
		else
			CHECK(!strstr(opts, "shared:") && !strstr(opts, "master:"));
	}
	CHECK(seen == 1);
	return 0;
}

static void pivot_and_no_pivot(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct minimal_case cases[] = {
	    {false, MS_PRIVATE | MS_REC}, {true, MS_PRIVATE | MS_REC}, {false, MS_SHARED | MS_REC}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(in_container(0, minimal, &cases[i]), 0);
}

static int own_cgroupns(void *arg)
{
	(void)arg;
	struct oci_mount mounts[] = {
	    {.destination = "/proc", .type = "proc", .flags = M_KERN},
	    {.destination = "/sys", .type = "sysfs", .flags = M_KERN | MS_RDONLY},
	    {.destination = "/sys/fs/cgroup", .type = "cgroup", .flags = M_KERN | MS_RDONLY},
	};
	struct oci_config o = {.root_path = root,
	                       .mounts = mounts,
	                       .n_mounts = 3,
	                       .ns = {{CLONE_NEWCGROUP, NULL}},
	                       .n_ns = 1};
	struct ward_error e = {0};
	if (oci_rootfs_prepare(&o, false, &e) < 0 || oci_rootfs_enter(&o, false, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	const char *probe =
	    is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC) ? "/sys/fs/cgroup" : "/sys/fs/cgroup/pids";
	CHECK(is_fs(probe, CGROUP2_SUPER_MAGIC) || is_fs(probe, CGROUP_SUPER_MAGIC));
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/x", probe);
	CHECK(mkdir(p, 0755) < 0 && errno == EROFS);
	/* the namespace's root: our own cgroup is "/" in it */
	char buf[4096];
	CHECK(slurp("/proc/self/cgroup", buf, sizeof(buf)) > 0 &&
	      (strstr(buf, "pids:/\n") || strstr(buf, "0::/\n")));
	return 0;
}

static void cgroup_namespace(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(in_container(CLONE_NEWCGROUP, own_cgroupns, NULL), 0);
}

static int userns_checks(void)
{
	struct stat st;
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1);
	close(fd);
	CHECK(stat("/dev/zero", &st) == 0 && st.st_rdev == makedev(1, 5));
	CHECK(is_fs("/sys", SYSFS_MAGIC) && is_fs("/proc", PROC_SUPER_MAGIC));
	struct statvfs sv;
	CHECK(statvfs("/mnt/locked", &sv) == 0 && sv.f_flag & ST_RDONLY && sv.f_flag & ST_NOSUID);
	CHECK(refused("/mnt/locked/x", EROFS) && refused("/newfile", EROFS));
	return 0;
}

static int userns_root(void *arg)
{
	(void)arg;
	char locked[PATH_MAX * 2];
	snprintf(locked, sizeof(locked), "%s/locked", base);
	struct oci_mount mounts[] = {
	    {.destination = "/proc", .type = "proc", .flags = M_KERN},
	    {.destination = "/dev", .type = "tmpfs", .flags = MS_NOSUID, .data = "mode=755"},
	    {.destination = "/sys", .type = "sysfs", .flags = M_KERN | MS_RDONLY},
	    {.destination = "/mnt/locked",
	     .type = "bind",
	     .source = locked,
	     .bind = true,
	     .flags = MS_RDONLY},
	};
	struct oci_config o = {.root_path = root,
	                       .root_readonly = true,
	                       .mounts = mounts,
	                       .n_mounts = sizeof(mounts) / sizeof(mounts[0])};
	struct ward_error e = {0};
	if (oci_rootfs_prepare(&o, true, &e) < 0 || oci_rootfs_enter(&o, false, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	return userns_checks();
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int rc = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	if (fd >= 0)
		close(fd);
	return rc;
}

/* A user namespace of its own (root mapped to root only), over a nosuid,nodev mount made
 * outside it: the kernel locks those flags, a remount must keep them. */
static void user_namespace(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	fflush(NULL);
	pid_t p = fork();
	if (p == 0) {
		char locked[PATH_MAX * 2];
		snprintf(locked, sizeof(locked), "%s/locked", base);
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0 ||
		    (mkdir(locked, 0755) < 0 && errno != EEXIST) ||
		    mount("tmpfs", locked, "tmpfs", MS_NOSUID | MS_NODEV, NULL) < 0 ||
		    unshare(CLONE_NEWUSER) < 0 || write_text("/proc/self/uid_map", "0 0 1") < 0 ||
		    write_text("/proc/self/setgroups", "deny") < 0 ||
		    write_text("/proc/self/gid_map", "0 0 1") < 0)
			_exit(91);
		_exit(in_container(0, userns_root, NULL));
	}
	int st = 0;
	waitpid(p, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(full_config),        cmocka_unit_test(refusals),
	    cmocka_unit_test(pivot_and_no_pivot), cmocka_unit_test(user_namespace),
	    cmocka_unit_test(cgroup_namespace),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
