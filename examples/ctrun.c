/* ctrun - run a command in its own Linux container; an example program for container.h.

       ctrun [OPTIONS] [--] COMMAND [ARG...]          (ctrun --help lists the options)

   The options fill one ctr_spec; ctr_spawn() starts the container, and ctrun waits on its pidfd,
   forwarding SIGINT, SIGTERM and SIGHUP with ctr_kill() until it exits.  With --timeout the same
   poll() also wakes at ctr_deadline_ns(), and ctr_poll() kills the container once it has passed.
   Exit status as a shell's: the command's, 128+N for signal N, 124 when --timeout killed it (as
   timeout(1)), 125 for a setup failure, 126/127 for a command that cannot run / does not exist.
   --report FILE writes the result (or the setup error) as one line of JSON.

   parse_args() turns the command line into the spec without running anything (a usage error
   returns -1 and a one-line message: die() jumps back to it), so that tests/fuzz/ can feed it
   anything: compiled with CTRUN_NO_MAIN this file is that parser, without main().

   --seccomp FILE maps syscall and errno names to numbers with syscall_names.h, which the Makefile
   generates from the C library's <sys/syscall.h> and <errno.h> (build/syscall_names.h: lines
   CTRUN_SYSCALL(getpid) and CTRUN_ERRNO(EPERM)), so the names are those of the architecture
   ctrun is built for.  Building by hand: make build/ctrun once, then add -Ibuild.

   --trace-syscalls LIST intercepts those syscalls (spec.intercept): trace_call, on the library's
   serving thread, prints each with its arguments decoded and lets it run; --allow-* and --scope-*
   become Landlock rules (spec.landlock, spec.landlock_scope). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, getopt_long; g++ defines it already */
#endif
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_TIMEOUT = 124, EXIT_SETUP = 125, EXIT_CANNOT_RUN = 126, EXIT_NOT_FOUND = 127 };

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char usage_text[] =
    "usage: ctrun [OPTIONS] [--] COMMAND [ARG...]\n"
    "Run COMMAND in its own Linux container: new mount, pid, uts, ipc, net and cgroup namespaces,\n"
    "plus a user namespace when ctrun is not run as root.  Options are long ones, with two\n"
    "dashes (--ro, not -ro), written in full (--mem is not --memory); -h, -t, -i and -p are\n"
    "short forms of --help, --tty, --interactive and --publish.\n"
    "\n"
    "Filesystem (mounts are applied in order, after the default /proc, /dev and /tmp):\n"
    "  --rootfs DIR          DIR becomes the root (default: a tmpfs root with the host's\n"
    "                        /usr /bin /sbin /lib* /etc bound read-only).  DIR is never\n"
    "                        changed: the container writes into a throw-away layer over it\n"
    "                        (overlayfs), where missing mount points are made too\n"
    "  --rootfs-rw           write into DIR itself instead (no layer): changes, and missing\n"
    "                        mount points, stay in DIR on the host\n"
    "  --overlay LOWER[:LOWER...]\n"
    "                        the root is these read-only directories (layers, top first)\n"
    "                        under a writable layer: a tmpfs thrown away at the end, or\n"
    "  --overlay-upper DIR   a directory that keeps the changes (with --rootfs or --overlay;\n"
    "                        one container at a time; the work directory overlayfs needs is\n"
    "                        made next to DIR, and removed at the end)\n"
    "  --overlay-size SIZE   the size of the tmpfs layer (default: the kernel's, half the RAM)\n"
    "  --ro                  make the root read-only (no layer is needed when DIR has every\n"
    "                        mount point)\n"
    "  --bind SRC:DST        bind the host path SRC on DST, writable\n"
    "  --ro-bind SRC:DST     bind the host path SRC on DST, read-only\n"
    "  --tmpfs DST[:SIZE]    mount a tmpfs on DST; SIZE in bytes or with a k, m or g suffix\n"
    "  --dir DST             create the directory DST\n"
    "  --symlink TARGET:DST  create the symlink DST pointing to TARGET\n"
    "  --proc DST            mount the container's proc on DST\n"
    "  --dev DST             mount a minimal /dev on DST\n"
    "  --sysfs DST           mount a sysfs on DST (/sys), always read-only\n"
    "  --no-default-mounts   do not mount /proc, /dev and a tmpfs on /tmp\n"
    "  A mount on /proc, /dev or /tmp replaces the default one.  DST and TARGET are paths\n"
    "  inside the container; SRC is a host path.  Each argument is split at its first ':'.\n"
    "  Host paths (DIR of --rootfs, SRC, FILE of --seccomp and --report) may be relative to\n"
    "  the current directory: ctrun makes them absolute (--bind .:/work binds the current\n"
    "  directory), and its messages name them so.\n"
    "\n"
    "Process:\n"
    "  --hostname NAME       the container's hostname (default: container)\n"
    "  --cwd DIR             working directory (default: /)\n"
    "  --env K=V|NAME        repeatable.  NAME alone passes the host's value of NAME (if it\n"
    "                        is set; else nothing, as docker).  The command never gets the\n"
    "                        host's environment otherwise: without --env it gets only\n"
    "                        " DEFAULT_PATH "\n"
    "                        and HOME=/; with --env it gets exactly the variables given, plus\n"
    "                        that PATH and HOME=/ if you did not set PATH or HOME yourself\n"
    "  --uid N, --gid N      run as uid N and gid N inside the container (default: 0)\n"
    "  --init                run a tiny init as pid 1 that reaps zombies and forwards signals\n"
    "                        (its memory is a copy of ctrun's: refused with sys_ptrace as root)\n"
    "  -t, --tty             give the command a pseudo-terminal of its own (from the container's\n"
    "                        devpts) as stdin, stdout, stderr and controlling terminal, relayed\n"
    "                        to ctrun's stdout; its size follows ctrun's terminal\n"
    "  -i, --interactive     with -t: relay ctrun's input too (a terminal is put in raw mode\n"
    "                        and restored at exit: Ctrl-C then reaches the command's terminal);\n"
    "                        without -i the command's terminal gets no input\n"
    "  --fd N|HOST:CONT      pass ctrun's open descriptor N (or HOST) in as N (or CONT, 3 or\n"
    "                        above); repeatable.  Those and 0, 1, 2 are all the command has open\n"
    "\n"
    "Namespaces (the network's: see Network below):\n"
    "  --share NS            share the host's namespace NS instead of creating one: user, pid,\n"
    "                        net, ipc, uts or cgroup; repeatable\n"
    "  --userns              when run as root: a user namespace of its own in which the\n"
    "                        container's ids 0-65535 are host ids 100000-165535 (or the\n"
    "                        --uidmap/--gidmap ranges), its root and binds presented through\n"
    "                        idmapped mounts, so files owned by root look owned by root inside\n"
    "                        and nothing is chowned: the strongest isolation ctrun offers\n"
    "  --uidmap INSIDE:OUTSIDE:COUNT, --gidmap INSIDE:OUTSIDE:COUNT\n"
    "                        the user namespace's uid and gid ranges (repeatable; --gidmap\n"
    "                        defaults to --uidmap's).  As root: any range, idmapped root.  Not\n"
    "                        as root: ranges newuidmap and newgidmap allow (/etc/subuid,\n"
    "                        /etc/subgid; without either option such ranges, when the caller\n"
    "                        has them, map 0-65535 as podman does: the caller is 0)\n"
    "\n"
    "Network (default: a namespace with loopback only):\n"
    "  --net none|host|bridge[:NAME]|pasta\n"
    "                        none: loopback only; host: the host's network namespace;\n"
    "                        bridge (root): eth0 on bridge NAME (default ctrun0, made if missing)\n"
    "                        with an address of --subnet, a default route through the bridge,\n"
    "                        outbound NAT (nft masquerade; ip_forward is turned on) and the\n"
    "                        ports of -p; new connections into the bridge from elsewhere\n"
    "                        (another bridge, another host) are dropped, but to -p ports;\n"
    "                        pasta: pasta(1) gives the container the host's connectivity, as\n"
    "                        root or not (Debian package passt)\n"
    "  --subnet CIDR         bridge: the subnet (default 10.87.0.0/16; the bridge has its\n"
    "                        first address, each container a free one)\n"
    "  --subnet6 CIDR        bridge: an IPv6 subnet too (the container's address has the\n"
    "                        same host part as its IPv4 one)\n"
    "  -p, --publish [ADDR:]HOSTPORT:CONTAINERPORT[/udp]\n"
    "                        forward the host's port (on ADDR only, if given) to the\n"
    "                        container's; repeatable.  bridge: nft DNAT, reached at the host's\n"
    "                        addresses but not at 127.0.0.1, and the host port is held by\n"
    "                        ctrun meanwhile; pasta: forwarded by pasta, 127.0.0.1 too\n"
    "  --listen [ADDR:]PORT[/udp]\n"
    "                        bind PORT (on ADDR, default every IPv6 and IPv4 address; [::1]\n"
    "                        for IPv6) and pass the socket systemd-style: fds 3, 4... with\n"
    "                        LISTEN_FDS, LISTEN_FDNAMES (tcp-PORT, udp-PORT) and LISTEN_PID;\n"
    "                        works with every --net, even none; repeatable\n"
    "  --dns ADDR            nameserver for the container's /etc/resolv.conf (bridge, pasta);\n"
    "                        repeatable.  Default: the host's non-loopback ones (bridge), or\n"
    "                        pasta's forwarder to the host's resolver\n"
    "  State: $CTRUN_STATE_DIR (default /run/ctrun) holds the addresses in use; rules and\n"
    "  addresses of a ctrun that was killed are removed by the next one with --net bridge.\n"
    "\n"
    "Security (the defaults: the 14 capabilities Docker gives, no_new_privs, the library's\n"
    "seccomp filter, masked /proc paths; section 9 of the manual at the top of container.h\n"
    "explains each):\n"
    "  --cap-add CAP         add capability CAP to the default set; a --uid other than 0 gets\n"
    "                        only the capabilities added; repeatable\n"
    "  --cap-drop CAP|all    remove CAP, or every capability; repeatable.  The last --cap-add or\n"
    "                        --cap-drop naming a capability wins: --cap-drop all --cap-add chown\n"
    "                        leaves CAP_CHOWN alone.  CAP: a name of capabilities(7), any case,\n"
    "                        CAP_ prefix optional: chown dac_override dac_read_search fowner\n"
    "                        fsetid kill setgid setuid setpcap linux_immutable net_bind_service\n"
    "                        net_broadcast net_admin net_raw ipc_lock ipc_owner sys_module\n"
    "                        sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin sys_boot\n"
    "                        sys_nice sys_resource sys_time sys_tty_config mknod lease\n"
    "                        audit_write audit_control setfcap mac_override mac_admin syslog\n"
    "                        wake_alarm block_suspend audit_read perfmon bpf checkpoint_restore\n"
    "                        (or all)\n"
    "  --seccomp default|none|FILE\n"
    "                        default: the library's filter (mount, unshare, setns, keyctl, bpf,\n"
    "                        kexec, module loading, clone with new namespaces... fail with\n"
    "                        EPERM), whatever the capabilities; none: no filter; FILE: your own\n"
    "                        (a file named default or none: write ./default), one rule a line,\n"
    "                        # starts a comment:\n"
    "                          default ACTION   for the syscalls not listed (without it: allow)\n"
    "                          SYSCALL ACTION   SYSCALL: a name of <sys/syscall.h> without SYS_\n"
    "                                           (getpid, uname...) or a number; once each\n"
    "                        ACTION: allow; errno [E] (the call fails with E: a name such as\n"
    "                        EPERM or ENOSYS, or a number; EPERM if not given); kill (the process\n"
    "                        dies of SIGSYS: status 159); log (allowed, and logged to the "
    "kernel's\n"
    "                        audit log, or dmesg).  A syscall newer than the C library needs its\n"
    "                        number.  The filter starts just before execve: with default errno or\n"
    "                        kill, allow execve and everything the command and its loader call\n"
    "                        (strace -f -c COMMAND lists them), or it dies at once (SIGSEGV, 139,\n"
    "                        or SIGSYS); a refused execve gives 126 only if write and exit_group\n"
    "                        are allowed.  Syscalls of another ABI (i386, x32) fail with ENOSYS\n"
    "                        whatever FILE says\n"
    "  --allow-new-privs     do not set no_new_privs (every mount is nosuid all the same, so\n"
    "                        setuid programs still gain nothing)\n"
    "  --no-masks            do not hide /proc/keys, /proc/kallsyms... nor make /proc/sys,\n"
    "                        /proc/sysrq-trigger... read-only (with ctrun run as root, the\n"
    "                        container's uid 0 can then write the host's sysctls)\n"
    "\n"
    "Policy (section 16 of the manual: Landlock, kernel 5.13+, and system calls shown to ctrun):\n"
    "  --allow-read PATH     the command may read files and list directories beneath PATH\n"
    "  --allow-write PATH    ... write, create, remove and rename beneath PATH\n"
    "  --allow-exec PATH     ... execute (and read) PATH or the files beneath it.  Once one of "
    "the\n"
    "                        three is given, every other file access is refused (EACCES): allow\n"
    "                        --allow-exec for the command itself, and --allow-read for its\n"
    "                        libraries (/usr, /lib...) unless it is static.  PATH is a path\n"
    "                        inside the container; each option is repeatable\n"
    "  --allow-connect PORT  TCP connect to PORT (Landlock ABI 4, Linux 6.7+); once one of\n"
    "  --allow-bind PORT     these two is given, every other TCP connect and bind is refused\n"
    "  --scope-unix          no connecting to abstract unix sockets made outside the container\n"
    "  --scope-signal        no signals to processes outside the container (both Linux 6.12+)\n"
    "  --landlock-best-effort\n"
    "                        on an older kernel, drop what it cannot enforce instead of failing\n"
    "  --trace-syscalls LIST print each call of the container to the syscalls in LIST (names of\n"
    "                        <sys/syscall.h> without SYS_, comma-separated: openat,connect) on\n"
    "                        stderr, with paths and socket addresses decoded, and let it run:\n"
    "                        \"ctrun: [PID] openat(AT_FDCWD, \\\"/etc/passwd\\\", O_RDONLY)\", PID "
    "as\n"
    "                        the container sees it.  The call's arguments are read before it\n"
    "                        runs; its result is not shown.  A syscall the seccomp filter\n"
    "                        refuses is refused without being shown\n"
    "\n"
    "Limits (--memory, --memory-swap, --pids, --cpus, --cpu-weight and --io-weight put the\n"
    "container in a cgroup of its own; if one cannot be applied, ctrun fails with 125):\n"
    "  --memory SIZE         memory limit; SIZE in bytes or with a k, m or g suffix, at least\n"
    "                        1m (512 is 512 bytes: ctrun refuses it and suggests 512m).  When it\n"
    "                        is exceeded the kernel's OOM killer kills a process of the container\n"
    "  --memory-swap SIZE    swap allowed on top of --memory (default: none); needs --memory\n"
    "  --pids N              at most N processes and threads; fork fails beyond\n"
    "  --cpus X              CPU time: X CPUs' worth, 0.01 or more (0.5 = half of one CPU)\n"
    "  --cpu-weight N        relative CPU weight under contention, 1 to 10000 (default 100)\n"
    "  --io-weight N         relative I/O weight, 1 to 10000 (default 100)\n"
    "  --cgroup-parent PATH  create the container's cgroup (if a limit above makes one) in PATH,\n"
    "                        an existing cgroup relative to /sys/fs/cgroup (cgroup v1: to each\n"
    "                        /sys/fs/cgroup/CONTROLLER)\n"
    "  --rlimit NAME=SOFT[:HARD]\n"
    "                        a resource limit, set inside the container.  NAME: nofile nproc\n"
    "                        core fsize stack as cpu memlock data (any case, RLIMIT_ prefix\n"
    "                        allowed); SOFT, HARD: a number in the limit's unit, or unlimited;\n"
    "                        HARD defaults to SOFT; repeatable.  Without it, core is 0\n"
    "  --timeout SECONDS     kill the container after SECONDS (a decimal number; 0.001 to\n"
    "                        1000000000), and exit with 124\n"
    "  --report FILE         when the container has ended, write its result to FILE (- for\n"
    "                        stderr) as one line of JSON:\n"
    "                        {\"exit_code\":N|null,\"signal\":N|null,\"timed_out\":BOOL,\n"
    "                        \"oom_killed\":BOOL,\"memory_peak_bytes\":N,\"cpu_user_seconds\":X,\n"
    "                        \"cpu_system_seconds\":X,\"wall_seconds\":X}.  If it could not be "
    "set\n"
    "                        up or the command could not run (125, 126, 127), FILE gets\n"
    "                        {\"error\":{\"step\":S,\"errno\":N,\"path\":S,\"message\":S}}.\n"
    "                        FILE is created before the container starts; a usage error\n"
    "                        writes no report; if it cannot be written at the end, ctrun says\n"
    "                        so on stderr and keeps the exit status\n"
    "  --quiet               do not print the line that says how the command was killed\n"
    "\n"
    "  -h, --help            show this help\n"
    "  --version             show ctrun's version (that of container.h)\n"
    "\n"
    "ctrun forwards SIGINT, SIGTERM and SIGHUP to the container.  Without --init the command is\n"
    "pid 1, which ignores every signal it has no handler for: when it has none for the signal,\n"
    "ctrun kills it instead, as the signal would have (so Ctrl-C stops ctrun sleep 60), and\n"
    "exits with 128+N for that signal N.\n"
    "\n"
    "Exit status: the command's; 128+N if it was killed by signal N (137 for SIGKILL, e.g. by\n"
    "the OOM killer); 124 if --timeout killed it; 125 if the container could not be set up or\n"
    "the usage is wrong; 126 if the command exists but cannot be run; 127 if it does not exist.\n"
    "With 125, 126 and 127 ctrun prints one line on stderr (\"ctrun: STEP: PATH: REASON\" when\n"
    "the container failed); a bad option stops it before anything runs, and an unknown one\n"
    "names the closest option.  When the command was killed, one line on stderr says why,\n"
    "with the limit that applied, unless --quiet: \"ctrun: killed: out of memory (memory limit\n"
    "64 MiB)\", \"ctrun: killed: timed out (timeout 0.5 s)\" or \"ctrun: killed: signal 11\n"
    "(SIGSEGV, Segmentation fault)\" (not for SIGINT and SIGPIPE, about which shells are\n"
    "silent too); \"ctrun: out of memory: ...\" when the OOM killer killed a process of the\n"
    "container other than the command.\n";

