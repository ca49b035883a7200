#!/usr/bin/env bats
# The hand-written config.json corpus (issue 21): each case in corpus/ is a jq filter over
# corpus/base.json (`runc spec`'s config, non-interactive), run with runc and with the
# runtime under test; exit codes and stdout must match, and the case's expected content holds
# for both (a field both ignore fails). Where runc is missing the runtime runs alone.
# Root only. By hand, from the source tree after scripts/build.sh:
#   sudo bats tests/oci/corpus.bats                               (ward-runc next to build/ward)
#   sudo WARD_OCI_RUNTIME=/usr/sbin/runc bats tests/oci/corpus.bats   (validates the cases)
# WARD_OCI_RUNTIME and REF_RUNTIME (default /usr/sbin/runc) pick the two runtimes.

load corpus

setup_file() { corpus_setup_file; }
teardown_file() { corpus_teardown_file; }
setup() { corpus_setup; }
teardown() { corpus_teardown; }

# --- process ---

@test "process.args" {
  corpus_run process_args
  [ "$rc" -eq 0 ]
  both is "hello two words "
}

@test "process.env: exactly the variables given" {
  corpus_run process_env
  [ "$rc" -eq 0 ]
  both is "$(printf 'PATH=/bin\nHOME=/home\nA=1\nB=two words')"
}

@test "process.cwd" {
  corpus_run process_cwd
  [ "$rc" -eq 0 ]
  both is "/etc"
}

@test "process.cwd not in the root yet: made" {
  corpus_run process_cwd_missing
  [ "$rc" -eq 0 ]
  both is "/not/yet"
}

@test "process.user: uid, gid, additionalGids" {
  corpus_run process_user
  [ "$rc" -eq 0 ]
  both has "uid=1000(user) gid=1000(user)"
  both has "5(tty)"
  both has "65534(nogroup)"
}

@test "process.user.umask" {
  corpus_run process_umask
  [ "$rc" -eq 0 ]
  both is "$(printf '0077\n600')"
}

@test "process.capabilities: five sets, non-root user" {
  corpus_run process_capabilities
  [ "$rc" -eq 0 ]
  both has "CapInh:	0000000000000001"
  both has "CapPrm:	0000000000000001"
  both has "CapEff:	0000000000000001"
  both has "CapBnd:	0000000000002021"
  both has "CapAmb:	0000000000000001"
}

@test "process.capabilities: root" {
  corpus_run process_capabilities_root
  [ "$rc" -eq 0 ]
  both has "CapPrm:	0000000000002021"
  both has "CapEff:	0000000000002021"
  both has "CapBnd:	0000000000002021"
  both has "CapAmb:	0000000000000000"
}

@test "process.rlimits" {
  corpus_run process_rlimits
  [ "$rc" -eq 0 ]
  both is "$(printf '123\n456\n0')"
}

@test "process.noNewPrivileges true" {
  corpus_run process_nnp_on
  [ "$rc" -eq 0 ]
  both is "NoNewPrivs:	1"
}

@test "process.noNewPrivileges false" {
  corpus_run process_nnp_off
  [ "$rc" -eq 0 ]
  both is "NoNewPrivs:	0"
}

@test "process.oomScoreAdj" {
  corpus_run process_oom
  [ "$rc" -eq 0 ]
  both is "500"
}

@test "exit code 0" {
  corpus_run exit_0
  [ "$rc" -eq 0 ]
}

@test "exit code 3" {
  corpus_run exit_3
  [ "$rc" -eq 3 ]
  both is before
}

@test "exit by SIGKILL: 137" {
  corpus_run exit_signal
  [ "$rc" -eq 137 ]
  both is before
}

@test "args[0] not found: run fails" {
  corpus_run exit_notfound
  [ "$rc" -ne 0 ]
}

# --- root, hostname ---

@test "root.readonly" {
  corpus_run root_readonly
  [ "$rc" -eq 0 ]
  both is "$(printf 'refused\nro')"
}

