#!/usr/bin/env bats
# Seccomp policies and capabilities: every rule is proved by a real system call.

load helpers

setup_file() { build_rootfs; }

POLICIES=${BATS_TEST_DIRNAME}/../../policies

# "ERRNO NAME..." for every unconditional ERRNO rule of a policy file.
errno_rules() {
  jq -r '.syscalls[] | select(.action == "SCMP_ACT_ERRNO" and ((.args // []) | length) == 0)
         | "\(.errnoRet // 1) \(.names | join(" "))"' "$1"
}

# Runs probe expect-errno for each rule in one sandbox; prints the total checked.
prove_errno_rules() {
  local file=$1
  shift
  local script=""
  while read -r err names; do
    script+="probe expect-errno $err $names || exit 1;"
  done < <(errno_rules "$file")
  run ward run "$@" --rootfs "$ROOTFS" -- sh -c "$script"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  total=$(awk '/^checked/ {n += $2} END {print n}' <<<"$output")
  [ "$total" -ge 40 ] # a rule list that checks nothing is a broken test
}

@test "every unconditional rule of the default policy answers its errno" {
  prove_errno_rules "$POLICIES/default.json"
}

@test "every unconditional rule of the strict policy answers its errno" {
  prove_errno_rules "$POLICIES/strict.json" --policy strict
}

@test "the conditional rules of the shipped policies are the ones tested below" {
  # A new conditional rule must come with its own test: this list is where it is added
  # (ioctl's: TIOCSTI and TIOCLINUX in tests/adversarial/escapes.bats).
  for f in default strict; do
    run jq -r '[.syscalls[] | select(((.args // []) | length) > 0) | .names[]] | unique | join(" ")' "$POLICIES/$f.json"
    [ "$output" = "clone ioctl personality socket" ]
  done
}

@test "clone: plain fork works, every CLONE_NEW* flag is refused" {
  for flag in 0x20000 0x2000000 0x4000000 0x8000000 0x10000000 0x20000000 0x40000000; do
    run ward run --rootfs "$ROOTFS" -- probe clone "$flag"
    [ "$output" = "Function not implemented" ]
  done
  run ward run --rootfs "$ROOTFS" -- probe clone 0
  [ "$output" = cloned ]
  # and the same calls unconfined, to show it is the filter that refuses
  run ward run --seccomp=unconfined --rootfs "$ROOTFS" -- probe clone 0x10000000
  [ "${lines[-1]}" = cloned ]
}

@test "socket: every family but AF_VSOCK" {
  run ward run --rootfs "$ROOTFS" -- sh -c 'probe sys 41 40 1 0; probe sys 41 1 1 0; probe sys 41 10 2 0; probe sys 41 16 3 0'
  [ "${lines[0]}" = "ret -1 errno 1" ]
  for i in 1 2 3; do [[ ${lines[$i]} == "ret "[0-9]*" errno 0" ]]; done
}

@test "personality: only the harmless personas" {
  run ward run --rootfs "$ROOTFS" -- sh -c 'probe sys 135 0xffffffff; probe sys 135 8; probe sys 135 0x0040000'
  [[ ${lines[0]} == "ret "*" errno 0" ]]
  [[ ${lines[1]} == "ret "*" errno 0" ]]
  [ "${lines[2]}" = "ret -1 errno 38" ] # ADDR_NO_RANDOMIZE
}

@test "unknown and future system calls answer ENOSYS" {
  run ward run --rootfs "$ROOTFS" -- sh -c 'probe sys 1000; probe sys 457; probe sys 435 0 0'
  [ "${lines[0]}" = "ret -1 errno 38" ]
  [ "${lines[1]}" = "ret -1 errno 38" ] # statmount, not on the allow list
  [ "${lines[2]}" = "ret -1 errno 38" ] # clone3
}

@test "ptrace: allowed by default (inside the pid namespace), refused by strict" {
  # PTRACE_PEEKDATA of a pid that does not exist: the kernel says ESRCH, the filter EPERM
  run ward run --rootfs "$ROOTFS" -- probe sys 101 2 999999 0 0
  [ "$output" = "ret -1 errno 3" ]
  run ward run --policy strict --rootfs "$ROOTFS" -- probe sys 101 2 999999 0 0
  [ "$output" = "ret -1 errno 1" ]
}

