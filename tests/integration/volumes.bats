#!/usr/bin/env bats
# Volumes (-v, SANDBOX_VOLUMES): mounted through fds, inside the root, with the right owner.

load helpers
bats_require_minimum_version 1.5.0

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
  [ ! -e "$H/ref/new" ]
  [ ! -e "$H/ref/sub/new" ]
  [ -e "$H/ref/r" ]
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
    host_back "$before"
  done
}

@test "a mount made inside a volume stays in the sandbox" {
  run ward run -v "$H/ws:/workspace" --cap-add SYS_ADMIN --seccomp=unconfined --rootfs "$ROOTFS" -- sh -c 'mkdir -p sub && mount -t tmpfs none sub && echo inside >sub/f && cat sub/f'
  [[ $output == *inside* ]]
  [ ! -e "$H/ws/sub/f" ]
  host_back "$before"
  ! grep -q "$H/ws/sub" /proc/self/mountinfo || false
}

@test "bad volumes are refused, naming the culprit" {
  run ward run -v "$H/missing:/x" --rootfs "$ROOTFS" -- true
  [ "$status" -eq 125 ]
  [[ $output == "ward: volume $H/missing: host path: No such file or directory" ]]
  ln -s "$H/ws" "$H/link"
  run ward run -v "$H/link:/x" --rootfs "$ROOTFS" -- true
  [[ $output == "ward: volume $H/link: host path is a symbolic link"* ]]
  run ward run -v "$H/ws:/proc/x" --rootfs "$ROOTFS" -- true
  [[ $output == "ward: -v entry 1: container path '/proc/x' cannot be under /proc, /sys or /dev" ]]
  run env SANDBOX_VOLUMES="$H/ws:/w,,$H/ref:/r" "$WARD" run --rootfs "$ROOTFS" -- true
  [[ $output == "ward: SANDBOX_VOLUMES entry 2 '': expected HOST:CONTAINER"* ]]
  run ward run -v "$H/ws/a:/w:overlay" --rootfs "$ROOTFS" -- true
  [[ $output == "ward: volume $H/ws/a: mode overlay needs a directory" ]]
  run ward run -v "$H/ws:/w" --changes "$H/c.tar" --rootfs "$ROOTFS" -- true
  [[ $output == "ward: --changes $H/c.tar: no overlay volume to take changes from"* ]]
  run ward run -v "$H/ws:/w:overlay" --changes "$H/nodir/c.tar" --rootfs "$ROOTFS" -- true
  [[ $output == "ward: --changes $H/nodir/c.tar: No such file or directory" ]]
  # a start that fails leaves no half-written changes file
  run -127 ward run -v "$H/ws:/w:overlay" --changes "$H/c.tar" --rootfs "$ROOTFS" -- /no/such/cmd
  [ "$status" -eq 127 ]
  [ ! -e "$H/c.tar" ]
  run ward run --tmpfs /t:size=huge --rootfs "$ROOTFS" -- true
  [[ $output == "ward: --tmpfs /t:size=huge: 'size=huge': size: expected a size like 64m" ]]
  run ward run --tmpfs /w -v "$H/ws:/w" --rootfs "$ROOTFS" -- true
  [[ $output == "ward: -v entry 1: container path '/w' is already a mount" ]]
  run env SANDBOX_USER_ID=abc "$WARD" run --rootfs "$ROOTFS" -- true
  [[ $output == "ward: SANDBOX_USER_ID abc: expected a uid from 0 to 65535" ]]
  run env SANDBOX_USER_ID=1000 "$WARD" run -u 0 --rootfs "$ROOTFS" -- true
  [[ $output == "ward: -u 0 and SANDBOX_USER_ID 1000 both choose the workload's user; give one" ]]
  run env SANDBOX_USER_ID=1000 "$WARD" run --user-id 7 -u 0 --rootfs "$ROOTFS" -- true
  [[ $output == "ward: -u 0 and --user-id 7 both choose the workload's user; give one" ]]
  run ward run --read-only -v "$H/ws:/newdir" --rootfs "$ROOTFS" -- true
  [[ $output == "ward: volume target /newdir: missing and the root is read-only"* ]]
  host_back "$before"
}

@test "as root, a rw volume owned by host root is refused (the sandbox could plant setuid-root files)" {
  rootless && skip "a rootless caller cannot create host-root files anyway"
  mkdir "$H/rootowned"
  run ward run -v "$H/rootowned:/x" --rootfs "$ROOTFS" -- true
  [ "$status" -eq 125 ]
  [[ $output == "ward: volume $H/rootowned: owned by host root;"* ]]
  run ward run -v "$H/rootowned:/x:ro" --rootfs "$ROOTFS" -- ls -d /x
  [ "$status" -eq 0 ]
}

@test "overlay volumes leave the host copy alone and --changes exports what changed" {
  echo keep >"$H/ws/sub-file"
  mkdir -p "$H/ws/old/deep" && echo x >"$H/ws/old/deep/f"
  if ! rootless; then chown -R 1000:1000 "$H/ws"; fi
  digest=$(tree_digest "$H/ws")
  run ward run -v "$H/ws:/workspace:overlay" --changes "$H/changes.tar" --rootfs "$ROOTFS" -- \
    sh -c 'echo changed >a; echo new >b; rm -r old; mkdir old; echo fresh >old/g; rm sub-file; cat a'
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$output" = changed ]
  [ "$(tree_digest "$H/ws")" = "$digest" ]
  run tar -tf "$H/changes.tar"
  # (directories end in "/", as libarchive's and GNU tar's writers name them)
  [ "$(sed 's|/$||' <<<"$output" | sort)" = "$(printf '%s\n' workspace/.wh.sub-file workspace/a workspace/b \
    workspace/old workspace/old/.wh..wh..opq workspace/old/g | sort)" ]
  [ "$(tar -xOf "$H/changes.tar" workspace/a)" = changed ]
  # a later run sees the host copy again, not the earlier changes
  run ward run -v "$H/ws:/workspace:overlay" --rootfs "$ROOTFS" -- cat a
  [ "$output" = hostfile ]
  host_back "$before"
}

