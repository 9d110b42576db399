/* notify_bench - intercepted system calls per second: through container.h's callback, and
   through a minimal supervisor written straight against the kernel interface (the floor).  A
   benchmark driver, not an example.

       notify_bench --mode MODE[,MODE...] [--rootfs DIR] [--loop PATH] --kind getppid|stat
                    [--seconds S] [--runs K]

   The workload is bench/syscall_loop (KIND, S seconds), which prints how many calls it made per
   second.
   library: a container (rootfs DIR, /bin/syscall_loop, ctrun's default spec otherwise) with the
   syscall intercepted (spec.intercept) and a callback that lets it run (ctr_syscall_continue;
   for stat, after reading its path with ctr_syscall_read_path): the library's serving thread.
   manual: the same served with intercept_manual by ctr_notify_handle in a poll() loop.
   plain: the same container without interception.
   floor: no library: fork, install a two-instruction filter (the syscall ->
   SECCOMP_RET_USER_NOTIF) with SECCOMP_FILTER_FLAG_NEW_LISTENER, pass the listener over a
   socket, exec PATH; the parent loops on SECCOMP_IOCTL_NOTIF_RECV and _SEND with
   SECCOMP_USER_NOTIF_FLAG_CONTINUE (for stat, after reading the path with process_vm_readv and
   checking SECCOMP_IOCTL_NOTIF_ID_VALID, as the library does).  floor-sync: the same after
   SECCOMP_IOCTL_NOTIF_SET_FLAGS(SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) (Linux 6.6).
   strace: PATH under strace -f -e trace=SYSCALL (ptrace: every call of the loop stops it twice).
   host: PATH alone on the host, not in a container, nothing interposed.

   MODE library, manual and plain need --rootfs DIR (with /bin/syscall_loop in it), the others
   --loop PATH (on the host).  K runs (default 3) of each, the modes taking turns;
   prints one line of JSON with each mode's median rate:
   {"kind":K,"seconds_each":S,"rows":{"MODE":{"each":[...],"per_second":R},...}}.
   Errors on stderr, exit status 1. */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "../container.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1
#endif

static struct {
    const char *mode, *rootfs, *loop, *kind, *seconds;
    int runs;
} o = {"", NULL, NULL, "getppid", "3", 3};

static void die(const char *what) {
    fprintf(stderr, "notify_bench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static long nr(void) { return strcmp(o.kind, "stat") == 0 ? SYS_newfstatat : SYS_getppid; }

/* The per_second of syscall_loop's JSON line. */
static double parse_rate(const char *json) {
    const char *p = strstr(json, "\"per_second\":");
    if (!p) {
        fprintf(stderr, "notify_bench: no rate in '%s'\n", json);
        exit(1);
    }
    return atof(p + 13);
}

static void read_all(int fd, char *buf, size_t cap) {
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) != 0) {
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) die("read");
        n += (size_t)r;
    }
    buf[n] = '\0';
}

/* ---- through the library ---- */

static int on_call(ctr_syscall *call, void *user) {
    char path[256];
    (void)user;
    if (call->nr == SYS_newfstatat && ctr_syscall_read_path(call, 1, path, sizeof path, NULL) != 0)
        return ctr_syscall_fail(call, EFAULT);
    return ctr_syscall_continue(call);
}

static double run_library(void) {
    const char *argv[] = {"/bin/syscall_loop", o.kind, o.seconds, NULL};
    long nrs[1] = {nr()};
    ctr_spec s;
    ctr_container *c;
    ctr_error e;
    ctr_result r;
    char out[512];
    memset(&s, 0, sizeof s);
    s.argv = argv;
    s.rootfs = o.rootfs;
    s.stdio[1] = CTR_STDIO_PIPE;
    if (strcmp(o.mode, "plain") != 0) {
        s.intercept = nrs;
        s.nintercept = 1;
        s.on_syscall = on_call;
        s.intercept_manual = strcmp(o.mode, "manual") == 0;
    }
    if (ctr_spawn(&s, &c, &e) != 0) {
        fprintf(stderr, "notify_bench: ctr_spawn: %s\n", e.msg);
        exit(1);
    }
    if (s.intercept_manual) {
        struct pollfd p[2] = {{ctr_notify_fd(c), POLLIN, 0}, {ctr_stdio_fd(c, 1), POLLIN, 0}};
        size_t n = 0;
        for (;;) {
            if (poll(p, 2, -1) < 0 && errno != EINTR) die("poll");
            if (p[0].revents & POLLIN) {
                if (ctr_notify_handle(c, &e) < 0) {
                    fprintf(stderr, "notify_bench: ctr_notify_handle: %s\n", e.msg);
                    exit(1);
                }
            } else if (p[0].revents) {
                p[0].fd = -1;
            }
            if (p[1].revents) {
                ssize_t k = read(p[1].fd, out + n, sizeof out - 1 - n);
                if (k <= 0) break;
                n += (size_t)k;
            }
        }
        out[n] = '\0';
    } else {
        read_all(ctr_stdio_fd(c, 1), out, sizeof out);
    }
    if (ctr_wait(c, &r, &e) != 0 || !r.exited || r.exit_code != 0) {
        fprintf(stderr, "notify_bench: the container failed (%s)\n", e.msg);
        exit(1);
    }
    ctr_destroy(c);
    return parse_rate(out);
}

