/* Networks: ward has no user-defined networks, only a sandbox's egress on or off. Two
 * synthetic networks say which: "bridge" holds the running sandboxes with egress, "none" the
 * ones without; connect and disconnect turn egress on and off (ward_sandbox_network). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

struct net {
	const char *name, *id, *driver; /* id: sha256 of "ward-" NAME */
	bool egress;
};

static const struct net nets[] = {
    {"bridge", "af1d3d33cb3f1eac2f31c84d571c6671a2b3b47bce11ec6a2c8b176b69d4afd4", "bridge", true},
    {"none", "c8fc6648f53ac52b0d3de690f845a1444b6f22a1cc26c36f6bdd42c9671700bf", "null", false},
};
#define N_NETS (sizeof(nets) / sizeof(nets[0]))

/* The network REF names: its name, or its id or a prefix of it. */
static const struct net *net_find(const char *ref)
{
	size_t len = strlen(ref);
	for (size_t i = 0; i < N_NETS; i++)
		if (!strcmp(nets[i].name, ref) || (len && !strncmp(nets[i].id, ref, len)))
			return &nets[i];
	return NULL;
}

static json_t *members(struct serve *srv, const struct net *n)
{
	json_t *c = json_object();
	struct ward_sandbox_info *v;
	size_t count;
	struct ward_error e = {0};
	if (ward_sandbox_list(srv->ctx, &v, &count, &e) < 0)
		return c;
	for (size_t i = 0; i < count; i++) {
		bool up = v[i].status == WARD_SANDBOX_RUNNING || v[i].status == WARD_SANDBOX_PAUSED;
		if (!up || v[i].egress != n->egress)
			continue;
		char ep[65], addr[24] = "";
		/* an endpoint id of its own per sandbox and network, 64 hex as Docker's */
		snprintf(ep, sizeof(ep), "%.52s%s", n->id, v[i].id);
		if (v[i].address[0])
			snprintf(addr, sizeof(addr), "%s/32", v[i].address);
		char name[66];
		snprintf(name, sizeof(name), "%s", v[i].name[0] ? v[i].name : v[i].id);
		json_object_set_new(c, v[i].id,
		                    json_pack("{s:s, s:s, s:s, s:s, s:s}", "Name", name,
		                              "EndpointID", ep, "MacAddress", "", "IPv4Address",
		                              addr, "IPv6Address", ""));
	}
	ward_sandbox_list_free(v, count);
	return c;
}

static json_t *net_json(struct serve *srv, const struct net *n, bool with_members)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:n, s:[]}, s:b, s:b, s:b, "
	                 "s:{s:s}, s:b, s:o, s:{}, s:{}}",
	                 "Name", n->name, "Id", n->id, "Created", "0001-01-01T00:00:00Z", "Scope",
	                 "local", "Driver", n->driver, "EnableIPv6", 0, "IPAM", "Driver", "default",
	                 "Options", "Config", "Internal", 0, "Attachable", 0, "Ingress", 0,
	                 "ConfigFrom", "Network", "", "ConfigOnly", 0, "Containers",
	                 with_members ? members(srv, n) : json_object(), "Options", "Labels");
}

/* Whether N passes FILTERS' name and id (Docker: a name or id matches by substring/prefix). */
static bool net_wanted(json_t *filters, const struct net *n)
{
	const char *key;
	json_t *val;
	json_object_foreach(filters, key, val)
	{
		bool any = false;
		const char *pat;
		size_t i;
		json_t *p;
		if (json_is_object(val)) {
			json_object_foreach(val, pat, p)
			{
				any =
				    any || (!strcmp(key, "name") ? strstr(n->name, pat) != NULL
				            : !strcmp(key, "id") ? !strncmp(n->id, pat, strlen(pat))
				                                 : !strcmp(n->driver, pat));
			}
		} else {
			json_array_foreach(val, i, p)
			{
				pat = json_string_value(p);
				any = any ||
				      (pat &&
				       (!strcmp(key, "name") ? strstr(n->name, pat) != NULL
				        : !strcmp(key, "id") ? !strncmp(n->id, pat, strlen(pat))
				                             : !strcmp(n->driver, pat)));
			}
		}
		if (!any)
			return false;
	}
	return true;
}

static void networks_list(struct api_req *r)
{
	json_t *filters = NULL;
	const char *f = api_query(r, "filters");
	if (f && f[0]) {
		filters = json_loads(f, 0, NULL);
		if (!json_is_object(filters)) {
			json_decref(filters);
			api_reply_error(r, 400, "filters: expected a JSON object");
			return;
		}
		const char *key;
		json_t *val;
		json_object_foreach(filters, key, val)
		{
			if (strcmp(key, "name") && strcmp(key, "id") && strcmp(key, "driver")) {
				api_reply_error(r, 400, "filters: %s: not supported by ward", key);
				json_decref(filters);
				return;
			}
		}
	}
	json_t *out = json_array();
	for (size_t i = 0; i < N_NETS; i++)
		if (net_wanted(filters, &nets[i]))
			json_array_append_new(out, net_json(r->srv, &nets[i], true));
	json_decref(filters);
	api_reply_json(r, 200, out);
}

