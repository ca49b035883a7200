/* A saved writable layer (an OCI tar layer, as layer_export writes it) put back into an
 * empty overlayfs upper directory, in overlay form: .wh.NAME becomes a 0/0 character device,
 * .wh..wh..opq the directory's user.overlay.opaque (the overlay is mounted with userxattr). */
#ifndef WARD_UPPER_RESTORE_H
#define WARD_UPPER_RESTORE_H

#include "ward/error.h"

/* Apply the uncompressed tar on TARFD (read from offset 0 with pread: the fd's offset is left
 * alone) into the directory UPPER. Owners, modes, times, xattrs (overlay's own dropped) and
 * hard links as saved; nothing is resolved through a symlink or outside UPPER. On failure E
 * names the entry; E->err is ENOSPC when the filesystem was full. */
int upper_restore(int upper, int tarfd, struct ward_error *e);

#endif
