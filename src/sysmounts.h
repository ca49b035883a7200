/* Child side: kernel filesystems of the sandbox and the paths hidden from it. */
#ifndef WARD_SYSMOUNTS_H
#define WARD_SYSMOUNTS_H

#include <stdbool.h>

#include "ward/error.h"

/* Mount /proc, /dev (+pts, shm, mqueue), /sys read-only, then mask and protect paths.
 * GID5_MAPPED: the tty group exists in the sandbox. -1 with E filled on failure. */
int sysmounts_setup(int rootfd, bool read_only, bool gid5_mapped, struct ward_error *e);

#endif
