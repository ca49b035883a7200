/* libcurl, loaded with dlopen the first time a registry is contacted: a start from the store
 * never maps it. Compiled against <curl/curl.h> for its types and constants only. */
#ifndef WARD_CURL_LOAD_H
#define WARD_CURL_LOAD_H

#include <curl/curl.h>

#include "ward/error.h"

/* The few functions the registry client calls. */
struct curl_fns {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
};

/* The library, loaded and initialised once per process (thread-safe); NULL with E saying
 * which package provides it. */
const struct curl_fns *curl_load(struct ward_error *e);

#endif
