/* net_api - the networking rows of make bench: the spawn time through the API of a container
   with --net none, --listen (one TCP socket), a bridge and pasta, each to /bin/true, and 200
   bridged containers started and torn down back to back.  Run as root inside a network namespace
   of its own (bench/run.sh does: unshare -n); pasta rows need pasta and a default route there.
   Prints one line per row: "NAME median_ms p90_ms" and for the 200: "bridge200 total_ms
   destroy_max_ms". */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "../container.h"

#include <stdio.h>
#include <stdlib.h>

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void row(const char *name, int mode, int listen, int runs) {
    static const char *const argv[] = {"/bin/true", NULL};
    double t[1000];
    int n = 0;
    for (int i = 0; i < runs; i++) {
        ctr_spec s;
        ctr_listen l;
        char addr[32];
        memset(&s, 0, sizeof s);
        memset(&l, 0, sizeof l);
        s.argv = argv;
        s.net = (ctr_net_mode)mode;
        if (mode == CTR_NET_BRIDGE) {
            snprintf(addr, sizeof addr, "10.90.%d.%d/16", 1 + i / 250, 2 + i % 250);
            s.net_bridge = "benchbr0";
            s.net_address = addr;
            static const char *const dns[] = {"192.0.2.53", NULL};
            s.dns = dns;
        }
        if (listen) {
            l.address = "127.0.0.1";
            l.port = 19000;
            s.listen = &l;
            s.nlisten = 1;
        }
        ctr_container *c;
        ctr_error e;
        double t0 = now_ms();
        if (ctr_spawn(&s, &c, &e) != 0) {
            fprintf(stderr, "%s: %s\n", name, e.msg);
            return;
        }
        double t1 = now_ms();
        ctr_wait(c, NULL, NULL);
        ctr_destroy(c);
        if (i > 0) t[n++] = t1 - t0; /* the first warms up (the bridge is made) */
    }
    qsort(t, (size_t)n, sizeof t[0], cmp);
    printf("%-10s median %.3f ms  p90 %.3f ms  (%d runs)\n", name, t[n / 2], t[n * 9 / 10], n);
}

int main(int argc, char **argv) {
    int runs = argc > 1 ? atoi(argv[1]) : 100;
    row("none", CTR_NET_NONE, 0, runs);
    row("listen", CTR_NET_NONE, 1, runs);
    row("bridge", CTR_NET_BRIDGE, 0, runs);
    if (argc < 3) row("pasta", CTR_NET_PASTA, 0, runs / 4 + 2);
    /* 200 bridged containers started and torn down back to back */
    static const char *const av[] = {"/bin/true", NULL};
    double t0 = now_ms(), worst = 0;
    for (int i = 0; i < 200; i++) {
        ctr_spec s;
        char addr[32];
        static const char *const dns[] = {"192.0.2.53", NULL};
        memset(&s, 0, sizeof s);
        s.argv = av;
        s.net = CTR_NET_BRIDGE;
        s.net_bridge = "benchbr0";
        snprintf(addr, sizeof addr, "10.90.%d.%d/16", 10 + i / 250, 2 + i % 250);
        s.net_address = addr;
        s.dns = dns;
        ctr_container *c;
        ctr_error e;
        if (ctr_spawn(&s, &c, &e) != 0) {
            fprintf(stderr, "bridge200: %s\n", e.msg);
            return 1;
        }
        ctr_wait(c, NULL, NULL);
        double d0 = now_ms();
        ctr_destroy(c);
        double d = now_ms() - d0;
        if (d > worst) worst = d;
    }
    printf("bridge200  %.1f ms for 200 (%.2f ms each), slowest ctr_wait+destroy tail %.3f ms\n",
           now_ms() - t0, (now_ms() - t0) / 200, worst);
    return 0;
}
