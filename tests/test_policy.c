/* test_policy - policy beyond namespaces (manual section 16): system calls answered by the
   host's callback (seccomp user notification) and Landlock rules, with ctrun's options for them.

       build/tests/test_policy [NAME-SUBSTRING...]

   Run as root (the rootless tests switch to uid 65534 themselves).  The containers run
   /bin/probe from a small rootfs with /ro, /rw and /secret in it; /virtual exists only in what
   the host injects. */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "common.h"

#include <linux/audit.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#else
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

static char g_hostdata[PATH_MAX]; /* host files the broker tests inject */
static char g_build[PATH_MAX];    /* .../build: ctrun */
static char g_tests[PATH_MAX];    /* .../build/tests: the host's copy of probe */

static void fixture_setup(void) {
    static const char *const dirs[] = {"proc", "dev", "tmp", "ro", "rw", "secret", NULL};
    char src[PATH_MAX + 16], p[PATH_MAX];
    if (find_build_dir(g_tests, g_build) != 0 || make_fixture_dir("ctrpolicy", 0755) != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "fixture dirs: %s", strerror(errno));
        return;
    }
    th_fmt(src, sizeof src, "%s/probe", g_tests);
    path_join(g_root, g_tmp, "rootfs");
    path_join(g_hostside, g_tmp, "hostside");
    path_join(g_hostdata, g_tmp, "hostdata");
    int bad = make_rootfs(g_root, src, "probe", dirs) != 0 || mkdir(g_hostside, 0755) != 0 ||
              mkdir(g_hostdata, 0755) != 0;
    th_fmt(p, sizeof p, "%s/bin/probe2", g_root);
    bad = bad || copy_file(src, p, 0755) != 0;
    th_fmt(p, sizeof p, "%s/ro/a.txt", g_root);
    bad = bad || write_file(p, "read-only data\n", 15, 0644) != 0;
    th_fmt(p, sizeof p, "%s/rw", g_root);
    bad = bad || chmod(p, 0777) != 0; /* the rootless container writes there as uid 65534 */
    th_fmt(p, sizeof p, "%s/rw/f.txt", g_root);
    bad = bad || write_file(p, "rw data\n", 8, 0666) != 0;
    th_fmt(p, sizeof p, "%s/secret/s.txt", g_root);
    bad = bad || write_file(p, "secret\n", 7, 0644) != 0;
    th_fmt(p, sizeof p, "%s/lnk", g_root);
    bad = bad || symlink("/ro", p) != 0; /* absolute: resolved inside the root */
    bad = bad || make_evil_links(g_root, NULL) != 0;
    th_fmt(p, sizeof p, "%s/hello.txt", g_hostdata);
    bad = bad || write_file(p, "hello from the host\n", 20, 0644) != 0;
    if (bad) th_fmt(g_fixture_error, sizeof g_fixture_error, "rootfs: %s", strerror(errno));
}

static void fixture_teardown(void) { remove_fixture_dir(); }

/* ---- what the callbacks saw (they run on the library's thread; read after ctr_wait) ---- */

typedef struct seen {
    pthread_mutex_t lock;
    int mode;       /* what the callback does: the test's choice */
    int calls;      /* calls handed to the callback */
    int by_nr[512]; /* of those, per syscall number */
    int bad_arch;   /* calls with another arch than the native one */
    pthread_t thread;
    char path[256]; /* the last path read */
    char data[256]; /* the last bytes read */
    int read_rc, read_errno, reply_rc, reply_errno, second_rc, second_errno;
    pid_t ns_pid;
    int entered[2], release[2], done[2]; /* pipes for the tests that hold a callback */
} seen;

static seen g_seen = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void seen_note(ctr_syscall *call) {
    pthread_mutex_lock(&g_seen.lock);
    g_seen.calls++;
    if (call->nr >= 0 && call->nr < 512) g_seen.by_nr[call->nr]++;
    if (call->arch != NATIVE_ARCH) g_seen.bad_arch++;
    g_seen.thread = pthread_self();
    pthread_mutex_unlock(&g_seen.lock);
}

static int seen_count(long nr) {
    pthread_mutex_lock(&g_seen.lock);
    int n = g_seen.by_nr[nr];
    pthread_mutex_unlock(&g_seen.lock);
    return n;
}

/* A spec that runs argv in g_root with nrs intercepted by fn. */
static void policy_spec(ctr_spec *s, const char *const *argv, const long *nrs, size_t n,
                        ctr_syscall_fn fn) {
    spec_init(s, argv);
    s->intercept = nrs;
    s->nintercept = n;
    s->on_syscall = fn;
}

static int threads_of_this_process(void) { return dir_entries("/proc/self/task"); }

/* SPEC_OUT, then a wait until the library's serving thread has ended: ctr_destroy leaves one
   whose callback has not returned within 50 ms (a busy machine can delay its last steps), and the
   harness checks the descriptors as soon as the test returns. */
static const char *policy_out(int line, const ctr_spec *s) {
    int threads = threads_of_this_process();
    const char *out = spec_line(line, s);
    for (int i = 0; i < 2000 && threads_of_this_process() > threads; i++) th_sleep_ms(5);
    if (threads_of_this_process() > threads)
        TH_FAILF("line %d: the serving thread did not end after its container", line);
    return out;
}
#define POLICY_OUT(s) policy_out(__LINE__, s)

/* ==== interception: the answers ==== */

enum { M_CONTINUE, M_RETURN, M_NOTHING, M_ERROR, M_TWICE, M_ERROR_AFTER };

static int cb_answers(ctr_syscall *call, void *user) {
    (void)user;
    seen_note(call);
    g_seen.ns_pid = ctr_syscall_ns_pid(call, NULL);
    switch (g_seen.mode) {
    case M_CONTINUE: return ctr_syscall_continue(call);
    case M_RETURN: return ctr_syscall_return(call, 4242);
    case M_NOTHING: return 0;
    case M_ERROR: return -1;
    case M_TWICE:
        g_seen.reply_rc = ctr_syscall_return(call, 7);
        g_seen.second_rc = ctr_syscall_fail(call, EIO);
        g_seen.second_errno = errno;
        return 0;
    case M_ERROR_AFTER: ctr_syscall_return(call, 8); return -1;
    }
    return 0;
}

static const long k_getppid[] = {SYS_getppid};

