#!/usr/bin/env bats
# Another local user against a rootless caller's own directories (issue 16.3): the state
# root, the image store and the filter cache lie where nobody else can take them first or
# change them. Never /tmp/ward-UID, and no directory of another user (or one others may
# write) on the way. As root, the file plays the victim as $WARD_TEST_USER and the attacker
# with a uid of nobody; rootless, it tests what a user can set up alone.

load helpers
bats_require_minimum_version 1.5.0

ATTACKER=65534

setup_file() {
  if ! rootless && [[ -z ${WARD_TEST_USER:-} ]]; then
    return 0
  fi
  # a scratch area the user under test can reach (bats' own is private to root)
  AREA=$(mktemp -d /tmp/ward-stateroot.XXXXXX)
  chmod 755 "$AREA"
  export AREA
  "$MKROOTFS" "$AREA/rootfs" "$PROBE" >/dev/null
}

teardown_file() {
  [[ -z ${AREA:-} ]] || rm -rf "$AREA"
}

setup() {
  if ! rootless && [[ -z ${WARD_TEST_USER:-} ]]; then
    skip "as root this file needs WARD_TEST_USER, the user it protects"
  fi
  uid=$(if rootless; then id -u; else id -u "$WARD_TEST_USER"; fi)
  # a login's runtime directory comes first; this file tests the places after it
  [[ ! -e /run/user/$uid ]] || skip "the user has /run/user/$uid, where its state goes"
  T=$AREA/t$BATS_TEST_NUMBER
  mkdir -m 755 "$T"
  taken=/tmp/ward-$uid
  [[ -e $taken ]] && taken_before=1 || taken_before=
  homes=()
}

# What a test made: the user's sandboxes wherever its ward keeps them (the old code's
# /tmp/ward-UID too), and that directory when the test made it.
teardown() {
  local h
  for h in "${homes[@]}"; do
    for id in $(user_ward HOME="$h" "$WARD" ps -a -q 2>/dev/null); do
      user_ward HOME="$h" "$WARD" rm -f "$id" >/dev/null 2>&1 || true
    done
  done
  [[ -n $taken_before ]] || rm -rf "$taken"
}

# ward's environment as the user under test ($WARD_TEST_USER as root, else the caller):
# no XDG directory nor WARD_STATE_DIR unless given as VAR=VALUE before the command.
user_ward() {
  local as=()
  rootless || as=(setpriv --reuid="$WARD_TEST_USER" --regid="$WARD_TEST_USER" --init-groups)
  "${as[@]}" env -u XDG_RUNTIME_DIR -u XDG_STATE_HOME -u XDG_DATA_HOME -u XDG_CACHE_HOME \
    -u WARD_STATE_DIR -u WARD_STORE "$@"
}

# A directory of the user's (mode 700) under this test's $T: its path.
user_dir() {
  mkdir -p "$T/$1"
  rootless || chown "$WARD_TEST_USER:" "$T/$1"
  chmod 700 "$T/$1"
  echo "$T/$1"
}

# The user, with HOME $1, makes, uses, lists and removes a sandbox; its state is in $2.
works_in() {
  local home=$1 state=$2 id
  id=$(user_ward HOME="$home" "$WARD" create --name probe --rootfs "$AREA/rootfs")
  [ -d "$state/sandboxes/$id" ]
  run user_ward HOME="$home" "$WARD" exec probe -- echo inside
  [ "$status" -eq 0 ]
  [ "$output" = inside ]
  run user_ward HOME="$home" "$WARD" ps -q
  [ "$status" -eq 0 ]
  [ "$output" = "$id" ]
  run user_ward HOME="$home" "$WARD" rm -f probe
  [ "$status" -eq 0 ]
  [ -z "$(ls -A "$state/sandboxes")" ]
}

@test "another user who makes /tmp/ward-UID first cannot lock the user out" {
  home=$(user_dir home)
  homes+=("$home")
  if rootless; then
    # nobody else can be played here: the state simply never goes to /tmp
    works_in "$home" "$home/.local/state/ward"
    [[ -n $taken_before || ! -e $taken ]]
    skip "the attacker's /tmp/ward-$uid needs root to set up (tested in the _root variant)"
  fi
  [[ -z $taken_before ]] || skip "$taken exists already; not touching it"
  # the attacker's directory, made before the user's first ward command
  mkdir -m 755 "$taken"
  chown "$ATTACKER:$ATTACKER" "$taken"
  run user_ward HOME="$home" "$WARD" run --rootfs "$AREA/rootfs" -- echo ran
  [ "$status" -eq 0 ]
  [ "$output" = ran ]
  works_in "$home" "$home/.local/state/ward"
  [ "$(stat -c %a "$home/.local/state/ward")" = 700 ]
  # the attacker's directory untouched, none of the user's state in it
  [ "$(stat -c %u "$taken")" = "$ATTACKER" ]
  [ -z "$(ls -A "$taken")" ]
}

