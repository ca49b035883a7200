#!/usr/bin/env bats
# Persistent sandboxes: ward create, exec, cp, read, write, ps, inspect, stop, rm, logs, and
# what is left on the host when supervisors are killed.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { build_rootfs; }

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  before=$(sandbox_state)
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

# SIGKILL to this test's supervisors only (they descend from its reaper): the other half of
# the suite, running beside it, has its own.
kill_own_supervisors() {
  own_processes | awk '$4 == "ward-supervisor" {print $1}' | xargs -r kill -9 2>/dev/null || true
}

supervisor_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["supervisor"]["pid"])' "$WARD_STATE_DIR/sandboxes/$1/record.json"; }

@test "create, exec (many, some at once), cp in and out, stop, rm" {
  run ward create --hostname box --rootfs "$ROOTFS"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  id=$output
  [[ $id =~ ^[0-9a-f]{12}$ ]]
  [[ $(ward ps) == *"$id"*running* ]]
  # the filesystem persists between execs; the hostname is the sandbox's
  run ward exec "$id" sh -c 'echo one >/tmp/state; hostname'
  [ "$status" -eq 0 ]
  [ "$output" = box ]
  run ward exec "${id:0:5}" cat /tmp/state
  [ "$output" = one ]
  # concurrent execs: each its own process, all in the same pid namespace as init
  for i in $(seq 8); do ward exec "$id" sh -c "sleep 0.5; echo \$\$ >/tmp/pid.$i; cat /proc/1/comm" >"$BATS_TEST_TMPDIR/c$i" & done
  wait
  [ "$(cat "$BATS_TEST_TMPDIR"/c* | sort -u)" = ward-init ]
  [ "$(ward exec "$id" sh -c 'cat /tmp/pid.*' | sort -u | wc -l)" -eq 8 ]
  # cp in (a directory and a pattern) and out
  mkdir -p "$BATS_TEST_TMPDIR/src/sub"
  echo a >"$BATS_TEST_TMPDIR/src/a.txt"
  echo b >"$BATS_TEST_TMPDIR/src/sub/b.txt"
  run ward cp "$BATS_TEST_TMPDIR/src" "$id:/work"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  run ward cp "$BATS_TEST_TMPDIR/src/*.txt" "$id:/tmp/"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  run ward exec "$id" sh -c 'cat /work/a.txt /work/sub/b.txt /tmp/a.txt; stat -c %u /work/sub/b.txt'
  [ "$output" = "$(printf 'a\nb\na\n0')" ]
  echo written | ward write "$id" /work/w.txt
  [ "$(ward read "$id" /work/w.txt)" = written ]
  run ward cp "$id:/work" "$BATS_TEST_TMPDIR/out"
  [ "$status" -eq 0 ]
  [ "$(cat "$BATS_TEST_TMPDIR/out/sub/b.txt" "$BATS_TEST_TMPDIR/out/w.txt")" = "$(printf 'b\nwritten')" ]
  [ "$(stat -c %u "$BATS_TEST_TMPDIR/out/w.txt")" = "$(id -u)" ]
  run ward stop "$id"
  [ "$status" -eq 0 ]
  # stopped, it stays until ward rm (as Docker's); nothing runs there
  run ward exec "$id" true
  [ "$status" -eq 125 ]
  [[ $output == *"is stopped"* ]]
  ward rm "$id"
  run ward exec "$id" true
  [ "$status" -eq 125 ]
  [[ $output == *"no such sandbox"* ]]
  settled
}

@test "exec gets the sandbox's user, capabilities, no_new_privs, seccomp policy, limits and network" {
  # rootless without a delegated cgroup the limit is RLIMIT_NPROC, which execs get as well
  id=$(ward create --pids 40 --limits best-effort --rootfs "$ROOTFS")
  run_in() { ward exec "$id" sh -c "$1"; }
  [ "$(run_in 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status')" = \
    "$(ward run --rootfs "$ROOTFS" -- sh -c 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status')" ]
  run ward exec "$id" sh -c 'probe expect-errno 1 keyctl bpf unshare setns mount io_uring_setup && probe expect-errno 38 clone3'
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  # only loopback, as in the sandbox
  run ward exec "$id" sh -c "awk -F: 'NR>2 {print \$1}' /proc/net/dev | tr -d ' '"
  [ "$output" = lo ]
  # the pids limit covers exec'd processes
  run ward exec "$id" probe forkbomb 1000
  [[ $output == "forked "*", then Resource temporarily unavailable" ]] || { echo "$output"; return 1; }
  [ "$(awk '{print $2}' <<<"$output" | tr -d ,)" -lt 40 ]
}

