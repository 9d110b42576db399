/* build_step - run one compiler call the way a build tool would sandbox it.

       build_step [-o OUTDIR] [-m MIB] [-t SECONDS] [-q] -- COMMAND [ARGS...]
       build_step -o out -- cc -c src/foo.c -o out/foo.o

   The current directory (the source tree) is visible at its own path, read-only; OUTDIR (default
   "out", made if missing) is the one writable place; the host's toolchain (/usr, /bin, /lib...,
   /etc) is there read-only and nothing else of the host is; no network (a network namespace with
   loopback only); a memory limit (-m, default 1024 MiB: a cgroup where this user may make one,
   else RLIMIT_AS) and a time limit (-t, default 300 s).  The command's stdout and stderr are this
   process's own, untouched (colours, line order); its exit status is ours (128 + N for a
   signal), and one report line goes to stderr after it (-q: none):

       build_step: cc: exit 0, 0.41 s, 0.38 s CPU, 52 MiB peak memory

   Build: make build/build_step (or cc -std=c99 -I. -o build_step examples/build_step.c) */
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(void) {
    fprintf(stderr,
            "usage: build_step [-o OUTDIR] [-m MIB] [-t SECONDS] [-q] -- COMMAND [ARGS...]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *outdir = "out";
    char cwd[PATH_MAX], out[PATH_MAX];
    double timeout = 300;
    unsigned long mib = 1024;
    int quiet = 0, i;
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            outdir = argv[++i];
        else if (!strcmp(argv[i], "-m") && i + 1 < argc)
            mib = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-t") && i + 1 < argc)
            timeout = atof(argv[++i]);
        else if (!strcmp(argv[i], "-q"))
            quiet = 1;
        else
            usage();
    }
    if (i + 1 >= argc || mib == 0 || !(timeout > 0)) usage();
    if (!getcwd(cwd, sizeof cwd) || strcmp(cwd, "/") == 0) {
        fprintf(stderr, "build_step: run it in the source tree (not /)\n");
        return 2;
    }
    if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "build_step: mkdir %s: %s\n", outdir, strerror(errno));
        return 2;
    }
    if (!realpath(outdir, out)) {
        fprintf(stderr, "build_step: %s: %s\n", outdir, strerror(errno));
        return 2;
    }

    /* The source tree read-only at its own path, the output directory writable on top of it
       (a mount of its own, so below the tree or not). */
    ctr_mount mounts[2];
    memset(mounts, 0, sizeof mounts);
    mounts[0].type = CTR_MOUNT_BIND;
    mounts[0].source = cwd;
    mounts[0].target = cwd;
    mounts[1].type = CTR_MOUNT_BIND;
    mounts[1].source = out;
    mounts[1].target = out;
    mounts[1].flags = CTR_MOUNT_RW;

    ctr_spec spec;
    memset(&spec, 0, sizeof spec); /* rootfs NULL: the host's userland, read-only */
    spec.argv = (const char *const *)(argv + i + 1);
    spec.cwd = cwd;
    spec.hostname = "build";
    spec.mounts = mounts;
    spec.nmounts = 2;
    spec.uid = getuid(); /* the files it writes are the caller's */
    spec.gid = getgid();
    spec.timeout_sec = timeout;
    spec.memory_max = (uint64_t)mib << 20;
    const char *tool = strrchr(spec.argv[0], '/') ? strrchr(spec.argv[0], '/') + 1 : spec.argv[0];

    ctr_container *c;
    ctr_error err;
    ctr_rlimit as = {RLIMIT_AS, (uint64_t)mib << 20, (uint64_t)mib << 20};
    int rc = ctr_spawn(&spec, &c, &err);
    if (rc != 0 && err.step == CTR_STEP_CGROUP) {
        /* No cgroup for this user: the address-space limit instead (coarser: it counts
           mappings, not memory in use). */
        if (!quiet)
            fprintf(stderr, "build_step: %s; limiting the address space instead\n", err.msg);
        spec.memory_max = 0;
        spec.rlimits = &as;
        spec.nrlimits = 1;
        rc = ctr_spawn(&spec, &c, &err);
    }
    if (rc != 0) {
        fprintf(stderr, "build_step: %s: %s\n", tool, err.msg);
        return err.step == CTR_STEP_EXEC && err.sys_errno == ENOENT ? 127 : 125;
    }
    ctr_result res;
    if (ctr_wait(c, &res, &err) != 0) {
        fprintf(stderr, "build_step: %s\n", err.msg);
        ctr_destroy(c);
        return 125;
    }
    ctr_destroy(c);
    if (!quiet) {
        char how[96];
        if (res.timed_out)
            snprintf(how, sizeof how, "killed after the %g s time limit", timeout);
        else if (res.oom_killed)
            snprintf(how, sizeof how, "killed: out of memory (limit %lu MiB)", mib);
        else if (res.signaled)
            snprintf(how, sizeof how, "killed by signal %d", res.term_signal);
        else
            snprintf(how, sizeof how, "exit %d", res.exit_code);
        fprintf(stderr, "build_step: %s: %s, %.2f s, %.2f s CPU, %llu MiB peak memory\n", tool, how,
                (double)res.wall_ns / 1e9, (double)(res.cpu_user_ns + res.cpu_system_ns) / 1e9,
                (unsigned long long)(res.memory_peak >> 20));
    }
    return res.exited ? res.exit_code : 128 + res.term_signal;
}
