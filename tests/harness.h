/* harness.h - the test harness of container.h's own suite.

   TEST(name) { ... }            a test, run in its own forked process (default timeout 60 s)
   TEST_TIMEOUT(name, secs) {...} the same with another timeout
   ASSERT_*(...)                 fail the test with file:line and the values
   SKIP(reason...)               skip; a failure when CONTAINER_TEST_MUST_WORK=1
   SKIP_NA(reason...)            skip a test that does not apply to this machine (e.g. a cgroup v2
                                 test on a cgroup v1 host): a skip even with CONTAINER_TEST_MUST_WORK=1
   th_set_cleanup(fn)            fn runs in the test process when it ends with a failure or a skip
                                 (before it exits), e.g. to destroy the containers it still holds
   th_set_teardown(fn)           fn runs in the parent after the tests (and on SIGINT/SIGTERM)
   th_main(argc, argv)           runs the tests whose name contains one of argv[1..] (all if none),
                                 prints "ok NAME", "FAIL NAME: why" or "skip NAME: why" per test and
                                 ends with "N passed, N failed, N skipped".

   After each test the test process checks that its body left nothing behind: the same open file
   descriptors, no child process (running or zombie).  The parent checks that the host's mount table
   has as many entries as before, and, as a child subreaper, that no orphaned descendant survived.

   The file including this defines _GNU_SOURCE before any system header.
   Uses GNU C (constructor attribute, statement expressions are not used). */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TH_MAX_TESTS 256
#define TH_MAX_FDS   256
#define TH_MSG_LEN   2048

typedef void (*th_fn)(void);

typedef struct th_test {
    const char *name;
    th_fn fn;
    int timeout_sec;
    int line;
} th_test;

enum { TH_PASS = 1, TH_FAIL, TH_SKIP, TH_NA };

/* Shared between the parent and the test process (MAP_SHARED): the verdict and its reason. */
typedef struct th_shared {
    int status;
    char msg[TH_MSG_LEN];
} th_shared;

static th_test th_tests[TH_MAX_TESTS];
static int th_ntests;
static th_shared *th_out;
static void (*th_teardown_fn)(void);
static void (*th_cleanup_fn)(void);
static volatile sig_atomic_t th_current_child;

static void th_register(const char *name, th_fn fn, int timeout_sec, int line) {
    if (th_ntests == TH_MAX_TESTS) {
        fprintf(stderr, "harness: too many tests\n");
        abort();
    }
    th_tests[th_ntests].name = name;
    th_tests[th_ntests].fn = fn;
    th_tests[th_ntests].timeout_sec = timeout_sec;
    th_tests[th_ntests].line = line;
    th_ntests++;
}

#define TEST_TIMEOUT(name, secs)                                   \
    static void name(void);                                        \
    __attribute__((constructor)) static void th_reg_##name(void) { \
        th_register(#name, name, secs, __LINE__);                  \
    }                                                              \
    static void name(void)
#define TEST(name) TEST_TIMEOUT(name, 60)

