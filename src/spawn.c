/* spawn.c - ctr_spawn and the handle: the plan is built, the cgroup made, the launch's descriptors
   opened, the child cloned and its verdict read; then wait, poll, kill, stats and destroy. */
#include "internal.h"

struct ctr_container {
    pid_t pid;
    int pidfd;    /* -1 when the kernel has no pidfds */
    int statusfd; /* init: read end of the status pipe, else -1 */
    int stdio[3]; /* host ends of CTR_STDIO_PIPE streams */
    int reaped;
    ctr_result result;
    int64_t start_ns;
    int64_t deadline_ns; /* 0: no timeout */
    ctr__cgroup cg;
    ctr_netns_pool *netns_pool; /* the pool lending this container its network namespace */
    int netns_slot;
    ctr__layers layers; /* a persistent upper's lock and work directory (layers.c) */
    int nonet;          /* holds a reference to no_network's shared namespace (netns.c) */
    int cancel_state;   /* the caller's, while in ctr_wait (see ctr__wait_pidfd) */
};

/* What ctr_spawn opens for one spawn: all close-on-exec and above 2; the child dup2s what it
   needs. */
typedef struct ctr__fds {
    int err[2], status[2], xfer[2], devnull, host;
    int stdio[3]; /* host ends of CTR_STDIO_PIPE streams, received from the child */
    int cg_procs[CTR__CG_MAX_DIRS];
} ctr__fds;

static void ctr__fds_init(ctr__fds *f) {
    int i;
    f->err[0] = f->err[1] = f->status[0] = f->status[1] = f->xfer[0] = f->xfer[1] = f->devnull =
        f->host = -1;
    for (i = 0; i < 3; i++) f->stdio[i] = -1;
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) f->cg_procs[i] = -1;
}

static void ctr__fds_close_all(ctr__fds *f) {
    int i;
    ctr__close(&f->err[0]);
    ctr__close(&f->err[1]);
    ctr__close(&f->status[0]);
    ctr__close(&f->status[1]);
    ctr__close(&f->xfer[0]);
    ctr__close(&f->xfer[1]);
    ctr__close(&f->devnull);
    ctr__close(&f->host);
    for (i = 0; i < 3; i++) ctr__close(&f->stdio[i]);
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) ctr__close(&f->cg_procs[i]);
}

/* The pipes and the stdio sources of the launch.  The read ends are non-blocking: the verdict
   is read once it is there (ctr__verdict), never by waiting for EOF, which any process forked by
   another thread of the host in the meantime would hold back. */
static int ctr__open_fds(const ctr__plan *p, ctr__launch *l, ctr__fds *f, ctr_error *err) {
    int i;
    if (ctr__pipe(f->err) != 0 || (p->init && ctr__pipe(f->status) != 0) ||
        fcntl(f->err[0], F_SETFL, O_NONBLOCK) != 0 ||
        (p->init && fcntl(f->status[0], F_SETFL, O_NONBLOCK) != 0))
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a pipe");
    l->errfd = f->err[1];
    l->statusfd = f->status[1];
    for (i = 0; i < 3; i++) {
        switch (p->stdio[i]) {
        case CTR_STDIO_INHERIT: break;
        case CTR_STDIO_NULL:
            if (f->devnull < 0 && ((f->devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
                                   ctr__lift(&f->devnull) != 0))
                return ctr__fail(err, CTR_STEP_STDIO, errno, "/dev/null", "open /dev/null");
            l->stdio_src[i] = f->devnull;
            break;
        case CTR_STDIO_FD: l->stdio_src[i] = p->stdio_fd[i]; break;
        case CTR_STDIO_PIPE: /* made by the child (ctr__c_stdio_pipes) */
            if (f->xfer[0] < 0 &&
                (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, f->xfer) !=
                     0 ||
                 ctr__lift(&f->xfer[0]) != 0 || ctr__lift(&f->xfer[1]) != 0))
                return ctr__fail(err, CTR_STEP_RESOURCE, errno, "",
                                 "create a socket for the stdio pipes");
            l->xferfd = f->xfer[1];
            break;
        }
    }
    /* The child checks that the host still lives when it sets its parent-death signal. */
    if (p->die_with_host) {
        f->host = ctr__sys_int(syscall(SYS_pidfd_open, getpid(), 0));
        if (f->host >= 0 && (fcntl(f->host, F_SETFD, FD_CLOEXEC) != 0 || ctr__lift(&f->host) != 0))
            ctr__close(&f->host);
        l->hostfd = f->host; /* -1 before Linux 5.3: only the signal then */
    }
    return 0;
}

