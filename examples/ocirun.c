/* ocirun - an OCI runtime (the command line of runc and crun) on container.h, so that Podman,
   containerd (and through it Kubernetes) and CRI-O run their containers with the library.

       ocirun [global options] COMMAND [options] ID

   Commands: create, start, state, kill, delete, run, exec, ps, pause, resume, list, spec,
   features; --version, --help.  The manual (container.h, section 15) has the guide: Podman's
   --runtime and containers.conf, containerd's runc shim (BinaryName, ctr run --runc-binary),
   CRI-O and Kubernetes RuntimeClass.

   How it maps on the library: create spawns the container with direct_child (the container's
   process is our child, so the engine's subreaper inherits it when we exit), wait_start (set up
   completely, its execve waiting) and a start FIFO in the state directory, writes the state,
   runs the hooks and releases the handle (ctr_release).  Every later command attaches to it by
   pid, start time and cgroup (ctr_attach): start writes the FIFO (ctr_start), kill signals,
   pause and resume freeze the cgroup, exec joins it (ctr_exec), delete kills what is left and
   removes the cgroup and the state.  config.json is read by examples/ocirun/oci_config.c.

   Build: make build/ocirun (needs libjson-c-dev and libseccomp-dev). */
#define CONTAINER_IMPLEMENTATION
#include "container.h"
#include "ocirun/oci_config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define OCIRUN_VERSION "0.1.0"

/* ---- global options, logging ---- */

static const char *g_root = NULL;
static const char *g_log = NULL;
static int g_log_json = 0;
static int g_systemd_cgroup = 0;
static const char *g_failed_create; /* create in progress: die() removes ROOT/ID */
static void remove_state_dir(const char *id);

static void log_line(const char *level, const char *msg) {
    FILE *f;
    if (!g_log || !(f = fopen(g_log, "ae"))) return;
    if (g_log_json) {
        char ts[64];
        time_t t = time(NULL);
        struct tm tm;
        json_object *o = json_object_new_object();
        gmtime_r(&t, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_object_add(o, "level", json_object_new_string(level));
        json_object_object_add(o, "msg", json_object_new_string(msg));
        json_object_object_add(o, "time", json_object_new_string(ts));
        fprintf(f, "%s\n",
                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    } else {
        fprintf(f, "ocirun: %s: %s\n", level, msg);
    }
    fclose(f);
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2), noreturn))
#endif
static void
die(const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "ocirun: %s\n", msg);
    log_line("error", msg);
    if (g_failed_create) remove_state_dir(g_failed_create);
    exit(1);
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void
warn(const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "ocirun: warning: %s\n", msg);
    log_line("warning", msg);
}

/* ---- the state directory: ROOT/ID/{state.json, exec.fifo}, locked with flock on ROOT/ID ---- */

typedef struct state {
    char id[256];
    char bundle[PATH_MAX];
    char cgroup[PATH_MAX]; /* cgroup path given to the library, "" for none */
    char created[64];
    pid_t pid;
    uint64_t start_time;
    int started;
    int systemd;
    json_object *annotations; /* owned */
} state;

static void check_id(const char *id) {
    size_t i, n = strlen(id);
    if (n == 0 || n > 200 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        die("invalid container ID \"%s\"", id);
    for (i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
              (id[i] >= '0' && id[i] <= '9') || strchr("_+-.", id[i])))
            die("invalid container ID \"%s\" (letters, digits, _ + - . only)", id);
}

/* Root of the initial user namespace (not root in a rootless engine's user namespace)? */
static int real_root(void) {
    char buf[128] = "";
    FILE *f = fopen("/proc/self/uid_map", "re");
    unsigned long a = 1, b = 1, n = 0;
    if (f) {
        if (fgets(buf, sizeof(buf), f)) sscanf(buf, "%lu %lu %lu", &a, &b, &n);
        fclose(f);
    }
    return geteuid() == 0 && a == 0 && b == 0 && n == 4294967295ul;
}

static const char *root_dir(void) {
    static char buf[PATH_MAX];
    const char *x;
    if (g_root) return g_root;
    if (real_root() || !(x = getenv("XDG_RUNTIME_DIR")) || !x[0]) return "/run/ocirun";
    snprintf(buf, sizeof(buf), "%s/ocirun", x);
    return buf;
}

static void state_path(char *out, size_t size, const char *id, const char *file) {
    if (snprintf(out, size, "%s/%s%s%s", root_dir(), id, file ? "/" : "", file ? file : "") >=
        (int)size)
        die("state path too long");
}

static void mkdir_p(const char *dir, mode_t mode) {
    char p[PATH_MAX];
    char *s;
    snprintf(p, sizeof(p), "%s", dir);
    for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        if (mkdir(p, 0711) != 0 && errno != EEXIST) die("mkdir %s: %s", p, strerror(errno));
        *s = '/';
    }
    if (mkdir(p, mode) != 0 && errno != EEXIST) die("mkdir %s: %s", p, strerror(errno));
}

/* Locks ROOT/ID (shared or exclusive); the fd, or -1 if there is no such container. */
static int lock_container(const char *id, int op) {
    char dir[PATH_MAX];
    int fd;
    state_path(dir, sizeof(dir), id, NULL);
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        if (errno == ENOENT) return -1;
        die("open %s: %s", dir, strerror(errno));
    }
    while (flock(fd, op) != 0)
        if (errno != EINTR) die("lock %s: %s", dir, strerror(errno));
    /* deleted while we waited for the lock? */
    {
        struct stat a, b;
        if (fstat(fd, &a) != 0 || stat(dir, &b) != 0 || a.st_ino != b.st_ino) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

static void state_save(const state *st) {
    char path[PATH_MAX], tmp[PATH_MAX];
    json_object *o = json_object_new_object();
    FILE *f;
    json_object_object_add(o, "id", json_object_new_string(st->id));
    json_object_object_add(o, "bundle", json_object_new_string(st->bundle));
    json_object_object_add(o, "cgroup", json_object_new_string(st->cgroup));
    json_object_object_add(o, "created", json_object_new_string(st->created));
    json_object_object_add(o, "pid", json_object_new_int64(st->pid));
    json_object_object_add(o, "startTime", json_object_new_uint64(st->start_time));
    json_object_object_add(o, "started", json_object_new_boolean(st->started));
    json_object_object_add(o, "systemdCgroup", json_object_new_boolean(st->systemd));
    json_object_object_add(o, "owner", json_object_new_int64(geteuid()));
    if (st->annotations) json_object_object_add(o, "annotations", json_object_get(st->annotations));
    state_path(path, sizeof(path), st->id, "state.json");
    state_path(tmp, sizeof(tmp), st->id, "state.json.tmp");
    if (!(f = fopen(tmp, "we")) ||
        fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE),
              f) < 0 ||
        fclose(f) != 0 || rename(tmp, path) != 0)
        die("write %s: %s", path, strerror(errno));
    json_object_put(o);
}

static int state_load(const char *id, state *st) {
    char path[PATH_MAX];
    json_object *o, *v;
    memset(st, 0, sizeof(*st));
    state_path(path, sizeof(path), id, "state.json");
    if (!(o = json_object_from_file(path))) return -1;
    snprintf(st->id, sizeof(st->id), "%s", id);
#define S(key, dst)                                                                           \
    if (json_object_object_get_ex(o, key, &v) && json_object_get_type(v) == json_type_string) \
    snprintf(dst, sizeof(dst), "%s", json_object_get_string(v))
    S("bundle", st->bundle);
    S("cgroup", st->cgroup);
    S("created", st->created);
#undef S
    if (json_object_object_get_ex(o, "pid", &v)) st->pid = (pid_t)json_object_get_int64(v);
    if (json_object_object_get_ex(o, "startTime", &v)) st->start_time = json_object_get_uint64(v);
    if (json_object_object_get_ex(o, "started", &v)) st->started = json_object_get_boolean(v);
    if (json_object_object_get_ex(o, "systemdCgroup", &v)) st->systemd = json_object_get_boolean(v);
    if (json_object_object_get_ex(o, "annotations", &v)) st->annotations = json_object_get(v);
    json_object_put(o);
    return 0;
}

