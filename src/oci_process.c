/* A runtime-spec Process object (config.json's process, an exec's process.json) into the
 * spec and the OCI config: the process part of both is replaced. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "oci_json.h"
#include "oci_parse.h"
#include "spec.h"

int oci_cap_number(const char *name)
{
	if (strncmp(name, "CAP_", 4) != 0 || strlen(name) > 48)
		return -1;
	char low[64];
	for (size_t i = 0; i <= strlen(name); i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	cap_value_t v;
	if (cap_from_name(low, &v) < 0 || v < 0 || v >= 64 || v >= (int)cap_max_bits())
		return -1;
	return (int)v;
}

/* One capability set. Names this kernel (or libcap) does not know are skipped, as runc
 * does (it warns): a config written for a newer kernel still runs, without them. */
static int cap_set(json_t *caps, const char *key, const char *where, uint64_t *out,
                   struct ward_error *e)
{
	json_t *arr;
	*out = 0;
	if (oj_array(caps, key, where, &arr, e) < 0)
		return -1;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v)) {
			char item[48];
			snprintf(item, sizeof(item), "%s[%zu]", key, i);
			return oj_err(e, where, item, "must be a capability name");
		}
		int n = oci_cap_number(json_string_value(v));
		if (n >= 0)
			*out |= 1ULL << n;
	}
	return 0;
}

static int parse_caps(json_t *proc, const char *where, struct oci_caps *c, struct ward_error *e)
{
	json_t *caps;
	char w[96];
	memset(c, 0, sizeof(*c));
	if (oj_object(proc, "capabilities", where, &caps, e) < 0)
		return -1;
	snprintf(w, sizeof(w), "%s.capabilities", where);
	const char *const names[] = {"bounding", "effective", "inheritable", "permitted",
	                             "ambient"};
	uint64_t *sets[] = {&c->bounding, &c->effective, &c->inheritable, &c->permitted,
	                    &c->ambient};
	for (int i = 0; i < 5; i++)
		if (cap_set(caps, names[i], w, sets[i], e) < 0)
			return -1;
	return 0;
}

/* "RLIMIT_NOFILE" → RLIMIT_NOFILE, through ward's own names ("nofile"). */
static int rlimit_by_name(const char *name)
{
	if (strncmp(name, "RLIMIT_", 7) != 0)
		return -1;
	for (int r = 0; r < RLIM_NLIMITS; r++)
		if (!strcasecmp(rlimit_name(r), name + 7))
			return r;
	return -1;
}

static int parse_rlimits(json_t *proc, const char *where, struct ward_spec *s, struct ward_error *e)
{
	json_t *arr;
	s->n_rlimits = 0;
	if (oj_array(proc, "rlimits", where, &arr, e) < 0)
		return -1;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		char w[96];
		snprintf(w, sizeof(w), "%s.rlimits[%zu]", where, i);
		const char *type = NULL;
		uint64_t soft = 0, hard = 0;
		if (!json_is_object(v))
			return oj_err(e, w, NULL, "must be an object");
		if (oj_str(v, "type", w, &type, e) < 0 ||
		    oj_u64(v, "soft", w, UINT64_MAX, &soft, e) < 0 ||
		    oj_u64(v, "hard", w, UINT64_MAX, &hard, e) < 0)
			return -1;
		if (!type)
			return oj_err(e, w, "type", "required (RLIMIT_NOFILE, ...)");
		int r = rlimit_by_name(type);
		if (r < 0)
			return oj_err(e, w, "type", "unknown limit '%s'", type);
		if (!oj_get(v, "soft") || !oj_get(v, "hard"))
			return oj_err(e, w, NULL, "needs soft and hard");
		if (soft > hard)
			return oj_err(e, w, NULL, "soft limit above hard limit");
		for (size_t k = 0; k < s->n_rlimits; k++)
			if (s->rlimits[k].resource == r)
				return oj_err(e, w, "type", "%s given twice", type);
		if (s->n_rlimits == WARD_MAX_RLIMITS)
			return oj_err(e, w, NULL, "too many limits");
		s->rlimits[s->n_rlimits++] =
		    (struct ward_rlimit){.resource = r, .soft = soft, .hard = hard};
	}
	return 0;
}

static int parse_env(json_t *proc, const char *where, struct ward_spec *s, struct ward_error *e)
{
	char **env = NULL;
	if (oj_strv(proc, "env", where, &env, e) < 0)
		return -1;
	if (!env && !(env = calloc(1, sizeof(*env))))
		return ward_error_set(e, ENOMEM, "env");
	for (size_t i = 0; env[i]; i++) {
		char *eq = strchr(env[i], '=');
		if (!eq || eq == env[i]) {
			strv_free(env);
			char item[32];
			snprintf(item, sizeof(item), "env[%zu]", i);
			return oj_err(e, where, item, "expected NAME=VALUE");
		}
	}
	strv_free(s->env);
	s->env = env;
	s->n_default_env = 0; /* nothing of ward's: the engine wrote the whole environment */
	return 0;
}

