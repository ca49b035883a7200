/* The public image API (ward/image.h): a store handle that carries the context, and images
 * as opaque handles over rootfs-tools' internal calls. */
#include <errno.h>
#include <stdlib.h>

#include "context.h"
#include "image.h"
#include "store.h"

struct ward_store {
	const struct ward_context *ctx;
};

int ward_store_open(struct ward_context *c, struct ward_store **out, struct ward_error *e)
{
	*out = NULL;
	struct store st;
	/* Opened once here so that a store that cannot be used fails now, naming it. */
	if (store_open(&st, c, e) < 0)
		return -1;
	store_close(&st);
	if (!(*out = calloc(1, sizeof(**out))))
		return ward_error_set(e, ENOMEM, "image store");
	(*out)->ctx = c;
	return 0;
}

void ward_store_close(struct ward_store *st)
{
	free(st);
}

static struct ward_image_opts opts(const struct ward_store *st, const char *name)
{
	return (struct ward_image_opts){
	    .ctx = st->ctx, .name = name, .quiet = !st->ctx || !st->ctx->log};
}

int ward_image_open(struct ward_store *st, const char *ref, struct ward_image **out,
                    struct ward_error *e)
{
	*out = NULL;
	struct ward_image *img = calloc(1, sizeof(*img));
	if (!img)
		return ward_error_set(e, ENOMEM, "image %s", ref);
	const struct ward_image_opts o = opts(st, NULL);
	if (image_open(ref, &o, img, e) < 0) {
		free(img);
		return -1;
	}
	*out = img;
	return 0;
}

void ward_image_close(struct ward_image *img)
{
	if (!img)
		return;
	image_close(img);
	free(img);
}
