/* internal.h - the implementation's one private header: feature checks, includes, config
   defaults, syscall wrappers, every private type and every function one source file gives
   another.  Each src/X.c includes it first and compiles on its own:
       cc -std=c99 -fsyntax-only -D_GNU_SOURCE -DCONTAINER_IMPLEMENTATION -Isrc src/X.c
   amalgamate.py puts it (once) at the top of the implementation half of container.h. */
#ifndef CTR__INTERNAL_H
#define CTR__INTERNAL_H
#include "header.h"

#if defined(__GLIBC__) && !defined(__USE_GNU)
/* clang-format off */
#error "container.h: define _GNU_SOURCE before any #include in the file that defines CONTAINER_IMPLEMENTATION (or include container.h first there)"
/* clang-format on */
#endif
#ifndef __linux__
#error "container.h: Linux only"
#endif

#if defined(CONTAINER_MALLOC) && !defined(CONTAINER_FREE) || \
    !defined(CONTAINER_MALLOC) && defined(CONTAINER_FREE)
#error "container.h: define both CONTAINER_MALLOC and CONTAINER_FREE, or neither"
#endif
#include <stdlib.h>
#ifndef CONTAINER_MALLOC
#define CONTAINER_MALLOC(n) malloc(n)
#define CONTAINER_FREE(p)   free(p)
#endif
#ifndef CONTAINER_ASSERT
#include <assert.h>
#define CONTAINER_ASSERT(x) assert(x)
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef CONTAINER_WITH_LIBSECCOMP
#include <seccomp.h>
#endif

#ifdef __cplusplus
#define CTR__CAST(type, x)       static_cast<type>(x)
#define CTR__PTR_TO_U64(x)       static_cast<uint64_t>(reinterpret_cast<uintptr_t>(x))
#define CTR__U64_TO_PTR(type, x) reinterpret_cast<type>(static_cast<uintptr_t>(x))
#else
#define CTR__CAST(type, x)       ((type)(x))
#define CTR__PTR_TO_U64(x)       ((uint64_t)(uintptr_t)(x))
#define CTR__U64_TO_PTR(type, x) ((type)(uintptr_t)(x))
#endif

/* Constants and structs from newer kernel headers, so older headers still build. */
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#define CTR__OPEN_TREE_CLONE         1u
#define CTR__OPEN_TREE_CLOEXEC       O_CLOEXEC
#define CTR__MOVE_MOUNT_F_EMPTY_PATH 0x04u
#define CTR__MOVE_MOUNT_T_EMPTY_PATH 0x40u
#define CTR__FSOPEN_CLOEXEC          0x01u
#define CTR__FSCONFIG_SET_FLAG       0u
#define CTR__FSCONFIG_SET_STRING     1u
#define CTR__FSCONFIG_CMD_CREATE     6u
#define CTR__FSMOUNT_CLOEXEC         0x01u
#define CTR__MOUNT_ATTR_RDONLY       0x01u
#define CTR__MOUNT_ATTR_NOSUID       0x02u
#define CTR__MOUNT_ATTR_NODEV        0x04u
#define CTR__MOUNT_ATTR_NOEXEC       0x08u
#define CTR__MOUNT_ATTR_IDMAP        0x00100000u
#define CTR__FSCONFIG_SET_FLAG       0u
#define CTR__RESOLVE_NO_MAGICLINKS   0x02u
#define CTR__RESOLVE_BENEATH         0x08u
#define CTR__RESOLVE_IN_ROOT         0x10u

typedef struct ctr__open_how {
    uint64_t flags, mode, resolve;
} ctr__open_how;

typedef struct ctr__mount_attr {
    uint64_t attr_set, attr_clr, propagation, userns_fd;
} ctr__mount_attr;

typedef struct ctr__clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
} ctr__clone_args;

/* Every syscall the implementation makes that glibc may not wrap (or wraps with extra work, like
   the set*id broadcast to all threads, which must never run in the child).  All are
   async-signal-safe: syscall() only sets errno. */
static int ctr__sys_int(long r) { return CTR__CAST(int, r); }
#define ctr__open_tree(dfd, path, flags) \
    ctr__sys_int(syscall(SYS_open_tree, (dfd), (path), CTR__CAST(unsigned, flags)))
#define ctr__move_mount(fd, fp, tfd, tp, flags) \
    ctr__sys_int(syscall(SYS_move_mount, (fd), (fp), (tfd), (tp), CTR__CAST(unsigned, flags)))
#define ctr__fsopen(name) ctr__sys_int(syscall(SYS_fsopen, (name), CTR__FSOPEN_CLOEXEC))
#define ctr__fsconfig(fd, cmd, key, val) \
    ctr__sys_int(syscall(SYS_fsconfig, (fd), CTR__CAST(unsigned, cmd), (key), (val), 0))
#define ctr__fsmount(fd, attrs) \
    ctr__sys_int(syscall(SYS_fsmount, (fd), CTR__FSMOUNT_CLOEXEC, CTR__CAST(unsigned, attrs)))
