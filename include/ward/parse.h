/* ward/parse.h: the grammars of ward's options, for front ends that take the same text. */
#ifndef WARD_PARSE_H
#define WARD_PARSE_H

#include <stdint.h>

#include "ward/error.h"

/* A whole number of seconds, at least 1 (--timeout), naming the text in errors. */
int ward_parse_timeout(const char *text, unsigned *out, struct ward_error *e);
/* A whole decimal number, nothing else. */
int ward_parse_count(const char *text, uint64_t *out);
/* Sizes: 123, 64k, 256m, 1g, 1.5g (powers of 1024). */
int ward_parse_size(const char *text, uint64_t *out);

#endif
