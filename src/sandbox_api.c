/* ward/sandbox.h over the state root and the supervisors' control sockets: handles, the
 * listing and records as struct ward_sandbox_info, and the calls that act on one sandbox. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox.h"

const char *ward_sandbox_status_name(enum ward_sandbox_status s)
{
	return sandbox_status_name((enum sandbox_status)s);
}

int sandbox_handle(struct ward_context *c, const char *id, const char *ref,
                   struct ward_sandbox **out, struct ward_error *e)
{
	struct ward_sandbox *sb = calloc(1, sizeof(*sb));
	if (!sb || !(sb->ref = strdup(ref))) {
		free(sb);
		return ward_error_set(e, ENOMEM, "sandbox %s", ref);
	}
	sb->ctx = c;
	snprintf(sb->id, sizeof(sb->id), "%s", id);
	*out = sb;
	return 0;
}

int ward_sandbox_open(struct ward_context *c, const char *ref, struct ward_sandbox **out,
                      struct ward_error *e)
{
	struct state st;
	char id[STATE_ID_LEN + 1];
	*out = NULL;
	int rc = state_open(&st, c, e) < 0 || state_resolve(&st, ref, id, e) < 0 ? -1 : 0;
	state_close(&st);
	return rc < 0 ? -1 : sandbox_handle(c, id, ref, out, e);
}

const char *ward_sandbox_id(const struct ward_sandbox *sb)
{
	return sb->id;
}

void ward_sandbox_close(struct ward_sandbox *sb)
{
	if (!sb)
		return;
	free(sb->ref);
	free(sb);
}

static void to_info(const struct sandbox_record *r, bool alive, struct ward_sandbox_info *i)
{
	*i = (struct ward_sandbox_info){
	    .status = (enum ward_sandbox_status)r->status,
	    .persistent = r->persistent,
	    .alive = alive,
	    .created_ms = r->created,
	    .finished_ms = r->finished,
	    .exit_code = r->exit_code,
	    .supervisor = r->supervisor,
	    .init = r->init,
	    .ns_user = r->ns_user,
	    .ns_mnt = r->ns_mnt,
	    .ns_pid = r->ns_pid,
	    .ns_net = r->ns_net,
	    .n_cgroups = r->n_cgroups,
	    .egress = r->egress,
	    .n_ports = r->n_ports,
	};
	snprintf(i->id, sizeof(i->id), "%s", r->id);
	snprintf(i->name, sizeof(i->name), "%s", r->name);
	snprintf(i->origin, sizeof(i->origin), "%s", r->image);
	snprintf(i->command, sizeof(i->command), "%s", r->command);
	snprintf(i->reason, sizeof(i->reason), "%s", r->reason);
	snprintf(i->address, sizeof(i->address), "%s", r->address);
	snprintf(i->host_interface, sizeof(i->host_interface), "%s", r->host_if);
	memcpy(i->cgroups, r->cgroups, sizeof(i->cgroups));
	memcpy(i->ports, r->ports, sizeof(i->ports));
	i->started_ms = r->started;
}

/* Labels and the whole config, from the sandbox's config file (none: left NULL). */
static void info_config(struct state *st, struct ward_sandbox_info *i)
{
	json_t *cfg;
	struct ward_error ignored;
	if (state_read_config(st, i->id, &cfg, &ignored) < 0)
		return;
	i->config = json_dumps(cfg, JSON_COMPACT | JSON_PRESERVE_ORDER);
	i->tty = json_is_true(json_object_get(cfg, "tty"));
	i->interactive = json_is_true(json_object_get(cfg, "interactive"));
	json_t *labels = json_object_get(cfg, "labels");
	size_t n = json_is_object(labels) ? json_object_size(labels) : json_array_size(labels);
	if (n && (i->labels = calloc(n + 1, sizeof(char *)))) {
		size_t k = 0, idx;
		const char *key;
		json_t *v;
		if (json_is_object(labels)) {
			json_object_foreach(labels, key, v)
			{
				if (json_is_string(v) &&
				    asprintf(&i->labels[k], "%s=%s", key, json_string_value(v)) > 0)
					k++;
			}
		} else {
			json_array_foreach(labels, idx, v)
			{
				if (json_is_string(v) &&
				    (i->labels[k] = strdup(json_string_value(v))))
					k++;
			}
		}
		i->labels[k] = NULL;
	}
	json_decref(cfg);
}

void ward_sandbox_info_release(struct ward_sandbox_info *info)
{
	for (char **v = info->labels; v && *v; v++)
		free(*v);
	free(info->labels);
	free(info->config);
	info->labels = NULL;
	info->config = NULL;
}

void ward_sandbox_list_free(struct ward_sandbox_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ward_sandbox_info_release(&v[i]);
	free(v);
}

const char *ward_sandbox_info_label(const struct ward_sandbox_info *info, const char *key)
{
	size_t k = strlen(key);
	for (char **v = info->labels; v && *v; v++)
		if (!strncmp(*v, key, k) && (*v)[k] == '=')
			return *v + k + 1;
	return NULL;
}