#define NRLIMIT_NAMES 9
#define MAX_PIDS      4194304 /* PID_MAX_LIMIT: no more processes can exist */

enum { SHOW_NOTHING, SHOW_HELP, SHOW_VERSION };

typedef struct options {
    ctr_spec spec;
    ctr_mount *mounts; /* one slot per command-line argument: always enough */
    const char **env;  /* likewise, plus PATH, HOME and the terminating NULL */
    size_t nenv;
    ctr_rlimit rlimit_slot[NRLIMIT_NAMES]; /* per name; a repeated --rlimit NAME replaces */
    int rlimit_given[NRLIMIT_NAMES];
    ctr_rlimit rlimits[NRLIMIT_NAMES]; /* the given ones, packed: spec.rlimits */
    const char *report;                /* --report FILE, or NULL */
    const char *seccomp_file;          /* --seccomp FILE, read once the options are parsed */
    ctr_seccomp_rule *seccomp_rules;
    int quiet;       /* --quiet: no line saying how the command was killed */
    int interactive; /* -i: with -t, the terminal's input goes to the container */
    ctr_fd *fds;     /* --fd: one slot per argument */
    int show;        /* SHOW_HELP, SHOW_VERSION: print that instead of running anything */
    char **owned; /* strings made while parsing (absolute paths, NAME=value): enough for all */
    size_t nowned;
    char *cwd; /* getcwd(), once a relative host path needs it */
    /* --seccomp FILE being read, its line buffer, the line of each rule (for "listed twice"):
       here so that free_options frees them whatever happens */
    FILE *seccomp_f;
    char *seccomp_line;
    unsigned long *rule_lines;
    char error[512]; /* parse_args() returned -1: the message, without "ctrun: " */
    const char **lowers;          /* --overlay: split at ':', NULL-terminated */
    ctr_idmap *uid_map, *gid_map; /* --uidmap, --gidmap: one slot per argument */
    int userns;                   /* --userns */
    ctr_landlock_rule *landlock; /* one slot per command-line argument */
    long *trace;                 /* --trace-syscalls: the syscall numbers */
} options;

#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 1, 2)))
#endif
static void
die(const char *fmt, ...);

/* While parse_args() runs: where die() jumps back to, and the options it fills. */
static jmp_buf *parse_jump;
static options *parse_options_of;

