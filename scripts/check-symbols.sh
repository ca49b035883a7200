#!/usr/bin/env bash
# libward.so exports exactly its API: every defined dynamic symbol starts with ward_, and
# every function the public headers declare is among them.
# usage: scripts/check-symbols.sh build/libward.so include/ward
set -euo pipefail
lib=${1:?usage: check-symbols.sh LIBWARD_SO INCLUDE_DIR}
inc=${2:?usage: check-symbols.sh LIBWARD_SO INCLUDE_DIR}

exported=$(nm -D --defined-only --format=posix "$lib" | awk '{print $1}' | sort -u)
[[ -n $exported ]] || { echo "check-symbols: $lib exports nothing" >&2; exit 1; }

# Function names followed by '(' in the headers, outside comments and preprocessor lines;
# static inline helpers live in the header, not the library.
declared=$(cat "$inc"/*.h | perl -0777 -ne '
  s{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g; s{^\s*#[^\n]*(\\\n[^\n]*)*}{}gm;
  my %inline = map { $_ => 1 } /\bstatic\b[^;{}]*?\b(ward_[a-z0-9_]*)\s*\(/g;
  my %seen;
  for (/\b(ward_[a-z0-9_]*)\s*\(/g) { print "$_\n" unless $inline{$_} || $seen{$_}++ }' |
  sort -u)
[[ -n $declared ]] || { echo "check-symbols: no ward_ function declared in $inc/*.h" >&2; exit 1; }

status=0
foreign=$(grep -v '^ward_' <<<"$exported" || true)
if [[ -n $foreign ]]; then
  echo "check-symbols: $lib exports symbols outside the ward_ namespace:" >&2
  echo "$foreign" | sed 's/^/  /' >&2
  status=1
fi
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
if [[ -n $missing ]]; then
  echo "check-symbols: declared in $inc but not exported by $lib:" >&2
  echo "$missing" | sed 's/^/  /' >&2
  status=1
fi
# Not an error: internal ward_* names the version script lets through.
extra=$(comm -13 <(echo "$declared") <(echo "$exported"))
[[ -z $extra ]] || echo "check-symbols: note: exported but not in the public headers: $(tr '\n' ' ' <<<"$extra")"
echo "check-symbols: $(wc -l <<<"$exported") exported, $(wc -l <<<"$declared") declared"
exit $status