static void state_free(state *st) {
    if (st->annotations) json_object_put(st->annotations);
    st->annotations = NULL;
}

static int cgroup_v2(void) {
    struct statfs s;
    return statfs("/sys/fs/cgroup", &s) == 0 && s.f_type == 0x63677270;
}

/* The freezer's view: 1 frozen, 0 not, -1 unknown. */
static int cgroup_frozen(const char *cg) {
    char path[2 * PATH_MAX], buf[256];
    FILE *f;
    int frozen = -1;
    if (!cg[0]) return -1;
    if (cgroup_v2())
        snprintf(path, sizeof(path), "/sys/fs/cgroup%s/cgroup.events", cg);
    else
        snprintf(path, sizeof(path), "/sys/fs/cgroup/freezer%s/freezer.state", cg);
    if (!(f = fopen(path, "re"))) return -1;
    while (fgets(buf, sizeof(buf), f)) {
        if (strncmp(buf, "frozen ", 7) == 0) frozen = buf[7] == '1';
        if (strncmp(buf, "FROZEN", 6) == 0) frozen = 1;
        if (strncmp(buf, "THAWED", 6) == 0 || strncmp(buf, "FREEZING", 8) == 0) frozen = 0;
    }
    fclose(f);
    return frozen;
}

/* created, running, paused or stopped; *alive says whether the process is there. */
static const char *state_status(const state *st, int *alive) {
    int a = st->pid > 0 && st->start_time && ctr_proc_start_time(st->pid) == st->start_time;
    if (a) { /* a zombie has exited */
        char path[64], buf[512];
        FILE *f;
        snprintf(path, sizeof(path), "/proc/%ld/stat", (long)st->pid);
        if ((f = fopen(path, "re"))) {
            if (fgets(buf, sizeof(buf), f)) {
                char *p = strrchr(buf, ')');
                if (p && (p[2] == 'Z' || p[2] == 'X')) a = 0;
            }
            fclose(f);
        }
    }
    if (alive) *alive = a;
    if (!a) return "stopped";
    if (!st->started) return "created";
    return cgroup_frozen(st->cgroup) == 1 ? "paused" : "running";
}

static json_object *state_json(const state *st) {
    json_object *o = json_object_new_object();
    int alive;
    const char *status = state_status(st, &alive);
    json_object_object_add(o, "ociVersion", json_object_new_string(OCI_VERSION));
    json_object_object_add(o, "id", json_object_new_string(st->id));
    json_object_object_add(o, "status", json_object_new_string(status));
    json_object_object_add(o, "pid", json_object_new_int64(alive ? st->pid : 0));
    json_object_object_add(o, "bundle", json_object_new_string(st->bundle));
    json_object_object_add(o, "annotations",
                           st->annotations ? json_object_get(st->annotations)
                                           : json_object_new_object());
    return o;
}

/* ---- config.json ---- */

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f) return NULL;
    for (;;) {
        size_t r;
        if (n + 65536 > cap) {
            char *nb;
            cap = cap ? cap * 2 : 65536;
            if (cap > (64u << 20) + 65536 || !(nb = realloc(buf, cap + 1))) {
                free(buf);
                fclose(f);
                errno = EFBIG;
                return NULL;
            }
            buf = nb;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Reads the copy of the bundle's config.json that create keeps in ROOT/ID/: changes to the
   bundle's file after create do not reach the container (create, start, exec, delete read it). */
static void load_config_file(oci_config *cfg, const char *path, const char *bundle, const char *id,
                             int systemd, int check_paths);

/* The copy of config.json that create kept for the container. */
static void load_kept_config(oci_config *cfg, const state *st) {
    char path[PATH_MAX];
    state_path(path, sizeof(path), st->id, "config.json");
    load_config_file(cfg, path, st->bundle, st->id, st->systemd, 0);
}

static void load_config_file(oci_config *cfg, const char *path, const char *bundle, const char *id,
                             int systemd, int check_paths) {
    oci_context ctx;
    size_t len;
    char *text;
    if (!(text = read_file(path, &len))) die("read %s: %s", path, strerror(errno));
    memset(&ctx, 0, sizeof(ctx));
    ctx.bundle = bundle;
    ctx.id = id;
    ctx.systemd_cgroup = systemd;
    ctx.cgroup_v2 = cgroup_v2();
    ctx.check_paths = check_paths;
    if (oci_config_read(cfg, text, len, &ctx) != 0) {
        free(text);
        die("%s/config.json: %s", bundle, cfg->error);
    }
    free(text);
    if (cfg->warnings[0]) warn("%s/config.json: %s", bundle, cfg->warnings);
}

/* Whether this process may make cgroups at all (not in a rootless user namespace). */
static int can_make_cgroups(void) {
    const char *probe = cgroup_v2() ? "/sys/fs/cgroup" : "/sys/fs/cgroup/freezer";
    return access(probe, W_OK) == 0;
}

/* ---- hooks ---- */

/* Runs one hook with the state on stdin; in the container's namespaces (through its pidfd) for
   createContainer and startContainer.  0, or -1 with a warning printed. */
static int run_hook(const oci_hook *h, const char *kind, const char *state_text, int pidfd,
                    int ns_flags, int path_in_container) {
    int in[2], st;
    pid_t pid;
    int64_t deadline = 0;
    if (pipe2(in, O_CLOEXEC) != 0) die("pipe: %s", strerror(errno));
    pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
        int exe = -1;
        char *const *argv = (char *const *)(h->args ? h->args : NULL);
        char *const def_argv[] = {(char *)h->path, NULL};
        char *const empty_env[] = {NULL};
        dup2(in[0], 0);
        if (pidfd >= 0 && !path_in_container) exe = open(h->path, O_PATH | O_CLOEXEC);
        if (pidfd >= 0 && syscall(SYS_setns, pidfd, ns_flags) != 0) {
            fprintf(stderr, "ocirun: %s hook: join the container: %s\n", kind, strerror(errno));
            _exit(127);
        }
        if (pidfd >= 0 && ns_flags & CLONE_NEWPID) { /* a child is in the pid namespace */
            pid_t c = fork();
            if (c > 0) {
                int s2;
                while (waitpid(c, &s2, 0) < 0 && errno == EINTR) {}
                _exit(WIFEXITED(s2) ? WEXITSTATUS(s2) : 128 + WTERMSIG(s2));
            }
        }
        if (exe >= 0)
            syscall(SYS_execveat, exe, "", argv ? argv : def_argv,
                    (char *const *)(h->env ? h->env : (const char *const *)empty_env),
                    AT_EMPTY_PATH);
        else
            execve(h->path, argv ? argv : def_argv,
                   (char *const *)(h->env ? h->env : (const char *const *)empty_env));
        fprintf(stderr, "ocirun: %s hook %s: %s\n", kind, h->path, strerror(errno));
        _exit(127);
    }
    close(in[0]);
    {
        struct sigaction ign, old;
        memset(&ign, 0, sizeof(ign));
        ign.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &ign, &old);
        if (write(in[1], state_text, strlen(state_text)) < 0) {} /* the hook may not read it */
        sigaction(SIGPIPE, &old, NULL);
    }
    close(in[1]);
    if (h->timeout) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        deadline = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + (int64_t)h->timeout * 1000;
    }
    for (;;) {
        pid_t r = waitpid(pid, &st, deadline ? WNOHANG : 0);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) die("wait for the %s hook: %s", kind, strerror(errno));
        if (deadline) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            if ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 >= deadline) {
                kill(pid, SIGKILL);
                waitpid(pid, &st, 0);
                warn("%s hook %s timed out after %d s", kind, h->path, h->timeout);
                return -1;
            }
            usleep(10000);
        }
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        warn("%s hook %s failed (%s %d)", kind, h->path, WIFEXITED(st) ? "exit status" : "signal",
             WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        return -1;
    }
    return 0;
}

