/* exercise(): calls every public function once, on a container running /bin/true from the host
   userland.  Returns 0 when everything behaved.  Included by the compile checks after container.h. */
#include <stdio.h>
#include <string.h>

static int exercise(void) {
    const char *argv[] = {"/bin/true", NULL};
    ctr_spec spec;
    ctr_container *c;
    ctr_error err;
    ctr_result res;
    memset(&spec, 0, sizeof spec);
    spec.argv = argv;
    spec.stdio[1] = CTR_STDIO_PIPE;
    if (ctr_spawn(&spec, &c, &err) != 0) {
        fprintf(stderr, "ctr_spawn: %s: %s\n", ctr_step_name(err.step), err.msg);
        return 1;
    }
    int ok = ctr_pid(c) > 0 && ctr_pidfd(c) >= 0 && ctr_stdio_fd(c, 1) >= 0;
    ctr_close_stdio(c, 1);
    ok = ok && ctr_stdio_fd(c, 1) == -1;
    if (ctr_poll(c, &res, NULL) == 0) ctr_kill(c, 0, NULL);
    ok = ok && ctr_wait(c, &res, &err) == 0 && res.exited && res.exit_code == 0;
    ctr_destroy(c);
    return ok ? 0 : 1;
}
