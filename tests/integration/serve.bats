#!/usr/bin/env bats
# ward serve's HTTP core over its unix socket: the system endpoints, API versions, bad and
# oversized requests, slow and many clients, the socket's mode and group, a group member
# served as itself by a root server, SIGKILL leaving sandboxes, and socket activation.

load helpers
bats_require_minimum_version 1.5.0

PY=/usr/bin/python3

setup_file() { build_rootfs; }

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  export WARD_STORE=$BATS_TEST_TMPDIR/store
  SDIR=$BATS_TEST_TMPDIR/sock
  mkdir -m 700 "$SDIR"
  SOCK=$SDIR/docker.sock
  SERVER_PIDS=()
}

teardown() {
  local p
  for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${SERVER_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
  if [[ -n ${SHARED:-} ]]; then rm -rf "$SHARED"; fi
  # a sanitizer build's report (the server's own stderr) fails the test
  ! grep -hE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$BATS_TEST_TMPDIR"/*.log 2>/dev/null || false
}

# start_server [ARGS...]: ward serve on $SOCK (unless ARGS name another), answering.
start_server() {
  "$WARD" serve --socket "$SOCK" "$@" 2>"$BATS_TEST_TMPDIR/server.log" &
  SERVER_PIDS+=($!)
  eventually curl -sf --unix-socket "$SOCK" http://d/_ping
}

api() { curl -s --unix-socket "$SOCK" "$@"; }

@test "/_ping, /version and /info answer with Docker's headers and shapes" {
  start_server
  run api -i http://d/_ping
  [[ $output == *"HTTP/1.1 200"* ]]
  [[ $output == *"Api-Version: 1.41"* ]]
  [[ $output == *"Ostype: linux"* ]]
  [[ $output == *"Server: ward/"* ]]
  [[ $output == *OK ]]
  run api http://d/v1.41/version
  [ "$(jq -r .ApiVersion <<<"$output")" = 1.41 ]
  [ "$(jq -r .MinAPIVersion <<<"$output")" = 1.24 ]
  [ "$(jq -r '.Components[0].Name' <<<"$output")" = Engine ]
  [ "$(jq -r .Os <<<"$output")" = linux ]
  run api http://d/v1.30/info
  [ "$(jq -r .Driver <<<"$output")" = ward ]
  [ "$(jq -r .Containers <<<"$output")" = 0 ]
  [ "$(jq -r .DockerRootDir <<<"$output")" = "$WARD_STORE" ]
  [ "$(jq -r '.Warnings | length' <<<"$output")" = 0 ]
  if rootless; then jq -e '.SecurityOptions | index("name=rootless")' <<<"$output"; fi
}

@test "a version too new or too old is refused with Docker's message; an unknown path is 404" {
  start_server
  run api -w '\n%{http_code}' http://d/v1.99/version
  [ "${lines[1]}" = 400 ]
  [ "$(jq -r .message <<<"${lines[0]}")" = "client version 1.99 is too new. Maximum supported API version is 1.41" ]
  run api -w '\n%{http_code}' http://d/v1.12/version
  [ "${lines[1]}" = 400 ]
  [[ $(jq -r .message <<<"${lines[0]}") == "client version 1.12 is too old. Minimum supported API version is 1.24"* ]]
  run api -w '\n%{http_code}' http://d/v1.41/no/such/thing
  [ "${lines[1]}" = 404 ]
  [ "$(jq -r .message <<<"${lines[0]}")" = "page not found" ]
  run api -w '\n%{http_code}' -X POST http://d/events
  [ "${lines[1]}" = 405 ]
}

@test "a 5 MiB body is refused (413) and the server goes on" {
  start_server
  head -c $((5 << 20)) /dev/zero >"$BATS_TEST_TMPDIR/big"
  run api -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary @"$BATS_TEST_TMPDIR/big" http://d/v1.41/containers/create
  [ "$output" = 413 ]
  # chunked: no length announced, refused once it passes the bound
  run api -o /dev/null -w '%{http_code}' -X POST -H 'Transfer-Encoding: chunked' \
    --data-binary @"$BATS_TEST_TMPDIR/big" http://d/v1.41/containers/create
  [ "$output" = 413 ]
  api -f http://d/_ping
}

@test "a malformed request, oversized headers and a slow client do not stop the others" {
  start_server
  run "$PY" - "$SOCK" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
print(s.recv(200).split(b"\r\n")[0].decode())
EOF
  [[ $output == "HTTP/1.1 400"* ]]
  run "$PY" - "$SOCK" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\nX-Big: " + b"a" * (100 << 10) + b"\r\n\r\n")
print(s.recv(200).split(b"\r\n")[0].decode())
EOF
  [[ $output == "HTTP/1.1 4"* ]]
  # half a header, then silence: others are served meanwhile
  "$PY" - "$SOCK" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"GET /_ping HTTP/1.1\r\nHo")
time.sleep(8)
EOF
  slow=$!
  sleep 0.3
  run timeout 3 curl -s --unix-socket "$SOCK" http://d/_ping
  kill "$slow" 2>/dev/null || true
  [ "$output" = OK ]
}

