/* userns.c - user namespaces beyond the caller's own id: maps written from outside the
   container, idmapped mounts, and a diagnosis when user namespaces are refused.

   Who writes the maps.  A process may map only its own uid into a user namespace it created
   (the child does that itself, child.c).  Any other map needs a process outside the namespace:
   root writing /proc/PID/uid_map, or, for a caller that is not root, the setuid helpers
   newuidmap and newgidmap checking /etc/subuid and /etc/subgid.  The spawning thread cannot be
   that process: it sleeps in the vfork-style clone until the child has exec'd.  So a short-lived
   helper is forked (a copy of the host, fork-style) before the clone: it waits for the child's
   pid on a socket, writes the maps or runs newuidmap and newgidmap, and sends the child its
   verdict; the child waits for it (or for the helper's death, through its pidfd).  The parent
   kills and reaps the helper once the clone has returned: no zombie, no descriptor left.  Like
   the child, the helper runs raw system calls only.

   Idmapped mounts (root with uid_map): the rootfs or the lowers, a persistent upper's directory
   and every bind source are presented to the container through mounts idmapped with its maps, so
   a base owned by root needs no chown: on-disk uid 0 appears as the container's uid 0 (host uid
   outside).  Only the host's root can idmap a filesystem of the host's user namespace, so the
   parent makes them before the clone (open_tree + mount_setattr MOUNT_ATTR_IDMAP with a user
   namespace of the same maps, made for the spawn by a short-lived process), and passes them to the child over
   the same socket (SCM_RIGHTS). */
#include "internal.h"

#define CTR__MAX_RANGES 340 /* the kernel's limit of lines in a map (Linux 4.15) */

/* ---- the plan ---- */

/* The path of a setuid helper (newuidmap, newgidmap), or NULL. */
static const char *ctr__find_tool(const char *name) {
    static const char *const uid_paths[] = {"/usr/bin/newuidmap",       "/bin/newuidmap",
                                            "/usr/sbin/newuidmap",      "/sbin/newuidmap",
                                            "/usr/local/bin/newuidmap", NULL};
    static const char *const gid_paths[] = {"/usr/bin/newgidmap",       "/bin/newgidmap",
                                            "/usr/sbin/newgidmap",      "/sbin/newgidmap",
                                            "/usr/local/bin/newgidmap", NULL};
    const char *const *c = strcmp(name, "newuidmap") == 0 ? uid_paths : gid_paths;
    for (; *c; c++)
        if (access(*c, X_OK) == 0) return *c;
    return NULL;
}

/* The caller's first range in /etc/subuid or /etc/subgid ("name:start:count" or
   "uid:start:count"); 0 if none. */
static int ctr__subid_range(const char *file, const char *name, unsigned long id,
                            unsigned long *start, unsigned long *count) {
    FILE *f = fopen(file, "re");
    char line[512];
    int found = 0;
    if (!f) return 0;
    while (!found && fgets(line, sizeof(line), f)) {
        char *a = strtok(line, ":\n"), *b = strtok(NULL, ":\n"), *c = strtok(NULL, ":\n"), *end;
        unsigned long who;
        if (!a || !b || !c) continue;
        who = strtoul(a, &end, 10);
        if (!((name && strcmp(a, name) == 0) || (*end == '\0' && end != a && who == id))) continue;
        *start = strtoul(b, NULL, 10);
        *count = strtoul(c, NULL, 10);
        found = *count > 0;
    }
    fclose(f);
    return found;
}

/* The caller's user name from /etc/passwd (newuidmap matches names too), into name. */
static const char *ctr__user_name(uid_t uid, char *name, size_t size) {
    FILE *f = fopen("/etc/passwd", "re");
    char line[1024];
    const char *r = NULL;
    if (!f) return NULL;
    while (!r && fgets(line, sizeof(line), f)) {
        char *n = strtok(line, ":"), *pw = strtok(NULL, ":"), *u = strtok(NULL, ":");
        if (n && pw && u && strtoul(u, NULL, 10) == uid) {
            snprintf(name, size, "%s", n);
            r = name;
        }
    }
    fclose(f);
    return r;
}

