/* notify.c - system calls decided by the host (seccomp user notification, manual section 16).

   The plan: spec.intercept becomes a second seccomp filter (security.c builds it) whose verdict
   for the listed syscalls is SECCOMP_RET_USER_NOTIF, stacked on the plan's own filter.  The
   child installs it last, after the plan's filter, with SECCOMP_FILTER_FLAG_NEW_LISTENER, and
   passes the listener to the host over the launch's socket before it execs the command; the
   listener is close-on-exec and never reaches the command.

   From the moment the filter is in place, every call of the child goes through it, the child's
   own last ones too (passing the listener, the exec, reporting an exec failure, exiting), and
   nobody serves the listener yet: the host is still in ctr_spawn, which waits for the exec.  So
   these calls carry plan.notify_cookie, 64 random bits, in argument bits the kernel ignores (the
   upper half of an int argument, pwritev2's high offset word), and the filter lets them through;
   where the plain call has no such bits (execve, write) and is intercepted, the child makes
   another one that has (execveat, pwritev2).  A container that could read its own filter
   (PTRACE_SECCOMP_GET_FILTER needs CAP_SYS_ADMIN in the host's user namespace) could use the
   cookie to make sendmsg, execveat, pwritev2 and exit_group unseen.

   The host: the listener's calls are served on a thread of the library's, one per container,
   or, with intercept_manual, by ctr_notify_handle on the caller's thread.  Each call is received
   (SECCOMP_IOCTL_NOTIF_RECV), handed to the callback, and answered once; every read of the
   caller's memory is followed by SECCOMP_IOCTL_NOTIF_ID_VALID, so that a thread id reused by
   another process after the caller died never passes for the caller. */
#include "internal.h"

#define CTR__SECCOMP_SET_MODE_FILTER                1u
#define CTR__SECCOMP_GET_NOTIF_SIZES                3u
#define CTR__SECCOMP_FILTER_FLAG_NEW_LISTENER       (1ul << 3)
#define CTR__SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1ul << 5)
#define CTR__SECCOMP_USER_NOTIF_FLAG_CONTINUE       1u
#define CTR__SECCOMP_ADDFD_FLAG_SEND                (1u << 1)
#define CTR__SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP     1ull

/* struct seccomp_notif, seccomp_notif_resp and seccomp_notif_addfd of <linux/seccomp.h> */
typedef struct ctr__notif {
    uint64_t id;
    uint32_t pid;
    uint32_t flags;
    int32_t nr;
    uint32_t arch;
    uint64_t ip;
    uint64_t args[6];
} ctr__notif;

typedef struct ctr__notif_resp {
    uint64_t id;
    int64_t val;
    int32_t error;
    uint32_t flags;
} ctr__notif_resp;

typedef struct ctr__notif_addfd {
    uint64_t id;
    uint32_t flags;
    uint32_t srcfd;
    uint32_t newfd;
    uint32_t newfd_flags;
} ctr__notif_addfd;

#define CTR__NOTIF_RECV      _IOWR('!', 0, ctr__notif)
#define CTR__NOTIF_SEND      _IOWR('!', 1, ctr__notif_resp)
#define CTR__NOTIF_ID_VALID  _IOW('!', 2, uint64_t)
#define CTR__NOTIF_ADDFD     _IOW('!', 3, ctr__notif_addfd)
#define CTR__NOTIF_SET_FLAGS _IOW('!', 4, uint64_t)
/* The buffers the kernel's structs go in, which may grow in later kernels (the kernel fills
   or reads its own size, SECCOMP_GET_NOTIF_SIZES). */
#define CTR__NOTIF_BUF 256

/* ---- the plan ---- */

