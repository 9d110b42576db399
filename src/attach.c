/* attach.c - the lifecycle functions of manual section 14: ctr_start lets a created container
   (wait_start) exec its command, ctr_release lets a handle go without killing the container, and
   ctr_attach makes a handle for a container another process made, from its pid, its cgroup path
   and its start FIFO, so that a short-lived front end (an OCI runtime's create, start, kill,
   pause, delete commands) can act on it later. */
#include "internal.h"

/* Field 22 of /proc/PID/stat: the start time in clock ticks after boot (the comm field, in
   parentheses, may hold spaces: count from its closing one). */
CONTAINER_API uint64_t ctr_proc_start_time(pid_t pid) {
    char path[64], buf[1024];
    const char *s;
    ssize_t n;
    int fd, field, old = ctr__nocancel_begin();
    uint64_t v = 0;
    snprintf(path, sizeof(path), "/proc/%ld/stat", CTR__CAST(long, pid));
    fd = pid > 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0) close(fd);
    if (n > 0) {
        buf[n] = '\0';
        if ((s = strrchr(buf, ')')) != NULL) {
            for (field = 2; *s && field < 22; s++)
                if (*s == ' ') field++;
            if (field == 22) v = CTR__CAST(uint64_t, strtoull(s, NULL, 10));
        }
    }
    ctr__nocancel_end(old);
    return v;
}

/* After ctr_start: EOF on the exec pipe (the command has exec'd), or the child's error record
   (the exec failed; it exits).  Waits with poll, never for another process's EOF: the pipe was
   made in the child, so no other process holds its write end. */
static int ctr__exec_verdict(ctr_container *c, ctr_error *err) {
    ctr_error report;
    for (;;) {
        struct pollfd pfd;
        ssize_t r = read(c->execfd, &report, sizeof(report));
        if (r == CTR__CAST(ssize_t, sizeof(report))) {
            report.path[sizeof(report.path) - 1] = '\0';
            report.msg[sizeof(report.msg) - 1] = '\0';
            ctr__finish_msg(&report);
            if (err) *err = report;
            return -1;
        }
        if (r == 0) return 0;
        if (r > 0)
            return ctr__fail(err, CTR_STEP_EXEC, EPROTO, "", "a short report from the container");
        if (errno != EINTR && errno != EAGAIN)
            return ctr__fail(err, CTR_STEP_EXEC, errno, "", "read the container's exec pipe");
        pfd.fd = c->execfd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (errno == EAGAIN && poll(&pfd, 1, -1) < 0 && errno != EINTR)
            return ctr__fail(err, CTR_STEP_EXEC, errno, "", "wait for the container's exec");
    }
}

CONTAINER_API int ctr_start(ctr_container *c, ctr_error *err) {
    int old, rc = 0;
    ssize_t w;
    ctr__clear_error(err);
    if (!c) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "container is NULL");
    if (c->startfd < 0)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "",
                         "the container is not waiting for its start (no wait_start, or "
                         "started already)");
    old = ctr__nocancel_begin();
    do w = write(c->startfd, "g", 1);
    while (w < 0 && errno == EINTR);
    if (w != 1) {
        rc = ctr__fail(err, CTR_STEP_EXEC, w < 0 ? errno : EIO, "", "tell the container to start");
    } else {
        ctr__close(&c->startfd);
        if (c->execfd >= 0) {
            rc = ctr__exec_verdict(c, err);
            ctr__close(&c->execfd);
        }
    }
    ctr__nocancel_end(old);
    return rc;
}

