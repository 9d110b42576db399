/* test_host - container.h inside a demanding host program: many spawning threads, thread
   cancellation, threads that fork, a host killed during a spawn, the host's dumpable flag, and a
   stress run of all of them at once.

       build/tests/test_host [NAME-SUBSTRING...]

   Run as root (the unprivileged tests switch to uid 65534 themselves).  The containers run
   /bin/probe from a small rootfs, or the host's /bin/sh on the host userland (rootfs NULL).
   CONTAINER_TEST_STRESS_SECONDS sets how long the stress test runs (default 20). */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "common.h"

#include <pthread.h>
#include <sys/mount.h>

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})

static void fixture_setup(void) {
    char tests_dir[PATH_MAX], src[PATH_MAX + 16];
    static const char *const dirs[] = {"proc", "dev", "tmp", NULL};
    if (find_build_dir(tests_dir, NULL) != 0 || make_fixture_dir("ctrhost", 0755) != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "fixture dirs: %s", strerror(errno));
        return;
    }
    th_fmt(src, sizeof src, "%s/probe", tests_dir);
    path_join(g_root, g_tmp, "rootfs");
    path_join(g_hostside, g_tmp, "hostside");
    if (make_rootfs(g_root, src, "probe", dirs) != 0 || mkdir(g_hostside, 0755) != 0)
        th_fmt(g_fixture_error, sizeof g_fixture_error, "rootfs: %s", strerror(errno));
}

static void fixture_teardown(void) { remove_fixture_dir(); }

static double now_ms(void) { return th_now() * 1000.0; }

/* The container cgroups this process made that still exist (ctr-PID-*), in either layout. */
static int leftover_cgroups(pid_t pid) {
    static const char *const parents[] = {"/sys/fs/cgroup/container.h",
                                          "/sys/fs/cgroup/memory/container.h",
                                          "/sys/fs/cgroup/pids/container.h",
                                          "/sys/fs/cgroup/cpuacct/container.h",
                                          "/sys/fs/cgroup/freezer/container.h",
                                          "/sys/fs/cgroup/cpu,cpuacct/container.h",
                                          NULL};
    char prefix[64];
    int n = 0;
    th_fmt(prefix, sizeof prefix, "ctr-%d-", (int)pid);
    for (int i = 0; parents[i]; i++) {
        DIR *d = opendir(parents[i]);
        struct dirent *e;
        if (!d) continue;
        while ((e = readdir(d)) != NULL) n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
        closedir(d);
    }
    return n;
}

static int dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }

/* ==== thread cancellation ==== */

typedef struct cancel_job {
    int init;     /* the fork-style clone (init) or, where possible, the vfork-style one */
    int cgroup;   /* with a cgroup (root) */
    int cleanups; /* how often the cleanup handler ran */
    int spawned;  /* ctr_spawn returned 0 */
    ctr_container *c;
} cancel_job;

static void cancel_cleanup(void *arg) {
    cancel_job *j = arg;
    j->cleanups++;
    if (j->c) ctr_destroy(j->c);
    j->c = NULL;
}

/* A thread with a cancellation request pending calls ctr_spawn: the spawn must finish without
   acting on it (no cleanup handler run, the host's stack intact), and the thread is cancelled at
   the next cancellation point, ctr_wait. */
