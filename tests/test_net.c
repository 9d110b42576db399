/* test_net.c - networking: sockets passed systemd-style (--listen, spec.listen), the bridged
   network (library and ctrun, with nft NAT and published ports), pasta as an unprivileged user,
   DNS files, and the one-sentence diagnoses.

   Every test builds its own "host": it unshares a network and a mount namespace (with a tmpfs on
   /run, where ctrun keeps its state and ip netns its names) and works there; an "outside" host is
   another namespace (ip netns) joined by a veth pair.  Traffic stays between these namespaces or
   on their loopback.  The test process is a child subreaper: the servers it starts in the
   background are its to kill and reap.  Clients are curl, busybox wget and nc, and the test's
   own sockets, each bounded by a timeout. */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/socket.h>

static char g_build[PATH_MAX], g_tests[PATH_MAX], g_ctrun[PATH_MAX], g_probe[PATH_MAX];

static void fixture_setup(void) {
    char p[PATH_MAX];
    if (find_build_dir(g_tests, g_build) != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "cannot find the build directory");
        return;
    }
    th_fmt(g_ctrun, sizeof g_ctrun, "%s/ctrun", g_build);
    th_fmt(g_probe, sizeof g_probe, "%s/probe", g_tests);
    if (make_fixture_dir("ctr-net", 0755) != 0) {
        th_fmt(g_fixture_error, sizeof g_fixture_error, "mkdtemp: %s", strerror(errno));
        return;
    }
    path_join(g_root, g_tmp, "root");
    if (make_rootfs(g_root, g_probe, "probe", NULL) != 0)
        th_fmt(g_fixture_error, sizeof g_fixture_error, "rootfs: %s", strerror(errno));
    path_join(p, g_tmp, "www");
    mkdir(p, 0755);
    path_join(p, g_tmp, "www/index.html");
    write_file(p, "hello from the container\n", 25, 0644);
}

static void fixture_teardown(void) { remove_fixture_dir(); }

/* Runs a shell command (bounded by timeout 60); its stdout and stderr, trimmed, in out.
   Returns its exit status. */
