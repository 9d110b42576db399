/* spawn.c - ctr_spawn and the handle: the plan is built, the cgroup made, the launch's descriptors
   opened, the shim (or init) cloned and the verdict read; then wait, poll, kill, stats and
   destroy. */
#include "internal.h"

/* What ctr_spawn opens for one spawn: all close-on-exec and above 2; the child dup2s what it
   needs. */
typedef struct ctr__fds {
    int err[2], status[2], xfer[2], devnull, host;
    int stdio[3];  /* host ends of CTR_STDIO_PIPE streams, received from the child */
    int tty;       /* the terminal's master, received from the child */
    int cmd_pidfd; /* received from the shim */
    int cg_procs[CTR__CG_MAX_DIRS];
    int notify; /* the interception listener, received from the child */
    int start[2];  /* wait_start: the child reads start[0], the handle writes start[1] */
    int execfd;    /* wait_start: the exec pipe's read end, received from the child */
    int fifo_made; /* the start FIFO is ours to remove if the spawn fails */
} ctr__fds;

static void ctr__fds_init(ctr__fds *f) {
    int i;
    f->err[0] = f->err[1] = f->status[0] = f->status[1] = -1;
    f->xfer[0] = f->xfer[1] = f->devnull = f->host = f->cmd_pidfd = f->tty = -1;
    for (i = 0; i < 3; i++) f->stdio[i] = -1;
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) f->cg_procs[i] = -1;
    f->notify = -1;
    f->start[0] = f->start[1] = f->execfd = -1;
    f->fifo_made = 0;
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
    ctr__close(&f->cmd_pidfd);
    ctr__close(&f->tty);
    for (i = 0; i < 3; i++) ctr__close(&f->stdio[i]);
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) ctr__close(&f->cg_procs[i]);
    ctr__close(&f->notify);
    ctr__close(&f->start[0]);
    ctr__close(&f->start[1]);
    ctr__close(&f->execfd);
}

/* The pipes, the fd-passing socket and the stdio sources of the launch.  The read ends are
   non-blocking: the verdict is read once it is there (ctr__verdict), never by waiting for EOF,
   which any process forked by another thread of the host in the meantime would hold back. */
