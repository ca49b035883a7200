/* config.json's mounts: each entry's options split into mount flags, propagation and the
 * filesystem's own data, bind sources resolved against the bundle. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "oci_json.h"
#include "oci_parse.h"
#include "strv.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

static const struct {
	const char *name;
	unsigned long flag;
	bool clear; /* the option clears FLAG */
} flag_opts[] = {
    {"ro", MS_RDONLY, false},
    {"rw", MS_RDONLY, true},
    {"nosuid", MS_NOSUID, false},
    {"suid", MS_NOSUID, true},
    {"nodev", MS_NODEV, false},
    {"dev", MS_NODEV, true},
    {"noexec", MS_NOEXEC, false},
    {"exec", MS_NOEXEC, true},
    {"sync", MS_SYNCHRONOUS, false},
    {"async", MS_SYNCHRONOUS, true},
    {"dirsync", MS_DIRSYNC, false},
    {"remount", MS_REMOUNT, false},
    {"mand", MS_MANDLOCK, false},
    {"nomand", MS_MANDLOCK, true},
    {"noatime", MS_NOATIME, false},
    {"atime", MS_NOATIME, true},
    {"nodiratime", MS_NODIRATIME, false},
    {"diratime", MS_NODIRATIME, true},
    {"relatime", MS_RELATIME, false},
    {"norelatime", MS_RELATIME, true},
    {"strictatime", MS_STRICTATIME, false},
    {"nostrictatime", MS_STRICTATIME, true},
    {"lazytime", MS_LAZYTIME, false},
    {"nolazytime", MS_LAZYTIME, true},
    {"silent", MS_SILENT, false},
    {"loud", MS_SILENT, true},
    {"nosymfollow", MS_NOSYMFOLLOW, false},
    {"symfollow", MS_NOSYMFOLLOW, true},
    {"defaults", 0, false},
};

/* runc's recursive attributes (mount_setattr over the whole tree): ward has no field for
 * them, and the non-recursive meaning would be weaker than asked. */
static bool recursive_attr(const char *opt)
{
	static const char *const r[] = {
	    "rro",      "rrw",    "rnosuid",      "rsuid",          "rnodev",       "rdev",
	    "rnoexec",  "rexec",  "rnodiratime",  "rdiratime",      "rrelatime",    "rnorelatime",
	    "rnoatime", "ratime", "rstrictatime", "rnostrictatime", "rnosymfollow", "rsymfollow",
	    NULL};
	for (size_t i = 0; r[i]; i++)
		if (!strcmp(opt, r[i]))
			return true;
	return false;
}

static int append_data(struct oci_mount *m, const char *opt, struct ward_error *e)
{
	size_t old = m->data ? strlen(m->data) : 0;
	char *d = realloc(m->data, old + strlen(opt) + 2);
	if (!d)
		return ward_error_set(e, ENOMEM, "mount options");
	if (old)
		d[old++] = ',';
	strcpy(d + old, opt);
	m->data = d;
	return 0;
}

static int option(struct oci_mount *m, const char *opt, const char *w, size_t i,
                  struct ward_error *e)
{
	char item[32];
	snprintf(item, sizeof(item), "options[%zu]", i);
	for (size_t k = 0; k < sizeof(flag_opts) / sizeof(flag_opts[0]); k++)
		if (!strcmp(opt, flag_opts[k].name)) {
			if (flag_opts[k].clear) {
				m->flags &= ~flag_opts[k].flag;
				m->clear |= flag_opts[k].flag;
			} else {
				m->flags |= flag_opts[k].flag;
				m->clear &= ~flag_opts[k].flag;
			}
			return 0;
		}
	unsigned long prop = oci_propagation(opt);
	if (prop) {
		m->propagation = prop;
		return 0;
	}
	if (!strcmp(opt, "bind") || !strcmp(opt, "rbind")) {
		m->bind = true;
		m->recursive |= opt[0] == 'r';
		return 0;
	}
	if (!strcmp(opt, "idmap") || !strcmp(opt, "ridmap")) {
		m->idmap = true;
		return 0;
	}
	if (!strcmp(opt, "tmpcopyup")) {
		m->copy_up = true;
		return 0;
	}
	if (recursive_attr(opt))
		return oj_err(e, w, item,
		              "'%s': recursive mount attributes are not supported by ward", opt);
	if (!strncmp(opt, "x-", 2))
		return 0; /* userspace mount helpers' options, never the kernel's */
	if (!opt[0] || strchr(opt, ','))
		return oj_err(e, w, item, "'%s': not a mount option", opt);
	return append_data(m, opt, e);
}

