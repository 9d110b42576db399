/* lifecycle.c - the spec fields of manual section 14 (lifecycle and runtime features: a direct
   child, a created container waiting for ctr_start, namespaces joined by path, supplementary
   groups, umask, oom_score_adj, sysctls, masked and read-only paths, device nodes, the ambient
   set) validated and translated into the plan (plan.c calls ctr__plan_lifecycle last), and the
   launch's part of them (spawn.c): the namespaces to join opened, the start FIFO made. */
#include "internal.h"

/* The sysctls a container may set: those its own namespaces own (as runc allows them). */
static int ctr__sysctl_ns(const char *name) {
    static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",          "kernel.msgmni",
                                      "kernel.sem",    "kernel.shmall",          "kernel.shmmax",
                                      "kernel.shmmni", "kernel.shm_rmid_forced", NULL};
    int i;
    for (i = 0; ipc[i]; i++)
        if (strcmp(name, ipc[i]) == 0) return CLONE_NEWIPC;
    if (strncmp(name, "fs.mqueue.", 10) == 0) return CLONE_NEWIPC;
    if (strncmp(name, "net.", 4) == 0) return CLONE_NEWNET;
    if (strcmp(name, "kernel.hostname") == 0 || strcmp(name, "kernel.domainname") == 0)
        return CLONE_NEWUTS;
    return 0;
}

static unsigned long ctr__ns_flag(unsigned type) {
    switch (type) {
    case CTR_NS_NET: return CLONE_NEWNET;
    case CTR_NS_IPC: return CLONE_NEWIPC;
    case CTR_NS_UTS: return CLONE_NEWUTS;
    case CTR_NS_CGROUP: return CLONE_NEWCGROUP;
    case CTR_NS_PID: return CLONE_NEWPID;
    }
    return 0;
}

/* An absolute path inside the container, normalised ("/" refused); NULL with *err filled. */
static const char *ctr__inner_path(ctr__plan *p, const char *path, const char *field,
                                   ctr_error *err) {
    char *out;
    if (!path || path[0] != '/') {
        ctr__fail(err, CTR_STEP_SPEC, EINVAL, field, "%s: \"%s\" must be an absolute path", field,
                  path ? path : "(null)");
        return NULL;
    }
    if (!(out = ctr__normalize(p, path))) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        return NULL;
    }
    if (strcmp(out, "/") == 0) {
        ctr__fail(err, CTR_STEP_SPEC, EINVAL, field, "%s: \"%s\" is the root", field, path);
        return NULL;
    }
    return out;
}

static size_t ctr__count(const char *const *list) {
    size_t n = 0;
    while (list && list[n]) n++;
    return n;
}

