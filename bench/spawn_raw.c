/* spawn_raw - a lower bound for container.h's spawn: the same isolation with raw system calls,
   no library.  A benchmark driver, not an example: it checks little and explains less.

       spawn_raw --rootfs DIR [-n N | --seconds S] [--warmup W] [--hardened [--filter-len L]] [--plain-exec]
                 [--sh SCRIPT]

   Each iteration: clone(CLONE_VM | CLONE_VFORK | CLONE_NEW{PID,NS,UTS,IPC,NET,CGROUP}) on an
   mmap'd stack (glibc clone(), the cheapest way to start a child); the child makes its mounts
   slaves, binds DIR on itself, mounts proc, a tmpfs /dev with null zero full random urandom tty
   bound from the host plus a devpts, a tmpfs /tmp, enters DIR with pivot_root(".", "."), detaches
   the old root and execs /bin/true; the parent waits for it.  Each iteration is timed with
   CLOCK_MONOTONIC from before clone until waitpid returns.

   --hardened adds the kernel work container.h's defaults add (src/child.c): setsid, closing the
   host's descriptors, not dumpable, sethostname, loopback up (SIOCSIFFLAGS), nosuid+nodev on the
   root, nosuid+noexec on the /dev binds, the /proc masks (/dev/null bound over the masked files,
   an empty read-only tmpfs over the masked directories) and read-only /proc paths, the capability
   bounding set cut to Docker's 14, capset, no_new_privs, the parent-death signal and a seccomp
   BPF filter of --filter-len instructions (default 144, about the library's default profile)
   that allows /bin/true.  Not mirrored: the library's 64 sigaction resets, openat2 path
   resolution and error pipe.
   --plain-exec: no namespaces and no mounts, just vfork+exec of DIR/bin/true (an in-process
   fork+exec baseline).  --sh SCRIPT runs /bin/sh -c SCRIPT instead of /bin/true, to look at the
   setup from inside.

   --seconds S: throughput instead: containers run one after another for S seconds (after the
   warm-up); prints {"seconds":X,"containers":N,"per_second":X,...}.

   Prints one line of JSON: {"n":N,"median_ms":X,"mean_ms":X,"min_ms":X,"max_ms":X,...}. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stats.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef MS_SLAVE
#define MS_SLAVE (1 << 19)
#endif

#define NDEV       6
#define NMASKED    15
#define NREADONLY  5
#define STACK_SIZE (256 * 1024)

static const char *const dev_nodes[NDEV] = {"null", "zero", "full", "random", "urandom", "tty"};
/* src/child.c: ctr__proc_masked, ctr__proc_readonly */
static const char *const proc_masked[NMASKED] = {
    "kcore",         "keys",        "key-users",  "timer_list",  "sched_debug",
    "latency_stats", "timer_stats", "acpi",       "scsi",        "asound",
    "kallsyms",      "kpagecount",  "kpageflags", "kpagecgroup", "vmallocinfo"};
static const char *const proc_readonly[NREADONLY] = {"sys", "sysrq-trigger", "irq", "bus", "fs"};
/* Docker's default capabilities, as CTR_CAPS_DEFAULT */
static const int docker_caps[] = {0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31};

/* Everything the child needs, prepared by the parent: the child shares our memory (CLONE_VM) and
   only reads this. */
static struct {
    char root[4096];
    char proc[4200], dev[4200], pts[4200], tmp[4200], ptmx[4200];
    char devnode[NDEV][4200];
    char devlink[4][4200];
    char shm[4200];
    char masked[NMASKED][4300];
    char readonly[NREADONLY][4300];
    char truebin[4200];
    int hardened, plain, last_cap;
    struct sock_filter *filter;
    unsigned short filter_len;
    uint64_t caps_keep;
} g;

static char *child_argv[] = {"/bin/true", NULL, NULL, NULL};
static char *const child_envp[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", NULL};
static const char *const dev_links[4][2] = {{"/proc/self/fd", "fd"},
                                            {"/proc/self/fd/0", "stdin"},
                                            {"/proc/self/fd/1", "stdout"},
                                            {"/proc/self/fd/2", "stderr"}};

static void die_child(const char *what, const char *path) {
    char buf[512];
    int e = errno;
    size_t n = (size_t)snprintf(buf, sizeof(buf), "spawn_raw child: %s %s: %s\n", what,
                                path ? path : "", strerror(e));
    if (n > sizeof(buf)) n = sizeof(buf);
    if (write(2, buf, n) < 0) _exit(126);
    _exit(126);
}

static void mnt(const char *src, const char *dst, const char *type, unsigned long flags,
                const char *data) {
    if (mount(src, dst, type, flags, data) != 0) die_child("mount", dst);
}

static void make_file(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) die_child("create", path);
    close(fd);
}

