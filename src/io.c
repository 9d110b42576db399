/* io.c - the host's side of a container's streams: ctr_write (no SIGPIPE), ctr_wait_io (one wait
   for readable, writable, exited or deadline), the pseudo-terminal's master, and ctr_run (to
   completion, with input and captured output).  Parent side only. */
#include "internal.h"

static int ctr__in_fd(const ctr_container *c) { return c->tty >= 0 ? c->tty : c->stdio[0]; }
static int ctr__out_fd(const ctr_container *c) { return c->tty >= 0 ? c->tty : c->stdio[1]; }

/* write(2) that never raises SIGPIPE in the host: the signal is blocked for the calling thread
   while it writes, and one the write raised is taken off the thread's pending set (unless one
   was pending before).  The caller's cancellation state applies during the write alone. */
static ssize_t ctr__write_nosig(int fd, const void *buf, size_t len, int cancel_state) {
    sigset_t pipe_set, old, pending;
    ssize_t w;
    int e, was_pending, ignored;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigemptyset(&pending);
    (void)sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    pthread_setcancelstate(cancel_state, &ignored);
    do w = write(fd, buf, len);
    while (w < 0 && errno == EINTR);
    e = errno;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &ignored);
    if (w < 0 && e == EPIPE && !was_pending) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {}
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return w;
}

CONTAINER_API ssize_t ctr_write(ctr_container *c, const void *buf, size_t len, ctr_error *err) {
    int old = ctr__nocancel_begin(), fd;
    ssize_t w;
    ctr__clear_error(err);
    if (!c || (!buf && len)) {
        ctr__nocancel_end(old);
        return ctr__fail(err, CTR_STEP_STDIO, EINVAL, "", "container or buffer is NULL");
    }
    if ((fd = ctr__in_fd(c)) < 0) {
        ctr__nocancel_end(old);
        return ctr__fail(err, CTR_STEP_STDIO, EBADF, "",
                         "the container's stdin is not a pipe or terminal of the library's "
                         "(or was closed)");
    }
    w = ctr__write_nosig(fd, buf, len, old);
    if (w < 0)
        ctr__fail(err, CTR_STEP_STDIO, errno, "", "write to the container's stdin%s",
                  errno == EPIPE ? " (nothing reads it any more)" : "");
    ctr__nocancel_end(old);
    return w;
}

static int ctr__io_wait(ctr_container *c, unsigned want, int timeout_ms, unsigned *ready,
                        int cancel_state, ctr_error *err) {
    struct pollfd pfd[4];
    unsigned ev[4];
    int n = 0, i, r, ignored;
    int64_t now = ctr__now_ns();
    *ready = 0;
    if ((want & CTR_IO_EXIT) && c->reaped) *ready |= CTR_IO_EXIT;
    if ((want & CTR_IO_DEADLINE) && c->deadline_ns && now >= c->deadline_ns)
        *ready |= CTR_IO_DEADLINE;
    if (*ready) timeout_ms = 0;
    if ((want & CTR_IO_DEADLINE) && c->deadline_ns && !*ready) {
        int64_t left = (c->deadline_ns - now + 999999) / 1000000;
        if (timeout_ms < 0 || left < timeout_ms)
            timeout_ms = left > INT_MAX ? INT_MAX : CTR__CAST(int, left);
    }
#define CTR__IO_ADD(fd_, events_, bit)      \
    do {                                    \
        if ((want & (bit)) && (fd_) >= 0) { \
            pfd[n].fd = (fd_);              \
            pfd[n].events = (events_);      \
            pfd[n].revents = 0;             \
            ev[n++] = (bit);                \
        }                                   \
    } while (0)
    CTR__IO_ADD(ctr__in_fd(c), POLLOUT, CTR_IO_STDIN);
    CTR__IO_ADD(ctr__out_fd(c), POLLIN, CTR_IO_STDOUT);
    CTR__IO_ADD(c->tty >= 0 ? -1 : c->stdio[2], POLLIN, CTR_IO_STDERR);
    if (!c->reaped) CTR__IO_ADD(c->pidfd, POLLIN, CTR_IO_EXIT);
#undef CTR__IO_ADD
    pthread_setcancelstate(cancel_state, &ignored);
    r = poll(pfd, CTR__CAST(nfds_t, n), timeout_ms);
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &ignored);
    if (r < 0 && errno != EINTR) return ctr__fail(err, CTR_STEP_WAIT, errno, "", "poll");
    for (i = 0; r > 0 && i < n; i++)
        if (pfd[i].revents) *ready |= ev[i];
    if ((want & CTR_IO_DEADLINE) && c->deadline_ns && ctr__now_ns() >= c->deadline_ns)
        *ready |= CTR_IO_DEADLINE;
    return 0;
}

