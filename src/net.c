/* net.c - networking: sockets passed systemd-style (LISTEN_FDS), a bridged network made with
   rtnetlink, and pasta(1) for the rootless.

   Bridge.  The container's own clone makes its network namespace, as without a network, and
   the child goes on with its setup; it sends us (over the launch's net_sock) a NETLINK_ROUTE
   socket made in the namespace and waits for our word only before its last steps.  Meanwhile,
   in the calling thread, which never leaves its own namespace (ctr__net_attach): the bridge is
   looked up (made, with its address and a fixed MAC, if missing), the namespace is had from the
   child's socket, a veth pair is created with its host end up in the bridge and its other end
   made directly in the container's namespace as eth0, and through the child's socket lo and
   eth0 come up with eth0's addresses and default routes (requests batched: five round trips in
   all).  Then the child gets 'g', or the failure as a ctr_error record it reports as its own.
   We close what we had of the namespace at once: it lives exactly as long as the container's
   processes, and when they are gone the kernel tears it down - and the veth with it - on its
   own worker, never on the caller's path.  A host killed at any point leaves no link behind
   either: its descriptors close with it, and the container dies with it.

   pasta.  The child, once it has its namespaces (and uid map), sends them with its pidfd to a
   keeper, a copy of us (a fork-style clone, exit signal 0, never execs; not on our memory, whose
   TLS and errno it would share for the container's lifetime): the keeper runs pasta on them
   (its child: pasta execs, and a process that execs would signal the host's SIGCHLD handler),
   waits for pasta's pid file (a pipe) to say the network is
   up, and lets the child go on to execve.  When the container's first process exits, the keeper
   kills pasta, reaps it and exits; ctr_wait reaps the keeper.  The keeper follows the rules of
   child.c: raw system calls only. */
#include "internal.h"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif
#ifndef IFA_F_NODAD
#define IFA_F_NODAD 0x02
#endif
#ifndef SIOCGSKNS
#define SIOCGSKNS 0x894C /* Linux 4.9 */
#endif
#define CTR__DNS_FORWARD "169.254.1.1" /* pasta maps this to the host's resolver */
#define CTR__KEEPER_FDS  3             /* pidfd, netns, userns */

/* ---- the plan ---- */

/* "10.0.0.2/24" or "fd00::2/64" (family AF_INET or AF_INET6): 0, or -1. */
static int ctr__parse_cidr(const char *s, int family, unsigned char *addr, int *prefix) {
    char buf[INET6_ADDRSTRLEN + 8];
    const char *slash = strchr(s, '/');
    char *end;
    long n;
    int max = family == AF_INET ? 32 : 128;
    if (!slash || CTR__CAST(size_t, slash - s) >= sizeof(buf)) return -1;
    memcpy(buf, s, CTR__CAST(size_t, slash - s));
    buf[slash - s] = '\0';
    if (inet_pton(family, buf, addr) != 1) return -1;
    errno = 0;
    n = strtol(slash + 1, &end, 10);
    if (!slash[1] || *end || errno || n < 1 || n > max - 1) return -1;
    *prefix = CTR__CAST(int, n);
    return 0;
}

/* Is a within the prefix of net? */
static int ctr__same_net(const unsigned char *a, const unsigned char *net, int prefix) {
    int i;
    for (i = 0; i < prefix; i++)
        if (((a[i / 8] ^ net[i / 8]) >> (7 - i % 8)) & 1) return 0;
    return 1;
}

/* The subnet's first address (the default gateway). */
static void ctr__first_host(unsigned char *out, const unsigned char *a, int prefix, int len) {
    int i;
    for (i = 0; i < len; i++) {
        int keep = prefix - 8 * i;
        unsigned char mask = keep >= 8   ? 0xff
                             : keep <= 0 ? 0
                                         : CTR__CAST(unsigned char, 0xff << (8 - keep));
        out[i] = a[i] & mask;
    }
    out[len - 1] |= 1;
}

/* The bridge's fields: name, addresses, gateways. */
static int ctr__plan_bridge(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    ctr__net_plan *n = &p->net;
    const char *b = s->net_bridge ? s->net_bridge : "ctr0";
    char buf[INET6_ADDRSTRLEN];
    if (!b[0] || strlen(b) >= IFNAMSIZ || strchr(b, '/') || strchr(b, ' ') || strchr(b, ':'))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_bridge",
                         "bridge name \"%s\" is not a valid interface name (1 to %d characters, "
                         "no '/', ':' or spaces)",
                         b, IFNAMSIZ - 1);
    if (!(n->bridge = ctr__strdup(p, b)))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (!s->net_address || ctr__parse_cidr(s->net_address, AF_INET, n->addr4, &n->prefix4) != 0)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_address",
                         "net_address \"%s\" must be an IPv4 address with its prefix length, as "
                         "10.88.0.2/16",
                         s->net_address ? s->net_address : "(null)");
    if (s->net_gateway) {
        if (inet_pton(AF_INET, s->net_gateway, n->gw4) != 1)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_gateway",
                             "net_gateway \"%s\" is not an IPv4 address", s->net_gateway);
    } else {
        ctr__first_host(n->gw4, n->addr4, n->prefix4, 4);
    }
    if (!ctr__same_net(n->gw4, n->addr4, n->prefix4) || memcmp(n->gw4, n->addr4, 4) == 0)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_gateway",
                         "the gateway %s must be another address of %s's subnet",
                         inet_ntop(AF_INET, n->gw4, buf, sizeof(buf)), s->net_address);
    if (s->net_address6) {
        n->have6 = 1;
        if (ctr__parse_cidr(s->net_address6, AF_INET6, n->addr6, &n->prefix6) != 0)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_address6",
                             "net_address6 \"%s\" must be an IPv6 address with its prefix "
                             "length, as fd00:88::2/64",
                             s->net_address6);
        if (s->net_gateway6) {
            if (inet_pton(AF_INET6, s->net_gateway6, n->gw6) != 1)
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_gateway6",
                                 "net_gateway6 \"%s\" is not an IPv6 address", s->net_gateway6);
        } else {
            ctr__first_host(n->gw6, n->addr6, n->prefix6, 16);
        }
        if (!ctr__same_net(n->gw6, n->addr6, n->prefix6) || memcmp(n->gw6, n->addr6, 16) == 0)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_gateway6",
                             "the IPv6 gateway must be another address of %s's subnet",
                             s->net_address6);
    } else if (s->net_gateway6) {
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_gateway6",
                         "net_gateway6 is set but net_address6 is not");
    }
    if (geteuid() != 0)
        return ctr__fail(err, CTR_STEP_SPEC, EPERM, "net",
                         "a bridged network needs root (CAP_NET_ADMIN on the host); without "
                         "root use CTR_NET_PASTA");
    if (p->userns)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net",
                         "a bridged network cannot be combined with a user namespace "
                         "(new_userns): its namespace belongs to the host's");
    return 0;
}

/* The program named name in the host process's PATH (or the default one), or NULL. */
static const char *ctr__find_program(ctr__plan *p, const char *name) {
    const char *path = getenv("PATH"), *s;
    char buf[PATH_MAX];
    if (!path || !path[0]) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (s = path;;) {
        const char *e = strchr(s, ':');
        size_t n = e ? CTR__CAST(size_t, e - s) : strlen(s);
        if (n > 0 && n + strlen(name) + 2 <= sizeof(buf)) {
            memcpy(buf, s, n);
            buf[n] = '/';
            strcpy(buf + n + 1, name);
            if (buf[0] == '/' && access(buf, X_OK) == 0) return ctr__strdup(p, buf);
        }
        if (!e) return NULL;
        s = e + 1;
    }
}