static void hardened_proc(void) {
    const unsigned long hide = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    struct stat st;
    int i;
    for (i = 0; i < NMASKED; i++) {
        if (lstat(g.masked[i], &st) != 0) continue; /* not on this kernel */
        if (S_ISDIR(st.st_mode)) {
            mnt("tmpfs", g.masked[i], "tmpfs", MS_RDONLY | hide, "mode=0555,size=4096");
        } else {
            mnt("/dev/null", g.masked[i], NULL, MS_BIND, NULL);
            mnt(NULL, g.masked[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | hide, NULL);
        }
    }
    for (i = 0; i < NREADONLY; i++) {
        if (lstat(g.readonly[i], &st) != 0) continue;
        mnt(g.readonly[i], g.readonly[i], NULL, MS_BIND | MS_REC, NULL);
        mnt(NULL, g.readonly[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
            NULL);
    }
}

static void loopback_up(void) {
    struct ifreq ifr;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, "lo", 3);
    ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
    if (s < 0 || ioctl(s, SIOCSIFFLAGS, &ifr) != 0) die_child("bring up", "lo");
    close(s);
}

static void drop_caps(void) {
    struct {
        uint32_t version;
        int pid;
    } head = {0x20080522, 0}; /* _LINUX_CAPABILITY_VERSION_3 */
    struct {
        uint32_t effective, permitted, inheritable;
    } data[2];
    int cap, i;
    for (cap = 0; cap <= g.last_cap; cap++)
        if (!(g.caps_keep & (1ull << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
            errno != EINVAL)
            die_child("drop capability", NULL);
    for (i = 0; i < 2; i++) {
        data[i].effective = data[i].permitted = (uint32_t)(g.caps_keep >> (32 * i));
        data[i].inheritable = 0;
    }
    if (syscall(SYS_capset, &head, data) != 0) die_child("capset", NULL);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die_child("no_new_privs", NULL);
}

static int child_main(void *arg) {
    (void)arg;
    if (g.plain) {
        execve(g.truebin, child_argv, child_envp);
        die_child("execve", g.truebin);
    }
    if (g.hardened) {
        if (setsid() < 0) die_child("setsid", NULL);
        if (syscall(SYS_close_range, 3u, ~0u, 0) != 0) die_child("close_range", NULL);
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) die_child("undumpable", NULL);
        if (sethostname("container", 9) != 0) die_child("sethostname", NULL);
        loopback_up();
        umask(022);
    }
    mnt(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
    mnt(g.root, g.root, NULL, MS_BIND | MS_REC, NULL);
    if (g.hardened) mnt(NULL, g.root, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV, NULL);
    mnt("proc", g.proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    if (g.hardened) hardened_proc();
    mnt("tmpfs", g.dev, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=65536");
    for (int i = 0; i < NDEV; i++) {
        make_file(g.devnode[i]);
        mnt(g.devnode[i] + strlen(g.root), g.devnode[i], NULL, MS_BIND, NULL); /* host /dev/X */
        if (g.hardened)
            mnt(NULL, g.devnode[i], NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC, NULL);
    }
    if (mkdir(g.pts, 0755) != 0) die_child("mkdir", g.pts);
    if (mkdir(g.shm, 01777) != 0) die_child("mkdir", g.shm);
    mnt("devpts", g.pts, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
    if (symlink("pts/ptmx", g.ptmx) != 0) die_child("symlink", g.ptmx);
    for (int i = 0; i < 4; i++)
        if (symlink(dev_links[i][0], g.devlink[i]) != 0) die_child("symlink", g.devlink[i]);
    mnt("tmpfs", g.tmp, "tmpfs", MS_NOSUID | MS_NODEV, "mode=01777");
    if (chdir(g.root) != 0 || syscall(SYS_pivot_root, ".", ".") != 0)
        die_child("pivot_root", g.root);
    if (umount2(".", MNT_DETACH) != 0 || chdir("/") != 0) die_child("detach the old root", NULL);
    if (g.hardened) {
        struct sock_fprog prog;
        drop_caps();
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) die_child("pdeathsig", NULL);
        prog.len = g.filter_len;
        prog.filter = g.filter;
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0)
            die_child("seccomp", NULL);
    }
    execve(child_argv[0], child_argv, child_envp);
    die_child("execve", child_argv[0]);
    return 127;
}

/* A deny-list shaped like the library's: arch check, x32 check, then pairs "nr == X: EPERM" for
   numbers no syscall has, then ALLOW.  Exactly len instructions (len >= 7). */
static struct sock_filter *build_filter(unsigned len) {
    struct sock_filter *f = calloc(len, sizeof(*f));
    unsigned n = 0, k = 0;
    if (!f) return NULL;
    f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4); /* arch */
    f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003eu, 1, 0);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0); /* nr */
    f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
    while (n + 2 < len) {
        f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 5000 + k++, 0, 1);
        f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
    }
    while (n + 1 < len) f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    return f;
}

static int read_last_cap(void) {
    FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
    int v = 40;
    if (f) {
        if (fscanf(f, "%d", &v) != 1) v = 40;
        fclose(f);
    }
    return v;
}

static void usage(void) {
    fprintf(stderr, "usage: spawn_raw --rootfs DIR [-n N | --seconds S] [--warmup W] [--hardened "
                    "[--filter-len L]] [--plain-exec] [--sh SCRIPT]\n");
    exit(2);
}

