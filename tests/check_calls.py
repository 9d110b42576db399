#!/usr/bin/env python3
"""Checks the layering of src/: no two source files call each other's functions in a circle
(directly or through others), and every function one file uses from another is declared in
src/internal.h.  Prints the file graph; exits 1 on a cycle or an undeclared cross-file call.

    python3 tests/check_calls.py [SRC_DIR]
"""
import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src")
DEF = re.compile(r"^(?:static|CONTAINER_API)\b[^;{=]*?\b(ctr_{1,2}\w+)\s*\([^;]*?\)\s*\{", re.M | re.S)
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
STRING = re.compile(r'"(?:\\.|[^"\\])*"')


def strip(text):
    return STRING.sub('""', COMMENT.sub(" ", text))


def main():
    files = sorted(f for f in os.listdir(SRC) if f.endswith(".c"))
    texts = {f: strip(open(os.path.join(SRC, f), encoding="utf-8").read()) for f in files}
    internal = strip(open(os.path.join(SRC, "internal.h"), encoding="utf-8").read())
    owner = {}
    for f, t in texts.items():
        for m in DEF.finditer(t):
            owner.setdefault(m.group(1), f)
    edges = {f: set() for f in files}
    bad = []
    for f, t in texts.items():
        for name, where in owner.items():
            if where == f or not re.search(r"\b%s\s*\(" % re.escape(name), t):
                continue
            if name.startswith("ctr__") and not re.search(r"\b%s\s*\(" % re.escape(name), internal):
                bad.append("%s calls %s (%s) without a prototype in internal.h" % (f, name, where))
            edges[f].add(where)
    for f in files:
        print("%-12s -> %s" % (f, " ".join(sorted(edges[f])) or "-"))
    # a cycle: depth-first search with colours
    state, stack, cycle = {}, [], []

    def visit(f):
        state[f] = 1
        stack.append(f)
        for g in sorted(edges[f]):
            if state.get(g) == 1:
                cycle.extend(stack[stack.index(g):] + [g])
                return True
            if not state.get(g) and visit(g):
                return True
        stack.pop()
        state[f] = 2
        return False

    for f in files:
        if not state.get(f) and visit(f):
            break
    for b in bad:
        print("error: " + b)
    if cycle:
        print("error: files call each other in a circle: " + " -> ".join(cycle))
    return 1 if cycle or bad else 0


if __name__ == "__main__":
    sys.exit(main())
