/* An exec request from the control socket (JSON from a client) into the spec of the command
 * it asks for: the sandbox's spec with the request's argv, env over the sandbox's, working
 * directory, user and terminal. Apart from the supervisor so that it can be fuzzed. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "image.h"

static char **strv_from_json(json_t *a)
{
	size_t n = json_array_size(a), i;
	char **v = calloc(n + 1, sizeof(char *));
	json_t *s;
	json_array_foreach(a, i, s)
	{
		if (!v || !json_is_string(s) || !(v[i] = strdup(json_string_value(s)))) {
			strv_free(v);
			return NULL;
		}
	}
	return v;
}

/* The sandbox's environment with the exec's K=V entries over it. */
static char **merge_env(char *const *base, json_t *add)
{
	size_t nb = 0;
	while (base && base[nb])
		nb++;
	char **v = calloc(nb + json_array_size(add) + 1, sizeof(char *));
	size_t n = 0, i;
	for (size_t k = 0; v && k < nb; k++)
		if (!(v[n++] = strdup(base[k])))
			goto fail;
	json_t *s;
	json_array_foreach(add, i, s)
	{
		const char *kv = json_string_value(s);
		const char *eq = kv ? strchr(kv, '=') : NULL;
		if (!v || !eq || eq == kv)
			goto fail;
		size_t k = 0;
		while (k < n && strncmp(v[k], kv, (size_t)(eq - kv) + 1) != 0)
			k++;
		free(k < n ? v[k] : NULL);
		if (!(v[k] = strdup(kv)))
			goto fail;
		n += k == n;
	}
	return v;
fail:
	strv_free(v);
	return NULL;
}

int exec_spec_from_json(const struct ward_spec *s, json_t *q, struct ward_spec *x,
                        unsigned *timeout, struct ward_error *e)
{
	*x = *s;
	x->argv = x->env = NULL;
	x->cwd = NULL;
	json_t *argv = json_object_get(q, "argv");
	const char *cwd = json_string_value(json_object_get(q, "cwd"));
	const char *user = json_string_value(json_object_get(q, "user"));
	x->tty = json_is_true(json_object_get(q, "tty"));
	x->interactive = json_is_true(json_object_get(q, "interactive"));
	json_int_t t = json_integer_value(json_object_get(q, "timeout"));
	*timeout = t > 0 && t < 1000000000 ? (unsigned)t : 0;
	if (json_array_size(argv) == 0 || !(x->argv = strv_from_json(argv)) || !x->argv[0][0])
		ward_error_set(e, 0, "exec: no command");
	else if (!(x->env = merge_env(s->env, json_object_get(q, "env"))))
		ward_error_set(e, 0, "exec: -e: expected K=V");
	else if (cwd && (cwd[0] != '/' || !(x->cwd = strdup(cwd))))
		ward_error_set(e, 0, "exec: -w %s: expected an absolute path", cwd);
	else if (user && image_root_user(s->rootfs, user, &x->uid, &x->gid, e) < 0)
		ward_error_prefix(e, "exec");
	if (!x->cwd && s->cwd && !e->msg[0] && !(x->cwd = strdup(s->cwd)))
		ward_error_set(e, ENOMEM, "exec");
	return e->msg[0] ? -1 : 0;
}

void exec_spec_free(struct ward_spec *x)
{
	strv_free(x->argv);
	strv_free(x->env);
	free(x->cwd);
	x->argv = x->env = NULL;
	x->cwd = NULL;
}
