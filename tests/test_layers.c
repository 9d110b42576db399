/* test_layers - copy-on-write layers over a base that is never modified, rootless uid ranges
   (newuidmap), idmapped roots, the user namespace diagnoses and no_network.

       build/tests/test_layers [NAME-SUBSTRING...]

   Run as root: the unprivileged tests switch a test process to uid/gid 65534 (or to a user the
   test creates with subordinate ranges) themselves.  Every test checks that the bases it used are
   byte for byte what they were (contents, modes, owners, names). */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "common.h"

#include <linux/filter.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stddef.h>

/* ---- fixtures ---- */

static char g_base[PATH_MAX];   /* root-owned base: bin/probe, etc/file, dir/a, proc dev tmp */
static char g_bare[PATH_MAX];   /* root-owned base with bin/probe and etc/ only: no mount points */
static char g_lower2[PATH_MAX]; /* a second layer: etc/file "top", only-top */
static char g_nbase[PATH_MAX];  /* like g_base, owned by 65534 */
static char g_uppers[PATH_MAX]; /* where the tests make persistent uppers (0777) */
static char g_ctrun[PATH_MAX];  /* build/ctrun */
static char g_fleet[PATH_MAX];  /* build/fleet */
static char g_probe_src[PATH_MAX + 16]; /* build/tests/probe */

static int make_base(const char *dir, const char *probe, int with_mount_points) {
    static const char *const full[] = {"etc", "dir", "proc", "dev", "tmp", NULL};
    static const char *const bare[] = {"etc", NULL};
    char p[PATH_MAX];
    if (make_rootfs(dir, probe, "probe", with_mount_points ? full : bare) != 0) return -1;
    path_join(p, dir, "etc/file");
    if (write_file(p, "base\n", 5, 0644) != 0) return -1;
    if (!with_mount_points) return 0;
    path_join(p, dir, "dir/a");
    if (write_file(p, "a\n", 2, 0644) != 0) return -1;
    path_join(p, dir, "tmp");
    return chmod(p, 01777);
}

static int chown_tree(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return lchown(path, NOBODY, NOBODY);
}

static void fixture_setup(void) {
    char tests_dir[PATH_MAX], build_dir[PATH_MAX], probe[PATH_MAX + 16], p[PATH_MAX];
    if (find_build_dir(tests_dir, build_dir) != 0 || make_fixture_dir("ctrlayers", 0755) != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "fixture dir: %s", strerror(errno));
        return;
    }
    th_fmt(probe, sizeof probe, "%s/probe", tests_dir);
    th_fmt(g_probe_src, sizeof g_probe_src, "%s", probe);
    th_fmt(g_ctrun, sizeof g_ctrun, "%s/ctrun", build_dir);
    th_fmt(g_fleet, sizeof g_fleet, "%s/fleet", build_dir);
    path_join(g_base, g_tmp, "base");
    path_join(g_bare, g_tmp, "bare");
    path_join(g_lower2, g_tmp, "lower2");
    path_join(g_nbase, g_tmp, "nbase");
    path_join(g_uppers, g_tmp, "uppers");
    path_join(g_root, g_tmp, "base"); /* spec_init's default */
    if (make_base(g_base, probe, 1) != 0 || make_base(g_bare, probe, 0) != 0 ||
        make_base(g_nbase, probe, 1) != 0 || mkdir(g_lower2, 0755) != 0 ||
        mkdir(g_uppers, 0777) != 0 || chmod(g_uppers, 0777) != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "bases: %s", strerror(errno));
        return;
    }
    path_join(p, g_lower2, "etc");
    mkdir(p, 0755);
    path_join(p, g_lower2, "etc/file");
    write_file(p, "top\n", 4, 0644);
    path_join(p, g_lower2, "only-top");
    write_file(p, "t\n", 2, 0644);
    nftw(g_nbase, chown_tree, 16, FTW_PHYS);
}

static void fixture_teardown(void) { remove_fixture_dir(); }

/* ---- a base's fingerprint: every name, type, mode, owner, size and content, in order ---- */

static uint64_t g_fp;
static int fp_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)flag, (void)ftw;
    uint64_t h = g_fp ^ 1469598103934665603ull;
    for (const char *c = path; *c; c++) h = (h ^ (unsigned char)*c) * 1099511628211ull;
    h = (h ^ st->st_mode) * 1099511628211ull;
    h = (h ^ st->st_uid) * 1099511628211ull;
    h = (h ^ st->st_gid) * 1099511628211ull;
    h = (h ^ (uint64_t)st->st_size) * 1099511628211ull;
    if (S_ISREG(st->st_mode)) {
        char buf[4096];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;
        while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
            for (ssize_t i = 0; i < n; i++) h = (h ^ (unsigned char)buf[i]) * 1099511628211ull;
        if (fd >= 0) close(fd);
    }
    g_fp = h;
    return 0;
}

static uint64_t fingerprint(const char *dir) {
    g_fp = 0;
    nftw(dir, fp_entry, 16, FTW_PHYS);
    return g_fp;
}

