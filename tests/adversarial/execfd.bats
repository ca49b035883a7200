#!/usr/bin/env bats
# The process that becomes an exec'd command holds nothing of the host's up to its execve:
# the exec helper once kept the host's /proc open in it as fd 4 (safe only because the
# command sits in a user namespace of the sandbox). WARD_FAULT_AT=workload, set for the
# sandbox's supervisor, stops each exec'd command just before execve, so that its fds can
# be read from the host.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
  build_rootfs
}

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  baseline
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

# The stopped child of sandbox $1's supervisor: the exec'd command at the fault point.
stopped_command() {
  local sup
  sup=$(ward inspect "$1" | jq -r .supervisor.pid)
  own_processes | awk -v sup="$sup" '$2 == sup && $3 ~ /^T/ {print $1}'
}

has_stopped() { [ -n "$(stopped_command "$1")" ]; }

# Each fd of process $1 with what it names; fails on any directory (the host's /proc or
# any other) and on anything under /proc.
no_host_dirs() {
  local fd target bad=0
  for fd in /proc/"$1"/fd/*; do
    target=$(readlink "$fd") || return 1
    echo "${fd##*/} -> $target"
    if [[ -d $fd || $target == /proc* ]]; then
      echo "  ^ a directory of the host"
      bad=1
    fi
  done
  return $bad
}

# ward exec in sandbox $1 (created with the fault point), stopped before its execve: its
# fds checked, then let go; its output in $out.
exec_stopped() {
  local id=$1 pid cmd
  shift
  ward exec "$id" "$@" >"$BATS_TEST_TMPDIR/out" 2>&1 &
  cmd=$!
  eventually has_stopped "$id" || { echo "the command never stopped before execve"; return 1; }
  pid=$(stopped_command "$id")
  no_host_dirs "$pid"
  kill -CONT "$pid"
  wait "$cmd"
  out=$(cat "$BATS_TEST_TMPDIR/out")
}

@test "an exec'd command holds no /proc of the host up to its execve" {
  # rootless, the command's process is not dumpable until execve: only root may list its
  # fds from the host (the rootless half checks what the command has after execve, below)
  rootless && skip "the command is not dumpable before execve: reading its fds needs root"
  id=$(WARD_FAULT_AT=workload ward create --rootfs "$ROOTFS")
  exec_stopped "$id" probe fds
  [ "$out" = "0 1 2" ]
  # one that keeps CAP_SYS_ADMIN is cloned into a nested user namespace whose maps the
  # helper writes: through the sandbox's /proc now, never the host's
  admin=$(WARD_FAULT_AT=workload ward create --cap-add SYS_ADMIN --rootfs "$ROOTFS")
  exec_stopped "$admin" sh -c 'probe fds; cat /proc/self/uid_map'
  [ "$(head -1 <<<"$out")" = "0 1 2" ]
  [ "$(sed -n 2p <<<"$out" | awk '{print $1, $2}')" = "0 0" ]
  ward rm -f "$id" "$admin" >/dev/null
  settled
}

@test "an exec'd command starts with fds 0, 1, 2 only, with or without a nested user namespace" {
  id=$(ward create --rootfs "$ROOTFS")
  run ward exec "$id" probe fds
  [ "$status" -eq 0 ]
  [ "$output" = "0 1 2" ]
  # the nested maps are written through the sandbox's /proc, as root and rootless
  admin=$(ward create --cap-add SYS_ADMIN --rootfs "$ROOTFS")
  run ward exec "$admin" sh -c 'probe fds; cat /proc/self/uid_map /proc/self/gid_map'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "0 1 2" ]
  # each id is itself in the nested namespace
  for l in "${lines[@]:1}"; do
    read -r inside outside _ <<<"$l"
    [ "$inside" = "$outside" ]
  done
  ward rm -f "$id" "$admin" >/dev/null
  settled
}
