/* Writing the id maps of a freshly cloned child (supervisor side). */
#ifndef WARD_IDMAP_H
#define WARD_IDMAP_H

#include <sys/types.h>

#include "ward.h"

int idmap_write(pid_t pid, const struct ward_spec *s, struct ward_error *e);

#endif
