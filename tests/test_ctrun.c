/* test_ctrun - ctrun as a user meets it: its messages (how the command was killed, bad options
   and the closest one, a memory limit meant as megabytes), --version, --env NAME, relative host
   paths.  Real containers, through build/ctrun (tests/probe.c is /bin/probe in the test rootfs).

       build/tests/test_ctrun [NAME-SUBSTRING...]

   Run as root (the memory test needs a cgroup; as another user it is skipped).  Fixtures live in a
   mkdtemp directory under /tmp, removed at exit. */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "common.h"

#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static char g_ctrun[PATH_MAX]; /* build/ctrun */
static char g_data[PATH_MAX];  /* g_tmp/data, with hello.txt */

static void fixture_setup(void) {
    static const char *const dirs[] = {"proc", "dev", "tmp", NULL};
    char tests_dir[PATH_MAX], build_dir[PATH_MAX], src[PATH_MAX + 16], p[PATH_MAX];
    if (find_build_dir(tests_dir, build_dir) != 0 || make_fixture_dir("ctrun-test", 0755) != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "fixture dir: %s", strerror(errno));
        return;
    }
    th_fmt(g_ctrun, sizeof g_ctrun, "%s/ctrun", build_dir);
    th_fmt(src, sizeof src, "%s/probe", tests_dir);
    path_join(g_root, g_tmp, "rootfs");
    path_join(g_data, g_tmp, "data");
    path_join(p, g_data, "hello.txt");
    if (make_rootfs(g_root, src, "probe", dirs) != 0 || mkdir(g_data, 0755) != 0 ||
        write_file(p, "hello\n", 6, 0644) != 0)
        th_fmt(g_fixture_error, sizeof g_fixture_error, "fixtures in %s: %s", g_tmp,
               strerror(errno));
    else if (access(g_ctrun, X_OK) != 0)
        th_fmt(g_fixture_error, sizeof g_fixture_error, "%s: %s", g_ctrun, strerror(errno));
}

static void fixture_teardown(void) { remove_fixture_dir(); }

/* argv fails with status 125 before anything runs, with exactly one stderr line containing
   want. */
static void expect_usage_error(int line, const char *const *argv, const char *want) {
    cmd_result r;
    run_cmd(argv, &r);
    if (r.status != 125 || count_lines(r.err) != 1 || strncmp(r.err, "ctrun: ", 7) != 0 ||
        !strstr(r.err, want) || r.out[0])
        TH_FAILF("line %d: expected status 125 and one line \"ctrun: ...%s...\"; got %d, stderr "
                 "\"%s\", stdout \"%s\"",
                 line, want, r.status, r.err, r.out);
}
#define EXPECT_USAGE_ERROR(want, ...) expect_usage_error(__LINE__, ARGV(__VA_ARGS__), want)

