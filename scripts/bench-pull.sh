#!/usr/bin/env bash
# Pull from a registry (issue 19), in one run against Debian's docker-registry on 127.0.0.1
# (tests/registry/registry.sh; the images of tests/registry/images.sh pushed with skopeo):
#   1. the multi-layer Debian+python3 image into an empty store: ward pull against
#      podman pull and skopeo copy to an oci: layout + ward image import (and those two alone);
#   2. a second image sharing that base, pulled after the first: time and disk it adds;
#   3. start from the pulled image against --rootfs on the same tree.
# As root: scripts/bench-pull.sh [--runs N] [--start-runs M]   (defaults 5 and 50; medians)
# Every store, the registry's storage and podman's are on one tmpfs (the disk's writeback
# would otherwise decide); each timed pull starts from an empty store (emptied before the run,
# not timed). Traffic goes only to 127.0.0.1; nothing is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "bench-pull.sh: run as root" >&2; exit 1; }
runs=5 start_runs=50
while [[ $# -gt 0 ]]; do
  case $1 in
  --runs) runs=$2 && shift 2 ;;
  --start-runs) start_runs=$2 && shift 2 ;;
  *) echo "usage: bench-pull.sh [--runs N] [--start-runs M]" >&2 && exit 2 ;;
  esac
done
for c in podman runc skopeo docker-registry umoci jq python3; do
  command -v $c >/dev/null || { echo "bench-pull.sh: $c missing (scripts/deps.sh)" >&2; exit 1; }
done
ward=${ward:-$PWD/$(scripts/build.sh)/ward}
regsh=$PWD/tests/registry/registry.sh

echo "machine: $(nproc) CPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(free -g | awk '/^Mem/ {print $2}') GiB, kernel $(uname -r)"
echo "ward $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!BENCHMARKS.md' || echo +changes)," \
  "$(podman --version), runc $(runc --version | awk 'NR==1 {print $3}'), $(skopeo --version)," \
  "$(docker-registry --version | awk '{print $1, $3}')"
echo "start: $(date -u '+%F %T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"

