/* broker - a plugin host: the plugin runs in a container and may read only the files the host
   approves, decided at each open, with a log line per decision, and connect only to port 8080 on
   loopback.  An example program for container.h (manual section 16).

       broker

   The plugin is this same program, run as "/plugin --plugin" in a container (the host's /usr,
   /lib... read-only, its own network namespace with only loopback).  The host intercepts open,
   openat, openat2 and connect:
   - open/openat: the host reads the path and decides.  /data/report.txt (read-only) is a file of
     the host's own, in a directory the container does not see; the loader's files (/etc/ld.so.cache,
     /lib..., /usr/lib...) are opened in the container's view (/proc/PID/root, resolved inside
     it).  Either way the host opens the file itself from its own copy of the path and the
     plugin's call returns that descriptor (ctr_syscall_inject_fd): whatever the plugin changes
     in its memory after the check, it gets what was approved.  Anything else fails with EACCES.
   - openat2 fails with ENOSYS (the C library then uses openat).
   - connect: allowed to 127.0.0.1:8080 only (the kernel runs it), EACCES otherwise.  Letting a
     call run after reading its arguments is no security decision by itself (the plugin could
     change the address after the check), so Landlock enforces the port in the kernel as well
     (Linux 6.7+), and the plugin's network namespace has nothing but loopback.
   Landlock also refuses every other file access the plugin makes without asking the host
   (creating, removing, renaming, executing anything but itself and its loader).
   The plugin starts two small services in its network namespace (ports 8080 and 9090), then
   tries: reading the approved report, a secret file next to it, /etc/passwd, the report for
   writing, connecting to 8080 and to 9090, and making a directory.  The denied attempts show up
   in the host's log and fail in the plugin with EACCES.  Exit status 0 if every attempt went as
   the policy says, 1 otherwise. */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include <arpa/inet.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPORT_LINE "quarterly report: 42 widgets"
#define REPORT      REPORT_LINE "\n"

/* ---- the plugin (in the container) ---- */

static int failures;

static void expect(const char *what, int ok, const char *got) {
    printf("plugin: %-34s %s%s\n", what, got, ok ? "" : "   <- NOT what the policy says");
    if (!ok) failures++;
}

static void try_open(const char *path, int flags, int want_errno) {
    char what[128], buf[256];
    int fd = open(path, flags | O_CLOEXEC);
    snprintf(what, sizeof what, "open %s%s", path, (flags & O_ACCMODE) ? " for writing" : "");
    if (fd < 0) {
        expect(what, errno == want_errno, strerror(errno));
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    int ok = want_errno == 0 && strcmp(buf, REPORT) == 0;
    expect(what, ok, ok ? "read: " REPORT_LINE : "read something else");
}

/* A service on 127.0.0.1:port that greets one client. */
static pid_t serve(int port) {
    struct sockaddr_in sa = {AF_INET, htons((uint16_t)port), {htonl(INADDR_LOOPBACK)}, {0}};
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, 1) != 0) {
        printf("plugin: service on port %d: %s\n", port, strerror(errno));
        failures++;
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        char msg[64];
        int c = accept(l, NULL, NULL);
        int n = snprintf(msg, sizeof msg, "hello from port %d", port);
        if (c >= 0 && write(c, msg, (size_t)n) != n) _exit(1);
        _exit(0);
    }
    close(l);
    return pid;
}

