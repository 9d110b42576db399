/* security.c - the capability sets and the seccomp filter, computed into the plan (plan.c calls
   ctr__plan_security).  The child applies them (child.c) as its last steps before execve. */
#include "internal.h"

#define CTR__SECCOMP_RET_KILL_PROCESS 0x80000000u
#define CTR__SECCOMP_RET_ERRNO        0x00050000u
#define CTR__SECCOMP_RET_LOG          0x7ffc0000u
#define CTR__SECCOMP_RET_ALLOW        0x7fff0000u
#define CTR__BPF_LD_W_ABS             0x20 /* BPF_LD | BPF_W | BPF_ABS */
#define CTR__BPF_JEQ_K                0x15 /* BPF_JMP | BPF_JEQ | BPF_K */
#define CTR__BPF_JGE_K                0x35 /* BPF_JMP | BPF_JGE | BPF_K */
#define CTR__BPF_JSET_K               0x45 /* BPF_JMP | BPF_JSET | BPF_K */
#define CTR__BPF_RET_K                0x06 /* BPF_RET | BPF_K */
/* struct seccomp_data: int nr; u32 arch; u64 ip; u64 args[6] (little-endian: low word first). */
#define CTR__SD_NR        0
#define CTR__SD_ARCH      4
#define CTR__SD_ARG_LO(i) (16 + 8 * (i))

#if defined(__x86_64__)
#define CTR__AUDIT_ARCH 0xc000003eu /* AUDIT_ARCH_X86_64 */
#define CTR__X32_BIT    0x40000000u
#elif defined(__aarch64__)
#define CTR__AUDIT_ARCH 0xc00000b7u /* AUDIT_ARCH_AARCH64 */
#else
#error "container.h: the seccomp filter knows x86_64 and aarch64 only"
#endif

static void ctr__bpf_emit(ctr__bpf *f, size_t *n, uint16_t code, uint8_t jt, uint8_t jf,
                          uint32_t k) {
    f[*n].code = code;
    f[*n].jt = jt;
    f[*n].jf = jf;
    f[*n].k = k;
    (*n)++;
}

static uint32_t ctr__seccomp_ret(ctr_seccomp_action a, int e) {
    switch (a) {
    case CTR_SECCOMP_ALLOW: return CTR__SECCOMP_RET_ALLOW;
    case CTR_SECCOMP_LOG: return CTR__SECCOMP_RET_LOG;
    case CTR_SECCOMP_KILL: return CTR__SECCOMP_RET_KILL_PROCESS;
    case CTR_SECCOMP_ERRNO: break;
    }
    return CTR__SECCOMP_RET_ERRNO | (CTR__CAST(uint32_t, e > 0 && e < 4096 ? e : EPERM));
}

/* open_tree_attr (Linux 6.15) is open_tree + mount_setattr in one call; same number on x86_64 and
   aarch64.  Syscalls newer than it are refused with ENOSYS, as an allow-list would: a deny list
   must not let every future syscall through. */
#define CTR__SYS_open_tree_attr          467
#define CTR__SYS_set_mempolicy_home_node 450
#define CTR__AF_VSOCK                    40
#define CTR__SYS_FIRST_UNKNOWN           468

/* The default profile: what Docker's profile refuses, plus what is newer than it.  EPERM, except
   clone3 (ENOSYS, so libc falls back to clone, whose flags the filter can see). */
