/* mount.c - the child's mount engine: builds the new root from the plan's ops with the new mount
   API and enters it with pivot_root.

   RULES FOR THIS FILE (as for child.c, whose code calls it).  It runs between clone and execve,
   in a copy of a possibly multi-threaded host or on its memory: only raw system calls (the
   ctr__r_* macros and syscall()), memcpy/memset/strlen, the launch and plan prepared by the
   parent, and its own stack.  No malloc, no stdio, no locks, no cancellation points; failures go
   through ctr__c_die.

   Every target is resolved inside the new root with openat2(RESOLVE_IN_ROOT |
   RESOLVE_NO_MAGICLINKS), as runc and crun do: a symlink in an image (Debian's /var/run -> /run)
   is followed as it would be inside the container, and ".." or an absolute link never leaves the
   root. */
#include "internal.h"

static const char *const ctr__dev_paths[CTR__DEV_NODES] = {
    "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"};

static void ctr__c_setattr(const ctr__launch *l, int fd, unsigned flags, uint64_t set, uint64_t clr,
                           const char *what) {
    ctr__mount_attr a;
    memset(&a, 0, sizeof(a));
    a.attr_set = set;
    a.attr_clr = clr;
    if (ctr__mount_setattr(fd, "", AT_EMPTY_PATH | flags, &a) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, what, "set mount flags on ", what, NULL, NULL);
}

/* openat2 inside the root: symlinks and ".." resolve as they would with rootfd as "/". */
static int ctr__c_in_root(int rootfd, const char *rel, int flags, unsigned mode) {
    ctr__open_how how;
    int tries;
    memset(&how, 0, sizeof(how));
    how.flags = CTR__CAST(uint64_t, flags | O_CLOEXEC);
    how.mode = mode;
    how.resolve = CTR__RESOLVE_IN_ROOT | CTR__RESOLVE_NO_MAGICLINKS;
    /* EAGAIN: a rename or mount somewhere on the system raced with a ".." step (the kernel
       cannot prove it stayed inside): try again, as libpathrs does. */
    for (tries = 0;; tries++) {
        int fd = ctr__openat2(rootfd, rel[0] ? rel : ".", &how);
        if (fd >= 0 || errno != EAGAIN || tries == 1000) return fd;
    }
}

/* Opens the directory dst[0..len) (dst absolute, normalised) inside rootfd as O_PATH, creating
   the missing components, as mkdir -p would inside the container: a dangling symlink on the way
   (an image's /var/run -> /run without /run) is followed and its target made. */
static int ctr__c_open_dir(const ctr__launch *l, int rootfd, const char *dst, size_t len) {
    char buf[PATH_MAX], link[PATH_MAX];
    size_t i;
    int fd, prev, hops = 0;
    if (len >= sizeof(buf))
        ctr__c_die(l, CTR_STEP_MOUNT, ENAMETOOLONG, dst, "resolve ", dst, NULL, NULL);
    /* dst starts with '/': work on the relative part. */
    memcpy(buf, dst + 1, len - 1);
    buf[len - 1] = '\0';
restart:
    fd = ctr__c_in_root(rootfd, buf, O_PATH | O_DIRECTORY, 0);
    if (fd >= 0 || errno != ENOENT) {
        if (fd < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "resolve ", dst, " inside the container root",
                       NULL);
        return fd;
    }
    prev = -1;
    for (i = 0;; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char save = buf[i];
            char *name = buf + i;
            while (name > buf && name[-1] != '/') name--;
            buf[i] = '\0';
            fd = ctr__c_in_root(rootfd, buf, O_PATH | O_DIRECTORY, 0);
            if (fd < 0 && errno == ENOENT) {
                int at = prev >= 0 ? prev : rootfd;
                long n;
                if (ctr__r_mkdirat(at, name, 0755) != 0 && errno != EEXIST)
                    ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "create directory ", name, " for ",
                               dst);
                n = syscall(SYS_readlinkat, at, name, link, sizeof(link) - 1);
                if (n > 0) { /* a dangling symlink: go on from its target */
                    size_t keep = CTR__CAST(size_t, name - buf),
                           rest = save ? strlen(buf + i + 1) : 0;
                    size_t ln = CTR__CAST(size_t, n);
                    char *t = link;
                    link[ln] = '\0';
                    if (*t == '/') { /* absolute: from the container's root */
                        while (*t == '/') t++;
                        ln = strlen(t);
                        keep = 0;
                    }
                    if (++hops > 40 || keep + ln + 1 + rest + 1 > sizeof(buf))
                        ctr__c_die(l, CTR_STEP_MOUNT, hops > 40 ? ELOOP : ENAMETOOLONG, dst,
                                   "resolve ", dst, " inside the container root", NULL);
                    if (rest) memmove(buf + keep + ln + 1, buf + i + 1, rest + 1);
                    memmove(buf + keep, t, ln);
                    buf[keep + ln] = rest ? '/' : '\0';
                    if (prev >= 0) ctr__r_close(prev);
                    goto restart;
                }
                fd = ctr__c_in_root(rootfd, buf, O_PATH | O_DIRECTORY, 0);
            }
            if (fd < 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "resolve ", dst,
                           " inside the container root", NULL);
            if (prev >= 0) ctr__r_close(prev);
            prev = fd;
            buf[i] = save;
            if (save == '\0') break;
        }
    }
    return prev;
}

