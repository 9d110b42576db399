/* cgroup1.c - the cgroup v1 backend, for hosts that still mount the v1 controllers (memory, pids,
   cpu, cpuacct, freezer, blkio under /sys/fs/cgroup/<name>): one directory per controller the
   container needs, the child moving itself into each (it writes "0" to their cgroup.procs before
   anything else), the freezer to pause and to kill. */
#include "internal.h"

#define CTR__CG1_MAGIC 0x27e0ebL

static const char *const ctr__v1_names[CTR__V1_N] = {"memory",  "pids",     "cpu",    "cpuacct",
                                                     "freezer", "blkio",    "cpuset", "hugetlb",
                                                     "net_cls", "net_prio", "devices"};

/* The controller a setting's file belongs to (its name up to the first dot), or -1. */
static int ctr__cg1_of(const char *file) {
    size_t n = strcspn(file, ".");
    int i;
    for (i = 0; i < CTR__V1_N; i++)
        if (strlen(ctr__v1_names[i]) == n && strncmp(file, ctr__v1_names[i], n) == 0) return i;
    return -1;
}

/* cpuset: a new cgroup has no CPUs and no memory nodes, and takes no process until it has; each
   directory made gets its parent's (as runc does). */
static int ctr__cg1_cpuset_fill(const char *dir, ctr_error *err) {
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    char parent[PATH_MAX], v[4096];
    int i;
    char *slash;
    if (ctr__join(parent, sizeof(parent), dir, "", "") != 0 || !(slash = strrchr(parent, '/')))
        return 0;
    *slash = '\0';
    for (i = 0; i < 2; i++) {
        ssize_t n = ctr__cg_get(dir, files[i], v, sizeof(v));
        if (n > 0 && v[0] != '\n') continue; /* set already */
        if (ctr__cg1_cpuset_fill(parent, err) != 0) return -1;
        if ((n = ctr__cg_get(parent, files[i], v, sizeof(v))) <= 0) continue;
        if (ctr__cg_set(dir, files[i], v, err) != 0) return -1;
    }
    return 0;
}

static int ctr__cg1_check(const ctr__cg_req *s, ctr_error *err) {
    if (s->parent && strncmp(s->parent, CTR__CG_ROOT "/", sizeof(CTR__CG_ROOT)) == 0)
        return ctr__fail(
            err, CTR_STEP_CGROUP, EINVAL, s->parent,
            "with cgroup v1, cgroup_parent is a path inside each controller's hierarchy, "
            "not under %s",
            CTR__CG_ROOT);
    if (s->memory_swap_max && !s->memory_max)
        return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "",
                         "with cgroup v1, memory_swap_max needs memory_max");
    return 0;
}