/* Checks, at the end of a test, that the bases are as the fixtures made them. */
static uint64_t g_fp_base, g_fp_bare, g_fp_nbase, g_fp_lower2;
static void remember_bases(void) {
    g_fp_base = fingerprint(g_base);
    g_fp_bare = fingerprint(g_bare);
    g_fp_nbase = fingerprint(g_nbase);
    g_fp_lower2 = fingerprint(g_lower2);
}
#define ASSERT_BASES_UNCHANGED()                           \
    do {                                                   \
        ASSERT_TRUE(fingerprint(g_base) == g_fp_base);     \
        ASSERT_TRUE(fingerprint(g_bare) == g_fp_bare);     \
        ASSERT_TRUE(fingerprint(g_nbase) == g_fp_nbase);   \
        ASSERT_TRUE(fingerprint(g_lower2) == g_fp_lower2); \
    } while (0)

static const char *out_of(int line, ctr_spec *s) { return spec_line(line, s); }

/* Whether one line of text starts with prefix. */
static int has_line(const char *text, const char *prefix) {
    for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, prefix, strlen(prefix)) == 0) return 1;
    return 0;
}

/* Skips (not applicable) where this kernel has no Landlock ABI 6 (no_network needs it). */
static void require_landlock_scope(void) {
    long abi = syscall(444 /* landlock_create_ruleset */, NULL, 0, 1);
    if (abi < 6) SKIP_NA("no_network needs Landlock ABI 6 (Linux 6.12); this kernel has %ld", abi);
}

/* Skips (not applicable) where the fixtures' filesystem cannot be idmapped (tmpfs before 6.3). */
static void require_idmappable(void) {
    struct {
        uint64_t set, clr, prop, userns;
    } a = {0x00100000, 0, 0, 0};
    int ns = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC), t;
    CHECK_SYS(ns);
    t = (int)syscall(SYS_open_tree, AT_FDCWD, g_tmp, 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC);
    CHECK_SYS(t);
    a.userns = (uint64_t)ns;
    /* The host's own user namespace is refused (EINVAL) where idmapping works at all, so ask
       for a namespace of our own: a child's. */
    close(ns);
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        if (unshare(CLONE_NEWUSER) != 0) _exit(2);
        int f = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
        pause();
        _exit(f < 0);
    }
    char p[64];
    th_fmt(p, sizeof p, "/proc/%d/ns/user", (int)pid);
    for (int i = 0; i < 100; i++) { /* until the child is in its namespace */
        char a1[64] = "", a2[64] = "";
        if (readlink(p, a1, sizeof a1) > 0 && readlink("/proc/self/ns/user", a2, sizeof a2) > 0 &&
            strcmp(a1, a2) != 0)
            break;
        usleep(10000);
    }
    ns = open(p, O_RDONLY | O_CLOEXEC);
    char map[64];
    th_fmt(p, sizeof p, "/proc/%d/uid_map", (int)pid);
    th_fmt(map, sizeof map, "0 200000 1");
    for (int k = 0; k < 2; k++) { /* uid_map, then gid_map */
        int m = open(p, O_WRONLY | O_CLOEXEC);
        if (m >= 0) {
            if (write(m, map, strlen(map)) < 0) {}
            close(m);
        }
        th_fmt(p, sizeof p, "/proc/%d/gid_map", (int)pid);
    }
    a.userns = (uint64_t)ns;
    int r = (int)syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH, &a, sizeof a);
    int e = errno;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(ns);
    close(t);
    if (r != 0) SKIP_NA("the fixtures' filesystem cannot be idmapped here: %s", strerror(e));
}
#define OUT(s) out_of(__LINE__, s)

/* A fresh directory under g_uppers (0755), owned by uid if not root. */
static void new_upper(char *path, const char *name, uid_t uid) {
    path_join(path, g_uppers, name);
    CHECK_SYS(mkdir(path, 0755));
    if (uid) CHECK_SYS(chown(path, uid, uid));
}

static int count_work_dirs(void) {
    DIR *d = opendir(g_uppers);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d))) n += strncmp(e->d_name, ".ctr-work-", 10) == 0;
    if (d) closedir(d);
    return n;
}

/* ==== layers ==== */

TEST(writes_deletes_and_renames_go_to_a_throwaway_layer) {
    ctr_spec s;
    remember_bases();
    spec_init(&s, PROBE("write", "/etc/file"));
    ASSERT_STREQ(OUT(&s), "ok");
    s.argv = PROBE("write", "/new");
    ASSERT_STREQ(OUT(&s), "ok");
    s.argv = PROBE("rm", "/etc/file");
    ASSERT_STREQ(OUT(&s), "ok");
    s.argv = PROBE("rm", "/dir/a");
    ASSERT_STREQ(OUT(&s), "ok");
    s.argv = PROBE("rename", "/etc/file", "/etc/moved");
    ASSERT_STREQ(OUT(&s), "ok");
    s.argv = PROBE("rm", "/bin/probe"); /* even the running program's own file */
    ASSERT_STREQ(OUT(&s), "ok");
    s.argv = PROBE("cat", "/etc/file"); /* the next container starts from the base again */
    ASSERT_STREQ(OUT(&s), "base");
    ASSERT_BASES_UNCHANGED();
}

