/* The main process's routes: attach and resize (attach.c), and GET/HEAD/PUT
 * /containers/{id}/archive (docker cp) over ward_sandbox_stat / tar_out / tar_in. A tar out
 * runs in a worker process (the tar writer is not thread-safe) writing to the reply's pipe. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach.h"
#include "serve.h"

/* Go's os.FileMode, as Docker's stat header has it. */
static uint32_t go_mode(unsigned mode)
{
	uint32_t m = mode & 0777;
	if (S_ISDIR(mode))
		m |= 1u << 31;
	else if (S_ISLNK(mode))
		m |= 1u << 27;
	else if (S_ISFIFO(mode))
		m |= 1u << 25;
	else if (S_ISSOCK(mode))
		m |= 1u << 24;
	else if (S_ISBLK(mode))
		m |= 1u << 26;
	else if (S_ISCHR(mode))
		m |= 1u << 26 | 1u << 21;
	if (mode & S_ISUID)
		m |= 1u << 23;
	if (mode & S_ISGID)
		m |= 1u << 22;
	if (mode & S_ISVTX)
		m |= 1u << 20;
	return m;
}

static char *base64(const char *in, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)(unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		*o++ = t[v >> 18 & 63];
		*o++ = t[v >> 12 & 63];
		*o++ = i + 1 < n ? t[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? t[v & 63] : '=';
	}
	*o = 0;
	return out;
}

/* The path's stat as the header, or the error replied (-1). */
static int stat_header(struct api_req *r, struct ward_sandbox *sb, const char *path)
{
	struct ward_path_stat st;
	struct ward_error e = {0};
	if (ward_sandbox_stat(sb, path, &st, &e) < 0) {
		if (e.err == ENOENT)
			api_reply_error(r, 404, "Could not find the file %s in container %s", path,
			                r->arg[0]);
		else
			api_reply_ward_error(r, 400, &e);
		return -1;
	}
	char t[40];
	json_t *j = json_pack("{s:s, s:I, s:I, s:s, s:s}", "name", st.name, "size",
	                      (json_int_t)st.size, "mode", (json_int_t)go_mode(st.mode), "mtime",
	                      api_time(st.mtime_ms, t), "linkTarget", st.link_target);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	char *b = text ? base64(text, strlen(text)) : NULL;
	if (b)
		api_reply_header(r, "X-Docker-Container-Path-Stat", b);
	free(b);
	free(text);
	json_decref(j);
	return 0;
}

static const char *path_param(struct api_req *r)
{
	const char *path = api_query(r, "path");
	if (!path || !*path)
		api_reply_error(r, 400, "path: required");
	return path && *path ? path : NULL;
}

static void archive_head(struct api_req *r)
{
	const char *path = path_param(r);
	struct ward_sandbox *sb;
	if (!path || attach_open_container(r, r->arg[0], &sb) < 0)
		return;
	if (stat_header(r, sb, path) == 0)
		api_reply_empty(r, 200);
	ward_sandbox_close(sb);
}

/* In the worker: the tar to PROGRESS_FD. */
static int tar_out(struct serve *srv, json_t *in, json_t **out, int progress_fd,
                   struct ward_error *e)
{
	(void)out;
	struct ward_sandbox *sb;
	if (ward_sandbox_open(srv->ctx, json_string_value(json_object_get(in, "id")), &sb, e) < 0)
		return -1;
	int rc = ward_sandbox_tar_out(sb, json_string_value(json_object_get(in, "path")),
	                              progress_fd, e);
	ward_sandbox_close(sb);
	return rc;
}

struct tar_job {
	struct serve *srv;
	json_t *in;
	int fd;
};

static void *tar_main(void *p)
{
	struct tar_job *j = p;
	struct ward_error e = {0};
	json_t *out = NULL;
	api_worker(j->srv, tar_out, j->in, &out, j->fd, &e);
	json_decref(out);
	json_decref(j->in);
	close(j->fd); /* the reply ends (a failure midway: a short tar, as Docker's) */
	free(j);
	return NULL;
}

static void archive_get(struct api_req *r)
{
	const char *path = path_param(r);
	struct ward_sandbox *sb;
	if (!path || attach_open_container(r, r->arg[0], &sb) < 0)
		return;
	int rc = stat_header(r, sb, path);
	struct tar_job *j = rc == 0 ? calloc(1, sizeof(*j)) : NULL;
	int fds[2] = {-1, -1};
	if (rc == 0 && (!j || pipe2(fds, O_CLOEXEC) < 0)) {
		api_reply_error(r, 500, "archive: %s", strerror(errno));
		free(j);
		j = NULL;
	}
	if (j) {
		*j = (struct tar_job){
		    .srv = r->srv,
		    .in = json_pack("{s:s, s:s}", "id", ward_sandbox_id(sb), "path", path),
		    .fd = fds[1]};
		pthread_t t;
		if (!j->in || pthread_create(&t, NULL, tar_main, j) != 0) {
			json_decref(j->in);
			free(j);
			close(fds[0]);
			close(fds[1]);
			api_reply_error(r, 500, "archive: cannot start the copy");
		} else {
			pthread_detach(t);
			api_reply_stream(r, 200, "application/x-tar", fds[0]);
		}
	}
	ward_sandbox_close(sb);
}

static void archive_put(struct api_req *r)
{
	const char *path = path_param(r);
	if (!path)
		return;
	if (api_query_bool(r, "copyUIDGID", false)) {
		api_reply_error(r, 400,
		                "copyUIDGID: not supported by ward (files belong to the "
		                "container's root user)");
		return;
	}
	struct ward_sandbox *sb;
	if (attach_open_container(r, r->arg[0], &sb) < 0)
		return;
	struct ward_error e = {0};
	int in = r->body_fd;
	bool owned = false;
	if (in < 0) { /* a body read whole: through a pipe from a thread of its own is overkill */
		char tmpl[] = "/tmp/ward-put.XXXXXX";
		in = mkostemp(tmpl, O_CLOEXEC);
		if (in >= 0) {
			unlink(tmpl);
			owned = true;
			if (write(in, r->body, r->body_len) != (ssize_t)r->body_len ||
			    lseek(in, 0, SEEK_SET) < 0) {
				close(in);
				in = -1;
			}
		}
	}
	if (in < 0)
		api_reply_error(r, 500, "archive: %s", strerror(errno));
	else if (ward_sandbox_tar_in(sb, path, in, &e) < 0)
		api_reply_ward_error(r, e.err == ENOENT ? 404 : 400, &e);
	else
		api_reply_empty(r, 200);
	if (owned)
		close(in);
	ward_sandbox_close(sb);
}

const struct api_route api_routes_archive[] = {
    {"POST", "/containers/{}/attach", attach_handler},
    {"POST", "/containers/{}/resize", resize_handler},
    {"HEAD", "/containers/{}/archive", archive_head},
    {"GET", "/containers/{}/archive", archive_get},
    {"PUT", "/containers/{}/archive", archive_put},
    {0},
};
