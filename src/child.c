/* The child: everything between clone and execve.

   RULES FOR THIS FILE.  The child is a copy of a possibly multi-threaded host: another thread may
   have held the malloc lock, a stdio lock or any other lock at the moment of the clone, and those
   stay locked here forever.  So this file only makes system calls (through syscall() or the libc
   wrappers POSIX lists as async-signal-safe: open, read, write, close, dup2, fcntl, chdir, fchdir,
   execve, socket, sigaction, sigprocmask, _exit), uses memcpy/memset/strlen, and touches only the
   plan (prepared by the parent before the clone) and its own stack.  No malloc, no stdio, no
   locks, no exit(): _exit() only.  glibc's setuid/setgid wrappers are NOT safe here (they signal
   every thread the host had), hence syscall(SYS_setresuid...). */

static const char *const ctr__dev_paths[CTR__DEV_NODES] = {"/dev/null", "/dev/zero", "/dev/full",
                                                           "/dev/random", "/dev/urandom", "/dev/tty"};

/* Reports a failed step to the parent (one atomic write of a ctr_error; the parent appends the
   errno text) and exits.  The message is the concatenation of a, b, c, d. */
static void ctr__c_die(const ctr__plan *p, ctr_step step, int e, const char *path, const char *a,
                       const char *b, const char *c, const char *d) {
    ctr_error err;
    size_t n = 0;
    ssize_t w;
    memset(&err, 0, sizeof(err));
    err.step = step;
    err.sys_errno = e;
    ctr__append(err.path, sizeof(err.path), 0, path);
    n = ctr__append(err.msg, sizeof(err.msg), n, a);
    n = ctr__append(err.msg, sizeof(err.msg), n, b);
    n = ctr__append(err.msg, sizeof(err.msg), n, c);
    ctr__append(err.msg, sizeof(err.msg), n, d);
    do w = write(p->errfd, &err, sizeof(err));
    while (w < 0 && errno == EINTR);
    _exit(127);
}

static void ctr__c_write_file(const ctr__plan *p, ctr_step step, const char *path, const char *data) {
    size_t len = strlen(data);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, data, len) != CTR__CAST(ssize_t, len))
        ctr__c_die(p, step, errno, path, "write ", path, NULL, NULL);
    close(fd);
}

static void ctr__c_userns(const ctr__plan *p) {
    /* An unprivileged process may map its own uid and gid into a namespace it created, once
       setgroups is denied; so the child needs no help from the parent for this. */
    ctr__c_write_file(p, CTR_STEP_USERNS, "/proc/self/setgroups", "deny");
    ctr__c_write_file(p, CTR_STEP_USERNS, "/proc/self/uid_map", p->uid_map);
    ctr__c_write_file(p, CTR_STEP_USERNS, "/proc/self/gid_map", p->gid_map);
}

static void ctr__c_timens(const ctr__plan *p) {
    /* Offsets can only be set before any process is in the namespace: unshare (which affects our
       future children only), set them, then enter it ourselves with setns. */
    int fd;
    if (syscall(SYS_unshare, CLONE_NEWTIME) != 0)
        ctr__c_die(p, CTR_STEP_TIMENS, errno, "", "create a time namespace", NULL, NULL, NULL);
    ctr__c_write_file(p, CTR_STEP_TIMENS, "/proc/self/timens_offsets", p->timens_offsets);
    fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || syscall(SYS_setns, fd, CLONE_NEWTIME) != 0)
        ctr__c_die(p, CTR_STEP_TIMENS, errno, "", "enter the time namespace", NULL, NULL, NULL);
    close(fd);
}

/* The user namespace maps and time offsets are written through /proc/self, whose files belong to
   root while the process is not dumpable (a host that dropped root without exec is not).  Only
   then is the child made dumpable for these few writes, and undumpable again right after. */
