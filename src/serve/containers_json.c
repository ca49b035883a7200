/* GET /containers/json (the list, with Docker's filters) and GET /containers/{id}/json
 * (inspect): ward's sandbox info in Docker's shapes, the client's own Config and HostConfig
 * read back from the label they were kept in. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "containers.h"

const char *ctr_state(const struct ward_sandbox_info *i)
{
	switch (i->status) {
	case WARD_SANDBOX_RUNNING:
		return "running";
	case WARD_SANDBOX_PAUSED:
		return "paused";
	case WARD_SANDBOX_STOPPED:
		return "exited";
	default:
		return "created";
	}
}

void ctr_human_duration(int64_t ms, char *buf, size_t len)
{
	int64_t s = ms / 1000, min = s / 60, h = (s + 1800) / 3600;
	if (s < 1)
		snprintf(buf, len, "Less than a second");
	else if (s == 1)
		snprintf(buf, len, "1 second");
	else if (s < 60)
		snprintf(buf, len, "%lld seconds", (long long)s);
	else if (min == 1)
		snprintf(buf, len, "About a minute");
	else if (min < 60)
		snprintf(buf, len, "%lld minutes", (long long)min);
	else if (h == 1)
		snprintf(buf, len, "About an hour");
	else if (h < 48)
		snprintf(buf, len, "%lld hours", (long long)h);
	else if (h < 24 * 7 * 2)
		snprintf(buf, len, "%lld days", (long long)h / 24);
	else if (h < 24 * 30 * 2)
		snprintf(buf, len, "%lld weeks", (long long)h / 24 / 7);
	else if (h < 24 * 365 * 2)
		snprintf(buf, len, "%lld months", (long long)h / 24 / 30);
	else
		snprintf(buf, len, "%lld years", (long long)(s / 3600) / 24 / 365);
}

void ctr_status_text(const struct ward_sandbox_info *i, int64_t now_ms, char *buf, size_t len)
{
	char d[48];
	switch (i->status) {
	case WARD_SANDBOX_RUNNING:
	case WARD_SANDBOX_PAUSED:
		ctr_human_duration(now_ms - (i->started_ms ? i->started_ms : i->created_ms), d,
		                   sizeof(d));
		snprintf(buf, len, "Up %s%s", d,
		         i->status == WARD_SANDBOX_PAUSED ? " (Paused)" : "");
		break;
	case WARD_SANDBOX_STOPPED:
		ctr_human_duration(now_ms - i->finished_ms, d, sizeof(d));
		snprintf(buf, len, "Exited (%d) %s ago", i->exit_code, d);
		break;
	default:
		snprintf(buf, len, "Created");
	}
}

json_t *ctr_docker_config(const struct ward_sandbox_info *i)
{
	const char *text = ward_sandbox_info_label(i, CTR_CONFIG_LABEL);
	json_t *cfg = text ? json_loads(text, 0, NULL) : NULL;
	if (cfg && !json_is_object(cfg)) {
		json_decref(cfg);
		cfg = NULL;
	}
	return cfg;
}

json_t *ctr_ward_config(const struct ward_sandbox_info *i)
{
	json_t *cfg = i->config ? json_loads(i->config, 0, NULL) : NULL;
	return json_is_object(cfg) ? cfg : (json_decref(cfg), json_object());
}

json_t *ctr_labels(const struct ward_sandbox_info *i)
{
	json_t *o = json_object();
	for (char **v = i->labels; v && *v; v++) {
		const char *eq = strchr(*v, '=');
		char *key = eq ? strndup(*v, (size_t)(eq - *v)) : NULL;
		if (key && strcmp(key, CTR_CONFIG_LABEL))
			json_object_set_new(o, key, json_string(eq + 1));
		free(key);
	}
	return o;
}

static bool up(const struct ward_sandbox_info *i)
{
	return i->status == WARD_SANDBOX_RUNNING || i->status == WARD_SANDBOX_PAUSED;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The image as the client named it, else what ward says it was made from. */
static const char *image_name(const struct ward_sandbox_info *i, json_t *dcfg)
{
	const char *v =
	    json_string_value(json_object_get(json_object_get(dcfg, "Config"), "Image"));
	return v ? v : i->origin;
}

