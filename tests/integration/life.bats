#!/usr/bin/env bats
# A sandbox's whole life: created without starting, started, stopped with its files kept,
# started again, restarted, waited for, killed with a signal, removed when it stops (--rm),
# labelled, committed; and what SIGKILL at each phase of a stop or a start leaves.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { build_rootfs; }

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  export WARD_STORE=$BATS_TEST_TMPDIR/store
  before=$(sandbox_state)
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

status_of() { ward inspect "$1" | jq -r .status; }

@test "create --no-start, start, stop keeps the files, start brings them back (twice); rm leaves nothing" {
  id=$(ward create --no-start --name keep -w /work --rootfs "$ROOTFS")
  [ "$(status_of keep)" = created ]
  [[ $(ward ps -a) == *keep*created* ]]
  [[ $(ward ps) != *keep* ]]
  run ward exec keep true
  [ "$status" -eq 125 ]
  [[ $output == *"not started"* ]]
  ward start keep
  [ "$(status_of keep)" = running ]
  # new files, a deleted file of the image, a replaced directory, an owner, a hard link
  ward exec keep sh -c 'mkdir -p /work && echo one >/work/a && ln /work/a /work/b &&
    rm /etc/group && rm -rf /usr && mkdir -p /usr/new && echo n >/usr/new/f &&
    echo u >/home/u && chown 1000:1000 /home/u && touch "/work/$(printf "caf\303\251 n\377")"'
  ward stop --time 0 keep
  [ "$(status_of keep)" = stopped ]
  [ -f "$WARD_STATE_DIR/sandboxes/$id/layer.tar" ]
  [ "$(stat -c %a "$WARD_STATE_DIR/sandboxes/$id/layer.tar")" = 600 ]
  for round in 1 2; do
    ward start keep
    run ward exec keep sh -c 'cat /work/a; stat -c %h /work/b; [ -e /etc/group ] || echo gone;
      ls /usr; stat -c %u:%g /home/u; cat /etc/passwd | head -1;
      [ -e "/work/$(printf "caf\303\251 n\377")" ] && echo names'
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$output" = "$(printf 'one\n2\ngone\nnew\n1000:1000\nroot:x:0:0:root:/root:/bin/sh\nnames')" ] || { echo "round $round: $output"; return 1; }
    ward exec keep sh -c "echo $round >>/work/rounds"
    ward stop --time 0 keep
  done
  ward start keep
  [ "$(ward exec keep cat /work/rounds)" = "$(printf '1\n2')" ]
  # the same file of the image, untouched on the host
  [ -f "$ROOTFS/etc/group" ]
  [ -d "$ROOTFS/usr/bin" ]
  ward rm -f keep
  settled
}

@test "--rm: removed when it stops; --persistent --name starts a stopped one again with its files" {
  id=$(ward create --rm --rootfs "$ROOTFS")
  ward exec "$id" true
  ward stop --time 0 "$id"
  run ward inspect "$id"
  [ "$status" -eq 125 ]
  [[ $output == *"no such sandbox"* ]]
  id=$(ward create --persistent --name agent --rootfs "$ROOTFS")
  ward exec agent sh -c 'echo state >/tmp/s'
  ward stop --time 0 agent
  [ "$(ward create --persistent --name agent --rootfs "$ROOTFS")" = "$id" ]
  [ "$(status_of agent)" = running ]
  [ "$(ward exec agent cat /tmp/s)" = state ]
  ward rm -f agent
  settled
}

@test "--disk bounds the layer across stops; a layer that no longer fits is refused at start" {
  id=$(ward create --disk 8m --rootfs "$ROOTFS")
  ward exec "$id" dd if=/dev/zero of=/tmp/big bs=1M count=5 status=none
  ward stop --time 0 "$id"
  ward start "$id"
  [ "$(ward exec "$id" stat -c %s /tmp/big)" = 5242880 ]
  run ward exec "$id" dd if=/dev/zero of=/tmp/more bs=1M count=8 status=none
  [ "$status" -ne 0 ]
  [[ $output == *"No space left"* ]]
  ward rm -f "$id"
  settled
}

@test "restart, wait, kill -s, start of a running one" {
  id=$(ward create --rootfs "$ROOTFS")
  ward exec "$id" sh -c 'echo x >/tmp/x'
  started=$(ward inspect "$id" | jq .started)
  ward start "$id" # running: nothing to do
  ward restart --time 0 "$id"
  [ "$(ward inspect "$id" | jq .started)" -gt "$started" ]
  [ "$(ward exec "$id" cat /tmp/x)" = x ]
  ward rm -f "$id"
  id=$(ward create --rootfs "$ROOTFS" -- sh -c 'sleep 0.5; exit 3')
  [ "$(ward wait "$id")" = 3 ]
  [ "$(status_of "$id")" = stopped ]
  ward rm "$id"
  id=$(ward create --rootfs "$ROOTFS" -- probe wait-signal)
  ward kill -s USR1 "$id"
  [ "$(ward wait "$id")" != "" ]
  ward logs "$id" | grep -q "got signal 10"
  ward rm "$id"
  settled
}

