#!/usr/bin/env bash
# Checks libward's file-level layering from its object files: "A uses a function or variable
# defined in B" is an edge A → B (read with nm). Fails, listing each, on
#   - a cycle: files that reach each other through such edges (a strongly connected
#     component of more than one file);
#   - an edge from rootfs-tools/ into src/ other than the allowed bottom files below;
#   - an edge from a mechanism file into the start-sequence files (which stand above them);
#   - an edge into the public API's own files (the top layer) from any file below them;
#   - a #include in rootfs-tools of a launcher header (the symbol rule, on the sources);
#   - a global symbol defined in two files (the graph would be ambiguous).
# usage: scripts/deps-check.sh [--print] [BUILD_DIR]   (BUILD_DIR defaults to build)
#   --print  also prints the layering: each file with its level (0 = uses no other file)
#            and the files it uses.
set -euo pipefail

print=0
if [[ ${1:-} == --print ]]; then
  print=1
  shift
fi
build=${1:-build}
# libward's objects: the ward target's, else those of whichever target compiles its sources
# (an object library shared by the static and the shared one).
objdir=$build/CMakeFiles/ward.dir
if [[ ! -f $objdir/src/error.c.o ]]; then
  first=$(find "$build/CMakeFiles" -path '*.dir/src/error.c.o' -print -quit 2>/dev/null || true)
  objdir=$(dirname "$(dirname "${first:-.}")")
fi
if [[ ! -f $objdir/src/error.c.o ]]; then
  echo "deps-check: $build: no libward objects (build first)" >&2
  exit 2
fi

mapfile -d '' objs < <(find "$objdir" -name '*.o' -print0)
python3 - "$print" "$objdir" "$(cd "$(dirname "$0")/.." && pwd)" "${objs[@]}" <<'EOF'
import glob
import os
import re
import subprocess
import sys

print_layers = sys.argv[1] == "1"

# rootfs-tools may use these src/ files only: the error type and the id maps (a store that
# works as the sandboxes' root needs their mapping), and bottom helpers that know nothing
# of a sandbox. Each must itself use nothing but the others (checked below).
ROOTFS_ALLOWED = {
    "src/error.c": "the error type",
    "src/idmap.c": "the id maps (struct ward_idmaps)",
    "src/io.c": "write_all, read_long_file",
    "src/text.c": "ward_parse_count",
    "src/strv.c": "string vectors",
    "src/context.c": "the caller's context: the store's directory, the log",
    "src/userdir.c": "finding ward's own directories safely (the store's, like the state root's)",
}

# The start sequence: the supervisor's and the child's steps, which call the mechanisms
# (network, cgroups, volumes, filters, ...); a mechanism never takes a helper from them.
# channel.c, the sync socket's messages, is not among them: it sits at the bottom, used by
# both sides of the fork.
START_SEQUENCE = {
    "src/launch.c", "src/child.c", "src/init.c", "src/workload.c",
    "src/sandbox.c", "src/sandbox_create.c", "src/exec.c",
    "src/container_child.c", "src/container_proc.c",
}

# What rootfs-tools may #include from src/ (besides its own headers and include/ward/): the
# headers of the allowed files, and sys.h (inline syscall wrappers, io.c's prototypes).
ROOTFS_HEADERS = {"sys.h", "idmap.h", "userdir.h", "context.h", "strv.h"}

# The public API's own files: handles, setters and the steps a front end takes, over the
# launcher and rootfs-tools. They may use anything; nothing below them uses them.
API = {
    "src/run_api.c", "src/spec_api.c", "src/spec_prepare.c", "src/sandbox_api.c",
    "src/exec_api.c", "src/sandbox_files.c", "rootfs-tools/image_public.c",
    "rootfs-tools/image_config.c", "src/life_api.c", "src/commit_api.c",
    "src/pause_api.c", "src/logs_api.c", "src/attach_api.c", "src/archive_api.c",
    "src/container_create.c", "src/container_life.c", "src/container_exec.c",
    "src/container_spec.c", "src/oci_config.c",
}

defs, uses = {}, {}
files = set()
objdir, objs = sys.argv[2], sys.argv[4:]