@test "--tmpfs mounts are private, sized, and stack inside volumes in path order" {
  run ward run --tmpfs /workspace/cache:size=1m,mode=700 -v "$H/ws:/workspace" --rootfs "$ROOTFS" -- \
    sh -c 'stat -c %a cache; dd if=/dev/zero of=cache/big bs=1k count=2048; rm cache/big; echo in >cache/f; ls cache'
  [ "${lines[0]}" = 700 ]
  [[ $output == *"No space left on device"* ]]
  [ "${lines[-1]}" = f ]
  # the mount point is made in the volume, the data stays in the sandbox
  [ -d "$H/ws/cache" ]
  [ -z "$(ls -A "$H/ws/cache")" ]
  run ward run --tmpfs /run/t:noexec --rootfs "$ROOTFS" -- sh -c 'cp /bin/busybox /run/t/true && /run/t/true'
  [ "$status" -eq 126 ]
  [[ $output == *"Permission denied"* ]]
  run ward run --tmpfs /run/t --rootfs "$ROOTFS" -- sh -c 'cp /bin/busybox /run/t/true && /run/t/true'
  [ "$status" -eq 0 ]
  host_back "$before"
}

@test "SANDBOX_USER_ID: the workload runs as U and its files belong to the host user" {
  host_owner=$(stat -c %u "$H/ws")
  run env SANDBOX_USER_ID=1000 "$WARD" run -v "$H/ws:/workspace" --rootfs "$ROOTFS" -- \
    sh -c 'id -u; id -g; stat -c %u:%g a; echo made >made; mkdir dir'
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$output" = $'1000\n1000\n1000:1000' ]
  [ "$(stat -c %u "$H/ws/made" "$H/ws/dir" | sort -u)" = "$host_owner" ]
  # another U: the host owner still appears as U, and still owns what U makes
  run ward run --user-id 4242 -v "$H/ws:/workspace" --rootfs "$ROOTFS" -- sh -c 'stat -c %u a; echo x >made2'
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$output" = 4242 ]
  [ "$(stat -c %u "$H/ws/made2")" = "$host_owner" ]
}

@test "ro volumes and ward's own mounts are locked, even for a workload with SYS_ADMIN" {
  run ward run -v "$H/ref:/data:ro" --cap-add SYS_ADMIN --seccomp=unconfined --rootfs "$ROOTFS" -- sh -c '
    mount -o remount,rw,bind /data && echo REMOUNTED
    mount -o remount,rw,bind /data/sub && echo REMOUNTED-SUB
    umount /data && echo UNMOUNTED
    umount /proc/keys && echo UNMASKED
    mount -o remount,rw,bind /proc/sys && echo PROC-SYS-RW
    echo x >/data/new || echo refused
    mount -t tmpfs none /data/sub && echo own-mount-ok
    hostname other && hostname'
  [[ $output != *REMOUNTED* && $output != *UNMOUNTED* && $output != *UNMASKED* && $output != *PROC-SYS-RW* ]]
  [[ $output == *refused* && $output == *own-mount-ok* && $output == *other* ]]
  [ ! -e "$H/ref/new" ]
  host_back "$before"
}

@test "a directory swapped for a symlink while ward mounts never takes the volume outside the root" {
  root=$BATS_TEST_TMPDIR/race-root
  cp -a "$ROOTFS" "$root"
  mkdir "$root/target" "$BATS_TEST_TMPDIR/outside"
  ln -s "$BATS_TEST_TMPDIR/outside" "$root/decoy"
  echo marker >"$H/ref/marker"
  python3 - "$root/target" "$root/decoy" <<'PY' &
import ctypes, sys, time
libc = ctypes.CDLL(None, use_errno=True)
a, b = (p.encode() for p in sys.argv[1:3])
end = time.time() + 600  # killed when the runs are done; the bound only guards a lost test
while time.time() < end:
    libc.renameat2(-100, a, -100, b, 2)  # AT_FDCWD, RENAME_EXCHANGE
PY
  swapper=$!
  ok=0 refused=0
  for i in $(seq 60); do
    # mounted: on the directory, wherever the swapper has put it since, and nowhere else
    run ward run --read-only -w / -v "$H/ref:/target:ro" --rootfs "$root" -- sh -c '
      awk "\$5 == \"/target\" || \$5 == \"/decoy\" { found = 1 } END { exit !found }" /proc/self/mountinfo &&
        for try in $(seq 100); do { cat /target/marker || cat /decoy/marker; } 2>/dev/null && break; done'
    if [ "$status" -eq 0 ]; then
      [ "$output" = marker ] || { kill $swapper; echo "run $i: $output"; return 1; }
      ok=$((ok + 1))
    else
      [ "$status" -eq 125 ] || { kill $swapper; echo "run $i: $output"; return 1; }
      [[ $output == "ward: volume target /target: a symbolic link in the image"* ||
        $output == "ward: volume target /target: replaced while ward was mounting"* ||
        $output == "ward: volume $H/ref: not found at /target after mounting"* ]] ||
        { kill $swapper; echo "run $i: $output"; return 1; }
      refused=$((refused + 1))
    fi
  done
  kill $swapper; wait $swapper || true
  echo "mounted $ok, refused $refused" >&3
  [ -z "$(ls -A "$BATS_TEST_TMPDIR/outside")" ]
  host_back "$before"
}
