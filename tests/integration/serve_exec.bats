#!/usr/bin/env bats
# ward serve's exec, images, commit and networks endpoints, driven over its unix socket with
# curl and a small hijacking client (tests/helpers/docker_hijack.py). Containers are made
# with the ward CLI; pulls come from a registry this file starts on loopback.

load helpers

SERVE=${WARD_SERVE:-$(dirname "$WARD")/ward-serve}
HIJACK="python3 $(cd "$(dirname "$BATS_TEST_FILENAME")/../helpers" && pwd)/docker_hijack.py"

setup_file() {
  [[ -x $SERVE ]] || skip "no ward-serve at $SERVE"
  build_rootfs
  export WARD_STORE=$BATS_FILE_TMPDIR/store
  ward image pack "$ROOTFS" --name box:1 -q >/dev/null
  export SOCK=$BATS_FILE_TMPDIR/d.sock REGDIR=$BATS_FILE_TMPDIR/registry
  "$SERVE" --socket "$SOCK" </dev/null >"$BATS_FILE_TMPDIR/serve.log" 2>&1 3>&- &
  echo $! >"$BATS_FILE_TMPDIR/serve.pid"
  eventually curl -sf --unix-socket "$SOCK" http://d/_ping
  ward create --name c1 box:1 >/dev/null
}

teardown_file() {
  for c in $(ward ps -a -q 2>/dev/null); do ward rm -f "$c" >/dev/null 2>&1 || true; done
  [[ -d $BATS_FILE_TMPDIR/registry ]] && "$_ward_src/tests/registry/registry.sh" stop "$BATS_FILE_TMPDIR/registry"
  local pid
  pid=$(cat "$BATS_FILE_TMPDIR/serve.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  # a sanitized server reports what it found on its way out
  ! grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$BATS_FILE_TMPDIR/serve.log" || false
}

# api METHOD PATH [BODY]: the body on stdout, the status in $BATS_TEST_TMPDIR/code.
api() {
  local data=()
  [[ -n ${3:-} ]] && data=(-H 'Content-Type: application/json' -d "$3")
  curl -s --unix-socket "$SOCK" -X "$1" "${data[@]}" -o "$BATS_TEST_TMPDIR/body" \
    -w '%{http_code}' "http://d/v1.41$2" >"$BATS_TEST_TMPDIR/code"
  cat "$BATS_TEST_TMPDIR/body"
}
code() { cat "$BATS_TEST_TMPDIR/code"; }

# exec_create CONTAINER BODY: the new instance's id.
exec_create() {
  local out
  out=$(api POST "/containers/$1/exec" "$2")
  [ "$(code)" = 201 ] || { echo "exec create: $(code) $out" >&2; return 1; }
  jq -r .Id <<<"$out"
}

@test "exec: stdout and stderr as Docker's frames, the exit code in its json" {
  id=$(exec_create c1 '{"Cmd":["sh","-c","echo out; echo err >&2; exit 3"],"AttachStdout":true,"AttachStderr":true}')
  [[ $id =~ ^[0-9a-f]{64}$ ]]
  run api GET "/exec/$id/json"
  [ "$(jq .Running <<<"$output")" = false ]
  [ "$(jq .ExitCode <<<"$output")" = null ]
  $HIJACK "$SOCK" "/v1.41/exec/$id/start" '{"Detach":false,"Tty":false}' \
    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
  [ "$(cat "$BATS_TEST_TMPDIR/out")" = out ]
  [ "$(cat "$BATS_TEST_TMPDIR/err")" = err ]
  run api GET "/exec/$id/json"
  [ "$(jq -c '[.Running, .ExitCode, .ContainerID, .ProcessConfig.entrypoint, .ProcessConfig.arguments[0], .ProcessConfig.privileged, .OpenStdout]' <<<"$output")" = \
    "[false,3,\"$(ward inspect c1 | jq -r .id)\",\"sh\",\"-c\",false,true]" ]
  # started once only
  run api POST "/exec/$id/start" '{}'
  [ "$(code)" = 409 ]
  [[ $output == *"already been started"* ]]
}

@test "exec: Env, WorkingDir and User reach the command; stdin from the client" {
  id=$(exec_create c1 '{"Cmd":["sh","-c","echo $FOO; pwd; id -u"],"Env":["FOO=bar"],"WorkingDir":"/tmp","User":"1000","AttachStdout":true}')
  run $HIJACK "$SOCK" "/exec/$id/start" '{}'
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'bar\n/tmp\n1000')" ]
  id=$(exec_create c1 '{"Cmd":["sh","-c","cat; echo end"],"AttachStdin":true,"AttachStdout":true}')
  run $HIJACK "$SOCK" "/exec/$id/start" '{}' --stdin "$(printf 'one\ntwo')"
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'one\ntwoend')" ]
  [ "$(api GET "/exec/$id/json" | jq .ExitCode)" = 0 ]
}

