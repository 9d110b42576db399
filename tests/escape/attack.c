/* attack - container escape attempts, run inside containers by tests/escape/test_escape.c.
   Built static (gcc -static), so that any rootfs can run it.

       attack SUBCOMMAND [ARGS...]

   Exit status: 0 when the attack was blocked, 99 when it got through, anything else when the
   attack itself could not run (bad usage, missing setup: the test counts that as a failure too).
   One line on stdout says what happened: "blocked: ..." with the errno names met on the way,
   "ESCAPED: ..." or "broken: ...".

   Calls that would do harm if they got through are made harmless: bad magic numbers or flags that
   the kernel checks only after the privilege check (EPERM first means blocked, EINVAL means the
   privilege check passed), files opened for writing but never written, the time "set" to now.

   The subcommands, with the real-world attack each one stands for:

   pid 1 of a container with init (a copy of the host process that never exec'd; CVE-2019-5736):
     init_exe                 open /proc/1/exe (O_RDONLY, O_PATH), readlink it
     init_mem                 open and read /proc/1/mem
     init_fds                 list /proc/1/fd, open every entry
     init_environ             read /proc/1/environ
     init_links               /proc/1/root, /proc/1/cwd, /proc/1/maps; /proc/1/map_files lists nothing
     init_ptrace              ptrace ATTACH/SEIZE pid 1, process_vm_readv, pidfd_getfd, kcmp
   leaked descriptors and working directory (CVE-2024-21626):
     fds MARKER               every fd but 0-2 is a leak; 0-2 and the cwd, if directories, must
                              lead ("..", repeatedly) to the container's own root; MARKER (an
                              absolute host path) must not be reachable from any of them
     exe_overwrite SECOND     CVE-2019-5736: open /proc/self/exe for writing; then keep an O_PATH
                              fd of it, exec SECOND (another binary) with "write_fd FD", which
                              reopens it for writing and appends "PWNED"
     write_fd FD              (second half of exe_overwrite)
   namespaces and the seccomp filter:
     unshare                  unshare() of every namespace type, CLONE_NEWUSER first
     clone_ns                 raw clone() with CLONE_NEWUSER, CLONE_NEWNS, ...
     clone3_ns                clone3() with CLONE_NEWUSER
     setns                    setns() into every /proc/self/ns file, every /proc/1/ns file, a pidfd of 1
     int80                    i386 syscalls through int $0x80: getuid32, unshare, mount (-ENOSYS)
     x32                      x32 syscalls (nr | 0x40000000): getpid, unshare (ENOSYS)
     status                   /proc/self/status: CapInh 0, CapPrm = CapEff = (uid 0: Docker's
                              default set, else 0), CapBnd = the default set, CapAmb 0,
                              NoNewPrivs 1, Seccomp 2
     nnp                      NoNewPrivs is 1
     capmax HEX               no capability outside HEX in CapEff, CapPrm, CapAmb
   mounts:
     mount_proc               mount a fresh proc (on /tmp/p and over /proc), sysfs, tmpfs
     umount_masks             umount2 /proc/kcore, /proc/keys, /proc/sys, /proc
     remount_proc_sys         remount /proc/sys read-write, then open core_pattern for writing
     new_mount_api            fsopen, fspick, open_tree, move_mount, mount_setattr
     open_tree_attr           open_tree_attr (Linux 6.15): a clone of /proc/sys with the read-only
                              flag cleared, then core_pattern opened for writing through it
     pivot_root               pivot_root into /tmp
     cgroup_mount             mount cgroup v1 (release_agent, CVE-2022-0492) and cgroup2
     chroot MARKER            chroot + fchdir/chdir("..") loops + chroot("."): still our root?
   /proc:
     proc_write PATH          open PATH for writing (nothing is written)
     read_masked PATH         open PATH for reading (a masked file must not open)
     masked_dir PATH          PATH (a masked directory) must be empty
   privileged syscalls:
     open_by_handle           "shocker": open_by_handle_at on inode 2 of the root's filesystem
     keyctl                   keyctl, add_key, request_key (keyrings are not namespaced)
     perf                     perf_event_open (own process, and system-wide)
     bpf                      bpf MAP_CREATE and PROG_LOAD
     modules                  init_module, finit_module, delete_module
     kexec                    kexec_load, kexec_file_load
     reboot                   reboot
     swapon                   swapon, swapoff
     settime                  settimeofday, clock_settime, clock_adjtime
     acct                     acct
     ioperm                   ioperm, iopl
     userfaultfd              userfaultfd (also UFFD_USER_MODE_ONLY)
     io_uring                 io_uring_setup
     numa                     migrate_pages, set_mempolicy_home_node (mbind, move_pages too)
     modify_ldt               modify_ldt (x86: a local descriptor table, old kernel attack surface)
     personality              personality() with a persona other than Linux, LINUX32, UNAME26
     vsock                    socket(AF_VSOCK) (not confined by network namespaces: the
                              hypervisor's services), also with high bits in the family
     syslog                   syslog(READ_ALL), /proc/kmsg
     mknod                    mknod a host block device (from /proc/partitions) and /dev/mem in
                              /tmp, / and /dev, then open them
   the host's fair share:
     priority                 SCHED_FIFO/SCHED_RR, nice -20, real-time I/O priority
     oom_score_adj            -1000 (never OOM-killed)
     core_limit               RLIMIT_CORE hard 0 and cannot be raised (core dumps would run the
                              host's core_pattern)
   processes and signals:
     kill_all                 SIGKILL to -1 (kills a child of ours; the test checks its host processes)
     kill_pid PID...          kill(PID, 0), pidfd_open(PID), PTRACE_ATTACH PID, F_SETOWN PID on our
                              stdout (a pipe shared with the host) must find nothing
   terminals (stdin must be a tty):
     tiocsti                  TIOCSCTTY (also stealing with arg 1), then TIOCSTI "X"
     tiocsti_high             the same with the request 0x100005412 (truncated to TIOCSTI)
     tioclinux                TIOCLINUX TIOCL_PASTESEL must be refused by the filter (EPERM)
   network and IPC:
     abstract NAME            connect to the abstract unix socket "\0NAME"
     tcp PORT                 connect to 127.0.0.1:PORT
     sysv SHMKEY MSGKEY SHMID MSQID   shmget/msgget by key, shmat/msgctl by id
     mqueue NAME              mq_open NAME
     sethostname              sethostname, setdomainname
   privilege gain by exec:
     setuid                   exec /bin/suid (setuid root) with "euid"
     euid                     escaped if the effective or saved uid is 0
     fcap [HEX]               exec /bin/fcap (file capabilities) with "capmax HEX" (default 0)
   limits:
     forkbomb LIMIT           fork until it fails; more than LIMIT-1 children is an escape
     membomb MIB              a child touches MIB MiB; it must be killed
   files:
     host_userland_write      (rootfs NULL) write, create, chmod in /usr /bin /etc /lib...
     environ SECRET           SECRET (a host variable) in our environment
     noop                     do nothing
     pause                    read stdin until EOF (the test inspects the running container) */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define EXIT_BLOCKED 0
#define EXIT_ESCAPED 99
#define EXIT_BROKEN  2

/* Newer than the build host's headers. */
#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif
#define X_OPEN_TREE_CLONE         1u
#define X_AT_RECURSIVE            0x8000u
#define X_MOVE_MOUNT_F_EMPTY_PATH 0x4u
#define X_MOUNT_ATTR_RDONLY       0x1u
#define X_CLONE_NEWTIME           0x80u
#define X_CLONE_NEWCGROUP         0x02000000u
#define X32_BIT                   0x40000000L

struct x_mount_attr {
    uint64_t attr_set, attr_clr, propagation, userns_fd;
};

struct x_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* ---- verdicts ---- */

static char g_notes[4096];

static const char *en(int e) {
    const char *n = strerrorname_np(e);
    return n ? n : "E?";
}

/* Records what a blocked step gave, for the final "blocked: ..." line. */
__attribute__((format(printf, 1, 2))) static void note(const char *fmt, ...) {
    size_t n = strlen(g_notes);
    va_list ap;
    if (n + 3 >= sizeof g_notes) return;
    if (n) {
        memcpy(g_notes + n, ", ", 3);
        n += 2;
    }
    va_start(ap, fmt);
    vsnprintf(g_notes + n, sizeof g_notes - n, fmt, ap);
    va_end(ap);
}

static int blocked(void) {
    printf("blocked: %s\n", g_notes[0] ? g_notes : "nothing got through");
    return EXIT_BLOCKED;
}