/* Blocks until the container's pid 1 exits (pidfd readable) or timeout_ms (-1: none) passes.
   Cancellation is disabled in every library call; here, only while blocked, it is put back as
   the caller had it (ctr_wait is a cancellation point, like waitpid): a thread cancelled here
   leaves the handle as it was. */
static int ctr__wait_pidfd(ctr_container *c, int timeout_ms) {
    struct pollfd pfd;
    int r, e, ignored;
    pfd.fd = c->pidfd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    pthread_setcancelstate(c->cancel_state, &ignored);
    r = poll(&pfd, 1, timeout_ms);
    e = errno;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &ignored);
    errno = e;
    return r;
}

/* Waits for the process; blocking unless nohang.  1: reaped (c->result set), 0: still running. */
static int ctr__reap(ctr_container *c, int nohang, ctr_error *err) {
    siginfo_t si;
    struct rusage ru;
    long r;
    if (c->reaped) return 1;
    memset(&si, 0, sizeof(si));
    memset(&ru, 0, sizeof(ru));
    if (!nohang && c->pidfd >= 0)
        while (ctr__wait_pidfd(c, -1) < 0 && errno == EINTR) {}
    do {
        /* The raw waitid takes a rusage: pid 1's, including the descendants it reaped. */
        if (c->pidfd >= 0)
            r = syscall(SYS_waitid, P_PIDFD, c->pidfd, &si,
                        WEXITED | __WALL | (nohang ? WNOHANG : 0), &ru);
        else
            r = syscall(SYS_waitid, P_PID, c->pid, &si, WEXITED | __WALL | (nohang ? WNOHANG : 0),
                        &ru);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return ctr__fail(err, CTR_STEP_WAIT, errno, "", "wait for container process %d%s",
                         CTR__CAST(int, c->pid),
                         errno == ECHILD ? " (did the host reap it with waitpid(-1)?)" : "");
    if (si.si_pid == 0) return 0;
    c->reaped = 1;
    if (c->netns_pool) { /* pid 1 of its own pid namespace is gone, and with it every process */
        ctr__netns_release(c->netns_pool, c->netns_slot);
        c->netns_pool = NULL;
    }
    c->result.wall_ns = ctr__now_ns() - c->start_ns;
    c->result.exited = si.si_code == CLD_EXITED;
    c->result.signaled = !c->result.exited;
    c->result.exit_code = c->result.exited ? si.si_status : 0;
    c->result.term_signal = c->result.exited ? 0 : si.si_status;
    c->result.cpu_user_ns =
        CTR__CAST(int64_t, ru.ru_utime.tv_sec) * 1000000000 + ru.ru_utime.tv_usec * 1000;
    c->result.cpu_system_ns =
        CTR__CAST(int64_t, ru.ru_stime.tv_sec) * 1000000000 + ru.ru_stime.tv_usec * 1000;
    c->result.memory_peak = CTR__CAST(uint64_t, ru.ru_maxrss) * 1024u;
    if (c->cg.be)
        c->cg.be->result(&c->cg, &c->result); /* the cgroup's figures cover every process */
    if (c->statusfd >= 0) {
        /* With init, pid 1 reports the command's own status (it has exited: what it wrote is
           there, and the read end does not block). */
        ctr__status_msg m;
        if (read(c->statusfd, &m, sizeof(m)) == CTR__CAST(ssize_t, sizeof(m)) &&
            m.kind == CTR__MSG_EXIT) {
            int st = m.status;
            c->result.exited = WIFEXITED(st);
            c->result.signaled = WIFSIGNALED(st);
            c->result.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
            c->result.term_signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
        }
        ctr__close(&c->statusfd);
    }
    return 1;
}

static int ctr__signal(ctr_container *c, int sig) {
    if (sig == SIGKILL && c->cg.be) c->cg.be->kill(&c->cg); /* every process, not just pid 1 */
    if (c->pidfd >= 0)
        return CTR__CAST(int, syscall(SYS_pidfd_send_signal, c->pidfd, sig, NULL, 0));
    return kill(c->pid, sig);
}

static void ctr__container_free(ctr_container *c) {
    int i;
    if (c->netns_pool) ctr__netns_release(c->netns_pool, c->netns_slot); /* never started */
    ctr__cg_destroy(&c->cg);
    ctr__layers_release(&c->layers);
    if (c->nonet) ctr__netns_shared_put();
    ctr__close(&c->pidfd);
    ctr__close(&c->statusfd);
    for (i = 0; i < 3; i++) ctr__close(&c->stdio[i]);
    CONTAINER_FREE(c);
}

/* The child's verdict: 1 started, 0 failed (*report filled).
   Without init the clone returned once the child had exec'd or exited, so whatever it wrote is
   in the error pipe: a record with step NONE when the setup was done, then one with the reason
   if the exec failed; no record at all means the child died during the setup (killed).
   With init, whichever comes first: a report of the setup (error pipe), init's STARTED or the
   command's ERROR (status pipe), or the child's exit. */
static int ctr__verdict(ctr_container *c, int init, int errfd, int statusfd, ctr_error *report) {
    int dead = 0, setup_done = 0;
    if (!init) {
        while (read(errfd, report, sizeof(*report)) == CTR__CAST(ssize_t, sizeof(*report))) {
            if (report->step != CTR_STEP_NONE) return 0;
            setup_done = 1;
        }
        if (setup_done) return 1;
        ctr__fail(report, CTR_STEP_CLONE, ECHILD, "",
                  "the container process died during its setup");
        return 0;
    }
    for (;;) {
        struct pollfd pfd[3];
        ctr__status_msg m;
        int n = 2;
        if (read(errfd, report, sizeof(*report)) == CTR__CAST(ssize_t, sizeof(*report))) return 0;
        if (read(statusfd, &m, sizeof(m)) == CTR__CAST(ssize_t, sizeof(m))) {
            if (m.kind == CTR__MSG_STARTED) return 1;
            *report = m.err;
            return 0;
        }
        if (dead) {
            ctr__fail(report, CTR_STEP_INIT, ECHILD, "",
                      "the container's init died during its setup");
            return 0;
        }
        pfd[0].fd = errfd;
        pfd[1].fd = statusfd;
        pfd[2].fd = c->pidfd;
        pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
        pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
        if (c->pidfd >= 0) n = 3;
        if (poll(pfd, CTR__CAST(nfds_t, n), -1) < 0 && errno != EINTR) {
            ctr__fail(report, CTR_STEP_INIT, errno, "", "wait for the container's init");
            return 0;
        }
        /* Gone: one more look at both pipes (the order of the wake-ups is not the order of the
           events), then it died without a word. */
        dead =
            n == 3 ? pfd[2].revents != 0 : (pfd[0].revents & POLLHUP) && (pfd[1].revents & POLLHUP);
    }
}

/* The host ends of the stdio pipes the child made: 0, or -1 with errno. */
static int ctr__recv_stdio(const ctr__plan *p, ctr__fds *f) {
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(3 * sizeof(int))];
    } cm;
    struct msghdr msg;
    struct cmsghdr *c;
    struct iovec iov;
    int fds[3], n = 0, want = 0, i, k = 0;
    char byte;
    ssize_t r;
    for (i = 0; i < 3; i++) want += p->stdio[i] == CTR_STDIO_PIPE;
    memset(&msg, 0, sizeof(msg));
    iov.iov_base = &byte;
    iov.iov_len = 1;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cm.buf;
    msg.msg_controllen = sizeof(cm.buf);
    do r = recvmsg(f->xfer[0], &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    while (r < 0 && errno == EINTR);
    if (r != 1) {
        if (r >= 0) errno = EPIPE;
        return -1;
    }
    for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            n = CTR__CAST(int, (c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            if (n > 3) n = 3;
            memcpy(fds, CMSG_DATA(c), CTR__CAST(size_t, n) * sizeof(int));
        }
    for (i = 0; i < 3; i++)
        if (p->stdio[i] == CTR_STDIO_PIPE && k < n) f->stdio[i] = fds[k++];
    for (i = 0; i < 3; i++)
        if (ctr__lift(&f->stdio[i]) != 0) return -1;
    if (n != want || (msg.msg_flags & MSG_CTRUNC)) {
        errno = EPROTO;
        return -1;
    }
    return 0;
}

static void ctr__child_entry(void *launch) { ctr__child_main(launch); }

/* Clones the child and reads its verdict.  On failure the child is killed and reaped. */
static int ctr__start(ctr_container *c, const ctr__plan *p, ctr__launch *l, ctr__fds *f,
                      ctr_error *err) {
    uint64_t all = ~CTR__CAST(uint64_t, 0), old = 0;
    ctr__clone_args a;
    ctr_error report;
    unsigned how;
    long r;
    int i, into = c->cg.be ? c->cg.be->clone_into(&c->cg) : -1;
    memset(&a, 0, sizeof(a));
    a.flags = l->clone_flags | CLONE_PIDFD;
    a.pidfd = CTR__PTR_TO_U64(&c->pidfd);
    if (into >= 0) {
        a.flags |= CLONE_INTO_CGROUP;
        a.cgroup = CTR__CAST(uint64_t, into);
    } else if (c->cg.be && c->cg.be->procs_fds(&c->cg, f->cg_procs, CTR__CG_MAX_DIRS, err) < 0) {
        return -1;
    }
    /* The vfork-style clone shares the host's memory until execve; the fork-style one is kept
       for: an init (pid 1 lives on beside the host, so needs memory of its own), a time
       namespace (the kernel lets a process enter one only when it shares its memory with no
       other), cgroup v1 (a rare soft lockup on Linux 6.1 with it, see clone.c), and a rootless
       child of a host that is not dumpable (it makes itself dumpable to write its uid map: the
       host's memory would be readable for that while). */
    how = p->init ? 0u : CTR__CLONE_WAIT;
    if (!p->init && !p->timens && !(c->cg.be && !c->cg.be->vm_clone) &&
        !(p->userns && ctr__host_dumpable() != 1))
        how |= CTR__CLONE_VM;
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) l->cg_procs[i] = f->cg_procs[i];
    c->start_ns = ctr__now_ns();
    ctr__r_sigmask(SIG_SETMASK, &all, &old); /* no host handler may run in the child */
    r = ctr__clone(&a, how, ctr__child_entry, l);
    if (r < 0 && errno == ENOSYS && (a.flags & CLONE_INTO_CGROUP)) {
        /* No clone3: the child moves itself into its cgroup. */
        a.flags &= ~CTR__CAST(uint64_t, CLONE_INTO_CGROUP);
        if (c->cg.be->procs_fds(&c->cg, f->cg_procs, CTR__CG_MAX_DIRS, err) < 0) {
            ctr__r_sigmask(SIG_SETMASK, &old, NULL);
            return -1;
        }
        for (i = 0; i < CTR__CG_MAX_DIRS; i++) l->cg_procs[i] = f->cg_procs[i];
        r = ctr__clone(&a, how, ctr__child_entry, l);
    }
    ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    if (r < 0) {
        ctr__fail(err, CTR_STEP_CLONE, errno, "",
                  "create the container process (clone3 with flags 0x%llx)",
                  CTR__CAST(unsigned long long, a.flags));
        if (err) ctr__userns_explain(p, err);
        return -1;
    }
    c->pid = CTR__CAST(pid_t, r);
    /* Close our copies of the child's ends. */
    ctr__close(&f->err[1]);
    ctr__close(&f->status[1]);
    ctr__close(&f->devnull);
    ctr__close(&f->host);
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) ctr__close(&f->cg_procs[i]);
    ctr__close(&f->xfer[1]);
    memset(&report, 0, sizeof(report));
    if (ctr__verdict(c, p->init, f->err[0], f->status[0], &report)) {
        if (f->xfer[0] < 0 || ctr__recv_stdio(p, f) == 0) return 0;
        ctr__fail(&report, CTR_STEP_STDIO, errno, "",
                  "receive the stdio pipes from the container process");
    }
    ctr__signal(c, SIGKILL); /* with init, pid 1 may still run */
    ctr__reap(c, 0, NULL);
    if (err) {
        *err = report;
        err->path[sizeof(err->path) - 1] = '\0';
        err->msg[sizeof(err->msg) - 1] = '\0';
        ctr__finish_msg(err);
        if (err->step == CTR_STEP_USERNS || err->step == CTR_STEP_CLONE)
            ctr__userns_explain(p, err);
    }
    return -1;
}