static void try_connect(int port, int want_errno) {
    struct sockaddr_in sa = {AF_INET, htons((uint16_t)port), {htonl(INADDR_LOOPBACK)}, {0}};
    char what[64], buf[64] = "";
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    snprintf(what, sizeof what, "connect 127.0.0.1:%d", port);
    if (connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
        expect(what, errno == want_errno, strerror(errno));
    } else {
        ssize_t n = read(s, buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = '\0';
        expect(what, want_errno == 0 && strstr(buf, "hello") != NULL, buf);
    }
    close(s);
}

static int plugin(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    pid_t a = serve(8080), b = serve(9090);
    try_open("/data/report.txt", O_RDONLY, 0);
    try_open("/data/secret.txt", O_RDONLY, EACCES);
    try_open("/etc/passwd", O_RDONLY, EACCES);
    try_open("/data/report.txt", O_WRONLY, EACCES);
    try_connect(8080, 0);
    try_connect(9090, EACCES);
    if (getenv("LANDLOCK_FILES")) { /* not an open: the host never sees it; Landlock refuses it */
        int r = mkdir("/tmp/plugin-was-here", 0755);
        expect("mkdir /tmp/plugin-was-here", r != 0 && errno == EACCES,
               r == 0 ? "made" : strerror(errno));
    }
    if (b > 0) kill(b, SIGKILL); /* its client never came */
    while (wait(NULL) > 0 || errno == EINTR) {}
    (void)a;
    return failures ? 1 : 0;
}

/* ---- the host ---- */

typedef struct policy {
    char data_dir[PATH_MAX]; /* the host's directory behind /data: only report.txt is approved */
} policy;

static void logline(const char *verdict, ctr_syscall *call, const char *what, const char *why) {
    fprintf(stderr, "broker: %-5s [%d] %s (%s)\n", verdict, (int)ctr_syscall_ns_pid(call, NULL),
            what, why);
}

/* The loader's files: read-only, in the container's own view. */
static int loader_file(const char *path) {
    return strcmp(path, "/etc/ld.so.cache") == 0 || strncmp(path, "/lib/", 5) == 0 ||
           strncmp(path, "/lib64/", 7) == 0 || strncmp(path, "/usr/lib/", 9) == 0;
}

/* Opens path as the container sees it: below /proc/PID/root, resolved inside it. */
static int open_in_container(ctr_syscall *call, const char *path) {
    char root[64];
    struct {
        uint64_t flags, mode, resolve;
    } how = {O_RDONLY | O_CLOEXEC, 0, 0x10 /* RESOLVE_IN_ROOT */ | 0x02 /* NO_MAGICLINKS */};
    snprintf(root, sizeof root, "/proc/%d/root", (int)call->pid);
    int dir = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
    if (dir >= 0) fd = (int)syscall(SYS_openat2, dir, path, &how, sizeof how);
    int e = errno;
    if (dir >= 0) close(dir);
    /* The thread id could have been reused by another process meanwhile: a read of nothing
       checks that the call still waits, so the root opened was the caller's. */
    if (fd >= 0 && ctr_syscall_read(call, 0, NULL, 0, NULL) != 0) {
        close(fd);
        fd = -1;
        e = ENOENT;
    }
    errno = e;
    return fd;
}

static int decide_open(ctr_syscall *call, policy *p, int path_arg, uint64_t flags) {
    char path[PATH_MAX], what[PATH_MAX + 32];
    ctr_error err;
    if (ctr_syscall_read_path(call, path_arg, path, sizeof path, &err) != 0) {
        logline("DENY", call, "open of an unreadable path", err.msg);
        return ctr_syscall_fail(call, EACCES);
    }
    snprintf(what, sizeof what, "open %s%s", path, (flags & O_ACCMODE) ? " for writing" : "");
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC | __O_TMPFILE))) {
        logline("DENY", call, what, "the plugin may only read");
        return ctr_syscall_fail(call, EACCES);
    }
    int fd;
    if (strcmp(path, "/data/report.txt") == 0) {
        char host[PATH_MAX + 16];
        snprintf(host, sizeof host, "%s/report.txt", p->data_dir);
        fd = open(host, O_RDONLY | O_CLOEXEC);
        logline("ALLOW", call, what, "approved report, the host's copy");
    } else if (loader_file(path) && !strstr(path, "/../")) {
        fd = open_in_container(call, path);
        logline("ALLOW", call, what, "the plugin's loader and libraries");
    } else {
        logline("DENY", call, what, "not approved");
        return ctr_syscall_fail(call, EACCES);
    }
    if (fd < 0) return ctr_syscall_fail(call, errno);
    int rc = ctr_syscall_inject_fd(call, fd);
    if (rc != 0) rc = ctr_syscall_fail(call, errno);
    close(fd);
    return rc;
}

static int decide_connect(ctr_syscall *call) {
    struct sockaddr_in sa;
    char what[80];
    memset(&sa, 0, sizeof sa);
    if (call->args[2] < sizeof(sa_family_t) ||
        ctr_syscall_read(call, call->args[1], &sa,
                         call->args[2] < sizeof sa ? call->args[2] : sizeof sa, NULL) != 0) {
        logline("DENY", call, "connect", "unreadable address");
        return ctr_syscall_fail(call, EACCES);
    }
    if (sa.sin_family != AF_INET) {
        snprintf(what, sizeof what, "connect (address family %u)", (unsigned)sa.sin_family);
        logline("DENY", call, what, "TCP to loopback only");
        return ctr_syscall_fail(call, EACCES);
    }
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof ip);
    snprintf(what, sizeof what, "connect %s:%u", ip, ntohs(sa.sin_port));
    if (sa.sin_addr.s_addr != htonl(INADDR_LOOPBACK) || ntohs(sa.sin_port) != 8080) {
        logline("DENY", call, what, "only 127.0.0.1:8080");
        return ctr_syscall_fail(call, EACCES);
    }
    logline("ALLOW", call, what, "the port Landlock also enforces");
    return ctr_syscall_continue(call);
}

static int on_syscall(ctr_syscall *call, void *user) {
    policy *p = (policy *)user;
    switch (call->nr) {
#ifdef SYS_open
    case SYS_open: return decide_open(call, p, 0, call->args[1]);
#endif
    case SYS_openat: return decide_open(call, p, 1, call->args[2]);
    case SYS_openat2: return ctr_syscall_fail(call, ENOSYS);
    case SYS_connect: return decide_connect(call);
    }
    return ctr_syscall_fail(call, EPERM);
}