__attribute__((noreturn, format(printf, 2, 3))) static void finish(int code, const char *fmt, ...) {
    va_list ap;
    printf("%s", code == EXIT_ESCAPED ? "ESCAPED: " : "broken: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    _exit(code);
}
#define escaped(...) finish(EXIT_ESCAPED, __VA_ARGS__)
#define broken(...)  finish(EXIT_BROKEN, __VA_ARGS__)

/* A call that must fail: a success is an escape, a failure is noted with its errno. */
#define MUST_FAIL(what, call)                                          \
    do {                                                               \
        errno = 0;                                                     \
        long r_ = (long)(call);                                        \
        if (r_ >= 0) escaped("%s succeeded (returned %ld)", what, r_); \
        note("%s %s", what, en(errno));                                \
    } while (0)

/* A privileged call with arguments the kernel rejects only after the privilege check: any
   errno but the listed "refused" ones proves that the check passed. */
static void must_be_refused(const char *what, long r, int e, int ok1, int ok2) {
    if (r >= 0) escaped("%s succeeded (returned %ld)", what, r);
    if (e != ok1 && e != ok2) escaped("%s passed the privilege check: %s", what, en(e));
    note("%s %s", what, en(e));
}
#define REFUSED(what, call, ok1, ok2)               \
    do {                                            \
        errno = 0;                                  \
        long r_ = (long)(call);                     \
        must_be_refused(what, r_, errno, ok1, ok2); \
    } while (0)

static unsigned long long parse_num(const char *s) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || !*s || *end) broken("not a number: '%s'", s);
    return v;
}

/* The value of "Key:" in /proc/self/status, or NULL. */
static const char *status_field(const char *key) {
    static char buf[8192], val[256];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0) broken("open /proc/self/status: %s", en(errno));
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) broken("read /proc/self/status");
    buf[n] = '\0';
    size_t kl = strlen(key);
    for (char *line = buf; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
            char *v = line + kl + 1;
            while (*v == '\t' || *v == ' ') v++;
            size_t l = strcspn(v, "\n");
            if (l >= sizeof val) l = sizeof val - 1;
            memcpy(val, v, l);
            val[l] = '\0';
            return val;
        }
    }
    return NULL;
}

static int same_file(const struct stat *a, const struct stat *b) {
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Follows ".." from dirfd until it stops changing; returns an O_PATH fd of that top directory. */
static int walk_up(int dirfd) {
    int cur = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cur < 0) return -1;
    for (int i = 0; i < 4096; i++) {
        struct stat a, b;
        int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (up < 0 || fstat(cur, &a) != 0 || fstat(up, &b) != 0) {
            if (up >= 0) close(up);
            return cur;
        }
        if (same_file(&a, &b)) {
            close(up);
            return cur;
        }
        close(cur);
        cur = up;
    }
    return cur;
}

/* Escapes if, from dirfd, ".." leads anywhere but our root, or the host MARKER is reachable. */
static void check_dir_inside(int dirfd, const char *what, const struct stat *root,
                             const char *marker) {
    struct stat top, st;
    int t = walk_up(dirfd);
    if (t < 0) {
        note("%s: %s", what, en(errno));
        return;
    }
    if (fstat(t, &top) != 0) broken("fstat: %s", en(errno));
    if (marker && marker[0] == '/' && fstatat(t, marker + 1, &st, AT_SYMLINK_NOFOLLOW) == 0)
        escaped("%s leads to a root where the host file %s exists", what, marker);
    if (!same_file(&top, root))
        escaped("%s leads to a root directory that is not the container's (dev %u:%u ino %lu)",
                what, major(top.st_dev), minor(top.st_dev), (unsigned long)top.st_ino);
    close(t);
    note("%s stays inside", what);
}

/* ---- pid 1 of an init container: a copy of the host process ---- */

static void need_init_pid1(void) {
    if (getpid() == 1) broken("run this with init: pid 1 is the attack itself");
}

static int cmd_init_exe(void) {
    char buf[4096];
    need_init_pid1();
    MUST_FAIL("open /proc/1/exe", open("/proc/1/exe", O_RDONLY | O_CLOEXEC));
    MUST_FAIL("open /proc/1/exe O_PATH", open("/proc/1/exe", O_PATH | O_CLOEXEC));
    MUST_FAIL("open /proc/1/exe O_WRONLY", open("/proc/1/exe", O_WRONLY | O_CLOEXEC));
    errno = 0;
    ssize_t n = readlink("/proc/1/exe", buf, sizeof buf - 1);
    if (n >= 0) {
        buf[n] = '\0';
        escaped("readlink /proc/1/exe gave the host path %s", buf);
    }
    note("readlink %s", en(errno));
    return blocked();
}

static int cmd_init_mem(void) {
    char buf[64];
    need_init_pid1();
    int fd = open("/proc/1/mem", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        /* The host's code is mapped somewhere: try the usual non-PIE and PIE bases. */
        ssize_t n = pread(fd, buf, sizeof buf, 0x400000);
        escaped("opened /proc/1/mem (pread: %zd)", n);
    }
    note("open /proc/1/mem %s", en(errno));
    MUST_FAIL("open /proc/1/mem O_RDWR", open("/proc/1/mem", O_RDWR | O_CLOEXEC));
    return blocked();
}

static int cmd_init_fds(void) {
    need_init_pid1();
    DIR *d = opendir("/proc/1/fd");
    if (!d) {
        note("opendir /proc/1/fd %s", en(errno));
        return blocked();
    }
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        char path[300], target[512];
        if (e->d_name[0] == '.') continue;
        n++;
        snprintf(path, sizeof path, "/proc/1/fd/%s", e->d_name);
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0) escaped("opened %s, a descriptor of the host process copy", path);
        note("open fd %s %s", e->d_name, en(errno));
        fd = open(path, O_PATH | O_CLOEXEC);
        if (fd >= 0) escaped("opened %s with O_PATH", path);
        ssize_t l = readlink(path, target, sizeof target - 1);
        if (l >= 0) {
            target[l] = '\0';
            escaped("readlink %s gave %s", path, target);
        }
    }
    closedir(d);
    note("%d entries listed", n);
    return blocked();
}

static int cmd_init_environ(void) {
    char buf[4096];
    need_init_pid1();
    int fd = open("/proc/1/environ", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0)
            escaped("read %zd bytes of the host process's environment from /proc/1/environ", n);
        note("open /proc/1/environ ok, read %s", n < 0 ? en(errno) : "0 bytes");
        close(fd);
        return blocked();
    }
    note("open /proc/1/environ %s", en(errno));
    return blocked();
}

static int cmd_init_links(void) {
    static const char *const dirs[] = {"/proc/1/root", "/proc/1/cwd", NULL};
    char buf[4096];
    need_init_pid1();
    for (int i = 0; dirs[i]; i++) {
        DIR *d = opendir(dirs[i]); /* follows the magic link: the host copy's root or cwd */
        if (d) {
            closedir(d);
            escaped("opened %s", dirs[i]);
        }
        note("opendir %s %s", dirs[i] + 8, en(errno));
    }
    /* map_files: the directory may open (root owns it), its entries (the mapped host files) must not */
    DIR *d = opendir("/proc/1/map_files");
    if (d) {
        struct dirent *e;
        errno = 0;
        while ((e = readdir(d)) != NULL)
            if (e->d_name[0] != '.') escaped("listed /proc/1/map_files: %s", e->d_name);
        note("map_files lists nothing (%s)", errno ? en(errno) : "empty");
        closedir(d);
    } else {
        note("opendir map_files %s", en(errno));
    }
    int fd = open("/proc/1/maps", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n > 0) {
            buf[n] = '\0';
            buf[strcspn(buf, "\n")] = '\0';
            escaped("read the host process's /proc/1/maps: %s", buf);
        }
        note("maps read %s", n < 0 ? en(errno) : "0 bytes");
    } else {
        note("open maps %s", en(errno));
    }
    return blocked();
}

static int cmd_init_ptrace(void) {
    char buf[16];
    struct iovec local = {buf, sizeof buf}, remote = {(void *)0x400000, sizeof buf};
    need_init_pid1();
    errno = 0;
    if (ptrace(PTRACE_ATTACH, 1, 0, 0) == 0) {
        ptrace(PTRACE_DETACH, 1, 0, 0);
        escaped("PTRACE_ATTACH to pid 1 (the host process copy) worked");
    }
    note("PTRACE_ATTACH %s", en(errno));
    errno = 0;
    if (ptrace(PTRACE_SEIZE, 1, 0, 0) == 0) {
        ptrace(PTRACE_DETACH, 1, 0, 0);
        escaped("PTRACE_SEIZE of pid 1 worked");
    }
    note("PTRACE_SEIZE %s", en(errno));
    MUST_FAIL("process_vm_readv", process_vm_readv(1, &local, 1, &remote, 1, 0));
    int pfd = (int)syscall(SYS_pidfd_open, 1, 0);
    if (pfd >= 0) {
        for (int fd = 0; fd < 8; fd++) {
            errno = 0;
            long r = syscall(SYS_pidfd_getfd, pfd, fd, 0);
            if (r >= 0) escaped("pidfd_getfd took fd %d of pid 1", fd);
            if (fd == 0) note("pidfd_getfd %s", en(errno));
        }
        close(pfd);
    } else {
        note("pidfd_open(1) %s", en(errno));
    }
    MUST_FAIL("kcmp", syscall(SYS_kcmp, getpid(), 1, 0 /* KCMP_FILE */, 0, 0));
    return blocked();
}