static int ctr__open_fds(const ctr__plan *p, ctr__launch *l, ctr__fds *f, ctr_error *err) {
    int i;
    if (ctr__pipe(f->err) != 0 || ctr__pipe(f->status) != 0 ||
        fcntl(f->err[0], F_SETFL, O_NONBLOCK) != 0 || fcntl(f->status[0], F_SETFL, O_NONBLOCK) != 0)
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a pipe");
    l->errfd = f->err[1];
    l->statusfd = f->status[1];
    /* The child (its stdio pipes) and the shim (the command's pidfd) pass fds over this. */
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, f->xfer) != 0 ||
        ctr__lift(&f->xfer[0]) != 0 || ctr__lift(&f->xfer[1]) != 0)
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a socket pair");
    l->xferfd = f->xfer[1];
    for (i = 0; i < 3; i++) {
        if (p->tty) { /* /dev/null until the terminal is made, after pivot_root */
            if (f->devnull < 0 && ((f->devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
                                   ctr__lift(&f->devnull) != 0))
                return ctr__fail(err, CTR_STEP_STDIO, errno, "/dev/null", "open /dev/null");
            l->stdio_src[i] = f->devnull;
            continue;
        }
        switch (p->stdio[i]) {
        case CTR_STDIO_INHERIT: break;
        case CTR_STDIO_NULL:
            if (f->devnull < 0 && ((f->devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
                                   ctr__lift(&f->devnull) != 0))
                return ctr__fail(err, CTR_STEP_STDIO, errno, "/dev/null", "open /dev/null");
            l->stdio_src[i] = f->devnull;
            break;
        case CTR_STDIO_FD: l->stdio_src[i] = p->stdio_fd[i]; break;
        case CTR_STDIO_PIPE: break; /* made by the child (ctr__c_stdio_pipes) */
        }
    }
    /* The child checks that the host still lives when it sets its parent-death signal. */
    if (p->die_with_host) {
        f->host = ctr__sys_int(syscall(SYS_pidfd_open, getpid(), 0));
        if (f->host >= 0 && (fcntl(f->host, F_SETFD, FD_CLOEXEC) != 0 || ctr__lift(&f->host) != 0))
            ctr__close(&f->host);
        l->hostfd = f->host; /* -1 before Linux 5.3: only the signal then */
    }
    /* wait_start: the start FIFO (the child's end read-write, ours write-only), or a pipe. */
    if (p->wait_start) {
        if (p->start_fifo) {
            if (ctr__make_start_fifo(p, &f->start[0], err) != 0) return -1;
            f->fifo_made = 1;
            if ((f->start[1] = open(p->start_fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0 ||
                ctr__lift(&f->start[1]) != 0)
                return ctr__fail(err, CTR_STEP_SPEC, errno, p->start_fifo, "open the start FIFO %s",
                                 p->start_fifo);
        } else if (ctr__pipe(f->start) != 0) {
            return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a pipe");
        }
        l->startfd = f->start[0];
    }
    if (p->nns_paths) {
        size_t i2;
        if (ctr__open_ns_paths(p, l->join_ns_fds, err) != 0) return -1;
        for (i2 = 0; i2 < p->nns_paths; i2++)
            if (p->ns_paths[i2].type == CTR_NS_PID) { /* the shim joins it before its clone */
                l->join_pidfd = l->join_ns_fds[i2];
                l->join_flags = CLONE_NEWPID;
            }
    }
    return 0;
}

static void ctr__close_ns_fds(const ctr__plan *p, ctr__launch *l) {
    size_t i;
    for (i = 0; l->join_ns_fds && i < p->nns_paths; i++) ctr__close(&l->join_ns_fds[i]);
}

/* Blocks until our child (the shim, or init) exits (pidfd readable) or timeout_ms (-1: none)
   passes.  Cancellation is disabled in every library call; here, only while blocked, it is put
   back as the caller had it (ctr_wait is a cancellation point, like waitpid): a thread cancelled
   here leaves the handle as it was. */
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

/* Waits for our child; blocking unless nohang.  1: reaped (c->result set), 0: still running. */
static int ctr__reap(ctr_container *c, int nohang, ctr_error *err) {
    ctr__status_msg m;
    siginfo_t si;
    struct rusage ru;
    long r;
    if (c->reaped) return 1;
    memset(&si, 0, sizeof(si));
    memset(&ru, 0, sizeof(ru));
    if (!nohang && c->pidfd >= 0)
        while (ctr__wait_pidfd(c, -1) < 0 && errno == EINTR) {}
    do {
        /* The raw waitid takes a rusage: our child's, including the descendants it reaped (the
           command's whole tree). */
        if (c->pidfd >= 0)
            r = syscall(SYS_waitid, P_PIDFD, c->pidfd, &si,
                        WEXITED | __WALL | (nohang ? WNOHANG : 0), &ru);
        else
            r = syscall(SYS_waitid, P_PID, c->child_pid, &si,
                        WEXITED | __WALL | (nohang ? WNOHANG : 0), &ru);
    } while (r < 0 && errno == EINTR);
    if (r < 0 && errno == ECHILD && c->attached && c->pidfd >= 0) {
        /* Another process's child (ctr_attach): its exit shows on the pidfd, its status is its
           parent's to take. */
        struct pollfd pfd;
        pfd.fd = c->pidfd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 0) != 1) return 0;
        c->reaped = 1;
        c->result.wall_ns = ctr__now_ns() - c->start_ns;
        if (c->cg.be) c->cg.be->result(&c->cg, &c->result);
        return 1;
    }
    if (r < 0)
        return ctr__fail(err, CTR_STEP_WAIT, errno, "", "wait for container process %d",
                         CTR__CAST(int, c->child_pid));
    if (si.si_pid == 0) return 0;
    c->reaped = 1;
    ctr__net_reap(c, 0); /* pasta's keeper ends with the container's first process */
    if (c->netns_pool) { /* pid 1 of its own pid namespace is gone, and with it every process */
        ctr__netns_release(c->netns_pool, c->netns_slot);
        c->netns_pool = NULL;
    }
    c->result.wall_ns = ctr__now_ns() - c->start_ns;
    /* The command's own status, from the shim or init (it has exited: what it wrote is there,
       and the read end does not block); without it (the shim or init was killed) its own. */
    memset(&m, 0, sizeof(m));
    while (read(c->statusfd, &m, sizeof(m)) == CTR__CAST(ssize_t, sizeof(m)) &&
           m.kind != CTR__MSG_EXIT) {}
    if (m.kind == CTR__MSG_EXIT) {
        int st = m.status;
        c->result.exited = WIFEXITED(st);
        c->result.signaled = WIFSIGNALED(st);
        c->result.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
        c->result.term_signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    } else {
        c->result.exited = si.si_code == CLD_EXITED;
        c->result.signaled = !c->result.exited;
        c->result.exit_code = c->result.exited ? si.si_status : 0;
        c->result.term_signal = c->result.exited ? 0 : si.si_status;
    }
    ctr__close(&c->statusfd);
    c->result.cpu_user_ns =
        CTR__CAST(int64_t, ru.ru_utime.tv_sec) * 1000000000 + ru.ru_utime.tv_usec * 1000;
    c->result.cpu_system_ns =
        CTR__CAST(int64_t, ru.ru_stime.tv_sec) * 1000000000 + ru.ru_stime.tv_usec * 1000;
    c->result.memory_peak = CTR__CAST(uint64_t, ru.ru_maxrss) * 1024u;
    if (c->cg.be)
        c->cg.be->result(&c->cg, &c->result); /* the cgroup's figures cover every process */
    /* Our child is gone: its stack is free. */
    ctr__stack_free(c->shim_stack, CTR__SHIM_STACK);
    c->shim_stack = NULL;
    return 1;
}

/* sig to the container's first process (SIGKILL: then to every process of its cgroup too). */
static int ctr__signal(ctr_container *c, int sig) {
    int fd = c->cmd_pidfd >= 0 && !c->plan.init ? c->cmd_pidfd : c->pidfd, r; /* init forwards */
    r = fd >= 0 ? CTR__CAST(int, syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0))
                : kill(c->pid, sig);
    if (sig == SIGKILL && c->cg.be) {
        int e = errno;
        c->cg.be->kill(&c->cg); /* every process, not just pid 1 */
        errno = e;
    }
    return r;
}

