#!/usr/bin/env bats
# Images of issue 18 through the library ($TEST_COMMIT, tests/unit/test_commit.c) and the
# ward binary: reproducible pack with its id, file capabilities kept from pack through import
# to run, tag, history, and commit's layer on a base. As root and rootless.

load helpers

setup_file() {
  build_rootfs
  # getcap and what it loads, to read a capability inside the sandbox.
  local lib
  cp /usr/sbin/getcap "$ROOTFS/bin/getcap"
  for lib in $(ldd /usr/sbin/getcap | grep -o '/[^ ]*'); do
    mkdir -p "$ROOTFS$(dirname "$lib")"
    cp -L "$lib" "$ROOTFS$lib"
  done
}

setup() {
  export WARD_STORE="$BATS_TEST_TMPDIR/store"
  TC=${TEST_COMMIT:?built as tests/test_commit}
}

teardown() { empty_store; }

@test "pack: the same directory twice gives the same id, a changed file another" {
  cp -a "$ROOTFS" "$BATS_TEST_TMPDIR/tree"
  run "$TC" pack "$BATS_TEST_TMPDIR/tree" one
  [ "$status" -eq 0 ]
  [[ $output == sha256:* ]]
  local first=$output
  run "$TC" pack "$BATS_TEST_TMPDIR/tree" two
  [ "$output" = "$first" ]
  [ "$(ward image ls --json | jq -r '.[] | select(.name == "two:latest") | .id')" = "$first" ]
  echo changed >"$BATS_TEST_TMPDIR/tree/etc/motd"
  run "$TC" pack "$BATS_TEST_TMPDIR/tree" three
  [ "$status" -eq 0 ]
  [ "$output" != "$first" ]
}

@test "pack: SOURCE_DATE_EPOCH clamps newer times and dates the config" {
  cp -a "$ROOTFS" "$BATS_TEST_TMPDIR/tree"
  export SOURCE_DATE_EPOCH=1000000000
  run "$TC" pack "$BATS_TEST_TMPDIR/tree" one
  local first=$output
  touch "$BATS_TEST_TMPDIR/tree/etc/passwd" "$BATS_TEST_TMPDIR/tree/bin"
  run "$TC" pack "$BATS_TEST_TMPDIR/tree" two
  [ "$output" = "$first" ]
  run "$TC" history one
  [ "$output" = "$("$TC" history two)" ]
  [[ $output == *" ward image pack||1000000000000" ]]
  # Without it the files' own newest time dates the config, not the clock.
  unset SOURCE_DATE_EPOCH
  touch -d @1200000000 "$BATS_TEST_TMPDIR/tree"
  find "$BATS_TEST_TMPDIR/tree" -mindepth 1 -exec touch -h -d @1100000000 {} +
  run "$TC" pack "$BATS_TEST_TMPDIR/tree" three
  run "$TC" history three
  [[ $output == *"|1100000000000" ]]
  run "$TC" pack "$BATS_TEST_TMPDIR/tree" four
  [ "$("$TC" pack "$BATS_TEST_TMPDIR/tree" four)" = "$output" ]
  run "$TC" pack "$BATS_TEST_TMPDIR/tree" -bad-
  [ "$status" -ne 0 ]
  SOURCE_DATE_EPOCH=soon run "$TC" pack "$BATS_TEST_TMPDIR/tree" five
  [ "$status" -ne 0 ]
  [[ $output == *"SOURCE_DATE_EPOCH soon: expected seconds since 1970"* ]]
}