/* ---- leaked descriptors and cwd ---- */

static int cmd_fds(const char *marker) {
    struct stat root, st;
    char cwd[4096];
    if (stat("/", &root) != 0) broken("stat /: %s", en(errno));
    DIR *d = opendir("/proc/self/fd");
    if (!d) broken("opendir /proc/self/fd: %s", en(errno));
    struct dirent *e;
    int fds[256], n = 0;
    while ((e = readdir(d)) != NULL && n < 256) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        int fd = atoi(e->d_name);
        if (fd != dirfd(d)) fds[n++] = fd;
    }
    closedir(d);
    for (int i = 0; i < n; i++) {
        char path[64], target[512] = "?";
        snprintf(path, sizeof path, "/proc/self/fd/%d", fds[i]);
        ssize_t l = readlink(path, target, sizeof target - 1);
        if (l >= 0) target[l] = '\0';
        if (fds[i] > 2) escaped("fd %d (%s) was inherited from outside", fds[i], target);
        if (fstat(fds[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            char what[32];
            snprintf(what, sizeof what, "fd %d", fds[i]);
            check_dir_inside(fds[i], what, &root, marker);
        }
    }
    note("%d fds, none above 2", n);
    long r = syscall(SYS_getcwd, cwd, sizeof cwd);
    if (r < 0)
        note("getcwd %s", en(errno));
    else if (strncmp(cwd, "(unreachable)", 13) == 0)
        escaped("the working directory is outside the root: %s", cwd);
    else
        note("cwd %s", cwd);
    int dot = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dot < 0)
        note("open . %s", en(errno));
    else {
        check_dir_inside(dot, "cwd", &root, marker);
        close(dot);
    }
    char rl[4096];
    ssize_t l = readlink("/proc/self/root", rl, sizeof rl - 1);
    if (l >= 0) {
        rl[l] = '\0';
        if (strcmp(rl, "/") != 0) escaped("/proc/self/root is %s", rl);
    }
    return blocked();
}

static int cmd_exe_overwrite(const char *second) {
    int w = open("/proc/self/exe", O_WRONLY | O_APPEND | O_CLOEXEC);
    if (w >= 0)
        escaped("opened our own executable (a host file) for writing through /proc/self/exe");
    note("open /proc/self/exe O_WRONLY %s", en(errno));
    int fd = open("/proc/self/exe", O_PATH); /* survives the exec */
    if (fd < 0) {
        note("O_PATH %s", en(errno));
        return blocked();
    }
    char num[16];
    snprintf(num, sizeof num, "%d", fd);
    fflush(stdout);
    char *const argv[] = {(char *)second, (char *)"write_fd", num, (char *)g_notes, NULL};
    execve(second, argv, environ);
    broken("exec %s: %s", second, en(errno));
}

static int cmd_write_fd(const char *fdstr, const char *notes) {
    char path[64];
    snprintf(g_notes, sizeof g_notes, "%s", notes ? notes : "");
    snprintf(path, sizeof path, "/proc/self/fd/%s", fdstr);
    /* Our first executable is no longer running: no ETXTBSY now. */
    int w = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (w >= 0) {
        ssize_t n = write(w, "PWNED\n", 6);
        escaped("reopened the first executable for writing through its O_PATH fd (write: %zd)", n);
    }
    note("reopen for writing %s", en(errno));
    return blocked();
}

/* ---- namespaces, seccomp ---- */

static const struct {
    int flag;
    const char *name;
} g_ns[] = {
    {CLONE_NEWUSER, "CLONE_NEWUSER"},       {CLONE_NEWNS, "CLONE_NEWNS"},
    {CLONE_NEWPID, "CLONE_NEWPID"},         {CLONE_NEWNET, "CLONE_NEWNET"},
    {CLONE_NEWIPC, "CLONE_NEWIPC"},         {CLONE_NEWUTS, "CLONE_NEWUTS"},
    {X_CLONE_NEWCGROUP, "CLONE_NEWCGROUP"}, {X_CLONE_NEWTIME, "CLONE_NEWTIME"},
};
#define NNS ((int)(sizeof g_ns / sizeof g_ns[0]))

static int cmd_unshare(void) {
    for (int i = 0; i < NNS; i++) {
        errno = 0;
        if (syscall(SYS_unshare, g_ns[i].flag) == 0) escaped("unshare(%s) worked", g_ns[i].name);
        note("%s %s", g_ns[i].name, en(errno));
    }
    return blocked();
}

static void reap_escaped_child(long pid, const char *what) {
    if (pid == 0) _exit(0); /* the child */
    waitpid((pid_t)pid, NULL, __WALL);
    escaped("%s created a process in new namespaces", what);
}

static int cmd_clone_ns(void) {
    for (int i = 0; i < NNS; i++) {
        errno = 0;
        long pid = syscall(SYS_clone, (unsigned long)(g_ns[i].flag | SIGCHLD), 0, 0, 0, 0);
        if (pid >= 0) reap_escaped_child(pid, g_ns[i].name);
        note("clone(%s) %s", g_ns[i].name, en(errno));
    }
    errno = 0;
    long pid =
        syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | SIGCHLD), 0,
                0, 0, 0);
    if (pid >= 0) reap_escaped_child(pid, "clone(USER|NS|PID)");
    note("all three %s", en(errno));
    return blocked();
}

static int cmd_clone3_ns(void) {
    struct x_clone_args a;
    memset(&a, 0, sizeof a);
    a.flags = CLONE_NEWUSER;
    a.exit_signal = SIGCHLD;
    errno = 0;
    long pid = syscall(SYS_clone3, &a, sizeof a);
    if (pid >= 0) reap_escaped_child(pid, "clone3(CLONE_NEWUSER)");
    note("clone3(CLONE_NEWUSER) %s", en(errno));
    a.flags = CLONE_NEWNS | CLONE_NEWPID;
    errno = 0;
    pid = syscall(SYS_clone3, &a, sizeof a);
    if (pid >= 0) reap_escaped_child(pid, "clone3(CLONE_NEWNS|CLONE_NEWPID)");
    note("clone3(NEWNS|NEWPID) %s", en(errno));
    return blocked();
}

static int cmd_setns(void) {
    static const char *const names[] = {"user", "mnt",    "pid",  "net", "ipc",
                                        "uts",  "cgroup", "time", NULL};
    for (int p = 0; p < 2; p++) {
        const char *pid = p == 0 ? "self" : "1";
        for (int i = 0; names[i]; i++) {
            char path[64];
            snprintf(path, sizeof path, "/proc/%s/ns/%s", pid, names[i]);
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                if (i == 0) note("open /proc/%s/ns/* %s", pid, en(errno));
                continue;
            }
            errno = 0;
            if (syscall(SYS_setns, fd, 0) == 0) escaped("setns(%s) worked", path);
            if (errno != EPERM)
                escaped("setns(%s) was not refused by the filter: %s", path, en(errno));
            close(fd);
        }
        note("setns /proc/%s/ns/* EPERM", pid);
    }
    int pfd = (int)syscall(SYS_pidfd_open, 1, 0);
    if (pfd >= 0) {
        MUST_FAIL("setns(pidfd of 1)", syscall(SYS_setns, pfd, CLONE_NEWNS | CLONE_NEWNET));
        close(pfd);
    }
    return blocked();
}

/* i386 system calls from 64-bit code: pointers must be below 4 GiB (static, non-PIE data). */
static sigjmp_buf g_segv;
static void on_segv(int sig) {
    (void)sig;
    siglongjmp(g_segv, 1);
}

static long int80(long nr, long a, long b, long c) {
    long ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(nr), "b"(a), "c"(b), "d"(c)
                     : "memory", "r8", "r9", "r10", "r11");
    return ret;
}

static char g_i386_none[] = "none", g_i386_tmp[] = "/tmp", g_i386_tmpfs[] = "tmpfs";

