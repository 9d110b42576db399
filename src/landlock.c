/* landlock.c - Landlock rules for the container (manual section 16): which files it may read,
   write and execute, which TCP ports it may bind and connect to, and whether it may reach
   abstract unix sockets and processes outside (scopes).

   The plan checks the rules and this kernel's Landlock ABI, and works out the rights the
   ruleset handles (every right of a kind that the ABI knows, once a rule of that kind is given:
   what no rule allows is then denied).  The child, after pivot_root, opens each rule's path
   inside the new root (openat2 RESOLVE_IN_ROOT, as the mounts are), builds the ruleset, and
   enforces it (landlock_restrict_self) just before the seccomp filters: raw system calls only,
   by the rules of child.c. */
#include "internal.h"

#define CTR__LL_RULE_PATH_BENEATH        1
#define CTR__LL_RULE_NET_PORT            2

/* LANDLOCK_ACCESS_FS_* by ABI: 1 (Linux 5.13) bits 0-12, 2 (5.19) REFER, 3 (6.2) TRUNCATE,
   5 (6.10) IOCTL_DEV; LANDLOCK_ACCESS_NET_* 4 (6.7); scopes 6 (6.12). */
#define CTR__LL_EXECUTE    (1ull << 0)
#define CTR__LL_WRITE_FILE (1ull << 1)
#define CTR__LL_READ_FILE  (1ull << 2)
#define CTR__LL_READ_DIR   (1ull << 3)
#define CTR__LL_REFER      (1ull << 13)
#define CTR__LL_TRUNCATE   (1ull << 14)
#define CTR__LL_IOCTL_DEV  (1ull << 15)
#define CTR__LL_FS_ABI1    ((1ull << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define CTR__LL_WRITE_ALL \
    (CTR__LL_FS_ABI1 & ~(CTR__LL_EXECUTE | CTR__LL_READ_FILE | CTR__LL_READ_DIR))
/* What a rule on a file (not a directory) may allow. */
#define CTR__LL_FILE_RIGHTS                                                        \
    (CTR__LL_EXECUTE | CTR__LL_WRITE_FILE | CTR__LL_READ_FILE | CTR__LL_TRUNCATE | \
     CTR__LL_IOCTL_DEV)
#define CTR__LL_BIND_TCP    (1ull << 0)
#define CTR__LL_CONNECT_TCP (1ull << 1)

/* For tests only (tests/test_policy.c), to see what the library does on an older kernel: above
   0, the ABI this kernel is taken to have is at most this; below 0, Landlock is taken to be
   turned off (as with a boot parameter lsm= that leaves it out). */
static int ctr__landlock_abi_cap;

static int ctr__landlock_abi_of_kernel(int *why) {
    long v = syscall(CTR__SYS_landlock_create_ruleset, NULL, 0, CTR__LL_CREATE_RULESET_VERSION);
    *why = v < 0 ? errno : 0;
    if (v < 0) v = 0;
    if (ctr__landlock_abi_cap > 0 && v > ctr__landlock_abi_cap) v = ctr__landlock_abi_cap;
    if (ctr__landlock_abi_cap < 0) {
        v = 0;
        *why = EOPNOTSUPP;
    }
    return CTR__CAST(int, v);
}

CONTAINER_API int ctr_landlock_abi(void) {
    int why;
    return ctr__landlock_abi_of_kernel(&why);
}

static uint64_t ctr__ll_fs_handled(int abi) {
    uint64_t fs = abi >= 1 ? CTR__LL_FS_ABI1 : 0;
    if (abi >= 2) fs |= CTR__LL_REFER;
    if (abi >= 3) fs |= CTR__LL_TRUNCATE;
    if (abi >= 5) fs |= CTR__LL_IOCTL_DEV;
    return fs;
}

/* The spec's CTR_LL_* as Landlock rights (before the ABI's mask). */
static uint64_t ctr__ll_fs_rights(unsigned access) {
    uint64_t r = 0;
    if (access & CTR_LL_READ) r |= CTR__LL_READ_FILE | CTR__LL_READ_DIR | CTR__LL_IOCTL_DEV;
    if (access & CTR_LL_WRITE)
        r |= CTR__LL_WRITE_ALL | CTR__LL_REFER | CTR__LL_TRUNCATE | CTR__LL_IOCTL_DEV;
    if (access & CTR_LL_EXEC) r |= CTR__LL_EXECUTE | CTR__LL_READ_FILE;
    return r;
}

