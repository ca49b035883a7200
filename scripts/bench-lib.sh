# Shared by the bench scripts (sourced): the report of a hyperfine run and a private podman.

report() { # result.json, then "A/B" pairs to print as ratios of means
  python3 - "$@" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
print("\n%-20s %10s %10s %10s" % ("", "mean ms", "min ms", "stddev"))
for name, x in r.items():
    print("%-20s %10.2f %10.2f %10.2f" % (name, x["mean"] * 1e3, x["min"] * 1e3, x["stddev"] * 1e3))
for pair in sys.argv[2:]:
    a, b = pair.split("/")
    print("%s / %s = %.2f" % (a, b, r[a]["mean"] / r[b]["mean"]))
PY
}

# podman with everything private to DIR; the ulimits and runc as in notes/oci-engines.md
# (this host's hard limits are below podman's defaults; crun refuses hybrid cgroups)
podman_private() {
  local pm=$1
  mkdir -p "$pm"
  printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n[engine]\nruntime = "runc"\n' \
    >"$pm/containers.conf"
  printf '[storage]\ndriver = "overlay"\nrunroot = "%s/run"\ngraphroot = "%s/graph"\n' "$pm" "$pm" >"$pm/storage.conf"
  export CONTAINERS_CONF=$pm/containers.conf CONTAINERS_STORAGE_CONF=$pm/storage.conf
}