@test "root.path absolute" {
  mark_root() { cp -a "$1/rootfs" "$1/other"; echo other-root >"$1/other/marker"; }
  CORPUS_PREP=mark_root corpus_run root_absolute
  [ "$rc" -eq 0 ]
  both is other-root
}

@test "hostname" {
  corpus_run hostname
  [ "$rc" -eq 0 ]
  both is corpus-host
}

@test "domainname" {
  corpus_ref_since 1.2 domainname
  corpus_run domainname
  [ "$rc" -eq 0 ]
  both is corpus.example
}

# --- mounts ---

@test "mounts: tmpfs size and mode" {
  corpus_run mount_tmpfs
  [ "$rc" -eq 0 ]
  both has "710"
  both has "tmpfs rw,nosuid"
  both has "size=2048k"
}

@test "mounts: bind ro" {
  mkdir "$T/data" && echo host-data >"$T/data/file"
  corpus_run mount_bind_ro
  [ "$rc" -eq 0 ]
  both is "$(printf 'host-data\nrefused\nrefused')"
  [ "$(cat "$T/data/file")" = host-data ]
  [ ! -e "$T/data/new" ]
}

@test "mounts: bind rw" {
  mkdir "$T/data" && echo host-data >"$T/data/file"
  corpus_run mount_bind_rw
  [ "$rc" -eq 0 ]
  both is host-data
  [ "$(cat "$T/data/out-rt")" = written ]
  ! corpus_have_ref || [ "$(cat "$T/data/out-ref")" = written ]
}

@test "mounts: nosuid, nodev, noexec" {
  mkdir "$T/dev" && mknod "$T/dev/null" c 1 3
  corpus_run mount_flags
  [ "$rc" -eq 0 ]
  both is "$(printf 'nosuid\nnodev\nnoexec\nexec=126\nopen=1')"
}

@test "mounts: proc, sysfs ro, mqueue, devpts, cgroup ro" {
  corpus_run mount_special
  [ "$rc" -eq 0 ]
  both has "/proc proc rw"
  both has "/sys sysfs ro"
  both has "/dev/mqueue mqueue rw"
  both has "/dev/pts devpts rw"
  both has "cgroupfs cgroup"
  both has_line "cgroupfs cgroup.* ro$"
  both has "proc-ok"
  both has "sys-refused"
  both has "ptmx"
  both has "cgroup-refused"
}

@test "mounts: a destination symlinked outside the root stays inside" {
  mkdir "$T/data" "$T/outside" && echo host-data >"$T/data/file"
  echo untouched >"$T/outside/keep"
  link() { ln -s "$T/outside" "$1/rootfs/link"; }
  CORPUS_PREP=link corpus_run mount_symlink_escape
  [ "$rc" -eq 0 ]
  both is host-data
  [ "$(ls "$T/outside")" = keep ]
  [ "$(cat "$T/outside/keep")" = untouched ]
  ! grep -q " $T/outside " /proc/self/mountinfo || false
}

@test "mounts: propagation" {
  corpus_run mount_propagation
  [ "$rc" -eq 0 ]
  both is "$(printf '/mnt/s shared\n/mnt/p private')"
}

# --- namespaces ---

@test "linux.namespaces: pid" {
  corpus_run ns_pid
  [ "$rc" -eq 0 ]
  both is "1 0"
}

@test "linux.namespaces: uts, ipc, net, mount, pid new" {
  local n
  HOSTNS=$(for n in uts ipc net mnt pid; do readlink /proc/self/ns/$n; done | tr '\n' ' ')
  export HOSTNS
  corpus_run ns_private
  [ "$rc" -eq 0 ]
  both is "$(printf 'uts own\nipc own\nnet own\nmnt own\npid own')"
}

@test "linux.namespaces: net new has lo only, up" {
  corpus_run ns_net_lo
  [ "$rc" -eq 0 ]
  both has "lo: <LOOPBACK,UP,LOWER_UP>"
  both has "lo 127.0.0.1/8"
  [ "$(grep -c ': ' <<<"$out")" -eq 1 ]
}

