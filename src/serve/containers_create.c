/* POST /containers/create: Docker's Config + HostConfig → a ward spec through the public
 * setters. Every field ward cannot honour is refused naming it; nothing is ignored. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containers.h"

struct mk {
	struct ward_spec *s;
	const struct ward_image_config *img;
	json_t *cfg, *hc;
	char *msg;
	size_t len;
	int status;
};

static int fail(struct mk *m, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct mk *m, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->msg, m->len, fmt, ap);
	va_end(ap);
	m->status = status;
	return -1;
}

/* A ward setter's refusal, named by the Docker field. */
static int bad(struct mk *m, const char *field, const struct ward_error *e)
{
	return fail(m, 400, "%s: %s", field, e->msg);
}

/* Docker's zero values: null, false, 0, "", [], {}. */
static bool is_set(const json_t *v)
{
	switch (json_typeof(v ? v : json_null())) {
	case JSON_TRUE:
		return true;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_STRING:
		return json_string_length(v) != 0;
	case JSON_ARRAY:
		return json_array_size(v) != 0;
	case JSON_OBJECT:
		return json_object_size(v) != 0;
	default:
		return false;
	}
}

/* HostConfig fields ward has no equivalent of: any value but the zero one is refused. */
static const char *const unsupported_host[] = {"Privileged",
                                               "Devices",
                                               "DeviceRequests",
                                               "DeviceCgroupRules",
                                               "VolumesFrom",
                                               "Links",
                                               "VolumeDriver",
                                               "CgroupParent",
                                               "Cgroup",
                                               "BlkioWeight",
                                               "BlkioWeightDevice",
                                               "BlkioDeviceReadBps",
                                               "BlkioDeviceWriteBps",
                                               "BlkioDeviceReadIOps",
                                               "BlkioDeviceWriteIOps",
                                               "CpusetMems",
                                               "MemoryReservation",
                                               "KernelMemory",
                                               "KernelMemoryTCP",
                                               "OomKillDisable",
                                               "OomScoreAdj",
                                               "ShmSize",
                                               "Sysctls",
                                               "StorageOpt",
                                               "GroupAdd",
                                               "DnsOptions",
                                               "DnsSearch",

                                               "MaskedPaths",
                                               "ReadonlyPaths",
                                               "CpuRealtimePeriod",
                                               "CpuRealtimeRuntime",
                                               "CpuCount",
                                               "CpuPercent",
                                               "IOMaximumIOps",
                                               "IOMaximumBandwidth",
                                               NULL};
/* Config fields likewise. */
static const char *const unsupported_config[] = {"Domainname", "MacAddress", "OnBuild", NULL};

/* Namespace modes: only the private default is ward's. */
static const struct {
	const char *field;
	const char *ok[4];
} modes[] = {
    {"PidMode", {"", "private"}},      {"IpcMode", {"", "private", "shareable", "none"}},
    {"UTSMode", {"", "private"}},      {"UsernsMode", {"", "private"}},
    {"CgroupnsMode", {"", "private"}}, {"Isolation", {"", "default"}},
    {"Runtime", {"", "runc"}},
};

