#!/usr/bin/env bats
# docker-py (Debian's python3-docker, unchanged) replaying OpenHands' docker runtime against
# ward serve: tests/docker/dockerpy.py. Every container it made is a ward sandbox, and none
# is left.

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

@test "docker-py: OpenHands' runtime sequence, then its refusals" {
  "$PY" -c 'import docker; assert docker.__version__.startswith("5."), docker.__version__'
  mkdir -p "$BATS_TEST_TMPDIR/ws"
  user_owned "$BATS_TEST_TMPDIR/ws"
  freezer=0
  have_freezer && freezer=1
  run docker_timeout "$PY" "$BATS_TEST_DIRNAME/dockerpy.py" "$REG" "$BATS_TEST_TMPDIR/ws" "$(free_port)" $freezer
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = ok ]
  [ -z "$(ward_ids)" ]
  # the pulled image and its tag are in ward's store
  run -0 ward image ls
  [[ $output == *"$REG/wtest/runtime:1"* ]]
  [[ $output == *"ghcr.io/all-hands-ai/runtime:oh_v0.62_lock"* ]]
}

@test "docker-py: a container the server made is an ordinary sandbox; one ward made is a container" {
  id=$(ward create --name from-ward "$BB" sleep 1000)
  run -0 "$PY" - "$id" <<'PY'
import sys, docker
c = docker.from_env().containers.get("from-ward")
assert c.id.startswith(sys.argv[1]) and c.status == "running", (c.id, c.status)
r = c.exec_run("echo inside")
assert r.exit_code == 0 and r.output == b"inside\n", r
PY
  run -0 "$PY" -c 'import docker; print(docker.from_env().containers.run("'"$BB"'", ["sleep", "1000"], detach=True, name="from-api").id)'
  run -0 ward ps --filter name=from-api -q
  [ -n "$output" ]
  run -0 ward exec from-api echo via-ward
  [ "$output" = via-ward ]
}
