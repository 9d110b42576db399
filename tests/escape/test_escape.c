/* test_escape - container escape attempts against container.h's defaults.

       build/tests/test_escape [NAME-SUBSTRING...]
       CTR_ESCAPE_VERBOSE=1 build/tests/test_escape    also print every attack's own line (stderr)

   Every attack is a subcommand of tests/escape/attack.c (static, copied into a test rootfs as
   /bin/attack) run in a container with the DEFAULT settings - only what the attack needs is set:
   a pty as stdin, init, a uid.  It exits 0 when blocked, 99 when it got through; anything else
   means the attack itself broke.  Most tests run twice: as root (the container's root is the
   host's uid 0, with Docker's default capabilities) and as uid 65534 (a rootless container in its
   own user namespace).  After every test the host is checked: mount table, hostname, canary
   files, core_pattern, and the canary process (a host process no container may see or kill).

   Each test asserts the SAFE behaviour: a test that fails here is an escape (or a broken knob).

   Run as root.  Fixtures live in a mkdtemp directory under /tmp, with a SysV shared memory segment,
   a SysV message queue, a POSIX message queue, an abstract unix socket and a TCP listener on
   127.0.0.1, all made before the tests and removed after them (also on SIGINT/SIGTERM). */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "../common.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <termios.h>

#define ATTACK(...)      ((const char *const[]){"/bin/attack", __VA_ARGS__, NULL})
#define DEFAULT_CAPS_HEX "0xa80425fb"
#define LEAK_FD          100 /* the host directory fd of the CVE-2024-21626 tests */

/* ---- fixtures (made in the parent before the tests, removed after) ---- */

/* In g_tmp (0750 root:65534), with g_root (bin/attack, suid, fcap, evil links) and g_hostside: */
static char g_canary[PATH_MAX];      /* a host file no container may change */
static char g_marker[PATH_MAX];      /* a host file an escaped attack looks for */
static char g_data[PATH_MAX];        /* a host directory to bind */
static char g_attack_host[PATH_MAX]; /* host copies of attack, bound into rootfs-less containers */
static char g_attack_host2[PATH_MAX];
static char g_attack_src[PATH_MAX]; /* build/tests/attack */
static char g_leakdir[PATH_MAX];    /* a host directory whose fd the host holds (CVE-2024-21626) */
static char g_victim[PATH_MAX];     /* g_leakdir/victim: a host executable (CVE-2019-5736) */
static char g_sym_proc[PATH_MAX];   /* rootfses whose proc, dev, tmp are symlinks leading out */
static char g_sym_dev[PATH_MAX];
static char g_sym_tmp[PATH_MAX];
static char g_race_root[PATH_MAX]; /* rootfs of the mount-target race, owned by 65534 */
static char g_race_host[PATH_MAX]; /* where its swapped symlink points: must stay empty */

static pid_t g_canary_pid = -1; /* host process: "ctr-canary" */
static int g_canary_hold = -1;  /* its lifeline: EOF when the parent is gone */
static key_t g_shm_key = -1, g_msg_key = -1;
static int g_shmid = -1, g_msqid = -1;
static char g_mq_name[64];
static char g_abstract_name[64];
static int g_abstract_fd = -1, g_tcp_fd = -1, g_tcp_port;

/* The host as it was before the tests. */
static char g_hostname[128], g_domainname[128], g_core_pattern[512];
static char *g_mountinfo;

/* 1 if the two files have the same bytes. */
static int same_content(const char *a, const char *b) {
    static char ba[1 << 16], bb[1 << 16];
    int fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC),
        same = fa >= 0 && fb >= 0;
    while (same) {
        ssize_t na = read(fa, ba, sizeof ba), nb = read(fb, bb, sizeof bb);
        if (na != nb || na < 0 || memcmp(ba, bb, (size_t)na) != 0) same = 0;
        if (na <= 0) break;
    }
    if (fa >= 0) close(fa);
    if (fb >= 0) close(fb);
    return same;
}

static int find_attack(void) {
    char tests_dir[PATH_MAX];
    if (find_build_dir(tests_dir, NULL) != 0) return -1;
    th_fmt(g_attack_src, sizeof g_attack_src, "%s/attack", tests_dir);
    return access(g_attack_src, X_OK);
}

/* A rootfs with bin/attack and the mount point directories. */
static int make_attack_rootfs(const char *dir) {
    static const char *const dirs[] = {"proc", "dev", "tmp", NULL};
    return make_rootfs(dir, g_attack_src, "attack", dirs);
}

/* A rootfs whose `name` is a symlink to `target` instead of a directory. */
static int make_symlink_rootfs(const char *dir, const char *name, const char *target) {
    char p[PATH_MAX];
    if (make_attack_rootfs(dir) != 0) return -1;
    path_join(p, dir, name);
    if (rmdir(p) != 0) return -1;
    return symlink(target, p);
}

/* security.capability, VFS_CAP_REVISION_2 with the effective bit: CAP_DAC_READ_SEARCH, CAP_SETUID,
   CAP_SYS_PTRACE, CAP_SYS_ADMIN permitted and effective. */
static int set_file_caps(const char *path) {
    uint32_t caps[5] = {0x02000000u | 0x1u, (1u << 2) | (1u << 7) | (1u << 19) | (1u << 21), 0, 0,
                        0};
    char back[64];
    if (setxattr(path, "security.capability", caps, sizeof caps, 0) != 0) return -1;
    return getxattr(path, "security.capability", back, sizeof back) == (ssize_t)sizeof caps ? 0
                                                                                            : -1;
}

static int make_test_rootfs(void) {
    char p[PATH_MAX], target[PATH_MAX + 64];
    if (make_attack_rootfs(g_root) != 0) return -1;
    path_join(p, g_root, "bin/attack2");
    if (copy_file(g_attack_src, p, 0755) != 0) return -1;
    path_join(p, g_root, "bin/suid"); /* setuid root */
    if (copy_file(g_attack_src, p, 0755) != 0 || chown(p, 0, 0) != 0 || chmod(p, 04755) != 0)
        return -1;
    path_join(p, g_root, "bin/fcap"); /* file capabilities */
    if (copy_file(g_attack_src, p, 0755) != 0 || set_file_caps(p) != 0) return -1;
    if (make_evil_links(g_root, NULL) != 0) return -1;
    /* CVE-2024-21626 through the image: a working directory and a command that are symlinks to
       a descriptor the host may hold open while the container is set up */
    th_fmt(target, sizeof target, "/proc/self/fd/%d", LEAK_FD);
    path_join(p, g_root, "workdir");
    if (symlink(target, p) != 0) return -1;
    th_fmt(target, sizeof target, "/proc/self/fd/%d/victim", LEAK_FD);
    path_join(p, g_root, "bin/leaked");
    return symlink(target, p);
}

static int make_race_rootfs(void) {
    char p[PATH_MAX];
    if (make_attack_rootfs(g_race_root) != 0 || chown(g_race_root, NOBODY, NOBODY) != 0) return -1;
    path_join(p, g_race_root, "race");
    if (mkdir(p, 0755) != 0 || chown(p, NOBODY, NOBODY) != 0) return -1;
    path_join(p, g_race_root, "race_swap");
    if (symlink(g_race_host, p) != 0 || lchown(p, NOBODY, NOBODY) != 0) return -1;
    return mkdir(g_race_host, 0777) == 0 && chmod(g_race_host, 0777) == 0 ? 0 : -1;
}

static int setup_files(void) {
    /* root and group 65534 only: the rootfs holds a setuid-root binary and one with file
       capabilities, which other host users must not run */
    if (make_fixture_dir("ctresc", 0750) != 0 || chown(g_tmp, 0, NOBODY) != 0) return -1;
    path_join(g_root, g_tmp, "rootfs");
    path_join(g_hostside, g_tmp, "hostside");
    path_join(g_canary, g_tmp, "canary.txt");
    path_join(g_marker, g_tmp, "HOST_MARKER");
    path_join(g_data, g_tmp, "data");
    path_join(g_attack_host, g_tmp, "attack-host");
    path_join(g_attack_host2, g_tmp, "attack-host2");
    path_join(g_leakdir, g_tmp, "leakdir");
    path_join(g_victim, g_leakdir, "victim");
    path_join(g_sym_proc, g_tmp, "sym_proc");
    path_join(g_sym_dev, g_tmp, "sym_dev");
    path_join(g_sym_tmp, g_tmp, "sym_tmp");
    path_join(g_race_root, g_tmp, "race_root");
    path_join(g_race_host, g_tmp, "race_host");
    char rel[PATH_MAX + 64];
    th_fmt(rel, sizeof rel, "../../../../../../../../..%s", g_hostside);
    if (mkdir(g_hostside, 0777) != 0 || chmod(g_hostside, 0777) != 0 || mkdir(g_data, 0755) != 0 ||
        mkdir(g_leakdir, 0755) != 0 || write_file(g_canary, "canary\n", 7, 0644) != 0 ||
        write_file(g_marker, "marker\n", 7, 0644) != 0 ||
        copy_file(g_attack_src, g_attack_host, 0755) != 0 ||
        copy_file(g_attack_src, g_attack_host2, 0755) != 0 ||
        copy_file(g_attack_src, g_victim, 0755) != 0 || chown(g_victim, NOBODY, NOBODY) != 0 ||
        make_test_rootfs() != 0 || make_race_rootfs() != 0 ||
        make_symlink_rootfs(g_sym_proc, "proc", g_hostside) != 0 ||
        make_symlink_rootfs(g_sym_dev, "dev", rel) != 0 ||
        make_symlink_rootfs(g_sym_tmp, "tmp", g_hostside) != 0)
        return -1;
    return 0;
}