/* Bad usage or no memory: while parsing, the message goes to options.error and parse_args()
   returns -1; otherwise one line on stderr, exit status 125. */
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    for (char *c = line; *c; c++) /* one line, whatever an argument held */
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    if (parse_jump) {
        memcpy(parse_options_of->error, line, sizeof line);
        longjmp(*parse_jump, 1);
    }
    fprintf(stderr, "ctrun: %s\n", line);
    exit(EXIT_SETUP);
}

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n, size);
    if (!p) die("calloc: %s", strerror(errno));
    return p;
}

/* A string that lives as long as the options (freed by free_options). */
static char *owned_string(options *o, size_t size) {
    char *s = (char *)xcalloc(1, size);
    o->owned[o->nowned++] = s;
    return s;
}

/* A host path made absolute against the current directory, "." and empty components left out
   ("rootfs" -> "/home/me/rootfs", "./" -> "/home/me"), so that errors name it in full.  ".." is
   kept: the kernel resolves it, through symlinks, as it would have. */
static const char *host_path(options *o, const char *opt, const char *path) {
    if (!path[0]) die("%s: expected a path, got ''", opt);
    if (path[0] == '/') return path;
    if (!o->cwd && !(o->cwd = getcwd(NULL, 0)))
        die("%s: %s: cannot resolve it against the current directory: %s", opt, path,
            strerror(errno));
    size_t len = strlen(o->cwd);
    char *out = owned_string(o, len + strlen(path) + 2);
    memcpy(out, o->cwd, len);
    for (const char *s = path; *s;) {
        size_t n = strcspn(s, "/");
        if (n && !(n == 1 && s[0] == '.')) {
            if (out[len - 1] != '/') out[len++] = '/';
            memcpy(out + len, s, n);
            len += n;
        }
        s += n + strspn(s + n, "/");
    }
    out[len] = '\0';
    return out;
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

static ctr_mount *add_mount(options *o, ctr_mount_type type, const char *source, const char *target,
                            unsigned flags) {
    ctr_mount *m = &o->mounts[o->spec.nmounts++];
    m->type = type;
    m->source = source;
    m->target = target;
    m->flags = flags;
    return m;
}

/* --bind, --ro-bind and --symlink: "SOURCE:TARGET" (a bind's SOURCE is a host path). */
static void add_pair(options *o, ctr_mount_type type, const char *opt, char *arg, unsigned flags) {
    const char *target = split_pair(opt, arg);
    add_mount(o, type, type == CTR_MOUNT_BIND ? host_path(o, opt, arg) : arg, target, flags);
}

/* "64m" -> 64 << 20.  Digits with an optional k, m or g suffix (either case). */
static uint64_t parse_size(const char *opt, const char *s) {
    static const char units[] = "kmg";
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    const char *unit = *end ? strchr(units, tolower((unsigned char)*end)) : NULL;
    int shift = unit ? 10 * (int)(unit - units + 1) : 0;
    if (unit) end++;
    if (!isdigit((unsigned char)s[0]) || errno || *end || n > (UINT64_MAX >> shift))
        die("%s: bad size '%s' (a number with an optional k, m or g suffix)", opt, s);
    return (uint64_t)n << shift;
}

static void add_tmpfs(options *o, char *arg) {
    const char *size = strchr(arg, ':') ? split_pair("--tmpfs", arg) : NULL;
    ctr_mount *m = add_mount(o, CTR_MOUNT_TMPFS, NULL, arg, 0);
    if (size) m->size = parse_size("--tmpfs", size);
}

/* --memory: at least 1 MiB.  A plain number is bytes, so "512" meant as megabytes would start
   a container that the OOM killer kills before its command runs: refused, with a hint. */
static uint64_t parse_memory(const char *opt, const char *s) {
    uint64_t n = parse_size(opt, s);
    if (n == 0) die("%s: the limit must be at least 1m, got '%s' (no limit: leave it out)", opt, s);
    if (n < (1u << 20) && isdigit((unsigned char)s[strlen(s) - 1]))
        die("%s: %s bytes is too little for a container (at least 1m); did you mean %sm?", opt, s,
            s);
    if (n < (1u << 20)) die("%s: %s is too little for a container (at least 1m)", opt, s);
    return n;
}

static const char *non_empty(const char *opt, const char *s) {
    if (!s[0]) die("%s: expected a non-empty argument", opt);
    return s;
}

/* A whole decimal number from min to max. */
static uint64_t parse_count(const char *opt, const char *s, uint64_t min, uint64_t max) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (!isdigit((unsigned char)s[0]) || errno || *end || n < min || n > max)
        die("%s: expected a whole number from %llu to %llu, got '%s'", opt, (unsigned long long)min,
            (unsigned long long)max, s);
    return (uint64_t)n;
}

/* A decimal number ("0.5", "2", "1e-1") from min to max; no sign, inf or nan. */
static double parse_decimal(const char *opt, const char *s, double min, double max,
                            const char *what) {
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    int starts_ok = isdigit((unsigned char)s[0]) || (s[0] == '.' && isdigit((unsigned char)s[1]));
    if (!starts_ok || errno || *end || !(x >= min && x <= max))
        die("%s: expected %s from %.10g to %.10g, got '%s'", opt, what, min, max, s);
    return x;
}

/* --rlimit NAME=SOFT[:HARD] */
static const struct rlimit_name {
    const char *name;
    int resource;
} rlimit_names[NRLIMIT_NAMES] = {
    {"nofile", RLIMIT_NOFILE}, {"nproc", RLIMIT_NPROC},     {"core", RLIMIT_CORE},
    {"fsize", RLIMIT_FSIZE},   {"stack", RLIMIT_STACK},     {"as", RLIMIT_AS},
    {"cpu", RLIMIT_CPU},       {"memlock", RLIMIT_MEMLOCK}, {"data", RLIMIT_DATA}};

static uint64_t parse_rlimit_value(const char *arg, const char *s) {
    char *end;
    if (strcasecmp(s, "unlimited") == 0) return CTR_RLIM_INFINITY;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (!isdigit((unsigned char)s[0]) || errno || *end)
        die("--rlimit: bad value '%s' in '%s' (a whole number or unlimited)", s, arg);
    return (uint64_t)n;
}

static void add_rlimit(options *o, const char *arg) {
    const char *eq = strchr(arg, '=');
    const char *name = arg;
    size_t len = eq ? (size_t)(eq - arg) : 0;
    if (!eq || eq == arg || !eq[1]) die("--rlimit: expected NAME=SOFT[:HARD], got '%s'", arg);
    if (len > 7 && strncasecmp(name, "rlimit_", 7) == 0) {
        name += 7;
        len -= 7;
    }
    size_t i = 0;
    while (i < NRLIMIT_NAMES && !(strlen(rlimit_names[i].name) == len &&
                                  strncasecmp(name, rlimit_names[i].name, len) == 0))
        i++;
    if (i == NRLIMIT_NAMES)
        die("--rlimit: unknown limit '%.*s' (nofile, nproc, core, fsize, stack, as, cpu, memlock "
            "or "
            "data)",
            (int)(eq - arg), arg);

    char values[64];
    const char *v = eq + 1;
    if (strlen(v) >= sizeof values)
        die("--rlimit: bad value '%s' in '%s' (a whole number or unlimited)", v, arg);
    strcpy(values, v);
    char *colon = strchr(values, ':');
    if (colon) *colon = '\0';
    ctr_rlimit *r = &o->rlimit_slot[i];
    r->resource = rlimit_names[i].resource;
    r->soft = parse_rlimit_value(arg, values);
    r->hard = colon ? parse_rlimit_value(arg, colon + 1) : r->soft;
    if (r->soft > r->hard) die("--rlimit: the soft limit is above the hard limit in '%s'", arg);
    o->rlimit_given[i] = 1;
}

static void finish_rlimits(options *o) {
    size_t n = 0;
    for (size_t i = 0; i < NRLIMIT_NAMES; i++)
        if (o->rlimit_given[i]) o->rlimits[n++] = o->rlimit_slot[i];
    o->spec.rlimits = o->rlimits;
    o->spec.nrlimits = n;
}

/* --cap-add, --cap-drop: the capabilities of <linux/capability.h>, by number. */
static const char *const cap_names[] = {"chown",
                                        "dac_override",
                                        "dac_read_search",
                                        "fowner",
                                        "fsetid",
                                        "kill",
                                        "setgid",
                                        "setuid",
                                        "setpcap",
                                        "linux_immutable",
                                        "net_bind_service",
                                        "net_broadcast",
                                        "net_admin",
                                        "net_raw",
                                        "ipc_lock",
                                        "ipc_owner",
                                        "sys_module",
                                        "sys_rawio",
                                        "sys_chroot",
                                        "sys_ptrace",
                                        "sys_pacct",
                                        "sys_admin",
                                        "sys_boot",
                                        "sys_nice",
                                        "sys_resource",
                                        "sys_time",
                                        "sys_tty_config",
                                        "mknod",
                                        "lease",
                                        "audit_write",
                                        "audit_control",
                                        "setfcap",
                                        "mac_override",
                                        "mac_admin",
                                        "syslog",
                                        "wake_alarm",
                                        "block_suspend",
                                        "audit_read",
                                        "perfmon",
                                        "bpf",
                                        "checkpoint_restore"};

/* "sys_admin", "CAP_SYS_ADMIN", "all" -> its CTR_CAP bit(s). */
static uint64_t parse_cap(const char *opt, const char *arg) {
    const char *name = strncasecmp(arg, "cap_", 4) == 0 ? arg + 4 : arg;
    if (strcasecmp(arg, "all") == 0) return CTR_CAPS_ALL;
    for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
        if (strcasecmp(name, cap_names[i]) == 0) return CTR_CAP(i);
    die("%s: unknown capability '%s' (a name of capabilities(7) such as chown, net_admin or "
        "CAP_SYS_ADMIN, or all; see ctrun --help)",
        opt, arg);
}

/* The last --cap-add or --cap-drop naming a capability wins. */
static void add_cap(options *o, const char *arg) {
    uint64_t bits = parse_cap("--cap-add", arg);
    o->spec.cap_add |= bits;
    o->spec.cap_drop &= ~bits;
}

static void drop_cap(options *o, const char *arg) {
    uint64_t bits = parse_cap("--cap-drop", arg);
    o->spec.cap_drop |= bits;
    o->spec.cap_add &= ~bits;
}

/* --seccomp FILE.  Names come from build/syscall_names.h (see the top of this file). */
typedef struct named_number {
    const char *name;
    long number;
} named_number;

#define CTRUN_SYSCALL(name) {#name, SYS_##name},
#define CTRUN_ERRNO(name)
static const named_number syscall_names[] = {
#include "syscall_names.h"
    {NULL, 0}};
