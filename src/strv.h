/* NULL-terminated string vectors: a helper at the bottom, shared by the launcher and
 * rootfs-tools. */
#ifndef WARD_STRV_H
#define WARD_STRV_H

/* Free V and its strings (V may be NULL). */
void strv_free(char **v);

#endif
