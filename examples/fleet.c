/* fleet - a thousand containers on one base: start N idle containers that share one read-only
   base, each writing a file into its own throw-away layer, check that none sees another's file,
   measure, tear all down and check that nothing is left.  An example program for container.h.

       fleet [-n N] [--upper-dir DIR] [--own-netns]       (as root)

   The base is a temporary directory holding this program itself (it is linked statically) as
   /bin/sleep: run under that name it is the containers' command, which writes /fleet-ID into its
   layer and then sleeps until killed.  Each container: lowers = {base}, a 1 MiB tmpfs upper (or,
   with --upper-dir, a persistent upper DIR/ID), no_network (one shared empty network namespace
   instead of one each; --own-netns gives each its own), /tmp a directory of the layer rather
   than a tmpfs of its own (CTR_MOUNT_DIR), stdio to /dev/null, no cgroup; the default /proc
   (with its masks) and /dev.

   Prints containers started per second; host memory per idle container, measured as the bench
   does it (bench/spawn_api.c --idle): the growth of the kernel's Slab + KernelStack + PageTables
   + Percpu plus the containers' proportional set size (Pss), divided by N; and the disk per
   container: what its upper layer holds (statfs of its root: the upper's filesystem).  Then it
   checks that nothing is left: the host's mount table as before, no container process, no
   container cgroup, no work or scratch directory.  The last line:

       fleet: N containers, R/s, M KiB memory per container, D KiB disk per container, nothing left

   (or what was left); exit status 0 if every check passed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The containers' command: write /fleet-ID, then sleep until killed. */
static int worker(const char *id) {
    char path[64];
    int fd;
    snprintf(path, sizeof path, "/fleet-%s", id);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, id, strlen(id)) != (ssize_t)strlen(id) || close(fd) != 0) return 1;
    for (;;) pause();
}

static long field_kib(const char *file, const char *key) {
    char line[256];
    long v = -1;
    size_t k = strlen(key);
    FILE *f = fopen(file, "re");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, k) == 0 && line[k] == ':') {
            v = atol(line + k + 1);
            break;
        }
    fclose(f);
    return v;
}

/* Slab + KernelStack + PageTables + Percpu, settled: one second's rest, then the median of 5
   readings (the kernel frees namespaces and mounts on workers, a little later). */
static int cmp_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}
static long kernel_kib(long *avail) {
    long k[5], a[5];
    sleep(1);
    for (int i = 0; i < 5; i++) {
        if (i) usleep(200 * 1000);
        k[i] = field_kib("/proc/meminfo", "Slab") + field_kib("/proc/meminfo", "KernelStack") +
               field_kib("/proc/meminfo", "PageTables") + field_kib("/proc/meminfo", "Percpu");
        a[i] = field_kib("/proc/meminfo", "MemAvailable");
    }
    qsort(k, 5, sizeof k[0], cmp_long);
    qsort(a, 5, sizeof a[0], cmp_long);
    *avail = a[2];
    return k[2];
}

static int count_lines(const char *file) {
    FILE *f = fopen(file, "re");
    int n = 0, c;
    if (!f) return -1;
    while ((c = fgetc(f)) != EOF) n += c == '\n';
    fclose(f);
    return n;
}

static int copy_self(const char *dst) {
    char buf[65536];
    int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), out, ok = 0;
    ssize_t n = 0;
    if (in < 0) return -1;
    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    while (out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) break;
    ok = out >= 0 && n == 0;
    close(in);
    if (out >= 0) close(out);
    return ok ? 0 : -1;
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)ftw;
    return flag == FTW_DP ? rmdir(p) : unlink(p);
}