/* A host process outside the harness's process tree (double fork, before th_main makes the
   parent a subreaper), which lives until it reads EOF on its lifeline (the parent's end closes
   when the parent exits) or is killed by the teardown. */
static int start_canary(void) {
    int hold[2], ready[2];
    if (pipe2(hold, O_CLOEXEC) != 0) return -1;
    if (pipe2(ready, O_CLOEXEC) != 0) {
        close(hold[0]);
        close(hold[1]);
        return -1;
    }
    pid_t mid = fork();
    if (mid == 0) {
        if (fork() == 0) {
            pid_t me = getpid();
            int null = open("/dev/null", O_RDWR);
            if (write(ready[1], &me, sizeof me) != (ssize_t)sizeof me || null < 0) _exit(1);
            dup2(hold[0], 0);
            dup2(null, 1);
            dup2(null, 2);
            close_range(3, ~0u, 0);
            prctl(PR_SET_NAME, "ctr-canary");
            for (;;) {
                char b;
                ssize_t r = read(0, &b, 1);
                if (r == 0 || (r < 0 && errno != EINTR)) _exit(0);
            }
        }
        _exit(0);
    }
    close(hold[0]);
    close(ready[1]);
    if (mid > 0) waitpid(mid, NULL, 0);
    pid_t pid = -1;
    if (mid < 0 || read(ready[0], &pid, sizeof pid) != (ssize_t)sizeof pid) pid = -1;
    close(ready[0]);
    if (pid <= 0) {
        close(hold[1]);
        return -1;
    }
    g_canary_pid = pid;
    g_canary_hold = hold[1];
    return 0;
}

/* ---- teardown ---- */

static int canary_alive(void);

static void fixture_teardown(void) {
    if (getpid() != g_parent) return;
    if (g_canary_pid > 0) {
        kill(g_canary_pid, SIGKILL);
        for (int i = 0; i < 200 && canary_alive(); i++)
            th_sleep_ms(10); /* not our child: wait, not reap */
        g_canary_pid = -1;
    }
    if (g_canary_hold >= 0) close(g_canary_hold);
    g_canary_hold = -1;
    if (g_shmid >= 0) shmctl(g_shmid, IPC_RMID, NULL);
    if (g_msqid >= 0) msgctl(g_msqid, IPC_RMID, NULL);
    g_shmid = g_msqid = -1;
    if (g_mq_name[0]) mq_unlink(g_mq_name);
    g_mq_name[0] = '\0';
    if (g_abstract_fd >= 0) close(g_abstract_fd);
    if (g_tcp_fd >= 0) close(g_tcp_fd);
    g_abstract_fd = g_tcp_fd = -1;
    remove_fixture_dir();
}

/* Host objects the container must not reach: SysV shm and msg, a POSIX queue, an abstract unix
   socket, a TCP listener on 127.0.0.1. */
static int setup_host_objects(void) {
    for (int i = 0; i < 200 && g_shmid < 0; i++) {
        g_shm_key = (key_t)(0x43540000 + ((getpid() + i) & 0xffff));
        g_shmid = shmget(g_shm_key, 4096, IPC_CREAT | IPC_EXCL | 0600);
        if (g_shmid < 0 && errno != EEXIST) return -1;
    }
    for (int i = 0; i < 200 && g_msqid < 0; i++) {
        g_msg_key = (key_t)(0x43550000 + ((getpid() + i) & 0xffff));
        g_msqid = msgget(g_msg_key, IPC_CREAT | IPC_EXCL | 0600);
        if (g_msqid < 0 && errno != EEXIST) return -1;
    }
    if (g_shmid < 0 || g_msqid < 0) return -1;
    th_fmt(g_mq_name, sizeof g_mq_name, "/ctr-escape-%d", (int)getpid());
    mqd_t q = mq_open(g_mq_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, NULL);
    if (q == (mqd_t)-1) {
        g_mq_name[0] = '\0';
        return -1;
    }
    mq_close(q);
    struct sockaddr_un un;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    th_fmt(g_abstract_name, sizeof g_abstract_name, "ctr-escape-%d", (int)getpid());
    memcpy(un.sun_path + 1, g_abstract_name, strlen(g_abstract_name));
    g_abstract_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (g_abstract_fd < 0 ||
        bind(g_abstract_fd, (struct sockaddr *)&un,
             (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(g_abstract_name))) !=
            0 ||
        listen(g_abstract_fd, 8) != 0)
        return -1;
    struct sockaddr_in in;
    socklen_t len = sizeof in;
    memset(&in, 0, sizeof in);
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_tcp_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (g_tcp_fd < 0 || bind(g_tcp_fd, (struct sockaddr *)&in, sizeof in) != 0 ||
        listen(g_tcp_fd, 8) != 0 || getsockname(g_tcp_fd, (struct sockaddr *)&in, &len) != 0)
        return -1;
    g_tcp_port = ntohs(in.sin_port);
    return 0;
}

/* ---- the host's state ---- */

/* The parent's mount table, without the mounts test_core makes under its own fixtures
   (/tmp/ctrtest.*), in case another suite runs at the same time.  Returns malloc'd text. */
static char *host_mountinfo(void) {
    char path[64];
    th_fmt(path, sizeof path, "/proc/%d/mountinfo", (int)g_parent);
    size_t cap = 1 << 20;
    char *raw = malloc(cap), *out = malloc(cap);
    if (!raw || !out || read_file(path, raw, cap) < 0) {
        free(raw);
        free(out);
        return NULL;
    }
    size_t n = 0;
    for (char *line = raw; *line;) {
        char *nl = strchr(line, '\n');
        size_t l = nl ? (size_t)(nl - line) + 1 : strlen(line);
        char mp[PATH_MAX] = "";
        if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
            strncmp(mp, "/tmp/ctrtest.", 13) != 0) {
            memcpy(out + n, line, l);
            n += l;
        }
        line += l;
    }
    out[n] = '\0';
    free(raw);
    return out;
}

static void host_names(char *host, char *domain, size_t len) {
    struct utsname u;
    uname(&u);
    th_fmt(host, len, "%s", u.nodename);
    th_fmt(domain, len, "%s", u.domainname);
}

static int snapshot_host(void) {
    host_names(g_hostname, g_domainname, sizeof g_hostname);
    if (read_file("/proc/sys/kernel/core_pattern", g_core_pattern, sizeof g_core_pattern) < 0)
        return -1;
    return (g_mountinfo = host_mountinfo()) ? 0 : -1;
}

/* The first line that differs between two texts, for the failure message. */
static void first_difference(const char *a, const char *b, char *out, size_t len) {
    while (*a && *b) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || memcmp(a, b, la) != 0) break;
        a += la + (a[la] == '\n');
        b += lb + (b[lb] == '\n');
    }
    th_fmt(out, len, "before \"%.*s\", now \"%.*s\"", (int)strcspn(a, "\n"), a,
           (int)strcspn(b, "\n"), b);
}

static int canary_alive(void) {
    char path[64], buf[512];
    th_fmt(path, sizeof path, "/proc/%d/stat", (int)g_canary_pid);
    if (read_file(path, buf, sizeof buf) <= 0) return 0;
    char *rp = strrchr(buf, ')');
    return strstr(buf, "(ctr-canary)") && rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
}

/* Nothing on the host changed: mount table, hostname, core_pattern, canary files, the canary
   process, the directories escaping symlinks point to. */
