/* nonet.c - spec.no_network: a container without any network, cheap enough for thousands of idle
   ones.  A network namespace of its own costs about 220 KiB of kernel memory per container;
   no_network containers instead share one empty namespace (loopback down, made once per process,
   netns.c) and are kept apart from each other in it:
   - socket() of any family but AF_UNIX fails with EAFNOSUPPORT (a seccomp filter of its own,
     stacked on the container's; io_uring, which could make sockets past it, fails with EPERM),
     so no IP, netlink or packet socket exists to talk to or observe the others;
   - abstract unix sockets, the one per-namespace name space left, are scoped with Landlock
     (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, Landlock ABI 6, Linux 6.12): a container can connect
     or send only to abstract sockets made within its own container.  Unix sockets with a path
     live in the container's own files.
   What they still share: the list of unix sockets in /proc/net/unix (the addresses, not the
   traffic) and the namespace's identity.  Root only (the namespace belongs to the host's user
   namespace), and refused where the container could change the namespace (CAP_NET_ADMIN,
   CAP_SYS_ADMIN, no_masks) or where Landlock cannot scope. */
#include "internal.h"

#if defined(__x86_64__)
#define CTR__NONET_ARCH 0xc000003eu /* AUDIT_ARCH_X86_64 */
#define CTR__NONET_X32  0x40000000u
#elif defined(__aarch64__)
#define CTR__NONET_ARCH 0xc00000b7u /* AUDIT_ARCH_AARCH64 */
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif

static int ctr__plan_no_network(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    const char *why = NULL;
    long abi;
    if (!spec->no_network) return 0;
    if (spec->share & CTR_NS_NET)
        why = "it contradicts sharing the host's network namespace (CTR_NS_NET)";
    else if (spec->netns_pool)
        why = "it contradicts netns_pool (a namespace of its own, from the pool)";
    else if (spec->net != CTR_NET_NONE)
        why = "it contradicts a network (net = CTR_NET_BRIDGE or CTR_NET_PASTA)";
    else if (geteuid() != 0 || p->userns)
        why = "it needs root and no user namespace (the shared namespace belongs to the host's "
              "user namespace)";
    else if (p->caps_keep & (CTR_CAP(12) | CTR_CAP(21)))
        why = "the container keeps CAP_NET_ADMIN or CAP_SYS_ADMIN and could reconfigure the "
              "shared namespace";
    else if (!p->masks)
        why = "no_masks leaves /proc/sys writable, and with it the shared namespace's sysctls";
    if (why)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "no_network", "no_network cannot be used: %s",
                         why);
    abi = syscall(CTR__SYS_landlock_create_ruleset, NULL, 0, CTR__LL_CREATE_RULESET_VERSION);
    if (abi < 6)
        return ctr__fail(err, CTR_STEP_SPEC, abi < 0 ? errno : ENOTSUP, "no_network",
                         "no_network needs Landlock ABI 6 (Linux 6.12, with landlock among the "
                         "LSMs) to keep the containers' abstract unix sockets apart%s%ld; give "
                         "the container a network namespace of its own (the default) instead",
                         abi < 0 ? ": landlock_create_ruleset fails" : ": this kernel has ABI ",
                         abi < 0 ? 0L : abi);
    p->no_network = 1;
    return 0;
}

/* In the child, next to the container's own seccomp filter (the same moment, for the same
   reason: no_new_privs or CAP_SYS_ADMIN). */
static void ctr__c_nonet(const ctr__launch *l) {
    static const ctr__bpf filter[] = {
        {0x20, 0, 0, 4}, /* ld arch */
        {0x15, 1, 0, CTR__NONET_ARCH},
        {0x06, 0, 0, 0x00050000u | ENOSYS}, /* another ABI: ENOSYS */
        {0x20, 0, 0, 0},                    /* ld nr */
#ifdef CTR__NONET_X32
        {0x35, 0, 1, CTR__NONET_X32},
        {0x06, 0, 0, 0x00050000u | ENOSYS}, /* x32: ENOSYS */
#endif
        {0x15, 3, 0, SYS_socket},
        {0x15, 0, 1, SYS_io_uring_setup},
        {0x06, 0, 0, 0x00050000u | EPERM},
        {0x06, 0, 0, 0x7fff0000u}, /* allow */
        {0x20, 0, 0, 16},          /* ld args[0] (low half) */
        {0x15, 1, 0, AF_UNIX},
        {0x06, 0, 0, 0x00050000u | EAFNOSUPPORT},
        {0x06, 0, 0, 0x7fff0000u},
    };
    struct {
        unsigned short len;
        const ctr__bpf *filter;
    } prog;
    struct {
        uint64_t fs, net, scoped;
    } attr;
    int fd;
    if (!l->plan->no_network) return;
    memset(&attr, 0, sizeof(attr));
    attr.scoped = CTR__LL_SCOPE_ABSTRACT_UNIX;
    fd = ctr__sys_int(syscall(CTR__SYS_landlock_create_ruleset, &attr, sizeof(attr), 0));
    if (fd < 0 || syscall(CTR__SYS_landlock_restrict_self, fd, 0) != 0)
        ctr__c_die(l, CTR_STEP_SECCOMP, errno, "",
                   "scope abstract unix sockets (Landlock) for "
                   "no_network",
                   NULL, NULL, NULL);
    ctr__r_close(fd);
    prog.len = CTR__CAST(unsigned short, sizeof(filter) / sizeof(filter[0]));
    prog.filter = filter;
    if (syscall(SYS_prctl, PR_SET_SECCOMP, 2, &prog, 0, 0) != 0)
        ctr__c_die(l, CTR_STEP_SECCOMP, errno, "", "install the no_network socket filter", NULL,
                   NULL, NULL);
}
