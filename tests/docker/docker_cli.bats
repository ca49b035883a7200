#!/usr/bin/env bats
# The docker CLI (Debian's docker.io 20.10, its client only) against ward serve, unchanged:
# DOCKER_HOST=unix://SOCK and the commands a CI script types. Every container is a ward
# sandbox: `ward ps` (the same state root) sees what docker made and what it removed.

load serve

setup_file() {
  serve_setup_file
  registry_setup
}
teardown_file() {
  registry_teardown
  serve_teardown_file
}
setup() { serve_setup; }
teardown() { serve_teardown; }

@test "docker version and info: the server answers API 1.41, no dockerd anywhere" {
  run -0 docker version --format '{{.Server.APIVersion}}'
  [ "$output" = 1.41 ]
  run -0 docker info --format '{{.Containers}}'
  [ "$output" = 0 ]
  # versioned and unversioned paths, Docker's headers on /_ping
  run -0 api -i http://d/v1.41/_ping
  [[ $output == *"Api-Version: 1.41"* ]]
  [[ ${lines[-1]} == OK ]]
  run -0 api -o /dev/null -w '%{http_code}' http://d/v1.41/nosuch/endpoint
  [ "$output" = 404 ]
}

@test "docker run --rm: output, stderr apart, the exit code, nothing left" {
  run -0 docker run --rm "$BB" echo hi
  [ "$output" = hi ]
  docker run --rm "$BB" sh -c 'echo out; echo err >&2' >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
  [ "$(cat "$BATS_TEST_TMPDIR/out")" = out ]
  [ "$(cat "$BATS_TEST_TMPDIR/err")" = err ]
  run docker run --rm "$BB" sh -c 'exit 3'
  [ "$status" -eq 3 ]
  # the image's Env and the command's own
  run -0 docker run --rm -e FOO=bar "$BB" sh -c 'echo $IMG_VAR $FOO'
  [ "$output" = "from-image bar" ]
  # stdin (-i): attach sends it, EOF closes it
  run -0 docker_timeout bash -c 'echo piped | "$DOCKER" run --rm -i "$BB" cat'
  [ "$output" = piped ]
  # --rm: docker waits until removed; gone for docker and for ward
  [ -z "$(docker ps -aq)" ]
  [ -z "$(ward_ids)" ]
}

@test "docker run without --rm leaves an exited container with its exit code; docker rm removes it" {
  run docker run --name exited "$BB" sh -c 'echo bye; exit 5'
  [ "$status" -eq 5 ]
  [ "$output" = bye ]
  run -0 docker inspect --format '{{.State.Status}} {{.State.ExitCode}} {{.Name}}' exited
  [ "$output" = "exited 5 /exited" ]
  run -0 docker ps -a --format '{{.Names}} {{.Status}}'
  [[ $output == "exited Exited (5)"* ]]
  [ "$(ward_ids | wc -l)" -eq 1 ]
  run -0 docker rm exited
  [ -z "$(ward_ids)" ]
  run docker inspect exited
  [ "$status" -ne 0 ]
  [[ $output == *"No such"*exited* ]]
}

@test "docker run -d -p 127.0.0.1:H:C: the published port answers; docker port says where" {
  h=$(free_port)
  id=$(run_d -p "127.0.0.1:$h:8080" "$BB" httpd -f -p 8080 -h /www)
  eventually curl -sf "http://127.0.0.1:$h/index.html"
  run -0 curl -sf "http://127.0.0.1:$h/index.html"
  [ "$output" = "hello from ward" ]
  run -0 docker port "$id"
  [ "$output" = "8080/tcp -> 127.0.0.1:$h" ]
  run -0 docker inspect --format '{{json .NetworkSettings.Ports}}' "$id"
  [ "$(jq -c '."8080/tcp"' <<<"$output")" = "[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$h\"}]" ]
  # the id docker printed is ward's sandbox
  [[ $(ward_ids) == "${id:0:12}" ]]
}

