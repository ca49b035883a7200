/* Strings and NULL-terminated string vectors: helpers at the bottom, shared by the launcher,
 * rootfs-tools and the API's setters. */
#ifndef WARD_STRV_H
#define WARD_STRV_H

/* Free V and its strings (V may be NULL). */
void strv_free(char **v);

struct ward_error;
/* Replace *FIELD with a copy of VALUE (NULL clears it); WHAT names it if memory runs out. */
int str_replace(char **field, const char *value, const char *what, struct ward_error *e);

#endif
