/* A sandbox's record as JSON: written to a temporary file and renamed over the old one, so
 * a reader sees the old record or the new, never half of one. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "state.h"
#include "sys.h"
#include "userdir.h"

/* Someone else's directory, or one others may write, could hold records made to point
 * ward at the wrong process. */
int state_check_owned(int fd, const char *what, struct ward_error *e)
{
	return userdir_check_owned(fd, what, e);
}

const char *sandbox_status_name(enum sandbox_status s)
{
	switch (s) {
	case SB_CREATING:
		return "creating";
	case SB_RUNNING:
		return "running";
	case SB_STOPPED:
		return "stopped";
	case SB_CREATED:
		return "created";
	case SB_PAUSED:
		return "paused";
	}
	return "?";
}

static void copy(char *dst, size_t len, json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	snprintf(dst, len, "%s", v ? v : "");
}

static uint64_t num(json_t *o, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(o, key));
}

json_t *state_network_json(const struct sandbox_record *r)
{
	json_t *ports = json_array();
	for (size_t i = 0; i < r->n_ports; i++)
		json_array_append_new(ports,
		                      json_pack("{s:s, s:i, s:i, s:s}", "hostIp", r->ports[i].addr,
		                                "hostPort", (int)r->ports[i].host_port, "port",
		                                (int)r->ports[i].port, "proto", "tcp"));
	return json_pack("{s:b, s:s, s:s, s:o}", "egress", r->egress, "address", r->address,
	                 "hostInterface", r->host_if, "ports", ports);
}

/* NAME in DIRFD replaced atomically by O's text (and a newline), 0600. */
int state_write_json(int dirfd, const char *name, json_t *o, struct ward_error *e)
{
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	char *text = json_dumps(o, JSON_INDENT(2));
	if (!text)
		return ward_error_set(e, ENOMEM, "%s", name);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	int rc =
	    fd < 0 || write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0 ? -1 : 0;
	if (fd >= 0 && close(fd) < 0)
		rc = -1;
	free(text);
	if (rc == 0 && renameat(dirfd, tmp, dirfd, name) == 0)
		return 0;
	ward_error_set(e, errno, "%s", name);
	unlinkat(dirfd, tmp, 0);
	return -1;
}

int state_write(int dirfd, const struct sandbox_record *r, struct ward_error *e)
{
	json_t *cg = json_array();
	for (size_t i = 0; i < r->n_cgroups; i++)
		json_array_append_new(cg, json_string(r->cgroups[i]));
	json_t *net = state_network_json(r);
	json_t *o =
	    json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:I, s:{s:i, s:I}, s:{s:i, s:I}, "
	              "s:{s:I, s:I, s:I, s:I}, s:o, s:o, s:I, s:i, s:s, s:I, s:b}",
	              "id", r->id, "name", r->name, "persistent", r->persistent, "status",
	              sandbox_status_name(r->status), "specHash", r->spec_hash, "image", r->image,
	              "command", r->command, "created", (json_int_t)r->created, "supervisor", "pid",
	              (int)r->supervisor, "start", (json_int_t)r->supervisor_start, "init", "pid",
	              (int)r->init, "start", (json_int_t)r->init_start, "namespaces", "user",
	              (json_int_t)r->ns_user, "mnt", (json_int_t)r->ns_mnt, "pid",
	              (json_int_t)r->ns_pid, "net", (json_int_t)r->ns_net, "cgroups", cg, "network",
	              net, "finished", (json_int_t)r->finished, "exitCode", r->exit_code, "reason",
	              r->reason, "started", (json_int_t)r->started, "autoRemove", r->auto_remove);
	int rc =
	    o ? state_write_json(dirfd, "record.json", o, e) : ward_error_set(e, ENOMEM, "record");
	json_decref(o);
	return rc < 0 ? ward_error_prefix(e, "state: writing the record of %s", r->id) : 0;
}