TEST(intercept_continue_runs_the_call) {
    ctr_spec s;
    g_seen.mode = M_CONTINUE;
    policy_spec(&s, PROBE("ppid"), k_getppid, 1, cb_answers);
    ASSERT_STREQ(POLICY_OUT(&s), "0"); /* pid 1's parent is outside its pid namespace */
    ASSERT_EQ(seen_count(SYS_getppid), 1);
    ASSERT_EQ(g_seen.calls, 1);
    ASSERT_EQ(g_seen.bad_arch, 0);
    ASSERT_EQ(g_seen.ns_pid, 1);
    ASSERT_TRUE(!pthread_equal(g_seen.thread, pthread_self())); /* the library's thread */
}

TEST(intercept_return_value) {
    ctr_spec s;
    g_seen.mode = M_RETURN;
    policy_spec(&s, PROBE("seq", "ppid", ",", "ppid"), k_getppid, 1, cb_answers);
    ASSERT_STREQ(POLICY_OUT(&s), "4242\n4242");
    ASSERT_EQ(seen_count(SYS_getppid), 2);
}

TEST(intercept_unanswered_or_error_is_eperm) {
    static const int modes[] = {M_NOTHING, M_ERROR};
    char nr[16];
    th_fmt(nr, sizeof nr, "%d", SYS_getppid);
    for (size_t i = 0; i < 2; i++) {
        ctr_spec s;
        g_seen.mode = modes[i];
        policy_spec(&s, PROBE("syscall", nr), k_getppid, 1, cb_answers);
        ASSERT_STREQ(POLICY_OUT(&s), "EPERM");
    }
}

TEST(intercept_answer_once) {
    ctr_spec s;
    char nr[16];
    th_fmt(nr, sizeof nr, "%d", SYS_getppid);
    g_seen.mode = M_TWICE;
    policy_spec(&s, PROBE("syscall", nr), k_getppid, 1, cb_answers);
    ASSERT_STREQ(POLICY_OUT(&s), "ok 7");
    ASSERT_EQ(g_seen.reply_rc, 0);
    ASSERT_EQ(g_seen.second_rc, -1);
    ASSERT_EQ(g_seen.second_errno, EALREADY);
    /* An answer stands even when the callback then returns an error. */
    g_seen.mode = M_ERROR_AFTER;
    ASSERT_STREQ(POLICY_OUT(&s), "ok 8");
}

/* openat: /ro/... fails with EACCES, anything else runs; the path is read from the caller. */
static int cb_openat(ctr_syscall *call, void *user) {
    char path[256];
    ctr_error e;
    (void)user;
    seen_note(call);
    if (call->nr != SYS_openat) return ctr_syscall_continue(call);
    if (ctr_syscall_read_path(call, 1, path, sizeof path, &e) != 0)
        return ctr_syscall_fail(call, EIO);
    pthread_mutex_lock(&g_seen.lock);
    th_fmt(g_seen.path, sizeof g_seen.path, "%s", path);
    pthread_mutex_unlock(&g_seen.lock);
    if (strncmp(path, "/ro/", 4) == 0) return ctr_syscall_fail(call, EACCES);
    return ctr_syscall_continue(call);
}

static const long k_openat[] = {SYS_openat};

TEST(intercept_fail_with_errno) {
    ctr_spec s;
    policy_spec(&s, PROBE("seq", "read", "/ro/a.txt", ",", "read", "/rw/f.txt"), k_openat, 1,
                cb_openat);
    ASSERT_STREQ(POLICY_OUT(&s), "EACCES\nok");
    ASSERT_STREQ(g_seen.path, "/rw/f.txt");
}

/* write to stdout: the bytes are read from the caller's memory, and a read at address 0 fails
   with EFAULT. */
static int cb_write(ctr_syscall *call, void *user) {
    char buf[256] = "";
    ctr_error e;
    (void)user;
    seen_note(call);
    if (call->nr == SYS_write && call->args[0] == 1) {
        size_t n = call->args[2] < sizeof buf - 1 ? call->args[2] : sizeof buf - 1;
        int rc = ctr_syscall_read(call, call->args[1], buf, n, NULL);
        pthread_mutex_lock(&g_seen.lock);
        if (rc == 0) th_fmt(g_seen.data, sizeof g_seen.data, "%.*s", (int)n, buf);
        g_seen.read_rc = ctr_syscall_read(call, 0, buf, 8, &e);
        g_seen.read_errno = e.sys_errno;
        pthread_mutex_unlock(&g_seen.lock);
    }
    return ctr_syscall_continue(call);
}

TEST(intercept_read_memory) {
    static const long nrs[] = {SYS_write};
    ctr_spec s;
    policy_spec(&s, PROBE("echo", "hello-memory"), nrs, 1, cb_write);
    ASSERT_STREQ(POLICY_OUT(&s), "hello-memory");
    ASSERT_STREQ(g_seen.data, "hello-memory\n");
    ASSERT_EQ(g_seen.read_rc, -1);
    ASSERT_EQ(g_seen.read_errno, EFAULT);
}

/* The broker: /virtual/NAME is opened by the host, read-only, from g_hostdata, and the
   container's openat returns a copy of that descriptor. */