static const char *image_id(json_t *wcfg)
{
	const char *id = json_string_value(json_object_get(json_object_get(wcfg, "image"), "id"));
	return id ? id : "";
}

/* While it runs: its egress now (network connect/disconnect change it); else its config's. */
static const char *network_name(const struct ward_sandbox_info *i, json_t *wcfg)
{
	const char *n = json_string_value(json_object_get(wcfg, "network"));
	if (up(i))
		return i->egress ? "bridge" : "none";
	return n && !strcmp(n, "egress") ? "bridge" : "none";
}

/* The synthetic networks' ids, as networks.c lists them (sha256 of "ward-" NAME). */
static const char *network_id(const char *name)
{
	return !strcmp(name, "bridge")
	           ? "af1d3d33cb3f1eac2f31c84d571c6671a2b3b47bce11ec6a2c8b176b69d4afd4"
	           : "c8fc6648f53ac52b0d3de690f845a1444b6f22a1cc26c36f6bdd42c9671700bf";
}

/* {"bridge": {...}} or {"none": {...}}: the synthetic networks networks.c lists. */
static json_t *networks(const struct ward_sandbox_info *i, json_t *wcfg)
{
	const char *net = network_name(i, wcfg);
	return json_pack("{s:{s:n, s:[], s:s, s:s, s:s, s:s, s:i, s:s, s:i, s:s, s:s}}", net,
	                 "IPAMConfig", "Aliases", "NetworkID", network_id(net), "EndpointID",
	                 up(i) ? i->id : "", "Gateway", "", "IPAddress", up(i) ? i->address : "",
	                 "IPPrefixLen", up(i) && i->address[0] ? 31 : 0, "IPv6Gateway", "",
	                 "GlobalIPv6PrefixLen", 0, "GlobalIPv6Address", "", "MacAddress", "");
}

/* The config file's mounts as Docker's: [{Type, Source, Destination, Mode, RW, ...}]. */
static json_t *mounts(json_t *wcfg)
{
	json_t *out = json_array(), *m;
	size_t k;
	json_array_foreach(json_object_get(wcfg, "mounts"), k, m)
	{
		const char *type = json_string_value(json_object_get(m, "type")) ?: "";
		const char *mode = json_string_value(json_object_get(m, "mode")) ?: "";
		bool bind = !strcmp(type, "bind");
		json_array_append_new(
		    out,
		    json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "Type", type, "Source",
		              bind ? json_string_value(json_object_get(m, "source")) ?: "" : "",
		              "Destination",
		              json_string_value(json_object_get(m, "destination")) ?: "", "Mode",
		              bind ? mode : "", "RW", !bind || strcmp(mode, "ro"), "Propagation",
		              bind ? "rprivate" : ""));
	}
	return out;
}

/* "80/tcp" keys of ExposedPorts not published. */
static bool published(const struct ward_sandbox_info *i, long port)
{
	for (size_t k = 0; k < i->n_ports; k++)
		if (i->ports[k].port == port)
			return true;
	return false;
}

/* The list's Ports: bound ones while it runs, then the exposed rest. */
static json_t *list_ports(const struct ward_sandbox_info *i, json_t *dcfg)
{
	json_t *out = json_array(), *v;
	const char *k;
	for (size_t n = 0; up(i) && n < i->n_ports; n++)
		json_array_append_new(out,
		                      json_pack("{s:s, s:i, s:i, s:s}", "IP", i->ports[n].addr,
		                                "PrivatePort", (int)i->ports[n].port, "PublicPort",
		                                (int)i->ports[n].host_port, "Type", "tcp"));
	json_object_foreach(json_object_get(json_object_get(dcfg, "Config"), "ExposedPorts"), k, v)
	{
		long port = strtol(k, NULL, 10);
		const char *slash = strchr(k, '/');
		if (port > 0 && !(up(i) && published(i, port)))
			json_array_append_new(out, json_pack("{s:i, s:s}", "PrivatePort", (int)port,
			                                     "Type", slash ? slash + 1 : "tcp"));
	}
	return out;
}