/* Appends "-t"/"-u" and the port list of one protocol to argv at *n. */
static int ctr__pasta_ports(ctr__plan *p, const ctr_spec *s, int udp, char **argv, size_t *n) {
    size_t i, len = 1;
    char *list;
    for (i = 0; i < s->nports; i++) len += 64 + (s->ports[i].host_address ? 48 : 0);
    if (!(list = CTR__CAST(char *, ctr__alloc(p, len)))) return -1;
    for (i = 0; i < s->nports; i++) {
        const ctr_port *q = &s->ports[i];
        size_t at = strlen(list);
        if ((q->udp != 0) != udp) continue;
        snprintf(list + at, len - at, "%s%s%s%u:%u", at ? "," : "",
                 q->host_address ? q->host_address : "", q->host_address ? "/" : "",
                 CTR__CAST(unsigned, q->host_port),
                 CTR__CAST(unsigned, q->container_port ? q->container_port : q->host_port));
    }
    if (!(argv[(*n)++] = ctr__strdup(p, udp ? "-u" : "-t"))) return -1;
    if (!list[0]) strcpy(list, "none");
    argv[(*n)++] = list;
    return 0;
}

static int ctr__plan_pasta(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    ctr__net_plan *n = &p->net;
    char **argv;
    size_t i, k = 0;
    if (s->nports && !s->ports)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ports", "nports is %zu but ports is NULL",
                         s->nports);
    for (i = 0; i < s->nports; i++) {
        unsigned char a[16];
        const char *h = s->ports[i].host_address;
        if (!s->ports[i].host_port)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ports", "ports[%zu]: host_port is 0", i);
        if (h && inet_pton(AF_INET, h, a) != 1 && inet_pton(AF_INET6, h, a) != 1)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ports",
                             "ports[%zu]: host_address \"%s\" is not an IP address", i, h);
    }
    if (!(n->pasta_path = ctr__find_program(p, "pasta")))
        return ctr__fail(err, CTR_STEP_NETWORK, ENOENT, "pasta",
                         "pasta, which gives the container its network, is not in PATH: install "
                         "it (Debian and Ubuntu: apt-get install passt)");
    if (!(argv = CTR__CAST(char **, ctr__alloc(p, 32 * sizeof(char *)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    /* Foreground, quiet; the interface configured and named eth0; no automatic forwarding in
       either direction and no mapping of the gateway to the host's loopback (the container must
       not reach the host's 127.0.0.1 services); DNS through the host's resolver. */
    {
        static const char *const fixed[] = {"pasta",
                                            "-f",
                                            "-q",
                                            "--config-net",
                                            "-I",
                                            "eth0",
                                            "-T",
                                            "none",
                                            "-U",
                                            "none",
                                            "--no-map-gw",
                                            "--dns-forward",
                                            CTR__DNS_FORWARD,
                                            "-P",
                                            "/proc/self/fd/5",
                                            "--netns",
                                            "/proc/self/fd/4"};
        for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
            if (!(argv[k++] = ctr__strdup(p, fixed[i])))
                return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    }
    if (p->userns && (!(argv[k++] = ctr__strdup(p, "--userns")) ||
                      !(argv[k++] = ctr__strdup(p, "/proc/self/fd/3"))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (ctr__pasta_ports(p, s, 0, argv, &k) != 0 || ctr__pasta_ports(p, s, 1, argv, &k) != 0)
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    argv[k] = NULL;
    n->pasta_argv = argv;
    return 0;
}

/* The nameservers of a resolv.conf that a container can reach (not loopback), one
   "nameserver X\n" line each, and its search and options lines; "" if none. */
static void ctr__host_resolvers(const char *file, char *out, size_t size, int *count) {
    FILE *f = fopen(file, "re");
    char line[512];
    size_t len = strlen(out);
    if (!f) return;
    while (fgets(line, sizeof(line), f)) {
        char word[64], val[INET6_ADDRSTRLEN + 16];
        unsigned char a[16];
        if (sscanf(line, "%63s %61s", word, val) != 2) continue;
        if (strcmp(word, "nameserver") == 0) {
            int v4 = inet_pton(AF_INET, val, a) == 1;
            if (!v4 && inet_pton(AF_INET6, val, a) != 1) continue;
            if ((v4 && a[0] == 127) ||
                (!v4 && memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0))
                continue; /* loopback: the host's own resolver, out of the container's reach */
            (*count)++;
        } else if (strcmp(word, "search") != 0 && strcmp(word, "options") != 0) {
            continue;
        }
        len = ctr__append(out, size, len, line);
        if (len && out[len - 1] != '\n') len = ctr__append(out, size, len, "\n");
    }
    fclose(f);
}

/* /etc/resolv.conf and /etc/hosts for a bridged or pasta container. */
static int ctr__plan_dns(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    ctr__net_plan *n = &p->net;
    const char *host = p->hostname ? p->hostname : "container";
    char a[INET6_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];
    size_t len = 0, i;
    int count = 0;
    if (!(n->resolv = CTR__CAST(char *, ctr__alloc(p, 4096))) ||
        !(n->hosts = CTR__CAST(char *, ctr__alloc(p, 1024))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    len = ctr__append(n->resolv, 4096, 0, "# written by container.h\n");
    if (s->dns) {
        for (i = 0; s->dns[i]; i++) {
            unsigned char b[16];
            if (inet_pton(AF_INET, s->dns[i], b) != 1 && inet_pton(AF_INET6, s->dns[i], b) != 1)
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "dns",
                                 "dns[%zu] \"%s\" is not an IP address", i, s->dns[i]);
            len = ctr__append(n->resolv, 4096, len, "nameserver ");
            len = ctr__append(n->resolv, 4096, len, s->dns[i]);
            len = ctr__append(n->resolv, 4096, len, "\n");
        }
    } else if (n->mode == CTR_NET_PASTA) {
        /* pasta answers there with the host's resolver, loopback ones included */
        ctr__append(n->resolv, 4096, len, "nameserver " CTR__DNS_FORWARD "\n");
    } else {
        ctr__host_resolvers("/etc/resolv.conf", n->resolv, 4096, &count);
        if (!count) /* systemd-resolved's stub on 127.0.0.53: the servers it uses */
            ctr__host_resolvers("/run/systemd/resolve/resolv.conf", n->resolv, 4096, &count);
        if (!count)
            return ctr__fail(err, CTR_STEP_NETWORK, ENOENT, "/etc/resolv.conf",
                             "no DNS server for the container: the host's /etc/resolv.conf "
                             "lists none a bridged container can reach (loopback ones it "
                             "cannot); give the servers in spec.dns (ctrun --dns ADDR)");
    }
    if (n->mode == CTR_NET_BRIDGE) {
        inet_ntop(AF_INET, n->addr4, a, sizeof(a));
        if (n->have6) inet_ntop(AF_INET6, n->addr6, a6, sizeof(a6));
    } else {
        strcpy(a, "127.0.1.1"); /* pasta copies the host's address: Debian's way */
    }
    snprintf(n->hosts, 1024,
             "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n%s%s%s%s", a,
             host, n->have6 ? a6 : "", n->have6 ? "\t" : "", n->have6 ? host : "",
             n->have6 ? "\n" : "");
    return 0;
}

/* spec.listen: the sockets and LISTEN_FDS, LISTEN_FDNAMES and a LISTEN_PID the command fills
   in (its pid inside is known only there: 1, 2 under init, another with a shared pid
   namespace). */
static int ctr__plan_listen(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    ctr__net_plan *n = &p->net;
    size_t i, k, count = 0, names = 16;
    char **env, *fds_env, *names_env, *pid_env;
    if (s->nlisten && !s->listen)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "listen", "nlisten is %zu but listen is NULL",
                         s->nlisten);
    if (s->nlisten > CTR__MAX_LISTEN)
        return ctr__fail(err, CTR_STEP_SPEC, E2BIG, "listen", "at most %d sockets, not %zu",
                         CTR__MAX_LISTEN, s->nlisten);
    if (!s->nlisten) return 0;
    if (!(n->listen = CTR__CAST(ctr__listen *, ctr__alloc(p, s->nlisten * sizeof(ctr__listen)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    n->nlisten = s->nlisten;
    for (i = 0; i < s->nlisten; i++) {
        const ctr_listen *x = &s->listen[i];
        ctr__listen *y = &n->listen[i];
        const char *addr = x->address && x->address[0] ? x->address : "::";
        const char *nm = x->name;
        y->udp = x->udp ? 1 : 0;
        y->fd = -1;
        if (nm && (!nm[0] || strchr(nm, ':') || strlen(nm) > 255))
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "listen",
                             "listen[%zu]: name \"%s\" must be 1 to 255 characters without ':'", i,
                             nm);
        names += (nm ? strlen(nm) : 10) + 1;
        if (x->fd > 0) {
            int type = 0;
            socklen_t tl = sizeof(type);
            if (getsockopt(x->fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0)
                return ctr__fail(err, CTR_STEP_SPEC, errno == ENOTSOCK ? ENOTSOCK : EBADF, "listen",
                                 "listen[%zu]: fd %d is not a socket", i, x->fd);
            y->fd = x->fd;
            y->udp = type == SOCK_DGRAM;
            snprintf(y->desc, sizeof(y->desc), "fd %d", x->fd);
            continue;
        }
        if (!x->port)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "listen", "listen[%zu]: port is 0", i);
        if (inet_pton(AF_INET, addr,
                      &CTR__CAST(struct sockaddr_in *, CTR__CAST(void *, &y->addr))->sin_addr) ==
            1) {
            struct sockaddr_in *a = CTR__CAST(struct sockaddr_in *, CTR__CAST(void *, &y->addr));
            a->sin_family = AF_INET;
            a->sin_port = htons(x->port);
            y->addr_len = sizeof(*a);
            snprintf(y->desc, sizeof(y->desc), "%s %s:%u", y->udp ? "udp" : "tcp", addr,
                     CTR__CAST(unsigned, x->port));
        } else if (inet_pton(
                       AF_INET6, addr,
                       &CTR__CAST(struct sockaddr_in6 *, CTR__CAST(void *, &y->addr))->sin6_addr) ==
                   1) {
            struct sockaddr_in6 *a = CTR__CAST(struct sockaddr_in6 *, CTR__CAST(void *, &y->addr));
            a->sin6_family = AF_INET6;
            a->sin6_port = htons(x->port);
            y->addr_len = sizeof(*a);
            snprintf(y->desc, sizeof(y->desc), "%s [%s]:%u", y->udp ? "udp" : "tcp", addr,
                     CTR__CAST(unsigned, x->port));
        } else {
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "listen",
                             "listen[%zu]: address \"%s\" is not an IP address", i, addr);
        }
    }
    /* They take fds 3, 4...: spec.fds must keep off. */
    for (k = 0; k < p->nfds; k++)
        if (p->fds[k].container_fd < 3 + CTR__CAST(int, s->nlisten))
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "fds",
                             "fds[%zu]: container fd %d is taken by the listening sockets (3 to "
                             "%d)",
                             k, p->fds[k].container_fd, 2 + CTR__CAST(int, s->nlisten));
    /* The environment without any LISTEN_* of the caller's, plus ours. */
    while (p->envp[count]) count++;
    if (!(env = CTR__CAST(char **, ctr__alloc(p, (count + 4) * sizeof(char *)))) ||
        !(fds_env = CTR__CAST(char *, ctr__alloc(p, 32))) ||
        !(names_env = CTR__CAST(char *, ctr__alloc(p, names))) ||
        !(pid_env = CTR__CAST(char *, ctr__alloc(p, 32))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = k = 0; i < count; i++)
        if (strncmp(p->envp[i], "LISTEN_", 7) != 0) env[k++] = p->envp[i];
    snprintf(fds_env, 32, "LISTEN_FDS=%zu", s->nlisten);
    strcpy(names_env, "LISTEN_FDNAMES=");
    for (i = 0; i < s->nlisten; i++) {
        const ctr_listen *x = &s->listen[i];
        char def[16];
        if (i) strcat(names_env, ":");
        snprintf(def, sizeof(def), "%s-%u", n->listen[i].udp ? "udp" : "tcp",
                 CTR__CAST(unsigned, x->port));
        strcat(names_env, x->name ? x->name : x->fd > 0 ? "unknown" : def);
    }
    strcpy(pid_env, "LISTEN_PID=0"); /* the command writes its pid over the 0 (child.c) */
    env[k++] = fds_env;
    env[k++] = names_env;
    env[k++] = pid_env;
    env[k] = NULL;
    p->envp = env;
    return 0;
}

static int ctr__plan_net(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    ctr__net_plan *n = &p->net;
    memset(n, 0, sizeof(*n));
    n->mode = s->net;
    if (ctr__plan_listen(p, s, err) != 0) return -1;
    if (s->net != CTR_NET_NONE && s->net != CTR_NET_BRIDGE && s->net != CTR_NET_PASTA)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net", "unknown net mode %d",
                         CTR__CAST(int, s->net));
    if (s->net != CTR_NET_PASTA && s->nports)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ports",
                         "ports are forwarded by pasta (net = CTR_NET_PASTA); with a bridge the "
                         "host's firewall forwards them (ctrun -p does it with nft)");
    if (s->net == CTR_NET_NONE) {
        if (s->net_address || s->net_address6 || s->net_bridge || s->dns)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net",
                             "net_bridge, net_address, net_address6 and dns need a network "
                             "(net = CTR_NET_BRIDGE or CTR_NET_PASTA)");
        return 0;
    }
    if (s->share & CTR_NS_NET)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net",
                         "a bridged or pasta network needs the container's own network "
                         "namespace, but CTR_NS_NET is shared");
    if (s->netns_pool)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "netns_pool",
                         "netns_pool lends empty namespaces: it cannot be combined with a network");
    if (s->net == CTR_NET_BRIDGE && s->direct_child)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net",
                         "a bridged network is made by the calling thread while the container "
                         "sets up, which a direct_child's clone does not allow: use the shim "
                         "(direct_child 0) or CTR_NET_PASTA");
    if (s->net == CTR_NET_BRIDGE && ctr__plan_bridge(p, s, err) != 0) return -1;
    if (s->net == CTR_NET_PASTA) {
        if (s->net_address || s->net_address6 || s->net_bridge)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net",
                             "net_bridge, net_address and net_address6 are for CTR_NET_BRIDGE "
                             "(pasta gives the container the host's addresses)");
        if (ctr__plan_pasta(p, s, err) != 0) return -1;
    }
    return ctr__plan_dns(p, s, err);
}