#define ctr__openat2(dfd, path, how) \
    ctr__sys_int(syscall(SYS_openat2, (dfd), (path), (how), sizeof(ctr__open_how)))
#define ctr__mount_setattr(dfd, path, flags, attr)                                             \
    ctr__sys_int(syscall(SYS_mount_setattr, (dfd), (path), CTR__CAST(unsigned, flags), (attr), \
                         sizeof(ctr__mount_attr)))

/* A classic BPF instruction (struct sock_filter) and program (struct sock_fprog). */
typedef struct ctr__bpf {
    uint16_t code;
    uint8_t jt, jf;
    uint32_t k;
} ctr__bpf;

/* Raw system calls for the code that runs between clone and execve (child.c, mount.c): that code
   runs in a copy of the host, or on its memory, and must not take a lock, allocate, or act on a
   pending thread cancellation (glibc's open, read, write and close wrappers are cancellation
   points).  syscall() only sets errno. */
#define ctr__r_close(fd) ((void)syscall(SYS_close, (fd)))
#define ctr__r_openat(dfd, path, flags, mode) \
    ctr__sys_int(syscall(SYS_openat, (dfd), (path), (flags), (mode)))
#define ctr__r_read(fd, buf, n)              syscall(SYS_read, (fd), (buf), (n))
#define ctr__r_write(fd, buf, n)             syscall(SYS_write, (fd), (buf), (n))
#define ctr__r_mkdirat(dfd, path, mode)      syscall(SYS_mkdirat, (dfd), (path), (mode))
#define ctr__r_symlinkat(target, dfd, path)  syscall(SYS_symlinkat, (target), (dfd), (path))
#define ctr__r_fchmodat(dfd, path, mode)     syscall(SYS_fchmodat, (dfd), (path), (mode))
#define ctr__r_fchmod(fd, mode)              syscall(SYS_fchmod, (fd), (mode))
#define ctr__r_fstat(fd, st)                 syscall(SYS_fstat, (fd), (st))
#define ctr__r_fstatat(dfd, path, st, flags) syscall(SYS_newfstatat, (dfd), (path), (st), (flags))
#define ctr__r_fcntl(fd, cmd, arg)           ctr__sys_int(syscall(SYS_fcntl, (fd), (cmd), (arg)))
#define ctr__r_dup3(from, to)                ctr__sys_int(syscall(SYS_dup3, (from), (to), 0))
#define ctr__r_fchdir(fd)                    syscall(SYS_fchdir, (fd))
#define ctr__r_chdir(path)                   syscall(SYS_chdir, (path))
#define ctr__r_prctl(op, a)                  syscall(SYS_prctl, (op), (a), 0, 0, 0)
/* rt_sigprocmask with every signal (glibc's wrappers leave its own 32 and 33 alone). */
#define ctr__r_sigmask(how, set, old) \
    syscall(SYS_rt_sigprocmask, (how), (set), (old), sizeof(uint64_t))

/* ---- the plan: ctr_spec validated and translated (plan.c), the only input of what follows ---- */

#define CTR__DEV_NODES 6
#define CTR__MAX_FDS   256 /* extra descriptors (ctr_spec.fds) */
#define CTR__MAX_LISTEN 64 /* listening sockets (ctr_spec.listen), placed like extra descriptors */
/* The host's device nodes a CTR_MOUNT_DEV gets, bound read-write (nodes in the /dev tmpfs). */
static const char *const ctr__dev_nodes[CTR__DEV_NODES] = {"null",   "zero",    "full",
                                                           "random", "urandom", "tty"};

/* One entry of the mount list, as the child executes it. */
typedef struct ctr__op {
    ctr_mount_type type;
    unsigned flags;          /* CTR_MOUNT_* */
    const char *src;         /* BIND: absolute host path; SYMLINK: the link's text */
    const char *dst;         /* normalised absolute path inside the container, never "/" */
    int src_is_dir;          /* BIND */
    unsigned mode;           /* DIR/FILE permission bits */
    char opt_size[24];       /* TMPFS: "size" option, "" for the kernel default */
    char opt_mode[12];       /* TMPFS: "mode" option */
    const char *const *opts; /* DEVPTS/CGROUP: fsconfig key/value pairs, NULL-terminated */
    const void *data;        /* FILE */
    size_t data_len;
    unsigned long rdev; /* CTR__OP_DEVICE */
    uid_t uid;
    gid_t gid;
} ctr__op;
/* The plan's late ops (after every mount): kinds beyond ctr_mount_type's. */
#define CTR__OP_MASK     CTR__CAST(ctr_mount_type, 100) /* hide dst: /dev/null or an empty tmpfs */
#define CTR__OP_READONLY CTR__CAST(ctr_mount_type, 101) /* bind dst on itself, read-only */
#define CTR__OP_DEVICE   CTR__CAST(ctr_mount_type, 102) /* a device node (mode, rdev, uid, gid) */

