/* dlopen of libcurl.so.4 and its symbols, resolved once. curl_global_init is not
 * thread-safe in every libcurl, so it runs inside the same once. */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "curl_load.h"

static struct curl_fns fns;
static char load_error[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	static const struct {
		const char *name;
		size_t offset;
	} syms[] = {
	    {"curl_easy_init", offsetof(struct curl_fns, easy_init)},
	    {"curl_easy_setopt", offsetof(struct curl_fns, easy_setopt)},
	    {"curl_easy_perform", offsetof(struct curl_fns, easy_perform)},
	    {"curl_easy_getinfo", offsetof(struct curl_fns, easy_getinfo)},
	    {"curl_easy_cleanup", offsetof(struct curl_fns, easy_cleanup)},
	    {"curl_easy_strerror", offsetof(struct curl_fns, easy_strerror)},
	    {"curl_slist_append", offsetof(struct curl_fns, slist_append)},
	    {"curl_slist_free_all", offsetof(struct curl_fns, slist_free_all)},
	};
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(load_error, sizeof(load_error), "%s", dlerror());
		return;
	}
	struct curl_fns f;
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(h, syms[i].name);
		if (!p) {
			snprintf(load_error, sizeof(load_error), "no symbol %s", syms[i].name);
			return;
		}
		memcpy((char *)&f + syms[i].offset, &p, sizeof(p));
	}
	CURLcode (*global_init)(long) = NULL;
	void *gi = dlsym(h, "curl_global_init");
	memcpy(&global_init, &gi, sizeof(gi));
	if (!global_init || global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(load_error, sizeof(load_error), "curl_global_init failed");
		return;
	}
	fns = f;
}

const struct curl_fns *curl_load(struct ward_error *e)
{
	pthread_once(&once, load);
	if (!fns.easy_init) {
		ward_error_set(e, 0,
		               "registry access needs libcurl (libcurl.so.4): %s (Debian: apt "
		               "install libcurl4)",
		               load_error);
		return NULL;
	}
	return &fns;
}
