#!/usr/bin/env bats
# ward write: a relative path lands in the sandbox's working directory; -p makes missing
# parents inside the root, and nothing the workload plants leads out of it.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { build_rootfs; }

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  before=$(host_state)
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

@test "write: a relative path is the sandbox's working directory's" {
  id=$(ward create -w /work --rootfs "$ROOTFS")
  ward exec "$id" mkdir -p /work/sub
  echo rel | ward write "$id" note.txt
  echo deeper | ward write "$id" sub/deeper.txt
  [ "$(ward exec "$id" cat /work/note.txt /work/sub/deeper.txt)" = "$(printf 'rel\ndeeper')" ]
  [ "$(ward read "$id" /work/note.txt)" = rel ]
  # without -w: the root
  id2=$(ward create --rootfs "$ROOTFS")
  echo top | ward write "$id2" top.txt
  [ "$(ward exec "$id2" cat /top.txt)" = top ]
  ward rm -f "$id" "$id2" >/dev/null
  host_back "$before"
}

@test "write -p makes missing parents (0755, the sandbox root's); without -p the missing one is named" {
  id=$(ward create --rootfs "$ROOTFS")
  run ward write "$id" /a/b/c/file <<<"x"
  [ "$status" -eq 125 ]
  [[ $output == *"/a/b/c"* ]]
  [[ $output == *"No such file or directory"* ]]
  [ "$(echo "${output}" | wc -l)" -eq 1 ]
  run ward exec "$id" ls /a
  [ "$status" -ne 0 ]
  echo deep | ward write -p "$id" /a/b/c/file
  run ward exec "$id" sh -c 'cat /a/b/c/file; stat -c "%a %u %g" /a /a/b /a/b/c; stat -c "%a %u" /a/b/c/file'
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$output" = "$(printf 'deep\n755 0 0\n755 0 0\n755 0 0\n644 0')" ]
  # a umask that would close the new directories changes nothing
  (umask 077 && echo again | ward write --mode 600 -p "$id" /u/v/file)
  [ "$(ward exec "$id" stat -c '%a' /u /u/v /u/v/file | tr '\n' ' ')" = "755 755 600 " ]
  # existing parents
  echo more | ward write -p "$id" /a/b/other
  [ "$(ward read "$id" /a/b/other)" = more ]
  # a file in the way is named
  run ward write -p "$id" /a/b/c/file/below <<<"x"
  [ "$status" -eq 125 ]
  [[ $output == *"/a/b/c/file"* ]]
  [[ $output == *"Not a directory"* ]]
  ward rm -f "$id" >/dev/null
  host_back "$before"
}

@test "write -p: a parent symlinked out of the root leads inside it" {
  outside=$BATS_TEST_TMPDIR/outside
  mkdir -p "$outside"
  [ "$(id -u)" -ne 0 ] || chmod 777 "$outside"
  id=$(ward create -w /work --rootfs "$ROOTFS")
  # absolute and relative links at the host's directory, and a dangling one
  ward exec "$id" sh -c "ln -s '$outside' /abs && ln -s ../../../../../../../../..'$outside' /work/rel && ln -s /nonexistent/x /dangling"
  # the target is not in the root: an error naming the link, as mkdir -p gives, and the
  # host's directory untouched
  run ward write -p "$id" /abs/new/file <<<"a"
  [ "$status" -eq 125 ]
  [[ $output == *"directory /abs:"* ]]
  run ward write -p "$id" rel/new/file <<<"a"
  [ "$status" -eq 125 ]
  [[ $output == *"directory /work/rel:"* ]]
  run ward write -p "$id" /dangling/y/file <<<"x"
  [ "$status" -eq 125 ]
  [[ $output == *"directory /dangling:"* ]]
  [ -z "$(ls -A "$outside")" ]
  [ ! -e /nonexistent/x ]
  # the same path inside the root: both links lead there
  ward exec "$id" mkdir -p "$outside"
  echo a | ward write -p "$id" /abs/new/file
  echo b | ward write -p "$id" rel/new/other
  echo c | ward write "$id" /abs/plain
  [ -z "$(ls -A "$outside")" ]
  [ "$(ward exec "$id" cat "$outside/new/file" "$outside/new/other" "$outside/plain")" = "$(printf 'a\nb\nc')" ]
  ward rm -f "$id" >/dev/null
  host_back "$before"
}