static int parse(json_t *o, struct sandbox_record *r)
{
	if (!json_is_object(o))
		return -1;
	*r = (struct sandbox_record){0};
	copy(r->id, sizeof(r->id), o, "id");
	copy(r->name, sizeof(r->name), o, "name");
	r->persistent = json_is_true(json_object_get(o, "persistent"));
	const char *status = json_string_value(json_object_get(o, "status"));
	r->status = SB_PAUSED + 1;
	for (int i = SB_CREATING; status && i <= SB_PAUSED; i++)
		if (!strcmp(status, sandbox_status_name((enum sandbox_status)i)))
			r->status = (enum sandbox_status)i;
	copy(r->spec_hash, sizeof(r->spec_hash), o, "specHash");
	copy(r->image, sizeof(r->image), o, "image");
	copy(r->command, sizeof(r->command), o, "command");
	r->created = (int64_t)num(o, "created");
	json_t *sv = json_object_get(o, "supervisor"), *in = json_object_get(o, "init"),
	       *ns = json_object_get(o, "namespaces");
	r->supervisor = (pid_t)num(sv, "pid");
	r->supervisor_start = num(sv, "start");
	r->init = (pid_t)num(in, "pid");
	r->init_start = num(in, "start");
	r->ns_user = num(ns, "user");
	r->ns_mnt = num(ns, "mnt");
	r->ns_pid = num(ns, "pid");
	r->ns_net = num(ns, "net");
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(o, "cgroups"), i, v)
	{
		if (r->n_cgroups < STATE_MAX_CG && json_is_string(v))
			snprintf(r->cgroups[r->n_cgroups++], sizeof(r->cgroups[0]), "%s",
			         json_string_value(v));
	}
	json_t *net = json_object_get(o, "network");
	r->egress = json_is_true(json_object_get(net, "egress"));
	copy(r->address, sizeof(r->address), net, "address");
	copy(r->host_if, sizeof(r->host_if), net, "hostInterface");
	json_array_foreach(json_object_get(net, "ports"), i, v)
	{
		const char *ip = json_string_value(json_object_get(v, "hostIp"));
		if (r->n_ports == WARD_MAX_PUBLISH || !ip)
			continue;
		struct ward_publish *p = &r->ports[r->n_ports++];
		snprintf(p->addr, sizeof(p->addr), "%s", ip);
		p->host_port = (uint16_t)num(v, "hostPort");
		p->port = (uint16_t)num(v, "port");
	}
	r->finished = (int64_t)num(o, "finished");
	r->exit_code = (int)num(o, "exitCode");
	copy(r->reason, sizeof(r->reason), o, "reason");
	r->started = (int64_t)num(o, "started");
	r->auto_remove = json_is_true(json_object_get(o, "autoRemove"));
	return r->status > SB_PAUSED || r->id[0] == 0 ? -1 : 0;
}

int state_read(struct state *st, const char *id, struct sandbox_record *rec, struct ward_error *e)
{
	char path[96];
	snprintf(path, sizeof(path), "%s/record.json", id);
	autoclose int fd = openat(st->boxes, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ward_error_set(e, errno, "sandbox %s: reading its record", id);
	char what[400];
	snprintf(what, sizeof(what), "sandbox %s: its record %s/sandboxes/%s", id, st->path, path);
	if (state_check_owned(fd, what, e) < 0)
		return -1;
	json_error_t je;
	json_t *o = json_read_fd(fd, 0, &je);
	const char *why = !o                    ? je.text
	                  : parse(o, rec) < 0   ? "not a sandbox record"
	                  : strcmp(rec->id, id) ? "it names another sandbox"
	                                        : NULL;
	if (why)
		ward_error_set(e, 0, "%s is damaged: %s", what, why);
	json_decref(o);
	return why ? STATE_DAMAGED : 0;
}

int state_write_config(int dirfd, json_t *config, struct ward_error *e)
{
	if (state_write_json(dirfd, STATE_CONFIG, config, e) < 0)
		return ward_error_prefix(e, "state: writing a sandbox's config");
	return 0;
}

int state_read_config(struct state *st, const char *id, json_t **out, struct ward_error *e)
{
	char path[96];
	snprintf(path, sizeof(path), "%s/" STATE_CONFIG, id);
	autoclose int fd = openat(st->boxes, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ward_error_set(e, errno, "sandbox %s: reading its config", id);
	char what[400];
	snprintf(what, sizeof(what), "sandbox %s: its config %s/sandboxes/%s", id, st->path, path);
	if (state_check_owned(fd, what, e) < 0)
		return -1;
	json_error_t je;
	if (!(*out = json_read_fd(fd, 0, &je)) || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return ward_error_set(e, 0, "%s is damaged: %s", what, je.text);
	}
	return 0;
}
