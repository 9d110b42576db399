/* fuzz_spec - libFuzzer target: the library's validation of a ctr_spec (ctr__plan_build, which
   checks and translates every field before anything starts).  Nothing is ever spawned: the
   plan is built and freed.

   The input is read as a stream of choices (like LLVM's FuzzedDataProvider): flag bytes, numbers
   taken whole from 1, 4 or 8 bytes (so NaN, infinities, huge and negative values come up),
   strings up to a NUL, the counts of the arrays (mounts, rlimits, seccomp rules and the BPF
   program) and their elements, with types and enum values outside the valid ranges too.  Paths
   are chosen among a few real ones (a directory, a file, a missing path) or taken from the input.

   What must hold: ctr__plan_build returns 0 or -1 without a crash, leak or undefined behaviour;
   -1 comes with a ctr_error that names a step and has a one-line message; 0 gives a plan with
   argv, envp, cwd and at most the mounts it can hold. */
#define CONTAINER_IMPLEMENTATION
#include "container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
    const uint8_t *p;
    size_t left;
} reader;

static uint64_t take(reader *r, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n && r->left; i++, r->left--) v = v << 8 | *r->p++;
    return v;
}
static unsigned byte(reader *r) { return (unsigned)take(r, 1); }
static int flag(reader *r) { return byte(r) & 1; }

/* A number: small most of the time, sometimes any 64-bit value. */
static uint64_t number(reader *r) {
    unsigned kind = byte(r);
    return kind < 128 ? kind : kind < 224 ? take(r, 4) : take(r, 8);
}

static double real(reader *r) {
    unsigned kind = byte(r);
    if (kind < 160) return kind / 8.0;
    uint64_t bits = take(r, 8);
    double d;
    memcpy(&d, &bits, sizeof d); /* any double: NaN, infinities, negatives, denormals */
    return d;
}

/* Strings live in the input copy: each ends at a NUL or the end. */
static const char *string(reader *r) {
    const char *s = (const char *)r->p;
    size_t n = strnlen(s, r->left);
    if (n == r->left) return ""; /* no NUL left: the input's end */
    r->p += n + 1;
    r->left -= n + 1;
    return s;
}

static const char *path(reader *r) {
    static const char *const known[] = {"/",         "/tmp",     "/usr",        "/etc/hostname",
                                        "/no/where", "relative", "/tmp/../usr", "/dev/null"};
    unsigned k = byte(r);
    if (k < 2 * sizeof known / sizeof *known) return k & 1 ? known[k / 2] : NULL;
    return string(r);
}

static const char *const *string_list(reader *r, const char **slots, size_t cap) {
    size_t n = byte(r) % cap;
    if (n == cap - 1) return NULL;
    for (size_t i = 0; i < n; i++) slots[i] = string(r);
    slots[n] = NULL;
    return slots;
}

static void check_message(const ctr_error *err) {
    const char *end = (const char *)memchr(err->msg, '\0', sizeof err->msg);
    for (const char *c = err->msg; end && c < end; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) end = NULL;
    if (!end || !err->msg[0] || !memchr(err->path, '\0', sizeof err->path)) {
        fprintf(stderr, "ctr__plan_build: not a clean error: step %d \"%.*s\"\n", (int)err->step,
                (int)sizeof err->msg, err->msg);
        abort();
    }
}

