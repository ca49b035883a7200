# Shared set-up for the integration tests: a busybox root filesystem with the probe, and a
# view of host state to compare before and after.

build_rootfs() {
  export ROOTFS="$BATS_FILE_TMPDIR/rootfs"
  "$MKROOTFS" "$ROOTFS" "$PROBE" >/dev/null
  cp "$PROBE" "$ROOTFS/bin/suid-probe"
  chmod 4755 "$ROOTFS/bin/suid-probe"
  printf '#!/bin/sh\necho script\n' >"$ROOTFS/bin/not-executable"
  chmod 644 "$ROOTFS/bin/not-executable"
  # A kernel that cannot idmap the test filesystem (the 6.1 VM on tmpfs) gets a tree owned
  # by the container range already, as unpacked images are.
  if [[ -n ${WARD_TEST_RANGE_OWNED:-} && $(id -u) -eq 0 ]]; then
    chown -hR 2000000000:2000000000 "$ROOTFS"
  fi
}

ward() { "$WARD" "$@"; }

rootless() { [[ $(id -u) -ne 0 ]]; }

# Retry a check for about five seconds (a loaded CI host is slow); its last try decides.
eventually() {
  for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  "$@"
}

# Mount table, ward's cgroups and ward-started processes of the host.
host_state() {
  wc -l </proc/self/mountinfo
  ls /sys/fs/cgroup/unified/ward /sys/fs/cgroup/ward 2>/dev/null | grep -v -e "^$$\$" -e "^supervisors$" || true
}

# Fingerprint of a directory tree: names, modes, sizes, owners, mtimes and contents.
tree_digest() {
  (cd "$1" && find . -printf '%p %m %s %U %G %T@ %l\n' | sort && find . -type f -exec sha256sum {} + | sort) | sha256sum
}

# Last line of stderr output of a `run --separate-stderr`-less run: the JSON result.
json_field() { sed -n 's/.*"'"$1"'":\("[^"]*"\|[0-9-]*\).*/\1/p' <<<"$2" | tr -d '"'; }

# Test images (tests/images/make-fixtures.sh) in $FX, a sentinel directory on the host, and
# the hostile layers aimed at it added to the layout as layout:evil-*.
build_image_fixtures() {
  export FX="$BATS_FILE_TMPDIR/fx"
  "$BATS_TEST_DIRNAME/../images/make-fixtures.sh" "$FX" "$PROBE" >/dev/null 2>&1
  export SENTINEL="$BATS_FILE_TMPDIR/sentinel"
  mkdir -p "$SENTINEL" && echo secret >"$SENTINEL/secret"
  mkdir -p "$FX/hostile"
  python3 "$BATS_TEST_DIRNAME/../images/hostile.py" "$FX/hostile" "$SENTINEL"
  for f in "$FX"/hostile/evil-*.tar; do
    umoci raw add-layer --image "$FX/layout:base" --tag "$(basename "$f" .tar)" "$f" >/dev/null
  done
}

# Rootless trees hold files of subordinate ids: only ward (in its user namespace) can
# delete them, so the store is emptied through ward before bats cleans up.
empty_store() {
  [[ -d $WARD_STORE ]] || return 0
  "$WARD" image ls --json | jq -r '.[].id' | xargs -r "$WARD" image rm >/dev/null 2>&1 || true
  "$WARD" image prune >/dev/null
}

# The id container root has on the host: ward's range for root, the caller for rootless.
base_id() { if rootless; then id -u; else echo 2000000000; fi; }

tree_of() { ward image inspect "$1" --json | jq -r .rootfs; }

# Can this caller's sandboxes get cgroup limits: root, or a delegated cgroup v2 subtree.
enforceable() {
  ! rootless && return 0
  local own
  own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  [ -n "$own" ] && [ -w "/sys/fs/cgroup$own" ] && [ -e /sys/fs/cgroup/cgroup.controllers ]
}
