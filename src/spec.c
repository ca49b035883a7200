/* struct ward_spec: lifetime, defaults and validation. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "idmap.h"
#include "sys.h"
#include "net.h"
#include "volumes.h"
#include "spec.h"

static char *const default_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    NULL,
};

void spec_init(struct ward_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->env = calloc(1, sizeof(char *));
	for (size_t i = 0; default_env[i]; i++)
		ward_spec_add_env(s, default_env[i], NULL);
	s->root_idmap_base = WARD_ROOT_IDMAP_BASE;
	s->capabilities = ward_default_capabilities();
	s->limits.swap = -1;
	s->layer_in = -1;
	for (char **v = s->env; v && *v; v++)
		s->n_default_env++;
}

void spec_clear(struct ward_spec *s)
{
	strv_free(s->argv);
	strv_free(s->env);
	free(s->cwd);
	free(s->rootfs);
	free(s->hostname);
	free(s->policy);
	free(s->policy_text);
	free(s->changes);
	spec_volumes_free(s);
	free(s->entrypoint);
	free(s->user);
	free(s->image_name);
	free(s->image_id);
	free(s->name);
	free(s->origin);
	strv_free(s->labels);
	strv_free(s->hosts);
	oci_config_free(s->oci);
	memset(s, 0, sizeof(*s));
	s->layer_in = -1;
}

int spec_default_idmaps(struct ward_spec *s, struct ward_error *e)
{
	if (idmaps_default(&s->idmaps, s->root_idmap_base, s->user_id_set ? s->user_id : 0, e) < 0)
		return -1;
	s->idmapped_root = geteuid() == 0;
	return 0;
}

/* Docker's default set less NET_RAW (raw sockets are useless on a loopback-only network and
 * a common attack tool) and MKNOD (device nodes cannot be used inside a user namespace). */
uint64_t ward_default_capabilities(void)
{
	static const int caps[] = {
	    CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FSETID,  CAP_FOWNER,           CAP_SETGID,
	    CAP_SETUID, CAP_SETPCAP,      CAP_SETFCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
	    CAP_KILL,   CAP_AUDIT_WRITE,
	};
	uint64_t set = 0;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		set |= 1ULL << caps[i];
	return set;
}

static bool id_mapped(const struct ward_idmap *m, size_t n, uint32_t id)
{
	return idmap_to_host(m, n, id) != UINT32_MAX;
}

static int validate_hostname(const char *h, struct ward_error *e)
{
	size_t n = strlen(h);
	if (n == 0 || n > 63) {
		ward_error_set(e, 0, "--hostname %s: must be 1 to 63 characters", h);
		return -1;
	}
	for (const char *p = h; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		          (*p >= '0' && *p <= '9') || *p == '-' || *p == '.';
		if (!ok) {
			ward_error_set(e, 0, "--hostname %s: only letters, digits, '-' and '.'", h);
			return -1;
		}
	}
	return 0;
}

static bool bad_workdir(const char *path)
{
	if (!strcmp(path, "/proc") || !strncmp(path, "/proc/", 6))
		return true;
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == 0 || p[2] == '/'))
			return true;
	return false;
}

int ward_spec_validate(const struct ward_spec *s, struct ward_error *e)
{
	if ((!s->argv || !s->argv[0]) && !s->resident) {
		ward_error_set(e, 0, "no command given (usage: ward run --rootfs DIR -- CMD...)");
		return -1;
	}
	if (s->argv && s->argv[0] && !s->argv[0][0]) {
		ward_error_set(e, 0, "command: empty name");
		return -1;
	}
	if (!s->rootfs) {
		ward_error_set(e, 0, "no root filesystem given (--rootfs DIR)");
		return -1;
	}
	struct stat st;
	if (stat(s->rootfs, &st) < 0) {
		ward_error_set(e, errno, "--rootfs %s", s->rootfs);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		ward_error_set(e, ENOTDIR, "--rootfs %s", s->rootfs);
		return -1;
	}
	if (s->cwd && s->cwd[0] != '/') {
		ward_error_set(e, 0, "--workdir %s: must be an absolute path", s->cwd);
		return -1;
	}
	/* CVE-2024-21626: a working directory under /proc (/proc/self/fd/N) could land the
	 * workload in a directory outside its root. */
	if (s->cwd && bad_workdir(s->cwd)) {
		ward_error_set(e, 0, "--workdir %s: must not be under /proc or contain ..", s->cwd);
		return -1;
	}
	if (net_spec_validate(s, e) < 0)
		return -1;
	if (s->limits.disk && s->read_only) {
		ward_error_set(e, 0, "--disk with --read-only: there is no writable layer to size");
		return -1;
	}
	if (s->changes && !volumes_any_overlay(s)) {
		ward_error_set(e, 0,
		               "--changes %s: no overlay volume to take changes from (give -v "
		               "HOST:CONTAINER:overlay)",
		               s->changes);
		return -1;
	}
	if (s->hostname && validate_hostname(s->hostname, e) < 0)
		return -1;
	if (s->idmaps.n_uid_map == 0 || s->idmaps.n_gid_map == 0) {
		ward_error_set(e, 0, "internal: id maps not set");
		return -1;
	}
	if (!id_mapped(s->idmaps.uid_map, s->idmaps.n_uid_map, s->uid)) {
		ward_error_set(
		    e, 0,
		    "--user %u: uid not mapped in this sandbox (only %u..%u are; rootless "
		    "ward needs a range in /etc/subuid and newuidmap for more)",
		    s->uid, s->idmaps.uid_map[0].inside,
		    s->idmaps.uid_map[s->idmaps.n_uid_map - 1].inside +
		        s->idmaps.uid_map[s->idmaps.n_uid_map - 1].count - 1);
		return -1;
	}
	if (!id_mapped(s->idmaps.gid_map, s->idmaps.n_gid_map, s->gid)) {
		ward_error_set(e, 0, "--user: gid %u not mapped in this sandbox (see /etc/subgid)",
		               s->gid);
		return -1;
	}
	return 0;
}

const char *ward_reason_name(enum ward_reason r)
{
	switch (r) {
	case WARD_EXITED:
		return "exited";
	case WARD_SIGNALED:
		return "signaled";
	case WARD_TIMEOUT:
		return "timeout";
	case WARD_OOM:
		return "oom";
	case WARD_SETUP_ERROR:
		return "setup-error";
	case WARD_CANCELED:
		return "canceled";
	}
	return "unknown";
}