static int cb_broker(ctr_syscall *call, void *user) {
    char path[256], host[PATH_MAX + 256];
    (void)user;
    seen_note(call);
    if (ctr_syscall_read_path(call, 1, path, sizeof path, NULL) != 0)
        return ctr_syscall_fail(call, EIO);
    if (strncmp(path, "/virtual/", 9) != 0) return ctr_syscall_continue(call);
    if ((call->args[2] & O_ACCMODE) != O_RDONLY || strchr(path + 9, '/'))
        return ctr_syscall_fail(call, EACCES);
    th_fmt(host, sizeof host, "%s/%s", g_hostdata, path + 9);
    int fd = open(host, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ctr_syscall_fail(call, errno);
    int rc = ctr_syscall_inject_fd(call, fd);
    close(fd);
    return rc;
}

TEST(intercept_inject_fd) {
    ctr_spec s;
    policy_spec(&s,
                PROBE("seq", "cat", "/virtual/hello.txt", ",", "open-cloexec", "/virtual/hello.txt",
                      ",", "write", "/virtual/hello.txt", ",", "read", "/virtual/none"),
                k_openat, 1, cb_broker);
    ASSERT_STREQ(POLICY_OUT(&s), "hello from the host\ncloexec no-cloexec\nEACCES\nENOENT");
}

/* race-open: the answer is the number the path names, read from the caller. */
static int cb_race(ctr_syscall *call, void *user) {
    char path[64];
    (void)user;
    if (call->nr != SYS_openat) return ctr_syscall_continue(call);
    if (ctr_syscall_read_path(call, 1, path, sizeof path, NULL) != 0)
        return ctr_syscall_fail(call, EIO);
    if (strcmp(path, "/r/a") == 0) return ctr_syscall_return(call, 1);
    if (strcmp(path, "/r/b") == 0) return ctr_syscall_return(call, 2);
    if (strncmp(path, "/t/", 3) == 0) return ctr_syscall_return(call, atoi(path + 3));
    return ctr_syscall_return(call, 99);
}

TEST(intercept_path_swapped_while_read) {
    ctr_spec s;
    policy_spec(&s, PROBE("race-open", "3000"), k_openat, 1, cb_race);
    const char *out = POLICY_OUT(&s);
    if (strncmp(out, "ok ", 3) != 0) FAIL("race-open: %s", out);
    long a = 0, b = 0;
    ASSERT_EQ(sscanf(out, "ok %ld %ld", &a, &b), 2);
    ASSERT_EQ(a + b, 3000);
}

/* ==== interception: calls that go away, callbacks that hang ==== */

static int cb_hold(ctr_syscall *call, void *user) {
    char byte, path[64];
    ctr_error e;
    (void)user;
    seen_note(call);
    if (write(g_seen.entered[1], "e", 1) != 1) return -1;
    if (read(g_seen.release[0], &byte, 1) != 1) return -1;
    g_seen.read_rc = ctr_syscall_read_path(call, 0, path, sizeof path, &e);
    g_seen.read_errno = e.sys_errno;
    g_seen.reply_rc = ctr_syscall_return(call, 1);
    g_seen.reply_errno = errno;
    if (write(g_seen.done[1], "d", 1) != 1) return -1;
    return 0;
}

static void hold_pipes(void) {
    CHECK_SYS(pipe2(g_seen.entered, O_CLOEXEC));
    CHECK_SYS(pipe2(g_seen.release, O_CLOEXEC));
    CHECK_SYS(pipe2(g_seen.done, O_CLOEXEC));
}

static void hold_pipes_close(void) {
    for (int i = 0; i < 2; i++) {
        close(g_seen.entered[i]);
        close(g_seen.release[i]);
        close(g_seen.done[i]);
    }
}

TEST(intercept_caller_killed_during_the_call) {
    ctr_spec s;
    char byte;
    hold_pipes();
    int threads = threads_of_this_process();
    policy_spec(&s, PROBE("ppid"), k_getppid, 1, cb_hold);
    ctr_container *c = SPAWN(&s);
    ASSERT_EQ(read(g_seen.entered[0], &byte, 1), 1); /* the callback holds the call */
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    struct pollfd p = {ctr_pidfd(c), POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, -1), 1); /* the caller is dead */
    ASSERT_EQ(write(g_seen.release[1], "r", 1), 1);
    ASSERT_EQ(read(g_seen.done[0], &byte, 1), 1);
    ASSERT_EQ(g_seen.read_rc, -1);
    ASSERT_EQ(g_seen.read_errno, ENOENT); /* whatever the read gave, it is not the caller's */
    ASSERT_EQ(g_seen.reply_rc, -1);
    ASSERT_EQ(g_seen.reply_errno, ENOENT);
    ctr_result r;
    WAIT(c, &r);
    ASSERT_SIGNAL(&r, SIGKILL);
    destroy(c);
    /* The callback may still be on its way out when ctr_destroy looks: then the thread ends
       (and closes the listener) on its own. */
    for (int i = 0; i < 2000 && threads_of_this_process() != threads; i++) th_sleep_ms(5);
    ASSERT_EQ(threads_of_this_process(), threads);
    hold_pipes_close();
}

TEST(intercept_destroy_does_not_wait_for_a_callback) {
    ctr_spec s;
    char byte;
    hold_pipes();
    int threads = threads_of_this_process();
    policy_spec(&s, PROBE("ppid"), k_getppid, 1, cb_hold);
    ctr_container *c = SPAWN(&s);
    ASSERT_EQ(threads_of_this_process(), threads + 1); /* one serving thread */
    ASSERT_EQ(read(g_seen.entered[0], &byte, 1), 1);
    double t0 = th_now();
    destroy(c); /* the callback is blocked until we write to release: it must not wait */
    double took = th_now() - t0;
    if (took > 10) FAIL("ctr_destroy took %.1f s with a callback blocked", took);
    ASSERT_EQ(write(g_seen.release[1], "r", 1), 1);
    ASSERT_EQ(read(g_seen.done[0], &byte, 1), 1);
    ASSERT_EQ(g_seen.reply_rc, -1); /* the container is gone */
    ASSERT_EQ(g_seen.reply_errno, ENOENT);
    /* The thread ends (and closes the listener) once its callback has returned. */
    for (int i = 0; i < 2000 && threads_of_this_process() != threads; i++) th_sleep_ms(5);
    ASSERT_EQ(threads_of_this_process(), threads);
    hold_pipes_close();
}

TEST(intercept_thread_ends_with_the_container) {
    ctr_spec s;
    int threads = threads_of_this_process();
    g_seen.mode = M_CONTINUE;
    policy_spec(&s, PROBE("ppid"), k_getppid, 1, cb_answers);
    ctr_container *c = SPAWN(&s);
    ctr_result r;
    run out;
    drain(c, &out);
    WAIT(c, &r);
    /* The listener reports POLLHUP once the container's last process is gone: the thread ends
       without ctr_destroy. */
    for (int i = 0; i < 2000 && threads_of_this_process() != threads; i++) th_sleep_ms(5);
    ASSERT_EQ(threads_of_this_process(), threads);
    destroy(c);
}

/* A host that forks (without exec) while its thread serves: the child has a copy of the
   listener and no thread, and the calls are still served by the host's. */
TEST(intercept_host_forks_meanwhile) {
    ctr_spec s;
    g_seen.mode = M_RETURN;
    policy_spec(&s, PROBE("seq", "ppid", ",", "sleep", "0.5", ",", "ppid"), k_getppid, 1,
                cb_answers);
    int threads = threads_of_this_process();
    ctr_container *c = SPAWN(&s);
    pid_t child = fork();
    CHECK_SYS(child);
    if (child == 0) {
        usleep(1000 * 1000); /* holds its copy while the container calls */
        _exit(0);
    }
    run r;
    drain(c, &r);
    WAIT(c, &r.res);
    trim(r.out);
    ASSERT_STREQ(r.out, "4242\n4242");
    int st;
    CHECK_SYS(waitpid(child, &st, 0));
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    destroy(c);
    for (int i = 0; i < 2000 && threads_of_this_process() > threads; i++) th_sleep_ms(5);
    ASSERT_EQ(threads_of_this_process(), threads);
}