#undef CTRUN_SYSCALL
#undef CTRUN_ERRNO
#define CTRUN_SYSCALL(name)
#define CTRUN_ERRNO(name) {#name, name},
static const named_number errno_names[] = {
#include "syscall_names.h"
    {NULL, 0}};
#undef CTRUN_SYSCALL
#undef CTRUN_ERRNO

/* A name of the table (case-insensitive if asked) or a decimal number from min to max; -1 if
   it is neither. */
static long lookup_number(const named_number *table, int nocase, const char *s, long min,
                          long max) {
    if (isdigit((unsigned char)s[0])) {
        char *end;
        errno = 0;
        long n = strtol(s, &end, 10);
        return errno || *end || n < min || n > max ? -1 : n;
    }
    for (size_t i = 0; table[i].name; i++)
        if ((nocase ? strcasecmp(s, table[i].name) : strcmp(s, table[i].name)) == 0)
            return table[i].number;
    return -1;
}

#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 3, 4)))
#endif
static void
die_at(const char *file, unsigned long line, const char *fmt, ...);

/* die("--seccomp: FILE:LINE: what"). */
static void die_at(const char *file, unsigned long line, const char *fmt, ...) {
    char what[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    die("--seccomp: %s:%lu: %s", file, line, what);
}

/* "allow", "kill", "log", "errno [E]": the words after the syscall (or "default"). */
static void parse_action(const char *file, unsigned long line, char **words, size_t nwords,
                         ctr_seccomp_action *action, int *errno_value) {
    *errno_value = 0;
    if (nwords < 2)
        die_at(file, line, "expected an action after '%s' (allow, errno [E], kill or log)",
               words[0]);
    if (strcasecmp(words[1], "allow") == 0)
        *action = CTR_SECCOMP_ALLOW;
    else if (strcasecmp(words[1], "kill") == 0)
        *action = CTR_SECCOMP_KILL;
    else if (strcasecmp(words[1], "log") == 0)
        *action = CTR_SECCOMP_LOG;
    else if (strcasecmp(words[1], "errno") == 0)
        *action = CTR_SECCOMP_ERRNO;
    else
        die_at(file, line, "unknown action '%s' (allow, errno [E], kill or log)", words[1]);
    if (*action == CTR_SECCOMP_ERRNO) {
        *errno_value = EPERM;
        if (nwords >= 3) {
            long e = lookup_number(errno_names, 1, words[2], 1, 4095);
            if (e < 0)
                die_at(file, line,
                       "unknown errno '%s' (a name such as EPERM or ENOSYS, or a number "
                       "from 1 to 4095)",
                       words[2]);
            *errno_value = (int)e;
        }
        if (nwords > 3) die_at(file, line, "unexpected '%s' after the errno", words[3]);
    } else if (nwords > 2) {
        die_at(file, line, "unexpected '%s' after the action %s (only errno takes a value)",
               words[2], words[1]);
    }
}

/* Reads FILE into spec.seccomp_rules, spec.seccomp_default_action and _errno. */
static void read_seccomp_file(options *o, const char *file) {
    FILE *f = o->seccomp_f = fopen(file, "r");
    if (!f) die("--seccomp: %s: %s", file, strerror(errno));
    size_t bufsize = 0, nrules = 0, cap = 0;
    unsigned long line = 0, default_line = 0;
    o->spec.seccomp = CTR_SECCOMP_RULES;
    o->spec.seccomp_default_action = CTR_SECCOMP_ALLOW;
    while (getline(&o->seccomp_line, &bufsize, f) >= 0) {
        char *buf = o->seccomp_line;
        line++;
        char *hash = strchr(buf, '#');
        if (hash) *hash = '\0';
        static const char space[] = " \t\r\n\v\f";
        char *words[4], *save = NULL, *w;
        size_t nwords = 0; /* a fourth word is always one too many */
        for (w = strtok_r(buf, space, &save); w && nwords < 4; w = strtok_r(NULL, space, &save))
            words[nwords++] = w;
        if (nwords == 0) continue;
        if (strcmp(words[0], "default") == 0) {
            if (default_line)
                die_at(file, line, "a second default line (the first is line %lu)", default_line);
            default_line = line;
            parse_action(file, line, words, nwords, &o->spec.seccomp_default_action,
                         &o->spec.seccomp_default_errno);
            continue;
        }
        long nr = lookup_number(syscall_names, 0, words[0], 0, 4095);
        if (nr < 0)
            die_at(file, line,
                   "unknown syscall '%s' (a name of <sys/syscall.h> without SYS_, such as "
                   "getpid, or a number from 0 to 4095)",
                   words[0]);
        for (size_t i = 0; i < nrules; i++)
            if (o->seccomp_rules[i].nr == nr)
                die_at(file, line, "syscall '%s' is already listed on line %lu", words[0],
                       o->rule_lines[i]);
        if (nrules == cap) {
            cap = cap ? 2 * cap : 32;
            void *rules = realloc(o->seccomp_rules, cap * sizeof *o->seccomp_rules);
            if (rules) o->seccomp_rules = (ctr_seccomp_rule *)rules;
            void *lines = rules ? realloc(o->rule_lines, cap * sizeof *o->rule_lines) : NULL;
            if (lines) o->rule_lines = (unsigned long *)lines; /* where each rule was */
            if (!rules || !lines) die("realloc: %s", strerror(errno));
        }
        ctr_seccomp_rule *r = &o->seccomp_rules[nrules];
        r->nr = nr;
        parse_action(file, line, words, nwords, &r->action, &r->errno_value);
        o->rule_lines[nrules++] = line;
    }
    if (ferror(f)) die("--seccomp: %s: %s", file, strerror(errno));
    o->spec.seccomp_rules = o->seccomp_rules;
    o->spec.nseccomp_rules = nrules;
}

static void set_seccomp(options *o, const char *arg) {
    o->seccomp_file = NULL;
    if (strcmp(arg, "default") == 0)
        o->spec.seccomp = CTR_SECCOMP_DEFAULT;
    else if (strcmp(arg, "none") == 0)
        o->spec.seccomp = CTR_SECCOMP_NONE;
    else
        o->seccomp_file = host_path(o, "--seccomp", arg);
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
                                    CTR_NS_IPC,  CTR_NS_UTS, CTR_NS_CGROUP};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0) return bits[i];
    die("--share: unknown namespace '%s' (user, pid, net, ipc, uts or cgroup)", name);
}

#include "ctrun_net.h" /* --net bridge and pasta, -p, --listen, --subnet, --dns */

static void set_net(options *o, const char *arg) {
    if (strcmp(arg, "host") == 0)
        o->spec.share |= CTR_NS_NET;
    else if (strcmp(arg, "none") != 0 && !net_mode(arg))
        die("--net: expected none, host, bridge[:NAME] or pasta, got '%s'", arg);
}

/* --overlay LOWER[:LOWER...] (argv strings are ours to cut). */
static void set_overlay(options *o, char *arg) {
    size_t n = 0;
    free(o->lowers);
    for (const char *c = arg; *c; c++) n += *c == ':';
    o->lowers = (const char **)xcalloc(n + 2, sizeof *o->lowers);
    n = 0;
    for (char *save = NULL, *t = strtok_r(arg, ":", &save); t; t = strtok_r(NULL, ":", &save))
        o->lowers[n++] = host_path(o, "--overlay", t);
    if (n == 0) die("--overlay: expected LOWER[:LOWER...], got '%s'", arg);
    o->spec.lowers = o->lowers;
}

/* --uidmap/--gidmap INSIDE:OUTSIDE:COUNT */
static void add_idmap(const char *opt, ctr_idmap *map, size_t *n, const char *arg) {
    unsigned long v[3];
    const char *s = arg;
    for (int i = 0; i < 3; i++) {
        char *end;
        errno = 0;
        v[i] = strtoul(s, &end, 10);
        if (!isdigit((unsigned char)*s) || errno || v[i] > 0xfffffffeUL ||
            *end != (i < 2 ? ':' : '\0'))
            die("%s: expected INSIDE:OUTSIDE:COUNT (three numbers), got '%s'", opt, arg);
        s = end + 1;
    }
    map[*n].inside = (uint32_t)v[0];
    map[*n].outside = (uint32_t)v[1];
    map[*n].count = (uint32_t)v[2];
    (*n)++;
}

/* --userns as root without ranges: 0-65535 on host ids 100000-165535. */
static void finish_userns(options *o) {
    static const ctr_idmap dflt = {0, 100000, 65536};
    if (o->spec.nuid_map) {
        o->spec.uid_map = o->uid_map;
        if (o->spec.ngid_map) o->spec.gid_map = o->gid_map;
    } else if (o->spec.ngid_map) {
        die("--gidmap: needs --uidmap too");
    } else if (o->userns && geteuid() == 0) {
        o->spec.uid_map = &dflt;
        o->spec.nuid_map = 1;
    } else if (o->userns) {
        o->spec.new_userns = 1; /* not root: it has one anyway */
    }
}

/* --env K=V, or --env NAME for the host's NAME=value (nothing if NAME is not set). */
static void add_env(options *o, const char *arg) {
    if (!arg[0] || arg[0] == '=') die("--env: expected K=V or NAME, got '%s'", arg);
    if (strchr(arg, '=')) {
        o->env[o->nenv++] = arg;
        return;
    }
    const char *value = getenv(arg);
    if (!value) return;
    size_t name_len = strlen(arg), value_len = strlen(value);
    char *kv = owned_string(o, name_len + value_len + 2);
    memcpy(kv, arg, name_len);
    kv[name_len] = '=';
    memcpy(kv + name_len + 1, value, value_len + 1);
    o->env[o->nenv++] = kv;
}

static int env_has(const options *o, const char *prefix) {
    for (size_t i = 0; i < o->nenv; i++)
        if (strncmp(o->env[i], prefix, strlen(prefix)) == 0) return 1;
    return 0;
}

/* With --env: the variables given, plus the default PATH and HOME unless given. */
static void finish_env(options *o) {
    if (o->nenv == 0) return; /* spec.env = NULL: the library's defaults, PATH and HOME=/ */
    int has_path = env_has(o, "PATH="), has_home = env_has(o, "HOME=");
    if (!has_path) o->env[o->nenv++] = DEFAULT_PATH;
    if (!has_home) o->env[o->nenv++] = "HOME=/";
    o->env[o->nenv] = NULL;
    o->spec.env = o->env;
}

/* ---- policy: Landlock rules, --trace-syscalls ---- */

static void add_landlock(options *o, const char *opt, const char *path, unsigned access) {
    ctr_landlock_rule *r = &o->landlock[o->spec.nlandlock++];
    if (path && path[0] != '/')
        die("%s: expected an absolute path inside the container, got '%s'", opt, path);
    r->path = path;
    r->access = access;
    o->spec.landlock = o->landlock;
}

