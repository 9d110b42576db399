/* CONTAINER_WITH_LIBSECCOMP: the default profile built by libseccomp is installed (Seccomp: 2)
   and refuses a new user namespace, and CTR_SECCOMP_RULES works (uname killed). */
#define CONTAINER_WITH_LIBSECCOMP
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include "exercise.h"

static int run(const ctr_spec *spec, ctr_result *res) {
    ctr_container *c;
    ctr_error err;
    if (ctr_spawn(spec, &c, &err) != 0) {
        fprintf(stderr, "ctr_spawn: %s: %s\n", ctr_step_name(err.step), err.msg);
        return -1;
    }
    ctr_wait(c, res, NULL);
    ctr_destroy(c);
    return 0;
}

int main(void) {
    const char *check[] = {
        "/bin/sh", "-c",
        "grep -q '^Seccomp:.*2' /proc/self/status && ! unshare -U true 2>/dev/null", NULL};
    const char *uname_argv[] = {"/bin/uname", NULL};
    ctr_seccomp_rule rules[2];
    ctr_spec spec;
    ctr_result res;
    if (exercise() != 0) return 1;
    memset(&spec, 0, sizeof spec);
    spec.argv = check;
    if (run(&spec, &res) != 0 || !res.exited || res.exit_code != 0) {
        fprintf(stderr, "default profile: exit %d signal %d\n", res.exit_code, res.term_signal);
        return 1;
    }
    memset(rules, 0, sizeof rules);
    rules[0].nr = SYS_uname;
    rules[0].action = CTR_SECCOMP_KILL;
    rules[1].nr = SYS_uname; /* a second rule for it: the first wins */
    rules[1].action = CTR_SECCOMP_ALLOW;
    spec.argv = uname_argv;
    spec.seccomp = CTR_SECCOMP_RULES;
    spec.seccomp_rules = rules;
    spec.nseccomp_rules = 2;
    if (run(&spec, &res) != 0 || !res.signaled || res.term_signal != SIGSYS) {
        fprintf(stderr, "rules: exit %d signal %d, expected SIGSYS\n", res.exit_code,
                res.term_signal);
        return 1;
    }
    return 0;
}
