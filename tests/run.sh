#!/bin/sh
# The whole test suite (`make test` runs it as `sh tests/run.sh build`):
#   1. container.h is what amalgamate.py makes from src/, and everything builds
#   2. the compile checks (Makefile targets BUILD/compile/NAME.ok, one test each)
#   3. build/tests/test_core, the container tests, and build/tests/test_escape, the escape attempts
#      (tests/escape/: attack.c runs inside the containers)
#   4. build/tests/test_layers, copy-on-write layers, rootless ranges, idmapped roots, the user
#      namespace diagnoses, no_network, and the fleet example (examples/fleet.c) at N=200;
#      build/tests/test_net, networking, in namespaces each test makes (the machine's links,
#      addresses and nft ruleset are compared before and after)
#   5. build/tests/test_host, the library in a demanding host program (threads, cancellation,
#      forks, a host killed mid-spawn, the dumpable flag, a stress run of all at once), and
#      build/tests/test_limits, the resource-limit tests, on this machine's cgroups (v1 or v2)
#   6. build/tests/test_policy, system calls answered by the host and Landlock rules (and
#      ctrun's options for them); build/tests/test_ctrun, ctrun's own behaviour (messages, options, paths);
#      build/tests/test_lifecycle (created, released and attached containers, the runtime
#      features), ocirun by hand and under Podman (rootful and rootless) and containerd
#      (tests/engines.sh); the examples
#   7. make install into a staging directory (pkg-config, a program built with its flags, ctrun
#      and its man page, make uninstall), and the man page against ctrun --help and its options;
#      the Python binding (tests/check_python.sh: built and installed into a venv, then pytest)
#   8. the fuzz targets (tests/fuzz/: ctrun's option parsing, the spec validation, ocirun's
#      config reader), a few seconds each from the committed seeds, and build/tests/test_core_asan,
#      the container tests under ASan/UBSan
#   9. with CONTAINER_TEST_VM=1: the resource-limit tests again in QEMU VMs (through
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
check build 0 make -s --no-print-directory BUILD="$BUILD" all "$BUILD/tests/test_core_asan"

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

section "layers, user namespaces and no_network (with the fleet example at N=200)"
run_suite test_layers "$BUILD/tests/test_layers"

section "network tests (each in network namespaces of its own; the machine's own network must not change)"
host_net() { { ip -o link show; ip -o addr show; nft list ruleset 2>&1; } | sed 's/ *link-netnsid [0-9]*//' ; }
host_net >"$LOGDIR/host-net.before" 2>&1
run_suite test_net "$BUILD/tests/test_net"
host_net >"$LOGDIR/host-net.after" 2>&1
if diff "$LOGDIR/host-net.before" "$LOGDIR/host-net.after" >"$LOGDIR/host-net.diff"; then
    pass host-network-unchanged
else
    fail host-network-unchanged "ip link, ip addr or nft list ruleset changed" "$LOGDIR/host-net.diff"
fi

section "resource-limit tests"
run_suite test_limits "$BUILD/tests/test_limits"

section "policy tests (intercepted system calls, Landlock)"
run_suite test_policy "$BUILD/tests/test_policy"

section "ctrun (messages, options, paths)"
run_suite test_ctrun "$BUILD/tests/test_ctrun"

section "lifecycle tests (created, released and attached containers, runtime features)"
run_suite test_lifecycle "$BUILD/tests/test_lifecycle"

section "OCI runtime: ocirun by hand, under Podman and containerd"
check ocirun-lifecycle 0 bash tests/engines.sh ocirun "$BUILD"
check engine-podman 0 bash tests/engines.sh podman "$BUILD"
check engine-podman-rootless 0 bash tests/engines.sh podman-rootless "$BUILD"
check engine-containerd 0 bash tests/engines.sh containerd "$BUILD"

section "examples"
check example-hello 0 "$BUILD/hello"
check example-ctrun-help 0 "$BUILD/ctrun" --help
check example-ctrun-true 0 "$BUILD/ctrun" --ro -- /bin/true
check example-ctrun-exit-status 3 "$BUILD/ctrun" -- /bin/sh -c 'exit 3'
check example-ctrun-not-found 127 "$BUILD/ctrun" -- /nonexistent-command
check example-ctrun-bad-rootfs 125 "$BUILD/ctrun" --rootfs /nonexistent-rootfs -- /bin/true
check example-make-demo 0 make -s --no-print-directory BUILD="$BUILD" demo
check example-broker 0 "$BUILD/broker"
check example-build-step 0 sh tests/examples.sh build-step "$BUILD"
check example-plugin-host-mix 0 sh tests/examples.sh plugin-host-mix "$BUILD"
check example-plugin-host-sigint 0 sh tests/examples.sh plugin-host-sigint "$BUILD"

section "install, pkg-config and the man page"
check man-page-matches-help 0 python3 tests/check_man.py "$BUILD"
check install-staged-pkg-config 0 sh tests/check_install.sh "$BUILD"

section "Python binding (bindings/python: pip install into a venv, pytest)"
run_suite python-binding sh tests/check_python.sh "$BUILD"

section "fuzzing (libFuzzer, ASan/UBSan; FUZZ_SECONDS each, 5 by default)"
for f in ctrun_args spec config; do
    check "fuzz-$f" 0 make -s --no-print-directory BUILD="$BUILD" FUZZ_SECONDS="${FUZZ_SECONDS:-5}" "fuzz-$f"
done

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
