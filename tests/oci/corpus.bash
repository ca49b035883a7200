# Helpers of corpus.bats: one bundle per case (a busybox root and corpus/base.json, which is
# `runc spec` 1.1.5's config made non-interactive with a writable root, filtered by the case's
# corpus/NAME.jq), run by the runtime under test and by runc, with exit code, stdout and
# stderr kept for the assertions.

_corpus_src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
_corpus_build=$_corpus_src/${WARD_BUILD:-build}
export WARD=${WARD:-$_corpus_build/ward}
export MKROOTFS=${MKROOTFS:-$_corpus_src/scripts/mkrootfs.sh}
export WARD_OCI_RUNTIME=${WARD_OCI_RUNTIME:-$(dirname "$WARD")/ward-runc}
export REF_RUNTIME=${REF_RUNTIME:-/usr/sbin/runc}
CORPUS_CASES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/corpus

# Once per file: the work directory (world-traversable: a user namespace's root walks it),
# the rootfs every bundle copies and the runtimes' private roots.
corpus_setup_file() {
  [[ $(id -u) -eq 0 ]] || skip "the OCI corpus runs as root"
  [[ -x $WARD_OCI_RUNTIME ]] || skip "no runtime at $WARD_OCI_RUNTIME"
  export CORPUS_WORK
  CORPUS_WORK=$(mktemp -d /tmp/ward-corpus.XXXXXX)
  chmod 755 "$CORPUS_WORK"
  "$MKROOTFS" "$CORPUS_WORK/rootfs" >/dev/null
  mkdir -p "$CORPUS_WORK/root-rt" "$CORPUS_WORK/root-ref"
}

corpus_teardown_file() {
  [[ -n ${CORPUS_WORK:-} && -d $CORPUS_WORK ]] || return 0
  corpus_delete_all
  rm -rf "$CORPUS_WORK"
}

# Every container the two runtimes still know, force-deleted.
corpus_delete_all() {
  local rt root id
  for rt in rt ref; do
    root=$CORPUS_WORK/root-$rt
    [[ -d $root ]] || continue
    for id in $("$(corpus_runtime $rt)" --root "$root" list -q 2>/dev/null); do
      "$(corpus_runtime $rt)" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
    done
  done
}

corpus_runtime() { if [[ $1 == rt ]]; then echo "$WARD_OCI_RUNTIME"; else echo "$REF_RUNTIME"; fi; }

# Whether runc is there to compare with (the runtime under test may be runc itself).
corpus_have_ref() { [[ -x $REF_RUNTIME && -z ${CORPUS_NO_REF:-} ]]; }

# The runtime under test is runc (validating the corpus): runc-specific leniency applies.
corpus_rt_is_runc() { [[ $("$WARD_OCI_RUNTIME" --version 2>/dev/null | head -1) == "runc version"* ]]; }

# corpus_ref_since VERSION FIELD: a field runc honours only from VERSION on: with an older
# runc there is nothing to compare with (and nothing to validate when runc is under test).
corpus_ref_since() {
  local v
  v=$("$REF_RUNTIME" --version 2>/dev/null | sed -n 's/^runc version \([0-9]*\.[0-9]*\).*/\1/p')
  [[ -n $v && $(printf '%s\n%s\n' "$v" "$1" | sort -V | head -1) != "$1" ]] || return 0
  corpus_rt_is_runc && skip "runc $v ignores $2 (runc honours it from $1 on)"
  CORPUS_NO_REF=1
}

# Per test: a host directory the case may use (T, exported to jq as $ENV.T).
corpus_setup() {
  export T=$CORPUS_WORK/t$BATS_TEST_NUMBER
  rm -rf "$T"
  mkdir -p "$T"
  chmod 755 "$T"
  export CID=corpus$BATS_TEST_NUMBER
}