@test "exec -u, -w, -e and the sandbox's environment" {
  id=$(ward create -e FROM_CREATE=yes --rootfs "$ROOTFS")
  run ward exec -u 1000 -w /tmp -e EXTRA=1 "$id" sh -c 'echo $(id -u):$(id -g) $PWD $FROM_CREATE $EXTRA'
  [ "$output" = "1000:1000 /tmp yes 1" ]
  run ward exec -e FROM_CREATE=over "$id" sh -c 'echo $FROM_CREATE'
  [ "$output" = over ]
}

@test "an exec'd command has fds 0-2 only and ward's processes cannot be written through /proc" {
  id=$(ward create --rootfs "$ROOTFS")
  run ward exec "$id" probe fds
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$output" = "0 1 2" ] || { echo "$output"; return 1; }
  sum=$(sha256sum "$WARD" | cut -d' ' -f1)
  # while another exec runs: every process ward started inside, probed
  ward exec "$id" sleep 2 &
  run ward exec "$id" sh -c '
    for p in /proc/[0-9]*; do
      [ "$(cat $p/comm)" = ward-init ] || continue
      if (echo x >>$p/exe) 2>/dev/null; then echo "wrote $p/exe"; fi
      if readlink $p/exe >/dev/null 2>&1; then echo "read $p/exe"; fi
      if ls $p/fd/ >/dev/null 2>&1; then echo "listed $p/fd"; fi
    done; echo checked'
  wait
  [ "$output" = checked ] || { echo "$output"; return 1; }
  [ "$(sha256sum "$WARD" | cut -d' ' -f1)" = "$sum" ]
}

@test "exec --timeout kills the command's process group; the sandbox lives on" {
  id=$(ward create --rootfs "$ROOTFS")
  run ward exec --timeout 1 "$id" sh -c 'sleep 60 & sleep 60'
  [ "$status" -eq 137 ]
  [[ $output == *"timeout"* ]]
  # both sleeps are gone, the sandbox answers
  run ward exec "$id" sh -c 'ps -o comm | grep -c sleep'
  [ "$output" = 0 ]
  run ward exec --json --timeout 1 "$id" sleep 60
  [ "$(python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["timedOut"], r["exitCode"], r["signal"])' <<<"$output")" = "True 137 9" ]
}

@test "--json: one object that matches what ran, with a byte cap" {
  id=$(ward create --rootfs "$ROOTFS")
  run --separate-stderr ward exec --json "$id" sh -c 'echo out; echo err >&2; printf "\377\n"; exit 3'
  [ "$status" -eq 3 ]
  python3 - "$output" <<'EOF'
import json, sys
r = json.loads(sys.argv[1])
assert r["exitCode"] == 3 and r["signal"] == 0, r
assert r["stdout"] == "out\n\ufffd\n" and r["stderr"] == "err\n", r
assert r["truncated"] is False and r["timedOut"] is False and r["oomKilled"] is False, r
assert isinstance(r["durationMs"], int)
EOF
  run --separate-stderr ward exec --json --max-output 1k "$id" sh -c 'head -c 100000 /dev/zero | tr "\0" a'
  python3 - "$output" <<'EOF'
import json, sys
r = json.loads(sys.argv[1])
assert len(r["stdout"]) == 1024 and r["truncated"] is True and r["stdoutBytes"] == 100000, r
EOF
  run -127 --separate-stderr ward exec --json "$id" no-such-command
  [ "$status" -eq 127 ]
  [[ $(python3 -c 'import json,sys; print(json.load(sys.stdin)["error"])' <<<"$output") == *"not found"* ]]
}

@test "a command that cannot start is reported every time, however fast it fails" {
  # its failed execve can reach the supervisor before the helper's report of its pid
  id=$(ward create --rootfs "$ROOTFS")
  for i in $(seq 40); do
    ward exec --json "$id" no-such-command >"$BATS_TEST_TMPDIR/$i" 2>/dev/null &
  done
  wait
  for i in $(seq 40); do
    python3 - "$BATS_TEST_TMPDIR/$i" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["exitCode"] == 127 and "not found" in r.get("error", ""), r
EOF
  done
}