@test "200 clients at once are all answered" {
  start_server
  local pids=()
  for i in $(seq 200); do
    curl -s --max-time 30 --unix-socket "$SOCK" http://d/_ping >"$BATS_TEST_TMPDIR/c$i" &
    pids+=($!)
  done
  wait "${pids[@]}"
  [ "$(cat "$BATS_TEST_TMPDIR"/c* | tr -d '\n' | grep -o OK | wc -l)" = 200 ]
}

@test "the socket is 0600; --group makes it 0660 and that group's; the file goes on SIGTERM" {
  start_server
  [ "$(stat -c %a "$SOCK")" = 600 ]
  kill "${SERVER_PIDS[0]}"
  for _ in $(seq 50); do [[ -e $SOCK ]] || break; sleep 0.1; done
  [ ! -e "$SOCK" ]
  run wait "${SERVER_PIDS[0]}"
  [ "$status" -eq 0 ]
  group=$(id -gn)
  start_server --group "$group"
  [ "$(stat -c %a:%G "$SOCK")" = "660:$group" ]
}

@test "refused: a socket directory others may write, a live server's socket, a bad group" {
  chmod 777 "$SDIR"
  run ward serve --socket "$SOCK"
  [ "$status" -eq 125 ]
  [ "$output" = "ward serve: socket directory $SDIR: writable by others" ]
  chmod 700 "$SDIR"
  start_server
  run ward serve --socket "$SOCK"
  [ "$status" -eq 125 ]
  [ "$output" = "ward serve: socket $SOCK: a server already answers there" ]
  run ward serve --socket "$SDIR/other.sock" --group no-such-group-ward
  [ "$status" -eq 125 ]
  [ "$output" = "ward serve: --group no-such-group-ward: no such group" ]
  [ ! -e "$SDIR/other.sock" ]
  run ward serve --idle-timeout soon
  [ "$status" -eq 125 ]
  [ "$output" = "ward: serve: --idle-timeout soon: not a number of seconds" ]
}

@test "SIGKILL of the server leaves a sandbox running; a new server takes the stale socket" {
  id=$(ward create --rootfs "$ROOTFS" sleep 1000)
  start_server
  [ "$(api http://d/info | jq .ContainersRunning)" = 1 ]
  kill -9 "${SERVER_PIDS[0]}"
  wait "${SERVER_PIDS[0]}" || true
  [ -S "$SOCK" ]
  run ward ps -q
  [ "$output" = "$id" ]
  [ "$(ward inspect "$id" | jq -r .status)" = running ]
  start_server
  [ "$(api http://d/info | jq .ContainersRunning)" = 1 ]
}

@test "--idle-timeout: the server exits when idle and removes its socket" {
  start_server --idle-timeout 1
  for _ in $(seq 50); do kill -0 "${SERVER_PIDS[0]}" 2>/dev/null || break; sleep 0.1; done
  run wait "${SERVER_PIDS[0]}"
  [ "$status" -eq 0 ]
  [ ! -e "$SOCK" ]
}

@test "socket activation: the socket systemd hands over is served as is" {
  [[ -x /usr/bin/systemd-socket-activate ]] || skip "no systemd-socket-activate"
  /usr/bin/systemd-socket-activate -l "$SOCK" "$WARD" serve --idle-timeout 2 \
    2>"$BATS_TEST_TMPDIR/server.log" &
  SERVER_PIDS+=($!)
  eventually curl -sf --unix-socket "$SOCK" http://d/_ping
  grep -q "(from systemd)" "$BATS_TEST_TMPDIR/server.log"
  for _ in $(seq 60); do kill -0 "${SERVER_PIDS[0]}" 2>/dev/null || break; sleep 0.1; done
  ! kill -0 "${SERVER_PIDS[0]}" 2>/dev/null || false
}

