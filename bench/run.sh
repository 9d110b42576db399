#!/bin/bash
# bench/run.sh - spawn benchmarks of container.h against its peers (bench/README.md).
#
#   make bench                    (as root; or: bash bench/run.sh)
#   BENCH_RUNS=30 make bench      fewer hyperfine/driver runs (default 300)
#   BENCH_QUICK=1 make bench      a quick run: 30 runs, 5 warm-up, 3 s throughput, 50 idle containers,
#                                 3 interception runs of 1 s (BENCH_WARMUP, BENCH_SECONDS, BENCH_IDLE,
#                                 BENCH_ROUNDS, BENCH_BALLAST, BENCH_NOTIFY_RUNS, BENCH_NOTIFY_SECONDS
#                                 override each)
#   BENCH_ONLY="ctrun bwrap"      only these rows (keys as in the JSON); for working on one row
#   BENCH_WAIT_QUIET=600          first wait (up to 600 s) for the 1-minute load average to fall
#                                 below 0.3: other work on the machine skews every figure
#
# Installs the missing peers (bubblewrap crun runc hyperfine busybox-static strace) with apt-get,
# builds build/ctrun and the drivers, a static busybox rootfs in build/bench/rootfs and OCI
# bundles, then runs every measurement inside a private mount namespace (unshare -m) where the cgroup2 mount at
# /sys/fs/cgroup/unified of a hybrid host is hidden (crun refuses to start with it).  The host's
# own mounts are never touched.  Prints one table and writes bench/results/<UTC time>.json (and
# .txt).  A peer that fails is recorded as "failed: reason" and the run goes on.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BENCH_BUILD:-build}
B=$ROOT/$BUILD/bench
R=$B/rootfs
WORK=$B/work
ID=${BENCH_ID:-$$} # names the peers' containers and cgroups (the inner half gets the outer's)
IDS="ctrbench-crun-$ID ctrbench-crunlean-$ID ctrbench-crunlim-$ID ctrbench-runc-$ID ctrbench-runclim-$ID"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
    RUNS=${BENCH_RUNS:-30} WARMUP=${BENCH_WARMUP:-5} TP_SECONDS=${BENCH_SECONDS:-3} IDLE=${BENCH_IDLE:-50}
else
    RUNS=${BENCH_RUNS:-300} WARMUP=${BENCH_WARMUP:-20} TP_SECONDS=${BENCH_SECONDS:-10} IDLE=${BENCH_IDLE:-200}
fi
BALLAST=${BENCH_BALLAST:-4096}
ROUNDS=${BENCH_ROUNDS:-3}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    NOTIFY_RUNS=${BENCH_NOTIFY_RUNS:-3} NOTIFY_SECONDS=${BENCH_NOTIFY_SECONDS:-1}
else
    NOTIFY_RUNS=${BENCH_NOTIFY_RUNS:-9} NOTIFY_SECONDS=${BENCH_NOTIFY_SECONDS:-2}
fi
export RUNS WARMUP TP_SECONDS IDLE ROUNDS BALLAST NOTIFY_RUNS NOTIFY_SECONDS

say() { printf '%s\n' "$*" >&2; }
meta() { printf '%s\t%s\n' "$1" "$2" >>"$WORK/meta.tsv"; } # key, value: for report.py
wanted() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }
# A reason for a failure: the last non-empty lines of a log, on one line.
reason() { grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n "${2:-2}" | tr '\n' ' ' | cut -c1-300; }