static int ctr__cg1_limits(const ctr__cgroup *cg, const ctr__cg_req *s, ctr_error *err) {
    char v[64];
    const char *mem = cg->v1[CTR__V1_MEMORY], *cpu = cg->v1[CTR__V1_CPU];
    if (s->memory_max) {
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->memory_max));
        if (ctr__cg_set(mem, "memory.limit_in_bytes", v, err) != 0) return -1;
        snprintf(v, sizeof(v), "%llu",
                 CTR__CAST(unsigned long long, s->memory_max + s->memory_swap_max));
        if (ctr__cg_put(mem, "memory.memsw.limit_in_bytes", v) != 0) {
            if (errno != ENOENT || s->memory_swap_max)
                return ctr__fail(err, CTR_STEP_CGROUP, errno, mem,
                                 "write \"%s\" to %s/memory.memsw.limit_in_bytes", v, mem);
            (void)ctr__cg_put(mem, "memory.swappiness", "0"); /* no swap accounting: avoid swap */
        }
    }
    if (s->pids_max) {
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->pids_max));
        if (ctr__cg_set(cg->v1[CTR__V1_PIDS], "pids.max", v, err) != 0) return -1;
    }
    if (s->cpus > 0) {
        long long quota = CTR__CAST(long long, s->cpus * 100000.0);
        snprintf(v, sizeof(v), "%lld", quota < 1000 ? 1000 : quota);
        if (ctr__cg_set(cpu, "cpu.cfs_period_us", "100000", err) != 0 ||
            ctr__cg_set(cpu, "cpu.cfs_quota_us", v, err) != 0)
            return -1;
    }
    if (s->cpu_weight) {
        snprintf(v, sizeof(v), "%u",
                 s->cpu_weight * 1024u / 100u < 2u ? 2u : s->cpu_weight * 1024u / 100u);
        if (ctr__cg_set(cpu, "cpu.shares", v, err) != 0) return -1;
    }
    if (s->io_weight) {
        /* Same scale as v2 (default 100); v1 takes 10..1000 (blkio.weight) or 1..1000 (BFQ). */
        unsigned w = s->io_weight < 10u ? 10u : (s->io_weight > 1000u ? 1000u : s->io_weight);
        snprintf(v, sizeof(v), "%u", w);
        if (ctr__cg_put(cg->v1[CTR__V1_BLKIO], "blkio.weight", v) != 0 &&
            ctr__cg_put(cg->v1[CTR__V1_BLKIO], "blkio.bfq.weight", v) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, cg->v1[CTR__V1_BLKIO],
                             "set blkio weight %s (cgroup v1 io weights need the BFQ scheduler)",
                             v);
    }
    return 0;
}

static int ctr__cg1_create(ctr__cgroup *cg, const ctr__cg_req *s, ctr_error *err) {
    int use[CTR__V1_N], i;
    char name[64];
    use[CTR__V1_MEMORY] = s->memory_max || s->memory_swap_max || s->always;
    use[CTR__V1_PIDS] = s->pids_max || s->always;
    use[CTR__V1_CPU] = s->cpus > 0 || s->cpu_weight;
    use[CTR__V1_CPUACCT] = 1;
    use[CTR__V1_FREEZER] = 1;
    use[CTR__V1_BLKIO] = s->io_weight != 0;
    for (i = CTR__V1_CPUSET; i < CTR__V1_N; i++) use[i] = 0;
    for (i = 0; i < CTR__CAST(int, s->nsettings); i++) {
        int k = ctr__cg1_of(s->settings[2 * i]);
        if (k < 0)
            return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, s->settings[2 * i],
                             "cgroup setting %s: no cgroup v1 controller of that name is used "
                             "(memory, pids, cpu, cpuacct, freezer, blkio, cpuset, hugetlb, "
                             "net_cls, net_prio, devices)",
                             s->settings[2 * i]);
        use[k] = 1;
    }
    if (s->existing)
        for (i = 0; i < CTR__V1_N; i++) use[i] = 1; /* those that have the directory */
    ctr__cg_name(name, sizeof(name));
    for (i = 0; i < CTR__V1_N; i++) {
        char mount[PATH_MAX], real[PATH_MAX], parent[PATH_MAX];
        long type;
        int j, shared = 0;
        if (!use[i]) continue;
        (void)ctr__join(mount, sizeof(mount), CTR__CG_ROOT, "/", ctr__v1_names[i]);
        if (ctr__statfs_type(mount, &type) != 0 || type != CTR__CG1_MAGIC ||
            !realpath(mount, real)) {
            if (s->existing) continue;
            return ctr__fail(err, CTR_STEP_CGROUP, ENOENT, mount,
                             "the cgroup v1 %s controller is not mounted at %s", ctr__v1_names[i],
                             mount);
        }
        /* Co-mounted controllers (cpu,cpuacct) share one directory. */
        for (j = 0; j < i; j++)
            if (cg->v1[j] && strncmp(cg->v1[j], real, strlen(real)) == 0 &&
                cg->v1[j][strlen(real)] == '/') {
                if (!(cg->v1[i] = ctr__pathdup(cg->v1[j], NULL)))
                    return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate");
                shared = 1;
                break;
            }
        if (shared) continue;
        if (s->path) { /* exactly there (made with its parents), or found (ctr_attach) */
            struct stat st;
            if (ctr__join(parent, sizeof(parent), real, "/", s->path + (s->path[0] == '/')) != 0)
                return ctr__fail(err, CTR_STEP_CGROUP, errno, real, "cgroup path under %s", real);
            if (s->existing && (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))) continue;
            if (!s->existing && ctr__cg_mkdir_all(parent, err) != 0) return -1;
            if (!(cg->v1[i] = ctr__pathdup(parent, NULL)))
                return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate");
            continue;
        }
        if (ctr__join(parent, sizeof(parent), real, "/",
                      s->parent ? s->parent + (s->parent[0] == '/') : CTR__CG_SUBTREE) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, real, "cgroup path under %s", real);
        if (!s->parent && ctr__cg_mkdir_p(parent, err) != 0) return -1;
        if (!(cg->v1[i] = ctr__cg_mkdir_container(parent, name, 1 + i, err))) return -1;
    }
    if (s->existing) {
        for (i = 0; i < CTR__V1_N && !cg->v1[i]; i++) {}
        if (i == CTR__V1_N)
            return ctr__fail(err, CTR_STEP_CGROUP, ENOENT, s->path, "no cgroup %s", s->path);
        return 0;
    }
    if (ctr__cg1_limits(cg, s, err) != 0) return -1;
    if (cg->v1[CTR__V1_CPUSET] && ctr__cg1_cpuset_fill(cg->v1[CTR__V1_CPUSET], err) != 0) return -1;
    for (i = 0; i < CTR__CAST(int, s->nsettings); i++) {
        const char *dir = cg->v1[ctr__cg1_of(s->settings[2 * i])];
        if (ctr__cg_set(dir, s->settings[2 * i], s->settings[2 * i + 1], err) != 0) return -1;
    }
    return 0;
}

