#!/usr/bin/env bats
# Resource limits: each limit really fires, the result names it, nothing leaks.

load helpers

setup_file() { build_rootfs; }

# This test's sandbox cgroups (see own_cgroups), none once it is over.
no_cgroups() { [ -z "$(own_cgroups)" ]; }

setup() {
  eventually no_cgroups || { echo "leftover cgroups before the test: $(own_cgroups)"; return 1; }
}

teardown() {
  eventually no_cgroups || { echo "cgroups left behind: $(own_cgroups)"; return 1; }
}

@test "memory: going over --memory kills the sandbox and the result says oom" {
  enforceable || skip "no delegated cgroup for this user (see the rootless tests below)"
  run ward run --json --memory 32m --rootfs "$ROOTFS" -- probe alloc 200
  [ "$status" -eq 137 ]
  [[ ${lines[0]} == "ward: oom: the sandbox went over its memory limit (33554432 bytes)"* ]]
  [[ ${lines[1]} == *'"reason":"oom"'* ]]
  [[ ${lines[1]} =~ \"oomKills\":[1-9] ]]
  # under the limit the same program runs to the end
  run ward run --memory 64m --rootfs "$ROOTFS" -- probe alloc 16
  [ "$status" -eq 0 ]
  [ "$output" = "allocated 16 MiB" ]
}

@test "memory: writes to the writable layer count against --memory" {
  enforceable || skip "no delegated cgroup for this user"
  run ward run --json --memory 32m --rootfs "$ROOTFS" -- probe fill /tmp/big 200
  # tmpfs pages are charged to the sandbox and cannot be reclaimed without swap
  [ "$status" -eq 137 ] || { echo "$output"; return 1; }
  [[ $output == *'"reason":"oom"'* ]]
  [[ $output =~ \"oomKills\":[1-9] ]]
}

@test "pids: a fork bomb gets EAGAIN, the host's process count stays flat" {
  enforceable || skip "no delegated cgroup for this user"
  before=$(ls /proc | grep -c '^[0-9]')
  run ward run --json --pids 20 --rootfs "$ROOTFS" -- probe forkbomb 100000
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == "forked "1[0-9]", then Resource temporarily unavailable" ]]
  [[ $output == *"ward: pids limit (20) refused"* ]] || { echo "$output"; return 1; }
  [[ $output =~ \"pidsLimitHits\":[1-9] ]]
  after=$(ls /proc | grep -c '^[0-9]')
  [ "$((after - before))" -lt 10 ]
}

@test "cpu: --cpus 0.5 gives about half a core" {
  enforceable || skip "no delegated cgroup for this user"
  # The limited and an unlimited spinner side by side, so both meet the same host load.
  ward run --rootfs "$ROOTFS" -- probe spin 3 >"$BATS_TEST_TMPDIR/free" &
  run ward run --cpus 0.5 --rootfs "$ROOTFS" -- probe spin 3
  wait $!
  pct=${output#cpu }
  pct=${pct%\%}
  free=$(sed -n 's/^cpu \([0-9]*\)%$/\1/p' "$BATS_TEST_TMPDIR/free")
  echo "limited $pct%, unlimited $free%"
  [ "$pct" -le 70 ]
  # Where the host had a core to give (the unlimited one got it), the limited one had its
  # half; on a host busy with others' work the cap is all there is to see.
  if [ "$free" -ge 75 ]; then [ "$pct" -ge 30 ]; else echo "host busy: unlimited got $free%" >&3; fi
}

@test "cpuset and cpu-weight are applied" {
  enforceable || skip "no delegated cgroup for this user"
  run ward run --cpu-weight 50 --rootfs "$ROOTFS" -- true
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  run ward run --cpuset 0 --rootfs "$ROOTFS" -- grep Cpus_allowed_list /proc/self/status
  if rootless && [ "$status" -ne 0 ]; then
    # a delegation may withhold cpuset: the refusal must say so
    [[ $output == "ward: resource limits: enabling cpuset in "*"(the delegation withholds this controller;"* ]]
    return 0
  fi
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [[ $output == *$'\t0' ]]
}

@test "disk: --disk gives ENOSPC for bytes and for inodes, the host disk does not move" {
  # the filesystem of the image's tree, where writes that got past the sandbox's scratch
  # would land (not /: in the VM that is the host's disk, which the host may be using)
  # (other tests may write to that filesystem meanwhile: a leak shows in every one of three
  # tries, their writes not)
  local try grew
  for try in 1 2 3; do
    before=$(df --output=used "$ROOTFS" | tail -1)
    run ward run --disk 8m --rootfs "$ROOTFS" -- probe fill /tmp/big 100
    [ "$output" = "wrote 8 MiB, then No space left on device" ] || [ "$output" = "wrote 7 MiB, then No space left on device" ]
    run ward run --disk 8m --rootfs "$ROOTFS" -- probe files /tmp 100000
    [[ $output == "created "*", then No space left on device" ]]
    after=$(df --output=used "$ROOTFS" | tail -1)
    grew=$((after - before))
    ((grew < 4096)) && break # KiB: the 8 MiB went nowhere on the host
  done
  [ "$grew" -lt 4096 ]
}

@test "bad limits are refused before anything is created" {
  for args in "--memory abc" "--memory 0" "--memory -5m" "--memory 1k" "--pids 0" "--pids 1" \
    "--cpus 0" "--cpus 999" "--cpus x" "--cpu-weight 0" "--cpu-weight 10001" "--cpuset 99" \
    "--cpuset 1-0" "--io-max sda" "--io-max 8:0:speed=1" "--io-max /etc/passwd:rbps=1m" \
    "--disk 10" "--limits loose" "--memory-swap x"; do
    run ward run $args --rootfs "$ROOTFS" -- true
    [ "$status" -eq 125 ] && [ "${#lines[@]}" -eq 1 ] || { echo "$args: $output"; return 1; }
    [[ $output == "ward: --"* ]] || { echo "$args: $output"; return 1; }
  done
  run ward run --cpus 999 --rootfs "$ROOTFS" -- true
  [[ $output == *"must be between 0.01 and"* ]]
  run ward run --disk 1g --read-only --rootfs "$ROOTFS" -- true
  [[ $output == "ward: --disk with --read-only"* ]]
}

@test "rootless without a delegated cgroup: a clear refusal, or rlimits with --limits best-effort" {
  enforceable && skip "this caller has cgroups"
  run ward run --memory 64m --rootfs "$ROOTFS" -- true
  [ "$status" -eq 125 ]
  [[ $output == "ward: resource limits: rootless ward needs a cgroup v2 subtree delegated"*"--limits best-effort"* ]]
  run ward run --json --limits best-effort --memory 64m --pids 50 --cpus 1 --rootfs "$ROOTFS" -- sh -c 'ulimit -v; ulimit -u'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 65536 ]
  [ "${lines[1]}" = 50 ]
  [[ $output == *"ward: limits: best-effort: memory as RLIMIT_AS, pids as RLIMIT_NPROC; cpu, cpuset and io limits are not enforced"* ]]
  [[ $output == *'"limits":"best-effort'* ]]
  # and the address-space limit really holds
  run ward run --limits best-effort --memory 32m --rootfs "$ROOTFS" -- probe alloc 64
  [[ $output == "malloc failed after"* ]]
}

@test "the run result reports peak memory and CPU time" {
  enforceable || skip "no delegated cgroup for this user"
  run ward run --json --memory 128m --rootfs "$ROOTFS" -- probe alloc 20
  [[ $output =~ \"memoryPeakBytes\":([0-9]+) ]]
  [ "${BASH_REMATCH[1]}" -ge $((20 << 20)) ]
  [[ $output =~ \"cpuTimeMs\":[0-9]+ ]]
}
