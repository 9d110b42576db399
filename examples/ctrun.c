/* ctrun - run a command in its own Linux container; an example program for container.h.

       ctrun [OPTIONS] [--] COMMAND [ARG...]          (ctrun --help lists the options)

   The options fill one ctr_spec; ctr_spawn() starts the container, and ctrun waits on its pidfd,
   forwarding SIGINT, SIGTERM and SIGHUP with ctr_kill() until it exits.  Exit status as a shell's:
   the command's, 128+N for signal N, 125 for a setup failure, 126/127 for a command that cannot
   run / does not exist. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, getopt_long; g++ defines it already */
#endif
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_SETUP = 125, EXIT_CANNOT_RUN = 126, EXIT_NOT_FOUND = 127 };

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char usage_text[] =
    "usage: ctrun [OPTIONS] [--] COMMAND [ARG...]\n"
    "Run COMMAND in its own Linux container: new mount, pid, uts, ipc, net and cgroup namespaces,\n"
    "plus a user namespace when ctrun is not run as root.\n"
    "\n"
    "Filesystem (mounts are applied in order, after the default /proc, /dev and /tmp):\n"
    "  --rootfs DIR          DIR becomes the root (default: a tmpfs root with the host's\n"
    "                        /usr /bin /sbin /lib* /etc bound read-only)\n"
    "  --ro                  make the root read-only\n"
    "  --bind SRC:DST        bind the host path SRC on DST, writable\n"
    "  --ro-bind SRC:DST     bind the host path SRC on DST, read-only\n"
    "  --tmpfs DST[:SIZE]    mount a tmpfs on DST; SIZE in bytes or with a k, m or g suffix\n"
    "  --dir DST             create the directory DST\n"
    "  --symlink TARGET:DST  create the symlink DST pointing to TARGET\n"
    "  --proc DST            mount the container's proc on DST\n"
    "  --dev DST             mount a minimal /dev on DST\n"
    "  --no-default-mounts   do not mount /proc, /dev and a tmpfs on /tmp\n"
    "  A mount on /proc, /dev or /tmp replaces the default one.  DST and TARGET are paths\n"
    "  inside the container; SRC is a host path.  Each argument is split at its first ':'.\n"
    "\n"
    "Process:\n"
    "  --hostname NAME       the container's hostname (default: container)\n"
    "  --cwd DIR             working directory (default: /)\n"
    "  --env K=V             repeatable.  The host's environment never reaches the container:\n"
    "                        without --env the command gets only\n"
    "                        " DEFAULT_PATH "\n"
    "                        and HOME=/; with --env it gets exactly the variables given, plus\n"
    "                        that PATH and HOME=/ if you did not set PATH or HOME yourself\n"
    "  --uid N, --gid N      run as uid N and gid N inside the container (default: 0)\n"
    "  --init                run a tiny init as pid 1 that reaps zombies and forwards signals\n"
    "\n"
    "Namespaces:\n"
    "  --net none|host       none (default): a new network namespace with only loopback;\n"
    "                        host: share the host's network namespace\n"
    "  --share NS            share the host's namespace NS instead of creating one: user, pid,\n"
    "                        net, ipc, uts or cgroup; repeatable\n"
    "  --userns              when run as root, create a user namespace anyway\n"
    "  -h, --help            show this help\n"
    "\n"
    "ctrun forwards SIGINT, SIGTERM and SIGHUP to the container.  Without --init the command is\n"
    "pid 1, which ignores every signal it has no handler for.\n"
    "\n"
    "Exit status: the command's; 128+N if it was killed by signal N; 125 if the container could\n"
    "not be set up or the usage is wrong; 126 if the command exists but cannot be run; 127 if it\n"
    "does not exist.\n";

typedef struct options {
    ctr_spec spec;
    ctr_mount *mounts;   /* one slot per command-line argument: always enough */
    const char **env;    /* likewise, plus PATH, HOME and the terminating NULL */
    size_t nenv;
} options;