@test "a workload cannot aim exec elsewhere by editing files in its root" {
  id=$(ward create --hostname inside --rootfs "$ROOTFS")
  record=$WARD_STATE_DIR/sandboxes/$id/record.json
  cp "$record" "$BATS_TEST_TMPDIR/record"
  # fake state where a confused ward might look: the sandbox's own copy of the state path,
  # /run/ward, and a replaced /proc/1 view it cannot change anyway
  run ward exec "$id" sh -c "
    for d in '$WARD_STATE_DIR' /run/ward /run/user/$(id -u)/ward; do
      mkdir -p \$d/sandboxes/$id && echo '{\"id\":\"$id\",\"init\":{\"pid\":1}}' >\$d/sandboxes/$id/record.json
      ln -sfn / \$d/sandboxes/$id/ctl 2>/dev/null
    done; echo done"
  [ "$output" = done ]
  cmp "$record" "$BATS_TEST_TMPDIR/record"
  run ward exec "$id" sh -c 'hostname; cat /proc/1/comm'
  [ "$output" = "$(printf 'inside\nward-init')" ]
}

@test "names: unique, --persistent reuses a running sandbox of the same spec, stopped ones stay" {
  id=$(ward create --name web --persistent --rootfs "$ROOTFS")
  [ "$(ward create --name web --persistent --rootfs "$ROOTFS")" = "$id" ]
  run ward create --name web --rootfs "$ROOTFS"
  [ "$status" -eq 125 ]
  [[ $output == *"--name web: taken by sandbox $id"* ]]
  run ward create --name web --persistent --hostname other --rootfs "$ROOTFS"
  [ "$status" -eq 125 ]
  [[ $output == *"another spec"* ]]
  run ward create --name 'bad/name' --rootfs "$ROOTFS"
  [ "$status" -eq 125 ]
  [[ $output == *"--name bad/name"* ]]
  run ward exec web hostname
  [ "$output" = ward ]
  ward stop --time 0 web
  [[ $(ward ps) != *"$id"* ]]
  [[ $(ward ps -a) == *"$id"*stopped* ]]
  run ward exec web true
  [ "$status" -eq 125 ]
  [[ $output == *"is stopped"* ]]
  [ "$(ward inspect web | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["status"], r["name"], r["persistent"])')" = "stopped web True" ]
  ward rm web
  run ward inspect web
  [ "$status" -eq 125 ]
  [[ $output == *"no such sandbox"* ]]
  settled
}

@test "create with a command: it runs as the sandbox's main process, its output in ward logs" {
  id=$(ward create --persistent --rootfs "$ROOTFS" -- sh -c 'echo started; sleep 1; echo done; exit 4')
  run ward exec "$id" sh -c 'cat /proc/1/comm'
  [ "$output" = ward-init ]
  for _ in $(seq 50); do [[ $(ward ps -a) == *"$id"*"stopped (4)"* ]] && break; sleep 0.1; done
  [[ $(ward ps -a) == *"$id"*"stopped (4)"* ]]
  [ "$(ward logs "$id")" = "$(printf 'started\ndone')" ]
  ward rm "$id"
  # a command that cannot start: the persistent record keeps 127, the log says why
  id=$(ward create --persistent --rootfs "$ROOTFS" -- no-such-command)
  for _ in $(seq 50); do [[ $(ward ps -a) == *"$id"*"stopped (127)"* ]] && break; sleep 0.1; done
  [[ $(ward ps -a) == *"$id"*"stopped (127)"* ]]
  [ "$(ward logs "$id" 2>&1)" = "ward: no-such-command: command not found in the sandbox's root or PATH" ]
  ward rm "$id"
  settled
}

@test "stop sends SIGTERM first and SIGKILL after --time; rm -f kills at once" {
  id=$(ward create --persistent --rootfs "$ROOTFS")
  ward exec "$id" probe wait-signal >"$BATS_TEST_TMPDIR/out" &
  eventually grep -q ready "$BATS_TEST_TMPDIR/out"
  ward stop --time 5 "$id"
  wait
  [[ $(cat "$BATS_TEST_TMPDIR/out") == *"ready"*"got signal 15"* ]] || { cat "$BATS_TEST_TMPDIR/out"; return 1; }
  ward rm "$id"
  id=$(ward create --rootfs "$ROOTFS")
  marker=$((RANDOM + 40000))
  ward exec "$id" sleep "$marker" &
  eventually pgrep -f "sleep $marker"
  run ward rm "$id"
  [ "$status" -eq 125 ]
  [[ $output == *"rm -f"* ]]
  ward rm -f "$id"
  wait || true
  settled
}