static int cmd_int80(void) {
    static const struct {
        long nr;
        const char *name;
        long a, b, c;
    } calls[] = {
        {199, "getuid32", 0, 0, 0},
        {310, "unshare(CLONE_NEWUSER)", CLONE_NEWUSER, 0, 0},
        {21, "mount", 0, 0, 0},
        {26, "ptrace(PTRACE_TRACEME)", 0, 0, 0},
    };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(g_segv, 1)) {
        note("int $0x80 raised SIGSEGV (no ia32 emulation)");
        return blocked();
    }
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        long a = calls[i].a, b = calls[i].b, c = calls[i].c;
        if (calls[i].nr == 21) {
            a = (long)(uintptr_t)g_i386_none;
            b = (long)(uintptr_t)g_i386_tmp;
            c = (long)(uintptr_t)g_i386_tmpfs;
            if ((uintptr_t)g_i386_tmpfs > 0xffffffffu)
                broken("data above 4 GiB: build without PIE");
        }
        long r = int80(calls[i].nr, a, b, c);
        if (r != -ENOSYS)
            escaped("i386 %s reached the i386 syscall table: returned %ld%s%s", calls[i].name, r,
                    r < 0 && r > -4096 ? " " : "", r < 0 && r > -4096 ? en((int)-r) : "");
        note("i386 %s ENOSYS", calls[i].name);
    }
    return blocked();
}

static int cmd_x32(void) {
    errno = 0;
    long r = syscall(X32_BIT | SYS_getpid);
    if (r >= 0) escaped("x32 getpid worked (%ld)", r);
    if (errno != ENOSYS) escaped("x32 getpid reached the kernel: %s", en(errno));
    note("x32 getpid ENOSYS");
    errno = 0;
    r = syscall(X32_BIT | SYS_unshare, CLONE_NEWUSER);
    if (r >= 0) escaped("x32 unshare(CLONE_NEWUSER) worked");
    note("x32 unshare %s", en(errno));
    return blocked();
}

#define DEFAULT_CAPS 0xa80425fbull /* Docker's default set, CTR_CAPS_DEFAULT */

static unsigned long long status_hex(const char *key) {
    const char *v = status_field(key);
    if (!v) broken("no %s in /proc/self/status", key);
    return strtoull(v, NULL, 16);
}

static int cmd_status(void) {
    unsigned long long want = getuid() == 0 ? DEFAULT_CAPS : 0;
    struct {
        const char *key;
        unsigned long long want;
    } caps[] = {
        {"CapInh", 0}, {"CapPrm", want}, {"CapEff", want}, {"CapBnd", DEFAULT_CAPS}, {"CapAmb", 0}};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        unsigned long long v = status_hex(caps[i].key);
        if (v != caps[i].want)
            escaped("%s is %016llx, expected %016llx", caps[i].key, v, caps[i].want);
        note("%s %llx", caps[i].key, v);
    }
    const char *nnp = status_field("NoNewPrivs");
    if (!nnp || strcmp(nnp, "1") != 0) escaped("NoNewPrivs is %s", nnp ? nnp : "missing");
    const char *sc = status_field("Seccomp"); /* status_field's buffer is reused: one at a time */
    if (!sc || strcmp(sc, "2") != 0) escaped("Seccomp is %s (2 = filter)", sc ? sc : "missing");
    note("NoNewPrivs 1, Seccomp 2 (uid %d)", (int)getuid());
    return blocked();
}

static int cmd_nnp(void) {
    const char *nnp = status_field("NoNewPrivs");
    if (!nnp || strcmp(nnp, "1") != 0) escaped("NoNewPrivs is %s", nnp ? nnp : "missing");
    note("NoNewPrivs 1");
    return blocked();
}

static int cmd_capmax(const char *hex) {
    unsigned long long max = parse_num(hex);
    static const char *const keys[] = {"CapEff", "CapPrm", "CapAmb", NULL};
    for (int i = 0; keys[i]; i++) {
        unsigned long long v = status_hex(keys[i]);
        if (v & ~max)
            escaped("%s is %016llx: capabilities %016llx beyond %016llx", keys[i], v, v & ~max,
                    max);
        note("%s %llx", keys[i], v);
    }
    return blocked();
}

/* ---- mounts ---- */

static int cmd_mount_proc(void) {
    mkdir("/tmp/p", 0755);
    MUST_FAIL("mount proc on /tmp/p", mount("proc", "/tmp/p", "proc", 0, NULL));
    MUST_FAIL("mount proc over /proc", mount("proc", "/proc", "proc", 0, NULL));
    MUST_FAIL("mount sysfs", mount("sysfs", "/tmp/p", "sysfs", 0, NULL));
    MUST_FAIL("mount tmpfs over /proc/sys", mount("tmpfs", "/proc/sys", "tmpfs", 0, NULL));
    MUST_FAIL("bind /proc over /proc/kcore's mask", mount("/proc", "/tmp/p", NULL, MS_BIND, NULL));
    rmdir("/tmp/p");
    return blocked();
}

static int cmd_umount_masks(void) {
    static const char *const paths[] = {"/proc/kcore",
                                        "/proc/keys",
                                        "/proc/timer_list",
                                        "/proc/sys",
                                        "/proc/sysrq-trigger",
                                        "/proc/acpi",
                                        "/proc",
                                        NULL};
    for (int i = 0; paths[i]; i++) {
        char what[64];
        snprintf(what, sizeof what, "umount2 %s", paths[i]);
        MUST_FAIL(what, umount2(paths[i], MNT_DETACH));
    }
    MUST_FAIL("umount /proc/kcore (no flags)", umount2("/proc/kcore", 0));
    return blocked();
}

static int cmd_remount_proc_sys(void) {
    MUST_FAIL("remount /proc/sys rw", mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND, NULL));
    MUST_FAIL("remount /proc rw", mount(NULL, "/proc", NULL, MS_REMOUNT, NULL));
    MUST_FAIL("open core_pattern for writing",
              open("/proc/sys/kernel/core_pattern", O_WRONLY | O_CLOEXEC));
    return blocked();
}

static int cmd_new_mount_api(void) {
    struct x_mount_attr a;
    memset(&a, 0, sizeof a);
    a.attr_clr = X_MOUNT_ATTR_RDONLY;
    MUST_FAIL("fsopen(proc)", syscall(SYS_fsopen, "proc", 1));
    MUST_FAIL("fsopen(tmpfs)", syscall(SYS_fsopen, "tmpfs", 1));
    MUST_FAIL("fspick(/proc/sys)", syscall(SYS_fspick, AT_FDCWD, "/proc/sys", 1));
    MUST_FAIL("open_tree(/proc, CLONE)",
              syscall(SYS_open_tree, AT_FDCWD, "/proc", X_OPEN_TREE_CLONE | O_CLOEXEC));
    MUST_FAIL(
        "open_tree(/, CLONE|RECURSIVE)",
        syscall(SYS_open_tree, AT_FDCWD, "/", X_OPEN_TREE_CLONE | X_AT_RECURSIVE | O_CLOEXEC));
    int t = (int)syscall(SYS_open_tree, AT_FDCWD, "/proc/kcore",
                         O_CLOEXEC); /* no CLONE: a plain O_PATH */
    if (t >= 0) {
        MUST_FAIL("move_mount(/proc/kcore's mask to /tmp)",
                  syscall(SYS_move_mount, t, "", AT_FDCWD, "/tmp", X_MOVE_MOUNT_F_EMPTY_PATH));
        close(t);
    }
    MUST_FAIL("mount_setattr(/proc/sys, clear RDONLY)",
              syscall(SYS_mount_setattr, AT_FDCWD, "/proc/sys", 0, &a, sizeof a));
    return blocked();
}

static int cmd_open_tree_attr(void) {
    struct x_mount_attr a;
    memset(&a, 0, sizeof a);
    a.attr_clr = X_MOUNT_ATTR_RDONLY;
    errno = 0;
    int t = (int)syscall(SYS_open_tree_attr, AT_FDCWD, "/proc/sys", X_OPEN_TREE_CLONE | O_CLOEXEC,
                         &a, sizeof a);
    if (t < 0) {
        note("open_tree_attr(/proc/sys, CLONE, clear RDONLY) %s", en(errno));
        errno = 0;
        t = (int)syscall(SYS_open_tree_attr, AT_FDCWD, "/proc", X_OPEN_TREE_CLONE | O_CLOEXEC, NULL,
                         0);
        if (t >= 0) {
            int k = openat(t, "keys", O_RDONLY | O_CLOEXEC);
            if (k >= 0) escaped("open_tree_attr cloned /proc without its masks: /proc/keys opened");
            escaped("open_tree_attr cloned /proc (fd %d)", t);
        }
        note("open_tree_attr(/proc, CLONE) %s", en(errno));
        return blocked();
    }
    int w = openat(t, "kernel/core_pattern", O_WRONLY | O_CLOEXEC);
    if (w >= 0)
        escaped("open_tree_attr made a writable copy of /proc/sys: kernel/core_pattern opened for "
                "writing");
    escaped("open_tree_attr cloned /proc/sys (core_pattern: %s)", en(errno));
}