/* The parent directory of dst (created if missing) and the last component's name. */
static int ctr__c_open_parent(const ctr__launch *l, int rootfd, const char *dst,
                              const char **name) {
    size_t len = strlen(dst);
    while (len > 0 && dst[len - 1] != '/') len--;
    *name = dst + len;
    return ctr__c_open_dir(l, rootfd, dst, len > 1 ? len - 1 : 1);
}

/* Opens (O_CREAT) the file dst inside the root, making missing parents; where dst or a link
   it names is a dangling symlink, the file it names is made, as open(O_CREAT) would inside the
   container.  The fd, or -1 with errno. */
static int ctr__c_create_file(const ctr__launch *l, int rootfd, const char *dst, int flags,
                              unsigned mode) {
    char cur[PATH_MAX], link[PATH_MAX];
    int hops;
    if (strlen(dst) >= sizeof(cur))
        ctr__c_die(l, CTR_STEP_MOUNT, ENAMETOOLONG, dst, "resolve ", dst, NULL, NULL);
    memcpy(cur, dst, strlen(dst) + 1);
    for (hops = 0; hops < 40; hops++) {
        const char *name;
        int dir = ctr__c_open_parent(l, rootfd, cur, &name), f, e;
        size_t keep = CTR__CAST(size_t, name - cur), ln;
        long n;
        f = ctr__c_in_root(rootfd, cur + 1, flags | O_CREAT, mode);
        e = errno;
        n = f < 0 && e == ENOENT ? syscall(SYS_readlinkat, dir, name, link, sizeof(link) - 1) : -1;
        ctr__r_close(dir);
        if (f >= 0) return f;
        if (n <= 0) {
            errno = e;
            return -1;
        }
        ln = CTR__CAST(size_t, n);
        link[ln] = '\0';
        if (link[0] == '/')
            keep = 0;
        else if (keep + ln + 1 > sizeof(cur))
            break;
        memcpy(cur + keep, link, ln + 1); /* cur[0..keep) is the link's directory, ending in '/' */
    }
    ctr__c_die(l, CTR_STEP_MOUNT, hops < 40 ? ENAMETOOLONG : ELOOP, dst, "resolve ", dst,
               " inside the container root", NULL);
    return -1;
}

/* A fresh filesystem as a detached mount: fsopen, options, create, fsmount. */
static int ctr__c_fsmount(const ctr__launch *l, const char *type, const char *const *opts,
                          unsigned attrs, const char *dst) {
    int fs = ctr__fsopen(type), m = -1;
    size_t i;
    if (fs < 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "create a ", type, " filesystem for ", dst);
    for (i = 0; opts && opts[i]; i += 2) {
        if (!opts[i + 1][0]) continue; /* empty value: option not set */
        if (ctr__fsconfig(fs, CTR__FSCONFIG_SET_STRING, opts[i], opts[i + 1]) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "set option ", opts[i],
                       " of the filesystem for ", dst);
    }
    if (ctr__fsconfig(fs, CTR__FSCONFIG_CMD_CREATE, NULL, NULL) != 0 ||
        (m = ctr__fsmount(fs, attrs)) < 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "mount ", type, " on ", dst);
    ctr__r_close(fs);
    return m;
}

