/* Import: reference → verified blobs in the store → an unpacked tree → a name in
 * index.json. Blobs are checked on the way in; the tree is unpacked once, under a lock,
 * into a temporary name that only a finished unpack renames into place. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "idmap.h"
#include "import.h"
#include "names.h"
#include "pathset.h"
#include "store_reach.h"
#include "progress.h"
#include "sys.h"
#include "tree_link.h"
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
	size_t layer, n; /* the layer being unpacked and the image's count */
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
	(void)layer, (void)n; /* the helper sees one layer at a time */
	if (p->fd < 0 || (since(&p->last) < 0.1 && done < total))
		return;
	clock_gettime(CLOCK_MONOTONIC, &p->last);
	double el = since(&p->start);
	progress_send(p->fd, "unpacking layer %zu/%zu  %.1f/%.1f MB  %.0f MB/s", p->layer + 1, p->n,
	              (double)done / 1e6, (double)total / 1e6,
	              el > 0 ? (double)done / 1e6 / el : 0.0);
}

/* One tree: the parent chain's tree linked in, then the top layer unpacked onto it. */
struct unpack_job {
	int parent, treefd; /* PARENT: -1 for the first layer */
	struct unpack_layer layer;
	struct unpack_limits lim;
	struct progress progress;
};

/* Runs in the user namespace helper: progress goes to the caller through the relay. RESULT
 * holds the import's totals so far (the limits count every layer it unpacks). */
