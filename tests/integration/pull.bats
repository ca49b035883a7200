#!/usr/bin/env bats
# Registry pull, push and login against Debian's docker-registry on 127.0.0.1 (plain, TLS with
# htpasswd, token auth), with fault proxies in front (tests/registry). As root and rootless.
# Traffic goes only to 127.0.0.1 (and 127.0.0.2, a redirect target).

load helpers
# run/create pull what they miss, from the registry these tests start on loopback
export WARD_PULL=missing
bats_require_minimum_version 1.5.0

REGSH=$BATS_TEST_DIRNAME/../registry/registry.sh

# A hung ward fails its test instead of the suite.
ward() { timeout -k 5 180 "$WARD" "$@"; }

# skopeo as the reference client, without the host's policy or credentials.
sk() { skopeo --insecure-policy "$@"; }

setup_file() {
  build_image_fixtures
  "$BATS_TEST_DIRNAME/../registry/make-index.py" "$FX/layout" base
  export BIG RD="$BATS_FILE_TMPDIR/reg"
  BIG=$("$BATS_TEST_DIRNAME/../registry/images.sh" "$BATS_FILE_TMPDIR")
  local mode var
  for mode in plain tls token; do
    "$REGSH" start $mode "$RD/$mode" >/dev/null
    # REG → PLAIN / TLS / TOK, REG_DATA → PLAIN_DATA ...
    var=${mode^^}
    [[ $mode == token ]] && var=TOK
    while IFS='=' read -r k v; do
      export "${k/REG/$var}=$v"
    done <"$RD/$mode/env"
  done
  local to="--dest-tls-verify=false"
  sk copy -q $to oci:"$BIG:3.12" docker://"$PLAIN/python:3.12"
  sk copy -q $to oci:"$BIG:app" docker://"$PLAIN/python:app"
  sk copy -q $to oci:"$FX/layout:base" docker://"$PLAIN/fx/base:1"
  sk copy -q $to oci:"$FX/layout:multi" docker://"$PLAIN/fx/multi:1"
  sk copy -q --all $to oci:"$FX/layout:foreign" docker://"$PLAIN/fx/foreign:1"
  sk copy -q --all $to oci:"$FX/layout:multiarch" docker://"$PLAIN/fx/multiarch:1"
  local f c
  for f in "$FX"/hostile/evil-*.tar; do
    c=$(basename "$f" .tar)
    sk copy -q $to oci:"$FX/layout:$c" docker://"$PLAIN/evil/${c#evil-}:1"
  done
  sk copy -q --dest-cert-dir "$TLS_CERTS_D/$TLS" --dest-creds "$TLS_USER:$TLS_PASS" \
    oci:"$FX/layout:base" docker://"$TLS/fx/base:1"
  sk copy -q $to --dest-creds "$TOK_USER:$TOK_PASS" oci:"$FX/layout:base" docker://"$TOK/tok/base:1"
}

teardown_file() { "$REGSH" stop "$RD"; }

setup() {
  export WARD_STORE="$BATS_TEST_TMPDIR/store"
  # No credentials, certificates or registry settings of the host's.
  export HOME="$BATS_TEST_TMPDIR/home" XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/xdg"
  export XDG_CONFIG_HOME="$HOME/.config" DOCKER_CONFIG="$BATS_TEST_TMPDIR/docker"
  export WARD_CERTS_D="$BATS_TEST_TMPDIR/certs.d"
  export WARD_REGISTRY_CONFIG="$BATS_TEST_TMPDIR/registries.json"
  mkdir -p "$HOME" "$WARD_CERTS_D" && mkdir -m 700 "$XDG_RUNTIME_DIR"
  echo '{}' >"$WARD_REGISTRY_CONFIG"
  # root's default auth.json is the host's /run/containers/0/auth.json: never that.
  rootless || export REGISTRY_AUTH_FILE="$BATS_TEST_TMPDIR/auth.json"
  export WARD_PULL_RETRIES=3 WARD_PULL_BACKOFF_MS=20
  NPX=0
  before=$(host_state)
}

teardown() {
  "$REGSH" stop "$BATS_TEST_TMPDIR"
  empty_names
  host_back_pull
}