@test "docker exec: output, exit code, -e, -w, -u, stdin" {
  id=$(run_d "$BB" sleep 1000)
  run -0 docker exec "$id" echo hi
  [ "$output" = hi ]
  run docker exec "$id" sh -c 'echo out; echo err >&2; exit 4'
  [ "$status" -eq 4 ]
  docker exec "$id" sh -c 'echo out; echo err >&2' >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
  [ "$(cat "$BATS_TEST_TMPDIR/out")" = out ]
  [ "$(cat "$BATS_TEST_TMPDIR/err")" = err ]
  run -0 docker exec -e A=b -w /tmp "$id" sh -c 'echo $A $(pwd) $IMG_VAR'
  [ "$output" = "b /tmp from-image" ]
  run -0 docker exec -u 1000 "$id" id -u
  [ "$output" = 1000 ]
  run -0 docker_timeout bash -c 'printf "line1\nline2\n" | "$DOCKER" exec -i "$1" wc -l' _ "$id"
  [ "$(echo $output)" = 2 ]
  run ! docker exec "$id" /no/such/program
  run docker exec nosuch true
  [ "$status" -ne 0 ]
  [[ $output == *"No such container: nosuch"* ]]
}

# The tmux pane of the exec -it test contains a line matching $1.
pane_has() { "${tm[@]}" capture-pane -p -t t | grep -q -- "$1"; }

@test "docker exec -it under tmux: a terminal, its size, what is typed" {
  id=$(run_d "$BB" sleep 1000)
  tm=(tmux -f /dev/null -S "$SERVE_DIR/tmux")
  "${tm[@]}" new-session -d -s t -x 100 -y 30 \
    "env DOCKER_HOST=$DOCKER_HOST DOCKER_CONFIG=$DOCKER_CONFIG $DOCKER exec -it $id sh; echo exec-ended \$?; sleep 100"
  size=$("${tm[@]}" display -p -t t '#{pane_height} #{pane_width}')
  # the prompt of an interactive sh on a terminal (capture-pane drops trailing blanks)
  eventually pane_has '^/ #'
  "${tm[@]}" send-keys -t t 'tty; stty size; echo $((6 * 7))' Enter
  eventually pane_has '^42$'
  out=$("${tm[@]}" capture-pane -p -t t)
  "${tm[@]}" send-keys -t t 'exit 6' Enter
  eventually pane_has 'exec-ended 6'
  "${tm[@]}" kill-server || true
  [[ $out == *"/dev/pts/"* ]] || { echo "$out"; return 1; }
  grep -qx "$size" <<<"$out" || { echo "pane $size: $out"; return 1; }
}

@test "docker logs -f sees a line written later; docker logs shows both streams" {
  id=$(run_d "$BB" sh -c 'echo first; echo oops >&2; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo second; sleep 1000')
  docker logs -f "$id" >"$BATS_TEST_TMPDIR/follow" 2>"$BATS_TEST_TMPDIR/follow.err" 3>&- &
  logs=$!
  eventually grep -qx first "$BATS_TEST_TMPDIR/follow"
  run ! grep -q second "$BATS_TEST_TMPDIR/follow"
  docker exec "$id" touch /tmp/go
  eventually grep -qx second "$BATS_TEST_TMPDIR/follow"
  kill -0 "$logs" # still following
  kill "$logs" && wait "$logs" || true
  grep -qx oops "$BATS_TEST_TMPDIR/follow.err"
  docker logs "$id" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
  [ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf 'first\nsecond')" ]
  [ "$(cat "$BATS_TEST_TMPDIR/err")" = oops ]
  run -0 docker logs --tail 1 "$id"
  [ "$output" = second ]
  # -f on an exited container ends with it
  docker run --name short "$BB" sh -c 'echo done' >/dev/null
  run -0 timeout 10 "$DOCKER" logs -f short
  [ "$output" = done ]
}

