#!/usr/bin/env bats
# The adversarial suite: hostile code in a real sandbox, one test per attack class (the
# class or CVE is in each name), each ending with the host checked untouched: a sentinel
# file and its directory, the mount table, ward's links, cgroups and processes, and the
# ward binary itself. Classes covered in other files are listed in SECURITY.md.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
  build_rootfs
  export SENTINEL_DIR=$BATS_FILE_TMPDIR/sentinel
  mkdir -p "$SENTINEL_DIR"
  echo untouched >"$SENTINEL_DIR/file"
}

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  baseline
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

@test "CVE-2024-21626 class: no leaked fd, no working directory through /proc/self/fd" {
  # the caller holds a directory fd and a file fd open; neither reaches the workload
  exec 7<"$SENTINEL_DIR" 8<"$SENTINEL_DIR/file"
  run ward run --rootfs "$ROOTFS" -- sh -c 'probe fds; for n in $(seq 3 64); do cd /proc/self/fd/$n 2>/dev/null && echo "cd $n: $(pwd)"; done; pwd; readlink /proc/1/cwd || echo "init cwd: closed"'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "0 1 2" ]
  [ "${lines[1]}" = / ]
  [ "${lines[2]}" = "init cwd: closed" ]
  # a working directory that names one of those fds finds nothing behind it
  run ward run -w /proc/self/fd/7 --rootfs "$ROOTFS" -- pwd
  [ "$status" -ne 0 ]
  [[ $output != *sentinel* ]]
  id=$(ward create --rootfs "$ROOTFS")
  run ward exec -w /proc/self/fd/7 "$id" pwd
  [ "$status" -ne 0 ]
  [[ $output != *sentinel* ]]
  run ward exec "$id" sh -c 'probe fds; ls /proc/1/fd 2>&1'
  [ "${lines[0]}" = "0 1 2" ]
  exec 7<&- 8<&-
  ward rm -f "$id" >/dev/null
  settled
}

@test "CVE-2019-5736 class: the ward binary cannot be reached through /proc/PID/exe" {
  id=$(ward create --rootfs "$ROOTFS")
  # inside: every /proc/N/exe, opened for writing, also through an O_PATH-style reopen, while
  # the host runs execs into the sandbox
  ward exec "$id" sh -c 'end=$(($(date +%s) + 3)); while [ $(date +%s) -lt $end ]; do for e in /proc/[0-9]*/exe; do probe write "$e" >>/tmp/attempts; probe write "/proc/self/fd/../../$(basename $(dirname $e))/exe" >>/tmp/attempts; done; done; true' &
  attacker=$!
  for _ in $(seq 20); do ward exec "$id" true; done
  wait "$attacker"
  run ward exec "$id" sh -c 'grep -c . /tmp/attempts; grep -c written /tmp/attempts'
  [ "${lines[0]}" -gt 0 ]
  [ "${lines[1]}" = 0 ]
  # init is the ward binary, and not dumpable: its exe link is closed to the sandbox
  run ward exec "$id" readlink /proc/1/exe
  [ "$status" -ne 0 ]
  ward rm -f "$id" >/dev/null
  settled
}

@test "CVE-2016-9962 class: ward's own processes cannot be ptraced, even with CAP_SYS_PTRACE" {
  for caps in "" "--cap-add SYS_PTRACE"; do
    # PTRACE_ATTACH (16) and PTRACE_SEIZE (0x4206) on init
    run ward run $caps --rootfs "$ROOTFS" -- sh -c 'probe sys 101 16 1; probe sys 101 0x4206 1 0 0'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "ret -1 errno 1" ]
    [ "${lines[1]}" = "ret -1 errno 1" ]
  done
  settled
}

@test "CVE-2021-30465 class: a mount target swapped for a symlink mid-start mounts nothing on the host" {
  shared=$BATS_TEST_TMPDIR/shared
  mkdir -p "$shared/d" "$BATS_TEST_TMPDIR/target"
  echo target >"$BATS_TEST_TMPDIR/target/marker"
  ln -s / "$shared/l"
  # a rw volume must not belong to host root
  rootless || chown -hR 65534:65534 "$shared"
  # the attacker swaps d (a directory) and l (a symlink to /) as fast as it can
  "$WARD" run -v "$shared:/shared" --rootfs "$ROOTFS" -- probe exchange /shared/d /shared/l 6 >"$BATS_TEST_TMPDIR/attacker" &
  attacker=$!
  sleep 0.3
  landed=0 refused=0
  for _ in $(seq 30); do
    # the mount follows the directory, under whichever name the attacker left it
    if out=$(ward run -v "$shared:/shared" -v "$BATS_TEST_TMPDIR/target:/shared/d:ro" --rootfs "$ROOTFS" -- sh -c 'for i in $(seq 50); do cat /shared/d/marker 2>/dev/null && break; cat /shared/l/marker 2>/dev/null && break; done; if [ -e /marker ]; then echo ESCAPED; fi' 2>&1); then
      [ "$out" = target ] || { echo "mounted elsewhere: $out"; return 1; }
      landed=$((landed + 1))
    else
      # refused: a symlink met while resolving, or the mount found elsewhere afterwards
      [[ $out == "ward: volume "*"/shared/d"* ]] || { echo "unexpected: $out"; return 1; }
      refused=$((refused + 1))
    fi
  done
  wait "$attacker"
  grep -q exchanged "$BATS_TEST_TMPDIR/attacker"
  echo "landed $landed, refused $refused"
  [ $((landed + refused)) -eq 30 ]
  # whatever the race gave, the host's root is untouched and nothing is mounted on it
  [ ! -e /marker ]
  settled
}