/* Checks one map: ranges within 32 bits, not overlapping inside or outside, id inside it. */
static int ctr__check_map(const char *what, const ctr_idmap *m, size_t n, unsigned long id,
                          ctr_error *err) {
    size_t i, j;
    int has = 0;
    if (n == 0 || n > CTR__MAX_RANGES)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, what, "%s must have 1 to %d ranges, not %zu",
                         what, CTR__MAX_RANGES, n);
    for (i = 0; i < n; i++) {
        uint64_t in = m[i].inside, out = m[i].outside, c = m[i].count;
        if (c == 0 || in + c > 0xffffffffull || out + c > 0xffffffffull)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, what,
                             "%s range %zu (%u:%u:%u) is empty or goes past 4294967294", what, i,
                             m[i].inside, m[i].outside, m[i].count);
        for (j = 0; j < i; j++) {
            uint64_t in2 = m[j].inside, out2 = m[j].outside, c2 = m[j].count;
            if ((in < in2 + c2 && in2 < in + c) || (out < out2 + c2 && out2 < out + c))
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, what, "%s ranges %zu and %zu overlap",
                                 what, j, i);
        }
        has |= id >= in && id < in + c;
    }
    if (!has)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, what,
                         "the container's %s %lu is not in %s: the command could not run as it",
                         what[0] == 'u' ? "uid" : "gid", id, what);
    return 0;
}

/* "inside outside count\n" lines. */
static char *ctr__map_text(ctr__plan *p, const ctr_idmap *m, size_t n) {
    char *t = CTR__CAST(char *, ctr__alloc(p, n * 36 + 1)), *s = t;
    size_t i;
    if (!t) return NULL;
    for (i = 0; i < n; i++) s += sprintf(s, "%u %u %u\n", m[i].inside, m[i].outside, m[i].count);
    return t;
}

/* {tool, PID, inside, outside, count, ..., NULL}: the helper writes the pid into argv[1]. */
static char **ctr__map_argv(ctr__plan *p, const char *tool, const ctr_idmap *m, size_t n) {
    char **v = CTR__CAST(char **, ctr__alloc(p, (3 * n + 3) * sizeof(char *)));
    size_t i, k = 2;
    if (!v || !(v[0] = ctr__strdup(p, tool)) || !(v[1] = CTR__CAST(char *, ctr__alloc(p, 24))))
        return NULL;
    for (i = 0; i < n; i++) {
        unsigned v3[3];
        int j;
        v3[0] = m[i].inside;
        v3[1] = m[i].outside;
        v3[2] = m[i].count;
        for (j = 0; j < 3; j++) {
            char num[16];
            snprintf(num, sizeof(num), "%u", v3[j]);
            if (!(v[k++] = ctr__strdup(p, num))) return NULL;
        }
    }
    return v;
}