static void ctr__container_init(ctr_container *c) {
    int i;
    memset(c, 0, sizeof(*c));
    c->pidfd = c->cmd_pidfd = c->statusfd = c->tty = c->startfd = c->execfd = c->net_pidfd = -1;
    c->cancel_state = PTHREAD_CANCEL_DISABLE;
    for (i = 0; i < 3; i++) c->stdio[i] = -1;
    ctr__cg_init(&c->cg);
    ctr__layers_init(&c->layers);
}

static ctr_container *ctr__container_new(void) {
    ctr_container *c = CTR__CAST(ctr_container *, CONTAINER_MALLOC(sizeof(*c)));
    if (c) ctr__container_init(c);
    return c;
}

static void ctr__container_free(ctr_container *c) {
    int i;
    ctr__close(&c->startfd);
    ctr__close(&c->execfd);
    if (c->netns_pool) ctr__netns_release(c->netns_pool, c->netns_slot); /* never started */
    ctr__notify_free(c->notify);
    ctr__net_reap(c, 0); /* pasta's keeper, which reads the plan */
    ctr__cg_destroy(&c->cg);
    ctr__layers_release(&c->layers);
    if (c->nonet) ctr__netns_shared_put();
    ctr__close(&c->pidfd);
    ctr__close(&c->cmd_pidfd);
    ctr__close(&c->statusfd);
    ctr__close(&c->tty);
    for (i = 0; i < 3; i++) ctr__close(&c->stdio[i]);
    if (c->shim_stack) ctr__stack_free(c->shim_stack, CTR__SHIM_STACK);
    ctr__plan_free(&c->plan);
    CONTAINER_FREE(c);
}

/* The verdict: 1 started (*pid: the command's host pid from the shim, 0 from init), 0 failed
   (*report filled).  Whichever comes first: an error report of the setup (error pipe), STARTED
   or ERROR over the status pipe, or our child's exit without a word.  The shim tells STARTED
   once the command has exec'd or died, after anything the command wrote: the child writes a
   record with step NONE when its setup is done, and one with the reason if the exec failed;
   without either it died during its setup (killed).  With init, init itself tells STARTED (or
   ERROR) once the command has exec'd (or not).  A pipe is read only when poll, which looks at
   both at one instant, says a record is there: the error pipe's records come before STARTED, so
   a STARTED seen with nothing on the error pipe has nothing behind it there; and no read ever
   fails with EAGAIN, which a vfork-style child setting up meanwhile would take for its own
   errno (it shares this thread's: "resolve /dev inside the container root: Resource
   temporarily unavailable", once in some thousands of bridged spawns).  A pipe whose writers
   are all gone leaves the poll, so that it does not wake it again and again. */
static int ctr__verdict(ctr_container *c, int init, int errfd, int statusfd, ctr_error *report,
                        pid_t *pid) {
    struct pollfd pfd[3];
    int dead = 0, setup_done = 0, n = c->pidfd >= 0 ? 3 : 2, i;
    pfd[0].fd = errfd;
    pfd[1].fd = statusfd;
    pfd[2].fd = c->pidfd;
    for (;;) {
        ctr__status_msg m;
        for (i = 0; i < 3; i++) {
            pfd[i].events = POLLIN;
            pfd[i].revents = 0;
        }
        /* Gone: one more look at both pipes (the order of the wake-ups is not the order of the
           events), then it died without a word. */
        if (poll(pfd, CTR__CAST(nfds_t, n), dead ? 0 : -1) < 0) {
            if (errno == EINTR) continue;
            ctr__fail(report, CTR_STEP_CLONE, errno, "", "wait for the container process");
            return 0;
        }
        if (pfd[0].revents & POLLIN) {
            if (read(errfd, report, sizeof(*report)) != CTR__CAST(ssize_t, sizeof(*report)))
                pfd[0].fd = -1;
            else if (report->step != CTR_STEP_NONE)
                return 0;
            else
                setup_done = 1;
            continue; /* another record, or STARTED, at the next look */
        }
        if (pfd[0].revents & POLLHUP) pfd[0].fd = -1;
        if (pfd[1].revents & POLLIN) {
            if (read(statusfd, &m, sizeof(m)) == CTR__CAST(ssize_t, sizeof(m))) {
                if (m.kind == CTR__MSG_ERROR) {
                    *report = m.err;
                    return 0;
                }
                if (!init && !setup_done) {
                    ctr__fail(report, CTR_STEP_CLONE, ECHILD, "",
                              "the container process died during its setup");
                    return 0;
                }
                *pid = CTR__CAST(pid_t, m.status);
                return 1;
            }
            pfd[1].fd = -1;
        } else if (pfd[1].revents & POLLHUP) {
            pfd[1].fd = -1;
        }
        if (dead) {
            ctr__fail(report, init ? CTR_STEP_INIT : CTR_STEP_CLONE, ECHILD, "",
                      "the container process died during its setup");
            return 0;
        }
        dead = n == 3 ? pfd[2].revents != 0 : pfd[0].fd < 0 && pfd[1].fd < 0;
    }
}

