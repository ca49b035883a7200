/* Calls of ward/image.h still being built (issue 18): tag and history. Each answers ENOSYS
 * until its owner replaces it; this file goes away then. */
#include <errno.h>
#include <stdlib.h>

#include "ward/ward.h"

int ward_image_tag(struct ward_store *st, const char *ref, const char *name, struct ward_error *e)
{
	(void)st, (void)ref, (void)name;
	return ward_error_set(e, ENOSYS, "image tag: not built yet");
}

int ward_image_history(struct ward_store *st, const char *ref, struct ward_image_layer **out,
                       size_t *n, struct ward_error *e)
{
	(void)st, (void)ref, (void)out, (void)n;
	return ward_error_set(e, ENOSYS, "image history: not built yet");
}

void ward_image_history_free(struct ward_image_layer *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].created_by);
		free(v[i].comment);
	}
	free(v);
}