static int ctr__plan_maps(ctr__plan *p, const ctr_idmap *um, size_t nu, const ctr_idmap *gm,
                          size_t ng, ctr_error *err) {
    if (geteuid() == 0) {
        p->map_helper = 1;
        if (!(p->uid_map_text = ctr__map_text(p, um, nu)) ||
            !(p->gid_map_text = ctr__map_text(p, gm, ng)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        return 0;
    }
    p->map_helper = 2;
    if (!(p->uidmap_argv = ctr__map_argv(p, "newuidmap", um, nu)) ||
        !(p->gidmap_argv = ctr__map_argv(p, "newgidmap", gm, ng)))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    return 0;
}

/* After the default user namespace decision of plan.c: explicit maps, or the caller's
   subordinate ranges. */
static int ctr__plan_userns(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    uid_t euid = geteuid();
    const ctr_idmap *gm = spec->gid_map ? spec->gid_map : spec->uid_map;
    size_t ng = spec->gid_map ? spec->ngid_map : spec->nuid_map;
    if ((spec->nuid_map && !spec->uid_map) || (spec->ngid_map && !spec->gid_map))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "uid_map",
                         "nuid_map or ngid_map is set "
                         "but the map is NULL");
    if (spec->gid_map && !spec->uid_map)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "gid_map", "gid_map needs uid_map too");
    if (spec->uid_map) {
        if (spec->share & CTR_NS_USER)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "uid_map",
                             "uid_map needs a user namespace of its own, but CTR_NS_USER is "
                             "shared");
        if (ctr__check_map("uid_map", spec->uid_map, spec->nuid_map, spec->uid, err) != 0 ||
            ctr__check_map("gid_map", gm, ng, spec->gid, err) != 0 ||
            ctr__check_map("uid_map", spec->uid_map, spec->nuid_map, 0, err) != 0 ||
            ctr__check_map("gid_map", gm, ng, 0, err) != 0)
            return -1; /* 0 too: the namespace's root sets the container up */
        if (euid != 0 && (!(p->newuidmap = ctr__find_tool("newuidmap")) ||
                          !(p->newgidmap = ctr__find_tool("newgidmap"))))
            return ctr__fail(err, CTR_STEP_USERNS, ENOENT, "newuidmap",
                             "uid_map when not root needs newuidmap and newgidmap (Debian and "
                             "Ubuntu: the package uidmap)");
        p->userns = 1;
        p->clone_flags |= CLONE_NEWUSER;
        p->set_ids = 1;
        p->idmap = euid == 0 && !spec->no_idmap;
        return ctr__plan_maps(p, spec->uid_map, spec->nuid_map, gm, ng, err);
    }
    if (p->userns && euid != 0 && !spec->no_subids) {
        char name[256];
        const char *user = ctr__user_name(euid, name, sizeof(name));
        unsigned long us, uc, gs, gc;
        ctr_idmap um[2], g2[2];
        if (!ctr__subid_range("/etc/subuid", user, euid, &us, &uc) ||
            !ctr__subid_range("/etc/subgid", user, euid, &gs, &gc) ||
            !(p->newuidmap = ctr__find_tool("newuidmap")) ||
            !(p->newgidmap = ctr__find_tool("newgidmap")))
            return 0; /* the single mapping of plan.c */
        if (uc > 65535) uc = 65535;
        if (gc > 65535) gc = 65535;
        if (spec->uid > uc || spec->gid > gc) return 0; /* not in the ranges: the single map */
        um[0].inside = 0;
        um[0].outside = euid;
        um[0].count = 1;
        um[1].inside = 1;
        um[1].outside = CTR__CAST(uint32_t, us);
        um[1].count = CTR__CAST(uint32_t, uc);
        g2[0].inside = 0;
        g2[0].outside = getegid();
        g2[0].count = 1;
        g2[1].inside = 1;
        g2[1].outside = CTR__CAST(uint32_t, gs);
        g2[1].count = CTR__CAST(uint32_t, gc);
        p->set_ids = 1;
        return ctr__plan_maps(p, um, 2, g2, 2, err);
    }
    return 0;
}

/* ---- the parent: idmapped mounts, the helper ---- */

typedef struct ctr__ns_reply {
    int err;
    char path[64];
    char msg[320];
} ctr__ns_reply;

static void ctr__ns_init(ctr__ns_host *h) {
    h->helper_pidfd = -1;
    h->sock = -1;
}

/* A process that only waits to be killed (it holds a user namespace open for the parent). */
static void ctr__ns_holder(void *arg) {
    (void)arg;
    for (;;) syscall(SYS_pause);
}

