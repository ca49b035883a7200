/* The image calls of issue 18 from a program's side, over a store ($WARD_STORE): pack (its id),
 * tag, history, and the internal store_commit over a layer built here with libarchive (a new
 * file, a whiteout of a base file, an opaque directory). Run by images2.bats, root and
 * rootless, which runs the results with the ward binary.
 * usage: test_commit pack DIR NAME         prints the id
 *        test_commit tag REF NAME
 *        test_commit history REF           one line per entry: digest size created_by|comment
 *        test_commit commit BASE NAME      prints the id (BASE "--rootfs=DIR": packed first)
 *        test_commit bad                   the refusals, each one line naming its culprit */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commit.h"
#include "ward/ward.h"

static struct ward_error e;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: %s failed (%s)\n", __FILE__, __LINE__, #cond,      \
			        e.msg);                                                            \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

static void add(struct archive *a, const char *path, mode_t type, unsigned perm, unsigned id,
                const char *data)
{
	struct archive_entry *en = archive_entry_new();
	archive_entry_copy_pathname(en, path);
	archive_entry_set_filetype(en, type);
	archive_entry_set_perm(en, perm);
	archive_entry_set_uid(en, id);
	archive_entry_set_gid(en, id);
	archive_entry_set_mtime(en, 1700000000, 0);
	archive_entry_set_size(en, data ? (la_int64_t)strlen(data) : 0);
	CHECK(archive_write_header(a, en) == ARCHIVE_OK);
	if (data)
		CHECK(archive_write_data(a, data, strlen(data)) == (la_ssize_t)strlen(data));
	archive_entry_free(en);
}

/* The layer a commit stores: owners are container ids, deletions OCI whiteouts. */
static int layer(void)
{
	FILE *f = tmpfile();
	CHECK(f != NULL);
	int fd = fileno(f);
	struct archive *a = archive_write_new();
	CHECK(archive_write_set_format_pax_restricted(a) == ARCHIVE_OK);
	CHECK(archive_write_open_fd(a, fd) == ARCHIVE_OK);
	add(a, "added.txt", AE_IFREG, 0640, 1000, "added by commit\n");
	add(a, "etc/.wh.group", AE_IFREG, 0600, 0, NULL);
	add(a, "opq", AE_IFDIR, 0755, 0, NULL);
	add(a, "opq/.wh..wh..opq", AE_IFREG, 0600, 0, NULL);
	add(a, "opq/new", AE_IFREG, 0644, 0, "new\n");
	CHECK(archive_write_close(a) == ARCHIVE_OK);
	archive_write_free(a);
	/* Not rewound: store_commit reads from offset 0. */
	return dup(fd);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_commit pack|tag|history|commit|bad ...\n");
		return 2;
	}
	struct ward_context *c;
	struct ward_store *st;
	CHECK(ward_context_new(&c, &e) == 0);
	const char *store = getenv("WARD_STORE");
	if (store)
		CHECK(ward_context_set_store_dir(c, store, &e) == 0);
	CHECK(ward_store_open(c, &st, &e) == 0);
	char id[80];
	const char *cmd = argv[1];
	if (!strcmp(cmd, "pack") && argc == 4) {
		CHECK(ward_image_pack(st, argv[2], argv[3], NULL, id, &e) == 0);
		CHECK(!strncmp(id, "sha256:", 7));
		printf("%s\n", id);
	} else if (!strcmp(cmd, "tag") && argc == 4) {
		CHECK(ward_image_tag(st, argv[2], argv[3], &e) == 0);
	} else if (!strcmp(cmd, "history") && argc == 3) {
		struct ward_image_layer *v;
		size_t n;
		CHECK(ward_image_history(st, argv[2], &v, &n, &e) == 0);
		for (size_t i = 0; i < n; i++)
			printf("%s %llu %s|%s|%lld\n", v[i].digest[0] ? v[i].digest : "-",
			       (unsigned long long)v[i].size,
			       v[i].created_by ? v[i].created_by : "",
			       v[i].comment ? v[i].comment : "", (long long)v[i].created_ms);
		ward_image_history_free(v, n);
	} else if (!strcmp(cmd, "commit") && argc == 4) {
		int fd = layer();
		char *env[] = {"COMMITTED=yes", "PATH=/bin:/usr/bin", NULL};
		struct image_commit_config cfg = {.env = env, .workdir = "/opq"};
		const char *base = argv[2], *rootfs = NULL;
		if (!strncmp(base, "--rootfs=", 9))
			rootfs = base + 9, base = NULL;
		CHECK(store_commit(st, base, rootfs, fd, argv[3], "set up by a test", &cfg, id,
		                   &e) == 0);
		CHECK(!strncmp(id, "sha256:", 7));
		printf("%s\n", id);
		close(fd);
	} else if (!strcmp(cmd, "bad")) {
		int fd = layer();
		int rc;
		rc = store_commit(st, "no-such-image", NULL, fd, "x", NULL, NULL, id, &e);
		printf("%d %s\n", rc, e.msg);
		rc = store_commit(st, NULL, NULL, fd, "x", NULL, NULL, id, &e);
		printf("%d %s\n", rc, e.msg);
		rc = store_commit(st, NULL, "/nonexistent", fd, "Bad Name", NULL, NULL, id, &e);
		printf("%d %s\n", rc, e.msg);
		rc = ward_image_tag(st, "no-such-image", "y", &e);
		printf("%d %s\n", rc, e.msg);
		rc = ward_image_tag(st, "no-such-image", "UPPER", &e);
		printf("%d %s\n", rc, e.msg);
		struct ward_image_layer *v;
		size_t n;
		rc = ward_image_history(st, "no-such-image", &v, &n, &e);
		printf("%d %s\n", rc, e.msg);
		close(fd);
	} else {
		fprintf(stderr, "test_commit: bad usage\n");
		return 2;
	}
	ward_store_close(st);
	ward_context_free(c);
	return 0;
}
