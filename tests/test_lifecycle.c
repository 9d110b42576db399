/* test_lifecycle.c - the lifecycle and runtime features of manual section 14: a direct child,
   a container created but not started (wait_start, ctr_start, a start FIFO another process
   writes), a released handle and a container attached to later (ctr_release, ctr_attach),
   namespaces joined by path, exact cgroup paths, supplementary groups, umask, oom_score_adj,
   sysctls, masked and read-only paths, device nodes, devpts and cgroup mounts, mount flags. */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "common.h"

#include <sys/vfs.h>

static char g_fifo[PATH_MAX];

static void fixture_setup(void) {
    char tests_dir[PATH_MAX], src[PATH_MAX + 16], p[PATH_MAX];
    static const char *const dirs[] = {"proc", "dev", "tmp", "etc", "sys", NULL};
    if (find_build_dir(tests_dir, NULL) != 0 || make_fixture_dir("ctrlife", 0755) != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "fixture dirs: %s", strerror(errno));
        return;
    }
    th_fmt(src, sizeof src, "%s/probe", tests_dir);
    path_join(g_root, g_tmp, "rootfs");
    path_join(g_hostside, g_tmp, "hostside");
    path_join(g_fifo, g_tmp, "start.fifo");
    if (make_rootfs(g_root, src, "probe", dirs) != 0 || mkdir(g_hostside, 0755) != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "rootfs: %s", strerror(errno));
        return;
    }
    path_join(p, g_root, "etc/secret");
    if (write_file(p, "secret\n", 7, 0644) != 0)
        th_fmt(g_fixture_error, sizeof g_fixture_error, "etc/secret: %s", strerror(errno));
}

static void fixture_teardown(void) { remove_fixture_dir(); }

/* The parent pid of process pid (from /proc/PID/stat), or -1. */
static pid_t parent_of(pid_t pid) {
    char path[64], buf[512];
    th_fmt(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (read_file(path, buf, sizeof buf) <= 0) return -1;
    char *p = strrchr(buf, ')');
    int ppid = -1;
    if (!p || sscanf(p + 2, "%*c %d", &ppid) != 1) return -1;
    return ppid;
}

/* Data waiting on fd within ms? */
static int readable(int fd, int ms) {
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, ms) == 1;
}

TEST(direct_child_is_the_callers_own_child) {
    ctr_spec s;
    spec_init(&s, PROBE("sleep", "30"));
    s.direct_child = 1;
    ctr_container *c = SPAWN(&s);
    ASSERT_EQ(parent_of(ctr_pid(c)), getpid());
    ASSERT_EQ(kill(ctr_pid(c), 0), 0);
    ASSERT_EQ(ctr_kill(c, SIGKILL, NULL), 0);
    ctr_result res;
    WAIT(c, &res);
    ASSERT_SIGNAL(&res, SIGKILL);
    destroy(c);
    /* and the exit status is its own */
    run r;
    spec_init(&s, PROBE("exit", "7"));
    s.direct_child = 1;
    RUN(&s, &r);
    ASSERT_EXIT(&r, 7);
}

TEST(direct_child_exec_failure_fails_the_spawn) {
    ctr_spec s;
    spec_init(&s, ((const char *const[]){"/bin/nonexistent", NULL}));
    s.direct_child = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_EXEC, ENOENT, "/bin/nonexistent");
}

TEST(wait_start_runs_the_command_only_after_ctr_start) {
    ctr_spec s;
    spec_init(&s, PROBE("echo", "started"));
    s.direct_child = 1;
    s.wait_start = 1;
    ctr_container *c = SPAWN(&s);
    /* set up (its pid is there, a child of ours), but nothing has run */
    ASSERT_EQ(parent_of(ctr_pid(c)), getpid());
    ASSERT_TRUE(!readable(ctr_stdio_fd(c, 1), 300));
    ctr_error e;
    ASSERT_EQ(ctr_start(c, &e), 0);
    run r;
    memset(&r, 0, sizeof r);
    drain(c, &r);
    WAIT(c, &r.res);
    trim(r.out);
    ASSERT_STREQ(r.out, "started");
    ASSERT_EXIT(&r, 0);
    /* a second start is refused */
    ASSERT_EQ(ctr_start(c, &e), -1);
    ASSERT_EQ(e.sys_errno, EINVAL);
    destroy(c);
}