static int ctr__plan_notify(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t i;
    if (s->nintercept == 0) return 0;
    if (!s->intercept)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "intercept",
                         "nintercept is %zu but intercept is NULL", s->nintercept);
    if (!s->on_syscall)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "on_syscall",
                         "intercept is set but on_syscall is NULL: give the callback that "
                         "answers the calls");
    if (s->nintercept > CTR__NOTIFY_MAX)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "intercept",
                         "nintercept is %zu: at most %d syscalls can be intercepted", s->nintercept,
                         CTR__NOTIFY_MAX);
    for (i = 0; i < s->nintercept; i++)
        if (s->intercept[i] < 0 || s->intercept[i] > 4095)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "intercept",
                             "intercept[%zu]: no syscall number %ld", i, s->intercept[i]);
    if (s->wait_start)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "intercept",
                         "intercept cannot be combined with wait_start (the interception "
                         "listener is made right before the exec, after ctr_start)");
    /* The filter is installed right before the exec, after the capabilities are dropped: that
       needs no_new_privs (installing one early instead would send the child's own setup calls
       to a host that does not serve them yet). */
    if (!p->nnp)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "intercept",
                         "intercept needs no_new_privs: it cannot be combined with "
                         "allow_new_privs");
    if (syscall(SYS_getrandom, &p->notify_cookie, sizeof(p->notify_cookie), 0) !=
        CTR__CAST(long, sizeof(p->notify_cookie)))
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "getrandom");
    p->notify_bpf =
        CTR__CAST(ctr__bpf *, ctr__alloc(p, CTR__BPF_NOTIFY_LEN(s->nintercept) * sizeof(ctr__bpf)));
    if (!p->notify_bpf)
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the interception filter");
    p->notify_bpf_len =
        ctr__bpf_notify(p->notify_bpf, s->intercept, s->nintercept, p->notify_cookie);
    CONTAINER_ASSERT(p->notify_bpf_len <= CTR__BPF_NOTIFY_LEN(s->nintercept));
    for (i = 0; i < s->nintercept; i++) {
        if (s->intercept[i] == SYS_execve) p->notify_alt |= CTR__NOTIFY_EXECVEAT;
        if (s->intercept[i] == SYS_write) p->notify_alt |= CTR__NOTIFY_PWRITEV2;
    }
    p->on_syscall = s->on_syscall;
    p->on_syscall_user = s->on_syscall_user;
    p->intercept_manual = s->intercept_manual ? 1 : 0;
    return 0;
}

/* ---- the child (the rules of child.c: raw system calls only) ---- */

/* Installs the interception filter and sends its listener to the host.  The signals are
   unblocked first (ctr__c_exec does not do it again): an intercepted rt_sigprocmask would wait
   for the host.  The listener is not closed here (an intercepted close would wait too): it is
   close-on-exec, and the exec or the exit closes it. */