corpus_teardown() {
  corpus_delete_all
  if [[ -n ${HOLDER:-} ]]; then kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null || true; fi
  if [[ -n ${NETNS:-} ]]; then ip netns del "$NETNS" 2>/dev/null || true; fi
  if [[ -n ${CGPATH:-} ]]; then
    local d
    for d in /sys/fs/cgroup/*"$CGPATH" /sys/fs/cgroup"$CGPATH"; do
      [[ -d $d ]] && rmdir "$d" 2>/dev/null
    done
  fi
  [[ -n ${T:-} ]] && rm -rf "$T"
}

# corpus_bundle WHICH CASE [JQ ARGS...]: $T/WHICH, a bundle with a fresh copy of the rootfs
# (hard links: cases only add files) and the base config filtered by corpus/CASE.jq.
corpus_bundle() {
  local b=$T/$1 case=$2
  export WHICH=$1
  shift 2
  rm -rf "$b"
  mkdir -p "$b"
  cp -al "$CORPUS_WORK/rootfs" "$b/rootfs"
  jq "$@" -f "$CORPUS_CASES/$case.jq" "$CORPUS_CASES/base.json" >"$b/config.json"
}

# corpus_exec WHICH: runs bundle $T/WHICH with that runtime; sets rc, out, err.
corpus_exec() {
  local which=$1 b=$T/$1 rtbin
  rtbin=$(corpus_runtime "$which")
  [[ -n ${CORPUS_PREP:-} ]] && "$CORPUS_PREP" "$b"
  rc=0
  (cd "$b" && timeout --kill-after=5 30 "$rtbin" --root "$CORPUS_WORK/root-$which" run --bundle "$b" "$CID" \
    </dev/null >"$T/$which.out" 2>"$T/$which.err") || rc=$?
  out=$(cat "$T/$which.out")
  err=$(cat "$T/$which.err")
}

# corpus_run CASE [JQ ARGS...]: the case with runc (when there) then with the runtime under
# test; their exit codes and stdouts (through $CORPUS_NORM, a sed script, when set) must be
# the same. Leaves rc, out, err of the runtime under test and ref_rc, ref_out, ref_err.
corpus_run() {
  local case=$1
  shift
  ref_rc='' ref_out='' ref_err=''
  if corpus_have_ref; then
    corpus_bundle ref "$case" "$@"
    corpus_exec ref
    ref_rc=$rc ref_out=$out ref_err=$err
  fi
  corpus_bundle rt "$case" "$@"
  corpus_exec rt
  echo "# rt: rc=$rc out=[$out] err=[$err]" >&3
  corpus_have_ref || return 0
  echo "# ref: rc=$ref_rc out=[$ref_out] err=[$ref_err]" >&3
  if [[ $rc != "$ref_rc" ]]; then
    echo "exit code $rc, runc's $ref_rc" >&2
    echo "stderr: $err" >&2
    echo "runc's stderr: $ref_err" >&2
    return 1
  fi
  local a=$out b=$ref_out
  if [[ -n ${CORPUS_NORM:-} ]]; then
    a=$(sed -E "$CORPUS_NORM" <<<"$out")
    b=$(sed -E "$CORPUS_NORM" <<<"$ref_out")
  fi
  if [[ $a != "$b" ]]; then
    echo "stdout differs from runc's:" >&2
    diff <(echo "$b") <(echo "$a") >&2 || true
    return 1
  fi
}

# corpus_refused CASE FIELD: both runtimes refuse the config (non-zero, nothing run); the
# runtime under test, unless it is runc, says so in one line naming FIELD.
corpus_refused() {
  local case=$1 field=$2
  corpus_run "$case" || true
  [[ $rc -ne 0 ]] || { echo "accepted: $out" >&2; return 1; }
  [[ -z $out ]] || { echo "ran: $out" >&2; return 1; }
  if corpus_have_ref; then
    [[ $ref_rc -ne 0 ]] || { echo "runc accepted it" >&2; return 1; }
  fi
  corpus_rt_is_runc && return 0
  [[ $(grep -c . <<<"$err") -eq 1 ]] || { echo "not one line: $err" >&2; return 1; }
  [[ $err == *"$field"* ]] || { echo "does not name $field: $err" >&2; return 1; }
}

# out with both runtimes: the assertions of a case hold for runc's run as well, so a field
# both ignore fails the test.
both() {
  local o
  for o in "$out" ${ref_out:+"$ref_out"}; do
    "$@" "$o" || { echo "failed on: $o" >&2; return 1; }
  done
}

# A namespace holder (process $HOLDER) is ready once its uts namespace has that hostname.
eventually_host() {
  for _ in $(seq 50); do
    [[ $(nsenter -t "$HOLDER" -u hostname 2>/dev/null) == "$1" ]] && return 0
    sleep 0.1
  done
  return 1
}

has() { [[ $2 == *"$1"* ]]; }
has_line() { grep -qE "$1" <<<"$2"; }
hasnt() { [[ $2 != *"$1"* ]]; }
is() { [[ $2 == "$1" ]]; }

# The syscalls a busybox shell and the runtime's steps after the filter is in place need,
# for a filter whose default action refuses (mkdir and mkdirat left out on purpose).
corpus_allowed_syscalls() {
  local names=(read write open openat close stat fstat lstat newfstatat statx poll lseek mmap
    mprotect munmap brk rt_sigaction rt_sigprocmask rt_sigreturn ioctl pread64 pwrite64 readv
    writev access faccessat faccessat2 pipe pipe2 select pselect6 sched_yield mremap madvise
    dup dup2 dup3 nanosleep clock_nanosleep getpid getppid gettid clone clone3 fork vfork execve
    execveat exit exit_group wait4 waitid kill tgkill tkill uname fcntl flock fsync getcwd chdir
    fchdir rename renameat renameat2 unlink unlinkat readlink readlinkat getdents64 umask
    gettimeofday clock_gettime getrlimit prlimit64 setrlimit getrusage getuid getgid geteuid
    getegid getgroups setgroups setuid setgid setresuid setresgid getresuid getresgid capget
    capset sigaltstack arch_prctl prctl set_tid_address set_robust_list futex
    sched_getaffinity getrandom rseq epoll_create1 epoll_ctl epoll_pwait epoll_wait
    close_range getpgrp setpgid getpgid setsid getsid dup fchown fchmod chmod fchmodat
    fchownat keyctl sysinfo times statfs fstatfs mincore membarrier rt_sigtimedwait rt_sigsuspend
    seccomp socket connect sendto recvfrom)
  printf '%s\n' "${names[@]}" | jq -R . | jq -s -c .
}
