/* probe - the command the tests run inside their containers (built static, so any rootfs can run it).

   probe SUBCOMMAND [ARGS...]; output is one line unless said otherwise, lists are sorted and
   space-separated.  A failing system call prints its errno name (e.g. "EROFS"), and probe still
   exits 0: only the subcommands exit, kill and segv end otherwise (2 for bad usage).

   pid, ppid, sid              getpid(), getppid(), getsid(0)
   ps                          numeric entries of /proc
   id                          "UID GID NGROUPS"
   hostname                    uname's nodename
   sethostname NAME            "ok" or errno name
   netifs                      interface names from /proc/net/dev
   ifup IF                     "up" or "down" (SIOCGIFFLAGS)
   write PATH                  create/truncate PATH and write a line: "ok" or errno name
   create PATH                 create PATH (O_EXCL), write nothing: "ok" or errno name
   read PATH                   open and read PATH: "ok" or errno name
   mkdir PATH                  "ok" or errno name
   cat PATH                    PATH's bytes, unchanged
   readn PATH N                read N bytes: "COUNT" plus " zero" if they are all zero
   ls DIR                      entries of DIR but . and ..
   stat PATH..., fstat FD      "TYPE MODE" (octal), + " MAJ:MIN" for devices, + " -> TARGET" for links;
                               TYPE is one of f d l c b p s; one line per PATH
   peek PID                    read process PID's memory through /proc/PID/mem: "ok" or errno name
   fdlinks PID                 one line per fd of process PID: "FD TARGET"
   sigstate                    "blocked=HEX ignored=HEX" (SigBlk, SigIgn of /proc/self/status)
   fdinfo                      on stderr: "0:T 1:T 2:T", T = TYPE (+ MAJ:MIN for devices) of fds 0-2
   env                         the environment, one entry a line, sorted
   cwd                         getcwd()
   fds                         /proc/self/fd (including the fd used to list it)
   mounts                      one line per mount: "MOUNTPOINT FSTYPE MOUNT_OPTIONS"
   monotonic, boottime         the clock in seconds, "S.NNNNNNNNN"
   exit N                      exit with status N
   kill SIG                    kill(getpid(), SIG); prints "survived" and exits 99 if still alive
   segv                        a real segmentation fault
   sleep SECONDS               nanosleep (fractions allowed)
   fill PATH BYTES             write 4 KiB blocks until BYTES or an error: "ok N" or "ERRNAME N"
   stdin                       copy stdin to stdout
   both OUT ERR                OUT on stdout, ERR on stderr
   echo ARGS...                the arguments
   trap                        handle the usual signals, print "ready", wait for one, print
                               "got N" and exit 42
   orphans N                   make N orphaned zombies (grandchildren that exit at once), wait up to
                               20 s for them to be reaped: "others K", K = processes other than us
                               and pid 1 still there
   pty                         allocate a pty via /dev/ptmx: "ok /dev/pts/N"
   cgroup                      /proc/self/cgroup, unchanged
   alloc MB                    allocate and touch MB MiB, 1 MiB at a time: "allocated MB", or
                               "ENOMEM K" after K MiB
   child-alloc MB              a child does "alloc MB"; then "child exited N" or "child killed by N"
   forkbomb N                  fork up to N children that wait: "forked K ERRNAME" (the errno of the
                               first failed fork) or "forked N none"; then kills and reaps them
   bomb                        print "bombing", then every process forks forever (never returns)
   chain                       print "chaining", start a chain of processes that each fork their
                               successor and exit (never more than two at a time), wait forever
   daemons N                   fork N children that ignore SIGTERM and wait forever, print their pids
                               (as seen inside) on one line, and exit 0
   hold N                      fork N children that wait forever: "forked K ERRNAME|none", then
                               wait forever too
   spin SECONDS                busy loop for SECONDS of wall-clock time
   spin-children N SECONDS     N children each run "spin SECONDS"; wait for them: "spun N"
   tick MS                     forever: print a counter 0, 1, 2... (one line each), then spin MS ms
   rlimits                     one line "NAME=SOFT/HARD ..." for every resource, "inf" = unlimited
   openmax                     open /dev/null until that fails: "opened N ERRNAME"
   spew N                      N bytes of 'o' on stdout and N of 'e' on stderr, 64 KiB at a time,
                               alternating (N may be large: 104857600)
   syscall NR [ARG...]         syscall(NR, ARGS) with numeric arguments (0x.. allowed): "ok RET" or
                               errno name
   rm PATH                     unlink PATH (rmdir if a directory): "ok" or errno name
   rename FROM TO              "ok" or errno name
   owner PATH                  "UID GID" of PATH (lstat)
   chown PATH UID GID          lchown: "ok" or errno name
   setgroups GID...            setgroups with these groups: "ok" or errno name
   socket FAMILY               socket(FAMILY, SOCK_STREAM or SOCK_DGRAM, 0), FAMILY a number:
                               "ok" or errno name
   ulisten NAME                bind and listen on the abstract unix socket NAME, print "ready",
                               then accept connections forever, answering each with "hello"
   uconnect NAME               connect to the abstract unix socket NAME and read: the answer or
                               errno name
   ignore-term-tree N          ignore SIGTERM, fork N children that each fork a grandchild (in a
                               new session), all ignoring SIGTERM and waiting forever; print
                               "SELF CHILD1 GRANDCHILD1 ..." (pids as seen inside), never return
   serve-listen                socket activation: prints "LISTEN_PID=P pid=Q fds=N names=..."; then
                               serves each LISTEN_FDS socket once (TCP: accept, read the request,
                               answer "HTTP/1.0 200 OK" and "hello NAME"; UDP: answer a datagram
                               with "hello NAME"), at most 20 s in all
   seq SUB [ARG...] [, SUB [ARG...]]...
                               the subcommands one after the other in this process, each printing
                               its own line; the exit status is the last one's
   exec PATH [ARG...]          execv(PATH, {PATH, ARG...}); errno name if it fails
   tcp PORT_A PORT_B           on 127.0.0.1: listen on PORT_A, connect to it, bind PORT_B, connect
                               to PORT_B (nothing listens there): "A B C D", each "ok" or errno name
   unix-connect NAME           connect to the abstract unix socket @NAME: "ok" or errno name
   signal PID SIG              kill(PID, SIG): "ok" or errno name
   open-cloexec PATH           open PATH with O_CLOEXEC and without: "cloexec no-cloexec" when the
                               descriptors got what was asked, else what they got
   race-open N                 threads call syscall(SYS_openat, AT_FDCWD, BUF, O_RDONLY) N times
                               each: one with BUF "/r/a", flipped to "/r/b" and back by another
                               thread all the while (one byte differs); three with their own BUF
                               "/t/K" (K = 3, 4, 5).  The host answers 1 for /r/a, 2 for /r/b, K
                               for /t/K.  "ok A B" (A, B: how often each came back), or "bad ..."
                               naming a result that belongs to no path of the caller's */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <grp.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *errno_name(int e) {
    static char other[16];
    switch (e) {
#define E(x) \
    case x: return #x;
        E(EPERM)
        E(ENOENT)
        E(ESRCH)
        E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC) E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM)
            E(EACCES) E(EFAULT) E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL)
                E(ENFILE) E(EMFILE) E(ENOTTY) E(ETXTBSY) E(EFBIG) E(ENOSPC) E(ESPIPE) E(EROFS)
                    E(EMLINK) E(EPIPE) E(ENAMETOOLONG) E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(EOPNOTSUPP)
                        E(EDQUOT) E(EAFNOSUPPORT) E(EOVERFLOW)