@test "libward's sandbox API: create, exec, write, copy out, kill with SIGTERM, wait, remove" {
  run "${SANDBOX_API:?built as tests/sandbox_api}" "$ROOTFS" "$BATS_TEST_TMPDIR"
  [ "$status" -eq 0 ] && [ "$output" = ok ] || { echo "$output"; return 1; }
  settled
}

@test "bad references and untrusted records are refused with the culprit named" {
  run ward exec nosuchbox true
  [ "$status" -eq 125 ]
  [ "$output" = "ward: sandbox nosuchbox: no such sandbox (see ward ps --all)" ]
  id=$(ward create --persistent --rootfs "$ROOTFS")
  chmod 666 "$WARD_STATE_DIR/sandboxes/$id/record.json"
  run ward exec "$id" true
  [ "$status" -eq 125 ]
  [[ $output == *"its record $WARD_STATE_DIR/sandboxes/$id/record.json is writable by others"* ]]
  chmod 600 "$WARD_STATE_DIR/sandboxes/$id/record.json"
  chmod 777 "$WARD_STATE_DIR"
  run ward ps
  [ "$status" -eq 125 ]
  [[ $output == *"state directory $WARD_STATE_DIR is writable by others"* ]]
  chmod 700 "$WARD_STATE_DIR"
  run ward exec "$id" -- true
  [ "$status" -eq 0 ]
}

@test "a record whose pid was reused is cleaned without touching that process" {
  id=$(ward create --rootfs "$ROOTFS")
  sup=$(supervisor_of "$id")
  kill -9 "$sup"
  sleep 60 &
  victim=$!
  record=$WARD_STATE_DIR/sandboxes/$id/record.json
  python3 - "$record" "$victim" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1])); r["init"]["pid"] = int(sys.argv[2])
json.dump(r, open(sys.argv[1], "w"))
EOF
  run ward ps -a
  [ "$status" -eq 0 ]
  # kept, stopped: it ran, and its supervisor is gone
  [[ $output == *"$id"*"stopped"* ]]
  [ "$(ward inspect "$id" | jq -r .reason)" = lost ]
  kill -0 "$victim"
  kill "$victim"
  ward rm "$id"
  settled
}

@test "SIGKILL of the supervisor while idle, during an exec, and while creating leaves nothing" {
  # kept: stopped (lost), and it starts again
  id=$(ward create --memory 64m --limits best-effort --rootfs "$ROOTFS")
  kill -9 "$(supervisor_of "$id")"
  eventually sh -c "'$WARD' ps -a | grep -q '$id.*stopped'"
  ward start "$id"
  ward exec "$id" true
  ward rm -f "$id"
  settled
  # --rm: nothing left
  id=$(ward create --rm --memory 64m --limits best-effort --rootfs "$ROOTFS")
  kill -9 "$(supervisor_of "$id")"
  settled
  id=$(ward create --rm --rootfs "$ROOTFS")
  marker=$((RANDOM + 40000))
  ward exec "$id" sleep "$marker" >"$BATS_TEST_TMPDIR/exec.out" 2>&1 &
  exec_pid=$!
  eventually pgrep -f "sleep $marker"
  kill -9 "$(supervisor_of "$id")"
  rc=0
  wait "$exec_pid" || rc=$?
  [ "$rc" -eq 125 ]
  grep -q "supervisor went away" "$BATS_TEST_TMPDIR/exec.out"
  settled
  # while creating: the supervisor is killed at whatever step it has reached
  for delay in 0 0.001 0.002 0.004 0.008; do
    ward create --rm --rootfs "$ROOTFS" >/dev/null 2>&1 &
    sleep "$delay"
    kill_own_supervisors
    wait || true
  done
  # a kill that came before the fork missed: that sandbox's supervisor goes now
  kill_own_supervisors
  settled
}

@test "50 sandboxes created and removed in parallel leave the host as it was" {
  fds_before=$(ls /proc/$$/fd | wc -l)
  for i in $(seq 50); do
    (id=$(ward create --rootfs "$ROOTFS") && ward exec "$id" true && ward rm -f "$id") >"$BATS_TEST_TMPDIR/p$i" 2>&1 &
  done
  wait
  cat "$BATS_TEST_TMPDIR"/p* | grep -v '^[0-9a-f]\{12\}$' && return 1
  settled
  [ "$(ls /proc/$$/fd | wc -l)" -eq "$fds_before" ]
}