/* The thread as it serves before Linux 6.6 (a poll of the listener and a stop pipe before each
   receive), forced with the implementation's test hook ctr__notify_test_poll: calls served, the
   thread ending with its container, and ctr_destroy with a callback that hangs. */
TEST(intercept_polling_thread) {
    ctr_spec s;
    char byte;
    ctr__notify_test_poll = 1;
    g_seen.mode = M_RETURN;
    policy_spec(&s, PROBE("seq", "ppid", ",", "ppid"), k_getppid, 1, cb_answers);
    ASSERT_STREQ(POLICY_OUT(&s), "4242\n4242"); /* and the thread ended with the container */
    hold_pipes();
    int threads = threads_of_this_process();
    policy_spec(&s, PROBE("ppid"), k_getppid, 1, cb_hold);
    ctr_container *c = SPAWN(&s);
    ASSERT_EQ(read(g_seen.entered[0], &byte, 1), 1);
    double t0 = th_now();
    destroy(c);
    if (th_now() - t0 > 10) FAIL("ctr_destroy took %.1f s with a callback blocked", th_now() - t0);
    ASSERT_EQ(write(g_seen.release[1], "r", 1), 1);
    ASSERT_EQ(read(g_seen.done[0], &byte, 1), 1);
    ASSERT_EQ(g_seen.reply_errno, ENOENT);
    for (int i = 0; i < 2000 && threads_of_this_process() != threads; i++) th_sleep_ms(5);
    ASSERT_EQ(threads_of_this_process(), threads);
    hold_pipes_close();
    /* A container that runs on while ctr_destroy stops its thread: the stop pipe ends it. */
    policy_spec(&s, PROBE("sleep", "30"), k_getppid, 1, cb_answers);
    c = SPAWN(&s);
    ASSERT_EQ(threads_of_this_process(), threads + 1);
    destroy(c);
    for (int i = 0; i < 2000 && threads_of_this_process() != threads; i++) th_sleep_ms(5);
    ASSERT_EQ(threads_of_this_process(), threads);
    ctr__notify_test_poll = 0;
}

/* ==== interception: the manual mode ==== */

TEST(intercept_manual_in_an_event_loop) {
    ctr_spec s;
    g_seen.mode = M_RETURN;
    policy_spec(&s, PROBE("seq", "ppid", ",", "ppid", ",", "ppid"), k_getppid, 1, cb_answers);
    s.intercept_manual = 1;
    int threads = threads_of_this_process();
    ctr_container *c = SPAWN(&s);
    ASSERT_EQ(threads_of_this_process(), threads); /* no thread of the library's */
    int nfd = ctr_notify_fd(c);
    ASSERT_GE(nfd, 3);
    char link[64], target[128] = "";
    th_fmt(link, sizeof link, "/proc/self/fd/%d", nfd);
    ASSERT_GT(readlink(link, target, sizeof target - 1), 0);
    ASSERT_STREQ(target, "anon_inode:seccomp notify");
    struct pollfd p[2] = {{nfd, POLLIN, 0}, {ctr_stdio_fd(c, 1), POLLIN, 0}};
    char out[256] = "";
    size_t len = 0;
    int served = 0;
    while (p[1].fd >= 0) {
        ASSERT_GT(poll(p, 2, -1), 0);
        if (p[0].revents & POLLIN) {
            int n = ctr_notify_handle(c, NULL);
            ASSERT_GE(n, 1);
            served += n;
        } else if (p[0].revents) {
            p[0].fd = -1; /* POLLHUP: the container is gone */
        }
        if (p[1].revents && !read_some(p[1].fd, out, sizeof out, &len)) p[1].fd = -1;
    }
    ASSERT_EQ(ctr_notify_handle(c, NULL), 0); /* nothing waits: returns at once */
    ctr_result r;
    WAIT(c, &r);
    trim(out);
    ASSERT_STREQ(out, "4242\n4242\n4242");
    ASSERT_EQ(served, 3);
    ASSERT_TRUE(pthread_equal(g_seen.thread, pthread_self())); /* served on this thread */
    destroy(c);
}

/* A host that never serves (its loop gone): the caller waits, and ctr_destroy still ends it. */
TEST(intercept_manual_never_served) {
    ctr_spec s;
    g_seen.mode = M_CONTINUE;
    policy_spec(&s, PROBE("ppid"), k_getppid, 1, cb_answers);
    s.intercept_manual = 1;
    ctr_container *c = SPAWN(&s);
    struct pollfd p = {ctr_notify_fd(c), POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, -1), 1); /* the call waits */
    ASSERT_EQ(ctr_poll(c, NULL, NULL), 0);
    double t0 = th_now();
    destroy(c);
    if (th_now() - t0 > 10) FAIL("ctr_destroy took %.1f s", th_now() - t0);
    ASSERT_EQ(g_seen.calls, 0);
}

TEST(intercept_thread_mode_has_no_notify_fd) {
    ctr_spec s;
    ctr_error e;
    g_seen.mode = M_CONTINUE;
    policy_spec(&s, PROBE("ppid"), k_getppid, 1, cb_answers);
    ctr_container *c = SPAWN(&s);
    ASSERT_EQ(ctr_notify_fd(c), -1);
    ASSERT_EQ(ctr_notify_handle(c, &e), -1);
    ASSERT_EQ(e.sys_errno, EINVAL);
    run out;
    drain(c, &out);
    WAIT(c, &out.res);
    destroy(c);
}

/* ==== interception: what it does not see, and what it does not change ==== */

TEST(intercept_profile_refusals_win) {
    static const long nrs[] = {SYS_mount, SYS_getppid};
    ctr_spec s;
    char mount_nr[16], ppid_nr[16];
    th_fmt(mount_nr, sizeof mount_nr, "%d", SYS_mount);
    th_fmt(ppid_nr, sizeof ppid_nr, "%d", SYS_getppid);
    g_seen.mode = M_RETURN;
    policy_spec(&s, PROBE("seq", "syscall", mount_nr, ",", "syscall", ppid_nr), nrs, 2, cb_answers);
    ASSERT_STREQ(POLICY_OUT(&s), "EPERM\nok 4242"); /* the default profile refuses mount */
    ASSERT_EQ(seen_count(SYS_mount), 0);
    /* A custom rule that refuses getppid wins too. */
    ctr_seccomp_rule rule = {SYS_getppid, CTR_SECCOMP_ERRNO, EACCES};
    policy_spec(&s, PROBE("syscall", ppid_nr), nrs, 2, cb_answers);
    s.seccomp = CTR_SECCOMP_RULES;
    s.seccomp_rules = &rule;
    s.nseccomp_rules = 1;
    ASSERT_STREQ(POLICY_OUT(&s), "EACCES");
    ASSERT_EQ(seen_count(SYS_getppid), 1); /* the one of the first run */
}

