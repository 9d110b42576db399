/* Cgroups, in the parent only: cgroup v2 (primary) and v1 (fallback for hosts that still mount
   the v1 controllers).  One cgroup per container, made before the clone, removed on destroy.

   Where:  v2 as root: /sys/fs/cgroup/container.h/ctr-PID-N (the library's own subtree).  v2 as
   another user: DELEGATED/container.h/ctr-PID-N, where DELEGATED is the highest ancestor of the
   caller's own cgroup that the caller may write (systemd's user@UID.service).  v1: the same
   container.h/ctr-PID-N under each controller's mount.  spec.cgroup_parent overrides the parent.
   Stale cgroups of a crashed host (ctr-PID-* whose PID is gone) are removed by the next process
   that creates a container cgroup in the same parent. */

#define CTR__CG2_MAGIC 0x63677270L
#define CTR__CG1_MAGIC 0x27e0ebL
#define CTR__CG_ROOT "/sys/fs/cgroup"
#define CTR__CG_SUBTREE "container.h"

/* v1 controllers we use; cgroup dirs are kept per controller (NULL = not used). */
enum { CTR__V1_MEMORY, CTR__V1_PIDS, CTR__V1_CPU, CTR__V1_CPUACCT, CTR__V1_FREEZER, CTR__V1_BLKIO, CTR__V1_N };
static const char *const ctr__v1_names[CTR__V1_N] = {"memory", "pids", "cpu", "cpuacct", "freezer", "blkio"};

typedef struct ctr__cgroup {
    int version;              /* 0: none, 1 or 2 */
    char *dir;                /* v2: the container's cgroup directory */
    int dirfd;                /* v2: O_PATH fd of dir, for CLONE_INTO_CGROUP */
    char *v1[CTR__V1_N];      /* v1: the container's directory per controller, NULL if unused */
} ctr__cgroup;

static void ctr__cg_init(ctr__cgroup *cg) {
    int i;
    cg->version = 0;
    cg->dir = NULL;
    cg->dirfd = -1;
    for (i = 0; i < CTR__V1_N; i++) cg->v1[i] = NULL;
}