/* snprintf for messages and paths where truncation is acceptable (or checked elsewhere). */
__attribute__((format(printf, 3, 4))) static void th_fmt(char *buf, size_t len, const char *fmt,
                                                         ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* Ends the test process with a verdict; callable from any thread of it. */
__attribute__((noreturn, format(printf, 2, 3))) static void th_finish(int status, const char *fmt,
                                                                      ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(th_out->msg, sizeof th_out->msg, fmt, ap);
    va_end(ap);
    th_out->status = status;
    if (status != TH_PASS && th_cleanup_fn) {
        void (*fn)(void) = th_cleanup_fn;
        th_cleanup_fn = NULL; /* a failure inside the cleanup must not loop */
        fn();
        th_out->status = status; /* the first verdict stands */
    }
    _exit(status == TH_PASS ? 0 : 1);
}

#define TH_FAILF(...) th_finish(TH_FAIL, __VA_ARGS__)
#define FAIL(...)     th_finish(TH_FAIL, __FILE__ ":" TH_STR(__LINE__) ": " __VA_ARGS__)
#define SKIP(...)     th_finish(TH_SKIP, __VA_ARGS__)
#define SKIP_NA(...)  th_finish(TH_NA, __VA_ARGS__)
#define TH_STR2(x)    #x
#define TH_STR(x)     TH_STR2(x)

#define ASSERT_TRUE(x)                     \
    do {                                   \
        if (!(x)) FAIL("expected %s", #x); \
    } while (0)

#define TH_CMP(a, op, b)                                                            \
    do {                                                                            \
        long long th_a_ = (long long)(a), th_b_ = (long long)(b);                   \
        if (!(th_a_ op th_b_))                                                      \
            FAIL("expected %s %s %s, got %lld vs %lld", #a, #op, #b, th_a_, th_b_); \
    } while (0)
#define ASSERT_EQ(a, b) TH_CMP(a, ==, b)
#define ASSERT_NE(a, b) TH_CMP(a, !=, b)
#define ASSERT_LT(a, b) TH_CMP(a, <, b)
#define ASSERT_LE(a, b) TH_CMP(a, <=, b)
#define ASSERT_GT(a, b) TH_CMP(a, >, b)
#define ASSERT_GE(a, b) TH_CMP(a, >=, b)

#define ASSERT_STREQ(a, b)                                                                    \
    do {                                                                                      \
        const char *th_a_ = (a), *th_b_ = (b);                                                \
        if (!th_a_ || !th_b_ || strcmp(th_a_, th_b_) != 0)                                    \
            FAIL("expected %s == %s, got \"%s\" vs \"%s\"", #a, #b, th_a_ ? th_a_ : "(null)", \
                 th_b_ ? th_b_ : "(null)");                                                   \
    } while (0)

#define ASSERT_CONTAINS(hay, needle)                                       \
    do {                                                                   \
        const char *th_h_ = (hay), *th_n_ = (needle);                      \
        if (!th_h_ || !strstr(th_h_, th_n_))                               \
            FAIL("expected %s to contain \"%s\", got \"%s\"", #hay, th_n_, \
                 th_h_ ? th_h_ : "(null)");                                \
    } while (0)

#define ASSERT_NOT_CONTAINS(hay, needle)                                               \
    do {                                                                               \
        const char *th_h_ = (hay), *th_n_ = (needle);                                  \
        if (th_h_ && strstr(th_h_, th_n_))                                             \
            FAIL("expected %s not to contain \"%s\", got \"%s\"", #hay, th_n_, th_h_); \
    } while (0)

/* A libc call that must succeed (returns -1 and sets errno on failure). */
#define CHECK_SYS(call)                                           \
    do {                                                          \
        if ((call) == -1) FAIL("%s: %s", #call, strerror(errno)); \
    } while (0)

/* ---- leak checks, run in the test process ---- */

/* Sorted list of the open fds, without the one used to list them.  Returns the count. */
static int th_list_fds(int *fds, int max) {
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        int fd = atoi(e->d_name);
        if (fd == dirfd(d) || n == max) continue;
        int i = n++;
        while (i > 0 && fds[i - 1] > fd) {
            fds[i] = fds[i - 1];
            i--;
        }
        fds[i] = fd;
    }
    closedir(d);
    return n;
}

static void th_fd_string(const int *fds, int n, char *buf, size_t len) {
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%d", i ? " " : "", fds[i]);
}

static void th_check_fds(const int *before, int nbefore) {
    int after[TH_MAX_FDS];
    int nafter = th_list_fds(after, TH_MAX_FDS);
    if (nafter == nbefore && memcmp(before, after, sizeof(int) * (size_t)nafter) == 0) return;
    char b[512], a[512];
    th_fd_string(before, nbefore, b, sizeof b);
    th_fd_string(after, nafter, a, sizeof a);
    TH_FAILF("file descriptors leaked or closed: before [%s], after [%s]", b, a);
}

static void th_check_children(void) {
    int st;
    /* __WALL: also children that exit with no signal or another one than SIGCHLD (clone3). */
    pid_t p = waitpid(-1, &st, WNOHANG | __WALL);
    if (p == -1 && errno == ECHILD) return;
    if (p == 0) TH_FAILF("a child process is still running after the test");
    TH_FAILF("a child process (pid %d) was left as a zombie", (int)p);
}

static void th_run_child(const th_test *t) {
    int before[TH_MAX_FDS];
    int nbefore = th_list_fds(before, TH_MAX_FDS);
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    t->fn();
    th_check_fds(before, nbefore);
    th_check_children();
    th_out->status = TH_PASS;
    _exit(0);
}

/* ---- the parent ---- */

static int th_mount_count(void) {
    FILE *f = fopen("/proc/self/mountinfo", "r");
    int c, n = 0;
    if (!f) return -1;
    while ((c = getc(f)) != EOF)
        if (c == '\n') n++;
    fclose(f);
    return n;
}

static double th_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void th_sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits for the test process; kills it after the timeout.  Returns its wait status, -1 on timeout. */
static int th_wait_test(pid_t pid, int timeout_sec) {
    double deadline = th_now() + timeout_sec;
    int st;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) return st;
        if (r == -1 && errno != EINTR) return 0;
        if (th_now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        th_sleep_ms(10);
    }
}

/* SIGKILLs every process whose parent is us (orphans reparented to this subreaper); how many. */
static int th_kill_my_children(void) {
    DIR *d = opendir("/proc");
    struct dirent *e;
    int found = 0;
    if (!d) return 0;
    while ((e = readdir(d)) != NULL) {
        char path[64], buf[512];
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        th_fmt(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *rp = strrchr(buf, ')');
        int ppid = 0;
        if (rp && sscanf(rp + 1, " %*c %d", &ppid) == 1 && ppid == (int)getpid()) {
            kill(atoi(e->d_name), SIGKILL);
            found++;
        }
    }
    closedir(d);
    return found;
}

/* Reaps (and kills first) whatever descendant of the test outlived it.  Returns how many. */
static int th_reap_orphans(void) {
    int n = 0;
    for (int tries = 0; tries < 1000; tries++) {
        pid_t p = waitpid(-1, NULL, WNOHANG | __WALL);
        if (p > 0) {
            n++;
            continue;
        }
        if (p == -1 && errno == ECHILD) break;
        th_kill_my_children();
        th_sleep_ms(10);
    }
    return n;
}

static int th_must_work(void) {
    const char *v = getenv("CONTAINER_TEST_MUST_WORK");
    return v && strcmp(v, "1") == 0;
}

/* Keeps one line per test: control characters in a reason (captured output) become spaces. */
static void th_one_line(char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20) *s = ' ';
}

/* The test's own verdict from its wait status and the shared area; why gets the reason. */
static int th_verdict(int st, int timeout_sec, char *why, size_t len) {
    if (st == -1) {
        th_fmt(why, len, "timed out after %d s (killed)", timeout_sec);
        return TH_FAIL;
    }
    if (WIFSIGNALED(st)) {
        th_fmt(why, len, "test process killed by signal %d (%s)", WTERMSIG(st),
               strsignal(WTERMSIG(st)));
        return TH_FAIL;
    }
    if (th_out->status == TH_NA) return TH_SKIP;
    if (th_out->status == TH_SKIP) {
        if (!th_must_work()) return TH_SKIP;
        char reason[TH_MSG_LEN];
        th_fmt(reason, sizeof reason, "%s", why);
        th_fmt(why, len, "skipped with CONTAINER_TEST_MUST_WORK=1: %s", reason);
        return TH_FAIL;
    }
    if (th_out->status == TH_PASS && WEXITSTATUS(st) == 0) return TH_PASS;
    if (th_out->status == 0)
        th_fmt(why, len, "test process exited with status %d without a verdict", WEXITSTATUS(st));
    return TH_FAIL;
}

/* Runs one test; returns TH_PASS, TH_FAIL or TH_SKIP after printing its line. */
static int th_run_one(const th_test *t) {
    int mounts_before = th_mount_count();
    memset(th_out, 0, sizeof *th_out);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == -1) {
        printf("FAIL %s: fork: %s\n", t->name, strerror(errno));
        return TH_FAIL;
    }
    if (pid == 0) th_run_child(t);
    th_current_child = pid;
    int st = th_wait_test(pid, t->timeout_sec);
    th_current_child = 0;
    int orphans = th_reap_orphans();
    int mounts_after = th_mount_count();

    char why[TH_MSG_LEN + 128];
    th_fmt(why, sizeof why, "%s", th_out->msg);
    int v = th_verdict(st, t->timeout_sec, why, sizeof why);
    if (v == TH_PASS && orphans > 0) {
        th_fmt(why, sizeof why, "%d process(es) outlived the test", orphans);
        v = TH_FAIL;
    }
    if (v == TH_PASS && mounts_after != mounts_before) {
        th_fmt(why, sizeof why, "the host mount table changed: %d entries before, %d after",
               mounts_before, mounts_after);
        v = TH_FAIL;
    }
    th_one_line(why);
    if (v == TH_PASS)
        printf("ok %s\n", t->name);
    else if (v == TH_SKIP)
        printf("skip %s: %s\n", t->name, why);
    else
        printf("FAIL %s: %s\n", t->name, why);
    return v;
}

static int th_selected(const th_test *t, int argc, char **argv) {
    if (argc < 2) return 1;
    for (int i = 1; i < argc; i++)
        if (strstr(t->name, argv[i])) return 1;
    return 0;
}

static int th_by_line(const void *a, const void *b) {
    return ((const th_test *)a)->line - ((const th_test *)b)->line;
}

static void th_on_signal(int sig) {
    if (th_current_child > 0) kill((pid_t)th_current_child, SIGKILL);
    while (waitpid(-1, NULL, 0) > 0) {}
    if (th_teardown_fn) th_teardown_fn();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* cleanup runs in the test process when it fails or skips (not after a pass). */
__attribute__((unused)) static void th_set_cleanup(void (*cleanup)(void)) {
    th_cleanup_fn = cleanup;
}

/* teardown runs once in the parent after the tests, and on SIGINT/SIGTERM. */
__attribute__((unused)) static void th_set_teardown(void (*teardown)(void)) {
    th_teardown_fn = teardown;
}

static int th_main(int argc, char **argv) {
    int passed = 0, failed = 0, skipped = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    th_out = (th_shared *)mmap(NULL, sizeof *th_out, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (th_out == MAP_FAILED) {
        printf("FAIL harness: mmap: %s\n0 passed, 1 failed\n", strerror(errno));
        return 1;
    }
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    signal(SIGINT, th_on_signal);
    signal(SIGTERM, th_on_signal);
    qsort(th_tests, (size_t)th_ntests, sizeof th_tests[0], th_by_line);
    for (int i = 0; i < th_ntests; i++) {
        if (!th_selected(&th_tests[i], argc, argv)) continue;
        int r = th_run_one(&th_tests[i]);
        passed += r == TH_PASS;
        failed += r == TH_FAIL;
        skipped += r == TH_SKIP;
    }
    if (th_teardown_fn) th_teardown_fn();
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}

#endif /* TESTS_HARNESS_H */