@test "linux.namespaces: joining a network namespace by path" {
  export NETNS=corpus$$x$BATS_TEST_NUMBER
  ip netns add "$NETNS"
  ip link add "c21h$$" type veth peer name c21in netns "$NETNS"
  ip -n "$NETNS" addr add 10.213.77.2/24 dev c21in
  ip -n "$NETNS" link set c21in up
  corpus_run ns_net_join
  [ "$rc" -eq 0 ]
  both has "c21in 10.213.77.2/24"
}

@test "linux.namespaces: joining ipc and uts namespaces by path" {
  unshare --ipc --uts sh -c 'hostname corpus-pod; exec sleep 60' </dev/null >/dev/null 2>&1 3>&- &
  export HOLDER=$!
  eventually_host corpus-pod
  HOLDER_IPC=$(readlink /proc/$HOLDER/ns/ipc)
  export HOLDER_IPC
  corpus_run ns_join_ipc_uts
  [ "$rc" -eq 0 ]
  both is "$(printf 'corpus-pod\nsame-ipc')"
  [ "$(nsenter -t "$HOLDER" -u hostname)" = corpus-pod ]
}

@test "linux.namespaces: no net namespace shares the host's" {
  HOSTNET=$(readlink /proc/self/ns/net) corpus_run ns_share_host
  [ "$rc" -eq 0 ]
  both is host-net
}

@test "linux.uidMappings, gidMappings with a user namespace" {
  corpus_run userns
  [ "$rc" -eq 0 ]
  both is "$(printf ' 0 200000 65536\n 0 200000 65536\n0')"
}

# --- devices ---

@test "linux.devices: a node under another name" {
  corpus_run devices
  [ "$rc" -eq 0 ]
  both is "$(printf 'character special file 1 3 666\nwritten\nread=0')"
}

@test "linux.resources.devices: an allowed node opens" {
  [ -c /dev/fuse ] || skip "no /dev/fuse on this host"
  corpus_run devices_fuse_allowed
  [ "$rc" -eq 0 ]
  both is opened
}

@test "linux.resources.devices: a node not allowed does not open" {
  [ -c /dev/fuse ] || skip "no /dev/fuse on this host"
  corpus_run devices_fuse_denied
  [ "$rc" -eq 0 ]
  both is "$(printf 'node\ndenied')"
}

# --- masked, read-only, sysctl, personality ---

@test "linux.maskedPaths" {
  secret() {
    echo secret >"$1/rootfs/etc/secret"
    mkdir "$1/rootfs/secretdir" && echo secret >"$1/rootfs/secretdir/f"
  }
  CORPUS_PREP=secret corpus_run masked_paths
  [ "$rc" -eq 0 ]
  both is "$(printf '0\n0\n0')"
}

@test "linux.readonlyPaths" {
  corpus_run readonly_paths
  [ "$rc" -eq 0 ]
  both is "$(printf 'sys-refused\netc-refused\ntmp-ok')"
}

@test "linux.sysctl in private net and ipc namespaces" {
  corpus_run sysctl
  [ "$rc" -eq 0 ]
  both is "$(printf '1\n123456789')"
}

@test "linux.personality LINUX32" {
  corpus_ref_since 1.2 linux.personality
  corpus_run personality
  [ "$rc" -eq 0 ]
  both is i686
}

# --- resources, cgroupsPath ---

@test "linux.resources.memory" {
  corpus_run memory
  [ "$rc" -eq 0 ]
  both has_line "^33554432$"
  both has_line "^(50331648|16777216)$"
}

@test "linux.resources.pids" {
  corpus_run pids
  [ "$rc" -ne 0 ]
  both is 10
  local f n
  for f in "$T/rt/rootfs/tmp/count" ${ref_rc:+"$T/ref/rootfs/tmp/count"}; do
    n=$(cat "$f")
    [ "$n" -ge 3 ]
    [ "$n" -lt 30 ]
  done
}

