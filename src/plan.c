/* plan.c - ctr_spec -> ctr__plan: every field of the spec is validated and translated here (and
   in security.c and the cgroup backend's check, which this calls), with the defaults applied and
   every string and buffer the child will need allocated in the parent.  Once built the plan is
   never changed: the cgroup code, the clone, the child and the handle only read it. */
#include "internal.h"

static const char ctr__default_path[] =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static int ctr__check_argv_size(const ctr_spec *spec, ctr_error *err) {
    /* The kernel's limits: one string at most 32 pages, all of them at most a quarter of the stack
       rlimit (sysconf(_SC_ARG_MAX)); fail here rather than with a late E2BIG from execve. */
    long max = sysconf(_SC_ARG_MAX);
    size_t total = 0, i;
    const char *const *lists[2];
    int l;
    lists[0] = spec->argv;
    lists[1] = spec->env;
    if (max <= 0) max = 128 * 1024;
    for (l = 0; l < 2; l++) {
        if (!lists[l]) continue;
        for (i = 0; lists[l][i]; i++) {
            size_t len = strlen(lists[l][i]) + 1;
            if (len > 32u * 4096u)
                return ctr__fail(err, CTR_STEP_SPEC, E2BIG, l ? "env" : "argv",
                                 "%s[%zu] is %zu bytes, longer than the kernel's 131072",
                                 l ? "env" : "argv", i, len - 1);
            total += len + sizeof(char *);
        }
    }
    if (total > CTR__CAST(size_t, max))
        return ctr__fail(err, CTR_STEP_SPEC, E2BIG, "argv",
                         "argv and env take %zu bytes, more than the kernel's limit of %ld", total,
                         max);
    return 0;
}

static char **ctr__copy_list(ctr__plan *p, const char *const *src, size_t extra) {
    size_t n = 0, i;
    char **dst;
    while (src && src[n]) n++;
    dst = CTR__CAST(char **, ctr__alloc(p, (n + extra + 1) * sizeof(char *)));
    if (!dst) return NULL;
    for (i = 0; i < n; i++)
        if (!(dst[i] = ctr__strdup(p, src[i]))) return NULL;
    return dst;
}

static const char *ctr__env_get(char **envp, const char *key) {
    size_t k = strlen(key), i;
    for (i = 0; envp[i]; i++)
        if (strncmp(envp[i], key, k) == 0 && envp[i][k] == '=') return envp[i] + k + 1;
    return NULL;
}

/* The candidate paths for argv[0], as execvp would try them, with the container's PATH. */
static int ctr__plan_exec_paths(ctr__plan *p) {
    const char *arg0 = p->argv[0], *path, *s;
    size_t n = 1, alen = strlen(arg0);
    if (strchr(arg0, '/')) {
        p->exec_paths = CTR__CAST(char **, ctr__alloc(p, sizeof(char *)));
        if (!p->exec_paths) return -1;
        p->exec_paths[0] = p->argv[0];
        p->nexec = 1;
        return 0;
    }
    path = ctr__env_get(p->envp, "PATH");
    if (!path) path = ctr__default_path;
    for (s = path; *s; s++) n += (*s == ':');
    p->exec_paths = CTR__CAST(char **, ctr__alloc(p, n * sizeof(char *)));
    if (!p->exec_paths) return -1;
    for (s = path;;) {
        const char *e = strchr(s, ':');
        size_t dlen = e ? CTR__CAST(size_t, e - s) : strlen(s);
        if (dlen > 0) {
            char *c = CTR__CAST(char *, ctr__alloc(p, dlen + alen + 2));
            if (!c) return -1;
            memcpy(c, s, dlen);
            c[dlen] = '/';
            memcpy(c + dlen + 1, arg0, alen + 1);
            p->exec_paths[p->nexec++] = c;
        }
        if (!e) break;
        s = e + 1;
    }
    return 0;
}

/* The environment: spec.env (with the default PATH added when it has none: a command found
   through PATH should not fail because the caller set TERM), or PATH and HOME. */
