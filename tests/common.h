/* common.h - what the suites (test_core, test_limits, escape/test_escape) share on top of the
   harness: the fixture directory and test rootfses, small file helpers, running a container and
   collecting its output, the checks of an expected result or spawn failure, and becoming uid
   65534.  Each suite defines its own fixture_setup and fixture_teardown and ends with
   suite_main().

   The file including this defines _GNU_SOURCE and includes container.h (with
   CONTAINER_IMPLEMENTATION) first.  Every helper is static and marked unused: a suite uses only
   some of them. */
#ifndef TESTS_COMMON_H
#define TESTS_COMMON_H

#include "harness.h"

#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <sys/stat.h>

#define NOBODY     65534
#define PROBE(...) ((const char *const[]){"/bin/probe", __VA_ARGS__, NULL})

/* ---- fixtures (made in the parent before the tests, removed after) ---- */

static char g_tmp[PATH_MAX];      /* the mkdtemp directory under /tmp */
static char g_root[PATH_MAX];     /* the suite's test rootfs, spec_init's default */
static char g_hostside[PATH_MAX]; /* where the evil symlinks point; must stay empty */
static char g_fixture_error[512]; /* set by fixture_setup: the fixtures could not be made */
static pid_t g_parent;            /* the harness's parent, which owns the fixtures */

__attribute__((unused)) static void path_join(char *out, const char *a, const char *b) {
    th_fmt(out, PATH_MAX, "%s/%s", a, b);
}

/* Creates (or truncates) path with data and the exact mode; 0 or -1. */
__attribute__((unused)) static int write_file(const char *path, const char *data, size_t len,
                                              mode_t mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return -1;
    ssize_t n = write(fd, data, len);
    close(fd);
    if (n != (ssize_t)len) return -1;
    return chmod(path, mode);
}

/* Reads a whole (small) file to EOF into buf (at most cap - 1 bytes, then a NUL); returns its
   length, or -1 with errno set if it cannot be opened or read. */
