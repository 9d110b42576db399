#!/bin/sh
# The Python binding as a user installs it: a venv (--system-site-packages, for Debian's cffi,
# setuptools, wheel and pytest; nothing of the system's Python is changed), then
#     pip install --no-build-isolation --no-index <a copy of bindings/python>
# (with CONTAINER_H=this repository's container.h; the copy keeps build files out of the tree),
# then pytest on bindings/python/tests with the venv's python.
#     sh tests/check_python.sh BUILD_DIR
# Ends with "N passed, N failed, N skipped" (pytest's counts; errors count as failed, and with
# CONTAINER_TEST_MUST_WORK=1 so do skips); exits 1 if anything failed.  PYTHON: the interpreter
# (default /usr/bin/python3, Debian's: its packages are those the binding is built with).
BUILD=${1:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || PYTHON=python3
top=$(pwd)
dir="$BUILD/python"
log="$dir/log"
give_up() { echo "check_python: $*"; [ -s "$log" ] && tail -n 20 "$log" | sed 's/^/    /'; echo "0 passed, 1 failed"; exit 1; }

rm -rf "$dir" && mkdir -p "$dir/src" || give_up "cannot make $dir"
: >"$log"
(cd bindings/python && tar cf - --exclude=build --exclude='*.egg-info' --exclude=__pycache__ .) |
    (cd "$dir/src" && tar xf -) || give_up "cannot copy bindings/python"
"$PYTHON" -m venv --system-site-packages "$dir/venv" >>"$log" 2>&1 ||
    give_up "$PYTHON -m venv failed (Debian: python3-venv)"
CONTAINER_H="$top/container.h" "$dir/venv/bin/python" -m pip install --no-build-isolation \
    --no-index --no-cache-dir --disable-pip-version-check "$dir/src" >>"$log" 2>&1 ||
    give_up "pip install --no-build-isolation failed (python3-cffi python3-setuptools python3-wheel python3-dev?)"
# From the repository's top: bindings/python (the sources, without the extension) is not on
# sys.path, so the tests import the installed package.
out="$dir/pytest.log"
CONTAINER_H="$top/container.h" "$dir/venv/bin/python" -m pytest -p no:cacheprovider -q -rs \
    "$top/bindings/python/tests" </dev/null >"$out" 2>&1
status=$?
cat "$out"
summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed|skipped|error)' "$out" | tail -n 1)
count() { echo "$summary" | grep -oE "[0-9]+ $1" | grep -oE '[0-9]+' || echo 0; }
passed=$(count passed)
failed=$(($(count failed) + $(count error)))
skipped=$(count skipped)
if [ "${CONTAINER_TEST_MUST_WORK:-0}" = 1 ] && [ "$skipped" -gt 0 ]; then
    echo "check_python: $skipped skipped with CONTAINER_TEST_MUST_WORK=1: counted as failed"
    failed=$((failed + skipped))
    skipped=0
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "check_python: pytest exited with $status"
    failed=1
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    echo "check_python: pytest ran no test"
    failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
