#!/usr/bin/env bash
# The registry tests' big images, from the Debian+python3 layout of scripts/debian-image.sh:
#   LAYOUT:3.12  three layers: the base system, usr/lib/python3*, usr/share
#   LAYOUT:app   the same three and a small top layer (/app/hello.py), Cmd python3 /app/hello.py
# Cached under /var/cache/ward-test (keyed by this script, split-layer.py and the source
# image, so a change rebuilds); a caller that cannot write there builds in FALLBACK instead.
# usage: tests/registry/images.sh FALLBACK   → prints the layout directory
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fallback=${1:?usage: images.sh FALLBACK}
src=$("$here/../../scripts/debian-image.sh")
base=${WARD_TEST_CACHE:-/var/cache/ward-test}
key=$(cat "$0" "$here/split-layer.py" "$src/index.json" | sha256sum | cut -c1-16)
cache=$base/registry-python-$key
if [[ -f $cache/done ]]; then
  echo "$cache/layout"
  exit 0
fi
[[ -w $base ]] || cache=$fallback/registry-python-$key
if [[ ! -f $cache/done ]]; then
  tmp=$cache.tmp.$$
  rm -rf "$tmp" && mkdir -p "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  m=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "python") | .digest' "$src/index.json")
  layer=$(jq -r '.layers[0].digest' "$src/blobs/sha256/${m#sha256:}")
  /usr/bin/python3 "$here/split-layer.py" "$src/blobs/sha256/${layer#sha256:}" "$tmp"
  umoci init --layout "$tmp/layout"
  umoci new --image "$tmp/layout:3.12"
  for part in base python share; do
    umoci raw add-layer --image "$tmp/layout:3.12" "$tmp/$part.tar"
    rm -f "$tmp/$part.tar"
  done
  umoci config --image "$tmp/layout:3.12" --config.cmd python3 \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env LANG=C.UTF-8 --architecture amd64 --os linux
  mkdir -p "$tmp/app/app"
  echo 'print("hello from app")' >"$tmp/app/app/hello.py"
  tar --numeric-owner --owner=0 --group=0 --mtime=@1000000000 -C "$tmp/app" -cf "$tmp/app.tar" app
  umoci raw add-layer --image "$tmp/layout:3.12" --tag app "$tmp/app.tar"
  umoci config --image "$tmp/layout:app" --config.cmd python3 --config.cmd /app/hello.py
  rm -rf "$tmp/app" "$tmp/app.tar"
  chmod -R a+rX "$tmp"
  rm -rf "$cache" && mv "$tmp" "$cache"
  trap - EXIT
  touch "$cache/done"
fi
echo "$cache/layout"
