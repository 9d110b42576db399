/* test_core - container.h's behaviour tests.  Every test runs real containers and checks what the
   command sees from inside (through tests/probe.c, copied into a test rootfs as /bin/probe).

       build/tests/test_core [NAME-SUBSTRING...]

   Run as root: the unprivileged tests switch a test process to uid/gid 65534 themselves.  Fixtures
   live in a mkdtemp directory under /tmp, removed at exit. */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "common.h"

#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- fixtures (made in the parent before the tests, removed after) ---- */

/* In g_tmp (0755), with g_root (bin/probe, proc dev tmp data, evil links) and g_hostside: */
static char g_mini[PATH_MAX];   /* a rootfs with nothing but bin/probe */
static char g_data[PATH_MAX];   /* a host directory with hello.txt, for binds */
static char g_canary[PATH_MAX]; /* a host file no container may reach or change */
static char g_probe[PATH_MAX];  /* a copy of probe on the host, for rootfs-less containers */
static char g_ctrun[PATH_MAX];  /* a copy of build/ctrun that uid 65534 can run */
static char g_hello[PATH_MAX];  /* build/hello */

/* g_root: bin/probe, proc dev tmp data, non-runnable files and evil links. */
static int make_test_rootfs(const char *probe_src) {
    static const char *const dirs[] = {"proc", "dev", "tmp", "data", NULL};
    char p[PATH_MAX];
    if (make_rootfs(g_root, probe_src, "probe", dirs) != 0) return -1;
    path_join(p, g_root, "data/hello.txt");
    if (write_file(p, "hello\n", 6, 0644) != 0) return -1;
    path_join(p, g_root, "bin/noexec"); /* no x bit at all: EACCES, even for root */
    if (write_file(p, "#!/bin/probe\n", 13, 0644) != 0) return -1;
    path_join(p, g_root, "bin/garbage"); /* executable, but neither ELF nor #!: ENOEXEC */
    if (write_file(p, "garbage\n", 8, 0755) != 0) return -1;
    return make_evil_links(g_root, g_canary);
}

static int setup_dirs(void) {
    char p[PATH_MAX];
    if (make_fixture_dir("ctrtest", 0755) != 0) return -1;
    path_join(g_root, g_tmp, "rootfs");
    path_join(g_mini, g_tmp, "mini");
    path_join(g_data, g_tmp, "data");
    path_join(g_hostside, g_tmp, "hostside");
    path_join(g_canary, g_tmp, "canary.txt");
    path_join(g_probe, g_tmp, "probe");
    path_join(g_ctrun, g_tmp, "ctrun");
    path_join(p, g_data, "hello.txt");
    if (mkdir(g_data, 0755) != 0 || mkdir(g_hostside, 0755) != 0) return -1;
    if (write_file(p, "hello\n", 6, 0644) != 0) return -1;
    return write_file(g_canary, "canary\n", 7, 0644);
}

static void fixture_setup(void) {
    char tests_dir[PATH_MAX], build_dir[PATH_MAX], src[PATH_MAX + 16];
    setenv("CTR_TEST_HOST_SECRET", "leaked-host-variable", 1);
    if (find_build_dir(tests_dir, build_dir) != 0 || setup_dirs() != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "fixture dirs: %s", strerror(errno));
        return;
    }
    th_fmt(src, sizeof src, "%s/probe", tests_dir);
    if (copy_file(src, g_probe, 0755) != 0 || make_test_rootfs(src) != 0 ||
        make_rootfs(g_mini, src, "probe", NULL) != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "rootfs from %s: %s", src, strerror(errno));
        return;
    }
    th_fmt(src, sizeof src, "%s/ctrun", build_dir);
    if (copy_file(src, g_ctrun, 0755) != 0) g_ctrun[0] = '\0';
    th_fmt(g_hello, sizeof g_hello, "%s/hello", build_dir);
}

static void fixture_teardown(void) { remove_fixture_dir(); }

/* ---- running containers ---- */

/* Runs probe with the default spec and returns its trimmed stdout (static buffer). */
static const char *probe_line(int line, const char *const *argv) {
    static run r;
    ctr_spec s;
    spec_init(&s, argv);
    run_spec(line, &s, &r);
    expect_exit(line, &r, 0);
    return r.out;
}
#define PROBE_OUT(...) probe_line(__LINE__, PROBE(__VA_ARGS__))

/* ---- host-side helpers ---- */

static void host_hostname(char *buf, size_t len) {
    struct utsname u;
    uname(&u);
    th_fmt(buf, len, "%s", u.nodename);
}

static double host_clock(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The interface names of the caller's network namespace, sorted, space-separated. */
static void host_netifs(char *out, size_t len) {
    char names[64][IFNAMSIZ + 1], line[512];
    int n = 0;
    FILE *f = fopen("/proc/net/dev", "r");
    if (!f) FAIL("/proc/net/dev: %s", strerror(errno));
    while (fgets(line, sizeof line, f) && n < 64) {
        char *colon = strchr(line, ':'), *p = line;
        if (!colon) continue;
        *colon = '\0';
        while (*p == ' ') p++;
        th_fmt(names[n++], sizeof names[0], "%s", p);
    }
    fclose(f);
    qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        th_fmt(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "", names[i]);
}

/* Sorted, space-separated entries of a host directory (none if NULL) plus extra names
   (NULL-terminated). */
static void host_ls_plus(const char *path, const char *const *extra, char *out, size_t len) {
    char names[128][256];
    int n = 0;
    DIR *d = path ? opendir(path) : NULL;
    struct dirent *e;
    if (path && !d) FAIL("opendir %s: %s", path, strerror(errno));
    while (d && (e = readdir(d)) != NULL && n < 128)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            th_fmt(names[n++], 256, "%s", e->d_name);
    if (d) closedir(d);
    for (; extra && *extra && n < 128; extra++) {
        int dup = 0;
        for (int i = 0; i < n; i++) dup |= strcmp(names[i], *extra) == 0;
        if (!dup) th_fmt(names[n++], 256, "%s", *extra);
    }
    qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        th_fmt(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "", names[i]);
}

/* A bind of the host probe onto /probe, for containers without our rootfs. */
static void mount_probe(ctr_mount *m) {
    memset(m, 0, sizeof *m);
    m->type = CTR_MOUNT_BIND;
    m->source = g_probe;
    m->target = "/probe";
}

/* ==== the pid namespace, init and exit status ==== */

TEST(command_is_pid_one) {
    ASSERT_STREQ(PROBE_OUT("pid"), "1");
    ASSERT_STREQ(PROBE_OUT("ps"), "1");
}

TEST(init_is_pid_one_and_command_pid_two) {
    ctr_spec s;
    spec_init(&s, PROBE("pid"));
    s.init = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "2");
    s.argv = PROBE("ppid");
    ASSERT_STREQ(SPEC_OUT(&s), "1");
    s.argv = PROBE("ps");
    ASSERT_STREQ(SPEC_OUT(&s), "1 2");
}

TEST(init_reaps_orphaned_zombies) {
    ctr_spec s;
    spec_init(&s, PROBE("orphans", "5"));
    s.init = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "others 0");
}

/* probe trap prints "ready", then exits 42 saying which signal init passed on. */
static void check_forwarded(int sig) {
    ctr_spec s;
    run r;
    char line[64], want[32];
    spec_init(&s, PROBE("trap"));
    s.init = 1;
    ctr_container *c = SPAWN(&s);
    read_line(ctr_stdio_fd(c, 1), line, sizeof line);
    if (strcmp(line, "ready") != 0) FAIL("probe trap said \"%s\", expected ready", line);
    ctr_error e;
    if (ctr_kill(c, sig, &e) != 0) FAIL("ctr_kill(%d): %s", sig, e.msg);
    drain(c, &r);
    WAIT(c, &r.res);
    destroy(c);
    trim(r.out);
    th_fmt(want, sizeof want, "got %d", sig);
    ASSERT_STREQ(r.out, want);
    ASSERT_EXIT(&r, 42);
}

TEST(init_forwards_signals_to_command) {
    static const int sigs[] = {SIGHUP,  SIGINT,  SIGQUIT,  SIGTERM,
                               SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) check_forwarded(sigs[i]);
}

TEST(init_reports_command_exit_status) {
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("exit", "3"));
    s.init = 1;
    RUN(&s, &r);
    ASSERT_EXIT(&r, 3);
    s.argv = PROBE("kill", "15");
    RUN(&s, &r);
    ASSERT_SIGNAL(&r.res, SIGTERM);
    s.argv = PROBE("segv");
    RUN(&s, &r);
    ASSERT_SIGNAL(&r.res, SIGSEGV);
}

TEST(init_container_killed_by_sigkill) {
    ctr_spec s;
    ctr_result res;
    spec_init(&s, PROBE("sleep", "100"));
    s.init = 1;
    ctr_container *c = SPAWN(&s);
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    destroy(c);
    ASSERT_SIGNAL(&res, SIGKILL);
}

TEST(pid_one_ignores_sigterm_without_init) {
    ctr_spec s;
    ctr_result res;
    run r;
    spec_init(&s, PROBE("kill", "15")); /* from itself: ignored too */
    RUN(&s, &r);
    ASSERT_EXIT(&r, 99);
    ASSERT_STREQ(r.out, "survived");
    spec_init(&s, PROBE("sleep", "100"));
    ctr_container *c = SPAWN(&s);
    ASSERT_EQ(ctr_kill(c, SIGTERM, NULL), 0);
    th_sleep_ms(300);
    ASSERT_EQ(ctr_poll(c, &res, NULL), 0);
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    destroy(c);
    ASSERT_SIGNAL(&res, SIGKILL);
}

TEST(share_pid_namespace) {
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("pid"));
    s.share = CTR_NS_PID;
    ctr_container *c = SPAWN(&s);
    pid_t host_pid = ctr_pid(c);
    drain(c, &r);
    WAIT(c, &r.res);
    destroy(c);
    trim(r.out);
    ASSERT_EXIT(&r, 0);
    ASSERT_EQ(atoi(r.out), host_pid);
    ASSERT_NE(host_pid, 1);
}

TEST(exit_codes_reach_the_result) {
    static const char *const codes[] = {"0", "3", "255"};
    for (int i = 0; i < 3; i++) {
        ctr_spec s;
        run r;
        spec_init(&s, PROBE("exit", codes[i]));
        RUN(&s, &r);
        ASSERT_EXIT(&r, atoi(codes[i]));
        ASSERT_GT(r.res.wall_ns, 0);
    }
}

TEST(signals_reach_the_result) {
    ctr_spec s;
    run r;
    ctr_result res;
    spec_init(&s, PROBE("segv"));
    RUN(&s, &r);
    ASSERT_SIGNAL(&r.res, SIGSEGV);
    ASSERT_GT(r.res.wall_ns, 0);
    spec_init(&s, PROBE("sleep", "100"));
    ctr_container *c = SPAWN(&s);
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    WAIT(c, &res);
    destroy(c);
    ASSERT_SIGNAL(&res, SIGKILL);
}

TEST(wall_time_covers_the_run) {
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("sleep", "0.3"));
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    ASSERT_GE(r.res.wall_ns, 300000000LL);
}

