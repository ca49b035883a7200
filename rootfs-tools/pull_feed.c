/* A pull's layers: downloaded on up to four threads sharing one registry session, each into
 * tmp/partial-HEX (hashed as it arrives, resumed from its size by the next pull after a
 * kill, committed to blobs/ only when size and digest match), and fed to the unpack while
 * they arrive: open(i) forks a small feeder process that follows layer i's partial file
 * through a pipe. A process, not a thread: the unpack helper forked later must hold no write
 * end of any pipe, or it would never see a layer end. The download threads run in a process
 * of their own too, forked before they start: the unpack helper is forked from this one, and
 * a thread allocating at that moment would leave the allocator locked in the helper. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "context.h"
#include "pull.h"
#include "sys.h"

#define MAX_PARALLEL 4

enum { L_WAIT, L_PARTIAL, L_DONE, L_FAILED };

/* Shared by the caller, the downloader and the feeders (layers written by the downloader). */
struct shared {
	_Atomic int abort;  /* stop now: the pull failed */
	_Atomic int no_new; /* start no more layers: the unpack failed */
	_Atomic int failed; /* err holds the first failure */
	struct ward_error err;
	struct {
		_Atomic uint64_t avail; /* bytes in the partial file */
		_Atomic int state;
		_Atomic int present;      /* was in the store already */
		_Atomic uint64_t resumed; /* bytes a killed pull left */
	} l[];
};

struct downloads {
	struct store *st;
	struct registry *reg;
	const struct manifest *m;
	struct shared *sh;
	size_t sh_len;
	pid_t parent, downloader, *feeders;
	unsigned char *noted; /* per layer: 1 resume noted, 2 done noted */
	pthread_t threads[MAX_PARALLEL];
	size_t n_threads, next;
	pthread_mutex_t mu;
	bool finished, quiet;
	/* progress: the caller's log behind ours, the unpack's line kept for the bar line */
	const struct ward_context *caller;
	struct ward_context shadow;
	pthread_mutex_t log_mu;
	char unpack_line[160];
	pthread_t prog;
	bool prog_running;
	_Atomic int prog_stop;
	struct timespec start;
};

