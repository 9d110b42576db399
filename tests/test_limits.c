/* test_limits - container.h's resource-limit tests: cgroup limits (v2 or v1, whichever backend the
   machine has), rlimits, timeouts, ctr_stats / ctr_pause / ctr_kill, and that no cgroup is ever
   left behind.  Every test runs real containers; the command is tests/probe.c.

       build/tests/test_limits [NAME-SUBSTRING...]

   Run as root: the unprivileged tests switch a test process to uid/gid 65534 themselves.
   The backend is the library's: cgroup v2 when /sys/fs/cgroup is a cgroup2 mount, else v1.  Tests
   named v2_... or v1_... only apply to that backend and are skipped elsewhere with SKIP_NA (a skip
   even with CONTAINER_TEST_MUST_WORK=1); `make test-vm` runs this suite in a cgroup v2 VM with
   CONTAINER_TEST_EXPECT_CGROUP=2, which turns a VM without cgroup v2 into a failure, so the v2
   tests always run there.

   Cleanup: a test that fails destroys the containers it still holds (th_set_cleanup) and removes
   the cgroups it made itself; after the suite, the parent removes any container cgroup
   (ctr-PID-N) still named after one of the suite's processes. */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "common.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define MiB (1024ull * 1024ull)

/* ---- fixtures (made in the parent before the tests, removed after) ---- */

/* In g_tmp (0755): g_root (bin/probe, proc dev tmp, evil links to g_hostside). */

/* The cgroup backend, as the library picks it. */
static int g_cgv; /* 0: no cgroups, 1: v1, 2: v2 */
enum { V1_MEMORY, V1_PIDS, V1_CPU, V1_CPUACCT, V1_FREEZER, V1_BLKIO, V1_N };
static const char *const g_v1_names[V1_N] = {"memory",  "pids",    "cpu",
                                             "cpuacct", "freezer", "blkio"};
static char g_v1_real[V1_N][PATH_MAX]; /* realpath of each v1 controller's mount, "" if none */
/* The directories the library makes container cgroups in (its "container.h" subtrees). */
static char g_parents[V1_N][PATH_MAX];
static int g_nparents;

/* Shared by the parent and the test processes, so that the parent can clean up after a test that
   died before it could: the processes that spawned containers (their cgroups are ctr-PID-N), and
   the cgroup directories tests made themselves (cgroup_parent, delegation). */
typedef struct spawners {
    int n;
    pid_t pid[2048];
    char made[16][PATH_MAX];
    pid_t made_owner[16];
} spawners;
static spawners *g_spawners;

static void detect_cgroups(void) {
    struct statfs st;
    g_cgv = 0;
    g_nparents = 0;
    if (statfs("/sys/fs/cgroup", &st) != 0) return;
    if (st.f_type == CGROUP2_SUPER_MAGIC) {
        g_cgv = 2;
        th_fmt(g_parents[g_nparents++], PATH_MAX, "/sys/fs/cgroup/container.h");
        return;
    }
    for (int i = 0; i < V1_N; i++) {
        char mnt[PATH_MAX];
        th_fmt(mnt, sizeof mnt, "/sys/fs/cgroup/%s", g_v1_names[i]);
        g_v1_real[i][0] = '\0';
        if (statfs(mnt, &st) != 0 || st.f_type != CGROUP_SUPER_MAGIC ||
            !realpath(mnt, g_v1_real[i])) {
            g_v1_real[i][0] = '\0';
            continue;
        }
        int dup = 0;
        for (int j = 0; j < i; j++) dup |= strcmp(g_v1_real[i], g_v1_real[j]) == 0;
        if (!dup) th_fmt(g_parents[g_nparents++], PATH_MAX, "%s/container.h", g_v1_real[i]);
    }
    if (g_v1_real[V1_MEMORY][0] || g_v1_real[V1_CPUACCT][0]) g_cgv = 1;
}

static void fixture_setup(void) {
    static const char *const dirs[] = {"proc", "dev", "tmp", NULL};
    char tests_dir[PATH_MAX], probe[PATH_MAX + 16];
    detect_cgroups();
    const char *want = getenv("CONTAINER_TEST_EXPECT_CGROUP");
    if (want && *want && atoi(want) != g_cgv) {
        th_fmt(g_fixture_error, sizeof g_fixture_error,
               "CONTAINER_TEST_EXPECT_CGROUP=%s but this machine has cgroup %s", want,
               g_cgv == 2   ? "v2"
               : g_cgv == 1 ? "v1"
                            : "none");
        return;
    }
    g_spawners =
        mmap(NULL, sizeof *g_spawners, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (g_spawners == MAP_FAILED) {
        g_spawners = NULL;
        th_fmt(g_fixture_error, sizeof g_fixture_error, "mmap: %s", strerror(errno));
        return;
    }
    if (find_build_dir(tests_dir, NULL) != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "readlink /proc/self/exe: %s",
               strerror(errno));
        return;
    }
    th_fmt(probe, sizeof probe, "%s/probe", tests_dir);
    if (make_fixture_dir("ctrlimits", 0755) != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "mkdtemp: %s", strerror(errno));
        return;
    }
    path_join(g_root, g_tmp, "rootfs");
    path_join(g_hostside, g_tmp, "hostside");
    if (mkdir(g_hostside, 0755) != 0 || make_rootfs(g_root, probe, "probe", dirs) != 0 ||
        make_evil_links(g_root, NULL) != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "rootfs with %s: %s", probe,
               strerror(errno));
        return;
    }
    printf("# cgroup backend: %s\n", g_cgv == 2 ? "v2" : g_cgv == 1 ? "v1" : "none");
}

/* Kills what is in a cgroup directory and removes it; 0 if it is gone. */
static int force_remove_cgroup(const char *dir) {
    for (int tries = 0; tries < 300; tries++) {
        if (rmdir(dir) == 0 || errno == ENOENT) return 0;
        char path[PATH_MAX + 32], buf[8192];
        th_fmt(path, sizeof path, "%s/cgroup.kill", dir);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            if (write(fd, "1", 1) != 1) {}
            close(fd);
        }
        th_fmt(path, sizeof path, "%s/cgroup.procs", dir);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t n = read(fd, buf, sizeof buf - 1);
            close(fd);
            buf[n > 0 ? n : 0] = '\0';
            for (char *s = strtok(buf, "\n"); s; s = strtok(NULL, "\n"))
                kill((pid_t)atoi(s), SIGKILL);
        }
        th_sleep_ms(10);
    }
    return -1;
}

/* Removes every ctr-PID-* cgroup in dir named after pid; returns how many there were. */
static int remove_cgroups_of(const char *dir, pid_t pid) {
    char prefix[32], path[PATH_MAX + 300];
    int found = 0;
    th_fmt(prefix, sizeof prefix, "ctr-%d-", (int)pid);
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
        th_fmt(path, sizeof path, "%s/%s", dir, e->d_name);
        found++;
        if (force_remove_cgroup(path) != 0)
            printf("note: cannot remove leftover cgroup %s\n", path);
    }
    closedir(d);
    return found;
}

static void remove_made_forcibly(int i);

/* Thaws the container cgroups named after pid (a frozen process cannot die). */
static void thaw_cgroups_of(pid_t pid) {
    char prefix[32], path[PATH_MAX + 300], parent[PATH_MAX + 32];
    th_fmt(prefix, sizeof prefix, "ctr-%d-", (int)pid);
    if (g_cgv == 2)
        th_fmt(parent, sizeof parent, "%s", g_parents[0]);
    else
        th_fmt(parent, sizeof parent, "%s/container.h", g_v1_real[V1_FREEZER]);
    DIR *d = opendir(parent);
    struct dirent *e;
    if (!d) return;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
        th_fmt(path, sizeof path, "%s/%s/%s", parent, e->d_name,
               g_cgv == 2 ? "cgroup.freeze" : "freezer.state");
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) continue;
        if (write(fd, g_cgv == 2 ? "0" : "THAWED", g_cgv == 2 ? 1 : 6) < 0) {}
        close(fd);
    }
    closedir(d);
}

static void fixture_teardown(void) {
    if (getpid() != g_parent) return;
    /* A test killed by its timeout (or a library bug) may have left a container cgroup behind. */
    for (int i = 0;
         g_spawners && i < g_spawners->n && i < (int)(sizeof g_spawners->pid / sizeof(pid_t)); i++)
        thaw_cgroups_of(g_spawners->pid[i]);
    for (int i = 0;
         g_spawners && i < g_spawners->n && i < (int)(sizeof g_spawners->pid / sizeof(pid_t)); i++)
        for (int j = 0; j < g_nparents; j++)
            if (remove_cgroups_of(g_parents[j], g_spawners->pid[i]))
                printf("note: removed leftover container cgroups of test process %d in %s\n",
                       (int)g_spawners->pid[i], g_parents[j]);
    for (int i = 15; g_spawners && i >= 0; i--)
        if (g_spawners->made[i][0]) {
            printf("note: removing cgroup %s left by a test\n", g_spawners->made[i]);
            remove_made_forcibly(i);
        }
    remove_fixture_dir();
}

/* ---- what a test leaves behind if it fails: containers (common.h holds them), their cgroups
   (named after the spawning process), the cgroup directories it made ---- */

/* g_spawn_hook: notes this process as one that spawns containers. */
static void note_spawner(void) {
    static pid_t noted;
    if (!g_spawners || noted == getpid()) return;
    noted = getpid();
    int i = __atomic_fetch_add(&g_spawners->n, 1, __ATOMIC_SEQ_CST);
    if (i < (int)(sizeof g_spawners->pid / sizeof(pid_t))) g_spawners->pid[i] = noted;
}

/* Registers a cgroup directory the test made, removed after a failure. */
static void made_dir(const char *path) {
    for (int i = 0; i < 16; i++)
        if (!g_spawners->made[i][0]) {
            th_fmt(g_spawners->made[i], PATH_MAX, "%s", path);
            g_spawners->made_owner[i] = getpid();
            return;
        }
    FAIL("too many cgroup directories made");
}

/* rmdir of a directory made with made_dir (forgotten once it is gone); 0 or -1 with errno. */
static int remove_made(const char *path) {
    int rc = rmdir(path);
    int e = errno;
    for (int i = 0; i < 16; i++)
        if (strcmp(g_spawners->made[i], path) == 0 && (rc == 0 || e == ENOENT))
            g_spawners->made[i][0] = '\0';
    errno = e;
    return rc;
}

/* Removes made directory i with whatever container cgroups of ours were left in it. */
static void remove_made_forcibly(int i) {
    char sub[PATH_MAX + 16];
    const char *dir = g_spawners->made[i];
    th_fmt(sub, sizeof sub, "%s/container.h", dir);
    for (int k = 0; k < g_spawners->n && k < (int)(sizeof g_spawners->pid / sizeof(pid_t)); k++) {
        remove_cgroups_of(dir, g_spawners->pid[k]);
        remove_cgroups_of(sub, g_spawners->pid[k]);
    }
    rmdir(sub);
    if (force_remove_cgroup(dir) == 0)
        g_spawners->made[i][0] = '\0';
    else
        printf("note: cannot remove %s\n", dir);
}

static void cleanup_after_failure(void) {
    destroy_held();
    for (int i = 15; i >= 0; i--)
        if (g_spawners->made[i][0] && g_spawners->made_owner[i] == getpid())
            remove_made_forcibly(i);
}

/* ---- running containers ---- */

/* Killed by SIGKILL; with init the result may also be init's own "exit 128+9" for the command. */
static void expect_killed(int line, const ctr_result *res, int init) {
    if (res->signaled && res->term_signal == SIGKILL && !res->exited) return;
    if (init && res->exited && res->exit_code == 128 + SIGKILL) return;
    TH_FAILF("line %d: expected the container killed by SIGKILL, got exited=%d code=%d signaled=%d "
             "sig=%d",
             line, res->exited, res->exit_code, res->signaled, res->term_signal);
}
#define ASSERT_KILLED(res, init) expect_killed(__LINE__, res, init)

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void require_cgroups(void) {
    require_root();
    if (g_cgv == 0) SKIP("no cgroup hierarchy at /sys/fs/cgroup");
}