static int cmd_pivot_root(void) {
    mkdir("/tmp/old", 0755);
    MUST_FAIL("pivot_root(/tmp, /tmp/old)", syscall(SYS_pivot_root, "/tmp", "/tmp/old"));
    if (chdir("/tmp") == 0) {
        MUST_FAIL("pivot_root(., .)", syscall(SYS_pivot_root, ".", "."));
        if (chdir("/") != 0) broken("chdir /: %s", en(errno));
    }
    rmdir("/tmp/old");
    return blocked();
}

static int cmd_cgroup_mount(void) {
    mkdir("/tmp/cg", 0755);
    MUST_FAIL("mount cgroup v1 rdma", mount("cgroup", "/tmp/cg", "cgroup", 0, "rdma"));
    MUST_FAIL("mount cgroup v1 memory", mount("cgroup", "/tmp/cg", "cgroup", 0, "memory"));
    MUST_FAIL("mount cgroup2", mount("cgroup2", "/tmp/cg", "cgroup2", 0, NULL));
    MUST_FAIL("fsopen(cgroup)", syscall(SYS_fsopen, "cgroup", 1));
    rmdir("/tmp/cg");
    return blocked();
}

static int cmd_chroot(const char *marker) {
    struct stat root, now, st;
    if (stat("/", &root) != 0) broken("stat /: %s", en(errno));
    /* 1: keep a directory fd of the current root, chroot below it, fchdir back, climb, chroot(".") */
    int old = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (old < 0 || (mkdir("/tmp/jail", 0755) != 0 && errno != EEXIST))
        broken("setup: %s", en(errno));
    if (chroot("/tmp/jail") != 0) {
        note("chroot %s", en(errno));
        return blocked();
    }
    note("chroot works (CAP_SYS_CHROOT)");
    if (fchdir(old) != 0) broken("fchdir: %s", en(errno));
    for (int i = 0; i < 256; i++)
        if (chdir("..") != 0) break;
    if (chroot(".") != 0) broken("chroot .: %s", en(errno));
    if (stat("/", &now) != 0) broken("stat /: %s", en(errno));
    if (marker && stat(marker, &st) == 0)
        escaped("after the chroot escape the host file %s is visible", marker);
    if (!same_file(&now, &root))
        escaped("the chroot escape reached another root (ino %lu)", (unsigned long)now.st_ino);
    note("fchdir+chdir(..) loop ends at our own root");
    /* 2: chroot into a subdirectory while the cwd stays above it, climb from the cwd */
    if (chdir("/") != 0 || mkdir("/tmp/jail2", 0755) != 0 || chroot("/tmp/jail2") != 0)
        broken("setup 2: %s", en(errno));
    for (int i = 0; i < 256; i++)
        if (chdir("..") != 0) break;
    if (chroot(".") != 0) broken("chroot . (2): %s", en(errno));
    if (stat("/", &now) != 0) broken("stat /: %s", en(errno));
    if (marker && stat(marker, &st) == 0)
        escaped("after the chroot escape the host file %s is visible", marker);
    if (!same_file(&now, &root))
        escaped("the chroot escape reached another root (ino %lu)", (unsigned long)now.st_ino);
    note("cwd-outside-chroot loop ends at our own root");
    close(old);
    rmdir("/tmp/jail");
    rmdir("/tmp/jail2");
    return blocked();
}

/* ---- /proc ---- */

static int cmd_proc_write(const char *path) {
    MUST_FAIL(path, open(path, O_WRONLY | O_CLOEXEC)); /* never written: opening is enough */
    return blocked();
}

static int cmd_read_masked(const char *path) {
    char c;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, &c, 1);
        escaped("opened %s (read: %s)", path, n < 0 ? en(errno) : n == 0 ? "empty" : "data");
    }
    note("%s %s", path, en(errno));
    return blocked();
}

static int cmd_masked_dir(const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        note("%s %s", path, en(errno));
        return blocked();
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            escaped("%s is not masked: it holds %s", path, e->d_name);
    closedir(d);
    note("%s is empty", path);
    return blocked();
}

/* ---- privileged syscalls ---- */

static int cmd_open_by_handle(void) {
    struct {
        struct file_handle fh;
        unsigned char bytes[128];
    } h;
    int mount_id;
    int rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) broken("open /: %s", en(errno));
    memset(&h, 0, sizeof h);
    h.fh.handle_bytes = 128;
    MUST_FAIL("name_to_handle_at(/)", name_to_handle_at(AT_FDCWD, "/", &h.fh, &mount_id, 0));
    /* shocker: an ext4/xfs-style handle (type 1: 32-bit inode + generation) of inode 2, the root of
       the filesystem the rootfs directory lives on, i.e. the host's directory tree */
    memset(&h, 0, sizeof h);
    h.fh.handle_bytes = 8;
    h.fh.handle_type = 1;
    uint32_t ino = 2;
    memcpy(h.fh.f_handle, &ino, sizeof ino);
    errno = 0;
    int fd = open_by_handle_at(rootfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0)
        escaped("open_by_handle_at opened inode 2 of the filesystem under the rootfs (the host's "
                "tree)");
    note("open_by_handle_at(inode 2) %s", en(errno));
    if (errno != EPERM) escaped("open_by_handle_at passed the privilege check: %s", en(errno));
    close(rootfd);
    return blocked();
}

static int cmd_keyctl(void) {
    MUST_FAIL("keyctl(GET_KEYRING_ID, user keyring)",
              syscall(SYS_keyctl, 0, -4 /* KEY_SPEC_USER_KEYRING */, 0));
    MUST_FAIL("keyctl(GET_KEYRING_ID, session)", syscall(SYS_keyctl, 0, -3, 0));
    MUST_FAIL("add_key",
              syscall(SYS_add_key, "user", "ctr-escape", "x", 1, -2 /* process keyring */));
    MUST_FAIL("request_key", syscall(SYS_request_key, "user", "ctr-escape", NULL, 0));
    return blocked();
}

static int cmd_perf(void) {
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = PERF_TYPE_SOFTWARE;
    a.config = PERF_COUNT_SW_CPU_CLOCK;
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    MUST_FAIL("perf_event_open(self, user-only)", syscall(SYS_perf_event_open, &a, 0, -1, -1, 0));
    a.exclude_kernel = 0;
    MUST_FAIL("perf_event_open(all processes, cpu 0)",
              syscall(SYS_perf_event_open, &a, -1, 0, -1, 0));
    return blocked();
}

static int cmd_bpf(void) {
    union bpf_attr a;
    struct bpf_insn prog[2];
    memset(&a, 0, sizeof a);
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    MUST_FAIL("bpf(MAP_CREATE)", syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a));
    memset(prog, 0, sizeof prog);
    prog[0].code = BPF_ALU64 | BPF_MOV | BPF_K; /* r0 = 0 */
    prog[1].code = BPF_JMP | BPF_EXIT;
    memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insns = (uint64_t)(uintptr_t)prog;
    a.insn_cnt = 2;
    a.license = (uint64_t)(uintptr_t) "GPL";
    MUST_FAIL("bpf(PROG_LOAD)", syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a));
    return blocked();
}

static int cmd_modules(void) {
    static const char image[64] = {0}; /* not an ELF module */
    /* EPERM: refused; ENOSYS: a kernel without modules; anything else passed CAP_SYS_MODULE */
    REFUSED("init_module", syscall(SYS_init_module, image, sizeof image, ""), EPERM, ENOSYS);
    REFUSED("finit_module", syscall(SYS_finit_module, -1, "", 0), EPERM, ENOSYS);
    REFUSED("delete_module", syscall(SYS_delete_module, "ctr_escape_no_such_module", O_NONBLOCK),
            EPERM, ENOSYS);
    return blocked();
}

