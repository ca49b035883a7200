#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of ward (Debian 12). Idempotent.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
  libseccomp-dev libcap-dev libnl-3-dev libnl-route-3-dev libarchive-dev
  libjansson-dev libssl-dev libcmocka-dev libzstd-dev zlib1g-dev
  # registry pull/push: headers to build; libcurl.so.4 is dlopen'ed at run time
  libcurl4-openssl-dev libcurl4
  bats busybox-static uidmap util-linux iproute2 procps jq
  python3 umoci skopeo debootstrap zstd
  # the pull tests' registry (tests/registry): the reference registry, htpasswd, a token service
  docker-registry apache2-utils python3-jwt python3-cryptography
  # ward serve (the Docker Engine API): the HTTP library; its client tests: docker-py, tmux
  libmicrohttpd-dev python3-docker tmux
  libnftables1 nftables passt
  # the OCI runtime under the real engines (tests/oci): containerd and ctr, podman and conmon,
  # runc (the reference the tests are checked against; crun is podman's first choice and
  # refuses hybrid cgroups), catatonit (rootless podman's pause process); script(1) is in
  # bsdutils, always there
  containerd podman conmon runc crun catatonit
  # man pages from man/*.scd, and zsh for docs_consistency's check of completions/_ward
  scdoc zsh
  # a static link against libward (pkg-config --static ward: libarchive's private libraries)
  nettle-dev libacl1-dev liblzma-dev liblz4-dev libbz2-dev libxml2-dev
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "deps.sh: missing packages: ${missing[*]} (run as root to install)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Docker API's client tests (tests/docker/): Debian's docker CLI 20.10 (API 1.41) taken
# from the docker.io package without installing it (the package would bring dockerd and
# containerd), and dockerode from npm; both cached under /var/cache/ward-test.
cache=${WARD_TEST_CACHE:-/var/cache/ward-test}
if [[ $(id -u) -eq 0 && ! -x $cache/docker-cli/docker ]]; then
  fetch=$(mktemp -d)
  (cd "$fetch" && apt-get download -qq docker.io >/dev/null 2>&1 && dpkg -x docker.io_*.deb x) ||
    { rm -rf "$fetch"; echo "deps.sh: cannot fetch Debian's docker.io package (apt-get download docker.io)" >&2; exit 1; }
  mkdir -p "$cache/docker-cli"
  install -m 755 "$fetch/x/usr/bin/docker" "$cache/docker-cli/docker"
  rm -rf "$fetch"
fi
if [[ $(id -u) -eq 0 && ! -f $cache/node/node_modules/dockerode/package.json ]]; then
  if ! command -v npm >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  mkdir -p "$cache/node"
  if ! npm install --prefix "$cache/node" --no-audit --no-fund --silent dockerode@4 >"$cache/node/npm.log" 2>&1; then
    echo "deps.sh: npm install dockerode@4 failed (is npm's registry reachable?): $(grep -m1 -i 'err' "$cache/node/npm.log")" >&2
    exit 1
  fi
fi
# the rootless half of the tests runs them as the test user
[[ $(id -u) -ne 0 ]] || chmod -R a+rX "$cache/node" "$cache/docker-cli"
