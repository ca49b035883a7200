/* ward_image_config: an open image's name, id, tree and defaults, as the public API sees
 * them. */
#include "image.h"

const struct ward_image_config *ward_image_config(const struct ward_image *img)
{
	struct ward_image *m = (struct ward_image *)img;
	m->config = (struct ward_image_config){
	    .name = img->name,
	    .id = img->id,
	    .rootfs = img->rootfs,
	    .env = img->env,
	    .entrypoint = img->entrypoint,
	    .cmd = img->cmd,
	    .workdir = img->workdir,
	    .user = img->user,
	};
	return &m->config;
}