/* A user namespace with the plan's maps, for mount_setattr (closed once the mounts are made). */
static int ctr__idmap_userns(const ctr__plan *p, ctr_error *err) {
    char path[64];
    uint64_t all = ~CTR__CAST(uint64_t, 0), old = 0;
    ctr__clone_args a;
    int fd = -1, pidfd = -1, e, w;
    long pid;
    memset(&a, 0, sizeof(a));
    a.flags = CLONE_NEWUSER | CLONE_PIDFD;
    a.pidfd = CTR__PTR_TO_U64(&pidfd);
    ctr__r_sigmask(SIG_SETMASK, &all, &old); /* no host handler may run in the holder */
    pid = ctr__clone(&a, 0, ctr__ns_holder, NULL);
    e = pid < 0 ? errno : 0;
    ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0)
        return ctr__fail(err, CTR_STEP_USERNS, e, "",
                         "make a user namespace for the idmapped "
                         "mounts");
    snprintf(path, sizeof(path), "/proc/%ld/uid_map", pid);
    if ((w = open(path, O_WRONLY | O_CLOEXEC)) < 0 ||
        write(w, p->uid_map_text, strlen(p->uid_map_text)) < 0)
        e = errno;
    if (w >= 0) close(w);
    snprintf(path, sizeof(path), "/proc/%ld/gid_map", pid);
    if (!e && ((w = open(path, O_WRONLY | O_CLOEXEC)) < 0 ||
               write(w, p->gid_map_text, strlen(p->gid_map_text)) < 0))
        e = errno;
    if (!e && w >= 0) close(w);
    snprintf(path, sizeof(path), "/proc/%ld/ns/user", pid);
    if (!e && ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || ctr__lift(&fd) != 0)) e = errno;
    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    while (waitpid(CTR__CAST(pid_t, pid), NULL, __WALL) < 0 && errno == EINTR) {}
    ctr__close(&pidfd);
    if (e) {
        ctr__close(&fd);
        return ctr__fail(err, CTR_STEP_USERNS, e, "",
                         "make a user namespace with uid_map for the idmapped mounts");
    }
    return fd;
}

/* A detached, idmapped clone of path; -1 and err on failure. */
static int ctr__idmapped(const char *path, int userns, int rec, uint64_t set, int top_rw,
                         ctr_error *err) {
    ctr__mount_attr a;
    unsigned r = rec ? CTR__CAST(unsigned, AT_RECURSIVE) : 0u;
    int fd = ctr__open_tree(AT_FDCWD, path, CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC | r);
    if (fd < 0) return ctr__fail(err, CTR_STEP_MOUNT, errno, path, "bind %s", path);
    memset(&a, 0, sizeof(a));
    a.attr_set = set | CTR__MOUNT_ATTR_IDMAP;
    a.userns_fd = CTR__CAST(uint64_t, userns);
    if (ctr__mount_setattr(fd, "", AT_EMPTY_PATH | r, &a) != 0) {
        int e = errno;
        close(fd);
        return ctr__fail(err, CTR_STEP_MOUNT, e, path, "idmap %s%s", path,
                         e == EINVAL
                             ? " (its filesystem, or one mounted below it, does not support "
                               "idmapped mounts (Linux 5.12; ext4, xfs, btrfs, tmpfs 6.3...): "
                               "set no_idmap and chown it to the range instead)"
                             : "");
    }
    if (top_rw) {
        memset(&a, 0, sizeof(a));
        a.attr_clr = CTR__MOUNT_ATTR_RDONLY;
        (void)ctr__mount_setattr(fd, "", AT_EMPTY_PATH, &a);
    }
    if (ctr__lift(&fd) != 0) {
        close(fd);
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "move a descriptor above 2");
    }
    return fd;
}

/* The helper's work: raw system calls only (it is a copy of a possibly multi-threaded host). */
typedef struct ctr__ns_job {
    const ctr__plan *p;
    int sock;
} ctr__ns_job;

static void ctr__ns_say(ctr__ns_reply *r, int e, const char *path, const char *a, const char *b) {
    size_t n;
    r->err = e;
    ctr__append(r->path, sizeof(r->path), 0, path);
    n = ctr__append(r->msg, sizeof(r->msg), 0, a);
    ctr__append(r->msg, sizeof(r->msg), n, b);
}

static int ctr__ns_write(ctr__ns_reply *r, const char *pid, const char *file, const char *text) {
    char path[64];
    size_t n = ctr__append(path, sizeof(path), 0, "/proc/");
    int fd;
    long w;
    n = ctr__append(path, sizeof(path), n, pid);
    ctr__append(path, sizeof(path), n, file);
    fd = ctr__r_openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
    w = fd >= 0 ? ctr__r_write(fd, text, strlen(text)) : -1;
    if (w < 0) ctr__ns_say(r, errno, path, "write ", path);
    if (fd >= 0) ctr__r_close(fd);
    return w < 0 ? -1 : 0;
}