@test "docker cp into a container and out of it" {
  id=$(run_d "$BB" sleep 1000)
  printf 'to the container\n' >"$BATS_TEST_TMPDIR/in.txt"
  chmod 640 "$BATS_TEST_TMPDIR/in.txt"
  run -0 docker cp "$BATS_TEST_TMPDIR/in.txt" "$id:/tmp/in.txt"
  run -0 docker exec "$id" sh -c 'cat /tmp/in.txt; stat -c %a /tmp/in.txt'
  [ "${lines[0]}" = "to the container" ]
  [ "${lines[1]}" = 640 ]
  # a directory in, into an existing directory
  mkdir -p "$BATS_TEST_TMPDIR/tree/sub" && echo deep >"$BATS_TEST_TMPDIR/tree/sub/f"
  run -0 docker cp "$BATS_TEST_TMPDIR/tree" "$id:/root"
  run -0 docker exec "$id" cat /root/tree/sub/f
  [ "$output" = deep ]
  # out: a directory and a file
  docker exec "$id" sh -c 'mkdir /made && echo made-inside >/made/f && ln -s f /made/link'
  mkdir "$BATS_TEST_TMPDIR/out"
  run -0 docker cp "$id:/made" "$BATS_TEST_TMPDIR/out/"
  [ "$(cat "$BATS_TEST_TMPDIR/out/made/f")" = made-inside ]
  [ "$(readlink "$BATS_TEST_TMPDIR/out/made/link")" = f ]
  run -0 docker cp "$id:/etc/passwd" "$BATS_TEST_TMPDIR/passwd"
  grep -q '^root:' "$BATS_TEST_TMPDIR/passwd"
  run docker cp "$id:/no/such" "$BATS_TEST_TMPDIR/x"
  [ "$status" -ne 0 ]
  [[ $output == *"/no/such"* ]]
  [ ! -e "$BATS_TEST_TMPDIR/x" ]
}

@test "docker ps: --filter label=, name=, status; -q and --format" {
  a=$(run_d --label team=a --name alpha "$BB" sleep 1000)
  b=$(run_d --label team=b --name beta "$BB" sleep 1000)
  docker run --label team=a --name gamma "$BB" true
  run -0 docker ps --filter label=team=a --format '{{.ID}} {{.Names}}'
  [ "$output" = "${a:0:12} alpha" ]
  run -0 docker ps -a --filter label=team=a --format '{{.Names}}'
  [ "$(sort <<<"$output" | tr '\n' ' ')" = "alpha gamma " ]
  run -0 docker ps --filter label=team --format '{{.Names}}'
  [ "$(sort <<<"$output" | tr '\n' ' ')" = "alpha beta " ]
  run -0 docker ps -a --filter name=bet -q
  [ "$output" = "${b:0:12}" ]
  run -0 docker ps -a --filter status=exited --format '{{.Names}}'
  [ "$output" = gamma ]
  run -0 docker ps --no-trunc -q --filter name=alpha
  [ "$output" = "$a" ]
  run -0 docker ps --format '{{.Image}} {{.Label "team"}}' --filter name=alpha
  [ "$output" = "$BB a" ]
}

@test "docker inspect: Config.Env, State.Status, Name, Image, Config.Cmd; -f on several" {
  id=$(run_d -e FOO=bar --name insp -w /tmp --hostname hostx "$BB" sleep 1000)
  run -0 docker inspect --format '{{json .Config.Env}}' insp
  env=$output
  jq -e 'index("FOO=bar") != null and index("IMG_VAR=from-image") != null' <<<"$env" || { echo "$env"; return 1; }
  run -0 docker inspect --format '{{.State.Status}} {{.State.Running}} {{.Name}} {{.Config.Image}} {{.Config.WorkingDir}} {{.Config.Hostname}}' "$id"
  [ "$output" = "running true /insp $BB /tmp hostx" ]
  run -0 docker inspect --format '{{json .Config.Cmd}}' insp
  [ "$output" = '["sleep","1000"]' ]
  run -0 docker inspect --format '{{.Id}}' insp
  [[ $output == "$id"* ]]
  run -0 docker exec insp hostname
  [ "$output" = hostx ]
  run -0 docker inspect insp
  jq -e '.[0].State.Pid > 0 and (.[0].Created | test("^[0-9]{4}-"))' <<<"$output"
  run docker inspect nosuch
  [ "$status" -ne 0 ]
  [[ $output == *"No such object: nosuch"* ]]
}

@test "docker pause / unpause" {
  id=$(run_d "$BB" sh -c 'while :; do date +%s%N >/tmp/tick; sleep 0.05; done')
  if ! have_freezer; then
    run docker pause "$id"
    [ "$status" -ne 0 ]
    [[ $output == *freezer* ]]
    skip "no freezer for this user here (see ward doctor)"
  fi
  run -0 docker pause "$id"
  run -0 docker inspect --format '{{.State.Status}} {{.State.Paused}}' "$id"
  [ "$output" = "paused true" ]
  run -0 docker ps --filter status=paused -q
  [ "$output" = "${id:0:12}" ]
  run docker exec "$id" true
  [ "$status" -ne 0 ]
  [[ $output == *paused* ]]
  run -0 docker unpause "$id"
  run -0 docker inspect --format '{{.State.Status}} {{.State.Paused}}' "$id"
  [ "$output" = "running false" ]
  run -0 docker exec "$id" true
}

