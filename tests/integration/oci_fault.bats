#!/usr/bin/env bats
# ward oci / ward-runc killed (SIGKILL) at each named point of create, start and delete
# (WARD_FAULT_AT, src/fault.c): state and list still answer with a sane status, and
# delete --force leaves nothing: no process, record, cgroup, pid file temporary or id slot.

load helpers
bats_require_minimum_version 1.5.0

WARD_RUNC=${WARD_RUNC:-$(dirname "$WARD")/ward-runc}

setup_file() {
  build_rootfs
  rootless || reachable_root
}

setup() {
  export OCIROOT=$BATS_TEST_TMPDIR/root
  mine=()
  n=0
}

teardown() {
  local id
  for id in "${mine[@]}"; do wr delete --force "$id" >/dev/null 2>&1 || true; done
}

wr() { timeout 20 "$WARD_RUNC" --root "$OCIROOT" "$@" 3>&-; }

# The argument of the container's `sleep`: its mark in the process table, unique per
# container and per run of this file (root and rootless runs go side by side).
mark_of() { printf '7%07d%03d' $$ "${id##*-}"; }

# The container's process once it runs its program.
runs() { pgrep -f -- "^sleep $(mark_of)\$"; }

# new_container NAME [HARDEN]: a bundle for a container id NAME-$$-N whose process sleeps
# (a cgroupsPath of its own for root; run.ward.harden="true" with HARDEN). Sets id and b.
new_container() {
  n=$((n + 1))
  id=$1-$$-$n
  b=$BATS_TEST_TMPDIR/$id
  mine+=("$id")
  local spec=(spec -b "$b") args
  mkdir -p "$b"
  rootless && spec+=(--rootless)
  if command -v runc >/dev/null; then runc "${spec[@]}"; else "$WARD_RUNC" "${spec[@]}"; fi
  args=$(jq -nc --arg m "$(mark_of)" '["sleep", $m]')
  jq --arg root "$ROOTFS" --argjson args "$args" --arg cg "/ocifault-$id" --arg h "${2:+true}" '
    .process.terminal = false | .process.args = $args | .root = {path: $root, readonly: true}
    | if .linux.uidMappings then . else .linux.cgroupsPath = $cg end
    | if $h == "true" then .annotations["run.ward.harden"] = "true" |
        .linux.namespaces |= map(select(.type != "network")) else . end' \
    "$b/config.json" >"$b/config.tmp"
  mv "$b/config.tmp" "$b/config.json"
}

create() { wr create --bundle "$b" --pid-file "$b/pid" "$id" >"$b/out" 2>&1 </dev/null || { cat "$b/out"; return 1; }; }

# stop_at POINT ARGS...: ward-runc ARGS with WARD_FAULT_AT=POINT in the background until it
# has stopped itself there (state T); its pid in $stopped.
stop_at() {
  local point=$1
  shift
  WARD_FAULT_AT=$point "$WARD_RUNC" --root "$OCIROOT" "$@" >/dev/null 2>&1 </dev/null 3>&- &
  stopped=$!
  for _ in $(seq 500); do
    [[ $(awk '{print $3}' "/proc/$stopped/stat" 2>/dev/null) == T ]] && return 0
    sleep 0.02
  done
  echo "ward-runc $* never stopped at $point"
  return 1
}

kill_stopped() {
  kill -9 "$stopped"
  wait "$stopped" 2>/dev/null || true
}

status_of() { wr state "$id" | jq -r .status; }
is_status() { [ "$(status_of)" = "$1" ]; }

# state and list answer (no hang) and agree on a status among WANT...
sane_status() {
  local st listed
  st=$(status_of) || { echo "state of $id failed"; return 1; }
  listed=$(wr list --format json | jq -r --arg id "$id" '.[] | select(.id == $id) | .status') ||
    { echo "list failed"; return 1; }
  [[ " $* " == *" $st "* ]] || { echo "state of $id: $st, wanted one of: $*"; return 1; }
  [ "$listed" = "$st" ] || { echo "list says $listed, state $st"; return 1; }
}

# The host's cgroup directories of container $id (by its id or its cgroupsPath).
cgroups_of() { find /sys/fs/cgroup -mindepth 1 -type d -name "*$id" 2>/dev/null; }

# The id slot (run.ward.harden) its record holds, 0 for none.
slot_of() { jq -r '.idSlot // 0' "$OCIROOT/$id/state.json" 2>/dev/null || echo 0; }