static int check_refused(struct mk *m)
{
	for (const char *const *f = unsupported_host; *f; f++)
		if (is_set(json_object_get(m->hc, *f)))
			return fail(m, 400, "HostConfig.%s: not supported by ward", *f);
	for (const char *const *f = unsupported_config; *f; f++)
		if (is_set(json_object_get(m->cfg, *f)))
			return fail(m, 400, "Config.%s: not supported by ward", *f);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const char *v = json_string_value(json_object_get(m->hc, modes[i].field));
		bool ok = !v;
		for (size_t k = 0; v && k < 4 && modes[i].ok[k]; k++)
			ok = ok || !strcmp(v, modes[i].ok[k]);
		if (!ok)
			return fail(m, 400, "HostConfig.%s %s: not supported by ward",
			            modes[i].field, v);
	}
	const json_t *sw = json_object_get(m->hc, "MemorySwappiness");
	if (json_is_integer(sw) && json_integer_value(sw) != -1)
		return fail(m, 400, "HostConfig.MemorySwappiness: not supported by ward");
	const char *rp =
	    json_string_value(json_object_get(json_object_get(m->hc, "RestartPolicy"), "Name"));
	if (rp && *rp && strcmp(rp, "no"))
		return fail(
		    m, 400,
		    "HostConfig.RestartPolicy %s: not supported by ward (no daemon restarts "
		    "containers)",
		    rp);
	const char *log =
	    json_string_value(json_object_get(json_object_get(m->hc, "LogConfig"), "Type"));
	if (log && *log && strcmp(log, "json-file") && strcmp(log, "local"))
		return fail(m, 400, "HostConfig.LogConfig.Type %s: not supported by ward", log);
	const char *sig = json_string_value(json_object_get(m->cfg, "StopSignal"));
	if (sig && *sig && strcmp(sig, "SIGTERM") && strcmp(sig, "TERM") && strcmp(sig, "15"))
		return fail(m, 400,
		            "Config.StopSignal %s: not supported by ward (stop sends SIGTERM)",
		            sig);
	const json_t *test = json_object_get(json_object_get(m->cfg, "Healthcheck"), "Test");
	if (is_set(test) && strcmp(json_string_value(json_array_get(test, 0)) ?: "", "NONE"))
		return fail(m, 400, "Config.Healthcheck: not supported by ward");
	return 0;
}

/* Docker's strslice: null (absent), a string (one element) or an array of strings. Returns
 * the count (-2: null), -1 for a wrong type; *V gets the strings (NULL-terminated, malloc'ed
 * array). */
static int strslice(const json_t *j, const char *field, const char ***v, struct mk *m)
{
	*v = NULL;
	if (!j || json_is_null(j))
		return -2;
	size_t n = json_is_string(j) ? 1 : json_array_size(j);
	if (!json_is_string(j) && !json_is_array(j))
		return fail(m, 400, "%s: expected a string or an array of strings", field);
	const char **a = calloc(n + 1, sizeof(char *));
	if (!a)
		return fail(m, 500, "%s: out of memory", field);
	for (size_t i = 0; i < n; i++) {
		const json_t *x = json_is_string(j) ? j : json_array_get(j, i);
		if (!json_is_string(x)) {
			free(a);
			return fail(m, 400, "%s: expected a string or an array of strings", field);
		}
		a[i] = json_string_value(x);
	}
	*v = a;
	return (int)n;
}

static size_t count(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* Docker's merge, done here so that the command is always explicit (ward would idle a
 * created sandbox without one): Entrypoint null → the image's; Cmd empty → the image's
 * unless the client gave an Entrypoint of its own. The image's entrypoint is cleared in the
 * spec, since the argv holds it. */
static int set_command(struct mk *m, struct ward_image *img)
{
	const char **ep, **cmd;
	struct ward_error e;
	int ne = strslice(json_object_get(m->cfg, "Entrypoint"), "Config.Entrypoint", &ep, m);
	if (ne == -1)
		return -1;
	int nc = strslice(json_object_get(m->cfg, "Cmd"), "Config.Cmd", &cmd, m);
	if (nc == -1) {
		free(ep);
		return -1;
	}
	char *const *iep = ne == -2 ? m->img->entrypoint : (char *const *)ep;
	size_t nep = ne == -2 ? count(m->img->entrypoint) : (size_t)ne;
	char *const *icmd = nc > 0 ? (char *const *)cmd : ne > 0 ? NULL : m->img->cmd;
	size_t ncmd = nc > 0 ? (size_t)nc : ne > 0 ? 0 : count(m->img->cmd);
	const char **all = calloc(nep + ncmd + 1, sizeof(char *));
	int rc = 0;
	if (!all)
		rc = fail(m, 500, "Config.Cmd: out of memory");
	else if (nep + ncmd == 0)
		rc = fail(m, 400,
		          "Config.Cmd: no command specified (neither the body nor the image "
		          "has one)");
	else if (ward_spec_set_image(m->s, img, "", &e) < 0)
		rc = bad(m, "Config.Image", &e);
	for (size_t i = 0; rc == 0 && i < nep; i++)
		all[i] = iep[i];
	for (size_t i = 0; rc == 0 && i < ncmd; i++)
		all[nep + i] = icmd[i];
	if (rc == 0 && ward_spec_set_argv(m->s, (int)(nep + ncmd), (char *const *)all, &e) < 0)
		rc = bad(m, nc > 0 ? "Config.Cmd" : "Config.Entrypoint", &e);
	free(all);
	free(ep);
	free(cmd);
	return rc;
}