@test "a HOME or XDG directory another user owns is refused or skipped with one line" {
  home=$(user_dir home)
  homes+=("$home")
  # a runtime directory others may write: skipped with one warning, the home used instead
  open=$(user_dir open-run)
  chmod 777 "$open"
  run user_ward HOME="$home" XDG_RUNTIME_DIR="$open" "$WARD" ps -q
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == "ward: warning: XDG_RUNTIME_DIR skipped: "*"$open is writable by others"* ]]
  [ -d "$home/.local/state/ward/sandboxes" ]
  [ ! -e "$open/ward" ]
  # a home others may write: refused with one line, for the state and the store
  openhome=$(user_dir open-home)
  homes+=("$openhome")
  chmod 777 "$openhome"
  run user_ward HOME="$openhome" "$WARD" ps -q
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == "ward: state directory $openhome/.local/state/ward: $openhome is writable by others (mode 777)"* ]]
  run user_ward HOME="$openhome" "$WARD" image ls
  [ "$status" -ne 0 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == "ward: image store $openhome/.local/share/ward: $openhome is writable by others"* ]]
  [ -z "$(ls -A "$openhome")" ]
  rootless && skip "directories of another user need root to set up (tested in the _root variant)"

  # another user's runtime directory (su keeps the caller's XDG_RUNTIME_DIR): skipped
  other=$T/other-run
  mkdir -m 700 "$other" && chown "$ATTACKER" "$other"
  run user_ward HOME="$home" XDG_RUNTIME_DIR="$other" "$WARD" ps -q
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == "ward: warning: XDG_RUNTIME_DIR skipped: "*"belongs to uid $ATTACKER"* ]]
  # a shared sticky directory as HOME (HOME=/tmp) where the attacker made .local and .cache
  # first: the state and the store refused with one line, the filter cache not used
  shared=$T/shared
  homes+=("$shared")
  mkdir -m 1777 "$shared"
  mkdir -m 777 "$shared/.local" "$shared/.cache"
  chown "$ATTACKER" "$shared/.local" "$shared/.cache"
  run user_ward HOME="$shared" "$WARD" ps -q
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == "ward: state directory $shared/.local/state/ward: $shared/.local belongs to uid $ATTACKER, who could replace what is in it"* ]]
  run user_ward HOME="$shared" "$WARD" image ls
  [ "$status" -ne 0 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == "ward: image store $shared/.local/share/ward: $shared/.local belongs to uid $ATTACKER"* ]]
  run user_ward HOME="$shared" "$WARD" run --rootfs "$AREA/rootfs" -- echo ran
  [ "$status" -eq 0 ]
  [ "$output" = ran ]
  [ -z "$(find "$shared/.local" "$shared/.cache" -mindepth 1)" ]
  # another user's home
  theirs=$T/their-home
  mkdir -m 755 "$theirs" && chown "$ATTACKER" "$theirs"
  run user_ward HOME="$theirs" "$WARD" ps -q
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == *"$theirs belongs to uid $ATTACKER"* ]]
}

@test "a long home (> 108 bytes) still works" {
  long=$(user_dir home)/$(printf 'h%.0s' {1..70})/$(printf 'o%.0s' {1..70})
  mkdir -p "$long"
  rootless || chown -R "$WARD_TEST_USER:" "$T/home"
  homes+=("$long")
  [ "${#long}" -gt 108 ]
  works_in "$long" "$long/.local/state/ward"
  # past the 255 bytes of a state path: one line saying what to do
  longer=$long/$(printf 'x%.0s' {1..120})
  mkdir -p "$longer"
  rootless || chown -R "$WARD_TEST_USER:" "$T/home"
  run user_ward HOME="$longer" "$WARD" ps -q
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == *"longer than 255 bytes; set WARD_STATE_DIR to a shorter path" ]]
  [ ! -e "$longer/.local" ]
}

@test "WARD_STATE_DIR owned by another user is refused with one line" {
  home=$(user_dir home)
  homes+=("$home")
  # in a directory others may write, the state directory itself could be swapped
  open=$(user_dir open)
  chmod 777 "$open"
  mkdir -m 700 "$open/state"
  rootless || chown "$WARD_TEST_USER:" "$open/state"
  run user_ward HOME="$home" WARD_STATE_DIR="$open/state" "$WARD" ps -q
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [ "$output" = "ward: state directory $open/state: $open is writable by others (mode 777)" ]
  [ -z "$(ls -A "$open/state")" ]
  rootless && skip "another user's directories need root to set up (tested in the _root variant)"

  theirs=$T/theirs
  mkdir -m 755 "$theirs" "$theirs/state" && chown "$ATTACKER" "$theirs"
  chown "$WARD_TEST_USER:" "$theirs/state"
  chmod 700 "$theirs/state"
  run user_ward HOME="$home" WARD_STATE_DIR="$theirs/state" "$WARD" ps -q
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [ "$output" = "ward: state directory $theirs/state: $theirs belongs to uid $ATTACKER, who could replace what is in it" ]
  # root's own state is held to the same rule
  chown root: "$theirs/state"
  run env WARD_STATE_DIR="$theirs/state" "$WARD" ps -q
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ $output == *"$theirs belongs to uid $ATTACKER"* ]]
  # the state directory itself another user's
  chown "$ATTACKER" "$theirs/state"
  chown root: "$theirs"
  run user_ward HOME="$home" WARD_STATE_DIR="$theirs/state" "$WARD" ps -q
  [ "$status" -eq 125 ]
  [ "${#lines[@]}" -eq 1 ]
  [ "$output" = "ward: state directory $theirs/state belongs to uid $ATTACKER, not to you (uid $uid); refusing to trust it" ]
  [ -z "$(ls -A "$theirs/state")" ]
}
