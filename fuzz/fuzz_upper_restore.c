/* libFuzzer target: the saved-writable-layer restorer, fed an arbitrary (uncompressed) tar,
 * restored into a fresh directory that is removed after each input. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unpack.h"
#include "upper_restore.h"

static char base[4096];

/* The base lives under $TMPDIR (scripts/fuzz.sh points it into build-fuzz/ and removes it:
 * libFuzzer's time limit ends the process without atexit handlers). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	const char *tmp = getenv("TMPDIR");
	snprintf(base, sizeof(base), "%s/ward-fuzz-upper-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(base))
		abort();
	return 0;
}

/* The input may leave directories without search or write permission (the root too): give
 * them back before removing, as an unprivileged owner can. */
static void unlock_tree(int dirfd)
{
	if (fchmod(dirfd, 0700) < 0)
		return;
	/* not dup(): a shared offset would leave remove_contents() reading at the end */
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			if (sub < 0 && fchmodat(dirfd, de->d_name, 0700, 0) == 0)
				sub =
				    openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			if (sub >= 0) {
				unlock_tree(sub);
				close(sub);
			}
		}
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s/u-XXXXXX", base);
	int fd = memfd_create("upper", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (!mkdtemp(dir))
		abort();
	int upper = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (upper < 0)
		abort();
	struct ward_error e;
	upper_restore(upper, fd, &e);
	close(fd);
	unlock_tree(upper);
	if (remove_contents(upper) < 0 || rmdir(dir) < 0) {
		perror(dir); /* a leftover is a finding: the next input would start dirty */
		abort();
	}
	close(upper);
	return 0;
}
