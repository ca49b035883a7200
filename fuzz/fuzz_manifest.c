/* libFuzzer target: OCI/Docker index, manifest and config documents. */
#include <stdint.h>
#include <stdlib.h>

#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	struct ward_error e;
	struct descriptor d;
	enum doc_kind kind;
	index_select(json, size, NULL, &d, &kind, &e);
	index_select(json, size, "latest", &d, &kind, &e);
	document_kind(json, size, MT_OCI_MANIFEST, &kind, &e);
	struct manifest m;
	if (manifest_parse(json, size, &m, &e) == 0)
		manifest_free(&m);
	struct image_config c;
	if (config_parse(json, size, 1, &c, &e) == 0)
		config_free(&c);
	return 0;
}