static int ctr__plan_env(ctr__plan *p, const ctr_spec *spec) {
    if (spec->env) {
        size_t n = 0;
        if (!(p->envp = ctr__copy_list(p, spec->env, 1))) return -1;
        while (p->envp[n]) n++;
        if (!ctr__env_get(p->envp, "PATH") &&
            !(p->envp[n] = ctr__strdup(
                  p, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")))
            return -1;
    } else {
        static const char *const defaults[] = {
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", NULL};
        p->envp = ctr__copy_list(p, defaults, 0);
    }
    return p->envp ? 0 : -1;
}

static ctr__op *ctr__add_op(ctr__plan *p, size_t cap, ctr_mount_type type, const char *dst) {
    ctr__op *op;
    CONTAINER_ASSERT(p->nops < cap);
    (void)cap;
    op = &p->ops[p->nops++];
    op->type = type;
    op->dst = dst;
    return op;
}

/* rootfs NULL: the host's userland, read-only, on a fresh tmpfs.  Symlinks (merged /usr) are
   recreated as symlinks so /bin -> usr/bin keeps working. */
static int ctr__plan_host_userland(ctr__plan *p, size_t cap, ctr_error *err) {
    static const char *const dirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"};
    size_t i;
    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        struct stat st;
        ctr__op *op;
        if (lstat(dirs[i], &st) != 0) continue;
        if (S_ISLNK(st.st_mode)) {
            char link[PATH_MAX];
            ssize_t n = readlink(dirs[i], link, sizeof(link) - 1);
            if (n < 0) continue;
            link[n] = '\0';
            op = ctr__add_op(p, cap, CTR_MOUNT_SYMLINK, dirs[i]);
            if (!(op->src = ctr__strdup(p, link)))
                return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        } else if (S_ISDIR(st.st_mode)) {
            op = ctr__add_op(p, cap, CTR_MOUNT_BIND, dirs[i]);
            op->src = dirs[i];
            op->src_is_dir = 1;
        }
    }
    return 0;
}

/* A filesystem's source (what /proc/self/mountinfo shows, "none" by default), from ctr_mount's
   source. */
static int ctr__plan_source(ctr__plan *p, const ctr_mount *m, ctr__op *op, ctr_error *err) {
    if (!m->source || !m->source[0]) return 0;
    if (strlen(m->source) > 255 || strchr(m->source, '\n'))
        return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, m->target,
                         "the source of the mount on %s is not a name of at most 255 bytes",
                         m->target);
    if (!(op->src = ctr__strdup(p, m->source)))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    return 0;
}

/* CTR_MOUNT_DEVPTS: data holds the options ("gid=5,mode=620,ptmxmode=666,newinstance"); each
   key=value becomes an fsconfig pair (newinstance is what the new mount API always makes). */
static int ctr__plan_devpts(ctr__plan *p, const ctr_mount *m, ctr__op *op, ctr_error *err) {
    static const char *const keys[] = {"gid", "uid", "mode", "ptmxmode", "max", NULL};
    const char **opts;
    char *buf;
    size_t n = 0, len = m->data
                            ? (m->data_len ? m->data_len : strlen(CTR__CAST(const char *, m->data)))
                            : 0;
    char *s, *save = NULL;
    if (!(buf = CTR__CAST(char *, ctr__alloc(p, len + 1))) ||
        !(opts = CTR__CAST(const char **, ctr__alloc(p, (len / 2 + 3) * 2 * sizeof(char *)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (len) memcpy(buf, m->data, len);
    for (s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(s, '=');
        int k, known = 0;
        if (strcmp(s, "newinstance") == 0) continue;
        if (eq) {
            *eq = '\0';
            for (k = 0; keys[k]; k++) known |= strcmp(s, keys[k]) == 0;
        }
        if (!known || !eq[1])
            return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, m->target,
                             "devpts on %s: option \"%s\" is not one of gid= uid= mode= "
                             "ptmxmode= max= newinstance",
                             m->target, s);
        opts[n++] = s;
        opts[n++] = eq + 1;
    }
    if (op->src) {
        opts[n++] = "source";
        opts[n++] = op->src;
    }
    opts[n] = NULL;
    op->opts = opts;
    return 0;
}

/* A v1 hierarchy's name as /proc/self/cgroup shows it ("cpu,cpuacct", "name=systemd"): its
   super options without the mount options; "" for cgroup2. */
static const char *ctr__cg_key(ctr__plan *p, const char *fstype, const char *super) {
    static const char *const not_ctrl[] = {"rw",
                                           "ro",
                                           "xattr",
                                           "noprefix",
                                           "clone_children",
                                           "cpuset_v2_mode",
                                           "nsdelegate",
                                           "favordynmods",
                                           "memory_localevents",
                                           "memory_recursiveprot",
                                           NULL};
    char *key = CTR__CAST(char *, ctr__alloc(p, strlen(super) + 1));
    const char *s = super;
    size_t n = 0;
    if (!key || strcmp(fstype, "cgroup2") == 0) return key;
    while (*s) {
        size_t len = strcspn(s, ",");
        int i, skip = 0;
        for (i = 0; not_ctrl[i]; i++)
            skip |= strlen(not_ctrl[i]) == len && strncmp(s, not_ctrl[i], len) == 0;
        skip |= strncmp(s, "release_agent=", 14) == 0;
        if (!skip) {
            if (n) key[n++] = ',';
            memcpy(key + n, s, len);
            n += len;
        }
        s += len + (s[len] == ',');
    }
    key[n] = '\0';
    return key;
}

/* CTR_MOUNT_CGROUP: the host's hierarchies under /sys/fs/cgroup (from /proc/self/mountinfo), as
   quadruples directory name ("" for a cgroup2 root), filesystem type, super options, name in
   /proc/self/cgroup; the child mounts each inside the container's cgroup namespace, or without
   one binds the container's own cgroup directory of each. */
static int ctr__plan_cgroup_mount(ctr__plan *p, ctr__op *op, ctr_error *err) {
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[4096];
    const char **opts = NULL;
    size_t n = 0, cap = 0;
    if (!f) return ctr__fail(err, CTR_STEP_MOUNT, errno, "/proc/self/mountinfo", "read mounts");
    while (fgets(line, sizeof(line), f)) {
        char mnt[PATH_MAX], fstype[32], super[512], *dash;
        const char *name;
        if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 || !(dash = strstr(line, " - ")) ||
            sscanf(dash + 3, "%31s %*s %511s", fstype, super) != 2)
            continue;
        if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0) continue;
        if (strcmp(mnt, CTR__CG_ROOT) == 0)
            name = "";
        else if (strncmp(mnt, CTR__CG_ROOT "/", sizeof(CTR__CG_ROOT)) == 0 &&
                 !strchr(mnt + sizeof(CTR__CG_ROOT), '/'))
            name = mnt + sizeof(CTR__CG_ROOT);
        else
            continue;
        if (n + 5 > cap) {
            const char **grown;
            cap = cap ? 2 * cap : 32;
            if (!(grown = CTR__CAST(const char **, ctr__alloc(p, cap * sizeof(char *))))) break;
            if (n) memcpy(grown, opts, n * sizeof(char *));
            opts = grown;
        }
        if (!(opts[n] = ctr__strdup(p, name)) || !(opts[n + 1] = ctr__strdup(p, fstype)) ||
            !(opts[n + 2] = ctr__strdup(p, super)) ||
            !(opts[n + 3] = ctr__cg_key(p, fstype, super)))
            break;
        n += 4;
        opts[n] = NULL;
    }
    fclose(f);
    if (!opts || !opts[0])
        return ctr__fail(err, CTR_STEP_MOUNT, ENOENT, CTR__CG_ROOT,
                         "a cgroup mount for %s: no cgroup filesystem is mounted at %s", op->dst,
                         CTR__CG_ROOT);
    op->opts = opts;
    return 0;
}

static int ctr__validate_mount(ctr__plan *p, const ctr_mount *m, ctr__op *op, ctr_error *err) {
    const char *t = m->target;
    struct stat st;
    if (!t || t[0] != '/')
        return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, t ? t : "",
                         "mount target \"%s\" must be an absolute path", t ? t : "(null)");
    if (!(op->dst = ctr__normalize(p, t)))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, t, "allocate the plan");
    if (strcmp(op->dst, "/") == 0)
        return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, t, "cannot mount on \"/\": use rootfs");
    op->flags = m->flags;
    switch (m->type) {
    case CTR_MOUNT_BIND:
        if (!m->source || m->source[0] != '/')
            return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, m->source ? m->source : "",
                             "bind source \"%s\" must be an absolute host path",
                             m->source ? m->source : "(null)");
        if (stat(m->source, &st) != 0)
            return ctr__fail(err, CTR_STEP_MOUNT, errno, m->source, "bind source %s", m->source);
        if (!(op->src = ctr__strdup(p, m->source)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        op->src_is_dir = S_ISDIR(st.st_mode) ? 1 : 0;
        return 0;
    case CTR_MOUNT_TMPFS:
        if (ctr__plan_source(p, m, op, err) != 0) return -1;
        if (m->size)
            snprintf(op->opt_size, sizeof(op->opt_size), "%llu",
                     CTR__CAST(unsigned long long, m->size));
        snprintf(op->opt_mode, sizeof(op->opt_mode), "%o", m->mode ? m->mode & 07777u : 01777u);
        return 0;
    case CTR_MOUNT_SYMLINK:
        if (!m->source || !m->source[0])
            return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, t,
                             "symlink %s needs a source (what it points to)", t);
        if (!(op->src = ctr__strdup(p, m->source)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        return 0;
    case CTR_MOUNT_DIR: op->mode = m->mode ? m->mode & 07777u : 0755u; return 0;
    case CTR_MOUNT_FILE:
        if (m->data_len && !m->data)
            return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, t, "file %s has data_len but no data", t);
        op->mode = m->mode ? m->mode & 07777u : 0644u;
        if (m->data_len) {
            void *d = ctr__alloc(p, m->data_len);
            if (!d) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
            memcpy(d, m->data, m->data_len);
            op->data = d;
            op->data_len = m->data_len;
        }
        return 0;
    case CTR_MOUNT_DEV:
        if (ctr__plan_source(p, m, op, err) != 0) return -1;
        snprintf(op->opt_size, sizeof(op->opt_size), "%llu",
                 CTR__CAST(unsigned long long, m->size ? m->size : 65536u));
        snprintf(op->opt_mode, sizeof(op->opt_mode), "%o", m->mode ? m->mode & 07777u : 0755u);
        return 0;
    case CTR_MOUNT_DEVPTS:
        return ctr__plan_source(p, m, op, err) != 0 ? -1 : ctr__plan_devpts(p, m, op, err);
    case CTR_MOUNT_CGROUP:
        return ctr__plan_source(p, m, op, err) != 0 ? -1 : ctr__plan_cgroup_mount(p, op, err);
    case CTR_MOUNT_PROC:
    case CTR_MOUNT_MQUEUE:
    case CTR_MOUNT_SYSFS: return ctr__plan_source(p, m, op, err);
    }
    return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, t, "unknown mount type %d for %s",
                     CTR__CAST(int, m->type), t);
}

