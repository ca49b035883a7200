#!/usr/bin/python3
"""Split one (gzip) layer of a root filesystem into three layer tars, as an image built in
steps would have them: base.tar (the system), python.tar (usr/lib/python3*), share.tar
(usr/share). Entries keep their headers (owners, modes, times, xattrs). A hardlink goes to its
target's layer when that is higher; one whose target lies in a lower layer than the link's own
directory is written as a copy of the file.
usage: split-layer.py LAYER.tar.gz OUTDIR"""
import copy as copy_mod
import sys
import tarfile

src, out = sys.argv[1], sys.argv[2]
NAMES = ["base", "python", "share"]


def layer_of(name):
    parts = name.split("/")
    if len(parts) >= 3 and parts[0] == "usr" and parts[1] == "lib" and parts[2].startswith("python3"):
        return 1
    if len(parts) >= 2 and parts[0] == "usr" and parts[1] == "share":
        return 2
    return 0


def norm(name):
    while name.startswith("./"):
        name = name[2:]
    return name.strip("/")


outs = [tarfile.open(f"{out}/{n}.tar", "w", format=tarfile.PAX_FORMAT) for n in NAMES]
placed = {}
with tarfile.open(src, "r:gz") as t:
    for m in t:
        name = norm(m.name)
        if not name:
            outs[0].addfile(m)
            continue
        i = layer_of(name)
        if m.islnk():
            target = norm(m.linkname)
            j = placed.get(target, 0)
            if j < i:
                # The link's directory is not there yet where its target is: a copy.
                src_m = t.getmember(m.linkname)
                copy = copy_mod.copy(src_m)
                copy.name = m.name
                outs[i].addfile(copy, t.extractfile(src_m))
                placed[name] = i
                continue
            i = max(i, j)
        placed[name] = i
        outs[i].addfile(m, t.extractfile(m) if m.isreg() else None)
for o in outs:
    o.close()
