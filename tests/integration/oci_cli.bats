#!/usr/bin/env bats
# ward oci / ward-runc: runc's command line as engines use it. Argument errors, the log file
# the shims read, missing containers, and a container's whole life from a bundle made here
# (the busybox root and a config.json from runc spec, or ward-runc spec without runc).

load helpers
bats_require_minimum_version 1.5.0

WARD_RUNC=${WARD_RUNC:-$(dirname "$WARD")/ward-runc}

setup_file() { build_rootfs; }

setup() {
  export OCIROOT=$BATS_TEST_TMPDIR/root
  mine=()
}

teardown() {
  local id
  for id in "${mine[@]}"; do wr delete --force "$id" >/dev/null 2>&1 || true; done
}

# ward-runc with this test's root; fd 3 (bats') closed unless a test passes it on purpose.
wr() { "$WARD_RUNC" --root "$OCIROOT" "$@" 3>&-; }

# bundle NAME ARGS...: a bundle whose process runs ARGS without a terminal, the shared root
# read-only, no ambient capabilities (runc spec's, without inheritable ones, are refused by
# ward; engines send none). Prints its directory.
bundle() {
  local b=$BATS_TEST_TMPDIR/$1 args spec=(spec -b "$BATS_TEST_TMPDIR/$1")
  shift
  mkdir -p "$b"
  rootless && spec+=(--rootless)
  if command -v runc >/dev/null; then runc "${spec[@]}"; else "$WARD_RUNC" "${spec[@]}"; fi
  args=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
  jq --arg root "$ROOTFS" --argjson args "$args" \
    '.process.terminal = false | .process.args = $args | .root = {path: $root, readonly: true}
     | del(.process.capabilities.ambient)' \
    "$b/config.json" >"$b/config.tmp"
  mv "$b/config.tmp" "$b/config.json"
  echo "$b"
}

status_of() { wr state "$1" | jq -r .status; }
is_status() { [ "$(status_of "$1")" = "$2" ]; }

# A failure: exit 1 and exactly one line "ward-runc: ..." (output holds stderr too).
one_line_error() {
  [ "$status" -eq 1 ] || { echo "status $status: $output"; return 1; }
  [ "${#lines[@]}" -eq 1 ] || { echo "not one line: $output"; return 1; }
  [[ ${lines[0]} == "${1:-ward-runc}: "* ]] || { echo "no prefix: $output"; return 1; }
}

@test "--version like runc's (podman probes it), --help, ward oci and the ward-runc name" {
  run "$WARD_RUNC" --version
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == "ward-runc version "* ]]
  [[ ${lines[1]} == "commit: "* ]]
  [ "${lines[2]}" = "spec: 1.2.0" ]
  run "$WARD_RUNC" -v
  [[ ${lines[0]} == "ward-runc version "* ]]
  run "$WARD" oci --version
  [[ ${lines[0]} == "ward-runc version "* ]]
  run "$WARD_RUNC" --help
  [ "$status" -eq 0 ]
  [[ $output == *create*start*delete* ]]
  run "$WARD" oci create --help
  [ "$status" -eq 0 ]
  [[ $output == *--bundle* ]]
  [ "$(readlink "$WARD_RUNC")" = ward ] || [ "$(readlink -f "$WARD_RUNC")" = "$(readlink -f "$WARD")" ]
}

@test "argument errors: one line each, exit 1, naming the culprit" {
  b=$(bundle args true)
  while IFS='|' read -r want args; do
    read -ra argv <<<"$args"
    run wr "${argv[@]}"
    one_line_error || { echo "for: $args"; return 1; }
    [[ $output == *"$want"* ]] || { echo "for: $args: $output"; return 1; }
  done <<'EOF'
a container id is needed|create
got also 'two'|create one two
invalid container id|create a/b
invalid container id|state ..
unknown option --bogus|create --bogus x
unknown option -bogus|create -bogus x
needs a value|create x --bundle
unknown command|frobnicate x
expected text or json|--log-format xml state x
SystemdCgroup = false|--systemd-cgroup create x
expected true, false or auto|--rootless maybe list
no CRIU|--criu /usr/sbin/criu list
no CRIU|checkpoint x
no CRIU|restore x
container events|events x
not a signal|kill x NOSUCHSIG
not a size|update --memory 12q x
not a number|update --pids-limit many x
not a count|create --preserve-fds -1 x
expected table or json|list --format yaml
a command is needed|exec x
EOF
  # the ward oci prefix when called so
  run "$WARD" oci --root "$OCIROOT" state nope
  one_line_error "ward oci"
}

