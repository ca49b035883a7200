/* Calls of ward/sandbox.h still being built (issue 18): each answers ENOSYS until its owner
 * replaces it. This file goes away when the last one has. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ward/ward.h"

int ward_sandbox_new(struct ward_context *c, struct ward_spec *s, struct ward_sandbox **out,
                     struct ward_error *e)
{
	(void)c, (void)s, (void)out;
	return ward_error_set(e, ENOSYS, "create --no-start: not built yet");
}

int ward_sandbox_start(struct ward_sandbox *sb, struct ward_error *e)
{
	(void)sb;
	return ward_error_set(e, ENOSYS, "start: not built yet");
}

int ward_sandbox_restart(struct ward_sandbox *sb, unsigned grace_s, struct ward_error *e)
{
	(void)sb, (void)grace_s;
	return ward_error_set(e, ENOSYS, "restart: not built yet");
}

int ward_sandbox_commit(struct ward_sandbox *sb, struct ward_store *st, const char *name,
                        const char *message, char id_out[80], struct ward_error *e)
{
	(void)sb, (void)st, (void)name, (void)message, (void)id_out;
	return ward_error_set(e, ENOSYS, "commit: not built yet");
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
