#!/usr/bin/env python3
"""ctrun's option table, its --help and its man page agree.

    python3 tests/check_man.py BUILD_DIR

1. Every option in examples/ctrun.c's long_options is documented in `ctrun --help` (an option
   line "  --name ..."), and every option the help documents is in long_options.
2. BUILD_DIR/ctrun.1 (made from the help by tools/ctrun-man.py) renders without a groff warning,
   and its text holds every word of the help, in the same order: nothing was lost or reordered.
Prints what differs and exits 1 if anything does.
"""
import os
import re
import subprocess
import sys


def words(text):
    out = []
    for w in text.split():
        w = w.strip("()[]{}.,;:'\"`").lower()
        if w:
            out.append(w)
    return out


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = []

    source = open(os.path.join(root, "examples", "ctrun.c")).read()
    table = source[source.index("long_options[] = {"):]
    table = table[:table.index("{NULL, 0, NULL, 0}")]
    in_table = set(re.findall(r'\{"([a-z0-9-]+)",\s*(?:no|required|optional)_argument', table))
    help_text = subprocess.run([os.path.join(build, "ctrun"), "--help"], check=True,
                               capture_output=True, text=True).stdout
    in_help = set()
    for line in help_text.splitlines():
        m = re.match(r"^  (-\S.*?)(?:\s{2,}|$)", line)
        if m:
            in_help.update(re.findall(r"--([a-z0-9-]+)", m.group(1)))
    for name in sorted(in_table - in_help):
        problems.append("--%s is an option (long_options) but ctrun --help does not document it"
                        % name)
    for name in sorted(in_help - in_table):
        problems.append("ctrun --help documents --%s, which is not in long_options" % name)
    if len(in_table) < 30:
        problems.append("only %d options found in long_options: the table's layout changed?"
                        % len(in_table))

    page = os.path.join(build, "ctrun.1")
    lint = subprocess.run(["groff", "-man", "-ww", "-z", page], capture_output=True, text=True)
    if lint.returncode != 0 or lint.stderr.strip():
        problems.append("groff warns about %s: %s" % (page, lint.stderr.strip()))
    rendered = subprocess.run(["groff", "-man", "-Tascii", "-P-c", "-P-b", "-P-o", "-P-u",
                               "-rLL=200n", page], check=True, capture_output=True,
                              text=True).stdout
    man_words = words(rendered)
    help_words = words(help_text)[1:]  # "usage:" is SYNOPSIS in the page
    at = 0
    for n, w in enumerate(help_words):
        try:
            at = man_words.index(w, at) + 1
        except ValueError:
            context = " ".join(help_words[max(0, n - 6):n + 6])
            problems.append("the man page lacks the help's word %r (in \"... %s ...\"), or has "
                            "it out of order" % (w, context))
            break

    for p in problems:
        print("check_man: " + p)
    if problems:
        sys.exit(1)
    print("check_man: %d options, %d words of the help found in order in %s"
          % (len(in_table), len(help_words), page))


if __name__ == "__main__":
    main()
