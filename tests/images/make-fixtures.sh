#!/usr/bin/env bash
# Test images, built offline with umoci and skopeo (the reference tools) from a busybox
# root filesystem holding the probe. Output in DIR:
#   layout/        OCI layout: base (config: entrypoint, env, user, workdir), multi (three
#                  layers: additions, a whiteout, an opaque directory), evil-* (hostile)
#   ref-multi/     `umoci raw unpack` of multi: the tree ward must reproduce
#   base-oci.tar, base-docker.tar, layout-zstd/   the same image through skopeo
# usage: tests/images/make-fixtures.sh DIR PROBE
set -euo pipefail
out=${1:?usage: make-fixtures.sh DIR PROBE}
probe=${2:?usage: make-fixtures.sh DIR PROBE}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cd "$out"
rm -rf layout rootfs bundle ref-multi extra opaque-new ./*.tar layout-zstd
"$here/../../scripts/mkrootfs.sh" rootfs "$probe" >/dev/null

umoci init --layout layout
umoci new --image layout:base
umoci unpack --rootless --image layout:base bundle >/dev/null
cp -a rootfs/. bundle/rootfs/
mkdir -p bundle/rootfs/opaque bundle/rootfs/work
echo lower-a >bundle/rootfs/opaque/a
echo lower-b >bundle/rootfs/opaque/b
echo gone >bundle/rootfs/etc/gone.txt
ln bundle/rootfs/etc/gone.txt bundle/rootfs/etc/hard.txt
umoci repack --image layout:base bundle >/dev/null
umoci config --image layout:base --config.entrypoint /bin/sh --config.cmd -c \
  --config.cmd 'echo "$GREETING from $(pwd) as $(id -u):$(id -g)"' \
  --config.env GREETING=hello --config.env PATH=/bin:/usr/bin \
  --config.workingdir /work --config.user user --architecture amd64 --os linux
rm -rf bundle

# multi = base + a layer adding files + a whiteout + an opaque directory.
mkdir -p extra/sub && echo added >extra/sub/file && ln -s ../etc/passwd extra/sub/link
python3 -c 'import os; os.setxattr("extra/sub/file", "user.note", b"kept")'
umoci insert --image layout:base --tag multi extra /extra
umoci insert --image layout:multi --whiteout /etc/gone.txt
mkdir -p opaque-new && echo upper-c >opaque-new/c
umoci insert --image layout:multi --opaque opaque-new /opaque
umoci raw unpack --rootless --image layout:multi ref-multi >/dev/null

skopeo copy -q oci:layout:base oci-archive:base-oci.tar:base
skopeo copy -q oci:layout:base docker-archive:base-docker.tar:test/base:latest
skopeo copy -q --dest-compress-format zstd oci:layout:base oci:layout-zstd:base
