/* linux.sysctl, validated as runc does: only the keys of a namespace the container has of
 * its own; written after pivot_root into the container's /proc/sys. */
#include <errno.h>
#include <linux/magic.h>
#include <sched.h>
#include <string.h>
#include <sys/statfs.h>

#include "oci_mounts.h"
#include "oci_paths.h"
#include "sys.h"

static const char *const ipc_keys[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",          "kernel.sem", "kernel.shmall",
    "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL,
};

/* KEY (dotted, or a path with '/' whose names may hold dots) as "a.b.c" in DOT and "a/b/c"
 * in SLASH; -1 for an empty or "."/".." component. */
static int split_key(const char *key, size_t len, char *dot, char *slash, size_t size)
{
	if (len == 0 || len >= size)
		return -1;
	bool slashed = memchr(key, '/', len) != NULL;
	for (size_t i = 0; i < len; i++) {
		char c = key[i];
		bool sep = slashed ? c == '/' : c == '.';
		dot[i] = sep ? '.' : c;
		slash[i] = sep ? '/' : c;
	}
	dot[len] = slash[len] = '\0';
	char *copy = strdupa(slash);
	if (copy[0] == '/' || copy[len - 1] == '/' || strstr(copy, "//"))
		return -1;
	for (char *save = NULL, *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save))
		if (strcmp(t, ".") == 0 || strcmp(t, "..") == 0)
			return -1;
	return 0;
}

static const char *refusal(const struct oci_config *o, const char *key)
{
	bool ipc = strncmp(key, "fs.mqueue.", 10) == 0;
	for (size_t i = 0; ipc_keys[i] && !ipc; i++)
		ipc = strcmp(key, ipc_keys[i]) == 0;
	if (ipc)
		return oci_has_ns(o, CLONE_NEWIPC) ? NULL
		                                   : "not allowed in the host's ipc namespace";
	if (strncmp(key, "net.", 4) == 0)
		return oci_has_ns(o, CLONE_NEWNET) ? NULL
		                                   : "not allowed in the host's network namespace";
	if (oci_has_ns(o, CLONE_NEWUTS) && strcmp(key, "kernel.domainname") == 0)
		return NULL;
	if (oci_has_ns(o, CLONE_NEWUTS) && strcmp(key, "kernel.hostname") == 0)
		return "not allowed; use hostname instead";
	return "not in a separate kernel namespace";
}

int oci_sysctl_check(const struct oci_config *o, struct ward_error *e)
{
	for (size_t i = 0; o->sysctl && o->sysctl[i]; i++) {
		const char *eq = strchr(o->sysctl[i], '=');
		char dot[256], slash[256];
		if (!eq || split_key(o->sysctl[i], (size_t)(eq - o->sysctl[i]), dot, slash,
		                     sizeof(dot)) < 0)
			return ward_error_set(e, EINVAL, "config.json: linux.sysctl: bad key in %s",
			                      o->sysctl[i]);
		const char *why = refusal(o, dot);
		if (why)
			return ward_error_set(e, EPERM, "config.json: linux.sysctl %s: %s", dot,
			                      why);
	}
	return 0;
}

int oci_sysctl_apply(const struct oci_config *o, struct ward_error *e)
{
	if (!o->sysctl || !o->sysctl[0])
		return 0;
	autoclose int sys = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statfs sf;
	if (sys < 0 || fstatfs(sys, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
		return ward_error_set(e, sys < 0 ? errno : ENOENT,
		                      "config.json: linux.sysctl: no procfs on /proc/sys");
	for (size_t i = 0; o->sysctl[i]; i++) {
		const char *eq = strchr(o->sysctl[i], '=');
		char dot[256], slash[256];
		if (!eq || split_key(o->sysctl[i], (size_t)(eq - o->sysctl[i]), dot, slash,
		                     sizeof(dot)) < 0)
			return ward_error_set(e, EINVAL, "config.json: linux.sysctl: bad key in %s",
			                      o->sysctl[i]);
		autoclose int fd = sys_openat2(sys, slash, O_WRONLY | O_TRUNC | O_CLOEXEC,
		                               RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		                                   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
		if (fd < 0 || write_all(fd, eq + 1, strlen(eq + 1)) < 0)
			return ward_error_set(e, errno, "config.json: linux.sysctl %s", dot);
	}
	return 0;
}