TEST(wait_start_missing_command_fails_at_spawn) {
    ctr_spec s;
    spec_init(&s, ((const char *const[]){"/bin/nonexistent", NULL}));
    s.direct_child = 1;
    s.wait_start = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_EXEC, ENOENT, "/bin/nonexistent");
    spec_init(&s, ((const char *const[]){"/etc/secret", NULL})); /* not executable */
    s.direct_child = 1;
    s.wait_start = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_EXEC, EACCES, "/etc/secret");
}

TEST(wait_start_needs_direct_child_and_no_init) {
    ctr_spec s;
    spec_init(&s, PROBE("exit", "0"));
    s.wait_start = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "wait_start");
    s.direct_child = 1;
    s.init = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "wait_start");
    spec_init(&s, PROBE("exit", "0"));
    s.start_fifo = g_fifo;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "start_fifo");
}

TEST(destroying_a_created_container_never_runs_it) {
    char p[PATH_MAX];
    ctr_spec s;
    path_join(p, g_root, "tmp/ran");
    unlink(p);
    spec_init(&s, PROBE("mkdir", "/tmp/ran"));
    s.direct_child = 1;
    s.wait_start = 1;
    s.no_default_mounts = 1; /* /tmp is the rootfs's */
    ctr_container *c = SPAWN(&s);
    destroy(c);
    usleep(100 * 1000);
    ASSERT_TRUE(access(p, F_OK) != 0);
}

/* Another process starts the container through its FIFO (as ocirun start does): it attaches by
   pid and start time. */
TEST(start_fifo_lets_another_process_start_it) {
    ctr_spec s;
    spec_init(&s, PROBE("echo", "started-elsewhere"));
    s.direct_child = 1;
    s.wait_start = 1;
    s.start_fifo = g_fifo;
    s.no_die_with_host = 1;
    unlink(g_fifo);
    ctr_container *c = SPAWN(&s);
    struct stat st;
    ASSERT_EQ(stat(g_fifo, &st), 0);
    ASSERT_TRUE(S_ISFIFO(st.st_mode));
    pid_t pid = ctr_pid(c);
    uint64_t start = ctr_proc_start_time(pid);
    ASSERT_TRUE(start != 0);
    pid_t helper = fork();
    if (helper == 0) {
        ctr_attach_spec a;
        ctr_container *h;
        memset(&a, 0, sizeof a);
        a.pid = pid;
        a.start_time = start;
        a.start_fifo = g_fifo;
        if (ctr_attach(&a, &h, NULL) != 0) _exit(1);
        if (ctr_start(h, NULL) != 0) _exit(2);
        _exit(ctr_release(h, NULL) == 0 ? 0 : 3);
    }
    int hs;
    ASSERT_EQ(waitpid(helper, &hs, 0), helper);
    ASSERT_EQ(WEXITSTATUS(hs), 0);
    run r;
    memset(&r, 0, sizeof r);
    drain(c, &r);
    WAIT(c, &r.res);
    trim(r.out);
    ASSERT_STREQ(r.out, "started-elsewhere");
    destroy(c);
    unlink(g_fifo);
}

TEST(start_fifo_that_exists_fails_and_stays) {
    ctr_spec s;
    unlink(g_fifo);
    ASSERT_EQ(write_file(g_fifo, "x", 1, 0600), 0);
    spec_init(&s, PROBE("exit", "0"));
    s.direct_child = 1;
    s.wait_start = 1;
    s.start_fifo = g_fifo;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EEXIST, g_fifo);
    ASSERT_EQ(access(g_fifo, F_OK), 0); /* not ours: left alone */
    unlink(g_fifo);
}

TEST(release_needs_no_die_with_host) {
    ctr_spec s;
    spec_init(&s, PROBE("sleep", "30"));
    s.direct_child = 1;
    ctr_container *c = SPAWN(&s);
    ctr_error e;
    ASSERT_EQ(ctr_release(c, &e), -1);
    ASSERT_EQ(e.sys_errno, EINVAL);
    destroy(c);
}

/* Released, the container runs on; attached again by pid, start time and cgroup it can be
   paused, measured, signalled and destroyed (cgroup removed). */