/* out = a sep b; -1 with ENAMETOOLONG if it does not fit. */
static int ctr__join(char *out, size_t size, const char *a, const char *sep, const char *b) {
    int n = snprintf(out, size, "%s%s%s", a, sep, b);
    if (n < 0 || CTR__CAST(size_t, n) >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

static char *ctr__pathdup(const char *a, const char *b) {
    size_t la = strlen(a), lb = b ? strlen(b) : 0;
    char *s = CTR__CAST(char *, CONTAINER_MALLOC(la + lb + 2));
    if (!s) return NULL;
    memcpy(s, a, la);
    if (b) {
        s[la] = '/';
        memcpy(s + la + 1, b, lb + 1);
    } else {
        s[la] = '\0';
    }
    return s;
}

/* Writes val to dir/file.  0, or -1 with errno. */
static int ctr__cg_put(const char *dir, const char *file, const char *val) {
    char path[PATH_MAX];
    size_t len = strlen(val);
    ssize_t w;
    int fd;
    if (ctr__join(path, sizeof(path), dir, "/", file) != 0 || (fd = open(path, O_WRONLY | O_CLOEXEC)) < 0) return -1;
    w = write(fd, val, len);
    ctr__close(&fd);
    return w == CTR__CAST(ssize_t, len) ? 0 : -1;
}

static int ctr__cg_set(const char *dir, const char *file, const char *val, ctr_error *err) {
    if (ctr__cg_put(dir, file, val) == 0) return 0;
    return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "write \"%s\" to %s/%s", val, dir, file);
}

/* Reads dir/file into buf (NUL-terminated); length or -1. */
static ssize_t ctr__cg_get(const char *dir, const char *file, char *buf, size_t size) {
    char path[PATH_MAX];
    ssize_t n;
    int fd;
    if (ctr__join(path, sizeof(path), dir, "/", file) != 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) return -1;
    do n = read(fd, buf, size - 1);
    while (n < 0 && errno == EINTR);
    ctr__close(&fd);
    if (n < 0) return -1;
    buf[n] = '\0';
    return n;
}

/* The number in dir/file, or dflt if there is no such file (controller not used, old kernel). */
static uint64_t ctr__cg_get_u64(const char *dir, const char *file, uint64_t dflt) {
    char buf[64];
    if (!dir || ctr__cg_get(dir, file, buf, sizeof(buf)) <= 0) return dflt;
    return CTR__CAST(uint64_t, strtoull(buf, NULL, 10));
}

/* The value after "key " in a "key value" file (memory.events, cpu.stat). */
static uint64_t ctr__cg_get_key(const char *dir, const char *file, const char *key) {
    char buf[4096];
    size_t k = strlen(key);
    const char *s;
    if (!dir || ctr__cg_get(dir, file, buf, sizeof(buf)) <= 0) return 0;
    for (s = buf; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
        if (strncmp(s, key, k) == 0 && s[k] == ' ') return CTR__CAST(uint64_t, strtoull(s + k + 1, NULL, 10));
    return 0;
}

static int ctr__statfs_type(const char *path, long *type) {
    struct statfs st;
    if (statfs(path, &st) != 0) return -1;
    *type = CTR__CAST(long, st.f_type);
    return 0;
}

/* Removes ctr-PID-* directories of dead PIDs in parent (each rmdir only works if it is empty). */
static void ctr__cg_sweep(const char *parent) {
    DIR *d = opendir(parent);
    struct dirent *e;
    if (!d) return;
    while ((e = readdir(d)) != NULL) {
        long pid;
        char *end;
        if (strncmp(e->d_name, "ctr-", 4) != 0) continue;
        pid = strtol(e->d_name + 4, &end, 10);
        if (end == e->d_name + 4 || *end != '-' || pid <= 0) continue;
        if (kill(CTR__CAST(pid_t, pid), 0) == 0 || errno != ESRCH) continue;
        {
            char path[PATH_MAX];
            if (ctr__join(path, sizeof(path), parent, "/", e->d_name) == 0) (void)rmdir(path);
        }
    }
    closedir(d);
}

/* "ctr-PID-N": unique among this process's containers; the PID lets a later process tell a
   stale cgroup from a live one. */
static void ctr__cg_name(char *name, size_t size) {
    static unsigned counter;
    snprintf(name, size, "ctr-%ld-%u", CTR__CAST(long, getpid()), __atomic_add_fetch(&counter, 1u, __ATOMIC_RELAXED));
}

/* mkdir parent/name; on the first use of that hierarchy (slot: 0 for v2, 1 + the v1 controller)
   in this process, sweep the parent for stale ones. */
static char *ctr__cg_mkdir_container(const char *parent, const char *name, int slot, ctr_error *err) {
    static int swept[1 + CTR__V1_N];
    char *dir;
    if (!__atomic_exchange_n(&swept[slot], 1, __ATOMIC_RELAXED)) ctr__cg_sweep(parent);
    if (!(dir = ctr__pathdup(parent, name))) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate a cgroup path");
        return NULL;
    }
    if (mkdir(dir, 0755) != 0) {
        ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "create cgroup %s", dir);
        CONTAINER_FREE(dir);
        return NULL;
    }
    return dir;
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
static int ctr__cg2_enable(const char *dir, const char *const *ctrls, const int *required, int n, ctr_error *err) {
    char avail[512], on[512];
    int i;
    if (ctr__cg_get(dir, "cgroup.controllers", avail, sizeof(avail)) < 0 ||
        ctr__cg_get(dir, "cgroup.subtree_control", on, sizeof(on)) < 0)
        return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "read the controllers of cgroup %s", dir);
    for (i = 0; i < n; i++) {
        char plus[32];
        if (ctr__word_in(on, ctrls[i])) continue;
        if (!ctr__word_in(avail, ctrls[i])) {
            if (!required[i]) continue;
            return ctr__fail(err, CTR_STEP_CGROUP, EOPNOTSUPP, dir,
                             "the %s controller is not available in cgroup %s (not enabled by its parent, or "
                             "not delegated: with systemd, Delegate=yes on the unit or user@.service)",
                             ctrls[i], dir);
        }
        snprintf(plus, sizeof(plus), "+%s", ctrls[i]);
        if (ctr__cg_put(dir, "cgroup.subtree_control", plus) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "enable the %s controller in %s", ctrls[i], dir);
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
        return ctr__fail(err, CTR_STEP_CGROUP, errno, "/proc/self/cgroup", "find the caller's cgroup");
    for (;;) {
        if (!(slash = strrchr(self, '/')) || slash == self) break;
        *slash = '\0'; /* up one level: never our own cgroup */
        if (ctr__join(path, sizeof(path), CTR__CG_ROOT, "", self) != 0 || access(path, W_OK) != 0) break;
        if (ctr__join(out, size, path, "", "") != 0) break;
        found = 1;
    }
    if (!found)
        return ctr__fail(err, CTR_STEP_CGROUP, EACCES, CTR__CG_ROOT,
                         "no cgroup is delegated to this user, so limits cannot be applied (run as root, "
                         "or in a systemd user session: systemd-run --user --scope -p Delegate=yes ...; "
                         "or set cgroup_parent to a cgroup you own)");
    return 0;
}

static int ctr__cg_mkdir_p(const char *dir, ctr_error *err) {
    if (mkdir(dir, 0755) == 0 || errno == EEXIST) return 0;
    return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "create cgroup %s", dir);
}

