/* The SANDBOX_VOLUMES / -v grammar. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

#define MAX_VOLUMES 64

struct field {
	char text[4096];
	size_t len;
};

/* Split one entry (up to an unescaped ',') into ':'-separated fields. Returns the number of
 * fields, or -1 on a dangling backslash or an over-long field. *P ends past the entry. */
static int split_entry(const char **p, struct field *f, int max)
{
	int n = 0;
	f[0].len = 0;
	for (; **p && **p != ','; (*p)++) {
		char c = **p;
		if (c == ':') {
			if (++n == max)
				return -1;
			f[n].len = 0;
			continue;
		}
		if (c == '\\') {
			(*p)++;
			c = **p;
			if (c != ',' && c != ':' && c != '\\')
				return -1;
		}
		if (f[n].len + 1 >= sizeof(f[n].text))
			return -1;
		f[n].text[f[n].len++] = c;
	}
	for (int i = 0; i <= n; i++)
		f[i].text[f[i].len] = 0;
	return n + 1;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == 0 || path[n] == '/');
}

/* Absolute, no empty, "." or ".." components, no trailing slash, not "/", not in the
 * kernel's filesystems. Returns a reason, or NULL when fine. */
static const char *bad_container_path(const char *p)
{
	if (p[0] != '/')
		return "must be absolute";
	if (!strcmp(p, "/"))
		return "cannot be /";
	for (const char *c = p; *c;) {
		const char *next = strchrnul(c + 1, '/');
		size_t len = (size_t)(next - c - 1);
		if (len == 0 || (len == 1 && c[1] == '.') ||
		    (len == 2 && c[1] == '.' && c[2] == '.'))
			return "must be normalised (no //, /./, /../ or trailing /)";
		c = next;
	}
	static const char *const kernel[] = {"/proc", "/sys", "/dev"};
	for (size_t i = 0; i < 3; i++)
		if (under(p, kernel[i]))
			return "cannot be under /proc, /sys or /dev";
	return NULL;
}

static bool taken(const struct ward_spec *s, const char *path)
{
	for (size_t i = 0; i < s->n_volumes; i++)
		if (!strcmp(s->volumes[i].container, path))
			return true;
	for (size_t i = 0; i < s->n_tmpfs; i++)
		if (!strcmp(s->tmpfs[i].container, path))
			return true;
	return false;
}

static int add(struct ward_spec *s, const char *host, const char *cont, enum ward_volume_mode m,
               struct ward_error *e)
{
	if (s->n_volumes == MAX_VOLUMES) {
		ward_error_set(e, 0, "volumes: at most %d", MAX_VOLUMES);
		return -1;
	}
	struct ward_volume *v = realloc(s->volumes, (s->n_volumes + 1) * sizeof(*v));
	if (!v) {
		ward_error_set(e, ENOMEM, "volumes");
		return -1;
	}
	s->volumes = v;
	v[s->n_volumes] =
	    (struct ward_volume){.host = strdup(host), .container = strdup(cont), .mode = m};
	if (!v[s->n_volumes].host || !v[s->n_volumes].container) {
		free(v[s->n_volumes].host);
		free(v[s->n_volumes].container);
		ward_error_set(e, ENOMEM, "volumes");
		return -1;
	}
	s->n_volumes++;
	return 0;
}

int ward_spec_add_volumes(struct ward_spec *s, const char *list, const char *origin,
                          struct ward_error *e)
{
	const char *p = list;
	for (unsigned entry = 1;; entry++) {
		const char *start = p;
		struct field f[4];
		int n = split_entry(&p, f, 4);
		int len = (int)(p - start);
		if (n < 0 || n < 2 || n > 3) {
			ward_error_set(
			    e, 0,
			    "%s entry %u '%.*s': expected HOST:CONTAINER[:rw|ro|overlay] "
			    "(escape ',' ':' and '\\' in paths with '\\')",
			    origin, entry, len, start);
			return -1;
		}
		enum ward_volume_mode mode = WARD_VOLUME_RW;
		if (n == 3) {
			if (!strcmp(f[2].text, "ro"))
				mode = WARD_VOLUME_RO;
			else if (!strcmp(f[2].text, "overlay"))
				mode = WARD_VOLUME_OVERLAY;
			else if (strcmp(f[2].text, "rw") != 0) {
				ward_error_set(e, 0,
				               "%s entry %u: mode '%s': expected rw, ro or overlay",
				               origin, entry, f[2].text);
				return -1;
			}
		}
		if (f[0].text[0] != '/') {
			ward_error_set(e, 0, "%s entry %u: host path '%s' must be absolute", origin,
			               entry, f[0].text);
			return -1;
		}
		const char *why = bad_container_path(f[1].text);
		if (why) {
			ward_error_set(e, 0, "%s entry %u: container path '%s' %s", origin, entry,
			               f[1].text, why);
			return -1;
		}
		if (taken(s, f[1].text)) {
			ward_error_set(e, 0, "%s entry %u: container path '%s' is already a mount",
			               origin, entry, f[1].text);
			return -1;
		}
		if (add(s, f[0].text, f[1].text, mode, e) < 0)
			return -1;
		if (!*p)
			return 0;
		p++; /* the ',' */
	}
}