static void ctr__c_own_namespaces(const ctr__plan *p) {
    int undump;
    if (!p->userns && !p->timens) return;
    undump = p->userns && syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
    if (undump && syscall(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
        ctr__c_die(p, CTR_STEP_USERNS, errno, "", "make the process dumpable to write its uid map", NULL, NULL, NULL);
    if (p->userns) ctr__c_userns(p);
    if (p->timens) ctr__c_timens(p);
    if (undump) (void)syscall(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void ctr__c_loopback(const ctr__plan *p) {
    struct ifreq ifr;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, "lo", 3);
    ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
    if (s < 0 || syscall(SYS_ioctl, s, SIOCSIFFLAGS, &ifr) != 0)
        ctr__c_die(p, CTR_STEP_NETWORK, errno, "lo", "bring up the loopback interface", NULL, NULL, NULL);
    close(s);
}

static void ctr__c_setattr(const ctr__plan *p, int fd, unsigned flags, uint64_t set, uint64_t clr, const char *what) {
    ctr__mount_attr a;
    memset(&a, 0, sizeof(a));
    a.attr_set = set;
    a.attr_clr = clr;
    if (ctr__mount_setattr(fd, "", AT_EMPTY_PATH | flags, &a) != 0)
        ctr__c_die(p, CTR_STEP_MOUNT, errno, what, "set mount flags on ", what, NULL, NULL);
}

/* openat2 with RESOLVE_BENEATH: a path that would leave root (absolute symlink, too many "..")
   fails with EXDEV instead of being followed. */
static int ctr__c_beneath(int rootfd, const char *rel, int flags) {
    ctr__open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = CTR__CAST(uint64_t, flags | O_CLOEXEC);
    how.resolve = CTR__RESOLVE_BENEATH | CTR__RESOLVE_NO_MAGICLINKS;
    return ctr__openat2(rootfd, rel[0] ? rel : ".", &how);
}

/* Opens the directory dst[0..len) (dst absolute, normalised) beneath rootfd as O_PATH, creating
   the missing components. */
static int ctr__c_open_dir(const ctr__plan *p, int rootfd, const char *dst, size_t len) {
    char buf[PATH_MAX];
    size_t i;
    int fd, prev = -1;
    if (len >= sizeof(buf)) ctr__c_die(p, CTR_STEP_MOUNT, ENAMETOOLONG, dst, "resolve ", dst, NULL, NULL);
    /* dst starts with '/': work on the relative part. */
    memcpy(buf, dst + 1, len - 1);
    buf[len - 1] = '\0';
    fd = ctr__c_beneath(rootfd, buf, O_PATH | O_DIRECTORY);
    if (fd >= 0 || errno != ENOENT) {
        if (fd < 0) ctr__c_die(p, CTR_STEP_MOUNT, errno, dst, "resolve ", dst, " inside the container root", NULL);
        return fd;
    }
    for (i = 0; ; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char save = buf[i];
            const char *name = buf + i;
            while (name > buf && name[-1] != '/') name--;
            buf[i] = '\0';
            fd = ctr__c_beneath(rootfd, buf, O_PATH | O_DIRECTORY);
            if (fd < 0 && errno == ENOENT) {
                if (mkdirat(prev >= 0 ? prev : rootfd, name, 0755) != 0 && errno != EEXIST)
                    ctr__c_die(p, CTR_STEP_MOUNT, errno, dst, "create directory ", name, " for ", dst);
                fd = ctr__c_beneath(rootfd, buf, O_PATH | O_DIRECTORY);
            }
            if (fd < 0) ctr__c_die(p, CTR_STEP_MOUNT, errno, dst, "resolve ", dst, " inside the container root", NULL);
            if (prev >= 0) close(prev);
            prev = fd;
            buf[i] = save;
            if (save == '\0') break;
        }
    }
    return prev;
}

/* The parent directory of dst (created if missing) and the last component's name. */
static int ctr__c_open_parent(const ctr__plan *p, int rootfd, const char *dst, const char **name) {
    size_t len = strlen(dst);
    while (len > 0 && dst[len - 1] != '/') len--;
    *name = dst + len;
    return ctr__c_open_dir(p, rootfd, dst, len > 1 ? len - 1 : 1);
}

/* A fresh filesystem as a detached mount: fsopen, options, create, fsmount. */
static int ctr__c_fsmount(const ctr__plan *p, const char *type, const char *const *opts,
                          unsigned attrs, const char *dst) {
    int fs = ctr__fsopen(type), m = -1;
    size_t i;
    if (fs < 0) ctr__c_die(p, CTR_STEP_MOUNT, errno, dst, "create a ", type, " filesystem for ", dst);
    for (i = 0; opts && opts[i]; i += 2) {
        if (!opts[i + 1][0]) continue; /* empty value: option not set */
        if (ctr__fsconfig(fs, CTR__FSCONFIG_SET_STRING, opts[i], opts[i + 1]) != 0)
            ctr__c_die(p, CTR_STEP_MOUNT, errno, dst, "set option ", opts[i], " of the filesystem for ", dst);
    }
    if (ctr__fsconfig(fs, CTR__FSCONFIG_CMD_CREATE, NULL, NULL) != 0 || (m = ctr__fsmount(fs, attrs)) < 0)
        ctr__c_die(p, CTR_STEP_MOUNT, errno, dst, "mount ", type, " on ", dst);
    close(fs);
    return m;
}

static void ctr__c_attach(const ctr__plan *p, int mnt, int rootfd, const char *dst, const char *what) {
    int t = ctr__c_open_dir(p, rootfd, dst, strlen(dst));
    if (ctr__move_mount(mnt, "", t, "", CTR__MOVE_MOUNT_F_EMPTY_PATH | CTR__MOVE_MOUNT_T_EMPTY_PATH) != 0)
        ctr__c_die(p, CTR_STEP_MOUNT, errno, dst, "mount ", what, " on ", dst);
    close(t);
}

static void ctr__c_bind_file(const ctr__plan *p, const ctr__op *op, int rootfd) {
    const char *name;
    int dir = ctr__c_open_parent(p, rootfd, op->dst, &name), f;
    f = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (f < 0 && errno != EEXIST)
        ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "create mount point ", op->dst, NULL, NULL);
    if (f >= 0) close(f);
    close(dir);
    if ((f = ctr__c_beneath(rootfd, op->dst + 1, O_PATH)) < 0)
        ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "resolve ", op->dst, " inside the container root", NULL);
    if (ctr__move_mount(op->fds[0], "", f, "", CTR__MOVE_MOUNT_F_EMPTY_PATH | CTR__MOVE_MOUNT_T_EMPTY_PATH) != 0)
        ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "bind ", op->src, " on ", op->dst);
    close(f);
    close(op->fds[0]);
}

