#!/usr/bin/env python3
"""Hostile layer tars for the image import tests: one file per attack, named
evil-<case>.tar in OUTDIR. SENTINEL is a host directory the attacks aim at.
usage: hostile.py OUTDIR SENTINEL"""
import io
import sys
import tarfile

out, sentinel = sys.argv[1], sys.argv[2].rstrip("/")


def entry(name, kind=tarfile.REGTYPE, data=b"", **kw):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.mode = kw.pop("mode", 0o644)
    for k, v in kw.items():
        setattr(info, k, v)
    return info, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def write(case, entries, fmt=tarfile.PAX_FORMAT):
    with tarfile.open(f"{out}/evil-{case}.tar", "w", format=fmt) as t:
        for info, data in entries:
            t.addfile(info, data)


write("traversal", [entry("../../../../../../.." + sentinel + "/pwned", data=b"x")])
write("absolute", [entry(sentinel + "/pwned", data=b"x")])
write("symlink-write", [entry("lnk", tarfile.SYMTYPE, linkname=sentinel),
                        entry("lnk/pwned", data=b"x")])
write("symlink-up", [entry("up", tarfile.SYMTYPE, linkname="../../../../../../../.."),
                     entry("up" + sentinel + "/pwned", data=b"x")])
write("hardlink-out", [entry("hl", tarfile.LNKTYPE, linkname="../../../../../.." + sentinel + "/secret")])
write("hardlink-abs", [entry("hl", tarfile.LNKTYPE, linkname=sentinel + "/secret")])
write("hardlink-symlink", [entry("sl", tarfile.SYMTYPE, linkname=sentinel + "/secret"),
                           entry("hl", tarfile.LNKTYPE, linkname="sl")])
write("hardlink-dir", [entry("hl", tarfile.LNKTYPE, linkname="etc")])
write("devices", [entry("dev-mem", tarfile.CHRTYPE, devmajor=1, devminor=1),
                  entry("dev-sda", tarfile.BLKTYPE, devmajor=8, devminor=0)])
write("setuid", [entry("bin/suid-copy", data=b"#!/bin/sh\n", mode=0o4755)])
xattrs = {"SCHILY.xattr.trusted.overlay.redirect": "/etc",
          "SCHILY.xattr.user.overlay.opaque": "y",
          "SCHILY.xattr.security.selinux": "system_u:object_r:shadow_t:s0",
          "SCHILY.xattr.user.kept": "yes"}
write("xattrs", [entry("xattr-file", data=b"x", pax_headers=xattrs)])
write("whiteout-dotdot", [entry("etc/.wh..", data=b"")])
write("whiteout-empty", [entry(".wh.", data=b"")])
write("whiteout-dots", [entry(".wh...", data=b"")])
write("whiteout-as-dir", [entry(".wh.etc/passwd", data=b"")])
write("duplicate", [entry("dup", data=b"1"), entry("dup", data=b"2")])
write("root-symlink", [entry("./", tarfile.SYMTYPE, linkname=sentinel)])
write("whiteout-via-symlink", [entry("wl", tarfile.SYMTYPE, linkname="/etc"),
                               entry("wl/.wh.passwd", data=b"")])
write("long-path", [entry("d/" * 2100 + "f", data=b"x")])
write("many-entries", [entry(f"f{i}", data=b"") for i in range(300)])
# 256 MiB of zeros: a few hundred KiB once gzipped by umoci's add-layer.
big = tarfile.TarInfo("bomb")
big.size = 256 << 20
with tarfile.open(f"{out}/evil-bomb.tar", "w", format=tarfile.PAX_FORMAT) as t:
    class Zeros(io.RawIOBase):
        left = big.size

        def readable(self):
            return True

        def readinto(self, b):
            n = min(len(b), self.left)
            b[:n] = bytes(n)
            self.left -= n
            return n
    t.addfile(big, io.BufferedReader(Zeros(), 1 << 20))