static int cmd_kexec(void) {
    /* bad flags: EINVAL only after the CAP_SYS_BOOT check */
    REFUSED("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0x7ff00000UL), EPERM, ENOSYS);
    REFUSED("kexec_file_load", syscall(SYS_kexec_file_load, -1, -1, 0, "", 0x7ff00000UL), EPERM,
            ENOSYS);
    return blocked();
}

static int cmd_reboot(void) {
    /* wrong magic numbers: EINVAL only after the CAP_SYS_BOOT check */
    REFUSED("reboot", syscall(SYS_reboot, 0xdeadbeef, 0x12345678, 0, NULL), EPERM, EPERM);
    return blocked();
}

static int cmd_swapon(void) {
    REFUSED("swapon", syscall(SYS_swapon, "/nonexistent-swap-file", 0), EPERM, EPERM);
    REFUSED("swapoff", syscall(SYS_swapoff, "/nonexistent-swap-file"), EPERM, EPERM);
    return blocked();
}

static int cmd_settime(void) {
    struct timespec now;
    struct timex tx;
    /* harmless if it got through: no time, no timezone */
    MUST_FAIL("settimeofday(NULL, NULL)", syscall(SYS_settimeofday, NULL, NULL));
    clock_gettime(CLOCK_REALTIME, &now);
    MUST_FAIL("clock_settime(REALTIME, now)", syscall(SYS_clock_settime, CLOCK_REALTIME, &now));
    memset(&tx, 0, sizeof tx);
    /* glibc's adjtimex() is clock_adjtime(CLOCK_REALTIME): the raw adjtimex syscall reads */
    if (syscall(SYS_adjtimex, &tx) < 0) broken("adjtimex (read): %s", en(errno));
    long tick = tx.tick;
    memset(&tx, 0, sizeof tx);
    tx.modes = ADJ_TICK;
    tx.tick = tick; /* the current value */
    MUST_FAIL("clock_adjtime(REALTIME, ADJ_TICK)", syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx));
    memset(&tx, 0, sizeof tx);
    tx.modes = ADJ_TICK;
    tx.tick = tick;
    MUST_FAIL("adjtimex(ADJ_TICK)", syscall(SYS_adjtimex, &tx));
    return blocked();
}

static int cmd_acct(void) {
    REFUSED("acct", syscall(SYS_acct, "/nonexistent-acct-file"), EPERM, EPERM);
    return blocked();
}

static int cmd_ioperm(void) {
    errno = 0;
    if (syscall(SYS_ioperm, 0x80, 1, 1) == 0) {
        syscall(SYS_ioperm, 0x80, 1, 0);
        escaped("ioperm gave access to I/O port 0x80");
    }
    note("ioperm %s", en(errno));
    errno = 0;
    if (syscall(SYS_iopl, 3) == 0) {
        syscall(SYS_iopl, 0);
        escaped("iopl(3) worked");
    }
    note("iopl %s", en(errno));
    return blocked();
}

static int cmd_userfaultfd(void) {
    MUST_FAIL("userfaultfd(USER_MODE_ONLY)",
              syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
    MUST_FAIL("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC));
    int fd = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
    if (fd >= 0) escaped("opened /dev/userfaultfd");
    return blocked();
}

static int cmd_numa(void) {
    unsigned long mask = 1;
    MUST_FAIL("migrate_pages", syscall(SYS_migrate_pages, 0, 8 * sizeof mask, &mask, &mask));
    MUST_FAIL("set_mempolicy_home_node", syscall(450, 0, 4096, 0, 0));
    MUST_FAIL("mbind", syscall(SYS_mbind, 0, 4096, 0, NULL, 0, 0));
    MUST_FAIL("move_pages", syscall(SYS_move_pages, 0, 0, NULL, NULL, NULL, 0));
    return blocked();
}

static int cmd_modify_ldt(void) {
#ifdef SYS_modify_ldt
    char buf[16];
    MUST_FAIL("modify_ldt(read)", syscall(SYS_modify_ldt, 0, buf, sizeof buf));
#else
    note("no modify_ldt on this architecture");
#endif
    return blocked();
}

static int cmd_personality(void) {
    /* PER_BSD, PER_SVR4, and READ_IMPLIES_EXEC on top of Linux */
    MUST_FAIL("personality(PER_BSD)", syscall(SYS_personality, 6));
    MUST_FAIL("personality(PER_SVR4)", syscall(SYS_personality, 0x68));
    MUST_FAIL("personality(READ_IMPLIES_EXEC)", syscall(SYS_personality, 0x0400000));
    if (syscall(SYS_personality, 0xffffffffUL) < 0)
        escaped("the persona query was refused (%s)", en(errno));
    return blocked();
}

static int cmd_vsock(void) {
    MUST_FAIL("socket(AF_VSOCK)", syscall(SYS_socket, 40, SOCK_STREAM, 0));
    MUST_FAIL("socket(AF_VSOCK | 1 << 32)", syscall(SYS_socket, 0x100000028UL, SOCK_STREAM, 0));
    if (errno != EAFNOSUPPORT)
        escaped("socket(AF_VSOCK) failed with %s, not EAFNOSUPPORT", en(errno));
    return blocked();
}

static int cmd_io_uring(void) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    MUST_FAIL("io_uring_setup", syscall(SYS_io_uring_setup, 4, &p));
    MUST_FAIL("io_uring_enter", syscall(SYS_io_uring_enter, 0, 0, 0, 0, NULL, 0));
    return blocked();
}

static int cmd_syslog(void) {
    char buf[256];
    MUST_FAIL("syslog(READ_ALL)", klogctl(3, buf, sizeof buf));
    MUST_FAIL("open /proc/kmsg", open("/proc/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    return blocked();
}

/* The first disk of /proc/partitions (a host block device). */
static dev_t host_disk(char *name, size_t len) {
    char line[256];
    FILE *f = fopen("/proc/partitions", "re");
    if (!f) broken("/proc/partitions: %s", en(errno));
    unsigned ma, mi;
    unsigned long long blocks;
    char n[64];
    while (fgets(line, sizeof line, f))
        if (sscanf(line, " %u %u %llu %63s", &ma, &mi, &blocks, n) == 4) {
            fclose(f);
            snprintf(name, len, "%s", n);
            return makedev(ma, mi);
        }
    fclose(f);
    broken("no block device in /proc/partitions");
}

static void try_node(const char *path, mode_t type, dev_t dev, const char *what) {
    unlink(path);
    errno = 0;
    if (mknod(path, type | 0600, dev) != 0) {
        note("mknod %s %s", path, en(errno));
        return;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    int e = errno;
    unlink(path);
    if (fd >= 0) escaped("opened %s made with mknod at %s", what, path);
    note("mknod %s ok, open %s", path, en(e));
}

static int cmd_mknod(void) {
    char name[64], what[96];
    static const char *const dirs[] = {"/tmp", "", "/dev", NULL};
    dev_t disk = host_disk(name, sizeof name);
    snprintf(what, sizeof what, "the host disk %s (%u:%u)", name, major(disk), minor(disk));
    for (int i = 0; dirs[i]; i++) {
        char p[64];
        snprintf(p, sizeof p, "%s/ctr-escape-blk", dirs[i]);
        try_node(p, S_IFBLK, disk, what);
        snprintf(p, sizeof p, "%s/ctr-escape-mem", dirs[i]);
        try_node(p, S_IFCHR, makedev(1, 1), "/dev/mem (1:1)");
    }
    return blocked();
}

/* ---- the host's fair share: priorities, OOM, core dumps ---- */

static int cmd_priority(void) {
    struct sched_param sp;
    memset(&sp, 0, sizeof sp);
    sp.sched_priority = 99;
    MUST_FAIL("sched_setscheduler(SCHED_FIFO, 99)", sched_setscheduler(0, SCHED_FIFO, &sp));
    MUST_FAIL("sched_setscheduler(SCHED_RR, 1)",
              (sp.sched_priority = 1, sched_setscheduler(0, SCHED_RR, &sp)));
    errno = 0;
    if (setpriority(PRIO_PROCESS, 0, -20) == 0) escaped("setpriority(-20) worked");
    note("nice -20 %s", en(errno));
    /* ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_RT << 13 | 0) */
    MUST_FAIL("ioprio_set(RT)", syscall(SYS_ioprio_set, 1, 0, (1 << 13) | 0));
    return blocked();
}

static int cmd_oom_score_adj(void) {
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0) broken("open oom_score_adj: %s", en(errno));
    errno = 0;
    if (write(fd, "-1000", 5) == 5)
        escaped("oom_score_adj -1000: the OOM killer can no longer pick us");
    note("oom_score_adj -1000 %s", en(errno));
    close(fd);
    return blocked();
}

static int cmd_core_limit(void) {
    struct rlimit r;
    if (getrlimit(RLIMIT_CORE, &r) != 0) broken("getrlimit: %s", en(errno));
    if (r.rlim_max != 0)
        escaped("RLIMIT_CORE hard limit is %llu, not 0", (unsigned long long)r.rlim_max);
    r.rlim_cur = r.rlim_max = RLIM_INFINITY;
    MUST_FAIL("raise RLIMIT_CORE", setrlimit(RLIMIT_CORE, &r));
    return blocked();
}

/* ---- processes ---- */

/* kill(-1) spares the caller and pid 1: a child of ours must die, the test's host processes not. */
static int cmd_kill_all(void) {
    pid_t child = fork();
    if (child < 0) broken("fork: %s", en(errno));
    if (child == 0) {
        for (;;) pause();
    }
    errno = 0;
    int r = kill(-1, SIGKILL), e = errno;
    int st;
    if (waitpid(child, &st, 0) != child) broken("waitpid: %s", en(errno));
    if (r != 0) broken("kill(-1, SIGKILL) failed: %s", en(e));
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) broken("kill(-1) did not kill our own child");
    note("kill(-1, SIGKILL) from pid %d killed our child; the test checks its host processes",
         (int)getpid());
    return blocked();
}

static int cmd_kill_pid(int argc, char **argv) {
    for (int i = 0; i < argc; i++) {
        pid_t pid = (pid_t)parse_num(argv[i]);
        errno = 0;
        if (kill(pid, 0) == 0) escaped("kill(%d, 0) reached a process", (int)pid);
        if (errno != ESRCH) escaped("kill(%d, 0) found a process: %s", (int)pid, en(errno));
        errno = 0;
        long r = syscall(SYS_pidfd_open, pid, 0);
        if (r >= 0) escaped("pidfd_open(%d) worked", (int)pid);
        errno = 0;
        if (ptrace(PTRACE_ATTACH, pid, 0, 0) == 0) escaped("PTRACE_ATTACH %d worked", (int)pid);
        int e = errno;
        /* SIGIO to a host process through the stdout pipe we share with the host */
        errno = 0;
        if (fcntl(1, F_SETOWN, pid) == 0)
            escaped("F_SETOWN named host process %d as the owner of our stdout", (int)pid);
        note("pid %d: %s, F_SETOWN %s", (int)pid, en(e), en(errno));
    }
    return blocked();
}

/* ---- terminals ---- */

static void tty_ctty(void) {
    errno = 0;
    if (ioctl(0, TIOCSCTTY, 0) == 0) {
        note("TIOCSCTTY took the tty (it was nobody's)");
        return;
    }
    note("TIOCSCTTY %s", en(errno));
    errno = 0;
    if (ioctl(0, TIOCSCTTY, 1) == 0)
        escaped("TIOCSCTTY(1) stole the controlling terminal of a host session");
    note("TIOCSCTTY steal %s", en(errno));
}

static int tiocsti(unsigned long request, const char *name) {
    char c = 'X';
    if (!isatty(0)) broken("stdin is not a terminal");
    tty_ctty();
    errno = 0;
    if (ioctl(0, request, &c) == 0) escaped("%s pushed input into the terminal", name);
    note("%s %s", name, en(errno));
    int t = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (t >= 0) {
        errno = 0;
        if (ioctl(t, request, &c) == 0) escaped("%s through /dev/tty pushed input", name);
        note("via /dev/tty %s", en(errno));
        close(t);
    } else {
        note("open /dev/tty %s", en(errno));
    }
    return blocked();
}

static int cmd_tioclinux(void) {
    char sub[2] = {3 /* TIOCL_PASTESEL */, 0};
    if (!isatty(0)) broken("stdin is not a terminal");
    errno = 0;
    if (ioctl(0, TIOCLINUX, sub) == 0) escaped("TIOCLINUX PASTESEL worked");
    if (errno != EPERM)
        escaped("TIOCLINUX was not filtered: the tty driver answered %s (on a VT it pastes input)",
                en(errno));
    note("TIOCLINUX EPERM");
    errno = 0;
    if (ioctl(0, 0x100000000UL | TIOCLINUX, sub) == 0 || errno != EPERM)
        escaped("TIOCLINUX with high bits was not filtered: %s", en(errno));
    note("TIOCLINUX|1<<32 EPERM");
    return blocked();
}

/* ---- network, IPC ---- */

static int cmd_abstract(const char *name) {
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    size_t len = strlen(name);
    if (len + 1 > sizeof a.sun_path) broken("name too long");
    memcpy(a.sun_path + 1, name, len);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) broken("socket: %s", en(errno));
    MUST_FAIL("connect to the host's abstract socket",
              connect(s, (struct sockaddr *)&a,
                      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)));
    close(s);
    return blocked();
}