static const long ctr__seccomp_denied[] = {
    SYS_acct,
    SYS_add_key,
    SYS_bpf,
    SYS_clock_adjtime,
    SYS_clock_settime,
    SYS_delete_module,
    SYS_finit_module,
    SYS_init_module,
    SYS_kexec_load,
    SYS_kexec_file_load,
    SYS_keyctl,
    SYS_request_key,
    SYS_lookup_dcookie,
    SYS_mount,
    SYS_umount2,
    SYS_pivot_root,
    SYS_move_mount,
    SYS_open_tree,
    SYS_fsopen,
    SYS_fsconfig,
    SYS_fsmount,
    SYS_fspick,
    SYS_mount_setattr,
    SYS_name_to_handle_at,
    SYS_open_by_handle_at,
    SYS_perf_event_open,
    SYS_quotactl,
    SYS_reboot,
    SYS_setns,
    SYS_unshare,
    SYS_settimeofday,
    SYS_swapon,
    SYS_swapoff,
    SYS_userfaultfd,
    SYS_io_uring_setup,
    SYS_io_uring_enter,
    SYS_io_uring_register,
    SYS_process_vm_readv,
    SYS_process_vm_writev,
    SYS_kcmp,
    SYS_get_mempolicy,
    SYS_set_mempolicy,
    SYS_mbind,
    SYS_move_pages,
    SYS_migrate_pages,
    CTR__SYS_set_mempolicy_home_node,
    SYS_fanotify_init,
    SYS_vhangup,
    SYS_pidfd_getfd,
    SYS_syslog,
    CTR__SYS_open_tree_attr,
#ifdef SYS_modify_ldt
    SYS_modify_ldt,
#endif
#ifdef SYS_quotactl_fd
    SYS_quotactl_fd,
#endif
#ifdef SYS_iopl
    SYS_iopl,
    SYS_ioperm,
#endif
#ifdef SYS_uselib
    SYS_uselib,
    SYS_ustat,
    SYS_sysfs,
    SYS__sysctl,
    SYS_create_module,
    SYS_get_kernel_syms,
    SYS_query_module,
    SYS_nfsservctl,
#endif
#ifdef SYS_umount
    SYS_umount,
#endif
};

#define CTR__NS_FLAGS                                                                          \
    (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | \
     CLONE_NEWCGROUP | CLONE_NEWTIME)

/* Arch check, x32 check, syscall number in the accumulator. */
static void ctr__bpf_prologue(ctr__bpf *f, size_t *n) {
    ctr__bpf_emit(f, n, CTR__BPF_LD_W_ABS, 0, 0, CTR__SD_ARCH);
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 1, 0, CTR__AUDIT_ARCH);
    /* i386 (int 0x80), arm32: other syscall tables, refused whole so they cannot bypass this one */
    ctr__bpf_emit(f, n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | ENOSYS);
    ctr__bpf_emit(f, n, CTR__BPF_LD_W_ABS, 0, 0, CTR__SD_NR);
#ifdef CTR__X32_BIT
    ctr__bpf_emit(f, n, CTR__BPF_JGE_K, 0, 1, CTR__X32_BIT);
    ctr__bpf_emit(f, n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | ENOSYS);
#endif
}

/* The default profile's head, shared by both builds (libseccomp cannot express these: a range
   of syscall numbers, and an allow-list of one argument's values under an allowing default).
   Syscalls newer than the profile fail with ENOSYS, as an allow-list would; personality() may
   only ask for the personas Docker allows (Linux, LINUX32, UNAME26, both, and 0xffffffff, the
   query), compared on the low 32 bits, which are all the kernel reads. */
static void ctr__bpf_default_head(ctr__bpf *f, size_t *n) {
    ctr__bpf_prologue(f, n);
    ctr__bpf_emit(f, n, CTR__BPF_JGE_K, 0, 1, CTR__SYS_FIRST_UNKNOWN);
    ctr__bpf_emit(f, n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | ENOSYS);
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 0, 8, SYS_personality);
    ctr__bpf_emit(f, n, CTR__BPF_LD_W_ABS, 0, 0, CTR__SD_ARG_LO(0));
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 5, 0, 0x0u);
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 4, 0, 0x8u);
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 3, 0, 0x20000u);
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 2, 0, 0x20008u);
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 1, 0, 0xffffffffu);
    ctr__bpf_emit(f, n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | EPERM);
    ctr__bpf_emit(f, n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
}
#define CTR__BPF_HEAD_MAX 24

#define CTR__NDENIED         (sizeof(ctr__seccomp_denied) / sizeof(ctr__seccomp_denied[0]))
#define CTR__BPF_DEFAULT_MAX (48 + 2 * CTR__NDENIED)

