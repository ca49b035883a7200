/* The public image API (ward/image.h): a store handle that carries the context, and images
 * as opaque handles over rootfs-tools' internal calls. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "context.h"
#include "image.h"
#include "registry.h"
#include "store.h"
#include "pull.h"

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
	return (struct ward_image_opts){.ctx = st->ctx, .name = name};
}

int ward_image_import(struct ward_store *st, const char *ref, const char *name,
                      char name_out[WARD_IMAGE_NAME_MAX], struct ward_error *e)
{
	char ignored[WARD_IMAGE_NAME_MAX];
	const struct ward_image_opts o = opts(st, name);
	return image_import(ref, &o, name_out ? name_out : ignored, e);
}

int ward_image_list(struct ward_store *st, struct ward_image_info **out, size_t *n,
                    struct ward_error *e)
{
	return image_list(st->ctx, out, n, e);
}

int ward_image_remove(struct ward_store *st, char *const *refs, size_t n, struct ward_error *e)
{
	return image_remove(st->ctx, refs, n, e);
}

int ward_image_prune(struct ward_store *st, uint64_t *freed_trees, uint64_t *freed_blobs,
                     struct ward_error *e)
{
	uint64_t t, b;
	return image_prune(st->ctx, freed_trees ? freed_trees : &t, freed_blobs ? freed_blobs : &b,
	                   e);
}

int ward_image_pack(struct ward_store *st, const char *dir, const char *name,
                    const char *config_json, char id_out[80], struct ward_error *e)
{
	if (id_out)
		id_out[0] = 0;
	const struct ward_image_opts o = opts(st, NULL);
	return image_pack(dir, name, config_json, &o, id_out, e);
}

/* Pull (PUSH false) or push under locks/gc shared: prune never collects a pull that has
 * not named its image yet, nor a pushed image's blobs. */
static int registry_job(struct ward_store *st, bool push, const char *ref, const char *dest,
                        const struct ward_registry_opts *o, char *name_out, struct ward_error *e)
{
	struct store s;
	struct descriptor md;
	if (store_open(&s, st->ctx, e) < 0)
		return -1;
	int gc = store_lock(&s, "gc", LOCK_SH, e), rc = -1;
	if (gc >= 0 && push)
		rc = image_push(&s, ref, dest, o, e);
	else if (gc >= 0)
		rc = image_pull(&s, ref, o, name_out, &md, e);
	if (gc >= 0)
		close(gc);
	store_close(&s);
	return rc;
}

int ward_image_pull(struct ward_store *st, const char *ref, const struct ward_registry_opts *o,
                    char name_out[WARD_IMAGE_NAME_MAX], struct ward_error *e)
{
	char ignored[WARD_IMAGE_NAME_MAX];
	return registry_job(st, false, ref, NULL, o, name_out ? name_out : ignored, e);
}

int ward_image_push(struct ward_store *st, const char *image, const char *dest,
                    const struct ward_registry_opts *o, struct ward_error *e)
{
	return registry_job(st, true, image, dest, o, NULL, e);
}

int ward_registry_login(struct ward_context *c, const char *registry, const char *user,
                        const char *password, const struct ward_registry_opts *o,
                        struct ward_error *e)
{
	const struct registry_opts ro = pull_registry_opts(c, o, REGISTRY_PULL);
	return registry_login(registry, user, password, &ro, e);
}

int ward_registry_logout(struct ward_context *c, const char *registry,
                         const struct ward_registry_opts *o, struct ward_error *e)
{
	const struct registry_opts ro = pull_registry_opts(c, o, REGISTRY_PULL);
	return registry_logout(registry, &ro, e);
}

int ward_image_open(struct ward_store *st, const char *ref, struct ward_image **out,
                    struct ward_error *e)
{
	return ward_image_open_pull(st, ref, WARD_PULL_MISSING, NULL, out, e);
}

int ward_image_open_pull(struct ward_store *st, const char *ref, enum ward_pull_policy policy,
                         const struct ward_registry_opts *ro, struct ward_image **out,
                         struct ward_error *e)
{
	*out = NULL;
	if (policy != WARD_PULL_MISSING && policy != WARD_PULL_ALWAYS && policy != WARD_PULL_NEVER)
		return ward_error_set(e, 0, "image %s: unknown pull policy %d", ref, (int)policy);
	struct ward_image *img = calloc(1, sizeof(*img));
	if (!img)
		return ward_error_set(e, ENOMEM, "image %s", ref);
	struct ward_image_opts o = opts(st, NULL);
	o.pull = policy;
	o.reg = ro;
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

int ward_image_tag(struct ward_store *st, const char *ref, const char *name, struct ward_error *e)
{
	const struct ward_image_opts o = opts(st, NULL);
	return image_tag(ref, name, &o, e);
}

int ward_image_history(struct ward_store *st, const char *ref, struct ward_image_layer **out,
                       size_t *n, struct ward_error *e)
{
	*out = NULL;
	*n = 0;
	const struct ward_image_opts o = opts(st, NULL);
	return image_history(ref, &o, out, n, e);
}

void ward_image_history_free(struct ward_image_layer *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].created_by);
		free(v[i].comment);
	}
	free(v);
}
