/* ward image pack | tag | history (image_pack.c), dispatched by cmd_image. */
#ifndef WARD_CLI_IMAGE_CMDS_H
#define WARD_CLI_IMAGE_CMDS_H

int image_pack_cmd(int argc, char **argv);
int image_tag_cmd(int argc, char **argv);
int image_history_cmd(int argc, char **argv);

#endif
