/* ctrun_net.h - ctrun's networking options (included once by ctrun.c):

     --listen [ADDR:]PORT[/udp]   a socket ctrun binds, passed as LISTEN_FDS (spec.listen)
     --net bridge[:NAME]          the library's bridged network (spec.net = CTR_NET_BRIDGE), with
                                  an address ctrun picks from --subnet and outbound NAT with nft
     --net pasta                  pasta(1) (spec.net = CTR_NET_PASTA), rootless too
     -p, --publish [ADDR:]HOSTPORT:CONTAINERPORT[/udp]
                                  bridge: nft DNAT rules; pasta: spec.ports
     --subnet CIDR, --subnet6 CIDR, --dns ADDR

   State shared by concurrent ctrun processes lives in a directory ($CTRUN_STATE_DIR, default
   /run/ctrun): a lock file (flock), and leases/ADDR for each address in use, holding its owner
   "PID STARTTIME".  Every nft rule ctrun adds (table inet ctrun) carries the comment
   "ctrun PID.STARTTIME" of its owner.  Before it adds its own, a ctrun removes the leases and
   rules of owners that are gone (a ctrun killed with SIGKILL); at exit it removes its own, and the
   table once it is empty. */
#include <arpa/inet.h>
#include <dirent.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define NET_MAX_PUBLISH 64
#define NET_MAX_LISTEN  64
#define NET_MAX_DNS     8

typedef struct net_publish {
    char host_addr[INET6_ADDRSTRLEN]; /* "" = every address */
    unsigned short host_port, container_port;
    int udp;
    int hold; /* bridge: a socket bound to the host port (keeps it ours), or -1 */
} net_publish;

typedef struct net_options {
    int mode; /* CTR_NET_NONE, _BRIDGE, _PASTA; host is spec.share */
    const char *bridge;
    const char *subnet, *subnet6;
    ctr_listen listen[NET_MAX_LISTEN];
    size_t nlisten;
    char listen_addr[NET_MAX_LISTEN][INET6_ADDRSTRLEN];
    net_publish publish[NET_MAX_PUBLISH];
    size_t npublish;
    ctr_port ports[NET_MAX_PUBLISH];
    const char *dns[NET_MAX_DNS + 1];
    size_t ndns;
    /* the bridge's run */
    char address[64], address6[80], owner[48], lease[PATH_MAX];
    int rules; /* nft rules of ours exist */
} net_options;

static net_options g_net = {0,     NULL, NULL, NULL, {{0}}, 0,   {{0}}, {{{0}}}, 0,
                            {{0}}, {0},  0,    {0},  {0},   {0}, {0},   0};

/* "[::1]:8080", "127.0.0.1:8080" or "8080" (and "/udp"): the address ("" if none), the port;
   more is NULL for --listen, the rest after the port for -p (CONTAINERPORT). */
static void net_split_addr(const char *opt, char *arg, char *addr, size_t size, char **rest) {
    char *p = arg, *colon;
    addr[0] = '\0';
    if (*p == '[') {
        char *end = strchr(p, ']');
        if (!end || end[1] != ':') die("%s: bad address in '%s' (write [IPV6]:PORT)", opt, arg);
        *end = '\0';
        snprintf(addr, size, "%s", p + 1);
        *rest = end + 2;
        return;
    }
    colon = strrchr(p, ':');
    if (colon && strchr(p, ':') != colon) { /* two colons: ADDR:HOST:CONTAINER */
        char *first = strchr(p, ':');
        *first = '\0';
        snprintf(addr, size, "%s", p);
        *rest = first + 1;
        return;
    }
    *rest = p;
}

static unsigned short net_port(const char *opt, const char *s, const char *arg) {
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 10);
    if (!isdigit((unsigned char)s[0]) || errno || *end || n < 1 || n > 65535)
        die("%s: bad port '%s' in '%s' (1 to 65535)", opt, s, arg);
    return (unsigned short)n;
}

static int net_udp_suffix(const char *opt, char *arg) {
    char *slash = strrchr(arg, '/');
    if (!slash) return 0;
    if (strcmp(slash, "/udp") == 0) {
        *slash = '\0';
        return 1;
    }
    if (strcmp(slash, "/tcp") == 0) {
        *slash = '\0';
        return 0;
    }
    die("%s: unknown protocol '%s' (tcp or udp)", opt, slash + 1);
}

static void net_check_addr(const char *opt, const char *addr, const char *arg) {
    unsigned char buf[16];
    if (addr[0] && inet_pton(AF_INET, addr, buf) != 1 && inet_pton(AF_INET6, addr, buf) != 1)
        die("%s: '%s' in '%s' is not an IP address", opt, addr, arg);
}

