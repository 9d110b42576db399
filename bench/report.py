#!/usr/bin/env python3
"""The benchmark's table and JSON, from the files bench/run.sh left in its work directory.

    report.py WORKDIR OUT_PREFIX        writes OUT_PREFIX.json and OUT_PREFIX.txt, prints the table

WORKDIR holds, per row KEY: KEY.label, KEY.cmd, and KEY.json (hyperfine's --export-json, or one
line of JSON from spawn_api/spawn_raw) or KEY.err (why it failed); meta.tsv holds the notes.
"""
import json
import os
import sys

# (section, [keys]) in print order.  Latency rows: median/min/max in ms.
SECTIONS = [
    ("/bin/true with full isolation (new pid, mount, uts, ipc, net ns; proc, dev, tmpfs /tmp; busybox rootfs)",
     ["forkexec", "ctrun", "ctrun_layer", "bwrap", "bwrap_nouserns", "crun", "crun_lean", "runc", "unshare"]),
    ("The same in-process (spawn + wait [+ destroy], timed with CLOCK_MONOTONIC)",
     ["api", "api_plain", "api_pool", "raw", "raw_hardened", "raw_exec"]),
    ("With limits: memory 256 MiB, 100 pids, 1 CPU (a cgroup per container)",
     ["ctrun_limits", "api_limits", "crun_limits", "runc_limits"]),
    ("Host size: API spawn latency from a big host process",
     ["api_ballast"]),
]

# Intercepted system calls (notify_bench): (kind, title), and the rows of each kind.
NOTIFY_KINDS = [("getppid", "a loop on getppid() (no argument to read)"),
                ("stat", "a loop on newfstatat(AT_FDCWD, \"/bin\") (the interceptor reads the path)")]
NOTIFY_MODES = ["library", "manual", "floor_sync", "floor", "strace", "plain", "host"]

# (name, key, factor, comparator key, "le" | "ge", what)
TARGETS = [
    ("ctrun <= 0.4 x bwrap", "ctrun", 0.4, "bwrap", "le", "median_ms"),
    ("API (rootfs_rw, as raw binds it) <= 1.2 x raw --hardened", "api_plain", 1.2, "raw_hardened", "le", "median_ms"),
    ("ctrun with limits <= 0.5 x crun with limits (cgroups on)", "ctrun_limits", 0.5, "crun_limits", "le", "median_ms"),
    ("API with ballast <= 1.1 x API without", "api_ballast", 1.1, "api", "le", "median_ms"),
    ("2-spawner throughput >= 1.6 x 1-spawner", "tp2", 1.6, "tp1", "ge", "per_second"),
    ("API over a layer <= 1.3 x API without (rootfs_rw)", "api", 1.3, "api_plain", "le", "median_ms"),
    ("intercepted getppid/s >= floor (sync) / 1.2", "notify_getppid_library", 1 / 1.2,
     "notify_getppid_floor_sync", "ge", "per_second"),
    ("intercepted getppid/s >= 2.5 x strace -f", "notify_getppid_library", 2.5, "notify_getppid_strace",
     "ge", "per_second"),
    ("intercepted stat/s >= floor (sync) / 1.2", "notify_stat_library", 1 / 1.2, "notify_stat_floor_sync",
     "ge", "per_second"),
    ("intercepted stat/s >= 2.5 x strace -f", "notify_stat_library", 2.5, "notify_stat_strace", "ge",
     "per_second"),
]