TEST(persistent_upper_keeps_changes_for_the_next_container) {
    ctr_spec s;
    char up[PATH_MAX], p[PATH_MAX];
    struct stat st;
    remember_bases();
    new_upper(up, "keep", 0);
    CHECK_SYS(chmod(up, 0700)); /* a fresh upper gets the mode of the base's root */
    spec_init(&s, PROBE("rename", "/etc/file", "/etc/moved"));
    s.upper = up;
    ASSERT_STREQ(OUT(&s), "ok");
    CHECK_SYS(stat(up, &st));
    ASSERT_EQ(st.st_mode & 07777, 0755);
    s.argv = PROBE("rm", "/dir/a");
    ASSERT_STREQ(OUT(&s), "ok");
    s.argv = PROBE("write", "/kept");
    ASSERT_STREQ(OUT(&s), "ok");
    s.argv = PROBE("ls", "/etc");
    ASSERT_STREQ(OUT(&s), "moved");
    s.argv = PROBE("cat", "/etc/moved");
    ASSERT_STREQ(OUT(&s), "base");
    s.argv = PROBE("ls", "/dir");
    ASSERT_STREQ(OUT(&s), "");
    s.argv = PROBE("cat", "/kept");
    ASSERT_STREQ(OUT(&s), "probe");
    path_join(p, up, "kept"); /* the changes are the upper's files */
    ASSERT_EQ(access(p, F_OK), 0);
    ASSERT_EQ(count_work_dirs(), 0); /* the work directory went with each container */
    ASSERT_BASES_UNCHANGED();
}

TEST(persistent_upper_is_one_container_at_a_time) {
    ctr_spec s;
    char up[PATH_MAX];
    ctr_result res;
    new_upper(up, "busy", 0);
    spec_init(&s, PROBE("sleep", "100"));
    s.upper = up;
    ctr_container *c = SPAWN(&s);
    ASSERT_EQ(count_work_dirs(), 1);
    s.argv = PROBE("true");
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_ROOTFS, EBUSY, up);
    ctr_kill(c, SIGKILL, NULL);
    WAIT(c, &res);
    destroy(c);
    ASSERT_EQ(count_work_dirs(), 0);
}

/* A host that died with a container running leaves its work directory: the next spawn with an
   upper in that directory removes it (its pid is gone), with whatever is in it. */
TEST(stale_work_directories_are_swept) {
    ctr_spec s;
    char up[PATH_MAX], stale[PATH_MAX], p[PATH_MAX];
    pid_t dead = fork();
    CHECK_SYS(dead);
    if (dead == 0) _exit(0);
    CHECK_SYS(waitpid(dead, NULL, 0));
    th_fmt(stale, sizeof stale, "%s/.ctr-work-%d-7", g_uppers, (int)dead);
    CHECK_SYS(mkdir(stale, 0700));
    path_join(p, stale, "work");
    CHECK_SYS(mkdir(p, 0));
    new_upper(up, "sweep", 0);
    spec_init(&s, PROBE("echo", "x"));
    s.upper = up;
    ASSERT_STREQ(OUT(&s), "x");
    ASSERT_EQ(access(stale, F_OK), -1);
}

TEST(two_containers_do_not_see_each_others_writes) {
    ctr_spec s;
    ctr_container *c[2];
    char p[PATH_MAX];
    ctr_result res;
    remember_bases();
    spec_init(&s, PROBE("sleep", "100"));
    s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
    for (int i = 0; i < 2; i++) c[i] = SPAWN(&s);
    for (int i = 0; i < 2; i++) { /* each writes into its own root, seen through /proc/PID/root */
        th_fmt(p, sizeof p, "/proc/%d/root/mine-%d", (int)ctr_pid(c[i]), i);
        ASSERT_EQ(write_file(p, "x", 1, 0644), 0);
    }
    for (int i = 0; i < 2; i++) {
        th_fmt(p, sizeof p, "/proc/%d/root/mine-%d", (int)ctr_pid(c[i]), 1 - i);
        ASSERT_EQ(access(p, F_OK), -1);
        th_fmt(p, sizeof p, "/proc/%d/root/mine-%d", (int)ctr_pid(c[i]), i);
        ASSERT_EQ(access(p, F_OK), 0);
    }
    for (int i = 0; i < 2; i++) {
        ctr_kill(c[i], SIGKILL, NULL);
        WAIT(c[i], &res);
        destroy(c[i]);
    }
    ASSERT_BASES_UNCHANGED();
}

TEST(tmpfs_upper_size_is_enforced) {
    ctr_spec s;
    spec_init(&s, PROBE("fill", "/big", "8388608"));
    s.upper_size = 1 << 20;
    const char *out = OUT(&s);
    long n = 0;
    ASSERT_TRUE(sscanf(out, "ENOSPC %ld", &n) == 1);
    ASSERT_TRUE(n > 0 && n <= 1 << 20);
}

TEST(layers_top_first) {
    ctr_spec s;
    const char *const lowers[] = {g_lower2, g_base, NULL};
    remember_bases();
    spec_init(&s, PROBE("cat", "/etc/file"));
    s.rootfs = NULL;
    s.lowers = lowers;
    ASSERT_STREQ(OUT(&s), "top");
    s.argv = PROBE("ls", "/");
    ASSERT_STREQ(OUT(&s), "bin dev dir etc only-top proc tmp");
    s.argv = PROBE("rm", "/only-top");
    ASSERT_STREQ(OUT(&s), "ok");
    ASSERT_BASES_UNCHANGED();
}

