/* NULL-terminated string vectors (strv.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "ward/error.h"

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int str_replace(char **field, const char *value, const char *what, struct ward_error *e)
{
	char *copy = NULL;
	if (value && !(copy = strdup(value)))
		return ward_error_set(e, ENOMEM, "%s", what);
	free(*field);
	*field = copy;
	return 0;
}
