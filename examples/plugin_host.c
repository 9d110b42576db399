/* plugin_host - a host that keeps N untrusted plugins running in containers and talks to them,
   in one thread and one epoll loop.

       plugin_host [-n N] [-s SECONDS] [--mix] [-q]

   Each plugin is this program run as "plugin_host --plugin KIND" in a container of its own
   (the host's userland read-only, no network, 64 MiB and 32 processes where a cgroup can be
   made, as uid 65534 when run by root).  The host sends numbered request lines over the
   plugin's stdin and expects "ok REQUEST" back on its stdout, a few requests in flight per
   plugin.  With --mix some plugins misbehave: one crashes (SIGSEGV), one stops answering, one
   floods its output, one stops reading its input, one exits early.  The host notices each -
   the exit through the container's pidfd, a flood by the bytes per second, a hang by a request
   that waits more than 2 s (stopped reading when its stdin pipe is full of what it did not
   read) - kills it and starts it again, without ever blocking: the pipes are non-blocking and
   ctr_write never raises SIGPIPE.  Every second it prints the plugins alive and the messages
   per second; Ctrl-C (or -s SECONDS) ends it: every container is destroyed, and the last line
   says whether anything was left.

       plugin_host: 8 plugins alive, 41234 msgs/s, 12 restarts (crash 3, hang 2, flood 3,
       stopped reading 2, exited 2), nothing left

   Build: make build/plugin_host */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

enum { ECHO, CRASH, HANG, FLOOD, STOPREAD, EARLY, KINDS };
static const char *const kind_names[KINDS] = {"echo",  "crash",    "hang",
                                              "flood", "stopread", "early"};

/* ---- the plugins (in their containers) ---- */

static int plugin_main(const char *kind_name) {
    char line[4096];
    int kind = 0, answered = 0;
    while (kind < KINDS && strcmp(kind_names[kind], kind_name) != 0) kind++;
    if (kind == KINDS) return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    while (fgets(line, sizeof line, stdin)) {
        if (kind == STOPREAD && answered == 2) pause(); /* never reads again */
        printf("ok %s", line);
        if (++answered < 3) continue;
        switch (kind) {
        case CRASH: *(volatile int *)0 = 1; break;
        case HANG: /* reads on, answers no more */
            while (fgets(line, sizeof line, stdin)) {}
            return 0;
        case FLOOD:
            for (;;)
                fputs("garbage garbage garbage garbage garbage garbage garbage garbage\n", stdout);
        case EARLY: return 0;
        default: break;
        }
    }
    return 0;
}

/* ---- the host ---- */

typedef struct plugin {
    int kind;
    ctr_container *c;
    char in[8192]; /* bytes to write to its stdin */
    size_t in_len;
    char out[8192]; /* a partial reply line */
    size_t out_len;
    unsigned long next, answered; /* request numbers: sent, and answered so far */
    double oldest;                /* when the oldest unanswered request was sent */
    double restart_at;            /* down: when to start it again (a failing plugin waits 0.5 s) */
    double window;                /* the start of the current second */
    size_t window_bytes;          /* bytes of lines that were not answers, read in it */
} plugin;

static plugin *g_plugins;
static int g_n, g_ep, g_quiet, g_cgroups = 1;
static char g_self[PATH_MAX];
static unsigned long g_msgs, g_restarts[KINDS + 1];
enum { WHY_CRASH, WHY_HANG, WHY_FLOOD, WHY_STOPREAD, WHY_EXIT };
static const char *const why_names[] = {"crash", "hang", "flood", "stopped reading", "exited"};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* epoll data: plugin index * 4 + which (0 stdin, 1 stdout, 2 pidfd) */
static void watch(int fd, uint32_t events, int i, int which, int op) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = (uint64_t)i * 4 + (uint64_t)which;
    if (epoll_ctl(g_ep, op, fd, &ev) != 0 && op != EPOLL_CTL_DEL) {
        perror("plugin_host: epoll_ctl");
        exit(1);
    }
}