/* The fds the child and the shim passed: 'p' the host ends of the stdio pipes (in stream
   order), 'c' the command's pidfd, 't' the terminal's master, 'x' the exec pipe (wait_start), 'n' the
   interception listener.  0, or -1 with errno. */
static int ctr__recv_fds(const ctr__plan *p, ctr__fds *f) {
    int want = 0, got_pipes = 0, i;
    for (i = 0; i < 3 && !p->tty; i++) want += p->stdio[i] == CTR_STDIO_PIPE;
    for (;;) {
        union {
            struct cmsghdr align;
            char buf[CTR__FDMSG_SPACE(3)];
        } cm;
        struct msghdr msg;
        struct iovec iov;
        int fds[3], n, k = 0;
        char tag = 0;
        ssize_t r;
        ctr__fdmsg(&msg, &iov, &tag, cm.buf, 3, NULL);
        do r = recvmsg(f->xfer[0], &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        while (r < 0 && errno == EINTR);
        if (r == 0 || (r < 0 && errno == EAGAIN)) break; /* all read (0: every sender is gone) */
        if (r != 1) {
            if (r >= 0) errno = EPROTO;
            return -1;
        }
        n = ctr__fdmsg_fds(&msg, fds, 3);
        if (tag == 'p') {
            for (i = 0; i < 3; i++)
                if (p->stdio[i] == CTR_STDIO_PIPE && k < n) f->stdio[i] = fds[k++];
            got_pipes = k;
        } else if (tag == 'c' && n >= 1) {
            f->cmd_pidfd = fds[k++];
        } else if (tag == 't' && n >= 1) {
            f->tty = fds[k++];
        } else if (tag == 'x' && n >= 1) {
            f->execfd = fds[k++];
        } else if (tag == 'n' && n >= 1) {
            f->notify = fds[k++];
        }
        while (k < n) close(fds[k++]); /* nothing we asked for */
        if (msg.msg_flags & MSG_CTRUNC) {
            errno = EPROTO;
            return -1;
        }
    }
    for (i = 0; i < 3; i++) {
        if (ctr__lift(&f->stdio[i]) != 0) return -1;
        if (p->stdio_nonblock && f->stdio[i] >= 0 && fcntl(f->stdio[i], F_SETFL, O_NONBLOCK) != 0)
            return -1;
    }
    if (ctr__lift(&f->cmd_pidfd) != 0 || ctr__lift(&f->tty) != 0 || ctr__lift(&f->execfd) != 0 ||
        ctr__lift(&f->notify) != 0)
        return -1;
    if (p->stdio_nonblock && f->tty >= 0 && fcntl(f->tty, F_SETFL, O_NONBLOCK) != 0) return -1;
    if (got_pipes != want || (p->tty && f->tty < 0) || (p->wait_start && f->execfd < 0) ||
        (p->notify_bpf && f->notify < 0)) {
        errno = EPROTO;
        return -1;
    }
    return 0;
}

/* After the verdict: the descriptors the child and the shim passed back, and the serving of the
   intercepted calls started on the listener among them.  1, or 0 with *report. */
static int ctr__take_fds(ctr_container *c, const ctr__plan *p, ctr__fds *f, ctr_error *report) {
    int fd;
    if (ctr__recv_fds(p, f) != 0) {
        ctr__fail(report, CTR_STEP_STDIO, errno, "", "receive the container's descriptors");
        return 0;
    }
    if (!p->notify_bpf) return 1;
    fd = f->notify;
    f->notify = -1;
    return ctr__notify_start(&c->notify, p, fd, report) == 0;
}

static void ctr__child_entry(void *launch) { ctr__child_main(launch); }

/* The verdict of a direct child (c->pidfd is the command's own): 1 once its setup is done (and,
   unless it waits for its start, it has exec'd: the clone waited for that), 0 with *report. */
static int ctr__verdict_direct(ctr_container *c, int errfd, int waits, ctr_error *report) {
    int dead = 0, setup_done = 0;
    for (;;) {
        struct pollfd pfd[2];
        while (read(errfd, report, sizeof(*report)) == CTR__CAST(ssize_t, sizeof(*report))) {
            if (report->step != CTR_STEP_NONE) return 0;
            setup_done = 1;
        }
        if (setup_done) return 1;
        if (dead || !waits) {
            ctr__fail(report, CTR_STEP_CLONE, ECHILD, "",
                      "the container process died during its setup");
            return 0;
        }
        pfd[0].fd = errfd;
        pfd[1].fd = c->pidfd;
        pfd[0].events = pfd[1].events = POLLIN;
        pfd[0].revents = pfd[1].revents = 0;
        if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
            ctr__fail(report, CTR_STEP_CLONE, errno, "", "wait for the container process");
            return 0;
        }
        dead = pfd[1].revents != 0;
    }
}

