/* ctr_spawn and the handle: pipes, clone, the error report, wait/poll/kill/destroy. */

struct ctr_container {
    pid_t pid;
    int pidfd;           /* -1 when the kernel has no pidfds */
    int statusfd;        /* init: read end of the status pipe, else -1 */
    int stdio[3];        /* host ends of CTR_STDIO_PIPE streams */
    int reaped;
    ctr_result result;
    int64_t start_ns;
    int64_t deadline_ns;  /* 0: no timeout */
    ctr__cgroup cg;
    ctr_netns_pool *netns_pool; /* the pool lending this container its network namespace */
    int netns_slot;
};

static int64_t ctr__now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return CTR__CAST(int64_t, ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

/* The fds ctr_spawn opens; all are close-on-exec, and the child dup2s what it needs. */
typedef struct ctr__fds {
    int err[2], status[2], pipes[3][2], devnull, sync[2], cg_procs;
} ctr__fds;

static void ctr__fds_init(ctr__fds *f) {
    int i;
    f->err[0] = f->err[1] = f->status[0] = f->status[1] = f->devnull = f->sync[0] = f->sync[1] = f->cg_procs = -1;
    for (i = 0; i < 3; i++) f->pipes[i][0] = f->pipes[i][1] = -1;
}

static void ctr__fds_close_all(ctr__fds *f) {
    int i;
    ctr__close(&f->err[0]);
    ctr__close(&f->err[1]);
    ctr__close(&f->status[0]);
    ctr__close(&f->status[1]);
    ctr__close(&f->devnull);
    ctr__close(&f->sync[0]);
    ctr__close(&f->sync[1]);
    ctr__close(&f->cg_procs);
    for (i = 0; i < 3; i++) {
        ctr__close(&f->pipes[i][0]);
        ctr__close(&f->pipes[i][1]);
    }
}

static int ctr__pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    return ctr__lift(&fds[0]) == 0 && ctr__lift(&fds[1]) == 0 ? 0 : -1;
}

/* Stdio per stream, and the pipes; the plan gets the fds the child dup2s onto 0/1/2. */
static int ctr__open_fds(const ctr_spec *spec, ctr__plan *p, ctr__fds *f, ctr_error *err) {
    int i;
    if (ctr__pipe(f->err) != 0 || (p->init && ctr__pipe(f->status) != 0))
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a pipe");
    p->errfd = f->err[1];
    p->statusfd = f->status[1];
    for (i = 0; i < 3; i++) {
        switch (spec->stdio[i]) {
        case CTR_STDIO_INHERIT:
            break;
        case CTR_STDIO_NULL:
            if (f->devnull < 0 && ((f->devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 || ctr__lift(&f->devnull) != 0))
                return ctr__fail(err, CTR_STEP_STDIO, errno, "/dev/null", "open /dev/null");
            p->stdio_src[i] = f->devnull;
            break;
        case CTR_STDIO_FD:
            if (spec->stdio_fd[i] < 0 || fcntl(spec->stdio_fd[i], F_GETFD) < 0)
                return ctr__fail(err, CTR_STEP_STDIO, EBADF, "", "stdio_fd[%d] (%d) is not an open descriptor",
                                 i, spec->stdio_fd[i]);
            p->stdio_src[i] = spec->stdio_fd[i];
            break;
        case CTR_STDIO_PIPE:
            if (ctr__pipe(f->pipes[i]) != 0)
                return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a pipe for stdio %d", i);
            p->stdio_src[i] = f->pipes[i][i == 0 ? 0 : 1];
            break;
        default:
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "stdio[%d] has unknown mode %d", i,
                             CTR__CAST(int, spec->stdio[i]));
        }
    }
    return 0;
}

/* cgroup v2 where clone3 is missing: the child moves itself, through cgroup.procs opened here. */
static int ctr__self_attach(ctr__plan *p, ctr__fds *f, const ctr__cgroup *cg, ctr_error *err) {
    if ((f->cg_procs = ctr__cg_open_procs(cg, err)) < 0) return -1;
    p->cg_procs_fd = f->cg_procs;
    return 0;
}

