/* Import: reference → verified blobs in the store → an unpacked tree → a name in
 * index.json. Blobs are checked on the way in; the tree is unpacked once, under a lock,
 * into a temporary name that only a finished unpack renames into place. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "idmap.h"
#include "import.h"
#include "names.h"
#include "progress.h"
#include "sys.h"
#include "unpack.h"
#include "userns_run.h"
#include "ward/parse.h"

/* Overridable for tests and small hosts; generous for real images. */
static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);
	uint64_t n;
	return v && ward_parse_count(v, &n) == 0 && n ? n : def;
}

/* Follow indexes from DESC to one manifest (for this platform) whose blobs are fetched. */
int resolve_manifest(struct store *st, struct source *src, struct descriptor *d,
                     struct ward_error *e)
{
	for (int depth = 0; depth < 4; depth++) {
		char *buf;
		size_t len;
		enum doc_kind kind;
		if (source_fetch(st, src, d, e) < 0 || store_read_doc(st, d, &buf, &len, e) < 0)
			return -1;
		int r = document_kind(buf, len, d->media_type, &kind, e);
		if (r == 0 && kind == DOC_INDEX)
			r = index_select(buf, len, NULL, d, &kind, e);
		free(buf);
		if (r < 0)
			return -1;
		if (kind == DOC_MANIFEST) {
			if (source_fetch(st, src, d, e) < 0)
				return -1;
			return 0;
		}
	}
	ward_error_set(e, 0, "image indexes nested too deep");
	return -1;
}

int load_image(struct store *st, struct source *src, const struct descriptor *md,
               struct manifest *m, struct image_config *c, bool layers, struct ward_error *e)
{
	char *buf;
	size_t len;
	if (store_read_doc(st, md, &buf, &len, e) < 0)
		return -1;
	int r = manifest_parse(buf, len, m, e);
	free(buf);
	if (r < 0)
		return -1;
	if (source_fetch(st, src, &m->config, e) < 0 ||
	    store_read_doc(st, &m->config, &buf, &len, e) < 0) {
		manifest_free(m);
		return -1;
	}
	r = config_parse(buf, len, m->n_layers, c, e);
	free(buf);
	for (size_t i = 0; layers && r == 0 && i < m->n_layers; i++)
		if (source_fetch(st, src, &m->layers[i], e) < 0) {
			ward_error_prefix(e, "layer %zu", i + 1);
			config_free(c);
			r = -1;
		}
	if (r < 0)
		manifest_free(m);
	return r;
}

struct progress {
	int fd; /* the relay's pipe, -1: nobody listens */
	struct timespec last, start;
};

static double since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void show_progress(void *arg, size_t layer, size_t n, uint64_t done, uint64_t total)
{
	struct progress *p = arg;
	if (p->fd < 0 || (since(&p->last) < 0.1 && done < total))
		return;
	clock_gettime(CLOCK_MONOTONIC, &p->last);
	double el = since(&p->start);
	progress_send(p->fd, "unpacking layer %zu/%zu  %.1f/%.1f MB  %.0f MB/s", layer + 1, n,
	              (double)done / 1e6, (double)total / 1e6,
	              el > 0 ? (double)done / 1e6 / el : 0.0);
}

struct unpack_job {
	int treefd;
	struct unpack_layer *layers;
	size_t n;
	struct unpack_limits lim;
	struct progress progress;
};

/* Runs in the user namespace helper: progress goes to the caller through the relay. */
static int unpack_fn(void *arg, void *result, struct ward_error *e)
{
	struct unpack_job *j = arg;
	clock_gettime(CLOCK_MONOTONIC, &j->progress.start);
	return unpack_layers(j->treefd, j->layers, j->n, &j->lim, result, show_progress,
	                     &j->progress, e);
}

static int remove_fn(void *arg, void *result, struct ward_error *e)
{
	(void)result;
	if (remove_contents(*(int *)arg) < 0) {
		ward_error_set(e, errno, "emptying the tree");
		return -1;
	}
	return 0;
}

