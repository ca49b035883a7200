#!/usr/bin/env bats
# Volumes (-v, SANDBOX_VOLUMES): mounted through fds, inside the root, with the right owner.

load helpers

setup_file() { build_rootfs; }

setup() {
  H=$BATS_TEST_TMPDIR
  mkdir -p "$H/ws" "$H/ref/sub"
  echo hostfile >"$H/ws/a"
  echo ref >"$H/ref/r"
  # as root the workspace belongs to an ordinary user, as a real one would
  if ! rootless; then chown -R 1000:1000 "$H/ws"; fi
  before=$(host_state)
}

@test "the workspace is writable, is the working directory, and new files belong to its owner" {
  owner=$(stat -c %u:%g "$H/ws")
  run ward run -v "$H/ws:/workspace" --rootfs "$ROOTFS" -- sh -c 'pwd; cat a; echo new >b; mkdir d; echo x >d/c'
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "${lines[0]}" = /workspace ]
  [ "${lines[1]}" = hostfile ]
  [ "$(cat "$H/ws/b")" = new ]
  [ "$(stat -c %u:%g "$H/ws/b" "$H/ws/d" "$H/ws/d/c" | sort -u)" = "$owner" ]
  # inside, the owner is the workload's user
  run ward run -u 1000 -v "$H/ws:/workspace" --rootfs "$ROOTFS" -- stat -c %u a
  # rootless the owner is the caller, who is container root
  if rootless; then [ "$output" = 0 ]; else [ "$output" = 1000 ]; fi
}

@test "ro volumes reject writes, nested paths included, and the host copy is untouched" {
  run ward run -v "$H/ref:/data:ro" --rootfs "$ROOTFS" -- sh -c 'cat /data/r; echo x >/data/new; echo x >/data/sub/new; rm /data/r; mkdir /data/sub/d'
  [ "${lines[0]}" = ref ]
  [ "$(grep -c 'Read-only file system' <<<"$output")" -ge 3 ]
  [ ! -e "$H/ref/new" ] && [ ! -e "$H/ref/sub/new" ] && [ -e "$H/ref/r" ]
}

@test "SANDBOX_VOLUMES and -v combine: SANDBOX_VOLUMES first, its first entry the workspace" {
  run env SANDBOX_VOLUMES="$H/ws:/workspace,$H/ref:/ref:ro" "$WARD" run -v "$H/ref:/more:ro" --rootfs "$ROOTFS" -- sh -c 'pwd; cat /ref/r /more/r'
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$output" = $'/workspace\nref\nref' ]
  # an explicit -w wins
  run env SANDBOX_VOLUMES="$H/ws:/workspace" "$WARD" run -w /tmp --rootfs "$ROOTFS" -- pwd
  [ "$output" = /tmp ]
}

@test "paths with commas and colons work through the documented escape" {
  odd="$H/a,b:c"
  mkdir -p "$odd"
  echo odd >"$odd/f"
  run env SANDBOX_VOLUMES="${odd//,/\\,}" "$WARD" run --rootfs "$ROOTFS" -- true
  [ "$status" -eq 125 ] # the ':' in the name splits the entry without an escape
  esc=${odd//,/\\,}
  esc=${esc//:/\\:}
  run env SANDBOX_VOLUMES="$esc:/in\\:side:ro" "$WARD" run --rootfs "$ROOTFS" -- cat /in:side/f
  [ "$output" = odd ]
}

@test "a file can be a volume" {
  echo one >"$H/single"
  run ward run -v "$H/single:/etc/single:ro" --rootfs "$ROOTFS" -- sh -c 'pwd; cat /etc/single'
  [ "$output" = $'/\none' ]
}

@test "a symlink in the image on the container path is refused, and nothing is mounted on the host" {
  for link in / .. /etc; do
    bad=$BATS_TEST_TMPDIR/bad-root
    rm -rf "$bad" && cp -a "$ROOTFS" "$bad"
    ln -s "$link" "$bad/escape"
    run ward run -v "$H/ws:/escape/x" --rootfs "$bad" -- true
    [ "$status" -eq 125 ]
    [[ $output == "ward: volume target /escape/x: a symbolic link in the image; refusing to mount through it"* ]]
    [ "$(host_state)" = "$before" ]
  done
}

@test "a mount made inside a volume stays in the sandbox" {
  run ward run -v "$H/ws:/workspace" --cap-add SYS_ADMIN --seccomp=unconfined --rootfs "$ROOTFS" -- sh -c 'mkdir -p sub && mount -t tmpfs none sub && echo inside >sub/f && cat sub/f'
  [[ $output == *inside* ]]
  [ ! -e "$H/ws/sub/f" ]
  [ "$(host_state)" = "$before" ]
  ! grep -q "$H/ws/sub" /proc/self/mountinfo
}

@test "bad volumes are refused, naming the culprit" {
  run ward run -v "$H/missing:/x" --rootfs "$ROOTFS" -- true
  [ "$status" -eq 125 ] && [[ $output == "ward: volume $H/missing: host path: No such file or directory" ]]
  ln -s "$H/ws" "$H/link"
  run ward run -v "$H/link:/x" --rootfs "$ROOTFS" -- true
  [[ $output == "ward: volume $H/link: host path is a symbolic link"* ]]
  run ward run -v "$H/ws:/proc/x" --rootfs "$ROOTFS" -- true
  [[ $output == "ward: -v entry 1: container path '/proc/x' cannot be under /proc, /sys or /dev" ]]
  run env SANDBOX_VOLUMES="$H/ws:/w,,$H/ref:/r" "$WARD" run --rootfs "$ROOTFS" -- true
  [[ $output == "ward: SANDBOX_VOLUMES entry 2 '': expected HOST:CONTAINER"* ]]
  run ward run -v "$H/ws:/w:overlay" --rootfs "$ROOTFS" -- true
  [[ $output == "ward: volume $H/ws: mode overlay is not supported yet" ]]
  run ward run --read-only -v "$H/ws:/newdir" --rootfs "$ROOTFS" -- true
  [[ $output == "ward: volume target /newdir: missing and the root is read-only"* ]]
  [ "$(host_state)" = "$before" ]
}

@test "as root, a rw volume owned by host root is refused (the sandbox could plant setuid-root files)" {
  rootless && skip "a rootless caller cannot create host-root files anyway"
  mkdir "$H/rootowned"
  run ward run -v "$H/rootowned:/x" --rootfs "$ROOTFS" -- true
  [ "$status" -eq 125 ] && [[ $output == "ward: volume $H/rootowned: owned by host root;"* ]]
  run ward run -v "$H/rootowned:/x:ro" --rootfs "$ROOTFS" -- ls -d /x
  [ "$status" -eq 0 ]
}
