#!/usr/bin/env bats
# Images built on the same base share it in the store: each prefix of an image's layers has
# its tree, made from the tree below it by hard links, so the base is unpacked once and its
# files are the same inodes in every tree. Since files are shared, no layer above may change
# one in place. As root and rootless.

load helpers

setup_file() {
  build_image_fixtures
  # mod = base + a layer that rewrites (its passwd no longer knows "user": run it with -u 0)
  # mod = base + a layer that rewrites, re-modes (same content), hard-links to and whites
  # out base files, and re-modes a base directory (its passwd forgets "user": runs use -u 0).
  python3 - "$FX/rootfs" "$FX/mod.tar" <<'PY'
import io, sys, tarfile
root, out = sys.argv[1], sys.argv[2]
def add(t, name, kind=tarfile.REGTYPE, data=b"", **kw):
    i = tarfile.TarInfo(name)
    i.type = kind
    i.size = len(data) if kind == tarfile.REGTYPE else 0
    i.mtime = 1000000000
    for k, v in kw.items():
        setattr(i, k, v)
    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    add(t, "etc", tarfile.DIRTYPE, mode=0o700)
    add(t, "etc/passwd", data=b"root:x:0:0:rewritten:/root:/bin/sh\n", mode=0o644)
    add(t, "etc/group", data=open(root + "/etc/group", "rb").read(), mode=0o600)
    add(t, "etc/.wh.gone.txt")
    add(t, "hl", tarfile.LNKTYPE, linkname="etc/hard.txt")
    add(t, "bin/sh", data=b"#!/bin/false\n", mode=0o755)
PY
  umoci raw add-layer --image "$FX/layout:base" --tag mod "$FX/mod.tar" >/dev/null
}

setup() { export WARD_STORE="$BATS_TEST_TMPDIR/store"; }

teardown() { empty_store; }

trees() { find "$WARD_STORE/trees" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort; }

# Everything about a tree a sandbox could see (content, modes, owners, times, xattrs, link
# targets) plus the inode of each entry; not link counts and ctimes, which links change.
snapshot() {
  "$BATS_TEST_DIRNAME/../images/tree-listing.py" "$1" "$(base_id)"
  (cd "$1" && find . -printf '%p %i %m %U %G %T@\n' | sort)
}

@test "a second image on the same base links the base's files and unpacks only its own layers" {
  ward image import -q oci:"$FX/layout:base" >/dev/null
  [ "$(trees | wc -l)" -eq 1 ]
  local before after base multi
  before=$(du -sk "$WARD_STORE" | cut -f1)
  # The base layer's blob is broken in this copy: the import must not need it (the store
  # has it, and its tree).
  cp -a "$FX/layout" "$BATS_TEST_TMPDIR/copy"
  local m layer
  m=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="multi") | .digest' "$FX/layout/index.json" | cut -d: -f2)
  layer=$(jq -r '.layers[0].digest' <"$FX/layout/blobs/sha256/$m" | cut -d: -f2)
  chmod u+w "$BATS_TEST_TMPDIR/copy/blobs/sha256/$layer"
  truncate -s 10 "$BATS_TEST_TMPDIR/copy/blobs/sha256/$layer"
  run ward image import -q --name multi oci:"$BATS_TEST_TMPDIR/copy:multi"
  [ "$status" -eq 0 ]
  after=$(du -sk "$WARD_STORE" | cut -f1)
  # multi's four layers: its tree and the prefixes below it, the first being base's.
  [ "$(trees | wc -l)" -eq 4 ]
  base=$(tree_of layout:base)
  multi=$(tree_of multi)
  [ "$base" != "$multi" ]
  [ "$(stat -c %i "$base/bin/busybox")" = "$(stat -c %i "$multi/bin/busybox")" ]
  [ "$(stat -c %i "$base/bin/ls")" = "$(stat -c %i "$multi/bin/ls")" ]
  [ "$(stat -c %i "$base/etc/hard.txt")" = "$(stat -c %i "$multi/etc/hard.txt")" ]
  [ -L "$multi/bin/ls" ]
  [ "$(readlink "$multi/bin/ls")" = busybox ]
  # The store grew by the top layers, their directories and links: far less than the base.
  local basesize
  basesize=$(du -sk "$base" | cut -f1)
  echo "store $before -> $after KiB, base tree $basesize KiB"
  [ $((after - before)) -lt $((basesize / 4)) ]
  # The tree is still what umoci makes of the image.
  local owners=yes
  rootless && owners=no
  diff <("$BATS_TEST_DIRNAME/../images/tree-listing.py" "$FX/ref-multi" "$(id -u)" $owners) \
    <("$BATS_TEST_DIRNAME/../images/tree-listing.py" "$multi" "$(base_id)" $owners)
  run ward run --entrypoint '' multi sh -c 'cat /extra/sub/file; ls /opaque'
  [ "$output" = $'added\nc' ]
}