static int ctr__spawn(const ctr_spec *spec, ctr_container **out, ctr_error *err) {
    ctr__plan plan;
    ctr__launch l;
    ctr__fds f;
    ctr__ns_host ns;
    ctr_container *c = NULL;
    int i, rc = -1;
    ctr__fds_init(&f);
    ctr__ns_init(&ns);
    memset(&l, 0, sizeof(l));
    l.errfd = l.statusfd = l.hostfd = l.netns_fd = l.xferfd = l.nssock = -1;
    l.root_pre = l.upper_pre = -1;
    for (i = 0; i < 3; i++) l.stdio_src[i] = -1;
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) l.cg_procs[i] = -1;
    if (!out) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "out is NULL");
    *out = NULL;
    if (ctr__plan_build(&plan, spec, err) != 0) goto done;
    l.plan = &plan;
    l.clone_flags = plan.clone_flags;
    l.net_lo = plan.net_lo;
    if (!(l.mnt_fds = CTR__CAST(
              int *, ctr__alloc(&plan, (plan.nops + 1) * CTR__DEV_NODES * sizeof(int))))) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        goto done;
    }
    if (ctr__open_fds(&plan, &l, &f, err) != 0) goto done;
    if (!(c = CTR__CAST(ctr_container *, CONTAINER_MALLOC(sizeof(*c))))) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the container handle");
        goto done;
    }
    memset(c, 0, sizeof(*c));
    c->pidfd = c->statusfd = -1;
    c->cancel_state = PTHREAD_CANCEL_DISABLE;
    for (i = 0; i < 3; i++) c->stdio[i] = -1;
    ctr__cg_init(&c->cg);
    ctr__layers_init(&c->layers);
    if (ctr__cg_create(&c->cg, &plan.cg, err) != 0) goto done;
    if (ctr__layers_prepare(&c->layers, &plan, err) != 0) goto done;
    if (plan.no_network) { /* nonet.c: the shared empty namespace */
        if ((l.netns_fd = ctr__netns_shared(err)) < 0) goto done;
        c->nonet = 1;
        l.clone_flags &= ~CTR__CAST(unsigned long, CLONE_NEWNET);
        l.net_lo = 0;
    }
    if (plan.netns_pool) {
        int slot = ctr__netns_acquire(plan.netns_pool, &l.netns_fd, err);
        if (slot == -2) goto done;
        if (slot >= 0) { /* else every namespace is lent: this container gets its own */
            c->netns_pool = plan.netns_pool;
            c->netns_slot = slot;
            l.clone_flags &= ~CTR__CAST(unsigned long, CLONE_NEWNET);
            l.net_lo = 0;
        }
    }
    if (ctr__ns_prepare(&ns, &plan, &l, err) != 0) goto done;
    i = ctr__start(c, &plan, &l, &f, err);
    ctr__ns_finish(&ns); /* the helper is done or no longer needed */
    ctr__close(&l.nssock);
    if (i != 0) goto done;
    if (plan.timeout_ns) c->deadline_ns = c->start_ns + plan.timeout_ns;
    /* Hand the host ends over to the handle. */
    c->statusfd = f.status[0];
    f.status[0] = -1;
    for (i = 0; i < 3; i++) {
        c->stdio[i] = f.stdio[i];
        f.stdio[i] = -1;
    }
    *out = c;
    c = NULL;
    rc = 0;