static int ctr__cg1_clone_into(const ctr__cgroup *cg) {
    (void)cg;
    return -1;
}

/* One cgroup.procs per distinct directory (co-mounted controllers share one). */
static int ctr__cg1_procs_fds(const ctr__cgroup *cg, int *fds, int max, ctr_error *err) {
    int i, n = 0;
    for (i = 0; i < CTR__V1_N; i++) {
        int j, dup = 0;
        if (!cg->v1[i]) continue;
        for (j = 0; j < i; j++) dup |= cg->v1[j] && strcmp(cg->v1[i], cg->v1[j]) == 0;
        if (dup) continue;
        if (n == max)
            return ctr__fail(err, CTR_STEP_CGROUP, E2BIG, "", "too many cgroup directories");
        if ((fds[n] = ctr__cg_open_procs(cg->v1[i], err)) < 0) {
            while (n > 0) ctr__close(&fds[--n]);
            return -1;
        }
        n++;
    }
    return n;
}

static int ctr__cg1_populated(const ctr__cgroup *cg) {
    char buf[64];
    int i;
    for (i = 0; i < CTR__V1_N; i++)
        if (cg->v1[i] && ctr__cg_get(cg->v1[i], "cgroup.procs", buf, sizeof(buf)) > 0) return 1;
    return 0;
}

static int ctr__cg1_frozen(const ctr__cgroup *cg) {
    char buf[64];
    return cg->v1[CTR__V1_FREEZER] &&
           ctr__cg_get(cg->v1[CTR__V1_FREEZER], "freezer.state", buf, sizeof(buf)) > 0 &&
           strncmp(buf, "FROZEN", 6) == 0;
}

/* Freezes or thaws; freezing returns once the whole cgroup is frozen (or after 5 s). */
static int ctr__cg1_freeze(const ctr__cgroup *cg, int on, ctr_error *err) {
    int tries;
    if (ctr__cg_set(cg->v1[CTR__V1_FREEZER], "freezer.state", on ? "FROZEN" : "THAWED", err) != 0)
        return -1;
    for (tries = 0; on && tries < 500 && !ctr__cg1_frozen(cg); tries++) ctr__sleep_ms(10);
    return 0;
}

