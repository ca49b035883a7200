/* Unit tests: the set-id ban's BPF, run by a small interpreter for every x86 ABI (this
 * host's kernel may lack x32 and i386, so the suites cannot reach those paths), with the
 * syscall numbers taken from libseccomp rather than from the table under test. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <seccomp.h>

#include "filter.h"

/* Classic BPF as the kernel runs a seccomp program: only what the program uses. */
static uint32_t run(const struct sock_filter *p, unsigned short len, const struct seccomp_data *d)
{
	uint32_t a = 0;
	for (unsigned pc = 0; pc < len; pc++) {
		const struct sock_filter *i = &p[pc];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			assert_true(i->k + 4 <= sizeof(*d) && i->k % 4 == 0);
			memcpy(&a, (const char *)d + i->k, 4);
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= i->k;
			break;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += a & i->k ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			fail_msg("unexpected instruction %#x at %u", i->code, pc);
		}
	}
	fail_msg("ran off the end");
	return 0;
}

static const struct {
	const char *name;
	int arg; /* the mode's argument, or -1 for a call refused whatever its arguments */
	uint32_t refused;
} calls[] = {
    {"chmod", 1, EPERM},
    {"fchmod", 1, EPERM},
    {"fchmodat", 2, EPERM},
    {"fchmodat2", 2, EPERM},
    {"open", 2, EPERM},
    {"openat", 3, EPERM},
    {"creat", 1, EPERM},
    {"mknod", 1, EPERM},
    {"mknodat", 2, EPERM},
    {"mkdir", 1, EPERM},
    {"mkdirat", 2, EPERM},
    {"openat2", -1, ENOSYS},
    {"io_uring_setup", -1, ENOSYS},
    {"mount", -1, EPERM},
    {"fsopen", -1, EPERM},
    {"fspick", -1, EPERM},
    {"fsmount", -1, EPERM},
    {"move_mount", -1, EPERM},
    {"open_tree", -1, EPERM},
    {"mount_setattr", -1, EPERM},
};

static const struct {
	uint32_t scmp, audit;
} abis[] = {
    {SCMP_ARCH_X86_64, AUDIT_ARCH_X86_64},
    {SCMP_ARCH_X32, AUDIT_ARCH_X86_64},
    {SCMP_ARCH_X86, AUDIT_ARCH_I386},
};

static void every_abi(void **state)
{
	(void)state;
	struct sock_filter *p;
	unsigned short len;
	assert_int_equal(filter_setid(&p, &len), 0);
	for (size_t a = 0; a < sizeof(abis) / sizeof(abis[0]); a++) {
		for (size_t c = 0; c < sizeof(calls) / sizeof(calls[0]); c++) {
			int nr = seccomp_syscall_resolve_name_arch(abis[a].scmp, calls[c].name);
			if (nr < 0 && !strcmp(calls[c].name, "fchmodat2"))
				nr = 452 | (abis[a].scmp == SCMP_ARCH_X32 ? 0x40000000 : 0);
			assert_true(nr >= 0);
			struct seccomp_data d = {.nr = nr, .arch = abis[a].audit};
			uint32_t deny = SECCOMP_RET_ERRNO | calls[c].refused;
			if (calls[c].arg < 0) {
				assert_int_equal(run(p, len, &d), deny);
				continue;
			}
			static const uint64_t modes[] = {04755, 02755, 06000, S_IFREG | 04644};
			for (size_t m = 0; m < 4; m++) {
				d.args[calls[c].arg] = modes[m];
				assert_int_equal(run(p, len, &d), deny);
			}
			/* no set-id bit: allowed, the same mode in another argument too */
			d.args[calls[c].arg] = 0755 | 01000 | S_IFDIR;
			assert_int_equal(run(p, len, &d), SECCOMP_RET_ALLOW);
			d.args[calls[c].arg] = 0644;
			d.args[calls[c].arg == 1 ? 2 : 1] = 04755;
			assert_int_equal(run(p, len, &d), SECCOMP_RET_ALLOW);
		}
		/* everything else passes to the policy's filter */
		int nr = seccomp_syscall_resolve_name_arch(abis[a].scmp, "getpid");
		struct seccomp_data d = {.nr = nr, .arch = abis[a].audit, .args = {04755, 04755}};
		assert_int_equal(run(p, len, &d), SECCOMP_RET_ALLOW);
	}
	struct seccomp_data other = {.nr = 90, .arch = AUDIT_ARCH_AARCH64, .args = {0, 04755}};
	assert_int_equal(run(p, len, &other), SECCOMP_RET_ALLOW);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_abi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
