/* ward_run and its pieces: a one-shot sandbox as a handle the caller can watch and cancel. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "launch.h"

struct ward_run {
	struct run r;
	int cancelfd; /* an eventfd: ward_run_cancel writes, the wait's poll wakes */
};

int ward_run_start(struct ward_context *c, struct ward_spec *s, struct ward_run **out,
                   struct ward_result *res, struct ward_error *e)
{
	*out = NULL;
	*res = (struct ward_result){.reason = WARD_SETUP_ERROR, .exit_code = 125};
	if (spec_prepare(c, s, false, e) < 0)
		return -1;
	struct ward_run *w = calloc(1, sizeof(*w));
	if (!w)
		return ward_error_set(e, ENOMEM, "run");
	w->cancelfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->cancelfd < 0) {
		free(w);
		return ward_error_set(e, errno, "run: eventfd");
	}
	if (run_start(&w->r, c, s, res, e) < 0) {
		run_end(&w->r, -1, res, e);
		close(w->cancelfd);
		free(w);
		return -1;
	}
	/* A port the host chose is no use unless the caller learns it now. */
	for (size_t i = 0; i < w->r.net.n_bound; i++)
		if (!s->publish[i].host_port)
			context_log(c, WARD_LOG_NOTE, "published %s:%u -> %u/tcp",
			            w->r.net.bound[i].addr, w->r.net.bound[i].host_port,
			            w->r.net.bound[i].port);
	*out = w;
	return 0;
}

pid_t ward_run_pid(const struct ward_run *w)
{
	return w->r.pid;
}

size_t ward_run_ports(const struct ward_run *w, struct ward_publish *out, size_t max)
{
	size_t n = w->r.net.n_bound < max ? w->r.net.n_bound : max;
	memcpy(out, w->r.net.bound, n * sizeof(*out));
	return n;
}

void ward_run_cancel(struct ward_run *w)
{
	uint64_t one = 1;
	ssize_t n = write(w->cancelfd, &one, sizeof(one));
	(void)n; /* a full counter is a cancel already pending */
}

int ward_run_wait(struct ward_run *w, struct ward_result *res, struct ward_error *e)
{
	const struct ward_spec *s = w->r.s;
	run_supervise(&w->r, s->timeout_s ? w->r.t0 + (uint64_t)s->timeout_s * 1000 : 0,
	              w->cancelfd);
	run_collect(&w->r, res);
	int rc = run_end(&w->r, 0, res, e);
	close(w->cancelfd);
	free(w);
	return rc;
}

int ward_run(struct ward_context *c, struct ward_spec *s, struct ward_result *res,
             struct ward_error *e)
{
	struct ward_run *w;
	if (ward_run_start(c, s, &w, res, e) < 0)
		return -1;
	return ward_run_wait(w, res, e);
}

char *ward_result_json(const struct ward_result *res, const struct ward_error *e, bool failed)
{
	json_t *o = json_pack("{s:i, s:i, s:s, s:I}", "exitCode", res->exit_code, "signal",
	                      res->signal, "reason", ward_reason_name(res->reason), "durationMs",
	                      (json_int_t)res->duration_ms);
	if (o && res->have_usage)
		json_object_update_new(
		    o, json_pack("{s:I, s:I, s:I, s:I}", "oomKills", (json_int_t)res->oom_kills,
		                 "pidsLimitHits", (json_int_t)res->pids_limit_hits,
		                 "memoryPeakBytes", (json_int_t)res->memory_peak, "cpuTimeMs",
		                 (json_int_t)(res->cpu_usec / 1000)));
	if (o && res->limits_note[0])
		json_object_set_new(o, "limits", json_string_nocheck(res->limits_note));
	if (o && res->n_ports) {
		json_t *ports = json_array();
		for (size_t i = 0; i < res->n_ports; i++)
			json_array_append_new(ports, json_pack("{s:s, s:i, s:i, s:s}", "hostIp",
			                                       res->ports[i].addr, "hostPort",
			                                       res->ports[i].host_port, "port",
			                                       res->ports[i].port, "proto", "tcp"));
		json_object_set_new(o, "ports", ports);
	}
	if (o && failed)
		json_object_set_new(o, "error", json_string_nocheck(e->msg));
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return text;
}