struct list {
	struct state *st;
	struct ward_sandbox_info *v;
	size_t n, cap;
	bool nomem;
};

static int list_one(const struct sandbox_record *r, void *arg)
{
	struct list *l = arg;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct ward_sandbox_info *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l->nomem = true;
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	to_info(r, state_alive(l->st, r->id), &l->v[l->n]);
	info_config(l->st, &l->v[l->n++]);
	return 0;
}

int ward_sandbox_list(struct ward_context *c, struct ward_sandbox_info **out, size_t *n,
                      struct ward_error *e)
{
	struct state st;
	*out = NULL;
	*n = 0;
	if (state_open(&st, c, e) < 0)
		return -1;
	state_collect(&st);
	struct list l = {.st = &st};
	state_lock(&st, false);
	state_each(&st, list_one, &l);
	state_unlock(&st);
	state_close(&st);
	if (l.nomem) {
		ward_sandbox_list_free(l.v, l.n);
		return ward_error_set(e, ENOMEM, "listing sandboxes");
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

int ward_sandbox_inspect(struct ward_sandbox *sb, struct ward_sandbox_info *info,
                         struct ward_error *e)
{
	struct state st;
	struct sandbox_record r;
	int rc = state_open(&st, sb->ctx, e) < 0 || state_read(&st, sb->id, &r, e) < 0 ? -1 : 0;
	if (rc == 0) {
		to_info(&r, state_alive(&st, sb->id), info);
		info_config(&st, info);
	} else if (e && e->err == ENOENT)
		ward_error_set(e, 0, "sandbox %s: no such sandbox (see ward ps --all)", sb->ref);
	state_close(&st);
	return rc;
}

char *ward_sandbox_info_json(const struct ward_sandbox_info *i)
{
	json_t *cg = json_array(), *ports = json_array();
	for (size_t k = 0; k < i->n_cgroups; k++)
		json_array_append_new(cg, json_string(i->cgroups[k]));
	for (size_t k = 0; k < i->n_ports; k++)
		json_array_append_new(ports,
		                      json_pack("{s:s, s:i, s:i, s:s}", "hostIp", i->ports[k].addr,
		                                "hostPort", (int)i->ports[k].host_port, "port",
		                                (int)i->ports[k].port, "proto", "tcp"));
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:b, s:s, s:s, s:I, s:{s:i, s:i, s:b}, s:{s:I, s:I, s:I, s:I}, s:o, "
	    "s:{s:b, s:s, s:s, s:o}}",
	    "id", i->id, "name", i->name, "status", ward_sandbox_status_name(i->status),
	    "persistent", i->persistent, "image", i->origin, "command", i->command, "created",
	    (json_int_t)i->created_ms, "supervisor", "pid", (int)i->supervisor, "initPid",
	    (int)i->init, "alive", i->alive, "namespaces", "user", (json_int_t)i->ns_user, "mnt",
	    (json_int_t)i->ns_mnt, "pid", (json_int_t)i->ns_pid, "net", (json_int_t)i->ns_net,
	    "cgroups", cg, "network", "egress", i->egress, "address", i->address, "hostInterface",
	    i->host_interface, "ports", ports);
	if (o && i->status == WARD_SANDBOX_STOPPED)
		json_object_update_new(o, json_pack("{s:i, s:s, s:I}", "exitCode", i->exit_code,
		                                    "reason", i->reason, "finished",
		                                    (json_int_t)i->finished_ms));
	json_t *labels = json_object();
	for (char **v = i->labels; v && *v; v++) {
		const char *eq = strchr(*v, '=');
		char *key = eq ? strndup(*v, (size_t)(eq - *v)) : NULL;
		if (key)
			json_object_set_new(labels, key, json_string(eq + 1));
		free(key);
	}
	json_t *config = i->config ? json_loads(i->config, 0, NULL) : NULL;
	if (o)
		json_object_update_new(o, json_pack("{s:I, s:o, s:o*}", "started",
		                                    (json_int_t)i->started_ms, "labels", labels,
		                                    "config", config));
	char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return text;
}

int ward_sandbox_stop(struct ward_sandbox *sb, unsigned grace_s, struct ward_error *e)
{
	return sb_stop(sb, grace_s, e);
}

int ward_sandbox_kill(struct ward_sandbox *sb, int sig, struct ward_error *e)
{
	return sb_kill(sb, sig, e);
}

int ward_sandbox_remove(struct ward_sandbox *sb, bool force, struct ward_error *e)
{
	return sb_rm(sb, force, e);
}

int ward_sandbox_wait(struct ward_sandbox *sb, int *exit_code, struct ward_error *e)
{
	return sb_wait(sb, exit_code, e);
}

int ward_sandbox_network(struct ward_sandbox *sb, bool egress, struct ward_error *e)
{
	return sb_network(sb, egress, e);
}