static int ctr__cg_wanted(const ctr_spec *s) {
    return s->memory_max || s->memory_swap_max || s->pids_max || s->cpus > 0 || s->cpu_weight || s->io_weight;
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

static int ctr__cg2_limits(const char *dir, const ctr_spec *s, ctr_error *err) {
    char v[64];
    if (s->memory_max) {
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->memory_max));
        if (ctr__cg_set(dir, "memory.max", v, err) != 0) return -1;
    }
    if (s->memory_max || s->memory_swap_max) {
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->memory_swap_max));
        /* Without swap accounting the file is missing: fine when the host has no swap at all. */
        if (ctr__cg_put(dir, "memory.swap.max", v) != 0 && (errno != ENOENT || s->memory_swap_max || ctr__host_has_swap()))
            return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "write \"%s\" to %s/memory.swap.max (swap cannot be "
                             "limited without swap accounting)", v, dir);
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

static int ctr__cg2_create(ctr__cgroup *cg, const ctr_spec *s, ctr_error *err) {
    static const char *const ctrls[] = {"memory", "pids", "cpu", "io"};
    int req[4];
    char parent[PATH_MAX], name[64];
    req[0] = s->memory_max || s->memory_swap_max;
    req[1] = s->pids_max != 0;
    req[2] = s->cpus > 0 || s->cpu_weight;
    req[3] = s->io_weight != 0;
    if (s->cgroup_parent) {
        /* "/sys/fs/cgroup/x", or a path relative to /sys/fs/cgroup ("x" or "/x") */
        const char *cp = s->cgroup_parent;
        int full = strncmp(cp, CTR__CG_ROOT "/", sizeof(CTR__CG_ROOT)) == 0;
        if (ctr__join(parent, sizeof(parent), full ? "" : CTR__CG_ROOT, full || cp[0] == '/' ? "" : "/", cp) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, cp, "cgroup path %s", cp);
    } else {
        char base[PATH_MAX];
        if (geteuid() == 0) strcpy(base, CTR__CG_ROOT);
        else if (ctr__cg2_delegated(base, sizeof(base), err) != 0) return -1;
        if (ctr__cg2_enable(base, ctrls, req, 4, err) != 0) return -1;
        if (ctr__join(parent, sizeof(parent), base, "/", CTR__CG_SUBTREE) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, base, "cgroup path under %s", base);
        if (ctr__cg_mkdir_p(parent, err) != 0) return -1;
    }
    if (ctr__cg2_enable(parent, ctrls, req, 4, err) != 0) return -1;
    ctr__cg_name(name, sizeof(name));
    if (!(cg->dir = ctr__cg_mkdir_container(parent, name, 0, err))) return -1;
    cg->version = 2;
    if ((cg->dirfd = open(cg->dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
        return ctr__fail(err, CTR_STEP_CGROUP, errno, cg->dir, "open cgroup %s", cg->dir);
    return ctr__cg2_limits(cg->dir, s, err);
}

static int ctr__cg1_limits(const ctr__cgroup *cg, const ctr_spec *s, ctr_error *err) {
    char v[64];
    const char *mem = cg->v1[CTR__V1_MEMORY], *cpu = cg->v1[CTR__V1_CPU];
    if (s->memory_max) {
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->memory_max));
        if (ctr__cg_set(mem, "memory.limit_in_bytes", v, err) != 0) return -1;
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->memory_max + s->memory_swap_max));
        if (ctr__cg_put(mem, "memory.memsw.limit_in_bytes", v) != 0) {
            if (errno != ENOENT || s->memory_swap_max)
                return ctr__fail(err, CTR_STEP_CGROUP, errno, mem, "write \"%s\" to %s/memory.memsw.limit_in_bytes", v, mem);
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
            ctr__cg_set(cpu, "cpu.cfs_quota_us", v, err) != 0) return -1;
    }
    if (s->cpu_weight) {
        snprintf(v, sizeof(v), "%u", s->cpu_weight * 1024u / 100u < 2u ? 2u : s->cpu_weight * 1024u / 100u);
        if (ctr__cg_set(cpu, "cpu.shares", v, err) != 0) return -1;
    }
    if (s->io_weight) {
        /* Same scale as v2 (default 100); v1 takes 10..1000 (blkio.weight) or 1..1000 (BFQ). */
        unsigned w = s->io_weight < 10u ? 10u : (s->io_weight > 1000u ? 1000u : s->io_weight);
        snprintf(v, sizeof(v), "%u", w);
        if (ctr__cg_put(cg->v1[CTR__V1_BLKIO], "blkio.weight", v) != 0 &&
            ctr__cg_put(cg->v1[CTR__V1_BLKIO], "blkio.bfq.weight", v) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, cg->v1[CTR__V1_BLKIO],
                             "set blkio weight %s (cgroup v1 io weights need the BFQ scheduler)", v);
    }
    return 0;
}