/* ---- rtnetlink (the calling thread's side) ---- */

/* A batch of requests, sent in one sendto and answered in order (the kernel runs them one after
   the other, and acks each: every request asks for one). */
typedef struct ctr__nl {
    int fd;
    unsigned seq;      /* of the last request added */
    unsigned first;    /* of the batch's first request */
    unsigned exist_ok; /* bit i: EEXIST answers the batch's request i as well as 0 */
    size_t len;        /* the batch's length */
    size_t at;         /* where its last request starts */
    union {
        struct nlmsghdr align;
        char buf[2048];
    } out;
} ctr__nl;

static struct nlmsghdr *ctr__nl_hdr(ctr__nl *m) {
    return CTR__CAST(struct nlmsghdr *, CTR__CAST(void *, m->out.buf + m->at));
}

/* Adds a request to the batch (NLM_F_ACK is added). */
static void ctr__nl_begin(ctr__nl *m, int type, int flags, const void *head, size_t head_len) {
    struct nlmsghdr *h;
    if (m->len)
        ctr__nl_hdr(m)->nlmsg_len = CTR__CAST(uint32_t, m->len - m->at);
    else
        m->first = m->seq + 1;
    CONTAINER_ASSERT(m->len + NLMSG_HDRLEN + NLMSG_ALIGN(head_len) <= sizeof(m->out.buf));
    m->at = m->len;
    h = ctr__nl_hdr(m);
    memset(h, 0, NLMSG_HDRLEN + NLMSG_ALIGN(head_len));
    h->nlmsg_type = CTR__CAST(uint16_t, type);
    h->nlmsg_flags = CTR__CAST(uint16_t, NLM_F_REQUEST | NLM_F_ACK | flags);
    h->nlmsg_seq = ++m->seq;
    memcpy(m->out.buf + m->at + NLMSG_HDRLEN, head, head_len);
    m->len = m->at + NLMSG_HDRLEN + NLMSG_ALIGN(head_len);
}

