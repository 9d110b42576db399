/* child.c - the child: everything between clone and execve, in the order ctr__child_main runs it.

   RULES FOR THIS FILE (and for mount.c).  The child is a copy of a possibly multi-threaded host,
   or runs on its memory (clone.c): another thread may have held the malloc lock, a stdio lock or
   any other lock at the moment of the clone, and those stay locked here forever; the spawning
   thread may have a cancellation request pending, which glibc's cancellable wrappers (open,
   read, write, close...) would act on, running the thread's cleanup handlers on the host's
   stack.  So this code only makes raw system calls (the ctr__r_* macros and syscall(), which
   only sets errno), uses memcpy/memset/strlen, and touches only the launch and plan (prepared by
   the parent before the clone) and its own stack.  No malloc, no stdio, no locks, no exit():
   the exit_group system call only.  glibc's setuid/setgid wrappers would also signal every
   thread the host had, hence syscall(SYS_setresuid...). */
#include "internal.h"

static void ctr__c_write_file(const ctr__launch *l, ctr_step step, const char *path,
                              const char *data) {
    size_t len = strlen(data);
    int fd = ctr__r_openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
    if (fd < 0 || ctr__r_write(fd, data, len) != CTR__CAST(long, len))
        ctr__c_die(l, step, errno, path, "write ", path, NULL, NULL);
    ctr__r_close(fd);
}

static void ctr__c_userns(const ctr__launch *l) {
    /* An unprivileged process may map its own uid and gid into a namespace it created, once
       setgroups is denied; so the child needs no help from the parent for this. */
    ctr__c_write_file(l, CTR_STEP_USERNS, "/proc/self/setgroups", "deny");
    ctr__c_write_file(l, CTR_STEP_USERNS, "/proc/self/uid_map", l->plan->uid_map);
    ctr__c_write_file(l, CTR_STEP_USERNS, "/proc/self/gid_map", l->plan->gid_map);
}

static void ctr__c_timens(const ctr__launch *l) {
    /* Offsets can only be set before any process is in the namespace: unshare (which affects our
       future children only), set them, then enter it ourselves with setns. */
    int fd;
    if (syscall(SYS_unshare, CLONE_NEWTIME) != 0)
        ctr__c_die(l, CTR_STEP_TIMENS, errno, "", "create a time namespace", NULL, NULL, NULL);
    ctr__c_write_file(l, CTR_STEP_TIMENS, "/proc/self/timens_offsets", l->plan->timens_offsets);
    fd = ctr__r_openat(AT_FDCWD, "/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0 || syscall(SYS_setns, fd, CLONE_NEWTIME) != 0)
        ctr__c_die(l, CTR_STEP_TIMENS, errno, "", "enter the time namespace", NULL, NULL, NULL);
    ctr__r_close(fd);
}

/* The user namespace maps and time offsets are written through /proc/self, whose files belong to
   root while the process is not dumpable (a host that dropped root without exec is not).  Only
   then is the child made dumpable for these few writes, and undumpable again right after; such a
   host never gets the vfork-style clone (spawn.c), so the flag changed is the child's own. */
static void ctr__c_own_namespaces(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    int undump;
    if (l->nssock >= 0) ctr__c_ns_receive(l); /* userns.c: idmapped mounts, the map helper */
    if (!p->userns && !p->timens) return;
    undump = p->userns && ctr__r_prctl(PR_GET_DUMPABLE, 0) == 0;
    if (undump && ctr__r_prctl(PR_SET_DUMPABLE, 1) != 0)
        ctr__c_die(l, CTR_STEP_USERNS, errno, "", "make the process dumpable to write its uid map",
                   NULL, NULL, NULL);
    if (p->userns && p->map_helper)
        ctr__c_ns_maps(l); /* written from outside (userns.c) */
    else if (p->userns)
        ctr__c_userns(l);
    if (p->timens) ctr__c_timens(l);
    if (undump) (void)ctr__r_prctl(PR_SET_DUMPABLE, 0);
}

/* Brings up lo in the calling process's network namespace: 0, or -1 with errno.  The netns pool
   uses it too. */
static int ctr__lo_up(void) {
    struct ifreq ifr;
    int s = ctr__sys_int(syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)), r;
    if (s < 0) return -1;
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, "lo", 3);
    ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
    r = ctr__sys_int(syscall(SYS_ioctl, s, SIOCSIFFLAGS, &ifr));
    if (r != 0) {
        int e = errno;
        ctr__r_close(s);
        errno = e;
        return -1;
    }
    ctr__r_close(s);
    return 0;
}

/* Makes the CTR_STDIO_PIPE pipes here, in the child, and sends the host ends to the parent over
   l->xferfd: the container's ends never sit in the host's descriptor table, where a process
   forked meanwhile by another thread of the host would copy them and hold back the EOF the host
   waits for. */
