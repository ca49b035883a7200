/* Unit tests: the OCI container's cgroups (oci_cgroup*.c). The conversions and the record
 * run anywhere; making cgroups and watching limits bite needs root (skipped otherwise), on
 * this host's v1 hierarchies or in the cgroup v2 VM. Every cgroup lives under
 * /ward-oci-test-PID, removed at the end. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "oci_cgroup_int.h"

static char top[64]; /* /ward-oci-test-PID */

static void one_line(const struct ward_error *e, const char *needle)
{
	assert_non_null(strstr(e->msg, needle));
	assert_null(strchr(e->msg, '\n'));
}

static void conversions(void **state)
{
	(void)state;
	assert_int_equal(oci_cg_shares_to_weight(0), 0);
	assert_int_equal(oci_cg_shares_to_weight(2), 1);
	assert_int_equal(oci_cg_shares_to_weight(1024), 39);
	assert_int_equal(oci_cg_shares_to_weight(262144), 10000);
	int64_t v;
	struct ward_error e = {0};
	assert_int_equal(oci_cg_swap_v2(OCI_UNSET, 100, &v, &e), 0);
	assert_int_equal(v, 0);
	assert_int_equal(oci_cg_swap_v2(-1, 100, &v, &e), 0);
	assert_int_equal(v, -1);
	assert_int_equal(oci_cg_swap_v2(OCI_UNSET, -1, &v, &e), 0);
	assert_int_equal(v, -1);
	assert_int_equal(oci_cg_swap_v2(300, 100, &v, &e), 0);
	assert_int_equal(v, 200);
	assert_int_equal(oci_cg_swap_v2(50, 100, &v, &e), -1);
	one_line(&e, "linux.resources.memory.swap");
	assert_int_equal(oci_cg_swap_v2(50, OCI_UNSET, &v, &e), -1);
	one_line(&e, "needs a memory limit");
}

static void bad_paths(void **state)
{
	(void)state;
	struct oci_cgroup cg;
	struct oci_resources r;
	oci_resources_init(&r);
	struct ward_error e = {0};
	assert_int_equal(oci_cgroup_create(&cg, "system.slice:docker:abc", "abc", &r, &e), -1);
	one_line(&e, "linux.cgroupsPath");
	assert_non_null(strstr(e.msg, "systemd"));
	assert_int_equal(oci_cgroup_create(&cg, "/", "abc", &r, &e), -1);
	one_line(&e, "linux.cgroupsPath");
	assert_int_equal(oci_cgroup_create(&cg, "../..", "abc", &r, &e), -1);
	one_line(&e, "linux.cgroupsPath");
}

static void record(void **state)
{
	(void)state;
	struct oci_cgroup cg = {0}, back;
	snprintf(cg.v2, sizeof(cg.v2), "/sys/fs/cgroup/unified/a/b");
	snprintf(cg.v1[0], sizeof(cg.v1[0]), "/sys/fs/cgroup/memory/a/b");
	snprintf(cg.v1[1], sizeof(cg.v1[1]), "/sys/fs/cgroup/pids/a/b");
	cg.n_v1 = 2;
	json_t *j = oci_cgroup_save(&cg);
	struct ward_error e = {0};
	assert_int_equal(oci_cgroup_load(&back, j, &e), 0);
	assert_memory_equal(&cg, &back, sizeof(cg));
	json_decref(j);
	j = json_pack("{s:s, s:[s]}", "v2", "", "v1", "/etc/passwd");
	assert_int_equal(oci_cgroup_load(&back, j, &e), -1);
	one_line(&e, "container record");
	json_decref(j);
	j = json_pack("{s:s, s:[]}", "v2", "/sys/fs/cgroup/../../etc", "v1");
	assert_int_equal(oci_cgroup_load(&back, j, &e), -1);
	json_decref(j);
}

/* A child that waits for the go byte, then runs FN in the cgroup; its exit status. */
struct child {
	pid_t pid;
	int go;
};

static struct child spawn(int (*fn)(void *), void *arg)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(99);
		_exit(fn(arg));
	}
	close(p[0]);
	return (struct child){pid, p[1]};
}