done:
    ctr__ns_finish(&ns);
    ctr__close(&l.nssock);
    if (c) ctr__container_free(c);
    ctr__fds_close_all(&f);
    ctr__plan_free(&plan);
    return rc;
}

CONTAINER_API int ctr_spawn(const ctr_spec *spec, ctr_container **out, ctr_error *err) {
    int old = ctr__nocancel_begin(), rc;
    ctr__clear_error(err);
    rc = ctr__spawn(spec, out, err);
    ctr__nocancel_end(old);
    return rc;
}

/* The deadline passed: kill the whole container and reap it. */
static int ctr__expire(ctr_container *c, ctr_error *err) {
    ctr__signal(c, SIGKILL);
    if (ctr__reap(c, 0, err) < 0) return -1;
    c->result.timed_out = 1;
    return 1;
}

/* Blocks until exit, or until the deadline, then kills. */
static int ctr__wait_deadline(ctr_container *c, ctr_error *err) {
    while (!c->reaped) {
        int64_t left = c->deadline_ns - ctr__now_ns();
        int r;
        if (left <= 0) return ctr__expire(c, err);
        if (c->pidfd >= 0) {
            r = ctr__wait_pidfd(c, left / 1000000 >= INT_MAX ? INT_MAX
                                                             : CTR__CAST(int, left / 1000000 + 1));
            if (r < 0 && errno != EINTR)
                return ctr__fail(err, CTR_STEP_WAIT, errno, "", "poll the container's pidfd");
        } else {
            ctr__sleep_ms(left > 10000000 ? 10 : left / 1000000 + 1);
        }
        if (ctr__reap(c, 1, err) < 0) return -1;
    }
    return 1;
}

