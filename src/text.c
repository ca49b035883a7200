/* Whole numbers, below everything else (rootfs-tools parses with it too). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "ward/ward.h"

int ward_parse_count(const char *text, uint64_t *out)
{
	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}
