#!/usr/bin/env bats
# ward run: isolation, exit status and I/O, against the real kernel. Runs as root and, via
# ctest, as an unprivileged user.

load helpers

setup_file() { build_rootfs; }

@test "exit code of the workload is ward's exit code" {
  run ward run --rootfs "$ROOTFS" -- probe exit 7
  [ "$status" -eq 7 ]
  run ward run --rootfs "$ROOTFS" -- probe exit 0
  [ "$status" -eq 0 ]
}

@test "death by signal N exits 128+N and the JSON says signaled" {
  run ward run --json --rootfs "$ROOTFS" -- probe raise 15
  [ "$status" -eq 143 ]
  [[ $output == *'"reason":"signaled"'* ]]
  [[ $output == *'"signal":15'* ]]
  [[ $output == *'"exitCode":143'* ]]
}

@test "stdout and stderr pass through separately; stdin with -i" {
  out=$(echo hello | "$WARD" run -i --rootfs "$ROOTFS" -- sh -c 'cat; echo oops >&2' 2>"$BATS_TEST_TMPDIR/err")
  [ "$out" = hello ]
  [ "$(cat "$BATS_TEST_TMPDIR/err")" = oops ]
}

@test "without -i stdin is /dev/null" {
  out=$(echo secret | "$WARD" run --rootfs "$ROOTFS" -- cat)
  [ -z "$out" ]
}

@test "-t gives the workload a terminal from the sandbox's own devpts" {
  run script -qec "$WARD run -t --rootfs $ROOTFS -- sh -c 'probe tty; readlink /proc/self/fd/0'" /dev/null
  [ "$status" -eq 0 ]
  [[ $output == *"tty 1 1 1"* ]]
  [[ $output == *"/dev/pts/0"* ]]
}

@test "hostname is the sandbox's own" {
  before=$(hostname)
  run ward run --hostname box.test --rootfs "$ROOTFS" -- hostname
  [ "$output" = box.test ]
  run ward run --rootfs "$ROOTFS" -- hostname
  [ "$output" = ward ]
  [ "$(hostname)" = "$before" ]
}

@test "no_new_privs set, inheritable and ambient empty, bounding set is the default" {
  run ward run --rootfs "$ROOTFS" -- probe status
  [ "$status" -eq 0 ]
  [[ $output == *$'NoNewPrivs:\t1'* ]]
  [[ $output == *$'CapInh:\t0000000000000000'* ]]
  [[ $output == *$'CapAmb:\t0000000000000000'* ]]
  [[ $output == *$'CapBnd:\t00000000a00405fb'* ]]
  [[ $output == *$'CapEff:\t00000000a00405fb'* ]]
}

@test "a non-root user has no capabilities and a setuid-root binary gains nothing" {
  run ward run -u 1000 --rootfs "$ROOTFS" -- probe status
  [[ $output == *$'CapEff:\t0000000000000000'* ]]
  [[ $output == *$'CapPrm:\t0000000000000000'* ]]
  run ward run -u 1000 --rootfs "$ROOTFS" -- suid-probe euid
  [ "$status" -eq 0 ]
  [ "$output" = "euid 1000 uid 1000" ]
}

@test "the workload holds only fds 0, 1 and 2, whatever ward inherited" {
  exec 7</etc/hostname
  run ward run --rootfs "$ROOTFS" -- probe fds
  exec 7<&-
  [ "$output" = "0 1 2" ]
}

@test "writes to /proc/sys, /proc/sysrq-trigger and /sys fail" {
  for p in /proc/sys/kernel/core_pattern /proc/sysrq-trigger /sys/kernel/uevent_helper /proc/sys/vm/drop_caches; do
    run ward run --rootfs "$ROOTFS" -- probe write "$p"
    [ "$status" -eq 1 ]
    if [ -e "$p" ]; then
      [[ $output == *"Read-only file system"* || $output == *"Permission denied"* ]]
    fi
  done
}

@test "masked paths read empty" {
  [ "$(head -c1 /proc/interrupts | wc -c)" -eq 1 ] # the host itself sees content
  for p in /proc/kcore /proc/keys /proc/timer_list /proc/interrupts; do
    [ -e "$p" ] || continue # not built into this kernel
    run ward run --rootfs "$ROOTFS" -- probe read "$p"
    [ "$output" = 0 ]
  done
  # masked directories list nothing: only their own headers and blank lines
  run ward run --rootfs "$ROOTFS" -- ls -A /sys/firmware /proc/acpi
  [ "$status" -eq 0 ]
  [ "$(grep -vc -e ':$' -e '^$' <<<"$output")" -eq 0 ]
  [ -n "$(ls -A /sys/firmware)" ] # the host itself has content there
}

