# Shared set-up for the integration tests: a busybox root filesystem with the probe, and a
# view of host state to compare before and after.

# ctest sets these; a bats run by hand (bats tests/integration/run.bats) gets the plain
# build next to the sources (WARD_BUILD=build-asan for the sanitized one).
_ward_src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
_ward_build=$_ward_src/${WARD_BUILD:-build}
export WARD=${WARD:-$_ward_build/ward}
export PROBE=${PROBE:-$_ward_build/tests/probe}
export NETPROBE=${NETPROBE:-$_ward_build/tests/netprobe}
export MKROOTFS=${MKROOTFS:-$_ward_src/scripts/mkrootfs.sh}
# Tests reach no registry unless they started it: an image missing from a test's store is
# never looked for on docker.io (pull tests set WARD_PULL=missing for their own registry).
export WARD_PULL=never
[[ -x $WARD ]] || { echo "helpers.bash: no ward at $WARD: build first (scripts/build.sh) or set WARD" >&2; return 1; }

build_rootfs() {
  export ROOTFS="$BATS_FILE_TMPDIR/rootfs"
  "$MKROOTFS" "$ROOTFS" "$PROBE" >/dev/null
  cp "$PROBE" "$ROOTFS/bin/suid-probe"
  chmod 4755 "$ROOTFS/bin/suid-probe"
  printf '#!/bin/sh\necho script\n' >"$ROOTFS/bin/not-executable"
  chmod 644 "$ROOTFS/bin/not-executable"
  # A kernel that cannot idmap the test filesystem (the 6.1 VM on tmpfs) gets a tree owned
  # by the container range already, as unpacked images are.
  if [[ -n ${WARD_TEST_RANGE_OWNED:-} && $(id -u) -eq 0 ]]; then
    chown -hR 2000000000:2000000000 "$ROOTFS"
  fi
}

ward() { "$WARD" "$@"; }

# Sandboxes of this file live in a state root of its own (a test may set another); another
# user's sandboxes, in theirs, are none of its business.
export WARD_STATE_DIR=${BATS_FILE_TMPDIR:?}/state

rootless() { [[ $(id -u) -ne 0 ]]; }

# Retry a check for about five seconds (a loaded CI host is slow); its last try decides.
# Whether this kernel runs i386 code through int 0x80 at all (ia32 emulation may be
# compiled out or off at boot, and int 0x80 then dies with SIGSEGV).
host_has_i386() {
  ("$PROBE" int80 20) >/dev/null 2>&1
}

eventually() {
  for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
  "$@"
}

# What a test checks is what it made itself, so that the suite passes while other sandboxes
# come and go on the host. Its processes are the descendants of the reaper ctest runs bats
# under (tests/helpers/reaper.c, WARD_TEST_REAPER); a bats run by hand has no reaper and
# sees every process of the host. Prints "pid ppid stat comm" of the live ones.
own_processes() {
  ps -eo pid=,ppid=,stat=,comm= | awk -v root="${WARD_TEST_REAPER:-}" '
    { ppid[$1] = $2; line[$1] = $0; dead[$1] = $3 ~ /^Z/ }
    END {
      for (p in line) {
        if (dead[p]) continue
        q = p
        while (root != "" && q != root && q + 0 > 1) q = ppid[q]
        if (root == "" || q == root) print line[p]
      }
    }'
}

# ward's cgroups (named by the pid of the process that made them) of this test: its own
# processes', and any whose process is gone (a leak; another user's is removed by the next
# ward command, and the checks retry).
own_cgroups() {
  local dir n own
  own=" $(own_processes | awk '{print $1}' | tr '\n' ' ') "
  for dir in /sys/fs/cgroup/ward /sys/fs/cgroup/*/ward; do
    [[ -d $dir ]] || continue
    for n in $(ls "$dir"); do
      [[ $n =~ ^[0-9]+$ && $n != "$$" ]] || continue
      if [[ $own == *" $n "* ]] || [[ ! -e /proc/$n ]] || [[ $(awk '{print $3}' "/proc/$n/stat" 2>/dev/null) == Z ]]; then
        echo "$dir/$n"
      fi
    done
  done
}

# ward's veths whose sandbox end is in the network namespace of one of this test's
# processes. A veth cannot outlive that namespace, nor the namespace its last holder (a
# process, or a mount: both checked), so no leak hides from this.
own_links() {
  rootless && return 0
  local p self
  self=$(readlink /proc/self/ns/net)
  for p in $(own_processes | awk '{print $1}'); do
    [[ $(readlink "/proc/$p/ns/net" 2>/dev/null) != "$self" ]] || continue
    nsenter -t "$p" -n ip -o link show 2>/dev/null | sed -n 's/^[0-9]*: [^@:]*@if\([0-9]*\):.*/\1/p'
  done | sort -u | while read -r index; do
    ip -o link show | awk -F': ' -v i="$index" '$1 == i && $2 ~ /^ward-/ {sub(/@.*/, "", $2); print $2}'
  done
}

