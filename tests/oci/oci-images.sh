#!/usr/bin/env bash
# The engine tests' images, built offline (umoci, skopeo) from busybox-static as
# tests/images/make-fixtures.sh builds its own: DIR/bb.tar (NAME_BB: root, cwd /) and
# DIR/user.tar (NAME_USER: user "user" = 1000:1000, cwd /work), both oci-archives whose
# reference is the full name (ctr images import and podman load keep it), IMG_VAR=from-image.
# Works as root and as an unprivileged user (umoci --rootless maps the builder to 0).
# usage: tests/oci/oci-images.sh DIR NAME_BB NAME_USER
set -euo pipefail
out=${1:?usage: oci-images.sh DIR NAME_BB NAME_USER}
bb=${2:?usage: oci-images.sh DIR NAME_BB NAME_USER}
user=${3:?usage: oci-images.sh DIR NAME_BB NAME_USER}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cd "$out"
rm -rf layout rootfs bundle ./*.tar
"$here/../../scripts/mkrootfs.sh" rootfs >/dev/null
mkdir -p rootfs/work
chmod 1777 rootfs/work

umoci init --layout layout
umoci new --image layout:bb
umoci unpack --rootless --image layout:bb bundle >/dev/null
cp -a rootfs/. bundle/rootfs/
umoci repack --image layout:bb bundle >/dev/null
umoci config --image layout:bb --config.cmd /bin/sh --config.env IMG_VAR=from-image \
  --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin --config.workingdir / \
  --architecture amd64 --os linux
umoci config --image layout:bb --tag user --config.user user --config.workingdir /work
rm -rf bundle rootfs
skopeo copy -q oci:layout:bb "oci-archive:bb.tar:$bb"
skopeo copy -q oci:layout:user "oci-archive:user.tar:$user"
rm -rf layout