layout=$(tests/registry/images.sh /var/tmp) # cached under /var/cache/ward-test
work=$(mktemp -d /var/tmp/ward-bench-pull.XXXXXX)
t=$work/t
mkdir -p "$t"
mount -t tmpfs -o size=6g tmpfs "$t"
cleanup() {
  "$regsh" stop "$t/reg" || true
  umount -R "$t" 2>/dev/null || umount -l "$t" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# skopeo as root keeps a blob-info cache in /var/lib/containers/cache: give it an empty one
# of its own in a private mount namespace, so the host's stays untouched and every run is cold.
sk() {
  if [[ -d /var/lib/containers ]]; then
    unshare -m --propagation private sh -c \
      'mount -t tmpfs tmpfs /var/lib/containers && exec skopeo --insecure-policy "$@"' sk "$@"
  else
    skopeo --insecure-policy "$@"
  fi
}
export -f sk

# podman with everything private to $t (notes/oci-engines.md): its ulimits, runc, storage,
# tmp_dir (else /run/libpod), no registries or credentials of the host's.
pm=$t/podman
mkdir -p "$work/conf"
cat >"$work/conf/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
tmp_dir = "$pm/tmp"
EOF
printf '[storage]\ndriver = "overlay"\nrunroot = "%s/run"\ngraphroot = "%s/graph"\n' "$pm" "$pm" \
  >"$work/conf/storage.conf"
echo 'unqualified-search-registries = []' >"$work/conf/registries.conf"
echo '{}' >"$work/conf/auth.json"
export CONTAINERS_CONF=$work/conf/containers.conf CONTAINERS_STORAGE_CONF=$work/conf/storage.conf
export CONTAINERS_REGISTRIES_CONF=$work/conf/registries.conf REGISTRY_AUTH_FILE=$work/conf/auth.json
# ward: no registry settings, certificates or credentials of the host's either
export WARD_REGISTRY_CONFIG=$work/conf/registries.json WARD_CERTS_D=$work/conf/certs.d
echo '{}' >"$WARD_REGISTRY_CONFIG" && mkdir -p "$WARD_CERTS_D"

# (docker-registry reads REGISTRY_* variables as its settings: not ours)
reg=$(env -u REGISTRY_AUTH_FILE "$regsh" start plain "$t/reg")
sk copy -q --dest-tls-verify=false oci:"$layout:3.12" docker://"$reg/python:3.12"
sk copy -q --dest-tls-verify=false oci:"$layout:app" docker://"$reg/python:app"
img=$reg/python:3.12
app=$reg/python:app
echo "registry: $reg (docker-registry, plain HTTP, storage on the tmpfs)"
python3 - "$layout" <<'PY'
import json, os, sys
lay = sys.argv[1]
idx = json.load(open(lay + "/index.json"))
for m in idx["manifests"]:
    man = json.load(open(lay + "/blobs/sha256/" + m["digest"].split(":")[1]))
    sizes = [l["size"] for l in man["layers"]]
    print("image %-5s %d layers, %.1f MB compressed (%s)" % (m["annotations"]["org.opencontainers.image.ref.name"],
          len(sizes), sum(sizes) / 1e6, ", ".join("%.1f" % (s / 1e6) for s in sizes)))
PY

report() { # result.json, then "A/B" pairs to print as ratios of medians
  python3 - "$@" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
print("\n%-20s %10s %10s %10s %10s %10s" % ("", "median ms", "min ms", "max ms", "mean ms", "stddev"))
for name, x in r.items():
    print("%-20s %10.1f %10.1f %10.1f %10.1f %10.1f" % (name, x["median"] * 1e3, x["min"] * 1e3,
          x["max"] * 1e3, x["mean"] * 1e3, x["stddev"] * 1e3))
for pair in sys.argv[2:]:
    a, b = pair.split("/")
    print("%s / %s = %.2f (medians)" % (a, b, r[a]["median"] / r[b]["median"]))
PY
}

# The machine is shared and its load drifts over minutes, so the commands are interleaved
# (hyperfine runs all of one before the next): each round runs every command once, in turn,
# the order reversed every other round. A command runs without a shell (as hyperfine -N);
# its PREPARE (a shell line) runs before each run and is not timed; a failure stops the bench.
# usage: interleave OUT.json RUNS WARMUP NAME PREPARE COMMAND [NAME PREPARE COMMAND]...
interleave() {
  python3 - "$@" <<'PY'
import json, shlex, statistics, subprocess, sys, time
out, runs, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
a = sys.argv[4:]
cmds = [(a[i], a[i + 1], shlex.split(a[i + 2])) for i in range(0, len(a), 3)]
times = {n: [] for n, _, _ in cmds}
for k in range(warmup + runs):
    for name, prep, argv in (cmds if k % 2 == 0 else cmds[::-1]):
        if prep:
            subprocess.run(["bash", "-c", prep], check=True, stdout=subprocess.DEVNULL)
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        t = time.perf_counter() - t0
        if k >= warmup:
            times[name].append(t)
res = [{"command": n, "times": v, "median": statistics.median(v), "mean": statistics.mean(v),
        "min": min(v), "max": max(v), "stddev": statistics.stdev(v) if len(v) > 1 else 0.0}
       for n, v in times.items()]
json.dump({"results": res}, open(out, "w"))
PY
}

echo
echo "== 1. pull of the Debian+python3 image ($img) into an empty store"
# skopeo-copy and ward-import time the two halves of skopeo+import alone (the import from a
# layout made once): the download floor and the unpack+verify floor of ward's pull.
# ward-import-1layer imports the same files as one layer (scripts/debian-image.sh's image,
# which images.sh splits in three): what unpacking three layers as three trees costs.
one=$(scripts/debian-image.sh)
sk copy -q --src-tls-verify=false docker://"$img" oci:"$t/oci-ref:python"
interleave "$work/pull.json" "$runs" 1 \
  ward-pull "rm -rf $t/ward" "env WARD_STORE=$t/ward $ward pull -q $img" \
  podman-pull "rm -rf $pm" "podman pull -q --tls-verify=false $img" \
  skopeo+import "rm -rf $t/oci $t/ward-imp" \
  "bash -c 'sk copy -q --src-tls-verify=false docker://$img oci:$t/oci:python && WARD_STORE=$t/ward-imp $ward image import -q oci:$t/oci:python'" \
  skopeo-copy "rm -rf $t/oci" "bash -c 'sk copy -q --src-tls-verify=false docker://$img oci:$t/oci:python'" \
  ward-import "rm -rf $t/ward-imp" "env WARD_STORE=$t/ward-imp $ward image import -q oci:$t/oci-ref:python" \
  ward-import-1layer "rm -rf $t/ward-imp" "env WARD_STORE=$t/ward-imp $ward image import -q oci:$one:python"
report "$work/pull.json" ward-pull/podman-pull ward-pull/skopeo+import ward-pull/ward-import \
  ward-pull/skopeo-copy ward-import/ward-import-1layer

echo
echo "== where ward pull's time goes: its plain progress lines on stderr, stamped with the time"
echo "   since its start (one more pull into an empty store), and the registry's time to the"
echo "   first byte of the manifest (curl)"
rm -rf "$t/ward"
WARD_STORE=$t/ward python3 - "$ward" "$img" <<'PY'
import subprocess, sys, time
t0 = time.perf_counter()
p = subprocess.Popen([sys.argv[1], "pull", sys.argv[2]], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
for line in p.stderr:
    print("%8.0f ms  %s" % ((time.perf_counter() - t0) * 1e3, line.rstrip()))
p.wait()
print("%8.0f ms  exit %d: %s" % ((time.perf_counter() - t0) * 1e3, p.returncode, p.stdout.read().strip()))
PY
curl -s -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  -w 'manifest: first byte after %{time_starttransfer} s, total %{time_total} s\n' \
  "http://$reg/v2/python/manifests/3.12"

echo
echo "== 2. a second image sharing the base ($app: the same three layers and a small fourth),"
echo "   pulled after the first (the first pull before each run, not timed)"
interleave "$work/second.json" "$runs" 1 \
  ward-pull-second "rm -rf $t/ward2 && WARD_STORE=$t/ward2 $ward pull -q $img" \
  "env WARD_STORE=$t/ward2 $ward pull -q $app" \
  podman-pull-second "rm -rf $pm && podman pull -q --tls-verify=false $img" \
  "podman pull -q --tls-verify=false $app"
report "$work/second.json"
python3 - "$work/pull.json" "$work/second.json" <<'PY'
import json, sys
r = {x["command"]: x for f in sys.argv[1:] for x in json.load(open(f))["results"]}
for a, b in (("ward-pull-second", "ward-pull"), ("podman-pull-second", "podman-pull"),
             ("ward-pull-second", "podman-pull-second")):
    print("%s / %s = %.3f (medians)" % (a, b, r[a]["median"] / r[b]["median"]))
PY
# Disk: du of each store (hard links counted once) empty, after the first, after the second.
kb() { du -sk "$1" 2>/dev/null | cut -f1; }
disk() { # NAME STORE PULL-COMMAND...
  local name=$1 store=$2 d0 d1 d2
  shift 2
  rm -rf "$store" && mkdir -p "$store"
  d0=$(kb "$store")
  "$@" "$img" >/dev/null
  d1=$(kb "$store")
  "$@" "$app" >/dev/null
  d2=$(kb "$store")
  printf '%-8s store: empty %6d KB, after the first %7d KB (+%d), after the second %7d KB (+%d)\n' \
    "$name" "$d0" "$d1" $((d1 - d0)) "$d2" $((d2 - d1))
}
echo
disk ward "$t/ward2" env WARD_STORE="$t/ward2" "$ward" pull -q
echo "  of which blobs (layers as pulled, compressed) $(kb "$t/ward2/blobs") KB, trees $(kb "$t/ward2/trees") KB"
disk podman "$pm" podman pull -q --tls-verify=false

echo
echo "== 3. start from the pulled image against --rootfs on the same tree ($start_runs runs)"
export WARD_STORE=$t/ward
rm -rf "$WARD_STORE" && "$ward" pull -q "$img" >/dev/null
tree=$("$ward" image inspect "$img" --json | jq -r .rootfs)
interleave "$work/start.json" "$start_runs" 10 \
  image "" "$ward run $img -- /bin/true" \
  rootfs "" "$ward run --rootfs $tree -- /bin/true"
report "$work/start.json" image/rootfs
python3 - "$work/start.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
print("image / rootfs = %.2f (means), sigma %.1f / %.1f ms" % (r["image"]["mean"] / r["rootfs"]["mean"],
      r["image"]["stddev"] * 1e3, r["rootfs"]["stddev"] * 1e3))
PY
unset WARD_STORE

echo
echo "end: $(date -u '+%F %T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