static int set_env_labels(struct mk *m)
{
	struct ward_error e;
	size_t i;
	json_t *v;
	const char *k;
	json_t *env = json_object_get(m->cfg, "Env");
	if (env && !json_is_null(env) && !json_is_array(env))
		return fail(m, 400, "Config.Env: expected an array of \"K=V\" strings");
	json_array_foreach(env, i, v)
	{
		if (!json_is_string(v))
			return fail(m, 400, "Config.Env: expected an array of \"K=V\" strings");
		if (!strchr(json_string_value(v), '='))
			continue; /* "K" alone: the client had no value for it (docker drops it too)
			           */
		if (ward_spec_add_env(m->s, json_string_value(v), &e) < 0)
			return bad(m, "Config.Env", &e);
	}
	json_t *labels = json_object_get(m->cfg, "Labels");
	if (labels && !json_is_null(labels) && !json_is_object(labels))
		return fail(m, 400, "Config.Labels: expected an object of strings");
	json_object_foreach(labels, k, v)
	{
		char *kv;
		if (!json_is_string(v))
			return fail(m, 400, "Config.Labels %s: expected a string", k);
		if (!strcmp(k, CTR_CONFIG_LABEL))
			return fail(m, 400, "Config.Labels %s: reserved by ward", k);
		if (asprintf(&kv, "%s=%s", k, json_string_value(v)) < 0)
			return fail(m, 500, "Config.Labels: out of memory");
		int rc = ward_spec_add_label(m->s, kv, &e);
		free(kv);
		if (rc < 0)
			return bad(m, "Config.Labels", &e);
	}
	return 0;
}

/* "Config.X" string fields with a setter. */
static int set_strings(struct mk *m)
{
	struct ward_error e;
	const char *v;
	if ((v = json_string_value(json_object_get(m->cfg, "WorkingDir"))) && *v &&
	    ward_spec_set_cwd(m->s, v, &e) < 0)
		return bad(m, "Config.WorkingDir", &e);
	/* ward makes the first volume the working directory when none is set; Docker keeps
	 * the image's, else / */
	if ((!v || !*v) && ward_spec_set_cwd(m->s, m->img->workdir ? m->img->workdir : "/", &e) < 0)
		return bad(m, "Config.WorkingDir", &e);
	if ((v = json_string_value(json_object_get(m->cfg, "User"))) && *v &&
	    ward_spec_set_user(m->s, v, &e) < 0)
		return bad(m, "Config.User", &e);
	if ((v = json_string_value(json_object_get(m->cfg, "Hostname"))) && *v &&
	    ward_spec_set_hostname(m->s, v, &e) < 0)
		return bad(m, "Config.Hostname", &e);
	return 0;
}

static int set_stdio(struct mk *m)
{
	ward_spec_set_tty(m->s, json_is_true(json_object_get(m->cfg, "Tty")));
	ward_spec_set_interactive(m->s, json_is_true(json_object_get(m->cfg, "OpenStdin")));
	return 0;
}

/* PATH with ward's volume grammar escapes (\ before , : and \) appended to BUF. */
static void escape(char *buf, size_t len, const char *path)
{
	size_t n = strlen(buf);
	for (; *path && n + 2 < len; path++) {
		if (*path == ',' || *path == ':' || *path == '\\')
			buf[n++] = '\\';
		buf[n++] = *path;
	}
	buf[n] = 0;
}

static int add_volume(struct mk *m, const char *field, const char *host, const char *ctr, bool ro)
{
	char text[8192] = "";
	struct ward_error e;
	if (host[0] != '/')
		return fail(m, 400,
		            "%s: named volume %s is not supported by ward (bind an absolute "
		            "host path)",
		            field, host);
	if (strlen(host) + strlen(ctr) > 2000)
		return fail(m, 400, "%s: path too long", field);
	escape(text, sizeof(text), host);
	strcat(text, ":");
	escape(text, sizeof(text), ctr);
	strcat(text, ro ? ":ro" : ":rw");
	if (ward_spec_add_volumes(m->s, text, field, &e) < 0)
		return bad(m, field, &e);
	return 0;
}

