/* What the store's names reach: blobs, and trees (every prefix chain of each image). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pathset.h"
#include "store_reach.h"

void image_chain_ids(const struct image_config *c, char (*out)[DIGEST_LEN + 1])
{
	strcpy(out[0], c->diff_ids[0]);
	for (size_t i = 1; i < c->n_diff_ids; i++) {
		struct sha256 h;
		sha256_init(&h);
		sha256_update(&h, out[i - 1], strlen(out[i - 1]));
		sha256_update(&h, " ", 1);
		sha256_update(&h, c->diff_ids[i], strlen(c->diff_ids[i]));
		sha256_final(&h, out[i]);
	}
}

/* The image's tree and every prefix tree below it (shared with other images). */
static void mark_chains(const struct image_config *cfg, struct pathset *trees)
{
	char(*chain)[DIGEST_LEN + 1] = calloc(cfg->n_diff_ids, sizeof(*chain));
	if (!chain) {
		pathset_add(trees, digest_hex(cfg->chain_id));
		return;
	}
	image_chain_ids(cfg, chain);
	for (size_t i = 0; i < cfg->n_diff_ids; i++)
		pathset_add(trees, digest_hex(chain[i]));
	free(chain);
}

void store_mark(struct store *st, struct descriptor d, struct pathset *blobs, struct pathset *trees,
                struct ward_image_info *info, int depth)
{
	char *buf;
	size_t len;
	enum doc_kind kind;
	pathset_add(blobs, digest_hex(d.digest));
	struct ward_error e;
	if (depth > 4 || store_read_doc(st, &d, &buf, &len, &e) < 0)
		return;
	if (document_kind(buf, len, d.media_type, &kind, &e) == 0 && kind == DOC_INDEX) {
		json_t *root = json_loadb(buf, len, 0, NULL), *m;
		size_t i;
		json_array_foreach(json_object_get(root, "manifests"), i, m)
		{
			struct descriptor c = {0};
			json_t *mt = json_object_get(m, "mediaType"),
			       *dg = json_object_get(m, "digest");
			json_t *sz = json_object_get(m, "size");
			if (json_is_string(mt) && json_is_string(dg) && json_is_integer(sz) &&
			    digest_valid(json_string_value(dg))) {
				snprintf(c.media_type, sizeof(c.media_type), "%s",
				         json_string_value(mt));
				strcpy(c.digest, json_string_value(dg));
				c.size = (uint64_t)json_integer_value(sz);
				store_mark(st, c, blobs, trees, NULL, depth + 1);
			}
		}
		json_decref(root);
	} else {
		struct manifest man;
		struct image_config cfg;
		if (manifest_parse(buf, len, &man, &e) == 0) {
			pathset_add(blobs, digest_hex(man.config.digest));
			for (size_t i = 0; i < man.n_layers; i++) {
				pathset_add(blobs, digest_hex(man.layers[i].digest));
				if (info)
					info->size += man.layers[i].size;
			}
			if (info)
				info->layers = (unsigned)man.n_layers;
			char *cbuf;
			size_t clen;
			if (store_read_doc(st, &man.config, &cbuf, &clen, &e) == 0) {
				if (config_parse(cbuf, clen, man.n_layers, &cfg, &e) == 0) {
					mark_chains(&cfg, trees);
					char p[96];
					snprintf(p, sizeof(p), "trees/%s",
					         digest_hex(cfg.chain_id));
					if (info)
						info->unpacked =
						    faccessat(st->fd, p, F_OK,
						              AT_SYMLINK_NOFOLLOW) == 0;
					config_free(&cfg);
				}
				free(cbuf);
			}
			manifest_free(&man);
		}
	}
	free(buf);
}

void store_mark_index(struct store *st, json_t *index, struct pathset *blobs, struct pathset *trees)
{
	json_t *m;
	size_t i;
	json_array_foreach(json_object_get(index, "manifests"), i, m)
	{
		struct descriptor d;
		const char *name;
		if (index_entry(m, &d, &name) == 0)
			store_mark(st, d, blobs, trees, NULL, 0);
	}
}

int store_named_trees(struct store *st, struct pathset *trees, struct ward_error *e)
{
	json_t *index = store_load_index(st, e);
	if (!index)
		return -1;
	struct pathset blobs = {0};
	store_mark_index(st, index, &blobs, trees);
	json_decref(index);
	pathset_clear(&blobs);
	return 0;
}
