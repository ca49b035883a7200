/* The writable layer of a sandbox with a life: saved when it stops, restored when it starts
 * again, exported by ward commit. The format is an OCI image layer (uncompressed tar):
 * paths relative to /, owners as the sandbox sees them, deletions as .wh. whiteouts, opaque
 * directories as .wh..wh..opq. */
#ifndef WARD_LAYER_H
#define WARD_LAYER_H

#include "ward/error.h"

/* Supervisor: the writable layer (UPPER, the overlay upper directory run keeps open when the
 * spec has keep_upper: r->upper, with r->userns) as one tar on OUT, read as root of the
 * sandbox's user namespace USERNS. Valid while the sandbox runs (pause it for a consistent
 * copy) and after it ended, until run_end. A helper process writes OUT and this call waits
 * for it: OUT must not be a pipe this thread reads. Whiteouts (0/0 devices) become .wh.NAME,
 * opaque directories .wh..wh..opq; hard links stay links. The restore is spec->layer_in,
 * done by the child (rootfs.c, rootfs-tools/upper_restore.c). */
int layer_export(int userns, int upper, int out, struct ward_error *e);

#endif