/* The plan's memory: one chain of allocations, freed together. */
typedef struct ctr__chunk {
    struct ctr__chunk *next;
} ctr__chunk;

/* What the cgroup code is asked for (validated; 0 = not limited). */
typedef struct ctr__cg_req {
    int wanted; /* a cgroup is made */
    int always; /* CTR_CGROUP_ALWAYS: every accounting controller, even without limits */
    uint64_t memory_max, memory_swap_max, pids_max;
    double cpus;
    unsigned cpu_weight, io_weight;
    const char *parent; /* spec.cgroup_parent, checked: no "." or ".." component; or NULL */
    const char *path;   /* spec.cgroup_path (checked likewise): the cgroup itself, or NULL */
    int existing;       /* ctr_attach: find the cgroup at path, make and limit nothing */
    char **settings;    /* spec.cgroup_settings, checked: file and value pairwise */
    size_t nsettings;
} ctr__cg_req;

/* Landlock's system calls and constants (landlock.c, nonet.c), the same on every architecture
   (the asm-generic numbers), for headers that do not have them yet. */
#define CTR__SYS_landlock_create_ruleset 444
#define CTR__SYS_landlock_add_rule       445
#define CTR__SYS_landlock_restrict_self  446
#define CTR__LL_CREATE_RULESET_VERSION   1u
#define CTR__LL_SCOPE_ABSTRACT_UNIX      1u /* LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (ABI 6) */

/* A Landlock rule as the child adds it (landlock.c): a path beneath which access is allowed, or
   (path NULL) a TCP port. */
typedef struct ctr__ll_rule {
    const char *path;
    uint64_t access; /* LANDLOCK_ACCESS_FS_* or _NET_* bits, within the handled ones */
    uint64_t port;
} ctr__ll_rule;

/* plan.notify_alt: which of the calls the child itself makes after installing the interception
   filter are intercepted, so that it makes another one instead (notify.c). */
#define CTR__NOTIFY_EXECVEAT 0x1u /* execve is: the command is started with execveat */
#define CTR__NOTIFY_PWRITEV2 0x2u /* write is: an exec failure is reported with pwritev2 */
/* The network part of the plan (net.c). */
#define CTR__OP_PRIVATE 0x100u /* ctr__op.flags: a FILE made in a tmpfs of its own, bound on dst */
typedef struct ctr__listen {
    struct sockaddr_storage addr; /* to bind; unused with fd */
    socklen_t addr_len;
    int udp;
    int fd;        /* the caller's socket, or -1: bind addr */
    char desc[80]; /* "tcp 127.0.0.1:8080", for messages */
} ctr__listen;

typedef struct ctr__net_plan {
    ctr_net_mode mode;
    ctr__listen *listen; /* the sockets for LISTEN_FDS, at fds 3, 4... */
    size_t nlisten;
    /* CTR_NET_BRIDGE */
    const char *bridge;
    unsigned char addr4[4], gw4[4];
    int prefix4;
    int have6;
    unsigned char addr6[16], gw6[16];
    int prefix6;
    /* CTR_NET_PASTA: what the keeper execs */
    const char *pasta_path;
    char **pasta_argv;
    /* /etc/resolv.conf and /etc/hosts for the container (bridge, pasta), or NULL */
    char *resolv, *hosts;
} ctr__net_plan;

