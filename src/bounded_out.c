#include <errno.h>
#include <stdio.h>
#include <sys/vfs.h>

#include "bounded_out.h"
#include "sys.h"

uint64_t bounded_out_limit(int dirfd)
{
	struct statfs f;
	if (fstatfs(dirfd, &f) < 0)
		return 0;
	uint64_t used = (uint64_t)(f.f_blocks - f.f_bfree) * (uint64_t)f.f_bsize;
	uint64_t inodes = f.f_files > f.f_ffree ? (uint64_t)(f.f_files - f.f_ffree) : 0;
	return used + inodes * 4096 + (1u << 20);
}

int bounded_out_sink(void *arg, const void *buf, size_t len)
{
	struct bounded_out *o = arg;
	if (o->written + len > o->bound) {
		o->over = true;
		errno = EFBIG;
		return -1;
	}
	o->written += len;
	return write_all(o->fd, buf, len);
}

void bounded_out_message(const struct bounded_out *o, const char *err, char *out, size_t len)
{
	if (o->over)
		snprintf(out, len,
		         "%.300s (written out it would exceed the %llu MB its files occupy: sparse "
		         "files are saved whole)",
		         err, (unsigned long long)(o->bound >> 20));
	else
		snprintf(out, len, "%s", err);
}