static void *cancel_thread(void *arg) {
    cancel_job *j = arg;
    ctr_spec s;
    ctr_error e;
    ctr_result res;
    pthread_cleanup_push(cancel_cleanup, j);
    spec_init(&s, PROBE("sleep", "5"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    s.init = j->init;
    if (j->cgroup) s.pids_max = 64;
    pthread_cancel(pthread_self()); /* pending: deferred cancellation */
    if (ctr_spawn(&s, &j->c, &e) == 0)
        j->spawned = 1;
    else
        fprintf(stderr, "spawn: %s\n", e.msg);
    ctr_wait(j->c, &res, NULL); /* cancelled here */
    pthread_cleanup_pop(1);
    return NULL;
}

static void check_pending_cancel(int init) {
    int cg = geteuid() == 0;
    for (int round = 0; round < 20; round++) {
        cancel_job j;
        pthread_t t;
        void *ret;
        memset(&j, 0, sizeof j);
        j.init = init;
        j.cgroup = cg && round % 2 == 1;
        ASSERT_EQ(pthread_create(&t, NULL, cancel_thread, &j), 0);
        ASSERT_EQ(pthread_join(t, &ret), 0);
        if (ret != PTHREAD_CANCELED)
            FAIL("round %d: the thread was not cancelled at ctr_wait", round);
        if (!j.spawned) FAIL("round %d: ctr_spawn failed", round);
        ASSERT_EQ(j.cleanups, 1); /* ran once: not in the child, not twice */
        ASSERT_TRUE(j.c == NULL);
    }
    ASSERT_EQ(leftover_cgroups(getpid()), 0);
}

TEST(pending_cancellation_does_not_reach_the_spawn) { check_pending_cancel(0); }
TEST(pending_cancellation_does_not_reach_the_spawn_with_init) { check_pending_cancel(1); }

/* ==== a host killed during the setup ==== */

#define DEATH_MOUNTS 10000

/* The "host": a process that spawns one container with DEATH_MOUNTS bind mounts (a long setup),
   telling the test through `ready` just before. */
static void doomed_host(int ready, const char *token) {
    static ctr_mount m[DEATH_MOUNTS];
    static char targets[DEATH_MOUNTS][32];
    char script[128];
    ctr_spec s;
    ctr_container *c;
    ctr_error e;
    th_fmt(script, sizeof script, "sleep 300; : %s", token);
    memset(&s, 0, sizeof s);
    s.argv = ARGV("/bin/sh", "-c", script);
    s.stdio[0] = s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    for (int i = 0; i < DEATH_MOUNTS; i++) {
        th_fmt(targets[i], sizeof targets[i], "/mnt/m%d", i);
        memset(&m[i], 0, sizeof m[i]);
        m[i].type = CTR_MOUNT_BIND;
        m[i].source = g_hostside;
        m[i].target = targets[i];
    }
    s.mounts = m;
    s.nmounts = DEATH_MOUNTS;
    if (write(ready, "r", 1) != 1) _exit(3);
    if (ctr_spawn(&s, &c, &e) != 0) _exit(2);
    if (write(ready, "s", 1) != 1) _exit(3);
    pause();
    _exit(0);
}

/* Processes whose command line contains token. */
static int processes_with(const char *token, pid_t *found) {
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    if (!d) return 0;
    while ((e = readdir(d)) != NULL) {
        char path[300], cmd[4096];
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        th_fmt(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        ssize_t len = read_file(path, cmd, sizeof cmd);
        for (ssize_t i = 0; i < len; i++)
            if (cmd[i] == '\0') cmd[i] = ' ';
        if (len > 0 && strstr(cmd, token)) {
            if (found) *found = atoi(e->d_name);
            n++;
        }
    }
    closedir(d);
    return n;
}

TEST_TIMEOUT(container_dies_with_a_host_killed_during_setup, 120) {
    require_root();
    /* The orphaned container processes come to us, to be reaped and counted. */
    CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
    for (int round = 0; round < 3; round++) {
        int ready[2];
        char token[64], b = 0;
        pid_t host, stray = 0;
        int st;
        th_fmt(token, sizeof token, "ctr-death-token-%d-%d", (int)getpid(), round);
        CHECK_SYS(pipe(ready));
        host = fork();
        CHECK_SYS(host);
        if (host == 0) {
            close(ready[0]);
            doomed_host(ready[1], token);
        }
        close(ready[1]);
        ASSERT_EQ(read(ready[0], &b, 1), 1); /* about to spawn */
        th_sleep_ms(200);
        int done = 0;
        struct pollfd p = {ready[0], POLLIN, 0};
        if (poll(&p, 1, 0) == 1 && read(ready[0], &b, 1) == 1 && b == 's') done = 1;
        kill(host, SIGKILL);
        CHECK_SYS(waitpid(host, &st, 0));
        close(ready[0]);
        if (done)
            fprintf(stderr, "    (round %d: the setup had finished before the kill)\n", round);
        /* the container's processes go within a few seconds (the kernel tears down 10000 mounts) */
        for (int i = 0; i < 100 && processes_with(token, NULL) > 0; i++) th_sleep_ms(100);
        if (processes_with(token, &stray) > 0) {
            kill(stray, SIGKILL);
            FAIL("round %d: the container outlived its host (pid %d)", round, (int)stray);
        }
        /* reap the orphans (the container process, dead or dying) */
        for (int i = 0; i < 200; i++) {
            pid_t r = waitpid(-1, &st, WNOHANG | __WALL);
            if (r < 0 && errno == ECHILD) break;
            if (r == 0) th_sleep_ms(50);
        }
    }
}

/* ==== the dumpable flag ==== */

static void *spawn_twenty(void *arg) {
    (void)arg;
    for (int i = 0; i < 20; i++) {
        ctr_spec s;
        ctr_container *c;
        ctr_error e;
        ctr_result res;
        spec_init(&s, PROBE("exit", "0"));
        s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
        if (ctr_spawn(&s, &c, &e) != 0) return (void *)1;
        ctr_wait(c, &res, NULL);
        ctr_destroy(c);
    }
    return NULL;
}

TEST(concurrent_spawns_leave_the_host_dumpable) {
    ASSERT_EQ(dumpable(), 1);
    for (int round = 0; round < 5; round++) {
        pthread_t t[2];
        void *r0, *r1;
        ASSERT_EQ(pthread_create(&t[0], NULL, spawn_twenty, NULL), 0);
        ASSERT_EQ(pthread_create(&t[1], NULL, spawn_twenty, NULL), 0);
        pthread_join(t[0], &r0);
        pthread_join(t[1], &r1);
        ASSERT_TRUE(r0 == NULL && r1 == NULL);
        if (dumpable() != 1) FAIL("round %d: the host is left with dumpable %d", round, dumpable());
    }
}

static int g_watch_stop, g_seen_dumpable;
static void *watch_dumpable(void *arg) {
    (void)arg;
    while (!__atomic_load_n(&g_watch_stop, __ATOMIC_RELAXED))
        if (dumpable() != 0) __atomic_store_n(&g_seen_dumpable, 1, __ATOMIC_RELAXED);
    return NULL;
}

/* A host that dropped root without exec is not dumpable; rootless spawns write their uid maps,
   which needs a dumpable process: never the host's own flag (same-uid processes could ptrace it). */
TEST(undumpable_rootless_host_never_becomes_dumpable) {
    pthread_t t;
    become_nobody_dumpable(0);
    ASSERT_EQ(dumpable(), 0);
    ASSERT_EQ(pthread_create(&t, NULL, watch_dumpable, NULL), 0);
    for (int i = 0; i < 30; i++) {
        ctr_spec s;
        spec_init(&s, PROBE("id"));
        ASSERT_STREQ(SPEC_OUT(&s), "0 0 0");
    }
    __atomic_store_n(&g_watch_stop, 1, __ATOMIC_RELAXED);
    pthread_join(t, NULL);
    ASSERT_EQ(g_seen_dumpable, 0);
    ASSERT_EQ(dumpable(), 0);
}

/* ==== a thread that forks children which live a while ==== */

static int g_fork_stop;
static int g_fork_children;
/* Forks children that sleep `ms` and exit (never exec: they hold copies of every descriptor the
   host had at the time), and reaps them - by pid: a waitpid(-1) would take the containers' exit
   statuses as well. */
static void *forker(void *arg) {
    int ms = *(int *)arg;
    pid_t kids[512];
    int n = 0;
    while (!__atomic_load_n(&g_fork_stop, __ATOMIC_RELAXED)) {
        pid_t pid = n < 512 ? fork() : -1;
        if (pid == 0) {
            struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            _exit(0);
        }
        if (pid > 0) {
            kids[n++] = pid;
            __atomic_add_fetch(&g_fork_children, 1, __ATOMIC_RELAXED);
        }
        th_sleep_ms(20);
        for (int i = 0; i < n;)
            if (waitpid(kids[i], NULL, WNOHANG) == kids[i])
                kids[i] = kids[--n];
            else
                i++;
    }
    for (int i = 0; i < n; i++) waitpid(kids[i], NULL, 0);
    return NULL;
}

/* ctr_spawn, and reading the container's output to EOF, do not wait for processes the host's
   other threads forked (they hold the descriptors that were open when they were forked). */
TEST(spawn_does_not_wait_for_children_other_threads_fork) {
    pthread_t t;
    int ms = 2000;
    double worst = 0;
    __atomic_store_n(&g_fork_stop, 0, __ATOMIC_RELAXED);
    ASSERT_EQ(pthread_create(&t, NULL, forker, &ms), 0);
    th_sleep_ms(100);
    for (int i = 0; i < 24; i++) {
        ctr_spec s;
        run r;
        spec_init(&s, PROBE("echo", "hi"));
        s.init = i % 3 == 1;
        double t0 = now_ms();
        ctr_container *c = SPAWN(&s);
        drain(c, &r);
        double took = now_ms() - t0;
        WAIT(c, &r.res);
        destroy(c);
        trim(r.out);
        ASSERT_STREQ(r.out, "hi");
        if (took > worst) worst = took;
    }
    __atomic_store_n(&g_fork_stop, 1, __ATOMIC_RELAXED);
    pthread_join(t, NULL);
    fprintf(stderr, "    (worst spawn + output to EOF: %.1f ms, %d children forked meanwhile)\n",
            worst, g_fork_children);
    if (worst > 1000) FAIL("a spawn took %.0f ms while another thread's children lived 2 s", worst);
}

/* ==== signals around the clone ==== */

static int g_sig_stop;
static char g_sigblk[64];
/* Samples SigBlk of this process's children (the container process in its setup). */
static void *sample_child_mask(void *arg) {
    pid_t self = *(pid_t *)arg;
    while (!__atomic_load_n(&g_sig_stop, __ATOMIC_RELAXED)) {
        DIR *d = opendir("/proc");
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            char path[300], buf[4096], *p;
            if (e->d_name[0] < '0' || e->d_name[0] > '9' || atoi(e->d_name) == self) continue;
            th_fmt(path, sizeof path, "/proc/%s/status", e->d_name);
            if (read_file(path, buf, sizeof buf) <= 0) continue;
            p = strstr(buf, "\nPPid:\t");
            if (!p || atoi(p + 7) != self) continue;
            if (strncmp(buf, "Name:\ttest_host\n", 16) != 0)
                continue; /* not yet exec'd: the setup */
            p = strstr(buf, "\nSigBlk:\t");
            if (p && !g_sigblk[0]) {
                memcpy(g_sigblk, p + 9, 16);
                g_sigblk[16] = '\0';
            }
        }
        if (d) closedir(d);
    }
    return NULL;
}

/* Between clone and exec the child blocks every signal, glibc's own 32 and 33 included (a host
   handler must never run on a copy of the host, or on its memory). */
TEST(every_signal_is_blocked_during_the_setup) {
    static ctr_mount m[2000];
    static char targets[2000][32];
    pthread_t t;
    pid_t self = getpid();
    require_root();
    for (int i = 0; i < 2000; i++) {
        th_fmt(targets[i], sizeof targets[i], "/mnt/m%d", i);
        memset(&m[i], 0, sizeof m[i]);
        m[i].type = CTR_MOUNT_TMPFS;
        m[i].target = targets[i];
    }
    ASSERT_EQ(pthread_create(&t, NULL, sample_child_mask, &self), 0);
    for (int i = 0; i < 5 && !g_sigblk[0]; i++) {
        ctr_spec s;
        spec_init(&s, PROBE("exit", "0"));
        s.mounts = m;
        s.nmounts = 2000;
        s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
        run r;
        RUN(&s, &r);
    }
    __atomic_store_n(&g_sig_stop, 1, __ATOMIC_RELAXED);
    pthread_join(t, NULL);
    if (!g_sigblk[0]) SKIP("never saw the container process during its setup");
    /* every signal but SIGKILL (9) and SIGSTOP (19), which cannot be blocked */
    ASSERT_STREQ(g_sigblk, "fffffffffffbfeff");
}

/* ==== a child killed during its setup ==== */

static int g_killer_stop;
/* SIGKILLs this process's children that have not exec'd yet (still named test_host). */
/* The parent pid of a process named test_host (not exec'd yet), or 0. */
static pid_t unexeced_parent(const char *pid) {
    char path[300], buf[4096], *p;
    th_fmt(path, sizeof path, "/proc/%s/status", pid);
    if (read_file(path, buf, sizeof buf) <= 0 || strncmp(buf, "Name:\ttest_host\n", 16) != 0)
        return 0;
    p = strstr(buf, "\nPPid:\t");
    return p ? (pid_t)atoi(p + 7) : 0;
}

/* SIGKILLs the container processes of this process that have not exec'd yet: the command in
   its setup (a child of the shim, our child), or with init the init in its setup (our child;
   with init every spawn here is odd-numbered and `g_init_mode` says so). */
static int g_init_mode;
static void *kill_setups(void *arg) {
    pid_t self = *(pid_t *)arg;
    while (!__atomic_load_n(&g_killer_stop, __ATOMIC_RELAXED)) {
        DIR *d = opendir("/proc");
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            pid_t parent;
            char ppid[16];
            if (e->d_name[0] < '0' || e->d_name[0] > '9' || atoi(e->d_name) == self) continue;
            if (!(parent = unexeced_parent(e->d_name))) continue;
            if (__atomic_load_n(&g_init_mode, __ATOMIC_RELAXED)) {
                if (parent == self) kill(atoi(e->d_name), SIGKILL); /* init in its setup */
                continue;
            }
            th_fmt(ppid, sizeof ppid, "%d", (int)parent);
            if (parent != self && unexeced_parent(ppid) == self) kill(atoi(e->d_name), SIGKILL);
        }
        if (d) closedir(d);
    }
    return NULL;
}

/* A container process killed in its setup (by the OOM killer, say) fails ctr_spawn cleanly: no
   SIGPIPE in the host (cgroup v1 once wrote to a pipe the dead child had held), no container
   reported as started that never ran its command. */
TEST(a_child_killed_during_setup_fails_the_spawn) {
    static ctr_mount m[1000];
    static char targets[1000][32];
    pthread_t t;
    pid_t self = getpid();
    int failed = 0, ran = 0;
    require_root();
    signal(SIGPIPE, SIG_DFL);
    for (int i = 0; i < 1000; i++) {
        th_fmt(targets[i], sizeof targets[i], "/mnt/m%d", i);
        memset(&m[i], 0, sizeof m[i]);
        m[i].type = CTR_MOUNT_TMPFS;
        m[i].target = targets[i];
    }
    ASSERT_EQ(pthread_create(&t, NULL, kill_setups, &self), 0);
    for (int i = 0; i < 20; i++) {
        ctr_spec s;
        ctr_container *c;
        ctr_error e;
        spec_init(&s, PROBE("echo", "ran"));
        s.mounts = m;
        s.nmounts = 1000;
        s.memory_max = 64 << 20; /* a cgroup: on v1 the path that once wrote to a pipe */
        s.init = i % 2;
        __atomic_store_n(&g_init_mode, s.init, __ATOMIC_RELAXED);
        if (ctr_spawn(&s, &c, &e) != 0) {
            failed++;
            if (e.step != CTR_STEP_CLONE && e.step != CTR_STEP_INIT)
                FAIL("a killed setup reported step %s: %s", ctr_step_name(e.step), e.msg);
            continue;
        }
        run r;
        drain(c, &r);
        WAIT(c, &r.res);
        ctr_destroy(c);
        trim(r.out);
        /* started: then the command must have run */
        if (strcmp(r.out, "ran") != 0 && !(r.res.signaled && r.res.term_signal == SIGKILL))
            FAIL("a spawn reported success but the command never ran (out \"%s\")", r.out);
        ran++;
    }
    __atomic_store_n(&g_killer_stop, 1, __ATOMIC_RELAXED);
    pthread_join(t, NULL);
    fprintf(stderr, "    (%d spawns failed cleanly, %d ran)\n", failed, ran);
    ASSERT_GT(failed, 0);
    ASSERT_EQ(leftover_cgroups(getpid()), 0);
}

/* ==== reaping that no host can break ==== */

/* The host's own children keep working: forks a child that exits with `code`, returns its pid. */
static pid_t host_child(int code) {
    pid_t pid = fork();
    if (pid == 0) _exit(code);
    return pid;
}

/* Spawns n containers exiting with 0..n-1 (the shim path and init), checking every status. */
static void spawn_and_check_statuses(int n) {
    for (int i = 0; i < n; i++) {
        char code[8];
        ctr_spec s;
        ctr_result res;
        th_fmt(code, sizeof code, "%d", i % 50);
        spec_init(&s, PROBE("exit", code));
        s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
        s.init = i % 3 == 2;
        ctr_container *c = SPAWN(&s);
        WAIT(c, &res);
        destroy(c);
        if (!res.exited || res.exit_code != i % 50)
            FAIL("container %d: exited=%d code=%d signaled=%d", i, res.exited, res.exit_code,
                 res.signaled);
    }
}

/* A host that ignores SIGCHLD: the kernel reaps its children at once - not ours. */
TEST(reaping_with_sigchld_ignored) {
    signal(SIGCHLD, SIG_IGN);
    spawn_and_check_statuses(20);
    pid_t own = host_child(3);
    th_sleep_ms(100);
    ASSERT_EQ(waitpid(own, NULL, 0), -1); /* auto-reaped, as the host asked */
    ASSERT_EQ(errno, ECHILD);
    signal(SIGCHLD, SIG_DFL);
}

static volatile sig_atomic_t g_sigchld;
static void on_sigchld(int sig) {
    (void)sig;
    g_sigchld++;
}

/* SA_NOCLDWAIT with a handler: the host's children are reaped by the kernel and its handler
   runs for them; the library's children never trigger it. */
TEST(reaping_with_sa_nocldwait) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sa.sa_flags = SA_NOCLDWAIT | SA_RESTART;
    CHECK_SYS(sigaction(SIGCHLD, &sa, NULL));
    spawn_and_check_statuses(20);
    ASSERT_EQ(g_sigchld, 0); /* no SIGCHLD from any container */
    pid_t own = host_child(4);
    for (int i = 0; i < 100 && g_sigchld == 0; i++) th_sleep_ms(10);
    ASSERT_EQ(g_sigchld, 1);
    ASSERT_EQ(waitpid(own, NULL, 0), -1);
    signal(SIGCHLD, SIG_DFL);
}