@test "features: runtime-spec features JSON" {
  run wr features
  [ "$status" -eq 0 ]
  jq -e '.ociVersionMin and .ociVersionMax' <<<"$output"
}

@test "a missing container: state, kill, start, pause, exec, ps fail with one line; delete --force is quiet" {
  for cmd in "state nope" "kill nope" "kill nope KILL" "start nope" "pause nope" "resume nope" \
    "ps nope" "exec nope true" "delete nope" "update --memory 1m nope"; do
    read -ra argv <<<"$cmd"
    run wr "${argv[@]}"
    one_line_error || { echo "for: $cmd"; return 1; }
    [[ $output == *"nope: container does not exist"* ]] || { echo "for $cmd: $output"; return 1; }
  done
  run wr delete --force nope
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run wr delete -f=true nope
  [ "$status" -eq 0 ]
}

@test "--log: errors as JSON lines (containerd's shim reads their msg), text as logrus, --debug lines" {
  log=$BATS_TEST_TMPDIR/log.json
  run wr --log "$log" --log-format json state nope
  one_line_error
  run wr --log "$log" --log-format=json kill nope 9
  [ "$(wc -l <"$log")" -eq 2 ]
  while read -r line; do
    jq -e '.level == "error" and (.msg | test("nope: container does not exist")) and
      (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(Z|[+-][0-9:]{5})$"))' <<<"$line"
  done <"$log"
  text=$BATS_TEST_TMPDIR/log.txt
  run wr -log "$text" delete nope
  one_line_error
  grep -qE '^time="[^"]+" level=error msg="nope: container does not exist"$' "$text"
  run wr --debug --log "$text" --log-format json list
  [ "$status" -eq 0 ]
  [ "$(wc -l <"$text")" -ge 2 ]
  tail -n +2 "$text" | jq -e 'select(.level == "debug") | .msg' >/dev/null
}

@test "--root is made 0700; list of an empty root: the header, nothing with -q, [] as JSON" {
  run wr --log "$BATS_TEST_TMPDIR/log.json" --log-format json create --bundle "$BATS_TEST_TMPDIR/none" x
  one_line_error
  [ "$(stat -c %a "$OCIROOT")" = 700 ]
  # the library's refusal is the log's msg, as the shim reports it
  jq -e --arg b "$BATS_TEST_TMPDIR/none" '.level == "error" and (.msg | contains($b))' \
    "$BATS_TEST_TMPDIR/log.json"
  [ ! -e "$OCIROOT/x" ]
  run wr list
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ ${lines[0]} == "ID"*"PID"*"STATUS"*"BUNDLE"*"CREATED"*"OWNER" ]]
  [ -z "$(wr list -q)" ]
  [ "$(wr list --format json)" = "[]" ]
}

@test "spec: a config.json as runc spec's (rootless: a user namespace), never over an existing one" {
  mkdir -p "$BATS_TEST_TMPDIR/s" "$BATS_TEST_TMPDIR/r"
  wr spec -b "$BATS_TEST_TMPDIR/s"
  jq -e '.process.args == ["sh"] and .root.path == "rootfs" and
    (.linux.namespaces | map(.type) | index("mount"))' "$BATS_TEST_TMPDIR/s/config.json"
  run wr spec --bundle "$BATS_TEST_TMPDIR/s"
  one_line_error
  [[ $output == *"exists already"* ]]
  wr spec --rootless -b "$BATS_TEST_TMPDIR/r"
  jq -e --argjson uid "$(id -u)" '(.linux.namespaces | map(.type) | index("user")) and
    .linux.uidMappings[0].hostID == $uid and (.linux.resources == null)' \
    "$BATS_TEST_TMPDIR/r/config.json"
}

