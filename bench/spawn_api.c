/* spawn_api - spawn latency, throughput and memory of container.h through its API, in-process.
   A benchmark driver, not an example.

       spawn_api --rootfs DIR [-n N] [--warmup W] [--limits] [--ballast MIB] [--netns-pool N]
       spawn_api --rootfs DIR --threads T --seconds S [--warmup W] [--limits]
       spawn_api --rootfs DIR --idle K [--rounds R]
       spawn_api --rootfs DIR --filter-len

   The spec is ctrun's default one (examples/ctrun.c with --rootfs DIR -- /bin/true): rootfs DIR,
   argv {"/bin/true"}, every other field zero (new mount/pid/uts/ipc/net/cgroup namespaces, proc,
   /dev and a tmpfs /tmp, loopback up, Docker's capabilities, no_new_privs, the default seccomp
   filter, the /proc masks; stdio inherited).  --limits adds memory_max 256 MiB, pids_max 100 and
   cpus 1.0 (a cgroup per container).

   Latency (default): N timed iterations of ctr_spawn + ctr_wait + ctr_destroy after W untimed
   ones, each timed with CLOCK_MONOTONIC.  --ballast MIB first maps, touches and keeps MIB MiB of
   anonymous memory (4 KiB pages: MADV_NOHUGEPAGE), so that the host process is that big.
   Throughput (--threads T --seconds S): T threads spawn+wait+destroy in a loop, each after W
   warm-up spawns, for S seconds; containers per second in total.
   Memory (--idle K): K containers running /bin/sleep 1000 at once; the drop in MemAvailable
   (/proc/meminfo: the median of 5 readings, before and after) and the sum of their VmRSS (and of
   their Pss, which counts shared pages once), per container; then all are killed and destroyed.
   R rounds (default 3); the round with the median drop is reported.  Also the growth of the
   kernel's Slab + KernelStack + PageTables + Percpu per container, plus their Pss: steadier than
   MemAvailable when other work runs on the machine.
   --filter-len: the length in BPF instructions of the default seccomp filter, read from a running
   container with ptrace(PTRACE_SECCOMP_GET_FILTER) (root, CONFIG_CHECKPOINT_RESTORE).

   --rootfs-rw: the rootfs itself, bound (spec.rootfs_rw), instead of the default throw-away
   layer over it; --no-network: spec.no_network (one shared empty network namespace).
   --netns-pool N: every spawn borrows its network namespace from a ctr_netns_pool of at most N
   (made before the warm-up), instead of creating one.

   Prints one line of JSON on stdout; errors on stderr, exit status 1. */
#define _GNU_SOURCE
#define CONTAINER_IMPLEMENTATION
#include "../container.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stats.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

static const char *const argv_true[] = {"/bin/true", NULL};
static const char *const argv_sleep[] = {"/bin/sleep", "1000", NULL};

static struct {
    const char *rootfs;
    long n, warmup, threads, idle, rounds, ballast_mib;
    double seconds;
    int limits, filter_len;
    unsigned netns_pool;
    int rootfs_rw, no_network;
} opt = {NULL, 300, 20, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0};
static ctr_netns_pool *pool; /* --netns-pool N */

static void make_spec(ctr_spec *spec, const char *const *argv) {
    memset(spec, 0, sizeof(*spec));
    spec->argv = argv;
    spec->rootfs = opt.rootfs;
    spec->netns_pool = pool;
    spec->rootfs_rw = opt.rootfs_rw;   /* --rootfs-rw: no layer, the directory itself */
    spec->no_network = opt.no_network; /* --no-network: the shared empty namespace */
    if (opt.limits) {
        spec->memory_max = 256ull << 20;
        spec->pids_max = 100;
        spec->cpus = 1.0;
    }
}

static void fail(const char *what, const ctr_error *err) {
    fprintf(stderr, "spawn_api: %s: %s\n", what, err ? err->msg : strerror(errno));
    exit(1);
}

/* One container running /bin/true, start to finish; milliseconds. */
static double run_one(const ctr_spec *spec) {
    ctr_container *c;
    ctr_error err;
    ctr_result res;
    double t0 = bench_now_ms(), t1;
    if (ctr_spawn(spec, &c, &err) != 0) fail("ctr_spawn", &err);
    if (ctr_wait(c, &res, &err) != 0) fail("ctr_wait", &err);
    ctr_destroy(c);
    t1 = bench_now_ms();
    if (!res.exited || res.exit_code != 0) {
        fprintf(stderr, "spawn_api: /bin/true did not exit 0 (exited %d code %d signal %d)\n",
                res.exited, res.exit_code, res.term_signal);
        exit(1);
    }
    return t1 - t0;
}

