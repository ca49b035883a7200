/* Calls still being built for issue 18 (each answers ENOSYS until its owner replaces it; this
 * file goes away when the last one has): the layer export. */
#include <errno.h>

#include "layer.h"

int layer_export(int userns, int upper, int out, struct ward_error *e)
{
	(void)userns, (void)upper, (void)out;
	return ward_error_set(e, ENOSYS, "layer_export: not built yet");
}