/* The feature the kernel lacks: fails unless best effort (then 0, and the caller drops it). */
static int ctr__ll_missing(const ctr_spec *s, int abi, int why, int need, const char *what,
                           const char *linux_version, ctr_error *err) {
    if (s->landlock_best_effort) return 0;
    if (abi == 0)
        return ctr__fail(err, CTR_STEP_LANDLOCK, why == ENOSYS ? ENOSYS : EOPNOTSUPP, "",
                         "%s need Landlock, which this kernel %s", what,
                         why == ENOSYS
                             ? "does not have (CONFIG_SECURITY_LANDLOCK)"
                             : "has turned off (add landlock to the lsm= boot parameter)");
    return ctr__fail(err, CTR_STEP_LANDLOCK, EOPNOTSUPP, "",
                     "%s need Landlock ABI %d (Linux %s); this kernel has ABI %d", what, need,
                     linux_version, abi);
}

static int ctr__plan_landlock(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t i, nfs = 0, nnet = 0;
    int abi, why;
    if (s->nlandlock == 0 && s->landlock_scope == 0) return 0;
    if (s->nlandlock && !s->landlock)
        return ctr__fail(err, CTR_STEP_LANDLOCK, EINVAL, "landlock",
                         "nlandlock is %zu but landlock is NULL", s->nlandlock);
    if (s->landlock_scope & ~(CTR_LL_SCOPE_ABSTRACT_UNIX | CTR_LL_SCOPE_SIGNAL))
        return ctr__fail(err, CTR_STEP_LANDLOCK, EINVAL, "landlock_scope",
                         "landlock_scope 0x%x has unknown bits", s->landlock_scope);
    for (i = 0; i < s->nlandlock; i++) {
        const ctr_landlock_rule *r = &s->landlock[i];
        unsigned fs = CTR_LL_READ | CTR_LL_WRITE | CTR_LL_EXEC,
                 net = CTR_LL_BIND_TCP | CTR_LL_CONNECT_TCP;
        if (r->access == 0 || (r->access & ~(fs | net)))
            return ctr__fail(err, CTR_STEP_LANDLOCK, EINVAL, r->path ? r->path : "",
                             "landlock rule %zu: access 0x%x is %s", i, r->access,
                             r->access ? "unknown" : "empty");
        if (r->path) {
            if ((r->access & net) || r->path[0] != '/')
                return ctr__fail(err, CTR_STEP_LANDLOCK, EINVAL, r->path,
                                 "landlock rule %zu: a path rule takes an absolute path and "
                                 "CTR_LL_READ, _WRITE or _EXEC only",
                                 i);
            nfs++;
        } else {
            if ((r->access & fs) || r->port > 65535)
                return ctr__fail(err, CTR_STEP_LANDLOCK, EINVAL, "",
                                 "landlock rule %zu: a rule without a path is a TCP port rule "
                                 "(CTR_LL_BIND_TCP, _CONNECT_TCP, port 0..65535)",
                                 i);
            nnet++;
        }
    }
    abi = ctr__landlock_abi_of_kernel(&why);
    if (nfs) {
        if (abi >= 1)
            p->ll_fs = ctr__ll_fs_handled(abi);
        else if (ctr__ll_missing(s, abi, why, 1, "file rules", "5.13", err) != 0)
            return -1;
    }
    if (nnet) {
        if (abi >= 4)
            p->ll_net = CTR__LL_BIND_TCP | CTR__LL_CONNECT_TCP;
        else if (ctr__ll_missing(s, abi, why, 4, "TCP port rules", "6.7", err) != 0)
            return -1;
    }
    if (s->landlock_scope) {
        if (abi >= 6)
            p->ll_scope = s->landlock_scope; /* the same bits as LANDLOCK_SCOPE_* */
        else if (ctr__ll_missing(s, abi, why, 6, "scopes", "6.12", err) != 0)
            return -1;
    }
    if (!p->ll_fs && !p->ll_net && !p->ll_scope) return 0;
    p->ll_rules =
        CTR__CAST(ctr__ll_rule *, ctr__alloc(p, (s->nlandlock + 1) * sizeof(ctr__ll_rule)));
    if (!p->ll_rules) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = 0; i < s->nlandlock; i++) {
        const ctr_landlock_rule *r = &s->landlock[i];
        ctr__ll_rule *o = &p->ll_rules[p->nll];
        if (r->path) {
            if (!p->ll_fs) continue;
            o->access = ctr__ll_fs_rights(r->access) & p->ll_fs;
            if (!(o->path = ctr__strdup(p, r->path)))
                return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        } else {
            if (!p->ll_net) continue;
            o->access = ((r->access & CTR_LL_BIND_TCP) ? CTR__LL_BIND_TCP : 0) |
                        ((r->access & CTR_LL_CONNECT_TCP) ? CTR__LL_CONNECT_TCP : 0);
            o->port = r->port;
        }
        p->nll++;
    }
    return 0;
}

