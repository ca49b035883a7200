#!/usr/bin/env bats
# Images: import from every transport, defaults from the config, trees identical to umoci's,
# tampered blobs, concurrency, the store's life cycle. As root and rootless. (Hostile layers:
# tests/adversarial/layers.bats.)

load helpers

setup_file() { build_image_fixtures; }

setup() {
  export WARD_STORE="$BATS_TEST_TMPDIR/store"
}

teardown() { empty_store; }

@test "an imported image runs with its Entrypoint, Cmd, Env, User and WorkingDir" {
  run ward image import oci:"$FX/layout:base"
  [ "$status" -eq 0 ]
  [ "$output" = "layout:base" ]
  run ward run layout:base
  [ "$status" -eq 0 ]
  [ "$output" = "hello from /work as 1000:1000" ]
}

@test "the command line overrides the image: CMD, -e, -u by name, -w, --entrypoint" {
  ward image import -q oci:"$FX/layout:base" >/dev/null
  run ward run -e GREETING=hi -w /tmp layout:base
  [ "$output" = "hi from /tmp as 1000:1000" ]
  run ward run -u root layout:base -- -c 'id -u; id -g'
  [ "$output" = $'0\n0' ]
  run ward run --entrypoint /bin/id -u user:root layout:base
  [ "$output" = "uid=1000(user) gid=0(root) groups=0(root)" ] || [ "$output" = "uid=1000(user) gid=0(root)" ]
  run ward run -u nosuchuser layout:base
  [ "$status" -eq 125 ]
  [ "$output" = "ward: user nosuchuser: not in the root's /etc/passwd" ]
}

@test "oci-archive, docker-archive and zstd layers import and run; first use imports" {
  for ref in oci-archive:"$FX/base-oci.tar:base" docker-archive:"$FX/base-docker.tar" \
    docker-archive:"$FX/base-docker.tar:test/base:latest" oci:"$FX/layout-zstd:base"; do
    run ward run --entrypoint '' "$ref" probe exit 7
    [ "$status" -eq 7 ] || { echo "$ref: $output"; false; }
  done
  run ward image ls --json
  [ "$(jq -r '.[].name' <<<"$output" | sort | tr '\n' ' ')" = "base-oci:base layout-zstd:base test/base:latest " ]
}

@test "a multi-layer image with whiteouts and an opaque directory matches umoci raw unpack" {
  ward image import -q oci:"$FX/layout:multi" >/dev/null
  # Rootless, umoci gives every file to the caller; ward keeps the image's owners.
  local owners=yes
  rootless && owners=no
  diff <("$BATS_TEST_DIRNAME/../images/tree-listing.py" "$FX/ref-multi" "$(id -u)" $owners) \
    <("$BATS_TEST_DIRNAME/../images/tree-listing.py" "$(tree_of layout:multi)" "$(base_id)" $owners)
  run ward run --entrypoint '' layout:multi sh -c 'ls /opaque; cat /etc/gone.txt; cat /etc/hard.txt'
  [ "${lines[0]}" = "c" ]
  [ "${lines[1]}" = "cat: can't open '/etc/gone.txt': No such file or directory" ]
  [ "${lines[2]}" = "gone" ]
}

@test "the store is an OCI layout that skopeo and umoci read" {
  ward image import -q oci:"$FX/layout:multi" >/dev/null
  run skopeo inspect --raw oci:"$WARD_STORE:layout:multi"
  [ "$status" -eq 0 ]
  [ "$(jq -r .layers[2].mediaType <<<"$output")" = "application/vnd.oci.image.layer.v1.tar+gzip" ]
  run umoci ls --layout "$WARD_STORE"
  [ "$output" = "layout:multi" ]
  [ "$(stat -c %a "$WARD_STORE/trees")" = 700 ]
}

@test "ls, inspect, rm and prune keep the store consistent" {
  ward image import -q oci:"$FX/layout:base" >/dev/null
  ward image import -q --name other:v1 oci:"$FX/layout:multi" >/dev/null
  run ward image inspect other:v1 --json
  [ "$(jq -r .user <<<"$output")" = user ]
  [ "$(jq -r '.cmd[1]' <<<"$output")" = 'echo "$GREETING from $(pwd) as $(id -u):$(id -g)"' ]
  # multi's tree and the trees of its prefixes (the first is base's: shared_base.bats)
  [ "$(ls "$WARD_STORE/trees" | wc -l)" -eq 4 ]
  ward image rm other:v1
  [ "$(ls "$WARD_STORE/trees" | wc -l)" -eq 1 ]
  run ward image inspect other:v1
  [ "$status" -eq 125 ]
  # Only the base layer and its documents remain.
  [ "$(ls "$WARD_STORE/blobs/sha256" | wc -l)" -eq 3 ]
  ward image rm layout:base
  run ward image prune
  [ "$output" = "removed 0 trees and 0 blobs" ]
  [ -z "$(find "$WARD_STORE/trees" "$WARD_STORE/blobs/sha256" "$WARD_STORE/tmp" -mindepth 1)" ]
}