CONTAINER_API int ctr_release(ctr_container *c, ctr_error *err) {
    int old, i;
    ctr__clear_error(err);
    if (!c) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "container is NULL");
    if (!c->attached && c->plan.die_with_host)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "",
                         "the container would die with this thread: spawn it with "
                         "no_die_with_host to release it");
    if (c->netns_pool)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "",
                         "a container borrowing from a netns pool cannot be released");
    old = ctr__nocancel_begin();
    /* What ctr__container_free does, but for the process and its cgroup: a shim on our memory
       keeps its stack (it is leaked, and the shim goes on using it). */
    c->shim_stack = NULL;
    ctr__close(&c->startfd);
    ctr__close(&c->execfd);
    ctr__close(&c->pidfd);
    ctr__close(&c->cmd_pidfd);
    ctr__close(&c->statusfd);
    ctr__close(&c->tty);
    for (i = 0; i < 3; i++) ctr__close(&c->stdio[i]);
    ctr__close(&c->cg.dirfd);
    CONTAINER_FREE(c->cg.dir);
    for (i = 0; i < CTR__V1_N; i++) CONTAINER_FREE(c->cg.v1[i]);
    ctr__plan_free(&c->plan);
    CONTAINER_FREE(c);
    ctr__nocancel_end(old);
    return 0;
}

static int ctr__attach(const ctr_attach_spec *a, ctr_container **out, ctr_error *err) {
    ctr_container *c;
    ctr__cg_req req;
    if (!out) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "out is NULL");
    *out = NULL;
    if (!a || a->pid <= 0) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "no pid to attach to");
    if (!(c = ctr__container_new()))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the container handle");
    c->attached = 1;
    c->pid = c->child_pid = a->pid;
    c->start_ns = ctr__now_ns();
    /* The pidfd first, then the start time: if the pid was reused between the two, the start
       time tells. */
    c->pidfd = ctr__sys_int(syscall(SYS_pidfd_open, a->pid, 0));
    if (c->pidfd < 0 || ctr__lift(&c->pidfd) != 0 || fcntl(c->pidfd, F_SETFD, FD_CLOEXEC) != 0 ||
        (a->start_time && ctr_proc_start_time(a->pid) != a->start_time)) {
        int e = c->pidfd < 0 || a->start_time ? ESRCH : errno;
        ctr__container_free(c);
        return ctr__fail(err, CTR_STEP_CLONE, e, "", "no container process %ld",
                         CTR__CAST(long, a->pid));
    }
    if (a->spec) { /* the plan, for ctr_exec (nothing is made) */
        ctr_spec s = *a->spec;
        s.cgroup_path = NULL;
        s.cgroup_parent = NULL;
        s.cgroup = CTR_CGROUP_AUTO;
        s.memory_max = s.memory_swap_max = s.pids_max = 0;
        s.cpus = 0;
        s.cpu_weight = s.io_weight = 0;
        s.start_fifo = NULL;
        s.wait_start = 0;
        s.netns_pool = NULL;
        if (ctr__plan_build(&c->plan, &s, err) != 0) {
            ctr__container_free(c);
            return -1;
        }
    }
    c->plan.die_with_host = 0;
    if (a->cgroup_path && a->cgroup_path[0]) {
        memset(&req, 0, sizeof(req));
        req.wanted = req.existing = 1;
        req.path = a->cgroup_path;
        if (ctr__cg_create(&c->cg, &req, err) != 0) {
            ctr__cg_init(&c->cg); /* not ours to remove */
            ctr__container_free(c);
            return -1;
        }
    }
    if (a->start_fifo) {
        /* Non-blocking: ENXIO when nobody reads it any more (started, or gone). */
        c->startfd = open(a->start_fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (c->startfd < 0 && errno != ENXIO && errno != ENOENT) {
            int e = errno;
            c->cg.be = NULL;
            ctr__container_free(c);
            return ctr__fail(err, CTR_STEP_SPEC, e, a->start_fifo, "open the start FIFO %s",
                             a->start_fifo);
        }
    }
    *out = c;
    return 0;
}

CONTAINER_API int ctr_attach(const ctr_attach_spec *a, ctr_container **out, ctr_error *err) {
    int old = ctr__nocancel_begin(), rc;
    ctr__clear_error(err);
    rc = ctr__attach(a, out, err);
    ctr__nocancel_end(old);
    return rc;
}
