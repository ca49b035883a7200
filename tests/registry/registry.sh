#!/usr/bin/env bash
# A real registry for the pull tests: Debian's docker-registry (distribution 2.8) on
# 127.0.0.1 with a private config and storage under DIR, and the tests' helpers around it.
# Nothing listens beyond loopback; every process started is recorded in a DIR/*.pid file.
#
# usage: registry.sh start plain|tls|token DIR
#          plain: HTTP, anonymous. tls: HTTPS with a CA made here (DIR/certs.d/HOST:PORT/ca.crt,
#          for $WARD_CERTS_D) and htpasswd auth. token: HTTP with token auth from
#          tests/registry/token-service.py. Prints HOST:PORT; DIR/env holds REG, REG_URL, REG_USER,
#          REG_PASS, REG_CA, REG_CERTS_D, REG_DATA as shell assignments.
#        registry.sh proxy PDIR UPSTREAM_URL [CAFILE] [STORAGE]
#          tests/registry/proxy.py in front of UPSTREAM_URL (STORAGE: the registry's data
#          directory, for redirected blobs). Prints HOST:PORT; PDIR/conf.json steers it.
#        registry.sh stop DIR
#          ends every process recorded under DIR (TERM, then KILL), and waits for them.
set -euo pipefail
PY=/usr/bin/python3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REG_USER=ward-user
REG_PASS=ward-pass-$$

die() { echo "registry.sh: $*" >&2; exit 1; }

free_port() {
  $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Start a daemon with nothing of ours open (bats waits for whoever holds its descriptors)
# and record its pid.
spawn() {
  local pidfile=$1 log=$2
  shift 2
  "$@" </dev/null >"$log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
  echo $! >"$pidfile"
}

alive() { kill -0 "$(cat "$1")" 2>/dev/null; }

# Until FILE exists (a daemon wrote its port), while the daemon of PIDFILE lives.
wait_file() {
  local file=$1 pidfile=$2
  for _ in $(seq 200); do
    [[ -s $file ]] && return 0
    alive "$pidfile" || return 1
    sleep 0.05
  done
  return 1
}

make_ca() {
  local d=$1
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ward-test-ca \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
    -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
  printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'basicConstraints=CA:FALSE' \
    'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' >"$d/server.ext"
  openssl x509 -req -days 2 -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
    -CAcreateserial -extfile "$d/server.ext" -out "$d/server.crt" 2>/dev/null
}

start() {
  local mode=$1 d=$2 auth="" tls="" scheme=http port try
  [[ $mode == plain || $mode == tls || $mode == token ]] || die "mode: plain, tls or token"
  mkdir -p "$d/data"
  d=$(cd "$d" && pwd)
  case $mode in
  tls)
    make_ca "$d"
    htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$d/htpasswd" 2>/dev/null
    tls="  tls: {certificate: $d/server.crt, key: $d/server.key}"
    auth=$'auth:\n'"  htpasswd: {realm: ward-test, path: $d/htpasswd}"
    scheme=https
    ;;
  token)
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ward-test-token \
      -keyout "$d/token.key" -out "$d/token.crt" 2>/dev/null
    echo "$REG_USER:$REG_PASS" >"$d/users"
    spawn "$d/token.pid" "$d/token.stderr" $PY "$here/token-service.py" "$d"
    wait_file "$d/token-port" "$d/token.pid" || die "token service did not start: $(cat "$d/token.stderr")"
    auth=$'auth:\n'"  token: {realm: \"http://127.0.0.1:$(cat "$d/token-port")/token\", service: ward-test, issuer: ward-test-issuer, rootcertbundle: $d/token.crt}"
    ;;
  esac
  # Another program may take the free port between the probe and the bind: try again.
  for try in 1 2 3 4 5; do
    port=$(free_port)
    cat >"$d/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
  accesslog: {disabled: false}
storage:
  filesystem: {rootdirectory: $d/data}
  delete: {enabled: true}
  maintenance: {uploadpurging: {enabled: false}}
http:
  addr: 127.0.0.1:$port
  secret: ward-test-secret-$$
$tls
$auth
EOF
    # docker-registry takes every REGISTRY_* variable as a setting (REGISTRY_AUTH_FILE, meant
    # for ward, makes it print its usage and stop): none reach it
    spawn "$d/registry.pid" "$d/registry.log" env $(compgen -e | sed -n 's/^REGISTRY_.*/-u &/p') \
      docker-registry serve "$d/config.yml"
    for _ in $(seq 200); do
      grep -q "listening on 127.0.0.1:$port" "$d/registry.log" && break
      alive "$d/registry.pid" || break
      sleep 0.05
    done
    if grep -q "listening on 127.0.0.1:$port" "$d/registry.log"; then
      break
    fi
    kill "$(cat "$d/registry.pid")" 2>/dev/null || true
    grep -q "address already in use" "$d/registry.log" || die "docker-registry did not start: $(tail -3 "$d/registry.log")"
    [[ $try -lt 5 ]] || die "no free port"
  done
  if [[ $mode == tls ]]; then
    rm -rf "$d/certs.d" && mkdir -p "$d/certs.d/127.0.0.1:$port"
    cp "$d/ca.crt" "$d/certs.d/127.0.0.1:$port/ca.crt"
  fi
  cat >"$d/env" <<EOF
REG=127.0.0.1:$port
REG_URL=$scheme://127.0.0.1:$port
REG_USER=$REG_USER
REG_PASS=$REG_PASS
REG_CA=$d/ca.crt
REG_CERTS_D=$d/certs.d
REG_DATA=$d/data
EOF
  echo "127.0.0.1:$port"
}

proxy() {
  local d=$1 upstream=$2 ca=${3:-} storage=${4:-}
  mkdir -p "$d"
  d=$(cd "$d" && pwd)
  rm -f "$d/port" "$d/port2"
  [[ -z $storage ]] || ln -sfn "$storage" "$d/storage"
  spawn "$d/proxy.pid" "$d/proxy.stderr" $PY "$here/proxy.py" "$d" "$upstream" $ca
  wait_file "$d/port" "$d/proxy.pid" || die "proxy did not start: $(cat "$d/proxy.stderr")"
  [[ -z $storage ]] || wait_file "$d/port2" "$d/proxy.pid" || die "proxy's storage listener did not start"
  echo "127.0.0.1:$(cat "$d/port")"
}

# A recorded pid is ended only while it still runs a program started under DIR (a recycled
# pid is someone else's).
stop() {
  local d=$1 f pid pids=()
  [[ -d $d ]] || return 0
  d=$(cd "$d" && pwd)
  while read -r f; do
    pid=$(cat "$f" 2>/dev/null) || continue
    if [[ -n $pid ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$d"; then
      kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
    fi
    rm -f "$f"
  done < <(find "$d" -name '*.pid' 2>/dev/null)
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do
      [[ -e /proc/$pid && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || break
      sleep 0.02
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

cmd=${1:-}
shift || true
case $cmd in
start) start "$@" ;;
proxy) proxy "$@" ;;
stop) stop "$@" ;;
*) die "usage: registry.sh start MODE DIR | proxy PDIR UPSTREAM [CAFILE] [STORAGE] | stop DIR" ;;
esac