static void ctr__c_attach(const ctr__launch *l, int mnt, int rootfd, const char *dst,
                          const char *what) {
    int t = ctr__c_open_dir(l, rootfd, dst, strlen(dst));
    if (ctr__move_mount(mnt, "", t, "",
                        CTR__MOVE_MOUNT_F_EMPTY_PATH | CTR__MOVE_MOUNT_T_EMPTY_PATH) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "mount ", what, " on ", dst);
    ctr__r_close(t);
}

static void ctr__c_bind_file(const ctr__launch *l, const ctr__op *op, int src, int rootfd) {
    /* O_PATH: never opens what is there (a FIFO would block). */
    int f = ctr__c_in_root(rootfd, op->dst + 1, O_PATH, 0);
    if (f < 0 && errno == ENOENT) {
        if ((f = ctr__c_create_file(l, rootfd, op->dst, O_WRONLY | O_NONBLOCK | O_NOCTTY, 0644)) <
            0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create mount point ", op->dst, NULL,
                       NULL);
        ctr__r_close(f);
        f = ctr__c_in_root(rootfd, op->dst + 1, O_PATH, 0);
    }
    if (f < 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "resolve ", op->dst,
                   " inside the container root", NULL);
    if (ctr__move_mount(src, "", f, "",
                        CTR__MOVE_MOUNT_F_EMPTY_PATH | CTR__MOVE_MOUNT_T_EMPTY_PATH) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "bind ", op->src, " on ", op->dst);
    ctr__r_close(f);
    ctr__r_close(src);
}

/* /dev: a small tmpfs with the host's harmless device nodes bound in, a private devpts, /dev/shm
   as a tmpfs of its own (plan->shm_size), symlinks. */
