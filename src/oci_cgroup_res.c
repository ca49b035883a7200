/* linux.resources into the OCI container's cgroups, file by file as runc's cgroupfs driver
 * writes them: v1 hierarchies where the host has them (hybrid here), else the unified tree. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_util.h"
#include "oci_cgroup_int.h"
#include "sys.h"

#define SET(v) ((v) != OCI_UNSET)

static int put(const char *dir, const char *file, const char *what, struct ward_error *e,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int put(const char *dir, const char *file, const char *what, struct ward_error *e,
               const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (cg_write(dir, file, "%s", text) < 0)
		return ward_error_set(e, errno, "%s: writing '%s' to %s/%s", what, text, dir, file);
	return 0;
}

/* v2's spelling of a v1 "-1": "max" */
static const char *num(int64_t v, char *buf, size_t len)
{
	if (v < 0)
		return "max";
	snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

static bool exists(const char *dir, const char *file)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

/* The hierarchy a resource needs; rootless, one left out is named as the culprit. */
static const char *need(const struct oci_cgroup *cg, const char *ctrl, const char *what,
                        struct ward_error *e)
{
	const char *d = oci_cg_v1_dir(cg, ctrl);
	if (!d)
		ward_error_set(e, 0, "%s: no cgroup v1 %s hierarchy ward can write to%s", what,
		               ctrl, !host_root() ? " (rootless)" : "");
	return d;
}

uint64_t oci_cg_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

int oci_cg_swap_v2(int64_t swap, int64_t memory, int64_t *out, struct ward_error *e)
{
	const char *what = "linux.resources.memory.swap";
	/* unlimited memory with swap not given: both unlimited, as on v1 */
	if (memory == -1 && (swap == 0 || swap == OCI_UNSET))
		return *out = -1, 0;
	if (swap == OCI_UNSET || swap == 0 || swap == -1)
		return *out = swap == -1 ? -1 : 0, 0;
	if (memory == OCI_UNSET || memory == 0 || memory == -1)
		return ward_error_set(e, 0, "%s: a swap limit needs a memory limit", what);
	if (swap < memory)
		return ward_error_set(e, 0, "%s: memory+swap (%lld) below memory (%lld)", what,
		                      (long long)swap, (long long)memory);
	*out = swap - memory;
	return 0;
}

/* v1 checks memory.limit_in_bytes <= memsw.limit_in_bytes on every write, so which goes
 * first depends on whether the limits grow or shrink (runc's order). */
static int memory_v1(const char *d, const struct oci_resources *r, struct ward_error *e)
{
	int64_t mem = SET(r->memory_limit) ? r->memory_limit : 0;
	int64_t swap = SET(r->memory_swap) ? r->memory_swap : 0;
	bool memsw = exists(d, "memory.memsw.limit_in_bytes");
	if (mem == -1 && swap == 0 && memsw)
		swap = -1;
	if (swap && !memsw)
		return ward_error_set(e, 0,
		                      "linux.resources.memory.swap: this kernel has no cgroup v1 "
		                      "swap accounting (boot with swapaccount=1)");
	uint64_t cur = 0;
	bool swap_first =
	    mem && swap &&
	    (swap == -1 ||
	     (cg_read_u64(d, "memory.limit_in_bytes", NULL, &cur) == 0 && cur < (uint64_t)swap));
	const char *wm = "linux.resources.memory.limit", *ws = "linux.resources.memory.swap";
	if (swap_first && put(d, "memory.memsw.limit_in_bytes", ws, e, "%lld", (long long)swap) < 0)
		return -1;
	if (mem && put(d, "memory.limit_in_bytes", wm, e, "%lld", (long long)mem) < 0)
		return -1;
	if (!swap_first && swap &&
	    put(d, "memory.memsw.limit_in_bytes", ws, e, "%lld", (long long)swap) < 0)
		return -1;
	if (SET(r->memory_reservation) && r->memory_reservation &&
	    put(d, "memory.soft_limit_in_bytes", "linux.resources.memory.reservation", e, "%lld",
	        (long long)r->memory_reservation) < 0)
		return -1;
	/* memory.kernel: ignored, as runc does since kernels deprecated kmem limits */
	if (SET(r->memory_kernel_tcp) && r->memory_kernel_tcp &&
	    put(d, "memory.kmem.tcp.limit_in_bytes", "linux.resources.memory.kernelTCP", e, "%lld",
	        (long long)r->memory_kernel_tcp) < 0)
		return -1;
	if (SET(r->memory_swappiness) && r->memory_swappiness >= 0 &&
	    put(d, "memory.swappiness", "linux.resources.memory.swappiness", e, "%lld",
	        (long long)r->memory_swappiness) < 0)
		return -1;
	if (r->disable_oom_killer == 1 &&
	    put(d, "memory.oom_control", "linux.resources.memory.disableOOMKiller", e, "1") < 0)
		return -1;
	return 0;
}

static bool memory_set(const struct oci_resources *r)
{
	return SET(r->memory_limit) || SET(r->memory_swap) || SET(r->memory_reservation) ||
	       SET(r->memory_kernel_tcp) || SET(r->memory_swappiness) || r->disable_oom_killer == 1;
}

static bool cpu_set(const struct oci_resources *r)
{
	return SET(r->cpu_shares) || SET(r->cpu_quota) || SET(r->cpu_period) ||
	       SET(r->cpu_rt_runtime) || SET(r->cpu_rt_period) || SET(r->cpu_idle);
}

static int cpu_v1(const char *d, const struct oci_resources *r, struct ward_error *e)
{
	const char *w = "linux.resources.cpu";
	if (SET(r->cpu_rt_period) && r->cpu_rt_period &&
	    put(d, "cpu.rt_period_us", w, e, "%lld", (long long)r->cpu_rt_period) < 0)
		return -1;
	if (SET(r->cpu_rt_runtime) && r->cpu_rt_runtime &&
	    put(d, "cpu.rt_runtime_us", w, e, "%lld", (long long)r->cpu_rt_runtime) < 0)
		return -1;
	if (SET(r->cpu_shares) && r->cpu_shares &&
	    put(d, "cpu.shares", "linux.resources.cpu.shares", e, "%lld",
	        (long long)r->cpu_shares) < 0)
		return -1;
	bool quota = SET(r->cpu_quota) && r->cpu_quota;
	if (SET(r->cpu_period) && r->cpu_period &&
	    cg_write(d, "cpu.cfs_period_us", "%lld", (long long)r->cpu_period) < 0) {
		int err = errno;
		/* a shorter period can clash with the old quota: quota first then */
		if (err != EINVAL || !quota)
			return ward_error_set(e, err,
			                      "linux.resources.cpu.period: writing '%lld' to "
			                      "%s/cpu.cfs_period_us",
			                      (long long)r->cpu_period, d);
		if (put(d, "cpu.cfs_quota_us", "linux.resources.cpu.quota", e, "%lld",
		        (long long)r->cpu_quota) < 0 ||
		    put(d, "cpu.cfs_period_us", "linux.resources.cpu.period", e, "%lld",
		        (long long)r->cpu_period) < 0)
			return -1;
		quota = false;
	}
	if (quota && put(d, "cpu.cfs_quota_us", "linux.resources.cpu.quota", e, "%lld",
	                 (long long)r->cpu_quota) < 0)
		return -1;
	if (SET(r->cpu_idle) &&
	    put(d, "cpu.idle", "linux.resources.cpu.idle", e, "%lld", (long long)r->cpu_idle) < 0)
		return -1;
	return 0;
}

static int cpuset(const char *d, const struct oci_resources *r, struct ward_error *e)
{
	if (r->cpus[0] && put(d, "cpuset.cpus", "linux.resources.cpu.cpus", e, "%s", r->cpus) < 0)
		return -1;
	if (r->mems[0] && put(d, "cpuset.mems", "linux.resources.cpu.mems", e, "%s", r->mems) < 0)
		return -1;
	return 0;
}

static int pids(const char *d, const struct oci_resources *r, struct ward_error *e)
{
	/* runc: 0 leaves it alone, below 0 is "max" */
	if (!SET(r->pids_limit) || r->pids_limit == 0)
		return 0;
	if (r->pids_limit < 0)
		return put(d, "pids.max", "linux.resources.pids.limit", e, "max");
	return put(d, "pids.max", "linux.resources.pids.limit", e, "%lld",
	           (long long)r->pids_limit);
}

static bool blkio_set(const struct oci_resources *r)
{
	return SET(r->blkio_weight) || SET(r->blkio_leaf_weight) || r->n_weight_device ||
	       r->n_throttle[0] || r->n_throttle[1] || r->n_throttle[2] || r->n_throttle[3];
}

static const char *const throttle_name[4] = {"throttleReadBpsDevice", "throttleWriteBpsDevice",
                                             "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};

static int blkio_v1(const char *d, const struct oci_resources *r, struct ward_error *e)
{
	const char *wfile = exists(d, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
	const char *wdev =
	    exists(d, "blkio.weight_device") ? "blkio.weight_device" : "blkio.bfq.weight_device";
	if (SET(r->blkio_weight) && r->blkio_weight &&
	    put(d, wfile, "linux.resources.blockIO.weight", e, "%lld", (long long)r->blkio_weight) <
	        0)
		return -1;
	if (SET(r->blkio_leaf_weight) && r->blkio_leaf_weight &&
	    put(d, "blkio.leaf_weight", "linux.resources.blockIO.leafWeight", e, "%lld",
	        (long long)r->blkio_leaf_weight) < 0)
		return -1;
	for (size_t i = 0; i < r->n_weight_device; i++) {
		const struct oci_blkio_device *b = &r->weight_device[i];
		const char *w = "linux.resources.blockIO.weightDevice";
		if (b->value && put(d, wdev, w, e, "%lld:%lld %llu", (long long)b->major,
		                    (long long)b->minor, (unsigned long long)b->value) < 0)
			return -1;
		if (b->leaf_weight &&
		    put(d, "blkio.leaf_weight_device", w, e, "%lld:%lld %llu", (long long)b->major,
		        (long long)b->minor, (unsigned long long)b->leaf_weight) < 0)
			return -1;
	}
	static const char *const files[4] = {
	    "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
	    "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"};
	for (size_t k = 0; k < 4; k++)
		for (size_t i = 0; i < r->n_throttle[k]; i++) {
			const struct oci_blkio_device *b = &r->throttle[k][i];
			char w[80];
			snprintf(w, sizeof(w), "linux.resources.blockIO.%s", throttle_name[k]);
			if (put(d, files[k], w, e, "%lld:%lld %llu", (long long)b->major,
			        (long long)b->minor, (unsigned long long)b->value) < 0)
				return -1;
		}
	return 0;
}

static int write_v1(const struct oci_cgroup *cg, const struct oci_resources *r, bool initial,
                    struct ward_error *e)
{
	const char *d;
	if (memory_set(r) &&
	    (!(d = need(cg, "memory", "linux.resources.memory", e)) || memory_v1(d, r, e) < 0))
		return -1;
	if (cpu_set(r) && (!(d = need(cg, "cpu", "linux.resources.cpu", e)) || cpu_v1(d, r, e) < 0))
		return -1;
	if ((r->cpus[0] || r->mems[0]) &&
	    (!(d = need(cg, "cpuset", "linux.resources.cpu.cpus", e)) || cpuset(d, r, e) < 0))
		return -1;
	if (SET(r->pids_limit) && r->pids_limit &&
	    (!(d = need(cg, "pids", "linux.resources.pids", e)) || pids(d, r, e) < 0))
		return -1;
	if (blkio_set(r) &&
	    (!(d = need(cg, "blkio", "linux.resources.blockIO", e)) || blkio_v1(d, r, e) < 0))
		return -1;
	/* runc passes over controllers the host has not mounted: kubelet asks for a hugetlb
	 * limit of every page size whether or not the host has the controller */
	bool hugetlb = oci_cg_v1_mounted("hugetlb");
	for (size_t i = 0; hugetlb && i < r->n_hugepages; i++) {
		char f[64];
		snprintf(f, sizeof(f), "hugetlb.%s.limit_in_bytes", r->hugepages[i].pagesize);
		if (!(d = need(cg, "hugetlb", "linux.resources.hugepageLimits", e)) ||
		    put(d, f, "linux.resources.hugepageLimits", e, "%llu",
		        (unsigned long long)r->hugepages[i].limit) < 0)
			return -1;
	}
	if (SET(r->net_class_id) && oci_cg_v1_mounted("net_cls") &&
	    (!(d = need(cg, "net_cls", "linux.resources.network.classID", e)) ||
	     put(d, "net_cls.classid", "linux.resources.network.classID", e, "%lld",
	         (long long)r->net_class_id) < 0))
		return -1;
	if (r->unified && r->unified[0])
		return ward_error_set(e, 0,
		                      "linux.resources.unified: cgroup v2 files, but this host "
		                      "keeps its controllers on cgroup v1");
	if (!initial && !r->devices_set)
		return 0;
	d = oci_cg_v1_dir(cg, "devices");
	/* rootless: no device cgroup to write, and no mknod in a user namespace either
	 * (runc skips devices there too) */
	if (!d && !host_root())
		return 0;
	if (!d)
		return ward_error_set(e, 0,
		                      "linux.resources.devices: no cgroup v1 devices hierarchy");
	return oci_devices_v1(d, r->devices, r->n_devices, oci_cg_default_devices,
	                      oci_cg_n_default_devices, e);
}

/* cgroup v2 --------------------------------------------------------------------------- */

static int memory_v2(const char *d, const struct oci_resources *r, struct ward_error *e)
{
	int64_t swap;
	if (oci_cg_swap_v2(r->memory_swap, r->memory_limit, &swap, e) < 0)
		return -1;
	/* swap is given as memory+swap: it only makes sense with the limit it was sized for */
	char b[24];
	if (swap && put(d, "memory.swap.max", "linux.resources.memory.swap", e, "%s",
	                num(swap, b, sizeof(b))) < 0)
		return -1;
	if (SET(r->memory_limit) && r->memory_limit &&
	    put(d, "memory.max", "linux.resources.memory.limit", e, "%s",
	        num(r->memory_limit, b, sizeof(b))) < 0)
		return -1;
	if (SET(r->memory_reservation) && r->memory_reservation &&
	    put(d, "memory.low", "linux.resources.memory.reservation", e, "%s",
	        num(r->memory_reservation, b, sizeof(b))) < 0)
		return -1;
	return 0;
}

static int cpu_v2(const char *d, const struct oci_resources *r, struct ward_error *e)
{
	if ((SET(r->cpu_rt_runtime) && r->cpu_rt_runtime) ||
	    (SET(r->cpu_rt_period) && r->cpu_rt_period))
		return ward_error_set(e, 0,
		                      "linux.resources.cpu.realtimeRuntime: cgroup v2 has no "
		                      "real-time CPU limits");
	if (SET(r->cpu_shares) && r->cpu_shares &&
	    put(d, "cpu.weight", "linux.resources.cpu.shares", e, "%llu",
	        (unsigned long long)oci_cg_shares_to_weight((uint64_t)r->cpu_shares)) < 0)
		return -1;
	int64_t q = SET(r->cpu_quota) ? r->cpu_quota : 0,
	        p = SET(r->cpu_period) ? r->cpu_period : 0;
	if (q || p) {
		char v[64];
		int k = q > 0 ? snprintf(v, sizeof(v), "%lld", (long long)q)
		              : snprintf(v, sizeof(v), "max");
		if (p)
			snprintf(v + k, sizeof(v) - (size_t)k, " %lld", (long long)p);
		if (put(d, "cpu.max", "linux.resources.cpu.quota", e, "%s", v) < 0)
			return -1;
	}
	if (SET(r->cpu_idle) &&
	    put(d, "cpu.idle", "linux.resources.cpu.idle", e, "%lld", (long long)r->cpu_idle) < 0)
		return -1;
	return 0;
}

static int io_v2(const char *d, const struct oci_resources *r, struct ward_error *e)
{
	bool bfq = exists(d, "io.bfq.weight");
	const char *w = "linux.resources.blockIO.weight";
	/* v1 weights run 10..1000, v2's 1..10000 (io.bfq.weight keeps v1's range) */
	if (SET(r->blkio_weight) && r->blkio_weight &&
	    (bfq ? put(d, "io.bfq.weight", w, e, "%lld", (long long)r->blkio_weight)
	         : put(d, "io.weight", w, e, "%lld",
	               1 + ((long long)r->blkio_weight - 10) * 9999 / 990)) < 0)
		return -1;
	for (size_t i = 0; i < r->n_weight_device; i++) {
		const struct oci_blkio_device *b = &r->weight_device[i];
		long long v =
		    bfq ? (long long)b->value : 1 + ((long long)b->value - 10) * 9999 / 990;
		if (b->value && put(d, bfq ? "io.bfq.weight" : "io.weight",
		                    "linux.resources.blockIO.weightDevice", e, "%lld:%lld %lld",
		                    (long long)b->major, (long long)b->minor, v) < 0)
			return -1;
	}
	static const char *const key[4] = {"rbps", "wbps", "riops", "wiops"};
	for (size_t k = 0; k < 4; k++)
		for (size_t i = 0; i < r->n_throttle[k]; i++) {
			const struct oci_blkio_device *b = &r->throttle[k][i];
			char what[80];
			snprintf(what, sizeof(what), "linux.resources.blockIO.%s",
			         throttle_name[k]);
			if (put(d, "io.max", what, e, "%lld:%lld %s=%llu", (long long)b->major,
			        (long long)b->minor, key[k], (unsigned long long)b->value) < 0)
				return -1;
		}
	return 0;
}

static int unified_v2(const char *d, char **kv, struct ward_error *e)
{
	for (size_t i = 0; kv && kv[i]; i++) {
		const char *eq = strchr(kv[i], '=');
		char file[128];
		snprintf(file, sizeof(file), "%.*s", eq ? (int)(eq - kv[i]) : 0, kv[i]);
		if (!eq || !file[0] || strchr(file, '/') || file[0] == '.')
			return ward_error_set(e, 0, "linux.resources.unified: bad entry \"%s\"",
			                      kv[i]);
		if (cg_write(d, file, "%s", eq + 1) < 0)
			return ward_error_set(
			    e, errno, "linux.resources.unified.%s: writing '%s'%s", file, eq + 1,
			    errno == ENOENT ? " (no such file: is its controller "
			                      "enabled in the parent?)"
			                    : "");
	}
	return 0;
}

/* The first resource R sets, for the refusal where there is no cgroup; NULL: none. */
static const char *asked_for(const struct oci_resources *r)
{
	return memory_set(r)                            ? "linux.resources.memory"
	       : cpu_set(r) || r->cpus[0] || r->mems[0] ? "linux.resources.cpu"
	       : SET(r->pids_limit) && r->pids_limit    ? "linux.resources.pids"
	       : blkio_set(r)                           ? "linux.resources.blockIO"
	       : r->n_hugepages                         ? "linux.resources.hugepageLimits"
	       : SET(r->net_class_id)                   ? "linux.resources.network"
	       : r->unified && r->unified[0]            ? "linux.resources.unified"
	                                                : NULL;
}

static int write_v2(const struct oci_cgroup *cg, const struct oci_resources *r, bool initial,
                    struct ward_error *e)
{
	const char *d = cg->v2, *asked = asked_for(r);
	if (!d[0])
		return asked ? ward_error_set(e, 0, "%s: no cgroup ward can write to%s", asked,
		                              !host_root() ? " (rootless)" : "")
		             : 0;
	if (memory_set(r) && memory_v2(d, r, e) < 0)
		return -1;
	if (cpu_set(r) && cpu_v2(d, r, e) < 0)
		return -1;
	if (cpuset(d, r, e) < 0 || pids(d, r, e) < 0 || (blkio_set(r) && io_v2(d, r, e) < 0))
		return -1;
	for (size_t i = 0; i < r->n_hugepages; i++) {
		char f[64];
		snprintf(f, sizeof(f), "hugetlb.%s.max", r->hugepages[i].pagesize);
		if (put(d, f, "linux.resources.hugepageLimits", e, "%llu",
		        (unsigned long long)r->hugepages[i].limit) < 0)
			return -1;
	}
	if (SET(r->net_class_id))
		return ward_error_set(e, 0,
		                      "linux.resources.network.classID: cgroup v2 has no net_cls");
	if (unified_v2(d, r->unified, e) < 0)
		return -1;
	/* rootless: loading BPF needs privilege, and a user namespace makes no device nodes
	 * (runc skips devices there too) */
	if ((!initial && !r->devices_set) || !host_root())
		return 0;
	return oci_devices_bpf(d, r->devices, r->n_devices, oci_cg_default_devices,
	                       oci_cg_n_default_devices, e);
}

int oci_cg_write(const struct oci_cgroup *cg, const struct oci_resources *r, bool initial,
                 struct ward_error *e)
{
	return oci_cg_pure_v2() ? write_v2(cg, r, initial, e) : write_v1(cg, r, initial, e);
}