/* A mount's own id maps (runtime-spec 1.2) must be the container's: ward keeps only one. */
static int check_maps(json_t *v, json_t *lx, const char *w, struct oci_mount *m,
                      struct ward_error *e)
{
	static const char *const keys[] = {"uidMappings", "gidMappings"};
	for (int k = 0; k < 2; k++) {
		json_t *mine = oj_get(v, keys[k]);
		if (!mine)
			continue;
		if (!json_equal(mine, oj_get(lx, keys[k])))
			return oj_err(
			    e, w, keys[k],
			    "must equal linux.%s (ward idmaps a mount with the container's "
			    "own maps)",
			    keys[k]);
		m->idmap = true;
	}
	return 0;
}

static int source(json_t *v, const char *w, const char *bundle, struct oci_mount *m,
                  struct ward_error *e)
{
	if (oj_strdup(v, "source", w, &m->source, e) < 0)
		return -1;
	if (!m->bind)
		return 0;
	if (!m->source || !m->source[0])
		return oj_err(e, w, "source", "required for a bind mount");
	if (m->source[0] == '/')
		return 0;
	char *abs;
	if (asprintf(&abs, "%s/%s", bundle, m->source) < 0)
		return ward_error_set(e, ENOMEM, "mount source");
	free(m->source);
	m->source = abs;
	return 0;
}

static int mount_entry(json_t *v, json_t *lx, const char *w, const char *bundle,
                       struct oci_mount *m, struct ward_error *e)
{
	json_t *opts, *o;
	size_t i;
	if (!json_is_object(v))
		return oj_err(e, w, NULL, "must be an object");
	if (oj_abs_path(v, "destination", w, true, &m->destination, e) < 0 ||
	    oj_strdup(v, "type", w, &m->type, e) < 0 || oj_array(v, "options", w, &opts, e) < 0)
		return -1;
	json_array_foreach(opts, i, o)
	{
		if (!json_is_string(o)) {
			char item[32];
			snprintf(item, sizeof(item), "options[%zu]", i);
			return oj_err(e, w, item, "must be a string");
		}
		if (option(m, json_string_value(o), w, i, e) < 0)
			return -1;
	}
	if (m->type && !strcmp(m->type, "bind"))
		m->bind = true;
	if (!m->type && !m->bind)
		return oj_err(e, w, "type", "required unless the mount is a bind");
	if (m->bind && str_replace(&m->type, "bind", "mount type", e) < 0)
		return -1;
	if (m->idmap && !m->bind)
		return oj_err(e, w, "options", "idmap needs a bind mount");
	if (m->copy_up && strcmp(m->type, "tmpfs") != 0)
		return oj_err(e, w, "options", "tmpcopyup needs a tmpfs mount");
	return check_maps(v, lx, w, m, e) < 0 ? -1 : source(v, w, bundle, m, e);
}

int oci_mounts_parse(json_t *mounts, json_t *lx, struct oci_config *o, struct ward_error *e)
{
	json_t *v;
	size_t i;
	if (!mounts)
		return 0;
	if (!json_is_array(mounts))
		return oj_err(e, "mounts", NULL, "must be a list");
	size_t n = json_array_size(mounts);
	if (n && !(o->mounts = calloc(n, sizeof(*o->mounts))))
		return ward_error_set(e, ENOMEM, "mounts");
	json_array_foreach(mounts, i, v)
	{
		char w[32];
		snprintf(w, sizeof(w), "mounts[%zu]", i);
		o->n_mounts = i + 1;
		if (mount_entry(v, lx, w, o->bundle, &o->mounts[i], e) < 0)
			return -1;
	}
	return 0;
}