static void require_v2(void) {
    require_root();
    if (g_cgv != 2)
        SKIP_NA("cgroup v2 only; this machine has %s (`make test-vm` runs it in a cgroup v2 VM)",
                g_cgv == 1 ? "cgroup v1" : "no cgroups");
}

static void require_v1(void) {
    require_root();
    if (g_cgv != 1)
        SKIP_NA("cgroup v1 only; this machine has %s", g_cgv == 2 ? "cgroup v2" : "no cgroups");
}

/* Waits up to ms for our child pid to end and reaps it: 1 and *st, or 0. */
static int reap_within(pid_t pid, int ms, int *st) {
    for (int i = 0; i <= ms / 10; i++) {
        pid_t r = waitpid(pid, st, WNOHANG | __WALL);
        if (r == pid) return 1;
        if (r < 0 && errno != EINTR) return 0;
        th_sleep_ms(10);
    }
    return 0;
}

/* ---- cgroup files ---- */

/* dir/file's contents without the trailing newline; -1 (errno set) if it cannot be read. */
static int read_cg(const char *dir, const char *file, char *buf, size_t len) {
    char path[PATH_MAX + 64];
    th_fmt(path, sizeof path, "%s/%s", dir, file);
    ssize_t got = read_file(path, buf, len);
    if (got < 0) return -1;
    trim(buf);
    return (int)got;
}
/* The number in dir/file; fails the test if it cannot be read. */
static long long cg_num(int line, const char *dir, const char *file) {
    char buf[256];
    if (read_cg(dir, file, buf, sizeof buf) < 0)
        TH_FAILF("line %d: cannot read %s/%s: %s", line, dir, file, strerror(errno));
    return strtoll(buf, NULL, 10);
}
#define CG_NUM(dir, file) cg_num(__LINE__, dir, file)

/* The value of "key N" in dir/file (memory.events, cgroup.events, cpu.stat); -1 if absent. */
static long long cg_key(const char *dir, const char *file, const char *key) {
    char buf[4096];
    size_t k = strlen(key);
    if (read_cg(dir, file, buf, sizeof buf) < 0) return -1;
    for (char *s = strtok(buf, "\n"); s; s = strtok(NULL, "\n"))
        if (strncmp(s, key, k) == 0 && s[k] == ' ') return strtoll(s + k + 1, NULL, 10);
    return -1;
}

/* The pids in dir/cgroup.procs; -1 if it cannot be read. */
static int cg_procs(const char *dir, pid_t *pids, int max) {
    static char buf[1 << 17];
    int n = 0;
    if (read_cg(dir, "cgroup.procs", buf, sizeof buf) < 0) return -1;
    for (char *s = strtok(buf, "\n"); s; s = strtok(NULL, "\n"))
        if (n < max) pids[n++] = (pid_t)atoi(s);
    return n;
}

static int cg_has_proc(const char *dir, pid_t pid) {
    static pid_t pids[8192];
    int n = cg_procs(dir, pids, 8192);
    for (int i = 0; i < n; i++)
        if (pids[i] == pid) return 1;
    return 0;
}

/* Waits up to ms for dir's cgroup.procs to be empty; the number left (0: empty). */
static int cg_empty_within(const char *dir, int ms) {
    static pid_t pids[8192];
    int n = 0;
    for (int i = 0; i <= ms / 10; i++) {
        n = cg_procs(dir, pids, 8192);
        if (n <= 0) return 0;
        th_sleep_ms(10);
    }
    return n;
}

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The container's cgroup in controller ctl's hierarchy: v2 the one cgroup, v1 the same relative
   path as ctr_cgroup_path (which is in cpuacct's hierarchy) under ctl's mount. */
static void ctl_dir(const ctr_container *c, int ctl, char *out) {
    const char *path = ctr_cgroup_path(c);
    if (g_cgv == 2 || !path[0]) {
        th_fmt(out, PATH_MAX, "%s", path);
        return;
    }
    size_t k = strlen(g_v1_real[V1_CPUACCT]);
    if (strncmp(path, g_v1_real[V1_CPUACCT], k) != 0 || !g_v1_real[ctl][0])
        TH_FAILF("ctr_cgroup_path '%s' is not under the cpuacct hierarchy %s", path,
                 g_v1_real[V1_CPUACCT]);
    th_fmt(out, PATH_MAX, "%s%s", g_v1_real[ctl], path + k);
}

/* The cgroup path relative to its hierarchy's root, as /proc/PID/cgroup shows it. */
static const char *cg_relative(const char *path) {
    if (g_cgv == 2) return path + strlen("/sys/fs/cgroup");
    return path + strlen(g_v1_real[V1_CPUACCT]);
}

/* How many container cgroups named after pid exist (in every hierarchy); their names in out. */
static int leftovers(pid_t pid, char *out, size_t len) {
    char prefix[32];
    int n = 0;
    th_fmt(prefix, sizeof prefix, "ctr-%d-", (int)pid);
    out[0] = '\0';
    for (int i = 0; i < g_nparents; i++) {
        DIR *d = opendir(g_parents[i]);
        struct dirent *e;
        if (!d) continue;
        while ((e = readdir(d)) != NULL)
            if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
                n++;
                th_fmt(out + strlen(out), len - strlen(out), " %s/%s", g_parents[i], e->d_name);
            }
        closedir(d);
    }
    return n;
}

static void expect_no_leftovers(int line, pid_t pid) {
    char names[4096];
    if (leftovers(pid, names, sizeof names) != 0)
        TH_FAILF("line %d: container cgroups left behind:%s", line, names);
}
#define ASSERT_NO_LEFTOVERS() expect_no_leftovers(__LINE__, getpid())

/* Every cgroup directory of a running container, in each hierarchy it uses. */
typedef struct cgdirs {
    char dir[V1_N][PATH_MAX];
    int n;
} cgdirs;

static void container_dirs(const ctr_container *c, cgdirs *d) {
    d->n = 0;
    if (!ctr_cgroup_path(c)[0]) return;
    if (g_cgv == 2) {
        th_fmt(d->dir[d->n++], PATH_MAX, "%s", ctr_cgroup_path(c));
        return;
    }
    for (int i = 0; i < V1_N; i++) {
        char p[PATH_MAX];
        if (!g_v1_real[i][0]) continue;
        ctl_dir(c, i, p);
        int dup = 0;
        for (int j = 0; j < d->n; j++) dup |= strcmp(d->dir[j], p) == 0;
        if (!dup && is_dir(p)) th_fmt(d->dir[d->n++], PATH_MAX, "%s", p);
    }
}

static void expect_dirs_gone(int line, const cgdirs *d) {
    for (int i = 0; i < d->n; i++)
        if (access(d->dir[i], F_OK) == 0 || errno != ENOENT)
            TH_FAILF("line %d: cgroup %s still exists after ctr_destroy", line, d->dir[i]);
}
#define ASSERT_DIRS_GONE(d) expect_dirs_gone(__LINE__, d)

/* Waits until the container's freezer reports frozen (1) or thawed (0); 1 if it did in time. */
static int frozen_within(const ctr_container *c, int frozen, int ms) {
    char dir[PATH_MAX], buf[64];
    for (int i = 0; i <= ms / 10; i++) {
        if (g_cgv == 2) {
            if (cg_key(ctr_cgroup_path(c), "cgroup.events", "frozen") == frozen) return 1;
        } else {
            ctl_dir(c, V1_FREEZER, dir);
            if (read_cg(dir, "freezer.state", buf, sizeof buf) >= 0 &&
                strcmp(buf, frozen ? "FROZEN" : "THAWED") == 0)
                return 1;
        }
        th_sleep_ms(10);
    }
    return 0;
}

/* ---- process trees (probe ignore-term-tree) ---- */

typedef struct tree {
    pid_t pid[64]; /* host pids of the container's processes */
    int n;
} tree;

/* The host pids of every process in the pid namespace of host pid `member`. */
static void ns_members(pid_t member, tree *t) {
    char path[64], want[64], link[64];
    t->n = 0;
    th_fmt(path, sizeof path, "/proc/%d/ns/pid", (int)member);
    ssize_t n = readlink(path, want, sizeof want - 1);
    if (n <= 0) FAIL("readlink %s: %s", path, strerror(errno));
    want[n] = '\0';
    DIR *d = opendir("/proc");
    struct dirent *e;
    if (!d) FAIL("opendir /proc: %s", strerror(errno));
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        th_fmt(path, sizeof path, "/proc/%s/ns/pid", e->d_name);
        n = readlink(path, link, sizeof link - 1);
        if (n <= 0) continue;
        link[n] = '\0';
        if (strcmp(link, want) == 0 && t->n < 64) t->pid[t->n++] = (pid_t)atoi(e->d_name);
    }
    closedir(d);
}

/* Spawns s (argv: ignore-term-tree N) and finds the host pids of its 1 + 2N processes (+ init). */
static ctr_container *spawn_tree(int line, const ctr_spec *s, int nchildren, tree *t) {
    char buf[1024];
    ctr_container *c = spawn_ok(line, s);
    read_line(ctr_stdio_fd(c, 1), buf, sizeof buf);
    int want = 1 + 2 * nchildren;
    t->n = 0;
    if (s->share & CTR_NS_PID) { /* the probe's pids are host pids */
        for (char *w = strtok(buf, " "); w && t->n < 64; w = strtok(NULL, " "))
            t->pid[t->n++] = (pid_t)atoi(w);
    } else {
        ns_members(ctr_pid(c), t);
        want += s->init ? 1 : 0;
    }
    if (t->n != want)
        TH_FAILF("line %d: expected %d processes in the container, found %d (probe said \"%s\")",
                 line, want, t->n, buf);
    for (int i = 0; i < t->n; i++)
        if (kill(t->pid[i], 0) != 0)
            TH_FAILF("line %d: process %d of the tree is not there", line, (int)t->pid[i]);
    return c;
}

/* After ctr_wait: no process of the tree is left, and the container's cgroup is empty.  With a
   shared pid namespace the orphans were reparented to this process (a subreaper): each must have
   died of SIGKILL. */
static void expect_tree_dead(int line, ctr_container *c, const tree *t, int shared) {
    const char *cg = ctr_cgroup_path(c);
    int left = cg[0] ? cg_empty_within(cg, 5000) : 0;
    if (left) TH_FAILF("line %d: %d process(es) still in cgroup %s", line, left, cg);
    for (int i = 0; i < t->n; i++) {
        if (t->pid[i] == ctr_pid(c)) continue; /* ctr_wait reaped it */
        if (shared) {
            int st;
            if (!reap_within(t->pid[i], 5000, &st))
                TH_FAILF("line %d: process %d of the container did not die", line, (int)t->pid[i]);
            if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
                TH_FAILF("line %d: process %d ended with status 0x%x, not SIGKILL", line,
                         (int)t->pid[i], st);
        }
        int gone = 0;
        for (int k = 0; k < 500 && !gone; k++) {
            gone = kill(t->pid[i], 0) != 0 && errno == ESRCH;
            if (!gone) th_sleep_ms(10);
        }
        if (!gone) TH_FAILF("line %d: process %d of the container survived", line, (int)t->pid[i]);
    }
}
#define ASSERT_TREE_DEAD(c, t, shared) expect_tree_dead(__LINE__, c, t, shared)

static void expect_tree_alive(int line, const tree *t) {
    for (int i = 0; i < t->n; i++)
        if (kill(t->pid[i], 0) != 0) TH_FAILF("line %d: process %d died", line, (int)t->pid[i]);
}

