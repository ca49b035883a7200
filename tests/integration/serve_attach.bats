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

client() { timeout 30 python3 "$BATS_TEST_DIRNAME/../helpers/docker_attach.py" "$SOCK" "$@"; }
api() { curl -s --unix-socket "$SOCK" -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' "$@"; }

@test "attach before start: stdout and stderr as Docker's frames, from the first line" {
  id=$(ward create --no-start --rootfs "$ROOTFS" sh -c 'echo first; echo second >&2; echo third')
  client "$id" 'stream=1&stdout=1&stderr=1' >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
  pid=$!
  # as docker run: the start once the attach has its answer
  eventually grep -q 'status: 101' "$BATS_TEST_TMPDIR/err"
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
  client "$id" 'stream=1&stdout=1' >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
  pid=$!
  # as docker run: the start once the attach has its answer
  eventually grep -q 'status: 101' "$BATS_TEST_TMPDIR/err"
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
  [[ $output == *$'hello\r\ngot:hello\r\n20 30\r'* ]] || { printf "%q\n" "$output"; false; }
}

@test "logs=1 replays what came before; errors: no such container, resize without a TTY, detachKeys" {
  id=$(ward create --rootfs "$ROOTFS" sh -c 'echo early; sleep 4; echo late')
  eventually bash -c "\"$WARD\" logs $id | grep -q early"
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

@test "archive: HEAD's path stat, GET's tar (symlinks as entries, never followed)" {
  id=$(ward create --rootfs "$ROOTFS")
  ward exec "$id" sh -c 'mkdir -p /data/sub; echo hi >/data/sub/f; ln -s /etc /data/abs; ln -s ../../../etc/passwd /data/rel'
  curl -s -I --unix-socket "$SOCK" "http://d/v1.41/containers/$id/archive?path=/data" >"$BATS_TEST_TMPDIR/head"
  grep -q '^HTTP/1.1 200' "$BATS_TEST_TMPDIR/head"
  stat=$(sed -n 's/^X-Docker-Container-Path-Stat: //Ip' "$BATS_TEST_TMPDIR/head" | tr -d '\r' | base64 -d)
  [ "$(jq -r .name <<<"$stat")" = data ]
  [ "$(jq -r .mode <<<"$stat")" = $(((1 << 31) | 0755)) ]
  [ "$(api "http://d/v1.41/containers/$id/archive?path=/data")" = 200 ]
  run tar tvf "$BATS_TEST_TMPDIR/body"
  [[ $output == *"data/abs -> /etc"* ]]
  [[ $output == *"data/rel -> ../../../etc/passwd"* ]]
  [[ $output == *"data/sub/f"* ]]
  # a symlink itself: its target in the stat, one entry in the tar
  curl -s -I --unix-socket "$SOCK" "http://d/v1.41/containers/$id/archive?path=/data/abs" >"$BATS_TEST_TMPDIR/head"
  stat=$(sed -n 's/^X-Docker-Container-Path-Stat: //Ip' "$BATS_TEST_TMPDIR/head" | tr -d '\r' | base64 -d)
  [ "$(jq -r .linkTarget <<<"$stat")" = /etc ]
  [ "$(api "http://d/v1.41/containers/$id/archive?path=/nope")" = 404 ]
  [ "$(jq -r .message "$BATS_TEST_TMPDIR/body")" = "Could not find the file /nope in container $id" ]
  [ "$(api "http://d/v1.41/containers/$id/archive")" = 400 ]
}

@test "archive PUT: extracted inside; ../ refused; absolute symlinks and a target symlinked outside stay inside" {
  id=$(ward create --rootfs "$ROOTFS")
  ward exec "$id" sh -c 'mkdir /data; ln -s /etc /data/out'
  mkdir -p "$BATS_TEST_TMPDIR/up/d"
  echo up >"$BATS_TEST_TMPDIR/up/d/x"
  ln -s /etc/shadow "$BATS_TEST_TMPDIR/up/d/evil"
  tar -C "$BATS_TEST_TMPDIR/up" -cf "$BATS_TEST_TMPDIR/up.tar" d
  [ "$(api -T "$BATS_TEST_TMPDIR/up.tar" "http://d/v1.41/containers/$id/archive?path=/data")" = 200 ]
  [ "$(ward exec "$id" cat /data/d/x)" = up ]
  [ "$(ward exec "$id" readlink /data/d/evil)" = /etc/shadow ]
  # a tar naming ../ is refused, naming the entry; nothing of it lands
  python3 -c "
import io, tarfile, sys
t = tarfile.open(sys.argv[1], 'w')
i = tarfile.TarInfo('../escape'); i.size = 1; t.addfile(i, io.BytesIO(b'x'))
t.close()" "$BATS_TEST_TMPDIR/bad.tar"
  [ "$(api -T "$BATS_TEST_TMPDIR/bad.tar" "http://d/v1.41/containers/$id/archive?path=/data")" = 400 ]
  [[ $(jq -r .message "$BATS_TEST_TMPDIR/body") == *"../escape"* ]]
  run ward exec "$id" test -e /escape
  [ "$status" -ne 0 ]
  # a symlink in the tar, then a file through it: never written through (refused or kept a link)
  python3 -c "
import io, tarfile, sys
t = tarfile.open(sys.argv[1], 'w')
i = tarfile.TarInfo('l'); i.type = tarfile.SYMTYPE; i.linkname = '$BATS_TEST_TMPDIR'; t.addfile(i)
i = tarfile.TarInfo('l/planted'); i.size = 1; t.addfile(i, io.BytesIO(b'x'))
t.close()" "$BATS_TEST_TMPDIR/through.tar"
  api -T "$BATS_TEST_TMPDIR/through.tar" "http://d/v1.41/containers/$id/archive?path=/data" || true
  [ ! -e "$BATS_TEST_TMPDIR/planted" ]
  # the target is a symlink to /etc: the sandbox's /etc, never the host's
  printf 'marker\n' >"$BATS_TEST_TMPDIR/ward-attach-marker"
  tar -C "$BATS_TEST_TMPDIR" -cf "$BATS_TEST_TMPDIR/m.tar" ward-attach-marker
  [ "$(api -T "$BATS_TEST_TMPDIR/m.tar" "http://d/v1.41/containers/$id/archive?path=/data/out")" = 200 ]
  [ "$(ward exec "$id" cat /etc/ward-attach-marker)" = marker ]
  [ ! -e /etc/ward-attach-marker ]
  [ "$(api -T "$BATS_TEST_TMPDIR/m.tar" "http://d/v1.41/containers/$id/archive?path=/nope")" = 404 ]
}