static int run_hooks(const oci_config *cfg, int kind, const state *st, int pidfd, int ns_flags) {
    json_object *o;
    const char *text;
    size_t i;
    int rc = 0;
    if (!cfg->nhooks[kind]) return 0;
    o = state_json(st);
    text =
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    /* poststart and poststop hooks that fail are warned about, and the rest run (the spec);
       the others stop at the first failure */
    for (i = 0; i < cfg->nhooks[kind] &&
                (rc == 0 || kind == OCI_HOOK_POSTSTART || kind == OCI_HOOK_POSTSTOP);
         i++)
        rc |= run_hook(&cfg->hooks[kind][i], oci_hook_names[kind], text,
                       kind == OCI_HOOK_CREATE_CONTAINER || kind == OCI_HOOK_START_CONTAINER ? pidfd
                                                                                             : -1,
                       ns_flags, kind == OCI_HOOK_START_CONTAINER);
    json_object_put(o);
    return rc;
}

/* The namespaces of the container process that are not ours (for setns through its pidfd). */
static int foreign_namespaces(pid_t pid) {
    static const struct {
        const char *name;
        int flag;
    } ns[] = {{"mnt", CLONE_NEWNS},   {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC},
              {"net", CLONE_NEWNET},  {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP},
              {"user", CLONE_NEWUSER}};
    int flags = 0;
    size_t i;
    for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        char a[64], b[64];
        struct stat sa, sb;
        snprintf(a, sizeof(a), "/proc/%ld/ns/%s", (long)pid, ns[i].name);
        snprintf(b, sizeof(b), "/proc/self/ns/%s", ns[i].name);
        if (stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
            (sa.st_ino != sb.st_ino || sa.st_dev != sb.st_dev))
            flags |= ns[i].flag;
    }
    return flags;
}

/* ---- the console socket: the terminal's master goes to the engine ---- */

static void send_console(const char *sock_path, int master) {
    struct sockaddr_un addr;
    struct msghdr msg;
    struct iovec iov;
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } cm;
    struct cmsghdr *c;
    char name[] = "/dev/ptmx";
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) die("socket: %s", strerror(errno));
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    if (strlen(sock_path) >= sizeof(addr.sun_path)) die("console socket path too long");
    strcpy(addr.sun_path, sock_path);
    if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) != 0)
        die("connect to the console socket %s: %s", sock_path, strerror(errno));
    memset(&msg, 0, sizeof(msg));
    memset(&cm, 0, sizeof(cm));
    iov.iov_base = name;
    iov.iov_len = sizeof(name) - 1;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cm.buf;
    msg.msg_controllen = sizeof(cm.buf);
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &master, sizeof(int));
    if (sendmsg(s, &msg, MSG_NOSIGNAL) < 0)
        die("send the terminal to the console socket: %s", strerror(errno));
    close(s);
}

static void write_pid_file(const char *path, pid_t pid) {
    char tmp[PATH_MAX];
    FILE *f;
    if (!path) return;
    snprintf(tmp, sizeof(tmp), "%s.ocirun-tmp", path);
    if (!(f = fopen(tmp, "we")) || fprintf(f, "%ld", (long)pid) < 0 || fclose(f) != 0 ||
        rename(tmp, path) != 0)
        die("write the pid file %s: %s", path, strerror(errno));
}

/* Waits for a container of ours in the foreground (run, exec without --detach): the signals a
   terminal or a supervisor sends us are forwarded to it (as runc does), and with master (a
   terminal that stayed with us) our stdin and stdout are copied to and from it.  Its status. */
static int wait_foreground(ctr_container *c, int master) {
    static const int fwd[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
    struct termios saved, raw;
    int have_tty = master >= 0 && isatty(0) && tcgetattr(0, &saved) == 0, in_open = master >= 0;
    int out_open = master >= 0, sfd;
    sigset_t set, old;
    size_t i;
    ctr_result res;
    ctr_error err;
    sigemptyset(&set);
    for (i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++) sigaddset(&set, fwd[i]);
    sigprocmask(SIG_BLOCK, &set, &old);
    sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (have_tty) {
        struct winsize ws;
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(0, TCSANOW, &raw);
        if (ioctl(0, TIOCGWINSZ, &ws) == 0) ctr_resize(c, ws.ws_row, ws.ws_col, NULL);
    }
    for (;;) {
        struct pollfd p[4];
        char buf[4096];
        ssize_t n;
        p[0].fd = in_open ? 0 : -1;
        p[1].fd = out_open ? master : -1;
        p[2].fd = ctr_pidfd(c);
        p[3].fd = sfd;
        for (i = 0; i < 4; i++) {
            p[i].events = POLLIN;
            p[i].revents = 0;
        }
        if (poll(p, 4, -1) < 0 && errno != EINTR) break;
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            n = read(master, buf, sizeof(buf));
            if (n > 0) {
                if (write(1, buf, (size_t)n) < 0) {}
                continue; /* drain the output before looking at the exit */
            }
            out_open = 0;
        }
        if (p[0].revents & (POLLIN | POLLHUP)) {
            n = read(0, buf, sizeof(buf));
            if (n <= 0 || ctr_write(c, buf, (size_t)n, NULL) < 0) in_open = 0;
        }
        if (p[3].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if ((int)si.ssi_signo == SIGWINCH && have_tty) {
                    struct winsize ws;
                    if (ioctl(0, TIOCGWINSZ, &ws) == 0) ctr_resize(c, ws.ws_row, ws.ws_col, NULL);
                } else {
                    ctr_kill(c, (int)si.ssi_signo, NULL);
                }
            }
        }
        if (p[2].revents && !out_open) break;
        if (p[2].revents && master >= 0) {
            /* exited: what it wrote last is still in the terminal */
            int fl = fcntl(master, F_GETFL);
            fcntl(master, F_SETFL, fl | O_NONBLOCK);
            while ((n = read(master, buf, sizeof(buf))) > 0)
                if (write(1, buf, (size_t)n) < 0) break;
            break;
        }
        if (p[2].revents) break;
    }
    if (have_tty) tcsetattr(0, TCSANOW, &saved);
    if (sfd >= 0) close(sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (ctr_wait(c, &res, &err) != 0) die("wait: %s", err.msg);
    return res.exited ? res.exit_code : 128 + res.term_signal;
}

/* ---- create / start / run ---- */

typedef struct create_opts {
    const char *bundle;
    const char *pid_file;
    const char *console_socket;
    int preserve_fds;
    int detach;
    int keep;
} create_opts;

static void abs_bundle(char *out, const char *bundle) {
    char *r = realpath(bundle ? bundle : ".", NULL);
    if (!r) die("bundle %s: %s", bundle ? bundle : ".", strerror(errno));
    snprintf(out, PATH_MAX, "%s", r);
    free(r);
}

static void now_rfc3339(char *buf, size_t size) {
    struct timespec ts;
    struct tm tm;
    char base[48];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, size, "%s.%09ldZ", base, ts.tv_nsec);
}