/* wall_ns is "from spawn until ctr_wait/ctr_poll saw the exit": waiting late makes it longer. */
TEST(wall_time_runs_until_the_exit_is_seen) {
    ctr_spec s;
    ctr_result res;
    spec_init(&s, PROBE("exit", "0"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    double before = host_clock(CLOCK_MONOTONIC);
    ctr_container *c = SPAWN(&s);
    double spawned = host_clock(CLOCK_MONOTONIC);
    struct pollfd p = {ctr_pidfd(c), POLLIN, 0};
    int exited = poll(&p, 1, 30000);
    th_sleep_ms(500);
    double waiting = host_clock(CLOCK_MONOTONIC);
    WAIT(c, &res);
    double after = host_clock(CLOCK_MONOTONIC);
    destroy(c);
    ASSERT_EQ(exited, 1);
    ASSERT_GE(res.wall_ns, (long long)((waiting - spawned) * 1e9));
    ASSERT_LE(res.wall_ns, (long long)((after - before) * 1e9));
}

TEST(poll_and_pidfd_follow_the_container) {
    ctr_spec s;
    run r;
    ctr_result res;
    spec_init(&s, PROBE("stdin"));
    s.stdio[0] = CTR_STDIO_PIPE;
    ctr_container *c = SPAWN(&s);
    ASSERT_GT(ctr_pid(c), 0);
    ASSERT_NE(ctr_pid(c), getpid());
    ASSERT_EQ(kill(ctr_pid(c), 0), 0);
    ASSERT_EQ(ctr_poll(c, &res, NULL), 0);
    struct pollfd p = {ctr_pidfd(c), POLLIN, 0};
    ASSERT_GE(p.fd, 0);
    ASSERT_EQ(poll(&p, 1, 0), 0);
    ASSERT_EQ(write(ctr_stdio_fd(c, 0), "bye\n", 4), 4);
    ctr_close_stdio(c, 0);
    ASSERT_EQ(ctr_stdio_fd(c, 0), -1);
    drain(c, &r);
    ASSERT_EQ(poll(&p, 1, 30000), 1);
    ASSERT_TRUE(p.revents & POLLIN);
    memset(&res, 0, sizeof res);
    int polled = 0;
    for (int i = 0; i < 3000 && polled == 0; i++) {
        polled = ctr_poll(c, &res, NULL);
        if (polled == 0) th_sleep_ms(10);
    }
    destroy(c);
    ASSERT_EQ(polled, 1);
    ASSERT_TRUE(res.exited);
    ASSERT_EQ(res.exit_code, 0);
    ASSERT_GT(res.wall_ns, 0);
    trim(r.out);
    ASSERT_STREQ(r.out, "bye");
}

/* ctr_spawn returns once the command has been exec'd: the process already is the probe. */
TEST(spawn_returns_after_exec) {
    ctr_spec s;
    ctr_result res;
    char link[64], probe[PATH_MAX];
    struct stat exe, want;
    spec_init(&s, PROBE("sleep", "100"));
    s.rootfs_rw = 1; /* the host's file itself, not its copy in a layer */
    ctr_container *c = SPAWN(&s);
    th_fmt(link, sizeof link, "/proc/%d/exe", (int)ctr_pid(c));
    int r = stat(link, &exe);
    ctr_kill(c, SIGKILL, NULL);
    WAIT(c, &res);
    destroy(c);
    path_join(probe, g_root, "bin/probe");
    CHECK_SYS(r);
    CHECK_SYS(stat(probe, &want));
    ASSERT_TRUE(exe.st_dev == want.st_dev && exe.st_ino == want.st_ino);
}

TEST(destroy_kills_a_running_container) {
    ctr_spec s;
    spec_init(&s, PROBE("sleep", "100"));
    ctr_container *c = SPAWN(&s);
    int pidfd = fcntl(ctr_pidfd(c), F_DUPFD_CLOEXEC, 0);
    CHECK_SYS(pidfd);
    destroy(c);
    struct pollfd p = {pidfd, POLLIN, 0};
    int ready = poll(&p, 1, 0);
    close(pidfd);
    ASSERT_EQ(ready, 1); /* the process is gone (and the harness checks it was reaped) */
}

static void *spawn_from_thread(void *arg) {
    ctr_container *c = NULL;
    if (ctr_spawn((const ctr_spec *)arg, &c, NULL) != 0) return NULL;
    return c;
}

static ctr_container *spawn_in_thread_that_exits(ctr_spec *s) {
    pthread_t t;
    void *c = NULL;
    if (pthread_create(&t, NULL, spawn_from_thread, s) != 0) FAIL("pthread_create failed");
    pthread_join(t, &c);
    if (!c) FAIL("ctr_spawn failed in the thread");
    return (ctr_container *)c;
}

TEST(container_dies_with_its_spawning_thread) {
    ctr_spec s;
    ctr_result res;
    spec_init(&s, PROBE("sleep", "100"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    ctr_container *c = spawn_in_thread_that_exits(&s);
    WAIT(c, &res);
    ctr_destroy(c);
    ASSERT_SIGNAL(&res, SIGKILL);
}

TEST(no_die_with_host_outlives_its_thread) {
    ctr_spec s;
    ctr_result res;
    spec_init(&s, PROBE("sleep", "100"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    s.no_die_with_host = 1;
    ctr_container *c = spawn_in_thread_that_exits(&s);
    th_sleep_ms(300);
    int still_running = ctr_poll(c, &res, NULL);
    ctr_kill(c, SIGKILL, NULL);
    WAIT(c, &res);
    ctr_destroy(c);
    ASSERT_EQ(still_running, 0);
    ASSERT_SIGNAL(&res, SIGKILL);
}

/* Reaps with waitpid(-1) like a careless host, for up to 30 s or until it gets pid. */
static int host_reaps_anything(pid_t pid, int ms) {
    for (int i = 0; i < ms / 10; i++) {
        if (waitpid(-1, NULL, WNOHANG) == pid) return 1;
        th_sleep_ms(10);
    }
    return 0;
}

/* A host's waitpid(-1) cannot take the container's exit status: the host's child is the shim,
   which never execs and has no exit signal. */
TEST(host_waitpid_any_cannot_steal_the_status) {
    ctr_spec s;
    ctr_result res;
    spec_init(&s, PROBE("exit", "3"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    ctr_container *c = SPAWN(&s);
    struct pollfd p = {ctr_pidfd(c), POLLIN, 0};
    int exited = poll(&p, 1, 30000);
    int stolen = host_reaps_anything(ctr_pid(c), 300);
    WAIT(c, &res);
    destroy(c);
    ASSERT_EQ(exited, 1);
    ASSERT_TRUE(!stolen);
    ASSERT_TRUE(res.exited && res.exit_code == 3);
}

/* Documented: with init, pid 1 never execs and waitpid(-1) cannot take it. */
TEST(host_waitpid_any_cannot_steal_init) {
    ctr_spec s;
    ctr_result res;
    spec_init(&s, PROBE("exit", "3"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    s.init = 1;
    ctr_container *c = SPAWN(&s);
    struct pollfd p = {ctr_pidfd(c), POLLIN, 0};
    int exited = poll(&p, 1, 30000);
    int stolen = host_reaps_anything(ctr_pid(c), 300);
    WAIT(c, &res);
    destroy(c);
    ASSERT_EQ(exited, 1);
    ASSERT_TRUE(!stolen);
    ASSERT_TRUE(res.exited);
    ASSERT_EQ(res.exit_code, 3);
}

static char *heap_string(const char *s) {
    char *d = strdup(s);
    if (!d) FAIL("strdup: out of memory");
    return d;
}

static void scribble_and_free(char *s) {
    memset(s, 'X', strlen(s));
    free(s);
}

/* "The spec only has to live until ctr_spawn returns": everything in it is freed and scribbled
   over right after; the container and the handle must not notice (ASan checks the accesses). */
TEST(spec_only_has_to_live_until_spawn_returns) {
    ctr_spec *s = (ctr_spec *)calloc(1, sizeof *s);
    ctr_mount *m = (ctr_mount *)calloc(1, sizeof *m);
    const char **argv = (const char **)calloc(4, sizeof *argv),
               **env = (const char **)calloc(2, sizeof *env);
    char *strs[7];
    run r;
    ASSERT_TRUE(s && m && argv && env);
    strs[0] = heap_string("/bin/probe");
    strs[1] = heap_string("cat");
    strs[2] = heap_string("/tmp/f");
    strs[3] = heap_string("K=v");
    strs[4] = heap_string(g_root);
    strs[5] = heap_string("/tmp/f");
    strs[6] = heap_string("file contents");
    argv[0] = strs[0], argv[1] = strs[1], argv[2] = strs[2];
    env[0] = strs[3];
    m->type = CTR_MOUNT_FILE, m->target = strs[5], m->data = strs[6], m->data_len = 13;
    spec_init(s, argv);
    s->env = env, s->rootfs = strs[4], s->mounts = m, s->nmounts = 1, s->hostname = "h";
    ctr_container *c = SPAWN(s);
    for (int i = 0; i < 7; i++) scribble_and_free(strs[i]);
    memset(argv, 0xff, 4 * sizeof *argv);
    memset(m, 0xff, sizeof *m);
    memset(s, 0xff, sizeof *s);
    free(argv), free(env), free(m), free(s);
    drain(c, &r);
    WAIT(c, &r.res);
    destroy(c);
    trim(r.out);
    ASSERT_EXIT(&r, 0);
    ASSERT_STREQ(r.out, "file contents");
}

/* ==== uts, net, ipc, cgroup namespaces ==== */

TEST(hostname_default_is_container) { ASSERT_STREQ(PROBE_OUT("hostname"), "container"); }

TEST(hostname_custom) {
    ctr_spec s;
    spec_init(&s, PROBE("hostname"));
    s.hostname = "box-1.example";
    ASSERT_STREQ(SPEC_OUT(&s), "box-1.example");
}

TEST(sethostname_inside_stays_inside) {
    char before[256], after[256];
    ctr_spec s;
    host_hostname(before, sizeof before);
    /* The default capabilities do not include CAP_SYS_ADMIN (21), which sethostname needs. */
    ASSERT_STREQ(PROBE_OUT("sethostname", "changed-inside"), "EPERM");
    spec_init(&s, PROBE("sethostname", "changed-inside"));
    s.cap_add = CTR_CAP(21);
    ASSERT_STREQ(SPEC_OUT(&s), "ok");
    host_hostname(after, sizeof after);
    ASSERT_STREQ(after, before);
}

TEST(share_uts_sees_host_hostname) {
    char host[256];
    ctr_spec s;
    host_hostname(host, sizeof host);
    spec_init(&s, PROBE("hostname"));
    s.share = CTR_NS_UTS;
    ASSERT_STREQ(SPEC_OUT(&s), host);
}

TEST(error_hostname_with_shared_uts) {
    ctr_spec s;
    spec_init(&s, PROBE("hostname"));
    s.share = CTR_NS_UTS;
    s.hostname = "not-possible";
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, NULL);
}

TEST(network_is_loopback_only_and_up) {
    ASSERT_STREQ(PROBE_OUT("netifs"), "lo");
    ASSERT_STREQ(PROBE_OUT("ifup", "lo"), "up");
}

TEST(share_net_sees_host_interfaces) {
    char host[1024];
    ctr_spec s;
    host_netifs(host, sizeof host);
    spec_init(&s, PROBE("netifs"));
    s.share = CTR_NS_NET;
    ASSERT_STREQ(SPEC_OUT(&s), host);
}

TEST(ipc_namespace_hides_host_queues) {
    ctr_spec s;
    run r;
    int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    CHECK_SYS(q);
    spec_init(&s, PROBE("cat", "/proc/sysvipc/msg"));
    ctr_container *c = NULL;
    int rc = ctr_spawn(&s, &c, NULL);
    if (rc == 0) {
        drain(c, &r);
        WAIT(c, &r.res);
        ctr_destroy(c);
    }
    msgctl(q, IPC_RMID, NULL);
    ASSERT_EQ(rc, 0);
    trim(r.out);
    ASSERT_EXIT(&r, 0);
    if (count_lines(r.out) != 1) FAIL("the host queue is visible: \"%s\"", r.out);
}

TEST(cgroup_namespace_is_rooted_at_own_cgroup) {
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("cat", "/proc/self/cgroup"));
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    ASSERT_GT(r.outlen, 0);
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        size_t n = strlen(line);
        if (n < 2 || strcmp(line + n - 2, ":/") != 0)
            FAIL("cgroup line not at the root: \"%s\"", line);
    }
}

/* ==== the root filesystem ==== */

TEST(rootfs_is_all_you_see) {
    static const char *const defaults[] = {"dev", "proc", "tmp", NULL};
    char want[4096];
    host_ls_plus(g_root, defaults, want, sizeof want);
    ASSERT_STREQ(PROBE_OUT("ls", "/"), want);
    ASSERT_STREQ(PROBE_OUT("read", g_canary), "ENOENT");
    ASSERT_STREQ(PROBE_OUT("ls", g_tmp), "ENOENT");
}

/* rootfs_rw binds rootfs recursively: what is mounted below it on the host comes along (a
   layer shows the directory's own filesystem only). */
TEST(rootfs_submounts_come_along) {
    char dir[PATH_MAX], file[PATH_MAX];
    ctr_spec s;
    require_root();
    CHECK_SYS(unshare(CLONE_NEWNS)); /* this test process's own mount namespace */
    CHECK_SYS(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
    path_join(dir, g_root, "data");
    CHECK_SYS(mount("tmpfs", dir, "tmpfs", 0, "size=1m"));
    path_join(file, dir, "on-submount.txt");
    CHECK_SYS(write_file(file, "sub\n", 4, 0644));
    spec_init(&s, PROBE("ls", "/data"));
    s.rootfs_rw = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "on-submount.txt");
}

TEST(default_mount_points_made_in_bare_rootfs) {
    ctr_spec s;
    require_root();
    spec_init(&s, PROBE("ls", "/"));
    s.rootfs = g_mini;
    ASSERT_STREQ(SPEC_OUT(&s), "bin dev proc tmp");
    s.argv = PROBE("ps");
    ASSERT_STREQ(SPEC_OUT(&s), "1");
}

/* The mounts allowed to be without nodev: the device binds in /dev, and the container's devpts. */
static int is_device_mount(const char *mp) {
    static const char *const devices[] = {"/dev/null",    "/dev/zero", "/dev/full", "/dev/random",
                                          "/dev/urandom", "/dev/tty",  "/dev/pts"};
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
        if (strcmp(mp, devices[i]) == 0) return 1;
    return 0;
}

/* Checks `probe mounts` output: mount points, nosuid everywhere, nodev where no device is. */
static void check_mount_table(const char *mounts) {
    char buf[65536];
    int roots = 0;
    th_fmt(buf, sizeof buf, "%s", mounts);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        char mp[1024], fstype[128], opts[512];
        if (sscanf(line, "%1023s %127s %511s", mp, fstype, opts) != 3)
            FAIL("bad line \"%s\"", line);
        int in_dev = strcmp(mp, "/dev") == 0 || strncmp(mp, "/dev/", 5) == 0;
        int in_tmp = strcmp(mp, "/tmp") == 0 || strncmp(mp, "/tmp/", 5) == 0; /* the tests' own */
        int in_proc = strncmp(mp, "/proc/", 6) == 0; /* the masks (kcore, keys, sys read-only...) */
        if (strcmp(mp, "/") && strcmp(mp, "/proc") && !in_tmp && !in_dev && !in_proc)
            FAIL("unexpected mount inside the container: \"%s\"", line);
        if (!strstr(opts, "nosuid")) FAIL("mount without nosuid: \"%s\"", line);
        if (!is_device_mount(mp) && !strstr(opts, "nodev"))
            FAIL("mount without nodev: \"%s\"", line);
        roots += strcmp(mp, "/") == 0;
    }
    ASSERT_EQ(roots, 1);
}

TEST(mount_table_is_the_containers_own) {
    ctr_spec s;
    ctr_mount m[4];
    char file[PATH_MAX];
    check_mount_table(PROBE_OUT("mounts"));
    path_join(file, g_data, "hello.txt");
    memset(m, 0, sizeof m); /* the user's mounts get nosuid and nodev too */
    m[0].type = m[1].type = CTR_MOUNT_BIND;
    m[0].source = g_data;
    m[0].target = "/tmp/bind-ro";
    m[1].source = file;
    m[1].target = "/tmp/bind-rw-file";
    m[1].flags = CTR_MOUNT_RW;
    m[2].type = CTR_MOUNT_TMPFS;
    m[2].target = "/tmp/tmpfs";
    m[3].type = CTR_MOUNT_MQUEUE;
    m[3].target = "/dev/mqueue";
    spec_init(&s, PROBE("mounts"));
    s.mounts = m;
    s.nmounts = 4;
    check_mount_table(SPEC_OUT(&s));
}

TEST(readonly_root) {
    ctr_spec s;
    spec_init(&s, PROBE("write", "/ctr-test-readonly-root"));
    s.readonly_root = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "EROFS");
    s.argv = PROBE("write", "/tmp/file");
    ASSERT_STREQ(SPEC_OUT(&s), "ok");
    s.argv = PROBE("write", "/dev/null");
    ASSERT_STREQ(SPEC_OUT(&s), "ok");
}

/* The root is writable by default, into a throw-away layer: the rootfs on the host is left as
   it was.  rootfs_rw writes into the directory itself. */
TEST(root_is_writable_by_default) {
    char host[PATH_MAX];
    ctr_spec s;
    path_join(host, g_root, "written-by-container");
    ASSERT_STREQ(PROBE_OUT("write", "/written-by-container"), "ok");
    ASSERT_EQ(access(host, F_OK), -1);
    spec_init(&s, PROBE("write", "/written-by-container"));
    s.rootfs_rw = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "ok");
    ASSERT_EQ(access(host, F_OK), 0);
    unlink(host);
}

/* What `ls /` shows with rootfs = NULL: the host's userland dirs that exist, the default mount
   points and /probe. */
static void host_userland_listing(char *out, size_t len) {
    static const char *const dirs[] = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "etc"};
    const char *names[16];
    int n = 0;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char p[64];
        struct stat st;
        th_fmt(p, sizeof p, "/%s", dirs[i]);
        if (lstat(p, &st) == 0) names[n++] = dirs[i];
    }
    names[n++] = "dev";
    names[n++] = "proc";
    names[n++] = "tmp";
    names[n++] = "probe";
    names[n] = NULL;
    host_ls_plus(NULL, names, out, len);
}

static void check_host_userland_root(void) {
    ctr_spec s;
    ctr_mount m;
    char want[1024];
    struct stat st;
    mount_probe(&m);
    spec_init(&s, ARGV("/probe", "ls", "/"));
    s.rootfs = NULL;
    s.mounts = &m;
    s.nmounts = 1;
    host_userland_listing(want, sizeof want);
    ASSERT_STREQ(SPEC_OUT(&s), want);
    s.argv = ARGV("/probe", "write", "/usr/ctr-test-file");
    ASSERT_STREQ(SPEC_OUT(&s), "EROFS");
    s.argv = ARGV("/probe", "write", "/etc/ctr-test-file");
    ASSERT_STREQ(SPEC_OUT(&s), "EROFS");
    if (lstat("/bin", &st) == 0 && S_ISLNK(st.st_mode)) {
        char target[PATH_MAX], want_link[PATH_MAX + 16];
        ssize_t n = readlink("/bin", target, sizeof target - 1);
        target[n < 0 ? 0 : n] = '\0';
        th_fmt(want_link, sizeof want_link, "l 777 -> %s", target);
        s.argv = ARGV("/probe", "stat", "/bin");
        ASSERT_STREQ(SPEC_OUT(&s), want_link);
    }
}

TEST(null_rootfs_is_host_userland_read_only) { check_host_userland_root(); }

TEST(no_default_mounts) {
    ctr_spec s;
    spec_init(&s, PROBE("ls", "/proc"));
    s.no_default_mounts = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "");
    s.argv = PROBE("ls", "/dev");
    ASSERT_STREQ(SPEC_OUT(&s), "");
    s.argv = PROBE("ls", "/tmp");
    ASSERT_STREQ(SPEC_OUT(&s), "");
}

#define DEV_LISTING "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero"

TEST(explicit_proc_dev_tmpfs_mounts) {
    ctr_spec s;
    ctr_mount m[3];
    memset(m, 0, sizeof m);
    m[0].type = CTR_MOUNT_PROC;
    m[0].target = "/proc";
    m[1].type = CTR_MOUNT_DEV;
    m[1].target = "/dev";
    m[2].type = CTR_MOUNT_TMPFS;
    m[2].target = "/tmp";
    spec_init(&s, PROBE("ps"));
    s.no_default_mounts = 1;
    s.mounts = m;
    s.nmounts = 3;
    ASSERT_STREQ(SPEC_OUT(&s), "1");
    s.argv = PROBE("ls", "/dev");
    ASSERT_STREQ(SPEC_OUT(&s), DEV_LISTING);
    s.argv = PROBE("write", "/tmp/x");
    ASSERT_STREQ(SPEC_OUT(&s), "ok");
}

/* ==== bind mounts ==== */

static void bind_mount(ctr_mount *m, const char *source, const char *target, unsigned flags) {
    memset(m, 0, sizeof *m);
    m->type = CTR_MOUNT_BIND;
    m->source = source;
    m->target = target;
    m->flags = flags;
}

TEST(bind_is_read_only_by_default) {
    ctr_spec s;
    ctr_mount m;
    bind_mount(&m, g_data, "/tmp/ro", 0);
    spec_init(&s, PROBE("cat", "/tmp/ro/hello.txt"));
    s.mounts = &m;
    s.nmounts = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "hello");
    s.argv = PROBE("write", "/tmp/ro/new.txt");
    ASSERT_STREQ(SPEC_OUT(&s), "EROFS");
}