static void add_port(options *o, const char *opt, const char *arg, unsigned access) {
    add_landlock(o, opt, NULL, access);
    o->landlock[o->spec.nlandlock - 1].port = (unsigned)parse_count(opt, arg, 0, 65535);
}

static int trace_call(ctr_syscall *call, void *user);

/* --trace-syscalls openat,connect */
static void set_trace(options *o, char *arg) {
    size_t n = 0;
    for (char *name = strtok(arg, ","); name; name = strtok(NULL, ",")) {
        long nr = lookup_number(syscall_names, 0, name, 0, 4095);
        if (nr < 0)
            die("--trace-syscalls: unknown syscall '%s' (a name of <sys/syscall.h> without SYS_, "
                "such as openat, or a number from 0 to 4095)",
                name);
        long *t = (long *)realloc(o->trace, (n + 1) * sizeof *o->trace);
        if (!t) die("realloc: %s", strerror(errno));
        o->trace = t;
        o->trace[n++] = nr;
    }
    if (n == 0) die("--trace-syscalls: expected a list of syscall names");
    o->spec.intercept = o->trace;
    o->spec.nintercept = n;
    o->spec.on_syscall = trace_call;
}

enum {
    OPT_ROOTFS = 256,
    OPT_RO,
    OPT_BIND,
    OPT_RO_BIND,
    OPT_TMPFS,
    OPT_DIR,
    OPT_SYMLINK,
    OPT_PROC,
    OPT_DEV,
    OPT_NO_DEFAULT_MOUNTS,
    OPT_HOSTNAME,
    OPT_CWD,
    OPT_ENV,
    OPT_UID,
    OPT_GID,
    OPT_INIT,
    OPT_NET,
    OPT_SHARE,
    OPT_USERNS,
    OPT_MEMORY,
    OPT_MEMORY_SWAP,
    OPT_PIDS,
    OPT_CPUS,
    OPT_CPU_WEIGHT,
    OPT_IO_WEIGHT,
    OPT_RLIMIT,
    OPT_TIMEOUT,
    OPT_CGROUP_PARENT,
    OPT_REPORT,
    OPT_SYSFS,
    OPT_CAP_ADD,
    OPT_CAP_DROP,
    OPT_SECCOMP,
    OPT_ALLOW_NEW_PRIVS,
    OPT_NO_MASKS,
    OPT_QUIET,
    OPT_VERSION,
    OPT_TTY,
    OPT_INTERACTIVE,
    OPT_FD,
    OPT_ROOTFS_RW,
    OPT_OVERLAY,
    OPT_OVERLAY_UPPER,
    OPT_OVERLAY_SIZE,
    OPT_UIDMAP,
    OPT_GIDMAP,
    OPT_LISTEN, /* networking (ctrun_net.h) */
    OPT_SUBNET,
    OPT_SUBNET6,
    OPT_DNS,
    OPT_ALLOW_READ,
    OPT_ALLOW_WRITE,
    OPT_ALLOW_EXEC,
    OPT_ALLOW_CONNECT,
    OPT_ALLOW_BIND,
    OPT_SCOPE_UNIX,
    OPT_SCOPE_SIGNAL,
    OPT_LANDLOCK_BEST_EFFORT,
    OPT_TRACE_SYSCALLS
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
    {"sysfs", required_argument, NULL, OPT_SYSFS},
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
    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
    {"seccomp", required_argument, NULL, OPT_SECCOMP},
    {"allow-new-privs", no_argument, NULL, OPT_ALLOW_NEW_PRIVS},
    {"no-masks", no_argument, NULL, OPT_NO_MASKS},
    {"listen", required_argument, NULL, OPT_LISTEN}, /* networking (ctrun_net.h) */
    {"publish", required_argument, NULL, 'p'},
    {"subnet", required_argument, NULL, OPT_SUBNET},
    {"subnet6", required_argument, NULL, OPT_SUBNET6},
    {"dns", required_argument, NULL, OPT_DNS},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"memory-swap", required_argument, NULL, OPT_MEMORY_SWAP},
    {"pids", required_argument, NULL, OPT_PIDS},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"cpu-weight", required_argument, NULL, OPT_CPU_WEIGHT},
    {"io-weight", required_argument, NULL, OPT_IO_WEIGHT},
    {"rlimit", required_argument, NULL, OPT_RLIMIT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT},
    {"report", required_argument, NULL, OPT_REPORT},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"tty", no_argument, NULL, 't'},
    {"interactive", no_argument, NULL, 'i'},
    {"fd", required_argument, NULL, OPT_FD},
    {"rootfs-rw", no_argument, NULL, OPT_ROOTFS_RW},
    {"overlay", required_argument, NULL, OPT_OVERLAY},
    {"overlay-upper", required_argument, NULL, OPT_OVERLAY_UPPER},
    {"overlay-size", required_argument, NULL, OPT_OVERLAY_SIZE},
    {"uidmap", required_argument, NULL, OPT_UIDMAP},
    {"gidmap", required_argument, NULL, OPT_GIDMAP},
    {"allow-read", required_argument, NULL, OPT_ALLOW_READ},
    {"allow-write", required_argument, NULL, OPT_ALLOW_WRITE},
    {"allow-exec", required_argument, NULL, OPT_ALLOW_EXEC},
    {"allow-connect", required_argument, NULL, OPT_ALLOW_CONNECT},
    {"allow-bind", required_argument, NULL, OPT_ALLOW_BIND},
    {"scope-unix", no_argument, NULL, OPT_SCOPE_UNIX},
    {"scope-signal", no_argument, NULL, OPT_SCOPE_SIGNAL},
    {"landlock-best-effort", no_argument, NULL, OPT_LANDLOCK_BEST_EFFORT},
    {"trace-syscalls", required_argument, NULL, OPT_TRACE_SYSCALLS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0}};

/* --fd N (the host's N as N) or --fd HOST:CONT: an open descriptor of ctrun's, passed in. */
static void add_fd(options *o, char *arg) {
    char *colon = strchr(arg, ':');
    long host, cont;
    if (colon) *colon = '\0';
    host = (long)parse_count("--fd", arg, 0, 1048575);
    cont = colon ? (long)parse_count("--fd", colon + 1, 3, 1048575) : host;
    if (colon) *colon = ':';
    if (cont < 3)
        die("--fd %s: 0, 1 and 2 are the container's stdio; give HOST:CONT with CONT 3 or above",
            arg);
    if (fcntl((int)host, F_GETFD) < 0)
        die("--fd %s: descriptor %ld is not open in ctrun", arg, host);
    for (size_t i = 0; i < o->spec.nfds; i++)
        if (o->fds[i].container_fd == (int)cont)
            die("--fd %s: container descriptor %ld given twice", arg, cont);
    o->fds[o->spec.nfds].host_fd = (int)host;
    o->fds[o->spec.nfds].container_fd = (int)cont;
    o->spec.nfds++;
}

static void handle_option(options *o, int opt, char *arg) {
    switch (opt) {
    case OPT_ROOTFS: o->spec.rootfs = host_path(o, "--rootfs", arg); break;
    case OPT_RO: o->spec.readonly_root = 1; break;
    case OPT_BIND: add_pair(o, CTR_MOUNT_BIND, "--bind", arg, CTR_MOUNT_RW); break;
    case OPT_RO_BIND: add_pair(o, CTR_MOUNT_BIND, "--ro-bind", arg, 0); break;
    case OPT_TMPFS: add_tmpfs(o, arg); break;
    case OPT_DIR: add_mount(o, CTR_MOUNT_DIR, NULL, arg, 0); break;
    case OPT_SYMLINK: add_pair(o, CTR_MOUNT_SYMLINK, "--symlink", arg, 0); break;
    case OPT_PROC: add_mount(o, CTR_MOUNT_PROC, NULL, arg, 0); break;
    case OPT_DEV: add_mount(o, CTR_MOUNT_DEV, NULL, arg, 0); break;
    case OPT_SYSFS: add_mount(o, CTR_MOUNT_SYSFS, NULL, arg, 0); break;
    case OPT_NO_DEFAULT_MOUNTS: o->spec.no_default_mounts = 1; break;
    case OPT_HOSTNAME: o->spec.hostname = arg; break;
    case OPT_CWD: o->spec.cwd = arg; break;
    case OPT_ENV: add_env(o, arg); break;
    case OPT_UID: o->spec.uid = (uid_t)parse_id("--uid", arg); break;
    case OPT_GID: o->spec.gid = (gid_t)parse_id("--gid", arg); break;
    case OPT_INIT: o->spec.init = 1; break;
    case OPT_NET: set_net(o, arg); break;
    case OPT_SHARE: o->spec.share |= parse_namespace(arg); break;
    case OPT_USERNS: o->userns = 1; break;
    case OPT_ROOTFS_RW: o->spec.rootfs_rw = 1; break;
    case OPT_OVERLAY: set_overlay(o, arg); break;
    case OPT_OVERLAY_UPPER: o->spec.upper = host_path(o, "--overlay-upper", arg); break;
    case OPT_OVERLAY_SIZE:
        o->spec.upper_size = parse_size("--overlay-size", arg);
        if (!o->spec.upper_size) die("--overlay-size: the size must be above 0");
        break;
    case OPT_UIDMAP: add_idmap("--uidmap", o->uid_map, &o->spec.nuid_map, arg); break;
    case OPT_GIDMAP: add_idmap("--gidmap", o->gid_map, &o->spec.ngid_map, arg); break;
    case OPT_CAP_ADD: add_cap(o, arg); break;
    case OPT_CAP_DROP: drop_cap(o, arg); break;
    case OPT_SECCOMP: set_seccomp(o, arg); break;
    case OPT_ALLOW_NEW_PRIVS: o->spec.allow_new_privs = 1; break;
    case OPT_NO_MASKS: o->spec.no_masks = 1; break;
    /* networking (ctrun_net.h) */
    case OPT_LISTEN: net_add_listen(arg); break;
    case 'p': net_add_publish(arg); break;
    case OPT_SUBNET: g_net.subnet = non_empty("--subnet", arg); break;
    case OPT_SUBNET6: g_net.subnet6 = non_empty("--subnet6", arg); break;
    case OPT_DNS:
        if (g_net.ndns == NET_MAX_DNS) die("--dns: at most %d servers", NET_MAX_DNS);
        net_check_addr("--dns", arg, arg);
        g_net.dns[g_net.ndns++] = arg;
        break;
    case OPT_MEMORY: o->spec.memory_max = parse_memory("--memory", arg); break;
    case OPT_MEMORY_SWAP: o->spec.memory_swap_max = parse_size("--memory-swap", arg); break;
    case OPT_PIDS: o->spec.pids_max = parse_count("--pids", arg, 1, MAX_PIDS); break;
    case OPT_CPUS:
        o->spec.cpus = parse_decimal("--cpus", arg, 0.01, 100000, "a number of CPUs");
        break;
    case OPT_CPU_WEIGHT:
        o->spec.cpu_weight = (unsigned)parse_count("--cpu-weight", arg, 1, 10000);
        break;
    case OPT_IO_WEIGHT:
        o->spec.io_weight = (unsigned)parse_count("--io-weight", arg, 1, 10000);
        break;
    case OPT_RLIMIT: add_rlimit(o, arg); break;
    case OPT_TIMEOUT:
        o->spec.timeout_sec = parse_decimal("--timeout", arg, 0.001, 1e9, "a number of seconds");
        break;
    case OPT_CGROUP_PARENT: o->spec.cgroup_parent = non_empty("--cgroup-parent", arg); break;
    case OPT_REPORT:
        o->report = strcmp(non_empty("--report", arg), "-") ? host_path(o, "--report", arg) : arg;
        break;
    case OPT_QUIET: o->quiet = 1; break;
    case 't': o->spec.tty = 1; break;
    case 'i': o->interactive = 1; break;
    case OPT_FD: add_fd(o, arg); break;
    case 'h': o->show = SHOW_HELP; break;
    case OPT_VERSION: o->show = SHOW_VERSION; break;
    case OPT_ALLOW_READ: add_landlock(o, "--allow-read", arg, CTR_LL_READ); break;
    case OPT_ALLOW_WRITE: add_landlock(o, "--allow-write", arg, CTR_LL_WRITE); break;
    case OPT_ALLOW_EXEC: add_landlock(o, "--allow-exec", arg, CTR_LL_EXEC); break;
    case OPT_ALLOW_CONNECT: add_port(o, "--allow-connect", arg, CTR_LL_CONNECT_TCP); break;
    case OPT_ALLOW_BIND: add_port(o, "--allow-bind", arg, CTR_LL_BIND_TCP); break;
    case OPT_SCOPE_UNIX: o->spec.landlock_scope |= CTR_LL_SCOPE_ABSTRACT_UNIX; break;
    case OPT_SCOPE_SIGNAL: o->spec.landlock_scope |= CTR_LL_SCOPE_SIGNAL; break;
    case OPT_LANDLOCK_BEST_EFFORT: o->spec.landlock_best_effort = 1; break;
    case OPT_TRACE_SYSCALLS: set_trace(o, arg); break;
    }
}

