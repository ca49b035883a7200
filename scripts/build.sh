#!/usr/bin/env bash
# Configures and builds ward into build/ (or build-asan/ with --sanitize).
# usage: scripts/build.sh [--sanitize]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build
opts=()
if [[ ${1:-} == --sanitize ]]; then
  dir=build-asan
  opts+=(-DWARD_SANITIZE=ON)
fi
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${opts[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null
echo "$dir"