/* The program interpreter (PT_INTERP) of this executable, for Landlock's exec rule. */
static int interpreter(char *out, size_t size) {
    FILE *f = fopen("/proc/self/exe", "rb");
    Elf64_Ehdr eh;
    int found = 0;
    if (!f) return 0;
    if (fread(&eh, sizeof eh, 1, f) == 1)
        for (int i = 0; i < eh.e_phnum && !found; i++) {
            Elf64_Phdr ph;
            if (fseek(f, (long)(eh.e_phoff + (size_t)i * eh.e_phentsize), SEEK_SET) != 0 ||
                fread(&ph, sizeof ph, 1, f) != 1)
                break;
            if (ph.p_type == PT_INTERP && ph.p_filesz < size &&
                fseek(f, (long)ph.p_offset, SEEK_SET) == 0 &&
                fread(out, 1, ph.p_filesz, f) == ph.p_filesz) {
                out[ph.p_filesz] = '\0';
                found = 1;
            }
        }
    fclose(f);
    return found;
}

static int write_file(const char *dir, const char *name, const char *text) {
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--plugin") == 0) return plugin();

    policy p;
    char self[PATH_MAX], interp[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        perror("broker: /proc/self/exe");
        return 1;
    }
    self[n] = '\0';
    snprintf(p.data_dir, sizeof p.data_dir, "/tmp/broker.XXXXXX");
    if (!mkdtemp(p.data_dir) || write_file(p.data_dir, "report.txt", REPORT) != 0 ||
        write_file(p.data_dir, "secret.txt", "the plugin must not see this\n") != 0) {
        perror("broker: data directory");
        return 1;
    }

    /* The plugin: this program at /plugin, on the host's userland (read-only). */
    const char *plugin_argv[] = {"/plugin", "--plugin", NULL};
    const char *plugin_env[] = {"PATH=/usr/bin:/bin", NULL, NULL};
    ctr_mount m[1];
    memset(m, 0, sizeof m);
    m[0].type = CTR_MOUNT_BIND;
    m[0].source = self;
    m[0].target = "/plugin";
    long intercept[] = {SYS_openat, SYS_openat2, SYS_connect,
#ifdef SYS_open
                        SYS_open
#endif
    };
    /* Landlock: executing the plugin and its loader, TCP bind on the plugin's two service ports
       and connect to 8080; every other file access and TCP port refused by the kernel. */
    ctr_landlock_rule rules[5];
    size_t nrules = 0;
    memset(rules, 0, sizeof rules);
    rules[nrules++] = (ctr_landlock_rule){"/plugin", CTR_LL_EXEC, 0};
    if (interpreter(interp, sizeof interp))
        rules[nrules++] = (ctr_landlock_rule){interp, CTR_LL_EXEC, 0};
    rules[nrules++] = (ctr_landlock_rule){NULL, CTR_LL_BIND_TCP, 8080};
    rules[nrules++] = (ctr_landlock_rule){NULL, CTR_LL_BIND_TCP, 9090};
    rules[nrules++] = (ctr_landlock_rule){NULL, CTR_LL_CONNECT_TCP, 8080};
    int abi = ctr_landlock_abi();
    if (abi >= 1) plugin_env[1] = "LANDLOCK_FILES=1";
    fprintf(stderr, "broker: Landlock ABI %d: %s\n", abi,
            abi >= 4   ? "files and TCP ports enforced by the kernel too"
            : abi >= 1 ? "files enforced by the kernel too, TCP ports by the host only"
                       : "not available: the host's decisions only");

    ctr_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.argv = plugin_argv;
    spec.env = plugin_env;
    spec.mounts = m;
    spec.nmounts = 1;
    spec.timeout_sec = 60;
    spec.intercept = intercept;
    spec.nintercept = sizeof intercept / sizeof intercept[0];
    spec.on_syscall = on_syscall;
    spec.on_syscall_user = &p;
    spec.landlock = rules;
    spec.nlandlock = nrules;
    spec.landlock_best_effort = 1; /* what the kernel cannot do, the host's decisions still do */

    ctr_container *c;
    ctr_error err;
    ctr_result res;
    int status = 1;
    if (ctr_spawn(&spec, &c, &err) != 0) {
        fprintf(stderr, "broker: %s: %s\n", ctr_step_name(err.step), err.msg);
    } else {
        if (ctr_wait(c, &res, &err) != 0)
            fprintf(stderr, "broker: wait: %s\n", err.msg);
        else if (res.exited)
            status = res.exit_code;
        else
            fprintf(stderr, "broker: the plugin was killed by signal %d\n", res.term_signal);
        ctr_destroy(c); /* no callback runs after this */
    }
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/report.txt", p.data_dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/secret.txt", p.data_dir);
    unlink(path);
    rmdir(p.data_dir);
    fprintf(stderr, "broker: the plugin %s\n",
            status == 0 ? "kept to the policy in every attempt"
                        : "saw something else than the policy says");
    return status;
}