@test "bad references and names get one line naming the culprit" {
  run ward run nosuch:tag -- true
  [ "$status" -eq 125 ]
  [[ $output == "ward: image nosuch:tag: not in the store "* ]]
  run ward image import oci:"$BATS_TEST_TMPDIR/missing"
  [ "$output" = "ward: oci:$BATS_TEST_TMPDIR/missing: not an OCI image layout (no index.json): No such file or directory" ]
  run ward image import oci:"$FX/layout:nosuchtag"
  [ "$output" = "ward: no image tagged 'nosuchtag' for linux/amd64" ]
  run ward image import oci:"$FX/layout"
  [[ $output == "ward: the layout holds "*" images; name one with :TAG" ]]
  run ward image import --name 'Bad Name' oci:"$FX/layout:base"
  [ "$output" = "ward: --name Bad Name: expected NAME[:TAG] (NAME of a-z 0-9 . _ - /)" ]
  run ward run --rootfs / --entrypoint x -- true
  [ "$output" = "ward: --entrypoint needs an image, not --rootfs" ]
}

# A writable copy of the layout; LAYER names its base layer blob.
tampered_layout() {
  local dir=$BATS_TEST_TMPDIR/tampered
  cp -a "$FX/layout" "$dir"
  local m
  m=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="base") | .digest' "$dir/index.json" | cut -d: -f2)
  LAYER=$(jq -r '.layers[0].digest' <"$dir/blobs/sha256/$m" | cut -d: -f2)
  chmod u+w "$dir/blobs/sha256/$LAYER"
}

@test "hostile blobs: truncated, trailing bytes, recompressed, bad digest grammar" {
  tampered_layout
  truncate -s -100 "$BATS_TEST_TMPDIR/tampered/blobs/sha256/$LAYER"
  run ward image import oci:"$BATS_TEST_TMPDIR/tampered:base"
  [[ $output == "ward: layer 1: blob sha256:$LAYER in oci:$BATS_TEST_TMPDIR/tampered: missing or not "*" bytes" ]]
  rm -rf "$BATS_TEST_TMPDIR/tampered" "$WARD_STORE"
  tampered_layout
  echo x >>"$BATS_TEST_TMPDIR/tampered/blobs/sha256/$LAYER"
  run ward image import oci:"$BATS_TEST_TMPDIR/tampered:base"
  [[ $output == "ward: layer 1: blob sha256:$LAYER in oci:$BATS_TEST_TMPDIR/tampered: missing or not "*" bytes" ]]
  rm -rf "$BATS_TEST_TMPDIR/tampered" "$WARD_STORE"
  tampered_layout
  # Recompressed: the same content (so the DiffID holds), other bytes; the manifest is
  # rewritten to the new size but keeps the old digest, which only the hash can refute.
  local dir=$BATS_TEST_TMPDIR/tampered f size m new
  f=$dir/blobs/sha256/$LAYER
  gzip -dc "$f" | gzip -1 >"$f.new" && mv "$f.new" "$f"
  size=$(stat -c %s "$f")
  m=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="base") | .digest' "$dir/index.json" | cut -d: -f2)
  jq -c ".layers[0].size = $size" "$dir/blobs/sha256/$m" >"$dir/manifest.new"
  new=$(sha256sum "$dir/manifest.new" | cut -c1-64)
  mv "$dir/manifest.new" "$dir/blobs/sha256/$new"
  jq -c "(.manifests[] | select(.digest == \"sha256:$m\")) |= (.digest = \"sha256:$new\" | .size = $(stat -c %s "$dir/blobs/sha256/$new"))" \
    "$dir/index.json" >"$dir/index.new" && mv "$dir/index.new" "$dir/index.json"
  run ward image import oci:"$dir:base"
  [[ $output == "ward: layer 1: blob sha256:$LAYER: content hashes to sha256:"* ]]
  rm -rf "$BATS_TEST_TMPDIR/tampered" "$WARD_STORE"
  tampered_layout
  sed -i 's/"digest":"sha256:[0-9a-f]*"/"digest":"sha256:..\/..\/..\/x"/' "$BATS_TEST_TMPDIR/tampered/index.json"
  run ward image import oci:"$BATS_TEST_TMPDIR/tampered:base"
  [[ $output == "ward: index entry: digest 'sha256:../../../x' is not sha256:<64 hex digits>" ]]
  [ -z "$(find "$WARD_STORE/blobs/sha256" "$WARD_STORE/trees" -mindepth 1)" ]
}

