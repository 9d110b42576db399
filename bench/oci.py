#!/usr/bin/env python3
"""Turn the default OCI spec of `crun spec` / `runc spec` into a benchmark bundle's config.json.

    oci.py BASE.json OUT.json --rootfs DIR --variant default|lean|limits --cgroups-path PATH

Every variant: root DIR read-only, process.args ["/bin/true"], no terminal, new pid, mount,
uts, ipc, network and cgroup namespaces, cgroupsPath PATH.
  default  the base spec's /proc, /dev (tmpfs) and /dev/pts mounts plus a tmpfs /tmp (its
           /dev/shm, /dev/mqueue, /sys and /sys/fs/cgroup mounts dropped: ctrun mounts none of
           them); the base spec's maskedPaths, readonlyPaths, rlimits and capabilities kept.
  lean     only /proc, /dev (tmpfs) and /tmp; no maskedPaths, readonlyPaths or rlimits (run with
           crun --cgroup-manager=disabled).
  limits   default plus memory 256 MiB (no swap on top), 100 pids, 1 CPU (quota 100000 per
           100000 us period).
"""
import argparse
import json
import sys

KEEP_MOUNTS = ("/proc", "/dev", "/dev/pts")
TMP_MOUNT = {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "nodev", "mode=1777"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("out")
    ap.add_argument("--rootfs", required=True)
    ap.add_argument("--variant", choices=("default", "lean", "limits"), required=True)
    ap.add_argument("--cgroups-path", required=True)
    a = ap.parse_args()

    with open(a.base) as f:
        c = json.load(f)
    c["root"] = {"path": a.rootfs, "readonly": True}
    proc = c.setdefault("process", {})
    proc["args"] = ["/bin/true"]
    proc["terminal"] = False
    linux = c.setdefault("linux", {})
    linux["namespaces"] = [{"type": t} for t in ("pid", "mount", "uts", "ipc", "network", "cgroup")]
    linux["cgroupsPath"] = a.cgroups_path

    keep = ("/proc", "/dev") if a.variant == "lean" else KEEP_MOUNTS
    mounts = [m for m in c.get("mounts", []) if m.get("destination") in keep]
    missing = [d for d in keep if d not in [m.get("destination") for m in mounts]]
    if missing:
        sys.exit("oci.py: the base spec has no mount on %s" % ", ".join(missing))
    mounts.append(TMP_MOUNT)
    c["mounts"] = mounts

    if a.variant == "lean":
        linux.pop("maskedPaths", None)
        linux.pop("readonlyPaths", None)
        proc.pop("rlimits", None)
    if a.variant == "limits":
        res = linux.setdefault("resources", {})
        mem = 256 * 1024 * 1024
        res["memory"] = {"limit": mem, "swap": mem}  # swap = memory + swap: none on top
        res["pids"] = {"limit": 100}
        res["cpu"] = {"quota": 100000, "period": 100000}

    with open(a.out, "w") as f:
        json.dump(c, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