/* Reaps every child of this process (orphans of a shared-pid-namespace container), up to ms. */
static int reap_all_children(int ms) {
    int n = 0;
    for (int i = 0; i <= ms / 10; i++) {
        pid_t r;
        while ((r = waitpid(-1, NULL, WNOHANG | __WALL)) > 0) n++;
        if (r < 0 && errno == ECHILD) return n;
        th_sleep_ms(10);
    }
    return n;
}

static void host_can_fork(void) {
    pid_t p = fork();
    if (p < 0) FAIL("the host cannot fork: %s", strerror(errno));
    if (p == 0) _exit(7);
    int st;
    CHECK_SYS(waitpid(p, &st, 0));
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 7);
}

/* ==== validation ==== */

TEST(spec_rejects_invalid_limits) {
    static const double bad_cpus[] = {-1.0, -0.001, NAN, -NAN, INFINITY, -INFINITY};
    static const double bad_timeouts[] = {-1.0, -1e-9,    NAN,      1e9 * 1.0000001,
                                          1e12, INFINITY, -INFINITY};
    ctr_spec s;
    for (size_t i = 0; i < sizeof bad_cpus / sizeof bad_cpus[0]; i++) {
        spec_init(&s, PROBE("exit", "0"));
        s.cpus = bad_cpus[i];
        EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, NULL);
    }
    for (size_t i = 0; i < sizeof bad_timeouts / sizeof bad_timeouts[0]; i++) {
        spec_init(&s, PROBE("exit", "0"));
        s.timeout_sec = bad_timeouts[i];
        EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, NULL);
    }
    static const unsigned bad_weights[] = {10001, 65536, 0xffffffffu};
    for (size_t i = 0; i < sizeof bad_weights / sizeof bad_weights[0]; i++) {
        spec_init(&s, PROBE("exit", "0"));
        s.cpu_weight = bad_weights[i];
        EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, NULL);
        spec_init(&s, PROBE("exit", "0"));
        s.io_weight = bad_weights[i];
        EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, NULL);
    }
    ASSERT_NO_LEFTOVERS();
}

TEST(rlimit_errors) {
    ctr_spec s;
    static const ctr_rlimit unknown[] = {
        {RLIM_NLIMITS, 1, 1}, {-1, 1, 1}, {1000, 1, 1}, {INT_MAX, 0, 0}};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        spec_init(&s, PROBE("exit", "0"));
        s.rlimits = &unknown[i];
        s.nrlimits = 1;
        EXPECT_SPAWN_ERROR(&s, CTR_STEP_RLIMIT, EINVAL, NULL);
    }
    static const ctr_rlimit soft_above_hard[] = {
        {RLIMIT_NOFILE, 200, 100},
        {RLIMIT_CORE, CTR_RLIM_INFINITY, 0},
        {RLIMIT_FSIZE, CTR_RLIM_INFINITY, CTR_RLIM_INFINITY - 1}};
    for (size_t i = 0; i < sizeof soft_above_hard / sizeof soft_above_hard[0]; i++) {
        ctr_rlimit two[2] = {{RLIMIT_NOFILE, 64, 64}, soft_above_hard[i]};
        spec_init(&s, PROBE("exit", "0"));
        s.rlimits = two; /* the bad one second: every entry is checked */
        s.nrlimits = 2;
        s.memory_max = 64 * MiB; /* checked before any cgroup is made */
        EXPECT_SPAWN_ERROR(&s, CTR_STEP_RLIMIT, EINVAL, NULL);
    }
    spec_init(&s, PROBE("exit", "0"));
    s.nrlimits = 1; /* but no array */
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, NULL);
    ASSERT_NO_LEFTOVERS();
}

TEST(cgroup_never_refuses_limits) {
    for (int k = 0; k < 6; k++) {
        ctr_spec s;
        spec_init(&s, PROBE("exit", "0"));
        s.cgroup = CTR_CGROUP_NEVER;
        switch (k) {
        case 0: s.memory_max = 64 * MiB; break;
        case 1:
            s.memory_max = 64 * MiB;
            s.memory_swap_max = 16 * MiB;
            break;
        case 2: s.pids_max = 16; break;
        case 3: s.cpus = 0.5; break;
        case 4: s.cpu_weight = 50; break;
        default: s.io_weight = 50; break;
        }
        EXPECT_SPAWN_ERROR(&s, CTR_STEP_CGROUP, EINVAL, NULL);
    }
    /* Without a limit it runs, without a cgroup. */
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("exit", "0"));
    s.cgroup = CTR_CGROUP_NEVER;
    s.timeout_sec = 30; /* not a cgroup limit */
    ctr_container *c = SPAWN(&s);
    ASSERT_STREQ(ctr_cgroup_path(c), "");
    drain(c, &r);
    WAIT(c, &r.res);
    destroy(c);
    ASSERT_EXIT(&r, 0);
    ASSERT_NO_LEFTOVERS();
}

/* ==== rlimits ==== */

TEST(rlimits_are_seen_inside) {
    ctr_spec s;
    static const ctr_rlimit rl[] = {{RLIMIT_NOFILE, 64, 128}, {RLIMIT_FSIZE, 1048576, 2097152}};
    spec_init(&s, PROBE("rlimits"));
    s.rlimits = rl;
    s.nrlimits = 2;
    const char *out = SPEC_OUT(&s);
    ASSERT_CONTAINS(out, " nofile=64/128 ");
    ASSERT_CONTAINS(out, " fsize=1048576/2097152 ");
    ASSERT_CONTAINS(out, " core=0/0 "); /* no core dumps unless asked for */
    /* What is not given is the host's. */
    struct rlimit host;
    char want[128];
    CHECK_SYS(getrlimit(RLIMIT_STACK, &host));
    if (host.rlim_cur != RLIM_INFINITY && host.rlim_max != RLIM_INFINITY) {
        th_fmt(want, sizeof want, " stack=%llu/%llu ", (unsigned long long)host.rlim_cur,
               (unsigned long long)host.rlim_max);
        ASSERT_CONTAINS(out, want);
    }
    /* Without any rlimit, core is still 0. */
    spec_init(&s, PROBE("rlimits"));
    ASSERT_CONTAINS(SPEC_OUT(&s), " core=0/0 ");
    /* RLIMIT_CORE given: that one. */
    static const ctr_rlimit core[] = {{RLIMIT_CORE, 4096, CTR_RLIM_INFINITY}};
    spec_init(&s, PROBE("rlimits"));
    s.rlimits = core;
    s.nrlimits = 1;
    ASSERT_CONTAINS(SPEC_OUT(&s), " core=4096/inf ");
}

TEST(rlimits_take_effect) {
    ctr_spec s;
    run r;
    static const ctr_rlimit nofile[] = {{RLIMIT_NOFILE, 16, 16}};
    spec_init(&s, PROBE("openmax"));
    s.rlimits = nofile;
    s.nrlimits = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "opened 13 EMFILE"); /* 0, 1 and 2 are open */
    /* fsize: pid 1 of a pid namespace ignores the SIGXFSZ and sees EFBIG; under init, the command
       dies of SIGXFSZ. */
    static const ctr_rlimit fsize[] = {{RLIMIT_FSIZE, 1048576, 1048576}};
    spec_init(&s, PROBE("fill", "/tmp/big", "4000000"));
    s.rlimits = fsize;
    s.nrlimits = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "EFBIG 1048576");
    s.init = 1;
    RUN(&s, &r);
    ASSERT_SIGNAL(&r.res, SIGXFSZ);
}

/* Is cap in this process's effective set? */
static int have_cap(int cap) {
    char line[256];
    unsigned long long eff = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) FAIL("/proc/self/status: %s", strerror(errno));
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "CapEff: %llx", &eff) == 1) break;
    fclose(f);
    return (eff >> cap) & 1;
}

/* Raising a hard limit needs CAP_SYS_RESOURCE: root has it (unless a sandbox took it away, as
   some CI machines do: then the spawn fails at CTR_STEP_RLIMIT with EPERM). */
TEST(raising_a_hard_rlimit_needs_cap_sys_resource) {
    require_root();
    struct rlimit host;
    char buf[64], want[128];
    CHECK_SYS(getrlimit(RLIMIT_NOFILE, &host));
    int fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC);
    CHECK_SYS(fd);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    ASSERT_GT(n, 0);
    buf[n] = '\0';
    unsigned long long nr_open = strtoull(buf, NULL, 10),
                       hard = (unsigned long long)host.rlim_max + 1000;
    if (hard > nr_open) hard = nr_open;
    if (hard <= (unsigned long long)host.rlim_max)
        SKIP("the nofile hard limit already is fs.nr_open");
    ctr_rlimit rl[] = {{RLIMIT_NOFILE, 100, hard}};
    ctr_spec s;
    spec_init(&s, PROBE("rlimits"));
    s.rlimits = rl;
    s.nrlimits = 1;
    if (!have_cap(CAP_SYS_RESOURCE)) {
        EXPECT_SPAWN_ERROR(&s, CTR_STEP_RLIMIT, EPERM, NULL);
        return;
    }
    th_fmt(want, sizeof want, " nofile=100/%llu ", hard);
    ASSERT_CONTAINS(SPEC_OUT(&s), want);
}

TEST(unprivileged_cannot_raise_a_hard_rlimit) {
    struct rlimit host;
    become_nobody();
    CHECK_SYS(getrlimit(RLIMIT_NOFILE, &host));
    if (host.rlim_max == RLIM_INFINITY) SKIP("the nofile hard limit is unlimited");
    ctr_rlimit up[] = {{RLIMIT_NOFILE, 10, (uint64_t)host.rlim_max + 1}};
    ctr_spec s;
    spec_init(&s, PROBE("rlimits"));
    s.rlimits = up;
    s.nrlimits = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_RLIMIT, EPERM, NULL);
    /* Lowering works for anyone. */
    static const ctr_rlimit down[] = {{RLIMIT_NOFILE, 32, 64}};
    spec_init(&s, PROBE("rlimits"));
    s.rlimits = down;
    s.nrlimits = 1;
    const char *out = SPEC_OUT(&s);
    ASSERT_CONTAINS(out, " nofile=32/64 ");
    ASSERT_CONTAINS(out, " core=0/0 ");
}

/* ==== where the container's cgroup is ==== */

TEST(container_is_born_in_its_cgroup) {
    require_cgroups();
    ctr_spec s;
    run r;
    char want[PATH_MAX + 64], proc[64], host_view[4096];
    /* Inside, with its own cgroup namespace, the command sees itself at the root of every hierarchy. */
    spec_init(&s, PROBE("cgroup"));
    s.cgroup = CTR_CGROUP_ALWAYS;
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    if (g_cgv == 2) ASSERT_STREQ(r.out, "0::/");
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        size_t n = strlen(line);
        if (n < 2 || strcmp(line + n - 2, ":/") != 0)
            FAIL("cgroup line not at the root: \"%s\"", line);
    }
    /* From the host: the path is the library's, the process is in it from the start. */
    spec_init(&s, PROBE("sleep", "100"));
    s.cgroup = CTR_CGROUP_ALWAYS;
    ctr_container *c = SPAWN(&s);
    const char *path = ctr_cgroup_path(c);
    th_fmt(want, sizeof want, "%s/container.h/ctr-%d-",
           g_cgv == 2 ? "/sys/fs/cgroup" : g_v1_real[V1_CPUACCT], (int)getpid());
    if (strncmp(path, want, strlen(want)) != 0)
        FAIL("ctr_cgroup_path is '%s', expected '%sN'", path, want);
    ASSERT_TRUE(is_dir(path));
    ASSERT_TRUE(cg_has_proc(path, ctr_pid(c)));
    th_fmt(proc, sizeof proc, "/proc/%d/cgroup", (int)ctr_pid(c));
    int fd = open(proc, O_RDONLY | O_CLOEXEC);
    CHECK_SYS(fd);
    ssize_t n = read(fd, host_view, sizeof host_view - 1);
    close(fd);
    ASSERT_GT(n, 0);
    host_view[n] = '\0';
    th_fmt(want, sizeof want, "%s%s\n", g_cgv == 2 ? "0::" : ":cpuacct:", cg_relative(path));
    if (g_cgv == 1 && strcmp(g_v1_real[V1_CPUACCT], "/sys/fs/cgroup/cpuacct") != 0)
        th_fmt(want, sizeof want, ":%s\n", cg_relative(path)); /* co-mounted: "cpu,cpuacct" */
    ASSERT_CONTAINS(host_view, want);
    cgdirs d;
    container_dirs(c, &d);
    ctr_result res;
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    destroy(c);
    ASSERT_SIGNAL(&res, SIGKILL);
    ASSERT_DIRS_GONE(&d);
    ASSERT_NO_LEFTOVERS();
}