@test "a file capability survives pack, import into another store and run" {
  cp -a "$ROOTFS" "$BATS_TEST_TMPDIR/tree"
  cp "$PROBE" "$BATS_TEST_TMPDIR/tree/bin/capped"
  if rootless; then
    # A v3 capability of the caller's own user namespace: pack writes it as container root's.
    unshare -Ur setcap cap_net_raw+ep "$BATS_TEST_TMPDIR/tree/bin/capped"
  else
    setcap cap_net_raw+ep "$BATS_TEST_TMPDIR/tree/bin/capped"
  fi
  ward image pack "$BATS_TEST_TMPDIR/tree" --name capped:1 >/dev/null
  run ward run capped:1 /bin/getcap /bin/capped
  [ "$status" -eq 0 ]
  [ "$output" = "/bin/capped cap_net_raw=ep" ]
  # The layer carries it as a pax xattr record; a fresh store imports it from the layout.
  grep -qa "SCHILY.xattr.security.capability=" "$WARD_STORE"/blobs/sha256/*
  export WARD_STORE="$BATS_TEST_TMPDIR/store2"
  ward image import --name again oci:"$BATS_TEST_TMPDIR/store:capped:1" >/dev/null
  run ward run again /bin/getcap /bin/capped
  [ "$status" -eq 0 ]
  [ "$output" = "/bin/capped cap_net_raw=ep" ]
  run ward run again /bin/getcap /bin/probe
  [ "$output" = "" ]
  empty_store
}

@test "tag: another name runs the image; a name taken moves" {
  "$TC" pack "$ROOTFS" base >/dev/null
  mkdir "$BATS_TEST_TMPDIR/other" && cp -a "$ROOTFS"/. "$BATS_TEST_TMPDIR/other"
  echo other >"$BATS_TEST_TMPDIR/other/which"
  other=$("$TC" pack "$BATS_TEST_TMPDIR/other" other)
  run "$TC" tag base extra/name:v1
  [ "$status" -eq 0 ]
  run ward run extra/name:v1 probe exit 3
  [ "$status" -eq 3 ]
  run "$TC" tag "${other#sha256:}" extra/name:v1
  [ "$status" -eq 0 ]
  run ward run extra/name:v1 cat /which
  [ "$output" = "other" ]
  [ "$(ward image ls --json | jq -r '.[].name' | sort | tr '\n' ' ')" = "base:latest extra/name:v1 other:latest " ]
}

@test "commit: the layer's file, deletion and opaque directory on a base; history newest first" {
  mkdir -p "$BATS_TEST_TMPDIR/tree/opq"
  cp -a "$ROOTFS"/. "$BATS_TEST_TMPDIR/tree"
  echo old >"$BATS_TEST_TMPDIR/tree/opq/old"
  base=$("$TC" pack "$BATS_TEST_TMPDIR/tree" base)
  run "$TC" commit base saved:1
  [ "$status" -eq 0 ]
  [[ $output == sha256:* ]]
  run ward run saved:1 sh -c 'pwd; echo $COMMITTED; cat /added.txt; ls /opq; ls /etc; stat -c "%u %a" /added.txt'
  [ "$status" -eq 0 ]
  [ "$output" = $'/opq\nyes\nadded by commit\nnew\npasswd\n1000 640' ]
  run "$TC" history saved:1
  [ "${#lines[@]}" -eq 2 ]
  [[ ${lines[0]} == sha256:*" ward commit|set up by a test|"* ]]
  [[ ${lines[1]} == sha256:*" ward image pack||"* ]]
  # The base image itself is untouched.
  run ward run base cat /etc/group
  [ "$status" -eq 0 ]
  # A commit over a commit: three layers.
  "$TC" commit saved:1 saved:2 >/dev/null
  run "$TC" history saved:2
  [ "${#lines[@]}" -eq 3 ]
}

@test "commit over a root directory (no base image) packs it first" {
  run "$TC" commit --rootfs="$ROOTFS" fromdir
  [ "$status" -eq 0 ]
  run ward run fromdir sh -c 'cat /added.txt; test -e /etc/group || echo gone'
  [ "$output" = $'added by commit\ngone' ]
  run "$TC" history fromdir
  [ "${#lines[@]}" -eq 2 ]
}

@test "bad input: one line naming the culprit, nothing made" {
  run "$TC" bad
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "-1 image no-such-image: not in the store $WARD_STORE (see ward image ls)" ]
  [ "${lines[1]}" = "-1 commit x:latest: no base image and no root directory" ]
  [ "${lines[2]}" = "-1 commit Bad Name: expected NAME[:TAG] (NAME of a-z 0-9 . _ - /)" ]
  [ "${lines[3]}" = "-1 image no-such-image: not in the store $WARD_STORE (see ward image ls)" ]
  [ "${lines[4]}" = "-1 image tag UPPER: expected NAME[:TAG] (NAME of a-z 0-9 . _ - /)" ]
  [ "${lines[5]}" = "-1 image no-such-image: not in the store $WARD_STORE (see ward image ls)" ]
  [ "$(ward image ls --json)" = "[]" ]
}