static void net_add_listen(char *arg) {
    char copy[128], *rest;
    if (g_net.nlisten == NET_MAX_LISTEN) die("--listen: at most %d sockets", NET_MAX_LISTEN);
    snprintf(copy, sizeof copy, "%s", arg);
    ctr_listen *l = &g_net.listen[g_net.nlisten];
    char *addr = g_net.listen_addr[g_net.nlisten];
    l->udp = net_udp_suffix("--listen", copy);
    net_split_addr("--listen", copy, addr, INET6_ADDRSTRLEN, &rest);
    if (!addr[0] && strchr(rest, ':')) { /* "ADDR:PORT" with an IPv4 address */
        char *c = strchr(rest, ':');
        *c = '\0';
        snprintf(addr, INET6_ADDRSTRLEN, "%s", rest);
        rest = c + 1;
    }
    net_check_addr("--listen", addr, arg);
    l->port = net_port("--listen", rest, arg);
    l->address = addr[0] ? addr : NULL;
    g_net.nlisten++;
}

static void net_add_publish(char *arg) {
    char copy[128], *rest, *c;
    if (g_net.npublish == NET_MAX_PUBLISH) die("-p: at most %d ports", NET_MAX_PUBLISH);
    snprintf(copy, sizeof copy, "%s", arg);
    net_publish *p = &g_net.publish[g_net.npublish];
    p->udp = net_udp_suffix("-p", copy);
    net_split_addr("-p", copy, p->host_addr, sizeof p->host_addr, &rest);
    net_check_addr("-p", p->host_addr, arg);
    if (!(c = strchr(rest, ':')))
        die("-p: expected [ADDR:]HOSTPORT:CONTAINERPORT[/udp], got '%s'", arg);
    *c = '\0';
    p->host_port = net_port("-p", rest, arg);
    p->container_port = net_port("-p", c + 1, arg);
    p->hold = -1;
    g_net.npublish++;
}

/* --net's values beyond none and host. */
static int net_mode(const char *arg) {
    if (strcmp(arg, "pasta") == 0) {
        g_net.mode = CTR_NET_PASTA;
        return 1;
    }
    if (strcmp(arg, "bridge") == 0 || strncmp(arg, "bridge:", 7) == 0) {
        g_net.mode = CTR_NET_BRIDGE;
        g_net.bridge = arg[6] ? arg + 7 : "ctrun0";
        if (!g_net.bridge[0] || strlen(g_net.bridge) >= IFNAMSIZ)
            die("--net: bridge name '%s' must be 1 to %d characters", g_net.bridge, IFNAMSIZ - 1);
        return 1;
    }
    return 0;
}

/* ---- running programs: nft ---- */

/* A program of PATH, or NULL. */
static const char *net_which(const char *name, char *buf, size_t size) {
    const char *path = getenv("PATH");
    if (!path) path = "/usr/sbin:/usr/bin:/sbin:/bin";
    for (const char *s = path;;) {
        const char *e = strchr(s, ':');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        snprintf(buf, size, "%.*s/%s", (int)n, s, name);
        if (n && access(buf, X_OK) == 0) return buf;
        if (!e) return NULL;
        s = e + 1;
    }
}

/* Runs nft with args and input on stdin; its stdout (up to out_size) in out.  0, or -1 with its
   stderr in out. */
