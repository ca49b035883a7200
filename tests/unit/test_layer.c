/* The saved writable layer end to end, through the launcher's pieces: a run that changes the
 * image (new files, a hard link, a symlink, a fifo, a chown, a deletion, a directory
 * replaced, an append to a file with an xattr) is exported with layer_export; the tar is
 * checked; a second run restored from it sees exactly those changes and exports the same
 * bytes again; a layer over --disk fails with one line. Then the time to save and restore
 * 100 MB in 1000 files is printed. Run by layer.bats (root and rootless).
 * usage: test_layer ROOTFS TMPDIR */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "launch.h"
#include "layer.h"
#include "upper_restore.h"

static struct ward_error e;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: %s failed (%s)\n", __FILE__, __LINE__, #cond,      \
			        e.msg);                                                            \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

static const char *rootfs, *tmp;
static struct ward_context *ctx;

static void put(const char *rel, const char *text)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", rootfs, rel);
	FILE *f = fopen(p, "w");
	CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0);
}

/* One sandbox running sh -c SCRIPT; LAYER_IN restored first, the layer exported to OUT
 * (NULL: not kept). Returns run_end's result; *exit_code the script's; *ms the duration. */
static int run_sh(const char *script, const char *disk, int layer_in, const char *out,
                  int *exit_code, uint64_t *export_ms)
{
	struct ward_spec *s;
	char *argv[] = {"/bin/sh", "-c", (char *)script};
	CHECK(ward_spec_new(&s, &e) == 0);
	CHECK(ward_spec_set_rootfs(s, rootfs, &e) == 0);
	CHECK(ward_spec_set_argv(s, 3, argv, &e) == 0);
	CHECK(ward_spec_set_limit(s, "disk", disk, &e) == 0);
	CHECK(spec_prepare(ctx, s, false, &e) == 0);
	s->keep_upper = out != NULL;
	s->layer_in = layer_in;
	struct run r;
	struct ward_result res;
	int rc = run_start(&r, ctx, s, &res, &e);
	if (rc == 0) {
		run_supervise(&r, 0, -1);
		run_collect(&r, &res);
		if (out && !r.failed) {
			int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			CHECK(fd >= 0);
			uint64_t t0 = now_ms();
			CHECK(r.upper >= 0 && r.userns >= 0);
			CHECK(layer_export(r.userns, r.upper, fd, &e) == 0);
			if (export_ms)
				*export_ms = now_ms() - t0;
			close(fd);
		}
	}
	rc = run_end(&r, rc, &res, &e);
	*exit_code = res.exit_code;
	ward_spec_free(s);
	return rc;
}

struct seen {
	char type; /* 'f' file, 'h' hard link, 'l' symlink, 'd' dir, 'p' fifo */
	char link[256];
	int64_t uid, gid, size;
	char data[64];
	bool xattr_test, xattr_overlay;
};

/* The tar's entry PATH, or exit. */
static struct seen find(const char *tar, const char *path)
{
	struct archive *a = archive_read_new();
	struct archive_entry *en;
	CHECK(a && archive_read_support_format_tar(a) == ARCHIVE_OK &&
	      archive_read_open_filename(a, tar, 1 << 16) == ARCHIVE_OK);
	struct seen s = {0};
	bool found = false;
	while (!found && archive_read_next_header(a, &en) >= ARCHIVE_WARN) {
		const char *got = archive_entry_pathname(en);
		size_t len = strlen(path); /* directories may be written as "NAME/" */
		if (!got || strncmp(got, path, len) || (got[len] && strcmp(got + len, "/")))
			continue;
		found = true;
		mode_t t = archive_entry_filetype(en);
		s.type = archive_entry_hardlink(en) ? 'h'
		         : t == AE_IFLNK            ? 'l'
		         : t == AE_IFDIR            ? 'd'
		         : t == AE_IFIFO            ? 'p'
		                                    : 'f';
		const char *l = s.type == 'h'   ? archive_entry_hardlink(en)
		                : s.type == 'l' ? archive_entry_symlink(en)
		                                : "";
		snprintf(s.link, sizeof(s.link), "%s", l);
		s.uid = archive_entry_uid(en), s.gid = archive_entry_gid(en);
		s.size = archive_entry_size(en);
		if (s.type == 'f')
			archive_read_data(a, s.data, sizeof(s.data) - 1);
		const char *name;
		const void *v;
		size_t n;
		archive_entry_xattr_reset(en);
		while (archive_entry_xattr_next(en, &name, &v, &n) == ARCHIVE_OK) {
			s.xattr_test |=
			    !strcmp(name, "user.test") && n == 4 && !memcmp(v, "kept", 4);
			s.xattr_overlay |= !strncmp(name, "user.overlay.", 13);
		}
	}
	archive_read_free(a);
	if (!found) {
		fprintf(stderr, "layer tar %s: no entry %s\n", tar, path);
		exit(1);
	}
	return s;
}