/* Sanitizers keep shadow state per stack, and a child running instrumented code on a stack of
   the host's memory confuses them: sanitized builds take the fork-style path. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define CTR__SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CTR__SANITIZED 1
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(CTR__SANITIZED) && \
    !defined(CONTAINER_NO_VM_CLONE)
#define CTR__VM_CLONE 1
#define CTR__VM_STACK (256u * 1024u)
/* The child's entry on the stack ctr__clone_vm gives it. */
static void ctr__child_entry(void *arg) { ctr__child_run(CTR__CAST(ctr__plan *, arg)); }

/* clone3 with CLONE_VM | CLONE_VFORK, like posix_spawn: the child runs on its own stack in this
   process's memory, and this thread sleeps in the kernel until the child has exec'd or exited.
   No page tables are copied, so a spawn costs the same from a host of 10 MiB or of 10 GiB, and
   the host takes no copy-on-write faults afterwards.  The child never returns into this
   function's frame: on its new stack it calls fn(arg), then exits. */
static long ctr__clone3_on_stack(ctr__clone_args *a, void (*fn)(void *), void *arg) {
    long r;
    /* syscall preserves every register but rax, rcx and r11: the child finds fn in rbx and arg
       in rdx.  Its stack pointer is the top of the new stack, 16-byte aligned, as a call wants. */
    __asm__ __volatile__("syscall\n\t"
                         "testq %%rax, %%rax\n\t"
                         "jnz 1f\n\t"
                         "xorl %%ebp, %%ebp\n\t"
                         "movq %%rdx, %%rdi\n\t"
                         "callq *%%rbx\n\t"
                         "movl $127, %%edi\n\t"
                         "movl $231, %%eax\n\t" /* exit_group, never reached: fn does not return */
                         "syscall\n\t"
                         "hlt\n"
                         "1:"
                         : "=a"(r)
                         : "0"(CTR__CAST(long, SYS_clone3)), "D"(a), "S"(sizeof(*a)), "b"(fn), "d"(arg)
                         : "rcx", "r11", "memory", "cc");
    return r;
}

/* Child stacks are kept for the next spawn (a few, for concurrent spawners): a fresh mapping
   costs a page fault for every page the child touches, and a page fault is not cheap in a VM. */
#define CTR__VM_GUARD 4096u
#define CTR__VM_CACHED 4
static pthread_mutex_t ctr__stack_lock = PTHREAD_MUTEX_INITIALIZER;
static char *ctr__stack_cache[CTR__VM_CACHED];
static int ctr__nstacks;

static char *ctr__stack_get(void) {
    char *stack = NULL;
    pthread_mutex_lock(&ctr__stack_lock);
    if (ctr__nstacks > 0) stack = ctr__stack_cache[--ctr__nstacks];
    pthread_mutex_unlock(&ctr__stack_lock);
    if (stack) return stack;
    stack = CTR__CAST(char *, mmap(NULL, CTR__VM_STACK + CTR__VM_GUARD, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0));
    if (stack == MAP_FAILED) return NULL;
    if (mprotect(stack, CTR__VM_GUARD, PROT_NONE) != 0) { /* overflowing faults, not corrupts */
        int e = errno;
        munmap(stack, CTR__VM_STACK + CTR__VM_GUARD);
        errno = e;
        return NULL;
    }
    return stack;
}

static void ctr__stack_put(char *stack) {
    pthread_mutex_lock(&ctr__stack_lock);
    if (ctr__nstacks < CTR__VM_CACHED) {
        ctr__stack_cache[ctr__nstacks++] = stack;
        stack = NULL;
    }
    pthread_mutex_unlock(&ctr__stack_lock);
    if (stack) munmap(stack, CTR__VM_STACK + CTR__VM_GUARD);
}

/* The vfork-style spawn is used on Linux 6.12 and later, where it has been tested (6.18).  On
   the 6.1 test VM with cgroup v1 it led, every few hundred containers, to a soft lockup of the
   whole machine (the containers' tasks spinning in get_signal) that the fork-style clone never
   showed; not understood yet.  Read once per process. */
static int ctr__vm_clone_ok(void) {
    static int cached; /* 0: not read yet, 1: yes, 2: no */
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED), major = 0, minor = 0;
    struct utsname u;
    if (v) return v == 1;
    v = 2;
    if (uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
        (major > 6 || (major == 6 && minor >= 12)))
        v = 1;
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    return v == 1;
}