static void ctr__c_stdio_pipes(const ctr__launch *l, int *src) {
    union {
        struct cmsghdr align;
        char buf[CTR__FDMSG_SPACE(3)];
    } cm;
    struct msghdr msg;
    struct iovec iov;
    int host[3], n = 0, i;
    char byte = 'p';
    for (i = 0; i < 3; i++) {
        int p[2];
        if (l->plan->stdio[i] != CTR_STDIO_PIPE) continue;
        if (syscall(SYS_pipe2, p, O_CLOEXEC) != 0)
            ctr__c_die(l, CTR_STEP_STDIO, errno, "", "create a pipe for stdio", NULL, NULL, NULL);
        src[i] = p[i == 0 ? 0 : 1];
        host[n++] = p[i == 0 ? 1 : 0];
    }
    if (n == 0) return;
    ctr__fdmsg(&msg, &iov, &byte, cm.buf, n, host);
    if (syscall(SYS_sendmsg, l->xferfd, &msg, MSG_NOSIGNAL) != 1)
        ctr__c_die(l, CTR_STEP_STDIO, errno, "", "pass the stdio pipes to the host", NULL, NULL,
                   NULL);
    for (i = 0; i < n; i++) ctr__r_close(host[i]);
}

/* Puts the stdio sources on 0, 1, 2 (first thing after clone, so that no host descriptor has to
   stay open for them later).  A stream the host had closed stays closed: whatever the setup opens
   at that number later is close-on-exec. */
static void ctr__c_stdio(const ctr__launch *l) {
    int src[3], tmp[3], i;
    for (i = 0; i < 3; i++) src[i] = l->stdio_src[i];
    ctr__c_stdio_pipes(l, src);
    /* Move the sources above 2 first, so that e.g. stdout = the caller's fd 0 is not clobbered. */
    for (i = 0; i < 3; i++) {
        tmp[i] = -1;
        if (src[i] >= 0 && (tmp[i] = ctr__r_fcntl(src[i], F_DUPFD_CLOEXEC, 3)) < 0)
            ctr__c_die(l, CTR_STEP_STDIO, errno, "", "duplicate a stdio descriptor", NULL, NULL,
                       NULL);
    }
    for (i = 0; i < 3; i++) {
        if (tmp[i] >= 0) {
            if (ctr__r_dup3(tmp[i], i) != i)
                ctr__c_die(l, CTR_STEP_STDIO, errno, "", "set up stdio", NULL, NULL, NULL);
            ctr__r_close(tmp[i]);
        } else {
            (void)ctr__r_fcntl(i, F_SETFD,
                               0); /* an inherited stream must survive exec; EBADF if closed */
        }
    }
}

/* Closes every descriptor above 2 but the error and status pipes, the host's pidfd, the sockets
   (the id maps' one; the launch's, with a terminal or an init or a start to report; pasta's),
   the start pipe and the extra descriptors (spec.fds and the listening sockets, parked above
   their targets) -
   really closes, not just close-on-exec: a host descriptor still open while paths are resolved
   inside the new root would lead out of it through /proc/self/fd/N (runc's CVE-2024-21626). */