/* Mount targets the rootfs lacks are made in the layer, read-only or not; never in the rootfs. */
TEST(missing_mount_targets_never_touch_the_rootfs) {
    ctr_spec s;
    ctr_mount m[4];
    remember_bases();
    memset(m, 0, sizeof m);
    m[0].type = CTR_MOUNT_TMPFS;
    m[0].target = "/new/deep/tmpfs";
    m[1].type = CTR_MOUNT_BIND;
    m[1].source = g_lower2;
    m[1].target = "/mnt/bind";
    m[2].type = CTR_MOUNT_DIR;
    m[2].target = "/made";
    m[3].type = CTR_MOUNT_FILE;
    m[3].target = "/etc/hostname";
    m[3].data = "h\n";
    m[3].data_len = 2;
    for (int ro = 0; ro < 2; ro++) {
        spec_init(&s, PROBE("ls", "/"));
        s.rootfs = g_bare;
        s.readonly_root = ro;
        s.mounts = m;
        s.nmounts = 4;
        ASSERT_STREQ(OUT(&s), "bin dev etc made mnt new proc tmp");
        s.argv = PROBE("write", "/x");
        ASSERT_STREQ(OUT(&s), ro ? "EROFS" : "ok");
        s.argv = PROBE("cat", "/etc/hostname");
        ASSERT_STREQ(OUT(&s), "h");
    }
    ASSERT_BASES_UNCHANGED();
}

/* readonly_root over a rootfs that has every mount point needs no layer: the directory itself
   is bound, read-only. */
TEST(readonly_root_with_every_target_is_a_plain_bind) {
    ctr_spec s;
    char want[64];
    struct statfs sf;
    remember_bases();
    spec_init(&s, PROBE("mounts"));
    s.readonly_root = 1;
    const char *out = OUT(&s);
    CHECK_SYS(statfs(g_base, &sf));
    th_fmt(want, sizeof want, "/ %s ", sf.f_type == 0xef53 ? "ext4" : "");
    if (sf.f_type == 0xef53 && !has_line(out, want)) FAIL("no \"%s\" in %s", want, out);
    ASSERT_TRUE(strstr(out, "overlay") == NULL);
    s.argv = PROBE("write", "/x");
    ASSERT_STREQ(OUT(&s), "EROFS");
    s.readonly_root = 0; /* writable: a layer */
    s.argv = PROBE("mounts");
    ASSERT_TRUE(has_line(OUT(&s), "/ overlay "));
    ASSERT_BASES_UNCHANGED();
}

TEST(unprivileged_layers) {
    ctr_spec s;
    char up[PATH_MAX];
    remember_bases();
    new_upper(up, "nobody", NOBODY);
    become_nobody();
    spec_init(&s, PROBE("write", "/etc/file"));
    s.rootfs = g_nbase;
    ASSERT_STREQ(OUT(&s), "ok");
    s.argv = PROBE("rm", "/dir/a");
    ASSERT_STREQ(OUT(&s), "ok");
    s.upper = up;
    s.argv = PROBE("rename", "/etc/file", "/etc/moved");
    ASSERT_STREQ(OUT(&s), "ok");
    s.argv = PROBE("ls", "/etc");
    ASSERT_STREQ(OUT(&s), "moved");
    s.upper = NULL;
    s.rootfs = g_bare; /* root's: made mount points go in the layer all the same */
    s.argv = PROBE("ls", "/");
    for (int ro = 0; ro < 2; ro++) {
        s.readonly_root = ro;
        ASSERT_STREQ(OUT(&s), "bin dev etc proc tmp");
    }
    ASSERT_BASES_UNCHANGED();
}

TEST(layer_spec_errors) {
    ctr_spec s;
    char up[PATH_MAX], inside[PATH_MAX];
    const char *const lowers[] = {g_base, NULL};
    const char *const none[] = {NULL};
    const char *const missing[] = {"/nonexistent-layer", NULL};
    spec_init(&s, PROBE("true"));
    s.lowers = lowers; /* and rootfs */
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "lowers");
    s.rootfs = NULL;
    s.lowers = none;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "lowers");
    s.lowers = missing;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_ROOTFS, ENOENT, "/nonexistent-layer");
    spec_init(&s, PROBE("true"));
    s.rootfs_rw = 1;
    s.upper_size = 4096;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "upper_size");
    s.upper_size = 0;
    s.rootfs = NULL;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "rootfs_rw");
    spec_init(&s, PROBE("true"));
    path_join(inside, g_base, "dir");
    s.upper = inside;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_ROOTFS, EINVAL, inside);
    new_upper(up, "errs", 0);
    s.upper = up;
    s.rootfs = NULL;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "upper");
    ASSERT_EQ(count_work_dirs(), 0);
}

/* Where overlayfs refuses a layer, the error says so and names the way out. */
TEST(overlay_refused_names_rootfs_rw) {
    ctr_spec s;
    const char *const lowers[] = {"/proc/sys", NULL};
    spec_init(&s, PROBE("true"));
    s.rootfs = NULL;
    s.lowers = lowers;
    ctr_error e = spawn_error(__LINE__, &s, "overlayfs refusing procfs as a layer");
    ASSERT_EQ(e.step, CTR_STEP_ROOTFS);
    if (!strstr(e.msg, "rootfs_rw")) FAIL("the message does not name rootfs_rw: %s", e.msg);
}

