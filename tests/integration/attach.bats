#!/usr/bin/env bats
# A persistent sandbox's main command with a terminal (ward create -t) or a stdin (-i), and
# ward attach: input reaches the command, output reaches every attached client and the log,
# a created sandbox is attached to before it starts, the terminal's size follows.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { build_rootfs; }

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

@test "create -t: the command's terminal; attach types into it, sees its output, exits with its status" {
  id=$(ward create -t --rootfs "$ROOTFS" sh -c 'tty; read x; echo "got:$x"; exit 7')
  run -7 bash -c "(sleep 0.5; echo hello) | '$WARD' attach $id"
  [[ $output == *"got:hello"* ]]
  ward wait "$id"
  # the whole conversation is in its log, a terminal's CR LF included
  run ward logs "$id"
  [[ ${lines[0]} == "/dev/pts/0"$'\r' ]]
  [[ $output == *"got:hello"$'\r'* ]]
}

@test "attach before start (create --no-start) sees the command's first output, and its exit status" {
  id=$(ward create --no-start --rootfs "$ROOTFS" sh -c 'echo first; echo second >&2; exit 3')
  "$WARD" attach --no-stdin "$id" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
  pid=$!
  sleep 0.5
  ward start "$id"
  st=0
  wait "$pid" || st=$?
  [ "$st" -eq 3 ]
  [ "$(cat "$BATS_TEST_TMPDIR/out")" = first ]
  [ "$(cat "$BATS_TEST_TMPDIR/err")" = second ]
}

@test "attach to a created sandbox that starts and ends at once still gets all its output" {
  id=$(ward create -t --no-start --rootfs "$ROOTFS" sh -c 'seq 1 2000')
  "$WARD" attach --no-stdin "$id" >"$BATS_TEST_TMPDIR/out" &
  pid=$!
  sleep 0.3
  ward start "$id"
  wait "$pid"
  [ "$(tr -d '\r' <"$BATS_TEST_TMPDIR/out" | wc -l)" -eq 2000 ]
  [ "$(tr -d '\r' <"$BATS_TEST_TMPDIR/out" | tail -n 1)" = 2000 ]
}

@test "two clients attached: both see the output, either one's input reaches the command" {
  id=$(ward create -t --rootfs "$ROOTFS" sh -c 'read a; echo "A=$a"; read b; echo "B=$b"')
  "$WARD" attach --no-stdin "$id" >"$BATS_TEST_TMPDIR/one" &
  one=$!
  sleep 0.3
  (echo x1; sleep 0.3; echo x2; sleep 1) | "$WARD" attach "$id" >"$BATS_TEST_TMPDIR/two"
  wait "$one"
  for f in one two; do
    grep -q 'A=x1' "$BATS_TEST_TMPDIR/$f"
    grep -q 'B=x2' "$BATS_TEST_TMPDIR/$f"
  done
}

@test "the caller's terminal size reaches the command's (stty size inside)" {
  id=$(ward create -t --rootfs "$ROOTFS" sh -c 'read x; stty size')
  # script(1): a terminal for ward attach, its size set first
  run bash -c "(sleep 0.5; echo go) | script -qec 'stty rows 33 cols 77; $WARD attach $id' /dev/null"
  [ "$status" -eq 0 ]
  [[ $output == *"33 77"* ]]
}

@test "create -i: attached input is the command's stdin; its end ends cat" {
  id=$(ward create -i --rootfs "$ROOTFS" sh -c 'cat; echo cat-ended')
  run bash -c "printf 'abc\ndef\n' | '$WARD' attach $id"
  [ "$status" -eq 0 ]
  [ "$output" = $'abc\ndef\ncat-ended' ]
  ward wait "$id"
  [ "$(ward logs "$id")" = $'abc\ndef\ncat-ended' ]
}

@test "a sandbox without -i takes no input: the attach neither reads nor blocks on it" {
  id=$(ward create --rootfs "$ROOTFS" sh -c 'sleep 0.5; echo out; cat; echo cat-ended')
  run bash -c "sleep 5 | '$WARD' attach $id"
  [ "$status" -eq 0 ]
  [ "$output" = $'out\ncat-ended' ]
}

@test "attach to a stopped sandbox is refused, naming it; -t and -i need a command" {
  id=$(ward create --rootfs "$ROOTFS" true)
  ward wait "$id"
  run -125 ward attach "$id"
  [ "$output" = "ward: attach $id: the sandbox is stopped; ward start it first" ]
  run -125 ward create -t --rootfs "$ROOTFS"
  [[ $output == "ward: -t: needs a command"* ]]
  run -125 ward create -i --rootfs "$ROOTFS"
  [[ $output == "ward: -i: needs a command"* ]]
  run -125 ward attach nosuch
  [[ $output == *"nosuch"* ]]
}

@test "a client that goes away leaves the sandbox running and attachable" {
  id=$(ward create -t --rootfs "$ROOTFS" sh -c 'while :; do echo tick; sleep 0.1; done')
  "$WARD" attach --no-stdin "$id" | head -n 2
  timeout 5 "$WARD" attach --no-stdin "$id" | head -n 1 | grep -q tick
  run ward inspect "$id"
  [ "$(jq -r .status <<<"$output")" = running ]
  ward rm -f "$id"
}

@test "the command's output flows while nobody is attached; a slow client holds it back, loses nothing" {
  id=$(ward create --rootfs "$ROOTFS" sh -c 'read x </dev/null; sleep 0.5; seq 1 100000')
  "$WARD" attach --no-stdin "$id" | (sleep 1; cat) >"$BATS_TEST_TMPDIR/out"
  [ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 100000 ]
  [ "$(tail -n 1 "$BATS_TEST_TMPDIR/out")" = 100000 ]
}