static int cmd_tcp(const char *port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)parse_num(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) broken("socket: %s", en(errno));
    MUST_FAIL("connect to the host's 127.0.0.1 listener",
              connect(s, (struct sockaddr *)&a, sizeof a));
    close(s);
    return blocked();
}

static int cmd_sysv(char **argv) {
    key_t shmkey = (key_t)parse_num(argv[0]), msgkey = (key_t)parse_num(argv[1]);
    int shmid = (int)parse_num(argv[2]), msqid = (int)parse_num(argv[3]);
    struct msqid_ds ds;
    MUST_FAIL("shmget(host key)", shmget(shmkey, 0, 0));
    MUST_FAIL("msgget(host key)", msgget(msgkey, 0));
    errno = 0;
    void *p = shmat(shmid, NULL, SHM_RDONLY);
    if (p != (void *)-1) escaped("shmat attached the host's segment %d", shmid);
    note("shmat(host id) %s", en(errno));
    MUST_FAIL("msgctl(host id, IPC_STAT)", msgctl(msqid, IPC_STAT, &ds));
    return blocked();
}

static int cmd_mqueue(const char *name) {
    errno = 0;
    mqd_t q = mq_open(name, O_RDONLY);
    if (q != (mqd_t)-1) escaped("mq_open(%s) opened the host's queue", name);
    note("mq_open %s", en(errno));
    return blocked();
}

static int cmd_sethostname(void) {
    MUST_FAIL("sethostname", sethostname("pwned-by-container", 18));
    MUST_FAIL("setdomainname", setdomainname("pwned-by-container", 18));
    return blocked();
}

/* ---- privilege gain by exec ---- */

static int exec_helper(const char *path, char *const argv[]) {
    fflush(stdout);
    execve(path, argv, environ);
    broken("exec %s: %s", path, en(errno));
}

static int cmd_euid(void) {
    uid_t r, e, s;
    if (getresuid(&r, &e, &s) != 0) broken("getresuid: %s", en(errno));
    if (r != getuid()) broken("inconsistent ids");
    if (e == 0 || s == 0)
        escaped("the setuid-root binary runs with euid %d (ruid %d, suid %d)", (int)e, (int)r,
                (int)s);
    note("setuid bit ignored: ruid %d euid %d suid %d", (int)r, (int)e, (int)s);
    return blocked();
}

/* ---- limits ---- */

static int cmd_forkbomb(const char *limit_s) {
    int limit = (int)parse_num(limit_s), n = 0, e = 0;
    int max = 4 * limit + 64;
    pid_t *kids = calloc((size_t)max, sizeof(pid_t));
    if (!kids) broken("calloc");
    for (; n < max; n++) {
        pid_t p = fork();
        if (p == 0) {
            pause();
            _exit(0);
        }
        if (p < 0) {
            e = errno;
            break;
        }
        kids[n] = p;
    }
    for (int i = 0; i < n; i++) kill(kids[i], SIGKILL);
    for (int i = 0; i < n; i++) waitpid(kids[i], NULL, 0);
    if (n >= limit)
        escaped("forked %d processes with pids_max %d%s", n, limit,
                e ? "" : " (fork never failed)");
    note("fork failed with %s after %d children (pids_max %d)", en(e), n, limit);
    return blocked();
}

static int cmd_membomb(const char *mib_s) {
    int mib = (int)parse_num(mib_s), p[2];
    if (pipe(p) != 0) broken("pipe: %s", en(errno));
    pid_t pid = fork();
    if (pid < 0) broken("fork: %s", en(errno));
    if (pid == 0) {
        close(p[0]);
        for (int i = 0; i < mib; i++) {
            char *m = malloc(1 << 20);
            if (!m) _exit(3);
            memset(m, 0x5a, 1 << 20);
            int got = i + 1;
            if (write(p[1], &got, sizeof got) < 0) _exit(4);
        }
        _exit(0);
    }
    close(p[1]);
    int got = 0, v;
    while (read(p[0], &v, sizeof v) == (ssize_t)sizeof v) got = v;
    int st;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        escaped("touched %d MiB despite the memory limit", got);
    if (WIFEXITED(st))
        note("the hog exited with %d after %d MiB", WEXITSTATUS(st), got);
    else
        note("the hog was killed by signal %d after %d MiB", WTERMSIG(st), got);
    return blocked();
}

/* ---- files ---- */