#undef E
                            default : snprintf(other, sizeof other, "E%d", e);
        return other;
    }
}

/* A failing call is a result to report, not a failure of probe: exit status 0. */
static int fail_errno(void) {
    printf("%s\n", errno_name(errno));
    return 0;
}

/* ---- sorted word lists ---- */

typedef struct words {
    char *w[4096];
    int n;
} words;

static void words_add(words *l, const char *s) {
    if (l->n < (int)(sizeof l->w / sizeof l->w[0])) l->w[l->n++] = strdup(s);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_num(const void *a, const void *b) {
    long x = atol(*(char *const *)a), y = atol(*(char *const *)b);
    return (x > y) - (x < y);
}

static void words_print(words *l, int numeric, const char *sep) {
    qsort(l->w, (size_t)l->n, sizeof l->w[0], numeric ? cmp_num : cmp_str);
    for (int i = 0; i < l->n; i++) printf("%s%s", i ? sep : "", l->w[i]);
    printf("\n");
}

static int list_dir(const char *path, words *l, int numeric_only) {
    DIR *d = opendir(path);
    struct dirent *e;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (numeric_only && (e->d_name[0] < '0' || e->d_name[0] > '9')) continue;
        words_add(l, e->d_name);
    }
    closedir(d);
    return 0;
}

/* ---- subcommands ---- */

static int c_pid(char **a) {
    (void)a;
    printf("%d\n", (int)getpid());
    return 0;
}
static int c_sid(char **a) {
    (void)a;
    printf("%d\n", (int)getsid(0));
    return 0;
}
static int c_ppid(char **a) {
    (void)a;
    printf("%d\n", (int)getppid());
    return 0;
}

static int c_ps(char **a) {
    words l = {0};
    (void)a;
    if (list_dir("/proc", &l, 1) != 0) return fail_errno();
    words_print(&l, 1, " ");
    return 0;
}

static int c_id(char **a) {
    (void)a;
    printf("%u %u %d\n", (unsigned)getuid(), (unsigned)getgid(), getgroups(0, NULL));
    return 0;
}

static int c_hostname(char **a) {
    struct utsname u;
    (void)a;
    if (uname(&u) != 0) return fail_errno();
    printf("%s\n", u.nodename);
    return 0;
}

static int c_sethostname(char **a) {
    if (sethostname(a[0], strlen(a[0])) != 0) return fail_errno();
    printf("ok\n");
    return 0;
}

static int c_netifs(char **a) {
    FILE *f = fopen("/proc/net/dev", "r");
    char line[512];
    words l = {0};
    (void)a;
    if (!f) return fail_errno();
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':'), *p = line;
        if (!colon) continue;
        *colon = '\0';
        while (*p == ' ') p++;
        words_add(&l, p);
    }
    fclose(f);
    words_print(&l, 0, " ");
    return 0;
}