/* Path and Args: the command it runs. */
static void command(const struct ward_sandbox_info *i, json_t *wcfg, const char **path,
                    json_t **args, char *line, size_t len)
{
	json_t *cmd = json_object_get(wcfg, "command"), *v;
	size_t k;
	*path = json_string_value(json_array_get(cmd, 0)) ?: "";
	*args = json_array();
	snprintf(line, len, "%s", json_array_size(cmd) ? "" : i->command);
	json_array_foreach(cmd, k, v)
	{
		if (k)
			json_array_append(*args, v);
		snprintf(line + strlen(line), len - strlen(line), "%s%s", k ? " " : "",
		         json_string_value(v) ?: "");
	}
}

static json_t *list_entry(const struct ward_sandbox_info *i, int64_t now)
{
	json_t *dcfg = ctr_docker_config(i), *wcfg = ctr_ward_config(i), *args;
	char name[80], status[96], line[1024];
	const char *path;
	snprintf(name, sizeof(name), "/%s", i->name[0] ? i->name : i->id);
	ctr_status_text(i, now, status, sizeof(status));
	command(i, wcfg, &path, &args, line, sizeof(line));
	json_decref(args);
	const char *mode =
	    json_string_value(json_object_get(json_object_get(dcfg, "HostConfig"), "NetworkMode"));
	json_t *o = json_pack(
	    "{s:s, s:[s], s:s, s:s, s:s, s:I, s:o, s:o, s:s, s:s, s:{s:s}, s:{s:o}, s:o}", "Id",
	    i->id, "Names", name, "Image", image_name(i, dcfg), "ImageID", image_id(wcfg),
	    "Command", line, "Created", (json_int_t)(i->created_ms / 1000), "Ports",
	    list_ports(i, dcfg), "Labels", ctr_labels(i), "State", ctr_state(i), "Status", status,
	    "HostConfig", "NetworkMode", mode && *mode ? mode : "default", "NetworkSettings",
	    "Networks", networks(i, wcfg), "Mounts", mounts(wcfg));
	json_decref(dcfg);
	json_decref(wcfg);
	return o;
}

/* A filter's values: ["a", "b"] or the older {"a": true}. */
struct filter {
	const char *key;
	json_t *values;
};

static bool any_value(json_t *values,
                      bool (*match)(const struct ward_sandbox_info *, json_t *, const char *),
                      const struct ward_sandbox_info *i, json_t *dcfg)
{
	size_t k;
	const char *key;
	json_t *v;
	if (json_is_object(values)) {
		json_object_foreach(values, key, v)
		{
			if (match(i, dcfg, key))
				return true;
		}
		return false;
	}
	json_array_foreach(values, k, v)
	{
		if (match(i, dcfg, json_string_value(v) ?: ""))
			return true;
	}
	return false;
}

static bool match_name(const struct ward_sandbox_info *i, json_t *dcfg, const char *want)
{
	regex_t re;
	char name[80];
	(void)dcfg;
	snprintf(name, sizeof(name), "/%s", i->name[0] ? i->name : i->id);
	if (regcomp(&re, want, REG_EXTENDED | REG_NOSUB) != 0)
		return strstr(name, want) != NULL;
	bool ok = regexec(&re, name, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static bool match_id(const struct ward_sandbox_info *i, json_t *dcfg, const char *want)
{
	(void)dcfg;
	return *want && !strncmp(i->id, want, strlen(want));
}

static bool match_status(const struct ward_sandbox_info *i, json_t *dcfg, const char *want)
{
	(void)dcfg;
	return !strcmp(ctr_state(i), want);
}

static bool match_exited(const struct ward_sandbox_info *i, json_t *dcfg, const char *want)
{
	(void)dcfg;
	return i->status == WARD_SANDBOX_STOPPED && atoi(want) == i->exit_code;
}

static bool match_ancestor(const struct ward_sandbox_info *i, json_t *dcfg, const char *want)
{
	const char *img = image_name(i, dcfg);
	size_t n = strlen(want);
	return !strcmp(img, want) || (!strchr(want, ':') && !strncmp(img, want, n) &&
	                              img[n] == ':' && !strcmp(img + n, ":latest"));
}

static bool match_label(const struct ward_sandbox_info *i, json_t *dcfg, const char *want)
{
	const char *eq = strchr(want, '=');
	char key[256];
	(void)dcfg;
	snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - want) : (int)strlen(want), want);
	const char *v = strcmp(key, CTR_CONFIG_LABEL) ? ward_sandbox_info_label(i, key) : NULL;
	return v && (!eq || !strcmp(v, eq + 1));
}