static int g_reaper_stop;
static int g_reaper_own_seen;
static pid_t g_reaper_own;
/* A careless host thread: waitpid(-1) in a loop. */
static void *careless_reaper(void *arg) {
    (void)arg;
    while (!__atomic_load_n(&g_reaper_stop, __ATOMIC_RELAXED)) {
        int st;
        pid_t r = waitpid(-1, &st, WNOHANG);
        if (r > 0 && r == __atomic_load_n(&g_reaper_own, __ATOMIC_RELAXED) && WIFEXITED(st) &&
            WEXITSTATUS(st) == 5)
            __atomic_store_n(&g_reaper_own_seen, 1, __ATOMIC_RELAXED);
        else if (r > 0)
            __atomic_store_n(&g_reaper_own_seen, -1, __ATOMIC_RELAXED); /* took something else */
        th_sleep_ms(1);
    }
    return NULL;
}

TEST(reaping_with_a_waitpid_any_loop_in_another_thread) {
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, NULL, careless_reaper, NULL), 0);
    spawn_and_check_statuses(30);
    __atomic_store_n(&g_reaper_own, host_child(5), __ATOMIC_RELAXED);
    for (int i = 0; i < 200 && __atomic_load_n(&g_reaper_own_seen, __ATOMIC_RELAXED) == 0; i++)
        th_sleep_ms(10);
    __atomic_store_n(&g_reaper_stop, 1, __ATOMIC_RELAXED);
    pthread_join(t, NULL);
    ASSERT_EQ(g_reaper_own_seen, 1); /* its own child, and nothing of ours */
}