TEST(bind_rw_writes_reach_the_host) {
    ctr_spec s;
    ctr_mount m;
    char dir[PATH_MAX], file[PATH_MAX], buf[64] = "";
    path_join(dir, g_tmp, "rw-bind");
    CHECK_SYS(mkdir(dir, 0755));
    bind_mount(&m, dir, "/tmp/rw", CTR_MOUNT_RW);
    spec_init(&s, PROBE("write", "/tmp/rw/from-container"));
    s.mounts = &m;
    s.nmounts = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "ok");
    path_join(file, dir, "from-container");
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    CHECK_SYS(fd);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    ASSERT_EQ(n, 6);
    ASSERT_STREQ(buf, "probe\n");
}

/* In a private mount namespace of this test process (gone with it): SRC/top.txt and a tmpfs on
   SRC/sub holding inner.txt. */
static void make_source_with_submount(char *src, const char *name) {
    char p[PATH_MAX];
    require_root();
    CHECK_SYS(unshare(CLONE_NEWNS));
    CHECK_SYS(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
    path_join(src, g_tmp, name);
    CHECK_SYS(mkdir(src, 0755));
    path_join(p, src, "sub");
    CHECK_SYS(mkdir(p, 0755));
    CHECK_SYS(mount("tmpfs", p, "tmpfs", 0, "size=1m"));
    path_join(p, src, "sub/inner.txt");
    CHECK_SYS(write_file(p, "inner\n", 6, 0644));
}

TEST(bind_is_recursive_by_default) {
    char src[PATH_MAX];
    ctr_spec s;
    ctr_mount m;
    make_source_with_submount(src, "recursive-source");
    bind_mount(&m, src, "/tmp/b", 0);
    spec_init(&s, PROBE("ls", "/tmp/b/sub"));
    s.mounts = &m;
    s.nmounts = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "inner.txt");
    s.argv = PROBE("write", "/tmp/b/sub/new.txt"); /* read-only applies to the submount too */
    ASSERT_STREQ(SPEC_OUT(&s), "EROFS");
    m.flags = CTR_MOUNT_RW;
    ASSERT_STREQ(SPEC_OUT(&s), "ok");
}

TEST(bind_nonrecursive_leaves_submounts_out) {
    char src[PATH_MAX];
    ctr_spec s;
    ctr_mount m;
    make_source_with_submount(src, "nonrecursive-source");
    bind_mount(&m, src, "/tmp/b", CTR_MOUNT_NONRECURSIVE);
    spec_init(&s, PROBE("ls", "/tmp/b/sub"));
    s.mounts = &m;
    s.nmounts = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "");
    s.argv = PROBE("ls", "/tmp/b");
    ASSERT_STREQ(SPEC_OUT(&s), "sub");
}

TEST(bind_a_single_file) {
    char file[PATH_MAX];
    ctr_spec s;
    ctr_mount m;
    path_join(file, g_tmp, "single.txt");
    CHECK_SYS(write_file(file, "single file\n", 12, 0644));
    bind_mount(&m, file, "/tmp/single.txt", 0);
    spec_init(&s, PROBE("cat", "/tmp/single.txt"));
    s.mounts = &m;
    s.nmounts = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "single file");
    s.argv = PROBE("stat", "/tmp/single.txt");
    ASSERT_STREQ(SPEC_OUT(&s), "f 644");
    s.argv = PROBE("write", "/tmp/single.txt");
    ASSERT_STREQ(SPEC_OUT(&s), "EROFS");
}

/* ==== tmpfs, proc, dev, mqueue ==== */

static void tmpfs_mount(ctr_mount *m, const char *target, uint64_t size, unsigned mode) {
    memset(m, 0, sizeof *m);
    m->type = CTR_MOUNT_TMPFS;
    m->target = target;
    m->size = size;
    m->mode = mode;
}

TEST(tmpfs_size_is_enforced) {
    ctr_spec s;
    ctr_mount m;
    unsigned long long written = 0;
    char err[32] = "";
    tmpfs_mount(&m, "/tmp/small", 1 << 20, 0);
    spec_init(&s, PROBE("fill", "/tmp/small/f", "16777216"));
    s.mounts = &m;
    s.nmounts = 1;
    const char *out = SPEC_OUT(&s);
    if (sscanf(out, "%31s %llu", err, &written) != 2) FAIL("probe fill said \"%s\"", out);
    ASSERT_STREQ(err, "ENOSPC");
    ASSERT_GE(written, 3 << 18);
    ASSERT_LE(written, 1 << 20);
}

