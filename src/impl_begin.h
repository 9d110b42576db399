/* Implementation prelude: feature checks, includes, config defaults, syscall wrappers. */
#if defined(__GLIBC__) && !defined(__USE_GNU)
#error "container.h: define _GNU_SOURCE before any #include in the file that defines CONTAINER_IMPLEMENTATION (or include container.h first there)"
#endif
#ifndef __linux__
#error "container.h: Linux only"
#endif

#if defined(CONTAINER_MALLOC) && !defined(CONTAINER_FREE) || !defined(CONTAINER_MALLOC) && defined(CONTAINER_FREE)
#error "container.h: define both CONTAINER_MALLOC and CONTAINER_FREE, or neither"
#endif
#include <stdlib.h>
#ifndef CONTAINER_MALLOC
#define CONTAINER_MALLOC(n) malloc(n)
#define CONTAINER_FREE(p) free(p)
#endif
#ifndef CONTAINER_ASSERT
#include <assert.h>
#define CONTAINER_ASSERT(x) assert(x)
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef CONTAINER_WITH_LIBSECCOMP
#include <seccomp.h>
#endif

#ifdef __cplusplus
#define CTR__CAST(type, x) static_cast<type>(x)
#define CTR__PTR_TO_U64(x) static_cast<uint64_t>(reinterpret_cast<uintptr_t>(x))
#else
#define CTR__CAST(type, x) ((type)(x))
#define CTR__PTR_TO_U64(x) ((uint64_t)(uintptr_t)(x))
#endif

/* Constants and structs from newer kernel headers, so older headers still build. */
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#define CTR__OPEN_TREE_CLONE 1u
#define CTR__OPEN_TREE_CLOEXEC O_CLOEXEC
#define CTR__MOVE_MOUNT_F_EMPTY_PATH 0x04u
#define CTR__MOVE_MOUNT_T_EMPTY_PATH 0x40u
#define CTR__FSOPEN_CLOEXEC 0x01u
#define CTR__FSCONFIG_SET_STRING 1u
#define CTR__FSCONFIG_CMD_CREATE 6u
#define CTR__FSMOUNT_CLOEXEC 0x01u
#define CTR__MOUNT_ATTR_RDONLY 0x01u
#define CTR__MOUNT_ATTR_NOSUID 0x02u
#define CTR__MOUNT_ATTR_NODEV 0x04u
#define CTR__MOUNT_ATTR_NOEXEC 0x08u
#define CTR__RESOLVE_NO_MAGICLINKS 0x02u
#define CTR__RESOLVE_BENEATH 0x08u
#define CTR__RESOLVE_IN_ROOT 0x10u

typedef struct ctr__open_how {
    uint64_t flags, mode, resolve;
} ctr__open_how;

typedef struct ctr__mount_attr {
    uint64_t attr_set, attr_clr, propagation, userns_fd;
} ctr__mount_attr;

typedef struct ctr__clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
} ctr__clone_args;

/* Every syscall the implementation makes that glibc may not wrap (or wraps with extra work, like
   the set*id broadcast to all threads, which must never run in the child).  All are
   async-signal-safe: syscall() only sets errno. */
static int ctr__sys_int(long r) { return CTR__CAST(int, r); }
#define ctr__open_tree(dfd, path, flags) \
    ctr__sys_int(syscall(SYS_open_tree, (dfd), (path), CTR__CAST(unsigned, flags)))
#define ctr__move_mount(fd, fp, tfd, tp, flags) \
    ctr__sys_int(syscall(SYS_move_mount, (fd), (fp), (tfd), (tp), CTR__CAST(unsigned, flags)))
#define ctr__fsopen(name) ctr__sys_int(syscall(SYS_fsopen, (name), CTR__FSOPEN_CLOEXEC))
#define ctr__fsconfig(fd, cmd, key, val) \
    ctr__sys_int(syscall(SYS_fsconfig, (fd), CTR__CAST(unsigned, cmd), (key), (val), 0))
#define ctr__fsmount(fd, attrs) \
    ctr__sys_int(syscall(SYS_fsmount, (fd), CTR__FSMOUNT_CLOEXEC, CTR__CAST(unsigned, attrs)))
#define ctr__openat2(dfd, path, how) \
    ctr__sys_int(syscall(SYS_openat2, (dfd), (path), (how), sizeof(ctr__open_how)))
#define ctr__mount_setattr(dfd, path, flags, attr) \
    ctr__sys_int(syscall(SYS_mount_setattr, (dfd), (path), CTR__CAST(unsigned, flags), (attr), \
                         sizeof(ctr__mount_attr)))

/* A classic BPF instruction (struct sock_filter) and program (struct sock_fprog). */
typedef struct ctr__bpf {
    uint16_t code;
    uint8_t jt, jf;
    uint32_t k;
} ctr__bpf;
