/* The copy engine behind ward cp / read / write (copy.c), shared by both directions
 * (fileops.c copies in). Every open of a name that may be the workload's is an O_PATH open
 * judged by fstat first: devices, fifos and sockets are never really opened, and regular
 * files and directories are reopened through /proc/self/fd with O_NOCTTY. */
#ifndef WARD_COPY_H
#define WARD_COPY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "spec.h"

#define COPY_MAX_DEPTH 256

struct copy_links;

/* One copy (one ward cp), in either direction. */
struct copy {
	uint64_t max, done; /* byte budget and the bytes written so far (data, never holes) */
	bool to_host;       /* modes get the caller's umask and never o+w; hard links kept */
	mode_t umask;
	struct copy_links *links; /* sources with nlink > 1 copied so far, when to_host */
	int top;                  /* the staging directory link paths are relative to, or -1 */
	const struct ward_copy_opts *o;
};

/* PATH resolved inside ROOTFD (symlinks stay in the root, magic links refused). */
int copy_in_root(int rootfd, const char *path, int flags);

/* Up to LIMIT bytes of IN (until its end) to OUT, read and written in order. */
int copy_stream(int in, int out, uint64_t limit, const char *what, struct ward_error *e);

/* What an O_PATH fd is, in words ("a character device"), or NULL for a file, directory or
 * symlink. */
const char *copy_kind(mode_t mode);

/* The O_PATH fd PATHFD (closed) as a real fd when it is a regular file or a directory;
 * -1 with e set naming WHAT otherwise. ST gets what it is. */
int copy_reopen(int pathfd, struct stat *st, const char *what, struct ward_error *e);

/* SRC (a file or directory fd, ST its stat) to DNAME in DDIR. REL is DNAME's path below
 * c->top (for links; NULL when unknown), DEPTH how many directories down this is. */
int copy_entry(struct copy *c, int src, const struct stat *st, int ddir, const char *dname,
               const char *what, const char *rel, int depth, struct ward_error *e);

/* A directory NAME in DIR, made if missing (*MADE says so); never a symlink to one. */
int copy_make_dir(int dir, const char *name, unsigned mode, bool *made, const char *what,
                  struct ward_error *e);

/* The directory and last name of PATH; "/" and names ending in "." are refused. */
int copy_split_path(const char *path, char *dir, size_t dlen, char *name, size_t nlen);

/* A fresh ".ward-<random>" name. */
void copy_temp_name(char out[40]);

/* A new empty file under a fresh temporary name TMP in DIR, open for writing (mode 0600). */
int copy_temp_file(int dir, char tmp[40], const char *what, struct ward_error *e);

/* Bytes as the size grammar writes them ("16m", "1g", "12345"). */
void copy_format_size(uint64_t n, char *out, size_t len);

/* The hard link table: where the source (DEV, INO) was copied to, or NULL; adding keeps a
 * copy of REL. */
struct copy_links *copy_links_new(void);
const char *copy_links_find(const struct copy_links *l, dev_t dev, ino_t ino);
int copy_links_add(struct copy_links *l, dev_t dev, ino_t ino, const char *rel);
void copy_links_free(struct copy_links *l);

#endif