# ward's nftables table as anyone's sandbox leaves it: the table with no ward veth on the host
# at all, or an egress address whose veth is gone (a later sandbox given that address would
# inherit egress). Both are checked with retries, so another user's teardown in progress
# does not count.
table_leftovers() {
  rootless && return 0
  nft list table inet ward >/dev/null 2>&1 || return 0
  local hosts addr
  hosts=$(ip -o -4 addr show | awk '$2 ~ /^ward-/ {sub(/\/.*/, "", $4); print $4}')
  [[ -n $hosts ]] || echo "table inet ward with no ward veth"
  for addr in $(nft -j list set inet ward egress 2>/dev/null | jq -r '.nftables[] | select(.set) | .set.elem[]? | strings'); do
    [[ $hosts == *"${addr%.*}.$((${addr##*.} - 1))"* ]] || echo "egress for $addr without its veth"
  done
}

# This test's veths, forwarders and pasta processes, and ward's table left without owner.
net_leftovers() {
  own_links
  table_leftovers
  own_processes | awk '$4 == "ward-portfwd" || $4 ~ /^pasta/'
}

# Until this test has no network leftovers, each round after a ward command that cleans
# (up to 10 s: a busy host cleans slowly); else what is left.
no_net_leftovers() {
  local left
  for _ in $(seq 100); do
    ward ps -a >/dev/null 2>&1 || true
    left=$(net_leftovers)
    [[ -n $left ]] || return 0
    sleep 0.1
  done
  echo "left on the host: $left"
  return 1
}

# The published host port of sandbox $1 for its port $2.
host_port() { ward port "$1" | sed -n "s|^$2/tcp -> .*:\([0-9]*\)$|\1|p"; }

# Until the netprobe server whose output goes to file $1 says it listens.
wait_listening() { eventually grep -q listening "$1"; }

# Until a connection to host port $1 is accepted (a published port is up).
wait_published() { eventually "$NETPROBE" connect 127.0.0.1 "$1"; }

# The host's mounts (mount point, type, source), less what other bats runs mount under their
# own temporary directories, what `ip netns` of other tests mounts under /run/netns and what
# the OCI engine tests' containerd and podman mount under theirs (ward never mounts there);
# and this test's cgroups. Lines, not a count, so that a leak names itself.
host_state() {
  awk -v mine="${BATS_RUN_TMPDIR:-}" '
    $5 ~ /\/bats-run-/ && !(mine != "" && index($5, mine) == 1) { next }
    $5 ~ /^\/run\/netns(\/|$)/ { next }
    $5 ~ /^\/tmp\/ocitest-(cd|pm)\./ || $5 ~ /^\/run\/containerd\// { next }
    { for (i = 7; $i != "-"; i++) {}; print $5, $(i + 1), $(i + 2) }' /proc/self/mountinfo | sort
  own_cgroups
}

# What counts in the difference between host states $1 (before) and $2 (now): a mount gone
# or added, a cgroup added. A cgroup of a gone process that was there before and is gone now
# was someone else's in passing (the next ward command removes such), not this test's.
state_diff() {
  diff <(echo "$1") <(echo "$2") | grep -E '^[<>]' | grep -vE '^< /sys/fs/cgroup/([^/ ]+/)?ward/[0-9]+$' || true
}

# Until the host is back at host_state $1 (other users' sandboxes come and go meanwhile);
# else what differs.
host_back() {
  local d
  for _ in $(seq 50); do
    d=$(state_diff "$1" "$(host_state)")
    [[ -n $d ]] || return 0
    sleep 0.1
  done
  echo "host state differs: $d"
  return 1
}

