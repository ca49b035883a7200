#!/usr/bin/env bats
# ward pull against a real registry (Debian's docker-registry on 127.0.0.1): pull and run,
# a second pull fetches nothing, a pull killed mid-layer resumes, two pulls at once, push of
# a committed image and pull back. (Faults, TLS and auth: registry_pull.bats.)

load helpers
# run/create pull what they miss, from the registry these tests start on loopback
export WARD_PULL=missing

setup_file() {
  command -v docker-registry >/dev/null || skip "docker-registry is not installed"
  export LAYOUT=${WARD_TEST_CACHE:-/var/cache/ward-test}/debian-python/layout
  [[ -r $LAYOUT/index.json ]] || skip "no $LAYOUT (scripts/debian-image.sh, as root)"
  build_rootfs
  export REG=$BATS_FILE_TMPDIR/registry
  mkdir -p "$REG"
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export PORT R=127.0.0.1:$PORT
  cat >"$REG/config.yml" <<YML
version: 0.1
log: {level: info, accesslog: {disabled: false}}
storage:
  filesystem: {rootdirectory: $REG/data}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$PORT
YML
  docker-registry serve "$REG/config.yml" >"$REG/log" 2>&1 &
  echo $! >"$REG/pid"
  eventually curl -sf "http://$R/v2/"
  skopeo copy -q --dest-tls-verify=false "oci:$LAYOUT:python" "docker://$R/python:3.12"
}

teardown_file() {
  [[ -f ${REG:-}/pid ]] && kill "$(cat "$REG/pid")" 2>/dev/null || true
}

setup() {
  export WARD_STORE="$BATS_TEST_TMPDIR/store"
}

teardown() { empty_store; }

blob_gets() { grep -c 'GET /v2/[^ ]*/blobs/sha256' "$REG/log" || true; }

@test "pull, then run; a second pull fetches no blob; the name is the familiar one" {
  run ward pull "$R/python:3.12"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "$R/python:3.12" ]
  run ward run "$R/python:3.12" -- python3 -c 'print(1)'
  [ "$status" -eq 0 ]
  [ "$output" = 1 ]
  before=$(blob_gets)
  run ward pull "$R/python:3.12"
  [ "$status" -eq 0 ]
  [[ $output == *"already in the store"* ]]
  [ "$(blob_gets)" = "$before" ]
  [ -z "$(ls "$WARD_STORE/tmp")" ]
  # -q: only the name.
  out=$(ward pull -q "$R/python:3.12" 2>&1)
  [ "$out" = "$R/python:3.12" ]
}

@test "ward run pulls a missing image (--pull missing), --pull never does not" {
  run ward run --pull never "$R/python:3.12" -- true
  [ "$status" -eq 125 ]
  [[ $output == *"not in the store"* ]]
  run ward run "$R/python:3.12" -- python3 -c 'print(2)'
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = 2 ]
  run ward run --pull always "$R/python:3.12" -- true
  [ "$status" -eq 0 ]
  run ward run --pull sometimes "$R/python:3.12" -- true
  [ "$status" -eq 125 ]
  [ "$output" = "ward: --pull sometimes: expected missing, always or never" ]
  run ward run --pull missing "$R/nosuch:1" -- true
  [ "$status" -eq 125 ]
  [[ $output == *"not found"* ]]
  run ward image import "docker://$R/python:3.12"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "$R/python:3.12" ]
}

@test "a pull killed mid-layer leaves a partial file; the next pull resumes and finishes" {
  ward pull -q "$R/python:3.12" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 200); do
    compgen -G "$WARD_STORE/tmp/partial-*" >/dev/null && break
    sleep 0.01
  done
  kill -9 $pid 2>/dev/null || true
  wait $pid || true
  run ward image ls -q
  [ -z "$output" ]
  run ward pull "$R/python:3.12"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "$R/python:3.12" ]
  [ -z "$(ls "$WARD_STORE/tmp")" ]
  run ward run "$R/python:3.12" -- python3 -c 'print(3)'
  [ "$output" = 3 ]
}

@test "two pulls of the same image at once: both succeed, each blob fetched once" {
  before=$(blob_gets)
  ward pull -q "$R/python:3.12" >"$BATS_TEST_TMPDIR/a" 2>&1 &
  a=$!
  ward pull -q "$R/python:3.12" >"$BATS_TEST_TMPDIR/b" 2>&1 &
  b=$!
  wait $a
  wait $b
  [ "$(cat "$BATS_TEST_TMPDIR/a")" = "$R/python:3.12" ]
  [ "$(cat "$BATS_TEST_TMPDIR/b")" = "$R/python:3.12" ]
  # The manifest's config and one layer: two blobs, once each.
  [ "$(($(blob_gets) - before))" -eq 2 ]
}

@test "push a committed image, pull it back into another store, run it" {
  ward pull -q "$R/python:3.12" >/dev/null
  id=$(ward create "$R/python:3.12" -- sh -c 'echo pushed >/hello')
  ward start "$id" >/dev/null
  ward wait "$id" >/dev/null
  ward commit "$id" committed:1 >/dev/null
  ward rm -f "$id" >/dev/null
  run ward push -q committed:1 "$R/team/committed:1"
  [ "$status" -eq 0 ]
  store=$WARD_STORE
  export WARD_STORE="$BATS_TEST_TMPDIR/store2"
  run ward pull "$R/team/committed:1"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "$R/team/committed:1" ]
  run ward run "$R/team/committed:1" -- cat /hello
  [ "$output" = pushed ]
  empty_store
  export WARD_STORE=$store
}

@test "bad references and platforms: one line naming the culprit" {
  run ward pull --platform nonsense "$R/python:3.12"
  [ "$status" -eq 125 ]
  [ "$output" = "ward: --platform nonsense: expected OS/ARCH[/VARIANT] (linux/arm64/v8)" ]
  run ward pull "$R/nosuch:1"
  [ "$status" -eq 125 ]
  [[ $output == *"not found"* ]]
}
