#!/usr/bin/env bats
# ward-runc with the annotation run.ward.harden="true" (include/ward/container.h): for root
# a private user namespace (a host range of its own, the root seen through an idmapped
# mount), for anyone a network namespace with loopback alone (when the config has none),
# ward's default seccomp policy and the set-id ban on top of the config's.

load helpers
bats_require_minimum_version 1.5.0

WARD_RUNC=${WARD_RUNC:-$(dirname "$WARD")/ward-runc}
IDS=/run/ward/oci-ids

setup_file() {
  build_rootfs
  rootless || reachable_root
}

setup() {
  export OCIROOT=$BATS_TEST_TMPDIR/root
  mine=()
  ov=
}

teardown() {
  local id
  for id in "${mine[@]}"; do wr delete --force "$id" >/dev/null 2>&1 || true; done
  for id in "${mine[@]}"; do
    "$WARD_RUNC" --root "$OCIROOT-2" delete --force "$id" >/dev/null 2>&1 || true
    "$WARD_RUNC" --root "$OCIROOT-3" delete --force "$id" >/dev/null 2>&1 || true
  done
  if [[ -n $ov ]]; then umount "$ov" || true; fi
}

wr() { timeout 20 "$WARD_RUNC" --root "$OCIROOT" "$@" 3>&-; }

# bundle NAME HARDEN ARGS...: a bundle (no network namespace, the shared root read-only)
# whose process runs ARGS; HARDEN: the annotation's value, or "" for none. Prints its
# directory.
bundle() {
  local b=$BATS_TEST_TMPDIR/$1 h=$2 args spec=(spec -b "$BATS_TEST_TMPDIR/$1")
  shift 2
  mkdir -p "$b"
  rootless && spec+=(--rootless)
  if command -v runc >/dev/null; then runc "${spec[@]}"; else "$WARD_RUNC" "${spec[@]}"; fi
  args=$(for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -sc .)
  jq --arg root "$ROOTFS" --argjson args "$args" --arg h "$h" '
    .process.terminal = false | .process.args = $args | .root = {path: $root, readonly: true}
    | .linux.namespaces |= map(select(.type != "network"))
    | if $h != "" then .annotations["run.ward.harden"] = $h else . end' \
    "$b/config.json" >"$b/config.tmp"
  mv "$b/config.tmp" "$b/config.json"
  echo "$b"
}

create() {
  mine+=("$2")
  wr create --bundle "$1" "$2" >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null ||
    { cat "$BATS_TEST_TMPDIR/out"; return 1; }
}

pid_of() { wr state "$1" | jq .pid; }
slot_of() { jq -r '.idSlot // 0' "${2:-$OCIROOT}/$1/state.json"; }

# What the container sees: its uid map, who owns its busybox, its links, whether
# unshare(0) passes its seccomp filter, whether a set-uid bit can be set.
LOOK='echo "map $(cat /proc/self/uid_map)"; echo "owner $(stat -c %u /bin/busybox)"
  ip -o link | sed -n "s/^[0-9]*: \([^:@]*\).*<\([^>]*\)>.*/link \1 \2/p"
  echo "unshare $(probe sys 272 0)"
  touch /dev/shm/f && chmod u+s /dev/shm/f && echo "setuid $(stat -c %A /dev/shm/f)"
  true'

