#!/bin/bash
# Container engines running their containers through build/ocirun (tests/run.sh runs each as one
# check; root only):
#   bash tests/engines.sh ocirun BUILD              ocirun's own command line, by hand
#   bash tests/engines.sh podman BUILD              Podman (Debian's 4.3), --runtime ocirun
#   bash tests/engines.sh podman-rootless BUILD     the same as uid 65534
#   bash tests/engines.sh containerd BUILD          containerd 1.6 (its daemon started here), the
#                                                   runc shim with BinaryName = ocirun
# Everything runs in a private mount and network namespace (unshare -m -n): a fresh tmpfs on /run
# and the engines' storage in a temporary directory, /sys/fs/cgroup/unified unmounted on this
# hybrid-cgroup host (as make bench does for crun), the firewall chains the engines add inside
# that network namespace and flushed before it goes.  The image is a busybox rootfs imported
# locally (podman import, ctr image import): no network.  Exits 0 when every expectation holds;
# prints what did not otherwise.
set -u
what=$1
BUILD=$(cd "$2" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OCIRUN=$BUILD/ocirun

if [ "${ENGINES_INNER:-0}" != 1 ]; then
    [ "$(id -u)" = 0 ] || { echo "FAIL: needs root"; exit 1; }
    [ -x "$OCIRUN" ] || { echo "FAIL: $OCIRUN is missing (make build/ocirun)"; exit 1; }
    WORK=$(mktemp -d /tmp/ctr-engines.XXXXXX)
    chmod 755 "$WORK"
    export WORK ENGINES_INNER=1
    had_varlib=0
    [ -e /var/lib/containers ] && had_varlib=1
    unshare -m -n --propagation private bash "$0" "$@"
    status=$?
    [ "$had_varlib" = 1 ] || rmdir /var/lib/containers 2>/dev/null
    # the engines' leftovers: cgroups of containers that went wrong, the work directory
    for d in /sys/fs/cgroup/*/ctrtest-* /sys/fs/cgroup/*/ctrtest.slice /sys/fs/cgroup/*/libpod_parent \
        /sys/fs/cgroup/*/ctrtest; do
        [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
    rm -rf "$WORK" 2>/dev/null || { umount -R "$WORK" 2>/dev/null; rm -rf "$WORK"; }
    exit $status
fi

# ---- inside the private namespaces ----
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }
# expect NAME WANT CMD...: CMD's output (stdout and stderr) must contain WANT
expect() {
    local name=$1 want=$2 out
    shift 2
    out=$(timeout 120 "$@" 2>&1 </dev/null)
    if printf '%s' "$out" | grep -qF -- "$want"; then
        ok "$name"
    else
        fail "$name: expected \"$want\" from: $*"
        printf '%s\n' "$out" | tail -n 12 | sed 's/^/    /'
    fi
}

if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then umount /sys/fs/cgroup/unified; fi
mount -t tmpfs -o mode=755 tmpfs /run
# podman's blob cache goes to /var/lib/containers whatever its graphroot: a tmpfs there too
mkdir -p /var/lib/containers && mount -t tmpfs -o mode=700 tmpfs /var/lib/containers
ip link set lo up
cd "$WORK" || exit 1
export TMPDIR=$WORK/tmp HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config
mkdir -p "$HOME"
mkdir -p "$TMPDIR" && chmod 1777 "$TMPDIR"

# A busybox root filesystem, and a tar of it for the engines to import.
make_rootfs() {
    local r=$1 a
    mkdir -p "$r/bin" "$r/proc" "$r/dev" "$r/sys" "$r/tmp" "$r/etc" "$r/www" "$r/root"
    cp /bin/busybox "$r/bin/busybox"
    for a in $("$r/bin/busybox" --list); do [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"; done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
    echo 'root:x:0:' >"$r/etc/group"
    echo 'hello from ocirun' >"$r/www/index.html"
    chmod 1777 "$r/tmp"
}
make_rootfs "$WORK/rootfs"
tar -C "$WORK/rootfs" -cf "$WORK/busybox.tar" .

flush_firewall() {
    local t
    for t in filter nat mangle raw; do
        iptables -t $t -F 2>/dev/null
        iptables -t $t -X 2>/dev/null
    done
    nft flush ruleset 2>/dev/null
    return 0
}

podman_conf() { # $1: directory for config and storage
    mkdir -p "$1/net"
    cat >"$1/containers.conf" <<EOF
[containers]
# podman asks for 1048576 open files and processes, above this machine's hard limits
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
log_driver = "k8s-file"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$1/events.log"
runtime = "ocirun"
[engine.runtimes]
ocirun = ["$OCIRUN"]
[network]
network_backend = "netavark"
network_config_dir = "$1/net"
EOF
    cat >"$1/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$1/runroot"
graphroot = "$1/graph"
EOF
}

case "$what" in
ocirun)
    R="$OCIRUN --root $WORK/state"
    mkdir -p "$WORK/bundle"
    cp -a "$WORK/rootfs" "$WORK/bundle/rootfs"
    (cd "$WORK/bundle" && $OCIRUN spec) || fail "ocirun spec"
    python3 - "$WORK/bundle/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["sh", "-c", "echo started >/tmp/started; exec sleep 1000"]
c["root"]["readonly"] = False
c["linux"]["cgroupsPath"] = "/ctrtest/ocirun"
hook = {"path": "/bin/sh", "args": ["sh", "-c", "cat > \"$0\"", sys.argv[1] + ".poststop"]}
c["hooks"] = {"poststop": [hook]}
json.dump(c, open(sys.argv[1], "w"), indent=1)
EOF
    $R create --bundle "$WORK/bundle" --pid-file "$WORK/pid" t1 || fail "create"
    expect "state created" '"status": "created"' $R state t1
    pid=$(cat "$WORK/pid")
    [ -n "$pid" ] && [ -d "/proc/$pid" ] || fail "pid file: $pid"
    [ ! -e "$WORK/bundle/rootfs/tmp/started" ] || fail "the process ran before start"
    $R start t1 || fail "start"
    expect "state running" '"status": "running"' $R state t1
    for i in $(seq 50); do [ -e "$WORK/bundle/rootfs/tmp/started" ] && break; sleep 0.1; done
    [ -e "$WORK/bundle/rootfs/tmp/started" ] || fail "the process did not run after start"
    expect "exec" "exec-ok" $R exec t1 sh -c 'echo exec-ok'
    expect "exec sees pid 1" "sleep 1000" $R exec t1 sh -c 'tr "\\0" " " </proc/1/cmdline'
    expect "ps" "$pid" $R ps --format json t1
    $R pause t1 || fail "pause"
    expect "state paused" '"status": "paused"' $R state t1
    $R resume t1 || fail "resume"
    expect "delete refuses a running container" "use --force" $R delete t1
    expect "list" "t1" $R list
    $R kill t1 KILL || fail "kill"
    for i in $(seq 50); do $R state t1 | grep -q stopped && break; sleep 0.1; done
    expect "state stopped" '"status": "stopped"' $R state t1
    $R delete t1 || fail "delete"
    [ -s "$WORK/bundle/config.json.poststop" ] && grep -q '"id":"t1"' "$WORK/bundle/config.json.poststop" ||
        fail "poststop hook: no state on its stdin"
    [ ! -d "$WORK/state/t1" ] || fail "state directory left behind"
    ls -d /sys/fs/cgroup/*/ctrtest/ocirun 2>/dev/null && fail "cgroup left behind"
    expect "unsupported field is named" "linux.intelRdt is not supported" sh -c "
        python3 -c 'import json; c=json.load(open(\"$WORK/bundle/config.json\")); c[\"linux\"][\"intelRdt\"]={}; json.dump(c,open(\"$WORK/bundle/config.json\",\"w\"))'
        $R create --bundle $WORK/bundle t2"
    [ ! -d "$WORK/state/t2" ] || fail "a failed create left its state"
    # the error in the log file, as JSON (containerd's shim reads it)
    $OCIRUN --root "$WORK/state" --log "$WORK/log.json" --log-format json create \
        --bundle "$WORK/bundle" t2 2>/dev/null && fail "create with intelRdt succeeded"
    grep -q '"level":"error","msg":".*linux.intelRdt is not supported' "$WORK/log.json" ||
        fail "no JSON error in the log: $(cat "$WORK/log.json")"
    # --systemd-cgroup: slice:prefix:name as the cgroup systemd would make
    python3 - "$WORK/bundle/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
del c["linux"]["intelRdt"]
c["linux"]["cgroupsPath"] = "ctrtest.slice:ocirun:t3"
c["process"]["args"] = ["cat", "/proc/self/cgroup"]
json.dump(c, open(sys.argv[1], "w"), indent=1)
EOF
    $OCIRUN --root "$WORK/state" --systemd-cgroup create --bundle "$WORK/bundle" t3 ||
        fail "create with --systemd-cgroup"
    found=0
    for d in /sys/fs/cgroup/ctrtest.slice/ocirun-t3.scope /sys/fs/cgroup/*/ctrtest.slice/ocirun-t3.scope; do
        [ -d "$d" ] && found=1
    done
    [ "$found" = 1 ] && ok "--systemd-cgroup path" || fail "--systemd-cgroup: no ctrtest.slice/ocirun-t3.scope"
    $OCIRUN --root "$WORK/state" delete --force t3 || fail "delete t3"
    # concurrent commands on one ID: of four creates exactly one wins; states and a delete
    # racing each other all end cleanly
    for i in 1 2 3 4; do
        ($OCIRUN --root "$WORK/state" create --bundle "$WORK/bundle" t4 >/dev/null 2>&1 &&
            echo won >>"$WORK/races") &
    done
    wait
    [ "$(wc -l <"$WORK/races" 2>/dev/null)" = 1 ] && ok "concurrent creates: one wins" ||
        fail "concurrent creates: $(cat "$WORK/races" 2>/dev/null | wc -l) won"
    for i in 1 2 3; do $OCIRUN --root "$WORK/state" state t4 >/dev/null 2>&1 & done
    $OCIRUN --root "$WORK/state" delete --force t4 || fail "delete t4"
    wait
    [ ! -d "$WORK/state/t4" ] || fail "t4 left behind"
    ls -d /sys/fs/cgroup/*/ctrtest.slice/ocirun-t3.scope 2>/dev/null && fail "cgroup left behind"
    rmdir /sys/fs/cgroup/*/ctrtest.slice /sys/fs/cgroup/ctrtest.slice 2>/dev/null
    # a user namespace with id ranges, the root as it is (as runc and crun: not idmapped, so its
    # root-owned files show as the overflow id 65534)
    python3 - "$WORK/bundle/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["cgroupsPath"] = "/ctrtest/ocirun-t5"
c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 1000},
                             {"containerID": 1000, "hostID": 300000, "size": 10}]