CONTAINER_API int ctr_wait(ctr_container *c, ctr_result *res, ctr_error *err) {
    int r;
    ctr__clear_error(err);
    if (res) memset(res, 0, sizeof(*res));
    if (!c) return ctr__fail(err, CTR_STEP_WAIT, EINVAL, "", "container is NULL");
    c->cancel_state = ctr__nocancel_begin();
    r = c->deadline_ns ? ctr__wait_deadline(c, err) : ctr__reap(c, 0, err);
    ctr__nocancel_end(c->cancel_state);
    c->cancel_state = PTHREAD_CANCEL_DISABLE;
    if (r < 0) return -1;
    if (res) *res = c->result;
    return 0;
}

CONTAINER_API int ctr_poll(ctr_container *c, ctr_result *res, ctr_error *err) {
    int r, old = ctr__nocancel_begin();
    ctr__clear_error(err);
    if (res) memset(res, 0, sizeof(*res));
    if (!c) {
        ctr__nocancel_end(old);
        return ctr__fail(err, CTR_STEP_WAIT, EINVAL, "", "container is NULL");
    }
    r = ctr__reap(c, 1, err);
    if (r == 0 && c->deadline_ns && ctr__now_ns() >= c->deadline_ns) r = ctr__expire(c, err);
    if (r == 1 && res) *res = c->result;
    ctr__nocancel_end(old);
    return r;
}