@test "root: a private id range, the root still root's, loopback alone, ward's policy and the set-id ban" {
  rootless && skip "ward's user namespace is root's (see the rootless test)"
  run wr run -b "$(bundle hard true sh -c "$LOOK")" hard-$$
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  echo "$output"
  # 0 BASE 65536 with BASE past ward's own root range
  read -r _ inside base size <<<"$(grep '^map' <<<"$output")"
  [ "$inside" = 0 ] && [ "$size" = 65536 ]
  [ "$base" -ge 2000000000 ]
  # the idmapped root: the image's files are the container root's, on the host still 0
  grep -qx 'owner 0' <<<"$output"
  [ "$(stat -c %u "$ROOTFS/bin/busybox")" = 0 ]
  # loopback alone, and up
  [ "$(grep -c '^link' <<<"$output")" -eq 1 ]
  grep -q '^link lo .*UP' <<<"$output"
  # ward's default policy refuses unshare (EPERM) where the config has no seccomp at all
  grep -qx 'unshare ret -1 errno 1' <<<"$output"
  # the set-id ban
  [[ $output == *"Operation not permitted"* ]]
  ! grep -q '^setuid' <<<"$output" || false
  [ ! -e "$OCIROOT/hard-$$" ]

  # the same config without the annotation, or with "false": none of it
  for h in "" false; do
    run wr run -b "$(bundle "soft$h" "$h" sh -c "$LOOK")" "soft$h-$$"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    grep -qE '^map +0 +0 +4294967295$' <<<"$output"
    grep -qx 'unshare ret 0 errno 0' <<<"$output"
    grep -qx 'setuid -rwSr--r--' <<<"$output"
    [ "$(grep -c '^link' <<<"$output")" -gt 1 ]
  done
}

@test "root: two hardened containers get different host ranges; delete gives each slot back" {
  rootless && skip "ward's user namespace is root's"
  b=$(bundle two true sleep 1000)
  create "$b" one-$$
  create "$b" two-$$
  s1=$(slot_of one-$$)
  s2=$(slot_of two-$$)
  [ "$s1" -gt 0 ] && [ "$s2" -gt 0 ] && [ "$s1" != "$s2" ]
  [ -d "$IDS/$((s1 - 1))" ] && [ -d "$IDS/$((s2 - 1))" ]
  m1=$(awk '{print $2}' "/proc/$(pid_of one-$$)/uid_map")
  m2=$(awk '{print $2}' "/proc/$(pid_of two-$$)/uid_map")
  [ "$m1" -ge 2000000000 ] && [ "$m2" -ge 2000000000 ]
  [ $((m1 > m2 ? m1 - m2 : m2 - m1)) -ge 65536 ]
  # the gid map alike
  [ "$(awk '{print $2}' "/proc/$(pid_of one-$$)/gid_map")" = "$m1" ]
  wr start one-$$
  [ "$(stat -c %u "/proc/$(pid_of one-$$)")" = "$m1" ]
  wr delete --force one-$$
  [ ! -e "$IDS/$((s1 - 1))" ]
  [ -d "$IDS/$((s2 - 1))" ]
  wr delete two-$$
  [ ! -e "$IDS/$((s2 - 1))" ]
}

@test "root: a delete killed after giving the range back, repeated later, frees no one else's range" {
  rootless && skip "ward's user namespace is root's"
  # the same id under other --roots (containerd's namespaces) hashes to the same slot
  b=$(bundle same true sleep 1000)
  id=same-$$
  create "$b" "$id"
  s1=$(slot_of "$id")
  WARD_FAULT_AT=oci-delete-cgroup "$WARD_RUNC" --root "$OCIROOT" delete --force "$id" \
    >/dev/null 2>&1 </dev/null 3>&- &
  stopped=$!
  eventually eval '[[ $(awk "{print \$3}" /proc/$stopped/stat) == T ]]'
  kill -9 "$stopped"
  wait "$stopped" || true
  [ ! -e "$IDS/$((s1 - 1))" ]
  "$WARD_RUNC" --root "$OCIROOT-2" create -b "$b" "$id" >/dev/null 2>&1 </dev/null 3>&-
  s2=$(slot_of "$id" "$OCIROOT-2")
  [ -d "$IDS/$((s2 - 1))" ]
  # the first one's delete, again: the second keeps its range
  wr delete --force "$id"
  [ -d "$IDS/$((s2 - 1))" ] || { echo "slot $s2 of the second container freed"; return 1; }
  "$WARD_RUNC" --root "$OCIROOT-3" create -b "$b" "$id" >/dev/null 2>&1 </dev/null 3>&-
  [ "$(slot_of "$id" "$OCIROOT-3")" != "$s2" ]
  "$WARD_RUNC" --root "$OCIROOT-2" delete --force "$id"
  "$WARD_RUNC" --root "$OCIROOT-3" delete --force "$id"
  [ ! -e "$IDS/$((s2 - 1))" ]
}