@test "exec with a TTY: the raw stream both ways, a terminal's CR LF, resize" {
  id=$(exec_create c1 '{"Cmd":["sh","-c","tty; read x; echo got $x"],"Tty":true,"AttachStdin":true,"AttachStdout":true}')
  run $HIJACK "$SOCK" "/exec/$id/start" '{"Tty":true}' --raw --stdin $'hello\n'
  [ "$status" -eq 0 ]
  [[ $output == *"/dev/pts/"*$'\r\n'*"got hello"$'\r' ]]
  # a size asked through resize reaches the terminal
  id=$(exec_create c1 '{"Cmd":["sh","-c","sleep 1; stty size"],"Tty":true,"AttachStdout":true}')
  run $HIJACK "$SOCK" "/exec/$id/start" '{"Tty":true}' --raw --resize "/exec/$id/resize?h=40&w=100"
  [ "$status" -eq 0 ]
  [[ $output == "40 100"* ]]
  run api POST "/exec/$id/resize?h=0&w=10"
  [ "$(code)" = 400 ]
  id=$(exec_create c1 '{"Cmd":["true"]}')
  run api POST "/exec/$id/resize?h=10&w=10"
  [ "$(code)" = 400 ]
  [[ $output == *"has no terminal"* ]]
}

@test "exec detached: runs on, its exit code recorded" {
  id=$(exec_create c1 '{"Cmd":["sh","-c","sleep 0.5; echo done >/tmp/detached; exit 4"]}')
  run api POST "/exec/$id/start" '{"Detach":true}'
  [ "$(code)" = 200 ]
  [ -z "$output" ]
  eventually bash -c "[ \"\$(curl -s --unix-socket $SOCK http://d/exec/$id/json | jq .ExitCode)\" = 4 ]"
  [ "$(ward exec c1 cat /tmp/detached)" = done ]
  # with a terminal whose output nobody reads: it is dropped, the command not blocked
  id=$(exec_create c1 '{"Cmd":["sh","-c","yes | head -c 300000; exit 5"],"Tty":true}')
  run api POST "/exec/$id/start" '{"Detach":true,"Tty":true}'
  [ "$(code)" = 200 ]
  eventually bash -c "[ \"\$(curl -s --unix-socket $SOCK http://d/exec/$id/json | jq .ExitCode)\" = 5 ]"
}

@test "exec: a missing command is exit code 127 with the reason on stderr; bad requests" {
  id=$(exec_create c1 '{"Cmd":["nosuchcmd"],"AttachStdout":true,"AttachStderr":true}')
  run $HIJACK "$SOCK" "/exec/$id/start" '{}'
  [[ $output == *"nosuchcmd"* ]]
  [ "$(api GET "/exec/$id/json" | jq .ExitCode)" = 127 ]
  run api POST /containers/c1/exec '{"Cmd":["true"],"Privileged":true}'
  [ "$(code)" = 400 ]
  [ "$output" = '{"message":"Privileged: not supported by ward"}' ]
  run api POST /containers/c1/exec '{"Cmd":[]}'
  [ "$(code)" = 400 ]
  [[ $output == *"No exec command specified"* ]]
  run api POST /containers/nosuch/exec '{"Cmd":["true"]}'
  [ "$(code)" = 404 ]
  [ "$output" = '{"message":"No such container: nosuch"}' ]
  run api GET /exec/0123456789abcdef/json
  [ "$(code)" = 404 ]
  [[ $output == *"No such exec instance"* ]]
}