static const struct {
	const char *key;
	bool (*match)(const struct ward_sandbox_info *, json_t *, const char *);
} filters[] = {
    {"name", match_name},         {"id", match_id},
    {"status", match_status},     {"exited", match_exited},
    {"ancestor", match_ancestor}, {"label", match_label},
};

/* Each key: any of its values (label: every one); all keys. */
static bool selected(const struct ward_sandbox_info *i, json_t *fs)
{
	const char *key;
	json_t *values;
	bool ok = true;
	json_t *dcfg = ctr_docker_config(i);
	json_object_foreach(fs, key, values)
	{
		for (size_t f = 0; ok && f < sizeof(filters) / sizeof(filters[0]); f++) {
			if (strcmp(filters[f].key, key))
				continue;
			if (!strcmp(key, "label")) {
				size_t k;
				json_t *v;
				const char *lk;
				json_array_foreach(values, k, v) ok =
				    ok && match_label(i, dcfg, json_string_value(v) ?: "");
				json_object_foreach(values, lk, v) ok =
				    ok && match_label(i, dcfg, lk);
			} else if (json_array_size(values) || json_object_size(values)) {
				ok = any_value(values, filters[f].match, i, dcfg);
			}
		}
	}
	json_decref(dcfg);
	return ok;
}

static int newest_first(const void *a, const void *b)
{
	const struct ward_sandbox_info *x = a, *y = b;
	return x->created_ms < y->created_ms ? 1 : x->created_ms > y->created_ms ? -1 : 0;
}

static json_t *parse_filters(struct api_req *r)
{
	const char *text = api_query(r, "filters");
	json_t *fs = text && *text ? json_loads(text, 0, NULL) : json_object();
	const char *key;
	json_t *v;
	if (!json_is_object(fs)) {
		json_decref(fs);
		api_reply_error(r, 400, "filters: expected a JSON object");
		return NULL;
	}
	json_object_foreach(fs, key, v)
	{
		bool known = false;
		for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]); f++)
			known = known || !strcmp(filters[f].key, key);
		if (!known || (!json_is_array(v) && !json_is_object(v))) {
			api_reply_error(r, 400, "invalid filter '%s'", key);
			json_decref(fs);
			return NULL;
		}
	}
	return fs;
}

void ctr_list(struct api_req *r)
{
	long limit;
	struct ward_sandbox_info *v;
	size_t n;
	struct ward_error e;
	json_t *fs = parse_filters(r);
	if (!fs)
		return;
	if (api_query_long(r, "limit", -1, &limit) < 0) {
		json_decref(fs);
		return;
	}
	bool all = api_query_bool(r, "all", false) || json_object_get(fs, "status") ||
	           json_object_get(fs, "exited") || limit > 0;
	if (ward_sandbox_list(r->srv->ctx, &v, &n, &e) < 0) {
		json_decref(fs);
		return api_reply_ward_error(r, 500, &e);
	}
	if (n)
		qsort(v, n, sizeof(*v), newest_first);
	ctr_auto_remove_sweep(r->srv, v, n);
	json_t *out = json_array();
	int64_t now = now_ms();
	for (size_t k = 0; k < n && (limit <= 0 || json_array_size(out) < (size_t)limit); k++) {
		if (v[k].status == WARD_SANDBOX_CREATING || !v[k].id[0] || (!all && !up(&v[k])) ||
		    !selected(&v[k], fs))
			continue;
		json_array_append_new(out, list_entry(&v[k], now));
	}
	ward_sandbox_list_free(v, n);
	json_decref(fs);
	api_reply_json(r, 200, out);
}

/* NetworkSettings.Ports: {"80/tcp": [{"HostIp", "HostPort"}]} while it runs, exposed ports
 * without a binding: null. */
