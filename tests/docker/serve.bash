# Shared set-up for the Docker API client tests: ward-serve on a private socket with private
# state and store, the test images, the real clients (Debian's docker CLI 20.10, docker-py,
# dockerode) pointed at it. Loads the integration helpers ($WARD, $MKROOTFS, eventually,
# rootless, empty_store, WARD_PULL=never: nothing is ever looked for on docker.io).

load ../integration/helpers
bats_require_minimum_version 1.5.0

_serve_build=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/${WARD_BUILD:-build}
export WARD_SERVE=${WARD_SERVE:-$_serve_build/ward-serve}
CACHE=${WARD_TEST_CACHE:-/var/cache/ward-test}
# Debian's client, never whatever `docker` is first on PATH (API 1.41 is what ward speaks).
export DOCKER=${DOCKER:-$CACHE/docker-cli/docker}
# Debian's python3 and its python3-docker (5.0.3), not a python of someone's PATH.
export PY=/usr/bin/python3
export NODE_PATH=$CACHE/node/node_modules
# No client setting of the user's reaches a test.
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION DOCKER_BUILDKIT

# The images every file gets (in its own store): BB, a busybox tree with an Env and a page
# for httpd; EP, the same with an Entrypoint that must be reset (entrypoint=[]) to run
# anything else.
export BB=wtest/bb:1 EP=wtest/ep:1

# Once per file: the clients are there, the store has the images.
serve_setup_file() {
  [[ -x $WARD_SERVE ]] || { echo "no ward-serve at $WARD_SERVE (build it, or set WARD_SERVE)" >&2; return 1; }
  [[ -x $DOCKER ]] || { echo "no docker CLI at $DOCKER (scripts/deps.sh, as root)" >&2; return 1; }
  local v
  v=$("$DOCKER" version --format '{{.Client.Version}}' 2>/dev/null || true)
  [[ $v == 20.10.* ]] || { echo "$DOCKER is client $v, not Debian's 20.10" >&2; return 1; }
  export WARD_STORE=$BATS_FILE_TMPDIR/store
  local root=$BATS_FILE_TMPDIR/imgroot
  "$MKROOTFS" "$root" >/dev/null
  mkdir -p "$root/www"
  echo "hello from ward" >"$root/www/index.html"
  "$WARD" image pack -q "$root" --name "$BB" --env IMG_VAR=from-image --cmd /bin/sh >/dev/null
  "$WARD" image pack -q "$root" --name "$EP" --env IMG_VAR=from-image \
    --entrypoint /bin/echo --entrypoint entrypoint-not-reset >/dev/null
}

serve_teardown_file() {
  serve_stop
  remove_sandboxes
  empty_store
}

# A free TCP port on 127.0.0.1 (another program may take it before the test does: tests use
# it at once).
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts ward-serve on a new socket (a short path: sun_path holds 108 bytes) and waits for
# /_ping. Sets SERVE_DIR, SOCK, SERVE_PID, DOCKER_HOST, DOCKER_CONFIG.
serve_start() {
  SERVE_DIR=$(mktemp -d /tmp/ward-dtest.XXXXXX)
  export SERVE_DIR SOCK=$SERVE_DIR/docker.sock
  export DOCKER_HOST=unix://$SOCK DOCKER_CONFIG=$SERVE_DIR/docker-config
  mkdir -p "$DOCKER_CONFIG"
  serve_again
}