static void check_host(int line) {
    char h[128], d[128], buf[512], diff[1024];
    host_names(h, d, sizeof h);
    if (strcmp(h, g_hostname) != 0 || strcmp(d, g_domainname) != 0)
        TH_FAILF(
            "line %d: the host's hostname/domainname changed: \"%s\"/\"%s\", was \"%s\"/\"%s\"",
            line, h, d, g_hostname, g_domainname);
    if (read_file("/proc/sys/kernel/core_pattern", buf, sizeof buf) < 0 ||
        strcmp(buf, g_core_pattern) != 0)
        TH_FAILF("line %d: the host's core_pattern changed: \"%s\"", line, buf);
    if (read_file(g_canary, buf, sizeof buf) != 7 || strcmp(buf, "canary\n") != 0)
        TH_FAILF("line %d: the host canary file %s changed: \"%s\"", line, g_canary, buf);
    if (read_file(g_marker, buf, sizeof buf) != 7 || strcmp(buf, "marker\n") != 0)
        TH_FAILF("line %d: the host marker file %s changed", line, g_marker);
    if (dir_entries(g_hostside) != 0)
        TH_FAILF("line %d: something was created in the host directory %s", line, g_hostside);
    if (dir_entries(g_race_host) != 0)
        TH_FAILF("line %d: something was created in the host directory %s", line, g_race_host);
    if (!canary_alive())
        TH_FAILF("line %d: the host canary process %d is gone", line, (int)g_canary_pid);
    char *mi = host_mountinfo();
    if (!mi) TH_FAILF("line %d: cannot read the host mount table", line);
    if (strcmp(mi, g_mountinfo) != 0) {
        first_difference(g_mountinfo, mi, diff, sizeof diff);
        free(mi);
        TH_FAILF("line %d: the host mount table changed: %s", line, diff);
    }
    free(mi);
}
#define CHECK_HOST() check_host(__LINE__)

static void fixture_setup(void) {
    setenv("CTR_TEST_HOST_SECRET", "leaked-host-variable", 1);
    if (find_attack() != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "%s: %s (make build/tests/attack)",
               g_attack_src, strerror(errno));
        return;
    }
    if (geteuid() != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "the escape suite must run as root");
        return;
    }
    if (start_canary() != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "canary process: %s", strerror(errno));
        return;
    }
    if (setup_files() != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "fixture files in %s: %s", g_tmp,
               strerror(errno));
        return;
    }
    if (setup_host_objects() != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "host IPC objects and sockets: %s",
               strerror(errno));
        return;
    }
    if (snapshot_host() != 0)
        th_fmt(g_fixture_error, sizeof g_fixture_error, "host snapshot: %s", strerror(errno));
}

/* ---- running attacks ---- */

static void argv_string(const char *const *argv, char *out, size_t len) {
    out[0] = '\0';
    for (int i = 1; argv[i]; i++)
        th_fmt(out + strlen(out), len - strlen(out), "%s%s", i > 1 ? " " : "", argv[i]);
}

static int g_quiet_refusals; /* loops report their refusals in one line */

static int verbose_on(void) {
    const char *v = getenv("CTR_ESCAPE_VERBOSE");
    return v && strcmp(v, "1") == 0;
}

static void verbose(const ctr_spec *s, const run *r, const char *setup) {
    char args[512];
    if (!verbose_on()) return;
    argv_string(s->argv, args, sizeof args);
    fprintf(stderr, "    [uid %d%s%s] %s -> %s%d: %s%s%s\n", (int)geteuid(), setup[0] ? ", " : "",
            setup, args, r->res.exited ? "exit " : "signal ",
            r->res.exited ? r->res.exit_code : r->res.term_signal, r->out,
            r->err[0] ? " / stderr: " : "", r->err);
}

static void setup_string(const ctr_spec *s, char *out, size_t len) {
    out[0] = '\0';
    if (s->init) th_fmt(out + strlen(out), len - strlen(out), "init ");
    if (!s->rootfs) th_fmt(out + strlen(out), len - strlen(out), "rootfs=NULL ");
    if (s->uid) th_fmt(out + strlen(out), len - strlen(out), "uid=%d ", (int)s->uid);
    if (s->cwd) th_fmt(out + strlen(out), len - strlen(out), "cwd=%s ", s->cwd);
    if (s->cap_add)
        th_fmt(out + strlen(out), len - strlen(out), "cap_add=%llx ",
               (unsigned long long)s->cap_add);
    if (s->seccomp) th_fmt(out + strlen(out), len - strlen(out), "seccomp=%d ", (int)s->seccomp);
    if (s->share) th_fmt(out + strlen(out), len - strlen(out), "share=%x ", s->share);
    if (s->allow_new_privs) th_fmt(out + strlen(out), len - strlen(out), "allow_new_privs ");
    if (s->no_masks) th_fmt(out + strlen(out), len - strlen(out), "no_masks ");
    if (s->pids_max)
        th_fmt(out + strlen(out), len - strlen(out), "pids_max=%llu ",
               (unsigned long long)s->pids_max);
    if (s->memory_max)
        th_fmt(out + strlen(out), len - strlen(out), "memory_max=%llu ",
               (unsigned long long)s->memory_max);
    if (s->stdio[0] == CTR_STDIO_FD) th_fmt(out + strlen(out), len - strlen(out), "stdin=pty ");
    size_t n = strlen(out);
    if (n) out[n - 1] = '\0';
}

/* Runs the attack; returns its exit code (128 + signal if killed), or -1 if ctr_spawn refused the
   spec.  msg gets the attack's line or the spawn error. */
static int attack_outcome(int line, const ctr_spec *s, char *msg, size_t len) {
    static run r;
    ctr_container *c = NULL;
    ctr_error e;
    char setup[256];
    memset(&e, 0, sizeof e);
    setup_string(s, setup, sizeof setup);
    if (ctr_spawn(s, &c, &e) != 0) {
        th_fmt(msg, len, "ctr_spawn refused it: step %s, %s: %s", ctr_step_name(e.step),
               errname(e.sys_errno), e.msg);
        if (verbose_on() && !g_quiet_refusals)
            fprintf(stderr, "    [uid %d%s%s] %s\n", (int)geteuid(), setup[0] ? ", " : "", setup,
                    msg);
        return -1;
    }
    drain(c, &r);
    wait_ok(line, c, &r.res);
    ctr_destroy(c);
    trim(r.out);
    trim(r.err);
    verbose(s, &r, setup);
    th_fmt(msg, len, "%s%s%s", r.out[0] ? r.out : "(no output)", r.err[0] ? " / stderr: " : "",
           r.err);
    return r.res.exited ? r.res.exit_code : 128 + r.res.term_signal;
}

/* The attack must end with `code`: 0 blocked, 99 got through. */
static void expect_attack(int line, const ctr_spec *s, int code) {
    char msg[TH_MSG_LEN / 2], args[512], setup[256];
    int got = attack_outcome(line, s, msg, sizeof msg);
    if (got == code) return;
    argv_string(s->argv, args, sizeof args);
    setup_string(s, setup, sizeof setup);
    TH_FAILF("line %d: attack \"%s\" [%s]: expected %s, got %s%d: %s", line, args, setup,
             code == 0 ? "blocked (exit 0)" : "to get through (exit 99)",
             got < 0      ? ""
             : got >= 128 ? "128+signal "
                          : "exit ",
             got, msg);
}
#define EXPECT_BLOCKED(s)      expect_attack(__LINE__, s, 0)
#define EXPECT_GETS_THROUGH(s) expect_attack(__LINE__, s, 99)

/* The default spec with just this attack. */
static void blocked_by_default(int line, const char *const *argv) {
    ctr_spec s;
    spec_init(&s, argv);
    expect_attack(line, &s, 0);
}
#define BLOCKED(...) blocked_by_default(__LINE__, ATTACK(__VA_ARGS__))

static void blocked_with_init(int line, const char *const *argv) {
    ctr_spec s;
    spec_init(&s, argv);
    s.init = 1;
    expect_attack(line, &s, 0);
}
#define BLOCKED_WITH_INIT(...) blocked_with_init(__LINE__, ATTACK(__VA_ARGS__))

/* ---- identities ---- */

/* ESCAPE_TEST(name) { body }: the body runs as root and again as uid 65534 (rootless container),
   each followed by the host check. */
#define ESCAPE_TEST(name)          \
    static void name##_body(void); \
    TEST(name##_as_root) {         \
        require_root();            \
        name##_body();             \
        check_host(__LINE__);      \
    }                              \
    TEST(name##_as_nobody) {       \
        become_nobody();           \
        name##_body();             \
        check_host(__LINE__);      \
    }                              \
    static void name##_body(void)

