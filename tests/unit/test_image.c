/* Unit tests: digest grammar, image names, index / manifest / config parsing, and the tree
 * walk that writes pack's layers (reproducible bytes, xattrs, clamped times). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "image.h"
#include "manifest.h"
#include "names.h"
#include "tree_tar.h"

#define D1 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D2 "sha256:1111111111111111111111111111111111111111111111111111111111111111"

static void digests(void **state)
{
	(void)state;
	assert_true(digest_valid(D1));
	assert_false(digest_valid("sha256:../../x"));
	assert_false(digest_valid(
	    "sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_false(digest_valid(
	    "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_false(digest_valid(D1 "0"));
	assert_false(digest_valid(NULL));
	char out[DIGEST_LEN + 1];
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, "abc", 3);
	sha256_final(&h, out);
	assert_string_equal(
	    out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void names(void **state)
{
	(void)state;
	char out[256];
	assert_true(name_normalize("app", out, sizeof(out)));
	assert_string_equal(out, "app:latest");
	assert_true(name_normalize("test/bb:v1.2", out, sizeof(out)));
	assert_string_equal(out, "test/bb:v1.2");
	assert_false(name_normalize("App", out, sizeof(out)));
	assert_false(name_normalize("a//b", out, sizeof(out)));
	assert_false(name_normalize("a:", out, sizeof(out)));
	assert_false(name_normalize("a:-x", out, sizeof(out)));
	assert_false(name_normalize("../x", out, sizeof(out)));
	assert_false(name_normalize("a b", out, sizeof(out)));
	/* Registry names: a domain with a port, a digest. */
	assert_true(name_normalize("127.0.0.1:5000/python", out, sizeof(out)));
	assert_string_equal(out, "127.0.0.1:5000/python:latest");
	assert_true(name_normalize("localhost/a/b:1", out, sizeof(out)));
	assert_string_equal(out, "localhost/a/b:1");
	assert_true(name_normalize("ghcr.io/org/tool@sha256:" HEX64, out, sizeof(out)));
	assert_string_equal(out, "ghcr.io/org/tool@sha256:" HEX64);
	assert_false(name_normalize("ghcr.io/org/tool@sha256:abc", out, sizeof(out)));
	assert_false(name_normalize("host:port/x", out, sizeof(out)));
	assert_false(name_normalize("host:/x", out, sizeof(out)));
	assert_false(name_normalize("-h.io/x", out, sizeof(out)));
	name_from("My Image.tar", NULL, out, sizeof(out));
	assert_string_equal(out, "my-image.tar:latest");
	name_from("--", "a b", out, sizeof(out));
	assert_string_equal(out, "image:a-b");
}

static const char *index_doc =
    "{\"schemaVersion\":2,\"manifests\":["
    "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":1,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
    "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":2,"
    "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"},"
    "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"}},"
    "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D2 "\",\"size\":3,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

static void platform_choice(void **state)
{
	(void)state;
	struct descriptor d;
	enum doc_kind k;
	struct ward_error e;
	assert_int_equal(index_select(index_doc, strlen(index_doc), NULL, &d, &k, &e), 0);
	assert_string_equal(d.digest, D2);
	assert_int_equal(d.size, 3);
	assert_int_equal(k, DOC_MANIFEST);
	assert_int_equal(index_select(index_doc, strlen(index_doc), "v1", &d, &k, &e), -1);
	assert_string_equal(e.msg, "no image tagged 'v1' for linux/amd64");
	/* --platform: another one, and the listing when none fits. */
	struct platform p;
	assert_int_equal(platform_parse("linux/arm64/v8", &p, &e), 0);
	assert_int_equal(index_pick(index_doc, strlen(index_doc), NULL, &p, "r", &d, &k, &e), 0);
	assert_string_equal(d.digest, D1);
	assert_int_equal(platform_parse("linux/riscv64", &p, &e), 0);
	assert_int_equal(index_pick(index_doc, strlen(index_doc), NULL, &p, "x:1", &d, &k, &e), -1);
	assert_string_equal(e.msg,
	                    "no image for linux/riscv64 in x:1 (it has: linux/arm64, linux/amd64)");
	assert_int_equal(platform_parse("linux", &p, &e), -1);
	assert_int_equal(platform_parse("linux/arm/v7/x", &p, &e), -1);
}