@test "a container's life: create, state, start, exec, ps, pause, resume, kill, delete" {
  b=$(bundle life sh -c 'echo started >/dev/null; sleep 1000')
  id=life-$$
  mine+=("$id")
  wr --debug --log "$b/log.json" --log-format json create --bundle "$b" --pid-file "$b/init.pid" \
    "$id" >"$b/out" 2>&1 </dev/null || {
    cat "$b/out" "$b/log.json"
    return 1
  }
  # the log stays open across the closing of inherited fds: debug lines after it
  jq -se 'map(select(.level == "debug" and (.msg | test("pid [0-9]+$")))) | length == 1' "$b/log.json"
  run wr state "$id"
  [ "$status" -eq 0 ]
  jq -e --arg id "$id" --arg b "$b" '.id == $id and .status == "created" and .pid > 0 and
    .bundle == $b and .ociVersion' <<<"$output"
  pid=$(jq -r .pid <<<"$output")
  [ "$(cat "$b/init.pid")" = "$pid" ]
  [[ $(wr list) == *"$id"*"$pid"*created*"$b"* ]]
  wr list -q | grep -qx "$id"
  wr list --format json | jq -e --arg id "$id" 'map(select(.id == $id)) | length == 1'

  wr start "$id"
  [ "$(status_of "$id")" = running ]
  run wr start "$id"
  one_line_error

  # attached exec: output and exit status; the flags over the bundle's process
  run wr exec "$id" sh -c 'echo in; exit 7'
  [ "$status" -eq 7 ]
  [ "$output" = in ]
  run wr exec --env FOO=bar --cwd /tmp "$id" sh -c 'echo "$FOO $(pwd) $PATH"'
  [ "$status" -eq 0 ]
  [[ $output == "bar /tmp /"* ]]
  # a rootless bundle maps only the caller, as container root (and no setgroups)
  if rootless; then
    run wr exec -u 0:0 "$id" id -u
    [ "$output" = 0 ]
  else
    run wr exec -u 1000:1000 -g 5 "$id" id -G
    [ "$status" -eq 0 ]
    [ "$output" = "1000 5" ]
  fi
  # a terminal without --console-socket: exec's own pty
  run bash -c "echo abc | '$WARD_RUNC' --root '$OCIROOT' exec -t $id sh -c 'tty; head -c 3; exit 4' 3>&-"
  [ "$status" -eq 4 ]
  [[ $output == *"/dev/pts/"*abc* ]]
  # --process, as engines send it
  printf '{"args":["sh","-c","echo $X; exit 3"],"env":["X=from-file","PATH=/bin"],"cwd":"/","user":{"uid":0,"gid":0}}' >"$b/proc.json"
  run wr exec --process "$b/proc.json" "$id"
  [ "$status" -eq 3 ]
  [ "$output" = from-file ]
  # detached: returns at once, its pid in the pid file, a process of the container
  wr exec --detach --pid-file "$b/exec.pid" "$id" sleep 1000 >/dev/null 2>&1 </dev/null
  epid=$(cat "$b/exec.pid")
  [ "$epid" -gt 0 ]
  run wr ps --format json "$id"
  [ "$status" -eq 0 ]
  # (a rootless container on a host that delegates no cgroup has none: its process only)
  if rootless; then
    jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
  else
    jq -e --argjson p "$pid" --argjson e "$epid" 'index($p) != null and index($e) != null' <<<"$output"
  fi
  run wr ps "$id"
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == *PID* ]]
  [[ ${lines[1]} == *sleep* ]]
  run wr ps "$id" -- -o pid,comm
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == *PID*COMMAND* ]]
  [[ ${lines[1]} == *"$pid "* ]]

  run wr pause "$id"
  if [ "$status" -eq 0 ]; then
    [ "$(status_of "$id")" = paused ]
    run wr delete "$id"
    one_line_error
    wr resume "$id"
    [ "$(status_of "$id")" = running ]
  else
    # a rootless caller without a freezer: refused in one line
    rootless
    one_line_error
  fi

  run wr delete "$id"
  one_line_error
  wr kill "$id" KILL
  eventually is_status "$id" stopped
  [ "$(wr state "$id" | jq -r .pid)" = 0 ]
  run wr kill "$id" TERM
  one_line_error
  [[ $output == *"container not running"* ]]
  run wr exec "$id" true
  one_line_error
  wr delete "$id"
  run wr state "$id"
  one_line_error
  ! wr list -q | grep -qx "$id" || false
  [ ! -e "$OCIROOT/$id" ]
}