__attribute__((unused)) static ssize_t read_file(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t n = 0;
    if (fd < 0) return -1;
    while (n < cap - 1) { /* to EOF: a seq_file like cgroup.procs gives one page per read */
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    return (ssize_t)n;
}

__attribute__((unused)) static int copy_file(const char *src, const char *dst, mode_t mode) {
    static char buf[1 << 16];
    int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
    ssize_t n = -1;
    if (in < 0) return -1;
    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    while (out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) goto done;
    rc = out >= 0 && n == 0 ? fchmod(out, mode) : -1;
done:
    close(in);
    if (out >= 0) close(out);
    return rc;
}

/* mkdir base/NAME (0755) for each of names (NULL-terminated); one that exists is fine. */
__attribute__((unused)) static int make_dirs(const char *base, const char *const *names) {
    char p[PATH_MAX];
    for (; *names; names++) {
        path_join(p, base, *names);
        if (mkdir(p, 0755) != 0 && errno != EEXIST) return -1;
    }
    return 0;
}

/* The number of entries of a directory besides . and ..; -1 if it cannot be opened. */
__attribute__((unused)) static int dir_entries(const char *path) {
    DIR *d = opendir(path);
    int n = 0;
    struct dirent *e;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

/* Removes trailing newlines (and carriage returns). */
__attribute__((unused)) static void trim(char *s) {
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
}

/* The directory of this executable (.../build/tests, where probe and attack are built) and, if
   build_dir is not NULL, its parent (.../build).  Both PATH_MAX. */
__attribute__((unused)) static int find_build_dir(char *tests_dir, char *build_dir) {
    ssize_t n = readlink("/proc/self/exe", tests_dir, PATH_MAX - 1);
    if (n <= 0) return -1;
    tests_dir[n] = '\0';
    *strrchr(tests_dir, '/') = '\0'; /* .../build/tests */
    if (!build_dir) return 0;
    th_fmt(build_dir, PATH_MAX, "%s", tests_dir);
    char *slash = strrchr(build_dir, '/');
    if (!slash) return -1;
    *slash = '\0'; /* .../build */
    return 0;
}

/* g_tmp: a new directory /tmp/NAME.XXXXXX with the given mode; 0 or -1 (g_tmp empty if it was
   not made). */
__attribute__((unused)) static int make_fixture_dir(const char *name, mode_t mode) {
    th_fmt(g_tmp, sizeof g_tmp, "/tmp/%s.XXXXXX", name);
    if (!mkdtemp(g_tmp)) {
        g_tmp[0] = '\0';
        return -1;
    }
    return chmod(g_tmp, mode);
}

/* A rootfs at dir (a new directory): bin/NAME, a copy of the static program src (build/tests/
   probe or attack), and the directories in dirs (NULL-terminated; NULL for none). */
__attribute__((unused)) static int make_rootfs(const char *dir, const char *src, const char *name,
                                               const char *const *dirs) {
    static const char *const bin[] = {"bin", NULL};
    char p[PATH_MAX];
    if (mkdir(dir, 0755) != 0 || make_dirs(dir, bin) != 0) return -1;
    if (dirs && make_dirs(dir, dirs) != 0) return -1;
    th_fmt(p, sizeof p, "%s/bin/%s", dir, name);
    return copy_file(src, p, 0755);
}

/* Symlinks in a rootfs that lead out of it: evil_abs and evil_rel (../..) to g_hostside, and with
   a canary file also evil_file and evil_file_rel to it. */
__attribute__((unused)) static int make_evil_links(const char *dir, const char *canary) {
    char p[PATH_MAX], target[PATH_MAX + 64];
    path_join(p, dir, "evil_abs");
    if (symlink(g_hostside, p) != 0) return -1;
    th_fmt(target, sizeof target, "../../../../../../../../../..%s", g_hostside);
    path_join(p, dir, "evil_rel");
    if (symlink(target, p) != 0) return -1;
    if (!canary) return 0;
    path_join(p, dir, "evil_file");
    if (symlink(canary, p) != 0) return -1;
    th_fmt(target, sizeof target, "../../../../../../../../../..%s", canary);
    path_join(p, dir, "evil_file_rel");
    return symlink(target, p);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

/* Removes g_tmp and what is in it (in the parent only; once). */
__attribute__((unused)) static void remove_fixture_dir(void) {
    if (getpid() != g_parent || !g_tmp[0]) return;
    /* FTW_MOUNT: never descend into something mounted below (a failed test's leftover). */
    nftw(g_tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
    g_tmp[0] = '\0';
}

/* A suite's main: setup makes the fixtures (a failure, in g_fixture_error, counts as one failed
   test), then the tests run; teardown runs after them (and on SIGINT/SIGTERM). */
__attribute__((unused)) static int suite_main(int argc, char **argv, void (*setup)(void),
                                              void (*teardown)(void)) {
    g_parent = getpid();
    umask(022);
    setup();
    th_set_teardown(teardown);
    if (g_fixture_error[0]) {
        printf("FAIL fixtures: %s\n0 passed, 1 failed\n", g_fixture_error);
        teardown();
        return 1;
    }
    return th_main(argc, argv);
}

/* ---- identities ---- */

__attribute__((unused)) static void require_root(void) {
    if (geteuid() != 0) SKIP("needs root (run the suite as root)");
}

/* Switches this test process to uid/gid 65534 with no groups.  set*id cleared the dumpable flag;
   dumpable = 1 sets it again, as it is for a process exec'd by an ordinary user, dumpable = 0 keeps
   the state of a server that dropped root without exec.  Skips when that user cannot create user
   namespaces. */
__attribute__((unused)) static void become_nobody_dumpable(int dumpable) {
    require_root();
    CHECK_SYS(setgroups(0, NULL));
    CHECK_SYS(setresgid(NOBODY, NOBODY, NOBODY));
    CHECK_SYS(setresuid(NOBODY, NOBODY, NOBODY));
    CHECK_SYS(prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0));
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
    int st;
    CHECK_SYS(waitpid(pid, &st, 0));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        SKIP("unprivileged user namespaces are not available on this machine");
}

/* uid/gid 65534 as an ordinary user would be (dumpable). */
__attribute__((unused)) static void become_nobody(void) { become_nobody_dumpable(1); }

/* ---- containers a test holds: destroy_held (a th_set_cleanup function, or part of one)
   destroys those still held when the test fails or skips ---- */

typedef struct held {
    ctr_container *c;
    pid_t owner;
} held;
static held g_held[64];

static void hold(ctr_container *c) {
    for (int i = 0; i < 64; i++)
        if (!g_held[i].c) {
            g_held[i].c = c;
            g_held[i].owner = getpid();
            return;
        }
}

/* ctr_destroy of a container spawn_ok returned (no longer held). */
__attribute__((unused)) static void destroy(ctr_container *c) {
    for (int i = 0; i < 64; i++)
        if (g_held[i].c == c) g_held[i].c = NULL;
    ctr_destroy(c);
}

/* Destroys the containers this process still holds. */
__attribute__((unused)) static void destroy_held(void) {
    for (int i = 0; i < 64; i++)
        if (g_held[i].c && g_held[i].owner == getpid()) {
            ctr_destroy(g_held[i].c);
            g_held[i].c = NULL;
        }
}

/* ---- running containers ---- */

typedef struct run {
    ctr_result res;
    char out[65536]; /* stdout, trailing newlines removed */
    size_t outlen;   /* bytes of stdout before the trimming */
    char err[8192];  /* stderr, likewise */
} run;

/* The default spec of a test: argv in g_root, stdin /dev/null, stdout and stderr pipes. */
__attribute__((unused)) static void spec_init(ctr_spec *s, const char *const *argv) {
    memset(s, 0, sizeof *s);
    s->argv = argv;
    s->rootfs = g_root;
    s->stdio[0] = CTR_STDIO_NULL;
    s->stdio[1] = CTR_STDIO_PIPE;
    s->stdio[2] = CTR_STDIO_PIPE;
}

/* An errno's name (EPERM), "0" for none. */
__attribute__((unused)) static const char *errname(int e) {
    const char *n = e ? strerrorname_np(e) : "0";
    return n ? n : "?";
}

/* The names ctr_step_name() must give, by step. */
static const char *const g_step_names[CTR_STEP_COUNT] = {
    "none",   "spec",  "resource",   "clone",  "userns",       "timens",   "hostname", "network",
    "rootfs", "mount", "pivot_root", "cwd",    "stdio",        "identity", "init",     "exec",
    "wait",   "kill",  "cgroup",     "rlimit", "capabilities", "seccomp",  "landlock"};

/* Run before each ctr_spawn of spawn_ok and spawn_error, if a suite sets it (test_limits notes
   the process, as its container cgroups are named after it). */
static void (*g_spawn_hook)(void);

/* ctr_spawn that must succeed; the container is held until destroy(). */
__attribute__((unused)) static ctr_container *spawn_ok(int line, const ctr_spec *s) {
    ctr_container *c = NULL;
    ctr_error e;
    memset(&e, 0, sizeof e);
    if (g_spawn_hook) g_spawn_hook();
    if (ctr_spawn(s, &c, &e) != 0)
        TH_FAILF("line %d: ctr_spawn failed: step %s, %s, path '%s': %s", line,
                 ctr_step_name(e.step), errname(e.sys_errno), e.path, e.msg);
    if (!c) TH_FAILF("line %d: ctr_spawn returned 0 but no container", line);
    hold(c);
    return c;
}
#define SPAWN(s) spawn_ok(__LINE__, s)

/* Appends what can be read from fd; returns 0 at EOF. */
static int read_some(int fd, char *buf, size_t cap, size_t *len) {
    char tmp[4096];
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
    if (n <= 0) return 0;
    size_t k = (size_t)n < cap - *len ? (size_t)n : cap - *len;
    memcpy(buf + *len, tmp, k);
    *len += k;
    buf[*len] = '\0';
    return 1;
}

/* Reads two fds (-1 = none) to EOF into b1 and b2 (capacities c1, c2, NUL-terminated); *l1 (if
   not NULL) gets the length of b1. */
__attribute__((unused)) static void drain2(int fd1, char *b1, size_t c1, size_t *l1, int fd2,
                                           char *b2, size_t c2) {
    struct pollfd p[2] = {{fd1, POLLIN, 0}, {fd2, POLLIN, 0}};
    char *buf[2] = {b1, b2};
    size_t cap[2] = {c1 - 1, c2 - 1}, len[2] = {0, 0};
    b1[0] = b2[0] = '\0';
    while (p[0].fd >= 0 || p[1].fd >= 0) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            FAIL("poll: %s", strerror(errno));
        }
        for (int i = 0; i < 2; i++)
            if (p[i].fd >= 0 && p[i].revents && !read_some(p[i].fd, buf[i], cap[i], &len[i]))
                p[i].fd = -1;
    }
    if (l1) *l1 = len[0];
}

/* ---- running host programs (ctrun, hello) ---- */

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})

