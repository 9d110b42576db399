#!/bin/sh
# The whole test suite (`make test` runs it as `sh tests/run.sh build`):
#   1. container.h is what amalgamate.py makes from src/, and everything builds
#   2. the compile checks (Makefile targets BUILD/compile/NAME.ok, one test each)
#   3. build/tests/test_core, the container tests, and build/tests/test_escape, the escape attempts
#      (tests/escape/: attack.c runs inside the containers)
#   4. build/tests/test_host, the library in a demanding host program (threads, cancellation,
#      forks, a host killed mid-spawn, the dumpable flag, a stress run of all at once), and
#      build/tests/test_limits, the resource-limit tests, on this machine's cgroups (v1 or v2)
#   5. build/tests/test_lifecycle (manual section 13), ocirun by hand and under Podman (rootful and
#      rootless) and containerd (tests/engines.sh), the config reader's fuzz target for 20 s
#      (FUZZ_SECONDS), then the examples
#   6. build/tests/test_core_asan, the container tests under ASan/UBSan
#   7. with CONTAINER_TEST_VM=1: the resource-limit tests again in QEMU VMs (through
#      ../shared/tools/vm-run.sh), one with a pure cgroup v2 hierarchy (`make test-vm`) and one
#      with the hybrid cgroup v1 layout (`make test-vm-v1`); a VM that does not come up counts as
#      a failure
# Prints one line per test and ends with exactly one line "N passed, N failed"; exits 1 if
# anything failed.  Set CONTAINER_TEST_MUST_WORK=1 to turn skips into failures (CI does); tests
# that do not apply to this machine (a cgroup v2 test on a v1 host) stay skips.
BUILD=${1:-build}
PASSED=0
FAILED=0
SKIPPED=0
LOGDIR="$BUILD/test-logs"
mkdir -p "$LOGDIR"

pass() { echo "ok $1"; PASSED=$((PASSED + 1)); }

# fail NAME REASON [LOG]: the reason, then the log's last lines indented.
fail() {
    echo "FAIL $1: $2"
    if [ -n "$3" ] && [ -s "$3" ]; then tail -n 15 "$3" | sed 's/^/    /'; fi
    FAILED=$((FAILED + 1))
}

section() { echo "== $1"; }

# check NAME EXPECTED_STATUS CMD...: one test, passed when CMD exits with EXPECTED_STATUS.
check() {
    name=$1 want=$2
    shift 2
    log="$LOGDIR/$name.log"
    "$@" </dev/null >"$log" 2>&1
    got=$?
    if [ "$got" -eq "$want" ]; then pass "$name"; else fail "$name" "exit status $got, expected $want" "$log"; fi
}

# run_suite NAME CMD...: a harness binary; adds the counts of its last line
# "N passed, N failed, N skipped" (a missing line is one failure).
run_suite() {
    name=$1
    shift
    log="$LOGDIR/$name.log"
    { "$@" </dev/null; echo "exit status $?" >"$log.rc"; } 2>&1 | tee "$log"
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$summary" ]; then
        fail "$name" "ended without a summary line ($(cat "$log.rc"))"
        return
    fi
    p=$(echo "$summary" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$summary" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    s=$(echo "$summary" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
    SKIPPED=$((SKIPPED + ${s:-0}))
    if [ "$f" -eq 0 ] && ! grep -q '^exit status 0$' "$log.rc"; then
        fail "$name" "$(cat "$log.rc") although no test failed"
    fi
}

section "build"
check amalgamation-is-fresh 0 python3 amalgamate.py --check
check build 0 make -s --no-print-directory BUILD="$BUILD" all "$BUILD/tests/test_core_asan" \
    "$BUILD/fuzz_config"

section "compile checks"
rm -f "$BUILD"/compile/*.ok
for name in $(make -s --no-print-directory BUILD="$BUILD" print-compile-checks); do
    check "compile-$name" 0 make -s --no-print-directory BUILD="$BUILD" "$BUILD/compile/$name.ok"
done

section "container tests"
run_suite test_core "$BUILD/tests/test_core"

section "container escape tests"
run_suite test_escape "$BUILD/tests/test_escape"

section "host-program tests (threads, cancellation, forks, a dying host, stress)"
run_suite test_host "$BUILD/tests/test_host"

section "resource-limit tests"
run_suite test_limits "$BUILD/tests/test_limits"

section "lifecycle tests (created, released and attached containers, runtime features)"
run_suite test_lifecycle "$BUILD/tests/test_lifecycle"

section "OCI runtime: ocirun by hand, under Podman and containerd, the config reader fuzzed"
check ocirun-lifecycle 0 bash tests/engines.sh ocirun "$BUILD"
check engine-podman 0 bash tests/engines.sh podman "$BUILD"
check engine-podman-rootless 0 bash tests/engines.sh podman-rootless "$BUILD"
check engine-containerd 0 bash tests/engines.sh containerd "$BUILD"
fuzzdir=$(mktemp -d /tmp/ctr-fuzz.XXXXXX)
check fuzz-config 0 "$BUILD/fuzz_config" -max_total_time="${FUZZ_SECONDS:-20}" -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$LOGDIR/fuzz-" "$fuzzdir" tests/fuzz/corpus
rm -rf "$fuzzdir"

section "examples"
check example-hello 0 "$BUILD/hello"
check example-ctrun-help 0 "$BUILD/ctrun" --help
check example-ctrun-true 0 "$BUILD/ctrun" --ro -- /bin/true
check example-ctrun-exit-status 3 "$BUILD/ctrun" -- /bin/sh -c 'exit 3'
check example-ctrun-not-found 127 "$BUILD/ctrun" -- /nonexistent-command
check example-ctrun-bad-rootfs 125 "$BUILD/ctrun" --rootfs /nonexistent-rootfs -- /bin/true
check example-make-demo 0 make -s --no-print-directory BUILD="$BUILD" demo
check example-build-step 0 sh tests/examples.sh build-step "$BUILD"
check example-plugin-host-mix 0 sh tests/examples.sh plugin-host-mix "$BUILD"
check example-plugin-host-sigint 0 sh tests/examples.sh plugin-host-sigint "$BUILD"

section "container tests under ASan/UBSan"
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
    run_suite test_core_asan "$BUILD/tests/test_core_asan"

if [ "${CONTAINER_TEST_VM:-0}" = 1 ]; then
    section "resource-limit tests in a cgroup v2 VM"
    run_suite test_limits_vm make -s --no-print-directory BUILD="$BUILD" test-vm
    section "resource-limit tests in a cgroup v1 (hybrid) VM"
    run_suite test_limits_vm_v1 make -s --no-print-directory BUILD="$BUILD" test-vm-v1
fi

if [ "$SKIPPED" -gt 0 ]; then echo "($SKIPPED skipped)"; fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