typedef struct ctr__plan {
    ctr__chunk *chunks;        /* every allocation below, freed by ctr__plan_free */
    unsigned long clone_flags; /* CLONE_NEW* only */
    int userns;                /* write uid_map/gid_map from the child */
    char uid_map[48], gid_map[48];
    int set_ids; /* root without user namespace: setgroups/setresgid/setresuid */
    int join;    /* ctr_exec: the namespaces and root are the container's (joined by the shim) */
    uid_t uid;
    gid_t gid;
    int timens;
    char timens_offsets[96];
    const char *hostname;       /* NULL: leave it */
    int net_lo;                 /* bring lo up in a new network namespace */
    ctr_netns_pool *netns_pool; /* borrow the network namespace from here (checked safe) */
    const char *rootfs;         /* canonical host path, or NULL for a tmpfs root */
    const char *attach_at;      /* host directory the new root is mounted on before pivot_root */
    int readonly_root;
    ctr__op *ops;
    size_t nops;
    char **argv;
    char **envp;
    char **exec_paths; /* candidates for argv[0], in PATH order */
    size_t nexec;
    const char *cwd;
    ctr_stdio_mode stdio[3];
    int stdio_fd[3];    /* CTR_STDIO_FD: the caller's descriptor */
    int stdio_nonblock; /* the host ends of the pipes are O_NONBLOCK */
    int tty;            /* a pseudo-terminal on 0, 1, 2 (made in the container's devpts) */
    unsigned short tty_rows, tty_cols;
    ctr_fd *fds; /* extra descriptors */
    size_t nfds;
    int init;
    int die_with_host;
    int64_t timeout_ns; /* 0: none */
    ctr__cg_req cg;
    int cgroupns;        /* unshare the cgroup namespace once in the container's cgroup */
    ctr_rlimit *rlimits; /* applied with prlimit before the uid change */
    size_t nrlimits;
    uint64_t caps_keep;    /* bounding set; uid 0 keeps these */
    uint64_t caps_ambient; /* what a uid other than 0 keeps (caps_exact: the ambient set) */
    int caps_exact;        /* spec.set_caps: these sets as given, for any uid */
    uint64_t caps_eff, caps_prm, caps_inh;
    int last_cap;
    int nnp;               /* set no_new_privs */
    int masks;             /* mask /proc and /sys paths */
    char shm_size_opt[24]; /* the /dev/shm tmpfs's size option, in bytes */
    ctr__bpf *bpf;         /* the seccomp filter, NULL for none */
    size_t bpf_len;
    /* Policy (notify.c, landlock.c) */
    ctr__bpf *notify_bpf; /* the interception filter (SECCOMP_RET_USER_NOTIF), NULL for none */
    size_t notify_bpf_len;
    uint64_t notify_cookie; /* exempts the child's own last calls: see notify.c */
    unsigned notify_alt;    /* CTR__NOTIFY_*: the child's own calls that are intercepted */
    ctr_syscall_fn on_syscall;
    void *on_syscall_user;
    int intercept_manual;
    ctr__ll_rule *ll_rules; /* Landlock rules, opened in the child */
    size_t nll;
    uint64_t ll_fs, ll_net, ll_scope; /* handled file and TCP rights, scopes; all 0: no Landlock */
    /* layers.c: the root as an overlay of read-only lowers and an upper */
    int layer;          /* the root is an overlay */
    int layer_try_bind; /* readonly_root over one rootfs: bind it when every target exists */
    char **lowers;      /* canonical host paths, top first */
    size_t nlowers;
    const char *upper;       /* a persistent upper (canonical), NULL for a tmpfs */
    const char *workdir;     /* the overlay's work directory next to upper, made at spawn */
    char upper_size_opt[24]; /* the tmpfs upper's size option, "" for the kernel's default */
    /* userns.c: maps written from outside (a helper process), idmapped mounts */
    int map_helper; /* 0: the child maps itself; 1: root writes the maps; 2: newuidmap */
    char *uid_map_text, *gid_map_text; /* map_helper 1: "inside outside count\n"... */
    char **uidmap_argv, **gidmap_argv; /* map_helper 2: newuidmap/newgidmap PID... (PID at [1]) */
    const char *newuidmap, *newgidmap; /* their paths */
    int idmap; /* present the root, layers and binds through idmapped mounts */
    /* nonet.c: spec.no_network */
    int no_network;
    ctr__net_plan net; /* networking (net.c) */
    /* manual section 14 (lifecycle.c builds these) */
    int direct;             /* no shim: the command is the caller's child (exit signal SIGCHLD) */
    int wait_start;         /* wait on the start fd before the final seccomp and execve */
    const char *start_fifo; /* made by ctr_spawn, removed if it fails */
    ctr_ns_path *ns_paths;  /* namespaces to join (the child: all but pid; pid: the shim) */
    size_t nns_paths;
    unsigned long join_pid; /* CLONE_NEWPID when a pid namespace is joined (through a shim) */
    gid_t *groups;          /* supplementary groups (set_ids) */
    size_t ngroups;
    int set_umask;
    unsigned umask;
    int set_oom;
    char oom[16];        /* oom_score_adj, as written */
    char **sysctl_paths; /* /proc/sys/... and the value to write, pairwise */
    size_t nsysctls;
    unsigned root_propagation; /* spec.rootfs_propagation, after pivot_root */
    ctr__op *late_ops;         /* masks, read-only paths and devices, after every mount */
    size_t nlate;
} ctr__plan;

/* plan.c */
static int ctr__plan_build(ctr__plan *p, const ctr_spec *spec, ctr_error *err);
static int ctr__plan_exec(ctr__plan *p, const ctr__plan *base, const ctr_exec_spec *x,
                          ctr_error *err);
static void ctr__plan_free(ctr__plan *p);
/* util.c: the plan's allocator (zeroed memory, freed by ctr__plan_free) */
static void *ctr__alloc(ctr__plan *p, size_t n);
static char *ctr__strdup(ctr__plan *p, const char *s);
static char *ctr__normalize(ctr__plan *p, const char *path); /* "/a//b/../c" -> "/a/c" */
/* security.c: capability sets and the seccomp filter, into the plan */
static int ctr__plan_security(ctr__plan *p, const ctr_spec *s, ctr_error *err);
/* security.c: the interception filter for the syscalls nrs[0..n) (at most CTR__NOTIFY_MAX),
   the child's own calls carrying cookie exempted; f holds CTR__BPF_NOTIFY_LEN(n) instructions */
