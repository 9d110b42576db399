/* util.c - helpers for the parent side: errors, descriptors, paths, time, the plan's allocator.
   ctr__fail is for the parent (it may format with snprintf); the child has its own
   allocation-free builder (ctr__c_die), and the parent completes that message on arrival. */
#include "internal.h"

static const char *const ctr__step_names[] = {
#define CTR__STEP_STR(name, str) str,
    CTR__STEPS(CTR__STEP_STR)
#undef CTR__STEP_STR
};

CONTAINER_API const char *ctr_step_name(ctr_step step) {
    if (CTR__CAST(unsigned, step) >= CTR__CAST(unsigned, CTR_STEP_COUNT)) return "unknown";
    return ctr__step_names[step];
}

/* Bounded copy that always terminates (strlcpy without the return value). */
static void ctr__strlcpy(char *dst, const char *src, size_t size) {
    size_t n = 0;
    if (size == 0) return;
    if (src)
        for (; n + 1 < size && src[n]; n++) dst[n] = src[n];
    dst[n] = '\0';
}

static const char *ctr__strerror(int e, char *buf, size_t size) {
#if defined(__GLIBC__)
    return strerror_r(e, buf, size); /* the GNU variant: returns the string */
#else
    if (strerror_r(e, buf, size) != 0) snprintf(buf, size, "errno %d", e);
    return buf;
#endif
}

/* A likely cause for common failures, or NULL. */
static const char *ctr__hint(ctr_step step, int e) {
    if (e == ENOSYS)
        return "this kernel lacks a needed system call: container.h needs Linux 5.12 or newer";
    if (step == CTR_STEP_CLONE && (e == EPERM || e == ENOSPC || e == EUSERS))
        return "creating namespaces was refused: run as root, or enable unprivileged user "
               "namespaces "
               "(sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone, "
               "kernel.apparmor_restrict_unprivileged_userns)";
    if (step == CTR_STEP_CGROUP && (e == EACCES || e == EPERM || e == EROFS))
        return "cgroup limits need root, a cgroup delegated to this user, or cgroup_parent set to "
               "a cgroup "
               "this user owns";
    if (step == CTR_STEP_USERNS && e == EPERM)
        return "only the caller's own uid and gid can be mapped without root";
    return NULL;
}

/* Appends s to buf (holding len bytes), truncating; returns the new length.  Pure, so the child
   uses it too. */
static size_t ctr__append(char *buf, size_t size, size_t len, const char *s) {
    while (s && *s && len + 1 < size) buf[len++] = *s++;
    buf[len] = '\0';
    return len;
}

/* Appends ": <strerror>" (and a hint) to an error whose msg holds the action.  The message is one
   line whatever the spec held: a control character it quotes (a newline in a path) becomes '?'
   (err->path keeps the bytes). */
static void ctr__finish_msg(ctr_error *err) {
    char ebuf[128], *c;
    const char *hint;
    size_t n;
    for (c = err->msg; *c; c++)
        if (CTR__CAST(unsigned char, *c) < 0x20 || *c == 0x7f) *c = '?';
    if (err->sys_errno == 0) return;
    hint = ctr__hint(err->step, err->sys_errno);
    n = strlen(err->msg);
    n = ctr__append(err->msg, sizeof(err->msg), n, ": ");
    n = ctr__append(err->msg, sizeof(err->msg), n,
                    ctr__strerror(err->sys_errno, ebuf, sizeof(ebuf)));
    if (hint) {
        n = ctr__append(err->msg, sizeof(err->msg), n, " (hint: ");
        n = ctr__append(err->msg, sizeof(err->msg), n, hint);
        ctr__append(err->msg, sizeof(err->msg), n, ")");
    }
}

/* The child's end of the error report (child.c and mount.c; the rules of child.c apply: raw
   system calls only). */
static void ctr__c_exit(int code) {
    for (;;) syscall(SYS_exit_group, code);
}

/* One report to the host.  Once the interception filter is in place (notify.c), the call must
   not wait for the host: with write intercepted it is a pwritev2 whose offset's high word (which
   the kernel ignores on 64-bit: the offset is -1, "the current position") carries the cookie. */
static long ctr__c_report(const ctr__launch *l, int fd, void *buf, size_t len) {
    struct iovec iov;
    if (!l->notify_armed || !(l->plan->notify_alt & CTR__NOTIFY_PWRITEV2))
        return ctr__r_write(fd, buf, len);
    iov.iov_base = buf;
    iov.iov_len = len;
    return syscall(SYS_pwritev2, fd, &iov, 1, ~CTR__CAST(uint64_t, 0), l->plan->notify_cookie, 0);
}

