#!/usr/bin/env bash
# One line per entry of DIR: path, type, mode, size, owner and group (less BASE), mtime of
# non-directories, link target and content hash; sorted, for comparing unpacked trees.
# usage: tree-listing.sh DIR BASE [OWNERS=yes|no]
set -euo pipefail
dir=${1:?usage: tree-listing.sh DIR BASE}
base=${2:-0}
owners=${3:-yes}
cd "$dir"
find . -mindepth 1 -printf '%P\t%y\t%m\t%s\t%U\t%G\t%T@\t%l\n' |
  while IFS=$'\t' read -r path type mode size uid gid mtime link; do
    [[ $type == d ]] && { mtime=-; size=-; }
    hash=-
    [[ $type == f ]] && hash=$(sha256sum <"$path" | cut -c1-16)
    [[ $owners == yes ]] && owner="$((uid - base)) $((gid - base))" || owner=-
    echo "$path $type $mode $size $owner ${mtime%.*} $link $hash"
  done | sort