#define CTR__NOTIFY_MAX        512
#define CTR__BPF_NOTIFY_LEN(n) (8 + 7 * (n))
static size_t ctr__bpf_notify(ctr__bpf *f, const long *nrs, size_t n, uint64_t cookie);
/* notify.c and landlock.c: spec.intercept... and spec.landlock... into the plan */
static int ctr__plan_notify(ctr__plan *p, const ctr_spec *s, ctr_error *err);
static int ctr__plan_landlock(ctr__plan *p, const ctr_spec *s, ctr_error *err);
/* net.c: the spec's network fields into p->net, the LISTEN_* variables into p->envp */
static int ctr__plan_net(ctr__plan *p, const ctr_spec *s, ctr_error *err);

/* ---- cgroups (cgroup.c; one backend per host: cgroup2.c or cgroup1.c) ---- */

enum {
    CTR__V1_MEMORY,
    CTR__V1_PIDS,
    CTR__V1_CPU,
    CTR__V1_CPUACCT,
    CTR__V1_FREEZER,
    CTR__V1_BLKIO,
    CTR__V1_CPUSET, /* these only for spec.cgroup_settings */
    CTR__V1_HUGETLB,
    CTR__V1_NET_CLS,
    CTR__V1_NET_PRIO,
    CTR__V1_DEVICES,
    CTR__V1_N
};
#define CTR__CG_MAX_DIRS CTR__V1_N /* directories one container's cgroup may have */
#define CTR__CG_ROOT     "/sys/fs/cgroup"
#define CTR__CG_SUBTREE  "container.h"

typedef struct ctr__cg_backend ctr__cg_backend;

/* A container's cgroup: version 0 means none. */
typedef struct ctr__cgroup {
    const ctr__cg_backend *be; /* NULL: none */
    char *dir;                 /* v2: the cgroup directory */
    int dirfd;                 /* v2: O_PATH fd of dir, for CLONE_INTO_CGROUP */
    char *v1[CTR__V1_N];       /* v1: the directory per controller, NULL if unused */
} ctr__cgroup;

/* The interface each backend implements; nothing outside cgroup1.c and cgroup2.c knows which
   one runs. */
struct ctr__cg_backend {
    int version;
    /* The vfork-style clone may be used (clone.c; cgroup v1 takes the fork-style one). */
    int vm_clone;
    /* The request is possible on this host at all (checked while the plan is built). */
    int (*check)(const ctr__cg_req *req, ctr_error *err);
    /* Makes and configures the cgroup; on failure the caller's ctr__cg_destroy removes what was made. */
    int (*create)(ctr__cgroup *cg, const ctr__cg_req *req, ctr_error *err);
    /* The fd for clone3's CLONE_INTO_CGROUP, or -1 when the child must move itself. */
    int (*clone_into)(const ctr__cgroup *cg);
    /* Opens the cgroup.procs files the child writes "0" into to move itself (close-on-exec,
       above 2): fills fds[0..n), returns n or -1. */
    int (*procs_fds)(const ctr__cgroup *cg, int *fds, int max, ctr_error *err);
    int (*populated)(const ctr__cgroup *cg);
    int (*freeze)(const ctr__cgroup *cg, int on, ctr_error *err);
    int (*frozen)(const ctr__cgroup *cg);
    void (*kill)(const ctr__cgroup *cg);
    /* Removes the (empty) cgroup's directories. */
    void (*remove)(const ctr__cgroup *cg);
    void (*result)(const ctr__cgroup *cg, ctr_result *r);
    void (*stats)(const ctr__cgroup *cg, ctr_usage *u);
    const char *(*path)(const ctr__cgroup *cg);
};

/* cgroup.c */
static const ctr__cg_backend *ctr__cg_host(ctr_error *err); /* this host's, detected once */
static void ctr__cg_init(ctr__cgroup *cg);
static int ctr__cg_create(ctr__cgroup *cg, const ctr__cg_req *req, ctr_error *err);
static void ctr__cg_destroy(ctr__cgroup *cg);
/* cgfs.c */
static int ctr__cg_put(const char *dir, const char *file, const char *val);
static int ctr__cg_set(const char *dir, const char *file, const char *val, ctr_error *err);
static ssize_t ctr__cg_get(const char *dir, const char *file, char *buf, size_t size);
static uint64_t ctr__cg_get_u64(const char *dir, const char *file, uint64_t dflt);
static uint64_t ctr__cg_get_key(const char *dir, const char *file, const char *key);
static void ctr__cg_name(char *name, size_t size);
static char *ctr__cg_mkdir_container(const char *parent, const char *name, int slot,
                                     ctr_error *err);
static int ctr__cg_mkdir_p(const char *dir, ctr_error *err);
static int ctr__cg_mkdir_all(const char *dir, ctr_error *err);
static int ctr__cg_kill_listed(const char *dir);
static int ctr__cg_open_procs(const char *dir, ctr_error *err);
static int ctr__statfs_type(const char *path, long *type);
static const ctr__cg_backend *ctr__cg2(void); /* cgroup2.c */
static const ctr__cg_backend *ctr__cg1(void); /* cgroup1.c */

