/* A test seam for fault injection: WARD_FAULT_AT=NAME makes the process stop itself
 * (SIGSTOP) at the point of that name, where the test SIGKILLs it. Nothing happens
 * without the variable; it only lets a caller stop its own ward. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sys.h"

void fault_point(const char *name)
{
	const char *at = getenv("WARD_FAULT_AT");
	if (at && !strcmp(at, name))
		raise(SIGSTOP);
}