/* The child's own last calls are never handed to the callback, and never wait for a host that
   does not serve yet: manual mode, served only after ctr_spawn returns. */
static int cb_count(ctr_syscall *call, void *user) {
    (void)user;
    seen_note(call);
    return ctr_syscall_continue(call);
}

TEST(intercept_library_calls_pass) {
    static const long nrs[] = {SYS_execve,  SYS_execveat,        SYS_write, SYS_pwritev2,
                               SYS_sendmsg, SYS_exit_group,      SYS_close, SYS_rt_sigprocmask,
                               SYS_seccomp, SYS_rt_sigtimedwait, SYS_wait4, SYS_clone};
    for (int init = 0; init < 2; init++) {
        ctr_spec s;
        policy_spec(&s, PROBE("echo", "passed"), nrs, sizeof nrs / sizeof nrs[0], cb_count);
        s.intercept_manual = 1;
        s.init = init;
        ctr_container *c = SPAWN(&s); /* nobody serves during the spawn */
        struct pollfd p[2] = {{ctr_notify_fd(c), POLLIN, 0}, {ctr_stdio_fd(c, 1), POLLIN, 0}};
        char out[256] = "";
        size_t len = 0;
        while (p[1].fd >= 0) {
            ASSERT_GT(poll(p, 2, -1), 0);
            if (p[0].revents & POLLIN)
                ASSERT_GE(ctr_notify_handle(c, NULL), 0);
            else if (p[0].revents)
                p[0].fd = -1;
            if (p[1].revents && !read_some(p[1].fd, out, sizeof out, &len)) p[1].fd = -1;
        }
        while (ctr_poll(c, NULL, NULL) == 0) {
            if (poll(p, 1, 100) > 0 && (p[0].revents & POLLIN)) ctr_notify_handle(c, NULL);
        }
        ctr_result r;
        WAIT(c, &r);
        ASSERT_TRUE(r.exited && r.exit_code == 0);
        trim(out);
        ASSERT_STREQ(out, "passed");
        ASSERT_GE(seen_count(SYS_write), 1);  /* the command's own write is seen */
        ASSERT_EQ(seen_count(SYS_execve), 0); /* the library's exec of it is not */
        ASSERT_EQ(seen_count(SYS_execveat), 0);
        ASSERT_EQ(seen_count(SYS_sendmsg), 0);
        ASSERT_EQ(seen_count(SYS_rt_sigtimedwait), 0); /* init's calls are not */
        ASSERT_EQ(seen_count(SYS_wait4), 0);
        destroy(c);
        memset(g_seen.by_nr, 0, sizeof g_seen.by_nr);
        /* An exec failure is reported, not left waiting for the host. */
        policy_spec(&s, ARGV("/nonexistent"), nrs, sizeof nrs / sizeof nrs[0], cb_count);
        s.intercept_manual = 1;
        s.init = init;
        EXPECT_SPAWN_ERROR(&s, CTR_STEP_EXEC, ENOENT, "/nonexistent");
    }
}

TEST(intercept_with_init) {
    static const long nrs[] = {SYS_getppid, SYS_rt_sigtimedwait, SYS_wait4};
    ctr_spec s;
    g_seen.mode = M_CONTINUE;
    policy_spec(&s, PROBE("ppid"), nrs, 3, cb_answers);
    s.init = 1;
    ASSERT_STREQ(POLICY_OUT(&s), "1"); /* the command is pid 2, under init */
    ASSERT_EQ(seen_count(SYS_getppid), 1);
    ASSERT_EQ(g_seen.ns_pid, 2);
    ASSERT_EQ(seen_count(SYS_rt_sigtimedwait) + seen_count(SYS_wait4), 0); /* init is not */
}

/* The listener is in no process but the host: not in the container, not in what the host
   starts meanwhile. */
TEST(intercept_listener_does_not_leak) {
    ctr_spec s;
    g_seen.mode = M_CONTINUE;
    for (int init = 0; init < 2; init++) {
        policy_spec(&s, PROBE("fdlinks", "self"), k_getppid, 1, cb_answers);
        s.init = init;
        const char *out = POLICY_OUT(&s);
        ASSERT_NOT_CONTAINS(out, "seccomp");
        ASSERT_NOT_CONTAINS(out, "socket");
    }
    policy_spec(&s, PROBE("sleep", "30"), k_getppid, 1, cb_answers);
    ctr_container *c = SPAWN(&s);
    char self[128] = "";
    for (int fd = 3; fd < 256 && !strstr(self, "seccomp"); fd++) {
        char link[64];
        th_fmt(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, self, sizeof self - 1);
        self[n < 0 ? 0 : n] = '\0';
    }
    ASSERT_STREQ(self, "anon_inode:seccomp notify"); /* the host holds it */
    char probe[PATH_MAX + 16];
    th_fmt(probe, sizeof probe, "%s/probe", g_tests);
    cmd_result r;
    run_cmd(ARGV(probe, "fdlinks", "self"), &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_NOT_CONTAINS(r.out, "seccomp");
    destroy(c);
}

TEST(intercept_rootless) {
    static const long nrs[] = {SYS_openat, SYS_getppid};
    ctr_spec s;
    become_nobody();
    policy_spec(&s, PROBE("seq", "ppid", ",", "read", "/ro/a.txt", ",", "read", "/rw/f.txt"), nrs,
                2, cb_openat);
    ASSERT_STREQ(POLICY_OUT(&s), "0\nEACCES\nok");
    ASSERT_STREQ(g_seen.path, "/rw/f.txt"); /* read from the container's memory */
    g_seen.mode = M_RETURN;
    policy_spec(&s, PROBE("ppid"), k_getppid, 1, cb_answers);
    ASSERT_STREQ(POLICY_OUT(&s), "4242");
    ASSERT_EQ(g_seen.ns_pid, 1);
}

TEST(intercept_bad_specs) {
    static const long bad_nr[] = {5000};
    static long many[CTR__NOTIFY_MAX + 1];
    ctr_spec s;
    policy_spec(&s, PROBE("ppid"), NULL, 1, cb_answers);
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "intercept");
    policy_spec(&s, PROBE("ppid"), k_getppid, 1, NULL);
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "on_syscall");
    policy_spec(&s, PROBE("ppid"), bad_nr, 1, cb_answers);
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "intercept");
    for (size_t i = 0; i < sizeof many / sizeof many[0]; i++) many[i] = SYS_getppid;
    policy_spec(&s, PROBE("ppid"), many, sizeof many / sizeof many[0], cb_answers);
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "intercept");
    policy_spec(&s, PROBE("ppid"), many, CTR__NOTIFY_MAX, cb_answers); /* the most is fine */
    g_seen.mode = M_CONTINUE;
    ASSERT_STREQ(POLICY_OUT(&s), "0");
    policy_spec(&s, PROBE("ppid"), k_getppid, 1, cb_answers);
    s.allow_new_privs = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "intercept");
    /* the listener is made right before the exec, which wait_start holds back */
    policy_spec(&s, PROBE("ppid"), k_getppid, 1, cb_answers);
    s.direct_child = 1;
    s.wait_start = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "intercept");
}