/* "/host:/ctr[:opts]": opts a comma list of ro|rw, z|Z (SELinux relabelling: no SELinux
 * label applies to a ward sandbox), propagation private|rprivate (ward's own), and the
 * consistency hints (no-ops on Linux in Docker too). */
static int bind_one(struct mk *m, const char *b)
{
	char *dup = strdup(b), *save = NULL;
	if (!dup)
		return fail(m, 500, "HostConfig.Binds: out of memory");
	char *host = dup, *ctr = strchr(dup, ':'), *opts = NULL;
	if (ctr) {
		*ctr++ = 0;
		if ((opts = strchr(ctr, ':')))
			*opts++ = 0;
	}
	int rc = 0;
	bool ro = false;
	if (!ctr || !*ctr || ctr[0] != '/')
		rc = fail(m, 400, "HostConfig.Binds %s: expected /host:/container[:options]", b);
	for (char *o = opts ? strtok_r(opts, ",", &save) : NULL; rc == 0 && o;
	     o = strtok_r(NULL, ",", &save)) {
		static const char *const ok[] = {"rw",        "z",          "Z",
		                                 "private",   "rprivate",   "cached",
		                                 "delegated", "consistent", NULL};
		bool known = !strcmp(o, "ro");
		ro = ro || known;
		for (const char *const *k = ok; !known && *k; k++)
			known = !strcmp(o, *k);
		if (!known)
			rc = fail(m, 400, "HostConfig.Binds %s: option %s is not supported by ward",
			          b, o);
	}
	if (rc == 0)
		rc = add_volume(m, "HostConfig.Binds", host, ctr, ro);
	free(dup);
	return rc;
}

static int add_tmpfs(struct mk *m, const char *field, const char *path, const char *opts)
{
	char text[4200];
	struct ward_error e;
	if (snprintf(text, sizeof(text), "%s%s%s", path, opts && *opts ? ":" : "",
	             opts ? opts : "") >= (int)sizeof(text))
		return fail(m, 400, "%s: too long", field);
	if (ward_spec_add_tmpfs(m->s, text, &e) < 0)
		return bad(m, field, &e);
	return 0;
}

static int mount_one(struct mk *m, const json_t *x)
{
	const char *type = json_string_value(json_object_get(x, "Type"));
	const char *src = json_string_value(json_object_get(x, "Source"));
	const char *dst = json_string_value(json_object_get(x, "Target"));
	bool ro = json_is_true(json_object_get(x, "ReadOnly"));
	if (!type || !dst || dst[0] != '/')
		return fail(m, 400, "HostConfig.Mounts: each needs a Type and an absolute Target");
	if (!strcmp(type, "bind")) {
		const json_t *bo = json_object_get(x, "BindOptions");
		const char *prop = json_string_value(json_object_get(bo, "Propagation"));
		if ((prop && *prop && strcmp(prop, "private") && strcmp(prop, "rprivate")) ||
		    json_is_true(json_object_get(bo, "NonRecursive")))
			return fail(m, 400,
			            "HostConfig.Mounts %s: BindOptions not supported by ward", dst);
		return add_volume(m, "HostConfig.Mounts", src ? src : "", dst, ro);
	}
	if (!strcmp(type, "tmpfs")) {
		const json_t *to = json_object_get(x, "TmpfsOptions");
		char opts[64] = "";
		json_int_t size = json_integer_value(json_object_get(to, "SizeBytes"));
		json_int_t mode = json_integer_value(json_object_get(to, "Mode"));
		if (ro)
			return fail(m, 400,
			            "HostConfig.Mounts %s: a read-only tmpfs is not supported "
			            "by ward",
			            dst);
		if (size > 0)
			snprintf(opts, sizeof(opts), "size=%lld", (long long)size);
		if (mode > 0)
			snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "%smode=%llo",
			         *opts ? "," : "", (long long)mode);
		return add_tmpfs(m, "HostConfig.Mounts", dst, opts);
	}
	return fail(m, 400, "HostConfig.Mounts %s: type %s is not supported by ward", dst, type);
}

