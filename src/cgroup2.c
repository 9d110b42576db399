/* cgroup2.c - the cgroup v2 backend (the primary one): one cgroup per container, the child born
   in it with clone3's CLONE_INTO_CGROUP (Linux 5.7; where clone3 is missing the child moves
   itself through cgroup.procs), cgroup.kill (5.14) to kill, cgroup.freeze to pause. */
#include "internal.h"

static int ctr__cg2_check(const ctr__cg_req *req, ctr_error *err) {
    (void)req;
    (void)err;
    return 0;
}

/* Is the controller name a word of the space-separated list? */
static int ctr__word_in(const char *list, const char *word) {
    size_t n = strlen(word);
    const char *s = list;
    while ((s = strstr(s, word)) != NULL) {
        if ((s == list || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\n' || s[n] == '\0')) return 1;
        s += n;
    }
    return 0;
}

/* Enables the controllers in dir's cgroup.subtree_control that are not yet enabled.  Those in
   `required` must be available; the others are enabled only if they are. */
static int ctr__cg2_enable(const char *dir, const char *const *ctrls, const int *required, int n,
                           ctr_error *err) {
    char avail[512], on[512];
    int i;
    if (ctr__cg_get(dir, "cgroup.controllers", avail, sizeof(avail)) < 0 ||
        ctr__cg_get(dir, "cgroup.subtree_control", on, sizeof(on)) < 0)
        return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "read the controllers of cgroup %s",
                         dir);
    for (i = 0; i < n; i++) {
        char plus[32];
        if (ctr__word_in(on, ctrls[i])) continue;
        if (!ctr__word_in(avail, ctrls[i])) {
            if (!required[i]) continue;
            return ctr__fail(
                err, CTR_STEP_CGROUP, EOPNOTSUPP, dir,
                "the %s controller is not available in cgroup %s (not enabled by its parent, or "
                "not delegated: with systemd, Delegate=yes on the unit or user@.service)",
                ctrls[i], dir);
        }
        snprintf(plus, sizeof(plus), "+%s", ctrls[i]);
        if (ctr__cg_put(dir, "cgroup.subtree_control", plus) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "enable the %s controller in %s",
                             ctrls[i], dir);
    }
    return 0;
}

/* The caller's own cgroup v2 path ("/user.slice/..."), from /proc/self/cgroup. */
static int ctr__cg2_self(char *buf, size_t size) {
    char data[4096];
    const char *s;
    ssize_t n;
    int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    n = read(fd, data, sizeof(data) - 1);
    ctr__close(&fd);
    if (n <= 0) return -1;
    data[n] = '\0';
    for (s = data; s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
        if (strncmp(s, "0::", 3) == 0) {
            size_t len = strcspn(s + 3, "\n");
            if (len + 1 > size) return -1;
            memcpy(buf, s + 3, len);
            buf[len] = '\0';
            return 0;
        }
    errno = ENOENT;
    return -1;
}

/* Unprivileged: the highest writable ancestor of our own cgroup, which is where systemd (or
   whoever) delegated a subtree to us.  Our own cgroup holds processes, so it cannot be used. */
static int ctr__cg2_delegated(char *out, size_t size, ctr_error *err) {
    char self[PATH_MAX], path[PATH_MAX];
    char *slash;
    int found = 0;
    if (ctr__cg2_self(self, sizeof(self)) != 0)
        return ctr__fail(err, CTR_STEP_CGROUP, errno, "/proc/self/cgroup",
                         "find the caller's cgroup");
    for (;;) {
        if (!(slash = strrchr(self, '/')) || slash == self) break;
        *slash = '\0'; /* up one level: never our own cgroup */
        if (ctr__join(path, sizeof(path), CTR__CG_ROOT, "", self) != 0 || access(path, W_OK) != 0)
            break;
        if (ctr__join(out, size, path, "", "") != 0) break;
        found = 1;
    }
    if (!found)
        return ctr__fail(
            err, CTR_STEP_CGROUP, EACCES, CTR__CG_ROOT,
            "no cgroup is delegated to this user, so limits cannot be applied (run as root, "
            "or in a systemd user session: systemd-run --user --scope -p Delegate=yes ...; "
            "or set cgroup_parent to a cgroup you own)");
    return 0;
}

/* /proc/swaps lists a swap area after its header line. */
static int ctr__host_has_swap(void) {
    char buf[256];
    ssize_t n;
    int fd = open("/proc/swaps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    n = read(fd, buf, sizeof(buf) - 1);
    ctr__close(&fd);
    if (n <= 0) return 1;
    buf[n] = '\0';
    return strchr(buf, '\n') && strchr(buf, '\n')[1] != '\0';
}

static int ctr__cg2_limits(const char *dir, const ctr__cg_req *s, ctr_error *err) {
    char v[64];
    if (s->memory_max) {
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->memory_max));
        if (ctr__cg_set(dir, "memory.max", v, err) != 0) return -1;
    }
    if (s->memory_max || s->memory_swap_max) {
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->memory_swap_max));
        /* Without swap accounting the file is missing: fine when the host has no swap at all. */
        if (ctr__cg_put(dir, "memory.swap.max", v) != 0 &&
            (errno != ENOENT || s->memory_swap_max || ctr__host_has_swap()))
            return ctr__fail(err, CTR_STEP_CGROUP, errno, dir,
                             "write \"%s\" to %s/memory.swap.max (swap cannot be "
                             "limited without swap accounting)",
                             v, dir);
    }
    if (s->pids_max) {
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->pids_max));
        if (ctr__cg_set(dir, "pids.max", v, err) != 0) return -1;
    }
    if (s->cpus > 0) {
        long long quota = CTR__CAST(long long, s->cpus * 100000.0);
        snprintf(v, sizeof(v), "%lld 100000", quota < 1000 ? 1000 : quota);
        if (ctr__cg_set(dir, "cpu.max", v, err) != 0) return -1;
    }
    if (s->cpu_weight) {
        snprintf(v, sizeof(v), "%u", s->cpu_weight);
        if (ctr__cg_set(dir, "cpu.weight", v, err) != 0) return -1;
    }
    if (s->io_weight) {
        snprintf(v, sizeof(v), "default %u", s->io_weight);
        if (ctr__cg_set(dir, "io.weight", v, err) != 0) return -1;
    }
    return 0;
}

