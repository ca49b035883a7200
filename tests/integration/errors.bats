#!/usr/bin/env bats
# ward run: every bad input gets one line naming the culprit, the right exit code, and
# leaves nothing behind.

load helpers

setup_file() { build_rootfs; }

setup() { before=$(host_state); }

# One "ward: ..." line containing $1, exit status $2, host state unchanged.
refused() {
  [ "$status" -eq "$2" ] || { echo "status $status, wanted $2: $output"; return 1; }
  [ "${#lines[@]}" -eq 1 ] || { echo "not one line: $output"; return 1; }
  [[ ${lines[0]} == "ward: "*"$1"* ]] || { echo "no '$1' in: $output"; return 1; }
  host_back "$before"
}

@test "missing root directory" {
  run ward run --rootfs /nonexistent/root -- true
  refused "/nonexistent/root: No such file or directory" 125
}

@test "root that is not a directory" {
  run ward run --rootfs /etc/hostname -- true
  refused "/etc/hostname: Not a directory" 125
}

@test "no --rootfs, no command" {
  run ward run -- true
  refused "--rootfs" 125
  run ward run --rootfs "$ROOTFS"
  refused "no command" 125
}

@test "command not found is 127" {
  run ward run --rootfs "$ROOTFS" -- no-such-command
  refused "no-such-command: command not found" 127
  run ward run --rootfs "$ROOTFS" -- /bin/missing
  refused "/bin/missing" 127
}

@test "command not executable is 126" {
  run ward run --rootfs "$ROOTFS" -- /bin/not-executable
  refused "/bin/not-executable: Permission denied" 126
  run ward run --rootfs "$ROOTFS" -- /etc
  refused "/etc" 126
}

@test "unknown option, missing value" {
  run ward run --bogus --rootfs "$ROOTFS" -- true
  refused "unknown option --bogus" 125
  run ward run --rootfs
  refused "--rootfs" 125
  run ward frobnicate
  refused "unknown command 'frobnicate'" 125
}

@test "bad env, env-file, rlimit, timeout, user, hostname, workdir" {
  run ward run -e 1BAD=x --rootfs "$ROOTFS" -- true
  refused "--env 1BAD=x" 125
  run ward run --env-file /nonexistent/envfile --rootfs "$ROOTFS" -- true
  refused "/nonexistent/envfile" 125
  run ward run --rlimit frob=1 --rootfs "$ROOTFS" -- true
  refused "--rlimit frob" 125
  run ward run --rlimit nofile=9:3 --rootfs "$ROOTFS" -- true
  refused "soft limit above hard" 125
  run ward run --timeout -5 --rootfs "$ROOTFS" -- true
  refused "--timeout -5" 125
  run ward run --timeout 99999999999 --rootfs "$ROOTFS" -- true
  refused "--timeout 99999999999" 125
  run ward run -u nosuch --rootfs "$ROOTFS" -- true
  refused "user nosuch: not in the root's /etc/passwd" 125
  run ward run -u 1000:nosuch --rootfs "$ROOTFS" -- true
  refused "group nosuch: not in the root's /etc/group" 125
  run ward run --hostname 'a b' --rootfs "$ROOTFS" -- true
  refused "--hostname a b" 125
  run ward run -w relative --rootfs "$ROOTFS" -- true
  refused "--workdir relative" 125
  # A missing working directory is made in the writable layer; without one it is an error.
  run ward run -w /nonexistent --read-only --rootfs "$ROOTFS" -- true
  refused "--workdir /nonexistent: No such file or directory" 125
  run ward run -w /bin/sh/x --rootfs "$ROOTFS" -- true
  refused "--workdir /bin/sh/x: Not a directory" 125
  run ward run -w /proc/self/cwd --rootfs "$ROOTFS" -- true
  refused "--workdir /proc/self/cwd: must not be under /proc" 125
  run ward run -w /new/dir --rootfs "$ROOTFS" -- pwd
  [ "$status" -eq 0 ]
  [ "$output" = /new/dir ]
}

@test "an rlimit above the host's hard limit is refused by the kernel and reported" {
  rootless || skip "root may raise hard limits"
  run ward run --rlimit nofile=99999999 --rootfs "$ROOTFS" -- true
  refused "rlimit nofile" 125
}

@test "an image whose /proc or /dev is a symlink is refused" {
  for d in proc dev sys; do
    bad="$BATS_TEST_TMPDIR/bad-$d"
    cp -a "$ROOTFS" "$bad"
    rm -rf "${bad:?}/$d"
    ln -s /etc "$bad/$d"
    run ward run --rootfs "$bad" -- true
    refused "/$d is a symlink" 125
  done
}

@test "read-only root without the mount points is refused, naming them" {
  bad="$BATS_TEST_TMPDIR/no-proc"
  cp -a "$ROOTFS" "$bad"
  rmdir "$bad/proc"
  run ward run --read-only --rootfs "$bad" -- true
  refused "/proc is missing" 125
  # with a writable layer the mount point is made in the layer
  run ward run --rootfs "$bad" -- true
  [ "$status" -eq 0 ]
  [ ! -e "$bad/proc" ]
}

@test "setup errors are reported in the JSON result" {
  run ward run --json --rootfs "$ROOTFS" -- no-such-command
  [ "$status" -eq 127 ]
  [[ ${lines[1]} == '{"exitCode":127,"signal":0,"reason":"setup-error",'*'"error":"no-such-command: command not found'* ]]
}

@test "ward doctor reports every check and exits 0 on this host" {
  run ward doctor
  [ "$status" -eq 0 ]
  for c in kernel "user namespaces" overlayfs clone3 pidfd openat2 seccomp cgroups newuidmap "subordinate ids"; do
    [[ $output == *"$c"* ]]
  done
  run ward doctor --json
  [[ $output == '[{"check":"kernel","state":"ok"'* ]]
}

@test "--version and --help" {
  run ward --version
  [[ $output == "ward "[0-9]* ]]
  run ward run --help
  [ "$status" -eq 0 ]
  [[ $output == *"--rootfs DIR"* ]]
}

@test "a host that forbids user namespaces gets a clear refusal" {
  # user.max_user_namespaces is per user namespace: forbid them inside a throwaway one
  run unshare -U -r sh -c "echo 0 >/proc/sys/user/max_user_namespaces && exec $WARD run --rootfs $ROOTFS -- true"
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == "ward: creating a user namespace: user.max_user_namespaces (0) is 0 or used up"* ]]
}
