#!/usr/bin/env python3
"""ctrun.1 from `ctrun --help`: the man page is generated, so it cannot drift from the help.

    ctrun --help | python3 tools/ctrun-man.py VERSION > ctrun.1

The help's layout (examples/ctrun.c, usage_text) is what this reads:
  - "usage: ctrun SYNOPSIS", then a paragraph: SYNOPSIS and DESCRIPTION;
  - a heading, unindented and ending with ':' (it may span lines and hold a parenthesis), then
    the options of that group: an option line is indented by 2 and starts with '-'; its text
    starts after a run of 2+ spaces (or on the next line) and continues on lines indented by 24;
    lines indented deeper than 24 are kept as they are (a small table);
  - a line indented by 2 that is not an option is a note of the group;
  - a blank line ends a group; options after a blank line without a heading are "General";
  - an unindented paragraph without a heading after the options: "Exit status: ..." becomes
    EXIT STATUS, the others NOTES.
Anything it cannot place stops it with an error, so that a new layout is noticed in the build.
"""
import re
import sys

OPTION_COL = 24


def esc(text):
    """Plain text for roff: backslashes, dashes (so that options copy as ASCII '-')."""
    return text.replace("\\", "\\e").replace("-", "\\-")


def line_out(text):
    """A text line that roff will not take for a request."""
    return "\\&" + text if text.startswith((".", "'")) else text


def tag(spec):
    """'--uid N, --gid N' -> bold options, italic arguments."""
    out = []
    for token in re.split(r"(\s+|, )", spec):
        if not token or token.isspace() or token == ", ":
            out.append(token)
        elif token.startswith("-"):
            out.append("\\fB" + esc(token) + "\\fR")
        else:
            out.append("\\fI" + esc(token) + "\\fR")
    return "".join(out)


def paragraph(lines):
    return "\n".join(line_out(esc(l.strip())) for l in lines if l.strip())


class Page:
    def __init__(self):
        self.out = []

    def add(self, *lines):
        self.out.extend(lines)


def parse(help_text):
    lines = help_text.rstrip("\n").split("\n")
    if not lines[0].startswith("usage: ctrun "):
        sys.exit("ctrun-man.py: the help does not start with 'usage: ctrun '")
    synopsis = lines[0][len("usage: ctrun "):]
    i = 1
    desc = []
    while i < len(lines) and lines[i].strip():
        desc.append(lines[i])
        i += 1
    groups = []  # (title, intro lines, items [(tag, text lines, pre lines...)], notes)
    trailing = []  # unindented paragraphs after the options
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        # a heading (may span lines) or a paragraph
        block = []
        while i < len(lines) and lines[i].strip() and not lines[i].startswith(" "):
            block.append(lines[i])
            i += 1
        if block and not block[-1].endswith(":"):
            trailing.append(block)
            continue
        if block:
            heading = " ".join(l.strip() for l in block)[:-1]
            m = re.match(r"^([^(]*?)\s*\((.*)\)$", heading, re.S)
            title, intro = (m.group(1), [m.group(2)]) if m else (heading, [])
        else:
            title, intro = "General", []
        items, notes = [], []
        while i < len(lines) and lines[i].startswith(" "):
            l = lines[i]
            indent = len(l) - len(l.lstrip(" "))
            if indent == 2 and l[2] == "-":
                m = re.match(r"^  (\S.*?)(?:\s{2,}(\S.*))?$", l)
                items.append([m.group(1), [m.group(2)] if m.group(2) else []])
            elif indent == 2:
                notes.append(l)
            elif indent >= OPTION_COL and items:
                items[-1][1].append(l[OPTION_COL:])
            else:
                sys.exit("ctrun-man.py: cannot place help line %d: %r" % (i + 1, l))
            i += 1
        groups.append((title, intro, items, notes))
    return synopsis, desc, groups, trailing


def render(version, synopsis, desc, groups, trailing):
    p = Page()
    first = " ".join(l.strip() for l in desc)
    name = first.split(":")[0].split(".")[0]
    name = name[0].lower() + name[1:]
    p.add('.TH CTRUN 1 "" "container.h %s" "User Commands"' % version, ".nh", ".ad l")
    p.add(".SH NAME", "ctrun \\- " + esc(name))
    p.add(".SH SYNOPSIS", ".B ctrun")
    p.add(" ".join(
        "\\fI%s\\fR" % esc(w) if re.match(r"^\[?[A-Z]", w) and w != "[--]" else esc(w)
        for w in synopsis.split()))
    p.add(".SH DESCRIPTION", paragraph(desc))
    p.add(".SH OPTIONS")
    for title, intro, items, notes in groups:
        p.add(".SS " + esc(title))
        if intro:
            text = " ".join(intro)
            p.add(".PP", line_out(esc(text[0].upper() + text[1:] + ".")))
        for spec, text in items:
            p.add(".TP", tag(spec))
            pre = False
            for t in text:
                deeper = t.startswith(" ")
                if deeper and not pre:
                    p.add(".nf", ".in +2n")
                    pre = True
                elif not deeper and pre:
                    p.add(".in -2n", ".fi")
                    pre = False
                p.add(line_out(esc(t if pre else t.strip())))
            if pre:
                p.add(".in -2n", ".fi")
        if notes:
            p.add(".PP", paragraph(notes))
    for block in trailing:
        text = [l for l in block]
        if text[0].startswith("Exit status:"):
            text[0] = text[0][len("Exit status:"):].strip()
            p.add('.SH "EXIT STATUS"')
            text[0] = text[0][0].upper() + text[0][1:]
        else:
            if '.SH NOTES' not in p.out:
                p.add(".SH NOTES")
            p.add(".PP")
        p.add(paragraph(text))
    p.add('.SH "SEE ALSO"',
          "bwrap(1), unshare(1), namespaces(7), cgroups(7), capabilities(7), seccomp(2).",
          ".PP",
          "The manual of the library ctrun is built on is the comment at the top of",
          "\\fIcontainer.h\\fR (installed in the include directory next to this page's",
          "prefix, e.g. /usr/local/include/container.h).")
    return "\n".join(p.out) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: ctrun --help | ctrun-man.py VERSION > ctrun.1")
    sys.stdout.write(render(sys.argv[1], *parse(sys.stdin.read())))


if __name__ == "__main__":
    main()