/* Root only (cgroup v1 limits, ptrace of the container, host mount namespace games). */
#define ROOT_TEST(name)            \
    static void name##_body(void); \
    TEST(name) {                   \
        require_root();            \
        name##_body();             \
        check_host(__LINE__);      \
    }                              \
    static void name##_body(void)

/* Safe outcomes of a spec an attacker shaped: ctr_spawn refuses it, or the attack is blocked. */
static void expect_refused_or_blocked(int line, const ctr_spec *s) {
    char msg[TH_MSG_LEN / 2], args[512];
    int code = attack_outcome(line, s, msg, sizeof msg);
    if (code <= 0) return;
    argv_string(s->argv, args, sizeof args);
    TH_FAILF("line %d: attack \"%s\" with cwd \"%s\": expected ctr_spawn to refuse or the attack "
             "to be blocked, got "
             "exit %d: %s",
             line, args, s->cwd ? s->cwd : "/", code, msg);
}

static void null_rootfs(ctr_spec *s, ctr_mount *m, const char *const *argv) {
    spec_init(s, argv);
    s->rootfs = NULL;
    memset(m, 0, 2 * sizeof *m);
    m[0].type = m[1].type = CTR_MOUNT_BIND;
    m[0].source = g_attack_host;
    m[0].target = "/attack";
    m[1].source = g_attack_host2;
    m[1].target = "/attack2";
    s->mounts = m;
    s->nmounts = 2;
}
#define HOST_ATTACK(...) ((const char *const[]){"/attack", __VA_ARGS__, NULL})

/* ==== pid 1 of a container with init is a copy of the host process (CVE-2019-5736) ====
   init never execs: its memory, environment, executable (the host's binary) and descriptors are
   the host's.  It is undumpable and the container has no CAP_SYS_PTRACE. */

ESCAPE_TEST(init_exe_is_out_of_reach) { BLOCKED_WITH_INIT("init_exe"); }
ESCAPE_TEST(init_mem_is_out_of_reach) { BLOCKED_WITH_INIT("init_mem"); }
ESCAPE_TEST(init_fds_are_out_of_reach) { BLOCKED_WITH_INIT("init_fds"); }
ESCAPE_TEST(init_environ_is_out_of_reach) { BLOCKED_WITH_INIT("init_environ"); }
ESCAPE_TEST(init_root_cwd_maps_are_out_of_reach) { BLOCKED_WITH_INIT("init_links"); }
ESCAPE_TEST(init_cannot_be_ptraced) { BLOCKED_WITH_INIT("init_ptrace"); }

/* ==== descriptors and the working directory (CVE-2024-21626) ==== */

ESCAPE_TEST(no_fd_or_cwd_leads_outside) {
    ctr_spec s;
    ctr_mount m[2];
    BLOCKED("fds", g_marker);
    BLOCKED_WITH_INIT("fds", g_marker);
    null_rootfs(&s, m, HOST_ATTACK("fds", g_marker));
    EXPECT_BLOCKED(&s);
}

