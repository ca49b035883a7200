#!/usr/bin/env bash
# Persistent sandboxes, called by scripts/bench.sh (which sets ward, work, rootfs, runs and
# report): ward exec against runc exec into a running container over the same tree,
# create-to-ready against runc run -d, the memory an idle sandbox costs, and create+rm
# throughput; then scripts/bench-life.sh (start, create, pause against podman).
set -euo pipefail
export WARD_STATE_DIR=$work/ward-state

# runc: a detached container over the same rootfs, idling as ward's sandbox does
mkdir -p "$work/idle"
sed 's|"/bin/true"|"/bin/sleep", "100000"|; s|"path": "rootfs"|"path": "'"$rootfs"'"|' \
  "$work/bundle/config.json" >"$work/idle/config.json"
grep -q '"/bin/sleep"' "$work/idle/config.json"
runc --root "$work/runc-state" run -d --bundle "$work/idle" wardidle </dev/null >/dev/null 2>&1
id=$("$ward" create --rootfs "$rootfs")
hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/exec.json" \
  -n ward-exec "$ward exec $id /bin/true" \
  -n runc-exec "runc --root $work/runc-state exec wardidle /bin/true"
report "$work/exec.json" runc-exec/ward-exec
"$ward" rm -f "$id" >/dev/null
runc --root "$work/runc-state" delete -f wardidle

echo
echo "== create until ready (then removed, not timed), 50 each"
python3 - "$ward" "$rootfs" "$work" <<'PY'
import os, statistics, subprocess, sys, time
ward, rootfs, work = sys.argv[1:]
def timed(create, remove, capture, n=50):
    t = []
    for i in range(n):
        a = time.perf_counter()
        # runc's detached container keeps the stdio it was given: give it none to wait for
        out = subprocess.run(create(i), check=True, text=True,
                             stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL).stdout
        t.append(time.perf_counter() - a)
        subprocess.run(remove(i, (out or "").strip()), check=True, capture_output=True)
    return statistics.mean(t) * 1e3, min(t) * 1e3
runc = ["runc", "--root", work + "/runc-state"]
w = timed(lambda i: [ward, "create", "--rootfs", rootfs], lambda i, out: [ward, "rm", "-f", out],
          True)
r = timed(lambda i: runc + ["run", "-d", "--bundle", work + "/idle", "wb%d-%d" % (os.getpid(), i)],
          lambda i, out: runc + ["delete", "-f", "wb%d-%d" % (os.getpid(), i)], False)
print("%-18s %10s %10s" % ("", "mean ms", "min ms"))
print("%-18s %10.2f %10.2f" % ("ward create", *w))
print("%-18s %10.2f %10.2f" % ("runc run -d", *r))
print("runc run -d / ward create = %.2f" % (r[0] / w[0]))
PY

echo
echo "== memory of an idle sandbox (PSS, 10 sandboxes up at once)"
ids=()
for _ in $(seq 10); do ids+=("$("$ward" create --rootfs "$rootfs")"); done
python3 - "$WARD_STATE_DIR" "${ids[@]}" <<'PY'
import json, sys
state, ids = sys.argv[1], sys.argv[2:]
def pss(pid):
    for line in open("/proc/%d/smaps_rollup" % pid):
        if line.startswith("Pss:"):
            return int(line.split()[1])
sup = ini = 0
for i in ids:
    r = json.load(open("%s/sandboxes/%s/record.json" % (state, i)))
    sup += pss(r["supervisor"]["pid"])
    ini += pss(r["init"]["pid"])
n = len(ids)
print("supervisor PSS per sandbox: %d KiB; its init: %d KiB; together %d KiB" %
      (sup / n, ini / n, (sup + ini) / n))
PY
for id in "${ids[@]}"; do "$ward" rm -f "$id" >/dev/null; done

echo
echo "== create + exec + rm of 100 sandboxes, one after another and 8 at a time"
cycle="id=\$($ward create --rootfs $rootfs) && $ward exec \$id /bin/true && $ward rm -f \$id >/dev/null"
for par in 1 8; do
  start=$(date +%s.%N)
  seq 100 | xargs -P "$par" -I{} sh -c "$cycle"
  end=$(date +%s.%N)
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print('parallel %s: %.2f s, %.0f sandboxes/s' % (sys.argv[3], s, 100/s))" "$start" "$end" "$par"
done

echo
echo "== a sandbox's life: start of a stopped one, create, pause/unpause, against podman"
scripts/bench-life.sh
