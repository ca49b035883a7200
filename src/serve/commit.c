/* POST /commit: a container's files as a new image (ward_sandbox_commit, in a worker: it
 * pauses the sandbox and writes the store). The image keeps the sandbox's own config;
 * changes to it (the body's config, ?changes=) are refused, not ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "images.h"
#include "serve.h"

static int commit_work(struct serve *srv, json_t *in, json_t **out, int pfd, struct ward_error *e)
{
	(void)pfd;
	struct ward_sandbox *sb;
	char id[80] = "";
	if (ward_sandbox_open(srv->ctx, json_string_value(json_object_get(in, "container")), &sb,
	                      e) < 0)
		return -1;
	const char *msg = json_string_value(json_object_get(in, "message"));
	int rc = ward_sandbox_commit(sb, srv->store, json_string_value(json_object_get(in, "name")),
	                             msg && msg[0] ? msg : NULL, id, e);
	ward_sandbox_close(sb);
	if (rc == 0)
		*out = json_pack("{s:s}", "Id", id);
	return rc;
}

/* The first config field the body sets (a change ward would not make), or NULL. */
static const char *config_change(json_t *b)
{
	const char *key;
	json_t *v;
	json_object_foreach(b, key, v)
	{
		bool empty = json_is_null(v) || json_is_false(v) ||
		             (json_is_string(v) && !json_string_length(v)) ||
		             (json_is_array(v) && !json_array_size(v)) ||
		             (json_is_object(v) && !json_object_size(v)) ||
		             (json_is_integer(v) && !json_integer_value(v));
		if (!empty)
			return key;
	}
	return NULL;
}

void srv_commit(struct api_req *r)
{
	const char *cref = api_query(r, "container"), *repo = api_query(r, "repo");
	const char *tag = api_query(r, "tag"), *comment = api_query(r, "comment");
	const char *author = api_query(r, "author"), *changes = api_query(r, "changes");
	if (!cref || !cref[0]) {
		api_reply_error(r, 400, "container: missing (the container to commit)");
		return;
	}
	if (!repo || !repo[0]) {
		api_reply_error(r, 400, "repo: missing (ward keeps only named images)");
		return;
	}
	if (changes && changes[0]) {
		api_reply_error(r, 400,
		                "changes: not supported by ward (the image keeps the "
		                "container's config)");
		return;
	}
	json_t *b = api_body_json(r);
	if (!b)
		return;
	const char *field = config_change(b);
	if (field) {
		api_reply_error(
		    r, 400, "%s: changing the config on commit is not supported by ward", field);
		json_decref(b);
		return;
	}
	json_decref(b);
	char name[WARD_IMAGE_NAME_MAX + 80];
	if (img_pull_ref(img_short(repo), tag, name, sizeof(name)) < 0 || strchr(name, '@')) {
		api_reply_error(r, 400, "repo %s, tag %s: not a name ward can give an image", repo,
		                tag ? tag : "");
		return;
	}
	struct ward_sandbox *sb;
	struct ward_error e = {0};
	const char *cname = cref[0] == '/' ? cref + 1 : cref;
	if (ward_sandbox_open(r->srv->ctx, cname, &sb, &e) < 0) {
		api_reply_error(r, 404, "No such container: %s", cref);
		return;
	}
	char msg[1024];
	snprintf(msg, sizeof(msg), "%s%s%s%s", comment ? comment : "",
	         author && author[0] ? (comment && comment[0] ? " (author: " : "(author: ") : "",
	         author && author[0] ? author : "", author && author[0] ? ")" : "");
	json_t *in = json_pack("{s:s, s:s, s:s}", "container", ward_sandbox_id(sb), "name", name,
	                       "message", msg),
	       *out = NULL;
	ward_sandbox_close(sb);
	if (api_worker(r->srv, commit_work, in, &out, -1, &e) < 0)
		api_reply_ward_error(r, 500, &e);
	else
		api_reply_json(r, 201, out);
	json_decref(in);
}