/* Socket activation's LISTEN_PID is written before the filter: a getpid the host intercepts does
   not see the library's own call. */
TEST(intercept_getpid_with_listening_sockets) {
    static const long nrs[] = {SYS_getpid};
    ctr_spec s;
    ctr_listen ls;
    memset(&ls, 0, sizeof ls);
    ls.address = "127.0.0.1";
    ls.port = 18091;
    g_seen.mode = M_RETURN; /* 4242: a LISTEN_PID made after the filter would say so */
    for (int init = 0; init < 2; init++) {
        policy_spec(&s, PROBE("env"), nrs, 1, cb_answers);
        s.listen = &ls;
        s.nlisten = 1;
        s.init = init;
        const char *out = POLICY_OUT(&s);
        ASSERT_CONTAINS(out, init ? "LISTEN_PID=2" : "LISTEN_PID=1");
        ASSERT_CONTAINS(out, "LISTEN_FDS=1");
    }
    ASSERT_EQ(seen_count(SYS_getpid), 0); /* probe's env makes none of its own */
}

/* ==== Landlock ==== */

static void require_landlock(int abi) {
    int have = ctr_landlock_abi();
    if (have < abi) SKIP_NA("needs Landlock ABI %d, this kernel has %d", abi, have);
}

/* The file rules: /bin/probe may run, /ro be read, /rw be read and written; nothing else. */
static const ctr_landlock_rule k_file_rules[] = {{"/bin/probe", CTR_LL_EXEC, 0},
                                                 {"/ro", CTR_LL_READ, 0},
                                                 {"/rw", CTR_LL_READ | CTR_LL_WRITE, 0}};

static const char *const k_file_checks[] = {
    "/bin/probe", "seq", "read",  "/ro/a.txt",     ",", "write", "/ro/new",     ",",    "read",
    "/rw/f.txt",  ",",   "write", "/rw/new",       ",", "mkdir", "/rw/d",       ",",    "mkdir",
    "/ro/d",      ",",   "read",  "/secret/s.txt", ",", "exec",  "/bin/probe2", "echo", "ran",
    NULL};
#define FILE_ALLOWED "ok\nok\nok\nok\nok\nok\nok\nran"
#define FILE_DENIED  "ok\nEACCES\nok\nok\nok\nEACCES\nEACCES\nEACCES"

/* k_file_checks on a fresh /ro and /rw each time (tmpfs mounts with the files in them). */
static ctr_mount g_fresh[4];
static void file_spec(ctr_spec *s, int rules) {
    spec_init(s, k_file_checks);
    memset(g_fresh, 0, sizeof g_fresh);
    g_fresh[0].type = g_fresh[2].type = CTR_MOUNT_TMPFS;
    g_fresh[0].target = "/ro";
    g_fresh[2].target = "/rw";
    g_fresh[1].type = g_fresh[3].type = CTR_MOUNT_FILE;
    g_fresh[1].target = "/ro/a.txt";
    g_fresh[3].target = "/rw/f.txt";
    g_fresh[1].data = g_fresh[3].data = "data\n";
    g_fresh[1].data_len = g_fresh[3].data_len = 5;
    s->mounts = g_fresh;
    s->nmounts = 4;
    if (rules) {
        s->landlock = k_file_rules;
        s->nlandlock = 3;
    }
}

static void file_rules(int rootless) {
    ctr_spec s;
    require_landlock(1);
    if (rootless) become_nobody();
    file_spec(&s, 1);
    ASSERT_STREQ(POLICY_OUT(&s), FILE_DENIED);
    file_spec(&s, 0); /* the same without the rules: every step works */
    ASSERT_STREQ(POLICY_OUT(&s), FILE_ALLOWED);
}

TEST(landlock_files) { file_rules(0); }
TEST(landlock_files_rootless) { file_rules(1); }

TEST(landlock_files_with_init_and_allow_new_privs) {
    ctr_spec s;
    require_landlock(1);
    for (int i = 0; i < 2; i++) {
        file_spec(&s, 1);
        if (i == 0) s.init = 1;
        if (i == 1) s.allow_new_privs = 1; /* enforced before the capabilities are dropped */
        ASSERT_STREQ(POLICY_OUT(&s), FILE_DENIED);
    }
}

TEST(landlock_paths_resolve_inside_the_root) {
    ctr_spec s;
    require_landlock(1);
    /* /lnk -> /ro (absolute): resolved inside the root, so the rule is on the container's /ro. */
    static const ctr_landlock_rule via_link[] = {{"/bin/probe", CTR_LL_EXEC, 0},
                                                 {"/lnk", CTR_LL_READ, 0}};
    spec_init(&s, PROBE("seq", "read", "/ro/a.txt", ",", "read", "/rw/f.txt"));
    s.landlock = via_link;
    s.nlandlock = 2;
    ASSERT_STREQ(POLICY_OUT(&s), "ok\nEACCES");
    /* evil_abs points at a host path: inside the root it leads nowhere. */
    static const ctr_landlock_rule evil[] = {{"/bin/probe", CTR_LL_EXEC, 0},
                                             {"/evil_abs", CTR_LL_READ, 0}};
    s.landlock = evil;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_LANDLOCK, ENOENT, "/evil_abs");
}

