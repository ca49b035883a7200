#!/usr/bin/env bats
# containerd 1.6 (Debian's) driving the OCI runtime under test through `ctr run
# --runc-binary`: a private containerd per file (own root, state, socket, namespace, CRI off),
# busybox images imported offline. Root only.
#
# By hand, against runc (what proves the tests right) or ward's runtime:
#   WARD_OCI_RUNTIME=/usr/sbin/runc bats tests/oci/ctr.bats
#   WARD_OCI_RUNTIME=$PWD/build/ward-runc bats tests/oci/ctr.bats    (the default)
# crun does not run here: it refuses this host's hybrid cgroups.

load engines

setup_file() {
  rootless && return 0
  oci_check_runtime
  oci_images "$BATS_FILE_TMPDIR/img"
  cd_start
  c images import "$BATS_FILE_TMPDIR/img/bb.tar" >/dev/null
  c images import "$BATS_FILE_TMPDIR/img/user.tar" >/dev/null
}

teardown_file() { cd_stop; }

setup() {
  rootless && skip "containerd runs as root"
  # ids unique in the namespace, short (the runtime root path is built from them)
  ID=t$BATS_TEST_NUMBER
}

# Whatever a failed test left is removed before the next one.
teardown() { rootless || ctr_remove_all; }

@test "ctr run --rm: output, exit codes 0 and 3, nothing left" {
  run -0 ctr_run --rm "$BB" "$ID" sh -c 'echo hello; echo to-stderr >&2'
  [[ $output == *hello* && $output == *to-stderr* ]]
  eventually ctr_gone "$ID" ""
  run -3 ctr_run --rm "$BB" "$ID" sh -c 'exit 3'
  eventually ctr_gone "$ID" ""
}

@test "ctr run --rm: init killed by a signal is 137 (128 + SIGKILL)" {
  ctr_run --rm "$BB" "$ID" sleep 1000 >/dev/null 2>&1 &
  local runner=$!
  eventually task_is "$ID" RUNNING
  local pid
  pid=$(task_pid "$ID")
  c task kill -s SIGKILL "$ID"
  local st=0
  wait "$runner" || st=$?
  [ "$st" -eq 137 ]
  eventually ctr_gone "$ID" "$pid"
}

@test "image config: env, working directory and user; ctr's --env and --cwd over them" {
  run -0 ctr_run --rm "$USERIMG" "$ID" sh -c 'echo "$IMG_VAR|$(pwd)|$(id -u):$(id -g)|$(id -un)"'
  [ "$output" = "from-image|/work|1000:1000|user" ]
  run -0 ctr_run --rm --env EXTRA=1 --cwd /tmp "$BB" "$ID" \
    sh -c 'echo "$IMG_VAR|$EXTRA|$(pwd)|$(id -u)"'
  [ "$output" = "from-image|1|/tmp|0" ]
  eventually ctr_gone "$ID" ""
}

@test "detached run, task exec (exit code, output), kill, task delete, container delete" {
  run -0 ctr_run -d "$BB" "$ID" sh -c "$COUNTER"
  eventually task_is "$ID" RUNNING
  local pid
  pid=$(task_pid "$ID")
  eventually counter_started "$pid"
  run -5 ctr_exec --exec-id e1 "$ID" sh -c 'echo "exec sees $IMG_VAR"; exit 5'
  [ "$output" = "exec sees from-image" ]
  run -0 ctr_exec --exec-id e2 "$ID" cat /proc/1/cmdline
  [[ $output == sh* ]]
  # SIGTERM, trapped by the container's init: it exits 7
  c task kill "$ID"
  eventually task_is "$ID" STOPPED
  run c task delete "$ID"
  [[ $output == *"exit code 7"* ]]
  c container delete "$ID"
  eventually ctr_gone "$ID" "$pid"
}

@test "task kill --all: every process of the container dies" {
  ctr_run -d "$BB" "$ID" sh -c 'sleep 1000 & sleep 1000 & wait'
  eventually task_is "$ID" RUNNING
  local pid
  pid=$(task_pid "$ID")
  eventually [ "$(c task ps "$ID" | tail -n +2 | wc -l)" -eq 3 ]
  local pids
  pids=$(c task ps "$ID" | awk 'NR > 1 {print $1}')
  c task kill -a -s SIGKILL "$ID"
  eventually task_is "$ID" STOPPED
  local p
  for p in $pids; do eventually [ ! -e "/proc/$p" ]; done
  c task delete "$ID" >/dev/null 2>&1
  c container delete "$ID"
  eventually ctr_gone "$ID" "$pid"
}