# Fingerprint of a directory tree: names, modes, sizes, owners, mtimes and contents.
tree_digest() {
  (cd "$1" && find . -printf '%p %m %s %U %G %T@ %l\n' | sort && find . -type f -exec sha256sum {} + | sort) | sha256sum
}

# Last line of stderr output of a `run --separate-stderr`-less run: the JSON result.
json_field() { sed -n 's/.*"'"$1"'":\("[^"]*"\|[0-9-]*\).*/\1/p' <<<"$2" | tr -d '"'; }

# Test images (tests/images/make-fixtures.sh) in $FX, a sentinel directory on the host, and
# the hostile layers aimed at it added to the layout as layout:evil-*.
build_image_fixtures() {
  export FX="$BATS_FILE_TMPDIR/fx"
  "$BATS_TEST_DIRNAME/../images/make-fixtures.sh" "$FX" "$PROBE" >/dev/null 2>&1
  export SENTINEL="$BATS_FILE_TMPDIR/sentinel"
  mkdir -p "$SENTINEL" && echo secret >"$SENTINEL/secret"
  mkdir -p "$FX/hostile"
  python3 "$BATS_TEST_DIRNAME/../images/hostile.py" "$FX/hostile" "$SENTINEL"
  for f in "$FX"/hostile/evil-*.tar; do
    umoci raw add-layer --image "$FX/layout:base" --tag "$(basename "$f" .tar)" "$f" >/dev/null
  done
}

# Rootless trees hold files of subordinate ids: only ward (in its user namespace) can
# delete them, so the store is emptied through ward before bats cleans up.
empty_store() {
  [[ -d $WARD_STORE ]] || return 0
  "$WARD" image ls --json | jq -r '.[].id' | xargs -r "$WARD" image rm >/dev/null 2>&1 || true
  "$WARD" image prune >/dev/null
}

# The id container root has on the host: ward's range for root, the caller for rootless.
base_id() { if rootless; then id -u; else echo 2000000000; fi; }

tree_of() { ward image inspect "$1" --json | jq -r .rootfs; }

# Can this caller's sandboxes get cgroup limits: root, or a delegated cgroup v2 subtree.
enforceable() {
  ! rootless && return 0
  local own
  own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  [ -n "$own" ] && [ -w "/sys/fs/cgroup$own" ] && [ -e /sys/fs/cgroup/cgroup.controllers ]
}

# What a sandbox can leave behind: mounts, cgroups, ward's processes (zombies waiting for the
# host's init are dead already), network links, state entries.
sandbox_state() {
  host_state
  own_processes | awk '$4 == "ward-init" || $4 == "ward-supervisor" {print $3, $4}' | sort
  own_links
  find "$WARD_STATE_DIR/sandboxes" "$WARD_STATE_DIR/names" -mindepth 1 2>/dev/null || true
}

# The host settles: killed processes are reaped, the next ward command cleans.
settled() {
  ward ps -a >/dev/null
  for _ in $(seq 50); do
    [[ -z $(state_diff "$before" "$(sandbox_state)") ]] && return 0
    sleep 0.1
    ward ps -a >/dev/null
  done
  diff <(echo "$before") <(sandbox_state)
  return 1
}

# Run ward (ARGS) with WARD_FAULT_AT=POINT: it (or the supervisor it forks) stops itself
# there and is SIGKILLed while stopped.
kill_at() {
  local point=$1 stopped=
  shift
  WARD_FAULT_AT=$point "$WARD" "$@" >/dev/null 2>&1 &
  local caller=$!
  for _ in $(seq 1000); do
    stopped=$(own_processes | awk '$3 ~ /^T/ && ($4 == "ward" || $4 == "ward-supervisor") {print $1}')
    [ -n "$stopped" ] && break
    sleep 0.01
  done
  [ -n "$stopped" ] || { echo "ward never reached $point"; return 1; }
  kill -9 $stopped
  wait "$caller" 2>/dev/null || true
}

# run.ward.harden's container root (a mapped id) mounts its root itself: the directories on
# the way to $ROOTFS must let it pass (bats makes its own 0700).
reachable_root() {
  local d=$ROOTFS
  while d=$(dirname "$d") && [[ $d == "$BATS_RUN_TMPDIR"* ]]; do chmod o+x "$d"; done
}
