/* run.ward.harden's user namespace (root callers): each container gets a private range of
 * 65536 host ids, taken as a directory under /run/ward/oci-ids and given back at delete,
 * and sees its root through an idmapped mount, so that files the image owns are its own
 * while on the host they stay what they were. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "container_harden.h"
#include "nsfd.h"
#include "sys.h"
#include "ward/ward.h"

#define IDS_DIR "/run/ward/oci-ids"
#define SLOTS   1024u
#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

int harden_range_take(const char *id, unsigned *slot, uint32_t *base, struct ward_error *e)
{
	mkdir("/run/ward", 0755);
	if (mkdir(IDS_DIR, 0700) < 0 && errno != EEXIST)
		return ward_error_set(e, errno, "%s: %s", OCI_ANNOTATION_HARDEN, IDS_DIR);
	unsigned start = hash(id) % SLOTS;
	for (unsigned i = 0; i < SLOTS; i++) {
		unsigned k = (start + i) % SLOTS;
		char path[64];
		snprintf(path, sizeof(path), IDS_DIR "/%u", k);
		if (mkdir(path, 0700) == 0) {
			*slot = k + 1;
			*base = WARD_ROOT_IDMAP_BASE + (k + 1) * WARD_IDMAP_SIZE;
			return 0;
		}
		if (errno != EEXIST)
			return ward_error_set(e, errno, "%s: %s", OCI_ANNOTATION_HARDEN, path);
	}
	return ward_error_set(e, 0, "%s: all %u private id ranges are in use (%s)",
	                      OCI_ANNOTATION_HARDEN, SLOTS, IDS_DIR);
}

void harden_range_release(unsigned slot)
{
	char path[64];
	snprintf(path, sizeof(path), IDS_DIR "/%u", slot - 1);
	if (slot)
		rmdir(path);
}

int harden_root_tree(const char *root, pid_t pid, struct ward_error *e)
{
	struct statfs sf;
	if (statfs(root, &sf) == 0 && sf.f_type == OVERLAYFS_SUPER_MAGIC)
		return ward_error_set(e, 0,
		                      "%s: the root %s is an overlay mount, which this kernel "
		                      "cannot idmap (use a snapshotter that gives a directory, "
		                      "e.g. native)",
		                      OCI_ANNOTATION_HARDEN, root);
	autoclose int m = open_tree(AT_FDCWD, root, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (m < 0)
		return ward_error_set(e, errno, "%s: cloning the root %s", OCI_ANNOTATION_HARDEN,
		                      root);
	autoclose int userns = ns_open(pid, "user", e);
	if (userns < 0)
		return -1;
	struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
	if (mount_setattr(m, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
		return ward_error_set(e, errno, "%s: idmapping the root %s", OCI_ANNOTATION_HARDEN,
		                      root);
	return take_fd(&m);
}

int harden_root_attach(const char *root, int tree, struct ward_error *e)
{
	/* nothing of this may propagate back to the host's mount */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return ward_error_set(e, errno, "making / a slave");
	if (move_mount(tree, "", AT_FDCWD, root, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return ward_error_set(e, errno, "%s: mounting the idmapped root on %s",
		                      OCI_ANNOTATION_HARDEN, root);
	close(tree);
	return 0;
}
