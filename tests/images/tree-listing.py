#!/usr/bin/env python3
"""One line per entry of DIR, sorted, for comparing unpacked trees: path, type, mode, size,
owner and group (less BASE, or '-' with OWNERS=no), mtime of non-directories, link target,
extended attributes (less umoci's user.rootlesscontainers) and a content hash.
usage: tree-listing.py DIR BASE [yes|no]"""
import hashlib
import os
import stat
import sys

root, base = sys.argv[1], int(sys.argv[2])
owners = len(sys.argv) < 4 or sys.argv[3] == "yes"
lines = []
for dirpath, dirs, files in os.walk(root):
    for name in dirs + files:
        full = os.path.join(dirpath, name)
        st = os.lstat(full)
        kind = stat.S_IFMT(st.st_mode)
        rel = os.path.relpath(full, root)
        link = os.readlink(full) if stat.S_ISLNK(st.st_mode) else "-"
        digest = "-"
        if stat.S_ISREG(st.st_mode):
            with open(full, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()[:16]
        try:
            xattrs = ",".join(sorted(f"{k}={os.getxattr(full, k, follow_symlinks=False).hex()}"
                                     for k in os.listxattr(full, follow_symlinks=False)
                                     # umoci's own record of owners when rootless
                                     if k != "user.rootlesscontainers"))
        except OSError:
            xattrs = "?"
        who = f"{st.st_uid - base}:{st.st_gid - base}" if owners else "-"
        mtime = "-" if stat.S_ISDIR(st.st_mode) else str(int(st.st_mtime))
        size = "-" if stat.S_ISDIR(st.st_mode) else str(st.st_size)
        lines.append(f"{rel} {kind:o} {stat.S_IMODE(st.st_mode):o} {size} {who} {mtime} "
                     f"{link} [{xattrs}] {digest}")
print("\n".join(sorted(lines)))
