#!/usr/bin/env bash
# Installs what ward needs, builds it, builds a small busybox root filesystem, and runs a
# few commands in sandboxes so you can see what the workload sees.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -eq 0 ]]; then scripts/deps.sh; fi
dir=$(scripts/build.sh)
ward=$PWD/$dir/ward
rootfs=$PWD/$dir/demo-rootfs
scripts/mkrootfs.sh "$rootfs"

show() {
  printf '\n$ ward run --rootfs %s %s\n' "${rootfs#$PWD/}" "$*"
  "$ward" run --rootfs "$rootfs" "$@" || printf '(exit status %d)\n' $?
}

"$ward" doctor || true
show -- sh -c 'echo "I am $(id -u) on $(hostname), pid $$"; ps'
show -- sh -c 'ip -o link; cat /proc/self/status | grep -E "^(Cap(Eff|Bnd)|NoNewPrivs)"'
show -- sh -c 'echo pwned >/etc/passwd && echo "wrote /etc/passwd inside"'
printf '\nthe root filesystem on the host is untouched: '
head -1 "$rootfs/etc/passwd"
show -u 1000 -- sh -c 'id; echo hi >/root/x'
show -- sh -c 'unshare -U true || echo "(new namespaces are refused by the seccomp policy)"'
show --pids 10 -- sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 1 & done 2>&1 | head -1; wait'
show --timeout 1 --json -- sleep 10
show -- no-such-command
# an agent's workspace as an overlay: it edits freely, the host copy stays as it was, and
# the edits come back as a tar layer to review
work=$PWD/$dir/demo-workspace
rm -rf "$work" "$dir/demo-changes.tar" && mkdir -p "$work" && echo 'print("hello")' >"$work/app.py"
show -v "$work:/workspace:overlay" --changes "$dir/demo-changes.tar" -- \
  sh -c 'echo "print(\"patched\")" >app.py; echo notes >NOTES; rm -f missing; ls'
printf '\nhost copy: %s; changes: %s\n' "$(cat "$work/app.py")" "$(tar -tf "$dir/demo-changes.tar" | tr '\n' ' ')"
# a persistent sandbox, as an agent uses one: create once, exec many, files in and out
printf '\n$ id=$(ward create --name demo --rootfs %s)\n' "${rootfs#$PWD/}"
"$ward" rm -f demo >/dev/null 2>&1 || true
id=$("$ward" create --name demo --rootfs "$rootfs")
echo "$id"
printf '$ ward exec demo -- expr 6 + 36\n'
"$ward" exec demo -- expr 6 + 36
printf '$ echo data | ward write demo /tmp/in.txt; ward exec --json demo -- wc -c /tmp/in.txt\n'
echo data | "$ward" write demo /tmp/in.txt
"$ward" exec --json demo -- wc -c /tmp/in.txt
printf '$ ward ps; ward rm -f demo\n'
"$ward" ps
"$ward" rm -f demo
