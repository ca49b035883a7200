/* Policy files in the OCI / Docker seccomp JSON format, compiled with libseccomp. */
#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "filter.h"
#include "sys.h"

#define MAX_RULES 4096

struct rule {
	int nr;
	uint32_t action;
	unsigned nargs;
	struct scmp_arg_cmp args[6];
};

struct compile {
	const char *origin;
	uint64_t caps;
	int kernel; /* major*1000+minor */
	struct rule *rules;
	size_t n;
	struct ward_error *e;
};

/* Syscalls newer than the libseccomp this was built against knows, x86_64 numbers. */
static const struct {
	const char *name;
	int nr;
} newer_syscalls[] = {
    {"uretprobe", 335},
    {"statmount", 457},
    {"listmount", 458},
    {"lsm_get_self_attr", 459},
    {"lsm_set_self_attr", 460},
    {"lsm_list_modules", 461},
    {"mseal", 462},
    {"setxattrat", 463},
    {"getxattrat", 464},
    {"listxattrat", 465},
    {"removexattrat", 466},
    {"open_tree_attr", 467},
    {"file_getattr", 468},
    {"file_setattr", 469},
};

static int bad(struct compile *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct compile *c, const char *fmt, ...)
{
	char what[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ward_error_set(c->e, 0, "policy %s: %s", c->origin, what);
	return -1;
}

/* Podman writes errno names ("errno": "EPERM") beside or instead of numbers. */
static int errno_by_name(const char *name)
{
	for (int i = 1; i < 4096; i++) {
		const char *n = strerrorname_np(i);
		if (n && !strcmp(n, name))
			return i;
	}
	return -1;
}

/* The errno of an entry: NUM_KEY (a number) first, then NAME_KEY (a name), else FALLBACK. */
static int entry_errno(struct compile *c, json_t *obj, const char *num_key, const char *name_key,
                       int fallback, const char *where)
{
	json_t *num = json_object_get(obj, num_key), *name = json_object_get(obj, name_key);
	if (num) {
		json_int_t v = json_integer_value(num);
		if (!json_is_integer(num) || v < 0 || v > 4095)
			return bad(c, "%s: %s must be an errno number", where, num_key);
		return (int)v;
	}
	if (name) {
		int v = json_is_string(name) ? errno_by_name(json_string_value(name)) : -1;
		if (v < 0)
			return bad(c, "%s: %s: unknown errno name", where, name_key);
		return v;
	}
	return fallback;
}

static int parse_action(struct compile *c, json_t *v, int err, const char *where, uint32_t *out)
{
	const char *a = json_string_value(v);
	if (!a)
		return bad(c, "%s: action must be a string", where);
	if (!strcmp(a, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (!strcmp(a, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO((uint16_t)err);
	else if (!strcmp(a, "SCMP_ACT_KILL") || !strcmp(a, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(a, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(a, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (!strcmp(a, "SCMP_ACT_TRACE"))
		*out = SCMP_ACT_TRACE((uint16_t)err);
	else if (!strcmp(a, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else if (!strcmp(a, "SCMP_ACT_NOTIFY"))
		return bad(c, "%s: SCMP_ACT_NOTIFY needs a listener, which ward does not run",
		           where);
	else
		return bad(c, "%s: unknown action '%s'", where, a);
	return 0;
}

/* The kernel's precedence between filters: higher is stricter. */
static int strictness(uint32_t action)
{
	switch (action & SECCOMP_RET_ACTION_FULL) {
	case SCMP_ACT_KILL_PROCESS:
		return 7;
	case SCMP_ACT_KILL_THREAD:
		return 6;
	case SCMP_ACT_TRAP:
		return 5;
	case SCMP_ACT_ERRNO(0):
		return 4;
	case SCMP_ACT_TRACE(0):
		return 2;
	case SCMP_ACT_LOG:
		return 1;
	default:
		return 0;
	}
}

static const char *const native_arch_names[] = {"amd64", "x86_64", NULL};

static bool json_list_has(json_t *list, const char *const *names)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		for (size_t k = 0; names[k]; k++)
			if (json_is_string(v) && !strcmp(json_string_value(v), names[k]))
				return true;
	}
	return false;
}

static int cap_bit(struct compile *c, const char *name, const char *where)
{
	cap_value_t v;
	if (cap_from_name(name, &v) < 0 || v >= 64)
		return bad(c, "%s: unknown capability '%s'", where, name);
	return (int)v;
}

/* Docker's includes/excludes: an entry applies only if every "includes" condition holds and
 * no "excludes" condition does. Returns 1 to apply, 0 to skip, -1 on error. */
static int applies(struct compile *c, json_t *entry, const char *where)
{
	static const char *const keys[] = {"includes", "excludes"};
	for (int k = 0; k < 2; k++) {
		json_t *cond = json_object_get(entry, keys[k]);
		if (!cond)
			continue;
		if (!json_is_object(cond))
			return bad(c, "%s: %s must be an object", where, keys[k]);
		bool include = k == 0;
		json_t *caps = json_object_get(cond, "caps"),
		       *arches = json_object_get(cond, "arches");
		const char *minkernel = json_string_value(json_object_get(cond, "minKernel"));
		size_t i;
		json_t *v;
		json_array_foreach(caps, i, v)
		{
			int bit =
			    cap_bit(c, json_string_value(v) ? json_string_value(v) : "?", where);
			if (bit < 0)
				return -1;
			bool have = c->caps & (1ULL << bit);
			if (include && !have)
				return 0;
			if (!include && have)
				return 0;
		}
		if (json_array_size(arches)) {
			bool native = json_list_has(arches, native_arch_names);
			if (include != native)
				return 0;
		}
		if (minkernel) {
			int maj = 0, min = 0;
			if (sscanf(minkernel, "%d.%d", &maj, &min) < 1)
				return bad(c, "%s: bad minKernel '%s'", where, minkernel);
			bool new_enough = c->kernel >= maj * 1000 + min;
			if (include != new_enough)
				return 0;
		}
	}
	return 1;
}

static int parse_op(struct compile *c, const char *op, const char *where, enum scmp_compare *out)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
	    {"SCMP_CMP_NE", SCMP_CMP_NE},
	    {"SCMP_CMP_LT", SCMP_CMP_LT},
	    {"SCMP_CMP_LE", SCMP_CMP_LE},
	    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
	    {"SCMP_CMP_GE", SCMP_CMP_GE},
	    {"SCMP_CMP_GT", SCMP_CMP_GT},
	    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
	};
	for (size_t i = 0; op && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(op, ops[i].name)) {
			*out = ops[i].op;
			return 0;
		}
	return bad(c, "%s: unknown argument op '%s'", where, op ? op : "(none)");
}

static int resolve(struct compile *c, const char *name, const char *where)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr != __NR_SCMP_ERROR)
		return nr;
	for (size_t i = 0; i < sizeof(newer_syscalls) / sizeof(newer_syscalls[0]); i++)
		if (!strcmp(name, newer_syscalls[i].name))
			return newer_syscalls[i].nr;
	bad(c, "%s: unknown system call '%s'", where, name);
	return __NR_SCMP_ERROR;
}

static int add_rule(struct compile *c, int nr, uint32_t action, const struct scmp_arg_cmp *args,
                    unsigned nargs)
{
	if (c->n == MAX_RULES)
		return bad(c, "more than %d rules", MAX_RULES);
	struct rule *r = &c->rules[c->n++];
	r->nr = nr;
	r->action = action;
	r->nargs = nargs;
	memcpy(r->args, args, nargs * sizeof(*args));
	return 0;
}

/* Docker semantics: conditions on different arguments must all hold; several conditions on
 * the same argument are alternatives, each its own rule. */
static int parse_entry(struct compile *c, json_t *entry, size_t idx)
{
	char where[96];
	json_t *names = json_object_get(entry, "names"), *name = json_object_get(entry, "name");
	snprintf(where, sizeof(where), "syscalls[%zu]", idx);
	if (!json_is_object(entry))
		return bad(c, "%s: must be an object", where);
	const char *k;
	json_t *v;
	json_object_foreach(entry, k, v)
	{
		static const char *const known[] = {"names",   "name", "action",   "errnoRet",
		                                    "errno",   "args", "includes", "excludes",
		                                    "comment", NULL};
		bool ok = false;
		for (size_t i = 0; known[i]; i++)
			ok |= !strcmp(k, known[i]);
		if (!ok)
			return bad(c, "%s: unknown key '%s'", where, k);
	}
	if (json_array_size(names) && json_is_string(json_array_get(names, 0)))
		snprintf(where, sizeof(where), "syscalls[%zu] (%s%s)", idx,
		         json_string_value(json_array_get(names, 0)),
		         json_array_size(names) > 1 ? ", ..." : "");
	if (!json_is_array(names) && !json_is_string(name))
		return bad(c, "%s: needs \"names\"", where);
	uint32_t action;
	int err = entry_errno(c, entry, "errnoRet", "errno", EPERM, where);
	if (err < 0 || parse_action(c, json_object_get(entry, "action"), err, where, &action) < 0)
		return -1;
	int ok = applies(c, entry, where);
	if (ok <= 0)
		return ok;

	struct scmp_arg_cmp args[6];
	unsigned nargs = 0;
	bool same_index = false;
	json_t *jargs = json_object_get(entry, "args");
	if (jargs && !json_is_array(jargs) && !json_is_null(jargs))
		return bad(c, "%s: args must be a list", where);
	size_t i;
	json_array_foreach(jargs, i, v)
	{
		json_t *ji = json_object_get(v, "index"), *jv = json_object_get(v, "value");
		if (nargs == 6 || !json_is_integer(ji) || json_integer_value(ji) < 0 ||
		    json_integer_value(ji) > 5 || !json_is_integer(jv))
			return bad(c, "%s: args[%zu]: needs index 0..5 and an integer value", where,
			           i);
		enum scmp_compare op = SCMP_CMP_EQ;
		if (parse_op(c, json_string_value(json_object_get(v, "op")), where, &op) < 0)
			return -1;
		unsigned index = (unsigned)json_integer_value(ji);
		for (unsigned a = 0; a < nargs; a++)
			same_index |= args[a].arg == index;
		args[nargs++] = (struct scmp_arg_cmp){
		    .arg = index,
		    .op = op,
		    .datum_a = (scmp_datum_t)json_integer_value(jv),
		    .datum_b = (scmp_datum_t)json_integer_value(json_object_get(v, "valueTwo")),
		};
	}
	json_t *list = json_is_array(names) ? names : NULL;
	size_t count = list ? json_array_size(list) : 1;
	for (size_t n = 0; n < count; n++) {
		const char *sys = json_string_value(list ? json_array_get(list, n) : name);
		if (!sys)
			return bad(c, "%s: names must be strings", where);
		int nr = resolve(c, sys, where);
		if (nr == __NR_SCMP_ERROR)
			return -1;
		if (!same_index) {
			if (add_rule(c, nr, action, args, nargs) < 0)
				return -1;
			continue;
		}
		for (unsigned a = 0; a < nargs; a++)
			if (add_rule(c, nr, action, &args[a], 1) < 0)
				return -1;
	}
	return 0;
}

static int add_arches(struct compile *c, scmp_filter_ctx ctx, json_t *root)
{
	json_t *map = json_object_get(root, "archMap"),
	       *legacy = json_object_get(root, "architectures");
	json_t *extra = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(map, i, v)
	{
		const char *a = json_string_value(json_object_get(v, "architecture"));
		if (a && !strcmp(a, "SCMP_ARCH_X86_64"))
			extra = json_object_get(v, "subArchitectures");
	}
	if (!map)
		extra = legacy;
	json_array_foreach(extra, i, v)
	{
		const char *a = json_string_value(v);
		if (!a || strncmp(a, "SCMP_ARCH_", 10) != 0)
			return bad(c, "architectures: bad name '%s'", a ? a : "?");
		/* Only the ABIs this machine can run matter; others are accepted and ignored. */
		uint32_t token = 0;
		if (!strcmp(a, "SCMP_ARCH_X86"))
			token = SCMP_ARCH_X86;
		else if (!strcmp(a, "SCMP_ARCH_X32"))
			token = SCMP_ARCH_X32;
		if (token && seccomp_arch_add(ctx, token) < 0 &&
		    seccomp_arch_exist(ctx, token) != 0)
			return bad(c, "architectures: cannot add %s", a);
	}
	return 0;
}

static int export(scmp_filter_ctx ctx, struct sock_filter **prog, unsigned short *len)
{
	autoclose int fd = memfd_create("ward-bpf", MFD_CLOEXEC);
	if (fd < 0 || seccomp_export_bpf(ctx, fd) < 0)
		return -1;
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
	    size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
		return -1;
	*prog = malloc((size_t)size);
	if (!*prog || pread(fd, *prog, (size_t)size, 0) != size)
		return -1;
	*len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
	return 0;
}

static int build(struct compile *c, json_t *root, uint32_t def, struct ward_filter *f)
{
	int rc = -1;
	scmp_filter_ctx main_ctx = seccomp_init(def), over = seccomp_init(SCMP_ACT_ALLOW);
	if (!main_ctx || !over || add_arches(c, main_ctx, root) < 0 ||
	    add_arches(c, over, root) < 0)
		goto out;
	/* Foreign ABIs not opted into answer ENOSYS; the overlay leaves them to the main. */
	seccomp_attr_set(main_ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
	seccomp_attr_set(over, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	/* A binary search over syscall numbers instead of a linear chain: the kernel runs the
	 * filter once per syscall number when installing it (to build its allow cache) and at
	 * every uncached call. */
	seccomp_attr_set(main_ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	bool overlay_used = false;
	for (size_t i = 0; i < c->n; i++) {
		struct rule *r = &c->rules[i];
		/* the unconditional rule of this syscall, if any */
		const struct rule *u = NULL;
		for (size_t j = 0; j < c->n && !u; j++)
			if (c->rules[j].nr == r->nr && c->rules[j].nargs == 0)
				u = &c->rules[j];
		scmp_filter_ctx target = main_ctx;
		if (!(u && r->nargs) && r->action == def)
			continue; /* what the default does anyway */
		if (u && r->nargs) {
			if (r->action == u->action ||
			    strictness(r->action) <= strictness(u->action))
				continue;
			target = over;
			overlay_used = true;
		}
		int err = seccomp_rule_add_array(target, r->action, r->nr, r->nargs, r->args);
		if (err < 0 && err != -EEXIST) {
			char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, r->nr);
			bad(c, "cannot add the rule for '%s': %s", n ? n : "?", strerror(-err));
			free(n);
			goto out;
		}
	}
	if (export(main_ctx, &f->prog[0], &f->len[0]) < 0 ||
	    (overlay_used && export(over, &f->prog[1], &f->len[1]) < 0)) {
		ward_error_set(c->e, errno, "policy %s: exporting the filter", c->origin);
		goto out;
	}
	rc = 0;
out:
	if (main_ctx)
		seccomp_release(main_ctx);
	if (over)
		seccomp_release(over);
	return rc;
}

int filter_compile(const char *text, size_t len, const char *origin, uint64_t caps,
                   struct ward_filter *f, struct ward_error *e)
{
	memset(f, 0, sizeof(*f));
	struct utsname u;
	uname(&u);
	int maj = 0, min = 0;
	sscanf(u.release, "%d.%d", &maj, &min);
	struct compile c = {.origin = origin, .caps = caps, .kernel = maj * 1000 + min, .e = e};
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		ward_error_set(e, 0, "policy %s: line %d column %d: %s", origin, jerr.line,
		               jerr.column, jerr.text);
		return -1;
	}
	int rc = -1;
	c.rules = calloc(MAX_RULES, sizeof(struct rule));
	if (!c.rules)
		goto out;
	if (!json_is_object(root)) {
		bad(&c, "the top level must be an object");
		goto out;
	}
	const char *k;
	json_t *v;
	json_object_foreach(root, k, v)
	{
		static const char *const known[] = {"defaultAction",
		                                    "defaultErrnoRet",
		                                    "defaultErrno",
		                                    "architectures",
		                                    "archMap",
		                                    "syscalls",
		                                    "flags",
		                                    "listenerPath",
		                                    "listenerMetadata",
		                                    "comment",
		                                    NULL};
		bool ok = false;
		for (size_t i = 0; known[i]; i++)
			ok |= !strcmp(k, known[i]);
		if (!ok) {
			bad(&c, "unknown top-level key '%s'", k);
			goto out;
		}
	}
	int derr = entry_errno(&c, root, "defaultErrnoRet", "defaultErrno", EPERM, "defaultAction");
	uint32_t def;
	if (derr < 0 || parse_action(&c, json_object_get(root, "defaultAction"), derr,
	                             "defaultAction", &def) < 0)
		goto out;
	json_t *calls = json_object_get(root, "syscalls");
	if (calls && !json_is_array(calls)) {
		bad(&c, "syscalls must be a list");
		goto out;
	}
	size_t i;
	json_array_foreach(calls, i, v)
	{
		if (parse_entry(&c, v, i) < 0)
			goto out;
	}
	rc = build(&c, root, def, f);
out:
	free(c.rules);
	json_decref(root);
	if (rc < 0)
		filter_free(f);
	return rc;
}

void filter_free(struct ward_filter *f)
{
	for (int i = 0; i < 3; i++) {
		free(f->prog[i]);
		f->prog[i] = NULL;
		f->len[i] = 0;
	}
}