static int c_ifup(char **a) {
    struct ifreq ifr;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return fail_errno();
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", a[0]);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) return fail_errno();
    close(s);
    printf("%s\n", (ifr.ifr_flags & IFF_UP) ? "up" : "down");
    return 0;
}

static int c_write(char **a) {
    int fd = open(a[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail_errno();
    if (write(fd, "probe\n", 6) != 6) return fail_errno();
    if (close(fd) != 0) return fail_errno();
    printf("ok\n");
    return 0;
}

static int c_create(char **a) {
    int fd = open(a[0], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return fail_errno();
    close(fd);
    printf("ok\n");
    return 0;
}

static int c_read(char **a) {
    char buf[64];
    int fd = open(a[0], O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, buf, sizeof buf) < 0) return fail_errno();
    close(fd);
    printf("ok\n");
    return 0;
}

static int c_mkdir(char **a) {
    if (mkdir(a[0], 0755) != 0) return fail_errno();
    printf("ok\n");
    return 0;
}

static int copy_fd(int in, int out) {
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) return -1;
    return n < 0 ? -1 : 0;
}

static int c_cat(char **a) {
    int fd = open(a[0], O_RDONLY | O_CLOEXEC);
    if (fd < 0 || copy_fd(fd, 1) != 0) return fail_errno();
    close(fd);
    return 0;
}

static int c_readn(char **a) {
    static char buf[1 << 20];
    size_t want = strtoul(a[1], NULL, 10), got = 0;
    int fd = open(a[0], O_RDONLY | O_CLOEXEC), zero = 1;
    if (fd < 0) return fail_errno();
    if (want > sizeof buf) want = sizeof buf;
    while (got < want) {
        ssize_t n = read(fd, buf + got, want - got);
        if (n < 0) return fail_errno();
        if (n == 0) break;
        got += (size_t)n;
    }
    close(fd);
    for (size_t i = 0; i < got; i++) zero &= buf[i] == 0;
    printf("%zu%s\n", got, zero && got ? " zero" : "");
    return 0;
}

static int c_ls(char **a) {
    words l = {0};
    if (list_dir(a[0], &l, 0) != 0) return fail_errno();
    words_print(&l, 0, " ");
    return 0;
}

static char type_char(mode_t m) {
    if (S_ISREG(m)) return 'f';
    if (S_ISDIR(m)) return 'd';
    if (S_ISLNK(m)) return 'l';
    if (S_ISCHR(m)) return 'c';
    if (S_ISBLK(m)) return 'b';
    if (S_ISFIFO(m)) return 'p';
    return 's';
}

static void print_stat(const struct stat *st, const char *path) {
    printf("%c %o", type_char(st->st_mode), (unsigned)(st->st_mode & 07777));
    if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
        printf(" %u:%u", major(st->st_rdev), minor(st->st_rdev));
    if (S_ISLNK(st->st_mode) && path) {
        char t[4096];
        ssize_t n = readlink(path, t, sizeof t - 1);
        t[n < 0 ? 0 : n] = '\0';
        printf(" -> %s", t);
    }
    printf("\n");
}

static int c_stat(char **a) {
    for (; *a; a++) {
        struct stat st;
        if (lstat(*a, &st) != 0) return fail_errno();
        print_stat(&st, *a);
    }
    return 0;
}

static int c_fstat(char **a) {
    struct stat st;
    if (fstat(atoi(a[0]), &st) != 0) return fail_errno();
    print_stat(&st, NULL);
    return 0;
}

/* On stderr, so it also works when stdout is not readable: "0:TYPE[MAJ:MIN] 1:... 2:..." */
static int c_fdinfo(char **a) {
    (void)a;
    for (int fd = 0; fd < 3; fd++) {
        struct stat st;
        if (fstat(fd, &st) != 0) {
            fprintf(stderr, "%s%d:%s", fd ? " " : "", fd, errno_name(errno));
            continue;
        }
        fprintf(stderr, "%s%d:%c", fd ? " " : "", fd, type_char(st.st_mode));
        if (S_ISCHR(st.st_mode)) fprintf(stderr, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
    }
    fprintf(stderr, "\n");
    return 0;
}

/* One line per open fd of process PID: "FD TARGET". */
static int c_fdlinks(char **a) {
    char dir[64];
    words l = {0};
    snprintf(dir, sizeof dir, "/proc/%s/fd", a[0]);
    if (list_dir(dir, &l, 1) != 0) return fail_errno();
    for (int i = 0; i < l.n; i++) {
        char path[128], target[4096];
        snprintf(path, sizeof path, "%s/%s", dir, l.w[i]);
        ssize_t n = readlink(path, target, sizeof target - 1);
        target[n < 0 ? 0 : n] = '\0';
        printf("%s %s\n", l.w[i], n < 0 ? errno_name(errno) : target);
    }
    return 0;
}

/* Reads the first readable mapping of process PID through /proc/PID/mem: "ok" or errno name. */
static int c_peek(char **a) {
    char path[64], line[512], buf[16];
    unsigned long start = 0;
    snprintf(path, sizeof path, "/proc/%s/maps", a[0]);
    FILE *f = fopen(path, "r");
    if (!f) return fail_errno();
    while (fgets(line, sizeof line, f)) {
        char perms[8];
        if (sscanf(line, "%lx-%*x %7s", &start, perms) == 2 && perms[0] == 'r') break;
        start = 0;
    }
    fclose(f);
    snprintf(path, sizeof path, "/proc/%s/mem", a[0]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || pread(fd, buf, sizeof buf, (off_t)start) < 0) return fail_errno();
    close(fd);
    printf("ok\n");
    return 0;
}

/* The signal state the command was started with: "SigBlk SigIgn" from /proc/self/status (hex). */
static int c_sigstate(char **a) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256], blk[64] = "?", ign[64] = "?";
    (void)a;
    if (!f) return fail_errno();
    while (fgets(line, sizeof line, f)) {
        sscanf(line, "SigBlk: %63s", blk);
        sscanf(line, "SigIgn: %63s", ign);
    }
    fclose(f);
    printf("blocked=%s ignored=%s\n", blk, ign);
    return 0;
}