TEST(ctrun_layer_options) {
    char up[PATH_MAX], p[PATH_MAX], lowers[2 * PATH_MAX + 2];
    remember_bases();
    new_upper(up, "ctrun", 0);
    th_fmt(lowers, sizeof lowers, "%s:%s", g_lower2, g_base);
    char cmd[8 * PATH_MAX];
    th_fmt(cmd, sizeof cmd,
           "set -e; c=%s; test \"$($c --overlay %s -- /bin/probe cat /etc/file)\" = top; "
           "$c --rootfs %s --overlay-upper %s -- /bin/probe write /kept >/dev/null; "
           "test -f %s/kept; test \"$($c --rootfs %s --overlay-size 65536 -- /bin/probe fill "
           "/big 1048576 | cut -d' ' -f1)\" = ENOSPC",
           g_ctrun, lowers, g_base, up, up, g_base);
    ASSERT_EQ(system(cmd), 0);
    ASSERT_BASES_UNCHANGED();
    path_join(p, g_bare, "x");
    th_fmt(cmd, sizeof cmd, "%s --rootfs %s --rootfs-rw -- /bin/probe write /x >/dev/null", g_ctrun,
           g_bare);
    ASSERT_EQ(system(cmd), 0);
    ASSERT_EQ(access(p, F_OK), 0); /* --rootfs-rw writes through */
    CHECK_SYS(unlink(p));
    path_join(p, g_bare, "proc");
    rmdir(p);
    path_join(p, g_bare, "dev");
    rmdir(p);
    path_join(p, g_bare, "tmp");
    rmdir(p);
    ASSERT_BASES_UNCHANGED();
}

/* ==== rootless with subordinate ranges (newuidmap) ==== */

#define SUB_USER "ctrtestsub"
#define SUB_UID  54321u
#define SUB_BASE 300000u

static void remove_lines(const char *file, const char *prefix) {
    char buf[65536], out[65536];
    ssize_t n = read_file(file, buf, sizeof buf);
    size_t o = 0;
    if (n < 0) return;
    for (char *line = buf; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
        if (strncmp(line, prefix, strlen(prefix)) != 0) {
            memcpy(out + o, line, len);
            o += len;
        }
        line += len;
    }
    write_file(file, out, o, 0644);
}

static void sub_user_cleanup(void) {
    if (system("userdel " SUB_USER " >/dev/null 2>&1")) {}
    remove_lines("/etc/subuid", SUB_USER ":");
    remove_lines("/etc/subgid", SUB_USER ":");
}

/* The test's own user with 65536 subordinate ids; the test's body runs in a child process that
   becomes it, and the test process (root) removes the user afterwards, whatever happened.  Skips
   with the reason when the tools are missing. */
static void become_sub_user(const char *base);
static void as_sub_user(const char *base, void (*body)(void)) {
    int st;
    require_root();
    if (access("/usr/bin/newuidmap", X_OK) != 0 || access("/usr/bin/newgidmap", X_OK) != 0)
        SKIP("newuidmap/newgidmap are not installed (Debian: apt-get install uidmap)");
    if (system("command -v useradd >/dev/null && command -v userdel >/dev/null") != 0)
        SKIP("useradd/userdel are not installed (Debian: passwd)");
    th_set_cleanup(sub_user_cleanup);
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        th_set_cleanup(NULL);
        become_sub_user(base);
        body();
        _exit(0);
    }
    CHECK_SYS(waitpid(pid, &st, 0));
    th_set_cleanup(NULL);
    sub_user_cleanup();
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) _exit(1); /* the child's verdict stands */
}

