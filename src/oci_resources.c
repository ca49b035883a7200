/* A runtime-spec LinuxResources object (linux.resources, update --resources) into struct
 * oci_resources. What ward's cgroup code cannot apply is refused by name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "oci_json.h"
#include "strv.h"

/* An int64 field: set is OCI_UNSET unless given. */
static int i64(json_t *obj, const char *key, const char *where, int64_t min, int64_t *out,
               struct ward_error *e)
{
	return oj_i64(obj, key, where, min, INT64_MAX, out, e) < 0 ? -1 : 0;
}

/* A uint64 field kept in an int64 (the cgroup files take at most INT64_MAX). */
static int u64(json_t *obj, const char *key, const char *where, int64_t *out, struct ward_error *e)
{
	uint64_t v;
	int rc = oj_u64(obj, key, where, INT64_MAX, &v, e);
	if (rc > 0)
		*out = (int64_t)v;
	return rc < 0 ? -1 : 0;
}

static int memory(json_t *res, const char *where, struct oci_resources *r, struct ward_error *e)
{
	json_t *m;
	char w[96];
	if (oj_object(res, "memory", where, &m, e) < 0)
		return -1;
	if (!m)
		return 0;
	snprintf(w, sizeof(w), "%s.memory", where);
	if (i64(m, "limit", w, -1, &r->memory_limit, e) < 0 ||
	    i64(m, "reservation", w, -1, &r->memory_reservation, e) < 0 ||
	    i64(m, "swap", w, -1, &r->memory_swap, e) < 0 ||
	    i64(m, "kernel", w, -1, &r->memory_kernel, e) < 0 ||
	    i64(m, "kernelTCP", w, -1, &r->memory_kernel_tcp, e) < 0)
		return -1;
	/* swappiness: a uint64; Docker's "unset" arrives as -1 or as 2^64-1 */
	json_t *sw = oj_get(m, "swappiness");
	int64_t si;
	uint64_t su;
	if (sw && oj_num_i64(sw, &si) && si == -1)
		;
	else if (sw && oj_num_u64(sw, &su) && su == UINT64_MAX)
		;
	else if (sw && (!oj_num_u64(sw, &su) || su > 100))
		return oj_err(e, w, "swappiness", "must be an integer from 0 to 100");
	else if (sw)
		r->memory_swappiness = (int64_t)su;
	bool dis;
	int rc = oj_bool(m, "disableOOMKiller", w, &dis, e);
	if (rc < 0 || oj_bool(m, "useHierarchy", w, &(bool){0}, e) < 0 ||
	    oj_bool(m, "checkBeforeUpdate", w, &(bool){0}, e) < 0)
		return -1;
	if (rc > 0)
		r->disable_oom_killer = dis;
	return 0;
}

static int cpu_set(json_t *c, const char *key, const char *w, char *out, size_t size,
                   struct ward_error *e)
{
	const char *v = NULL;
	if (oj_str(c, key, w, &v, e) < 0)
		return -1;
	if (!v)
		return 0;
	if (strlen(v) >= size || strspn(v, "0123456789,- ") != strlen(v))
		return oj_err(e, w, key, "expected a list such as 0-3,5");
	strcpy(out, v);
	return 0;
}

static int cpu(json_t *res, const char *where, struct oci_resources *r, struct ward_error *e)
{
	json_t *c;
	char w[96];
	if (oj_object(res, "cpu", where, &c, e) < 0)
		return -1;
	if (!c)
		return 0;
	snprintf(w, sizeof(w), "%s.cpu", where);
	if (u64(c, "shares", w, &r->cpu_shares, e) < 0 ||
	    i64(c, "quota", w, -1, &r->cpu_quota, e) < 0 ||
	    u64(c, "period", w, &r->cpu_period, e) < 0 ||
	    i64(c, "realtimeRuntime", w, -1, &r->cpu_rt_runtime, e) < 0 ||
	    u64(c, "realtimePeriod", w, &r->cpu_rt_period, e) < 0 ||
	    i64(c, "idle", w, INT64_MIN + 1, &r->cpu_idle, e) < 0 ||
	    cpu_set(c, "cpus", w, r->cpus, sizeof(r->cpus), e) < 0 ||
	    cpu_set(c, "mems", w, r->mems, sizeof(r->mems), e) < 0)
		return -1;
	return oj_refuse(c, "burst", w, "not supported by ward", e);
}