/* Reports a failed step to the parent (one atomic write of a ctr_error; the parent appends the
   errno text) and exits.  The message is the concatenation of a, b, c, d.  Without an error pipe
   (the command started by init) the report goes over the status pipe as a CTR__MSG_ERROR. */
static void ctr__c_die(const ctr__launch *l, ctr_step step, int e, const char *path, const char *a,
                       const char *b, const char *c, const char *d) {
    ctr__status_msg m;
    size_t n = 0;
    long w;
    memset(&m, 0, sizeof(m));
    m.kind = CTR__MSG_ERROR;
    m.err.step = step;
    m.err.sys_errno = e;
    ctr__append(m.err.path, sizeof(m.err.path), 0, path);
    n = ctr__append(m.err.msg, sizeof(m.err.msg), n, a);
    n = ctr__append(m.err.msg, sizeof(m.err.msg), n, b);
    n = ctr__append(m.err.msg, sizeof(m.err.msg), n, c);
    ctr__append(m.err.msg, sizeof(m.err.msg), n, d);
    do {
        if (l->errfd >= 0)
            w = ctr__c_report(l, l->errfd, &m.err, sizeof(m.err));
        else
            w = ctr__c_report(l, l->statusfd, &m, sizeof(m));
    } while (w < 0 && errno == EINTR);
    if (w < 0 && errno == EPIPE && l->plan->wait_start) {
        /* started by another process, and nobody reads the exec pipe: the container's stderr */
        char line[sizeof(m.err.msg) + 24], num[12];
        size_t k = 0, len;
        int v = e;
        do num[k++] = CTR__CAST(char, '0' + v % 10);
        while ((v /= 10) > 0 && k < sizeof(num));
        len = ctr__append(line, sizeof(line), 0, m.err.msg);
        len = ctr__append(line, sizeof(line), len, " (errno ");
        while (k > 0 && len + 3 < sizeof(line)) line[len++] = num[--k];
        line[len] = '\0';
        len = ctr__append(line, sizeof(line), len, ")\n");
        (void)ctr__c_report(l, 2, line, len);
    }
    if (l->notify_armed) /* the status is an int: the cookie rides in the upper half */
        for (;;)
            syscall(SYS_exit_group,
                    CTR__CAST(uint64_t, 127) | (l->plan->notify_cookie >> 32 << 32));
    ctr__c_exit(127);
}

/* Parent-side failure: fills *err (if any) and returns -1.  The action is a printf format. */
static int ctr__fail(ctr_error *err, ctr_step step, int e, const char *path, const char *fmt, ...) {
    va_list ap;
    if (!err) return -1;
    err->step = step;
    err->sys_errno = e;
    ctr__strlcpy(err->path, path ? path : "", sizeof(err->path));
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    ctr__finish_msg(err);
    return -1;
}

static void ctr__clear_error(ctr_error *err) {
    if (!err) return;
    err->step = CTR_STEP_NONE;
    err->sys_errno = 0;
    err->path[0] = '\0';
    err->msg[0] = '\0';
}