TEST(released_container_attached_again) {
    char cg[64];
    ctr_spec s;
    th_fmt(cg, sizeof cg, "/ctrtest-life/%d", (int)getpid());
    spec_init(&s, PROBE("sleep", "60"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    s.direct_child = 1;
    s.no_die_with_host = 1;
    s.cgroup_path = cg;
    ctr_container *c = SPAWN(&s);
    char dir[PATH_MAX];
    th_fmt(dir, sizeof dir, "%s", ctr_cgroup_path(c));
    ASSERT_TRUE(strstr(dir, cg) != NULL);
    pid_t pid = ctr_pid(c);
    uint64_t start = ctr_proc_start_time(pid);
    for (int i = 0; i < 64; i++) /* no longer held */
        if (g_held[i].c == c) g_held[i].c = NULL;
    ASSERT_EQ(ctr_release(c, NULL), 0);
    ASSERT_EQ(kill(pid, 0), 0); /* still running */
    ctr_attach_spec a;
    memset(&a, 0, sizeof a);
    a.pid = pid;
    a.start_time = start + 1; /* another process that got the same pid */
    a.cgroup_path = cg;
    ctr_container *h = NULL;
    ctr_error e;
    ASSERT_EQ(ctr_attach(&a, &h, &e), -1);
    ASSERT_EQ(e.sys_errno, ESRCH);
    a.start_time = start;
    ASSERT_EQ(ctr_attach(&a, &h, &e), 0);
    hold(h);
    ASSERT_EQ(ctr_pid(h), pid);
    ASSERT_STREQ(ctr_cgroup_path(h), dir);
    ASSERT_EQ(ctr_pause(h, &e), 0);
    ASSERT_EQ(ctr_resume(h, &e), 0);
    ctr_usage u;
    ASSERT_EQ(ctr_stats(h, &u, &e), 0);
    ASSERT_EQ(ctr_kill(h, SIGKILL, &e), 0);
    ctr_result res;
    WAIT(h, &res); /* still our child: its status is ours to take */
    ASSERT_SIGNAL(&res, SIGKILL);
    destroy(h);
    ASSERT_TRUE(access(dir, F_OK) != 0); /* the cgroup is gone */
    char parent[PATH_MAX];
    th_fmt(parent, sizeof parent, "%s", dir);
    *strrchr(parent, '/') = '\0';
    rmdir(parent);
}

TEST(attach_to_a_process_that_is_gone) {
    ctr_attach_spec a;
    ctr_container *h = NULL;
    ctr_error e;
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, NULL, 0);
    memset(&a, 0, sizeof a);
    a.pid = p;
    ASSERT_EQ(ctr_attach(&a, &h, &e), -1);
    ASSERT_EQ(e.sys_errno, ESRCH);
    ASSERT_TRUE(h == NULL);
}

TEST(exec_into_an_attached_container_as_a_direct_child) {
    ctr_spec s;
    spec_init(&s, PROBE("sleep", "60"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    s.direct_child = 1;
    s.no_die_with_host = 1;
    ctr_container *c = SPAWN(&s);
    ctr_attach_spec a;
    memset(&a, 0, sizeof a);
    a.pid = ctr_pid(c);
    a.start_time = ctr_proc_start_time(a.pid);
    a.spec = &s;
    ctr_container *h = NULL, *x = NULL;
    ctr_error e;
    ASSERT_EQ(ctr_attach(&a, &h, &e), 0);
    ctr_exec_spec xs;
    memset(&xs, 0, sizeof xs);
    xs.argv = PROBE("ls", "/proc");
    xs.stdio[0] = CTR_STDIO_NULL;
    xs.stdio[1] = CTR_STDIO_PIPE;
    xs.stdio[2] = CTR_STDIO_PIPE;
    xs.direct_child = 1;
    if (ctr_exec(h, &xs, &x, &e) != 0) FAIL("ctr_exec: %s", e.msg);
    hold(x);
    ASSERT_EQ(parent_of(ctr_pid(x)), getpid());
    run r;
    memset(&r, 0, sizeof r);
    drain(x, &r);
    WAIT(x, &r.res);
    ASSERT_EXIT(&r, 0);
    trim(r.out);
    ASSERT_TRUE(strncmp(r.out, "1 ", 2) == 0); /* the container's pid namespace */
    destroy(x);
    ASSERT_EQ(ctr_release(h, NULL), 0);
    destroy(c);
}

static const char *sysctl_of(const char *const *sysctls, const ctr_ns_path *join) {
    ctr_spec s;
    spec_init(&s, PROBE("cat", "/proc/sys/net/ipv4/ip_default_ttl"));
    s.sysctls = sysctls;
    s.ns_paths = join;
    s.nns_paths = join ? 1 : 0;
    return SPEC_OUT(&s);
}

TEST(network_namespace_joined_by_path_and_sysctls) {
    ctr_spec s;
    spec_init(&s, PROBE("sleep", "60"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    ctr_container *a = SPAWN(&s);
    char path[64];
    th_fmt(path, sizeof path, "/proc/%d/ns/net", (int)ctr_pid(a));
    ctr_ns_path join = {CTR_NS_NET, path};
    static const char *const ttl33[] = {"net.ipv4.ip_default_ttl=33", NULL};
    /* set in A's namespace by a container that joins it */
    ASSERT_STREQ(sysctl_of(ttl33, &join), "33");
    ASSERT_STREQ(sysctl_of(NULL, &join), "33");
    ASSERT_STREQ(sysctl_of(NULL, NULL), "64"); /* a new namespace: the default */
    destroy(a);
    /* the wrong kind of namespace */
    th_fmt(path, sizeof path, "/proc/self/ns/uts");
    spec_init(&s, PROBE("exit", "0"));
    s.ns_paths = &join;
    s.nns_paths = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_CLONE, EINVAL, path);
}

TEST(pid_namespace_joined_by_path) {
    for (int direct = 0; direct < 2; direct++) {
        ctr_spec s;
        spec_init(&s, PROBE("sleep", "60"));
        s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
        ctr_container *a = SPAWN(&s);
        char path[64];
        th_fmt(path, sizeof path, "/proc/%d/ns/pid", (int)ctr_pid(a));
        ctr_ns_path join = {CTR_NS_PID, path};
        spec_init(&s, PROBE("ls", "/proc"));
        s.ns_paths = &join;
        s.nns_paths = 1;
        s.direct_child = direct;
        const char *out = SPEC_OUT(&s);
        ASSERT_TRUE(strncmp(out, "1 ", 2) == 0); /* pid 1 of the joined namespace is there */
        destroy(a);
    }
}

TEST(host_sysctls_are_refused) {
    ctr_spec s;
    static const char *const bad[] = {"kernel.pid_max=100000", NULL};
    static const char *const shared[] = {"net.ipv4.ip_forward=1", NULL};
    spec_init(&s, PROBE("exit", "0"));
    s.sysctls = bad;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "kernel.pid_max");
    s.sysctls = shared;
    s.share = CTR_NS_NET;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "net.ipv4.ip_forward");
}

TEST(groups_umask_and_oom_score_adj) {
    ctr_spec s;
    static const gid_t groups[] = {10, 20};
    run r;
    spec_init(&s, PROBE("cat", "/proc/self/status"));
    s.groups = groups;
    s.ngroups = 2;
    s.set_umask = 1;
    s.umask = 077;
    s.set_oom_score_adj = 1;
    s.oom_score_adj = 500;
    RUN(&s, &r);
    ASSERT_EXIT(&r, 0);
    ASSERT_TRUE(strstr(r.out, "Groups:\t10 20") != NULL);
    ASSERT_TRUE(strstr(r.out, "Umask:\t0077") != NULL);
    spec_init(&s, PROBE("cat", "/proc/self/oom_score_adj"));
    s.set_oom_score_adj = 1;
    s.oom_score_adj = 500;
    ASSERT_STREQ(SPEC_OUT(&s), "500");
    s.oom_score_adj = 2000;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "oom_score_adj");
}

TEST(masked_and_readonly_paths) {
    ctr_spec s;
    static const char *const masked[] = {"/etc/secret", "/proc/kcore", "/nonexistent", NULL};
    static const char *const ro[] = {"/tmp", NULL};
    spec_init(&s, PROBE("read", "/etc/secret"));
    ASSERT_STREQ(SPEC_OUT(&s), "ok");
    s.masked_paths = masked;
    s.no_masks = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "EACCES");
    spec_init(&s, PROBE("mkdir", "/tmp/x"));
    s.readonly_paths = ro;
    ASSERT_STREQ(SPEC_OUT(&s), "EROFS");
}