static void become_sub_user(const char *base) {
    char line[128];
    sub_user_cleanup();
    if (system("useradd -M -N -u 54321 -s /usr/sbin/nologin " SUB_USER " >/dev/null 2>&1") != 0)
        FAIL("useradd " SUB_USER " failed");
    remove_lines("/etc/subuid", SUB_USER ":"); /* useradd may have given it a range already */
    remove_lines("/etc/subgid", SUB_USER ":");
    th_fmt(line, sizeof line, SUB_USER ":%u:65536\n", SUB_BASE);
    for (int i = 0; i < 2; i++) {
        const char *f = i ? "/etc/subgid" : "/etc/subuid";
        int fd = open(f, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        CHECK_SYS(fd);
        ASSERT_EQ(write(fd, line, strlen(line)), (ssize_t)strlen(line));
        close(fd);
    }
    struct passwd *pw = getpwnam(SUB_USER); /* its group: newgidmap wants the user's own */
    ASSERT_TRUE(pw != NULL);
    if (base) {
        char cmd[PATH_MAX + 64];
        th_fmt(cmd, sizeof cmd, "chown -R %u:%u %s", SUB_UID, (unsigned)pw->pw_gid, base);
        ASSERT_EQ(system(cmd), 0);
    }
    CHECK_SYS(setgroups(0, NULL));
    CHECK_SYS(setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid));
    CHECK_SYS(setresuid(SUB_UID, SUB_UID, SUB_UID));
    CHECK_SYS(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
}

/* With ranges the container has 0-65535: chown, setgroups and a uid change work inside. */
static char g_sub[PATH_MAX];
static void subordinate_ranges_body(void) {
    ctr_spec s;
    ctr_container *c;
    char *sub = g_sub, status[4096], p[64];
    ctr_result res;
    spec_init(&s, PROBE("id"));
    s.rootfs = sub;
    ASSERT_STREQ(OUT(&s), "0 0 0");
    s.argv = PROBE("chown", "/etc/file", "1000", "1000");
    ASSERT_STREQ(OUT(&s), "ok");
    s.argv = PROBE("setgroups", "100", "1000");
    ASSERT_STREQ(OUT(&s), "ok");
    s.uid = s.gid = 1000; /* like apt's _apt: another uid of the range */
    s.argv = PROBE("id");
    ASSERT_STREQ(OUT(&s), "1000 1000 0");
    s.argv = PROBE("sleep", "100");
    c = SPAWN(&s);
    th_fmt(p, sizeof p, "/proc/%d/status", (int)ctr_pid(c));
    ASSERT_TRUE(read_file(p, status, sizeof status) > 0);
    char want[64];
    th_fmt(want, sizeof want, "Uid:\t%u\t", SUB_BASE + 999);
    ASSERT_TRUE(strstr(status, want) != NULL);
    ctr_kill(c, SIGKILL, NULL);
    WAIT(c, &res);
    destroy(c);
    s.uid = s.gid = 0; /* no_subids: the single mapping, where chown fails */
    s.no_subids = 1;
    s.argv = PROBE("chown", "/etc/file", "1000", "1000");
    ASSERT_STREQ(OUT(&s), "EINVAL");
}

TEST(rootless_subordinate_ranges_map_65536_ids) {
    path_join(g_sub, g_tmp, "subbase");
    ASSERT_EQ(make_base(g_sub, g_probe_src, 1), 0);
    as_sub_user(g_sub, subordinate_ranges_body);
}

static void range_not_allowed_body(void) {
    ctr_spec s;
    ctr_idmap m[2] = {{0, SUB_UID, 1}, {1, 700000, 10}};
    ctr_idmap g[1] = {{0, (uint32_t)getgid(), 1}};
    spec_init(&s, PROBE("id"));
    s.gid_map = g;
    s.ngid_map = 1;
    s.uid_map = m;
    s.nuid_map = 2;
    ctr_error e = spawn_error(__LINE__, &s, "newuidmap refusing the range");
    ASSERT_EQ(e.step, CTR_STEP_USERNS);
    if (!strstr(e.msg, "newuidmap")) FAIL("message without newuidmap: %s", e.msg);
}

TEST(rootless_range_not_allowed_says_newuidmap) { as_sub_user(NULL, range_not_allowed_body); }

/* ==== root in a user namespace on an idmapped root ==== */

TEST(idmapped_root_as_root) {
    ctr_spec s;
    ctr_container *c;
    ctr_idmap m = {0, 200000, 65536};
    char status[4096], p[PATH_MAX], host[PATH_MAX];
    ctr_result res;
    struct stat st;
    ctr_mount b;
    require_root();
    require_idmappable();
    remember_bases();
    spec_init(&s, PROBE("owner", "/etc/file"));
    s.uid_map = &m;
    s.nuid_map = 1;
    ASSERT_STREQ(OUT(&s), "0 0");
    s.argv = PROBE("id");
    ASSERT_STREQ(OUT(&s), "0 0 0");
    s.argv = PROBE("write", "/etc/file"); /* into the layer, as root of the namespace */
    ASSERT_STREQ(OUT(&s), "ok");
    memset(&b, 0, sizeof b); /* a bind of a root-owned host directory: root-owned inside */
    b.type = CTR_MOUNT_BIND;
    b.source = g_lower2;
    b.target = "/b";
    s.mounts = &b;
    s.nmounts = 1;
    s.argv = PROBE("owner", "/b/only-top");
    ASSERT_STREQ(OUT(&s), "0 0");
    s.mounts = NULL;
    s.nmounts = 0;
    s.argv = PROBE("sleep", "100");
    c = SPAWN(&s);
    th_fmt(p, sizeof p, "/proc/%d/status", (int)ctr_pid(c));
    ASSERT_TRUE(read_file(p, status, sizeof status) > 0);
    ASSERT_TRUE(strstr(status, "Uid:\t200000\t") != NULL);
    ctr_kill(c, SIGKILL, NULL);
    WAIT(c, &res);
    destroy(c);
    ASSERT_BASES_UNCHANGED();
    /* A persistent upper, idmapped too: what the container's root writes is uid 0's on disk. */
    char up[PATH_MAX];
    new_upper(up, "idmapped", 0);
    s.upper = up;
    s.argv = PROBE("write", "/etc/new");
    ASSERT_STREQ(OUT(&s), "ok");
    path_join(p, up, "etc/new");
    CHECK_SYS(stat(p, &st));
    ASSERT_EQ(st.st_uid, 0);
    s.argv = PROBE("owner", "/etc/new");
    ASSERT_STREQ(OUT(&s), "0 0");
    s.upper = NULL;
    ASSERT_EQ(count_work_dirs(), 0);
    /* Writing through (rootfs_rw): the file lands owned by uid 0 on the disk. */
    path_join(host, g_bare, "written");
    spec_init(&s, PROBE("write", "/written"));
    s.rootfs = g_bare;
    s.rootfs_rw = 1;
    s.uid_map = &m;
    s.nuid_map = 1;
    ASSERT_STREQ(OUT(&s), "ok");
    CHECK_SYS(stat(host, &st));
    ASSERT_EQ(st.st_uid, 0);
    CHECK_SYS(unlink(host));
    for (const char *const *d = (const char *const[]){"proc", "dev", "tmp", NULL}; *d; d++) {
        path_join(p, g_bare, *d);
        rmdir(p);
    }
    ASSERT_BASES_UNCHANGED();
}

TEST(ctrun_userns_as_root) {
    char cmd[2 * PATH_MAX];
    require_root();
    require_idmappable();
    th_fmt(cmd, sizeof cmd,
           "c=%s; test \"$($c --userns --rootfs %s -- /bin/probe owner /etc/file)\" = '0 0' && "
           "test \"$($c --uidmap 0:300000:10 --rootfs %s -- /bin/probe id)\" = '0 0 0'",
           g_ctrun, g_base, g_base);
    ASSERT_EQ(system(cmd), 0);
}

TEST(id_map_errors) {
    ctr_spec s;
    ctr_idmap over[2] = {{0, 100000, 10}, {5, 300000, 10}};
    ctr_idmap no_root = {1, 100000, 10};
    require_root();
    spec_init(&s, PROBE("true"));
    s.uid_map = over;
    s.nuid_map = 2;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "uid_map");
    s.uid_map = &no_root;
    s.nuid_map = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "uid_map");
    s.uid_map = over;
    s.nuid_map = 1;
    s.share = CTR_NS_USER;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "uid_map");
}