/* ==== stdio that cannot hurt the host ==== */

/* A plugin that exits without reading while the host writes 1 MiB: EPIPE, no SIGPIPE. */
TEST(writing_to_a_plugin_that_exited_raises_no_sigpipe) {
    static char mib[1 << 20];
    ctr_spec s;
    ctr_error e;
    ctr_result res;
    signal(SIGPIPE, SIG_DFL); /* a SIGPIPE would end this test process */
    memset(mib, 'x', sizeof mib);
    spec_init(&s, PROBE("exit", "0"));
    s.stdio[0] = CTR_STDIO_PIPE;
    ctr_container *c = SPAWN(&s);
    WAIT(c, &res);
    size_t done = 0;
    ssize_t w = 0;
    while (done < sizeof mib && (w = ctr_write(c, mib + done, sizeof mib - done, &e)) > 0)
        done += (size_t)w;
    destroy(c);
    ASSERT_EQ(w, -1);
    ASSERT_EQ(e.sys_errno, EPIPE);
    ASSERT_LT(done, sizeof mib);
}

/* A plugin that never reads: with non-blocking ends and ctr_wait_io the host is never blocked
   past the container's timeout, and ctr_run returns once the timeout killed it. */
TEST(a_plugin_that_never_reads_does_not_block_the_host) {
    static char mib[1 << 20];
    ctr_spec s;
    ctr_result res;
    ctr_output o;
    ctr_error e;
    memset(mib, 'x', sizeof mib);
    spec_init(&s, PROBE("sleep", "60"));
    s.stdio[0] = CTR_STDIO_PIPE;
    s.stdio_nonblock = 1;
    s.timeout_sec = 1;
    ctr_container *c = SPAWN(&s);
    double t0 = th_now();
    size_t done = 0;
    for (;;) {
        unsigned ready = 0;
        ASSERT_EQ(ctr_wait_io(c, CTR_IO_STDIN | CTR_IO_DEADLINE, 5000, &ready, &e), 0);
        if (ready & CTR_IO_DEADLINE) break;
        if (ready & CTR_IO_STDIN) {
            ssize_t w = ctr_write(c, mib, sizeof mib, &e);
            if (w > 0)
                done += (size_t)w;
            else
                ASSERT_EQ(e.sys_errno, EAGAIN);
        }
        if (th_now() - t0 > 20) FAIL("the deadline never came");
    }
    ASSERT_LT(th_now() - t0, 10.0);
    ASSERT_EQ(ctr_poll(c, &res, NULL), 1); /* the deadline passed: killed */
    ASSERT_TRUE(res.timed_out);
    destroy(c);
    ASSERT_GT(done, 0);
    ASSERT_LT(done, 16u << 20);
    /* ctr_run with 10 MiB of input for a command that never reads, and a timeout */
    spec_init(&s, PROBE("sleep", "60"));
    s.timeout_sec = 1;
    static char ten[10 << 20];
    t0 = th_now();
    ASSERT_EQ(ctr_run(&s, ten, sizeof ten, 0, &o, &res, &e), 0);
    ctr_output_free(&o);
    ASSERT_LT(th_now() - t0, 10.0);
    ASSERT_TRUE(res.timed_out);
}