/* ---- the launch: one spawn's descriptors, made by the parent before the clone ---- */

typedef struct ctr__launch {
    const ctr__plan *plan;
    unsigned long clone_flags; /* the plan's, without CLONE_NEWNET when the pool lent one */
    int net_lo;                /* bring lo up (a network namespace of its own) */
    int errfd;                 /* write end of the error pipe (close-on-exec) */
    int statusfd;              /* init: write end of the status pipe, else -1 */
    int stdio_src[3];          /* fd to become 0/1/2, or -1 to inherit (or a CTR_STDIO_PIPE) */
    int xferfd;   /* socket the child sends the host ends of its stdio pipes over, or -1 */
    int hostfd;   /* pidfd of the host process (the child checks it lives), or -1 */
    int netns_fd; /* a pooled (or no_network's shared) network namespace to enter, or -1 */
    int cg_procs[CTR__CG_MAX_DIRS]; /* cgroup.procs files to write "0" into, or -1 */
    int *mnt_fds;                   /* plan->nops * CTR__DEV_NODES slots the child fills */
    int notify_armed; /* set in the child's own copy once the interception filter is in place */
    /* for the shim (shim.c), which clones the command */
    int cgroup_fd;            /* CLONE_INTO_CGROUP, or -1 (then cg_procs, if any) */
    char *cmd_stack;          /* the command's stack for a vfork-style clone, or NULL */
    int join_pidfd;           /* ctr_exec: the container process whose namespaces to join, or -1 */
    unsigned long join_flags; /* CLONE_NEW* to join */
    /* userns.c: a socket over which the child receives the helper's pidfd and the idmapped
       mounts the parent made (SCM_RIGHTS), sends its pid to the helper and gets its verdict */
    int nssock;  /* or -1 */
    int *ns_fds; /* ns_nfds slots: the helper's pidfd (or -1), then the premade mounts */
    int ns_nfds;
    int *op_pre;    /* per op: index into ns_fds of its premade bind, or -1 (NULL: none) */
    int root_pre;   /* index of the premade rootfs bind, or -1 */
    int *lower_pre; /* per lower: index of its premade mount, or NULL */
    int upper_pre;  /* index of the premade mount of upper's parent directory, or -1 */
    /* networking (net.c) */
    const ctr_fd *fds; /* the extra descriptors to place: spec.fds and the listening sockets */
    size_t nfds;
    char *listen_pid; /* the digits of LISTEN_PID= in the plan's envp: the command writes its pid */
    int net_sock;     /* bridge, pasta: the child's end of the socket to the network's other
                         side (the host's thread, or pasta's keeper), or -1 */
    int startfd;              /* wait_start: the child reads one byte here before its execve */
    int *join_ns_fds;          /* the plan's ns_paths, opened (the child joins them) */
} ctr__launch;

/* What init or the shim sends the host over the status pipe: STARTED once the command has
   exec'd (status: its host pid), or ERROR with the reason it could not; EXIT with the command's
   wait status when it ends.  Fixed size, under PIPE_BUF, so each arrives whole. */
enum { CTR__MSG_STARTED = 1, CTR__MSG_ERROR, CTR__MSG_EXIT };
typedef struct ctr__status_msg {
    int kind;
    int status;
    ctr_error err;
} ctr__status_msg;

/* child.c: the child's entry point (a ctr__launch *; never returns) and what the netns pool
   shares with it */
static void ctr__child_main(void *launch);
static void ctr__c_die_with_host(const ctr__launch *l, int sig);
static void ctr__c_send_fd(const ctr__launch *l, char tag, int fd);
static int ctr__lo_up(void);
static int ctr__c_close_except(int *keep, int n);
/* util.c: reports a failed step to the parent over l->errfd and exits; the message is a b c d
   joined (raw system calls only: for child.c and mount.c) */
static void ctr__c_die(const ctr__launch *l, ctr_step step, int e, const char *path, const char *a,
                       const char *b, const char *c, const char *d);
static void ctr__c_exit(int code);
/* mount.c: builds the new root from the plan's ops and enters it (pivot_root) */
static void ctr__c_setup_root(const ctr__launch *l);
/* notify.c: installs the interception filter and passes its listener to the host (child side;
   sets l->notify_armed) */
static void ctr__c_notify(ctr__launch *l);
/* landlock.c: the ruleset with the plan's rules, paths resolved in the new root (-1: none), and
   enforcing it on the calling process (closes fd) */
static int ctr__c_landlock_prepare(const ctr__launch *l);
static void ctr__c_landlock_restrict(const ctr__launch *l, int fd);

