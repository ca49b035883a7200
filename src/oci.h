/* What an OCI runtime config (a bundle's config.json) says beyond what ward's own sandboxes
 * decide for themselves: spec->oci, NULL for every other front end. With it the engine owns
 * policy: the launcher adds nothing the config did not ask for (no user namespace, seccomp
 * filter, writable layer, /proc or /dev of ward's), unless the harden annotation is set.
 * Filled by oci_config.c; read by the container life (container*.c) and the child's root
 * setup (oci_rootfs.c). */
#ifndef WARD_OCI_H
#define WARD_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ward/error.h"

typedef struct json_t json_t;
struct ward_spec;

/* "not set" for every int64_t of a resources block */
#define OCI_UNSET INT64_MIN

enum oci_hook_kind {
	OCI_HOOK_PRESTART,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_KINDS
};

struct oci_hook {
	char *path;    /* absolute */
	char **args;   /* NULL-terminated, owned; NULL: just the path */
	char **env;    /* NULL-terminated "K=V", owned; NULL: empty environment */
	int timeout_s; /* 0: none */
};

/* One entry of "mounts", in order. */
struct oci_mount {
	char *destination;         /* absolute path inside the root */
	char *type;                /* filesystem type; "bind" for binds */
	char *source;              /* binds: absolute host path (relative ones resolved against
	                              the bundle); else the filesystem's source, may be NULL */
	bool bind, recursive;      /* bind/rbind (also set when options say bind or rbind) */
	unsigned long flags;       /* MS_* the options set (MS_RDONLY, MS_NOSUID, MS_NODEV,
	                              MS_NOEXEC, MS_NOATIME, MS_RELATIME, MS_STRICTATIME,
	                              MS_NODIRATIME, MS_SYNCHRONOUS, MS_DIRSYNC, MS_MANDLOCK,
	                              MS_REMOUNT, MS_LAZYTIME, MS_SILENT) */
	unsigned long clear;       /* MS_* the options cleared (rw, suid, dev, exec, atime...) */
	unsigned long propagation; /* MS_PRIVATE|MS_SHARED|MS_SLAVE|MS_UNBINDABLE [|MS_REC]; 0 */
	char *data;                /* the other options, comma-joined (mode=755,size=65536k);
	                              NULL: none */
	bool idmap;                /* "idmap"/"ridmap" option or uidMappings on the mount */
	bool copy_up;              /* "tmpcopyup" (runc's, podman sends it for tmpfs): the
	                              tmpfs starts with a copy of what the root had there */
};

/* linux.devices: made inside the root (mknod, or a bind of the host's node when the
 * container has its own user namespace). */
struct oci_device {
	char *path; /* absolute inside the root */
	char type;  /* 'c', 'b', 'u' (unbuffered char), 'p' (fifo) */
	int64_t major, minor;
	uint32_t mode; /* permission bits; 0666 when not given */
	uint32_t uid, gid;
};

/* linux.resources.devices: the device cgroup's allow-list, in order. */
struct oci_device_rule {
	bool allow;
	char type;            /* 'a', 'c', 'b' */
	int64_t major, minor; /* -1: any */
	char access[4];       /* a subset of "rwm", NUL-terminated */
};

struct oci_blkio_device {
	int64_t major, minor;
	uint64_t value; /* a weight, or a rate (bytes or ops per second) */
	uint64_t leaf_weight;
};

#define OCI_MAX_BLKIO     16
#define OCI_MAX_HUGEPAGES 8

/* linux.resources, or update --resources: everything OCI_UNSET / empty unless given. */
struct oci_resources {
	int64_t memory_limit, memory_reservation, memory_swap /* memory+swap, as in v1 */,
	    memory_kernel, memory_kernel_tcp, memory_swappiness;
	int disable_oom_killer; /* -1 unset, 0, 1 */
	int64_t cpu_shares, cpu_quota, cpu_period, cpu_rt_runtime, cpu_rt_period, cpu_idle;
	char cpus[128], mems[128]; /* "" unset */
	int64_t pids_limit;
	int64_t blkio_weight, blkio_leaf_weight;
	struct oci_blkio_device weight_device[OCI_MAX_BLKIO];
	size_t n_weight_device;
	struct oci_blkio_device throttle[4][OCI_MAX_BLKIO]; /* read bps, write bps, read iops,
	                                                       write iops */
	size_t n_throttle[4];
	struct {
		char pagesize[16]; /* "2MB" */
		uint64_t limit;
	} hugepages[OCI_MAX_HUGEPAGES];
	size_t n_hugepages;
	int64_t net_class_id;
	char **unified; /* "file=value" (linux.resources.unified), NULL-terminated, owned */
	struct oci_device_rule *devices;
	size_t n_devices;
	bool devices_set; /* a devices list was given (even empty) */
};

