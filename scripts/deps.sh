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
