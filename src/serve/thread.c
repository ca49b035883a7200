/* api_thread: the detached threads the server starts (streams, hijacked connections, waits,
 * watchers) all start the same way. */
#include <pthread.h>

#include "serve.h"

int api_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	pthread_attr_t a;
	int err = pthread_attr_init(&a);
	if (err)
		return err;
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t, &a, fn, arg);
	pthread_attr_destroy(&a);
	return err;
}