/* ==== ctr_run ==== */

TEST(run_captures_output_and_feeds_input) {
    ctr_spec s;
    ctr_result res;
    ctr_output o;
    ctr_error e;
    spec_init(&s, PROBE("stdin"));
    ASSERT_EQ(ctr_run(&s, NULL, 0, 0, &o, &res, &e), 0); /* 0 bytes in, 0 out */
    ASSERT_EQ(o.out_len, 0);
    ASSERT_TRUE(res.exited && res.exit_code == 0);
    ctr_output_free(&o);
    ASSERT_EQ(ctr_run(&s, "one\ntwo\n", 8, 0, &o, &res, &e), 0);
    ASSERT_STREQ(o.out, "one\ntwo\n");
    ASSERT_EQ(o.err_len, 0);
    ctr_output_free(&o);
    spec_init(&s, PROBE("both", "to out", "to err"));
    ASSERT_EQ(ctr_run(&s, NULL, 0, 0, &o, &res, &e), 0);
    ASSERT_STREQ(o.out, "to out\n");
    ASSERT_STREQ(o.err, "to err\n");
    ctr_output_free(&o);
    spec_init(&s, PROBE("exit", "9"));
    ASSERT_EQ(ctr_run(&s, NULL, 0, 0, &o, &res, &e), 0);
    ASSERT_TRUE(res.exited && res.exit_code == 9);
    ctr_output_free(&o);
    spec_init(&s, ARGV("/bin/nonexistent"));
    ASSERT_EQ(ctr_run(&s, NULL, 0, 0, &o, &res, &e), -1);
    ASSERT_EQ(e.step, CTR_STEP_EXEC);
    ASSERT_TRUE(o.out == NULL && o.err == NULL);
}

TEST_TIMEOUT(run_with_100_mib_on_both_streams, 180) {
    ctr_spec s;
    ctr_result res;
    ctr_output o;
    ctr_error e;
    spec_init(&s, PROBE("spew", "104857600"));
    ASSERT_EQ(ctr_run(&s, NULL, 0, 0, &o, &res, &e), 0);
    ASSERT_TRUE(res.exited && res.exit_code == 0);
    ASSERT_EQ(o.out_len, 104857600u);
    ASSERT_EQ(o.err_len, 104857600u);
    ASSERT_TRUE(o.out[0] == 'o' && o.out[o.out_len - 1] == 'o' && o.err[o.err_len - 1] == 'e');
    ASSERT_TRUE(!o.out_truncated && !o.err_truncated);
    ctr_output_free(&o);
    /* the same with a cap: the rest is read and dropped, the command is not blocked */
    ASSERT_EQ(ctr_run(&s, NULL, 0, 1000, &o, &res, &e), 0);
    ASSERT_TRUE(res.exited && res.exit_code == 0);
    ASSERT_EQ(o.out_len, 1000u);
    ASSERT_EQ(o.err_len, 1000u);
    ASSERT_TRUE(o.out_truncated && o.err_truncated);
    ASSERT_EQ(strlen(o.out), 1000u);
    ctr_output_free(&o);
}