TEST(no_cgroup_without_limits_so_no_stats_or_pause) {
    ctr_spec s;
    ctr_result res;
    ctr_usage u;
    ctr_error e;
    spec_init(&s, PROBE("sleep", "100"));
    ctr_container *c = SPAWN(&s);
    ASSERT_STREQ(ctr_cgroup_path(c), "");
    ASSERT_EQ(ctr_deadline_ns(c), 0);
    int stats = ctr_stats(c, &u, &e);
    ctr_step stats_step = e.step;
    int paused = ctr_pause(c, &e);
    ctr_step pause_step = e.step;
    int resumed = ctr_resume(c, &e);
    ctr_step resume_step = e.step;
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    destroy(c);
    ASSERT_EQ(stats, -1);
    ASSERT_EQ(stats_step, CTR_STEP_CGROUP);
    ASSERT_EQ(paused, -1);
    ASSERT_EQ(pause_step, CTR_STEP_CGROUP);
    ASSERT_EQ(resumed, -1);
    ASSERT_EQ(resume_step, CTR_STEP_CGROUP);
    ASSERT_SIGNAL(&res, SIGKILL);
    ASSERT_NO_LEFTOVERS();
}

/* cgroup v2: the child is born in its cgroup (clone3 CLONE_INTO_CGROUP): its very first look at
   /proc/self/cgroup shows the root of its cgroup namespace, or, sharing the host's cgroup
   namespace, the container's cgroup itself. */
TEST(v2_first_view_of_its_cgroup_is_its_own) {
    require_v2();
    ctr_spec s;
    run r;
    char want[PATH_MAX + 16];
    for (int init = 0; init < 2; init++) {
        spec_init(&s, PROBE("cgroup"));
        s.memory_max = 64 * MiB;
        s.init = init;
        ASSERT_STREQ(SPEC_OUT(&s), "0::/");
    }
    spec_init(&s, PROBE("cgroup"));
    s.cgroup = CTR_CGROUP_ALWAYS;
    s.share = CTR_NS_CGROUP;
    ctr_container *c = SPAWN(&s);
    th_fmt(want, sizeof want, "0::%s", cg_relative(ctr_cgroup_path(c)));
    drain(c, &r);
    WAIT(c, &r.res);
    destroy(c);
    trim(r.out);
    ASSERT_EXIT(&r, 0);
    ASSERT_STREQ(r.out, want);
    ASSERT_NO_LEFTOVERS();
}

TEST(v2_limits_are_written_to_the_cgroup) {
    require_v2();
    ctr_spec s;
    ctr_result res;
    char buf[256];
    spec_init(&s, PROBE("sleep", "100"));
    s.memory_max = 64 * MiB;
    s.pids_max = 32;
    s.cpus = 0.5;
    s.cpu_weight = 200;
    ctr_container *c = SPAWN(&s);
    const char *dir = ctr_cgroup_path(c);
    ASSERT_TRUE(cg_has_proc(dir, ctr_pid(c)));
    ASSERT_EQ(CG_NUM(dir, "memory.max"), 64 * MiB);
    ASSERT_EQ(CG_NUM(dir, "pids.max"), 32);
    ASSERT_EQ(CG_NUM(dir, "cpu.weight"), 200);
    if (read_cg(dir, "cpu.max", buf, sizeof buf) < 0) FAIL("cpu.max: %s", strerror(errno));
    ASSERT_STREQ(buf, "50000 100000");
    cgdirs d;
    container_dirs(c, &d);
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    destroy(c);
    ASSERT_DIRS_GONE(&d);
    ASSERT_NO_LEFTOVERS();
}

TEST(v1_every_limit_has_its_controller) {
    require_v1();
    ctr_spec s;
    ctr_result res;
    spec_init(&s, PROBE("sleep", "100"));
    s.memory_max = 64 * MiB;
    s.pids_max = 32;
    s.cpus = 0.5;
    s.cpu_weight = 200;
    ctr_container *c = SPAWN(&s);
    char dir[V1_N][PATH_MAX];
    static const int used[] = {V1_MEMORY, V1_PIDS, V1_CPU, V1_CPUACCT, V1_FREEZER};
    for (size_t i = 0; i < sizeof used / sizeof used[0]; i++) {
        int k = used[i];
        if (!g_v1_real[k][0])
            FAIL("the %s controller is not mounted, yet ctr_spawn succeeded", g_v1_names[k]);
        ctl_dir(c, k, dir[k]);
        if (!is_dir(dir[k])) FAIL("no %s cgroup %s for the container", g_v1_names[k], dir[k]);
        if (!cg_has_proc(dir[k], ctr_pid(c)))
            FAIL("the container is not in its %s cgroup %s", g_v1_names[k], dir[k]);
    }
    ASSERT_STREQ(ctr_cgroup_path(c), dir[V1_CPUACCT]);
    ASSERT_EQ(CG_NUM(dir[V1_MEMORY], "memory.limit_in_bytes"), 64 * MiB);
    char memsw[PATH_MAX + 32];
    th_fmt(memsw, sizeof memsw, "%s/memory.memsw.limit_in_bytes", dir[V1_MEMORY]);
    if (access(memsw, F_OK) == 0)
        ASSERT_EQ(CG_NUM(dir[V1_MEMORY], "memory.memsw.limit_in_bytes"), 64 * MiB);
    else
        ASSERT_EQ(CG_NUM(dir[V1_MEMORY], "memory.swappiness"), 0);
    ASSERT_EQ(CG_NUM(dir[V1_PIDS], "pids.max"), 32);
    ASSERT_EQ(CG_NUM(dir[V1_CPU], "cpu.cfs_period_us"), 100000);
    ASSERT_EQ(CG_NUM(dir[V1_CPU], "cpu.cfs_quota_us"), 50000);
    ASSERT_EQ(CG_NUM(dir[V1_CPU], "cpu.shares"), 200 * 1024 / 100);
    char state[64];
    ASSERT_GE(read_cg(dir[V1_FREEZER], "freezer.state", state, sizeof state), 0);
    ASSERT_STREQ(state, "THAWED");
    cgdirs d;
    container_dirs(c, &d);
    ASSERT_GE(d.n, 4);
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    destroy(c);
    ASSERT_SIGNAL(&res, SIGKILL);
    ASSERT_DIRS_GONE(&d);
    ASSERT_NO_LEFTOVERS();
}

/* v1: cgroup_parent is a path inside each hierarchy; if it is missing in one, the cgroups already
   made in the others are removed again. */
TEST(v1_failure_halfway_removes_what_was_made) {
    require_v1();
    char name[64], mem_parent[PATH_MAX];
    th_fmt(name, sizeof name, "ctrtest-half-%d", (int)getpid());
    th_fmt(mem_parent, sizeof mem_parent, "%s/%s", g_v1_real[V1_MEMORY], name);
    CHECK_SYS(mkdir(mem_parent, 0755));
    made_dir(mem_parent);
    ctr_spec s;
    spec_init(&s, PROBE("exit", "0"));
    s.memory_max = 64 * MiB; /* memory (made), then cpuacct (parent missing) */
    s.cgroup_parent = name;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_CGROUP, ENOENT, NULL);
    int rc = remove_made(mem_parent); /* fails with EBUSY if a ctr-* cgroup was left inside */
    if (rc != 0)
        FAIL("rmdir %s: %s (a container cgroup was left in it)", mem_parent, strerror(errno));
    /* A cgroup_parent under /sys/fs/cgroup makes no sense with v1. */
    spec_init(&s, PROBE("exit", "0"));
    s.memory_max = 64 * MiB;
    s.cgroup_parent = "/sys/fs/cgroup/memory/x";
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_CGROUP, EINVAL, NULL);
    ASSERT_NO_LEFTOVERS();
}

/* Entries of /tmp named like a container cgroup (ctr-PID-N). */
static int ctr_dirs_in_tmp(void) {
    DIR *d = opendir("/tmp");
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)) != NULL) n += strncmp(e->d_name, "ctr-", 4) == 0;
    if (d) closedir(d);
    return n;
}

/* cgroup_parent with "." or ".." components could name a directory outside the cgroup
   filesystem: refused before anything is made. */
TEST(cgroup_parent_with_dot_dot_refused) {
    static const char *const bad[] = {"../../../../tmp", "a/../../b", "./x", "x/..", "", NULL};
    int before, after;
    ctr_spec s;
    require_root();
    before = ctr_dirs_in_tmp();
    for (int i = 0; bad[i]; i++) {
        spec_init(&s, PROBE("exit", "0"));
        s.pids_max = 16;
        s.cgroup_parent = bad[i];
        EXPECT_SPAWN_ERROR(&s, CTR_STEP_CGROUP, EINVAL, bad[i]);
    }
    after = ctr_dirs_in_tmp();
    ASSERT_EQ(after, before);
}

TEST(cgroup_parent_is_used) {
    require_cgroups();
    char name[64], dirs[V1_N][PATH_MAX], want[PATH_MAX + 64];
    int ndirs = 0;
    th_fmt(name, sizeof name, "ctrtest-parent-%d", (int)getpid());
    if (g_cgv == 2) {
        th_fmt(dirs[ndirs++], PATH_MAX, "/sys/fs/cgroup/%s", name);
    } else {
        for (int i = 0; i < V1_N; i++) {
            int dup = 0;
            for (int j = 0; j < i; j++)
                dup |= g_v1_real[i][0] && strcmp(g_v1_real[i], g_v1_real[j]) == 0;
            if (g_v1_real[i][0] && !dup)
                th_fmt(dirs[ndirs++], PATH_MAX, "%s/%s", g_v1_real[i], name);
        }
    }
    for (int i = 0; i < ndirs; i++) {
        CHECK_SYS(mkdir(dirs[i], 0755));
        made_dir(dirs[i]);
    }
    /* Relative, and for v2 also the full path. */
    for (int form = 0; form < (g_cgv == 2 ? 2 : 1); form++) {
        ctr_spec s;
        ctr_result res;
        spec_init(&s, PROBE("sleep", "100"));
        s.memory_max = 64 * MiB;
        s.cgroup_parent = form ? dirs[0] : name;
        ctr_container *c = SPAWN(&s);
        th_fmt(want, sizeof want, "%s/%s/ctr-%d-",
               g_cgv == 2 ? "/sys/fs/cgroup" : g_v1_real[V1_CPUACCT], name, (int)getpid());
        const char *path = ctr_cgroup_path(c);
        int placed = strncmp(path, want, strlen(want)) == 0 && cg_has_proc(path, ctr_pid(c));
        char memdir[PATH_MAX];
        ctl_dir(c, V1_MEMORY, memdir);
        int limited = CG_NUM(memdir, g_cgv == 2 ? "memory.max" : "memory.limit_in_bytes") ==
                      (long long)(64 * MiB);
        cgdirs d;
        container_dirs(c, &d);
        ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
        WAIT(c, &res);
        destroy(c);
        if (!placed)
            FAIL("ctr_cgroup_path is '%s', expected '%sN' holding the container", path, want);
        ASSERT_TRUE(limited);
        ASSERT_DIRS_GONE(&d);
    }
    for (int i = ndirs - 1; i >= 0; i--)
        if (remove_made(dirs[i]) != 0)
            FAIL("rmdir %s: %s (something was left in it)", dirs[i], strerror(errno));
}