__attribute__((format(printf, 3, 4))) static int sh(char *out, size_t cap, const char *fmt, ...) {
    char cmd[4096], full[4200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "timeout 60 sh -c '%s' 2>&1", cmd);
    FILE *f = popen(full, "r");
    if (!f) FAIL("popen: %s", strerror(errno));
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    trim(out);
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#define SH_OK(...)                                                                \
    do {                                                                          \
        char sh_out_[8192];                                                       \
        int sh_st_ = sh(sh_out_, sizeof sh_out_, __VA_ARGS__);                    \
        if (sh_st_ != 0) FAIL("command failed (status %d): %s", sh_st_, sh_out_); \
    } while (0)

/* Kills and reaps every child of ours (the servers started in the background). */
static void kill_children(void) {
    for (int round = 0; round < 50; round++) {
        int found = th_kill_my_children();
        while (waitpid(-1, NULL, WNOHANG | __WALL) > 0) {}
        if (!found) return;
        usleep(20000);
    }
}

static void net_cleanup(void) {
    destroy_held();
    kill_children();
}

/* This test process becomes a host of its own: new network and mount namespaces, lo up, a tmpfs
   on /run (ctrun's state, ip netns's names), /dev/net/tun usable by anyone (pasta as another
   user; the machine's node may be 0600), a child subreaper. */
static void net_host(void) {
    char p[PATH_MAX];
    require_root();
    CHECK_SYS(unshare(CLONE_NEWNET | CLONE_NEWNS));
    CHECK_SYS(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
    CHECK_SYS(mount("tmpfs", "/run", "tmpfs", 0, "mode=0755"));
    path_join(p, g_tmp, "tun");
    if (mknod(p, S_IFCHR | 0666, makedev(10, 200)) == 0 && chmod(p, 0666) == 0)
        mount(p, "/dev/net/tun", NULL, MS_BIND, NULL);
    unlink(p); /* the bind holds it */
    CHECK_SYS(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
    th_set_cleanup(net_cleanup);
    setenv("CTRUN_STATE_DIR", "/run/ctrun", 1);
    SH_OK("ip link set lo up");
}

/* An "outside" host: namespace "out", 192.0.2.2, joined to ours (192.0.2.1) by a veth pair,
   our default route through it; a web server there on port 8000. */
static void net_outside(void) {
    SH_OK("ip netns add out && ip link add up0 type veth peer name up1 netns out && "
          "ip addr add 192.0.2.1/24 dev up0 && ip link set up0 up && ip route add default via "
          "192.0.2.2 && ip netns exec out sh -c \"ip link set lo up; ip addr add 192.0.2.2/24 "
          "dev up1; ip link set up1 up; ip route add default via 192.0.2.1\"");
    SH_OK("mkdir -p /run/ow && echo outside > /run/ow/index.html && ip netns exec out busybox "
          "httpd -p 8000 -h /run/ow");
}

/* Waits until sh's command succeeds (up to secs). */
static int eventually(int secs, const char *cmd) {
    char out[4096];
    for (int i = 0; i < secs * 10; i++) {
        if (sh(out, sizeof out, "%s", cmd) == 0) return 1;
        usleep(100000);
    }
    return 0;
}

/* ---- socket activation ---- */

TEST(listen_tcp_and_udp_reach_a_container_without_network) {
    net_host();
    ctr_spec s;
    ctr_listen l[2];
    memset(l, 0, sizeof l);
    l[0].address = "127.0.0.1";
    l[0].port = 18080;
    l[1].address = "::1";
    l[1].port = 17777;
    l[1].udp = 1;
    l[1].name = "game";
    spec_init(&s, PROBE("serve-listen"));
    s.listen = l;
    s.nlisten = 2;
    ctr_container *c = SPAWN(&s);
    char out[8192];
    ASSERT_EQ(sh(out, sizeof out, "curl -s -m 10 http://127.0.0.1:18080/"), 0);
    ASSERT_STREQ(out, "hello tcp-18080");
    /* UDP from here: a datagram to [::1]:17777, the container answers it */
    int u = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(17777);
    inet_pton(AF_INET6, "::1", &a.sin6_addr);
    struct timeval tv = {10, 0};
    setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ASSERT_EQ(sendto(u, "hi", 2, 0, (struct sockaddr *)&a, sizeof a), 2);
    char buf[64] = "";
    ssize_t n = recv(u, buf, sizeof buf - 1, 0);
    close(u);
    ASSERT_GT(n, 0);
    buf[n] = '\0';
    ASSERT_STREQ(buf, "hello game\n");
    run r;
    drain(c, &r);
    WAIT(c, &r.res);
    destroy(c);
    ASSERT_EXIT(&r, 0);
    ASSERT_CONTAINS(r.out, "LISTEN_PID=1 pid=1 fds=2 names=tcp-18080:game");
    ASSERT_CONTAINS(r.out, "served");
    kill_children();
}

TEST(listen_pid_is_the_commands_pid_with_init_and_env_is_replaced) {
    net_host();
    ctr_spec s;
    ctr_listen l;
    const char *env[] = {"LISTEN_FDS=9", "LISTEN_PID=77", "KEEP=1", NULL};
    memset(&l, 0, sizeof l);
    l.port = 18081;
    spec_init(&s, PROBE("sh"));
    s.rootfs = NULL;
    s.argv = (const char *const[]){"/bin/sh", "-c",
                                   "echo $LISTEN_PID $$ $LISTEN_FDS $KEEP; ls /proc/self/fd", NULL};
    s.env = env;
    s.init = 1;
    s.listen = &l;
    s.nlisten = 1;
    const char *out = SPEC_OUT(&s);
    ASSERT_CONTAINS(out, "2 2 1 1");
    ASSERT_CONTAINS(out, "\n3\n"); /* the socket, kept open by init for its command */
    /* fds of the caller's own must keep off 3 */
    ctr_fd f = {0, 3};
    s.fds = &f;
    s.nfds = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "fds");
    kill_children();
}

/* The most of both at once: 64 listening sockets (3..66) and 256 extra descriptors (67..322),
   with init keeping them for its command: every one arrives, at its number. */
TEST(listen_and_extra_fds_at_their_limits_all_arrive) {
    ctr_spec s;
    ctr_listen l[64];
    ctr_fd f[256];
    int sock[64], i;
    for (i = 0; i < 64; i++) {
        sock[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        CHECK_SYS(sock[i]);
        memset(&l[i], 0, sizeof l[i]);
        l[i].fd = sock[i];
    }
    int pipefd[2];
    CHECK_SYS(pipe(pipefd));
    for (i = 0; i < 256; i++) {
        f[i].host_fd = pipefd[1];
        f[i].container_fd = 67 + i;
    }
    spec_init(&s, PROBE("fds"));
    s.listen = l;
    s.nlisten = 64;
    s.fds = f;
    s.nfds = 256;
    for (s.init = 0; s.init < 2; s.init++) {
        const char *out = SPEC_OUT(&s);
        char want[2048] = "0 1 2";
        size_t n = strlen(want);
        for (i = 3; i <= 322; i++) n += (size_t)snprintf(want + n, sizeof want - n, " %d", i);
        snprintf(want + n, sizeof want - n, " %d", 323); /* probe's own listing */
        ASSERT_STREQ(out, want);
    }
    /* one more of either is refused before anything is made */
    s.nlisten = 65;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, E2BIG, "listen");
    s.nlisten = 64;
    s.nfds = 257;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, E2BIG, "fds");
    for (i = 0; i < 64; i++) close(sock[i]);
    close(pipefd[0]);
    close(pipefd[1]);
}

TEST(listen_port_in_use_is_one_sentence) {
    net_host();
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(18082);
    CHECK_SYS(bind(fd, (struct sockaddr *)&a, sizeof a));
    CHECK_SYS(listen(fd, 1));
    ctr_spec s;
    ctr_listen l;
    memset(&l, 0, sizeof l);
    l.address = "0.0.0.0";
    l.port = 18082;
    spec_init(&s, PROBE("pid"));
    s.listen = &l;
    s.nlisten = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_NETWORK, EADDRINUSE, "tcp 0.0.0.0:18082");
    ctr_error e = spawn_error(__LINE__, &s, "in use");
    ASSERT_CONTAINS(e.msg, "another socket has that port");
    close(fd);
    char out[4096];
    ASSERT_EQ(sh(out, sizeof out, "%s --listen 18082 -- /bin/true; echo $?", g_ctrun), 0);
    ASSERT_NOT_CONTAINS(out, "in use");
    kill_children();
}