# What is left of container $id; SLOT: its id slot. Nothing printed: nothing left.
leftovers() {
  local slot=${1:-0}
  pgrep -af -- "$id( |\$)|sleep $(mark_of)( |\$)" | sed 's/^/process: /' || true
  [[ ! -e $OCIROOT/$id ]] || echo "state: $OCIROOT/$id: $(ls -A "$OCIROOT/$id")"
  cgroups_of | sed 's/^/cgroup: /'
  ls "$b"/*.ward-tmp 2>/dev/null | sed 's/^/temporary: /' || true
  if [ "$slot" -gt 0 ] && [ -e "/run/ward/oci-ids/$((slot - 1))" ]; then
    echo "id slot: /run/ward/oci-ids/$((slot - 1))"
  fi
}

# delete --force succeeds and nothing of $id stays (the last check retried: a killed
# process is reaped by whoever adopted it).
force_delete_clean() {
  local slot
  slot=$(slot_of)
  wr delete --force "$id" || { echo "delete --force $id failed"; return 1; }
  eventually test -z "$(leftovers "$slot")" || { leftovers "$slot"; return 1; }
  run wr state "$id"
  [ "$status" -eq 1 ] && [[ $output == *"does not exist"* ]] || { echo "state after delete: $output"; return 1; }
  ! wr list -q | grep -qx -- "$id" || { echo "$id still listed"; return 1; }
}

@test "create killed before the clone, after it, and after the pid file: stopped; delete --force cleans" {
  for harden in "" $(rootless || echo harden); do
    for point in oci-create oci-cloned oci-recorded; do
      new_container "c${harden:+h}" $harden
      stop_at "$point" create --bundle "$b" --pid-file "$b/pid" "$id"
      # while create waits at the point: creating until its process is recorded
      if [ "$point" = oci-recorded ]; then
        sane_status created
        [ "$(cat "$b/pid")" = "$(wr state "$id" | jq .pid)" ]
      else
        sane_status creating
        [ ! -e "$b/pid" ]
      fi
      kill_stopped
      # the process dies with its creator until the hand-over
      eventually is_status stopped || { echo "$point${harden:+ (harden)}: $(status_of)"; return 1; }
      sane_status stopped
      run wr start "$id"
      [ "$status" -eq 1 ]
      ! runs || { echo "$point: the process runs"; return 1; }
      if [ -n "$harden" ]; then
        [ "$(slot_of)" -gt 0 ] || { echo "$point: no id slot recorded"; return 1; }
      fi
      force_delete_clean || { echo "create killed at $point${harden:+ (harden)}"; return 1; }
      # the pid file is the caller's: create wrote it only once it had recorded the process
      if [ "$point" != oci-recorded ]; then [ ! -e "$b/pid" ]; fi
      # the same id again: a whole life
      create
      wr start "$id"
      eventually runs
      force_delete_clean
    done
  done
}

@test "start killed before its fifo write: still created, a second start runs it" {
  new_container s
  create
  stop_at oci-start start "$id"
  sane_status created
  kill_stopped
  sane_status created
  ! runs || false
  wr start "$id"
  eventually runs
  sane_status running
  force_delete_clean
  # killed there and deleted as it stands
  create
  stop_at oci-start start "$id"
  kill_stopped
  force_delete_clean
}

@test "start killed after its fifo write: the container runs, state says running, delete --force cleans" {
  new_container s
  create
  stop_at oci-started start "$id"
  # the process went on at the write, before start's end
  eventually runs
  eventually is_status running
  kill_stopped
  [ -e "$OCIROOT/$id/fifo" ] || ls -A "$OCIROOT/$id"
  sane_status running
  pid=$(wr state "$id" | jq .pid)
  [ "$(cat "$b/pid")" = "$pid" ]
  [[ $(tr "\0" " " <"/proc/$pid/cmdline") == "sleep $(mark_of) " ]]
  run wr start "$id"
  [ "$status" -eq 1 ]
  [[ $output == *"is running"* ]]
  wr kill "$id" KILL
  eventually is_status stopped
  force_delete_clean
}

@test "delete killed after the kill and after the cgroup: stopped; delete --force cleans" {
  for point in oci-delete-killed oci-delete-cgroup; do
    for started in no yes; do
      new_container d
      create
      [ "$started" = no ] || wr start "$id"
      slot=$(slot_of)
      stop_at "$point" delete --force "$id"
      # the process is gone before the first point
      ! runs || { echo "$point: still running"; return 1; }
      if [ "$point" = oci-delete-cgroup ]; then
        [ -z "$(cgroups_of)" ] || { echo "$point: cgroup left: $(cgroups_of)"; return 1; }
      elif ! rootless; then
        [ -n "$(cgroups_of)" ]
      fi
      kill_stopped
      sane_status stopped
      run wr start "$id"
      [ "$status" -eq 1 ]
      # a plain delete of a stopped one cleans too; --force after it is quiet
      if [ "$started" = yes ]; then
        wr delete "$id"
        [ ! -e "$OCIROOT/$id" ]
      fi
      force_delete_clean || { echo "delete killed at $point (started: $started)"; return 1; }
    done
  done
}

@test "a harden container's delete killed at each point: the id slot is released by delete --force" {
  rootless && skip "the private id range is root's (the root run covers it)"
  for point in oci-delete-killed oci-delete-cgroup; do
    new_container dh harden
    create
    wr start "$id"
    slot=$(slot_of)
    [ "$slot" -gt 0 ]
    [ -d "/run/ward/oci-ids/$((slot - 1))" ]
    stop_at "$point" delete --force "$id"
    kill_stopped
    sane_status stopped
    force_delete_clean
    [ ! -e "/run/ward/oci-ids/$((slot - 1))" ]
  done
}
