/* linux.devices and the /dev links, when /dev is ward's to fill (runc's createDevices,
 * setupPtmx, setupDevSymlinks). In a user namespace mknod is refused: the host's node is
 * bound onto an empty file instead. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fsutil.h"
#include "oci_mounts.h"
#include "oci_paths.h"
#include "sys.h"

struct dev {
	const char *path;
	char type;
	int64_t major, minor;
	uint32_t mode, uid, gid;
};

/* What the runtime-spec says every container gets. */
static const struct dev defaults[] = {
    {"/dev/null", 'c', 1, 3, 0666, 0, 0},    {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
    {"/dev/full", 'c', 1, 7, 0666, 0, 0},    {"/dev/random", 'c', 1, 8, 0666, 0, 0},
    {"/dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
};

bool oci_dev_is_ours(const struct oci_config *o)
{
	for (size_t i = 0; i < o->n_mounts; i++) {
		const char *d = o->mounts[i].destination;
		size_t n = strlen(d);
		while (n > 1 && d[n - 1] == '/')
			n--;
		if (o->mounts[i].bind && n == 4 && strncmp(d, "/dev", 4) == 0)
			return false;
	}
	return true;
}

static mode_t type_bits(char type)
{
	return type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
}

/* An existing node is kept when it is that very device; anything else there is an error. */
static int existing(const struct stat *st, const struct dev *d, struct ward_error *e)
{
	dev_t want = d->type == 'p' ? 0 : makedev((unsigned)d->major, (unsigned)d->minor);
	if ((st->st_mode & S_IFMT) != type_bits(d->type) || (d->type != 'p' && st->st_rdev != want))
		return ward_error_set(e, EEXIST, "exists and is not that device");
	return 0;
}

static int bind_host_node(int parent, const char *name, const struct dev *d, struct ward_error *e)
{
	autoclose int src = open(d->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (src < 0 || fstat(src, &st) < 0)
		return ward_error_set(e, errno, "the host's %s", d->path);
	if (existing(&st, d, e) < 0)
		return ward_error_prefix(e, "the host's %s", d->path);
	autoclose int f = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	autoclose int t = f < 0 ? -1 : openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (t < 0 || bind_fd(src, t, 0) < 0)
		return ward_error_set(e, errno, "binding the host's node");
	return 0;
}

static int make_device(int rootfd, const struct dev *d, bool in_userns, struct ward_error *e)
{
	char name[NAME_MAX + 1];
	autoclose int parent = oci_path_parent(rootfd, d->path, name);
	if (parent < 0)
		return ward_error_set(e, errno, "its directory");
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return existing(&st, d, e);
	if (errno != ENOENT)
		return ward_error_set(e, errno, "stat");
	if (in_userns && d->type != 'p')
		return bind_host_node(parent, name, d, e);
	dev_t rdev = d->type == 'p' ? 0 : makedev((unsigned)d->major, (unsigned)d->minor);
	if (mknodat(parent, name, type_bits(d->type) | (d->mode & 07777), rdev) < 0)
		return ward_error_set(e, errno, "mknod");
	/* mknod's mode went through the umask; fchmodat follows no link: the node is ours */
	if (fchmodat(parent, name, d->mode & 07777, 0) < 0 ||
	    fchownat(parent, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return ward_error_set(e, errno, "setting its mode and owner");
	return 0;
}

static bool listed(const struct oci_config *o, const char *path)
{
	for (size_t i = 0; i < o->n_devices; i++)
		if (strcmp(o->devices[i].path, path) == 0)
			return true;
	return false;
}

static int dev_links(int rootfd, struct ward_error *e)
{
	static const struct {
		const char *name, *target;
	} links[] = {{"fd", "/proc/self/fd"},
	             {"stdin", "/proc/self/fd/0"},
	             {"stdout", "/proc/self/fd/1"},
	             {"stderr", "/proc/self/fd/2"},
	             {"core", "/proc/kcore"}};
	autoclose int dev = oci_path_open(rootfd, "/dev", OCI_MAKE_DIR);
	if (dev < 0)
		return ward_error_set(e, errno, "/dev");
	if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
		return ward_error_set(e, errno, "/dev/ptmx: removing");
	if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
		return ward_error_set(e, errno, "/dev/ptmx: linking to pts/ptmx");
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		if (strcmp(links[i].name, "core") == 0 && access("/proc/kcore", F_OK) < 0)
			continue;
		if (symlinkat(links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
			return ward_error_set(e, errno, "/dev/%s: linking", links[i].name);
	}
	return 0;
}

int oci_devices_setup(int rootfd, const struct oci_config *o, bool in_userns, struct ward_error *e)
{
	for (size_t i = 0; i < o->n_devices; i++) {
		const struct oci_device *c = &o->devices[i];
		struct dev d = {c->path, c->type, c->major, c->minor, c->mode, c->uid, c->gid};
		if (make_device(rootfd, &d, in_userns, e) < 0)
			return ward_error_prefix(e, "config.json: linux.devices[%zu] %s", i,
			                         c->path);
	}
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!listed(o, defaults[i].path) &&
		    make_device(rootfd, &defaults[i], in_userns, e) < 0)
			return ward_error_prefix(e, "/dev: %s", defaults[i].path);
	return dev_links(rootfd, e);
}