/* ---- the bridge ---- */

TEST(bridge_gives_eth0_an_address_route_dns_and_goes_with_the_container) {
    net_host();
    char links_before[4096];
    sh(links_before, sizeof links_before, "ip -o link show | grep -c veth");
    ctr_spec s;
    const char *dns[] = {"192.0.2.53", NULL};
    spec_init(&s, NULL);
    s.rootfs = NULL;
    s.argv = (const char *const[]){
        "/bin/sh", "-c",
        "ip -o -4 addr show eth0; ip -o -6 addr show eth0 scope global; ip route; ip -6 route | "
        "grep default; cat /etc/resolv.conf /etc/hosts; busybox httpd -f -p 80 -h /www & sleep 20",
        NULL};
    s.hostname = "web";
    s.net = CTR_NET_BRIDGE;
    s.net_bridge = "ctrt0";
    s.net_address = "10.77.0.2/24";
    s.net_address6 = "fd77::2/64";
    s.dns = dns;
    char www[PATH_MAX];
    path_join(www, g_tmp, "www");
    ctr_mount m = {CTR_MOUNT_BIND, www, "/www", 0, 0, 0, NULL, 0};
    s.mounts = &m;
    s.nmounts = 1;
    ctr_container *c = SPAWN(&s);
    /* the host reaches it at once through the bridge, which has the gateway address */
    ASSERT_TRUE(eventually(10, "curl -s -m 2 http://10.77.0.2/ | grep -q container"));
    SH_OK("ip -o addr show ctrt0 | grep -q 10.77.0.1/24 && ip -o addr show ctrt0 | grep -q "
          "fd77::1/64");
    ctr_kill(c, SIGKILL, NULL);
    run r;
    drain(c, &r);
    WAIT(c, &r.res);
    destroy(c);
    ASSERT_CONTAINS(r.out, "inet 10.77.0.2/24");
    ASSERT_CONTAINS(r.out, "inet6 fd77::2/64");
    ASSERT_CONTAINS(r.out, "default via 10.77.0.1 dev eth0");
    ASSERT_CONTAINS(r.out, "default via fd77::1 dev eth0");
    ASSERT_CONTAINS(r.out, "nameserver 192.0.2.53");
    ASSERT_CONTAINS(r.out, "10.77.0.2\tweb");
    /* the veth goes with the namespace, on the kernel's time */
    char cmd[256];
    th_fmt(cmd, sizeof cmd, "test \"$(ip -o link show | grep -c veth)\" = \"%s\"", links_before);
    ASSERT_TRUE(eventually(20, cmd));
    SH_OK("ip link show ctrt0 >/dev/null"); /* the bridge stays */
    kill_children();
}