/* The caller has a host directory open (close-on-exec) as LEAK_FD while ctr_spawn runs. */
static void hold_leak_fd(void) {
    int fd = open(g_leakdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK_SYS(fd);
    CHECK_SYS(dup3(fd, LEAK_FD, O_CLOEXEC));
    close(fd);
}

/* runc's PoC: process.cwd = /proc/self/fd/7, the host's cgroup directory fd. */
ESCAPE_TEST(cwd_through_a_host_fd) {
    ctr_spec s;
    char cwd[64];
    hold_leak_fd();
    th_fmt(cwd, sizeof cwd, "/proc/self/fd/%d", LEAK_FD);
    spec_init(&s, ATTACK("fds", g_marker));
    s.cwd = cwd;
    expect_refused_or_blocked(__LINE__, &s);
    s.init = 1;
    expect_refused_or_blocked(__LINE__, &s);
    close(LEAK_FD);
}

/* The same from the image: the spec's cwd "/workdir" looks harmless, the rootfs makes it a
   symlink to /proc/self/fd/LEAK_FD. */
ESCAPE_TEST(cwd_through_an_image_symlink) {
    ctr_spec s;
    hold_leak_fd();
    spec_init(&s, ATTACK("fds", g_marker));
    s.cwd = "/workdir";
    expect_refused_or_blocked(__LINE__, &s);
    close(LEAK_FD);
}

/* Restores the host victim executable if an attack changed it; returns 1 if it had. */
static int victim_changed(void) {
    if (same_content(g_victim, g_attack_src)) return 0;
    if (copy_file(g_attack_src, g_victim, 0755) != 0)
        FAIL("restore %s: %s", g_victim, strerror(errno));
    return 1;
}

/* CVE-2019-5736 through CVE-2024-21626: the command is a symlink in the image to
   /proc/self/fd/LEAK_FD/victim, a host executable (owned by 65534, as a rootless user's own
   files are); running, it reopens its own executable for writing. */
ESCAPE_TEST(exec_through_an_image_symlink_cannot_overwrite_a_host_binary) {
    ctr_spec s;
    char msg[TH_MSG_LEN / 2];
    hold_leak_fd();
    spec_init(&s, ((const char *const[]){"/bin/leaked", "exe_overwrite", "/bin/attack", NULL}));
    int code = attack_outcome(__LINE__, &s, msg, sizeof msg);
    close(LEAK_FD);
    if (victim_changed())
        FAIL("the host executable %s was overwritten from inside the container: %s", g_victim, msg);
    if (code > 0)
        FAIL("the image's /bin/leaked ran the host executable %s (exit %d): %s", g_victim, code,
             msg);
}

/* The same through the PATH search (an image's ENV PATH=...): argv[0] "victim" without a '/'. */
ESCAPE_TEST(exec_through_an_image_path_cannot_overwrite_a_host_binary) {
    ctr_spec s;
    char msg[TH_MSG_LEN / 2], path[64];
    hold_leak_fd();
    th_fmt(path, sizeof path, "PATH=/proc/self/fd/%d:/bin", LEAK_FD);
    spec_init(&s, ((const char *const[]){"victim", "exe_overwrite", "/bin/attack", NULL}));
    s.env = (const char *const[]){path, NULL};
    int code = attack_outcome(__LINE__, &s, msg, sizeof msg);
    close(LEAK_FD);
    if (victim_changed())
        FAIL("the host executable %s was overwritten from inside the container: %s", g_victim, msg);
    if (code > 0)
        FAIL("PATH=%s ran the host executable %s (exit %d): %s", path + 5, g_victim, code, msg);
}

/* The library's own descriptors while it sets up the child: none may be a way out.  For every
   small N: cwd = /proc/self/fd/N (the attack checks where it is), and argv[0] =
   /proc/self/fd/N/../../(...)/HOST-PATH-OF-ATTACK: from a directory outside the root, ".." climbs
   to the host's "/" and the host's copy of attack runs - which must never happen. */
static int library_fds_outcome(int line, ctr_spec *s, char *bad, size_t len) {
    char cwd[32], exe[PATH_MAX + 128], msg[TH_MSG_LEN / 4];
    int refused = 0, blocked = 0;
    const char *const *argv = s->argv;
    g_quiet_refusals = 1;
    for (int fd = 3; fd < 32; fd++) {
        th_fmt(exe, sizeof exe, "/proc/self/fd/%d/../../../../../../../../../../../../../..%s", fd,
               g_attack_host);
        const char *const host_argv[] = {exe, "noop", NULL};
        s->argv = host_argv;
        int code = attack_outcome(line, s, msg, sizeof msg);
        s->argv = argv;
        if (code >= 0) {
            th_fmt(bad, len, "line %d: the host's %s ran in the container as %s: %s", line,
                   g_attack_host, exe, msg);
            break;
        }
        refused++;
        th_fmt(cwd, sizeof cwd, "/proc/self/fd/%d", fd);
        s->cwd = cwd;
        code = attack_outcome(line, s, msg, sizeof msg);
        s->cwd = NULL;
        if (code > 0) {
            th_fmt(bad, len, "line %d: with cwd %s the attack got exit %d: %s", line, cwd, code,
                   msg);
            break;
        }
        refused += code < 0;
        blocked += code == 0;
    }
    g_quiet_refusals = 0;
    if (bad[0]) return -1;
    if (verbose_on())
        fprintf(stderr,
                "    [uid %d%s%s] cwd and exec through /proc/self/fd/3..31: %d refused by "
                "ctr_spawn, %d ran and were blocked\n",
                (int)geteuid(), s->init ? ", init" : "",
                s->pids_max ? ", pids_max"
                : s->cgroup ? ", cgroup"
                            : "",
                refused, blocked);
    return 0;
}

ESCAPE_TEST(library_fds_lead_nowhere) {
    ctr_spec s;
    char bad[TH_MSG_LEN / 2] = "";
    spec_init(&s, ATTACK("fds", g_marker));
    if (library_fds_outcome(__LINE__, &s, bad, sizeof bad) != 0) TH_FAILF("%s", bad);
    s.init = 1;
    if (library_fds_outcome(__LINE__, &s, bad, sizeof bad) != 0) TH_FAILF("%s", bad);
}

ROOT_TEST(library_fds_lead_nowhere_with_cgroup_v1) {
    ctr_spec s;
    char bad[TH_MSG_LEN / 2] = "";
    spec_init(&s, ATTACK("fds", g_marker));
    s.pids_max = 64; /* a cgroup on this v1 host */
    if (library_fds_outcome(__LINE__, &s, bad, sizeof bad) != 0) TH_FAILF("%s", bad);
}

/* The exact runc setting: the container's cgroup v2 directory is open (CLONE_INTO_CGROUP) while
   the child is set up.  On a v1/hybrid host the test process takes a private mount namespace
   with the cgroup2 hierarchy bound on /sys/fs/cgroup, where the library then uses v2. */
ROOT_TEST(library_fds_lead_nowhere_with_cgroup_v2) {
    struct statfs sf;
    ctr_spec s;
    char bad[TH_MSG_LEN / 2] = "";
    if (statfs("/sys/fs/cgroup", &sf) != 0 || sf.f_type != CGROUP2_SUPER_MAGIC) {
        if (statfs("/sys/fs/cgroup/unified", &sf) != 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
            SKIP("no cgroup2 hierarchy on /sys/fs/cgroup or /sys/fs/cgroup/unified");
        CHECK_SYS(unshare(CLONE_NEWNS));
        CHECK_SYS(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
        CHECK_SYS(mount("/sys/fs/cgroup/unified", "/sys/fs/cgroup", NULL, MS_BIND, NULL));
    }
    int had_subtree = access("/sys/fs/cgroup/container.h", F_OK) == 0;
    spec_init(&s, ATTACK("fds", g_marker));
    s.cgroup = CTR_CGROUP_ALWAYS;
    int rc = library_fds_outcome(__LINE__, &s, bad, sizeof bad);
    if (!had_subtree) rmdir("/sys/fs/cgroup/container.h");
    if (rc != 0) TH_FAILF("%s", bad);
}

/* rootfs NULL: the host's userland is bound read-only, and so is a bound executable. */
ESCAPE_TEST(host_userland_is_read_only) {
    ctr_spec s;
    ctr_mount m[2];
    null_rootfs(&s, m, HOST_ATTACK("host_userland_write"));
    EXPECT_BLOCKED(&s);
}

ESCAPE_TEST(exe_overwrite_of_a_bound_host_binary) {
    ctr_spec s;
    ctr_mount m[2];
    null_rootfs(&s, m, HOST_ATTACK("exe_overwrite", "/attack2"));
    EXPECT_BLOCKED(&s);
    if (!same_content(g_attack_host, g_attack_src))
        FAIL("the host binary %s was changed", g_attack_host);
}

/* ==== the filter reads the filter (root): ABIs this kernel cannot run ====
   int $0x80 and x32 may be unavailable on the host (they are here: no usable ia32 entry, no x32),
   so the container's installed filter is fetched with PTRACE_SECCOMP_GET_FILTER and evaluated on
   synthetic syscalls. */

static uint32_t bpf_eval(const struct sock_filter *f, int n, const struct seccomp_data *d) {
    uint32_t a = 0;
    for (int pc = 0; pc < n;) {
        const struct sock_filter *i = &f[pc++];
        switch (i->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            if (i->k + 4 > sizeof *d) return 0xffffffffu;
            memcpy(&a, (const char *)d + i->k, 4);
            break;
        case BPF_JMP | BPF_JEQ | BPF_K: pc += a == i->k ? i->jt : i->jf; break;
        case BPF_JMP | BPF_JGE | BPF_K: pc += a >= i->k ? i->jt : i->jf; break;
        case BPF_JMP | BPF_JGT | BPF_K: pc += a > i->k ? i->jt : i->jf; break;
        case BPF_JMP | BPF_JSET | BPF_K: pc += (a & i->k) ? i->jt : i->jf; break;
        case BPF_JMP | BPF_JA: pc += (int)i->k; break;
        case BPF_ALU | BPF_AND | BPF_K: a &= i->k; break;
        case BPF_RET | BPF_K: return i->k;
        default: return 0xfffffffeu; /* an instruction this evaluator does not know */
        }
    }
    return 0xfffffffdu;
}

ROOT_TEST(installed_filter_on_synthetic_syscalls) {
    ctr_spec s;
    struct sock_filter prog[4096];
    int st;
    spec_init(&s, ATTACK("pause"));
    s.stdio[0] = CTR_STDIO_PIPE;
    ctr_container *c = NULL;
    ctr_error e;
    if (ctr_spawn(&s, &c, &e) != 0) FAIL("ctr_spawn: %s", e.msg);
    pid_t pid = ctr_pid(c);
    long n = -1;
    int traced = ptrace(PTRACE_SEIZE, pid, 0, 0) == 0;
    if (traced && ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0 && waitpid(pid, &st, __WALL) == pid &&
        WIFSTOPPED(st))
        n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0, prog);
    int saved = errno;
    if (traced) ptrace(PTRACE_DETACH, pid, 0, 0);
    ctr_close_stdio(c, 0);
    run r;
    drain(c, &r);
    ctr_result res;
    ctr_wait(c, &res, NULL);
    ctr_destroy(c);
    if (n <= 0) FAIL("PTRACE_SECCOMP_GET_FILTER: %s", strerror(saved));
    static const struct {
        const char *what;
        uint32_t arch;
        int nr;
        uint64_t arg0, arg1;
        uint32_t want;
    } cases[] = {
        {"i386 getuid32", AUDIT_ARCH_I386, 199, 0, 0, SECCOMP_RET_ERRNO | ENOSYS},
        {"i386 unshare(CLONE_NEWUSER)", AUDIT_ARCH_I386, 310, CLONE_NEWUSER, 0,
         SECCOMP_RET_ERRNO | ENOSYS},
        {"i386 mount", AUDIT_ARCH_I386, 21, 0, 0, SECCOMP_RET_ERRNO | ENOSYS},
        {"i386 ioctl TIOCSTI", AUDIT_ARCH_I386, 54, 0, TIOCSTI, SECCOMP_RET_ERRNO | ENOSYS},
        {"x32 getpid", AUDIT_ARCH_X86_64, 0x40000000 | 39, 0, 0, SECCOMP_RET_ERRNO | ENOSYS},
        {"x32 unshare", AUDIT_ARCH_X86_64, 0x40000000 | SYS_unshare, CLONE_NEWUSER, 0,
         SECCOMP_RET_ERRNO | ENOSYS},
        {"x32 mount", AUDIT_ARCH_X86_64, 0x40000000 | SYS_mount, 0, 0, SECCOMP_RET_ERRNO | ENOSYS},
        {"syscall -1", AUDIT_ARCH_X86_64, -1, 0, 0, SECCOMP_RET_ERRNO | ENOSYS},
        {"ioctl TIOCSTI", AUDIT_ARCH_X86_64, SYS_ioctl, 0, TIOCSTI, SECCOMP_RET_ERRNO | EPERM},
        {"ioctl 0x100005412", AUDIT_ARCH_X86_64, SYS_ioctl, 0, 0x100000000ull | TIOCSTI,
         SECCOMP_RET_ERRNO | EPERM},
        {"ioctl TIOCLINUX|0xffffffff<<32", AUDIT_ARCH_X86_64, SYS_ioctl, 0,
         0xffffffff00000000ull | TIOCLINUX, SECCOMP_RET_ERRNO | EPERM},
        {"ioctl TIOCGWINSZ (allowed)", AUDIT_ARCH_X86_64, SYS_ioctl, 0, TIOCGWINSZ,
         SECCOMP_RET_ALLOW},
        {"clone(CLONE_NEWUSER)", AUDIT_ARCH_X86_64, SYS_clone, CLONE_NEWUSER | SIGCHLD, 0,
         SECCOMP_RET_ERRNO | EPERM},
        {"clone(1<<32|CLONE_NEWNS)", AUDIT_ARCH_X86_64, SYS_clone, 0x100000000ull | CLONE_NEWNS, 0,
         SECCOMP_RET_ERRNO | EPERM},
        {"clone(SIGCHLD) (allowed)", AUDIT_ARCH_X86_64, SYS_clone, SIGCHLD, 0, SECCOMP_RET_ALLOW},
        {"clone3", AUDIT_ARCH_X86_64, SYS_clone3, 0, 0, SECCOMP_RET_ERRNO | ENOSYS},
        {"unshare", AUDIT_ARCH_X86_64, SYS_unshare, CLONE_NEWUSER, 0, SECCOMP_RET_ERRNO | EPERM},
        {"getpid (allowed)", AUDIT_ARCH_X86_64, SYS_getpid, 0, 0, SECCOMP_RET_ALLOW},
        {"open_tree_attr (467)", AUDIT_ARCH_X86_64, 467, 0, 0, SECCOMP_RET_ERRNO | EPERM},
        {"syslog", AUDIT_ARCH_X86_64, SYS_syslog, 3, 0, SECCOMP_RET_ERRNO | EPERM},
        {"a syscall newer than the profile (470)", AUDIT_ARCH_X86_64, 470, 0, 0,
         SECCOMP_RET_ERRNO | ENOSYS},
        {"aarch64 getpid", AUDIT_ARCH_AARCH64, 172, 0, 0, SECCOMP_RET_ERRNO | ENOSYS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct seccomp_data d;
        memset(&d, 0, sizeof d);
        d.nr = cases[i].nr;
        d.arch = cases[i].arch;
        d.args[0] = cases[i].arg0;
        d.args[1] = cases[i].arg1;
        uint32_t got = bpf_eval(prog, (int)n, &d);
        if (got != cases[i].want)
            FAIL("the container's filter (%ld instructions) returns 0x%08x for %s, expected 0x%08x",
                 n, got, cases[i].what, cases[i].want);
    }
}

/* ==== namespaces, capabilities, seccomp ==== */

ESCAPE_TEST(no_nested_namespaces_by_unshare) { BLOCKED("unshare"); }
ESCAPE_TEST(no_new_namespaces_by_clone) {
    BLOCKED("clone_ns");
    BLOCKED_WITH_INIT("clone_ns");
}
ESCAPE_TEST(no_new_namespaces_by_clone3) { BLOCKED("clone3_ns"); }
ESCAPE_TEST(setns_refused) {
    BLOCKED("setns");
    BLOCKED_WITH_INIT("setns");
}
ESCAPE_TEST(i386_syscalls_refused) { BLOCKED("int80"); }
ESCAPE_TEST(x32_syscalls_refused) { BLOCKED("x32"); }

ESCAPE_TEST(capabilities_no_new_privs_and_seccomp) {
    ctr_spec s;
    BLOCKED("status");
    BLOCKED_WITH_INIT("status");
    spec_init(&s, ATTACK("status"));
    s.uid = 1000;
    s.gid = 1000;
    EXPECT_BLOCKED(&s); /* a non-root uid: no capabilities at all */
}

/* ==== mounts ==== */

ESCAPE_TEST(fresh_proc_cannot_be_mounted) { BLOCKED("mount_proc"); }
ESCAPE_TEST(masks_cannot_be_unmounted) { BLOCKED("umount_masks"); }
ESCAPE_TEST(proc_sys_cannot_be_remounted_rw) { BLOCKED("remount_proc_sys"); }
ESCAPE_TEST(new_mount_api_refused) { BLOCKED("new_mount_api"); }
ESCAPE_TEST(open_tree_attr_refused) { BLOCKED("open_tree_attr"); }

/* The filter refuses the whole mount API (mount, open_tree, move_mount, fsopen, mount_setattr...)
   whatever the capabilities; open_tree_attr (Linux 6.15) belongs to it. */
ESCAPE_TEST(open_tree_attr_refused_even_with_cap_sys_admin) {
    ctr_spec s;
    spec_init(&s, ATTACK("open_tree_attr"));
    s.cap_add = CTR_CAP(21);
    EXPECT_BLOCKED(&s);
}

ESCAPE_TEST(pivot_root_refused) { BLOCKED("pivot_root"); }
ESCAPE_TEST(cgroup_release_agent_mount_refused) { BLOCKED("cgroup_mount"); }
ESCAPE_TEST(chroot_escape_stays_in_the_root) { BLOCKED("chroot", g_marker); }

/* CVE-2021-30465 and kin: mount targets through symlinks that leave the rootfs resolve inside it
   (as the container itself would resolve them); the host never changes. */
#define EXPECT_CONTAINED(type, target) \
    expect_escape_contained(__LINE__, ATTACK("noop"), type, target, g_data, NULL)

ESCAPE_TEST(mount_targets_through_escaping_symlinks_stay_inside) {
    static const char *const targets[] = {"/evil_abs", "/evil_abs/x", "/evil_rel", "/evil_rel/a/b",
                                          NULL};
    static const ctr_mount_type types[] = {CTR_MOUNT_BIND, CTR_MOUNT_TMPFS,  CTR_MOUNT_PROC,
                                           CTR_MOUNT_DEV,  CTR_MOUNT_MQUEUE, CTR_MOUNT_DIR,
                                           CTR_MOUNT_FILE, CTR_MOUNT_SYSFS};
    for (int i = 0; targets[i]; i++)
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
            EXPECT_CONTAINED(types[t], targets[i]);
    EXPECT_CONTAINED(CTR_MOUNT_SYMLINK, "/evil_abs/link");
    EXPECT_CONTAINED(CTR_MOUNT_FILE, "/evil_abs/file");
}

/* CVE-2019-19921-like: the image's own /proc, /dev or /tmp is a symlink leading out: the default
   mount lands where the link leads inside the root, and the container works.  (/tmp leads to
   $TMPDIR/ctresc.X/hostside, which inside the root goes through /tmp again: a loop, refused with
   ELOOP.) */
/* Each with a layer (the default: the missing targets are made in it) and with rootfs_rw (made
   in the rootfs itself).  As nobody, the layer cannot copy up the root-owned directories on the
   way (EACCES): also a safe outcome. */
ESCAPE_TEST(default_mount_points_as_escaping_symlinks_stay_inside) {
    const char *roots[] = {g_sym_proc, g_sym_dev, g_sym_tmp};
    for (int i = 0; i < 6; i++) {
        ctr_spec s;
        run r;
        int mounts = th_mount_count();
        spec_init(&s, ATTACK("noop"));
        s.rootfs = roots[i % 3];
        s.rootfs_rw = i >= 3;
        if (roots[i % 3] == g_sym_tmp && strncmp(g_hostside, "/tmp/", 5) == 0) {
            EXPECT_SPAWN_ERROR(&s, CTR_STEP_MOUNT, ELOOP, "/tmp");
        } else if (!s.rootfs_rw && geteuid() != 0) {
            ctr_container *c = NULL;
            ctr_error e;
            if (ctr_spawn(&s, &c, &e) == 0) {
                hold(c);
                drain(c, &r);
                WAIT(c, &r.res);
                destroy(c);
                ASSERT_EXIT(&r, 0);
            } else if (e.step != CTR_STEP_MOUNT || e.sys_errno != EACCES) {
                FAIL("rootfs %s: %s", roots[i % 3], e.msg);
            }
        } else {
            RUN(&s, &r);
            ASSERT_EXIT(&r, 0);
        }
        if (dir_entries(g_hostside) != 0)
            FAIL("rootfs %s: something was made on the host", roots[i % 3]);
        if (th_mount_count() != mounts)
            FAIL("rootfs %s: the host mount table changed", roots[i % 3]);
    }
}

/* CVE-2021-30465 itself: a race.  A thread keeps exchanging the rootfs's directory "race" with a
   symlink to a host directory while containers with mounts under /race are set up. */
static int g_race_stop; /* __atomic builtins */
static void *race_swapper(void *arg) {
    char a[PATH_MAX], b[PATH_MAX];
    (void)arg;
    path_join(a, g_race_root, "race");
    path_join(b, g_race_root, "race_swap");
    while (!__atomic_load_n(&g_race_stop, __ATOMIC_SEQ_CST))
        renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
    return NULL;
}

ESCAPE_TEST(mount_target_swap_race) {
    ctr_spec s;
    ctr_mount m;
    pthread_t t;
    char target[4][64];
    int ran = 0, refused = 0;
    static const ctr_mount_type types[4] = {CTR_MOUNT_DIR, CTR_MOUNT_FILE, CTR_MOUNT_TMPFS,
                                            CTR_MOUNT_BIND};
    th_fmt(target[0], sizeof target[0], "/race/dir-%d", (int)geteuid());
    th_fmt(target[1], sizeof target[1], "/race/file-%d", (int)geteuid());
    th_fmt(target[2], sizeof target[2], "/race/tmpfs-%d", (int)geteuid());
    th_fmt(target[3], sizeof target[3], "/race/bind-%d", (int)geteuid());
    spec_init(&s, ATTACK("noop"));
    s.rootfs = g_race_root;
    s.mounts = &m;
    s.nmounts = 1;
    __atomic_store_n(&g_race_stop, 0, __ATOMIC_SEQ_CST);
    if (pthread_create(&t, NULL, race_swapper, NULL) != 0) FAIL("pthread_create");
    for (int i = 0; i < 200; i++) {
        ctr_container *c = NULL;
        ctr_error e;
        ctr_result res;
        run r;
        memset(&m, 0, sizeof m);
        m.type = types[i % 4];
        m.target = target[i % 4];
        m.source = m.type == CTR_MOUNT_BIND ? g_data : NULL;
        m.data = "pwned";
        m.data_len = 5;
        if (ctr_spawn(&s, &c, &e) != 0) {
            refused++;
            continue;
        }
        drain(c, &r);
        ctr_wait(c, &res, NULL);
        ctr_destroy(c);
        ran++;
        if (dir_entries(g_race_host) != 0) break;
    }
    __atomic_store_n(&g_race_stop, 1, __ATOMIC_SEQ_CST);
    pthread_join(t, NULL);
    if (dir_entries(g_race_host) != 0)
        FAIL("a mount target raced into the host directory %s (%d runs, %d refused)", g_race_host,
             ran, refused);
    if (verbose_on())
        fprintf(stderr, "    [uid %d] race: %d containers ran, %d refused\n", (int)geteuid(), ran,
                refused);
}

/* ==== /proc ==== */

static const char *const g_masked[] = {"kcore",       "keys",          "key-users",   "timer_list",
                                       "sched_debug", "latency_stats", "timer_stats", "acpi",
                                       "scsi",        "asound",        "kallsyms",    "kpagecount",
                                       "kpageflags",  "kpagecgroup",   "vmallocinfo", NULL};

ESCAPE_TEST(masked_proc_files_do_not_open) {
    int checked = 0;
    for (int i = 0; g_masked[i]; i++) {
        char path[64];
        struct stat st;
        th_fmt(path, sizeof path, "/proc/%s", g_masked[i]);
        if (lstat(path, &st) != 0) continue; /* not on this kernel */
        ctr_spec s;
        spec_init(&s,
                  S_ISDIR(st.st_mode) ? ATTACK("masked_dir", path) : ATTACK("read_masked", path));
        EXPECT_BLOCKED(&s);
        checked++;
    }
    ASSERT_GE(checked, 3);
}

ESCAPE_TEST(proc_sys_sysrq_and_irq_are_read_only) {
    static const char *const paths[] = {
        "/proc/sys/kernel/core_pattern",  "/proc/sys/kernel/modprobe",
        "/proc/sys/kernel/hostname",      "/proc/sys/vm/drop_caches",
        "/proc/sys/fs/file-max",          "/proc/sysrq-trigger",
        "/proc/irq/default_smp_affinity", NULL};
    int checked = 0;
    for (int i = 0; paths[i]; i++) {
        if (access(paths[i], F_OK) != 0) continue;
        ctr_spec s;
        spec_init(&s, ATTACK("proc_write", paths[i]));
        EXPECT_BLOCKED(&s);
        checked++;
    }
    ASSERT_GE(checked, 3);
}

/* ==== privileged system calls ==== */

ESCAPE_TEST(open_by_handle_at_shocker) { BLOCKED("open_by_handle"); }
ESCAPE_TEST(keyrings_unreachable) { BLOCKED("keyctl"); }
ESCAPE_TEST(perf_event_open_refused) { BLOCKED("perf"); }
ESCAPE_TEST(bpf_refused) { BLOCKED("bpf"); }
ESCAPE_TEST(kernel_modules_refused) { BLOCKED("modules"); }
ESCAPE_TEST(kexec_refused) { BLOCKED("kexec"); }
ESCAPE_TEST(reboot_refused) { BLOCKED("reboot"); }
ESCAPE_TEST(swapon_refused) { BLOCKED("swapon"); }
ESCAPE_TEST(clock_setting_refused) { BLOCKED("settime"); }
ESCAPE_TEST(acct_refused) { BLOCKED("acct"); }
ESCAPE_TEST(io_ports_refused) { BLOCKED("ioperm"); }
ESCAPE_TEST(userfaultfd_refused) { BLOCKED("userfaultfd"); }
ESCAPE_TEST(io_uring_refused) { BLOCKED("io_uring"); }
ESCAPE_TEST(numa_policy_calls_refused) { BLOCKED("numa"); }
ESCAPE_TEST(modify_ldt_refused) { BLOCKED("modify_ldt"); }
ESCAPE_TEST(foreign_personalities_refused) { BLOCKED("personality"); }
ESCAPE_TEST(vsock_refused) { BLOCKED("vsock"); }
ESCAPE_TEST(kernel_log_unreadable) { BLOCKED("syslog"); }
ESCAPE_TEST(block_devices_made_with_mknod_do_not_open) { BLOCKED("mknod"); }

/* ==== the host's fair share ==== */

ESCAPE_TEST(realtime_priorities_refused) { BLOCKED("priority"); }
ESCAPE_TEST(oom_immunity_refused) { BLOCKED("oom_score_adj"); }
ESCAPE_TEST(core_dumps_stay_off) { BLOCKED("core_limit"); }

/* ==== processes and signals ==== */

/* A host process of this test's own uid (root, or 65534 for the rootless run). */
static pid_t local_canary(void) {
    pid_t pid = fork();
    if (pid < 0) FAIL("fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_NAME, "ctr-canary-2");
        for (;;) pause();
    }
    return pid;
}

static void end_local_canary(int line, pid_t pid) {
    int st;
    pid_t r = waitpid(pid, &st, WNOHANG);
    kill(pid, SIGKILL);
    if (r == 0) waitpid(pid, &st, 0);
    if (r != 0)
        TH_FAILF("line %d: the host process %d died (%s %d)", line, (int)pid,
                 WIFSIGNALED(st) ? "signal" : "exit",
                 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

ESCAPE_TEST(kill_minus_one_stays_inside) {
    pid_t canary = local_canary();
    BLOCKED("kill_all");
    BLOCKED_WITH_INIT("kill_all");
    end_local_canary(__LINE__, canary);
}

ESCAPE_TEST(host_processes_cannot_be_signalled_or_traced) {
    char p1[16], p2[16], p3[16], p4[16];
    pid_t canary = local_canary();
    th_fmt(p1, sizeof p1, "%d", (int)g_canary_pid);
    th_fmt(p2, sizeof p2, "%d", (int)canary);
    th_fmt(p3, sizeof p3, "%d", (int)getpid());
    th_fmt(p4, sizeof p4, "%d", (int)g_parent);
    BLOCKED("kill_pid", p1, p2, p3, p4);
    BLOCKED_WITH_INIT("kill_pid", p1, p2, p3, p4);
    end_local_canary(__LINE__, canary);
}

/* ==== terminals ==== */

typedef struct pty {
    int master, slave;
} pty;

static void pty_open(pty *p) {
    char name[64];
    struct termios t;
    p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (p->master < 0 || grantpt(p->master) != 0 || unlockpt(p->master) != 0 ||
        ptsname_r(p->master, name, sizeof name) != 0)
        FAIL("pty: %s", strerror(errno));
    p->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (p->slave < 0 || tcgetattr(p->slave, &t) != 0) FAIL("%s: %s", name, strerror(errno));
    cfmakeraw(&t); /* FIONREAD then counts every byte pushed, not just whole lines */
    if (tcsetattr(p->slave, TCSANOW, &t) != 0) FAIL("tcsetattr: %s", strerror(errno));
}

static void pty_close(pty *p) {
    close(p->master);
    close(p->slave);
}

/* Bytes waiting to be read on the terminal (what TIOCSTI would have pushed). */
static int pty_pending(const pty *p) {
    int n = -1;
    if (ioctl(p->slave, FIONREAD, &n) != 0) FAIL("FIONREAD: %s", strerror(errno));
    return n;
}

/* A host process that makes the pty the controlling terminal of its session, as a shell's
   terminal is; ends when *hold is closed. */
static pid_t pty_session(const pty *p, int *hold) {
    int ready[2], h[2];
    char b;
    CHECK_SYS(pipe2(ready, O_CLOEXEC));
    CHECK_SYS(pipe2(h, O_CLOEXEC));
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        close(ready[0]);
        close(h[1]);
        if (setsid() < 0 || ioctl(p->slave, TIOCSCTTY, 0) != 0) _exit(1);
        if (write(ready[1], "x", 1) != 1) _exit(1);
        while (read(h[0], &b, 1) < 0 && errno == EINTR) {}
        _exit(0);
    }
    close(ready[1]);
    close(h[0]);
    ssize_t n = read(ready[0], &b, 1);
    close(ready[0]);
    if (n != 1) FAIL("the session process could not take the pty as its terminal");
    *hold = h[1];
    return pid;
}

static void tty_attack(int line, const char *const *argv, int with_session, int seccomp_none,
                       int want) {
    pty p;
    ctr_spec s;
    int hold = -1;
    pid_t session = -1;
    pty_open(&p);
    if (with_session) session = pty_session(&p, &hold);
    spec_init(&s, argv);
    s.stdio[0] = CTR_STDIO_FD;
    s.stdio_fd[0] = p.slave;
    if (seccomp_none) s.seccomp = CTR_SECCOMP_NONE;
    expect_attack(line, &s, want);
    int pending = pty_pending(&p);
    if (session > 0) {
        close(hold);
        waitpid(session, NULL, 0);
    }
    pty_close(&p);
    if (want == 0 && pending != 0)
        TH_FAILF("line %d: %d bytes were pushed into the terminal", line, pending);
    if (want == 99 && pending <= 0)
        TH_FAILF("line %d: the control attack pushed nothing into the terminal", line);
}

ESCAPE_TEST(tiocsti_on_a_fresh_pty) { tty_attack(__LINE__, ATTACK("tiocsti"), 0, 0, 0); }
ESCAPE_TEST(tiocsti_on_a_host_sessions_terminal) {
    tty_attack(__LINE__, ATTACK("tiocsti"), 1, 0, 0);
}
ESCAPE_TEST(tiocsti_with_high_bits_in_the_request) {
    tty_attack(__LINE__, ATTACK("tiocsti_high"), 0, 0, 0);
    tty_attack(__LINE__, ATTACK("tiocsti_high"), 1, 0, 0);
}
ESCAPE_TEST(tioclinux_refused) { tty_attack(__LINE__, ATTACK("tioclinux"), 0, 0, 0); }

/* ==== network and IPC ==== */

ESCAPE_TEST(host_abstract_unix_socket_unreachable) { BLOCKED("abstract", g_abstract_name); }

ESCAPE_TEST(host_loopback_tcp_unreachable) {
    char port[16];
    th_fmt(port, sizeof port, "%d", g_tcp_port);
    BLOCKED("tcp", port);
}

static void sysv_args(char *a, char *b, char *c, char *d) {
    th_fmt(a, 16, "0x%x", (unsigned)g_shm_key);
    th_fmt(b, 16, "0x%x", (unsigned)g_msg_key);
    th_fmt(c, 16, "%d", g_shmid);
    th_fmt(d, 16, "%d", g_msqid);
}

ESCAPE_TEST(host_sysv_ipc_invisible) {
    char a[16], b[16], c[16], d[16];
    sysv_args(a, b, c, d);
    BLOCKED("sysv", a, b, c, d);
}

ESCAPE_TEST(host_posix_mqueue_invisible) { BLOCKED("mqueue", g_mq_name); }
ESCAPE_TEST(hostname_cannot_be_changed) { BLOCKED("sethostname"); }

/* ==== privilege gain through exec ==== */

ESCAPE_TEST(setuid_root_binary_gives_nothing) {
    ctr_spec s;
    spec_init(&s, ATTACK("setuid"));
    s.uid = 1000;
    s.gid = 1000;
    EXPECT_BLOCKED(&s);
}

ESCAPE_TEST(file_capabilities_give_nothing) {
    ctr_spec s;
    spec_init(&s, ATTACK("fcap"));
    s.uid = 1000;
    s.gid = 1000;
    EXPECT_BLOCKED(&s);
    spec_init(&s, ATTACK("fcap", DEFAULT_CAPS_HEX));
    EXPECT_BLOCKED(&s); /* root: nothing beyond the default set */
}

ESCAPE_TEST(host_environment_stays_out) { BLOCKED("environ", "leaked-host-variable"); }

/* ==== limits (cgroups: root on this v1 host) ==== */

ROOT_TEST(fork_bomb_is_contained_by_pids_max) {
    ctr_spec s;
    spec_init(&s, ATTACK("forkbomb", "16"));
    s.pids_max = 16;
    EXPECT_BLOCKED(&s);
}

ROOT_TEST(memory_bomb_is_contained_by_memory_max) {
    ctr_spec s;
    spec_init(&s, ATTACK("membomb", "256"));
    s.memory_max = 32u << 20;
    EXPECT_BLOCKED(&s);
}

/* ==== the loosening knobs work: the defaults are really defaults ==== */

ESCAPE_TEST(knob_cap_add_sys_admin_allows_sethostname) {
    ctr_spec s;
    spec_init(&s, ATTACK("sethostname"));
    s.cap_add = CTR_CAP(21);
    EXPECT_GETS_THROUGH(
        &s); /* in the container's own UTS namespace: check_host sees the host's unchanged */
}

ESCAPE_TEST(knob_seccomp_none_allows_nested_user_namespaces) {
    ctr_spec s;
    spec_init(&s, ATTACK("unshare"));
    s.seccomp = CTR_SECCOMP_NONE;
    EXPECT_GETS_THROUGH(&s);
}

ESCAPE_TEST(knob_allow_new_privs_clears_no_new_privs) {
    ctr_spec s;
    spec_init(&s, ATTACK("nnp"));
    s.allow_new_privs = 1;
    EXPECT_GETS_THROUGH(&s);
}

ESCAPE_TEST(knob_no_masks_makes_proc_keys_readable) {
    ctr_spec s;
    spec_init(&s, ATTACK("read_masked", "/proc/keys"));
    s.no_masks = 1;
    EXPECT_GETS_THROUGH(&s);
}

/* Controls: the attacks do see a hole when there is one (root). */
ROOT_TEST(controls_attacks_detect_holes) {
    ctr_spec s;
    char a[16], b[16], c[16], d[16], port[16], pid[16];
    spec_init(&s, ATTACK("abstract", g_abstract_name));
    s.share = CTR_NS_NET;
    EXPECT_GETS_THROUGH(&s);
    th_fmt(port, sizeof port, "%d", g_tcp_port);
    spec_init(&s, ATTACK("tcp", port));
    s.share = CTR_NS_NET;
    EXPECT_GETS_THROUGH(&s);
    sysv_args(a, b, c, d);
    spec_init(&s, ATTACK("sysv", a, b, c, d));
    s.share = CTR_NS_IPC;
    EXPECT_GETS_THROUGH(&s);
    th_fmt(pid, sizeof pid, "%d", (int)g_canary_pid); /* signal 0 only */
    spec_init(&s, ATTACK("kill_pid", pid));
    s.share = CTR_NS_PID;
    EXPECT_GETS_THROUGH(&s);
    static const char *const unfiltered[] = {"clone_ns", "userfaultfd", "io_uring", "keyctl", NULL};
    for (int i = 0; unfiltered[i]; i++) {
        spec_init(&s, ATTACK(unfiltered[i]));
        s.seccomp = CTR_SECCOMP_NONE;
        EXPECT_GETS_THROUGH(&s);
    }
    spec_init(&s, ATTACK("status"));
    s.seccomp = CTR_SECCOMP_NONE;
    EXPECT_GETS_THROUGH(&s);
    spec_init(&s, ATTACK("read_masked", "/proc/timer_list"));
    s.no_masks = 1;
    EXPECT_GETS_THROUGH(&s);
    tty_attack(__LINE__, ATTACK("tiocsti"), 0, 1,
               99); /* no filter, a pty nobody owns: TIOCSTI works */
}

/* ==== after everything ==== */

TEST(host_unchanged_after_the_suite) {
    struct shmid_ds sd;
    struct msqid_ds md;
    CHECK_HOST();
    CHECK_SYS(shmctl(g_shmid, IPC_STAT, &sd));
    CHECK_SYS(msgctl(g_msqid, IPC_STAT, &md));
    ASSERT_EQ(sd.shm_nattch, 0);
    ASSERT_TRUE(same_content(g_victim, g_attack_src));
    ASSERT_TRUE(same_content(g_attack_host, g_attack_src));
}

int main(int argc, char **argv) { return suite_main(argc, argv, fixture_setup, fixture_teardown); }
