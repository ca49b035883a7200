#!/usr/bin/env bats
# podman 4.3 (Debian's) with `--runtime` the OCI runtime under test: a private podman per file
# (own storage, run root, tmpdir, containers.conf with this host's ulimits, cgroupfs, file
# events, --network none, never a pull), busybox images loaded offline. As root, and as an
# unprivileged user (rootless podman: subordinate ids, conmon and the runtime in podman's user
# namespace); rootless podman sets no cgroup here, so pause and limits are root's.
#
# By hand, against runc (what proves the tests right) or ward's runtime:
#   WARD_OCI_RUNTIME=/usr/sbin/runc bats tests/oci/podman.bats
#   setpriv --reuid=wardtest --regid=wardtest --init-groups env HOME=/tmp \
#     WARD_OCI_RUNTIME=/usr/sbin/runc bats tests/oci/podman.bats
#   WARD_OCI_RUNTIME=$PWD/build/ward-runc bats tests/oci/podman.bats    (the default)
# crun does not run here: it refuses this host's hybrid cgroups.

load engines

setup_file() {
  oci_check_runtime
  oci_images "$BATS_FILE_TMPDIR/img"
  pm_start
  pm load -q -i "$BATS_FILE_TMPDIR/img/bb.tar" >/dev/null
  pm load -q -i "$BATS_FILE_TMPDIR/img/user.tar" >/dev/null
}

teardown_file() { pm_stop; }

setup() {
  NAME=p$BATS_TEST_NUMBER
  CID=$BATS_TEST_TMPDIR/cid
}

# Whatever a failed test left is removed before the next one.
teardown() { pm rm -af -t 0 >/dev/null 2>&1 || true; }

# Rootless podman makes no cgroup for its containers here (cgroup v1 refuses it; v2 would
# need systemd's delegation, which the cgroupfs manager does not have).
needs_cgroups() {
  if rootless; then skip "rootless podman with cgroupfs makes no cgroup"; fi
}

@test "podman run --rm: output, stderr, exit codes 0 and 3, nothing left" {
  run -0 pm_run --rm --cidfile "$CID" --name "$NAME" "$BB" sh -c 'echo hello; echo to-stderr >&2'
  [[ $output == *hello* && $output == *to-stderr* ]]
  eventually pm_gone "$NAME" "$(cat "$CID")" ""
  rm "$CID"
  run -3 pm_run --rm --cidfile "$CID" --name "$NAME" "$BB" sh -c 'exit 3'
  eventually pm_gone "$NAME" "$(cat "$CID")" ""
}

@test "podman run --rm: init killed by a signal is 137 (128 + SIGKILL)" {
  pm_run --rm --cidfile "$CID" --name "$NAME" "$BB" sleep 1000 >/dev/null 2>&1 &
  local runner=$!
  eventually pm_is "$NAME" running
  local pid
  pid=$(pm_pid "$NAME")
  pm kill -s KILL "$NAME" >/dev/null
  local st=0
  wait "$runner" || st=$?
  [ "$st" -eq 137 ]
  eventually pm_gone "$NAME" "$(cat "$CID")" "$pid"
}

@test "image config: env, working directory and user; --env, --workdir and --user over them" {
  run -0 pm_run --rm "$USERIMG" sh -c 'echo "$IMG_VAR|$(pwd)|$(id -u):$(id -g)|$(id -un)"'
  [ "$output" = "from-image|/work|1000:1000|user" ]
  run -0 pm_run --rm --env EXTRA=1 --workdir /tmp --user 65534:65534 "$BB" \
    sh -c 'echo "$IMG_VAR|$EXTRA|$(pwd)|$(id -u):$(id -g)"'
  [ "$output" = "from-image|1|/tmp|65534:65534" ]
}

@test "run -d, exec (exit code, output, user), stop (the init's trap: exit 7), rm" {
  run -0 pm_run -d --cidfile "$CID" --name "$NAME" "$BB" sh -c "$COUNTER"
  eventually pm_is "$NAME" running
  local pid
  pid=$(pm_pid "$NAME")
  eventually counter_started "$pid"
  run -5 pm exec "$NAME" sh -c 'echo "exec sees $IMG_VAR"; exit 5'
  [ "$output" = "exec sees from-image" ]
  run -0 pm exec --user 1000 "$NAME" id -u
  [ "$output" = 1000 ]
  run -0 pm exec "$NAME" cat /proc/1/cmdline
  [[ $output == sh* ]]
  run -0 pm stop -t 10 "$NAME"
  [ "$(pm_status "$NAME")" = exited ]
  [ "$(pm inspect -f '{{.State.ExitCode}}' "$NAME")" = 7 ]
  run -0 pm rm "$NAME"
  eventually pm_gone "$NAME" "$(cat "$CID")" "$pid"
}

