/* Store directory handling: every file is reached through the store's fd. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "store.h"
#include "sys.h"
#include "userdir.h"

/* LEN bytes to FD: 0, or the errno of why not (a write that stops short without one is
 * a full disk). */
static int put(int fd, const void *buf, size_t len)
{
	errno = 0;
	return write_all(fd, buf, len) == 0 ? 0 : errno ? errno : ENOSPC;
}

static int write_new_file(struct store *s, const char *name, const char *text, struct ward_error *e)
{
	autoclose int fd = openat(s->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return 0;
	int err = fd < 0 ? errno : put(fd, text, strlen(text));
	if (!err)
		return 0;
	if (fd >= 0) /* half a layout file would stay there for good */
		unlinkat(s->fd, name, 0);
	return ward_error_set(e, err, "image store %s: writing %s", s->path, name);
}

static int open_store(struct store *s, const struct ward_context *c, struct ward_error *e)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->ctx = c;
	/* Made where missing (0700): nobody else may reach the trees, which keep their owners and
	 * set-id bits. */
	const char *env = c ? c->store_dir : NULL;
	char path[PATH_MAX];
	if (env && *env) {
		snprintf(path, sizeof(path), "image store %s", env);
		s->fd = userdir_open(path, env, NULL, true, e);
		snprintf(path, sizeof(path), "%s", env);
	} else
		s->fd = userdir_default(c, USERDIR_DATA, "image store", "WARD_STORE", path,
		                        sizeof(path), true, e);
	if (s->fd < 0)
		return -1;
	if (!(s->path = strdup(path)))
		return ward_error_set(e, errno, "image store %s", path);
	/* locks/ is made last of ward's directories and index.json after it: with both there
	 * the store is complete (the usual case, on the start path of ward run IMAGE). A
	 * layout another tool made gets ward's directories added. */
	if (faccessat(s->fd, "locks", F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
	    faccessat(s->fd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	/* Trees keep their owners and set-id bits: nobody else may reach them. */
	static const char *const dirs[] = {"blobs", "blobs/sha256", "trees", "tmp", "locks"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdirat(s->fd, dirs[i], 0700) < 0 && errno != EEXIST)
			return ward_error_set(e, errno, "image store %s: making %s", s->path,
			                      dirs[i]);
	if (write_new_file(s, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", e) < 0)
		return -1;
	return write_new_file(
	    s, "index.json",
	    "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":[]}", e);
}

/* On failure nothing stays open or allocated. */
int store_open(struct store *s, const struct ward_context *c, struct ward_error *e)
{
	if (open_store(s, c, e) == 0)
		return 0;
	store_close(s);
	return -1;
}

void store_close(struct store *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static void blob_path(char *out, size_t len, const char *digest)
{
	snprintf(out, len, "blobs/sha256/%s", digest_hex(digest));
}

bool store_has_blob(struct store *s, const char *digest)
{
	char path[128];
	blob_path(path, sizeof(path), digest);
	return faccessat(s->fd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_open_blob(struct store *s, const struct descriptor *d, struct ward_error *e)
{
	char path[128];
	struct stat st;
	blob_path(path, sizeof(path), d->digest);
	autoclose int fd = openat(s->fd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ward_error_set(e, errno, "blob %s is missing from the store", d->digest);
	if (fstat(fd, &st) < 0)
		return ward_error_set(e, errno, "blob %s", d->digest);
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != d->size)
		return ward_error_set(
		    e, 0, "blob %s: %lld bytes in the store, the descriptor says %llu", d->digest,
		    (long long)st.st_size, (unsigned long long)d->size);
	return take_fd(&fd);
}

int store_read_doc(struct store *s, const struct descriptor *d, char **buf, size_t *len,
                   struct ward_error *e)
{
	if (d->size > MAX_DOCUMENT)
		return ward_error_set(e, 0, "%s: document larger than %u bytes", d->digest,
		                      MAX_DOCUMENT);
	autoclose int fd = store_open_blob(s, d, e);
	if (fd < 0)
		return -1;
	char *b = malloc(d->size + 1);
	if (!b)
		return ward_error_set(e, ENOMEM, "blob %s", d->digest);
	size_t got = 0;
	while (got < d->size) {
		ssize_t r = read(fd, b + got, d->size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return ward_error_set(e, errno, "blob %s: reading", d->digest);
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	char digest[DIGEST_LEN + 1];
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, b, got);
	sha256_final(&h, digest);
	if (got != d->size || strcmp(digest, d->digest)) {
		ward_error_set(e, 0, "blob %s: content does not match its digest", d->digest);
		free(b);
		return -1;
	}
	b[got] = 0;
	*buf = b;
	*len = got;
	return 0;
}

int store_tmpfile(struct store *s, char name[64], struct ward_error *e)
{
	static unsigned counter;
	snprintf(name, 64, "tmp/blob.%d.%u", getpid(), counter++);
	int fd = openat(s->fd, name, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		ward_error_set(e, errno, "image store %s: %s", s->path, name);
	return fd;
}

int store_commit_blob(struct store *s, const char *name, const char *digest, struct ward_error *e)
{
	char path[128];
	blob_path(path, sizeof(path), digest);
	if (renameat(s->fd, name, s->fd, path) < 0) {
		ward_error_set(e, errno, "image store %s: storing %s", s->path, digest);
		unlinkat(s->fd, name, 0);
		return -1;
	}
	return 0;
}

int store_copy_blob(struct store *s, int fd, const struct descriptor *d, struct ward_error *e)
{
	if (store_has_blob(s, d->digest))
		return 0;
	char name[64], digest[DIGEST_LEN + 1];
	autoclose int out = store_tmpfile(s, name, e);
	if (out < 0)
		return -1;
	struct sha256 h;
	sha256_init(&h);
	static char buf[1 << 20];
	uint64_t total = 0;
	ssize_t r;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		total += (uint64_t)r;
		if (total > d->size)
			break; /* more than promised: no point reading on */
		sha256_update(&h, buf, (size_t)r);
		int err = put(out, buf, (size_t)r);
		if (err) {
			ward_error_set(e, err, "image store %s: writing %s", s->path, d->digest);
			unlinkat(s->fd, name, 0);
			return -1;
		}
	}
	sha256_final(&h, digest);
	if (r < 0 || total != d->size || strcmp(digest, d->digest)) {
		if (r < 0)
			ward_error_set(e, errno, "blob %s: reading", d->digest);
		else if (total != d->size)
			ward_error_set(e, 0, "blob %s: %s than the %llu bytes its descriptor says",
			               d->digest, total > d->size ? "longer" : "shorter",
			               (unsigned long long)d->size);
		else
			ward_error_set(e, 0, "blob %s: content hashes to %s", d->digest, digest);
		unlinkat(s->fd, name, 0);
		return -1;
	}
	return store_commit_blob(s, name, d->digest, e);
}

int store_put_doc(struct store *s, const char *buf, size_t len, char digest[DIGEST_LEN + 1],
                  struct ward_error *e)
{
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, buf, len);
	sha256_final(&h, digest);
	if (store_has_blob(s, digest))
		return 0;
	char name[64];
	autoclose int fd = store_tmpfile(s, name, e);
	if (fd < 0)
		return -1;
	int err = put(fd, buf, len);
	if (err) {
		ward_error_set(e, err, "image store %s: writing a document", s->path);
		unlinkat(s->fd, name, 0);
		return -1;
	}
	return store_commit_blob(s, name, digest, e);
}

json_t *store_load_index(struct store *s, struct ward_error *e)
{
	autoclose int fd = openat(s->fd, "index.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	json_error_t je;
	json_t *root = fd < 0 ? NULL : json_read_fd(fd, JSON_REJECT_DUPLICATES, &je);
	if (!root || !json_is_array(json_object_get(root, "manifests"))) {
		ward_error_set(e, fd < 0 ? errno : 0, "image store %s: index.json is %s", s->path,
		               fd < 0 ? "unreadable" : "not an OCI index");
		json_decref(root);
		return NULL;
	}
	return root;
}

int store_save_index(struct store *s, json_t *index, struct ward_error *e)
{
	autofree char *text = json_dumps(index, JSON_COMPACT);
	if (!text)
		return ward_error_set(e, ENOMEM, "image store %s: writing index.json", s->path);
	char name[64];
	autoclose int fd = store_tmpfile(s, name, e);
	if (fd < 0)
		return -1;
	int err = put(fd, text, strlen(text));
	if (!err && (fsync(fd) < 0 || renameat(s->fd, name, s->fd, "index.json") < 0))
		err = errno;
	if (!err)
		return 0;
	unlinkat(s->fd, name, 0);
	return ward_error_set(e, err, "image store %s: writing index.json", s->path);
}

int store_lock(struct store *s, const char *name, int how, struct ward_error *e)
{
	char path[128];
	snprintf(path, sizeof(path), "locks/%s", name);
	int fd = openat(s->fd, path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	while (fd >= 0 && flock(fd, how) < 0)
		if (errno != EINTR) {
			int err = errno;
			close(fd);
			fd = -1;
			errno = err;
		}
	if (fd < 0)
		ward_error_set(e, errno, "image store %s: lock %s", s->path, name);
	return fd;
}