@test "ctr task ps lists the container's processes" {
  ctr_run -d "$BB" "$ID" sh -c 'sleep 1000 & wait'
  eventually task_is "$ID" RUNNING
  local pid
  pid=$(task_pid "$ID")
  eventually [ "$(c task ps "$ID" | tail -n +2 | wc -l)" -eq 2 ]
  run -0 c task ps "$ID"
  [[ ${lines[0]} == PID* ]]
  local pids p comms=""
  pids=$(c task ps "$ID" | awk 'NR > 1 {print $1}')
  [[ " ${pids//$'\n'/ } " == *" $pid "* ]]
  for p in $pids; do comms+=" $(cat "/proc/$p/comm")"; done
  [[ $comms == *" sleep"* && $comms == *" sh"* ]]
  c task kill -a -s SIGKILL "$ID"
  eventually task_is "$ID" STOPPED
  c task delete "$ID" >/dev/null 2>&1
  c container delete "$ID"
  eventually ctr_gone "$ID" "$pid"
}

@test "pause and resume: PAUSED, the processes really frozen, then running on" {
  ctr_run -d "$BB" "$ID" sh -c "$COUNTER"
  eventually task_is "$ID" RUNNING
  local pid
  pid=$(task_pid "$ID")
  eventually counter_started "$pid"
  c task pause "$ID"
  eventually task_is "$ID" PAUSED
  frozen "$pid"
  # an exec into a paused container is refused by containerd, the task unchanged
  run ctr_exec --exec-id e1 "$ID" true
  [ "$status" -ne 0 ]
  task_is "$ID" PAUSED
  local at
  at=$(count_of "$pid")
  c task resume "$ID"
  eventually task_is "$ID" RUNNING
  eventually moved "$pid" "$at"
  c task kill -s SIGKILL "$ID"
  eventually task_is "$ID" STOPPED
  c task delete "$ID" >/dev/null 2>&1
  c container delete "$ID"
  eventually ctr_gone "$ID" "$pid"
}

@test "a TTY run: the process has a terminal, its exit code comes back" {
  # ctr run -t needs a terminal of its own: script(1) gives it one
  run script -qec "ctr -a $CTR_SOCK -n $CTR_NS run -t --rm --fifo-dir $CD/fifo \
    --runc-binary $OCI_RUNTIME $BB $ID sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo both-tty; exit 4'" \
    /dev/null </dev/null
  [ "$status" -eq 4 ]
  [[ $output == *"/dev/pts/"* ]]
  [[ $output == *both-tty* ]]
  eventually ctr_gone "$ID" ""
}

@test "--memory-limit: the cgroup says the limit; a memory hog over it is OOM-killed" {
  ctr_run -d --memory-limit 33554432 "$BB" "$ID" sleep 1000
  eventually task_is "$ID" RUNNING
  local pid file
  pid=$(task_pid "$ID")
  file=$(cgroup_file "$pid" memory memory.limit_in_bytes memory.max)
  [ "$(cat "$file")" = 33554432 ]
  c task kill -s SIGKILL "$ID"
  eventually task_is "$ID" STOPPED
  c task delete "$ID" >/dev/null 2>&1
  c container delete "$ID"
  eventually ctr_gone "$ID" "$pid"
  [ ! -e "$file" ]
  # dd holds a 64 MiB buffer: over 32 MiB, the kernel kills it (no swap to go to here)
  run ctr_run --rm --memory-limit 33554432 "$BB" "$ID" dd if=/dev/zero of=/dev/null bs=64M count=1
  [ "$status" -eq 137 ]
  # the same under the limit runs to the end
  run -0 ctr_run --rm --memory-limit 33554432 "$BB" "$ID" dd if=/dev/zero of=/dev/null bs=4M count=1
  eventually ctr_gone "$ID" ""
}

@test "containerd's log: no error caused by the runtime" {
  # every test before has run; what containerd logged as an error is the runtime's fault
  run cd_errors
  [ -z "$output" ] || { echo "$output"; false; }
}