static int c_env(char **a) {
    words l = {0};
    (void)a;
    for (char **e = environ; *e; e++) words_add(&l, *e);
    words_print(&l, 0, "\n");
    return 0;
}

static int c_cwd(char **a) {
    char buf[4096];
    (void)a;
    if (!getcwd(buf, sizeof buf)) return fail_errno();
    printf("%s\n", buf);
    return 0;
}

static int c_fds(char **a) {
    words l = {0};
    (void)a;
    if (list_dir("/proc/self/fd", &l, 1) != 0) return fail_errno();
    words_print(&l, 1, " ");
    return 0;
}

/* mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS */
static int c_mounts(char **a) {
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[4096];
    (void)a;
    if (!f) return fail_errno();
    while (fgets(line, sizeof line, f)) {
        char mp[1024], opts[512], fstype[128];
        const char *dash = strstr(line, " - ");
        if (!dash || sscanf(line, "%*s %*s %*s %*s %1023s %511s", mp, opts) != 2) continue;
        if (sscanf(dash + 3, "%127s", fstype) != 1) continue;
        printf("%s %s %s\n", mp, fstype, opts);
    }
    fclose(f);
    return 0;
}

static int print_clock(clockid_t id) {
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) return fail_errno();
    printf("%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
    return 0;
}

static int c_monotonic(char **a) {
    (void)a;
    return print_clock(CLOCK_MONOTONIC);
}
static int c_boottime(char **a) {
    (void)a;
    return print_clock(CLOCK_BOOTTIME);
}
static int c_exit(char **a) { return atoi(a[0]); }

static int c_kill(char **a) {
    int sig = atoi(a[0]);
    signal(sig, SIG_DFL);
    kill(getpid(), sig);
    sleep(1);
    printf("survived\n");
    return 99;
}

static volatile uintptr_t null_address;

static int c_segv(char **a) {
    (void)a;
    signal(SIGSEGV, SIG_DFL);
    *(volatile int *)null_address = 1;
    printf("survived\n");
    return 99;
}

static int c_sleep(char **a) {
    double s = atof(a[0]);
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
    return 0;
}

static int c_fill(char **a) {
    static char block[4096];
    unsigned long long want = strtoull(a[1], NULL, 10), done = 0;
    int fd = open(a[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), err = 0;
    if (fd < 0) return fail_errno();
    memset(block, 'x', sizeof block);
    while (done < want) {
        ssize_t n = write(fd, block, sizeof block);
        if (n <= 0) {
            err = n < 0 ? errno : ENOSPC;
            break;
        }
        done += (unsigned long long)n;
    }
    close(fd);
    printf("%s %llu\n", err ? errno_name(err) : "ok", done);
    return 0;
}

static int c_stdin(char **a) {
    (void)a;
    return copy_fd(0, 1) == 0 ? 0 : fail_errno();
}

static int c_both(char **a) {
    printf("%s\n", a[0]);
    fflush(stdout);
    fprintf(stderr, "%s\n", a[1]);
    return 0;
}

static int c_echo(char **a) {
    for (int i = 0; a[i]; i++) printf("%s%s", i ? " " : "", a[i]);
    printf("\n");
    return 0;
}

static int c_spew(char **a) {
    static char o[65536], e[65536];
    unsigned long long n = strtoull(a[0], NULL, 10), done[2] = {0, 0};
    memset(o, 'o', sizeof o);
    memset(e, 'e', sizeof e);
    while (done[0] < n || done[1] < n)
        for (int i = 0; i < 2; i++) {
            size_t chunk = n - done[i] > sizeof o ? sizeof o : (size_t)(n - done[i]);
            if (!chunk) continue;
            ssize_t w = write(i + 1, i ? e : o, chunk);
            if (w <= 0) return 1;
            done[i] += (unsigned long long)w;
        }
    return 0;
}

static int c_syscall(char **a) {
    long v[6] = {0, 0, 0, 0, 0, 0};
    long nr = strtol(a[0], NULL, 0), r;
    for (int i = 0; i < 6 && a[i + 1]; i++) v[i] = (long)strtoull(a[i + 1], NULL, 0);
    errno = 0;
    r = syscall(nr, v[0], v[1], v[2], v[3], v[4], v[5]);
    if (r < 0)
        printf("%s\n", errno_name(errno));
    else
        printf("ok %ld\n", r);
    return 0;
}

static volatile sig_atomic_t got_signal;
static void on_signal(int sig) { got_signal = sig; }

static int c_trap(char **a) {
    static const int sigs[] = {SIGHUP,  SIGINT,  SIGQUIT,  SIGTERM,
                               SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};
    sigset_t block, old;
    (void)a;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        signal(sigs[i], on_signal);
        sigaddset(&block, sigs[i]);
    }
    sigprocmask(SIG_BLOCK, &block, &old);
    printf("ready\n");
    fflush(stdout);
    while (!got_signal) sigsuspend(&old);
    printf("got %d\n", (int)got_signal);
    return 42;
}

