#!/usr/bin/env bats
# --allow-setuid: no no_new_privs, so the image's set-uid programs and file capabilities take
# effect inside (container root, never more); the default keeps no_new_privs.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
  build_rootfs
  # a file capability: host root's (v2), or rootless a namespaced one (v3) whose root is
  # the caller, which the sandbox's user namespace honours
  cp "$PROBE" "$ROOTFS/bin/cap-probe"
  if rootless; then
    unshare -Ur setcap cap_net_raw+ep "$ROOTFS/bin/cap-probe"
  else
    setcap cap_net_raw+ep "$ROOTFS/bin/cap-probe"
  fi
}

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  before=$(host_state)
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

@test "a set-uid-root program raises euid only with --allow-setuid" {
  run ward run -u 1000 --rootfs "$ROOTFS" -- sh -c 'suid-probe euid; grep NoNewPrivs /proc/self/status'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "euid 1000 uid 1000" ]
  [[ ${lines[1]} == *"NoNewPrivs:	1" ]]
  run ward run --allow-setuid -u 1000 --rootfs "$ROOTFS" -- sh -c 'suid-probe euid; grep NoNewPrivs /proc/self/status'
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "${lines[0]}" = "euid 0 uid 1000" ]
  [[ ${lines[1]} == *"NoNewPrivs:	0" ]]
  host_back "$before"
}

@test "--allow-setuid: the seccomp filter still holds for a non-root workload, and set-uid root gets only the bounding set" {
  # the policy's refusals reach the set-uid process: keyctl (keyrings are not namespaced)
  run ward run --allow-setuid -u 1000 --rootfs "$ROOTFS" -- sh -c 'suid-probe status; suid-probe expect-errno 1 keyctl add_key request_key; grep Seccomp: /proc/self/status'
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [[ $output == *"Seccomp:	2"* ]]
  [[ $output == *"Uid:	1000	0	0	0"* ]]
  # set-uid root's capabilities: the sandbox's bounding set (no NET_RAW, no SYS_ADMIN)
  eff=$(sed -n 's/^CapEff:\t//p' <<<"$output")
  bnd=$(sed -n 's/^CapBnd:\t//p' <<<"$output")
  [ "$eff" = "$bnd" ]
  (( (0x$eff & (1 << 13)) == 0 && (0x$eff & (1 << 21)) == 0 ))
  # exec'd commands too
  id=$(ward create --allow-setuid -u 1000 --rootfs "$ROOTFS")
  run ward exec "$id" sh -c 'suid-probe euid; grep NoNewPrivs /proc/self/status; grep Seccomp: /proc/self/status'
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "${lines[0]}" = "euid 0 uid 1000" ]
  [[ ${lines[1]} == *"NoNewPrivs:	0" ]]
  [[ ${lines[2]} == *"Seccomp:	2" ]]
  id2=$(ward create -u 1000 --rootfs "$ROOTFS")
  run ward exec "$id2" suid-probe euid
  [ "$output" = "euid 1000 uid 1000" ]
}

@test "a file capability takes effect only with --allow-setuid" {
  # no_new_privs: the file's capability is not granted (or the binary refused)
  run ward run --cap-add NET_RAW -u 1000 --rootfs "$ROOTFS" -- sh -c 'cap-probe status || echo refused'
  [[ $output == *refused* || $output == *"CapEff:	0000000000000000"* ]]
  [[ $output != *"CapEff:	0000000000002000"* ]]
  run ward run --allow-setuid --cap-add NET_RAW -u 1000 --rootfs "$ROOTFS" -- cap-probe status
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  eff=$(sed -n 's/^CapEff:\t//p' <<<"$output")
  [ "$eff" = 0000000000002000 ]
  # without NET_RAW in the bounding set even --allow-setuid cannot grant it
  run ward run --allow-setuid -u 1000 --rootfs "$ROOTFS" -- sh -c 'cap-probe status || echo refused'
  [[ $output == *refused* ]]
  host_back "$before"
}

@test "--allow-setuid keeps the set-id ban of rw volumes" {
  mkdir -p "$BATS_TEST_TMPDIR/vol"
  # as root the volume belongs to an ordinary user, with that user's own group
  if ! rootless; then chown "${WARD_TEST_USER:-1000}:" "$BATS_TEST_TMPDIR/vol" 2>/dev/null || chown 1000:1000 "$BATS_TEST_TMPDIR/vol"; fi
  run ward run --allow-setuid -v "$BATS_TEST_TMPDIR/vol:/vol" --rootfs "$ROOTFS" -- sh -c 'echo x >/vol/f && chmod 4755 /vol/f; echo rc=$?'
  [[ $output == *"rc=1"* ]]
  [ ! -u "$BATS_TEST_TMPDIR/vol/f" ]
  host_back "$before"
}