/* HostConfig.Tmpfs {"/path": "size=64m,mode=1777,noexec"}: rw, nosuid, nodev and exec are
 * what ward's tmpfs is anyway (exec unless noexec). */
static int tmpfs_map(struct mk *m)
{
	const char *path;
	json_t *v;
	json_object_foreach(json_object_get(m->hc, "Tmpfs"), path, v)
	{
		char opts[256] = "", *save = NULL, buf[256];
		snprintf(buf, sizeof(buf), "%s", json_string_value(v) ?: "");
		for (char *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
			if (!strcmp(o, "rw") || !strcmp(o, "nosuid") || !strcmp(o, "nodev") ||
			    !strcmp(o, "exec"))
				continue;
			if (strncmp(o, "size=", 5) && strncmp(o, "mode=", 5) && strcmp(o, "noexec"))
				return fail(m, 400,
				            "HostConfig.Tmpfs %s: option %s not supported by ward",
				            path, o);
			snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "%s%s",
			         *opts ? "," : "", o);
		}
		if (add_tmpfs(m, "HostConfig.Tmpfs", path, opts) < 0)
			return -1;
	}
	return 0;
}

/* Config.Volumes are anonymous volumes unless a bind or mount covers them. */
static bool covered(struct mk *m, const char *path)
{
	size_t i;
	json_t *v;
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	json_array_foreach(json_object_get(m->hc, "Binds"), i, v)
	{
		const char *c = strchr(json_string_value(v) ?: "", ':');
		if (c && !strncmp(c + 1, path, n) && (c[1 + n] == 0 || c[1 + n] == ':'))
			return true;
	}
	json_array_foreach(json_object_get(m->hc, "Mounts"), i, v)
	{
		const char *t = json_string_value(json_object_get(v, "Target")) ?: "";
		if (!strncmp(t, path, n) && (t[n] == 0 || (t[n] == '/' && !t[n + 1])))
			return true;
	}
	return json_object_get(json_object_get(m->hc, "Tmpfs"), path) != NULL;
}

static int set_mounts(struct mk *m)
{
	size_t i;
	json_t *v;
	const char *k;
	json_array_foreach(json_object_get(m->hc, "Binds"), i, v)
	{
		if (!json_is_string(v) || bind_one(m, json_string_value(v)) < 0)
			return m->status ? -1 : fail(m, 400, "HostConfig.Binds: expected strings");
	}
	json_array_foreach(json_object_get(m->hc, "Mounts"), i, v)
	{
		if (mount_one(m, v) < 0)
			return -1;
	}
	if (tmpfs_map(m) < 0)
		return -1;
	json_object_foreach(json_object_get(m->cfg, "Volumes"), k, v)
	{
		if (!covered(m, k))
			return fail(
			    m, 400,
			    "Config.Volumes %s: anonymous volumes are not supported by ward "
			    "(bind a host directory there)",
			    k);
	}
	return 0;
}

static int publish(struct mk *m, const char *ip, const char *hport, long port)
{
	char text[128];
	struct ward_error e;
	/* Docker's empty HostIp: every address, as ward -p 0.0.0.0:... */
	if (!ip || !*ip)
		ip = "0.0.0.0";
	bool v6 = strchr(ip, ':') != NULL;
	snprintf(text, sizeof(text), "%s%s%s:%s:%ld/tcp", v6 ? "[" : "", ip, v6 ? "]" : "",
	         hport && *hport ? hport : "0", port);
	if (ward_spec_add_publish(m->s, text, &e) < 0)
		return bad(m, "HostConfig.PortBindings", &e);
	return 0;
}

/* "80/tcp" → 80; UDP and SCTP are refused (ward forwards TCP only). */
static long port_of(struct mk *m, const char *key)
{
	char *end;
	long p = strtol(key, &end, 10);
	if (p < 1 || p > 65535 || (*end && strcmp(end, "/tcp")))
		return fail(m, 400, "HostConfig.PortBindings %s: ward publishes TCP ports only",
		            key);
	return p;
}