TEST(tmpfs_mode) {
    ctr_spec s;
    ctr_mount m[3];
    tmpfs_mount(&m[0], "/tmp/default-mode", 0, 0);
    tmpfs_mount(&m[1], "/tmp/mode-750", 0, 0750);
    tmpfs_mount(&m[2], "/tmp/mode-777", 0, 0777);
    spec_init(&s, PROBE("stat", "/tmp/default-mode", "/tmp/mode-750", "/tmp/mode-777", "/tmp"));
    s.mounts = m;
    s.nmounts = 3;
    ASSERT_STREQ(SPEC_OUT(&s), "d 1777\nd 750\nd 777\nd 1777");
}

TEST(tmpfs_readonly_flag) {
    ctr_spec s;
    ctr_mount m;
    tmpfs_mount(&m, "/tmp/ro", 0, 0);
    m.flags = CTR_MOUNT_READONLY;
    spec_init(&s, PROBE("write", "/tmp/ro/x"));
    s.mounts = &m;
    s.nmounts = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "EROFS");
}

TEST(mount_on_tmp_replaces_the_default) {
    ctr_spec s;
    ctr_mount m;
    char buf[65536];
    int tmp_mounts = 0;
    tmpfs_mount(&m, "/tmp", 1 << 20, 0700);
    spec_init(&s, PROBE("stat", "/tmp"));
    s.mounts = &m;
    s.nmounts = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "d 700");
    s.argv = PROBE("mounts");
    th_fmt(buf, sizeof buf, "%s", SPEC_OUT(&s));
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        tmp_mounts += strncmp(line, "/tmp ", 5) == 0;
    ASSERT_EQ(tmp_mounts, 1);
}

/* CTR_MOUNT_READONLY on proc, dev and mqueue; without it the same writes work. */
TEST(readonly_flag_on_proc_dev_mqueue) {
    static const char *const writes[] = {"/proc/sys/kernel/hostname", "/dev/new-file",
                                         "/tmp/mqueue/queue"};
    ctr_spec s;
    ctr_mount m[3];
    memset(m, 0, sizeof m);
    m[0].type = CTR_MOUNT_PROC;
    m[0].target = "/proc";
    m[1].type = CTR_MOUNT_DEV;
    m[1].target = "/dev";
    m[2].type = CTR_MOUNT_MQUEUE;
    m[2].target = "/tmp/mqueue"; /* not in /dev: a read-only /dev has no room for a mount point */
    spec_init(&s, NULL);
    s.mounts = m;
    s.nmounts = 3;
    s.no_masks = 1; /* /proc/sys is read-only by default: this test is about the flag */
    char wrong[1024] = "";
    for (int ro = 0; ro < 2; ro++) {
        m[0].flags = m[1].flags = m[2].flags = ro ? CTR_MOUNT_READONLY : 0;
        for (int i = 0; i < 3; i++) {
            s.argv = PROBE(i == 0 ? "write" : "create", writes[i]);
            const char *out = SPEC_OUT(&s);
            if (strcmp(out, ro ? "EROFS" : "ok") != 0)
                th_fmt(wrong + strlen(wrong), sizeof wrong - strlen(wrong),
                       "; %s %s READONLY gave %s", writes[i], ro ? "with" : "without", out);
        }
    }
    if (wrong[0]) FAIL("writes%s", wrong);
    s.argv = PROBE("write", "/dev/null"); /* the device binds of a read-only /dev still work */
    ASSERT_STREQ(SPEC_OUT(&s), "ok");
}

/* Mounts come after the defaults, so they can go inside them. */
TEST(mount_inside_a_default_mount) {
    ctr_spec s;
    ctr_mount m;
    tmpfs_mount(&m, "/dev/shm", 1 << 20, 0);
    spec_init(&s, PROBE("mounts"));
    s.mounts = &m;
    s.nmounts = 1;
    ASSERT_CONTAINS(SPEC_OUT(&s), "/dev/shm tmpfs ");
    s.argv = PROBE("ls", "/dev");
    ASSERT_STREQ(SPEC_OUT(&s), DEV_LISTING);
}

TEST(mqueue_mount) {
    ctr_spec s;
    ctr_mount m;
    memset(&m, 0, sizeof m);
    m.type = CTR_MOUNT_MQUEUE;
    m.target = "/dev/mqueue";
    spec_init(&s, PROBE("mounts"));
    s.mounts = &m;
    s.nmounts = 1;
    ASSERT_CONTAINS(SPEC_OUT(&s), "/dev/mqueue mqueue ");
}

TEST(dev_has_exactly_the_documented_nodes) {
    ASSERT_STREQ(PROBE_OUT("ls", "/dev"), DEV_LISTING);
    ASSERT_STREQ(PROBE_OUT("ls", "/dev/pts"), "ptmx");
    char want[512] = "";
    static const char *const nodes[] = {"/dev/null",   "/dev/zero",    "/dev/full",
                                        "/dev/random", "/dev/urandom", "/dev/tty"};
    for (int i = 0; i < 6; i++) { /* the same devices as the host's, bound */
        struct stat st;
        CHECK_SYS(stat(nodes[i], &st));
        th_fmt(want + strlen(want), sizeof want - strlen(want), "%sc %o %u:%u", i ? "\n" : "",
               (unsigned)(st.st_mode & 07777), major(st.st_rdev), minor(st.st_rdev));
    }
    ASSERT_STREQ(PROBE_OUT("stat", "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                           "/dev/urandom", "/dev/tty"),
                 want);
    ASSERT_STREQ(
        PROBE_OUT("stat", "/dev/ptmx", "/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr"),
        "l 777 -> pts/ptmx\nl 777 -> /proc/self/fd\nl 777 -> /proc/self/fd/0\n"
        "l 777 -> /proc/self/fd/1\nl 777 -> /proc/self/fd/2");
    ASSERT_TRUE(strncmp(PROBE_OUT("stat", "/dev/shm"), "d ", 2) == 0);
}

TEST(dev_nodes_work) {
    ASSERT_STREQ(PROBE_OUT("write", "/dev/null"), "ok");
    ASSERT_STREQ(PROBE_OUT("write", "/dev/full"), "ENOSPC");
    ASSERT_STREQ(PROBE_OUT("readn", "/dev/zero", "64"), "64 zero");
    ASSERT_STREQ(PROBE_OUT("readn", "/dev/urandom", "64"), "64");
    ASSERT_STREQ(PROBE_OUT("pty"), "ok /dev/pts/0");
}

/* ==== DIR, SYMLINK, FILE ==== */

TEST(mount_dir_creates_with_parents_and_mode) {
    ctr_spec s;
    ctr_mount m[2];
    memset(m, 0, sizeof m);
    m[0].type = CTR_MOUNT_DIR;
    m[0].target = "/tmp/a/b/c";
    m[1].type = CTR_MOUNT_DIR;
    m[1].target = "/tmp/x/open";
    m[1].mode = 0777;
    spec_init(&s, PROBE("stat", "/tmp/a/b/c", "/tmp/x/open"));
    s.mounts = m;
    s.nmounts = 2;
    ASSERT_STREQ(SPEC_OUT(&s), "d 755\nd 777");
}

TEST(mount_symlink) {
    ctr_spec s;
    ctr_mount m;
    memset(&m, 0, sizeof m);
    m.type = CTR_MOUNT_SYMLINK;
    m.source = "/data/hello.txt";
    m.target = "/tmp/link";
    spec_init(&s, PROBE("stat", "/tmp/link"));
    s.mounts = &m;
    s.nmounts = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "l 777 -> /data/hello.txt");
    s.argv = PROBE("cat", "/tmp/link");
    ASSERT_STREQ(SPEC_OUT(&s), "hello");
}

TEST(mount_file_contents_and_mode) {
    static const char binary[] = {'a', '\0', 'b', '\n'};
    ctr_spec s;
    run r;
    ctr_mount m[3];
    memset(m, 0, sizeof m);
    m[0].type = m[1].type = m[2].type = CTR_MOUNT_FILE;
    m[0].target = "/tmp/text";
    m[0].data = "line1\nline2\n";
    m[0].data_len = 12;
    m[1].target = "/tmp/secret";
    m[1].data = "s";
    m[1].data_len = 1;
    m[1].mode = 0600;
    m[2].target = "/tmp/binary";
    m[2].data = binary;
    m[2].data_len = sizeof binary;
    m[2].mode = 0666;
    spec_init(&s, PROBE("cat", "/tmp/text"));
    s.mounts = m;
    s.nmounts = 3;
    ASSERT_STREQ(SPEC_OUT(&s), "line1\nline2");
    s.argv = PROBE("cat", "/tmp/binary");
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    ASSERT_EQ(r.outlen, sizeof binary);
    ASSERT_EQ(memcmp(r.out, binary, 3), 0);
    s.argv = PROBE("stat", "/tmp/text", "/tmp/secret", "/tmp/binary");
    ASSERT_STREQ(SPEC_OUT(&s), "f 644\nf 600\nf 666");
}

/* ==== environment and working directory ==== */

TEST(env_default_is_path_and_home_only) {
    ASSERT_STREQ(getenv("CTR_TEST_HOST_SECRET"), "leaked-host-variable");
    ASSERT_STREQ(PROBE_OUT("env"), "HOME=/\n" DEFAULT_PATH);
}

/* spec.env is what the command gets, plus the default PATH when it has none (a command found
   through PATH must not fail because the caller set only TERM). */
TEST(env_custom_is_what_was_given_plus_a_default_path) {
    ctr_spec s;
    spec_init(&s, PROBE("env"));
    s.env = ARGV("B=two words", "A=1", "EMPTY=");
    ASSERT_STREQ(SPEC_OUT(&s), "A=1\nB=two words\nEMPTY=\n" DEFAULT_PATH);
    s.env = ARGV("B=two words", "PATH=/mine");
    ASSERT_STREQ(SPEC_OUT(&s), "B=two words\nPATH=/mine");
    s.argv = ARGV("probe", "pid"); /* found through the default PATH */
    s.env = ARGV("TERM=dumb");
    ASSERT_STREQ(SPEC_OUT(&s), "1");
}

TEST(argv0_without_slash_is_searched_in_container_path) {
    ctr_spec s;
    spec_init(&s, ARGV("probe", "pid"));
    ASSERT_STREQ(SPEC_OUT(&s), "1");
    s.env = ARGV("PATH=/nowhere:/bin");
    ASSERT_STREQ(SPEC_OUT(&s), "1");
    s.env = ARGV("PATH=/nowhere");
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_EXEC, ENOENT, "probe");
}

TEST(cwd) {
    ctr_spec s;
    ASSERT_STREQ(PROBE_OUT("cwd"), "/");
    spec_init(&s, PROBE("cwd"));
    s.cwd = "/data";
    ASSERT_STREQ(SPEC_OUT(&s), "/data");
    s.argv = ARGV("../bin/probe", "cwd"); /* exec resolves relative to the new cwd */
    ASSERT_STREQ(SPEC_OUT(&s), "/data");
}

/* ==== stdio ==== */

TEST(stdio_null) {
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("fdinfo"));
    s.stdio[1] = CTR_STDIO_NULL;
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    ASSERT_STREQ(r.err, "0:c1:3 1:c1:3 2:p");
    ASSERT_EQ(r.outlen, 0);
}

TEST(stdio_fd_is_used_and_left_open) {
    ctr_spec s;
    run r;
    int p[2];
    CHECK_SYS(pipe2(p, O_CLOEXEC));
    spec_init(&s, PROBE("echo", "via", "fd"));
    s.stdio[1] = CTR_STDIO_FD;
    s.stdio_fd[1] = p[1];
    ctr_container *c = SPAWN(&s);
    int still_open = fcntl(p[1], F_GETFD) != -1;
    close(p[1]);
    ASSERT_EQ(ctr_stdio_fd(c, 1), -1);
    drain2(p[0], r.out, sizeof r.out, &r.outlen, ctr_stdio_fd(c, 2), r.err, sizeof r.err);
    close(p[0]);
    WAIT(c, &r.res);
    destroy(c);
    trim(r.out);
    ASSERT_TRUE(still_open);
    ASSERT_EXIT(&r, 0);
    ASSERT_STREQ(r.out, "via fd");
}

TEST(stdin_from_fd) {
    ctr_spec s;
    char file[PATH_MAX];
    path_join(file, g_data, "hello.txt");
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    CHECK_SYS(fd);
    spec_init(&s, PROBE("stdin"));
    s.stdio[0] = CTR_STDIO_FD;
    s.stdio_fd[0] = fd;
    const char *out = SPEC_OUT(&s);
    int still_open = fcntl(fd, F_GETFD) != -1;
    close(fd);
    ASSERT_STREQ(out, "hello");
    ASSERT_TRUE(still_open);
}

