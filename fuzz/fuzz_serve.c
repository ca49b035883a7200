/* libFuzzer target: ward serve's request path without a socket: the version prefix, the
 * query string, the router's patterns (the groups' shapes, "{*}" in the middle included),
 * the body as JSON and the reply functions, recorded in the connection as http.c would
 * send them. Input: METHOD ' ' PATH['?'QUERY] '\n' BODY. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static void handler(struct api_req *r)
{
	long n;
	api_query_bool(r, "all", false);
	if (api_query_long(r, "t", 10, &n) < 0)
		return;
	json_t *j = api_body_json(r);
	if (!j)
		return;
	json_object_set_new(j, "arg0", json_string(r->arg[0] ? r->arg[0] : ""));
	json_object_set_new(j, "arg1", json_string(r->arg[1] ? r->arg[1] : ""));
	if (api_header(r, "Upgrade"))
		api_reply_error(r, 400, "%s", json_string_value(json_object_get(j, "arg0")));
	api_reply_json(r, 200, j); /* a second reply after an error: ignored */
}

/* Every table here: the real groups' are not linked (their handlers touch the host). */
#define R(m, p)                                                                                    \
	{                                                                                          \
		m, p, handler                                                                      \
	}
const struct api_route api_routes_system[] = {R("GET", "/_ping"), R("GET", "/version"), {0}};
const struct api_route api_routes_containers[] = {R("POST", "/containers/create"),
                                                  R("GET", "/containers/{}/json"),
                                                  R("POST", "/containers/{}/kill"),
                                                  R("DELETE", "/containers/{}"),
                                                  {0}};
const struct api_route api_routes_exec[] = {R("POST", "/exec/{}/start"), {0}};
const struct api_route api_routes_images[] = {R("GET", "/images/{*}/json"),
                                              R("POST", "/images/{*}/tag"),
                                              R("GET", "/images/{*}/history"),
                                              R("DELETE", "/images/{*}"),
                                              {0}};
const struct api_route api_routes_networks[] = {R("POST", "/networks/{}/{}"), {0}};
const struct api_route api_routes_archive[] = {R("PUT", "/containers/{}/archive"), {0}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char *nl = memchr(text, '\n', size);
	const char *body = nl ? nl + 1 : "";
	size_t body_len = nl ? size - (size_t)(nl + 1 - text) : 0;
	if (nl)
		*nl = '\0';
	char *path = strchr(text, ' ');
	if (path)
		*path++ = '\0';
	else
		path = text + strlen(text);
	char *query = strchr(path, '?');
	if (query)
		*query++ = '\0';
	struct http_conn c = {0};
	c.reply.fd = -1;
	struct api_req r = {
	    .method = text, .body = body, .body_len = body_len, .body_fd = -1, .conn = &c};
	http_add_kv(&c.headers, &c.n_headers, "Upgrade", strlen(body) & 1 ? "tcp" : NULL);
	if (http_parse_query(&c, query) == 0 && http_split_version(&r, &c, *path ? path : "/") == 0)
		api_dispatch(&r);
	http_conn_release(&c);
	free(text);
	return 0;
}
