/* What a spec leaves to the start: an image supplies what the caller left open (Entrypoint +
 * Cmd, where the caller's command replaces Cmd; Env under the caller's; User; WorkingDir),
 * -u is looked up in the root's own files, HOME defaults as in Docker, and the id maps are
 * chosen for the caller. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "image.h"
#include "spec.h"

static size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* The image's Env entries whose names the caller did not set. */
static void merge_env(struct ward_spec *s, char *const *env)
{
	size_t caller = s->n_default_env;
	for (size_t i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		bool caller_set = false;
		for (size_t k = caller; eq && s->env[k]; k++)
			caller_set |= !strncmp(s->env[k], env[i], (size_t)(eq - env[i]) + 1);
		if (eq && !caller_set)
			ward_spec_add_env(s, env[i], NULL); /* a malformed one is skipped */
	}
}

/* Entrypoint + (the caller's command, else Cmd); as docker run, a replaced Entrypoint
 * also drops the image's Cmd. A resident sandbox without either idles. */
static int image_command(struct ward_spec *s, const struct ward_image_config *cfg, bool resident,
                         struct ward_error *e)
{
	char *ep_override[] = {s->entrypoint, NULL};
	char *const *ep =
	    s->entrypoint_set ? (*s->entrypoint ? ep_override : NULL) : cfg->entrypoint;
	char *const *img_cmd = s->entrypoint_set ? NULL : cfg->cmd;
	char *const *cmd = s->argv ? s->argv : img_cmd;
	size_t n_ep = strv_len(ep), n_cmd = strv_len(cmd);
	if (resident && !s->argv && !s->entrypoint_set)
		n_ep = n_cmd = 0;
	else if (n_ep + n_cmd == 0)
		return ward_error_set(e, 0,
		                      "image %s has no command: give one after the image name",
		                      cfg->name[0] ? cfg->name : cfg->id);
	if (n_ep + n_cmd == 0) {
		strv_free(s->argv);
		s->argv = NULL;
		return 0;
	}
	char **full = calloc(n_ep + n_cmd + 1, sizeof(char *));
	if (!full)
		return ward_error_set(e, ENOMEM, "command");
	for (size_t i = 0; i < n_ep; i++)
		full[i] = ep[i];
	for (size_t i = 0; i < n_cmd; i++)
		full[n_ep + i] = cmd[i];
	int rc = ward_spec_set_argv(s, (int)(n_ep + n_cmd), full, e);
	free(full);
	return rc;
}

static int apply_image(struct ward_spec *s, bool resident, struct ward_error *e)
{
	const struct ward_image_config *cfg = ward_image_config(s->image);
	/* what listings say it was made from, unless the caller said */
	if (!s->origin && !(s->origin = strdup(cfg->name[0] ? cfg->name : cfg->rootfs)))
		return ward_error_set(e, ENOMEM, "origin");
	merge_env(s, cfg->env);
	if (image_command(s, cfg, resident, e) < 0)
		return -1;
	if (!s->user && !s->user_id_set && cfg->user &&
	    image_root_user(cfg->rootfs, cfg->user, &s->uid, &s->gid, e) < 0)
		return -1;
	if (!s->cwd && s->n_volumes == 0 && cfg->workdir && !(s->cwd = strdup(cfg->workdir)))
		return ward_error_set(e, ENOMEM, "workdir");
	return 0;
}

/* The set-id ban on rw volumes (filter_setid.c) lifted: say so, naming a volume. */
static void warn_opt_outs(const struct ward_context *c, const struct ward_spec *s)
{
	if (s->seccomp_unconfined)
		context_log(
		    c, WARD_LOG_WARNING,
		    "--seccomp=unconfined: the sandbox may make any system call its namespaces "
		    "and capabilities allow");
	const char *rw = NULL;
	for (size_t i = 0; i < s->n_volumes && !rw; i++)
		if (s->volumes[i].mode == WARD_VOLUME_RW)
			rw = s->volumes[i].host;
	if (rw && (s->allow_setid_volumes || s->seccomp_unconfined))
		context_log(
		    c, WARD_LOG_WARNING,
		    "%s: the sandbox may make set-id programs in its rw volumes (such as %s), "
		    "which host users could run",
		    s->allow_setid_volumes ? "--allow-setid-volumes" : "--seccomp=unconfined", rw);
}

int spec_prepare(const struct ward_context *c, struct ward_spec *s, bool resident,
                 struct ward_error *e)
{
	if (s->prepared)
		return 0;
	if (s->seccomp_unconfined && s->policy)
		return ward_error_set(e, 0,
		                      "--policy and --seccomp=unconfined contradict each other");
	if (s->user && s->user_id_set)
		return ward_error_set(e, 0,
		                      "-u %s and %s %u both choose the workload's user; give one",
		                      s->user, s->user_id_origin, s->user_id);
	if (s->image && apply_image(s, resident, e) < 0)
		return -1;
	if (s->user && s->rootfs && image_root_user(s->rootfs, s->user, &s->uid, &s->gid, e) < 0)
		return -1;
	s->resident = resident;
	/* Without an explicit HOME, root gets /root and other users /, as in Docker. */
	bool home_given = false;
	for (size_t i = 0; s->env[i]; i++)
		home_given |= strncmp(s->env[i], "HOME=", 5) == 0;
	if (!home_given && ward_spec_add_env(s, s->uid == 0 ? "HOME=/root" : "HOME=/", e) < 0)
		return -1;
	if (spec_default_idmaps(s, e) < 0)
		return -1;
	warn_opt_outs(c, s);
	s->prepared = true;
	return 0;
}