/* With memory_max, swap is off (memory_swap_max allows some). */
TEST(swap_is_off_under_a_memory_limit) {
    require_cgroups();
    for (int k = 0; k < 2; k++) {
        ctr_spec s;
        ctr_result res;
        spec_init(&s, PROBE("sleep", "100"));
        s.memory_max = 64 * MiB;
        s.memory_swap_max = k ? 16 * MiB : 0;
        ctr_container *c = SPAWN(&s);
        char dir[PATH_MAX], buf[64];
        ctl_dir(c, V1_MEMORY, dir);
        long long got;
        int missing;
        const char *file = g_cgv == 2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes";
        missing = read_cg(dir, file, buf, sizeof buf) < 0;
        got = missing ? -1 : strtoll(buf, NULL, 10);
        long long swappiness = g_cgv == 1 && missing ? CG_NUM(dir, "memory.swappiness") : -1;
        ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
        WAIT(c, &res);
        destroy(c);
        if (missing && k == 1) FAIL("memory_swap_max was accepted but %s/%s is missing", dir, file);
        if (missing && g_cgv == 2)
            SKIP_NA("no swap accounting here (%s/%s is missing), so no swap limit to see", dir,
                    file);
        if (missing) {
            ASSERT_EQ(swappiness, 0);
            continue;
        }
        if (g_cgv == 2)
            ASSERT_EQ(got, k ? (long long)(16 * MiB) : 0);
        else
            ASSERT_EQ(got, (long long)((k ? 80 : 64) * MiB)); /* memsw = memory + swap */
    }
    /* memory_swap_max alone: v1 cannot express it (memsw includes memory), v2 can. */
    ctr_spec s;
    spec_init(&s, PROBE("sleep", "100"));
    s.memory_swap_max = 16 * MiB;
    if (g_cgv == 1) {
        EXPECT_SPAWN_ERROR(&s, CTR_STEP_CGROUP, EINVAL, NULL);
    } else {
        ctr_result res;
        char buf[64];
        ctr_container *c = SPAWN(&s);
        int swap_ok = read_cg(ctr_cgroup_path(c), "memory.swap.max", buf, sizeof buf) >= 0 &&
                      strcmp(buf, "16777216") == 0;
        int mem_ok = read_cg(ctr_cgroup_path(c), "memory.max", buf, sizeof buf) >= 0 &&
                     strcmp(buf, "max") == 0;
        ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
        WAIT(c, &res);
        destroy(c);
        ASSERT_TRUE(swap_ok);
        ASSERT_TRUE(mem_ok);
    }
    ASSERT_NO_LEFTOVERS();
}

/* io_weight: applied, or refused at CTR_STEP_CGROUP (v1 without BFQ) - never silently ignored. */
TEST(io_weight_is_applied_or_refused) {
    require_cgroups();
    ctr_spec s;
    spec_init(&s, PROBE("sleep", "100"));
    s.io_weight = 200;
    ctr_container *c = NULL;
    ctr_error e;
    memset(&e, 0, sizeof e);
    note_spawner();
    if (ctr_spawn(&s, &c, &e) != 0) {
        if (e.step != CTR_STEP_CGROUP || !e.msg[0] || e.sys_errno == 0)
            FAIL("io_weight failed at step %s, %s: %s", ctr_step_name(e.step), errname(e.sys_errno),
                 e.msg);
        ASSERT_NO_LEFTOVERS();
        return;
    }
    hold(c);
    char dir[PATH_MAX], buf[256] = "";
    ctr_result res;
    ctl_dir(c, V1_BLKIO, dir);
    int ok;
    if (g_cgv == 2) {
        ok = read_cg(dir, "io.weight", buf, sizeof buf) >= 0 && strstr(buf, "default 200") != NULL;
        if (!ok && read_cg(dir, "io.bfq.weight", buf, sizeof buf) >= 0)
            ok = strstr(buf, "default 200") != NULL;
    } else {
        ok = (read_cg(dir, "blkio.weight", buf, sizeof buf) >= 0 && atoi(buf) == 200) ||
             (read_cg(dir, "blkio.bfq.weight", buf, sizeof buf) >= 0 && atoi(buf) == 200);
    }
    cgdirs d;
    container_dirs(c, &d);
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    destroy(c);
    if (!ok)
        FAIL("io_weight 200 was accepted but %s does not show it (last read: \"%s\")", dir, buf);
    ASSERT_DIRS_GONE(&d);
    ASSERT_NO_LEFTOVERS();
}

/* ==== memory ==== */

static void check_memory_hog(int line, int init) {
    ctr_spec s;
    run r;
    const uint64_t limit = 48 * MiB;
    spec_init(&s, PROBE("alloc", "200"));
    s.memory_max = limit;
    s.init = init;
    run_spec(line, &s, &r);
    if (strstr(r.out, "allocated"))
        TH_FAILF("line %d: the hog got all its memory: \"%s\"", line, r.out);
    expect_killed(line, &r.res, init);
    if (r.res.oom_killed != 1)
        TH_FAILF("line %d: oom_killed is %d, expected 1", line, r.res.oom_killed);
    if (r.res.memory_peak < limit / 2 || r.res.memory_peak > limit + 4 * MiB)
        TH_FAILF("line %d: memory_peak %llu is not near the limit %llu", line,
                 (unsigned long long)r.res.memory_peak, (unsigned long long)limit);
    if (r.res.timed_out) TH_FAILF("line %d: timed_out set", line);
}

TEST(memory_hog_is_oom_killed) {
    require_cgroups();
    check_memory_hog(__LINE__, 0);
    ASSERT_NO_LEFTOVERS();
}

TEST(memory_hog_is_oom_killed_under_init) {
    require_cgroups();
    check_memory_hog(__LINE__, 1);
    ASSERT_NO_LEFTOVERS();
}

/* The OOM killer takes a child; the command itself goes on and exits 0: still oom_killed. */
TEST(oom_kill_of_a_child_is_reported) {
    require_cgroups();
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("child-alloc", "200"));
    s.memory_max = 48 * MiB;
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    ASSERT_STREQ(r.out, "child killed by 9");
    ASSERT_EQ(r.res.oom_killed, 1);
    ASSERT_LE(r.res.memory_peak, 52 * MiB);
    ASSERT_NO_LEFTOVERS();
}

TEST(memory_within_the_limit_is_not_oom) {
    require_cgroups();
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("alloc", "8"));
    s.memory_max = 64 * MiB;
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    ASSERT_STREQ(r.out, "allocated 8");
    ASSERT_EQ(r.res.oom_killed, 0);
    ASSERT_EQ(r.res.timed_out, 0);
    ASSERT_GE(r.res.memory_peak, 8 * MiB);
    ASSERT_LE(r.res.memory_peak, 64 * MiB);
    ASSERT_NO_LEFTOVERS();
}

TEST(memory_peak_without_a_cgroup_is_the_largest_rss) {
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("alloc", "20"));
    ctr_container *c = SPAWN(&s);
    ASSERT_STREQ(ctr_cgroup_path(c), "");
    drain(c, &r);
    WAIT(c, &r.res);
    destroy(c);
    trim(r.out);
    ASSERT_EXIT(&r, 0);
    ASSERT_STREQ(r.out, "allocated 20");
    ASSERT_EQ(r.res.oom_killed, 0);
    ASSERT_GE(r.res.memory_peak, 20 * MiB);
    ASSERT_LT(r.res.memory_peak, 200 * MiB);
}

/* ==== pids ==== */

TEST(fork_bomb_stops_at_pids_max) {
    require_cgroups();
    for (int init = 0; init < 2; init++) {
        ctr_spec s;
        spec_init(&s, PROBE("forkbomb", "100"));
        s.pids_max = 16;
        s.init = init;
        /* 16 tasks: the probe (and init) plus the children */
        ASSERT_STREQ(SPEC_OUT(&s), init ? "forked 14 EAGAIN" : "forked 15 EAGAIN");
    }
    host_can_fork();
    ASSERT_NO_LEFTOVERS();
}

/* A real fork bomb (every process forks forever) stays at pids_max, and the timeout ends it. */
TEST(runaway_fork_bomb_is_contained) {
    require_cgroups();
    ctr_spec s;
    ctr_result res;
    ctr_usage u;
    char line[64];
    spec_init(&s, PROBE("bomb"));
    s.stdio[2] = CTR_STDIO_NULL;
    s.pids_max = 16;
    s.cpus = 0.5; /* be kind to the machine */
    s.timeout_sec = 3;
    int64_t t0 = now_ns();
    ctr_container *c = SPAWN(&s);
    read_line(ctr_stdio_fd(c, 1), line, sizeof line);
    ASSERT_STREQ(line, "bombing");
    uint64_t most = 0;
    for (int i = 0; i < 20; i++) {
        ASSERT_EQ(ctr_stats(c, &u, NULL), 0);
        if (u.pids_current > most) most = u.pids_current;
        th_sleep_ms(50);
    }
    host_can_fork();
    WAIT(c, &res);
    int64_t t1 = now_ns();
    const char *cg = ctr_cgroup_path(c);
    int left = cg_empty_within(cg, 5000);
    cgdirs d;
    container_dirs(c, &d);
    destroy(c);
    ASSERT_EQ(left, 0);
    ASSERT_LE(most, 16);
    ASSERT_GE(most, 2);
    ASSERT_EQ(res.timed_out, 1);
    ASSERT_KILLED(&res, 0);
    ASSERT_LT(t1 - t0, 10000000000LL);
    ASSERT_DIRS_GONE(&d);
    ASSERT_NO_LEFTOVERS();
}

/* ctr_kill(SIGKILL) ends a fork bomb that runs in the host's pid namespace, where only the cgroup
   knows all its processes, while they keep forking. */
TEST(kill_ends_a_fork_bomb_in_the_hosts_pid_namespace) {
    require_cgroups();
    CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1));
    ctr_spec s;
    ctr_result res;
    char line[64];
    spec_init(&s, PROBE("bomb"));
    s.stdio[2] = CTR_STDIO_NULL;
    s.share = CTR_NS_PID;
    s.pids_max = 16;
    s.cpus = 0.5;
    ctr_container *c = SPAWN(&s);
    read_line(ctr_stdio_fd(c, 1), line, sizeof line);
    ASSERT_STREQ(line, "bombing");
    th_sleep_ms(500);
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    const char *cg = ctr_cgroup_path(c);
    int left = cg_empty_within(cg, 5000);
    cgdirs d;
    container_dirs(c, &d);
    destroy(c);
    reap_all_children(10000);
    ASSERT_EQ(left, 0);
    ASSERT_KILLED(&res, 0);
    ASSERT_DIRS_GONE(&d);
    ASSERT_NO_LEFTOVERS();
}

/* ==== cpu ==== */

/* CPU time over wall time of `spin SECS` with the given cpus limit (0: none, but a cgroup). */
static double cpu_ratio(double cpus, const char *secs) {
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("spin", secs));
    s.cpus = cpus;
    s.cgroup = CTR_CGROUP_ALWAYS;
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    ASSERT_GE(r.res.wall_ns, (int64_t)(atof(secs) * 1e9));
    return (double)(r.res.cpu_user_ns + r.res.cpu_system_ns) / (double)r.res.wall_ns;
}

TEST_TIMEOUT(cpus_half_keeps_a_busy_loop_near_half_a_cpu, 120) {
    require_cgroups();
    double ratio = 0, control = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        ratio = cpu_ratio(0.5, "3");
        if (ratio > 0.7) FAIL("cpus = 0.5 but the loop got %.2f CPUs", ratio);
        if (ratio >= 0.3) {
            ASSERT_NO_LEFTOVERS();
            return;
        }
        /* Too little: is the machine just too busy to give even half a CPU? */
        control = cpu_ratio(0, "1");
        if (control < 0.6)
            SKIP("the machine is too busy: cpus = 0.5 got %.2f CPUs, and without a limit only %.2f",
                 ratio, control);
    }
    FAIL("cpus = 0.5 got only %.2f CPUs, while without a limit the loop got %.2f", ratio, control);
}

