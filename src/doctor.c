/* ward doctor: probe what this host allows, by trying each feature for real. */
#include <errno.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "idmap.h"
#include "sys.h"
#include "net.h"
#include "spec.h"

static struct ward_check *add(struct ward_check *c, size_t *n, size_t max, const char *name,
                              enum ward_check_state st, const char *advice, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static struct ward_check *add(struct ward_check *c, size_t *n, size_t max, const char *name,
                              enum ward_check_state st, const char *advice, const char *fmt, ...)
{
	if (*n >= max)
		return NULL;
	struct ward_check *k = &c[(*n)++];
	k->name = name;
	k->state = st;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(k->detail, sizeof(k->detail), fmt, ap);
	va_end(ap);
	snprintf(k->advice, sizeof(k->advice), "%s", advice ? advice : "");
	return k;
}

/* Run FN in a child process; returns its exit code (0 = works) or the errno it reports. */
static int in_child(int (*fn)(void))
{
	pid_t p = fork();
	if (p == 0)
		_exit(fn());
	int st;
	if (p < 0 || waitpid(p, &st, 0) < 0)
		return errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
}

static int write_self(const char *name, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/%s", name);
	autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
	return fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
}

static int try_userns(void)
{
	return unshare(CLONE_NEWUSER) < 0 ? errno : 0;
}

/* An unprivileged-style overlay: user+mount namespace, tmpfs, overlay with userxattr. */
static int try_overlay(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return errno;
	snprintf(map, sizeof(map), "0 %u 1", uid);
	if (write_self("uid_map", map) < 0 || write_self("setgroups", "deny") < 0)
		return errno;
	snprintf(map, sizeof(map), "0 %u 1", gid);
	if (write_self("gid_map", map) < 0)
		return errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/tmp", "tmpfs", 0, NULL) < 0)
		return errno;
	const char *d[] = {"/tmp/l", "/tmp/u", "/tmp/w", "/tmp/m"};
	for (int i = 0; i < 4; i++)
		if (mkdir(d[i], 0755) < 0)
			return errno;
	if (mount("overlay", "/tmp/m", "overlay", 0,
	          "lowerdir=/tmp/l,upperdir=/tmp/u,workdir=/tmp/w,userxattr") < 0)
		return errno;
	return 0;
}

static const char *state_advice_userns(void)
{
	if (read_long_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
		return "AppArmor restricts unprivileged user namespaces: sysctl -w "
		       "kernel.apparmor_restrict_unprivileged_userns=0, or add an AppArmor profile "
		       "for ward";
	if (read_long_file("/proc/sys/kernel/unprivileged_userns_clone") == 0)
		return "sysctl -w kernel.unprivileged_userns_clone=1";
	if (read_long_file("/proc/sys/user/max_user_namespaces") == 0)
		return "sysctl -w user.max_user_namespaces=15000";
	return "user namespaces are disabled in this kernel or by a security module";
}

static void check_kernel(struct ward_check *c, size_t *n, size_t max)
{
	struct utsname u;
	uname(&u);
	int maj = 0, min = 0, pat = 0;
	sscanf(u.release, "%d.%d.%d", &maj, &min, &pat);
	int v = maj * 10000 + min * 100 + (pat > 99 ? 99 : pat);
	if (v < 51200)
		add(c, n, max, "kernel", WARD_CHECK_MISSING,
		    "ward needs Linux 5.12 or later (idmapped mounts, mount_setattr)", "%s",
		    u.release);
	else if (v >= 50800 && v < 51611)
		add(c, n, max, "kernel", WARD_CHECK_LIMITED,
		    "this version is in the Dirty Pipe range (CVE-2022-0847) unless your "
		    "distribution "
		    "patched it; upgrade",
		    "%s", u.release);
	else
		add(c, n, max, "kernel", WARD_CHECK_OK, NULL, "%s", u.release);
}

static void check_syscalls(struct ward_check *c, size_t *n, size_t max)
{
	long r = syscall(SYS_clone3, NULL, 0);
	bool clone3 = !(r < 0 && errno == ENOSYS);
	add(c, n, max, "clone3", clone3 ? WARD_CHECK_OK : WARD_CHECK_MISSING,
	    clone3 ? NULL : "needs Linux 5.3+ and no seccomp filter that hides clone3",
	    clone3 ? "available" : "missing");
	int fd = pidfd_open(getpid(), 0);
	add(c, n, max, "pidfd", fd >= 0 ? WARD_CHECK_OK : WARD_CHECK_MISSING,
	    fd >= 0 ? NULL : "needs Linux 5.3+", fd >= 0 ? "available" : "missing: %s",
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = sys_openat2(AT_FDCWD, "/", O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT);
	add(c, n, max, "openat2", fd >= 0 ? WARD_CHECK_OK : WARD_CHECK_MISSING,
	    fd >= 0 ? NULL : "needs Linux 5.6+", fd >= 0 ? "RESOLVE_IN_ROOT works" : "missing: %s",
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	bool seccomp = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
	add(c, n, max, "seccomp", seccomp ? WARD_CHECK_OK : WARD_CHECK_MISSING,
	    seccomp ? NULL : "kernel built without CONFIG_SECCOMP_FILTER",
	    seccomp ? "filters available" : "missing");
}

static void check_namespaces(struct ward_check *c, size_t *n, size_t max)
{
	int r = in_child(try_userns);
	if (r == 0)
		add(c, n, max, "user namespaces", WARD_CHECK_OK, NULL, "%s can create them",
		    geteuid() == 0 ? "root" : "this user");
	else
		add(c, n, max, "user namespaces", WARD_CHECK_MISSING, state_advice_userns(),
		    "unshare(CLONE_NEWUSER): %s", strerror(r));
	r = in_child(try_overlay);
	add(c, n, max, "overlayfs in a user namespace", r == 0 ? WARD_CHECK_OK : WARD_CHECK_MISSING,
	    r == 0 ? NULL : "needs Linux 5.11+ with overlay; without it only --read-only works",
	    r == 0 ? "works" : "failed: %s", strerror(r));
}

/* Root: can the root filesystem be shown through an idmapped mount? */
static void check_idmap(struct ward_check *c, size_t *n, size_t max)
{
	if (geteuid() != 0)
		return;
	static const char map[] = "0 2000000000 65536";
	struct ward_error e = {0};
	autoclose int ns = idmap_userns(map, map, &e);
	autoclose int m = open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)ns};
	int err = 0;
	if (ns < 0)
		err = e.err;
	else if (m < 0 || mount_setattr(m, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
		err = errno;
	add(c, n, max, "idmapped mounts", err ? WARD_CHECK_MISSING : WARD_CHECK_OK,
	    err ? "root-run sandboxes need idmapped mounts on the root filesystem's filesystem "
	          "(Linux 5.12+; ext4, xfs, btrfs; tmpfs from 6.3)"
	        : NULL,
	    err ? "on /: %s" : "work on /", strerror(err));
}

/* Controllers bound to a v1 hierarchy: /proc/cgroups lists them with a non-zero hierarchy. */
static void v1_controllers(char *out, size_t len)
{
	out[0] = 0;
	FILE *f = fopen("/proc/cgroups", "re");
	char line[256], name[64];
	int hier, ncg, enabled;
	size_t off = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %d %d %d", name, &hier, &ncg, &enabled) == 4 && hier > 0 &&
		    enabled && off < len)
			off += (size_t)snprintf(out + off, len - off, "%s%s", off ? " " : "", name);
	if (f)
		fclose(f);
}

static void check_cgroups(struct ward_check *c, size_t *n, size_t max)
{
	struct statfs sf;
	const char *layout = "none";
	if (statfs("/sys/fs/cgroup", &sf) == 0)
		layout = sf.f_type == 0x63677270 ? "v2 (unified)"
		         : cgroup_v2_root()      ? "hybrid (v1 controllers, empty v2 tree)"
		                                 : "v1 (legacy)";
	char ctrl[256] = "";
	const char *root = cgroup_v2_root();
	if (root) {
		char path[128];
		snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
		FILE *f = fopen(path, "re");
		if (f) {
			if (!fgets(ctrl, sizeof(ctrl), f))
				ctrl[0] = 0;
			ctrl[strcspn(ctrl, "\n")] = 0;
			fclose(f);
		}
	}
	char v1[200];
	v1_controllers(v1, sizeof(v1));
	bool usable = root && geteuid() == 0 && access(root, W_OK) == 0;
	add(c, n, max, "cgroups", usable ? WARD_CHECK_OK : WARD_CHECK_LIMITED,
	    usable ? NULL
	           : "rootless: ward cannot create cgroups here; the sandbox is still killed as a "
	             "whole through its pid namespace",
	    "%s; v2 controllers: %s; v1 controllers: %s", layout, ctrl[0] ? ctrl : "none",
	    v1[0] ? v1 : "none");
}

/* Which way --memory, --pids and the other limits would be enforced for this caller. */
static void check_limits(struct ward_check *c, size_t *n, size_t max)
{
	if (geteuid() == 0) {
		if (cgroup_pure_v2())
			add(c, n, max, "resource limits", WARD_CHECK_OK, NULL,
			    "cgroup v2 at /sys/fs/cgroup");
		else if (access("/sys/fs/cgroup/memory", F_OK) == 0)
			add(c, n, max, "resource limits", WARD_CHECK_OK, NULL,
			    "cgroup v1 controllers (hybrid host); sandboxes grouped on the v2 "
			    "tree");
		else
			add(c, n, max, "resource limits", WARD_CHECK_MISSING,
			    "mount cgroup2 at /sys/fs/cgroup or the v1 controllers",
			    "no cgroup controllers found");
		return;
	}
	char path[384];
	if (cgroup_delegated(path, sizeof(path)))
		add(c, n, max, "resource limits", WARD_CHECK_OK, NULL, "delegated cgroup v2: %s",
		    path);
	else
		add(c, n, max, "resource limits", WARD_CHECK_LIMITED,
		    "run ward under a delegated cgroup (systemd-run --user --scope -p "
		    "Delegate=yes), "
		    "or accept rlimits with --limits best-effort",
		    "no cgroup delegated to this user: --memory and friends are refused");
}

static void check_ids(struct ward_check *c, size_t *n, size_t max)
{
	bool helpers =
	    access("/usr/bin/newuidmap", X_OK) == 0 && access("/usr/bin/newgidmap", X_OK) == 0;
	add(c, n, max, "newuidmap", helpers ? WARD_CHECK_OK : WARD_CHECK_LIMITED,
	    helpers ? NULL : "apt-get install uidmap (needed for rootless multi-id sandboxes)",
	    helpers ? "/usr/bin/newuidmap and newgidmap present" : "missing");
	if (geteuid() == 0) {
		add(c, n, max, "subordinate ids", WARD_CHECK_OK, NULL,
		    "root: container ids 0..65535 map to host %u..%u", WARD_ROOT_IDMAP_BASE,
		    WARD_ROOT_IDMAP_BASE + WARD_IDMAP_SIZE - 1);
		return;
	}
	struct passwd *pw = getpwuid(geteuid());
	uint32_t s, k;
	int r = subid_lookup("/etc/subuid", pw ? pw->pw_name : NULL, geteuid(), &s, &k, NULL);
	if (r == 0)
		add(c, n, max, "subordinate ids", WARD_CHECK_OK, NULL, "/etc/subuid: %u..%u", s,
		    s + k - 1);
	else
		add(c, n, max, "subordinate ids", WARD_CHECK_LIMITED,
		    "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 USER",
		    "no range for this user: sandboxes get a single id (container root only)");
}

/* Root: veths need ward's nftables table; rootless: egress needs pasta and the tun device. */
static void check_network(struct ward_check *c, size_t *n, size_t max)
{
	if (geteuid() == 0) {
		struct ward_error e;
		bool nft = nft_load(&e) == 0;
		add(c, n, max, "network", nft ? WARD_CHECK_OK : WARD_CHECK_LIMITED,
		    nft ? NULL
		        : "apt-get install libnftables1 (for --publish and --network egress)",
		    nft ? "--publish (veth) and --network egress (NAT): libnftables loads"
		        : "libnftables cannot be loaded: only the default, loopback-only network");
		return;
	}
	bool pasta = pasta_installed();
	int tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (tun >= 0)
		close(tun);
	bool ok = pasta && tun >= 0;
	add(c, n, max, "network", ok ? WARD_CHECK_OK : WARD_CHECK_LIMITED,
	    !pasta    ? "apt-get install passt (pasta gives rootless sandboxes egress)"
	    : tun < 0 ? "chmod 0666 /dev/net/tun (Debian's default; pasta needs it)"
	              : NULL,
	    ok      ? "--publish (forwarder) and --network egress (pasta)"
	    : pasta ? "--publish only: /dev/net/tun cannot be opened, so no egress"
	            : "--publish only: no pasta, so no egress");
}

size_t ward_doctor(struct ward_check *checks, size_t max)
{
	size_t n = 0;
	check_kernel(checks, &n, max);
	check_namespaces(checks, &n, max);
	check_syscalls(checks, &n, max);
	check_idmap(checks, &n, max);
	check_cgroups(checks, &n, max);
	check_limits(checks, &n, max);
	check_ids(checks, &n, max);
	check_network(checks, &n, max);
	return n;
}
