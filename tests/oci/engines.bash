# The real engines over an OCI runtime: a private containerd (ctr) and a private podman, both
# driving the runtime named by WARD_OCI_RUNTIME (default: ward-runc next to $WARD). Images are
# built offline from busybox-static (oci-images.sh). Everything a file starts lives under a
# directory of its own and a namespace / cgroup parent named after it; teardown_file removes
# it all, whatever the tests did. Paths the engines keep fixed (/run/containerd/s, the runtime
# root /run/containerd/runc/NS) are shared: only what this file's namespace made is touched.

bats_require_minimum_version 1.5.0

_oci_src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
_oci_build=$_oci_src/${WARD_BUILD:-build}
export WARD=${WARD:-$_oci_build/ward}
export MKROOTFS=${MKROOTFS:-$_oci_src/scripts/mkrootfs.sh}
OCI_RUNTIME=${WARD_OCI_RUNTIME:-$(dirname "$WARD")/ward-runc}
# the engines call it by absolute path; a bare name would be looked up on each one's PATH
[[ $OCI_RUNTIME == /* ]] || OCI_RUNTIME=$(command -v "$OCI_RUNTIME" || echo "$OCI_RUNTIME")
export OCI_RUNTIME
# The images (one archive each): BB runs as root in /, USERIMG as "user" (1000:1000) in /work;
# both have IMG_VAR=from-image.
export BB=localhost/ocitest/bb:1 USERIMG=localhost/ocitest/user:1

rootless() { [[ $(id -u) -ne 0 ]]; }
cgroup2() { [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; }

# Retry a check for about ten seconds (a loaded host is slow); its last try decides.
eventually() {
  for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  "$@"
}

oci_check_runtime() {
  [[ -x $OCI_RUNTIME ]] || {
    echo "no runtime at $OCI_RUNTIME (build ward-runc, or set WARD_OCI_RUNTIME=/usr/sbin/runc)" >&2
    return 1
  }
}

# Builds $1/bb.tar and $1/user.tar (oci-archives named $BB and $USERIMG).
oci_images() {
  "$_oci_src/tests/oci/oci-images.sh" "$1" "$BB" "$USERIMG" >"$1.log" 2>&1 ||
    { cat "$1.log" >&2; return 1; }
}

# The file of cgroup controller $2 of process $1: $3 on a v1 hierarchy, else $4 on v2.
cgroup_file() {
  local p
  p=$(awk -F: -v c="$2" '$2 ~ "(^|,)" c "(,|$)" {print $3}' "/proc/$1/cgroup")
  if [[ -n $p ]]; then
    echo "/sys/fs/cgroup/$2$p/$3"
  else
    p=$(awk -F: '$1 == "0" {print $3}' "/proc/$1/cgroup")
    echo "/sys/fs/cgroup$p/$4"
  fi
}

# The counter a frozen container must not advance: its init writes $i to /tmp/count every
# 0.1 s (COUNTER is that command); read from the host through /proc/PID/root.
export COUNTER='trap "exit 7" TERM; i=0; while :; do i=$((i+1)); echo $i >/tmp/count; sleep 0.1; done'
count_of() { cat "/proc/$1/root/tmp/count"; }
counter_started() { [[ $(count_of "$1") -ge 2 ]]; }
# The counter stands still for a second ($1: pid).
frozen() {
  local a b
  a=$(count_of "$1") && sleep 1 && b=$(count_of "$1") && [[ $a == "$b" ]]
}
# The counter moves on ($1: pid, $2: the value it was at).
moved() { [[ $(count_of "$1") -gt $2 ]]; }

# Removes the cgroup directories named $1 (a top-level name this file chose) in every
# hierarchy, children first.
remove_cgroup_tree() {
  local d
  [[ -n $1 ]] || return 0
  for d in /sys/fs/cgroup/"$1" /sys/fs/cgroup/*/"$1"; do
    [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  return 0
}

# Unmounts whatever is mounted under directory $1, deepest first.
umount_under() {
  awk -v d="$1/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

# Pids of processes whose command line (arguments joined by spaces) holds string $1, a path
# only this file uses; pgrep never lists itself.
pids_with_arg() {
  pgrep -f -- "$(printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g')" || true
}

# ---- containerd -------------------------------------------------------------------------
# A private containerd: root, state, socket and log under CD (a short path: the socket's
# sun_path holds 108 bytes), the CRI plugin off, containers in namespace CTR_NS (the runtime
# keeps its state in /run/containerd/runc/CTR_NS, containerd its cgroups under /CTR_NS).
cd_start() {
  command -v containerd >/dev/null ||
    { echo "no containerd (scripts/deps.sh, as root)" >&2; return 1; }
  CD=$(mktemp -d /tmp/ocitest-cd.XXXXXX)
  export CD CTR_SOCK=$CD/c.sock CTR_NS=ocitest-$$-$RANDOM
  cat >"$CD/config.toml" <<TOML
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTR_SOCK"
TOML
  mkdir -p "$CD/fifo"
  containerd --config "$CD/config.toml" >"$CD/containerd.log" 2>&1 &
  echo $! >"$CD/containerd.pid"
  eventually ctr -a "$CTR_SOCK" version || { cat "$CD/containerd.log" >&2; return 1; }
}

c() { ctr -a "$CTR_SOCK" -n "$CTR_NS" "$@"; }
# ctr run with this file's FIFO directory and the runtime under test.
ctr_run() { c run --fifo-dir "$CD/fifo" --runc-binary "$OCI_RUNTIME" "$@"; }
ctr_exec() { c task exec --fifo-dir "$CD/fifo" "$@"; }

# The STATUS column of `ctr task ls` for task $1 (RUNNING, PAUSED, STOPPED; empty: none).
task_status() { c task ls | awk -v id="$1" '$1 == id {print $3}'; }
task_pid() { c task ls | awk -v id="$1" '$1 == id {print $2}'; }
task_is() { [[ $(task_status "$1") == "$2" ]]; }

# The shim's socket for container $1: /run/containerd/s/ + sha256 of ADDRESS/NS/ID.
shim_socket() {
  echo "/run/containerd/s/$(printf '%s' "$CTR_SOCK/$CTR_NS/$1" | sha256sum | cut -d' ' -f1)"
}

# Nothing is left of container $1 whose init was pid $2: no container or task, the process
# gone, the runtime's state directory, the cgroup, the rootfs mount and the shim's socket
# removed.
ctr_gone() {
  local id=$1 pid=$2 left=""
  c container ls -q | grep -qx "$id" && left+=" container"
  [[ -z $(task_status "$id") ]] || left+=" task"
  [[ -z $pid || ! -e /proc/$pid ]] || left+=" process $pid"
  compgen -G "/run/containerd/runc/$CTR_NS/$id" >/dev/null && left+=" runtime state"
  compgen -G "/run/containerd/runc/$CTR_NS/$id.*" >/dev/null && left+=" runtime state"
  compgen -G "/sys/fs/cgroup/*/$CTR_NS/$id" >/dev/null && left+=" cgroup"
  [[ ! -e /sys/fs/cgroup/$CTR_NS/$id ]] || left+=" cgroup"
  grep -qF "/$CTR_NS/$id/rootfs " /proc/self/mountinfo && left+=" rootfs mount"
  [[ ! -e $(shim_socket "$id") ]] || left+=" shim socket"
  [[ -z $left ]] || { echo "left of $id:$left"; return 1; }
}

# Removes every container of the namespace, stopped or not.
ctr_remove_all() {
  local id
  for id in $(c container ls -q 2>/dev/null); do
    c task kill -a -s SIGKILL "$id" >/dev/null 2>&1 || true
    c task delete -f "$id" >/dev/null 2>&1 || true
    c container delete "$id" >/dev/null 2>&1 || true
  done
}

# containerd stopped, its shims and directories, the runtime root of the namespace and its
# cgroups removed: runs whatever the tests left.
cd_stop() {
  [[ -n ${CD:-} && -d $CD ]] || return 0
  ctr_remove_all
  local pid
  pid=$(cat "$CD/containerd.pid" 2>/dev/null || true)
  if [[ -n $pid ]] && kill "$pid" 2>/dev/null; then
    for _ in $(seq 100); do [[ -e /proc/$pid ]] || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # shims of this file's containerd still alive (their command line names its socket)
  for pid in $(pids_with_arg "-address $CTR_SOCK"); do kill -9 "$pid" 2>/dev/null || true; done
  umount_under "$CD"
  rm -rf "/run/containerd/runc/$CTR_NS"
  remove_cgroup_tree "$CTR_NS"
  cp "$CD/containerd.log" "${BATS_FILE_TMPDIR:-/tmp}/containerd.log" 2>/dev/null || true
  rm -rf "$CD"
}

# containerd's log lines at level error (the runtime's failures show up there).
cd_errors() { grep 'level=error' "$CD/containerd.log" || true; }

# ---- podman -----------------------------------------------------------------------------
# A private podman: storage, run root and tmpdir under PM, the file events backend, the
# cgroupfs manager with containers under the cgroup parent PM_CG (root), the ulimits this
# host allows (its hard nofile is below podman's default ask), no network, never a pull.
pm_start() {
  command -v podman >/dev/null || { echo "no podman (scripts/deps.sh, as root)" >&2; return 1; }
  PM=$(mktemp -d /tmp/ocitest-pm.XXXXXX)
  export PM PM_CG=""
  rootless || PM_CG=ocitest-pm-$$-$RANDOM
  printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n' \
    >"$PM/containers.conf"
  printf '[storage]\ndriver = "overlay"\nrunroot = "%s/run"\ngraphroot = "%s/root"\n' "$PM" "$PM" \
    >"$PM/storage.conf"
  export CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf
  # rootless podman keeps its pause process's pid and more there
  if rootless; then
    export XDG_RUNTIME_DIR=$PM/xdg
    mkdir -m 700 "$XDG_RUNTIME_DIR"
  fi
}

# podman's command line for this file into array $1.
pm_argv() {
  local -n argv=$1
  # shellcheck disable=SC2034 # a nameref: the caller reads it
  argv=(podman --root "$PM/root" --runroot "$PM/run" --tmpdir "$PM/tmp" --storage-driver overlay
    --cgroup-manager cgroupfs --events-backend file --runtime "$OCI_RUNTIME")
}
# `podman run`'s defaults of this file into array $1: never a pull, no network, the cgroup
# parent.
pm_run_argv() {
  local -n rargv=$1
  rargv=(run --pull never --network none)
  [[ -z $PM_CG ]] || rargv+=(--cgroup-parent "/$PM_CG")
}

# Runs from PM: conmon writes a file "oom" into its working directory when the container is
# OOM-killed.
pm() {
  local a
  pm_argv a
  (cd "$PM" && exec "${a[@]}" "$@")
}
# podman run with this file's defaults; then any of `podman run`'s options and arguments.
pm_run() {
  local r
  pm_run_argv r
  pm "${r[@]}" "$@"
}

pm_pid() { pm inspect -f '{{.State.Pid}}' "$1"; }
pm_status() { pm inspect -f '{{.State.Status}}' "$1"; }
pm_is() { [[ $(pm_status "$1") == "$2" ]]; }

# Nothing left of container $1 (full id $2, init pid $3, cgroup file $4 if any): podman knows
# no such container, the process, its conmon and its cgroup are gone, the runtime's state
# directory (a runc-like runtime's default root: podman passes none; ward-runc's own under
# /run/ward/oci) removed, nothing of this
# file's storage mounted (each test removes its containers).
pm_gone() {
  local left="" state=/run/runc wstate=/run/ward/oci
  rootless && state=$XDG_RUNTIME_DIR/runc wstate=$XDG_RUNTIME_DIR/ward/oci
  [[ -z $(pm ps -aq --filter "name=^$1\$") ]] || left+=" container"
  [[ ! -e $wstate/$2 ]] || left+=" ward's runtime state"
  [[ -z $3 || ! -e /proc/$3 ]] || left+=" process $3"
  [[ -z ${4:-} || ! -e $4 ]] || left+=" cgroup $4"
  [[ -z $(pids_with_arg "-c $2 ") ]] || left+=" conmon"
  compgen -G "$state/$2" >/dev/null && left+=" runtime state"
  compgen -G "$state/$2.*" >/dev/null && left+=" runtime state"
  [[ -z $(awk -v d="$PM/" 'index($5, d) == 1' /proc/self/mountinfo) ]] || left+=" mounts"
  [[ -z $left ]] || { echo "left of $1:$left"; return 1; }
}

# Every container and image removed, storage unmounted and deleted (rootless: inside the
# user namespace, which owns the subordinate ids' files), the rootless pause process ended,
# the cgroup parent removed.
pm_stop() {
  [[ -n ${PM:-} && -d $PM ]] || return 0
  pm rm -af -t 0 >/dev/null 2>&1 || true
  pm rmi -af >/dev/null 2>&1 || true
  local pid
  # conmons of this file's containers (their command line names its storage)
  for pid in $(pids_with_arg "$PM/root/"); do kill -9 "$pid" 2>/dev/null || true; done
  if rootless; then
    pm unshare rm -rf "$PM/root" "$PM/run" >/dev/null 2>&1 || true
    pid=$(cat "$PM/tmp/pause.pid" 2>/dev/null || true)
    [[ -z $pid ]] || kill -9 "$pid" 2>/dev/null || true
  else
    umount_under "$PM"
  fi
  rm -rf "$PM" 2>/dev/null || { sleep 1; rm -rf "$PM"; }
  remove_cgroup_tree "$PM_CG"
}