/* direct_child: the command is our own child, cloned by us (exit signal SIGCHLD; vfork-style
   unless it waits for its start, which needs a copy of our memory), or, to join a pid
   namespace or a container (ctr_exec), by a shim that makes it our child (CLONE_PARENT) and
   exits.  No status pipe: ctr__reap waits for the command itself. */
static int ctr__start_direct(ctr_container *c, const ctr__plan *p, ctr__launch *l, ctr__fds *f,
                             int vm_cmd, ctr_error *err) {
    uint64_t all = ~CTR__CAST(uint64_t, 0), old = 0;
    int shim = l->join_pidfd >= 0, ok, i;
    ctr__clone_args a;
    ctr_error report;
    long r;
    memset(&a, 0, sizeof(a));
    a.pidfd = CTR__PTR_TO_U64(&c->pidfd);
    a.exit_signal = SIGCHLD;
    a.flags = CLONE_PIDFD;
    if (!shim) {
        a.flags |= l->clone_flags;
        if (l->cgroup_fd >= 0) {
            a.flags |= CLONE_INTO_CGROUP;
            a.cgroup = CTR__CAST(uint64_t, l->cgroup_fd);
        }
    } else if (vm_cmd && !(l->cmd_stack = ctr__stack_alloc(CTR__STACK_SIZE))) {
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "allocate a stack");
    }
    if (vm_cmd) ctr__dump_enter();
    ctr__r_sigmask(SIG_SETMASK, &all, &old);
    if (shim)
        r = ctr__clone(&a, CTR__CLONE_WAIT, ctr__shim_main, l); /* a copy: it may setns */
    else
        r = ctr__clone(&a, p->wait_start ? 0u : (vm_cmd ? CTR__CLONE_VM : CTR__CLONE_WAIT),
                       ctr__child_entry, l);
    ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    if (r < 0) {
        if (vm_cmd) ctr__dump_leave();
        return ctr__fail(err, CTR_STEP_CLONE, errno, "",
                         "create the container process (clone3 with flags 0x%llx)",
                         CTR__CAST(unsigned long long, a.flags | l->clone_flags));
    }
    c->pid = c->child_pid = CTR__CAST(pid_t, r);
    ctr__close(&f->err[1]);
    ctr__close(&f->status[1]);
    ctr__close(&f->xfer[1]);
    ctr__close(&f->devnull);
    ctr__close(&f->host);
    ctr__close(&f->start[0]);
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) ctr__close(&f->cg_procs[i]);
    memset(&report, 0, sizeof(report));
    ok = 1;
    if (shim) {
        /* The shim has exited (CTR__CLONE_WAIT, and it never execs: the clone returned when it
           did); STARTED names the command, now our child: its pidfd replaces the shim's. */
        ctr__status_msg m;
        siginfo_t si;
        memset(&m, 0, sizeof(m));
        memset(&si, 0, sizeof(si));
        while (waitid(P_PID, CTR__CAST(id_t, r), &si, WEXITED | __WALL) < 0 && errno == EINTR) {}
        ctr__close(&c->pidfd);
        c->pid = c->child_pid = 0;
        if (read(f->status[0], &m, sizeof(m)) != CTR__CAST(ssize_t, sizeof(m)) ||
            m.kind != CTR__MSG_STARTED) {
            if (read(f->err[0], &report, sizeof(report)) != CTR__CAST(ssize_t, sizeof(report)) ||
                report.step == CTR_STEP_NONE)
                ctr__fail(&report, CTR_STEP_CLONE, ECHILD, "",
                          "the container process died during its setup");
            ok = 0;
        } else {
            c->pid = c->child_pid = CTR__CAST(pid_t, m.status);
            c->pidfd = ctr__sys_int(syscall(SYS_pidfd_open, c->pid, 0)); /* ours: not reaped */
            if (c->pidfd < 0 || ctr__lift(&c->pidfd) != 0 ||
                fcntl(c->pidfd, F_SETFD, FD_CLOEXEC) != 0) {
                ctr__fail(&report, CTR_STEP_CLONE, errno, "", "open a pidfd of the command");
                ok = 0;
            }
        }
    }
    if (ok) ok = ctr__verdict_direct(c, f->err[0], p->wait_start, &report);
    if (vm_cmd) ctr__dump_leave();
    if (l->cmd_stack) {
        if (ok)
            ctr__stack_free(l->cmd_stack, CTR__STACK_SIZE);
        else
            munmap(l->cmd_stack, CTR__STACK_SIZE + CTR__STACK_GUARD);
        l->cmd_stack = NULL;
    }
    if (ok) ok = ctr__take_fds(c, p, f, &report);
    ctr__close(&f->cmd_pidfd); /* the shim's 'c': we opened our own */
    if (ok) return 0;
    if (c->pidfd >= 0) {
        struct pollfd pfd;
        pfd.fd = c->pidfd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 1000) != 1) ctr__signal(c, SIGKILL);
        ctr__reap(c, 0, NULL);
    } else if (c->child_pid > 0) {
        siginfo_t si;
        kill(c->child_pid, SIGKILL);
        while (waitid(P_PID, CTR__CAST(id_t, c->child_pid), &si, WEXITED | __WALL) < 0 &&
               errno == EINTR) {}
    }
    c->reaped = 1;
    if (err) {
        *err = report;
        err->path[sizeof(err->path) - 1] = '\0';
        err->msg[sizeof(err->msg) - 1] = '\0';
        ctr__finish_msg(err);
    }
    return -1;
}