static struct rtattr *ctr__nl_attr(ctr__nl *m, int type, const void *data, size_t len) {
    struct rtattr *a = CTR__CAST(struct rtattr *, CTR__CAST(void *, m->out.buf + m->len));
    CONTAINER_ASSERT(m->len + RTA_SPACE(len) <= sizeof(m->out.buf));
    a->rta_type = CTR__CAST(unsigned short, type);
    a->rta_len = CTR__CAST(unsigned short, RTA_LENGTH(len));
    if (len) memcpy(RTA_DATA(a), data, len);
    m->len += RTA_SPACE(len);
    return a;
}

static void ctr__nl_end_nest(ctr__nl *m, struct rtattr *a) {
    a->rta_len =
        CTR__CAST(unsigned short, m->out.buf + m->len - CTR__CAST(char *, CTR__CAST(void *, a)));
}

/* The kernel's own words in an extended ack, if any, into why. */
static void ctr__nl_why(const struct nlmsghdr *a, char *why, size_t why_size) {
    size_t off = NLMSG_HDRLEN + sizeof(struct nlmsgerr); /* capped acks: no request after it */
    if (!(a->nlmsg_flags & NLM_F_ACK_TLVS) || !why_size) return;
    while (off + sizeof(struct rtattr) <= a->nlmsg_len) {
        const struct rtattr *t = CTR__CAST(
            const struct rtattr *,
            CTR__CAST(const void *, CTR__CAST(const char *, CTR__CAST(const void *, a)) + off));
        if (t->rta_len < sizeof(*t)) break;
        if (t->rta_type == NLMSGERR_ATTR_MSG)
            ctr__strlcpy(why, CTR__CAST(const char *, RTA_DATA(t)),
                         why_size < RTA_PAYLOAD(t) + 1 ? why_size : RTA_PAYLOAD(t) + 1);
        off += RTA_ALIGN(t->rta_len);
    }
}

/* Sends the batch and reads every answer: 0, or the errno of the first request that failed
   (its index in the batch in *failed, the kernel's words, if any, in why) or of the send or
   recv.  A reply to request number want (a GETLINK's) is copied to reply.  A request's failure
   is returned, not put in errno: that is the calling thread's, which a vfork-style child shares
   while it sets up (see ctr__net_attach). */
static int ctr__nl_talk(ctr__nl *m, int want, void *reply, size_t reply_size, int *failed,
                        char *why, size_t why_size) {
    union {
        struct nlmsghdr align;
        char buf[8192];
    } in;
    unsigned acked = 0, count = m->seq - m->first + 1;
    int err = 0, bad = -1;
    ssize_t r;
    ctr__nl_hdr(m)->nlmsg_len = CTR__CAST(uint32_t, m->len - m->at);
    if (why_size) why[0] = '\0';
    do r = send(m->fd, m->out.buf, m->len, 0);
    while (r < 0 && errno == EINTR);
    m->len = 0;
    if (r < 0) return errno;
    while (acked < count) {
        struct nlmsghdr *a;
        int left;
        do r = recv(m->fd, in.buf, sizeof(in.buf), 0);
        while (r < 0 && errno == EINTR);
        if (r < 0) return errno;
        left = CTR__CAST(int, r);
        for (a = &in.align; NLMSG_OK(a, CTR__CAST(unsigned, left)); a = NLMSG_NEXT(a, left)) {
            unsigned i = a->nlmsg_seq - m->first;
            if (a->nlmsg_seq < m->first || i >= count) continue; /* not ours */
            if (a->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = CTR__CAST(const struct nlmsgerr *, NLMSG_DATA(a));
                acked++;
                if (e->error == 0 || (e->error == -EEXIST && (m->exist_ok >> i) & 1) || err)
                    continue;
                err = -e->error;
                bad = CTR__CAST(int, i);
                ctr__nl_why(a, why, why_size);
            } else if (CTR__CAST(int, i) == want && reply) {
                memcpy(reply, a, a->nlmsg_len < reply_size ? a->nlmsg_len : reply_size);
            }
        }
    }
    m->exist_ok = 0;
    if (failed) *failed = bad;
    return err;
}