static void start(int i) {
    plugin *p = &g_plugins[i];
    char *argv[] = {"/plugin", "--plugin", (char *)kind_names[p->kind], NULL};
    ctr_mount m;
    ctr_spec s;
    ctr_error err;
    memset(&m, 0, sizeof m);
    m.type = CTR_MOUNT_BIND; /* this program, read-only: the plugin */
    m.source = g_self;
    m.target = "/plugin";
    memset(&s, 0, sizeof s);
    s.argv = (const char *const *)argv;
    s.mounts = &m;
    s.nmounts = 1;
    s.stdio[0] = s.stdio[1] = CTR_STDIO_PIPE;
    s.stdio[2] = CTR_STDIO_NULL;
    s.stdio_nonblock = 1;
    if (geteuid() == 0) s.uid = s.gid = 65534;
    if (g_cgroups) {
        s.memory_max = 64 << 20;
        s.pids_max = 32;
    }
    if (ctr_spawn(&s, &p->c, &err) != 0 && err.step == CTR_STEP_CGROUP && g_cgroups) {
        g_cgroups = 0; /* no cgroup for this user: run without limits, and say so */
        fprintf(stderr, "plugin_host: %s; plugins run without memory and process limits\n",
                err.msg);
        s.memory_max = s.pids_max = 0;
        if (ctr_spawn(&s, &p->c, &err) == 0) goto started;
    } else if (p->c) {
        goto started;
    }
    fprintf(stderr, "plugin_host: start plugin %d: %s\n", i, err.msg);
    exit(1);
started:
    p->in_len = p->out_len = 0;
    p->next = p->answered = 0;
    p->window = now();
    p->window_bytes = 0;
    watch(ctr_stdio_fd(p->c, 1), EPOLLIN, i, 1, EPOLL_CTL_ADD);
    watch(ctr_pidfd(p->c), EPOLLIN, i, 2, EPOLL_CTL_ADD);
    watch(ctr_stdio_fd(p->c, 0), 0, i, 0, EPOLL_CTL_ADD);
}

static void stop(int i) {
    plugin *p = &g_plugins[i];
    if (!p->c) return;
    watch(ctr_stdio_fd(p->c, 1), 0, i, 1, EPOLL_CTL_DEL);
    watch(ctr_pidfd(p->c), 0, i, 2, EPOLL_CTL_DEL);
    if (ctr_stdio_fd(p->c, 0) >= 0) watch(ctr_stdio_fd(p->c, 0), 0, i, 0, EPOLL_CTL_DEL);
    ctr_destroy(p->c); /* kills what still runs, reaps, removes its cgroup */
    p->c = NULL;
}

static void restart(int i, int why, const char *detail) {
    g_restarts[why]++;
    if (!g_quiet)
        printf("plugin %d (%s): %s%s%s; restarting\n", i, kind_names[g_plugins[i].kind],
               why_names[why], detail ? ": " : "", detail ? detail : "");
    stop(i);
    g_plugins[i].restart_at = now() + 0.5;
}

/* Writes what is queued; keeps EPOLLOUT on only while something waits. */
static void flush(int i) {
    plugin *p = &g_plugins[i];
    int fd = ctr_stdio_fd(p->c, 0);
    if (fd < 0) return;
    while (p->in_len > 0) {
        ssize_t w = ctr_write(p->c, p->in, p->in_len, NULL);
        if (w <= 0) break; /* EAGAIN: full; EPIPE: it is gone, the pidfd tells */
        memmove(p->in, p->in + w, p->in_len - (size_t)w);
        p->in_len -= (size_t)w;
    }
    watch(fd, p->in_len ? EPOLLOUT : 0, i, 0, EPOLL_CTL_MOD);
}

/* Up to 4 requests in flight per plugin. */
static void send_requests(int i) {
    plugin *p = &g_plugins[i];
    while (p->next - p->answered < 4 && p->in_len + 64 < sizeof p->in) {
        if (p->next == p->answered) p->oldest = now();
        p->in_len +=
            (size_t)snprintf(p->in + p->in_len, sizeof p->in - p->in_len, "req %lu\n", p->next++);
    }
    flush(i);
}

static void receive(int i) {
    plugin *p = &g_plugins[i];
    char buf[65536];
    ssize_t r;
    while ((r = read(ctr_stdio_fd(p->c, 1), buf, sizeof buf)) > 0) {
        double t = now();
        if (t - p->window >= 1) {
            p->window = t;
            p->window_bytes = 0;
        }
        for (ssize_t k = 0; k < r; k++) {
            if (p->out_len == sizeof p->out - 1) {
                restart(i, WHY_FLOOD, "a line longer than 8 KiB");
                return;
            }
            p->out[p->out_len++] = buf[k];
            if (buf[k] != '\n') continue;
            p->out[p->out_len] = '\0';
            unsigned long n;
            if (sscanf(p->out, "ok req %lu", &n) == 1 && n == p->answered) {
                p->answered++;
                p->oldest = now();
                g_msgs++;
            } else if ((p->window_bytes += p->out_len) > 256 * 1024) {
                restart(i, WHY_FLOOD, "more than 256 KiB a second of lines that are not answers");
                return;
            }
            p->out_len = 0;
        }
    }
    send_requests(i);
}

static void exited(int i) {
    plugin *p = &g_plugins[i];
    ctr_result res;
    char detail[64];
    if (ctr_poll(p->c, &res, NULL) != 1) return;
    if (res.signaled) {
        snprintf(detail, sizeof detail, "killed by signal %d", res.term_signal);
        restart(i, WHY_CRASH, detail);
    } else {
        snprintf(detail, sizeof detail, "exit status %d", res.exit_code);
        restart(i, WHY_EXIT, detail);
    }
}