static void nap(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

static void blob_names(const struct descriptor *d, char partial[96], char blob[96])
{
	snprintf(partial, 96, "tmp/partial-%s", digest_hex(d->digest));
	snprintf(blob, 96, "blobs/sha256/%s", digest_hex(d->digest));
}

static void log_line(struct downloads *d, enum ward_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void log_line(struct downloads *d, enum ward_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!d->caller || !d->caller->log)
		return;
	pthread_mutex_lock(&d->log_mu);
	d->caller->log(level, msg, d->caller->log_arg);
	pthread_mutex_unlock(&d->log_mu);
}

/* The unpack's log: its progress line joins ours, the rest goes to the caller. */
static void shadow_log(enum ward_log_level level, const char *msg, void *arg)
{
	struct downloads *d = arg;
	if (level == WARD_LOG_PROGRESS) {
		pthread_mutex_lock(&d->log_mu);
		snprintf(d->unpack_line, sizeof(d->unpack_line), "%s", msg);
		pthread_mutex_unlock(&d->log_mu);
		return;
	}
	log_line(d, level, "%s", msg);
}

static const char *mb(uint64_t n, char *buf, size_t len)
{
	snprintf(buf, len, "%.1f MB", (double)n / 1e6);
	return buf;
}

static void layer_done(struct downloads *d, size_t i, bool present)
{
	const struct descriptor *l = &d->m->layers[i];
	atomic_store(&d->sh->l[i].present, present);
	atomic_store(&d->sh->l[i].avail, l->size);
	atomic_store(&d->sh->l[i].state, L_DONE);
}

struct sink_arg {
	struct downloads *d;
	size_t i;
	int fd;
	struct sha256 *h;
	uint64_t off, size;
};

static int sink(void *arg, const void *buf, size_t len)
{
	struct sink_arg *s = arg;
	if (atomic_load(&s->d->sh->abort)) {
		errno = ECANCELED;
		return -1;
	}
	if (len > s->size - s->off) {
		errno = EFBIG;
		return -1;
	}
	for (size_t done = 0; done < len;) {
		ssize_t n =
		    pwrite(s->fd, (const char *)buf + done, len - done, (off_t)(s->off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return -1;
		}
		done += (size_t)n;
	}
	sha256_update(s->h, buf, len);
	s->off += len;
	atomic_store(&s->d->sh->l[s->i].avail, s->off);
	return 0;
}

/* The bytes a killed pull left, hashed again: they are only trusted with the rest. */
static int rehash(int fd, uint64_t have, struct sha256 *h)
{
	char *buf = malloc(1 << 20);
	uint64_t off = 0;
	while (buf && off < have) {
		size_t want = have - off < (1u << 20) ? (size_t)(have - off) : (1u << 20);
		ssize_t n = pread(fd, buf, want, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sha256_update(h, buf, (size_t)n);
		off += (uint64_t)n;
	}
	free(buf);
	return off == have ? 0 : -1;
}

/* One download per blob: whoever holds locks/blob-HEX downloads it, the others wait until
 * it is in the store (or the lock is free: the holder gave up). */
static int blob_lock(struct downloads *d, const struct descriptor *l, struct ward_error *e)
{
	char name[96];
	snprintf(name, sizeof(name), "blob-%s", digest_hex(l->digest));
	for (;;) {
		if (store_has_blob(d->st, l->digest))
			return -2;
		int fd = store_lock(d->st, name, LOCK_EX | LOCK_NB, NULL);
		if (fd >= 0)
			return fd;
		if (errno != EWOULDBLOCK)
			return ward_error_set(e, errno, "image store %s: lock %s", d->st->path,
			                      name);
		if (atomic_load(&d->sh->abort))
			return ward_error_set(e, ECANCELED, "%s", l->digest);
		nap(50);
	}
}

static int fetch_layer(struct downloads *d, size_t i, struct ward_error *e)
{
	const struct descriptor *l = &d->m->layers[i];
	char partial[96], blob[96];
	blob_names(l, partial, blob);
	autoclose int lock = blob_lock(d, l, e);
	if (lock == -1)
		return -1;
	if (lock == -2 || store_has_blob(d->st, l->digest)) {
		layer_done(d, i, true);
		return 0;
	}
	autoclose int fd =
	    openat(d->st->fd, partial, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0)
		return ward_error_set(e, errno, "image store %s: %s", d->st->path, partial);
	struct sha256 h;
	sha256_init(&h);
	uint64_t have = (uint64_t)sb.st_size;
	if (have > l->size || rehash(fd, have, &h) < 0) {
		if (ftruncate(fd, 0) < 0)
			return ward_error_set(e, errno, "image store %s: %s", d->st->path, partial);
		have = 0;
		sha256_init(&h);
	}
	atomic_store(&d->sh->l[i].resumed, have);
	atomic_store(&d->sh->l[i].avail, have);
	atomic_store(&d->sh->l[i].state, L_PARTIAL);
	struct sink_arg s = {d, i, fd, &h, have, l->size};
	/* A failed download keeps its partial file: the next pull resumes from it. */
	if (have < l->size && registry_get_blob(d->reg, l->digest, have, l->size, sink, &s, e) < 0)
		return -1;
	char got[DIGEST_LEN + 1];
	sha256_final(&h, got);
	if (s.off != l->size || strcmp(got, l->digest)) {
		unlinkat(d->st->fd, partial, 0);
		if (s.off != l->size)
			return ward_error_set(e, 0, "%s: %llu bytes, its descriptor says %llu",
			                      l->digest, (unsigned long long)s.off,
			                      (unsigned long long)l->size);
		return ward_error_set(e, 0, "%s: digest mismatch: the registry sent %s (refused)",
		                      l->digest, got);
	}
	if (store_commit_blob(d->st, partial, l->digest, e) < 0)
		return -1;
	layer_done(d, i, false);
	return 0;
}

/* The first failure, for the caller (read once the downloader has exited). */
static void fail(struct downloads *d, const struct ward_error *e)
{
	int zero = 0;
	if (atomic_compare_exchange_strong(&d->sh->failed, &zero, 1))
		d->sh->err = *e;
}

static void *worker(void *arg)
{
	struct downloads *d = arg;
	for (;;) {
		pthread_mutex_lock(&d->mu);
		bool stop = d->next >= d->m->n_layers || atomic_load(&d->sh->abort) ||
		            atomic_load(&d->sh->no_new);
		size_t i = d->next++;
		pthread_mutex_unlock(&d->mu);
		if (stop)
			return NULL;
		struct ward_error e = {0};
		if (fetch_layer(d, i, &e) == 0)
			continue;
		atomic_store(&d->sh->l[i].state, L_FAILED);
		if (!(atomic_load(&d->sh->abort) && e.err == ECANCELED)) {
			ward_error_prefix(&e, "layer %zu", i + 1);
			fail(d, &e);
		}
		atomic_store(&d->sh->abort, 1);
	}
}

/* The downloader process: the threads, then exit (no atexit handlers: the caller's). */
static void downloader(struct downloads *d)
{
	size_t want = d->m->n_layers < MAX_PARALLEL ? d->m->n_layers : MAX_PARALLEL;
	for (; d->n_threads < want; d->n_threads++)
		if (pthread_create(&d->threads[d->n_threads], NULL, worker, d) != 0)
			break;
	if (want && !d->n_threads) {
		struct ward_error e;
		ward_error_set(&e, EAGAIN, "pull: no download thread");
		fail(d, &e);
		atomic_store(&d->sh->abort, 1);
	}
	for (size_t i = 0; i < d->n_threads; i++)
		pthread_join(d->threads[i], NULL);
	_exit(0);
}

/* Notes for what the downloader did since the last look: layers resumed and done. */
static void notes(struct downloads *d)
{
	char b[32];
	for (size_t i = 0; i < d->m->n_layers; i++) {
		const struct descriptor *l = &d->m->layers[i];
		uint64_t r = atomic_load(&d->sh->l[i].resumed);
		if (r && !(d->noted[i] & 1)) {
			d->noted[i] |= 1;
			log_line(d, WARD_LOG_NOTE, "layer %zu/%zu %.19s: resuming at %.1f MB",
			         i + 1, d->m->n_layers, l->digest, (double)r / 1e6);
		}
		if (atomic_load(&d->sh->l[i].state) == L_DONE && !(d->noted[i] & 2)) {
			d->noted[i] |= 2;
			bool present = atomic_load(&d->sh->l[i].present);
			log_line(d, WARD_LOG_NOTE, "layer %zu/%zu %.19s: %s", i + 1, d->m->n_layers,
			         l->digest,
			         present ? "already in the store" : mb(l->size, b, sizeof(b)));
		}
	}
}

/* A bar per layer being fetched, on the one progress line, with the unpack's. */
static void *progress(void *arg)
{
	struct downloads *d = arg;
	for (;;) {
		bool stop = atomic_load(&d->prog_stop);
		notes(d);
		if (stop)
			return NULL;
		char line[400];
		size_t n = 0, done = 0, shown = 0;
		uint64_t got = 0, total = 0;
		for (size_t i = 0; i < d->m->n_layers; i++) {
			uint64_t a = atomic_load(&d->sh->l[i].avail), sz = d->m->layers[i].size;
			int st = atomic_load(&d->sh->l[i].state);
			got += a;
			total += sz;
			done += st == L_DONE;
			if (st != L_PARTIAL || shown >= MAX_PARALLEL || n + 24 >= sizeof(line))
				continue;
			int w = sz ? (int)(a * 10 / sz) : 10;
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %zu[%.*s%.*s]", i + 1,
			                      w, "##########", 10 - w, "..........");
			shown++;
		}
		char head[96], um[200];
		snprintf(head, sizeof(head), "pulling %zu/%zu layers %.1f/%.1f MB", done,
		         d->m->n_layers, (double)got / 1e6, (double)total / 1e6);
		pthread_mutex_lock(&d->log_mu);
		snprintf(um, sizeof(um), "%s", d->unpack_line);
		pthread_mutex_unlock(&d->log_mu);
		line[n] = 0;
		log_line(d, WARD_LOG_PROGRESS, "%s%s%s%s", head, line, um[0] ? "  " : "", um);
		for (int k = 0; k < 5 && !atomic_load(&d->prog_stop); k++)
			nap(40);
	}
}

/* A fork while the progress thread is in the caller's log function would leave whatever it
 * holds (the allocator's lock) locked in the child: forks wait for it. */
static pthread_mutex_t fork_mu = PTHREAD_MUTEX_INITIALIZER;
static struct downloads *fork_active;

static void fork_prepare(void)
{
	pthread_mutex_lock(&fork_mu);
	if (fork_active)
		pthread_mutex_lock(&fork_active->log_mu);
}

static void fork_done(void)
{
	if (fork_active)
		pthread_mutex_unlock(&fork_active->log_mu);
	pthread_mutex_unlock(&fork_mu);
}

static void fork_guard(void)
{
	pthread_atfork(fork_prepare, fork_done, fork_done);
}

int downloads_start(struct store *st, struct registry *reg, const struct manifest *m, bool quiet,
                    struct downloads **out, struct ward_error *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, fork_guard);
	struct downloads *d = calloc(1, sizeof(*d));
	*out = NULL;
	if (!d)
		return ward_error_set(e, ENOMEM, "pull");
	d->st = st;
	d->reg = reg;
	d->m = m;
	d->quiet = quiet;
	d->parent = getpid();
	pthread_mutex_init(&d->mu, NULL);
	pthread_mutex_init(&d->log_mu, NULL);
	d->sh_len = sizeof(struct shared) + m->n_layers * sizeof(d->sh->l[0]);
	d->sh = mmap(NULL, d->sh_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	d->feeders = calloc(m->n_layers ? m->n_layers : 1, sizeof(pid_t));
	d->noted = calloc(m->n_layers ? m->n_layers : 1, 1);
	if (d->sh == MAP_FAILED || !d->feeders || !d->noted) {
		if (d->sh == MAP_FAILED)
			d->sh = NULL;
		downloads_free(d);
		return ward_error_set(e, ENOMEM, "pull");
	}
	d->downloader = fork();
	if (d->downloader == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != d->parent)
			_exit(1);
		downloader(d);
	}
	if (d->downloader < 0) {
		int err = errno;
		d->downloader = 0;
		downloads_free(d);
		return ward_error_set(e, err, "pull: fork");
	}
	/* The unpack's notes and progress pass through us (see shadow_log). */
	d->caller = st->ctx;
	if (st->ctx)
		d->shadow = *st->ctx;
	d->shadow.log = shadow_log;
	d->shadow.log_arg = d;
	st->ctx = &d->shadow;
	clock_gettime(CLOCK_MONOTONIC, &d->start);
	if (!quiet && d->caller && d->caller->log) {
		pthread_mutex_lock(&fork_mu);
		fork_active = d;
		pthread_mutex_unlock(&fork_mu);
		if (pthread_create(&d->prog, NULL, progress, d) == 0)
			d->prog_running = true;
	}
	*out = d;
	return 0;
}

/* The feeder process: layer I's bytes, from its partial file (then blob) as they arrive,
 * into OUT. Only system calls here: it was forked from a process with threads. */
static void feed(struct downloads *d, size_t i, int out, const char *partial, const char *blob)
{
	static char buf[1 << 18];
	const struct descriptor *l = &d->m->layers[i];
	int s;
	signal(SIGPIPE, SIG_IGN);
	while ((s = atomic_load(&d->sh->l[i].state)) == L_WAIT) {
		if (atomic_load(&d->sh->abort) || getppid() != d->parent)
			_exit(1);
		nap(2);
	}
	int fd = -1;
	if (s == L_PARTIAL)
		fd = openat(d->st->fd, partial, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && s != L_FAILED) /* renamed meanwhile, or there already */
		fd = openat(d->st->fd, blob, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		_exit(1);
	uint64_t off = 0;
	for (;;) {
		s = atomic_load(&d->sh->l[i].state);
		uint64_t avail = s == L_DONE ? l->size : atomic_load(&d->sh->l[i].avail);
		if (off < avail) {
			size_t want =
			    avail - off < sizeof(buf) ? (size_t)(avail - off) : sizeof(buf);
			ssize_t n = pread(fd, buf, want, (off_t)off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0 || write_all(out, buf, (size_t)n) < 0)
				_exit(1);
			off += (uint64_t)n;
			continue;
		}
		if (s == L_DONE)
			_exit(0);
		if (s == L_FAILED || atomic_load(&d->sh->abort) || getppid() != d->parent)
			_exit(1);
		nap(1);
	}
}

int downloads_open(void *arg, size_t i, struct ward_error *e)
{
	struct downloads *d = arg;
	int p[2];
	char partial[96], blob[96];
	blob_names(&d->m->layers[i], partial, blob); /* not in the child: no stdio there */
	if (pipe2(p, O_CLOEXEC) < 0)
		return ward_error_set(e, errno, "layer %zu: pipe", i + 1);
	pid_t pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != d->parent)
			_exit(1);
		close(p[0]);
		/* Nothing else of ours: no pipe's other end, no lock on another blob. */
		int lo = p[1] < d->st->fd ? p[1] : d->st->fd, hi = p[1] ^ d->st->fd ^ lo;
		close_range(3, (unsigned)lo - 1, 0);
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
		close_range((unsigned)hi + 1, ~0u, 0);
		feed(d, i, p[1], partial, blob);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return ward_error_set(e, errno, "layer %zu: fork", i + 1);
	}
	d->feeders[i] = pid;
	return p[0];
}