@test "CVE-2019-19921, CVE-2023-27561 class: /proc, /sys or /dev as symlinks in the image are refused" {
  for dir in proc sys dev; do
    bad=$BATS_TEST_TMPDIR/bad-$dir
    cp -a "$ROOTFS" "$bad"
    rm -rf "${bad:?}/$dir"
    ln -s /tmp "$bad/$dir"
    run ward run --rootfs "$bad" -- true
    [ "$status" -eq 125 ]
    [[ $output == *"/$dir"* ]]
  done
  settled
}

@test "CVE-2025-31133, CVE-2025-52565 class: an image's /dev/null or /dev/console as a symlink changes nothing" {
  bad=$BATS_TEST_TMPDIR/devlinks
  cp -a "$ROOTFS" "$bad"
  mkdir -p "$bad/dev"
  ln -sf /proc/sys/kernel/core_pattern "$bad/dev/null"
  ln -sf /proc/sys/kernel/core_pattern "$bad/dev/console"
  run ward run --rootfs "$bad" -- sh -c 'stat -c "%t:%T" /dev/null; wc -c </proc/keys; echo "|/tmp/x" >/proc/sys/kernel/core_pattern || echo refused; echo "|/tmp/x" >/dev/console || echo refused'
  [ "${lines[0]}" = "1:3" ]
  [ "${lines[1]}" = 0 ]
  [[ $output == *refused* ]]
  settled
}

@test "core_pattern, sysrq and sysctl writes fail, even with every capability and no filter" {
  for opts in "" "--cap-add ALL --seccomp=unconfined"; do
    run ward run $opts --rootfs "$ROOTFS" -- sh -c 'echo "|/tmp/x" >/proc/sys/kernel/core_pattern; echo c >/proc/sysrq-trigger; echo 1 >/proc/sys/vm/drop_caches; mount -o remount,rw /proc/sys 2>&1 || echo no-remount; umount /proc/keys 2>&1 || echo no-umount; wc -c </proc/keys'
    [[ $output == *no-remount* ]]
    [[ $output == *no-umount* ]]
    [ "${lines[-1]}" = 0 ]
  done
  settled
}

@test "kernel keyrings (not namespaced): every keyring call fails, /proc/keys is empty" {
  run ward run --rootfs "$ROOTFS" -- sh -c 'probe expect-errno 1 keyctl add_key request_key; wc -c </proc/keys'
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = 0 ]
  settled
}

@test "CVE-2022-29162 class: file capabilities and setuid bits give a workload nothing" {
  caps=$BATS_TEST_TMPDIR/caps
  cp -a "$ROOTFS" "$caps"
  cp "$PROBE" "$caps/bin/cap-probe"
  # rootless: a namespaced file capability (v3), which the sandbox's user namespace honours
  if rootless; then
    unshare -Ur setcap cap_sys_admin,cap_net_admin+eip "$caps/bin/cap-probe"
  else
    setcap cap_sys_admin,cap_net_admin+eip "$caps/bin/cap-probe"
  fi
  # no_new_privs: the kernel refuses to run a binary whose file capabilities it cannot grant
  run ward run -u 1000 --rootfs "$caps" -- sh -c 'cap-probe status || echo refused; suid-probe euid; probe status'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "sh: cap-probe: Operation not permitted" ]
  [ "${lines[1]}" = refused ]
  [ "${lines[2]}" = "euid 1000 uid 1000" ]
  for set in Inh Prm Eff Amb; do [[ $output == *"Cap$set:	0000000000000000"* ]]; done
  [[ $output == *"NoNewPrivs:	1"* ]]
  # container root: inheritable and ambient stay empty, so nothing is raised across exec
  run ward run --rootfs "$caps" -- probe status
  [[ $output == *"CapInh:	0000000000000000"* ]]
  [[ $output == *"CapAmb:	0000000000000000"* ]]
  settled
}