/* One entry of a blockIO device list: major, minor and VALUE_KEY (NULL: weight, leafWeight). */
static int blkio_dev(json_t *d, const char *w, const char *value_key, struct oci_blkio_device *out,
                     struct ward_error *e)
{
	int64_t leaf = 0;
	uint64_t v = 0;
	if (!json_is_object(d))
		return oj_err(e, w, NULL, "must be an object");
	if (oj_i64(d, "major", w, 0, INT64_MAX, &out->major, e) <= 0 ||
	    oj_i64(d, "minor", w, 0, INT64_MAX, &out->minor, e) <= 0)
		return oj_get(d, "major") && oj_get(d, "minor")
		           ? -1
		           : oj_err(e, w, NULL, "needs major and minor");
	if (value_key) {
		if (oj_u64(d, value_key, w, UINT64_MAX, &v, e) <= 0)
			return oj_get(d, value_key) ? -1 : oj_err(e, w, value_key, "required");
	} else if (oj_u64(d, "weight", w, UINT16_MAX, &v, e) < 0 ||
	           oj_i64(d, "leafWeight", w, 0, UINT16_MAX, &leaf, e) < 0)
		return -1;
	out->value = v;
	out->leaf_weight = (uint64_t)leaf;
	return 0;
}

static int blkio_list(json_t *b, const char *key, const char *w, const char *value_key,
                      struct oci_blkio_device *out, size_t *n, struct ward_error *e)
{
	json_t *arr, *d;
	size_t i;
	if (oj_array(b, key, w, &arr, e) < 0)
		return -1;
	if (json_array_size(arr) > OCI_MAX_BLKIO)
		return oj_err(e, w, key, "at most %d devices", OCI_MAX_BLKIO);
	json_array_foreach(arr, i, d)
	{
		char wi[128];
		snprintf(wi, sizeof(wi), "%s.%s[%zu]", w, key, i);
		if (blkio_dev(d, wi, value_key, &out[i], e) < 0)
			return -1;
		*n = i + 1;
	}
	return 0;
}

static int blkio(json_t *res, const char *where, struct oci_resources *r, struct ward_error *e)
{
	static const char *const throttles[4] = {"throttleReadBpsDevice", "throttleWriteBpsDevice",
	                                         "throttleReadIOPSDevice",
	                                         "throttleWriteIOPSDevice"};
	json_t *b;
	char w[96];
	if (oj_object(res, "blockIO", where, &b, e) < 0)
		return -1;
	if (!b)
		return 0;
	snprintf(w, sizeof(w), "%s.blockIO", where);
	if (oj_i64(b, "weight", w, 0, UINT16_MAX, &r->blkio_weight, e) < 0 ||
	    oj_i64(b, "leafWeight", w, 0, UINT16_MAX, &r->blkio_leaf_weight, e) < 0 ||
	    blkio_list(b, "weightDevice", w, NULL, r->weight_device, &r->n_weight_device, e) < 0)
		return -1;
	for (int k = 0; k < 4; k++)
		if (blkio_list(b, throttles[k], w, "rate", r->throttle[k], &r->n_throttle[k], e) <
		    0)
			return -1;
	return 0;
}

static int hugepages(json_t *res, const char *where, struct oci_resources *r, struct ward_error *e)
{
	json_t *arr, *h;
	size_t i;
	if (oj_array(res, "hugepageLimits", where, &arr, e) < 0)
		return -1;
	if (json_array_size(arr) > OCI_MAX_HUGEPAGES)
		return oj_err(e, where, "hugepageLimits", "at most %d sizes", OCI_MAX_HUGEPAGES);
	json_array_foreach(arr, i, h)
	{
		char w[128];
		const char *size = NULL;
		uint64_t limit = 0;
		snprintf(w, sizeof(w), "%s.hugepageLimits[%zu]", where, i);
		if (oj_str(h, "pageSize", w, &size, e) < 0 ||
		    oj_u64(h, "limit", w, UINT64_MAX, &limit, e) < 0)
			return -1;
		if (!size || !size[0] || strlen(size) >= sizeof(r->hugepages[i].pagesize) ||
		    strspn(size, "0123456789KMGB") != strlen(size))
			return oj_err(e, w, "pageSize", "expected a size such as 2MB");
		if (!oj_get(h, "limit"))
			return oj_err(e, w, "limit", "required");
		strcpy(r->hugepages[i].pagesize, size);
		r->hugepages[i].limit = limit;
		r->n_hugepages = i + 1;
	}
	return 0;
}