@test "a TTY: podman run -t gives the process a terminal, its exit code comes back" {
  # podman run -t wants a terminal of its own: script(1) gives it one
  local a r cmd
  pm_argv a
  pm_run_argv r
  cmd="cd $(printf %q "$PM") && $(printf '%q ' "${a[@]}" "${r[@]}" --rm -t --cidfile "$CID" \
    "$BB" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo both-tty; exit 4')"
  run script -qec "$cmd" /dev/null </dev/null
  [ "$status" -eq 4 ]
  [[ $output == *"/dev/pts/"* ]]
  [[ $output == *both-tty* ]]
  eventually pm_gone "" "$(cat "$CID")" ""
}

@test "pause and unpause: paused, the processes really frozen, then running on" {
  needs_cgroups
  run -0 pm_run -d --cidfile "$CID" --name "$NAME" "$BB" sh -c "$COUNTER"
  eventually pm_is "$NAME" running
  local pid
  pid=$(pm_pid "$NAME")
  eventually counter_started "$pid"
  run -0 pm pause "$NAME"
  [ "$(pm_status "$NAME")" = paused ]
  frozen "$pid"
  local at
  at=$(count_of "$pid")
  run -0 pm unpause "$NAME"
  [ "$(pm_status "$NAME")" = running ]
  eventually moved "$pid" "$at"
  run -0 pm rm -f -t 0 "$NAME"
  eventually pm_gone "$NAME" "$(cat "$CID")" "$pid"
}

@test "--memory: the limit in the cgroup (host and container side); a hog over it is killed" {
  needs_cgroups
  run -0 pm_run -d --cidfile "$CID" --name "$NAME" --memory 32m "$BB" sleep 1000
  eventually pm_is "$NAME" running
  local pid file
  pid=$(pm_pid "$NAME")
  file=$(cgroup_file "$pid" memory memory.limit_in_bytes memory.max)
  [ "$(cat "$file")" = 33554432 ]
  # podman mounts the container's own cgroup at /sys/fs/cgroup
  run -0 pm exec "$NAME" sh -c \
    'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
  [ "$output" = 33554432 ]
  run -0 pm rm -f -t 0 "$NAME"
  eventually pm_gone "$NAME" "$(cat "$CID")" "$pid" "$file"
  # dd holds a 64 MiB buffer: over 32 MiB (swap included), the kernel kills it
  run pm_run --rm --memory 32m --memory-swap 32m "$BB" dd if=/dev/zero of=/dev/null bs=64M count=1
  [ "$status" -eq 137 ]
  run -0 pm_run --rm --memory 32m --memory-swap 32m "$BB" dd if=/dev/zero of=/dev/null bs=4M count=1
}

@test "--pids-limit: the cgroup says 20; sixty background processes do not all start" {
  needs_cgroups
  run -0 pm_run -d --cidfile "$CID" --name "$NAME" --pids-limit 20 "$BB" sleep 1000
  eventually pm_is "$NAME" running
  local pid file
  pid=$(pm_pid "$NAME")
  file=$(cgroup_file "$pid" pids pids.max pids.max)
  [ "$(cat "$file")" = 20 ]
  # a bounded fork bomb: busybox sh gives up at the first fork refused
  run pm exec "$NAME" sh -c 'for i in $(seq 60); do sleep 30 & done; echo all-started'
  [ "$status" -ne 0 ]
  [[ $output == *"can't fork"* ]]
  [[ $output != *all-started* ]]
  [ "$(cat "${file%/*}/pids.current")" -le 20 ]
  run -0 pm rm -f -t 0 "$NAME"
  eventually pm_gone "$NAME" "$(cat "$CID")" "$pid" "$file"
  # without the limit the same loop runs to the end
  run -0 pm_run --rm "$BB" sh -c 'for i in $(seq 60); do sleep 1 & done; echo all-started; wait'
  [[ $output == *all-started* ]]
}
