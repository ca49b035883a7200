#!/usr/bin/env bash
# Network: bulk TCP throughput through a published port against the same transfer over the
# host's plain loopback, a connection's round trip (connect, one byte each way, close)
# through the forwarder against direct, and the start cost of a sandbox with one published
# port against none. As root (veth) and as an unprivileged user (forwarder in the sandbox's
# namespace). Called by bench.sh; usage: scripts/bench-network.sh BUILD_DIR [USER]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1
user=${2:-}
cmake --build "$dir" --target probe netprobe >/dev/null
ward=$PWD/$dir/ward
np=$PWD/$dir/tests/netprobe
work=$(mktemp -d /var/tmp/ward-bench-net.XXXXXX)
chmod 755 "$work"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
rootfs=$work/rootfs
scripts/mkrootfs.sh "$rootfs" "$np" >/dev/null
export WARD_STATE_DIR=$work/state
mb=2000

"$np" sink-server 17000 >/dev/null & pids+=($!)
"$np" pong-server 17001 >/dev/null & pids+=($!)
sleep 0.3

best() { # best of three runs of a netprobe command printing "<number> <unit>"
  local b=
  for _ in 1 2 3; do
    v=$("$@" | awk '{print $1}')
    if [[ -z $b ]] || python3 -c "import sys; sys.exit(not ($v $cmp $b))"; then b=$v; fi
  done
  echo "$b"
}

ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }

# RUN: empty for root, or a setpriv prefix for the unprivileged user.
measure() {
  local label=$1
  shift
  local run=("$@")
  local state=$work/state-$label
  mkdir -p "$state"
  ((${#run[@]} == 0)) || chown "$user:" "$state"
  local w=(env WARD_STATE_DIR="$state" HOME=/tmp "$ward")
  id=$("${run[@]}" "${w[@]}" create -p 0:7000 -p 0:7001 --rootfs "$rootfs" -- sh -c 'netprobe sink-server 7000 & exec netprobe pong-server 7001')
  sink=$("${run[@]}" "${w[@]}" port "$id" | sed -n 's|^7000/tcp -> .*:||p')
  pong=$("${run[@]}" "${w[@]}" port "$id" | sed -n 's|^7001/tcp -> .*:||p')
  for _ in $(seq 50); do "$np" connect 127.0.0.1 "$pong" >/dev/null 2>&1 && break; sleep 0.05; done
  cmp='>'
  direct=$(best "$np" send 127.0.0.1 17000 $mb)
  fwd=$(best "$np" send 127.0.0.1 "$sink" $mb)
  cmp='<'
  rtt_direct=$(best "$np" rtt 127.0.0.1 17001 2000)
  rtt_fwd=$(best "$np" rtt 127.0.0.1 "$pong" 2000)
  echo "$label: throughput ${fwd} MB/s forwarded vs ${direct} MB/s loopback: ratio $(ratio "$fwd" "$direct")"
  echo "$label: round trip ${rtt_fwd} us forwarded vs ${rtt_direct} us direct: +$(python3 -c "print('%.0f' % ($rtt_fwd - $rtt_direct))") us"
  # start cost while another network sandbox is up (root: ward's table exists), then alone
  for phase in "another sandbox up" alone; do
    hyperfine -N --warmup 10 --runs 100 --export-json "$work/start-$label.json" \
      -n none "${run[*]} env WARD_STATE_DIR=$state $ward run --rootfs $rootfs -- /bin/true" \
      -n published "${run[*]} env WARD_STATE_DIR=$state $ward run -p 0:7000 --rootfs $rootfs -- /bin/true" >/dev/null 2>&1
    python3 - "$work/start-$label.json" "$label" "$phase" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
n, p = r["none"]["mean"] * 1e3, r["published"]["mean"] * 1e3
print("%s: start %.2f ms with one published port vs %.2f ms without (%s): ratio %.2f" % (sys.argv[2], p, n, sys.argv[3], p / n))
PY
    "${run[@]}" "${w[@]}" rm -f "$id" >/dev/null 2>&1 || true
  done
}

echo "== network (${mb} MB transfers, best of 3; 2000 round trips, best of 3)"
measure root
if [[ -n $user ]]; then
  measure rootless setpriv --reuid="$user" --regid="$user" --init-groups
fi
