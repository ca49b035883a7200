#!/usr/bin/env bash
# Keeps the host busy with someone else's sandboxes, to show that the test suite checks only
# what it made itself: as root and, when given, as USER too, each in a state root of its own,
# sandboxes are created (every other one publishing a port, every fourth with egress), used
# and removed, one-shot runs in between, until SECONDS have passed or the script is stopped.
# usage: scripts/busy-host.sh WARD SECONDS [USER]
#   e.g. scripts/busy-host.sh build/ward 1800 wardtest & scripts/test.sh; kill %1
set -euo pipefail
ward=$(realpath "${1:?usage: busy-host.sh WARD SECONDS [USER]}")
seconds=${2:?usage: busy-host.sh WARD SECONDS [USER]}
user=${3:-}
work=$(mktemp -d /tmp/ward-busy.XXXXXX)
chmod 755 "$work"
"$(dirname "$0")/mkrootfs.sh" "$work/rootfs" >/dev/null
trap 'kill $(jobs -p) 2>/dev/null || true; wait; rm -rf "$work"' EXIT

# One loop, as the calling user: ids are this loop's own, nothing else is touched.
loop() {
  local state=$1 n=0 id opts
  export WARD_STATE_DIR=$state
  local end=$((SECONDS + seconds))
  while ((SECONDS < end)); do
    n=$((n + 1))
    opts=()
    ((n % 2)) && opts+=(-p 0:7000)
    ((n % 4 == 0)) && opts+=(--network egress)
    if id=$("$ward" create "${opts[@]}" --rootfs "$work/rootfs" 2>/dev/null); then
      "$ward" exec "$id" true >/dev/null 2>&1 || true
      "$ward" rm -f "$id" >/dev/null 2>&1 || true
    fi
    "$ward" run -p 0:7001 --rootfs "$work/rootfs" -- true >/dev/null 2>&1 || true
  done
  echo "busy-host: $state: $n cycles"
}
export -f loop
export ward seconds work

loop "$work/state-root" &
if [[ -n $user ]]; then
  install -d -m 700 -o "$user" "$work/state-user"
  setpriv --reuid="$user" --regid="$user" --init-groups env HOME=/tmp \
    bash -c 'loop "$work/state-user"' &
fi
wait
