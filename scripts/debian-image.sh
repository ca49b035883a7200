#!/usr/bin/env bash
# A real distribution image for tests and benchmarks: Debian bookworm minbase with python3,
# made by debootstrap from this machine's configured mirror, as an OCI layout with one
# gzip layer (made by umoci, the reference tool). Cached: the second run costs nothing.
# usage: scripts/debian-image.sh   → prints the layout directory (image tag: python)
set -euo pipefail
cache=${WARD_TEST_CACHE:-/var/cache/ward-test}/debian-python
if [[ ! -f $cache/done ]]; then
  [[ $(id -u) -eq 0 ]] || { echo "debian-image.sh: needs root (debootstrap) the first time" >&2; exit 1; }
  mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
  [[ -n $mirror ]] || mirror=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  mirror=${mirror:-http://deb.debian.org/debian}
  rm -rf "$cache"
  mkdir -p "$cache"
  debootstrap --variant=minbase --include=python3 bookworm "$cache/rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { echo "debian-image.sh: debootstrap failed, see $cache/debootstrap.log" >&2; exit 1; }
  rm -rf "$cache/rootfs/var/cache/apt/archives/"*.deb "$cache/rootfs/dev/"*
  tar --numeric-owner --xattrs -C "$cache/rootfs" -cf "$cache/layer.tar" .
  umoci init --layout "$cache/layout"
  umoci new --image "$cache/layout:python"
  umoci raw add-layer --image "$cache/layout:python" "$cache/layer.tar"
  umoci config --image "$cache/layout:python" --config.cmd python3 \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env LANG=C.UTF-8 --architecture amd64 --os linux
  rm -f "$cache/layer.tar"
  chmod -R a+rX "$cache/layout"
  touch "$cache/done"
fi
echo "$cache/layout"