TEST(stdin_pipe) {
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("stdin"));
    s.stdio[0] = CTR_STDIO_PIPE;
    ctr_container *c = SPAWN(&s);
    ASSERT_GE(ctr_stdio_fd(c, 0), 0);
    ASSERT_EQ(write(ctr_stdio_fd(c, 0), "to stdin\nline 2\n", 16), 16);
    ctr_close_stdio(c, 0);
    drain(c, &r);
    WAIT(c, &r.res);
    destroy(c);
    trim(r.out);
    ASSERT_EXIT(&r, 0);
    ASSERT_STREQ(r.out, "to stdin\nline 2");
}

TEST(stdout_and_stderr_pipes) {
    ctr_spec s;
    run r;
    spec_init(&s, PROBE("both", "to-out", "to-err"));
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    ASSERT_STREQ(r.out, "to-out");
    ASSERT_STREQ(r.err, "to-err");
}

TEST(stdio_fd_of_a_non_pipe_stream_is_minus_one) {
    ctr_spec s;
    ctr_result res;
    spec_init(&s, PROBE("exit", "0"));
    s.stdio[2] = CTR_STDIO_NULL;
    ctr_container *c = SPAWN(&s);
    ASSERT_EQ(ctr_stdio_fd(c, 0), -1);
    ASSERT_GE(ctr_stdio_fd(c, 1), 0);
    ASSERT_EQ(ctr_stdio_fd(c, 2), -1);
    WAIT(c, &res);
    destroy(c);
}

TEST(stdio_inherit_is_the_default) {
    ctr_spec s;
    ctr_result res;
    char out[256];
    size_t len;
    int p[2], err[2];
    int saved = dup(1);
    CHECK_SYS(saved);
    CHECK_SYS(pipe2(p, O_CLOEXEC));
    CHECK_SYS(pipe2(err, O_CLOEXEC));
    spec_init(&s, PROBE("echo", "inherited"));
    s.stdio[1] = CTR_STDIO_INHERIT;
    s.stdio[2] = CTR_STDIO_FD;
    s.stdio_fd[2] = err[1];
    dup2(p[1], 1);
    ctr_container *c = NULL;
    int rc = ctr_spawn(&s, &c, NULL);
    dup2(saved, 1);
    close(saved);
    close(p[1]);
    close(err[1]);
    if (rc == 0) {
        drain2(p[0], out, sizeof out, &len, err[0], out + 128, 128);
        WAIT(c, &res);
        ctr_destroy(c);
    }
    close(p[0]);
    close(err[0]);
    ASSERT_EQ(rc, 0);
    trim(out);
    ASSERT_STREQ(out, "inherited");
}

/* A new session without a controlling terminal. */
TEST(new_session_without_terminal) {
    ctr_spec s;
    ASSERT_STREQ(PROBE_OUT("sid"), "1");
    ASSERT_STREQ(PROBE_OUT("read", "/dev/tty"), "ENXIO");
    spec_init(&s, PROBE("sid"));
    s.init = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "1"); /* init's session: the command is pid 2 in it */
}

/* An inherited stream the host has closed stays closed, and no library fd takes its place. */
TEST(inherited_closed_stdin_stays_closed) {
    ctr_spec s;
    run r;
    int saved = fcntl(0, F_DUPFD_CLOEXEC, 3);
    CHECK_SYS(saved);
    close(0);
    spec_init(&s, PROBE("fdinfo"));
    s.stdio[0] = CTR_STDIO_INHERIT;
    ctr_container *c = NULL;
    ctr_error e;
    int rc = ctr_spawn(&s, &c, &e);
    if (rc == 0) {
        drain(c, &r);
        WAIT(c, &r.res);
        ctr_destroy(c);
    }
    dup2(saved, 0);
    close(saved);
    if (rc != 0) FAIL("ctr_spawn: %s", e.msg);
    trim(r.err);
    ASSERT_STREQ(r.err, "0:EBADF 1:p 2:p");
}

TEST(no_host_fd_reaches_the_container) {
    ctr_spec s;
    int leaky = open("/dev/null", O_RDONLY); /* deliberately without O_CLOEXEC */
    int p[2];
    CHECK_SYS(leaky);
    CHECK_SYS(pipe(p));
    CHECK_SYS(dup2(leaky, 100));
    spec_init(&s, PROBE("fds"));
    const char *out = SPEC_OUT(&s);
    close(leaky);
    close(p[0]);
    close(p[1]);
    close(100);
    ASSERT_STREQ(out, "0 1 2 3"); /* 3: the directory probe lists */
}

/* pid 1 with init=1 is inside the container too: it must not keep the host's descriptors, which
   the command (same uid) could open through /proc/1/fd. */
TEST(init_holds_no_host_fd) {
    ctr_spec s;
    char buf[65536];
    int extra = 0;
    int leaky = open(g_canary, O_RDONLY);               /* inheritable */
    int cloexec = open(g_canary, O_RDONLY | O_CLOEXEC); /* close-on-exec: init never execs */
    CHECK_SYS(leaky);
    CHECK_SYS(cloexec);
    spec_init(&s, PROBE("fdlinks", "1"));
    s.init = 1;
    th_fmt(buf, sizeof buf, "%s", SPEC_OUT(&s));
    close(leaky);
    close(cloexec);
    if (strstr(buf, "canary")) FAIL("init keeps a host file open: \"%s\"", buf);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) extra += atoi(line) > 2;
    ASSERT_LE(extra, 1); /* at most the pipe that reports the command's status */
}

TEST(containers_do_not_inherit_each_others_pipes) {
    ctr_spec a, b;
    run r;
    spec_init(&a, PROBE("stdin"));
    a.stdio[0] = CTR_STDIO_PIPE;
    ctr_container *first = SPAWN(&a);
    spec_init(&b, PROBE("fds"));
    const char *fds = SPEC_OUT(&b);
    int second_clean = strcmp(fds, "0 1 2 3") == 0;
    ctr_close_stdio(first, 0); /* EOF only if no other process holds the write end */
    drain(first, &r);
    WAIT(first, &r.res);
    destroy(first);
    ASSERT_TRUE(second_clean);
    ASSERT_EXIT(&r, 0);
}

/* The caller's own 1 and 2, crossed: the container's stdout is the caller's fd 2 and the other way
   round (the library must not clobber one with the other while it dup2s). */
TEST(stdio_fds_may_be_the_callers_0_1_2_crossed) {
    ctr_spec s;
    ctr_result res;
    char out[256], err[256];
    int p1[2], p2[2];
    int saved1 = dup(1), saved2 = dup(2);
    CHECK_SYS(saved1);
    CHECK_SYS(saved2);
    CHECK_SYS(pipe2(p1, O_CLOEXEC));
    CHECK_SYS(pipe2(p2, O_CLOEXEC));
    dup2(p1[1], 1);
    dup2(p2[1], 2);
    spec_init(&s, PROBE("both", "to-stdout", "to-stderr"));
    s.stdio[1] = CTR_STDIO_FD;
    s.stdio_fd[1] = 2;
    s.stdio[2] = CTR_STDIO_FD;
    s.stdio_fd[2] = 1;
    ctr_container *c = NULL;
    int rc = ctr_spawn(&s, &c, NULL);
    dup2(saved1, 1);
    dup2(saved2, 2);
    close(saved1);
    close(saved2);
    close(p1[1]);
    close(p2[1]);
    if (rc == 0) {
        drain2(p1[0], out, sizeof out, NULL, p2[0], err, sizeof err);
        WAIT(c, &res);
        ctr_destroy(c);
    }
    close(p1[0]);
    close(p2[0]);
    ASSERT_EQ(rc, 0);
    trim(out);
    trim(err);
    ASSERT_STREQ(err, "to-stdout"); /* the caller's fd 2 */
    ASSERT_STREQ(out, "to-stderr");
}

/* "blocked=HEX ignored=HEX" from probe sigstate: nothing blocked, nothing ignored, not even glibc's
   own signals 32 and 33 (GNU make runs recipes with them ignored; glibc's sigaction() cannot reset
   them, the library's raw rt_sigaction does). */
static void expect_clean_signal_state(int line, const char *out) {
    unsigned long long blocked = ~0ull, ignored = ~0ull;
    if (sscanf(out, "blocked=%llx ignored=%llx", &blocked, &ignored) != 2 || blocked || ignored)
        TH_FAILF("line %d: the command inherited blocked or ignored signals: %s", line, out);
}

/* The command starts with no blocked and no ignored signal, whatever the host had. */
TEST(signal_state_is_reset) {
    ctr_spec s;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGRTMIN + 3);
    CHECK_SYS(sigprocmask(SIG_BLOCK, &block, NULL));
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGRTMIN + 5, SIG_IGN);
    spec_init(&s, PROBE("sigstate"));
    expect_clean_signal_state(__LINE__, SPEC_OUT(&s));
    s.init = 1;
    expect_clean_signal_state(__LINE__, SPEC_OUT(&s));
}

/* ==== time namespace ==== */

static void check_clock_offset(clockid_t id, const char *probe_cmd, int64_t offset) {
    ctr_spec s;
    if (access("/proc/self/ns/time", F_OK) != 0) SKIP("this kernel has no time namespaces");
    spec_init(&s, PROBE(probe_cmd));
    s.time_ns = 1;
    if (id == CLOCK_MONOTONIC)
        s.monotonic_offset_sec = offset;
    else
        s.boottime_offset_sec = offset;
    double before = host_clock(id);
    double inside = atof(SPEC_OUT(&s));
    double after = host_clock(id);
    ASSERT_GE((long long)((inside - (double)offset - before) * 1000), -1000);
    ASSERT_LE((long long)((inside - (double)offset - after) * 1000), 1000);
}

TEST(time_namespace_monotonic_offset) { check_clock_offset(CLOCK_MONOTONIC, "monotonic", 1000000); }

TEST(time_namespace_boottime_offset) { check_clock_offset(CLOCK_BOOTTIME, "boottime", 2000000); }

TEST(no_time_namespace_by_default) {
    double before = host_clock(CLOCK_MONOTONIC);
    double inside = atof(PROBE_OUT("monotonic"));
    double after = host_clock(CLOCK_MONOTONIC);
    ASSERT_GE((long long)(inside * 1000), (long long)(before * 1000) - 1000);
    ASSERT_LE((long long)(inside * 1000), (long long)(after * 1000) + 1000);
}

/* ==== users ==== */

/* "/proc/self/uid_map" content with runs of blanks squeezed: "INSIDE OUTSIDE COUNT". */
static const char *squeeze(const char *in) {
    static char out[256];
    size_t n = 0;
    for (; *in && n + 1 < sizeof out; in++) {
        int blank = *in == ' ' || *in == '\t';
        if (blank && (n == 0 || out[n - 1] == ' ')) continue;
        out[n++] = blank ? ' ' : *in;
    }
    while (n > 0 && out[n - 1] == ' ') n--;
    out[n] = '\0';
    return out;
}

TEST(identity_is_root_by_default) { ASSERT_STREQ(PROBE_OUT("id"), "0 0 0"); }

TEST(identity_uid_gid_as_root_clears_groups) {
    static const gid_t groups[] = {4, 27, 100};
    ctr_spec s;
    require_root();
    CHECK_SYS(setgroups(3, groups));
    spec_init(&s, PROBE("id"));
    s.uid = 1000;
    s.gid = 1001;
    ASSERT_STREQ(SPEC_OUT(&s), "1000 1001 0");
    s.argv = PROBE("cat", "/proc/self/uid_map"); /* no user namespace: the full identity map */
    ASSERT_STREQ(squeeze(SPEC_OUT(&s)), "0 0 4294967295");
}

TEST(new_userns_as_root) {
    ctr_spec s;
    require_root();
    spec_init(&s, PROBE("cat", "/proc/self/uid_map"));
    s.new_userns = 1;
    ASSERT_STREQ(squeeze(SPEC_OUT(&s)), "0 0 1");
    s.uid = 5;
    s.gid = 6;
    ASSERT_STREQ(squeeze(SPEC_OUT(&s)), "5 0 1");
    s.argv = PROBE("cat", "/proc/self/gid_map");
    ASSERT_STREQ(squeeze(SPEC_OUT(&s)), "6 0 1");
    s.argv = PROBE("id");
    ASSERT_STREQ(SPEC_OUT(&s), "5 6 0");
}

/* ==== unprivileged (the test process becomes uid/gid 65534) ==== */