# Starts another server on the same socket (after serve_kill).
serve_again() {
  rm -f "$SOCK"
  # nothing of bats' open (it waits for whoever holds its descriptors)
  # and no pull of a name that went wrong reaches a registry beyond loopback (ward's libcurl
  # reads the proxy variables: this proxy refuses)
  env https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 \
    no_proxy=127.0.0.1,localhost,::1 NO_PROXY=127.0.0.1,localhost,::1 \
    "$WARD_SERVE" --socket "$SOCK" </dev/null >>"$SERVE_DIR/log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  SERVE_PID=$!
  export SERVE_PID
  local _
  for _ in $(seq 200); do
    [[ $(curl -s --max-time 2 --unix-socket "$SOCK" http://d/_ping 2>/dev/null) == OK ]] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "ward-serve did not answer /_ping on $SOCK:"
  cat "$SERVE_DIR/log"
  return 1
}

# SIGKILL of the server (its children, sandboxes and pulls, are not signalled).
serve_kill() {
  kill -KILL "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
}

serve_stop() {
  [[ -n ${SERVE_PID:-} ]] || return 0
  kill -TERM "$SERVE_PID" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$SERVE_PID" 2>/dev/null || true
  wait "$SERVE_PID" 2>/dev/null || true
  SERVE_PID=
}

# Every sandbox of this file's state root (the server's are ward's: the CLI removes them).
remove_sandboxes() {
  local id
  for id in $("$WARD" ps -a -q 2>/dev/null); do "$WARD" rm -f "$id" >/dev/null 2>&1 || true; done
}

# Per test: a server of its own; at the end its log when the test failed, and no sandbox left.
serve_setup() { serve_start; }
serve_teardown() {
  serve_stop
  remove_sandboxes
  if [[ -n ${SERVE_DIR:-} ]]; then
    if [[ -z ${BATS_TEST_COMPLETED:-} ]]; then
      echo "--- ward-serve log:"
      tail -50 "$SERVE_DIR/log"
    fi
    rm -rf "$SERVE_DIR"
  fi
}

# Bounded: a command that hangs fails the test (with the server's log) instead of the run.
# -k: docker run forwards SIGTERM to the container (sig-proxy) and keeps waiting.
docker_timeout() { timeout -k 5 120 "$@"; }
docker() { docker_timeout "$DOCKER" "$@"; }

# The API itself, for what no client shows: curl over the socket.
api() { curl -s --unix-socket "$SOCK" "$@"; }

# Sandboxes of this state root, as ward sees them.
ward_ids() { "$WARD" ps -a -q; }

# A running container's id (docker run -d IMAGE CMD...), the test fails when it is not made.
run_d() {
  local id
  id=$(docker run -d "$@") || return 1
  [[ $id =~ ^[0-9a-f]{12,64}$ ]] || { echo "docker run -d printed: $id"; return 1; }
  echo "$id"
}

# A host directory the way a user's workspace is: its owner a user (ward refuses a root-owned
# or system-group rw bind as root: the sandbox could make root-owned files on the host; a
# rootless caller owns what it makes). Run after filling DIR.
user_owned() {
  rootless && return 0
  local u=${WARD_TEST_USER:-}
  if [[ -n $u ]] && id "$u" >/dev/null 2>&1; then
    chown -R "$u:$(id -gn "$u")" "$1"
  else
    chown -R 1000:1000 "$1"
  fi
}

# Root always has a freezer; rootless ward only under a delegated cgroup v2 subtree.
have_freezer() {
  ! rootless || "$WARD" doctor --json | jq -e '.[] | select(.check == "resource limits") | .detail | startswith("delegated")' >/dev/null
}

# A registry of this file's (tests/registry/registry.sh) with BB pushed as $REG/wtest/pulled:1
# and EP as $REG/wtest/runtime:1.
registry_setup() {
  command -v docker-registry >/dev/null || { echo "docker-registry is not installed (scripts/deps.sh)"; return 1; }
  export REGDIR=$BATS_FILE_TMPDIR/registry
  REG=$("$BATS_TEST_DIRNAME/../registry/registry.sh" start plain "$REGDIR")
  export REG
  "$WARD" push -q "$BB" "$REG/wtest/pulled:1" >/dev/null
  "$WARD" push -q "$EP" "$REG/wtest/runtime:1" >/dev/null
}

registry_teardown() {
  [[ -z ${REGDIR:-} ]] || "$BATS_TEST_DIRNAME/../registry/registry.sh" stop "$REGDIR"
}