#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 1, 2)))
#endif
static void die(const char *fmt, ...);

/* Bad usage or no memory: one line on stderr, exit status 125. */
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("ctrun: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_SETUP);
}

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n, size);
    if (!p)
        die("calloc: %s", strerror(errno));
    return p;
}

/* ---- option parsing ---- */

/* "A:B" -> returns B and cuts arg down to A (in place: argv strings are ours to modify). */
static char *split_pair(const char *opt, char *arg) {
    char *colon = strchr(arg, ':');
    if (!colon || colon == arg || !colon[1])
        die("%s: expected two non-empty parts separated by ':', got '%s'", opt, arg);
    *colon = '\0';
    return colon + 1;
}

static ctr_mount *add_mount(options *o, ctr_mount_type type, const char *source,
                            const char *target, unsigned flags) {
    ctr_mount *m = &o->mounts[o->spec.nmounts++];
    m->type = type;
    m->source = source;
    m->target = target;
    m->flags = flags;
    return m;
}

/* --bind, --ro-bind and --symlink: "SOURCE:TARGET". */
static void add_pair(options *o, ctr_mount_type type, const char *opt, char *arg, unsigned flags) {
    const char *target = split_pair(opt, arg);
    add_mount(o, type, arg, target, flags);
}

/* "64m" -> 64 << 20.  Digits with an optional k, m or g suffix (either case). */
static uint64_t parse_size(const char *s) {
    static const char units[] = "kmg";
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    const char *unit = *end ? strchr(units, tolower((unsigned char)*end)) : NULL;
    int shift = unit ? 10 * (int)(unit - units + 1) : 0;
    if (unit)
        end++;
    if (!isdigit((unsigned char)s[0]) || errno || *end || n > (UINT64_MAX >> shift))
        die("--tmpfs: bad size '%s' (a number with an optional k, m or g suffix)", s);
    return (uint64_t)n << shift;
}

static void add_tmpfs(options *o, char *arg) {
    const char *size = strchr(arg, ':') ? split_pair("--tmpfs", arg) : NULL;
    ctr_mount *m = add_mount(o, CTR_MOUNT_TMPFS, NULL, arg, 0);
    if (size)
        m->size = parse_size(size);
}

static unsigned parse_id(const char *opt, const char *s) {
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 10);
    if (!isdigit((unsigned char)s[0]) || errno || *end || n >= 0xffffffffUL)
        die("%s: expected a number from 0 to 4294967294, got '%s'", opt, s);
    return (unsigned)n;
}

static unsigned parse_namespace(const char *name) {
    static const char *const names[] = {"user", "pid", "net", "ipc", "uts", "cgroup"};
    static const unsigned bits[] = {CTR_NS_USER, CTR_NS_PID, CTR_NS_NET,
                                    CTR_NS_IPC, CTR_NS_UTS, CTR_NS_CGROUP};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return bits[i];
    die("--share: unknown namespace '%s' (user, pid, net, ipc, uts or cgroup)", name);
}

static void set_net(options *o, const char *arg) {
    if (strcmp(arg, "host") == 0)
        o->spec.share |= CTR_NS_NET;
    else if (strcmp(arg, "none") != 0)
        die("--net: expected none or host, got '%s'", arg);
}

static void add_env(options *o, const char *arg) {
    if (!strchr(arg, '=') || arg[0] == '=')
        die("--env: expected K=V, got '%s'", arg);
    o->env[o->nenv++] = arg;
}

static int env_has(const options *o, const char *prefix) {
    for (size_t i = 0; i < o->nenv; i++)
        if (strncmp(o->env[i], prefix, strlen(prefix)) == 0)
            return 1;
    return 0;
}

/* With --env: the variables given, plus the default PATH and HOME unless given. */
static void finish_env(options *o) {
    if (o->nenv == 0)
        return; /* spec.env = NULL: the library's defaults, PATH and HOME=/ */
    int has_path = env_has(o, "PATH="), has_home = env_has(o, "HOME=");
    if (!has_path)
        o->env[o->nenv++] = DEFAULT_PATH;
    if (!has_home)
        o->env[o->nenv++] = "HOME=/";
    o->env[o->nenv] = NULL;
    o->spec.env = o->env;
}