static int unpack_fn(void *arg, void *result, struct ward_error *e)
{
	struct unpack_job *j = arg;
	struct dirtimes times = {0};
	clock_gettime(CLOCK_MONOTONIC, &j->progress.start);
	int rc = j->parent < 0 ? 0 : tree_link(j->parent, j->treefd, &times, e);
	if (rc == 0)
		rc = unpack_layers_onto(j->treefd, &j->layer, 1, &j->lim, result, &times,
		                        show_progress, &j->progress, e);
	dirtimes_free(&times);
	return rc;
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

/* trees/TMPNAME made (owned by the container's root) and opened. */
static int make_tmp_tree(struct store *st, int trees, const char *tmpname,
                         const struct ward_idmaps *ids, struct ward_error *e)
{
	uid_t owner = idmap_to_host(ids->uid_map, ids->n_uid_map, 0);
	gid_t gowner = idmap_to_host(ids->gid_map, ids->n_gid_map, 0);
	if (mkdirat(trees, tmpname, 0755) < 0)
		return ward_error_set(e, errno, "image store %s: trees/%s", st->path, tmpname);
	int fd = openat(trees, tmpname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, owner, gowner) < 0 || fchmod(fd, 0755) < 0) {
		ward_error_set(e, errno, "image store %s: trees/%s", st->path, tmpname);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* trees/TMPNAME: the tree PARENT (a name in trees/, NULL for the first layer) linked in
 * and layer I unpacked onto it, from LAYER_FD (closed here). */
static int unpack_tree(struct store *st, const struct manifest *m, const struct image_config *c,
                       size_t i, int layer_fd, const char *parent, const char *tmpname,
                       struct unpack_stats *stats, struct ward_error *e)
{
	autoclose int lfd = layer_fd;
	struct ward_idmaps ids;
	autoclose int trees = openat(st->fd, "trees", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (trees < 0)
		return ward_error_set(e, errno, "image store %s: trees", st->path);
	if (userns_idmaps(&ids, e) < 0)
		return -1;
	autoclose int treefd = make_tmp_tree(st, trees, tmpname, &ids, e);
	if (treefd < 0)
		return -1;
	autoclose int pfd =
	    parent ? openat(trees, parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (parent && pfd < 0)
		return ward_error_set(e, errno, "image store %s: trees/%s", st->path, parent);
	struct unpack_job j = {.parent = pfd, .treefd = treefd};
	j.layer = (struct unpack_layer){.fd = lfd,
	                                .comp = m->comp[i],
	                                .diff_id = c->diff_ids[i],
	                                .digest = m->layers[i].digest,
	                                .size = m->layers[i].size,
	                                .number = i + 1};
	j.lim.max_bytes = env_u64("WARD_IMAGE_MAX_BYTES", 64ull << 30);
	j.lim.max_entries = env_u64("WARD_IMAGE_MAX_ENTRIES", 4000000);
	struct progress_relay relay = {0};
	progress_relay_start(&relay, st->ctx);
	j.progress.fd = relay.wfd;
	j.progress.layer = i;
	j.progress.n = m->n_layers;
	int rc = userns_run(&ids, unpack_fn, &j, stats, sizeof(*stats), e);
	progress_relay_stop(&relay);
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

static bool tree_exists(int trees, const char *chain)
{
	return faccessat(trees, digest_hex(chain), F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static int lock_tree(struct store *st, const char *chain, int how, struct ward_error *e)
{
	char name[96];
	snprintf(name, sizeof(name), "tree-%s", digest_hex(chain));
	return store_lock(st, name, how, e);
}

/* After a failure, the prefix trees this import made go again, unless an image names them
 * or someone uses them (a lock held): a refused image leaves nothing in the store. */
static void drop_made(struct store *st, int trees, char (*chain)[DIGEST_LEN + 1], const bool *made,
                      size_t n)
{
	struct pathset named = {0};
	struct ward_error ignored;
	if (store_named_trees(st, &named, &ignored) < 0) {
		pathset_clear(&named);
		return;
	}
	for (size_t i = n; i-- > 0;) {
		if (!made[i] || pathset_has(&named, digest_hex(chain[i])))
			continue;
		autoclose int lock = lock_tree(st, chain[i], LOCK_EX | LOCK_NB, NULL);
		if (lock >= 0 && tree_exists(trees, chain[i]))
			store_remove_tree(st, digest_hex(chain[i]), &ignored);
	}
	pathset_clear(&named);
}

/* trees/<chain I> from trees/<chain I-1> (locked by the caller, so nobody removes it) and
 * layer I. The feed is finished before the image's own tree is named. */
static int make_one(struct store *st, int trees, const struct manifest *m,
                    const struct image_config *c, char (*chain)[DIGEST_LEN + 1], size_t i,
                    int layer_fd, const struct layer_feed *feed, struct unpack_stats *stats,
                    struct ward_error *e)
{
	char tmp[96];
	snprintf(tmp, sizeof(tmp), "%s.tmp", digest_hex(chain[i]));
	/* A .tmp here is what a killed import left: never trusted, always redone. The image's
	 * own tree is renamed into place only once its blobs are in the store too; a prefix
	 * is whole once its layer matched its DiffID. */
	if (store_remove_tree(st, tmp, e) < 0) {
		close(layer_fd);
		return -1;
	}
	if (unpack_tree(st, m, c, i, layer_fd, i ? digest_hex(chain[i - 1]) : NULL, tmp, stats, e) <
	        0 ||
	    (feed && i + 1 == m->n_layers && feed->finish(feed->arg, false, e) < 0)) {
		struct ward_error ignored;
		store_remove_tree(st, tmp, &ignored);
		return -1;
	}
	if (renameat(trees, tmp, trees, digest_hex(chain[i])) < 0)
		return ward_error_set(e, errno, "image store %s: trees/%s", st->path,
		                      digest_hex(chain[i]));
	return 0;
}

/* Locks for the first tree to make: the parent's (shared: nobody removes it meanwhile) and
 * its own (exclusive: one unpacker per tree). Its index, or N when the image's tree is
 * there (made by someone else meanwhile). */
static size_t lock_first(struct store *st, int trees, char (*chain)[DIGEST_LEN + 1], size_t n,
                         int *parent, int *own, struct ward_error *e)
{
	for (;;) {
		closep(parent);
		closep(own);
		*parent = *own = -1;
		if (tree_exists(trees, chain[n - 1]))
			return n;
		/* The longest prefix already there. */
		size_t i = n - 1;
		while (i > 0 && !tree_exists(trees, chain[i - 1]))
			i--;
		if (i && (*parent = lock_tree(st, chain[i - 1], LOCK_SH, e)) < 0)
			return SIZE_MAX;
		if (i && !tree_exists(trees, chain[i - 1]))
			continue; /* removed meanwhile: look again */
		if ((*own = lock_tree(st, chain[i], LOCK_EX, e)) < 0) {
			closep(parent);
			*parent = -1;
			return SIZE_MAX;
		}
		if (!tree_exists(trees, chain[i]))
			return i;
		/* made by whoever held the lock: look again */
	}
}

/* The image's tree, and on the way every prefix tree missing above the longest one there:
 * only those layers are opened and unpacked, each onto a linked copy of the one below.
 * Locks go hand over hand upwards (the tree below stays locked until the next one is), so
 * a second import of the same chain waits and then finds every tree made. */
static int make_tree(struct store *st, const struct manifest *m, const struct image_config *c,
                     const struct layer_feed *feed, struct ward_error *e)
{
	size_t n = m->n_layers;
	autoclose int trees = openat(st->fd, "trees", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (trees < 0)
		return ward_error_set(e, errno, "image store %s: trees", st->path);
	if (tree_exists(trees, c->chain_id))
		return 0;
	autofree char(*chain)[DIGEST_LEN + 1] = calloc(n, sizeof(*chain));
	autofree int *fds = calloc(n, sizeof(*fds));
	autofree bool *made = calloc(n, sizeof(*made));
	if (!chain || !fds || !made)
		return ward_error_set(e, ENOMEM, "image store");
	image_chain_ids(c, chain);
	autoclose int parent = -1, own = -1;
	size_t start = lock_first(st, trees, chain, n, &parent, &own, e);
	if (start == SIZE_MAX)
		return -1;
	if (start == n)
		return 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		fds[i] = -1;
	for (size_t i = start; rc == 0 && i < n; i++)
		if ((fds[i] = open_layer(st, feed, m, i, e)) < 0) {
			ward_error_prefix(e, "layer %zu", i + 1);
			rc = -1;
		}
	struct unpack_stats stats = {0};
	for (size_t i = start; rc == 0 && i < n; i++) {
		if (i > start) {
			/* The tree just made (or found) stays locked while the next is made. */
			if ((rc = lock_tree(st, chain[i], LOCK_EX, e)) < 0)
				break;
			closep(&parent);
			parent = own;
			own = rc;
			rc = 0;
			if (tree_exists(trees, chain[i]))
				continue; /* made meanwhile, by an import started on it */
		}
		rc = make_one(st, trees, m, c, chain, i, take_fd(&fds[i]), feed, &stats, e);
		made[i] = rc == 0;
	}
	for (size_t i = start; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	closep(&parent);
	closep(&own);
	if (rc == 0)
		report(st->ctx, &stats);
	else
		drop_made(st, trees, chain, made, n);
	return rc;
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