/* The edit distance between a and b (insertions, deletions, substitutions and swaps of two
   neighbours), for names of at most 63 bytes; 99 for longer ones. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb) {
    size_t d[64][64];
    if (la > 63 || lb > 63) return 99;
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

/* "ctrun: --memroy: unknown option (did you mean --memory? see ctrun --help)".  The argument is
   named whole: a long option written with one dash (-ro) is read as a cluster of short ones.
   The suggestions: the options the name begins (--mem: --memory or --memory-swap; ctrun takes no
   abbreviations), else those closest to it, if close enough to be a typing slip. */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
static void
unknown_option(const char *arg) {
    const char *name = arg + (arg[1] == '-' ? 2 : 1);
    size_t len = strcspn(name, "="), best = 99, nlong = sizeof long_options / sizeof *long_options;
    char hint[160] = "";
    for (size_t i = 0; long_options[i].name; i++)
        if (strlen(long_options[i].name) == len && strncmp(name, long_options[i].name, len) == 0) {
            if (arg[1] != '-')
                die("%s: unknown option (did you mean -%s? see ctrun --help)", arg, arg);
            die("%s: --%s takes no argument (see ctrun --help)", arg, long_options[i].name);
        }
    size_t score[sizeof long_options / sizeof *long_options];
    for (size_t i = 0; i + 1 < nlong; i++) {
        const char *cand = long_options[i].name;
        size_t clen = strlen(cand), d = edit_distance(name, len, cand, clen);
        if (len >= 2 && len < clen && strncmp(name, cand, len) == 0) d = 0; /* an abbreviation */
        score[i] = d;
        if (d < best) best = d;
    }
    /* A slip: at most 2 edits, and fewer than a third of the name. */
    if (best == 0 || (best <= 2 && best * 3 <= len)) {
        size_t shown = 0;
        for (size_t i = 0; i + 1 < nlong && shown < 3; i++)
            if (score[i] == best)
                snprintf(hint + strlen(hint), sizeof hint - strlen(hint), "%s--%s",
                         shown++ ? " or " : "did you mean ", long_options[i].name);
        strcat(hint, "? ");
    }
    die("%s: unknown option (%ssee ctrun --help)", arg, hint);
}

/* Whether the argument getopt_long matched to a long option names it in full. */
static int names_option(const char *arg, const char *name) {
    size_t len = strlen(name);
    return arg[0] == '-' && arg[1] == '-' && strncmp(arg + 2, name, len) == 0 &&
           (arg[2 + len] == '\0' || arg[2 + len] == '=');
}

/* The body of parse_args, which die() leaves by longjmp. */
static int parse_options(int argc, char **argv, options *o) {
    o->mounts = (ctr_mount *)xcalloc((size_t)argc + 1, sizeof *o->mounts);
    o->env = (const char **)xcalloc((size_t)argc + 3, sizeof *o->env);
    size_t most = (size_t)argc + 1; /* owned strings: at most one per ':'-separated part */
    for (int i = 0; i < argc; i++) most += strlen(argv[i]);
    o->owned = (char **)xcalloc(most, sizeof *o->owned);
    o->fds = (ctr_fd *)xcalloc((size_t)argc + 1, sizeof *o->fds);
    o->spec.fds = o->fds;
    o->uid_map = (ctr_idmap *)xcalloc((size_t)argc, sizeof *o->uid_map);
    o->gid_map = (ctr_idmap *)xcalloc((size_t)argc, sizeof *o->gid_map);
    o->landlock = (ctr_landlock_rule *)xcalloc((size_t)argc, sizeof *o->landlock);
    o->spec.mounts = o->mounts;
    opterr = 0; /* our own one-line messages instead of getopt's */
    optind = 0; /* getopt_long starts afresh (parse_args may be called again) */
    int opt, current = 1, index;
    /* '+': stop at COMMAND, so its own options are left alone; ':': report a missing argument.
       No permutation, so the argument getopt_long works on is argv[optind] as it was before the
       call (optind stays there while it walks a cluster of short options such as -ro). */
    while ((index = -1, opt = getopt_long(argc, argv, "+:htip:", long_options, &index)) != -1) {
        if (opt == ':') die("%s: missing argument (see ctrun --help)", argv[current]);
        if (opt == '?') unknown_option(argv[current]);
        if (index >= 0 && !names_option(argv[current], long_options[index].name))
            unknown_option(argv[current]);
        handle_option(o, opt, optarg);
        if (o->show) return 0;
        current = optind;
    }
    if (optind >= argc) die("missing COMMAND (see ctrun --help)");
    if (o->spec.memory_swap_max && !o->spec.memory_max)
        die("--memory-swap: needs --memory (it is the swap allowed on top of the memory limit)");
    finish_env(o);
    finish_rlimits(o);
    finish_userns(o);
    if (o->seccomp_file) read_seccomp_file(o, o->seccomp_file);
    return optind;
}

/* Fills *o from argv, running nothing: returns the index of COMMAND; 0 for --help or --version
   (o->show); -1 for bad usage, with the message in o->error.  free_options() frees *o in every
   case. */
static int parse_args(int argc, char **argv, options *o) {
    jmp_buf jump;
    memset(o, 0, sizeof *o);
    memset(&g_net, 0, sizeof g_net); /* ctrun_net.h's options: afresh too */
    if (setjmp(jump)) {
        parse_jump = NULL;
        return -1;
    }
    parse_jump = &jump;
    parse_options_of = o;
    int command = parse_options(argc, argv, o);
    parse_jump = NULL;
    return command;
}

static void free_options(options *o) {
    free(o->mounts);
    free(o->fds);
    free(o->env);
    free(o->seccomp_rules);
    for (size_t i = 0; i < o->nowned; i++) free(o->owned[i]);
    free(o->owned);
    free(o->cwd);
    if (o->seccomp_f) fclose(o->seccomp_f);
    free(o->seccomp_line);
    free(o->rule_lines);
    o->seccomp_f = NULL;
    o->owned = NULL; /* the plain fields (the limits) stay for main's messages */
    o->rule_lines = NULL;
    free(o->lowers);
    free(o->uid_map);
    free(o->gid_map);
    free(o->landlock);
    free(o->trace);
}

/* ---- the report ---- */

/* --report FILE, opened (created or truncated) before the container starts, so that a FILE that
   cannot be written stops ctrun before anything runs, and no stale report survives a new run. */
static FILE *open_report(const char *path) {
    if (!path) return NULL;
    if (strcmp(path, "-") == 0) return stderr;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) die("--report: %s: %s", path, strerror(errno));
    return f;
}

/* s as a JSON string: quotes, backslashes and control characters escaped, invalid UTF-8 bytes
   replaced by U+FFFD, so the line is valid JSON whatever a path holds. */
static void json_string(FILE *f, const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    while (*p) {
        unsigned char ch = *p;
        if (ch == '"' || ch == '\\') {
            fputc('\\', f);
            fputc(ch, f);
            p++;
        } else if (ch < 0x20 || ch == 0x7f) {
            fprintf(f, "\\u%04x", ch);
            p++;
        } else if (ch < 0x80) {
            fputc(ch, f);
            p++;
        } else {
            /* The length of a well-formed UTF-8 sequence starting here, or 0. */
            size_t n = ch >= 0xc2 && ch <= 0xdf   ? 2
                       : ch >= 0xe0 && ch <= 0xef ? 3
                       : ch >= 0xf0 && ch <= 0xf4 ? 4
                                                  : 0;
            for (size_t k = 1; k < n; k++) {
                unsigned char lo = 0x80, hi = 0xbf;
                if (k == 1 && ch == 0xe0) lo = 0xa0; /* overlong */
                if (k == 1 && ch == 0xed) hi = 0x9f; /* surrogates */
                if (k == 1 && ch == 0xf0) lo = 0x90; /* overlong */
                if (k == 1 && ch == 0xf4) hi = 0x8f; /* above U+10FFFF */
                if (p[k] < lo || p[k] > hi) n = 0;
            }
            if (n) {
                fwrite(p, 1, n, f);
                p += n;
            } else {
                fputs("\\ufffd", f);
                p++;
            }
        }
    }
    fputc('"', f);
}