static int set_ports(struct mk *m)
{
	const char *k;
	json_t *v, *b;
	size_t i;
	json_object_foreach(json_object_get(m->hc, "PortBindings"), k, v)
	{
		long port = port_of(m, k);
		if (port < 0)
			return -1;
		json_array_foreach(v, i, b)
		{
			const char *hp = json_string_value(json_object_get(b, "HostPort"));
			if (hp && strchr(hp, '-'))
				return fail(m, 400,
				            "HostConfig.PortBindings %s: port ranges are not "
				            "supported by ward",
				            k);
			if (publish(m, json_string_value(json_object_get(b, "HostIp")), hp, port) <
			    0)
				return -1;
		}
	}
	if (!json_is_true(json_object_get(m->hc, "PublishAllPorts")))
		return 0;
	json_object_foreach(json_object_get(m->cfg, "ExposedPorts"), k, v)
	{
		long port = port_of(m, k);
		if (port < 0 || (!json_object_get(json_object_get(m->hc, "PortBindings"), k) &&
		                 publish(m, NULL, NULL, port) < 0))
			return -1;
	}
	return 0;
}

static int limit(struct mk *m, const char *field, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int limit(struct mk *m, const char *field, const char *name, const char *fmt, ...)
{
	char v[64];
	va_list ap;
	struct ward_error e;
	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (ward_spec_set_limit(m->s, name, v, &e) < 0)
		return bad(m, field, &e);
	return 0;
}

static json_int_t hc_int(struct mk *m, const char *k)
{
	return json_integer_value(json_object_get(m->hc, k));
}

/* CPUs as a decimal ward's --cpus takes. */
static int cpus(struct mk *m, const char *field, double n)
{
	return limit(m, field, "cpus", "%.3f", n < 0.01 ? 0.01 : n);
}

static int set_limits(struct mk *m)
{
	json_int_t mem = hc_int(m, "Memory"), swap = hc_int(m, "MemorySwap");
	json_int_t quota = hc_int(m, "CpuQuota"), period = hc_int(m, "CpuPeriod");
	json_int_t shares = hc_int(m, "CpuShares"), pids = hc_int(m, "PidsLimit");
	const char *cpuset = json_string_value(json_object_get(m->hc, "CpusetCpus"));
	if (mem < 0 || swap < -1 || pids < -1)
		return fail(m, 400, "HostConfig.%s: must not be negative",
		            mem < 0     ? "Memory"
		            : swap < -1 ? "MemorySwap"
		                        : "PidsLimit");
	if (mem > 0 && limit(m, "HostConfig.Memory", "memory", "%lld", (long long)mem) < 0)
		return -1;
	if (swap == -1)
		return fail(m, 400,
		            "HostConfig.MemorySwap -1: unlimited swap is not supported by "
		            "ward (give memory+swap in bytes)");
	if (swap > 0 && (mem <= 0 || swap < mem))
		return fail(m, 400,
		            "HostConfig.MemorySwap: must be at least Memory, which it "
		            "includes");
	if (swap > 0 &&
	    limit(m, "HostConfig.MemorySwap", "memory-swap", "%lld", (long long)(swap - mem)) < 0)
		return -1;
	if (hc_int(m, "NanoCpus") > 0 && quota > 0)
		return fail(m, 400, "HostConfig.NanoCpus: conflicts with CpuQuota");
	if (hc_int(m, "NanoCpus") > 0 &&
	    cpus(m, "HostConfig.NanoCpus", (double)hc_int(m, "NanoCpus") / 1e9) < 0)
		return -1;
	if (quota > 0 && cpus(m, "HostConfig.CpuQuota",
	                      (double)quota / (double)(period > 0 ? period : 100000)) < 0)
		return -1;
	/* Docker's (runc's) shares → cgroup v2 weight */
	if (shares > 0 && limit(m, "HostConfig.CpuShares", "cpu-weight", "%lld",
	                        1 + ((shares < 2        ? 2
	                              : shares > 262144 ? 262144
	                                                : shares) -
	                             2) *
	                                9999 / 262142) < 0)
		return -1;
	if (cpuset && *cpuset && limit(m, "HostConfig.CpusetCpus", "cpuset", "%s", cpuset) < 0)
		return -1;
	if (pids > 0 && limit(m, "HostConfig.PidsLimit", "pids", "%lld", (long long)pids) < 0)
		return -1;
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(m->hc, "Ulimits"), i, u)
	{
		char text[128];
		struct ward_error e;
		snprintf(text, sizeof(text), "%s=%lld:%lld",
		         json_string_value(json_object_get(u, "Name")) ?: "",
		         (long long)json_integer_value(json_object_get(u, "Soft")),
		         (long long)json_integer_value(json_object_get(u, "Hard")));
		if (ward_spec_add_rlimit(m->s, text, &e) < 0)
			return bad(m, "HostConfig.Ulimits", &e);
	}
	return 0;
}