static int parse_user(json_t *proc, const char *where, struct ward_spec *s, struct oci_config *o,
                      struct ward_error *e)
{
	json_t *user, *gids;
	char w[96];
	s->uid = s->gid = 0;
	if (oj_object(proc, "user", where, &user, e) < 0)
		return -1;
	snprintf(w, sizeof(w), "%s.user", where);
	uint32_t umask = 0;
	int rc = oj_u32(user, "umask", w, &umask, e);
	if (rc < 0 || oj_u32(user, "uid", w, &s->uid, e) < 0 ||
	    oj_u32(user, "gid", w, &s->gid, e) < 0 ||
	    oj_array(user, "additionalGids", w, &gids, e) < 0)
		return -1;
	if (rc > 0 && umask > 0777)
		return oj_err(e, w, "umask", "must be at most 0777");
	o->umask_set = rc > 0;
	o->umask = umask;
	size_t n = json_array_size(gids);
	if (n && !(o->groups = calloc(n, sizeof(*o->groups))))
		return ward_error_set(e, ENOMEM, "additionalGids");
	for (size_t i = 0; i < n; i++) {
		uint64_t g;
		if (!oj_num_u64(json_array_get(gids, i), &g) || g > UINT32_MAX) {
			char item[40];
			snprintf(item, sizeof(item), "additionalGids[%zu]", i);
			return oj_err(e, w, item, "must be a gid (0 to 4294967295)");
		}
		o->groups[o->n_groups++] = (uint32_t)g;
	}
	return 0; /* username: a Windows field */
}

static int parse_console(json_t *proc, const char *where, struct oci_config *o,
                         struct ward_error *e)
{
	json_t *cs;
	char w[96];
	o->console_height = o->console_width = 0;
	if (oj_object(proc, "consoleSize", where, &cs, e) < 0)
		return -1;
	if (!cs)
		return 0;
	snprintf(w, sizeof(w), "%s.consoleSize", where);
	uint64_t h = 0, wd = 0;
	if (oj_u64(cs, "height", w, UINT16_MAX, &h, e) < 0 ||
	    oj_u64(cs, "width", w, UINT16_MAX, &wd, e) < 0)
		return -1;
	o->console_height = (unsigned)h;
	o->console_width = (unsigned)wd;
	return 0;
}

/* Forget what a previous process left in S and O. */
static void reset(struct ward_spec *s, struct oci_config *o)
{
	strv_free(s->argv);
	s->argv = NULL;
	free(s->cwd);
	s->cwd = NULL;
	free(o->groups);
	o->groups = NULL;
	o->n_groups = 0;
	free(o->apparmor);
	free(o->selinux_label);
	o->apparmor = o->selinux_label = NULL;
	o->no_new_privs = o->oom_score_adj_set = o->umask_set = false;
	s->tty = false;
}

static int parse_misc(json_t *proc, const char *where, struct oci_config *o, struct ward_error *e)
{
	int64_t adj = 0;
	int rc = oj_i64(proc, "oomScoreAdj", where, -1000, 1000, &adj, e);
	if (rc < 0 || oj_bool(proc, "noNewPrivileges", where, &o->no_new_privs, e) < 0 ||
	    oj_strdup_nonempty(proc, "apparmorProfile", where, &o->apparmor, e) < 0 ||
	    oj_strdup_nonempty(proc, "selinuxLabel", where, &o->selinux_label, e) < 0)
		return -1;
	if (o->apparmor && !oci_host_apparmor())
		return oj_err(e, where, "apparmorProfile", "AppArmor is not enabled on this host");
	if (o->selinux_label && !oci_host_selinux())
		return oj_err(e, where, "selinuxLabel", "SELinux is not enabled on this host");
	o->oom_score_adj_set = rc > 0;
	o->oom_score_adj = (int)adj;
	/* Scheduling policies and CPU pinning of the process change what it may do to the
	 * host's other work; ward does not apply them, so it says so. */
	static const char *const unsupported[] = {"scheduler", "ioPriority", "execCPUAffinity"};
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (oj_refuse(proc, unsupported[i], where, "not supported by ward", e) < 0)
			return -1;
	return 0;
}

int oci_process_parse(json_t *proc, const char *where, struct ward_spec *s, struct oci_config *o,
                      struct ward_error *e)
{
	if (!json_is_object(proc))
		return oj_err(e, where, NULL, "must be an object");
	reset(s, o);
	if (oj_strv(proc, "args", where, &s->argv, e) < 0)
		return -1;
	if (!s->argv || !s->argv[0])
		return oj_err(e, where, "args", "required (the command and its arguments)");
	if (!s->argv[0][0])
		return oj_err(e, where, "args[0]", "must not be empty");
	if (oj_abs_path(proc, "cwd", where, true, &s->cwd, e) < 0 ||
	    oj_bool(proc, "terminal", where, &s->tty, e) < 0 || parse_env(proc, where, s, e) < 0 ||
	    parse_user(proc, where, s, o, e) < 0 || parse_console(proc, where, o, e) < 0 ||
	    parse_caps(proc, where, &o->caps, e) < 0 || parse_rlimits(proc, where, s, e) < 0 ||
	    parse_misc(proc, where, o, e) < 0)
		return -1;
	/* ward's own code reads the workload's set from the spec */
	s->capabilities = o->caps.effective | o->caps.permitted;
	s->allow_setuid = !o->no_new_privs;
	return 0;
}
