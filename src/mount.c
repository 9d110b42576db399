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

/* "d" and n in decimal (at least 12 bytes). */
static void ctr__c_utoa_dev(char *buf, unsigned n) {
    char tmp[11];
    int i = 0, j = 1;
    buf[0] = 'd';
    do tmp[i++] = CTR__CAST(char, '0' + n % 10);
    while ((n /= 10) != 0);
    while (i > 0) buf[j++] = tmp[--i];
    buf[j] = '\0';
}

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

#define CTR__MOUNT_ATTR_NOATIME     0x10u
#define CTR__MOUNT_ATTR_STRICTATIME 0x20u
#define CTR__MOUNT_ATTR__ATIME      0x70u
#define CTR__MOUNT_ATTR_NODIRATIME  0x80u

/* A detached clone of what the O_PATH descriptor fd (closed) names, with these attributes. */
static int ctr__c_clone_at(const ctr__launch *l, int fd, unsigned rec, uint64_t set,
                           const char *what, const char *dst) {
    int m =
        ctr__open_tree(fd, "", CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | rec);
    if (m < 0) ctr__c_die(l, CTR_STEP_MOUNT, errno, what, "bind ", what, " on ", dst);
    ctr__r_close(fd);
    ctr__c_setattr(l, m, rec, set, (set & CTR__MOUNT_ATTR__ATIME) ? CTR__MOUNT_ATTR__ATIME : 0,
                   what);
    return m;
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
    const char *tmpfs_opts[] = {"mode", op->opt_mode, "size", op->opt_size, "source", "", NULL};
    tmpfs_opts[5] = op->src && op->type != CTR_MOUNT_BIND ? op->src : "";
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
        m = ctr__c_clone_at(l, fds[k], 0, CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NOEXEC,
                            ctr__dev_paths[k], op->dst);
        if (ctr__move_mount(m, "", dev, ctr__dev_nodes[k], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "bind ", ctr__dev_paths[k], " in ",
                       op->dst);
        ctr__r_close(m);
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

/* Writes a CTR_MOUNT_FILE's data into f, whole. */
static void ctr__c_write_data(const ctr__launch *l, const ctr__op *op, int f) {
    size_t off = 0;
    while (off < op->data_len) {
        long w = ctr__r_write(f, CTR__CAST(const char *, op->data) + off, op->data_len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "write file ", op->dst, NULL, NULL);
        off += CTR__CAST(size_t, w);
    }
}

static void ctr__c_make_node(const ctr__launch *l, const ctr__op *op, int rootfd) {
    struct stat st;
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
        ctr__c_write_data(l, op, f);
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

/* The mount attributes an op's flags ask for beyond the defaults: noexec and the access times. */
static unsigned ctr__op_attrs(const ctr__op *op) {
    unsigned a = 0;
    if (op->flags & CTR_MOUNT_NOEXEC) a |= CTR__MOUNT_ATTR_NOEXEC;
    if (op->flags & CTR_MOUNT_NOATIME) a |= CTR__MOUNT_ATTR_NOATIME;
    if (op->flags & CTR_MOUNT_STRICTATIME) a |= CTR__MOUNT_ATTR_STRICTATIME;
    if (op->flags & CTR_MOUNT_NODIRATIME) a |= CTR__MOUNT_ATTR_NODIRATIME;
    return a;
}

/* CTR_MOUNT_CGROUP: with a cgroup2 root, one cgroup2 mount; otherwise (cgroup v1, the hybrid
   layout) a tmpfs with each hierarchy the host has mounted under /sys/fs/cgroup mounted anew in
   a directory of the same name (the container's cgroup namespace makes its root the
   container's cgroup), and a symlink for each controller of a co-mounted pair. */
/* "cpu,cpuacct": links cpu and cpuacct to it, as the host has them. */
static void ctr__c_cgroup_links(int base, const char *dir) {
    char name[64];
    const char *c = dir;
    if (!strchr(dir, ',')) return;
    while (*c) {
        size_t n = strcspn(c, ",");
        if (n < sizeof(name)) {
            memcpy(name, c, n);
            name[n] = '\0';
            (void)ctr__r_symlinkat(dir, base, name);
        }
        c += n + (c[n] == ',');
    }
}

/* The container's own directory of a hierarchy, from /proc/self/cgroup (key: the hierarchy's
   name there, "" for cgroup2), as "/sys/fs/cgroup/DIR/PATH" in out. */
static void ctr__c_own_cgroup(const ctr__launch *l, const char *dir, const char *key, char *out,
                              size_t size) {
    char buf[4096];
    const char *s;
    size_t have = 0, klen = strlen(key), n;
    long r;
    int fd = ctr__r_openat(AT_FDCWD, "/proc/self/cgroup", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, "/proc/self/cgroup", "read ", "/proc/self/cgroup",
                   NULL, NULL);
    while (have + 1 < sizeof(buf) && (r = ctr__r_read(fd, buf + have, sizeof(buf) - 1 - have)) > 0)
        have += CTR__CAST(size_t, r);
    ctr__r_close(fd);
    buf[have] = '\0';
    for (s = buf; *s; s += n + (s[n] == '\n')) {
        const char *c1 = s;
        n = 0;
        while (s[n] && s[n] != '\n') n++;
        while (c1 < s + n && *c1 != ':') c1++;
        if (c1 + 1 + klen < s + n && strncmp(c1 + 1, key, klen) == 0 && c1[1 + klen] == ':') {
            size_t o = ctr__append(out, size, 0, "/sys/fs/cgroup/");
            size_t plen = CTR__CAST(size_t, s + n - (c1 + 2 + klen));
            o = ctr__append(out, size, o, dir);
            if (o + plen + 1 >= size) break;
            memcpy(out + o, c1 + 2 + klen, plen);
            out[o + plen] = '\0';
            return;
        }
    }
    ctr__c_die(l, CTR_STEP_MOUNT, ENOENT, dir, "find the container's cgroup in hierarchy ",
               key[0] ? key : "cgroup2", NULL, NULL);
}

static void ctr__c_cgroup_mount(const ctr__launch *l, const ctr__op *op, int rootfd) {
    static const char *const tmpfs_opts[] = {"mode", "0755", "size", "65536", NULL};
    const unsigned hidden = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC;
    const unsigned ro = (op->flags & CTR_MOUNT_READONLY) ? CTR__MOUNT_ATTR_RDONLY : 0u;
    const char *const *h = op->opts;
    /* Without a cgroup namespace of its own a fresh mount would show the host's whole tree:
       the container's own directories are bound instead (as runc does). */
    int bind = !l->plan->cgroupns && !(l->plan->clone_flags & CLONE_NEWCGROUP), base, i;
    if (bind) {
        char path[PATH_MAX];
        int m;
        if (h[0][0] == '\0') {
            ctr__c_own_cgroup(l, "", "", path, sizeof(path));
            if ((m = ctr__open_tree(AT_FDCWD, path,
                                    CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC)) < 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, path, "bind ", path, " on ", op->dst);
            ctr__c_setattr(l, m, 0, hidden | ro, 0, op->dst);
            ctr__c_attach(l, m, rootfd, op->dst, path);
            ctr__r_close(m);
            return;
        }
        base = ctr__c_fsmount(l, "tmpfs", tmpfs_opts, hidden, op->dst);
        ctr__c_attach(l, base, rootfd, op->dst, "tmpfs");
        for (i = 0; h[i]; i += 4) {
            ctr__c_own_cgroup(l, h[i], h[i + 3], path, sizeof(path));
            if (ctr__r_mkdirat(base, h[i], 0755) != 0 && errno != EEXIST)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create ", h[i], " in ", op->dst);
            if ((m = ctr__open_tree(AT_FDCWD, path,
                                    CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC)) < 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, path, "bind ", path, " in ", op->dst);
            ctr__c_setattr(l, m, 0, hidden | ro, 0, path);
            if (ctr__move_mount(m, "", base, h[i], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, path, "bind ", path, " in ", op->dst);
            ctr__r_close(m);
            ctr__c_cgroup_links(base, h[i]);
        }
        if (ro) ctr__c_setattr(l, base, 0, CTR__MOUNT_ATTR_RDONLY, 0, op->dst);
        ctr__r_close(base);
        return;
    }
    if (h[0][0] == '\0') { /* cgroup2 at the root */
        const char *src[] = {"source", op->src ? op->src : "", NULL};
        int m = ctr__c_fsmount(l, "cgroup2", src, hidden | ro, op->dst);
        ctr__c_attach(l, m, rootfd, op->dst, "cgroup2");
        ctr__r_close(m);
        return;
    }
    base = ctr__c_fsmount(l, "tmpfs", tmpfs_opts, hidden, op->dst);
    ctr__c_attach(l, base, rootfd, op->dst, "tmpfs");
    for (i = 0; h[i]; i += 4) {
        char opts[512], *o, *next;
        size_t len = strlen(h[i + 2]);
        int fs, m = -1;
        if (len >= sizeof(opts))
            ctr__c_die(l, CTR_STEP_MOUNT, ENAMETOOLONG, op->dst, "mount cgroup ", h[i], NULL, NULL);
        memcpy(opts, h[i + 2], len + 1);
        if (ctr__r_mkdirat(base, h[i], 0755) != 0 && errno != EEXIST)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create ", h[i], " in ", op->dst);
        if ((fs = ctr__fsopen(h[i + 1])) < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create a ", h[i + 1], " filesystem for ",
                       h[i]);
        if (op->src && op->src[0] &&
            ctr__fsconfig(fs, CTR__FSCONFIG_SET_STRING, "source", op->src) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "set the source of cgroup ", h[i], NULL,
                       NULL);
        for (o = opts; o && *o && strcmp(h[i + 1], "cgroup") == 0; o = next) {
            char *eq;
            int r;
            next = strchr(o, ',');
            if (next) *next++ = '\0';
            eq = strchr(o, '=');
            if (strcmp(o, "rw") == 0 || strcmp(o, "ro") == 0) continue;
            if (eq) {
                *eq = '\0';
                r = ctr__fsconfig(fs, CTR__FSCONFIG_SET_STRING, o, eq + 1);
            } else {
                r = ctr__fsconfig(fs, CTR__FSCONFIG_SET_FLAG, o, NULL);
            }
            if (r != 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "set option ", o, " of cgroup ",
                           h[i]);
        }
        if (ctr__fsconfig(fs, CTR__FSCONFIG_CMD_CREATE, NULL, NULL) != 0 ||
            (m = ctr__fsmount(fs, hidden | ro)) < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "mount cgroup ", h[i], " in ", op->dst);
        ctr__r_close(fs);
        if (ctr__move_mount(m, "", base, h[i], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "mount cgroup ", h[i], " in ", op->dst);
        ctr__r_close(m);
        ctr__c_cgroup_links(base, h[i]);
    }
    if (ro) ctr__c_setattr(l, base, 0, CTR__MOUNT_ATTR_RDONLY, 0, op->dst);
    ctr__r_close(base);
}

/* The propagation of the mount at fd (CTR_MOUNT_SHARED... in flags; none: left as it is). */
static void ctr__c_propagation(const ctr__launch *l, int fd, unsigned flags, const char *what) {
    ctr__mount_attr a;
    memset(&a, 0, sizeof(a));
    a.propagation = (flags & CTR_MOUNT_SHARED)       ? MS_SHARED
                    : (flags & CTR_MOUNT_SLAVE)      ? MS_SLAVE
                    : (flags & CTR_MOUNT_PRIVATE)    ? MS_PRIVATE
                    : (flags & CTR_MOUNT_UNBINDABLE) ? MS_UNBINDABLE
                                                     : 0;
    if (!a.propagation) return;
    if (ctr__mount_setattr(
            fd, "", AT_EMPTY_PATH | ((flags & CTR_MOUNT_RPROPAGATION) ? AT_RECURSIVE : 0), &a) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, what, "set the propagation of ", what, NULL, NULL);
}

static void ctr__c_apply_one(const ctr__launch *l, const ctr__op *op, const int *fds, int rootfd,
                             int premade);

/* Whether the plan's op i is a bind whose source the parent premade (idmapped, userns.c): its
   slot holds a detached mount, attached as it is. */
static int ctr__c_premade(const ctr__launch *l, size_t i) {
    return l->op_pre && l->plan->ops[i].type == CTR_MOUNT_BIND && l->op_pre[i] >= 0;
}

/* One op, then its propagation; fds are its slots in l->mnt_fds (the detached trees
   ctr__c_clone_sources made). */
static void ctr__c_apply(const ctr__launch *l, const ctr__op *op, const int *fds, int rootfd,
                         int premade) {
    int t;
    ctr__c_apply_one(l, op, fds, rootfd, premade);
    if (!(op->flags &
          (CTR_MOUNT_SHARED | CTR_MOUNT_SLAVE | CTR_MOUNT_PRIVATE | CTR_MOUNT_UNBINDABLE)))
        return;
    if ((t = ctr__c_in_root(rootfd, op->dst + 1, O_PATH, 0)) < 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "resolve ", op->dst,
                   " inside the container root", NULL);
    ctr__c_propagation(l, t, op->flags, op->dst);
    ctr__r_close(t);
}

static void ctr__c_apply_one(const ctr__launch *l, const ctr__op *op, const int *fds, int rootfd,
                             int premade) {
    const unsigned hidden = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC;
    const unsigned ro = (op->flags & CTR_MOUNT_READONLY) ? CTR__MOUNT_ATTR_RDONLY : 0u;
    const char *tmpfs_opts[] = {"mode", op->opt_mode, "size", op->opt_size, "source", "", NULL};
    tmpfs_opts[5] = op->src && op->type != CTR_MOUNT_BIND ? op->src : "";
    int m;
    switch (op->type) {
    case CTR_MOUNT_BIND: {
        unsigned rec =
            (op->flags & CTR_MOUNT_NONRECURSIVE) ? 0u : CTR__CAST(unsigned, AT_RECURSIVE);
        uint64_t set = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | ctr__op_attrs(op);
        if (!(op->flags & CTR_MOUNT_RW)) set |= CTR__MOUNT_ATTR_RDONLY;
        if (premade) { /* a detached mount already, idmapped: no clone */
            m = fds[0];
            if (ctr__op_attrs(op))
                ctr__c_setattr(l, m, rec, ctr__op_attrs(op),
                               (ctr__op_attrs(op) & CTR__MOUNT_ATTR__ATIME) ? CTR__MOUNT_ATTR__ATIME
                                                                            : 0,
                               op->src);
        } else {
            m = ctr__c_clone_at(l, fds[0], rec, set, op->src, op->dst);
        }
        if (!op->src_is_dir) {
            ctr__c_bind_file(l, op, m, rootfd);
            return;
        }
        ctr__c_attach(l, m, rootfd, op->dst, op->src);
        ctr__r_close(m);
        return;
    }
    case CTR_MOUNT_TMPFS:
        m = ctr__c_fsmount(l, "tmpfs", tmpfs_opts,
                           CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | ro | ctr__op_attrs(op),
                           op->dst);
        ctr__c_attach(l, m, rootfd, op->dst, "tmpfs");
        ctr__r_close(m);
        return;
    case CTR_MOUNT_PROC:
    case CTR_MOUNT_MQUEUE:
    case CTR_MOUNT_SYSFS: {
        const char *type = op->type == CTR_MOUNT_PROC    ? "proc"
                           : op->type == CTR_MOUNT_SYSFS ? "sysfs"
                                                         : "mqueue";
        const char *src[] = {"source", op->src ? op->src : "", NULL};
        m = ctr__c_fsmount(l, type, src,
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
    case CTR_MOUNT_DEVPTS:
        m = ctr__c_fsmount(l, "devpts", op->opts, CTR__MOUNT_ATTR_NOSUID | ro | ctr__op_attrs(op),
                           op->dst);
        ctr__c_attach(l, m, rootfd, op->dst, "devpts");
        ctr__r_close(m);
        return;
    case CTR_MOUNT_CGROUP: ctr__c_cgroup_mount(l, op, rootfd); return;
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
    name[4] = CTR__CAST(char, '0' + t->n++ % 10);
    if (t->fd < 0)
        t->fd = ctr__c_fsmount(
            l, "tmpfs", opts,
            CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC, op->dst);
    f = ctr__r_openat(t->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, op->mode);
    if (f < 0) ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create file ", op->dst, NULL, NULL);
    ctr__c_write_data(l, op, f);
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

/* Open every bind source (and the /dev nodes) first, as O_PATH descriptors (but a bind the
   parent premade idmapped and a private file, which are detached mounts already): once the new
   root is attached somewhere, host paths under that place are hidden.  Each is cloned
   (open_tree) only when its turn comes, so that the mounts are made in the order of the list (Linux 6.8 and
   later list /proc/self/mountinfo in the order mounts were made). */
static void ctr__c_clone_sources(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    ctr__c_files files = {-1, 0, 0};
    size_t i;
    int k;
    for (i = 0; i < p->nops; i++) {
        const ctr__op *op = &p->ops[i];
        int *fds = l->mnt_fds + i * CTR__DEV_NODES;
        if (ctr__c_premade(l, i)) {
            fds[0] = ctr__c_pre_fd(l, l->op_pre[i]); /* idmapped by the parent */
        } else if (op->type == CTR_MOUNT_BIND) {
            if ((fds[0] = ctr__r_openat(AT_FDCWD, op->src, O_PATH | O_CLOEXEC, 0)) < 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->src, "bind ", op->src, " on ", op->dst);
        } else if (op->type == CTR_MOUNT_FILE && (op->flags & CTR__OP_PRIVATE)) {
            fds[0] = ctr__c_private_file(l, op, &files);
        } else if (op->type == CTR_MOUNT_DEV) {
            for (k = 0; k < CTR__DEV_NODES; k++)
                if ((fds[k] = ctr__r_openat(AT_FDCWD, ctr__dev_paths[k], O_PATH | O_CLOEXEC, 0)) <
                    0)
                    ctr__c_die(l, CTR_STEP_MOUNT, errno, ctr__dev_paths[k], "bind ",
                               ctr__dev_paths[k], " in ", op->dst);
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

/* The late ops (spec.devices, masked_paths, readonly_paths), after every mount and before the
   root turns read-only.  Devices: made with mknod in a tmpfs of our own that is never attached
   anywhere (without nodev), each bound from there onto a file in the container, so that only
   the nodes asked for can be opened (every other mount stays nodev).  Masks: /dev/null bound
   over a file, an empty read-only tmpfs over a directory; read-only paths: bound onto
   themselves read-only.  A path that does not exist is left alone (as runc does). */
static void ctr__c_late_ops(const ctr__launch *l, int rootfd) {
    static const char *const stage_opts[] = {"mode", "0700", "size", "4096", NULL};
    static const char *const empty_opts[] = {"mode", "0555", "size", "4096", NULL};
    const unsigned flags = CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC;
    const unsigned hidden = CTR__MOUNT_ATTR_RDONLY | CTR__MOUNT_ATTR_NOSUID |
                            CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC;
    const ctr__plan *p = l->plan;
    size_t i;
    int stage = -1;
    for (i = 0; i < p->nlate; i++) {
        const ctr__op *op = &p->late_ops[i];
        int t, m;
        if (op->type == CTR__OP_DEVICE) {
            char name[16];
            ctr__op file = *op;
            if (stage < 0)
                stage = ctr__c_fsmount(l, "tmpfs", stage_opts,
                                       CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NOEXEC, op->dst);
            ctr__c_utoa_dev(name, CTR__CAST(unsigned, i));
            if (syscall(SYS_mknodat, stage, name, op->mode, op->rdev) != 0 ||
                syscall(SYS_fchownat, stage, name, op->uid, op->gid, AT_SYMLINK_NOFOLLOW) != 0 ||
                ctr__r_fchmodat(stage, name, op->mode & 07777u) != 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create device ", op->dst,
                           errno == EPERM ? " (device nodes need root without a user namespace)"
                                          : NULL,
                           NULL);
            if ((m = ctr__open_tree(stage, name, flags)) < 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "bind device ", op->dst, NULL, NULL);
            file.src = op->dst;
            ctr__c_bind_file(l, &file, m, rootfd);
            continue;
        }
        t = ctr__c_in_root(rootfd, op->dst + 1, O_PATH, 0);
        if (t < 0 && (errno == ENOENT || errno == ENOTDIR)) continue;
        if (t < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "resolve ", op->dst,
                       " inside the container root", NULL);
        if (op->type == CTR__OP_MASK) {
            struct stat st;
            if (ctr__r_fstat(t, &st) != 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "mask ", op->dst, NULL, NULL);
            if (S_ISDIR(st.st_mode)) {
                m = ctr__c_fsmount(l, "tmpfs", empty_opts, hidden, op->dst);
            } else {
                m = ctr__open_tree(AT_FDCWD, "/dev/null", flags);
                if (m >= 0) ctr__c_setattr(l, m, 0, hidden, 0, op->dst);
            }
        } else {
            m = ctr__open_tree(t, "", flags | AT_EMPTY_PATH | AT_RECURSIVE);
            if (m >= 0)
                ctr__c_setattr(l, m, AT_RECURSIVE,
                               CTR__MOUNT_ATTR_RDONLY | CTR__MOUNT_ATTR_NOSUID |
                                   CTR__MOUNT_ATTR_NODEV,
                               0, op->dst);
        }
        if (m < 0 ||
            ctr__move_mount(m, "", t, "",
                            CTR__MOVE_MOUNT_F_EMPTY_PATH | CTR__MOVE_MOUNT_T_EMPTY_PATH) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst,
                       op->type == CTR__OP_MASK ? "mask " : "make read-only ", op->dst, NULL, NULL);
        ctr__r_close(m);
        ctr__r_close(t);
    }
    if (stage >= 0) ctr__r_close(stage);
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
        ctr__c_apply(l, &p->ops[i], l->mnt_fds + i * CTR__DEV_NODES, root, ctr__c_premade(l, i));
    if (p->nlate) ctr__c_late_ops(l, root);
    if (p->readonly_root) ctr__c_setattr(l, root, 0, CTR__MOUNT_ATTR_RDONLY, 0, "/");
    /* pivot_root(".", ".") stacks the old root on the new one; detaching "." then drops it. */
    if (ctr__r_fchdir(root) != 0 || syscall(SYS_pivot_root, ".", ".") != 0)
        ctr__c_die(l, CTR_STEP_PIVOT_ROOT, errno, p->rootfs ? p->rootfs : "/",
                   "pivot_root into the new root", NULL, NULL, NULL);
    if (syscall(SYS_umount2, ".", MNT_DETACH) != 0 || ctr__r_chdir("/") != 0)
        ctr__c_die(l, CTR_STEP_PIVOT_ROOT, errno, "/", "detach the old root", NULL, NULL, NULL);
    if (p->root_propagation) ctr__c_propagation(l, root, p->root_propagation, "/");
    ctr__r_close(root);
}