/* The bundle's config.json as create read it, for the later commands. */
static void keep_config(const char *bundle, const char *id) {
    char src[PATH_MAX + 16], dst[PATH_MAX];
    size_t len;
    char *text;
    FILE *f;
    snprintf(src, sizeof(src), "%s/config.json", bundle);
    state_path(dst, sizeof(dst), id, "config.json");
    if (!(text = read_file(src, &len)) || !(f = fopen(dst, "wxe")) ||
        fwrite(text, 1, len, f) != len || fclose(f) != 0)
        die("keep %s in %s: %s", src, dst, strerror(errno));
    free(text);
}

static void remove_state_dir(const char *id) {
    char p[PATH_MAX];
    state_path(p, sizeof(p), id, "config.json");
    unlink(p);
    state_path(p, sizeof(p), id, "state.json");
    unlink(p);
    state_path(p, sizeof(p), id, "state.json.tmp");
    unlink(p);
    state_path(p, sizeof(p), id, "exec.fifo");
    unlink(p);
    state_path(p, sizeof(p), id, NULL);
    rmdir(p);
}

/* create: the container set up and waiting for start; *out keeps the handle (run) or it is
   released.  Returns the lock fd. */
static int do_create(const char *id, const create_opts *o, ctr_container **out, oci_config *cfg,
                     state *st) {
    char bundle[PATH_MAX], dir[PATH_MAX], fifo[PATH_MAX];
    ctr_container *c;
    ctr_error err;
    ctr_fd *fds = NULL;
    int lock, i, pidfd;
    check_id(id);
    abs_bundle(bundle, o->bundle);
    mkdir_p(root_dir(), 0711);
    state_path(dir, sizeof(dir), id, NULL);
    if (mkdir(dir, 0711) != 0) {
        if (errno == EEXIST) die("container \"%s\" already exists", id);
        die("mkdir %s: %s", dir, strerror(errno));
    }
    if ((lock = lock_container(id, LOCK_EX)) < 0) die("container \"%s\" vanished", id);
    g_failed_create = id; /* from here on a failure removes ROOT/ID */
    {
        /* the kept copy is what is read, now and by every later command */
        char kept[PATH_MAX];
        keep_config(bundle, id);
        state_path(kept, sizeof(kept), id, "config.json");
        load_config_file(cfg, kept, bundle, id, g_systemd_cgroup, 1);
    }
    state_path(fifo, sizeof(fifo), id, "exec.fifo");
    cfg->spec.direct_child = 1;
    cfg->spec.wait_start = 1;
    cfg->spec.start_fifo = fifo;
    cfg->spec.no_die_with_host = 1;
    if (cfg->cgroup_path[0] && !can_make_cgroups()) {
        int limits = cfg->spec.memory_max || cfg->spec.pids_max || cfg->spec.cpus > 0 ||
                     cfg->spec.cpu_weight || cfg->spec.io_weight;
        if (limits) {
            die("linux.resources: this process cannot make cgroups (a rootless user namespace?), "
                "so the limits cannot be applied");
        }
        cfg->cgroup_path = ""; /* rootless without limits: no cgroup (as runc) */
    }
    if (cfg->cgroup_path[0]) {
        cfg->spec.cgroup_path = cfg->cgroup_path;
        cfg->spec.cgroup = CTR_CGROUP_ALWAYS;
    } else {
        cfg->spec.cgroup = CTR_CGROUP_NEVER;
    }
    if (o->preserve_fds > 0) {
        fds = calloc((size_t)o->preserve_fds, sizeof(*fds));
        if (!fds) die("out of memory");
        for (i = 0; i < o->preserve_fds; i++) fds[i].host_fd = fds[i].container_fd = 3 + i;
        cfg->spec.fds = fds;
        cfg->spec.nfds = (size_t)o->preserve_fds;
    }
    if (cfg->terminal && !o->console_socket && o->detach)
        die("process.terminal needs --console-socket (or run without --detach)");
    if (ctr_spawn(&cfg->spec, &c, &err) != 0) die("create %s: %s", id, err.msg);
    free(fds);
    memset(st, 0, sizeof(*st));
    snprintf(st->id, sizeof(st->id), "%s", id);
    snprintf(st->bundle, sizeof(st->bundle), "%s", bundle);
    snprintf(st->cgroup, sizeof(st->cgroup), "%s", cfg->cgroup_path);
    now_rfc3339(st->created, sizeof(st->created));
    st->pid = ctr_pid(c);
    st->start_time = ctr_proc_start_time(st->pid);
    st->systemd = g_systemd_cgroup;
    st->annotations = cfg->annotations ? json_object_get(cfg->annotations) : NULL;
    state_save(st);
    if (cfg->terminal && o->console_socket) send_console(o->console_socket, ctr_tty_fd(c));
    pidfd = ctr_pidfd(c);
    if (run_hooks(cfg, OCI_HOOK_CREATE_RUNTIME, st, -1, 0) != 0 ||
        run_hooks(cfg, OCI_HOOK_CREATE_CONTAINER, st, pidfd, foreign_namespaces(st->pid)) != 0) {
        ctr_destroy(c);
        run_hooks(cfg, OCI_HOOK_POSTSTOP, st, -1, 0); /* the spec: the lifecycle's end */
        die("create %s: a createRuntime or createContainer hook failed: the container is deleted",
            id);
    }
    write_pid_file(o->pid_file, st->pid);
    g_failed_create = NULL;
    *out = c;
    return lock;
}

static void do_start(const char *id, state *st, oci_config *cfg, ctr_container *c) {
    ctr_error err;
    ctr_container *own = NULL;
    char fifo[PATH_MAX];
    if (!c) {
        ctr_attach_spec a;
        memset(&a, 0, sizeof(a));
        state_path(fifo, sizeof(fifo), id, "exec.fifo");
        a.pid = st->pid;
        a.start_time = st->start_time;
        a.cgroup_path = st->cgroup[0] ? st->cgroup : NULL;
        a.start_fifo = fifo;
        if (ctr_attach(&a, &own, &err) != 0) die("start %s: %s", id, err.msg);
        c = own;
    }
    /* prestart (deprecated, in the runtime's namespace) and startContainer (in the
       container's) run as part of start, before the process */
    if (run_hooks(cfg, OCI_HOOK_PRESTART, st, -1, 0) != 0 ||
        run_hooks(cfg, OCI_HOOK_START_CONTAINER, st, ctr_pidfd(c), foreign_namespaces(st->pid)) !=
            0) {
        /* the spec: an error, the container stopped, then the lifecycle's end (poststop hooks,
           the container deleted) */
        ctr_destroy(c);
        run_hooks(cfg, OCI_HOOK_POSTSTOP, st, -1, 0);
        remove_state_dir(id);
        die("start %s: a %s hook failed: the container is deleted", id,
            "prestart or startContainer");
    }
    if (ctr_start(c, &err) != 0) die("start %s: %s", id, err.msg);
    st->started = 1;
    state_save(st);
    state_path(fifo, sizeof(fifo), id, "exec.fifo");
    unlink(fifo);
    if (run_hooks(cfg, OCI_HOOK_POSTSTART, st, -1, 0) != 0) warn("a poststart hook failed");
    if (own) ctr_release(own, NULL);
}

/* ---- attaching for the other commands ---- */

static int load_locked(const char *id, state *st, int op) {
    int lock;
    check_id(id);
    if ((lock = lock_container(id, op)) < 0 || state_load(id, st) != 0) {
        if (lock >= 0) close(lock);
        die("container \"%s\" does not exist", id);
    }
    return lock;
}

static ctr_container *attach(const state *st, const ctr_spec *spec, int allow_gone) {
    ctr_attach_spec a;
    ctr_container *c;
    ctr_error err;
    memset(&a, 0, sizeof(a));
    a.pid = st->pid;
    a.start_time = st->start_time;
    a.cgroup_path = st->cgroup[0] ? st->cgroup : NULL;
    a.spec = spec;
    if (ctr_attach(&a, &c, &err) == 0) return c;
    if (allow_gone && err.sys_errno == ESRCH) return NULL;
    die("%s: %s", st->id, err.msg);
}