static void ctr__c_notify(ctr__launch *l) {
    const ctr__plan *p = l->plan;
    union {
        struct cmsghdr align;
        char buf[CTR__FDMSG_SPACE(1)];
    } cm;
    struct {
        unsigned short len;
        const ctr__bpf *filter;
    } prog;
    struct msghdr msg;
    struct iovec iov;
    uint64_t none = 0, hi = p->notify_cookie >> 32, lo = p->notify_cookie & 0xffffffffu;
    char tag = 'n';
    long fd;
    int ifd;
    if (!p->notify_bpf) return;
    ctr__r_sigmask(SIG_SETMASK, &none, NULL);
    prog.len = CTR__CAST(unsigned short, p->notify_bpf_len);
    prog.filter = p->notify_bpf;
    fd = syscall(
        SYS_seccomp, CTR__SECCOMP_SET_MODE_FILTER,
        CTR__SECCOMP_FILTER_FLAG_NEW_LISTENER | CTR__SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
    if (fd < 0 && errno == EINVAL) /* before Linux 5.19: without WAIT_KILLABLE_RECV */
        fd = syscall(SYS_seccomp, CTR__SECCOMP_SET_MODE_FILTER,
                     CTR__SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (fd < 0)
        ctr__c_die(l, CTR_STEP_SECCOMP, errno, "", "install the interception filter",
                   errno == EPERM || errno == EACCES
                       ? " (the seccomp filter must allow seccomp(), sendmsg and the exec)"
                       : NULL,
                   NULL, NULL);
    l->notify_armed = 1; /* from here on: the cookie (ctr__c_die, ctr__c_exec) */
    ifd = CTR__CAST(int, fd);
    ctr__fdmsg(&msg, &iov, &tag, cm.buf, 1, &ifd);
    if (syscall(SYS_sendmsg, CTR__CAST(uint64_t, CTR__CAST(uint32_t, l->xferfd)) | (hi << 32), &msg,
                CTR__CAST(uint64_t, MSG_NOSIGNAL) | (lo << 32)) != 1)
        ctr__c_die(l, CTR_STEP_SECCOMP, errno, "", "pass the interception listener to the host",
                   NULL, NULL, NULL);
}

/* ---- the host: the calls ---- */

struct ctr__notifier {
    int fd;      /* the listener */
    int wake[2]; /* a byte in wake[1] stops a polling thread; -1 for a blocking one */
    ctr_syscall_fn fn;
    void *user;
    int threaded;
    int blocking; /* the thread waits in SECCOMP_IOCTL_NOTIF_RECV itself (Linux 6.6) */
    pthread_t thread;
    pid_t owner;          /* the process the thread runs in (not a child forked from it) */
    int stop, done, refs; /* atomics: no lock that a fork() could leave taken */
};

/* The kernel's sizes of struct seccomp_notif and seccomp_notif_resp, read once. */
static int ctr__notif_sizes_ok(void) {
    static int cached; /* 0: not read, 1: they fit our buffers, 2: they do not */
    struct {
        uint16_t notif, resp, data;
    } sz;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v) return v == 1;
    v = 1;
    if (syscall(SYS_seccomp, CTR__SECCOMP_GET_NOTIF_SIZES, 0, &sz) == 0 &&
        (sz.notif > CTR__NOTIF_BUF || sz.resp > CTR__NOTIF_BUF))
        v = 2;
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    return v == 1;
}

/* Sends the answer; 0, or -1 with errno.  The call counts as answered once the kernel took the
   answer or the call is gone. */
static int ctr__notify_send(ctr_syscall *call, int64_t val, int error, uint32_t flags) {
    union {
        ctr__notif_resp r;
        unsigned char raw[CTR__NOTIF_BUF];
    } resp;
    int r;
    if (call->ctr__replied) {
        errno = EALREADY;
        return -1;
    }
    memset(&resp, 0, sizeof(resp));
    resp.r.id = call->ctr__id;
    resp.r.val = val;
    resp.r.error = -error;
    resp.r.flags = flags;
    do r = ioctl(call->ctr__fd, CTR__NOTIF_SEND, &resp);
    while (r != 0 && errno == EINTR);
    if (r == 0 || errno == ENOENT) call->ctr__replied = 1;
    return r == 0 ? 0 : -1;
}

/* 0 while the call is still waiting for its answer, -1 with ENOENT once it is gone. */
static int ctr__notify_valid(const ctr_syscall *call) {
    uint64_t id = call->ctr__id;
    if (ioctl(call->ctr__fd, CTR__NOTIF_ID_VALID, &id) == 0) return 0;
    if (errno != ENOENT) errno = ENOENT;
    return -1;
}

static int ctr__call_gone(ctr_error *err, const ctr_syscall *call) {
    return ctr__fail(err, CTR_STEP_SECCOMP, ENOENT, "",
                     "intercepted call of thread %d is gone (the thread died or was interrupted)",
                     CTR__CAST(int, call->pid));
}

/* Reads len bytes at addr in the caller (process_vm_readv, or /proc/PID/mem where that call is
   refused): 0, or -1 with errno (EFAULT: not all of it is mapped). */
static int ctr__peek(const ctr_syscall *call, uint64_t addr, void *buf, size_t len, size_t *got) {
    struct iovec local, remote;
    ssize_t r;
    local.iov_base = buf;
    local.iov_len = len;
    remote.iov_base = CTR__U64_TO_PTR(void *, addr);
    remote.iov_len = len;
    r = process_vm_readv(call->pid, &local, 1, &remote, 1, 0);
    if (r < 0 && (errno == ENOSYS || errno == EPERM)) {
        char path[64];
        int fd;
        snprintf(path, sizeof(path), "/proc/%d/mem", CTR__CAST(int, call->pid));
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) return -1;
        r = pread(fd, buf, len, CTR__CAST(off_t, addr));
        ctr__close(&fd);
        if (r < 0 && errno == EIO) errno = EFAULT;
    }
    if (r < 0) return -1;
    *got = CTR__CAST(size_t, r);
    return 0;
}