TEST(unprivileged_is_root_in_own_user_namespace) {
    ctr_spec s;
    become_nobody();
    ASSERT_STREQ(PROBE_OUT("id"), "0 0 0");
    ASSERT_STREQ(squeeze(PROBE_OUT("cat", "/proc/self/uid_map")), "0 65534 1");
    ASSERT_STREQ(squeeze(PROBE_OUT("cat", "/proc/self/gid_map")), "0 65534 1");
    spec_init(&s, PROBE("id"));
    s.uid = 1000;
    s.gid = 1000;
    ASSERT_STREQ(SPEC_OUT(&s), "1000 1000 0");
    s.argv = PROBE("cat", "/proc/self/uid_map");
    ASSERT_STREQ(squeeze(SPEC_OUT(&s)), "1000 65534 1");
}

TEST(unprivileged_namespaces) {
    ctr_spec s;
    become_nobody();
    ASSERT_STREQ(PROBE_OUT("pid"), "1");
    ASSERT_STREQ(PROBE_OUT("ps"), "1");
    ASSERT_STREQ(PROBE_OUT("hostname"), "container");
    ASSERT_STREQ(PROBE_OUT("netifs"), "lo");
    ASSERT_STREQ(PROBE_OUT("ifup", "lo"), "up");
    ASSERT_STREQ(PROBE_OUT("write", "/dev/null"), "ok");
    ASSERT_STREQ(PROBE_OUT("ls", "/dev"), DEV_LISTING);
    spec_init(&s, PROBE("ps"));
    s.init = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "1 2");
    s.argv = PROBE("write", "/ctr-test-ro");
    s.init = 0;
    s.readonly_root = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "EROFS");
}

TEST(unprivileged_mounts_and_devices) {
    ctr_spec s;
    ctr_mount m;
    become_nobody();
    check_mount_table(PROBE_OUT("mounts"));
    ASSERT_STREQ(PROBE_OUT("pty"), "ok /dev/pts/0");
    ASSERT_STREQ(PROBE_OUT("write", "/dev/full"), "ENOSPC");
    tmpfs_mount(&m, "/tmp/small", 1 << 20, 0700);
    spec_init(&s, PROBE("stat", "/tmp/small"));
    s.mounts = &m;
    s.nmounts = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "d 700");
}

TEST(unprivileged_time_and_shared_net) {
    char host[1024];
    ctr_spec s;
    become_nobody();
    host_netifs(host, sizeof host);
    spec_init(&s, PROBE("netifs"));
    s.share = CTR_NS_NET;
    ASSERT_STREQ(SPEC_OUT(&s), host);
    check_clock_offset(CLOCK_MONOTONIC, "monotonic", 1000000);
}

/* ---- spawn path and the network namespace pool (manual sections 10 and 12) ---- */

/* Page faults this process takes writing every page of mem: after a fork-style clone each page
   is write-protected (copy-on-write) and faults once; after the vfork-style one, none does. */
__attribute__((unused)) static long faults_writing(char *mem, size_t len, char value) {
    struct rusage a, b;
    getrusage(RUSAGE_SELF, &a);
    for (size_t i = 0; i < len; i += 4096) ((volatile char *)mem)[i] = value;
    getrusage(RUSAGE_SELF, &b);
    return b.ru_minflt - a.ru_minflt;
}

TEST(spawn_does_not_copy_the_hosts_memory) {
#if defined(__SANITIZE_ADDRESS__) || !defined(__x86_64__)
    SKIP_NA("sanitized builds and other architectures use the fork-style clone");
#else
    struct utsname u;
    int major = 0, minor = 0;
    if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2 || major < 6 ||
        (major == 6 && minor < 12))
        SKIP_NA("kernels before 6.12 use the fork-style clone");
    const size_t len = 64u << 20; /* 16384 pages */
    char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ctr_spec s;
    run r;
    if (mem == MAP_FAILED) FAIL("mmap: %s", strerror(errno));
    faults_writing(mem, len, 1); /* resident */
    ASSERT_LT(faults_writing(mem, len, 2), 100);
    spec_init(&s, PROBE("exit", "0"));
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    ASSERT_LT(faults_writing(mem, len, 3), 1000); /* nothing was made copy-on-write */
    s.init = 1;                                   /* init keeps the fork-style clone */
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    ASSERT_GT(faults_writing(mem, len, 4), 16000);
    munmap(mem, len);
#endif
}

/* The child shares the host's memory until execve, and with it the dumpable flag, which it
   clears (and which its uid change clears): the host's must be as it was, after a spawn that
   worked and after one that failed. */
TEST(host_stays_dumpable) {
    ctr_spec s;
    run r;
    ASSERT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
    spec_init(&s, PROBE("exit", "0"));
    s.uid = 1000;
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    ASSERT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
    spec_init(&s, ARGV("/bin/does-not-exist"));
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_EXEC, ENOENT, NULL);
    ASSERT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
}

static ino_t netns_of(pid_t pid) {
    char path[64];
    struct stat st;
    th_fmt(path, sizeof path, "/proc/%d/ns/net", (int)pid);
    if (stat(path, &st) != 0) FAIL("stat %s: %s", path, strerror(errno));
    return st.st_ino;
}

static ctr_container *spawn_sleeper(int line, ctr_netns_pool *pool) {
    ctr_spec s;
    spec_init(&s, PROBE("sleep", "60"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    s.netns_pool = pool;
    return spawn_ok(line, &s);
}

TEST(netns_pool_lends_each_namespace_to_one_container_at_a_time) {
    ctr_netns_pool *pool;
    ctr_error e;
    ctr_container *a, *b, *c, *d;
    ctr_spec s;
    if (ctr_netns_pool_create(&pool, 2, &e) != 0) FAIL("ctr_netns_pool_create: %s", e.msg);
    ino_t host = netns_of(getpid());
    a = spawn_sleeper(__LINE__, pool);
    b = spawn_sleeper(__LINE__, pool);
    c = spawn_sleeper(__LINE__, pool); /* both lent: c gets one of its own */
    ino_t na = netns_of(ctr_pid(a)), nb = netns_of(ctr_pid(b)), nc = netns_of(ctr_pid(c));
    ASSERT_NE(na, host);
    ASSERT_NE(nb, host);
    ASSERT_NE(nc, host);
    ASSERT_NE(na, nb);
    ASSERT_NE(nc, na);
    ASSERT_NE(nc, nb);
    destroy(a); /* a's namespace goes back to the pool */
    d = spawn_sleeper(__LINE__, pool);
    ASSERT_EQ(netns_of(ctr_pid(d)), na);
    destroy(b);
    destroy(c);
    destroy(d);
    /* A borrowed namespace is a container's network as usual: loopback only, and up. */
    spec_init(&s, PROBE("netifs"));
    s.netns_pool = pool;
    ASSERT_STREQ(SPEC_OUT(&s), "lo");
    spec_init(&s, PROBE("ifup", "lo"));
    s.netns_pool = pool;
    ASSERT_STREQ(SPEC_OUT(&s), "up");
    ctr_netns_pool_destroy(pool); /* the harness checks its descriptors are closed */
}

TEST(netns_pool_outlives_destroy_until_its_last_container) {
    ctr_netns_pool *pool;
    ctr_error e;
    ctr_result res;
    if (ctr_netns_pool_create(&pool, 1, &e) != 0) FAIL("ctr_netns_pool_create: %s", e.msg);
    ctr_container *a = spawn_sleeper(__LINE__, pool);
    ino_t na = netns_of(ctr_pid(a));
    ctr_netns_pool_destroy(pool); /* a still holds its namespace */
    ASSERT_EQ(netns_of(ctr_pid(a)), na);
    ASSERT_EQ(ctr_kill(a, SIGKILL, &e), 0);
    WAIT(a, &res);
    ASSERT_SIGNAL(&res, SIGKILL);
    destroy(a); /* frees the pool: the harness checks no descriptor is left */
}

TEST(netns_pool_refuses_containers_that_could_change_the_namespace) {
    ctr_netns_pool *pool;
    ctr_error e;
    ctr_spec s;
    ASSERT_EQ(ctr_netns_pool_create(&pool, 0, &e), -1);
    ASSERT_EQ(e.step, CTR_STEP_SPEC);
    ASSERT_EQ(e.sys_errno, EINVAL);
    if (ctr_netns_pool_create(&pool, 4, &e) != 0) FAIL("ctr_netns_pool_create: %s", e.msg);
    spec_init(&s, PROBE("exit", "0"));
    s.netns_pool = pool;
    s.cap_add = CTR_CAP(12); /* CAP_NET_ADMIN */
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "netns_pool");
    s.cap_add = CTR_CAP(21); /* CAP_SYS_ADMIN */
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "netns_pool");
    s.cap_add = 0;
    s.no_masks = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "netns_pool");
    s.no_masks = 0;
    s.share = CTR_NS_PID;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "netns_pool");
    s.share = CTR_NS_NET;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "netns_pool");
    s.share = 0;
    s.new_userns = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "netns_pool");
    s.new_userns = 0;
    run r;
    RUN(&s, &r); /* and the same spec without them works */
    ASSERT_EXIT(&r, 0);
    ctr_netns_pool_destroy(pool);
}

TEST(unprivileged_netns_pool_is_refused) {
    ctr_netns_pool *pool = NULL;
    ctr_error e;
    become_nobody();
    ASSERT_EQ(ctr_netns_pool_create(&pool, 4, &e), -1);
    ASSERT_EQ(e.step, CTR_STEP_SPEC);
    ASSERT_EQ(e.sys_errno, EPERM);
    ASSERT_TRUE(pool == NULL);
}

/* A host that dropped root without exec is not dumpable: its /proc/self files belong to root. */
TEST(unprivileged_from_a_host_that_dropped_root_without_exec) {
    ctr_spec s;
    become_nobody_dumpable(0);
    ASSERT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    ASSERT_STREQ(PROBE_OUT("id"), "0 0 0");
    ASSERT_STREQ(squeeze(PROBE_OUT("cat", "/proc/self/uid_map")), "0 65534 1");
    spec_init(&s, PROBE("pid"));
    s.init = 1;
    s.time_ns = 1;
    s.monotonic_offset_sec = 1000;
    ASSERT_STREQ(SPEC_OUT(&s), "2");
    ASSERT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0); /* the host's own flag is left alone */
}

TEST(unprivileged_binds) {
    char rw[PATH_MAX], file[PATH_MAX];
    ctr_spec s;
    ctr_mount m[2];
    struct stat st;
    path_join(rw, g_tmp, "nobody-rw");
    CHECK_SYS(mkdir(rw, 0755));
    CHECK_SYS(chown(rw, NOBODY, NOBODY));
    become_nobody();
    bind_mount(&m[0], g_data, "/tmp/ro", 0);
    bind_mount(&m[1], rw, "/tmp/rw", CTR_MOUNT_RW);
    spec_init(&s, PROBE("cat", "/tmp/ro/hello.txt"));
    s.mounts = m;
    s.nmounts = 2;
    ASSERT_STREQ(SPEC_OUT(&s), "hello");
    s.argv = PROBE("write", "/tmp/ro/x");
    ASSERT_STREQ(SPEC_OUT(&s), "EROFS");
    s.argv = PROBE("write", "/tmp/rw/x");
    ASSERT_STREQ(SPEC_OUT(&s), "ok");
    path_join(file, rw, "x");
    CHECK_SYS(stat(file, &st));
    ASSERT_EQ(st.st_uid, NOBODY); /* container root is uid 65534 on the host */
}

TEST(unprivileged_host_userland_root) {
    become_nobody();
    check_host_userland_root();
}

TEST(unprivileged_errors_leave_nothing_behind) {
    ctr_spec s;
    ctr_mount m;
    become_nobody();
    spec_init(&s, ARGV("/bin/nonexistent"));
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_EXEC, ENOENT, "/bin/nonexistent");
    spec_init(&s, PROBE("pid"));
    s.rootfs = "/nonexistent-rootfs";
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_ROOTFS, ENOENT, "/nonexistent-rootfs");
    spec_init(&s, PROBE("pid"));
    tmpfs_mount(&m, "/bin/probe/x", 0, 0); /* a file on the way */
    s.mounts = &m;
    s.nmounts = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_MOUNT, ENOTDIR, "/bin/probe/x");
    ASSERT_EQ(dir_entries(g_hostside), 0);
}

/* ==== many threads at once ==== */

#define STRESS_THREADS 8
#define STRESS_EACH    25

static int g_stress_ok, g_stress_done;
static char g_stress_error[512];
static pthread_mutex_t g_stress_lock = PTHREAD_MUTEX_INITIALIZER;

