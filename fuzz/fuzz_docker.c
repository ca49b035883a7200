/* libFuzzer target: the docker-archive reader. The input is the archive's manifest.json;
 * the archive around it (built here, in memory) also holds a valid layer and a config whose
 * diff_id matches it, so that inputs naming them reach the conversion, the blob checks and
 * the import behind them. Imported into a throwaway store emptied after each input. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "digest.h"
#include "image.h"
#include "unpack.h"

static int storefd = -1;
static struct ward_context *ctx; /* the throwaway store; no log */
static char layer[1024], config[512];
static size_t layer_len, config_len;

/* One ustar member: header, data, padding. */
static void member(FILE *f, const char *name, const void *data, size_t len)
{
	unsigned char h[512] = {0};
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011zo", len);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (size_t i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	fwrite(h, 1, 512, f);
	fwrite(data, 1, len, f);
	static const char zero[512];
	fwrite(zero, 1, (512 - len % 512) % 512, f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	char dir[4096];
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/ward-fuzz-docker-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir) || (storefd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	if (ward_context_new(&ctx, NULL) < 0 || ward_context_set_store_dir(ctx, dir, NULL) < 0)
		abort();
	/* the layer: one file; the config names its sha256 as the diff_id */
	FILE *f = fmemopen(layer, sizeof(layer), "w");
	member(f, "hello", "hi\n", 3);
	fclose(f);
	layer_len = 1024;
	char diff_id[DIGEST_LEN + 1];
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, layer, layer_len);
	sha256_final(&h, diff_id);
	config_len = (size_t)snprintf(config, sizeof(config),
	                              "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
	                              "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
	                              diff_id);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("archive", MFD_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(dup(fd), "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	member(f, "layer.tar", layer, layer_len);
	member(f, "config.json", config, config_len);
	member(f, "manifest.json", data, size);
	static const char end[1024];
	fwrite(end, 1, sizeof(end), f);
	fclose(f);
	char ref[64], name[WARD_IMAGE_NAME_MAX];
	snprintf(ref, sizeof(ref), "docker-archive:/proc/self/fd/%d", fd);
	const struct ward_image_opts o = {.ctx = ctx};
	struct ward_error e;
	image_import(ref, &o, name, &e);
	close(fd);
	remove_contents(storefd);
	return 0;
}