static int ctr__nl_open(ctr__nl *m) {
    int one = 1;
    memset(m, 0, sizeof(*m));
    m->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (m->fd < 0) return -1;
    (void)setsockopt(m->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    (void)setsockopt(m->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
    return 0;
}

static void ctr__nl_use(ctr__nl *m, int fd) {
    int one = 1;
    memset(m, 0, sizeof(*m));
    m->fd = fd;
    (void)setsockopt(m->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    (void)setsockopt(m->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

/* Adds a lookup of the link called name (its reply: see ctr__nl_parse_link). */
static void ctr__nl_get_link(ctr__nl *m, const char *name) {
    struct ifinfomsg ifi;
    memset(&ifi, 0, sizeof(ifi));
    ctr__nl_begin(m, RTM_GETLINK, 0, &ifi, sizeof(ifi));
    ctr__nl_attr(m, IFLA_IFNAME, name, strlen(name) + 1);
}

/* A link's reply: its index, flags and kind ("bridge", "veth", "" for none); -1 if the reply
   is not one. */
static int ctr__nl_parse_link(const struct nlmsghdr *h, int *index, unsigned *flags, char *kind,
                              size_t kind_size) {
    const struct ifinfomsg *got;
    struct rtattr *a;
    int left;
    if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*got))) return -1;
    got = CTR__CAST(const struct ifinfomsg *, NLMSG_DATA(h));
    *index = got->ifi_index;
    *flags = got->ifi_flags;
    kind[0] = '\0';
    left = CTR__CAST(int, h->nlmsg_len) - CTR__CAST(int, NLMSG_LENGTH(sizeof(*got)));
    for (a = IFLA_RTA(got); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
        if (a->rta_type == IFLA_LINKINFO) {
            int l2 = CTR__CAST(int, RTA_PAYLOAD(a));
            struct rtattr *b;
            for (b = CTR__CAST(struct rtattr *, RTA_DATA(a)); RTA_OK(b, l2); b = RTA_NEXT(b, l2))
                if (b->rta_type == IFLA_INFO_KIND)
                    ctr__strlcpy(kind, CTR__CAST(const char *, RTA_DATA(b)),
                                 kind_size < RTA_PAYLOAD(b) + 1 ? kind_size : RTA_PAYLOAD(b) + 1);
        }
    }
    return 0;
}

/* Adds an address on link index (EEXIST is fine: it is there). */
static void ctr__nl_addr(ctr__nl *m, int index, int family, const unsigned char *addr, int prefix) {
    struct ifaddrmsg ifa;
    size_t len = family == AF_INET ? 4 : 16;
    memset(&ifa, 0, sizeof(ifa));
    ifa.ifa_family = CTR__CAST(unsigned char, family);
    ifa.ifa_prefixlen = CTR__CAST(unsigned char, prefix);
    ifa.ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
    ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    ifa.ifa_index = CTR__CAST(unsigned, index);
    ctr__nl_begin(m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
    m->exist_ok |= 1u << (m->seq - m->first);
    ctr__nl_attr(m, IFA_LOCAL, addr, len);
    ctr__nl_attr(m, IFA_ADDRESS, addr, len);
    if (family == AF_INET) {
        unsigned char b[4];
        uint32_t host = prefix >= 32 ? 0 : (0xffffffffu >> prefix);
        memcpy(b, addr, 4);
        b[0] |= CTR__CAST(unsigned char, host >> 24);
        b[1] |= CTR__CAST(unsigned char, host >> 16);
        b[2] |= CTR__CAST(unsigned char, host >> 8);
        b[3] |= CTR__CAST(unsigned char, host);
        ctr__nl_attr(m, IFA_BROADCAST, b, 4);
    }
}

/* Adds a default route through gw on link index. */
static void ctr__nl_default_route(ctr__nl *m, int index, int family, const unsigned char *gw) {
    struct rtmsg rt;
    uint32_t oif = CTR__CAST(uint32_t, index);
    memset(&rt, 0, sizeof(rt));
    rt.rtm_family = CTR__CAST(unsigned char, family);
    rt.rtm_table = RT_TABLE_MAIN;
    rt.rtm_protocol = RTPROT_BOOT;
    rt.rtm_scope = RT_SCOPE_UNIVERSE;
    rt.rtm_type = RTN_UNICAST;
    ctr__nl_begin(m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof(rt));
    ctr__nl_attr(m, RTA_GATEWAY, gw, family == AF_INET ? 4 : 16);
    ctr__nl_attr(m, RTA_OIF, &oif, sizeof(oif));
}

/* Adds: bring link index (or, index 0, the link called name) up. */
static void ctr__nl_up(ctr__nl *m, int index, const char *name) {
    struct ifinfomsg ifi;
    memset(&ifi, 0, sizeof(ifi));
    ifi.ifi_index = index;
    ifi.ifi_flags = IFF_UP;
    ifi.ifi_change = IFF_UP;
    ctr__nl_begin(m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
    if (!index) ctr__nl_attr(m, IFLA_IFNAME, name, strlen(name) + 1);
}

/* A failure of the network's setup after the clone, for the child to report (the verdict adds
   the errno's text once). */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int
ctr__net_err(ctr_error *e, int errnum, const char *path, const char *fmt, ...) {
    va_list ap;
    memset(e, 0, sizeof(*e));
    e->step = CTR_STEP_NETWORK;
    e->sys_errno = errnum;
    ctr__strlcpy(e->path, path, sizeof(e->path));
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return -1;
}

/* The bridge, made if missing (with a fixed random MAC: a bridge that takes its ports' lowest
   one changes it as containers come and go, and their ARP caches go stale), with its gateway
   addresses and up: its index, or -1 and e. */
static int ctr__bridge(ctr__nl *m, const ctr__net_plan *n, ctr_error *e) {
    union {
        struct nlmsghdr align;
        char buf[4096];
    } r;
    char kind[32], why[256];
    unsigned flags = 0;
    int index = -1, tries, bad, err;
    for (tries = 0; tries < 2; tries++) {
        struct ifinfomsg ifi;
        struct rtattr *info;
        unsigned char mac[6];
        memset(&r, 0, sizeof(r));
        ctr__nl_get_link(m, n->bridge);
        if ((err = ctr__nl_talk(m, 0, r.buf, sizeof(r.buf), NULL, NULL, 0)) == 0) {
            if (ctr__nl_parse_link(&r.align, &index, &flags, kind, sizeof(kind)) != 0)
                return ctr__net_err(e, EPROTO, n->bridge, "look up bridge %s", n->bridge);
            break;
        }
        if (err != ENODEV) return ctr__net_err(e, err, n->bridge, "look up bridge %s", n->bridge);
        memset(&ifi, 0, sizeof(ifi));
        ifi.ifi_flags = ifi.ifi_change = IFF_UP;
        if (syscall(SYS_getrandom, mac, sizeof(mac), 0) != CTR__CAST(long, sizeof(mac))) {
            int64_t t = ctr__now_ns();
            memcpy(mac, &t, sizeof(mac));
        }
        mac[0] = CTR__CAST(unsigned char, (mac[0] & 0xfe) | 0x02); /* unicast, local */
        ctr__nl_begin(m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
        m->exist_ok = 1; /* made by another spawn at the same moment */
        ctr__nl_attr(m, IFLA_IFNAME, n->bridge, strlen(n->bridge) + 1);
        ctr__nl_attr(m, IFLA_ADDRESS, mac, sizeof(mac));
        info = ctr__nl_attr(m, IFLA_LINKINFO, NULL, 0);
        ctr__nl_attr(m, IFLA_INFO_KIND, "bridge", 7);
        ctr__nl_end_nest(m, info);
        if ((err = ctr__nl_talk(m, -1, NULL, 0, NULL, why, sizeof(why))) != 0)
            return ctr__net_err(e, err, n->bridge, "create bridge %s%s%s", n->bridge,
                                why[0] ? ": " : "", why);
        /* made: look again */
    }
    if (index < 0) return ctr__net_err(e, ENODEV, n->bridge, "find bridge %s", n->bridge);
    if (strcmp(kind, "bridge") != 0)
        return ctr__net_err(e, EEXIST, n->bridge,
                            "%s exists but is not a bridge (it is a %s link): name another bridge",
                            n->bridge, kind[0] ? kind : "plain");
    /* Its gateway addresses (there already, usually: EEXIST) and up, in one round trip. */
    ctr__nl_addr(m, index, AF_INET, n->gw4, n->prefix4);
    if (n->have6) ctr__nl_addr(m, index, AF_INET6, n->gw6, n->prefix6);
    if (!(flags & IFF_UP)) ctr__nl_up(m, index, NULL);
    if ((err = ctr__nl_talk(m, -1, NULL, 0, &bad, why, sizeof(why))) != 0) {
        if (bad == 1 + n->have6)
            return ctr__net_err(e, err, n->bridge, "bring bridge %s up%s%s", n->bridge,
                                why[0] ? ": " : "", why);
        return ctr__net_err(e, err, n->bridge, "give bridge %s its gateway address%s%s",
                            n->bridge, why[0] ? ": " : "", why);
    }
    return index;
}

/* The veth: its host end (named by the kernel, vethN) up in bridge br, its peer made in the
   container's namespace (netns) as eth0, down (a peer made up in another namespace fails with
   ENOTCONN).  0, or -1 and e. */
static int ctr__veth(ctr__nl *m, const ctr__net_plan *np, int br, int netns, ctr_error *e) {
    struct ifinfomsg ifi, peer;
    struct rtattr *info, *data, *pa;
    uint32_t master = CTR__CAST(uint32_t, br), nsfd = CTR__CAST(uint32_t, netns), one = 1;
    char why[256];
    int err;
    memset(&ifi, 0, sizeof(ifi));
    peer = ifi;
    ifi.ifi_flags = ifi.ifi_change = IFF_UP;
    ctr__nl_begin(m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
    ctr__nl_attr(m, IFLA_MASTER, &master, sizeof(master));
    /* One queue each way, on each end: a veth gets one per possible CPU otherwise, and each
       queue is a directory of sysfs files made at creation and removed at teardown. */
    ctr__nl_attr(m, IFLA_NUM_TX_QUEUES, &one, sizeof(one));
    ctr__nl_attr(m, IFLA_NUM_RX_QUEUES, &one, sizeof(one));
    info = ctr__nl_attr(m, IFLA_LINKINFO, NULL, 0);
    ctr__nl_attr(m, IFLA_INFO_KIND, "veth", 5);
    data = ctr__nl_attr(m, IFLA_INFO_DATA, NULL, 0);
    pa = ctr__nl_attr(m, VETH_INFO_PEER, &peer, sizeof(peer));
    ctr__nl_attr(m, IFLA_IFNAME, "eth0", 5);
    ctr__nl_attr(m, IFLA_NUM_TX_QUEUES, &one, sizeof(one));
    ctr__nl_attr(m, IFLA_NUM_RX_QUEUES, &one, sizeof(one));
    ctr__nl_attr(m, IFLA_NET_NS_FD, &nsfd, sizeof(nsfd));
    ctr__nl_end_nest(m, pa);
    ctr__nl_end_nest(m, data);
    ctr__nl_end_nest(m, info);
    if ((err = ctr__nl_talk(m, -1, NULL, 0, NULL, why, sizeof(why))) != 0)
        return ctr__net_err(e, err, np->bridge, "create a veth pair into bridge %s%s%s",
                            np->bridge, why[0] ? ": " : "", why);
    return 0;
}

/* Inside the container's namespace (m: a socket of it): lo and eth0 up, eth0's addresses and
   default routes; two round trips.  0, or -1 and e. */
static int ctr__eth0(ctr__nl *m, const ctr__net_plan *np, ctr_error *e) {
    union {
        struct nlmsghdr align;
        char buf[4096];
    } r;
    char why[256], kind[32];
    unsigned flags;
    int eth0 = -1, bad, err;
    ctr__nl_up(m, 1, NULL); /* lo, index 1 in every namespace */
    ctr__nl_up(m, 0, "eth0");
    ctr__nl_get_link(m, "eth0"); /* its index: the kernel chose it */
    memset(&r, 0, sizeof(r));
    if ((err = ctr__nl_talk(m, 2, r.buf, sizeof(r.buf), &bad, why, sizeof(why))) != 0)
        return ctr__net_err(e, err, bad == 0 ? "lo" : "eth0", "bring %s up%s%s",
                            bad == 0 ? "lo" : "eth0", why[0] ? ": " : "", why);
    if (ctr__nl_parse_link(&r.align, &eth0, &flags, kind, sizeof(kind)) != 0 || eth0 <= 0)
        return ctr__net_err(e, EPROTO, "eth0", "look up eth0");
    ctr__nl_addr(m, eth0, AF_INET, np->addr4, np->prefix4);
    if (np->have6) ctr__nl_addr(m, eth0, AF_INET6, np->addr6, np->prefix6);
    ctr__nl_default_route(m, eth0, AF_INET, np->gw4);
    if (np->have6) ctr__nl_default_route(m, eth0, AF_INET6, np->gw6);
    if ((err = ctr__nl_talk(m, -1, NULL, 0, &bad, why, sizeof(why))) != 0) {
        if (bad <= np->have6)
            return ctr__net_err(e, err, "eth0", "give eth0 its address%s%s", why[0] ? ": " : "",
                                why);
        return ctr__net_err(e, err, "eth0", "add the default route%s%s", why[0] ? ": " : "", why);
    }
    return 0;
}

/* The child's netlink socket (made in its network namespace once it has it): 1 with *nl, 0 if
   the child failed or died first (the verdict will say how), -1 with errno. */
static int ctr__net_receive(int sock, int errfd, int statusfd, int pidfd, int *nl) {
    for (;;) {
        union {
            struct cmsghdr align;
            char buf[CTR__FDMSG_SPACE(1)];
        } cm;
        struct msghdr msg;
        struct iovec iov;
        struct pollfd pfd[4];
        char tag = 0;
        ssize_t r;
        int i, n = pidfd >= 0 ? 4 : 3;
        pfd[0].fd = sock;
        pfd[1].fd = errfd;
        pfd[2].fd = statusfd;
        pfd[3].fd = pidfd;
        for (i = 0; i < 4; i++) {
            pfd[i].events = POLLIN;
            pfd[i].revents = 0;
        }
        if (poll(pfd, CTR__CAST(nfds_t, n), -1) < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (!pfd[0].revents) return 0; /* a report, or gone: no namespace will come */
        ctr__fdmsg(&msg, &iov, &tag, cm.buf, 1, NULL);
        do r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        while (r < 0 && errno == EINTR);
        if (r < 0 && errno == EAGAIN) continue;
        if (r <= 0) return r < 0 ? -1 : 0;
        if (ctr__fdmsg_fds(&msg, nl, 1) != 1 || tag != 'b' || (msg.msg_flags & MSG_CTRUNC)) {
            errno = EPROTO;
            return -1;
        }
        return 1;
    }
}

/* A bridged container, after its clone, in the calling thread while the child sets up its root
   (the child waits for our word just before its last steps, ctr__c_net_wait): the bridge is
   looked up (made if missing), the child sends a netlink socket made in its new network
   namespace, and through it we get the namespace (SIOCGSKNS), make the veth into it and
   configure eth0.  Then the child gets 'g', or the failure to report as its own.  Nothing here
   holds the namespace once we return: it and the veth go with the container's processes.
   No call here fails while the spawn goes well (netlink's refusals come back in its answers):
   a vfork-style child (clone.c) shares this thread's errno, and a value written here between
   one of its system calls and its look at errno would be taken for its own. */
static void ctr__net_attach(const ctr__plan *p, ctr__net_run *n, int errfd, int statusfd,
                            int pidfd) {
    const ctr__net_plan *np = &p->net;
    ctr__nl host, inside;
    ctr_error e;
    int br, nl = -1, ns = -1, r, failed = 1;
    long w;
    if (np->mode != CTR_NET_BRIDGE || n->sock[0] < 0) return;
    ctr__close(&n->sock[1]); /* the child's end: in the child now */
    memset(&e, 0, sizeof(e));
    host.fd = -1;
    if (ctr__nl_open(&host) != 0) {
        ctr__net_err(&e, errno, "", "open a netlink socket");
        goto answer;
    }
    if ((br = ctr__bridge(&host, np, &e)) < 0) goto answer;
    if ((r = ctr__net_receive(n->sock[0], errfd, statusfd, pidfd, &nl)) <= 0) {
        if (r < 0)
            ctr__net_err(&e, errno, "", "receive the container's netlink socket");
        else
            ctr__net_err(&e, ECHILD, "", "the container's setup ended before its network");
        goto answer;
    }
    if ((ns = ioctl(nl, SIOCGSKNS)) < 0) {
        ctr__net_err(&e, errno, "", "open the container's network namespace (SIOCGSKNS)");
        goto answer;
    }
    if (ctr__veth(&host, np, br, ns, &e) != 0) goto answer;
    ctr__nl_use(&inside, nl);
    if (ctr__eth0(&inside, np, &e) != 0) goto answer;
    failed = 0;
answer:
    if (failed) {
        do w = send(n->sock[0], &e, sizeof(e), MSG_NOSIGNAL);
        while (w < 0 && errno == EINTR);
    } else {
        do w = send(n->sock[0], "g", 1, MSG_NOSIGNAL);
        while (w < 0 && errno == EINTR);
    }
    ctr__close(&host.fd);
    ctr__close(&nl);
    ctr__close(&ns);
}

/* ---- the spawn ---- */

static void ctr__net_init(ctr__net_run *n) {
    memset(n, 0, sizeof(*n));
    n->sock[0] = n->sock[1] = n->devnull = -1;
}

/* One socket of spec.listen, bound and (TCP) listening: the fd, or -1 and err. */
static int ctr__listen_bind(const ctr__listen *x, ctr_error *err) {
    int one = 1, fd, e;
    int family = CTR__CAST(const struct sockaddr *, CTR__CAST(const void *, &x->addr))->sa_family;
    fd = socket(family, (x->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) return ctr__fail(err, CTR_STEP_NETWORK, errno, x->desc, "socket for %s", x->desc);
    if (!x->udp) (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (family == AF_INET6) {
        /* "::" is every address, IPv4 too; a specific IPv6 address is only that */
        int only = 0;
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof(only));
    }
    if (bind(fd, CTR__CAST(const struct sockaddr *, CTR__CAST(const void *, &x->addr)),
             x->addr_len) != 0 ||
        (!x->udp && listen(fd, SOMAXCONN) != 0)) {
        e = errno;
        close(fd);
        if (e == EADDRINUSE)
            return ctr__fail(err, CTR_STEP_NETWORK, e, x->desc,
                             "bind %s: another socket has that port (stop what listens there, or "
                             "choose another port)",
                             x->desc);
        if (e == EACCES)
            return ctr__fail(err, CTR_STEP_NETWORK, e, x->desc,
                             "bind %s: ports below 1024 need root (or CAP_NET_BIND_SERVICE)",
                             x->desc);
        return ctr__fail(err, CTR_STEP_NETWORK, e, x->desc, "bind %s", x->desc);
    }
    if (ctr__lift(&fd) != 0) {
        e = errno;
        close(fd);
        return ctr__fail(err, CTR_STEP_RESOURCE, e, "", "move a descriptor above 2");
    }
    return fd;
}

static int ctr__net_open(ctr__plan *p, ctr__net_run *n, ctr__launch *l, ctr_error *err) {
    ctr__net_plan *np = &p->net;
    size_t i, total = p->nfds + np->nlisten;
    l->fds = p->fds;
    l->nfds = p->nfds;
    if (np->nlisten) {
        char **e;
        if (!(n->listen_fds = CTR__CAST(int *, ctr__alloc(p, np->nlisten * sizeof(int)))) ||
            !(n->fds = CTR__CAST(ctr_fd *, ctr__alloc(p, total * sizeof(ctr_fd)))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        for (i = 0; i < np->nlisten; i++) n->listen_fds[i] = -1;
        n->nlisten = np->nlisten;
        if (p->nfds) memcpy(n->fds, p->fds, p->nfds * sizeof(ctr_fd));
        for (i = 0; i < np->nlisten; i++) {
            int fd = np->listen[i].fd;
            if (fd < 0 && (fd = n->listen_fds[i] = ctr__listen_bind(&np->listen[i], err)) < 0)
                return -1;
            n->fds[p->nfds + i].host_fd = fd;
            n->fds[p->nfds + i].container_fd = 3 + CTR__CAST(int, i);
        }
        l->fds = n->fds;
        l->nfds = total;
        for (e = p->envp; *e; e++)
            if (strncmp(*e, "LISTEN_PID=", 11) == 0) l->listen_pid = *e + 11;
    }
    if (np->mode == CTR_NET_BRIDGE || np->mode == CTR_NET_PASTA) {
        /* The child's line to us (bridge: ctr__net_attach) or to pasta's keeper. */
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, n->sock) != 0 ||
            ctr__lift(&n->sock[0]) != 0 || ctr__lift(&n->sock[1]) != 0)
            return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a socket pair");
        l->net_sock = n->sock[1];
    }
    if (np->mode == CTR_NET_BRIDGE) l->net_lo = 0; /* up with eth0, from here */
    if (np->mode == CTR_NET_PASTA &&
        ((n->devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 || ctr__lift(&n->devnull)))
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "/dev/null", "open /dev/null");
    return 0;
}

static void ctr__net_close(ctr__net_run *n) {
    size_t i;
    for (i = 0; i < n->nlisten; i++) ctr__close(&n->listen_fds[i]);
    ctr__close(&n->sock[0]);
    ctr__close(&n->sock[1]);
    ctr__close(&n->devnull);
}

/* ---- the keeper (the rules of child.c: raw system calls only) ---- */

typedef struct ctr__keeper_job {
    const char *path;  /* pasta */
    char *const *argv; /* fd 3: userns, 4: netns, 5: pid file */
    int sock;          /* to the child */
    int devnull;
    int die_with_host;
    char *exec_stack; /* pasta's vfork-style clone, or NULL: fork-style */
} ctr__keeper_job;

typedef struct ctr__pasta_exec {
    const ctr__keeper_job *job;
    int fds[CTR__KEEPER_FDS]; /* pidfd (unused here), netns, userns or -1 */
    int ready, err;           /* write ends: pid file, stderr */
} ctr__pasta_exec;

/* pasta's child side: its descriptors at their numbers, then execve. */
static void ctr__pasta_child(void *arg) {
    const ctr__pasta_exec *x = CTR__CAST(const ctr__pasta_exec *, arg);
    uint64_t none = 0;
    int src[6], i;
    char *const envp[] = {NULL};
    (void)ctr__r_prctl(PR_SET_PDEATHSIG, SIGKILL);
    src[0] = x->job->devnull;
    src[1] = x->job->devnull;
    src[2] = x->err;
    src[3] = x->fds[2];
    src[4] = x->fds[1];
    src[5] = x->ready;
    /* above everything first, so that placing one clobbers none */
    for (i = 0; i < 6; i++)
        if (src[i] >= 0) src[i] = ctr__r_fcntl(src[i], F_DUPFD_CLOEXEC, 16);
    for (i = 0; i < 6; i++)
        if (src[i] >= 0 && ctr__r_dup3(src[i], i) != i) ctr__c_exit(126);
    (void)syscall(SYS_close_range, 6, ~0u, 0);
    ctr__r_sigmask(SIG_SETMASK, &none, NULL);
    syscall(SYS_execve, x->job->path, x->job->argv, envp);
    ctr__c_exit(127);
}

/* Sends the child a failure: one ctr_error record. */
static void ctr__keeper_fail(const ctr__keeper_job *job, int e, const char *a, const char *b) {
    ctr_error r;
    size_t n;
    memset(&r, 0, sizeof(r));
    r.step = CTR_STEP_NETWORK;
    r.sys_errno = e;
    ctr__append(r.path, sizeof(r.path), 0, "pasta");
    n = ctr__append(r.msg, sizeof(r.msg), 0, a);
    ctr__append(r.msg, sizeof(r.msg), n, b);
    (void)syscall(SYS_sendto, job->sock, &r, sizeof(r), MSG_NOSIGNAL, NULL, 0);
}

/* What pasta said on stderr: its last non-empty line, in line[size]. */
static void ctr__keeper_last_line(const char *buf, size_t len, char *line, size_t size) {
    size_t end = len, start;
    while (end > 0 && (buf[end - 1] == '\n' || buf[end - 1] == '\r')) end--;
    start = end;
    while (start > 0 && buf[start - 1] != '\n') start--;
    if (end - start >= size) start = end - (size - 1);
    memcpy(line, buf + start, end - start);
    line[end - start] = '\0';
}

static int ctr__contains(const char *s, const char *w) {
    size_t n = strlen(w);
    for (; *s; s++)
        if (strncmp(s, w, n) == 0) return 1;
    return 0;
}

static void ctr__keeper_main(void *arg) {
    const ctr__keeper_job *job = CTR__CAST(const ctr__keeper_job *, arg);
    uint64_t all = ~CTR__CAST(uint64_t, 0);
    union {
        struct cmsghdr align;
        char buf[CTR__FDMSG_SPACE(CTR__KEEPER_FDS)];
    } cm;
    struct msghdr msg;
    struct iovec iov;
    ctr__pasta_exec x;
    ctr__clone_args a;
    struct pollfd pfd[3];
    char tag = 0, out[1024], line[300], pidbuf[32];
    size_t outlen = 0;
    int keep[2], ready[2], errp[2], pasta_fd = -1, sig, n = 0, up = 0;
    long pid, r;
    int64_t deadline;
    struct timespec ts;
    ctr__r_sigmask(SIG_SETMASK, &all, NULL);
    for (sig = 1; sig < NSIG; sig++) {
        static const unsigned long dfl[4] = {0, 0, 0, 0};
        if (sig != SIGKILL && sig != SIGSTOP) (void)syscall(SYS_rt_sigaction, sig, dfl, NULL, 8);
    }
    if (job->die_with_host) (void)ctr__r_prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* Nothing of the host's but our socket and /dev/null. */
    keep[0] = job->sock;
    keep[1] = job->devnull;
    (void)ctr__c_close_except(keep, 2);
    (void)syscall(SYS_close_range, 0, 2, 0);
    /* The child's namespaces and pidfd, or EOF: it failed (or never started). */
    ctr__fdmsg(&msg, &iov, &tag, cm.buf, CTR__KEEPER_FDS, NULL);
    do r = syscall(SYS_recvmsg, job->sock, &msg, MSG_CMSG_CLOEXEC);
    while (r < 0 && errno == EINTR);
    if (r != 1 || tag != 'n') ctr__c_exit(0);
    x.fds[0] = x.fds[1] = x.fds[2] = -1;
    n = ctr__fdmsg_fds(&msg, x.fds, CTR__KEEPER_FDS);
    if (n < 2) {
        ctr__keeper_fail(job, EPROTO, "receive the container's namespaces", NULL);
        ctr__c_exit(0);
    }
    if (syscall(SYS_pipe2, ready, O_CLOEXEC) != 0 || syscall(SYS_pipe2, errp, O_CLOEXEC) != 0) {
        ctr__keeper_fail(job, errno, "create a pipe for pasta", NULL);
        ctr__c_exit(0);
    }
    x.job = job;
    x.ready = ready[1];
    x.err = errp[1];
    memset(&a, 0, sizeof(a));
    a.flags = CLONE_PIDFD;
    a.pidfd = CTR__PTR_TO_U64(&pasta_fd);
    a.exit_signal = SIGCHLD;
    if (job->exec_stack) {
        a.flags |= CLONE_VFORK; /* on our memory until its execve */
        pid = ctr__clone_on(&a, job->exec_stack, CTR__SHIM_STACK, ctr__pasta_child, &x);
    } else {
        pid = ctr__clone(&a, 0, ctr__pasta_child, &x);
    }
    if (pid < 0) {
        ctr__keeper_fail(job, errno, "start pasta", NULL);
        ctr__c_exit(0);
    }
    ctr__r_close(ready[1]);
    ctr__r_close(errp[1]);
    ctr__r_close(x.fds[1]);
    if (x.fds[2] >= 0) ctr__r_close(x.fds[2]);
    /* Up when pasta writes its pid file (after it has configured the namespace); an EOF first
       means it exited, and its stderr says why. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    deadline = CTR__CAST(int64_t, ts.tv_sec) * 1000 + ts.tv_nsec / 1000000 + 10000;
    pfd[0].fd = ready[0];
    pfd[1].fd = errp[0];
    pfd[2].fd = x.fds[0]; /* the container's first process */
    while (!up) {
        int64_t now;
        pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
        pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        now = CTR__CAST(int64_t, ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
        if (now >= deadline) {
            syscall(SYS_pidfd_send_signal, pasta_fd, SIGKILL, NULL, 0);
            syscall(SYS_wait4, pid, NULL, __WALL, NULL);
            ctr__keeper_fail(job, ETIMEDOUT, "pasta did not bring the network up within 10 s",
                             NULL);
            ctr__c_exit(0);
        }
        r = syscall(SYS_poll, pfd, 3, CTR__CAST(int, deadline - now));
        if (r < 0 && errno != EINTR) break;
        if (pfd[1].fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP))) {
            r = ctr__r_read(errp[0], out + outlen, sizeof(out) - 1 - outlen);
            if (r > 0) {
                outlen += CTR__CAST(size_t, r);
                if (outlen > sizeof(out) / 2) { /* keep the latest half */
                    memmove(out, out + outlen - sizeof(out) / 4, sizeof(out) / 4);
                    outlen = sizeof(out) / 4;
                }
            } else if (r == 0) {
                pfd[1].fd = -1;
            }
        }
        if (pfd[0].revents & (POLLIN | POLLHUP)) {
            r = ctr__r_read(ready[0], pidbuf, sizeof(pidbuf));
            if (r > 0) {
                up = 1;
            } else if (r == 0) { /* pasta exited: wait for the rest of its words */
                while (pfd[1].fd >= 0 &&
                       (r = ctr__r_read(errp[0], out + outlen, sizeof(out) - 1 - outlen)) > 0)
                    outlen += CTR__CAST(size_t, r);
                out[outlen] = '\0';
                syscall(SYS_wait4, pid, NULL, __WALL, NULL);
                ctr__keeper_last_line(out, outlen, line, sizeof(line));
                if (ctr__contains(out, "tun"))
                    ctr__keeper_fail(job, EACCES,
                                     "pasta could not open /dev/net/tun (a user "
                                     "needs it readable and writable, crw-rw-rw-, as udev makes "
                                     "it): ",
                                     line);
                else if (ctr__contains(out, "bind") || ctr__contains(out, "in use"))
                    ctr__keeper_fail(job, EADDRINUSE,
                                     "pasta could not bind a forwarded host port "
                                     "(stop what listens there, or choose another port): ",
                                     line);
                else
                    ctr__keeper_fail(job, EIO, "pasta exited before the network was up: ",
                                     line[0] ? line : "(it said nothing)");
                ctr__c_exit(0);
            }
        }
        if (pfd[2].revents) { /* the container died meanwhile */
            syscall(SYS_pidfd_send_signal, pasta_fd, SIGKILL, NULL, 0);
            syscall(SYS_wait4, pid, NULL, __WALL, NULL);
            ctr__c_exit(0);
        }
    }
    tag = 'g';
    (void)syscall(SYS_sendto, job->sock, &tag, 1, MSG_NOSIGNAL, NULL, 0);
    ctr__r_close(job->sock);
    /* Until the container's first process exits (or pasta does): then pasta goes. */
    for (;;) {
        pfd[0].fd = x.fds[0];
        pfd[1].fd = pasta_fd;
        pfd[2].fd = pfd[1].fd >= 0 && errp[0] >= 0 ? errp[0] : -1;
        pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
        pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
        r = syscall(SYS_poll, pfd, 3, -1);
        if (r < 0 && errno != EINTR) break;
        if (pfd[2].revents && ctr__r_read(errp[0], out, sizeof(out)) <= 0) {
            ctr__r_close(errp[0]);
            errp[0] = -1;
        }
        if (pfd[0].revents || pfd[1].revents) break;
    }
    syscall(SYS_pidfd_send_signal, pasta_fd, SIGKILL, NULL, 0);
    syscall(SYS_wait4, pid, NULL, __WALL, NULL);
    ctr__c_exit(0);
}

static int ctr__net_keeper(ctr_container *c, ctr__plan *p, ctr__net_run *n, ctr_error *err) {
    ctr__keeper_job *job;
    ctr__clone_args a;
    uint64_t all = ~CTR__CAST(uint64_t, 0), old = 0;
    char *stack = NULL;
    long r;
    if (p->net.mode != CTR_NET_PASTA) return 0;
    /* The plan's memory lives in the handle until the keeper is reaped (ctr_destroy). */
    if (!(job = CTR__CAST(ctr__keeper_job *, ctr__alloc(p, sizeof(*job)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    job->path = p->net.pasta_path;
    job->argv = p->net.pasta_argv;
    job->sock = n->sock[0];
    job->devnull = n->devnull;
    job->die_with_host = p->die_with_host;
    memset(&a, 0, sizeof(a));
    a.flags = CLONE_PIDFD;
    a.pidfd = CTR__PTR_TO_U64(&c->net_pidfd); /* exit signal 0: no host wait() sees it */
    /* A copy of us (fork-style), not on our memory: the keeper lives as long as the container,
       and on our memory it would share the calling thread's TLS, so each of its failed system
       calls would write that thread's errno at any time.  It starts pasta vfork-style on a stack
       of its own (in its copy of this one). */
    if (ctr__vm_clone_possible() && (stack = ctr__stack_alloc(CTR__SHIM_STACK)))
        job->exec_stack = stack;
    ctr__r_sigmask(SIG_SETMASK, &all, &old);
    r = ctr__clone(&a, 0, ctr__keeper_main, job);
    ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    ctr__stack_free(stack, CTR__SHIM_STACK); /* the keeper has its copy */
    if (r < 0) {
        c->net_pidfd = -1;
        return ctr__fail(err, CTR_STEP_NETWORK, errno, "pasta", "start pasta's keeper process");
    }
    ctr__close(&n->sock[0]); /* the keeper's now */
    return 0;
}

static int ctr__net_reap(ctr_container *c, int nohang) {
    siginfo_t si;
    long r;
    if (c->net_pidfd < 0) return 1;
    memset(&si, 0, sizeof(si));
    do
        r = syscall(SYS_waitid, P_PIDFD, c->net_pidfd, &si,
                    WEXITED | __WALL | (nohang ? WNOHANG : 0), NULL);
    while (r < 0 && errno == EINTR);
    if (r == 0 && si.si_pid == 0) return 0;
    ctr__close(&c->net_pidfd);
    return 1;
}
