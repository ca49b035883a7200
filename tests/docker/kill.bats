#!/usr/bin/env bats
# ward serve keeps no state of its own: SIGKILL of the server mid-exec and mid-pull leaves
# every sandbox running and the store whole, and a new server on the same state sees them all.

load serve

setup_file() {
  serve_setup_file
  registry_setup
  # a proxy in front of the registry, to slow a pull down (tests/registry/proxy.py)
  export PDIR=$REGDIR/proxy
  PROXY=$("$BATS_TEST_DIRNAME/../registry/registry.sh" proxy "$PDIR" "http://$REG")
  export PROXY
  # an image whose blobs the store lacks: 2 MB of random data trickle for seconds
  local big=$BATS_FILE_TMPDIR/bigroot
  "$MKROOTFS" "$big" >/dev/null
  head -c 2000000 /dev/urandom >"$big/random"
  ward image pack -q "$big" --name wtest/big:1 >/dev/null
  ward push -q wtest/big:1 "$REG/wtest/big:1" >/dev/null
  ward image rm wtest/big:1 >/dev/null
  ward image prune >/dev/null
}
teardown_file() {
  registry_teardown
  serve_teardown_file
}
setup() { serve_setup; }
teardown() {
  [[ -z ${client:-} ]] || { kill "$client" 2>/dev/null; wait "$client" 2>/dev/null || true; }
  rm -f "$PDIR/conf.json"
  serve_teardown
}

# Until none of the pids $@ lives (up to 30 s).
gone() {
  local p
  for _ in $(seq 300); do
    for p in "$@"; do kill -0 "$p" 2>/dev/null && break; p=; done
    [[ -z $p ]] && return 0
    sleep 0.1
  done
  echo "still running: $*"
  return 1
}

@test "SIGKILL of the server mid-exec: the sandboxes run on, a new server lists them all" {
  run_d --name runner "$BB" sleep 1000 >/dev/null
  run_d --name frozen "$BB" sleep 1000 >/dev/null
  state=running
  if have_freezer; then docker pause frozen >/dev/null; state=paused; fi
  docker run --name exited "$BB" true
  docker create --name created "$BB" true >/dev/null
  docker exec runner sh -c 'echo started; exec sleep 1000' >"$BATS_TEST_TMPDIR/exec" 2>&1 3>&- &
  client=$!
  eventually grep -q started "$BATS_TEST_TMPDIR/exec"
  serve_kill
  # the client sees its stream end (and cannot ask for an exit code)
  gone "$client" || true
  # ward itself: the sandboxes as they were, usable
  run -0 ward ps -a --json
  [ "$(jq -r 'map(.name + " " + .status) | sort | join(",")' <<<"$output")" = "created created,exited stopped,frozen $state,runner running" ]
  run -0 ward exec runner echo via-ward
  [ "$output" = via-ward ]
  # a new server on the same state: every container, in its state, and usable
  serve_again
  run -0 docker ps -a --format '{{.Names}} {{.State}}'
  [ "$(sort <<<"$output" | tr '\n' ,)" = "created created,exited exited,frozen $state,runner running," ]
  run -0 docker exec runner echo again
  [ "$output" = again ]
  [ "$state" = running ] || docker unpause frozen
  run -0 docker exec frozen echo thawed
  run -0 docker start created
  run -0 docker inspect --format '{{.State.Status}}' created
  [[ $output == running || $output == exited ]]
}

@test "SIGKILL of the server mid-pull: the store whole, no half image named, a re-pull works" {
  run_d --name runner "$BB" sleep 1000 >/dev/null
  img=$PROXY/wtest/big:1
  # blobs trickle at 200 KB/s: the pull takes about 10 s
  echo '{"slow": 200000}' >"$PDIR/conf.json"
  docker pull "$img" >"$BATS_TEST_TMPDIR/pull" 2>&1 3>&- &
  client=$!
  eventually bash -c 'grep -q "GET /v2/wtest/big/blobs/" "$PDIR/log" && compgen -G "$WARD_STORE/tmp/*" >/dev/null'
  # the server's children (its pull worker): whatever they do after, they end
  children=$(ps -o pid= --ppid "$SERVE_PID" || true)
  serve_kill
  gone "$client" || true
  [ -z "$children" ] || gone $children
  # the store: readable, and a name only for a whole image
  run -0 ward image ls -q
  names=$output
  for n in $names; do
    run -0 ward image inspect "$n"
  done
  if [[ $names == *"$img"* ]]; then
    run -0 ward run "$img" echo whole
    [ "$output" = whole ]
  fi
  run -0 ward ps --json
  [ "$(jq -r '.[0].name + " " + .[0].status' <<<"$output")" = "runner running" ]
  # a new server, the registry at full speed: the pull finishes, the image runs
  rm -f "$PDIR/conf.json"
  serve_again
  run -0 docker pull "$img"
  [ "${lines[-1]}" = "$img" ]
  run -0 docker run --rm "$img" echo pulled
  [ "$output" = pulled ]
  [ -z "$(ls "$WARD_STORE/tmp")" ]
  run -0 docker ps --format '{{.Names}}'
  [ "$output" = runner ]
}