static int ctr__has_target(const ctr__op *ops, size_t n, const char *dst) {
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(ops[i].dst, dst) == 0) return 1;
    return 0;
}

/* Ops in order: host userland (rootfs NULL), default mounts (unless replaced), the user's mounts. */
static int ctr__plan_mounts(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    size_t cap = 7 + 3 + 2 + spec->nmounts, i, first_user, nuser;
    ctr__op *user;
    if (spec->nmounts && !spec->mounts)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "nmounts is %zu but mounts is NULL",
                         spec->nmounts);
    if (!(p->ops = CTR__CAST(ctr__op *, ctr__alloc(p, cap * sizeof(ctr__op)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (!spec->rootfs && !spec->lowers && ctr__plan_host_userland(p, cap, err) != 0) return -1;
    /* Validate the user's mounts at the end of the array first, so defaults can see their targets. */
    first_user = cap - spec->nmounts;
    for (i = 0; i < spec->nmounts; i++) {
        ctr__op *op = &p->ops[first_user + i];
        op->type = spec->mounts[i].type;
        if (ctr__validate_mount(p, &spec->mounts[i], op, err) != 0) return -1;
    }
    nuser = spec->nmounts;
    user = &p->ops[first_user];
    if (!spec->no_default_mounts) {
        if (!ctr__has_target(user, nuser, "/proc")) ctr__add_op(p, cap, CTR_MOUNT_PROC, "/proc");
        if (!ctr__has_target(user, nuser, "/dev")) {
            ctr__op *dev = ctr__add_op(p, cap, CTR_MOUNT_DEV, "/dev");
            strcpy(dev->opt_size, "65536");
            strcpy(dev->opt_mode, "755");
        }
        if (!ctr__has_target(user, nuser, "/tmp"))
            strcpy(ctr__add_op(p, cap, CTR_MOUNT_TMPFS, "/tmp")->opt_mode, "1777");
    }
    /* Close the gap between the defaults and the user's ops. */
    if (p->ops + p->nops != user) memmove(p->ops + p->nops, user, nuser * sizeof(ctr__op));
    p->nops += nuser;
    /* A network's /etc/resolv.conf and /etc/hosts (net.c), unless mounted by the caller: files
       of the container's own, bound over the image's (or the host's read-only /etc). */
    for (i = 0; i < 2; i++) {
        const char *dst = i ? "/etc/hosts" : "/etc/resolv.conf";
        const char *data = i ? p->net.hosts : p->net.resolv;
        ctr__op *op;
        if (!data || ctr__has_target(p->ops, p->nops, dst)) continue;
        op = ctr__add_op(p, cap, CTR_MOUNT_FILE, dst);
        op->flags = CTR__OP_PRIVATE;
        op->src = "a file of the container's own";
        op->mode = 0644;
        op->data = data;
        op->data_len = strlen(data);
    }
    return 0;
}

static int ctr__plan_rootfs(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    static const char *const attach[] = {"/tmp", "/mnt", "/run", "/var/tmp", "/dev"};
    struct stat st;
    size_t i;
    p->readonly_root = spec->readonly_root ? 1 : 0;
    if (spec->rootfs) {
        char *real;
        if (!spec->rootfs[0])
            return ctr__fail(err, CTR_STEP_ROOTFS, EINVAL, "",
                             "rootfs is an empty string (NULL means the host userland)");
        if (stat(spec->rootfs, &st) != 0)
            return ctr__fail(err, CTR_STEP_ROOTFS, errno, spec->rootfs, "rootfs %s", spec->rootfs);
        if (!S_ISDIR(st.st_mode))
            return ctr__fail(err, CTR_STEP_ROOTFS, ENOTDIR, spec->rootfs,
                             "rootfs %s is not a directory", spec->rootfs);
        if (!(real = realpath(spec->rootfs, NULL)))
            return ctr__fail(err, CTR_STEP_ROOTFS, errno, spec->rootfs, "resolve rootfs %s",
                             spec->rootfs);
        p->rootfs = ctr__strdup(p, real);
        free(real); /* realpath allocates with malloc, whatever CONTAINER_MALLOC is */
        if (!p->rootfs) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        p->attach_at = p->rootfs;
        return ctr__plan_layers(p, spec, err);
    }
    if (ctr__plan_layers(p, spec, err) != 0) return -1;
    for (i = 0; i < sizeof(attach) / sizeof(attach[0]); i++)
        if (stat(attach[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            p->attach_at = attach[i];
            return 0;
        }
    return ctr__fail(err, CTR_STEP_ROOTFS, ENOENT, "/tmp",
                     "no directory to build the root on (tried /tmp /mnt /run /var/tmp /dev)");
}

static int ctr__plan_namespaces(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    unsigned share = spec->share;
    uid_t euid = geteuid();
    if (share & ~CTR_NS_ALL)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "unknown namespace bits 0x%x in share",
                         share & ~CTR_NS_ALL);
    if (spec->new_userns && (share & CTR_NS_USER))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "",
                         "new_userns contradicts sharing CTR_NS_USER");
    p->clone_flags = CLONE_NEWNS;
    if (!(share & CTR_NS_PID)) p->clone_flags |= CLONE_NEWPID;
    if (!(share & CTR_NS_NET)) p->clone_flags |= CLONE_NEWNET;
    if (!(share & CTR_NS_IPC)) p->clone_flags |= CLONE_NEWIPC;
    if (!(share & CTR_NS_UTS)) p->clone_flags |= CLONE_NEWUTS;
    if (!(share & CTR_NS_CGROUP)) p->clone_flags |= CLONE_NEWCGROUP;
    p->net_lo = !(share & CTR_NS_NET);
    /* (uid_t)-1 means "unchanged" to setresuid: the command would keep the caller's uid (root). */
    if (spec->uid == CTR__CAST(uid_t, -1) || spec->gid == CTR__CAST(gid_t, -1))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL,
                         spec->uid == CTR__CAST(uid_t, -1) ? "uid" : "gid",
                         "%s -1 is not an id (to setresuid it means \"leave unchanged\")",
                         spec->uid == CTR__CAST(uid_t, -1) ? "uid" : "gid");
    p->userns = !(share & CTR_NS_USER) && (euid != 0 || spec->new_userns);
    p->uid = spec->uid;
    p->gid = spec->gid;
    if (p->userns) {
        p->clone_flags |= CLONE_NEWUSER;
        snprintf(p->uid_map, sizeof(p->uid_map), "%lu %lu 1\n", CTR__CAST(unsigned long, spec->uid),
                 CTR__CAST(unsigned long, euid));
        snprintf(p->gid_map, sizeof(p->gid_map), "%lu %lu 1\n", CTR__CAST(unsigned long, spec->gid),
                 CTR__CAST(unsigned long, getegid()));
    } else {
        p->set_ids = (euid == 0);
    }
    if (ctr__plan_userns(p, spec, err) != 0) return -1;
    if (spec->hostname && (share & CTR_NS_UTS))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, spec->hostname,
                         "a hostname needs its own UTS namespace, but CTR_NS_UTS is shared");
    if (!(share & CTR_NS_UTS)) {
        const char *h = spec->hostname ? spec->hostname : "container";
        if (strlen(h) > 64)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, h, "hostname is longer than 64 bytes");
        if (!(p->hostname = ctr__strdup(p, h)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    }
    if (spec->time_ns) {
        p->timens = 1;
        snprintf(p->timens_offsets, sizeof(p->timens_offsets),
                 "monotonic %lld 0\nboottime %lld 0\n",
                 CTR__CAST(long long, spec->monotonic_offset_sec),
                 CTR__CAST(long long, spec->boottime_offset_sec));
    }
    return 0;
}

/* Is every component of a cgroup path a plain name (no "", ".", "..")? */
static int ctr__cg_path_ok(const char *path) {
    const char *s = path;
    while (*s) {
        size_t n;
        while (*s == '/') s++;
        n = strcspn(s, "/");
        if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) return 0;
        s += n;
    }
    return 1;
}

/* spec.cgroup_settings: "FILE=VALUE", FILE a plain name with its controller before the first dot
   ("memory.swappiness"), not one of the cgroup's own files (cgroup.procs, cgroup.*). */
static int ctr__plan_cg_settings(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t n = 0, i, k;
    ctr__cg_req *cg = &p->cg;
    while (s->cgroup_settings && s->cgroup_settings[n]) n++;
    if (!n) return 0;
    if (!(cg->settings = CTR__CAST(char **, ctr__alloc(p, 2 * n * sizeof(char *)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = 0; i < n; i++) {
        const char *kv = s->cgroup_settings[i], *eq = strchr(kv, '=');
        size_t len = eq ? CTR__CAST(size_t, eq - kv) : 0;
        char *file;
        int ok = len > 0 && len < 64 && memchr(kv, '.', len) && kv[0] != '.';
        for (k = 0; ok && k < len; k++)
            ok = (kv[k] >= 'a' && kv[k] <= 'z') || (kv[k] >= 'A' && kv[k] <= 'Z') ||
                 (kv[k] >= '0' && kv[k] <= '9') || kv[k] == '_' || kv[k] == '.';
        if (!ok || strncmp(kv, "cgroup.", 7) == 0)
            return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "cgroup_settings",
                             "cgroup_settings[%zu] \"%s\" is not FILE=VALUE with a controller's "
                             "file (memory.swappiness=0)",
                             i, kv);
        if (!(file = CTR__CAST(char *, ctr__alloc(p, len + 1))) ||
            !(cg->settings[2 * i + 1] = ctr__strdup(p, eq + 1)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(file, kv, len);
        cg->settings[2 * i] = file;
    }
    cg->nsettings = n;
    return 0;
}

static int ctr__plan_limits(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t i, n = s->nrlimits;
    int has_core = 0;
    ctr__cg_req *cg = &p->cg;
    /* !(x >= 0) also catches NaN */
    if (!(s->cpus >= 0) || s->cpus > 100000.0)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "cpus",
                         "cpus must be a positive number of CPUs, not %g", s->cpus);
    if (!(s->timeout_sec >= 0) || s->timeout_sec > 1e9)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "timeout_sec",
                         "timeout_sec must be 0..1e9 seconds, not %g", s->timeout_sec);
    p->timeout_ns = s->timeout_sec > 0 ? CTR__CAST(int64_t, s->timeout_sec * 1e9) : 0;
    if (s->timeout_sec > 0 && p->timeout_ns < 1) p->timeout_ns = 1;
    if (s->cpu_weight > 10000 || s->io_weight > 10000)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "weight",
                         "cpu_weight and io_weight must be 1..10000");
    if (n && !s->rlimits)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "rlimits",
                         "nrlimits is %zu but rlimits is NULL", n);
    for (i = 0; i < n; i++) {
        const ctr_rlimit *r = &s->rlimits[i];
        if (r->resource < 0 || r->resource >= RLIM_NLIMITS)
            return ctr__fail(err, CTR_STEP_RLIMIT, EINVAL, "rlimits", "unknown rlimit resource %d",
                             r->resource);
        if (r->soft > r->hard)
            return ctr__fail(err, CTR_STEP_RLIMIT, EINVAL, "rlimits",
                             "rlimit %d: soft limit above the hard limit", r->resource);
        has_core |= r->resource == RLIMIT_CORE;
    }
    /* The one safe default: no core dumps (they would land in the container's files). */
    p->rlimits = CTR__CAST(ctr_rlimit *, ctr__alloc(p, (n + 1) * sizeof(ctr_rlimit)));
    if (!p->rlimits) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (n) memcpy(p->rlimits, s->rlimits, n * sizeof(ctr_rlimit));
    if (!has_core) {
        p->rlimits[n].resource = RLIMIT_CORE;
        p->rlimits[n].soft = p->rlimits[n].hard = 0;
        n++;
    }
    p->nrlimits = n;

    /* The cgroup request. */
    cg->memory_max = s->memory_max;
    cg->memory_swap_max = s->memory_swap_max;
    cg->pids_max = s->pids_max;
    cg->cpus = s->cpus;
    cg->cpu_weight = s->cpu_weight;
    cg->io_weight = s->io_weight;
    {
        int limits = s->memory_max || s->memory_swap_max || s->pids_max || s->cpus > 0 ||
                     s->cpu_weight || s->io_weight || s->cgroup_path ||
                     (s->cgroup_settings && s->cgroup_settings[0]);
        switch (s->cgroup) {
        case CTR_CGROUP_AUTO: cg->wanted = limits; break;
        case CTR_CGROUP_ALWAYS: cg->wanted = cg->always = 1; break;
        case CTR_CGROUP_NEVER:
            if (limits)
                return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "",
                                 "limits (or cgroup_path) were set but cgroup is "
                                 "CTR_CGROUP_NEVER");
            break;
        default:
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "cgroup", "unknown cgroup mode %d",
                             CTR__CAST(int, s->cgroup));
        }
    }
    if (s->cgroup_parent) {
        if (!s->cgroup_parent[0] || !ctr__cg_path_ok(s->cgroup_parent))
            return ctr__fail(
                err, CTR_STEP_CGROUP, EINVAL, s->cgroup_parent,
                "cgroup_parent \"%s\" must name a cgroup without \".\" or \"..\" components",
                s->cgroup_parent);
        if (!(cg->parent = ctr__strdup(p, s->cgroup_parent)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    }
    if (ctr__plan_cg_settings(p, s, err) != 0) return -1;
    if (s->cgroup_path) {
        const char *cp = s->cgroup_path;
        if (s->cgroup_parent)
            return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, cp,
                             "cgroup_path and cgroup_parent exclude each other");
        if (!ctr__cg_path_ok(cp) || strspn(cp, "/") == strlen(cp))
            return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, cp,
                             "cgroup_path \"%s\" must name a cgroup below the root, without "
                             "\".\" or \"..\" components",
                             cp);
        if (!(cg->path = ctr__strdup(p, cp)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    }
    if (cg->wanted) {
        const ctr__cg_backend *be = ctr__cg_host(err);
        if (!be || be->check(cg, err) != 0) return -1;
        /* A cgroup namespace is made after the move into the cgroup, rooted there. */
        if (p->clone_flags & CLONE_NEWCGROUP) {
            p->clone_flags &= ~CTR__CAST(unsigned long, CLONE_NEWCGROUP);
            p->cgroupns = 1;
        }
    }
    return 0;
}

/* A CTR_MOUNT_DEV on /dev among the spec's mounts. */
static int ctr__has_dev(const ctr_spec *spec) {
    size_t i;
    for (i = 0; i < spec->nmounts && spec->mounts; i++)
        if ((spec->mounts[i].type == CTR_MOUNT_DEV && spec->mounts[i].target &&
             strcmp(spec->mounts[i].target, "/dev") == 0) ||
            spec->mounts[i].type == CTR_MOUNT_DEVPTS)
            return 1;
    return 0;
}

/* Stdio per stream: the caller's descriptors are checked here, the pipes made at spawn; the
   terminal; the extra descriptors. */
static int ctr__plan_stdio(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    size_t i, j;
    p->stdio_nonblock = spec->stdio_nonblock ? 1 : 0;
    if (spec->tty) {
        p->tty = 1;
        p->tty_rows = spec->tty_rows ? spec->tty_rows : 24;
        p->tty_cols = spec->tty_cols ? spec->tty_cols : 80;
        if (spec->no_default_mounts && !ctr__has_dev(spec))
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "tty",
                             "tty needs a /dev in the container (a CTR_MOUNT_DEV on /dev) for its "
                             "devpts");
    }
    if (spec->nfds && !spec->fds)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "fds", "nfds is %zu but fds is NULL",
                         spec->nfds);
    if (spec->nfds > CTR__MAX_FDS)
        return ctr__fail(err, CTR_STEP_SPEC, E2BIG, "fds", "at most %d extra descriptors, not %zu",
                         CTR__MAX_FDS, spec->nfds);
    for (i = 0; i < spec->nfds; i++) {
        const ctr_fd *x = &spec->fds[i];
        if (x->container_fd < 3 || x->container_fd > 1048575)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "fds",
                             "fds[%zu]: container_fd %d must be 3 or above (0, 1, 2 are stdio)", i,
                             x->container_fd);
        if (x->host_fd < 0 || fcntl(x->host_fd, F_GETFD) < 0)
            return ctr__fail(err, CTR_STEP_SPEC, EBADF, "fds",
                             "fds[%zu]: host_fd %d is not an open descriptor", i, x->host_fd);
        for (j = 0; j < i; j++)
            if (spec->fds[j].container_fd == x->container_fd)
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "fds",
                                 "fds[%zu] and fds[%zu] are both container fd %d", j, i,
                                 x->container_fd);
    }
    if (spec->nfds) {
        if (!(p->fds = CTR__CAST(ctr_fd *, ctr__alloc(p, spec->nfds * sizeof(ctr_fd)))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(p->fds, spec->fds, spec->nfds * sizeof(ctr_fd));
        p->nfds = spec->nfds;
    }
    for (i = 0; i < 3; i++) {
        p->stdio[i] = spec->stdio[i];
        p->stdio_fd[i] = -1;
        switch (spec->stdio[i]) {
        case CTR_STDIO_INHERIT:
        case CTR_STDIO_NULL:
        case CTR_STDIO_PIPE: break;
        case CTR_STDIO_FD:
            if (spec->stdio_fd[i] < 0 || fcntl(spec->stdio_fd[i], F_GETFD) < 0)
                return ctr__fail(err, CTR_STEP_STDIO, EBADF, "",
                                 "stdio_fd[%d] (%d) is not an open descriptor", CTR__CAST(int, i),
                                 spec->stdio_fd[i]);
            p->stdio_fd[i] = spec->stdio_fd[i];
            break;
        default:
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "stdio[%d] has unknown mode %d",
                             CTR__CAST(int, i), CTR__CAST(int, spec->stdio[i]));
        }
    }
    return 0;
}