/* cpu_user_ns + cpu_system_ns count every process: here pid 1 only waits while two children spin.
   With a cgroup, its figures; without, what pid 1 reaped (which is everything here). */
TEST(cpu_time_counts_every_process) {
    for (int k = 0; k < 2; k++) {
        if (k == 1) require_cgroups();
        ctr_spec s;
        run r;
        spec_init(&s, PROBE("spin-children", "2", "1"));
        s.cgroup = k ? CTR_CGROUP_ALWAYS : CTR_CGROUP_AUTO;
        RUN(&s, &r);
        ASSERT_EXIT(&r, 0);
        ASSERT_STREQ(r.out, "spun 2");
        /* generous: the machine may be busy, but pid 1 alone uses next to nothing */
        ASSERT_GT(r.res.cpu_user_ns + r.res.cpu_system_ns, 200000000LL);
        ASSERT_LE(r.res.cpu_user_ns + r.res.cpu_system_ns, r.res.wall_ns * 2 + 100000000LL);
    }
}

/* ==== timeouts ==== */

static void check_timeout_sleep(int line, int init) {
    ctr_spec s;
    ctr_result res;
    spec_init(&s, PROBE("sleep", "100"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    s.timeout_sec = 1;
    s.init = init;
    int64_t t0 = now_ns();
    ctr_container *c = spawn_ok(line, &s);
    int64_t t1 = now_ns(), deadline = ctr_deadline_ns(c);
    wait_ok(line, c, &res);
    int64_t t2 = now_ns();
    destroy(c);
    if (deadline < t0 + 1000000000 || deadline > t1 + 1000000000)
        TH_FAILF("line %d: ctr_deadline_ns is %lld ns after the spawn began, expected 1 s (spawn "
                 "took %lld ns)",
                 line, (long long)(deadline - t0), (long long)(t1 - t0));
    if (t2 < deadline)
        TH_FAILF("line %d: ctr_wait returned %lld ns before the deadline", line,
                 (long long)(deadline - t2));
    if (t2 - t0 > 5000000000LL)
        TH_FAILF("line %d: ctr_wait took %.2f s for a 1 s timeout", line, (double)(t2 - t0) / 1e9);
    if (res.timed_out != 1) TH_FAILF("line %d: timed_out is %d", line, res.timed_out);
    expect_killed(line, &res, init);
    if (res.wall_ns < 1000000000)
        TH_FAILF("line %d: wall_ns %lld < 1 s", line, (long long)res.wall_ns);
}

TEST(timeout_kills_a_sleeping_command) {
    check_timeout_sleep(__LINE__, 0);
    check_timeout_sleep(__LINE__, 1);
    /* One that ends in time is not touched. */
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("sleep", "0.1"));
    s.timeout_sec = 30;
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    ASSERT_EQ(r.res.timed_out, 0);
}

TEST(timeout_accepts_its_maximum) {
    ctr_spec s;
    ctr_result res;
    spec_init(&s, PROBE("sleep", "100"));
    s.timeout_sec = 1e9;
    int64_t t0 = now_ns();
    ctr_container *c = SPAWN(&s);
    int64_t t1 = now_ns(), deadline = ctr_deadline_ns(c);
    ASSERT_EQ(ctr_poll(c, &res, NULL), 0);
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    destroy(c);
    ASSERT_GE(deadline, t0 + 1000000000LL * 1000000000LL);
    ASSERT_LE(deadline, t1 + 1000000000LL * 1000000000LL);
    ASSERT_EQ(res.timed_out, 0);
    ASSERT_SIGNAL(&res, SIGKILL);
}

/* A tree of processes that ignore SIGTERM (some in their own session), killed by timeout_sec. */
static void check_tree_timeout(int line, int init, ctr_cgroup_mode mode, uint64_t pids_max,
                               unsigned share) {
    ctr_spec s;
    ctr_result res;
    tree t;
    spec_init(&s, PROBE("ignore-term-tree", "3"));
    s.stdio[2] = CTR_STDIO_NULL;
    s.timeout_sec = 1;
    s.init = init;
    s.cgroup = mode;
    s.pids_max = pids_max;
    s.share = share;
    int64_t t0 = now_ns();
    ctr_container *c = spawn_tree(line, &s, 3, &t);
    if (!!ctr_cgroup_path(c)[0] != (mode == CTR_CGROUP_ALWAYS || pids_max))
        TH_FAILF("line %d: ctr_cgroup_path is '%s'", line, ctr_cgroup_path(c));
    wait_ok(line, c, &res);
    int64_t t1 = now_ns();
    expect_tree_dead(line, c, &t, (share & CTR_NS_PID) != 0);
    cgdirs d;
    container_dirs(c, &d);
    destroy(c);
    expect_dirs_gone(line, &d);
    if (res.timed_out != 1) TH_FAILF("line %d: timed_out is %d", line, res.timed_out);
    expect_killed(line, &res, init);
    if (t1 - t0 > 5000000000LL)
        TH_FAILF("line %d: the 1 s timeout took %.2f s", line, (double)(t1 - t0) / 1e9);
    expect_no_leftovers(line, getpid());
}

TEST(timeout_kills_a_tree_that_ignores_sigterm) {
    check_tree_timeout(__LINE__, 0, CTR_CGROUP_AUTO, 0, 0); /* no cgroup: the pid namespace */
    check_tree_timeout(__LINE__, 1, CTR_CGROUP_AUTO, 0, 0);
    require_cgroups();
    check_tree_timeout(__LINE__, 0, CTR_CGROUP_ALWAYS, 0, 0);
    check_tree_timeout(__LINE__, 1, CTR_CGROUP_AUTO, 64, 0);
}

TEST(timeout_in_the_hosts_pid_namespace_kills_the_tree_through_the_cgroup) {
    require_cgroups();
    CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1));
    check_tree_timeout(__LINE__, 0, CTR_CGROUP_ALWAYS, 0, CTR_NS_PID);
    check_tree_timeout(__LINE__, 1, CTR_CGROUP_AUTO, 64, CTR_NS_PID);
}

/* An event loop: a timer for ctr_deadline_ns, then ctr_poll kills and reports timed_out. */
TEST(poll_enforces_the_deadline) {
    for (int k = 0; k < 2; k++) {
        if (k == 1) require_cgroups();
        ctr_spec s;
        ctr_result res, again;
        tree t;
        spec_init(&s, PROBE("ignore-term-tree", "2"));
        s.stdio[2] = CTR_STDIO_NULL;
        s.timeout_sec = 1;
        s.cgroup = k ? CTR_CGROUP_ALWAYS : CTR_CGROUP_AUTO;
        ctr_container *c = spawn_tree(__LINE__, &s, 2, &t);
        int64_t deadline = ctr_deadline_ns(c);
        ASSERT_EQ(ctr_poll(c, &res, NULL), 0);
        struct pollfd p = {ctr_pidfd(c), POLLIN, 0};
        int64_t left = deadline - now_ns();
        int ready = poll(&p, 1, left > 0 ? (int)(left / 1000000) + 1 : 0);
        ASSERT_EQ(ready, 0); /* still running at the deadline */
        while (now_ns() < deadline) th_sleep_ms(1);
        int64_t t0 = now_ns();
        int polled = ctr_poll(c, &res, NULL);
        int64_t t1 = now_ns();
        ASSERT_EQ(polled, 1);
        ASSERT_EQ(res.timed_out, 1);
        ASSERT_KILLED(&res, 0);
        ASSERT_GE(res.wall_ns, 1000000000LL);
        ASSERT_LT(t1 - t0, 5000000000LL);
        ASSERT_TREE_DEAD(c, &t, 0);
        WAIT(c, &again); /* the same result */
        ASSERT_EQ(again.timed_out, 1);
        ASSERT_EQ(again.wall_ns, res.wall_ns);
        ASSERT_EQ(ctr_poll(c, &again, NULL), 1);
        ASSERT_EQ(again.timed_out, 1);
        cgdirs d;
        container_dirs(c, &d);
        destroy(c);
        ASSERT_DIRS_GONE(&d);
    }
    ASSERT_NO_LEFTOVERS();
}

/* ==== ctr_kill ==== */

static void check_kill(int line, int init, ctr_cgroup_mode mode, uint64_t memory_max,
                       unsigned share) {
    ctr_spec s;
    ctr_result res;
    tree t;
    spec_init(&s, PROBE("ignore-term-tree", "3"));
    s.stdio[2] = CTR_STDIO_NULL;
    s.init = init;
    s.cgroup = mode;
    s.memory_max = memory_max;
    s.share = share;
    ctr_container *c = spawn_tree(line, &s, 3, &t);
    /* SIGTERM goes to pid 1 (or through init to the command): ignored, nothing dies. */
    if (ctr_kill(c, SIGTERM, NULL) != 0) TH_FAILF("line %d: ctr_kill SIGTERM failed", line);
    th_sleep_ms(200);
    if (ctr_poll(c, &res, NULL) != 0) TH_FAILF("line %d: the container ended on SIGTERM", line);
    expect_tree_alive(line, &t);
    if (ctr_kill(c, SIGKILL, NULL) != 0) TH_FAILF("line %d: ctr_kill SIGKILL failed", line);
    wait_ok(line, c, &res);
    expect_killed(line, &res, init);
    if (res.timed_out) TH_FAILF("line %d: timed_out set", line);
    expect_tree_dead(line, c, &t, (share & CTR_NS_PID) != 0);
    ctr_error e;
    if (ctr_kill(c, SIGKILL, &e) != -1 || e.sys_errno != ESRCH || e.step != CTR_STEP_KILL)
        TH_FAILF("line %d: ctr_kill after the exit should fail with CTR_STEP_KILL/ESRCH, got %s/%s",
                 line, ctr_step_name(e.step), errname(e.sys_errno));
    cgdirs d;
    container_dirs(c, &d);
    destroy(c);
    expect_dirs_gone(line, &d);
    expect_no_leftovers(line, getpid());
}

TEST(kill_sigkill_kills_every_process) {
    check_kill(__LINE__, 0, CTR_CGROUP_AUTO, 0,
               0); /* no cgroup: the pid namespace dies with pid 1 */
    require_cgroups();
    check_kill(__LINE__, 1, CTR_CGROUP_ALWAYS, 0, 0);
}

TEST(kill_sigkill_in_the_hosts_pid_namespace_kills_every_process) {
    require_cgroups();
    CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1));
    check_kill(__LINE__, 0, CTR_CGROUP_ALWAYS, 0, CTR_NS_PID);
    check_kill(__LINE__, 1, CTR_CGROUP_AUTO, 64 * MiB, CTR_NS_PID);
}

/* More processes than one 8 KiB read of cgroup.procs lists (about 1300 with 5-digit pids): in the
   host's pid namespace only the cgroup can find them all. */
TEST(kill_sigkill_reaches_every_process_of_a_big_container) {
    require_cgroups();
    CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1));
    ctr_spec s;
    ctr_result res;
    char line[64];
    spec_init(&s, PROBE("hold", "2000"));
    s.stdio[2] = CTR_STDIO_NULL;
    s.share = CTR_NS_PID;
    s.cgroup = CTR_CGROUP_ALWAYS;
    ctr_container *c = SPAWN(&s);
    read_line(ctr_stdio_fd(c, 1), line, sizeof line);
    const char *cg = ctr_cgroup_path(c);
    static pid_t procs[4096];
    int before = cg_procs(cg, procs, 4096);
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    int left = cg_empty_within(cg, 3000);
    cgdirs d;
    container_dirs(c, &d);
    destroy(c);
    reap_all_children(20000);
    ASSERT_STREQ(line, "forked 2000 none");
    ASSERT_EQ(before, 2001);
    ASSERT_KILLED(&res, 0);
    if (left) FAIL("%d of the container's 2001 processes survived ctr_kill(SIGKILL)", left);
    ASSERT_DIRS_GONE(&d);
    ASSERT_NO_LEFTOVERS();
}