/* cgroup v2 files by name: a plain file name in the container's own cgroup directory. */
static int unified(json_t *res, const char *where, struct oci_resources *r, struct ward_error *e)
{
	json_t *u, *v;
	const char *k;
	if (oj_object(res, "unified", where, &u, e) < 0)
		return -1;
	if (!u)
		return 0;
	size_t n = 0;
	char **list = calloc(json_object_size(u) + 1, sizeof(*list));
	if (!list)
		return ward_error_set(e, ENOMEM, "unified");
	json_object_foreach(u, k, v)
	{
		char w[128];
		snprintf(w, sizeof(w), "%s.unified", where);
		bool ok = k[0] && k[0] != '.' && !strchr(k, '/') && strchr(k, '.');
		const char *val = json_string_value(v);
		int rc = 0;
		if (!ok)
			rc = oj_err(e, w, k, "not a cgroup file name (controller.file)");
		else if (!val || strchr(val, '\n'))
			rc = oj_err(e, w, k, "must be a string of one line");
		else if (asprintf(&list[n], "%s=%s", k, val) < 0)
			rc = ward_error_set(e, ENOMEM, "unified");
		if (rc < 0) {
			list[n] = NULL;
			strv_free(list);
			return -1;
		}
		n++;
	}
	strv_free(r->unified);
	r->unified = list;
	return 0;
}

static int device_rule(json_t *d, const char *w, struct oci_device_rule *out, struct ward_error *e)
{
	const char *type = "a", *access = "rwm";
	out->major = out->minor = -1;
	if (!json_is_object(d))
		return oj_err(e, w, NULL, "must be an object");
	if (!json_is_boolean(json_object_get(d, "allow")))
		return oj_err(e, w, "allow", "required (true or false)");
	out->allow = json_is_true(json_object_get(d, "allow"));
	if (oj_str(d, "type", w, &type, e) < 0 || oj_str(d, "access", w, &access, e) < 0 ||
	    oj_i64(d, "major", w, -1, INT64_MAX, &out->major, e) < 0 ||
	    oj_i64(d, "minor", w, -1, INT64_MAX, &out->minor, e) < 0)
		return -1;
	if (strlen(type) != 1 || !strchr("acb", type[0]))
		return oj_err(e, w, "type", "must be a, c or b");
	out->type = type[0];
	if (!access[0])
		access = "rwm";
	if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
		return oj_err(e, w, "access", "must be letters of rwm");
	strcpy(out->access, access);
	return 0;
}

static int devices(json_t *res, const char *where, struct oci_resources *r, struct ward_error *e)
{
	json_t *arr, *d;
	size_t i;
	if (oj_array(res, "devices", where, &arr, e) < 0)
		return -1;
	if (!arr)
		return 0;
	free(r->devices);
	r->devices = NULL;
	r->n_devices = 0;
	r->devices_set = true;
	if (json_array_size(arr) &&
	    !(r->devices = calloc(json_array_size(arr), sizeof(*r->devices))))
		return ward_error_set(e, ENOMEM, "devices");
	json_array_foreach(arr, i, d)
	{
		char w[128];
		snprintf(w, sizeof(w), "%s.devices[%zu]", where, i);
		if (device_rule(d, w, &r->devices[i], e) < 0)
			return -1;
		r->n_devices = i + 1;
	}
	return 0;
}

static int network(json_t *res, const char *where, struct oci_resources *r, struct ward_error *e)
{
	json_t *n;
	char w[96];
	if (oj_object(res, "network", where, &n, e) < 0)
		return -1;
	if (!n)
		return 0;
	snprintf(w, sizeof(w), "%s.network", where);
	int64_t id;
	int rc = oj_i64(n, "classID", w, 0, UINT32_MAX, &id, e);
	if (rc < 0)
		return -1;
	if (rc > 0)
		r->net_class_id = id;
	return oj_refuse(n, "priorities", w, "not supported by ward", e);
}

int oci_resources_parse(json_t *obj, const char *where, struct oci_resources *r,
                        struct ward_error *e)
{
	if (!json_is_object(obj))
		return oj_err(e, where, NULL, "must be an object");
	json_t *pids;
	char w[96];
	snprintf(w, sizeof(w), "%s.pids", where);
	if (memory(obj, where, r, e) < 0 || cpu(obj, where, r, e) < 0 ||
	    oj_object(obj, "pids", where, &pids, e) < 0 ||
	    i64(pids, "limit", w, INT64_MIN + 1, &r->pids_limit, e) < 0 ||
	    blkio(obj, where, r, e) < 0 || hugepages(obj, where, r, e) < 0 ||
	    unified(obj, where, r, e) < 0 || devices(obj, where, r, e) < 0 ||
	    network(obj, where, r, e) < 0)
		return -1;
	return oj_refuse(obj, "rdma", where, "not supported by ward", e);
}