static long status_kib(const char *path, const char *key) {
    char line[256];
    long v = -1;
    size_t klen = strlen(key);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, key, klen) && line[klen] == ':') {
            v = atol(line + klen + 1);
            break;
        }
    fclose(f);
    return v;
}

static void *ballast(long mib) {
    size_t len = (size_t)mib << 20;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) fail("mmap ballast", NULL);
    (void)madvise(p, len, MADV_NOHUGEPAGE);
    memset(p, 0x5a, len);
    return p;
}

static int latency(void) {
    ctr_spec spec;
    double *v = calloc((size_t)opt.n, sizeof(double));
    long i;
    if (!v) fail("calloc", NULL);
    if (opt.ballast_mib > 0) ballast(opt.ballast_mib);
    make_spec(&spec, argv_true);
    for (i = -opt.warmup; i < opt.n; i++) {
        double t = run_one(&spec);
        if (i >= 0) v[i] = t;
    }
    printf("{");
    bench_print_stats(v, (size_t)opt.n);
    printf(",\"limits\":%d,\"netns_pool\":%u,\"ballast_mib\":%ld,\"host_rss_kib\":%ld}\n",
           opt.limits, opt.netns_pool, opt.ballast_mib, status_kib("/proc/self/status", "VmRSS"));
    return 0;
}

/* Throughput: the threads warm up, meet at a barrier, then run until the shared deadline. */
static pthread_barrier_t barrier;
static double start_ms, deadline_ms;

typedef struct {
    long count;
    double last_end, lat_sum;
} worker;

static void *worker_main(void *arg) {
    worker *w = arg;
    ctr_spec spec;
    long i;
    make_spec(&spec, argv_true);
    for (i = 0; i < opt.warmup; i++) run_one(&spec);
    pthread_barrier_wait(&barrier); /* warmed up */
    pthread_barrier_wait(&barrier); /* start_ms, deadline_ms set */
    for (;;) {
        double t = run_one(&spec), now = bench_now_ms();
        if (now > deadline_ms) break;
        w->count++;
        w->lat_sum += t;
        w->last_end = now;
    }
    return NULL;
}

static int throughput(void) {
    pthread_t *tid = calloc((size_t)opt.threads, sizeof(pthread_t));
    worker *w = calloc((size_t)opt.threads, sizeof(worker));
    long i, total = 0;
    double end = 0, lat = 0;
    if (!tid || !w || pthread_barrier_init(&barrier, NULL, (unsigned)opt.threads + 1) != 0)
        fail("setup", NULL);
    for (i = 0; i < opt.threads; i++)
        if ((errno = pthread_create(&tid[i], NULL, worker_main, &w[i])) != 0)
            fail("pthread_create", NULL);
    pthread_barrier_wait(&barrier);
    start_ms = bench_now_ms();
    deadline_ms = start_ms + opt.seconds * 1e3;
    pthread_barrier_wait(&barrier);
    for (i = 0; i < opt.threads; i++) {
        pthread_join(tid[i], NULL);
        total += w[i].count;
        lat += w[i].lat_sum;
        if (w[i].last_end > end) end = w[i].last_end;
    }
    if (total == 0) {
        fprintf(stderr, "spawn_api: no container finished within %.1f s\n", opt.seconds);
        return 1;
    }
    printf("{\"threads\":%ld,\"seconds\":%.3f,\"containers\":%ld,\"per_second\":%.2f,\"mean_"
           "latency_ms\":%.4f,"
           "\"limits\":%d,\"per_thread\":[",
           opt.threads, (end - start_ms) / 1e3, total, (double)total / ((end - start_ms) / 1e3),
           lat / (double)total, opt.limits);
    for (i = 0; i < opt.threads; i++) printf("%s%ld", i ? "," : "", w[i].count);
    printf("]}\n");
    return 0;
}

/* The /proc/meminfo fields the idle measurement reports, in KiB. */
#define MEMINFO_FIELDS(X) \
    X(MemAvailable) X(MemFree) X(Slab) X(KernelStack) X(PageTables) X(Percpu) X(Shmem)
typedef struct {
#define MEMINFO_MEMBER(name) long name;
    MEMINFO_FIELDS(MEMINFO_MEMBER)
#undef MEMINFO_MEMBER
} meminfo;

