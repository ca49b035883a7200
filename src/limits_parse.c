/* Parsing of resource limit options (--memory, --pids, --cpus, ...) into a spec. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "spec.h"

/* Below these a sandbox cannot start: init, the workload and the kernel's own charges. */
#define MIN_MEMORY (4ULL << 20)
#define MIN_PIDS   2
#define MIN_DISK   (1ULL << 20)

/* The documented grammar only: DIGITS[.DIGITS] and an optional unit, b or k/m/g/t with an
 * optional "i" and "b" (any case). No sign, space, hex, exponent, inf or nan, which strtod
 * would take. Exact integer arithmetic; a fraction of a byte is dropped. */
int ward_parse_size(const char *text, uint64_t *out)
{
	const char *p = text;
	unsigned __int128 whole = 0, frac = 0, scale = 1;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++)
		if ((whole = whole * 10 + (unsigned)(*p - '0')) > UINT64_MAX)
			return -1;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -1;
		for (; isdigit((unsigned char)*p); p++)
			if (scale < 1000000000000000000ULL) { /* later digits are below a byte */
				frac = frac * 10 + (unsigned)(*p - '0');
				scale *= 10;
			}
	}
	static const char units[] = "bkmgt";
	const char *u = *p ? strchr(units, tolower((unsigned char)*p)) : NULL;
	unsigned shift = 0;
	if (*p && !u)
		return -1;
	if (u) {
		shift = 10 * (unsigned)(u - units);
		p++;
		if (shift && tolower((unsigned char)*p) == 'i')
			p++;
		if (shift && tolower((unsigned char)*p) == 'b')
			p++;
	}
	if (*p)
		return -1;
	unsigned __int128 bytes = (whole << shift) + ((frac << shift) / scale);
	if (bytes > UINT64_MAX)
		return -1;
	*out = (uint64_t)bytes;
	return 0;
}

static long online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

/* "0-1,3": each CPU must exist. */
static int check_cpuset(const char *text, struct ward_error *e)
{
	long max = online_cpus() - 1;
	const char *p = text;
	if (!*p || strlen(text) >= sizeof(((struct ward_limits *)0)->cpuset))
		goto bad;
	while (*p) {
		char *end;
		if (!isdigit((unsigned char)*p))
			goto bad;
		long a = strtol(p, &end, 10), b = a;
		p = end;
		if (*p == '-') {
			if (!isdigit((unsigned char)p[1]))
				goto bad;
			b = strtol(p + 1, &end, 10);
			p = end;
		}
		if (a > b)
			goto bad;
		if (b > max) {
			ward_error_set(e, 0,
			               "--cpuset %s: CPU %ld does not exist (this host has 0-%ld)",
			               text, b, max);
			return -1;
		}
		if (*p == ',')
			p++;
		else if (*p)
			goto bad;
	}
	return 0;
bad:
	ward_error_set(e, 0, "--cpuset %s: expected CPU numbers and ranges like 0-1,3", text);
	return -1;
}

/* DEV:key=value,...  with DEV a block device path or MAJ:MIN. */
static int parse_io(struct ward_limits *l, const char *text, struct ward_error *e)
{
	if (l->n_io == WARD_MAX_IO_LIMITS) {
		ward_error_set(e, 0, "--io-max: at most %d devices", WARD_MAX_IO_LIMITS);
		return -1;
	}
	struct ward_io_limit io = {0};
	char buf[256];
	if (strlen(text) >= sizeof(buf))
		goto bad;
	strcpy(buf, text);
	char *rest;
	if (buf[0] == '/') {
		rest = strchr(buf, ':');
		if (!rest)
			goto bad;
		*rest++ = 0;
		struct stat st;
		if (stat(buf, &st) < 0) {
			ward_error_set(e, errno, "--io-max %s", buf);
			return -1;
		}
		if (!S_ISBLK(st.st_mode)) {
			ward_error_set(e, 0, "--io-max %s: not a block device", buf);
			return -1;
		}
		io.major = major(st.st_rdev);
		io.minor = minor(st.st_rdev);
	} else {
		unsigned maj, min;
		int n = 0;
		if (sscanf(buf, "%u:%u:%n", &maj, &min, &n) != 2 || !n)
			goto bad;
		io.major = maj;
		io.minor = min;
		rest = buf + n;
	}
	for (char *save = NULL, *kv = strtok_r(rest, ",", &save); kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq)
			goto bad;
		*eq++ = 0;
		uint64_t v;
		bool rate = !strcmp(kv, "rbps") || !strcmp(kv, "wbps");
		if ((rate ? ward_parse_size(eq, &v) : ward_parse_count(eq, &v)) < 0 || v == 0)
			goto bad;
		if (!strcmp(kv, "rbps"))
			io.rbps = v;
		else if (!strcmp(kv, "wbps"))
			io.wbps = v;
		else if (!strcmp(kv, "riops"))
			io.riops = v;
		else if (!strcmp(kv, "wiops"))
			io.wiops = v;
		else
			goto bad;
	}
	if (!io.rbps && !io.wbps && !io.riops && !io.wiops)
		goto bad;
	l->io[l->n_io++] = io;
	return 0;
