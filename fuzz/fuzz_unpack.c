/* libFuzzer target: the layer unpacker, fed an arbitrary (uncompressed) tar stream, applied
 * onto a throwaway directory that is emptied after each input. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "unpack.h"

static int rootfd = -1;

/* The throwaway root lives under $TMPDIR (scripts/fuzz.sh points it into build-fuzz/ and
 * removes it: libFuzzer's time limit ends the process without atexit handlers). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	char dir[4096];
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/ward-fuzz-unpack-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir) || (rootfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("layer", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) < 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	struct unpack_layer l = {
	    .fd = fd,
	    .comp = COMP_NONE,
	    .diff_id = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
	    .digest = "fuzz",
	    .size = size,
	};
	struct unpack_limits lim = {.max_bytes = 64u << 20, .max_entries = 10000};
	struct unpack_stats st = {0};
	struct ward_error e;
	unpack_layers(rootfd, &l, 1, &lim, &st, NULL, NULL, &e);
	close(fd);
	remove_contents(rootfd);
	return 0;
}