CONTAINER_API int ctr_syscall_read(ctr_syscall *call, uint64_t addr, void *buf, size_t len,
                                   ctr_error *err) {
    size_t got = 0;
    int old, rc = 0;
    ctr__clear_error(err);
    if (!call || (!buf && len))
        return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "", "call or buf is NULL");
    old = ctr__nocancel_begin();
    if (len && ctr__peek(call, addr, buf, len, &got) != 0)
        rc = ctr__fail(err, CTR_STEP_SECCOMP, errno, "", "read %zu bytes at 0x%llx in thread %d",
                       len, CTR__CAST(unsigned long long, addr), CTR__CAST(int, call->pid));
    else if (got != len)
        rc = ctr__fail(err, CTR_STEP_SECCOMP, EFAULT, "",
                       "read %zu bytes at 0x%llx in thread %d: only %zu are mapped", len,
                       CTR__CAST(unsigned long long, addr), CTR__CAST(int, call->pid), got);
    /* Checked last, and whatever the read gave: a thread id reused by another process would
       have given that process's memory. */
    if (ctr__notify_valid(call) != 0) rc = ctr__call_gone(err, call);
    ctr__nocancel_end(old);
    return rc;
}

CONTAINER_API int ctr_syscall_read_path(ctr_syscall *call, int arg, char *buf, size_t size,
                                        ctr_error *err) {
    uint64_t addr;
    size_t len = 0;
    int old, rc = 0;
    ctr__clear_error(err);
    if (!call || !buf || size == 0 || arg < 0 || arg > 5)
        return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "",
                         "ctr_syscall_read_path needs a call, a buffer and an argument 0..5");
    buf[0] = '\0';
    addr = call->args[arg];
    old = ctr__nocancel_begin();
    /* Page by page: the string may end just before an unmapped page. */
    while (rc == 0) {
        size_t want = 4096 - CTR__CAST(size_t, (addr + len) & 4095u), got = 0;
        char *nul;
        if (want > size - len) want = size - len;
        if (want == 0) {
            buf[size - 1] = '\0';
            rc = ctr__fail(err, CTR_STEP_SECCOMP, ENAMETOOLONG, "",
                           "the string in argument %d is longer than %zu bytes", arg, size - 1);
        } else if (addr == 0 || ctr__peek(call, addr + len, buf + len, want, &got) != 0 ||
                   got == 0) {
            buf[len] = '\0';
            rc = ctr__fail(err, CTR_STEP_SECCOMP, addr == 0 || got == 0 ? EFAULT : errno, "",
                           "read the string in argument %d of thread %d", arg,
                           CTR__CAST(int, call->pid));
        } else if ((nul = CTR__CAST(char *, memchr(buf + len, '\0', got))) != NULL) {
            break;
        } else {
            len += got;
        }
    }
    if (ctr__notify_valid(call) != 0) {
        buf[0] = '\0';
        rc = ctr__call_gone(err, call);
    }
    ctr__nocancel_end(old);
    return rc;
}

