/* The SANDBOX_VOLUMES / -v grammar. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ward.h"

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
		for (size_t i = 0; i < s->n_volumes; i++)
			if (!strcmp(s->volumes[i].container, f[1].text)) {
				ward_error_set(
				    e, 0, "%s entry %u: container path '%s' is already a volume",
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

void ward_volumes_free(struct ward_spec *s)
{
	for (size_t i = 0; i < s->n_volumes; i++) {
		free(s->volumes[i].host);
		free(s->volumes[i].container);
	}
	free(s->volumes);
	s->volumes = NULL;
	s->n_volumes = 0;
}