static int ctr__cg1_create(ctr__cgroup *cg, const ctr_spec *s, ctr_error *err) {
    int use[CTR__V1_N], i;
    char name[64];
    use[CTR__V1_MEMORY] = s->memory_max || s->memory_swap_max || s->cgroup == CTR_CGROUP_ALWAYS;
    use[CTR__V1_PIDS] = s->pids_max || s->cgroup == CTR_CGROUP_ALWAYS;
    use[CTR__V1_CPU] = s->cpus > 0 || s->cpu_weight;
    use[CTR__V1_CPUACCT] = 1;
    use[CTR__V1_FREEZER] = 1;
    use[CTR__V1_BLKIO] = s->io_weight != 0;
    if (s->cgroup_parent && strncmp(s->cgroup_parent, CTR__CG_ROOT "/", sizeof(CTR__CG_ROOT)) == 0)
        return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, s->cgroup_parent,
                         "with cgroup v1, cgroup_parent is a path inside each controller's hierarchy, "
                         "not under %s", CTR__CG_ROOT);
    if (s->memory_swap_max && !s->memory_max)
        return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "", "with cgroup v1, memory_swap_max needs memory_max");
    cg->version = 1;
    ctr__cg_name(name, sizeof(name));
    for (i = 0; i < CTR__V1_N; i++) {
        char mount[PATH_MAX], real[PATH_MAX], parent[PATH_MAX];
        long type;
        int j, shared = 0;
        if (!use[i]) continue;
        (void)ctr__join(mount, sizeof(mount), CTR__CG_ROOT, "/", ctr__v1_names[i]);
        if (ctr__statfs_type(mount, &type) != 0 || type != CTR__CG1_MAGIC || !realpath(mount, real))
            return ctr__fail(err, CTR_STEP_CGROUP, ENOENT, mount,
                             "the cgroup v1 %s controller is not mounted at %s", ctr__v1_names[i], mount);
        /* Co-mounted controllers (cpu,cpuacct) share one directory. */
        for (j = 0; j < i; j++)
            if (cg->v1[j] && strncmp(cg->v1[j], real, strlen(real)) == 0 && cg->v1[j][strlen(real)] == '/') {
                if (!(cg->v1[i] = ctr__pathdup(cg->v1[j], NULL))) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate");
                shared = 1;
                break;
            }
        if (shared) continue;
        if (ctr__join(parent, sizeof(parent), real, "/", s->cgroup_parent ? s->cgroup_parent + (s->cgroup_parent[0] == '/') : CTR__CG_SUBTREE) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, real, "cgroup path under %s", real);
        if (!s->cgroup_parent && ctr__cg_mkdir_p(parent, err) != 0) return -1;
        if (!(cg->v1[i] = ctr__cg_mkdir_container(parent, name, 1 + i, err))) return -1;
    }
    return ctr__cg1_limits(cg, s, err);
}