static void stress_error(const char *what, const ctr_error *e) {
    pthread_mutex_lock(&g_stress_lock);
    if (!g_stress_error[0])
        th_fmt(g_stress_error, sizeof g_stress_error, "%s: %s", what, e ? e->msg : "");
    pthread_mutex_unlock(&g_stress_lock);
}

/* One spawn of the stress test: probe echoes its thread and round through a pipe (every fifth
   under init); the output must be its own, complete, and the exit status 0. */
static void stress_one(long thread, int round) {
    char word[32], out[64] = "";
    size_t len = 0;
    ctr_spec s;
    ctr_container *c;
    ctr_error e;
    ctr_result res;
    th_fmt(word, sizeof word, "t%ld-r%d", thread, round);
    spec_init(&s, PROBE("echo", word));
    s.stdio[2] = CTR_STDIO_NULL;
    s.init = round % 5 == 0;
    if (ctr_spawn(&s, &c, &e) != 0) {
        stress_error("ctr_spawn", &e);
        return;
    }
    while (len + 1 < sizeof out) {
        ssize_t n = read(ctr_stdio_fd(c, 1), out + len, sizeof out - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        len += (size_t)n;
    }
    out[len] = '\0';
    trim(out);
    if (ctr_wait(c, &res, &e) != 0)
        stress_error("ctr_wait", &e);
    else if (!res.exited || res.exit_code != 0)
        stress_error("the container did not exit 0", NULL);
    else if (strcmp(out, word) != 0)
        stress_error("a container's output was not its own", NULL);
    else
        __atomic_add_fetch(&g_stress_ok, 1, __ATOMIC_SEQ_CST);
    ctr_destroy(c);
}

static void *stress_spawner(void *arg) {
    for (int i = 0; i < STRESS_EACH; i++) stress_one((long)(intptr_t)arg, i);
    return NULL;
}

/* Keeps malloc's and stdio's locks busy while the others clone. */
static void *stress_hammer(void *arg) {
    FILE *null = fopen("/dev/null", "we");
    unsigned seed = 1;
    (void)arg;
    if (!null) return NULL;
    while (!__atomic_load_n(&g_stress_done, __ATOMIC_SEQ_CST)) {
        size_t n = (size_t)(rand_r(&seed) % 65536) + 1;
        char *p = (char *)malloc(n);
        if (p) memset(p, 'x', n);
        fprintf(null, "%p %zu\n", (void *)p, n);
        printf("%s", "");
        free(p);
    }
    fclose(null);
    return NULL;
}

TEST_TIMEOUT(spawn_from_many_threads_at_once, 400) {
    pthread_t spawners[STRESS_THREADS], hammer;
    ASSERT_EQ(pthread_create(&hammer, NULL, stress_hammer, NULL), 0);
    for (int i = 0; i < STRESS_THREADS; i++)
        ASSERT_EQ(pthread_create(&spawners[i], NULL, stress_spawner, (void *)(intptr_t)i), 0);
    for (int i = 0; i < STRESS_THREADS; i++) pthread_join(spawners[i], NULL);
    __atomic_store_n(&g_stress_done, 1, __ATOMIC_SEQ_CST);
    pthread_join(hammer, NULL);
    if (g_stress_error[0])
        FAIL("%d of %d ok; first error: %s", g_stress_ok, STRESS_THREADS * STRESS_EACH,
             g_stress_error);
    ASSERT_EQ(g_stress_ok, STRESS_THREADS * STRESS_EACH);
}

/* ==== bad input: the documented error, and nothing left behind (the harness checks fds,
   children and the host mount table after each test) ==== */

TEST(error_argv_missing_or_empty) {
    ctr_spec s;
    ctr_container *c = NULL;
    spec_init(&s, NULL);
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, NULL);
    s.argv = ARGV(NULL);
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, NULL);
    ASSERT_EQ(ctr_spawn(&s, &c, NULL), -1); /* err may be NULL */
}

TEST(error_rootfs_missing_or_not_a_directory) {
    ctr_spec s;
    spec_init(&s, PROBE("pid"));
    s.rootfs = "/nonexistent-rootfs";
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_ROOTFS, ENOENT, "/nonexistent-rootfs");
    s.rootfs = g_canary;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_ROOTFS, ENOTDIR, g_canary);
}

TEST(error_mount_source) {
    ctr_spec s;
    ctr_mount m;
    spec_init(&s, PROBE("pid"));
    s.mounts = &m;
    s.nmounts = 1;
    bind_mount(&m, "data", "/tmp/x", 0);
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_MOUNT, EINVAL, "data");
    bind_mount(&m, "/nonexistent-source", "/tmp/x", 0);
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_MOUNT, ENOENT, "/nonexistent-source");
}

TEST(error_mount_target_relative) {
    ctr_spec s;
    ctr_mount m;
    spec_init(&s, PROBE("pid"));
    s.mounts = &m;
    s.nmounts = 1;
    tmpfs_mount(&m, "tmp/x", 0, 0);
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_MOUNT, EINVAL, "tmp/x");
    bind_mount(&m, g_data, "data2", 0);
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_MOUNT, EINVAL, "data2");
}

/* A target through a symlink that leads out of the rootfs resolves inside it (as the container
   would see it): the container runs, nothing is made or mounted on the host. */
#define EXPECT_ESCAPE_CONTAINED(type, target) \
    expect_escape_contained(__LINE__, PROBE("pid"), type, target, g_data, g_canary)

TEST(mount_target_through_an_escaping_symlink_stays_inside) {
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_TMPFS, "/evil_abs");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_TMPFS, "/evil_abs/sub");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_TMPFS, "/evil_rel");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_BIND, "/evil_rel/bound");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_BIND, "/evil_abs/bound");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_DIR, "/evil_abs/newdir");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_DIR, "/evil_rel/a/b");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_FILE, "/evil_rel/pwned");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_FILE, "/evil_abs/pwned");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_SYMLINK, "/evil_abs/link");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_PROC, "/evil_abs/proc");
}

/* The target itself is a symlink leading out of the root (the last component, not one on the way):
   the file or directory it names is made inside the root; nothing on the host may change. */
TEST(mount_target_that_is_an_escaping_symlink_stays_inside) {
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_BIND, "/evil_file");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_BIND, "/evil_file_rel");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_TMPFS, "/evil_abs");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_DIR, "/evil_abs");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_DIR, "/evil_rel");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_FILE, "/evil_file");
    EXPECT_ESCAPE_CONTAINED(CTR_MOUNT_FILE, "/evil_file_rel");
}

/* What the container sees: the mount is where the symlink leads inside the root. */
TEST(mount_through_an_escaping_symlink_appears_where_the_link_leads_inside) {
    ctr_spec s;
    ctr_mount m[2];
    char where[PATH_MAX + 32];
    memset(m, 0, sizeof m);
    m[0].type = CTR_MOUNT_FILE;
    m[0].target = "/evil_abs/note";
    m[0].data = "inside\n";
    m[0].data_len = 7;
    m[1].type = CTR_MOUNT_FILE;
    m[1].target = "/evil_file";
    m[1].data = "not the canary\n";
    m[1].data_len = 15;
    spec_init(&s, PROBE("cat", "/evil_abs/note"));
    s.mounts = m;
    s.nmounts = 2;
    ASSERT_STREQ(SPEC_OUT(&s), "inside");
    th_fmt(where, sizeof where, "%s/note", g_hostside); /* the link's text, read inside the root */
    s.argv = PROBE("cat", where);
    ASSERT_STREQ(SPEC_OUT(&s), "inside");
    s.argv = PROBE("cat", g_canary);
    ASSERT_STREQ(SPEC_OUT(&s), "not the canary");
    ASSERT_EQ(dir_entries(g_hostside), 0);
}

/* CTR_MOUNT_DIR "creates a directory": where a file already is, that cannot be done. */
TEST(error_dir_target_is_an_existing_file) {
    ctr_spec s;
    ctr_mount m;
    ctr_container *c = NULL;
    ctr_error e;
    memset(&m, 0, sizeof m);
    m.type = CTR_MOUNT_DIR;
    m.target = "/bin/probe";
    spec_init(&s, PROBE("stat", "/bin/probe"));
    s.mounts = &m;
    s.nmounts = 1;
    int rc = ctr_spawn(&s, &c, &e);
    if (rc == 0) {
        run r;
        drain(c, &r);
        WAIT(c, &r.res);
        ctr_destroy(c);
        trim(r.out);
        FAIL("ctr_spawn succeeded, and /bin/probe is \"%s\" inside", r.out);
    }
    ASSERT_EQ(e.step, CTR_STEP_MOUNT);
    ASSERT_TRUE(e.sys_errno == EEXIST || e.sys_errno == ENOTDIR);
    ASSERT_STREQ(e.path, "/bin/probe");
}

TEST(error_unknown_share_bits) {
    ctr_spec s;
    spec_init(&s, PROBE("pid"));
    s.share = 0x40;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, NULL);
    s.share = CTR_NS_NET | 0x80000000u;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, NULL);
}

TEST(error_command_cannot_run) {
    ctr_spec s;
    spec_init(&s, ARGV("/bin/nonexistent", "x"));
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_EXEC, ENOENT, "/bin/nonexistent");
    s.argv = ARGV("nonexistent-command");
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_EXEC, ENOENT, "nonexistent-command");
    s.argv = ARGV("/bin/noexec");
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_EXEC, EACCES, "/bin/noexec");
    s.argv = ARGV("/bin/garbage");
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_EXEC, ENOEXEC, "/bin/garbage");
    s.init = 1; /* the same through init */
    s.argv = ARGV("/bin/nonexistent");
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_EXEC, ENOENT, "/bin/nonexistent");
}

TEST(error_argv_too_big) {
    ctr_spec s;
    size_t big = 200 * 1024, n = 100000;
    long arg_max = sysconf(_SC_ARG_MAX);
    size_t each = (size_t)(arg_max > 0 ? arg_max : 2097152) / n + 16;
    char *one = (char *)malloc(big + 1), *word = (char *)malloc(each + 1);
    const char **many = (const char **)calloc(n + 2, sizeof *many);
    ASSERT_TRUE(one && word && many);
    memset(one, 'a', big);
    one[big] = '\0';
    memset(word, 'b', each);
    word[each] = '\0';
    spec_init(&s, PROBE("echo", one));
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, E2BIG, NULL);
    memcpy(one, "BIG=", 4);
    spec_init(&s, PROBE("env"));
    s.env = ARGV(one); /* the environment counts too */
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, E2BIG, NULL);
    many[0] = "/bin/probe";
    for (size_t i = 1; i <= n; i++) many[i] = word;
    spec_init(&s, many);
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, E2BIG, NULL);
    free(one);
    free(word);
    free(many);
}

