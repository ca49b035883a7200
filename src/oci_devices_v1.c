/* Device rules on cgroup v1: the devices controller's allow and deny lists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_util.h"
#include "oci_cgroup_int.h"
#include "sys.h"

#define OCI_CG_MAX_DEV_EXCEPTIONS 256

/* v1's lists do not follow "the last rule wins": a deny of "b *:* rw" leaves an allowed
 * "b 8:0 r" in place. So the rules are played here first, as runc's emulator does, and the
 * kernel gets the outcome: the default, then its exceptions. Where v1 cannot say the result
 * (an exception wider than the rule that cuts into it), the outcome errs towards deny. */
struct dev_list {
	bool allow_all;
	struct oci_device_rule ex[OCI_CG_MAX_DEV_EXCEPTIONS];
	size_t n;
};

static bool wide(int64_t rule, int64_t ex, bool overlap)
{
	return rule < 0 || rule == ex || (overlap && ex < 0);
}

static unsigned acc_bits(const char *a)
{
	unsigned b = 0;
	for (const char *p = *a ? a : "rwm"; *p; p++)
		b |= *p == 'r' ? 1u : *p == 'w' ? 2u : *p == 'm' ? 4u : 0u;
	return b;
}

static void acc_text(unsigned b, char *out)
{
	size_t k = 0;
	if (b & 1)
		out[k++] = 'r';
	if (b & 2)
		out[k++] = 'w';
	if (b & 4)
		out[k++] = 'm';
	out[k] = 0;
}

static int play(struct dev_list *l, const struct oci_device_rule *r)
{
	if (r->type == 'a') {
		l->allow_all = r->allow;
		l->n = 0;
		return 0;
	}
	unsigned acc = acc_bits(r->access);
	if (r->allow != l->allow_all) {
		for (size_t i = 0; i < l->n; i++) {
			struct oci_device_rule *x = &l->ex[i];
			if (x->type == r->type && x->major == r->major && x->minor == r->minor) {
				acc_text(acc_bits(x->access) | acc, x->access);
				return 0;
			}
		}
		if (l->n == OCI_CG_MAX_DEV_EXCEPTIONS)
			return -1;
		l->ex[l->n] = *r;
		acc_text(acc, l->ex[l->n++].access);
		return 0;
	}
	/* the rule takes access back from the exceptions it reaches: in a deny list also
	 * from wider ones (deny wins), in an allow-all list only from ones it covers */
	bool overlap = !l->allow_all;
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct oci_device_rule x = l->ex[i];
		if (x.type == r->type && wide(r->major, x.major, overlap) &&
		    wide(r->minor, x.minor, overlap))
			acc_text(acc_bits(x.access) & ~acc, x.access);
		if (x.access[0])
			l->ex[k++] = x;
	}
	l->n = k;
	return 0;
}

/* One exception as the kernel writes it: "c 1:3 rwm", "*" for any number. */
static int put_rule(const char *d, const char *file, const struct oci_device_rule *x, unsigned acc,
                    struct ward_error *e)
{
	char maj[24] = "*", min[24] = "*", a[4];
	if (x->major >= 0)
		snprintf(maj, sizeof(maj), "%lld", (long long)x->major);
	if (x->minor >= 0)
		snprintf(min, sizeof(min), "%lld", (long long)x->minor);
	acc_text(acc, a);
	if (cg_write(d, file, "%c %s:%s %s", x->type, maj, min, a) < 0)
		return ward_error_set(e, errno,
		                      "linux.resources.devices: writing '%c %s:%s %s' to %s/%s",
		                      x->type, maj, min, a, d, file);
	return 0;
}

static int64_t number(const char *s)
{
	return *s == '*' ? -1 : strtoll(s, NULL, 10);
}

/* What DIR allows now, when it is a deny list (the kernel does not show an allow-all
 * list's exceptions): false otherwise. */
static bool current(const char *d, struct dev_list *l)
{
	char path[600], line[128];
	snprintf(path, sizeof(path), "%s/devices.list", d);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool ok = true;
	l->allow_all = false;
	l->n = 0;
	while (ok && fgets(line, sizeof(line), f)) {
		char type, maj[24], min[24], acc[8];
		if (sscanf(line, "%c %23[^:]:%23s %7s", &type, maj, min, acc) != 4 || type == 'a' ||
		    l->n == OCI_CG_MAX_DEV_EXCEPTIONS) {
			ok = false;
			break;
		}
		struct oci_device_rule *x = &l->ex[l->n++];
		*x = (struct oci_device_rule){true, type, number(maj), number(min), ""};
		acc_text(acc_bits(acc), x->access);
	}
	fclose(f);
	return ok;
}

static unsigned granted(const struct dev_list *l, const struct oci_device_rule *x)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ex[i].type == x->type && l->ex[i].major == x->major &&
		    l->ex[i].minor == x->minor)
			return acc_bits(l->ex[i].access);
	return 0;
}

/* From a deny list to another, only what changes is written: no moment when a running
 * container loses /dev/null, and no "a" (which v1 refuses once sub-cgroups exist). */
static int update(const char *d, const struct dev_list *cur, const struct dev_list *want,
                  struct ward_error *e)
{
	for (size_t i = 0; i < cur->n; i++) {
		unsigned drop = acc_bits(cur->ex[i].access) & ~granted(want, &cur->ex[i]);
		if (drop && put_rule(d, "devices.deny", &cur->ex[i], drop, e) < 0)
			return -1;
	}
	for (size_t i = 0; i < want->n; i++)
		if (put_rule(d, "devices.allow", &want->ex[i], acc_bits(want->ex[i].access), e) < 0)
			return -1;
	return 0;
}

int oci_devices_v1(const char *d, const struct oci_device_rule *rules, size_t n,
                   const struct oci_device_rule *defaults, size_t nd, struct ward_error *e)
{
	const char *w = "linux.resources.devices";
	autofree struct dev_list *want = calloc(1, sizeof(*want));
	autofree struct dev_list *cur = calloc(1, sizeof(*cur));
	if (!want || !cur)
		return ward_error_set(e, ENOMEM, "%s", w);
	for (size_t i = 0; i < n + nd; i++)
		if (play(want, i < n ? &rules[i] : &defaults[i - n]) < 0)
			return ward_error_set(e, 0, "%s: more than %d distinct rules", w,
			                      OCI_CG_MAX_DEV_EXCEPTIONS);
	if (!want->allow_all && current(d, cur))
		return update(d, cur, want, e);
	const char *deflt = want->allow_all ? "devices.allow" : "devices.deny";
	if (cg_write(d, deflt, "a") < 0)
		return ward_error_set(e, errno, "%s: writing 'a' to %s/%s", w, d, deflt);
	for (size_t i = 0; i < want->n; i++)
		if (put_rule(d, want->allow_all ? "devices.deny" : "devices.allow", &want->ex[i],
		             acc_bits(want->ex[i].access), e) < 0)
			return -1;
	return 0;
}