enum {
    OPT_ROOTFS = 256, OPT_RO, OPT_BIND, OPT_RO_BIND, OPT_TMPFS, OPT_DIR, OPT_SYMLINK, OPT_PROC,
    OPT_DEV, OPT_NO_DEFAULT_MOUNTS, OPT_HOSTNAME, OPT_CWD, OPT_ENV, OPT_UID, OPT_GID, OPT_INIT,
    OPT_NET, OPT_SHARE, OPT_USERNS
};

static const struct option long_options[] = {
    {"rootfs", required_argument, NULL, OPT_ROOTFS},
    {"ro", no_argument, NULL, OPT_RO},
    {"bind", required_argument, NULL, OPT_BIND},
    {"ro-bind", required_argument, NULL, OPT_RO_BIND},
    {"tmpfs", required_argument, NULL, OPT_TMPFS},
    {"dir", required_argument, NULL, OPT_DIR},
    {"symlink", required_argument, NULL, OPT_SYMLINK},
    {"proc", required_argument, NULL, OPT_PROC},
    {"dev", required_argument, NULL, OPT_DEV},
    {"no-default-mounts", no_argument, NULL, OPT_NO_DEFAULT_MOUNTS},
    {"hostname", required_argument, NULL, OPT_HOSTNAME},
    {"cwd", required_argument, NULL, OPT_CWD},
    {"env", required_argument, NULL, OPT_ENV},
    {"uid", required_argument, NULL, OPT_UID},
    {"gid", required_argument, NULL, OPT_GID},
    {"init", no_argument, NULL, OPT_INIT},
    {"net", required_argument, NULL, OPT_NET},
    {"share", required_argument, NULL, OPT_SHARE},
    {"userns", no_argument, NULL, OPT_USERNS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}
};

static void handle_option(options *o, int opt, char *arg) {
    switch (opt) {
    case OPT_ROOTFS:   o->spec.rootfs = arg; break;
    case OPT_RO:       o->spec.readonly_root = 1; break;
    case OPT_BIND:     add_pair(o, CTR_MOUNT_BIND, "--bind", arg, CTR_MOUNT_RW); break;
    case OPT_RO_BIND:  add_pair(o, CTR_MOUNT_BIND, "--ro-bind", arg, 0); break;
    case OPT_TMPFS:    add_tmpfs(o, arg); break;
    case OPT_DIR:      add_mount(o, CTR_MOUNT_DIR, NULL, arg, 0); break;
    case OPT_SYMLINK:  add_pair(o, CTR_MOUNT_SYMLINK, "--symlink", arg, 0); break;
    case OPT_PROC:     add_mount(o, CTR_MOUNT_PROC, NULL, arg, 0); break;
    case OPT_DEV:      add_mount(o, CTR_MOUNT_DEV, NULL, arg, 0); break;
    case OPT_NO_DEFAULT_MOUNTS: o->spec.no_default_mounts = 1; break;
    case OPT_HOSTNAME: o->spec.hostname = arg; break;
    case OPT_CWD:      o->spec.cwd = arg; break;
    case OPT_ENV:      add_env(o, arg); break;
    case OPT_UID:      o->spec.uid = (uid_t)parse_id("--uid", arg); break;
    case OPT_GID:      o->spec.gid = (gid_t)parse_id("--gid", arg); break;
    case OPT_INIT:     o->spec.init = 1; break;
    case OPT_NET:      set_net(o, arg); break;
    case OPT_SHARE:    o->spec.share |= parse_namespace(arg); break;
    case OPT_USERNS:   o->spec.new_userns = 1; break;
    case 'h':          fputs(usage_text, stdout); exit(0);
    }
}