/* kill -9 every process listed in the cgroup (and with sig, signal them) */
static int cgroup_pids(const char *cg, pid_t *pids, int max) {
    char path[2 * PATH_MAX];
    FILE *f;
    int n = 0;
    long p;
    if (!cg[0]) return 0;
    if (cgroup_v2())
        snprintf(path, sizeof(path), "/sys/fs/cgroup%s/cgroup.procs", cg);
    else
        snprintf(path, sizeof(path), "/sys/fs/cgroup/freezer%s/cgroup.procs", cg);
    if (!(f = fopen(path, "re"))) return -1;
    while (n < max && fscanf(f, "%ld", &p) == 1) pids[n++] = (pid_t)p;
    fclose(f);
    return n;
}

static void remove_cgroup_dirs(const char *cg) {
    char path[2 * PATH_MAX];
    DIR *d;
    struct dirent *e;
    if (!cg[0]) return;
    if (cgroup_v2()) {
        snprintf(path, sizeof(path), "/sys/fs/cgroup%s", cg);
        rmdir(path);
        return;
    }
    if (!(d = opendir("/sys/fs/cgroup"))) return;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%s", e->d_name, cg);
            rmdir(path);
        }
    closedir(d);
}

/* ---- commands ---- */

static void usage(FILE *f) {
    fputs("usage: ocirun [--root DIR] [--log FILE] [--log-format text|json] [--systemd-cgroup]\n"
          "              COMMAND [OPTIONS] ID\n"
          "An OCI runtime (runtime-spec " OCI_VERSION ") on container.h.\n\n"
          "  create [--bundle DIR] [--pid-file F] [--console-socket SOCK] [--preserve-fds N]\n"
          "         [--no-pivot] [--no-new-keyring] ID   set up, waiting for start\n"
          "  start ID                       run the process\n"
          "  run [create's options] [--detach] [--keep] ID   create, start (and wait, delete)\n"
          "  state ID                       the state JSON\n"
          "  kill [--all] ID [SIGNAL]       send a signal (default SIGTERM)\n"
          "  delete [--force] ID            remove a stopped (or with --force any) container\n"
          "  exec [--process F | ARGS] [--detach] [--pid-file F] [--tty] [--console-socket S]\n"
          "       [--cwd D] [--env K=V] [--user UID[:GID]] ID   another process in it\n"
          "  ps [--format table|json] ID    its processes\n"
          "  pause ID / resume ID           freeze / thaw it\n"
          "  list [--format table|json] [--quiet]   the containers under --root\n"
          "  spec [--bundle DIR] [--rootless]   write a default config.json\n"
          "  features                       what this runtime supports, as JSON\n"
          "  --version\n\n"
          "State lives in --root (default /run/ocirun; $XDG_RUNTIME_DIR/ocirun for other users).\n"
          "--no-pivot and --no-new-keyring are accepted: ocirun always uses pivot_root and never\n"
          "makes a session keyring.  The manual (container.h, section 15) is the guide.\n",
          f);
}

/* getopt_long for a subcommand: argv[0] is the command. */
static int opt_index_reset(void) {
    optind = 1;
    opterr = 1;
    return 0;
}

static int cmd_create_or_run(int argc, char **argv, int run) {
    static const struct option opts[] = {{"bundle", required_argument, NULL, 'b'},
                                         {"pid-file", required_argument, NULL, 'p'},
                                         {"console-socket", required_argument, NULL, 'c'},
                                         {"preserve-fds", required_argument, NULL, 'f'},
                                         {"no-pivot", no_argument, NULL, 'P'},
                                         {"no-new-keyring", no_argument, NULL, 'K'},
                                         {"detach", no_argument, NULL, 'd'},
                                         {"keep", no_argument, NULL, 'k'},
                                         {"no-subreaper", no_argument, NULL, 'S'},
                                         {NULL, 0, NULL, 0}};
    create_opts o;
    oci_config cfg;
    ctr_container *c = NULL;
    state st;
    int ch, lock;
    memset(&o, 0, sizeof(o));
    opt_index_reset();
    while ((ch = getopt_long(argc, argv, run ? "+b:dk" : "+b:", opts, NULL)) != -1) {
        switch (ch) {
        case 'b': o.bundle = optarg; break;
        case 'p': o.pid_file = optarg; break;
        case 'c': o.console_socket = optarg; break;
        case 'f': o.preserve_fds = atoi(optarg); break;
        case 'P':
        case 'K':
        case 'S': break;
        case 'd':
            if (!run) die("create: unknown option --detach");
            o.detach = 1;
            break;
        case 'k':
            if (!run) die("create: unknown option --keep");
            o.keep = 1;
            break;
        default: exit(1);
        }
    }
    if (optind != argc - 1) die("%s: give one container ID", argv[0]);
    if (!run) o.detach = 1;
    lock = do_create(argv[optind], &o, &c, &cfg, &st);
    if (!run) {
        ctr_error err;
        if (ctr_release(c, &err) != 0) die("release: %s", err.msg);
        close(lock);
        return 0;
    }
    do_start(argv[optind], &st, &cfg, c);
    close(lock);
    if (o.detach) {
        ctr_release(c, NULL);
        return 0;
    }
    {
        int status = wait_foreground(c, cfg.terminal && !o.console_socket ? ctr_tty_fd(c) : -1);
        lock = lock_container(argv[optind], LOCK_EX);
        ctr_destroy(c);
        if (!o.keep) {
            run_hooks(&cfg, OCI_HOOK_POSTSTOP, &st, -1, 0);
            remove_state_dir(argv[optind]);
        }
        if (lock >= 0) close(lock);
        return status;
    }
}

static int cmd_start(int argc, char **argv) {
    oci_config cfg;
    state st;
    int lock, alive;
    if (argc != 2) die("start: give one container ID");
    lock = load_locked(argv[1], &st, LOCK_EX);
    if (strcmp(state_status(&st, &alive), "created") != 0)
        die("start %s: the container is %s, not created", argv[1], state_status(&st, NULL));
    load_kept_config(&cfg, &st);
    do_start(argv[1], &st, &cfg, NULL);
    oci_config_free(&cfg);
    state_free(&st);
    close(lock);
    return 0;
}