/* Clones the container's process: the shim (shim.c), which clones the command, or with init the
   init itself (it never execs, so it is our child as well).  A bridge's eth0 is made while the
   child sets up (net: ctr_spawn's network, or NULL).  Then reads the verdict.  On failure
   everything started is gone again. */
static int ctr__start(ctr_container *c, const ctr__plan *p, ctr__launch *l, ctr__fds *f,
                      const ctr__cgroup *cg, ctr__net_run *net, ctr_error *err) {
    uint64_t all = ~CTR__CAST(uint64_t, 0), old = 0;
    ctr__clone_args a;
    ctr_error report;
    pid_t cmd = 0;
    long r;
    int i, ok, vm_cmd = 0, vm_shim;
    int into = cg->be ? cg->be->clone_into(cg) : -1;
    l->cgroup_fd = -1;
    if (into >= 0 && ctr__have_clone3())
        l->cgroup_fd = into;
    else if (cg->be && cg->be->procs_fds(cg, f->cg_procs, CTR__CG_MAX_DIRS, err) < 0)
        return -1; /* cgroup v1, or v2 without clone3: the child moves itself */
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) l->cg_procs[i] = f->cg_procs[i];
    memset(&a, 0, sizeof(a));
    a.pidfd = CTR__PTR_TO_U64(&c->pidfd); /* exit signal 0: no host wait() sees our child */
    c->start_ns = ctr__now_ns();
    if (p->direct && !p->init) {
        vm_cmd = ctr__vm_clone_possible() && !p->wait_start &&
                 !(l->join_flags & (CLONE_NEWUSER | CLONE_NEWTIME)) && !p->timens &&
                 !(cg->be && !cg->be->vm_clone) &&
                 !(p->userns && !p->join && ctr__host_dumpable() != 1);
        return ctr__start_direct(c, p, l, f, vm_cmd, err);
    }
    if (p->init) {
        if (p->direct) a.exit_signal = SIGCHLD; /* our child, seen by our wait() */
        a.flags = l->clone_flags | CLONE_PIDFD;
        if (l->cgroup_fd >= 0) {
            a.flags |= CLONE_INTO_CGROUP;
            a.cgroup = CTR__CAST(uint64_t, l->cgroup_fd);
        }
        ctr__r_sigmask(SIG_SETMASK, &all, &old); /* no host handler may run in the child */
        r = ctr__clone(&a, 0, ctr__child_entry, l);
        ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    } else {
        /* The command on our memory (vfork-style, cloned by the shim) but for: a time namespace
           (the kernel lets a process enter one only when it shares its memory with no other),
           cgroup v1 (a rare soft lockup on Linux 6.1 with it, see clone.c), and a rootless
           container of a host that is not dumpable (the child makes itself dumpable to write
           its uid map: the host's memory would be readable for that while). */
        /* A shim that joins a user or time namespace (ctr_exec) must not share our memory
           (setns refuses), nor then its command. */
        vm_shim = ctr__vm_clone_possible() && !(l->join_flags & (CLONE_NEWUSER | CLONE_NEWTIME));
        vm_cmd = vm_shim && !p->timens && !(cg->be && !cg->be->vm_clone) &&
                 !(p->userns && !p->join && ctr__host_dumpable() != 1);
        if (vm_shim && !(c->shim_stack = ctr__stack_alloc(CTR__SHIM_STACK)))
            return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "allocate a stack");
        if (vm_cmd && !(l->cmd_stack = ctr__stack_alloc(CTR__STACK_SIZE)))
            return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "allocate a stack");
        a.flags = CLONE_PIDFD;
        if (vm_cmd) ctr__dump_enter();
        ctr__r_sigmask(SIG_SETMASK, &all, &old);
        if (c->shim_stack)
            r = ctr__clone_on(&a, c->shim_stack, CTR__SHIM_STACK, ctr__shim_main, l);
        else
            r = ctr__clone(&a, 0, ctr__shim_main, l);
        /* A command on our memory sets up with our thread's TLS, errno included: no handler of
           the host's may run on this thread (and write errno, even to put it back) until the
           verdict, once it has exec'd.  The signals wait meanwhile, as with posix_spawn. */
        if (!vm_cmd || r < 0) ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    }
    if (r < 0) {
        ctr__fail(err, CTR_STEP_CLONE, errno, "",
                  "create the container process (clone3 with flags 0x%llx)",
                  CTR__CAST(unsigned long long, a.flags | l->clone_flags));
        if (err) ctr__userns_explain(p, err);
        if (vm_cmd) ctr__dump_leave();
        return -1;
    }
    c->pid = c->child_pid = CTR__CAST(pid_t, r);
    /* Close our copies of the child's ends. */
    ctr__close(&f->err[1]);
    ctr__close(&f->status[1]);
    ctr__close(&f->xfer[1]);
    ctr__close(&f->devnull);
    ctr__close(&f->host);
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) ctr__close(&f->cg_procs[i]);
    if (net) ctr__net_attach(p, net, f->err[0], f->status[0], c->pidfd);
    memset(&report, 0, sizeof(report));
    ok = ctr__verdict(c, p->init, f->err[0], f->status[0], &report, &cmd);
    if (vm_cmd) {
        ctr__r_sigmask(SIG_SETMASK, &old, NULL);
        ctr__dump_leave();
    }
    if (l->cmd_stack) {
        /* Free once the command has exec'd or died; if the shim died first the command may
           still be on it (and dying): then unmap it rather than reuse it. */
        if (ok)
            ctr__stack_free(l->cmd_stack, CTR__STACK_SIZE);
        else
            munmap(l->cmd_stack, CTR__STACK_SIZE + CTR__STACK_GUARD);
        l->cmd_stack = NULL;
    }
    if (ok) ok = ctr__take_fds(c, p, f, &report);
    if (ok) {
        if (!p->init) c->pid = cmd;
        c->cmd_pidfd = f->cmd_pidfd;
        f->cmd_pidfd = -1;
        return 0;
    }
    /* Failed: the command reported why and exited, and the shim (or init) ends by itself; give
       it a moment, then make sure. */
    if (c->pidfd >= 0) {
        struct pollfd pfd;
        pfd.fd = c->pidfd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 1000) != 1) ctr__signal(c, SIGKILL);
    } else {
        ctr__signal(c, SIGKILL);
    }
    c->statusfd = f->status[0]; /* for the reap */
    f->status[0] = -1;
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