@test "an upper layer rewriting, re-moding, hard-linking to and whiting out base files leaves the base's trees as they were" {
  ward image import -q oci:"$FX/layout:base" >/dev/null
  ward image import -q oci:"$FX/layout:multi" >/dev/null
  local base multi s1 s2
  base=$(tree_of layout:base)
  multi=$(tree_of layout:multi)
  s1=$(snapshot "$base")
  s2=$(snapshot "$multi")
  run ward image import oci:"$FX/layout:mod"
  [ "$status" -eq 0 ]
  [ "$(snapshot "$base")" = "$s1" ]
  [ "$(snapshot "$multi")" = "$s2" ]
  # ...while mod's tree has every change, in files of its own.
  local mod
  mod=$(tree_of layout:mod)
  [ "$(cat "$mod/etc/passwd")" = "root:x:0:0:rewritten:/root:/bin/sh" ]
  [ "$(stat -c %i "$mod/etc/passwd")" != "$(stat -c %i "$base/etc/passwd")" ]
  [ "$(stat -c %a "$mod/etc/group")" = 600 ]
  [ "$(stat -c %a "$base/etc/group")" = 644 ]
  [ "$(stat -c %i "$mod/etc/group")" != "$(stat -c %i "$base/etc/group")" ]
  [ "$(stat -c %a "$mod/etc")" = 700 ]
  [ "$(stat -c %a "$base/etc")" = 755 ]
  [ ! -e "$mod/etc/gone.txt" ]
  [ -e "$base/etc/gone.txt" ]
  [ "$(stat -c %i "$mod/hl")" = "$(stat -c %i "$base/etc/hard.txt")" ]
  [ ! -L "$mod/bin/sh" ]
  [ -L "$base/bin/sh" ]
  [ -L "$multi/bin/sh" ]
  # The sandboxes see the same: base's files as they were, mod's as its layer says.
  run ward run --entrypoint '' layout:base sh -c 'cat /etc/passwd | head -1; cat /etc/gone.txt'
  [ "$output" = $'root:x:0:0:root:/root:/bin/sh\ngone' ]
  run ward run -u 0 --entrypoint /bin/cat layout:mod /etc/passwd
  [ "$output" = "root:x:0:0:rewritten:/root:/bin/sh" ]
  # A sandbox writing to a shared file changes its own copy only.
  run ward run -u 0 --entrypoint '' layout:multi sh -c 'echo x >>/etc/hard.txt; chmod 600 /bin/busybox'
  [ "$status" -eq 0 ]
  [ "$(snapshot "$base")" = "$s1" ]
}

@test "prune keeps every prefix tree a named image needs and removes the rest" {
  ward image import -q oci:"$FX/layout:base" >/dev/null
  ward image import -q oci:"$FX/layout:multi" >/dev/null
  ward image import -q oci:"$FX/layout:mod" >/dev/null
  local base mod multi
  base=$(basename "$(tree_of layout:base)")
  mod=$(basename "$(tree_of layout:mod)")
  multi=$(basename "$(tree_of layout:multi)")
  [ "$(trees | wc -l)" -eq 5 ]
  # base's name goes; its tree is the first prefix of both others and stays.
  ward image rm layout:base
  [ "$(trees | wc -l)" -eq 5 ]
  ward image rm layout:multi
  [ "$(trees | tr '\n' ' ')" = "$(printf '%s\n' "$base" "$mod" | sort | tr '\n' ' ')" ]
  run ward image ls --json
  [ "$(jq -r '.[] | "\(.name) \(.unpacked)"' <<<"$output")" = "layout:mod true" ]
  run ward run -u 0 --entrypoint /bin/cat layout:mod /hl
  [ "$output" = gone ]
  # multi comes back from the store's prefix: only its own layers are unpacked.
  ward image import -q oci:"$FX/layout:multi" >/dev/null
  [ "$(basename "$(tree_of layout:multi)")" = "$multi" ]
  ward image rm layout:mod layout:multi
  [ -z "$(trees)" ]
}

@test "an import killed in its top layer keeps the finished base tree and redoes the rest" {
  WARD_IMAGE_MAX_BYTES=1000000000 "$WARD" image import -q oci:"$FX/layout:evil-bomb" &
  local pid=$! status=0
  # Killed once the base's tree is done and the bomb's is being written.
  for _ in $(seq 500); do
    [ "$(trees | grep -vc '\.tmp$')" -eq 1 ] && [ "$(trees | grep -c '\.tmp$')" -eq 1 ] && break
    sleep 0.02
  done
  kill -9 "$pid"
  wait "$pid" || status=$?
  [ "$status" -eq 137 ]
  # The base's tree is finished and kept; the bomb's is a .tmp nothing trusts.
  [ "$(trees | grep -vc '\.tmp$')" -eq 1 ]
  [ "$(trees | grep -c '\.tmp$')" -eq 1 ]
  local first ino
  first=$(trees | grep -v '\.tmp$')
  ino=$(stat -c %i "$WARD_STORE/trees/$first/bin/busybox")
  run env WARD_IMAGE_MAX_BYTES=1000000000 "$WARD" image import -q oci:"$FX/layout:evil-bomb"
  [ "$status" -eq 0 ]
  [ "$(stat -c %s "$(tree_of layout:evil-bomb)/bomb")" -eq $((256 << 20)) ]
  [ "$(stat -c %i "$(tree_of layout:evil-bomb)/bin/busybox")" = "$ino" ]
  [ -z "$(trees | grep tmp)" ]
  # A refused top layer leaves no tree behind, not even the base's it made.
  ward image rm layout:evil-bomb
  [ -z "$(trees)" ]
  run env WARD_IMAGE_MAX_BYTES=100000000 "$WARD" image import oci:"$FX/layout:evil-bomb"
  [ "$status" -eq 125 ]
  [ -z "$(trees)" ]
}