TEST(device_nodes_are_made_and_usable) {
    ctr_spec s;
    ctr_device d[2];
    memset(d, 0, sizeof d);
    d[0].path = "/dev/mynull";
    d[0].type = 'c';
    d[0].major = 1;
    d[0].minor = 3;
    d[0].mode = 0620;
    d[1].path = "/dev/fifo";
    d[1].type = 'p';
    d[1].mode = 0600;
    spec_init(&s, PROBE("stat", "/dev/mynull", "/dev/fifo"));
    s.devices = d;
    s.ndevices = 2;
    ASSERT_STREQ(SPEC_OUT(&s), "c 620 1:3\np 600");
    spec_init(&s, PROBE("read", "/dev/mynull"));
    s.devices = d;
    s.ndevices = 1;
    ASSERT_STREQ(SPEC_OUT(&s), "ok");
    d[0].type = 'x';
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "/dev/mynull");
}

TEST(devpts_cgroup_mounts_and_flags) {
    ctr_spec s;
    static const char pts_opts[] = "gid=5,mode=620,ptmxmode=666,newinstance";
    ctr_mount m[4];
    memset(m, 0, sizeof m);
    m[0].type = CTR_MOUNT_DEV;
    m[0].target = "/dev";
    m[1].type = CTR_MOUNT_DEVPTS;
    m[1].target = "/dev/pts";
    m[1].data = pts_opts;
    m[1].data_len = sizeof pts_opts - 1;
    m[1].flags = CTR_MOUNT_NOEXEC;
    m[2].type = CTR_MOUNT_CGROUP;
    m[2].target = "/sys/fs/cgroup";
    m[2].flags = CTR_MOUNT_READONLY;
    m[3].type = CTR_MOUNT_TMPFS;
    m[3].target = "/tmp";
    m[3].flags = CTR_MOUNT_NOEXEC | CTR_MOUNT_NOATIME;
    spec_init(&s, PROBE("mounts"));
    s.mounts = m;
    s.nmounts = 4;
    s.cgroup = CTR_CGROUP_ALWAYS;
    const char *out = SPEC_OUT(&s);
    ASSERT_TRUE(strstr(out, "/dev/pts devpts") != NULL);
    ASSERT_TRUE(strstr(out, "/sys/fs/cgroup ") != NULL);
    const char *tmp = strstr(out, "/tmp tmpfs ");
    ASSERT_TRUE(tmp != NULL);
    ASSERT_TRUE(strstr(tmp, "noexec") != NULL && strstr(tmp, "noatime") != NULL);
    spec_init(&s, PROBE("cat", "/proc/self/mountinfo"));
    s.mounts = m;
    s.nmounts = 2;
    ASSERT_CONTAINS(SPEC_OUT(&s), "gid=5,mode=620,ptmxmode=666");
    /* a terminal from that devpts */
    spec_init(&s, PROBE("pty"));
    s.mounts = m;
    s.nmounts = 2;
    s.no_default_mounts = 1;
    ASSERT_TRUE(strncmp(SPEC_OUT(&s), "ok /dev/pts/", 12) == 0);
    /* the cgroup mount shows the container's own cgroup, not the host's tree */
    spec_init(&s, PROBE("ls", "/sys/fs/cgroup"));
    s.mounts = &m[2];
    s.nmounts = 1;
    s.cgroup = CTR_CGROUP_ALWAYS;
    for (int own_ns = 0; own_ns < 2; own_ns++) {
        s.share = own_ns ? 0 : CTR_NS_CGROUP;
        out = SPEC_OUT(&s);
        ASSERT_TRUE(out[0] != '\0');
        ASSERT_TRUE(strstr(out, "container.h") == NULL); /* the library's parent, on the host */
    }
    static const char bad_opts[] = "suid";
    m[1].data = bad_opts;
    m[1].data_len = sizeof bad_opts - 1;
    s.mounts = m;
    s.nmounts = 2;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_MOUNT, EINVAL, "/dev/pts");
}