static int count_others(void) {
    words l = {0};
    int n = 0;
    list_dir("/proc", &l, 1);
    for (int i = 0; i < l.n; i++) {
        int p = atoi(l.w[i]);
        n += p != 1 && p != (int)getpid();
    }
    return n;
}

static int c_orphans(char **a) {
    int n = atoi(a[0]);
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c < 0) return fail_errno();
        if (c == 0) {
            if (fork() == 0) _exit(0); /* the grandchild: an orphan once its parent is gone */
            _exit(0);
        }
        waitpid(c, NULL, 0);
    }
    int others = count_others();
    for (int tries = 0; tries < 2000 && others > 0; tries++) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
        others = count_others();
    }
    printf("others %d\n", others);
    return 0;
}

static int c_pty(char **a) {
    int unlock = 0, n = -1;
    char path[64];
    (void)a;
    int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0 || ioctl(m, TIOCSPTLCK, &unlock) != 0 || ioctl(m, TIOCGPTN, &n) != 0)
        return fail_errno();
    snprintf(path, sizeof path, "/dev/pts/%d", n);
    int s = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) return fail_errno();
    printf("ok %s\n", path);
    close(s);
    close(m);
    return 0;
}

/* ---- resource limits ---- */

static int c_cgroup(char **a) {
    (void)a;
    int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || copy_fd(fd, 1) != 0) return fail_errno();
    close(fd);
    return 0;
}

static int c_alloc(char **a) {
    int mb = atoi(a[0]);
    for (int i = 0; i < mb; i++) {
        char *p = malloc(1 << 20);
        if (!p) {
            printf("ENOMEM %d\n", i);
            return 0;
        }
        memset(p, 0x5a, 1 << 20); /* touch every page */
    }
    printf("allocated %d\n", mb);
    return 0;
}

static int c_child_alloc(char **a) {
    fflush(stdout);
    pid_t c = fork();
    if (c < 0) return fail_errno();
    if (c == 0) {
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (devnull >= 0) dup2(devnull, 1);
        _exit(c_alloc(a));
    }
    int st;
    if (waitpid(c, &st, 0) < 0) return fail_errno();
    if (WIFSIGNALED(st))
        printf("child killed by %d\n", WTERMSIG(st));
    else
        printf("child exited %d\n", WEXITSTATUS(st));
    return 0;
}

static int c_forkbomb(char **a) {
    static pid_t kids[4096];
    int n = atoi(a[0]), forked = 0, err = 0;
    if (n > 4096) n = 4096;
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c < 0) {
            err = errno;
            break;
        }
        if (c == 0)
            for (;;) pause();
        kids[forked++] = c;
    }
    printf("forked %d %s\n", forked, err ? errno_name(err) : "none");
    fflush(stdout);
    for (int i = 0; i < forked; i++) kill(kids[i], SIGKILL);
    for (int i = 0; i < forked; i++) waitpid(kids[i], NULL, 0);
    return 0;
}

static int c_daemons(char **a) {
    int n = atoi(a[0]);
    signal(SIGTERM, SIG_IGN);
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c < 0) return fail_errno();
        if (c == 0) {
            setsid();
            for (;;) pause();
        }
        printf("%s%d", i ? " " : "", (int)c);
    }
    printf("\n");
    return 0;
}

static int c_hold(char **a) {
    int n = atoi(a[0]), forked = 0, err = 0;
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c < 0) {
            err = errno;
            break;
        }
        if (c == 0)
            for (;;) pause();
        forked++;
    }
    printf("forked %d %s\n", forked, err ? errno_name(err) : "none");
    fflush(stdout);
    for (;;) pause();
    return 0; /* not reached */
}

static int c_chain(char **a) {
    (void)a;
    pid_t c = fork();
    if (c < 0) return fail_errno();
    if (c == 0) {
        for (;;) {
            pid_t next = fork();
            if (next > 0) _exit(0); /* the successor goes on */
            if (next < 0) {
                struct timespec ts = {0, 1000000};
                nanosleep(&ts, NULL);
            }
        }
    }
    printf("chaining\n");
    fflush(stdout);
    for (;;) pause();
    return 0; /* not reached */
}

static int c_bomb(char **a) {
    (void)a;
    printf("bombing\n");
    fflush(stdout);
    for (;;) (void)fork();
    return 0; /* not reached */
}

