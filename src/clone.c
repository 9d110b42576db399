/* clone.c - making child processes, for the spawn (spawn.c, shim.c) and the netns pool (netns.c).

   Two ways.  The vfork-style clone (x86-64, Linux 6.12 or newer): clone3 with CLONE_VM, as
   posix_spawn does, the child running on a stack of its own in this process's memory; with
   CLONE_VFORK the calling thread sleeps in the kernel until the child has exec'd or exited.
   Nothing of the host's memory is copied, so a spawn costs the same from a host of 10 MiB or of
   10 GiB.  The fork-style clone: clone3 without CLONE_VM (the child gets a copy of the host's
   memory), falling back to clone where clone3 is missing or filtered.

   A child shares (vfork-style) or copied (fork-style) the host's memory: from its first
   instruction to execve it follows the rules of child.c. */
#include "internal.h"

/* Sanitizers keep shadow state per stack, and a child running instrumented code on a stack of
   the host's memory confuses them: sanitized builds take the fork-style path. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define CTR__SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CTR__SANITIZED 1
#endif

/* The dumpable flag belongs to the memory, which a vfork-style child shares until execve:
   making itself undumpable, or changing its uid (the kernel then applies fs.suid_dumpable),
   changes the host's too.  The first of any concurrent vfork-style spawns saves the host's
   value and the last one puts it back, so that overlapping spawns cannot leave it changed. */
static pthread_mutex_t ctr__dump_lock = PTHREAD_MUTEX_INITIALIZER;
static int ctr__dump_users, ctr__dump_saved;