static void json_int_or_null(FILE *f, const char *key, int valid, int value) {
    if (valid)
        fprintf(f, "\"%s\":%d", key, value);
    else
        fprintf(f, "\"%s\":null", key);
}

/* Ends the report line and closes FILE; a report that cannot be written is one more stderr line
   (ctrun's exit status stays the command's). */
static void close_report(FILE *f, const char *path) {
    fputc('\n', f);
    if (f == stderr) {
        fflush(f);
        return;
    }
    errno = 0;
    int failed = fflush(f) != 0 || ferror(f), e = errno;
    if (fclose(f) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    if (failed) fprintf(stderr, "ctrun: --report: %s: %s\n", path, strerror(e ? e : EIO));
}

static void report_result(FILE *f, const char *path, const ctr_result *res) {
    if (!f) return;
    fputc('{', f);
    json_int_or_null(f, "exit_code", res->exited, res->exit_code);
    fputc(',', f);
    json_int_or_null(f, "signal", res->signaled, res->term_signal);
    fprintf(f,
            ",\"timed_out\":%s,\"oom_killed\":%s,\"memory_peak_bytes\":%llu,"
            "\"cpu_user_seconds\":%.6f,\"cpu_system_seconds\":%.6f,\"wall_seconds\":%.6f}",
            res->timed_out ? "true" : "false", res->oom_killed ? "true" : "false",
            (unsigned long long)res->memory_peak, (double)res->cpu_user_ns / 1e9,
            (double)res->cpu_system_ns / 1e9, (double)res->wall_ns / 1e9);
    close_report(f, path);
}

static void report_error(FILE *f, const char *path, const ctr_error *err) {
    if (!f) return;
    fputs("{\"error\":{\"step\":", f);
    json_string(f, ctr_step_name(err->step));
    fprintf(f, ",\"errno\":%d,\"path\":", err->sys_errno);
    json_string(f, err->path);
    fputs(",\"message\":", f);
    json_string(f, err->msg);
    fputs("}}", f);
    close_report(f, path);
}

/* ---- --trace-syscalls: the callback, on the library's thread ---- */

/* How trace_call prints each argument: d int, f descriptor (AT_FDCWD), p path, o open flags,
   m mode (only after o with O_CREAT or O_TMPFILE), s sockaddr (its length in the next
   argument), u unsigned, x hex. */
static const struct traced {
    long nr;
    const char *args;
} traced[] = {
#ifdef SYS_open
    {SYS_open, "pom"},        {SYS_stat, "px"},         {SYS_lstat, "px"},
    {SYS_access, "pd"},       {SYS_readlink, "pxu"},    {SYS_mkdir, "pm"},
    {SYS_rmdir, "p"},         {SYS_unlink, "p"},        {SYS_rename, "pp"},
    {SYS_link, "pp"},         {SYS_symlink, "pp"},      {SYS_chmod, "pm"},
    {SYS_chown, "pdd"},       {SYS_lchown, "pdd"},      {SYS_creat, "pm"},
#endif
    {SYS_openat, "fpom"},     {SYS_openat2, "fpxu"},    {SYS_execve, "pxx"},
    {SYS_execveat, "fpxxx"},  {SYS_newfstatat, "fpxx"}, {SYS_statx, "fpxxx"},
    {SYS_faccessat, "fpd"},   {SYS_faccessat2, "fpdx"}, {SYS_readlinkat, "fpxu"},
    {SYS_mkdirat, "fpm"},     {SYS_unlinkat, "fpx"},    {SYS_renameat, "fpfp"},
    {SYS_renameat2, "fpfpx"}, {SYS_linkat, "fpfpx"},    {SYS_symlinkat, "pfp"},
    {SYS_chdir, "p"},         {SYS_fchmodat, "fpm"},    {SYS_fchownat, "fpddx"},
    {SYS_truncate, "pd"},     {SYS_mknodat, "fpmx"},    {SYS_utimensat, "fpxx"},
    {SYS_statfs, "px"},       {SYS_chroot, "p"},        {SYS_connect, "fsu"},
    {SYS_bind, "fsu"},        {SYS_sendto, "fxuxsu"},   {SYS_socket, "ddd"},
    {SYS_read, "fxu"},        {SYS_write, "fxu"},       {SYS_close, "f"},
    {SYS_getpid, ""},         {SYS_getppid, ""},        {SYS_kill, "dd"},
    {SYS_exit_group, "d"},    {SYS_getuid, ""},         {SYS_uname, "x"}};

static const char *syscall_name(long nr) {
    for (size_t i = 0; syscall_names[i].name; i++)
        if (syscall_names[i].number == nr) return syscall_names[i].name;
    return NULL;
}

static void put_open_flags(FILE *f, unsigned long v) {
    static const struct {
        unsigned long bit;
        const char *name;
    } bits[] = {
        {O_CREAT, "O_CREAT"},         {O_EXCL, "O_EXCL"},          {O_NOCTTY, "O_NOCTTY"},
        {O_TRUNC, "O_TRUNC"},         {O_APPEND, "O_APPEND"},      {O_NONBLOCK, "O_NONBLOCK"},
        {O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"},  {O_CLOEXEC, "O_CLOEXEC"},
        {O_PATH, "O_PATH"},           {O_SYNC, "O_SYNC"},          {O_DIRECT, "O_DIRECT"},
        {O_NOATIME, "O_NOATIME"},     {O_LARGEFILE, "O_LARGEFILE"}};
    unsigned long acc = v & O_ACCMODE;
    fputs(acc == O_RDONLY   ? "O_RDONLY"
          : acc == O_WRONLY ? "O_WRONLY"
          : acc == O_RDWR   ? "O_RDWR"
                            : "3",
          f);
    v &= ~(unsigned long)O_ACCMODE;
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if ((v & bits[i].bit) == bits[i].bit && bits[i].bit) {
            fprintf(f, "|%s", bits[i].name);
            v &= ~bits[i].bit;
        }
    if (v) fprintf(f, "|%#lx", v);
}

/* A path argument as a C string literal, or the reason it could not be read. */
static void put_path(FILE *f, ctr_syscall *call, int arg) {
    char path[4096];
    ctr_error e;
    if (ctr_syscall_read_path(call, arg, path, sizeof path, &e) != 0) {
        fprintf(f, "%#llx <%s>", (unsigned long long)call->args[arg], strerror(e.sys_errno));
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    fputc('"', f);
}

static void put_sockaddr(FILE *f, ctr_syscall *call, int arg, uint64_t len) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (len > sizeof ss) len = sizeof ss;
    if (len < sizeof(sa_family_t) || ctr_syscall_read(call, call->args[arg], &ss, len, NULL) != 0) {
        fprintf(f, "%#llx", (unsigned long long)call->args[arg]);
        return;
    }
    char host[INET6_ADDRSTRLEN];
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        fprintf(f, "{AF_INET, %s:%u}", host, ntohs(in->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        fprintf(f, "{AF_INET6, [%s]:%u}", host, ntohs(in6->sin6_port));
    } else if (ss.ss_family == AF_UNIX) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)&ss;
        size_t n = len - offsetof(struct sockaddr_un, sun_path);
        if (n > 0 && un->sun_path[0] == '\0')
            fprintf(f, "{AF_UNIX, @%.*s}", (int)(n - 1), un->sun_path + 1);
        else
            fprintf(f, "{AF_UNIX, %.*s}", (int)strnlen(un->sun_path, n), un->sun_path);
    } else {
        fprintf(f, "{family %u}", (unsigned)ss.ss_family);
    }
}

/* "ctrun: [PID] name(args)" on stderr, then the call runs. */
static int trace_call(ctr_syscall *call, void *user) {
    char line[8192];
    FILE *f = fmemopen(line, sizeof line, "w");
    const char *name = syscall_name(call->nr), *kinds = "xxxxxx";
    (void)user;
    for (size_t i = 0; i < sizeof traced / sizeof traced[0]; i++)
        if (traced[i].nr == call->nr) kinds = traced[i].args;
    if (f) {
        pid_t pid = ctr_syscall_ns_pid(call, NULL);
        fprintf(f, "ctrun: [%d] ", (int)(pid > 0 ? pid : call->pid));
        if (name)
            fprintf(f, "%s(", name);
        else
            fprintf(f, "syscall_%ld(", call->nr);
        int creat = 0;
        for (int i = 0; kinds[i] && i < 6; i++) {
            uint64_t v = call->args[i];
            if (kinds[i] == 'm' && i > 0 && kinds[i - 1] == 'o' && !creat) break;
            if (i) fputs(", ", f);
            switch (kinds[i]) {
            case 'f':
                if ((int)v == AT_FDCWD)
                    fputs("AT_FDCWD", f);
                else
                    fprintf(f, "%d", (int)v);
                break;
            case 'd': fprintf(f, "%d", (int)v); break;
            case 'u': fprintf(f, "%llu", (unsigned long long)v); break;
            case 'p': put_path(f, call, i); break;
            case 'o':
                put_open_flags(f, (unsigned long)v);
                creat = (v & O_CREAT) || (v & __O_TMPFILE);
                break;
            case 'm': fprintf(f, "%#llo", (unsigned long long)v); break;
            case 's': put_sockaddr(f, call, i, i < 5 ? call->args[i + 1] : 0); break;
            default: fprintf(f, "%#llx", (unsigned long long)v); break;
            }
        }
        fputs(")\n", f);
        fclose(f);
        fputs(line, stderr);
    }
    return ctr_syscall_continue(call);
}

/* ---- running ---- */

/* Whether msg already names path: as a whole word, so that a path "/" is not found in
   "/etc/foo" but "/x" is in "rootfs /x: No such file or directory". */
static int names_path(const char *msg, const char *path) {
    size_t len = strlen(path);
    for (const char *p = strstr(msg, path); p; p = strstr(p + 1, path)) {
        char before = p == msg ? ' ' : p[-1], after = p[len];
        if (strchr(" '\"(", before) && (after == '\0' || strchr(" :,)'\"", after))) return 1;
    }
    return 0;
}

/* One line: "ctrun: STEP: PATH: MESSAGE", PATH left out when the error has none or the message
   already names it ("ctrun: rootfs: rootfs /x: No such file or directory"). */
static void print_error(const ctr_error *err) {
    if (err->path[0] && !names_path(err->msg, err->path))
        fprintf(stderr, "ctrun: %s: %s: %s\n", ctr_step_name(err->step), err->path, err->msg);
    else
        fprintf(stderr, "ctrun: %s: %s\n", ctr_step_name(err->step), err->msg);
}

/* Like a shell: 127 when the command does not exist, 126 when it cannot run, else 125. */
static int spawn_failure_status(const ctr_error *err) {
    if (err->step != CTR_STEP_EXEC) return EXIT_SETUP;
    return err->sys_errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN;
}

/* The terminal of -t: ctrun's own, put in raw mode with -i and restored at exit. */
static struct termios saved_termios;
static int termios_saved;

static void restore_terminal(void) {
    if (termios_saved) tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_termios);
    termios_saved = 0;
}