TEST(landlock_rule_errors) {
    ctr_spec s;
    spec_init(&s, PROBE("ppid"));
    static const ctr_landlock_rule missing[] = {{"/nonexistent", CTR_LL_READ, 0}};
    s.landlock = missing;
    s.nlandlock = 1;
    if (ctr_landlock_abi() >= 1) EXPECT_SPAWN_ERROR(&s, CTR_STEP_LANDLOCK, ENOENT, "/nonexistent");
    static const ctr_landlock_rule relative[] = {{"ro", CTR_LL_READ, 0}};
    s.landlock = relative;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_LANDLOCK, EINVAL, "ro");
    static const ctr_landlock_rule empty[] = {{"/ro", 0, 0}};
    s.landlock = empty;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_LANDLOCK, EINVAL, "/ro");
    static const ctr_landlock_rule mixed[] = {{"/ro", CTR_LL_READ | CTR_LL_CONNECT_TCP, 80}};
    s.landlock = mixed;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_LANDLOCK, EINVAL, "/ro");
    static const ctr_landlock_rule pathless[] = {{NULL, CTR_LL_READ, 0}};
    s.landlock = pathless;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_LANDLOCK, EINVAL, "");
    static const ctr_landlock_rule port[] = {{NULL, CTR_LL_BIND_TCP, 70000}};
    s.landlock = port;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_LANDLOCK, EINVAL, "");
    s.landlock = NULL;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_LANDLOCK, EINVAL, "landlock");
    s.nlandlock = 0;
    s.landlock_scope = 0x80;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_LANDLOCK, EINVAL, "landlock_scope");
}

static const ctr_landlock_rule k_tcp_rules[] = {{NULL, CTR_LL_BIND_TCP | CTR_LL_CONNECT_TCP, 7001}};

static void tcp_rules(int rootless) {
    ctr_spec s;
    require_landlock(4);
    if (rootless) become_nobody();
    spec_init(&s, PROBE("tcp", "7001", "7002"));
    s.landlock = k_tcp_rules;
    s.nlandlock = 1;
    ASSERT_STREQ(POLICY_OUT(&s), "ok ok EACCES EACCES");
    spec_init(&s, PROBE("tcp", "7001", "7002"));
    ASSERT_STREQ(POLICY_OUT(&s), "ok ok ok ECONNREFUSED");
}

TEST(landlock_tcp_ports) { tcp_rules(0); }
TEST(landlock_tcp_ports_rootless) { tcp_rules(1); }

/* A process outside the container's domain: a child of the test, in the shared pid
   namespace. */
static void scope_signal(int rootless) {
    ctr_spec s;
    char pid[16];
    require_landlock(6);
    if (rootless) become_nobody();
    pid_t helper = fork();
    CHECK_SYS(helper);
    if (helper == 0) {
        for (;;) pause();
    }
    th_fmt(pid, sizeof pid, "%d", (int)helper);
    spec_init(&s, PROBE("seq", "signal", pid, "0", ",", "signal", "0", "0"));
    s.share = CTR_NS_PID;
    s.no_default_mounts = 1; /* a user namespace cannot mount the host pid namespace's proc */
    ASSERT_STREQ(POLICY_OUT(&s), "ok\nok");
    s.landlock_scope = CTR_LL_SCOPE_SIGNAL;
    ASSERT_STREQ(POLICY_OUT(&s), "EPERM\nok"); /* outside refused, its own process group not */
    spec_init(&s, PROBE("signal", pid, "9"));
    s.share = CTR_NS_PID;
    s.no_default_mounts = 1;
    s.landlock_scope = CTR_LL_SCOPE_SIGNAL;
    ASSERT_STREQ(POLICY_OUT(&s), "EPERM");
    ASSERT_EQ(kill(helper, 0), 0); /* still alive */
    kill(helper, SIGKILL);
    waitpid(helper, NULL, 0);
}

TEST(landlock_scope_signal) { scope_signal(0); }
TEST(landlock_scope_signal_rootless) { scope_signal(1); }

/* An abstract unix socket made outside the container's domain, in a network namespace of the
   test's own that the container shares. */
static void scope_unix(int rootless) {
    ctr_spec s;
    struct sockaddr_un sa;
    char name[64];
    require_landlock(6);
    require_root();
    CHECK_SYS(unshare(CLONE_NEWNET));
    th_fmt(name, sizeof name, "ctr-policy-%d", (int)getpid());
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK_SYS(l);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path + 1, name, strlen(name));
    CHECK_SYS(bind(l, (struct sockaddr *)&sa,
                   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))));
    CHECK_SYS(listen(l, 8));
    if (rootless) become_nobody();
    spec_init(&s, PROBE("unix-connect", name));
    s.share = CTR_NS_NET;
    ASSERT_STREQ(POLICY_OUT(&s), "ok");
    s.landlock_scope = CTR_LL_SCOPE_ABSTRACT_UNIX;
    ASSERT_STREQ(POLICY_OUT(&s), "EPERM");
    close(l);
}

TEST(landlock_scope_abstract_unix) { scope_unix(0); }
TEST(landlock_scope_abstract_unix_rootless) { scope_unix(1); }

/* An older kernel, simulated with the implementation's test hook ctr__landlock_abi_cap. */
TEST(landlock_older_abi_best_effort) {
    ctr_spec s;
    require_landlock(6);
    static const ctr_landlock_rule rules[] = {{"/bin/probe", CTR_LL_EXEC, 0},
                                              {"/ro", CTR_LL_READ, 0},
                                              {NULL, CTR_LL_BIND_TCP | CTR_LL_CONNECT_TCP, 7001}};
    ctr__landlock_abi_cap = 3;
    ASSERT_EQ(ctr_landlock_abi(), 3);
    spec_init(&s, PROBE("seq", "tcp", "7001", "7002", ",", "read", "/secret/s.txt"));
    s.landlock = rules;
    s.nlandlock = 3;
    ctr_error e = spawn_error(__LINE__, &s, "TCP rules refused");
    ASSERT_EQ(e.step, CTR_STEP_LANDLOCK);
    ASSERT_EQ(e.sys_errno, EOPNOTSUPP);
    ASSERT_CONTAINS(e.msg, "TCP port rules need Landlock ABI 4");
    ASSERT_CONTAINS(e.msg, "this kernel has ABI 3");
    s.landlock_best_effort = 1; /* TCP unrestricted, the files still are */
    ASSERT_STREQ(POLICY_OUT(&s), "ok ok ok ECONNREFUSED\nEACCES");

    ctr__landlock_abi_cap = 5;
    spec_init(&s, PROBE("signal", "1", "0"));
    s.landlock_scope = CTR_LL_SCOPE_SIGNAL;
    e = spawn_error(__LINE__, &s, "scopes refused");
    ASSERT_EQ(e.step, CTR_STEP_LANDLOCK);
    ASSERT_CONTAINS(e.msg, "scopes need Landlock ABI 6");
    ASSERT_CONTAINS(e.msg, "this kernel has ABI 5");
    s.landlock_best_effort = 1;
    ASSERT_STREQ(POLICY_OUT(&s), "ok");

    ctr__landlock_abi_cap = -1; /* no Landlock at all */
    ASSERT_EQ(ctr_landlock_abi(), 0);
    spec_init(&s, PROBE("read", "/secret/s.txt"));
    s.landlock = rules;
    s.nlandlock = 2;
    e = spawn_error(__LINE__, &s, "file rules refused");
    ASSERT_EQ(e.step, CTR_STEP_LANDLOCK);
    ASSERT_CONTAINS(e.msg, "file rules need Landlock");
    s.landlock_best_effort = 1;
    ASSERT_STREQ(POLICY_OUT(&s), "ok");
    ctr__landlock_abi_cap = 0;
}

