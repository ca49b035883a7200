# Shared by the adversarial suite: the host as an escape or a leak would change it, and
# waiting for it to come back to a baseline.

load ../integration/helpers

# This test's mounts, ward cgroups, links and processes, ward's table left without owner,
# state entries, the ward binary, core_pattern, and a sentinel directory when the file made
# one.
snapshot() {
  host_state
  own_links
  table_leftovers
  own_processes | awk '$4 ~ /^ward/ || $4 ~ /^pasta/ {print $3, $4}' | sort | uniq -c
  find "$WARD_STATE_DIR" -mindepth 2 2>/dev/null | sort
  sha256sum "$WARD" | cut -d' ' -f1
  cat /proc/sys/kernel/core_pattern
  if [[ -n ${SENTINEL_DIR:-} ]]; then
    (cd "$SENTINEL_DIR" && ls -la --time-style=+%s . && sha256sum file)
  fi
}

# $before: the host once it is quiet (a teardown process of an earlier test, or of another
# user's ward, may still be finishing).
baseline() {
  local last now
  last=$(snapshot)
  for _ in $(seq 30); do
    sleep 0.1
    now=$(snapshot)
    [ "$now" = "$last" ] && break
    last=$now
  done
  before=$now
}

# The host back at $before, each round after a ward command that cleans; else the diff.
settled() {
  for _ in $(seq 100); do
    ward ps -a >/dev/null 2>&1 || true
    [[ -z $(state_diff "$before" "$(snapshot)") ]] && return 0
    sleep 0.05
  done
  diff <(echo "$before") <(snapshot)
  ward ps -a
  return 1
}