@test "kill: default TERM, names with and without SIG, numbers; --all" {
  # the process is its pid namespace's init: only signals it handles reach it
  b=$(bundle kill sh -c 'trap "exit 42" USR1 TERM; while :; do sleep 0.1; done')
  for sig in USR1 SIGUSR1 10 ""; do
    id=kill-${sig:-default}-$$
    mine+=("$id")
    wr create -b "$b" "$id" >/dev/null 2>&1 </dev/null
    wr start "$id"
    # the trap is set once the shell runs: signal until it stops
    for _ in $(seq 50); do
      is_status "$id" stopped && break
      wr kill "$id" $sig
      sleep 0.1
    done
    is_status "$id" stopped
    wr delete "$id"
  done
  id=kill-all-$$
  mine+=("$id")
  wr create -b "$b" "$id" >/dev/null 2>&1 </dev/null
  wr start "$id"
  wr kill --all "$id" KILL
  eventually is_status "$id" stopped
  wr delete "$id"
}

@test "delete: a created one is killed; a running one only with --force" {
  b=$(bundle del sleep 1000)
  id=del-$$
  mine+=("$id")
  wr create -b "$b" "$id" >/dev/null 2>&1 </dev/null
  wr delete "$id"
  [ ! -e "$OCIROOT/$id" ]
  wr create -b "$b" "$id" >/dev/null 2>&1 </dev/null
  wr start "$id"
  run wr delete "$id"
  one_line_error
  wr delete --force "$id"
  run wr state "$id"
  one_line_error
}

@test "run: waits, exits with the process's status, deletes it (--keep keeps it); -d returns" {
  b=$(bundle run sh -c 'echo out; echo err >&2; exit 3')
  run wr run --bundle "$b" run-$$
  [ "$status" -eq 3 ]
  [[ $output == *out* && $output == *err* ]]
  run wr state run-$$
  one_line_error
  mine+=(keep-$$)
  run wr run -b "$b" --keep keep-$$
  [ "$status" -eq 3 ]
  [ "$(status_of keep-$$)" = stopped ]
  wr delete keep-$$
  # from the bundle as the current directory, runc's default
  run bash -c "cd '$b' && '$WARD_RUNC' --root '$OCIROOT' run cwd-$$ 3>&-"
  [ "$status" -eq 3 ]
  # killed by a signal: 128+N
  "$WARD_RUNC" --root "$OCIROOT" run -b "$(bundle sig sleep 1000)" sig-$$ >/dev/null 2>&1 </dev/null 3>&- &
  runpid=$!
  mine+=(sig-$$)
  eventually is_status sig-$$ running
  wr kill sig-$$ KILL
  st=0
  wait $runpid || st=$?
  [ "$st" -eq 137 ]
  # the signals run gets are forwarded to the process
  b=$(bundle fwd sh -c 'trap "exit 5" TERM; while :; do sleep 0.1; done')
  "$WARD_RUNC" --root "$OCIROOT" run -b "$b" fwd-$$ >/dev/null 2>&1 </dev/null 3>&- &
  runpid=$!
  mine+=(fwd-$$)
  eventually is_status fwd-$$ running
  for _ in $(seq 50); do
    kill -TERM $runpid 2>/dev/null || break
    sleep 0.1
  done
  st=0
  wait $runpid || st=$?
  [ "$st" -eq 5 ]
  run wr state fwd-$$
  one_line_error
  # process.terminal without --console-socket: run's own pty, proxied to its stdio
  b=$(bundle tty sh -c 'tty; echo "in=$(head -c 3)"; exit 2')
  jq '.process.terminal = true' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
  run bash -c "echo abc | '$WARD_RUNC' --root '$OCIROOT' run -b '$b' tty-$$ 3>&-"
  [ "$status" -eq 2 ]
  [[ $output == *"/dev/pts/"* ]]
  [[ $output == *"in=abc"* ]]
  run wr state tty-$$
  one_line_error
  # detached
  id=det-$$
  mine+=("$id")
  wr run -d -b "$(bundle det sleep 1000)" "$id" >/dev/null 2>&1 </dev/null
  [ "$(status_of "$id")" = running ]
  wr kill "$id" KILL
  eventually is_status "$id" stopped
  wr delete "$id"
}