@test "exec on a paused or stopped container: 409 as Docker says it" {
  ward create --name c2 box:1 >/dev/null
  if ward pause c2 2>/dev/null; then
    run api POST /containers/c2/exec '{"Cmd":["true"]}'
    [ "$(code)" = 409 ]
    [[ $output == *"is paused, unpause the container before exec"* ]]
    ward unpause c2
  fi
  id=$(exec_create c2 '{"Cmd":["true"]}')
  ward stop c2 >/dev/null
  run api POST "/exec/$id/start" '{}'
  [ "$(code)" = 409 ]
  [[ $output == *"is not running"* ]]
  run api POST /containers/c2/exec '{"Cmd":["true"]}'
  [ "$(code)" = 409 ]
  [[ $output == *"is not running"* ]]
  ward rm -f c2 >/dev/null
}

@test "images: list, inspect, 404, tag, delete with Docker's answers" {
  run api GET /images/json
  [ "$(code)" = 200 ]
  [ "$(jq -c '[.[] | select(.RepoTags == ["box:1"]) | (.Id | startswith("sha256:")), (.Size > 0), .SharedSize, .Containers] ' <<<"$output")" = '[true,true,-1,-1]' ]
  run api GET /images/box:1/json
  [ "$(code)" = 200 ]
  [ "$(jq -c '[.RepoTags, .Os, (.Size > 0), .RootFS.Type, (.RootFS.Layers | length), (.Created | test("Z$"))]' <<<"$output")" = '[["box:1"],"linux",true,"layers",1,true]' ]
  id=$(jq -r .Id <<<"$output")
  run api GET /images/nosuch:1/json
  [ "$(code)" = 404 ]
  [ "$output" = '{"message":"No such image: nosuch:1"}' ]
  run api POST "/images/box:1/tag?repo=other/box&tag=2"
  [ "$(code)" = 201 ]
  [ "$(api GET /images/other/box:2/json | jq -r .Id)" = "$id" ]
  run api GET "/images/json?filters=$(jq -rn '{"reference":["other/*"]} | @uri')"
  [ "$(jq -c '[.[].RepoTags]' <<<"$output")" = '[["box:1","other/box:2"]]' ]
  # by id with two names: must be forced
  run api DELETE "/images/${id#sha256:}"
  [ "$(code)" = 409 ]
  [[ $output == *"must be forced"* ]]
  run api DELETE /images/other/box:2
  [ "$(code)" = 200 ]
  [ "$output" = '[{"Untagged":"other/box:2"}]' ]
  # the last name of an image a container uses: 409 unless forced
  run api DELETE /images/box:1
  [ "$(code)" = 409 ]
  [[ $output == *"container $(ward inspect c1 | jq -r .id) is using"* ]]
  run api DELETE /images/nosuch:1
  [ "$(code)" = 404 ]
  run api POST /build
  [ "$(code)" = 501 ]
  [[ $output == *"/build: not supported by ward"* ]]
}

@test "commit: the container's files as an image that runs with them" {
  ward exec c1 sh -c 'echo committed >/etc/marker'
  run api POST "/commit?container=c1&repo=snap&tag=v1&comment=by+test"
  [ "$(code)" = 201 ]
  [[ $(jq -r .Id <<<"$output") == sha256:* ]]
  id=$(jq -r .Id <<<"$output")
  run ward run snap:v1 -- cat /etc/marker
  [ "$status" -eq 0 ]
  [ "$output" = committed ]
  [ "$(api GET /images/snap:v1/history | jq -r '.[0].Comment')" = "by test" ]
  run api POST "/commit?container=c1&repo=snap&tag=v2" '{"Cmd":["sh"]}'
  [ "$(code)" = 400 ]
  [[ $output == *"Cmd: changing the config on commit is not supported"* ]]
  run api POST "/commit?container=nosuch&repo=snap"
  [ "$(code)" = 404 ]
  run api DELETE /images/snap:v1
  [ "$(code)" = 200 ]
  [ "$output" = "[{\"Untagged\":\"snap:v1\"},{\"Deleted\":\"$id\"}]" ]
}

@test "networks: bridge and none; disconnect and connect turn egress off and on" {
  run api GET /networks
  [ "$(jq -c '[.[].Name]' <<<"$output")" = '["bridge","none"]' ]
  [ "$(jq -r '.[0].Id' <<<"$output")" = "$(printf ward-bridge | sha256sum | cut -c1-64)" ]
  run api GET "/networks?filters=$(jq -rn '{"name":["bridge"]} | @uri')"
  [ "$(jq -c '[.[].Name]' <<<"$output")" = '["bridge"]' ]
  run api GET /networks/nosuch
  [ "$(code)" = 404 ]
  cid=$(ward inspect c1 | jq -r .id)
  [ "$(api GET /networks/none | jq -r ".Containers[\"$cid\"].Name")" = c1 ]
  ward create --name n1 --network egress box:1 >/dev/null || skip "no egress here"
  nid=$(ward inspect n1 | jq -r .id)
  [ "$(api GET /networks/bridge | jq -r ".Containers[\"$nid\"].Name")" = n1 ]
  run api POST /networks/bridge/disconnect "{\"Container\":\"$nid\"}"
  [ "$(code)" = 200 ]
  [ "$(ward inspect n1 | jq .network.egress)" = false ]
  [ "$(api GET /networks/bridge | jq -r ".Containers[\"$nid\"]")" = null ]
  run api POST /networks/bridge/disconnect '{"Container":"n1"}'
  [ "$(code)" = 403 ]
  run api POST /networks/none/disconnect '{"Container":"n1"}'
  [ "$(code)" = 403 ]
  [[ $output == *"connect it to bridge"* ]]
  run api POST "/networks/$(printf ward-bridge | sha256sum | cut -c1-12)/connect" '{"Container":"n1","EndpointConfig":{}}'
  [ "$(code)" = 200 ]
  [ "$(ward inspect n1 | jq .network.egress)" = true ]
  run api POST /networks/bridge/connect '{"Container":"n1","EndpointConfig":{"Aliases":["a"]}}'
  [ "$(code)" = 400 ]
  [[ $output == *EndpointConfig* ]]
  run api POST /networks/create '{"Name":"mine"}'
  [ "$(code)" = 501 ]
  [[ $output == *"no user-defined networks"* ]]
  run api DELETE /networks/bridge
  [ "$(code)" = 403 ]
  run api POST /networks/prune
  [ "$output" = '{"NetworksDeleted":[]}' ]
  ward rm -f n1 >/dev/null
}

@test "pull: Docker's progress lines ending in Status; an error in errorDetail; fromSrc refused" {
  command -v docker-registry >/dev/null || skip "docker-registry is not installed"
  R=$("$_ward_src/tests/registry/registry.sh" start plain "$REGDIR")
  WARD_PULL=missing ward push box:1 "$R/pushed:1" >/dev/null 2>&1
  run api POST "/images/create?fromImage=$R/pushed&tag=1"
  [ "$(code)" = 200 ]
  [ "$(head -1 <<<"$output" | jq -c .)" = "{\"status\":\"Pulling from $R/pushed\",\"id\":\"1\"}" ]
  [[ $(tail -2 <<<"$output" | head -1 | jq -r .status) == "Digest: sha256:"* ]]
  [[ $(tail -1 <<<"$output" | jq -r .status) == "Status: "*" for $R/pushed:1" ]]
  # every line is JSON
  jq -e . <<<"$output" >/dev/null
  [ "$(api GET "/images/$R/pushed:1/json" | jq -r '.RepoTags | index("'"$R"'/pushed:1") != null')" = true ]
  run api POST "/images/create?fromImage=$R/nosuch&tag=1"
  [ "$(code)" = 200 ]
  [[ $(tail -1 <<<"$output" | jq -r .errorDetail.message) == *"nosuch"* ]]
  [ "$(tail -1 <<<"$output" | jq -r .error)" = "$(tail -1 <<<"$output" | jq -r .errorDetail.message)" ]
  run api POST "/images/create?fromSrc=-"
  [ "$(code)" = 501 ]
  [[ $output == *fromSrc* ]]
  run api POST "/images/create?fromImage=$R/pushed&tag=1" ''
  # credentials from X-Registry-Auth are taken (an anonymous registry ignores them)
  auth=$(printf '{"username":"u","password":"p","serveraddress":"%s"}' "$R" | base64 -w0 | tr '+/' '-_' | tr -d =)
  out=$(curl -s --unix-socket "$SOCK" -X POST -H "X-Registry-Auth: $auth" "http://d/images/create?fromImage=$R/pushed&tag=1")
  [[ $(tail -1 <<<"$out" | jq -r .status) == "Status: Image is up to date for $R/pushed:1" ]]
  run curl -s --unix-socket "$SOCK" -X POST -H "X-Registry-Auth: %%%" "http://d/images/create?fromImage=$R/pushed&tag=1"
  [[ $output == *"X-Registry-Auth"* ]]
}

@test "SIGKILL of the server mid-exec and mid-pull: the container runs on, the store is whole" {
  id=$(exec_create c1 '{"Cmd":["sh","-c","echo started; sleep 30"],"AttachStdout":true}')
  $HIJACK "$SOCK" "/exec/$id/start" '{}' >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
  eventually grep -q started "$BATS_TEST_TMPDIR/out"
  kill -KILL "$(cat "$BATS_FILE_TMPDIR/serve.pid")"
  [ "$(ward inspect c1 | jq -r .status)" = running ]
  [ "$(ward exec c1 echo alive)" = alive ]
  "$SERVE" --socket "$SOCK" </dev/null >>"$BATS_FILE_TMPDIR/serve.log" 2>&1 3>&- &
  echo $! >"$BATS_FILE_TMPDIR/serve.pid"
  eventually curl -sf --unix-socket "$SOCK" http://d/_ping
  # exec instances lived in the old server's memory
  run api GET "/exec/$id/json"
  [ "$(code)" = 404 ]
  [ -f "$REGDIR/env" ] || skip "no registry (the pull test skipped)"
  R=$(sed -n 's/^REG=//p' "$REGDIR/env")
  WARD_PULL=missing ward push box:1 "$R/big:1" >/dev/null 2>&1
  curl -s --unix-socket "$SOCK" -X POST "http://d/images/create?fromImage=$R/big&tag=1" >"$BATS_TEST_TMPDIR/pull" &
  eventually grep -q Pulling "$BATS_TEST_TMPDIR/pull"
  kill -KILL "$(cat "$BATS_FILE_TMPDIR/serve.pid")"
  "$SERVE" --socket "$SOCK" </dev/null >>"$BATS_FILE_TMPDIR/serve.log" 2>&1 3>&- &
  echo $! >"$BATS_FILE_TMPDIR/serve.pid"
  eventually curl -sf --unix-socket "$SOCK" http://d/_ping
  run api POST "/images/create?fromImage=$R/big&tag=1"
  [[ $(tail -1 <<<"$output" | jq -r .status) == "Status: "*" for $R/big:1" ]]
  run ward run "$R/big:1" -- true
  [ "$status" -eq 0 ]
  [ "$(ward inspect c1 | jq -r .status)" = running ]
}
