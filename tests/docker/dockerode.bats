#!/usr/bin/env bats
# dockerode (npm, unchanged) replaying GenAIScript's container host against ward serve:
# tests/docker/dockerode.js. Every container it made is a ward sandbox, and none is left.

load serve

setup_file() {
  serve_setup_file
  registry_setup
  command -v node >/dev/null || { echo "no node (scripts/deps.sh)" >&2; return 1; }
  [[ -f $NODE_PATH/dockerode/package.json ]] || { echo "no dockerode in $NODE_PATH (scripts/deps.sh, as root)" >&2; return 1; }
}
teardown_file() {
  registry_teardown
  serve_teardown_file
}
setup() { serve_setup; }
teardown() { serve_teardown; }

@test "dockerode: GenAIScript's container host sequence" {
  ws=$BATS_TEST_TMPDIR/ws
  mkdir -p "$ws/www"
  echo "from the host" >"$ws/hostfile"
  echo "served from the bind" >"$ws/www/index.html"
  user_owned "$ws"
  freezer=0
  have_freezer && freezer=1
  run docker_timeout node "$BATS_TEST_DIRNAME/dockerode.js" "$REG/wtest/pulled:1" "$ws" "$(free_port)" $freezer
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = ok ]
  [ -z "$(ward_ids)" ]
}
