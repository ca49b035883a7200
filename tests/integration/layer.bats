#!/usr/bin/env bats
# The saved writable layer (layer_export, and its restore before the overlay is mounted)
# through the launcher's pieces: tests/unit/test_layer.c, as root and rootless.

load helpers

setup_file() { build_rootfs; }

@test "a writable layer saved as a tar and restored: files, links, owners, deletions, opaque directories, --disk" {
  before=$(host_state)
  run "${LAYER_TEST:-$_ward_build/tests/test_layer}" "$ROOTFS" "$BATS_TEST_TMPDIR"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = ok ]
  host_back "$before"
}