NOTES = [
    ("machine", lambda m: "Linux %s, %s CPUs (%s), %s RAM, THP %s" % (
        m.get("kernel", "?"), m.get("nproc", "?"), m.get("cpu", "?"), m.get("mem_total", "?"), m.get("thp", "?"))),
    ("load", lambda m: "load average %s at the start, %s at the end%s" % (
        m.get("load_start", "?"), m.get("load_end", "?"),
        " (WARNING: the machine was busy: every figure is skewed)"
        if float((m.get("load_start") or "0").split()[0]) >= 0.5 else "")),
    ("cgroups", lambda m: m.get("cgroup", "?")),
    ("namespace", lambda m: m.get("private_ns", "?")),
    ("check", lambda m: m.get("ctrun_check", "?")),
    ("peers", lambda m: "; ".join(m.get(k, "?") for k in ("v_bwrap", "v_crun", "v_runc", "v_hyperfine",
                                                           "v_strace"))),
    ("rootfs", lambda m: m.get("v_busybox", "?") + " (static), applets true sh sleep cat"),
    ("library", lambda m: "container.h %s, commit %s" % (m.get("v_container_h", "?"), m.get("git", "?"))),
    ("bwrap", lambda m: m.get("bwrap_userns", "?")),
    ("crun/runc", lambda m: "bundles from `crun spec`/`runc spec`: root read-only, /bin/true, no terminal, "
                            "pid mount uts ipc network cgroup ns, /proc /dev /dev/pts + tmpfs /tmp, the spec's "
                            "masks and rlimits, no seccomp; lean: no devpts, masks, rlimits, "
                            "--cgroup-manager=disabled"),
    ("seccomp", lambda m: m.get("filter_len", "?")),
    ("leftovers", lambda m: m.get("leftovers", "none")),
]


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def load_row(work, key):
    label = read(os.path.join(work, key + ".label"))
    if label is None:
        return None  # not run (BENCH_ONLY)
    row = {"label": label, "command": read(os.path.join(work, key + ".cmd"))}
    err = read(os.path.join(work, key + ".err"))
    text = read(os.path.join(work, key + ".json"))
    if err is not None or text is None:
        row["error"] = err or "no result"
        return row
    try:
        data = json.loads(text)
    except ValueError as e:
        row["error"] = "unreadable result: %s" % e
        return row
    if "results" in data:  # hyperfine
        r = data["results"][0]
        row.update({"tool": "hyperfine", "n": len(r.get("times", [])),
                    "median_ms": r["median"] * 1e3, "mean_ms": r["mean"] * 1e3,
                    "min_ms": r["min"] * 1e3, "max_ms": r["max"] * 1e3,
                    "stddev_ms": (r.get("stddev") or 0) * 1e3,
                    "user_ms": r.get("user", 0) * 1e3, "system_ms": r.get("system", 0) * 1e3})
    else:
        row.update(data)
    return row


def fmt(x, width=8, prec=2):
    return ("%*.*f" % (width, prec, x)) if isinstance(x, (int, float)) else ("%*s" % (width, "-"))


