/* The directories ward keeps its own files in: the state root, the image store and the
 * filter cache. Each is reached from / one component at a time (no symlink followed
 * unless root or the caller made it), and every directory on the way must be root's or the
 * caller's and writable by no one else unless sticky: a directory another local user can
 * write or take first could lock the caller out of ward or hand it their files. So never a
 * name in a shared directory such as /tmp/ward-UID. */
#ifndef WARD_USERDIR_H
#define WARD_USERDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "context.h"
#include "ward/error.h"

enum userdir_kind { USERDIR_STATE, USERDIR_DATA, USERDIR_CACHE };

/* BASE (absolute; it must exist unless MAKE_BASE) and then SUB in it (NULL or relative,
 * made 0700 where missing), checked on the way: a read-only directory fd of the result,
 * which must be the caller's and writable by no one else; or -1 with E naming WHAT and
 * the culprit. */
int userdir_open(const char *what, const char *base, const char *sub, bool make_base,
                 struct ward_error *e);

/* Refuse (naming WHAT) an fd that is not the caller's or that others may write. */
int userdir_check_owned(int fd, const char *what, struct ward_error *e);

/* The caller's default directory of KIND. Root: /run/ward, /var/lib/ward,
 * /var/cache/ward/seccomp. Others, the first usable of: $XDG_RUNTIME_DIR/ward,
 * /run/user/UID/ward, $XDG_STATE_HOME/ward, ~/.local/state/ward (state);
 * $XDG_DATA_HOME/ward, ~/.local/share/ward (store); $XDG_CACHE_HOME/ward/seccomp,
 * ~/.cache/ward/seccomp (cache), where ~ is $HOME or else the passwd entry's home. An XDG
 * directory that is not usable is skipped, with a warning when WARN; an unusable home is
 * an error. Warnings go to C's log. Its path goes to PATH (LEN bytes; a longer one is refused,
 * naming WHAT's variable ENV to set). Returns the fd as userdir_open does. */
int userdir_default(const struct ward_context *c, enum userdir_kind kind, const char *what,
                    const char *env, char *path, size_t len, bool warn, struct ward_error *e);

#endif