CONTAINER_API int ctr_wait_io(ctr_container *c, unsigned want, int timeout_ms, unsigned *ready,
                              ctr_error *err) {
    unsigned dummy;
    int old = ctr__nocancel_begin(), r;
    ctr__clear_error(err);
    if (!ready) ready = &dummy;
    *ready = 0;
    if (!c)
        r = ctr__fail(err, CTR_STEP_WAIT, EINVAL, "", "container is NULL");
    else
        r = ctr__io_wait(c, want, timeout_ms, ready, old, err);
    ctr__nocancel_end(old);
    return r;
}

CONTAINER_API int ctr_tty_fd(const ctr_container *c) { return c ? c->tty : -1; }

CONTAINER_API int ctr_resize(ctr_container *c, unsigned rows, unsigned cols, ctr_error *err) {
    struct winsize ws;
    ctr__clear_error(err);
    if (!c || c->tty < 0)
        return ctr__fail(err, CTR_STEP_STDIO, EINVAL, "",
                         "the container has no terminal (spec.tty)");
    if (rows == 0 || cols == 0 || rows > 0xffff || cols > 0xffff)
        return ctr__fail(err, CTR_STEP_STDIO, EINVAL, "", "a terminal of %u x %u", rows, cols);
    memset(&ws, 0, sizeof(ws));
    ws.ws_row = CTR__CAST(unsigned short, rows);
    ws.ws_col = CTR__CAST(unsigned short, cols);
    if (ioctl(c->tty, TIOCSWINSZ, &ws) != 0)
        return ctr__fail(err, CTR_STEP_STDIO, errno, "", "resize the container's terminal");
    return 0;
}

CONTAINER_API void ctr_output_free(ctr_output *output) {
    if (!output) return;
    if (output->out) CONTAINER_FREE(output->out);
    if (output->err) CONTAINER_FREE(output->err);
    memset(output, 0, sizeof(*output));
}

/* One captured stream of ctr_run. */
typedef struct ctr__sink {
    char **buf;
    size_t *len;
    int *truncated;
    size_t cap; /* bytes allocated */
    size_t max; /* 0 = no cap */
    int open;
} ctr__sink;

/* Reads what is there (the fd is non-blocking); closes the stream at EOF.  0, or -1 with errno
   (ENOMEM). */
static int ctr__sink_read(ctr_container *c, int stream, ctr__sink *s) {
    char tmp[65536];
    for (;;) {
        ssize_t r = read(c->stdio[stream], tmp, sizeof(tmp));
        size_t keep;
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) return 0;
        if (r <= 0) { /* EOF (or an error: nothing more will come) */
            ctr__close(&c->stdio[stream]);
            s->open = 0;
            return 0;
        }
        keep = CTR__CAST(size_t, r);
        if (s->max && *s->len + keep > s->max) {
            keep = s->max - *s->len;
            *s->truncated = 1;
        }
        if (*s->len + keep + 1 > s->cap) {
            size_t cap = s->cap ? s->cap : 4096;
            char *b;
            while (cap < *s->len + keep + 1) cap *= 2;
            if (s->max && cap > s->max + 1) cap = s->max + 1;
            if (!(b = CTR__CAST(char *, CONTAINER_MALLOC(cap)))) {
                errno = ENOMEM;
                return -1;
            }
            if (*s->buf) {
                memcpy(b, *s->buf, *s->len);
                CONTAINER_FREE(*s->buf);
            }
            *s->buf = b;
            s->cap = cap;
        }
        memcpy(*s->buf + *s->len, tmp, keep);
        *s->len += keep;
        (*s->buf)[*s->len] = '\0';
    }
}