@test "CVE-2022-0492 class: no cgroup v1 hierarchy can be mounted for its release_agent" {
  for opts in "" "--cap-add ALL --seccomp=unconfined"; do
    run ward run $opts --rootfs "$ROOTFS" -- sh -c 'mkdir -p /tmp/cg; for c in memory pids rdma cpu; do mount -t cgroup -o $c cgroup /tmp/cg 2>/dev/null && echo "mounted $c"; done; unshare -Urm sh -c "mount -t cgroup -o memory cgroup /tmp/cg && echo nested-mounted" 2>/dev/null; ls /tmp/cg'
    [[ $output != *mounted* ]]
  done
  settled
}

@test "pid namespace: only the sandbox's processes are visible and kill -9 -1 spares the host" {
  sleep 300 &
  sentinel=$!
  run ward run --rootfs "$ROOTFS" -- sh -c 'ls /proc | grep -c "^[0-9]"; probe killall'
  kill -0 "$sentinel"
  kill "$sentinel"
  [ "$status" -eq 0 ]
  # init, sh, ls and grep at most
  [ "${lines[0]}" -le 4 ]
  settled
}

@test "netns sharing: the host's loopback and abstract unix sockets are out of reach" {
  port=$((RANDOM % 10000 + 40000))
  name="ward-test-$RANDOM"
  "$PROBE" listen tcp "$port" >"$BATS_TEST_TMPDIR/tcp" &
  tcp=$!
  "$PROBE" listen abstract "$name" >"$BATS_TEST_TMPDIR/abs" &
  abs=$!
  eventually grep -q listening "$BATS_TEST_TMPDIR/tcp"
  eventually grep -q listening "$BATS_TEST_TMPDIR/abs"
  # the listeners are reachable from the host itself ...
  "$PROBE" connect tcp "$port"
  "$PROBE" connect abstract "$name"
  # ... and not from the sandbox
  run ward run --rootfs "$ROOTFS" -- probe connect tcp "$port"
  r1=$status o1=$output
  run ward run --rootfs "$ROOTFS" -- probe connect abstract "$name"
  r2=$status o2=$output
  kill "$tcp" "$abs"
  [ "$r1" -eq 1 ]
  [ "$o1" = "Connection refused" ]
  [ "$r2" -eq 1 ]
  [ "$o2" = "Connection refused" ]
  settled
}

@test "CVE-2017-5226, CVE-2019-10063 class: TIOCSTI and TIOCLINUX are refused, high-bits trick included, and nothing is injected" {
  run script -qec "$WARD run -t --rootfs $ROOTFS -- sh -c 'probe tiocsti 0; probe tiocsti 1; probe sys 16 0 0x541C 0; probe sys 16 0 0x10000541C 0'" /dev/null
  [[ ${lines[0]} == "Operation not permitted"* ]]
  [[ ${lines[1]} == "Operation not permitted"* ]]
  [[ ${lines[2]} == "ret -1 errno 1"* ]]
  [[ ${lines[3]} == "ret -1 errno 1"* ]]
  # Unconfined, the same call reaches the kernel (it injects where legacy TIOCSTI is on).
  if [ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null)" = 1 ]; then
    run script -qec "$WARD run -t --seccomp=unconfined --rootfs $ROOTFS -- probe tiocsti 1" /dev/null
    [[ $output == *injected* ]]
  fi
  settled
}

@test "CVE-2017-5226 class: TIOCSTI on an inherited terminal without -t cannot reach the caller's terminal" {
  run script -qec "$WARD run --rootfs $ROOTFS -- probe tiocsti 0; $WARD run --seccomp=unconfined --rootfs $ROOTFS -- probe tiocsti 0" /dev/null
  [[ ${lines[0]} == "Operation not permitted"* ]]
  # unconfined it still fails: the workload's session has no controlling terminal
  [[ ${lines[2]} != *injected* ]]
  settled
}

@test "seccomp bypass through other ABIs: the i386 and x32 entry points are closed" {
  # getpid (20) and unshare(CLONE_NEWUSER) (310) through int 0x80; x32 getpid and unshare
  run ward run --rootfs "$ROOTFS" -- sh -c 'probe int80 20; probe int80 310 0x10000000; probe sys 0x40000027; probe sys 0x40000110 0x10000000'
  if host_has_i386; then
    [ "${lines[0]}" = "ret -38" ]
    [ "${lines[1]}" = "ret -38" ]
    # unconfined, int 0x80 works on this kernel: the filter is what closed it
    run ward run --seccomp=unconfined --rootfs "$ROOTFS" -- probe int80 20
    [[ ${lines[-1]} == "ret "[0-9]* ]]
  else
    # a kernel without ia32 emulation kills int 0x80 (SIGSEGV): nothing to close, but
    # nothing may get through either
    [[ $output != *"ret "[0-9]* ]]
  fi
  [[ $output == *"ret -1 errno 38"*"ret -1 errno 38"* ]]
  settled
}