/* linux.namespaces: each type listed, new (path NULL) or joined (path given). A type not
 * listed is the runtime's own (the host's). */
struct oci_namespace {
	int type;   /* CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWUTS,
	               CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME */
	char *path; /* NULL: a new namespace */
};
#define OCI_MAX_NAMESPACES 8

struct oci_caps {
	uint64_t bounding, effective, inheritable, permitted, ambient; /* bit N = cap N */
};

struct oci_config {
	char *bundle;    /* absolute */
	char *root_path; /* root.path resolved against the bundle, absolute */
	bool root_readonly;
	char *domainname; /* NULL: not set (hostname lives in spec->hostname) */

	struct oci_namespace ns[OCI_MAX_NAMESPACES];
	size_t n_ns;
	bool has_uid_mappings; /* linux.uidMappings/gidMappings given: spec->idmaps holds them */

	struct oci_mount *mounts;
	size_t n_mounts;
	unsigned long rootfs_propagation; /* linux.rootfsPropagation; 0: not given */
	struct oci_device *devices;
	size_t n_devices;
	char **masked;   /* linux.maskedPaths, NULL-terminated, owned (NULL: none) */
	char **readonly; /* linux.readonlyPaths */
	char **sysctl;   /* "key=value" (linux.sysctl) */

	/* process (config.json's, or an exec's process.json) beyond spec's argv, env, cwd,
	 * uid, gid, tty and rlimits */
	struct oci_caps caps;
	bool no_new_privs;
	bool oom_score_adj_set;
	int oom_score_adj;
	bool umask_set;
	uint32_t umask;
	uint32_t *groups; /* additionalGids */
	size_t n_groups;
	unsigned console_height, console_width; /* process.consoleSize; 0: not given */
	char *apparmor;                         /* process.apparmorProfile; NULL: none */
	char *selinux_label;                    /* process.selinuxLabel */
	char *mount_label;                      /* linux.mountLabel */
	bool personality_set;
	unsigned long personality; /* linux.personality.domain: PER_LINUX or PER_LINUX32 */

	/* linux.seccomp as JSON text (NULL: no filter); its flags (SECCOMP_FILTER_FLAG_*) and
	 * listenerPath, which ward refuses when set */
	char *seccomp;
	unsigned seccomp_flags;

	char *cgroups_path; /* linux.cgroupsPath; NULL: the runtime chooses */
	struct oci_resources resources;

	struct oci_hook *hooks[OCI_HOOK_KINDS];
	size_t n_hooks[OCI_HOOK_KINDS];

	char **annotations; /* "key=value", NULL-terminated, owned */
	bool harden;        /* annotation run.ward.harden = "true" */
};

/* The annotation that asks for ward's own protections on top of the config's. */
#define OCI_ANNOTATION_HARDEN "run.ward.harden"

void oci_resources_init(struct oci_resources *r);
void oci_resources_clear(struct oci_resources *r);
/* A LinuxResources object (linux.resources, or the file of update --resources) into R
 * (initialised by the caller); names the culprit ("linux.resources.memory.limit: ..."). */
int oci_resources_parse(json_t *obj, const char *where, struct oci_resources *r,
                        struct ward_error *e);

/* A Process object (config.json's process, or an exec's process.json) into S and O: argv,
 * env, cwd, user (uid, gid, umask, additionalGids), terminal, consoleSize, capabilities,
 * rlimits, noNewPrivileges, oomScoreAdj, apparmorProfile, selinuxLabel. WHERE prefixes errors
 * ("process"). */
int oci_process_parse(json_t *proc, const char *where, struct ward_spec *s, struct oci_config *o,
                      struct ward_error *e);

void oci_config_free(struct oci_config *o);

#endif