def main():
    work, out = sys.argv[1], sys.argv[2]
    meta = {}
    for line in (read(os.path.join(work, "meta.tsv")) or "").splitlines():
        k, _, v = line.partition("\t")
        meta[k] = v
    tp_pairs = [("tp1", "tp2", "2 threads / 1 thread"), ("tp1_pool", "tp2_pool", "2 threads / 1 thread, with the pool"),
                ("tpraw1", "tpraw2", "raw: 2 processes / 1 process")]
    tp_keys = [k for a, b, _ in tp_pairs for k in (a, b)]
    notify_keys = ["notify_%s_%s" % (kind, m) for kind, _ in NOTIFY_KINDS for m in NOTIFY_MODES]
    keys = [k for _, ks in SECTIONS for k in ks] + tp_keys + ["idle", "idle_nonet"] + notify_keys
    rows = {}
    for k in keys:
        r = load_row(work, k)
        if r is not None:
            rows[k] = r

    def med(k):
        return rows.get(k, {}).get("median_ms")

    base, bw = med("forkexec"), med("bwrap")
    lines = []
    lines.append("container.h spawn benchmark, %s (%s runs, %s warm-up%s)" % (
        meta.get("date_utc", "?"), meta.get("runs", "?"), meta.get("warmup", "?"),
        ", quick" if meta.get("quick") == "1" else ""))
    lines.append("")
    width = max([len(r["label"]) for r in rows.values()] + [30])
    head = "%-*s  %8s %8s %8s  %8s %8s" % (width, "milliseconds", "median", "min", "max", "x fork", "x bwrap")
    for title, ks in SECTIONS:
        present = [k for k in ks if k in rows]
        if not present:
            continue
        lines.append(title)
        lines.append(head)
        for k in present:
            r = rows[k]
            if "error" in r:
                lines.append("%-*s  failed: %s" % (width, r["label"], r["error"]))
                continue
            m = r["median_ms"]
            r["ratio_forkexec"] = m / base if base else None
            r["ratio_bwrap"] = m / bw if bw else None
            lines.append("%-*s  %s %s %s  %s %s" % (
                width, r["label"], fmt(m), fmt(r["min_ms"]), fmt(r["max_ms"]),
                fmt(r["ratio_forkexec"]), fmt(r["ratio_bwrap"])))
        lines.append("")

    if any(k in rows for k in tp_keys):
        lines.append("Throughput (containers per second, /bin/true)")
        for a, b, name in tp_pairs:
            for k in (a, b):
                r = rows.get(k)
                if r is None:
                    continue
                if "error" in r:
                    lines.append("  %-40s failed: %s" % (r["label"], r["error"]))
                else:
                    extra = (", mean latency %.2f ms" % r["mean_latency_ms"]) if "mean_latency_ms" in r else ""
                    lines.append("  %-40s %8.1f /s  (%d containers in %.1f s%s)" % (
                        r["label"], r["per_second"], r["containers"], r["seconds"], extra))
            if "per_second" in rows.get(a, {}) and "per_second" in rows.get(b, {}):
                lines.append("  %-40s %8.2f x" % (name, rows[b]["per_second"] / rows[a]["per_second"]))
        lines.append("")
    for key, title in (("idle", "default spec"), ("idle_nonet", "no_network")):
        r = rows.get(key)
        if r is None:
            continue
        lines.append("Memory of live idle containers (/bin/sleep 1000, %s)" % title)
        if "error" in r:
            lines.append("  %s failed: %s" % (r["label"], r["error"]))
        else:
            ch = r.get("meminfo_change_kib", {})
            if r["per_container_kib"] < 0:
                lines.append("  (MemAvailable rose while the containers ran: something else on the machine freed memory; "
                             "the kernel counters + PSS below are steadier)")
            lines.append("  %d containers (median of %d rounds): host MemAvailable drop %.0f KiB per container; their RSS %.0f KiB, PSS %.0f KiB "
                         "each" % (r["containers"], r.get("rounds", 1), r["per_container_kib"], r["rss_per_container_kib"],
                                   r["pss_per_container_kib"]))
            lines.append("  kernel counters + PSS: %.0f KiB per container (Slab %+.0f, KernelStack %+.0f, PageTables %+.0f, "
                         "Percpu %+.0f KiB)" % (
                             r["kernel_plus_pss_per_container_kib"],
                             ch.get("Slab", 0) / r["containers"], ch.get("KernelStack", 0) / r["containers"],
                             ch.get("PageTables", 0) / r["containers"], ch.get("Percpu", 0) / r["containers"]))
            lines.append("  spawning all %d took %.0f ms; MemAvailable drop per container in each round: %s KiB" % (
                r["containers"], r["spawn_all_ms"],
                ", ".join("%.0f" % x for x in r.get("per_container_kib_each_round", []))))
        lines.append("")

    if any(k in rows for k in notify_keys):
        lines.append("Intercepted system calls per second (%s)" % meta.get("notify_runs", "?"))
        for kind, title in NOTIFY_KINDS:
            present = [m for m in NOTIFY_MODES if "notify_%s_%s" % (kind, m) in rows]
            if not present:
                continue
            lines.append("  " + title)
            floor = rows.get("notify_%s_floor_sync" % kind, {}).get("per_second")
            strace = rows.get("notify_%s_strace" % kind, {}).get("per_second")
            lines.append("  %-40s %12s %9s %9s" % ("", "calls/s", "/ floor", "x strace"))
            for m in present:
                r = rows["notify_%s_%s" % (kind, m)]
                if "error" in r:
                    lines.append("  %-40s failed: %s" % (r["label"], r["error"]))
                    continue
                v = r["per_second"]
                r["floor_over_this"] = floor / v if floor and v else None
                r["ratio_strace"] = v / strace if strace else None
                lines.append("  %-40s %12.0f %9s %9s" % (
                    r["label"], v, fmt(r["floor_over_this"], 9), fmt(r["ratio_strace"], 9)))
        lines.append("  (/ floor: how many times slower than the minimal supervisor with the synchronous "
                     "wake-up; each rate is the median of the runs)")
        lines.append("")

    lines.append("Targets")
    targets = []
    for name, k, factor, other, op, field in TARGETS:
        a, b = rows.get(k, {}), rows.get(other, {})
        t = {"target": name, "row": k, "against": other, "factor": factor}
        if field not in a or field not in b:
            t["status"] = "n/a"
            detail = "missing: %s" % ", ".join(x for x, r in ((k, a), (other, b)) if field not in r)
        else:
            va, vb = a[field], b[field]
            t["value"], t["against_value"], t["ratio"] = va, vb, va / vb if vb else None
            ok = va <= factor * vb if op == "le" else va >= factor * vb
            t["status"] = "PASS" if ok else "MISS"
            unit = "ms" if field == "median_ms" else "/s"
            detail = "%.2f %s vs %.2f %s: %.2f x" % (va, unit, vb, unit, t["ratio"] or 0)
        targets.append(t)
        lines.append("  %-4s  %-58s %s" % (t["status"], name, detail))
    if "median_ms" in rows.get("api", {}) and "median_ms" in rows.get("raw", {}):
        lines.append("  info  %-58s %.2f ms vs %.2f ms: %.2f x" % (
            "API vs raw (not hardened)", med("api"), med("raw"), med("api") / med("raw")))
    if "median_ms" in rows.get("api_pool", {}) and "median_ms" in rows.get("raw_hardened", {}):
        lines.append("  info  %-58s %.2f ms vs %.2f ms: %.2f x" % (
            "API with a netns pool vs raw --hardened", med("api_pool"), med("raw_hardened"),
            med("api_pool") / med("raw_hardened")))
    for a, b, name in tp_pairs[1:]:
        if "per_second" in rows.get(a, {}) and "per_second" in rows.get(b, {}):
            lines.append("  info  %-58s %.2f x" % ("throughput, " + name, rows[b]["per_second"] / rows[a]["per_second"]))
    lines.append("")

    lines.append("Notes")
    for name, f in NOTES:
        lines.append("  %-10s %s" % (name + ":", f(meta)))
    text = "\n".join(lines) + "\n"

    result = {"date_utc": meta.get("date_utc"), "config": {
        k: meta.get(k) for k in ("runs", "warmup", "quick", "tp_seconds", "idle_containers", "idle_rounds",
                                 "ballast_mib")},
        "machine": {k: meta.get(k) for k in ("kernel", "nproc", "cpu", "mem_total", "thp", "cgroup", "load_start",
                                             "load_end")},
        "versions": {k[2:]: v for k, v in meta.items() if k.startswith("v_")},
        "notes": {k: meta.get(k) for k in ("private_ns", "ctrun_check", "bwrap_userns", "filter_len", "notify_runs", "git",
                                           "leftovers") if k in meta},
        "rows": rows, "targets": targets}
    with open(out + ".json", "w") as f:
        json.dump(result, f, indent=1, sort_keys=False)
        f.write("\n")
    with open(out + ".txt", "w") as f:
        f.write(text)
    sys.stdout.write(text)
    sys.stdout.write("\nwritten: %s.json, %s.txt\n" % (os.path.relpath(out), os.path.relpath(out)))


if __name__ == "__main__":
    main()
