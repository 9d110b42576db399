"""The cffi build of container_h._container, made from container.h itself (cffi's API mode).

The declarations given to cffi are container.h's public part, run through the C preprocessor
(so the X-macro enum of the steps expands), and its integer macros (CTR_*), declared with
"..." so that the compiler supplies their values.  In API mode cffi compiles a C extension that
includes container.h (with CONTAINER_IMPLEMENTATION: the library is inside the extension) and
checks every struct, enum and function against it: a field that changes in the header changes
here at the next build, and a mismatch is a compile error, not a silent misreading.

Which container.h: $CONTAINER_H if set; else the repository's (../../container.h from this file);
else the one `pkg-config --cflags container` points to (after `make install`).
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))


def find_header():
    env = os.environ.get("CONTAINER_H")
    if env:
        if not os.path.isfile(env):
            sys.exit("container_h: $CONTAINER_H=%s is not a file" % env)
        return os.path.abspath(env)
    repo = os.path.join(HERE, "..", "..", "container.h")
    if os.path.isfile(repo):
        return os.path.abspath(repo)
    try:
        flags = subprocess.run(["pkg-config", "--cflags-only-I", "container"], check=True,
                               capture_output=True, text=True).stdout
        for flag in shlex.split(flags):
            path = os.path.join(flag[2:], "container.h")
            if os.path.isfile(path):
                return path
        for path in ("/usr/local/include/container.h", "/usr/include/container.h"):
            if os.path.isfile(path):
                return path
    except (OSError, subprocess.CalledProcessError):
        pass
    sys.exit("container_h: container.h not found: set CONTAINER_H=/path/to/container.h, build "
             "from the repository (bindings/python), or `make install` it (pkg-config container)")


def public_part(text):
    """The declarations between '#ifndef CONTAINER_H' and its '#endif', without the includes."""
    start = text.index("\n#ifndef CONTAINER_H\n")
    end = text.index("\n#endif /* CONTAINER_H */", start)
    return "\n".join(l for l in text[start:end].split("\n") if not l.startswith("#include"))


def cdef_from_header(header):
    text = open(header).read()
    public = public_part(text)
    cc = os.environ.get("CC", "cc")
    with tempfile.NamedTemporaryFile("w", suffix=".h", delete=False) as f:
        f.write(public + "\n#endif\n")
        name = f.name
    try:
        expanded = subprocess.run(shlex.split(cc) + ["-E", "-P", "-x", "c", name], check=True,
                                  capture_output=True, text=True).stdout
    finally:
        os.unlink(name)
    # What the preprocessor leaves that cffi's C parser does not take.
    expanded = expanded.replace("extern ", "")
    # The integer macros, values from the compiler: CTR_NS_USER, CTR_CAPS_DEFAULT, ...
    macros = sorted(set(re.findall(r"^#define (CTR_[A-Z0-9][A-Z0-9_]*|CONTAINER_VERSION_(?:MAJOR|MINOR|"
                                   r"PATCH))[ \t]+\S", public, re.M)))
    return "\n".join(
        ["typedef int... uid_t;", "typedef int... gid_t;", "typedef int... pid_t;", expanded] +
        ["#define %s ..." % m for m in macros] +
        ["static const char ctr_py_version[];"])


HEADER = find_header()
ffibuilder = FFI()
ffibuilder.cdef(cdef_from_header(HEADER))
ffibuilder.set_source(
    "container_h._container",
    '#define CONTAINER_IMPLEMENTATION\n'
    '#include "container.h"\n'
    'static const char ctr_py_version[] = CONTAINER_VERSION_STRING;\n',
    include_dirs=[os.path.dirname(HEADER)],
    define_macros=[("_GNU_SOURCE", "1")],
    libraries=["pthread"],
    extra_compile_args=["-std=gnu99"],
    depends=[HEADER],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
