/* A persistent sandbox's log: what its init and workload write to stdout and stderr, kept
 * as records in the file "log" of its state directory.
 *
 * Format: a sequence of records, each a 16-byte header in host byte order (the file never
 * leaves the host) followed by LEN bytes of output:
 *     u64 time_ns  CLOCK_REALTIME when the supervisor read the bytes
 *     u32 len      1 .. LOG_RECORD_MAX
 *     u8  stream   1 stdout, 2 stderr
 *     u8  flags    LOG_PARTIAL: the bytes do not end a line (the next record of the
 *                  stream continues it)
 *     u16 magic    LOG_MAGIC, so that a file of another format is never taken as records
 * One record per line (a longer line, or output that stops mid-line, becomes partial
 * records). Each record is appended with one write(), so a reader sees whole records or
 * an incomplete last one, which it leaves for later.
 *
 * Bounded: past LOG_FILE_MAX bytes the file is renamed to "log.1" (replacing the previous
 * one) and a new "log" begins, so a sandbox keeps at most 2 * LOG_FILE_MAX bytes of log,
 * the newest. The log survives stop and start (appended); ward rm removes it with the
 * directory. */
#ifndef WARD_LOGFILE_H
#define WARD_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ward/error.h"

#define LOG_MAGIC      0x574c /* "LW" */
#define LOG_PARTIAL    1
#define LOG_RECORD_MAX 16384
#define LOG_FILE_MAX   (8u << 20)
#define LOG_FILE       "log"
#define LOG_FILE_OLD   "log.1"

struct log_record {
	int64_t time_ns;
	int stream; /* 1 or 2 */
	bool partial;
	size_t len;
	const char *data;
};

/* Supervisor side: the sandbox's stdout and stderr are pipes it reads; each read becomes
 * records in the log. */
struct log_relay {
	int dirfd;   /* the sandbox's state directory */
	int fd;      /* the log, -1 when none */
	int pipe[2]; /* read ends (non-blocking): stdout, stderr; -1 when none */
	uint64_t size;
	/* attached clients: every byte recorded goes to TAP too (may be NULL) */
	void (*tap)(void *arg, int stream, const char *data, size_t len);
	void *tap_arg;
};

/* Make the pipes and put their write ends on fds 1 and 2 (what init inherits). Without them
 * (no fds left) stdio stays as it was. */
void log_relay_open(struct log_relay *lr, int dirfd);
/* Read what is there on STREAM's pipe (1 or 2) into records. */
void log_relay_read(struct log_relay *lr, int stream);
/* Record LEN bytes of STREAM that came another way (a terminal's master). */
void log_relay_write(struct log_relay *lr, int stream, const char *data, size_t len);
/* Everything in the pipes now into the log (and the tap). */
void log_relay_flush(struct log_relay *lr);
/* Record TEXT as a stderr line of the supervisor's own (its late failures). */
void log_relay_note(struct log_relay *lr, const char *text);
/* Everything still in the pipes into the log, then fds 1 and 2 become /dev/null, so that
 * processes started afterwards (network teardown) never block on or die of the pipes. */
void log_relay_detach(struct log_relay *lr);
/* Last drain; closes everything. */
void log_relay_close(struct log_relay *lr);

/* Reader side: call FN for each whole record of FD from *OFF on, advancing *OFF past them;
 * an incomplete last record is left for a later call. FN returning non-zero stops and is
 * returned; -1 with errno on a read error or a damaged record (errno EBADMSG). */
int log_each(int fd, off_t *off, int (*fn)(const struct log_record *, void *), void *arg);

#endif