/* Writes spec.cgroup_settings into dir, after the limits. */
static int ctr__cg2_settings(const char *dir, const ctr__cg_req *s, ctr_error *err) {
    size_t i;
    for (i = 0; i < s->nsettings; i++)
        if (ctr__cg_set(dir, s->settings[2 * i], s->settings[2 * i + 1], err) != 0) return -1;
    return 0;
}

/* Does a setting name the controller ("cpuset" for "cpuset.cpus")? */
static int ctr__cg2_wants(const ctr__cg_req *s, const char *ctrl) {
    size_t i, n = strlen(ctrl);
    for (i = 0; i < s->nsettings; i++)
        if (strncmp(s->settings[2 * i], ctrl, n) == 0 && s->settings[2 * i][n] == '.') return 1;
    return 0;
}

static int ctr__cg2_create(ctr__cgroup *cg, const ctr__cg_req *s, ctr_error *err) {
    static const char *const ctrls[] = {"memory", "pids",    "cpu",  "io",
                                        "cpuset", "hugetlb", "rdma", "misc"};
    int req[8], k;
    char parent[PATH_MAX], name[64];
    req[0] = s->memory_max || s->memory_swap_max;
    req[1] = s->pids_max != 0;
    req[2] = s->cpus > 0 || s->cpu_weight;
    req[3] = s->io_weight != 0;
    for (k = 4; k < 8; k++) req[k] = 0;
    for (k = 0; k < 8; k++) req[k] |= ctr__cg2_wants(s, ctrls[k]);
    if (s->path) { /* exactly there: every ancestor enables the controllers, the leaf is made */
        char *slash;
        int full = strncmp(s->path, CTR__CG_ROOT "/", sizeof(CTR__CG_ROOT)) == 0;
        if (ctr__join(parent, sizeof(parent), full ? "" : CTR__CG_ROOT,
                      full || s->path[0] == '/' ? "" : "/", s->path) != 0 ||
            !(cg->dir = ctr__pathdup(parent, NULL)))
            return ctr__fail(err, CTR_STEP_CGROUP, ENAMETOOLONG, s->path, "cgroup path %s",
                             s->path);
        if (!s->existing) {
            for (slash = parent + sizeof(CTR__CG_ROOT); (slash = strchr(slash, '/')) != NULL;
                 slash++) {
                *slash = '\0';
                if (ctr__cg_mkdir_p(parent, err) != 0) return -1;
                *slash = '/';
            }
            strcpy(parent, CTR__CG_ROOT);
            for (slash = cg->dir + sizeof(CTR__CG_ROOT);; slash++) {
                if (ctr__cg2_enable(parent, ctrls, req, 8, err) != 0) return -1;
                if (!(slash = strchr(slash, '/'))) break;
                memcpy(parent, cg->dir, CTR__CAST(size_t, slash - cg->dir));
                parent[slash - cg->dir] = '\0';
            }
            if (ctr__cg_mkdir_p(cg->dir, err) != 0) return -1;
        }
        if ((cg->dirfd = open(cg->dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
            ctr__lift(&cg->dirfd) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, cg->dir, "open cgroup %s", cg->dir);
        if (s->existing) return 0;
        if (ctr__cg2_limits(cg->dir, s, err) != 0) return -1;
        return ctr__cg2_settings(cg->dir, s, err);
    }
    if (s->parent) {
        /* "/sys/fs/cgroup/x", or a path relative to /sys/fs/cgroup ("x" or "/x") */
        const char *cp = s->parent;
        int full = strncmp(cp, CTR__CG_ROOT "/", sizeof(CTR__CG_ROOT)) == 0;
        if (ctr__join(parent, sizeof(parent), full ? "" : CTR__CG_ROOT,
                      full || cp[0] == '/' ? "" : "/", cp) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, cp, "cgroup path %s", cp);
    } else {
        char base[PATH_MAX];
        if (geteuid() == 0)
            strcpy(base, CTR__CG_ROOT);
        else if (ctr__cg2_delegated(base, sizeof(base), err) != 0)
            return -1;
        if (ctr__cg2_enable(base, ctrls, req, 8, err) != 0) return -1;
        if (ctr__join(parent, sizeof(parent), base, "/", CTR__CG_SUBTREE) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, base, "cgroup path under %s", base);
        if (ctr__cg_mkdir_p(parent, err) != 0) return -1;
    }
    if (ctr__cg2_enable(parent, ctrls, req, 8, err) != 0) return -1;
    ctr__cg_name(name, sizeof(name));
    if (!(cg->dir = ctr__cg_mkdir_container(parent, name, 0, err))) return -1;
    if ((cg->dirfd = open(cg->dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
        ctr__lift(&cg->dirfd) != 0)
        return ctr__fail(err, CTR_STEP_CGROUP, errno, cg->dir, "open cgroup %s", cg->dir);
    if (ctr__cg2_limits(cg->dir, s, err) != 0) return -1;
    return ctr__cg2_settings(cg->dir, s, err);
}

static int ctr__cg2_clone_into(const ctr__cgroup *cg) { return cg->dirfd; }

static int ctr__cg2_procs_fds(const ctr__cgroup *cg, int *fds, int max, ctr_error *err) {
    if (max < 1) return 0;
    return (fds[0] = ctr__cg_open_procs(cg->dir, err)) < 0 ? -1 : 1;
}

static int ctr__cg2_populated(const ctr__cgroup *cg) {
    return ctr__cg_get_key(cg->dir, "cgroup.events", "populated") != 0;
}

static int ctr__cg2_frozen(const ctr__cgroup *cg) {
    return ctr__cg_get_key(cg->dir, "cgroup.events", "frozen") == 1;
}

/* Freezes or thaws; freezing returns once the whole cgroup is frozen (or after 5 s). */
static int ctr__cg2_freeze(const ctr__cgroup *cg, int on, ctr_error *err) {
    int tries;
    if (ctr__cg_set(cg->dir, "cgroup.freeze", on ? "1" : "0", err) != 0) return -1;
    for (tries = 0; on && tries < 500 && !ctr__cg2_frozen(cg); tries++) ctr__sleep_ms(10);
    return 0;
}

/* SIGKILL to every process: cgroup.kill (Linux 5.14), else rounds of freeze (no fork behind our
   back), kill each listed, thaw, until the list is empty. */
static void ctr__cg2_kill(const ctr__cgroup *cg) {
    int rounds;
    if (ctr__cg_put(cg->dir, "cgroup.kill", "1") == 0) return;
    for (rounds = 0; rounds < 20; rounds++) {
        int n, waited;
        (void)ctr__cg_put(cg->dir, "cgroup.freeze", "1");
        for (waited = 0; waited < 1000 && !ctr__cg2_frozen(cg); waited += 2) ctr__sleep_ms(2);
        n = ctr__cg_kill_listed(cg->dir);
        (void)ctr__cg_put(cg->dir, "cgroup.freeze", "0");
        if (n == 0) break;
        ctr__sleep_ms(1);
    }
}

/* After the container exited: OOM kills, peak memory (memory.peak, Linux 5.19), CPU times. */
static void ctr__cg2_result(const ctr__cgroup *cg, ctr_result *r) {
    r->oom_killed = ctr__cg_get_key(cg->dir, "memory.events", "oom_kill") > 0;
    r->memory_peak = ctr__cg_get_u64(cg->dir, "memory.peak", r->memory_peak);
    r->cpu_user_ns = CTR__CAST(int64_t, ctr__cg_get_key(cg->dir, "cpu.stat", "user_usec")) * 1000;
    r->cpu_system_ns =
        CTR__CAST(int64_t, ctr__cg_get_key(cg->dir, "cpu.stat", "system_usec")) * 1000;
}

static void ctr__cg2_stats(const ctr__cgroup *cg, ctr_usage *u) {
    u->memory_current = ctr__cg_get_u64(cg->dir, "memory.current", 0);
    u->pids_current = ctr__cg_get_u64(cg->dir, "pids.current", 0);
    u->cpu_usage_ns = CTR__CAST(int64_t, ctr__cg_get_key(cg->dir, "cpu.stat", "usage_usec")) * 1000;
}

static void ctr__cg2_remove(const ctr__cgroup *cg) {
    if (cg->dir) (void)rmdir(cg->dir);
}

static const char *ctr__cg2_path(const ctr__cgroup *cg) { return cg->dir ? cg->dir : ""; }

static const ctr__cg_backend *ctr__cg2(void) {
    static const ctr__cg_backend be = {2,
                                       1,
                                       ctr__cg2_check,
                                       ctr__cg2_create,
                                       ctr__cg2_clone_into,
                                       ctr__cg2_procs_fds,
                                       ctr__cg2_populated,
                                       ctr__cg2_freeze,
                                       ctr__cg2_frozen,
                                       ctr__cg2_kill,
                                       ctr__cg2_remove,
                                       ctr__cg2_result,
                                       ctr__cg2_stats,
                                       ctr__cg2_path};
    return &be;
}