static int net_nft(const char *input, char *out, size_t out_size, const char *const *args) {
    char path[PATH_MAX];
    int in[2], res[2];
    const char *argv[8] = {"nft"};
    size_t k = 1;
    for (; args && *args && k < 7; args++) argv[k++] = *args;
    argv[k] = NULL;
    if (!net_which("nft", path, sizeof path)) {
        snprintf(out, out_size, "nft is not installed");
        return -1;
    }
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(res, O_CLOEXEC) != 0) die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) die("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(res[1], 1);
        dup2(res[1], 2);
        execv(path, (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(res[1]);
    size_t len = input ? strlen(input) : 0, off = 0;
    while (off < len) {
        ssize_t w = write(in[1], input + off, len - off);
        if (w <= 0) break;
        off += (size_t)w;
    }
    close(in[1]);
    size_t got = 0;
    for (;;) {
        ssize_t r = read(res[0], out + got, out_size - 1 - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
        if (got == out_size - 1) { /* keep reading, drop the rest */
            char sink[4096];
            while (read(res[0], sink, sizeof sink) > 0) {}
            break;
        }
    }
    out[got] = '\0';
    close(res[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ---- owners ---- */

/* A process's start time (field 22 of /proc/PID/stat), 0 if it does not exist. */
static unsigned long long net_start_time(long pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "re");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    unsigned long long t = 0;
    if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X') return 0; /* none, or a zombie */
    /* after ") ": state is field 3; start time is field 22 */
    int field = 2;
    for (p++; *p && field < 22; p++)
        if (*p == ' ') field++;
    if (sscanf(p, "%llu", &t) != 1) return 0;
    return t;
}

/* Is "PID.START" (or "PID START") a live process? */
static int net_owner_alive(const char *owner) {
    long pid;
    unsigned long long start;
    if (sscanf(owner, "%ld%*[. ]%llu", &pid, &start) != 2) return 0;
    return net_start_time(pid) == start;
}

static const char *net_state_dir(void) {
    const char *d = getenv("CTRUN_STATE_DIR");
    return d && d[0] ? d : "/run/ctrun";
}

/* The state directory's lock, held until close. */
static int net_lock(void) {
    char path[PATH_MAX];
    const char *dir = net_state_dir();
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        die("--net bridge: state directory %s: %s", dir, strerror(errno));
    snprintf(path, sizeof path, "%s/leases", dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        die("--net bridge: state directory %s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) die("--net bridge: lock %s: %s", path, strerror(errno));
    return fd;
}

/* Deletes the rules of table inet ctrun whose owner is `owner` (or, with owner NULL, whose owner
   is gone), and the table once it has no rule left.  Under the lock. */
static void net_delete_rules(const char *owner) {
    static char listing[1 << 20];
    const char *args[] = {"-a", "list", "table", "inet", "ctrun", NULL};
    if (net_nft(NULL, listing, sizeof listing, args) != 0) return; /* no table */
    size_t cap = 4096, len = 0;
    char *script = (char *)xcalloc(cap, 1), chain[64] = "";
    int rules = 0, deleted = 0;
    for (char *line = strtok(listing, "\n"); line; line = strtok(NULL, "\n")) {
        char *c = strstr(line, "comment \"ctrun "), *h = strstr(line, "# handle ");
        if (sscanf(line, " chain %63s", chain) == 1) continue;
        if (!c || !h) continue;
        rules++;
        char who[48];
        if (sscanf(c + 15, "%47[0-9.]", who) != 1) continue;
        if (owner ? strcmp(who, owner) != 0 : net_owner_alive(who)) continue;
        if (len + 128 > cap) script = (char *)realloc(script, cap *= 2);
        if (!script) die("realloc: %s", strerror(errno));
        len += (size_t)snprintf(script + len, cap - len, "delete rule inet ctrun %s handle %ld\n",
                                chain, atol(h + 9));
        deleted++;
    }
    if (rules == deleted)
        len += (size_t)snprintf(script + len, cap - len, "delete table inet ctrun\n");
    char out[4096];
    if (len && net_nft(script, out, sizeof out, (const char *[]){"-f", "-", NULL}) != 0)
        fprintf(stderr, "ctrun: warning: nft could not remove rules: %s", out);
    free(script);
}

/* Removes the leases of owners that are gone. */
static void net_sweep_leases(void) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/leases", net_state_dir());
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char file[PATH_MAX + 256], owner[64] = "";
        if (e->d_name[0] == '.') continue;
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        FILE *f = fopen(file, "re");
        if (f) {
            if (!fgets(owner, sizeof owner, f)) owner[0] = '\0';
            fclose(f);
        }
        if (!net_owner_alive(owner)) unlink(file);
    }
    closedir(d);
}

/* A free address of the subnet, leased to us (under the lock). */
static void net_lease(const char *subnet) {
    char net[INET_ADDRSTRLEN], dir[PATH_MAX - 32];
    int prefix;
    struct in_addr a;
    if (sscanf(subnet, "%15[0-9.]/%d", net, &prefix) != 2 || inet_pton(AF_INET, net, &a) != 1 ||
        prefix < 8 || prefix > 30)
        die("--subnet: expected an IPv4 CIDR such as 10.87.0.0/16 (prefix 8 to 30), got '%s'",
            subnet);
    uint32_t base = ntohl(a.s_addr) & (0xffffffffu << (32 - prefix));
    uint32_t size = 1u << (32 - prefix), in_use = 0;
    snprintf(dir, sizeof dir, "%s/leases", net_state_dir());
    for (uint32_t host = 2; host < size - 1; host++) { /* .1 is the bridge's */
        char name[INET_ADDRSTRLEN];
        struct in_addr x = {htonl(base + host)};
        inet_ntop(AF_INET, &x, name, sizeof name);
        snprintf(g_net.lease, sizeof g_net.lease, "%s/%s", dir, name);
        int fd = open(g_net.lease, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
            if (errno != EEXIST) die("--net bridge: lease %s: %s", g_net.lease, strerror(errno));
            in_use++;
            continue;
        }
        dprintf(fd, "%s\n", g_net.owner);
        close(fd);
        snprintf(g_net.address, sizeof g_net.address, "%s/%d", name, prefix);
        if (g_net.subnet6) {
            char net6[INET6_ADDRSTRLEN];
            struct in6_addr b;
            int prefix6;
            if (sscanf(g_net.subnet6, "%45[0-9a-fA-F:]/%d", net6, &prefix6) != 2 ||
                inet_pton(AF_INET6, net6, &b) != 1 || prefix6 < 64 || prefix6 > 120) {
                unlink(g_net.lease);
                die("--subnet6: expected an IPv6 CIDR such as fd00:87::/64 (prefix 64 to 120), "
                    "got '%s'",
                    g_net.subnet6);
            }
            b.s6_addr[12] = (unsigned char)(host >> 24);
            b.s6_addr[13] = (unsigned char)(host >> 16);
            b.s6_addr[14] = (unsigned char)(host >> 8);
            b.s6_addr[15] = (unsigned char)host;
            inet_ntop(AF_INET6, &b, net6, sizeof net6);
            snprintf(g_net.address6, sizeof g_net.address6, "%s/%d", net6, prefix6);
        }
        return;
    }
    g_net.lease[0] = '\0';
    die("--net bridge: subnet %s is exhausted: all %u container addresses are in use; wait for "
        "a container to end or give a larger --subnet",
        subnet, in_use);
}

/* The rules of this container: NAT out, the published ports, isolation. */
static void net_add_rules(void) {
    char script[16384], out[4096], ip[INET_ADDRSTRLEN];
    const char *br = g_net.bridge, *o = g_net.owner;
    size_t n = 0;
    sscanf(g_net.address, "%15[0-9.]", ip);
    n += (size_t)snprintf(
        script + n, sizeof script - n,
        "add table inet ctrun\n"
        "add chain inet ctrun prerouting { type nat hook prerouting priority dstnat; }\n"
        "add chain inet ctrun output { type nat hook output priority -100; }\n"
        "add chain inet ctrun postrouting { type nat hook postrouting priority srcnat; }\n"
        "add chain inet ctrun forward { type filter hook forward priority filter; }\n"
        "add rule inet ctrun postrouting ip saddr %s oifname != \"%s\" masquerade comment "
        "\"ctrun %s\"\n"
        "add rule inet ctrun forward oifname \"%s\" iifname != \"%s\" ct state new ct status & "
        "dnat == 0 drop comment \"ctrun %s\"\n",
        g_net.subnet, br, o, br, br, o);
    if (g_net.subnet6)
        n += (size_t)snprintf(script + n, sizeof script - n,
                              "add rule inet ctrun postrouting ip6 saddr %s oifname != \"%s\" "
                              "masquerade comment \"ctrun %s\"\n",
                              g_net.subnet6, br, o);
    for (size_t i = 0; i < g_net.npublish; i++) {
        const net_publish *p = &g_net.publish[i];
        char match[96];
        int v6 = strchr(p->host_addr, ':') != NULL;
        if (v6) continue; /* the container's published ports are IPv4 (see --help) */
        if (p->host_addr[0])
            snprintf(match, sizeof match, "ip daddr %s", p->host_addr);
        else
            snprintf(match, sizeof match, "fib daddr type local ip daddr != 127.0.0.0/8");
        for (int hook = 0; hook < 2; hook++)
            n += (size_t)snprintf(script + n, sizeof script - n,
                                  "add rule inet ctrun %s %s %s dport %u dnat ip to %s:%u comment "
                                  "\"ctrun %s\"\n",
                                  hook ? "output" : "prerouting", match, p->udp ? "udp" : "tcp",
                                  p->host_port, ip, p->container_port, o);
    }
    if (net_nft(script, out, sizeof out, (const char *[]){"-f", "-", NULL}) != 0) {
        net_delete_rules(o);
        unlink(g_net.lease);
        die("--net bridge: nft could not add the rules: %s", out);
    }
    g_net.rules = 1;
}

/* Turns on IPv4 (and IPv6) forwarding: NAT needs it. */
static void net_forwarding(void) {
    static const char *const files[] = {"/proc/sys/net/ipv4/ip_forward",
                                        "/proc/sys/net/ipv6/conf/all/forwarding"};
    for (int i = 0; i < (g_net.subnet6 ? 2 : 1); i++) {
        char v = '0';
        int fd = open(files[i], O_RDWR | O_CLOEXEC);
        if (fd < 0 || read(fd, &v, 1) != 1 || (v != '1' && pwrite(fd, "1", 1, 0) != 1))
            die("--net bridge: turn on forwarding (%s): %s", files[i], strerror(errno));
        close(fd);
    }
}

/* -p with a bridge: the host port, held by a bound socket while the container runs: a port in
   use fails here, and no other program takes it meanwhile. */
static void net_hold_ports(void) {
    for (size_t i = 0; i < g_net.npublish; i++) {
        net_publish *p = &g_net.publish[i];
        int v6 = strchr(p->host_addr, ':') != NULL;
        if (v6) die("-p: with --net bridge the host address must be IPv4, not '%s'", p->host_addr);
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons(p->host_port);
        if (p->host_addr[0]) inet_pton(AF_INET, p->host_addr, &a.sin_addr);
        p->hold = socket(AF_INET, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
        if (p->hold < 0 || bind(p->hold, (struct sockaddr *)&a, sizeof a) != 0) {
            int e = errno;
            if (e == EADDRINUSE)
                die("-p: host port %u/%s is in use: stop what listens there or choose another "
                    "host port",
                    p->host_port, p->udp ? "udp" : "tcp");
            die("-p: host port %u/%s: %s", p->host_port, p->udp ? "udp" : "tcp", strerror(e));
        }
    }
}

/* Before ctr_spawn: the spec's network fields, and for a bridge the address and the rules. */
static void net_prepare(ctr_spec *spec) {
    if (g_net.nlisten) {
        spec->listen = g_net.listen;
        spec->nlisten = g_net.nlisten;
    }
    if (g_net.ndns) {
        g_net.dns[g_net.ndns] = NULL;
        spec->dns = g_net.dns;
    }
    if (g_net.npublish && g_net.mode == CTR_NET_NONE)
        die("-p: needs --net bridge or --net pasta (with --net none nothing reaches the container;"
            " --listen passes a host socket instead)");
    if ((g_net.subnet || g_net.subnet6) && g_net.mode != CTR_NET_BRIDGE)
        die("--subnet and --subnet6 are for --net bridge");
    if (g_net.mode == CTR_NET_NONE) {
        if (g_net.ndns) die("--dns: needs --net bridge or --net pasta");
        return;
    }
    if (spec->share & CTR_NS_NET) die("--net host cannot be combined with bridge or pasta");
    spec->net = (ctr_net_mode)g_net.mode;
    if (g_net.mode == CTR_NET_PASTA) {
        for (size_t i = 0; i < g_net.npublish; i++) {
            g_net.ports[i].host_port = g_net.publish[i].host_port;
            g_net.ports[i].container_port = g_net.publish[i].container_port;
            g_net.ports[i].udp = g_net.publish[i].udp;
            g_net.ports[i].host_address =
                g_net.publish[i].host_addr[0] ? g_net.publish[i].host_addr : NULL;
        }
        spec->ports = g_net.ports;
        spec->nports = g_net.npublish;
        return;
    }
    /* bridge */
    char path[PATH_MAX];
    if (geteuid() != 0) die("--net bridge: needs root; without root use --net pasta");
    if (!net_which("nft", path, sizeof path))
        die("--net bridge: nft, which sets up its NAT, is not installed: install it (Debian and "
            "Ubuntu: apt-get install nftables), or use --net pasta");
    if (!g_net.subnet) g_net.subnet = "10.87.0.0/16";
    snprintf(g_net.owner, sizeof g_net.owner, "%ld.%llu", (long)getpid(), net_start_time(getpid()));
    net_hold_ports();
    int lock = net_lock();
    net_sweep_leases();
    net_delete_rules(NULL); /* of owners that are gone */
    net_lease(g_net.subnet);
    net_forwarding();
    net_add_rules();
    close(lock);
    spec->net_bridge = g_net.bridge;
    spec->net_address = g_net.address;
    if (g_net.subnet6) spec->net_address6 = g_net.address6;
}

/* After the container (or a failed spawn): our rules, lease and held ports go. */
static void net_finish(void) {
    for (size_t i = 0; i < g_net.npublish; i++)
        if (g_net.publish[i].hold >= 0) close(g_net.publish[i].hold);
    if (g_net.mode != CTR_NET_BRIDGE || !g_net.owner[0]) return;
    int lock = net_lock();
    if (g_net.rules) net_delete_rules(g_net.owner);
    if (g_net.lease[0]) unlink(g_net.lease);
    close(lock);
}