static size_t ctr__bpf_default(ctr__bpf *f) {
    size_t n = 0, i;
    ctr__bpf_default_head(f, &n);
    /* clone: refuse new namespaces (the flags are args[0] on x86_64 and aarch64). */
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 4, SYS_clone);
    ctr__bpf_emit(f, &n, CTR__BPF_LD_W_ABS, 0, 0, CTR__SD_ARG_LO(0));
    ctr__bpf_emit(f, &n, CTR__BPF_JSET_K, 0, 1, CTR__NS_FLAGS);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | EPERM);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
    /* ioctl: refuse TIOCSTI and TIOCLINUX (the low 32 bits of the request, as the kernel sees it). */
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 5, SYS_ioctl);
    ctr__bpf_emit(f, &n, CTR__BPF_LD_W_ABS, 0, 0, CTR__SD_ARG_LO(1));
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 2, 0, TIOCSTI);
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 1, 0, TIOCLINUX);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | EPERM);
    /* socket: no AF_VSOCK (vsock is not confined by network namespaces: it reaches the
       hypervisor's services); the family is an int, so its low 32 bits. */
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 4, SYS_socket);
    ctr__bpf_emit(f, &n, CTR__BPF_LD_W_ABS, 0, 0, CTR__SD_ARG_LO(0));
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 1, CTR__AF_VSOCK);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | EAFNOSUPPORT);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 1, SYS_clone3);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | ENOSYS);
    for (i = 0; i < CTR__NDENIED; i++) {
        ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 1, CTR__CAST(uint32_t, ctr__seccomp_denied[i]));
        ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | EPERM);
    }
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
    return n;
}

static size_t ctr__bpf_rules(ctr__bpf *f, const ctr_spec *s) {
    size_t n = 0, i;
    ctr__bpf_prologue(f, &n);
    for (i = 0; i < s->nseccomp_rules; i++) {
        const ctr_seccomp_rule *r = &s->seccomp_rules[i];
        ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 1, CTR__CAST(uint32_t, r->nr));
        ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, ctr__seccomp_ret(r->action, r->errno_value));
    }
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0,
                  ctr__seccomp_ret(s->seccomp_default_action, s->seccomp_default_errno));
    return n;
}

/* The interception filter (notify.c): the syscalls in nrs go to the host's listener
   (SECCOMP_RET_USER_NOTIF), everything else is allowed, as far as this filter goes (the plan's own
   filter, stacked below it, still refuses what it refuses: the kernel applies the strictest
   verdict).  Other architectures and x32 fail with ENOSYS, as in the default profile, so their
   numbers cannot slip past.  The child's own calls after this filter is in place (notify.c)
   carry the cookie in argument bits the kernel ignores (the upper half of an int argument, the
   high word of pwritev2's offset) and are allowed. */
#define CTR__SECCOMP_RET_USER_NOTIF 0x7fc00000u
#define CTR__SD_ARG_HI(i)           (20 + 8 * (i))
static size_t ctr__bpf_notify(ctr__bpf *f, const long *nrs, size_t n, uint64_t cookie) {
    uint32_t hi = CTR__CAST(uint32_t, cookie >> 32), lo = CTR__CAST(uint32_t, cookie);
    size_t len = 0, i, j;
    ctr__bpf_prologue(f, &len);
    for (i = 0; i < n; i++) {
        uint32_t off[2], val[2];
        size_t nc = 0, k;
        int seen = 0;
        for (j = 0; j < i && !seen; j++) seen = nrs[j] == nrs[i];
        if (seen) continue;
        if (nrs[i] == SYS_sendmsg || nrs[i] == SYS_execveat) {
            off[0] = CTR__SD_ARG_HI(0); /* the descriptor (an int) */
            val[0] = hi;
            off[1] = CTR__SD_ARG_HI(nrs[i] == SYS_sendmsg ? 2 : 4); /* the flags (an int) */
            val[1] = lo;
            nc = 2;
        } else if (nrs[i] == SYS_pwritev2) {
            off[0] = CTR__SD_ARG_HI(4); /* pos_h: ignored on 64-bit */
            val[0] = hi;
            off[1] = CTR__SD_ARG_LO(4);
            val[1] = lo;
            nc = 2;
        } else if (nrs[i] == SYS_exit_group) {
            off[0] = CTR__SD_ARG_HI(0); /* the status (an int) */
            val[0] = hi;
            nc = 1;
        }
        ctr__bpf_emit(f, &len, CTR__BPF_JEQ_K, 0, CTR__CAST(uint8_t, nc ? 2 * nc + 2 : 1),
                      CTR__CAST(uint32_t, nrs[i]));
        for (k = 0; k < nc; k++) {
            ctr__bpf_emit(f, &len, CTR__BPF_LD_W_ABS, 0, 0, off[k]);
            ctr__bpf_emit(f, &len, CTR__BPF_JEQ_K, 0, CTR__CAST(uint8_t, 2 * (nc - k - 1) + 1),
                          val[k]);
        }
        if (nc) ctr__bpf_emit(f, &len, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
        ctr__bpf_emit(f, &len, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_USER_NOTIF);
    }
    ctr__bpf_emit(f, &len, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
    return len;
}

#ifdef CONTAINER_WITH_LIBSECCOMP
/* The same profile and rules compiled by libseccomp, exported as BPF into the plan; the child
   installs it exactly as it installs our own. */
static uint32_t ctr__scmp_action(ctr_seccomp_action a, int e) {
    switch (a) {
    case CTR_SECCOMP_ALLOW: return SCMP_ACT_ALLOW;
    case CTR_SECCOMP_LOG: return SCMP_ACT_LOG;
    case CTR_SECCOMP_KILL: return SCMP_ACT_KILL_PROCESS;
    case CTR_SECCOMP_ERRNO: break;
    }
    return SCMP_ACT_ERRNO(CTR__CAST(uint32_t, e > 0 && e < 4096 ? e : EPERM));
}

static int ctr__scmp_default(scmp_filter_ctx ctx) {
    static const uint64_t ns[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,    CLONE_NEWNET,
                                  CLONE_NEWIPC,  CLONE_NEWUTS, CLONE_NEWCGROUP, CLONE_NEWTIME};
    size_t i;
    int r = 0;
    for (i = 0; r == 0 && i < sizeof(ns) / sizeof(ns[0]); i++)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, ns[i], ns[i]));
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI));
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX));
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, CTR__AF_VSOCK));
    if (r == 0) r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    for (i = 0; r == 0 && i < CTR__NDENIED; i++)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), CTR__CAST(int, ctr__seccomp_denied[i]), 0);
    return r;
}