@test "docker stop / start: the files are kept, the process runs again" {
  id=$(run_d --name keep "$BB" sleep 1000)
  docker exec keep sh -c 'echo data >/kept'
  run -0 docker stop -t 1 keep
  [ "$output" = keep ]
  run -0 docker inspect --format '{{.State.Status}} {{.State.Running}}' keep
  [ "$output" = "exited false" ]
  [ "$(docker ps -q)" = "" ]
  [ "$(docker ps -aq)" = "${id:0:12}" ]
  run -0 docker start keep
  run -0 docker inspect --format '{{.State.Status}}' keep
  [ "$output" = running ]
  run -0 docker exec keep cat /kept
  [ "$output" = data ]
  run -0 docker restart -t 1 keep
  run -0 docker exec keep cat /kept
  [ "$output" = data ]
  run -0 docker kill keep
  eventually bash -c '[ "$("$DOCKER" inspect --format "{{.State.Status}}" keep)" = exited ]'
  # docker wait: the exit code of a stopped one at once
  run -0 timeout 10 "$DOCKER" wait keep
  [ "$output" = 137 ]
}

@test "docker commit: the new image runs with the file" {
  docker run --name c "$BB" sh -c 'echo committed >/hello'
  run -0 docker commit c wtest/committed:1
  [[ $output == sha256:* ]]
  run -0 docker run --rm wtest/committed:1 cat /hello
  [ "$output" = committed ]
  run -0 docker images --format '{{.Repository}}:{{.Tag}}'
  [[ $output == *wtest/committed:1* ]]
  run -0 docker rmi wtest/committed:1
  run -0 docker images -q wtest/committed:1
  [ -z "$output" ]
  run docker run --rm --pull never wtest/committed:1 true
  [ "$status" -ne 0 ]
  [[ $output == *"No such image: wtest/committed:1"* ]]
}

@test "docker network: bridge and none; disconnect bridge takes the container off" {
  run -0 docker network ls --format '{{.Name}}'
  [[ $output == *bridge* ]]
  [[ $output == *none* ]]
  id=$(run_d "$BB" sleep 1000)
  run -0 docker inspect --format '{{json .NetworkSettings.Networks}}' "$id"
  jq -e 'has("bridge")' <<<"$output"
  run -0 docker network inspect bridge --format '{{json .Containers}}'
  jq -e --arg id "$id" 'has($id)' <<<"$output"
  run -0 docker network disconnect bridge "$id"
  run -0 docker inspect --format '{{json .NetworkSettings.Networks}}' "$id"
  jq -e 'has("bridge") | not' <<<"$output"
  run -0 docker network inspect bridge --format '{{json .Containers}}'
  jq -e --arg id "$id" 'has($id) | not' <<<"$output"
  run -0 docker exec "$id" true
  run -0 docker network connect bridge "$id"
  run -0 docker inspect --format '{{json .NetworkSettings.Networks}}' "$id"
  jq -e 'has("bridge")' <<<"$output"
  # --network none: in none, not in bridge
  n=$(run_d --network none "$BB" sleep 1000)
  run -0 docker inspect --format '{{.HostConfig.NetworkMode}}' "$n"
  [ "$output" = none ]
  run docker network create mine
  [ "$status" -ne 0 ]
}

@test "docker pull from the local registry; docker run of a missing image pulls it" {
  run -0 docker pull "$REG/wtest/pulled:1"
  [[ ${lines[-1]} == "$REG/wtest/pulled:1" ]]
  run -0 docker images --format '{{.Repository}}:{{.Tag}}'
  [[ $output == *"$REG/wtest/pulled:1"* ]]
  run -0 docker run --rm "$REG/wtest/pulled:1" echo pulled
  [ "$output" = pulled ]
  run docker pull "$REG/wtest/nosuch:1"
  [ "$status" -ne 0 ]
  [[ $output == *"wtest/nosuch"* ]]
  # run: create says No such image, the CLI pulls and creates again
  docker rmi "$REG/wtest/pulled:1" >/dev/null
  run -0 docker run --rm "$REG/wtest/pulled:1" echo second
  [[ $output == *"Unable to find image"* ]]
  [ "${lines[-1]}" = second ]
  run docker create --pull never wtest/nosuch:1
  [ "$status" -ne 0 ]
  [[ $output == *"No such image: wtest/nosuch:1"* ]]
  [ -z "$(ward_ids)" ]
}

