/* Device rules of an OCI container: runc's always-allowed list, and on cgroup v2 (which has
 * no devices controller) the BPF program that enforces them, built by hand as runc's
 * devicefilter does. Without it a root container with CAP_MKNOD could open the host's disks. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci_cgroup_int.h"
#include "sys.h"

/* mknod of anything (opening is what the rules guard); null, random, full, tty, zero,
 * urandom, ptys, ptmx, tun */
const struct oci_device_rule oci_cg_default_devices[] = {
    {true, 'c', -1, -1, "m"}, {true, 'b', -1, -1, "m"},    {true, 'c', 1, 3, "rwm"},
    {true, 'c', 1, 8, "rwm"}, {true, 'c', 1, 7, "rwm"},    {true, 'c', 5, 0, "rwm"},
    {true, 'c', 1, 5, "rwm"}, {true, 'c', 1, 9, "rwm"},    {true, 'c', 136, -1, "rwm"},
    {true, 'c', 5, 2, "rwm"}, {true, 'c', 10, 200, "rwm"},
};
const size_t oci_cg_n_default_devices =
    sizeof(oci_cg_default_devices) / sizeof(oci_cg_default_devices[0]);

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(SYS_bpf, cmd, a, sizeof(*a));
}

#define INSN(c, d, s, o, i)                                                                        \
	(struct bpf_insn)                                                                          \
	{                                                                                          \
		.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)                \
	}

static unsigned access_bits(const char *a)
{
	unsigned b = 0;
	for (const char *p = *a ? a : "rwm"; *p; p++)
		b |= *p == 'r'   ? BPF_DEVCG_ACC_READ
		     : *p == 'w' ? BPF_DEVCG_ACC_WRITE
		     : *p == 'm' ? BPF_DEVCG_ACC_MKNOD
		                 : 0;
	return b;
}

/* One rule: fall through to "return verdict" when it matches, else jump past it. R2 type,
 * R3 access, R4 major, R5 minor. An allow rule matches when it grants all of the access
 * asked for; a deny rule when it forbids any of it. */
static size_t emit_rule(struct bpf_insn *p, const struct oci_device_rule *r)
{
	size_t n = 0, jumps[4], nj = 0;
	unsigned acc = access_bits(r->access);
	if (r->type != 'a') {
		jumps[nj++] = n;
		p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
		              r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	}
	p[n++] = INSN(BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0);
	p[n++] = INSN(BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, (int)(r->allow ? ~acc & 7 : acc));
	jumps[nj++] = n;
	p[n++] = INSN(BPF_JMP | (r->allow ? BPF_JNE : BPF_JEQ) | BPF_K, 1, 0, 0, 0);
	if (r->type != 'a' && r->major >= 0) {
		jumps[nj++] = n;
		p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int)r->major);
	}
	if (r->type != 'a' && r->minor >= 0) {
		jumps[nj++] = n;
		p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int)r->minor);
	}
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t i = 0; i < nj; i++)
		p[jumps[i]].off = (short)(n - jumps[i] - 1);
	return n;
}

/* The last matching rule decides, so they are tested from the end; none matching: deny. */
static struct bpf_insn *program(const struct oci_device_rule *rules, size_t n,
                                const struct oci_device_rule *defaults, size_t nd, size_t *len)
{
	struct bpf_insn *p = calloc(8 + (n + nd) * 8, sizeof(*p));
	if (!p)
		return NULL;
	size_t k = 0;
	/* access_type is (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_* */
	p[k++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0);
	p[k++] = INSN(BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
	p[k++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 3, 1, 0, 0);
	p[k++] = INSN(BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16);
	p[k++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0);
	p[k++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0);
	for (size_t i = n + nd; i-- > 0;)
		k += emit_rule(p + k, i < n ? &rules[i] : &defaults[i - n]);
	p[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	p[k++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	*len = k;
	return p;
}

/* The device programs attached to the cgroup FD itself (not its parents'). */
static size_t attached(int fd, uint32_t *ids, size_t max)
{
	union bpf_attr a = {0};
	a.query.target_fd = (uint32_t)fd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = (uint32_t)max;
	return sys_bpf(BPF_PROG_QUERY, &a) < 0 ? 0 : a.query.prog_cnt;
}

int oci_devices_bpf(const char *dir, const struct oci_device_rule *rules, size_t n,
                    const struct oci_device_rule *defaults, size_t nd, struct ward_error *e)
{
	const char *w = "linux.resources.devices";
	size_t len;
	autofree struct bpf_insn *insns = program(rules, n, defaults, nd, &len);
	if (!insns)
		return ward_error_set(e, ENOMEM, "%s", w);
	union bpf_attr a = {0};
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)len;
	a.license = (uint64_t)(uintptr_t) "Apache";
	autoclose int prog = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (prog < 0)
		return ward_error_set(e, errno, "%s: loading the cgroup v2 device program", w);
	autoclose int cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return ward_error_set(e, errno, "%s: opening %s", w, dir);
	uint32_t old[64];
	size_t n_old = attached(cg, old, 64);
	/* the new program first, then the old ones off: never a moment without rules */
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cg;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		return ward_error_set(e, errno, "%s: attaching the device program to %s", w, dir);
	for (size_t i = 0; i < n_old; i++) {
		union bpf_attr g = {.prog_id = old[i]};
		autoclose int ofd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &g);
		if (ofd < 0)
			continue;
		memset(&a, 0, sizeof(a));
		a.target_fd = (uint32_t)cg;
		a.attach_bpf_fd = (uint32_t)ofd;
		a.attach_type = BPF_CGROUP_DEVICE;
		if (sys_bpf(BPF_PROG_DETACH, &a) < 0)
			return ward_error_set(e, errno,
			                      "%s: detaching the old device program of %s", w, dir);
	}
	return 0;
}