/* clone.c */
#define CTR__STACK_SIZE  (256u * 1024u) /* the stack of a child's setup */
#define CTR__SHIM_STACK  (64u * 1024u)  /* the stack of a shim (shim.c) */
#define CTR__STACK_GUARD 4096u          /* the guard page below each */
#define CTR__CLONE_VM    1u             /* on the host's memory, like vfork (where possible) */
#define CTR__CLONE_WAIT  2u /* CLONE_VFORK: return once the child has exec'd or exited */
static long ctr__clone(ctr__clone_args *a, unsigned how, void (*fn)(void *), void *arg);
static long ctr__clone_on(ctr__clone_args *a, char *stack, size_t size, void (*fn)(void *),
                          void *arg);
static int ctr__vm_clone_possible(void);
static int ctr__have_clone3(void);
static char *ctr__stack_alloc(size_t size);
static void ctr__stack_free(char *stack, size_t size);
static void ctr__dump_enter(void);
static void ctr__dump_leave(void);
static int ctr__host_dumpable(void);

/* ---- notify.c: serving the intercepted calls in the host ---- */
typedef struct ctr__notifier ctr__notifier;
/* Takes the listener fd (closed on failure too); starts the serving thread unless manual. */
static int ctr__notify_start(ctr__notifier **out, const ctr__plan *p, int fd, ctr_error *err);
static void ctr__notify_stop(ctr__notifier *n); /* no callback starts after it */
static void ctr__notify_free(ctr__notifier *n); /* never waits for a running callback */
static int ctr__notify_fd(const ctr__notifier *n);
static int ctr__notify_handle(ctr__notifier *n, ctr_error *err);
/* ---- layers.c: overlay roots ---- */
/* What a container with a persistent upper holds on the host: the upper's lock, the work dir. */
typedef struct ctr__layers {
    int lockfd;    /* flock'ed upper directory, or -1 */
    char *workdir; /* made by ctr__layers_prepare, removed by ctr__layers_release; or NULL */
} ctr__layers;
static int ctr__plan_layers(ctr__plan *p, const ctr_spec *spec, ctr_error *err);
static void ctr__layers_init(ctr__layers *ly);
static int ctr__layers_prepare(ctr__layers *ly, const ctr__plan *p, ctr_error *err);
static void ctr__layers_release(ctr__layers *ly);
/* child: the overlay root as a detached mount (the scratch tmpfs attached at attach_at) */
static int ctr__c_layer_root(const ctr__launch *l);
static void ctr__c_utoa(char *out, unsigned long v);

/* ---- userns.c: id maps from outside, idmapped mounts, user namespace diagnosis ---- */
typedef struct ctr__ns_host {
    int helper_pidfd; /* the map helper, killed and reaped after the clone; or -1 */
    int sock;         /* the parent's end of the launch's nssock, or -1 */
} ctr__ns_host;
static int ctr__plan_userns(ctr__plan *p, const ctr_spec *spec, ctr_error *err);
static void ctr__ns_init(ctr__ns_host *h);
static int ctr__ns_prepare(ctr__ns_host *h, ctr__plan *p, ctr__launch *l, ctr_error *err);
static void ctr__ns_finish(ctr__ns_host *h);
static void ctr__userns_explain(const ctr__plan *p, ctr_error *err);
static void ctr__c_ns_receive(const ctr__launch *l);
static void ctr__c_ns_maps(const ctr__launch *l);
static int ctr__c_pre_fd(const ctr__launch *l, int index);

/* ---- nonet.c: spec.no_network ---- */
static int ctr__plan_no_network(ctr__plan *p, const ctr_spec *spec, ctr_error *err);
static void ctr__c_nonet(const ctr__launch *l);

/* shim.c: the container's parent (a ctr__launch *; never returns) */
static void ctr__shim_main(void *launch);

/* ---- the handle (spawn.c; io.c reads and writes its streams) ---- */

struct ctr_container {
    pid_t pid;        /* the container's first process (the command, or init) */
    int pidfd;        /* our child: the shim (shim.c), or init; -1 when the kernel has no pidfds */
    pid_t child_pid;  /* its pid */
    int cmd_pidfd;    /* the command's pidfd: signals (but with init), ctr_exec joins it */
    int statusfd;     /* read end of the status pipe (STARTED, EXIT) */
    char *shim_stack; /* the shim's stack on our memory, freed once it is reaped */
    int stdio[3];     /* host ends of CTR_STDIO_PIPE streams */
    int tty;          /* the pty's master (spec.tty), or -1 */
    int reaped;
    ctr_result result;
    int64_t start_ns;
    int64_t deadline_ns; /* 0: no timeout */
    ctr__cgroup cg;
    ctr_netns_pool *netns_pool; /* the pool lending this container its network namespace */
    int netns_slot;
    ctr__layers layers; /* a persistent upper's lock and work directory (layers.c) */
    int nonet;          /* holds a reference to no_network's shared namespace (netns.c) */
    int cancel_state; /* the caller's, while in ctr_wait (see ctr__wait_pidfd) */
    ctr__plan plan;   /* kept for ctr_exec: capabilities, filter, rlimits, ids */
    int net_pidfd;    /* pasta: the network keeper (net.c), our child, or -1 */
    int startfd;      /* wait_start: written to by ctr_start; -1 once started */
    int execfd;       /* wait_start: EOF once the command has exec'd, or its error record */
    int attached;     /* made by ctr_attach: the container is another process's */
    ctr__notifier *notify; /* serves the intercepted calls (notify.c), or NULL */
};

