#!/usr/bin/env bats
# Hostile image layers: tar streams that try to write outside their tree (CVE classes named
# in each test). Each import fails naming the entry or keeps the entry inside the tree; the
# sentinel on the host is untouched and the host as before.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { build_image_fixtures; }

setup() {
  export WARD_STORE="$BATS_TEST_TMPDIR/store"
  export WARD_STATE_DIR="$BATS_TEST_TMPDIR/state"
  baseline
}

teardown() {
  empty_store
  settled
}

# Each hostile layer: the import fails naming the entry, or contains it; the sentinel on the
# host is untouched and nothing was written outside the store.
hostile() {
  local case=$1 expect=$2
  local before trees
  before=$(tree_digest "$SENTINEL")
  trees=$(ls "$WARD_STORE/trees" 2>/dev/null || true)
  run env WARD_IMAGE_MAX_BYTES=100000000 "$WARD" image import oci:"$FX/layout:evil-$case"
  echo "$case: $output"
  [ "$(tree_digest "$SENTINEL")" = "$before" ]
  [ -z "$(find "$BATS_FILE_TMPDIR" "$BATS_TEST_TMPDIR" -name pwned -not -path "$WARD_STORE/trees/*")" ]
  if [[ $expect == ok ]]; then
    [ "$status" -eq 0 ]
  else
    [ "$status" -eq 125 ]
    [[ $output == "ward: layer 2 (sha256:"*"): entry "*": $expect" ]]
    # A failed import leaves no tree and no half-made one.
    [ "$(ls "$WARD_STORE/trees")" = "$trees" ]
  fi
}

@test "hostile layers: path traversal and absolute paths (CVE-2014-6407, CVE-2014-9356)" {
  hostile traversal "path leaves the root (..)"
  hostile absolute ok
  [ -f "$(tree_of layout:evil-absolute)$SENTINEL/pwned" ]
}

@test "hostile layers: writes through symlinks stay in the tree (CVE-2021-29136)" {
  hostile symlink-write "its parent directory cannot be made: File exists"
  hostile symlink-up ok
  [ -f "$(tree_of layout:evil-symlink-up)$SENTINEL/pwned" ]
  hostile whiteout-via-symlink ok
  [ ! -e "$(tree_of layout:evil-whiteout-via-symlink)/etc/passwd" ]
  grep -q "^root:" /etc/passwd
  hostile root-symlink "refusing to replace the root directory"
}

@test "hostile layers: hardlinks out of the root, to symlinks, to directories (CVE-2016-5418)" {
  hostile hardlink-out "path leaves the root (..)"
  hostile hardlink-abs "hardlink target missing"
  hostile hardlink-symlink "hardlink to a symlink"
  hostile hardlink-dir "hardlink to a directory"
}

@test "hostile layers: device nodes are not created, set-id bits stay in the private tree" {
  hostile devices ok
  [[ $output == *"ward: note: 2 device nodes in the image not created (the sandbox's /dev is ward's)"* ]]
  local t
  t=$(tree_of layout:evil-devices)
  [ ! -e "$t/dev-mem" ]
  [ ! -e "$t/dev-sda" ]
  hostile setuid ok
  t=$(tree_of layout:evil-setuid)
  [ "$(stat -c %a "$t/bin/suid-copy")" = 4755 ]
  [ "$(stat -c %u "$t/bin/suid-copy")" = "$(base_id)" ]
  # Other host users cannot reach it.
  [ "$(stat -c %a "$WARD_STORE/trees")" = 700 ]
}

@test "hostile layers: trusted, selinux and overlay xattrs are dropped, user.* kept" {
  run env WARD_STORE="$WARD_STORE" "$WARD" image import oci:"$FX/layout:evil-xattrs"
  [ "$status" -eq 0 ]
  [[ $output == *"ward: note: 3 extended attributes dropped"* ]]
  run python3 -c 'import os,sys; print(sorted(os.listxattr(sys.argv[1])))' "$(tree_of layout:evil-xattrs)/xattr-file"
  [ "$output" = "['user.kept']" ]
}

@test "hostile layers: malformed whiteouts, duplicates, long paths, bombs, too many entries" {
  hostile whiteout-dotdot "malformed whiteout"
  hostile whiteout-empty "malformed whiteout"
  hostile whiteout-dots "malformed whiteout"
  hostile whiteout-as-dir "whiteout used as a directory"
  hostile duplicate "duplicate entry"
  hostile long-path "path too long"
  hostile bomb "file larger than the import size cap"
  local n
  n=$(tar -tzf "$FX/layout/blobs/sha256/$(jq -r '.layers[0].digest' <"$FX/layout/blobs/sha256/$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="base") | .digest' "$FX/layout/index.json" | cut -d: -f2)" | cut -d: -f2)" | wc -l)
  run env WARD_IMAGE_MAX_ENTRIES=$((n + 100)) "$WARD" image import -q oci:"$FX/layout:evil-many-entries"
  [[ $output == "ward: layer 2 (sha256:"*"): more than $((n + 100)) entries" ]]
}