CONTAINER_API pid_t ctr_syscall_ns_pid(ctr_syscall *call, ctr_error *err) {
    char path[64], buf[4096], *s;
    ssize_t n = -1;
    pid_t pid = -1;
    int fd, old, e = ENOENT;
    ctr__clear_error(err);
    if (!call) {
        ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "", "call is NULL");
        return -1;
    }
    if (call->ctr__ns_pid > 0) return call->ctr__ns_pid;
    old = ctr__nocancel_begin();
    snprintf(path, sizeof(path), "/proc/%d/status", CTR__CAST(int, call->pid));
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
        n = read(fd, buf, sizeof(buf) - 1);
        ctr__close(&fd);
    }
    if (n < 0) e = errno;
    if (n > 0) {
        buf[n] = '\0';
        /* "NSpid:\t<host>\t...\t<innermost>": the last is the container's. */
        if ((s = strstr(buf, "\nNSpid:")) != NULL) {
            char *end = strchr(s + 1, '\n'), *last = NULL;
            if (end) *end = '\0';
            for (s += 7; *s; s++)
                if ((s[0] == '\t' || s[0] == ' ') && s[1] >= '0' && s[1] <= '9') last = s + 1;
            if (last) pid = CTR__CAST(pid_t, atoi(last));
        }
    }
    if (pid <= 0) {
        pid = -1;
        ctr__fail(err, CTR_STEP_SECCOMP, e, path, "read the NSpid of %s", path);
    } else if (ctr__notify_valid(call) != 0) {
        pid = -1;
        ctr__call_gone(err, call);
    } else {
        call->ctr__ns_pid = pid;
    }
    ctr__nocancel_end(old);
    return pid;
}

static int ctr__einval(void) {
    errno = EINVAL;
    return -1;
}

