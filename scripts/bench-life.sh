#!/usr/bin/env bash
# A sandbox's life against podman's (Debian's podman with runc, the docker start peer):
# ward start of a stopped sandbox (its saved writable layer empty, ~1 MB in 10 files, ~100 MB
# in 1000 files) against podman start, ward create, and pause/unpause of a busy sandbox.
# Called by scripts/bench-lifecycle.sh (ward, work, rootfs, runs set), or alone as root:
#   scripts/bench-life.sh [--runs N]
# Stops, removals and the other half of pause/unpause run in hyperfine's --prepare (1.15 has
# no --conclude): only the named command is timed.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "bench-life.sh: run as root" >&2; exit 1; }
life_runs=20
[[ ${1:-} == --runs ]] && life_runs=$2
command -v hyperfine podman runc python3 >/dev/null 2>&1 || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine podman runc python3 >/dev/null
}
if [[ -z ${ward:-} ]]; then
  ward=$PWD/$(scripts/build.sh)/ward
  work=$(mktemp -d /var/tmp/ward-bench-life.XXXXXX)
  rootfs=$work/rootfs
  scripts/mkrootfs.sh "$rootfs"
  own_work=1
fi
. scripts/bench-lib.sh
export WARD_STATE_DIR=$work/life-state

podman_private "$work/podman"
pm=$work/podman

ids=()
cleanup() {
  for id in "${ids[@]}"; do "$ward" rm -f "$id" >/dev/null 2>&1 || true; done
  "$ward" rm -f wblife-create >/dev/null 2>&1 || true
  podman rm -f -t 0 wbl-idle wbl-big wbl-busy >/dev/null 2>&1 || true
  podman system reset -f >/dev/null 2>&1 || true
  if [[ -n ${own_work:-} ]]; then rm -rf "$work"; else rm -rf "$pm"; fi
}
trap cleanup EXIT

# files: COUNT files of 100 KiB of random data under /data (random: no compression helps)
fill='mkdir -p /data && i=0 && while [ $i -lt $0 ]; do head -c 102400 /dev/urandom >/data/f$i; i=$((i+1)); done'
sandbox() { # COUNT: a stopped ward sandbox whose saved layer holds COUNT files
  local id
  id=$("$ward" create --rootfs "$rootfs")
  ids+=("$id")
  [[ $1 -gt 0 ]] && "$ward" exec "$id" sh -c "$fill" "$1"
  "$ward" stop --time 0 "$id" >/dev/null
  echo "$id"
}
empty=$(sandbox 0)
small=$(sandbox 10)
big=$(sandbox 1000)
du -sh "$WARD_STATE_DIR/sandboxes/$small" "$WARD_STATE_DIR/sandboxes/$big"

tar -C "$rootfs" -c . | podman import -q - wardbench >/dev/null
podman create -q --name wbl-idle --network none wardbench sleep 1000000 >/dev/null
podman create -q --name wbl-big --network none wardbench sleep 1000000 >/dev/null
podman start wbl-big >/dev/null
podman exec wbl-big sh -c "$fill" 1000
podman stop -t 0 wbl-big >/dev/null

echo
echo "== start of a stopped sandbox / container (the stop before each run is not timed)"
stop() { echo "sh -c '$1 >/dev/null 2>&1; true'"; }
hyperfine -N --warmup 2 --runs "$life_runs" --export-json "$work/life-start.json" \
  --prepare "$(stop "$ward stop --time 0 $empty")" \
  --prepare "$(stop "$ward stop --time 0 $small")" \
  --prepare "$(stop "$ward stop --time 0 $big")" \
  --prepare "$(stop "podman stop -t 0 wbl-idle")" \
  --prepare "$(stop "podman stop -t 0 wbl-big")" \
  -n ward-start "$ward start $empty" \
  -n ward-start-1M "$ward start $small" \
  -n ward-start-100M "$ward start $big" \
  -n podman-start "podman start wbl-idle" \
  -n podman-start-100M "podman start wbl-big"
report "$work/life-start.json" podman-start/ward-start podman-start/ward-start-1M \
  podman-start-100M/ward-start-100M ward-start-1M/ward-start ward-start-100M/ward-start
for id in "$empty" "$small" "$big"; do "$ward" stop --time 0 "$id" >/dev/null; done
podman stop -t 0 wbl-idle wbl-big >/dev/null

echo
echo "== ward create of a new idle sandbox (the previous one removed before each run, not"
echo "   timed), and ward run of /bin/true as this machine's yardstick at this hour"
hyperfine -N --warmup 2 --runs "$life_runs" --export-json "$work/life-create.json" \
  --prepare "$(stop "$ward rm -f wblife-create")" --prepare true \
  -n ward-create "$ward create --name wblife-create --rootfs $rootfs" \
  -n ward-run "$ward run --rootfs $rootfs -- /bin/true"
"$ward" rm -f wblife-create >/dev/null
report "$work/life-create.json" ward-create/ward-run
python3 - "$work/life-start.json" "$work/life-create.json" <<'PY'
import json, sys
r = {x["command"]: x for f in sys.argv[1:] for x in json.load(open(f))["results"]}
for s in ("ward-start", "ward-start-1M", "ward-start-100M"):
    print("%s / ward-create = %.2f" % (s, r[s]["mean"] / r["ward-create"]["mean"]))
PY

echo
echo "== pause and unpause of a sandbox / container running a busy loop (root: the cgroup"
echo "   freezer; rootless ward has none on a hybrid host, its v1 freezer needs root)"
busy=$("$ward" create --rootfs "$rootfs" -- sh -c 'while :; do :; done')
ids+=("$busy")
podman run -d -q --name wbl-busy --network none wardbench sh -c 'while :; do :; done' >/dev/null
hyperfine -N --warmup 3 --runs $((life_runs * 3)) --export-json "$work/life-pause.json" \
  --prepare "$(stop "$ward unpause $busy")" \
  --prepare "$(stop "$ward pause $busy")" \
  -n ward-pause "$ward pause $busy" \
  -n ward-unpause "$ward unpause $busy"
# runc 1.1's v1 freezer gives up on a busy loop now and then ("unable to freeze", podman
# exits 125): keep going (-i), count those, and average the runs that worked
hyperfine -N -i --warmup 3 --runs $((life_runs * 3)) --export-json "$work/life-podman-pause.json" \
  --prepare "$(stop "podman unpause wbl-busy")" \
  --prepare "$(stop "podman pause wbl-busy")" \
  -n podman-pause "podman pause wbl-busy" \
  -n podman-unpause "podman unpause wbl-busy"
python3 - "$work/life-pause.json" "$work/life-podman-pause.json" <<'PY'
import json, statistics, sys
r = {x["command"]: x for f in sys.argv[1:] for x in json.load(open(f))["results"]}
print("\n%-18s %10s %10s %10s %8s" % ("", "mean ms", "min ms", "stddev", "failed"))
ok = {}
for name, x in r.items():
    t = [v for v, c in zip(x["times"], x["exit_codes"]) if c == 0]
    ok[name] = statistics.mean(t)
    print("%-18s %10.2f %10.2f %10.2f %5d/%d" % (name, ok[name] * 1e3, min(t) * 1e3,
          statistics.stdev(t) * 1e3, len(x["times"]) - len(t), len(x["times"])))
for a, b in (("podman-pause", "ward-pause"), ("podman-unpause", "ward-unpause")):
    print("%s / %s = %.2f (runs that worked)" % (a, b, ok[a] / ok[b]))
PY