static int caps(struct mk *m, const char *field, bool add)
{
	size_t i;
	json_t *v;
	struct ward_error e;
	char name[64];
	snprintf(name, sizeof(name), "HostConfig.%s", field);
	json_array_foreach(json_object_get(m->hc, field), i, v)
	{
		const char *c = json_string_value(v) ?: "";
		if ((add ? ward_spec_cap_add(m->s, c, &e) : ward_spec_cap_drop(m->s, c, &e)) < 0)
			return bad(m, name, &e);
	}
	return 0;
}

/* seccomp=unconfined and no-new-privileges[=true|false]; a profile's JSON text, apparmor and
 * SELinux labels are refused. */
static int security(struct mk *m)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(m->hc, "SecurityOpt"), i, v)
	{
		const char *o = json_string_value(v) ?: "";
		if (!strcmp(o, "seccomp=unconfined") || !strcmp(o, "seccomp:unconfined"))
			ward_spec_set_seccomp_unconfined(m->s, true);
		else if (!strcmp(o, "no-new-privileges") || !strcmp(o, "no-new-privileges=true") ||
		         !strcmp(o, "no-new-privileges:true"))
			ward_spec_set_allow_setuid(m->s, false);
		else if (!strcmp(o, "no-new-privileges=false") ||
		         !strcmp(o, "no-new-privileges:false"))
			ward_spec_set_allow_setuid(m->s, true);
		else if (!strncmp(o, "seccomp", 7))
			return fail(
			    m, 400,
			    "HostConfig.SecurityOpt seccomp: a profile is not supported through "
			    "the API (seccomp=unconfined is; ward policy files are for ward run "
			    "--policy)");
		else
			return fail(m, 400, "HostConfig.SecurityOpt %.40s: not supported by ward",
			            o);
	}
	return caps(m, "CapAdd", true) < 0 || caps(m, "CapDrop", false) < 0 ? -1 : 0;
}

static int network(struct mk *m)
{
	struct ward_error e;
	const char *mode = json_string_value(json_object_get(m->hc, "NetworkMode")) ?: "";
	const char *net;
	if (!*mode || !strcmp(mode, "default") || !strcmp(mode, "bridge"))
		net = "egress";
	else if (!strcmp(mode, "none"))
		net = "none";
	else
		return fail(m, 400,
		            "HostConfig.NetworkMode %s: not supported by ward (bridge or none)",
		            mode);
	if (json_is_true(json_object_get(m->cfg, "NetworkDisabled")))
		net = "none";
	if (ward_spec_set_network(m->s, net, &e) < 0)
		return bad(m, "HostConfig.NetworkMode", &e);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(m->hc, "Dns"), i, v)
	{
		if (ward_spec_add_dns(m->s, json_string_value(v) ?: "", &e) < 0)
			return bad(m, "HostConfig.Dns", &e);
	}
	/* "name:addr" (Docker's older "name addr" too) */
	json_array_foreach(json_object_get(m->hc, "ExtraHosts"), i, v)
	{
		char text[320];
		snprintf(text, sizeof(text), "%s", json_string_value(v) ?: "");
		char *sp = strchr(text, ' ');
		if (sp && !strchr(text, ':'))
			*sp = ':';
		if (ward_spec_add_host(m->s, text, &e) < 0)
			return bad(m, "HostConfig.ExtraHosts", &e);
	}
	return 0;
}