@test "two imports of one image at once both succeed and share one tree" {
  ward image import -q oci:"$FX/layout:multi" >"$BATS_TEST_TMPDIR/a" &
  ward image import -q oci:"$FX/layout:multi" >"$BATS_TEST_TMPDIR/b" &
  wait %1 && wait %2
  [ "$(cat "$BATS_TEST_TMPDIR/a")" = layout:multi ]
  [ "$(cat "$BATS_TEST_TMPDIR/b")" = layout:multi ]
  # One tree for each of multi's four prefixes, none twice.
  [ "$(ls "$WARD_STORE/trees" | wc -l)" -eq 4 ]
}

@test "an import killed halfway leaves nothing a later import trusts" {
  # The bomb layer takes a while to write; kill the import during it.
  WARD_IMAGE_MAX_BYTES=1000000000 "$WARD" image import -q oci:"$FX/layout:evil-bomb" &
  local pid=$! status=0
  for _ in $(seq 200); do
    compgen -G "$WARD_STORE/trees/*.tmp" >/dev/null && break
    sleep 0.02
  done
  compgen -G "$WARD_STORE/trees/*.tmp" >/dev/null
  kill -9 "$pid"
  wait "$pid" || status=$?
  # It died of the kill, mid-unpack: a half-made tree and not the image's (the base's
  # tree below it may be finished: a prefix, kept).
  [ "$status" -eq 137 ]
  [ "$(find "$WARD_STORE/trees" -mindepth 1 -maxdepth 1 -not -name '*.tmp' | wc -l)" -le 1 ]
  run env WARD_IMAGE_MAX_BYTES=1000000000 "$WARD" image import -q oci:"$FX/layout:evil-bomb"
  [ "$status" -eq 0 ]
  [ "$(stat -c %s "$(tree_of layout:evil-bomb)/bomb")" -eq $((256 << 20)) ]
  [ -z "$(ls "$WARD_STORE/trees" | grep tmp)" ]
  ward image prune >/dev/null
  [ -z "$(ls "$WARD_STORE/tmp")" ]
}

@test "ward image pack makes a runnable one-layer image from a directory" {
  build_rootfs
  run ward image pack "$ROOTFS" --name packed:1 --entrypoint probe --cmd exit --cmd 9 --env A=b -q
  [ "$status" -eq 0 ]
  run ward run packed:1
  [ "$status" -eq 9 ]
  run ward run packed:1 -- status
  [ "$status" -eq 0 ]
  run skopeo inspect oci:"$WARD_STORE:packed:1"
  [ "$status" -eq 0 ]
}

@test "an image WorkingDir under /proc is refused (CVE-2024-21626)" {
  cp -a "$FX/layout" "$BATS_TEST_TMPDIR/wd"
  umoci config --image "$BATS_TEST_TMPDIR/wd:base" --tag procwd --config.workingdir /proc/self/fd/7
  run ward run oci:"$BATS_TEST_TMPDIR/wd:procwd"
  [ "$status" -eq 125 ]
  [ "$output" = "ward: --workdir /proc/self/fd/7: must not be under /proc or contain .." ]
}

@test "a real distribution image (Debian bookworm + python3, debootstrapped) runs python3" {
  local layout
  layout=$("$BATS_TEST_DIRNAME/../../scripts/debian-image.sh")
  run ward run oci:"$layout:python" -- python3 -c 'import json, sys; print(json.dumps({"major": sys.version_info[0]}))'
  [ "$status" -eq 0 ]
  [ "$output" = '{"major": 3}' ]
  run ward run -u nobody layout:python -- sh -c 'id -un; cd && pwd; echo x > /tmp/f && cat /tmp/f'
  [ "$output" = $'nobody\n/\nx' ] || [ "$output" = $'nobody\n/nonexistent\nx' ]
}
