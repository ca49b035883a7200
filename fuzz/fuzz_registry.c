/* libFuzzer target: what a registry, a token service or a user's files send the registry
 * client: WWW-Authenticate challenges, token answers, image references, auth.json /
 * config.json, credential helpers' answers, daemon.json, Location headers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	struct ward_error e;
	struct challenge ch;
	challenge_parse(s, &ch);
	char *token = NULL;
	if (token_parse(s, size, &token, &e) == 0)
		free(token);
	struct registry_ref r;
	if (registry_ref_parse(s, &r, &e) == 0) {
		char name[1024];
		registry_ref_name(&r, name, sizeof(name));
	}
	struct creds c;
	char helper[64];
	creds_parse(s, size, "127.0.0.1:5000", &c, helper, &e);
	creds_parse(s, size, "docker.io", &c, helper, &e);
	creds_helper_parse(s, size, &c, &e);
	struct registry_conf conf;
	if (conf_parse(s, size, &conf, &e) == 0) {
		conf_insecure(&conf, "10.0.0.1:5000");
		conf_free(&conf);
	}
	conf_insecure(NULL, s);
	domain_loopback(s);
	char url[4096], b64[64];
	size_t n;
	url_resolve("https://reg.io:5000/v2/a/blobs/uploads/?x=1", s, url, sizeof(url));
	base64_decode(s, b64, sizeof(b64), &n);
	free(s);
	return 0;
}
