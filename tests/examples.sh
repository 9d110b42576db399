#!/bin/sh
# The flagship examples as tests (tests/run.sh runs each as one check):
#   sh tests/examples.sh build-step BUILD          examples/build_step.c compiling for real
#   sh tests/examples.sh plugin-host-mix BUILD     examples/plugin_host.c with misbehaving plugins
#   sh tests/examples.sh plugin-host-sigint BUILD  ... ended with SIGINT (Ctrl-C)
# Exits 0 when every expectation holds; prints what did not otherwise.
set -u
what=$1
BUILD=$(cd "$2" && pwd)
tmp=$(mktemp -d /tmp/ctr-examples.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

case "$what" in
build-step)
    cd "$tmp" || exit 1
    printf 'int answer(void) { return 42; }\n' >ok.c
    printf 'int broken(void) { return missing; }\n' >bad.c
    # a good compile: the object lands in the output directory, a report line follows
    "$BUILD/build_step" -o out -- cc -c ok.c -o out/ok.o 2>err.txt || fail "cc ok.c: status $? ($(cat err.txt))"
    [ -s out/ok.o ] || fail "out/ok.o was not written"
    grep -q '^build_step: cc: exit 0, ' err.txt || fail "no report line: $(cat err.txt)"
    # the compiler's own error, and its exit status
    "$BUILD/build_step" -o out -- cc -c bad.c -o out/bad.o 2>err.txt
    status=$?
    [ "$status" -eq 1 ] || fail "cc bad.c: status $status, expected 1"
    grep -q "bad.c:1:.*'missing' undeclared" err.txt || fail "the compiler's message is missing: $(cat err.txt)"
    grep -q '^build_step: cc: exit 1, ' err.txt || fail "no report line for the failure"
    # the source tree is read-only, the rest of the host's /tmp is not there, out/ is writable
    touch "$tmp.marker"
    "$BUILD/build_step" -q -o out -- sh -c 'touch ok.c.new 2>/dev/null && exit 3; touch out/fine || exit 4
        [ -e '"$tmp.marker"' ] && exit 5; exit 0'
    status=$?
    rm -f "$tmp.marker"
    [ "$status" -eq 0 ] || fail "sandbox check: status $status (3: source writable, 4: out not writable, 5: host /tmp visible)"
    [ ! -e ok.c.new ] && [ -e out/fine ] || fail "files written where they should not be"
    # no network, a time limit
    "$BUILD/build_step" -q -t 1 -- sleep 30
    status=$?
    [ "$status" -eq 137 ] || fail "time limit: status $status, expected 137"
    "$BUILD/build_step" -q -- sh -c 'test "$(ls /sys/class/net 2>/dev/null | tr -d "\n")" = "" -o "$(cat /proc/net/dev | wc -l)" -eq 3'
    [ $? -eq 0 ] || fail "a network interface other than lo is there"
    ;;
plugin-host-mix)
    "$BUILD/plugin_host" -n 6 -s 8 --mix >"$tmp/out.txt" 2>&1
    status=$?
    last=$(tail -n 1 "$tmp/out.txt")
    [ "$status" -eq 0 ] || fail "status $status: $last"
    echo "$last"
    for kind in crash hang flood "stopped reading" exited; do
        echo "$last" | grep -Eq "$kind [1-9]" || fail "no $kind was noticed: $last"
    done
    echo "$last" | grep -q 'nothing left$' || fail "$last"
    echo "$last" | grep -Eq ' [1-9][0-9]* msgs/s' || fail "no messages went through: $last"
    ;;
plugin-host-sigint)
    "$BUILD/plugin_host" -n 4 -q >"$tmp/out.txt" 2>&1 &
    pid=$!
    sleep 2
    kill -INT "$pid"
    wait "$pid"
    status=$?
    last=$(tail -n 1 "$tmp/out.txt")
    [ "$status" -eq 0 ] || fail "status $status after SIGINT: $last"
    echo "$last" | grep -Eq '^plugin_host: 4 plugins alive, [1-9][0-9]* msgs/s, 0 restarts.*nothing left$' ||
        fail "$last"
    echo "$last"
    ;;
*)
    fail "unknown example test $what"
    ;;
esac
exit 0
