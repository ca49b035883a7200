/* ward commit: a sandbox's writable layer as a new image on top of its image. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "commit.h"
#include "sandbox.h"
#include "spec_json.h"
#include "sys.h"

/* The layer saved at its last stop; an empty tar when it never stopped with one. */
static int saved_layer(struct ward_sandbox *sb, struct ward_error *e)
{
	struct state st;
	if (state_open(&st, sb->ctx, e) < 0)
		return -1;
	char path[64];
	snprintf(path, sizeof(path), "%s/" STATE_LAYER, sb->id);
	int fd = openat(st.boxes, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int err = errno;
	state_close(&st);
	if (fd >= 0 || err != ENOENT)
		return fd >= 0 ? fd : ward_error_set(e, err, "reading its saved writable layer");
	static const char empty[1024];
	fd = memfd_create("ward-layer", MFD_CLOEXEC);
	if (fd < 0 || write_all(fd, empty, sizeof(empty)) < 0) {
		if (fd >= 0)
			close(fd);
		return ward_error_set(e, errno, "an empty layer");
	}
	return fd;
}

/* The layer as it is now, from its supervisor; paused meanwhile where the host can freeze it
 * (else read while it runs, as docker commit --pause=false). */
static int live_layer(struct ward_sandbox *sb, bool paused, struct ward_error *e)
{
	int fd = memfd_create("ward-layer", MFD_CLOEXEC);
	if (fd < 0)
		return ward_error_set(e, errno, "a buffer for the layer");
	struct ward_error ignored = {0};
	bool froze = !paused && ward_sandbox_pause(sb, &ignored) == 0;
	int rc = sb_layer(sb, fd, e);
	if (froze)
		ward_sandbox_unpause(sb, &ignored);
	if (rc < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int ward_sandbox_commit(struct ward_sandbox *sb, struct ward_store *st, const char *name,
                        const char *message, char id_out[80], struct ward_error *e)
{
	struct ward_sandbox_info info;
	struct state state;
	json_t *cfg = NULL;
	struct ward_spec s;
	spec_init(&s);
	int fd = -1, rc = -1;
	char user[32];
	if (ward_sandbox_inspect(sb, &info, e) < 0)
		return ward_error_prefix(e, "commit");
	bool up = info.status == WARD_SANDBOX_RUNNING || info.status == WARD_SANDBOX_PAUSED;
	bool paused = info.status == WARD_SANDBOX_PAUSED;
	ward_sandbox_info_release(&info);
	if (state_open(&state, sb->ctx, e) < 0)
		goto out;
	rc = state_read_config(&state, sb->id, &cfg, e);
	state_close(&state);
	if (rc < 0 || (rc = spec_from_json(&s, cfg, e)) < 0)
		goto out;
	rc = -1;
	fd = up ? live_layer(sb, paused, e) : saved_layer(sb, e);
	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0)
		goto out;
	char *const none[] = {NULL};
	snprintf(user, sizeof(user), "%u:%u", s.uid, s.gid);
	/* the sandbox's own command, if it has one, is the image's whole command line */
	struct image_commit_config c = {
	    .env = s.env,
	    .entrypoint = s.argv ? none : NULL,
	    .cmd = s.argv,
	    .workdir = s.cwd,
	    .user = user,
	};
	const char *base = json_string_value(json_object_get(json_object_get(cfg, "image"), "id"));
	rc = store_commit(st, base, base ? NULL : s.rootfs, fd, name, message, &c, id_out, e);
out:
	if (rc < 0)
		ward_error_prefix(e, "commit %s", sb->ref);
	if (fd >= 0)
		close(fd);
	json_decref(cfg);
	spec_clear(&s);
	return rc;
}