/* SIGKILL to every process: rounds of freeze (no fork behind our back), kill each listed, thaw
   (a frozen process dies only once thawed), until the list is empty.  Kill only once every task
   is frozen (up to 1 s), as runc does, rather than while they are still freezing. */
static void ctr__cg1_kill(const ctr__cgroup *cg) {
    const char *freezer = cg->v1[CTR__V1_FREEZER], *procs = cg->v1[CTR__V1_CPUACCT];
    int rounds;
    if (!procs) return;
    for (rounds = 0; rounds < 20; rounds++) {
        int n, waited;
        if (freezer) {
            (void)ctr__cg_put(freezer, "freezer.state", "FROZEN");
            for (waited = 0; waited < 1000 && !ctr__cg1_frozen(cg); waited += 2) ctr__sleep_ms(2);
        }
        n = ctr__cg_kill_listed(procs);
        if (freezer) (void)ctr__cg_put(freezer, "freezer.state", "THAWED");
        if (n == 0) break;
        ctr__sleep_ms(1);
    }
}

static void ctr__cg1_result(const ctr__cgroup *cg, ctr_result *r) {
    const char *mem = cg->v1[CTR__V1_MEMORY], *acct = cg->v1[CTR__V1_CPUACCT];
    r->oom_killed = ctr__cg_get_key(mem, "memory.oom_control", "oom_kill") > 0;
    r->memory_peak = ctr__cg_get_u64(mem, "memory.max_usage_in_bytes", r->memory_peak);
    r->cpu_user_ns = CTR__CAST(
        int64_t, ctr__cg_get_u64(acct, "cpuacct.usage_user", CTR__CAST(uint64_t, r->cpu_user_ns)));
    r->cpu_system_ns = CTR__CAST(
        int64_t, ctr__cg_get_u64(acct, "cpuacct.usage_sys", CTR__CAST(uint64_t, r->cpu_system_ns)));
}

static void ctr__cg1_stats(const ctr__cgroup *cg, ctr_usage *u) {
    u->memory_current = ctr__cg_get_u64(cg->v1[CTR__V1_MEMORY], "memory.usage_in_bytes", 0);
    u->pids_current = ctr__cg_get_u64(cg->v1[CTR__V1_PIDS], "pids.current", 0);
    u->cpu_usage_ns =
        CTR__CAST(int64_t, ctr__cg_get_u64(cg->v1[CTR__V1_CPUACCT], "cpuacct.usage", 0));
}

/* Each distinct directory (co-mounted controllers share one). */
static void ctr__cg1_remove(const ctr__cgroup *cg) {
    int i, j;
    for (i = 0; i < CTR__V1_N; i++) {
        int dup = 0;
        for (j = 0; j < i; j++) dup |= cg->v1[j] && cg->v1[i] && strcmp(cg->v1[i], cg->v1[j]) == 0;
        if (cg->v1[i] && !dup) (void)rmdir(cg->v1[i]);
    }
}

static const char *ctr__cg1_path(const ctr__cgroup *cg) {
    return cg->v1[CTR__V1_CPUACCT] ? cg->v1[CTR__V1_CPUACCT] : "";
}

static const ctr__cg_backend *ctr__cg1(void) {
    static const ctr__cg_backend be = {1,
                                       0,
                                       ctr__cg1_check,
                                       ctr__cg1_create,
                                       ctr__cg1_clone_into,
                                       ctr__cg1_procs_fds,
                                       ctr__cg1_populated,
                                       ctr__cg1_freeze,
                                       ctr__cg1_frozen,
                                       ctr__cg1_kill,
                                       ctr__cg1_remove,
                                       ctr__cg1_result,
                                       ctr__cg1_stats,
                                       ctr__cg1_path};
    return &be;
}
