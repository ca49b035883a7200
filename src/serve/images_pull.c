/* POST /images/create (a pull) and POST /images/{name}/push: a worker process does the
 * registry work and writes Docker's JSON progress lines to a pipe that the reply streams;
 * an error after the stream began is the last line, as {"errorDetail": …, "error": …}. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "images.h"
#include "serve.h"

/* One JSON line to FD (a pipe: whole lines below PIPE_BUF arrive whole). */
static void put(int fd, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!s)
		return;
	size_t n = strlen(s);
	char *line = realloc(s, n + 2);
	if (!line) {
		free(s);
		return;
	}
	line[n] = '\n';
	line[n + 1] = 0;
	for (size_t off = 0; off < n + 1;) {
		ssize_t w = write(fd, line + off, n + 1 - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(line);
}

struct feed {
	int fd;
	const char *tag; /* the id of the overall lines */
	bool push;
};

/* The library's log lines as Docker's progress: "pulling D/N layers G/T MB …" is the
 * overall download, "layer I/N sha256:…: …" one layer done. */
static void on_log(enum ward_log_level level, const char *msg, void *arg)
{
	struct feed *f = arg;
	size_t done, all;
	double got, total;
	char digest[24];
	unsigned i, n;
	if (level == WARD_LOG_PROGRESS) {
		if (sscanf(msg, "pulling %zu/%zu layers %lf/%lf MB", &done, &all, &got, &total) ==
		    4)
			put(f->fd,
			    json_pack("{s:s, s:{s:I, s:I}, s:s, s:s}", "status", "Downloading",
			              "progressDetail", "current", (json_int_t)(got * 1e6), "total",
			              (json_int_t)(total * 1e6), "progress", msg, "id", f->tag));
		return;
	}
	if (sscanf(msg, "layer %u/%u sha256:%12[0-9a-f]", &i, &n, digest) == 3) {
		bool had = strstr(msg, "already in the store") != NULL;
		put(f->fd, json_pack("{s:s, s:{}, s:s}", "status",
		                     had ? (f->push ? "Layer already exists" : "Already exists")
		                         : (f->push ? "Pushed" : "Pull complete"),
		                     "progressDetail", "id", digest));
		return;
	}
	put(f->fd, json_pack("{s:s}", "status", msg));
}

static const char *id_of(struct ward_store *st, const char *name, char id[80])
{
	struct ward_image_info *v;
	size_t n;
	struct ward_error e = {0};
	id[0] = 0;
	if (ward_image_list(st, &v, &n, &e) < 0)
		return id;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			snprintf(id, 80, "%s", v[i].id);
	free(v);
	return id;
}

static int registry_work(struct serve *srv, json_t *in, json_t **out, int pfd, struct ward_error *e)
{
	const char *ref = json_string_value(json_object_get(in, "ref"));
	const char *tag = json_string_value(json_object_get(in, "tag"));
	bool push = json_is_true(json_object_get(in, "push"));
	struct ward_registry_opts o = {
	    .platform = json_string_value(json_object_get(in, "platform")),
	    .creds = json_string_value(json_object_get(in, "creds")),
	};
	struct feed f = {.fd = pfd, .tag = tag, .push = push};
	ward_context_set_log(srv->ctx, on_log, &f);
	char repo[WARD_IMAGE_NAME_MAX];
	snprintf(repo, sizeof(repo), "%.*s", (int)strcspn(ref, "@"), ref);
	char *colon = strrchr(repo, ':');
	if (colon && !strchr(colon, '/'))
		*colon = 0;
	char line[400];
	if (push) {
		snprintf(line, sizeof(line), "The push refers to repository [%s]", repo);
		put(pfd, json_pack("{s:s}", "status", line));
		if (ward_image_push(srv->store, ref, NULL, &o, e) < 0)
			return -1;
		char id[80];
		put(pfd, json_pack("{s:s, s:{s:s, s:s}}", "status", "Pushed", "aux", "Tag", tag,
		                   "Digest", id_of(srv->store, ref, id)));
		*out = NULL;
		return 0;
	}
	snprintf(line, sizeof(line), "Pulling from %s", repo);
	put(pfd, json_pack("{s:s, s:s}", "status", line, "id", tag));
	char name[WARD_IMAGE_NAME_MAX], before[80], after[80];
	id_of(srv->store, img_short(ref), before);
	if (ward_image_pull(srv->store, ref, &o, name, e) < 0)
		return -1;
	id_of(srv->store, name, after);
	snprintf(line, sizeof(line), "Digest: %s", after);
	put(pfd, json_pack("{s:s}", "status", line));
	snprintf(line, sizeof(line), "Status: %s for %s",
	         strcmp(before, after) ? "Downloaded newer image" : "Image is up to date", name);
	put(pfd, json_pack("{s:s}", "status", line));
	*out = json_pack("{s:s, s:s}", "name", name, "id", after);
	return 0;
}

struct job {
	struct serve *srv;
	json_t *in;
	int fd;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	json_t *out = NULL;
	struct ward_error e = {0};
	if (api_worker(j->srv, registry_work, j->in, &out, j->fd, &e) < 0)
		put(j->fd,
		    json_pack("{s:{s:s}, s:s}", "errorDetail", "message", e.msg, "error", e.msg));
	json_decref(out);
	json_decref(j->in);
	close(j->fd);
	free(j);
	return NULL;
}

/* X-Registry-Auth's username and password as "USER:PASS" into IN's "creds"; -1 with a 400
 * replied when the header is not what Docker sends. */
static int auth_creds(struct api_req *r, json_t *in)
{
	const char *h = api_header(r, "X-Registry-Auth");
	if (!h || !h[0])
		return 0;
	char buf[8192];
	json_t *a = img_b64_decode(h, buf, sizeof(buf)) == 0 ? json_loads(buf, 0, NULL) : NULL;
	if (!json_is_object(a)) {
		json_decref(a);
		api_reply_error(r, 400, "X-Registry-Auth: expected base64url of a JSON object");
		return -1;
	}
	const char *u = json_string_value(json_object_get(a, "username"));
	const char *p = json_string_value(json_object_get(a, "password"));
	const char *tok = json_string_value(json_object_get(a, "identitytoken"));
	if (tok && tok[0]) {
		json_decref(a);
		api_reply_error(r, 400, "X-Registry-Auth: identitytoken: not supported by ward");
		return -1;
	}
	if (u && u[0]) {
		char *c = NULL;
		if (asprintf(&c, "%s:%s", u, p ? p : "") > 0) {
			json_object_set_new(in, "creds", json_string(c));
			free(c);
		}
	}
	json_decref(a);
	return 0;
}

static void stream_job(struct api_req *r, json_t *in)
{
	int p[2];
	struct job *j = malloc(sizeof(*j));
	if (!j || pipe2(p, O_CLOEXEC) < 0) {
		free(j);
		json_decref(in);
		api_reply_error(r, 500, "a pipe for the progress: %s", strerror(errno));
		return;
	}
	*j = (struct job){.srv = r->srv, .in = in, .fd = p[1]};
	pthread_t th;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(&th, &at, job_main, j);
	pthread_attr_destroy(&at);
	if (err) {
		close(p[0]);
		close(p[1]);
		json_decref(in);
		free(j);
		api_reply_error(r, 500, "a thread for the pull: %s", strerror(err));
		return;
	}
	api_reply_stream(r, 200, "application/json", p[0]);
}

void srv_image_pull(struct api_req *r)
{
	const char *from = api_query(r, "fromImage"), *tag = api_query(r, "tag");
	const char *src = api_query(r, "fromSrc"), *platform = api_query(r, "platform");
	if (src && src[0]) {
		api_reply_error(r, 501,
		                "fromSrc: importing a tar is not supported by ward (ward "
		                "image import takes OCI and docker archives)");
		return;
	}
	if (!from || !from[0]) {
		api_reply_error(r, 400, "fromImage: missing (the image to pull)");
		return;
	}
	char ref[WARD_IMAGE_NAME_MAX + 80];
	if (img_pull_ref(from, tag, ref, sizeof(ref)) < 0) {
		api_reply_error(r, 400, "fromImage %s: too long", from);
		return;
	}
	const char *t = strrchr(ref, '@') ? strrchr(ref, '@') + 1 : strrchr(ref, ':') + 1;
	json_t *in = json_pack("{s:s, s:s, s:b}", "ref", ref, "tag", t, "push", 0);
	if (platform && platform[0])
		json_object_set_new(in, "platform", json_string(platform));
	if (auth_creds(r, in) < 0) {
		json_decref(in);
		return;
	}
	stream_job(r, in);
}

void srv_image_push(struct api_req *r)
{
	const char *tag = api_query(r, "tag");
	struct ward_image_info *v;
	size_t n;
	struct ward_error e = {0};
	char ref[WARD_IMAGE_NAME_MAX + 80];
	if (img_pull_ref(img_short(r->arg[0]), tag, ref, sizeof(ref)) < 0) {
		api_reply_error(r, 400, "push %s: too long", r->arg[0]);
		return;
	}
	if (ward_image_list(r->srv->store, &v, &n, &e) < 0) {
		api_reply_ward_error(r, 500, &e);
		return;
	}
	bool found = false;
	for (size_t i = 0; i < n && !found; i++)
		found = !strcmp(v[i].name, ref);
	free(v);
	if (!found) {
		api_reply_error(r, 404, "No such image: %s", ref);
		return;
	}
	const char *c = strrchr(ref, ':');
	json_t *in =
	    json_pack("{s:s, s:s, s:b}", "ref", ref, "tag", c ? c + 1 : "latest", "push", 1);
	if (auth_creds(r, in) < 0) {
		json_decref(in);
		return;
	}
	stream_job(r, in);
}
