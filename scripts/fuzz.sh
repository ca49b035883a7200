#!/usr/bin/env bash
# Builds the libFuzzer targets (build-fuzz/: clang, ASan + UBSan + LeakSanitizer) and runs
# each for SECONDS (default 20), starting from its seed corpus in fuzz/corpus/ (the grown
# corpus stays in build-fuzz/corpus/, never in the tree). A finding fails the run; its input
# is saved in build-fuzz/findings/.  For the long run SECURITY.md records: scripts/fuzz.sh 600
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: volumes limits policy manifest unpack network docker control upper_restore registry serve serve_create)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(volumes limits policy manifest unpack network docker control upper_restore registry serve serve_create)
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWARD_FUZZ=ON \
  -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
# full unwinding: Debian's libseccomp has no frame pointers, the suppression needs its frames
export LSAN_OPTIONS=suppressions=$PWD/fuzz/lsan.supp:fast_unwind_on_malloc=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p build-fuzz/findings build-fuzz/tmp
export TMPDIR=$PWD/build-fuzz/tmp
trap 'rm -rf build-fuzz/tmp' EXIT
# One target: its log, then a line for the summary in build-fuzz/fuzz_T.result.
run_one() {
  local t=$1 corpus=build-fuzz/corpus/$1 log=build-fuzz/fuzz_$1.log
  mkdir -p "$corpus"
  if build-fuzz/fuzz/fuzz_"$t" -max_total_time="$secs" -max_len=65536 \
    -artifact_prefix=build-fuzz/findings/"$t"- "$corpus" fuzz/corpus/"$t" >"$log" 2>&1; then
    echo "fuzz_$t: $(grep -o 'Done [0-9]* runs' "$log" | tail -1) in ${secs} s, no finding"
  else
    echo "fuzz_$t: FINDING, see $log"
    grep -m3 -E "ERROR|SUMMARY" "$log" || true
  fi >build-fuzz/fuzz_"$t".result
}
# As many targets at once as there are cores (each libFuzzer run is one process), so the
# time per target stays SECONDS while the whole run takes a fraction.
jobs_max=$(nproc)
for t in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs_max)); do wait -n || true; done
  run_one "$t" &
done
wait
status=0
for t in "${targets[@]}"; do
  cat build-fuzz/fuzz_"$t".result
  grep -q "no finding" build-fuzz/fuzz_"$t".result || status=1
done
exit $status