static bool tar_has(const char *tar, const char *prefix)
{
	struct archive *a = archive_read_new();
	struct archive_entry *en;
	CHECK(a && archive_read_support_format_tar(a) == ARCHIVE_OK &&
	      archive_read_open_filename(a, tar, 1 << 16) == ARCHIVE_OK);
	bool found = false;
	while (!found && archive_read_next_header(a, &en) >= ARCHIVE_WARN)
		found = archive_entry_pathname(en) &&
		        !strncmp(archive_entry_pathname(en), prefix, strlen(prefix));
	archive_read_free(a);
	return found;
}

static bool same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
	CHECK(fa && fb);
	int ca, cb;
	do {
		ca = getc(fa), cb = getc(fb);
	} while (ca == cb && ca != EOF);
	fclose(fa);
	fclose(fb);
	return ca == cb;
}

static const char changes[] =
    "set -e\n"
    "echo hello > /new.txt\n"
    "ln /new.txt /new-link.txt\n"
    "ln -s /new.txt /new-sym\n"
    "mkfifo -m 640 /fifo\n"
    "mkdir -p /home/u && echo mine > /home/u/f && chown -R 1000:1000 /home/u\n"
    "rm /data/old.txt\n"
    "rm -rf /olddir && mkdir /olddir && echo fresh > /olddir/c\n"
    "echo more >> /data/keep.txt\n"
    "d=/deep/$(printf 'd%.0s' $(seq 120)) && mkdir -p $d && echo long > $d/$(printf 'n%.0s' $(seq "
    "200))\n"
    "echo utf > /caf$(printf '\\303\\251')\n";

static const char expect[] =
    "set -e\n"
    "fail() { echo \"restored layer: $*\" >&2; exit 1; }\n"
    "[ \"$(cat /new.txt)\" = hello ] || fail new.txt\n"
    "[ \"$(stat -c %i /new.txt)\" = \"$(stat -c %i /new-link.txt)\" ] || fail hard link\n"
    "[ \"$(stat -c %h /new.txt)\" = 2 ] || fail link count\n"
    "[ \"$(readlink /new-sym)\" = /new.txt ] || fail symlink\n"
    "[ -p /fifo ] && [ \"$(stat -c %a /fifo)\" = 640 ] || fail fifo\n"
    "[ \"$(stat -c %u:%g /home/u/f /home/u | tr '\\n' ' ')\" = '1000:1000 1000:1000 ' ] || "
    "fail owners\n"
    "[ ! -e /data/old.txt ] || fail deleted file is back\n"
    "[ \"$(ls /olddir)\" = c ] || fail \"opaque directory: $(ls /olddir)\"\n"
    "[ \"$(cat /olddir/c)\" = fresh ] || fail olddir/c\n"
    "[ \"$(cat /data/keep.txt)\" = \"$(printf 'orig\\nmore')\" ] || fail appended file\n"
    "[ \"$(cat /data/other.txt)\" = untouched ] || fail image file\n"
    "[ \"$(cat /deep/d*/n*)\" = long ] || fail long name\n"
    "[ \"$(cat /caf$(printf '\\303\\251'))\" = utf ] || fail utf-8 name\n";

/* A ustar header block for the hand-written tar below (libarchive's writer would pull
 * every format it has into the link). */