/* NetworkingConfig.EndpointsConfig may only name the network NetworkMode chose. */
static int endpoints(struct mk *m, json_t *body)
{
	const char *k;
	json_t *v;
	const char *mode = json_string_value(json_object_get(m->hc, "NetworkMode")) ?: "";
	json_object_foreach(
	    json_object_get(json_object_get(body, "NetworkingConfig"), "EndpointsConfig"), k, v)
	{
		if (strcmp(k, "bridge") && strcmp(k, "none") && strcmp(k, "default") &&
		    strcmp(k, mode))
			return fail(
			    m, 400,
			    "NetworkingConfig.EndpointsConfig %s: only the networks bridge and "
			    "none exist",
			    k);
	}
	return 0;
}

/* {"Config": the body without HostConfig and NetworkingConfig, "HostConfig": ...}. */
static int keep_config(struct mk *m, json_t *body)
{
	json_t *cfg = json_deep_copy(body);
	if (!cfg)
		return fail(m, 500, "out of memory");
	json_object_del(cfg, "HostConfig");
	json_object_del(cfg, "NetworkingConfig");
	json_t *all = json_pack("{s:o, s:O}", "Config", cfg, "HostConfig", m->hc);
	char *text = all ? json_dumps(all, JSON_COMPACT) : NULL;
	char *kv = NULL;
	struct ward_error e;
	int rc = 0;
	if (!text || asprintf(&kv, "%s=%s", CTR_CONFIG_LABEL, text) < 0)
		rc = fail(m, 500, "out of memory");
	else if (ward_spec_add_label(m->s, kv, &e) < 0)
		rc = bad(m, "Labels", &e);
	free(kv);
	free(text);
	json_decref(all);
	return rc;
}

static int open_image(struct mk *m, struct ward_store *st, struct ward_image **img)
{
	struct ward_error e;
	const char *ref = json_string_value(json_object_get(m->cfg, "Image"));
	if (!ref || !*ref)
		return fail(m, 400, "Config.Image: required");
	if (ward_image_open_pull(st, ref, WARD_PULL_NEVER, NULL, img, &e) < 0)
		return strstr(e.msg, "not in the store") || strstr(e.msg, "no such")
		           ? fail(m, 404, "No such image: %s", ref)
		           : fail(m, 500, "%s", e.msg);
	m->img = ward_image_config(*img);
	return 0;
}

int ctr_spec_from_body(struct ward_store *st, json_t *body, const char *name,
                       struct ward_spec **out, struct ward_image **img, char *msg, size_t len)
{
	struct ward_error e;
	struct mk m = {.cfg = body, .msg = msg, .len = len};
	*out = NULL;
	*img = NULL;
	m.hc = json_object_get(body, "HostConfig");
	json_t *empty = json_object();
	if (!m.hc || json_is_null(m.hc))
		m.hc = empty;
	if (!json_is_object(m.hc)) {
		json_decref(empty);
		fail(&m, 400, "HostConfig: expected an object");
		return m.status;
	}
	int rc = check_refused(&m) < 0 || endpoints(&m, body) < 0 || open_image(&m, st, img) < 0
	             ? -1
	             : 0;
	if (rc == 0 && ward_spec_new(&m.s, &e) < 0)
		rc = fail(&m, 500, "%s", e.msg);
	if (rc == 0 && name && ward_spec_set_name(m.s, name, &e) < 0)
		rc = fail(&m, 400, "name %s: %s", name, e.msg);
	if (rc == 0) {
		ward_spec_set_persistent(m.s, true);
		ward_spec_set_auto_remove(m.s, false); /* the server removes: see containers.c */
		ward_spec_set_read_only(m.s, json_is_true(json_object_get(m.hc, "ReadonlyRootfs")));
		if (ward_spec_set_origin(m.s, json_string_value(json_object_get(body, "Image")),
		                         &e) < 0)
			rc = bad(&m, "Config.Image", &e);
	}
	if (rc == 0)
		rc = set_command(&m, *img) < 0 || set_env_labels(&m) < 0 || set_strings(&m) < 0 ||
		             set_stdio(&m) < 0 || set_mounts(&m) < 0 || set_ports(&m) < 0 ||
		             set_limits(&m) < 0 || security(&m) < 0 || network(&m) < 0 ||
		             keep_config(&m, body) < 0
		         ? -1
		         : 0;
	json_decref(empty);
	if (rc < 0) {
		ward_spec_free(m.s);
		ward_image_close(*img);
		*img = NULL;
		return m.status ? m.status : 500;
	}
	*out = m.s;
	return 0;
}
