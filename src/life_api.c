/* A sandbox's life past ward_sandbox_create: made without starting, started again from its
 * config with the files it wrote, restarted. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox.h"
#include "spec_json.h"

int ward_sandbox_create(struct ward_context *c, struct ward_spec *s, struct ward_sandbox **out,
                        bool *reused, struct ward_error *e)
{
	bool r;
	struct ward_sandbox *sb;
	char id[STATE_ID_LEN + 1];
	*out = NULL;
	/* the handle first: nothing can fail once the sandbox runs */
	if (spec_prepare(c, s, true, e) < 0 || sandbox_handle(c, "", "", &sb, e) < 0)
		return -1;
	s->keep_upper = !s->auto_remove && !s->read_only;
	if (sandbox_create_start(c, s, id, reused ? reused : &r, e) < 0) {
		ward_sandbox_close(sb);
		return -1;
	}
	snprintf(sb->id, sizeof(sb->id), "%s", id);
	char *ref = strdup(id);
	if (ref) {
		free(sb->ref);
		sb->ref = ref;
	}
	/* reused: one of that name and spec; a stopped or created one starts again */
	if ((reused ? *reused : r) && ward_sandbox_start(sb, e) < 0) {
		ward_sandbox_close(sb);
		return -1;
	}
	*out = sb;
	return 0;
}

int ward_sandbox_new(struct ward_context *c, struct ward_spec *s, struct ward_sandbox **out,
                     struct ward_error *e)
{
	char id[STATE_ID_LEN + 1];
	*out = NULL;
	if (spec_prepare(c, s, true, e) < 0 || sandbox_define(c, s, id, e) < 0)
		return -1;
	return ward_sandbox_open(c, id, out, e);
}

/* The spec ID was made with, its image opened again by id (its tree unpacked again if it was
 * pruned; an image removed from the store is an error naming it). */
static int load_spec(struct ward_sandbox *sb, struct ward_spec *s, struct ward_store **store,
                     struct ward_image **img, struct ward_error *e)
{
	struct state st;
	json_t *cfg = NULL;
	if (state_open(&st, sb->ctx, e) < 0)
		return -1;
	int rc = state_read_config(&st, sb->id, &cfg, e);
	state_close(&st);
	if (rc < 0)
		return -1;
	rc = spec_from_json(s, cfg, e);
	json_t *image = json_object_get(cfg, "image");
	const char *id = json_string_value(json_object_get(image, "id"));
	const char *name = json_string_value(json_object_get(image, "name"));
	if (rc == 0 && id) {
		rc = ward_store_open(sb->ctx, store, e) < 0 ||
		             ward_image_open(*store, id, img, e) < 0
		         ? -1
		         : 0;
		if (rc < 0)
			ward_error_prefix(e, "sandbox %s: its image %s", sb->ref, name ? name : id);
		else
			rc = str_replace(&s->rootfs, ward_image_config(*img)->rootfs, "rootfs", e);
		if (rc == 0)
			s->image = *img;
	}
	json_decref(cfg);
	return rc;
}

int ward_sandbox_start(struct ward_sandbox *sb, struct ward_error *e)
{
	struct ward_sandbox_info info;
	if (ward_sandbox_inspect(sb, &info, e) < 0)
		return ward_error_prefix(e, "start");
	ward_sandbox_info_release(&info);
	/* running or paused: nothing to do (a stopped one whose supervisor is still exiting is
	 * waited for below) */
	if (info.alive &&
	    (info.status == WARD_SANDBOX_RUNNING || info.status == WARD_SANDBOX_PAUSED))
		return 0;
	struct ward_spec s;
	struct ward_store *store = NULL;
	struct ward_image *img = NULL;
	spec_init(&s);
	int rc = load_spec(sb, &s, &store, &img, e);
	if (rc == 0)
		rc = sandbox_start_existing(sb->ctx, sb->id, &s, e);
	if (rc < 0)
		ward_error_prefix(e, "start %s", sb->ref);
	ward_image_close(img);
	ward_store_close(store);
	spec_clear(&s);
	return rc < 0 ? -1 : 0;
}

int ward_sandbox_restart(struct ward_sandbox *sb, unsigned grace_s, struct ward_error *e)
{
	struct ward_sandbox_info info;
	if (ward_sandbox_inspect(sb, &info, e) < 0)
		return -1;
	bool up = info.status == WARD_SANDBOX_RUNNING || info.status == WARD_SANDBOX_PAUSED;
	ward_sandbox_info_release(&info);
	if (up && ward_sandbox_stop(sb, grace_s, e) < 0)
		return -1;
	return ward_sandbox_start(sb, e);
}