/* spawn.c */
static int ctr__reap(ctr_container *c, int nohang, ctr_error *err);
static int ctr__expire(ctr_container *c, ctr_error *err);
static ctr_container *ctr__container_new(void);
static void ctr__container_free(ctr_container *c);
static int ctr__signal(ctr_container *c, int sig);

/* lifecycle.c: section 14's spec fields into the plan (plan.c calls it), and the launch's part of
   them (spawn.c): the namespaces to join opened, the start FIFO made */
static int ctr__plan_lifecycle(ctr__plan *p, const ctr_spec *s, ctr_error *err);
static int ctr__open_ns_paths(const ctr__plan *p, int *fds, ctr_error *err);
static int ctr__make_start_fifo(const ctr__plan *p, int *fd, ctr_error *err);
/* attach.c: ctr_start, ctr_release, ctr_attach (nothing calls into it) */

/* ---- netns.c ---- */
static int ctr__netns_acquire(ctr_netns_pool *pool, int *fd, ctr_error *err);
static int ctr__netns_shared(ctr_error *err); /* spec.no_network's namespace: a reference */
static void ctr__netns_shared_put(void);
static void ctr__netns_release(ctr_netns_pool *pool, int slot);
/* A new network namespace (its fd), with lo up or (lo 0) down. */
static int ctr__netns_make(int lo, ctr_error *err);

/* ---- net.c: the spawn's network (after the plan: sockets, bridge, pasta's keeper) ---- */
typedef struct ctr__net_run {
    int *listen_fds; /* the bound sockets (ours to close), -1 for the caller's own */
    size_t nlisten;
    ctr_fd *fds; /* the launch's extra descriptors */
    int sock[2]; /* bridge: ours, the child's; pasta: the keeper's, the child's */
    int devnull;
} ctr__net_run;
static void ctr__net_init(ctr__net_run *n);
/* Binds the sockets, makes the socket to the child; fills the launch's fields. */
static int ctr__net_open(ctr__plan *p, ctr__net_run *n, ctr__launch *l, ctr_error *err);
/* Bridge, after the clone (the child's report pipe, status pipe and our child's pidfd tell if it
   failed first): makes and configures eth0 in the child's namespace, and tells the child. */
static void ctr__net_attach(const ctr__plan *p, ctr__net_run *n, int errfd, int statusfd,
                            int pidfd);
/* pasta: starts the keeper (c->net_pidfd) that runs pasta once the child has its namespaces. */
static int ctr__net_keeper(ctr_container *c, ctr__plan *p, ctr__net_run *n, ctr_error *err);
static void ctr__net_close(ctr__net_run *n);
/* Reaps the keeper (blocking unless nohang): 1 once it is gone or there is none. */
static int ctr__net_reap(ctr_container *c, int nohang);

/* ---- util.c ---- */
static void ctr__strlcpy(char *dst, const char *src, size_t size);
static size_t ctr__append(char *buf, size_t size, size_t len, const char *s);
static void ctr__finish_msg(ctr_error *err);
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int
ctr__fail(ctr_error *err, ctr_step step, int e, const char *path, const char *fmt, ...);
static void ctr__clear_error(ctr_error *err);
static void ctr__close(int *fd);
static int ctr__lift(int *fd);
static int ctr__pipe(int fds[2]);
static int ctr__join(char *out, size_t size, const char *a, const char *sep, const char *b);
static char *ctr__pathdup(const char *a, const char *b);
static int64_t ctr__now_ns(void);
static void ctr__sleep_ms(long ms);
/* No library call acts on a thread cancellation request: each public function that makes
   system calls runs between these two (see the manual, section "Threads"). */
static int ctr__nocancel_begin(void);
static void ctr__nocancel_end(int old);
/* Descriptors over a unix socket: a one-byte record (the tag) with SCM_RIGHTS.  ctr__fdmsg fills
   *msg for sendmsg with the n descriptors of fds, or (fds NULL) for recvmsg with room for n; cm
   is CTR__FDMSG_SPACE(n) bytes aligned as a cmsghdr.  ctr__fdmsg_fds copies at most max of those
   a received *msg holds into fds and returns how many.  They only fill memory (for the child). */
#define CTR__FDMSG_SPACE(n) CMSG_SPACE((n) * sizeof(int))
static void ctr__fdmsg(struct msghdr *msg, struct iovec *iov, char *tag, void *cm, int n,
                       const int *fds);
static int ctr__fdmsg_fds(struct msghdr *msg, int *fds, int max);

#endif /* CTR__INTERNAL_H */