@test "strict: sockets limited to unix, inet and inet6 stream, datagram, seqpacket" {
  run ward run --policy strict --rootfs "$ROOTFS" -- sh -c '
    probe sys 41 1 1 0; probe sys 41 2 1 0; probe sys 41 10 2 0; probe sys 41 2 0x80801 0
    probe sys 41 2 3 1; probe sys 41 17 3 0; probe sys 41 16 3 0; probe sys 41 10 3 58; probe sys 41 40 1 0'
  for i in 0 1 2 3; do [[ ${lines[$i]} == "ret "[0-9]*" errno 0" ]]; done
  for i in 4 5 6 7 8; do [[ ${lines[$i]} == "ret -1 errno "* ]]; done
}

@test "an everyday workload runs under default and strict" {
  for policy in default strict; do
    run ward run --policy "$policy" --rootfs "$ROOTFS" -- sh -c '
      set -e
      mkdir -p /tmp/w/sub && cd /tmp/w && echo hello >sub/f && cp sub/f g && ln -s g h && cat h
      sort </etc/passwd | head -1 >/dev/null; find /tmp/w | wc -l
      (sleep 0.1; echo child) & wait
      nc -l -p 7777 >/tmp/w/got &
      for i in $(seq 100); do echo over-loopback | nc 127.0.0.1 7777 2>/dev/null && break; sleep 0.05; done
      wait; cat /tmp/w/got
      date >/dev/null; ps >/dev/null; echo done'
    [ "$status" -eq 0 ] || { echo "$policy: $output"; return 1; }
    [ "${lines[0]}" = hello ]
    [ "${lines[1]}" = 5 ]
    [ "${lines[2]}" = child ]
    [ "${lines[3]}" = over-loopback ]
    [ "${lines[4]}" = done ]
  done
}

@test "Podman's profile (Docker format) loads unchanged and behaves as in Podman" {
  [ -r "$WARD_TEST_PODMAN_PROFILE" ] || { echo "scripts/test.sh fetches it"; return 1; }
  run ward policy check "$WARD_TEST_PODMAN_PROFILE"
  [ "$status" -eq 0 ]
  run ward run --policy "$WARD_TEST_PODMAN_PROFILE" --rootfs "$ROOTFS" -- sh -c '
    probe sys 1000; probe sys 246 0 0 0; probe sys 272 0; probe sys 41 40 1 0'
  [ "${lines[0]}" = "ret -1 errno 38" ]     # its defaultErrnoRet
  [ "${lines[1]}" = "ret -1 errno 1" ]      # kexec_load: EPERM
  [ "${lines[2]}" = "ret 0 errno 0" ]       # unshare(0): Podman allows unshare
  [[ ${lines[3]} == "ret "[0-9]*" errno 0" ]] # AF_VSOCK: Podman allows it (ward's default does not)
  # archMap opts into i386: getpid works, where the kernel has ia32 emulation at all
  run ward run --policy "$WARD_TEST_PODMAN_PROFILE" --rootfs "$ROOTFS" -- probe int80 20
  if host_has_i386; then [[ ${lines[-1]} == "ret "[0-9]* ]]; else [ "$status" -ne 0 ]; fi
}

@test "malformed policies are refused, naming the line or the entry" {
  d=$BATS_TEST_TMPDIR
  printf '{\n "defaultAction": "SCMP_ACT_ERRNO",\n "syscalls": [\n' >"$d/truncated.json"
  echo '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["frobnicate"],"action":"SCMP_ACT_ALLOW"}]}' >"$d/name.json"
  echo '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_MAYBE"}]}' >"$d/action.json"
  echo '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_ABOUT"}]}]}' >"$d/op.json"
  echo '{"defaultAcion":"SCMP_ACT_ERRNO","syscalls":[]}' >"$d/key.json"
  echo '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","errno":"ENOTANERRNO"}]}' >"$d/errno.json"
  declare -A want=(
    [truncated]=": line 4 column"
    [name]="syscalls[1] (frobnicate): unknown system call 'frobnicate'"
    [action]="syscalls[0] (read): unknown action 'SCMP_ACT_MAYBE'"
    [op]="syscalls[0] (read): unknown argument op 'SCMP_CMP_ABOUT'"
    [key]="unknown top-level key 'defaultAcion'"
    [errno]="syscalls[0] (read): errno: unknown errno name"
  )
  for f in "${!want[@]}"; do
    run ward run --policy "$d/$f.json" --rootfs "$ROOTFS" -- true
    [ "$status" -eq 125 ] && [ "${#lines[@]}" -eq 1 ] || { echo "$f: $output"; return 1; }
    [[ $output == "ward: policy $d/$f.json"*"${want[$f]}"* ]] || { echo "$f: $output"; return 1; }
    run ward policy check "$d/$f.json"
    [ "$status" -eq 125 ]
  done
}