/* ---- the floor: straight against the kernel ---- */

static volatile sig_atomic_t child_done;
static void on_usr1(int sig) { (void)sig; }

typedef struct waiter {
    pid_t pid;
    pthread_t main;
    int status;
} waiter;

/* Waits for the child, then interrupts the blocking RECV of the main thread. */
static void *wait_child(void *arg) {
    waiter *w = (waiter *)arg;
    while (waitpid(w->pid, &w->status, 0) < 0 && errno == EINTR) {}
    child_done = 1;
    for (int i = 0; i < 1000; i++) {
        pthread_kill(w->main, SIGUSR1);
        usleep(1000);
        if (child_done == 2) break;
    }
    return NULL;
}

static double run_floor(int sync) {
    int sp[2], out[2];
    char buf[512];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0 ||
        pipe2(out, O_CLOEXEC) != 0)
        die("socketpair");
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        struct sock_filter f[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr(), 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
        struct sock_fprog prog = {4, f};
        dup2(out[1], 1);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(120);
        int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                              SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
        if (fd < 0) _exit(121);
        union {
            struct cmsghdr align;
            char b[CMSG_SPACE(sizeof(int))];
        } cm;
        char byte = 'n';
        struct iovec iov = {&byte, 1};
        struct msghdr msg = {0};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cm.b;
        msg.msg_controllen = sizeof cm.b;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
        if (sendmsg(sp[1], &msg, 0) != 1) _exit(122);
        close(fd);
        execl(o.loop, o.loop, o.kind, o.seconds, (char *)NULL);
        _exit(123);
    }
    close(out[1]);
    close(sp[1]);
    union {
        struct cmsghdr align;
        char b[CMSG_SPACE(sizeof(int))];
    } cm;
    char byte;
    struct iovec iov = {&byte, 1};
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cm.b;
    msg.msg_controllen = sizeof cm.b;
    if (recvmsg(sp[0], &msg, MSG_CMSG_CLOEXEC) != 1) die("recvmsg");
    int fd;
    memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof fd);
    close(sp[0]);
    if (sync) {
        __u64 flag = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
        if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flag) != 0)
            die("SECCOMP_IOCTL_NOTIF_SET_FLAGS");
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1; /* no SA_RESTART: the RECV returns EINTR */
    sigaction(SIGUSR1, &sa, NULL);
    waiter w = {pid, pthread_self(), 0};
    pthread_t t;
    child_done = 0;
    pthread_create(&t, NULL, wait_child, &w);
    int stat_kind = strcmp(o.kind, "stat") == 0;
    for (;;) {
        struct seccomp_notif req;
        struct seccomp_notif_resp resp;
        memset(&req, 0, sizeof req);
        if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
            if (child_done) break;
            if (errno == EINTR || errno == ENOENT) continue;
            die("SECCOMP_IOCTL_NOTIF_RECV");
        }
        if (stat_kind) {
            char path[256];
            struct iovec l = {path, sizeof path}, r = {(void *)(uintptr_t)req.data.args[1], 0};
            r.iov_len = 4096 - (req.data.args[1] & 4095);
            if (r.iov_len > sizeof path) r.iov_len = sizeof path;
            l.iov_len = r.iov_len;
            if (process_vm_readv((pid_t)req.pid, &l, 1, &r, 1, 0) < 0) die("process_vm_readv");
            __u64 id = req.id;
            if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) != 0) continue;
        }
        memset(&resp, 0, sizeof resp);
        resp.id = req.id;
        resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    }
    child_done = 2;
    pthread_join(t, NULL);
    close(fd);
    read_all(out[0], buf, sizeof buf);
    close(out[0]);
    if (!WIFEXITED(w.status) || WEXITSTATUS(w.status) != 0) {
        fprintf(stderr, "notify_bench: the floor's child failed (status %d)\n", w.status);
        exit(1);
    }
    return parse_rate(buf);
}