/* A launch with nothing open yet: every descriptor -1. */
static void ctr__launch_init(ctr__launch *l) {
    int i;
    memset(l, 0, sizeof(*l));
    l->errfd = l->statusfd = l->hostfd = l->netns_fd = l->xferfd = l->cgroup_fd = -1;
    l->join_pidfd = l->nssock = l->net_sock = l->startfd = -1;
    l->root_pre = l->upper_pre = -1;
    for (i = 0; i < 3; i++) l->stdio_src[i] = -1;
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) l->cg_procs[i] = -1;
}

static int ctr__spawn(const ctr_spec *spec, ctr_container **out, ctr_error *err) {
    ctr__plan plan;
    ctr__launch l;
    ctr__fds f;
    ctr__ns_host ns;
    ctr__net_run net;
    ctr_container *c = NULL;
    int i, rc = -1;
    ctr__fds_init(&f);
    ctr__ns_init(&ns);
    ctr__net_init(&net);
    ctr__launch_init(&l);
    if (!out) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "out is NULL");
    *out = NULL;
    if (ctr__plan_build(&plan, spec, err) != 0) goto done;
    l.plan = &plan;
    l.clone_flags = plan.clone_flags;
    l.net_lo = plan.net_lo;
    if (!(l.mnt_fds = CTR__CAST(
              int *, ctr__alloc(&plan, (plan.nops + 1) * CTR__DEV_NODES * sizeof(int)))) ||
        (plan.nns_paths &&
         !(l.join_ns_fds = CTR__CAST(int *, ctr__alloc(&plan, plan.nns_paths * sizeof(int)))))) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        goto done;
    }
    if (ctr__open_fds(&plan, &l, &f, err) != 0) goto done;
    if (!(c = ctr__container_new())) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the container handle");
        goto done;
    }
    if (ctr__cg_create(&c->cg, &plan.cg, err) != 0) goto done;
    if (ctr__layers_prepare(&c->layers, &plan, err) != 0) goto done;
    if (plan.no_network) { /* nonet.c: the shared empty namespace */
        if ((l.netns_fd = ctr__netns_shared(err)) < 0) goto done;
        c->nonet = 1;
        l.clone_flags &= ~CTR__CAST(unsigned long, CLONE_NEWNET);
        l.net_lo = 0;
    }
    if (ctr__net_open(&plan, &net, &l, err) != 0 || ctr__net_keeper(c, &plan, &net, err) != 0)
        goto done;
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
    i = ctr__start(c, &plan, &l, &f, &c->cg, &net, err);
    ctr__ns_finish(&ns); /* the helper is done or no longer needed */
    ctr__close(&l.nssock);
    if (i != 0) goto done;
    /* The container holds its sockets now: ours go, so that they live with the container
       alone. */
    ctr__net_close(&net);
    if (plan.timeout_ns) c->deadline_ns = c->start_ns + plan.timeout_ns;
    /* Hand the host ends over to the handle. */
    c->statusfd = f.status[0];
    f.status[0] = -1;
    for (i = 0; i < 3; i++) {
        c->stdio[i] = f.stdio[i];
        f.stdio[i] = -1;
    }
    c->tty = f.tty;
    f.tty = -1;
    c->startfd = f.start[1];
    f.start[1] = -1;
    c->execfd = f.execfd;
    f.execfd = -1;
    c->plan = plan; /* kept for ctr_exec */
    plan.chunks = NULL;
    *out = c;
    c = NULL;
    rc = 0;