/* ==== diagnoses when user namespaces are refused ==== */

static void expect_diagnosis(int line, const ctr_spec *s, const char *words) {
    ctr_error e = spawn_error(line, s, words);
    if (!strstr(e.msg, words)) TH_FAILF("line %d: expected \"%s\" in \"%s\"", line, words, e.msg);
}

/* user.max_user_namespaces = 0, set inside this test's own user namespace (never the host's). */
TEST(diagnosis_max_user_namespaces_zero) {
    ctr_spec s;
    char map[32];
    require_root();
    CHECK_SYS(unshare(CLONE_NEWUSER));
    th_fmt(map, sizeof map, "0 0 1");
    int fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
    CHECK_SYS(fd);
    ASSERT_EQ(write(fd, "deny", 4), 4);
    close(fd);
    fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
    CHECK_SYS(fd);
    ASSERT_EQ(write(fd, map, strlen(map)), (ssize_t)strlen(map));
    close(fd);
    fd = open("/proc/self/gid_map", O_WRONLY | O_CLOEXEC);
    CHECK_SYS(fd);
    ASSERT_EQ(write(fd, map, strlen(map)), (ssize_t)strlen(map));
    close(fd);
    fd = open("/proc/sys/user/max_user_namespaces", O_WRONLY | O_CLOEXEC);
    CHECK_SYS(fd);
    ASSERT_EQ(write(fd, "0", 1), 1);
    close(fd);
    spec_init(&s, PROBE("true"));
    s.rootfs_rw = 1;
    s.new_userns = 1;
    expect_diagnosis(__LINE__, &s, "user.max_user_namespaces is 0");
}

TEST(diagnosis_shared_user_namespace) {
    ctr_spec s;
    become_nobody();
    spec_init(&s, PROBE("true"));
    s.share = CTR_NS_USER;
    expect_diagnosis(__LINE__, &s, "CTR_NS_USER");
}

/* The Debian and Ubuntu switches, which this kernel may not have: this test's own mount
   namespace shows a /proc/sys/kernel with the switch off, and a seccomp filter refuses
   CLONE_NEWUSER the way those kernels do. */
static void fake_switch(const char *name, const char *value) {
    char p[PATH_MAX], cap[32];
    require_root();
    ASSERT_TRUE(read_file("/proc/sys/kernel/cap_last_cap", cap, sizeof cap) > 0);
    CHECK_SYS(unshare(CLONE_NEWNS));
    CHECK_SYS(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
    CHECK_SYS(mount("tmpfs", "/proc/sys/kernel", "tmpfs", 0, "mode=0755"));
    ASSERT_EQ(write_file("/proc/sys/kernel/cap_last_cap", cap, strlen(cap), 0444), 0);
    path_join(p, "/proc/sys/kernel", name);
    ASSERT_EQ(write_file(p, value, strlen(value), 0644), 0);
    become_nobody();
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof f / sizeof f[0], f};
    CHECK_SYS(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    CHECK_SYS(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0));
}

TEST(diagnosis_unprivileged_userns_clone_off) {
    ctr_spec s;
    fake_switch("unprivileged_userns_clone", "0\n");
    spec_init(&s, PROBE("true"));
    expect_diagnosis(__LINE__, &s, "kernel.unprivileged_userns_clone is 0");
}

TEST(diagnosis_apparmor_restricts_userns) {
    ctr_spec s;
    fake_switch("apparmor_restrict_unprivileged_userns", "1\n");
    spec_init(&s, PROBE("true"));
    expect_diagnosis(__LINE__, &s, "kernel.apparmor_restrict_unprivileged_userns is 1");
}

