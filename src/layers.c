/* layers.c - the root as an overlay: read-only lower directories (one rootfs, or several layers)
   under an upper layer that takes the container's writes, a fresh tmpfs thrown away with the
   container or a directory of the caller's that keeps them.  The lowers are never written.

   Three parts.  The plan (parent): spec.rootfs / lowers / upper / upper_size / rootfs_rw checked
   and made canonical.  The host side (parent): a persistent upper is locked (flock: one
   container at a time) and gets its work directory next to it (overlayfs needs one on the same
   filesystem), removed again by ctr_destroy; work directories that a crashed host left behind
   (named after its pid) are swept when the next one is made in that directory.  The child side:
   the overlay made with the new mount API, its layers given as /proc/self/fd/N paths of
   descriptors opened first (no escaping of ':' or ',' in paths, and nothing of the host's paths
   shows in the container's mountinfo); a tmpfs upper and its work directory live in one scratch
   tmpfs attached where the new root will be.  The child part follows the rules of child.c (raw
   system calls only). */
#include "internal.h"

#define CTR__MAX_LOWERS  500 /* overlayfs's own limit */
#define CTR__WORK_PREFIX ".ctr-work-"

/* ---- the plan ---- */

/* path checked as a directory and made canonical (realpath) into *out. */
static int ctr__layer_dir(ctr__plan *p, const char *what, const char *path, char **out,
                          ctr_error *err) {
    struct stat st;
    char *real;
    if (!path || path[0] != '/')
        return ctr__fail(err, CTR_STEP_ROOTFS, EINVAL, path ? path : "",
                         "%s \"%s\" must be an absolute host path", what, path ? path : "(null)");
    if (stat(path, &st) != 0)
        return ctr__fail(err, CTR_STEP_ROOTFS, errno, path, "%s %s", what, path);
    if (!S_ISDIR(st.st_mode))
        return ctr__fail(err, CTR_STEP_ROOTFS, ENOTDIR, path, "%s %s is not a directory", what,
                         path);
    if (!(real = realpath(path, NULL)))
        return ctr__fail(err, CTR_STEP_ROOTFS, errno, path, "resolve %s %s", what, path);
    *out = ctr__strdup(p, real);
    free(real); /* realpath allocates with malloc */
    if (!*out) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    return 0;
}

