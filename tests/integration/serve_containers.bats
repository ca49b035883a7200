#!/usr/bin/env bats
# ward serve's containers endpoints, driven with curl over the server's unix socket: create
# maps Docker's body onto a ward sandbox (binds, limits, published ports, env), the
# lifecycle calls act on it, wait/logs/top/list/inspect answer in Docker's shapes, and every
# refused field is a 400 naming it that leaves nothing behind.

load helpers
bats_require_minimum_version 1.5.0

WARD_SERVE=${WARD_SERVE:-$(dirname "$WARD")/ward-serve}

start_server() {
  rm -f "$SOCK"
  "$WARD_SERVE" --socket "$SOCK" >>"$BATS_FILE_TMPDIR/serve.log" 2>&1 &
  echo $! >"$BATS_FILE_TMPDIR/serve.pid"
  for _ in $(seq 100); do [[ -S $SOCK ]] && break; sleep 0.05; done
  [[ -S $SOCK ]] || { cat "$BATS_FILE_TMPDIR/serve.log"; return 1; }
}

setup_file() {
  [[ -x $WARD_SERVE ]] || skip "no ward-serve at $WARD_SERVE"
  export WARD_STORE=$BATS_FILE_TMPDIR/store
  local dir=$BATS_FILE_TMPDIR/img
  "$MKROOTFS" "$dir" "$PROBE" "$NETPROBE" >/dev/null
  "$WARD" image pack -q "$dir" --name ctr:1 --env IMGVAR=img --workdir /tmp \
    --cmd /bin/sh --cmd -c --cmd 'echo image-cmd' >/dev/null
  export SOCK=$BATS_FILE_TMPDIR/d.sock
  start_server
}