static int ctr__plan_sysctls(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t n = ctr__count(s->sysctls), i;
    if (!n) return 0;
    if (!(p->sysctl_paths = CTR__CAST(char **, ctr__alloc(p, 2 * n * sizeof(char *)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = 0; i < n; i++) {
        const char *kv = s->sysctls[i], *eq = strchr(kv, '=');
        char name[128], *path;
        size_t len = eq ? CTR__CAST(size_t, eq - kv) : 0, k;
        unsigned long ns;
        if (!eq || len == 0 || len >= sizeof(name))
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, kv,
                             "sysctls[%zu]: \"%s\" is not name=value", i, kv);
        memcpy(name, kv, len);
        name[len] = '\0';
        for (k = 0; k < len; k++)
            if (!((name[k] >= 'a' && name[k] <= 'z') || (name[k] >= '0' && name[k] <= '9') ||
                  (name[k] >= 'A' && name[k] <= 'Z') || strchr("._-/", name[k])) ||
                (name[k] == '.' && k + 1 < len && name[k + 1] == '.'))
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, name,
                                 "sysctls[%zu]: \"%s\" is not a sysctl name", i, name);
        ns = CTR__CAST(unsigned long, ctr__sysctl_ns(name));
        if (!ns)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, name,
                             "sysctl %s is not namespaced: setting it would change the host's",
                             name);
        if (!(p->clone_flags & ns) && !(ns == CLONE_NEWNET && p->netns_pool)) {
            size_t j;
            int joined = 0;
            for (j = 0; j < p->nns_paths; j++) joined |= ctr__ns_flag(p->ns_paths[j].type) == ns;
            if (!joined)
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, name,
                                 "sysctl %s belongs to a namespace the container shares with "
                                 "the host: setting it would change the host's",
                                 name);
        }
        if (!(path = CTR__CAST(char *, ctr__alloc(p, len + 11))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(path, "/proc/sys/", 10);
        for (k = 0; k < len; k++) path[10 + k] = name[k] == '.' ? '/' : name[k];
        p->sysctl_paths[2 * i] = path;
        if (!(p->sysctl_paths[2 * i + 1] = ctr__strdup(p, eq + 1)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    }
    p->nsysctls = n;
    return 0;
}

/* Masked paths, read-only paths and devices: ops the mount engine applies after every mount. */
static int ctr__plan_late(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t nm = ctr__count(s->masked_paths), nr = ctr__count(s->readonly_paths), i;
    size_t n = nm + nr + s->ndevices;
    if (s->ndevices && !s->devices)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "devices",
                         "ndevices is %zu but devices is NULL", s->ndevices);
    if (!n) return 0;
    if (!(p->late_ops = CTR__CAST(ctr__op *, ctr__alloc(p, n * sizeof(ctr__op)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = 0; i < s->ndevices; i++) { /* devices first: a masked path may hide one */
        const ctr_device *d = &s->devices[i];
        ctr__op *op = &p->late_ops[p->nlate++];
        op->type = CTR__OP_DEVICE;
        if (!(op->dst = ctr__inner_path(p, d->path, "devices", err))) return -1;
        if (d->type != 'c' && d->type != 'b' && d->type != 'p')
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, d->path,
                             "device %s: type '%c' is not 'c', 'b' or 'p'", d->path,
                             d->type ? d->type : '?');
        if (d->uid == CTR__CAST(uid_t, -1) || d->gid == CTR__CAST(gid_t, -1))
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, d->path, "device %s: uid or gid -1",
                             d->path);
        op->mode = (d->mode ? d->mode & 07777u : 0666u) | (d->type == 'c'   ? S_IFCHR
                                                           : d->type == 'b' ? S_IFBLK
                                                                            : S_IFIFO);
        op->rdev = d->type == 'p' ? 0 : makedev(d->major, d->minor);
        op->uid = d->uid;
        op->gid = d->gid;
    }
    for (i = 0; i < nm + nr; i++) {
        ctr__op *op = &p->late_ops[p->nlate++];
        const char *path = i < nm ? s->masked_paths[i] : s->readonly_paths[i - nm];
        op->type = i < nm ? CTR__OP_MASK : CTR__OP_READONLY;
        if (!(op->dst = ctr__inner_path(p, path, i < nm ? "masked_paths" : "readonly_paths", err)))
            return -1;
    }
    return 0;
}

static int ctr__plan_joins(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t i, j;
    if (s->nns_paths && !s->ns_paths)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ns_paths",
                         "nns_paths is %zu but ns_paths is NULL", s->nns_paths);
    if (!s->nns_paths) return 0;
    if (!(p->ns_paths =
              CTR__CAST(ctr_ns_path *, ctr__alloc(p, s->nns_paths * sizeof(ctr_ns_path)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = 0; i < s->nns_paths; i++) {
        const ctr_ns_path *n = &s->ns_paths[i];
        unsigned long flag = ctr__ns_flag(n->type);
        if (!flag)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ns_paths",
                             "ns_paths[%zu]: type 0x%x is not one of CTR_NS_NET, CTR_NS_IPC, "
                             "CTR_NS_UTS, CTR_NS_CGROUP, CTR_NS_PID",
                             i, n->type);
        if (!n->path || n->path[0] != '/')
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ns_paths",
                             "ns_paths[%zu]: the path must be absolute", i);
        if (s->share & n->type)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, n->path,
                             "ns_paths[%zu]: a namespace cannot be both shared and joined", i);
        for (j = 0; j < i; j++)
            if (s->ns_paths[j].type == n->type)
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, n->path,
                                 "ns_paths[%zu] and [%zu] join the same kind of namespace", j, i);
        if (n->type == CTR_NS_NET && s->netns_pool)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "netns_pool",
                             "netns_pool and a network namespace to join exclude each other");
        if (n->type == CTR_NS_PID && s->init)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "init",
                             "init runs as pid 1 of a new pid namespace: it cannot join one");
        p->ns_paths[i].type = n->type;
        if (!(p->ns_paths[i].path = ctr__strdup(p, n->path)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        p->clone_flags &= ~flag;
        if (flag == CLONE_NEWNET) p->net_lo = 0; /* its loopback is its owner's business */
        if (flag == CLONE_NEWCGROUP) p->cgroupns = 0;
        if (flag == CLONE_NEWUTS && !s->hostname) p->hostname = NULL;
        if (flag == CLONE_NEWPID) p->join_pid = CLONE_NEWPID;
    }
    p->nns_paths = s->nns_paths;
    return 0;
}

static int ctr__plan_lifecycle(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    p->direct = s->direct_child ? 1 : 0;
    p->wait_start = s->wait_start ? 1 : 0;
    if (p->wait_start && !p->direct)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "wait_start", "wait_start needs direct_child");
    if (p->wait_start && p->init)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "wait_start",
                         "wait_start and init together are not supported");
    if (s->start_fifo) {
        if (!p->wait_start || !s->start_fifo[0])
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "start_fifo",
                             "start_fifo needs wait_start, and a path");
        if (!(p->start_fifo = ctr__strdup(p, s->start_fifo)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    }
    if (ctr__plan_joins(p, s, err) != 0) return -1;
    if (s->ngroups) {
        if (!s->groups)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "groups",
                             "ngroups is %zu but groups is NULL", s->ngroups);
        if (!p->set_ids || p->userns)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "groups",
                             "supplementary groups need root without a user namespace (a user "
                             "namespace maps one group only)");
        if (s->ngroups > 65536)
            return ctr__fail(err, CTR_STEP_SPEC, E2BIG, "groups", "at most 65536 groups");
        if (!(p->groups = CTR__CAST(gid_t *, ctr__alloc(p, s->ngroups * sizeof(gid_t)))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(p->groups, s->groups, s->ngroups * sizeof(gid_t));
        p->ngroups = s->ngroups;
    }
    if (s->set_umask) {
        if (s->umask > 0777u)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "umask", "umask 0%o is above 0777",
                             s->umask);
        p->set_umask = 1;
        p->umask = s->umask;
    }
    if (s->set_oom_score_adj) {
        if (s->oom_score_adj < -1000 || s->oom_score_adj > 1000)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "oom_score_adj",
                             "oom_score_adj %d is outside -1000..1000", s->oom_score_adj);
        p->set_oom = 1;
        snprintf(p->oom, sizeof(p->oom), "%d", s->oom_score_adj);
    }
    if (s->set_caps) {
        uint64_t known = p->last_cap >= 63 ? ~0ull : (1ull << (p->last_cap + 1)) - 1;
        const char *why = NULL;
        if (s->cap_add || s->cap_drop)
            why = "set_caps excludes cap_add and cap_drop";
        else if (s->cap_effective & ~s->cap_permitted)
            why = "cap_effective holds capabilities cap_permitted lacks";
        else if (s->cap_ambient & ~(s->cap_permitted & s->cap_inheritable))
            why = "cap_ambient must be within both cap_permitted and cap_inheritable";
        if (why) return ctr__fail(err, CTR_STEP_CAPS, EINVAL, "set_caps", "%s", why);
        p->caps_exact = 1;
        p->caps_keep = s->cap_bounding & known;
        p->caps_eff = s->cap_effective & known;
        p->caps_prm = s->cap_permitted & known;
        p->caps_inh = s->cap_inheritable & known;
        p->caps_ambient = s->cap_ambient & known;
        if (s->init && !p->userns && (p->caps_keep & CTR_CAP(19)))
            return ctr__fail(err, CTR_STEP_CAPS, EINVAL, "set_caps",
                             "init together with CAP_SYS_PTRACE would let the container read the "
                             "host process's memory (pid 1 is a copy of it)");
    }
    if (s->rootfs_propagation) {
        unsigned kinds = s->rootfs_propagation & (CTR_MOUNT_SHARED | CTR_MOUNT_SLAVE |
                                                  CTR_MOUNT_PRIVATE | CTR_MOUNT_UNBINDABLE);
        if ((kinds & (kinds - 1)) || !kinds ||
            (s->rootfs_propagation & ~(kinds | CTR_MOUNT_RPROPAGATION)))
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "rootfs_propagation",
                             "rootfs_propagation is one of CTR_MOUNT_SHARED, _SLAVE, _PRIVATE, "
                             "_UNBINDABLE (with CTR_MOUNT_RPROPAGATION)");
        p->root_propagation = s->rootfs_propagation;
    }
    if (ctr__plan_sysctls(p, s, err) != 0) return -1;
    return ctr__plan_late(p, s, err);
}

