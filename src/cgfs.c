/* cgfs.c - the cgroup filesystem, for both backends (cgroup1.c, cgroup2.c) and cgroup.c: reading
   and writing cgroup files, naming, making and sweeping container cgroups, opening cgroup.procs,
   killing what it lists.  Parent side only. */
#include "internal.h"

static int ctr__statfs_type(const char *path, long *type) {
    struct statfs st;
    if (statfs(path, &st) != 0) return -1;
    *type = CTR__CAST(long, st.f_type);
    return 0;
}

/* Writes val to dir/file.  0, or -1 with errno. */
static int ctr__cg_put(const char *dir, const char *file, const char *val) {
    char path[PATH_MAX];
    size_t len = strlen(val);
    ssize_t w;
    int fd;
    if (ctr__join(path, sizeof(path), dir, "/", file) != 0 ||
        (fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
        return -1;
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
    if (ctr__join(path, sizeof(path), dir, "/", file) != 0 ||
        (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
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
        if (strncmp(s, key, k) == 0 && s[k] == ' ')
            return CTR__CAST(uint64_t, strtoull(s + k + 1, NULL, 10));
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
    snprintf(name, size, "ctr-%ld-%u", CTR__CAST(long, getpid()),
             __atomic_add_fetch(&counter, 1u, __ATOMIC_RELAXED));
}

/* mkdir parent/name; on the first use of that hierarchy (slot: 0 for v2, 1 + the v1 controller)
   in this process, sweep the parent for stale ones. */
static char *ctr__cg_mkdir_container(const char *parent, const char *name, int slot,
                                     ctr_error *err) {
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

static int ctr__cg_mkdir_p(const char *dir, ctr_error *err) {
    if (mkdir(dir, 0755) == 0 || errno == EEXIST) return 0;
    return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "create cgroup %s", dir);
}

/* mkdir -p of a cgroup directory (its parents too). */
static int ctr__cg_mkdir_all(const char *dir, ctr_error *err) {
    char path[PATH_MAX];
    char *slash;
    if (ctr__join(path, sizeof(path), dir, "", "") != 0)
        return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "cgroup path %s", dir);
    for (slash = path + 1; (slash = strchr(slash, '/')) != NULL; slash++) {
        *slash = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, path, "create cgroup %s", path);
        *slash = '/';
    }
    return ctr__cg_mkdir_p(dir, err);
}

/* Opens dir/cgroup.procs for writing (close-on-exec, above 2): the child writes "0" into it,
   which moves the writer.  The fd, or -1. */
static int ctr__cg_open_procs(const char *dir, ctr_error *err) {
    char path[PATH_MAX];
    int fd = -1;
    if (ctr__join(path, sizeof(path), dir, "/", "cgroup.procs") != 0 ||
        (fd = open(path, O_WRONLY | O_CLOEXEC)) < 0 || ctr__lift(&fd) != 0) {
        ctr__close(&fd);
        return ctr__fail(err, CTR_STEP_CGROUP, errno, path, "open %s", path);
    }
    return fd;
}

/* SIGKILLs every pid listed in dir/cgroup.procs, reading it to the end (a read returns at most a
   page of it); returns how many it saw. */
static int ctr__cg_kill_listed(const char *dir) {
    char path[PATH_MAX], buf[4096];
    size_t have = 0;
    int fd, n = 0;
    if (ctr__join(path, sizeof(path), dir, "/", "cgroup.procs") != 0 ||
        (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
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
