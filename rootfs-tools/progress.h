/* Progress lines from a helper process (the unpacker runs forked, in a user namespace) to
 * the caller's log: the helper writes lines into a pipe, a thread of the caller reads them
 * and calls the log there, so a log function always runs in the process that set it. */
#ifndef WARD_PROGRESS_H
#define WARD_PROGRESS_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>

#include "context.h"

struct progress_relay {
	const struct ward_context *ctx;
	int rfd, wfd; /* wfd: where the helper writes; -1 when nobody listens */
	pthread_t thread;
	sem_t ready; /* posted once the thread runs */
	bool running;
};

/* Starts relaying to C's log (nothing to do without a log function); returns once the
 * thread waits for lines, so that the helper can be forked right after. */
void progress_relay_start(struct progress_relay *r, const struct ward_context *c);
/* One progress line, from any process holding WFD (-1: dropped). */
void progress_send(int wfd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Once the helpers have exited: relays what they wrote, then ends the progress line. */
void progress_relay_stop(struct progress_relay *r);

#endif