/* Closes every descriptor from 3 up but the n in keep (sorted here): 0, or -1 with errno. */
static int ctr__c_close_except(int *keep, int n) {
    unsigned lo = 3;
    int i, j;
    for (i = 1; i < n; i++) /* sort */
        for (j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            int t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    for (i = 0; i < n; i++) {
        unsigned fd = CTR__CAST(unsigned, keep[i]);
        if (fd < lo) continue;
        if (fd > lo && syscall(SYS_close_range, lo, fd - 1, 0) != 0) return -1;
        lo = fd + 1;
    }
    return syscall(SYS_close_range, lo, ~0u, 0) != 0 ? -1 : 0;
}

static void ctr__c_close_fds(const ctr__launch *l, const int *parked, size_t nparked) {
    int keep[7 + CTR__MAX_FDS + CTR__MAX_LISTEN], n = 0;
    size_t k;
    if (l->nssock >= 3) keep[n++] = l->nssock; /* userns.c */
    if (l->errfd >= 3) keep[n++] = l->errfd;
    if (l->statusfd >= 3) keep[n++] = l->statusfd;
    if (l->hostfd >= 3) keep[n++] = l->hostfd;
    /* the launch's socket: a terminal, init or a start to report, the interception listener */
    if ((l->plan->tty || l->plan->init || l->plan->wait_start || l->plan->notify_bpf) &&
        l->xferfd >= 3)
        keep[n++] = l->xferfd;
    if (l->startfd >= 3) keep[n++] = l->startfd; /* wait_start */
    if (l->net_sock >= 3) keep[n++] = l->net_sock;
    for (k = 0; k < nparked; k++) keep[n++] = parked[k];
    if (ctr__c_close_except(keep, n) != 0)
        ctr__c_die(l, CTR_STEP_STDIO, errno, "", "close the host's file descriptors", NULL, NULL,
                   NULL);
}

/* The extra descriptors (spec.fds), first step: every descriptor the setup keeps (our pipes,
   the host's pidfd, the socket) moves above the highest container_fd, and each host_fd is
   parked there too, so that placing them at the end clobbers nothing.  l is the child's own copy
   of the launch. */
static void ctr__c_park_fds(ctr__launch *l, int *parked) {
    int *ours[7], top = 0, i;
    size_t k;
    ours[0] = &l->errfd;
    ours[1] = &l->statusfd;
    ours[2] = &l->hostfd;
    ours[3] = &l->xferfd;
    ours[4] = &l->nssock;
    ours[5] = &l->net_sock;
    ours[6] = &l->startfd;
    for (k = 0; k < l->nfds; k++)
        if (l->fds[k].container_fd > top) top = l->fds[k].container_fd;
    for (i = 0; i < 7; i++)
        if (*ours[i] >= 0 && *ours[i] <= top) {
            int fd = ctr__r_fcntl(*ours[i], F_DUPFD_CLOEXEC, top + 1);
            if (fd < 0)
                ctr__c_die(l, CTR_STEP_STDIO, errno, "fds",
                           "move a descriptor above the extra ones",
                           errno == EINVAL ? " (above RLIMIT_NOFILE)" : NULL, NULL, NULL);
            ctr__r_close(*ours[i]);
            *ours[i] = fd;
        }
    for (k = 0; k < l->nfds; k++)
        if ((parked[k] = ctr__r_fcntl(l->fds[k].host_fd, F_DUPFD_CLOEXEC, top + 1)) < 0)
            ctr__c_die(l, CTR_STEP_STDIO, errno, "fds", "duplicate an extra descriptor",
                       errno == EINVAL ? " (container_fd above RLIMIT_NOFILE)" : NULL, NULL, NULL);
}

/* The extra descriptors, last step: each at its number, open across execve. */
static void ctr__c_place_fds(const ctr__launch *l, const int *parked) {
    size_t k;
    for (k = 0; k < l->nfds; k++) {
        if (ctr__r_dup3(parked[k], l->fds[k].container_fd) != l->fds[k].container_fd)
            ctr__c_die(l, CTR_STEP_STDIO, errno, "fds", "place an extra descriptor", NULL, NULL,
                       NULL);
        ctr__r_close(parked[k]);
    }
}

/* Sends fd to the host over the launch's socket as a record with this tag ('t' the terminal,
   'c' the command's pidfd). */
static void ctr__c_send_fd(const ctr__launch *l, char tag, int fd) {
    union {
        struct cmsghdr align;
        char buf[CTR__FDMSG_SPACE(1)];
    } cm;
    struct msghdr msg;
    struct iovec iov;
    ctr__fdmsg(&msg, &iov, &tag, cm.buf, 1, &fd);
    if (syscall(SYS_sendmsg, l->xferfd, &msg, MSG_NOSIGNAL) != 1)
        ctr__c_die(l, CTR_STEP_STDIO, errno, "", "pass a descriptor to the host", NULL, NULL, NULL);
}

/* spec.tty: a pseudo-terminal from the container's own devpts (after pivot_root): the slave
   becomes the controlling terminal (we are a session leader) and 0, 1, 2; the master goes to the
   host over the launch's socket (a 't' record). */
static void ctr__c_tty(const ctr__launch *l) {
    struct winsize ws;
    char path[32] = "/dev/pts/";
    unsigned n = 0;
    int unlock = 0, master, slave, i;
    master = ctr__r_openat(AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
    if (master < 0 || syscall(SYS_ioctl, master, TIOCSPTLCK, &unlock) != 0 ||
        syscall(SYS_ioctl, master, TIOCGPTN, &n) != 0)
        ctr__c_die(l, CTR_STEP_STDIO, errno, "/dev/ptmx", "allocate a pseudo-terminal", NULL, NULL,
                   NULL);
    ctr__c_utoa(path + 9, n);
    if ((slave = ctr__r_openat(AT_FDCWD, path, O_RDWR | O_NOCTTY | O_CLOEXEC, 0)) < 0)
        ctr__c_die(l, CTR_STEP_STDIO, errno, path, "open the terminal ", path, NULL, NULL);
    memset(&ws, 0, sizeof(ws));
    ws.ws_row = l->plan->tty_rows;
    ws.ws_col = l->plan->tty_cols;
    if (syscall(SYS_ioctl, slave, TIOCSWINSZ, &ws) != 0 ||
        syscall(SYS_ioctl, slave, TIOCSCTTY, 0) != 0)
        ctr__c_die(l, CTR_STEP_STDIO, errno, path, "make ", path, " the controlling terminal",
                   NULL);
    for (i = 0; i < 3; i++)
        if (ctr__r_dup3(slave, i) != i)
            ctr__c_die(l, CTR_STEP_STDIO, errno, path, "set up stdio on ", path, NULL, NULL);
    ctr__r_close(slave);
    ctr__c_send_fd(l, 't', master);
    ctr__r_close(master);
    if (!l->plan->wait_start) ctr__r_close(l->xferfd); /* else ctr__c_wait_start needs it */
}

/* The working directory, resolved inside the new root without magic links (no /proc/self/fd/N
   or /proc/PID/cwd leading elsewhere). */
static void ctr__c_cwd(const ctr__launch *l) {
    ctr__open_how how;
    int fd;
    memset(&how, 0, sizeof(how));
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = CTR__RESOLVE_IN_ROOT | CTR__RESOLVE_NO_MAGICLINKS;
    fd = ctr__openat2(AT_FDCWD, l->plan->cwd, &how); /* cwd is "/" after pivot_root: the root */
    if (fd < 0 || ctr__r_fchdir(fd) != 0)
        ctr__c_die(l, CTR_STEP_CWD, errno, l->plan->cwd, "change directory to ", l->plan->cwd, NULL,
                   NULL);
    ctr__r_close(fd);
}

static void ctr__c_rlimits(const ctr__launch *l) {
    static const char *const names[] = {
        "cpu",     "fsize", "data",  "stack",      "core",     "rss",  "nproc",  "nofile",
        "memlock", "as",    "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime"};
    const ctr__plan *p = l->plan;
    size_t i;
    for (i = 0; i < p->nrlimits; i++) {
        struct {
            uint64_t cur, max;
        } r;
        int res = p->rlimits[i].resource;
        const char *name =
            res >= 0 && res < CTR__CAST(int, sizeof(names) / sizeof(names[0])) ? names[res] : "?";
        r.cur = p->rlimits[i].soft;
        r.max = p->rlimits[i].hard;
        if (syscall(SYS_prlimit64, 0, res, &r, NULL) != 0)
            ctr__c_die(
                l, CTR_STEP_RLIMIT, errno, name, "set rlimit ", name,
                errno == EPERM
                    ? " (raising a hard limit needs CAP_SYS_RESOURCE, and nofile is capped by "
                      "fs.nr_open)"
                    : NULL,
                NULL);
    }
}

/* Gets us into the container's cgroup(s) where clone3 could not put us (cgroup v1, or v2 without
   clone3): writing "0" to a cgroup.procs moves the writer.  Then a cgroup namespace rooted
   there. */
static void ctr__c_cgroup(const ctr__launch *l) {
    int i;
    for (i = 0; i < CTR__CG_MAX_DIRS && l->cg_procs[i] >= 0; i++) {
        if (ctr__r_write(l->cg_procs[i], "0", 1) != 1)
            ctr__c_die(l, CTR_STEP_CGROUP, errno, "cgroup.procs",
                       "move the container process into its cgroup", NULL, NULL, NULL);
        ctr__r_close(l->cg_procs[i]);
    }
    if (l->plan->cgroupns && syscall(SYS_unshare, CLONE_NEWCGROUP) != 0)
        ctr__c_die(l, CTR_STEP_CGROUP, errno, "", "create a cgroup namespace", NULL, NULL, NULL);
}

/* Before the uid change: shrink the bounding set (needs CAP_SETPCAP, which we still have) and
   keep the permitted set across setresuid when a non-root uid gets ambient capabilities. */
static void ctr__c_caps_bounding(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    int cap;
    for (cap = 0; cap <= p->last_cap; cap++)
        if (!(p->caps_keep & CTR_CAP(cap)) && ctr__r_prctl(PR_CAPBSET_DROP, cap) != 0 &&
            errno != EINVAL)
            ctr__c_die(l, CTR_STEP_CAPS, errno, "", "drop a capability from the bounding set", NULL,
                       NULL, NULL);
    if (p->uid != 0 && (p->caps_exact ? p->caps_prm : p->caps_ambient) &&
        ctr__r_prctl(PR_SET_KEEPCAPS, 1) != 0)
        ctr__c_die(l, CTR_STEP_CAPS, errno, "", "keep capabilities across the uid change", NULL,
                   NULL, NULL);
}

/* After it: the final sets (uid 0: the kept set; other uids: only the added ones, as ambient
   capabilities so they survive execve), then no_new_privs. */
static void ctr__c_caps_final(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    struct {
        uint32_t version;
        int pid;
    } head;
    struct {
        uint32_t effective, permitted, inheritable;
    } data[2];
    uint64_t set = p->uid == 0 ? p->caps_keep : p->caps_ambient;
    int cap, i;
    head.version = 0x20080522; /* _LINUX_CAPABILITY_VERSION_3 */
    head.pid = 0;
    /* Inheritable stays empty unless ambient capabilities need it (CVE-2022-24769). */
    for (i = 0; i < 2; i++) {
        data[i].effective = data[i].permitted = CTR__CAST(uint32_t, set >> (32 * i));
        data[i].inheritable = p->uid != 0 ? data[i].permitted : 0u;
        if (p->caps_exact) { /* spec.set_caps: as given */
            data[i].effective = CTR__CAST(uint32_t, p->caps_eff >> (32 * i));
            data[i].permitted = CTR__CAST(uint32_t, p->caps_prm >> (32 * i));
            data[i].inheritable = CTR__CAST(uint32_t, p->caps_inh >> (32 * i));
        }
    }
    if (syscall(SYS_capset, &head, data) != 0)
        ctr__c_die(l, CTR_STEP_CAPS, errno, "", "set the capabilities",
                   errno == EPERM
                       ? " (the calling process lacks one of the capabilities to keep: add only "
                         "capabilities it has)"
                       : NULL,
                   NULL, NULL);
    for (cap = 0; (p->uid != 0 || p->caps_exact) && cap <= p->last_cap; cap++)
        if ((p->caps_ambient & CTR_CAP(cap)) &&
            syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
            ctr__c_die(l, CTR_STEP_CAPS, errno, "", "raise an ambient capability", NULL, NULL,
                       NULL);
    if (p->nnp && ctr__r_prctl(PR_SET_NO_NEW_PRIVS, 1) != 0)
        ctr__c_die(l, CTR_STEP_CAPS, errno, "", "set no_new_privs", NULL, NULL, NULL);
}

/* The last step before execve (or before init starts the command): from here on every syscall
   of the container, ours included, goes through the filter. */
static void ctr__c_seccomp(const ctr__launch *l) {
    struct {
        unsigned short len;
        const ctr__bpf *filter;
    } prog;
    if (!l->plan->bpf) return;
    prog.len = CTR__CAST(unsigned short, l->plan->bpf_len);
    prog.filter = l->plan->bpf;
    if (syscall(SYS_prctl, PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, &prog, 0, 0) != 0)
        ctr__c_die(l, CTR_STEP_SECCOMP, errno, "", "install the seccomp filter",
                   errno == EACCES ? " (without no_new_privs it needs CAP_SYS_ADMIN)" : NULL, NULL,
                   NULL);
}

/* Run by "root" of a user namespace whose setgroups is denied (a rootless engine's, mapping one
   id): the groups cannot change, so without supplementary groups to set there is nothing to
   do; with some, setgroups fails and says so. */
static int ctr__c_setgroups_denied(const ctr__plan *p) {
    char buf[8];
    long n;
    int fd;
    if (p->ngroups) return 0;
    fd = ctr__r_openat(AT_FDCWD, "/proc/self/setgroups", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return 0;
    n = ctr__r_read(fd, buf, sizeof(buf));
    ctr__r_close(fd);
    return n >= 4 && memcmp(buf, "deny", 4) == 0;
}

static void ctr__c_identity(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    if (!p->set_ids) return;
    /* (in a joined user namespace whose setgroups is denied, the groups stay as mapped) */
    if ((!(p->join && p->userns) && !ctr__c_setgroups_denied(p) &&
         syscall(SYS_setgroups, p->ngroups, p->groups) != 0) ||
        syscall(SYS_setresgid, p->gid, p->gid, p->gid) != 0 ||
        syscall(SYS_setresuid, p->uid, p->uid, p->uid) != 0)
        ctr__c_die(l, CTR_STEP_IDENTITY, errno, "", "switch to the container's uid and gid",
                   errno == EINVAL && p->userns ? " (not mapped in the container's user namespace)"
                                                : NULL,
                   NULL, NULL);
}

/* LISTEN_PID is the command's own pid, as seen inside (1, or 2 under init...): written into the
   plan's envp by the process that execs, before the interception filter (getpid may be
   intercepted). */
static void ctr__c_listen_pid(const ctr__launch *l) {
    if (l->listen_pid) ctr__c_utoa(l->listen_pid, CTR__CAST(unsigned, syscall(SYS_getpid)));
}

static void ctr__c_exec(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    uint64_t none = 0, hi = p->notify_cookie >> 32, lo = p->notify_cookie & 0xffffffffu;
    size_t i;
    int e = ENOENT, eacces = 0;
    if (!l->notify_armed) { /* else done before the filter (notify.c) */
        ctr__c_listen_pid(l);
        ctr__r_sigmask(SIG_SETMASK, &none, NULL);
    }
    for (i = 0; i < p->nexec; i++) {
        if (l->notify_armed && (p->notify_alt & CTR__NOTIFY_EXECVEAT)) /* execve is intercepted */
            syscall(SYS_execveat, CTR__CAST(uint64_t, CTR__CAST(uint32_t, AT_FDCWD)) | (hi << 32),
                    p->exec_paths[i], p->argv, p->envp, lo << 32);
        else
            syscall(SYS_execve, p->exec_paths[i], p->argv, p->envp);
        if (errno == EACCES)
            eacces = 1;
        else if (errno != ENOENT && errno != ENOTDIR) {
            e = errno;
            break;
        }
    }
    if (i == p->nexec && eacces) e = EACCES;
    none = ~none; /* no SIGPIPE while the failure is reported (an intercepted rt_sigprocmask
                     would wait for the host: then a SIGPIPE could only mean it is gone) */
    if (!l->notify_armed) ctr__r_sigmask(SIG_SETMASK, &none, NULL);
    ctr__c_die(l, CTR_STEP_EXEC, e, p->argv[0], "execute ", p->argv[0], NULL, NULL);
}

/* Namespaces joined by path (spec.ns_paths; a pid namespace is joined by the shim, before the
   clone), right after the move into the cgroup: a cgroup namespace joined later is the one the
   container sees. */
static void ctr__c_join_ns(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    size_t i;
    for (i = 0; i < p->nns_paths; i++) {
        unsigned t = p->ns_paths[i].type;
        int flag = t == CTR_NS_NET      ? CLONE_NEWNET
                   : t == CTR_NS_IPC    ? CLONE_NEWIPC
                   : t == CTR_NS_UTS    ? CLONE_NEWUTS
                   : t == CTR_NS_CGROUP ? CLONE_NEWCGROUP
                                        : 0;
        if (flag && syscall(SYS_setns, l->join_ns_fds[i], flag) != 0)
            ctr__c_die(l, CTR_STEP_CLONE, errno, p->ns_paths[i].path, "join namespace ",
                       p->ns_paths[i].path, NULL, NULL);
    }
}

/* sysctls (namespaced ones, checked by the plan) and oom_score_adj, through the host's /proc
   while it is still there: /proc/sys/net, kernel.shm* and kernel.hostname are those of the
   writer's own namespaces. */
static void ctr__c_sysctls(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    size_t i;
    for (i = 0; i < p->nsysctls; i++)
        ctr__c_write_file(l, CTR_STEP_SPEC, p->sysctl_paths[2 * i], p->sysctl_paths[2 * i + 1]);
    if (p->set_oom) ctr__c_write_file(l, CTR_STEP_SPEC, "/proc/self/oom_score_adj", p->oom);
}

/* wait_start: is argv[0] a file the command may execute?  Asked at the end of the setup, in the
   container and as its user, so that a missing command fails the spawn rather than the start,
   which another process may make (as runc and crun do). */
static void ctr__c_check_exec(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    size_t i;
    int e = ENOENT;
    for (i = 0; i < p->nexec; i++) {
        struct stat st;
        if (ctr__r_fstatat(AT_FDCWD, p->exec_paths[i], &st, 0) != 0) {
            if (errno != ENOENT && errno != ENOTDIR) e = errno;
            continue;
        }
        if (S_ISREG(st.st_mode) && syscall(SYS_faccessat, AT_FDCWD, p->exec_paths[i], X_OK) == 0)
            return;
        e = EACCES;
    }
    ctr__c_die(l, CTR_STEP_EXEC, e, p->argv[0], "execute ", p->argv[0], NULL, NULL);
}

/* wait_start: the exec pipe (made here, so that no host process can hold its write end: EOF
   then means the command has exec'd) goes to the host, the setup-done record follows, and the
   child waits for one byte on the start fd.  After that, failures go over the exec pipe. */
static void ctr__c_wait_start(ctr__launch *l) {
    ctr_error done;
    int pipefd[2], i;
    long r;
    char b;
    ctr__c_check_exec(l);
    if (syscall(SYS_pipe2, pipefd, O_CLOEXEC) != 0)
        ctr__c_die(l, CTR_STEP_CLONE, errno, "", "create the exec pipe", NULL, NULL, NULL);
    for (i = 0; i < 2; i++) /* never on 0..2, nor on an extra descriptor's number */
        if (pipefd[i] <= 2 || l->plan->nfds) {
            int fd = ctr__r_fcntl(pipefd[i], F_DUPFD_CLOEXEC, 3 + CTR__MAX_FDS);
            if (fd < 0) fd = ctr__r_fcntl(pipefd[i], F_DUPFD_CLOEXEC, 3);
            if (fd < 0)
                ctr__c_die(l, CTR_STEP_CLONE, errno, "", "move the exec pipe", NULL, NULL, NULL);
            ctr__r_close(pipefd[i]);
            pipefd[i] = fd;
        }
    ctr__c_send_fd(l, 'x', pipefd[0]);
    ctr__r_close(pipefd[0]);
    ctr__r_close(l->xferfd);
    memset(&done, 0, sizeof(done));
    do r = ctr__r_write(l->errfd, &done, sizeof(done));
    while (r < 0 && errno == EINTR);
    ctr__r_close(l->errfd);
    l->errfd = pipefd[1];
    do r = ctr__r_read(l->startfd, &b, 1);
    while (r < 0 && errno == EINTR);
    if (r != 1) ctr__c_exit(127); /* every writer gone: nobody can start it any more */
    ctr__r_close(l->startfd);
}

/* Dying with the host: the parent-death signal, set as the very first step and again after the
   uid change (which clears it), each time followed by a look at the host's pidfd, since a host
   that died before the signal was set sent nothing. */
static void ctr__c_die_with_host(const ctr__launch *l, int sig) {
    struct pollfd pfd;
    struct timespec zero = {0, 0};
    if (!l->plan->die_with_host) return;
    if (ctr__r_prctl(PR_SET_PDEATHSIG, sig) != 0)
        ctr__c_die(l, CTR_STEP_CLONE, errno, "", "set the parent-death signal", NULL, NULL, NULL);
    if (l->hostfd < 0) return;
    pfd.fd = l->hostfd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (syscall(SYS_ppoll, &pfd, 1, &zero, NULL, 8) > 0 && (pfd.revents & (POLLIN | POLLHUP)))
        ctr__c_exit(127); /* the host is gone: nobody to report to */
}

/* pid 1 with spec.init: starts the command, forwards signals to it, reaps everything, and exits
   with the command's status.  The command is cloned with CLONE_VFORK, so init knows it has
   exec'd (or failed, reporting why over the status pipe itself) before it tells the host
   STARTED.  init never execs, so close-on-exec does nothing for it: it closes every descriptor
   but the status pipe first, and stays undumpable, so the command cannot read the host memory
   init was copied from through ptrace or /proc/1. */
static void ctr__c_init(const ctr__launch *l) {
    ctr__launch cmd = *l;
    ctr__status_msg m;
    uint64_t all = ~CTR__CAST(uint64_t, 0);
    long pid, w;
    int lo = l->statusfd < l->xferfd ? l->statusfd : l->xferfd;
    int hi = l->statusfd < l->xferfd ? l->xferfd : l->statusfd;
    int keep[2 + CTR__MAX_FDS + CTR__MAX_LISTEN], n = 0;
    size_t k;
    ctr__r_sigmask(SIG_SETMASK, &all, NULL);
    /* Keep only the status pipe, the socket (for the command's pidfd, below) and the extra
       descriptors, which the command takes along at its execve and init closes then. */
    keep[n++] = lo;
    keep[n++] = hi;
    for (k = 0; k < l->nfds; k++) keep[n++] = l->fds[k].container_fd;
    if (ctr__c_close_except(keep, n) != 0)
        ctr__c_die(l, CTR_STEP_INIT, errno, "", "close the host's file descriptors", NULL, NULL,
                   NULL);
    /* From here on errors go over the status pipe. */
    cmd.errfd = -1;
    cmd.hostfd = -1;
    /* CLONE_FILES until its execve (which unshares the table): the command sends its own pidfd
       (init itself is not dumpable, so ctr_exec joins the command's namespaces) and closes the
       socket in the table init shares, so that once the command runs init holds nothing but
       the status pipe. */
    pid = syscall(SYS_clone, CLONE_VFORK | CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0)
        ctr__c_die(&cmd, CTR_STEP_INIT, errno, "", "start the command under init", NULL, NULL,
                   NULL);
    if (pid == 0) {
        int self;
        if (ctr__r_prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
            ctr__c_die(&cmd, CTR_STEP_INIT, errno, "", "set the parent-death signal", NULL, NULL,
                       NULL);
        if ((self = ctr__sys_int(syscall(SYS_pidfd_open, syscall(SYS_getpid), 0))) >= 0) {
            ctr__c_send_fd(&cmd, 'c', self);
            ctr__r_close(self);
        }
        if (cmd.plan->notify_bpf) ctr__c_listen_pid(&cmd);
        ctr__c_notify(&cmd); /* the command is intercepted, init is not */
        if (!cmd.notify_armed) ctr__r_close(l->xferfd); /* else init closes it (a close may be
                                                           intercepted) */
        ctr__c_exec(&cmd);
    }
    /* The command has exec'd, or has reported why not and exited: in that order, STARTED comes
       after its ERROR, and the host takes the first.  init keeps no stdio of its own. */
    ctr__r_close(l->xferfd); /* (already closed by the command, unless it failed first) */
    (void)syscall(SYS_close_range, 0, 2, 0);
    for (k = 0; k < l->nfds; k++) ctr__r_close(l->fds[k].container_fd);
    memset(&m, 0, sizeof(m));
    m.kind = CTR__MSG_STARTED;
    do w = ctr__r_write(l->statusfd, &m, sizeof(m));
    while (w < 0 && errno == EINTR);
    for (;;) {
        siginfo_t si;
        long sig = syscall(SYS_rt_sigtimedwait, &all, &si, NULL, 8);
        if (sig == SIGCHLD) {
            for (;;) {
                int st;
                long r = syscall(SYS_wait4, -1, &st, WNOHANG | __WALL, NULL);
                if (r <= 0) break;
                if (r == pid) {
                    m.kind = CTR__MSG_EXIT;
                    m.status = st;
                    do w = ctr__r_write(l->statusfd, &m, sizeof(m));
                    while (w < 0 && errno == EINTR);
                    ctr__c_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
                }
            }
        } else if (sig > 0) {
            syscall(SYS_kill, pid, sig);
        }
    }
}

/* The network, first half, as soon as the child has its namespaces: pasta's keeper (net.c) gets
   them and this process's pidfd ('n' record) and starts pasta on them; for a bridge the host's
   thread gets a NETLINK_ROUTE socket made in our new network namespace ('b'), through which it
   makes and configures eth0 (ctr__net_attach).  Either works while we set up the root. */
static void ctr__c_net_send(const ctr__launch *l) {
    union {
        struct cmsghdr align;
        char buf[CTR__FDMSG_SPACE(3)];
    } cm;
    struct msghdr msg;
    struct iovec iov;
    int fds[3], n = 0, i, bridge = l->plan->net.mode == CTR_NET_BRIDGE;
    char tag = bridge ? 'b' : 'n';
    if (bridge) {
        fds[n++] = ctr__sys_int(
            syscall(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0 /* NETLINK_ROUTE */));
    } else {
        fds[n++] = ctr__sys_int(syscall(SYS_pidfd_open, syscall(SYS_getpid), 0));
        fds[n++] = ctr__r_openat(AT_FDCWD, "/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC, 0);
        if (l->plan->userns)
            fds[n++] =
                ctr__r_openat(AT_FDCWD, "/proc/thread-self/ns/user", O_RDONLY | O_CLOEXEC, 0);
    }
    for (i = 0; i < n; i++)
        if (fds[i] < 0)
            ctr__c_die(l, CTR_STEP_NETWORK, errno, "",
                       bridge ? "open a netlink socket in the container's network namespace"
                              : "open the container's namespaces for pasta",
                       NULL, NULL, NULL);
    ctr__fdmsg(&msg, &iov, &tag, cm.buf, n, fds);
    /* A peer gone already (EPIPE) has left its answer, if any, for ctr__c_net_wait to read. */
    if (syscall(SYS_sendmsg, l->net_sock, &msg, MSG_NOSIGNAL) != 1 && errno != EPIPE &&
        errno != ECONNRESET)
        ctr__c_die(l, CTR_STEP_NETWORK, errno, "",
                   bridge ? "pass the container's netlink socket to the host"
                          : "pass the namespaces to pasta's keeper",
                   NULL, NULL, NULL);
    for (i = 0; i < n; i++) ctr__r_close(fds[i]);
}

/* The second half, just before the last steps of the setup: the answer, 'g' once the network
   is up, or a ctr_error record with the reason it is not, reported as ours. */
static void ctr__c_net_wait(const ctr__launch *l) {
    ctr_error e;
    long r;
    memset(&e, 0, sizeof(e));
    do r = syscall(SYS_recvfrom, l->net_sock, &e, sizeof(e), 0, NULL, NULL);
    while (r < 0 && errno == EINTR);
    if (r == CTR__CAST(long, sizeof(e))) {
        e.path[sizeof(e.path) - 1] = '\0';
        e.msg[sizeof(e.msg) - 1] = '\0';
        ctr__c_die(l, e.step, e.sys_errno, e.path, e.msg, NULL, NULL, NULL);
    }
    if (r != 1)
        ctr__c_die(l, CTR_STEP_NETWORK, r < 0 ? errno : EPIPE,
                   l->plan->net.mode == CTR_NET_BRIDGE ? "" : "pasta",
                   l->plan->net.mode == CTR_NET_BRIDGE
                       ? "wait for the container's network (the host's side is gone)"
                       : "wait for pasta to bring the network up (its keeper is gone)",
                   NULL, NULL, NULL);
    ctr__r_close(l->net_sock);
}

/* The child's entry point: executes the plan, then execs the command.  Never returns. */
static void ctr__child_main(void *launch) {
    ctr__launch own = *CTR__CAST(const ctr__launch *, launch); /* ours: fds move (spec.fds) */
    const ctr__launch *l = &own;
    const ctr__plan *p = l->plan;
    int parked[CTR__MAX_FDS + CTR__MAX_LISTEN];
    uint64_t none = 0;
    int sig, landlock;
    ctr__c_die_with_host(l, SIGKILL);
    /* The parent blocked every signal around clone; reset the host's handlers (and ignored
       signals) before unblocking.  The raw call, because glibc refuses to touch its own signals
       32 and 33; an all-zero kernel sigaction is SIG_DFL with no flags on every layout. */
    for (sig = 1; sig < NSIG; sig++) {
        static const unsigned long dfl[4] = {0, 0, 0, 0};
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)syscall(SYS_rt_sigaction, sig, dfl, NULL, 8);
    }
    (void)none;
    ctr__c_cgroup(l);
    if (p->nns_paths) ctr__c_join_ns(l);
    if (l->netns_fd >= 0 && syscall(SYS_setns, l->netns_fd, CLONE_NEWNET) != 0)
        ctr__c_die(l, CTR_STEP_NETWORK, errno, "", "enter the container's network namespace", NULL,
                   NULL, NULL);
    ctr__c_stdio(l);
    if (l->nfds) ctr__c_park_fds(&own, parked);
    ctr__c_close_fds(l, parked, l->nfds);
    if (syscall(SYS_setsid) < 0)
        ctr__c_die(l, CTR_STEP_CLONE, errno, "", "start a new session", NULL, NULL, NULL);
    if (!p->join) ctr__c_own_namespaces(l);
    if (l->net_sock >= 0) ctr__c_net_send(l);
    /* Not dumpable until execve: nothing may ptrace or read /proc/PID of this copy of the host. */
    if (ctr__r_prctl(PR_SET_DUMPABLE, 0) != 0)
        ctr__c_die(l, CTR_STEP_CLONE, errno, "", "make the process undumpable", NULL, NULL, NULL);
    if (p->hostname && syscall(SYS_sethostname, p->hostname, strlen(p->hostname)) != 0)
        ctr__c_die(l, CTR_STEP_HOSTNAME, errno, p->hostname, "set hostname ", p->hostname, NULL,
                   NULL);
    if (l->net_lo && ctr__lo_up() != 0)
        ctr__c_die(l, CTR_STEP_NETWORK, errno, "lo", "bring up the loopback interface", NULL, NULL,
                   NULL);
    if (p->nsysctls || p->set_oom) ctr__c_sysctls(l);
    syscall(SYS_umask, 022);
    if (!p->join) ctr__c_setup_root(l); /* else the shim joined the container's mount ns */
    if (p->tty) ctr__c_tty(l);
    landlock = ctr__c_landlock_prepare(l); /* paths resolved in the new root, cwd still "/" */
    ctr__c_cwd(l);
    if (l->net_sock >= 0) ctr__c_net_wait(l); /* the network, made meanwhile */
    ctr__c_rlimits(l);
    ctr__c_caps_bounding(l);
    /* Without no_new_privs, installing a filter or Landlock rules needs CAP_SYS_ADMIN, which goes
       next. */
    if (!p->nnp) {
        ctr__c_landlock_restrict(l, landlock);
        ctr__c_nonet(l);
        ctr__c_seccomp(l);
    }
    ctr__c_identity(l);
    ctr__c_caps_final(l);
    ctr__c_die_with_host(l, SIGKILL);
    if (p->nnp) ctr__c_landlock_restrict(l, landlock);
    if (l->hostfd >= 0) ctr__r_close(l->hostfd);
    if (l->nfds) ctr__c_place_fds(l, parked);
    if (p->set_umask) syscall(SYS_umask, p->umask);
    if (p->wait_start) {
        ctr__c_wait_start(&own);
    } else if (!p->init) { /* the setup is done (an exec failure would follow it): ctr__verdict */
        ctr_error done;
        long w;
        memset(&done, 0, sizeof(done));
        do w = ctr__r_write(l->errfd, &done, sizeof(done));
        while (w < 0 && errno == EINTR);
    }
    if (p->nnp) ctr__c_nonet(l);
    if (p->nnp) ctr__c_seccomp(l);
    if (p->init) ctr__c_init(l);
    if (p->notify_bpf) { /* the interception filter last (notify.c) */
        ctr__c_listen_pid(l);
        ctr__c_notify(&own);
    }
    ctr__c_exec(l);
}