CONTAINER_API int ctr_kill(ctr_container *c, int sig, ctr_error *err) {
    int old, rc = 0;
    ctr__clear_error(err);
    if (!c) return ctr__fail(err, CTR_STEP_KILL, EINVAL, "", "container is NULL");
    if (c->reaped)
        return ctr__fail(err, CTR_STEP_KILL, ESRCH, "", "the container has already exited");
    old = ctr__nocancel_begin();
    if (ctr__signal(c, sig) != 0)
        rc = ctr__fail(err, CTR_STEP_KILL, errno, "", "send signal %d to the container", sig);
    ctr__nocancel_end(old);
    return rc;
}

CONTAINER_API void ctr_destroy(ctr_container *c) {
    int old;
    if (!c) return;
    old = ctr__nocancel_begin();
    if (!c->reaped) {
        ctr__signal(c, SIGKILL); /* pid 1 dying takes the whole pid namespace with it */
        ctr__reap(c, 0, NULL);
    }
    ctr__container_free(c);
    ctr__nocancel_end(old);
}

CONTAINER_API int ctr_pidfd(const ctr_container *c) { return c ? c->pidfd : -1; }
CONTAINER_API pid_t ctr_pid(const ctr_container *c) { return c ? c->pid : -1; }

CONTAINER_API int ctr_stdio_fd(const ctr_container *c, int stream) {
    return (c && stream >= 0 && stream < 3) ? c->stdio[stream] : -1;
}