TEST(bridge_diagnoses_a_link_that_is_not_a_bridge_and_bad_fields) {
    net_host();
    SH_OK("ip link add notbr type veth peer name notbr1");
    ctr_spec s;
    spec_init(&s, PROBE("pid"));
    s.net = CTR_NET_BRIDGE;
    s.net_bridge = "notbr";
    s.net_address = "10.78.0.2/24";
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_NETWORK, EEXIST, "notbr");
    ctr_error e = spawn_error(__LINE__, &s, "not a bridge");
    ASSERT_CONTAINS(e.msg, "notbr exists but is not a bridge (it is a veth link)");
    s.net_bridge = "ctrt1";
    s.net_address = "10.78.0.2";
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "net_address");
    s.net_address = "10.78.0.2/24";
    s.net_gateway = "10.79.0.1";
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "net_gateway");
    s.net_gateway = NULL;
    s.share = CTR_NS_NET;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "net");
    s.share = 0;
    s.new_userns = 1;
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "net");
    s.new_userns = 0;
    s.direct_child = 1; /* the calling thread makes eth0 while the child sets up */
    EXPECT_SPAWN_ERROR(&s, CTR_STEP_SPEC, EINVAL, "net");
    /* nothing was left behind by the failures: no veth */
    char out[256];
    sh(out, sizeof out, "ip -o link show | grep -c veth");
    ASSERT_STREQ(out, "0");
    kill_children();
}

/* ---- ctrun: NAT, published ports, many containers, a killed ctrun ---- */

TEST_TIMEOUT(ctrun_bridge_publishes_ports_and_nats_out, 120) {
    net_host();
    net_outside();
    char out[8192], www[PATH_MAX];
    path_join(www, g_tmp, "www");
    /* a web server in the container, published on the host's port 8080; reached from the
       outside host through the host's address */
    SH_OK("(%s --net bridge:ctrb0 --subnet 10.80.0.0/24 -p 8080:80 --ro-bind %s:/www -- "
          "busybox httpd -f -p 80 -h /www >/run/srv.log 2>&1 &)",
          g_ctrun, www);
    ASSERT_TRUE(eventually(20, "ip netns exec out curl -s -m 2 http://192.0.2.1:8080/ | grep -q "
                               "container"));
    SH_OK("curl -s -m 5 http://192.0.2.1:8080/ | grep -q container"); /* and from the host */
    /* the host port is held by ctrun: a program of the host's cannot take it */
    ASSERT_NE(sh(out, sizeof out, "busybox nc -l -p 8080 -w 1"), 0);
    /* a container fetches from the outside through the NAT: the outside sees the host */
    ASSERT_EQ(sh(out, sizeof out,
                 "%s --net bridge:ctrb0 --subnet 10.80.0.0/24 -- curl -s -m 5 "
                 "http://192.0.2.2:8000/",
                 g_ctrun),
              0);
    ASSERT_STREQ(out, "outside");
    /* UDP out and back through the NAT: a UDP echo in the outside host */
    char echo[PATH_MAX], client[PATH_MAX];
    path_join(echo, g_tmp, "udp_echo.py");
    path_join(client, g_tmp, "udp_client.py");
    const char *e = "import socket\ns = socket.socket(2, 2)\ns.bind(('0.0.0.0', 5000))\n"
                    "s.settimeout(30)\nd, a = s.recvfrom(100)\ns.sendto(d, a)\n";
    const char *cl = "import socket\ns = socket.socket(2, 2)\ns.settimeout(10)\n"
                     "s.sendto(b'ping-udp', ('192.0.2.2', 5000))\nprint(s.recv(100).decode())\n";
    ASSERT_EQ(write_file(echo, e, strlen(e), 0644), 0);
    ASSERT_EQ(write_file(client, cl, strlen(cl), 0644), 0);
    SH_OK("(ip netns exec out python3 %s >/dev/null 2>&1 &)", echo);
    usleep(300000);
    ASSERT_EQ(sh(out, sizeof out,
                 "%s --net bridge:ctrb0 --subnet 10.80.0.0/24 --ro-bind %s:/c.py -- python3 /c.py",
                 g_ctrun, client),
              0);
    ASSERT_CONTAINS(out, "ping-udp");
    kill_children(); /* the server's ctrun (and its container) */
    /* its rules and lease are gone once the last ctrun has cleaned up: the SIGKILLed one's
       are swept by the next */
    SH_OK("%s --net bridge:ctrb0 --subnet 10.80.0.0/24 -- /bin/true", g_ctrun);
    sh(out, sizeof out, "nft list ruleset; ls /run/ctrun/leases");
    ASSERT_STREQ(out, "");
}