/* a is b or lies below it (canonical paths). */
static int ctr__path_within(const char *a, const char *b) {
    size_t n = strlen(b);
    if (strcmp(b, "/") == 0) return 1;
    return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

/* Called once p->rootfs is canonical (or NULL) and the user namespace is known. */
static int ctr__plan_layers(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    static unsigned counter;
    size_t i, n = 0;
    if (spec->rootfs_rw && !spec->rootfs)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "rootfs_rw", "rootfs_rw needs rootfs");
    if (spec->lowers && spec->rootfs)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "lowers",
                         "give either rootfs or lowers (the layers, top first), not both");
    if (spec->rootfs_rw && spec->upper)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "upper",
                         "rootfs_rw writes into rootfs itself: it takes no upper");
    if (spec->upper && !spec->rootfs && !spec->lowers)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "upper", "upper needs rootfs or lowers");
    if (spec->upper_size && (spec->upper || spec->rootfs_rw || (!spec->rootfs && !spec->lowers)))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "upper_size",
                         "upper_size is the size of a tmpfs upper: it needs rootfs or lowers, "
                         "and no upper or rootfs_rw");
    if (spec->lowers) {
        while (spec->lowers[n]) n++;
        if (n == 0 || n > CTR__MAX_LOWERS)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "lowers",
                             "lowers must list 1 to %d directories, not %zu", CTR__MAX_LOWERS, n);
    } else if (spec->rootfs && !spec->rootfs_rw) {
        n = 1;
    } else {
        return 0; /* no layer: a tmpfs root, or rootfs bound itself */
    }
    p->layer = 1;
    p->nlowers = n;
    if (!(p->lowers = CTR__CAST(char **, ctr__alloc(p, n * sizeof(char *)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (!spec->lowers && !(p->lowers[0] = ctr__strdup(p, p->rootfs)))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = 0; spec->lowers && i < n; i++)
        if (ctr__layer_dir(p, "lower", spec->lowers[i], &p->lowers[i], err) != 0) return -1;
    if (spec->upper_size)
        snprintf(p->upper_size_opt, sizeof(p->upper_size_opt), "%llu",
                 CTR__CAST(unsigned long long, spec->upper_size));
    /* readonly_root over one rootfs needs no layer when every mount target is there already
       (the child checks): DIR is then bound read-only, as before. */
    p->layer_try_bind = spec->rootfs && spec->readonly_root && !spec->upper && !p->idmap;
    if (spec->upper) {
        char *up, *slash, work[64];
        struct stat su, sp;
        if (ctr__layer_dir(p, "upper", spec->upper, &up, err) != 0) return -1;
        for (i = 0; i < n; i++)
            if (ctr__path_within(up, p->lowers[i]) || ctr__path_within(p->lowers[i], up))
                return ctr__fail(err, CTR_STEP_ROOTFS, EINVAL, up,
                                 "upper %s and lower %s overlap: the upper must lie outside every "
                                 "lower, and no lower inside it",
                                 up, p->lowers[i]);
        slash = strrchr(up, '/');
        if (slash == up)
            return ctr__fail(err, CTR_STEP_ROOTFS, EINVAL, up,
                             "upper %s: give a directory below a directory you can write (its "
                             "work directory is made next to it)",
                             up);
        *slash = '\0';
        if (stat(up, &sp) != 0 || (*slash = '/', stat(up, &su) != 0))
            return ctr__fail(err, CTR_STEP_ROOTFS, errno, up, "upper %s", up);
        if (su.st_dev != sp.st_dev)
            return ctr__fail(err, CTR_STEP_ROOTFS, EXDEV, up,
                             "upper %s is the root of a filesystem: overlayfs needs its work "
                             "directory on the same filesystem, next to it; give a directory "
                             "below it",
                             up);
        snprintf(work, sizeof(work), "/" CTR__WORK_PREFIX "%ld-%u", CTR__CAST(long, getpid()),
                 __atomic_add_fetch(&counter, 1u, __ATOMIC_RELAXED));
        p->upper = up;
        {
            size_t dl = CTR__CAST(size_t, slash - up);
            char *w = CTR__CAST(char *, ctr__alloc(p, dl + strlen(work) + 1));
            if (!w) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
            memcpy(w, up, dl);
            strcpy(w + dl, work);
            p->workdir = w;
        }
    }
    return 0;
}

/* ---- the host side: a persistent upper's lock and work directory ---- */

static void ctr__layers_init(ctr__layers *ly) {
    ly->lockfd = -1;
    ly->workdir = NULL;
}

/* Removes name in dfd, whatever it is (a directory with what is in it; modes the overlay left,
   such as its d--------- work/work, are lifted first).  Never follows symlinks or crosses into
   another filesystem's mount. */
static void ctr__rmtree_at(int dfd, const char *name, int depth) {
    struct stat st;
    DIR *d;
    struct dirent *e;
    int fd;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    if (!S_ISDIR(st.st_mode)) {
        (void)unlinkat(dfd, name, 0);
        return;
    }
    if (depth > 64) return;
    if ((st.st_mode & 0700) != 0700) (void)fchmodat(dfd, name, 0700, 0);
    fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return;
    if (!(d = fdopendir(fd))) {
        close(fd);
        return;
    }
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            ctr__rmtree_at(dirfd(d), e->d_name, depth + 1);
    closedir(d);
    (void)unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Removes the work directories of dead processes in dir (their names hold the pid). */
static void ctr__layers_sweep(const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t k = strlen(CTR__WORK_PREFIX);
    if (!d) return;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid;
        if (strncmp(e->d_name, CTR__WORK_PREFIX, k) != 0) continue;
        pid = strtol(e->d_name + k, &end, 10);
        if (end == e->d_name + k || *end != '-' || pid <= 0) continue;
        if (kill(CTR__CAST(pid_t, pid), 0) == 0 || errno != ESRCH) continue;
        ctr__rmtree_at(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

/* A persistent upper: lock it (a second container on the same upper would corrupt it), sweep
   and make its work directory, and give a fresh (empty) upper the mode and owner of the top
   lower's root: the upper directory is the container's "/". */
static int ctr__layers_prepare(ctr__layers *ly, const ctr__plan *p, ctr_error *err) {
    char parent[PATH_MAX];
    const char *slash;
    struct stat st;
    if (!p->upper) return 0;
    ly->lockfd = open(p->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (ly->lockfd < 0 || ctr__lift(&ly->lockfd) != 0)
        return ctr__fail(err, CTR_STEP_ROOTFS, errno, p->upper, "open upper %s", p->upper);
    if (flock(ly->lockfd, LOCK_EX | LOCK_NB) != 0)
        return ctr__fail(err, CTR_STEP_ROOTFS, errno == EWOULDBLOCK ? EBUSY : errno, p->upper,
                         "upper %s is in use by another container (one at a time)", p->upper);
    slash = strrchr(p->workdir, '/');
    snprintf(parent, sizeof(parent), "%.*s", CTR__CAST(int, slash - p->workdir), p->workdir);
    ctr__layers_sweep(parent);
    if (mkdir(p->workdir, 0700) != 0)
        return ctr__fail(err, CTR_STEP_ROOTFS, errno, p->workdir,
                         "create the overlay work directory %s next to upper %s (it must be on "
                         "the upper's filesystem: give an upper whose parent you can write)",
                         p->workdir, p->upper);
    if (!(ly->workdir = ctr__pathdup(p->workdir, NULL))) {
        rmdir(p->workdir);
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate a path");
    }
    if (fstat(ly->lockfd, &st) == 0 && st.st_nlink == 2) {
        DIR *d = opendir(p->upper);
        struct dirent *e;
        int empty = 1;
        struct stat lo;
        while (d && (e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = 0;
        if (d) closedir(d);
        if (empty && stat(p->lowers[0], &lo) == 0) {
            if (geteuid() == 0 && (lo.st_uid != st.st_uid || lo.st_gid != st.st_gid))
                (void)fchown(ly->lockfd, lo.st_uid, lo.st_gid);
            (void)fchmod(ly->lockfd, lo.st_mode & 07777);
        }
    }
    return 0;
}

static void ctr__layers_release(ctr__layers *ly) {
    if (ly->workdir) {
        ctr__rmtree_at(AT_FDCWD, ly->workdir, 0);
        CONTAINER_FREE(ly->workdir);
        ly->workdir = NULL;
    }
    ctr__close(&ly->lockfd);
}

/* ---- the child side (raw system calls only) ---- */

static void ctr__c_utoa(char *out, unsigned long v) {
    char tmp[24];
    size_t n = 0, i;
    do tmp[n++] = CTR__CAST(char, '0' + v % 10);
    while ((v /= 10) != 0);
    for (i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

/* "/proc/self/fd/N" */
static void ctr__c_fd_path(char *out, int fd) {
    memcpy(out, "/proc/self/fd/", 14);
    ctr__c_utoa(out + 14, CTR__CAST(unsigned long, fd));
}

static int ctr__c_opath(const ctr__launch *l, int dfd, const char *path) {
    int fd = ctr__r_openat(dfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0) ctr__c_die(l, CTR_STEP_ROOTFS, errno, path, "open layer ", path, NULL, NULL);
    return fd;
}

/* The overlay's own words on a failure (its fs_context log, "e overlayfs: ..."). */
static void ctr__c_overlay_die(const ctr__launch *l, int fs, int e, const char *what) {
    char log[200];
    long n = fs >= 0 ? ctr__r_read(fs, log, sizeof(log) - 1) : -1;
    const char *hint =
        e == ENODEV
            ? " (this kernel has no overlay filesystem: CONFIG_OVERLAY_FS, modprobe overlay; or "
              "use rootfs_rw, ctrun --rootfs-rw, to write into the rootfs itself)"
        : e == EPERM && l->plan->userns
            ? " (overlayfs in a user namespace needs Linux 5.11, idmapped layers 5.19; or use "
              "rootfs_rw, ctrun --rootfs-rw, or run as root)"
            : " (the filesystem under a layer may not support overlayfs; or use rootfs_rw, "
              "ctrun --rootfs-rw, to write into the rootfs itself)";
    if (n > 2) {
        log[n] = '\0';
        if (log[n - 1] == '\n') log[n - 1] = '\0';
        ctr__c_die(l, CTR_STEP_ROOTFS, e, "/", what, ": ", log + 2, hint);
    }
    ctr__c_die(l, CTR_STEP_ROOTFS, e, "/", what, hint, NULL, NULL);
}

/* A premade (idmapped) mount attached at scratch/name, opened O_PATH. */
static int ctr__c_attach_pre(const ctr__launch *l, int scratch, int index, const char *name) {
    if (ctr__r_mkdirat(scratch, name, 0700) != 0 ||
        ctr__move_mount(ctr__c_pre_fd(l, index), "", scratch, name, CTR__MOVE_MOUNT_F_EMPTY_PATH) !=
            0)
        ctr__c_die(l, CTR_STEP_ROOTFS, errno, "/", "attach an idmapped layer", NULL, NULL, NULL);
    ctr__r_close(ctr__c_pre_fd(l, index));
    return ctr__c_opath(l, scratch, name);
}

/* One try at the overlay: 0 with *fs created, or -1 with errno and *fs (or -1) for its log. */
static int ctr__c_overlay_create(const ctr__launch *l, const int *lower, int up, int work, int plus,
                                 int *fs) {
    const ctr__plan *p = l->plan;
    char path[40], all[256];
    size_t i, n = 0;
    if ((*fs = ctr__fsopen("overlay")) < 0) return -1;
    for (i = 0; i < p->nlowers; i++) {
        ctr__c_fd_path(path, lower[i]);
        if (plus) {
            if (ctr__fsconfig(*fs, CTR__FSCONFIG_SET_STRING, "lowerdir+", path) != 0) return -1;
            continue;
        }
        if (n + strlen(path) + 2 > sizeof(all))
            ctr__c_die(l, CTR_STEP_ROOTFS, E2BIG, "/",
                       "set up the overlay root: more than about 14 layers need Linux 6.8 "
                       "(lowerdir+)",
                       NULL, NULL, NULL);
        if (n) all[n++] = ':';
        memcpy(all + n, path, strlen(path) + 1);
        n += strlen(path);
    }
    if (!plus && ctr__fsconfig(*fs, CTR__FSCONFIG_SET_STRING, "lowerdir", all) != 0) return -1;
    ctr__c_fd_path(path, up);
    if (ctr__fsconfig(*fs, CTR__FSCONFIG_SET_STRING, "upperdir", path) != 0) return -1;
    ctr__c_fd_path(path, work);
    if (ctr__fsconfig(*fs, CTR__FSCONFIG_SET_STRING, "workdir", path) != 0) return -1;
    /* Inside a user namespace the overlay keeps whiteouts and opaque directories in user.*
       xattrs (trusted.* needs the host's root). */
    if (p->userns && ctr__fsconfig(*fs, CTR__FSCONFIG_SET_FLAG, "userxattr", NULL) != 0) return -1;
    return ctr__fsconfig(*fs, CTR__FSCONFIG_CMD_CREATE, NULL, NULL) == 0 ? 0 : -1;
}

/* The overlay root as a detached mount (nosuid, nodev); made before anything is attached at
   plan->attach_at but the scratch tmpfs. */
static int ctr__c_layer_root(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    const char *tmpfs_opts[] = {"mode", "0755", "size", p->upper_size_opt, NULL};
    char name[24];
    int lower[CTR__MAX_LOWERS], scratch = -1, up, work, fs, m;
    size_t i;
    struct stat st;
    /* The lowers first: the scratch tmpfs may be attached on top of one (rootfs). */
    for (i = 0; !p->idmap && i < p->nlowers; i++)
        lower[i] = ctr__c_opath(l, AT_FDCWD, p->lowers[i]);
    if (!p->upper || p->idmap) {
        fs = ctr__fsopen("tmpfs");
        for (i = 0; fs >= 0 && tmpfs_opts[i]; i += 2)
            if (tmpfs_opts[i + 1][0] &&
                ctr__fsconfig(fs, CTR__FSCONFIG_SET_STRING, tmpfs_opts[i], tmpfs_opts[i + 1]) != 0)
                break;
        if (fs < 0 || tmpfs_opts[i] ||
            ctr__fsconfig(fs, CTR__FSCONFIG_CMD_CREATE, NULL, NULL) != 0 ||
            (scratch = ctr__fsmount(fs, CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV)) < 0)
            ctr__c_die(l, CTR_STEP_ROOTFS, errno, "/", "create the tmpfs of the upper layer", NULL,
                       NULL, NULL);
        ctr__r_close(fs);
        if (ctr__move_mount(scratch, "", AT_FDCWD, p->attach_at, CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(l, CTR_STEP_ROOTFS, errno, p->attach_at, "mount the upper layer's tmpfs on ",
                       p->attach_at, NULL, NULL);
    }
    for (i = 0; p->idmap && i < p->nlowers; i++) {
        name[0] = 'l';
        ctr__c_utoa(name + 1, i);
        lower[i] = ctr__c_attach_pre(l, scratch, l->lower_pre[i], name);
    }
    if (!p->upper) {
        if (ctr__r_mkdirat(scratch, "upper", 0755) != 0 ||
            ctr__r_mkdirat(scratch, "work", 0700) != 0)
            ctr__c_die(l, CTR_STEP_ROOTFS, errno, "/", "create the upper layer", NULL, NULL, NULL);
        up = ctr__c_opath(l, scratch, "upper");
        work = ctr__c_opath(l, scratch, "work");
        /* The upper's root is the container's "/": give it the mode (and owner) of the top
           lower's root. */
        if (ctr__r_fstat(lower[0], &st) == 0) {
            (void)syscall(SYS_fchownat, scratch, "upper", st.st_uid, st.st_gid, 0);
            (void)ctr__r_fchmodat(scratch, "upper", st.st_mode & 07777);
        }
    } else if (p->idmap) {
        int dir = ctr__c_attach_pre(l, scratch, l->upper_pre, "u");
        up = ctr__c_opath(l, dir, strrchr(p->upper, '/') + 1);
        work = ctr__c_opath(l, dir, strrchr(p->workdir, '/') + 1);
        ctr__r_close(dir);
    } else {
        up = ctr__c_opath(l, AT_FDCWD, p->upper);
        work = ctr__c_opath(l, AT_FDCWD, p->workdir);
    }
    /* lowerdir+ (Linux 6.8) takes one layer at a time.  Before it, one lowerdir string, which
       fsconfig limits to 255 bytes (about 14 layers); a kernel whose overlay parses its options
       the legacy way accepts lowerdir+ in fsconfig and refuses it only at create: then again. */
    if (ctr__c_overlay_create(l, lower, up, work, 1, &fs) != 0) {
        int e = errno;
        if (e != EINVAL || fs < 0) ctr__c_overlay_die(l, fs, e, "create the overlay root");
        ctr__r_close(fs);
        if (ctr__c_overlay_create(l, lower, up, work, 0, &fs) != 0)
            ctr__c_overlay_die(l, fs, errno, "create the overlay root");
    }
    if ((m = ctr__fsmount(fs, CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV)) < 0)
        ctr__c_overlay_die(l, fs, errno, "mount the overlay root");
    ctr__r_close(fs);
    for (i = 0; i < p->nlowers; i++) ctr__r_close(lower[i]);
    ctr__r_close(up);
    ctr__r_close(work);
    if (scratch >= 0) ctr__r_close(scratch);
    return m;
}
