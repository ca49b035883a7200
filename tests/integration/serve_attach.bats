#!/usr/bin/env bats
# ward serve's main-process endpoints: POST /containers/{id}/attach (multiplexed frames, a
# TTY's raw stream with input, attached before the start as docker run does) and /resize,
# with a test client (tests/helpers/docker_attach.py) on a private socket.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { build_rootfs; }

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  SOCK=$BATS_TEST_TMPDIR/d.sock
  "$(dirname "$WARD")/ward-serve" --socket "$SOCK" 2>"$BATS_TEST_TMPDIR/serve.err" &
  SERVE=$!
  eventually test -S "$SOCK"
}

teardown() {
  kill "$SERVE" 2>/dev/null || true
  wait "$SERVE" 2>/dev/null || true
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

client() { python3 "$BATS_TEST_DIRNAME/../helpers/docker_attach.py" "$SOCK" "$@"; }
api() { curl -s --unix-socket "$SOCK" -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' "$@"; }

@test "attach before start: stdout and stderr as Docker's frames, from the first line" {
  id=$(ward create --no-start --rootfs "$ROOTFS" sh -c 'echo first; echo second >&2; echo third')
  client "$id" 'stream=1&stdout=1&stderr=1' >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
  pid=$!
  sleep 0.5
  ward start "$id"
  wait "$pid"
  grep -qx 'status: 101' "$BATS_TEST_TMPDIR/err"
  grep -qx 'type: application/vnd.docker.multiplexed-stream' "$BATS_TEST_TMPDIR/err"
  # each stream in order (the two streams' relative order is not kept, as with Docker)
  [ "$(grep '^1:' "$BATS_TEST_TMPDIR/out")" = $'1:first\n1:third' ]
  [ "$(grep '^2:' "$BATS_TEST_TMPDIR/out")" = '2:second' ]
  [ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 3 ]
}

@test "stdout only: stderr's frames are left out" {
  id=$(ward create --no-start --rootfs "$ROOTFS" sh -c 'echo first; echo second >&2')
  client "$id" 'stream=1&stdout=1' >"$BATS_TEST_TMPDIR/out" 2>/dev/null &
  pid=$!
  sleep 0.5
  ward start "$id"
  wait "$pid"
  [ "$(cat "$BATS_TEST_TMPDIR/out")" = '1:first' ]
}

@test "a TTY container: a raw stream, input echoed and read; resize seen by stty size" {
  id=$(ward create -t --rootfs "$ROOTFS" sh -c 'read x; echo "got:$x"; stty size')
  [ "$(api -XPOST "http://d/v1.41/containers/$id/resize?h=20&w=30")" = 200 ]
  run client "$id" 'stream=1&stdin=1&stdout=1&stderr=1' 'hello\n'
  [ "$status" -eq 0 ]
  [[ $output == *"type: application/vnd.docker.raw-stream"* ]]
  [[ $output == *$'hello\r\ngot:hello\r\n20 30\r'* ]]
}

@test "logs=1 replays what came before; errors: no such container, resize without a TTY, detachKeys" {
  id=$(ward create --rootfs "$ROOTFS" sh -c 'echo early; read x </dev/null; sleep 1; echo late')
  sleep 0.3
  run client "$id" 'logs=1&stream=1&stdout=1'
  [[ $output == *$'1:early\n1:late'* ]]
  [ "$(api -XPOST "http://d/v1.41/containers/nosuch/attach?stream=1")" = 404 ]
  [ "$(jq -r .message "$BATS_TEST_TMPDIR/body")" = "No such container: nosuch" ]
  id=$(ward create --rootfs "$ROOTFS" sleep 30)
  [ "$(api -XPOST "http://d/v1.41/containers/$id/resize?h=20&w=30")" = 409 ]
  [[ $(jq -r .message "$BATS_TEST_TMPDIR/body") == *"has no terminal"* ]]
  [ "$(api -XPOST "http://d/v1.41/containers/$id/resize?h=x&w=30")" = 400 ]
  [ "$(api -XPOST "http://d/v1.41/containers/$id/attach?stream=1&detachKeys=ctrl-x")" = 400 ]
  [[ $(jq -r .message "$BATS_TEST_TMPDIR/body") == *"detachKeys"* ]]
}
