/* shim.c - the container's parent.  The host's own child is not the container's command but a
   shim that never execs: cloned with exit signal 0, it stays invisible to the host's wait(),
   waitpid(-1) and SIGCHLD handler, and a host that ignores SIGCHLD (or sets SA_NOCLDWAIT) cannot
   make the kernel reap it behind the library's back (the kernel resets a child's exit signal to
   SIGCHLD at its execve, so the command itself could not stay hidden).  The shim clones the
   command (CLONE_VFORK: it wakes once the command has exec'd or failed), tells the host STARTED
   and passes it the command's pidfd, then waits for the command and reports its wait status
   (EXIT) before it exits.  It lives outside the container: the host's pid namespace, the host's
   cgroup; only for ctr_exec it first joins the container's namespaces (its children then start
   in the container's pid namespace).

   RULES FOR THIS FILE: those of child.c.  The shim runs on the host's memory (a stack of its own;
   vfork-style) or on a copy of it (fork-style): raw system calls only, no malloc, no locks, and
   nothing of the host's but the launch and plan, which stay valid until the host has read
   STARTED; afterwards the shim touches only its own stack. */
#include "internal.h"

static void ctr__shim_write(int fd, int kind, int status) {
    ctr__status_msg m;
    long w;
    memset(&m, 0, sizeof(m));
    m.kind = kind;
    m.status = status;
    do w = ctr__r_write(fd, &m, sizeof(m));
    while (w < 0 && errno == EINTR);
}

static void ctr__shim_main(void *launch) {
    const ctr__launch *l = CTR__CAST(const ctr__launch *, launch);
    uint64_t all = ~CTR__CAST(uint64_t, 0);
    ctr__clone_args a;
    int pidfd = -1, statusfd = l->statusfd, sig, direct;
    long pid;
    /* Every signal stays blocked: SIGCHLD and SIGTERM are taken with sigtimedwait below, and
       only SIGKILL ends the shim at once (and then the command, whose parent-death signal
       follows it).  SIGTERM is the shim's parent-death signal: the host's thread gone, it kills
       the command and reaps it before it goes itself. */
    ctr__r_sigmask(SIG_SETMASK, &all, NULL);
    /* The host's dispositions are copied: an ignored SIGCHLD or SA_NOCLDWAIT would have the
       kernel reap the command behind the shim's back.  Back to the defaults, all of them. */
    for (sig = 1; sig < NSIG; sig++) {
        static const unsigned long dfl[4] = {0, 0, 0, 0};
        if (sig != SIGKILL && sig != SIGSTOP) (void)syscall(SYS_rt_sigaction, sig, dfl, NULL, 8);
    }
    ctr__c_die_with_host(l, SIGTERM);
    if (l->join_pidfd >= 0 && syscall(SYS_setns, l->join_pidfd, l->join_flags) != 0)
        ctr__c_die(l, CTR_STEP_CLONE, errno, "", "join the container's namespaces", NULL, NULL,
                   NULL);
    memset(&a, 0, sizeof(a));
    a.flags = l->clone_flags | CLONE_PIDFD | CLONE_VFORK;
    a.pidfd = CTR__PTR_TO_U64(&pidfd);
    a.exit_signal = SIGCHLD; /* the shim is its parent, and waits with wait4 */
    if (l->plan->direct) {
        /* The command is the host's child (its exit signal the shim's, SIGCHLD); the shim only
           joins the namespaces and goes.  A command waiting for its start is not waited for. */
        a.flags |= CLONE_PARENT;
        a.exit_signal = 0;
        if (l->plan->wait_start) a.flags &= ~CTR__CAST(uint64_t, CLONE_VFORK);
    }
    if (l->cgroup_fd >= 0) {
        a.flags |= CLONE_INTO_CGROUP;
        a.cgroup = CTR__CAST(uint64_t, l->cgroup_fd);
    }
    if (l->cmd_stack) {
        pid = ctr__clone_on(&a, l->cmd_stack, CTR__STACK_SIZE, ctr__child_main, launch);
    } else {
        pid = syscall(SYS_clone3, &a, sizeof(a));
        if (pid < 0 && errno == ENOSYS && !(a.flags & CLONE_INTO_CGROUP))
            pid = syscall(SYS_clone, CTR__CAST(unsigned long, a.flags | a.exit_signal), 0, &pidfd,
                          0, 0);
        if (pid == 0) ctr__child_main(launch);
    }
    if (pid < 0)
        ctr__c_die(l, CTR_STEP_CLONE, errno, "", "create the container process", NULL, NULL, NULL);
    /* The command has exec'd, or has reported why not and exited: STARTED comes after its
       report, and the host reads the error pipe first. */
    ctr__c_send_fd(l, 'c', pidfd);
    /* After STARTED the launch and the plan may be gone (the host returns from ctr_spawn and
       reuses that memory): what the shim still needs is on its own stack. */
    direct = l->plan->direct;
    ctr__shim_write(statusfd, CTR__MSG_STARTED, CTR__CAST(int, pid));
    if (direct) ctr__c_exit(0);
    /* From here on the shim holds nothing but the status pipe (and its own stack). */
    if ((statusfd > 0 && syscall(SYS_close_range, 0, CTR__CAST(unsigned, statusfd - 1), 0) != 0) ||
        syscall(SYS_close_range, CTR__CAST(unsigned, statusfd + 1), ~0u, 0) != 0)
        syscall(SYS_kill, pid, SIGKILL);
    for (;;) {
        uint64_t wait_for = (1ull << (SIGCHLD - 1)) | (1ull << (SIGTERM - 1));
        siginfo_t si;
        int st;
        long r = syscall(SYS_wait4, pid, &st, __WALL | WNOHANG, NULL);
        if (r == pid) {
            ctr__shim_write(statusfd, CTR__MSG_EXIT, st);
            ctr__c_exit(0);
        }
        if (r < 0 && errno != EINTR) ctr__c_exit(127);
        if (syscall(SYS_rt_sigtimedwait, &wait_for, &si, NULL, 8) == SIGTERM)
            syscall(SYS_kill, pid, SIGKILL); /* our child, not reaped yet: the pid is its */
    }
}
