#!/usr/bin/env bats
# Fault injection: ward killed at any moment, a full disk under the store, a store it cannot
# read, a damaged state record. Each ends in a clear error and, after the next ward
# command, a host with nothing left behind.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
  build_rootfs
  export FX="$BATS_FILE_TMPDIR/fx"
  "$BATS_TEST_DIRNAME/../images/make-fixtures.sh" "$FX" "$PROBE" >/dev/null 2>&1
}

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  export WARD_STORE=$BATS_TEST_TMPDIR/store
  # the baseline after a ward command has swept what earlier tests' kills left
  "$WARD" run --rootfs "$ROOTFS" -- true
  ward ps >/dev/null
  baseline
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
  if [[ -n ${small:-} ]]; then umount "$small" || true; fi
}

# The next ward command cleans; then the host must be as before.
clean_after_next_command() {
  "$WARD" run --rootfs "$ROOTFS" -- true
  settled || { cat "$WARD_STATE_DIR"/sandboxes/*/record.json 2>/dev/null | jq -c '{status, supervisor, init}'; return 1; }
}

# Delays (s) that land in every phase: set-up, the workload, the end.
delays="0.0005 0.001 0.002 0.003 0.004 0.005 0.006 0.008 0.010 0.013 0.017 0.022 0.030 0.045 0.060 0.080 0.120"

@test "SIGKILL of ward run in every phase of start, run and teardown (with a port and egress)" {
  for d in $delays; do
    timeout -s KILL "$d" "$WARD" run -p 0:7000 --network egress --rootfs "$ROOTFS" -- sleep 0.05 2>/dev/null || true
  done
  clean_after_next_command
}

@test "SIGKILL at each named point of a start and of a teardown (WARD_FAULT_AT), with a port and egress" {
  for point in start cloned network running ended released; do
    kill_at "$point" run -p 0:7000 --network egress --rootfs "$ROOTFS" -- true
    clean_after_next_command || { echo "ward run killed at $point"; return 1; }
  done
  # --rm: a sandbox that would stay stopped goes (life.bats kills the kept kind)
  for point in start cloned network running recorded; do
    kill_at "$point" create --rm -p 0:7000 --network egress --rootfs "$ROOTFS"
    clean_after_next_command || { echo "ward create's supervisor killed at $point"; return 1; }
  done
  # a running sandbox's supervisor, killed at each point of its end (ward stop starts it)
  for point in ended released removing emptying; do
    kill_at "$point" create --rm -p 0:7000 --network egress --rootfs "$ROOTFS" -- sh -c 'sleep 0.3'
    clean_after_next_command || { echo "a supervisor killed at $point of its end"; return 1; }
  done
}

@test "SIGKILL of ward create in every phase, and of a supervisor while it stops its sandbox" {
  for d in $delays; do
    timeout -s KILL "$d" "$WARD" create --rm -p 0:7000 --rootfs "$ROOTFS" >/dev/null 2>&1 || true
  done
  # a supervisor whose ward create was killed before it printed the id removes its
  # sandbox; the ones that were announced run: stop each, and kill its supervisor mid-way
  sleep 0.5
  for id in $(ward ps -q); do
    sup=$(ward inspect "$id" | jq .supervisor.pid)
    ward stop --time 5 "$id" &
    sleep 0.01
    kill -9 "$sup" 2>/dev/null || true
    wait
  done
  clean_after_next_command
}

@test "a full disk under the store: a clear error, and the store as it was" {
  rootless && skip "mounting a small tmpfs needs root (the root half runs it)"
  mkdir -p "$WARD_STORE"
  small=$WARD_STORE
  # mode 0700: a store others may write (a fresh tmpfs is 1777) is refused
  mount -t tmpfs -o size=256k,mode=0700 tmpfs "$WARD_STORE"
  run ward image import oci:"$FX/layout:base"
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == *"No space left on device"* ]]
  # nothing half-written is trusted: the store lists nothing and keeps no staging files
  run ward image ls --json
  [ "$status" -eq 0 ]
  [ "$output" = "[]" ]
  [ -z "$(find "$WARD_STORE/tmp" "$WARD_STORE/trees" -mindepth 1)" ]
  umount "$small"
  small=
  clean_after_next_command
}

@test "a store ward cannot read: a clear error naming it" {
  rootless || skip "root reads any directory (the rootless half runs it)"
  ward image import oci:"$FX/layout:base" >/dev/null
  chmod 000 "$WARD_STORE"
  run ward image ls
  r1=$status o1=$output
  run ward run layout:base -- true
  r2=$status o2=$output
  chmod 700 "$WARD_STORE"
  [ "$r1" -eq 125 ]
  [[ $o1 == *"$WARD_STORE"*"Permission denied"* ]]
  [ "$r2" -eq 125 ]
  [[ $o2 == *"$WARD_STORE"*"Permission denied"* ]]
  clean_after_next_command
}

@test "a damaged state record: named by ps and refused by exec; rm removes it" {
  id=$(ward create --name victim --rootfs "$ROOTFS")
  sup=$(ward inspect "$id" | jq .supervisor.pid)
  kill -9 "$sup"
  sleep 300 &
  sentinel=$!
  echo '{"id": "'"$id"'", "status": "running", "init": {"pid": '"$sentinel" >"$WARD_STATE_DIR/sandboxes/$id/record.json"
  run ward ps -a
  [ "$status" -eq 0 ]
  [[ $output == *"$id"*"damaged"* ]]
  run ward exec victim true
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == *"record"*"damaged"* ]]
  ward rm -f "$id"
  # the process the damaged record names was never signalled
  kill -0 "$sentinel"
  kill "$sentinel"
  clean_after_next_command
}