static void document_confusion(void **state)
{
	(void)state;
	enum doc_kind k;
	struct ward_error e;
	const char *both = "{\"manifests\":[],\"layers\":[]}";
	assert_int_equal(document_kind(both, strlen(both), MT_OCI_INDEX, &k, &e), -1);
	assert_string_equal(e.msg, "document has both manifests and layers");
	const char *lie = "{\"mediaType\":\"" MT_OCI_INDEX "\",\"layers\":[]}";
	assert_int_equal(document_kind(lie, strlen(lie), MT_OCI_MANIFEST, &k, &e), -1);
	const char *dup = "{\"layers\":[],\"layers\":[]}";
	assert_int_equal(document_kind(dup, strlen(dup), MT_OCI_MANIFEST, &k, &e), -1);
}

static void manifests_and_configs(void **state)
{
	(void)state;
	struct manifest m;
	struct image_config c;
	struct ward_error e;
	const char *man =
	    "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1
	    "\",\"size\":5},\"layers\":[{\"mediaType\":\"" MT_OCI_LAYER "+zstd\",\"digest\":\"" D2
	    "\",\"size\":7}]}";
	assert_int_equal(manifest_parse(man, strlen(man), &m, &e), 0);
	assert_int_equal(m.n_layers, 1);
	assert_int_equal(m.comp[0], COMP_ZSTD);
	manifest_free(&m);
	const char *bad =
	    "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1
	    "\",\"size\":5},\"layers\":[{\"mediaType\":\"application/x-lzo\",\"digest\":\"" D2
	    "\",\"size\":7}]}";
	assert_int_equal(manifest_parse(bad, strlen(bad), &m, &e), -1);
	assert_string_equal(e.msg, "layer 1: unsupported media type application/x-lzo");
	const char *cfg = "{\"config\":{\"User\":\"app\",\"Env\":[\"A=b\"],\"Cmd\":null},"
	                  "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]}}";
	assert_int_equal(config_parse(cfg, strlen(cfg), 2, &c, &e), 0);
	assert_string_equal(c.user, "app");
	assert_null(c.cmd);
	/* ChainID(L0, L1) = sha256(DiffID(L0) + " " + DiffID(L1)) */
	struct sha256 h;
	char want[DIGEST_LEN + 1];
	sha256_init(&h);
	sha256_update(&h, D1 " " D2, strlen(D1 " " D2));
	sha256_final(&h, want);
	assert_string_equal(c.chain_id, want);
	config_free(&c);
	assert_int_equal(config_parse(cfg, strlen(cfg), 1, &c, &e), -1);
	assert_string_equal(e.msg, "image config: 2 diff_ids for 1 layers");
}