static int cmd_host_userland_write(void) {
    static const char *const files[] = {"/etc/passwd", "/etc/hostname", "/bin/sh", "/usr/bin/env",
                                        NULL};
    static const char *const dirs[] = {"/etc", "/usr", "/usr/bin", "/bin", "/lib", "/sbin", NULL};
    struct stat st;
    for (int i = 0; files[i]; i++) {
        if (lstat(files[i], &st) != 0 || !S_ISREG(st.st_mode)) continue;
        char what[96];
        snprintf(what, sizeof what, "open %s for writing", files[i]);
        MUST_FAIL(what, open(files[i], O_WRONLY | O_APPEND | O_CLOEXEC));
        snprintf(what, sizeof what, "chmod %s", files[i]);
        MUST_FAIL(what, chmod(files[i], st.st_mode & 07777)); /* the same mode: harmless */
        snprintf(what, sizeof what, "chown %s", files[i]);
        MUST_FAIL(what, chown(files[i], st.st_uid, st.st_gid));
    }
    for (int i = 0; dirs[i]; i++) {
        char p[96];
        if (stat(dirs[i], &st) != 0) continue;
        snprintf(p, sizeof p, "%s/ctr-escape-created", dirs[i]);
        int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            unlink(p);
            escaped("created %s in the host's userland", p);
        }
        note("create in %s %s", dirs[i], en(errno));
        if (mkdir(p, 0700) == 0) {
            rmdir(p);
            escaped("made directory %s in the host's userland", p);
        }
    }
    return blocked();
}

static int cmd_environ(const char *secret) {
    int n = 0;
    for (char **e = environ; *e; e++, n++)
        if (strstr(*e, secret)) escaped("the host's variable reached the container: %s", *e);
    note("%d variables, none from the host", n);
    return blocked();
}

static int cmd_pause(void) {
    char buf[64];
    while (read(0, buf, sizeof buf) > 0) {}
    return blocked();
}

/* ---- dispatch ---- */

#define NEED(n)                                                        \
    do {                                                               \
        if (argc - 2 < (n)) broken("%s needs %d argument(s)", cmd, n); \
    } while (0)

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) broken("usage: attack SUBCOMMAND [ARGS...]");
    const char *cmd = argv[1];
    char **a = argv + 2;
    if (!strcmp(cmd, "init_exe")) return cmd_init_exe();
    if (!strcmp(cmd, "init_mem")) return cmd_init_mem();
    if (!strcmp(cmd, "init_fds")) return cmd_init_fds();
    if (!strcmp(cmd, "init_environ")) return cmd_init_environ();
    if (!strcmp(cmd, "init_links")) return cmd_init_links();
    if (!strcmp(cmd, "init_ptrace")) return cmd_init_ptrace();
    if (!strcmp(cmd, "fds")) return cmd_fds(argc > 2 ? a[0] : NULL);
    if (!strcmp(cmd, "exe_overwrite")) {
        NEED(1);
        return cmd_exe_overwrite(a[0]);
    }
    if (!strcmp(cmd, "write_fd")) {
        NEED(1);
        return cmd_write_fd(a[0], argc > 3 ? a[1] : NULL);
    }
    if (!strcmp(cmd, "unshare")) return cmd_unshare();
    if (!strcmp(cmd, "clone_ns")) return cmd_clone_ns();
    if (!strcmp(cmd, "clone3_ns")) return cmd_clone3_ns();
    if (!strcmp(cmd, "setns")) return cmd_setns();
    if (!strcmp(cmd, "int80")) return cmd_int80();
    if (!strcmp(cmd, "x32")) return cmd_x32();
    if (!strcmp(cmd, "status")) return cmd_status();
    if (!strcmp(cmd, "nnp")) return cmd_nnp();
    if (!strcmp(cmd, "capmax")) {
        NEED(1);
        return cmd_capmax(a[0]);
    }
    if (!strcmp(cmd, "mount_proc")) return cmd_mount_proc();
    if (!strcmp(cmd, "umount_masks")) return cmd_umount_masks();
    if (!strcmp(cmd, "remount_proc_sys")) return cmd_remount_proc_sys();
    if (!strcmp(cmd, "new_mount_api")) return cmd_new_mount_api();
    if (!strcmp(cmd, "open_tree_attr")) return cmd_open_tree_attr();
    if (!strcmp(cmd, "pivot_root")) return cmd_pivot_root();
    if (!strcmp(cmd, "cgroup_mount")) return cmd_cgroup_mount();
    if (!strcmp(cmd, "chroot")) return cmd_chroot(argc > 2 ? a[0] : NULL);
    if (!strcmp(cmd, "proc_write")) {
        NEED(1);
        return cmd_proc_write(a[0]);
    }
    if (!strcmp(cmd, "read_masked")) {
        NEED(1);
        return cmd_read_masked(a[0]);
    }
    if (!strcmp(cmd, "masked_dir")) {
        NEED(1);
        return cmd_masked_dir(a[0]);
    }
    if (!strcmp(cmd, "open_by_handle")) return cmd_open_by_handle();
    if (!strcmp(cmd, "keyctl")) return cmd_keyctl();
    if (!strcmp(cmd, "perf")) return cmd_perf();
    if (!strcmp(cmd, "bpf")) return cmd_bpf();
    if (!strcmp(cmd, "modules")) return cmd_modules();
    if (!strcmp(cmd, "kexec")) return cmd_kexec();
    if (!strcmp(cmd, "reboot")) return cmd_reboot();
    if (!strcmp(cmd, "swapon")) return cmd_swapon();
    if (!strcmp(cmd, "settime")) return cmd_settime();
    if (!strcmp(cmd, "acct")) return cmd_acct();
    if (!strcmp(cmd, "ioperm")) return cmd_ioperm();
    if (!strcmp(cmd, "userfaultfd")) return cmd_userfaultfd();
    if (!strcmp(cmd, "io_uring")) return cmd_io_uring();
    if (!strcmp(cmd, "numa")) return cmd_numa();
    if (!strcmp(cmd, "modify_ldt")) return cmd_modify_ldt();
    if (!strcmp(cmd, "personality")) return cmd_personality();
    if (!strcmp(cmd, "vsock")) return cmd_vsock();
    if (!strcmp(cmd, "syslog")) return cmd_syslog();
    if (!strcmp(cmd, "mknod")) return cmd_mknod();
    if (!strcmp(cmd, "priority")) return cmd_priority();
    if (!strcmp(cmd, "oom_score_adj")) return cmd_oom_score_adj();
    if (!strcmp(cmd, "core_limit")) return cmd_core_limit();
    if (!strcmp(cmd, "kill_all")) return cmd_kill_all();
    if (!strcmp(cmd, "kill_pid")) {
        NEED(1);
        return cmd_kill_pid(argc - 2, a);
    }
    if (!strcmp(cmd, "tiocsti")) return tiocsti(TIOCSTI, "TIOCSTI");
    if (!strcmp(cmd, "tiocsti_high")) return tiocsti(0x100000000UL | TIOCSTI, "TIOCSTI|1<<32");
    if (!strcmp(cmd, "tioclinux")) return cmd_tioclinux();
    if (!strcmp(cmd, "abstract")) {
        NEED(1);
        return cmd_abstract(a[0]);
    }
    if (!strcmp(cmd, "tcp")) {
        NEED(1);
        return cmd_tcp(a[0]);
    }
    if (!strcmp(cmd, "sysv")) {
        NEED(4);
        return cmd_sysv(a);
    }
    if (!strcmp(cmd, "mqueue")) {
        NEED(1);
        return cmd_mqueue(a[0]);
    }
    if (!strcmp(cmd, "sethostname")) return cmd_sethostname();
    if (!strcmp(cmd, "setuid"))
        return exec_helper("/bin/suid", (char *const[]){(char *)"suid", (char *)"euid", NULL});
    if (!strcmp(cmd, "euid")) return cmd_euid();
    if (!strcmp(cmd, "fcap"))
        return exec_helper("/bin/fcap", (char *const[]){(char *)"fcap", (char *)"capmax",
                                                        argc > 2 ? a[0] : (char *)"0", NULL});
    if (!strcmp(cmd, "forkbomb")) {
        NEED(1);
        return cmd_forkbomb(a[0]);
    }
    if (!strcmp(cmd, "membomb")) {
        NEED(1);
        return cmd_membomb(a[0]);
    }
    if (!strcmp(cmd, "host_userland_write")) return cmd_host_userland_write();
    if (!strcmp(cmd, "environ")) {
        NEED(1);
        return cmd_environ(a[0]);
    }
    if (!strcmp(cmd, "noop")) return blocked();
    if (!strcmp(cmd, "pause")) return cmd_pause();
    broken("unknown subcommand '%s'", cmd);
}