TEST_TIMEOUT(ctrun_fifty_bridged_containers_isolated_and_nothing_left, 240) {
    net_host();
    char before_link[8192], before_addr[8192], out[16384];
    sh(before_link, sizeof before_link, "ip -o link show | cut -d: -f2 | sort");
    sh(before_addr, sizeof before_addr, "ip -o addr show | awk \"{print \\$2, \\$4}\" | sort");
    /* 25 containers on each of two bridges, each serving its address on port 80 for a while */
    SH_OK("for i in $(seq 25); do for b in a b; do (%s --net bridge:br$b --subnet "
          "10.6$(test $b = a && echo 1 || echo 2).0.0/24 -- /bin/sh -c \"ip -o -4 addr show eth0 "
          "> /tmp/x; busybox httpd -p 80 -h /tmp; sleep 25\" >/dev/null 2>&1 &); done; done",
          g_ctrun);
    ASSERT_TRUE(eventually(60, "test $(ls /run/ctrun/leases | wc -l) = 50"));
    sh(out, sizeof out, "ls /run/ctrun/leases | sort -u | wc -l");
    ASSERT_STREQ(out, "50"); /* distinct addresses */
    ASSERT_TRUE(eventually(30, "curl -s -m 1 http://10.61.0.26/x >/dev/null && curl -s -m 1 "
                               "http://10.62.0.26/x > /dev/null"));
    /* on the same bridge they reach each other; across bridges new connections are dropped */
    ASSERT_EQ(sh(out, sizeof out,
                 "%s --net bridge:bra --subnet 10.61.0.0/24 -- /bin/sh -c \"curl -s -m 3 "
                 "http://10.61.0.2/x; curl -s -m 2 http://10.62.0.2/x || echo "
                 "blocked\"",
                 g_ctrun),
              0);
    ASSERT_CONTAINS(out, "inet 10.61.0.2/24");
    ASSERT_CONTAINS(out, "blocked");
    ASSERT_NOT_CONTAINS(out, "10.62.0.2/24");
    /* all of them end (their sleep), then nothing of theirs is left: links, addresses, rules */
    ASSERT_TRUE(eventually(90, "test -z \"$(ls /run/ctrun/leases)\" && ! nft list tables | "
                               "grep -q ctrun"));
    char cmd[16384];
    th_fmt(cmd, sizeof cmd,
           "test \"$(ip -o link show | cut -d: -f2 | sort | grep -v -e \" bra$\" -e \" brb$\")\" "
           "= \"%s\"",
           before_link);
    ASSERT_TRUE(eventually(30, cmd));
    sh(out, sizeof out,
       "ip -o addr show | awk \"{print \\$2, \\$4}\" | grep -v -e \"^bra \" -e \"^brb \" | sort");
    ASSERT_STREQ(out, before_addr);
    sh(out, sizeof out, "nft list ruleset");
    ASSERT_STREQ(out, "");
    kill_children();
}

TEST_TIMEOUT(ctrun_killed_with_sigkill_leaves_no_rule_after_the_next_run, 60) {
    net_host();
    char out[8192];
    SH_OK("(%s --net bridge:ctrk0 --subnet 10.81.0.0/24 -p 9090:80 -- sleep 60 >/dev/null 2>&1 "
          "&)",
          g_ctrun);
    ASSERT_TRUE(eventually(20, "nft list ruleset | grep -q 9090"));
    SH_OK("pkill -KILL -x ctrun");
    usleep(200000);
    while (waitpid(-1, NULL, WNOHANG | __WALL) > 0) {} /* ours, as subreaper: reap it */
    sh(out, sizeof out, "nft list ruleset | grep -c \"comment \\\"ctrun\"");
    ASSERT_STREQ(out, "4"); /* still there: nobody removed them */
    SH_OK("%s --net bridge:ctrk0 --subnet 10.81.0.0/24 -- /bin/true", g_ctrun);
    sh(out, sizeof out, "nft list ruleset; ls /run/ctrun/leases");
    ASSERT_STREQ(out, "");
    kill_children();
}