@test "the root directory is unchanged after the workload writes everywhere" {
  before=$(tree_digest "$ROOTFS")
  run ward run --rootfs "$ROOTFS" -- sh -c '
    for d in / /bin /etc /tmp /root; do echo x >"$d/new" || exit 1; done
    rm /bin/ls && chmod 000 /etc/passwd && echo evil >>/etc/group && mkdir -p /a/b/c &&
    mv /etc /etc2 && cat /new'
  [ "$status" -eq 0 ]
  [ "$output" = x ]
  [ "$(tree_digest "$ROOTFS")" = "$before" ]
  # and each start gets a fresh layer
  run ward run --rootfs "$ROOTFS" -- cat /new
  [ "$status" -ne 0 ]
}

@test "--read-only gives a read-only root" {
  run ward run --read-only --rootfs "$ROOTFS" -- probe write /newfile
  [ "$status" -eq 1 ]
  [[ $output == *"Read-only file system"* ]]
}

@test "orphans are reaped by init" {
  run ward run --rootfs "$ROOTFS" -- probe orphans 5
  [ "$output" = "zombies 0" ]
}

@test "the network namespace holds only lo, up" {
  run ward run --rootfs "$ROOTFS" -- probe links
  [ "$output" = lo ]
  run ward run --rootfs "$ROOTFS" -- cat /sys/class/net/lo/operstate
  [[ $output == unknown || $output == up ]]
}

@test "--timeout kills the whole tree and reports timeout" {
  marker=$((RANDOM + 40000))
  run ward run --json --timeout 1 --rootfs "$ROOTFS" -- sh -c "sleep $marker & sleep $marker & wait"
  [ "$status" -eq 137 ]
  [[ $output == *"timeout"* ]]
  [[ $output == *'"reason":"timeout"'* ]]
  ! pgrep -f "sleep $marker" || false
}

@test "SIGTERM to ward reaches the workload through init" {
  "$WARD" run --rootfs "$ROOTFS" -- probe wait-signal >"$BATS_TEST_TMPDIR/out" &
  pid=$!
  eventually grep -q ready "$BATS_TEST_TMPDIR/out"
  kill -TERM "$pid"
  wait "$pid" || status=$?
  [ "$status" -eq 42 ]
  grep -q "got signal 15" "$BATS_TEST_TMPDIR/out"
}

@test "SIGKILL of ward run leaves no process, mount or cgroup behind" {
  before=$(host_state)
  marker=$((RANDOM + 40000))
  "$WARD" run --rootfs "$ROOTFS" -- sleep "$marker" &
  pid=$!
  eventually pgrep -f "sleep $marker"
  kill -KILL "$pid"
  wait "$pid" || true
  for _ in $(seq 100); do pgrep -f "sleep $marker" >/dev/null || break; sleep 0.05; done
  ! pgrep -f "sleep $marker" || false
  # the next ward command removes the dead supervisor's empty cgroup
  ward run --rootfs "$ROOTFS" -- true
  host_back "$before"
}

@test "environment, env-file, workdir and user" {
  printf 'FROMFILE=yes\n# comment\n' >"$BATS_TEST_TMPDIR/env"
  run ward run -e A=1 -e B="two words" --env-file "$BATS_TEST_TMPDIR/env" -w /etc -u 1000:1000 \
    --rootfs "$ROOTFS" -- sh -c 'echo "$A|$B|$FROMFILE|$(pwd)|$(id -u):$(id -g)|$HOME"'
  [ "$output" = "1|two words|yes|/etc|1000:1000|/" ]
  # the host's environment does not leak in
  run env LEAK=1 "$WARD" run --rootfs "$ROOTFS" -- sh -c 'echo "${LEAK:-none}"'
  [ "$output" = none ]
}

@test "-u takes names from the root's own passwd and group; an unlisted uid keeps its number" {
  run ward run -u user --rootfs "$ROOTFS" -- sh -c 'echo $(id -u):$(id -g)'
  [ "$output" = "1000:1000" ]
  run ward run -u nobody:tty --rootfs "$ROOTFS" -- sh -c 'echo $(id -u):$(id -g)'
  [ "$output" = "65534:5" ]
  run ward run -u 4242 --rootfs "$ROOTFS" -- sh -c 'echo $(id -u):$(id -g)'
  [ "$output" = "4242:4242" ]
}

@test "--rlimit applies to the workload" {
  run ward run --rlimit nofile=64:128 --rootfs "$ROOTFS" -- probe rlimit nofile
  [ "$output" = "64 128" ]
}

@test "init shows no host path or ward command line to the sandbox" {
  run ward run --rootfs "$ROOTFS" -- cat /proc/1/cmdline
  [ "$status" -eq 0 ]
  [[ $output != *"$ROOTFS"* ]]
  [[ $(tr '\0' ' ' <<<"$output") == "ward-init"* ]]
}