TEST(exact_cgroup_path) {
    ctr_spec s;
    char cg[64];
    th_fmt(cg, sizeof cg, "/ctrtest-life/x%d/y", (int)getpid());
    spec_init(&s, PROBE("cgroup"));
    s.cgroup_path = cg;
    const char *out = SPEC_OUT(&s);
    ASSERT_TRUE(out[0] != '\0');
    char p[PATH_MAX];
    th_fmt(p, sizeof p, "/ctrtest-life/x%d", (int)getpid());
    /* gone with the container; its parents stay (as with runc) and are ours to remove */
    char d[PATH_MAX];
    DIR *dir = opendir("/sys/fs/cgroup");
    struct dirent *e;
    int left = 0;
    while (dir && (e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.') continue;
        th_fmt(d, sizeof d, "/sys/fs/cgroup/%s%s/y", e->d_name, p);
        left += access(d, F_OK) == 0;
        th_fmt(d, sizeof d, "/sys/fs/cgroup/%s%s", e->d_name, p);
        rmdir(d);
        th_fmt(d, sizeof d, "/sys/fs/cgroup/%s/ctrtest-life", e->d_name);
        rmdir(d);
    }
    if (dir) closedir(dir);
    th_fmt(d, sizeof d, "/sys/fs/cgroup%s", p);
    rmdir(d);
    ASSERT_EQ(left, 0);
    s.cgroup_path = "/a/../b";
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_CGROUP, EINVAL, "/a/../b");
}

