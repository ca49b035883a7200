#!/usr/bin/env bats
# Files out of a sandbox (ward cp SANDBOX:/SRC HOST, ward read): the workload decides what
# they are. A copy must not fill the host's disk (holes, hard links, a byte cap), must not
# leave world-writable or set-id files, and must never open a device, fifo or terminal.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
  build_rootfs
  # 20 MiB of data in the image: more than a --disk 16m sandbox may write, yet readable
  mkdir "$ROOTFS/big"
  head -c 20M /dev/urandom >"$ROOTFS/big/data"
}

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  d=$BATS_TEST_TMPDIR/host
  mkdir -p "$d"
  baseline
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

# Nothing left in the host directory $d, not even a staging name.
left_nothing() {
  [ -z "$(ls -A "$d")" ] || { ls -la "$d"; return 1; }
}

# One line of error, naming $1.
one_line_naming() {
  [ "$status" -eq 125 ] && [ "${#lines[@]}" -eq 1 ] && [[ $output == *"$1"* ]] || {
    echo "status $status: $output"
    return 1
  }
}

@test "disk filling class: a sparse file and three hard links to it copy as one sparse file" {
  id=$(ward create --disk 16m --rootfs "$ROOTFS")
  ward exec "$id" sh -c 'mkdir /tmp/s && truncate -s 268435456 /tmp/s/big && echo tail >>/tmp/s/big && for i in 1 2 3; do ln /tmp/s/big /tmp/s/l$i; done'
  run ward cp "$id:/tmp/s" "$d/out"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$(stat -c %s "$d/out/big")" -eq $(((256 << 20) + 5)) ]
  [ "$(tail -c 5 "$d/out/big")" = tail ]
  # holes stay holes: a few blocks, not 256 MiB
  [ "$(stat -c %b "$d/out/big")" -lt 1024 ]
  # the links are one file on the host too
  for i in 1 2 3; do [ "$(stat -c %i "$d/out/l$i")" = "$(stat -c %i "$d/out/big")" ]; done
  [ "$(stat -c %h "$d/out/big")" -eq 4 ]
  [ "$(du -sk "$d/out" | cut -f1)" -lt 1024 ]
  ward rm -f "$id" >/dev/null
  settled
}

@test "disk filling class: a 1 PiB sparse file copies as holes or is stopped; the host's disk stays untouched" {
  id=$(ward create --disk 16m --rootfs "$ROOTFS")
  ward exec "$id" truncate -s 1125899906842624 /tmp/huge
  # a file size limit of 1 GiB on this copy only: a copy that writes the holes out dies
  # there rather than filling the disk
  run bash -c 'ulimit -f 1048576 && exec "$WARD" cp "$1" "$2"' - "$id:/tmp/huge" "$d/huge"
  if [ "$status" -eq 0 ]; then
    [ "$(stat -c %b "$d/huge")" -lt 1024 ]
    rm "$d/huge"
  else
    # a host filesystem that cannot hold a file that large says so, and keeps nothing
    one_line_naming huge
  fi
  left_nothing
  # a stream has no holes: ward read refuses before writing a byte
  [ "$(ward read "$id" /tmp/huge 2>"$BATS_TEST_TMPDIR/err" | head -c 1M | wc -c)" -eq 0 ]
  [ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1 ]
  grep -q '/tmp/huge: .*--max-bytes 16m' "$BATS_TEST_TMPDIR/err"
  ward rm -f "$id" >/dev/null
  settled
}

