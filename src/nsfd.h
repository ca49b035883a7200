/* A sandbox's namespaces: their names in /proc/PID/ns, their clone flags, and opening one
 * as an fd. */
#ifndef WARD_NSFD_H
#define WARD_NSFD_H

#include <sys/types.h>

#include "ward/error.h"

/* The namespaces of a sandbox in the order ward exec joins them: the user namespace first,
 * which gives the capabilities over the others. */
#define NS_COUNT 7
enum { NS_USER, NS_MNT, NS_PID, NS_NET }; /* indices of ns_names */
extern const char *const ns_names[NS_COUNT];
extern const int ns_flags[NS_COUNT];

/* PID's namespace NAME (an ns_names entry), before the child turns non-dumpable; -1 with e
 * set naming the path. */
int ns_open(pid_t pid, const char *name, struct ward_error *e);

#endif