CONTAINER_API void ctr_close_stdio(ctr_container *c, int stream) {
    if (c && stream >= 0 && stream < 3) ctr__close(&c->stdio[stream]);
}

static int ctr__no_cgroup(ctr_error *err, const char *what) {
    return ctr__fail(err, CTR_STEP_CGROUP, ENOTSUP, "",
                     "%s needs a cgroup: set a limit or cgroup = CTR_CGROUP_ALWAYS", what);
}

CONTAINER_API int ctr_stats(ctr_container *c, ctr_usage *usage, ctr_error *err) {
    int old;
    ctr__clear_error(err);
    if (!c || !usage)
        return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "", "container or usage is NULL");
    memset(usage, 0, sizeof(*usage));
    if (!c->cg.be) return ctr__no_cgroup(err, "ctr_stats");
    old = ctr__nocancel_begin();
    c->cg.be->stats(&c->cg, usage);
    ctr__nocancel_end(old);
    return 0;
}

static int ctr__freeze(ctr_container *c, int on, ctr_error *err) {
    int old, rc;
    ctr__clear_error(err);
    if (!c) return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "", "container is NULL");
    if (!c->cg.be) return ctr__no_cgroup(err, on ? "pausing" : "resuming");
    old = ctr__nocancel_begin();
    rc = c->cg.be->freeze(&c->cg, on, err);
    ctr__nocancel_end(old);
    return rc;
}

CONTAINER_API int ctr_pause(ctr_container *c, ctr_error *err) { return ctr__freeze(c, 1, err); }
CONTAINER_API int ctr_resume(ctr_container *c, ctr_error *err) { return ctr__freeze(c, 0, err); }

CONTAINER_API int64_t ctr_deadline_ns(const ctr_container *c) { return c ? c->deadline_ns : 0; }

CONTAINER_API const char *ctr_cgroup_path(const ctr_container *c) {
    return c && c->cg.be ? c->cg.be->path(&c->cg) : "";
}