def nm(*opts):
    """(file, symbol) for each line of nm -A over every object, file as "src/x.c"."""
    out = subprocess.run(["nm", "-A", *opts, *objs], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        obj, _, rest = line.partition(".o:")
        yield os.path.relpath(obj, objdir), rest.split()[-1]


for f, sym in nm("--defined-only", "--extern-only"):
    files.add(f)
    defs.setdefault(sym, set()).add(f)
for f, sym in nm("--undefined-only"):
    files.add(f)
    uses.setdefault(f, set()).add(sym)

problems = []
for sym, where in sorted(defs.items()):
    if len(where) > 1:
        problems.append(f"symbol {sym} defined in more than one file: {', '.join(sorted(where))}")

# Edges, with the symbols behind each (symbols from outside libward are ignored).
edges = {f: {} for f in files}
for f, syms in uses.items():
    for s in syms:
        for d in defs.get(s, ()):
            if d != f:
                edges[f].setdefault(d, []).append(s)

# Tarjan's strongly connected components, iteratively.
index, low, on, stack, sccs = {}, {}, set(), [], []
counter = 0
for root in sorted(files):
    if root in index:
        continue
    work = [(root, iter(sorted(edges[root])))]
    index[root] = low[root] = counter
    counter += 1
    stack.append(root)
    on.add(root)
    while work:
        v, it = work[-1]
        for w in it:
            if w not in index:
                index[w] = low[w] = counter
                counter += 1
                stack.append(w)
                on.add(w)
                work.append((w, iter(sorted(edges[w]))))
                break
            if w in on:
                low[v] = min(low[v], index[w])
        else:
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                sccs.append(sorted(comp))

def syms_of(a, b):
    s = sorted(edges[a][b])
    return ", ".join(s[:4]) + (", ..." if len(s) > 4 else "")

for comp in sccs:
    if len(comp) > 1:
        inner = [f"{a} -> {b} ({syms_of(a, b)})" for a in comp for b in sorted(edges[a])
                 if b in comp]
        problems.append("cycle among " + ", ".join(comp) + ":\n    " + "\n    ".join(inner))

for a in sorted(files):
    for b in sorted(edges[a]):
        if a.startswith("rootfs-tools/") and b.startswith("src/") and b not in ROOTFS_ALLOWED:
            problems.append(f"rootfs-tools uses the launcher: {a} -> {b} ({syms_of(a, b)})")
        if b in API and a not in API:
            problems.append(f"the API layer is used from below: {a} -> {b} ({syms_of(a, b)})")
        if b in START_SEQUENCE and a not in START_SEQUENCE | API:
            problems.append(f"mechanism uses the start sequence: {a} -> {b} ({syms_of(a, b)})")
        if a in ROOTFS_ALLOWED and b not in ROOTFS_ALLOWED:
            problems.append(f"{a}, allowed to rootfs-tools, is not bottom: uses {b} "
                            f"({syms_of(a, b)})")

# The same rule on the sources' #include lines: a header of the launcher would let rootfs-tools
# see (and soon use) its types even where no symbol crosses yet.
top = sys.argv[3]
own = {os.path.basename(h) for h in glob.glob(os.path.join(top, "rootfs-tools", "*.h"))}
checked = sorted(glob.glob(os.path.join(top, "rootfs-tools", "*.[ch]")))
checked += [os.path.join(top, "src", h) for h in sorted(ROOTFS_HEADERS)]
for path in checked:
    for n, line in enumerate(open(path), 1):
        m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
        if not m:
            continue
        h = m.group(1)
        if h in own or h in ROOTFS_HEADERS or h.startswith("ward/"):
            continue
        problems.append(f"{os.path.relpath(path, top)}:{n}: includes {h}, a launcher header")

if print_layers:
    level = {}
    for comp in sccs:  # Tarjan emits a component after every component it reaches
        lv = 1 + max((level[d] for f in comp for d in edges[f] if d not in comp), default=-1)
        for f in comp:
            level[f] = lv
    for f in sorted(files, key=lambda f: (level[f], f)):
        deps = " ".join(sorted(edges[f])) or "-"
        print(f"{level[f]:2} {f}: {deps}")
    sys.stdout.flush()

for p in problems:
    print("deps-check: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