/* The cgroup v1 or v2 directory of controller ctrl for cgroup path cg. */
static void cg_dir(char *out, size_t size, const char *ctrl, const char *cg) {
    struct statfs sf;
    if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == 0x63677270)
        th_fmt(out, size, "/sys/fs/cgroup%s", cg);
    else
        th_fmt(out, size, "/sys/fs/cgroup/%s%s", ctrl, cg);
}

TEST(cgroup_settings_are_written) {
    char cg[64], dir[PATH_MAX], file[PATH_MAX + 16], buf[64];
    ctr_spec s;
    static const char *const settings[] = {"pids.max=77", NULL};
    th_fmt(cg, sizeof cg, "/ctrtest-life/set%d", (int)getpid());
    spec_init(&s, PROBE("sleep", "30"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    s.cgroup_path = cg;
    s.cgroup_settings = settings;
    ctr_container *c = SPAWN(&s);
    cg_dir(dir, sizeof dir, "pids", cg);
    th_fmt(file, sizeof file, "%s/pids.max", dir);
    ASSERT_GT(read_file(file, buf, sizeof buf), 0);
    trim(buf);
    ASSERT_STREQ(buf, "77");
    destroy(c);
    ASSERT_TRUE(access(dir, F_OK) != 0);
    *strrchr(dir, '/') = '\0';
    rmdir(dir);
    static const char *const own[] = {"cgroup.procs=1", NULL};
    static const char *const bad[] = {"pids.max", NULL};
    s.cgroup_settings = own;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_CGROUP, EINVAL, "cgroup_settings");
    s.cgroup_settings = bad;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_CGROUP, EINVAL, "cgroup_settings");
    rmdir(dir);
}

TEST(mount_and_root_propagation) {
    ctr_spec s;
    ctr_mount m;
    memset(&m, 0, sizeof m);
    m.type = CTR_MOUNT_TMPFS;
    m.target = "/tmp";
    m.flags = CTR_MOUNT_SHARED;
    spec_init(&s, PROBE("cat", "/proc/self/mountinfo"));
    s.mounts = &m;
    s.nmounts = 1;
    const char *out = SPEC_OUT(&s);
    const char *line = strstr(out, " /tmp ");
    ASSERT_TRUE(line != NULL);
    const char *end = strchr(line, '\n');
    char l[512];
    th_fmt(l, sizeof l, "%.*s", end ? (int)(end - line) : 200, line);
    ASSERT_CONTAINS(l, "shared:");
    /* the root */
    spec_init(&s, PROBE("cat", "/proc/self/mountinfo"));
    s.rootfs_propagation = CTR_MOUNT_SHARED | CTR_MOUNT_RPROPAGATION;
    s.rootfs_rw = 1; /* the rootfs bound itself (no layer), as ocirun does */
    out = SPEC_OUT(&s);
    line = strstr(out, "/rootfs / "); /* the root: g_root bound on / */
    ASSERT_TRUE(line != NULL);
    end = strchr(line, '\n');
    th_fmt(l, sizeof l, "%.*s", end ? (int)(end - line) : 200, line);
    ASSERT_CONTAINS(l, "shared:");
    s.rootfs_propagation = CTR_MOUNT_SHARED | CTR_MOUNT_SLAVE;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "rootfs_propagation");
}

int main(int argc, char **argv) {
    th_set_cleanup(destroy_held);
    return suite_main(argc, argv, fixture_setup, fixture_teardown);
}