/* ---- without the library: the loop on the host, alone or under strace -f ---- */

static double run_host(int under_strace) {
    int out[2];
    char buf[512], trace[64];
    if (pipe2(out, O_CLOEXEC) != 0) die("pipe2");
    snprintf(trace, sizeof trace, "trace=%s",
             strcmp(o.kind, "stat") == 0 ? "newfstatat" : "getppid");
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        dup2(out[1], 1);
        if (under_strace)
            execlp("strace", "strace", "-f", "-qq", "-o", "/dev/null", "-e", trace, o.loop, o.kind,
                   o.seconds, (char *)NULL);
        else
            execl(o.loop, o.loop, o.kind, o.seconds, (char *)NULL);
        fprintf(stderr, "notify_bench: exec %s: %s\n", under_strace ? "strace" : o.loop,
                strerror(errno));
        _exit(127);
    }
    close(out[1]);
    read_all(out[0], buf, sizeof buf);
    close(out[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "notify_bench: %s failed (status %d)\n", under_strace ? "strace" : o.loop,
                st);
        exit(1);
    }
    return parse_rate(buf);
}

static double run_mode(const char *m) {
    o.mode = m;
    if (!strncmp(m, "floor", 5)) return run_floor(!strcmp(m, "floor-sync"));
    if (!strcmp(m, "strace") || !strcmp(m, "host")) return run_host(!strcmp(m, "strace"));
    return run_library();
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    const char *modes = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) break;
        if (!strcmp(a, "--mode"))
            modes = v;
        else if (!strcmp(a, "--rootfs"))
            o.rootfs = v;
        else if (!strcmp(a, "--loop"))
            o.loop = v;
        else if (!strcmp(a, "--kind"))
            o.kind = v;
        else if (!strcmp(a, "--seconds"))
            o.seconds = v;
        else if (!strcmp(a, "--runs"))
            o.runs = atoi(v);
        else
            break;
        i++;
    }
    /* --mode A,B,C: the modes take turns, run after run, so that a machine that gets busier or
       quieter meanwhile skews them alike. */
    char list[256], *save = NULL;
    const char *mode[8];
    int nmodes = 0;
    snprintf(list, sizeof list, "%s", modes ? modes : "");
    for (char *m = strtok_r(list, ",", &save); m && nmodes < 8; m = strtok_r(NULL, ",", &save)) {
        int host = !strncmp(m, "floor", 5) || !strcmp(m, "strace") || !strcmp(m, "host");
        if ((host && !o.loop) || (!host && !o.rootfs)) nmodes = -100;
        mode[nmodes++] = m;
    }
    if (nmodes <= 0 || o.runs < 1 || o.runs > 100) {
        fprintf(stderr, "usage: notify_bench --mode MODE[,MODE...] (library, manual, plain: with "
                        "--rootfs DIR; floor, floor-sync, strace, host: with --loop PATH) --kind "
                        "getppid|stat --seconds S --runs K\n");
        return 1;
    }
    static double rates[8][100];
    for (int i = 0; i < o.runs; i++)
        for (int k = 0; k < nmodes; k++) rates[k][i] = run_mode(mode[k]);
    printf("{\"kind\":\"%s\",\"seconds_each\":%s,\"rows\":{", o.kind, o.seconds);
    for (int k = 0; k < nmodes; k++) {
        printf("%s\"%s\":{\"each\":[", k ? "," : "", mode[k]);
        for (int i = 0; i < o.runs; i++) printf("%s%.1f", i ? "," : "", rates[k][i]);
        qsort(rates[k], (size_t)o.runs, sizeof rates[k][0], cmp);
        printf("],\"per_second\":%.1f}", rates[k][o.runs / 2]);
    }
    printf("}}\n");
    return 0;
}
