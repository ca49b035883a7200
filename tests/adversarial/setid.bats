#!/usr/bin/env bats
# Set-id programs planted through a rw volume (issue 16, item 1): the host runs a file of a
# volume through its own mount, where the sandbox's nosuid does not apply, so a set-id bit
# made inside would hand the volume owner's ids (and group) to any local user who runs it.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { build_rootfs; }

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  V=$BATS_TEST_TMPDIR/vol
  mkdir -p "$V"
  # as root the volume belongs to an ordinary user, with that user's own group
  if ! rootless; then chown "${WARD_TEST_USER:-1000}:" "$V" 2>/dev/null || chown 1000:1000 "$V"; fi
  baseline
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

# Inside a sandbox with $V at /w: every way to make a set-id file (the probe's raw calls,
# chmod in both notations, a copy that keeps modes as dpkg's unpacking does).
plant() {
  ward run "$@" -v "$V:/w" --rootfs "$ROOTFS" -- sh -c 'exec 2>/dev/null
    probe setid /w
    echo "#!/bin/sh" >/w/s; chmod 6755 /w/s; echo "chmod 6755: $?"
    chmod u+s /w/s; echo "chmod u+s: $?"
    chmod g+s /w/s; echo "chmod g+s: $?"
    cp -p /bin/suid-probe /w/copied; echo "cp -p: $?"
    mkdir /w/d && chmod 2755 /w/d; echo "chmod dir: $?"'
}

# Each way refused (EPERM; openat2 ENOSYS, which sends libc back to openat) and nothing
# under the volume set-id on the host.
refused() {
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  local ways=0 line
  for line in "${lines[@]}"; do
    case $line in
    openat2:*) [ "$line" = "openat2: Function not implemented" ] ;;
    x32-chmod:*) [ "$line" != "x32-chmod: ok" ] ;;
    *:\ [0-9]) [ "${line##*: }" -ne 0 ] ;;
    # a policy without the call (fchmodat2 is recent) answers ENOSYS first
    *) [[ ${line##*: } == "Operation not permitted" || ${line##*: } == "Function not implemented" ]] ;;
    esac || { echo "allowed: $line"; echo "$output"; return 1; }
    ways=$((ways + 1))
  done
  [ "$ways" -eq 21 ] || { echo "$output"; return 1; }
  [ -z "$(find "$V" -perm /6000)" ] || { find "$V" -perm /6000 -ls; return 1; }
}

@test "setid class: a rw volume cannot get a set-id file, by any call" {
  run plant
  refused
  settled
}

@test "setid class: the ban holds with --cap-add ALL, a Docker profile and the shipped policies" {
  run plant --cap-add ALL
  refused
  run plant --cap-add ALL --policy strict
  refused
  if [[ -n ${WARD_TEST_PODMAN_PROFILE:-} ]]; then
    run plant --cap-add ALL --policy "$WARD_TEST_PODMAN_PROFILE"
    refused
  fi
  settled
}

@test "setid class: ward exec into a sandbox with a rw volume is banned too" {
  id=$(ward create -v "$V:/w" --rootfs "$ROOTFS")
  run ward exec "$id" sh -c 'echo x >/w/e && chmod 4755 /w/e'
  [ "$status" -ne 0 ]
  [[ $output == *"Operation not permitted"* ]]
  [ -z "$(find "$V" -perm /6000)" ]
}

@test "setid class: without a rw volume set-id files work (an image's dpkg installs sudo)" {
  run ward run --rootfs "$ROOTFS" -- sh -c 'cp -p /bin/suid-probe /tmp/p && chmod 6755 /tmp/p && stat -c %a /tmp/p /bin/suid-probe'
  [ "$status" -eq 0 ]
  [ "$output" = $'6755\n4755' ]
  run ward run -v "$V:/w:ro" --rootfs "$ROOTFS" -- sh -c 'echo x >/tmp/f && chmod 4755 /tmp/f && stat -c %a /tmp/f'
  [ "$status" -eq 0 ]
  [ "$output" = 4755 ]
  # an overlay volume's writes stay in the sandbox
  run ward run -v "$V:/w:overlay" --rootfs "$ROOTFS" -- sh -c 'echo x >/w/f && chmod 4755 /w/f && stat -c %a /w/f'
  [ "$status" -eq 0 ]
  [ "$output" = 4755 ]
  [ -z "$(find "$V" -perm /6000)" ]
}

@test "setid class: --allow-setid-volumes lifts the ban with a warning; unconfined warns too" {
  run --separate-stderr ward run --allow-setid-volumes -v "$V:/w" --rootfs "$ROOTFS" -- sh -c 'echo x >/w/f && chmod 4755 /w/f'
  [ "$status" -eq 0 ]
  [ "$stderr" = "ward: warning: --allow-setid-volumes: the sandbox may make set-id programs in its rw volumes (such as $V), which host users could run" ]
  [ "$(stat -c %a "$V/f")" = 4755 ]
  rm "$V/f"
  run --separate-stderr ward run --seccomp=unconfined -v "$V:/w" --rootfs "$ROOTFS" -- true
  [ "$status" -eq 0 ]
  [[ $stderr == *"ward: warning: --seccomp=unconfined: the sandbox may make set-id programs in its rw volumes (such as $V)"* ]]
}

@test "setid class: as root, a rw volume of a system group is refused; the group mapped is the owner's primary one" {
  rootless && skip "a rootless caller's volumes are its own"
  owner=$(stat -c %u "$V")
  chgrp 6 "$V" # disk
  run ward run -v "$V:/w" --rootfs "$ROOTFS" -- true
  [ "$status" -eq 125 ]
  [ "$output" = "ward: volume $V: its group 6 is a system group; a rw volume would let the sandbox make files (even setgid ones) of that group on the host. chown it to a user and their group, or mount it :ro" ]
  run ward run -v "$V:/w:ro" --rootfs "$ROOTFS" -- ls -d /w
  [ "$status" -eq 0 ]
  # another group than the owner's primary one is not mapped: rw refused, ro shows it as
  # nobody's, so no group rights the owner would not use by default reach the sandbox
  primary=$(getent passwd "$owner" | cut -d: -f4)
  [[ -n $primary ]] || skip "uid $owner has no passwd entry"
  chgrp 4711 "$V"
  echo x >"$V/old" && chown "$owner:4711" "$V/old" && chmod 660 "$V/old"
  run ward run -v "$V:/w" --rootfs "$ROOTFS" -- true
  [ "$status" -eq 125 ]
  [ "$output" = "ward: volume $V: its group 4711 is not its owner's primary group ($primary), the only one ward maps for a rw volume. chgrp it to $primary, or mount it :ro" ]
  run ward run -v "$V:/w:ro" --rootfs "$ROOTFS" -- stat -c %g /w/old
  [ "$status" -eq 0 ]
  [ "$output" = 65534 ]
  # with the owner's primary group, it is the group of what the sandbox makes
  chgrp "$primary" "$V"
  run ward run -v "$V:/w" --rootfs "$ROOTFS" -- sh -c 'echo x >/w/new'
  [ "$status" -eq 0 ]
  [ "$(stat -c %u:%g "$V/new")" = "$owner:$primary" ]
}