@test "disk filling class: a 1 PiB sparse file in the writable layer is not written out whole at the stop, by commit or by --changes" {
  id=$(ward create --disk 16m --rootfs "$ROOTFS")
  ward exec "$id" sh -c 'echo kept >/tmp/small; truncate -s 1125899906842624 /tmp/huge'
  # a guard of 1 GiB per file on the supervisor (its layer writer inherits it): a save that
  # wrote the holes out would die there rather than fill the disk
  prlimit --pid "$(ward inspect "$id" | jq -r .supervisor.pid)" --fsize=1073741824
  run ward commit "$id" huge:1
  one_line_naming "sparse files are saved whole"
  ward stop "$id"
  dir=$WARD_STATE_DIR/sandboxes/$id
  [ ! -e "$dir/layer.tar.new" ]
  [ "$(du -sk "$dir" | cut -f1)" -lt 4096 ]
  # the stop said why its layer was not saved, and the sandbox starts again
  grep -q "sparse files are saved whole" "$dir/log"
  ward start "$id"
  ward rm -f "$id" >/dev/null
  # --changes: an overlay volume's upper is bounded the same way
  mkdir "$BATS_TEST_TMPDIR/vol"
  # the guard as a soft limit, which the workload raises for itself
  run bash -c 'ulimit -S -f 1048576 && exec "$WARD" run -v "$1:/w:overlay" --disk 16m --changes "$2" --rootfs "$3" -- sh -c "ulimit -f unlimited; truncate -s 1125899906842624 /w/huge"' - \
    "$BATS_TEST_TMPDIR/vol" "$BATS_TEST_TMPDIR/c.tar" "$ROOTFS"
  [ "$status" -ne 0 ]
  [[ $output == *"sparse files are saved whole"* ]]
  [ ! -e "$BATS_TEST_TMPDIR/c.tar" ]
  settled
}

@test "disk filling class: past --max-bytes or the sandbox's --disk the copy stops with one line and leaves nothing" {
  id=$(ward create --disk 16m --rootfs "$ROOTFS")
  # the sandbox's --disk (16m) is the default cap: 20 MiB of the image do not come out
  run ward cp "$id:/big" "$d/out"
  one_line_naming "$d/out/data"
  [[ $output == *16m* ]]
  left_nothing
  rc=0
  ward read "$id" /big/data >"$BATS_TEST_TMPDIR/read" 2>"$BATS_TEST_TMPDIR/err" || rc=$?
  [ "$rc" -eq 125 ]
  [ ! -s "$BATS_TEST_TMPDIR/read" ]
  grep -q '/big/data: .*16m' "$BATS_TEST_TMPDIR/err"
  # --max-bytes: lower, a tree stopped half-way is removed whole
  ward exec "$id" sh -c 'mkdir -p /tmp/t/a /tmp/t/b && head -c 49152 /dev/urandom >/tmp/t/a/f && head -c 49152 /dev/urandom >/tmp/t/b/f'
  run ward cp --max-bytes 64k "$id:/tmp/t" "$d/t"
  one_line_naming "--max-bytes 64k"
  left_nothing
  run ward read --max-bytes 32k "$id" /tmp/t/a/f
  one_line_naming "/tmp/t/a/f"
  # and higher: the same copies go through
  run ward cp --max-bytes 32m "$id:/big" "$d/out"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  cmp "$d/out/data" "$ROOTFS/big/data"
  [ "$(ward read --max-bytes=32m "$id" /big/data | wc -c)" -eq $((20 << 20)) ]
  run ward cp --max-bytes 1x "$id:/big" "$d/x"
  one_line_naming "--max-bytes 1x"
  ward rm -f "$id" >/dev/null
  settled
}

@test "world-writable class: a 0666 file copies with the caller's umask, never o+w, no set-id" {
  id=$(ward create --rootfs "$ROOTFS")
  ward exec "$id" sh -c 'mkdir /tmp/m && echo x >/tmp/m/f && cp /bin/probe /tmp/m/tool && chmod 0666 /tmp/m/f && chmod 6777 /tmp/m/tool && chmod 0777 /tmp/m'
  (umask 022 && ward cp "$id:/tmp/m" "$d/a")
  [ "$(stat -c %a "$d/a" "$d/a/f" "$d/a/tool" | tr '\n' ' ')" = "755 644 755 " ]
  # even with no umask at all, never writable by others
  (umask 0 && ward cp "$id:/tmp/m" "$d/b")
  [ "$(stat -c %a "$d/b" "$d/b/f" "$d/b/tool" | tr '\n' ' ')" = "775 664 775 " ]
  (umask 077 && ward cp "$id:/tmp/m/f" "$d/c")
  [ "$(stat -c %a "$d/c")" = 600 ]
  ward rm -f "$id" >/dev/null
  settled
}