@test "root: an overlay root is refused in one line naming the annotation; nothing stays" {
  rootless && skip "mounting an overlay needs root"
  b=$(bundle ovl true true)
  ov=$BATS_TEST_TMPDIR/merged
  mkdir -p "$ov" "$BATS_TEST_TMPDIR/upper" "$BATS_TEST_TMPDIR/work"
  mount -t overlay overlay -o "lowerdir=$ROOTFS,upperdir=$BATS_TEST_TMPDIR/upper,workdir=$BATS_TEST_TMPDIR/work" "$ov"
  jq --arg r "$ov" '.root.path = $r' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
  slots=$(ls "$IDS" 2>/dev/null | sort)
  run wr create -b "$b" ovl-$$
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == "ward-runc: "*"run.ward.harden"*overlay* ]]
  [ ! -e "$OCIROOT/ovl-$$" ]
  [ "$(ls "$IDS" 2>/dev/null | sort)" = "$slots" ]
  [ -z "$(find /sys/fs/cgroup -mindepth 1 -type d -name "ovl-$$")" ]
}

@test "a value other than true or false is refused in one line naming the annotation" {
  for v in yes TRUE 1 ""; do
    b=$(bundle "bad$v" x true)
    jq --arg v "$v" '.annotations["run.ward.harden"] = $v' "$b/config.json" >"$b/c"
    mv "$b/c" "$b/config.json"
    run wr create -b "$b" "bad$v-$$"
    [ "$status" -eq 1 ] || { echo "value '$v': $output"; return 1; }
    [ "${#lines[@]}" -eq 1 ]
    [[ $output == "ward-runc: "*run.ward.harden* ]] || { echo "value '$v': $output"; return 1; }
    [ ! -e "$OCIROOT/bad$v-$$" ]
  done
}

@test "rootless: the config's user namespace stays; loopback alone, ward's policy and the set-id ban" {
  rootless || skip "the rootless run covers it"
  run wr run -b "$(bundle hard true sh -c "$LOOK")" hard-$$
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  echo "$output"
  grep -qE "^map +0 +$(id -u) +1\$" <<<"$output"
  grep -qx 'owner 0' <<<"$output"
  [ "$(grep -c '^link' <<<"$output")" -eq 1 ]
  grep -q '^link lo .*UP' <<<"$output"
  grep -qx 'unshare ret -1 errno 1' <<<"$output"
  [[ $output == *"Operation not permitted"* ]]
  ! grep -q '^setuid' <<<"$output" || false
  # no id range taken
  b=$(bundle held true sleep 1000)
  create "$b" held-$$
  [ "$(slot_of held-$$)" = 0 ]
  wr delete held-$$
  # without the annotation: the host's network, no policy, set-id allowed
  run wr run -b "$(bundle soft "" sh -c "$LOOK")" soft-$$
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  grep -qx 'unshare ret 0 errno 0' <<<"$output"
  grep -qx 'setuid -rwSr--r--' <<<"$output"
  [ "$(grep -c '^link' <<<"$output")" -gt 1 ]
}

@test "ward-runc-hardened: every container hardened without the annotation, execs too" {
  local hr id=named-$$
  hr=$(dirname "$WARD")/ward-runc-hardened
  [ -L "$hr" ]
  mine+=("$id")
  # the container's stdio goes to a file: bats' run would read a pipe it holds to its end
  timeout 20 "$hr" --root "$OCIROOT" run -d -b "$(bundle named "" sleep 60)" "$id" \
    >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- || { cat "$BATS_TEST_TMPDIR/out"; return 1; }
  # the record says so, for exec and delete
  [ "$(wr state "$id" | jq -r '.annotations["run.ward.harden"]')" = true ]
  run wr exec "$id" sh -c "$LOOK"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  grep -qx 'unshare ret -1 errno 1' <<<"$output"
  ! grep -q '^setuid' <<<"$output" || false
  [ "$(grep -c '^link' <<<"$output")" -eq 1 ]
  if ! rootless; then
    read -r _ inside base size <<<"$(grep '^map' <<<"$output")"
    [ "$base" -ge 2000000000 ]
  fi
}