TEST(version) {
    cmd_result r;
    run_cmd(ARGV(g_ctrun, "--version"), &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(r.out, "ctrun (container.h) " CONTAINER_VERSION_STRING);
    ASSERT_STREQ(r.err, "");
    /* --version wins over what follows, as --help does */
    run_cmd(ARGV(g_ctrun, "--version", "--bogus"), &r);
    ASSERT_EQ(r.status, 0);
    run_cmd(ARGV(g_ctrun, "--help"), &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_CONTAINS(r.out, "  --version ");
}

TEST(unknown_option_suggests_the_closest) {
    EXPECT_USAGE_ERROR("--memroy: unknown option (did you mean --memory? see ctrun --help)",
                       g_ctrun, "--memroy", "64m", "--", "/bin/true");
    EXPECT_USAGE_ERROR("--hostnaem=x: unknown option (did you mean --hostname?", g_ctrun,
                       "--hostnaem=x", "/bin/true");
    EXPECT_USAGE_ERROR("--rootf: unknown option (did you mean --rootfs or --rootfs-rw?", g_ctrun,
                       "--rootf", "/", "/bin/true");
    /* no abbreviations, even unambiguous ones: a later option could make them ambiguous */
    EXPECT_USAGE_ERROR("--hostn: unknown option (did you mean --hostname?", g_ctrun, "--hostn", "x",
                       "/bin/true");
    EXPECT_USAGE_ERROR("--mem: unknown option (did you mean --memory or --memory-swap?", g_ctrun,
                       "--mem", "64m", "/bin/true");
    EXPECT_USAGE_ERROR("-ro: unknown option (did you mean --ro?", g_ctrun, "-ro", "/bin/true");
    EXPECT_USAGE_ERROR("-memory: unknown option (did you mean --memory?", g_ctrun, "-memory", "1g",
                       "/bin/true");
    EXPECT_USAGE_ERROR("--ro=yes: --ro takes no argument", g_ctrun, "--ro=yes", "/bin/true");
    EXPECT_USAGE_ERROR("--bind: missing argument", g_ctrun, "--bind");
    /* nothing close: no guess */
    EXPECT_USAGE_ERROR("--frobnicate: unknown option (see ctrun --help)", g_ctrun, "--frobnicate",
                       "/bin/true");
    EXPECT_USAGE_ERROR("-x: unknown option (see ctrun --help)", g_ctrun, "-x", "/bin/true");
}

TEST(memory_meant_as_megabytes_is_refused) {
    char marker[PATH_MAX], bind[PATH_MAX + 16];
    path_join(marker, g_data, "ran");
    th_fmt(bind, sizeof bind, "%s:/data", g_data);
    EXPECT_USAGE_ERROR("--memory: 512 bytes is too little for a container (at least 1m); did you "
                       "mean 512m?",
                       g_ctrun, "--rootfs", g_root, "--bind", bind, "--memory", "512", "--",
                       "/bin/probe", "write", "/data/ran");
    EXPECT_USAGE_ERROR("--memory: 100k is too little for a container (at least 1m)", g_ctrun,
                       "--memory", "100k", "/bin/true");
    EXPECT_USAGE_ERROR("--memory: the limit must be at least 1m", g_ctrun, "--memory", "0",
                       "/bin/true");
    EXPECT_USAGE_ERROR("--memory: bad size '12q'", g_ctrun, "--memory", "12q", "/bin/true");
    ASSERT_EQ(access(marker, F_OK), -1); /* nothing ran */
}

TEST(env_name_passes_the_host_value) {
    cmd_result r;
    setenv("CTRUN_TEST_VAR", "from the host", 1);
    unsetenv("CTRUN_TEST_UNSET");
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--env", "CTRUN_TEST_VAR", "--env",
                 "CTRUN_TEST_UNSET", "--env", "A=1", "--", "/bin/probe", "env"),
            &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(r.out, "A=1\nCTRUN_TEST_VAR=from the host\nHOME=/\n" DEFAULT_PATH);
    /* the host's PATH, when asked for, replaces the default one */
    setenv("PATH", "/bin:/host/only", 1);
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--env", "PATH", "--", "/bin/probe", "env"), &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(r.out, "HOME=/\nPATH=/bin:/host/only");
    EXPECT_USAGE_ERROR("--env: expected K=V or NAME, got '=x'", g_ctrun, "--env", "=x",
                       "/bin/true");
    EXPECT_USAGE_ERROR("--env: expected K=V or NAME, got ''", g_ctrun, "--env", "", "/bin/true");
}

/* Host paths relative to the current directory: --rootfs, --bind, --ro-bind, --seccomp, --report
   work, and errors name them absolute. */
TEST(relative_host_paths) {
    cmd_result r;
    char want[PATH_MAX + 64], report[PATH_MAX], buf[512];
    CHECK_SYS(chdir(g_tmp));
    run_cmd(ARGV(g_ctrun, "--rootfs", "rootfs", "--ro-bind", "./data/:/tmp/d", "--", "/bin/probe",
                 "cat", "/tmp/d/hello.txt"),
            &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(r.out, "hello");
    run_cmd(ARGV(g_ctrun, "--rootfs", "./rootfs", "--bind", "data:/w", "--cwd", "/w", "--",
                 "/bin/probe", "write", "written"),
            &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(r.out, "ok");
    path_join(want, g_data, "written");
    ASSERT_EQ(access(want, F_OK), 0);
    CHECK_SYS(chdir(g_data));
    run_cmd(ARGV(g_ctrun, "--rootfs", "../rootfs", "--bind", ".:/w", "--", "/bin/probe", "cat",
                 "/w/hello.txt"),
            &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(r.out, "hello");

    /* errors name the absolute path */
    CHECK_SYS(chdir(g_tmp));
    th_fmt(want, sizeof want, "bind source %s/missing: No such file or directory", g_tmp);
    run_cmd(ARGV(g_ctrun, "--rootfs", "rootfs", "--bind", "missing:/x", "--", "/bin/probe"), &r);
    ASSERT_EQ(r.status, 125);
    ASSERT_CONTAINS(r.err, want);
    th_fmt(want, sizeof want, "rootfs %s/nope: No such file or directory", g_tmp);
    run_cmd(ARGV(g_ctrun, "--rootfs", "./nope/", "--", "/bin/probe"), &r);
    ASSERT_EQ(r.status, 125);
    ASSERT_CONTAINS(r.err, want);
    th_fmt(want, sizeof want, "--seccomp: %s/no-such-file: No such file or directory", g_tmp);
    EXPECT_USAGE_ERROR(want, g_ctrun, "--seccomp", "no-such-file", "/bin/true");

    /* --seccomp FILE and --report FILE, relative */
    ASSERT_EQ(write_file("rules", "getpid errno ENOSYS\n", 20, 0644), 0);
    run_cmd(ARGV(g_ctrun, "--rootfs", "rootfs", "--seccomp", "rules", "--report", "out.json", "--",
                 "/bin/probe", "pid"),
            &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(r.out, "-38"); /* probe pid prints getpid()'s raw result: -ENOSYS */
    path_join(report, g_tmp, "out.json");
    ASSERT_GE(read_file(report, buf, sizeof buf), 1);
    ASSERT_CONTAINS(buf, "\"exit_code\":0");
}

/* One line says how the command was killed, unless --quiet; none when it exits by itself. */
TEST(kill_messages) {
    cmd_result r;
    run_cmd(
        ARGV(g_ctrun, "--rootfs", g_root, "--timeout", "0.5", "--", "/bin/probe", "sleep", "30"),
        &r);
    ASSERT_EQ(r.status, 124);
    ASSERT_STREQ(r.err, "ctrun: killed: timed out (timeout 0.5 s)");
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--quiet", "--timeout", "0.5", "--", "/bin/probe",
                 "sleep", "30"),
            &r);
    ASSERT_EQ(r.status, 124);
    ASSERT_STREQ(r.err, "");
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--", "/bin/probe", "segv"), &r);
    ASSERT_EQ(r.status, 128 + SIGSEGV);
    ASSERT_STREQ(r.err, "ctrun: killed: signal 11 (SIGSEGV, Segmentation fault)");
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--init", "--", "/bin/probe", "kill", "15"), &r);
    ASSERT_EQ(r.status, 128 + SIGTERM);
    ASSERT_STREQ(r.err, "ctrun: killed: signal 15 (SIGTERM, Terminated)");
    /* shells say nothing of SIGPIPE and SIGINT; nor does ctrun */
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--init", "--", "/bin/probe", "kill", "13"), &r);
    ASSERT_EQ(r.status, 128 + SIGPIPE);
    ASSERT_STREQ(r.err, "");
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--timeout", "30", "--", "/bin/probe", "exit", "3"),
            &r);
    ASSERT_EQ(r.status, 3);
    ASSERT_STREQ(r.err, "");
}

/* Needs a memory cgroup: root, and a hierarchy with the memory controller. */
static void run_with_memory_limit(const char *const *argv, cmd_result *r) {
    if (geteuid() != 0) SKIP("needs root for a memory cgroup");
    run_cmd(argv, r);
    if (r->status == 125 && strstr(r->err, "cgroup") && !th_must_work())
        SKIP("no memory cgroup here: %s", r->err);
}

TEST(out_of_memory_message) {
    cmd_result r;
    run_with_memory_limit(
        ARGV(g_ctrun, "--rootfs", g_root, "--memory", "48m", "--", "/bin/probe", "alloc", "200"),
        &r);
    ASSERT_EQ(r.status, 128 + SIGKILL);
    ASSERT_STREQ(r.err, "ctrun: killed: out of memory (memory limit 48 MiB)");
    /* the OOM killer takes a child: the command exits 0, and the line says what happened */
    run_with_memory_limit(ARGV(g_ctrun, "--rootfs", g_root, "--memory", "48m", "--", "/bin/probe",
                               "child-alloc", "200"),
                          &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(r.out, "child killed by 9");
    ASSERT_STREQ(r.err, "ctrun: out of memory: the OOM killer killed a process of the container "
                        "(memory limit 48 MiB)");
    run_with_memory_limit(ARGV(g_ctrun, "--rootfs", g_root, "--quiet", "--memory", "48m", "--",
                               "/bin/probe", "alloc", "200"),
                          &r);
    ASSERT_EQ(r.status, 128 + SIGKILL);
    ASSERT_STREQ(r.err, "");
}

/* Starts ctrun with argv; its stdout and stderr go to a pipe whose read end is returned in *out. */
static pid_t start_ctrun(const char *const *argv, int *out) {
    int p[2];
    CHECK_SYS(pipe2(p, O_CLOEXEC));
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    *out = p[0];
    return pid;
}

/* Ctrl-C (SIGINT to ctrun) stops a command that is pid 1 and has no handler for it, with 130;
   a command that handles it decides for itself. */
TEST(sigint_stops_a_command_that_ignores_it_as_pid_1) {
    int out, st;
    char buf[4096] = "";
    pid_t pid =
        start_ctrun(ARGV(g_ctrun, "--rootfs", g_root, "--", "/bin/probe", "sleep", "60"), &out);
    th_sleep_ms(1000);
    double t0 = th_now();
    kill(pid, SIGINT);
    CHECK_SYS(waitpid(pid, &st, 0));
    ASSERT_LT(th_now() - t0, 10.0);
    ssize_t n = read(out, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(out);
    ASSERT_TRUE(WIFEXITED(st));
    ASSERT_EQ(WEXITSTATUS(st), 130);
    ASSERT_STREQ(buf, ""); /* silent, as a shell is for SIGINT */
    /* SIGTERM the same way: 143 and a line saying so */
    pid = start_ctrun(ARGV(g_ctrun, "--rootfs", g_root, "--", "/bin/probe", "sleep", "60"), &out);
    th_sleep_ms(1000);
    kill(pid, SIGTERM);
    CHECK_SYS(waitpid(pid, &st, 0));
    n = read(out, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(out);
    ASSERT_EQ(WEXITSTATUS(st), 143);
    ASSERT_CONTAINS(buf, "ctrun: killed: signal 15 (SIGTERM");
    /* a handler of its own: it gets the signal and exits as it likes */
    pid = start_ctrun(ARGV(g_ctrun, "--rootfs", g_root, "--", "/bin/probe", "trap"), &out);
    for (int i = 0; i < 100; i++) { /* until it says ready */
        struct pollfd p = {out, POLLIN, 0};
        if (poll(&p, 1, 100) == 1) break;
    }
    kill(pid, SIGINT);
    CHECK_SYS(waitpid(pid, &st, 0));
    close(out);
    ASSERT_EQ(WEXITSTATUS(st), 42);
}

TEST(fd_passes_descriptors_in) {
    cmd_result r;
    char arg[32];
    int p[2], fd;
    CHECK_SYS(pipe(p));
    fd = fcntl(p[1], F_DUPFD, 20); /* inheritable, at 20 in ctrun */
    CHECK_SYS(fd);
    close(p[1]);
    th_fmt(arg, sizeof arg, "%d:7", fd);
    run_cmd(ARGV(g_ctrun, "--rootfs", g_root, "--fd", arg, "--", "/bin/probe", "fds"), &r);
    close(fd);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(r.out, "0 1 2 3 7");
    char buf[8];
    ASSERT_EQ(read(p[0], buf, sizeof buf), 0); /* no copy of the write end left anywhere */
    close(p[0]);
    EXPECT_USAGE_ERROR("--fd 1: 0, 1 and 2", g_ctrun, "--fd", "1", "--", "/bin/probe");
    EXPECT_USAGE_ERROR("descriptor 99 is not open", g_ctrun, "--fd", "99", "--", "/bin/probe");
}

/* -t: the command gets a terminal of its own; -t -i on a terminal: raw mode, input relayed, window
   size changes followed, and the terminal restored at exit. */
TEST(tty_and_interactive) {
    cmd_result r;
    run_cmd(ARGV(g_ctrun, "-t", "--", "/bin/sh", "-c", "tty; stty size"), &r);
    ASSERT_EQ(r.status, 0);
    ASSERT_CONTAINS(r.out, "/dev/pts/0");
    ASSERT_CONTAINS(r.out, "24 80");
    /* on a terminal of ours */
    int master;
    struct winsize ws = {30, 100, 0, 0};
    struct termios before, after;
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    CHECK_SYS(pid);
    if (pid == 0) {
        execl(g_ctrun, g_ctrun, "-t", "-i", "--", "/bin/sh", (char *)NULL);
        _exit(127);
    }
    char buf[8192];
    size_t n = 0;
    double end;
    const char *script = "stty size; echo one$((1+0))\n";
    th_sleep_ms(500);
    ASSERT_EQ(write(master, script, strlen(script)), (ssize_t)strlen(script));
    for (end = th_now() + 10; th_now() < end && !strstr(buf, "one1");) {
        struct pollfd p = {master, POLLIN, 0};
        if (poll(&p, 1, 200) == 1) {
            ssize_t k = read(master, buf + n, sizeof buf - 1 - n);
            if (k <= 0) break;
            n += (size_t)k;
            buf[n] = '\0';
        }
    }
    ASSERT_CONTAINS(buf, "30 100");
    ws.ws_row = 40;
    ws.ws_col = 120;
    CHECK_SYS(ioctl(master, TIOCSWINSZ, &ws)); /* the kernel sends ctrun SIGWINCH */
    th_sleep_ms(300);
    script = "stty size; exit 5\n";
    ASSERT_EQ(write(master, script, strlen(script)), (ssize_t)strlen(script));
    for (end = th_now() + 10; th_now() < end && !strstr(buf, "40 120");) {
        struct pollfd p = {master, POLLIN, 0};
        if (poll(&p, 1, 200) == 1) {
            ssize_t k = read(master, buf + n, sizeof buf - 1 - n);
            if (k <= 0) break;
            n += (size_t)k;
            buf[n] = '\0';
        }
    }
    ASSERT_CONTAINS(buf, "40 120");
    int st;
    CHECK_SYS(waitpid(pid, &st, 0));
    ASSERT_EQ(WEXITSTATUS(st), 5);
    /* the terminal is back in cooked mode */
    int slave_fd = -1;
    char name[64];
    if (ptsname_r(master, name, sizeof name) == 0) slave_fd = open(name, O_RDWR | O_NOCTTY);
    if (slave_fd >= 0) {
        CHECK_SYS(tcgetattr(slave_fd, &after));
        ASSERT_TRUE((after.c_lflag & ICANON) && (after.c_lflag & ECHO));
        close(slave_fd);
    }
    (void)before;
    close(master);
}

int main(int argc, char **argv) { return suite_main(argc, argv, fixture_setup, fixture_teardown); }