/* /dev: a small tmpfs with the host's harmless device nodes bound in, a private devpts, symlinks. */
static void ctr__c_dev(const ctr__plan *p, const ctr__op *op, int rootfd) {
    static const char *const tmpfs_opts[] = {"mode", "0755", "size", "65536", NULL};
    static const char *const pts_opts[] = {"ptmxmode", "0666", "mode", "0620", NULL};
    static const char *const links[] = {"pts/ptmx", "ptmx", "/proc/self/fd", "fd",
                                        "/proc/self/fd/0", "stdin", "/proc/self/fd/1", "stdout",
                                        "/proc/self/fd/2", "stderr"};
    /* nodev on the tmpfs: a node made with mknod there cannot be opened; the device binds below
       are mounts of their own and keep working, and so does devpts (its ptys are nodes). */
    int dev = ctr__c_fsmount(p, "tmpfs", tmpfs_opts,
                             CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC, op->dst);
    int k, pts;
    size_t i;
    ctr__c_attach(p, dev, rootfd, op->dst, "tmpfs");
    for (k = 0; k < CTR__DEV_NODES; k++) {
        int f = openat(dev, ctr__dev_nodes[k], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (f < 0) ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "create ", ctr__dev_paths[k], " in ", op->dst);
        close(f);
        if (ctr__move_mount(op->fds[k], "", dev, ctr__dev_nodes[k], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "bind ", ctr__dev_paths[k], " in ", op->dst);
        close(op->fds[k]);
    }
    if (mkdirat(dev, "pts", 0755) != 0 || mkdirat(dev, "shm", 01777) != 0 ||
        fchmodat(dev, "shm", 01777, 0) != 0)
        ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "create directories in ", op->dst, NULL, NULL);
    pts = ctr__c_fsmount(p, "devpts", pts_opts, CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NOEXEC, op->dst);
    if (ctr__move_mount(pts, "", dev, "pts", CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
        ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "mount devpts in ", op->dst, NULL, NULL);
    close(pts);
    for (i = 0; i < sizeof(links) / sizeof(links[0]); i += 2)
        if (symlinkat(links[i], dev, links[i + 1]) != 0)
            ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "create symlink ", links[i + 1], " in ", op->dst);
    if (op->flags & CTR_MOUNT_READONLY) ctr__c_setattr(p, dev, 0, CTR__MOUNT_ATTR_RDONLY, 0, op->dst);
    close(dev);
}

/* The target exists: resolve it beneath the root (EXDEV for a symlink leading out, ENOTDIR for
   a file where a directory is wanted) and fail if that does not work. */
static void ctr__c_check_existing(const ctr__plan *p, int rootfd, const ctr__op *op, int flags) {
    int t = ctr__c_beneath(rootfd, op->dst + 1, O_PATH | flags);
    if (t < 0) ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "resolve ", op->dst, " inside the container root", NULL);
    close(t);
}

static void ctr__c_make_node(const ctr__plan *p, const ctr__op *op, int rootfd) {
    const char *name;
    int dir = ctr__c_open_parent(p, rootfd, op->dst, &name), f;
    size_t off = 0;
    if (op->type == CTR_MOUNT_DIR) {
        if (mkdirat(dir, name, op->mode) == 0) {
            if (fchmodat(dir, name, op->mode, 0) != 0)
                ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "chmod ", op->dst, NULL, NULL);
        } else if (errno != EEXIST) {
            ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "create directory ", op->dst, NULL, NULL);
        } else {
            ctr__c_check_existing(p, rootfd, op, O_DIRECTORY); /* a file, or a symlink leaving the root */
        }
    } else if (op->type == CTR_MOUNT_SYMLINK) {
        if (symlinkat(op->src, dir, name) != 0)
            ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "create symlink ", op->dst, " -> ", op->src);
    } else { /* CTR_MOUNT_FILE */
        f = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, op->mode);
        if (f < 0 && errno == ELOOP) ctr__c_check_existing(p, rootfd, op, 0); /* EXDEV if it leaves the root */
        if (f < 0) ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "create file ", op->dst, NULL, NULL);
        while (off < op->data_len) {
            ssize_t w = write(f, CTR__CAST(const char *, op->data) + off, op->data_len - off);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "write file ", op->dst, NULL, NULL);
            off += CTR__CAST(size_t, w);
        }
        if (fchmod(f, op->mode) != 0) ctr__c_die(p, CTR_STEP_MOUNT, errno, op->dst, "chmod ", op->dst, NULL, NULL);
        close(f);
    }
    close(dir);
}

