#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>

#include "tar_writer.h"

/* libarchive's pax writer reports a file type it cannot store through this helper, which
 * lives in archive_write_set_format.o next to the table of every format: linking that object
 * would pull 7zip, xar, iso9660 and their libraries (lzma, bzip2, libxml2) into the static
 * ward. Defined here, the archive's own object is never needed (a link that pulled it in
 * anyway fails on the duplicate). ward never hands it such a type (sockets and devices are
 * skipped before). */
void __archive_write_entry_filetype_unsupported(struct archive *a, struct archive_entry *en,
                                                const char *format);
void __archive_write_entry_filetype_unsupported(struct archive *a, struct archive_entry *en,
                                                const char *format)
{
	archive_set_error(a, EINVAL, "%s: %s cannot store files of mode 0%o",
	                  archive_entry_pathname(en), format, (unsigned)archive_entry_filetype(en));
}

/* A failing sink is remembered, not reported to libarchive: an archive in its fatal state
 * is freed without closing its output, which leaks the output's buffer (libarchive 3.6).
 * After the first failure nothing more reaches the sink. While a writer that did not reach
 * its end is freed, every write fails at once: the close would otherwise pad the entry cut
 * short to its full size (a sparse 1 PiB file: forever). */
static la_ssize_t out(struct archive *a, void *arg, const void *buf, size_t len)
{
	struct tar_writer *w = arg;
	(void)a;
	if (w->freeing)
		return -1; /* no padding of the entry cut short, no end blocks */
	if (!w->sink_errno && w->sink(w->arg, buf, len) < 0)
		w->sink_errno = errno ? errno : EIO;
	return (la_ssize_t)len;
}

/* RC of a libarchive call, or -1 with the sink's errno when the sink failed under it. */
static int sink_checked(struct tar_writer *w, int rc)
{
	if (w->sink_errno) {
		errno = w->sink_errno;
		return -1;
	}
	return rc;
}

static int open_writer(struct tar_writer *w)
{
	if (w->a)
		return 0;
	struct archive *a = archive_write_new();
	/* Called directly: archive_write_set_format_by_name() would link every format. */
	if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_format_option(a, "pax", "xattrheader", "SCHILY") != ARCHIVE_OK ||
	    archive_write_add_filter_none(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, w, NULL, out, NULL) != ARCHIVE_OK) {
		if (a)
			archive_write_free(a);
		errno = ENOMEM;
		return -1;
	}
	w->a = a;
	return 0;
}

int tar_write_entry(struct tar_writer *w, struct archive_entry *en)
{
	if (open_writer(w) < 0)
		return -1;
	/* ARCHIVE_WARN: a name the locale cannot convert (a workload's names are its own,
	 * UTF-8 or not) is written as bytes with hdrcharset=BINARY for that entry alone */
	int rc = archive_write_header(w->a, en);
	return sink_checked(w, rc == ARCHIVE_OK || rc == ARCHIVE_WARN ? 0 : -1);
}

int tar_write_data(struct tar_writer *w, const void *buf, size_t len)
{
	return sink_checked(w, archive_write_data(w->a, buf, len) == (la_ssize_t)len ? 0 : -1);
}

int tar_write_end(struct tar_writer *w)
{
	if (open_writer(w) < 0)
		return -1;
	int rc = sink_checked(w, archive_write_close(w->a) == ARCHIVE_OK ? 0 : -1);
	int err = errno;
	archive_write_free(w->a);
	w->a = NULL;
	errno = err;
	return rc;
}

void tar_writer_free(struct tar_writer *w)
{
	if (w->a) {
		w->freeing = true;
		archive_write_free(w->a);
	}
	w->freeing = false;
	w->a = NULL;
}

const char *tar_writer_error(const struct tar_writer *w)
{
	if (w->sink_errno)
		return strerror(w->sink_errno);
	const char *s = w->a ? archive_error_string(w->a) : NULL;
	return s ? s : "writing the archive";
}
