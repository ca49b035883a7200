#!/usr/bin/env bash
# Builds a small root filesystem from Debian's busybox-static package: a shell and the usual
# tools, /etc/passwd and /etc/group, and the mount points ward needs.
# usage: scripts/mkrootfs.sh DIR [FILE...]   (each FILE is copied into DIR/bin)
set -euo pipefail
dir=${1:?usage: mkrootfs.sh DIR [FILE...]}
shift
busybox=/bin/busybox
[[ -x $busybox ]] || { echo "mkrootfs: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir"/{bin,etc,proc,dev,sys,tmp,root,home,usr/bin,sbin}
chmod 1777 "$dir/tmp"
cp "$busybox" "$dir/bin/busybox"
for applet in $("$busybox" --list); do
  [[ -e $dir/bin/$applet ]] || ln -s busybox "$dir/bin/$applet"
done
cat > "$dir/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
user:x:1000:1000:user:/home/user:/bin/sh
P
cat > "$dir/etc/group" <<'G'
root:x:0:
tty:x:5:
nogroup:x:65534:
user:x:1000:
G
for f in "$@"; do cp "$f" "$dir/bin/"; done