static int cmd_state(int argc, char **argv) {
    state st;
    json_object *o;
    int lock;
    if (argc != 2) die("state: give one container ID");
    lock = load_locked(argv[1], &st, LOCK_SH);
    o = state_json(&st);
    printf("%s\n",
           json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    state_free(&st);
    close(lock);
    return 0;
}

static int cmd_kill(int argc, char **argv) {
    static const struct option opts[] = {{"all", no_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
    int all = 0, ch, sig = SIGTERM, lock, alive;
    state st;
    ctr_container *c;
    ctr_error err;
    opt_index_reset();
    while ((ch = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
        if (ch == 'a')
            all = 1;
        else
            exit(1);
    }
    if (optind >= argc || optind + 2 < argc) die("kill: give a container ID and a signal");
    if (optind + 1 < argc && (sig = oci_signal(argv[optind + 1])) < 0)
        die("kill: unknown signal \"%s\"", argv[optind + 1]);
    lock = load_locked(argv[optind], &st, LOCK_SH);
    state_status(&st, &alive);
    if (!alive) die("kill %s: the container is not running", st.id);
    c = attach(&st, NULL, 0);
    if (all && st.cgroup[0]) {
        pid_t pids[4096];
        int n = cgroup_pids(st.cgroup, pids, 4096), i;
        if (sig == SIGKILL) {
            if (ctr_kill(c, SIGKILL, &err) != 0) die("kill %s: %s", st.id, err.msg);
        } else {
            for (i = 0; i < n; i++) kill(pids[i], sig);
        }
    } else if (ctr_kill(c, sig, &err) != 0) {
        die("kill %s: %s", st.id, err.msg);
    }
    ctr_release(c, NULL);
    state_free(&st);
    close(lock);
    return 0;
}

static int cmd_delete(int argc, char **argv) {
    static const struct option opts[] = {{"force", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
    int force = 0, ch, lock, alive;
    const char *status;
    state st;
    oci_config cfg;
    int have_cfg = 0;
    opt_index_reset();
    while ((ch = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
        if (ch == 'f')
            force = 1;
        else
            exit(1);
    }
    if (optind != argc - 1) die("delete: give one container ID");
    check_id(argv[optind]);
    if ((lock = lock_container(argv[optind], LOCK_EX)) < 0) {
        if (force) return 0;
        die("container \"%s\" does not exist", argv[optind]);
    }
    if (state_load(argv[optind], &st) != 0) { /* a create that died half-way */
        remove_state_dir(argv[optind]);
        close(lock);
        return 0;
    }
    status = state_status(&st, &alive);
    if (alive && !force)
        die("delete %s: the container is %s, not stopped (kill it first, or use --force)", st.id,
            status);
    {
        ctr_container *c = attach(&st, NULL, 1);
        if (c) {
            if (strcmp(status, "paused") == 0) ctr_resume(c, NULL);
            ctr_destroy(c); /* kills what is left, waits, removes the cgroup */
        } else if (st.cgroup[0]) {
            ctr_attach_spec a;
            ctr_error err;
            pid_t pids[4096];
            int n = cgroup_pids(st.cgroup, pids, 4096), i;
            for (i = 0; i < n; i++) kill(pids[i], SIGKILL);
            memset(&a, 0, sizeof(a));
            (void)a;
            (void)err;
            for (i = 0; i < 100 && cgroup_pids(st.cgroup, pids, 1) > 0; i++) usleep(10000);
            remove_cgroup_dirs(st.cgroup);
        }
    }
    {
        char path[PATH_MAX];
        size_t len;
        char *text;
        oci_context ctx;
        state_path(path, sizeof(path), st.id, "config.json");
        if ((text = read_file(path, &len)) != NULL) {
            memset(&ctx, 0, sizeof(ctx));
            ctx.bundle = st.bundle;
            ctx.id = st.id;
            ctx.systemd_cgroup = st.systemd;
            ctx.cgroup_v2 = cgroup_v2();
            if (oci_config_read(&cfg, text, len, &ctx) == 0) have_cfg = 1;
            free(text);
        }
    }
    if (have_cfg) {
        run_hooks(&cfg, OCI_HOOK_POSTSTOP, &st, -1, 0);
        oci_config_free(&cfg);
    }
    remove_state_dir(st.id);
    state_free(&st);
    close(lock);
    return 0;
}

static int cmd_pause(int argc, char **argv, int on) {
    state st;
    ctr_container *c;
    ctr_error err;
    int lock, alive;
    if (argc != 2) die("%s: give one container ID", argv[0]);
    lock = load_locked(argv[1], &st, LOCK_EX);
    state_status(&st, &alive);
    if (!alive) die("%s %s: the container is not running", argv[0], st.id);
    if (!st.cgroup[0]) die("%s %s: the container has no cgroup", argv[0], st.id);
    c = attach(&st, NULL, 0);
    if ((on ? ctr_pause(c, &err) : ctr_resume(c, &err)) != 0)
        die("%s %s: %s", argv[0], st.id, err.msg);
    ctr_release(c, NULL);
    state_free(&st);
    close(lock);
    return 0;
}

static int cmd_ps(int argc, char **argv) {
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    const char *format = "table";
    pid_t pids[8192];
    int ch, n, i, lock;
    state st;
    opt_index_reset();
    while ((ch = getopt_long(argc, argv, "+f:", opts, NULL)) != -1) {
        if (ch == 'f')
            format = optarg;
        else
            exit(1);
    }
    if (optind != argc - 1) die("ps: give one container ID");
    lock = load_locked(argv[optind], &st, LOCK_SH);
    if (st.cgroup[0]) {
        n = cgroup_pids(st.cgroup, pids, 8192);
        if (n < 0) n = 0;
    } else {
        n = 0;
        if (ctr_proc_start_time(st.pid) == st.start_time) pids[n++] = st.pid;
    }
    if (strcmp(format, "json") == 0) {
        json_object *a = json_object_new_array();
        for (i = 0; i < n; i++) json_object_array_add(a, json_object_new_int(pids[i]));
        printf("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(a);
    } else if (strcmp(format, "table") == 0) {
        printf("%-8s %s\n", "PID", "CMD");
        for (i = 0; i < n; i++) {
            char path[64], cmd[256] = "?";
            FILE *f;
            snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pids[i]);
            if ((f = fopen(path, "re"))) {
                size_t r = fread(cmd, 1, sizeof(cmd) - 1, f), k;
                for (k = 0; k + 1 < r; k++)
                    if (!cmd[k]) cmd[k] = ' ';
                cmd[r] = '\0';
                fclose(f);
            }
            printf("%-8ld %s\n", (long)pids[i], cmd);
        }
    } else {
        die("ps: --format is table or json");
    }
    state_free(&st);
    close(lock);
    return 0;
}

static int cmd_list(int argc, char **argv) {
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {NULL, 0, NULL, 0}};
    const char *format = "table";
    int ch, quiet = 0;
    DIR *d;
    struct dirent *e;
    json_object *a = json_object_new_array();
    opt_index_reset();
    while ((ch = getopt_long(argc, argv, "+f:q", opts, NULL)) != -1) {
        if (ch == 'f')
            format = optarg;
        else if (ch == 'q')
            quiet = 1;
        else
            exit(1);
    }
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
        die("list: --format is table or json");
    if (!quiet && strcmp(format, "table") == 0)
        printf("%-24s %-8s %-8s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
    if ((d = opendir(root_dir()))) {
        while ((e = readdir(d))) {
            state st;
            int lock, alive;
            const char *status;
            if (e->d_name[0] == '.') continue;
            if ((lock = lock_container(e->d_name, LOCK_SH)) < 0) continue;
            if (state_load(e->d_name, &st) != 0) {
                close(lock);
                continue;
            }
            status = state_status(&st, &alive);
            if (quiet) {
                printf("%s\n", st.id);
            } else if (strcmp(format, "table") == 0) {
                printf("%-24s %-8ld %-8s %-40s %s\n", st.id, alive ? (long)st.pid : 0L, status,
                       st.bundle, st.created);
            } else {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "ociVersion", json_object_new_string(OCI_VERSION));
                json_object_object_add(o, "id", json_object_new_string(st.id));
                json_object_object_add(o, "pid", json_object_new_int64(alive ? st.pid : 0));
                json_object_object_add(o, "status", json_object_new_string(status));
                json_object_object_add(o, "bundle", json_object_new_string(st.bundle));
                json_object_object_add(o, "created", json_object_new_string(st.created));
                json_object_array_add(a, o);
            }
            state_free(&st);
            close(lock);
        }
        closedir(d);
    }
    if (!quiet && strcmp(format, "json") == 0)
        printf("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(a);
    return 0;
}

static int cmd_exec(int argc, char **argv) {
    static const struct option opts[] = {{"process", required_argument, NULL, 'p'},
                                         {"detach", no_argument, NULL, 'd'},
                                         {"pid-file", required_argument, NULL, 'P'},
                                         {"tty", no_argument, NULL, 't'},
                                         {"console-socket", required_argument, NULL, 'c'},
                                         {"cwd", required_argument, NULL, 'w'},
                                         {"env", required_argument, NULL, 'e'},
                                         {"user", required_argument, NULL, 'u'},
                                         {"preserve-fds", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    const char *process = NULL, *pid_file = NULL, *console = NULL, *cwd = NULL, *user = NULL;
    const char *envs[256];
    int nenv = 0, detach = 0, tty = 0, ch, lock, alive, preserve = 0, i;
    oci_config base, pcfg;
    ctr_exec_spec x;
    state st;
    ctr_container *c, *p;
    ctr_error err;
    ctr_fd *fds = NULL;
    opt_index_reset();
    while ((ch = getopt_long(argc, argv, "+p:dtc:w:e:u:", opts, NULL)) != -1) {
        switch (ch) {
        case 'p': process = optarg; break;
        case 'd': detach = 1; break;
        case 'P': pid_file = optarg; break;
        case 't': tty = 1; break;
        case 'c': console = optarg; break;
        case 'w': cwd = optarg; break;
        case 'e':
            if (nenv < 255) envs[nenv++] = optarg;
            break;
        case 'u': user = optarg; break;
        case 'f': preserve = atoi(optarg); break;
        default: exit(1);
        }
    }
    if (optind >= argc) die("exec: give a container ID");
    lock = load_locked(argv[optind], &st, LOCK_SH);
    if (strcmp(state_status(&st, &alive), "running") != 0)
        die("exec %s: the container is %s, not running", st.id, state_status(&st, NULL));
    load_kept_config(&base, &st);
    memset(&x, 0, sizeof(x));
    memset(&pcfg, 0, sizeof(pcfg));
    if (process) {
        json_object *o = json_object_from_file(process);
        if (!o) die("exec: read %s: not a JSON file", process);
        if (oci_process_read(&pcfg, o, &base, &x, "process") != 0)
            die("exec: %s: %s", process, pcfg.error);
        json_object_put(o);
    } else {
        if (optind + 1 >= argc) die("exec: give the command (or --process FILE)");
        x.argv = (const char *const *)argv + optind + 1;
        x.env = base.spec.env;
        x.cwd = base.spec.cwd;
        x.uid = base.spec.uid;
        x.gid = base.spec.gid;
        x.tty = tty;
    }
    if (cwd) x.cwd = cwd;
    if (user) {
        char *end;
        x.uid = (uid_t)strtoul(user, &end, 10);
        x.gid = *end == ':' ? (gid_t)strtoul(end + 1, NULL, 10) : x.gid;
    }
    if (nenv) {
        const char **env = oci_alloc(&pcfg, (size_t)(nenv + 64) * sizeof(char *));
        int k = 0;
        if (!env) die("out of memory");
        for (i = 0; x.env && x.env[i] && k < 63; i++) env[k++] = x.env[i];
        for (i = 0; i < nenv; i++) env[k++] = envs[i];
        x.env = env;
    }
    if (tty) x.tty = 1;
    if (x.tty && detach && !console) die("exec: --tty with --detach needs --console-socket");
    if (preserve > 0) {
        fds = calloc((size_t)preserve, sizeof(*fds));
        for (i = 0; fds && i < preserve; i++) fds[i].host_fd = fds[i].container_fd = 3 + i;
        x.fds = fds;
        x.nfds = (size_t)preserve;
    }
    x.direct_child = 1;
    c = attach(&st, &base.spec, 0);
    if (ctr_exec(c, &x, &p, &err) != 0) die("exec %s: %s", st.id, err.msg);
    ctr_release(c, NULL);
    close(lock);
    write_pid_file(pid_file, ctr_pid(p));
    if (x.tty && console) send_console(console, ctr_tty_fd(p));
    if (detach) {
        ctr_release(p, NULL);
        return 0;
    }
    {
        int status = wait_foreground(p, x.tty && !console ? ctr_tty_fd(p) : -1);
        ctr_destroy(p);
        return status;
    }
}

static int cmd_spec(int argc, char **argv) {
    static const struct option opts[] = {{"bundle", required_argument, NULL, 'b'},
                                         {"rootless", no_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    const char *bundle = ".";
    int ch, rootless = 0;
    char path[PATH_MAX];
    FILE *f;
    opt_index_reset();
    while ((ch = getopt_long(argc, argv, "+b:", opts, NULL)) != -1) {
        if (ch == 'b')
            bundle = optarg;
        else if (ch == 'r')
            rootless = 1;
        else
            exit(1);
    }
    snprintf(path, sizeof(path), "%s/config.json", bundle);
    if (access(path, F_OK) == 0) die("spec: %s exists", path);
    if (!(f = fopen(path, "wx"))) die("spec: create %s: %s", path, strerror(errno));
    fprintf(f,
            "{\n"
            "  \"ociVersion\": \"" OCI_VERSION "\",\n"
            "  \"process\": {\n"
            "    \"terminal\": true,\n"
            "    \"user\": {\"uid\": 0, \"gid\": 0},\n"
            "    \"args\": [\"sh\"],\n"
            "    \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", "
            "\"TERM=xterm\"],\n"
            "    \"cwd\": \"/\",\n"
            "    \"capabilities\": {\n"
            "      \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
            "      \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
            "      \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
            "    },\n"
            "    \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],\n"
            "    \"noNewPrivileges\": true\n"
            "  },\n"
            "  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
            "  \"hostname\": \"ocirun\",\n"
            "  \"mounts\": [\n"
            "    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
            "    {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
            "\"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
            "    {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", "
            "\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", "
            "\"mode=0620\"%s]},\n"
            "    {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", "
            "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
            "    {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", "
            "\"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
            "    {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", "
            "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n"
            "    {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": "
            "\"cgroup\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", "
            "\"ro\"]}\n"
            "  ],\n"
            "  \"linux\": {\n"
            "%s"
            "    \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}, "
            "{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"rwm\"}, "
            "{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 5, \"access\": \"rwm\"}, "
            "{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 7, \"access\": \"rwm\"}, "
            "{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 8, \"access\": \"rwm\"}, "
            "{\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 9, \"access\": \"rwm\"}, "
            "{\"allow\": true, \"type\": \"c\", \"major\": 5, \"access\": \"rwm\"}, "
            "{\"allow\": true, \"type\": \"c\", \"major\": 136, \"access\": \"rwm\"}]},\n"
            "    \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": "
            "\"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"}%s],\n"
            "    \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", "
            "\"/proc/keys\", \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\", "
            "\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],\n"
            "    \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", "
            "\"/proc/sysrq-trigger\"]\n"
            "  }\n"
            "}\n",
            rootless ? "" : ", \"gid=5\"",
            rootless ? "    \"uidMappings\": [{\"containerID\": 0, \"hostID\": 0, \"size\": 1}],\n"
                       "    \"gidMappings\": [{\"containerID\": 0, \"hostID\": 0, \"size\": 1}],\n"
                     : "",
            rootless ? ", {\"type\": \"user\"}" : "");
    if (fclose(f) != 0) die("spec: write %s: %s", path, strerror(errno));
    if (rootless) {
        /* the one mapping the library makes: the caller's own ids as root */
        char *text;
        size_t len;
        json_object *o;
        if (!(text = read_file(path, &len)) || !(o = json_tokener_parse(text)))
            die("spec: reread %s", path);
        free(text);
        {
            json_object *lx, *m;
            json_object_object_get_ex(o, "linux", &lx);
            json_object_object_get_ex(lx, "uidMappings", &m);
            json_object_object_add(json_object_array_get_idx(m, 0), "hostID",
                                   json_object_new_int64(geteuid()));
            json_object_object_get_ex(lx, "gidMappings", &m);
            json_object_object_add(json_object_array_get_idx(m, 0), "hostID",
                                   json_object_new_int64(getegid()));
            json_object_object_del(lx, "resources");
        }
        if (json_object_to_file_ext(path, o,
                                    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                        JSON_C_TO_STRING_NOSLASHESCAPE) != 0)
            die("spec: write %s", path);
        json_object_put(o);
    }
    return 0;
}

static int cmd_features(void) {
    static const char *const ns[] = {"cgroup", "ipc",  "mount", "network",
                                     "pid",    "user", "uts",   "time"};
    static const char *const mopts[] = {
        "bind", "rbind",    "ro",      "rw",          "nosuid",     "nodev",   "noexec",
        "exec", "relatime", "noatime", "strictatime", "nodiratime", "private", "rprivate"};
    static const char *const actions[] = {
        "SCMP_ACT_ALLOW",       "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS",
        "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",   "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"};
    static const char *const ops[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                                      "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
                                      "SCMP_CMP_NE"};
    json_object *o = json_object_new_object(), *a, *lx, *sc, *cg;
    size_t i;
    int cap;
    json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
    json_object_object_add(o, "ociVersionMax", json_object_new_string(OCI_VERSION));
    a = json_object_new_array();
    for (i = 0; i < OCI_HOOK_KINDS; i++)
        json_object_array_add(a, json_object_new_string(oci_hook_names[i]));
    json_object_object_add(o, "hooks", a);
    a = json_object_new_array();
    for (i = 0; i < sizeof(mopts) / sizeof(mopts[0]); i++)
        json_object_array_add(a, json_object_new_string(mopts[i]));
    json_object_object_add(o, "mountOptions", a);
    lx = json_object_new_object();
    a = json_object_new_array();
    for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
        json_object_array_add(a, json_object_new_string(ns[i]));
    json_object_object_add(lx, "namespaces", a);
    a = json_object_new_array();
    for (cap = 0; oci_cap_name(cap); cap++)
        json_object_array_add(a, json_object_new_string(oci_cap_name(cap)));
    json_object_object_add(lx, "capabilities", a);
    cg = json_object_new_object();
    json_object_object_add(cg, "v1", json_object_new_boolean(1));
    json_object_object_add(cg, "v2", json_object_new_boolean(1));
    json_object_object_add(cg, "systemd", json_object_new_boolean(0));
    json_object_object_add(cg, "systemdUser", json_object_new_boolean(0));
    json_object_object_add(cg, "rdma", json_object_new_boolean(0));
    json_object_object_add(lx, "cgroup", cg);
    sc = json_object_new_object();
    json_object_object_add(sc, "enabled", json_object_new_boolean(1));
    a = json_object_new_array();
    for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
        json_object_array_add(a, json_object_new_string(actions[i]));
    json_object_object_add(sc, "actions", a);
    a = json_object_new_array();
    for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        json_object_array_add(a, json_object_new_string(ops[i]));
    json_object_object_add(sc, "operators", a);
    a = json_object_new_array();
    json_object_array_add(a, json_object_new_string("SCMP_ARCH_X86_64"));
    json_object_array_add(a, json_object_new_string("SCMP_ARCH_X86"));
    json_object_array_add(a, json_object_new_string("SCMP_ARCH_X32"));
    json_object_array_add(a, json_object_new_string("SCMP_ARCH_AARCH64"));
    json_object_object_add(sc, "archs", a);
    json_object_object_add(sc, "knownFlags", json_object_new_array());
    json_object_object_add(sc, "supportedFlags", json_object_new_array());
    json_object_object_add(lx, "seccomp", sc);
    a = json_object_new_object();
    json_object_object_add(a, "enabled", json_object_new_boolean(0));
    json_object_object_add(lx, "apparmor", a);
    a = json_object_new_object();
    json_object_object_add(a, "enabled", json_object_new_boolean(0));
    json_object_object_add(lx, "selinux", a);
    a = json_object_new_object();
    json_object_object_add(a, "enabled", json_object_new_boolean(0));
    json_object_object_add(lx, "intelRdt", a);
    json_object_object_add(o, "linux", lx);
    a = json_object_new_object();
    json_object_object_add(a, "org.opencontainers.runtime-spec.features.runtime",
                           json_object_new_string("ocirun " OCIRUN_VERSION));
    json_object_object_add(o, "annotations", a);
    printf("%s\n",
           json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return 0;
}

int main(int argc, char **argv) {
    int i = 1;
    const char *cmd;
    /* global options, before the command (also --opt=value) */
    while (i < argc && argv[i][0] == '-') {
        const char *a = argv[i], *val = NULL;
        char name[64];
        const char *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        if (n >= sizeof(name)) die("unknown option %s", a);
        memcpy(name, a, n);
        name[n] = '\0';
        if (strcmp(name, "--root") == 0 || strcmp(name, "--log") == 0 ||
            strcmp(name, "--log-format") == 0 || strcmp(name, "--criu") == 0 ||
            strcmp(name, "--rootless") == 0) {
            if (eq)
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else
                die("%s needs a value", name);
            if (strcmp(name, "--root") == 0)
                g_root = val;
            else if (strcmp(name, "--log") == 0)
                g_log = val;
            else if (strcmp(name, "--log-format") == 0) {
                if (strcmp(val, "json") == 0)
                    g_log_json = 1;
                else if (strcmp(val, "text") == 0)
                    g_log_json = 0;
                else
                    die("--log-format is text or json");
            } else if (strcmp(name, "--rootless") == 0 && strcmp(val, "true") != 0 &&
                       strcmp(val, "false") != 0 && strcmp(val, "auto") != 0) {
                die("--rootless is true, false or auto");
            }
        } else if (strcmp(name, "--systemd-cgroup") == 0) {
            g_systemd_cgroup = 1;
        } else if (strcmp(name, "--debug") == 0) {
        } else if (strcmp(name, "--version") == 0 || strcmp(name, "-v") == 0) {
            printf("ocirun version %s\nspec: %s\ncontainer.h: %s\nlibseccomp: %u.%u.%u\n",
                   OCIRUN_VERSION, OCI_VERSION, CONTAINER_VERSION_STRING, seccomp_version()->major,
                   seccomp_version()->minor, seccomp_version()->micro);
            return 0;
        } else if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            die("unknown global option %s (ocirun --help)", a);
        }
        i++;
    }
    if (i >= argc) {
        usage(stderr);
        return 1;
    }
    cmd = argv[i];
    argc -= i;
    argv += i;
    if (strcmp(cmd, "create") == 0) return cmd_create_or_run(argc, argv, 0);
    if (strcmp(cmd, "run") == 0) return cmd_create_or_run(argc, argv, 1);
    if (strcmp(cmd, "start") == 0) return cmd_start(argc, argv);
    if (strcmp(cmd, "state") == 0) return cmd_state(argc, argv);
    if (strcmp(cmd, "kill") == 0) return cmd_kill(argc, argv);
    if (strcmp(cmd, "delete") == 0) return cmd_delete(argc, argv);
    if (strcmp(cmd, "exec") == 0) return cmd_exec(argc, argv);
    if (strcmp(cmd, "ps") == 0) return cmd_ps(argc, argv);
    if (strcmp(cmd, "pause") == 0) return cmd_pause(argc, argv, 1);
    if (strcmp(cmd, "resume") == 0) return cmd_pause(argc, argv, 0);
    if (strcmp(cmd, "list") == 0) return cmd_list(argc, argv);
    if (strcmp(cmd, "spec") == 0) return cmd_spec(argc, argv);
    if (strcmp(cmd, "features") == 0) return cmd_features();
    if (strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    die("unknown command \"%s\" (ocirun --help)", cmd);
}