static json_t *inspect_ports(const struct ward_sandbox_info *i, json_t *dcfg)
{
	json_t *out = json_object(), *v;
	const char *k;
	char key[32], port[8];
	for (size_t n = 0; up(i) && n < i->n_ports; n++) {
		snprintf(key, sizeof(key), "%u/tcp", (unsigned)i->ports[n].port);
		snprintf(port, sizeof(port), "%u", (unsigned)i->ports[n].host_port);
		json_t *list = json_object_get(out, key);
		if (!list) {
			list = json_array();
			json_object_set_new(out, key, list);
		}
		json_array_append_new(
		    list, json_pack("{s:s, s:s}", "HostIp", i->ports[n].addr, "HostPort", port));
	}
	json_object_foreach(json_object_get(json_object_get(dcfg, "Config"), "ExposedPorts"), k, v)
	{
		if (!json_object_get(out, k))
			json_object_set_new(out, k, json_null());
	}
	return out;
}

static json_t *state(const struct ward_sandbox_info *i)
{
	char started[40] = "0001-01-01T00:00:00Z", finished[40] = "0001-01-01T00:00:00Z";
	if (i->started_ms)
		api_time(i->started_ms, started);
	if (i->status == WARD_SANDBOX_STOPPED && i->finished_ms)
		api_time(i->finished_ms, finished);
	return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:s, s:s, s:s}", "Status",
	                 ctr_state(i), "Running", up(i), "Paused", i->status == WARD_SANDBOX_PAUSED,
	                 "Restarting", 0, "OOMKilled",
	                 i->status == WARD_SANDBOX_STOPPED && !strcmp(i->reason, "oom"), "Dead", 0,
	                 "Pid", up(i) ? (int)i->init : 0, "ExitCode",
	                 i->status == WARD_SANDBOX_STOPPED ? i->exit_code : 0, "Error", "",
	                 "StartedAt", started, "FinishedAt", finished);
}