/* A chain of processes that each fork their successor and exit is never still at the pid ctr_kill
   read from cgroup.procs: the kill must hold them all (cgroup.kill, or a frozen cgroup). */
TEST(kill_sigkill_ends_a_fork_and_exit_chain) {
    require_cgroups();
    CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1));
    for (int round = 0; round < 3; round++) {
        ctr_spec s;
        ctr_result res;
        char line[64];
        spec_init(&s, PROBE("chain"));
        s.stdio[2] = CTR_STDIO_NULL;
        s.share = CTR_NS_PID;
        s.pids_max = 32;
        s.cgroup = CTR_CGROUP_ALWAYS;
        ctr_container *c = SPAWN(&s);
        read_line(ctr_stdio_fd(c, 1), line, sizeof line);
        ASSERT_STREQ(line, "chaining");
        for (int i = 0; i < 30; i++) { /* the exited links are our zombies: let the chain run */
            while (waitpid(-1, NULL, WNOHANG | __WALL) > 0) {}
            th_sleep_ms(10);
        }
        ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
        WAIT(c, &res);
        int left = -1;
        for (int i = 0; i < 300 && left != 0; i++) {
            while (waitpid(-1, NULL, WNOHANG | __WALL) > 0) {}
            left = cg_procs(ctr_cgroup_path(c), (pid_t[64]){0}, 64);
            if (left != 0) th_sleep_ms(10);
        }
        cgdirs d;
        container_dirs(c, &d);
        destroy(c);
        reap_all_children(10000);
        if (left)
            FAIL("round %d: %d process(es) of the chain survived ctr_kill(SIGKILL)", round, left);
        ASSERT_KILLED(&res, 0);
        ASSERT_DIRS_GONE(&d);
    }
    ASSERT_NO_LEFTOVERS();
}

/* cgroup v2: ctr_kill(SIGKILL) uses cgroup.kill; the cgroup is empty right after, before anyone
   waits, also when it was frozen. */
TEST(v2_cgroup_kill_empties_the_cgroup) {
    require_v2();
    CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1));
    for (int frozen = 0; frozen < 2; frozen++) {
        ctr_spec s;
        ctr_result res;
        tree t;
        spec_init(&s, PROBE("ignore-term-tree", "3"));
        s.stdio[2] = CTR_STDIO_NULL;
        s.share = CTR_NS_PID;
        s.cgroup = CTR_CGROUP_ALWAYS;
        ctr_container *c = spawn_tree(__LINE__, &s, 3, &t);
        const char *cg = ctr_cgroup_path(c);
        if (frozen) {
            ASSERT_EQ(ctr_pause(c, NULL), 0);
            ASSERT_TRUE(frozen_within(c, 1, 5000));
        }
        ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
        int populated = -1;
        for (int i = 0; i < 200 && populated != 0; i++) {
            populated = (int)cg_key(cg, "cgroup.events", "populated");
            if (populated != 0) th_sleep_ms(10);
        }
        ASSERT_EQ(populated, 0);
        WAIT(c, &res);
        ASSERT_KILLED(&res, 0);
        ASSERT_TREE_DEAD(c, &t, 1);
        destroy(c);
    }
    ASSERT_NO_LEFTOVERS();
}

/* Once pid 1 is reaped ctr_kill fails with ESRCH; in the host's pid namespace what pid 1 left in
   the cgroup is killed by ctr_destroy.  In its own pid namespace nothing is left. */
TEST(processes_left_by_pid_one_are_killed_by_destroy) {
    require_cgroups();
    CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1));
    for (int shared = 0; shared < 2; shared++) {
        ctr_spec s;
        run r;
        ctr_error e;
        tree t = {.n = 0};
        r.err[0] = '\0';
        spec_init(&s, PROBE("daemons", "3"));
        s.cgroup = CTR_CGROUP_ALWAYS;
        s.share = shared ? CTR_NS_PID : 0;
        ctr_container *c = SPAWN(&s);
        /* stdout stays open in the daemons: read the one line, not to EOF */
        read_line(ctr_stdio_fd(c, 1), r.out, sizeof r.out);
        WAIT(c, &r.res);
        ASSERT_EXIT(&r, 0);
        for (char *w = strtok(r.out, " "); w && t.n < 64; w = strtok(NULL, " "))
            t.pid[t.n++] = (pid_t)atoi(w);
        ASSERT_EQ(t.n, 3);
        const char *cg = ctr_cgroup_path(c);
        static pid_t procs[64];
        int left = shared ? cg_procs(cg, procs, 64) : cg_empty_within(cg, 5000);
        int rc = ctr_kill(c, SIGKILL, &e);
        cgdirs d;
        container_dirs(c, &d);
        int64_t t0 = now_ns();
        destroy(c);
        int64_t took = now_ns() - t0;
        ASSERT_EQ(rc, -1);
        ASSERT_EQ(e.step, CTR_STEP_KILL);
        ASSERT_EQ(e.sys_errno, ESRCH);
        ASSERT_EQ(left, shared ? 3 : 0);
        ASSERT_LT(took, 10000000000LL);
        if (shared) {
            for (int i = 0; i < t.n; i++) {
                int st;
                if (!reap_within(t.pid[i], 5000, &st))
                    FAIL("process %d outlived ctr_destroy", (int)t.pid[i]);
                ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
            }
        }
        ASSERT_DIRS_GONE(&d);
    }
    ASSERT_NO_LEFTOVERS();
}

/* ==== ctr_stats, ctr_pause, ctr_resume ==== */

/* Reads what probe tick wrote so far (without blocking); the last counter in *last.  Bytes read. */
static size_t read_ticks(int fd, long *last) {
    char buf[65536];
    static char partial[64];
    size_t total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        total += (size_t)n;
        buf[n] = '\0';
        for (char *s = buf; *s;) {
            char *nl = strchr(s, '\n');
            if (!nl) {
                th_fmt(partial + strlen(partial), sizeof partial - strlen(partial), "%s", s);
                break;
            }
            *nl = '\0';
            char num[128];
            th_fmt(num, sizeof num, "%s%s", partial, s);
            partial[0] = '\0';
            *last = atol(num);
            s = nl + 1;
        }
    }
    return total;
}

/* Waits up to ms for more ticks; the bytes read. */
static size_t ticks_within(int fd, long *last, int ms) {
    struct pollfd p = {fd, POLLIN, 0};
    int64_t end = now_ns() + (int64_t)ms * 1000000;
    size_t got = 0;
    while (got == 0 && now_ns() < end) {
        if (poll(&p, 1, 50) > 0) got += read_ticks(fd, last);
    }
    return got;
}

TEST(stats_of_a_running_container) {
    require_cgroups();
    for (int k = 0; k < 2; k++) {
        ctr_spec s;
        ctr_result res;
        ctr_usage u1, u2;
        long last = -1;
        spec_init(&s, PROBE("tick", "5"));
        s.stdio[2] = CTR_STDIO_NULL;
        if (k == 0) {
            s.cgroup = CTR_CGROUP_ALWAYS;
        } else {
            s.init = 1;
            s.memory_max = 64 * MiB;
            s.pids_max = 8;
        }
        ctr_container *c = SPAWN(&s);
        int fd = ctr_stdio_fd(c, 1);
        CHECK_SYS(fcntl(fd, F_SETFL, O_NONBLOCK));
        ASSERT_GT(ticks_within(fd, &last, 10000), 0);
        ASSERT_EQ(ctr_stats(c, &u1, NULL), 0);
        th_sleep_ms(300);
        read_ticks(fd, &last);
        ASSERT_EQ(ctr_stats(c, &u2, NULL), 0);
        ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
        WAIT(c, &res);
        destroy(c);
        ASSERT_GT(u1.memory_current, 0);
        ASSERT_EQ(u1.pids_current, k ? 2 : 1); /* with init: init and the command */
        ASSERT_GT(u1.cpu_usage_ns, 0);
        ASSERT_GT(u2.cpu_usage_ns, u1.cpu_usage_ns);
    }
    ASSERT_NO_LEFTOVERS();
}

TEST(pause_stops_progress_and_resume_continues) {
    require_cgroups();
    ctr_spec s;
    ctr_result res;
    ctr_usage u1, u2;
    long last = -1, before;
    spec_init(&s, PROBE("tick", "5"));
    s.stdio[2] = CTR_STDIO_NULL;
    s.cgroup = CTR_CGROUP_ALWAYS;
    ctr_container *c = SPAWN(&s);
    int fd = ctr_stdio_fd(c, 1);
    CHECK_SYS(fcntl(fd, F_SETFL, O_NONBLOCK));
    ASSERT_GT(ticks_within(fd, &last, 10000), 0);
    ASSERT_EQ(ctr_pause(c, NULL), 0);
    ASSERT_TRUE(frozen_within(c, 1, 0)); /* "ctr_pause returns once the whole cgroup is frozen" */
    read_ticks(fd, &last);               /* what was written before the freeze */
    before = last;
    ASSERT_EQ(ctr_stats(c, &u1, NULL), 0);
    size_t while_paused = ticks_within(fd, &last, 700);
    ASSERT_EQ(ctr_stats(c, &u2, NULL), 0);
    ASSERT_EQ(ctr_poll(c, &res, NULL), 0);
    ASSERT_EQ(ctr_resume(c, NULL), 0);
    ASSERT_TRUE(frozen_within(c, 0, 5000));
    size_t after_resume = ticks_within(fd, &last, 5000);
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    destroy(c);
    if (while_paused) FAIL("the counter went on while paused: %ld -> %ld", before, last);
    ASSERT_LT(u2.cpu_usage_ns - u1.cpu_usage_ns, 5000000); /* < 5 ms of CPU in 0.7 s */
    ASSERT_GT(after_resume, 0);
    ASSERT_GT(last, before);
    ASSERT_NO_LEFTOVERS();
}

TEST(a_paused_container_can_be_killed_and_destroyed) {
    require_cgroups();
    CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1));
    /* killed, then waited for */
    ctr_spec s;
    ctr_result res;
    spec_init(&s, PROBE("sleep", "100"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    s.memory_max = 64 * MiB;
    ctr_container *c = SPAWN(&s);
    ASSERT_EQ(ctr_pause(c, NULL), 0);
    ASSERT_TRUE(frozen_within(c, 1, 5000));
    int64_t t0 = now_ns();
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    ASSERT_LT(now_ns() - t0, 5000000000LL);
    ASSERT_SIGNAL(&res, SIGKILL);
    cgdirs d;
    container_dirs(c, &d);
    destroy(c);
    ASSERT_DIRS_GONE(&d);
    /* destroyed while paused */
    c = SPAWN(&s);
    ASSERT_EQ(ctr_pause(c, NULL), 0);
    ASSERT_TRUE(frozen_within(c, 1, 5000));
    int pidfd = fcntl(ctr_pidfd(c), F_DUPFD_CLOEXEC, 0);
    CHECK_SYS(pidfd);
    container_dirs(c, &d);
    t0 = now_ns();
    destroy(c);
    int64_t took = now_ns() - t0;
    struct pollfd p = {pidfd, POLLIN, 0};
    int ended = poll(&p, 1, 0);
    close(pidfd);
    ASSERT_EQ(ended, 1);
    ASSERT_LT(took, 5000000000LL);
    ASSERT_DIRS_GONE(&d);
    /* a paused tree in the host's pid namespace */
    tree t;
    spec_init(&s, PROBE("ignore-term-tree", "3"));
    s.stdio[2] = CTR_STDIO_NULL;
    s.share = CTR_NS_PID;
    s.cgroup = CTR_CGROUP_ALWAYS;
    c = spawn_tree(__LINE__, &s, 3, &t);
    ASSERT_EQ(ctr_pause(c, NULL), 0);
    ASSERT_TRUE(frozen_within(c, 1, 5000));
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    ASSERT_KILLED(&res, 0);
    ASSERT_TREE_DEAD(c, &t, 1);
    container_dirs(c, &d);
    destroy(c);
    ASSERT_DIRS_GONE(&d);
    ASSERT_NO_LEFTOVERS();
}

/* ==== nothing left behind ==== */

TEST(no_cgroup_left_after_a_failed_spawn) {
    require_cgroups();
    ctr_spec s;
    ctr_mount m;
    for (int init = 0; init < 2; init++) {
        spec_init(&s, PROBE("exit", "0"));
        s.argv = (const char *const[]){"/bin/nonexistent", NULL};
        s.memory_max = 64 * MiB;
        s.init = init;
        EXPECT_SPAWN_ERROR(&s, CTR_STEP_EXEC, ENOENT, NULL);
        ASSERT_NO_LEFTOVERS();
    }
    /* a mount that fails in the child, after the cgroup was made */
    memset(&m, 0, sizeof m);
    m.type = CTR_MOUNT_TMPFS;
    m.target = "/bin/probe/x"; /* a file on the way */
    spec_init(&s, PROBE("exit", "0"));
    s.mounts = &m;
    s.nmounts = 1;
    s.pids_max = 16;
    s.cpus = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_MOUNT, ENOTDIR, "/bin/probe/x");
    ASSERT_NO_LEFTOVERS();
    ASSERT_EQ(access(g_hostside, F_OK), 0);
    /* a bad cwd, with CTR_CGROUP_ALWAYS */
    spec_init(&s, PROBE("exit", "0"));
    s.cwd = "/nonexistent";
    s.cgroup = CTR_CGROUP_ALWAYS;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_CWD, ENOENT, NULL);
    ASSERT_NO_LEFTOVERS();
}

