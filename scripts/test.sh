#!/usr/bin/env bash
# Installs what the tests need, builds ward twice (plain, and with ASan+UBSan), and runs the
# suite with ctest in both builds: unit tests, the adversarial, integration and Docker client
# tests as root and as an unprivileged user (under ASan, the adversarial ones only as both);
# then a Debug build (build only), the cgroup v2 VM and a short run of every fuzz target.
# Fails on unformatted code.
set -euo pipefail
cd "$(dirname "$0")/.."
# A section's header, with the time: where a slow run spent it.
section() { echo "== $* ($(date -u +%H:%M:%S))"; }
[[ $(id -u) -eq 0 ]] || { echo "test.sh: run as root (it installs packages and makes a test user)" >&2; exit 1; }

scripts/deps.sh

# The unprivileged user the rootless half of the suite runs as; useradd gives it a
# subordinate id range because uidmap is installed.
export WARD_TEST_USER=wardtest
id "$WARD_TEST_USER" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$WARD_TEST_USER"
grep -q "^$WARD_TEST_USER:" /etc/subuid || usermod --add-subuids 300000-365535 --add-subgids 300000-365535 "$WARD_TEST_USER"

# Rootless egress runs pasta, which opens /dev/net/tun: Debian makes it 0666 (udev); some
# container images ship it 0600, which would leave only root with egress.
[[ -c /dev/net/tun ]] && chmod 0666 /dev/net/tun

# The rootless half needs to read the checkout; a checkout under a private home is copied.
if ! setpriv --reuid="$WARD_TEST_USER" --regid="$WARD_TEST_USER" --init-groups test -r "$PWD/scripts/mkrootfs.sh"; then
  copy=/var/tmp/ward-test-src
  rm -rf "$copy" && mkdir -p "$copy" && cp -a . "$copy/" && chmod -R a+rX "$copy"
  echo "test.sh: $PWD is not readable by $WARD_TEST_USER; testing a copy in $copy"
  cd "$copy"
fi

# Podman's seccomp profile (Docker format), to prove such profiles load unchanged: taken
# from Debian's containers-common package without installing it.
export WARD_TEST_PODMAN_PROFILE=/var/cache/ward-test/podman-seccomp.json
if [[ ! -s $WARD_TEST_PODMAN_PROFILE ]]; then
  fetch=$(mktemp -d)
  (cd "$fetch" && apt-get download -qq golang-github-containers-common >/dev/null &&
    dpkg -x golang-github-containers-common_*.deb x)
  mkdir -p "$(dirname "$WARD_TEST_PODMAN_PROFILE")"
  cp "$fetch/x/usr/share/containers/seccomp.json" "$WARD_TEST_PODMAN_PROFILE"
  chmod 644 "$WARD_TEST_PODMAN_PROFILE"
  rm -rf "$fetch"
fi

section format
if ! clang-format --dry-run --Werror $(git ls-files '*.c' '*.h') 2>/tmp/ward-format.log; then
  head -20 /tmp/ward-format.log >&2
  echo "test.sh: unformatted code (run: clang-format -i \$(git ls-files '*.c' '*.h'))" >&2
  exit 1
fi

# The real-distribution image (debootstrap, as root, cached) for images.bats in both halves.
scripts/debian-image.sh >/dev/null

status=0
passed=0
failed=0
for variant in "" --sanitize; do
  dir=$(scripts/build.sh $variant)
  # the rootless half runs the binaries as the test user
  chmod -R a+rX "$dir"
  section "ctest in $dir"
  # Every process's sanitizer report goes to a file as well, so that detached supervisors,
  # forwarders and reapers (whose stderr nobody reads) cannot hide an error or a leak.
  logs=$(mktemp -d /tmp/ward-sanitizer.XXXXXX)
  chmod 1777 "$logs"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=$logs/asan
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan
  ok=1
  # Two at a time: each test checks only what it made itself (its own state root, store,
  # processes and cgroups), so tests need not run alone; files that share a resource say so
  # (RESOURCE_LOCK in tests/CMakeLists.txt).
  # A test that hangs fails after 15 minutes instead of holding the run.
  # The sanitizer pass leaves out the rootless half of the integration and client suites
  # (the plain pass runs it): the code they reach as a user is the code they reach as root
  # but for the id maps and pasta, which the rootless adversarial suite, kept here, goes
  # through; the whole suite twice under ASan would not fit CI's time. The OCI engines'
  # files (containerd, podman, the corpus against runc) run in the plain pass only: the
  # runtime code they reach is what tests/integration/oci_*.bats reach under ASan.
  skip=()
  [[ -z $variant ]] || skip=(-E '^((integration|docker)_.*_rootless|oci_(ctr|podman|corpus)_.*)$')
  (cd "$dir" && ctest --output-on-failure -j2 --timeout 900 "${skip[@]}") || ok=0
  if [[ -n $variant ]] && grep -l -E "ERROR|runtime error" "$logs"/* >/dev/null 2>&1; then
    echo "== sanitizer reports of processes the tests did not see:" >&2
    cat "$logs"/* >&2
    ok=0
  fi
  rm -rf "$logs"
  if ((ok)); then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
done

# Debug (-O0) knows less of the values' ranges than the optimized builds and warns differently
# (format-truncation): it must build with -Werror too. Build only; the builds above ran the suite.
section Debug build
if cmake -S . -B build-debug -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
  cmake --build build-debug -j"$(nproc)" >/dev/null; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); status=1
fi

# The cgroup v2 backend, on a pure v2 kernel in a VM (these hosts are hybrid).
section "limits on cgroup v2 (VM)"
if scripts/vm-test.sh build; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi

# Every parser of untrusted or user input under libFuzzer, briefly (scripts/fuzz.sh 600 for
# the long run SECURITY.md records).
section "fuzz (20 s per target)"
if scripts/fuzz.sh 20; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi

# suites: the plain build, the sanitizer build, the Debug build, the cgroup v2 VM, the fuzz
# targets
section "suites: $passed passed, $failed failed"
exit $status