static double now_sec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile unsigned long spin_sink;

static void spin_for(double seconds) {
    double end = now_sec() + seconds;
    while (now_sec() < end)
        for (int i = 0; i < 10000; i++) spin_sink++;
}

static int c_spin(char **a) {
    spin_for(atof(a[0]));
    return 0;
}

static int c_spin_children(char **a) {
    int n = atoi(a[0]);
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c < 0) return fail_errno();
        if (c == 0) {
            spin_for(atof(a[1]));
            _exit(0);
        }
    }
    int done = 0;
    while (wait(NULL) > 0) done++;
    printf("spun %d\n", done);
    return 0;
}

static int c_tick(char **a) {
    double ms = atof(a[0]);
    for (unsigned long n = 0;; n++) {
        printf("%lu\n", n);
        fflush(stdout);
        spin_for(ms / 1000.0);
    }
    return 0; /* not reached */
}

static void print_rlim(rlim_t v) {
    if (v == RLIM_INFINITY)
        printf("inf");
    else
        printf("%llu", (unsigned long long)v);
}

static int c_rlimits(char **a) {
    static const char *const names[] = {
        "cpu",     "fsize", "data",  "stack",      "core",     "rss",  "nproc",  "nofile",
        "memlock", "as",    "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime"};
    (void)a;
    for (int r = 0; r < (int)(sizeof names / sizeof names[0]) && r < RLIM_NLIMITS; r++) {
        struct rlimit rl;
        if (getrlimit(r, &rl) != 0) return fail_errno();
        printf("%s%s=", r ? " " : "", names[r]);
        print_rlim(rl.rlim_cur);
        printf("/");
        print_rlim(rl.rlim_max);
    }
    printf("\n");
    return 0;
}

static int c_openmax(char **a) {
    int n = 0;
    (void)a;
    for (;;) {
        if (open("/dev/null", O_RDONLY) < 0) break;
        n++;
    }
    printf("opened %d %s\n", n, errno_name(errno));
    return 0;
}

static int c_ignore_term_tree(char **a) {
    int n = atoi(a[0]), p[2];
    signal(SIGTERM, SIG_IGN); /* inherited by every process below */
    if (pipe(p) != 0) return fail_errno();
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c < 0) return fail_errno();
        if (c == 0) {
            int pair[2] = {(int)getpid(), 0};
            pid_t g = fork();
            if (g == 0) {
                setsid(); /* not even in the same session or process group */
                for (;;) pause();
            }
            pair[1] = (int)g;
            if (write(p[1], pair, sizeof pair) != (ssize_t)sizeof pair) _exit(1);
            for (;;) pause();
        }
    }
    printf("%d", (int)getpid());
    for (int i = 0; i < n; i++) {
        int pair[2];
        if (read(p[0], pair, sizeof pair) != (ssize_t)sizeof pair) return fail_errno();
        printf(" %d %d", pair[0], pair[1]);
    }
    printf("\n");
    fflush(stdout);
    for (;;) pause();
    return 0; /* not reached */
}
static int c_serve_listen(char **a) {
    const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
    const char *names = getenv("LISTEN_FDNAMES");
    char buf[2048], copy[1024], *save = NULL, *name;
    int n = fds ? atoi(fds) : 0;
    (void)a;
    printf("LISTEN_PID=%s pid=%d fds=%d names=%s\n", pid ? pid : "-", (int)getpid(), n,
           names ? names : "-");
    fflush(stdout);
    alarm(20);
    snprintf(copy, sizeof copy, "%s", names ? names : "");
    name = strtok_r(copy, ":", &save);
    for (int fd = 3; fd < 3 + n; fd++, name = strtok_r(NULL, ":", &save)) {
        int type = 0;
        socklen_t tl = sizeof type;
        char reply[300];
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl);
        if (type == SOCK_STREAM) {
            int c = accept(fd, NULL, NULL);
            if (c < 0) continue;
            ssize_t r = read(c, buf, sizeof buf);
            (void)r;
            int len = snprintf(reply, sizeof reply,
                               "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello %s\n",
                               name ? name : "?");
            if (write(c, reply, (size_t)len) < 0) {}
            close(c);
        } else {
            struct sockaddr_storage from;
            socklen_t fl = sizeof from;
            ssize_t r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
            if (r < 0) continue;
            int len = snprintf(reply, sizeof reply, "hello %s\n", name ? name : "?");
            sendto(fd, reply, (size_t)len, 0, (struct sockaddr *)&from, fl);
        }
    }
    printf("served\n");
    return 0;
}

static int c_rm(char **a) {
    struct stat st;
    if (lstat(a[0], &st) != 0) return fail_errno();
    if ((S_ISDIR(st.st_mode) ? rmdir(a[0]) : unlink(a[0])) != 0) return fail_errno();
    printf("ok\n");
    return 0;
}

static int c_rename(char **a) {
    if (rename(a[0], a[1]) != 0) return fail_errno();
    printf("ok\n");
    return 0;
}

static int c_owner(char **a) {
    struct stat st;
    if (lstat(a[0], &st) != 0) return fail_errno();
    printf("%u %u\n", (unsigned)st.st_uid, (unsigned)st.st_gid);
    return 0;
}

