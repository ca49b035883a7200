/* Parsing of user-supplied strings (env, rlimits, users, timeouts) into a spec. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sys.h"
#include "spec.h"

#define MAX_TIMEOUT_S (365u * 24 * 3600)

int ward_spec_set_argv(struct ward_spec *s, int argc, char *const argv[], struct ward_error *e)
{
	char **v = calloc((size_t)argc + 1, sizeof(char *));
	if (!v)
		goto oom;
	for (int i = 0; i < argc; i++)
		if (!(v[i] = strdup(argv[i])))
			goto oom;
	for (size_t i = 0; s->argv && s->argv[i]; i++)
		free(s->argv[i]);
	free(s->argv);
	s->argv = v;
	return 0;
oom:
	for (int i = 0; v && i < argc; i++)
		free(v[i]);
	free(v);
	ward_error_set(e, ENOMEM, "command");
	return -1;
}

static bool valid_env_name(const char *kv, size_t n)
{
	if (n == 0 || isdigit((unsigned char)kv[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)kv[i]) && kv[i] != '_')
			return false;
	return true;
}

int ward_spec_add_env(struct ward_spec *s, const char *kv, struct ward_error *e)
{
	const char *eq = strchr(kv, '=');
	if (!eq || !valid_env_name(kv, (size_t)(eq - kv))) {
		ward_error_set(
		    e, 0, "--env %s: expected NAME=VALUE with NAME of letters, digits, '_'", kv);
		return -1;
	}
	size_t keylen = (size_t)(eq - kv) + 1, n = 0;
	char *copy = strdup(kv);
	if (!copy) {
		ward_error_set(e, ENOMEM, "--env");
		return -1;
	}
	for (; s->env[n]; n++) {
		if (strncmp(s->env[n], kv, keylen) == 0) {
			free(s->env[n]);
			s->env[n] = copy;
			return 0;
		}
	}
	char **grown = realloc(s->env, (n + 2) * sizeof(char *));
	if (!grown) {
		free(copy);
		ward_error_set(e, ENOMEM, "--env");
		return -1;
	}
	grown[n] = copy;
	grown[n + 1] = NULL;
	s->env = grown;
	return 0;
}

/* One NAME=VALUE a line; blank lines and lines starting with '#' are skipped (Docker's
 * --env-file format, without its NAME-only form that copies the host's value). */
int ward_spec_load_env_file(struct ward_spec *s, const char *path, struct ward_error *e)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		ward_error_set(e, errno, "--env-file %s", path);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0;
	int rc = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		struct ward_error sub;
		if (ward_spec_add_env(s, p, &sub) < 0) {
			ward_error_set(e, 0, "--env-file %s line %u: expected NAME=VALUE", path,
			               lineno);
			rc = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},       {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},       {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

const char *rlimit_name(int resource)
{
	for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
		if (rlimit_names[i].resource == resource)
			return rlimit_names[i].name;
	return "?";
}

static int parse_u64(const char *text, uint64_t *out)
{
	if (strcmp(text, "unlimited") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	return ward_parse_count(text, out);
}

int ward_spec_add_rlimit(struct ward_spec *s, const char *text, struct ward_error *e)
{
	const char *eq = strchr(text, '=');
	if (!eq) {
		ward_error_set(e, 0, "--rlimit %s: expected NAME=SOFT[:HARD]", text);
		return -1;
	}
	size_t nlen = (size_t)(eq - text);
	if (nlen > 7 && strncasecmp(text, "RLIMIT_", 7) == 0)
		text += 7, nlen -= 7;
	int res = -1;
	for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
		if (strlen(rlimit_names[i].name) == nlen &&
		    strncasecmp(rlimit_names[i].name, text, nlen) == 0)
			res = rlimit_names[i].resource;
	if (res < 0) {
		ward_error_set(e, 0,
		               "--rlimit %.*s: unknown limit (known: as core cpu data fsize "
		               "locks memlock msgqueue nice nofile nproc rss rtprio rttime "
		               "sigpending stack)",
		               (int)nlen, text);
		return -1;
	}
	char vals[64];
	if (strlen(eq + 1) >= sizeof(vals)) {
		ward_error_set(e, 0, "--rlimit %.*s: value too long", (int)nlen, text);
		return -1;
	}
	strcpy(vals, eq + 1);
	char *colon = strchr(vals, ':');
	if (colon)
		*colon = 0;
	uint64_t soft, hard;
	if (parse_u64(vals, &soft) < 0 || parse_u64(colon ? colon + 1 : vals, &hard) < 0) {
		ward_error_set(e, 0, "--rlimit %.*s=%s: values must be numbers or 'unlimited'",
		               (int)nlen, text, eq + 1);
		return -1;
	}
	if (soft > hard) {
		ward_error_set(e, 0, "--rlimit %.*s=%s: soft limit above hard limit", (int)nlen,
		               text, eq + 1);
		return -1;
	}
	size_t i = 0;
	while (i < s->n_rlimits && s->rlimits[i].resource != res)
		i++;
	if (i == WARD_MAX_RLIMITS) {
		ward_error_set(e, 0, "--rlimit: too many limits");
		return -1;
	}
	s->rlimits[i] = (struct ward_rlimit){.resource = res, .soft = soft, .hard = hard};
	if (i == s->n_rlimits)
		s->n_rlimits++;
	return 0;
}

int ward_parse_timeout(const char *text, unsigned *out, struct ward_error *e)
{
	uint64_t v;
	if (parse_u64(text, &v) < 0 || v == RLIM_INFINITY) {
		ward_error_set(e, 0, "--timeout %s: expected a whole number of seconds", text);
		return -1;
	}
	if (v == 0 || v > MAX_TIMEOUT_S) {
		ward_error_set(e, 0, "--timeout %s: must be between 1 and %u seconds", text,
		               MAX_TIMEOUT_S);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}