#define MAX_LIST 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *copy = (uint8_t *)malloc(size + 1);
    const char *argv[MAX_LIST], *env[MAX_LIST];
    ctr_mount mounts[MAX_LIST];
    ctr_rlimit rlimits[MAX_LIST];
    ctr_seccomp_rule rules[MAX_LIST];
    ctr_fd fds[MAX_LIST];
    uint64_t bpf[MAX_LIST]; /* struct sock_filter is 8 bytes */
    ctr_spec s;
    ctr__plan plan;
    ctr_error err;
    memcpy(copy, data, size);
    copy[size] = 0;
    reader r = {copy, size};
    memset(&s, 0, sizeof s);
    memset(mounts, 0, sizeof mounts);

    s.argv = string_list(&r, argv, MAX_LIST);
    s.env = string_list(&r, env, MAX_LIST);
    unsigned flags = byte(&r);
    if (flags & 1) s.cwd = path(&r);
    if (flags & 2) s.hostname = string(&r);
    if (flags & 4) s.rootfs = path(&r);
    s.readonly_root = flags >> 3 & 1;
    s.no_default_mounts = flags >> 4 & 1;
    s.init = flags >> 5 & 1;
    s.new_userns = flags >> 6 & 1;
    s.time_ns = flags >> 7 & 1;
    s.share = byte(&r);
    s.uid = (uid_t)number(&r);
    s.gid = (gid_t)number(&r);
    s.monotonic_offset_sec = (int64_t)number(&r);
    s.boottime_offset_sec = (int64_t)number(&r);
    for (int i = 0; i < 3; i++) {
        s.stdio[i] = (ctr_stdio_mode)(byte(&r) % 6);
        s.stdio_fd[i] = (int)(number(&r) % 8) - 1; /* -1 .. 6: some open, some not */
    }
    s.no_die_with_host = flag(&r);
    s.stdio_nonblock = flag(&r);
    s.tty = flag(&r);
    s.tty_rows = (unsigned short)number(&r);
    s.tty_cols = (unsigned short)number(&r);
    s.nfds = byte(&r) % MAX_LIST;
    s.fds = s.nfds || flag(&r) ? fds : NULL;
    for (size_t i = 0; i < s.nfds; i++) {
        fds[i].host_fd = (int)(number(&r) % 12) - 2; /* -2 .. 9: open, closed, negative */
        fds[i].container_fd = (int)(uint32_t)number(&r);
    }

    s.nmounts = byte(&r) % MAX_LIST;
    s.mounts = s.nmounts || flag(&r) ? mounts : NULL;
    for (size_t i = 0; i < s.nmounts; i++) {
        ctr_mount *m = &mounts[i];
        m->type = (ctr_mount_type)(byte(&r) % 12);
        m->source = path(&r);
        m->target = path(&r);
        m->flags = byte(&r);
        m->size = number(&r);
        m->mode = (unsigned)number(&r);
        m->data = flag(&r) ? string(&r) : NULL;
        m->data_len = m->data ? strlen((const char *)m->data) : number(&r) % 3;
    }
    s.shm_size = number(&r);

    s.memory_max = number(&r);
    s.memory_swap_max = number(&r);
    s.pids_max = number(&r);
    s.cpus = real(&r);
    s.cpu_weight = (unsigned)number(&r);
    s.io_weight = (unsigned)number(&r);
    s.nrlimits = byte(&r) % MAX_LIST;
    s.rlimits = s.nrlimits || flag(&r) ? rlimits : NULL;
    for (size_t i = 0; i < s.nrlimits; i++) {
        rlimits[i].resource = (int)(uint32_t)(number(&r) - 2); /* -2, -1, 0... */
        rlimits[i].soft = number(&r);
        rlimits[i].hard = number(&r);
    }
    s.timeout_sec = real(&r);
    s.cgroup = (ctr_cgroup_mode)(byte(&r) % 4);
    if (flag(&r)) s.cgroup_parent = string(&r);

    s.cap_add = number(&r);
    s.cap_drop = number(&r);
    s.allow_new_privs = flag(&r);
    s.seccomp = (ctr_seccomp_mode)(byte(&r) % 5);
    s.nseccomp_rules = byte(&r) % MAX_LIST;
    s.seccomp_rules = s.nseccomp_rules || flag(&r) ? rules : NULL;
    for (size_t i = 0; i < s.nseccomp_rules; i++) {
        rules[i].nr = (long)(number(&r) - 1); /* -1, 0, 1... */
        rules[i].action = (ctr_seccomp_action)(byte(&r) % 5);
        rules[i].errno_value = (int)number(&r);
    }
    s.seccomp_default_action = (ctr_seccomp_action)(byte(&r) % 5);
    s.seccomp_default_errno = (int)number(&r);
    s.seccomp_bpf_len = byte(&r) % MAX_LIST;
    for (size_t i = 0; i < s.seccomp_bpf_len; i++) bpf[i] = take(&r, 8);
    s.seccomp_bpf = s.seccomp_bpf_len || flag(&r) ? bpf : NULL;
    s.no_masks = flag(&r);

    ctr__clear_error(&err);
    if (ctr__plan_build(&plan, &s, &err) != 0) {
        if (err.step == CTR_STEP_NONE || err.step >= CTR_STEP_COUNT) abort();
        check_message(&err);
    } else if (err.step != CTR_STEP_NONE || !plan.argv || !plan.envp || !plan.cwd ||
               plan.nops > 7 + 3 + s.nmounts) {
        abort();
    }
    ctr__plan_free(&plan);
    free(copy);
    return 0;
}
