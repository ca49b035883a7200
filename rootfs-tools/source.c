#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "source.h"
#include "sys.h"

/* The caps for the outer archive: its members are blobs, bounded by the import caps. */
#define MAX_MEMBERS 100000

int ref_parse(const char *text, struct image_ref *r, struct ward_error *e)
{
	static const struct {
		const char *prefix;
		enum ref_kind kind;
	} kinds[] = {{"oci:", REF_OCI_DIR},
	             {"oci-archive:", REF_OCI_ARCHIVE},
	             {"docker-archive:", REF_DOCKER_ARCHIVE}};
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].prefix);
		if (strncmp(text, kinds[i].prefix, n) != 0)
			continue;
		r->kind = kinds[i].kind;
		r->path = strdup(text + n);
		if (!r->path || !*r->path)
			return ward_error_set(e, 0, "image %s: no path after %s", text,
			                      kinds[i].prefix);
		/* The path ends at the first ':' (as skopeo reads it): what follows is the tag,
		 * which for docker-archive is itself NAME:TAG. */
		char *colon = strchr(r->path, ':');
		if (colon) {
			*colon = 0;
			if (colon[1])
				r->tag = strdup(colon + 1);
		}
		return 0;
	}
	r->kind = REF_STORE;
	r->path = strdup(text);
	return 0;
}

void ref_free(struct image_ref *r)
{
	free(r->path);
	free(r->tag);
	memset(r, 0, sizeof(*r));
}

/* DIR/LINK with "." and ".." applied; false if it climbs out of the archive. */
static bool join_member(const char *dir, size_t dirlen, const char *link, char *out, size_t cap)
{
	char buf[4096];
	if (snprintf(buf, sizeof(buf), "%.*s%s", (int)dirlen, dir, link) >= (int)sizeof(buf))
		return false;
	size_t n = 0;
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			if (n == 0)
				return false;
			while (n > 0 && out[--n] != '/')
				;
			continue;
		}
		size_t len = strlen(c);
		if (n + len + 2 > cap)
			return false;
		if (n)
			out[n++] = '/';
		memcpy(out + n, c, len);
		n += len;
	}
	out[n] = 0;
	return true;
}

const struct member *source_member(const struct source *src, const char *name)
{
	char want[4096];
	if (!join_member("", 0, name, want, sizeof(want)))
		return NULL;
	for (int depth = 0; depth < 8; depth++) {
		const struct member *m = NULL;
		for (size_t i = 0; i < src->n_members && !m; i++)
			if (!strcmp(src->members[i].name, want))
				m = &src->members[i];
		if (!m || !m->link)
			return m;
		/* A symlink member is relative to its own directory (skopeo writes
		 * <id>/layer.tar -> ../<diffid>.tar); a hardlink names an archive path. */
		const char *slash = m->hard ? NULL : strrchr(m->name, '/');
		if (m->link[0] == '/' ||
		    !join_member(m->name, slash ? (size_t)(slash - m->name + 1) : 0, m->link, want,
		                 sizeof(want)))
			return NULL;
	}
	return NULL;
}

static char *read_small(struct archive *a, size_t size, struct ward_error *e, const char *what)
{
	if (size > MAX_DOCUMENT) {
		ward_error_set(e, 0, "%s: larger than %u bytes", what, MAX_DOCUMENT);
		return NULL;
	}
	char *buf = malloc(size + 1);
	if (!buf || archive_read_data(a, buf, size) != (la_ssize_t)size) {
		ward_error_set(e, 0, "%s: short read", what);
		free(buf);
		return NULL;
	}
	buf[size] = 0;
	return buf;
}

static int stage_member(struct store *st, struct archive *a, struct member *m, struct ward_error *e)
{
	autoclose int fd = store_tmpfile(st, m->staged, e);
	if (fd < 0)
		return -1;
	struct sha256 h;
	sha256_init(&h);
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		/* a short write is retried: the next one says why (a full disk, a size limit) */
		for (size_t done = 0; done < len;) {
			ssize_t w =
			    pwrite(fd, (const char *)buf + done, len - done, off + (off_t)done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return ward_error_set(e, w < 0 ? errno : ENOSPC, "staging %s in %s",
				                      m->name, st->path);
			done += (size_t)w;
		}
		/* Sparse members are not blobs any tool writes; hashing in order is enough. */
		sha256_update(&h, buf, len);
		m->size += len;
	}
	if (r != ARCHIVE_EOF)
		return ward_error_set(e, 0, "reading member %s: %s", m->name,
		                      archive_error_string(a));
	sha256_final(&h, m->digest);
	return 0;
}