static json_t *strv(char *const *v)
{
	if (!v)
		return json_null();
	json_t *a = json_array();
	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

/* Docker's strslice as inspect shows it: an array (a string → one element), or null. */
static json_t *as_array(json_t *v)
{
	return json_is_string(v) ? json_pack("[O]", v) : json_is_array(v) ? json_incref(v) : NULL;
}

/* Config: what the client sent, with what the container really has (its Env, its Cmd and
 * Entrypoint with the image's filled in, its labels). */
static json_t *config(struct api_req *r, const struct ward_sandbox_info *i, json_t *dcfg,
                      json_t *wcfg)
{
	json_t *c = json_deep_copy(json_object_get(dcfg, "Config"));
	if (!c)
		c = json_pack("{s:s, s:b, s:b}", "Image", i->origin, "Tty", 0, "OpenStdin", 0);
	json_t *cmd = as_array(json_object_get(c, "Cmd"));
	json_t *ep = as_array(json_object_get(c, "Entrypoint"));
	struct ward_image *img = NULL;
	struct ward_error e;
	const char *id = image_id(wcfg);
	if ((!cmd || !ep) && *id &&
	    ward_image_open_pull(r->srv->store, id, WARD_PULL_NEVER, NULL, &img, &e) == 0) {
		const struct ward_image_config *ic = ward_image_config(img);
		if (!ep)
			ep = strv(ic->entrypoint);
		if (!cmd && !(json_array_size(json_object_get(c, "Entrypoint")) > 0))
			cmd = strv(ic->cmd);
		ward_image_close(img);
	}
	if (!dcfg) /* made by ward create: its command as a whole */
		cmd = json_incref(json_object_get(wcfg, "command"));
	const char *wd = json_string_value(json_object_get(wcfg, "workdir"));
	const char *host = json_string_value(json_object_get(wcfg, "hostname"));
	json_object_set_new(c, "Hostname", json_string(host ? host : "ward") /* ward's default */);
	json_object_set_new(c, "Env", json_incref(json_object_get(wcfg, "env")) ?: json_array());
	json_object_set_new(c, "Cmd", cmd ? cmd : json_null());
	json_object_set_new(c, "Entrypoint", ep ? ep : json_null());
	json_object_set_new(c, "WorkingDir", json_string(wd && strcmp(wd, "/") ? wd : ""));
	json_object_set_new(c, "Labels", ctr_labels(i));
	if (!json_object_get(c, "User"))
		json_object_set_new(c, "User", json_string(""));
	return c;
}

static json_t *host_config(const struct ward_sandbox_info *i, json_t *dcfg, json_t *wcfg)
{
	json_t *h = json_deep_copy(json_object_get(dcfg, "HostConfig"));
	if (!h)
		h = json_object();
	const char *mode = json_string_value(json_object_get(h, "NetworkMode"));
	if (!mode || !*mode)
		json_object_set_new(h, "NetworkMode",
		                    json_string(dcfg ? "default" : network_name(i, wcfg)));
	if (!json_object_get(h, "PortBindings")) {
		json_t *pb = json_object(), *p;
		size_t k;
		json_array_foreach(json_object_get(wcfg, "ports"), k, p)
		{
			char key[32], port[8];
			snprintf(key, sizeof(key), "%lld/tcp",
			         (long long)json_integer_value(json_object_get(p, "port")));
			snprintf(port, sizeof(port), "%lld",
			         (long long)json_integer_value(json_object_get(p, "host_port")));
			json_object_set_new(
			    pb, key,
			    json_pack("[{s:s, s:s}]", "HostIp",
			              json_string_value(json_object_get(p, "address")) ?: "",
			              "HostPort", port));
		}
		json_object_set_new(h, "PortBindings", pb);
	}
	json_object_set_new(h, "AutoRemove",
	                    json_boolean(json_is_true(json_object_get(h, "AutoRemove"))));
	json_object_set_new(h, "Privileged", json_false());
	json_object_set_new(h, "ReadonlyRootfs",
	                    json_boolean(json_is_true(json_object_get(h, "ReadonlyRootfs"))));
	return h;
}

void ctr_inspect(struct api_req *r)
{
	struct ward_sandbox_info i;
	struct ward_error e;
	struct ward_sandbox *sb = ctr_open(r, r->arg[0]);
	if (!sb)
		return;
	int rc = ward_sandbox_inspect(sb, &i, &e);
	ward_sandbox_close(sb);
	if (rc < 0)
		return api_reply_ward_error(r, 500, &e);
	json_t *dcfg = ctr_docker_config(&i), *wcfg = ctr_ward_config(&i), *args;
	char created[40], name[80], line[1024];
	const char *path;
	snprintf(name, sizeof(name), "/%s", i.name[0] ? i.name : i.id);
	command(&i, wcfg, &path, &args, line, sizeof(line));
	json_t *ns = json_pack(
	    "{s:s, s:s, s:b, s:s, s:i, s:o, s:s, s:s, s:s, s:i, s:s, s:o}", "Bridge", "",
	    "SandboxID", "", "HairpinMode", 0, "LinkLocalIPv6Address", "", "LinkLocalIPv6PrefixLen",
	    0, "Ports", inspect_ports(&i, dcfg), "SandboxKey", "", "Gateway", "", "IPAddress",
	    up(&i) ? i.address : "", "IPPrefixLen", up(&i) && i.address[0] ? 31 : 0, "MacAddress",
	    "", "Networks", networks(&i, wcfg));
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, "
	    "s:s, s:o, s:o, s:o, s:o, s:o, s:{s:s, s:n}}",
	    "Id", i.id, "Created", api_time(i.created_ms, created), "Path", path, "Args", args,
	    "State", state(&i), "Image", image_id(wcfg), "ResolvConfPath", "", "HostnamePath", "",
	    "HostsPath", "", "LogPath", "", "Name", name, "RestartCount", 0, "Driver", "ward",
	    "Platform", "linux", "MountLabel", "", "ProcessLabel", "", "AppArmorProfile", "",
	    "HostConfig", host_config(&i, dcfg, wcfg), "Config", config(r, &i, dcfg, wcfg),
	    "NetworkSettings", ns, "Mounts", mounts(wcfg), "ExecIDs", json_null(), "GraphDriver",
	    "Name", "ward", "Data");
	json_decref(dcfg);
	json_decref(wcfg);
	ward_sandbox_info_release(&i);
	if (!o)
		return api_reply_error(r, 500, "inspect: out of memory");
	api_reply_json(r, 200, o);
}
