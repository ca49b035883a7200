#!/usr/bin/env bash
# ward-runc, ward's OCI runtime (issue 21), against runc (and crun where the host's cgroups
# let it run), in one run, for BENCHMARKS.md:
#  1. the runtime alone on a bundle (busybox root, `runc spec` with no terminal, /bin/true):
#     create + start + wait for "stopped" + delete, `run` (the same in one call), and create,
#     start and delete each on its own (the other steps in hyperfine's --prepare, untimed);
#  2. `ctr run --rm IMAGE ID true` through a private containerd, --runc-binary ward-runc / runc;
#  3. `podman run --rm --network none IMAGE true`, --runtime ward-runc / runc, private storage.
# The image is tests/oci/oci-images.sh's offline busybox archive; nothing is pulled, nothing
# leaves the host. Everything lives under a temporary directory, a containerd namespace and
# cgroup parents of its own, removed at exit (tests/oci/engines.bash's cd_stop and pm_stop).
# usage (as root: runc, containerd and the cgroups need it): scripts/bench-oci.sh [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "bench-oci.sh: run as root" >&2; exit 1; }
runs=30
while (($#)); do
  case $1 in
  --runs) runs=$2; shift 2 ;;
  *) echo "usage: bench-oci.sh [--runs N]" >&2; exit 1 ;;
  esac
done
command -v hyperfine runc containerd ctr podman umoci skopeo >/dev/null 2>&1 || scripts/deps.sh
command -v hyperfine >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
build=$PWD/$(scripts/build.sh)
WARD=$build/ward
wrunc=$build/ward-runc
runc=$(command -v runc)
[[ -x $wrunc ]] || { echo "bench-oci.sh: no $wrunc" >&2; exit 1; }

# engines.bash is written for bats; only its helpers are wanted here
bats_require_minimum_version() { :; }
export WARD WARD_OCI_RUNTIME=$wrunc
. tests/oci/engines.bash
. scripts/bench-lib.sh

work=$(mktemp -d /var/tmp/ward-bench-oci.XXXXXX)
st=$work/state
cleanup() {
  set +e
  for rt in "$wrunc" "$runc" crun; do
    for id in $("$rt" --root "$st/${rt##*/}" list -q 2>/dev/null); do
      "$rt" --root "$st/${rt##*/}" delete -f "$id" >/dev/null 2>&1
    done
  done
  cd_stop >/dev/null 2>&1
  pm_stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

# ---- 1. the runtime alone ------------------------------------------------------------
b=$work/bundle
scripts/mkrootfs.sh "$b/rootfs" >/dev/null
(cd "$b" && runc spec)
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"\/bin\/true"/' "$b/config.json"
grep -q '"/bin/true"' "$b/config.json"
# create, start, poll state until stopped, delete: RT ROOT BUNDLE ID
cat >"$work/cycle.sh" <<'SH'
set -e
"$1" --root "$2" create --bundle "$3" "$4"
"$1" --root "$2" start "$4"
while :; do
  case $("$1" --root "$2" state "$4") in *'"stopped"'*) break ;; esac
done
"$1" --root "$2" delete "$4"
SH
# container c3 brought to a state before a timed step: RT ROOT BUNDLE none|created|stopped
cat >"$work/step.sh" <<'SH'
"$1" --root "$2" delete -f c3 >/dev/null 2>&1
[ "$4" = none ] && exit 0
"$1" --root "$2" create --bundle "$3" c3 || exit 1
[ "$4" = created ] && exit 0
"$1" --root "$2" start c3 || exit 1
while :; do
  case $("$1" --root "$2" state c3) in *'"stopped"'*) break ;; esac
done
SH

rts=("$wrunc" "$runc")
names=(ward runc)
crun_err=""
if ! command -v crun >/dev/null; then
  crun_err="not installed"
elif ! crun_err=$(crun --root "$st/crun" run --bundle "$b" probe 2>&1); then
  crun_err=$(printf '%s' "$crun_err" | tail -1)
else
  rts+=(crun)
  names+=(crun)
  crun_err=""
fi
[[ -z $crun_err ]] || echo "crun: skipped: $crun_err"

# each command once, its errors shown, before any timing
for i in "${!rts[@]}"; do
  rt=${rts[$i]} root=$st/${rts[$i]##*/}
  sh "$work/cycle.sh" "$rt" "$root" "$b" check
  "$rt" --root "$root" run --bundle "$b" check
done

args=() cargs=()
for i in "${!rts[@]}"; do
  rt=${rts[$i]} root=$st/${rts[$i]##*/} n=${names[$i]}
  args+=(-n "$n-cycle" "sh $work/cycle.sh $rt $root $b c1" -n "$n-run" "$rt --root $root run --bundle $b c2")
done
echo "== the runtime alone: create+start+wait+delete (one sh) and run, /bin/true ($runs runs)"
hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/rt.json" "${args[@]}"
pairs=(ward-cycle/runc-cycle ward-run/runc-run)
[[ -z $crun_err ]] && pairs+=(ward-cycle/crun-cycle ward-run/crun-run)
report "$work/rt.json" "${pairs[@]}"

echo
echo "== each step alone (the others in --prepare, not timed)"
for i in "${!rts[@]}"; do
  rt=${rts[$i]} root=$st/${rts[$i]##*/} n=${names[$i]}
  cargs+=(--prepare "sh $work/step.sh $rt $root $b none" -n "$n-create" "$rt --root $root create --bundle $b c3")
  cargs+=(--prepare "sh $work/step.sh $rt $root $b created" -n "$n-start" "$rt --root $root start c3")
  cargs+=(--prepare "sh $work/step.sh $rt $root $b stopped" -n "$n-delete" "$rt --root $root delete c3")
done
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/steps.json" "${cargs[@]}"
report "$work/steps.json" ward-create/runc-create ward-start/runc-start ward-delete/runc-delete

# ---- 2. containerd ---------------------------------------------------------------------
echo
echo "== ctr run --rm IMAGE true through a private containerd ($runs runs)"
oci_images "$work/img"
cd_start
c images import "$work/img/bb.tar" >/dev/null
ctr=(ctr -a "$CTR_SOCK" -n "$CTR_NS" run --rm --fifo-dir "$CD/fifo")
"${ctr[@]}" --runc-binary "$wrunc" "$BB" check true
"${ctr[@]}" --runc-binary "$runc" "$BB" check true
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/ctr.json" \
  -n ctr-ward "${ctr[*]} --runc-binary $wrunc $BB b1 true" \
  -n ctr-runc "${ctr[*]} --runc-binary $runc $BB b1 true"
report "$work/ctr.json" ctr-ward/ctr-runc
cd_stop

# ---- 3. podman -------------------------------------------------------------------------
echo
echo "== podman run --rm --network none IMAGE true ($runs runs)"
pm_start
pm load -q -i "$work/img/bb.tar" >/dev/null
pm_argv pa
pa=("${pa[@]:0:${#pa[@]}-2}") # without pm_argv's --runtime
pm_run_argv pr # sets pr (a nameref)
# shellcheck disable=SC2154
"${pa[@]}" --runtime "$wrunc" "${pr[@]}" --rm "$BB" true
"${pa[@]}" --runtime "$runc" "${pr[@]}" --rm "$BB" true
(cd "$PM" && hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/pm.json" \
  -n podman-ward "${pa[*]} --runtime $wrunc ${pr[*]} --rm $BB true" \
  -n podman-runc "${pa[*]} --runtime $runc ${pr[*]} --rm $BB true")
report "$work/pm.json" podman-ward/podman-runc
