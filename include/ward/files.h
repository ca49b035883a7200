/* ward/files.h: files in a sandbox's root given as a directory fd (for a created sandbox,
 * ward/sandbox.h's calls by sandbox instead). */
#ifndef WARD_FILES_H
#define WARD_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "ward/error.h"

/* Files in a sandbox's root, given as a directory fd ROOTFD (for a running sandbox, its
 * /proc/PID/root). Paths inside are resolved with openat2(RESOLVE_IN_ROOT): a symlink the
 * workload planted resolves inside the root, never to the host, and magic links (/proc/N/fd)
 * are refused. Entries below a copied directory are never followed: symlinks are copied as
 * symlinks, devices, sockets and fifos are skipped, setuid/setgid bits are dropped. */

/* How a copy out of a sandbox is bounded and what it reports. Named directly, a device,
 * fifo or socket is refused before anything opens it (so a terminal is never taken); inside
 * a copied directory it is skipped. */
struct ward_copy_opts {
	/* bytes the copy may write (file data; holes stay holes and count nothing); past it
	 * the copy stops and removes what it wrote. 0: WARD_COPY_DEFAULT_MAX */
	uint64_t max_bytes;
	/* called for each entry left out of a directory copy; may be NULL */
	void (*skipped)(const char *path, const char *why, void *arg);
	void *arg;
};

#define WARD_COPY_DEFAULT_MAX (1ull << 30)

/* PATH inside → OUT (a regular file only, at most max_bytes long). */
int ward_file_read(int rootfd, const char *path, int out, struct ward_error *e);
int ward_file_read_opts(int rootfd, const char *path, int out, const struct ward_copy_opts *o,
                        struct ward_error *e);
/* IN → PATH inside, created or atomically replaced (a symlink there is replaced, not
 * followed), with MODE; the parent directory must exist. */
int ward_file_write(int rootfd, const char *path, int in, unsigned mode, struct ward_error *e);
/* The same; FLAGS: WARD_FILE_PARENTS makes missing parent directories (0755, with the
 * caller's fs ids), each resolved inside the root as PATH is. */
#define WARD_FILE_PARENTS 1u
int ward_file_write_flags(int rootfd, const char *path, int in, unsigned mode, unsigned flags,
                          struct ward_error *e);
/* Host paths or patterns → DEST inside. A pattern may use * ? [..] per component and ** for
 * any depth; matches keep their paths relative to the pattern's fixed leading directories.
 * With one plain source and a DEST that is not a directory, DEST is the new name. */
int ward_copy_in(int rootfd, char *const *sources, size_t n, const char *dest,
                 struct ward_error *e);
/* SRC inside → HOSTDEST (into it, when it is an existing directory). The copy is made
 * under a temporary name next to its destination and renamed into place once complete (a
 * directory never merges into an existing one); hard links inside it stay links, modes get
 * the caller's umask and never o+w. NULL opts: the defaults. */
int ward_copy_out(int rootfd, const char *src, const char *hostdest, struct ward_error *e);
int ward_copy_out_opts(int rootfd, const char *src, const char *hostdest,
                       const struct ward_copy_opts *o, struct ward_error *e);

#endif