/* Opens the plan's namespaces to join (close-on-exec, above 2) into fds[0..nns_paths). */
static int ctr__open_ns_paths(const ctr__plan *p, int *fds, ctr_error *err) {
    size_t i;
    for (i = 0; i < p->nns_paths; i++) fds[i] = -1;
    for (i = 0; i < p->nns_paths; i++) {
        const char *path = p->ns_paths[i].path;
        long type = 0;
        if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0 || ctr__lift(&fds[i]) != 0)
            return ctr__fail(err, CTR_STEP_CLONE, errno, path, "open namespace %s", path);
        /* NS_GET_NSTYPE (Linux 4.11): the file is a namespace of the kind asked for */
        type = ioctl(fds[i], 0xb703 /* NS_GET_NSTYPE */);
        if (type < 0 || CTR__CAST(unsigned long, type) != ctr__ns_flag(p->ns_paths[i].type))
            return ctr__fail(err, CTR_STEP_CLONE, type < 0 ? errno : EINVAL, path,
                             "%s is not a namespace of the kind it is joined as", path);
    }
    return 0;
}

/* The start FIFO: made (mode 0600; an existing file is an error), opened read-write so that the
   open does not block and the child never sees EOF. */
static int ctr__make_start_fifo(const ctr__plan *p, int *fd, ctr_error *err) {
    if (mkfifo(p->start_fifo, 0600) != 0)
        return ctr__fail(err, CTR_STEP_SPEC, errno, p->start_fifo, "make the start FIFO %s",
                         p->start_fifo);
    if ((*fd = open(p->start_fifo, O_RDWR | O_CLOEXEC)) < 0 || ctr__lift(fd) != 0) {
        int e = errno;
        ctr__close(fd);
        unlink(p->start_fifo);
        return ctr__fail(err, CTR_STEP_SPEC, e, p->start_fifo, "open the start FIFO %s",
                         p->start_fifo);
    }
    return 0;
}
