/* hello - the smallest container.h program: run one shell command in a fresh container.
   Build: cc -std=c99 -I. -o hello examples/hello.c      Run it as root, or as any user where
   unprivileged user namespaces are enabled. */
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include <stdio.h>
#include <string.h>

int main(void) {
    const char *argv[] = {"/bin/sh", "-c", "echo hello from pid $$ in $(hostname)", NULL};
    ctr_spec spec;
    memset(&spec, 0,
           sizeof spec); /* zero = safe defaults: new namespaces, host userland read-only */
    spec.argv = argv;
    spec.hostname = "hello";

    ctr_container *c;
    ctr_error err;
    if (ctr_spawn(&spec, &c, &err) != 0) {
        fprintf(stderr, "hello: %s\n", err.msg);
        return 1;
    }
    ctr_result res;
    int failed = ctr_wait(c, &res, &err);
    ctr_destroy(c);
    if (failed) {
        fprintf(stderr, "hello: %s\n", err.msg);
        return 1;
    }
    printf("exited with %d after %.1f ms\n", res.exit_code, (double)res.wall_ns / 1e6);
    return res.exited && res.exit_code == 0 ? 0 : 1;
}