bad:
	ward_error_set(e, 0,
	               "--io-max %s: expected DEV:rbps=SIZE,wbps=SIZE,riops=N,wiops=N (DEV a block "
	               "device or MAJ:MIN; values above 0)",
	               text);
	return -1;
}

static int parse_cpus(struct ward_limits *l, const char *text, struct ward_error *e)
{
	/* DIGITS[.DIGITS] checked first: strtod alone takes hex, exponents, inf and nan */
	size_t whole = strspn(text, "0123456789"), frac = 0;
	if (whole && text[whole] == '.')
		frac = 1 + strspn(text + whole + 1, "0123456789");
	bool ok = whole && frac != 1 && !text[whole + frac];
	errno = 0;
	double v = ok ? strtod(text, NULL) : -1;
	if (!ok || errno) {
		ward_error_set(e, 0, "--cpus %s: expected a number of CPUs such as 0.5 or 2", text);
		return -1;
	}
	long n = online_cpus();
	if (v < 0.01 || v > (double)n) {
		ward_error_set(e, 0, "--cpus %s: must be between 0.01 and %ld (this host's CPUs)",
		               text, n);
		return -1;
	}
	l->cpu_period = 100000;
	l->cpu_quota = (uint64_t)llround(v * 100000);
	return 0;
}

/* A size above 0 and at least MIN (what WHO needs). */
static int size_at_least(const char *opt, const char *value, uint64_t min, const char *who,
                         uint64_t *out, struct ward_error *e)
{
	if (ward_parse_size(value, out) < 0 || *out == 0) {
		ward_error_set(e, 0, "%s %s: expected a size above 0 such as 256m or 1g", opt,
		               value);
		return -1;
	}
	if (*out < min) {
		ward_error_set(e, 0, "%s %s: below the %llum %s", opt, value,
		               (unsigned long long)(min >> 20), who);
		return -1;
	}
	return 0;
}

int ward_spec_set_limit(struct ward_spec *s, const char *name, const char *value,
                        struct ward_error *e)
{
	struct ward_limits *l = &s->limits;
	uint64_t v;
	if (!strcmp(name, "memory")) {
		if (size_at_least("--memory", value, MIN_MEMORY, "a sandbox needs to start", &v,
		                  e) < 0)
			return -1;
		l->memory = v;
	} else if (!strcmp(name, "memory-swap")) {
		if (ward_parse_size(value, &v) < 0 || v > INT64_MAX) {
			ward_error_set(e, 0, "--memory-swap %s: expected a size such as 0 or 512m",
			               value);
			return -1;
		}
		l->swap = (int64_t)v;
	} else if (!strcmp(name, "pids")) {
		if (ward_parse_count(value, &v) < 0 || v == 0) {
			ward_error_set(e, 0, "--pids %s: expected a whole number above 0", value);
			return -1;
		}
		if (v < MIN_PIDS) {
			ward_error_set(e, 0,
			               "--pids %s: below the %d processes a sandbox needs (init "
			               "and the workload)",
			               value, MIN_PIDS);
			return -1;
		}
		l->pids = v;
	} else if (!strcmp(name, "cpus")) {
		return parse_cpus(l, value, e);
	} else if (!strcmp(name, "cpu-weight")) {
		if (ward_parse_count(value, &v) < 0 || v < 1 || v > 10000) {
			ward_error_set(e, 0, "--cpu-weight %s: expected 1 to 10000 (default 100)",
			               value);
			return -1;
		}
		l->cpu_weight = (uint32_t)v;
	} else if (!strcmp(name, "cpuset")) {
		if (check_cpuset(value, e) < 0)
			return -1;
		snprintf(l->cpuset, sizeof(l->cpuset), "%s", value);
	} else if (!strcmp(name, "io-max")) {
		return parse_io(l, value, e);
	} else if (!strcmp(name, "disk")) {
		if (size_at_least("--disk", value, MIN_DISK, "a writable layer needs", &v, e) < 0)
			return -1;
		l->disk = v;
	} else {
		ward_error_set(e, 0, "unknown limit %s", name);
		return -1;
	}
	return 0;
}
