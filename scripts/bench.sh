#!/usr/bin/env bash
# Start-up cost of one sandbox: ward against bubblewrap and runc (and crun where the host's
# cgroups let it run), in one hyperfine run on one machine, over the same root filesystem
# running /bin/true. Prints the table and the ratios. Run as root.
# usage: scripts/bench.sh [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=200
[[ ${1:-} == --runs ]] && runs=$2
[[ $(id -u) -eq 0 ]] || { echo "bench.sh: run as root (runc needs it)" >&2; exit 1; }
scripts/deps.sh
command -v hyperfine bwrap runc >/dev/null 2>&1 || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine bubblewrap runc >/dev/null
}
dir=$(scripts/build.sh)
ward=$PWD/$dir/ward
work=$(mktemp -d /var/tmp/ward-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs=$work/bundle/rootfs
scripts/mkrootfs.sh "$rootfs"

# runc bundle over the same tree: its default spec, running /bin/true with no terminal.
(cd "$work/bundle" && runc spec)
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"\/bin\/true"/' "$work/bundle/config.json"
grep -q '"/bin/true"' "$work/bundle/config.json"

cmds=(
  "$ward run --rootfs $rootfs -- /bin/true"
  "bwrap --unshare-all --die-with-parent --ro-bind $rootfs / --proc /proc --dev /dev /bin/true"
  "runc --root $work/runc-state run --bundle $work/bundle wardbench"
)
names=(ward bwrap runc)
if command -v crun >/dev/null && crun --root "$work/crun-state" run --bundle "$work/bundle" probe >/dev/null 2>&1; then
  cmds+=("crun --root $work/crun-state run --bundle $work/bundle wardbench")
  names+=(crun)
else
  echo "crun: not installed or refuses this host's cgroups; left out"
fi
args=()
for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/result.json" "${args[@]}"

python3 - "$work/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
w = r["ward"]["mean"]
print("\n%-6s %10s %10s %10s %12s" % ("", "mean ms", "min ms", "stddev", "ward ratio"))
for name, x in r.items():
    print("%-6s %10.2f %10.2f %10.2f %12.2f" % (name, x["mean"] * 1e3, x["min"] * 1e3, x["stddev"] * 1e3, w / x["mean"]))
print("\nward/bwrap = %.2f (goal <= 1.0)   runc/ward = %.1fx (goal >= 5)" % (w / r["bwrap"]["mean"], r["runc"]["mean"] / w))
PY