@test "labels: set on create, filtered by ps, shown with the whole config by inspect" {
  a=$(ward create --label team=blue --label tier=web -e GREETING=hi --rootfs "$ROOTFS")
  b=$(ward create --label team=red --rootfs "$ROOTFS")
  [ "$(ward ps -q --filter label=team=blue)" = "$a" ]
  [ "$(ward ps -q --filter label=team | sort)" = "$(printf '%s\n' "$a" "$b" | sort)" ]
  [ "$(ward ps -q --filter label=tier --filter label=team=red)" = "" ]
  ward inspect "$a" >"$BATS_TEST_TMPDIR/i.json"
  [ "$(jq -r .labels.team "$BATS_TEST_TMPDIR/i.json")" = blue ]
  jq -e '.config | type == "object"' "$BATS_TEST_TMPDIR/i.json"
  grep -q GREETING=hi "$BATS_TEST_TMPDIR/i.json"
  ward rm -f "$a" "$b"
  settled
}

@test "SIGKILL of a start or a stop at each phase: the sandbox stays, stopped, with its last saved files" {
  id=$(ward create --rootfs "$ROOTFS")
  ward exec "$id" sh -c 'echo saved >/tmp/f'
  ward stop --time 0 "$id"
  # a start killed at each point of its set-up: still stopped, and it starts after
  for point in start cloned running recorded; do
    kill_at "$point" start "$id"
    for _ in $(seq 100); do ward ps -a >/dev/null; [ "$(status_of "$id")" = stopped ] && break; sleep 0.1; done
    [ "$(status_of "$id")" = stopped ] || { echo "start killed at $point: $(status_of "$id")"; return 1; }
  done
  ward start "$id"
  [ "$(ward exec "$id" cat /tmp/f)" = saved ]
  ward rm -f "$id"
  # a supervisor killed at each point of its end: stopped, no half-saved layer, startable
  for point in saving saved removing; do
    id=$(WARD_FAULT_AT=$point ward create --rootfs "$ROOTFS" -- sh -c 'echo new >/tmp/f; sleep 0.2')
    for _ in $(seq 1000); do
      stopped=$(own_processes | awk '$3 ~ /^T/ && $4 == "ward-supervisor" {print $1}')
      [ -n "$stopped" ] && break
      sleep 0.01
    done
    [ -n "$stopped" ] || { echo "never reached $point"; return 1; }
    kill -9 $stopped
    # once the kill has landed (the lock is free), the next look records it stopped
    for _ in $(seq 100); do ward ps -a >/dev/null; [ "$(status_of "$id")" = stopped ] && break; sleep 0.1; done
    [ "$(status_of "$id")" = stopped ] || { echo "killed at $point: $(status_of "$id")"; return 1; }
    [ ! -e "$WARD_STATE_DIR/sandboxes/$id/layer.tar.new" ]
    ward start "$id"
    ward rm -f "$id"
  done
  settled
}

@test "commit: a running and a stopped sandbox become images that run with their files; history shows them" {
  ward image pack "$ROOTFS" --name base >/dev/null
  id=$(ward create --name work base)
  ward exec work sh -c 'echo built >/opt.txt; rm /etc/group; mkdir -p /srv/app && echo v1 >/srv/app/v'
  out=$(ward commit -m "set up" work app:v1)
  [[ $out == "app:v1 sha256:"* ]] || { echo "$out"; return 1; }
  # the sandbox runs on, unfrozen
  [ "$(status_of work)" = running ]
  run ward run app:v1 -- sh -c 'cat /opt.txt /srv/app/v; [ -e /etc/group ] || echo gone'
  [ "$output" = "$(printf 'built\nv1\ngone')" ] || { echo "$output"; return 1; }
  ward exec work sh -c 'echo v2 >/srv/app/v'
  ward stop --time 0 work
  ward commit work app:v2 >/dev/null
  [ "$(ward run app:v2 -- cat /srv/app/v)" = v2 ]
  ward image history app:v1 --json | jq -e '.[0].comment == "set up"'
  [ "$(ward image history app:v2 --json | jq length)" -eq 2 ]
  # started again many times from the committed image: each its own copy
  a=$(ward create app:v1) && b=$(ward create app:v1)
  ward exec "$a" sh -c 'echo a >/srv/app/v'
  [ "$(ward exec "$b" cat /srv/app/v)" = v1 ]
  ward rm -f work "$a" "$b"
  run ward commit no-such app:x
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == *no-such* ]]
  settled
}

@test "SIGKILL of ward commit and ward rm at any moment: the store and the state root as before (after prune)" {
  ward image pack "$ROOTFS" --name base >/dev/null
  id=$(ward create base)
  ward exec "$id" sh -c 'dd if=/dev/zero of=/big bs=1M count=4 status=none'
  ward stop --time 0 "$id"
  store_before=$(cd "$WARD_STORE" && find blobs index.json -type f | sort)
  for d in 0.005 0.01 0.02 0.04 0.08 0.15; do
    timeout -s KILL "$d" "$WARD" commit "$id" killed:x >/dev/null 2>&1 || true
  done
  ward image rm killed:x >/dev/null 2>&1 || true
  ward image prune >/dev/null
  [ "$(cd "$WARD_STORE" && find blobs index.json -type f | sort)" = "$store_before" ]
  [ -z "$(find "$WARD_STORE/tmp" -mindepth 1)" ]
  # rm killed while it empties the directory: the next command finishes it
  for point in emptying; do
    x=$(ward create --rootfs "$ROOTFS")
    ward stop --time 0 "$x"
    kill_at "$point" rm "$x"
    ward ps -a >/dev/null
    run ward inspect "$x"
    [ "$status" -eq 125 ] || ward rm -f "$x"
  done
  ward rm -f "$id"
  settled
}