# host_back, less the tmpfs mounts of a registry benchmark running beside the suite
# (/var/tmp/ward-bench-*: podman's graph root, nothing of a pull's).
host_back_pull() {
  local d
  for _ in $(seq 50); do
    d=$(state_diff "$before" "$(host_state)" | grep -v ' /var/tmp/ward-bench-[^ ]* ' || true)
    [[ -n $d ]] || return 0
    sleep 0.1
  done
  echo "host state differs: $d"
  return 1
}

# Rootless trees can only be deleted through ward: every name removed (one image may have
# several, which empty_store's removal by id stops at), then a prune.
empty_names() {
  [[ -d $WARD_STORE ]] || return 0
  local n
  for n in $(ward image ls --json | jq -r '.[].name'); do
    ward image rm "$n" >/dev/null 2>&1 || true
  done
  empty_store
}

# A proxy of this test in front of URL $1 (then CAFILE, STORAGE): PX is its HOST:PORT, PXD its
# directory (log: one line per request).
proxy() {
  NPX=$((NPX + 1))
  PXD="$BATS_TEST_TMPDIR/proxy$NPX"
  PX=$("$REGSH" proxy "$PXD" "$@")
}

# What the proxy does from now on (tests/registry/proxy.py).
proxy_conf() { echo "$1" >"$PXD/conf.json.new" && mv "$PXD/conf.json.new" "$PXD/conf.json"; }

# Blob GETs the proxy has seen (digests, one a line).
blob_gets() { sed -n 's|^GET /v2/[^ ]*/blobs/\(sha256:[0-9a-f]*\) .*|\1|p' "$PXD/log" 2>/dev/null || true; }

# The layer digests of image TAG in the big layout.
big_layers() {
  local m
  m=$(jq -r ".manifests[] | select(.annotations[\"org.opencontainers.image.ref.name\"] == \"$1\") | .digest" "$BIG/index.json")
  jq -r '.layers[].digest' "$BIG/blobs/sha256/${m#sha256:}"
}