static void raw_terminal(void) {
    struct termios raw;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios) != 0) return;
    raw = saved_termios;
    cfmakeraw(&raw);
    if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0) {
        termios_saved = 1;
        atexit(restore_terminal);
    }
}

/* The size of ctrun's terminal (stdout's, else stdin's): 0 if neither is one. */
static int host_winsize(struct winsize *ws) {
    return ioctl(STDOUT_FILENO, TIOCGWINSZ, ws) == 0 || ioctl(STDIN_FILENO, TIOCGWINSZ, ws) == 0;
}

/* The signal ctrun killed the command for (its pid 1 had no handler for it), or 0. */
static int killed_for;

/* Whether pid catches sig (SigCgt of /proc/PID/status). */
static int catches(pid_t pid, int sig) {
    char path[64], line[256];
    int caught = 1; /* when it cannot be read: leave the signal to the container */
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f) return caught;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "SigCgt:", 7) == 0)
            caught = (int)((strtoull(line + 7, NULL, 16) >> (sig - 1)) & 1);
    fclose(f);
    return caught;
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

/* Installed before the container is spawned: the command may run, and be sent a signal through
   ctrun, before ctr_spawn() returns.  A signal that comes during the spawn waits in the pipe and
   is forwarded once the container runs; if the spawn fails, ctrun exits with the failure.  If the
   pipe cannot be made, the signals keep their default action: ctrun dies, and the container with
   it (die-with-host is the library's default). */
static void catch_signals(void) {
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH};
    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
}

/* SIGWINCH resizes the command's terminal (-t); the others go to the container.  A pid 1 of its
   own pid namespace (no --init) ignores a signal it has no handler for: then the command is
   killed, as the signal's default action would have done. */
static void forward_pending_signals(ctr_container *c, const options *o) {
    unsigned char sig;
    while (read(signal_pipe[0], &sig, 1) == 1) {
        struct winsize ws;
        if (sig == SIGWINCH) {
            if (ctr_tty_fd(c) >= 0 && host_winsize(&ws)) ctr_resize(c, ws.ws_row, ws.ws_col, NULL);
            continue;
        }
        if (!o->spec.init && !(o->spec.share & CTR_NS_PID) && !catches(ctr_pid(c), sig)) {
            killed_for = sig;
            ctr_kill(c, SIGKILL, NULL);
        } else {
            ctr_kill(c, sig, NULL); /* fails only once the container has exited */
        }
    }
}

/* Copies what is there from fd to out (a terminal's EIO: its other side is gone): 0 at the end. */
static int relay(int fd, int out) {
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 1;
    if (n <= 0) return 0;
    for (ssize_t done = 0; done < n;) {
        ssize_t w = write(out, buf + done, (size_t)(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return 1; /* our stdout is gone: drop the output, keep waiting */
        done += w;
    }
    return 1;
}

/* The poll() timeout until the --timeout deadline (CLOCK_MONOTONIC ns, as ctr_deadline_ns()
   gives it): -1 without one, rounded up so that we wake at or after it. */
static int ms_until(int64_t deadline_ns) {
    if (deadline_ns == 0) return -1;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t left = deadline_ns - ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
    if (left <= 0) return 0;
    int64_t ms = (left + 999999) / 1000000;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Polls the container's pidfd and the signal pipe until the container exits.  With --timeout
   the poll also ends at the deadline, and ctr_poll() then kills and reaps the container (it does
   nothing before the deadline, so an early wake-up just polls again). */
static void wait_forwarding_signals(ctr_container *c, const options *o) {
    struct pollfd fds[4];
    int tty = ctr_tty_fd(c), n = tty >= 0 ? (o->interactive ? 4 : 3) : 2;
    fds[0].fd = ctr_pidfd(c);
    fds[0].events = POLLIN;
    fds[1].fd = signal_pipe[0];
    fds[1].events = POLLIN;
    fds[2].fd = tty; /* -t: the command's terminal, to our stdout */
    fds[2].events = POLLIN;
    fds[3].fd = STDIN_FILENO; /* -t -i: our input, to its terminal */
    fds[3].events = POLLIN;
    while (fds[0].fd >= 0) {
        int timeout_ms = ms_until(ctr_deadline_ns(c));
        fds[0].revents = fds[1].revents = fds[2].revents = fds[3].revents = 0;
        int ready = poll(fds, (nfds_t)n, timeout_ms);
        if (ready < 0 && errno != EINTR) return;
        if (fds[1].revents & POLLIN) forward_pending_signals(c, o);
        if (n > 2 && fds[2].revents && !relay(tty, STDOUT_FILENO)) n = 2; /* its side closed */
        if (n > 3 && fds[3].revents) {
            char buf[4096];
            ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
            if (r > 0)
                ctr_write(c, buf, (size_t)r, NULL); /* EAGAIN: dropped, as a full tty */
            else
                n = 3; /* our input ended */
        }
        if (fds[0].revents) {
            while (tty >= 0 && relay(tty, STDOUT_FILENO)) {} /* what is left of its output */
            return;
        }
        if (ready == 0 && timeout_ms >= 0 && ctr_poll(c, NULL, NULL) != 0)
            return; /* killed at the deadline (1), or an error (-1) that ctr_wait reports */
    }
}

/* "64 MiB", "1.5 GiB", "512 B": a limit as a person reads it. */
static void format_size(char *buf, size_t size, uint64_t n) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    double x = (double)n;
    while (x >= 1024 && u < 6) {
        x /= 1024;
        u++;
    }
    if (u == 0 || n % ((uint64_t)1 << (10 * u)) == 0)
        snprintf(buf, size, "%.0f %s", x, units[u]);
    else
        snprintf(buf, size, "%.1f %s", x, units[u]);
}

/* "SIGSEGV" for 11: the Linux numbers (the same on x86-64 and aarch64). */
static const char *signal_abbrev(int sig, char *buf, size_t size) {
    static const char *const names[] = {
        "SIG0",      "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
        "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS"};
    if (sig >= 0 && sig < (int)(sizeof names / sizeof *names)) return names[sig];
    if (sig >= SIGRTMIN && sig <= SIGRTMAX)
        snprintf(buf, size, "SIGRTMIN+%d", sig - SIGRTMIN);
    else
        snprintf(buf, size, "signal %d", sig);
    return buf;
}

/* Unless --quiet, one line on stderr when the command was killed: by the OOM killer (with the
   memory limit), by --timeout (with it) or by a signal (not SIGINT or SIGPIPE, as shells). */
static void say_how_it_ended(const options *o, const ctr_result *res) {
    char limit[128] = "no memory limit: the host's memory ran out", mem[32], swap[32], sig[32];
    if (o->quiet) return;
    if (o->spec.memory_max) {
        format_size(mem, sizeof mem, o->spec.memory_max);
        format_size(swap, sizeof swap, o->spec.memory_swap_max);
        snprintf(limit, sizeof limit, "memory limit %s%s%s", mem,
                 o->spec.memory_swap_max ? ", swap " : "", o->spec.memory_swap_max ? swap : "");
    }
    if (res->timed_out)
        fprintf(stderr, "ctrun: killed: timed out (timeout %g s)\n", o->spec.timeout_sec);
    else if (res->oom_killed && res->signaled && res->term_signal == SIGKILL)
        fprintf(stderr, "ctrun: killed: out of memory (%s)\n", limit);
    else if (res->oom_killed)
        fprintf(stderr,
                "ctrun: out of memory: the OOM killer killed a process of the container (%s)\n",
                limit);
    else if (res->signaled && res->term_signal != SIGINT && res->term_signal != SIGPIPE)
        fprintf(stderr, "ctrun: killed: signal %d (%s, %s)\n", res->term_signal,
                signal_abbrev(res->term_signal, sig, sizeof sig), strsignal(res->term_signal));
}

#ifndef CTRUN_NO_MAIN
int main(int argc, char **argv) {
    options o;
    int command = parse_args(argc, argv, &o);
    if (command <= 0) {
        if (command < 0) fprintf(stderr, "ctrun: %s\n", o.error);
        if (o.show == SHOW_HELP) fputs(usage_text, stdout);
        if (o.show == SHOW_VERSION) printf("ctrun (container.h) %s\n", CONTAINER_VERSION_STRING);
        free_options(&o);
        return command < 0 || fflush(stdout) != 0 || ferror(stdout) ? EXIT_SETUP : 0;
    }
    o.spec.argv = (const char *const *)(argv + command);
    if (o.spec.tty) {
        struct winsize ws;
        o.spec.stdio_nonblock = 1; /* the terminal's master, relayed in the loop */
        if (host_winsize(&ws) && ws.ws_row && ws.ws_col) {
            o.spec.tty_rows = ws.ws_row;
            o.spec.tty_cols = ws.ws_col;
        }
    }
    const char *report_path = o.report;
    FILE *report = open_report(report_path);
    net_prepare(&o.spec); /* networking (ctrun_net.h) */

    ctr_container *c;
    ctr_error err;
    catch_signals();
    if (ctr_spawn(&o.spec, &c, &err) != 0) {
        net_finish();
        print_error(&err);
        report_error(report, report_path, &err);
        free_options(&o);
        return spawn_failure_status(&err);
    }
    if (o.spec.tty && o.interactive) raw_terminal();
    wait_forwarding_signals(c, &o);
    restore_terminal();

    ctr_result res;
    int status = EXIT_SETUP, waited = ctr_wait(c, &res, &err) == 0;
    if (!waited)
        print_error(&err);
    else if (res.timed_out)
        status = EXIT_TIMEOUT;
    else {
        if (killed_for && res.signaled && res.term_signal == SIGKILL) res.term_signal = killed_for;
        status = res.signaled ? 128 + res.term_signal : res.exit_code;
    }
    ctr_destroy(c); /* the report comes after: by then the container's cgroup is gone too */
    net_finish();
    if (waited) {
        say_how_it_ended(&o, &res);
        report_result(report, report_path, &res);
    } else {
        report_error(report, report_path, &err);
    }
    free_options(&o);
    return status;
}
#endif