static int read_archive(struct store *st, struct source *src, struct ward_error *e)
{
	const char *file = src->ref->path;
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	int rc = -1;
	if (archive_read_open_filename(a, file, 1 << 20) != ARCHIVE_OK) {
		ward_error_set(e, archive_errno(a), "%s: %s", file, archive_error_string(a));
		goto out;
	}
	struct archive_entry *en;
	int r;
	while ((r = archive_read_next_header(a, &en)) == ARCHIVE_OK) {
		char name[4096];
		const char *raw = archive_entry_pathname(en);
		if (!raw || !join_member("", 0, raw, name, sizeof(name)))
			continue;
		const char *link = archive_entry_hardlink(en);
		if (!link && archive_entry_filetype(en) == AE_IFLNK)
			link = archive_entry_symlink(en);
		bool regular = !link && archive_entry_filetype(en) == AE_IFREG;
		if (!regular && !link)
			continue;
		if (!strcmp(name, "index.json") || !strcmp(name, "manifest.json")) {
			bool idx = name[0] == 'i';
			char **slot = idx ? &src->index : &src->docker_manifest;
			size_t *slot_len = idx ? &src->index_len : &src->docker_manifest_len;
			if (*slot || link) {
				ward_error_set(e, 0, "%s: %s twice or as a link", file, name);
				goto out;
			}
			*slot_len = (size_t)archive_entry_size(en);
			if (!(*slot = read_small(a, *slot_len, e, name)))
				goto out;
			continue;
		}
		if (src->n_members == MAX_MEMBERS) {
			ward_error_set(e, 0, "%s: more than %d members", file, MAX_MEMBERS);
			goto out;
		}
		struct member *grown =
		    realloc(src->members, (src->n_members + 1) * sizeof(*src->members));
		if (!grown)
			goto out;
		src->members = grown;
		struct member *m = &src->members[src->n_members++];
		memset(m, 0, sizeof(*m));
		m->name = strdup(name);
		m->link = link ? strdup(link) : NULL;
		m->hard = archive_entry_hardlink(en) != NULL;
		if (regular && stage_member(st, a, m, e) < 0)
			goto out;
	}
	if (r != ARCHIVE_EOF) {
		ward_error_set(e, 0, "%s: %s", file, archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	archive_read_free(a);
	return rc;
}

int source_open(struct store *st, const struct image_ref *ref, struct source *src,
                struct ward_error *e)
{
	memset(src, 0, sizeof(*src));
	src->ref = ref;
	src->dirfd = -1;
	if (ref->kind == REF_OCI_DIR) {
		src->dirfd = open(ref->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		autoclose int fd = src->dirfd < 0
		                       ? -1
		                       : sys_openat2(src->dirfd, "index.json", O_RDONLY | O_CLOEXEC,
		                                     RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
		struct stat s;
		if (fd < 0 || fstat(fd, &s) < 0)
			return ward_error_set(
			    e, errno, "oci:%s: not an OCI image layout (no index.json)", ref->path);
		if ((uint64_t)s.st_size > MAX_DOCUMENT)
			return ward_error_set(e, 0, "oci:%s: index.json too large", ref->path);
		src->index_len = (size_t)s.st_size;
		src->index = malloc(src->index_len + 1);
		if (!src->index || read(fd, src->index, src->index_len) != (ssize_t)src->index_len)
			return ward_error_set(e, errno, "oci:%s: reading index.json", ref->path);
		src->index[src->index_len] = 0;
		return 0;
	}
	if (read_archive(st, src, e) < 0)
		return -1;
	if (ref->kind == REF_OCI_ARCHIVE && !src->index)
		return ward_error_set(e, 0, "oci-archive:%s: no index.json in the archive",
		                      ref->path);
	if (ref->kind == REF_DOCKER_ARCHIVE && !src->docker_manifest)
		return ward_error_set(e, 0, "docker-archive:%s: no manifest.json in the archive",
		                      ref->path);
	return 0;
}

int source_fetch(struct store *st, struct source *src, const struct descriptor *d,
                 struct ward_error *e)
{
	if (store_has_blob(st, d->digest))
		return 0;
	char name[128];
	snprintf(name, sizeof(name), "blobs/sha256/%s", digest_hex(d->digest));
	if (src->dirfd >= 0) {
		autoclose int fd = sys_openat2(src->dirfd, name, O_RDONLY | O_CLOEXEC,
		                               RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
		if (fd < 0)
			return ward_error_set(e, errno, "blob %s is missing from oci:%s", d->digest,
			                      src->ref->path);
		return store_copy_blob(st, fd, d, e);
	}
	const struct member *m = source_member(src, name);
	if (!m || !m->staged[0])
		return ward_error_set(e, 0, "blob %s is missing from %s", d->digest,
		                      src->ref->path);
	if (m->size != d->size || strcmp(m->digest, d->digest))
		return ward_error_set(e, 0, "blob %s: the archive holds %llu bytes hashing to %s",
		                      d->digest, (unsigned long long)m->size, m->digest);
	return source_adopt(st, (struct member *)m, e);
}

int source_adopt(struct store *st, struct member *m, struct ward_error *e)
{
	if (!m->staged[0] || store_has_blob(st, m->digest))
		return 0;
	if (store_commit_blob(st, m->staged, m->digest, e) < 0)
		return -1;
	m->staged[0] = 0;
	return 0;
}

void source_close(struct store *st, struct source *src)
{
	for (size_t i = 0; i < src->n_members; i++) {
		if (src->members[i].staged[0])
			unlinkat(st->fd, src->members[i].staged, 0);
		free(src->members[i].name);
		free(src->members[i].link);
	}
	free(src->members);
	free(src->index);
	free(src->docker_manifest);
	if (src->dirfd >= 0)
		close(src->dirfd);
	memset(src, 0, sizeof(*src));
	src->dirfd = -1;
}