TEST(run_with_a_timeout_and_an_oom) {
    ctr_spec s;
    ctr_result res;
    ctr_output o;
    ctr_error e;
    spec_init(&s, PROBE("tick", "100"));
    s.timeout_sec = 0.5;
    ASSERT_EQ(ctr_run(&s, NULL, 0, 0, &o, &res, &e), 0);
    ASSERT_TRUE(res.timed_out && res.signaled && res.term_signal == SIGKILL);
    ASSERT_TRUE(o.out_len > 0 && strncmp(o.out, "0\n", 2) == 0); /* what came before the kill */
    ctr_output_free(&o);
    if (geteuid() != 0) return;
    spec_init(&s, PROBE("alloc", "512"));
    s.memory_max = 64 << 20;
    ASSERT_EQ(ctr_run(&s, NULL, 0, 0, &o, &res, &e), 0);
    ctr_output_free(&o);
    ASSERT_TRUE(res.oom_killed);
    ASSERT_TRUE(res.signaled && res.term_signal == SIGKILL);
}

/* ==== a pseudo-terminal ==== */

/* Reads the terminal until `want` appears (or 10 s): returns whether it did. */
static int tty_expect(ctr_container *c, const char *want, char *buf, size_t cap) {
    size_t n = 0;
    double end = th_now() + 10;
    buf[0] = '\0';
    while (th_now() < end) {
        unsigned ready = 0;
        if (ctr_wait_io(c, CTR_IO_STDOUT, 200, &ready, NULL) != 0) return 0;
        if (ready & CTR_IO_STDOUT) {
            ssize_t r = read(ctr_tty_fd(c), buf + n, cap - 1 - n);
            if (r <= 0) return strstr(buf, want) != NULL;
            n += (size_t)r;
            buf[n] = '\0';
            if (strstr(buf, want)) return 1;
            if (n > cap / 2) { /* keep the tail */
                memmove(buf, buf + n - cap / 4, cap / 4);
                n = cap / 4;
                buf[n] = '\0';
            }
        }
    }
    return 0;
}

TEST(tty_drives_a_shell_with_resize_and_job_control) {
    ctr_spec s;
    ctr_result res;
    char buf[8192];
    if (access("/bin/bash", X_OK) != 0) SKIP("needs /bin/bash on the host");
    memset(&s, 0, sizeof s);
    s.argv = ARGV("/bin/bash", "--norc", "--noprofile", "-i");
    s.env = ARGV("PS1=$ ", "TERM=dumb");
    s.tty = 1;
    s.tty_rows = 30;
    s.tty_cols = 90;
    ctr_container *c = SPAWN(&s);
    ASSERT_TRUE(ctr_tty_fd(c) >= 0);
    ASSERT_EQ(ctr_stdio_fd(c, 1), -1);
    ctr_write(c, "stty size\n", 10, NULL);
    if (!tty_expect(c, "30 90", buf, sizeof buf)) FAIL("no \"30 90\" from stty: \"%s\"", buf);
    ASSERT_EQ(ctr_resize(c, 40, 100, NULL), 0);
    ctr_write(c, "stty size\n", 10, NULL);
    if (!tty_expect(c, "40 100", buf, sizeof buf))
        FAIL("no \"40 100\" after the resize: \"%s\"", buf);
    ctr_write(c, "tty; set -o | grep monitor\n", 27, NULL);
    if (!tty_expect(c, "monitor        \ton", buf, sizeof buf) || !strstr(buf, "/dev/pts/"))
        FAIL("no terminal or no job control: \"%s\"", buf);
    ctr_write(c, "sleep 30 &\n", 11, NULL);
    ctr_write(c, "jobs\n", 5, NULL);
    if (!tty_expect(c, "Running", buf, sizeof buf)) FAIL("no running job: \"%s\"", buf);
    ctr_write(c, "kill %1; wait; exit 6\n", 22, NULL);
    tty_expect(c, "no such string", buf, sizeof buf); /* drain to EOF */
    WAIT(c, &res);
    destroy(c);
    ASSERT_TRUE(res.exited && res.exit_code == 6);
}

/* ==== extra descriptors ==== */

TEST(extra_fds_are_at_their_numbers_and_nothing_else) {
    ctr_spec s;
    ctr_fd fds[3];
    int p[2], q[2];
    char buf[64] = "";
    CHECK_SYS(pipe(p));
    CHECK_SYS(pipe(q));
    int stray = open("/dev/null", O_RDONLY); /* not passed: must not appear */
    fds[0].host_fd = p[1];
    fds[0].container_fd = 5;
    fds[1].host_fd = q[0];
    fds[1].container_fd = 3;
    fds[2].host_fd = p[1];
    fds[2].container_fd = 100;
    spec_init(&s, PROBE("fds"));
    s.fds = fds;
    s.nfds = 3;
    ASSERT_STREQ(SPEC_OUT(&s), "0 1 2 3 4 5 100"); /* 4: probe's own listing */
    s.argv = PROBE("fstat", "5");
    ASSERT_CONTAINS(SPEC_OUT(&s), "p ");
    close(p[1]);
    close(q[0]);
    close(q[1]);
    close(stray);
    /* a bad one fails cleanly */
    fds[0].container_fd = 2;
    s.nfds = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "fds");
    fds[0].container_fd = 7;
    fds[0].host_fd = 999;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EBADF, "fds");
    ASSERT_EQ(read(p[0], buf, sizeof buf), 0);
    close(p[0]);
}

/* ==== exec into a running container ==== */

static void exec_line(ctr_container *c, const char *const *argv, char *out, size_t cap) {
    ctr_exec_spec x;
    ctr_container *e;
    ctr_error err;
    ctr_result res;
    size_t n = 0;
    ssize_t r;
    memset(&x, 0, sizeof x);
    x.argv = argv;
    x.stdio[1] = CTR_STDIO_PIPE;
    if (ctr_exec(c, &x, &e, &err) != 0) FAIL("ctr_exec: %s", err.msg);
    while (n < cap - 1 && (r = read(ctr_stdio_fd(e, 1), out + n, cap - 1 - n)) > 0) n += (size_t)r;
    out[n] = '\0';
    trim(out);
    if (ctr_wait(e, &res, &err) != 0) FAIL("wait: %s", err.msg);
    ctr_destroy(e);
    if (!res.exited || res.exit_code != 0) FAIL("exec'd %s: exit %d", argv[1], res.exit_code);
}