static void ctr__c_dev(const ctr__launch *l, const ctr__op *op, const int *fds, int rootfd) {
    static const char *const tmpfs_opts[] = {"mode", "0755", "size", "65536", NULL};
    static const char *const pts_opts[] = {"ptmxmode", "0666", "mode", "0620", NULL};
    static const char *const links[] = {"pts/ptmx",        "ptmx",  "/proc/self/fd",   "fd",
                                        "/proc/self/fd/0", "stdin", "/proc/self/fd/1", "stdout",
                                        "/proc/self/fd/2", "stderr"};
    const char *shm_opts[] = {"mode", "1777", "size", l->plan->shm_size_opt, NULL};
    const unsigned hidden = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC;
    /* nodev on the tmpfs: a node made with mknod there cannot be opened; the device binds below
       are mounts of their own and keep working, and so does devpts (its ptys are nodes). */
    int dev = ctr__c_fsmount(l, "tmpfs", tmpfs_opts, hidden, op->dst);
    int k, m;
    size_t i;
    ctr__c_attach(l, dev, rootfd, op->dst, "tmpfs");
    for (k = 0; k < CTR__DEV_NODES; k++) {
        int f =
            ctr__r_openat(dev, ctr__dev_nodes[k], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (f < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create ", ctr__dev_paths[k], " in ",
                       op->dst);
        ctr__r_close(f);
        if (ctr__move_mount(fds[k], "", dev, ctr__dev_nodes[k], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "bind ", ctr__dev_paths[k], " in ",
                       op->dst);
        ctr__r_close(fds[k]);
    }
    if (ctr__r_mkdirat(dev, "pts", 0755) != 0 || ctr__r_mkdirat(dev, "shm", 01777) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create directories in ", op->dst, NULL,
                   NULL);
    m = ctr__c_fsmount(l, "devpts", pts_opts, CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NOEXEC,
                       op->dst);
    if (ctr__move_mount(m, "", dev, "pts", CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "mount devpts in ", op->dst, NULL, NULL);
    ctr__r_close(m);
    m = ctr__c_fsmount(l, "tmpfs", shm_opts, hidden, op->dst);
    if (ctr__move_mount(m, "", dev, "shm", CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "mount the shm tmpfs in ", op->dst, NULL,
                   NULL);
    ctr__r_close(m);
    for (i = 0; i < sizeof(links) / sizeof(links[0]); i += 2)
        if (ctr__r_symlinkat(links[i], dev, links[i + 1]) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create symlink ", links[i + 1], " in ",
                       op->dst);
    if (op->flags & CTR_MOUNT_READONLY)
        ctr__c_setattr(l, dev, 0, CTR__MOUNT_ATTR_RDONLY, 0, op->dst);
    ctr__r_close(dev);
}

static void ctr__c_make_node(const ctr__launch *l, const ctr__op *op, int rootfd) {
    struct stat st;
    size_t off = 0;
    int f;
    if (op->type == CTR_MOUNT_FILE) {
        /* Non-blocking, and only a regular file: a FIFO left at the path by an earlier container
           (it had a writable root) must not hang the spawn, nor a device or socket be written. */
        f = ctr__c_create_file(l, rootfd, op->dst, O_WRONLY | O_TRUNC | O_NONBLOCK | O_NOCTTY,
                               op->mode);
        if (f < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create file ", op->dst,
                       errno == ENXIO ? " (a FIFO or socket is in the way)" : NULL, NULL);
        if (ctr__r_fstat(f, &st) != 0 || !S_ISREG(st.st_mode))
            ctr__c_die(l, CTR_STEP_MOUNT, EEXIST, op->dst, "create file ", op->dst,
                       ": something that is not a regular file is in the way", NULL);
        while (off < op->data_len) {
            long w = ctr__r_write(f, CTR__CAST(const char *, op->data) + off, op->data_len - off);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "write file ", op->dst, NULL, NULL);
            off += CTR__CAST(size_t, w);
        }
        if (ctr__r_fchmod(f, op->mode) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "chmod ", op->dst, NULL, NULL);
        ctr__r_close(f);
    } else {
        const char *name;
        int dir = ctr__c_open_parent(l, rootfd, op->dst, &name);
        if (op->type == CTR_MOUNT_SYMLINK) {
            if (ctr__r_symlinkat(op->src, dir, name) != 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create symlink ", op->dst, " -> ",
                           op->src);
        } else if (ctr__r_mkdirat(dir, name, op->mode) == 0) { /* CTR_MOUNT_DIR */
            if (ctr__r_fchmodat(dir, name, op->mode) != 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "chmod ", op->dst, NULL, NULL);
        } else if (errno != EEXIST) {
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create directory ", op->dst, NULL, NULL);
        } else {
            /* there already: a directory, or a symlink to one (made if it dangles) */
            ctr__r_close(ctr__c_open_dir(l, rootfd, op->dst, strlen(op->dst)));
        }
        ctr__r_close(dir);
    }
}

/* Masks in a fresh proc or sysfs mount `base`: files get the host's /dev/null bound over them
   (read-only, nodev: opening one fails with EACCES), directories an empty read-only tmpfs;
   read-only paths are bound onto themselves read-only.  All are mounts the container cannot
   remove (no CAP_SYS_ADMIN, and umount is filtered). */
static void ctr__c_masks(const ctr__launch *l, int base, const char *dst, const char *const *masked,
                         const char *const *readonly) {
    static const char *const empty_opts[] = {"mode", "0555", "size", "4096", NULL};
    const unsigned flags = CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC;
    const unsigned hidden = CTR__MOUNT_ATTR_RDONLY | CTR__MOUNT_ATTR_NOSUID |
                            CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC;
    int i;
    for (i = 0; masked[i]; i++) {
        struct stat st;
        int m;
        if (ctr__r_fstatat(base, masked[i], &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* not on this kernel */
        if (S_ISDIR(st.st_mode)) {
            /* a fresh one each time: kernels before 6.15 cannot clone a detached mount */
            m = ctr__c_fsmount(l, "tmpfs", empty_opts, hidden, dst);
        } else {
            /* nodev: opening the mask fails with EACCES instead of reading /dev/null */
            m = ctr__open_tree(AT_FDCWD, "/dev/null", flags);
            if (m >= 0) ctr__c_setattr(l, m, 0, hidden, 0, dst);
        }
        if (m < 0 || ctr__move_mount(m, "", base, masked[i], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "mask ", masked[i], " in ", dst);
        ctr__r_close(m);
    }
    for (i = 0; readonly && readonly[i]; i++) {
        int m = ctr__open_tree(base, readonly[i], flags | AT_RECURSIVE);
        if (m < 0 && errno == ENOENT) continue;
        if (m < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "make ", readonly[i], " read-only in ", dst);
        ctr__c_setattr(l, m, AT_RECURSIVE,
                       CTR__MOUNT_ATTR_RDONLY | CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV, 0,
                       dst);
        if (ctr__move_mount(m, "", base, readonly[i], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "make ", readonly[i], " read-only in ", dst);
        ctr__r_close(m);
    }
}

static const char *const ctr__proc_masked[] = {
    "kcore",       "keys",        "key-users",   "timer_list", "sched_debug", "latency_stats",
    "timer_stats", "acpi",        "scsi",        "asound",     "kallsyms",    "kpagecount",
    "kpageflags",  "kpagecgroup", "vmallocinfo", NULL};
static const char *const ctr__proc_readonly[] = {"sys", "sysrq-trigger", "irq", "bus", "fs", NULL};
static const char *const ctr__sys_masked[] = {"firmware", "devices/virtual/powercap",
                                              "kernel/security", NULL};

/* One op; fds are its slots in l->mnt_fds (the detached trees ctr__c_clone_sources made). */
static void ctr__c_apply(const ctr__launch *l, const ctr__op *op, const int *fds, int rootfd) {
    const unsigned hidden = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC;
    const unsigned ro = (op->flags & CTR_MOUNT_READONLY) ? CTR__MOUNT_ATTR_RDONLY : 0u;
    const char *tmpfs_opts[] = {"mode", op->opt_mode, "size", op->opt_size, NULL};
    int m;
    switch (op->type) {
    case CTR_MOUNT_BIND:
        if (!op->src_is_dir) {
            ctr__c_bind_file(l, op, fds[0], rootfd);
            return;
        }
        ctr__c_attach(l, fds[0], rootfd, op->dst, op->src);
        ctr__r_close(fds[0]);
        return;
    case CTR_MOUNT_TMPFS:
        m = ctr__c_fsmount(l, "tmpfs", tmpfs_opts,
                           CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | ro, op->dst);
        ctr__c_attach(l, m, rootfd, op->dst, "tmpfs");
        ctr__r_close(m);
        return;
    case CTR_MOUNT_PROC:
    case CTR_MOUNT_MQUEUE:
    case CTR_MOUNT_SYSFS: {
        const char *type = op->type == CTR_MOUNT_PROC    ? "proc"
                           : op->type == CTR_MOUNT_SYSFS ? "sysfs"
                                                         : "mqueue";
        m = ctr__c_fsmount(l, type, NULL,
                           hidden | (op->type == CTR_MOUNT_SYSFS ? CTR__MOUNT_ATTR_RDONLY : ro),
                           op->dst);
        ctr__c_attach(l, m, rootfd, op->dst, type);
        if (l->plan->masks && op->type == CTR_MOUNT_PROC)
            ctr__c_masks(l, m, op->dst, ctr__proc_masked, ctr__proc_readonly);
        if (l->plan->masks && op->type == CTR_MOUNT_SYSFS)
            ctr__c_masks(l, m, op->dst, ctr__sys_masked, NULL);
        ctr__r_close(m);
        return;
    }
    case CTR_MOUNT_DEV: ctr__c_dev(l, op, fds, rootfd); return;
    case CTR_MOUNT_FILE:
        if (op->flags & CTR__OP_PRIVATE) {
            ctr__c_bind_file(l, op, fds[0], rootfd);
            return;
        }
        ctr__c_make_node(l, op, rootfd);
        return;
    case CTR_MOUNT_DIR:
    case CTR_MOUNT_SYMLINK: ctr__c_make_node(l, op, rootfd); return;
    }
}

/* The FILEs of the container's own (CTR__OP_PRIVATE: a network's /etc/resolv.conf and
   /etc/hosts), each written in one small tmpfs and cloned from it as a detached mount, to be
   bound on op->dst whatever is there (the host's read-only /etc).  From Linux 6.15 a detached
   mount can be cloned as it is, and the tmpfs's own descriptor stays open (close-on-exec) until
   the execve: dissolving a detached mount, like any unmount, waits for an RCU grace period,
   which need not delay the spawn.  Before 6.15 (EINVAL) each file's tmpfs is attached on
   attach_at for the moment of its clone, in our own mount namespace, then unmounted. */
typedef struct ctr__c_files {
    int fd;     /* the tmpfs, or -1 */
    int attach; /* a detached mount cannot be cloned here (before Linux 6.15) */
    int n;      /* files written */
} ctr__c_files;

static int ctr__c_private_file(const ctr__launch *l, const ctr__op *op, ctr__c_files *t) {
    static const char *const opts[] = {"mode", "0755", "size", "65536", NULL};
    const char *at = l->plan->attach_at;
    char name[] = "file0";
    int f, c = -1;
    size_t off = 0;
    name[4] = CTR__CAST(char, '0' + t->n++ % 10);
    if (t->fd < 0)
        t->fd = ctr__c_fsmount(
            l, "tmpfs", opts,
            CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC, op->dst);
    f = ctr__r_openat(t->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, op->mode);
    if (f < 0) ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create file ", op->dst, NULL, NULL);
    while (off < op->data_len) {
        long w = ctr__r_write(f, CTR__CAST(const char *, op->data) + off, op->data_len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "write file ", op->dst, NULL, NULL);
        off += CTR__CAST(size_t, w);
    }
    ctr__r_close(f);
    if (!t->attach) {
        if ((c = ctr__open_tree(t->fd, name, CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC)) >= 0)
            return c;
        if (errno != EINVAL)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "make the file for ", op->dst, NULL,
                       NULL);
        t->attach = 1;
    }
    if (ctr__move_mount(t->fd, "", AT_FDCWD, at, CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0 ||
        (c = ctr__open_tree(t->fd, name, CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC)) < 0 ||
        syscall(SYS_umount2, at, MNT_DETACH) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "make the file for ", op->dst, NULL, NULL);
    ctr__r_close(t->fd);
    t->fd = -1; /* the next file gets a tmpfs of its own */
    return c;
}

/* Clone every bind source (and the /dev nodes) as detached trees first: once the new root is
   attached somewhere, host paths under that place are hidden. */
static void ctr__c_clone_sources(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    ctr__c_files files = {-1, 0, 0};
    size_t i;
    int k;
    for (i = 0; i < p->nops; i++) {
        const ctr__op *op = &p->ops[i];
        int *fds = l->mnt_fds + i * CTR__DEV_NODES;
        if (op->type == CTR_MOUNT_BIND && l->op_pre && l->op_pre[i] >= 0) {
            fds[0] = ctr__c_pre_fd(l, l->op_pre[i]); /* idmapped by the parent */
        } else if (op->type == CTR_MOUNT_BIND) {
            unsigned rec =
                (op->flags & CTR_MOUNT_NONRECURSIVE) ? 0u : CTR__CAST(unsigned, AT_RECURSIVE);
            uint64_t set = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV;
            if (!(op->flags & CTR_MOUNT_RW)) set |= CTR__MOUNT_ATTR_RDONLY;
            fds[0] = ctr__open_tree(AT_FDCWD, op->src,
                                    CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC | rec);
            if (fds[0] < 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->src, "bind ", op->src, " on ", op->dst);
            ctr__c_setattr(l, fds[0], rec, set, 0, op->src);
        } else if (op->type == CTR_MOUNT_FILE && (op->flags & CTR__OP_PRIVATE)) {
            fds[0] = ctr__c_private_file(l, op, &files);
        } else if (op->type == CTR_MOUNT_DEV) {
            for (k = 0; k < CTR__DEV_NODES; k++) {
                fds[k] = ctr__open_tree(AT_FDCWD, ctr__dev_paths[k],
                                        CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC);
                if (fds[k] < 0)
                    ctr__c_die(l, CTR_STEP_MOUNT, errno, ctr__dev_paths[k], "bind ",
                               ctr__dev_paths[k], " in ", op->dst);
                ctr__c_setattr(l, fds[k], 0, CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NOEXEC, 0,
                               ctr__dev_paths[k]);
            }
        }
    }
}

/* Whether every mount target of the plan is already in the tree at rootfd (nothing would have
   to be made in it): a read-only root then needs no layer. */
static int ctr__c_targets_exist(const ctr__plan *p, int rootfd) {
    size_t i;
    for (i = 0; i < p->nops; i++) {
        const ctr__op *op = &p->ops[i];
        int dir = !(op->type == CTR_MOUNT_BIND && !op->src_is_dir), fd;
        if (op->type == CTR_MOUNT_FILE || op->type == CTR_MOUNT_SYMLINK) return 0;
        fd = ctr__c_in_root(rootfd, op->dst + 1, O_PATH | (dir ? O_DIRECTORY : 0), 0);
        if (fd < 0) return 0;
        ctr__r_close(fd);
    }
    return 1;
}

/* The new root as a detached mount: an overlay of the layers (layers.c), the rootfs tree, or a
   fresh tmpfs. */
static int ctr__c_new_root(const ctr__launch *l) {
    static const char *const opts[] = {"mode", "0755", NULL};
    const unsigned base = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV;
    const ctr__plan *p = l->plan;
    int r;
    if (p->layer && p->layer_try_bind) {
        r = ctr__open_tree(AT_FDCWD, p->rootfs,
                           CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        if (r < 0)
            ctr__c_die(l, CTR_STEP_ROOTFS, errno, p->rootfs, "bind rootfs ", p->rootfs, NULL, NULL);
        if (ctr__c_targets_exist(p, r)) {
            ctr__c_setattr(l, r, AT_RECURSIVE, base | CTR__MOUNT_ATTR_RDONLY, 0, p->rootfs);
            return r;
        }
        ctr__r_close(r);
    }
    if (p->layer) return ctr__c_layer_root(l);
    if (!p->rootfs) return ctr__c_fsmount(l, "tmpfs", opts, base, "/");
    if (l->root_pre >= 0) return ctr__c_pre_fd(l, l->root_pre); /* idmapped by the parent */
    r = ctr__open_tree(AT_FDCWD, p->rootfs,
                       CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (r < 0)
        ctr__c_die(l, CTR_STEP_ROOTFS, errno, p->rootfs, "bind rootfs ", p->rootfs, NULL, NULL);
    /* Read-only: every mount of the tree, but the top stays writable until the mount points exist. */
    ctr__c_setattr(l, r, AT_RECURSIVE, base | (p->readonly_root ? CTR__MOUNT_ATTR_RDONLY : 0u), 0,
                   p->rootfs);
    if (p->readonly_root) {
        ctr__mount_attr a;
        memset(&a, 0, sizeof(a));
        a.attr_clr = CTR__MOUNT_ATTR_RDONLY;
        (void)ctr__mount_setattr(r, "", AT_EMPTY_PATH,
                                 &a); /* EPERM: the host's mount is read-only */
    }
    return r;
}

static void ctr__c_setup_root(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    size_t i;
    int root;
    if (syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0)
        ctr__c_die(l, CTR_STEP_ROOTFS, errno, "/", "make the mounts of / slaves", NULL, NULL, NULL);
    ctr__c_clone_sources(l);
    root = ctr__c_new_root(l);
    if (ctr__move_mount(root, "", AT_FDCWD, p->attach_at, CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
        ctr__c_die(l, CTR_STEP_ROOTFS, errno, p->attach_at, "mount the new root on ", p->attach_at,
                   NULL, NULL);
    for (i = 0; i < p->nops; i++)
        ctr__c_apply(l, &p->ops[i], l->mnt_fds + i * CTR__DEV_NODES, root);
    if (p->readonly_root) ctr__c_setattr(l, root, 0, CTR__MOUNT_ATTR_RDONLY, 0, "/");
    /* pivot_root(".", ".") stacks the old root on the new one; detaching "." then drops it. */
    if (ctr__r_fchdir(root) != 0 || syscall(SYS_pivot_root, ".", ".") != 0)
        ctr__c_die(l, CTR_STEP_PIVOT_ROOT, errno, p->rootfs ? p->rootfs : "/",
                   "pivot_root into the new root", NULL, NULL, NULL);
    if (syscall(SYS_umount2, ".", MNT_DETACH) != 0 || ctr__r_chdir("/") != 0)
        ctr__c_die(l, CTR_STEP_PIVOT_ROOT, errno, "/", "detach the old root", NULL, NULL, NULL);
    ctr__r_close(root);
}