TEST(no_cgroup_left_after_exit_kill_timeout_or_destroy) {
    require_cgroups();
    for (int how = 0; how < 5; how++) {
        ctr_spec s;
        ctr_result res;
        cgdirs d;
        spec_init(&s, PROBE(how == 0 ? "exit" : "sleep", how == 0 ? "0" : "100"));
        s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
        s.memory_max = 64 * MiB;
        s.pids_max = 16;
        if (how == 2) s.timeout_sec = 0.3;
        ctr_container *c = SPAWN(&s);
        container_dirs(c, &d);
        ASSERT_GE(d.n, 1);
        switch (how) {
        case 0: /* exits by itself */
            WAIT(c, &res);
            ASSERT_TRUE(res.exited);
            break;
        case 1: /* killed */
            ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
            WAIT(c, &res);
            break;
        case 2: /* timed out */
            WAIT(c, &res);
            ASSERT_EQ(res.timed_out, 1);
            break;
        case 3: /* destroyed while running */ break;
        default: /* polled, then destroyed */ ASSERT_EQ(ctr_poll(c, &res, NULL), 0); break;
        }
        destroy(c);
        ASSERT_DIRS_GONE(&d);
        ASSERT_NO_LEFTOVERS();
    }
}

/* The host dies without destroying its container: the container dies with it (parent-death
   signal), and the next process that makes a container cgroup removes the stale one. */
TEST(crashed_host_cgroup_is_swept_by_the_next_spawn) {
    require_cgroups();
    CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1));
    struct {
        pid_t pid;
        char path[PATH_MAX];
    } info;
    int p[2];
    CHECK_SYS(pipe2(p, O_CLOEXEC));
    pid_t host = fork();
    CHECK_SYS(host);
    if (host == 0) {
        ctr_spec s;
        ctr_container *c;
        close(p[0]);
        spec_init(&s, PROBE("sleep", "100"));
        s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
        s.memory_max = 64 * MiB;
        note_spawner();
        if (ctr_spawn(&s, &c, NULL) != 0) _exit(1);
        memset(&info, 0, sizeof info);
        info.pid = ctr_pid(c);
        th_fmt(info.path, sizeof info.path, "%s", ctr_cgroup_path(c));
        if (write(p[1], &info, sizeof info) != (ssize_t)sizeof info) _exit(1);
        for (;;) pause(); /* until SIGKILL: no ctr_destroy */
    }
    close(p[1]);
    ssize_t n = read(p[0], &info, sizeof info);
    close(p[0]);
    kill(host, SIGKILL);
    int st;
    CHECK_SYS(waitpid(host, &st, 0));
    if (n != (ssize_t)sizeof info) FAIL("the host process could not spawn its container");
    /* The container's process goes with its host (what it leaves to reap comes to us, a
       subreaper). */
    int gone = 0;
    for (int i = 0; i < 1000 && !gone; i++) {
        while (waitpid(-1, &st, WNOHANG | __WALL) > 0) {}
        gone = kill(info.pid, 0) != 0 && errno == ESRCH;
        if (!gone) th_sleep_ms(10);
    }
    if (!gone) FAIL("the container (pid %d) outlived its host", (int)info.pid);
    /* and what came to us as orphans (the container's shim) is reaped, nothing left */
    for (int i = 0; i < 1000; i++) {
        pid_t r = waitpid(-1, &st, WNOHANG | __WALL);
        if (r < 0 && errno == ECHILD) break;
        if (r == 0) th_sleep_ms(10);
    }
    /* Its cgroup is stale now (unless another process using container.h swept it already).  Our
       first container cgroup sweeps it. */
    ctr_spec s;
    spec_init(&s, PROBE("exit", "0"));
    s.memory_max = 64 * MiB;
    ASSERT_STREQ(SPEC_OUT(&s), "");
    if (access(info.path, F_OK) == 0)
        FAIL("the stale cgroup %s of dead host %d is still there", info.path, (int)host);
    expect_no_leftovers(__LINE__, host);
    ASSERT_NO_LEFTOVERS();
}

/* ==== unprivileged ==== */

TEST(unprivileged_limits_without_delegation_fail_cleanly) {
    require_cgroups();
    become_nobody();
    for (int k = 0; k < 4; k++) {
        ctr_spec s;
        spec_init(&s, PROBE("exit", "0"));
        switch (k) {
        case 0: s.memory_max = 64 * MiB; break;
        case 1: s.pids_max = 16; break;
        case 2: s.cpus = 0.5; break;
        default: s.cgroup = CTR_CGROUP_ALWAYS; break;
        }
        ctr_error e = spawn_error(__LINE__, &s, "step cgroup with an errno");
        if (e.step != CTR_STEP_CGROUP || e.sys_errno == 0)
            FAIL("case %d: expected step cgroup with an errno, got %s/%s: %s", k,
                 ctr_step_name(e.step), errname(e.sys_errno), e.msg);
        ASSERT_NO_LEFTOVERS();
    }
    /* Without limits it works. */
    ctr_spec s;
    spec_init(&s, PROBE("id"));
    ASSERT_STREQ(SPEC_OUT(&s), "0 0 0");
    spec_init(&s, PROBE("exit", "0"));
    s.cgroup = CTR_CGROUP_NEVER;
    s.memory_max = 64 * MiB;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_CGROUP, EINVAL, NULL);
    ASSERT_NO_LEFTOVERS();
}

static int chown_cgroup(const char *dir) {
    static const char *const files[] = {"", "/cgroup.procs", "/cgroup.subtree_control",
                                        "/cgroup.threads"};
    char p[PATH_MAX + 32];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        th_fmt(p, sizeof p, "%s%s", dir, files[i]);
        if (chown(p, NOBODY, NOBODY) != 0) return -1;
    }
    return 0;
}

static int write_str(const char *path, const char *s) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, s, strlen(s));
    int e = errno;
    close(fd);
    errno = e;
    return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The delegated user's part: runs in a child moved into DELEG/svc, as uid 65534. */
static void delegated_child(const char *deleg) {
    char want[PATH_MAX + 32];
    become_nobody();
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("alloc", "200"));
    s.memory_max = 48 * MiB;
    ctr_container *c = SPAWN(&s);
    const char *path = ctr_cgroup_path(c);
    th_fmt(want, sizeof want, "%s/container.h/ctr-%d-", deleg, (int)getpid());
    int placed = strncmp(path, want, strlen(want)) == 0;
    struct stat st;
    int owned = stat(path, &st) == 0 && st.st_uid == NOBODY;
    char cg[PATH_MAX];
    th_fmt(cg, sizeof cg, "%s", path);
    drain(c, &r);
    WAIT(c, &r.res);
    destroy(c);
    if (!placed) FAIL("ctr_cgroup_path is '%s', expected '%sN'", cg, want);
    ASSERT_TRUE(owned);
    ASSERT_KILLED(&r.res, 0);
    ASSERT_EQ(r.res.oom_killed, 1);
    ASSERT_LE(r.res.memory_peak, 52 * MiB);
    if (access(cg, F_OK) == 0) FAIL("%s is still there after ctr_destroy", cg);
    /* pids is delegated too. */
    spec_init(&s, PROBE("forkbomb", "100"));
    s.pids_max = 8;
    ASSERT_STREQ(SPEC_OUT(&s), "forked 7 EAGAIN");
    _exit(0);
}

/* cgroup v2, rootless with a delegated subtree (as systemd's Delegate=yes gives): root makes
   DELEG and DELEG/svc with memory and pids enabled, hands them to uid 65534 and moves a process
   into svc; that process, now 65534, gets its container cgroups in DELEG/container.h. */
TEST(v2_delegated_rootless_cgroup) {
    require_v2();
    char deleg[PATH_MAX], svc[PATH_MAX + 8], p[PATH_MAX + 64], pid[32];
    th_fmt(deleg, sizeof deleg, "/sys/fs/cgroup/deleg-%d", (int)getpid());
    th_fmt(svc, sizeof svc, "%s/svc", deleg);
    CHECK_SYS(mkdir(deleg, 0755));
    made_dir(deleg);
    CHECK_SYS(mkdir(svc, 0755));
    made_dir(svc);
    th_fmt(p, sizeof p, "%s/cgroup.subtree_control", deleg);
    CHECK_SYS(write_str(p, "+memory"));
    CHECK_SYS(write_str(p, "+pids"));
    CHECK_SYS(chown_cgroup(deleg));
    CHECK_SYS(chown_cgroup(svc));
    fflush(stdout);
    pid_t child = fork();
    CHECK_SYS(child);
    if (child == 0) {
        th_fmt(p, sizeof p, "%s/cgroup.procs", svc);
        th_fmt(pid, sizeof pid, "%d", (int)getpid());
        if (write_str(p, pid) != 0) FAIL("move into %s: %s", svc, strerror(errno));
        delegated_child(deleg);
    }
    int st;
    CHECK_SYS(waitpid(child, &st, 0));
    /* What the child said, before our own cleanup (which may fail too). */
    int child_status = th_out->status;
    char child_msg[TH_MSG_LEN];
    th_fmt(child_msg, sizeof child_msg, "%s", th_out->msg);
    th_out->status = 0;
    th_out->msg[0] = '\0';
    th_fmt(p, sizeof p, "%s/container.h", deleg);
    int stale = remove_cgroups_of(p, child);
    int rc_sub = rmdir(p) == 0 || errno == ENOENT ? 0 : -1;
    int rc_svc = remove_made(svc);
    int rc_deleg = remove_made(deleg);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        if (child_status == TH_SKIP) SKIP("%s", child_msg);
        FAIL("as uid 65534 in %s: %s", svc, child_status ? child_msg : "the child died");
    }
    ASSERT_EQ(stale, 0);
    ASSERT_EQ(rc_sub, 0);
    ASSERT_EQ(rc_svc, 0);
    ASSERT_EQ(rc_deleg, 0);
}

int main(int argc, char **argv) {
    g_spawn_hook = note_spawner;
    th_set_cleanup(cleanup_after_failure);
    return suite_main(argc, argv, fixture_setup, fixture_teardown);
}
