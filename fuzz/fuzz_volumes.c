/* libFuzzer target: the SANDBOX_VOLUMES / -v grammar, --tmpfs and SANDBOX_USER_ID. */
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
	ward_spec_init(&s);
	ward_spec_add_volumes(&s, text, "SANDBOX_VOLUMES", &e);
	ward_spec_add_tmpfs(&s, text, &e);
	ward_spec_set_user_id(&s, text, "--user-id", &e);
	ward_spec_free(&s);
	free(text);
	return 0;
}
