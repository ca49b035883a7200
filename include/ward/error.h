/* ward/error.h: how every fallible libward call reports failure. */
#ifndef WARD_ERROR_H
#define WARD_ERROR_H

/* Every fallible call returns 0 (or a count) on success, -1 on failure, and fills one of
 * these. */
struct ward_error {
	int err;        /* errno of the cause, 0 when not a system error */
	char msg[1024]; /* "<what>: <why>" without the "ward: " prefix */
};

/* Fill E (may be NULL) with the message, followed by ": strerror(ERR)" when ERR is not 0.
 * Returns -1, so that "return ward_error_set(...)" reports and fails in one line. */
int ward_error_set(struct ward_error *e, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "<prefix>: <the message so far>", the cause unchanged. Returns -1. */
int ward_error_prefix(struct ward_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