/* Landlock and the broker together: the host's descriptor passes, the container's own open of
   the same kind of path does not. */
TEST(landlock_with_a_broker) {
    ctr_spec s;
    require_landlock(1);
    policy_spec(&s, PROBE("seq", "cat", "/virtual/hello.txt", ",", "read", "/secret/s.txt"),
                k_openat, 1, cb_broker);
    static const ctr_landlock_rule rules[] = {{"/bin/probe", CTR_LL_EXEC, 0}};
    s.landlock = rules;
    s.nlandlock = 1;
    ASSERT_STREQ(POLICY_OUT(&s), "hello from the host\nEACCES");
}

/* A process ctr_exec starts in the container is under its policy too: the same calls go to the
   callback (served for the new handle) and the same Landlock rules hold. */
TEST(policy_holds_for_ctr_exec) {
    static const ctr_landlock_rule rules[] = {{"/bin/probe", CTR_LL_EXEC, 0},
                                              {"/ro", CTR_LL_READ, 0}};
    ctr_spec s;
    ctr_container *c, *e;
    ctr_exec_spec x;
    ctr_error err;
    ctr_result res;
    char out[256];
    size_t n = 0;
    require_landlock(1);
    g_seen.mode = M_RETURN;
    for (int direct = 0; direct < 2; direct++) {
        policy_spec(&s, PROBE("sleep", "60"), k_getppid, 1, cb_answers);
        s.landlock = rules;
        s.nlandlock = 2;
        c = SPAWN(&s);
        memset(&x, 0, sizeof x);
        x.argv = PROBE("seq", "ppid", ",", "read", "/ro/a.txt", ",", "read", "/secret/s.txt");
        x.stdio[1] = CTR_STDIO_PIPE;
        x.direct_child = direct;
        if (ctr_exec(c, &x, &e, &err) != 0) FAIL("ctr_exec: %s", err.msg);
        ssize_t r;
        n = 0;
        while (n < sizeof out - 1 && (r = read(ctr_stdio_fd(e, 1), out + n, sizeof out - 1 - n)) > 0)
            n += (size_t)r;
        out[n] = '\0';
        trim(out);
        if (ctr_wait(e, &res, &err) != 0) FAIL("wait: %s", err.msg);
        ctr_destroy(e);
        destroy(c);
        ASSERT_STREQ(out, "4242\nok\nEACCES");
    }
    ASSERT_EQ(seen_count(SYS_getppid), 2);
}

/* ==== ctrun ==== */

static void ctrun_path(char *out) {
    th_fmt(out, PATH_MAX + 16, "%s/ctrun", g_build);
    if (access(out, X_OK) != 0) SKIP("%s was not built", out);
}

TEST(ctrun_trace_syscalls) {
    char ctrun[PATH_MAX + 16];
    cmd_result r;
    ctrun_path(ctrun);
    run_cmd(ARGV(ctrun, "--rootfs", g_root, "--trace-syscalls", "openat,getppid,connect", "--",
                 "/bin/probe", "seq", "read", "/ro/a.txt", ",", "ppid", ",", "tcp", "7001", "7002"),
            &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(r.out, "ok\n0\nok ok ok ECONNREFUSED");
    ASSERT_CONTAINS(r.err, "openat(AT_FDCWD, \"/ro/a.txt\", O_RDONLY|O_CLOEXEC");
    ASSERT_CONTAINS(r.err, "getppid()");
    ASSERT_CONTAINS(r.err, "connect(");
    ASSERT_CONTAINS(r.err, "{AF_INET, 127.0.0.1:7002}");
    run_cmd(ARGV(ctrun, "--trace-syscalls", "openat,nosuchcall", "--", "/bin/true"), &r);
    ASSERT_EQ(r.status, 125);
    ASSERT_CONTAINS(r.err, "nosuchcall");
}

TEST(ctrun_landlock_options) {
    char ctrun[PATH_MAX + 16];
    cmd_result r;
    ctrun_path(ctrun);
    require_landlock(4);
    run_cmd(ARGV(ctrun, "--rootfs", g_root, "--allow-exec", "/bin/probe", "--allow-read", "/ro",
                 "--allow-write", "/rw", "--allow-bind", "7001", "--allow-connect", "7001", "--",
                 "/bin/probe", "seq", "read", "/ro/a.txt", ",", "write", "/rw/x", ",", "read",
                 "/secret/s.txt", ",", "tcp", "7001", "7002"),
            &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(r.out, "ok\nok\nEACCES\nok ok EACCES EACCES");
    run_cmd(
        ARGV(ctrun, "--rootfs", g_root, "--allow-read", "/nonexistent", "--", "/bin/probe", "ppid"),
        &r);
    ASSERT_EQ(r.status, 125);
    ASSERT_CONTAINS(r.err, "landlock");
    ASSERT_CONTAINS(r.err, "/nonexistent");
    run_cmd(ARGV(ctrun, "--allow-connect", "http", "--", "/bin/true"), &r);
    ASSERT_EQ(r.status, 125);
    if (ctr_landlock_abi() >= 6) {
        run_cmd(ARGV(ctrun, "--rootfs", g_root, "--share", "pid", "--scope-signal", "--",
                     "/bin/probe", "signal", "1", "0"),
                &r);
        ASSERT_EQ(r.status, 0);
        ASSERT_STREQ(r.out, "EPERM");
    }
}

int main(int argc, char **argv) { return suite_main(argc, argv, fixture_setup, fixture_teardown); }