teardown_file() {
  local pid
  pid=$(cat "$BATS_FILE_TMPDIR/serve.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  for id in $("$WARD" ps -a -q 2>/dev/null); do "$WARD" rm -f "$id" >/dev/null 2>&1 || true; done
  # a sanitized server reports what it found as it exits
  ! grep -E -A20 'Sanitizer|runtime error' "$BATS_FILE_TMPDIR/serve.log" || false
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
}

# req METHOD PATH [BODY]: CODE and BODY of the answer.
req() {
  local out
  out=$(curl -sS --max-time 60 --unix-socket "$SOCK" -X "$1" -H 'Content-Type: application/json' \
    ${3:+--data-binary "$3"} -w '\n%{http_code}' "http://localhost/v1.41$2")
  CODE=${out##*$'\n'}
  BODY=${out%$'\n'*}
  [[ $BODY != "$CODE" ]] || BODY=
}

# create NAME BODY: the new container's id.
create() {
  req POST "/containers/create?name=$1" "$2"
  [ "$CODE" = 201 ] || { echo "create $1: $CODE $BODY"; return 1; }
  ID=$(jq -r .Id <<<"$BODY")
}

# logs ID QUERY: the container's log as "STREAM:text" per frame.
logs() {
  curl -sS --max-time 30 --unix-socket "$SOCK" -o "$BATS_TEST_TMPDIR/logs" \
    "http://localhost/v1.41/containers/$1/logs?$2"
  frames <"$BATS_TEST_TMPDIR/logs"
}

# Docker's multiplexed frames on stdin → "STREAM:line" per line (how a log record falls into
# frames is the server's business).
frames() {
  python3 -c '
import struct, sys
d = sys.stdin.buffer.read()
i, runs = 0, []
while i + 8 <= len(d):
    n = struct.unpack(">I", d[i + 4:i + 8])[0]
    if runs and runs[-1][0] == d[i]:
        runs[-1][1] += d[i + 8:i + 8 + n]
    else:
        runs.append([d[i], d[i + 8:i + 8 + n]])
    i += 8 + n
for s, b in runs:
    for line in b.decode().splitlines():
        print("%d:%s" % (s, line))
'
}

@test "create with binds, env and a published port starts; the port answers; inspect shows them" {
  mkdir -p "$BATS_TEST_TMPDIR/ws"
  echo hostfile >"$BATS_TEST_TMPDIR/ws/f"
  create web '{"Image":"ctr:1","Cmd":["sh","-c","cat /ws/f; echo $IMGVAR $FOO; pwd; exec netprobe hello-server 8080 HELLO"],
    "Env":["FOO=bar"],"Labels":{"app":"web"},"ExposedPorts":{"8080/tcp":{}},
    "HostConfig":{"Binds":["'"$BATS_TEST_TMPDIR/ws"':/ws:ro"],"NetworkMode":"default",
      "PortBindings":{"8080/tcp":[{"HostIp":"127.0.0.1","HostPort":""}]}}}'
  req POST "/containers/$ID/start"
  [ "$CODE" = 204 ]
  req POST "/containers/web/start"
  [ "$CODE" = 304 ]
  req GET /containers/web/json
  [ "$CODE" = 200 ]
  [ "$(jq -r .Name <<<"$BODY")" = /web ]
  [ "$(jq -r .State.Status <<<"$BODY")" = running ]
  [ "$(jq -r .State.Running <<<"$BODY")" = true ]
  [ "$(jq -c '.Config.Env | map(select(startswith("FOO=") or startswith("IMGVAR=")))' <<<"$BODY")" = '["FOO=bar","IMGVAR=img"]' ]
  [ "$(jq -r .Config.Labels.app <<<"$BODY")" = web ]
  [ "$(jq -r '.Config.Labels | has("ward.docker.config")' <<<"$BODY")" = false ]
  [ "$(jq -r '.Mounts[0] | "\(.Type) \(.Destination) \(.RW)"' <<<"$BODY")" = "bind /ws false" ]
  [ "$(jq -r '.NetworkSettings.Ports["8080/tcp"][0].HostIp' <<<"$BODY")" = 127.0.0.1 ]
  port=$(jq -r '.NetworkSettings.Ports["8080/tcp"][0].HostPort' <<<"$BODY")
  [[ $port =~ ^[0-9]+$ ]]
  [ "$port" -gt 0 ]
  eventually "$NETPROBE" connect 127.0.0.1 "$port"
  run "$NETPROBE" connect 127.0.0.1 "$port"
  [[ $output == *HELLO* ]]
  run logs "$ID" "stdout=1&stderr=1"
  echo "logs: $output"
  [[ $output == $'1:hostfile\n1:img bar\n1:/tmp'* ]]
  # ward ps sees it as an ordinary sandbox
  run ward ps
  [[ $output == *web* ]]
  req DELETE /containers/web
  [ "$CODE" = 409 ]
  req DELETE "/containers/web?force=1"
  [ "$CODE" = 204 ]
  req GET /containers/web/json
  [ "$CODE" = 404 ]
  [ "$(jq -r .message <<<"$BODY")" = "No such container: web" ]
}

@test "a memory limit reaches the sandbox's cgroup" {
  enforceable || skip "no delegated cgroup for this user"
  create mem '{"Image":"ctr:1","Cmd":["sleep","30"],"HostConfig":{"Memory":67108864,"PidsLimit":64}}'
  req POST /containers/mem/start
  [ "$CODE" = 204 ]
  # v2, or the v1 hierarchies of a hybrid host
  local out="" cg f
  for cg in $(ward inspect mem | jq -r '.cgroups[]'); do
    for f in memory.max memory.limit_in_bytes pids.max; do
      [[ -f $cg/$f ]] && out+="$f=$(cat "$cg/$f") "
    done
  done
  echo "limits: $out"
  [[ $out == *=67108864\ * ]]
  [[ $out == *"pids.max=64 "* ]]
  req GET /containers/mem/json
  [ "$(jq -r .HostConfig.Memory <<<"$BODY")" = 67108864 ]
}

@test "wait before start gets the exit code (next-exit); stderr frames; tail and timestamps" {
  create w '{"Image":"ctr:1","Cmd":["sh","-c","echo one; echo two >&2; exit 3"]}'
  curl -sS --max-time 30 --unix-socket "$SOCK" -X POST \
    "http://localhost/v1.41/containers/w/wait?condition=next-exit" >"$BATS_TEST_TMPDIR/wait" &
  sleep 0.3
  req POST /containers/w/start
  [ "$CODE" = 204 ]
  wait $!
  [ "$(jq -c . "$BATS_TEST_TMPDIR/wait")" = '{"StatusCode":3,"Error":null}' ]
  req POST /containers/w/wait
  [ "$(jq -c . <<<"$BODY")" = '{"StatusCode":3,"Error":null}' ]
  req GET /containers/w/json
  [ "$(jq -r .State.Status <<<"$BODY")" = exited ]
  [ "$(jq -r .State.ExitCode <<<"$BODY")" = 3 ]
  run logs w "stderr=1"
  [ "$output" = "2:two" ]
  run logs w "stdout=1&stderr=1&tail=1&timestamps=1"
  echo "logs: $output"
  [[ $output =~ ^2:20[0-9-]+T[0-9:.]+Z\ two$ ]]
  req GET "/containers/w/logs"
  [ "$CODE" = 400 ]
}

@test "AutoRemove: wait?condition=removed delivers the exit code, then the container is gone" {
  create ar '{"Image":"ctr:1","Entrypoint":[],"Cmd":["sh","-c","exit 7"],"HostConfig":{"AutoRemove":true}}'
  curl -sS --max-time 30 --unix-socket "$SOCK" -X POST \
    "http://localhost/v1.41/containers/$ID/wait?condition=removed" >"$BATS_TEST_TMPDIR/wait" &
  sleep 0.3
  req POST "/containers/$ID/start"
  [ "$CODE" = 204 ]
  wait $!
  [ "$(jq -c . "$BATS_TEST_TMPDIR/wait")" = '{"StatusCode":7,"Error":null}' ]
  req GET "/containers/$ID/json"
  [ "$CODE" = 404 ]
}

@test "AutoRemove: a restart keeps it; a server killed meanwhile: the next one's list takes over" {
  create keep '{"Image":"ctr:1","Cmd":["sleep","100"],"HostConfig":{"AutoRemove":true}}'
  req POST /containers/keep/start
  req POST "/containers/keep/restart?t=0"
  [ "$CODE" = 204 ]
  sleep 1.5
  req GET /containers/keep/json
  [ "$(jq -r .State.Status <<<"$BODY")" = running ]
  kill -9 "$(cat "$BATS_FILE_TMPDIR/serve.pid")"
  start_server
  req GET /containers/json
  [ "$(jq -r '.[0].Names[0]' <<<"$BODY")" = /keep ]
  ward kill keep
  for _ in $(seq 200); do req GET /containers/keep/json; [ "$CODE" = 404 ] && break; sleep 0.1; done
  [ "$CODE" = 404 ]
}

@test "stop, start (files kept), kill by name, pause, unpause, top, restart" {
  create life '{"Image":"ctr:1","Cmd":["sh","-c","echo x >>/tmp/count; exec sleep 100"]}'
  req POST /containers/life/stop
  [ "$CODE" = 304 ]
  req POST /containers/life/start
  [ "$CODE" = 204 ]
  req GET /containers/life/top
  [ "$CODE" = 200 ]
  [ "$(jq -r '.Titles | join(" ")' <<<"$BODY")" = "UID PID PPID C STIME TTY TIME CMD" ]
  [[ $(jq -r '.Processes[][7]' <<<"$BODY") == *"sleep 100"* ]]
  if have_freezer; then
    req POST /containers/life/pause
    [ "$CODE" = 204 ]
    req GET '/containers/json?filters=%7B%22status%22%3A%5B%22paused%22%5D%7D'
    [[ $(jq -r '.[0].Status' <<<"$BODY") == "Up "*" (Paused)" ]]
    req POST /containers/life/unpause
    [ "$CODE" = 204 ]
  fi
  req POST "/containers/life/stop?t=1"
  [ "$CODE" = 204 ]
  req POST /containers/life/start
  [ "$CODE" = 204 ]
  req POST "/containers/life/kill?signal=SIGKILL"
  [ "$CODE" = 204 ]
  req GET /containers/life/json
  [ "$(jq -r .State.ExitCode <<<"$BODY")" = 137 ]
  req POST "/containers/life/kill?signal=KILL"
  [ "$CODE" = 409 ]
  req POST "/containers/life/restart?t=1"
  [ "$CODE" = 204 ]
  run ward exec life cat /tmp/count
  [ "$output" = $'x\nx\nx' ]
  req POST "/containers/life/kill?signal=NOPE"
  [ "$CODE" = 400 ]
  req POST /containers/life/rename
  [ "$CODE" = 501 ]
}

# Root always has a freezer; rootless ward only under a delegated cgroup.
have_freezer() {
  ! rootless || ward doctor --json | jq -e '.[] | select(.check == "resource limits") | .detail | startswith("delegated")' >/dev/null
}

@test "the list: all, filters by name (regex), label, status and id; Docker's shape" {
  create alpha '{"Image":"ctr:1","Cmd":["sleep","100"],"Labels":{"team":"a","x":"1"}}'
  a=$ID
  create beta '{"Image":"ctr:1","Cmd":["true"],"Labels":{"team":"b"}}'
  req POST /containers/alpha/start
  req GET /containers/json
  [ "$(jq -r '[.[].Names[0]] | join(" ")' <<<"$BODY")" = /alpha ]
  req GET '/containers/json?all=1'
  [ "$(jq -r '[.[].Names[0]] | sort | join(" ")' <<<"$BODY")" = "/alpha /beta" ]
  [ "$(jq -r '.[] | select(.Names[0] == "/beta") | "\(.State) \(.Status) \(.Image)"' <<<"$BODY")" = "created Created ctr:1" ]
  [[ $(jq -r '.[] | select(.Names[0] == "/alpha") | .Status' <<<"$BODY") == "Up "* ]]
  [ "$(jq -r '.[] | select(.Names[0] == "/alpha") | .Command' <<<"$BODY")" = "sleep 100" ]
  f() { req GET "/containers/json?all=1&filters=$(jq -rn --arg f "$1" '$f|@uri')"; jq -r '[.[].Names[0]] | sort | join(" ")' <<<"$BODY"; }
  [ "$(f '{"name":["^/al"]}')" = /alpha ]
  [ "$(f '{"name":["et"]}')" = /beta ]
  [ "$(f '{"label":["team"]}')" = "/alpha /beta" ]
  [ "$(f '{"label":["team=a","x=1"]}')" = /alpha ]
  [ "$(f '{"label":["team=a","x=2"]}')" = "" ]
  [ "$(f '{"status":["created"]}')" = /beta ]
  [ "$(f '{"status":["running","created"]}')" = "/alpha /beta" ]
  [ "$(f "{\"id\":[\"${a:0:5}\"]}")" = /alpha ]
  [ "$(f '{"label":{"team=b":true}}')" = /beta ]
  req GET "/containers/json?filters=$(jq -rn '"{\"bogus\":[\"1\"]}"|@uri')"
  [ "$CODE" = 400 ]
}

@test "a sandbox ward create made lists and inspects too" {
  id=$(ward create --name plain ctr:1 sleep 100)
  req GET '/containers/json'
  [ "$(jq -r '.[0].Names[0]' <<<"$BODY")" = /plain ]
  [ "$(jq -r '.[0].State' <<<"$BODY")" = running ]
  req GET /containers/plain/json
  [ "$CODE" = 200 ]
  [ "$(jq -r .Id <<<"$BODY")" = "$id" ]
  [ "$(jq -r .Path <<<"$BODY")" = sleep ]
  [ "$(jq -c .Args <<<"$BODY")" = '["100"]' ]
  [ "$(jq -r .State.Pid <<<"$BODY")" -gt 0 ]
  [ "$(jq -r '.Config.Env | length' <<<"$BODY")" -gt 0 ]
}

@test "Entrypoint: null keeps the image's command, [] with Cmd runs Cmd alone, a string replaces" {
  create e1 '{"Image":"ctr:1"}'
  req GET /containers/e1/json
  [ "$(jq -c '[.Path, .Args]' <<<"$BODY")" = '["/bin/sh",["-c","echo image-cmd"]]' ]
  [ "$(jq -r .Config.WorkingDir <<<"$BODY")" = /tmp ]
  create e2 '{"Image":"ctr:1","Entrypoint":"/bin/echo","Cmd":["a","b"],"WorkingDir":"/etc"}'
  req GET /containers/e2/json
  [ "$(jq -c '[.Path, .Args, .Config.Entrypoint, .Config.Cmd]' <<<"$BODY")" = '["/bin/echo",["a","b"],["/bin/echo"],["a","b"]]' ]
  req POST /containers/e2/start
  req POST /containers/e2/wait
  run logs e2 "stdout=1"
  [ "$output" = "1:a b" ]
}

@test "ExtraHosts, Hostname, Tmpfs, Mounts of type tmpfs and ReadonlyRootfs reach the sandbox" {
  create hx '{"Image":"ctr:1","Hostname":"box","Cmd":["sh","-c","cat /etc/hosts; hostname; grep -E \" /(tmp|home) \" /proc/mounts | cut -d\" \" -f2,3"],
    "HostConfig":{"ExtraHosts":["db:10.1.2.3","v6:fd00::1"],"Tmpfs":{"/tmp":"size=1m"},
      "Mounts":[{"Type":"tmpfs","Target":"/home","TmpfsOptions":{"SizeBytes":1048576}}]}}'
  req POST /containers/hx/start
  [ "$CODE" = 204 ]
  req POST /containers/hx/wait
  [ "$(jq -r .StatusCode <<<"$BODY")" = 0 ]
  run logs hx "stdout=1&stderr=1"
  [[ $output == *$'1:127.0.0.1\tlocalhost'* ]]
  [[ $output == *"1:10.1.2.3 db"* ]]
  [[ $output == *"1:fd00::1 v6"* ]]
  [[ $output == *"1:box"* ]]
  [[ $output == *"1:/tmp tmpfs"* ]]
  [[ $output == *"1:/home tmpfs"* ]]
  create ro '{"Image":"ctr:1","Cmd":["sh","-c","touch /x || echo ro"],"HostConfig":{"ReadonlyRootfs":true}}'
  req POST /containers/ro/start
  req POST /containers/ro/wait
  run logs ro "stdout=1"
  [ "$output" = "1:ro" ]
  create sec '{"Image":"ctr:1","Cmd":["sh","-c","grep -E \"^(CapEff|Seccomp):\" /proc/self/status | tr -s \"\\t \" \" \""],
    "HostConfig":{"SecurityOpt":["seccomp=unconfined","no-new-privileges"],"CapDrop":["ALL"]}}'
  req POST /containers/sec/start
  req POST /containers/sec/wait
  run logs sec "stdout=1"
  [ "$output" = $'1:CapEff: 0000000000000000\n1:Seccomp: 0' ]
}

@test "a Tty container runs on a terminal; its log is raw, not multiplexed" {
  create tty '{"Image":"ctr:1","Tty":true,"Cmd":["sh","-c","echo on; tty"]}'
  req POST /containers/tty/start
  [ "$CODE" = 204 ]
  req POST /containers/tty/wait
  [ "$(jq -r .StatusCode <<<"$BODY")" = 0 ]
  run curl -sS -D "$BATS_TEST_TMPDIR/headers" --unix-socket "$SOCK" \
    "http://localhost/v1.41/containers/tty/logs?stdout=1&stderr=1"
  [ "$output" = $'on\r\n/dev/pts/0\r' ]
  grep -qi '^content-type: application/vnd.docker.raw-stream' "$BATS_TEST_TMPDIR/headers"
  req GET /containers/tty/json
  [ "$(jq -r .Config.Tty <<<"$BODY")" = true ]
}

@test "SecurityOpt seccomp=PROFILE (the JSON text the docker CLI sends) filters every start" {
  prof='{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}'
  create prof '{"Image":"ctr:1","Cmd":["sh","-c","mkdir /tmp/d$$ && echo made || echo refused"],"HostConfig":{"SecurityOpt":["seccomp='"$prof"'"]}}'
  for _ in 1 2; do
    req POST /containers/prof/start
    [ "$CODE" = 204 ]
    req POST /containers/prof/wait
    [ "$CODE" = 200 ]
  done
  [ "$(logs prof 'stdout=1')" = $'1:refused\n1:refused' ]
  create noprof '{"Image":"ctr:1","Cmd":["sh","-c","mkdir /tmp/d && echo made"]}'
  req POST /containers/noprof/start
  req POST /containers/noprof/wait
  [ "$(logs noprof 'stdout=1')" = "1:made" ]
}

@test "refused fields: a 400 naming each, and no sandbox left behind" {
  while IFS='|' read -r body want; do
    req POST /containers/create "$body"
    [ "$CODE" = 400 ] || { echo "$body: $CODE $BODY"; return 1; }
    [[ $(jq -r .message <<<"$BODY") == *"$want"* ]] || { echo "$body: $BODY"; return 1; }
  done <<'EOF'
{"Image":"ctr:1","HostConfig":{"Privileged":true}}|HostConfig.Privileged
{"Image":"ctr:1","HostConfig":{"PidMode":"host"}}|HostConfig.PidMode
{"Image":"ctr:1","HostConfig":{"IpcMode":"host"}}|HostConfig.IpcMode
{"Image":"ctr:1","HostConfig":{"UTSMode":"host"}}|HostConfig.UTSMode
{"Image":"ctr:1","HostConfig":{"UsernsMode":"host"}}|HostConfig.UsernsMode
{"Image":"ctr:1","HostConfig":{"CgroupnsMode":"host"}}|HostConfig.CgroupnsMode
{"Image":"ctr:1","HostConfig":{"NetworkMode":"host"}}|HostConfig.NetworkMode
{"Image":"ctr:1","HostConfig":{"NetworkMode":"container:x"}}|HostConfig.NetworkMode
{"Image":"ctr:1","HostConfig":{"Devices":[{"PathOnHost":"/dev/null"}]}}|HostConfig.Devices
{"Image":"ctr:1","HostConfig":{"DeviceRequests":[{"Count":-1,"Capabilities":[["gpu"]]}]}}|HostConfig.DeviceRequests
{"Image":"ctr:1","HostConfig":{"VolumesFrom":["x"]}}|HostConfig.VolumesFrom
{"Image":"ctr:1","HostConfig":{"Links":["x:y"]}}|HostConfig.Links
{"Image":"ctr:1","HostConfig":{"Binds":["cache:/cache:rw"]}}|HostConfig.Binds
{"Image":"ctr:1","HostConfig":{"Mounts":[{"Type":"volume","Source":"v","Target":"/v"}]}}|HostConfig.Mounts
{"Image":"ctr:1","HostConfig":{"ExtraHosts":["h:host-gateway"]}}|HostConfig.ExtraHosts
{"Image":"ctr:1","HostConfig":{"Sysctls":{"net.ipv4.ip_forward":"1"}}}|HostConfig.Sysctls
{"Image":"ctr:1","HostConfig":{"RestartPolicy":{"Name":"always"}}}|HostConfig.RestartPolicy
{"Image":"ctr:1","HostConfig":{"SecurityOpt":["apparmor=unconfined"]}}|HostConfig.SecurityOpt
{"Image":"ctr:1","HostConfig":{"SecurityOpt":["seccomp={\"defaultAction\":\"SCMP_ACT_BOGUS\"}"]}}|HostConfig.SecurityOpt seccomp
{"Image":"ctr:1","HostConfig":{"PortBindings":{"53/udp":[{"HostPort":"5353"}]}}}|HostConfig.PortBindings
{"Image":"ctr:1","HostConfig":{"CapAdd":["NOT_A_CAP"]}}|HostConfig.CapAdd
{"Image":"ctr:1","HostConfig":{"Memory":-1}}|HostConfig.Memory
{"Image":"ctr:1","Volumes":{"/data":{}}}|Config.Volumes
{"Image":"ctr:1","Domainname":"example.org"}|Config.Domainname
{"Image":"ctr:1","NetworkingConfig":{"EndpointsConfig":{"mynet":{}}}}|NetworkingConfig.EndpointsConfig
EOF
  req GET '/containers/json?all=1'
  [ "$(jq -c . <<<"$BODY")" = "[]" ] || { echo "left: $BODY"; return 1; }
  [ -z "$(ward ps -a -q)" ]
}

@test "no such image is 404 (clients pull then); a name in use is 409; an unnamed one gets a name" {
  req POST /containers/create '{"Image":"missing:1"}'
  [ "$CODE" = 404 ]
  [ "$(jq -r .message <<<"$BODY")" = "No such image: missing:1" ]
  create dup '{"Image":"ctr:1"}'
  req POST '/containers/create?name=dup' '{"Image":"ctr:1"}'
  [ "$CODE" = 409 ]
  [[ $(jq -r .message <<<"$BODY") == "Conflict. The container name \"/dup\" is already in use by container \"$ID\""* ]]
  req POST /containers/create '{"Image":"ctr:1"}'
  [ "$CODE" = 201 ]
  req GET "/containers/$(jq -r .Id <<<"$BODY")/json"
  [[ $(jq -r .Name <<<"$BODY") =~ ^/[a-z]+_[a-z]+[0-9]*$ ]]
}