static int ctr__run(const ctr_spec *spec, const void *input, size_t input_len, size_t max_output,
                    ctr_output *o, ctr_result *res, ctr_error *err) {
    ctr_spec s;
    ctr_container *c;
    ctr__sink sink[3];
    const char *in = CTR__CAST(const char *, input);
    size_t fed = 0;
    int exited = 0, i, rc = 0;
    s = *spec;
    s.stdio[0] = input_len ? CTR_STDIO_PIPE : CTR_STDIO_NULL;
    s.stdio[1] = s.stdio[2] = CTR_STDIO_PIPE;
    s.stdio_nonblock = 1;
    s.tty = 0;
    if (ctr_spawn(&s, &c, err) != 0) return -1;
    memset(sink, 0, sizeof(sink));
    sink[1].buf = &o->out;
    sink[1].len = &o->out_len;
    sink[1].truncated = &o->out_truncated;
    sink[2].buf = &o->err;
    sink[2].len = &o->err_len;
    sink[2].truncated = &o->err_truncated;
    for (i = 1; i < 3; i++) {
        sink[i].max = max_output;
        sink[i].open = 1;
    }
    while (!exited || sink[1].open || sink[2].open) {
        unsigned want = CTR_IO_DEADLINE, ready = 0;
        if (c->stdio[0] >= 0) want |= CTR_IO_STDIN;
        if (sink[1].open) want |= CTR_IO_STDOUT;
        if (sink[2].open) want |= CTR_IO_STDERR;
        if (!exited) want |= CTR_IO_EXIT;
        if (ctr__io_wait(c, want, exited ? 0 : -1, &ready, PTHREAD_CANCEL_DISABLE, err) != 0) {
            rc = -1;
            break;
        }
        if (ready & CTR_IO_STDIN) {
            size_t chunk = input_len - fed > 65536 ? 65536 : input_len - fed;
            ssize_t w = ctr__write_nosig(c->stdio[0], in + fed, chunk, PTHREAD_CANCEL_DISABLE);
            if (w > 0) fed += CTR__CAST(size_t, w);
            /* all of it, or the command will not read more (it closed stdin, or exited) */
            if (fed == input_len || (w < 0 && errno != EAGAIN)) ctr__close(&c->stdio[0]);
        }
        for (i = 1; i < 3; i++)
            if (sink[i].open && (exited || (ready & (i == 1 ? CTR_IO_STDOUT : CTR_IO_STDERR))) &&
                ctr__sink_read(c, i, &sink[i]) != 0) {
                ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "store the container's output");
                rc = -1;
            }
        if (rc) break;
        if (exited) break; /* drained what was there after the exit */
        if (ready & CTR_IO_DEADLINE) {
            if (ctr__expire(c, err) < 0) {
                rc = -1;
                break;
            }
            exited = 1;
        } else if (ready & CTR_IO_EXIT) {
            exited = 1;
        }
    }
    if (rc == 0 && ctr_wait(c, res, err) != 0) rc = -1;
    ctr_destroy(c);
    if (rc != 0) ctr_output_free(o);
    return rc;
}

CONTAINER_API int ctr_run(const ctr_spec *spec, const void *input, size_t input_len,
                          size_t max_output, ctr_output *output, ctr_result *res, ctr_error *err) {
    int old, rc;
    ctr__clear_error(err);
    if (res) memset(res, 0, sizeof(*res));
    if (output) memset(output, 0, sizeof(*output));
    if (!spec || !output)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "spec or output is NULL");
    if (input_len && !input)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "input_len is %zu but input is NULL",
                         input_len);
    old = ctr__nocancel_begin();
    rc = ctr__run(spec, input, input_len, max_output, output, res, err);
    ctr__nocancel_end(old);
    return rc;
}