CONTAINER_API int ctr_syscall_continue(ctr_syscall *call) {
    if (!call) return ctr__einval();
    return ctr__notify_send(call, 0, 0, CTR__SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

CONTAINER_API int ctr_syscall_fail(ctr_syscall *call, int error) {
    if (!call || error <= 0 || error > 4095) return ctr__einval();
    return ctr__notify_send(call, 0, error, 0);
}

CONTAINER_API int ctr_syscall_return(ctr_syscall *call, int64_t value) {
    if (!call) return ctr__einval();
    return ctr__notify_send(call, value, 0, 0);
}

/* Whether the descriptor an intercepted call returns should be close-on-exec: as the call asked
   for it. */
static int ctr__wants_cloexec(ctr_syscall *call) {
    uint64_t flags = 0;
    switch (call->nr) {
#ifdef SYS_open
    case SYS_open: return (call->args[1] & O_CLOEXEC) != 0;
#endif
    case SYS_openat:
    case SYS_dup3: return (call->args[2] & O_CLOEXEC) != 0;
    case SYS_openat2: /* struct open_how: flags first */
        return ctr_syscall_read(call, call->args[2], &flags, sizeof(flags), NULL) == 0 &&
               (flags & O_CLOEXEC);
    case SYS_socket: return (call->args[1] & SOCK_CLOEXEC) != 0;
    case SYS_accept4: return (call->args[3] & SOCK_CLOEXEC) != 0;
    case SYS_memfd_create: return (call->args[1] & 1u /* MFD_CLOEXEC */) != 0;
    default: return 0;
    }
}

CONTAINER_API int ctr_syscall_inject_fd(ctr_syscall *call, int fd) {
    ctr__notif_addfd a;
    int r, e;
    if (!call || fd < 0) return ctr__einval();
    if (call->ctr__replied) {
        errno = EALREADY;
        return -1;
    }
    memset(&a, 0, sizeof(a));
    a.id = call->ctr__id;
    a.flags = CTR__SECCOMP_ADDFD_FLAG_SEND; /* install and answer with its number, at once */
    a.srcfd = CTR__CAST(uint32_t, fd);
    a.newfd_flags = ctr__wants_cloexec(call) ? O_CLOEXEC : 0;
    do r = ioctl(call->ctr__fd, CTR__NOTIF_ADDFD, &a);
    while (r < 0 && errno == EINTR);
    if (r < 0 && errno == EINVAL) { /* before Linux 5.14: no ADDFD_FLAG_SEND */
        a.flags = 0;
        do r = ioctl(call->ctr__fd, CTR__NOTIF_ADDFD, &a);
        while (r < 0 && errno == EINTR);
        if (r >= 0) return ctr__notify_send(call, r, 0, 0);
    }
    if (r >= 0) {
        call->ctr__replied = 1;
        return 0;
    }
    e = errno;
    if (e == ENOENT) call->ctr__replied = 1;
    errno = e;
    return -1;
}

/* Receives one call (waiting for one if none waits) and serves it: 1, 0 if the call went away
   (or, in the blocking mode, the container is gone), -1 with errno.  After ctr__notify_stop no
   callback starts: the call fails with EPERM. */
static int ctr__notify_serve(ctr__notifier *n) {
    union {
        ctr__notif m;
        unsigned char raw[CTR__NOTIF_BUF];
    } buf;
    ctr_syscall call;
    int i;
    memset(&buf, 0, sizeof(buf)); /* the kernel wants it zeroed */
    if (ioctl(n->fd, CTR__NOTIF_RECV, &buf) != 0) return errno == ENOENT || errno == EINTR ? 0 : -1;
    memset(&call, 0, sizeof(call));
    call.nr = buf.m.nr;
    call.arch = buf.m.arch;
    call.ip = buf.m.ip;
    for (i = 0; i < 6; i++) call.args[i] = buf.m.args[i];
    call.pid = CTR__CAST(pid_t, buf.m.pid);
    call.ctr__id = buf.m.id;
    call.ctr__fd = n->fd;
    if (!__atomic_load_n(&n->stop, __ATOMIC_SEQ_CST)) (void)n->fn(&call, n->user);
    if (!call.ctr__replied) (void)ctr__notify_send(&call, 0, EPERM, 0);
    return 1;
}

static void ctr__notify_unref(ctr__notifier *n) {
    if (__atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL) != 0) return;
    ctr__close(&n->fd);
    ctr__close(&n->wake[0]);
    ctr__close(&n->wake[1]);
    CONTAINER_FREE(n);
}

/* For tests only (tests/test_policy.c): nonzero makes the thread poll, as it does before Linux
   6.6, where the kernel would let it wait in the receive itself. */
static int ctr__notify_test_poll;

/* The serving thread: until ctr__notify_stop, or the container's last process is gone.  Where
   the kernel has the synchronous wake-up (Linux 6.6) it waits in SECCOMP_IOCTL_NOTIF_RECV, which
   since that version also returns when the filter has no process left: the container's death
   (ctr_destroy kills it) ends the thread, and a call costs no poll().  Before, the receive waits
   on a semaphore that nothing but a call ends, so the thread polls the listener and a pipe
   ctr__notify_stop writes to. */
static void *ctr__notify_main(void *arg) {
    ctr__notifier *n = CTR__CAST(ctr__notifier *, arg);
    for (;;) {
        struct pollfd pfd[2];
        int r;
        if (!n->blocking) {
            pfd[0].fd = n->fd;
            pfd[1].fd = n->wake[0];
            pfd[0].events = pfd[1].events = POLLIN;
            pfd[0].revents = pfd[1].revents = 0;
            if (poll(pfd, 2, -1) < 0) {
                if (errno == EINTR) continue;
                break;
            }
            if (pfd[1].revents || __atomic_load_n(&n->stop, __ATOMIC_SEQ_CST)) break;
            if (!(pfd[0].revents & POLLIN)) break; /* POLLHUP: no process of the container left */
        }
        r = ctr__notify_serve(n);
        if (r < 0 && errno != EINTR) break;
        if (r == 0 && n->blocking) { /* the call went away, or the container did */
            pfd[0].fd = n->fd;
            pfd[0].events = POLLIN;
            pfd[0].revents = 0;
            if (poll(pfd, 1, 0) > 0 && !(pfd[0].revents & POLLIN)) break;
        }
        if (__atomic_load_n(&n->stop, __ATOMIC_SEQ_CST)) break;
    }
    __atomic_store_n(&n->done, 1, __ATOMIC_SEQ_CST);
    ctr__notify_unref(n);
    return NULL;
}

static int ctr__notify_start(ctr__notifier **out, const ctr__plan *p, int fd, ctr_error *err) {
    ctr__notifier *n;
    uint64_t sync = CTR__SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
    sigset_t all, old;
    int r;
    *out = NULL;
    if (!ctr__notif_sizes_ok()) {
        ctr__close(&fd);
        return ctr__fail(err, CTR_STEP_SECCOMP, ENOTSUP, "",
                         "this kernel's seccomp notifications are larger than container.h knows");
    }
    if (!(n = CTR__CAST(ctr__notifier *, CONTAINER_MALLOC(sizeof(*n))))) {
        ctr__close(&fd);
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the interception state");
    }
    memset(n, 0, sizeof(*n));
    n->fd = fd;
    n->wake[0] = n->wake[1] = -1;
    n->fn = p->on_syscall;
    n->user = p->on_syscall_user;
    n->refs = 1;
    n->owner = getpid();
    /* Linux 6.6: the host is woken on the caller's CPU and the caller on the host's, as for a
       synchronous call (the ioctl fails harmlessly before). */
    n->blocking = ioctl(fd, CTR__NOTIF_SET_FLAGS, sync) == 0 && !ctr__notify_test_poll;
    if (p->intercept_manual) {
        *out = n;
        return 0;
    }
    if (!n->blocking && ctr__pipe(n->wake) != 0) {
        ctr__notify_unref(n);
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a pipe");
    }
    /* The thread starts with every signal blocked: no handler of the host's runs on it. */
    n->refs = 2;
    n->threaded = 1;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    r = pthread_create(&n->thread, NULL, ctr__notify_main, n);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r != 0) {
        n->refs = 1;
        ctr__notify_unref(n);
        return ctr__fail(err, CTR_STEP_RESOURCE, r, "",
                         "start the thread that serves the intercepted calls");
    }
    *out = n;
    return 0;
}

