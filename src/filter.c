/* Finding policies, caching their compiled filters, and loading filters in the workload.
 *
 * The cache maps (policy bytes, capability set, kernel, libseccomp, ward version) to BPF.
 * Each file stores its whole key and is used only on an exact match, so the file name's
 * hash picks a file but never decides correctness. The directory must belong to the caller,
 * be closed to others and lie only in directories of root's or the caller's (userdir.h). */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "context.h"
#include "filter.h"
#include "sys.h"
#include "userdir.h"

#define MAX_POLICY_BYTES (4 << 20)
#define CACHE_MAGIC      "WARDBPF1"

static bool plain_name(const char *s)
{
	if (!*s || *s == '.' || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

/* DIR/../share/ward/policies for the directory FILE is in, when it names one. */
static bool beside(const char *file, char out[PATH_MAX])
{
	const char *slash = file ? strrchr(file, '/') : NULL;
	if (!slash || file[0] != '/')
		return false;
	snprintf(out, PATH_MAX, "%.*s/../share/ward/policies", (int)(slash - file), file);
	return true;
}

/* The policy directories, in order of precedence: the context's; beside the program (the
 * installed ward); beside libward.so (a program linked against an installed library); the
 * prefix ward was configured for; the source tree it was built from. */
static size_t policy_dirs(const struct ward_context *c, char dirs[5][PATH_MAX])
{
	size_t n = 0;
	const char *env = c ? c->policy_dir : NULL;
	if (env && *env)
		snprintf(dirs[n++], PATH_MAX, "%s", env);
	char exe[PATH_MAX] = "";
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = 0;
		n += beside(exe, dirs[n]);
	}
	Dl_info lib;
	if (dladdr((void *)policy_dirs, &lib) && lib.dli_fname && strcmp(lib.dli_fname, exe) != 0)
		n += beside(lib.dli_fname, dirs[n]);
	snprintf(dirs[n++], PATH_MAX, "%s", WARD_INSTALL_POLICY_DIR);
	snprintf(dirs[n++], PATH_MAX, "%s", WARD_SOURCE_POLICY_DIR);
	return n;
}

int ward_policy_find(const struct ward_context *c, const char *name, char *path, size_t len,
                     struct ward_error *e)
{
	if (strchr(name, '/')) {
		snprintf(path, len, "%s", name);
		if (access(path, R_OK) < 0) {
			ward_error_set(e, errno, "--policy %s", name);
			return -1;
		}
		return 0;
	}
	if (!plain_name(name)) {
		ward_error_set(e, 0,
		               "--policy %s: not a policy name (letters, digits, '-', '_') "
		               "nor a path (use ./%s for a file here)",
		               name, name);
		return -1;
	}
	char dirs[5][PATH_MAX];
	size_t n = policy_dirs(c, dirs);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, len, "%s/%s.json", dirs[i], name);
		if (access(path, R_OK) == 0)
			return 0;
	}
	ward_error_set(e, 0, "--policy %s: no such policy (see 'ward policy ls')", name);
	return -1;
}

void ward_policy_list(const struct ward_context *c,
                      void (*fn)(const char *name, const char *path, void *arg), void *arg)
{
	char dirs[5][PATH_MAX], seen[64][72];
	size_t n = policy_dirs(c, dirs), nseen = 0;
	for (size_t i = 0; i < n; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			size_t l = strlen(de->d_name);
			if (l < 6 || l > 69 || strcmp(de->d_name + l - 5, ".json") != 0)
				continue;
			char name[72];
			snprintf(name, sizeof(name), "%.*s", (int)(l - 5), de->d_name);
			bool dup = false;
			for (size_t k = 0; k < nseen; k++)
				dup |= !strcmp(seen[k], name);
			if (dup || nseen == 64)
				continue;
			strcpy(seen[nseen++], name);
			char path[PATH_MAX + 80];
			if (snprintf(path, sizeof(path), "%s/%s", dirs[i], de->d_name) <
			    (int)sizeof(path))
				fn(name, path, arg);
		}
		if (d)
			closedir(d);
	}
}

static char *read_policy(const char *path, size_t *len, struct ward_error *e)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		ward_error_set(e, errno, "policy %s", path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_POLICY_BYTES) {
		ward_error_set(e, 0, "policy %s: not a regular file of at most 4 MiB", path);
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size) {
		ward_error_set(e, errno ? errno : EIO, "policy %s: reading", path);
		free(buf);
		return NULL;
	}
	buf[st.st_size] = 0;
	*len = (size_t)st.st_size;
	return buf;
}

int ward_policy_check(const char *path, uint64_t caps, struct ward_error *e)
{
	size_t len;
	autofree char *text = read_policy(path, &len, e);
	if (!text)
		return -1;
	struct ward_filter f;
	if (filter_compile(text, len, path, caps, &f, e) < 0)
		return -1;
	filter_free(&f);
	return 0;
}

/* ---- the compile cache ---- */

/* The cache directory (userdir.h), or -1: without one, filters are compiled every time. */
static int cache_dir(void)
{
	char path[PATH_MAX];
	struct ward_error e;
	return userdir_default(NULL, USERDIR_CACHE, "filter cache", "XDG_CACHE_HOME", path,
	                       sizeof(path), false, &e);
}