static int run_in(const struct oci_cgroup *cg, int (*fn)(void *), void *arg)
{
	struct child c = spawn(fn, arg);
	struct ward_error e = {0};
	int rc = oci_cgroup_attach(cg, c.pid, &e);
	if (rc < 0)
		print_error("%s\n", e.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(write(c.go, "x", 1), 1);
	close(c.go);
	int st;
	assert_int_equal(waitpid(c.pid, &st, 0), c.pid);
	return st;
}

static bool root(void)
{
	return geteuid() == 0;
}

static void cg_path(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", top, name);
}

static void make(struct oci_cgroup *cg, const char *name, const struct oci_resources *r)
{
	char p[128];
	cg_path(p, sizeof(p), name);
	struct ward_error e = {0};
	int rc = oci_cgroup_create(cg, p, "x", r, &e);
	if (rc < 0)
		print_error("%s\n", e.msg);
	assert_int_equal(rc, 0);
}

/* The first line of FILE in the hierarchy of CTRL (v1) or the unified directory. */
static void read_cg(const struct oci_cgroup *cg, const char *ctrl, const char *file, char *buf,
                    size_t len)
{
	const char *d = oci_cg_pure_v2() ? cg->v2 : oci_cg_v1_dir(cg, ctrl);
	assert_non_null(d);
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", d, file);
	FILE *f = fopen(path, "re");
	assert_non_null(f);
	assert_non_null(fgets(buf, (int)len, f));
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
}

static void gone(const struct oci_cgroup *cg)
{
	struct stat st;
	for (size_t i = 0; i < cg->n_v1; i++)
		assert_int_equal(stat(cg->v1[i], &st), -1);
	if (cg->v2[0])
		assert_int_equal(stat(cg->v2, &st), -1);
}

static int forks(void *arg)
{
	(void)arg;
	int failed = 0;
	for (int i = 0; i < 20; i++) {
		pid_t p = fork();
		if (p == 0) {
			pause();
			_exit(0);
		}
		failed += p < 0 && errno == EAGAIN;
	}
	return failed > 0 ? 0 : 1;
}

static int hog(void *arg)
{
	(void)arg;
	size_t len = 512 << 20;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 2;
	for (size_t i = 0; i < len; i += 4096)
		m[i] = 1;
	return 0;
}

static void limits(void **state)
{
	(void)state;
	if (!root())
		skip();
	struct oci_resources r;
	oci_resources_init(&r);
	r.memory_limit = 64 << 20;
	r.memory_swap = 64 << 20;
	r.pids_limit = 8;
	r.cpu_shares = 512;
	r.cpu_quota = 50000;
	r.cpu_period = 100000;
	struct oci_cgroup cg;
	make(&cg, "limits", &r);
	char v[256];
	bool v2 = oci_cg_pure_v2();
	read_cg(&cg, "memory", v2 ? "memory.max" : "memory.limit_in_bytes", v, sizeof(v));
	assert_string_equal(v, "67108864");
	read_cg(&cg, "pids", "pids.max", v, sizeof(v));
	assert_string_equal(v, "8");
	read_cg(&cg, "cpu", v2 ? "cpu.max" : "cpu.cfs_quota_us", v, sizeof(v));
	assert_string_equal(v, v2 ? "50000 100000" : "50000");
	if (!v2)
		assert_string_equal((read_cg(&cg, "cpu", "cpu.shares", v, sizeof(v)), v), "512");
	/* past pids.max fork fails; a memory hog is killed */
	int st = run_in(&cg, forks, NULL);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	struct ward_error e = {0};
	assert_int_equal(oci_cgroup_signal_all(&cg, SIGKILL, &e), 0);
	st = run_in(&cg, hog, NULL);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	/* update: a higher limit, and a pids limit lifted */
	oci_resources_init(&r);
	r.memory_limit = 128 << 20;
	r.memory_swap = 256 << 20;
	r.pids_limit = -1;
	assert_int_equal(oci_cgroup_apply(&cg, &r, &e), 0);
	read_cg(&cg, "memory", v2 ? "memory.max" : "memory.limit_in_bytes", v, sizeof(v));
	assert_string_equal(v, "134217728");
	read_cg(&cg, "pids", "pids.max", v, sizeof(v));
	assert_string_equal(v, "max");
	/* linux.resources.unified: v2 files as given; refused where controllers are on v1 */
	oci_resources_init(&r);
	char *unified[] = {"memory.high=100003840", NULL};
	r.unified = unified;
	if (v2) {
		assert_int_equal(oci_cgroup_apply(&cg, &r, &e), 0);
		assert_string_equal((read_cg(&cg, "memory", "memory.high", v, sizeof(v)), v),
		                    "100003840");
	} else {
		assert_int_equal(oci_cgroup_apply(&cg, &r, &e), -1);
		one_line(&e, "linux.resources.unified");
	}
	oci_cgroup_destroy(&cg);
	gone(&cg);
}

static char disk[64];
static unsigned disk_major, disk_minor;

/* A node of DEV at DISK; opened read-only: 0, or the errno. */
static int try_open(dev_t dev)
{
	if ((unlink(disk) < 0 && errno != ENOENT) || mknod(disk, S_IFBLK | 0600, dev) < 0)
		return errno;
	int fd = open(disk, O_RDONLY);
	int err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	unlink(disk);
	return err;
}

/* The host's root disk where this process may open it, else loop0 (some sandboxes keep
 * even root away from the disk). */
static bool pick_disk(void)
{
	struct stat st;
	dev_t cand[2] = {0, makedev(7, 0)};
	if (stat("/", &st) == 0)
		cand[0] = st.st_dev;
	for (size_t i = 0; i < 2; i++)
		if (major(cand[i]) && try_open(cand[i]) == 0) {
			disk_major = major(cand[i]);
			disk_minor = minor(cand[i]);
			return true;
		}
	return false;
}

static int open_disk(void *arg)
{
	(void)arg;
	int err = try_open(makedev(disk_major, disk_minor));
	if (err != EPERM)
		return err ? 11 : 10;
	int fd = open("/dev/null", O_RDWR);
	return fd >= 0 ? 0 : 12;
}

static int open_disk_allowed(void *arg)
{
	(void)arg;
	int rc = open_disk(NULL);
	return rc == 10 ? 0 : rc == 0 ? 1 : rc;
}

static void devices(void **state)
{
	(void)state;
	if (!root())
		skip();
	char tmp[] = "/tmp/ward-oci-dev-XXXXXX";
	assert_non_null(mkdtemp(tmp));
	snprintf(disk, sizeof(disk), "%s/disk", tmp);
	if (!pick_disk()) {
		rmdir(tmp);
		skip();
	}
	struct oci_resources r;
	oci_resources_init(&r);
	/* containerd's list: deny everything, runc's defaults after */
	struct oci_device_rule rules[3] = {{false, 'a', -1, -1, "rwm"}};
	r.devices = rules;
	r.n_devices = 1;
	r.devices_set = true;
	struct oci_cgroup cg;
	make(&cg, "devices", &r);
	int s = run_in(&cg, open_disk, NULL);
	assert_true(WIFEXITED(s));
	assert_int_equal(WEXITSTATUS(s), 0);
	/* v1: an update writes no "a", which the kernel refuses once sub-cgroups exist */
	const char *dd = oci_cg_v1_dir(&cg, "devices");
	char sub[600];
	snprintf(sub, sizeof(sub), "%s/sub", dd ? dd : "");
	if (dd)
		assert_int_equal(mkdir(sub, 0755), 0);
	/* the last matching rule wins: the disk allowed read, then denied again */
	rules[1] = (struct oci_device_rule){true, 'b', disk_major, disk_minor, "r"};
	r.n_devices = 2;
	struct ward_error e = {0};
	assert_int_equal(oci_cgroup_apply(&cg, &r, &e), 0);
	s = run_in(&cg, open_disk_allowed, NULL);
	assert_true(WIFEXITED(s));
	assert_int_equal(WEXITSTATUS(s), 0);
	rules[2] = (struct oci_device_rule){false, 'b', -1, -1, "rw"};
	r.n_devices = 3;
	assert_int_equal(oci_cgroup_apply(&cg, &r, &e), 0);
	s = run_in(&cg, open_disk, NULL);
	assert_true(WIFEXITED(s));
	assert_int_equal(WEXITSTATUS(s), 0);
	r.devices = NULL;
	oci_cgroup_destroy(&cg);
	gone(&cg);
	rmdir(tmp);
}

/* The cgroup v2 device program, on this host's unified tree too (BPF device programs work
 * on any cgroup2 mount): the v1 list allows everything, the program decides. */
static void devices_bpf(void **state)
{
	(void)state;
	if (!root())
		skip();
	char tmp[] = "/tmp/ward-oci-dev-XXXXXX";
	assert_non_null(mkdtemp(tmp));
	snprintf(disk, sizeof(disk), "%s/disk", tmp);
	if (!pick_disk()) {
		rmdir(tmp);
		skip();
	}
	struct oci_resources r;
	oci_resources_init(&r);
	struct oci_device_rule all = {true, 'a', -1, -1, "rwm"};
	r.devices = &all;
	r.n_devices = 1;
	struct oci_cgroup cg;
	make(&cg, "bpf", &r);
	if (!cg.v2[0])
		skip();
	struct oci_device_rule rules[3] = {{false, 'a', -1, -1, "rwm"}};
	struct ward_error e = {0};
	int rc =
	    oci_devices_bpf(cg.v2, rules, 1, oci_cg_default_devices, oci_cg_n_default_devices, &e);
	if (rc < 0)
		print_error("%s\n", e.msg);
	assert_int_equal(rc, 0);
	int s = run_in(&cg, open_disk, NULL);
	assert_true(WIFEXITED(s));
	assert_int_equal(WEXITSTATUS(s), 0);
	rules[1] = (struct oci_device_rule){true, 'b', disk_major, disk_minor, "r"};
	assert_int_equal(
	    oci_devices_bpf(cg.v2, rules, 2, oci_cg_default_devices, oci_cg_n_default_devices, &e),
	    0);
	s = run_in(&cg, open_disk_allowed, NULL);
	assert_true(WIFEXITED(s));
	assert_int_equal(WEXITSTATUS(s), 0);
	rules[2] = (struct oci_device_rule){false, 'b', -1, -1, "rw"};
	assert_int_equal(
	    oci_devices_bpf(cg.v2, rules, 3, oci_cg_default_devices, oci_cg_n_default_devices, &e),
	    0);
	s = run_in(&cg, open_disk, NULL);
	assert_true(WIFEXITED(s));
	assert_int_equal(WEXITSTATUS(s), 0);
	oci_cgroup_destroy(&cg);
	gone(&cg);
	rmdir(tmp);
}

static int wait_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

static struct child sleeper(const struct oci_cgroup *cg)
{
	struct child c = spawn(wait_forever, NULL);
	struct ward_error e = {0};
	assert_int_equal(oci_cgroup_attach(cg, c.pid, &e), 0);
	assert_int_equal(write(c.go, "x", 1), 1);
	close(c.go);
	return c;
}

static bool has_pid(const struct oci_cgroup *cg, pid_t pid)
{
	pid_t *p;
	size_t n;
	struct ward_error e = {0};
	assert_int_equal(oci_cgroup_pids(cg, &p, &n, &e), 0);
	bool found = false;
	for (size_t i = 0; i < n; i++)
		found |= p[i] == pid;
	free(p);
	return found;
}

static void processes(void **state)
{
	(void)state;
	if (!root())
		skip();
	struct oci_resources r;
	oci_resources_init(&r);
	struct oci_cgroup cg;
	make(&cg, "procs", &r);
	struct child a = sleeper(&cg), b = sleeper(&cg);
	assert_true(has_pid(&cg, a.pid) && has_pid(&cg, b.pid));
	struct ward_error e = {0};
	assert_false(oci_cgroup_frozen(&cg));
	assert_int_equal(oci_cgroup_freeze(&cg, true, &e), 0);
	assert_true(oci_cgroup_frozen(&cg));
	assert_int_equal(oci_cgroup_freeze(&cg, false, &e), 0);
	assert_false(oci_cgroup_frozen(&cg));
	assert_int_equal(oci_cgroup_signal_all(&cg, SIGTERM, &e), 0);
	int st;
	assert_int_equal(waitpid(a.pid, &st, 0), a.pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	assert_int_equal(waitpid(b.pid, &st, 0), b.pid);
	/* a frozen container still dies of SIGKILL, and destroy leaves nothing */
	a = sleeper(&cg);
	assert_int_equal(oci_cgroup_freeze(&cg, true, &e), 0);
	assert_int_equal(oci_cgroup_signal_all(&cg, SIGKILL, &e), 0);
	assert_int_equal(waitpid(a.pid, &st, 0), a.pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	b = sleeper(&cg);
	oci_cgroup_destroy(&cg);
	assert_int_equal(waitpid(b.pid, &st, 0), b.pid);
	gone(&cg);
}

static void bad_resources(void **state)
{
	(void)state;
	if (!root())
		skip();
	struct oci_resources r;
	oci_resources_init(&r);
	snprintf(r.cpus, sizeof(r.cpus), "4095");
	struct oci_cgroup cg;
	char p[128];
	cg_path(p, sizeof(p), "bad/leaf");
	struct ward_error e = {0};
	assert_int_equal(oci_cgroup_create(&cg, p, "x", &r, &e), -1);
	one_line(&e, "linux.resources.cpu.cpus");
	/* nothing made is left: not the leaf, not the parent this call made */
	cg_path(p, sizeof(p), "bad");
	char path[256];
	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%s", oci_cg_pure_v2() ? "" : "memory", p);
	struct stat st;
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%s", oci_cg_pure_v2() ? "" : "cpuset", p);
	assert_int_equal(stat(path, &st), -1);
}

/* A parent that exists (a Kubernetes pod's) is used and stays. */
static void parent_stays(void **state)
{
	(void)state;
	if (!root())
		skip();
	struct oci_resources r;
	oci_resources_init(&r);
	struct oci_cgroup pod, ctr;
	make(&pod, "pod", &r);
	r.pids_limit = 5;
	make(&ctr, "pod/ctr", &r);
	oci_cgroup_destroy(&ctr);
	gone(&ctr);
	struct stat st;
	for (size_t i = 0; i < pod.n_v1; i++)
		assert_int_equal(stat(pod.v1[i], &st), 0);
	if (pod.v2[0])
		assert_int_equal(stat(pod.v2, &st), 0);
	oci_cgroup_destroy(&pod);
	gone(&pod);
}

/* No cgroupsPath: runc's ID, relative to the caller's own cgroup. */
static void relative(void **state)
{
	(void)state;
	if (!root())
		skip();
	struct oci_resources r;
	oci_resources_init(&r);
	struct oci_cgroup cg;
	char id[64];
	snprintf(id, sizeof(id), "ward-oci-test-rel-%d", getpid());
	struct ward_error e = {0};
	assert_int_equal(oci_cgroup_create(&cg, NULL, id, &r, &e), 0);
	const char *d = cg.v2[0] ? cg.v2 : cg.v1[0];
	const char *base = strrchr(d, '/');
	assert_string_equal(base + 1, id);
	oci_cgroup_destroy(&cg);
	gone(&cg);
}

/* Without write access: fine when nothing is asked, else the resource is named. */
static void rootless(void **state)
{
	(void)state;
	if (!root())
		skip();
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		struct oci_resources r;
		oci_resources_init(&r);
		struct oci_cgroup cg;
		struct ward_error e = {0};
		char p[128];
		cg_path(p, sizeof(p), "rootless");
		if (oci_cgroup_create(&cg, p, "x", &r, &e) < 0 || cg.n_v1 || cg.v2[0])
			_exit(3);
		r.memory_limit = 1 << 30;
		if (oci_cgroup_create(&cg, p, "x", &r, &e) == 0 ||
		    !strstr(e.msg, "linux.resources.memory"))
			_exit(4);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Remove /ward-oci-test-PID in every hierarchy (the tests' leaves are gone by then): a
 * last leaf under it says where it is. */
static int cleanup(void **state)
{
	(void)state;
	struct oci_cgroup cg;
	struct oci_resources r;
	oci_resources_init(&r);
	if (!root())
		return 0;
	make(&cg, "last", &r);
	oci_cgroup_destroy(&cg);
	for (size_t i = 0; i <= cg.n_v1; i++) {
		char *d = i < cg.n_v1 ? cg.v1[i] : cg.v2;
		if (!d[0])
			continue;
		*strrchr(d, '/') = 0;
		if (rmdir(d) < 0)
			print_error("cleanup: %s: %s\n", d, strerror(errno));
	}
	return 0;
}

int main(void)
{
	snprintf(top, sizeof(top), "/ward-oci-test-%d", getpid());
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(conversions), cmocka_unit_test(bad_paths),
	    cmocka_unit_test(record),      cmocka_unit_test(limits),
	    cmocka_unit_test(devices),     cmocka_unit_test(devices_bpf),
	    cmocka_unit_test(processes),   cmocka_unit_test(bad_resources),
	    cmocka_unit_test(relative),    cmocka_unit_test(parent_stays),
	    cmocka_unit_test(rootless),
	};
	return cmocka_run_group_tests(tests, NULL, cleanup);
}