@test "linux.cgroupsPath" {
  export CGPATH=/ward-corpus-$$-$BATS_TEST_NUMBER
  corpus_run cgroups_path
  [ "$rc" -eq 0 ]
  both has "$CGPATH"
  grep -q . "$T/cg-rt"
  ! corpus_have_ref || grep -q . "$T/cg-ref"
  # Gone once the container is.
  [ -z "$(ls -d /sys/fs/cgroup/*$CGPATH /sys/fs/cgroup$CGPATH 2>/dev/null)" ]
}

@test "linux.resources.cpu" {
  corpus_run cpu
  [ "$rc" -eq 0 ]
  both is "$(printf '512\n50000\n100000')" || both is "$(printf '20\n50000 100000')"
}

# --- seccomp ---

@test "linux.seccomp: errnoRet, and EPERM without it" {
  corpus_run seccomp_errno
  [ "$rc" -eq 0 ]
  both is end
  [[ $err == *"Permission denied"* ]]
  [[ $err == *"Operation not permitted"* ]]
  [ ! -e "$T/rt/rootfs/tmp/d" ]
}

@test "linux.seccomp: a rule with an argument" {
  corpus_run seccomp_args
  [ "$rc" -eq 0 ]
  both is "$(printf 'linux32=1\nx86_64\nlinux64=0')"
}

@test "linux.seccomp: defaultErrnoRet" {
  corpus_run seccomp_default_errno --argjson allow "$(corpus_allowed_syscalls)"
  [ "$rc" -eq 0 ]
  both is "$(printf 'start\nend')"
  [[ $err == *"Input/output error"* ]]
}

# --- hooks ---

@test "hooks: all six, each given the state" {
  hook_dir() { mkdir -p "$T/m-$(basename "$1")"; }
  CORPUS_PREP=hook_dir corpus_run hooks
  [ "$rc" -eq 0 ]
  both is "createContainer.json createRuntime.json prestart.json startContainer.json "
  local h m
  for m in "$T/m-rt" ${ref_rc:+"$T/m-ref"}; do
    for h in prestart createRuntime createContainer startContainer poststart poststop; do
      [ "$(jq -r .id "$m/$h.json")" = "$CID" ]
    done
    for h in prestart createRuntime createContainer startContainer poststart; do
      [ "$(jq -r .pid "$m/$h.json")" -gt 0 ]
    done
    [ "$(jq -r .status "$m/poststop.json")" = stopped ]
  done
}

@test "hooks: a failing createRuntime hook fails run, leaves nothing" {
  corpus_run hooks_failing
  [ "$rc" -ne 0 ]
  [ -z "$out" ]
  [ -z "$("$WARD_OCI_RUNTIME" --root "$CORPUS_WORK/root-rt" list -q)" ]
  ! corpus_have_ref || [ -z "$("$REF_RUNTIME" --root "$CORPUS_WORK/root-ref" list -q)" ]
}

@test "hooks: a prestart hook over its timeout fails run" {
  local t0=$SECONDS
  corpus_run hooks_timeout
  [ "$rc" -ne 0 ]
  [ -z "$out" ]
  [ $((SECONDS - t0)) -lt 20 ]
}

# --- refused configs ---

@test "refused: unknown namespace type" {
  corpus_refused bad_namespace linux.namespaces
}

@test "refused: unknown rlimit" {
  corpus_refused bad_rlimit process.rlimits
}

@test "refused: unknown seccomp action" {
  corpus_refused bad_seccomp_action linux.seccomp
}

@test "refused: a sysctl no namespace of the container owns" {
  corpus_refused bad_sysctl linux.sysctl
}

@test "refused: unknown mount type" {
  corpus_refused bad_mount_type mounts
}

@test "refused: root.path missing" {
  corpus_refused bad_no_root root.path
}

@test "refused: a namespace path that does not exist" {
  corpus_refused bad_namespace_path linux.namespaces
}

@test "refused: a negative uid" {
  corpus_refused bad_uid process.user.uid
}

@test "refused: empty process.args" {
  corpus_refused bad_args_empty process.args
}