static void read_meminfo(meminfo *m) {
#define MEMINFO_READ(name) m->name = status_kib("/proc/meminfo", #name);
    MEMINFO_FIELDS(MEMINFO_READ)
#undef MEMINFO_READ
}

/* MemAvailable moves with everything else on the machine (and with the kernel's deferred frees
   of earlier containers' namespaces): one second's rest, then the median of 5 readings 0.2 s
   apart, field by field. */
static void meminfo_settled(meminfo *m) {
    meminfo r[5];
    double v[5];
    int i;
    sleep(1);
    for (i = 0; i < 5; i++) {
        if (i) usleep(200 * 1000);
        read_meminfo(&r[i]);
    }
#define MEMINFO_MEDIAN(name)                          \
    for (i = 0; i < 5; i++) v[i] = (double)r[i].name; \
    qsort(v, 5, sizeof(double), bench_cmp_double);    \
    m->name = (long)v[2];
    MEMINFO_FIELDS(MEMINFO_MEDIAN)
#undef MEMINFO_MEDIAN
}

/* Proportional set size (KiB) of a process: its share of the pages it maps with others. */
static long pss_kib(pid_t pid) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
    return status_kib(path, "Pss");
}

/* One round of the idle measurement: K sleeping containers; the meminfo change (after - before),
   their summed VmRSS and Pss; then all are killed and destroyed. */
typedef struct {
    meminfo change;
    long rss, pss;
    double spawn_ms;
} idle_round;

static int idle_once(ctr_container **c, idle_round *out) {
    ctr_spec spec;
    ctr_error err;
    meminfo before, after;
    long i;
    double t0;
    make_spec(&spec, argv_sleep);
    meminfo_settled(&before);
    t0 = bench_now_ms();
    for (i = 0; i < opt.idle; i++)
        if (ctr_spawn(&spec, &c[i], &err) != 0) {
            long j;
            fprintf(stderr, "spawn_api: ctr_spawn #%ld: %s\n", i, err.msg);
            for (j = 0; j < i; j++) ctr_destroy(c[j]);
            return -1;
        }
    out->spawn_ms = bench_now_ms() - t0;
    meminfo_settled(&after);
    out->rss = out->pss = 0;
    for (i = 0; i < opt.idle; i++) {
        char path[64];
        long r;
        snprintf(path, sizeof(path), "/proc/%d/status", (int)ctr_pid(c[i]));
        if ((r = status_kib(path, "VmRSS")) > 0) out->rss += r;
        if ((r = pss_kib(ctr_pid(c[i]))) > 0) out->pss += r;
    }
    for (i = 0; i < opt.idle; i++) {
        ctr_result res;
        (void)ctr_kill(c[i], SIGKILL, NULL);
        (void)ctr_wait(c[i], &res, NULL);
        ctr_destroy(c[i]);
    }
#define MEMINFO_CHANGE(name) out->change.name = after.name - before.name;
    MEMINFO_FIELDS(MEMINFO_CHANGE)
#undef MEMINFO_CHANGE
    return 0;
}

