#!/usr/bin/env python3
"""Build the single header container.h from src/ (deterministic: same input, same bytes).

    python3 amalgamate.py          write container.h
    python3 amalgamate.py --check  exit 1 if the committed container.h differs from src/
    python3 amalgamate.py --line   add #line directives pointing back into src/ (debugging only)
"""
import hashlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(ROOT, "container.h")
# Declarations first, then the implementation in dependency order, then the licence.
HEADER = ["header.h"]
# Every file includes internal.h (emitted once, first), so the order below is only for reading.
IMPL = ["internal.h", "util.c", "plan.c", "security.c", "cgroup.c", "cgfs.c", "cgroup2.c", "cgroup1.c",
        "clone.c", "shim.c", "child.c", "mount.c", "notify.c", "landlock.c", "layers.c", "userns.c",
        "nonet.c", "netns.c", "net.c", "lifecycle.c", "spawn.c", "io.c", "attach.c"]
LICENSE = "license.txt"
LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$')


def read(name):
    with open(os.path.join(ROOT, "src", name), encoding="utf-8") as f:
        return f.read()


def emit(name, seen, line_directives):
    """One source file with its local includes inlined the first time and dropped after."""
    out = ["/* ---- begin src/%s ---- */\n" % name]
    if line_directives:
        out.append('#line 1 "src/%s"\n' % name)
    for n, line in enumerate(read(name).splitlines(keepends=True), 1):
        m = LOCAL_INCLUDE.match(line)
        if m and os.path.exists(os.path.join(ROOT, "src", m.group(1))):
            inc = m.group(1)
            if inc not in seen:
                seen.add(inc)
                out.append(emit(inc, seen, line_directives))
                if line_directives:
                    out.append('#line %d "src/%s"\n' % (n + 1, name))
            continue
        out.append(line)
    if not out[-1].endswith("\n"):
        out.append("\n")
    out.append("/* ---- end src/%s ---- */\n" % name)
    return "".join(out)


def source_hash():
    """sha256 of amalgamate.py and src/* (sorted by name), as the Makefile computes it with
    sha256sum: make rebuilds container.h only when this differs from the one written in it."""
    h = hashlib.sha256()
    with open(os.path.join(ROOT, "amalgamate.py"), "rb") as f:
        h.update(f.read())
    for name in sorted(os.listdir(os.path.join(ROOT, "src"))):
        with open(os.path.join(ROOT, "src", name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def build(line_directives=False):
    seen = set(HEADER + IMPL)
    parts = ["/* container.h: generated from src/ by amalgamate.py - do not edit; edit src/ and run "
             "'python3 amalgamate.py'.  src-sha256 %s */\n" % source_hash()]
    for name in HEADER:
        parts.append(emit(name, seen, line_directives))
    parts.append("\n#ifdef CONTAINER_IMPLEMENTATION\n#ifndef CONTAINER_IMPLEMENTATION_INCLUDED\n"
                 "#define CONTAINER_IMPLEMENTATION_INCLUDED\n\n")
    for name in IMPL:
        parts.append(emit(name, seen, line_directives))
    parts.append("\n#endif /* CONTAINER_IMPLEMENTATION_INCLUDED */\n#endif /* CONTAINER_IMPLEMENTATION */\n\n")
    lic = read(LICENSE).rstrip("\n")
    parts.append("/*\n" + "\n".join(("   " + l).rstrip() for l in lic.split("\n")) + "\n*/\n")
    return "".join(parts)


def main(argv):
    text = build(line_directives="--line" in argv)
    if "--check" in argv:
        try:
            with open(OUT, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            sys.stderr.write("container.h is stale: run 'python3 amalgamate.py' and commit the result\n")
            return 1
        return 0
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