# The store holds nothing half-made: every blob hashes to its name, no temporary entries
# (with "partials": only tmp/partial-HEX downloads kept for a resume), a tree only for a
# named image.
store_clean() {
  [[ -d $WARD_STORE ]] || return 0
  local f bad=0 left
  for f in "$WARD_STORE"/blobs/sha256/*; do
    [[ -e $f ]] || continue
    [ "$(sha256sum <"$f" | cut -c1-64)" = "$(basename "$f")" ] || { echo "bad blob $f"; bad=1; }
  done
  left=$(ls -A "$WARD_STORE/tmp" 2>/dev/null || true)
  [[ ${1:-} != partials ]] || left=$(grep -v '^partial-[0-9a-f]\{64\}$' <<<"$left" || true)
  if [[ -n $left ]]; then
    echo "left in tmp: $left"
    bad=1
  fi
  if [[ $(ward image ls --json | jq length) -eq 0 ]] && [[ -n $(ls -A "$WARD_STORE/trees" 2>/dev/null) ]]; then
    echo "trees without an image: $(ls -A "$WARD_STORE/trees")"
    bad=1
  fi
  return $bad
}

# No ward process of this test is left (a killed pull's helpers end too).
no_ward_left() { [ -z "$(own_processes | awk '$4 == "ward"')" ]; }

names() { ward image ls --json | jq -r '.[].name' | sort | tr '\n' ' '; }

@test "ward run REGISTRY/python:3.12 pulls the multi-layer image and runs python3" {
  run --separate-stderr ward run "$PLAIN/python:3.12" -- python3 -c 'print(1)'
  echo "$stderr"
  [ "$status" -eq 0 ]
  [ "$output" = 1 ]
  [ "$(names)" = "$PLAIN/python:3.12 " ]
  store_clean
}

@test "pull prints the stored name (-q: nothing else); by digest; docker:// import" {
  run --separate-stderr ward pull -q "$PLAIN/fx/base:1"
  echo "$stderr"
  [ "$status" -eq 0 ]
  [ "$output" = "$PLAIN/fx/base:1" ]
  [ -z "$stderr" ]
  local digest
  digest=$(sk inspect --tls-verify=false --format '{{.Digest}}' docker://"$PLAIN/fx/multi:1")
  run --separate-stderr ward pull "$PLAIN/fx/multi@$digest"
  [ "$status" -eq 0 ]
  [ "$output" = "$PLAIN/fx/multi@$digest" ]
  run ward run --entrypoint '' "$PLAIN/fx/multi@$digest" cat /extra/sub/file
  [ "$output" = added ]
  run ward image import -q docker://"$PLAIN/fx/multi:1"
  [ "$status" -eq 0 ]
  [ "$output" = "$PLAIN/fx/multi:1" ]
  store_clean
}

@test "a second pull fetches no blob; --pull never does not ask the registry" {
  proxy "$PLAIN_URL"
  run ward run --pull never --entrypoint '' "$PX/fx/multi:1" true
  [ "$status" -eq 125 ]
  [ ! -s "$PXD/log" ]
  ward pull -q "$PX/fx/multi:1"
  [ "$(blob_gets | sort -u | wc -l)" -ge 3 ]
  local n
  n=$(blob_gets | wc -l)
  ward pull -q "$PX/fx/multi:1"
  run --separate-stderr ward run --pull always --entrypoint '' "$PX/fx/multi:1" cat /extra/sub/file
  [ "$output" = added ]
  [ "$(blob_gets | wc -l)" -eq "$n" ]
}

@test "a second image sharing the base: the base layers are not fetched again" {
  proxy "$PLAIN_URL"
  ward pull -q "$PX/python:3.12"
  : >"$PXD/log"
  ward pull -q "$PX/python:app"
  local l
  for l in $(big_layers 3.12); do
    ! blob_gets | grep -q "$l" || { echo "fetched again: $l"; false; }
  done
  blob_gets | grep -q "$(big_layers app | tail -1)"
  run --separate-stderr ward run "$PX/python:app"
  [ "$output" = "hello from app" ]
}

@test "a corrupted layer is refused: digest mismatch, the image not named, nothing left" {
  proxy "$PLAIN_URL"
  proxy_conf '{"corrupt": true}'
  run ward pull -q "$PX/fx/multi:1"
  echo "$output"
  [ "$status" -eq 125 ]
  [[ $output == "ward: "*"digest mismatch"* ]]
  [ "${#lines[@]}" -eq 1 ]
  [ -z "$(names)" ]
  store_clean
  proxy_conf '{}'
  run ward pull -q "$PX/fx/multi:1"
  [ "$status" -eq 0 ]
  store_clean
}

@test "401 without or with wrong credentials names the registry and says ward login" {
  export WARD_CERTS_D=$TLS_CERTS_D
  run ward pull -q "$TLS/fx/base:1"
  echo "$output"
  [ "$status" -eq 125 ]
  [[ $output == "ward: $TLS: unauthorized"*"(ward login $TLS)"* ]]
  run ward pull -q --creds "$TLS_USER:wrong" "$TLS/fx/base:1"
  [ "$status" -eq 125 ]
  [[ $output == "ward: $TLS: unauthorized"*"(ward login $TLS)"* ]]
  run ward pull -q --creds "$TLS_USER:$TLS_PASS" "$TLS/fx/base:1"
  [ "$status" -eq 0 ]
  [ "$(names)" = "$TLS/fx/base:1 " ]
}

@test "login writes auth.json (0600) that pull uses; logout removes the entry" {
  export WARD_CERTS_D=$TLS_CERTS_D
  local auth=${REGISTRY_AUTH_FILE:-$XDG_RUNTIME_DIR/containers/auth.json}
  run ward login -u "$TLS_USER" -p wrong "$TLS"
  [ "$status" -eq 125 ]
  [[ $output == *"$TLS: unauthorized"* ]]
  [ ! -e "$auth" ] || [ "$(jq -r --arg r "$TLS" '.auths[$r] // empty' "$auth")" = "" ]
  run ward login -u "$TLS_USER" --password-stdin "$TLS" <<<"$TLS_PASS"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "Login Succeeded" ]
  [ "$(stat -c %a "$auth")" = 600 ]
  [ "$(jq -r --arg r "$TLS" '.auths[$r].auth' "$auth" | base64 -d)" = "$TLS_USER:$TLS_PASS" ]
  run ward pull -q "$TLS/fx/base:1"
  [ "$status" -eq 0 ]
  run ward logout "$TLS"
  [ "$status" -eq 0 ]
  [ "$(jq -r --arg r "$TLS" '.auths[$r] // empty' "$auth")" = "" ]
  empty_names
  run ward pull -q "$TLS/fx/base:1"
  [[ $output == *"unauthorized"* ]]
  # --authfile names another file.
  run ward login --authfile "$BATS_TEST_TMPDIR/other.json" -u "$TLS_USER" -p "$TLS_PASS" "$TLS"
  [ "$status" -eq 0 ]
  run ward pull -q --authfile "$BATS_TEST_TMPDIR/other.json" "$TLS/fx/base:1"
  [ "$status" -eq 0 ]
}

@test "credentials from ~/.docker/config.json auths and from a docker-credential helper" {
  export WARD_CERTS_D=$TLS_CERTS_D
  unset DOCKER_CONFIG
  mkdir -p "$HOME/.docker"
  jq -n --arg r "$TLS" --arg a "$(printf '%s' "$TLS_USER:$TLS_PASS" | base64 -w0)" \
    '{auths: {($r): {auth: $a}}}' >"$HOME/.docker/config.json"
  run ward pull -q "$TLS/fx/base:1"
  echo "$output"
  [ "$status" -eq 0 ]
  empty_names
  # A helper named for the host in credHelpers: docker-credential-NAME get, host on stdin.
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  cat >"$BATS_TEST_TMPDIR/bin/docker-credential-wardtest" <<EOF
#!/bin/sh
[ "\$1" = get ] || exit 1
read -r host
echo "\$host" >>"$BATS_TEST_TMPDIR/helper.log"
printf '{"ServerURL":"%s","Username":"$TLS_USER","Secret":"$TLS_PASS"}\n' "\$host"
EOF
  chmod +x "$BATS_TEST_TMPDIR/bin/docker-credential-wardtest"
  jq -n --arg r "$TLS" '{credHelpers: {($r): "wardtest"}}' >"$HOME/.docker/config.json"
  PATH="$BATS_TEST_TMPDIR/bin:$PATH" run ward pull -q "$TLS/fx/base:1"
  echo "$output"
  [ "$status" -eq 0 ]
  grep -q "$TLS" "$BATS_TEST_TMPDIR/helper.log"
  # DOCKER_CONFIG names the directory instead.
  empty_names
  mkdir -p "$BATS_TEST_TMPDIR/dc"
  mv "$HOME/.docker/config.json" "$BATS_TEST_TMPDIR/dc/config.json"
  DOCKER_CONFIG="$BATS_TEST_TMPDIR/dc" PATH="$BATS_TEST_TMPDIR/bin:$PATH" run ward pull -q "$TLS/fx/base:1"
  [ "$status" -eq 0 ]
}

@test "token auth: anonymous gets nothing, credentials get the scope, a refusing service is an error" {
  run ward pull -q "$TOK/tok/base:1"
  echo "$output"
  [ "$status" -eq 125 ]
  [[ $output == "ward: $TOK: unauthorized"*"(ward login $TOK)"* ]]
  run ward pull -q --creds "$TOK_USER:wrong" "$TOK/tok/base:1"
  [ "$status" -eq 125 ]
  [[ $output == *"unauthorized"* ]]
  run ward pull -q --creds "$TOK_USER:$TOK_PASS" "$TOK/tok/base:1"
  [ "$status" -eq 0 ]
  grep -q 'scope=repository%3Atok%2Fbase%3Apull' "$RD/token/token-log"
  run ward run --entrypoint '' "$TOK/tok/base:1" probe exit 4
  [ "$status" -eq 4 ]
  empty_names
  touch "$RD/token/refuse"
  run ward pull -q --creds "$TOK_USER:$TOK_PASS" "$TOK/tok/base:1"
  rm -f "$RD/token/refuse"
  [ "$status" -eq 125 ]
  [[ $output == "ward: "*"$TOK"* ]]
  store_clean
}

@test "TLS: the CA from certs.d or --cert-dir is trusted; without it the error names the host" {
  run ward pull -q --creds "$TLS_USER:$TLS_PASS" "$TLS/fx/base:1"
  echo "$output"
  [ "$status" -eq 125 ]
  [[ $output == "ward: "*"$TLS"* ]]
  [ "${#lines[@]}" -eq 1 ]
  run ward pull -q --cert-dir "$TLS_CERTS_D/$TLS" --creds "$TLS_USER:$TLS_PASS" "$TLS/fx/base:1"
  [ "$status" -eq 0 ]
  empty_names
  WARD_CERTS_D="$BATS_TEST_TMPDIR/nothing:$TLS_CERTS_D" run ward pull -q --creds "$TLS_USER:$TLS_PASS" "$TLS/fx/base:1"
  [ "$status" -eq 0 ]
  empty_names
  run ward pull -q --tls-verify=false --creds "$TLS_USER:$TLS_PASS" "$TLS/fx/base:1"
  [ "$status" -eq 0 ]
}

@test "404 names the repository and the tag" {
  run ward pull -q "$PLAIN/fx/nosuch:1"
  echo "$output"
  [ "$status" -eq 125 ]
  [ "$output" = "ward: fx/nosuch:1: not found in $PLAIN" ]
  run ward pull -q "$PLAIN/fx/base:nosuch"
  [ "$output" = "ward: fx/base:nosuch: not found in $PLAIN" ]
  run ward run "$PLAIN/fx/base:nosuch"
  [ "$status" -eq 125 ]
  [[ $output == *"fx/base:nosuch: not found in $PLAIN"* ]]
  store_clean
}

@test "429 with Retry-After and 503 are retried, then succeed; never recovering is a clear error" {
  proxy "$PLAIN_URL"
  proxy_conf '{"fail": {"count": 2, "status": 429, "retry_after": 1}}'
  local t0=$SECONDS
  run ward pull -q "$PX/fx/base:1"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(grep -c '(injected)' "$PXD/log")" -eq 2 ]
  [ $((SECONDS - t0)) -ge 1 ]
  empty_names
  proxy_conf '{"fail": {"count": 2, "status": 503}}'
  run ward pull -q "$PX/fx/base:1"
  echo "$output"
  cat "$PXD/log"
  [ "$status" -eq 0 ]
  empty_names
  proxy_conf '{"fail": {"count": 1000, "status": 503}}'
  : >"$PXD/log"
  WARD_PULL_RETRIES=2 run ward pull -q "$PX/fx/base:1"
  echo "$output"
  [ "$status" -eq 125 ]
  [[ $output == "ward: "*"503"* ]]
  [ "${#lines[@]}" -eq 1 ]
  # Bounded: the first try and two retries.
  [ "$(grep -c '(injected)' "$PXD/log")" -le 5 ]
  store_clean
}

@test "a connection cut mid-layer resumes with a Range request" {
  proxy "$PLAIN_URL"
  proxy_conf '{"cut": 100000}'
  run ward pull -q "$PX/python:3.12"
  echo "$output"
  # Resumed within the pull, or by the next one.
  [ "$status" -eq 0 ] || run ward pull -q "$PX/python:3.12"
  [ "$status" -eq 0 ]
  grep '(cut after' "$PXD/log"
  grep -E 'range=bytes=[1-9][0-9]*-' "$PXD/log"
  run --separate-stderr ward run "$PX/python:3.12" -- python3 -c 'print(3)'
  [ "$output" = 3 ]
  store_clean
}

@test "a layer larger than its descriptor says, and a manifest over 4 MiB, are refused" {
  proxy "$PLAIN_URL"
  sk inspect --raw --tls-verify=false docker://"$PLAIN/fx/base:1" >"$BATS_TEST_TMPDIR/m.json"
  local type
  type=$(jq -r .mediaType "$BATS_TEST_TMPDIR/m.json")
  jq -c '.layers[0].size -= 1000' "$BATS_TEST_TMPDIR/m.json" >"$BATS_TEST_TMPDIR/short.json"
  python3 -c 'import json,sys; m = json.load(open(sys.argv[1])); m["annotations"] = {"pad": "x" * (5 << 20)}; print(json.dumps(m))' \
    "$BATS_TEST_TMPDIR/m.json" >"$BATS_TEST_TMPDIR/huge.json"
  proxy_conf "$(jq -n --arg t "$type" --arg d "$BATS_TEST_TMPDIR" '{serve: {
    "/v2/fx/base/manifests/short": {file: ($d + "/short.json"), type: $t},
    "/v2/fx/base/manifests/huge": {file: ($d + "/huge.json"), type: $t}}}')"
  run ward pull -q "$PX/fx/base:short"
  echo "$output"
  [ "$status" -eq 125 ]
  [[ $output == "ward: "* ]]
  [ "${#lines[@]}" -eq 1 ]
  [ -z "$(names)" ]
  store_clean
  run ward pull -q "$PX/fx/base:huge"
  echo "$output"
  [ "$status" -eq 125 ]
  [[ $output == "ward: "*"manifest"* ]]
  [ "${#lines[@]}" -eq 1 ]
  [ -z "$(names)" ]
  store_clean
}

@test "schema 1 manifests are refused with a clear message" {
  proxy "$PLAIN_URL"
  cat >"$BATS_TEST_TMPDIR/s1.json" <<'EOF'
{"schemaVersion": 1, "name": "fx/base", "tag": "old", "architecture": "amd64",
 "fsLayers": [{"blobSum": "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"}],
 "history": [{"v1Compatibility": "{\"id\":\"x\"}"}],
 "signatures": [{"header": {"alg": "ES256"}, "signature": "x", "protected": "x"}]}
EOF
  proxy_conf "$(jq -n --arg f "$BATS_TEST_TMPDIR/s1.json" '{serve: {"/v2/fx/base/manifests/old":
    {file: $f, type: "application/vnd.docker.distribution.manifest.v1+prettyjws"}}}')"
  run ward pull -q "$PX/fx/base:old"
  echo "$output"
  [ "$status" -eq 125 ]
  [[ $output == "ward: "*"schema 1 manifests are not supported"* ]]
  [ -z "$(names)" ]
}

@test "an index: the host's platform is chosen; none fitting lists what it has" {
  [[ $(uname -m) == x86_64 ]] || skip "the fixtures' index is made for an amd64 host"
  run ward pull -q "$PLAIN/fx/multiarch:1"
  [ "$status" -eq 0 ]
  run ward run --entrypoint '' "$PLAIN/fx/multiarch:1" probe exit 5
  [ "$status" -eq 5 ]
  run ward pull -q "$PLAIN/fx/foreign:1"
  echo "$output"
  [ "$status" -eq 125 ]
  [[ $output == "ward: "*"no image for linux/amd64 in $PLAIN/fx/foreign:1 (it has: linux/arm64/v8, linux/s390x)" ]]
  run ward pull -q --platform linux/s390x "$PLAIN/fx/foreign:1"
  [ "$status" -eq 0 ]
  # The s390x entry's manifest or config is the image pulled.
  local m c id
  m=$(sk inspect --raw --tls-verify=false docker://"$PLAIN/fx/foreign:1" | jq -r '.manifests[] | select(.platform.architecture == "s390x") | .digest')
  c=$(sk inspect --raw --tls-verify=false docker://"$PLAIN/fx/foreign@$m" | jq -r .config.digest)
  id=$(ward image inspect "$PLAIN/fx/foreign:1" --json | jq -r .id)
  [ "$id" = "$m" ] || [ "$id" = "$c" ]
}

@test "SIGKILL during the download: the next pull completes, nothing half-made" {
  proxy "$PLAIN_URL"
  proxy_conf '{"slow": 2000000}'
  "$WARD" pull -q "$PX/python:3.12" >/dev/null 2>&1 &
  local pid=$!
  eventually grep -q '/blobs/sha256:' "$PXD/log"
  sleep 1
  kill -9 "$pid"
  wait "$pid" || true
  [ -z "$(names)" ]
  proxy_conf '{}'
  run ward pull -q "$PX/python:3.12"
  echo "$output"
  [ "$status" -eq 0 ]
  run --separate-stderr ward run "$PX/python:3.12" -- python3 -c 'print(2)'
  [ "$output" = 2 ]
  store_clean
  eventually no_ward_left
}

@test "two pulls of one image at once both succeed with one download of each blob" {
  proxy "$PLAIN_URL"
  proxy_conf '{"slow": 4000000}'
  "$WARD" pull -q "$PX/fx/multi:1" >"$BATS_TEST_TMPDIR/a" 2>&1 &
  local a=$!
  "$WARD" pull -q "$PX/fx/multi:1" >"$BATS_TEST_TMPDIR/b" 2>&1 &
  local b=$!
  wait "$a" || { cat "$BATS_TEST_TMPDIR/a"; false; }
  wait "$b" || { cat "$BATS_TEST_TMPDIR/b"; false; }
  [ "$(cat "$BATS_TEST_TMPDIR/a")" = "$PX/fx/multi:1" ]
  [ "$(cat "$BATS_TEST_TMPDIR/b")" = "$PX/fx/multi:1" ]
  [ "$(names)" = "$PX/fx/multi:1 " ]
  # Each layer once (the small config may be read by both).
  local layers
  layers=$(sk inspect --raw --tls-verify=false docker://"$PLAIN/fx/multi:1" | jq -r '.layers[].digest')
  [ -z "$(blob_gets | sort | uniq -d | grep -Fx "$layers")" ] || { blob_gets | sort | uniq -c; false; }
  store_clean
}

@test "a redirected blob download gets no credentials" {
  proxy "$TOK_URL" "" "$TOK_DATA"
  proxy_conf '{"redirect": true}'
  run ward pull -q --creds "$TOK_USER:$TOK_PASS" "$PX/tok/base:1"
  echo "$output"
  [ "$status" -eq 0 ]
  grep -q '(redirected)' "$PXD/log"
  grep -q ' auth=yes' "$PXD/log"
  [ -s "$PXD/log2" ]
  ! grep -q 'auth=yes' "$PXD/log2" || false
}

@test "push of an image made with ward commit, then pull it back" {
  ward image import -q oci:"$FX/layout:base" >/dev/null
  ward create --name mk -u root --entrypoint '' layout:base sh -c 'echo pushed >/pushed' >/dev/null
  [ "$(ward wait mk)" = 0 ]
  ward commit mk mine:1 >/dev/null
  ward rm mk >/dev/null
  run --separate-stderr ward push -q mine:1 "$PLAIN/pushed/mine:1"
  echo "$stderr"
  [ "$status" -eq 0 ]
  run sk inspect --raw --tls-verify=false docker://"$PLAIN/pushed/mine:1"
  [ "$(jq '.layers | length' <<<"$output")" -eq 2 ]
  # Without auth the TLS registry refuses it; with --creds it takes it.
  WARD_CERTS_D=$TLS_CERTS_D run ward push -q mine:1 "$TLS/pushed/mine:1"
  [ "$status" -eq 125 ]
  [[ $output == *"$TLS: unauthorized"* ]]
  WARD_CERTS_D=$TLS_CERTS_D run ward push -q --creds "$TLS_USER:$TLS_PASS" mine:1 "$TLS/pushed/mine:1"
  [ "$status" -eq 0 ]
  empty_names
  run --separate-stderr ward run --entrypoint '' "$PLAIN/pushed/mine:1" cat /pushed
  [ "$output" = pushed ]
  store_clean
}

# Each hostile layer through the registry: refused as on import (the entry named), or
# contained; the sentinel on the host untouched, no tree made by a refused pull.
hostile_pull() {
  local case=$1 expect=$2 before trees
  before=$(tree_digest "$SENTINEL")
  trees=$(ls "$WARD_STORE/trees" 2>/dev/null || true)
  run env WARD_IMAGE_MAX_BYTES=100000000 "$WARD" pull -q "$PLAIN/evil/$case:1"
  echo "$case: $output"
  [ "$(tree_digest "$SENTINEL")" = "$before" ]
  [ -z "$(find "$BATS_FILE_TMPDIR" "$BATS_TEST_TMPDIR" -name pwned -not -path "$WARD_STORE/trees/*")" ]
  if [[ $expect == ok ]]; then
    [ "$status" -eq 0 ]
  else
    [ "$status" -eq 125 ]
    [[ $output == "ward: "*"entry "*": $expect" ]]
    [ "$(ls "$WARD_STORE/trees" 2>/dev/null || true)" = "$trees" ]
  fi
}

@test "hostile layers pulled from a registry are refused or contained as on import" {
  hostile_pull traversal "path leaves the root (..)"
  hostile_pull absolute ok
  hostile_pull symlink-write "its parent directory cannot be made: File exists"
  hostile_pull symlink-up ok
  hostile_pull root-symlink "refusing to replace the root directory"
  hostile_pull hardlink-out "path leaves the root (..)"
  hostile_pull hardlink-abs "hardlink target missing"
  hostile_pull hardlink-symlink "hardlink to a symlink"
  hostile_pull hardlink-dir "hardlink to a directory"
  hostile_pull whiteout-dotdot "malformed whiteout"
  hostile_pull whiteout-as-dir "whiteout used as a directory"
  hostile_pull duplicate "duplicate entry"
  hostile_pull long-path "path too long"
  hostile_pull bomb "file larger than the import size cap"
  grep -q "^root:" /etc/passwd
  store_clean
}