static int c_chown(char **a) {
    if (lchown(a[0], (uid_t)atol(a[1]), (gid_t)atol(a[2])) != 0) return fail_errno();
    printf("ok\n");
    return 0;
}

static int c_setgroups(char **a) {
    gid_t g[64];
    size_t n = 0;
    for (; a[n] && n < 64; n++) g[n] = (gid_t)atol(a[n]);
    if (setgroups(n, g) != 0) return fail_errno();
    printf("ok\n");
    return 0;
}

static int c_socket(char **a) {
    int fam = atoi(a[0]);
    int fd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 && errno != EAFNOSUPPORT) fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail_errno();
    close(fd);
    printf("ok\n");
    return 0;
}

/* An abstract unix address: "\0NAME". */
static socklen_t abstract_addr(struct sockaddr_un *sa, const char *name) {
    size_t n = strlen(name);
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (n > sizeof sa->sun_path - 1) n = sizeof sa->sun_path - 1;
    memcpy(sa->sun_path + 1, name, n);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static int c_ulisten(char **a) {
    struct sockaddr_un sa;
    socklen_t len = abstract_addr(&sa, a[0]);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) != 0 || listen(fd, 16) != 0)
        return fail_errno();
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c < 0) continue;
        if (write(c, "hello\n", 6) != 6) {}
        close(c);
    }
    return 0;
}

static int c_uconnect(char **a) {
    struct sockaddr_un sa;
    socklen_t len = abstract_addr(&sa, a[0]);
    char buf[64];
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ssize_t n;
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, len) != 0) return fail_errno();
    n = read(fd, buf, sizeof buf - 1);
    if (n < 0) return fail_errno();
    buf[n] = '\0';
    printf("%s", buf);
    close(fd);
    return 0;
}

/* ---- policy (test_policy) ---- */

static int dispatch(int argc, char **argv);

static int c_seq(char **a) {
    int r = 0;
    while (*a) {
        int n = 0;
        while (a[n] && strcmp(a[n], ",") != 0) n++;
        char *saved = a[n];
        a[n] = NULL;
        r = dispatch(n + 1, a - 1);
        fflush(stdout);
        a[n] = saved;
        a += n + (saved ? 1 : 0);
    }
    return r;
}

static int c_exec(char **a) {
    execv(a[0], a);
    return fail_errno();
}

static int tcp_socket(void) { return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); }

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(0x7f000001);
    return sa;
}

static const char *result(int r) {
    if (r == 0) return "ok";
    if (errno == ECONNREFUSED) return "ECONNREFUSED";
    if (errno == EADDRINUSE) return "EADDRINUSE";
    return errno_name(errno);
}

static int c_tcp(char **a) {
    struct sockaddr_in sa = loopback(atoi(a[0])), sb = loopback(atoi(a[1]));
    int l = tcp_socket(), c = tcp_socket(), b = tcp_socket(), d = tcp_socket();
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int r = bind(l, (struct sockaddr *)&sa, sizeof sa);
    if (r == 0) r = listen(l, 4);
    printf("%s", result(r));
    printf(" %s", result(connect(c, (struct sockaddr *)&sa, sizeof sa)));
    printf(" %s", result(bind(b, (struct sockaddr *)&sb, sizeof sb)));
    close(b);
    printf(" %s\n", result(connect(d, (struct sockaddr *)&sb, sizeof sb)));
    return 0;
}

static int c_unix_connect(char **a) {
    struct sockaddr_un sa;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    size_t n = strlen(a[0]);
    if (n > sizeof sa.sun_path - 1) n = sizeof sa.sun_path - 1;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path + 1, a[0], n);
    int r = connect(s, (struct sockaddr *)&sa,
                    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
    printf("%s\n", result(r));
    return 0;
}

static int c_signal(char **a) {
    printf("%s\n", result(kill((pid_t)atoi(a[0]), atoi(a[1]))));
    return 0;
}

static int c_open_cloexec(char **a) {
    int x = open(a[0], O_RDONLY | O_CLOEXEC), y = open(a[0], O_RDONLY);
    if (x < 0 || y < 0) return fail_errno();
    printf("%s %s\n", (fcntl(x, F_GETFD) & FD_CLOEXEC) ? "cloexec" : "no-cloexec",
           (fcntl(y, F_GETFD) & FD_CLOEXEC) ? "cloexec" : "no-cloexec");
    return 0;
}

static volatile char race_buf[8] = "/r/a";
static volatile int race_stop;
static long race_n;

static void *race_flip(void *arg) {
    (void)arg;
    while (!race_stop) race_buf[3] = race_buf[3] == 'a' ? 'b' : 'a';
    return NULL;
}

/* One caller: returns the number of calls that came back with want1 (and want2), or -1 after
   printing a result that belongs to another call. */
typedef struct race_caller {
    char buf[16];
    long want1, want2, got1, got2, bad;
} race_caller;

static void *race_call(void *arg) {
    race_caller *c = (race_caller *)arg;
    const char *path = c->want2 ? (const char *)race_buf : c->buf;
    for (long i = 0; i < race_n; i++) {
        long r = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
        if (r == c->want1)
            c->got1++;
        else if (c->want2 && r == c->want2)
            c->got2++;
        else if (!c->bad)
            c->bad = r < 0 ? -errno : r;
    }
    return NULL;
}