static int idle(void) {
    ctr_container **c = calloc((size_t)opt.idle, sizeof(*c));
    idle_round *rd = calloc((size_t)opt.rounds, sizeof(*rd));
    double *v = calloc((size_t)opt.rounds, sizeof(double)), k = (double)opt.idle;
    struct rlimit rl;
    long i, kernel;
    if (!c || !rd || !v) fail("calloc", NULL);
    /* Each live container keeps a few descriptors. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    for (i = 0; i < opt.rounds; i++)
        if (idle_once(c, &rd[i]) != 0) return 1;
    /* The reported round: the one with the median MemAvailable drop. */
    for (i = 0; i < opt.rounds; i++) v[i] = (double)-rd[i].change.MemAvailable;
    qsort(v, (size_t)opt.rounds, sizeof(double), bench_cmp_double);
    for (i = 0; i < opt.rounds && (double)-rd[i].change.MemAvailable != v[(opt.rounds - 1) / 2];
         i++) {}
    /* A steadier estimate than MemAvailable on a busy machine: what the kernel's own counters grew
       by, plus the containers' proportional share of user pages. */
    kernel = rd[i].change.Slab + rd[i].change.KernelStack + rd[i].change.PageTables +
             rd[i].change.Percpu;
    printf("{\"containers\":%ld,\"rounds\":%ld,\"per_container_kib\":%.1f,\"mem_available_drop_"
           "kib\":%ld,"
           "\"rss_per_container_kib\":%.1f,\"pss_per_container_kib\":%.1f,\"kernel_per_container_"
           "kib\":%.1f,"
           "\"kernel_plus_pss_per_container_kib\":%.1f,\"spawn_all_ms\":%.1f,\"limits\":%d,"
           "\"per_container_kib_each_round\":[",
           opt.idle, opt.rounds, -(double)rd[i].change.MemAvailable / k, -rd[i].change.MemAvailable,
           (double)rd[i].rss / k, (double)rd[i].pss / k, (double)kernel / k,
           (double)(kernel + rd[i].pss) / k, rd[i].spawn_ms, opt.limits);
    for (long j = 0; j < opt.rounds; j++)
        printf("%s%.1f", j ? "," : "", -(double)rd[j].change.MemAvailable / k);
    printf("],\"meminfo_change_kib\":{");
#define MEMINFO_PRINT(name) \
    printf("%s\"" #name "\":%ld", strcmp(#name, "MemAvailable") ? "," : "", rd[i].change.name);
    MEMINFO_FIELDS(MEMINFO_PRINT)
#undef MEMINFO_PRINT
    printf("}}\n");
    return 0;
}

static int filter_len(void) {
    ctr_container *c;
    ctr_spec spec;
    ctr_error err;
    ctr_result res;
    pid_t pid;
    long len = -1;
    int st, e = 0;
    make_spec(&spec, argv_sleep);
    if (ctr_spawn(&spec, &c, &err) != 0) fail("ctr_spawn", &err);
    pid = ctr_pid(c);
    if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) != 0 ||
        ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) != 0 || waitpid(pid, &st, __WALL) != pid) {
        e = errno;
    } else {
        len = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)0, NULL);
        if (len < 0) e = errno;
        (void)ptrace(PTRACE_DETACH, pid, NULL, NULL);
    }
    (void)ctr_kill(c, SIGKILL, NULL);
    (void)ctr_wait(c, &res, NULL);
    ctr_destroy(c);
    if (len < 0) {
        fprintf(stderr, "spawn_api: PTRACE_SECCOMP_GET_FILTER: %s\n", strerror(e));
        return 1;
    }
    printf("{\"filter_len\":%ld}\n", len);
    return 0;
}

static void usage(void) {
    fprintf(stderr,
            "usage: spawn_api --rootfs DIR [-n N] [--warmup W] [--limits] [--ballast MIB] "
            "[--netns-pool N] [--rootfs-rw] [--no-network]\n"
            "       spawn_api --rootfs DIR --threads T --seconds S [--warmup W] [--limits]\n"
            "       spawn_api --rootfs DIR --idle K [--rounds R] [--limits]\n"
            "       spawn_api --rootfs DIR --filter-len\n");
    exit(2);
}

int main(int argc, char **argv) {
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--limits"))
            opt.limits = 1;
        else if (!strcmp(a, "--rootfs-rw"))
            opt.rootfs_rw = 1;
        else if (!strcmp(a, "--no-network"))
            opt.no_network = 1;
        else if (!strcmp(a, "--filter-len"))
            opt.filter_len = 1;
        else if (!v)
            usage();
        else if (!strcmp(a, "--rootfs"))
            opt.rootfs = v, i++;
        else if (!strcmp(a, "-n"))
            opt.n = atol(v), i++;
        else if (!strcmp(a, "--warmup"))
            opt.warmup = atol(v), i++;
        else if (!strcmp(a, "--ballast"))
            opt.ballast_mib = atol(v), i++;
        else if (!strcmp(a, "--threads"))
            opt.threads = atol(v), i++;
        else if (!strcmp(a, "--seconds"))
            opt.seconds = atof(v), i++;
        else if (!strcmp(a, "--idle"))
            opt.idle = atol(v), i++;
        else if (!strcmp(a, "--rounds"))
            opt.rounds = atol(v), i++;
        else if (!strcmp(a, "--netns-pool"))
            opt.netns_pool = (unsigned)atol(v), i++;
        else
            usage();
    }
    if (!opt.rootfs || opt.n < 1 || opt.warmup < 0 || opt.ballast_mib < 0 || opt.threads < 0 ||
        opt.idle < 0 || opt.rounds < 1 || (opt.threads > 0 && opt.seconds <= 0))
        usage();
    if (opt.netns_pool) {
        ctr_error err;
        if (ctr_netns_pool_create(&pool, opt.netns_pool, &err) != 0)
            fail("ctr_netns_pool_create", &err);
    }
    if (opt.filter_len) return filter_len();
    if (opt.idle > 0) return idle();
    if (opt.threads > 0) return throughput();
    return latency();
}
