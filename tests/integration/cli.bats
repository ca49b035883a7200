#!/usr/bin/env bats
# The command line itself: --help everywhere, unknown options named, options and operands in
# any order, --json that parses and ends with a newline, ps filters and columns, -e NAME,
# run -t line endings. As root and rootless.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
  build_rootfs
  build_image_fixtures
}

setup() {
  export WARD_STATE_DIR=$BATS_TEST_TMPDIR/state
  export WARD_STORE=$BATS_TEST_TMPDIR/store
}

teardown() {
  for id in $(ward ps -a -q 2>/dev/null); do ward rm -f "$id" >/dev/null 2>&1 || true; done
  empty_store
}

# Every command ward --help lists ("image import", "ps"...).
commands() { ward --help | sed -n 's/^  \([a-z][a-z ]*[a-z]\)  .*/\1/p'; }

# CMD... prints JSON that python parses, ending with one newline.
json_ok() {
  local f=$BATS_TEST_TMPDIR/json
  "$@" >"$f" || [[ $1 == doctor ]] || { echo "failed: $*" >&2; return 1; }
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" || { echo "not JSON: $*" >&2; cat "$f" >&2; return 1; }
  [[ $(tail -c1 "$f" | od -An -tx1 | tr -d ' ') == 0a ]] || { echo "no newline at the end: $*" >&2; return 1; }
}
jward() { json_ok "$WARD" "$@"; }

@test "--help, -h and ward help CMD: usage on stdout, exit 0, for every command listed" {
  local n=0 c
  while read -r c; do
    run -0 --separate-stderr ward $c --help
    [[ $output == usage:* ]] || { echo "$c --help: $output"; return 1; }
    [ -z "$stderr" ]
    local text=$output
    run -0 ward help $c
    [ "$output" = "$text" ]
    [[ $c == help ]] || { run -0 ward $c -h; [ "$output" = "$text" ]; }
    n=$((n + 1))
  done < <(commands)
  [ "$n" -ge 30 ]
  for c in run create start stop restart pause unpause wait kill rm exec ps inspect logs \
    commit cp read write port "network connect" "image import" "image pack" "image tag" \
    "image history" doctor "policy ls"; do
    commands | grep -qx "$c" || { echo "ward --help does not list $c"; return 1; }
  done
  run -0 ward --help
  run -0 ward help
}

@test "each option a command takes is in its --help" {
  run -0 ward run --help
  for o in --label --allow-setuid --rm --env --env-file --publish --network --dns --tmpfs \
    --changes --user-id --rootfs --json; do [[ $output == *"$o"* ]] || { echo "run: $o"; return 1; }; done
  run -0 ward create --help
  for o in --no-start --rm --label --name --persistent --allow-setuid --volume; do
    [[ $output == *"$o"* ]] || { echo "create: $o"; return 1; }; done
  run -0 ward ps --help
  for o in --all --quiet --no-trunc --filter --json; do [[ $output == *"$o"* ]]; done
  run -0 ward logs --help
  for o in --follow --since --tail --timestamps; do [[ $output == *"$o"* ]]; done
  run -0 ward write --help
  [[ $output == *--parents* && $output == *--mode* ]]
  run -0 ward kill --help
  [[ $output == *--signal* ]]
  run -0 ward image pack --help
  [[ $output == *--config* && $output == *--name* ]]
}

@test "an unknown option is named, exit 125, for every command" {
  local c
  while read -r c; do
    # ward oci is runc's command line, with runc's exit codes (oci_cli.bats)
    [[ $c == help || $c == oci ]] && continue
    run -125 --separate-stderr ward $c --bogus-opt
    [[ $stderr == "ward: $c: unknown option --bogus-opt (see ward $c --help)" ]] || { echo "$c: $stderr"; return 1; }
    [ -z "$output" ]
  done < <(commands)
  run -125 ward ps -Z
  [[ $output == *"unknown option -Z"* ]]
  run -125 ward ps --json=yes
  [[ $output == *"--json takes no value"* ]]
  run -125 ward ps --filter
  [[ $output == *"option --filter needs a value"* ]]
}

@test "a missing operand is named, exit 125" {
  run -125 ward stop
  [ "$output" = "ward: stop: missing SANDBOX (see ward stop --help)" ]
  run -125 ward image import
  [[ $output == *"missing REF"* ]]
  run -125 ward commit x
  [[ $output == *"missing SANDBOX and NAME[:TAG]"* ]]
  run -125 ward exec x
  [[ $output == *"missing CMD"* ]]
  run -125 ward port a b
  [[ $output == *"unexpected argument 'b'"* ]]
  run -125 ward image frob
  [[ $output == *"unknown command 'frob'"* ]]
}