/* 0 and the child's pid in *pid; -1 with errno (ENOSYS: use the fork-style clone). */
static int ctr__clone_vm(ctr__clone_args *a, ctr__plan *p, pid_t *pid) {
    char *stack = ctr__stack_get();
    long r;
    int dumpable;
    if (!stack) return -1;
    /* The dumpable flag belongs to the memory, which the child shares until execve: making
       itself undumpable, or changing its uid (the kernel then applies fs.suid_dumpable), changes
       ours too.  It is put back once the child has left. */
    dumpable = CTR__CAST(int, prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    a->flags |= CLONE_VM | CLONE_VFORK;
    a->stack = CTR__PTR_TO_U64(stack + CTR__VM_GUARD);
    a->stack_size = CTR__VM_STACK;
    r = ctr__clone3_on_stack(a, ctr__child_entry, p);
    /* Back here, the child has exec'd (its own memory now) or exited: the stack is free. */
    if ((dumpable == 0 || dumpable == 1) && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != dumpable)
        (void)prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
    ctr__stack_put(stack);
    a->flags &= ~CTR__CAST(uint64_t, CLONE_VM | CLONE_VFORK);
    a->stack = a->stack_size = 0;
    if (r < 0) {
        errno = CTR__CAST(int, -r);
        return -1;
    }
    *pid = CTR__CAST(pid_t, r);
    return 0;
}
#else
#define CTR__VM_CLONE 0
#endif

/* clone3 with a pidfd, straight into its cgroup v2.  No exit signal: until execve (which resets
   it to SIGCHLD) a host's waitpid(-1) cannot reap the child and no SIGCHLD handler runs for a
   failed setup.  On x86-64 as a vfork (ctr__clone_vm), except on cgroup v1 (see ctr_spawn), for an init (which keeps running
   beside the host, so needs memory of its own) and a time namespace (which the kernel lets a
   process enter only when it shares its memory with no other); otherwise as a fork (no
   CLONE_VM: the child runs on a copy of this stack).  Falls back to clone where clone3 is
   missing or filtered with ENOSYS. */
static pid_t ctr__clone(ctr__plan *p, ctr__fds *f, const ctr__cgroup *cg, int *pidfd, ctr_error *err) {
    ctr__clone_args a;
    long r;
    memset(&a, 0, sizeof(a));
    a.flags = p->clone_flags | CLONE_PIDFD;
    a.pidfd = CTR__PTR_TO_U64(pidfd);
    if (cg->version == 2) {
        a.flags |= CLONE_INTO_CGROUP;
        a.cgroup = CTR__CAST(uint64_t, cg->dirfd);
    }
#if CTR__VM_CLONE
    if (!p->init && !p->timens && p->sync_fd < 0 && ctr__vm_clone_ok()) {
        pid_t pid;
        if (ctr__clone_vm(&a, p, &pid) == 0) return pid;
        if (errno != ENOSYS) goto fail;
    }
#endif
    r = syscall(SYS_clone3, &a, sizeof(a));
    if (r < 0 && errno == ENOSYS) {
        if (cg->version == 2 && ctr__self_attach(p, f, cg, err) != 0) return -1;
        r = syscall(SYS_clone, p->clone_flags | CLONE_PIDFD, 0, pidfd, 0, 0);
    }
    if (r == 0) {
        ctr__child_run(p);
        _exit(127); /* not reached */
    }
    if (r > 0) return CTR__CAST(pid_t, r);
#if CTR__VM_CLONE
fail:
#endif
    ctr__fail(err, CTR_STEP_CLONE, errno, "", "create the container process (clone3 with flags 0x%lx)", p->clone_flags);
    return -1;
}

/* Waits for the process; blocking unless nohang.  1: reaped (c->result set), 0: still running. */
static int ctr__reap(ctr_container *c, int nohang, ctr_error *err) {
    siginfo_t si;
    struct rusage ru;
    long r;
    if (c->reaped) return 1;
    memset(&si, 0, sizeof(si));
    memset(&ru, 0, sizeof(ru));
    do {
        /* The raw waitid takes a rusage: pid 1's, including the descendants it reaped. */
        if (c->pidfd >= 0)
            r = syscall(SYS_waitid, P_PIDFD, c->pidfd, &si, WEXITED | __WALL | (nohang ? WNOHANG : 0), &ru);
        else
            r = syscall(SYS_waitid, P_PID, c->pid, &si, WEXITED | __WALL | (nohang ? WNOHANG : 0), &ru);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return ctr__fail(err, CTR_STEP_WAIT, errno, "", "wait for container process %d%s", CTR__CAST(int, c->pid),
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
    c->result.cpu_user_ns = CTR__CAST(int64_t, ru.ru_utime.tv_sec) * 1000000000 + ru.ru_utime.tv_usec * 1000;
    c->result.cpu_system_ns = CTR__CAST(int64_t, ru.ru_stime.tv_sec) * 1000000000 + ru.ru_stime.tv_usec * 1000;
    c->result.memory_peak = CTR__CAST(uint64_t, ru.ru_maxrss) * 1024u;
    ctr__cg_result(&c->cg, &c->result); /* the cgroup's figures cover every process */
    if (c->statusfd >= 0) {
        /* With init, pid 1 reports the command's own status. */
        int st;
        if (read(c->statusfd, &st, sizeof(st)) == CTR__CAST(ssize_t, sizeof(st))) {
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
    if (sig == SIGKILL) ctr__cg_kill(&c->cg); /* every process, not just pid 1 */
    if (c->pidfd >= 0) return CTR__CAST(int, syscall(SYS_pidfd_send_signal, c->pidfd, sig, NULL, 0));
    return kill(c->pid, sig);
}

/* Reads the child's report: 0 bytes (EOF) means the command was exec'd. */
static int ctr__read_report(int fd, ctr_error *report) {
    size_t got = 0;
    while (got < sizeof(*report)) {
        ssize_t r = read(fd, CTR__CAST(char *, CTR__CAST(void *, report)) + got, sizeof(*report) - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += CTR__CAST(size_t, r);
    }
    return got == sizeof(*report);
}

static void ctr__container_free(ctr_container *c) {
    int i;
    if (c->netns_pool) ctr__netns_release(c->netns_pool, c->netns_slot); /* never started */
    ctr__cg_destroy(&c->cg);
    ctr__close(&c->pidfd);
    ctr__close(&c->statusfd);
    for (i = 0; i < 3; i++) ctr__close(&c->stdio[i]);
    CONTAINER_FREE(c);
}

/* Starts the child and waits for its verdict.  On failure the child is killed and reaped. */
static int ctr__start(ctr_container *c, ctr__plan *p, ctr__fds *f, ctr_error *err) {
    sigset_t all, old;
    ctr_error report;
    int i;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* no host handler may run in the child */
    c->start_ns = ctr__now_ns();
    c->pid = ctr__clone(p, f, &c->cg, &c->pidfd, err);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (c->pid < 0) return -1;
    if (p->sync_fd >= 0) { /* cgroup v1: move the waiting child, then let it go */
        ctr__close(&f->sync[0]);
        if (ctr__cg_attach(&c->cg, c->pid, err) != 0 || write(f->sync[1], "", 1) != 1) {
            if (err && err->step != CTR_STEP_CGROUP)
                ctr__fail(err, CTR_STEP_CGROUP, errno, "", "release the container process");
            ctr__signal(c, SIGKILL);
            ctr__reap(c, 0, NULL);
            return -1;
        }
        ctr__close(&f->sync[1]);
    }
    /* Close our copies of the child's ends, so EOF on the error pipe means exec. */
    ctr__close(&f->err[1]);
    ctr__close(&f->status[1]);
    ctr__close(&f->devnull);
    for (i = 0; i < 3; i++) ctr__close(&f->pipes[i][i == 0 ? 0 : 1]);
    if (!ctr__read_report(f->err[0], &report)) return 0;
    ctr__signal(c, SIGKILL); /* with init, pid 1 may still run */
    ctr__reap(c, 0, NULL);
    if (err) {
        *err = report;
        err->path[sizeof(err->path) - 1] = '\0';
        err->msg[sizeof(err->msg) - 1] = '\0';
        ctr__finish_msg(err);
    }
    return -1;
}

/* Borrows a network namespace from spec->netns_pool, where that is safe: the container must not
   be able to change the namespace (no CAP_NET_ADMIN or CAP_SYS_ADMIN, /proc/sys read-only), and
   every process of it must be gone when it is reaped (its own pid namespace). */
static int ctr__use_netns_pool(ctr_container *c, ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    const char *why = NULL;
    int slot;
    if (spec->share & CTR_NS_NET) why = "the host's network namespace is shared (CTR_NS_NET)";
    else if (spec->share & CTR_NS_PID) why = "the pid namespace is shared: processes could outlive the container";
    else if (p->userns) why = "the container has a user namespace (the pool's namespaces belong to the host's)";
    else if (p->caps_keep & (CTR_CAP(12) | CTR_CAP(21)))
        why = "the container keeps CAP_NET_ADMIN or CAP_SYS_ADMIN and could reconfigure the namespace";
    else if (!p->masks) why = "no_masks leaves /proc/sys writable, and with it the namespace's sysctls";
    if (why) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "netns_pool", "netns_pool cannot be used: %s", why);
    slot = ctr__netns_acquire(spec->netns_pool, &p->netns_fd, err);
    if (slot == -2) return -1;
    if (slot >= 0) { /* else every namespace is lent: this container gets its own */
        c->netns_pool = spec->netns_pool;
        c->netns_slot = slot;
        p->clone_flags &= ~CTR__CAST(unsigned long, CLONE_NEWNET);
        p->net_lo = 0;
    }
    return 0;
}

CONTAINER_API int ctr_spawn(const ctr_spec *spec, ctr_container **out, ctr_error *err) {
    ctr__plan plan;
    ctr__fds f;
    ctr_container *c = NULL;
    int i, rc = -1;
    ctr__clear_error(err);
    ctr__fds_init(&f);
    if (!out) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "out is NULL");
    *out = NULL;
    if (ctr__plan_build(&plan, spec, err) != 0) goto done;
    if (ctr__open_fds(spec, &plan, &f, err) != 0) goto done;
    if (!(c = CTR__CAST(ctr_container *, CONTAINER_MALLOC(sizeof(*c))))) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the container handle");
        goto done;
    }
    memset(c, 0, sizeof(*c));
    c->pidfd = c->statusfd = -1;
    for (i = 0; i < 3; i++) c->stdio[i] = -1;
    ctr__cg_init(&c->cg);
    if (ctr__cg_create(&c->cg, spec, err) != 0) goto done;
    if (c->cg.version != 0 && (plan.clone_flags & CLONE_NEWCGROUP)) {
        plan.clone_flags &= ~CTR__CAST(unsigned long, CLONE_NEWCGROUP);
        plan.cgroupns = 1; /* after the move, so the namespace is rooted at the container's cgroup */
    }
    /* cgroup v1: the fork-style clone, and the parent moves the child while it waits.  (The
       vfork-style child moving itself into its v1 cgroups led, now and then, to a soft lockup
       in Linux 6.1: the container's tasks spinning in get_signal after a later freeze and
       kill.  Not understood yet; this older way never showed it.) */
    if (c->cg.version == 1) {
        if (ctr__pipe(f.sync) != 0) {
            ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a pipe");
            goto done;
        }
        plan.sync_fd = f.sync[0];
    }
    if (spec->netns_pool && ctr__use_netns_pool(c, &plan, spec, err) != 0) goto done;
    if (ctr__start(c, &plan, &f, err) != 0) goto done;
    if (spec->timeout_sec > 0) c->deadline_ns = c->start_ns + CTR__CAST(int64_t, spec->timeout_sec * 1e9);
    /* Hand the host ends over to the handle. */
    c->statusfd = f.status[0];
    f.status[0] = -1;
    for (i = 0; i < 3; i++) {
        int host_end = i == 0 ? 1 : 0;
        c->stdio[i] = f.pipes[i][host_end];
        f.pipes[i][host_end] = -1;
    }
    *out = c;
    c = NULL;
    rc = 0;
done:
    if (c) ctr__container_free(c);
    ctr__fds_close_all(&f);
    ctr__plan_free(&plan);
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
            struct pollfd pfd;
            pfd.fd = c->pidfd;
            pfd.events = POLLIN;
            pfd.revents = 0;
            r = poll(&pfd, 1, left / 1000000 >= INT_MAX ? INT_MAX : CTR__CAST(int, left / 1000000 + 1));
            if (r < 0 && errno != EINTR) return ctr__fail(err, CTR_STEP_WAIT, errno, "", "poll the container's pidfd");
        } else {
            ctr__sleep_ms(left > 10000000 ? 10 : left / 1000000 + 1);
        }
        if (ctr__reap(c, 1, err) < 0) return -1;
    }
    return 1;
}

CONTAINER_API int ctr_wait(ctr_container *c, ctr_result *res, ctr_error *err) {
    ctr__clear_error(err);
    if (res) memset(res, 0, sizeof(*res));
    if (!c) return ctr__fail(err, CTR_STEP_WAIT, EINVAL, "", "container is NULL");
    if ((c->deadline_ns ? ctr__wait_deadline(c, err) : ctr__reap(c, 0, err)) < 0) return -1;
    if (res) *res = c->result;
    return 0;
}

CONTAINER_API int ctr_poll(ctr_container *c, ctr_result *res, ctr_error *err) {
    int r;
    ctr__clear_error(err);
    if (res) memset(res, 0, sizeof(*res));
    if (!c) return ctr__fail(err, CTR_STEP_WAIT, EINVAL, "", "container is NULL");
    r = ctr__reap(c, 1, err);
    if (r == 0 && c->deadline_ns && ctr__now_ns() >= c->deadline_ns) r = ctr__expire(c, err);
    if (r == 1 && res) *res = c->result;
    return r;
}

CONTAINER_API int ctr_kill(ctr_container *c, int sig, ctr_error *err) {
    ctr__clear_error(err);
    if (!c) return ctr__fail(err, CTR_STEP_KILL, EINVAL, "", "container is NULL");
    if (c->reaped) return ctr__fail(err, CTR_STEP_KILL, ESRCH, "", "the container has already exited");
    if (ctr__signal(c, sig) != 0)
        return ctr__fail(err, CTR_STEP_KILL, errno, "", "send signal %d to the container", sig);
    return 0;
}

CONTAINER_API void ctr_destroy(ctr_container *c) {
    if (!c) return;
    if (!c->reaped) {
        ctr__signal(c, SIGKILL); /* pid 1 dying takes the whole pid namespace with it */
        ctr__reap(c, 0, NULL);
    }
    ctr__container_free(c);
}

CONTAINER_API int ctr_pidfd(const ctr_container *c) { return c ? c->pidfd : -1; }
CONTAINER_API pid_t ctr_pid(const ctr_container *c) { return c ? c->pid : -1; }

CONTAINER_API int ctr_stdio_fd(const ctr_container *c, int stream) {
    return (c && stream >= 0 && stream < 3) ? c->stdio[stream] : -1;
}

CONTAINER_API void ctr_close_stdio(ctr_container *c, int stream) {
    if (c && stream >= 0 && stream < 3) ctr__close(&c->stdio[stream]);
}

CONTAINER_API int ctr_stats(ctr_container *c, ctr_usage *usage, ctr_error *err) {
    ctr__clear_error(err);
    if (!c || !usage) return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "", "container or usage is NULL");
    memset(usage, 0, sizeof(*usage));
    return ctr__cg_stats(&c->cg, usage, err);
}

CONTAINER_API int ctr_pause(ctr_container *c, ctr_error *err) {
    ctr__clear_error(err);
    if (!c) return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "", "container is NULL");
    return ctr__cg_freeze(&c->cg, 1, err);
}

CONTAINER_API int ctr_resume(ctr_container *c, ctr_error *err) {
    ctr__clear_error(err);
    if (!c) return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "", "container is NULL");
    return ctr__cg_freeze(&c->cg, 0, err);
}

CONTAINER_API int64_t ctr_deadline_ns(const ctr_container *c) { return c ? c->deadline_ns : 0; }

CONTAINER_API const char *ctr_cgroup_path(const ctr_container *c) {
    if (!c) return "";
    if (c->cg.version == 2) return c->cg.dir;
    if (c->cg.version == 1) return c->cg.v1[CTR__V1_CPUACCT] ? c->cg.v1[CTR__V1_CPUACCT] : "";
    return "";
}
