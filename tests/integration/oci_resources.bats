#!/usr/bin/env bats
# ward-runc's linux.resources on the real cgroups of the host it runs on: hybrid v1 here, and
# pure cgroup v2 in the project's VM (tests/vm/stage2 runs this file there). Root only: the
# container's cgroup is made at a cgroupsPath of the test's own and checked from the host.

load helpers
bats_require_minimum_version 1.5.0

WARD_RUNC=${WARD_RUNC:-$(dirname "$WARD")/ward-runc}

setup_file() {
  [[ $(id -u) -eq 0 ]] || return 0
  build_rootfs
}

setup() {
  [[ $(id -u) -eq 0 ]] || skip "root only: the cgroups are the host's"
  export OCIROOT=$BATS_TEST_TMPDIR/root
  CG=/ward-oci-res-$$-$BATS_TEST_NUMBER
  ID=res$BATS_TEST_NUMBER
}

teardown() {
  [[ $(id -u) -eq 0 ]] || return 0
  wr delete --force "$ID" >/dev/null 2>&1 || true
  local d
  for d in /sys/fs/cgroup$CG /sys/fs/cgroup/*$CG; do
    [[ -d $d ]] && rmdir "$d" 2>/dev/null
  done
  return 0
}

wr() { "$WARD_RUNC" --root "$OCIROOT" "$@" 3>&-; }

v2() { [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; }

# bundle RESOURCES-JSON ARGS...: a bundle in $B whose process runs ARGS in cgroup $CG with
# these linux.resources, its root read-only; the config is written without runc (the VM has
# only what its host filesystem has).
bundle() {
  local res=$1
  shift
  B=$BATS_TEST_TMPDIR/bundle
  mkdir -p "$B"
  local args
  args=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
  jq -n --arg root "$ROOTFS" --arg cg "$CG" --argjson args "$args" --argjson res "$res" '{
    ociVersion: "1.0.2",
    process: {terminal: false, user: {uid: 0, gid: 0}, args: $args, cwd: "/",
      env: ["PATH=/bin:/sbin:/usr/bin"],
      capabilities: {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]},
      noNewPrivileges: true},
    root: {path: $root, readonly: true},
    mounts: [{destination: "/proc", type: "proc", source: "proc"},
             {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "mode=755"]},
             {destination: "/tmp", type: "tmpfs", source: "tmpfs"}],
    linux: {namespaces: [{type: "pid"}, {type: "mount"}, {type: "ipc"}, {type: "uts"},
                         {type: "network"}],
            cgroupsPath: $cg, resources: $res}
  }' >"$B/config.json"
}

# The container's cgroup file NAME (v2) or V1DIR/V1NAME (v1).
cgfile() {
  if v2; then echo "/sys/fs/cgroup$CG/$1"; else echo "/sys/fs/cgroup/$2$CG/$3"; fi
}

@test "memory: the limit is the cgroup's, and a process over it is OOM-killed" {
  bundle '{"memory": {"limit": 33554432}}' sleep 60
  wr create --bundle "$B" "$ID"
  [ "$(cat "$(cgfile memory.max memory memory.limit_in_bytes)")" = 33554432 ]
  wr delete --force "$ID"
  bundle '{"memory": {"limit": 33554432}}' dd if=/dev/zero of=/dev/null bs=64M count=1
  run wr run --bundle "$B" "$ID"
  [ "$status" -eq 137 ]
}

@test "pids: a fork loop stops at the limit" {
  bundle '{"pids": {"limit": 8}}' sleep 60
  wr run -d --bundle "$B" "$ID"
  # busybox sh gives up at its first failed fork: it runs as an exec, the container stays;
  # the sleeps let go of the output pipe, which bats reads to its end
  run wr exec "$ID" sh -c 'i=0; while [ $i -lt 30 ]; do sleep 60 >/dev/null 2>&1 & i=$((i+1)); done'
  [ "$status" -ne 0 ]
  [[ $output == *"can't fork"* ]]
  [ "$(cat "$(cgfile pids.max pids pids.max)")" = 8 ]
  [ "$(cat "$(cgfile pids.current pids pids.current)")" -le 8 ]
  [ "$(wr ps --format json "$ID" | jq length)" -ge 5 ]
}

@test "cpu: quota and period, and update changes them while it runs" {
  bundle '{"cpu": {"quota": 50000, "period": 100000}}' sleep 60
  wr run -d --bundle "$B" "$ID"
  if v2; then
    [ "$(cat /sys/fs/cgroup$CG/cpu.max)" = "50000 100000" ]
  else
    [ "$(cat /sys/fs/cgroup/cpu$CG/cpu.cfs_quota_us)" = 50000 ]
  fi
  echo '{"cpu": {"quota": 20000, "period": 100000}, "memory": {"limit": 67108864}}' >"$B/res.json"
  wr update --resources "$B/res.json" "$ID"
  if v2; then
    [ "$(cat /sys/fs/cgroup$CG/cpu.max)" = "20000 100000" ]
  else
    [ "$(cat /sys/fs/cgroup/cpu$CG/cpu.cfs_quota_us)" = 20000 ]
  fi
  [ "$(cat "$(cgfile memory.max memory memory.limit_in_bytes)")" = 67108864 ]
}

# kmsg (1:11) is not among the nodes runc's defaults allow: the rules decide alone. Only the
# open is tried (write-only: no capability needed, and nothing reaches the kernel's log);
# its driver is in every kernel, the VM's too.
@test "devices: a node the config makes but the device cgroup denies cannot be opened" {
  local deny='{"devices": [{"allow": false, "access": "rwm"}]}'
  local allow='{"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rwm"}]}'
  for res in "$deny" "$allow"; do
    bundle "$res" sh -c 'echo x >/dev/null && echo null-ok; exec 3>/dev/node && echo opened'
    jq '.linux.devices = [{path: "/dev/node", type: "c", major: 1, minor: 11, fileMode: 438}]' \
      "$B/config.json" >"$B/c" && mv "$B/c" "$B/config.json"
    run wr run --bundle "$B" "$ID"
    [[ $output == *null-ok* ]]
    if [[ $res == "$deny" ]]; then
      [[ $output == *"Operation not permitted"* && $output != *opened* ]]
    else
      [[ $output == *opened* ]]
    fi
  done
}

@test "pause and resume freeze the container's processes" {
  bundle '{}' sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.05; done'
  wr run -d --bundle "$B" "$ID"
  sleep 0.5
  wr pause "$ID"
  [ "$(wr state "$ID" | jq -r .status)" = paused ]
  local pid a b
  pid=$(wr state "$ID" | jq -r .pid)
  a=$(cat /proc/"$pid"/root/tmp/n)
  sleep 0.5
  b=$(cat /proc/"$pid"/root/tmp/n)
  [ "$a" = "$b" ]
  wr resume "$ID"
  sleep 0.5
  [ "$(cat /proc/"$pid"/root/tmp/n)" -gt "$b" ]
}

@test "delete removes the container's cgroup" {
  bundle '{"pids": {"limit": 20}}' sleep 60
  wr run -d --bundle "$B" "$ID"
  local f
  f=$(cgfile pids.max pids pids.max)
  [ "$(cat "$f")" = 20 ]
  wr delete --force "$ID"
  [ ! -e "$f" ]
}