static int ctr__plan_libseccomp(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    uint32_t def = s->seccomp == CTR_SECCOMP_RULES
                       ? ctr__scmp_action(s->seccomp_default_action, s->seccomp_default_errno)
                       : SCMP_ACT_ALLOW;
    scmp_filter_ctx ctx = seccomp_init(def);
    struct stat st;
    size_t i;
    int r, fd = -1;
    if (!ctx) return ctr__fail(err, CTR_STEP_SECCOMP, ENOMEM, "", "libseccomp: seccomp_init");
    r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
    if (r == 0 && s->seccomp == CTR_SECCOMP_DEFAULT) r = ctr__scmp_default(ctx);
    for (i = 0; r == 0 && s->seccomp == CTR_SECCOMP_RULES && i < s->nseccomp_rules; i++) {
        /* As in the built-in compiler: the first rule for a syscall wins, and a rule that does what
           the default does changes nothing (libseccomp refuses both). */
        uint32_t act =
            ctr__scmp_action(s->seccomp_rules[i].action, s->seccomp_rules[i].errno_value);
        size_t j;
        int seen = act == def;
        for (j = 0; j < i && !seen; j++) seen = s->seccomp_rules[j].nr == s->seccomp_rules[i].nr;
        if (!seen) r = seccomp_rule_add(ctx, act, CTR__CAST(int, s->seccomp_rules[i].nr), 0);
    }
    if (r == 0 && (fd = CTR__CAST(int, syscall(SYS_memfd_create, "ctr-seccomp", MFD_CLOEXEC))) < 0)
        r = -errno;
    if (r == 0) r = seccomp_export_bpf(ctx, fd);
    seccomp_release(ctx);
    if (r == 0 && (fstat(fd, &st) != 0 || st.st_size <= 0 ||
                   st.st_size % CTR__CAST(off_t, sizeof(ctr__bpf)) != 0))
        r = -EINVAL;
    if (r == 0) {
        /* The default profile starts with the head the built-in compiler also uses, then falls
           through into libseccomp's program (which checks the architecture again). */
        size_t head = 0, len = CTR__CAST(size_t, st.st_size) / sizeof(ctr__bpf);
        ctr__bpf *f =
            CTR__CAST(ctr__bpf *, ctr__alloc(p, (len + CTR__BPF_HEAD_MAX) * sizeof(ctr__bpf)));
        if (f && s->seccomp == CTR_SECCOMP_DEFAULT) ctr__bpf_default_head(f, &head);
        if (!f || pread(fd, f + head, CTR__CAST(size_t, st.st_size), 0) != st.st_size)
            r = -EIO;
        else if (head + len > 4096)
            r = -E2BIG;
        p->bpf = f;
        p->bpf_len = head + len;
    }
    ctr__close(&fd);
    if (r != 0) return ctr__fail(err, CTR_STEP_SECCOMP, -r, "", "libseccomp: build the filter");
    return 0;
}
#endif

