/* api_dispatch: a request's path against each group's route table. */
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* Empty until a group's file defines its table (a strong definition wins at link time; the
 * serve objects are linked whole, not pulled from an archive). */
#define EMPTY_TABLE(name) __attribute__((weak)) const struct api_route name[] = {{0}}
EMPTY_TABLE(api_routes_containers);
EMPTY_TABLE(api_routes_exec);
EMPTY_TABLE(api_routes_images);
EMPTY_TABLE(api_routes_networks);
EMPTY_TABLE(api_routes_archive);

#define MAX_CAPS 3

struct caps {
	const char *start[MAX_CAPS];
	size_t len[MAX_CAPS];
	int n;
};

static bool match(const char *pat, const char *path, struct caps *c);

/* "{*}" then SUFFIX: the longest capture (one segment at least) after which SUFFIX matches. */
static bool match_rest(const char *suffix, const char *path, struct caps *c)
{
	size_t len = strlen(path);
	if (c->n >= MAX_CAPS || len == 0)
		return false;
	int i = c->n++;
	c->start[i] = path;
	if (!*suffix) {
		c->len[i] = len;
		return true;
	}
	for (size_t k = len; k-- > 1;) {
		if (path[k] != '/')
			continue;
		c->len[i] = k;
		struct caps saved = *c;
		if (match(suffix, path + k, c))
			return true;
		*c = saved;
	}
	c->n--;
	return false;
}

static bool match(const char *pat, const char *path, struct caps *c)
{
	while (*pat) {
		if (!strncmp(pat, "{*}", 3))
			return match_rest(pat + 3, path, c);
		if (!strncmp(pat, "{}", 2)) {
			size_t len = strcspn(path, "/");
			if (len == 0 || c->n >= MAX_CAPS)
				return false;
			c->start[c->n] = path;
			c->len[c->n++] = len;
			path += len;
			pat += 2;
			continue;
		}
		if (*pat++ != *path++)
			return false;
	}
	return *path == '\0';
}

static const struct api_route *const *tables(void)
{
	static const struct api_route *const t[] = {api_routes_system,
	                                            api_routes_containers,
	                                            api_routes_exec,
	                                            api_routes_images,
	                                            api_routes_networks,
	                                            api_routes_archive,
	                                            NULL};
	return t;
}

/* The route for R's method and path: exact method first, then GET for HEAD. *PATH_SEEN when
 * some route has the path under another method. */
static const struct api_route *find(const struct api_req *r, const char *method, struct caps *c,
                                    bool *path_seen)
{
	for (const struct api_route *const *t = tables(); *t; t++)
		for (const struct api_route *rt = *t; rt->pattern; rt++) {
			struct caps k = {0};
			if (!match(rt->pattern, r->path, &k))
				continue;
			if (strcmp(rt->method, method)) {
				*path_seen = true;
				continue;
			}
			*c = k;
			return rt;
		}
	return NULL;
}

void api_dispatch(struct api_req *r)
{
	struct caps c = {0};
	bool seen = false;
	const struct api_route *rt = find(r, r->method, &c, &seen);
	if (!rt && !strcmp(r->method, "HEAD"))
		rt = find(r, "GET", &c, &seen);
	if (!rt) {
		if (seen)
			api_reply_error(r, 405, "method not allowed");
		else
			api_reply_error(r, 404, "page not found");
		return;
	}
	char *arg[MAX_CAPS] = {0};
	for (int i = 0; i < c.n; i++) {
		if (!(arg[i] = strndup(c.start[i], c.len[i]))) {
			api_reply_error(r, 500, "out of memory");
			goto out;
		}
		r->arg[i] = arg[i];
	}
	rt->fn(r);
	if (!r->replied)
		api_reply_error(r, 500, "%s %s: the handler made no reply", r->method, r->path);
out:
	for (int i = 0; i < MAX_CAPS; i++) {
		free(arg[i]);
		r->arg[i] = NULL;
	}
}