static int count_lines_of(const char *s);

static void check_exec_sees_the_container(int init, int as_nobody) {
    ctr_spec s;
    char first[4096], second[4096];
    static const char *const what[] = {"ps",       "hostname", "cwd", "cgroup",
                                       "sigstate", "mounts",   NULL};
    if (as_nobody) become_nobody();
    spec_init(&s, PROBE("sleep", "60"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    s.hostname = "execbox";
    s.init = init;
    if (geteuid() == 0) s.pids_max = 64; /* a cgroup of its own */
    ctr_container *c = SPAWN(&s);
    for (int i = 0; what[i]; i++) {
        ctr_spec t;
        const char *argv[] = {"/bin/probe", what[i], NULL};
        /* what the first process's twin sees: a second container would differ; compare with a
           process the container itself starts (sh is not there: probe only) */
        exec_line(c, argv, second, sizeof second);
        if (!strcmp(what[i], "ps")) {
            /* the same pid namespace: the first process (1) and ourselves, nothing of the host */
            if (strncmp(second, "1 ", 2) != 0) FAIL("exec's ps: \"%s\"", second);
            continue;
        }
        spec_init(&t, argv);
        t.hostname = "execbox";
        t.init = init;
        if (geteuid() == 0) t.pids_max = 64;
        th_fmt(first, sizeof first, "%s", SPEC_OUT(&t));
        if (!strcmp(what[i], "cgroup")) {
            ASSERT_STREQ(second, first); /* its cgroup namespace, rooted at the container's */
            continue;
        }
        if (!strcmp(what[i], "mounts")) { /* the same mount table (the same root) */
            ASSERT_EQ(count_lines_of(second), count_lines_of(first));
            continue;
        }
        ASSERT_STREQ(second, first);
    }
    /* capabilities and seccomp: the container's */
    const char *argv[] = {"/bin/probe", "cat", "/proc/self/status", NULL};
    exec_line(c, argv, second, sizeof second);
    ASSERT_CONTAINS(second, "Seccomp:\t2");
    ASSERT_CONTAINS(second, "NoNewPrivs:\t1");
    ASSERT_CONTAINS(second, "CapBnd:\t00000000a80425fb");
    destroy(c);
    /* an exited container: a clean error */
    ctr_exec_spec x;
    ctr_container *e;
    ctr_error err;
    ctr_result res;
    spec_init(&s, PROBE("exit", "0"));
    c = SPAWN(&s);
    WAIT(c, &res);
    memset(&x, 0, sizeof x);
    x.argv = PROBE("pid");
    ASSERT_EQ(ctr_exec(c, &x, &e, &err), -1);
    ASSERT_EQ(err.sys_errno, ESRCH);
    destroy(c);
}

static int count_lines_of(const char *s) {
    int n = *s ? 1 : 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

TEST(exec_sees_what_the_first_process_sees) { check_exec_sees_the_container(0, 0); }
TEST(exec_sees_what_the_first_process_sees_with_init) { check_exec_sees_the_container(1, 0); }
TEST(exec_sees_what_the_first_process_sees_rootless) { check_exec_sees_the_container(0, 1); }

/* ==== threads ==== */

static void *cycles(void *arg) {
    long id = (long)arg;
    for (int i = 0; i < 100; i++) {
        char word[32];
        ctr_spec s;
        ctr_output o;
        ctr_result res;
        ctr_error e;
        th_fmt(word, sizeof word, "%ld-%d", id, i);
        spec_init(&s, PROBE("sleep", "30"));
        s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
        ctr_container *c;
        if (ctr_spawn(&s, &c, &e) != 0) return (void *)1;
        ctr_exec_spec x;
        ctr_container *ex;
        memset(&x, 0, sizeof x);
        x.argv = PROBE("echo", word);
        x.stdio[1] = CTR_STDIO_PIPE;
        if (ctr_exec(c, &x, &ex, &e) != 0) return (void *)2;
        char buf[64];
        ssize_t n = read(ctr_stdio_fd(ex, 1), buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = '\0';
        trim(buf);
        ctr_destroy(ex);
        ctr_destroy(c);
        if (strcmp(buf, word) != 0) return (void *)3;
        spec_init(&s, PROBE("echo", word));
        if (ctr_run(&s, NULL, 0, 0, &o, &res, &e) != 0) return (void *)4;
        trim(o.out);
        int ok = strcmp(o.out, word) == 0 && res.exited && res.exit_code == 0;
        ctr_output_free(&o);
        if (!ok) return (void *)5;
    }
    return NULL;
}

TEST_TIMEOUT(threads_spawn_exec_run_destroy, 300) {
    pthread_t t[8];
    int mounts = th_mount_count();
    for (long i = 0; i < 8; i++) ASSERT_EQ(pthread_create(&t[i], NULL, cycles, (void *)i), 0);
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        if (r) FAIL("thread %d failed at step %ld", i, (long)r);
    }
    ASSERT_EQ(th_mount_count(), mounts);
    ASSERT_EQ(leftover_cgroups(getpid()), 0);
}

/* ==== stress: everything at once ==== */

#define STRESS_SPAWNERS 8
typedef struct spawner {
    int id;
    pthread_t thread;
    int running;
    ctr_container *c; /* the container it holds, for the cleanup handler */
    long rounds, checked, with_init, with_cgroup;
    double worst_ms;
    char error[512];
} spawner;

static spawner g_sp[STRESS_SPAWNERS];
static int g_stress_stop;

static void spawner_cleanup(void *arg) {
    spawner *sp = arg;
    if (sp->c) ctr_destroy(sp->c);
    sp->c = NULL;
}

static void *spawner_main(void *arg) {
    spawner *sp = arg;
    pthread_cleanup_push(spawner_cleanup, sp);
    while (!__atomic_load_n(&g_stress_stop, __ATOMIC_RELAXED) && !sp->error[0]) {
        char word[48], code[8], script[160], out[256];
        const char *sh_argv[4];
        ctr_spec s;
        ctr_error e;
        ctr_result res;
        size_t len = 0;
        long n = sp->rounds++;
        int k = (int)((sp->id + n) % 7);
        th_fmt(word, sizeof word, "t%d-r%ld", sp->id, n);
        th_fmt(code, sizeof code, "%d", k);
        if (n % 3 == 0) { /* the host's userland and its shell */
            th_fmt(script, sizeof script, "echo %s; exit %d", word, k);
            sh_argv[0] = "/bin/sh";
            sh_argv[1] = "-c";
            sh_argv[2] = script;
            memset(&s, 0, sizeof s);
        } else { /* /bin/probe in the test rootfs */
            sh_argv[0] = "/bin/probe";
            sh_argv[1] = "echo";
            sh_argv[2] = word;
            spec_init(&s, sh_argv);
        }
        sh_argv[3] = NULL;
        s.argv = sh_argv;
        s.stdio[0] = CTR_STDIO_NULL;
        s.stdio[1] = CTR_STDIO_PIPE;
        s.stdio[2] = CTR_STDIO_NULL;
        s.init = n % 4 == 1;
        if (n % 5 == 2 && geteuid() == 0) s.pids_max = 32;
        double t0 = now_ms();
        if (ctr_spawn(&s, &sp->c, &e) != 0) {
            th_fmt(sp->error, sizeof sp->error, "spawn %s: %s", word, e.msg);
            break;
        }
        double took = now_ms() - t0;
        if (took > sp->worst_ms) sp->worst_ms = took;
        sp->with_init += s.init;
        sp->with_cgroup += s.pids_max != 0;
        out[0] = '\0';
        while (len < sizeof out - 1) { /* read: a cancellation point */
            ssize_t r = read(ctr_stdio_fd(sp->c, 1), out + len, sizeof out - 1 - len);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            len += (size_t)r;
        }
        out[len] = '\0';
        trim(out);
        if (ctr_wait(sp->c, &res, &e) != 0) { /* a cancellation point */
            th_fmt(sp->error, sizeof sp->error, "wait %s: %s", word, e.msg);
            break;
        }
        ctr_destroy(sp->c);
        sp->c = NULL;
        int want_code = n % 3 == 0 ? k : 0;
        if (strcmp(out, word) != 0 || !res.exited || res.exit_code != want_code)
            th_fmt(sp->error, sizeof sp->error, "%s: output \"%s\", exited %d code %d (want %d)",
                   word, out, res.exited, res.exit_code, want_code);
        sp->checked++;
    }
    pthread_cleanup_pop(1);
    return NULL;
}

static void *churn_memory(void *arg) {
    (void)arg;
    while (!__atomic_load_n(&g_stress_stop, __ATOMIC_RELAXED)) {
        void *p[64];
        for (int i = 0; i < 64; i++) p[i] = malloc((size_t)(i * 97 + 16));
        for (int i = 0; i < 64; i++) free(p[i]);
    }
    return NULL;
}

TEST_TIMEOUT(stress_threads_forks_and_cancellation, 300) {
    const char *env = getenv("CONTAINER_TEST_STRESS_SECONDS");
    int seconds = env && atoi(env) > 0 ? atoi(env) : 20, ms = 500, cancels = 0;
    long spawns = 0, checked = 0, inits = 0, cgroups = 0;
    double worst = 0;
    pthread_t churn[2], fork_t;
    int mounts = th_mount_count();
    unsigned seed = (unsigned)getpid();
    __atomic_store_n(&g_fork_stop, 0, __ATOMIC_RELAXED);
    memset(g_sp, 0, sizeof g_sp);
    for (int i = 0; i < 2; i++) ASSERT_EQ(pthread_create(&churn[i], NULL, churn_memory, NULL), 0);
    ASSERT_EQ(pthread_create(&fork_t, NULL, forker, &ms), 0);
    for (int i = 0; i < STRESS_SPAWNERS; i++) {
        g_sp[i].id = i;
        ASSERT_EQ(pthread_create(&g_sp[i].thread, NULL, spawner_main, &g_sp[i]), 0);
        g_sp[i].running = 1;
    }
    double end = now_ms() + seconds * 1000.0;
    while (now_ms() < end) {
        /* the canceller: every 50 ms one spawner is cancelled wherever it is (in ctr_spawn, which
           must not act on it, or at a read or ctr_wait, where it must), joined and restarted */
        th_sleep_ms(50);
        spawner *sp = &g_sp[rand_r(&seed) % STRESS_SPAWNERS];
        pthread_cancel(sp->thread);
        void *ret;
        pthread_join(sp->thread, &ret);
        cancels += ret == PTHREAD_CANCELED;
        if (sp->error[0]) break;
        if (sp->c) FAIL("a cancelled spawner still holds a container");
        ASSERT_EQ(pthread_create(&sp->thread, NULL, spawner_main, sp), 0);
    }
    __atomic_store_n(&g_stress_stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < STRESS_SPAWNERS; i++) pthread_join(g_sp[i].thread, NULL);
    for (int i = 0; i < 2; i++) pthread_join(churn[i], NULL);
    __atomic_store_n(&g_fork_stop, 1, __ATOMIC_RELAXED);
    pthread_join(fork_t, NULL);
    for (int i = 0; i < STRESS_SPAWNERS; i++) {
        if (g_sp[i].error[0]) FAIL("spawner %d: %s", i, g_sp[i].error);
        spawns += g_sp[i].rounds;
        checked += g_sp[i].checked;
        inits += g_sp[i].with_init;
        cgroups += g_sp[i].with_cgroup;
        if (g_sp[i].worst_ms > worst) worst = g_sp[i].worst_ms;
    }
    fprintf(
        stderr,
        "    stress: %d s, %ld spawns (%ld checked to the end, %ld with init, %ld with a cgroup), "
        "%d spawners cancelled, %d children forked meanwhile, worst spawn %.1f ms\n",
        seconds, spawns, checked, inits, cgroups, cancels, g_fork_children, worst);
    ASSERT_GT(checked, 50);
    ASSERT_EQ(dumpable(), 1);
    ASSERT_EQ(leftover_cgroups(getpid()), 0);
    ASSERT_EQ(th_mount_count(), mounts);
    if (worst > 5000) FAIL("worst spawn latency %.0f ms", worst);
}

int main(int argc, char **argv) { return suite_main(argc, argv, fixture_setup, fixture_teardown); }
