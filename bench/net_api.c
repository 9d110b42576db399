/* net_api - the networking rows of make bench: the spawn time through the API of a container
   with --net none, --listen (one TCP socket), a bridge and pasta, each to /bin/true, and 200
   bridged containers started and torn down back to back.  Run as root inside a network namespace
   of its own (bench/run.sh does: unshare -n); pasta rows need pasta and a default route there.
   none, listen and bridge are measured interleaved (one of each in turn, RUNS rounds), so that
   a change of the machine's load meanwhile weighs on all three alike; the difference
   bridge - none is the median of the per-round differences.
   Prints one line per row: "NAME median_ms p90_ms" and for the 200: "bridge200 total_ms
   destroy_max_ms".
       net_api [RUNS [nopasta]]   RUNS rounds (default 100) */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "../container.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_RUNS 2000

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One spawn to /bin/true and its teardown: the time ctr_spawn took, or -1. */
static double one(const char *name, int mode, int listen, int i) {
    static const char *const argv[] = {"/bin/true", NULL};
    static const char *const dns[] = {"192.0.2.53", NULL};
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
        return -1;
    }
    double t = now_ms() - t0;
    ctr_wait(c, NULL, NULL);
    ctr_destroy(c);
    return t;
}

static void report(const char *name, double *t, int n) {
    if (n <= 0) return;
    qsort(t, (size_t)n, sizeof t[0], cmp);
    printf("%-10s median %.3f ms  p90 %.3f ms  (%d runs)\n", name, t[n / 2], t[n * 9 / 10], n);
}

int main(int argc, char **argv) {
    static double none[MAX_RUNS], lis[MAX_RUNS], br[MAX_RUNS], diff[MAX_RUNS], pa[MAX_RUNS];
    int runs = argc > 1 ? atoi(argv[1]) : 100, n = 0, np = 0;
    if (runs < 2) runs = 2;
    if (runs > MAX_RUNS) runs = MAX_RUNS;
    /* warm-up: the bridge is made, the stacks cached */
    if (one("none", CTR_NET_NONE, 0, 0) < 0 || one("bridge", CTR_NET_BRIDGE, 0, 0) < 0) return 1;
    for (int i = 1; i <= runs; i++) {
        double a = one("none", CTR_NET_NONE, 0, i), b = one("listen", CTR_NET_NONE, 1, i),
               c = one("bridge", CTR_NET_BRIDGE, 0, i);
        if (a < 0 || b < 0 || c < 0) return 1;
        none[n] = a;
        lis[n] = b;
        br[n] = c;
        diff[n++] = c - a;
    }
    report("none", none, n);
    report("listen", lis, n);
    report("bridge", br, n);
    qsort(diff, (size_t)n, sizeof diff[0], cmp);
    printf("bridge-none median of the per-round differences %.3f ms\n", diff[n / 2]);
    if (argc < 3) {
        for (int i = 0; i < runs / 4 + 2; i++) {
            double t = one("pasta", CTR_NET_PASTA, 0, i);
            if (t < 0) break;
            if (i > 0) pa[np++] = t;
        }
        report("pasta", pa, np);
    }
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