@test "terminal class: /dev/tty, a planted symlink to it and a sandbox pty are refused; no terminal is taken" {
  id=$(ward create --rootfs "$ROOTFS")
  # a pty inside that is nobody's terminal: a caller without one that opened it would
  # take it as its own (the watcher sees the pty get a session)
  ward exec "$id" probe pty-watch /tmp/done 30 >"$BATS_TEST_TMPDIR/watch" 2>&1 &
  watcher=$!
  eventually grep -q /dev/pts/ "$BATS_TEST_TMPDIR/watch"
  pts=$(head -1 "$BATS_TEST_TMPDIR/watch")
  ward exec "$id" ln -s "$pts" /pty
  : >"$BATS_TEST_TMPDIR/said"
  for path in "$pts" /pty; do
    setsid -w "$WARD" read "$id" "$path" >>"$BATS_TEST_TMPDIR/said" 2>&1 || echo "status $?" >>"$BATS_TEST_TMPDIR/said"
    setsid -w "$WARD" cp "$id:$path" "$d/pty" >>"$BATS_TEST_TMPDIR/said" 2>&1 || echo "status $?" >>"$BATS_TEST_TMPDIR/said"
  done
  ward exec "$id" touch /tmp/done
  wait "$watcher"
  [ "$(tail -1 "$BATS_TEST_TMPDIR/watch")" = free ]
  left_nothing
  [ "$(cat "$BATS_TEST_TMPDIR/said")" = "ward: $pts: a character device; only files and directories are copied
status 125
ward: $pts: a character device; only files and directories are copied
status 125
ward: /pty: a character device; only files and directories are copied
status 125
ward: /pty: a character device; only files and directories are copied
status 125" ]
  # the caller's own terminal, named or through a planted symlink: with a controlling
  # terminal (script gives one) and without one (setsid)
  ward exec "$id" ln -s /dev/tty /out
  run script -qec "$WARD read $id /out" /dev/null
  [ "$status" -eq 125 ]
  [[ $output == *"/out: a character device"* ]]
  run setsid -w "$WARD" read "$id" /dev/tty
  one_line_naming "/dev/tty: a character device"
  ward rm -f "$id" >/dev/null
  settled
}

@test "device class: /dev/null, /dev/zero and a fifo are refused by name, skipped in a directory, never opened" {
  id=$(ward create --rootfs "$ROOTFS")
  ward exec "$id" sh -c 'mkdir /tmp/d && mkfifo /tmp/d/fifo && echo f >/tmp/d/f && ln -s /dev/zero /tmp/d/zero'
  # a writer inside waits for a reader of the fifo: any open by ward lets it through
  ward exec "$id" sh -c 'exec 3>/tmp/d/fifo; touch /tmp/opened' >/dev/null 2>&1 &
  writer=$!
  : >"$BATS_TEST_TMPDIR/said"
  for p in /dev/null /dev/zero /tmp/d/fifo /tmp/d/zero; do
    ward read "$id" "$p" >>"$BATS_TEST_TMPDIR/said" 2>&1 || echo "status $?" >>"$BATS_TEST_TMPDIR/said"
    ward cp "$id:$p" "$d/x" >>"$BATS_TEST_TMPDIR/said" 2>&1 || echo "status $?" >>"$BATS_TEST_TMPDIR/said"
  done
  run ward cp "$id:/tmp/d" "$d/tree"
  tree_status=$status tree_output=$output
  sleep 0.5
  run ward exec "$id" test -e /tmp/opened
  [ "$status" -eq 1 ]
  kill "$writer" 2>/dev/null || true
  wait "$writer" || true
  [ ! -e "$d/x" ]
  [ "$(grep -c '^status 125$' "$BATS_TEST_TMPDIR/said")" -eq 8 ]
  [ "$(grep -c '^ward: ' "$BATS_TEST_TMPDIR/said")" -eq 8 ]
  [ "$(grep -c '^ward: /dev/null: a character device' "$BATS_TEST_TMPDIR/said")" -eq 2 ]
  [ "$(grep -c '^ward: /tmp/d/fifo: a fifo' "$BATS_TEST_TMPDIR/said")" -eq 2 ]
  [ "$(grep -c '^ward: /tmp/d/zero: a character device' "$BATS_TEST_TMPDIR/said")" -eq 2 ]
  [ "$tree_status" -eq 0 ]
  [ "$tree_output" = "ward: $d/tree/fifo: a fifo, not copied" ]
  [ -L "$d/tree/zero" ]
  [ "$(cat "$d/tree/f")" = f ]
  [ ! -e "$d/tree/fifo" ]
  run ward cp "$id:/dev" "$d/dev"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [[ $output == *"$d/dev/null: a character device, not copied"* ]]
  [ -z "$(find "$d/dev" ! -type d ! -type f ! -type l)" ]
  ward rm -f "$id" >/dev/null
  settled
}
