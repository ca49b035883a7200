/* ward_sandbox_pause / ward_sandbox_unpause: the supervisor freezes or thaws the sandbox's
 * cgroup (cgroup.c chooses v2's cgroup.freeze or the v1 freezer) and records it. */
#include "sandbox.h"

int ward_sandbox_pause(struct ward_sandbox *sb, struct ward_error *e)
{
	return sb_pause(sb, true, e);
}

int ward_sandbox_unpause(struct ward_sandbox *sb, struct ward_error *e)
{
	return sb_pause(sb, false, e);
}
