/* The set-id ban: a small seccomp program stacked on the policy's filter when a sandbox has
 * a rw volume, so that nothing the workload writes there can become a set-id program that
 * host users run (the host executes it through its own mount, where nosuid does not apply).
 *
 * Written as classic BPF from a table rather than compiled with libseccomp: it must cover
 * every x86 ABI the policy may allow (x86_64, x32, i386) including calls newer than the
 * libseccomp at hand (fchmodat2), which libseccomp cannot translate between ABIs. It is a
 * separate program, so the kernel applies it whatever the policy says: the stricter result
 * of all stacked filters wins. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>

#include "filter.h"

#define X32_BIT 0x40000000u
#define SETID   06000u

enum kind { MODE, NOSYS, DENY };

/* Each call with its number on x86_64 (also x32's, without X32_BIT) and on i386, and the
 * argument that holds the mode. */
static const struct {
	unsigned nr64, nr32;
	enum kind kind;
	unsigned arg;
} calls[] = {
    {90, 15, MODE, 1},    /* chmod */
    {91, 94, MODE, 1},    /* fchmod */
    {268, 306, MODE, 2},  /* fchmodat */
    {452, 452, MODE, 2},  /* fchmodat2 */
    {2, 5, MODE, 2},      /* open */
    {257, 295, MODE, 3},  /* openat */
    {85, 8, MODE, 1},     /* creat */
    {133, 14, MODE, 1},   /* mknod */
    {259, 297, MODE, 2},  /* mknodat */
    {83, 39, MODE, 1},    /* mkdir */
    {258, 296, MODE, 2},  /* mkdirat */
    {437, 437, NOSYS, 0}, /* openat2: its mode is in a struct; libc falls back to openat */
    {425, 425, NOSYS, 0}, /* io_uring_setup: io_uring's openat and mkdirat skip seccomp */
    {165, 21, DENY, 0},   /* mount: an overlay with its upper layer in a volume copies */
    {430, 430, DENY, 0},  /* fsopen   up set-id files with the mounter's rights */
    {433, 433, DENY, 0},  /* fspick */
    {432, 432, DENY, 0},  /* fsmount */
    {429, 429, DENY, 0},  /* move_mount */
    {428, 428, DENY, 0},  /* open_tree */
    {442, 442, DENY, 0},  /* mount_setattr */
};

#define NCALLS (sizeof(calls) / sizeof(calls[0]))

static struct sock_filter stmt(unsigned short code, unsigned k)
{
	return (struct sock_filter)BPF_STMT(code, k);
}

static struct sock_filter jump(unsigned short code, unsigned k, unsigned char jt, unsigned char jf)
{
	return (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

/* One ABI's checks, the syscall number already in A. */
static size_t emit_abi(struct sock_filter *p, bool i386)
{
	size_t n = 0;
	for (size_t i = 0; i < NCALLS; i++) {
		unsigned nr = i386 ? calls[i].nr32 : calls[i].nr64;
		if (calls[i].kind != MODE) {
			unsigned err = calls[i].kind == NOSYS ? ENOSYS : EPERM;
			p[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1);
			p[n++] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | err);
			continue;
		}
		/* the low 32 bits of the mode argument (little-endian) */
		unsigned off = (unsigned)offsetof(struct seccomp_data, args) + 8 * calls[i].arg;
		p[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 4);
		p[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, off);
		p[n++] = jump(BPF_JMP | BPF_JSET | BPF_K, SETID, 0, 1);
		p[n++] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
		p[n++] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	p[n++] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return n;
}

int filter_setid(struct sock_filter **prog, unsigned short *len)
{
	/* per ABI at most 5 per call and the final allow; 6 for the dispatch */
	struct sock_filter *p = calloc(2 * (5 * NCALLS + 1) + 6, sizeof(*p));
	if (!p)
		return -1;
	struct sock_filter abi64[5 * NCALLS + 1], abi32[5 * NCALLS + 1];
	size_t n64 = emit_abi(abi64, false), n32 = emit_abi(abi32, true), n = 0;
	unsigned nr = (unsigned)offsetof(struct seccomp_data, nr);
	p[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, (unsigned)offsetof(struct seccomp_data, arch));
	p[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	p[n++] = jump(BPF_JMP | BPF_JA, (unsigned)(n64 + 2), 0, 0);
	/* x32 shares x86_64's numbers for these calls, with X32_BIT set */
	p[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, nr);
	p[n++] = stmt(BPF_ALU | BPF_AND | BPF_K, ~X32_BIT);
	for (size_t i = 0; i < n64; i++)
		p[n++] = abi64[i];
	p[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, (unsigned char)(n32 + 1));
	p[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, nr);
	for (size_t i = 0; i < n32; i++)
		p[n++] = abi32[i];
	p[n++] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	*prog = p;
	*len = (unsigned short)n;
	return 0;
}