/* Masks in a fresh proc or sysfs mount `base`: files get the host's /dev/null bound over them
   (read-only, nodev: opening one fails with EACCES), directories an empty read-only tmpfs; read-only paths are bound onto themselves read-only.  All
   are mounts the container cannot remove (no CAP_SYS_ADMIN, and umount is filtered). */
static void ctr__c_masks(const ctr__plan *p, int base, const char *dst, const char *const *masked,
                         const char *const *readonly) {
    static const char *const empty_opts[] = {"mode", "0555", "size", "4096", NULL};
    const unsigned flags = CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC;
    int i;
    for (i = 0; masked[i]; i++) {
        struct stat st;
        int m;
        if (fstatat(base, masked[i], &st, AT_SYMLINK_NOFOLLOW) != 0) continue; /* not on this kernel */
        if (S_ISDIR(st.st_mode)) {
            /* a fresh one each time: kernels before 6.15 cannot clone a detached mount */
            m = ctr__c_fsmount(p, "tmpfs", empty_opts, CTR__MOUNT_ATTR_RDONLY | CTR__MOUNT_ATTR_NOSUID |
                               CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC, dst);
        } else {
            /* nodev: opening the mask fails with EACCES instead of reading /dev/null */
            m = ctr__open_tree(AT_FDCWD, "/dev/null", flags);
            if (m >= 0) ctr__c_setattr(p, m, 0, CTR__MOUNT_ATTR_RDONLY | CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV |
                                       CTR__MOUNT_ATTR_NOEXEC, 0, dst);
        }
        if (m < 0 || ctr__move_mount(m, "", base, masked[i], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(p, CTR_STEP_MOUNT, errno, dst, "mask ", masked[i], " in ", dst);
        close(m);
    }
    for (i = 0; readonly && readonly[i]; i++) {
        int m = ctr__open_tree(base, readonly[i], flags | AT_RECURSIVE);
        if (m < 0 && errno == ENOENT) continue;
        if (m < 0) ctr__c_die(p, CTR_STEP_MOUNT, errno, dst, "make ", readonly[i], " read-only in ", dst);
        ctr__c_setattr(p, m, AT_RECURSIVE, CTR__MOUNT_ATTR_RDONLY | CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV, 0, dst);
        if (ctr__move_mount(m, "", base, readonly[i], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(p, CTR_STEP_MOUNT, errno, dst, "make ", readonly[i], " read-only in ", dst);
        close(m);
    }
}

static const char *const ctr__proc_masked[] = {"kcore", "keys", "key-users", "timer_list", "sched_debug",
                                               "latency_stats", "timer_stats", "acpi", "scsi", "asound",
                                               "kallsyms", "kpagecount", "kpageflags", "kpagecgroup",
                                               "vmallocinfo", NULL};
static const char *const ctr__proc_readonly[] = {"sys", "sysrq-trigger", "irq", "bus", "fs", NULL};
static const char *const ctr__sys_masked[] = {"firmware", "devices/virtual/powercap", "kernel/security", NULL};

static void ctr__c_apply(const ctr__plan *p, const ctr__op *op, int rootfd) {
    const unsigned hidden = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC;
    const unsigned ro = (op->flags & CTR_MOUNT_READONLY) ? CTR__MOUNT_ATTR_RDONLY : 0u;
    const char *tmpfs_opts[] = {"mode", op->opt_mode, "size", op->opt_size, NULL};
    int m;
    switch (op->type) {
    case CTR_MOUNT_BIND:
        if (!op->src_is_dir) {
            ctr__c_bind_file(p, op, rootfd);
            return;
        }
        ctr__c_attach(p, op->fds[0], rootfd, op->dst, op->src);
        close(op->fds[0]);
        return;
    case CTR_MOUNT_TMPFS:
        m = ctr__c_fsmount(p, "tmpfs", tmpfs_opts, CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | ro, op->dst);
        ctr__c_attach(p, m, rootfd, op->dst, "tmpfs");
        close(m);
        return;
    case CTR_MOUNT_PROC:
    case CTR_MOUNT_MQUEUE:
    case CTR_MOUNT_SYSFS: {
        const char *type = op->type == CTR_MOUNT_PROC ? "proc" : op->type == CTR_MOUNT_SYSFS ? "sysfs" : "mqueue";
        m = ctr__c_fsmount(p, type, NULL, hidden | (op->type == CTR_MOUNT_SYSFS ? CTR__MOUNT_ATTR_RDONLY : ro), op->dst);
        ctr__c_attach(p, m, rootfd, op->dst, type);
        if (p->masks && op->type == CTR_MOUNT_PROC) ctr__c_masks(p, m, op->dst, ctr__proc_masked, ctr__proc_readonly);
        if (p->masks && op->type == CTR_MOUNT_SYSFS) ctr__c_masks(p, m, op->dst, ctr__sys_masked, NULL);
        close(m);
        return;
    }
    case CTR_MOUNT_DEV:
        ctr__c_dev(p, op, rootfd);
        return;
    case CTR_MOUNT_DIR:
    case CTR_MOUNT_SYMLINK:
    case CTR_MOUNT_FILE:
        ctr__c_make_node(p, op, rootfd);
        return;
    }
}

/* Clone every bind source (and the /dev nodes) as detached trees first: once the new root is
   attached somewhere, host paths under that place are hidden. */
static void ctr__c_clone_sources(ctr__plan *p) {
    size_t i;
    int k;
    for (i = 0; i < p->nops; i++) {
        ctr__op *op = &p->ops[i];
        if (op->type == CTR_MOUNT_BIND) {
            unsigned rec = (op->flags & CTR_MOUNT_NONRECURSIVE) ? 0u : CTR__CAST(unsigned, AT_RECURSIVE);
            uint64_t set = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV;
            if (!(op->flags & CTR_MOUNT_RW)) set |= CTR__MOUNT_ATTR_RDONLY;
            op->fds[0] = ctr__open_tree(AT_FDCWD, op->src, CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC | rec);
            if (op->fds[0] < 0) ctr__c_die(p, CTR_STEP_MOUNT, errno, op->src, "bind ", op->src, " on ", op->dst);
            ctr__c_setattr(p, op->fds[0], rec, set, 0, op->src);
        } else if (op->type == CTR_MOUNT_DEV) {
            for (k = 0; k < CTR__DEV_NODES; k++) {
                op->fds[k] = ctr__open_tree(AT_FDCWD, ctr__dev_paths[k], CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC);
                if (op->fds[k] < 0)
                    ctr__c_die(p, CTR_STEP_MOUNT, errno, ctr__dev_paths[k], "bind ", ctr__dev_paths[k], " in ", op->dst);
                ctr__c_setattr(p, op->fds[k], 0, CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NOEXEC, 0, ctr__dev_paths[k]);
            }
        }
    }
}

/* The new root as a detached mount: the rootfs tree, or a fresh tmpfs. */
static int ctr__c_new_root(const ctr__plan *p) {
    static const char *const opts[] = {"mode", "0755", NULL};
    const unsigned base = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV;
    int r;
    if (!p->rootfs) return ctr__c_fsmount(p, "tmpfs", opts, base, "/");
    r = ctr__open_tree(AT_FDCWD, p->rootfs, CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (r < 0) ctr__c_die(p, CTR_STEP_ROOTFS, errno, p->rootfs, "bind rootfs ", p->rootfs, NULL, NULL);
    /* Read-only: every mount of the tree, but the top stays writable until the mount points exist. */
    ctr__c_setattr(p, r, AT_RECURSIVE, base | (p->readonly_root ? CTR__MOUNT_ATTR_RDONLY : 0u), 0, p->rootfs);
    if (p->readonly_root) {
        ctr__mount_attr a;
        memset(&a, 0, sizeof(a));
        a.attr_clr = CTR__MOUNT_ATTR_RDONLY;
        (void)ctr__mount_setattr(r, "", AT_EMPTY_PATH, &a); /* EPERM: the host's mount is read-only */
    }
    return r;
}

static void ctr__c_setup_root(ctr__plan *p) {
    size_t i;
    int root;
    if (syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0)
        ctr__c_die(p, CTR_STEP_ROOTFS, errno, "/", "make the mounts of / slaves", NULL, NULL, NULL);
    ctr__c_clone_sources(p);
    root = ctr__c_new_root(p);
    if (ctr__move_mount(root, "", AT_FDCWD, p->attach_at, CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
        ctr__c_die(p, CTR_STEP_ROOTFS, errno, p->attach_at, "mount the new root on ", p->attach_at, NULL, NULL);
    for (i = 0; i < p->nops; i++) ctr__c_apply(p, &p->ops[i], root);
    if (p->readonly_root) ctr__c_setattr(p, root, 0, CTR__MOUNT_ATTR_RDONLY, 0, "/");
    /* pivot_root(".", ".") stacks the old root on the new one; detaching "." then drops it. */
    if (fchdir(root) != 0 || syscall(SYS_pivot_root, ".", ".") != 0)
        ctr__c_die(p, CTR_STEP_PIVOT_ROOT, errno, p->rootfs ? p->rootfs : "/", "pivot_root into the new root", NULL, NULL, NULL);
    if (syscall(SYS_umount2, ".", MNT_DETACH) != 0 || chdir("/") != 0)
        ctr__c_die(p, CTR_STEP_PIVOT_ROOT, errno, "/", "detach the old root", NULL, NULL, NULL);
    close(root);
}

/* Puts the stdio sources on 0, 1, 2 (first thing after clone, so that no host descriptor has to
   stay open for them later).  A stream the host had closed stays closed: whatever the setup opens
   at that number later is close-on-exec. */
static void ctr__c_stdio(const ctr__plan *p) {
    int tmp[3], i;
    /* Move the sources above 2 first, so that e.g. stdout = the caller's fd 0 is not clobbered. */
    for (i = 0; i < 3; i++) {
        tmp[i] = -1;
        if (p->stdio_src[i] >= 0 && (tmp[i] = fcntl(p->stdio_src[i], F_DUPFD_CLOEXEC, 3)) < 0)
            ctr__c_die(p, CTR_STEP_STDIO, errno, "", "duplicate a stdio descriptor", NULL, NULL, NULL);
    }
    for (i = 0; i < 3; i++) {
        if (tmp[i] >= 0) {
            if (dup2(tmp[i], i) != i) ctr__c_die(p, CTR_STEP_STDIO, errno, "", "set up stdio", NULL, NULL, NULL);
            close(tmp[i]);
        } else {
            (void)fcntl(i, F_SETFD, 0); /* an inherited stream must survive exec; EBADF if closed */
        }
    }
}

/* Closes every descriptor above 2 but the error and status pipes - really closes, not just
   close-on-exec: a host descriptor still open while paths are resolved inside the new root would
   lead out of it through /proc/self/fd/N (runc's CVE-2024-21626). */
static void ctr__c_close_fds(const ctr__plan *p) {
    int keep[2], n = 0, i;
    unsigned lo = 3;
    if (p->errfd >= 3) keep[n++] = p->errfd;
    if (p->statusfd >= 3) keep[n++] = p->statusfd;
    if (n == 2 && keep[0] > keep[1]) {
        int t = keep[0];
        keep[0] = keep[1];
        keep[1] = t;
    }
    for (i = 0; i < n; i++) {
        unsigned k = CTR__CAST(unsigned, keep[i]);
        if (k > lo && syscall(SYS_close_range, lo, k - 1, 0) != 0) break;
        lo = k + 1;
    }
    if (i < n || syscall(SYS_close_range, lo, ~0u, 0) != 0)
        ctr__c_die(p, CTR_STEP_STDIO, errno, "", "close the host's file descriptors", NULL, NULL, NULL);
}

/* The working directory, resolved inside the new root without magic links (no /proc/self/fd/N
   or /proc/PID/cwd leading elsewhere). */
static void ctr__c_cwd(const ctr__plan *p) {
    ctr__open_how how;
    int fd;
    memset(&how, 0, sizeof(how));
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = CTR__RESOLVE_IN_ROOT | CTR__RESOLVE_NO_MAGICLINKS;
    fd = ctr__openat2(AT_FDCWD, p->cwd, &how); /* cwd is "/" after pivot_root: the root */
    if (fd < 0 || fchdir(fd) != 0)
        ctr__c_die(p, CTR_STEP_CWD, errno, p->cwd, "change directory to ", p->cwd, NULL, NULL);
    close(fd);
}

static void ctr__c_rlimits(const ctr__plan *p) {
    static const char *const names[] = {"cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile",
                                        "memlock", "as", "locks", "sigpending", "msgqueue", "nice",
                                        "rtprio", "rttime"};
    size_t i;
    for (i = 0; i < p->nrlimits; i++) {
        struct { uint64_t cur, max; } r;
        int res = p->rlimits[i].resource;
        const char *name = res >= 0 && res < CTR__CAST(int, sizeof(names) / sizeof(names[0])) ? names[res] : "?";
        r.cur = p->rlimits[i].soft;
        r.max = p->rlimits[i].hard;
        if (syscall(SYS_prlimit64, 0, res, &r, NULL) != 0)
            ctr__c_die(p, CTR_STEP_RLIMIT, errno, name, "set rlimit ", name,
                       errno == EPERM ? " (raising a hard limit needs CAP_SYS_RESOURCE, and nofile is capped by "
                                        "fs.nr_open)" : NULL, NULL);
    }
}

/* Gets us into the container's cgroup(s) where clone3 could not: on cgroup v1 the parent moves
   us while we wait on the sync pipe; on v2 without clone3 we move ourselves (writing "0" to
   cgroup.procs moves the writer).  Then a cgroup namespace rooted there. */
static void ctr__c_cgroup(const ctr__plan *p) {
    if (p->sync_fd >= 0) { /* cgroup v1: the parent moves us */
        char b;
        ssize_t r;
        do r = read(p->sync_fd, &b, 1);
        while (r < 0 && errno == EINTR);
        if (r != 1) _exit(127); /* the parent failed and reports why itself */
        close(p->sync_fd);
    }
    if (p->cg_procs_fd >= 0) {
        if (write(p->cg_procs_fd, "0", 1) != 1)
            ctr__c_die(p, CTR_STEP_CGROUP, errno, "cgroup.procs", "move the container process into its cgroup",
                       NULL, NULL, NULL);
        close(p->cg_procs_fd);
    }
    if (p->cgroupns && syscall(SYS_unshare, CLONE_NEWCGROUP) != 0)
        ctr__c_die(p, CTR_STEP_CGROUP, errno, "", "create a cgroup namespace", NULL, NULL, NULL);
}

/* Before the uid change: shrink the bounding set (needs CAP_SETPCAP, which we still have) and
   keep the permitted set across setresuid when a non-root uid gets ambient capabilities. */
static void ctr__c_caps_bounding(const ctr__plan *p) {
    int cap;
    for (cap = 0; cap <= p->last_cap; cap++)
        if (!(p->caps_keep & CTR_CAP(cap)) && syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
            ctr__c_die(p, CTR_STEP_CAPS, errno, "", "drop a capability from the bounding set", NULL, NULL, NULL);
    if (p->uid != 0 && p->caps_ambient && syscall(SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
        ctr__c_die(p, CTR_STEP_CAPS, errno, "", "keep capabilities across the uid change", NULL, NULL, NULL);
}

/* After it: the final sets (uid 0: the kept set; other uids: only the added ones, as ambient
   capabilities so they survive execve), then no_new_privs and the seccomp filter. */
static void ctr__c_caps_final(const ctr__plan *p) {
    struct { uint32_t version; int pid; } head;
    struct { uint32_t effective, permitted, inheritable; } data[2];
    uint64_t set = p->uid == 0 ? p->caps_keep : p->caps_ambient;
    int cap, i;
    head.version = 0x20080522; /* _LINUX_CAPABILITY_VERSION_3 */
    head.pid = 0;
    /* Inheritable stays empty unless ambient capabilities need it (CVE-2022-24769). */
    for (i = 0; i < 2; i++) {
        data[i].effective = data[i].permitted = CTR__CAST(uint32_t, set >> (32 * i));
        data[i].inheritable = p->uid != 0 ? data[i].permitted : 0u;
    }
    if (syscall(SYS_capset, &head, data) != 0)
        ctr__c_die(p, CTR_STEP_CAPS, errno, "", "set the capabilities",
                   errno == EPERM ? " (the calling process lacks one of the capabilities to keep: add only "
                                    "capabilities it has)" : NULL, NULL, NULL);
    for (cap = 0; p->uid != 0 && cap <= p->last_cap; cap++)
        if ((p->caps_ambient & CTR_CAP(cap)) &&
            syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
            ctr__c_die(p, CTR_STEP_CAPS, errno, "", "raise an ambient capability", NULL, NULL, NULL);
    if (p->nnp && syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        ctr__c_die(p, CTR_STEP_CAPS, errno, "", "set no_new_privs", NULL, NULL, NULL);
}

/* The last step before execve (or before init starts the command): from here on every syscall
   of the container, ours included, goes through the filter. */
static void ctr__c_seccomp(const ctr__plan *p) {
    struct { unsigned short len; const ctr__bpf *filter; } prog;
    if (!p->bpf) return;
    prog.len = CTR__CAST(unsigned short, p->bpf_len);
    prog.filter = p->bpf;
    if (syscall(SYS_prctl, PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, &prog, 0, 0) != 0)
        ctr__c_die(p, CTR_STEP_SECCOMP, errno, "", "install the seccomp filter",
                   errno == EACCES ? " (without no_new_privs it needs CAP_SYS_ADMIN)" : NULL, NULL, NULL);
}

static void ctr__c_identity(const ctr__plan *p) {
    if (!p->set_ids) return;
    if (syscall(SYS_setgroups, 0, NULL) != 0 || syscall(SYS_setresgid, p->gid, p->gid, p->gid) != 0 ||
        syscall(SYS_setresuid, p->uid, p->uid, p->uid) != 0)
        ctr__c_die(p, CTR_STEP_IDENTITY, errno, "", "switch to the container's uid and gid", NULL, NULL, NULL);
}

static void ctr__c_exec(const ctr__plan *p) {
    sigset_t none;
    size_t i;
    int e = ENOENT, eacces = 0;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (i = 0; i < p->nexec; i++) {
        execve(p->exec_paths[i], p->argv, p->envp);
        if (errno == EACCES) eacces = 1;
        else if (errno != ENOENT && errno != ENOTDIR) {
            e = errno;
            break;
        }
    }
    if (i == p->nexec && eacces) e = EACCES;
    ctr__c_die(p, CTR_STEP_EXEC, e, p->argv[0], "execute ", p->argv[0], NULL, NULL);
}

static void ctr__c_pdeathsig(const ctr__plan *p) {
    /* After the uid change, which would clear it. */
    if (p->die_with_host && syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
        ctr__c_die(p, CTR_STEP_CLONE, errno, "", "set the parent-death signal", NULL, NULL, NULL);
}

/* pid 1: starts the command, forwards signals to it, reaps everything, and exits with the
   command's status (also written raw to the status pipe, since an init cannot die of a signal
   it sends itself). */
static void ctr__c_init(const ctr__plan *p) {
    sigset_t all;
    long pid;
    int status = 0, gate[2];
    char b;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    /* The command waits at this gate until init has closed its descriptors (below), so that it
       never sees them in /proc/1/fd. */
    if (syscall(SYS_pipe2, gate, O_CLOEXEC) != 0)
        ctr__c_die(p, CTR_STEP_INIT, errno, "", "create a pipe", NULL, NULL, NULL);
    pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) ctr__c_die(p, CTR_STEP_INIT, errno, "", "start the command under init", NULL, NULL, NULL);
    if (pid == 0) {
        close(gate[1]);
        while (read(gate[0], &b, 1) < 0 && errno == EINTR) {}
        close(gate[0]);
        if (syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
            ctr__c_die(p, CTR_STEP_INIT, errno, "", "set the parent-death signal", NULL, NULL, NULL);
        ctr__c_exec(p);
    }
    /* init never execs, so close-on-exec does nothing for it: close every descriptor but the
       status pipe (the parent sees EOF on the error pipe once the command has exec'd), and make
       it undumpable, so the command cannot read the host memory init was copied from through
       ptrace or /proc/1. */
    if (syscall(SYS_close_range, 0, CTR__CAST(unsigned, p->statusfd - 1), 0) != 0 ||
        syscall(SYS_close_range, CTR__CAST(unsigned, p->statusfd + 1), ~0u, 0) != 0 ||
        syscall(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        syscall(SYS_kill, pid, SIGKILL);
    for (;;) {
        siginfo_t si;
        long sig = syscall(SYS_rt_sigtimedwait, &all, &si, NULL, 8);
        if (sig == SIGCHLD) {
            for (;;) {
                int st;
                long r = syscall(SYS_wait4, -1, &st, WNOHANG | __WALL, NULL);
                if (r <= 0) break;
                if (r == pid) {
                    ssize_t w;
                    status = st;
                    do w = write(p->statusfd, &status, sizeof(status));
                    while (w < 0 && errno == EINTR);
                    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
                }
            }
        } else if (sig > 0) {
            syscall(SYS_kill, pid, sig);
        }
    }
}

/* The child's entry point: executes the plan, then execs the command.  Never returns. */
static void ctr__child_run(ctr__plan *p) {
    int sig;
    /* The parent blocked every signal around clone; reset the host's handlers (and ignored
       signals) before unblocking.  The raw call, because glibc refuses to touch its own signals
       32 and 33; an all-zero kernel sigaction is SIG_DFL with no flags on every layout. */
    for (sig = 1; sig < NSIG; sig++) {
        static const unsigned long dfl[4] = {0, 0, 0, 0};
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)syscall(SYS_rt_sigaction, sig, dfl, NULL, 8);
    }
    ctr__c_cgroup(p);
    if (p->netns_fd >= 0 && syscall(SYS_setns, p->netns_fd, CLONE_NEWNET) != 0)
        ctr__c_die(p, CTR_STEP_NETWORK, errno, "", "enter a pooled network namespace", NULL, NULL, NULL);
    ctr__c_stdio(p);
    ctr__c_close_fds(p);
    if (syscall(SYS_setsid) < 0) ctr__c_die(p, CTR_STEP_CLONE, errno, "", "start a new session", NULL, NULL, NULL);
    ctr__c_own_namespaces(p);
    /* Not dumpable until execve: nothing may ptrace or read /proc/PID of this copy of the host. */
    if (syscall(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        ctr__c_die(p, CTR_STEP_CLONE, errno, "", "make the process undumpable", NULL, NULL, NULL);
    if (p->hostname && syscall(SYS_sethostname, p->hostname, strlen(p->hostname)) != 0)
        ctr__c_die(p, CTR_STEP_HOSTNAME, errno, p->hostname, "set hostname ", p->hostname, NULL, NULL);
    if (p->net_lo) ctr__c_loopback(p);
    umask(022);
    ctr__c_setup_root(p);
    ctr__c_cwd(p);
    ctr__c_rlimits(p);
    ctr__c_caps_bounding(p);
    /* Without no_new_privs, installing a filter needs CAP_SYS_ADMIN, which goes next. */
    if (!p->nnp) ctr__c_seccomp(p);
    ctr__c_identity(p);
    ctr__c_caps_final(p);
    ctr__c_pdeathsig(p);
    if (p->nnp) ctr__c_seccomp(p);
    if (p->init) ctr__c_init(p);
    ctr__c_exec(p);
}