done:
    ctr__net_close(&net); /* first: a keeper waiting for the child sees the end */
    ctr__ns_finish(&ns);
    ctr__close(&l.nssock);
    if (c) ctr__container_free(c);
    if (rc != 0 && f.fifo_made) unlink(plan.start_fifo);
    ctr__close_ns_fds(&plan, &l);
    ctr__fds_close_all(&f);
    ctr__plan_free(&plan);
    return rc;
}

/* ctr_exec: the plan from the container's, a launch whose shim joins the container's
   namespaces (through the pidfd of its first process) and whose command is born in its cgroup.
   The new handle owns no cgroup: destroying it kills only its own process. */
static int ctr__exec(ctr_container *base, const ctr_exec_spec *spec, ctr_container **out,
                     ctr_error *err) {
    ctr__plan plan;
    ctr__launch l;
    ctr__fds f;
    ctr_container *c = NULL;
    int i, rc = -1;
    ctr__fds_init(&f);
    ctr__launch_init(&l);
    memset(&plan, 0, sizeof(plan));
    if (!out) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "out is NULL");
    *out = NULL;
    if (!base) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "container is NULL");
    if (base->reaped || ctr__reap(base, 1, NULL) != 0)
        return ctr__fail(err, CTR_STEP_CLONE, ESRCH, "", "the container has exited");
    if (ctr__plan_exec(&plan, &base->plan, spec, err) != 0) goto done;
    l.plan = &plan;
    l.fds = plan.fds;
    l.nfds = plan.nfds;
    l.join_pidfd = base->cmd_pidfd >= 0 ? base->cmd_pidfd : base->pidfd;
    l.join_flags = base->plan.clone_flags | (base->plan.cgroupns ? CLONE_NEWCGROUP : 0) |
                   (base->plan.timens ? CLONE_NEWTIME : 0);
    for (i = 0; i < CTR__CAST(int, base->plan.nns_paths); i++) { /* joined by path: its too */
        unsigned t = base->plan.ns_paths[i].type;
        l.join_flags |= t == CTR_NS_NET      ? CLONE_NEWNET
                        : t == CTR_NS_IPC    ? CLONE_NEWIPC
                        : t == CTR_NS_UTS    ? CLONE_NEWUTS
                        : t == CTR_NS_CGROUP ? CLONE_NEWCGROUP
                                             : CLONE_NEWPID;
    }
    if (!(l.mnt_fds = CTR__CAST(int *, ctr__alloc(&plan, CTR__DEV_NODES * sizeof(int))))) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        goto done;
    }
    if (ctr__open_fds(&plan, &l, &f, err) != 0) goto done;
    if (!(c = ctr__container_new())) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the container handle");
        goto done;
    }
    if (ctr__start(c, &plan, &l, &f, &base->cg, NULL, err) != 0) goto done;
    c->statusfd = f.status[0];
    f.status[0] = -1;
    for (i = 0; i < 3; i++) {
        c->stdio[i] = f.stdio[i];
        f.stdio[i] = -1;
    }
    c->tty = f.tty;
    f.tty = -1;
    c->plan = plan;
    plan.chunks = NULL;
    *out = c;
    c = NULL;
    rc = 0;
done:
    if (c) ctr__container_free(c);
    ctr__fds_close_all(&f);
    ctr__plan_free(&plan);
    return rc;
}

CONTAINER_API int ctr_exec(ctr_container *c, const ctr_exec_spec *spec, ctr_container **out,
                           ctr_error *err) {
    int old = ctr__nocancel_begin(), rc;
    ctr__clear_error(err);
    rc = ctr__exec(c, spec, out, err);
    ctr__nocancel_end(old);
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
    ctr__notify_stop(c->notify); /* no callback starts from here on */
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

CONTAINER_API int ctr_notify_fd(const ctr_container *c) {
    return c ? ctr__notify_fd(c->notify) : -1;
}

CONTAINER_API int ctr_notify_handle(ctr_container *c, ctr_error *err) {
    int old, r;
    ctr__clear_error(err);
    if (!c) return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "", "container is NULL");
    old = ctr__nocancel_begin();
    r = ctr__notify_handle(c->notify, err);
    ctr__nocancel_end(old);
    return r;
}
