#!/usr/bin/env bats
# Escaping the sandbox's cgroup limits. Also run by the cgroup v2 VM (tests/vm/stage2), with
# limits.bats.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { build_rootfs; }

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  baseline
}

@test "CVE-2023-25809, CVE-2022-0492 class: the sandbox cannot raise its own limits, even given CAP_SYS_ADMIN and no filter" {
  enforceable || skip "no delegated cgroup for this user"
  # default: the cgroup namespace shows its own cgroups as /, and no cgroupfs is mounted
  run ward run --memory 64m --rootfs "$ROOTFS" -- sh -c 'cat /proc/self/cgroup; ls -A /sys/fs/cgroup | wc -l'
  [[ $output != *"/ward"* ]]
  [ "${lines[-1]}" = 0 ]
  # given the means to mount cgroupfs (CVE-2022-0492's path), every write is refused ...
  run ward run --json --memory 32m --cap-add SYS_ADMIN --seccomp=unconfined --rootfs "$ROOTFS" -- sh -c '
    mkdir -p /tmp/v1 /tmp/v2
    # v1 exists only where a v1 memory hierarchy does (hybrid hosts)
    if mount -t cgroup -o memory none /tmp/v1; then
      echo 999999999 >/tmp/v1/memory.limit_in_bytes && echo RAISED
      echo /x >/tmp/v1/release_agent && echo RAISED
    fi
    # were cgroup2 mountable, the sandbox would see only its own leaf, and the limit sits
    # above it (rootless, the leaf even belongs to container root)
    if mount -t cgroup2 none /tmp/v2; then
      echo v2-mounted
      [ -e /tmp/v2/memory.max ] && echo max >/tmp/v2/memory.max
      echo /x >/tmp/v2/release_agent && echo RAISED
    fi
    probe alloc 100'
  # a workload keeping SYS_ADMIN runs in a nested user namespace that does not own the
  # sandbox's cgroup namespace: mounting cgroupfs is refused outright
  [[ $output != *v2-mounted* ]]
  [[ $output != *RAISED* ]]
  # ... and the limit still fires
  [ "$status" -eq 137 ]
  [[ $output == *'"reason":"oom"'* ]]
  settled
}