cleanup_peers() {
    local id d
    for id in $IDS; do
        command -v crun >/dev/null && crun delete -f "$id" >/dev/null 2>&1
        command -v runc >/dev/null && runc delete -f "$id" >/dev/null 2>&1
    done
    # The cgroups crun and runc were told to use (cgroupsPath /ctrbench-*), if they left any.
    for d in /sys/fs/cgroup/*/ctrbench-*-$ID /sys/fs/cgroup/ctrbench-*-$ID; do
        [ -d "$d" ] && rmdir "$d" 2>/dev/null
    done
    return 0
}

# ---------------------------------------------------------------------------------------------
# Inner half: runs inside the private mount namespace.
# ---------------------------------------------------------------------------------------------
# cli KEY LABEL COMMAND...: one hyperfine row.  The command is run once first, so that a failure
# is reported with its own error message rather than hyperfine's.
cli() {
    local key=$1 label=$2 cmd st
    shift 2
    wanted "$key" || return 0
    printf '%s\n' "$label" >"$WORK/$key.label"
    printf '%q ' "$@" >"$WORK/$key.cmd"
    say "== $label"
    if ! command -v hyperfine >/dev/null; then
        echo "hyperfine is not installed" >"$WORK/$key.err"
        return 0
    fi
    if ! command -v "$1" >/dev/null; then
        echo "$1 is not installed" >"$WORK/$key.err"
        return 0
    fi
    timeout 60 "$@" </dev/null >"$WORK/$key.log" 2>&1
    st=$?
    if [ "$st" != 0 ]; then
        echo "$(reason "$WORK/$key.log" 3) (exit $st)" >"$WORK/$key.err"
        say "   failed: $(cat "$WORK/$key.err")"
        return 0
    fi
    cmd=$(printf '%q ' "$@")
    if ! timeout 900 hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" \
            --export-json "$WORK/$key.json" "$cmd" </dev/null >"$WORK/$key.log" 2>&1; then
        rm -f "$WORK/$key.json"
        echo "hyperfine: $(reason "$WORK/$key.log")" >"$WORK/$key.err"
        say "   failed: $(cat "$WORK/$key.err")"
    fi
    return 0
}

# drv KEY LABEL TIMEOUT COMMAND...: one row from a driver that prints one line of JSON.
drv() {
    local key=$1 label=$2 limit=$3 st
    shift 3
    wanted "$key" || return 0
    printf '%s\n' "$label" >"$WORK/$key.label"
    printf '%q ' "$@" >"$WORK/$key.cmd"
    say "== $label"
    timeout "$limit" "$@" </dev/null >"$WORK/$key.out" 2>"$WORK/$key.log"
    st=$?
    if [ "$st" != 0 ] || ! [ -s "$WORK/$key.out" ]; then
        echo "$(reason "$WORK/$key.log" 3) (exit $st)" >"$WORK/$key.err"
        say "   failed: $(cat "$WORK/$key.err")"
        rm -f "$WORK/$key.out"
        return 0
    fi
    mv "$WORK/$key.out" "$WORK/$key.json"
}

# drv2 KEY LABEL TIMEOUT COMMAND...: two copies of a throughput driver at once (separate
# processes); the row is their sum.
drv2() {
    local key=$1 label=$2 limit=$3 st1 st2
    shift 3
    wanted "$key" || return 0
    printf '%s\n' "$label" >"$WORK/$key.label"
    printf '%q ' "$@" >"$WORK/$key.cmd"
    say "== $label"
    timeout "$limit" "$@" </dev/null >"$WORK/$key.a" 2>"$WORK/$key.log" &
    timeout "$limit" "$@" </dev/null >"$WORK/$key.b" 2>>"$WORK/$key.log"
    st2=$?
    wait $!
    st1=$?
    if [ "$st1" != 0 ] || [ "$st2" != 0 ] || ! [ -s "$WORK/$key.a" ] || ! [ -s "$WORK/$key.b" ]; then
        echo "$(reason "$WORK/$key.log" 3) (exit $st1, $st2)" >"$WORK/$key.err"
        say "   failed: $(cat "$WORK/$key.err")"
        return 0
    fi
    python3 - "$WORK/$key.a" "$WORK/$key.b" >"$WORK/$key.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
print(json.dumps({"processes": 2, "containers": a["containers"] + b["containers"],
                  "seconds": max(a["seconds"], b["seconds"]),
                  "per_second": a["per_second"] + b["per_second"], "each": [a, b]}))
PY
}

# drvm PREFIX KEYS LABELS TIMEOUT COMMAND...: several rows from one driver that prints
# {"rows":{"MODE":{...}}} (notify_bench: its modes take turns); KEYS and LABELS are
# "|"-separated, in the order of the driver's modes (--mode A,B,...); row PREFIX_KEY.
drvm() {
    local prefix=$1 keys=$2 labels=$3 limit=$4 st any=0 k
    shift 4
    for k in ${keys//|/ }; do wanted "${prefix}_$k" && any=1; done
    [ "$any" = 1 ] || return 0
    say "== ${labels//|/, }"
    timeout "$limit" "$@" </dev/null >"$WORK/$prefix.out" 2>"$WORK/$prefix.log"
    st=$?
    python3 - "$WORK" "$prefix" "$keys" "$labels" "$st" "$(reason "$WORK/$prefix.log" 3)" "$(printf '%q ' "$@")" <<'PY'
import json, os, sys
work, prefix, keys, labels, st, why, cmd = sys.argv[1:8]
keys, labels = keys.split("|"), labels.split("|")
try:
    rows = json.load(open(os.path.join(work, prefix + ".out")))["rows"] if st == "0" else None
except (OSError, ValueError, KeyError):
    rows = None
modes = list(rows) if rows else []
for i, (k, label) in enumerate(zip(keys, labels)):
    base = os.path.join(work, "%s_%s" % (prefix, k))
    open(base + ".label", "w").write(label + "\n")
    open(base + ".cmd", "w").write(cmd + "\n")
    if rows is None or i >= len(modes):
        open(base + ".err", "w").write("%s (exit %s)\n" % (why, st))
    else:
        json.dump(rows[modes[i]], open(base + ".json", "w"))
PY
}

inner() {
    local ns_note="no cgroup2 mount at /sys/fs/cgroup/unified: nothing hidden" flen
    if [ "$(readlink /proc/self/ns/mnt)" = "${BENCH_HOST_MNTNS:-}" ]; then
        say "run.sh --inner must run in a private mount namespace (unshare -m); refusing"
        exit 1
    fi
    trap cleanup_peers EXIT
    trap 'cleanup_peers; exit 130' INT TERM
    if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
        # Only in this private namespace: the host keeps its mount.
        if umount -l /sys/fs/cgroup/unified; then
            ns_note="every row ran in a private mount namespace (unshare -m) in which the cgroup2 mount at /sys/fs/cgroup/unified was unmounted (crun refuses a hybrid layout with it); the host's mounts are untouched"
        else
            ns_note="private mount namespace, but unmounting /sys/fs/cgroup/unified in it failed"
        fi
    fi
    meta private_ns "$ns_note"

    local ctrun=$ROOT/$BUILD/ctrun api=$B/spawn_api raw=$B/spawn_raw
    # Does our library still see the cgroup layout it expects here?
    if "$ctrun" --rootfs "$R" --memory 256m --pids 100 --cpus 1 -- /bin/true >"$WORK/check.log" 2>&1; then
        meta ctrun_check "ctrun --rootfs R --memory 256m --pids 100 --cpus 1 works in the private namespace"
    else
        meta ctrun_check "ctrun with limits FAILED in the private namespace: $(reason "$WORK/check.log")"
    fi

    say "== measuring: $RUNS runs, $WARMUP warm-up each"
    # 1. /bin/true with full isolation, as a command.
    cli forkexec "fork+exec, no isolation" "$R/bin/true"
    cli ctrun "ctrun --rootfs-rw" "$ctrun" --rootfs "$R" --rootfs-rw -- /bin/true
    cli ctrun_layer "ctrun (a tmpfs layer over the rootfs)" "$ctrun" --rootfs "$R" -- /bin/true
    cli bwrap "bwrap --unshare-all" bwrap --unshare-all --bind "$R" / --proc /proc --dev /dev --tmpfs /tmp /bin/true
    cli bwrap_nouserns "bwrap, no user namespace" bwrap --unshare-pid --unshare-net --unshare-ipc --unshare-uts \
        --unshare-cgroup --bind "$R" / --proc /proc --dev /dev --tmpfs /tmp /bin/true
    cli crun "crun run (cgroups on)" crun run --bundle "$B/oci/crun" "ctrbench-crun-$ID"
    cli crun_lean "crun run (cgroups off, lean spec)" crun --cgroup-manager=disabled run --bundle "$B/oci/crun-lean" "ctrbench-crunlean-$ID"
    cli runc "runc run (cgroups on)" runc run --bundle "$B/oci/runc" "ctrbench-runc-$ID"
    cli unshare "unshare + chroot" unshare --fork --pid --mount --uts --ipc --net --mount-proc="$R/proc" chroot "$R" /bin/true

    # 2. The same in-process: our API, and raw syscalls as the lower bound.
    drv api "API: ctr_spawn+wait+destroy (rootfs under a tmpfs layer)" 900 "$api" --rootfs "$R" -n "$RUNS" --warmup "$WARMUP"
    drv api_plain "API, rootfs_rw (the rootfs itself, no layer)" 900 "$api" --rootfs "$R" -n "$RUNS" --warmup "$WARMUP" --rootfs-rw
    flen=144
    if wanted raw_hardened && "$api" --rootfs "$R" --filter-len >"$WORK/filter_len.json" 2>"$WORK/filter_len.log"; then
        flen=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["filter_len"])' "$WORK/filter_len.json")
        meta filter_len "$flen instructions: the library's default seccomp filter (read with PTRACE_SECCOMP_GET_FILTER); spawn_raw --hardened installs one as long"
    else
        meta filter_len "$flen instructions (assumed: reading the library's filter length failed: $(reason "$WORK/filter_len.log" 1))"
    fi
    drv raw "raw syscalls (spawn_raw)" 900 "$raw" --rootfs "$R" -n "$RUNS" --warmup "$WARMUP"
    drv raw_hardened "raw syscalls --hardened" 900 "$raw" --rootfs "$R" -n "$RUNS" --warmup "$WARMUP" --hardened --filter-len "$flen"
    drv raw_exec "vfork+exec in-process, no isolation" 900 "$raw" --rootfs "$R" -n "$RUNS" --warmup "$WARMUP" --plain-exec
    drv api_pool "API with a netns pool (ctr_netns_pool)" 900 "$api" --rootfs "$R" -n "$RUNS" --warmup "$WARMUP" --netns-pool 4

    # 3. With limits: memory 256 MiB, 100 pids, 1 CPU.
    cli ctrun_limits "ctrun --rootfs-rw --memory 256m --pids 100 --cpus 1" "$ctrun" --rootfs "$R" --rootfs-rw --memory 256m --pids 100 --cpus 1 -- /bin/true
    drv api_limits "API --limits" 900 "$api" --rootfs "$R" -n "$RUNS" --warmup "$WARMUP" --limits
    cli crun_limits "crun run with limits (cgroups on)" crun run --bundle "$B/oci/crun-limits" "ctrbench-crunlim-$ID"
    cli runc_limits "runc run with limits" runc run --bundle "$B/oci/runc-limits" "ctrbench-runclim-$ID"

    # 4. Host size: the API from a host holding BALLAST MiB.
    drv api_ballast "API, host holding $BALLAST MiB" 900 "$api" --rootfs "$R" -n "$RUNS" --warmup "$WARMUP" --ballast "$BALLAST"

    # 5. Throughput, 1 and 2 spawner threads.
    drv tp1 "throughput, 1 spawner thread" $((TP_SECONDS + 300)) "$api" --rootfs "$R" --threads 1 --seconds "$TP_SECONDS" --warmup "$WARMUP"
    drv tp2 "throughput, 2 spawner threads" $((TP_SECONDS + 300)) "$api" --rootfs "$R" --threads 2 --seconds "$TP_SECONDS" --warmup "$WARMUP"
    drv tp1_pool "  the same with a netns pool, 1 thread" $((TP_SECONDS + 300)) "$api" --rootfs "$R" --threads 1 --seconds "$TP_SECONDS" --warmup "$WARMUP" --netns-pool 4
    drv tp2_pool "  the same with a netns pool, 2 threads" $((TP_SECONDS + 300)) "$api" --rootfs "$R" --threads 2 --seconds "$TP_SECONDS" --warmup "$WARMUP" --netns-pool 4
    # The kernel's own scaling: raw syscalls (--hardened), one process, then two at once.
    drv tpraw1 "raw syscalls --hardened, 1 process" $((TP_SECONDS + 300)) "$raw" --rootfs "$R" --seconds "$TP_SECONDS" --warmup "$WARMUP" --hardened --filter-len "$flen"
    drv2 tpraw2 "raw syscalls --hardened, 2 processes" $((TP_SECONDS + 300)) "$raw" --rootfs "$R" --seconds "$TP_SECONDS" --warmup "$WARMUP" --hardened --filter-len "$flen"

    # 6. Memory per live idle container.
    drv idle "memory, $IDLE idle containers" 900 "$api" --rootfs "$R" --idle "$IDLE" --rounds "$ROUNDS"
    drv idle_nonet "memory, $IDLE idle containers with no_network" 900 "$api" --rootfs "$R" --idle "$IDLE" --rounds "$ROUNDS" --no-network

    # 7. Intercepted system calls per second: the library's callback against a minimal supervisor
    # (the floor), strace -f, and nothing in between; the modes take turns, NOTIFY_RUNS times each.
    local nb=$B/notify_bench loop=$B/syscall_loop kind
    for kind in getppid stat; do
        drvm "notify_$kind" "library|manual|floor_sync|floor|strace|plain|host" \
            "library callback (thread)|library, intercept_manual|minimal supervisor, sync wake-up|minimal supervisor|strace -f|no interception, in the container|no interception, on the host" \
            $((NOTIFY_RUNS * 7 * (NOTIFY_SECONDS + 2) + 120)) \
            "$nb" --mode library,manual,floor-sync,floor,strace,plain,host --rootfs "$R" --loop "$loop" \
            --kind "$kind" --seconds "$NOTIFY_SECONDS" --runs "$NOTIFY_RUNS"
    done
    return 0
}

if [ "${1:-}" = --inner ]; then
    inner
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# Outer half: install, build, rootfs, bundles, machine notes; then the inner half; then the report.
# ---------------------------------------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
    say "bench/run.sh: run as root (it creates namespaces, mounts and cgroups, and installs peers)"
    exit 1
fi
mkdir -p "$B" "$ROOT/bench/results"
rm -rf "$WORK"
mkdir -p "$WORK"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
meta date_utc "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
meta runs "$RUNS"
meta warmup "$WARMUP"
meta quick "${BENCH_QUICK:-0}"
meta tp_seconds "$TP_SECONDS"
meta idle_containers "$IDLE"
meta idle_rounds "$ROUNDS"
meta ballast_mib "$BALLAST"

# Peers: install what is missing, with Debian's packages.
missing=()
for pair in bwrap:bubblewrap crun:crun runc:runc hyperfine:hyperfine strace:strace; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed" || missing+=(busybox-static)
if [ "${#missing[@]}" -gt 0 ]; then
    say "== installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >"$WORK/apt.log" 2>&1 || say "apt-get update failed (see $WORK/apt.log); trying the install anyway"
    apt-get install -y -q "${missing[@]}" </dev/null >>"$WORK/apt.log" 2>&1 ||
        say "apt-get install failed (see $WORK/apt.log); the rows that need it will say so"
fi

# Our own programs (make bench has built them already; this is for bash bench/run.sh).
say "== building"
if ! make -s BUILD="$BUILD" "$BUILD/ctrun" "$BUILD/bench/spawn_api" "$BUILD/bench/spawn_raw" \
        "$BUILD/bench/notify_bench" "$BUILD/bench/syscall_loop" >"$WORK/build.log" 2>&1; then
    cat "$WORK/build.log" >&2
    say "bench/run.sh: the build failed"
    exit 1
fi

# The rootfs: static busybox and four applets.
say "== rootfs $R"
rm -rf "$R"
mkdir -p "$R/bin" "$R/proc" "$R/dev" "$R/tmp" "$R/sys" "$R/etc"
BUSYBOX=$(dpkg -L busybox-static 2>/dev/null | grep -m1 '/bin/busybox$')
BUSYBOX=${BUSYBOX:-/bin/busybox}
if ! cp "$BUSYBOX" "$R/bin/busybox"; then
    say "bench/run.sh: no busybox to copy ($BUSYBOX): is busybox-static installed?"
    exit 1
fi
if command -v file >/dev/null && ! file -L "$R/bin/busybox" | grep -q 'statically linked'; then
    say "bench/run.sh: $BUSYBOX is not a static busybox"
    exit 1
fi
for a in true sh sleep cat; do ln -s busybox "$R/bin/$a"; done
chmod 1777 "$R/tmp"
cp "$B/syscall_loop" "$R/bin/syscall_loop" # the interception rows' workload (static)

# OCI bundles: each tool's own default spec, edited by oci.py.
mkdir -p "$B/oci"
bundle() { # TOOL NAME VARIANT
    local tool=$1 dir=$B/oci/$2
    rm -rf "$dir"
    mkdir -p "$dir"
    command -v "$tool" >/dev/null || return 0
    (cd "$dir" && "$tool" spec >/dev/null 2>"$dir/spec.log" && mv config.json base.json) &&
        python3 "$ROOT/bench/oci.py" "$dir/base.json" "$dir/config.json" --rootfs "$R" --variant "$3" \
            --cgroups-path "/ctrbench-$2-$ID" 2>>"$dir/spec.log" ||
        say "bundle $2: $(reason "$dir/spec.log")"
}
bundle crun crun default
bundle crun crun-lean lean
bundle crun crun-limits limits
bundle runc runc default
bundle runc runc-limits limits

# Machine notes.
meta kernel "$(uname -r)"
meta nproc "$(nproc)"
meta cpu "$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//')"
meta mem_total "$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
meta thp "$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown)"
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    meta cgroup "cgroup v2 (unified at /sys/fs/cgroup: $(cat /sys/fs/cgroup/cgroup.controllers))"
else
    v1=$(awk '$3 == "cgroup" {n = split($4, o, ","); for (i = 1; i <= n; i++) if (o[i] !~ /^(rw|ro|relatime|nosuid|nodev|noexec)$/) printf "%s ", o[i]}' /proc/self/mounts)
    if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
        u="; cgroup2 at /sys/fs/cgroup/unified with controllers: $(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)"
    else
        u=""
    fi
    meta cgroup "v1 hybrid: v1 controllers ${v1% }$u"
fi
ver() { command -v "$1" >/dev/null && "$@" 2>&1 | head -n 1 || echo "not installed"; }
meta v_bwrap "$(ver bwrap --version)"
meta v_crun "$(ver crun --version)"
meta v_runc "$(ver runc --version)"
meta v_hyperfine "$(ver hyperfine --version)"
meta v_strace "$(ver strace --version)"
meta notify_runs "$NOTIFY_RUNS runs of $NOTIFY_SECONDS s per mode, the modes taking turns"
meta v_busybox "$("$R/bin/busybox" 2>&1 | head -n 1)"
meta v_container_h "$(sed -n 's/^#define CONTAINER_VERSION_STRING "\(.*\)"/\1/p' container.h | head -n 1)"
meta git "$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- container.h src 2>/dev/null || echo ' (container.h or src modified)')"
if command -v bwrap >/dev/null; then
    inside=$(bwrap --unshare-all --bind "$R" / --proc /proc --dev /dev /bin/busybox readlink /proc/self/ns/user 2>/dev/null)
    if [ -n "$inside" ] && [ "$inside" != "$(readlink /proc/self/ns/user)" ]; then
        meta bwrap_userns "bwrap --unshare-all run as root creates a user namespace too (--unshare-all includes --unshare-user-try)"
    elif [ -n "$inside" ]; then
        meta bwrap_userns "bwrap --unshare-all run as root creates no user namespace"
    fi
fi

# The measurements, in a private mount namespace.
if [ "${BENCH_WAIT_QUIET:-0}" -gt 0 ] 2>/dev/null; then
    say "== waiting up to ${BENCH_WAIT_QUIET} s for the load average to fall below 0.3"
    for ((i = 0; i < BENCH_WAIT_QUIET; i += 5)); do
        awk '{exit !($1 < 0.3)}' /proc/loadavg && break
        sleep 5
    done
fi
meta load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
export BENCH_HOST_MNTNS BENCH_ID=$ID
BENCH_HOST_MNTNS=$(readlink /proc/self/ns/mnt)
trap cleanup_peers EXIT
trap 'cleanup_peers; exit 130' INT TERM
if ! unshare -m --propagation private -- bash "$ROOT/bench/run.sh" --inner; then
    say "bench/run.sh: the measurements stopped early; reporting what there is"
fi

meta load_end "$(cut -d' ' -f1-3 /proc/loadavg)"

# Leftovers: nothing of ours may stay.
left=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name "ctrbench-*-$ID" 2>/dev/null)
[ -n "$left" ] && meta leftovers "cgroups left behind: $left"

python3 "$ROOT/bench/report.py" "$WORK" "$ROOT/bench/results/$STAMP"

# Networking rows (bench/net_api.c): --net none, --listen, a bridge, pasta and 200 bridged
# containers back to back, in a network namespace of their own (a veth with a default route, for
# pasta), so the machine's network is untouched.  The pasta row needs pasta (Debian: passt),
# which this script does not install: without it the row is left out.
echo "== networking (bench/net_api.c)"
unshare -n sh -c 'ip link set lo up; ip link add h0 type veth peer name h1; ip link set h1 up;
    ip addr add 192.0.2.1/24 dev h0; ip link set h0 up; ip route add default via 192.0.2.254;
    "$0" "${BENCH_RUNS:-100}"' "${BENCH_BUILD:-build}/bench/net_api"
