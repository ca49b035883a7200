#!/usr/bin/env bash
# Builds every examples/*.c against an installed ward, the way a user would: install the
# build into a temporary prefix, compile through pkg-config (shared, and fully static), and
# run each binary as root and, when $WARD_TEST_USER is set, as that user. Each example gets
# a busybox root filesystem of its user as its argument.
# usage: scripts/examples.sh [BUILD_DIR]   (default: build)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
[[ -e $build/libward.so ]] || { echo "examples: $build has no libward.so (a WARD_SHARED build)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/ward-examples.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" ||
  { cat "$tmp/install.log" >&2; echo "examples: cmake --install failed" >&2; exit 1; }
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig

users=("$(id -un)")
if [[ -n ${WARD_TEST_USER:-} && $(id -u) -eq 0 ]]; then
  users+=("$WARD_TEST_USER")
fi

# as USER CMD...: run as USER (no change for the current one), in a state root of its own.
as() {
  local user=$1 home=$tmp/home-$1
  shift
  if [[ $user == "$(id -un)" ]]; then
    env HOME="$home" WARD_STATE_DIR="$home/state" "$@"
  else
    setpriv --reuid="$user" --regid="$user" --init-groups \
      env HOME="$home" WARD_STATE_DIR="$home/state" "$@"
  fi
}

for user in "${users[@]}"; do
  mkdir -p "$tmp/home-$user"
  [[ $user == "$(id -un)" ]] || chown "$user:" "$tmp/home-$user"
  as "$user" "$src/scripts/mkrootfs.sh" "$tmp/home-$user/rootfs" >/dev/null
done

status=0
# Each installed header stands alone and is ISO C.
for h in "$prefix"/include/ward/*.h; do
  echo "#include <ward/$(basename "$h")>" >"$tmp/header.c"
  read -ra flags <<<"$(pkg-config --cflags ward)"
  cc -std=c17 -pedantic -Wall -Wextra -Werror -fsyntax-only "$tmp/header.c" "${flags[@]}" ||
    { echo "examples: <ward/$(basename "$h")> does not compile by itself" >&2; status=1; }
done

shopt -s nullglob
examples=("$src"/examples/*.c)
((${#examples[@]})) || { echo "examples: no examples/*.c" >&2; exit 1; }
for c in "${examples[@]}"; do
  name=$(basename "$c" .c)
  for link in shared static; do
    bin=$tmp/$name-$link
    if [[ $link == shared ]]; then
      read -ra flags <<<"$(pkg-config --cflags --libs ward)"
      cc -Wall -Wextra -Werror -o "$bin" "$c" "${flags[@]}" >"$tmp/cc.log" 2>&1 || {
        cat "$tmp/cc.log" >&2; echo "examples: $name: shared build failed" >&2; status=1; continue; }
    else
      # glibc warns that getpwnam and dlopen need its shared libraries at run time: expected
      read -ra flags <<<"$(pkg-config --cflags --libs --static ward)"
      cc -static -Wall -Wextra -Werror -o "$bin" "$c" "${flags[@]}" >"$tmp/cc.log" 2>&1 || {
        cat "$tmp/cc.log" >&2; echo "examples: $name: static build failed" >&2; status=1; continue; }
    fi
    # the library under test is the installed one: its libward.so, or none at all
    if [[ $link == shared ]]; then
      libs=$(LD_LIBRARY_PATH=$prefix/lib ldd "$bin")
      [[ $libs == *"libward.so.0 => $prefix/lib/libward.so.0 "* ]] || {
        echo "examples: $name: does not load $prefix/lib/libward.so.0" >&2; status=1; }
    elif ldd "$bin" >/dev/null 2>&1; then
      echo "examples: $name: the static build is dynamically linked" >&2
      status=1
    fi
    for user in "${users[@]}"; do
      if as "$user" env LD_LIBRARY_PATH="$prefix/lib" "$bin" "$tmp/home-$user/rootfs" \
        >"$tmp/run.log" 2>&1; then
        echo "ok: $name ($link) as $user"
        sed 's/^/  /' "$tmp/run.log"
      else
        echo "examples: $name ($link) as $user failed, exit status $?:" >&2
        sed 's/^/  /' "$tmp/run.log" >&2
        status=1
      fi
    done
  done
done
exit $status