static void network_inspect(struct api_req *r)
{
	const struct net *n = net_find(r->arg[0]);
	if (!n)
		api_reply_error(r, 404, "network %s not found", r->arg[0]);
	else
		api_reply_json(r, 200, net_json(r->srv, n, true));
}

/* Whether V holds nothing but empty values (the EndpointConfig the docker CLI always sends). */
static bool all_empty(json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;
	if (json_is_object(v)) {
		json_object_foreach(v, k, x)
		{
			if (!all_empty(x))
				return false;
		}
		return true;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			if (!all_empty(x))
				return false;
		}
		return true;
	}
	return !v || json_is_null(v) || json_is_false(v) ||
	       (json_is_string(v) && !json_string_length(v)) ||
	       (json_is_integer(v) && !json_integer_value(v)); /* IPPrefixLen: 0 */
}

static void network_change(struct api_req *r, bool connect)
{
	const struct net *n = net_find(r->arg[0]);
	if (!n) {
		api_reply_error(r, 404, "network %s not found", r->arg[0]);
		return;
	}
	json_t *b = api_body_json(r);
	if (!b)
		return;
	const char *cref = json_string_value(json_object_get(b, "Container"));
	if (!cref || !cref[0]) {
		json_decref(b);
		api_reply_error(r, 400, "Container: missing");
		return;
	}
	if (connect && !all_empty(json_object_get(b, "EndpointConfig"))) {
		json_decref(b);
		api_reply_error(r, 400,
		                "EndpointConfig: not supported by ward (no addresses or "
		                "aliases of its own on a network)");
		return;
	}
	struct ward_sandbox *sb;
	struct ward_error e = {0};
	struct ward_sandbox_info info;
	if (ward_sandbox_open(r->srv->ctx, cref[0] == '/' ? cref + 1 : cref, &sb, &e) < 0) {
		api_reply_error(r, 404, "No such container: %s", cref);
		json_decref(b);
		return;
	}
	json_decref(b);
	if (ward_sandbox_inspect(sb, &info, &e) < 0) {
		ward_sandbox_close(sb);
		api_reply_ward_error(r, 500, &e);
		return;
	}
	bool up = info.status == WARD_SANDBOX_RUNNING || info.status == WARD_SANDBOX_PAUSED;
	bool egress = info.egress;
	ward_sandbox_info_release(&info);
	const char *id = ward_sandbox_id(sb);
	/* bridge and none are egress on and off: one container is on exactly one of them */
	bool want = connect ? n->egress : !n->egress;
	if (!up)
		api_reply_error(r, 409,
		                "Container %s is not running: ward changes a container's network "
		                "only while it runs",
		                id);
	else if (connect && egress == n->egress)
		api_reply_error(r, 403, "endpoint with name %s already exists in network %s", id,
		                n->name);
	else if (!connect && egress != n->egress)
		api_reply_error(r, 403, "container %s is not connected to network %s", id, n->name);
	else if (!n->egress && connect)
		api_reply_error(r, 403,
		                "container %s is connected to bridge: disconnect it from bridge "
		                "instead (ward: bridge and none are egress on and off)",
		                id);
	else if (!n->egress)
		api_reply_error(
		    r, 403,
		    "container %s has no egress (network none): connect it to bridge to "
		    "give it egress",
		    id);
	else if (ward_sandbox_network(sb, want, &e) < 0)
		api_reply_ward_error(r, 500, &e);
	else
		api_reply_empty(r, 200);
	ward_sandbox_close(sb);
}

static void network_connect(struct api_req *r)
{
	network_change(r, true);
}

static void network_disconnect(struct api_req *r)
{
	network_change(r, false);
}

static void network_create(struct api_req *r)
{
	api_reply_error(r, 501,
	                "POST /networks/create: ward has no user-defined networks (a "
	                "container has egress, network bridge, or none)");
}

static void network_delete(struct api_req *r)
{
	const struct net *n = net_find(r->arg[0]);
	if (n)
		api_reply_error(r, 403, "%s is a pre-defined network and cannot be removed",
		                n->name);
	else
		api_reply_error(r, 404, "network %s not found", r->arg[0]);
}

static void networks_prune(struct api_req *r)
{
	api_reply_json(r, 200, json_pack("{s:[]}", "NetworksDeleted"));
}

const struct api_route api_routes_networks[] = {
    {"GET", "/networks", networks_list},
    {"POST", "/networks/create", network_create},
    {"POST", "/networks/prune", networks_prune},
    {"GET", "/networks/{}", network_inspect},
    {"POST", "/networks/{}/connect", network_connect},
    {"POST", "/networks/{}/disconnect", network_disconnect},
    {"DELETE", "/networks/{}", network_delete},
    {0},
};
