/* The sandbox description behind the public ward_spec_* calls: what the launcher reads. */
#ifndef WARD_SPEC_H
#define WARD_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "idmap.h"
#include "oci.h"
#include "strv.h"
#include "ward/ward.h"

#define WARD_MAX_DNS   3
#define WARD_MAX_HOSTS 64

/* What the sandbox can reach: only its own loopback, or also the outside (NAT as root,
 * pasta rootless). */
enum ward_network { WARD_NET_NONE, WARD_NET_EGRESS };
#define WARD_MAX_RLIMITS 16

struct ward_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

#define WARD_MAX_IO_LIMITS 8

struct ward_io_limit {
	uint32_t major, minor;
	uint64_t rbps, wbps, riops, wiops; /* 0 = no limit */
};

/* Resource limits; 0 in a field means "not limited". */
struct ward_limits {
	uint64_t memory;     /* bytes */
	int64_t swap;        /* bytes of swap on top of memory; -1 = not set (then 0 with memory) */
	uint64_t pids;       /* processes and threads */
	uint64_t cpu_quota;  /* microseconds of CPU per cpu_period */
	uint64_t cpu_period; /* microseconds */
	uint32_t cpu_weight; /* 1..10000 (cgroup v2 scale) */
	char cpuset[64];     /* "0-1", "" = all */
	struct ward_io_limit io[WARD_MAX_IO_LIMITS];
	size_t n_io;
	uint64_t disk;    /* bytes of the writable layer (tmpfs size) */
	bool best_effort; /* no usable cgroup: fall back to rlimits and say so */
};

enum ward_volume_mode { WARD_VOLUME_RW, WARD_VOLUME_RO, WARD_VOLUME_OVERLAY };

/* One host directory or file shown inside the sandbox. */
struct ward_volume {
	char *host;      /* absolute host path */
	char *container; /* absolute, normalised container path */
	enum ward_volume_mode mode;
};

/* A private tmpfs inside the sandbox (--tmpfs). */
struct ward_tmpfs {
	char *container; /* absolute, normalised container path */
	uint64_t size;   /* bytes, 0 = the kernel's default (half of RAM) */
	uint32_t mode;   /* of its root directory */
	bool noexec;
};

struct ward_spec {
	/* process */
	char **argv;        /* NULL-terminated, owned */
	char **env;         /* NULL-terminated "K=V" list, owned; the sandbox sees only this */
	char *cwd;          /* inside the sandbox; NULL means "/" */
	uint32_t uid, gid;  /* container ids of the workload */
	bool tty;           /* allocate a pseudo-terminal inside the sandbox */
	bool interactive;   /* pass stdin through (otherwise /dev/null) */
	unsigned timeout_s; /* wall clock; 0 means none */
	struct ward_rlimit rlimits[WARD_MAX_RLIMITS];
	size_t n_rlimits;

	/* root */
	char *rootfs;   /* host directory, never modified */
	bool read_only; /* no writable layer */
	char *hostname;

	/* identity: filled by spec_default_idmaps() unless set by the caller */
	struct ward_idmaps idmaps;
	bool idmapped_root; /* root caller: show DIR's host ids through an idmapped mount */
	uint32_t root_idmap_base;

	uint64_t capabilities;    /* bit N = capability N kept for the workload */
	char *policy;             /* seccomp policy: a name in the policy directory or a file path;
	                             NULL means "default" */
	char *policy_text;        /* or the policy itself (wins over policy when set) */
	bool seccomp_unconfined;  /* no syscall filter at all (loud opt-out) */
	bool allow_setid_volumes; /* rw volumes without the set-id ban (loud opt-out) */
	struct ward_limits limits;
	struct ward_volume *volumes; /* the first is the workspace */
	size_t n_volumes;
	struct ward_tmpfs *tmpfs;
	size_t n_tmpfs;
	char *changes; /* host file that receives the overlay volumes' changes (a tar layer) */
	/* SANDBOX_USER_ID: the workload runs as this uid and gid, and the caller's files appear
	 * as owned by it (rootless: the caller is mapped to it instead of to root). */
	bool user_id_set;
	uint32_t user_id;
	char user_id_origin[32]; /* where it came from, for errors */

	/* network: a new namespace with only lo unless asked */
	enum ward_network network;
	struct ward_publish publish[WARD_MAX_PUBLISH];
	size_t n_publish;
	char dns[WARD_MAX_DNS][48]; /* resolvers for the sandbox's resolv.conf with egress; none
	                               given: the host's that are not on its loopback */
	size_t n_dns;
	char **hosts; /* "ADDR NAME" lines for /etc/hosts, NULL-terminated, owned */

	/* lifecycle: ward create sets it. Init reports when the sandbox is ready and passes
	 * its root up; argv may then be NULL: init idles and the sandbox only runs execs. */
	bool resident;

	/* What a front end set that the start resolves (spec_prepare): the image's defaults
	 * under the caller's settings, -u looked up in the root, HOME. */
	struct ward_image *image; /* not owned */
	char *entrypoint;         /* replaces the image's (with its Cmd); "" clears it */
	bool entrypoint_set;
	char *user;                  /* -u text */
	size_t n_default_env;        /* leading env entries that are ward's defaults */
	char *image_name, *image_id; /* read back by spec_from_json (the image is not opened) */
	bool prepared;

	/* ward_sandbox_create */
	char *name; /* NULL: none */
	bool persistent;
	char *origin;      /* for listings: the image as asked for, or the rootfs */
	char **labels;     /* "K=V", NULL-terminated, owned; keys unique */
	bool auto_remove;  /* --rm: removed when it stops */
	bool allow_setuid; /* no no_new_privs for the workload */

	/* the writable layer (sandboxes with a life): a saved layer (an OCI tar with whiteouts)
	 * to restore into the new writable layer before the root is mounted, -1: none; not
	 * owned. keep_upper: the supervisor keeps the upper directory for layer_export. */
	int layer_in;
	bool keep_upper;

	/* An OCI runtime config's own settings (ward_spec_load_oci), NULL otherwise: the engine
	 * owns policy, the launcher adds nothing of its own (oci.h). Owned. */
	struct oci_config *oci;
};

/* An embedded spec's life (the public ward_spec_new/free wrap these). */
void spec_init(struct ward_spec *s);
void spec_clear(struct ward_spec *s);
void spec_volumes_free(struct ward_spec *s);

/* Resolve what the front end left to the start (image defaults, -u, HOME) and the id maps,
 * and log the warnings of loud opt-outs; once per spec. RESIDENT: for ward_sandbox_create (no
 * command: it idles). */
int spec_prepare(const struct ward_context *c, struct ward_spec *s, bool resident,
                 struct ward_error *e);

/* Fill the id maps for the calling user (see README: "Identity"). */
int spec_default_idmaps(struct ward_spec *s, struct ward_error *e);
const char *rlimit_name(int resource);
/* Look NAME up in a subuid/subgid file: 0 and the first range, 1 if none, -1 on error. */
int subid_lookup(const char *file, const char *name, uint32_t id, uint32_t *start, uint32_t *count,
                 struct ward_error *e);

#endif
