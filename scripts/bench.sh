#!/usr/bin/env bash
# Start-up cost of one sandbox: ward against bubblewrap and runc (and crun where the host's
# cgroups let it run), in one hyperfine run on one machine, over the same root filesystem
# running /bin/true. Prints the table and the ratios. Run as root.
# Then: image import against umoci and tar, and the start cost of an image.
# usage: scripts/bench.sh [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=200
[[ ${1:-} == --runs ]] && runs=$2
[[ $(id -u) -eq 0 ]] || { echo "bench.sh: run as root (runc needs it)" >&2; exit 1; }
scripts/deps.sh
command -v hyperfine bwrap runc python3 >/dev/null 2>&1 || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine bubblewrap runc python3 >/dev/null
}
dir=$(scripts/build.sh)
cmake --build "$dir" --target probe >/dev/null
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

. scripts/bench-lib.sh
report "$work/result.json" ward/bwrap runc/ward

echo
echo "== seccomp: policy compile cache (cold: cache emptied before each start) and unconfined"
probe=$PWD/$dir/tests/probe
cp "$probe" "$rootfs/bin/probe"
# one --prepare per command, in order: only "cold" empties the cache
hyperfine -N --warmup 10 --runs "$runs" --export-json "$work/cache.json" \
  --prepare true --prepare "rm -rf /var/cache/ward/seccomp" --prepare true \
  -n warm "$ward run --rootfs $rootfs -- /bin/true" \
  -n cold "$ward run --rootfs $rootfs -- /bin/true" \
  -n unconfined "$ward run --seccomp=unconfined --rootfs $rootfs -- /bin/true"
report "$work/cache.json" cold/warm warm/unconfined

echo
echo "== seccomp: cost of the filter on 10^7 getpid() calls inside the sandbox"
# A filter that allows everything: what any filter costs (the kernel's seccomp entry path).
echo '{"defaultAction": "SCMP_ACT_ALLOW"}' >"$work/allow-all.json"
hyperfine -N --warmup 1 --runs 5 --export-json "$work/loop.json" \
  -n default "$ward run --rootfs $rootfs -- probe getpid-loop 10000000" \
  -n strict "$ward run --policy strict --rootfs $rootfs -- probe getpid-loop 10000000" \
  -n allow-all "$ward run --policy $work/allow-all.json --rootfs $rootfs -- probe getpid-loop 10000000" \
  -n unconfined "$ward run --seccomp=unconfined --rootfs $rootfs -- probe getpid-loop 10000000"
report "$work/loop.json" default/unconfined strict/unconfined allow-all/unconfined default/allow-all

echo
echo "== limits: start cost with limits, and time from exceeding --memory to the oom report"
# alloc-64 under --memory 32m is killed once it passes 32 MiB; alloc-32 under 64m does the
# same allocation work and ends normally: the difference is the OOM kill and its report.
hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/limits.json" \
  -n no-limits "$ward run --rootfs $rootfs -- /bin/true" \
  -n limits "$ward run --memory 256m --pids 100 --cpus 1 --rootfs $rootfs -- /bin/true" \
  -n oom "$ward run --memory 32m --rootfs $rootfs -- probe alloc 64" \
  -n alloc-32 "$ward run --memory 64m --rootfs $rootfs -- probe alloc 32" -i
report "$work/limits.json" limits/no-limits
python3 - "$work/limits.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
print("oom kill + report latency = %.2f ms (oom - alloc-32)" % ((r["oom"]["mean"] - r["alloc-32"]["mean"]) * 1e3))
PY

echo
echo "== volumes: start cost of a rw volume, an overlay volume (+ --changes export of a small"
echo "   change), a tmpfs, and of the nested user namespace that locks mounts for SYS_ADMIN"
vol=$work/vol
mkdir -p "$vol" && for i in $(seq 100); do echo "$i" >"$vol/f$i"; done
chown -R 1000:1000 "$vol"
hyperfine -N --warmup 10 --runs "$runs" --export-json "$work/volumes.json" \
  -n none "$ward run --rootfs $rootfs -- /bin/true" \
  -n rw "$ward run -v $vol:/w --rootfs $rootfs -- /bin/true" \
  -n overlay "$ward run -v $vol:/w:overlay --rootfs $rootfs -- /bin/true" \
  -n overlay-changes "$ward run -v $vol:/w:overlay --changes $work/changes.tar --rootfs $rootfs -- sh -c 'echo x >f1; rm f2'" \
  -n tmpfs "$ward run --tmpfs /scratch --rootfs $rootfs -- /bin/true" \
  -n locked "$ward run --cap-add SYS_ADMIN --rootfs $rootfs -- /bin/true"
report "$work/volumes.json" rw/none overlay/none overlay-changes/none tmpfs/none locked/none

echo
echo "== images: import of a real image (Debian bookworm + python3, one gzip layer) against"
echo "   umoci unpack and tar -xzf of the same layer, all onto tmpfs (the disk's writeback"
echo "   would otherwise decide); ward's figure includes every digest and DiffID check"
layout=$(scripts/debian-image.sh)
manifest=$(python3 - "$layout" <<'PY'
import json, sys
idx = json.load(open(sys.argv[1] + "/index.json"))
print([m["digest"] for m in idx["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == "python"][0].split(":")[1])
PY
)
layer=$layout/blobs/sha256/$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"].split(":")[1])' "$layout/blobs/sha256/$manifest")
mkdir -p "$work/tmpfs"
mount -t tmpfs -o size=4g tmpfs "$work/tmpfs"
trap 'umount "$work/tmpfs" 2>/dev/null; rm -rf "$work"' EXIT
t=$work/tmpfs
echo "layer: $(stat -c %s "$layer") bytes compressed"
hyperfine -N --warmup 1 --runs 7 --export-json "$work/import.json" \
  --prepare "rm -rf $t/store $t/tar $t/umoci" \
  -n ward-import "env WARD_STORE=$t/store $ward image import -q oci:$layout:python" \
  -n tar-xzf "sh -c 'mkdir $t/tar && tar -xzf $layer -C $t/tar'" \
  -n umoci-unpack "umoci unpack --image $layout:python $t/umoci"
report "$work/import.json" ward-import/tar-xzf umoci-unpack/ward-import

echo
echo "== images: start from an already-imported image against --rootfs on the same tree"
export WARD_STORE=$t/store
"$ward" image import -q oci:"$layout:python" >/dev/null # the last --prepare emptied the store
tree=$("$ward" image inspect layout:python --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["rootfs"])')
hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/run-image.json" \
  -n image "$ward run layout:python -- /bin/true" \
  -n rootfs "$ward run --rootfs $tree -- /bin/true"
report "$work/run-image.json" image/rootfs

echo
echo "== persistent sandboxes: exec into a running one, create, idle memory, throughput"
export ward work rootfs runs
export -f report
scripts/bench-lifecycle.sh

echo
id wardtest >/dev/null 2>&1 && net_user=wardtest || net_user=
scripts/bench-network.sh "$dir" $net_user