@test "docker images, image inspect, tag, rmi" {
  run -0 docker images --format '{{.Repository}} {{.Tag}}'
  [[ $output == *"wtest/bb 1"* ]]
  [[ $output == *"wtest/ep 1"* ]]
  run -0 docker image inspect --format '{{.Size}} {{json .RepoTags}} {{json .Config.Env}}' "$BB"
  read -r size tags env <<<"$output"
  # (a pull of the same image by another name adds its tag)
  [ "$size" -gt 0 ]
  jq -e --arg n "$BB" 'index($n) != null' <<<"$tags"
  [[ $env == *'"IMG_VAR=from-image"'* ]]
  run -0 docker image inspect --format '{{json .Config.Entrypoint}}' "$EP"
  [ "$output" = '["/bin/echo","entrypoint-not-reset"]' ]
  run -0 docker tag "$BB" wtest/bb:tagged
  run -0 docker images -q wtest/bb:tagged
  [ -n "$output" ]
  [ "$output" = "$(docker images -q "$BB")" ]
  run -0 docker rmi wtest/bb:tagged
  run -0 docker images -q wtest/bb:tagged
  [ -z "$output" ]
  run docker image inspect wtest/nosuch:1
  [ "$status" -ne 0 ]
  [[ $output == *"No such image: wtest/nosuch:1"* ]]
}

@test "docker rm -f removes a running container; rm without -f refuses it" {
  id=$(run_d --name busy "$BB" sleep 1000)
  run docker rm busy
  [ "$status" -ne 0 ]
  [[ $output == *busy* || $output == *"${id:0:12}"* ]]
  [[ $(ward_ids) == "${id:0:12}" ]]
  run -0 docker rm -f busy
  [ -z "$(docker ps -aq)" ]
  [ -z "$(ward_ids)" ]
  run docker rm nosuch
  [ "$status" -ne 0 ]
  [[ $output == *"No such container: nosuch"* ]]
}

# The refusal list: each is refused naming the field, and no container is left behind.
refused() {
  local field=$1
  shift
  run docker "$@"
  [ "$status" -ne 0 ] || { echo "docker $* succeeded"; return 1; }
  [[ $output == *"$field"* ]] || { echo "docker $*: $output (expected: $field)"; return 1; }
  [ -z "$(ward_ids)" ] || { echo "docker $* left a sandbox: $(ward_ids)"; return 1; }
  [ -z "$(docker ps -aq)" ] || { echo "docker $* left a container"; return 1; }
}

@test "refused, naming the field, leaving nothing: privileged, host namespaces, devices, named volumes, gpus, build" {
  refused Privileged run --rm --privileged "$BB" true
  refused PidMode run --rm --pid host "$BB" true
  refused IpcMode run --rm --ipc host "$BB" true
  refused NetworkMode run --rm --network host "$BB" true
  refused NetworkMode run --rm --network container:nosuch "$BB" true
  refused Devices run --rm --device /dev/null "$BB" true
  refused Binds run --rm -v named:/x "$BB" true
  refused Mounts run --rm --mount type=volume,source=named,target=/x "$BB" true
  refused DeviceRequests run --rm --gpus all "$BB" true
  refused mynet create --network mynet "$BB" true
  mkdir -p "$BATS_TEST_TMPDIR/ctx" && printf 'FROM scratch\n' >"$BATS_TEST_TMPDIR/ctx/Dockerfile"
  run env DOCKER_BUILDKIT=0 "$DOCKER" build -t wtest/built:1 "$BATS_TEST_TMPDIR/ctx"
  [ "$status" -ne 0 ]
  [[ $output == *"Error response from daemon"*build* ]]
  run -0 docker images -q wtest/built:1
  [ -z "$output" ]
  run docker swarm init
  [ "$status" -ne 0 ]
  [ -z "$(ward_ids)" ]
}