static void ustar(FILE *f, const char *path, char type, const char *link, size_t size)
{
	char h[512] = {0};
	snprintf(h, 100, "%s", path);
	snprintf(h + 100, 8, "%07o", 0755);
	snprintf(h + 108, 8, "%07o", (unsigned)getuid());
	snprintf(h + 116, 8, "%07o", (unsigned)getgid());
	snprintf(h + 124, 12, "%011zo", size);
	snprintf(h + 136, 12, "%011o", 1000000000u);
	memset(h + 148, ' ', 8);
	h[156] = type;
	if (link)
		snprintf(h + 157, 100, "%s", link);
	memcpy(h + 257,
	       "ustar\0"
	       "00",
	       8);
	unsigned sum = 0;
	for (size_t i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	CHECK(fwrite(h, 512, 1, f) == 1);
}

static void data(FILE *f, const char *d, size_t n)
{
	char pad[512] = {0};
	CHECK(fwrite(d, 1, n, f) == n &&
	      fwrite(pad, 1, (512 - n % 512) % 512, f) == (512 - n % 512) % 512);
}

/* upper_restore by itself: xattrs (overlay's own dropped), whiteouts, opaque marks, and
 * nothing written through a symlink. */
static void direct_restore(void)
{
	char tar[4096], dir[4096];
	snprintf(tar, sizeof(tar), "%s/direct.tar", tmp);
	snprintf(dir, sizeof(dir), "%s/direct", tmp);
	CHECK(mkdir(dir, 0700) == 0);
	FILE *f = fopen(tar, "w");
	CHECK(f);
	static const char pax[] = "31 SCHILY.xattr.user.test=kept\n"
	                          "41 SCHILY.xattr.user.overlay.redirect=/x\n";
	ustar(f, "d", '5', NULL, 0);
	ustar(f, "d/.wh..wh..opq", '0', NULL, 0);
	ustar(f, "PaxHeaders/f", 'x', NULL, sizeof(pax) - 1);
	data(f, pax, sizeof(pax) - 1);
	ustar(f, "d/f", '0', NULL, 2);
	data(f, "hi", 2);
	ustar(f, ".wh.gone", '0', NULL, 0);
	ustar(f, "esc", '2', "/", 0);
	ustar(f, "esc/x", '0', NULL, 0);
	char end[1024] = {0};
	CHECK(fwrite(end, sizeof(end), 1, f) == 1 && fclose(f) == 0);
	int tfd = open(tar, O_RDONLY | O_CLOEXEC), dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(tfd >= 0 && dfd >= 0);
	/* the symlinked parent stops the restore: esc/x is never written through "/" */
	CHECK(upper_restore(dfd, tfd, &e) < 0 && strstr(e.msg, "entry 'esc/x'"));
	char p[4200], v[16];
	struct stat st;
	snprintf(p, sizeof(p), "%s/d/f", dir);
	CHECK(getxattr(p, "user.test", v, sizeof(v)) == 4 && !memcmp(v, "kept", 4));
	CHECK(getxattr(p, "user.overlay.redirect", v, sizeof(v)) < 0);
	snprintf(p, sizeof(p), "%s/d", dir);
	CHECK(getxattr(p, "user.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y');
	snprintf(p, sizeof(p), "%s/gone", dir);
	CHECK(lstat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0);
	CHECK(access("/x", F_OK) < 0);
	close(tfd);
	close(dfd);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fputs("usage: test_layer ROOTFS TMPDIR\n", stderr);
		return 2;
	}
	rootfs = argv[1], tmp = argv[2];
	CHECK(ward_context_new(&ctx, &e) == 0);
	direct_restore();

	/* the image: a file to delete, one to append to (with an xattr), a directory to
	 * replace, one left alone */
	char p[4096];
	snprintf(p, sizeof(p), "%s/data", rootfs);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/olddir", rootfs);
	CHECK(mkdir(p, 0755) == 0);
	put("data/old.txt", "old\n");
	put("data/keep.txt", "orig\n");
	put("data/other.txt", "untouched\n");
	put("olddir/a", "a\n");
	put("olddir/b", "b\n");
	snprintf(p, sizeof(p), "%s/data/keep.txt", rootfs);
	CHECK(setxattr(p, "user.test", "kept", 4, 0) == 0);

	char tar1[4096], tar2[4096], big[4096];
	snprintf(tar1, sizeof(tar1), "%s/layer1.tar", tmp);
	snprintf(tar2, sizeof(tar2), "%s/layer2.tar", tmp);
	snprintf(big, sizeof(big), "%s/big.tar", tmp);
	int code;
	CHECK(run_sh(changes, "64m", -1, tar1, &code, NULL) == 0 && code == 0);

	/* the tar, as an OCI layer */
	struct seen a = find(tar1, "new.txt"), b = find(tar1, "new-link.txt");
	CHECK((a.type == 'f' && b.type == 'h' && !strcmp(b.link, "new.txt")) ||
	      (b.type == 'f' && a.type == 'h' && !strcmp(a.link, "new-link.txt")));
	CHECK(!strcmp(find(tar1, "new-sym").link, "/new.txt"));
	CHECK(find(tar1, "fifo").type == 'p');
	struct seen f = find(tar1, "home/u/f");
	CHECK(f.uid == 1000 && f.gid == 1000 && f.size == 5 && !strcmp(f.data, "mine\n"));
	CHECK(find(tar1, "data/.wh.old.txt").type == 'f');
	CHECK(find(tar1, "olddir").type == 'd' && find(tar1, "olddir/.wh..wh..opq").type == 'f');
	CHECK(find(tar1, "olddir/c").size == 6 && !tar_has(tar1, "olddir/a"));
	CHECK(!tar_has(tar1, "data/other.txt"));
	struct seen k = find(tar1, "data/keep.txt");
	CHECK(k.uid == 0 && !strcmp(k.data, "orig\nmore\n") && k.xattr_test && !k.xattr_overlay);

	/* restored: everything as it was, and exported again byte for byte */
	int in = open(tar1, O_RDONLY | O_CLOEXEC);
	CHECK(in >= 0);
	CHECK(run_sh(expect, "64m", in, tar2, &code, NULL) == 0 && code == 0);
	CHECK(same_file(tar1, tar2));
	close(in);

	/* 100 MB in 1000 files: save and restore times; then the same layer over --disk */
	static const char fill[] =
	    "mkdir /big && i=0; while [ $i -lt 1000 ]; do "
	    "head -c 104857 /dev/urandom > /big/f$i || exit 1; i=$((i+1)); done";
	uint64_t export_ms = 0, t0;
	CHECK(run_sh(fill, "256m", -1, big, &code, &export_ms) == 0 && code == 0);
	struct stat st;
	CHECK(stat(big, &st) == 0 && st.st_size > 100 * 1000 * 1000);
	in = open(big, O_RDONLY | O_CLOEXEC);
	CHECK(in >= 0);
	t0 = now_ms();
	CHECK(run_sh("true", "256m", -1, NULL, &code, NULL) == 0 && code == 0);
	uint64_t plain_ms = now_ms() - t0;
	t0 = now_ms();
	CHECK(run_sh("[ $(ls /big | wc -l) = 1000 ]", "256m", in, NULL, &code, NULL) == 0 &&
	      code == 0);
	uint64_t restored_ms = now_ms() - t0;
	printf("100 MB in 1000 files: export %llu ms; start with restore %llu ms (without %llu "
	       "ms)\n",
	       (unsigned long long)export_ms, (unsigned long long)restored_ms,
	       (unsigned long long)plain_ms);

	CHECK(run_sh("true", "64m", in, NULL, &code, NULL) < 0 && code == 125);
	if (strcmp(e.msg, "saved writable layer does not fit --disk 64m")) {
		fprintf(stderr, "over --disk: %s\n", e.msg);
		return 1;
	}
	close(in);

	/* not a tar: one line naming the saved layer */
	char junk[4096];
	snprintf(junk, sizeof(junk), "%s/junk.tar", tmp);
	in = open(junk, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(in >= 0 && write(in, "not a tar\n", 10) == 10);
	CHECK(run_sh("true", "64m", in, NULL, &code, NULL) < 0 && code == 125);
	CHECK(!strncmp(e.msg, "saved writable layer: ", 22) && !strchr(e.msg, '\n'));
	close(in);
	ward_context_free(ctx);
	puts("ok");
	return 0;
}
