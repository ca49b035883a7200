#!/usr/bin/env bash
# ward serve (the Docker Engine API) against its peers, for BENCHMARKS.md:
#  - `docker run --rm IMAGE true` through ward's socket (Debian's docker CLI 20.10) against
#    `podman run --rm IMAGE true` (Debian's podman, runc) and `ward run IMAGE true`;
#  - docker-py `exec_run('true')` against `ward exec ID true` (the goal: the API adds at most
#    1.5 ms);
#  - the server's RSS idle and with N sandboxes (50 by default).
# Every container runs with no network (--network none; ward run's default), so that the
# three do the same work. Everything is private to a temporary directory.
# usage (as root): scripts/bench-serve.sh [--runs N] [--sandboxes N]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "bench-serve.sh: run as root" >&2; exit 1; }
runs=30
nsb=50
while (($#)); do
  case $1 in
  --runs) runs=$2; shift 2 ;;
  --sandboxes) nsb=$2; shift 2 ;;
  *) echo "usage: bench-serve.sh [--runs N] [--sandboxes N]" >&2; exit 1 ;;
  esac
done
scripts/deps.sh
build=$PWD/$(scripts/build.sh)
ward=$build/ward
serve=$build/ward-serve
[[ -x $serve ]] || { echo "bench-serve.sh: no $serve (the build has no ward serve yet)" >&2; exit 1; }
DOCKER=${WARD_TEST_CACHE:-/var/cache/ward-test}/docker-cli/docker
PY=/usr/bin/python3
command -v hyperfine podman >/dev/null 2>&1 || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine podman runc >/dev/null
}

. scripts/bench-lib.sh
work=$(mktemp -d /tmp/ward-bench-serve.XXXXXX)
export WARD_STATE_DIR=$work/state WARD_STORE=$work/store WARD_PULL=never
export DOCKER_HOST=unix://$work/docker.sock DOCKER_CONFIG=$work/docker-config
mkdir -p "$DOCKER_CONFIG"
# podman reads it too (for registry credentials): it must exist
echo "{}" >"$DOCKER_CONFIG/config.json"
podman_private "$work/podman"

serve_pid=
cleanup() {
  [[ -z $serve_pid ]] || { kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true; }
  for id in $("$ward" ps -a -q 2>/dev/null); do "$ward" rm -f "$id" >/dev/null 2>&1 || true; done
  podman system reset -f >/dev/null 2>&1 || true
  "$ward" image ls -q 2>/dev/null | xargs -r "$ward" image rm >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

scripts/mkrootfs.sh "$work/rootfs"
"$ward" image pack -q "$work/rootfs" --name wardbench:1 >/dev/null
tar -C "$work/rootfs" -c . | podman import -q - localhost/wardbench:1 >/dev/null

"$serve" --socket "$work/docker.sock" </dev/null >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do
  [[ $(curl -s --unix-socket "$work/docker.sock" http://d/_ping 2>/dev/null) == OK ]] && break
  sleep 0.05
done
[[ $(curl -s --unix-socket "$work/docker.sock" http://d/_ping) == OK ]] || { cat "$work/serve.log"; exit 1; }


# each command once, its errors shown, before any timing
"$DOCKER" run --rm --network none wardbench:1 true
podman run --rm --network none localhost/wardbench:1 true
"$ward" run wardbench:1 true

echo "== run --rm IMAGE true: docker CLI through ward serve, podman, ward run ($runs runs)"
hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/run.json" \
  -n docker-ward "$DOCKER run --rm --network none wardbench:1 true" \
  -n podman "podman run --rm --network none localhost/wardbench:1 true" \
  -n ward-run "$ward run wardbench:1 true"
report "$work/run.json" docker-ward/ward-run podman/docker-ward podman/ward-run

echo
echo "== exec of true in a running container: docker-py exec_run through ward serve vs ward exec"
id=$("$DOCKER" run -d --network none wardbench:1 sleep 100000)
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/exec.json" \
  -n ward-exec "$ward exec $id true"
"$PY" - "$id" "$runs" "$work/exec.json" <<'PY'
import json, sys, time
import docker
c = docker.from_env().containers.get(sys.argv[1])
runs = int(sys.argv[2])
for _ in range(3):
    c.exec_run("true")
t = []
for _ in range(runs):
    a = time.perf_counter()
    r = c.exec_run("true")
    t.append(time.perf_counter() - a)
    assert r.exit_code == 0, r
mean = sum(t) / len(t)
w = json.load(open(sys.argv[3]))["results"][0]
print("\n%-20s %10s %10s" % ("", "mean ms", "min ms"))
print("%-20s %10.2f %10.2f" % ("docker-py exec_run", mean * 1e3, min(t) * 1e3))
print("%-20s %10.2f %10.2f" % ("ward exec", w["mean"] * 1e3, w["min"] * 1e3))
print("docker-py exec_run - ward exec = %.2f ms (goal: <= 1.5 ms)" % ((mean - w["mean"]) * 1e3))
print("(ward exec is a process of its own: its exec of ward itself counts, the API's Python does not)")
PY
"$DOCKER" rm -f "$id" >/dev/null

echo
echo "== ward-serve's RSS (its own process; sandboxes have their own supervisors)"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$serve_pid/status"; }
"$DOCKER" ps -a >/dev/null
echo "idle: $(rss) kB"
for i in $(seq "$nsb"); do
  "$DOCKER" run -d --network none wardbench:1 sleep 100000 >/dev/null
done
"$DOCKER" ps -q | wc -l | xargs echo "running containers:"
echo "with $nsb sandboxes (after docker ps): $(rss) kB"
