/* Calls of ward/sandbox.h still being built (issue 18): pause and logs. Each answers ENOSYS
 * until its owner replaces it; this file goes away then. */
#include <errno.h>

#include "ward/ward.h"

int ward_sandbox_pause(struct ward_sandbox *sb, struct ward_error *e)
{
	(void)sb;
	return ward_error_set(e, ENOSYS, "pause: not built yet");
}

int ward_sandbox_unpause(struct ward_sandbox *sb, struct ward_error *e)
{
	(void)sb;
	return ward_error_set(e, ENOSYS, "unpause: not built yet");
}

int ward_sandbox_logs(struct ward_sandbox *sb, const struct ward_log_opts *o, int out, int err,
                      struct ward_error *e)
{
	(void)sb, (void)o, (void)out, (void)err;
	return ward_error_set(e, ENOSYS, "logs: not built yet");
}