/* ==== no_network: one shared empty network namespace ==== */

TEST(no_network_containers_share_an_empty_namespace_and_stay_apart) {
    ctr_spec s;
    ctr_container *a, *b;
    ctr_result res;
    char na[64] = "", nb[64] = "", p[64], line[64];
    require_root();
    require_landlock_scope();
    spec_init(&s, PROBE("ulisten", "ctr-layers-test"));
    s.no_network = 1;
    s.stdio[2] = CTR_STDIO_NULL;
    a = SPAWN(&s);
    read_line(ctr_stdio_fd(a, 1), line, sizeof line);
    ASSERT_STREQ(line, "ready");
    s.argv = PROBE("sleep", "100");
    s.stdio[1] = CTR_STDIO_NULL;
    b = SPAWN(&s);
    th_fmt(p, sizeof p, "/proc/%d/ns/net", (int)ctr_pid(a));
    ASSERT_TRUE(readlink(p, na, sizeof na) > 0);
    th_fmt(p, sizeof p, "/proc/%d/ns/net", (int)ctr_pid(b));
    memset(nb, 0, sizeof nb);
    ASSERT_TRUE(readlink(p, nb, sizeof nb) > 0);
    ASSERT_STREQ(na, nb);
    memset(nb, 0, sizeof nb);
    ASSERT_TRUE(readlink("/proc/self/ns/net", nb, sizeof nb) > 0 && strcmp(na, nb) != 0);
    /* another container cannot reach A's abstract socket... */
    spec_init(&s, PROBE("uconnect", "ctr-layers-test"));
    s.no_network = 1;
    ASSERT_STREQ(OUT(&s), "EPERM");
    /* ...which is there: the host, in that namespace, gets A's answer */
    th_fmt(p, sizeof p, "/proc/%d/ns/net", (int)ctr_pid(a));
    int ns = open(p, O_RDONLY | O_CLOEXEC);
    CHECK_SYS(ns);
    CHECK_SYS(setns(ns, CLONE_NEWNET));
    close(ns);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path + 1, "ctr-layers-test", 15);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK_SYS(fd);
    CHECK_SYS(connect(fd, (struct sockaddr *)&sa, offsetof(struct sockaddr_un, sun_path) + 16));
    read_line(fd, line, sizeof line);
    close(fd);
    ASSERT_STREQ(line, "hello");
    /* no IP, netlink or packet sockets; unix ones work; loopback is down */
    s.argv = PROBE("socket", "2");
    ASSERT_STREQ(OUT(&s), "EAFNOSUPPORT");
    s.argv = PROBE("socket", "10");
    ASSERT_STREQ(OUT(&s), "EAFNOSUPPORT");
    s.argv = PROBE("socket", "16");
    ASSERT_STREQ(OUT(&s), "EAFNOSUPPORT");
    s.argv = PROBE("socket", "17");
    ASSERT_STREQ(OUT(&s), "EAFNOSUPPORT");
    s.argv = PROBE("socket", "1");
    ASSERT_STREQ(OUT(&s), "ok");
    s.argv = PROBE("netifs");
    ASSERT_STREQ(OUT(&s), "lo");
    struct ifreq ifr; /* this test process is in that namespace now: its loopback is down */
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    CHECK_SYS(fd);
    CHECK_SYS(ioctl(fd, SIOCGIFFLAGS, &ifr));
    close(fd);
    ASSERT_EQ(ifr.ifr_flags & IFF_UP, 0);
    ctr_kill(a, SIGKILL, NULL);
    ctr_kill(b, SIGKILL, NULL);
    WAIT(a, &res);
    WAIT(b, &res);
    destroy(a);
    destroy(b);
}

TEST(no_network_refusals) {
    ctr_spec s;
    ctr_netns_pool *pool;
    require_root();
    spec_init(&s, PROBE("true"));
    s.no_network = 1;
    s.cap_add = CTR_CAP(12);
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "no_network");
    s.cap_add = 0;
    s.share = CTR_NS_NET;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "no_network");
    s.share = 0;
    s.no_masks = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "no_network");
    s.no_masks = 0;
    ASSERT_EQ(ctr_netns_pool_create(&pool, 1, NULL), 0);
    s.netns_pool = pool;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "no_network");
    ctr_netns_pool_destroy(pool);
    s.netns_pool = NULL;
    become_nobody();
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "no_network");
}

/* ==== the fleet example ==== */

TEST_TIMEOUT(fleet_of_200_leaves_nothing, 300) {
    char cmd[PATH_MAX + 64], out[4096];
    require_root();
    th_fmt(cmd, sizeof cmd, "%s -n 200 2>&1", g_fleet);
    FILE *f = popen(cmd, "r");
    ASSERT_TRUE(f != NULL);
    char last[1024] = "";
    while (fgets(out, sizeof out, f)) th_fmt(last, sizeof last, "%s", out);
    int st = pclose(f);
    trim(last);
    if (st != 0 || !strstr(last, "fleet: 200 containers,") || !strstr(last, "nothing left"))
        FAIL("fleet -n 200: status %d, last line \"%s\"", st, last);
}

int main(int argc, char **argv) { return suite_main(argc, argv, fixture_setup, fixture_teardown); }