/* ---- the child ---- */

static int ctr__c_landlock_prepare(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    struct {
        uint64_t fs, net, scoped;
    } attr;
    size_t i;
    int fd;
    if (!p->ll_fs && !p->ll_net && !p->ll_scope) return -1;
    attr.fs = p->ll_fs;
    attr.net = p->ll_net;
    attr.scoped = p->ll_scope;
    /* The size the oldest kernel that has each field understands. */
    fd = ctr__sys_int(syscall(CTR__SYS_landlock_create_ruleset, &attr,
                              p->ll_scope ? 24
                              : p->ll_net ? 16
                                          : 8,
                              0));
    if (fd < 0)
        ctr__c_die(l, CTR_STEP_LANDLOCK, errno, "", "create the Landlock ruleset", NULL, NULL,
                   NULL);
    for (i = 0; i < p->nll; i++) {
        const ctr__ll_rule *r = &p->ll_rules[i];
        long rc;
        if (r->path) {
            /* struct landlock_path_beneath_attr: packed, a u64 and an s32 */
            unsigned char beneath[12];
            uint64_t allowed;
            struct stat st;
            ctr__open_how how;
            int pfd, tries = 0;
            memset(&how, 0, sizeof(how));
            how.flags = O_PATH | O_CLOEXEC;
            how.resolve = CTR__RESOLVE_IN_ROOT | CTR__RESOLVE_NO_MAGICLINKS;
            /* The cwd is the new root's "/" here (right after pivot_root).  EAGAIN: a mount or
               rename anywhere on the machine raced a ".." step; the kernel asks to retry. */
            do pfd = ctr__openat2(AT_FDCWD, r->path, &how);
            while (pfd < 0 && errno == EAGAIN && ++tries < 1000);
            if (pfd < 0 || ctr__r_fstat(pfd, &st) != 0)
                ctr__c_die(l, CTR_STEP_LANDLOCK, errno, r->path, "landlock rule ", r->path,
                           " (resolved inside the container)", NULL);
            allowed = S_ISDIR(st.st_mode) ? r->access : r->access & CTR__LL_FILE_RIGHTS;
            memcpy(beneath, &allowed, 8);
            memcpy(beneath + 8, &pfd, 4);
            rc = allowed ? syscall(CTR__SYS_landlock_add_rule, fd, CTR__LL_RULE_PATH_BENEATH,
                                   beneath, 0)
                         : 0;
            if (rc != 0)
                ctr__c_die(l, CTR_STEP_LANDLOCK, errno, r->path, "add the landlock rule for ",
                           r->path, NULL, NULL);
            ctr__r_close(pfd);
        } else {
            struct {
                uint64_t allowed, port;
            } port;
            port.allowed = r->access;
            port.port = r->port;
            if (syscall(CTR__SYS_landlock_add_rule, fd, CTR__LL_RULE_NET_PORT, &port, 0) != 0)
                ctr__c_die(l, CTR_STEP_LANDLOCK, errno, "", "add a landlock TCP port rule", NULL,
                           NULL, NULL);
        }
    }
    return fd;
}

/* Needs no_new_privs, or CAP_SYS_ADMIN in the process's user namespace (before the
   capabilities are dropped). */
static void ctr__c_landlock_restrict(const ctr__launch *l, int fd) {
    if (fd < 0) return;
    if (syscall(CTR__SYS_landlock_restrict_self, fd, 0) != 0)
        ctr__c_die(l, CTR_STEP_LANDLOCK, errno, "", "enforce the Landlock rules", NULL, NULL, NULL);
    ctr__r_close(fd);
}