/* A request unanswered for 2 s: it hangs, or (input left in its pipe) stopped reading. */
static void check_hangs(void) {
    double t = now();
    for (int i = 0; i < g_n; i++) {
        plugin *p = &g_plugins[i];
        int unread = 0;
        if (!p->c || p->next == p->answered || t - p->oldest < 2) continue;
        if (ctr_stdio_fd(p->c, 0) >= 0) ioctl(ctr_stdio_fd(p->c, 0), FIONREAD, &unread);
        if (unread > 0 || p->in_len > 0)
            restart(i, WHY_STOPREAD, "its input is left unread");
        else
            restart(i, WHY_HANG, "no answer for 2 s");
    }
}

static unsigned long restarts(void) {
    unsigned long n = 0;
    for (int k = 0; k <= WHY_EXIT; k++) n += g_restarts[k];
    return n;
}

static void status(int alive, double seconds, unsigned long msgs) {
    printf(
        "plugin_host: %d plugins alive, %.0f msgs/s, %lu restarts (crash %lu, hang %lu, flood %lu, "
        "stopped reading %lu, exited %lu)",
        alive, seconds > 0 ? (double)msgs / seconds : 0.0, restarts(), g_restarts[WHY_CRASH],
        g_restarts[WHY_HANG], g_restarts[WHY_FLOOD], g_restarts[WHY_STOPREAD],
        g_restarts[WHY_EXIT]);
}

int main(int argc, char **argv) {
    double seconds = 0, t0, last;
    unsigned long last_msgs = 0;
    int mix = 0, sfd;
    sigset_t sigs;
    if (argc == 3 && strcmp(argv[1], "--plugin") == 0) return plugin_main(argv[2]);
    g_n = 8;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            g_n = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--mix"))
            mix = 1;
        else if (!strcmp(argv[i], "-q"))
            g_quiet = 1;
        else {
            fprintf(stderr, "usage: plugin_host [-n N] [-s SECONDS] [--mix] [-q]\n");
            return 2;
        }
    }
    if (g_n < 1 || g_n > 1000) return 2;
    if (!realpath("/proc/self/exe", g_self)) {
        perror("plugin_host: /proc/self/exe");
        return 1;
    }
    /* Ctrl-C and SIGTERM through a signalfd in the loop */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    if ((sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK)) < 0 ||
        (g_ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        perror("plugin_host");
        return 1;
    }
    struct epoll_event sev = {EPOLLIN, {.u64 = UINT64_MAX}};
    epoll_ctl(g_ep, EPOLL_CTL_ADD, sfd, &sev);
    g_plugins = calloc((size_t)g_n, sizeof *g_plugins);
    for (int i = 0; i < g_n; i++) {
        g_plugins[i].kind = mix ? i % KINDS : ECHO;
        start(i);
        send_requests(i);
    }
    t0 = last = now();
    for (int done = 0; !done;) {
        struct epoll_event ev[64];
        int n = epoll_wait(g_ep, ev, 64, 100);
        for (int k = 0; k < n; k++) {
            if (ev[k].data.u64 == UINT64_MAX) {
                done = 1; /* Ctrl-C */
                continue;
            }
            int i = (int)(ev[k].data.u64 / 4), which = (int)(ev[k].data.u64 % 4);
            if (!g_plugins[i].c) continue;
            if (which == 0)
                flush(i);
            else if (which == 1)
                receive(i);
            else
                exited(i);
        }
        check_hangs();
        double t = now();
        for (int i = 0; i < g_n; i++)
            if (!g_plugins[i].c && t >= g_plugins[i].restart_at) {
                start(i);
                send_requests(i);
            }
        if (t - last >= 1) {
            if (!g_quiet) {
                int alive = 0;
                for (int i = 0; i < g_n; i++) alive += g_plugins[i].c != NULL;
                status(alive, t - last, g_msgs - last_msgs);
                printf("\n");
                fflush(stdout);
            }
            last = t;
            last_msgs = g_msgs;
        }
        if (seconds > 0 && t - t0 >= seconds) done = 1;
    }
    double elapsed = now() - t0;
    int alive = 0;
    for (int i = 0; i < g_n; i++) alive += g_plugins[i].c != NULL;
    for (int i = 0; i < g_n; i++) stop(i);
    /* Nothing left: no child process of ours (containers, shims) */
    int left = 0;
    while (waitpid(-1, NULL, WNOHANG | __WALL) > 0) left++;
    errno = 0;
    if (waitpid(-1, NULL, WNOHANG | __WALL) == 0) left++;
    status(alive, elapsed, g_msgs);
    if (left)
        printf(", %d processes left\n", left);
    else
        printf(", nothing left\n");
    return left ? 1 : 0;
}