static int finish(struct downloads *d, bool hard, struct ward_error *e)
{
	if (d->finished)
		return 0;
	d->finished = true;
	if (hard)
		atomic_store(&d->sh->abort, 1);
	int status = 0;
	while (d->downloader > 0 && waitpid(d->downloader, &status, 0) < 0 && errno == EINTR)
		;
	if (d->downloader > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		struct ward_error de;
		ward_error_set(&de, 0, "pull: the download process died (%s %d)",
		               WIFSIGNALED(status) ? "signal" : "exit",
		               WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		fail(d, &de);
	}
	d->downloader = 0;
	/* The unpack has read what it wanted (or failed): a feeder left has nothing to do. */
	for (size_t i = 0; i < d->m->n_layers; i++)
		if (d->feeders[i] > 0) {
			kill(d->feeders[i], SIGKILL);
			while (waitpid(d->feeders[i], NULL, 0) < 0 && errno == EINTR)
				;
			d->feeders[i] = 0;
		}
	if (d->prog_running) {
		atomic_store(&d->prog_stop, 1);
		pthread_join(d->prog, NULL);
		d->prog_running = false;
		log_line(d, WARD_LOG_PROGRESS, "%s", "");
	}
	pthread_mutex_lock(&fork_mu);
	if (fork_active == d)
		fork_active = NULL;
	pthread_mutex_unlock(&fork_mu);
	return downloads_error(d, e);
}

/* After a failed unpack (ABORT), the layers being fetched are still finished: a corrupt
 * byte then shows as the digest mismatch it is, and no partial file whose bytes may be
 * bad is left to resume from. Layers not started yet are not. */
int downloads_finish(void *arg, bool abort, struct ward_error *e)
{
	struct downloads *d = arg;
	if (abort)
		atomic_store(&d->sh->no_new, 1);
	return finish(d, false, e);
}

int downloads_error(struct downloads *d, struct ward_error *e)
{
	if (!d || !d->sh || !atomic_load(&d->sh->failed))
		return 0;
	*e = d->sh->err;
	return -1;
}

void downloads_free(struct downloads *d)
{
	if (!d)
		return;
	struct ward_error ignored;
	if (d->sh && d->feeders)
		finish(d, true, &ignored);
	if (d->st && d->st->ctx == &d->shadow)
		d->st->ctx = d->caller;
	if (d->sh)
		munmap(d->sh, d->sh_len);
	free(d->feeders);
	free(d->noted);
	pthread_mutex_destroy(&d->mu);
	pthread_mutex_destroy(&d->log_mu);
	free(d);
}