#define setpath(dst, size, a, b) setpath3(dst, size, a, b, "")
static void setpath3(char *dst, size_t size, const char *a, const char *b, const char *c) {
    if ((size_t)snprintf(dst, size, "%s%s%s", a, b, c) >= size) {
        fprintf(stderr, "spawn_raw: path too long\n");
        exit(2);
    }
}

int main(int argc, char **argv) {
    const char *rootfs = NULL;
    long n = 300, warmup = 20, filter_len = 144, count = 0;
    double seconds = 0, start = 0, last = 0;
    char *stack;
    double *samples;
    long i;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rootfs") && i + 1 < argc)
            rootfs = argv[++i];
        else if (!strcmp(argv[i], "-n") && i + 1 < argc)
            n = atol(argv[++i]);
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc)
            warmup = atol(argv[++i]);
        else if (!strcmp(argv[i], "--filter-len") && i + 1 < argc)
            filter_len = atol(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--hardened"))
            g.hardened = 1;
        else if (!strcmp(argv[i], "--plain-exec"))
            g.plain = 1;
        else if (!strcmp(argv[i], "--sh") &&
                 i + 1 < argc) { /* check the setup: /bin/sh -c SCRIPT */
            child_argv[0] = "/bin/sh";
            child_argv[1] = "-c";
            child_argv[2] = argv[++i];
        } else
            usage();
    }
    if (!rootfs || rootfs[0] != '/' || n < 1 || warmup < 0 || filter_len < 7 || filter_len > 4096)
        usage();
    setpath(g.root, sizeof(g.root), rootfs, "");
    setpath(g.proc, sizeof(g.proc), rootfs, "/proc");
    setpath(g.dev, sizeof(g.dev), rootfs, "/dev");
    setpath(g.pts, sizeof(g.pts), rootfs, "/dev/pts");
    setpath(g.shm, sizeof(g.shm), rootfs, "/dev/shm");
    setpath(g.ptmx, sizeof(g.ptmx), rootfs, "/dev/ptmx");
    setpath(g.tmp, sizeof(g.tmp), rootfs, "/tmp");
    setpath(g.truebin, sizeof(g.truebin), rootfs, "/bin/true");
    for (i = 0; i < NDEV; i++) {
        setpath3(g.devnode[i], sizeof(g.devnode[i]), g.dev, "/", dev_nodes[i]);
    }
    for (i = 0; i < 4; i++) {
        setpath3(g.devlink[i], sizeof(g.devlink[i]), g.dev, "/", dev_links[i][1]);
    }
    for (i = 0; i < NMASKED; i++) {
        setpath3(g.masked[i], sizeof(g.masked[i]), g.proc, "/", proc_masked[i]);
    }
    for (i = 0; i < NREADONLY; i++) {
        setpath3(g.readonly[i], sizeof(g.readonly[i]), g.proc, "/", proc_readonly[i]);
    }
    g.last_cap = read_last_cap();
    for (i = 0; i < (long)(sizeof(docker_caps) / sizeof(docker_caps[0])); i++)
        g.caps_keep |= 1ull << docker_caps[i];
    if (g.hardened) {
        g.filter_len = (unsigned short)filter_len;
        if (!(g.filter = build_filter((unsigned)filter_len))) return 1;
    }
    stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                 -1, 0);
    samples = calloc(seconds > 0 ? 1 : (size_t)n, sizeof(double));
    if (stack == MAP_FAILED || !samples) {
        perror("spawn_raw");
        return 1;
    }
    int flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
    if (!g.plain)
        flags |= CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
                 CLONE_NEWCGROUP;
    if (seconds > 0) n = 1L << 40; /* throughput: until the time is up */
    for (i = -warmup; i < n; i++) {
        double t0 = bench_now_ms(), t1;
        if (seconds > 0 && i == 0) start = t0;
        int st;
        pid_t pid = clone(child_main, stack + STACK_SIZE, flags, NULL);
        if (pid < 0) {
            perror("spawn_raw: clone");
            return 1;
        }
        if (waitpid(pid, &st, 0) != pid) {
            perror("spawn_raw: waitpid");
            return 1;
        }
        t1 = bench_now_ms();
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "spawn_raw: the container failed (status 0x%x)\n", st);
            return 1;
        }
        if (seconds > 0) {
            if (i < 0) continue;
            if (t1 > start + seconds * 1e3) break;
            count++;
            last = t1;
            continue;
        }
        if (i >= 0) samples[i] = t1 - t0;
    }
    if (seconds > 0) {
        printf("{\"seconds\":%.3f,\"containers\":%ld,\"per_second\":%.2f,\"mode\":\"%s\"}\n",
               (last - start) / 1e3, count, count / ((last - start) / 1e3),
               g.plain      ? "plain-exec"
               : g.hardened ? "hardened"
                            : "raw");
        return 0;
    }
    printf("{");
    bench_print_stats(samples, (size_t)n);
    printf(",\"mode\":\"%s\",\"filter_len\":%ld}\n",
           g.plain      ? "plain-exec"
           : g.hardened ? "hardened"
                        : "raw",
           g.hardened ? filter_len : 0L);
    return 0;
}