/* Creates and configures the container's cgroup if the spec needs one.  On failure everything
   made so far is removed by the caller's ctr__cg_destroy. */
static int ctr__cg_create(ctr__cgroup *cg, const ctr_spec *s, ctr_error *err) {
    long type = 0;
    if (s->cgroup == CTR_CGROUP_NEVER) {
        if (ctr__cg_wanted(s))
            return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "", "limits were set but cgroup is CTR_CGROUP_NEVER");
        return 0;
    }
    if (s->cgroup != CTR_CGROUP_ALWAYS && !ctr__cg_wanted(s)) return 0;
    if (ctr__statfs_type(CTR__CG_ROOT, &type) != 0)
        return ctr__fail(err, CTR_STEP_CGROUP, errno, CTR__CG_ROOT, "cgroups are not mounted at %s", CTR__CG_ROOT);
    /* A v1 or hybrid host has a tmpfs at /sys/fs/cgroup; its cgroup2 (if any, at unified/) has no
       controllers we can use, so it is v1 then. */
    if (type == CTR__CG2_MAGIC) return ctr__cg2_create(cg, s, err);
    return ctr__cg1_create(cg, s, err);
}

/* Moves pid into the container's v1 cgroups, while the child waits on the sync pipe. */
static int ctr__cg_attach(const ctr__cgroup *cg, pid_t pid, ctr_error *err) {
    char v[32];
    int i;
    snprintf(v, sizeof(v), "%ld", CTR__CAST(long, pid));
    for (i = 0; i < CTR__V1_N; i++)
        if (cg->v1[i] && ctr__cg_set(cg->v1[i], "cgroup.procs", v, err) != 0) return -1;
    return 0;
}

/* Opens the v2 cgroup's cgroup.procs for writing (close-on-exec, above 2), for a host without
   clone3: the child writes "0" (itself) into it before it runs anything else.  The fd, or -1. */
static int ctr__cg_open_procs(const ctr__cgroup *cg, ctr_error *err) {
    char path[PATH_MAX];
    int fd = -1;
    if (ctr__join(path, sizeof(path), cg->dir, "/", "cgroup.procs") != 0 ||
        (fd = open(path, O_WRONLY | O_CLOEXEC)) < 0 || ctr__lift(&fd) != 0) {
        ctr__close(&fd);
        return ctr__fail(err, CTR_STEP_CGROUP, errno, path, "open %s", path);
    }
    return fd;
}