@test "options and operands in any order; run, create and exec stop at their operand" {
  run -0 ward image import oci:"$FX/layout:base" --name anyorder:v1 -q
  [ "$output" = anyorder:v1 ]
  run -0 ward image inspect anyorder:v1 --json
  run -0 ward image import -- oci:"$FX/layout:base"
  # after IMAGE / SANDBOX, options belong to the command
  run -0 ward run --rootfs "$ROOTFS" echo --json -e X
  [ "$output" = "--json -e X" ]
  id=$(ward create --rootfs "$ROOTFS")
  run -0 ward exec "$id" echo -t --bogus
  [ "$output" = "-t --bogus" ]
  run -0 ward rm "$id" -f
}

@test "every --json output parses and ends with a newline" {
  jward version --json
  jward ps --json
  jward ps -a --json
  jward doctor --json
  jward policy ls --json
  jward image ls --json
  jward image import --json oci:"$FX/layout:base"
  jward image ls --json
  jward image inspect --json base:latest 2>/dev/null || jward image inspect --json "$(ward image ls -q | head -1)"
  jward image prune --json
  jward create --json --persistent --name j1 --rootfs "$ROOTFS" -p 0:80
  id=$(ward ps -q)
  jward ps --json
  jward inspect "$id"
  jward inspect --json "$id" j1
  [ "$(ward inspect "$id" j1 | jq length)" = 2 ]
  jward port --json j1
  [ "$(ward port --json j1 | jq '.[0].port')" = 80 ]
  jward exec --json j1 echo hi
  ward kill j1 >/dev/null
  jward wait --json j1
  [ "$(ward wait --json j1 | jq '.[0].exitCode')" = 137 ]
  # no hand-built JSON left in the CLI
  ! grep -n 'printf.*\\"' "$BATS_TEST_DIRNAME"/../../src/cli/*.c | grep -v 'printf.*usage' | grep -q '{\\"' || false
}

@test "ps: filters by name, status and id; label filters parse" {
  a=$(ward create --name alpha-one --persistent --label app=web --label tier=front --rootfs "$ROOTFS")
  b=$(ward create --name beta-two --persistent --label app=db --rootfs "$ROOTFS")
  c=$(ward create --name alpha-stopped --persistent --rootfs "$ROOTFS")
  ward stop -t 0 "$c" >/dev/null
  run -0 ward ps -q -f name=alpha
  [ "$output" = "$a" ]
  run -0 ward ps -q -a -f name=alpha
  [ "$(sort <<<"$output")" = "$(printf '%s\n' "$a" "$c" | sort)" ]
  run -0 ward ps -q -f status=stopped
  [ "$output" = "$c" ]
  run -0 ward ps -q -f status=stopped -f status=running --filter name=alpha
  [ "$(sort <<<"$output")" = "$(printf '%s\n' "$a" "$c" | sort)" ]
  run -0 ward ps -q -f id="${b:0:5}"
  [ "$output" = "$b" ]
  run -0 ward ps -q -f name=alpha -f id="${b:0:5}"
  [ -z "$output" ]
  run -0 ward ps -q -f label=app=web
  [ "$output" = "$a" ]
  run -0 ward ps -q -f label=app
  [ "$(sort <<<"$output")" = "$(printf '%s\n' "$a" "$b" | sort)" ]
  # as docker ps: every label filter must match
  run -0 ward ps -q -f label=app=web -f label=app=db
  [ -z "$output" ]
  run -125 ward ps -f status=exited
  [[ $output == *"status=exited"* ]]
  run -125 ward ps -f color=red
  [[ $output == *"color=red"* ]]
}

@test "ps: columns fit long names" {
  long=a-sandbox-name-far-longer-than-any-column-was-meant-to-hold-0
  ward create --name "$long" --rootfs "$ROOTFS" >/dev/null
  ward create --name s --rootfs "$ROOTFS" -- sleep 1000 >/dev/null
  run -0 ward ps
  [[ $output == *"$long"* ]]
  # STATUS starts at the same column in the header and every row
  col=$(awk 'NR == 1 { print index($0, "STATUS") }' <<<"$output")
  [ "$col" -gt $((${#long} + 12)) ]
  while read -r line; do
    [ "${line:$((col - 1)):7}" = running ] || { echo "misaligned: $line"; return 1; }
  done < <(tail -n +2 <<<"$output")
  [ "$(wc -l <<<"$output")" = 3 ]
}

@test "-e NAME passes the caller's value; an unset NAME passes nothing" {
  export CLI_SECRET='s3cret value'
  unset CLI_UNSET
  run -0 ward run -e CLI_SECRET -e CLI_UNSET --rootfs "$ROOTFS" -- sh -c 'echo "$CLI_SECRET|${CLI_UNSET-unset}"'
  [ "$output" = "s3cret value|unset" ]
  id=$(ward create -e CLI_SECRET --rootfs "$ROOTFS")
  run -0 ward exec "$id" sh -c 'echo "$CLI_SECRET"'
  [ "$output" = "s3cret value" ]
  CLI_OTHER=x run -0 ward exec -e CLI_OTHER -e CLI_UNSET "$id" sh -c 'echo "$CLI_OTHER|${CLI_UNSET-unset}"'
  [ "$output" = "x|unset" ]
  run -0 ward run -e K=V --rootfs "$ROOTFS" -- sh -c 'echo $K'
  [ "$output" = V ]
}

@test "run -t without -i: each newline CR LF once on a terminal, LF alone to a file" {
  command -v script >/dev/null || skip "no script(1)"
  script -qc "$WARD run -t --rootfs $ROOTFS -- sh -c 'echo a; echo b'" /dev/null >"$BATS_TEST_TMPDIR/tty"
  [ "$(od -An -c "$BATS_TEST_TMPDIR/tty" | tr -s ' ')" = " a \r \n b \r \n" ]
  ward run -t --rootfs "$ROOTFS" -- sh -c 'echo a; echo b' >"$BATS_TEST_TMPDIR/file"
  [ "$(od -An -c "$BATS_TEST_TMPDIR/file" | tr -s ' ')" = " a \n b \n" ]
}

@test "kill: signal names and numbers; wait prints the exit status" {
  ward create --name k1 --persistent --rootfs "$ROOTFS" -- sleep 1000 >/dev/null
  run -125 ward kill -s NOSUCH k1
  [[ $output == *"NOSUCH"* ]]
  run -0 ward kill -s sigterm k1
  [ "$output" = k1 ]
  run -0 ward wait k1
  [ "$output" = 143 ]
  ward create --name k2 --persistent --rootfs "$ROOTFS" -- sleep 1000 >/dev/null
  run -0 ward kill --signal 9 k2
  run -0 ward wait k2
  [ "$output" = 137 ]
  ward create --name k3 --persistent --rootfs "$ROOTFS" -- sleep 1000 >/dev/null
  run -0 ward kill k3
  run -0 ward wait k3
  [ "$output" = 137 ]
}

@test "new commands parse and call the library (its errors printed on one line)" {
  for c in start restart pause unpause logs; do
    run -125 ward $c nosuch
    [ "${#lines[@]}" = 1 ] && [[ $output == "ward: "*nosuch* ]] || { echo "$c: $output"; return 1; }
  done
  run -125 ward commit -m msg nosuch img:v1
  [[ $output == "ward: "*nosuch* ]]
  run -125 ward logs --since yesterday x
  [[ $output == *"--since yesterday"* ]]
  for t in 30s 10m 2h 1765000000 2026-12-07T10:00:00Z 2026-12-07T10:00:00.5+01:00; do
    run -125 ward logs --since "$t" --tail 5 -t -f nosuch
    [[ $output == *nosuch* ]] || { echo "$t: $output"; return 1; }
  done
  run -125 ward logs --tail lots x
  [[ $output == *"--tail lots"* ]]
  run -125 ward restart -t x y
  [[ $output == *"--time x"* ]]
  # created then started, where the library has it
  run ward create --no-start --label a=b --rm --rootfs "$ROOTFS"
  [[ $status == 0 || $output == *"not built yet"* ]]
}

@test "image pack prints NAME:TAG ID; image tag and history parse" {
  mkdir -p "$BATS_TEST_TMPDIR/dir/bin"
  echo hi >"$BATS_TEST_TMPDIR/dir/bin/file"
  run -0 ward image pack -q "$BATS_TEST_TMPDIR/dir" --name packed --config '{"Cmd":["/bin/sh"]}'
  [[ $output =~ ^packed:latest( sha256:[0-9a-f]{64})?$ ]]
  run -125 ward image pack --name p2 --config '[1]' "$BATS_TEST_TMPDIR/dir"
  [[ $output == *"--config"* ]]
  run ward image tag packed:latest other:v2
  [[ $status == 0 || $output == *"not built yet"* ]]
  run ward image history --no-trunc packed:latest
  [[ $status == 0 || $output == *"not built yet"* ]]
  if [ "$status" = 0 ]; then jward image history --json packed:latest; fi
}