__attribute__((noinline)) static int fleet(int argc, char **argv) {
    long n = 1000, before_avail, after_avail;
    const char *upper_dir = NULL;
    int own_netns = 0, failures = 0;
    char tmp[] = "/tmp/fleet.XXXXXX", base[64], path[PATH_MAX], left[1024] = "";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            n = atol(argv[++i]);
        else if (strcmp(argv[i], "--upper-dir") == 0 && i + 1 < argc)
            upper_dir = argv[++i];
        else if (strcmp(argv[i], "--own-netns") == 0)
            own_netns = 1;
        else {
            fprintf(stderr, "usage: fleet [-n N] [--upper-dir DIR] [--own-netns]\n");
            return 2;
        }
    }
    if (n < 1 || n > 100000) {
        fprintf(stderr, "fleet: -n must be 1..100000\n");
        return 2;
    }
    if (geteuid() != 0) {
        fprintf(stderr, "fleet: run as root (no_network's shared namespace belongs to root)\n");
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    /* The base: this program as /bin/sleep, and the mount points. */
    if (!mkdtemp(tmp)) {
        perror("fleet: mkdtemp");
        return 1;
    }
    chmod(tmp, 0755);
    snprintf(base, sizeof base, "%s/base", tmp);
    const char *const dirs[] = {"", "/bin", "/proc", "/dev", "/tmp"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s%s", base, dirs[i]);
        mkdir(path, 0755);
    }
    snprintf(path, sizeof path, "%s/bin/sleep", base);
    if (copy_self(path) != 0) {
        perror("fleet: copy itself into the base");
        return 1;
    }

    ctr_container **c = calloc((size_t)n, sizeof *c);
    char(*ids)[16] = calloc((size_t)n, sizeof *ids);
    char(*uppers)[PATH_MAX] = upper_dir ? calloc((size_t)n, sizeof *uppers) : NULL;
    if (!c || !ids || (upper_dir && !uppers)) {
        perror("fleet: calloc");
        return 1;
    }
    int mounts_before = count_lines("/proc/self/mountinfo");
    long kernel_before = kernel_kib(&before_avail);

    /* Start them. */
    const char *const lowers[] = {base, NULL};
    ctr_mount tmp_dir;
    memset(&tmp_dir, 0, sizeof tmp_dir);
    tmp_dir.type = CTR_MOUNT_DIR;
    tmp_dir.target = "/tmp";
    tmp_dir.mode = 01777;
    double t0 = now_s();
    long started = 0;
    for (long i = 0; i < n; i++) {
        ctr_spec s;
        ctr_error err;
        const char *args[3];
        memset(&s, 0, sizeof s);
        snprintf(ids[i], sizeof ids[i], "%ld", i);
        args[0] = "/bin/sleep";
        args[1] = ids[i];
        args[2] = NULL;
        s.argv = args;
        s.lowers = lowers;
        if (upper_dir) {
            snprintf(uppers[i], PATH_MAX, "%s/%ld", upper_dir, i);
            mkdir(uppers[i], 0755);
            s.upper = uppers[i];
        } else {
            s.upper_size = 1 << 20;
        }
        s.no_network = !own_netns;
        /* /tmp as a directory of the layer (itself a throw-away tmpfs) instead of a tmpfs of its
           own: one filesystem less per container. */
        s.mounts = &tmp_dir;
        s.nmounts = 1;
        s.stdio[0] = s.stdio[1] = s.stdio[2] = CTR_STDIO_NULL;
        if (ctr_spawn(&s, &c[i], &err) != 0 && i == 0 && s.no_network &&
            err.step == CTR_STEP_SPEC && err.sys_errno == ENOTSUP) {
            /* no_network needs Landlock ABI 6 (Linux 6.12): a namespace each, then */
            printf("fleet: %s\nfleet: so each container gets a network namespace of its own\n",
                   err.msg);
            own_netns = 1;
            s.no_network = 0;
            if (ctr_spawn(&s, &c[i], &err) == 0) {
                started++;
                continue;
            }
        } else if (c[i]) {
            started++;
            continue;
        }
        fprintf(stderr, "fleet: container %ld: %s\n", i, err.msg);
        failures++;
        break;
    }
    double t_start = now_s() - t0;

    /* Each has written its file; each root holds its own and no other. */
    long mismatched = 0, missing = 0;
    for (long i = 0; i < started; i++) {
        struct stat st;
        snprintf(path, sizeof path, "/proc/%d/root/fleet-%ld", (int)ctr_pid(c[i]), i);
        for (int tries = 0; stat(path, &st) != 0 && tries < 6000; tries++) usleep(10000);
        if (stat(path, &st) != 0) missing++;
    }
    for (long i = 0; i < started; i++) {
        DIR *d;
        struct dirent *e;
        snprintf(path, sizeof path, "/proc/%d/root", (int)ctr_pid(c[i]));
        if (!(d = opendir(path))) {
            mismatched++;
            continue;
        }
        while ((e = readdir(d)))
            if (strncmp(e->d_name, "fleet-", 6) == 0 && strcmp(e->d_name + 6, ids[i]) != 0)
                mismatched++;
        closedir(d);
    }
    printf("fleet: %ld containers started in %.2f s: %.0f/s\n", started, t_start,
           (double)started / t_start);
    printf("fleet: each wrote its own file: %s; none sees another's: %s\n", missing ? "NO" : "yes",
           mismatched ? "NO" : "yes");
    if (missing || mismatched) failures++;

    /* Memory: the kernel's counters and the containers' Pss; disk: what each upper holds. */
    long kernel_after = kernel_kib(&after_avail), pss = 0;
    unsigned long long disk = 0;
    for (long i = 0; i < started; i++) {
        struct statfs sf;
        long v;
        snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)ctr_pid(c[i]));
        if ((v = field_kib(path, "Pss")) > 0) pss += v;
        snprintf(path, sizeof path, "/proc/%d/root", (int)ctr_pid(c[i]));
        if (statfs(path, &sf) == 0)
            disk += (unsigned long long)(sf.f_blocks - sf.f_bfree) * sf.f_bsize;
    }
    if (upper_dir) { /* a persistent upper: du of its files */
        disk = 0;
        for (long i = 0; i < started; i++) {
            DIR *d = opendir(uppers[i]);
            struct dirent *e;
            while (d && (e = readdir(d))) {
                struct stat st;
                snprintf(path, sizeof path, "%s/%s", uppers[i], e->d_name);
                if (e->d_name[0] != '.' && lstat(path, &st) == 0)
                    disk += (unsigned long long)st.st_blocks * 512;
            }
            if (d) closedir(d);
        }
    }
    double k = started ? (double)started : 1;
    double mem = ((double)(kernel_after - kernel_before) + (double)pss) / k;
    double disk_kib = (double)disk / 1024 / k;
    printf("fleet: memory per container: %.0f KiB (kernel counters %.0f + Pss %.0f); "
           "MemAvailable dropped %.0f KiB per container\n",
           mem, (double)(kernel_after - kernel_before) / k, (double)pss / k,
           (double)(before_avail - after_avail) / k);
    printf("fleet: disk per container: %.1f KiB (its upper layer)\n", disk_kib);

    /* Tear down. */
    double t1 = now_s();
    pid_t *pids = calloc((size_t)started + 1, sizeof *pids);
    for (long i = 0; i < started; i++) {
        pids[i] = ctr_pid(c[i]);
        ctr_kill(c[i], SIGKILL, NULL);
    }
    for (long i = 0; i < started; i++) {
        ctr_result res;
        ctr_wait(c[i], &res, NULL);
        ctr_destroy(c[i]);
    }
    printf("fleet: torn down in %.2f s\n", now_s() - t1);

    /* Nothing left: mounts, processes, cgroups, directories. */
    size_t len = 0;
    int mounts_after = count_lines("/proc/self/mountinfo");
    if (mounts_after != mounts_before)
        len += (size_t)snprintf(left + len, sizeof left - len, "%s%d mounts", len ? ", " : "",
                                mounts_after - mounts_before);
    long alive = 0;
    for (long i = 0; i < started; i++) {
        char st[64];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pids[i]);
        FILE *f = fopen(path, "re");
        if (f && fgets(st, sizeof st, f)) alive++; /* a reused pid would count too: rare */
        if (f) fclose(f);
    }
    if (waitpid(-1, NULL, WNOHANG | __WALL) != -1 || errno != ECHILD) alive++;
    if (alive)
        len += (size_t)snprintf(left + len, sizeof left - len, "%s%ld processes", len ? ", " : "",
                                alive);
    glob_t g;
    char pat[128];
    snprintf(pat, sizeof pat, "/sys/fs/cgroup/*/container.h/ctr-%d-*", (int)getpid());
    size_t cgs = 0;
    if (glob(pat, 0, NULL, &g) == 0) cgs += g.gl_pathc, globfree(&g);
    snprintf(pat, sizeof pat, "/sys/fs/cgroup/container.h/ctr-%d-*", (int)getpid());
    if (glob(pat, 0, NULL, &g) == 0) cgs += g.gl_pathc, globfree(&g);
    if (cgs)
        len +=
            (size_t)snprintf(left + len, sizeof left - len, "%s%zu cgroups", len ? ", " : "", cgs);
    if (upper_dir) {
        snprintf(pat, sizeof pat, "%.100s/.ctr-work-*", upper_dir);
        if (glob(pat, GLOB_PERIOD, NULL, &g) == 0) {
            len += (size_t)snprintf(left + len, sizeof left - len, "%s%zu work directories",
                                    len ? ", " : "", g.gl_pathc);
            globfree(&g);
        }
    }
    nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
    if (access(tmp, F_OK) == 0)
        len += (size_t)snprintf(left + len, sizeof left - len, "%sthe base directory %s",
                                len ? ", " : "", tmp);
    if (len) failures++;
    printf("fleet: %ld containers, %.0f/s, %.0f KiB memory per container, %.1f KiB disk per "
           "container, %s%s\n",
           started, (double)started / t_start, mem, disk_kib, len ? "left: " : "nothing left",
           left);
    free(pids);
    free(c);
    free(ids);
    free(uppers);
    return failures ? 1 : 0;
}

/* The containers' command is this program under the name sleep: main stays small, so that the
   idle containers touch as little stack as they can. */
int main(int argc, char **argv) {
    const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (strcmp(self, "sleep") == 0 && argc == 2) return worker(argv[1]);
    return fleet(argc, argv);
}