/* spec.netns_pool: only where the container cannot change the namespace (no CAP_NET_ADMIN or
   CAP_SYS_ADMIN, /proc/sys read-only) and every process of it is gone when it is reaped (its own
   pid namespace). */
static int ctr__plan_netns_pool(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    const char *why = NULL;
    if (!spec->netns_pool) return 0;
    if (spec->share & CTR_NS_NET)
        why = "the host's network namespace is shared (CTR_NS_NET)";
    else if (spec->share & CTR_NS_PID)
        why = "the pid namespace is shared: processes could outlive the container";
    else if (p->userns)
        why = "the container has a user namespace (the pool's namespaces belong to the host's)";
    else if (p->caps_keep & (CTR_CAP(12) | CTR_CAP(21)))
        why = "the container keeps CAP_NET_ADMIN or CAP_SYS_ADMIN and could reconfigure the "
              "namespace";
    else if (!p->masks)
        why = "no_masks leaves /proc/sys writable, and with it the namespace's sysctls";
    if (why)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "netns_pool", "netns_pool cannot be used: %s",
                         why);
    p->netns_pool = spec->netns_pool;
    return 0;
}

/* The whole plan; on failure the caller frees what was allocated with ctr__plan_free. */
static int ctr__plan_build(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    memset(p, 0, sizeof(*p));
    if (!spec) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "spec is NULL");
    if (!spec->argv || !spec->argv[0] || !spec->argv[0][0])
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "argv",
                         "argv is empty: give the command to run");
    if (ctr__check_argv_size(spec, err) != 0) return -1;
    if (spec->cwd && spec->cwd[0] != '/')
        return ctr__fail(err, CTR_STEP_CWD, EINVAL, spec->cwd,
                         "cwd \"%s\" must be an absolute path", spec->cwd);
    if (ctr__plan_namespaces(p, spec, err) != 0) return -1;
    if (ctr__plan_limits(p, spec, err) != 0) return -1;
    if (ctr__plan_security(p, spec, err) != 0) return -1;
    if (ctr__plan_notify(p, spec, err) != 0 || ctr__plan_landlock(p, spec, err) != 0) return -1;
    if (ctr__plan_netns_pool(p, spec, err) != 0 || ctr__plan_no_network(p, spec, err) != 0)
        return -1;
    if (ctr__plan_stdio(p, spec, err) != 0) return -1;
    if (!(p->argv = ctr__copy_list(p, spec->argv, 0)) || ctr__plan_env(p, spec) != 0 ||
        ctr__plan_exec_paths(p) != 0 || !(p->cwd = ctr__strdup(p, spec->cwd ? spec->cwd : "/")))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (ctr__plan_net(p, spec, err) != 0) return -1;
    if (ctr__plan_rootfs(p, spec, err) != 0) return -1;
    if (ctr__plan_mounts(p, spec, err) != 0) return -1;
    p->init = spec->init ? 1 : 0;
    p->die_with_host = spec->no_die_with_host ? 0 : 1;
    snprintf(p->shm_size_opt, sizeof(p->shm_size_opt), "%llu",
             CTR__CAST(unsigned long long,
                       spec->shm_size ? spec->shm_size : CTR__CAST(uint64_t, 64) << 20));
    return ctr__plan_lifecycle(p, spec, err);
}