static int ctr__cg_populated(const ctr__cgroup *cg) {
    char buf[64];
    int i;
    if (cg->version == 2) return ctr__cg_get_key(cg->dir, "cgroup.events", "populated") != 0;
    for (i = 0; i < CTR__V1_N; i++)
        if (cg->v1[i] && ctr__cg_get(cg->v1[i], "cgroup.procs", buf, sizeof(buf)) > 0) return 1;
    return 0;
}

/* 1 once every task of the cgroup is frozen. */
static int ctr__cg_frozen(const ctr__cgroup *cg) {
    char buf[64];
    if (cg->version == 2) return ctr__cg_get_key(cg->dir, "cgroup.events", "frozen") == 1;
    return cg->v1[CTR__V1_FREEZER] && ctr__cg_get(cg->v1[CTR__V1_FREEZER], "freezer.state", buf, sizeof(buf)) > 0 &&
           strncmp(buf, "FROZEN", 6) == 0;
}

/* SIGKILL to every process: cgroup.kill (v2, Linux 5.14), else freeze, kill each, thaw. */
static void ctr__sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* SIGKILLs every pid listed in dir/cgroup.procs, reading it to the end (a read returns at most a
   page of it); returns how many it saw. */
static int ctr__cg_kill_listed(const char *dir) {
    char path[PATH_MAX], buf[4096];
    size_t have = 0;
    int fd, n = 0;
    if (ctr__join(path, sizeof(path), dir, "/", "cgroup.procs") != 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);
        char *s, *nl;
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        have += CTR__CAST(size_t, r);
        buf[have] = '\0';
        for (s = buf; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
            long pid = strtol(s, NULL, 10);
            if (pid > 0) kill(CTR__CAST(pid_t, pid), SIGKILL);
            n++;
        }
        have = strlen(s); /* a line cut by the page end waits for the next read */
        memmove(buf, s, have);
    }
    ctr__close(&fd);
    return n;
}

/* SIGKILL to every process: cgroup.kill (v2, Linux 5.14), else rounds of freeze (no fork behind
   our back), kill each listed, thaw (a frozen process dies only once thawed), until the list is
   empty. */
static void ctr__cg_kill(const ctr__cgroup *cg) {
    const char *freezer = cg->version == 2 ? cg->dir : cg->v1[CTR__V1_FREEZER];
    const char *procs = cg->version == 2 ? cg->dir : cg->v1[CTR__V1_CPUACCT];
    const char *file = cg->version == 2 ? "cgroup.freeze" : "freezer.state";
    int rounds;
    if (cg->version == 0 || !procs) return;
    if (cg->version == 2 && ctr__cg_put(cg->dir, "cgroup.kill", "1") == 0) return;
    for (rounds = 0; rounds < 20; rounds++) {
        int n, waited;
        if (freezer) {
            (void)ctr__cg_put(freezer, file, cg->version == 2 ? "1" : "FROZEN");
            /* Kill only once every task is frozen (up to 1 s), as runc does, rather than while
               they are still freezing. */
            for (waited = 0; waited < 1000 && !ctr__cg_frozen(cg); waited += 2) ctr__sleep_ms(2);
        }
        n = ctr__cg_kill_listed(procs);
        if (freezer) (void)ctr__cg_put(freezer, file, cg->version == 2 ? "0" : "THAWED");
        if (n == 0) break;
        ctr__sleep_ms(1);
    }
}

/* Kills what is left, waits (up to 5 s) for the cgroup to empty, removes it, frees cg. */
static void ctr__cg_destroy(ctr__cgroup *cg) {
    int i, tries;
    if (cg->version != 0) {
        for (tries = 0; tries < 500 && ctr__cg_populated(cg); tries++) {
            if (tries % 50 == 0) ctr__cg_kill(cg);
            ctr__sleep_ms(10);
        }
        if (cg->dir) (void)rmdir(cg->dir);
        for (i = 0; i < CTR__V1_N; i++) {
            int j, dup = 0;
            for (j = 0; j < i; j++) dup |= cg->v1[j] && cg->v1[i] && strcmp(cg->v1[i], cg->v1[j]) == 0;
            if (cg->v1[i] && !dup) (void)rmdir(cg->v1[i]);
        }
    }
    ctr__close(&cg->dirfd);
    CONTAINER_FREE(cg->dir);
    for (i = 0; i < CTR__V1_N; i++) CONTAINER_FREE(cg->v1[i]);
    ctr__cg_init(cg);
}