typedef struct cmd_result {
    int status; /* exit code, or 128 + signal */
    char out[16384];
    char err[8192];
} cmd_result;

/* Runs argv[0] (a path) with stdin /dev/null, its stdout and stderr read to EOF and trimmed. */
__attribute__((unused)) static void run_cmd(const char *const *argv, cmd_result *r) {
    int out[2], err[2];
    CHECK_SYS(pipe2(out, O_CLOEXEC));
    CHECK_SYS(pipe2(err, O_CLOEXEC));
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(255);
    }
    close(out[1]);
    close(err[1]);
    drain2(out[0], r->out, sizeof r->out, NULL, err[0], r->err, sizeof r->err);
    close(out[0]);
    close(err[0]);
    int st;
    CHECK_SYS(waitpid(pid, &st, 0));
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    trim(r->out);
    trim(r->err);
}

__attribute__((unused)) static int count_lines(const char *s) {
    int n = *s ? 1 : 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* Reads the container's stdout and stderr (those that are pipes) to EOF, untrimmed. */
__attribute__((unused)) static void drain(ctr_container *c, run *r) {
    drain2(ctr_stdio_fd(c, 1), r->out, sizeof r->out, &r->outlen, ctr_stdio_fd(c, 2), r->err,
           sizeof r->err);
}

__attribute__((unused)) static void wait_ok(int line, ctr_container *c, ctr_result *res) {
    ctr_error e;
    memset(res, 0, sizeof *res);
    if (ctr_wait(c, res, &e) != 0) TH_FAILF("line %d: ctr_wait failed: %s", line, e.msg);
}
#define WAIT(c, res) wait_ok(__LINE__, c, res)

/* Spawns, collects stdout/stderr (trimmed), waits and destroys. */
__attribute__((unused)) static void run_spec(int line, const ctr_spec *s, run *r) {
    ctr_container *c = spawn_ok(line, s);
    drain(c, r);
    wait_ok(line, c, &r->res);
    destroy(c);
    trim(r->out);
    trim(r->err);
}
#define RUN(s, r) run_spec(__LINE__, s, r)

__attribute__((unused)) static void expect_exit(int line, const run *r, int code) {
    if (!r->res.exited || r->res.exit_code != code || r->res.signaled)
        TH_FAILF("line %d: expected exit %d, got exited=%d code=%d signaled=%d sig=%d; stdout "
                 "\"%s\" stderr \"%s\"",
                 line, code, r->res.exited, r->res.exit_code, r->res.signaled, r->res.term_signal,
                 r->out, r->err);
}
#define ASSERT_EXIT(r, code) expect_exit(__LINE__, r, code)

__attribute__((unused)) static void expect_signal(int line, const ctr_result *res, int sig) {
    if (!res->signaled || res->term_signal != sig || res->exited)
        TH_FAILF("line %d: expected death by signal %d, got exited=%d code=%d signaled=%d sig=%d",
                 line, sig, res->exited, res->exit_code, res->signaled, res->term_signal);
}
#define ASSERT_SIGNAL(res, sig) expect_signal(__LINE__, res, sig)

/* Runs a spec and returns its stdout (static buffer) after checking exit status 0. */
__attribute__((unused)) static const char *spec_line(int line, const ctr_spec *s) {
    static run r;
    run_spec(line, s, &r);
    expect_exit(line, &r, 0);
    return r.out;
}
#define SPEC_OUT(s) spec_line(__LINE__, s)

/* ctr_spawn must fail (want says how, for the message): -1, *out left NULL, and err.msg one
   non-empty line.  Returns the error. */
static ctr_error spawn_error(int line, const ctr_spec *s, const char *want) {
    ctr_container *c = NULL;
    ctr_error e;
    memset(&e, 0, sizeof e);
    if (g_spawn_hook) g_spawn_hook();
    int rc = ctr_spawn(s, &c, &e);
    if (rc == 0) {
        if (c) ctr_destroy(c);
        TH_FAILF("line %d: ctr_spawn succeeded; expected %s", line, want);
    }
    if (rc != -1) TH_FAILF("line %d: ctr_spawn returned %d, expected -1", line, rc);
    if (c) TH_FAILF("line %d: a failed ctr_spawn left *out set", line);
    if (!e.msg[0] || strchr(e.msg, '\n') || !memchr(e.msg, '\0', sizeof e.msg))
        TH_FAILF("line %d: err.msg must be one non-empty line, got '%s'", line, e.msg);
    return e;
}

/* ctr_spawn must fail at `step` with `errnum` (and `path`, unless NULL), with a one-line message
   that contains the errno text, and ctr_step_name must name the step. */
__attribute__((unused)) static void expect_spawn_error(int line, const ctr_spec *s, ctr_step step,
                                                       int errnum, const char *path) {
    char want[128];
    const char *name = g_step_names[step] ? g_step_names[step] : "(not in g_step_names)";
    th_fmt(want, sizeof want, "step %s, %s", name, errname(errnum));
    ctr_error e = spawn_error(line, s, want);
    if (e.step != step || e.sys_errno != errnum)
        TH_FAILF("line %d: expected %s; got step %s, %s (path '%s', msg '%s')", line, want,
                 ctr_step_name(e.step), errname(e.sys_errno), e.path, e.msg);
    if (path && strcmp(e.path, path) != 0)
        TH_FAILF("line %d: expected err.path '%s', got '%s' (msg '%s')", line, path, e.path, e.msg);
    if (errnum && !strstr(e.msg, strerror(errnum)))
        TH_FAILF("line %d: err.msg should contain the errno text '%s', got '%s'", line,
                 strerror(errnum), e.msg);
    if (strcmp(ctr_step_name(e.step), name) != 0)
        TH_FAILF("line %d: ctr_step_name gave '%s', expected '%s'", line, ctr_step_name(e.step),
                 name);
}
#define EXPECT_SPAWN_ERROR(s, step, errnum, path) \
    expect_spawn_error(__LINE__, s, step, errnum, path)

/* A mount on target, a path through one of the evil symlinks that lead out of the rootfs
   (CVE-2021-30465 and kin), resolves inside the root as it would for the container itself
   (RESOLVE_IN_ROOT, as runc and crun do): the container starts and runs argv to exit 0, nothing
   is made in g_hostside, the host's mount table and the canary (if not NULL) are unchanged.  A
   bind mounts bind_source. */
__attribute__((unused)) static void expect_escape_contained(int line, const char *const *argv,
                                                            ctr_mount_type type, const char *target,
                                                            const char *bind_source,
                                                            const char *canary) {
    ctr_spec s;
    ctr_mount m;
    char before[256] = "", after[256] = "";
    run r;
    memset(&m, 0, sizeof m);
    m.type = type;
    m.target = target;
    m.source = type == CTR_MOUNT_BIND ? bind_source : type == CTR_MOUNT_SYMLINK ? "/x" : NULL;
    m.data = "pwned";
    m.data_len = 5;
    spec_init(&s, argv);
    s.mounts = &m;
    s.nmounts = 1;
    if (canary) read_file(canary, before, sizeof before);
    int mounts = th_mount_count();
    run_spec(line, &s, &r);
    expect_exit(line, &r, 0);
    if (dir_entries(g_hostside) != 0)
        TH_FAILF("line %d: %s created something on the host", line, target);
    if (th_mount_count() != mounts)
        TH_FAILF("line %d: %s changed the host mount table", line, target);
    if (canary && (read_file(canary, after, sizeof after) < 0 || strcmp(before, after) != 0))
        TH_FAILF("line %d: %s changed the host file %s", line, target, canary);
}

/* Reads one line from fd (blocking), without the newline. */
__attribute__((unused)) static void read_line(int fd, char *buf, size_t len) {
    size_t n = 0;
    while (n + 1 < len) {
        ssize_t r = read(fd, buf + n, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0 || buf[n] == '\n') break;
        n++;
    }
    buf[n] = '\0';
}

#endif /* TESTS_COMMON_H */