/* Fills *o from argv and returns the index of COMMAND.  Bad usage exits with 125. */
static int parse_args(int argc, char **argv, options *o) {
    memset(o, 0, sizeof *o);
    o->mounts = (ctr_mount *)xcalloc((size_t)argc, sizeof *o->mounts);
    o->env = (const char **)xcalloc((size_t)argc + 3, sizeof *o->env);
    o->spec.mounts = o->mounts;
    opterr = 0; /* our own one-line messages instead of getopt's */
    int opt;
    /* '+': stop at COMMAND, so its own options are left alone; ':': report a missing argument. */
    while ((opt = getopt_long(argc, argv, "+:h", long_options, NULL)) != -1) {
        if (opt == ':')
            die("%s: missing argument (see ctrun --help)", argv[optind - 1]);
        if (opt == '?')
            die("%s: unknown option (see ctrun --help)", argv[optind - 1]);
        handle_option(o, opt, optarg);
    }
    if (optind >= argc)
        die("missing COMMAND (see ctrun --help)");
    finish_env(o);
    return optind;
}

static void free_options(options *o) {
    free(o->mounts);
    free(o->env);
}

/* ---- running ---- */

/* One line: "ctrun: STEP: PATH: MESSAGE" (PATH left out when the error has none). */
static void report(const ctr_error *err) {
    if (err->path[0])
        fprintf(stderr, "ctrun: %s: %s: %s\n", ctr_step_name(err->step), err->path, err->msg);
    else
        fprintf(stderr, "ctrun: %s: %s\n", ctr_step_name(err->step), err->msg);
}

/* Like a shell: 127 when the command does not exist, 126 when it cannot run, else 125. */
static int spawn_failure_status(const ctr_error *err) {
    if (err->step != CTR_STEP_EXEC)
        return EXIT_SETUP;
    return err->sys_errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
}

/* The handler only writes the signal number to a pipe; the main loop does the ctr_kill(). */
static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig) {
    int saved_errno = errno;
    unsigned char byte = (unsigned char)sig;
    if (write(signal_pipe[1], &byte, 1) < 0) {
        /* the pipe is full: this signal is dropped, the earlier ones are still pending */
    }
    errno = saved_errno;
}

/* Installed once the container runs.  Until then, and if the pipe cannot be made, the signals
   keep their default action: ctrun dies, and the container with it (die-with-host is the
   library's default). */
static void catch_signals(void) {
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

static void forward_pending_signals(ctr_container *c) {
    unsigned char sig;
    while (read(signal_pipe[0], &sig, 1) == 1)
        ctr_kill(c, sig, NULL); /* fails only once the container has exited */
}

/* Polls the container's pidfd and the signal pipe until the container exits. */
static void wait_forwarding_signals(ctr_container *c) {
    struct pollfd fds[2];
    fds[0].fd = ctr_pidfd(c);
    fds[0].events = POLLIN;
    fds[1].fd = signal_pipe[0];
    fds[1].events = POLLIN;
    while (fds[0].fd >= 0) {
        fds[0].revents = fds[1].revents = 0;
        if (poll(fds, 2, -1) < 0 && errno != EINTR)
            return;
        if (fds[1].revents & POLLIN)
            forward_pending_signals(c);
        if (fds[0].revents)
            return;
    }
}

int main(int argc, char **argv) {
    options o;
    int command = parse_args(argc, argv, &o);
    o.spec.argv = (const char *const *)(argv + command);

    ctr_container *c;
    ctr_error err;
    int spawned = ctr_spawn(&o.spec, &c, &err);
    free_options(&o); /* the spec only has to live until ctr_spawn returns */
    if (spawned != 0) {
        report(&err);
        return spawn_failure_status(&err);
    }
    catch_signals();
    wait_forwarding_signals(c);

    ctr_result res;
    int status = EXIT_SETUP;
    if (ctr_wait(c, &res, &err) != 0)
        report(&err);
    else
        status = res.signaled ? 128 + res.term_signal : res.exit_code;
    ctr_destroy(c);
    return status;
}