@test "bad --policy, --seccomp and capability names are refused" {
  run ward run --policy nosuch --rootfs "$ROOTFS" -- true
  [ "$status" -eq 125 ]
  [[ $output == "ward: --policy nosuch: no such policy"* ]]
  run ward run --policy ../etc --rootfs "$ROOTFS" -- true
  [ "$status" -eq 125 ]
  run ward run --seccomp=off --rootfs "$ROOTFS" -- true
  [ "$status" -eq 125 ]
  [[ $output == "ward: --seccomp off: only 'unconfined'"* ]]
  run ward run --cap-add SYS_FROB --rootfs "$ROOTFS" -- true
  [ "$status" -eq 125 ]
  [[ $output == "ward: --cap-add SYS_FROB: unknown capability"* ]]
  run ward run --cap-drop frob --rootfs "$ROOTFS" -- true
  [ "$status" -eq 125 ]
}

@test "--seccomp=unconfined warns and loads no filter" {
  run ward run --seccomp=unconfined --rootfs "$ROOTFS" -- grep Seccomp: /proc/self/status
  [[ ${lines[0]} == "ward: warning: --seccomp=unconfined"* ]]
  [[ ${lines[1]} == *$'\t0' ]]
}

@test "--cap-add shows in CapEff; a dropped capability really fails its operation" {
  run ward run --cap-add SYS_ADMIN --rootfs "$ROOTFS" -- probe status
  [[ $output == *$'CapEff:\t00000000a02405fb'* ]]
  run ward run --cap-add cap_net_raw --cap-drop KILL --rootfs "$ROOTFS" -- probe status
  [[ $output == *$'CapEff:\t00000000a00425db'* ]]
  run ward run --rootfs "$ROOTFS" -- sh -c 'touch /tmp/f && chown 1000 /tmp/f && echo chowned'
  [ "$output" = chowned ]
  run ward run --cap-drop CHOWN --rootfs "$ROOTFS" -- sh -c 'touch /tmp/f && chown 1000 /tmp/f'
  [ "$status" -ne 0 ]
  [[ $output == *"Operation not permitted"* ]]
  run ward run --cap-drop ALL --rootfs "$ROOTFS" -- probe status
  [[ $output == *$'CapEff:\t0000000000000000'* ]]
  [[ $output == *$'CapBnd:\t0000000000000000'* ]]
}

@test "compiled filters are cached, and a corrupted cache entry is not trusted" {
  export XDG_CACHE_HOME=$BATS_TEST_TMPDIR/cache
  if rootless; then dir=$XDG_CACHE_HOME/ward/seccomp; else dir=/var/cache/ward/seccomp; fi
  # a policy no other test uses, so that its cache entry is the only new one
  policy=$BATS_TEST_TMPDIR/unique.json
  jq --arg n "$BATS_TEST_TMPDIR" '.comment += $n' "$POLICIES/strict.json" >"$policy"
  before=$(ls "$dir" 2>/dev/null || true)
  ward run --policy "$policy" --rootfs "$ROOTFS" -- true
  entries=$(comm -13 <(echo "$before") <(ls "$dir") | sed "s|^|$dir/|")
  [ "$(echo "$entries" | wc -w)" -eq 1 ]
  [ "$(stat -c %a "$dir")" = 700 ]
  for f in $entries; do head -c 300 /dev/urandom >"$f"; done
  run ward run --policy "$policy" --rootfs "$ROOTFS" -- sh -c 'grep Seccomp_filters /proc/self/status; probe sys 101 2 999999 0 0'
  [[ ${lines[0]} == *$'\t2' ]]
  [ "${lines[1]}" = "ret -1 errno 1" ]
  # the entry was rewritten with a good filter
  for f in $entries; do head -c 8 "$f" | grep -q WARDBPF1; done
}
