#!/usr/bin/env bats
# Errors that used to be lost, doubled or wrong: each is one "ward: ..." line naming the
# culprit with its true cause, once.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { build_rootfs; }

setup() { before=$(host_state); }

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

# One "ward: ..." line containing $1, exit status $2.
one_line() {
  [ "$status" -eq "$2" ] || { echo "status $status, wanted $2: $output"; return 1; }
  [ "${#lines[@]}" -eq 1 ] || { echo "not one line: $output"; return 1; }
  [[ ${lines[0]} == "ward: "*"$1"* ]] || { echo "no '$1' in: $output"; return 1; }
}

@test "ward create: a failing step says its cause once" {
  run ward create --rootfs "$ROOTFS" -v /nonexistent/vol:/vol
  one_line "volume /nonexistent/vol: host path: No such file or directory" 125
  [[ $output != *"directory: No such"* ]]
  host_back "$before"
}

@test "ward create: a step failing inside the sandbox is reported, not an empty line" {
  bad="$BATS_TEST_TMPDIR/no-proc"
  cp -a "$ROOTFS" "$bad"
  rmdir "$bad/proc"
  run ward create --read-only --rootfs "$bad"
  one_line "rootfs: /proc is missing and the root is read-only" 125
  [ -z "$(ward ps -a -q)" ]
  host_back "$before"
}

@test "setup failures inside the sandbox cross the fork unchanged, for run and exec" {
  run ward run -w /bin/sh/x --rootfs "$ROOTFS" -- true
  one_line "--workdir /bin/sh/x: Not a directory" 125
  run ward run --rootfs "$ROOTFS" -- /bin/not-executable
  one_line "/bin/not-executable: Permission denied" 126
  run ward run --json --rootfs "$ROOTFS" -- /bin/not-executable
  [[ ${lines[1]} == *'"error":"/bin/not-executable: Permission denied"'* ]]
  id=$(ward create --rootfs "$ROOTFS")
  run ward exec -w /bin/sh/x "$id" true
  one_line "--workdir /bin/sh/x: Not a directory" 125
  run -127 ward exec "$id" no-such-command
  one_line "no-such-command: command not found in the sandbox's root or PATH" 127
  run ward exec "$id" /etc
  one_line "/etc: Permission denied" 126
  ward rm -f "$id"
  host_back "$before"
}

@test "a damaged state record is named with what is wrong with it, and rm -f removes it" {
  for content in '{"id": "broken' '{"id": "000000000000", "status": "running"}' '[1, 2]'; do
    id=$(ward create --rootfs "$ROOTFS")
    sup=$(ward inspect "$id" | jq .supervisor.pid)
    kill -9 "$sup"
    eventually sh -c "! kill -0 $sup"
    echo "$content" >"$WARD_STATE_DIR/sandboxes/$id/record.json"
    run ward exec "$id" true
    one_line "sandbox $id: its record $WARD_STATE_DIR/sandboxes/$id/record.json is damaged: " 125
    [[ $output != *"Invalid argument"* ]]
    ward rm -f "$id"
    [ ! -e "$WARD_STATE_DIR/sandboxes/$id" ]
  done
  run ward exec "$id" true
  [ "$status" -eq 125 ]
  ward ps >/dev/null
  host_back "$before"
}

@test "the image store: a write cut short says why" {
  export WARD_STORE=$BATS_TEST_TMPDIR/store
  "$BATS_TEST_DIRNAME/../images/make-fixtures.sh" "$BATS_TEST_TMPDIR/fx" "$PROBE" >/dev/null 2>&1
  # a file size limit: the kernel writes up to it, then refuses (SIGXFSZ ignored)
  run bash -c "trap '' XFSZ; exec prlimit --fsize=1000000 $WARD image import -q docker-archive:$BATS_TEST_TMPDIR/fx/base-docker.tar:t/b:latest"
  one_line "in $WARD_STORE: File too large" 125
  mkdir "$BATS_TEST_TMPDIR/big"
  head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/big/blob"
  run bash -c "trap '' XFSZ; exec prlimit --fsize=1000000 $WARD image pack $BATS_TEST_TMPDIR/big --name big:1"
  one_line "pack $BATS_TEST_TMPDIR/big: " 125
  [[ $output == *"File too large" ]]
  [ -z "$(ls -A "$WARD_STORE/tmp")" ]
}

@test "ward cp in: out of fds fails with the cause, never a copy with entries missing" {
  tree="$BATS_TEST_TMPDIR/t"
  p=$tree
  for i in $(seq 12); do
    p=$p/d$i
    mkdir -p "$p"
    for j in 1 2 3; do echo "$i$j" >"$p/f$j"; done
  done
  id=$(ward create --rootfs "$ROOTFS")
  failed=0
  for n in $(seq 8 44); do
    run prlimit --nofile="$n" "$WARD" cp "$tree" "$id:/w$n"
    if [ "$status" -eq 0 ]; then
      [ "$(ward exec "$id" find "/w$n" -type f | wc -l)" -eq 36 ] || { echo "limit $n: copy incomplete"; return 1; }
    else
      failed=$((failed + 1))
      one_line "Too many open files" 125
    fi
  done
  [ "$failed" -gt 0 ]
  # the same for a pattern's walk on the host
  run prlimit --nofile=12 "$WARD" cp "$tree/**/f1" "$id:/g"
  one_line "$tree/**/f1: " 125
  [[ $output == *"Too many open files" ]]
  ward rm -f "$id"
  host_back "$before"
}

@test "ward cp in: a host tree deeper than 256 directories is refused, naming the path" {
  deep="$BATS_TEST_TMPDIR/deep"
  mkdir "$deep"
  python3 -c 'import os,sys; os.chdir(sys.argv[1]); [(os.mkdir("d"), os.chdir("d")) for _ in range(1200)]; open("f", "w").write("x")' "$deep"
  id=$(ward create --rootfs "$ROOTFS")
  run ward cp "$deep/d" "$id:/plain"
  one_line "/plain/d/d/d" 125
  [[ $output == *": more than 256 directories deep" ]]
  # a pattern is walked no deeper (it used to recurse until the stack ran out)
  run ward cp "$deep/**/f" "$id:/glob"
  one_line "$deep/**/f: more than 256 directories deep at $deep/d/d/d" 125
  run ward exec "$id" test -e /glob
  [ "$status" -eq 1 ]
  ward rm -f "$id"
  host_back "$before"
}