static void users(void **state)
{
	(void)state;
	char root[] = "/tmp/ward-test-root.XXXXXX", path[64];
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/etc", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	FILE *f = fopen(path, "w");
	fputs("root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/etc/group", root);
	f = fopen(path, "w");
	fputs("root:x:0:\ntty:x:5:\n", f);
	fclose(f);
	struct ward_error e;
	uint32_t uid, gid;
	assert_int_equal(image_root_user(root, "user", &uid, &gid, &e), 0);
	assert_true(uid == 1000 && gid == 1000);
	assert_int_equal(image_root_user(root, "user:tty", &uid, &gid, &e), 0);
	assert_true(uid == 1000 && gid == 5);
	assert_int_equal(image_root_user(root, "4242", &uid, &gid, &e), 0);
	assert_true(uid == 4242 && gid == 4242);
	assert_int_equal(image_root_user(root, "0", &uid, &gid, &e), 0);
	assert_true(uid == 0 && gid == 0);
	/* fully numeric: no root needed */
	assert_int_equal(image_root_user("/nonexistent", "5:7", &uid, &gid, &e), 0);
	assert_true(uid == 5 && gid == 7);
	const char *bad[] = {"", "nosuch", "-1", "1:", "1:nosuch", "99999999999", "user:-5"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(image_root_user(root, bad[i], &uid, &gid, &e), -1);
	assert_string_equal(e.msg, "group -5: not in the root's /etc/group");
	snprintf(path, sizeof(path), "rm -rf %s", root);
	assert_int_equal(system(path), 0);
}

struct buf {
	char *data;
	size_t len;
};

static int to_buf(void *arg, const void *data, size_t len)
{
	struct buf *b = arg;
	b->data = realloc(b->data, b->len + len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

/* DIR as pack writes it (ids as they are), times clamped to CLAMP when it is not -1. */
static struct buf tree_bytes(const char *dir, int64_t clamp, int64_t *newest)
{
	struct buf b = {0};
	struct tree_tar t = {.tw = {to_buf, &b, NULL}, .clamp = clamp >= 0, .clamp_to = clamp};
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(tree_tar_children(&t, fd, "."), 0);
	assert_int_equal(tar_write_end(&t.tw), 0);
	tree_tar_free(&t);
	close(fd);
	if (newest)
		*newest = t.newest;
	return b;
}

static void set_mtime(const char *dir, const char *name, time_t t)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct timespec ts[2] = {{t, 123}, {t, 456789}};
	assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void tree_tar_reproducible(void **state)
{
	(void)state;
	char dir[] = "/tmp/ward-tree-tar-XXXXXX", path[512];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0750), 0);
	write_file(dir, "b", "bee\n");
	write_file(dir, "sub/a", "a\n");
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink("sub/a", path), 0);
	snprintf(path, sizeof(path), "%s/b", dir);
	bool xattrs = setxattr(path, "user.kept", "v", 1, 0) == 0;
	if (xattrs)
		assert_int_equal(setxattr(path, "user.overlay.origin", "x", 1, 0), 0);
	const char *names[] = {"b", "sub/a", "link", "sub"};
	for (size_t i = 0; i < 4; i++)
		set_mtime(dir, names[i], 1600000000 + (time_t)i);

	int64_t newest;
	struct buf one = tree_bytes(dir, -1, &newest), two = tree_bytes(dir, -1, NULL);
	assert_int_equal(newest, 1600000003);
	assert_int_equal(one.len, two.len);
	assert_memory_equal(one.data, two.data, one.len);

	/* Read back: sorted, whole seconds, no host fields, the user xattr but overlay's. */
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_memory(a, one.data, one.len), ARCHIVE_OK);
	struct archive_entry *en;
	const char *order[] = {"b", "link", "sub/", "sub/a"}; /* dirs end in / */
	size_t n = 0;
	while (archive_read_next_header(a, &en) == ARCHIVE_OK) {
		assert_true(n < 4);
		assert_string_equal(archive_entry_pathname(en), order[n++]);
		const char *un = archive_entry_uname(en), *gn = archive_entry_gname(en);
		assert_true((!un || !*un) && (!gn || !*gn));
		assert_false(archive_entry_atime_is_set(en));
		assert_false(archive_entry_ctime_is_set(en));
		assert_int_equal(archive_entry_mtime_nsec(en), 0);
		if (!strcmp(archive_entry_pathname(en), "b")) {
			assert_int_equal(archive_entry_xattr_count(en), xattrs ? 1 : 0);
			const char *name;
			const void *v;
			size_t len;
			archive_entry_xattr_reset(en);
			if (xattrs && archive_entry_xattr_next(en, &name, &v, &len) == ARCHIVE_OK)
				assert_string_equal(name, "user.kept");
		}
		if (!strcmp(archive_entry_pathname(en), "link"))
			assert_string_equal(archive_entry_symlink(en), "sub/a");
	}
	assert_int_equal(n, 4);
	archive_read_free(a);

	/* Clamped: times after the clamp do not matter, the clamp is the newest. */
	struct buf c1 = tree_bytes(dir, 1600000001, &newest);
	assert_int_equal(newest, 1600000001);
	set_mtime(dir, "sub/a", 1700000000);
	struct buf c2 = tree_bytes(dir, 1600000001, NULL);
	assert_int_equal(c1.len, c2.len);
	assert_memory_equal(c1.data, c2.data, c1.len);

	/* Another content: other bytes. */
	write_file(dir, "b", "bee!\n");
	set_mtime(dir, "b", 1600000000);
	struct buf three = tree_bytes(dir, -1, NULL);
	assert_true(three.len != one.len || memcmp(three.data, one.data, one.len));
	free(one.data), free(two.data), free(three.data), free(c1.data), free(c2.data);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(digests),
	    cmocka_unit_test(names),
	    cmocka_unit_test(platform_choice),
	    cmocka_unit_test(document_confusion),
	    cmocka_unit_test(manifests_and_configs),
	    cmocka_unit_test(users),
	    cmocka_unit_test(tree_tar_reproducible),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
