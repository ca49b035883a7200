#!/usr/bin/env bash
# The man pages and completions against the ward they document: every command ward --help
# lists has a page; every long option `ward CMD --help` prints is in that page and in both
# completion files; the bash completion completes; the zsh one parses; cmake --install puts
# all of them where man, bash-completion and zsh look.
# usage: scripts/check-docs.sh [WARD [BUILD_DIR]]   (default: build/ward, build)
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
ward=$(realpath "${1:-$src/build/ward}")
build=$(realpath "${2:-$(dirname "$ward")}")
bashc=$src/completions/ward.bash
zshc=$src/completions/_ward

fails=0
fail() {
  echo "docs: $*" >&2
  fails=$((fails + 1))
}

tmp=$(mktemp -d /tmp/ward-docs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# ward's own state and store: nothing of the caller's is listed or touched.
export WARD_STATE_DIR=$tmp/state WARD_STORE=$tmp/store HOME=$tmp
mkdir -p "$WARD_STATE_DIR"
chmod 700 "$WARD_STATE_DIR"

# The commands of the contract (cli18.md); ward --help must list each (version and help are
# in ward(1)). Image's subcommands are checked one by one below.
contract="run create start stop restart pause unpause wait kill rm commit exec ps inspect logs
  cp read write port network image doctor policy"
image_subs="import ls inspect rm prune pack tag history"

top=$("$ward" --help) || fail "ward --help: exit status $?"
# Listed commands: the first word of each line indented by two spaces, plus the contract's
# that appear anywhere in it.
cmds=$(awk '/^  [a-z]/ { print $1 }' <<<"$top")
for c in $contract; do
  if grep -qE "(^|[^a-z-])$c([^a-z-]|$)" <<<"$top"; then
    cmds+=$'\n'$c
  else
    fail "ward --help does not list '$c'"
  fi
done
cmds=$(sort -u <<<"$cmds" | grep -vx -e ward -e '')

# The page source of a command, its %include parts expanded.
page_text() {
  local scd=$src/man/$1.1.scd inc
  if [[ $1 == ALL ]]; then # every page: ward --help sums up the others' options
    cat "$src"/man/*.scd "$src"/man/*.scd.inc
    return
  fi
  [[ -f $scd ]] || return 1
  cat "$scd"
  for inc in $(sed -n 's/^%include //p' "$scd"); do cat "$src/man/$inc"; done
}

# has TEXT OPT: OPT as a whole word (so --user does not match --user-id).
has() { grep -qE -- "(^|[^a-zA-Z0-9-])$2([^a-zA-Z0-9-]|$)" <<<"$1"; }

bash_text=$(cat "$bashc")
zsh_text=$(cat "$zshc")

# check_opts LABEL PAGE HELP-ARGS...: the long options of `ward HELP-ARGS --help`.
check_opts() {
  local label=$1 page=$2 text help opt
  shift 2
  if ! help=$("$ward" "$@" --help 2>&1); then
    fail "ward $label --help: exits non-zero (${help%%$'\n'*})"
    return
  fi
  text=$(page_text "$page") || return
  for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u); do
    has "$text" "$opt" || fail "ward $label: $opt is not in man/$page.1.scd"
    has "$bash_text" "$opt" || fail "ward $label: $opt is not in completions/ward.bash"
    has "$zsh_text" "$opt" || fail "ward $label: $opt is not in completions/_ward"
  done
}

pages=(ward)
for c in $cmds; do
  case $c in
  help | version) continue ;; # in ward(1)
  esac
  page=ward-$c
  pages+=("$page")
  [[ -f $src/man/$page.1.scd ]] || { fail "$c: no man/$page.1.scd"; continue; }
  if [[ $c == image ]]; then
    for s in $image_subs; do check_opts "image $s" "$page" image "$s"; done
  else
    check_opts "$c" "$page" "$c"
  fi
  # Each command is in ward(1) and both completions.
  has "$(cat "$src/man/ward.1.scd")" "$c" || fail "$c is not in man/ward.1.scd"
  has "$bash_text" "$c" || fail "$c is not in completions/ward.bash"
  has "$zsh_text" "$c" || fail "$c is not in completions/_ward"
done
check_opts "(no command)" ALL
has "$(cat "$src/man/ward.1.scd")" --version || fail "--version is not in man/ward.1.scd"

# The bash completion completes: called as bash does, with COMP_WORDS and COMP_CWORD.
complete_bash() {
  PATH=$(dirname "$ward"):$PATH bash --norc --noprofile -c '
    source "$1" || exit 1
    shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _ward || exit 1
    printf "%s\n" "${COMPREPLY[@]}"' bash "$bashc" "$@"
}
expect_bash() {
  local want=$1 got
  shift
  got=$(complete_bash "$@" 2>&1) || { fail "bash completion of '$*' failed: $got"; return; }
  grep -qx -- "$want" <<<"$got" || fail "bash completion of '$*' does not offer $want (got: ${got//$'\n'/ })"
}
expect_bash start ward st
expect_bash stop ward st
expect_bash --rootfs ward run --ro
expect_bash --no-start ward create --no
expect_bash history ward image h
expect_bash KILL ward kill -s KI
expect_bash status=paused ward ps --filter status=p
expect_bash egress ward run --network e

# The zsh completion parses (trying its completions needs a terminal: zsh/zpty, by hand).
if command -v zsh >/dev/null; then
  zsh -n "$zshc" || fail "zsh -n completions/_ward failed"
else
  fail "zsh is not installed (scripts/deps.sh installs it)"
fi

# Installed where man, bash-completion and zsh look.
if [[ -f $build/CMakeCache.txt ]]; then
  prefix=$tmp/prefix
  if cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
    for f in share/bash-completion/completions/ward share/zsh/site-functions/_ward \
      share/man/man3/libward.3; do
      [[ -f $prefix/$f ]] || fail "cmake --install: no $f"
    done
    if grep -q '^SCDOC:FILEPATH=.*NOTFOUND' "$build/CMakeCache.txt"; then
      fail "scdoc was not found when $build was configured: no man pages (scripts/deps.sh)"
    else
      for p in "${pages[@]}"; do
        [[ -s $prefix/share/man/man1/$p.1 ]] || fail "cmake --install: no share/man/man1/$p.1"
      done
      if command -v man >/dev/null; then
        man -l "$prefix/share/man/man1/ward.1" 2>/dev/null | grep -q 'ward-run' ||
          fail "man -l share/man/man1/ward.1 does not render"
      fi
    fi
  else
    fail "cmake --install failed: $(tail -3 "$tmp/install.log")"
  fi
else
  fail "$build is not a cmake build directory"
fi

if ((fails)); then
  echo "docs: $fails problem(s)" >&2
  exit 1
fi
echo "docs: ${#pages[@]} man pages, both completions: consistent with $ward"