/* A CTR_MOUNT_DEV among the plan's ops (a devpts for a terminal). */
static int ctr__plan_has_dev(const ctr__plan *p) {
    size_t i;
    for (i = 0; i < p->nops; i++)
        if (p->ops[i].type == CTR_MOUNT_DEV || p->ops[i].type == CTR_MOUNT_DEVPTS) return 1;
    return 0;
}

/* ctr_exec: the container's policy (manual section 16) holds for the process too: the same
   interception filter, served by the new handle, and the same Landlock rules. */
static int ctr__plan_exec_policy(ctr__plan *p, const ctr__plan *base, ctr_error *err) {
    size_t i;
    if (base->notify_bpf) {
        p->notify_bpf =
            CTR__CAST(ctr__bpf *, ctr__alloc(p, base->notify_bpf_len * sizeof(ctr__bpf)));
        if (!p->notify_bpf)
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(p->notify_bpf, base->notify_bpf, base->notify_bpf_len * sizeof(ctr__bpf));
        p->notify_bpf_len = base->notify_bpf_len;
        p->notify_cookie = base->notify_cookie;
        p->notify_alt = base->notify_alt;
        p->on_syscall = base->on_syscall;
        p->on_syscall_user = base->on_syscall_user;
        p->intercept_manual = base->intercept_manual;
    }
    p->ll_fs = base->ll_fs;
    p->ll_net = base->ll_net;
    p->ll_scope = base->ll_scope;
    if (base->nll) {
        p->ll_rules = CTR__CAST(ctr__ll_rule *, ctr__alloc(p, base->nll * sizeof(ctr__ll_rule)));
        if (!p->ll_rules) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        for (i = 0; i < base->nll; i++) {
            p->ll_rules[i] = base->ll_rules[i];
            if (base->ll_rules[i].path &&
                !(p->ll_rules[i].path = ctr__strdup(p, base->ll_rules[i].path)))
                return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        }
        p->nll = base->nll;
    }
    return 0;
}

