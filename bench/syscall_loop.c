/* syscall_loop - makes one system call in a loop for a while and says how many per second: the
   workload of the interception rows of make bench (bench/notify_bench.c, bench/run.sh).

       syscall_loop getppid|stat SECONDS

   getppid: getppid(), no argument to read.  stat: newfstatat(AT_FDCWD, "/bin", &st, 0), a path
   the interceptor reads.  Built static, so that it runs in the bench rootfs and on the host.
   Prints one line of JSON: {"calls":N,"seconds":S,"per_second":R}. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 3 || (strcmp(argv[1], "getppid") != 0 && strcmp(argv[1], "stat") != 0)) {
        fprintf(stderr, "usage: syscall_loop getppid|stat SECONDS\n");
        return 2;
    }
    int stat_kind = strcmp(argv[1], "stat") == 0;
    double seconds = atof(argv[2]), start = now(), t = start;
    long calls = 0;
    struct stat st;
    while (t - start < seconds) {
        for (int i = 0; i < 256; i++) {
            long r = stat_kind ? syscall(SYS_newfstatat, AT_FDCWD, "/bin", &st, 0)
                               : syscall(SYS_getppid);
            if (r < 0) {
                perror("syscall_loop");
                return 1;
            }
        }
        calls += 256;
        t = now(); /* the vDSO: no system call */
    }
    printf("{\"calls\":%ld,\"seconds\":%.4f,\"per_second\":%.1f}\n", calls, t - start,
           (double)calls / (t - start));
    return 0;
}