/* In a process forked from the host, the handle's copy has no thread, and the wake pipe is the
   host's: nothing is stopped or joined there. */
static void ctr__notify_stop(ctr__notifier *n) {
    char byte = 's';
    if (!n || getpid() != n->owner || __atomic_exchange_n(&n->stop, 1, __ATOMIC_SEQ_CST)) return;
    if (n->wake[1] >= 0 && write(n->wake[1], &byte, 1) < 0) {
        /* the pipe is new and holds 64 KiB: cannot be full */
    }
}

/* After ctr__notify_stop and the container's death (ctr_destroy): the thread ends at once
   unless it is in a callback; it is joined if it has ended within 50 ms (most callbacks have
   answered by then and are on their way out), else left to end once its callback returns (it
   frees the state then).  A blocking thread also waits on while processes of the container live
   on (a shared pid namespace without a cgroup), failing their calls with EPERM. */
static void ctr__notify_free(ctr__notifier *n) {
    int i;
    if (!n) return;
    ctr__notify_stop(n);
    if (n->threaded && getpid() == n->owner) {
        for (i = 0; i < 50 && !__atomic_load_n(&n->done, __ATOMIC_SEQ_CST); i++) ctr__sleep_ms(1);
        if (__atomic_load_n(&n->done, __ATOMIC_SEQ_CST))
            pthread_join(n->thread, NULL);
        else
            pthread_detach(n->thread);
    }
    ctr__notify_unref(n);
}

static int ctr__notify_fd(const ctr__notifier *n) { return n && !n->threaded ? n->fd : -1; }

/* Serves the calls waiting now (at most 256: the descriptor stays readable if more wait). */
static int ctr__notify_handle(ctr__notifier *n, ctr_error *err) {
    int count = 0, r;
    if (!n || n->threaded)
        return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "",
                         "ctr_notify_handle needs a container spawned with intercept_manual");
    while (count < 256) {
        struct pollfd pfd;
        pfd.fd = n->fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        r = poll(&pfd, 1, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return ctr__fail(err, CTR_STEP_SECCOMP, errno, "", "poll the listener");
        if (r == 0 || !(pfd.revents & POLLIN)) break;
        if ((r = ctr__notify_serve(n)) < 0)
            return ctr__fail(err, CTR_STEP_SECCOMP, errno, "", "receive an intercepted call");
        count += r;
    }
    return count;
}