/* ctr_exec: the plan of another process in a running container.  What the container decided
   (capabilities, no_new_privs, the filter, rlimits, dying with the host) comes from its plan,
   copied (the exec may outlive the container's handle); namespaces and root are joined. */
static int ctr__plan_exec(ctr__plan *p, const ctr__plan *base, const ctr_exec_spec *x,
                          ctr_error *err) {
    ctr_spec s;
    size_t i;
    memset(p, 0, sizeof(*p));
    if (!x) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "spec is NULL");
    memset(&s, 0, sizeof(s));
    s.argv = x->argv;
    s.env = x->env;
    s.cwd = x->cwd;
    for (i = 0; i < 3; i++) {
        s.stdio[i] = x->stdio[i];
        s.stdio_fd[i] = x->stdio_fd[i];
    }
    s.stdio_nonblock = x->stdio_nonblock;
    s.tty = x->tty;
    s.tty_rows = x->tty_rows;
    s.tty_cols = x->tty_cols;
    s.fds = x->fds;
    s.nfds = x->nfds;
    if (!s.argv || !s.argv[0] || !s.argv[0][0])
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "argv",
                         "argv is empty: give the command to run");
    if (ctr__check_argv_size(&s, err) != 0) return -1;
    if (s.cwd && s.cwd[0] != '/')
        return ctr__fail(err, CTR_STEP_CWD, EINVAL, s.cwd, "cwd \"%s\" must be an absolute path",
                         s.cwd);
    if (x->uid == CTR__CAST(uid_t, -1) || x->gid == CTR__CAST(gid_t, -1))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, x->uid == CTR__CAST(uid_t, -1) ? "uid" : "gid",
                         "%s -1 is not an id", x->uid == CTR__CAST(uid_t, -1) ? "uid" : "gid");
    if (x->tty && !ctr__plan_has_dev(base))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "tty",
                         "tty needs a /dev in the container (a CTR_MOUNT_DEV) for its devpts");
    if (ctr__plan_stdio(p, &s, err) != 0) return -1;
    if (!(p->argv = ctr__copy_list(p, s.argv, 0)) || ctr__plan_env(p, &s) != 0 ||
        ctr__plan_exec_paths(p) != 0 || !(p->cwd = ctr__strdup(p, s.cwd ? s.cwd : "/")))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    p->join = 1;
    p->direct = x->direct_child ? 1 : 0;
    p->uid = x->uid;
    p->gid = x->gid;
    if (x->ngroups) {
        if (!x->groups || base->userns)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "groups",
                             "supplementary groups need a container without a user namespace");
        if (!(p->groups = CTR__CAST(gid_t *, ctr__alloc(p, x->ngroups * sizeof(gid_t)))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(p->groups, x->groups, x->ngroups * sizeof(gid_t));
        p->ngroups = x->ngroups;
    }
    if (x->set_umask) {
        if (x->umask > 0777u)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "umask", "umask 0%o is above 0777",
                             x->umask);
        p->set_umask = 1;
        p->umask = x->umask;
    }
    p->userns = base->userns; /* joined: its maps are written */
    p->set_ids = 1;
    p->caps_keep = base->caps_keep;
    p->caps_ambient = base->caps_ambient;
    p->caps_exact = base->caps_exact;
    p->caps_eff = base->caps_eff;
    p->caps_prm = base->caps_prm;
    p->caps_inh = base->caps_inh;
    p->last_cap = base->last_cap;
    p->nnp = base->nnp;
    p->die_with_host = base->die_with_host;
    if (base->nrlimits) {
        if (!(p->rlimits =
                  CTR__CAST(ctr_rlimit *, ctr__alloc(p, base->nrlimits * sizeof(ctr_rlimit)))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(p->rlimits, base->rlimits, base->nrlimits * sizeof(ctr_rlimit));
        p->nrlimits = base->nrlimits;
    }
    if (base->bpf) {
        if (!(p->bpf = CTR__CAST(ctr__bpf *, ctr__alloc(p, base->bpf_len * sizeof(ctr__bpf)))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(p->bpf, base->bpf, base->bpf_len * sizeof(ctr__bpf));
        p->bpf_len = base->bpf_len;
    }
    return ctr__plan_exec_policy(p, base, err);
}