static void ctr__fdmsg(struct msghdr *msg, struct iovec *iov, char *tag, void *cm, int n,
                       const int *fds) {
    struct cmsghdr *c;
    size_t len = CTR__CAST(size_t, n) * sizeof(int);
    memset(msg, 0, sizeof(*msg));
    memset(cm, 0, CMSG_SPACE(len));
    iov->iov_base = tag;
    iov->iov_len = 1;
    msg->msg_iov = iov;
    msg->msg_iovlen = 1;
    msg->msg_control = cm;
    msg->msg_controllen = CMSG_SPACE(len);
    if (!fds) return;
    c = CMSG_FIRSTHDR(msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(len);
    memcpy(CMSG_DATA(c), fds, len);
}

static int ctr__fdmsg_fds(struct msghdr *msg, int *fds, int max) {
    struct cmsghdr *c;
    int n = 0;
    for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            n = CTR__CAST(int, (c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            if (n > max) n = max;
            memcpy(fds, CMSG_DATA(c), CTR__CAST(size_t, n) * sizeof(int));
        }
    return n;
}

/* Closes *fd if open and marks it closed; keeps errno. */
static void ctr__close(int *fd) {
    if (*fd >= 0) {
        int saved = errno;
        /* errno is put back only if close changed it: a vfork-style child (clone.c) shares the
           calling thread's errno while it sets up, and a write of the old value here, between
           one of its system calls and its look at errno, would undo its own. */
        if (close(*fd) != 0) errno = saved;
        *fd = -1;
    }
}

/* Moves a new fd of ours off 0..2: when the caller has stdin/stdout/stderr closed, pipe2 and
   open return those numbers, and the child would then take our pipe for an inherited stream. */
static int ctr__lift(int *fd) {
    int hi;
    if (*fd < 0 || *fd > 2) return 0;
    if ((hi = fcntl(*fd, F_DUPFD_CLOEXEC, 3)) < 0) return -1;
    ctr__close(fd);
    *fd = hi;
    return 0;
}

/* A close-on-exec pipe with both ends above 2. */
static int ctr__pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    if (ctr__lift(&fds[0]) == 0 && ctr__lift(&fds[1]) == 0) return 0;
    ctr__close(&fds[0]);
    ctr__close(&fds[1]);
    return -1;
}

/* out = a sep b; -1 with ENAMETOOLONG if it does not fit. */
static int ctr__join(char *out, size_t size, const char *a, const char *sep, const char *b) {
    int n = snprintf(out, size, "%s%s%s", a, sep, b);
    if (n < 0 || CTR__CAST(size_t, n) >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* a "/" b (or a copy of a when b is NULL), allocated with CONTAINER_MALLOC. */
static char *ctr__pathdup(const char *a, const char *b) {
    size_t la = strlen(a), lb = b ? strlen(b) : 0;
    char *s = CTR__CAST(char *, CONTAINER_MALLOC(la + lb + 2));
    if (!s) return NULL;
    memcpy(s, a, la);
    if (b) {
        s[la] = '/';
        memcpy(s + la + 1, b, lb + 1);
    } else {
        s[la] = '\0';
    }
    return s;
}

static int64_t ctr__now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return CTR__CAST(int64_t, ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

static void ctr__sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static int ctr__nocancel_begin(void) {
    int old = PTHREAD_CANCEL_ENABLE;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    return old;
}

static void ctr__nocancel_end(int old) {
    int ignored;
    pthread_setcancelstate(old, &ignored);
}

/* The plan's allocator: one malloc per allocation, chained for ctr__plan_free; the header keeps
   max alignment; the memory is zeroed. */
static void *ctr__alloc(ctr__plan *p, size_t n) {
    size_t head = (sizeof(ctr__chunk) + 15u) & ~CTR__CAST(size_t, 15u);
    char *mem = CTR__CAST(char *, CONTAINER_MALLOC(head + n));
    ctr__chunk *c;
    if (!mem) return NULL;
    c = CTR__CAST(ctr__chunk *, CTR__CAST(void *, mem));
    c->next = p->chunks;
    p->chunks = c;
    memset(mem + head, 0, n);
    return mem + head;
}

static void ctr__plan_free(ctr__plan *p) {
    while (p->chunks) {
        ctr__chunk *next = p->chunks->next;
        CONTAINER_FREE(p->chunks);
        p->chunks = next;
    }
}

static char *ctr__strdup(ctr__plan *p, const char *s) {
    size_t n = strlen(s) + 1;
    char *d = CTR__CAST(char *, ctr__alloc(p, n));
    if (d) memcpy(d, s, n);
    return d;
}

/* "/a//b/./c/../d/" -> "/a/b/d": lexical, ".." stops at "/".  Returns NULL on ENOMEM. */
static char *ctr__normalize(ctr__plan *p, const char *path) {
    size_t n = strlen(path), o = 0, i = 0;
    char *out = CTR__CAST(char *, ctr__alloc(p, n + 2));
    if (!out) return NULL;
    while (i < n) {
        size_t start, len;
        while (i < n && path[i] == '/') i++;
        start = i;
        while (i < n && path[i] != '/') i++;
        len = i - start;
        if (len == 0 || (len == 1 && path[start] == '.')) continue;
        if (len == 2 && path[start] == '.' && path[start + 1] == '.') {
            while (o > 0 && out[o - 1] != '/') o--;
            if (o > 0) o--;
            continue;
        }
        out[o++] = '/';
        memcpy(out + o, path + start, len);
        o += len;
    }
    if (o == 0) out[o++] = '/';
    out[o] = '\0';
    return out;
}
