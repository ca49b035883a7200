#!/usr/bin/env bats
# ward pause / unpause (the cgroup freezer) and the sandbox log (stdout and stderr records,
# --tail, --since, timestamps, follow), through libward (tests/unit/pause_logs_api.c) and
# the ward commands that exist: create, exec, ps, inspect, stop, rm, logs.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { build_rootfs; }

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

api() { "${PAUSE_LOGS_API:?built as tests/pause_logs_api}" "$@"; }

# Root always has one (the v2 tree, controller-less on hybrid hosts); rootless ward only
# under a delegated cgroup, as ward doctor says.
have_freezer() {
  ! rootless || ward doctor --json | jq -e '.[] | select(.check == "resource limits") | .detail | startswith("delegated")' >/dev/null
}

# The busy loop a sandbox runs: init's only child.
loop_pid() {
  local init
  init=$(ward inspect "$1" | jq .supervisor.initPid)
  pgrep -P "$init"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

@test "pause freezes a busy loop, unpause resumes it; ps and inspect say paused; exec refused" {
  id=$(ward create --rootfs "$ROOTFS" sh -c 'while :; do :; done')
  if ! have_freezer; then
    run api pause "$id"
    [ "$status" -eq 1 ]
    [ "$output" = "sandbox $id: pause: no freezer: rootless ward freezes through a cgroup v2 subtree delegated to you (e.g. systemd-run --user --scope -p Delegate=yes ward create ...), and this sandbox was created without one (see 'ward doctor')" ]
    [ "$(ward ps --json | jq -r '.[0].status')" = running ]
    ward doctor | grep -q 'no cgroup delegated to this user'
    return 0
  fi
  pid=$(loop_pid "$id")
  run api pause "$id"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  echo "# pause latency: ${output} us" >&3
  a=$(cpu_ticks "$pid"); sleep 1; b=$(cpu_ticks "$pid")
  [ "$a" -eq "$b" ] || { echo "CPU time moved while paused: $a -> $b"; return 1; }
  [ "$(ward ps --json | jq -r --arg id "$id" '.[] | select(.id == $id) | .status')" = paused ]
  [[ $(ward ps) == *"$id"*paused* ]]
  [ "$(ward inspect "$id" | jq -r .status)" = paused ]
  run ward exec "$id" true
  [ "$status" -eq 125 ]
  [ "$output" = "ward: sandbox $id is paused; ward unpause it first" ]
  run api exec "$id"
  [ "$status" -eq 1 ]
  [ "$output" = "sandbox $id is paused; ward unpause it first" ]
  # files do not need its processes
  run ward read "$id" /etc/passwd
  [ "$status" -eq 0 ]
  [[ $output == root:* ]]
  run api pause "$id"
  [ "$status" -eq 1 ]
  [ "$output" = "sandbox $id: already paused" ]
  run api unpause "$id"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  echo "# unpause latency: ${output} us" >&3
  a=$(cpu_ticks "$pid"); sleep 1; b=$(cpu_ticks "$pid")
  [ "$b" -gt "$a" ] || { echo "CPU time did not move after unpause: $a -> $b"; return 1; }
  [ "$(ward inspect "$id" | jq -r .status)" = running ]
  run api unpause "$id"
  [ "$status" -eq 1 ]
  [ "$output" = "sandbox $id: not paused" ]
  run ward exec "$id" true
  [ "$status" -eq 0 ]
}

@test "a paused sandbox still stops, dies of SIGKILL, is removed by rm -f and by its --timeout" {
  have_freezer || skip "no freezer for this user here (see the test above)"
  id=$(ward create --persistent --rootfs "$ROOTFS" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done')
  api pause "$id" >/dev/null
  timeout 10 "$WARD" stop "$id"
  [ "$(ward inspect "$id" | jq -r .status)" = stopped ]
  [ "$(ward inspect "$id" | jq -r .exitCode)" = 7 ]
  ward rm "$id"
  id=$(ward create --rootfs "$ROOTFS" sleep 1000)
  api pause "$id" >/dev/null
  timeout 10 "$WARD" rm -f "$id"
  run ward inspect "$id"
  [ "$status" -ne 0 ]
  id=$(ward create --persistent --timeout 2 --rootfs "$ROOTFS" sleep 1000)
  api pause "$id" >/dev/null
  for _ in $(seq 60); do [ "$(ward inspect "$id" | jq -r .status)" = stopped ] && break; sleep 0.1; done
  [ "$(ward inspect "$id" | jq -r .reason)" = timeout ] || { ward inspect "$id"; return 1; }
}

@test "rootless under a delegated cgroup v2 pauses too (root makes the delegation)" {
  rootless && skip "root sets up the delegation"
  [[ -n ${WARD_TEST_USER:-} ]] || skip "no WARD_TEST_USER"
  v2=$( (mount -t cgroup2; true) | awk 'NR == 1 {print $3}')
  [[ -n $v2 ]] || skip "no cgroup v2 tree"
  d=$v2/ward-test-deleg-$$
  mkdir "$d"
  chown "$WARD_TEST_USER:" "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads"
  # the unprivileged user reaches this file's root filesystem and a state root of its own
  chmod -R a+rX "$ROOTFS"
  for p in "$BATS_FILE_TMPDIR" "$BATS_TEST_TMPDIR" "$BATS_RUN_TMPDIR"; do chmod o+x "$p"; done
  state=$BATS_TEST_TMPDIR/rl-state
  mkdir -m 700 "$state" && chown "$WARD_TEST_USER:" "$state"
  run bash -c "echo \$\$ >$d/cgroup.procs && exec setpriv --reuid=$WARD_TEST_USER --regid=$WARD_TEST_USER --init-groups env HOME=/tmp WARD_STATE_DIR=$state bash -c '
    set -e
    id=\$($WARD create --rootfs $ROOTFS sh -c \"while :; do :; done\")
    $PAUSE_LOGS_API pause \$id >/dev/null
    test \$($WARD inspect \$id | jq -r .status) = paused
    $PAUSE_LOGS_API unpause \$id >/dev/null
    $WARD rm -f \$id
    echo ok'"
  rmdir "$d/ward" 2>/dev/null || true
  rmdir "$d"
  [ "$status" -eq 0 ] && [ "${lines[-1]}" = ok ] || { echo "$output"; return 1; }
}

@test "logs: stdout and stderr apart, --tail, --since, timestamps" {
  id=$(ward create --persistent --rootfs "$ROOTFS" sh -c 'echo one; sleep 0.1; echo two >&2; sleep 0.1; printf "thr"; sleep 0.2; echo ee; sleep 1.2; echo four; sleep 0.1; echo five >&2')
  for _ in $(seq 50); do [ "$(ward inspect "$id" | jq -r .status)" = stopped ] && break; sleep 0.1; done
  run --separate-stderr api logs "$id"
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'one\nthree\nfour')" ] || { echo "stdout: $output"; return 1; }
  [ "$stderr" = "$(printf 'two\nfive')" ] || { echo "stderr: $stderr"; return 1; }
  # ward logs: both streams, in the order written (the two pipes are read in turn: writes
  # to both at the same moment may come out either way, hence the sleeps above)
  [ "$(ward logs "$id" 2>&1)" = "$(printf 'one\ntwo\nthree\nfour\nfive')" ]
  run --separate-stderr api logs "$id" -n 2
  [ "$output" = four ] && [ "$stderr" = five ] || { echo "$output / $stderr"; return 1; }
  run --separate-stderr api logs "$id" -n 0
  [ -z "$output" ]
  [ -z "$stderr" ]
  # each line stamped once, RFC 3339 in UTC with nanoseconds, as docker logs -t
  run --separate-stderr api logs "$id" -t
  [ "${#lines[@]}" -eq 3 ]
  for l in "${lines[@]}"; do
    [[ $l =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z\ (one|three|four)$ ]] || { echo "$l"; return 1; }
  done
  # --since: the time of "four" leaves the lines before it out
  t=${lines[2]%% *}
  since_ms=$(( $(date -d "${t%.*}Z" +%s) * 1000 + 10#${t:20:3} ))
  run --separate-stderr api logs "$id" -s "$since_ms"
  [ "$output" = four ] && [ "$stderr" = five ] || { echo "$output / $stderr"; return 1; }
  run --separate-stderr api logs "$id" -s "$(( since_ms + 60000 ))"
  [ -z "$output" ]
  [ -z "$stderr" ]
}

@test "logs -f writes as the sandbox does and ends within a second of its stop" {
  id=$(ward create --rootfs "$ROOTFS" sh -c 'i=0; while :; do i=$((i + 1)); echo tick $i; sleep 0.1; done')
  out=$BATS_TEST_TMPDIR/follow
  api logs "$id" -f >"$out" 2>&1 &
  follower=$!
  eventually grep -q 'tick 5' "$out"
  t0=$(date +%s%N)
  ward stop --time 0 "$id"
  wait "$follower"
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "# logs -f ended ${ms} ms after stop" >&3
  [ "$ms" -lt 1000 ]
  # every line, in order, none twice
  n=$(wc -l <"$out")
  [ "$(tail -1 "$out")" = "tick $n" ] || { tail -3 "$out"; return 1; }
  # a stopped sandbox's follow ends at once
  id=$(ward create --persistent --rootfs "$ROOTFS" echo done)
  for _ in $(seq 50); do [ "$(ward inspect "$id" | jq -r .status)" = stopped ] && break; sleep 0.1; done
  run timeout 5 "$PAUSE_LOGS_API" logs "$id" -f
  [ "$status" -eq 0 ]
  [ "$output" = done ]
}

@test "the log survives stop and start: appended" {
  id=$(ward create --persistent --rootfs "$ROOTFS" sh -c 'echo run; sleep 1000')
  eventually test "$(api logs "$id")" = run
  ward stop --time 0 "$id"
  run api start "$id"
  [[ $output == *"not built yet"* ]] && skip "ward_sandbox_start is not built yet here"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  eventually test "$(api logs "$id")" = "$(printf 'run\nrun')"
  ward stop --time 0 "$id"
  [ "$(api logs "$id")" = "$(printf 'run\nrun')" ]
}

@test "the log is bounded: the newest output is kept, in two files" {
  id=$(ward create --persistent --rootfs "$ROOTFS" sh -c 'line=$(printf "%0999d" 0); i=0; while [ $i -lt 20000 ]; do echo "$i $line"; i=$((i + 1)); done; echo last')
  for _ in $(seq 300); do [ "$(ward inspect "$id" | jq -r .status)" = stopped ] && break; sleep 0.1; done
  dir=$WARD_STATE_DIR/sandboxes/$id
  size=$(( $(stat -c %s "$dir/log") + $(stat -c %s "$dir/log.1") ))
  [ "$size" -le $(( 16 * 1024 * 1024 )) ] || { echo "log is $size bytes"; return 1; }
  [ "$(api logs "$id" -n 1)" = last ]
  api logs "$id" | tail -2 | head -1 | grep -q '^19999 0'
}