TEST_TIMEOUT(ctrun_diagnoses_missing_nft_exhausted_subnet_and_missing_pasta, 60) {
    net_host();
    char out[8192];
    ASSERT_EQ(sh(out, sizeof out, "PATH=/nonexistent %s --net bridge -- /bin/true", g_ctrun), 125);
    ASSERT_CONTAINS(out, "nft, which sets up its NAT, is not installed: install it");
    /* a /30 has one address for a container */
    SH_OK("(%s --net bridge:ctrx0 --subnet 10.82.0.0/30 -- sleep 30 >/dev/null 2>&1 &)", g_ctrun);
    ASSERT_TRUE(eventually(20, "test -e /run/ctrun/leases/10.82.0.2"));
    ASSERT_EQ(
        sh(out, sizeof out, "%s --net bridge:ctrx0 --subnet 10.82.0.0/30 -- /bin/true", g_ctrun),
        125);
    ASSERT_CONTAINS(out, "subnet 10.82.0.0/30 is exhausted");
    ASSERT_CONTAINS(out, "give a larger --subnet");
    ASSERT_EQ(sh(out, sizeof out, "PATH=/nonexistent %s --net pasta -- /bin/true", g_ctrun), 125);
    ASSERT_CONTAINS(out, "pasta, which gives the container its network, is not in PATH");
    ASSERT_EQ(sh(out, sizeof out, "%s -p 80:80 -- /bin/true", g_ctrun), 125);
    ASSERT_CONTAINS(out, "-p: needs --net bridge or --net pasta");
    kill_children();
}

/* ---- pasta, unprivileged ---- */

TEST_TIMEOUT(pasta_as_nobody_publishes_a_port_and_reaches_the_host, 120) {
    net_host();
    char out[8192], www[PATH_MAX];
    path_join(www, g_tmp, "www");
    /* the host: an interface with a default route (pasta copies them), a server on another
       address of the host's */
    SH_OK("ip link add h0 type veth peer name h1 && ip link set h1 up && ip addr add "
          "192.0.2.1/24 dev h0 && ip link set h0 up && ip route add default via 192.0.2.254 && "
          "ip addr add 198.51.100.1/32 dev lo && mkdir -p /run/hw && echo host-server > "
          "/run/hw/index.html && busybox httpd -p 8000 -h /run/hw");
    if (access("/usr/bin/pasta", X_OK) != 0) SKIP("pasta is not installed (Debian: passt)");
    int pp[2];
    CHECK_SYS(pipe(pp));
    pid_t pid = fork();
    CHECK_SYS(pid);
    if (pid == 0) {
        dup2(pp[1], 1);
        close(pp[0]);
        close(pp[1]);
        /* as nobody: a server in the container published on 8081, a fetch from the host */
        if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
            setresuid(NOBODY, NOBODY, NOBODY))
            _exit(3);
        char o[8192];
        int st = sh(o, sizeof o,
                    "(%s --net pasta -p 8081:80 --ro-bind %s:/www -- busybox httpd -f -p 80 -h "
                    "/www >/tmp/pasta-srv.log 2>&1 &) ; for i in $(seq 100); do curl -s -m 1 "
                    "http://127.0.0.1:8081/ && break; sleep 0.1; done",
                    g_ctrun, www);
        printf("%d:%s\n", st, o);
        fflush(stdout);
        st = sh(o, sizeof o,
                "%s --net pasta -- /bin/sh -c \"curl -s -m 5 "
                "http://198.51.100.1:8000/; cat /etc/resolv.conf; id -u\"",
                g_ctrun);
        printf("%d:%s\n", st, o);
        fflush(stdout);
        _exit(0);
    }
    close(pp[1]);
    size_t len = 0;
    ssize_t n;
    while (len < sizeof out - 1 && (n = read(pp[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    close(pp[0]);
    int st;
    CHECK_SYS(waitpid(pid, &st, 0));
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ASSERT_CONTAINS(out, "0:hello from the container");
    ASSERT_CONTAINS(out, "0:host-server");
    ASSERT_CONTAINS(out, "nameserver 169.254.1.1");
    kill_children(); /* the server's ctrun, and with it its container and pasta */
    sh(out, sizeof out, "pgrep -x pasta || echo none");
    ASSERT_TRUE(eventually(10, "! pgrep -x pasta"));
}

int main(int argc, char **argv) { return suite_main(argc, argv, fixture_setup, fixture_teardown); }