# For a root server's tests with another uid: USER (the test user), a socket and a root
# filesystem in SHARED (a directory both may read), and as_user CMD... run as USER with that
# user's own defaults (state root, store, home).
group_setup() {
  ! rootless || skip "a root server's rule"
  [[ -n ${WARD_TEST_USER:-} ]] || skip "no WARD_TEST_USER"
  user=$WARD_TEST_USER
  SHARED=$(mktemp -d /tmp/ward-serve-test.XXXXXX)
  chmod 755 "$SHARED"
  SOCK=$SHARED/docker.sock
  "$MKROOTFS" "$SHARED/rootfs" "$PROBE" >/dev/null
  AS_USER=(setpriv --reuid="$user" --regid="$user" --init-groups env -u WARD_STATE_DIR
    -u WARD_STORE -u XDG_RUNTIME_DIR HOME="$(getent passwd "$user" | cut -d: -f6)")
}
as_user() { "${AS_USER[@]}" "$@"; }

@test "a root server with --group serves another uid as itself (its own sandboxes)" {
  group_setup
  uid=$(id -u "$user")
  [[ -d /run/user/$uid ]] || as_user "$WARD" ps -a >/dev/null
  theirs=$(as_user "$WARD" create --rootfs "$SHARED/rootfs" sleep 1000)
  start_server --group "$(id -gn "$user")"
  run as_user curl -s --unix-socket "$SOCK" http://d/info
  count=$(as_user "$WARD" ps -a -q | wc -l)
  as_user "$WARD" rm -f "$theirs" >/dev/null
  [ "$(jq .Containers <<<"$output")" = "$count" ]
  jq -e '.SecurityOptions | index("name=rootless")' <<<"$output"
  # root's own view: its state (this test's), none of the user's
  [ "$(api http://d/info | jq .Containers)" = 0 ]
  # a user's server refuses another uid (root here)
  mkdir -m 700 "$SHARED/u"
  chown "$user" "$SHARED/u"
  # not through the function: $! must be the server itself, for the teardown to stop it
  "${AS_USER[@]}" "$WARD" serve --socket "$SHARED/u/docker.sock" 2>"$BATS_TEST_TMPDIR/user.log" &
  SERVER_PIDS+=($!)
  eventually as_user curl -sf --unix-socket "$SHARED/u/docker.sock" http://d/_ping
  run curl -s -w '\n%{http_code}' --unix-socket "$SHARED/u/docker.sock" http://d/_ping
  [ "${lines[1]}" = 403 ]
  [ "$(jq -r .message <<<"${lines[0]}")" = "uid 0: this server serves uid $uid only" ]
}

@test "a group member on the root socket reads through a bind only what it could read itself" {
  group_setup
  image=ward-serve-test-$$:1
  as_user "$WARD" image pack --name "$image" "$SHARED/rootfs" >/dev/null
  mkdir -m 700 "$SHARED/mine"
  echo theirs >"$SHARED/mine/f"
  chown -R "$user" "$SHARED/mine"
  start_server --group "$(id -gn "$user")"
  # try BIND CMD: the container runs CMD (reading through BIND); its log
  try() {
    local body id
    body=$(jq -nc --arg i "$image" --arg b "$1" --arg f "$2" \
      '{Image: $i, Cmd: ["sh", "-c", "\($f) && echo READ || echo REFUSED"],
        HostConfig: {Binds: [$b]}}')
    id=$(as_user curl -s --unix-socket "$SOCK" -H 'Content-Type: application/json' -d "$body" \
      http://d/v1.41/containers/create | jq -r '.Id // empty')
    [[ -n $id ]] || return 1
    as_user curl -s --unix-socket "$SOCK" -X POST "http://d/v1.41/containers/$id/start"
    as_user curl -s --unix-socket "$SOCK" -X POST "http://d/v1.41/containers/$id/wait" >/dev/null
    as_user "$WARD" logs "$id" 2>&1
    as_user "$WARD" rm -f "$id" >/dev/null 2>&1 || true
  }
  run try /etc/shadow:/s:ro 'cat /s'
  [[ $output != *READ* ]] || { echo "$output"; false; }
  [[ $output != *root:* ]] || { echo "$output"; false; }
  run try /root:/r 'ls -a /r'
  [[ $output != *READ* ]] || { echo "$output"; false; }
  # what the member owns reads as for the CLI
  run try "$SHARED/mine:/m" 'cat /m/f'
  [[ $output == *theirs*READ* ]] || { echo "$output"; false; }
  as_user "$WARD" image rm "$image" >/dev/null
}