/* Runs newuidmap or newgidmap; on failure r says why (its own words). */
static int ctr__ns_run(ctr__ns_reply *r, const char *tool, char **argv) {
    static const char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};
    char out[240];
    size_t n = 0;
    int pfd[2], st = 0;
    long pid, k;
    if (syscall(SYS_pipe2, pfd, O_CLOEXEC) != 0) {
        ctr__ns_say(r, errno, tool, "create a pipe for ", tool);
        return -1;
    }
    pid = syscall(SYS_clone, CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) {
        uint64_t none = 0;
        int null = ctr__r_openat(AT_FDCWD, "/dev/null", O_RDONLY, 0);
        if (null >= 0) ctr__r_dup3(null, 0);
        ctr__r_dup3(pfd[1], 1);
        ctr__r_dup3(pfd[1], 2);
        ctr__r_sigmask(SIG_SETMASK, &none, NULL);
        syscall(SYS_execve, tool, argv, envp);
        ctr__r_write(2, "cannot execute it", 17);
        ctr__c_exit(127);
    }
    ctr__r_close(pfd[1]);
    if (pid < 0) {
        ctr__r_close(pfd[0]);
        ctr__ns_say(r, errno, tool, "start ", tool);
        return -1;
    }
    while (n < sizeof(out) - 1 && (k = ctr__r_read(pfd[0], out + n, sizeof(out) - 1 - n)) != 0) {
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) break;
        n += CTR__CAST(size_t, k);
    }
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ')) out[--n] = '\0';
    for (k = 0; CTR__CAST(size_t, k) < n; k++)
        if (out[k] == '\n') out[k] = ' ';
    ctr__r_close(pfd[0]);
    while (syscall(SYS_wait4, pid, &st, 0, NULL) < 0 && errno == EINTR) {}
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    ctr__ns_say(r, EPERM, tool, argv[0], ": ");
    ctr__append(r->msg, sizeof(r->msg), strlen(r->msg), n ? out : "failed");
    return -1;
}

static void ctr__ns_helper(void *arg) {
    const ctr__ns_job *j = CTR__CAST(const ctr__ns_job *, arg);
    const ctr__plan *p = j->p;
    ctr__ns_reply r;
    char pid[24];
    long n;
    (void)ctr__r_prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (j->sock > 3) (void)syscall(SYS_close_range, 3, CTR__CAST(unsigned, j->sock - 1), 0);
    (void)syscall(SYS_close_range, CTR__CAST(unsigned, j->sock + 1), ~0u, 0);
    do n = syscall(SYS_recvfrom, j->sock, pid, sizeof(pid) - 1, 0, NULL, NULL);
    while (n < 0 && errno == EINTR);
    if (n <= 0) ctr__c_exit(1);
    pid[n] = '\0';
    memset(&r, 0, sizeof(r));
    if (p->map_helper == 1) {
        if (ctr__ns_write(&r, pid, "/uid_map", p->uid_map_text) == 0)
            (void)ctr__ns_write(&r, pid, "/gid_map", p->gid_map_text);
    } else {
        memcpy(p->uidmap_argv[1], pid, CTR__CAST(size_t, n) + 1);
        memcpy(p->gidmap_argv[1], pid, CTR__CAST(size_t, n) + 1);
        if (ctr__ns_run(&r, p->newuidmap, p->uidmap_argv) == 0)
            (void)ctr__ns_run(&r, p->newgidmap, p->gidmap_argv);
    }
    do n = ctr__r_write(j->sock, &r, sizeof(r));
    while (n < 0 && errno == EINTR);
    ctr__c_exit(0);
}

