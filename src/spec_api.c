/* The public face of struct ward_spec: allocation and the setters that take no grammar
 * (parse.c, volume.c, publish.c and limits_parse.c hold those that do). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "spec.h"
#include "ward/policy.h"

int ward_spec_new(struct ward_spec **out, struct ward_error *e)
{
	if (!(*out = malloc(sizeof(**out))))
		return ward_error_set(e, ENOMEM, "spec");
	spec_init(*out);
	return 0;
}

void ward_spec_free(struct ward_spec *s)
{
	if (!s)
		return;
	spec_clear(s);
	free(s);
}

int ward_spec_set_cwd(struct ward_spec *s, const char *dir, struct ward_error *e)
{
	return str_replace(&s->cwd, dir, "workdir", e);
}

int ward_spec_set_user(struct ward_spec *s, const char *user, struct ward_error *e)
{
	if (user && !*user)
		return ward_error_set(e, 0, "-u '': expected a user (name or uid, :group)");
	return str_replace(&s->user, user, "user", e);
}

void ward_spec_set_tty(struct ward_spec *s, bool tty)
{
	s->tty = tty;
}

void ward_spec_set_interactive(struct ward_spec *s, bool interactive)
{
	s->interactive = interactive;
}

void ward_spec_set_timeout(struct ward_spec *s, unsigned seconds)
{
	s->timeout_s = seconds;
}

int ward_spec_set_rootfs(struct ward_spec *s, const char *dir, struct ward_error *e)
{
	if (s->image)
		return ward_error_set(e, 0, "--rootfs %s: the sandbox already has an image", dir);
	return str_replace(&s->rootfs, dir, "rootfs", e);
}

int ward_spec_set_image(struct ward_spec *s, struct ward_image *img, const char *entrypoint,
                        struct ward_error *e)
{
	const struct ward_image_config *cfg = ward_image_config(img);
	if (s->rootfs && !s->image)
		return ward_error_set(e, 0, "image %s: the sandbox already has --rootfs %s",
		                      cfg->name[0] ? cfg->name : cfg->id, s->rootfs);
	if (str_replace(&s->rootfs, cfg->rootfs, "rootfs", e) < 0 ||
	    str_replace(&s->entrypoint, entrypoint, "entrypoint", e) < 0)
		return -1;
	s->image = img;
	s->entrypoint_set = entrypoint != NULL;
	return 0;
}

void ward_spec_set_read_only(struct ward_spec *s, bool read_only)
{
	s->read_only = read_only;
}

int ward_spec_set_hostname(struct ward_spec *s, const char *name, struct ward_error *e)
{
	return str_replace(&s->hostname, name, "hostname", e);
}

int ward_spec_set_idmap_base(struct ward_spec *s, uint32_t base, struct ward_error *e)
{
	if (base == 0 || base > UINT32_MAX - WARD_IDMAP_SIZE)
		return ward_error_set(e, 0, "--idmap-base %u: expected a number from 1 to %u", base,
		                      UINT32_MAX - WARD_IDMAP_SIZE);
	s->root_idmap_base = base;
	return 0;
}

int ward_spec_set_policy(struct ward_spec *s, const char *name_or_path, struct ward_error *e)
{
	return str_replace(&s->policy, name_or_path, "policy", e);
}

int ward_spec_set_policy_text(struct ward_spec *s, const char *text, struct ward_error *e)
{
	struct ward_filter f;
	if (filter_compile(text, strlen(text), "the policy given as text",
	                   ward_default_capabilities(), &f, e) < 0)
		return -1;
	filter_free(&f);
	return str_replace(&s->policy_text, text, "policy text", e);
}

void ward_spec_set_seccomp_unconfined(struct ward_spec *s, bool unconfined)
{
	s->seccomp_unconfined = unconfined;
}

void ward_spec_set_allow_setid_volumes(struct ward_spec *s, bool allow)
{
	s->allow_setid_volumes = allow;
}

void ward_spec_set_best_effort_limits(struct ward_spec *s, bool best_effort)
{
	s->limits.best_effort = best_effort;
}

int ward_spec_set_changes(struct ward_spec *s, const char *path, struct ward_error *e)
{
	return str_replace(&s->changes, path, "changes", e);
}

int ward_spec_set_name(struct ward_spec *s, const char *name, struct ward_error *e)
{
	return str_replace(&s->name, name, "name", e);
}

void ward_spec_set_persistent(struct ward_spec *s, bool persistent)
{
	s->persistent = persistent;
}

int ward_spec_set_origin(struct ward_spec *s, const char *what, struct ward_error *e)
{
	return str_replace(&s->origin, what, "origin", e);
}

int ward_spec_add_label(struct ward_spec *s, const char *kv, struct ward_error *e)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return ward_error_set(e, 0, "--label %s: expected KEY=VALUE with a non-empty KEY",
		                      kv);
	size_t n = 0, klen = (size_t)(eq - kv) + 1;
	for (; s->labels && s->labels[n]; n++)
		if (!strncmp(s->labels[n], kv, klen))
			return str_replace(&s->labels[n], kv, "label", e);
	char **v = realloc(s->labels, (n + 2) * sizeof(*v));
	if (!v)
		return ward_error_set(e, ENOMEM, "label");
	s->labels = v;
	v[n + 1] = NULL;
	if (!(v[n] = strdup(kv)))
		return ward_error_set(e, ENOMEM, "label");
	return 0;
}

void ward_spec_set_auto_remove(struct ward_spec *s, bool auto_remove)
{
	s->auto_remove = auto_remove;
}

void ward_spec_set_allow_setuid(struct ward_spec *s, bool allow)
{
	s->allow_setuid = allow;
}