/* Out of file descriptors in the caller: CTR_STEP_RESOURCE with EMFILE, and nothing left open. */
TEST(error_out_of_file_descriptors) {
    ctr_spec s;
    struct rlimit old, low;
    int fds[TH_MAX_FDS];
    int n = th_list_fds(fds, TH_MAX_FDS);
    ASSERT_GT(n, 0);
    CHECK_SYS(getrlimit(RLIMIT_NOFILE, &old));
    low = old;
    low.rlim_cur = (rlim_t)fds[n - 1] + 1;
    spec_init(&s, PROBE("pid"));
    CHECK_SYS(setrlimit(RLIMIT_NOFILE, &low));
    int fillers[TH_MAX_FDS], nfill = 0; /* take every free descriptor below the limit */
    while (nfill < TH_MAX_FDS && (fillers[nfill] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
        nfill++;
    ctr_container *c = NULL;
    ctr_error e;
    int rc = ctr_spawn(&s, &c, &e);
    while (nfill > 0) close(fillers[--nfill]);
    setrlimit(RLIMIT_NOFILE, &old);
    if (rc == 0) ctr_destroy(c);
    ASSERT_EQ(rc, -1);
    ASSERT_EQ(e.step, CTR_STEP_RESOURCE);
    ASSERT_EQ(e.sys_errno, EMFILE);
}

TEST(error_cwd_missing) {
    ctr_spec s;
    spec_init(&s, PROBE("cwd"));
    s.cwd = "/nonexistent-dir";
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_CWD, ENOENT, "/nonexistent-dir");
}

TEST(step_names) {
    static const struct {
        ctr_step step;
        const char *name;
    } steps[] = {{CTR_STEP_NONE, "none"},
                 {CTR_STEP_SPEC, "spec"},
                 {CTR_STEP_RESOURCE, "resource"},
                 {CTR_STEP_CLONE, "clone"},
                 {CTR_STEP_USERNS, "userns"},
                 {CTR_STEP_TIMENS, "timens"},
                 {CTR_STEP_HOSTNAME, "hostname"},
                 {CTR_STEP_NETWORK, "network"},
                 {CTR_STEP_ROOTFS, "rootfs"},
                 {CTR_STEP_MOUNT, "mount"},
                 {CTR_STEP_PIVOT_ROOT, "pivot_root"},
                 {CTR_STEP_CWD, "cwd"},
                 {CTR_STEP_STDIO, "stdio"},
                 {CTR_STEP_IDENTITY, "identity"},
                 {CTR_STEP_INIT, "init"},
                 {CTR_STEP_EXEC, "exec"},
                 {CTR_STEP_WAIT, "wait"},
                 {CTR_STEP_KILL, "kill"},
                 {CTR_STEP_CGROUP, "cgroup"},
                 {CTR_STEP_RLIMIT, "rlimit"},
                 {CTR_STEP_CAPS, "capabilities"},
                 {CTR_STEP_SECCOMP, "seccomp"},
                 {CTR_STEP_LANDLOCK, "landlock"}};
    ASSERT_EQ(sizeof steps / sizeof steps[0], CTR_STEP_COUNT);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        ASSERT_STREQ(ctr_step_name(steps[i].step), steps[i].name);
}

/* ==== the examples ==== */

TEST(hello_example) {
    cmd_result r;
    if (access(g_hello, X_OK) != 0) SKIP("%s was not built", g_hello);
    run_cmd(ARGV(g_hello), &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_CONTAINS(r.out, "hello from pid 1 in hello");
}

static void require_ctrun(void) {
    if (!g_ctrun[0]) SKIP("build/ctrun was not built");
}

TEST(ctrun_exit_status) {
    cmd_result r;
    require_ctrun();
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--", "/bin/probe", "pid"), &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(r.out, "1");
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--", "/bin/probe", "exit", "3"), &r);
    ASSERT_EQ(r.status, 3);
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--", "/bin/probe", "segv"), &r);
    ASSERT_EQ(r.status, 128 + SIGSEGV);
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--init", "--", "/bin/probe", "kill", "15"), &r);
    ASSERT_EQ(r.status, 128 + SIGTERM);
}

static void expect_ctrun_failure(int line, const char *const *argv, int status,
                                 const char *mention) {
    cmd_result r;
    run_cmd(argv, &r);
    if (r.status != status || count_lines(r.err) != 1 || !strstr(r.err, mention))
        TH_FAILF(
            "line %d: expected status %d and one stderr line naming '%s'; got %d, stderr \"%s\"",
            line, status, mention, r.status, r.err);
}
#define EXPECT_CTRUN_FAILURE(status, mention, ...) \
    expect_ctrun_failure(__LINE__, ARGV(__VA_ARGS__), status, mention)

TEST(ctrun_setup_errors) {
    require_ctrun();
    EXPECT_CTRUN_FAILURE(125, "/nonexistent-rootfs", g_ctrun, "--rootfs", "/nonexistent-rootfs",
                         "--", "/bin/probe");
    EXPECT_CTRUN_FAILURE(125, "rootfs", g_ctrun, "--rootfs", "/nonexistent-rootfs", "--",
                         "/bin/probe");
    EXPECT_CTRUN_FAILURE(125, "/bin/probe/x", g_ctrun, "--rootfs", g_root, "--tmpfs",
                         "/bin/probe/x", "--", "/bin/probe");
    EXPECT_CTRUN_FAILURE(127, "/bin/nonexistent", g_ctrun, "--rootfs", g_root, "--",
                         "/bin/nonexistent");
    EXPECT_CTRUN_FAILURE(126, "/bin/noexec", g_ctrun, "--rootfs", g_root, "--", "/bin/noexec");
    EXPECT_CTRUN_FAILURE(126, "/bin/garbage", g_ctrun, "--rootfs", g_root, "--", "/bin/garbage");
    EXPECT_CTRUN_FAILURE(125, "--bogus", g_ctrun, "--bogus", "--", "/bin/true");
    ASSERT_EQ(dir_entries(g_hostside), 0);
}

TEST(ctrun_options) {
    cmd_result r;
    char bind[PATH_MAX + 16], host_ifs[1024];
    require_ctrun();
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--hostname", "h1", "--", "/bin/probe", "hostname"),
            &r);
    ASSERT_STREQ(r.out, "h1");
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--ro", "--", "/bin/probe", "write", "/x"), &r);
    ASSERT_STREQ(r.out, "EROFS");
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--tmpfs", "/tmp/t:64k", "--", "/bin/probe", "fill",
                 "/tmp/t/f", "1000000"),
            &r);
    ASSERT_STREQ(r.out, "ENOSPC 65536");
    th_fmt(bind, sizeof bind, "%s:/tmp/d", g_data);
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--ro-bind", bind, "--cwd", "/tmp/d", "--",
                 "/bin/probe", "cat", "hello.txt"),
            &r);
    ASSERT_STREQ(r.out, "hello");
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--env", "A=1", "--", "/bin/probe", "env"), &r);
    ASSERT_STREQ(r.out, "A=1\nHOME=/\n" DEFAULT_PATH);
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--uid", "1000", "--gid", "1000", "--", "/bin/probe",
                 "id"),
            &r);
    ASSERT_STREQ(r.out, "1000 1000 0");
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--init", "--", "/bin/probe", "ps"), &r);
    ASSERT_STREQ(r.out, "1 2");
    host_netifs(host_ifs, sizeof host_ifs);
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--net", "host", "--", "/bin/probe", "netifs"), &r);
    ASSERT_STREQ(r.out, host_ifs);
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--", "/bin/probe", "netifs"), &r);
    ASSERT_STREQ(r.out, "lo");
}

/* ==== regressions: what a review of the spawn path found ==== */

/* A FIFO left at a FILE target by an earlier container (its root was writable) must not hang the
   spawn: opened without blocking, and only a regular file is written. */
TEST_TIMEOUT(fifo_at_a_file_target_fails_at_once, 20) {
    char dir[PATH_MAX], p[PATH_MAX];
    static const char *const dirs[] = {"etc", NULL};
    ctr_spec s;
    ctr_mount m;
    path_join(dir, g_tmp, "fifo-root");
    ASSERT_EQ(make_rootfs(dir, g_probe, "probe", dirs), 0);
    path_join(p, dir, "etc/hosts");
    CHECK_SYS(mkfifo(p, 0644));
    memset(&m, 0, sizeof m);
    m.type = CTR_MOUNT_FILE;
    m.target = "/etc/hosts";
    m.data = "127.0.0.1 localhost\n";
    m.data_len = 20;
    spec_init(&s, PROBE("cat", "/etc/hosts"));
    s.rootfs = dir;
    s.rootfs_rw = 1; /* the FIFO itself, not a copy of it in a layer */
    s.mounts = &m;
    s.nmounts = 1;
    double t0 = th_now();
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_MOUNT, ENXIO, "/etc/hosts");
    ASSERT_LT(th_now() - t0, 5.0);
    /* a reader on it: opened, but not a regular file */
    int rd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    CHECK_SYS(rd);
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_MOUNT, EEXIST, "/etc/hosts");
    close(rd);
    /* and a plain file there is replaced as before */
    CHECK_SYS(unlink(p));
    ASSERT_EQ(write_file(p, "old\n", 4, 0644), 0);
    ASSERT_STREQ(SPEC_OUT(&s), "127.0.0.1 localhost");
}

/* (uid_t)-1 is "leave unchanged" to setresuid: as root it would run the command as root. */
TEST(uid_or_gid_minus_one_refused) {
    ctr_spec s;
    spec_init(&s, PROBE("id"));
    s.uid = (uid_t)-1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "uid");
    s.uid = 0;
    s.gid = (gid_t)-1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "gid");
    s.gid = 1000;
    s.uid = 1000;
    ASSERT_STREQ(SPEC_OUT(&s), "1000 1000 0");
}

/* An image's absolute symlink (Debian's /var/run -> /run) is followed inside the root, as runc
   and crun do: a mount under /var/run lands in /run. */
TEST(image_absolute_symlinks_resolve_inside_the_root) {
    char dir[PATH_MAX], p[PATH_MAX];
    static const char *const dirs[] = {"var", "run", "proc", "dev", "tmp", NULL};
    ctr_spec s;
    ctr_mount m[2];
    path_join(dir, g_tmp, "debianish");
    ASSERT_EQ(make_rootfs(dir, g_probe, "probe", dirs), 0);
    path_join(p, dir, "var/run");
    CHECK_SYS(symlink("/run", p));
    path_join(p, dir, "var/lock"); /* dangling: made inside */
    CHECK_SYS(symlink("/run/lock", p));
    tmpfs_mount(&m[0], "/var/run/x", 0, 0);
    memset(&m[1], 0, sizeof m[1]);
    m[1].type = CTR_MOUNT_FILE;
    m[1].target = "/var/lock/y";
    m[1].data = "y\n";
    m[1].data_len = 2;
    spec_init(&s, PROBE("mounts"));
    s.rootfs = dir;
    s.mounts = m;
    s.nmounts = 2;
    ASSERT_CONTAINS(SPEC_OUT(&s), "/run/x tmpfs ");
    s.argv = PROBE("cat", "/run/lock/y");
    ASSERT_STREQ(SPEC_OUT(&s), "y");
}

/* /dev/shm is a tmpfs of its own (64 MiB by default; spec.shm_size), not a directory in the
   64 KiB /dev tmpfs: shared memory beyond 64 KiB works (Python multiprocessing, PostgreSQL). */
TEST(dev_shm_is_its_own_tmpfs) {
    ctr_spec s;
    spec_init(&s, PROBE("fill", "/dev/shm/x", "1048576"));
    ASSERT_STREQ(SPEC_OUT(&s), "ok 1048576");
    s.argv = PROBE("mounts");
    ASSERT_CONTAINS(SPEC_OUT(&s), "/dev/shm tmpfs rw,nosuid,nodev,noexec");
    s.shm_size = 256 << 10;
    s.argv = PROBE("fill", "/dev/shm/x", "1048576");
    ASSERT_STREQ(SPEC_OUT(&s), "ENOSPC 262144");
}

#define SETPRIV "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"

TEST(ctrun_unprivileged) {
    cmd_result r;
    require_ctrun();
    if (access("/usr/bin/setpriv", X_OK) != 0) SKIP("/usr/bin/setpriv is missing (util-linux)");
    run_cmd(ARGV(SETPRIV, "/usr/bin/id", "-u"), &r);
    ASSERT_STREQ(r.out, "65534");
    run_cmd(ARGV(SETPRIV, g_ctrun, "--rootfs", g_root, "--ro", "--", "/bin/probe", "id"), &r);
    if (r.status == 125 && strstr(r.err, "userns") && !th_must_work())
        SKIP("no unprivileged user namespaces: %s", r.err);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(r.out, "0 0 0");
    run_cmd(
        ARGV(SETPRIV, g_ctrun, "--rootfs", g_root, "--", "/bin/probe", "cat", "/proc/self/uid_map"),
        &r);
    ASSERT_STREQ(squeeze(r.out), "0 65534 1");
    run_cmd(ARGV(SETPRIV, g_ctrun, "--rootfs", g_root, "--", "/bin/probe", "exit", "7"), &r);
    ASSERT_EQ(r.status, 7);
    run_cmd(ARGV(SETPRIV, g_ctrun, "--", "/bin/sh", "-c", "exit 9"), &r);
    ASSERT_EQ(r.status, 9);
    run_cmd(ARGV(SETPRIV, g_ctrun, "--rootfs", "/nonexistent-rootfs", "--", "/bin/probe"), &r);
    ASSERT_EQ(r.status, 125);
}

/* A string of the spec quoted in an error keeps the message one line (spawn_error checks it),
   in the parent's checks and in the child's; err.path keeps the bytes. */
TEST(error_message_stays_one_line) {
    ctr_spec s;
    ctr_mount m;
    spec_init(&s, PROBE("pid"));
    s.cwd = "relative\nsecond line";
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_CWD, EINVAL, "relative\nsecond line");
    spec_init(&s, PROBE("pid"));
    tmpfs_mount(&m, "/bin/probe/x\ny", 0, 0); /* a file on the way */
    s.mounts = &m;
    s.nmounts = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_MOUNT, ENOTDIR, "/bin/probe/x\ny");
}

int main(int argc, char **argv) {
    th_set_cleanup(destroy_held); /* a failed test's containers */
    return suite_main(argc, argv, fixture_setup, fixture_teardown);
}