/* Sends fds over sock, at most 250 a message. */
static int ctr__send_fds(int sock, const int *fds, int n) {
    while (n > 0) {
        union {
            struct cmsghdr align;
            char buf[CTR__FDMSG_SPACE(250)];
        } cm;
        struct msghdr msg;
        struct iovec iov;
        char byte = 'f';
        int k = n > 250 ? 250 : n;
        ctr__fdmsg(&msg, &iov, &byte, cm.buf, k, fds);
        if (sendmsg(sock, &msg, MSG_NOSIGNAL) != 1) return -1;
        fds += k;
        n -= k;
    }
    return 0;
}

/* Before the clone: the idmapped mounts and the helper, their descriptors queued on the socket
   for the child (l->ns_fds then holds the parent's numbers, which it closes after the clone). */
static int ctr__ns_prepare(ctr__ns_host *h, ctr__plan *p, ctr__launch *l, ctr_error *err) {
    const unsigned base = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV;
    uint64_t all = ~CTR__CAST(uint64_t, 0), old = 0;
    ctr__clone_args a;
    ctr__ns_job job;
    int sv[2], userns = -1, n = 1, i;
    size_t k;
    long pid;
    l->root_pre = l->upper_pre = -1;
    if (!p->map_helper) return 0;
    /* slots: the helper's pidfd, the rootfs or the lowers and upper, the binds */
    l->ns_fds = CTR__CAST(int *, ctr__alloc(p, (p->nops + p->nlowers + 3) * sizeof(int)));
    l->op_pre = CTR__CAST(int *, ctr__alloc(p, (p->nops + 1) * sizeof(int)));
    l->lower_pre = CTR__CAST(int *, ctr__alloc(p, (p->nlowers + 1) * sizeof(int)));
    if (!l->ns_fds || !l->op_pre || !l->lower_pre)
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    l->ns_fds[0] = -1;
    for (k = 0; k < p->nops; k++) l->op_pre[k] = -1;
    if (p->idmap) {
        if ((userns = ctr__idmap_userns(p, err)) < 0) return -1;
        if (p->layer) {
            for (k = 0; k < p->nlowers; k++) {
                if ((l->ns_fds[n] = ctr__idmapped(p->lowers[k], userns, 0,
                                                  base | CTR__MOUNT_ATTR_RDONLY, 0, err)) < 0)
                    goto fail;
                l->lower_pre[k] = n++;
            }
            if (p->upper) {
                char dir[PATH_MAX];
                snprintf(dir, sizeof(dir), "%.*s",
                         CTR__CAST(int, strrchr(p->upper, '/') - p->upper), p->upper);
                if ((l->ns_fds[n] = ctr__idmapped(dir, userns, 0, base, 0, err)) < 0) goto fail;
                l->upper_pre = n++;
            }
        } else if (p->rootfs) {
            if ((l->ns_fds[n] = ctr__idmapped(
                     p->rootfs, userns, 1, base | (p->readonly_root ? CTR__MOUNT_ATTR_RDONLY : 0u),
                     p->readonly_root, err)) < 0)
                goto fail;
            l->root_pre = n++;
        }
        for (k = 0; k < p->nops; k++) {
            const ctr__op *op = &p->ops[k];
            if (op->type != CTR_MOUNT_BIND) continue;
            if ((l->ns_fds[n] = ctr__idmapped(
                     op->src, userns, !(op->flags & CTR_MOUNT_NONRECURSIVE),
                     base | ((op->flags & CTR_MOUNT_RW) ? 0u : CTR__MOUNT_ATTR_RDONLY), 0, err)) <
                0)
                goto fail;
            l->op_pre[k] = n++;
        }
    }
    l->ns_nfds = n;
    if (userns >= 0) close(userns);
    userns = -1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 || ctr__lift(&sv[0]) != 0 ||
        ctr__lift(&sv[1]) != 0) {
        ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a socket for the id maps");
        goto fail;
    }
    h->sock = sv[0];
    l->nssock = sv[1];
    job.p = p;
    job.sock = sv[0];
    memset(&a, 0, sizeof(a));
    a.flags = CLONE_PIDFD;
    a.pidfd = CTR__PTR_TO_U64(&h->helper_pidfd);
    ctr__r_sigmask(SIG_SETMASK, &all, &old); /* no host handler may run in the helper */
    pid = ctr__clone(&a, 0, ctr__ns_helper, &job);
    i = errno;
    ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        ctr__fail(err, CTR_STEP_USERNS, i, "", "start the helper that writes the id maps");
        goto fail;
    }
    if (ctr__lift(&h->helper_pidfd) != 0 ||
        (l->ns_fds[0] = h->helper_pidfd, ctr__send_fds(h->sock, l->ns_fds, n) != 0)) {
        ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "pass descriptors to the container process");
        goto fail;
    }
    l->ns_fds[0] = -1;
    for (i = 1; i < n; i++) ctr__close(&l->ns_fds[i]);
    return 0;
