/* libFuzzer target: --publish, --network, --dns and ward_spec_add_host. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size);
	if (!text)
		return 0;
	struct ward_spec s;
	struct ward_error e;
	spec_init(&s);
	/* many entries: the duplicate check and the table's bound */
	for (int i = 0; i < 40; i++)
		ward_spec_add_publish(&s, text, &e);
	ward_spec_set_network(&s, text, &e);
	for (int i = 0; i < 4; i++)
		ward_spec_add_dns(&s, text, &e);
	for (int i = 0; i < 70; i++)
		ward_spec_add_host(&s, text, &e);
	spec_clear(&s);
	free(text);
	return 0;
}
