/* ward oci's errors: one line on stderr, and in the --log file in the shape the shims parse
 * (containerd's and conmon read the msg of the last error line). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

/* Opened on the first line: after the commands have closed what the engine leaked. */
static int log_fd = -1;

static void now_rfc3339(char *out, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* logrus's text format: msg quoted, " and \ escaped, newlines as \n, other control
 * characters as spaces (one line each). */
static void text_line(const char *level, const char *msg, const char *t, char *out, size_t len)
{
	size_t k = (size_t)snprintf(out, len, "time=\"%s\" level=%s msg=\"", t, level);
	for (const char *p = msg; *p && k + 4 < len; p++) {
		if (*p == '"' || *p == '\\')
			out[k++] = '\\';
		if (*p == '\n') {
			out[k++] = '\\';
			out[k++] = 'n';
			continue;
		}
		out[k++] = (unsigned char)*p < 0x20 ? ' ' : *p;
	}
	out[k++] = '"';
	out[k++] = '\n';
	out[k] = 0;
}

static void log_line(const char *level, const char *msg)
{
	if (!oci_g.log_path)
		return;
	if (log_fd < 0)
		log_fd = open(oci_g.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0)
		return;
	char t[64], line[4096];
	now_rfc3339(t, sizeof(t));
	if (oci_g.log_json) {
		json_t *j = json_pack("{s:s,s:s,s:s}", "level", level, "msg", msg, "time", t);
		char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(j);
		if (!s)
			return;
		snprintf(line, sizeof(line), "%s\n", s);
		free(s);
	} else {
		text_line(level, msg, t, line, sizeof(line));
	}
	/* one write: lines of concurrent calls do not interleave (O_APPEND) */
	if (write(log_fd, line, strlen(line)) < 0)
		return;
}

int oci_log_fd(void)
{
	return log_fd;
}

int oci_fail(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", oci_g.prog, msg);
	log_line("error", msg);
	return 1;
}

int oci_fail_e(const char *what, const struct ward_error *e)
{
	/* "container ID ..." from the library names it already */
	size_t n = strlen(what);
	if (!strncmp(e->msg, "container ", 10) && !strncmp(e->msg + 10, what, n) &&
	    (e->msg[10 + n] == ' ' || e->msg[10 + n] == ':'))
		return oci_fail("%s", e->msg);
	return oci_fail("%s: %s", what, e->msg);
}

void oci_debug(const char *fmt, ...)
{
	if (!oci_g.debug)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (oci_g.log_path)
		log_line("debug", msg);
	else
		fprintf(stderr, "%s: debug: %s\n", oci_g.prog, msg);
}

void oci_lib_log(enum ward_log_level level, const char *msg, void *arg)
{
	(void)arg;
	if (level == WARD_LOG_PROGRESS)
		return;
	if (level == WARD_LOG_WARNING) {
		if (oci_g.log_path)
			log_line("warning", msg);
		else
			fprintf(stderr, "%s: warning: %s\n", oci_g.prog, msg);
	} else if (oci_g.log_path) {
		log_line("info", msg);
	}
}
