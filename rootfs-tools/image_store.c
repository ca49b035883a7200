/* ward image ls | rm | prune: what the store names, and collecting what it no longer does. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "import.h"
#include "pathset.h"
#include "store_reach.h"
#include "sys.h"

int image_list(const struct ward_context *c, struct ward_image_info **out, size_t *n,
               struct ward_error *e)
{
	struct store st;
	*out = NULL;
	*n = 0;
	if (store_open(&st, c, e) < 0)
		return -1;
	json_t *index = store_load_index(&st, e);
	if (!index) {
		store_close(&st);
		return -1;
	}
	json_t *ms = json_object_get(index, "manifests"), *m;
	size_t i;
	*out = calloc(json_array_size(ms) + 1, sizeof(**out));
	json_array_foreach(ms, i, m)
	{
		struct descriptor d;
		const char *name;
		if (!*out || index_entry(m, &d, &name) < 0)
			continue;
		struct ward_image_info *info = &(*out)[(*n)++];
		snprintf(info->name, sizeof(info->name), "%s", name);
		snprintf(info->id, sizeof(info->id), "%s", d.digest);
		struct pathset blobs = {0}, trees = {0};
		store_mark(&st, d, &blobs, &trees, info, 0);
		pathset_clear(&blobs);
		pathset_clear(&trees);
	}
	json_decref(index);
	store_close(&st);
	return 0;
}

static uint64_t collect(struct store *st, const char *dir, const struct pathset *keep, bool trees,
                        struct ward_error *e)
{
	autoclose int fd = openat(st->fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(dup(fd));
	uint64_t freed = 0;
	if (!d)
		return 0;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char hex[80];
		snprintf(hex, sizeof(hex), "%.64s", de->d_name);
		bool stale = strlen(de->d_name) != 64; /* *.tmp of a killed import */
		if (!stale && pathset_has(keep, hex))
			continue;
		char **g = realloc(names, (n + 1) * sizeof(*names));
		if (!g)
			break;
		names = g;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		if (!names[i])
			continue;
		if (!trees) {
			if (unlinkat(fd, names[i], 0) == 0)
				freed++;
		} else {
			/* A tree a sandbox holds (shared lock) or an import is making stays. */
			char lock[96];
			snprintf(lock, sizeof(lock), "locks/tree-%.64s", names[i]);
			autoclose int lfd =
			    openat(st->fd, lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
			if (lfd >= 0 && flock(lfd, LOCK_EX | LOCK_NB) == 0 &&
			    store_remove_tree(st, names[i], e) == 0) {
				freed++;
				if (strlen(names[i]) == 64)
					unlinkat(st->fd, lock, 0);
			}
		}
		free(names[i]);
	}
	free(names);
	return freed;
}

static int gc(struct store *st, uint64_t *freed_trees, uint64_t *freed_blobs, struct ward_error *e)
{
	autoclose int lock = store_lock(st, "gc", LOCK_EX, e);
	json_t *index = lock < 0 ? NULL : store_load_index(st, e);
	if (!index)
		return -1;
	struct pathset blobs = {0}, trees = {0};
	/* A named image keeps its tree and every prefix tree below it. */
	store_mark_index(st, index, &blobs, &trees);
	json_decref(index);
	uint64_t t = collect(st, "trees", &trees, true, e);
	uint64_t b = collect(st, "blobs/sha256", &blobs, false, e);
	/* tmp/ holds only what running imports stage: with the gc lock held, none is. */
	struct pathset none = {0};
	collect(st, "tmp", &none, false, e);
	pathset_clear(&blobs);
	pathset_clear(&trees);
	if (freed_trees)
		*freed_trees = t;
	if (freed_blobs)
		*freed_blobs = b;
	return 0;
}

int image_prune(const struct ward_context *c, uint64_t *freed_trees, uint64_t *freed_blobs,
                struct ward_error *e)
{
	struct store st;
	if (store_open(&st, c, e) < 0)
		return -1;
	int rc = gc(&st, freed_trees, freed_blobs, e);
	store_close(&st);
	return rc;
}

int image_remove(const struct ward_context *c, char *const *refs, size_t n, struct ward_error *e)
{
	struct store st;
	if (store_open(&st, c, e) < 0)
		return -1;
	int lock = store_lock(&st, "index", LOCK_EX, e);
	json_t *index = lock < 0 ? NULL : store_load_index(&st, e);
	int rc = index ? 0 : -1;
	json_t *ms = json_object_get(index, "manifests");
	for (size_t k = 0; rc == 0 && k < n; k++) {
		size_t pos;
		bool by_id;
		if ((rc = index_find(&st, index, refs[k], &pos, &by_id, e)) < 0)
			break;
		/* A name goes alone; an id takes every name of that image. */
		json_t *digest = json_incref(json_object_get(json_array_get(ms, pos), "digest"));
		for (size_t i = json_array_size(ms); i-- > 0;)
			if (i == pos ||
			    (by_id &&
			     json_equal(json_object_get(json_array_get(ms, i), "digest"), digest)))
				json_array_remove(ms, i);
		json_decref(digest);
	}
	if (rc == 0)
		rc = store_save_index(&st, index, e);
	json_decref(index);
	if (lock >= 0)
		close(lock);
	if (rc == 0)
		rc = gc(&st, NULL, NULL, e);
	store_close(&st);
	return rc;
}