c["process"]["args"] = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; stat -c owner=%u /bin/busybox"]
json.dump(c, open(sys.argv[1], "w"), indent=1)
EOF
    out=$(timeout 60 $OCIRUN --root "$WORK/state" run --bundle "$WORK/bundle" t5 2>&1 </dev/null)
    want=$(printf '%10u %10u %10u\n' 0 100000 65536 0 200000 1000 1000 300000 10; echo owner=65534)
    [ "$out" = "$want" ] && ok "uidMappings and gidMappings with ranges" ||
        fail "uidMappings ranges: got: $out"
    [ ! -d "$WORK/state/t5" ] || fail "t5 left behind"
    ls -d /sys/fs/cgroup/*/ctrtest/ocirun-t5 2>/dev/null && fail "t5's cgroup left behind"
    rmdir /sys/fs/cgroup/*/ctrtest 2>/dev/null
    ;;
podman)
    podman_conf "$WORK/pm"
    export CONTAINERS_CONF=$WORK/pm/containers.conf CONTAINERS_STORAGE_CONF=$WORK/pm/storage.conf
    P="podman"
    $P import -q "$WORK/busybox.tar" localhost/ctrtest-bb:latest >/dev/null || fail "podman import"
    expect "podman run" "hello-podman" $P run --rm localhost/ctrtest-bb echo hello-podman
    expect "podman info shows ocirun" "ocirun" $P info --format '{{.Host.OCIRuntime.Path}}'
    # (the sleep: conmon may drop what a terminal printed just before the container exits, as it
    # did once in a full run here; the output is what is checked, not its last moment)
    expect "podman run -it (a terminal)" "/dev/pts/0" \
        script -qec "$P run -it --rm localhost/ctrtest-bb sh -c 'tty; stty size; sleep 1'" /dev/null
    $P run -d --name ctrtest-c1 localhost/ctrtest-bb sh -c 'echo started-c1; exec sleep 1000' >/dev/null ||
        fail "podman run -d"
    expect "podman exec" "exec-c1" $P exec ctrtest-c1 sh -c 'echo exec-c1'
    expect "podman exec sees pid 1" "sleep" $P exec ctrtest-c1 sh -c 'tr "\\0" " " </proc/1/cmdline'
    expect "podman exec -it" "/dev/pts/" script -qec "$P exec -it ctrtest-c1 tty" /dev/null
    expect "podman logs" "started-c1" $P logs ctrtest-c1
    expect "podman top" "sleep" $P top ctrtest-c1
    expect "podman stop" "ctrtest-c1" $P stop -t 2 ctrtest-c1
    expect "podman ps -a: exited" "Exited" $P ps -a --filter name=ctrtest-c1
    expect "podman rm" "ctrtest-c1" $P rm ctrtest-c1
    # --uidmap: Podman makes a copy of the image owned by the range and passes the maps
    expect "podman run --uidmap" "map 0:100000:65536 wrote" $P run --rm --uidmap 0:100000:65536 \
        localhost/ctrtest-bb sh -c 'set -- $(cat /proc/self/uid_map); touch /x && echo "map $1:$2:$3 wrote"'
    expect "podman memory limit" "67108864" $P run --rm -m 64m localhost/ctrtest-bb \
        sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
    $P run -d --name ctrtest-web -p 127.0.0.1:18080:8080 localhost/ctrtest-bb \
        httpd -f -p 8080 -h /www >/dev/null || fail "podman run -p"
    got=""
    for i in $(seq 50); do
        got=$(wget -qO- -T 2 http://127.0.0.1:18080/ 2>/dev/null) && break
        sleep 0.2
    done
    [ "$got" = "hello from ocirun" ] && ok "podman published port" ||
        fail "podman published port: got \"$got\""
    $P rm -f -t 0 ctrtest-web >/dev/null || fail "podman rm -f"
    $P rm -a -f >/dev/null 2>&1
    $P rmi -a -f >/dev/null 2>&1
    $P system reset -f >/dev/null 2>&1
    flush_firewall
    ;;
podman-rootless)
    H=$WORK/nobody
    mkdir -p "$H/run" "$H/tmp"
    podman_conf "$H"
    chown -R 65534:65534 "$H"
    chmod 700 "$H/run"
    cp "$WORK/busybox.tar" "$H/busybox.tar"
    chown 65534:65534 "$H/busybox.tar"
    # a script, so that timeout (in expect) can run it
    {
        echo '#!/bin/sh'
        echo "exec setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=\"$PATH\"" \
            "HOME=\"$H\" XDG_RUNTIME_DIR=\"$H/run\" XDG_CONFIG_HOME=\"$H/config\"" \
            "XDG_DATA_HOME=\"$H/data\" TMPDIR=\"$H/tmp\" CONTAINERS_CONF=\"$H/containers.conf\"" \
            "CONTAINERS_STORAGE_CONF=\"$H/storage.conf\" \"\$@\""
    } >"$WORK/as-nobody"
    chmod 755 "$WORK/as-nobody"
    as_nobody() { "$WORK/as-nobody" "$@"; }
    # no network: slirp4netns needs /dev/net/tun, which a sandboxed machine may refuse
    sed -i 's/^\[containers\]$/[containers]\nnetns = "none"/' "$H/containers.conf"
    as_nobody podman import -q "$H/busybox.tar" localhost/ctrtest-bb:latest >/dev/null ||
        fail "rootless podman import"
    expect "rootless podman run" "uid=0" "$WORK/as-nobody" podman run --rm localhost/ctrtest-bb id
    as_nobody podman run -d --name ctrtest-r1 localhost/ctrtest-bb sleep 1000 >/dev/null ||
        fail "rootless podman run -d"
    expect "rootless podman exec" "rootless-exec" "$WORK/as-nobody" podman exec ctrtest-r1 echo rootless-exec
    expect "rootless podman stop" "ctrtest-r1" "$WORK/as-nobody" podman stop -t 1 ctrtest-r1
    expect "rootless podman rm" "ctrtest-r1" "$WORK/as-nobody" podman rm ctrtest-r1
    as_nobody podman rm -a -f >/dev/null 2>&1
    as_nobody podman system reset -f >/dev/null 2>&1
    ;;