int store_remove_tree(struct store *st, const char *name, struct ward_error *e)
{
	autoclose int trees = openat(st->fd, "trees", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (trees < 0) {
		ward_error_set(e, errno, "image store %s: trees", st->path);
		return -1;
	}
	/* The tree's files belong to the container's ids: emptied from inside the user
	 * namespace (trees/ itself, the host's, is closed to it), removed from here. */
	autoclose int fd = openat(trees, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : (ward_error_set(e, errno, "trees/%s", name), -1);
	struct ward_idmaps ids;
	if (userns_idmaps(&ids, e) < 0 || userns_run(&ids, remove_fn, &fd, NULL, 0, e) < 0)
		return -1;
	if (unlinkat(trees, name, AT_REMOVEDIR) < 0) {
		ward_error_set(e, errno, "image store %s: removing trees/%s", st->path, name);
		return -1;
	}
	return 0;
}

static void report(const struct ward_context *c, const struct unpack_stats *s)
{
	if (s->devices)
		context_log(c, WARD_LOG_NOTE,
		            "note: %llu device node%s in the image not created (the sandbox's /dev "
		            "is ward's)",
		            (unsigned long long)s->devices, s->devices == 1 ? "" : "s");
	if (s->xattrs)
		context_log(c, WARD_LOG_NOTE,
		            "note: %llu extended attribute%s dropped (only user.* and "
		            "security.capability are kept)",
		            (unsigned long long)s->xattrs, s->xattrs == 1 ? "" : "s");
	if (s->owners)
		context_log(c, WARD_LOG_NOTE,
		            "note: %llu file%s owned by ids outside the sandbox's range now belong "
		            "to container root",
		            (unsigned long long)s->owners, s->owners == 1 ? "" : "s");
}

/* A layout directory's layer for the unpack, while the copier puts it in the store: the
 * DiffID check vouches for its content. */
static int open_layout_layer(struct source *from, const struct descriptor *d, struct ward_error *e)
{
	char name[128];
	struct stat sb;
	snprintf(name, sizeof(name), "blobs/sha256/%s", digest_hex(d->digest));
	int fd = sys_openat2(from->dirfd, name, O_RDONLY | O_CLOEXEC,
	                     RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size != d->size) {
		ward_error_set(e, fd < 0 ? errno : 0,
		               "blob %s in oci:%s: missing or not %llu bytes", d->digest,
		               from->ref->path, (unsigned long long)d->size);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* A layer to unpack: what the feed gives, else the store's verified blob. */
static int open_layer(struct store *st, const struct layer_feed *feed, const struct manifest *m,
                      size_t i, struct ward_error *e)
{
	return feed ? feed->open(feed->arg, i, e) : store_open_blob(st, &m->layers[i], e);
}

static int unpack_tree(struct store *st, const struct manifest *m, const struct image_config *c,
                       const char *tmpname, const struct layer_feed *feed, struct ward_error *e)
{
	struct ward_idmaps ids;
	int rc = userns_idmaps(&ids, e);
	uid_t owner = idmap_to_host(ids.uid_map, ids.n_uid_map, 0);
	gid_t gowner = idmap_to_host(ids.gid_map, ids.n_gid_map, 0);
	autoclose int trees = openat(st->fd, "trees", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rc < 0 || trees < 0 || mkdirat(trees, tmpname, 0755) < 0) {
		if (rc == 0)
			ward_error_set(e, errno, "image store %s: trees/%s", st->path, tmpname);
		return -1;
	}
	autoclose int treefd =
	    openat(trees, tmpname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (treefd < 0 || fchown(treefd, owner, gowner) < 0 || fchmod(treefd, 0755) < 0) {
		ward_error_set(e, errno, "image store %s: trees/%s", st->path, tmpname);
		return -1;
	}
	struct unpack_layer *layers = calloc(m->n_layers, sizeof(*layers));
	struct unpack_job j = {.treefd = treefd, .layers = layers, .n = m->n_layers};
	j.lim.max_bytes = env_u64("WARD_IMAGE_MAX_BYTES", 64ull << 30);
	j.lim.max_entries = env_u64("WARD_IMAGE_MAX_ENTRIES", 4000000);
	rc = layers ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < m->n_layers; i++) {
		layers[i] = (struct unpack_layer){.fd = open_layer(st, feed, m, i, e),
		                                  .comp = m->comp[i],
		                                  .diff_id = c->diff_ids[i],
		                                  .digest = m->layers[i].digest,
		                                  .size = m->layers[i].size};
		if (layers[i].fd < 0) {
			ward_error_prefix(e, "layer %zu", i + 1);
			rc = -1;
		}
	}
	struct unpack_stats stats = {0};
	struct progress_relay relay = {0};
	if (rc == 0) {
		progress_relay_start(&relay, st->ctx);
		j.progress.fd = relay.wfd;
		rc = userns_run(&ids, unpack_fn, &j, &stats, sizeof(stats), e);
		progress_relay_stop(&relay);
	}
	for (size_t i = 0; layers && i < m->n_layers; i++)
		if (layers[i].fd > 0)
			close(layers[i].fd);
	free(layers);
	if (rc == 0)
		report(st->ctx, &stats);
	return rc;
}

/* Layers of a layout directory go into the store from a child process while the tree is
 * unpacked from the same files: the copy (with its digest check) and the unpack overlap. */
struct copier {
	struct store *st;
	struct source *src;
	const struct manifest *m;
	pid_t pid;
	int errfd;
};

static void start_copier(struct copier *cp)
{
	int p[2];
	cp->pid = -1;
	cp->errfd = -1;
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid_t parent = getpid();
	cp->pid = fork();
	if (cp->pid == 0) {
		/* Dies with the import: a killed ward leaves no copier writing to the store. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(1);
		close(p[0]);
		struct ward_error e = {0};
		for (size_t i = 0; i < cp->m->n_layers; i++)
			if (source_fetch(cp->st, cp->src, &cp->m->layers[i], &e) < 0) {
				ward_error_prefix(&e, "layer %zu", i + 1);
				if (write(p[1], e.msg, strlen(e.msg)) < 0)
					_exit(2);
				_exit(1);
			}
		_exit(0);
	}
	close(p[1]);
	cp->errfd = p[0];
}

static int copier_open(void *arg, size_t i, struct ward_error *e)
{
	struct copier *cp = arg;
	return open_layout_layer(cp->src, &cp->m->layers[i], e);
}

/* Waits for the copier; when ABORT, the tree failed and only the child is reaped. */
static int copier_finish(void *arg, bool abort, struct ward_error *e)
{
	struct copier *cp = arg;
	if (cp->pid < 0 && cp->errfd < 0)
		return 0;
	int status = 0, rc = 0;
	if (cp->pid < 0)
		ward_error_set(e, errno, "copying layers into the store: fork");
	while (cp->pid > 0 && waitpid(cp->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (cp->pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char msg[sizeof(e->msg)] = "";
		ssize_t n = cp->errfd >= 0 ? read(cp->errfd, msg, sizeof(msg) - 1) : -1;
		msg[n > 0 ? n : 0] = 0;
		if (cp->pid > 0 && !abort)
			ward_error_set(e, 0, "%s",
			               msg[0] ? msg : "copying layers into the store failed");
		rc = -1;
	}
	if (cp->errfd >= 0)
		close(cp->errfd);
	cp->pid = cp->errfd = -1;
	return rc;
}

static int make_tree(struct store *st, const struct manifest *m, const struct image_config *c,
                     const struct layer_feed *feed, struct ward_error *e)
{
	const char *hex = digest_hex(c->chain_id);
	char final[80], tmp[96], lockname[96];
	snprintf(final, sizeof(final), "%s", hex);
	snprintf(tmp, sizeof(tmp), "%s.tmp", hex);
	snprintf(lockname, sizeof(lockname), "tree-%s", hex);
	autoclose int trees = openat(st->fd, "trees", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (trees >= 0 && faccessat(trees, final, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	/* One unpacker per tree; whoever waited finds it done. */
	autoclose int lock = store_lock(st, lockname, LOCK_EX, e);
	if (lock < 0)
		return -1;
	if (faccessat(trees, final, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	/* A .tmp here is what a killed import left: never trusted, always redone. The tree is
	 * renamed into place only once its blobs are in the store too. */
	if (store_remove_tree(st, tmp, e) < 0 || unpack_tree(st, m, c, tmp, feed, e) < 0 ||
	    (feed && feed->finish(feed->arg, false, e) < 0)) {
		struct ward_error ignored;
		store_remove_tree(st, tmp, &ignored);
		return -1;
	}
	if (renameat(trees, tmp, trees, final) < 0) {
		ward_error_set(e, errno, "image store %s: trees/%s", st->path, final);
		return -1;
	}
	return 0;
}

int ensure_tree(struct store *st, const struct manifest *m, const struct image_config *c,
                const struct layer_feed *feed, char **path, struct ward_error *e)
{
	if (asprintf(path, "%s/trees/%s", st->path, digest_hex(c->chain_id)) < 0) {
		ward_error_set(e, ENOMEM, "image store");
		return -1;
	}
	int rc = make_tree(st, m, c, feed, e);
	/* The feed is finished in every case: its layers belong in the store even when the
	 * tree was there already; after a failure it is only stopped. */
	struct ward_error fe = {0};
	if (feed && feed->finish(feed->arg, rc < 0, &fe) < 0 && rc == 0) {
		*e = fe;
		rc = -1;
	}
	return rc;
}

int tag_image(struct store *st, const char *name, const struct descriptor *md, struct ward_error *e)
{
	autoclose int lock = store_lock(st, "index", LOCK_EX, e);
	if (lock < 0)
		return -1;
	json_t *index = store_load_index(st, e);
	int rc = -1;
	if (index) {
		json_t *ms = json_object_get(index, "manifests"), *m;
		size_t i;
		json_array_foreach(ms, i, m)
		{
			json_t *n =
			    json_object_get(json_object_get(m, "annotations"), REF_NAME_KEY);
			if (json_is_string(n) && !strcmp(json_string_value(n), name)) {
				json_array_remove(ms, i);
				break;
			}
		}
		json_array_append_new(ms, json_pack("{s:s, s:s, s:I, s:{s:s}}", "mediaType",
		                                    md->media_type, "digest", md->digest, "size",
		                                    (json_int_t)md->size, "annotations",
		                                    REF_NAME_KEY, name));
		rc = store_save_index(st, index, e);
		json_decref(index);
	}
	return rc;
}

static void default_name(const struct image_ref *r, char *out, size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s", r->path);
	char *base = basename(path);
	char *dot = strstr(base, ".tar");
	if (dot && r->kind != REF_OCI_DIR)
		*dot = 0;
	name_from(base, r->tag, out, len);
}

int import_ref(struct store *st, const struct image_ref *ref, const char *name,
               struct descriptor *md, char *name_out, size_t name_len, struct ward_error *e)
{
	struct source src;
	char docker_name[WARD_IMAGE_NAME_MAX] = "";
	if (name && !name_normalize(name, name_out, name_len)) {
		ward_error_set(e, 0, "--name %s: expected NAME[:TAG] (NAME of a-z 0-9 . _ - /)",
		               name);
		return -1;
	}
	int rc = source_open(st, ref, &src, e);
	if (rc == 0 && ref->kind == REF_DOCKER_ARCHIVE)
		rc = docker_convert(st, &src, ref->tag, md, docker_name, sizeof(docker_name), e);
	else if (rc == 0) {
		enum doc_kind kind;
		rc = index_select(src.index, src.index_len, ref->tag, md, &kind, e);
		if (rc == 0)
			rc = resolve_manifest(st, &src, md, e);
	}
	struct manifest m;
	struct image_config c;
	char *tree = NULL;
	/* From a layout directory, layers are copied while they are unpacked (ensure_tree). */
	if (rc == 0 && (rc = load_image(st, &src, md, &m, &c, src.dirfd < 0, e)) == 0) {
		struct copier cp = {.st = st, .src = &src, .m = &m, .pid = -1, .errfd = -1};
		struct layer_feed feed = {copier_open, copier_finish, &cp};
		if (src.dirfd >= 0)
			start_copier(&cp);
		rc = ensure_tree(st, &m, &c, src.dirfd >= 0 ? &feed : NULL, &tree, e);
		manifest_free(&m);
		config_free(&c);
	}
	free(tree);
	source_close(st, &src);
	if (rc < 0)
		return -1;
	if (name)
		; /* checked above */
	else if (!docker_name[0] || !name_normalize(docker_name, name_out, name_len)) {
		default_name(ref, name_out, name_len);
	}
	return tag_image(st, name_out, md, e);
}