static char *cache_key(const char *text, size_t len, uint64_t caps, size_t *keylen)
{
	struct utsname u;
	uname(&u);
	const struct scmp_version *v = seccomp_version();
	char facts[512];
	int n = snprintf(facts, sizeof(facts), "caps=%llx kernel=%s %s libseccomp=%u.%u.%u ward=%s",
	                 (unsigned long long)caps, u.release, u.machine, v->major, v->minor,
	                 v->micro, WARD_VERSION);
	char *key = malloc(len + 1 + (size_t)n);
	if (!key)
		return NULL;
	memcpy(key, text, len);
	key[len] = 0;
	memcpy(key + len + 1, facts, (size_t)n);
	*keylen = len + 1 + (size_t)n;
	return key;
}

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	while (n--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return h;
}

static int cache_read(int dir, const char *name, const char *key, size_t keylen,
                      struct ward_filter *f)
{
	autoclose int fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_uid != geteuid() || st.st_size > (8 << 20))
		return -1;
	autofree char *buf = malloc((size_t)st.st_size);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size)
		return -1;
	size_t off = 8 + 4, size = (size_t)st.st_size;
	uint32_t klen;
	if (size < off || memcmp(buf, CACHE_MAGIC, 8) != 0)
		return -1;
	memcpy(&klen, buf + 8, 4);
	if (klen != keylen || size < off + klen + 4 || memcmp(buf + off, key, keylen) != 0)
		return -1;
	off += klen;
	uint16_t lens[2];
	memcpy(lens, buf + off, 4);
	off += 4;
	if (size != off + ((size_t)lens[0] + lens[1]) * sizeof(struct sock_filter) || !lens[0])
		return -1;
	for (int i = 0; i < 2; i++) {
		if (!lens[i])
			continue;
		size_t bytes = lens[i] * sizeof(struct sock_filter);
		f->prog[i] = malloc(bytes);
		if (!f->prog[i])
			return filter_free(f), -1;
		memcpy(f->prog[i], buf + off, bytes);
		f->len[i] = lens[i];
		off += bytes;
	}
	return 0;
}

/* Written to a temporary name and renamed: readers see a whole file or none. */
static void cache_write(int dir, const char *name, const char *key, size_t keylen,
                        const struct ward_filter *f)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), ".tmp-%d", getpid());
	autoclose int fd =
	    openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	uint32_t klen = (uint32_t)keylen;
	uint16_t lens[2] = {f->len[0], f->len[1]};
	bool ok = write(fd, CACHE_MAGIC, 8) == 8 && write(fd, &klen, 4) == 4 &&
	          write(fd, key, keylen) == (ssize_t)keylen && write(fd, lens, 4) == 4;
	for (int i = 0; i < 2 && ok; i++) {
		size_t bytes = f->len[i] * sizeof(struct sock_filter);
		ok = !bytes || write(fd, f->prog[i], bytes) == (ssize_t)bytes;
	}
	if (!ok || renameat(dir, tmp, dir, name) < 0)
		unlinkat(dir, tmp, 0);
}

static int policy_filter(const struct ward_context *c, const struct ward_spec *s,
                         struct ward_filter *f, struct ward_error *e)
{
	memset(f, 0, sizeof(*f));
	if (s->seccomp_unconfined)
		return 0;
	char path[PATH_MAX] = "the policy given as text";
	size_t len, keylen;
	autofree char *text = NULL;
	if (s->policy_text) {
		len = strlen(s->policy_text);
		text = strdup(s->policy_text);
		if (!text)
			return ward_error_set(e, ENOMEM, "seccomp: %s", path);
	} else {
		if (ward_policy_find(c, s->policy ? s->policy : "default", path, sizeof(path), e) <
		    0)
			return -1;
		if (!(text = read_policy(path, &len, e)))
			return -1;
	}
	autofree char *key = cache_key(text, len, s->capabilities, &keylen);
	autoclose int dir = key ? cache_dir() : -1;
	char file[32];
	if (dir >= 0) {
		snprintf(file, sizeof(file), "%016llx.bpf", (unsigned long long)fnv1a(key, keylen));
		if (cache_read(dir, file, key, keylen, f) == 0)
			return 0;
	}
	if (filter_compile(text, len, path, s->capabilities, f, e) < 0)
		return -1;
	if (dir >= 0)
		cache_write(dir, file, key, keylen, f);
	return 0;
}

bool filter_wants_setid_ban(const struct ward_spec *s)
{
	bool rw = false;
	for (size_t i = 0; i < s->n_volumes; i++)
		rw |= s->volumes[i].mode == WARD_VOLUME_RW;
	return rw && !s->allow_setid_volumes && !s->seccomp_unconfined;
}

int filter_prepare(const struct ward_context *c, const struct ward_spec *s, struct ward_filter *f,
                   struct ward_error *e)
{
	if (policy_filter(c, s, f, e) < 0)
		return -1;
	/* Built from a table in microseconds: nothing to cache. */
	if (filter_wants_setid_ban(s) && filter_setid(&f->prog[2], &f->len[2]) < 0) {
		ward_error_set(e, errno, "seccomp: building the set-id filter");
		filter_free(f);
		return -1;
	}
	return 0;
}

int filter_load(const struct ward_filter *f)
{
	/* the set-id ban first: a policy may refuse seccomp() after its own program */
	static const int order[] = {2, 0, 1};
	for (int k = 0; k < 3; k++) {
		int i = order[k];
		if (!f->len[i])
			continue;
		struct sock_fprog prog = {.len = f->len[i], .filter = f->prog[i]};
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			return -1;
	}
	return 0;
}