/* One tmpfs option; returns a reason when it is bad. */
static const char *tmpfs_option(struct ward_tmpfs *t, const char *opt)
{
	uint64_t v;
	if (!strncmp(opt, "size=", 5))
		return ward_parse_size(opt + 5, &t->size) < 0 || t->size == 0
		           ? "size: expected a size like 64m"
		           : NULL;
	if (!strncmp(opt, "mode=", 5)) {
		char *end;
		errno = 0;
		v = strtoul(opt + 5, &end, 8);
		if (errno || *end || end == opt + 5 || v > 07777)
			return "mode: expected octal permissions like 1777";
		t->mode = (uint32_t)v;
		return NULL;
	}
	if (!strcmp(opt, "noexec") || !strcmp(opt, "exec")) {
		t->noexec = !strcmp(opt, "noexec");
		return NULL;
	}
	return "unknown option (expected size=, mode=, noexec or exec)";
}

int ward_spec_add_tmpfs(struct ward_spec *s, const char *text, struct ward_error *e)
{
	char buf[4096];
	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf)) {
		ward_error_set(e, ENAMETOOLONG, "--tmpfs");
		return -1;
	}
	char *opts = strchr(buf, ':');
	if (opts)
		*opts++ = 0;
	const char *why = bad_container_path(buf);
	if (why) {
		ward_error_set(e, 0, "--tmpfs %s: container path '%s' %s", text, buf, why);
		return -1;
	}
	if (taken(s, buf)) {
		ward_error_set(e, 0, "--tmpfs %s: '%s' is already a mount", text, buf);
		return -1;
	}
	struct ward_tmpfs t = {.mode = 01777};
	for (char *save = NULL, *o = opts ? strtok_r(opts, ",", &save) : NULL; o;
	     o = strtok_r(NULL, ",", &save))
		if ((why = tmpfs_option(&t, o))) {
			ward_error_set(e, 0, "--tmpfs %s: '%s': %s", text, o, why);
			return -1;
		}
	struct ward_tmpfs *g = realloc(s->tmpfs, (s->n_tmpfs + 1) * sizeof(*g));
	if (!g || !(t.container = strdup(buf))) {
		if (g)
			s->tmpfs = g;
		ward_error_set(e, ENOMEM, "--tmpfs");
		return -1;
	}
	s->tmpfs = g;
	s->tmpfs[s->n_tmpfs++] = t;
	return 0;
}

int ward_spec_set_user_id(struct ward_spec *s, const char *text, const char *origin,
                          struct ward_error *e)
{
	uint64_t v;
	if (ward_parse_count(text, &v) < 0 || v >= WARD_IDMAP_SIZE) {
		ward_error_set(e, 0, "%s %s: expected a uid from 0 to %u", origin, text,
		               WARD_IDMAP_SIZE - 1);
		return -1;
	}
	s->user_id_set = true;
	snprintf(s->user_id_origin, sizeof(s->user_id_origin), "%s", origin);
	s->user_id = s->uid = s->gid = (uint32_t)v;
	return 0;
}

void spec_volumes_free(struct ward_spec *s)
{
	for (size_t i = 0; i < s->n_volumes; i++) {
		free(s->volumes[i].host);
		free(s->volumes[i].container);
	}
	free(s->volumes);
	s->volumes = NULL;
	s->n_volumes = 0;
	for (size_t i = 0; i < s->n_tmpfs; i++)
		free(s->tmpfs[i].container);
	free(s->tmpfs);
	s->tmpfs = NULL;
	s->n_tmpfs = 0;
}
