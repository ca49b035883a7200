/* libFuzzer target: ward serve's JSON mapping, POST /containers/create's body (Docker's
 * Config + HostConfig) → a ward spec (ctr_spec_from_body), against a store holding one tiny
 * image made at start-up. Input: the body. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "containers.h"

static struct ward_context *ctx;
static struct ward_store *store;

static void die(const char *what, const struct ward_error *e)
{
	fprintf(stderr, "fuzz_serve_create: %s: %s\n", what, e->msg);
	exit(1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	struct ward_error e;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[512], root[600], sub[640];
	snprintf(dir, sizeof(dir), "%s/fuzz-serve-create.XXXXXX", tmp);
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	snprintf(root, sizeof(root), "%s/root", dir);
	mkdir(root, 0755);
	snprintf(sub, sizeof(sub), "%s/etc", root);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/etc/passwd", root);
	FILE *f = fopen(sub, "w");
	if (!f)
		return perror(sub), 1;
	fputs("root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n", f);
	fclose(f);
	snprintf(sub, sizeof(sub), "%s/store", dir);
	if (ward_context_new(&ctx, &e) < 0 || ward_context_set_store_dir(ctx, sub, &e) < 0 ||
	    ward_store_open(ctx, &store, &e) < 0)
		die("store", &e);
	if (ward_image_pack(store, root, "fuzz:1", "{\"Cmd\":[\"/bin/sh\"],\"Env\":[\"A=1\"]}",
	                    NULL, &e) < 0)
		die("image pack", &e);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *body = json_loadb((const char *)data, size, JSON_DISABLE_EOF_CHECK, NULL);
	if (!json_is_object(body)) {
		json_decref(body);
		return 0;
	}
	/* the one image there is, unless the input names a string of its own */
	if (!json_is_string(json_object_get(body, "Image")) || size % 7 == 0)
		json_object_set_new(body, "Image", json_string("fuzz:1"));
	struct ward_spec *s = NULL;
	struct ward_image *img = NULL;
	char msg[512];
	int status =
	    ctr_spec_from_body(store, body, size % 3 ? NULL : "fuzzed", &s, &img, msg, sizeof(msg));
	if (status == 0) {
		struct ward_error e;
		ward_spec_validate(s, &e);
	} else if (!msg[0]) {
		abort(); /* every refusal names its culprit */
	}
	ward_spec_free(s);
	ward_image_close(img);
	json_decref(body);
	return 0;
}