fail:
    if (userns >= 0) close(userns);
    for (i = 1; i < n; i++) ctr__close(&l->ns_fds[i]);
    l->ns_nfds = 0;
    return -1;
}

/* After the clone (the child has exec'd, or died): the helper is done or no longer needed. */
static void ctr__ns_finish(ctr__ns_host *h) {
    if (h->helper_pidfd >= 0) {
        siginfo_t si;
        syscall(SYS_pidfd_send_signal, h->helper_pidfd, SIGKILL, NULL, 0);
        while (syscall(SYS_waitid, P_PIDFD, h->helper_pidfd, &si, WEXITED | __WALL, NULL) < 0 &&
               errno == EINTR) {}
    }
    ctr__close(&h->helper_pidfd);
    ctr__close(&h->sock);
}

/* ---- the diagnosis ---- */

/* A sysctl's value, or -1. */
static long ctr__sysctl(const char *path) {
    char buf[32];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;
    if (fd < 0) return -1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

/* Replaces the generic hint of a refused clone (or a refused step in the new user namespace)
   with what refused it: the sysctl and how to allow it. */
static void ctr__userns_explain(const ctr__plan *p, ctr_error *err) {
    char why[320];
    char *hint;
    long v;
    int root = geteuid() == 0, e = err->sys_errno;
    if (e != EPERM && e != ENOSPC && e != EUSERS && e != EACCES) return;
    why[0] = '\0';
    if (!p->userns && !root && !(p->clone_flags & CLONE_NEWUSER)) {
        snprintf(why, sizeof(why),
                 "the user namespace is shared (CTR_NS_USER), and creating the other namespaces "
                 "needs CAP_SYS_ADMIN in it: only root may share it; leave CTR_NS_USER out to get "
                 "a user namespace of its own");
    } else if (p->userns) {
        if ((v = ctr__sysctl("/proc/sys/user/max_user_namespaces")) == 0)
            snprintf(why, sizeof(why),
                     "user namespaces are disabled: user.max_user_namespaces is 0 (allow them: "
                     "sysctl -w user.max_user_namespaces=15000)");
        else if (e == ENOSPC && v > 0)
            snprintf(why, sizeof(why),
                     "the limit of user namespaces is reached: user.max_user_namespaces is %ld "
                     "(raise it with sysctl -w user.max_user_namespaces=N)",
                     v);
        else if (e == EUSERS)
            snprintf(why, sizeof(why), "user namespaces are nested 32 deep already");
        else if (!root && ctr__sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0)
            snprintf(why, sizeof(why),
                     "unprivileged user namespaces are disabled: "
                     "kernel.unprivileged_userns_clone is 0 (allow them: sysctl -w "
                     "kernel.unprivileged_userns_clone=1, or run as root)");
        else if (!root &&
                 ctr__sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
            snprintf(why, sizeof(why),
                     "AppArmor restricts unprivileged user namespaces: "
                     "kernel.apparmor_restrict_unprivileged_userns is 1 (allow them: sysctl -w "
                     "kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile "
                     "with \"userns,\" for this program)");
    }
    if (!why[0]) return;
    if ((hint = strstr(err->msg, " (hint: ")) != NULL) *hint = '\0';
    ctr__append(err->msg, sizeof(err->msg), strlen(err->msg), " (");
    ctr__append(err->msg, sizeof(err->msg), strlen(err->msg), why);
    ctr__append(err->msg, sizeof(err->msg), strlen(err->msg), ")");
}

/* ---- the child (raw system calls only) ---- */

/* The helper's pidfd and the premade mounts, queued by the parent before the clone. */
static void ctr__c_ns_receive(const ctr__launch *l) {
    int got = 0;
    while (got < l->ns_nfds) {
        union {
            struct cmsghdr align;
            char buf[CTR__FDMSG_SPACE(250)];
        } cm;
        struct msghdr msg;
        struct iovec iov;
        char byte;
        long r;
        int k = 0;
        ctr__fdmsg(&msg, &iov, &byte, cm.buf, 250, NULL);
        do r = syscall(SYS_recvmsg, l->nssock, &msg, MSG_CMSG_CLOEXEC);
        while (r < 0 && errno == EINTR);
        if (r == 1) k = ctr__fdmsg_fds(&msg, l->ns_fds + got, l->ns_nfds - got);
        if (k <= 0) {
            ctr__c_die(l, CTR_STEP_USERNS, r < 0 ? errno : EPROTO, "",
                       "receive the idmapped mounts", NULL, NULL, NULL);
            return;
        }
        got += k;
    }
}

static int ctr__c_pre_fd(const ctr__launch *l, int index) { return l->ns_fds[index]; }

/* Sends our host pid to the helper and waits for its verdict on the maps. */
static void ctr__c_ns_maps(const ctr__launch *l) {
    char self[24];
    ctr__ns_reply r;
    struct pollfd pfd[2];
    long n = syscall(SYS_readlinkat, AT_FDCWD, "/proc/self", self, sizeof(self) - 1);
    if (n <= 0 || syscall(SYS_sendto, l->nssock, self, n, MSG_NOSIGNAL, NULL, 0) != n)
        ctr__c_die(l, CTR_STEP_USERNS, errno, "/proc/self", "tell the id-map helper our pid", NULL,
                   NULL, NULL);
    for (;;) {
        pfd[0].fd = l->nssock;
        pfd[1].fd = l->ns_fds[0];
        pfd[0].events = pfd[1].events = POLLIN;
        pfd[0].revents = pfd[1].revents = 0;
        if (syscall(SYS_ppoll, pfd, 2, NULL, NULL, 8) < 0 && errno != EINTR)
            ctr__c_die(l, CTR_STEP_USERNS, errno, "", "wait for the id-map helper", NULL, NULL,
                       NULL);
        if (pfd[0].revents & POLLIN) break;
        if (pfd[1].revents)
            ctr__c_die(l, CTR_STEP_USERNS, ECHILD, "",
                       "the helper that writes the uid and gid maps died", NULL, NULL, NULL);
    }
    memset(&r, 0, sizeof(r));
    n = syscall(SYS_recvfrom, l->nssock, &r, sizeof(r), 0, NULL, NULL);
    if (n != CTR__CAST(long, sizeof(r)))
        ctr__c_die(l, CTR_STEP_USERNS, n < 0 ? errno : EPROTO, "",
                   "read the id-map helper's verdict", NULL, NULL, NULL);
    r.path[sizeof(r.path) - 1] = r.msg[sizeof(r.msg) - 1] = '\0';
    if (r.err) ctr__c_die(l, CTR_STEP_USERNS, r.err, r.path, r.msg, NULL, NULL, NULL);
    /* Become the namespace's root: the ids we were born with (the host's root, for one) may
       not be mapped, and what the setup creates would fail with EOVERFLOW. */
    if (syscall(SYS_setresgid, 0, 0, 0) != 0 || syscall(SYS_setresuid, 0, 0, 0) != 0)
        ctr__c_die(l, CTR_STEP_USERNS, errno, "", "become root in the user namespace", NULL, NULL,
                   NULL);
    /* The uid change cleared the parent-death signal (child.c sets it again at the end). */
    if (l->plan->die_with_host) (void)ctr__r_prctl(PR_SET_PDEATHSIG, SIGKILL);
    ctr__r_close(l->ns_fds[0]);
    ctr__r_close(l->nssock);
}