containerd)
    C=$WORK/ctrd
    mkdir -p "$C"
    cat >"$C/config.toml" <<EOF
version = 2
root = "$C/root"
state = "$C/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$C/containerd.sock"
[plugins."io.containerd.snapshotter.v1.overlayfs"]
  root_path = "$C/overlay"
EOF
    containerd --config "$C/config.toml" >"$C/containerd.log" 2>&1 &
    cpid=$!
    for i in $(seq 100); do [ -S "$C/containerd.sock" ] && break; sleep 0.1; done
    CTR="ctr --address $C/containerd.sock --namespace ctrtest-ns"
    # an image from the rootfs: a layer tar and an OCI layout around it
    python3 "$ROOT/tests/oci_image.py" "$WORK/busybox.tar" "$C/image.tar" localhost/ctrtest-bb:latest ||
        fail "build the image archive"
    $CTR image import --no-unpack=false "$C/image.tar" >/dev/null 2>&1 ||
        $CTR image import "$C/image.tar" >/dev/null || fail "ctr image import"
    RT="--runc-binary $OCIRUN"
    expect "ctr run" "hello-containerd" $CTR run --rm $RT localhost/ctrtest-bb:latest ctrtest-a echo hello-containerd
    $CTR run -d $RT localhost/ctrtest-bb:latest ctrtest-b sleep 1000 >/dev/null || fail "ctr run -d"
    expect "the container is ocirun's" "ctrtest-b" $OCIRUN --root /run/containerd/runc/ctrtest-ns list
    expect "ctr task exec" "exec-b" $CTR task exec --exec-id e1 ctrtest-b sh -c 'echo exec-b'
    expect "ctr task ps" "PID" $CTR task ps ctrtest-b
    expect "ctr task ls: running" "RUNNING" $CTR task ls
    $CTR task kill -s SIGKILL ctrtest-b || fail "ctr task kill"
    for i in $(seq 50); do $CTR task ls | grep ctrtest-b | grep -q STOPPED && break; sleep 0.1; done
    expect "ctr task ls: stopped" "STOPPED" $CTR task ls
    $CTR task rm ctrtest-b >/dev/null 2>&1
    $CTR container rm ctrtest-b >/dev/null 2>&1 || fail "ctr container rm"
    $CTR image rm localhost/ctrtest-bb:latest >/dev/null 2>&1
    kill $cpid
    wait $cpid 2>/dev/null
    # shims left behind by a failure
    pkill_list=$(pgrep -f "containerd-shim.*$C" 2>/dev/null)
    [ -z "$pkill_list" ] || { kill $pkill_list 2>/dev/null; fail "containerd shims left behind"; }
    umount -R "$C/root" 2>/dev/null
    ;;
*)
    echo "unknown test $what"
    exit 2
    ;;
esac

[ "$FAILS" -eq 0 ]
