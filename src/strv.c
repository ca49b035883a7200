/* NULL-terminated string vectors (strv.h). */
#include <stdlib.h>

#include "strv.h"

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}
