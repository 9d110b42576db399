/* seccomp_verdicts - prints the default seccomp profile's verdict for every syscall number and for
   the argument values the profile looks at, by running the filter the library builds through a
   classic-BPF interpreter.  Built twice, with and without CONTAINER_WITH_LIBSECCOMP; the Makefile
   compares the two outputs, so that both builds enforce the same profile.  It calls the
   library's private plan builder: it is a test of the implementation, not of the API. */
#define CONTAINER_IMPLEMENTATION
#include "container.h"
#include <stdio.h>

/* seccomp_data */
typedef struct sd {
    int nr;
    uint32_t arch;
    uint64_t ip;
    uint64_t args[6];
} sd;

/* The subset of classic BPF the library and libseccomp emit: loads of seccomp_data words,
   jumps on constants and on the X register, ALU with constants, returns.  Anything else is
   reported as a verdict of its own, so a difference shows up. */
static uint32_t run_filter(const ctr__bpf *f, size_t n, const sd *d) {
    uint32_t a = 0, x = 0, mem[16];
    size_t pc = 0;
    memset(mem, 0, sizeof mem);
    while (pc < n) {
        const ctr__bpf *i = &f[pc++];
        uint32_t k = i->k;
        switch (i->code) {
        case 0x20: /* ld w abs */
            if (k + 4 > sizeof(sd)) return 0xdead0001u;
            memcpy(&a, (const char *)d + k, 4);
            break;
        case 0x00: a = k; break;                         /* ld imm */
        case 0x01: x = k; break;                         /* ldx imm */
        case 0x60: a = mem[k & 15]; break;               /* ld mem */
        case 0x61: x = mem[k & 15]; break;               /* ldx mem */
        case 0x02: mem[k & 15] = a; break;               /* st */
        case 0x03: mem[k & 15] = x; break;               /* stx */
        case 0x07: x = a; break;                         /* tax */
        case 0x87: a = x; break;                         /* txa */
        case 0x54: a &= k; break;                        /* and k */
        case 0x44: a |= k; break;                        /* or k */
        case 0x04: a += k; break;                        /* add k */
        case 0x14: a -= k; break;                        /* sub k */
        case 0x05: pc += k; break;                       /* ja */
        case 0x15: pc += a == k ? i->jt : i->jf; break;  /* jeq k */
        case 0x25: pc += a > k ? i->jt : i->jf; break;   /* jgt k */
        case 0x35: pc += a >= k ? i->jt : i->jf; break;  /* jge k */
        case 0x45: pc += (a & k) ? i->jt : i->jf; break; /* jset k */
        case 0x1d: pc += a == x ? i->jt : i->jf; break;  /* jeq x */
        case 0x2d: pc += a > x ? i->jt : i->jf; break;   /* jgt x */
        case 0x3d: pc += a >= x ? i->jt : i->jf; break;  /* jge x */
        case 0x4d: pc += (a & x) ? i->jt : i->jf; break; /* jset x */
        case 0x06: return k;                             /* ret k */
        case 0x16: return a;                             /* ret a */
        default: return 0xdead0000u | i->code;
        }
    }
    return 0xdead0002u; /* fell off the end */
}

static void verdict(const ctr__plan *p, uint32_t arch, int nr, uint64_t a0, uint64_t a1) {
    sd d;
    memset(&d, 0, sizeof d);
    d.nr = nr;
    d.arch = arch;
    d.args[0] = a0;
    d.args[1] = a1;
    printf("arch %08x nr %d a0 %llx a1 %llx: %08x\n", (unsigned)arch, nr, (unsigned long long)a0,
           (unsigned long long)a1, (unsigned)run_filter(p->bpf, p->bpf_len, &d));
}

int main(void) {
    static const uint64_t personas[] = {0,       8, 0x20000,         0x20008,         0xffffffff,
                                        1,       6, 0x0100000000ull, 0x0100000008ull, 0xfffffffe,
                                        0x400000};
    static const uint64_t families[] = {AF_UNIX,           AF_INET,        AF_INET6, AF_NETLINK,
                                        40 /* AF_VSOCK */, 0x100000028ull, 41};
    const char *argv[] = {"/bin/true", NULL};
    ctr_spec spec;
    ctr__plan plan;
    ctr_error err;
    uint32_t native;
    size_t i;
    int nr;
    memset(&spec, 0, sizeof spec);
    spec.argv = argv;
    if (ctr__plan_build(&plan, &spec, &err) != 0) {
        fprintf(stderr, "plan: %s\n", err.msg);
        return 1;
    }
    native = CTR__AUDIT_ARCH;
    for (nr = 0; nr < 1100; nr++) verdict(&plan, native, nr, 0, 0);
    verdict(&plan, native, -1, 0, 0);
    /* other syscall tables: i386 (int 0x80), x32, arm */
    for (nr = 0; nr < 500; nr += 7) {
        verdict(&plan, 0x40000003u, nr, 0, 0);
        verdict(&plan, 0x40000028u, nr, 0, 0);
        verdict(&plan, native, nr | 0x40000000, 0, 0);
    }
    for (i = 0; i < sizeof personas / sizeof personas[0]; i++)
        verdict(&plan, native, SYS_personality, personas[i], 0);
    for (i = 0; i < sizeof families / sizeof families[0]; i++)
        verdict(&plan, native, SYS_socket, families[i], 0);
    for (i = 0; i < 64; i++) verdict(&plan, native, SYS_clone, 1ull << i, 0);
    verdict(&plan, native, SYS_clone,
            SIGCHLD | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD, 0);
    verdict(&plan, native, SYS_ioctl, 0, TIOCSTI);
    verdict(&plan, native, SYS_ioctl, 0, TIOCLINUX);
    verdict(&plan, native, SYS_ioctl, 0, 0x100000000ull | TIOCSTI);
    verdict(&plan, native, SYS_ioctl, 0, TIOCGWINSZ);
    ctr__plan_free(&plan);
    return 0;
}