static int c_race_open(char **a) {
    pthread_t flip, t[4];
    race_caller c[4];
    race_n = atol(a[0]);
    memset(c, 0, sizeof c);
    c[0].want1 = 1;
    c[0].want2 = 2;
    for (int k = 1; k < 4; k++) {
        snprintf(c[k].buf, sizeof c[k].buf, "/t/%d", k + 2);
        c[k].want1 = k + 2;
    }
    pthread_create(&flip, NULL, race_flip, NULL);
    for (int k = 0; k < 4; k++) pthread_create(&t[k], NULL, race_call, &c[k]);
    for (int k = 0; k < 4; k++) pthread_join(t[k], NULL);
    race_stop = 1;
    pthread_join(flip, NULL);
    for (int k = 0; k < 4; k++)
        if (c[k].bad) {
            printf("bad: thread %d asked for %ld got %ld\n", k, c[k].want1, c[k].bad);
            return 0;
        }
    for (int k = 1; k < 4; k++)
        if (c[k].got1 != race_n) {
            printf("bad: thread %d got %ld of %ld\n", k, c[k].got1, race_n);
            return 0;
        }
    printf("ok %ld %ld\n", c[0].got1, c[0].got2);
    return 0;
}

typedef struct command {
    const char *name;
    int nargs; /* minimum */
    int (*fn)(char **args);
} command;

static const command commands[] = {
    {"pid", 0, c_pid},
    {"ppid", 0, c_ppid},
    {"ps", 0, c_ps},
    {"sid", 0, c_sid},
    {"peek", 1, c_peek},
    {"id", 0, c_id},
    {"hostname", 0, c_hostname},
    {"sethostname", 1, c_sethostname},
    {"netifs", 0, c_netifs},
    {"ifup", 1, c_ifup},
    {"write", 1, c_write},
    {"create", 1, c_create},
    {"read", 1, c_read},
    {"mkdir", 1, c_mkdir},
    {"cat", 1, c_cat},
    {"readn", 2, c_readn},
    {"ls", 1, c_ls},
    {"stat", 1, c_stat},
    {"fstat", 1, c_fstat},
    {"env", 0, c_env},
    {"cwd", 0, c_cwd},
    {"fds", 0, c_fds},
    {"mounts", 0, c_mounts},
    {"monotonic", 0, c_monotonic},
    {"boottime", 0, c_boottime},
    {"exit", 1, c_exit},
    {"kill", 1, c_kill},
    {"segv", 0, c_segv},
    {"sleep", 1, c_sleep},
    {"fill", 2, c_fill},
    {"stdin", 0, c_stdin},
    {"both", 2, c_both},
    {"echo", 0, c_echo},
    {"fdinfo", 0, c_fdinfo},
    {"fdlinks", 1, c_fdlinks},
    {"sigstate", 0, c_sigstate},
    {"trap", 0, c_trap},
    {"orphans", 1, c_orphans},
    {"pty", 0, c_pty},
    {"cgroup", 0, c_cgroup},
    {"alloc", 1, c_alloc},
    {"forkbomb", 1, c_forkbomb},
    {"bomb", 0, c_bomb},
    {"spin", 1, c_spin},
    {"tick", 1, c_tick},
    {"rlimits", 0, c_rlimits},
    {"openmax", 0, c_openmax},
    {"ignore-term-tree", 1, c_ignore_term_tree},
    {"hold", 1, c_hold},
    {"daemons", 1, c_daemons},
    {"chain", 0, c_chain},
    {"syscall", 1, c_syscall},
    {"spew", 1, c_spew},
    {"child-alloc", 1, c_child_alloc},
    {"spin-children", 2, c_spin_children},
    {"rm", 1, c_rm},
    {"rename", 2, c_rename},
    {"owner", 1, c_owner},
    {"chown", 3, c_chown},
    {"setgroups", 1, c_setgroups},
    {"socket", 1, c_socket},
    {"ulisten", 1, c_ulisten},
    {"uconnect", 1, c_uconnect},
    {"serve-listen", 0, c_serve_listen},
    {"seq", 1, c_seq},
    {"exec", 1, c_exec},
    {"tcp", 2, c_tcp},
    {"unix-connect", 1, c_unix_connect},
    {"signal", 2, c_signal},
    {"open-cloexec", 1, c_open_cloexec},
    {"race-open", 1, c_race_open},
};

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: probe SUBCOMMAND [ARGS...]\n");
        return 2;
    }
    return dispatch(argc, argv);
}

/* argv[1] is the subcommand, argv[2..argc) its arguments (argv[argc] is NULL). */
static int dispatch(int argc, char **argv) {
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) != 0) continue;
        if (argc - 2 < commands[i].nargs) {
            fprintf(stderr, "probe %s: needs %d argument(s)\n", argv[1], commands[i].nargs);
            return 2;
        }
        int r = commands[i].fn(argv + 2);
        fflush(stdout);
        return r;
    }
    fprintf(stderr, "probe: unknown subcommand %s\n", argv[1]);
    return 2;
}