static int ctr__plan_seccomp(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t cap = 0, i;
    switch (s->seccomp) {
    case CTR_SECCOMP_NONE: return 0;
    case CTR_SECCOMP_DEFAULT: cap = CTR__BPF_DEFAULT_MAX; break;
    case CTR_SECCOMP_RULES:
        if (s->nseccomp_rules && !s->seccomp_rules)
            return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "",
                             "nseccomp_rules is %zu but seccomp_rules is NULL", s->nseccomp_rules);
        for (i = 0; i < s->nseccomp_rules; i++)
            if (s->seccomp_rules[i].nr < 0 || s->seccomp_rules[i].nr > 4095)
                return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "",
                                 "seccomp rule %zu: no syscall number %ld", i,
                                 s->seccomp_rules[i].nr);
        cap = 16 + 2 * s->nseccomp_rules;
        break;
    case CTR_SECCOMP_BPF:
        if (!s->seccomp_bpf || s->seccomp_bpf_len == 0 || s->seccomp_bpf_len > 4096)
            return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "",
                             "seccomp_bpf must hold 1..4096 instructions");
        cap = s->seccomp_bpf_len;
        break;
    default:
        return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "", "unknown seccomp mode %d",
                         CTR__CAST(int, s->seccomp));
    }
    if (cap > 4096)
        return ctr__fail(err, CTR_STEP_SECCOMP, E2BIG, "",
                         "the seccomp filter would exceed 4096 instructions");
#ifdef CONTAINER_WITH_LIBSECCOMP
    if (s->seccomp != CTR_SECCOMP_BPF) return ctr__plan_libseccomp(p, s, err);
#endif
    if (!(p->bpf = CTR__CAST(ctr__bpf *, ctr__alloc(p, cap * sizeof(ctr__bpf)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the seccomp filter");
    if (s->seccomp == CTR_SECCOMP_BPF) {
        memcpy(p->bpf, s->seccomp_bpf, cap * sizeof(ctr__bpf));
        p->bpf_len = cap;
    } else {
        p->bpf_len = s->seccomp == CTR_SECCOMP_DEFAULT ? ctr__bpf_default(p->bpf)
                                                       : ctr__bpf_rules(p->bpf, s);
    }
    CONTAINER_ASSERT(p->bpf_len <= cap);
    return 0;
}

/* The highest capability this kernel knows, read once per process (it cannot change). */
static int ctr__last_cap(void) {
    static int cached;
    char buf[16];
    ssize_t n;
    int fd, v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v) return v;
    v = 40;
    if ((fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC)) >= 0) {
        n = read(fd, buf, sizeof(buf) - 1);
        ctr__close(&fd);
        if (n > 0) {
            buf[n] = '\0';
            if (atoi(buf) > 0 && atoi(buf) < 64) v = atoi(buf);
        }
    }
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    return v;
}

static int ctr__plan_security(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    p->caps_keep = (CTR_CAPS_DEFAULT | s->cap_add) & ~s->cap_drop;
    /* A uid other than 0 has no capabilities, as in Docker, except those explicitly added. */
    p->caps_ambient = (s->cap_add & p->caps_keep);
    p->last_cap = ctr__last_cap();
    p->caps_keep &= p->last_cap >= 63 ? ~0ull : (1ull << (p->last_cap + 1)) - 1;
    p->caps_ambient &= p->caps_keep;
    p->nnp = !s->allow_new_privs;
    p->masks = !s->no_masks;
    /* With init, pid 1 is a copy of the host process: with CAP_SYS_PTRACE over it (real root, no
       user namespace) the command could read the host's memory through /proc/1/mem. */
    if (s->init && !p->userns && (p->caps_keep & CTR_CAP(19)))
        return ctr__fail(
            err, CTR_STEP_CAPS, EINVAL, "",
            "init together with CAP_SYS_PTRACE would let the "
            "container read the host process's memory (pid 1 is a copy of it); use a user "
            "namespace, or drop one of the two");
    return ctr__plan_seccomp(p, s, err);
}