/* After the container exited: OOM kills, peak memory, CPU times of all its processes. */
static void ctr__cg_result(const ctr__cgroup *cg, ctr_result *r) {
    if (cg->version == 2) {
        r->oom_killed = ctr__cg_get_key(cg->dir, "memory.events", "oom_kill") > 0;
        r->memory_peak = ctr__cg_get_u64(cg->dir, "memory.peak", r->memory_peak);
        r->cpu_user_ns = CTR__CAST(int64_t, ctr__cg_get_key(cg->dir, "cpu.stat", "user_usec")) * 1000;
        r->cpu_system_ns = CTR__CAST(int64_t, ctr__cg_get_key(cg->dir, "cpu.stat", "system_usec")) * 1000;
    } else if (cg->version == 1) {
        const char *mem = cg->v1[CTR__V1_MEMORY], *acct = cg->v1[CTR__V1_CPUACCT];
        r->oom_killed = ctr__cg_get_key(mem, "memory.oom_control", "oom_kill") > 0;
        r->memory_peak = ctr__cg_get_u64(mem, "memory.max_usage_in_bytes", r->memory_peak);
        r->cpu_user_ns = CTR__CAST(int64_t, ctr__cg_get_u64(acct, "cpuacct.usage_user", CTR__CAST(uint64_t, r->cpu_user_ns)));
        r->cpu_system_ns = CTR__CAST(int64_t, ctr__cg_get_u64(acct, "cpuacct.usage_sys", CTR__CAST(uint64_t, r->cpu_system_ns)));
    }
}

static int ctr__cg_stats(const ctr__cgroup *cg, ctr_usage *u, ctr_error *err) {
    if (cg->version == 2) {
        u->memory_current = ctr__cg_get_u64(cg->dir, "memory.current", 0);
        u->pids_current = ctr__cg_get_u64(cg->dir, "pids.current", 0);
        u->cpu_usage_ns = CTR__CAST(int64_t, ctr__cg_get_key(cg->dir, "cpu.stat", "usage_usec")) * 1000;
        return 0;
    }
    if (cg->version == 1) {
        u->memory_current = ctr__cg_get_u64(cg->v1[CTR__V1_MEMORY], "memory.usage_in_bytes", 0);
        u->pids_current = ctr__cg_get_u64(cg->v1[CTR__V1_PIDS], "pids.current", 0);
        u->cpu_usage_ns = CTR__CAST(int64_t, ctr__cg_get_u64(cg->v1[CTR__V1_CPUACCT], "cpuacct.usage", 0));
        return 0;
    }
    return ctr__fail(err, CTR_STEP_CGROUP, ENOTSUP, "",
                     "the container has no cgroup: set a limit or cgroup = CTR_CGROUP_ALWAYS");
}

/* Freezes or thaws; freezing returns once the whole cgroup is frozen (or after 5 s). */
static int ctr__cg_freeze(const ctr__cgroup *cg, int on, ctr_error *err) {
    int tries;
    if (cg->version == 0)
        return ctr__fail(err, CTR_STEP_CGROUP, ENOTSUP, "",
                         "pausing needs a cgroup: set a limit or cgroup = CTR_CGROUP_ALWAYS");
    if (cg->version == 2 && ctr__cg_set(cg->dir, "cgroup.freeze", on ? "1" : "0", err) != 0) return -1;
    if (cg->version == 1 && ctr__cg_set(cg->v1[CTR__V1_FREEZER], "freezer.state", on ? "FROZEN" : "THAWED", err) != 0)
        return -1;
    for (tries = 0; on && tries < 500 && !ctr__cg_frozen(cg); tries++) ctr__sleep_ms(10);
    return 0;
}
