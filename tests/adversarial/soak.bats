#!/usr/bin/env bats
# A bounded soak: many sandboxes one after another and at once, then the host compared with
# its state before: a leak of mounts, links, cgroups, nftables rules, state entries,
# processes or a supervisor's fds is a bug even when every single run succeeded.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
  build_rootfs
  cp "$NETPROBE" "$ROOTFS/bin/"
}

setup() { export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state; }

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

@test "soak: 1000 runs in a row, 50 create/exec/rm cycles at once, a supervisor through 300 requests, 30 stop/start cycles; the host as before" {
  ward ps >/dev/null # the state root exists before the baseline
  baseline
  failed=0
  for _ in $(seq 1000); do
    "$WARD" run --rootfs "$ROOTFS" -- true || failed=$((failed + 1))
  done
  [ "$failed" -eq 0 ]
  # at once, eight at a time; every fifth one publishes a port, every tenth has egress
  seq 50 | xargs -P 8 -I{} sh -c '
    n={}; opts=
    [ $((n % 5)) -eq 0 ] && opts="-p 0:7000"
    [ $((n % 10)) -eq 0 ] && opts="$opts --network egress"
    id=$("$WARD" create $opts --rootfs "$ROOTFS") || exit 1
    "$WARD" exec "$id" sh -c "echo \$\$ >/tmp/pid" || exit 1
    "$WARD" rm -f "$id" >/dev/null' || failed=1
  [ "$failed" -eq 0 ]
  # one long-lived sandbox: its supervisor's fds do not grow with execs, copies and reads
  id=$(ward create -p 0:7000 --rootfs "$ROOTFS" -- netprobe echo-server 7000)
  sup=$(ward inspect "$id" | jq .supervisor.pid)
  ward exec "$id" true
  fds=$(ls /proc/"$sup"/fd | wc -l)
  echo data >"$BATS_TEST_TMPDIR/f"
  for i in $(seq 100); do
    ward exec "$id" true
    ward cp "$BATS_TEST_TMPDIR/f" "$id:/tmp/f$i"
    ward read "$id" "/tmp/f$i" >/dev/null
  done
  [ "$(ls /proc/"$sup"/fd | wc -l)" -eq "$fds" ]
  ward rm -f "$id" >/dev/null
  # one sandbox through 30 stop/start cycles, with a port: its files grow by one line a
  # cycle, nothing else does
  id=$(ward create -p 0:7000 --disk 16m --rootfs "$ROOTFS")
  for i in $(seq 30); do
    ward exec "$id" sh -c "echo $i >>/tmp/cycles" || failed=1
    ward stop --time 0 "$id" >/dev/null || failed=1
    ward start "$id" >/dev/null || failed=1
  done
  [ "$failed" -eq 0 ]
  [ "$(ward exec "$id" sh -c 'wc -l </tmp/cycles')" -eq 30 ]
  [ "$(ward ps -q | grep -c "$id")" -eq 1 ]
  ward rm -f "$id" >/dev/null
  settled
}