@test "fds: what the caller leaks stays out of the container; --preserve-fds passes them" {
  b=$(bundle fds sh -c 'if [ -e /proc/self/fd/3 ]; then echo open; else echo closed; fi')
  run "$WARD_RUNC" --root "$OCIROOT" run -b "$b" fd-$$ 3<"$b/config.json"
  [ "$status" -eq 0 ]
  [ "$output" = closed ]
  run "$WARD_RUNC" --root "$OCIROOT" run -b "$b" --preserve-fds 1 fd2-$$ 3<"$b/config.json"
  [ "$status" -eq 0 ]
  [ "$output" = open ]
}

@test "update: flags and --resources reach the record; bad ones refused" {
  b=$(bundle upd sleep 1000)
  id=upd-$$
  mine+=("$id")
  wr create -b "$b" "$id" >/dev/null 2>&1 </dev/null
  run wr update --pids-limit 0x10 "$id"
  one_line_error
  run wr update --resources "$BATS_TEST_TMPDIR/missing.json" "$id"
  one_line_error
  echo '[1]' >"$BATS_TEST_TMPDIR/arr.json"
  run wr update -r "$BATS_TEST_TMPDIR/arr.json" "$id"
  one_line_error
  [[ $output == *"not a JSON object"* ]]
  # where the caller may set limits (root, or a delegated cgroup) they are applied
  if ! rootless; then
    wr update --pids-limit 50 --memory 64m "$id"
    echo '{"pids":{"limit":60}}' | wr update --resources - "$id"
  fi
  wr delete --force "$id"
}

@test "a terminal: the master goes to --console-socket; create's stdout and stderr are let go (the shim reads them to their end)" {
  b=$(bundle ttyc sh -c 'tty; exit 0')
  jq '.process.terminal = true' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
  sock=$BATS_TEST_TMPDIR/console.sock
  # an engine's side: receive the master (SCM_RIGHTS), copy what comes through it
  timeout 30 python3 - "$sock" "$BATS_TEST_TMPDIR/pty.out" <<'PY' 3>&- &
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(1)
c, _ = s.accept()
msg, anc, _, _ = c.recvmsg(4096, socket.CMSG_SPACE(4))
fds = array.array("i")
for level, kind, data in anc:
    fds.frombytes(data[:4])
with open(sys.argv[2], "wb") as out:
    out.write(msg + b"\n")
    out.flush()
    while True:
        try:
            d = os.read(fds[0], 4096)
        except OSError:
            break
        if not d:
            break
        out.write(d)
        out.flush()
PY
  pypid=$!
  eventually test -S "$sock"
  id=ttyc-$$
  mine+=("$id")
  # the process must not hold this pipe while it waits for start
  "$WARD_RUNC" --root "$OCIROOT" --log "$BATS_TEST_TMPDIR/log.json" --log-format json create \
    -b "$b" --console-socket "$sock" "$id" </dev/null 2>&1 3>&- | timeout 10 cat >"$b/create.out"
  [ "${PIPESTATUS[1]}" -eq 0 ]
  [ ! -s "$b/create.out" ]
  wr start "$id"
  wait "$pypid"
  grep -q '^/dev/pts/' "$BATS_TEST_TMPDIR/pty.out"
  [ "$(grep -c /dev/pts/ "$BATS_TEST_TMPDIR/pty.out")" -eq 2 ]
  eventually is_status "$id" stopped
  wr delete "$id"
}