/* The host's own dumpable flag (not the value a spawn in flight has set for a while). */
static int ctr__host_dumpable(void) {
    int v;
    pthread_mutex_lock(&ctr__dump_lock);
    v = ctr__dump_users ? ctr__dump_saved : CTR__CAST(int, prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    pthread_mutex_unlock(&ctr__dump_lock);
    return v;
}

static void ctr__dump_enter(void) {
    pthread_mutex_lock(&ctr__dump_lock);
    if (ctr__dump_users++ == 0)
        ctr__dump_saved = CTR__CAST(int, prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    pthread_mutex_unlock(&ctr__dump_lock);
}

static void ctr__dump_leave(void) {
    pthread_mutex_lock(&ctr__dump_lock);
    if (--ctr__dump_users == 0 && (ctr__dump_saved == 0 || ctr__dump_saved == 1) &&
        prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != ctr__dump_saved)
        (void)prctl(PR_SET_DUMPABLE, ctr__dump_saved, 0, 0, 0);
    pthread_mutex_unlock(&ctr__dump_lock);
}

/* clone3 exists (it is missing before Linux 5.3, or filtered with ENOSYS by an outer seccomp
   profile).  Asked once per process: size 0 is EINVAL where the call exists. */
static int ctr__have_clone3(void) {
    static int cached; /* 0: not asked yet, 1: yes, 2: no */
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (!v) {
        v = syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS ? 2 : 1;
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v == 1;
}

/* Stacks for children on our memory: a guard page below (an overflow faults, never corrupts),
   MAP_NORESERVE (only the pages touched cost).  Those of the setup size are kept for the next
   spawn (a few, for concurrent spawners): a fresh mapping costs a page fault for every page the
   child touches, and a page fault is not cheap in a VM. */
#define CTR__CACHED 4
static pthread_mutex_t ctr__stack_lock = PTHREAD_MUTEX_INITIALIZER;
static char *ctr__stack_cache[CTR__CACHED];
static int ctr__nstacks;

static char *ctr__stack_alloc(size_t size) {
    char *stack = NULL;
    if (size == CTR__STACK_SIZE) {
        pthread_mutex_lock(&ctr__stack_lock);
        if (ctr__nstacks > 0) stack = ctr__stack_cache[--ctr__nstacks];
        pthread_mutex_unlock(&ctr__stack_lock);
        if (stack) return stack;
    }
    stack = CTR__CAST(char *, mmap(NULL, size + CTR__STACK_GUARD, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0));
    if (stack == MAP_FAILED) return NULL;
    if (mprotect(stack, CTR__STACK_GUARD, PROT_NONE) != 0) {
        int e = errno;
        munmap(stack, size + CTR__STACK_GUARD);
        errno = e;
        return NULL;
    }
    return stack;
}

static void ctr__stack_free(char *stack, size_t size) {
    if (!stack) return;
    if (size == CTR__STACK_SIZE) {
        pthread_mutex_lock(&ctr__stack_lock);
        if (ctr__nstacks < CTR__CACHED) {
            ctr__stack_cache[ctr__nstacks++] = stack;
            stack = NULL;
        }
        pthread_mutex_unlock(&ctr__stack_lock);
    }
    if (stack) munmap(stack, size + CTR__STACK_GUARD);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(CTR__SANITIZED) && !defined(CONTAINER_NO_VM_CLONE)
/* clone3 on the stack a->stack (CLONE_VM): the child never returns into this function's frame;
   on its stack it calls fn(arg), then exits. */
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
                         : "0"(CTR__CAST(long, SYS_clone3)), "D"(a), "S"(sizeof(*a)), "b"(fn),
                           "d"(arg)
                         : "rcx", "r11", "memory", "cc");
    return r;
}

/* The vfork-style clone is used on Linux 6.12 and later, where it has been tested (6.18).  On
   the 6.1 test VM with cgroup v1 it led, every few hundred containers, to a soft lockup of the
   whole machine (the containers' tasks spinning in get_signal) that the fork-style clone never
   showed; not understood yet.  Read once per process. */
static int ctr__vm_clone_possible(void) {
    static int cached; /* 0: not read yet, 1: yes, 2: no */
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED), major = 0, minor = 0;
    struct utsname u;
    if (v) return v == 1;
    v = 2;
    if (ctr__have_clone3() && uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
        (major > 6 || (major == 6 && minor >= 12)))
        v = 1;
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    return v == 1;
}

/* The child on `stack` (from ctr__stack_alloc(size)) and our memory: clone3 with CLONE_VM and
   a's flags (CLONE_VFORK among them to wait for its exec).  Raw: callable from a child too.
   The child's pid, or -1 with errno. */
static long ctr__clone_on(ctr__clone_args *a, char *stack, size_t size, void (*fn)(void *),
                          void *arg) {
    ctr__clone_args vm = *a;
    long r;
    vm.flags |= CLONE_VM;
    vm.stack = CTR__PTR_TO_U64(stack + CTR__STACK_GUARD);
    vm.stack_size = size;
    r = ctr__clone3_on_stack(&vm, fn, arg);
    if (r < 0) {
        errno = CTR__CAST(int, -r);
        return -1;
    }
    return r;
}
#else
static int ctr__vm_clone_possible(void) { return 0; }

static long ctr__clone_on(ctr__clone_args *a, char *stack, size_t size, void (*fn)(void *),
                          void *arg) {
    (void)a;
    (void)stack;
    (void)size;
    (void)fn;
    (void)arg;
    errno = ENOSYS;
    return -1;
}
#endif

/* Clones a child that runs fn(arg) and never returns.  how: CTR__CLONE_VM for the vfork-style
   clone where possible (it implies waiting), CTR__CLONE_WAIT to sleep until the child has
   exec'd or exited.  a: flags (namespaces, CLONE_PIDFD, CLONE_INTO_CGROUP...), exit signal,
   pidfd, cgroup.  Returns the child's pid, or -1 with errno; ENOSYS with CLONE_INTO_CGROUP asked
   for means clone3 is missing: the caller has the child move itself and calls again without it.
   Raw system calls but for the stack cache (CTR__CLONE_VM): the fork-style clone may be called
   from a child. */
static long ctr__clone(ctr__clone_args *a, unsigned how, void (*fn)(void *), void *arg) {
    ctr__clone_args f = *a;
    long r;
    if (how & (CTR__CLONE_WAIT | CTR__CLONE_VM)) f.flags |= CLONE_VFORK;
    if ((how & CTR__CLONE_VM) && ctr__vm_clone_possible()) {
        char *stack = ctr__stack_alloc(CTR__STACK_SIZE);
        if (!stack) return -1;
        ctr__dump_enter();
        r = ctr__clone_on(&f, stack, CTR__STACK_SIZE, fn, arg);
        ctr__dump_leave();
        /* Back here, the child has exec'd (its own memory now) or exited: the stack is free. */
        ctr__stack_free(stack, CTR__STACK_SIZE);
        if (r >= 0 || errno != ENOSYS) return r;
    }
    r = syscall(SYS_clone3, &f, sizeof(f));
    if (r < 0 && errno == ENOSYS && !(f.flags & CLONE_INTO_CGROUP)) {
        /* clone(flags | exit signal, stack 0: like fork, parent_tid: the pidfd) */
        r = syscall(SYS_clone, CTR__CAST(unsigned long, f.flags | (f.exit_signal & 0xff)), 0,
                    CTR__U64_TO_PTR(int *, f.pidfd), 0, 0);
    }
    if (r == 0) {
        fn(arg);
        ctr__c_exit(127); /* not reached */
    }
    return r;
}
