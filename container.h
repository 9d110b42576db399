/* container.h: generated from src/ by amalgamate.py - do not edit; edit src/ and run 'python3 amalgamate.py'.  src-sha256 c968e418dab875f501c7300572985ae566f34b7081de1aa192f5e6fa71d0cd0e */
/* ---- begin src/header.h ---- */
/* container.h - v0.1.0 - run a process in its own Linux container, from C or C++.
   No daemon, no runtime: one header, libc and Linux headers only.  MIT licence (end of file).

   Do this in *one* C or C++ file, before you include it:
       #define CONTAINER_IMPLEMENTATION
       #include "container.h"
   Every other file just includes "container.h".

   EXAMPLE
       ctr_spec spec = {0};                        // zero means the safe default everywhere
       const char *argv[] = {"/bin/sh", "-c", "echo hello from pid $$", NULL};
       spec.argv = argv;                           // NULL rootfs: the host's /usr, /bin,... read-only
       ctr_container *c; ctr_error err; ctr_result res;
       if (ctr_spawn(&spec, &c, &err) != 0) { fprintf(stderr, "%s\n", err.msg); return 1; }
       ctr_wait(c, &res, NULL);                    // res.exit_code == 0, res.wall_ns...
       ctr_destroy(c);

   CONFIGURATION MACROS
       CONTAINER_IMPLEMENTATION  define in one file to compile the implementation there.
       CONTAINER_STATIC          define (everywhere you include it) to make every function static,
                                 for a private copy in a single translation unit.
       CONTAINER_MALLOC(n) / CONTAINER_FREE(p)
                                 the allocator used in the parent (never in the child); define both or
                                 neither, in the implementation file.
       CONTAINER_ASSERT(x)       defaults to assert(x); implementation file only.
       CONTAINER_WITH_LIBSECCOMP compile the seccomp filters (the default profile and
                                 CTR_SECCOMP_RULES) with libseccomp instead of the library's own
                                 BPF builder; link with -lseccomp.  Implementation file only.
                                 The default profile is the same in both builds: what
                                 libseccomp cannot express (ENOSYS for syscalls newer than the
                                 library, personality's allowed values) is a head of the
                                 library's own BPF in front of libseccomp's program.
       The implementation needs _GNU_SOURCE: include container.h first in the implementation file,
       or define _GNU_SOURCE before any include there (an #error says so otherwise).

   This comment is the manual.  In the repository, examples/hello.c is the smallest complete
   program and examples/ctrun.c a command-line front end (ctrun --help, man ctrun) that fills most
   of the spec from its options.  `make install` (PREFIX, DESTDIR) puts this header in include/,
   ctrun in bin/, its man page (made from ctrun --help) in share/man/man1/, and the pkg-config
   files container.pc (cc $(pkg-config --cflags --libs container)) and container-libseccomp.pc
   (the same with CONTAINER_WITH_LIBSECCOMP and -lseccomp) in share/pkgconfig/.
   Python: bindings/python is the package container_h, built from this header (cffi; pip install
   --no-build-isolation ./bindings/python, with Debian's python3-cffi, python3-setuptools,
   python3-dev):
       import container_h
       r = container_h.run(["sh", "-c", "echo hi"], memory="64m", timeout=5)
       r.returncode, r.stdout, r.stderr, r.timed_out, r.oom_killed, r.memory_peak
   container_h.Container is shaped like subprocess.Popen (stdin/stdout/stderr=PIPE, wait(timeout=),
   poll, kill, communicate, pid; a context manager that destroys the container); the library's
   errors raise container_h.ContainerError, an OSError with step, errno and path.

   CONTENTS OF THIS MANUAL
       1. Lifecycle            5. Users and rootless    9. Security
       2. The spec             6. Stdio and init       10. Network namespace pool
       3. The root filesystem  7. Errors               11. Requirements
       4. Mounts               8. Limits and cgroups   12. Design
                                                       13. Networking
       14. Created, released and attached containers; runtime features
       15. ocirun: an OCI runtime for Podman, containerd, CRI-O and Kubernetes
       16. Policy: system calls decided by the host, Landlock

   1. LIFECYCLE
       ctr_spawn() validates the spec, turns it into a plan (every string and buffer allocated in the
       caller), clones a child in new namespaces, and returns once the command has been exec'd, or
       with an error if any setup step failed.  The spec only has to live until ctr_spawn returns.
       Then, on the ctr_container handle:
       ctr_wait()      blocks until the container exits (or its timeout kills it) and fills a
                       ctr_result (see 8).
       ctr_poll()      the same without blocking: 1 and the result once it has exited, 0 while it
                       runs, -1 on error.
       ctr_pidfd()     a pidfd, owned by the handle, that becomes readable when the container exits
                       (for poll/epoll).
       ctr_pid()       the host pid of the container's first process: the command, or the init.
       ctr_kill()      sends a signal (see 8 for what SIGKILL reaches).
       ctr_destroy()   kills whatever still runs, reaps it, waits for its cgroup to empty and
                       removes it, removes a persistent upper's work directory (3), and frees
                       everything.
       ctr_stdio_fd() and ctr_close_stdio() are in 6; ctr_stats(), ctr_pause(), ctr_resume(),
       ctr_cgroup_path() and ctr_deadline_ns() in 8; ctr_step_name() in 7.
       ctr_exec() starts another process in a running container, ctr_run() runs one to completion
       with its input and output (both in 6).  ctr_start(), ctr_release() and ctr_attach() (14)
       split the lifecycle for a front end that exits while its containers run (an OCI runtime).
       Reaping.  The caller's child is not the container's command but a shim (or the init): a
       process of a few pages that never execs, cloned with no exit signal.  It clones the
       command, and reaps it; ctr_wait reaps the shim and reads the command's status from it.
       So the host's own wait(), waitpid(-1) and SIGCHLD handler never see a container (the
       kernel sets a child's exit signal back to SIGCHLD when it execs, which is why the command
       cannot be the caller's child), and an ignored SIGCHLD or SA_NOCLDWAIT cannot make the
       kernel reap it and lose its status.  The library installs no signal handler and changes
       no disposition, mask (beyond the calling thread's, for the clone) or process-wide setting
       of the host's; the host's own children and its SIGCHLD handler work as before.  The shim
       stays outside the container (the host's pid namespace and cgroup); it has the spawning
       thread's death as its parent-death signal (see no_die_with_host), kills the command then,
       and exits.  The exception is direct_child (14): the command is then the caller's child.
       Threads.  ctr_spawn, ctr_run and ctr_exec are safe to call from any thread, from many
       threads at once, and so is every function on different containers.  One container's
       handle is for one thread at a time: calls on the same handle from two threads at once
       (a ctr_wait in one while another destroys it) are not supported; ctr_exec reads its
       container's handle, so keep it from running at once with ctr_wait, ctr_poll or
       ctr_destroy on that container.  No library function acts on a thread cancellation request (cancellation is disabled
       inside them, as posix_spawn does), except ctr_wait, which is a cancellation point like
       waitpid: a thread cancelled while blocked in it leaves the handle as it was (destroy it in
       the thread's cleanup handler).  The child between clone and execve makes raw system calls
       only (12), so another thread holding a lock, forking, or being cancelled cannot hurt it, and
       processes other threads fork meanwhile hold back neither ctr_spawn nor the EOF of an output
       pipe (6).

   2. THE SPEC
       ctr_spec describes the container.  Zero is the default for every field, and the defaults are
       the isolated ones: clear it (= {0} in C; memset in C++, where g++ and clang++ warn about
       = {0} under -Wextra) and set only what you need.
       argv           required; argv[0] without a '/' is searched in the container's PATH.
       env            NULL-terminated "K=V" list; NULL gives PATH=/usr/local/sbin:/usr/local/bin:
                      /usr/sbin:/usr/bin:/sbin:/bin and HOME=/ (never the host's environment).
       cwd            working directory inside the container, an absolute path (default "/").
       hostname       default "container", at most 64 bytes; needs a new UTS namespace (setting it
                      while sharing CTR_NS_UTS fails with CTR_STEP_SPEC/EINVAL).
       share          CTR_NS_* bits: namespaces to share with the host instead of creating.  Default:
                      new mount, pid, uts, ipc, net (with loopback up) and cgroup namespaces, and for a
                      caller that is not root also a user namespace (see 5).  The mount namespace is
                      always new.  What sharing gives away: see 9.
       time_ns        non-zero: a new time namespace (Linux 5.6), CLOCK_MONOTONIC and CLOCK_BOOTTIME
                      offset by monotonic_offset_sec and boottime_offset_sec.
       netns_pool     a ctr_netns_pool: the container borrows an empty network namespace instead of
                      creating one (see 10).
       no_die_with_host  by default the container is killed (SIGKILL) when the thread that spawned it
                      exits (PR_SET_PDEATHSIG follows the spawning *thread*: spawn from a thread that
                      outlives the container), also when the host dies during ctr_spawn: the
                      signal is set first thing in the child and again after the uid change (which
                      clears it), each time followed by a check that the host still lives (its
                      pidfd, Linux 5.3).  Set this to let the container run on.
       The other fields: rootfs, readonly_root, no_default_mounts, rootfs_rw, lowers, upper,
       upper_size (3); mounts, nmounts, shm_size (4); uid, gid, new_userns, uid_map, gid_map,
       no_idmap, no_subids (5); stdio, stdio_fd, init (6); the limits (8); the security fields
       (9); no_network (10); the policy fields: intercept..., landlock... (16).

   3. THE ROOT FILESYSTEM
       rootfs = NULL (and no lowers): a fresh tmpfs root on which the host's /usr /bin /sbin /lib
       /lib32 /lib64 /etc (whichever exist; symlinks are copied as symlinks) are bound read-only,
       and nothing else of the host's (no /home, /root, /run or /sys).
       rootfs = "DIR": DIR becomes "/", and DIR is never modified: the container's root is an
       overlay (overlayfs) of DIR, read-only, under a throw-away writable layer, a tmpfs that goes
       with the container.  Writes, deletions (whiteouts) and renames of DIR's files land in that
       layer; mount targets that DIR lacks are made in it too, read-only root or not.  Renaming a
       directory that comes from DIR fails with EXDEV, as in Docker (mv copies instead).  The
       layer shows DIR's own filesystem: what is mounted below DIR on the host does not come
       along.  readonly_root over a DIR that already has every mount target (and no CTR_MOUNT_FILE
       or SYMLINK) needs no layer: DIR is then bound read-only, recursively, submounts included.
       rootfs_rw: the old way, for a caller who means it: DIR itself is bound (recursively) and
       writable, and what the container writes, and the mount targets DIR lacks, stay in DIR on
       the host (with readonly_root too).
       lowers: the root is several read-only directories (layers), top first, NULL-terminated,
       as overlayfs stacks them (1 to 500; more than about 14 need Linux 6.8); rootfs must then be
       NULL.  upper (with rootfs or lowers): a directory of the caller's that takes and keeps the
       changes, instead of the tmpfs: a second container can go on from them.  It is the
       container's "/": an empty upper is given the mode (and, as root, the owner) of the top
       lower's root.  One container at a time (flock; a second fails with CTR_STEP_ROOTFS,
       EBUSY); overlayfs needs a work directory on the same filesystem, which the library makes
       next to upper (.ctr-work-PID-N in its parent directory: that directory must be writable,
       and upper not the root of a filesystem, EXDEV) and removes at ctr_destroy; one a crashed
       host left is removed when the next is made in that directory.  Use a persistent upper
       always the same way (as root, or in a user namespace: the overlay keeps its whiteouts in
       trusted.* or user.* xattrs), with the same lowers.  upper_size: bytes of the tmpfs layer
       (0: the kernel's default, half the RAM; a write beyond it fails with ENOSPC).  Layer errors
       are CTR_STEP_ROOTFS (or SPEC) and name the path and the reason, with overlayfs's own words
       where it gives some; where overlay cannot be used (no overlayfs in the kernel, a
       filesystem under a layer it refuses, a user namespace before Linux 5.11) the message
       names rootfs_rw as the way out.  In a user namespace (rootless) the layer can copy up only
       files and directories owned by ids the namespace maps: a base owned by the host's root
       can be read, and files added, but changing its root-owned files fails with EACCES or
       EOVERFLOW; give rootless containers a base they own (or one in their subordinate range).
       Unless no_default_mounts is set, proc on /proc, a minimal /dev and a tmpfs on /tmp are
       mounted first; a mount of yours on the same target replaces the default one.  The old root
       is detached after pivot_root (never chroot).

   4. MOUNTS
       spec.mounts, spec.nmounts: an array of ctr_mount (type, source, target, flags, size, mode,
       data, data_len), applied in order, after the defaults.
       CTR_MOUNT_BIND     source (absolute host path) on target; read-only and recursive unless
                          CTR_MOUNT_RW / CTR_MOUNT_NONRECURSIVE.  The target is created (directory or
                          empty file, as the source) if missing.
       CTR_MOUNT_TMPFS    size (bytes, 0 = kernel default of half the RAM), mode (0 = 01777).
       CTR_MOUNT_PROC     a proc for the container's pid namespace.
       CTR_MOUNT_DEV      a 64 KiB tmpfs with null zero full random urandom tty (bound from the
                          host), a private devpts with pts/ptmx, the symlinks ptmx fd stdin stdout
                          stderr, and shm: a tmpfs of its own of spec.shm_size bytes (0 = 64 MiB, as
                          Docker; mode 1777, noexec) for POSIX shared memory; nothing else.
       CTR_MOUNT_MQUEUE   a POSIX message queue filesystem for the container's ipc namespace.
       CTR_MOUNT_DIR      create a directory (mode, 0 = 0755), with missing parents.
       CTR_MOUNT_SYMLINK  create a symlink target -> source.
       CTR_MOUNT_FILE     create a file at target holding data/data_len bytes (mode, 0 = 0644); a
                          file already there is replaced, but only a regular one: a FIFO, socket or
                          device at the path (left by an earlier container with a writable root)
                          fails with ENXIO or EEXIST at once, never blocks.
       CTR_MOUNT_SYSFS    a sysfs, always read-only, for the container's network namespace (its
                          masks: see 9).
       CTR_MOUNT_DEVPTS   a devpts of its own (a new instance); data (data_len bytes, or a C string)
                          holds its options, comma-separated: gid=, uid=, mode=, ptmxmode=, max=
                          (newinstance is accepted: it is what a devpts mount is here).
       CTR_MOUNT_CGROUP   the cgroup filesystem, read-only with CTR_MOUNT_READONLY: with a cgroup
                          namespace of its own a fresh mount of each hierarchy the host has under
                          /sys/fs/cgroup (cgroup2 alone, or on v1 a tmpfs with one directory per
                          hierarchy and links such as cpu -> cpu,cpuacct), rooted at the
                          container's cgroup; without one (CTR_NS_CGROUP shared) the container's
                          own cgroup directories bound there, never the host's whole tree.
       CTR_MOUNT_READONLY in flags makes a tmpfs, proc, dev or mqueue mount read-only.
       CTR_MOUNT_NOEXEC (bind, tmpfs, devpts), CTR_MOUNT_NOATIME, CTR_MOUNT_STRICTATIME and
       CTR_MOUNT_NODIRATIME add those mount flags (the default is relatime).  For a filesystem
       (tmpfs, dev, proc, sysfs, mqueue, devpts, cgroup) source, if set, is the name
       /proc/self/mountinfo shows as its source (default "none").  CTR_MOUNT_DEV takes size
       (default 64 KiB) and mode (default 0755) for its tmpfs.  CTR_MOUNT_SHARED, CTR_MOUNT_SLAVE,
       CTR_MOUNT_PRIVATE or CTR_MOUNT_UNBINDABLE set the mount's propagation once it is in place
       (with CTR_MOUNT_RPROPAGATION for the mounts below it too); the default is private: a
       mount in the container does not reach the host, nor the host's the container (the host's
       mounts are made slaves in the container's namespace first).
       Every mount gets nosuid and nodev, except the device binds in /dev and devpts (no nodev);
       proc, sysfs, mqueue and the /dev mounts are also noexec.  Targets are absolute paths inside
       the container ("/" is refused: use rootfs).  They are resolved inside the new root as the
       container itself would resolve them (openat2 RESOLVE_IN_ROOT, as runc and crun do): an
       absolute symlink in the image (Debian's /var/run -> /run) is followed within the root, ".."
       stops at the root, and nothing leads to the host.  Missing targets are made like mkdir -p
       would inside the container, through dangling symlinks too (a link to /run/lock makes
       /run/lock); a link loop fails with ELOOP.

   5. USERS AND ROOTLESS
       uid/gid: the ids the command runs as (default 0/0).  As root without a user namespace they
       are the host's ids (uid 0 is the host's root: see 9; another uid gets no capabilities but
       those in cap_add) and the supplementary groups are cleared.  (uid_t)-1 and (gid_t)-1 are
       refused (CTR_STEP_SPEC, EINVAL): to setresuid they mean "unchanged".
       Not root: the container always gets a user namespace.  When the caller has ranges in
       /etc/subuid and /etc/subgid (by name from /etc/passwd, or by uid) and newuidmap and
       newgidmap are installed (Debian: package uidmap), it maps 0-65535 as podman does: the
       caller's uid and gid are 0, and 1-65535 are the first 65535 ids of its ranges; uid and
       gid then work as they do for root (the command runs as uid inside; the ranges must cover
       it, or the single mapping below is used), and chown, setgroups and package managers that
       drop privileges (apt's _apt) work inside.  Files the container gives other ids land on the
       host with the subordinate ids.  Without ranges (or with no_subids), only the caller's own
       uid and gid are mapped, appearing as spec.uid and spec.gid (root by default), and
       setgroups is denied: then chown to any other id fails with EINVAL, setgroups with EPERM,
       and apt-get stops with "E: setgroups 0 failed"; for the host's files the container is
       the caller.
       uid_map, nuid_map, gid_map, ngid_map: the user namespace's own maps (ctr_idmap: inside,
       outside, count; 1 to 340 ranges, not overlapping; gid_map NULL: the same as uid_map).
       They must map 0 (the namespace's root sets the container up) and uid and gid.  As root:
       any ranges; a user namespace is made with them, and the rootfs (or the lowers and a
       persistent upper's directory) and every bind source, the host userland of rootfs NULL
       too, are presented through idmapped mounts with the same maps (mount_setattr
       MOUNT_ATTR_IDMAP, Linux 5.12; a layer over idmapped lowers needs 5.19): a base owned by
       root shows as owned by root inside, and nothing in it is ever chowned; what the container
       writes through rootfs_rw or a writable bind lands with the ids it has inside (uid 0 stays
       0 on the disk).  The container's processes run as the mapped host ids (with
       0:100000:65536, its root is host uid 100000, which owns nothing on the host), so this is
       the strongest isolation the library offers: the host's root is not in the namespace at
       all.  A filesystem that cannot be idmapped (before tmpfs 6.3, NFS, proc...) fails with
       CTR_STEP_MOUNT, EINVAL, naming it; no_idmap skips the idmapped mounts (then the base must
       be chowned to the range).  Not root: the ranges are handed to newuidmap and newgidmap,
       which allow only what /etc/subuid and /etc/subgid grant ("newuidmap: ... not allowed",
       CTR_STEP_USERNS, EPERM); no idmapped mounts.  The maps are written from outside the
       namespace, as the kernel requires, by a short-lived helper process forked before the
       container (12).
       new_userns as root without maps: a user namespace in which host uid 0 appears as
       spec.uid, so file access (and /proc/sys) is still host root's; it only confines
       capabilities to the namespace.
       When user namespaces are refused the error says by what and how to allow it, instead of
       a bare EPERM: user.max_user_namespaces at 0 (or its limit reached), Debian's
       kernel.unprivileged_userns_clone at 0, Ubuntu's
       kernel.apparmor_restrict_unprivileged_userns at 1; a caller that is not root and shares
       the user namespace (CTR_NS_USER) is told that only root can.

   6. STDIO, TERMINALS AND INIT
       stdio[0..2]: CTR_STDIO_INHERIT (default), CTR_STDIO_NULL, CTR_STDIO_FD (stdio_fd[i], not
       closed by the library) or CTR_STDIO_PIPE (the host end is ctr_stdio_fd(c, i); close it early
       with ctr_close_stdio).  No other host file descriptor reaches the container.  A pipe holds
       64 KiB: read an output pipe to EOF before ctr_wait (or poll it together with ctr_pidfd);
       otherwise a command that writes more blocks on the full pipe, and ctr_wait waits for it
       until timeout_sec, if any.  The pipes are made in the container process, which passes the
       host ends back: the container's ends never sit in the host's descriptor table, so a process
       that another thread of the host forks meanwhile cannot hold back the EOF of stdout or
       stderr.  The host's own ends are the host's: one forked (without exec) while you hold the
       stdin pipe keeps a copy, and the container sees EOF on stdin only once that copy is closed
       too.  stdio_nonblock makes the host ends (and a terminal's master) O_NONBLOCK.
       SIGPIPE: nothing the library does raises it in the host.  ctr_write(c, buf, len, &err)
       writes to the container's stdin (pipe or terminal) like write(2) but fails with EPIPE
       instead (the signal is blocked for the calling thread around the write, and taken back
       if the write raised it); a write(2) of your own on ctr_stdio_fd(c, 0) raises SIGPIPE as
       any write to a pipe does - ignore or block it, or use ctr_write.
       ctr_wait_io(c, want, timeout_ms, &ready, &err) waits until one of the wanted events is
       there: CTR_IO_STDIN (stdin can take a write, or its reader is gone), CTR_IO_STDOUT and
       CTR_IO_STDERR (data or EOF), CTR_IO_EXIT (exited: ctr_poll returns 1), CTR_IO_DEADLINE
       (timeout_sec passed: ctr_poll kills); *ready gets the events there, 0 after timeout_ms
       (-1: none).  It is for callers without an event loop; with one, poll ctr_stdio_fd,
       ctr_tty_fd and ctr_pidfd and arm a timer for ctr_deadline_ns.
       ctr_run(spec, input, input_len, max_output, &output, &res, &err) runs the spec to
       completion: input (input_len bytes, or none: stdin is /dev/null) is fed to stdin, stdout
       and stderr are captured into output.out and output.err (CONTAINER_MALLOC'ed, NUL-
       terminated; ctr_output_free frees them) up to max_output bytes each (0: no cap; the rest is
       read and dropped, and out_truncated or err_truncated set), with the spec's limits and
       timeout; any size, no deadlock, no SIGPIPE; spec.stdio and spec.tty are ignored.  0 once
       the container ran (res says how it ended: a timeout, an OOM kill...), -1 if it could not
       start or the I/O failed (output freed).  What processes of a shared pid namespace write
       after pid 1 has exited is not waited for.
       Terminal: tty gives the container a pseudo-terminal from its own devpts (so it needs a
       CTR_MOUNT_DEV on /dev, as the default mounts have) as stdin, stdout and stderr and as its
       controlling terminal: job control works, /dev/tty opens.  tty_rows and tty_cols set its
       size (default 24 x 80); ctr_tty_fd(c) is the master (owned by the handle: read the output
       there, ctr_write the input), ctr_resize(c, rows, cols, &err) changes the size (the command
       gets SIGWINCH).  stdio is ignored with tty.
       Extra descriptors: fds, an array of nfds (at most 256) ctr_fd {host_fd, container_fd}:
       each host_fd is open in the container at container_fd (3 or above, each at most once),
       without close-on-exec; with 0, 1 and 2 those are all the container has open.
       ctr_exec(c, &x, &out, &err) starts x.argv in the running container c, with x's env, cwd,
       uid and gid (inside; in a user namespace they must be mapped), stdio, stdio_nonblock, tty
       and fds as in ctr_spec; everything else is the container's: its namespaces (joined through
       the pidfd of its command, Linux 5.8), root, cgroup, rlimits, capability sets, no_new_privs
       and seccomp filter.  *out is a handle of its own for ctr_wait, ctr_poll, ctr_kill,
       ctr_stdio_fd, ctr_tty_fd, ctr_write and ctr_destroy, which kill and reap only that process
       (it has no cgroup of its own: ctr_stats and ctr_pause fail on it).  A container that has
       exited fails with ESRCH (CTR_STEP_CLONE).
       With init set, pid 1 is a tiny init that reaps zombies, forwards SIGHUP SIGINT SIGQUIT SIGTERM
       SIGUSR1 SIGUSR2 SIGWINCH SIGCONT to the command and reports the command's own exit status.
       Without it the command is pid 1 and, like any pid-namespace init, ignores signals it has no
       handler for (only SIGKILL always works: ctrun therefore kills a command that ignores the
       SIGINT or SIGTERM it forwarded).  The init never execs: it is a copy of the host
       process as it was in ctr_spawn (heap, stack, environment), with every descriptor but its
       status pipe closed and not dumpable (and CAP_SYS_PTRACE refused with it: see 9).  It runs
       under the container's capabilities and seccomp filter: a filter that refuses what it uses
       (rt_sigtimedwait, wait4, kill, clone, write, exit_group) breaks it; with wait4 refused it
       never sees the command exit, and the container runs on until its timeout or a kill.
       The container runs in a new session without a controlling terminal (so it cannot push input
       into the host's terminal), unless tty: /dev/tty gives ENXIO and shells warn "no job
       control".

   7. ERRORS
       Every function that can fail takes ctr_error *err last (NULL allowed) and returns 0 or -1.
       err->step says which step failed (ctr_step_name() gives its name), err->sys_errno the errno,
       err->path the path involved and err->msg one line such as
       "mount tmpfs on /tmp: No space left on device", which usually names the path already (a
       control character of the spec it quotes, a newline in a path, appears there as '?').  A
       failed ctr_spawn leaves nothing behind: no process, mount, file descriptor or memory.
       CTR_STEP_EXEC with ENOENT means the command does not exist; with EACCES or ENOEXEC it exists
       but cannot run.  CTR_STEP_CLONE (or CTR_STEP_INIT, with init) and ECHILD: the container
       process died during its setup without a word, killed from outside (the OOM killer, a
       SIGKILL to it).  A bad field fails with CTR_STEP_SPEC (or the step it belongs to) and EINVAL
       before anything starts.

   8. LIMITS AND CGROUPS
       memory_max, memory_swap_max, pids_max, cpus, cpu_weight, io_weight are cgroup limits; 0 means
       not limited.  A limit that cannot be applied (no cgroup access, controller missing or not
       delegated) makes ctr_spawn fail with CTR_STEP_CGROUP, the path, errno and what to do: never
       silently unlimited.  The files written, v2 / v1:
       memory_max       bytes (memory.max / memory.limit_in_bytes).  When the container needs more
                        and the kernel cannot reclaim it, the OOM killer kills one of its processes
                        with SIGKILL (result.oom_killed).
       memory_swap_max  swap on top of memory_max (memory.swap.max / memory.memsw.limit_in_bytes,
                        memory + swap; on v1 it needs memory_max).  With memory_max set and this 0,
                        no swap.  Without swap accounting asking for swap fails, and memory_max alone
                        fails on v2 if the host has swap (v1 sets memory.swappiness to 0 instead).
       pids_max         processes and threads; beyond it fork and clone fail with EAGAIN (pids.max).
       cpus             X CPUs' worth of time in every 100 ms period, at most 100000 (less than
                        0.01 counts as 0.01); 0.5 is half of one CPU (cpu.max / cpu.cfs_quota_us).
       cpu_weight       1..10000, default 100: the share of CPU time against neighbouring cgroups
                        when the CPUs are busy (cpu.weight / cpu.shares, N * 1024 / 100).
       io_weight        1..10000, default 100: the share of disk time (io.weight / blkio.weight or
                        blkio.bfq.weight, within 10..1000); only where the disk's I/O scheduler
                        honours weights (on v1: BFQ).
       With a limit set, or cgroup = CTR_CGROUP_ALWAYS (a cgroup without limits: for ctr_stats,
       ctr_pause, exact peak memory), the container gets a cgroup of its own; CTR_CGROUP_NEVER
       refuses limits instead.
       cgroup v2 is used when /sys/fs/cgroup is a cgroup2 mount: one cgroup per container, with
       memory, pids, cpu and io enabled in the parent's cgroup.subtree_control (those a limit needs
       must be available there), the child born in it with clone3 CLONE_INTO_CGROUP (Linux 5.7;
       without clone3 it moves itself in first thing).  Otherwise the cgroup v1 controllers under
       /sys/fs/cgroup/<name> (as in the hybrid layout): memory, pids, cpu and blkio when a limit needs
       them (memory and pids also with CTR_CGROUP_ALWAYS), cpuacct (CPU times) and freezer (kill,
       pause) always, the child moving itself into them (writing to their cgroup.procs) before
       anything else.
       Where: as root <hierarchy>/container.h/ctr-PID-N (PID the host process's, N counting its
       containers: the library's own subtree); as another user on v2, the highest cgroup above its
       own that it may write (the subtree systemd delegates to user@UID.service), plus
       /container.h/ctr-PID-N.  cgroup_parent, an existing cgroup, overrides the parent: on v2
       relative to /sys/fs/cgroup (or written in full, /sys/fs/cgroup/PATH), on v1 a path inside each
       controller's hierarchy, existing in every controller used; a "." or ".." component is
       refused (CTR_STEP_CGROUP, EINVAL) before anything is made.  On v1 another user needs one:
       root makes it in each controller (mkdir /sys/fs/cgroup/{memory,pids,cpu,cpuacct,freezer}/u,
       chown -R) and the user passes cgroup_parent "u".  Where permission is missing the message
       says what to do (on v2: systemd-run --user --scope -p Delegate=yes, or cgroup_parent).  The
       host process is never moved.  A container cgroup left behind by a crashed host (its PID gone)
       is removed when a later process creates its first container cgroup in that hierarchy.  A
       cgroup ns, unless shared, is rooted at the container's cgroup ("/" in /proc/self/cgroup).
       rlimits, nrlimits: an array of ctr_rlimit (resource RLIMIT_*, soft, hard; CTR_RLIM_INFINITY
       for unlimited), set inside with prlimit before the uid change; the others stay the caller's,
       except RLIMIT_CORE, which is 0 unless given.  Raising a hard limit needs CAP_SYS_RESOURCE in
       the host's user namespace (and nofile is capped by fs.nr_open): else CTR_STEP_RLIMIT.
       timeout_sec (at most 1e9): wall-clock time from ctr_spawn; ctr_wait kills the whole container
       when it passes (result.timed_out); with an event loop, arm a timer for ctr_deadline_ns() (the
       deadline in CLOCK_MONOTONIC ns, 0 without one) and call ctr_poll, which does the same.  "The
       whole container": its cgroup, or its pid namespace; with a shared pid namespace and no cgroup
       only pid 1 is killed.  The kill is SIGKILL, which no handler or trap can stop.
       ctr_kill(c, SIGKILL) kills every process of the container (cgroup.kill, Linux 5.14, or the
       freezer); other signals go to pid 1 (an init forwards those listed in 6).  Once pid 1 is reaped ctr_kill
       fails with ESRCH; with a shared pid namespace, processes left in the cgroup are killed by
       ctr_destroy.  ctr_pause freezes the whole cgroup and returns once it is frozen; ctr_resume
       thaws it.  ctr_destroy kills, waits for the cgroup to empty and removes it.
       ctr_stats (needs a cgroup) fills a ctr_usage while the container runs: memory_current,
       pids_current and cpu_usage_ns; on v1 memory and pids read 0 unless a limit (or
       CTR_CGROUP_ALWAYS) brought that controller in.  ctr_cgroup_path() is the cgroup's directory
       on the host, "" if it has none.
       ctr_result after ctr_wait or ctr_poll: exited and exit_code, or signaled and term_signal;
       wall_ns (from spawn until the exit was seen); timed_out; oom_killed (the cgroup's v2
       memory.events or v1 memory.oom_control: needs the memory controller, on v1 a memory limit or
       CTR_CGROUP_ALWAYS); memory_peak (the cgroup's peak: v2 memory.peak, Linux 5.19, or v1
       max_usage; 0 on v1 without the memory controller; without a cgroup the largest single
       process's RSS); cpu_user_ns and cpu_system_ns of all processes (v2 cpu.stat, v1 cpuacct in
       ticks; without a cgroup: of those pid 1 reaped).

   9. SECURITY
       Every default is the safe one; each field below loosens one thing.  What we protect against:
       a process in the container reaching the host's files, processes, network, IPC, hostname,
       terminal or kernel interfaces through the means listed here.  What we do not: the container
       shares the host kernel, so a kernel bug is out of scope (a virtual machine is the answer to
       that), and so are hardware side channels; without limits (8) it may use up memory, CPU and
       process slots, and fill its /tmp (a tmpfs of half the RAM by default); with rootfs NULL the
       host's /usr and /etc are readable, and /proc/meminfo, /proc/cpuinfo and /proc/self/mountinfo
       describe the host; no AppArmor or SELinux profile is applied.
       Root: a container run by root without a user namespace is real root restricted by
       namespaces, capabilities, seccomp, the masks and the mount flags.  It reads what root may
       read of what it sees (the host's /etc/shadow with rootfs NULL, even with every capability
       dropped: it owns the file); what it writes in a writable bind is root's on the host, where
       nosuid does not follow it: a setuid-root copy of a shell left there runs as root for any
       host user who can reach it.  Bind writable only directories no untrusted host user can run
       programs from, or use another uid or a caller that is not root (5).  The strongest
       isolation the library offers is root with uid_map (5): a user namespace in which the
       host's root does not exist, the container's root being an unprivileged host uid that owns
       nothing, on an idmapped root.
       Sharing (share): with the pid namespace shared the container sees the host's processes and
       can signal those of its uid (as root, with CAP_KILL, any); with the network namespace shared
       it reaches the host's services on 127.0.0.1 and its abstract unix sockets.
       Capabilities: the bounding, effective and permitted sets are CTR_CAPS_DEFAULT (Docker's set:
       no SYS_ADMIN, SYS_MODULE, SYS_PTRACE, SYS_RAWIO, NET_ADMIN, SYS_TIME, MAC_ADMIN, BPF,
       PERFMON...) plus cap_add minus cap_drop (a bit in both is dropped; CTR_CAPS_ALL drops all);
       the inheritable set is empty.  A uid other than 0 has no capabilities except those in cap_add
       (as ambient ones).  Without a user namespace a capability the caller lacks cannot be added
       (CTR_STEP_CAPS, EPERM).  no_new_privs is set (setuid binaries and file capabilities grant
       nothing) unless allow_new_privs.  Mounts are nosuid and nodev (but the /dev device binds and
       devpts), so a device node made with mknod cannot be opened.
       seccomp: by default a filter the library compiles to classic BPF itself: the native
       architecture only (i386 and x32 calls fail with ENOSYS, so they cannot bypass it); EPERM for
       mount, umount2, pivot_root, the new mount API, unshare, setns, clone with CLONE_NEW* flags,
       keyctl/add_key/request_key, bpf, perf_event_open, userfaultfd, io_uring, module loading,
       kexec, reboot, swapon/swapoff, clock and time setting, open_by_handle_at/name_to_handle_at,
       acct, quotactl, process_vm_readv/writev, kcmp, pidfd_getfd, the NUMA policy calls
       (get_mempolicy, set_mempolicy, set_mempolicy_home_node, mbind, move_pages, migrate_pages),
       fanotify_init, vhangup, lookup_dcookie, modify_ldt, iopl/ioperm and the obsolete calls;
       ENOSYS for clone3 (so libc uses clone, whose flags the filter can read); EPERM for ioctl
       TIOCSTI and TIOCLINUX (comparing the low 32 bits of the request, as the kernel does);
       personality only with the personas Docker allows (PER_LINUX, PER_LINUX32, UNAME26, both,
       and 0xffffffff, the query), EPERM for others; socket(AF_VSOCK) fails with EAFNOSUPPORT
       (vsock is not confined by network namespaces: it reaches the hypervisor's services); EPERM
       for open_tree_attr and syslog, and ENOSYS for every syscall newer than open_tree_attr
       (Linux 6.15), as an allow-list would.  Both builds (CONTAINER_WITH_LIBSECCOMP or not) give
       every syscall the same verdict.
       Everything else is allowed, ptrace included (within the capabilities).  The profile does not
       depend on the capabilities: with cap_add CAP_SYS_ADMIN sethostname works, but mount still
       fails with EPERM.  seccomp = CTR_SECCOMP_RULES builds a filter from seccomp_rules, an array
       of ctr_seccomp_rule (nr: a SYS_xxx number, 0..4095; action: CTR_SECCOMP_ALLOW, _ERRNO with
       errno_value (0 = EPERM), _KILL or _LOG (allowed, and logged to the audit log)), at most 2040
       rules, the first for a syscall deciding, with seccomp_default_action (and
       seccomp_default_errno) for the others; CTR_SECCOMP_BPF installs seccomp_bpf
       (struct sock_filter[seccomp_bpf_len], 1..4096 instructions) as given; CTR_SECCOMP_NONE
       installs none.  The filter covers the command, everything it starts and the init.  It is
       installed just before execve: one that refuses execve makes the exec fail, reported by
       ctr_spawn only if it still allows write and exit_group (otherwise the container dies by the
       filter's action).
       Order in the child: the bounding set is dropped before the switch to uid/gid, the final
       capabilities and no_new_privs are set after it, and the filter comes last, right before
       execve (or before the init starts the command), so the library's own execve goes through
       it; with allow_new_privs the filter comes before the capabilities are dropped (installing it
       then needs CAP_SYS_ADMIN).
       /proc: kcore, keys, key-users, timer_list, sched_debug, latency_stats, timer_stats, acpi,
       scsi, asound, kallsyms, kpage*, vmallocinfo are masked (files by a read-only nodev bind of
       /dev/null, so opening them fails; directories by an empty read-only tmpfs); sys,
       sysrq-trigger, irq, bus and fs are read-only.  A CTR_MOUNT_SYSFS is read-only, with firmware,
       devices/virtual/powercap and kernel/security masked.  no_masks leaves both alone: run by
       root, the container's uid 0 can then write the host's sysctls (kernel.core_pattern among
       them, which runs a program of its choice as root on the host).  The masks are mounts of the
       container's own mount namespace, which it cannot remove (no CAP_SYS_ADMIN, and umount is
       filtered).
       Process: a new session (no controlling terminal, so no TIOCSTI into the host's), every host
       fd but the stdio you gave closed at exec (init closes them itself), not dumpable until exec
       (nothing may ptrace or read /proc/PID of the setup process, which shares or copies the
       host's memory), the new root entered with pivot_root and the old one detached, no
       environment from the host, RLIMIT_CORE 0, killed with the host unless no_die_with_host (2).  With init, pid 1 stays a copy of the host process
       (undumpable, no fds): init with CAP_SYS_PTRACE and no user namespace is refused
       (CTR_STEP_CAPS, EINVAL), since ptrace could read the host's memory through it; in a user
       namespace the capability counts only there, and the combination is allowed.

   10. NETWORK NAMESPACE POOL
       Creating a network namespace and bringing its loopback up is the costliest part of a spawn
       (about 1 ms on a small VM, and as much again tearing it down, on a kernel worker).
       ctr_netns_pool_create(&pool, max, &err) makes a pool of at most max empty namespaces with
       loopback up, created on first use and then lent to one container at a time: set
       spec.netns_pool, and the namespace goes back to the pool when the container is reaped.  When
       all max are lent, a container gets a new namespace of its own as usual.  Only root can make a
       pool, and ctr_spawn refuses (CTR_STEP_SPEC, EINVAL) a container that could change a namespace
       or leave something in it: one with a user namespace, a shared pid or network namespace,
       CAP_NET_ADMIN or CAP_SYS_ADMIN, or no_masks (which leaves /proc/sys writable).  What a later
       container can still see of an earlier one: closed TCP connections in TIME_WAIT (in
       /proc/net/tcp, for up to a minute) and the namespace's identity (its inode number).  Sockets
       live only as long as the processes holding them - unless the host was given one (through a
       unix socket it passed in as stdio).  ctr_netns_pool_destroy(pool) frees the pool once the last
       container using it has been reaped; it is thread-safe, like ctr_spawn.  max is 1..65536; as
       another user ctr_netns_pool_create fails with EPERM.  It pays off in a program that spawns
       many containers (ctrun, one container per process, cannot use it).
       no_network: for containers that need no network at all, and many of them.  An empty
       network namespace costs about 220 KiB of kernel memory for as long as its container lives
       (of the ~355 KiB an idle container cost before); no_network containers instead share one
       empty namespace, its loopback down, made when the first of them is spawned and freed with
       the last handle.  What keeps them apart in it: socket() of any family but AF_UNIX fails
       with EAFNOSUPPORT (a seccomp filter of its own, stacked on the container's and installed
       whatever seccomp says; io_uring_setup fails with EPERM, since io_uring could make sockets
       past it), so no IP, netlink or packet socket exists to talk to the others or to look at
       the namespace; and abstract unix sockets, the one per-namespace name space left, are
       scoped with Landlock (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET): a container can connect or
       send only to abstract sockets made inside itself (unix sockets with a path live in its
       own files).  What they still share: the listing of unix sockets in /proc/net/unix (the
       addresses of the others' sockets, not their traffic) and the namespace's identity.  From
       the host they are as isolated as with a namespace of their own (the host's interfaces,
       services and abstract sockets are in another namespace).  Tested (tests/test_layers.c):
       two containers are in the same namespace, not the host's; one cannot connect to the
       other's abstract socket (EPERM) while a host process in that namespace can; AF_INET,
       AF_INET6, AF_NETLINK and AF_PACKET sockets fail, AF_UNIX ones work; loopback is down.
       Root only, and refused (CTR_STEP_SPEC, EINVAL) with a user namespace, a shared network
       namespace, netns_pool, CAP_NET_ADMIN or CAP_SYS_ADMIN, or no_masks; it needs Landlock ABI 6
       (Linux 6.12, landlock among the kernel's LSMs): otherwise ENOTSUP, saying so.  Measured with
       examples/fleet.c (N=1000 idle containers on one base, each with its tmpfs layer, on a
       2-vCPU VM with Linux 6.18): 232-241 KiB per container with no_network (kernel counters +
       Pss), 449 KiB with a namespace each.

   11. REQUIREMENTS
       Linux 5.12 or newer (open_tree/move_mount/fsopen 5.2, openat2 5.6, mount_setattr 5.12,
       close_range with CLOSE_RANGE_CLOEXEC 5.11); on an older kernel ctr_spawn fails with sys_errno
       ENOSYS and the step that needed the call.  clone3 with CLONE_PIDFD (5.3) is used when present,
       the older clone with CLONE_PIDFD where clone3 is missing or filtered (ENOSYS).  Time namespaces
       need 5.6.  For the limits (8): /sys/fs/cgroup mounted, cgroup2 with the controllers available
       to the parent or the v1 controllers at /sys/fs/cgroup/<name>; CLONE_INTO_CGROUP 5.7,
       cgroup.kill 5.14 (else the freezer), memory.peak 5.19 (else memory_peak is 0), swap
       accounting for swap limits, CONFIG_CFS_BANDWIDTH for cpus.
       Root, or unprivileged user namespaces, which most distributions enable (sysctl
       user.max_user_namespaces, kernel.unprivileged_userns_clone; Ubuntu 24.04 also restricts them
       with kernel.apparmor_restrict_unprivileged_userns).
       pidfd_open (5.3) for the check that the host still lives (2); without it only the
       parent-death signal.  ctr_exec joins namespaces with setns on a pidfd (5.8).
       Interception (16) 5.5 (5.14 for an atomic inject_fd, 6.6 for the synchronous wake-up);
       Landlock (16) 5.13, port rules 6.7, scopes 6.12.
       Layers (3): overlayfs (CONFIG_OVERLAY_FS); more than about 14 lowers need 6.8 (lowerdir+);
       in a user namespace 5.11, and 6.6 for a tmpfs layer to hold whiteouts of directories
       (user xattrs on tmpfs).  Idmapped mounts (5): 5.12, and a filesystem that supports them
       (ext4 and xfs 5.12, btrfs 5.15, tmpfs 6.3); a layer over idmapped lowers 5.19.  Subordinate
       ranges for callers that are not root: newuidmap and newgidmap (Debian: uidmap).
       no_network (10): Landlock ABI 6, Linux 6.12.
       A C99 or C++11 compiler and the Linux headers; the implementation uses pthread functions, so
       glibc before 2.34 may need -lpthread.  x86_64 or aarch64: the seccomp filter checks the
       syscall architecture and knows those two (an #error on any other).  Tested on x86_64 with
       glibc (Debian 12: glibc 2.36, gcc 12, clang 14, Linux 6.18, cgroup v1 hybrid; the limits
       also in VMs with cgroup v2 and v1); aarch64 and other libcs are untested.

   12. DESIGN
       ctr_spawn runs in four parts, each reading only what the one before produced:
       plan       the spec validated and translated into a ctr__plan (paths normalised, defaults
                  applied, every string and buffer the child needs allocated in the caller); the
                  plan is never changed afterwards (the handle keeps it, for ctr_exec).
       cgroup     the container's cgroup made and limited, through the backend this host has
                  (cgroup v2 or v1, chosen once per process).
       launch     one spawn's descriptors: the error pipe, the status pipe, stdio sources, the
                  socket the child and the shim pass descriptors over, the host's pidfd,
                  cgroup.procs files, a pooled (or no_network's shared) network namespace, and
                  for maps written from outside the id-map helper's socket (with the idmapped
                  mounts queued on it); a persistent upper is locked and its work directory made.
       processes  the shim (or, with init, the init itself) cloned as the caller's child; the
                  shim clones the command in its namespaces (CLONE_VFORK: it wakes once the
                  command has exec'd or failed).  The command's setup (the child) executes the
                  plan with raw system calls only - no malloc, stdio, locks or cancellation points
                  - so it is safe in a multi-threaded host.  A setup failure travels back as one
                  fixed-size ctr_error over a close-on-exec pipe; a record with step "none" says
                  the setup is done; the shim then reports STARTED (or init does, once the command
                  has exec'd) over the status pipe, and later EXIT with the command's status.  The
                  verdict never waits for EOF, which any process forked meanwhile would hold back.
       On x86-64 with Linux 6.12 or newer the shim and the command run on the caller's memory, as
       posix_spawn's child does: clone3 with CLONE_VM on stacks of their own (64 KiB for the shim,
       kept until it is reaped; 256 KiB for the command's setup, reused once it has exec'd), the
       shim cloning the command with CLONE_VFORK.  Nothing of the host's memory is copied, so a
       host holding gigabytes spawns as fast as a small one, and takes no copy-on-write faults
       afterwards.  They also run with the spawning thread's TLS, errno included: that thread
       keeps every signal blocked from the clone to the verdict (once the command has exec'd),
       so that no handler of the host's writes errno under the command's setup, and its own
       work meanwhile (a bridge's netlink requests, the verdict) writes none; the shim, which
       lives on as long as the container, makes only calls that do not fail but when it is
       stopped and continued (rt_sigtimedwait's EINTR); pasta's keeper is a fork-style copy.
       The dumpable flag belongs to that shared memory: the first of concurrent
       spawns saves the host's and the last puts it back.  The command is cloned fork-style (a
       copy of the page tables) for a cgroup v1 cgroup, time_ns (the kernel lets a process enter
       a time namespace only when no other shares its memory), and a rootless container spawned
       by a host that is not dumpable (the child makes itself dumpable to write its uid map); the
       shim is, for a ctr_exec that joins a user or time namespace; so is init (pid 1 lives on
       beside the host); and so is everything on other architectures, kernels before 6.12 (on 6.1
       with cgroup v1 a rare soft lockup was seen with it, not yet understood), sanitizer builds
       (ASan, TSan, MSan track stacks) and builds defining CONTAINER_NO_VM_CLONE.
       The sources (src/ in the repository; amalgamate.py joins them into this file):
       header.h    this manual and the public API.
       internal.h  the one private header: includes, syscall wrappers, every private type (the
                   plan, the launch, the handle, the cgroup backend interface) and every function
                   one file gives another.  Each .c file includes it first and compiles on its own.
       util.c      errors (ctr__fail, and ctr__c_die for the child), descriptors, paths, time, the
                   plan's allocator.
       plan.c      spec -> plan: namespaces, ids, limits and the cgroup request, stdio, terminal,
                   extra fds, the netns pool's conditions, rootfs, mounts, argv, env; ctr_exec's.
       security.c  capability sets and the seccomp filter (built-in BPF, or libseccomp behind the
                   same head).
       cgroup.c    the backend for this host; making and removing a container's cgroup through it.
       cgroup2.c   the cgroup v2 backend.     cgroup1.c  the cgroup v1 backend.
       cgfs.c      cgroup files: read, write, name, sweep, cgroup.procs, kill what it lists.
       clone.c     the vfork-style and fork-style clones, the stacks, the dumpable flag.
       shim.c      the container's parent (raw system calls only).
       child.c     the command's setup, from clone to execve, and the init (likewise).
       mount.c     the child's mount engine: the new root, every mount, pivot_root (likewise).
       notify.c    intercepted system calls (16): the plan's part, the child's (installing the
                   filter, passing its listener), the host's (the serving thread, the calls).
       landlock.c  Landlock (16): the rules and the ABI into the plan; the ruleset in the child.
       layers.c    the overlay root: the layers checked (plan), a persistent upper's lock and
                   work directory (host), the overlay made in the child.
       userns.c    maps written from outside (the helper process), idmapped mounts, the
                   diagnosis when user namespaces are refused.
       nonet.c     no_network: its checks, and the child's socket filter and Landlock scope.
       netns.c     the network namespace pool, no_network's shared namespace, and the namespace
                   a bridged container gets.
       net.c       networking (13): listening sockets, the bridge over rtnetlink, pasta's
                   keeper (raw system calls only, like the shim).
       spawn.c     ctr_spawn, ctr_exec and the handle: wait, poll, kill, stats, pause, destroy.
       io.c        the host's side of the streams: ctr_write, ctr_wait_io, the terminal, ctr_run.
       lifecycle.c section 14's fields into the plan; the namespaces to join opened, the start
                   FIFO made.  The child's part (joining, sysctls, the start wait, the exec
                   check) is in child.c, the late mounts (masks, read-only paths, devices) in
                   mount.c, the direct clone in spawn.c.
       attach.c    ctr_start, ctr_release, ctr_attach.
       No two files call each other in a circle: util <- security, cgfs, clone, layers, nonet,
       userns (<- clone) <- mount <- child <- shim; cgroup1/2 <- cgroup <- lifecycle, plan <- net <-
       spawn <- io, attach; security <- notify, landlock <- plan, child; notify <- spawn (a test
       checks it).
       The id-map helper (userns.c): a process may map only its own ids into a user namespace it
       made, so any other map is written from outside, after the clone; but the spawning thread
       waits for the verdict and the shim sleeps in the vfork-style clone until the command has
       exec'd.  So a short-lived helper is forked (fork-style: a copy of the host, raw system calls
       only, every inherited descriptor closed first) before the clone; the child sends it its host
       pid over a socket (read from the host's /proc/self before pivot_root), the helper writes
       /proc/PID/uid_map and gid_map (root) or runs newuidmap and newgidmap (not root, their stderr
       kept for the error) and sends back a verdict, which the child waits for, or for the helper's
       death through its pidfd.  The parent kills and reaps the helper once the verdict is in (the
       helper has exit signal 0, so a host's waitpid(-1) never sees it).  Over the same socket,
       before the clone, the parent queues the idmapped mounts it made as root (the child, in its
       user namespace, could not make them).

   13. NETWORKING
       By default a container has its own network namespace with loopback only; share CTR_NS_NET
       gives it the host's.  Three more ways in:
       Socket activation (every mode, root or not, no cost to speak of): spec.listen, an array of
       nlisten (at most 64) ctr_listen {address, port, udp, name, fd}.  ctr_spawn binds each (TCP:
       listening, SO_REUSEADDR; address NULL or "" is "::", every IPv6 and IPv4 address) in the
       caller's network namespace and passes them as systemd does: at fds 3, 4... in order, with
       LISTEN_FDS=N, LISTEN_FDNAMES=name:name... (default tcp-PORT, udp-PORT) and LISTEN_PID set
       to the command's own pid as it sees it (1, or 2 under init; the command writes it just
       before its execve); the caller's LISTEN_* variables are replaced.  A container with no
       network at all then serves the host's port.  fd > 0 passes a socket of yours as it is
       (it stays yours: not closed).  The library's copies are closed once the container has
       them.  spec.fds must keep off 3..2+nlisten (EINVAL).  A port in use fails with
       CTR_STEP_NETWORK, EADDRINUSE and the socket named ("bind tcp 0.0.0.0:80: another socket
       has that port ...").  A game server:
           ctrun --listen 7777/udp --listen 7777 -- /srv/game   (it reads fds 3 and 4)
       Bridge (root, net = CTR_NET_BRIDGE): a veth pair whose host end (named vethN by the
       kernel) is up in net_bridge (default "ctr0"; made if missing, with a fixed random MAC,
       up) and whose other end is eth0 in the container, up, with net_address (required,
       "10.88.0.2/16"), optionally net_address6 (no DAD), and default routes through
       net_gateway / net_gateway6 (default: the subnet's first address), which the library adds
       to the bridge if missing.  All of it through rtnetlink from the calling thread, while the
       container's child sets up its root: the child's own clone makes the namespace, the child
       sends a netlink socket of it to the calling thread and goes on; the veth is made with its
       peer directly in the namespace, lo and eth0 come up with their addresses and routes
       (requests batched: five round trips), and the child waits for the word only before its
       last steps.  So ctr_spawn refuses a bridge with direct_child (14), whose clone lets the
       caller run only once the command has exec'd (EINVAL).  The library keeps no reference: the namespace, and with it the veth, lives exactly as long
       as the container's processes and is torn down by the kernel's worker after they are gone
       (deleting a veth costs ~16 ms there: never in ctr_wait or ctr_destroy, which do not wait
       for it).  A host killed with SIGKILL at any point leaves no link behind; the bridge and
       its addresses stay (they are shared).  ctr_spawn refuses a bridge with a user namespace
       or new_userns, a shared network namespace or netns_pool (EINVAL), and without root
       (EPERM).  A name that exists but is not a bridge: CTR_STEP_NETWORK, EEXIST, "NAME exists
       but is not a bridge (it is a veth link)".  Addresses are the caller's to choose, NAT and
       forwarded ports the host firewall's: ctrun does both with nft (below).  Needs veth and
       bridge in the kernel.
       pasta (net = CTR_NET_PASTA, root or not; pasta(1) of the passt package, found in the
       caller's PATH, else CTR_STEP_NETWORK ENOENT): once the child has its namespaces (and uid
       map), a keeper process of the library's (a fork-style copy of the caller, exit signal 0,
       never execs) runs pasta on them (-f --config-net, eth0, -T none -U none: no host loopback port comes
       in, --no-map-gw: the gateway address does not lead to the host's 127.0.0.1, DNS through
       169.254.1.1 to the host's resolver) and the command is exec'd only once pasta has
       written its pid file, i.e. the network is up.  ports, an array of nports ctr_port
       {host_port, container_port, udp, host_address}, are forwarded from the host by pasta
       (127.0.0.1 too).  When the container's first process exits the keeper kills pasta and
       ctr_wait reaps the keeper.  pasta adds ~60 ms to a spawn (its own start).  Rootless pasta
       needs /dev/net/tun usable by the user (crw-rw-rw-, as udev makes it); pasta's failures
       come back as one sentence with its own words ("pasta could not open /dev/net/tun ...",
       "pasta could not bind a forwarded host port ...").  Known limit: as root (no user
       namespace) pasta 2023.03 fails to switch namespaces on this machine; use the bridge.
       DNS: with a bridge or pasta the container gets /etc/resolv.conf (spec.dns, NULL-terminated
       addresses; else, bridge: the host's non-loopback nameservers from /etc/resolv.conf or
       systemd-resolved's /run/systemd/resolve/resolv.conf, or CTR_STEP_NETWORK ENOENT saying to
       set dns; pasta: 169.254.1.1) and /etc/hosts (localhost, and ADDRESS HOSTNAME; pasta:
       127.0.1.1 HOSTNAME).  Both are files of the container's own in a small tmpfs, bound over
       the image's or the host's read-only /etc (the host's files are never touched), unless a
       mount of yours targets them.
       ctrun (examples/ctrun.c, ctrun_net.h): --listen [ADDR:]PORT[/udp]; --net bridge[:NAME]
       leases a free address of --subnet (default 10.87.0.0/16) to each live container (files
       in $CTRUN_STATE_DIR, default /run/ctrun, under flock; the owner "PID.STARTTIME"), turns
       on ip_forward, and adds to nft table inet ctrun: masquerade for the subnet, DNAT for each
       -p HOSTPORT:CONTAINERPORT (at the host's addresses, not 127.0.0.1; the host port is held
       by a bound socket meanwhile, so a port in use fails at once), and a forward rule that
       drops new connections into the bridge from anywhere else but published ports (other
       bridges' containers cannot reach it).  Every rule carries its owner; ctrun removes its
       own at exit (and the table once empty), and the next ctrun removes those of owners that
       are gone (killed with SIGKILL).  Missing nft, an exhausted subnet, a port in use: one
       line naming it and what to do.  --net pasta with -p forwards through pasta.
       Figures (bench/net_api.c, none, listen and bridge interleaved, 3 x 300 rounds; 2-core VM,
       Linux 6.18, load 1.4-1.7): ctr_spawn to /bin/true takes 2.65-2.69 ms with no network,
       2.68-2.72 ms with --listen, 2.91-3.00 ms with a bridge: the median of the per-round
       differences bridge - none is 0.27-0.31 ms.  200 bridged containers started and torn down
       back to back: 4.3-4.7 ms each, the slowest ctr_wait + ctr_destroy 0.04 ms (the veth goes
       with the namespace, off the caller's path).  pasta, rootless, through ctrun: 64 ms against
       5 ms with no network (medians of 40).

   14. CREATED, RELEASED AND ATTACHED CONTAINERS; RUNTIME FEATURES
       The fields at the end of ctr_spec, for a program that runs containers on behalf of others (an
       OCI runtime such as ocirun, 15) and whose own process does not live as long as they do.
       direct_child   the container's first process is the caller's own child, cloned with exit
                      signal SIGCHLD, as fork would make it: no shim (1).  The caller's wait(),
                      waitpid(-1) and SIGCHLD handler see it (reap it only through ctr_wait or
                      ctr_poll, or the status is lost); in exchange, when the caller exits, the
                      container is reparented to the caller's subreaper (PR_SET_CHILD_SUBREAPER:
                      conmon, containerd-shim), which can wait for it by its pid.  Joining a pid
                      namespace (ns_paths) and ctr_exec with direct_child go through a short-lived
                      helper that clones the process with CLONE_PARENT and exits: the process is
                      the caller's child all the same.
       wait_start     (needs direct_child; not with init) the child does its whole setup - the
                      namespaces, cgroup, mounts, pivot_root, terminal, identity, capabilities -
                      checks that argv[0] is a file its user may execute (so a missing command
                      fails ctr_spawn with CTR_STEP_EXEC and ENOENT or EACCES, as runc create
                      does), reports that it is done and then blocks, before its seccomp filter and
                      execve, until ctr_start.  ctr_spawn returns then: the container is created
                      (ctr_pid is its process, ctr_tty_fd its terminal, its cgroup and namespaces
                      exist for hooks and network setup), and nothing of the command has run.
                      ctr_start(c, &err) lets it go and returns once the command has exec'd, or
                      with the reason the execve failed.  ctr_destroy kills a created container
                      without ever running it.  Signals other than SIGKILL sent to a created
                      container stay pending until it starts.
       start_fifo     (with wait_start) a path where ctr_spawn makes a FIFO (mode 0600; a file
                      already there fails with EEXIST and is left alone; made, it is removed if
                      the spawn fails): the child waits on it, so another process can start the
                      container through ctr_attach and ctr_start (ocirun start does).  The caller
                      removes it once the container has started or is gone.  Without a FIFO the
                      start goes through a pipe of the handle: a created container whose handle
                      is released or whose caller died exits without running its command.
       ctr_release(c, &err) frees the handle and leaves the container running (needs
                      no_die_with_host: else the container would die with the spawning thread;
                      not for a netns_pool container).  Its cgroup stays; a shim on the caller's
                      memory keeps its 64 KiB stack (leaked).
       ctr_attach(&a, &out, &err) makes a handle for a container found by a.pid (its first
                      process), checked against a.start_time (ctr_proc_start_time(pid), taken when
                      it was made: a reused pid fails with ESRCH, CTR_STEP_CLONE); a.cgroup_path its
                      cgroup (as given to cgroup_path); a.start_fifo to start a created one; a.spec
                      the spec it was made from, for ctr_exec (capabilities, filter, rlimits,
                      namespaces joined: nothing is made again).  ctr_kill, ctr_pause,
                      ctr_resume, ctr_stats, ctr_start, ctr_exec, ctr_release and ctr_destroy (which
                      kills it, waits for the cgroup to empty and removes it) work on it; ctr_wait
                      and ctr_poll see it exit (through its pidfd), with its exit status only if
                      the caller is its parent (else the result says neither exited nor
                      signaled).  ctr_attach with a pid that is gone fails with ESRCH.
       cgroup_path    the container's cgroup at exactly this path under the hierarchy root
                      (/sys/fs/cgroup on v2, each controller's hierarchy on v1), made with its
                      parents if missing (the parents stay behind when it is removed, as with
                      runc), the controllers a limit needs enabled along it on v2; implies a
                      cgroup (as CTR_CGROUP_ALWAYS); excludes cgroup_parent; "." and ".."
                      components are refused.
       ns_paths, nns_paths   namespaces to join instead of creating: ctr_ns_path {type: one of
                      CTR_NS_NET, CTR_NS_IPC, CTR_NS_UTS, CTR_NS_CGROUP, CTR_NS_PID; path: a
                      namespace file such as /proc/PID/ns/net or /run/netns/NAME}; the file must
                      be a namespace of that type (NS_GET_NSTYPE).  A joined network namespace's
                      loopback is left as it is, a joined UTS namespace keeps its hostname unless
                      hostname is set; a pid namespace is joined by the shim (or the direct
                      child's helper) before the clone; ctr_exec joins them too.  Joining a mount,
                      user or time namespace is not supported.
       groups, ngroups     supplementary groups (root without a user namespace; default none).
                      Run by root of a user namespace whose setgroups is denied (a rootless
                      engine's), the groups are left as they are when none are asked for.
       set_umask, umask    the command's umask (default 022).
       set_oom_score_adj, oom_score_adj   written to /proc/self/oom_score_adj (-1000..1000;
                      lowering it needs CAP_SYS_RESOURCE).
       sysctls        "name=value" strings (net.ipv4.ip_forward=1) written under /proc/sys
                      during the setup; only namespaced ones (net.*, kernel.shm*, kernel.msg*,
                      kernel.sem, fs.mqueue.*, kernel.hostname, kernel.domainname) of a namespace
                      the container has of its own or joined; any other fails with
                      CTR_STEP_SPEC, EINVAL (it would change the host's).
       masked_paths, readonly_paths   after every mount: each existing path masked (a file by a
                      read-only nodev bind of /dev/null, so it cannot be opened; a directory by
                      an empty read-only tmpfs) or made read-only (recursively); a path that does
                      not exist is skipped.  They add to the library's own masks (9) unless
                      no_masks.
       devices, ndevices   device nodes ctr_device {path, type 'c' 'b' or 'p', major, minor, mode
                      (0 = 0666), uid, gid}: each made with mknod in a private tmpfs that is never
                      attached anywhere, and bound from there onto a file at path, so exactly the
                      nodes asked for can be opened while every other mount stays nodev (there is
                      no device cgroup).  Real devices need root without a user namespace.
       set_caps       the five capability sets exactly as given (the OCI runtime-spec's model):
                      cap_bounding, cap_effective (within cap_permitted), cap_permitted,
                      cap_inheritable, cap_ambient (within permitted and inheritable), for any
                      uid; excludes cap_add and cap_drop.  The kernel's rules still hold: root's
                      permitted and effective sets after execve are its bounding set.
       rootfs_propagation  CTR_MOUNT_SHARED, _SLAVE, _PRIVATE or _UNBINDABLE (with
                      CTR_MOUNT_RPROPAGATION: every mount below too) for the container's "/",
                      after pivot_root (4: each mount can have its own).
       cgroup_settings   "FILE=VALUE" strings written into the container's cgroup after the
                      limits (8), for what those do not cover: memory.swappiness=10,
                      cpuset.cpus=0-1, cpu.cfs_period_us=50000, hugetlb.2MB.limit_in_bytes=0,
                      memory.low=... on v2 (the OCI "unified" map is this).  FILE is a plain name
                      of a controller's file (not cgroup.*); on v1 its controller (the name up to
                      the first dot: memory, pids, cpu, cpuacct, freezer, blkio, cpuset, hugetlb,
                      net_cls, net_prio, devices) gets a directory for the container, a cpuset one filled
                      with its parent's CPUs and memory nodes; on v2 the controller is enabled
                      along the path.  Implies a cgroup; a write the kernel refuses fails
                      ctr_spawn with CTR_STEP_CGROUP, the file and its errno.
       Kernels: pidfd_open (5.3) for ctr_attach, NS_GET_NSTYPE (4.11) for ns_paths.

   15. OCIRUN: AN OCI RUNTIME FOR PODMAN, CONTAINERD, CRI-O AND KUBERNETES
       examples/ocirun.c (make build/ocirun; it links json-c and libseccomp: libjson-c-dev,
       libseccomp-dev) implements the OCI runtime command line of runc and crun on this library,
       so that engines run their containers with it: Podman through conmon, containerd through
       its runc shim, CRI-O, and Kubernetes through either.  The engine pulls and unpacks the
       image and hands ocirun a bundle (config.json and a root filesystem).
       Commands: create [--bundle DIR] [--pid-file F] [--console-socket SOCK] [--preserve-fds N]
       [--no-pivot] [--no-new-keyring] ID; start ID; state ID (the state JSON: ociVersion, id,
       status created|running|paused|stopped, pid, bundle, annotations); kill [--all] ID [SIGNAL]
       (a name or a number, default SIGTERM; --all signals every process of the cgroup); delete
       [--force] ID (a stopped container; --force kills a created, running or paused one first;
       runs the poststop hooks); run (create and start; without --detach it waits, forwards the
       signals it gets, exits with the container's status and deletes it unless --keep); exec
       [--process F | ARGS] [--detach] [--pid-file F] [--tty] [--console-socket S] [--cwd D]
       [--env K=V] [--user UID[:GID]] [--preserve-fds N] ID; ps [--format table|json] ID (the
       pids of its cgroup); pause ID; resume ID; list [--format table|json] [--quiet]; spec
       [--bundle DIR] [--rootless] (a default config.json ocirun runs); features (the
       runtime-spec features JSON); --version.
       Global options: --root DIR (state; default /run/ocirun, $XDG_RUNTIME_DIR/ocirun when not
       root of the initial user namespace), --log FILE and --log-format text|json (errors are
       written there too, as containerd's shim reads them), --systemd-cgroup (cgroupsPath is
       systemd's slice:prefix:name, turned into the path systemd would give it, for example
       machine.slice:libpod:ID -> /machine.slice/libpod-ID.scope, and made as a plain cgroup:
       ocirun does not ask systemd).  --no-pivot and --no-new-keyring are accepted: ocirun always
       uses pivot_root and never makes a session keyring.
       How: create copies config.json to ROOT/ID/ (what it and every later command read: changes
       to the bundle's file after create do not reach the container), spawns with direct_child,
       wait_start and a start FIFO in ROOT/ID/, writes ROOT/ID/state.json (pid, its start time,
       bundle, cgroup), sends the terminal's master to the console socket, runs the
       createRuntime and createContainer hooks (the latter in the container's namespaces,
       through its pidfd), writes the pid file and releases the handle: the container is the
       engine's (conmon's, the shim's) child from then on.  start runs the prestart and
       startContainer hooks, lets the process go (ctr_start) and runs the poststart hooks.
       start, kill, pause, resume, ps, exec and delete attach to it by pid, start time and
       cgroup.  Every command locks ROOT/ID (flock) for as long as it acts on it, so concurrent
       commands on one ID take turns; create makes ROOT/ID with mkdir, so two creates of one ID
       cannot both succeed, and a failed create removes it.  A container without a cgroup path
       gets /ID; one that cannot have a cgroup (rootless Podman on cgroup v1) and asks for no
       limit runs without one, as runc does.
       config.json (runtime-spec 1.0 to 1.2; 1.x is read, and a field from a later version fails
       by name; a property that no version of the spec defines is ignored, as the spec
       requires, with a warning naming it) maps onto ctr_spec: root.path and readonly (the
       bundle's root is used in place, as runc does); mounts (bind and rbind with ro, rw,
       noexec, the atime options, shared, slave, private, unbindable and their recursive forms
       - a filesystem option such as mode= on a bind does nothing, as with mount(2), and a
       warning says so; tmpfs with size and mode, a tmpfs on /dev as CTR_MOUNT_DEV; proc;
       sysfs, read-only; devpts with its options; mqueue; cgroup and cgroup2; nosuid and nodev,
       which every mount has, are accepted); process.args, env, cwd, user (uid, gid,
       additionalGids, umask), capabilities (the five sets), rlimits, noNewPrivileges, terminal
       and consoleSize, oomScoreAdj, apparmorProfile only empty or "unconfined", selinuxLabel
       and linux.mountLabel only on a host without SELinux, where no label means anything (a
       warning says it is not applied; runc and crun skip it there too); hostname, domainname; linux.namespaces (those listed are new, those absent
       the host's; a path joins one: network, ipc, uts, cgroup, pid; a mount namespace must be
       listed), uidMappings and gidMappings (ranges become spec.uid_map and gid_map with
       no_idmap, 5: the root and the binds stay as they are, as with runc and crun, so an image
       for a user namespace is owned by the mapped ids; the one mapping of the caller's own id
       is the library's single mapping), timeOffsets (whole seconds), devices (made, 14), cgroupsPath, resources (memory limit
       and swap, cpu shares, quota and period, pids limit, blockIO weight through the library's
       limits; memory reservation, swappiness, kernel, kernelTCP, disableOOMKiller, cpu cpus,
       mems, realtimePeriod and realtimeRuntime, the blockIO throttles, hugepageLimits, network
       classID and priorities, unified through cgroup_settings, for the cgroup version that has
       them; device rules: on cgroup v1 written to the devices controller, followed by allow
       rules for the default nodes and those of linux.devices (which runc and crun allow
       whatever the rules say); on v2, which needs an eBPF program for them, they are read and
       hold by construction: the container has only those nodes and every other mount is
       nodev, so no other node opens), sysctl, maskedPaths, readonlyPaths, rootfsPropagation
       (applied recursively, as runc does), seccomp (compiled
       with libseccomp, argument conditions included, into CTR_SECCOMP_BPF; syscalls
       libseccomp does not know are skipped, as runc and crun do); hooks (all six, with the
       state on stdin and their timeouts; createRuntime, createContainer and startContainer
       run once the setup is complete, not before pivot_root); annotations (kept in the state).
       Not supported, each failing create with an error that names it: process.commandLine,
       ioPriority, scheduler, execCPUAffinity, user.username; an AppArmor profile, an SELinux
       label where SELinux is enabled; mount types other than
       those above, mount options suid, dev, tmpcopyup, idmap, z, Z and any other not listed,
       mounts[].uidMappings/gidMappings, a writable sysfs, a read-only devpts; no mount namespace, or joining a mount, user or time namespace
       by path; timeOffsets nanoseconds; linux.intelRdt, personality, memoryPolicy, netDevices;
       seccomp SCMP_ACT_NOTIFY, listenerPath, listenerMetadata and flags; resources.memory
       kernel, kernelTCP, swappiness and disableOOMKiller on cgroup v2 (v2 has no such files),
       unlimited swap with a limit, checkBeforeUpdate; resources.cpu idle, burst, and the
       realtime ones on v2; blockIO leafWeight and weightDevice; network on v2; unified on v1;
       rdma (unless empty); solaris, windows, vm, zos, freebsd.
       Guide.  Podman: podman --runtime /usr/local/bin/ocirun run ..., or in containers.conf
           [engine]
           runtime = "ocirun"
           [engine.runtimes]
           ocirun = ["/usr/local/bin/ocirun"]
       With cgroup_manager = "cgroupfs" (with "systemd", podman passes --systemd-cgroup and
       ocirun makes the cgroup where systemd would, without systemd knowing it).  Podman asks for
       1048576 open files and processes: where the hard limit is lower (this machine's),
       default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"] in containers.conf.  Rootless
       Podman runs ocirun inside its user namespace: state under $XDG_RUNTIME_DIR/ocirun, no
       cgroup on cgroup v1 (no limits then).  containerd: ctr run --runc-binary
       /usr/local/bin/ocirun IMAGE ID, or for every container of the runc shim in config.toml
           [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ocirun]
             runtime_type = "io.containerd.runc.v2"
             [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ocirun.options]
               BinaryName = "/usr/local/bin/ocirun"
       CRI-O: in crio.conf
           [crio.runtime.runtimes.ocirun]
           runtime_path = "/usr/local/bin/ocirun"
           runtime_type = "oci"
           runtime_root = "/run/ocirun"
       Kubernetes: with containerd or CRI-O configured as above, a RuntimeClass selects it:
           apiVersion: node.k8s.io/v1
           kind: RuntimeClass
           metadata: {name: ocirun}
           handler: ocirun
       and a pod asks for it with spec.runtimeClassName: ocirun.  Tested (tests/engines.sh, in
       make test): Podman 4.3 rootful (run, run -it, exec, exec -it, logs, top, stop, rm, a
       published port, a memory limit, --uidmap) and rootless (run, exec, stop, rm), containerd 1.6 (ctr
       run, ctr task exec, ps, kill), on Debian 12; CRI-O and Kubernetes are not tested here.
       opencontainers/runtime-tools' validation suite (its 58 validation programs, from a
       snapshot of December 2026 that writes runtime-spec 1.3.0 configs, built by hand with
       Debian's Go; nothing of it is in this repository), run as root on this machine (Linux
       6.18, cgroup v1 hybrid with unified/ unmounted), the three runtimes in one run; a
       program passes when every test point it prints is ok (one that prints none, when it
       exits 0 without an error):
           configs as written (1.3.0)    ocirun 37/58 (3721 of 3748 points), runc 1.1.5 29/58
                                         (3705/3751), crun 1.8.1 4/58 (crun refuses 1.3.0)
           the suite rebuilt to write    ocirun 38/58 (3722/3748), crun 38/58 (4035/4062),
           1.1.0, which crun accepts     runc 29/58 (3705/3751)
       poststart passes in one run and fails in the next, for ocirun and crun alike (the harness
       compares what the process and the hook wrote, a race).  What ocirun fails: linux_ns_itype (no mount namespace of its own), linux_ns_path (joining a
       mount namespace by path), linux_process_apparmor_profile, linux_cgroups_blkio
       (leafWeight), and, as runc and crun do here: the hugetlb and net_cls tests (this host
       mounts neither controller), memory.kernel (Linux 6 ignores kmem limits), the pids check
       the harness itself gets wrong, hooks, pidfile (a kill after the process is gone),
       process_capabilities (a capability this sandbox's root lacks), one point each of
       misc_props, process_rlimits and start.

   16. POLICY: SYSTEM CALLS DECIDED BY THE HOST, LANDLOCK
       Beyond namespaces and the fixed seccomp profile: the host program can see chosen system
       calls of the container and decide each one in a callback of its own (seccomp user
       notification), and restrict the files, TCP ports, abstract sockets and signals the
       container can reach (Landlock).  Neither needs root, neither needs a daemon.
       Interception.  spec.intercept (nintercept of them, at most 512): syscall numbers, SYS_xxx
       of <sys/syscall.h> (0..4095), as in ctr_seccomp_rule.  spec.on_syscall (required with
       them) is called for each such call of the command and of everything it starts (not of the
       init, 6), with spec.on_syscall_user, while the caller waits.  ctr_syscall has nr, arch (the
       native AUDIT_ARCH_*), args[6] (the registers as the kernel saw them), ip and pid, the
       calling thread's id in the host's pid namespace; ctr_syscall_ns_pid(call, err) gives it as
       the container sees it (it reads /proc/PID/status, some microseconds: not done unless
       asked).  The callback may read the caller's memory: ctr_syscall_read(call, addr, buf, len,
       err) (EFAULT if not all of it is mapped; with len 0 it only checks that the call still
       waits, e.g. after opening /proc/PID/root) and ctr_syscall_read_path(call, arg, buf, size,
       err), the NUL-terminated string args[arg] points to (ENAMETOOLONG beyond size - 1 bytes).
       They read with process_vm_readv (or /proc/PID/mem where that is refused), then check with
       SECCOMP_IOCTL_NOTIF_ID_VALID that the call still waits: if its thread died or was
       interrupted meanwhile, whatever was read may come from a process that reused the id, and
       the read fails with ENOENT instead.  Then it answers, once:
       ctr_syscall_continue(call)     the kernel runs the call as it is.  This is no security
                                      decision for pointer arguments: another thread of the
                                      container can change the memory they point to between
                                      the callback's read and the kernel's.  Use it to trace, for
                                      calls whose arguments are plain values, or where a rule
                                      the kernel enforces (Landlock, the profile) decides.
       ctr_syscall_fail(call, e)      the call fails with errno e (1..4095) without running.
       ctr_syscall_return(call, v)    the call returns v without running (from -4095 to -1 the
                                      C library reads it as an error).
       ctr_syscall_inject_fd(call, fd)  the broker: a copy of the host's descriptor fd is
                                      installed in the caller and the call returns its number
                                      (SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND,
                                      Linux 5.14; before, installed and answered in two steps).
                                      Close-on-exec when the call asked for it: O_CLOEXEC of
                                      open, openat, openat2 and dup3, SOCK_CLOEXEC of socket and
                                      accept4, MFD_CLOEXEC of memfd_create.  The host opens the
                                      file itself, under its own policy, from its own copy of the
                                      path: nothing the container changes afterwards matters.
                                      On failure (EMFILE: the caller's table is full) nothing was
                                      answered yet.
       Each returns 0, or -1 with errno (no ctr_error: their only failures are these): ENOENT the
       call is gone, EALREADY it was answered before, EINVAL a bad value.  A callback that returns
       without answering, or returns nonzero before answering, makes the call fail with EPERM; an
       answer given stands whatever the callback returns.  A call that the plan's filter refuses
       (9: the default profile, your rules) is refused without reaching the callback: the kernel
       takes the strictest verdict of the filters (kill, then errno, then the host's callback,
       then allow).  With CTR_SECCOMP_NONE the interception filter is the only one; like the
       default profile it refuses the system calls of other architectures and x32 with ENOSYS,
       whose numbers would otherwise slip past it.
       Serving.  By default every container with intercept gets a thread of the library's,
       started in ctr_spawn with every signal blocked, that waits for its calls and runs
       on_syscall for them one at a time: the callbacks of one container never run concurrently,
       those of different containers may (each on its own thread), and a slow callback holds up
       only its own container.  The thread ends by itself once the container's last process is
       gone (with a shared pid namespace and no cgroup, processes that outlive ctr_destroy keep
       it, and their calls fail with EPERM, until they are gone too).  ctr_destroy does not wait
       for a callback: none starts once it has begun, and one still running 50 ms after the
       container is dead is left to finish on its thread (its reads and answers fail with
       ENOENT), which then ends; keep what on_syscall_user points to valid until it has.  A
       container killed while a call waits dies at once, answered or not.
       With intercept_manual there is no thread: ctr_notify_fd(c) is the listener, readable while
       calls wait, for your poll/epoll loop, and ctr_notify_handle(c, err) serves the waiting ones
       (at most 256 a time) on the calling thread and returns how many, never blocking; once the
       container's last process is gone the descriptor reports POLLHUP: stop polling it.  Serve
       them while you wait: a container blocked in a call nobody answers holds up ctr_wait (poll
       ctr_notify_fd together with ctr_pidfd, 1).  Without intercept_manual ctr_notify_fd returns
       -1 and ctr_notify_handle fails with EINVAL.
       The listener is made in the container process by installing the interception filter
       (SECCOMP_FILTER_FLAG_NEW_LISTENER, and SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV from Linux
       5.19: a call the host has received waits through non-fatal signals, where before a
       signal interrupts it - it is then gone, and made again as a new call after the handler)
       as the very last step before the exec, after the plan's filter, and passed to the host
       over the socket the stdio pipes take (6) before the exec.  It is close-on-exec on both
       sides: it never reaches the command, nor what the host starts; a process the host forks
       without exec holds a copy, and must not use the handle (a ctr_destroy there stops no
       thread).  On Linux 6.6 and newer the host is woken on the caller's CPU and the caller on
       the host's (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP), which saves a migration each way.
       The library's own last calls in the container - passing the listener, the exec of the
       command, the report of an exec failure and the exit after it - are never intercepted: they
       carry 64 random bits in argument bits the kernel ignores, which the filter lets through (a
       container able to read its own filter, PTRACE_SECCOMP_GET_FILTER with CAP_SYS_ADMIN in the
       host's user namespace, could hide sendmsg, execveat, pwritev2 and exit_group calls that
       way).  So the callback never sees the command's own execve; when execve is intercepted the
       command is started with execveat, and when write is, an exec failure is reported with
       pwritev2: a custom seccomp filter (9) must allow seccomp(), sendmsg and those.  intercept
       needs no_new_privs: with allow_new_privs it is refused (CTR_STEP_SPEC, EINVAL), and so is
       wait_start (14), which holds back the exec the listener is made just before.  Under init
       (6) the command and what it starts are intercepted, init itself is not.  A process
       ctr_exec starts in the container is under the same policy: the same calls are intercepted
       and served for its own handle (its ctr_notify_fd with intercept_manual), and the same
       Landlock rules hold for it.
       Needs Linux 5.5 (continue), 5.9 (inject_fd); the cost per call, against a minimal
       supervisor and strace, is in bench/README.md.
       Landlock.  spec.landlock (nlandlock of them): ctr_landlock_rule {path, access, port}.  A
       path rule allows, beneath path (a directory, or that one file): CTR_LL_READ, reading files
       and listing directories; CTR_LL_WRITE, writing and truncating files, creating, removing,
       renaming and linking entries, ioctl on devices; CTR_LL_EXEC, executing (with reading, which
       executing needs).  path is absolute, inside the container: resolved in the container's
       root after the mounts, as mount targets are (4), and it must exist (CTR_STEP_LANDLOCK,
       ENOENT).  A port rule (path NULL) allows CTR_LL_BIND_TCP and CTR_LL_CONNECT_TCP on port.
       Each kind is restricted once one rule of it is given: one path rule and every file access
       no rule allows fails with EACCES - the exec of the command too: allow CTR_LL_EXEC on it
       (and CTR_LL_READ on its loader and libraries, unless it is static); one port rule and
       every other TCP bind and connect fails with EACCES.  spec.landlock_scope: with
       CTR_LL_SCOPE_ABSTRACT_UNIX, connecting to an abstract unix socket made outside the
       container (in a shared network namespace) fails with EPERM; with CTR_LL_SCOPE_SIGNAL, so
       does a signal to a process outside it (in a shared pid namespace).  The rules bind the
       command, all it starts and the init, root or not (no capability passes them); they are
       enforced in the container process after the capabilities and no_new_privs are set, just
       before the seccomp filters (with allow_new_privs, before the capabilities are dropped:
       Landlock then needs CAP_SYS_ADMIN in the container's user namespace).  Descriptors
       opened outside the rules (stdio, those the host injects) are not checked again.
       Kernels: path rules need Landlock ABI 1 (Linux 5.16) and Landlock enabled (the lsm= boot
       parameter); port rules ABI 4 (6.7); scopes ABI 6 (6.12).  Where the kernel lacks what was
       asked, ctr_spawn fails (CTR_STEP_LANDLOCK, EOPNOTSUPP, or ENOSYS without Landlock built
       in) with a message naming the feature and the ABI found - unless landlock_best_effort is
       set: then what the kernel cannot do is left out (no port rules, no scope, or no Landlock
       at all) and the container starts.  Older ABIs also restrict less of the file rights:
       truncating before ABI 3, ioctl on devices before ABI 5, and before ABI 2 renaming or
       linking a file into another directory is always refused.  ctr_landlock_abi() is this
       kernel's ABI, 0 without Landlock.
*/
/* The implementation needs _GNU_SOURCE before the first libc include of its file; when this file
   is the first include there, we set it here. */
#if defined(CONTAINER_IMPLEMENTATION) && !defined(CONTAINER_H) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1
#endif

#ifndef CONTAINER_H
#define CONTAINER_H

#define CONTAINER_VERSION_MAJOR  0
#define CONTAINER_VERSION_MINOR  1
#define CONTAINER_VERSION_PATCH  0
#define CONTAINER_VERSION_STRING "0.1.0"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef CONTAINER_STATIC
#if defined(__GNUC__) || defined(__clang__)
#define CONTAINER_API static __attribute__((unused))
#else
#define CONTAINER_API static
#endif
#else
#define CONTAINER_API extern
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Namespaces to share with the host (ctr_spec.share). */
#define CTR_NS_USER   0x01u
#define CTR_NS_PID    0x02u
#define CTR_NS_NET    0x04u
#define CTR_NS_IPC    0x08u
#define CTR_NS_UTS    0x10u
#define CTR_NS_CGROUP 0x20u
#define CTR_NS_ALL    0x3fu

/* The setup steps, with the name ctr_step_name() returns. */
/* clang-format off */
#define CTR__STEPS(X)                                                                         \
    X(NONE, "none")                                                                           \
    X(SPEC, "spec")             /* the spec is invalid: nothing was started */                \
    X(RESOURCE, "resource")     /* the parent ran out of memory, fds or processes */          \
    X(CLONE, "clone")           /* creating the child and its namespaces */                   \
    X(USERNS, "userns")         /* writing uid_map/gid_map/setgroups */                       \
    X(TIMENS, "timens")         /* time namespace offsets */                                  \
    X(HOSTNAME, "hostname")                                                                   \
    X(NETWORK, "network")       /* bringing up loopback */                                    \
    X(ROOTFS, "rootfs")         /* preparing the new root */                                  \
    X(MOUNT, "mount")           /* one entry of the mount list, or a default mount */         \
    X(PIVOT_ROOT, "pivot_root")                                                               \
    X(CWD, "cwd")                                                                             \
    X(STDIO, "stdio")                                                                         \
    X(IDENTITY, "identity")     /* setgroups/setgid/setuid */                                 \
    X(INIT, "init")             /* the optional init starting the command */                  \
    X(EXEC, "exec")             /* the command itself could not be executed */                \
    X(WAIT, "wait")                                                                           \
    X(KILL, "kill")                                                                           \
    X(CGROUP, "cgroup")         /* creating, configuring, reading or removing the cgroup */   \
    X(RLIMIT, "rlimit")                                                                       \
    X(CAPS, "capabilities")     /* bounding/ambient sets, capset, no_new_privs */             \
    X(SECCOMP, "seccomp")       /* building or installing the syscall filter */              \
    X(LANDLOCK, "landlock")     /* the Landlock rules: their paths, the ruleset, the ABI */
/* clang-format on */

/* clang-format off */
typedef enum ctr_step {
#define CTR__STEP_ENUM(name, str) CTR_STEP_##name,
    CTR__STEPS(CTR__STEP_ENUM)
#undef CTR__STEP_ENUM
    CTR_STEP_COUNT
} ctr_step;
/* clang-format on */

/* Fixed size and pointer-free: the child fills it and sends it with one atomic write(). */
typedef struct ctr_error {
    ctr_step step;  /* which step failed */
    int sys_errno;  /* errno of the failing call, 0 if none */
    char path[256]; /* the path or object involved, "" if none */
    char msg[384];  /* one human sentence: "mount tmpfs on /tmp: No space left on device" */
} ctr_error;

typedef enum ctr_mount_type {
    CTR_MOUNT_BIND = 1,
    CTR_MOUNT_TMPFS,
    CTR_MOUNT_PROC,
    CTR_MOUNT_DEV,
    CTR_MOUNT_MQUEUE,
    CTR_MOUNT_DIR,
    CTR_MOUNT_SYMLINK,
    CTR_MOUNT_FILE,
    CTR_MOUNT_SYSFS,
    CTR_MOUNT_DEVPTS, /* a new devpts instance; data: its options ("gid=5,mode=620,ptmxmode=666") */
    CTR_MOUNT_CGROUP  /* the cgroup filesystem(s) as the container's cgroup namespace shows them */
} ctr_mount_type;

/* ctr_mount.flags */
#define CTR_MOUNT_RW           0x01u /* bind: writable (default read-only) */
#define CTR_MOUNT_NONRECURSIVE 0x02u /* bind: do not bring the submounts of source along */
#define CTR_MOUNT_READONLY     0x04u /* tmpfs/proc/dev/mqueue: mount read-only */
#define CTR_MOUNT_NOEXEC       0x08u /* bind/tmpfs/devpts: noexec */
#define CTR_MOUNT_NOATIME      0x10u /* no access times */
#define CTR_MOUNT_STRICTATIME  0x20u /* every access time (default: relatime) */
#define CTR_MOUNT_NODIRATIME   0x40u /* no access times on directories */
/* Mount propagation (default: private), for a mount or ctr_spec.rootfs_propagation. */
#define CTR_MOUNT_SHARED       0x080u
#define CTR_MOUNT_SLAVE        0x100u
#define CTR_MOUNT_PRIVATE      0x200u
#define CTR_MOUNT_UNBINDABLE   0x400u
#define CTR_MOUNT_RPROPAGATION 0x800u /* the propagation for every mount below too */

typedef struct ctr_mount {
    ctr_mount_type type;
    const char *source; /* BIND: host path; SYMLINK: what the link points to */
    const char *target; /* absolute path inside the container */
    unsigned flags;     /* CTR_MOUNT_* */
    uint64_t size;      /* TMPFS: bytes (0 = kernel default) */
    unsigned mode;      /* TMPFS/DIR/FILE permission bits (0 = 01777 / 0755 / 0644) */
    const void *data;   /* FILE: contents */
    size_t data_len;
} ctr_mount;

typedef enum ctr_stdio_mode {
    CTR_STDIO_INHERIT = 0,
    CTR_STDIO_NULL,
    CTR_STDIO_FD,
    CTR_STDIO_PIPE
} ctr_stdio_mode;

/* One resource limit (ctr_spec.rlimits): resource is RLIMIT_NOFILE, RLIMIT_CORE, ...; values in
   the resource's unit, CTR_RLIM_INFINITY for unlimited. */
#define CTR_RLIM_INFINITY UINT64_MAX
typedef struct ctr_rlimit {
    int resource;
    uint64_t soft, hard;
} ctr_rlimit;

/* Capabilities as bit masks: bit n is capability n of <linux/capability.h> (CAP_CHOWN = 0). */
#define CTR_CAP(n)   (1ull << (n))
#define CTR_CAPS_ALL (~0ull)
/* The default set, as Docker's: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
   NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP. */
#define CTR_CAPS_DEFAULT                                                                        \
    (CTR_CAP(0) | CTR_CAP(1) | CTR_CAP(3) | CTR_CAP(4) | CTR_CAP(5) | CTR_CAP(6) | CTR_CAP(7) | \
     CTR_CAP(8) | CTR_CAP(10) | CTR_CAP(13) | CTR_CAP(18) | CTR_CAP(27) | CTR_CAP(29) |         \
     CTR_CAP(31))

/* seccomp (ctr_spec.seccomp) */
typedef enum ctr_seccomp_mode {
    CTR_SECCOMP_DEFAULT = 0, /* the library's profile (manual section 9) */
    CTR_SECCOMP_NONE,        /* no filter: only if you mean it */
    CTR_SECCOMP_RULES,       /* seccomp_rules with seccomp_default_action */
    CTR_SECCOMP_BPF          /* seccomp_bpf: a raw classic BPF program (struct sock_filter[]) */
} ctr_seccomp_mode;

typedef enum ctr_seccomp_action {
    CTR_SECCOMP_ALLOW = 0,
    CTR_SECCOMP_ERRNO, /* fail with errno_value (0 = EPERM) */
    CTR_SECCOMP_KILL,  /* kill the process */
    CTR_SECCOMP_LOG    /* allow, and log to the kernel's audit log */
} ctr_seccomp_action;

typedef struct ctr_seccomp_rule {
    long nr; /* syscall number (SYS_xxx of <sys/syscall.h>) */
    ctr_seccomp_action action;
    int errno_value;
} ctr_seccomp_rule;

/* ctr_spec.cgroup */
typedef enum ctr_cgroup_mode {
    CTR_CGROUP_AUTO = 0, /* a cgroup when a cgroup limit is set, none otherwise */
    CTR_CGROUP_ALWAYS,   /* always (for ctr_stats, peak memory, ctr_pause); fail if impossible */
    CTR_CGROUP_NEVER     /* never: a cgroup limit then fails with CTR_STEP_CGROUP */
} ctr_cgroup_mode;

/* An extra descriptor for the container (ctr_spec.fds): the host's host_fd is container_fd
   inside. */
typedef struct ctr_fd {
    int host_fd;
    int container_fd;
} ctr_fd;

/* A namespace to join instead of creating one (ctr_spec.ns_paths, manual section 14). */
typedef struct ctr_ns_path {
    unsigned type;    /* one of CTR_NS_NET, CTR_NS_IPC, CTR_NS_UTS, CTR_NS_CGROUP, CTR_NS_PID */
    const char *path; /* /proc/PID/ns/net, or a bind-mounted namespace (/run/netns/NAME) */
} ctr_ns_path;

/* A device node in the container (ctr_spec.devices, manual section 14). */
typedef struct ctr_device {
    const char *path; /* absolute, inside the container (under /dev) */
    char type;        /* 'c' character, 'b' block, 'p' FIFO */
    unsigned major, minor;
    unsigned mode; /* permission bits (0 = 0666) */
    uid_t uid;     /* owner inside the container */
    gid_t gid;
} ctr_device;

/* A pool of empty network namespaces lent to containers (manual section 10). */
typedef struct ctr_netns_pool ctr_netns_pool;

/* Policy (manual section 16): a system call of the container's, intercepted and handed to the
   host's callback (ctr_spec.on_syscall).  Valid only during the callback. */
typedef struct ctr_syscall {
    long nr;          /* SYS_xxx of <sys/syscall.h> */
    uint32_t arch;    /* AUDIT_ARCH_X86_64 or AUDIT_ARCH_AARCH64 (the native one, always) */
    uint64_t args[6]; /* the six argument registers, as the kernel saw them */
    uint64_t ip;      /* the instruction pointer after the syscall instruction */
    pid_t pid;        /* the calling thread's id in the host's pid namespace (ctr_syscall_ns_pid:
                         in the container's) */
    /* the library's own: leave them alone */
    uint64_t ctr__id;
    int ctr__fd;
    int ctr__replied;
    pid_t ctr__ns_pid;
} ctr_syscall;

/* ctr_spec.on_syscall: answers the call once (ctr_syscall_continue, _fail, _return, _inject_fd)
   and returns 0; without an answer, or after returning nonzero unanswered, the call fails with
   EPERM. */
typedef int (*ctr_syscall_fn)(ctr_syscall *call, void *user);

/* One Landlock rule (ctr_spec.landlock): a path inside the container with CTR_LL_READ, _WRITE,
   _EXEC, or (path NULL) a TCP port with CTR_LL_BIND_TCP, _CONNECT_TCP. */
#define CTR_LL_READ        0x01u /* read files, list directories (beneath path) */
#define CTR_LL_WRITE       0x02u /* write, truncate, create, remove, rename, link (beneath path) */
#define CTR_LL_EXEC        0x04u /* execute (and read, which executing needs) */
#define CTR_LL_BIND_TCP    0x10u /* bind a TCP socket to port (Landlock ABI 4, Linux 6.7) */
#define CTR_LL_CONNECT_TCP 0x20u /* connect a TCP socket to port (ABI 4) */
typedef struct ctr_landlock_rule {
    const char *path; /* absolute, inside the container; NULL for a port rule */
    unsigned access;  /* CTR_LL_* */
    unsigned port;    /* port rules: 0..65535 */
} ctr_landlock_rule;

/* ctr_spec.landlock_scope (Landlock ABI 6, Linux 6.12) */
#define CTR_LL_SCOPE_ABSTRACT_UNIX 0x01u /* no connecting to abstract unix sockets made outside */
#define CTR_LL_SCOPE_SIGNAL        0x02u /* no signals to processes outside */
/* One range of a user namespace's uid or gid map (ctr_spec.uid_map, gid_map, manual section 5):
   count ids from inside (in the container) on are outside, outside + 1, ... on the host. */
typedef struct ctr_idmap {
    uint32_t inside, outside, count;
} ctr_idmap;

/* Networking (manual section 13). */
typedef enum ctr_net_mode {
    CTR_NET_NONE = 0, /* loopback only (or the host's network: share CTR_NS_NET) */
    CTR_NET_BRIDGE,   /* root: a veth pair, eth0 inside, its host end in net_bridge */
    CTR_NET_PASTA     /* pasta(1) connects the namespace to the host's network (rootless too) */
} ctr_net_mode;

/* A socket the host binds and passes to the container, systemd-style (LISTEN_FDS). */
typedef struct ctr_listen {
    const char *address; /* host address to bind ("127.0.0.1", "::1", "0.0.0.0"); NULL or "" =
                            "::", every IPv6 and IPv4 address */
    unsigned short port; /* 1..65535 */
    int udp;             /* a UDP socket instead of a listening TCP one */
    const char *name;    /* its LISTEN_FDNAMES entry; NULL = "tcp-PORT" or "udp-PORT" */
    int fd;              /* > 0: pass this socket of yours as it is (address and port unused) */
} ctr_listen;

/* A host port forwarded into the container (CTR_NET_PASTA). */
typedef struct ctr_port {
    unsigned short host_port;      /* 1..65535 */
    unsigned short container_port; /* 0 = host_port */
    int udp;
    const char *host_address; /* bind only this host address; NULL = all */
} ctr_port;

typedef struct ctr_spec {
    const char *const *argv; /* required, NULL-terminated */
    const char *const *env;  /* NULL-terminated "K=V"; NULL = PATH and HOME only */
    const char *cwd;         /* NULL = "/" */
    const char *hostname;    /* NULL = "container" */
    const char *rootfs;      /* NULL = host userland read-only on a tmpfs root */
    int readonly_root;
    int no_default_mounts; /* do not mount proc, /dev and /tmp */
    const ctr_mount *mounts;
    size_t nmounts;
    unsigned share; /* CTR_NS_* to share with the host; 0 = all new */
    int new_userns; /* root only: create a user namespace anyway */
    uid_t uid;      /* inside the container; default 0 */
    gid_t gid;
    int time_ns; /* new time namespace with these offsets */
    int64_t monotonic_offset_sec;
    int64_t boottime_offset_sec;
    ctr_stdio_mode stdio[3];
    int stdio_fd[3];      /* for CTR_STDIO_FD */
    int init;             /* run a tiny init as pid 1 */
    int no_die_with_host; /* keep running when the spawning thread exits */

    /* Limits (section 8 of the manual).  0 = not limited. */
    uint64_t memory_max;       /* bytes of RAM (cgroup memory.max) */
    uint64_t memory_swap_max;  /* bytes of swap on top; 0 = no swap when memory_max is set */
    uint64_t pids_max;         /* processes and threads (cgroup pids.max) */
    double cpus;               /* CPU bandwidth in CPUs: 0.5 = half of one CPU (cgroup cpu.max) */
    unsigned cpu_weight;       /* relative CPU weight 1..10000 (default 100) */
    unsigned io_weight;        /* relative IO weight 1..10000 (default 100) */
    const ctr_rlimit *rlimits; /* setrlimit inside; RLIMIT_CORE is 0 unless given here */
    size_t nrlimits;
    double timeout_sec; /* wall clock; then the whole container is killed (ctr_wait/ctr_poll) */
    ctr_cgroup_mode cgroup;
    const char *cgroup_parent; /* where to create the container's cgroup; NULL = automatic */

    /* Security (section 9 of the manual).  Zero is the safe default. */
    uint64_t cap_add;    /* CTR_CAP(n) bits added to CTR_CAPS_DEFAULT */
    uint64_t cap_drop;   /* removed from it (CTR_CAPS_ALL: none at all) */
    int allow_new_privs; /* do not set no_new_privs (mounts stay nosuid all the same) */
    ctr_seccomp_mode seccomp;
    const ctr_seccomp_rule *seccomp_rules;
    size_t nseccomp_rules;
    ctr_seccomp_action seccomp_default_action; /* for CTR_SECCOMP_RULES */
    int seccomp_default_errno;
    const void *seccomp_bpf; /* CTR_SECCOMP_BPF: struct sock_filter[seccomp_bpf_len] */
    size_t seccomp_bpf_len;
    int no_masks;      /* do not mask /proc and /sys paths (kcore, keys, sysrq...) */
    uint64_t shm_size; /* bytes of the /dev/shm tmpfs of a CTR_MOUNT_DEV; 0 = 64 MiB */

    /* Performance (manual section 10) */
    ctr_netns_pool *netns_pool; /* borrow an empty network namespace from this pool */
    int no_network; /* no network at all: one empty network namespace shared by such containers */

    /* Layers (manual section 3) and id maps (section 5) */
    const char *const *lowers; /* read-only lower directories, top first, NULL-terminated */
    const char *upper;         /* a directory that keeps the changes; NULL = a throw-away tmpfs */
    uint64_t upper_size;       /* bytes of the tmpfs upper; 0 = the kernel's default */
    int rootfs_rw;             /* rootfs: write into the directory itself, no layer */
    const ctr_idmap *uid_map;  /* a user namespace with these maps (gid_map NULL: the same) */
    size_t nuid_map;
    const ctr_idmap *gid_map;
    size_t ngid_map;
    int no_idmap;  /* uid_map as root: do not present the root and binds through idmapped mounts */
    int no_subids; /* not root: map the caller's own ids only, even with /etc/subuid ranges */

    /* The host program (manual section 6) */
    int stdio_nonblock; /* the host ends of CTR_STDIO_PIPE streams are O_NONBLOCK */
    int tty;            /* a pseudo-terminal as stdin, stdout and stderr (ctr_tty_fd) */
    unsigned short tty_rows, tty_cols; /* its size (0 = 24 x 80) */
    const ctr_fd *fds; /* extra descriptors: these (and 0, 1, 2) are all that is open inside */
    size_t nfds;

    /* Network (manual section 13) */
    const ctr_listen *listen; /* sockets passed as fds 3, 4... with LISTEN_FDS (any net mode) */
    size_t nlisten;
    ctr_net_mode net;
    const char *net_bridge;   /* CTR_NET_BRIDGE: the bridge (made if missing); NULL = "ctr0" */
    const char *net_address;  /* CTR_NET_BRIDGE: the container's "10.88.0.2/16" (required) */
    const char *net_gateway;  /* the bridge's address; NULL = the subnet's first address */
    const char *net_address6; /* optional IPv6 address, "fd00:88::2/64" */
    const char *net_gateway6; /* NULL = the subnet's first address */
    const char *const *dns;   /* nameservers for /etc/resolv.conf, NULL-terminated; NULL = see 13 */
    const ctr_port *ports;    /* CTR_NET_PASTA: host ports forwarded to the container */
    size_t nports;
    /* Lifecycle and runtime features (manual section 14) */
    int direct_child;        /* no shim: the container's first process is the caller's own child */
    int wait_start;          /* needs direct_child: set up completely, then wait for ctr_start */
    const char *start_fifo;  /* wait_start: a FIFO made here; ctr_attach + ctr_start use it */
    const char *cgroup_path; /* the cgroup at exactly this path (made if missing) */
    const ctr_ns_path *ns_paths; /* namespaces to join instead of creating */
    size_t nns_paths;
    const gid_t *groups; /* supplementary groups (default none) */
    size_t ngroups;
    int set_umask; /* the command's umask is umask (default 022) */
    unsigned umask;
    int set_oom_score_adj; /* write oom_score_adj (-1000..1000) */
    int oom_score_adj;
    const char *const *sysctls;        /* NULL-terminated "name=value" (namespaced sysctls only) */
    const char *const *masked_paths;   /* NULL-terminated: hidden (files: /dev/null, dirs: tmpfs) */
    const char *const *readonly_paths; /* NULL-terminated: made read-only */
    const ctr_device *devices;         /* device nodes made in the container */
    size_t ndevices;
    int set_caps; /* the five capability sets exactly as given, instead of cap_add/cap_drop */
    uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
    unsigned rootfs_propagation;        /* CTR_MOUNT_SHARED... for "/" and every mount (0: as is) */
    const char *const *cgroup_settings; /* NULL-terminated "FILE=VALUE" written in the cgroup */

    /* Policy (manual section 16).  Zero: nothing intercepted, no Landlock. */
    const long *intercept; /* syscall numbers (SYS_xxx) handed to on_syscall */
    size_t nintercept;
    ctr_syscall_fn on_syscall;
    void *on_syscall_user; /* passed to on_syscall */
    int intercept_manual;  /* serve them yourself: ctr_notify_fd, ctr_notify_handle */
    const ctr_landlock_rule *landlock;
    size_t nlandlock;
    unsigned landlock_scope;  /* CTR_LL_SCOPE_* */
    int landlock_best_effort; /* on an older kernel, drop what it cannot do instead of failing */
} ctr_spec;

typedef struct ctr_result {
    int exited; /* 1: exited normally, exit_code valid */
    int exit_code;
    int signaled; /* 1: killed by term_signal */
    int term_signal;
    int64_t wall_ns; /* from spawn until ctr_wait/ctr_poll saw the exit */
    int timed_out;   /* killed because timeout_sec passed */
    int oom_killed;  /* the kernel's OOM killer killed a process of the container (cgroup only) */
    uint64_t
        memory_peak; /* bytes: the cgroup's peak, or without a cgroup the largest process's RSS */
    int64_t cpu_user_ns; /* CPU time of all the container's processes */
    int64_t cpu_system_ns;
} ctr_result;

/* What ctr_stats reports of a running container (needs a cgroup). */
typedef struct ctr_usage {
    uint64_t memory_current; /* bytes (0 if the cgroup has no memory controller) */
    uint64_t pids_current;   /* (0 if the cgroup has no pids controller) */
    int64_t cpu_usage_ns;    /* user + system */
} ctr_usage;

typedef struct ctr_container ctr_container;

CONTAINER_API int ctr_spawn(const ctr_spec *spec, ctr_container **out, ctr_error *err);
CONTAINER_API int ctr_wait(ctr_container *c, ctr_result *res, ctr_error *err);
/* Non-blocking: 1 and *res filled if the container has exited, 0 if it still runs, -1 on error. */
CONTAINER_API int ctr_poll(ctr_container *c, ctr_result *res, ctr_error *err);
CONTAINER_API int ctr_kill(ctr_container *c, int sig, ctr_error *err);
CONTAINER_API void ctr_destroy(ctr_container *c);
CONTAINER_API int ctr_stats(ctr_container *c, ctr_usage *usage, ctr_error *err);
CONTAINER_API int ctr_pause(ctr_container *c, ctr_error *err);
CONTAINER_API int ctr_resume(ctr_container *c, ctr_error *err);
/* CLOCK_MONOTONIC nanoseconds at which timeout_sec expires, 0 if none: an event loop arms a
   timer for it and calls ctr_poll, which kills the container once the deadline has passed. */
CONTAINER_API int64_t ctr_deadline_ns(const ctr_container *c);
/* The container's cgroup directory (host path), "" if it has none. */
CONTAINER_API const char *ctr_cgroup_path(const ctr_container *c);
CONTAINER_API int ctr_pidfd(const ctr_container *c);
CONTAINER_API pid_t ctr_pid(const ctr_container *c);
/* The host end of a CTR_STDIO_PIPE stream (0, 1, 2), or -1. Owned by the container. */
CONTAINER_API int ctr_stdio_fd(const ctr_container *c, int stream);
CONTAINER_API void ctr_close_stdio(ctr_container *c, int stream);
CONTAINER_API const char *ctr_step_name(ctr_step step);
/* The host program (manual section 6). */
/* Another process in a running container (ctr_exec): the fields mean what they mean in
   ctr_spec; everything else (namespaces, root, cgroup, rlimits, capabilities, no_new_privs,
   seccomp filter) is the container's. */
typedef struct ctr_exec_spec {
    const char *const *argv; /* required */
    const char *const *env;  /* NULL = PATH and HOME only */
    const char *cwd;         /* NULL = "/" */
    uid_t uid;               /* inside the container; default 0 */
    gid_t gid;
    ctr_stdio_mode stdio[3];
    int stdio_fd[3];
    int stdio_nonblock;
    int tty;
    unsigned short tty_rows, tty_cols;
    const ctr_fd *fds;
    size_t nfds;
    int direct_child; /* the process is the caller's own child (manual section 14) */
    const gid_t *groups;
    size_t ngroups;
    int set_umask;
    unsigned umask;
} ctr_exec_spec;
/* Starts spec's command in c (running): a handle of its own for ctr_wait, ctr_poll, ctr_kill,
   ctr_stdio_fd, ctr_tty_fd, ctr_destroy (which kills only it). */
CONTAINER_API int ctr_exec(ctr_container *c, const ctr_exec_spec *spec, ctr_container **out,
                           ctr_error *err);
/* ctr_run's output: malloc'ed (CONTAINER_MALLOC), NUL-terminated; free with ctr_output_free. */
typedef struct ctr_output {
    char *out;
    size_t out_len;
    char *err;
    size_t err_len;
    int out_truncated; /* more than max_output bytes came: the rest was read and dropped */
    int err_truncated;
} ctr_output;
/* Runs the spec to completion: feeds input to stdin, captures stdout and stderr (at most
   max_output bytes each, 0 = no cap), with the spec's limits and timeout.  0 once it ran (the
   result says how it ended), -1 if it could not start or the I/O failed. */
CONTAINER_API int ctr_run(const ctr_spec *spec, const void *input, size_t input_len,
                          size_t max_output, ctr_output *output, ctr_result *res, ctr_error *err);
CONTAINER_API void ctr_output_free(ctr_output *output);
/* ctr_wait_io's events. */
#define CTR_IO_STDIN    0x01u /* stdin (pipe or tty) can take a write, or its reader is gone */
#define CTR_IO_STDOUT   0x02u /* stdout (pipe or tty) has data or is at EOF */
#define CTR_IO_STDERR   0x04u /* stderr pipe has data or is at EOF */
#define CTR_IO_EXIT     0x08u /* the container has exited: ctr_poll returns 1 */
#define CTR_IO_DEADLINE 0x10u /* its timeout has passed: ctr_poll kills it */
/* Waits until one of the wanted events is there, or timeout_ms (-1: none) passes; *ready gets
   the events that are (0 on a timeout).  0, or -1 on error. */
CONTAINER_API int ctr_wait_io(ctr_container *c, unsigned want, int timeout_ms, unsigned *ready,
                              ctr_error *err);
/* write(2) to the container's stdin (pipe or tty) that never raises SIGPIPE: EPIPE instead. */
CONTAINER_API ssize_t ctr_write(ctr_container *c, const void *buf, size_t len, ctr_error *err);
/* The master of the container's pseudo-terminal (spec.tty), or -1.  Owned by the container. */
CONTAINER_API int ctr_tty_fd(const ctr_container *c);
CONTAINER_API int ctr_resize(ctr_container *c, unsigned rows, unsigned cols, ctr_error *err);
/* At most max namespaces, made on first use; root only. */
CONTAINER_API int ctr_netns_pool_create(ctr_netns_pool **out, unsigned max, ctr_error *err);
/* Frees the pool once the last container borrowing from it has been reaped. */
CONTAINER_API void ctr_netns_pool_destroy(ctr_netns_pool *pool);
/* Lifecycle (manual section 14). */
/* A wait_start container: lets its command execve; 0 once it has (on a handle of ctr_spawn), or
   once told (on a handle of ctr_attach). */
CONTAINER_API int ctr_start(ctr_container *c, ctr_error *err);
/* Frees the handle and leaves the container running (needs no_die_with_host). */
CONTAINER_API int ctr_release(ctr_container *c, ctr_error *err);
/* A running (or created) container of another process, found by its pid. */
typedef struct ctr_attach_spec {
    pid_t pid;               /* the container's first process */
    uint64_t start_time;     /* its start time (ctr_proc_start_time); 0 = not checked */
    const char *cgroup_path; /* its cgroup, as the spec's cgroup_path; NULL: none */
    const char *start_fifo;  /* created with wait_start: its FIFO, for ctr_start */
    const ctr_spec *spec;    /* the spec it was made from, for ctr_exec (NULL: no ctr_exec) */
} ctr_attach_spec;
CONTAINER_API int ctr_attach(const ctr_attach_spec *a, ctr_container **out, ctr_error *err);
/* The start time of process pid (clock ticks after boot, /proc/PID/stat), 0 if it is gone. */
CONTAINER_API uint64_t ctr_proc_start_time(pid_t pid);

/* Policy (manual section 16).  Inside on_syscall: read the caller's memory (each read is checked
   to belong to this very call), then answer once. */
CONTAINER_API int ctr_syscall_read(ctr_syscall *call, uint64_t addr, void *buf, size_t len,
                                   ctr_error *err);
/* The NUL-terminated string at args[arg] into buf (at most size - 1 bytes and a NUL). */
CONTAINER_API int ctr_syscall_read_path(ctr_syscall *call, int arg, char *buf, size_t size,
                                        ctr_error *err);
/* The calling thread's id in the container's pid namespace, -1 if it is gone. */
CONTAINER_API pid_t ctr_syscall_ns_pid(ctr_syscall *call, ctr_error *err);
/* The answers: 0, or -1 with errno (ENOENT: the call is gone; EALREADY: answered before). */
CONTAINER_API int ctr_syscall_continue(ctr_syscall *call); /* the kernel runs it: no security */
CONTAINER_API int ctr_syscall_fail(ctr_syscall *call, int error);       /* fails with errno */
CONTAINER_API int ctr_syscall_return(ctr_syscall *call, int64_t value); /* returns value */
CONTAINER_API int ctr_syscall_inject_fd(ctr_syscall *call, int fd);     /* returns a copy of fd */
/* intercept_manual: the descriptor to poll (readable: calls wait), and serving what waits,
   without blocking: the number of calls served, or -1. */
CONTAINER_API int ctr_notify_fd(const ctr_container *c);
CONTAINER_API int ctr_notify_handle(ctr_container *c, ctr_error *err);
/* The Landlock ABI version of this kernel, 0 without Landlock. */
CONTAINER_API int ctr_landlock_abi(void);

#ifdef __cplusplus
}
#endif
#endif /* CONTAINER_H */
/* ---- end src/header.h ---- */

#ifdef CONTAINER_IMPLEMENTATION
#ifndef CONTAINER_IMPLEMENTATION_INCLUDED
#define CONTAINER_IMPLEMENTATION_INCLUDED

/* ---- begin src/internal.h ---- */
/* internal.h - the implementation's one private header: feature checks, includes, config
   defaults, syscall wrappers, every private type and every function one source file gives
   another.  Each src/X.c includes it first and compiles on its own:
       cc -std=c99 -fsyntax-only -D_GNU_SOURCE -DCONTAINER_IMPLEMENTATION -Isrc src/X.c
   amalgamate.py puts it (once) at the top of the implementation half of container.h. */
#ifndef CTR__INTERNAL_H
#define CTR__INTERNAL_H

#if defined(__GLIBC__) && !defined(__USE_GNU)
/* clang-format off */
#error "container.h: define _GNU_SOURCE before any #include in the file that defines CONTAINER_IMPLEMENTATION (or include container.h first there)"
/* clang-format on */
#endif
#ifndef __linux__
#error "container.h: Linux only"
#endif

#if defined(CONTAINER_MALLOC) && !defined(CONTAINER_FREE) || \
    !defined(CONTAINER_MALLOC) && defined(CONTAINER_FREE)
#error "container.h: define both CONTAINER_MALLOC and CONTAINER_FREE, or neither"
#endif
#include <stdlib.h>
#ifndef CONTAINER_MALLOC
#define CONTAINER_MALLOC(n) malloc(n)
#define CONTAINER_FREE(p)   free(p)
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
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef CONTAINER_WITH_LIBSECCOMP
#include <seccomp.h>
#endif

#ifdef __cplusplus
#define CTR__CAST(type, x)       static_cast<type>(x)
#define CTR__PTR_TO_U64(x)       static_cast<uint64_t>(reinterpret_cast<uintptr_t>(x))
#define CTR__U64_TO_PTR(type, x) reinterpret_cast<type>(static_cast<uintptr_t>(x))
#else
#define CTR__CAST(type, x)       ((type)(x))
#define CTR__PTR_TO_U64(x)       ((uint64_t)(uintptr_t)(x))
#define CTR__U64_TO_PTR(type, x) ((type)(uintptr_t)(x))
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
#define CTR__OPEN_TREE_CLONE         1u
#define CTR__OPEN_TREE_CLOEXEC       O_CLOEXEC
#define CTR__MOVE_MOUNT_F_EMPTY_PATH 0x04u
#define CTR__MOVE_MOUNT_T_EMPTY_PATH 0x40u
#define CTR__FSOPEN_CLOEXEC          0x01u
#define CTR__FSCONFIG_SET_FLAG       0u
#define CTR__FSCONFIG_SET_STRING     1u
#define CTR__FSCONFIG_CMD_CREATE     6u
#define CTR__FSMOUNT_CLOEXEC         0x01u
#define CTR__MOUNT_ATTR_RDONLY       0x01u
#define CTR__MOUNT_ATTR_NOSUID       0x02u
#define CTR__MOUNT_ATTR_NODEV        0x04u
#define CTR__MOUNT_ATTR_NOEXEC       0x08u
#define CTR__MOUNT_ATTR_IDMAP        0x00100000u
#define CTR__FSCONFIG_SET_FLAG       0u
#define CTR__RESOLVE_NO_MAGICLINKS   0x02u
#define CTR__RESOLVE_BENEATH         0x08u
#define CTR__RESOLVE_IN_ROOT         0x10u

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
#define ctr__mount_setattr(dfd, path, flags, attr)                                             \
    ctr__sys_int(syscall(SYS_mount_setattr, (dfd), (path), CTR__CAST(unsigned, flags), (attr), \
                         sizeof(ctr__mount_attr)))

/* A classic BPF instruction (struct sock_filter) and program (struct sock_fprog). */
typedef struct ctr__bpf {
    uint16_t code;
    uint8_t jt, jf;
    uint32_t k;
} ctr__bpf;

/* Raw system calls for the code that runs between clone and execve (child.c, mount.c): that code
   runs in a copy of the host, or on its memory, and must not take a lock, allocate, or act on a
   pending thread cancellation (glibc's open, read, write and close wrappers are cancellation
   points).  syscall() only sets errno. */
#define ctr__r_close(fd) ((void)syscall(SYS_close, (fd)))
#define ctr__r_openat(dfd, path, flags, mode) \
    ctr__sys_int(syscall(SYS_openat, (dfd), (path), (flags), (mode)))
#define ctr__r_read(fd, buf, n)              syscall(SYS_read, (fd), (buf), (n))
#define ctr__r_write(fd, buf, n)             syscall(SYS_write, (fd), (buf), (n))
#define ctr__r_mkdirat(dfd, path, mode)      syscall(SYS_mkdirat, (dfd), (path), (mode))
#define ctr__r_symlinkat(target, dfd, path)  syscall(SYS_symlinkat, (target), (dfd), (path))
#define ctr__r_fchmodat(dfd, path, mode)     syscall(SYS_fchmodat, (dfd), (path), (mode))
#define ctr__r_fchmod(fd, mode)              syscall(SYS_fchmod, (fd), (mode))
#define ctr__r_fstat(fd, st)                 syscall(SYS_fstat, (fd), (st))
#define ctr__r_fstatat(dfd, path, st, flags) syscall(SYS_newfstatat, (dfd), (path), (st), (flags))
#define ctr__r_fcntl(fd, cmd, arg)           ctr__sys_int(syscall(SYS_fcntl, (fd), (cmd), (arg)))
#define ctr__r_dup3(from, to)                ctr__sys_int(syscall(SYS_dup3, (from), (to), 0))
#define ctr__r_fchdir(fd)                    syscall(SYS_fchdir, (fd))
#define ctr__r_chdir(path)                   syscall(SYS_chdir, (path))
#define ctr__r_prctl(op, a)                  syscall(SYS_prctl, (op), (a), 0, 0, 0)
/* rt_sigprocmask with every signal (glibc's wrappers leave its own 32 and 33 alone). */
#define ctr__r_sigmask(how, set, old) \
    syscall(SYS_rt_sigprocmask, (how), (set), (old), sizeof(uint64_t))

/* ---- the plan: ctr_spec validated and translated (plan.c), the only input of what follows ---- */

#define CTR__DEV_NODES 6
#define CTR__MAX_FDS   256 /* extra descriptors (ctr_spec.fds) */
#define CTR__MAX_LISTEN 64 /* listening sockets (ctr_spec.listen), placed like extra descriptors */
/* The host's device nodes a CTR_MOUNT_DEV gets, bound read-write (nodes in the /dev tmpfs). */
static const char *const ctr__dev_nodes[CTR__DEV_NODES] = {"null",   "zero",    "full",
                                                           "random", "urandom", "tty"};

/* One entry of the mount list, as the child executes it. */
typedef struct ctr__op {
    ctr_mount_type type;
    unsigned flags;          /* CTR_MOUNT_* */
    const char *src;         /* BIND: absolute host path; SYMLINK: the link's text */
    const char *dst;         /* normalised absolute path inside the container, never "/" */
    int src_is_dir;          /* BIND */
    unsigned mode;           /* DIR/FILE permission bits */
    char opt_size[24];       /* TMPFS: "size" option, "" for the kernel default */
    char opt_mode[12];       /* TMPFS: "mode" option */
    const char *const *opts; /* DEVPTS/CGROUP: fsconfig key/value pairs, NULL-terminated */
    const void *data;        /* FILE */
    size_t data_len;
    unsigned long rdev; /* CTR__OP_DEVICE */
    uid_t uid;
    gid_t gid;
} ctr__op;
/* The plan's late ops (after every mount): kinds beyond ctr_mount_type's. */
#define CTR__OP_MASK     CTR__CAST(ctr_mount_type, 100) /* hide dst: /dev/null or an empty tmpfs */
#define CTR__OP_READONLY CTR__CAST(ctr_mount_type, 101) /* bind dst on itself, read-only */
#define CTR__OP_DEVICE   CTR__CAST(ctr_mount_type, 102) /* a device node (mode, rdev, uid, gid) */

/* The plan's memory: one chain of allocations, freed together. */
typedef struct ctr__chunk {
    struct ctr__chunk *next;
} ctr__chunk;

/* What the cgroup code is asked for (validated; 0 = not limited). */
typedef struct ctr__cg_req {
    int wanted; /* a cgroup is made */
    int always; /* CTR_CGROUP_ALWAYS: every accounting controller, even without limits */
    uint64_t memory_max, memory_swap_max, pids_max;
    double cpus;
    unsigned cpu_weight, io_weight;
    const char *parent; /* spec.cgroup_parent, checked: no "." or ".." component; or NULL */
    const char *path;   /* spec.cgroup_path (checked likewise): the cgroup itself, or NULL */
    int existing;       /* ctr_attach: find the cgroup at path, make and limit nothing */
    char **settings;    /* spec.cgroup_settings, checked: file and value pairwise */
    size_t nsettings;
} ctr__cg_req;

/* Landlock's system calls and constants (landlock.c, nonet.c), the same on every architecture
   (the asm-generic numbers), for headers that do not have them yet. */
#define CTR__SYS_landlock_create_ruleset 444
#define CTR__SYS_landlock_add_rule       445
#define CTR__SYS_landlock_restrict_self  446
#define CTR__LL_CREATE_RULESET_VERSION   1u
#define CTR__LL_SCOPE_ABSTRACT_UNIX      1u /* LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (ABI 6) */

/* A Landlock rule as the child adds it (landlock.c): a path beneath which access is allowed, or
   (path NULL) a TCP port. */
typedef struct ctr__ll_rule {
    const char *path;
    uint64_t access; /* LANDLOCK_ACCESS_FS_* or _NET_* bits, within the handled ones */
    uint64_t port;
} ctr__ll_rule;

/* plan.notify_alt: which of the calls the child itself makes after installing the interception
   filter are intercepted, so that it makes another one instead (notify.c). */
#define CTR__NOTIFY_EXECVEAT 0x1u /* execve is: the command is started with execveat */
#define CTR__NOTIFY_PWRITEV2 0x2u /* write is: an exec failure is reported with pwritev2 */
/* The network part of the plan (net.c). */
#define CTR__OP_PRIVATE 0x100u /* ctr__op.flags: a FILE made in a tmpfs of its own, bound on dst */
typedef struct ctr__listen {
    struct sockaddr_storage addr; /* to bind; unused with fd */
    socklen_t addr_len;
    int udp;
    int fd;        /* the caller's socket, or -1: bind addr */
    char desc[80]; /* "tcp 127.0.0.1:8080", for messages */
} ctr__listen;

typedef struct ctr__net_plan {
    ctr_net_mode mode;
    ctr__listen *listen; /* the sockets for LISTEN_FDS, at fds 3, 4... */
    size_t nlisten;
    /* CTR_NET_BRIDGE */
    const char *bridge;
    unsigned char addr4[4], gw4[4];
    int prefix4;
    int have6;
    unsigned char addr6[16], gw6[16];
    int prefix6;
    /* CTR_NET_PASTA: what the keeper execs */
    const char *pasta_path;
    char **pasta_argv;
    /* /etc/resolv.conf and /etc/hosts for the container (bridge, pasta), or NULL */
    char *resolv, *hosts;
} ctr__net_plan;

typedef struct ctr__plan {
    ctr__chunk *chunks;        /* every allocation below, freed by ctr__plan_free */
    unsigned long clone_flags; /* CLONE_NEW* only */
    int userns;                /* write uid_map/gid_map from the child */
    char uid_map[48], gid_map[48];
    int set_ids; /* root without user namespace: setgroups/setresgid/setresuid */
    int join;    /* ctr_exec: the namespaces and root are the container's (joined by the shim) */
    uid_t uid;
    gid_t gid;
    int timens;
    char timens_offsets[96];
    const char *hostname;       /* NULL: leave it */
    int net_lo;                 /* bring lo up in a new network namespace */
    ctr_netns_pool *netns_pool; /* borrow the network namespace from here (checked safe) */
    const char *rootfs;         /* canonical host path, or NULL for a tmpfs root */
    const char *attach_at;      /* host directory the new root is mounted on before pivot_root */
    int readonly_root;
    ctr__op *ops;
    size_t nops;
    char **argv;
    char **envp;
    char **exec_paths; /* candidates for argv[0], in PATH order */
    size_t nexec;
    const char *cwd;
    ctr_stdio_mode stdio[3];
    int stdio_fd[3];    /* CTR_STDIO_FD: the caller's descriptor */
    int stdio_nonblock; /* the host ends of the pipes are O_NONBLOCK */
    int tty;            /* a pseudo-terminal on 0, 1, 2 (made in the container's devpts) */
    unsigned short tty_rows, tty_cols;
    ctr_fd *fds; /* extra descriptors */
    size_t nfds;
    int init;
    int die_with_host;
    int64_t timeout_ns; /* 0: none */
    ctr__cg_req cg;
    int cgroupns;        /* unshare the cgroup namespace once in the container's cgroup */
    ctr_rlimit *rlimits; /* applied with prlimit before the uid change */
    size_t nrlimits;
    uint64_t caps_keep;    /* bounding set; uid 0 keeps these */
    uint64_t caps_ambient; /* what a uid other than 0 keeps (caps_exact: the ambient set) */
    int caps_exact;        /* spec.set_caps: these sets as given, for any uid */
    uint64_t caps_eff, caps_prm, caps_inh;
    int last_cap;
    int nnp;               /* set no_new_privs */
    int masks;             /* mask /proc and /sys paths */
    char shm_size_opt[24]; /* the /dev/shm tmpfs's size option, in bytes */
    ctr__bpf *bpf;         /* the seccomp filter, NULL for none */
    size_t bpf_len;
    /* Policy (notify.c, landlock.c) */
    ctr__bpf *notify_bpf; /* the interception filter (SECCOMP_RET_USER_NOTIF), NULL for none */
    size_t notify_bpf_len;
    uint64_t notify_cookie; /* exempts the child's own last calls: see notify.c */
    unsigned notify_alt;    /* CTR__NOTIFY_*: the child's own calls that are intercepted */
    ctr_syscall_fn on_syscall;
    void *on_syscall_user;
    int intercept_manual;
    ctr__ll_rule *ll_rules; /* Landlock rules, opened in the child */
    size_t nll;
    uint64_t ll_fs, ll_net, ll_scope; /* handled file and TCP rights, scopes; all 0: no Landlock */
    /* layers.c: the root as an overlay of read-only lowers and an upper */
    int layer;          /* the root is an overlay */
    int layer_try_bind; /* readonly_root over one rootfs: bind it when every target exists */
    char **lowers;      /* canonical host paths, top first */
    size_t nlowers;
    const char *upper;       /* a persistent upper (canonical), NULL for a tmpfs */
    const char *workdir;     /* the overlay's work directory next to upper, made at spawn */
    char upper_size_opt[24]; /* the tmpfs upper's size option, "" for the kernel's default */
    /* userns.c: maps written from outside (a helper process), idmapped mounts */
    int map_helper; /* 0: the child maps itself; 1: root writes the maps; 2: newuidmap */
    char *uid_map_text, *gid_map_text; /* map_helper 1: "inside outside count\n"... */
    char **uidmap_argv, **gidmap_argv; /* map_helper 2: newuidmap/newgidmap PID... (PID at [1]) */
    const char *newuidmap, *newgidmap; /* their paths */
    int idmap; /* present the root, layers and binds through idmapped mounts */
    /* nonet.c: spec.no_network */
    int no_network;
    ctr__net_plan net; /* networking (net.c) */
    /* manual section 14 (lifecycle.c builds these) */
    int direct;             /* no shim: the command is the caller's child (exit signal SIGCHLD) */
    int wait_start;         /* wait on the start fd before the final seccomp and execve */
    const char *start_fifo; /* made by ctr_spawn, removed if it fails */
    ctr_ns_path *ns_paths;  /* namespaces to join (the child: all but pid; pid: the shim) */
    size_t nns_paths;
    unsigned long join_pid; /* CLONE_NEWPID when a pid namespace is joined (through a shim) */
    gid_t *groups;          /* supplementary groups (set_ids) */
    size_t ngroups;
    int set_umask;
    unsigned umask;
    int set_oom;
    char oom[16];        /* oom_score_adj, as written */
    char **sysctl_paths; /* /proc/sys/... and the value to write, pairwise */
    size_t nsysctls;
    unsigned root_propagation; /* spec.rootfs_propagation, after pivot_root */
    ctr__op *late_ops;         /* masks, read-only paths and devices, after every mount */
    size_t nlate;
} ctr__plan;

/* plan.c */
static int ctr__plan_build(ctr__plan *p, const ctr_spec *spec, ctr_error *err);
static int ctr__plan_exec(ctr__plan *p, const ctr__plan *base, const ctr_exec_spec *x,
                          ctr_error *err);
static void ctr__plan_free(ctr__plan *p);
/* util.c: the plan's allocator (zeroed memory, freed by ctr__plan_free) */
static void *ctr__alloc(ctr__plan *p, size_t n);
static char *ctr__strdup(ctr__plan *p, const char *s);
static char *ctr__normalize(ctr__plan *p, const char *path); /* "/a//b/../c" -> "/a/c" */
/* security.c: capability sets and the seccomp filter, into the plan */
static int ctr__plan_security(ctr__plan *p, const ctr_spec *s, ctr_error *err);
/* security.c: the interception filter for the syscalls nrs[0..n) (at most CTR__NOTIFY_MAX),
   the child's own calls carrying cookie exempted; f holds CTR__BPF_NOTIFY_LEN(n) instructions */
#define CTR__NOTIFY_MAX        512
#define CTR__BPF_NOTIFY_LEN(n) (8 + 7 * (n))
static size_t ctr__bpf_notify(ctr__bpf *f, const long *nrs, size_t n, uint64_t cookie);
/* notify.c and landlock.c: spec.intercept... and spec.landlock... into the plan */
static int ctr__plan_notify(ctr__plan *p, const ctr_spec *s, ctr_error *err);
static int ctr__plan_landlock(ctr__plan *p, const ctr_spec *s, ctr_error *err);
/* net.c: the spec's network fields into p->net, the LISTEN_* variables into p->envp */
static int ctr__plan_net(ctr__plan *p, const ctr_spec *s, ctr_error *err);

/* ---- cgroups (cgroup.c; one backend per host: cgroup2.c or cgroup1.c) ---- */

enum {
    CTR__V1_MEMORY,
    CTR__V1_PIDS,
    CTR__V1_CPU,
    CTR__V1_CPUACCT,
    CTR__V1_FREEZER,
    CTR__V1_BLKIO,
    CTR__V1_CPUSET, /* these only for spec.cgroup_settings */
    CTR__V1_HUGETLB,
    CTR__V1_NET_CLS,
    CTR__V1_NET_PRIO,
    CTR__V1_DEVICES,
    CTR__V1_N
};
#define CTR__CG_MAX_DIRS CTR__V1_N /* directories one container's cgroup may have */
#define CTR__CG_ROOT     "/sys/fs/cgroup"
#define CTR__CG_SUBTREE  "container.h"

typedef struct ctr__cg_backend ctr__cg_backend;

/* A container's cgroup: version 0 means none. */
typedef struct ctr__cgroup {
    const ctr__cg_backend *be; /* NULL: none */
    char *dir;                 /* v2: the cgroup directory */
    int dirfd;                 /* v2: O_PATH fd of dir, for CLONE_INTO_CGROUP */
    char *v1[CTR__V1_N];       /* v1: the directory per controller, NULL if unused */
} ctr__cgroup;

/* The interface each backend implements; nothing outside cgroup1.c and cgroup2.c knows which
   one runs. */
struct ctr__cg_backend {
    int version;
    /* The vfork-style clone may be used (clone.c; cgroup v1 takes the fork-style one). */
    int vm_clone;
    /* The request is possible on this host at all (checked while the plan is built). */
    int (*check)(const ctr__cg_req *req, ctr_error *err);
    /* Makes and configures the cgroup; on failure the caller's ctr__cg_destroy removes what was made. */
    int (*create)(ctr__cgroup *cg, const ctr__cg_req *req, ctr_error *err);
    /* The fd for clone3's CLONE_INTO_CGROUP, or -1 when the child must move itself. */
    int (*clone_into)(const ctr__cgroup *cg);
    /* Opens the cgroup.procs files the child writes "0" into to move itself (close-on-exec,
       above 2): fills fds[0..n), returns n or -1. */
    int (*procs_fds)(const ctr__cgroup *cg, int *fds, int max, ctr_error *err);
    int (*populated)(const ctr__cgroup *cg);
    int (*freeze)(const ctr__cgroup *cg, int on, ctr_error *err);
    int (*frozen)(const ctr__cgroup *cg);
    void (*kill)(const ctr__cgroup *cg);
    /* Removes the (empty) cgroup's directories. */
    void (*remove)(const ctr__cgroup *cg);
    void (*result)(const ctr__cgroup *cg, ctr_result *r);
    void (*stats)(const ctr__cgroup *cg, ctr_usage *u);
    const char *(*path)(const ctr__cgroup *cg);
};

/* cgroup.c */
static const ctr__cg_backend *ctr__cg_host(ctr_error *err); /* this host's, detected once */
static void ctr__cg_init(ctr__cgroup *cg);
static int ctr__cg_create(ctr__cgroup *cg, const ctr__cg_req *req, ctr_error *err);
static void ctr__cg_destroy(ctr__cgroup *cg);
/* cgfs.c */
static int ctr__cg_put(const char *dir, const char *file, const char *val);
static int ctr__cg_set(const char *dir, const char *file, const char *val, ctr_error *err);
static ssize_t ctr__cg_get(const char *dir, const char *file, char *buf, size_t size);
static uint64_t ctr__cg_get_u64(const char *dir, const char *file, uint64_t dflt);
static uint64_t ctr__cg_get_key(const char *dir, const char *file, const char *key);
static void ctr__cg_name(char *name, size_t size);
static char *ctr__cg_mkdir_container(const char *parent, const char *name, int slot,
                                     ctr_error *err);
static int ctr__cg_mkdir_p(const char *dir, ctr_error *err);
static int ctr__cg_mkdir_all(const char *dir, ctr_error *err);
static int ctr__cg_kill_listed(const char *dir);
static int ctr__cg_open_procs(const char *dir, ctr_error *err);
static int ctr__statfs_type(const char *path, long *type);
static const ctr__cg_backend *ctr__cg2(void); /* cgroup2.c */
static const ctr__cg_backend *ctr__cg1(void); /* cgroup1.c */

/* ---- the launch: one spawn's descriptors, made by the parent before the clone ---- */

typedef struct ctr__launch {
    const ctr__plan *plan;
    unsigned long clone_flags; /* the plan's, without CLONE_NEWNET when the pool lent one */
    int net_lo;                /* bring lo up (a network namespace of its own) */
    int errfd;                 /* write end of the error pipe (close-on-exec) */
    int statusfd;              /* init: write end of the status pipe, else -1 */
    int stdio_src[3];          /* fd to become 0/1/2, or -1 to inherit (or a CTR_STDIO_PIPE) */
    int xferfd;   /* socket the child sends the host ends of its stdio pipes over, or -1 */
    int hostfd;   /* pidfd of the host process (the child checks it lives), or -1 */
    int netns_fd; /* a pooled (or no_network's shared) network namespace to enter, or -1 */
    int cg_procs[CTR__CG_MAX_DIRS]; /* cgroup.procs files to write "0" into, or -1 */
    int *mnt_fds;                   /* plan->nops * CTR__DEV_NODES slots the child fills */
    int notify_armed; /* set in the child's own copy once the interception filter is in place */
    /* for the shim (shim.c), which clones the command */
    int cgroup_fd;            /* CLONE_INTO_CGROUP, or -1 (then cg_procs, if any) */
    char *cmd_stack;          /* the command's stack for a vfork-style clone, or NULL */
    int join_pidfd;           /* ctr_exec: the container process whose namespaces to join, or -1 */
    unsigned long join_flags; /* CLONE_NEW* to join */
    /* userns.c: a socket over which the child receives the helper's pidfd and the idmapped
       mounts the parent made (SCM_RIGHTS), sends its pid to the helper and gets its verdict */
    int nssock;  /* or -1 */
    int *ns_fds; /* ns_nfds slots: the helper's pidfd (or -1), then the premade mounts */
    int ns_nfds;
    int *op_pre;    /* per op: index into ns_fds of its premade bind, or -1 (NULL: none) */
    int root_pre;   /* index of the premade rootfs bind, or -1 */
    int *lower_pre; /* per lower: index of its premade mount, or NULL */
    int upper_pre;  /* index of the premade mount of upper's parent directory, or -1 */
    /* networking (net.c) */
    const ctr_fd *fds; /* the extra descriptors to place: spec.fds and the listening sockets */
    size_t nfds;
    char *listen_pid; /* the digits of LISTEN_PID= in the plan's envp: the command writes its pid */
    int net_sock;     /* bridge, pasta: the child's end of the socket to the network's other
                         side (the host's thread, or pasta's keeper), or -1 */
    int startfd;              /* wait_start: the child reads one byte here before its execve */
    int *join_ns_fds;          /* the plan's ns_paths, opened (the child joins them) */
} ctr__launch;

/* What init or the shim sends the host over the status pipe: STARTED once the command has
   exec'd (status: its host pid), or ERROR with the reason it could not; EXIT with the command's
   wait status when it ends.  Fixed size, under PIPE_BUF, so each arrives whole. */
enum { CTR__MSG_STARTED = 1, CTR__MSG_ERROR, CTR__MSG_EXIT };
typedef struct ctr__status_msg {
    int kind;
    int status;
    ctr_error err;
} ctr__status_msg;

/* child.c: the child's entry point (a ctr__launch *; never returns) and what the netns pool
   shares with it */
static void ctr__child_main(void *launch);
static void ctr__c_die_with_host(const ctr__launch *l, int sig);
static void ctr__c_send_fd(const ctr__launch *l, char tag, int fd);
static int ctr__lo_up(void);
static int ctr__c_close_except(int *keep, int n);
/* util.c: reports a failed step to the parent over l->errfd and exits; the message is a b c d
   joined (raw system calls only: for child.c and mount.c) */
static void ctr__c_die(const ctr__launch *l, ctr_step step, int e, const char *path, const char *a,
                       const char *b, const char *c, const char *d);
static void ctr__c_exit(int code);
/* mount.c: builds the new root from the plan's ops and enters it (pivot_root) */
static void ctr__c_setup_root(const ctr__launch *l);
/* notify.c: installs the interception filter and passes its listener to the host (child side;
   sets l->notify_armed) */
static void ctr__c_notify(ctr__launch *l);
/* landlock.c: the ruleset with the plan's rules, paths resolved in the new root (-1: none), and
   enforcing it on the calling process (closes fd) */
static int ctr__c_landlock_prepare(const ctr__launch *l);
static void ctr__c_landlock_restrict(const ctr__launch *l, int fd);

/* clone.c */
#define CTR__STACK_SIZE  (256u * 1024u) /* the stack of a child's setup */
#define CTR__SHIM_STACK  (64u * 1024u)  /* the stack of a shim (shim.c) */
#define CTR__STACK_GUARD 4096u          /* the guard page below each */
#define CTR__CLONE_VM    1u             /* on the host's memory, like vfork (where possible) */
#define CTR__CLONE_WAIT  2u /* CLONE_VFORK: return once the child has exec'd or exited */
static long ctr__clone(ctr__clone_args *a, unsigned how, void (*fn)(void *), void *arg);
static long ctr__clone_on(ctr__clone_args *a, char *stack, size_t size, void (*fn)(void *),
                          void *arg);
static int ctr__vm_clone_possible(void);
static int ctr__have_clone3(void);
static char *ctr__stack_alloc(size_t size);
static void ctr__stack_free(char *stack, size_t size);
static void ctr__dump_enter(void);
static void ctr__dump_leave(void);
static int ctr__host_dumpable(void);

/* ---- notify.c: serving the intercepted calls in the host ---- */
typedef struct ctr__notifier ctr__notifier;
/* Takes the listener fd (closed on failure too); starts the serving thread unless manual. */
static int ctr__notify_start(ctr__notifier **out, const ctr__plan *p, int fd, ctr_error *err);
static void ctr__notify_stop(ctr__notifier *n); /* no callback starts after it */
static void ctr__notify_free(ctr__notifier *n); /* never waits for a running callback */
static int ctr__notify_fd(const ctr__notifier *n);
static int ctr__notify_handle(ctr__notifier *n, ctr_error *err);
/* ---- layers.c: overlay roots ---- */
/* What a container with a persistent upper holds on the host: the upper's lock, the work dir. */
typedef struct ctr__layers {
    int lockfd;    /* flock'ed upper directory, or -1 */
    char *workdir; /* made by ctr__layers_prepare, removed by ctr__layers_release; or NULL */
} ctr__layers;
static int ctr__plan_layers(ctr__plan *p, const ctr_spec *spec, ctr_error *err);
static void ctr__layers_init(ctr__layers *ly);
static int ctr__layers_prepare(ctr__layers *ly, const ctr__plan *p, ctr_error *err);
static void ctr__layers_release(ctr__layers *ly);
/* child: the overlay root as a detached mount (the scratch tmpfs attached at attach_at) */
static int ctr__c_layer_root(const ctr__launch *l);
static void ctr__c_utoa(char *out, unsigned long v);

/* ---- userns.c: id maps from outside, idmapped mounts, user namespace diagnosis ---- */
typedef struct ctr__ns_host {
    int helper_pidfd; /* the map helper, killed and reaped after the clone; or -1 */
    int sock;         /* the parent's end of the launch's nssock, or -1 */
} ctr__ns_host;
static int ctr__plan_userns(ctr__plan *p, const ctr_spec *spec, ctr_error *err);
static void ctr__ns_init(ctr__ns_host *h);
static int ctr__ns_prepare(ctr__ns_host *h, ctr__plan *p, ctr__launch *l, ctr_error *err);
static void ctr__ns_finish(ctr__ns_host *h);
static void ctr__userns_explain(const ctr__plan *p, ctr_error *err);
static void ctr__c_ns_receive(const ctr__launch *l);
static void ctr__c_ns_maps(const ctr__launch *l);
static int ctr__c_pre_fd(const ctr__launch *l, int index);

/* ---- nonet.c: spec.no_network ---- */
static int ctr__plan_no_network(ctr__plan *p, const ctr_spec *spec, ctr_error *err);
static void ctr__c_nonet(const ctr__launch *l);

/* shim.c: the container's parent (a ctr__launch *; never returns) */
static void ctr__shim_main(void *launch);

/* ---- the handle (spawn.c; io.c reads and writes its streams) ---- */

struct ctr_container {
    pid_t pid;        /* the container's first process (the command, or init) */
    int pidfd;        /* our child: the shim (shim.c), or init; -1 when the kernel has no pidfds */
    pid_t child_pid;  /* its pid */
    int cmd_pidfd;    /* the command's pidfd: signals (but with init), ctr_exec joins it */
    int statusfd;     /* read end of the status pipe (STARTED, EXIT) */
    char *shim_stack; /* the shim's stack on our memory, freed once it is reaped */
    int stdio[3];     /* host ends of CTR_STDIO_PIPE streams */
    int tty;          /* the pty's master (spec.tty), or -1 */
    int reaped;
    ctr_result result;
    int64_t start_ns;
    int64_t deadline_ns; /* 0: no timeout */
    ctr__cgroup cg;
    ctr_netns_pool *netns_pool; /* the pool lending this container its network namespace */
    int netns_slot;
    ctr__layers layers; /* a persistent upper's lock and work directory (layers.c) */
    int nonet;          /* holds a reference to no_network's shared namespace (netns.c) */
    int cancel_state; /* the caller's, while in ctr_wait (see ctr__wait_pidfd) */
    ctr__plan plan;   /* kept for ctr_exec: capabilities, filter, rlimits, ids */
    int net_pidfd;    /* pasta: the network keeper (net.c), our child, or -1 */
    int startfd;      /* wait_start: written to by ctr_start; -1 once started */
    int execfd;       /* wait_start: EOF once the command has exec'd, or its error record */
    int attached;     /* made by ctr_attach: the container is another process's */
    ctr__notifier *notify; /* serves the intercepted calls (notify.c), or NULL */
};

/* spawn.c */
static int ctr__reap(ctr_container *c, int nohang, ctr_error *err);
static int ctr__expire(ctr_container *c, ctr_error *err);
static ctr_container *ctr__container_new(void);
static void ctr__container_free(ctr_container *c);
static int ctr__signal(ctr_container *c, int sig);

/* lifecycle.c: section 14's spec fields into the plan (plan.c calls it), and the launch's part of
   them (spawn.c): the namespaces to join opened, the start FIFO made */
static int ctr__plan_lifecycle(ctr__plan *p, const ctr_spec *s, ctr_error *err);
static int ctr__open_ns_paths(const ctr__plan *p, int *fds, ctr_error *err);
static int ctr__make_start_fifo(const ctr__plan *p, int *fd, ctr_error *err);
/* attach.c: ctr_start, ctr_release, ctr_attach (nothing calls into it) */

/* ---- netns.c ---- */
static int ctr__netns_acquire(ctr_netns_pool *pool, int *fd, ctr_error *err);
static int ctr__netns_shared(ctr_error *err); /* spec.no_network's namespace: a reference */
static void ctr__netns_shared_put(void);
static void ctr__netns_release(ctr_netns_pool *pool, int slot);
/* A new network namespace (its fd), with lo up or (lo 0) down. */
static int ctr__netns_make(int lo, ctr_error *err);

/* ---- net.c: the spawn's network (after the plan: sockets, bridge, pasta's keeper) ---- */
typedef struct ctr__net_run {
    int *listen_fds; /* the bound sockets (ours to close), -1 for the caller's own */
    size_t nlisten;
    ctr_fd *fds; /* the launch's extra descriptors */
    int sock[2]; /* bridge: ours, the child's; pasta: the keeper's, the child's */
    int devnull;
} ctr__net_run;
static void ctr__net_init(ctr__net_run *n);
/* Binds the sockets, makes the socket to the child; fills the launch's fields. */
static int ctr__net_open(ctr__plan *p, ctr__net_run *n, ctr__launch *l, ctr_error *err);
/* Bridge, after the clone (the child's report pipe, status pipe and our child's pidfd tell if it
   failed first): makes and configures eth0 in the child's namespace, and tells the child. */
static void ctr__net_attach(const ctr__plan *p, ctr__net_run *n, int errfd, int statusfd,
                            int pidfd);
/* pasta: starts the keeper (c->net_pidfd) that runs pasta once the child has its namespaces. */
static int ctr__net_keeper(ctr_container *c, ctr__plan *p, ctr__net_run *n, ctr_error *err);
static void ctr__net_close(ctr__net_run *n);
/* Reaps the keeper (blocking unless nohang): 1 once it is gone or there is none. */
static int ctr__net_reap(ctr_container *c, int nohang);

/* ---- util.c ---- */
static void ctr__strlcpy(char *dst, const char *src, size_t size);
static size_t ctr__append(char *buf, size_t size, size_t len, const char *s);
static void ctr__finish_msg(ctr_error *err);
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int
ctr__fail(ctr_error *err, ctr_step step, int e, const char *path, const char *fmt, ...);
static void ctr__clear_error(ctr_error *err);
static void ctr__close(int *fd);
static int ctr__lift(int *fd);
static int ctr__pipe(int fds[2]);
static int ctr__join(char *out, size_t size, const char *a, const char *sep, const char *b);
static char *ctr__pathdup(const char *a, const char *b);
static int64_t ctr__now_ns(void);
static void ctr__sleep_ms(long ms);
/* No library call acts on a thread cancellation request: each public function that makes
   system calls runs between these two (see the manual, section "Threads"). */
static int ctr__nocancel_begin(void);
static void ctr__nocancel_end(int old);
/* Descriptors over a unix socket: a one-byte record (the tag) with SCM_RIGHTS.  ctr__fdmsg fills
   *msg for sendmsg with the n descriptors of fds, or (fds NULL) for recvmsg with room for n; cm
   is CTR__FDMSG_SPACE(n) bytes aligned as a cmsghdr.  ctr__fdmsg_fds copies at most max of those
   a received *msg holds into fds and returns how many.  They only fill memory (for the child). */
#define CTR__FDMSG_SPACE(n) CMSG_SPACE((n) * sizeof(int))
static void ctr__fdmsg(struct msghdr *msg, struct iovec *iov, char *tag, void *cm, int n,
                       const int *fds);
static int ctr__fdmsg_fds(struct msghdr *msg, int *fds, int max);

#endif /* CTR__INTERNAL_H */
/* ---- end src/internal.h ---- */
/* ---- begin src/util.c ---- */
/* util.c - helpers for the parent side: errors, descriptors, paths, time, the plan's allocator.
   ctr__fail is for the parent (it may format with snprintf); the child has its own
   allocation-free builder (ctr__c_die), and the parent completes that message on arrival. */

static const char *const ctr__step_names[] = {
#define CTR__STEP_STR(name, str) str,
    CTR__STEPS(CTR__STEP_STR)
#undef CTR__STEP_STR
};

CONTAINER_API const char *ctr_step_name(ctr_step step) {
    if (CTR__CAST(unsigned, step) >= CTR__CAST(unsigned, CTR_STEP_COUNT)) return "unknown";
    return ctr__step_names[step];
}

/* Bounded copy that always terminates (strlcpy without the return value). */
static void ctr__strlcpy(char *dst, const char *src, size_t size) {
    size_t n = 0;
    if (size == 0) return;
    if (src)
        for (; n + 1 < size && src[n]; n++) dst[n] = src[n];
    dst[n] = '\0';
}

static const char *ctr__strerror(int e, char *buf, size_t size) {
#if defined(__GLIBC__)
    return strerror_r(e, buf, size); /* the GNU variant: returns the string */
#else
    if (strerror_r(e, buf, size) != 0) snprintf(buf, size, "errno %d", e);
    return buf;
#endif
}

/* A likely cause for common failures, or NULL. */
static const char *ctr__hint(ctr_step step, int e) {
    if (e == ENOSYS)
        return "this kernel lacks a needed system call: container.h needs Linux 5.12 or newer";
    if (step == CTR_STEP_CLONE && (e == EPERM || e == ENOSPC || e == EUSERS))
        return "creating namespaces was refused: run as root, or enable unprivileged user "
               "namespaces "
               "(sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone, "
               "kernel.apparmor_restrict_unprivileged_userns)";
    if (step == CTR_STEP_CGROUP && (e == EACCES || e == EPERM || e == EROFS))
        return "cgroup limits need root, a cgroup delegated to this user, or cgroup_parent set to "
               "a cgroup "
               "this user owns";
    if (step == CTR_STEP_USERNS && e == EPERM)
        return "only the caller's own uid and gid can be mapped without root";
    return NULL;
}

/* Appends s to buf (holding len bytes), truncating; returns the new length.  Pure, so the child
   uses it too. */
static size_t ctr__append(char *buf, size_t size, size_t len, const char *s) {
    while (s && *s && len + 1 < size) buf[len++] = *s++;
    buf[len] = '\0';
    return len;
}

/* Appends ": <strerror>" (and a hint) to an error whose msg holds the action.  The message is one
   line whatever the spec held: a control character it quotes (a newline in a path) becomes '?'
   (err->path keeps the bytes). */
static void ctr__finish_msg(ctr_error *err) {
    char ebuf[128], *c;
    const char *hint;
    size_t n;
    for (c = err->msg; *c; c++)
        if (CTR__CAST(unsigned char, *c) < 0x20 || *c == 0x7f) *c = '?';
    if (err->sys_errno == 0) return;
    hint = ctr__hint(err->step, err->sys_errno);
    n = strlen(err->msg);
    n = ctr__append(err->msg, sizeof(err->msg), n, ": ");
    n = ctr__append(err->msg, sizeof(err->msg), n,
                    ctr__strerror(err->sys_errno, ebuf, sizeof(ebuf)));
    if (hint) {
        n = ctr__append(err->msg, sizeof(err->msg), n, " (hint: ");
        n = ctr__append(err->msg, sizeof(err->msg), n, hint);
        ctr__append(err->msg, sizeof(err->msg), n, ")");
    }
}

/* The child's end of the error report (child.c and mount.c; the rules of child.c apply: raw
   system calls only). */
static void ctr__c_exit(int code) {
    for (;;) syscall(SYS_exit_group, code);
}

/* One report to the host.  Once the interception filter is in place (notify.c), the call must
   not wait for the host: with write intercepted it is a pwritev2 whose offset's high word (which
   the kernel ignores on 64-bit: the offset is -1, "the current position") carries the cookie. */
static long ctr__c_report(const ctr__launch *l, int fd, void *buf, size_t len) {
    struct iovec iov;
    if (!l->notify_armed || !(l->plan->notify_alt & CTR__NOTIFY_PWRITEV2))
        return ctr__r_write(fd, buf, len);
    iov.iov_base = buf;
    iov.iov_len = len;
    return syscall(SYS_pwritev2, fd, &iov, 1, ~CTR__CAST(uint64_t, 0), l->plan->notify_cookie, 0);
}

/* Reports a failed step to the parent (one atomic write of a ctr_error; the parent appends the
   errno text) and exits.  The message is the concatenation of a, b, c, d.  Without an error pipe
   (the command started by init) the report goes over the status pipe as a CTR__MSG_ERROR. */
static void ctr__c_die(const ctr__launch *l, ctr_step step, int e, const char *path, const char *a,
                       const char *b, const char *c, const char *d) {
    ctr__status_msg m;
    size_t n = 0;
    long w;
    memset(&m, 0, sizeof(m));
    m.kind = CTR__MSG_ERROR;
    m.err.step = step;
    m.err.sys_errno = e;
    ctr__append(m.err.path, sizeof(m.err.path), 0, path);
    n = ctr__append(m.err.msg, sizeof(m.err.msg), n, a);
    n = ctr__append(m.err.msg, sizeof(m.err.msg), n, b);
    n = ctr__append(m.err.msg, sizeof(m.err.msg), n, c);
    ctr__append(m.err.msg, sizeof(m.err.msg), n, d);
    do {
        if (l->errfd >= 0)
            w = ctr__c_report(l, l->errfd, &m.err, sizeof(m.err));
        else
            w = ctr__c_report(l, l->statusfd, &m, sizeof(m));
    } while (w < 0 && errno == EINTR);
    if (w < 0 && errno == EPIPE && l->plan->wait_start) {
        /* started by another process, and nobody reads the exec pipe: the container's stderr */
        char line[sizeof(m.err.msg) + 24], num[12];
        size_t k = 0, len;
        int v = e;
        do num[k++] = CTR__CAST(char, '0' + v % 10);
        while ((v /= 10) > 0 && k < sizeof(num));
        len = ctr__append(line, sizeof(line), 0, m.err.msg);
        len = ctr__append(line, sizeof(line), len, " (errno ");
        while (k > 0 && len + 3 < sizeof(line)) line[len++] = num[--k];
        line[len] = '\0';
        len = ctr__append(line, sizeof(line), len, ")\n");
        (void)ctr__c_report(l, 2, line, len);
    }
    if (l->notify_armed) /* the status is an int: the cookie rides in the upper half */
        for (;;)
            syscall(SYS_exit_group,
                    CTR__CAST(uint64_t, 127) | (l->plan->notify_cookie >> 32 << 32));
    ctr__c_exit(127);
}

/* Parent-side failure: fills *err (if any) and returns -1.  The action is a printf format. */
static int ctr__fail(ctr_error *err, ctr_step step, int e, const char *path, const char *fmt, ...) {
    va_list ap;
    if (!err) return -1;
    err->step = step;
    err->sys_errno = e;
    ctr__strlcpy(err->path, path ? path : "", sizeof(err->path));
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    ctr__finish_msg(err);
    return -1;
}

static void ctr__clear_error(ctr_error *err) {
    if (!err) return;
    err->step = CTR_STEP_NONE;
    err->sys_errno = 0;
    err->path[0] = '\0';
    err->msg[0] = '\0';
}

static void ctr__fdmsg(struct msghdr *msg, struct iovec *iov, char *tag, void *cm, int n,
                       const int *fds) {
    struct cmsghdr *c;
    size_t len = CTR__CAST(size_t, n) * sizeof(int);
    memset(msg, 0, sizeof(*msg));
    memset(cm, 0, CMSG_SPACE(len));
    iov->iov_base = tag;
    iov->iov_len = 1;
    msg->msg_iov = iov;
    msg->msg_iovlen = 1;
    msg->msg_control = cm;
    msg->msg_controllen = CMSG_SPACE(len);
    if (!fds) return;
    c = CMSG_FIRSTHDR(msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(len);
    memcpy(CMSG_DATA(c), fds, len);
}

static int ctr__fdmsg_fds(struct msghdr *msg, int *fds, int max) {
    struct cmsghdr *c;
    int n = 0;
    for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            n = CTR__CAST(int, (c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            if (n > max) n = max;
            memcpy(fds, CMSG_DATA(c), CTR__CAST(size_t, n) * sizeof(int));
        }
    return n;
}

/* Closes *fd if open and marks it closed; keeps errno. */
static void ctr__close(int *fd) {
    if (*fd >= 0) {
        int saved = errno;
        /* errno is put back only if close changed it: a vfork-style child (clone.c) shares the
           calling thread's errno while it sets up, and a write of the old value here, between
           one of its system calls and its look at errno, would undo its own. */
        if (close(*fd) != 0) errno = saved;
        *fd = -1;
    }
}

/* Moves a new fd of ours off 0..2: when the caller has stdin/stdout/stderr closed, pipe2 and
   open return those numbers, and the child would then take our pipe for an inherited stream. */
static int ctr__lift(int *fd) {
    int hi;
    if (*fd < 0 || *fd > 2) return 0;
    if ((hi = fcntl(*fd, F_DUPFD_CLOEXEC, 3)) < 0) return -1;
    ctr__close(fd);
    *fd = hi;
    return 0;
}

/* A close-on-exec pipe with both ends above 2. */
static int ctr__pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    if (ctr__lift(&fds[0]) == 0 && ctr__lift(&fds[1]) == 0) return 0;
    ctr__close(&fds[0]);
    ctr__close(&fds[1]);
    return -1;
}

/* out = a sep b; -1 with ENAMETOOLONG if it does not fit. */
static int ctr__join(char *out, size_t size, const char *a, const char *sep, const char *b) {
    int n = snprintf(out, size, "%s%s%s", a, sep, b);
    if (n < 0 || CTR__CAST(size_t, n) >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* a "/" b (or a copy of a when b is NULL), allocated with CONTAINER_MALLOC. */
static char *ctr__pathdup(const char *a, const char *b) {
    size_t la = strlen(a), lb = b ? strlen(b) : 0;
    char *s = CTR__CAST(char *, CONTAINER_MALLOC(la + lb + 2));
    if (!s) return NULL;
    memcpy(s, a, la);
    if (b) {
        s[la] = '/';
        memcpy(s + la + 1, b, lb + 1);
    } else {
        s[la] = '\0';
    }
    return s;
}

static int64_t ctr__now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return CTR__CAST(int64_t, ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

static void ctr__sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static int ctr__nocancel_begin(void) {
    int old = PTHREAD_CANCEL_ENABLE;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    return old;
}

static void ctr__nocancel_end(int old) {
    int ignored;
    pthread_setcancelstate(old, &ignored);
}

/* The plan's allocator: one malloc per allocation, chained for ctr__plan_free; the header keeps
   max alignment; the memory is zeroed. */
static void *ctr__alloc(ctr__plan *p, size_t n) {
    size_t head = (sizeof(ctr__chunk) + 15u) & ~CTR__CAST(size_t, 15u);
    char *mem = CTR__CAST(char *, CONTAINER_MALLOC(head + n));
    ctr__chunk *c;
    if (!mem) return NULL;
    c = CTR__CAST(ctr__chunk *, CTR__CAST(void *, mem));
    c->next = p->chunks;
    p->chunks = c;
    memset(mem + head, 0, n);
    return mem + head;
}

static void ctr__plan_free(ctr__plan *p) {
    while (p->chunks) {
        ctr__chunk *next = p->chunks->next;
        CONTAINER_FREE(p->chunks);
        p->chunks = next;
    }
}

static char *ctr__strdup(ctr__plan *p, const char *s) {
    size_t n = strlen(s) + 1;
    char *d = CTR__CAST(char *, ctr__alloc(p, n));
    if (d) memcpy(d, s, n);
    return d;
}

/* "/a//b/./c/../d/" -> "/a/b/d": lexical, ".." stops at "/".  Returns NULL on ENOMEM. */
static char *ctr__normalize(ctr__plan *p, const char *path) {
    size_t n = strlen(path), o = 0, i = 0;
    char *out = CTR__CAST(char *, ctr__alloc(p, n + 2));
    if (!out) return NULL;
    while (i < n) {
        size_t start, len;
        while (i < n && path[i] == '/') i++;
        start = i;
        while (i < n && path[i] != '/') i++;
        len = i - start;
        if (len == 0 || (len == 1 && path[start] == '.')) continue;
        if (len == 2 && path[start] == '.' && path[start + 1] == '.') {
            while (o > 0 && out[o - 1] != '/') o--;
            if (o > 0) o--;
            continue;
        }
        out[o++] = '/';
        memcpy(out + o, path + start, len);
        o += len;
    }
    if (o == 0) out[o++] = '/';
    out[o] = '\0';
    return out;
}
/* ---- end src/util.c ---- */
/* ---- begin src/plan.c ---- */
/* plan.c - ctr_spec -> ctr__plan: every field of the spec is validated and translated here (and
   in security.c and the cgroup backend's check, which this calls), with the defaults applied and
   every string and buffer the child will need allocated in the parent.  Once built the plan is
   never changed: the cgroup code, the clone, the child and the handle only read it. */

static const char ctr__default_path[] =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static int ctr__check_argv_size(const ctr_spec *spec, ctr_error *err) {
    /* The kernel's limits: one string at most 32 pages, all of them at most a quarter of the stack
       rlimit (sysconf(_SC_ARG_MAX)); fail here rather than with a late E2BIG from execve. */
    long max = sysconf(_SC_ARG_MAX);
    size_t total = 0, i;
    const char *const *lists[2];
    int l;
    lists[0] = spec->argv;
    lists[1] = spec->env;
    if (max <= 0) max = 128 * 1024;
    for (l = 0; l < 2; l++) {
        if (!lists[l]) continue;
        for (i = 0; lists[l][i]; i++) {
            size_t len = strlen(lists[l][i]) + 1;
            if (len > 32u * 4096u)
                return ctr__fail(err, CTR_STEP_SPEC, E2BIG, l ? "env" : "argv",
                                 "%s[%zu] is %zu bytes, longer than the kernel's 131072",
                                 l ? "env" : "argv", i, len - 1);
            total += len + sizeof(char *);
        }
    }
    if (total > CTR__CAST(size_t, max))
        return ctr__fail(err, CTR_STEP_SPEC, E2BIG, "argv",
                         "argv and env take %zu bytes, more than the kernel's limit of %ld", total,
                         max);
    return 0;
}

static char **ctr__copy_list(ctr__plan *p, const char *const *src, size_t extra) {
    size_t n = 0, i;
    char **dst;
    while (src && src[n]) n++;
    dst = CTR__CAST(char **, ctr__alloc(p, (n + extra + 1) * sizeof(char *)));
    if (!dst) return NULL;
    for (i = 0; i < n; i++)
        if (!(dst[i] = ctr__strdup(p, src[i]))) return NULL;
    return dst;
}

static const char *ctr__env_get(char **envp, const char *key) {
    size_t k = strlen(key), i;
    for (i = 0; envp[i]; i++)
        if (strncmp(envp[i], key, k) == 0 && envp[i][k] == '=') return envp[i] + k + 1;
    return NULL;
}

/* The candidate paths for argv[0], as execvp would try them, with the container's PATH. */
static int ctr__plan_exec_paths(ctr__plan *p) {
    const char *arg0 = p->argv[0], *path, *s;
    size_t n = 1, alen = strlen(arg0);
    if (strchr(arg0, '/')) {
        p->exec_paths = CTR__CAST(char **, ctr__alloc(p, sizeof(char *)));
        if (!p->exec_paths) return -1;
        p->exec_paths[0] = p->argv[0];
        p->nexec = 1;
        return 0;
    }
    path = ctr__env_get(p->envp, "PATH");
    if (!path) path = ctr__default_path;
    for (s = path; *s; s++) n += (*s == ':');
    p->exec_paths = CTR__CAST(char **, ctr__alloc(p, n * sizeof(char *)));
    if (!p->exec_paths) return -1;
    for (s = path;;) {
        const char *e = strchr(s, ':');
        size_t dlen = e ? CTR__CAST(size_t, e - s) : strlen(s);
        if (dlen > 0) {
            char *c = CTR__CAST(char *, ctr__alloc(p, dlen + alen + 2));
            if (!c) return -1;
            memcpy(c, s, dlen);
            c[dlen] = '/';
            memcpy(c + dlen + 1, arg0, alen + 1);
            p->exec_paths[p->nexec++] = c;
        }
        if (!e) break;
        s = e + 1;
    }
    return 0;
}

/* The environment: spec.env (with the default PATH added when it has none: a command found
   through PATH should not fail because the caller set TERM), or PATH and HOME. */
static int ctr__plan_env(ctr__plan *p, const ctr_spec *spec) {
    if (spec->env) {
        size_t n = 0;
        if (!(p->envp = ctr__copy_list(p, spec->env, 1))) return -1;
        while (p->envp[n]) n++;
        if (!ctr__env_get(p->envp, "PATH") &&
            !(p->envp[n] = ctr__strdup(
                  p, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")))
            return -1;
    } else {
        static const char *const defaults[] = {
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", NULL};
        p->envp = ctr__copy_list(p, defaults, 0);
    }
    return p->envp ? 0 : -1;
}

static ctr__op *ctr__add_op(ctr__plan *p, size_t cap, ctr_mount_type type, const char *dst) {
    ctr__op *op;
    CONTAINER_ASSERT(p->nops < cap);
    (void)cap;
    op = &p->ops[p->nops++];
    op->type = type;
    op->dst = dst;
    return op;
}

/* rootfs NULL: the host's userland, read-only, on a fresh tmpfs.  Symlinks (merged /usr) are
   recreated as symlinks so /bin -> usr/bin keeps working. */
static int ctr__plan_host_userland(ctr__plan *p, size_t cap, ctr_error *err) {
    static const char *const dirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"};
    size_t i;
    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        struct stat st;
        ctr__op *op;
        if (lstat(dirs[i], &st) != 0) continue;
        if (S_ISLNK(st.st_mode)) {
            char link[PATH_MAX];
            ssize_t n = readlink(dirs[i], link, sizeof(link) - 1);
            if (n < 0) continue;
            link[n] = '\0';
            op = ctr__add_op(p, cap, CTR_MOUNT_SYMLINK, dirs[i]);
            if (!(op->src = ctr__strdup(p, link)))
                return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        } else if (S_ISDIR(st.st_mode)) {
            op = ctr__add_op(p, cap, CTR_MOUNT_BIND, dirs[i]);
            op->src = dirs[i];
            op->src_is_dir = 1;
        }
    }
    return 0;
}

/* A filesystem's source (what /proc/self/mountinfo shows, "none" by default), from ctr_mount's
   source. */
static int ctr__plan_source(ctr__plan *p, const ctr_mount *m, ctr__op *op, ctr_error *err) {
    if (!m->source || !m->source[0]) return 0;
    if (strlen(m->source) > 255 || strchr(m->source, '\n'))
        return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, m->target,
                         "the source of the mount on %s is not a name of at most 255 bytes",
                         m->target);
    if (!(op->src = ctr__strdup(p, m->source)))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    return 0;
}

/* CTR_MOUNT_DEVPTS: data holds the options ("gid=5,mode=620,ptmxmode=666,newinstance"); each
   key=value becomes an fsconfig pair (newinstance is what the new mount API always makes). */
static int ctr__plan_devpts(ctr__plan *p, const ctr_mount *m, ctr__op *op, ctr_error *err) {
    static const char *const keys[] = {"gid", "uid", "mode", "ptmxmode", "max", NULL};
    const char **opts;
    char *buf;
    size_t n = 0, len = m->data
                            ? (m->data_len ? m->data_len : strlen(CTR__CAST(const char *, m->data)))
                            : 0;
    char *s, *save = NULL;
    if (!(buf = CTR__CAST(char *, ctr__alloc(p, len + 1))) ||
        !(opts = CTR__CAST(const char **, ctr__alloc(p, (len / 2 + 3) * 2 * sizeof(char *)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (len) memcpy(buf, m->data, len);
    for (s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(s, '=');
        int k, known = 0;
        if (strcmp(s, "newinstance") == 0) continue;
        if (eq) {
            *eq = '\0';
            for (k = 0; keys[k]; k++) known |= strcmp(s, keys[k]) == 0;
        }
        if (!known || !eq[1])
            return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, m->target,
                             "devpts on %s: option \"%s\" is not one of gid= uid= mode= "
                             "ptmxmode= max= newinstance",
                             m->target, s);
        opts[n++] = s;
        opts[n++] = eq + 1;
    }
    if (op->src) {
        opts[n++] = "source";
        opts[n++] = op->src;
    }
    opts[n] = NULL;
    op->opts = opts;
    return 0;
}

/* A v1 hierarchy's name as /proc/self/cgroup shows it ("cpu,cpuacct", "name=systemd"): its
   super options without the mount options; "" for cgroup2. */
static const char *ctr__cg_key(ctr__plan *p, const char *fstype, const char *super) {
    static const char *const not_ctrl[] = {"rw",
                                           "ro",
                                           "xattr",
                                           "noprefix",
                                           "clone_children",
                                           "cpuset_v2_mode",
                                           "nsdelegate",
                                           "favordynmods",
                                           "memory_localevents",
                                           "memory_recursiveprot",
                                           NULL};
    char *key = CTR__CAST(char *, ctr__alloc(p, strlen(super) + 1));
    const char *s = super;
    size_t n = 0;
    if (!key || strcmp(fstype, "cgroup2") == 0) return key;
    while (*s) {
        size_t len = strcspn(s, ",");
        int i, skip = 0;
        for (i = 0; not_ctrl[i]; i++)
            skip |= strlen(not_ctrl[i]) == len && strncmp(s, not_ctrl[i], len) == 0;
        skip |= strncmp(s, "release_agent=", 14) == 0;
        if (!skip) {
            if (n) key[n++] = ',';
            memcpy(key + n, s, len);
            n += len;
        }
        s += len + (s[len] == ',');
    }
    key[n] = '\0';
    return key;
}

/* CTR_MOUNT_CGROUP: the host's hierarchies under /sys/fs/cgroup (from /proc/self/mountinfo), as
   quadruples directory name ("" for a cgroup2 root), filesystem type, super options, name in
   /proc/self/cgroup; the child mounts each inside the container's cgroup namespace, or without
   one binds the container's own cgroup directory of each. */
static int ctr__plan_cgroup_mount(ctr__plan *p, ctr__op *op, ctr_error *err) {
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[4096];
    const char **opts = NULL;
    size_t n = 0, cap = 0;
    if (!f) return ctr__fail(err, CTR_STEP_MOUNT, errno, "/proc/self/mountinfo", "read mounts");
    while (fgets(line, sizeof(line), f)) {
        char mnt[PATH_MAX], fstype[32], super[512], *dash;
        const char *name;
        if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 || !(dash = strstr(line, " - ")) ||
            sscanf(dash + 3, "%31s %*s %511s", fstype, super) != 2)
            continue;
        if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0) continue;
        if (strcmp(mnt, CTR__CG_ROOT) == 0)
            name = "";
        else if (strncmp(mnt, CTR__CG_ROOT "/", sizeof(CTR__CG_ROOT)) == 0 &&
                 !strchr(mnt + sizeof(CTR__CG_ROOT), '/'))
            name = mnt + sizeof(CTR__CG_ROOT);
        else
            continue;
        if (n + 5 > cap) {
            const char **grown;
            cap = cap ? 2 * cap : 32;
            if (!(grown = CTR__CAST(const char **, ctr__alloc(p, cap * sizeof(char *))))) break;
            if (n) memcpy(grown, opts, n * sizeof(char *));
            opts = grown;
        }
        if (!(opts[n] = ctr__strdup(p, name)) || !(opts[n + 1] = ctr__strdup(p, fstype)) ||
            !(opts[n + 2] = ctr__strdup(p, super)) ||
            !(opts[n + 3] = ctr__cg_key(p, fstype, super)))
            break;
        n += 4;
        opts[n] = NULL;
    }
    fclose(f);
    if (!opts || !opts[0])
        return ctr__fail(err, CTR_STEP_MOUNT, ENOENT, CTR__CG_ROOT,
                         "a cgroup mount for %s: no cgroup filesystem is mounted at %s", op->dst,
                         CTR__CG_ROOT);
    op->opts = opts;
    return 0;
}

static int ctr__validate_mount(ctr__plan *p, const ctr_mount *m, ctr__op *op, ctr_error *err) {
    const char *t = m->target;
    struct stat st;
    if (!t || t[0] != '/')
        return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, t ? t : "",
                         "mount target \"%s\" must be an absolute path", t ? t : "(null)");
    if (!(op->dst = ctr__normalize(p, t)))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, t, "allocate the plan");
    if (strcmp(op->dst, "/") == 0)
        return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, t, "cannot mount on \"/\": use rootfs");
    op->flags = m->flags;
    switch (m->type) {
    case CTR_MOUNT_BIND:
        if (!m->source || m->source[0] != '/')
            return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, m->source ? m->source : "",
                             "bind source \"%s\" must be an absolute host path",
                             m->source ? m->source : "(null)");
        if (stat(m->source, &st) != 0)
            return ctr__fail(err, CTR_STEP_MOUNT, errno, m->source, "bind source %s", m->source);
        if (!(op->src = ctr__strdup(p, m->source)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        op->src_is_dir = S_ISDIR(st.st_mode) ? 1 : 0;
        return 0;
    case CTR_MOUNT_TMPFS:
        if (ctr__plan_source(p, m, op, err) != 0) return -1;
        if (m->size)
            snprintf(op->opt_size, sizeof(op->opt_size), "%llu",
                     CTR__CAST(unsigned long long, m->size));
        snprintf(op->opt_mode, sizeof(op->opt_mode), "%o", m->mode ? m->mode & 07777u : 01777u);
        return 0;
    case CTR_MOUNT_SYMLINK:
        if (!m->source || !m->source[0])
            return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, t,
                             "symlink %s needs a source (what it points to)", t);
        if (!(op->src = ctr__strdup(p, m->source)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        return 0;
    case CTR_MOUNT_DIR: op->mode = m->mode ? m->mode & 07777u : 0755u; return 0;
    case CTR_MOUNT_FILE:
        if (m->data_len && !m->data)
            return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, t, "file %s has data_len but no data", t);
        op->mode = m->mode ? m->mode & 07777u : 0644u;
        if (m->data_len) {
            void *d = ctr__alloc(p, m->data_len);
            if (!d) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
            memcpy(d, m->data, m->data_len);
            op->data = d;
            op->data_len = m->data_len;
        }
        return 0;
    case CTR_MOUNT_DEV:
        if (ctr__plan_source(p, m, op, err) != 0) return -1;
        snprintf(op->opt_size, sizeof(op->opt_size), "%llu",
                 CTR__CAST(unsigned long long, m->size ? m->size : 65536u));
        snprintf(op->opt_mode, sizeof(op->opt_mode), "%o", m->mode ? m->mode & 07777u : 0755u);
        return 0;
    case CTR_MOUNT_DEVPTS:
        return ctr__plan_source(p, m, op, err) != 0 ? -1 : ctr__plan_devpts(p, m, op, err);
    case CTR_MOUNT_CGROUP:
        return ctr__plan_source(p, m, op, err) != 0 ? -1 : ctr__plan_cgroup_mount(p, op, err);
    case CTR_MOUNT_PROC:
    case CTR_MOUNT_MQUEUE:
    case CTR_MOUNT_SYSFS: return ctr__plan_source(p, m, op, err);
    }
    return ctr__fail(err, CTR_STEP_MOUNT, EINVAL, t, "unknown mount type %d for %s",
                     CTR__CAST(int, m->type), t);
}

static int ctr__has_target(const ctr__op *ops, size_t n, const char *dst) {
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(ops[i].dst, dst) == 0) return 1;
    return 0;
}

/* Ops in order: host userland (rootfs NULL), default mounts (unless replaced), the user's mounts. */
static int ctr__plan_mounts(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    size_t cap = 7 + 3 + 2 + spec->nmounts, i, first_user, nuser;
    ctr__op *user;
    if (spec->nmounts && !spec->mounts)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "nmounts is %zu but mounts is NULL",
                         spec->nmounts);
    if (!(p->ops = CTR__CAST(ctr__op *, ctr__alloc(p, cap * sizeof(ctr__op)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (!spec->rootfs && !spec->lowers && ctr__plan_host_userland(p, cap, err) != 0) return -1;
    /* Validate the user's mounts at the end of the array first, so defaults can see their targets. */
    first_user = cap - spec->nmounts;
    for (i = 0; i < spec->nmounts; i++) {
        ctr__op *op = &p->ops[first_user + i];
        op->type = spec->mounts[i].type;
        if (ctr__validate_mount(p, &spec->mounts[i], op, err) != 0) return -1;
    }
    nuser = spec->nmounts;
    user = &p->ops[first_user];
    if (!spec->no_default_mounts) {
        if (!ctr__has_target(user, nuser, "/proc")) ctr__add_op(p, cap, CTR_MOUNT_PROC, "/proc");
        if (!ctr__has_target(user, nuser, "/dev")) {
            ctr__op *dev = ctr__add_op(p, cap, CTR_MOUNT_DEV, "/dev");
            strcpy(dev->opt_size, "65536");
            strcpy(dev->opt_mode, "755");
        }
        if (!ctr__has_target(user, nuser, "/tmp"))
            strcpy(ctr__add_op(p, cap, CTR_MOUNT_TMPFS, "/tmp")->opt_mode, "1777");
    }
    /* Close the gap between the defaults and the user's ops. */
    if (p->ops + p->nops != user) memmove(p->ops + p->nops, user, nuser * sizeof(ctr__op));
    p->nops += nuser;
    /* A network's /etc/resolv.conf and /etc/hosts (net.c), unless mounted by the caller: files
       of the container's own, bound over the image's (or the host's read-only /etc). */
    for (i = 0; i < 2; i++) {
        const char *dst = i ? "/etc/hosts" : "/etc/resolv.conf";
        const char *data = i ? p->net.hosts : p->net.resolv;
        ctr__op *op;
        if (!data || ctr__has_target(p->ops, p->nops, dst)) continue;
        op = ctr__add_op(p, cap, CTR_MOUNT_FILE, dst);
        op->flags = CTR__OP_PRIVATE;
        op->src = "a file of the container's own";
        op->mode = 0644;
        op->data = data;
        op->data_len = strlen(data);
    }
    return 0;
}

static int ctr__plan_rootfs(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    static const char *const attach[] = {"/tmp", "/mnt", "/run", "/var/tmp", "/dev"};
    struct stat st;
    size_t i;
    p->readonly_root = spec->readonly_root ? 1 : 0;
    if (spec->rootfs) {
        char *real;
        if (!spec->rootfs[0])
            return ctr__fail(err, CTR_STEP_ROOTFS, EINVAL, "",
                             "rootfs is an empty string (NULL means the host userland)");
        if (stat(spec->rootfs, &st) != 0)
            return ctr__fail(err, CTR_STEP_ROOTFS, errno, spec->rootfs, "rootfs %s", spec->rootfs);
        if (!S_ISDIR(st.st_mode))
            return ctr__fail(err, CTR_STEP_ROOTFS, ENOTDIR, spec->rootfs,
                             "rootfs %s is not a directory", spec->rootfs);
        if (!(real = realpath(spec->rootfs, NULL)))
            return ctr__fail(err, CTR_STEP_ROOTFS, errno, spec->rootfs, "resolve rootfs %s",
                             spec->rootfs);
        p->rootfs = ctr__strdup(p, real);
        free(real); /* realpath allocates with malloc, whatever CONTAINER_MALLOC is */
        if (!p->rootfs) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        p->attach_at = p->rootfs;
        return ctr__plan_layers(p, spec, err);
    }
    if (ctr__plan_layers(p, spec, err) != 0) return -1;
    for (i = 0; i < sizeof(attach) / sizeof(attach[0]); i++)
        if (stat(attach[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            p->attach_at = attach[i];
            return 0;
        }
    return ctr__fail(err, CTR_STEP_ROOTFS, ENOENT, "/tmp",
                     "no directory to build the root on (tried /tmp /mnt /run /var/tmp /dev)");
}

static int ctr__plan_namespaces(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    unsigned share = spec->share;
    uid_t euid = geteuid();
    if (share & ~CTR_NS_ALL)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "unknown namespace bits 0x%x in share",
                         share & ~CTR_NS_ALL);
    if (spec->new_userns && (share & CTR_NS_USER))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "",
                         "new_userns contradicts sharing CTR_NS_USER");
    p->clone_flags = CLONE_NEWNS;
    if (!(share & CTR_NS_PID)) p->clone_flags |= CLONE_NEWPID;
    if (!(share & CTR_NS_NET)) p->clone_flags |= CLONE_NEWNET;
    if (!(share & CTR_NS_IPC)) p->clone_flags |= CLONE_NEWIPC;
    if (!(share & CTR_NS_UTS)) p->clone_flags |= CLONE_NEWUTS;
    if (!(share & CTR_NS_CGROUP)) p->clone_flags |= CLONE_NEWCGROUP;
    p->net_lo = !(share & CTR_NS_NET);
    /* (uid_t)-1 means "unchanged" to setresuid: the command would keep the caller's uid (root). */
    if (spec->uid == CTR__CAST(uid_t, -1) || spec->gid == CTR__CAST(gid_t, -1))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL,
                         spec->uid == CTR__CAST(uid_t, -1) ? "uid" : "gid",
                         "%s -1 is not an id (to setresuid it means \"leave unchanged\")",
                         spec->uid == CTR__CAST(uid_t, -1) ? "uid" : "gid");
    p->userns = !(share & CTR_NS_USER) && (euid != 0 || spec->new_userns);
    p->uid = spec->uid;
    p->gid = spec->gid;
    if (p->userns) {
        p->clone_flags |= CLONE_NEWUSER;
        snprintf(p->uid_map, sizeof(p->uid_map), "%lu %lu 1\n", CTR__CAST(unsigned long, spec->uid),
                 CTR__CAST(unsigned long, euid));
        snprintf(p->gid_map, sizeof(p->gid_map), "%lu %lu 1\n", CTR__CAST(unsigned long, spec->gid),
                 CTR__CAST(unsigned long, getegid()));
    } else {
        p->set_ids = (euid == 0);
    }
    if (ctr__plan_userns(p, spec, err) != 0) return -1;
    if (spec->hostname && (share & CTR_NS_UTS))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, spec->hostname,
                         "a hostname needs its own UTS namespace, but CTR_NS_UTS is shared");
    if (!(share & CTR_NS_UTS)) {
        const char *h = spec->hostname ? spec->hostname : "container";
        if (strlen(h) > 64)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, h, "hostname is longer than 64 bytes");
        if (!(p->hostname = ctr__strdup(p, h)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    }
    if (spec->time_ns) {
        p->timens = 1;
        snprintf(p->timens_offsets, sizeof(p->timens_offsets),
                 "monotonic %lld 0\nboottime %lld 0\n",
                 CTR__CAST(long long, spec->monotonic_offset_sec),
                 CTR__CAST(long long, spec->boottime_offset_sec));
    }
    return 0;
}

/* Is every component of a cgroup path a plain name (no "", ".", "..")? */
static int ctr__cg_path_ok(const char *path) {
    const char *s = path;
    while (*s) {
        size_t n;
        while (*s == '/') s++;
        n = strcspn(s, "/");
        if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) return 0;
        s += n;
    }
    return 1;
}

/* spec.cgroup_settings: "FILE=VALUE", FILE a plain name with its controller before the first dot
   ("memory.swappiness"), not one of the cgroup's own files (cgroup.procs, cgroup.*). */
static int ctr__plan_cg_settings(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t n = 0, i, k;
    ctr__cg_req *cg = &p->cg;
    while (s->cgroup_settings && s->cgroup_settings[n]) n++;
    if (!n) return 0;
    if (!(cg->settings = CTR__CAST(char **, ctr__alloc(p, 2 * n * sizeof(char *)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = 0; i < n; i++) {
        const char *kv = s->cgroup_settings[i], *eq = strchr(kv, '=');
        size_t len = eq ? CTR__CAST(size_t, eq - kv) : 0;
        char *file;
        int ok = len > 0 && len < 64 && memchr(kv, '.', len) && kv[0] != '.';
        for (k = 0; ok && k < len; k++)
            ok = (kv[k] >= 'a' && kv[k] <= 'z') || (kv[k] >= 'A' && kv[k] <= 'Z') ||
                 (kv[k] >= '0' && kv[k] <= '9') || kv[k] == '_' || kv[k] == '.';
        if (!ok || strncmp(kv, "cgroup.", 7) == 0)
            return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "cgroup_settings",
                             "cgroup_settings[%zu] \"%s\" is not FILE=VALUE with a controller's "
                             "file (memory.swappiness=0)",
                             i, kv);
        if (!(file = CTR__CAST(char *, ctr__alloc(p, len + 1))) ||
            !(cg->settings[2 * i + 1] = ctr__strdup(p, eq + 1)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(file, kv, len);
        cg->settings[2 * i] = file;
    }
    cg->nsettings = n;
    return 0;
}

static int ctr__plan_limits(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t i, n = s->nrlimits;
    int has_core = 0;
    ctr__cg_req *cg = &p->cg;
    /* !(x >= 0) also catches NaN */
    if (!(s->cpus >= 0) || s->cpus > 100000.0)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "cpus",
                         "cpus must be a positive number of CPUs, not %g", s->cpus);
    if (!(s->timeout_sec >= 0) || s->timeout_sec > 1e9)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "timeout_sec",
                         "timeout_sec must be 0..1e9 seconds, not %g", s->timeout_sec);
    p->timeout_ns = s->timeout_sec > 0 ? CTR__CAST(int64_t, s->timeout_sec * 1e9) : 0;
    if (s->timeout_sec > 0 && p->timeout_ns < 1) p->timeout_ns = 1;
    if (s->cpu_weight > 10000 || s->io_weight > 10000)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "weight",
                         "cpu_weight and io_weight must be 1..10000");
    if (n && !s->rlimits)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "rlimits",
                         "nrlimits is %zu but rlimits is NULL", n);
    for (i = 0; i < n; i++) {
        const ctr_rlimit *r = &s->rlimits[i];
        if (r->resource < 0 || r->resource >= RLIM_NLIMITS)
            return ctr__fail(err, CTR_STEP_RLIMIT, EINVAL, "rlimits", "unknown rlimit resource %d",
                             r->resource);
        if (r->soft > r->hard)
            return ctr__fail(err, CTR_STEP_RLIMIT, EINVAL, "rlimits",
                             "rlimit %d: soft limit above the hard limit", r->resource);
        has_core |= r->resource == RLIMIT_CORE;
    }
    /* The one safe default: no core dumps (they would land in the container's files). */
    p->rlimits = CTR__CAST(ctr_rlimit *, ctr__alloc(p, (n + 1) * sizeof(ctr_rlimit)));
    if (!p->rlimits) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (n) memcpy(p->rlimits, s->rlimits, n * sizeof(ctr_rlimit));
    if (!has_core) {
        p->rlimits[n].resource = RLIMIT_CORE;
        p->rlimits[n].soft = p->rlimits[n].hard = 0;
        n++;
    }
    p->nrlimits = n;

    /* The cgroup request. */
    cg->memory_max = s->memory_max;
    cg->memory_swap_max = s->memory_swap_max;
    cg->pids_max = s->pids_max;
    cg->cpus = s->cpus;
    cg->cpu_weight = s->cpu_weight;
    cg->io_weight = s->io_weight;
    {
        int limits = s->memory_max || s->memory_swap_max || s->pids_max || s->cpus > 0 ||
                     s->cpu_weight || s->io_weight || s->cgroup_path ||
                     (s->cgroup_settings && s->cgroup_settings[0]);
        switch (s->cgroup) {
        case CTR_CGROUP_AUTO: cg->wanted = limits; break;
        case CTR_CGROUP_ALWAYS: cg->wanted = cg->always = 1; break;
        case CTR_CGROUP_NEVER:
            if (limits)
                return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "",
                                 "limits (or cgroup_path) were set but cgroup is "
                                 "CTR_CGROUP_NEVER");
            break;
        default:
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "cgroup", "unknown cgroup mode %d",
                             CTR__CAST(int, s->cgroup));
        }
    }
    if (s->cgroup_parent) {
        if (!s->cgroup_parent[0] || !ctr__cg_path_ok(s->cgroup_parent))
            return ctr__fail(
                err, CTR_STEP_CGROUP, EINVAL, s->cgroup_parent,
                "cgroup_parent \"%s\" must name a cgroup without \".\" or \"..\" components",
                s->cgroup_parent);
        if (!(cg->parent = ctr__strdup(p, s->cgroup_parent)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    }
    if (ctr__plan_cg_settings(p, s, err) != 0) return -1;
    if (s->cgroup_path) {
        const char *cp = s->cgroup_path;
        if (s->cgroup_parent)
            return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, cp,
                             "cgroup_path and cgroup_parent exclude each other");
        if (!ctr__cg_path_ok(cp) || strspn(cp, "/") == strlen(cp))
            return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, cp,
                             "cgroup_path \"%s\" must name a cgroup below the root, without "
                             "\".\" or \"..\" components",
                             cp);
        if (!(cg->path = ctr__strdup(p, cp)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    }
    if (cg->wanted) {
        const ctr__cg_backend *be = ctr__cg_host(err);
        if (!be || be->check(cg, err) != 0) return -1;
        /* A cgroup namespace is made after the move into the cgroup, rooted there. */
        if (p->clone_flags & CLONE_NEWCGROUP) {
            p->clone_flags &= ~CTR__CAST(unsigned long, CLONE_NEWCGROUP);
            p->cgroupns = 1;
        }
    }
    return 0;
}

/* A CTR_MOUNT_DEV on /dev among the spec's mounts. */
static int ctr__has_dev(const ctr_spec *spec) {
    size_t i;
    for (i = 0; i < spec->nmounts && spec->mounts; i++)
        if ((spec->mounts[i].type == CTR_MOUNT_DEV && spec->mounts[i].target &&
             strcmp(spec->mounts[i].target, "/dev") == 0) ||
            spec->mounts[i].type == CTR_MOUNT_DEVPTS)
            return 1;
    return 0;
}

/* Stdio per stream: the caller's descriptors are checked here, the pipes made at spawn; the
   terminal; the extra descriptors. */
static int ctr__plan_stdio(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    size_t i, j;
    p->stdio_nonblock = spec->stdio_nonblock ? 1 : 0;
    if (spec->tty) {
        p->tty = 1;
        p->tty_rows = spec->tty_rows ? spec->tty_rows : 24;
        p->tty_cols = spec->tty_cols ? spec->tty_cols : 80;
        if (spec->no_default_mounts && !ctr__has_dev(spec))
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "tty",
                             "tty needs a /dev in the container (a CTR_MOUNT_DEV on /dev) for its "
                             "devpts");
    }
    if (spec->nfds && !spec->fds)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "fds", "nfds is %zu but fds is NULL",
                         spec->nfds);
    if (spec->nfds > CTR__MAX_FDS)
        return ctr__fail(err, CTR_STEP_SPEC, E2BIG, "fds", "at most %d extra descriptors, not %zu",
                         CTR__MAX_FDS, spec->nfds);
    for (i = 0; i < spec->nfds; i++) {
        const ctr_fd *x = &spec->fds[i];
        if (x->container_fd < 3 || x->container_fd > 1048575)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "fds",
                             "fds[%zu]: container_fd %d must be 3 or above (0, 1, 2 are stdio)", i,
                             x->container_fd);
        if (x->host_fd < 0 || fcntl(x->host_fd, F_GETFD) < 0)
            return ctr__fail(err, CTR_STEP_SPEC, EBADF, "fds",
                             "fds[%zu]: host_fd %d is not an open descriptor", i, x->host_fd);
        for (j = 0; j < i; j++)
            if (spec->fds[j].container_fd == x->container_fd)
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "fds",
                                 "fds[%zu] and fds[%zu] are both container fd %d", j, i,
                                 x->container_fd);
    }
    if (spec->nfds) {
        if (!(p->fds = CTR__CAST(ctr_fd *, ctr__alloc(p, spec->nfds * sizeof(ctr_fd)))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(p->fds, spec->fds, spec->nfds * sizeof(ctr_fd));
        p->nfds = spec->nfds;
    }
    for (i = 0; i < 3; i++) {
        p->stdio[i] = spec->stdio[i];
        p->stdio_fd[i] = -1;
        switch (spec->stdio[i]) {
        case CTR_STDIO_INHERIT:
        case CTR_STDIO_NULL:
        case CTR_STDIO_PIPE: break;
        case CTR_STDIO_FD:
            if (spec->stdio_fd[i] < 0 || fcntl(spec->stdio_fd[i], F_GETFD) < 0)
                return ctr__fail(err, CTR_STEP_STDIO, EBADF, "",
                                 "stdio_fd[%d] (%d) is not an open descriptor", CTR__CAST(int, i),
                                 spec->stdio_fd[i]);
            p->stdio_fd[i] = spec->stdio_fd[i];
            break;
        default:
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "stdio[%d] has unknown mode %d",
                             CTR__CAST(int, i), CTR__CAST(int, spec->stdio[i]));
        }
    }
    return 0;
}

/* spec.netns_pool: only where the container cannot change the namespace (no CAP_NET_ADMIN or
   CAP_SYS_ADMIN, /proc/sys read-only) and every process of it is gone when it is reaped (its own
   pid namespace). */
static int ctr__plan_netns_pool(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    const char *why = NULL;
    if (!spec->netns_pool) return 0;
    if (spec->share & CTR_NS_NET)
        why = "the host's network namespace is shared (CTR_NS_NET)";
    else if (spec->share & CTR_NS_PID)
        why = "the pid namespace is shared: processes could outlive the container";
    else if (p->userns)
        why = "the container has a user namespace (the pool's namespaces belong to the host's)";
    else if (p->caps_keep & (CTR_CAP(12) | CTR_CAP(21)))
        why = "the container keeps CAP_NET_ADMIN or CAP_SYS_ADMIN and could reconfigure the "
              "namespace";
    else if (!p->masks)
        why = "no_masks leaves /proc/sys writable, and with it the namespace's sysctls";
    if (why)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "netns_pool", "netns_pool cannot be used: %s",
                         why);
    p->netns_pool = spec->netns_pool;
    return 0;
}

/* The whole plan; on failure the caller frees what was allocated with ctr__plan_free. */
static int ctr__plan_build(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    memset(p, 0, sizeof(*p));
    if (!spec) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "spec is NULL");
    if (!spec->argv || !spec->argv[0] || !spec->argv[0][0])
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "argv",
                         "argv is empty: give the command to run");
    if (ctr__check_argv_size(spec, err) != 0) return -1;
    if (spec->cwd && spec->cwd[0] != '/')
        return ctr__fail(err, CTR_STEP_CWD, EINVAL, spec->cwd,
                         "cwd \"%s\" must be an absolute path", spec->cwd);
    if (ctr__plan_namespaces(p, spec, err) != 0) return -1;
    if (ctr__plan_limits(p, spec, err) != 0) return -1;
    if (ctr__plan_security(p, spec, err) != 0) return -1;
    if (ctr__plan_notify(p, spec, err) != 0 || ctr__plan_landlock(p, spec, err) != 0) return -1;
    if (ctr__plan_netns_pool(p, spec, err) != 0 || ctr__plan_no_network(p, spec, err) != 0)
        return -1;
    if (ctr__plan_stdio(p, spec, err) != 0) return -1;
    if (!(p->argv = ctr__copy_list(p, spec->argv, 0)) || ctr__plan_env(p, spec) != 0 ||
        ctr__plan_exec_paths(p) != 0 || !(p->cwd = ctr__strdup(p, spec->cwd ? spec->cwd : "/")))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (ctr__plan_net(p, spec, err) != 0) return -1;
    if (ctr__plan_rootfs(p, spec, err) != 0) return -1;
    if (ctr__plan_mounts(p, spec, err) != 0) return -1;
    p->init = spec->init ? 1 : 0;
    p->die_with_host = spec->no_die_with_host ? 0 : 1;
    snprintf(p->shm_size_opt, sizeof(p->shm_size_opt), "%llu",
             CTR__CAST(unsigned long long,
                       spec->shm_size ? spec->shm_size : CTR__CAST(uint64_t, 64) << 20));
    return ctr__plan_lifecycle(p, spec, err);
}

/* A CTR_MOUNT_DEV among the plan's ops (a devpts for a terminal). */
static int ctr__plan_has_dev(const ctr__plan *p) {
    size_t i;
    for (i = 0; i < p->nops; i++)
        if (p->ops[i].type == CTR_MOUNT_DEV || p->ops[i].type == CTR_MOUNT_DEVPTS) return 1;
    return 0;
}

/* ctr_exec: the container's policy (manual section 16) holds for the process too: the same
   interception filter, served by the new handle, and the same Landlock rules. */
static int ctr__plan_exec_policy(ctr__plan *p, const ctr__plan *base, ctr_error *err) {
    size_t i;
    if (base->notify_bpf) {
        p->notify_bpf =
            CTR__CAST(ctr__bpf *, ctr__alloc(p, base->notify_bpf_len * sizeof(ctr__bpf)));
        if (!p->notify_bpf)
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(p->notify_bpf, base->notify_bpf, base->notify_bpf_len * sizeof(ctr__bpf));
        p->notify_bpf_len = base->notify_bpf_len;
        p->notify_cookie = base->notify_cookie;
        p->notify_alt = base->notify_alt;
        p->on_syscall = base->on_syscall;
        p->on_syscall_user = base->on_syscall_user;
        p->intercept_manual = base->intercept_manual;
    }
    p->ll_fs = base->ll_fs;
    p->ll_net = base->ll_net;
    p->ll_scope = base->ll_scope;
    if (base->nll) {
        p->ll_rules = CTR__CAST(ctr__ll_rule *, ctr__alloc(p, base->nll * sizeof(ctr__ll_rule)));
        if (!p->ll_rules) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        for (i = 0; i < base->nll; i++) {
            p->ll_rules[i] = base->ll_rules[i];
            if (base->ll_rules[i].path &&
                !(p->ll_rules[i].path = ctr__strdup(p, base->ll_rules[i].path)))
                return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        }
        p->nll = base->nll;
    }
    return 0;
}

/* ctr_exec: the plan of another process in a running container.  What the container decided
   (capabilities, no_new_privs, the filter, rlimits, dying with the host) comes from its plan,
   copied (the exec may outlive the container's handle); namespaces and root are joined. */
static int ctr__plan_exec(ctr__plan *p, const ctr__plan *base, const ctr_exec_spec *x,
                          ctr_error *err) {
    ctr_spec s;
    size_t i;
    memset(p, 0, sizeof(*p));
    if (!x) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "spec is NULL");
    memset(&s, 0, sizeof(s));
    s.argv = x->argv;
    s.env = x->env;
    s.cwd = x->cwd;
    for (i = 0; i < 3; i++) {
        s.stdio[i] = x->stdio[i];
        s.stdio_fd[i] = x->stdio_fd[i];
    }
    s.stdio_nonblock = x->stdio_nonblock;
    s.tty = x->tty;
    s.tty_rows = x->tty_rows;
    s.tty_cols = x->tty_cols;
    s.fds = x->fds;
    s.nfds = x->nfds;
    if (!s.argv || !s.argv[0] || !s.argv[0][0])
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "argv",
                         "argv is empty: give the command to run");
    if (ctr__check_argv_size(&s, err) != 0) return -1;
    if (s.cwd && s.cwd[0] != '/')
        return ctr__fail(err, CTR_STEP_CWD, EINVAL, s.cwd, "cwd \"%s\" must be an absolute path",
                         s.cwd);
    if (x->uid == CTR__CAST(uid_t, -1) || x->gid == CTR__CAST(gid_t, -1))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, x->uid == CTR__CAST(uid_t, -1) ? "uid" : "gid",
                         "%s -1 is not an id", x->uid == CTR__CAST(uid_t, -1) ? "uid" : "gid");
    if (x->tty && !ctr__plan_has_dev(base))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "tty",
                         "tty needs a /dev in the container (a CTR_MOUNT_DEV) for its devpts");
    if (ctr__plan_stdio(p, &s, err) != 0) return -1;
    if (!(p->argv = ctr__copy_list(p, s.argv, 0)) || ctr__plan_env(p, &s) != 0 ||
        ctr__plan_exec_paths(p) != 0 || !(p->cwd = ctr__strdup(p, s.cwd ? s.cwd : "/")))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    p->join = 1;
    p->direct = x->direct_child ? 1 : 0;
    p->uid = x->uid;
    p->gid = x->gid;
    if (x->ngroups) {
        if (!x->groups || base->userns)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "groups",
                             "supplementary groups need a container without a user namespace");
        if (!(p->groups = CTR__CAST(gid_t *, ctr__alloc(p, x->ngroups * sizeof(gid_t)))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(p->groups, x->groups, x->ngroups * sizeof(gid_t));
        p->ngroups = x->ngroups;
    }
    if (x->set_umask) {
        if (x->umask > 0777u)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "umask", "umask 0%o is above 0777",
                             x->umask);
        p->set_umask = 1;
        p->umask = x->umask;
    }
    p->userns = base->userns; /* joined: its maps are written */
    p->set_ids = 1;
    p->caps_keep = base->caps_keep;
    p->caps_ambient = base->caps_ambient;
    p->caps_exact = base->caps_exact;
    p->caps_eff = base->caps_eff;
    p->caps_prm = base->caps_prm;
    p->caps_inh = base->caps_inh;
    p->last_cap = base->last_cap;
    p->nnp = base->nnp;
    p->die_with_host = base->die_with_host;
    if (base->nrlimits) {
        if (!(p->rlimits =
                  CTR__CAST(ctr_rlimit *, ctr__alloc(p, base->nrlimits * sizeof(ctr_rlimit)))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(p->rlimits, base->rlimits, base->nrlimits * sizeof(ctr_rlimit));
        p->nrlimits = base->nrlimits;
    }
    if (base->bpf) {
        if (!(p->bpf = CTR__CAST(ctr__bpf *, ctr__alloc(p, base->bpf_len * sizeof(ctr__bpf)))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(p->bpf, base->bpf, base->bpf_len * sizeof(ctr__bpf));
        p->bpf_len = base->bpf_len;
    }
    return ctr__plan_exec_policy(p, base, err);
}
/* ---- end src/plan.c ---- */
/* ---- begin src/security.c ---- */
/* security.c - the capability sets and the seccomp filter, computed into the plan (plan.c calls
   ctr__plan_security).  The child applies them (child.c) as its last steps before execve. */

#define CTR__SECCOMP_RET_KILL_PROCESS 0x80000000u
#define CTR__SECCOMP_RET_ERRNO        0x00050000u
#define CTR__SECCOMP_RET_LOG          0x7ffc0000u
#define CTR__SECCOMP_RET_ALLOW        0x7fff0000u
#define CTR__BPF_LD_W_ABS             0x20 /* BPF_LD | BPF_W | BPF_ABS */
#define CTR__BPF_JEQ_K                0x15 /* BPF_JMP | BPF_JEQ | BPF_K */
#define CTR__BPF_JGE_K                0x35 /* BPF_JMP | BPF_JGE | BPF_K */
#define CTR__BPF_JSET_K               0x45 /* BPF_JMP | BPF_JSET | BPF_K */
#define CTR__BPF_RET_K                0x06 /* BPF_RET | BPF_K */
/* struct seccomp_data: int nr; u32 arch; u64 ip; u64 args[6] (little-endian: low word first). */
#define CTR__SD_NR        0
#define CTR__SD_ARCH      4
#define CTR__SD_ARG_LO(i) (16 + 8 * (i))

#if defined(__x86_64__)
#define CTR__AUDIT_ARCH 0xc000003eu /* AUDIT_ARCH_X86_64 */
#define CTR__X32_BIT    0x40000000u
#elif defined(__aarch64__)
#define CTR__AUDIT_ARCH 0xc00000b7u /* AUDIT_ARCH_AARCH64 */
#else
#error "container.h: the seccomp filter knows x86_64 and aarch64 only"
#endif

static void ctr__bpf_emit(ctr__bpf *f, size_t *n, uint16_t code, uint8_t jt, uint8_t jf,
                          uint32_t k) {
    f[*n].code = code;
    f[*n].jt = jt;
    f[*n].jf = jf;
    f[*n].k = k;
    (*n)++;
}

static uint32_t ctr__seccomp_ret(ctr_seccomp_action a, int e) {
    switch (a) {
    case CTR_SECCOMP_ALLOW: return CTR__SECCOMP_RET_ALLOW;
    case CTR_SECCOMP_LOG: return CTR__SECCOMP_RET_LOG;
    case CTR_SECCOMP_KILL: return CTR__SECCOMP_RET_KILL_PROCESS;
    case CTR_SECCOMP_ERRNO: break;
    }
    return CTR__SECCOMP_RET_ERRNO | (CTR__CAST(uint32_t, e > 0 && e < 4096 ? e : EPERM));
}

/* open_tree_attr (Linux 6.15) is open_tree + mount_setattr in one call; same number on x86_64 and
   aarch64.  Syscalls newer than it are refused with ENOSYS, as an allow-list would: a deny list
   must not let every future syscall through. */
#define CTR__SYS_open_tree_attr          467
#define CTR__SYS_set_mempolicy_home_node 450
#define CTR__AF_VSOCK                    40
#define CTR__SYS_FIRST_UNKNOWN           468

/* The default profile: what Docker's profile refuses, plus what is newer than it.  EPERM, except
   clone3 (ENOSYS, so libc falls back to clone, whose flags the filter can see). */
static const long ctr__seccomp_denied[] = {
    SYS_acct,
    SYS_add_key,
    SYS_bpf,
    SYS_clock_adjtime,
    SYS_clock_settime,
    SYS_delete_module,
    SYS_finit_module,
    SYS_init_module,
    SYS_kexec_load,
    SYS_kexec_file_load,
    SYS_keyctl,
    SYS_request_key,
    SYS_lookup_dcookie,
    SYS_mount,
    SYS_umount2,
    SYS_pivot_root,
    SYS_move_mount,
    SYS_open_tree,
    SYS_fsopen,
    SYS_fsconfig,
    SYS_fsmount,
    SYS_fspick,
    SYS_mount_setattr,
    SYS_name_to_handle_at,
    SYS_open_by_handle_at,
    SYS_perf_event_open,
    SYS_quotactl,
    SYS_reboot,
    SYS_setns,
    SYS_unshare,
    SYS_settimeofday,
    SYS_swapon,
    SYS_swapoff,
    SYS_userfaultfd,
    SYS_io_uring_setup,
    SYS_io_uring_enter,
    SYS_io_uring_register,
    SYS_process_vm_readv,
    SYS_process_vm_writev,
    SYS_kcmp,
    SYS_get_mempolicy,
    SYS_set_mempolicy,
    SYS_mbind,
    SYS_move_pages,
    SYS_migrate_pages,
    CTR__SYS_set_mempolicy_home_node,
    SYS_fanotify_init,
    SYS_vhangup,
    SYS_pidfd_getfd,
    SYS_syslog,
    CTR__SYS_open_tree_attr,
#ifdef SYS_modify_ldt
    SYS_modify_ldt,
#endif
#ifdef SYS_quotactl_fd
    SYS_quotactl_fd,
#endif
#ifdef SYS_iopl
    SYS_iopl,
    SYS_ioperm,
#endif
#ifdef SYS_uselib
    SYS_uselib,
    SYS_ustat,
    SYS_sysfs,
    SYS__sysctl,
    SYS_create_module,
    SYS_get_kernel_syms,
    SYS_query_module,
    SYS_nfsservctl,
#endif
#ifdef SYS_umount
    SYS_umount,
#endif
};

#define CTR__NS_FLAGS                                                                          \
    (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | \
     CLONE_NEWCGROUP | CLONE_NEWTIME)

/* Arch check, x32 check, syscall number in the accumulator. */
static void ctr__bpf_prologue(ctr__bpf *f, size_t *n) {
    ctr__bpf_emit(f, n, CTR__BPF_LD_W_ABS, 0, 0, CTR__SD_ARCH);
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 1, 0, CTR__AUDIT_ARCH);
    /* i386 (int 0x80), arm32: other syscall tables, refused whole so they cannot bypass this one */
    ctr__bpf_emit(f, n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | ENOSYS);
    ctr__bpf_emit(f, n, CTR__BPF_LD_W_ABS, 0, 0, CTR__SD_NR);
#ifdef CTR__X32_BIT
    ctr__bpf_emit(f, n, CTR__BPF_JGE_K, 0, 1, CTR__X32_BIT);
    ctr__bpf_emit(f, n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | ENOSYS);
#endif
}

/* The default profile's head, shared by both builds (libseccomp cannot express these: a range
   of syscall numbers, and an allow-list of one argument's values under an allowing default).
   Syscalls newer than the profile fail with ENOSYS, as an allow-list would; personality() may
   only ask for the personas Docker allows (Linux, LINUX32, UNAME26, both, and 0xffffffff, the
   query), compared on the low 32 bits, which are all the kernel reads. */
static void ctr__bpf_default_head(ctr__bpf *f, size_t *n) {
    ctr__bpf_prologue(f, n);
    ctr__bpf_emit(f, n, CTR__BPF_JGE_K, 0, 1, CTR__SYS_FIRST_UNKNOWN);
    ctr__bpf_emit(f, n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | ENOSYS);
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 0, 8, SYS_personality);
    ctr__bpf_emit(f, n, CTR__BPF_LD_W_ABS, 0, 0, CTR__SD_ARG_LO(0));
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 5, 0, 0x0u);
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 4, 0, 0x8u);
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 3, 0, 0x20000u);
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 2, 0, 0x20008u);
    ctr__bpf_emit(f, n, CTR__BPF_JEQ_K, 1, 0, 0xffffffffu);
    ctr__bpf_emit(f, n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | EPERM);
    ctr__bpf_emit(f, n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
}
#define CTR__BPF_HEAD_MAX 24

#define CTR__NDENIED         (sizeof(ctr__seccomp_denied) / sizeof(ctr__seccomp_denied[0]))
#define CTR__BPF_DEFAULT_MAX (48 + 2 * CTR__NDENIED)

static size_t ctr__bpf_default(ctr__bpf *f) {
    size_t n = 0, i;
    ctr__bpf_default_head(f, &n);
    /* clone: refuse new namespaces (the flags are args[0] on x86_64 and aarch64). */
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 4, SYS_clone);
    ctr__bpf_emit(f, &n, CTR__BPF_LD_W_ABS, 0, 0, CTR__SD_ARG_LO(0));
    ctr__bpf_emit(f, &n, CTR__BPF_JSET_K, 0, 1, CTR__NS_FLAGS);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | EPERM);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
    /* ioctl: refuse TIOCSTI and TIOCLINUX (the low 32 bits of the request, as the kernel sees it). */
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 5, SYS_ioctl);
    ctr__bpf_emit(f, &n, CTR__BPF_LD_W_ABS, 0, 0, CTR__SD_ARG_LO(1));
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 2, 0, TIOCSTI);
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 1, 0, TIOCLINUX);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | EPERM);
    /* socket: no AF_VSOCK (vsock is not confined by network namespaces: it reaches the
       hypervisor's services); the family is an int, so its low 32 bits. */
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 4, SYS_socket);
    ctr__bpf_emit(f, &n, CTR__BPF_LD_W_ABS, 0, 0, CTR__SD_ARG_LO(0));
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 1, CTR__AF_VSOCK);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | EAFNOSUPPORT);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
    ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 1, SYS_clone3);
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | ENOSYS);
    for (i = 0; i < CTR__NDENIED; i++) {
        ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 1, CTR__CAST(uint32_t, ctr__seccomp_denied[i]));
        ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ERRNO | EPERM);
    }
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
    return n;
}

static size_t ctr__bpf_rules(ctr__bpf *f, const ctr_spec *s) {
    size_t n = 0, i;
    ctr__bpf_prologue(f, &n);
    for (i = 0; i < s->nseccomp_rules; i++) {
        const ctr_seccomp_rule *r = &s->seccomp_rules[i];
        ctr__bpf_emit(f, &n, CTR__BPF_JEQ_K, 0, 1, CTR__CAST(uint32_t, r->nr));
        ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0, ctr__seccomp_ret(r->action, r->errno_value));
    }
    ctr__bpf_emit(f, &n, CTR__BPF_RET_K, 0, 0,
                  ctr__seccomp_ret(s->seccomp_default_action, s->seccomp_default_errno));
    return n;
}

/* The interception filter (notify.c): the syscalls in nrs go to the host's listener
   (SECCOMP_RET_USER_NOTIF), everything else is allowed, as far as this filter goes (the plan's own
   filter, stacked below it, still refuses what it refuses: the kernel applies the strictest
   verdict).  Other architectures and x32 fail with ENOSYS, as in the default profile, so their
   numbers cannot slip past.  The child's own calls after this filter is in place (notify.c)
   carry the cookie in argument bits the kernel ignores (the upper half of an int argument, the
   high word of pwritev2's offset) and are allowed. */
#define CTR__SECCOMP_RET_USER_NOTIF 0x7fc00000u
#define CTR__SD_ARG_HI(i)           (20 + 8 * (i))
static size_t ctr__bpf_notify(ctr__bpf *f, const long *nrs, size_t n, uint64_t cookie) {
    uint32_t hi = CTR__CAST(uint32_t, cookie >> 32), lo = CTR__CAST(uint32_t, cookie);
    size_t len = 0, i, j;
    ctr__bpf_prologue(f, &len);
    for (i = 0; i < n; i++) {
        uint32_t off[2], val[2];
        size_t nc = 0, k;
        int seen = 0;
        for (j = 0; j < i && !seen; j++) seen = nrs[j] == nrs[i];
        if (seen) continue;
        if (nrs[i] == SYS_sendmsg || nrs[i] == SYS_execveat) {
            off[0] = CTR__SD_ARG_HI(0); /* the descriptor (an int) */
            val[0] = hi;
            off[1] = CTR__SD_ARG_HI(nrs[i] == SYS_sendmsg ? 2 : 4); /* the flags (an int) */
            val[1] = lo;
            nc = 2;
        } else if (nrs[i] == SYS_pwritev2) {
            off[0] = CTR__SD_ARG_HI(4); /* pos_h: ignored on 64-bit */
            val[0] = hi;
            off[1] = CTR__SD_ARG_LO(4);
            val[1] = lo;
            nc = 2;
        } else if (nrs[i] == SYS_exit_group) {
            off[0] = CTR__SD_ARG_HI(0); /* the status (an int) */
            val[0] = hi;
            nc = 1;
        }
        ctr__bpf_emit(f, &len, CTR__BPF_JEQ_K, 0, CTR__CAST(uint8_t, nc ? 2 * nc + 2 : 1),
                      CTR__CAST(uint32_t, nrs[i]));
        for (k = 0; k < nc; k++) {
            ctr__bpf_emit(f, &len, CTR__BPF_LD_W_ABS, 0, 0, off[k]);
            ctr__bpf_emit(f, &len, CTR__BPF_JEQ_K, 0, CTR__CAST(uint8_t, 2 * (nc - k - 1) + 1),
                          val[k]);
        }
        if (nc) ctr__bpf_emit(f, &len, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
        ctr__bpf_emit(f, &len, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_USER_NOTIF);
    }
    ctr__bpf_emit(f, &len, CTR__BPF_RET_K, 0, 0, CTR__SECCOMP_RET_ALLOW);
    return len;
}

#ifdef CONTAINER_WITH_LIBSECCOMP
/* The same profile and rules compiled by libseccomp, exported as BPF into the plan; the child
   installs it exactly as it installs our own. */
static uint32_t ctr__scmp_action(ctr_seccomp_action a, int e) {
    switch (a) {
    case CTR_SECCOMP_ALLOW: return SCMP_ACT_ALLOW;
    case CTR_SECCOMP_LOG: return SCMP_ACT_LOG;
    case CTR_SECCOMP_KILL: return SCMP_ACT_KILL_PROCESS;
    case CTR_SECCOMP_ERRNO: break;
    }
    return SCMP_ACT_ERRNO(CTR__CAST(uint32_t, e > 0 && e < 4096 ? e : EPERM));
}

static int ctr__scmp_default(scmp_filter_ctx ctx) {
    static const uint64_t ns[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,    CLONE_NEWNET,
                                  CLONE_NEWIPC,  CLONE_NEWUTS, CLONE_NEWCGROUP, CLONE_NEWTIME};
    size_t i;
    int r = 0;
    for (i = 0; r == 0 && i < sizeof(ns) / sizeof(ns[0]); i++)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, ns[i], ns[i]));
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI));
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX));
    if (r == 0)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, CTR__AF_VSOCK));
    if (r == 0) r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    for (i = 0; r == 0 && i < CTR__NDENIED; i++)
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), CTR__CAST(int, ctr__seccomp_denied[i]), 0);
    return r;
}

static int ctr__plan_libseccomp(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    uint32_t def = s->seccomp == CTR_SECCOMP_RULES
                       ? ctr__scmp_action(s->seccomp_default_action, s->seccomp_default_errno)
                       : SCMP_ACT_ALLOW;
    scmp_filter_ctx ctx = seccomp_init(def);
    struct stat st;
    size_t i;
    int r, fd = -1;
    if (!ctx) return ctr__fail(err, CTR_STEP_SECCOMP, ENOMEM, "", "libseccomp: seccomp_init");
    r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
    if (r == 0 && s->seccomp == CTR_SECCOMP_DEFAULT) r = ctr__scmp_default(ctx);
    for (i = 0; r == 0 && s->seccomp == CTR_SECCOMP_RULES && i < s->nseccomp_rules; i++) {
        /* As in the built-in compiler: the first rule for a syscall wins, and a rule that does what
           the default does changes nothing (libseccomp refuses both). */
        uint32_t act =
            ctr__scmp_action(s->seccomp_rules[i].action, s->seccomp_rules[i].errno_value);
        size_t j;
        int seen = act == def;
        for (j = 0; j < i && !seen; j++) seen = s->seccomp_rules[j].nr == s->seccomp_rules[i].nr;
        if (!seen) r = seccomp_rule_add(ctx, act, CTR__CAST(int, s->seccomp_rules[i].nr), 0);
    }
    if (r == 0 && (fd = CTR__CAST(int, syscall(SYS_memfd_create, "ctr-seccomp", MFD_CLOEXEC))) < 0)
        r = -errno;
    if (r == 0) r = seccomp_export_bpf(ctx, fd);
    seccomp_release(ctx);
    if (r == 0 && (fstat(fd, &st) != 0 || st.st_size <= 0 ||
                   st.st_size % CTR__CAST(off_t, sizeof(ctr__bpf)) != 0))
        r = -EINVAL;
    if (r == 0) {
        /* The default profile starts with the head the built-in compiler also uses, then falls
           through into libseccomp's program (which checks the architecture again). */
        size_t head = 0, len = CTR__CAST(size_t, st.st_size) / sizeof(ctr__bpf);
        ctr__bpf *f =
            CTR__CAST(ctr__bpf *, ctr__alloc(p, (len + CTR__BPF_HEAD_MAX) * sizeof(ctr__bpf)));
        if (f && s->seccomp == CTR_SECCOMP_DEFAULT) ctr__bpf_default_head(f, &head);
        if (!f || pread(fd, f + head, CTR__CAST(size_t, st.st_size), 0) != st.st_size)
            r = -EIO;
        else if (head + len > 4096)
            r = -E2BIG;
        p->bpf = f;
        p->bpf_len = head + len;
    }
    ctr__close(&fd);
    if (r != 0) return ctr__fail(err, CTR_STEP_SECCOMP, -r, "", "libseccomp: build the filter");
    return 0;
}
#endif

static int ctr__plan_seccomp(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t cap = 0, i;
    switch (s->seccomp) {
    case CTR_SECCOMP_NONE: return 0;
    case CTR_SECCOMP_DEFAULT: cap = CTR__BPF_DEFAULT_MAX; break;
    case CTR_SECCOMP_RULES:
        if (s->nseccomp_rules && !s->seccomp_rules)
            return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "",
                             "nseccomp_rules is %zu but seccomp_rules is NULL", s->nseccomp_rules);
        for (i = 0; i < s->nseccomp_rules; i++)
            if (s->seccomp_rules[i].nr < 0 || s->seccomp_rules[i].nr > 4095)
                return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "",
                                 "seccomp rule %zu: no syscall number %ld", i,
                                 s->seccomp_rules[i].nr);
        cap = 16 + 2 * s->nseccomp_rules;
        break;
    case CTR_SECCOMP_BPF:
        if (!s->seccomp_bpf || s->seccomp_bpf_len == 0 || s->seccomp_bpf_len > 4096)
            return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "",
                             "seccomp_bpf must hold 1..4096 instructions");
        cap = s->seccomp_bpf_len;
        break;
    default:
        return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "", "unknown seccomp mode %d",
                         CTR__CAST(int, s->seccomp));
    }
    if (cap > 4096)
        return ctr__fail(err, CTR_STEP_SECCOMP, E2BIG, "",
                         "the seccomp filter would exceed 4096 instructions");
#ifdef CONTAINER_WITH_LIBSECCOMP
    if (s->seccomp != CTR_SECCOMP_BPF) return ctr__plan_libseccomp(p, s, err);
#endif
    if (!(p->bpf = CTR__CAST(ctr__bpf *, ctr__alloc(p, cap * sizeof(ctr__bpf)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the seccomp filter");
    if (s->seccomp == CTR_SECCOMP_BPF) {
        memcpy(p->bpf, s->seccomp_bpf, cap * sizeof(ctr__bpf));
        p->bpf_len = cap;
    } else {
        p->bpf_len = s->seccomp == CTR_SECCOMP_DEFAULT ? ctr__bpf_default(p->bpf)
                                                       : ctr__bpf_rules(p->bpf, s);
    }
    CONTAINER_ASSERT(p->bpf_len <= cap);
    return 0;
}

/* The highest capability this kernel knows, read once per process (it cannot change). */
static int ctr__last_cap(void) {
    static int cached;
    char buf[16];
    ssize_t n;
    int fd, v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v) return v;
    v = 40;
    if ((fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC)) >= 0) {
        n = read(fd, buf, sizeof(buf) - 1);
        ctr__close(&fd);
        if (n > 0) {
            buf[n] = '\0';
            if (atoi(buf) > 0 && atoi(buf) < 64) v = atoi(buf);
        }
    }
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    return v;
}

static int ctr__plan_security(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    p->caps_keep = (CTR_CAPS_DEFAULT | s->cap_add) & ~s->cap_drop;
    /* A uid other than 0 has no capabilities, as in Docker, except those explicitly added. */
    p->caps_ambient = (s->cap_add & p->caps_keep);
    p->last_cap = ctr__last_cap();
    p->caps_keep &= p->last_cap >= 63 ? ~0ull : (1ull << (p->last_cap + 1)) - 1;
    p->caps_ambient &= p->caps_keep;
    p->nnp = !s->allow_new_privs;
    p->masks = !s->no_masks;
    /* With init, pid 1 is a copy of the host process: with CAP_SYS_PTRACE over it (real root, no
       user namespace) the command could read the host's memory through /proc/1/mem. */
    if (s->init && !p->userns && (p->caps_keep & CTR_CAP(19)))
        return ctr__fail(
            err, CTR_STEP_CAPS, EINVAL, "",
            "init together with CAP_SYS_PTRACE would let the "
            "container read the host process's memory (pid 1 is a copy of it); use a user "
            "namespace, or drop one of the two");
    return ctr__plan_seccomp(p, s, err);
}
/* ---- end src/security.c ---- */
/* ---- begin src/cgroup.c ---- */
/* cgroup.c - a container's cgroup, in the parent only: the backend for this host (cgroup2.c, the
   primary, or cgroup1.c for hosts that still mount the v1 controllers) is chosen once per
   process; this file makes and removes a container's cgroup through it, and cgfs.c holds the
   file helpers both use.  No code outside cgroup1.c and cgroup2.c knows which version runs.

   Where:  v2 as root: /sys/fs/cgroup/container.h/ctr-PID-N (the library's own subtree).  v2 as
   another user: DELEGATED/container.h/ctr-PID-N, where DELEGATED is the highest ancestor of the
   caller's own cgroup that the caller may write (systemd's user@UID.service).  v1: the same
   container.h/ctr-PID-N under each controller's mount.  spec.cgroup_parent overrides the parent.
   Stale cgroups of a crashed host (ctr-PID-* whose PID is gone) are removed by the next process
   that creates a container cgroup in the same parent. */

#define CTR__CG2_MAGIC 0x63677270L

/* The backend of this host: v2 when /sys/fs/cgroup is a cgroup2 mount; otherwise v1 (a v1 or
   hybrid host has a tmpfs there, and its cgroup2 at unified/, if any, has no controllers we
   could use).  Detected once per process: a host does not change its cgroup layout under a
   running program. */
static const ctr__cg_backend *ctr__cg_host(ctr_error *err) {
    static int cached; /* 0: not yet, 1: v1, 2: v2 */
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    long type = 0;
    if (!v) {
        if (ctr__statfs_type(CTR__CG_ROOT, &type) != 0) {
            ctr__fail(err, CTR_STEP_CGROUP, errno, CTR__CG_ROOT, "cgroups are not mounted at %s",
                      CTR__CG_ROOT);
            return NULL;
        }
        v = type == CTR__CG2_MAGIC ? 2 : 1;
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v == 2 ? ctr__cg2() : ctr__cg1();
}

static void ctr__cg_init(ctr__cgroup *cg) {
    int i;
    cg->be = NULL;
    cg->dir = NULL;
    cg->dirfd = -1;
    for (i = 0; i < CTR__V1_N; i++) cg->v1[i] = NULL;
}

/* Creates and configures the container's cgroup if the plan wants one.  On failure everything
   made so far is removed by the caller's ctr__cg_destroy. */
static int ctr__cg_create(ctr__cgroup *cg, const ctr__cg_req *req, ctr_error *err) {
    const ctr__cg_backend *be;
    if (!req->wanted) return 0;
    if (!(be = ctr__cg_host(err))) return -1;
    cg->be = be;
    return be->create(cg, req, err);
}

/* Kills what is left, waits (up to 5 s) for the cgroup to empty, removes it, frees cg. */
static void ctr__cg_destroy(ctr__cgroup *cg) {
    int i, tries;
    if (cg->be) {
        for (tries = 0; tries < 500 && cg->be->populated(cg); tries++) {
            if (tries % 50 == 0) cg->be->kill(cg);
            ctr__sleep_ms(10);
        }
        cg->be->remove(cg);
    }
    ctr__close(&cg->dirfd);
    CONTAINER_FREE(cg->dir);
    for (i = 0; i < CTR__V1_N; i++) CONTAINER_FREE(cg->v1[i]);
    ctr__cg_init(cg);
}
/* ---- end src/cgroup.c ---- */
/* ---- begin src/cgfs.c ---- */
/* cgfs.c - the cgroup filesystem, for both backends (cgroup1.c, cgroup2.c) and cgroup.c: reading
   and writing cgroup files, naming, making and sweeping container cgroups, opening cgroup.procs,
   killing what it lists.  Parent side only. */

static int ctr__statfs_type(const char *path, long *type) {
    struct statfs st;
    if (statfs(path, &st) != 0) return -1;
    *type = CTR__CAST(long, st.f_type);
    return 0;
}

/* Writes val to dir/file.  0, or -1 with errno. */
static int ctr__cg_put(const char *dir, const char *file, const char *val) {
    char path[PATH_MAX];
    size_t len = strlen(val);
    ssize_t w;
    int fd;
    if (ctr__join(path, sizeof(path), dir, "/", file) != 0 ||
        (fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
        return -1;
    w = write(fd, val, len);
    ctr__close(&fd);
    return w == CTR__CAST(ssize_t, len) ? 0 : -1;
}

static int ctr__cg_set(const char *dir, const char *file, const char *val, ctr_error *err) {
    if (ctr__cg_put(dir, file, val) == 0) return 0;
    return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "write \"%s\" to %s/%s", val, dir, file);
}

/* Reads dir/file into buf (NUL-terminated); length or -1. */
static ssize_t ctr__cg_get(const char *dir, const char *file, char *buf, size_t size) {
    char path[PATH_MAX];
    ssize_t n;
    int fd;
    if (ctr__join(path, sizeof(path), dir, "/", file) != 0 ||
        (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    do n = read(fd, buf, size - 1);
    while (n < 0 && errno == EINTR);
    ctr__close(&fd);
    if (n < 0) return -1;
    buf[n] = '\0';
    return n;
}

/* The number in dir/file, or dflt if there is no such file (controller not used, old kernel). */
static uint64_t ctr__cg_get_u64(const char *dir, const char *file, uint64_t dflt) {
    char buf[64];
    if (!dir || ctr__cg_get(dir, file, buf, sizeof(buf)) <= 0) return dflt;
    return CTR__CAST(uint64_t, strtoull(buf, NULL, 10));
}

/* The value after "key " in a "key value" file (memory.events, cpu.stat). */
static uint64_t ctr__cg_get_key(const char *dir, const char *file, const char *key) {
    char buf[4096];
    size_t k = strlen(key);
    const char *s;
    if (!dir || ctr__cg_get(dir, file, buf, sizeof(buf)) <= 0) return 0;
    for (s = buf; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
        if (strncmp(s, key, k) == 0 && s[k] == ' ')
            return CTR__CAST(uint64_t, strtoull(s + k + 1, NULL, 10));
    return 0;
}

/* Removes ctr-PID-* directories of dead PIDs in parent (each rmdir only works if it is empty). */
static void ctr__cg_sweep(const char *parent) {
    DIR *d = opendir(parent);
    struct dirent *e;
    if (!d) return;
    while ((e = readdir(d)) != NULL) {
        long pid;
        char *end;
        if (strncmp(e->d_name, "ctr-", 4) != 0) continue;
        pid = strtol(e->d_name + 4, &end, 10);
        if (end == e->d_name + 4 || *end != '-' || pid <= 0) continue;
        if (kill(CTR__CAST(pid_t, pid), 0) == 0 || errno != ESRCH) continue;
        {
            char path[PATH_MAX];
            if (ctr__join(path, sizeof(path), parent, "/", e->d_name) == 0) (void)rmdir(path);
        }
    }
    closedir(d);
}

/* "ctr-PID-N": unique among this process's containers; the PID lets a later process tell a
   stale cgroup from a live one. */
static void ctr__cg_name(char *name, size_t size) {
    static unsigned counter;
    snprintf(name, size, "ctr-%ld-%u", CTR__CAST(long, getpid()),
             __atomic_add_fetch(&counter, 1u, __ATOMIC_RELAXED));
}

/* mkdir parent/name; on the first use of that hierarchy (slot: 0 for v2, 1 + the v1 controller)
   in this process, sweep the parent for stale ones. */
static char *ctr__cg_mkdir_container(const char *parent, const char *name, int slot,
                                     ctr_error *err) {
    static int swept[1 + CTR__V1_N];
    char *dir;
    if (!__atomic_exchange_n(&swept[slot], 1, __ATOMIC_RELAXED)) ctr__cg_sweep(parent);
    if (!(dir = ctr__pathdup(parent, name))) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate a cgroup path");
        return NULL;
    }
    if (mkdir(dir, 0755) != 0) {
        ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "create cgroup %s", dir);
        CONTAINER_FREE(dir);
        return NULL;
    }
    return dir;
}

static int ctr__cg_mkdir_p(const char *dir, ctr_error *err) {
    if (mkdir(dir, 0755) == 0 || errno == EEXIST) return 0;
    return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "create cgroup %s", dir);
}

/* mkdir -p of a cgroup directory (its parents too). */
static int ctr__cg_mkdir_all(const char *dir, ctr_error *err) {
    char path[PATH_MAX];
    char *slash;
    if (ctr__join(path, sizeof(path), dir, "", "") != 0)
        return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "cgroup path %s", dir);
    for (slash = path + 1; (slash = strchr(slash, '/')) != NULL; slash++) {
        *slash = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, path, "create cgroup %s", path);
        *slash = '/';
    }
    return ctr__cg_mkdir_p(dir, err);
}

/* Opens dir/cgroup.procs for writing (close-on-exec, above 2): the child writes "0" into it,
   which moves the writer.  The fd, or -1. */
static int ctr__cg_open_procs(const char *dir, ctr_error *err) {
    char path[PATH_MAX];
    int fd = -1;
    if (ctr__join(path, sizeof(path), dir, "/", "cgroup.procs") != 0 ||
        (fd = open(path, O_WRONLY | O_CLOEXEC)) < 0 || ctr__lift(&fd) != 0) {
        ctr__close(&fd);
        return ctr__fail(err, CTR_STEP_CGROUP, errno, path, "open %s", path);
    }
    return fd;
}

/* SIGKILLs every pid listed in dir/cgroup.procs, reading it to the end (a read returns at most a
   page of it); returns how many it saw. */
static int ctr__cg_kill_listed(const char *dir) {
    char path[PATH_MAX], buf[4096];
    size_t have = 0;
    int fd, n = 0;
    if (ctr__join(path, sizeof(path), dir, "/", "cgroup.procs") != 0 ||
        (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);
        char *s, *nl;
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        have += CTR__CAST(size_t, r);
        buf[have] = '\0';
        for (s = buf; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
            long pid = strtol(s, NULL, 10);
            if (pid > 0) kill(CTR__CAST(pid_t, pid), SIGKILL);
            n++;
        }
        have = strlen(s); /* a line cut by the page end waits for the next read */
        memmove(buf, s, have);
    }
    ctr__close(&fd);
    return n;
}
/* ---- end src/cgfs.c ---- */
/* ---- begin src/cgroup2.c ---- */
/* cgroup2.c - the cgroup v2 backend (the primary one): one cgroup per container, the child born
   in it with clone3's CLONE_INTO_CGROUP (Linux 5.7; where clone3 is missing the child moves
   itself through cgroup.procs), cgroup.kill (5.14) to kill, cgroup.freeze to pause. */

static int ctr__cg2_check(const ctr__cg_req *req, ctr_error *err) {
    (void)req;
    (void)err;
    return 0;
}

/* Is the controller name a word of the space-separated list? */
static int ctr__word_in(const char *list, const char *word) {
    size_t n = strlen(word);
    const char *s = list;
    while ((s = strstr(s, word)) != NULL) {
        if ((s == list || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\n' || s[n] == '\0')) return 1;
        s += n;
    }
    return 0;
}

/* Enables the controllers in dir's cgroup.subtree_control that are not yet enabled.  Those in
   `required` must be available; the others are enabled only if they are. */
static int ctr__cg2_enable(const char *dir, const char *const *ctrls, const int *required, int n,
                           ctr_error *err) {
    char avail[512], on[512];
    int i;
    if (ctr__cg_get(dir, "cgroup.controllers", avail, sizeof(avail)) < 0 ||
        ctr__cg_get(dir, "cgroup.subtree_control", on, sizeof(on)) < 0)
        return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "read the controllers of cgroup %s",
                         dir);
    for (i = 0; i < n; i++) {
        char plus[32];
        if (ctr__word_in(on, ctrls[i])) continue;
        if (!ctr__word_in(avail, ctrls[i])) {
            if (!required[i]) continue;
            return ctr__fail(
                err, CTR_STEP_CGROUP, EOPNOTSUPP, dir,
                "the %s controller is not available in cgroup %s (not enabled by its parent, or "
                "not delegated: with systemd, Delegate=yes on the unit or user@.service)",
                ctrls[i], dir);
        }
        snprintf(plus, sizeof(plus), "+%s", ctrls[i]);
        if (ctr__cg_put(dir, "cgroup.subtree_control", plus) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, dir, "enable the %s controller in %s",
                             ctrls[i], dir);
    }
    return 0;
}

/* The caller's own cgroup v2 path ("/user.slice/..."), from /proc/self/cgroup. */
static int ctr__cg2_self(char *buf, size_t size) {
    char data[4096];
    const char *s;
    ssize_t n;
    int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    n = read(fd, data, sizeof(data) - 1);
    ctr__close(&fd);
    if (n <= 0) return -1;
    data[n] = '\0';
    for (s = data; s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
        if (strncmp(s, "0::", 3) == 0) {
            size_t len = strcspn(s + 3, "\n");
            if (len + 1 > size) return -1;
            memcpy(buf, s + 3, len);
            buf[len] = '\0';
            return 0;
        }
    errno = ENOENT;
    return -1;
}

/* Unprivileged: the highest writable ancestor of our own cgroup, which is where systemd (or
   whoever) delegated a subtree to us.  Our own cgroup holds processes, so it cannot be used. */
static int ctr__cg2_delegated(char *out, size_t size, ctr_error *err) {
    char self[PATH_MAX], path[PATH_MAX];
    char *slash;
    int found = 0;
    if (ctr__cg2_self(self, sizeof(self)) != 0)
        return ctr__fail(err, CTR_STEP_CGROUP, errno, "/proc/self/cgroup",
                         "find the caller's cgroup");
    for (;;) {
        if (!(slash = strrchr(self, '/')) || slash == self) break;
        *slash = '\0'; /* up one level: never our own cgroup */
        if (ctr__join(path, sizeof(path), CTR__CG_ROOT, "", self) != 0 || access(path, W_OK) != 0)
            break;
        if (ctr__join(out, size, path, "", "") != 0) break;
        found = 1;
    }
    if (!found)
        return ctr__fail(
            err, CTR_STEP_CGROUP, EACCES, CTR__CG_ROOT,
            "no cgroup is delegated to this user, so limits cannot be applied (run as root, "
            "or in a systemd user session: systemd-run --user --scope -p Delegate=yes ...; "
            "or set cgroup_parent to a cgroup you own)");
    return 0;
}

/* /proc/swaps lists a swap area after its header line. */
static int ctr__host_has_swap(void) {
    char buf[256];
    ssize_t n;
    int fd = open("/proc/swaps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    n = read(fd, buf, sizeof(buf) - 1);
    ctr__close(&fd);
    if (n <= 0) return 1;
    buf[n] = '\0';
    return strchr(buf, '\n') && strchr(buf, '\n')[1] != '\0';
}

static int ctr__cg2_limits(const char *dir, const ctr__cg_req *s, ctr_error *err) {
    char v[64];
    if (s->memory_max) {
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->memory_max));
        if (ctr__cg_set(dir, "memory.max", v, err) != 0) return -1;
    }
    if (s->memory_max || s->memory_swap_max) {
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->memory_swap_max));
        /* Without swap accounting the file is missing: fine when the host has no swap at all. */
        if (ctr__cg_put(dir, "memory.swap.max", v) != 0 &&
            (errno != ENOENT || s->memory_swap_max || ctr__host_has_swap()))
            return ctr__fail(err, CTR_STEP_CGROUP, errno, dir,
                             "write \"%s\" to %s/memory.swap.max (swap cannot be "
                             "limited without swap accounting)",
                             v, dir);
    }
    if (s->pids_max) {
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->pids_max));
        if (ctr__cg_set(dir, "pids.max", v, err) != 0) return -1;
    }
    if (s->cpus > 0) {
        long long quota = CTR__CAST(long long, s->cpus * 100000.0);
        snprintf(v, sizeof(v), "%lld 100000", quota < 1000 ? 1000 : quota);
        if (ctr__cg_set(dir, "cpu.max", v, err) != 0) return -1;
    }
    if (s->cpu_weight) {
        snprintf(v, sizeof(v), "%u", s->cpu_weight);
        if (ctr__cg_set(dir, "cpu.weight", v, err) != 0) return -1;
    }
    if (s->io_weight) {
        snprintf(v, sizeof(v), "default %u", s->io_weight);
        if (ctr__cg_set(dir, "io.weight", v, err) != 0) return -1;
    }
    return 0;
}

/* Writes spec.cgroup_settings into dir, after the limits. */
static int ctr__cg2_settings(const char *dir, const ctr__cg_req *s, ctr_error *err) {
    size_t i;
    for (i = 0; i < s->nsettings; i++)
        if (ctr__cg_set(dir, s->settings[2 * i], s->settings[2 * i + 1], err) != 0) return -1;
    return 0;
}

/* Does a setting name the controller ("cpuset" for "cpuset.cpus")? */
static int ctr__cg2_wants(const ctr__cg_req *s, const char *ctrl) {
    size_t i, n = strlen(ctrl);
    for (i = 0; i < s->nsettings; i++)
        if (strncmp(s->settings[2 * i], ctrl, n) == 0 && s->settings[2 * i][n] == '.') return 1;
    return 0;
}

static int ctr__cg2_create(ctr__cgroup *cg, const ctr__cg_req *s, ctr_error *err) {
    static const char *const ctrls[] = {"memory", "pids",    "cpu",  "io",
                                        "cpuset", "hugetlb", "rdma", "misc"};
    int req[8], k;
    char parent[PATH_MAX], name[64];
    req[0] = s->memory_max || s->memory_swap_max;
    req[1] = s->pids_max != 0;
    req[2] = s->cpus > 0 || s->cpu_weight;
    req[3] = s->io_weight != 0;
    for (k = 4; k < 8; k++) req[k] = 0;
    for (k = 0; k < 8; k++) req[k] |= ctr__cg2_wants(s, ctrls[k]);
    if (s->path) { /* exactly there: every ancestor enables the controllers, the leaf is made */
        char *slash;
        int full = strncmp(s->path, CTR__CG_ROOT "/", sizeof(CTR__CG_ROOT)) == 0;
        if (ctr__join(parent, sizeof(parent), full ? "" : CTR__CG_ROOT,
                      full || s->path[0] == '/' ? "" : "/", s->path) != 0 ||
            !(cg->dir = ctr__pathdup(parent, NULL)))
            return ctr__fail(err, CTR_STEP_CGROUP, ENAMETOOLONG, s->path, "cgroup path %s",
                             s->path);
        if (!s->existing) {
            for (slash = parent + sizeof(CTR__CG_ROOT); (slash = strchr(slash, '/')) != NULL;
                 slash++) {
                *slash = '\0';
                if (ctr__cg_mkdir_p(parent, err) != 0) return -1;
                *slash = '/';
            }
            strcpy(parent, CTR__CG_ROOT);
            for (slash = cg->dir + sizeof(CTR__CG_ROOT);; slash++) {
                if (ctr__cg2_enable(parent, ctrls, req, 8, err) != 0) return -1;
                if (!(slash = strchr(slash, '/'))) break;
                memcpy(parent, cg->dir, CTR__CAST(size_t, slash - cg->dir));
                parent[slash - cg->dir] = '\0';
            }
            if (ctr__cg_mkdir_p(cg->dir, err) != 0) return -1;
        }
        if ((cg->dirfd = open(cg->dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
            ctr__lift(&cg->dirfd) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, cg->dir, "open cgroup %s", cg->dir);
        if (s->existing) return 0;
        if (ctr__cg2_limits(cg->dir, s, err) != 0) return -1;
        return ctr__cg2_settings(cg->dir, s, err);
    }
    if (s->parent) {
        /* "/sys/fs/cgroup/x", or a path relative to /sys/fs/cgroup ("x" or "/x") */
        const char *cp = s->parent;
        int full = strncmp(cp, CTR__CG_ROOT "/", sizeof(CTR__CG_ROOT)) == 0;
        if (ctr__join(parent, sizeof(parent), full ? "" : CTR__CG_ROOT,
                      full || cp[0] == '/' ? "" : "/", cp) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, cp, "cgroup path %s", cp);
    } else {
        char base[PATH_MAX];
        if (geteuid() == 0)
            strcpy(base, CTR__CG_ROOT);
        else if (ctr__cg2_delegated(base, sizeof(base), err) != 0)
            return -1;
        if (ctr__cg2_enable(base, ctrls, req, 8, err) != 0) return -1;
        if (ctr__join(parent, sizeof(parent), base, "/", CTR__CG_SUBTREE) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, base, "cgroup path under %s", base);
        if (ctr__cg_mkdir_p(parent, err) != 0) return -1;
    }
    if (ctr__cg2_enable(parent, ctrls, req, 8, err) != 0) return -1;
    ctr__cg_name(name, sizeof(name));
    if (!(cg->dir = ctr__cg_mkdir_container(parent, name, 0, err))) return -1;
    if ((cg->dirfd = open(cg->dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
        ctr__lift(&cg->dirfd) != 0)
        return ctr__fail(err, CTR_STEP_CGROUP, errno, cg->dir, "open cgroup %s", cg->dir);
    if (ctr__cg2_limits(cg->dir, s, err) != 0) return -1;
    return ctr__cg2_settings(cg->dir, s, err);
}

static int ctr__cg2_clone_into(const ctr__cgroup *cg) { return cg->dirfd; }

static int ctr__cg2_procs_fds(const ctr__cgroup *cg, int *fds, int max, ctr_error *err) {
    if (max < 1) return 0;
    return (fds[0] = ctr__cg_open_procs(cg->dir, err)) < 0 ? -1 : 1;
}

static int ctr__cg2_populated(const ctr__cgroup *cg) {
    return ctr__cg_get_key(cg->dir, "cgroup.events", "populated") != 0;
}

static int ctr__cg2_frozen(const ctr__cgroup *cg) {
    return ctr__cg_get_key(cg->dir, "cgroup.events", "frozen") == 1;
}

/* Freezes or thaws; freezing returns once the whole cgroup is frozen (or after 5 s). */
static int ctr__cg2_freeze(const ctr__cgroup *cg, int on, ctr_error *err) {
    int tries;
    if (ctr__cg_set(cg->dir, "cgroup.freeze", on ? "1" : "0", err) != 0) return -1;
    for (tries = 0; on && tries < 500 && !ctr__cg2_frozen(cg); tries++) ctr__sleep_ms(10);
    return 0;
}

/* SIGKILL to every process: cgroup.kill (Linux 5.14), else rounds of freeze (no fork behind our
   back), kill each listed, thaw, until the list is empty. */
static void ctr__cg2_kill(const ctr__cgroup *cg) {
    int rounds;
    if (ctr__cg_put(cg->dir, "cgroup.kill", "1") == 0) return;
    for (rounds = 0; rounds < 20; rounds++) {
        int n, waited;
        (void)ctr__cg_put(cg->dir, "cgroup.freeze", "1");
        for (waited = 0; waited < 1000 && !ctr__cg2_frozen(cg); waited += 2) ctr__sleep_ms(2);
        n = ctr__cg_kill_listed(cg->dir);
        (void)ctr__cg_put(cg->dir, "cgroup.freeze", "0");
        if (n == 0) break;
        ctr__sleep_ms(1);
    }
}

/* After the container exited: OOM kills, peak memory (memory.peak, Linux 5.19), CPU times. */
static void ctr__cg2_result(const ctr__cgroup *cg, ctr_result *r) {
    r->oom_killed = ctr__cg_get_key(cg->dir, "memory.events", "oom_kill") > 0;
    r->memory_peak = ctr__cg_get_u64(cg->dir, "memory.peak", r->memory_peak);
    r->cpu_user_ns = CTR__CAST(int64_t, ctr__cg_get_key(cg->dir, "cpu.stat", "user_usec")) * 1000;
    r->cpu_system_ns =
        CTR__CAST(int64_t, ctr__cg_get_key(cg->dir, "cpu.stat", "system_usec")) * 1000;
}

static void ctr__cg2_stats(const ctr__cgroup *cg, ctr_usage *u) {
    u->memory_current = ctr__cg_get_u64(cg->dir, "memory.current", 0);
    u->pids_current = ctr__cg_get_u64(cg->dir, "pids.current", 0);
    u->cpu_usage_ns = CTR__CAST(int64_t, ctr__cg_get_key(cg->dir, "cpu.stat", "usage_usec")) * 1000;
}

static void ctr__cg2_remove(const ctr__cgroup *cg) {
    if (cg->dir) (void)rmdir(cg->dir);
}

static const char *ctr__cg2_path(const ctr__cgroup *cg) { return cg->dir ? cg->dir : ""; }

static const ctr__cg_backend *ctr__cg2(void) {
    static const ctr__cg_backend be = {2,
                                       1,
                                       ctr__cg2_check,
                                       ctr__cg2_create,
                                       ctr__cg2_clone_into,
                                       ctr__cg2_procs_fds,
                                       ctr__cg2_populated,
                                       ctr__cg2_freeze,
                                       ctr__cg2_frozen,
                                       ctr__cg2_kill,
                                       ctr__cg2_remove,
                                       ctr__cg2_result,
                                       ctr__cg2_stats,
                                       ctr__cg2_path};
    return &be;
}
/* ---- end src/cgroup2.c ---- */
/* ---- begin src/cgroup1.c ---- */
/* cgroup1.c - the cgroup v1 backend, for hosts that still mount the v1 controllers (memory, pids,
   cpu, cpuacct, freezer, blkio under /sys/fs/cgroup/<name>): one directory per controller the
   container needs, the child moving itself into each (it writes "0" to their cgroup.procs before
   anything else), the freezer to pause and to kill. */

#define CTR__CG1_MAGIC 0x27e0ebL

static const char *const ctr__v1_names[CTR__V1_N] = {"memory",  "pids",     "cpu",    "cpuacct",
                                                     "freezer", "blkio",    "cpuset", "hugetlb",
                                                     "net_cls", "net_prio", "devices"};

/* The controller a setting's file belongs to (its name up to the first dot), or -1. */
static int ctr__cg1_of(const char *file) {
    size_t n = strcspn(file, ".");
    int i;
    for (i = 0; i < CTR__V1_N; i++)
        if (strlen(ctr__v1_names[i]) == n && strncmp(file, ctr__v1_names[i], n) == 0) return i;
    return -1;
}

/* cpuset: a new cgroup has no CPUs and no memory nodes, and takes no process until it has; each
   directory made gets its parent's (as runc does). */
static int ctr__cg1_cpuset_fill(const char *dir, ctr_error *err) {
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    char parent[PATH_MAX], v[4096];
    int i;
    char *slash;
    if (ctr__join(parent, sizeof(parent), dir, "", "") != 0 || !(slash = strrchr(parent, '/')))
        return 0;
    *slash = '\0';
    for (i = 0; i < 2; i++) {
        ssize_t n = ctr__cg_get(dir, files[i], v, sizeof(v));
        if (n > 0 && v[0] != '\n') continue; /* set already */
        if (ctr__cg1_cpuset_fill(parent, err) != 0) return -1;
        if ((n = ctr__cg_get(parent, files[i], v, sizeof(v))) <= 0) continue;
        if (ctr__cg_set(dir, files[i], v, err) != 0) return -1;
    }
    return 0;
}

static int ctr__cg1_check(const ctr__cg_req *s, ctr_error *err) {
    if (s->parent && strncmp(s->parent, CTR__CG_ROOT "/", sizeof(CTR__CG_ROOT)) == 0)
        return ctr__fail(
            err, CTR_STEP_CGROUP, EINVAL, s->parent,
            "with cgroup v1, cgroup_parent is a path inside each controller's hierarchy, "
            "not under %s",
            CTR__CG_ROOT);
    if (s->memory_swap_max && !s->memory_max)
        return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "",
                         "with cgroup v1, memory_swap_max needs memory_max");
    return 0;
}

static int ctr__cg1_limits(const ctr__cgroup *cg, const ctr__cg_req *s, ctr_error *err) {
    char v[64];
    const char *mem = cg->v1[CTR__V1_MEMORY], *cpu = cg->v1[CTR__V1_CPU];
    if (s->memory_max) {
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->memory_max));
        if (ctr__cg_set(mem, "memory.limit_in_bytes", v, err) != 0) return -1;
        snprintf(v, sizeof(v), "%llu",
                 CTR__CAST(unsigned long long, s->memory_max + s->memory_swap_max));
        if (ctr__cg_put(mem, "memory.memsw.limit_in_bytes", v) != 0) {
            if (errno != ENOENT || s->memory_swap_max)
                return ctr__fail(err, CTR_STEP_CGROUP, errno, mem,
                                 "write \"%s\" to %s/memory.memsw.limit_in_bytes", v, mem);
            (void)ctr__cg_put(mem, "memory.swappiness", "0"); /* no swap accounting: avoid swap */
        }
    }
    if (s->pids_max) {
        snprintf(v, sizeof(v), "%llu", CTR__CAST(unsigned long long, s->pids_max));
        if (ctr__cg_set(cg->v1[CTR__V1_PIDS], "pids.max", v, err) != 0) return -1;
    }
    if (s->cpus > 0) {
        long long quota = CTR__CAST(long long, s->cpus * 100000.0);
        snprintf(v, sizeof(v), "%lld", quota < 1000 ? 1000 : quota);
        if (ctr__cg_set(cpu, "cpu.cfs_period_us", "100000", err) != 0 ||
            ctr__cg_set(cpu, "cpu.cfs_quota_us", v, err) != 0)
            return -1;
    }
    if (s->cpu_weight) {
        snprintf(v, sizeof(v), "%u",
                 s->cpu_weight * 1024u / 100u < 2u ? 2u : s->cpu_weight * 1024u / 100u);
        if (ctr__cg_set(cpu, "cpu.shares", v, err) != 0) return -1;
    }
    if (s->io_weight) {
        /* Same scale as v2 (default 100); v1 takes 10..1000 (blkio.weight) or 1..1000 (BFQ). */
        unsigned w = s->io_weight < 10u ? 10u : (s->io_weight > 1000u ? 1000u : s->io_weight);
        snprintf(v, sizeof(v), "%u", w);
        if (ctr__cg_put(cg->v1[CTR__V1_BLKIO], "blkio.weight", v) != 0 &&
            ctr__cg_put(cg->v1[CTR__V1_BLKIO], "blkio.bfq.weight", v) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, cg->v1[CTR__V1_BLKIO],
                             "set blkio weight %s (cgroup v1 io weights need the BFQ scheduler)",
                             v);
    }
    return 0;
}

static int ctr__cg1_create(ctr__cgroup *cg, const ctr__cg_req *s, ctr_error *err) {
    int use[CTR__V1_N], i;
    char name[64];
    use[CTR__V1_MEMORY] = s->memory_max || s->memory_swap_max || s->always;
    use[CTR__V1_PIDS] = s->pids_max || s->always;
    use[CTR__V1_CPU] = s->cpus > 0 || s->cpu_weight;
    use[CTR__V1_CPUACCT] = 1;
    use[CTR__V1_FREEZER] = 1;
    use[CTR__V1_BLKIO] = s->io_weight != 0;
    for (i = CTR__V1_CPUSET; i < CTR__V1_N; i++) use[i] = 0;
    for (i = 0; i < CTR__CAST(int, s->nsettings); i++) {
        int k = ctr__cg1_of(s->settings[2 * i]);
        if (k < 0)
            return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, s->settings[2 * i],
                             "cgroup setting %s: no cgroup v1 controller of that name is used "
                             "(memory, pids, cpu, cpuacct, freezer, blkio, cpuset, hugetlb, "
                             "net_cls, net_prio, devices)",
                             s->settings[2 * i]);
        use[k] = 1;
    }
    if (s->existing)
        for (i = 0; i < CTR__V1_N; i++) use[i] = 1; /* those that have the directory */
    ctr__cg_name(name, sizeof(name));
    for (i = 0; i < CTR__V1_N; i++) {
        char mount[PATH_MAX], real[PATH_MAX], parent[PATH_MAX];
        long type;
        int j, shared = 0;
        if (!use[i]) continue;
        (void)ctr__join(mount, sizeof(mount), CTR__CG_ROOT, "/", ctr__v1_names[i]);
        if (ctr__statfs_type(mount, &type) != 0 || type != CTR__CG1_MAGIC ||
            !realpath(mount, real)) {
            if (s->existing) continue;
            return ctr__fail(err, CTR_STEP_CGROUP, ENOENT, mount,
                             "the cgroup v1 %s controller is not mounted at %s", ctr__v1_names[i],
                             mount);
        }
        /* Co-mounted controllers (cpu,cpuacct) share one directory. */
        for (j = 0; j < i; j++)
            if (cg->v1[j] && strncmp(cg->v1[j], real, strlen(real)) == 0 &&
                cg->v1[j][strlen(real)] == '/') {
                if (!(cg->v1[i] = ctr__pathdup(cg->v1[j], NULL)))
                    return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate");
                shared = 1;
                break;
            }
        if (shared) continue;
        if (s->path) { /* exactly there (made with its parents), or found (ctr_attach) */
            struct stat st;
            if (ctr__join(parent, sizeof(parent), real, "/", s->path + (s->path[0] == '/')) != 0)
                return ctr__fail(err, CTR_STEP_CGROUP, errno, real, "cgroup path under %s", real);
            if (s->existing && (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))) continue;
            if (!s->existing && ctr__cg_mkdir_all(parent, err) != 0) return -1;
            if (!(cg->v1[i] = ctr__pathdup(parent, NULL)))
                return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate");
            continue;
        }
        if (ctr__join(parent, sizeof(parent), real, "/",
                      s->parent ? s->parent + (s->parent[0] == '/') : CTR__CG_SUBTREE) != 0)
            return ctr__fail(err, CTR_STEP_CGROUP, errno, real, "cgroup path under %s", real);
        if (!s->parent && ctr__cg_mkdir_p(parent, err) != 0) return -1;
        if (!(cg->v1[i] = ctr__cg_mkdir_container(parent, name, 1 + i, err))) return -1;
    }
    if (s->existing) {
        for (i = 0; i < CTR__V1_N && !cg->v1[i]; i++) {}
        if (i == CTR__V1_N)
            return ctr__fail(err, CTR_STEP_CGROUP, ENOENT, s->path, "no cgroup %s", s->path);
        return 0;
    }
    if (ctr__cg1_limits(cg, s, err) != 0) return -1;
    if (cg->v1[CTR__V1_CPUSET] && ctr__cg1_cpuset_fill(cg->v1[CTR__V1_CPUSET], err) != 0) return -1;
    for (i = 0; i < CTR__CAST(int, s->nsettings); i++) {
        const char *dir = cg->v1[ctr__cg1_of(s->settings[2 * i])];
        if (ctr__cg_set(dir, s->settings[2 * i], s->settings[2 * i + 1], err) != 0) return -1;
    }
    return 0;
}

static int ctr__cg1_clone_into(const ctr__cgroup *cg) {
    (void)cg;
    return -1;
}

/* One cgroup.procs per distinct directory (co-mounted controllers share one). */
static int ctr__cg1_procs_fds(const ctr__cgroup *cg, int *fds, int max, ctr_error *err) {
    int i, n = 0;
    for (i = 0; i < CTR__V1_N; i++) {
        int j, dup = 0;
        if (!cg->v1[i]) continue;
        for (j = 0; j < i; j++) dup |= cg->v1[j] && strcmp(cg->v1[i], cg->v1[j]) == 0;
        if (dup) continue;
        if (n == max)
            return ctr__fail(err, CTR_STEP_CGROUP, E2BIG, "", "too many cgroup directories");
        if ((fds[n] = ctr__cg_open_procs(cg->v1[i], err)) < 0) {
            while (n > 0) ctr__close(&fds[--n]);
            return -1;
        }
        n++;
    }
    return n;
}

static int ctr__cg1_populated(const ctr__cgroup *cg) {
    char buf[64];
    int i;
    for (i = 0; i < CTR__V1_N; i++)
        if (cg->v1[i] && ctr__cg_get(cg->v1[i], "cgroup.procs", buf, sizeof(buf)) > 0) return 1;
    return 0;
}

static int ctr__cg1_frozen(const ctr__cgroup *cg) {
    char buf[64];
    return cg->v1[CTR__V1_FREEZER] &&
           ctr__cg_get(cg->v1[CTR__V1_FREEZER], "freezer.state", buf, sizeof(buf)) > 0 &&
           strncmp(buf, "FROZEN", 6) == 0;
}

/* Freezes or thaws; freezing returns once the whole cgroup is frozen (or after 5 s). */
static int ctr__cg1_freeze(const ctr__cgroup *cg, int on, ctr_error *err) {
    int tries;
    if (ctr__cg_set(cg->v1[CTR__V1_FREEZER], "freezer.state", on ? "FROZEN" : "THAWED", err) != 0)
        return -1;
    for (tries = 0; on && tries < 500 && !ctr__cg1_frozen(cg); tries++) ctr__sleep_ms(10);
    return 0;
}

/* SIGKILL to every process: rounds of freeze (no fork behind our back), kill each listed, thaw
   (a frozen process dies only once thawed), until the list is empty.  Kill only once every task
   is frozen (up to 1 s), as runc does, rather than while they are still freezing. */
static void ctr__cg1_kill(const ctr__cgroup *cg) {
    const char *freezer = cg->v1[CTR__V1_FREEZER], *procs = cg->v1[CTR__V1_CPUACCT];
    int rounds;
    if (!procs) return;
    for (rounds = 0; rounds < 20; rounds++) {
        int n, waited;
        if (freezer) {
            (void)ctr__cg_put(freezer, "freezer.state", "FROZEN");
            for (waited = 0; waited < 1000 && !ctr__cg1_frozen(cg); waited += 2) ctr__sleep_ms(2);
        }
        n = ctr__cg_kill_listed(procs);
        if (freezer) (void)ctr__cg_put(freezer, "freezer.state", "THAWED");
        if (n == 0) break;
        ctr__sleep_ms(1);
    }
}

static void ctr__cg1_result(const ctr__cgroup *cg, ctr_result *r) {
    const char *mem = cg->v1[CTR__V1_MEMORY], *acct = cg->v1[CTR__V1_CPUACCT];
    r->oom_killed = ctr__cg_get_key(mem, "memory.oom_control", "oom_kill") > 0;
    r->memory_peak = ctr__cg_get_u64(mem, "memory.max_usage_in_bytes", r->memory_peak);
    r->cpu_user_ns = CTR__CAST(
        int64_t, ctr__cg_get_u64(acct, "cpuacct.usage_user", CTR__CAST(uint64_t, r->cpu_user_ns)));
    r->cpu_system_ns = CTR__CAST(
        int64_t, ctr__cg_get_u64(acct, "cpuacct.usage_sys", CTR__CAST(uint64_t, r->cpu_system_ns)));
}

static void ctr__cg1_stats(const ctr__cgroup *cg, ctr_usage *u) {
    u->memory_current = ctr__cg_get_u64(cg->v1[CTR__V1_MEMORY], "memory.usage_in_bytes", 0);
    u->pids_current = ctr__cg_get_u64(cg->v1[CTR__V1_PIDS], "pids.current", 0);
    u->cpu_usage_ns =
        CTR__CAST(int64_t, ctr__cg_get_u64(cg->v1[CTR__V1_CPUACCT], "cpuacct.usage", 0));
}

/* Each distinct directory (co-mounted controllers share one). */
static void ctr__cg1_remove(const ctr__cgroup *cg) {
    int i, j;
    for (i = 0; i < CTR__V1_N; i++) {
        int dup = 0;
        for (j = 0; j < i; j++) dup |= cg->v1[j] && cg->v1[i] && strcmp(cg->v1[i], cg->v1[j]) == 0;
        if (cg->v1[i] && !dup) (void)rmdir(cg->v1[i]);
    }
}

static const char *ctr__cg1_path(const ctr__cgroup *cg) {
    return cg->v1[CTR__V1_CPUACCT] ? cg->v1[CTR__V1_CPUACCT] : "";
}

static const ctr__cg_backend *ctr__cg1(void) {
    static const ctr__cg_backend be = {1,
                                       0,
                                       ctr__cg1_check,
                                       ctr__cg1_create,
                                       ctr__cg1_clone_into,
                                       ctr__cg1_procs_fds,
                                       ctr__cg1_populated,
                                       ctr__cg1_freeze,
                                       ctr__cg1_frozen,
                                       ctr__cg1_kill,
                                       ctr__cg1_remove,
                                       ctr__cg1_result,
                                       ctr__cg1_stats,
                                       ctr__cg1_path};
    return &be;
}
/* ---- end src/cgroup1.c ---- */
/* ---- begin src/clone.c ---- */
/* clone.c - making child processes, for the spawn (spawn.c, shim.c) and the netns pool (netns.c).

   Two ways.  The vfork-style clone (x86-64, Linux 6.12 or newer): clone3 with CLONE_VM, as
   posix_spawn does, the child running on a stack of its own in this process's memory; with
   CLONE_VFORK the calling thread sleeps in the kernel until the child has exec'd or exited.
   Nothing of the host's memory is copied, so a spawn costs the same from a host of 10 MiB or of
   10 GiB.  The fork-style clone: clone3 without CLONE_VM (the child gets a copy of the host's
   memory), falling back to clone where clone3 is missing or filtered.

   A child shares (vfork-style) or copied (fork-style) the host's memory: from its first
   instruction to execve it follows the rules of child.c. */

/* Sanitizers keep shadow state per stack, and a child running instrumented code on a stack of
   the host's memory confuses them: sanitized builds take the fork-style path. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define CTR__SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CTR__SANITIZED 1
#endif

/* The dumpable flag belongs to the memory, which a vfork-style child shares until execve:
   making itself undumpable, or changing its uid (the kernel then applies fs.suid_dumpable),
   changes the host's too.  The first of any concurrent vfork-style spawns saves the host's
   value and the last one puts it back, so that overlapping spawns cannot leave it changed. */
static pthread_mutex_t ctr__dump_lock = PTHREAD_MUTEX_INITIALIZER;
static int ctr__dump_users, ctr__dump_saved;

/* The host's own dumpable flag (not the value a spawn in flight has set for a while). */
static int ctr__host_dumpable(void) {
    int v;
    pthread_mutex_lock(&ctr__dump_lock);
    v = ctr__dump_users ? ctr__dump_saved : CTR__CAST(int, prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    pthread_mutex_unlock(&ctr__dump_lock);
    return v;
}

static void ctr__dump_enter(void) {
    pthread_mutex_lock(&ctr__dump_lock);
    if (ctr__dump_users++ == 0)
        ctr__dump_saved = CTR__CAST(int, prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    pthread_mutex_unlock(&ctr__dump_lock);
}

static void ctr__dump_leave(void) {
    pthread_mutex_lock(&ctr__dump_lock);
    if (--ctr__dump_users == 0 && (ctr__dump_saved == 0 || ctr__dump_saved == 1) &&
        prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != ctr__dump_saved)
        (void)prctl(PR_SET_DUMPABLE, ctr__dump_saved, 0, 0, 0);
    pthread_mutex_unlock(&ctr__dump_lock);
}

/* clone3 exists (it is missing before Linux 5.3, or filtered with ENOSYS by an outer seccomp
   profile).  Asked once per process: size 0 is EINVAL where the call exists. */
static int ctr__have_clone3(void) {
    static int cached; /* 0: not asked yet, 1: yes, 2: no */
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (!v) {
        v = syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS ? 2 : 1;
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v == 1;
}

/* Stacks for children on our memory: a guard page below (an overflow faults, never corrupts),
   MAP_NORESERVE (only the pages touched cost).  Those of the setup size are kept for the next
   spawn (a few, for concurrent spawners): a fresh mapping costs a page fault for every page the
   child touches, and a page fault is not cheap in a VM. */
#define CTR__CACHED 4
static pthread_mutex_t ctr__stack_lock = PTHREAD_MUTEX_INITIALIZER;
static char *ctr__stack_cache[CTR__CACHED];
static int ctr__nstacks;

static char *ctr__stack_alloc(size_t size) {
    char *stack = NULL;
    if (size == CTR__STACK_SIZE) {
        pthread_mutex_lock(&ctr__stack_lock);
        if (ctr__nstacks > 0) stack = ctr__stack_cache[--ctr__nstacks];
        pthread_mutex_unlock(&ctr__stack_lock);
        if (stack) return stack;
    }
    stack = CTR__CAST(char *, mmap(NULL, size + CTR__STACK_GUARD, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0));
    if (stack == MAP_FAILED) return NULL;
    if (mprotect(stack, CTR__STACK_GUARD, PROT_NONE) != 0) {
        int e = errno;
        munmap(stack, size + CTR__STACK_GUARD);
        errno = e;
        return NULL;
    }
    return stack;
}

static void ctr__stack_free(char *stack, size_t size) {
    if (!stack) return;
    if (size == CTR__STACK_SIZE) {
        pthread_mutex_lock(&ctr__stack_lock);
        if (ctr__nstacks < CTR__CACHED) {
            ctr__stack_cache[ctr__nstacks++] = stack;
            stack = NULL;
        }
        pthread_mutex_unlock(&ctr__stack_lock);
    }
    if (stack) munmap(stack, size + CTR__STACK_GUARD);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(CTR__SANITIZED) && !defined(CONTAINER_NO_VM_CLONE)
/* clone3 on the stack a->stack (CLONE_VM): the child never returns into this function's frame;
   on its stack it calls fn(arg), then exits. */
static long ctr__clone3_on_stack(ctr__clone_args *a, void (*fn)(void *), void *arg) {
    long r;
    /* syscall preserves every register but rax, rcx and r11: the child finds fn in rbx and arg
       in rdx.  Its stack pointer is the top of the new stack, 16-byte aligned, as a call wants. */
    __asm__ __volatile__("syscall\n\t"
                         "testq %%rax, %%rax\n\t"
                         "jnz 1f\n\t"
                         "xorl %%ebp, %%ebp\n\t"
                         "movq %%rdx, %%rdi\n\t"
                         "callq *%%rbx\n\t"
                         "movl $127, %%edi\n\t"
                         "movl $231, %%eax\n\t" /* exit_group, never reached: fn does not return */
                         "syscall\n\t"
                         "hlt\n"
                         "1:"
                         : "=a"(r)
                         : "0"(CTR__CAST(long, SYS_clone3)), "D"(a), "S"(sizeof(*a)), "b"(fn),
                           "d"(arg)
                         : "rcx", "r11", "memory", "cc");
    return r;
}

/* The vfork-style clone is used on Linux 6.12 and later, where it has been tested (6.18).  On
   the 6.1 test VM with cgroup v1 it led, every few hundred containers, to a soft lockup of the
   whole machine (the containers' tasks spinning in get_signal) that the fork-style clone never
   showed; not understood yet.  Read once per process. */
static int ctr__vm_clone_possible(void) {
    static int cached; /* 0: not read yet, 1: yes, 2: no */
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED), major = 0, minor = 0;
    struct utsname u;
    if (v) return v == 1;
    v = 2;
    if (ctr__have_clone3() && uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
        (major > 6 || (major == 6 && minor >= 12)))
        v = 1;
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    return v == 1;
}

/* The child on `stack` (from ctr__stack_alloc(size)) and our memory: clone3 with CLONE_VM and
   a's flags (CLONE_VFORK among them to wait for its exec).  Raw: callable from a child too.
   The child's pid, or -1 with errno. */
static long ctr__clone_on(ctr__clone_args *a, char *stack, size_t size, void (*fn)(void *),
                          void *arg) {
    ctr__clone_args vm = *a;
    long r;
    vm.flags |= CLONE_VM;
    vm.stack = CTR__PTR_TO_U64(stack + CTR__STACK_GUARD);
    vm.stack_size = size;
    r = ctr__clone3_on_stack(&vm, fn, arg);
    if (r < 0) {
        errno = CTR__CAST(int, -r);
        return -1;
    }
    return r;
}
#else
static int ctr__vm_clone_possible(void) { return 0; }

static long ctr__clone_on(ctr__clone_args *a, char *stack, size_t size, void (*fn)(void *),
                          void *arg) {
    (void)a;
    (void)stack;
    (void)size;
    (void)fn;
    (void)arg;
    errno = ENOSYS;
    return -1;
}
#endif

/* Clones a child that runs fn(arg) and never returns.  how: CTR__CLONE_VM for the vfork-style
   clone where possible (it implies waiting), CTR__CLONE_WAIT to sleep until the child has
   exec'd or exited.  a: flags (namespaces, CLONE_PIDFD, CLONE_INTO_CGROUP...), exit signal,
   pidfd, cgroup.  Returns the child's pid, or -1 with errno; ENOSYS with CLONE_INTO_CGROUP asked
   for means clone3 is missing: the caller has the child move itself and calls again without it.
   Raw system calls but for the stack cache (CTR__CLONE_VM): the fork-style clone may be called
   from a child. */
static long ctr__clone(ctr__clone_args *a, unsigned how, void (*fn)(void *), void *arg) {
    ctr__clone_args f = *a;
    long r;
    if (how & (CTR__CLONE_WAIT | CTR__CLONE_VM)) f.flags |= CLONE_VFORK;
    if ((how & CTR__CLONE_VM) && ctr__vm_clone_possible()) {
        char *stack = ctr__stack_alloc(CTR__STACK_SIZE);
        if (!stack) return -1;
        ctr__dump_enter();
        r = ctr__clone_on(&f, stack, CTR__STACK_SIZE, fn, arg);
        ctr__dump_leave();
        /* Back here, the child has exec'd (its own memory now) or exited: the stack is free. */
        ctr__stack_free(stack, CTR__STACK_SIZE);
        if (r >= 0 || errno != ENOSYS) return r;
    }
    r = syscall(SYS_clone3, &f, sizeof(f));
    if (r < 0 && errno == ENOSYS && !(f.flags & CLONE_INTO_CGROUP)) {
        /* clone(flags | exit signal, stack 0: like fork, parent_tid: the pidfd) */
        r = syscall(SYS_clone, CTR__CAST(unsigned long, f.flags | (f.exit_signal & 0xff)), 0,
                    CTR__U64_TO_PTR(int *, f.pidfd), 0, 0);
    }
    if (r == 0) {
        fn(arg);
        ctr__c_exit(127); /* not reached */
    }
    return r;
}
/* ---- end src/clone.c ---- */
/* ---- begin src/shim.c ---- */
/* shim.c - the container's parent.  The host's own child is not the container's command but a
   shim that never execs: cloned with exit signal 0, it stays invisible to the host's wait(),
   waitpid(-1) and SIGCHLD handler, and a host that ignores SIGCHLD (or sets SA_NOCLDWAIT) cannot
   make the kernel reap it behind the library's back (the kernel resets a child's exit signal to
   SIGCHLD at its execve, so the command itself could not stay hidden).  The shim clones the
   command (CLONE_VFORK: it wakes once the command has exec'd or failed), tells the host STARTED
   and passes it the command's pidfd, then waits for the command and reports its wait status
   (EXIT) before it exits.  It lives outside the container: the host's pid namespace, the host's
   cgroup; only for ctr_exec it first joins the container's namespaces (its children then start
   in the container's pid namespace).

   RULES FOR THIS FILE: those of child.c.  The shim runs on the host's memory (a stack of its own;
   vfork-style) or on a copy of it (fork-style): raw system calls only, no malloc, no locks, and
   nothing of the host's but the launch and plan, which stay valid until the host has read
   STARTED; afterwards the shim touches only its own stack. */

static void ctr__shim_write(int fd, int kind, int status) {
    ctr__status_msg m;
    long w;
    memset(&m, 0, sizeof(m));
    m.kind = kind;
    m.status = status;
    do w = ctr__r_write(fd, &m, sizeof(m));
    while (w < 0 && errno == EINTR);
}

static void ctr__shim_main(void *launch) {
    const ctr__launch *l = CTR__CAST(const ctr__launch *, launch);
    uint64_t all = ~CTR__CAST(uint64_t, 0);
    ctr__clone_args a;
    int pidfd = -1, statusfd = l->statusfd, sig, direct;
    long pid;
    /* Every signal stays blocked: SIGCHLD and SIGTERM are taken with sigtimedwait below, and
       only SIGKILL ends the shim at once (and then the command, whose parent-death signal
       follows it).  SIGTERM is the shim's parent-death signal: the host's thread gone, it kills
       the command and reaps it before it goes itself. */
    ctr__r_sigmask(SIG_SETMASK, &all, NULL);
    /* The host's dispositions are copied: an ignored SIGCHLD or SA_NOCLDWAIT would have the
       kernel reap the command behind the shim's back.  Back to the defaults, all of them. */
    for (sig = 1; sig < NSIG; sig++) {
        static const unsigned long dfl[4] = {0, 0, 0, 0};
        if (sig != SIGKILL && sig != SIGSTOP) (void)syscall(SYS_rt_sigaction, sig, dfl, NULL, 8);
    }
    ctr__c_die_with_host(l, SIGTERM);
    if (l->join_pidfd >= 0 && syscall(SYS_setns, l->join_pidfd, l->join_flags) != 0)
        ctr__c_die(l, CTR_STEP_CLONE, errno, "", "join the container's namespaces", NULL, NULL,
                   NULL);
    memset(&a, 0, sizeof(a));
    a.flags = l->clone_flags | CLONE_PIDFD | CLONE_VFORK;
    a.pidfd = CTR__PTR_TO_U64(&pidfd);
    a.exit_signal = SIGCHLD; /* the shim is its parent, and waits with wait4 */
    if (l->plan->direct) {
        /* The command is the host's child (its exit signal the shim's, SIGCHLD); the shim only
           joins the namespaces and goes.  A command waiting for its start is not waited for. */
        a.flags |= CLONE_PARENT;
        a.exit_signal = 0;
        if (l->plan->wait_start) a.flags &= ~CTR__CAST(uint64_t, CLONE_VFORK);
    }
    if (l->cgroup_fd >= 0) {
        a.flags |= CLONE_INTO_CGROUP;
        a.cgroup = CTR__CAST(uint64_t, l->cgroup_fd);
    }
    if (l->cmd_stack) {
        pid = ctr__clone_on(&a, l->cmd_stack, CTR__STACK_SIZE, ctr__child_main, launch);
    } else {
        pid = syscall(SYS_clone3, &a, sizeof(a));
        if (pid < 0 && errno == ENOSYS && !(a.flags & CLONE_INTO_CGROUP))
            pid = syscall(SYS_clone, CTR__CAST(unsigned long, a.flags | a.exit_signal), 0, &pidfd,
                          0, 0);
        if (pid == 0) ctr__child_main(launch);
    }
    if (pid < 0)
        ctr__c_die(l, CTR_STEP_CLONE, errno, "", "create the container process", NULL, NULL, NULL);
    /* The command has exec'd, or has reported why not and exited: STARTED comes after its
       report, and the host reads the error pipe first. */
    ctr__c_send_fd(l, 'c', pidfd);
    /* After STARTED the launch and the plan may be gone (the host returns from ctr_spawn and
       reuses that memory): what the shim still needs is on its own stack. */
    direct = l->plan->direct;
    ctr__shim_write(statusfd, CTR__MSG_STARTED, CTR__CAST(int, pid));
    if (direct) ctr__c_exit(0);
    /* From here on the shim holds nothing but the status pipe (and its own stack). */
    if ((statusfd > 0 && syscall(SYS_close_range, 0, CTR__CAST(unsigned, statusfd - 1), 0) != 0) ||
        syscall(SYS_close_range, CTR__CAST(unsigned, statusfd + 1), ~0u, 0) != 0)
        syscall(SYS_kill, pid, SIGKILL);
    for (;;) {
        uint64_t wait_for = (1ull << (SIGCHLD - 1)) | (1ull << (SIGTERM - 1));
        siginfo_t si;
        int st;
        long r = syscall(SYS_wait4, pid, &st, __WALL | WNOHANG, NULL);
        if (r == pid) {
            ctr__shim_write(statusfd, CTR__MSG_EXIT, st);
            ctr__c_exit(0);
        }
        if (r < 0 && errno != EINTR) ctr__c_exit(127);
        if (syscall(SYS_rt_sigtimedwait, &wait_for, &si, NULL, 8) == SIGTERM)
            syscall(SYS_kill, pid, SIGKILL); /* our child, not reaped yet: the pid is its */
    }
}
/* ---- end src/shim.c ---- */
/* ---- begin src/child.c ---- */
/* child.c - the child: everything between clone and execve, in the order ctr__child_main runs it.

   RULES FOR THIS FILE (and for mount.c).  The child is a copy of a possibly multi-threaded host,
   or runs on its memory (clone.c): another thread may have held the malloc lock, a stdio lock or
   any other lock at the moment of the clone, and those stay locked here forever; the spawning
   thread may have a cancellation request pending, which glibc's cancellable wrappers (open,
   read, write, close...) would act on, running the thread's cleanup handlers on the host's
   stack.  So this code only makes raw system calls (the ctr__r_* macros and syscall(), which
   only sets errno), uses memcpy/memset/strlen, and touches only the launch and plan (prepared by
   the parent before the clone) and its own stack.  No malloc, no stdio, no locks, no exit():
   the exit_group system call only.  glibc's setuid/setgid wrappers would also signal every
   thread the host had, hence syscall(SYS_setresuid...). */

static void ctr__c_write_file(const ctr__launch *l, ctr_step step, const char *path,
                              const char *data) {
    size_t len = strlen(data);
    int fd = ctr__r_openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
    if (fd < 0 || ctr__r_write(fd, data, len) != CTR__CAST(long, len))
        ctr__c_die(l, step, errno, path, "write ", path, NULL, NULL);
    ctr__r_close(fd);
}

static void ctr__c_userns(const ctr__launch *l) {
    /* An unprivileged process may map its own uid and gid into a namespace it created, once
       setgroups is denied; so the child needs no help from the parent for this. */
    ctr__c_write_file(l, CTR_STEP_USERNS, "/proc/self/setgroups", "deny");
    ctr__c_write_file(l, CTR_STEP_USERNS, "/proc/self/uid_map", l->plan->uid_map);
    ctr__c_write_file(l, CTR_STEP_USERNS, "/proc/self/gid_map", l->plan->gid_map);
}

static void ctr__c_timens(const ctr__launch *l) {
    /* Offsets can only be set before any process is in the namespace: unshare (which affects our
       future children only), set them, then enter it ourselves with setns. */
    int fd;
    if (syscall(SYS_unshare, CLONE_NEWTIME) != 0)
        ctr__c_die(l, CTR_STEP_TIMENS, errno, "", "create a time namespace", NULL, NULL, NULL);
    ctr__c_write_file(l, CTR_STEP_TIMENS, "/proc/self/timens_offsets", l->plan->timens_offsets);
    fd = ctr__r_openat(AT_FDCWD, "/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0 || syscall(SYS_setns, fd, CLONE_NEWTIME) != 0)
        ctr__c_die(l, CTR_STEP_TIMENS, errno, "", "enter the time namespace", NULL, NULL, NULL);
    ctr__r_close(fd);
}

/* The user namespace maps and time offsets are written through /proc/self, whose files belong to
   root while the process is not dumpable (a host that dropped root without exec is not).  Only
   then is the child made dumpable for these few writes, and undumpable again right after; such a
   host never gets the vfork-style clone (spawn.c), so the flag changed is the child's own. */
static void ctr__c_own_namespaces(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    int undump;
    if (l->nssock >= 0) ctr__c_ns_receive(l); /* userns.c: idmapped mounts, the map helper */
    if (!p->userns && !p->timens) return;
    undump = p->userns && ctr__r_prctl(PR_GET_DUMPABLE, 0) == 0;
    if (undump && ctr__r_prctl(PR_SET_DUMPABLE, 1) != 0)
        ctr__c_die(l, CTR_STEP_USERNS, errno, "", "make the process dumpable to write its uid map",
                   NULL, NULL, NULL);
    if (p->userns && p->map_helper)
        ctr__c_ns_maps(l); /* written from outside (userns.c) */
    else if (p->userns)
        ctr__c_userns(l);
    if (p->timens) ctr__c_timens(l);
    if (undump) (void)ctr__r_prctl(PR_SET_DUMPABLE, 0);
}

/* Brings up lo in the calling process's network namespace: 0, or -1 with errno.  The netns pool
   uses it too. */
static int ctr__lo_up(void) {
    struct ifreq ifr;
    int s = ctr__sys_int(syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)), r;
    if (s < 0) return -1;
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, "lo", 3);
    ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
    r = ctr__sys_int(syscall(SYS_ioctl, s, SIOCSIFFLAGS, &ifr));
    if (r != 0) {
        int e = errno;
        ctr__r_close(s);
        errno = e;
        return -1;
    }
    ctr__r_close(s);
    return 0;
}

/* Makes the CTR_STDIO_PIPE pipes here, in the child, and sends the host ends to the parent over
   l->xferfd: the container's ends never sit in the host's descriptor table, where a process
   forked meanwhile by another thread of the host would copy them and hold back the EOF the host
   waits for. */
static void ctr__c_stdio_pipes(const ctr__launch *l, int *src) {
    union {
        struct cmsghdr align;
        char buf[CTR__FDMSG_SPACE(3)];
    } cm;
    struct msghdr msg;
    struct iovec iov;
    int host[3], n = 0, i;
    char byte = 'p';
    for (i = 0; i < 3; i++) {
        int p[2];
        if (l->plan->stdio[i] != CTR_STDIO_PIPE) continue;
        if (syscall(SYS_pipe2, p, O_CLOEXEC) != 0)
            ctr__c_die(l, CTR_STEP_STDIO, errno, "", "create a pipe for stdio", NULL, NULL, NULL);
        src[i] = p[i == 0 ? 0 : 1];
        host[n++] = p[i == 0 ? 1 : 0];
    }
    if (n == 0) return;
    ctr__fdmsg(&msg, &iov, &byte, cm.buf, n, host);
    if (syscall(SYS_sendmsg, l->xferfd, &msg, MSG_NOSIGNAL) != 1)
        ctr__c_die(l, CTR_STEP_STDIO, errno, "", "pass the stdio pipes to the host", NULL, NULL,
                   NULL);
    for (i = 0; i < n; i++) ctr__r_close(host[i]);
}

/* Puts the stdio sources on 0, 1, 2 (first thing after clone, so that no host descriptor has to
   stay open for them later).  A stream the host had closed stays closed: whatever the setup opens
   at that number later is close-on-exec. */
static void ctr__c_stdio(const ctr__launch *l) {
    int src[3], tmp[3], i;
    for (i = 0; i < 3; i++) src[i] = l->stdio_src[i];
    ctr__c_stdio_pipes(l, src);
    /* Move the sources above 2 first, so that e.g. stdout = the caller's fd 0 is not clobbered. */
    for (i = 0; i < 3; i++) {
        tmp[i] = -1;
        if (src[i] >= 0 && (tmp[i] = ctr__r_fcntl(src[i], F_DUPFD_CLOEXEC, 3)) < 0)
            ctr__c_die(l, CTR_STEP_STDIO, errno, "", "duplicate a stdio descriptor", NULL, NULL,
                       NULL);
    }
    for (i = 0; i < 3; i++) {
        if (tmp[i] >= 0) {
            if (ctr__r_dup3(tmp[i], i) != i)
                ctr__c_die(l, CTR_STEP_STDIO, errno, "", "set up stdio", NULL, NULL, NULL);
            ctr__r_close(tmp[i]);
        } else {
            (void)ctr__r_fcntl(i, F_SETFD,
                               0); /* an inherited stream must survive exec; EBADF if closed */
        }
    }
}

/* Closes every descriptor above 2 but the error and status pipes, the host's pidfd, the sockets
   (the id maps' one; the launch's, with a terminal or an init or a start to report; pasta's),
   the start pipe and the extra descriptors (spec.fds and the listening sockets, parked above
   their targets) -
   really closes, not just close-on-exec: a host descriptor still open while paths are resolved
   inside the new root would lead out of it through /proc/self/fd/N (runc's CVE-2024-21626). */
/* Closes every descriptor from 3 up but the n in keep (sorted here): 0, or -1 with errno. */
static int ctr__c_close_except(int *keep, int n) {
    unsigned lo = 3;
    int i, j;
    for (i = 1; i < n; i++) /* sort */
        for (j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            int t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    for (i = 0; i < n; i++) {
        unsigned fd = CTR__CAST(unsigned, keep[i]);
        if (fd < lo) continue;
        if (fd > lo && syscall(SYS_close_range, lo, fd - 1, 0) != 0) return -1;
        lo = fd + 1;
    }
    return syscall(SYS_close_range, lo, ~0u, 0) != 0 ? -1 : 0;
}

static void ctr__c_close_fds(const ctr__launch *l, const int *parked, size_t nparked) {
    int keep[7 + CTR__MAX_FDS + CTR__MAX_LISTEN], n = 0;
    size_t k;
    if (l->nssock >= 3) keep[n++] = l->nssock; /* userns.c */
    if (l->errfd >= 3) keep[n++] = l->errfd;
    if (l->statusfd >= 3) keep[n++] = l->statusfd;
    if (l->hostfd >= 3) keep[n++] = l->hostfd;
    /* the launch's socket: a terminal, init or a start to report, the interception listener */
    if ((l->plan->tty || l->plan->init || l->plan->wait_start || l->plan->notify_bpf) &&
        l->xferfd >= 3)
        keep[n++] = l->xferfd;
    if (l->startfd >= 3) keep[n++] = l->startfd; /* wait_start */
    if (l->net_sock >= 3) keep[n++] = l->net_sock;
    for (k = 0; k < nparked; k++) keep[n++] = parked[k];
    if (ctr__c_close_except(keep, n) != 0)
        ctr__c_die(l, CTR_STEP_STDIO, errno, "", "close the host's file descriptors", NULL, NULL,
                   NULL);
}

/* The extra descriptors (spec.fds), first step: every descriptor the setup keeps (our pipes,
   the host's pidfd, the socket) moves above the highest container_fd, and each host_fd is
   parked there too, so that placing them at the end clobbers nothing.  l is the child's own copy
   of the launch. */
static void ctr__c_park_fds(ctr__launch *l, int *parked) {
    int *ours[7], top = 0, i;
    size_t k;
    ours[0] = &l->errfd;
    ours[1] = &l->statusfd;
    ours[2] = &l->hostfd;
    ours[3] = &l->xferfd;
    ours[4] = &l->nssock;
    ours[5] = &l->net_sock;
    ours[6] = &l->startfd;
    for (k = 0; k < l->nfds; k++)
        if (l->fds[k].container_fd > top) top = l->fds[k].container_fd;
    for (i = 0; i < 7; i++)
        if (*ours[i] >= 0 && *ours[i] <= top) {
            int fd = ctr__r_fcntl(*ours[i], F_DUPFD_CLOEXEC, top + 1);
            if (fd < 0)
                ctr__c_die(l, CTR_STEP_STDIO, errno, "fds",
                           "move a descriptor above the extra ones",
                           errno == EINVAL ? " (above RLIMIT_NOFILE)" : NULL, NULL, NULL);
            ctr__r_close(*ours[i]);
            *ours[i] = fd;
        }
    for (k = 0; k < l->nfds; k++)
        if ((parked[k] = ctr__r_fcntl(l->fds[k].host_fd, F_DUPFD_CLOEXEC, top + 1)) < 0)
            ctr__c_die(l, CTR_STEP_STDIO, errno, "fds", "duplicate an extra descriptor",
                       errno == EINVAL ? " (container_fd above RLIMIT_NOFILE)" : NULL, NULL, NULL);
}

/* The extra descriptors, last step: each at its number, open across execve. */
static void ctr__c_place_fds(const ctr__launch *l, const int *parked) {
    size_t k;
    for (k = 0; k < l->nfds; k++) {
        if (ctr__r_dup3(parked[k], l->fds[k].container_fd) != l->fds[k].container_fd)
            ctr__c_die(l, CTR_STEP_STDIO, errno, "fds", "place an extra descriptor", NULL, NULL,
                       NULL);
        ctr__r_close(parked[k]);
    }
}

/* Sends fd to the host over the launch's socket as a record with this tag ('t' the terminal,
   'c' the command's pidfd). */
static void ctr__c_send_fd(const ctr__launch *l, char tag, int fd) {
    union {
        struct cmsghdr align;
        char buf[CTR__FDMSG_SPACE(1)];
    } cm;
    struct msghdr msg;
    struct iovec iov;
    ctr__fdmsg(&msg, &iov, &tag, cm.buf, 1, &fd);
    if (syscall(SYS_sendmsg, l->xferfd, &msg, MSG_NOSIGNAL) != 1)
        ctr__c_die(l, CTR_STEP_STDIO, errno, "", "pass a descriptor to the host", NULL, NULL, NULL);
}

/* spec.tty: a pseudo-terminal from the container's own devpts (after pivot_root): the slave
   becomes the controlling terminal (we are a session leader) and 0, 1, 2; the master goes to the
   host over the launch's socket (a 't' record). */
static void ctr__c_tty(const ctr__launch *l) {
    struct winsize ws;
    char path[32] = "/dev/pts/";
    unsigned n = 0;
    int unlock = 0, master, slave, i;
    master = ctr__r_openat(AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
    if (master < 0 || syscall(SYS_ioctl, master, TIOCSPTLCK, &unlock) != 0 ||
        syscall(SYS_ioctl, master, TIOCGPTN, &n) != 0)
        ctr__c_die(l, CTR_STEP_STDIO, errno, "/dev/ptmx", "allocate a pseudo-terminal", NULL, NULL,
                   NULL);
    ctr__c_utoa(path + 9, n);
    if ((slave = ctr__r_openat(AT_FDCWD, path, O_RDWR | O_NOCTTY | O_CLOEXEC, 0)) < 0)
        ctr__c_die(l, CTR_STEP_STDIO, errno, path, "open the terminal ", path, NULL, NULL);
    memset(&ws, 0, sizeof(ws));
    ws.ws_row = l->plan->tty_rows;
    ws.ws_col = l->plan->tty_cols;
    if (syscall(SYS_ioctl, slave, TIOCSWINSZ, &ws) != 0 ||
        syscall(SYS_ioctl, slave, TIOCSCTTY, 0) != 0)
        ctr__c_die(l, CTR_STEP_STDIO, errno, path, "make ", path, " the controlling terminal",
                   NULL);
    for (i = 0; i < 3; i++)
        if (ctr__r_dup3(slave, i) != i)
            ctr__c_die(l, CTR_STEP_STDIO, errno, path, "set up stdio on ", path, NULL, NULL);
    ctr__r_close(slave);
    ctr__c_send_fd(l, 't', master);
    ctr__r_close(master);
    if (!l->plan->wait_start) ctr__r_close(l->xferfd); /* else ctr__c_wait_start needs it */
}

/* The working directory, resolved inside the new root without magic links (no /proc/self/fd/N
   or /proc/PID/cwd leading elsewhere). */
static void ctr__c_cwd(const ctr__launch *l) {
    ctr__open_how how;
    int fd;
    memset(&how, 0, sizeof(how));
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = CTR__RESOLVE_IN_ROOT | CTR__RESOLVE_NO_MAGICLINKS;
    fd = ctr__openat2(AT_FDCWD, l->plan->cwd, &how); /* cwd is "/" after pivot_root: the root */
    if (fd < 0 || ctr__r_fchdir(fd) != 0)
        ctr__c_die(l, CTR_STEP_CWD, errno, l->plan->cwd, "change directory to ", l->plan->cwd, NULL,
                   NULL);
    ctr__r_close(fd);
}

static void ctr__c_rlimits(const ctr__launch *l) {
    static const char *const names[] = {
        "cpu",     "fsize", "data",  "stack",      "core",     "rss",  "nproc",  "nofile",
        "memlock", "as",    "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime"};
    const ctr__plan *p = l->plan;
    size_t i;
    for (i = 0; i < p->nrlimits; i++) {
        struct {
            uint64_t cur, max;
        } r;
        int res = p->rlimits[i].resource;
        const char *name =
            res >= 0 && res < CTR__CAST(int, sizeof(names) / sizeof(names[0])) ? names[res] : "?";
        r.cur = p->rlimits[i].soft;
        r.max = p->rlimits[i].hard;
        if (syscall(SYS_prlimit64, 0, res, &r, NULL) != 0)
            ctr__c_die(
                l, CTR_STEP_RLIMIT, errno, name, "set rlimit ", name,
                errno == EPERM
                    ? " (raising a hard limit needs CAP_SYS_RESOURCE, and nofile is capped by "
                      "fs.nr_open)"
                    : NULL,
                NULL);
    }
}

/* Gets us into the container's cgroup(s) where clone3 could not put us (cgroup v1, or v2 without
   clone3): writing "0" to a cgroup.procs moves the writer.  Then a cgroup namespace rooted
   there. */
static void ctr__c_cgroup(const ctr__launch *l) {
    int i;
    for (i = 0; i < CTR__CG_MAX_DIRS && l->cg_procs[i] >= 0; i++) {
        if (ctr__r_write(l->cg_procs[i], "0", 1) != 1)
            ctr__c_die(l, CTR_STEP_CGROUP, errno, "cgroup.procs",
                       "move the container process into its cgroup", NULL, NULL, NULL);
        ctr__r_close(l->cg_procs[i]);
    }
    if (l->plan->cgroupns && syscall(SYS_unshare, CLONE_NEWCGROUP) != 0)
        ctr__c_die(l, CTR_STEP_CGROUP, errno, "", "create a cgroup namespace", NULL, NULL, NULL);
}

/* Before the uid change: shrink the bounding set (needs CAP_SETPCAP, which we still have) and
   keep the permitted set across setresuid when a non-root uid gets ambient capabilities. */
static void ctr__c_caps_bounding(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    int cap;
    for (cap = 0; cap <= p->last_cap; cap++)
        if (!(p->caps_keep & CTR_CAP(cap)) && ctr__r_prctl(PR_CAPBSET_DROP, cap) != 0 &&
            errno != EINVAL)
            ctr__c_die(l, CTR_STEP_CAPS, errno, "", "drop a capability from the bounding set", NULL,
                       NULL, NULL);
    if (p->uid != 0 && (p->caps_exact ? p->caps_prm : p->caps_ambient) &&
        ctr__r_prctl(PR_SET_KEEPCAPS, 1) != 0)
        ctr__c_die(l, CTR_STEP_CAPS, errno, "", "keep capabilities across the uid change", NULL,
                   NULL, NULL);
}

/* After it: the final sets (uid 0: the kept set; other uids: only the added ones, as ambient
   capabilities so they survive execve), then no_new_privs. */
static void ctr__c_caps_final(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    struct {
        uint32_t version;
        int pid;
    } head;
    struct {
        uint32_t effective, permitted, inheritable;
    } data[2];
    uint64_t set = p->uid == 0 ? p->caps_keep : p->caps_ambient;
    int cap, i;
    head.version = 0x20080522; /* _LINUX_CAPABILITY_VERSION_3 */
    head.pid = 0;
    /* Inheritable stays empty unless ambient capabilities need it (CVE-2022-24769). */
    for (i = 0; i < 2; i++) {
        data[i].effective = data[i].permitted = CTR__CAST(uint32_t, set >> (32 * i));
        data[i].inheritable = p->uid != 0 ? data[i].permitted : 0u;
        if (p->caps_exact) { /* spec.set_caps: as given */
            data[i].effective = CTR__CAST(uint32_t, p->caps_eff >> (32 * i));
            data[i].permitted = CTR__CAST(uint32_t, p->caps_prm >> (32 * i));
            data[i].inheritable = CTR__CAST(uint32_t, p->caps_inh >> (32 * i));
        }
    }
    if (syscall(SYS_capset, &head, data) != 0)
        ctr__c_die(l, CTR_STEP_CAPS, errno, "", "set the capabilities",
                   errno == EPERM
                       ? " (the calling process lacks one of the capabilities to keep: add only "
                         "capabilities it has)"
                       : NULL,
                   NULL, NULL);
    for (cap = 0; (p->uid != 0 || p->caps_exact) && cap <= p->last_cap; cap++)
        if ((p->caps_ambient & CTR_CAP(cap)) &&
            syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
            ctr__c_die(l, CTR_STEP_CAPS, errno, "", "raise an ambient capability", NULL, NULL,
                       NULL);
    if (p->nnp && ctr__r_prctl(PR_SET_NO_NEW_PRIVS, 1) != 0)
        ctr__c_die(l, CTR_STEP_CAPS, errno, "", "set no_new_privs", NULL, NULL, NULL);
}

/* The last step before execve (or before init starts the command): from here on every syscall
   of the container, ours included, goes through the filter. */
static void ctr__c_seccomp(const ctr__launch *l) {
    struct {
        unsigned short len;
        const ctr__bpf *filter;
    } prog;
    if (!l->plan->bpf) return;
    prog.len = CTR__CAST(unsigned short, l->plan->bpf_len);
    prog.filter = l->plan->bpf;
    if (syscall(SYS_prctl, PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, &prog, 0, 0) != 0)
        ctr__c_die(l, CTR_STEP_SECCOMP, errno, "", "install the seccomp filter",
                   errno == EACCES ? " (without no_new_privs it needs CAP_SYS_ADMIN)" : NULL, NULL,
                   NULL);
}

/* Run by "root" of a user namespace whose setgroups is denied (a rootless engine's, mapping one
   id): the groups cannot change, so without supplementary groups to set there is nothing to
   do; with some, setgroups fails and says so. */
static int ctr__c_setgroups_denied(const ctr__plan *p) {
    char buf[8];
    long n;
    int fd;
    if (p->ngroups) return 0;
    fd = ctr__r_openat(AT_FDCWD, "/proc/self/setgroups", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return 0;
    n = ctr__r_read(fd, buf, sizeof(buf));
    ctr__r_close(fd);
    return n >= 4 && memcmp(buf, "deny", 4) == 0;
}

static void ctr__c_identity(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    if (!p->set_ids) return;
    /* (in a joined user namespace whose setgroups is denied, the groups stay as mapped) */
    if ((!(p->join && p->userns) && !ctr__c_setgroups_denied(p) &&
         syscall(SYS_setgroups, p->ngroups, p->groups) != 0) ||
        syscall(SYS_setresgid, p->gid, p->gid, p->gid) != 0 ||
        syscall(SYS_setresuid, p->uid, p->uid, p->uid) != 0)
        ctr__c_die(l, CTR_STEP_IDENTITY, errno, "", "switch to the container's uid and gid",
                   errno == EINVAL && p->userns ? " (not mapped in the container's user namespace)"
                                                : NULL,
                   NULL, NULL);
}

/* LISTEN_PID is the command's own pid, as seen inside (1, or 2 under init...): written into the
   plan's envp by the process that execs, before the interception filter (getpid may be
   intercepted). */
static void ctr__c_listen_pid(const ctr__launch *l) {
    if (l->listen_pid) ctr__c_utoa(l->listen_pid, CTR__CAST(unsigned, syscall(SYS_getpid)));
}

static void ctr__c_exec(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    uint64_t none = 0, hi = p->notify_cookie >> 32, lo = p->notify_cookie & 0xffffffffu;
    size_t i;
    int e = ENOENT, eacces = 0;
    if (!l->notify_armed) { /* else done before the filter (notify.c) */
        ctr__c_listen_pid(l);
        ctr__r_sigmask(SIG_SETMASK, &none, NULL);
    }
    for (i = 0; i < p->nexec; i++) {
        if (l->notify_armed && (p->notify_alt & CTR__NOTIFY_EXECVEAT)) /* execve is intercepted */
            syscall(SYS_execveat, CTR__CAST(uint64_t, CTR__CAST(uint32_t, AT_FDCWD)) | (hi << 32),
                    p->exec_paths[i], p->argv, p->envp, lo << 32);
        else
            syscall(SYS_execve, p->exec_paths[i], p->argv, p->envp);
        if (errno == EACCES)
            eacces = 1;
        else if (errno != ENOENT && errno != ENOTDIR) {
            e = errno;
            break;
        }
    }
    if (i == p->nexec && eacces) e = EACCES;
    none = ~none; /* no SIGPIPE while the failure is reported (an intercepted rt_sigprocmask
                     would wait for the host: then a SIGPIPE could only mean it is gone) */
    if (!l->notify_armed) ctr__r_sigmask(SIG_SETMASK, &none, NULL);
    ctr__c_die(l, CTR_STEP_EXEC, e, p->argv[0], "execute ", p->argv[0], NULL, NULL);
}

/* Namespaces joined by path (spec.ns_paths; a pid namespace is joined by the shim, before the
   clone), right after the move into the cgroup: a cgroup namespace joined later is the one the
   container sees. */
static void ctr__c_join_ns(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    size_t i;
    for (i = 0; i < p->nns_paths; i++) {
        unsigned t = p->ns_paths[i].type;
        int flag = t == CTR_NS_NET      ? CLONE_NEWNET
                   : t == CTR_NS_IPC    ? CLONE_NEWIPC
                   : t == CTR_NS_UTS    ? CLONE_NEWUTS
                   : t == CTR_NS_CGROUP ? CLONE_NEWCGROUP
                                        : 0;
        if (flag && syscall(SYS_setns, l->join_ns_fds[i], flag) != 0)
            ctr__c_die(l, CTR_STEP_CLONE, errno, p->ns_paths[i].path, "join namespace ",
                       p->ns_paths[i].path, NULL, NULL);
    }
}

/* sysctls (namespaced ones, checked by the plan) and oom_score_adj, through the host's /proc
   while it is still there: /proc/sys/net, kernel.shm* and kernel.hostname are those of the
   writer's own namespaces. */
static void ctr__c_sysctls(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    size_t i;
    for (i = 0; i < p->nsysctls; i++)
        ctr__c_write_file(l, CTR_STEP_SPEC, p->sysctl_paths[2 * i], p->sysctl_paths[2 * i + 1]);
    if (p->set_oom) ctr__c_write_file(l, CTR_STEP_SPEC, "/proc/self/oom_score_adj", p->oom);
}

/* wait_start: is argv[0] a file the command may execute?  Asked at the end of the setup, in the
   container and as its user, so that a missing command fails the spawn rather than the start,
   which another process may make (as runc and crun do). */
static void ctr__c_check_exec(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    size_t i;
    int e = ENOENT;
    for (i = 0; i < p->nexec; i++) {
        struct stat st;
        if (ctr__r_fstatat(AT_FDCWD, p->exec_paths[i], &st, 0) != 0) {
            if (errno != ENOENT && errno != ENOTDIR) e = errno;
            continue;
        }
        if (S_ISREG(st.st_mode) && syscall(SYS_faccessat, AT_FDCWD, p->exec_paths[i], X_OK) == 0)
            return;
        e = EACCES;
    }
    ctr__c_die(l, CTR_STEP_EXEC, e, p->argv[0], "execute ", p->argv[0], NULL, NULL);
}

/* wait_start: the exec pipe (made here, so that no host process can hold its write end: EOF
   then means the command has exec'd) goes to the host, the setup-done record follows, and the
   child waits for one byte on the start fd.  After that, failures go over the exec pipe. */
static void ctr__c_wait_start(ctr__launch *l) {
    ctr_error done;
    int pipefd[2], i;
    long r;
    char b;
    ctr__c_check_exec(l);
    if (syscall(SYS_pipe2, pipefd, O_CLOEXEC) != 0)
        ctr__c_die(l, CTR_STEP_CLONE, errno, "", "create the exec pipe", NULL, NULL, NULL);
    for (i = 0; i < 2; i++) /* never on 0..2, nor on an extra descriptor's number */
        if (pipefd[i] <= 2 || l->plan->nfds) {
            int fd = ctr__r_fcntl(pipefd[i], F_DUPFD_CLOEXEC, 3 + CTR__MAX_FDS);
            if (fd < 0) fd = ctr__r_fcntl(pipefd[i], F_DUPFD_CLOEXEC, 3);
            if (fd < 0)
                ctr__c_die(l, CTR_STEP_CLONE, errno, "", "move the exec pipe", NULL, NULL, NULL);
            ctr__r_close(pipefd[i]);
            pipefd[i] = fd;
        }
    ctr__c_send_fd(l, 'x', pipefd[0]);
    ctr__r_close(pipefd[0]);
    ctr__r_close(l->xferfd);
    memset(&done, 0, sizeof(done));
    do r = ctr__r_write(l->errfd, &done, sizeof(done));
    while (r < 0 && errno == EINTR);
    ctr__r_close(l->errfd);
    l->errfd = pipefd[1];
    do r = ctr__r_read(l->startfd, &b, 1);
    while (r < 0 && errno == EINTR);
    if (r != 1) ctr__c_exit(127); /* every writer gone: nobody can start it any more */
    ctr__r_close(l->startfd);
}

/* Dying with the host: the parent-death signal, set as the very first step and again after the
   uid change (which clears it), each time followed by a look at the host's pidfd, since a host
   that died before the signal was set sent nothing. */
static void ctr__c_die_with_host(const ctr__launch *l, int sig) {
    struct pollfd pfd;
    struct timespec zero = {0, 0};
    if (!l->plan->die_with_host) return;
    if (ctr__r_prctl(PR_SET_PDEATHSIG, sig) != 0)
        ctr__c_die(l, CTR_STEP_CLONE, errno, "", "set the parent-death signal", NULL, NULL, NULL);
    if (l->hostfd < 0) return;
    pfd.fd = l->hostfd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (syscall(SYS_ppoll, &pfd, 1, &zero, NULL, 8) > 0 && (pfd.revents & (POLLIN | POLLHUP)))
        ctr__c_exit(127); /* the host is gone: nobody to report to */
}

/* pid 1 with spec.init: starts the command, forwards signals to it, reaps everything, and exits
   with the command's status.  The command is cloned with CLONE_VFORK, so init knows it has
   exec'd (or failed, reporting why over the status pipe itself) before it tells the host
   STARTED.  init never execs, so close-on-exec does nothing for it: it closes every descriptor
   but the status pipe first, and stays undumpable, so the command cannot read the host memory
   init was copied from through ptrace or /proc/1. */
static void ctr__c_init(const ctr__launch *l) {
    ctr__launch cmd = *l;
    ctr__status_msg m;
    uint64_t all = ~CTR__CAST(uint64_t, 0);
    long pid, w;
    int lo = l->statusfd < l->xferfd ? l->statusfd : l->xferfd;
    int hi = l->statusfd < l->xferfd ? l->xferfd : l->statusfd;
    int keep[2 + CTR__MAX_FDS + CTR__MAX_LISTEN], n = 0;
    size_t k;
    ctr__r_sigmask(SIG_SETMASK, &all, NULL);
    /* Keep only the status pipe, the socket (for the command's pidfd, below) and the extra
       descriptors, which the command takes along at its execve and init closes then. */
    keep[n++] = lo;
    keep[n++] = hi;
    for (k = 0; k < l->nfds; k++) keep[n++] = l->fds[k].container_fd;
    if (ctr__c_close_except(keep, n) != 0)
        ctr__c_die(l, CTR_STEP_INIT, errno, "", "close the host's file descriptors", NULL, NULL,
                   NULL);
    /* From here on errors go over the status pipe. */
    cmd.errfd = -1;
    cmd.hostfd = -1;
    /* CLONE_FILES until its execve (which unshares the table): the command sends its own pidfd
       (init itself is not dumpable, so ctr_exec joins the command's namespaces) and closes the
       socket in the table init shares, so that once the command runs init holds nothing but
       the status pipe. */
    pid = syscall(SYS_clone, CLONE_VFORK | CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0)
        ctr__c_die(&cmd, CTR_STEP_INIT, errno, "", "start the command under init", NULL, NULL,
                   NULL);
    if (pid == 0) {
        int self;
        if (ctr__r_prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
            ctr__c_die(&cmd, CTR_STEP_INIT, errno, "", "set the parent-death signal", NULL, NULL,
                       NULL);
        if ((self = ctr__sys_int(syscall(SYS_pidfd_open, syscall(SYS_getpid), 0))) >= 0) {
            ctr__c_send_fd(&cmd, 'c', self);
            ctr__r_close(self);
        }
        if (cmd.plan->notify_bpf) ctr__c_listen_pid(&cmd);
        ctr__c_notify(&cmd); /* the command is intercepted, init is not */
        if (!cmd.notify_armed) ctr__r_close(l->xferfd); /* else init closes it (a close may be
                                                           intercepted) */
        ctr__c_exec(&cmd);
    }
    /* The command has exec'd, or has reported why not and exited: in that order, STARTED comes
       after its ERROR, and the host takes the first.  init keeps no stdio of its own. */
    ctr__r_close(l->xferfd); /* (already closed by the command, unless it failed first) */
    (void)syscall(SYS_close_range, 0, 2, 0);
    for (k = 0; k < l->nfds; k++) ctr__r_close(l->fds[k].container_fd);
    memset(&m, 0, sizeof(m));
    m.kind = CTR__MSG_STARTED;
    do w = ctr__r_write(l->statusfd, &m, sizeof(m));
    while (w < 0 && errno == EINTR);
    for (;;) {
        siginfo_t si;
        long sig = syscall(SYS_rt_sigtimedwait, &all, &si, NULL, 8);
        if (sig == SIGCHLD) {
            for (;;) {
                int st;
                long r = syscall(SYS_wait4, -1, &st, WNOHANG | __WALL, NULL);
                if (r <= 0) break;
                if (r == pid) {
                    m.kind = CTR__MSG_EXIT;
                    m.status = st;
                    do w = ctr__r_write(l->statusfd, &m, sizeof(m));
                    while (w < 0 && errno == EINTR);
                    ctr__c_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
                }
            }
        } else if (sig > 0) {
            syscall(SYS_kill, pid, sig);
        }
    }
}

/* The network, first half, as soon as the child has its namespaces: pasta's keeper (net.c) gets
   them and this process's pidfd ('n' record) and starts pasta on them; for a bridge the host's
   thread gets a NETLINK_ROUTE socket made in our new network namespace ('b'), through which it
   makes and configures eth0 (ctr__net_attach).  Either works while we set up the root. */
static void ctr__c_net_send(const ctr__launch *l) {
    union {
        struct cmsghdr align;
        char buf[CTR__FDMSG_SPACE(3)];
    } cm;
    struct msghdr msg;
    struct iovec iov;
    int fds[3], n = 0, i, bridge = l->plan->net.mode == CTR_NET_BRIDGE;
    char tag = bridge ? 'b' : 'n';
    if (bridge) {
        fds[n++] = ctr__sys_int(
            syscall(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0 /* NETLINK_ROUTE */));
    } else {
        fds[n++] = ctr__sys_int(syscall(SYS_pidfd_open, syscall(SYS_getpid), 0));
        fds[n++] = ctr__r_openat(AT_FDCWD, "/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC, 0);
        if (l->plan->userns)
            fds[n++] =
                ctr__r_openat(AT_FDCWD, "/proc/thread-self/ns/user", O_RDONLY | O_CLOEXEC, 0);
    }
    for (i = 0; i < n; i++)
        if (fds[i] < 0)
            ctr__c_die(l, CTR_STEP_NETWORK, errno, "",
                       bridge ? "open a netlink socket in the container's network namespace"
                              : "open the container's namespaces for pasta",
                       NULL, NULL, NULL);
    ctr__fdmsg(&msg, &iov, &tag, cm.buf, n, fds);
    /* A peer gone already (EPIPE) has left its answer, if any, for ctr__c_net_wait to read. */
    if (syscall(SYS_sendmsg, l->net_sock, &msg, MSG_NOSIGNAL) != 1 && errno != EPIPE &&
        errno != ECONNRESET)
        ctr__c_die(l, CTR_STEP_NETWORK, errno, "",
                   bridge ? "pass the container's netlink socket to the host"
                          : "pass the namespaces to pasta's keeper",
                   NULL, NULL, NULL);
    for (i = 0; i < n; i++) ctr__r_close(fds[i]);
}

/* The second half, just before the last steps of the setup: the answer, 'g' once the network
   is up, or a ctr_error record with the reason it is not, reported as ours. */
static void ctr__c_net_wait(const ctr__launch *l) {
    ctr_error e;
    long r;
    memset(&e, 0, sizeof(e));
    do r = syscall(SYS_recvfrom, l->net_sock, &e, sizeof(e), 0, NULL, NULL);
    while (r < 0 && errno == EINTR);
    if (r == CTR__CAST(long, sizeof(e))) {
        e.path[sizeof(e.path) - 1] = '\0';
        e.msg[sizeof(e.msg) - 1] = '\0';
        ctr__c_die(l, e.step, e.sys_errno, e.path, e.msg, NULL, NULL, NULL);
    }
    if (r != 1)
        ctr__c_die(l, CTR_STEP_NETWORK, r < 0 ? errno : EPIPE,
                   l->plan->net.mode == CTR_NET_BRIDGE ? "" : "pasta",
                   l->plan->net.mode == CTR_NET_BRIDGE
                       ? "wait for the container's network (the host's side is gone)"
                       : "wait for pasta to bring the network up (its keeper is gone)",
                   NULL, NULL, NULL);
    ctr__r_close(l->net_sock);
}

/* The child's entry point: executes the plan, then execs the command.  Never returns. */
static void ctr__child_main(void *launch) {
    ctr__launch own = *CTR__CAST(const ctr__launch *, launch); /* ours: fds move (spec.fds) */
    const ctr__launch *l = &own;
    const ctr__plan *p = l->plan;
    int parked[CTR__MAX_FDS + CTR__MAX_LISTEN];
    uint64_t none = 0;
    int sig, landlock;
    ctr__c_die_with_host(l, SIGKILL);
    /* The parent blocked every signal around clone; reset the host's handlers (and ignored
       signals) before unblocking.  The raw call, because glibc refuses to touch its own signals
       32 and 33; an all-zero kernel sigaction is SIG_DFL with no flags on every layout. */
    for (sig = 1; sig < NSIG; sig++) {
        static const unsigned long dfl[4] = {0, 0, 0, 0};
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)syscall(SYS_rt_sigaction, sig, dfl, NULL, 8);
    }
    (void)none;
    ctr__c_cgroup(l);
    if (p->nns_paths) ctr__c_join_ns(l);
    if (l->netns_fd >= 0 && syscall(SYS_setns, l->netns_fd, CLONE_NEWNET) != 0)
        ctr__c_die(l, CTR_STEP_NETWORK, errno, "", "enter the container's network namespace", NULL,
                   NULL, NULL);
    ctr__c_stdio(l);
    if (l->nfds) ctr__c_park_fds(&own, parked);
    ctr__c_close_fds(l, parked, l->nfds);
    if (syscall(SYS_setsid) < 0)
        ctr__c_die(l, CTR_STEP_CLONE, errno, "", "start a new session", NULL, NULL, NULL);
    if (!p->join) ctr__c_own_namespaces(l);
    if (l->net_sock >= 0) ctr__c_net_send(l);
    /* Not dumpable until execve: nothing may ptrace or read /proc/PID of this copy of the host. */
    if (ctr__r_prctl(PR_SET_DUMPABLE, 0) != 0)
        ctr__c_die(l, CTR_STEP_CLONE, errno, "", "make the process undumpable", NULL, NULL, NULL);
    if (p->hostname && syscall(SYS_sethostname, p->hostname, strlen(p->hostname)) != 0)
        ctr__c_die(l, CTR_STEP_HOSTNAME, errno, p->hostname, "set hostname ", p->hostname, NULL,
                   NULL);
    if (l->net_lo && ctr__lo_up() != 0)
        ctr__c_die(l, CTR_STEP_NETWORK, errno, "lo", "bring up the loopback interface", NULL, NULL,
                   NULL);
    if (p->nsysctls || p->set_oom) ctr__c_sysctls(l);
    syscall(SYS_umask, 022);
    if (!p->join) ctr__c_setup_root(l); /* else the shim joined the container's mount ns */
    if (p->tty) ctr__c_tty(l);
    landlock = ctr__c_landlock_prepare(l); /* paths resolved in the new root, cwd still "/" */
    ctr__c_cwd(l);
    if (l->net_sock >= 0) ctr__c_net_wait(l); /* the network, made meanwhile */
    ctr__c_rlimits(l);
    ctr__c_caps_bounding(l);
    /* Without no_new_privs, installing a filter or Landlock rules needs CAP_SYS_ADMIN, which goes
       next. */
    if (!p->nnp) {
        ctr__c_landlock_restrict(l, landlock);
        ctr__c_nonet(l);
        ctr__c_seccomp(l);
    }
    ctr__c_identity(l);
    ctr__c_caps_final(l);
    ctr__c_die_with_host(l, SIGKILL);
    if (p->nnp) ctr__c_landlock_restrict(l, landlock);
    if (l->hostfd >= 0) ctr__r_close(l->hostfd);
    if (l->nfds) ctr__c_place_fds(l, parked);
    if (p->set_umask) syscall(SYS_umask, p->umask);
    if (p->wait_start) {
        ctr__c_wait_start(&own);
    } else if (!p->init) { /* the setup is done (an exec failure would follow it): ctr__verdict */
        ctr_error done;
        long w;
        memset(&done, 0, sizeof(done));
        do w = ctr__r_write(l->errfd, &done, sizeof(done));
        while (w < 0 && errno == EINTR);
    }
    if (p->nnp) ctr__c_nonet(l);
    if (p->nnp) ctr__c_seccomp(l);
    if (p->init) ctr__c_init(l);
    if (p->notify_bpf) { /* the interception filter last (notify.c) */
        ctr__c_listen_pid(l);
        ctr__c_notify(&own);
    }
    ctr__c_exec(l);
}
/* ---- end src/child.c ---- */
/* ---- begin src/mount.c ---- */
/* mount.c - the child's mount engine: builds the new root from the plan's ops with the new mount
   API and enters it with pivot_root.

   RULES FOR THIS FILE (as for child.c, whose code calls it).  It runs between clone and execve,
   in a copy of a possibly multi-threaded host or on its memory: only raw system calls (the
   ctr__r_* macros and syscall()), memcpy/memset/strlen, the launch and plan prepared by the
   parent, and its own stack.  No malloc, no stdio, no locks, no cancellation points; failures go
   through ctr__c_die.

   Every target is resolved inside the new root with openat2(RESOLVE_IN_ROOT |
   RESOLVE_NO_MAGICLINKS), as runc and crun do: a symlink in an image (Debian's /var/run -> /run)
   is followed as it would be inside the container, and ".." or an absolute link never leaves the
   root. */

/* "d" and n in decimal (at least 12 bytes). */
static void ctr__c_utoa_dev(char *buf, unsigned n) {
    char tmp[11];
    int i = 0, j = 1;
    buf[0] = 'd';
    do tmp[i++] = CTR__CAST(char, '0' + n % 10);
    while ((n /= 10) != 0);
    while (i > 0) buf[j++] = tmp[--i];
    buf[j] = '\0';
}

static const char *const ctr__dev_paths[CTR__DEV_NODES] = {
    "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"};

static void ctr__c_setattr(const ctr__launch *l, int fd, unsigned flags, uint64_t set, uint64_t clr,
                           const char *what) {
    ctr__mount_attr a;
    memset(&a, 0, sizeof(a));
    a.attr_set = set;
    a.attr_clr = clr;
    if (ctr__mount_setattr(fd, "", AT_EMPTY_PATH | flags, &a) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, what, "set mount flags on ", what, NULL, NULL);
}

#define CTR__MOUNT_ATTR_NOATIME     0x10u
#define CTR__MOUNT_ATTR_STRICTATIME 0x20u
#define CTR__MOUNT_ATTR__ATIME      0x70u
#define CTR__MOUNT_ATTR_NODIRATIME  0x80u

/* A detached clone of what the O_PATH descriptor fd (closed) names, with these attributes. */
static int ctr__c_clone_at(const ctr__launch *l, int fd, unsigned rec, uint64_t set,
                           const char *what, const char *dst) {
    int m =
        ctr__open_tree(fd, "", CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | rec);
    if (m < 0) ctr__c_die(l, CTR_STEP_MOUNT, errno, what, "bind ", what, " on ", dst);
    ctr__r_close(fd);
    ctr__c_setattr(l, m, rec, set, (set & CTR__MOUNT_ATTR__ATIME) ? CTR__MOUNT_ATTR__ATIME : 0,
                   what);
    return m;
}

/* openat2 inside the root: symlinks and ".." resolve as they would with rootfd as "/". */
static int ctr__c_in_root(int rootfd, const char *rel, int flags, unsigned mode) {
    ctr__open_how how;
    int tries;
    memset(&how, 0, sizeof(how));
    how.flags = CTR__CAST(uint64_t, flags | O_CLOEXEC);
    how.mode = mode;
    how.resolve = CTR__RESOLVE_IN_ROOT | CTR__RESOLVE_NO_MAGICLINKS;
    /* EAGAIN: a rename or mount somewhere on the system raced with a ".." step (the kernel
       cannot prove it stayed inside): try again, as libpathrs does. */
    for (tries = 0;; tries++) {
        int fd = ctr__openat2(rootfd, rel[0] ? rel : ".", &how);
        if (fd >= 0 || errno != EAGAIN || tries == 1000) return fd;
    }
}

/* Opens the directory dst[0..len) (dst absolute, normalised) inside rootfd as O_PATH, creating
   the missing components, as mkdir -p would inside the container: a dangling symlink on the way
   (an image's /var/run -> /run without /run) is followed and its target made. */
static int ctr__c_open_dir(const ctr__launch *l, int rootfd, const char *dst, size_t len) {
    char buf[PATH_MAX], link[PATH_MAX];
    size_t i;
    int fd, prev, hops = 0;
    if (len >= sizeof(buf))
        ctr__c_die(l, CTR_STEP_MOUNT, ENAMETOOLONG, dst, "resolve ", dst, NULL, NULL);
    /* dst starts with '/': work on the relative part. */
    memcpy(buf, dst + 1, len - 1);
    buf[len - 1] = '\0';
restart:
    fd = ctr__c_in_root(rootfd, buf, O_PATH | O_DIRECTORY, 0);
    if (fd >= 0 || errno != ENOENT) {
        if (fd < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "resolve ", dst, " inside the container root",
                       NULL);
        return fd;
    }
    prev = -1;
    for (i = 0;; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char save = buf[i];
            char *name = buf + i;
            while (name > buf && name[-1] != '/') name--;
            buf[i] = '\0';
            fd = ctr__c_in_root(rootfd, buf, O_PATH | O_DIRECTORY, 0);
            if (fd < 0 && errno == ENOENT) {
                int at = prev >= 0 ? prev : rootfd;
                long n;
                if (ctr__r_mkdirat(at, name, 0755) != 0 && errno != EEXIST)
                    ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "create directory ", name, " for ",
                               dst);
                n = syscall(SYS_readlinkat, at, name, link, sizeof(link) - 1);
                if (n > 0) { /* a dangling symlink: go on from its target */
                    size_t keep = CTR__CAST(size_t, name - buf),
                           rest = save ? strlen(buf + i + 1) : 0;
                    size_t ln = CTR__CAST(size_t, n);
                    char *t = link;
                    link[ln] = '\0';
                    if (*t == '/') { /* absolute: from the container's root */
                        while (*t == '/') t++;
                        ln = strlen(t);
                        keep = 0;
                    }
                    if (++hops > 40 || keep + ln + 1 + rest + 1 > sizeof(buf))
                        ctr__c_die(l, CTR_STEP_MOUNT, hops > 40 ? ELOOP : ENAMETOOLONG, dst,
                                   "resolve ", dst, " inside the container root", NULL);
                    if (rest) memmove(buf + keep + ln + 1, buf + i + 1, rest + 1);
                    memmove(buf + keep, t, ln);
                    buf[keep + ln] = rest ? '/' : '\0';
                    if (prev >= 0) ctr__r_close(prev);
                    goto restart;
                }
                fd = ctr__c_in_root(rootfd, buf, O_PATH | O_DIRECTORY, 0);
            }
            if (fd < 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "resolve ", dst,
                           " inside the container root", NULL);
            if (prev >= 0) ctr__r_close(prev);
            prev = fd;
            buf[i] = save;
            if (save == '\0') break;
        }
    }
    return prev;
}

/* The parent directory of dst (created if missing) and the last component's name. */
static int ctr__c_open_parent(const ctr__launch *l, int rootfd, const char *dst,
                              const char **name) {
    size_t len = strlen(dst);
    while (len > 0 && dst[len - 1] != '/') len--;
    *name = dst + len;
    return ctr__c_open_dir(l, rootfd, dst, len > 1 ? len - 1 : 1);
}

/* Opens (O_CREAT) the file dst inside the root, making missing parents; where dst or a link
   it names is a dangling symlink, the file it names is made, as open(O_CREAT) would inside the
   container.  The fd, or -1 with errno. */
static int ctr__c_create_file(const ctr__launch *l, int rootfd, const char *dst, int flags,
                              unsigned mode) {
    char cur[PATH_MAX], link[PATH_MAX];
    int hops;
    if (strlen(dst) >= sizeof(cur))
        ctr__c_die(l, CTR_STEP_MOUNT, ENAMETOOLONG, dst, "resolve ", dst, NULL, NULL);
    memcpy(cur, dst, strlen(dst) + 1);
    for (hops = 0; hops < 40; hops++) {
        const char *name;
        int dir = ctr__c_open_parent(l, rootfd, cur, &name), f, e;
        size_t keep = CTR__CAST(size_t, name - cur), ln;
        long n;
        f = ctr__c_in_root(rootfd, cur + 1, flags | O_CREAT, mode);
        e = errno;
        n = f < 0 && e == ENOENT ? syscall(SYS_readlinkat, dir, name, link, sizeof(link) - 1) : -1;
        ctr__r_close(dir);
        if (f >= 0) return f;
        if (n <= 0) {
            errno = e;
            return -1;
        }
        ln = CTR__CAST(size_t, n);
        link[ln] = '\0';
        if (link[0] == '/')
            keep = 0;
        else if (keep + ln + 1 > sizeof(cur))
            break;
        memcpy(cur + keep, link, ln + 1); /* cur[0..keep) is the link's directory, ending in '/' */
    }
    ctr__c_die(l, CTR_STEP_MOUNT, hops < 40 ? ENAMETOOLONG : ELOOP, dst, "resolve ", dst,
               " inside the container root", NULL);
    return -1;
}

/* A fresh filesystem as a detached mount: fsopen, options, create, fsmount. */
static int ctr__c_fsmount(const ctr__launch *l, const char *type, const char *const *opts,
                          unsigned attrs, const char *dst) {
    int fs = ctr__fsopen(type), m = -1;
    size_t i;
    if (fs < 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "create a ", type, " filesystem for ", dst);
    for (i = 0; opts && opts[i]; i += 2) {
        if (!opts[i + 1][0]) continue; /* empty value: option not set */
        if (ctr__fsconfig(fs, CTR__FSCONFIG_SET_STRING, opts[i], opts[i + 1]) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "set option ", opts[i],
                       " of the filesystem for ", dst);
    }
    if (ctr__fsconfig(fs, CTR__FSCONFIG_CMD_CREATE, NULL, NULL) != 0 ||
        (m = ctr__fsmount(fs, attrs)) < 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "mount ", type, " on ", dst);
    ctr__r_close(fs);
    return m;
}

static void ctr__c_attach(const ctr__launch *l, int mnt, int rootfd, const char *dst,
                          const char *what) {
    int t = ctr__c_open_dir(l, rootfd, dst, strlen(dst));
    if (ctr__move_mount(mnt, "", t, "",
                        CTR__MOVE_MOUNT_F_EMPTY_PATH | CTR__MOVE_MOUNT_T_EMPTY_PATH) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "mount ", what, " on ", dst);
    ctr__r_close(t);
}

static void ctr__c_bind_file(const ctr__launch *l, const ctr__op *op, int src, int rootfd) {
    /* O_PATH: never opens what is there (a FIFO would block). */
    int f = ctr__c_in_root(rootfd, op->dst + 1, O_PATH, 0);
    if (f < 0 && errno == ENOENT) {
        if ((f = ctr__c_create_file(l, rootfd, op->dst, O_WRONLY | O_NONBLOCK | O_NOCTTY, 0644)) <
            0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create mount point ", op->dst, NULL,
                       NULL);
        ctr__r_close(f);
        f = ctr__c_in_root(rootfd, op->dst + 1, O_PATH, 0);
    }
    if (f < 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "resolve ", op->dst,
                   " inside the container root", NULL);
    if (ctr__move_mount(src, "", f, "",
                        CTR__MOVE_MOUNT_F_EMPTY_PATH | CTR__MOVE_MOUNT_T_EMPTY_PATH) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "bind ", op->src, " on ", op->dst);
    ctr__r_close(f);
    ctr__r_close(src);
}

/* /dev: a small tmpfs with the host's harmless device nodes bound in, a private devpts, /dev/shm
   as a tmpfs of its own (plan->shm_size), symlinks. */
static void ctr__c_dev(const ctr__launch *l, const ctr__op *op, const int *fds, int rootfd) {
    const char *tmpfs_opts[] = {"mode", op->opt_mode, "size", op->opt_size, "source", "", NULL};
    tmpfs_opts[5] = op->src && op->type != CTR_MOUNT_BIND ? op->src : "";
    static const char *const pts_opts[] = {"ptmxmode", "0666", "mode", "0620", NULL};
    static const char *const links[] = {"pts/ptmx",        "ptmx",  "/proc/self/fd",   "fd",
                                        "/proc/self/fd/0", "stdin", "/proc/self/fd/1", "stdout",
                                        "/proc/self/fd/2", "stderr"};
    const char *shm_opts[] = {"mode", "1777", "size", l->plan->shm_size_opt, NULL};
    const unsigned hidden = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC;
    /* nodev on the tmpfs: a node made with mknod there cannot be opened; the device binds below
       are mounts of their own and keep working, and so does devpts (its ptys are nodes). */
    int dev = ctr__c_fsmount(l, "tmpfs", tmpfs_opts, hidden, op->dst);
    int k, m;
    size_t i;
    ctr__c_attach(l, dev, rootfd, op->dst, "tmpfs");
    for (k = 0; k < CTR__DEV_NODES; k++) {
        int f =
            ctr__r_openat(dev, ctr__dev_nodes[k], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (f < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create ", ctr__dev_paths[k], " in ",
                       op->dst);
        ctr__r_close(f);
        m = ctr__c_clone_at(l, fds[k], 0, CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NOEXEC,
                            ctr__dev_paths[k], op->dst);
        if (ctr__move_mount(m, "", dev, ctr__dev_nodes[k], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "bind ", ctr__dev_paths[k], " in ",
                       op->dst);
        ctr__r_close(m);
    }
    if (ctr__r_mkdirat(dev, "pts", 0755) != 0 || ctr__r_mkdirat(dev, "shm", 01777) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create directories in ", op->dst, NULL,
                   NULL);
    m = ctr__c_fsmount(l, "devpts", pts_opts, CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NOEXEC,
                       op->dst);
    if (ctr__move_mount(m, "", dev, "pts", CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "mount devpts in ", op->dst, NULL, NULL);
    ctr__r_close(m);
    m = ctr__c_fsmount(l, "tmpfs", shm_opts, hidden, op->dst);
    if (ctr__move_mount(m, "", dev, "shm", CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "mount the shm tmpfs in ", op->dst, NULL,
                   NULL);
    ctr__r_close(m);
    for (i = 0; i < sizeof(links) / sizeof(links[0]); i += 2)
        if (ctr__r_symlinkat(links[i], dev, links[i + 1]) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create symlink ", links[i + 1], " in ",
                       op->dst);
    if (op->flags & CTR_MOUNT_READONLY)
        ctr__c_setattr(l, dev, 0, CTR__MOUNT_ATTR_RDONLY, 0, op->dst);
    ctr__r_close(dev);
}

/* Writes a CTR_MOUNT_FILE's data into f, whole. */
static void ctr__c_write_data(const ctr__launch *l, const ctr__op *op, int f) {
    size_t off = 0;
    while (off < op->data_len) {
        long w = ctr__r_write(f, CTR__CAST(const char *, op->data) + off, op->data_len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "write file ", op->dst, NULL, NULL);
        off += CTR__CAST(size_t, w);
    }
}

static void ctr__c_make_node(const ctr__launch *l, const ctr__op *op, int rootfd) {
    struct stat st;
    int f;
    if (op->type == CTR_MOUNT_FILE) {
        /* Non-blocking, and only a regular file: a FIFO left at the path by an earlier container
           (it had a writable root) must not hang the spawn, nor a device or socket be written. */
        f = ctr__c_create_file(l, rootfd, op->dst, O_WRONLY | O_TRUNC | O_NONBLOCK | O_NOCTTY,
                               op->mode);
        if (f < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create file ", op->dst,
                       errno == ENXIO ? " (a FIFO or socket is in the way)" : NULL, NULL);
        if (ctr__r_fstat(f, &st) != 0 || !S_ISREG(st.st_mode))
            ctr__c_die(l, CTR_STEP_MOUNT, EEXIST, op->dst, "create file ", op->dst,
                       ": something that is not a regular file is in the way", NULL);
        ctr__c_write_data(l, op, f);
        if (ctr__r_fchmod(f, op->mode) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "chmod ", op->dst, NULL, NULL);
        ctr__r_close(f);
    } else {
        const char *name;
        int dir = ctr__c_open_parent(l, rootfd, op->dst, &name);
        if (op->type == CTR_MOUNT_SYMLINK) {
            if (ctr__r_symlinkat(op->src, dir, name) != 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create symlink ", op->dst, " -> ",
                           op->src);
        } else if (ctr__r_mkdirat(dir, name, op->mode) == 0) { /* CTR_MOUNT_DIR */
            if (ctr__r_fchmodat(dir, name, op->mode) != 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "chmod ", op->dst, NULL, NULL);
        } else if (errno != EEXIST) {
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create directory ", op->dst, NULL, NULL);
        } else {
            /* there already: a directory, or a symlink to one (made if it dangles) */
            ctr__r_close(ctr__c_open_dir(l, rootfd, op->dst, strlen(op->dst)));
        }
        ctr__r_close(dir);
    }
}

/* Masks in a fresh proc or sysfs mount `base`: files get the host's /dev/null bound over them
   (read-only, nodev: opening one fails with EACCES), directories an empty read-only tmpfs;
   read-only paths are bound onto themselves read-only.  All are mounts the container cannot
   remove (no CAP_SYS_ADMIN, and umount is filtered). */
static void ctr__c_masks(const ctr__launch *l, int base, const char *dst, const char *const *masked,
                         const char *const *readonly) {
    static const char *const empty_opts[] = {"mode", "0555", "size", "4096", NULL};
    const unsigned flags = CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC;
    const unsigned hidden = CTR__MOUNT_ATTR_RDONLY | CTR__MOUNT_ATTR_NOSUID |
                            CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC;
    int i;
    for (i = 0; masked[i]; i++) {
        struct stat st;
        int m;
        if (ctr__r_fstatat(base, masked[i], &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* not on this kernel */
        if (S_ISDIR(st.st_mode)) {
            /* a fresh one each time: kernels before 6.15 cannot clone a detached mount */
            m = ctr__c_fsmount(l, "tmpfs", empty_opts, hidden, dst);
        } else {
            /* nodev: opening the mask fails with EACCES instead of reading /dev/null */
            m = ctr__open_tree(AT_FDCWD, "/dev/null", flags);
            if (m >= 0) ctr__c_setattr(l, m, 0, hidden, 0, dst);
        }
        if (m < 0 || ctr__move_mount(m, "", base, masked[i], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "mask ", masked[i], " in ", dst);
        ctr__r_close(m);
    }
    for (i = 0; readonly && readonly[i]; i++) {
        int m = ctr__open_tree(base, readonly[i], flags | AT_RECURSIVE);
        if (m < 0 && errno == ENOENT) continue;
        if (m < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "make ", readonly[i], " read-only in ", dst);
        ctr__c_setattr(l, m, AT_RECURSIVE,
                       CTR__MOUNT_ATTR_RDONLY | CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV, 0,
                       dst);
        if (ctr__move_mount(m, "", base, readonly[i], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, dst, "make ", readonly[i], " read-only in ", dst);
        ctr__r_close(m);
    }
}

static const char *const ctr__proc_masked[] = {
    "kcore",       "keys",        "key-users",   "timer_list", "sched_debug", "latency_stats",
    "timer_stats", "acpi",        "scsi",        "asound",     "kallsyms",    "kpagecount",
    "kpageflags",  "kpagecgroup", "vmallocinfo", NULL};
static const char *const ctr__proc_readonly[] = {"sys", "sysrq-trigger", "irq", "bus", "fs", NULL};
static const char *const ctr__sys_masked[] = {"firmware", "devices/virtual/powercap",
                                              "kernel/security", NULL};

/* The mount attributes an op's flags ask for beyond the defaults: noexec and the access times. */
static unsigned ctr__op_attrs(const ctr__op *op) {
    unsigned a = 0;
    if (op->flags & CTR_MOUNT_NOEXEC) a |= CTR__MOUNT_ATTR_NOEXEC;
    if (op->flags & CTR_MOUNT_NOATIME) a |= CTR__MOUNT_ATTR_NOATIME;
    if (op->flags & CTR_MOUNT_STRICTATIME) a |= CTR__MOUNT_ATTR_STRICTATIME;
    if (op->flags & CTR_MOUNT_NODIRATIME) a |= CTR__MOUNT_ATTR_NODIRATIME;
    return a;
}

/* CTR_MOUNT_CGROUP: with a cgroup2 root, one cgroup2 mount; otherwise (cgroup v1, the hybrid
   layout) a tmpfs with each hierarchy the host has mounted under /sys/fs/cgroup mounted anew in
   a directory of the same name (the container's cgroup namespace makes its root the
   container's cgroup), and a symlink for each controller of a co-mounted pair. */
/* "cpu,cpuacct": links cpu and cpuacct to it, as the host has them. */
static void ctr__c_cgroup_links(int base, const char *dir) {
    char name[64];
    const char *c = dir;
    if (!strchr(dir, ',')) return;
    while (*c) {
        size_t n = strcspn(c, ",");
        if (n < sizeof(name)) {
            memcpy(name, c, n);
            name[n] = '\0';
            (void)ctr__r_symlinkat(dir, base, name);
        }
        c += n + (c[n] == ',');
    }
}

/* The container's own directory of a hierarchy, from /proc/self/cgroup (key: the hierarchy's
   name there, "" for cgroup2), as "/sys/fs/cgroup/DIR/PATH" in out. */
static void ctr__c_own_cgroup(const ctr__launch *l, const char *dir, const char *key, char *out,
                              size_t size) {
    char buf[4096];
    const char *s;
    size_t have = 0, klen = strlen(key), n;
    long r;
    int fd = ctr__r_openat(AT_FDCWD, "/proc/self/cgroup", O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, "/proc/self/cgroup", "read ", "/proc/self/cgroup",
                   NULL, NULL);
    while (have + 1 < sizeof(buf) && (r = ctr__r_read(fd, buf + have, sizeof(buf) - 1 - have)) > 0)
        have += CTR__CAST(size_t, r);
    ctr__r_close(fd);
    buf[have] = '\0';
    for (s = buf; *s; s += n + (s[n] == '\n')) {
        const char *c1 = s;
        n = 0;
        while (s[n] && s[n] != '\n') n++;
        while (c1 < s + n && *c1 != ':') c1++;
        if (c1 + 1 + klen < s + n && strncmp(c1 + 1, key, klen) == 0 && c1[1 + klen] == ':') {
            size_t o = ctr__append(out, size, 0, "/sys/fs/cgroup/");
            size_t plen = CTR__CAST(size_t, s + n - (c1 + 2 + klen));
            o = ctr__append(out, size, o, dir);
            if (o + plen + 1 >= size) break;
            memcpy(out + o, c1 + 2 + klen, plen);
            out[o + plen] = '\0';
            return;
        }
    }
    ctr__c_die(l, CTR_STEP_MOUNT, ENOENT, dir, "find the container's cgroup in hierarchy ",
               key[0] ? key : "cgroup2", NULL, NULL);
}

static void ctr__c_cgroup_mount(const ctr__launch *l, const ctr__op *op, int rootfd) {
    static const char *const tmpfs_opts[] = {"mode", "0755", "size", "65536", NULL};
    const unsigned hidden = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC;
    const unsigned ro = (op->flags & CTR_MOUNT_READONLY) ? CTR__MOUNT_ATTR_RDONLY : 0u;
    const char *const *h = op->opts;
    /* Without a cgroup namespace of its own a fresh mount would show the host's whole tree:
       the container's own directories are bound instead (as runc does). */
    int bind = !l->plan->cgroupns && !(l->plan->clone_flags & CLONE_NEWCGROUP), base, i;
    if (bind) {
        char path[PATH_MAX];
        int m;
        if (h[0][0] == '\0') {
            ctr__c_own_cgroup(l, "", "", path, sizeof(path));
            if ((m = ctr__open_tree(AT_FDCWD, path,
                                    CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC)) < 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, path, "bind ", path, " on ", op->dst);
            ctr__c_setattr(l, m, 0, hidden | ro, 0, op->dst);
            ctr__c_attach(l, m, rootfd, op->dst, path);
            ctr__r_close(m);
            return;
        }
        base = ctr__c_fsmount(l, "tmpfs", tmpfs_opts, hidden, op->dst);
        ctr__c_attach(l, base, rootfd, op->dst, "tmpfs");
        for (i = 0; h[i]; i += 4) {
            ctr__c_own_cgroup(l, h[i], h[i + 3], path, sizeof(path));
            if (ctr__r_mkdirat(base, h[i], 0755) != 0 && errno != EEXIST)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create ", h[i], " in ", op->dst);
            if ((m = ctr__open_tree(AT_FDCWD, path,
                                    CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC)) < 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, path, "bind ", path, " in ", op->dst);
            ctr__c_setattr(l, m, 0, hidden | ro, 0, path);
            if (ctr__move_mount(m, "", base, h[i], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, path, "bind ", path, " in ", op->dst);
            ctr__r_close(m);
            ctr__c_cgroup_links(base, h[i]);
        }
        if (ro) ctr__c_setattr(l, base, 0, CTR__MOUNT_ATTR_RDONLY, 0, op->dst);
        ctr__r_close(base);
        return;
    }
    if (h[0][0] == '\0') { /* cgroup2 at the root */
        const char *src[] = {"source", op->src ? op->src : "", NULL};
        int m = ctr__c_fsmount(l, "cgroup2", src, hidden | ro, op->dst);
        ctr__c_attach(l, m, rootfd, op->dst, "cgroup2");
        ctr__r_close(m);
        return;
    }
    base = ctr__c_fsmount(l, "tmpfs", tmpfs_opts, hidden, op->dst);
    ctr__c_attach(l, base, rootfd, op->dst, "tmpfs");
    for (i = 0; h[i]; i += 4) {
        char opts[512], *o, *next;
        size_t len = strlen(h[i + 2]);
        int fs, m = -1;
        if (len >= sizeof(opts))
            ctr__c_die(l, CTR_STEP_MOUNT, ENAMETOOLONG, op->dst, "mount cgroup ", h[i], NULL, NULL);
        memcpy(opts, h[i + 2], len + 1);
        if (ctr__r_mkdirat(base, h[i], 0755) != 0 && errno != EEXIST)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create ", h[i], " in ", op->dst);
        if ((fs = ctr__fsopen(h[i + 1])) < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create a ", h[i + 1], " filesystem for ",
                       h[i]);
        if (op->src && op->src[0] &&
            ctr__fsconfig(fs, CTR__FSCONFIG_SET_STRING, "source", op->src) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "set the source of cgroup ", h[i], NULL,
                       NULL);
        for (o = opts; o && *o && strcmp(h[i + 1], "cgroup") == 0; o = next) {
            char *eq;
            int r;
            next = strchr(o, ',');
            if (next) *next++ = '\0';
            eq = strchr(o, '=');
            if (strcmp(o, "rw") == 0 || strcmp(o, "ro") == 0) continue;
            if (eq) {
                *eq = '\0';
                r = ctr__fsconfig(fs, CTR__FSCONFIG_SET_STRING, o, eq + 1);
            } else {
                r = ctr__fsconfig(fs, CTR__FSCONFIG_SET_FLAG, o, NULL);
            }
            if (r != 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "set option ", o, " of cgroup ",
                           h[i]);
        }
        if (ctr__fsconfig(fs, CTR__FSCONFIG_CMD_CREATE, NULL, NULL) != 0 ||
            (m = ctr__fsmount(fs, hidden | ro)) < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "mount cgroup ", h[i], " in ", op->dst);
        ctr__r_close(fs);
        if (ctr__move_mount(m, "", base, h[i], CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "mount cgroup ", h[i], " in ", op->dst);
        ctr__r_close(m);
        ctr__c_cgroup_links(base, h[i]);
    }
    if (ro) ctr__c_setattr(l, base, 0, CTR__MOUNT_ATTR_RDONLY, 0, op->dst);
    ctr__r_close(base);
}

/* The propagation of the mount at fd (CTR_MOUNT_SHARED... in flags; none: left as it is). */
static void ctr__c_propagation(const ctr__launch *l, int fd, unsigned flags, const char *what) {
    ctr__mount_attr a;
    memset(&a, 0, sizeof(a));
    a.propagation = (flags & CTR_MOUNT_SHARED)       ? MS_SHARED
                    : (flags & CTR_MOUNT_SLAVE)      ? MS_SLAVE
                    : (flags & CTR_MOUNT_PRIVATE)    ? MS_PRIVATE
                    : (flags & CTR_MOUNT_UNBINDABLE) ? MS_UNBINDABLE
                                                     : 0;
    if (!a.propagation) return;
    if (ctr__mount_setattr(
            fd, "", AT_EMPTY_PATH | ((flags & CTR_MOUNT_RPROPAGATION) ? AT_RECURSIVE : 0), &a) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, what, "set the propagation of ", what, NULL, NULL);
}

static void ctr__c_apply_one(const ctr__launch *l, const ctr__op *op, const int *fds, int rootfd,
                             int premade);

/* Whether the plan's op i is a bind whose source the parent premade (idmapped, userns.c): its
   slot holds a detached mount, attached as it is. */
static int ctr__c_premade(const ctr__launch *l, size_t i) {
    return l->op_pre && l->plan->ops[i].type == CTR_MOUNT_BIND && l->op_pre[i] >= 0;
}

/* One op, then its propagation; fds are its slots in l->mnt_fds (the detached trees
   ctr__c_clone_sources made). */
static void ctr__c_apply(const ctr__launch *l, const ctr__op *op, const int *fds, int rootfd,
                         int premade) {
    int t;
    ctr__c_apply_one(l, op, fds, rootfd, premade);
    if (!(op->flags &
          (CTR_MOUNT_SHARED | CTR_MOUNT_SLAVE | CTR_MOUNT_PRIVATE | CTR_MOUNT_UNBINDABLE)))
        return;
    if ((t = ctr__c_in_root(rootfd, op->dst + 1, O_PATH, 0)) < 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "resolve ", op->dst,
                   " inside the container root", NULL);
    ctr__c_propagation(l, t, op->flags, op->dst);
    ctr__r_close(t);
}

static void ctr__c_apply_one(const ctr__launch *l, const ctr__op *op, const int *fds, int rootfd,
                             int premade) {
    const unsigned hidden = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC;
    const unsigned ro = (op->flags & CTR_MOUNT_READONLY) ? CTR__MOUNT_ATTR_RDONLY : 0u;
    const char *tmpfs_opts[] = {"mode", op->opt_mode, "size", op->opt_size, "source", "", NULL};
    tmpfs_opts[5] = op->src && op->type != CTR_MOUNT_BIND ? op->src : "";
    int m;
    switch (op->type) {
    case CTR_MOUNT_BIND: {
        unsigned rec =
            (op->flags & CTR_MOUNT_NONRECURSIVE) ? 0u : CTR__CAST(unsigned, AT_RECURSIVE);
        uint64_t set = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | ctr__op_attrs(op);
        if (!(op->flags & CTR_MOUNT_RW)) set |= CTR__MOUNT_ATTR_RDONLY;
        if (premade) { /* a detached mount already, idmapped: no clone */
            m = fds[0];
            if (ctr__op_attrs(op))
                ctr__c_setattr(l, m, rec, ctr__op_attrs(op),
                               (ctr__op_attrs(op) & CTR__MOUNT_ATTR__ATIME) ? CTR__MOUNT_ATTR__ATIME
                                                                            : 0,
                               op->src);
        } else {
            m = ctr__c_clone_at(l, fds[0], rec, set, op->src, op->dst);
        }
        if (!op->src_is_dir) {
            ctr__c_bind_file(l, op, m, rootfd);
            return;
        }
        ctr__c_attach(l, m, rootfd, op->dst, op->src);
        ctr__r_close(m);
        return;
    }
    case CTR_MOUNT_TMPFS:
        m = ctr__c_fsmount(l, "tmpfs", tmpfs_opts,
                           CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | ro | ctr__op_attrs(op),
                           op->dst);
        ctr__c_attach(l, m, rootfd, op->dst, "tmpfs");
        ctr__r_close(m);
        return;
    case CTR_MOUNT_PROC:
    case CTR_MOUNT_MQUEUE:
    case CTR_MOUNT_SYSFS: {
        const char *type = op->type == CTR_MOUNT_PROC    ? "proc"
                           : op->type == CTR_MOUNT_SYSFS ? "sysfs"
                                                         : "mqueue";
        const char *src[] = {"source", op->src ? op->src : "", NULL};
        m = ctr__c_fsmount(l, type, src,
                           hidden | (op->type == CTR_MOUNT_SYSFS ? CTR__MOUNT_ATTR_RDONLY : ro),
                           op->dst);
        ctr__c_attach(l, m, rootfd, op->dst, type);
        if (l->plan->masks && op->type == CTR_MOUNT_PROC)
            ctr__c_masks(l, m, op->dst, ctr__proc_masked, ctr__proc_readonly);
        if (l->plan->masks && op->type == CTR_MOUNT_SYSFS)
            ctr__c_masks(l, m, op->dst, ctr__sys_masked, NULL);
        ctr__r_close(m);
        return;
    }
    case CTR_MOUNT_DEV: ctr__c_dev(l, op, fds, rootfd); return;
    case CTR_MOUNT_FILE:
        if (op->flags & CTR__OP_PRIVATE) {
            ctr__c_bind_file(l, op, fds[0], rootfd);
            return;
        }
        ctr__c_make_node(l, op, rootfd);
        return;
    case CTR_MOUNT_DEVPTS:
        m = ctr__c_fsmount(l, "devpts", op->opts, CTR__MOUNT_ATTR_NOSUID | ro | ctr__op_attrs(op),
                           op->dst);
        ctr__c_attach(l, m, rootfd, op->dst, "devpts");
        ctr__r_close(m);
        return;
    case CTR_MOUNT_CGROUP: ctr__c_cgroup_mount(l, op, rootfd); return;
    case CTR_MOUNT_DIR:
    case CTR_MOUNT_SYMLINK: ctr__c_make_node(l, op, rootfd); return;
    }
}

/* The FILEs of the container's own (CTR__OP_PRIVATE: a network's /etc/resolv.conf and
   /etc/hosts), each written in one small tmpfs and cloned from it as a detached mount, to be
   bound on op->dst whatever is there (the host's read-only /etc).  From Linux 6.15 a detached
   mount can be cloned as it is, and the tmpfs's own descriptor stays open (close-on-exec) until
   the execve: dissolving a detached mount, like any unmount, waits for an RCU grace period,
   which need not delay the spawn.  Before 6.15 (EINVAL) each file's tmpfs is attached on
   attach_at for the moment of its clone, in our own mount namespace, then unmounted. */
typedef struct ctr__c_files {
    int fd;     /* the tmpfs, or -1 */
    int attach; /* a detached mount cannot be cloned here (before Linux 6.15) */
    int n;      /* files written */
} ctr__c_files;

static int ctr__c_private_file(const ctr__launch *l, const ctr__op *op, ctr__c_files *t) {
    static const char *const opts[] = {"mode", "0755", "size", "65536", NULL};
    const char *at = l->plan->attach_at;
    char name[] = "file0";
    int f, c = -1;
    name[4] = CTR__CAST(char, '0' + t->n++ % 10);
    if (t->fd < 0)
        t->fd = ctr__c_fsmount(
            l, "tmpfs", opts,
            CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC, op->dst);
    f = ctr__r_openat(t->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, op->mode);
    if (f < 0) ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create file ", op->dst, NULL, NULL);
    ctr__c_write_data(l, op, f);
    ctr__r_close(f);
    if (!t->attach) {
        if ((c = ctr__open_tree(t->fd, name, CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC)) >= 0)
            return c;
        if (errno != EINVAL)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "make the file for ", op->dst, NULL,
                       NULL);
        t->attach = 1;
    }
    if (ctr__move_mount(t->fd, "", AT_FDCWD, at, CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0 ||
        (c = ctr__open_tree(t->fd, name, CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC)) < 0 ||
        syscall(SYS_umount2, at, MNT_DETACH) != 0)
        ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "make the file for ", op->dst, NULL, NULL);
    ctr__r_close(t->fd);
    t->fd = -1; /* the next file gets a tmpfs of its own */
    return c;
}

/* Open every bind source (and the /dev nodes) first, as O_PATH descriptors (but a bind the
   parent premade idmapped and a private file, which are detached mounts already): once the new
   root is attached somewhere, host paths under that place are hidden.  Each is cloned
   (open_tree) only when its turn comes, so that the mounts are made in the order of the list (Linux 6.8 and
   later list /proc/self/mountinfo in the order mounts were made). */
static void ctr__c_clone_sources(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    ctr__c_files files = {-1, 0, 0};
    size_t i;
    int k;
    for (i = 0; i < p->nops; i++) {
        const ctr__op *op = &p->ops[i];
        int *fds = l->mnt_fds + i * CTR__DEV_NODES;
        if (ctr__c_premade(l, i)) {
            fds[0] = ctr__c_pre_fd(l, l->op_pre[i]); /* idmapped by the parent */
        } else if (op->type == CTR_MOUNT_BIND) {
            if ((fds[0] = ctr__r_openat(AT_FDCWD, op->src, O_PATH | O_CLOEXEC, 0)) < 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->src, "bind ", op->src, " on ", op->dst);
        } else if (op->type == CTR_MOUNT_FILE && (op->flags & CTR__OP_PRIVATE)) {
            fds[0] = ctr__c_private_file(l, op, &files);
        } else if (op->type == CTR_MOUNT_DEV) {
            for (k = 0; k < CTR__DEV_NODES; k++)
                if ((fds[k] = ctr__r_openat(AT_FDCWD, ctr__dev_paths[k], O_PATH | O_CLOEXEC, 0)) <
                    0)
                    ctr__c_die(l, CTR_STEP_MOUNT, errno, ctr__dev_paths[k], "bind ",
                               ctr__dev_paths[k], " in ", op->dst);
        }
    }
}

/* Whether every mount target of the plan is already in the tree at rootfd (nothing would have
   to be made in it): a read-only root then needs no layer. */
static int ctr__c_targets_exist(const ctr__plan *p, int rootfd) {
    size_t i;
    for (i = 0; i < p->nops; i++) {
        const ctr__op *op = &p->ops[i];
        int dir = !(op->type == CTR_MOUNT_BIND && !op->src_is_dir), fd;
        if (op->type == CTR_MOUNT_FILE || op->type == CTR_MOUNT_SYMLINK) return 0;
        fd = ctr__c_in_root(rootfd, op->dst + 1, O_PATH | (dir ? O_DIRECTORY : 0), 0);
        if (fd < 0) return 0;
        ctr__r_close(fd);
    }
    return 1;
}

/* The new root as a detached mount: an overlay of the layers (layers.c), the rootfs tree, or a
   fresh tmpfs. */
static int ctr__c_new_root(const ctr__launch *l) {
    static const char *const opts[] = {"mode", "0755", NULL};
    const unsigned base = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV;
    const ctr__plan *p = l->plan;
    int r;
    if (p->layer && p->layer_try_bind) {
        r = ctr__open_tree(AT_FDCWD, p->rootfs,
                           CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        if (r < 0)
            ctr__c_die(l, CTR_STEP_ROOTFS, errno, p->rootfs, "bind rootfs ", p->rootfs, NULL, NULL);
        if (ctr__c_targets_exist(p, r)) {
            ctr__c_setattr(l, r, AT_RECURSIVE, base | CTR__MOUNT_ATTR_RDONLY, 0, p->rootfs);
            return r;
        }
        ctr__r_close(r);
    }
    if (p->layer) return ctr__c_layer_root(l);
    if (!p->rootfs) return ctr__c_fsmount(l, "tmpfs", opts, base, "/");
    if (l->root_pre >= 0) return ctr__c_pre_fd(l, l->root_pre); /* idmapped by the parent */
    r = ctr__open_tree(AT_FDCWD, p->rootfs,
                       CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (r < 0)
        ctr__c_die(l, CTR_STEP_ROOTFS, errno, p->rootfs, "bind rootfs ", p->rootfs, NULL, NULL);
    /* Read-only: every mount of the tree, but the top stays writable until the mount points exist. */
    ctr__c_setattr(l, r, AT_RECURSIVE, base | (p->readonly_root ? CTR__MOUNT_ATTR_RDONLY : 0u), 0,
                   p->rootfs);
    if (p->readonly_root) {
        ctr__mount_attr a;
        memset(&a, 0, sizeof(a));
        a.attr_clr = CTR__MOUNT_ATTR_RDONLY;
        (void)ctr__mount_setattr(r, "", AT_EMPTY_PATH,
                                 &a); /* EPERM: the host's mount is read-only */
    }
    return r;
}

/* The late ops (spec.devices, masked_paths, readonly_paths), after every mount and before the
   root turns read-only.  Devices: made with mknod in a tmpfs of our own that is never attached
   anywhere (without nodev), each bound from there onto a file in the container, so that only
   the nodes asked for can be opened (every other mount stays nodev).  Masks: /dev/null bound
   over a file, an empty read-only tmpfs over a directory; read-only paths: bound onto
   themselves read-only.  A path that does not exist is left alone (as runc does). */
static void ctr__c_late_ops(const ctr__launch *l, int rootfd) {
    static const char *const stage_opts[] = {"mode", "0700", "size", "4096", NULL};
    static const char *const empty_opts[] = {"mode", "0555", "size", "4096", NULL};
    const unsigned flags = CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC;
    const unsigned hidden = CTR__MOUNT_ATTR_RDONLY | CTR__MOUNT_ATTR_NOSUID |
                            CTR__MOUNT_ATTR_NODEV | CTR__MOUNT_ATTR_NOEXEC;
    const ctr__plan *p = l->plan;
    size_t i;
    int stage = -1;
    for (i = 0; i < p->nlate; i++) {
        const ctr__op *op = &p->late_ops[i];
        int t, m;
        if (op->type == CTR__OP_DEVICE) {
            char name[16];
            ctr__op file = *op;
            if (stage < 0)
                stage = ctr__c_fsmount(l, "tmpfs", stage_opts,
                                       CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NOEXEC, op->dst);
            ctr__c_utoa_dev(name, CTR__CAST(unsigned, i));
            if (syscall(SYS_mknodat, stage, name, op->mode, op->rdev) != 0 ||
                syscall(SYS_fchownat, stage, name, op->uid, op->gid, AT_SYMLINK_NOFOLLOW) != 0 ||
                ctr__r_fchmodat(stage, name, op->mode & 07777u) != 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "create device ", op->dst,
                           errno == EPERM ? " (device nodes need root without a user namespace)"
                                          : NULL,
                           NULL);
            if ((m = ctr__open_tree(stage, name, flags)) < 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "bind device ", op->dst, NULL, NULL);
            file.src = op->dst;
            ctr__c_bind_file(l, &file, m, rootfd);
            continue;
        }
        t = ctr__c_in_root(rootfd, op->dst + 1, O_PATH, 0);
        if (t < 0 && (errno == ENOENT || errno == ENOTDIR)) continue;
        if (t < 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "resolve ", op->dst,
                       " inside the container root", NULL);
        if (op->type == CTR__OP_MASK) {
            struct stat st;
            if (ctr__r_fstat(t, &st) != 0)
                ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst, "mask ", op->dst, NULL, NULL);
            if (S_ISDIR(st.st_mode)) {
                m = ctr__c_fsmount(l, "tmpfs", empty_opts, hidden, op->dst);
            } else {
                m = ctr__open_tree(AT_FDCWD, "/dev/null", flags);
                if (m >= 0) ctr__c_setattr(l, m, 0, hidden, 0, op->dst);
            }
        } else {
            m = ctr__open_tree(t, "", flags | AT_EMPTY_PATH | AT_RECURSIVE);
            if (m >= 0)
                ctr__c_setattr(l, m, AT_RECURSIVE,
                               CTR__MOUNT_ATTR_RDONLY | CTR__MOUNT_ATTR_NOSUID |
                                   CTR__MOUNT_ATTR_NODEV,
                               0, op->dst);
        }
        if (m < 0 ||
            ctr__move_mount(m, "", t, "",
                            CTR__MOVE_MOUNT_F_EMPTY_PATH | CTR__MOVE_MOUNT_T_EMPTY_PATH) != 0)
            ctr__c_die(l, CTR_STEP_MOUNT, errno, op->dst,
                       op->type == CTR__OP_MASK ? "mask " : "make read-only ", op->dst, NULL, NULL);
        ctr__r_close(m);
        ctr__r_close(t);
    }
    if (stage >= 0) ctr__r_close(stage);
}

static void ctr__c_setup_root(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    size_t i;
    int root;
    if (syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0)
        ctr__c_die(l, CTR_STEP_ROOTFS, errno, "/", "make the mounts of / slaves", NULL, NULL, NULL);
    ctr__c_clone_sources(l);
    root = ctr__c_new_root(l);
    if (ctr__move_mount(root, "", AT_FDCWD, p->attach_at, CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
        ctr__c_die(l, CTR_STEP_ROOTFS, errno, p->attach_at, "mount the new root on ", p->attach_at,
                   NULL, NULL);
    for (i = 0; i < p->nops; i++)
        ctr__c_apply(l, &p->ops[i], l->mnt_fds + i * CTR__DEV_NODES, root, ctr__c_premade(l, i));
    if (p->nlate) ctr__c_late_ops(l, root);
    if (p->readonly_root) ctr__c_setattr(l, root, 0, CTR__MOUNT_ATTR_RDONLY, 0, "/");
    /* pivot_root(".", ".") stacks the old root on the new one; detaching "." then drops it. */
    if (ctr__r_fchdir(root) != 0 || syscall(SYS_pivot_root, ".", ".") != 0)
        ctr__c_die(l, CTR_STEP_PIVOT_ROOT, errno, p->rootfs ? p->rootfs : "/",
                   "pivot_root into the new root", NULL, NULL, NULL);
    if (syscall(SYS_umount2, ".", MNT_DETACH) != 0 || ctr__r_chdir("/") != 0)
        ctr__c_die(l, CTR_STEP_PIVOT_ROOT, errno, "/", "detach the old root", NULL, NULL, NULL);
    if (p->root_propagation) ctr__c_propagation(l, root, p->root_propagation, "/");
    ctr__r_close(root);
}
/* ---- end src/mount.c ---- */
/* ---- begin src/notify.c ---- */
/* notify.c - system calls decided by the host (seccomp user notification, manual section 16).

   The plan: spec.intercept becomes a second seccomp filter (security.c builds it) whose verdict
   for the listed syscalls is SECCOMP_RET_USER_NOTIF, stacked on the plan's own filter.  The
   child installs it last, after the plan's filter, with SECCOMP_FILTER_FLAG_NEW_LISTENER, and
   passes the listener to the host over the launch's socket before it execs the command; the
   listener is close-on-exec and never reaches the command.

   From the moment the filter is in place, every call of the child goes through it, the child's
   own last ones too (passing the listener, the exec, reporting an exec failure, exiting), and
   nobody serves the listener yet: the host is still in ctr_spawn, which waits for the exec.  So
   these calls carry plan.notify_cookie, 64 random bits, in argument bits the kernel ignores (the
   upper half of an int argument, pwritev2's high offset word), and the filter lets them through;
   where the plain call has no such bits (execve, write) and is intercepted, the child makes
   another one that has (execveat, pwritev2).  A container that could read its own filter
   (PTRACE_SECCOMP_GET_FILTER needs CAP_SYS_ADMIN in the host's user namespace) could use the
   cookie to make sendmsg, execveat, pwritev2 and exit_group unseen.

   The host: the listener's calls are served on a thread of the library's, one per container,
   or, with intercept_manual, by ctr_notify_handle on the caller's thread.  Each call is received
   (SECCOMP_IOCTL_NOTIF_RECV), handed to the callback, and answered once; every read of the
   caller's memory is followed by SECCOMP_IOCTL_NOTIF_ID_VALID, so that a thread id reused by
   another process after the caller died never passes for the caller. */

#define CTR__SECCOMP_SET_MODE_FILTER                1u
#define CTR__SECCOMP_GET_NOTIF_SIZES                3u
#define CTR__SECCOMP_FILTER_FLAG_NEW_LISTENER       (1ul << 3)
#define CTR__SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1ul << 5)
#define CTR__SECCOMP_USER_NOTIF_FLAG_CONTINUE       1u
#define CTR__SECCOMP_ADDFD_FLAG_SEND                (1u << 1)
#define CTR__SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP     1ull

/* struct seccomp_notif, seccomp_notif_resp and seccomp_notif_addfd of <linux/seccomp.h> */
typedef struct ctr__notif {
    uint64_t id;
    uint32_t pid;
    uint32_t flags;
    int32_t nr;
    uint32_t arch;
    uint64_t ip;
    uint64_t args[6];
} ctr__notif;

typedef struct ctr__notif_resp {
    uint64_t id;
    int64_t val;
    int32_t error;
    uint32_t flags;
} ctr__notif_resp;

typedef struct ctr__notif_addfd {
    uint64_t id;
    uint32_t flags;
    uint32_t srcfd;
    uint32_t newfd;
    uint32_t newfd_flags;
} ctr__notif_addfd;

#define CTR__NOTIF_RECV      _IOWR('!', 0, ctr__notif)
#define CTR__NOTIF_SEND      _IOWR('!', 1, ctr__notif_resp)
#define CTR__NOTIF_ID_VALID  _IOW('!', 2, uint64_t)
#define CTR__NOTIF_ADDFD     _IOW('!', 3, ctr__notif_addfd)
#define CTR__NOTIF_SET_FLAGS _IOW('!', 4, uint64_t)
/* The buffers the kernel's structs go in, which may grow in later kernels (the kernel fills
   or reads its own size, SECCOMP_GET_NOTIF_SIZES). */
#define CTR__NOTIF_BUF 256

/* ---- the plan ---- */

static int ctr__plan_notify(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t i;
    if (s->nintercept == 0) return 0;
    if (!s->intercept)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "intercept",
                         "nintercept is %zu but intercept is NULL", s->nintercept);
    if (!s->on_syscall)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "on_syscall",
                         "intercept is set but on_syscall is NULL: give the callback that "
                         "answers the calls");
    if (s->nintercept > CTR__NOTIFY_MAX)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "intercept",
                         "nintercept is %zu: at most %d syscalls can be intercepted", s->nintercept,
                         CTR__NOTIFY_MAX);
    for (i = 0; i < s->nintercept; i++)
        if (s->intercept[i] < 0 || s->intercept[i] > 4095)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "intercept",
                             "intercept[%zu]: no syscall number %ld", i, s->intercept[i]);
    if (s->wait_start)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "intercept",
                         "intercept cannot be combined with wait_start (the interception "
                         "listener is made right before the exec, after ctr_start)");
    /* The filter is installed right before the exec, after the capabilities are dropped: that
       needs no_new_privs (installing one early instead would send the child's own setup calls
       to a host that does not serve them yet). */
    if (!p->nnp)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "intercept",
                         "intercept needs no_new_privs: it cannot be combined with "
                         "allow_new_privs");
    if (syscall(SYS_getrandom, &p->notify_cookie, sizeof(p->notify_cookie), 0) !=
        CTR__CAST(long, sizeof(p->notify_cookie)))
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "getrandom");
    p->notify_bpf =
        CTR__CAST(ctr__bpf *, ctr__alloc(p, CTR__BPF_NOTIFY_LEN(s->nintercept) * sizeof(ctr__bpf)));
    if (!p->notify_bpf)
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the interception filter");
    p->notify_bpf_len =
        ctr__bpf_notify(p->notify_bpf, s->intercept, s->nintercept, p->notify_cookie);
    CONTAINER_ASSERT(p->notify_bpf_len <= CTR__BPF_NOTIFY_LEN(s->nintercept));
    for (i = 0; i < s->nintercept; i++) {
        if (s->intercept[i] == SYS_execve) p->notify_alt |= CTR__NOTIFY_EXECVEAT;
        if (s->intercept[i] == SYS_write) p->notify_alt |= CTR__NOTIFY_PWRITEV2;
    }
    p->on_syscall = s->on_syscall;
    p->on_syscall_user = s->on_syscall_user;
    p->intercept_manual = s->intercept_manual ? 1 : 0;
    return 0;
}

/* ---- the child (the rules of child.c: raw system calls only) ---- */

/* Installs the interception filter and sends its listener to the host.  The signals are
   unblocked first (ctr__c_exec does not do it again): an intercepted rt_sigprocmask would wait
   for the host.  The listener is not closed here (an intercepted close would wait too): it is
   close-on-exec, and the exec or the exit closes it. */
static void ctr__c_notify(ctr__launch *l) {
    const ctr__plan *p = l->plan;
    union {
        struct cmsghdr align;
        char buf[CTR__FDMSG_SPACE(1)];
    } cm;
    struct {
        unsigned short len;
        const ctr__bpf *filter;
    } prog;
    struct msghdr msg;
    struct iovec iov;
    uint64_t none = 0, hi = p->notify_cookie >> 32, lo = p->notify_cookie & 0xffffffffu;
    char tag = 'n';
    long fd;
    int ifd;
    if (!p->notify_bpf) return;
    ctr__r_sigmask(SIG_SETMASK, &none, NULL);
    prog.len = CTR__CAST(unsigned short, p->notify_bpf_len);
    prog.filter = p->notify_bpf;
    fd = syscall(
        SYS_seccomp, CTR__SECCOMP_SET_MODE_FILTER,
        CTR__SECCOMP_FILTER_FLAG_NEW_LISTENER | CTR__SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
    if (fd < 0 && errno == EINVAL) /* before Linux 5.19: without WAIT_KILLABLE_RECV */
        fd = syscall(SYS_seccomp, CTR__SECCOMP_SET_MODE_FILTER,
                     CTR__SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (fd < 0)
        ctr__c_die(l, CTR_STEP_SECCOMP, errno, "", "install the interception filter",
                   errno == EPERM || errno == EACCES
                       ? " (the seccomp filter must allow seccomp(), sendmsg and the exec)"
                       : NULL,
                   NULL, NULL);
    l->notify_armed = 1; /* from here on: the cookie (ctr__c_die, ctr__c_exec) */
    ifd = CTR__CAST(int, fd);
    ctr__fdmsg(&msg, &iov, &tag, cm.buf, 1, &ifd);
    if (syscall(SYS_sendmsg, CTR__CAST(uint64_t, CTR__CAST(uint32_t, l->xferfd)) | (hi << 32), &msg,
                CTR__CAST(uint64_t, MSG_NOSIGNAL) | (lo << 32)) != 1)
        ctr__c_die(l, CTR_STEP_SECCOMP, errno, "", "pass the interception listener to the host",
                   NULL, NULL, NULL);
}

/* ---- the host: the calls ---- */

struct ctr__notifier {
    int fd;      /* the listener */
    int wake[2]; /* a byte in wake[1] stops a polling thread; -1 for a blocking one */
    ctr_syscall_fn fn;
    void *user;
    int threaded;
    int blocking; /* the thread waits in SECCOMP_IOCTL_NOTIF_RECV itself (Linux 6.6) */
    pthread_t thread;
    pid_t owner;          /* the process the thread runs in (not a child forked from it) */
    int stop, done, refs; /* atomics: no lock that a fork() could leave taken */
};

/* The kernel's sizes of struct seccomp_notif and seccomp_notif_resp, read once. */
static int ctr__notif_sizes_ok(void) {
    static int cached; /* 0: not read, 1: they fit our buffers, 2: they do not */
    struct {
        uint16_t notif, resp, data;
    } sz;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v) return v == 1;
    v = 1;
    if (syscall(SYS_seccomp, CTR__SECCOMP_GET_NOTIF_SIZES, 0, &sz) == 0 &&
        (sz.notif > CTR__NOTIF_BUF || sz.resp > CTR__NOTIF_BUF))
        v = 2;
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    return v == 1;
}

/* Sends the answer; 0, or -1 with errno.  The call counts as answered once the kernel took the
   answer or the call is gone. */
static int ctr__notify_send(ctr_syscall *call, int64_t val, int error, uint32_t flags) {
    union {
        ctr__notif_resp r;
        unsigned char raw[CTR__NOTIF_BUF];
    } resp;
    int r;
    if (call->ctr__replied) {
        errno = EALREADY;
        return -1;
    }
    memset(&resp, 0, sizeof(resp));
    resp.r.id = call->ctr__id;
    resp.r.val = val;
    resp.r.error = -error;
    resp.r.flags = flags;
    do r = ioctl(call->ctr__fd, CTR__NOTIF_SEND, &resp);
    while (r != 0 && errno == EINTR);
    if (r == 0 || errno == ENOENT) call->ctr__replied = 1;
    return r == 0 ? 0 : -1;
}

/* 0 while the call is still waiting for its answer, -1 with ENOENT once it is gone. */
static int ctr__notify_valid(const ctr_syscall *call) {
    uint64_t id = call->ctr__id;
    if (ioctl(call->ctr__fd, CTR__NOTIF_ID_VALID, &id) == 0) return 0;
    if (errno != ENOENT) errno = ENOENT;
    return -1;
}

static int ctr__call_gone(ctr_error *err, const ctr_syscall *call) {
    return ctr__fail(err, CTR_STEP_SECCOMP, ENOENT, "",
                     "intercepted call of thread %d is gone (the thread died or was interrupted)",
                     CTR__CAST(int, call->pid));
}

/* Reads len bytes at addr in the caller (process_vm_readv, or /proc/PID/mem where that call is
   refused): 0, or -1 with errno (EFAULT: not all of it is mapped). */
static int ctr__peek(const ctr_syscall *call, uint64_t addr, void *buf, size_t len, size_t *got) {
    struct iovec local, remote;
    ssize_t r;
    local.iov_base = buf;
    local.iov_len = len;
    remote.iov_base = CTR__U64_TO_PTR(void *, addr);
    remote.iov_len = len;
    r = process_vm_readv(call->pid, &local, 1, &remote, 1, 0);
    if (r < 0 && (errno == ENOSYS || errno == EPERM)) {
        char path[64];
        int fd;
        snprintf(path, sizeof(path), "/proc/%d/mem", CTR__CAST(int, call->pid));
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) return -1;
        r = pread(fd, buf, len, CTR__CAST(off_t, addr));
        ctr__close(&fd);
        if (r < 0 && errno == EIO) errno = EFAULT;
    }
    if (r < 0) return -1;
    *got = CTR__CAST(size_t, r);
    return 0;
}

CONTAINER_API int ctr_syscall_read(ctr_syscall *call, uint64_t addr, void *buf, size_t len,
                                   ctr_error *err) {
    size_t got = 0;
    int old, rc = 0;
    ctr__clear_error(err);
    if (!call || (!buf && len))
        return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "", "call or buf is NULL");
    old = ctr__nocancel_begin();
    if (len && ctr__peek(call, addr, buf, len, &got) != 0)
        rc = ctr__fail(err, CTR_STEP_SECCOMP, errno, "", "read %zu bytes at 0x%llx in thread %d",
                       len, CTR__CAST(unsigned long long, addr), CTR__CAST(int, call->pid));
    else if (got != len)
        rc = ctr__fail(err, CTR_STEP_SECCOMP, EFAULT, "",
                       "read %zu bytes at 0x%llx in thread %d: only %zu are mapped", len,
                       CTR__CAST(unsigned long long, addr), CTR__CAST(int, call->pid), got);
    /* Checked last, and whatever the read gave: a thread id reused by another process would
       have given that process's memory. */
    if (ctr__notify_valid(call) != 0) rc = ctr__call_gone(err, call);
    ctr__nocancel_end(old);
    return rc;
}

CONTAINER_API int ctr_syscall_read_path(ctr_syscall *call, int arg, char *buf, size_t size,
                                        ctr_error *err) {
    uint64_t addr;
    size_t len = 0;
    int old, rc = 0;
    ctr__clear_error(err);
    if (!call || !buf || size == 0 || arg < 0 || arg > 5)
        return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "",
                         "ctr_syscall_read_path needs a call, a buffer and an argument 0..5");
    buf[0] = '\0';
    addr = call->args[arg];
    old = ctr__nocancel_begin();
    /* Page by page: the string may end just before an unmapped page. */
    while (rc == 0) {
        size_t want = 4096 - CTR__CAST(size_t, (addr + len) & 4095u), got = 0;
        char *nul;
        if (want > size - len) want = size - len;
        if (want == 0) {
            buf[size - 1] = '\0';
            rc = ctr__fail(err, CTR_STEP_SECCOMP, ENAMETOOLONG, "",
                           "the string in argument %d is longer than %zu bytes", arg, size - 1);
        } else if (addr == 0 || ctr__peek(call, addr + len, buf + len, want, &got) != 0 ||
                   got == 0) {
            buf[len] = '\0';
            rc = ctr__fail(err, CTR_STEP_SECCOMP, addr == 0 || got == 0 ? EFAULT : errno, "",
                           "read the string in argument %d of thread %d", arg,
                           CTR__CAST(int, call->pid));
        } else if ((nul = CTR__CAST(char *, memchr(buf + len, '\0', got))) != NULL) {
            break;
        } else {
            len += got;
        }
    }
    if (ctr__notify_valid(call) != 0) {
        buf[0] = '\0';
        rc = ctr__call_gone(err, call);
    }
    ctr__nocancel_end(old);
    return rc;
}

CONTAINER_API pid_t ctr_syscall_ns_pid(ctr_syscall *call, ctr_error *err) {
    char path[64], buf[4096], *s;
    ssize_t n = -1;
    pid_t pid = -1;
    int fd, old, e = ENOENT;
    ctr__clear_error(err);
    if (!call) {
        ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "", "call is NULL");
        return -1;
    }
    if (call->ctr__ns_pid > 0) return call->ctr__ns_pid;
    old = ctr__nocancel_begin();
    snprintf(path, sizeof(path), "/proc/%d/status", CTR__CAST(int, call->pid));
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
        n = read(fd, buf, sizeof(buf) - 1);
        ctr__close(&fd);
    }
    if (n < 0) e = errno;
    if (n > 0) {
        buf[n] = '\0';
        /* "NSpid:\t<host>\t...\t<innermost>": the last is the container's. */
        if ((s = strstr(buf, "\nNSpid:")) != NULL) {
            char *end = strchr(s + 1, '\n'), *last = NULL;
            if (end) *end = '\0';
            for (s += 7; *s; s++)
                if ((s[0] == '\t' || s[0] == ' ') && s[1] >= '0' && s[1] <= '9') last = s + 1;
            if (last) pid = CTR__CAST(pid_t, atoi(last));
        }
    }
    if (pid <= 0) {
        pid = -1;
        ctr__fail(err, CTR_STEP_SECCOMP, e, path, "read the NSpid of %s", path);
    } else if (ctr__notify_valid(call) != 0) {
        pid = -1;
        ctr__call_gone(err, call);
    } else {
        call->ctr__ns_pid = pid;
    }
    ctr__nocancel_end(old);
    return pid;
}

static int ctr__einval(void) {
    errno = EINVAL;
    return -1;
}

CONTAINER_API int ctr_syscall_continue(ctr_syscall *call) {
    if (!call) return ctr__einval();
    return ctr__notify_send(call, 0, 0, CTR__SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

CONTAINER_API int ctr_syscall_fail(ctr_syscall *call, int error) {
    if (!call || error <= 0 || error > 4095) return ctr__einval();
    return ctr__notify_send(call, 0, error, 0);
}

CONTAINER_API int ctr_syscall_return(ctr_syscall *call, int64_t value) {
    if (!call) return ctr__einval();
    return ctr__notify_send(call, value, 0, 0);
}

/* Whether the descriptor an intercepted call returns should be close-on-exec: as the call asked
   for it. */
static int ctr__wants_cloexec(ctr_syscall *call) {
    uint64_t flags = 0;
    switch (call->nr) {
#ifdef SYS_open
    case SYS_open: return (call->args[1] & O_CLOEXEC) != 0;
#endif
    case SYS_openat:
    case SYS_dup3: return (call->args[2] & O_CLOEXEC) != 0;
    case SYS_openat2: /* struct open_how: flags first */
        return ctr_syscall_read(call, call->args[2], &flags, sizeof(flags), NULL) == 0 &&
               (flags & O_CLOEXEC);
    case SYS_socket: return (call->args[1] & SOCK_CLOEXEC) != 0;
    case SYS_accept4: return (call->args[3] & SOCK_CLOEXEC) != 0;
    case SYS_memfd_create: return (call->args[1] & 1u /* MFD_CLOEXEC */) != 0;
    default: return 0;
    }
}

CONTAINER_API int ctr_syscall_inject_fd(ctr_syscall *call, int fd) {
    ctr__notif_addfd a;
    int r, e;
    if (!call || fd < 0) return ctr__einval();
    if (call->ctr__replied) {
        errno = EALREADY;
        return -1;
    }
    memset(&a, 0, sizeof(a));
    a.id = call->ctr__id;
    a.flags = CTR__SECCOMP_ADDFD_FLAG_SEND; /* install and answer with its number, at once */
    a.srcfd = CTR__CAST(uint32_t, fd);
    a.newfd_flags = ctr__wants_cloexec(call) ? O_CLOEXEC : 0;
    do r = ioctl(call->ctr__fd, CTR__NOTIF_ADDFD, &a);
    while (r < 0 && errno == EINTR);
    if (r < 0 && errno == EINVAL) { /* before Linux 5.14: no ADDFD_FLAG_SEND */
        a.flags = 0;
        do r = ioctl(call->ctr__fd, CTR__NOTIF_ADDFD, &a);
        while (r < 0 && errno == EINTR);
        if (r >= 0) return ctr__notify_send(call, r, 0, 0);
    }
    if (r >= 0) {
        call->ctr__replied = 1;
        return 0;
    }
    e = errno;
    if (e == ENOENT) call->ctr__replied = 1;
    errno = e;
    return -1;
}

/* Receives one call (waiting for one if none waits) and serves it: 1, 0 if the call went away
   (or, in the blocking mode, the container is gone), -1 with errno.  After ctr__notify_stop no
   callback starts: the call fails with EPERM. */
static int ctr__notify_serve(ctr__notifier *n) {
    union {
        ctr__notif m;
        unsigned char raw[CTR__NOTIF_BUF];
    } buf;
    ctr_syscall call;
    int i;
    memset(&buf, 0, sizeof(buf)); /* the kernel wants it zeroed */
    if (ioctl(n->fd, CTR__NOTIF_RECV, &buf) != 0) return errno == ENOENT || errno == EINTR ? 0 : -1;
    memset(&call, 0, sizeof(call));
    call.nr = buf.m.nr;
    call.arch = buf.m.arch;
    call.ip = buf.m.ip;
    for (i = 0; i < 6; i++) call.args[i] = buf.m.args[i];
    call.pid = CTR__CAST(pid_t, buf.m.pid);
    call.ctr__id = buf.m.id;
    call.ctr__fd = n->fd;
    if (!__atomic_load_n(&n->stop, __ATOMIC_SEQ_CST)) (void)n->fn(&call, n->user);
    if (!call.ctr__replied) (void)ctr__notify_send(&call, 0, EPERM, 0);
    return 1;
}

static void ctr__notify_unref(ctr__notifier *n) {
    if (__atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL) != 0) return;
    ctr__close(&n->fd);
    ctr__close(&n->wake[0]);
    ctr__close(&n->wake[1]);
    CONTAINER_FREE(n);
}

/* For tests only (tests/test_policy.c): nonzero makes the thread poll, as it does before Linux
   6.6, where the kernel would let it wait in the receive itself. */
static int ctr__notify_test_poll;

/* The serving thread: until ctr__notify_stop, or the container's last process is gone.  Where
   the kernel has the synchronous wake-up (Linux 6.6) it waits in SECCOMP_IOCTL_NOTIF_RECV, which
   since that version also returns when the filter has no process left: the container's death
   (ctr_destroy kills it) ends the thread, and a call costs no poll().  Before, the receive waits
   on a semaphore that nothing but a call ends, so the thread polls the listener and a pipe
   ctr__notify_stop writes to. */
static void *ctr__notify_main(void *arg) {
    ctr__notifier *n = CTR__CAST(ctr__notifier *, arg);
    for (;;) {
        struct pollfd pfd[2];
        int r;
        if (!n->blocking) {
            pfd[0].fd = n->fd;
            pfd[1].fd = n->wake[0];
            pfd[0].events = pfd[1].events = POLLIN;
            pfd[0].revents = pfd[1].revents = 0;
            if (poll(pfd, 2, -1) < 0) {
                if (errno == EINTR) continue;
                break;
            }
            if (pfd[1].revents || __atomic_load_n(&n->stop, __ATOMIC_SEQ_CST)) break;
            if (!(pfd[0].revents & POLLIN)) break; /* POLLHUP: no process of the container left */
        }
        r = ctr__notify_serve(n);
        if (r < 0 && errno != EINTR) break;
        if (r == 0 && n->blocking) { /* the call went away, or the container did */
            pfd[0].fd = n->fd;
            pfd[0].events = POLLIN;
            pfd[0].revents = 0;
            if (poll(pfd, 1, 0) > 0 && !(pfd[0].revents & POLLIN)) break;
        }
        if (__atomic_load_n(&n->stop, __ATOMIC_SEQ_CST)) break;
    }
    __atomic_store_n(&n->done, 1, __ATOMIC_SEQ_CST);
    ctr__notify_unref(n);
    return NULL;
}

static int ctr__notify_start(ctr__notifier **out, const ctr__plan *p, int fd, ctr_error *err) {
    ctr__notifier *n;
    uint64_t sync = CTR__SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
    sigset_t all, old;
    int r;
    *out = NULL;
    if (!ctr__notif_sizes_ok()) {
        ctr__close(&fd);
        return ctr__fail(err, CTR_STEP_SECCOMP, ENOTSUP, "",
                         "this kernel's seccomp notifications are larger than container.h knows");
    }
    if (!(n = CTR__CAST(ctr__notifier *, CONTAINER_MALLOC(sizeof(*n))))) {
        ctr__close(&fd);
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the interception state");
    }
    memset(n, 0, sizeof(*n));
    n->fd = fd;
    n->wake[0] = n->wake[1] = -1;
    n->fn = p->on_syscall;
    n->user = p->on_syscall_user;
    n->refs = 1;
    n->owner = getpid();
    /* Linux 6.6: the host is woken on the caller's CPU and the caller on the host's, as for a
       synchronous call (the ioctl fails harmlessly before). */
    n->blocking = ioctl(fd, CTR__NOTIF_SET_FLAGS, sync) == 0 && !ctr__notify_test_poll;
    if (p->intercept_manual) {
        *out = n;
        return 0;
    }
    if (!n->blocking && ctr__pipe(n->wake) != 0) {
        ctr__notify_unref(n);
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a pipe");
    }
    /* The thread starts with every signal blocked: no handler of the host's runs on it. */
    n->refs = 2;
    n->threaded = 1;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    r = pthread_create(&n->thread, NULL, ctr__notify_main, n);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r != 0) {
        n->refs = 1;
        ctr__notify_unref(n);
        return ctr__fail(err, CTR_STEP_RESOURCE, r, "",
                         "start the thread that serves the intercepted calls");
    }
    *out = n;
    return 0;
}

/* In a process forked from the host, the handle's copy has no thread, and the wake pipe is the
   host's: nothing is stopped or joined there. */
static void ctr__notify_stop(ctr__notifier *n) {
    char byte = 's';
    if (!n || getpid() != n->owner || __atomic_exchange_n(&n->stop, 1, __ATOMIC_SEQ_CST)) return;
    if (n->wake[1] >= 0 && write(n->wake[1], &byte, 1) < 0) {
        /* the pipe is new and holds 64 KiB: cannot be full */
    }
}

/* After ctr__notify_stop and the container's death (ctr_destroy): the thread ends at once
   unless it is in a callback; it is joined if it has ended within 50 ms (most callbacks have
   answered by then and are on their way out), else left to end once its callback returns (it
   frees the state then).  A blocking thread also waits on while processes of the container live
   on (a shared pid namespace without a cgroup), failing their calls with EPERM. */
static void ctr__notify_free(ctr__notifier *n) {
    int i;
    if (!n) return;
    ctr__notify_stop(n);
    if (n->threaded && getpid() == n->owner) {
        for (i = 0; i < 50 && !__atomic_load_n(&n->done, __ATOMIC_SEQ_CST); i++) ctr__sleep_ms(1);
        if (__atomic_load_n(&n->done, __ATOMIC_SEQ_CST))
            pthread_join(n->thread, NULL);
        else
            pthread_detach(n->thread);
    }
    ctr__notify_unref(n);
}

static int ctr__notify_fd(const ctr__notifier *n) { return n && !n->threaded ? n->fd : -1; }

/* Serves the calls waiting now (at most 256: the descriptor stays readable if more wait). */
static int ctr__notify_handle(ctr__notifier *n, ctr_error *err) {
    int count = 0, r;
    if (!n || n->threaded)
        return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "",
                         "ctr_notify_handle needs a container spawned with intercept_manual");
    while (count < 256) {
        struct pollfd pfd;
        pfd.fd = n->fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        r = poll(&pfd, 1, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return ctr__fail(err, CTR_STEP_SECCOMP, errno, "", "poll the listener");
        if (r == 0 || !(pfd.revents & POLLIN)) break;
        if ((r = ctr__notify_serve(n)) < 0)
            return ctr__fail(err, CTR_STEP_SECCOMP, errno, "", "receive an intercepted call");
        count += r;
    }
    return count;
}
/* ---- end src/notify.c ---- */
/* ---- begin src/landlock.c ---- */
/* landlock.c - Landlock rules for the container (manual section 16): which files it may read,
   write and execute, which TCP ports it may bind and connect to, and whether it may reach
   abstract unix sockets and processes outside (scopes).

   The plan checks the rules and this kernel's Landlock ABI, and works out the rights the
   ruleset handles (every right of a kind that the ABI knows, once a rule of that kind is given:
   what no rule allows is then denied).  The child, after pivot_root, opens each rule's path
   inside the new root (openat2 RESOLVE_IN_ROOT, as the mounts are), builds the ruleset, and
   enforces it (landlock_restrict_self) just before the seccomp filters: raw system calls only,
   by the rules of child.c. */

#define CTR__LL_RULE_PATH_BENEATH        1
#define CTR__LL_RULE_NET_PORT            2

/* LANDLOCK_ACCESS_FS_* by ABI: 1 (Linux 5.13) bits 0-12, 2 (5.19) REFER, 3 (6.2) TRUNCATE,
   5 (6.10) IOCTL_DEV; LANDLOCK_ACCESS_NET_* 4 (6.7); scopes 6 (6.12). */
#define CTR__LL_EXECUTE    (1ull << 0)
#define CTR__LL_WRITE_FILE (1ull << 1)
#define CTR__LL_READ_FILE  (1ull << 2)
#define CTR__LL_READ_DIR   (1ull << 3)
#define CTR__LL_REFER      (1ull << 13)
#define CTR__LL_TRUNCATE   (1ull << 14)
#define CTR__LL_IOCTL_DEV  (1ull << 15)
#define CTR__LL_FS_ABI1    ((1ull << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define CTR__LL_WRITE_ALL \
    (CTR__LL_FS_ABI1 & ~(CTR__LL_EXECUTE | CTR__LL_READ_FILE | CTR__LL_READ_DIR))
/* What a rule on a file (not a directory) may allow. */
#define CTR__LL_FILE_RIGHTS                                                        \
    (CTR__LL_EXECUTE | CTR__LL_WRITE_FILE | CTR__LL_READ_FILE | CTR__LL_TRUNCATE | \
     CTR__LL_IOCTL_DEV)
#define CTR__LL_BIND_TCP    (1ull << 0)
#define CTR__LL_CONNECT_TCP (1ull << 1)

/* For tests only (tests/test_policy.c), to see what the library does on an older kernel: above
   0, the ABI this kernel is taken to have is at most this; below 0, Landlock is taken to be
   turned off (as with a boot parameter lsm= that leaves it out). */
static int ctr__landlock_abi_cap;

static int ctr__landlock_abi_of_kernel(int *why) {
    long v = syscall(CTR__SYS_landlock_create_ruleset, NULL, 0, CTR__LL_CREATE_RULESET_VERSION);
    *why = v < 0 ? errno : 0;
    if (v < 0) v = 0;
    if (ctr__landlock_abi_cap > 0 && v > ctr__landlock_abi_cap) v = ctr__landlock_abi_cap;
    if (ctr__landlock_abi_cap < 0) {
        v = 0;
        *why = EOPNOTSUPP;
    }
    return CTR__CAST(int, v);
}

CONTAINER_API int ctr_landlock_abi(void) {
    int why;
    return ctr__landlock_abi_of_kernel(&why);
}

static uint64_t ctr__ll_fs_handled(int abi) {
    uint64_t fs = abi >= 1 ? CTR__LL_FS_ABI1 : 0;
    if (abi >= 2) fs |= CTR__LL_REFER;
    if (abi >= 3) fs |= CTR__LL_TRUNCATE;
    if (abi >= 5) fs |= CTR__LL_IOCTL_DEV;
    return fs;
}

/* The spec's CTR_LL_* as Landlock rights (before the ABI's mask). */
static uint64_t ctr__ll_fs_rights(unsigned access) {
    uint64_t r = 0;
    if (access & CTR_LL_READ) r |= CTR__LL_READ_FILE | CTR__LL_READ_DIR | CTR__LL_IOCTL_DEV;
    if (access & CTR_LL_WRITE)
        r |= CTR__LL_WRITE_ALL | CTR__LL_REFER | CTR__LL_TRUNCATE | CTR__LL_IOCTL_DEV;
    if (access & CTR_LL_EXEC) r |= CTR__LL_EXECUTE | CTR__LL_READ_FILE;
    return r;
}

/* The feature the kernel lacks: fails unless best effort (then 0, and the caller drops it). */
static int ctr__ll_missing(const ctr_spec *s, int abi, int why, int need, const char *what,
                           const char *linux_version, ctr_error *err) {
    if (s->landlock_best_effort) return 0;
    if (abi == 0)
        return ctr__fail(err, CTR_STEP_LANDLOCK, why == ENOSYS ? ENOSYS : EOPNOTSUPP, "",
                         "%s need Landlock, which this kernel %s", what,
                         why == ENOSYS
                             ? "does not have (CONFIG_SECURITY_LANDLOCK)"
                             : "has turned off (add landlock to the lsm= boot parameter)");
    return ctr__fail(err, CTR_STEP_LANDLOCK, EOPNOTSUPP, "",
                     "%s need Landlock ABI %d (Linux %s); this kernel has ABI %d", what, need,
                     linux_version, abi);
}

static int ctr__plan_landlock(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t i, nfs = 0, nnet = 0;
    int abi, why;
    if (s->nlandlock == 0 && s->landlock_scope == 0) return 0;
    if (s->nlandlock && !s->landlock)
        return ctr__fail(err, CTR_STEP_LANDLOCK, EINVAL, "landlock",
                         "nlandlock is %zu but landlock is NULL", s->nlandlock);
    if (s->landlock_scope & ~(CTR_LL_SCOPE_ABSTRACT_UNIX | CTR_LL_SCOPE_SIGNAL))
        return ctr__fail(err, CTR_STEP_LANDLOCK, EINVAL, "landlock_scope",
                         "landlock_scope 0x%x has unknown bits", s->landlock_scope);
    for (i = 0; i < s->nlandlock; i++) {
        const ctr_landlock_rule *r = &s->landlock[i];
        unsigned fs = CTR_LL_READ | CTR_LL_WRITE | CTR_LL_EXEC,
                 net = CTR_LL_BIND_TCP | CTR_LL_CONNECT_TCP;
        if (r->access == 0 || (r->access & ~(fs | net)))
            return ctr__fail(err, CTR_STEP_LANDLOCK, EINVAL, r->path ? r->path : "",
                             "landlock rule %zu: access 0x%x is %s", i, r->access,
                             r->access ? "unknown" : "empty");
        if (r->path) {
            if ((r->access & net) || r->path[0] != '/')
                return ctr__fail(err, CTR_STEP_LANDLOCK, EINVAL, r->path,
                                 "landlock rule %zu: a path rule takes an absolute path and "
                                 "CTR_LL_READ, _WRITE or _EXEC only",
                                 i);
            nfs++;
        } else {
            if ((r->access & fs) || r->port > 65535)
                return ctr__fail(err, CTR_STEP_LANDLOCK, EINVAL, "",
                                 "landlock rule %zu: a rule without a path is a TCP port rule "
                                 "(CTR_LL_BIND_TCP, _CONNECT_TCP, port 0..65535)",
                                 i);
            nnet++;
        }
    }
    abi = ctr__landlock_abi_of_kernel(&why);
    if (nfs) {
        if (abi >= 1)
            p->ll_fs = ctr__ll_fs_handled(abi);
        else if (ctr__ll_missing(s, abi, why, 1, "file rules", "5.13", err) != 0)
            return -1;
    }
    if (nnet) {
        if (abi >= 4)
            p->ll_net = CTR__LL_BIND_TCP | CTR__LL_CONNECT_TCP;
        else if (ctr__ll_missing(s, abi, why, 4, "TCP port rules", "6.7", err) != 0)
            return -1;
    }
    if (s->landlock_scope) {
        if (abi >= 6)
            p->ll_scope = s->landlock_scope; /* the same bits as LANDLOCK_SCOPE_* */
        else if (ctr__ll_missing(s, abi, why, 6, "scopes", "6.12", err) != 0)
            return -1;
    }
    if (!p->ll_fs && !p->ll_net && !p->ll_scope) return 0;
    p->ll_rules =
        CTR__CAST(ctr__ll_rule *, ctr__alloc(p, (s->nlandlock + 1) * sizeof(ctr__ll_rule)));
    if (!p->ll_rules) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = 0; i < s->nlandlock; i++) {
        const ctr_landlock_rule *r = &s->landlock[i];
        ctr__ll_rule *o = &p->ll_rules[p->nll];
        if (r->path) {
            if (!p->ll_fs) continue;
            o->access = ctr__ll_fs_rights(r->access) & p->ll_fs;
            if (!(o->path = ctr__strdup(p, r->path)))
                return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        } else {
            if (!p->ll_net) continue;
            o->access = ((r->access & CTR_LL_BIND_TCP) ? CTR__LL_BIND_TCP : 0) |
                        ((r->access & CTR_LL_CONNECT_TCP) ? CTR__LL_CONNECT_TCP : 0);
            o->port = r->port;
        }
        p->nll++;
    }
    return 0;
}

/* ---- the child ---- */

static int ctr__c_landlock_prepare(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    struct {
        uint64_t fs, net, scoped;
    } attr;
    size_t i;
    int fd;
    if (!p->ll_fs && !p->ll_net && !p->ll_scope) return -1;
    attr.fs = p->ll_fs;
    attr.net = p->ll_net;
    attr.scoped = p->ll_scope;
    /* The size the oldest kernel that has each field understands. */
    fd = ctr__sys_int(syscall(CTR__SYS_landlock_create_ruleset, &attr,
                              p->ll_scope ? 24
                              : p->ll_net ? 16
                                          : 8,
                              0));
    if (fd < 0)
        ctr__c_die(l, CTR_STEP_LANDLOCK, errno, "", "create the Landlock ruleset", NULL, NULL,
                   NULL);
    for (i = 0; i < p->nll; i++) {
        const ctr__ll_rule *r = &p->ll_rules[i];
        long rc;
        if (r->path) {
            /* struct landlock_path_beneath_attr: packed, a u64 and an s32 */
            unsigned char beneath[12];
            uint64_t allowed;
            struct stat st;
            ctr__open_how how;
            int pfd, tries = 0;
            memset(&how, 0, sizeof(how));
            how.flags = O_PATH | O_CLOEXEC;
            how.resolve = CTR__RESOLVE_IN_ROOT | CTR__RESOLVE_NO_MAGICLINKS;
            /* The cwd is the new root's "/" here (right after pivot_root).  EAGAIN: a mount or
               rename anywhere on the machine raced a ".." step; the kernel asks to retry. */
            do pfd = ctr__openat2(AT_FDCWD, r->path, &how);
            while (pfd < 0 && errno == EAGAIN && ++tries < 1000);
            if (pfd < 0 || ctr__r_fstat(pfd, &st) != 0)
                ctr__c_die(l, CTR_STEP_LANDLOCK, errno, r->path, "landlock rule ", r->path,
                           " (resolved inside the container)", NULL);
            allowed = S_ISDIR(st.st_mode) ? r->access : r->access & CTR__LL_FILE_RIGHTS;
            memcpy(beneath, &allowed, 8);
            memcpy(beneath + 8, &pfd, 4);
            rc = allowed ? syscall(CTR__SYS_landlock_add_rule, fd, CTR__LL_RULE_PATH_BENEATH,
                                   beneath, 0)
                         : 0;
            if (rc != 0)
                ctr__c_die(l, CTR_STEP_LANDLOCK, errno, r->path, "add the landlock rule for ",
                           r->path, NULL, NULL);
            ctr__r_close(pfd);
        } else {
            struct {
                uint64_t allowed, port;
            } port;
            port.allowed = r->access;
            port.port = r->port;
            if (syscall(CTR__SYS_landlock_add_rule, fd, CTR__LL_RULE_NET_PORT, &port, 0) != 0)
                ctr__c_die(l, CTR_STEP_LANDLOCK, errno, "", "add a landlock TCP port rule", NULL,
                           NULL, NULL);
        }
    }
    return fd;
}

/* Needs no_new_privs, or CAP_SYS_ADMIN in the process's user namespace (before the
   capabilities are dropped). */
static void ctr__c_landlock_restrict(const ctr__launch *l, int fd) {
    if (fd < 0) return;
    if (syscall(CTR__SYS_landlock_restrict_self, fd, 0) != 0)
        ctr__c_die(l, CTR_STEP_LANDLOCK, errno, "", "enforce the Landlock rules", NULL, NULL, NULL);
    ctr__r_close(fd);
}
/* ---- end src/landlock.c ---- */
/* ---- begin src/layers.c ---- */
/* layers.c - the root as an overlay: read-only lower directories (one rootfs, or several layers)
   under an upper layer that takes the container's writes, a fresh tmpfs thrown away with the
   container or a directory of the caller's that keeps them.  The lowers are never written.

   Three parts.  The plan (parent): spec.rootfs / lowers / upper / upper_size / rootfs_rw checked
   and made canonical.  The host side (parent): a persistent upper is locked (flock: one
   container at a time) and gets its work directory next to it (overlayfs needs one on the same
   filesystem), removed again by ctr_destroy; work directories that a crashed host left behind
   (named after its pid) are swept when the next one is made in that directory.  The child side:
   the overlay made with the new mount API, its layers given as /proc/self/fd/N paths of
   descriptors opened first (no escaping of ':' or ',' in paths, and nothing of the host's paths
   shows in the container's mountinfo); a tmpfs upper and its work directory live in one scratch
   tmpfs attached where the new root will be.  The child part follows the rules of child.c (raw
   system calls only). */

#define CTR__MAX_LOWERS  500 /* overlayfs's own limit */
#define CTR__WORK_PREFIX ".ctr-work-"

/* ---- the plan ---- */

/* path checked as a directory and made canonical (realpath) into *out. */
static int ctr__layer_dir(ctr__plan *p, const char *what, const char *path, char **out,
                          ctr_error *err) {
    struct stat st;
    char *real;
    if (!path || path[0] != '/')
        return ctr__fail(err, CTR_STEP_ROOTFS, EINVAL, path ? path : "",
                         "%s \"%s\" must be an absolute host path", what, path ? path : "(null)");
    if (stat(path, &st) != 0)
        return ctr__fail(err, CTR_STEP_ROOTFS, errno, path, "%s %s", what, path);
    if (!S_ISDIR(st.st_mode))
        return ctr__fail(err, CTR_STEP_ROOTFS, ENOTDIR, path, "%s %s is not a directory", what,
                         path);
    if (!(real = realpath(path, NULL)))
        return ctr__fail(err, CTR_STEP_ROOTFS, errno, path, "resolve %s %s", what, path);
    *out = ctr__strdup(p, real);
    free(real); /* realpath allocates with malloc */
    if (!*out) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    return 0;
}

/* a is b or lies below it (canonical paths). */
static int ctr__path_within(const char *a, const char *b) {
    size_t n = strlen(b);
    if (strcmp(b, "/") == 0) return 1;
    return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

/* Called once p->rootfs is canonical (or NULL) and the user namespace is known. */
static int ctr__plan_layers(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    static unsigned counter;
    size_t i, n = 0;
    if (spec->rootfs_rw && !spec->rootfs)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "rootfs_rw", "rootfs_rw needs rootfs");
    if (spec->lowers && spec->rootfs)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "lowers",
                         "give either rootfs or lowers (the layers, top first), not both");
    if (spec->rootfs_rw && spec->upper)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "upper",
                         "rootfs_rw writes into rootfs itself: it takes no upper");
    if (spec->upper && !spec->rootfs && !spec->lowers)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "upper", "upper needs rootfs or lowers");
    if (spec->upper_size && (spec->upper || spec->rootfs_rw || (!spec->rootfs && !spec->lowers)))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "upper_size",
                         "upper_size is the size of a tmpfs upper: it needs rootfs or lowers, "
                         "and no upper or rootfs_rw");
    if (spec->lowers) {
        while (spec->lowers[n]) n++;
        if (n == 0 || n > CTR__MAX_LOWERS)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "lowers",
                             "lowers must list 1 to %d directories, not %zu", CTR__MAX_LOWERS, n);
    } else if (spec->rootfs && !spec->rootfs_rw) {
        n = 1;
    } else {
        return 0; /* no layer: a tmpfs root, or rootfs bound itself */
    }
    p->layer = 1;
    p->nlowers = n;
    if (!(p->lowers = CTR__CAST(char **, ctr__alloc(p, n * sizeof(char *)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (!spec->lowers && !(p->lowers[0] = ctr__strdup(p, p->rootfs)))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = 0; spec->lowers && i < n; i++)
        if (ctr__layer_dir(p, "lower", spec->lowers[i], &p->lowers[i], err) != 0) return -1;
    if (spec->upper_size)
        snprintf(p->upper_size_opt, sizeof(p->upper_size_opt), "%llu",
                 CTR__CAST(unsigned long long, spec->upper_size));
    /* readonly_root over one rootfs needs no layer when every mount target is there already
       (the child checks): DIR is then bound read-only, as before. */
    p->layer_try_bind = spec->rootfs && spec->readonly_root && !spec->upper && !p->idmap;
    if (spec->upper) {
        char *up, *slash, work[64];
        struct stat su, sp;
        if (ctr__layer_dir(p, "upper", spec->upper, &up, err) != 0) return -1;
        for (i = 0; i < n; i++)
            if (ctr__path_within(up, p->lowers[i]) || ctr__path_within(p->lowers[i], up))
                return ctr__fail(err, CTR_STEP_ROOTFS, EINVAL, up,
                                 "upper %s and lower %s overlap: the upper must lie outside every "
                                 "lower, and no lower inside it",
                                 up, p->lowers[i]);
        slash = strrchr(up, '/');
        if (slash == up)
            return ctr__fail(err, CTR_STEP_ROOTFS, EINVAL, up,
                             "upper %s: give a directory below a directory you can write (its "
                             "work directory is made next to it)",
                             up);
        *slash = '\0';
        if (stat(up, &sp) != 0 || (*slash = '/', stat(up, &su) != 0))
            return ctr__fail(err, CTR_STEP_ROOTFS, errno, up, "upper %s", up);
        if (su.st_dev != sp.st_dev)
            return ctr__fail(err, CTR_STEP_ROOTFS, EXDEV, up,
                             "upper %s is the root of a filesystem: overlayfs needs its work "
                             "directory on the same filesystem, next to it; give a directory "
                             "below it",
                             up);
        snprintf(work, sizeof(work), "/" CTR__WORK_PREFIX "%ld-%u", CTR__CAST(long, getpid()),
                 __atomic_add_fetch(&counter, 1u, __ATOMIC_RELAXED));
        p->upper = up;
        {
            size_t dl = CTR__CAST(size_t, slash - up);
            char *w = CTR__CAST(char *, ctr__alloc(p, dl + strlen(work) + 1));
            if (!w) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
            memcpy(w, up, dl);
            strcpy(w + dl, work);
            p->workdir = w;
        }
    }
    return 0;
}

/* ---- the host side: a persistent upper's lock and work directory ---- */

static void ctr__layers_init(ctr__layers *ly) {
    ly->lockfd = -1;
    ly->workdir = NULL;
}

/* Removes name in dfd, whatever it is (a directory with what is in it; modes the overlay left,
   such as its d--------- work/work, are lifted first).  Never follows symlinks or crosses into
   another filesystem's mount. */
static void ctr__rmtree_at(int dfd, const char *name, int depth) {
    struct stat st;
    DIR *d;
    struct dirent *e;
    int fd;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    if (!S_ISDIR(st.st_mode)) {
        (void)unlinkat(dfd, name, 0);
        return;
    }
    if (depth > 64) return;
    if ((st.st_mode & 0700) != 0700) (void)fchmodat(dfd, name, 0700, 0);
    fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return;
    if (!(d = fdopendir(fd))) {
        close(fd);
        return;
    }
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            ctr__rmtree_at(dirfd(d), e->d_name, depth + 1);
    closedir(d);
    (void)unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Removes the work directories of dead processes in dir (their names hold the pid). */
static void ctr__layers_sweep(const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t k = strlen(CTR__WORK_PREFIX);
    if (!d) return;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid;
        if (strncmp(e->d_name, CTR__WORK_PREFIX, k) != 0) continue;
        pid = strtol(e->d_name + k, &end, 10);
        if (end == e->d_name + k || *end != '-' || pid <= 0) continue;
        if (kill(CTR__CAST(pid_t, pid), 0) == 0 || errno != ESRCH) continue;
        ctr__rmtree_at(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

/* A persistent upper: lock it (a second container on the same upper would corrupt it), sweep
   and make its work directory, and give a fresh (empty) upper the mode and owner of the top
   lower's root: the upper directory is the container's "/". */
static int ctr__layers_prepare(ctr__layers *ly, const ctr__plan *p, ctr_error *err) {
    char parent[PATH_MAX];
    const char *slash;
    struct stat st;
    if (!p->upper) return 0;
    ly->lockfd = open(p->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (ly->lockfd < 0 || ctr__lift(&ly->lockfd) != 0)
        return ctr__fail(err, CTR_STEP_ROOTFS, errno, p->upper, "open upper %s", p->upper);
    if (flock(ly->lockfd, LOCK_EX | LOCK_NB) != 0)
        return ctr__fail(err, CTR_STEP_ROOTFS, errno == EWOULDBLOCK ? EBUSY : errno, p->upper,
                         "upper %s is in use by another container (one at a time)", p->upper);
    slash = strrchr(p->workdir, '/');
    snprintf(parent, sizeof(parent), "%.*s", CTR__CAST(int, slash - p->workdir), p->workdir);
    ctr__layers_sweep(parent);
    if (mkdir(p->workdir, 0700) != 0)
        return ctr__fail(err, CTR_STEP_ROOTFS, errno, p->workdir,
                         "create the overlay work directory %s next to upper %s (it must be on "
                         "the upper's filesystem: give an upper whose parent you can write)",
                         p->workdir, p->upper);
    if (!(ly->workdir = ctr__pathdup(p->workdir, NULL))) {
        rmdir(p->workdir);
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate a path");
    }
    if (fstat(ly->lockfd, &st) == 0 && st.st_nlink == 2) {
        DIR *d = opendir(p->upper);
        struct dirent *e;
        int empty = 1;
        struct stat lo;
        while (d && (e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = 0;
        if (d) closedir(d);
        if (empty && stat(p->lowers[0], &lo) == 0) {
            if (geteuid() == 0 && (lo.st_uid != st.st_uid || lo.st_gid != st.st_gid))
                (void)fchown(ly->lockfd, lo.st_uid, lo.st_gid);
            (void)fchmod(ly->lockfd, lo.st_mode & 07777);
        }
    }
    return 0;
}

static void ctr__layers_release(ctr__layers *ly) {
    if (ly->workdir) {
        ctr__rmtree_at(AT_FDCWD, ly->workdir, 0);
        CONTAINER_FREE(ly->workdir);
        ly->workdir = NULL;
    }
    ctr__close(&ly->lockfd);
}

/* ---- the child side (raw system calls only) ---- */

static void ctr__c_utoa(char *out, unsigned long v) {
    char tmp[24];
    size_t n = 0, i;
    do tmp[n++] = CTR__CAST(char, '0' + v % 10);
    while ((v /= 10) != 0);
    for (i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

/* "/proc/self/fd/N" */
static void ctr__c_fd_path(char *out, int fd) {
    memcpy(out, "/proc/self/fd/", 14);
    ctr__c_utoa(out + 14, CTR__CAST(unsigned long, fd));
}

static int ctr__c_opath(const ctr__launch *l, int dfd, const char *path) {
    int fd = ctr__r_openat(dfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0) ctr__c_die(l, CTR_STEP_ROOTFS, errno, path, "open layer ", path, NULL, NULL);
    return fd;
}

/* The overlay's own words on a failure (its fs_context log, "e overlayfs: ..."). */
static void ctr__c_overlay_die(const ctr__launch *l, int fs, int e, const char *what) {
    char log[200];
    long n = fs >= 0 ? ctr__r_read(fs, log, sizeof(log) - 1) : -1;
    const char *hint =
        e == ENODEV
            ? " (this kernel has no overlay filesystem: CONFIG_OVERLAY_FS, modprobe overlay; or "
              "use rootfs_rw, ctrun --rootfs-rw, to write into the rootfs itself)"
        : e == EPERM && l->plan->userns
            ? " (overlayfs in a user namespace needs Linux 5.11, idmapped layers 5.19; or use "
              "rootfs_rw, ctrun --rootfs-rw, or run as root)"
            : " (the filesystem under a layer may not support overlayfs; or use rootfs_rw, "
              "ctrun --rootfs-rw, to write into the rootfs itself)";
    if (n > 2) {
        log[n] = '\0';
        if (log[n - 1] == '\n') log[n - 1] = '\0';
        ctr__c_die(l, CTR_STEP_ROOTFS, e, "/", what, ": ", log + 2, hint);
    }
    ctr__c_die(l, CTR_STEP_ROOTFS, e, "/", what, hint, NULL, NULL);
}

/* A premade (idmapped) mount attached at scratch/name, opened O_PATH. */
static int ctr__c_attach_pre(const ctr__launch *l, int scratch, int index, const char *name) {
    if (ctr__r_mkdirat(scratch, name, 0700) != 0 ||
        ctr__move_mount(ctr__c_pre_fd(l, index), "", scratch, name, CTR__MOVE_MOUNT_F_EMPTY_PATH) !=
            0)
        ctr__c_die(l, CTR_STEP_ROOTFS, errno, "/", "attach an idmapped layer", NULL, NULL, NULL);
    ctr__r_close(ctr__c_pre_fd(l, index));
    return ctr__c_opath(l, scratch, name);
}

/* One try at the overlay: 0 with *fs created, or -1 with errno and *fs (or -1) for its log. */
static int ctr__c_overlay_create(const ctr__launch *l, const int *lower, int up, int work, int plus,
                                 int *fs) {
    const ctr__plan *p = l->plan;
    char path[40], all[256];
    size_t i, n = 0;
    if ((*fs = ctr__fsopen("overlay")) < 0) return -1;
    for (i = 0; i < p->nlowers; i++) {
        ctr__c_fd_path(path, lower[i]);
        if (plus) {
            if (ctr__fsconfig(*fs, CTR__FSCONFIG_SET_STRING, "lowerdir+", path) != 0) return -1;
            continue;
        }
        if (n + strlen(path) + 2 > sizeof(all))
            ctr__c_die(l, CTR_STEP_ROOTFS, E2BIG, "/",
                       "set up the overlay root: more than about 14 layers need Linux 6.8 "
                       "(lowerdir+)",
                       NULL, NULL, NULL);
        if (n) all[n++] = ':';
        memcpy(all + n, path, strlen(path) + 1);
        n += strlen(path);
    }
    if (!plus && ctr__fsconfig(*fs, CTR__FSCONFIG_SET_STRING, "lowerdir", all) != 0) return -1;
    ctr__c_fd_path(path, up);
    if (ctr__fsconfig(*fs, CTR__FSCONFIG_SET_STRING, "upperdir", path) != 0) return -1;
    ctr__c_fd_path(path, work);
    if (ctr__fsconfig(*fs, CTR__FSCONFIG_SET_STRING, "workdir", path) != 0) return -1;
    /* Inside a user namespace the overlay keeps whiteouts and opaque directories in user.*
       xattrs (trusted.* needs the host's root). */
    if (p->userns && ctr__fsconfig(*fs, CTR__FSCONFIG_SET_FLAG, "userxattr", NULL) != 0) return -1;
    return ctr__fsconfig(*fs, CTR__FSCONFIG_CMD_CREATE, NULL, NULL) == 0 ? 0 : -1;
}

/* The overlay root as a detached mount (nosuid, nodev); made before anything is attached at
   plan->attach_at but the scratch tmpfs. */
static int ctr__c_layer_root(const ctr__launch *l) {
    const ctr__plan *p = l->plan;
    const char *tmpfs_opts[] = {"mode", "0755", "size", p->upper_size_opt, NULL};
    char name[24];
    int lower[CTR__MAX_LOWERS], scratch = -1, up, work, fs, m;
    size_t i;
    struct stat st;
    /* The lowers first: the scratch tmpfs may be attached on top of one (rootfs). */
    for (i = 0; !p->idmap && i < p->nlowers; i++)
        lower[i] = ctr__c_opath(l, AT_FDCWD, p->lowers[i]);
    if (!p->upper || p->idmap) {
        fs = ctr__fsopen("tmpfs");
        for (i = 0; fs >= 0 && tmpfs_opts[i]; i += 2)
            if (tmpfs_opts[i + 1][0] &&
                ctr__fsconfig(fs, CTR__FSCONFIG_SET_STRING, tmpfs_opts[i], tmpfs_opts[i + 1]) != 0)
                break;
        if (fs < 0 || tmpfs_opts[i] ||
            ctr__fsconfig(fs, CTR__FSCONFIG_CMD_CREATE, NULL, NULL) != 0 ||
            (scratch = ctr__fsmount(fs, CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV)) < 0)
            ctr__c_die(l, CTR_STEP_ROOTFS, errno, "/", "create the tmpfs of the upper layer", NULL,
                       NULL, NULL);
        ctr__r_close(fs);
        if (ctr__move_mount(scratch, "", AT_FDCWD, p->attach_at, CTR__MOVE_MOUNT_F_EMPTY_PATH) != 0)
            ctr__c_die(l, CTR_STEP_ROOTFS, errno, p->attach_at, "mount the upper layer's tmpfs on ",
                       p->attach_at, NULL, NULL);
    }
    for (i = 0; p->idmap && i < p->nlowers; i++) {
        name[0] = 'l';
        ctr__c_utoa(name + 1, i);
        lower[i] = ctr__c_attach_pre(l, scratch, l->lower_pre[i], name);
    }
    if (!p->upper) {
        if (ctr__r_mkdirat(scratch, "upper", 0755) != 0 ||
            ctr__r_mkdirat(scratch, "work", 0700) != 0)
            ctr__c_die(l, CTR_STEP_ROOTFS, errno, "/", "create the upper layer", NULL, NULL, NULL);
        up = ctr__c_opath(l, scratch, "upper");
        work = ctr__c_opath(l, scratch, "work");
        /* The upper's root is the container's "/": give it the mode (and owner) of the top
           lower's root. */
        if (ctr__r_fstat(lower[0], &st) == 0) {
            (void)syscall(SYS_fchownat, scratch, "upper", st.st_uid, st.st_gid, 0);
            (void)ctr__r_fchmodat(scratch, "upper", st.st_mode & 07777);
        }
    } else if (p->idmap) {
        int dir = ctr__c_attach_pre(l, scratch, l->upper_pre, "u");
        up = ctr__c_opath(l, dir, strrchr(p->upper, '/') + 1);
        work = ctr__c_opath(l, dir, strrchr(p->workdir, '/') + 1);
        ctr__r_close(dir);
    } else {
        up = ctr__c_opath(l, AT_FDCWD, p->upper);
        work = ctr__c_opath(l, AT_FDCWD, p->workdir);
    }
    /* lowerdir+ (Linux 6.8) takes one layer at a time.  Before it, one lowerdir string, which
       fsconfig limits to 255 bytes (about 14 layers); a kernel whose overlay parses its options
       the legacy way accepts lowerdir+ in fsconfig and refuses it only at create: then again. */
    if (ctr__c_overlay_create(l, lower, up, work, 1, &fs) != 0) {
        int e = errno;
        if (e != EINVAL || fs < 0) ctr__c_overlay_die(l, fs, e, "create the overlay root");
        ctr__r_close(fs);
        if (ctr__c_overlay_create(l, lower, up, work, 0, &fs) != 0)
            ctr__c_overlay_die(l, fs, errno, "create the overlay root");
    }
    if ((m = ctr__fsmount(fs, CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV)) < 0)
        ctr__c_overlay_die(l, fs, errno, "mount the overlay root");
    ctr__r_close(fs);
    for (i = 0; i < p->nlowers; i++) ctr__r_close(lower[i]);
    ctr__r_close(up);
    ctr__r_close(work);
    if (scratch >= 0) ctr__r_close(scratch);
    return m;
}
/* ---- end src/layers.c ---- */
/* ---- begin src/userns.c ---- */
/* userns.c - user namespaces beyond the caller's own id: maps written from outside the
   container, idmapped mounts, and a diagnosis when user namespaces are refused.

   Who writes the maps.  A process may map only its own uid into a user namespace it created
   (the child does that itself, child.c).  Any other map needs a process outside the namespace:
   root writing /proc/PID/uid_map, or, for a caller that is not root, the setuid helpers
   newuidmap and newgidmap checking /etc/subuid and /etc/subgid.  The spawning thread cannot be
   that process: it sleeps in the vfork-style clone until the child has exec'd.  So a short-lived
   helper is forked (a copy of the host, fork-style) before the clone: it waits for the child's
   pid on a socket, writes the maps or runs newuidmap and newgidmap, and sends the child its
   verdict; the child waits for it (or for the helper's death, through its pidfd).  The parent
   kills and reaps the helper once the clone has returned: no zombie, no descriptor left.  Like
   the child, the helper runs raw system calls only.

   Idmapped mounts (root with uid_map): the rootfs or the lowers, a persistent upper's directory
   and every bind source are presented to the container through mounts idmapped with its maps, so
   a base owned by root needs no chown: on-disk uid 0 appears as the container's uid 0 (host uid
   outside).  Only the host's root can idmap a filesystem of the host's user namespace, so the
   parent makes them before the clone (open_tree + mount_setattr MOUNT_ATTR_IDMAP with a user
   namespace of the same maps, made for the spawn by a short-lived process), and passes them to the child over
   the same socket (SCM_RIGHTS). */

#define CTR__MAX_RANGES 340 /* the kernel's limit of lines in a map (Linux 4.15) */

/* ---- the plan ---- */

/* The path of a setuid helper (newuidmap, newgidmap), or NULL. */
static const char *ctr__find_tool(const char *name) {
    static const char *const uid_paths[] = {"/usr/bin/newuidmap",       "/bin/newuidmap",
                                            "/usr/sbin/newuidmap",      "/sbin/newuidmap",
                                            "/usr/local/bin/newuidmap", NULL};
    static const char *const gid_paths[] = {"/usr/bin/newgidmap",       "/bin/newgidmap",
                                            "/usr/sbin/newgidmap",      "/sbin/newgidmap",
                                            "/usr/local/bin/newgidmap", NULL};
    const char *const *c = strcmp(name, "newuidmap") == 0 ? uid_paths : gid_paths;
    for (; *c; c++)
        if (access(*c, X_OK) == 0) return *c;
    return NULL;
}

/* The caller's first range in /etc/subuid or /etc/subgid ("name:start:count" or
   "uid:start:count"); 0 if none. */
static int ctr__subid_range(const char *file, const char *name, unsigned long id,
                            unsigned long *start, unsigned long *count) {
    FILE *f = fopen(file, "re");
    char line[512];
    int found = 0;
    if (!f) return 0;
    while (!found && fgets(line, sizeof(line), f)) {
        char *a = strtok(line, ":\n"), *b = strtok(NULL, ":\n"), *c = strtok(NULL, ":\n"), *end;
        unsigned long who;
        if (!a || !b || !c) continue;
        who = strtoul(a, &end, 10);
        if (!((name && strcmp(a, name) == 0) || (*end == '\0' && end != a && who == id))) continue;
        *start = strtoul(b, NULL, 10);
        *count = strtoul(c, NULL, 10);
        found = *count > 0;
    }
    fclose(f);
    return found;
}

/* The caller's user name from /etc/passwd (newuidmap matches names too), into name. */
static const char *ctr__user_name(uid_t uid, char *name, size_t size) {
    FILE *f = fopen("/etc/passwd", "re");
    char line[1024];
    const char *r = NULL;
    if (!f) return NULL;
    while (!r && fgets(line, sizeof(line), f)) {
        char *n = strtok(line, ":"), *pw = strtok(NULL, ":"), *u = strtok(NULL, ":");
        if (n && pw && u && strtoul(u, NULL, 10) == uid) {
            snprintf(name, size, "%s", n);
            r = name;
        }
    }
    fclose(f);
    return r;
}

/* Checks one map: ranges within 32 bits, not overlapping inside or outside, id inside it. */
static int ctr__check_map(const char *what, const ctr_idmap *m, size_t n, unsigned long id,
                          ctr_error *err) {
    size_t i, j;
    int has = 0;
    if (n == 0 || n > CTR__MAX_RANGES)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, what, "%s must have 1 to %d ranges, not %zu",
                         what, CTR__MAX_RANGES, n);
    for (i = 0; i < n; i++) {
        uint64_t in = m[i].inside, out = m[i].outside, c = m[i].count;
        if (c == 0 || in + c > 0xffffffffull || out + c > 0xffffffffull)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, what,
                             "%s range %zu (%u:%u:%u) is empty or goes past 4294967294", what, i,
                             m[i].inside, m[i].outside, m[i].count);
        for (j = 0; j < i; j++) {
            uint64_t in2 = m[j].inside, out2 = m[j].outside, c2 = m[j].count;
            if ((in < in2 + c2 && in2 < in + c) || (out < out2 + c2 && out2 < out + c))
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, what, "%s ranges %zu and %zu overlap",
                                 what, j, i);
        }
        has |= id >= in && id < in + c;
    }
    if (!has)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, what,
                         "the container's %s %lu is not in %s: the command could not run as it",
                         what[0] == 'u' ? "uid" : "gid", id, what);
    return 0;
}

/* "inside outside count\n" lines. */
static char *ctr__map_text(ctr__plan *p, const ctr_idmap *m, size_t n) {
    char *t = CTR__CAST(char *, ctr__alloc(p, n * 36 + 1)), *s = t;
    size_t i;
    if (!t) return NULL;
    for (i = 0; i < n; i++) s += sprintf(s, "%u %u %u\n", m[i].inside, m[i].outside, m[i].count);
    return t;
}

/* {tool, PID, inside, outside, count, ..., NULL}: the helper writes the pid into argv[1]. */
static char **ctr__map_argv(ctr__plan *p, const char *tool, const ctr_idmap *m, size_t n) {
    char **v = CTR__CAST(char **, ctr__alloc(p, (3 * n + 3) * sizeof(char *)));
    size_t i, k = 2;
    if (!v || !(v[0] = ctr__strdup(p, tool)) || !(v[1] = CTR__CAST(char *, ctr__alloc(p, 24))))
        return NULL;
    for (i = 0; i < n; i++) {
        unsigned v3[3];
        int j;
        v3[0] = m[i].inside;
        v3[1] = m[i].outside;
        v3[2] = m[i].count;
        for (j = 0; j < 3; j++) {
            char num[16];
            snprintf(num, sizeof(num), "%u", v3[j]);
            if (!(v[k++] = ctr__strdup(p, num))) return NULL;
        }
    }
    return v;
}

static int ctr__plan_maps(ctr__plan *p, const ctr_idmap *um, size_t nu, const ctr_idmap *gm,
                          size_t ng, ctr_error *err) {
    if (geteuid() == 0) {
        p->map_helper = 1;
        if (!(p->uid_map_text = ctr__map_text(p, um, nu)) ||
            !(p->gid_map_text = ctr__map_text(p, gm, ng)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        return 0;
    }
    p->map_helper = 2;
    if (!(p->uidmap_argv = ctr__map_argv(p, "newuidmap", um, nu)) ||
        !(p->gidmap_argv = ctr__map_argv(p, "newgidmap", gm, ng)))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    return 0;
}

/* After the default user namespace decision of plan.c: explicit maps, or the caller's
   subordinate ranges. */
static int ctr__plan_userns(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    uid_t euid = geteuid();
    const ctr_idmap *gm = spec->gid_map ? spec->gid_map : spec->uid_map;
    size_t ng = spec->gid_map ? spec->ngid_map : spec->nuid_map;
    if ((spec->nuid_map && !spec->uid_map) || (spec->ngid_map && !spec->gid_map))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "uid_map",
                         "nuid_map or ngid_map is set "
                         "but the map is NULL");
    if (spec->gid_map && !spec->uid_map)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "gid_map", "gid_map needs uid_map too");
    if (spec->uid_map) {
        if (spec->share & CTR_NS_USER)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "uid_map",
                             "uid_map needs a user namespace of its own, but CTR_NS_USER is "
                             "shared");
        if (ctr__check_map("uid_map", spec->uid_map, spec->nuid_map, spec->uid, err) != 0 ||
            ctr__check_map("gid_map", gm, ng, spec->gid, err) != 0 ||
            ctr__check_map("uid_map", spec->uid_map, spec->nuid_map, 0, err) != 0 ||
            ctr__check_map("gid_map", gm, ng, 0, err) != 0)
            return -1; /* 0 too: the namespace's root sets the container up */
        if (euid != 0 && (!(p->newuidmap = ctr__find_tool("newuidmap")) ||
                          !(p->newgidmap = ctr__find_tool("newgidmap"))))
            return ctr__fail(err, CTR_STEP_USERNS, ENOENT, "newuidmap",
                             "uid_map when not root needs newuidmap and newgidmap (Debian and "
                             "Ubuntu: the package uidmap)");
        p->userns = 1;
        p->clone_flags |= CLONE_NEWUSER;
        p->set_ids = 1;
        p->idmap = euid == 0 && !spec->no_idmap;
        return ctr__plan_maps(p, spec->uid_map, spec->nuid_map, gm, ng, err);
    }
    if (p->userns && euid != 0 && !spec->no_subids) {
        char name[256];
        const char *user = ctr__user_name(euid, name, sizeof(name));
        unsigned long us, uc, gs, gc;
        ctr_idmap um[2], g2[2];
        if (!ctr__subid_range("/etc/subuid", user, euid, &us, &uc) ||
            !ctr__subid_range("/etc/subgid", user, euid, &gs, &gc) ||
            !(p->newuidmap = ctr__find_tool("newuidmap")) ||
            !(p->newgidmap = ctr__find_tool("newgidmap")))
            return 0; /* the single mapping of plan.c */
        if (uc > 65535) uc = 65535;
        if (gc > 65535) gc = 65535;
        if (spec->uid > uc || spec->gid > gc) return 0; /* not in the ranges: the single map */
        um[0].inside = 0;
        um[0].outside = euid;
        um[0].count = 1;
        um[1].inside = 1;
        um[1].outside = CTR__CAST(uint32_t, us);
        um[1].count = CTR__CAST(uint32_t, uc);
        g2[0].inside = 0;
        g2[0].outside = getegid();
        g2[0].count = 1;
        g2[1].inside = 1;
        g2[1].outside = CTR__CAST(uint32_t, gs);
        g2[1].count = CTR__CAST(uint32_t, gc);
        p->set_ids = 1;
        return ctr__plan_maps(p, um, 2, g2, 2, err);
    }
    return 0;
}

/* ---- the parent: idmapped mounts, the helper ---- */

typedef struct ctr__ns_reply {
    int err;
    char path[64];
    char msg[320];
} ctr__ns_reply;

static void ctr__ns_init(ctr__ns_host *h) {
    h->helper_pidfd = -1;
    h->sock = -1;
}

/* A process that only waits to be killed (it holds a user namespace open for the parent). */
static void ctr__ns_holder(void *arg) {
    (void)arg;
    for (;;) syscall(SYS_pause);
}

/* A user namespace with the plan's maps, for mount_setattr (closed once the mounts are made). */
static int ctr__idmap_userns(const ctr__plan *p, ctr_error *err) {
    char path[64];
    uint64_t all = ~CTR__CAST(uint64_t, 0), old = 0;
    ctr__clone_args a;
    int fd = -1, pidfd = -1, e, w;
    long pid;
    memset(&a, 0, sizeof(a));
    a.flags = CLONE_NEWUSER | CLONE_PIDFD;
    a.pidfd = CTR__PTR_TO_U64(&pidfd);
    ctr__r_sigmask(SIG_SETMASK, &all, &old); /* no host handler may run in the holder */
    pid = ctr__clone(&a, 0, ctr__ns_holder, NULL);
    e = pid < 0 ? errno : 0;
    ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0)
        return ctr__fail(err, CTR_STEP_USERNS, e, "",
                         "make a user namespace for the idmapped "
                         "mounts");
    snprintf(path, sizeof(path), "/proc/%ld/uid_map", pid);
    if ((w = open(path, O_WRONLY | O_CLOEXEC)) < 0 ||
        write(w, p->uid_map_text, strlen(p->uid_map_text)) < 0)
        e = errno;
    if (w >= 0) close(w);
    snprintf(path, sizeof(path), "/proc/%ld/gid_map", pid);
    if (!e && ((w = open(path, O_WRONLY | O_CLOEXEC)) < 0 ||
               write(w, p->gid_map_text, strlen(p->gid_map_text)) < 0))
        e = errno;
    if (!e && w >= 0) close(w);
    snprintf(path, sizeof(path), "/proc/%ld/ns/user", pid);
    if (!e && ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || ctr__lift(&fd) != 0)) e = errno;
    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    while (waitpid(CTR__CAST(pid_t, pid), NULL, __WALL) < 0 && errno == EINTR) {}
    ctr__close(&pidfd);
    if (e) {
        ctr__close(&fd);
        return ctr__fail(err, CTR_STEP_USERNS, e, "",
                         "make a user namespace with uid_map for the idmapped mounts");
    }
    return fd;
}

/* A detached, idmapped clone of path; -1 and err on failure. */
static int ctr__idmapped(const char *path, int userns, int rec, uint64_t set, int top_rw,
                         ctr_error *err) {
    ctr__mount_attr a;
    unsigned r = rec ? CTR__CAST(unsigned, AT_RECURSIVE) : 0u;
    int fd = ctr__open_tree(AT_FDCWD, path, CTR__OPEN_TREE_CLONE | CTR__OPEN_TREE_CLOEXEC | r);
    if (fd < 0) return ctr__fail(err, CTR_STEP_MOUNT, errno, path, "bind %s", path);
    memset(&a, 0, sizeof(a));
    a.attr_set = set | CTR__MOUNT_ATTR_IDMAP;
    a.userns_fd = CTR__CAST(uint64_t, userns);
    if (ctr__mount_setattr(fd, "", AT_EMPTY_PATH | r, &a) != 0) {
        int e = errno;
        close(fd);
        return ctr__fail(err, CTR_STEP_MOUNT, e, path, "idmap %s%s", path,
                         e == EINVAL
                             ? " (its filesystem, or one mounted below it, does not support "
                               "idmapped mounts (Linux 5.12; ext4, xfs, btrfs, tmpfs 6.3...): "
                               "set no_idmap and chown it to the range instead)"
                             : "");
    }
    if (top_rw) {
        memset(&a, 0, sizeof(a));
        a.attr_clr = CTR__MOUNT_ATTR_RDONLY;
        (void)ctr__mount_setattr(fd, "", AT_EMPTY_PATH, &a);
    }
    if (ctr__lift(&fd) != 0) {
        close(fd);
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "move a descriptor above 2");
    }
    return fd;
}

/* The helper's work: raw system calls only (it is a copy of a possibly multi-threaded host). */
typedef struct ctr__ns_job {
    const ctr__plan *p;
    int sock;
} ctr__ns_job;

static void ctr__ns_say(ctr__ns_reply *r, int e, const char *path, const char *a, const char *b) {
    size_t n;
    r->err = e;
    ctr__append(r->path, sizeof(r->path), 0, path);
    n = ctr__append(r->msg, sizeof(r->msg), 0, a);
    ctr__append(r->msg, sizeof(r->msg), n, b);
}

static int ctr__ns_write(ctr__ns_reply *r, const char *pid, const char *file, const char *text) {
    char path[64];
    size_t n = ctr__append(path, sizeof(path), 0, "/proc/");
    int fd;
    long w;
    n = ctr__append(path, sizeof(path), n, pid);
    ctr__append(path, sizeof(path), n, file);
    fd = ctr__r_openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
    w = fd >= 0 ? ctr__r_write(fd, text, strlen(text)) : -1;
    if (w < 0) ctr__ns_say(r, errno, path, "write ", path);
    if (fd >= 0) ctr__r_close(fd);
    return w < 0 ? -1 : 0;
}

/* Runs newuidmap or newgidmap; on failure r says why (its own words). */
static int ctr__ns_run(ctr__ns_reply *r, const char *tool, char **argv) {
    static const char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};
    char out[240];
    size_t n = 0;
    int pfd[2], st = 0;
    long pid, k;
    if (syscall(SYS_pipe2, pfd, O_CLOEXEC) != 0) {
        ctr__ns_say(r, errno, tool, "create a pipe for ", tool);
        return -1;
    }
    pid = syscall(SYS_clone, CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) {
        uint64_t none = 0;
        int null = ctr__r_openat(AT_FDCWD, "/dev/null", O_RDONLY, 0);
        if (null >= 0) ctr__r_dup3(null, 0);
        ctr__r_dup3(pfd[1], 1);
        ctr__r_dup3(pfd[1], 2);
        ctr__r_sigmask(SIG_SETMASK, &none, NULL);
        syscall(SYS_execve, tool, argv, envp);
        ctr__r_write(2, "cannot execute it", 17);
        ctr__c_exit(127);
    }
    ctr__r_close(pfd[1]);
    if (pid < 0) {
        ctr__r_close(pfd[0]);
        ctr__ns_say(r, errno, tool, "start ", tool);
        return -1;
    }
    while (n < sizeof(out) - 1 && (k = ctr__r_read(pfd[0], out + n, sizeof(out) - 1 - n)) != 0) {
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) break;
        n += CTR__CAST(size_t, k);
    }
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ')) out[--n] = '\0';
    for (k = 0; CTR__CAST(size_t, k) < n; k++)
        if (out[k] == '\n') out[k] = ' ';
    ctr__r_close(pfd[0]);
    while (syscall(SYS_wait4, pid, &st, 0, NULL) < 0 && errno == EINTR) {}
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    ctr__ns_say(r, EPERM, tool, argv[0], ": ");
    ctr__append(r->msg, sizeof(r->msg), strlen(r->msg), n ? out : "failed");
    return -1;
}

static void ctr__ns_helper(void *arg) {
    const ctr__ns_job *j = CTR__CAST(const ctr__ns_job *, arg);
    const ctr__plan *p = j->p;
    ctr__ns_reply r;
    char pid[24];
    long n;
    (void)ctr__r_prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (j->sock > 3) (void)syscall(SYS_close_range, 3, CTR__CAST(unsigned, j->sock - 1), 0);
    (void)syscall(SYS_close_range, CTR__CAST(unsigned, j->sock + 1), ~0u, 0);
    do n = syscall(SYS_recvfrom, j->sock, pid, sizeof(pid) - 1, 0, NULL, NULL);
    while (n < 0 && errno == EINTR);
    if (n <= 0) ctr__c_exit(1);
    pid[n] = '\0';
    memset(&r, 0, sizeof(r));
    if (p->map_helper == 1) {
        if (ctr__ns_write(&r, pid, "/uid_map", p->uid_map_text) == 0)
            (void)ctr__ns_write(&r, pid, "/gid_map", p->gid_map_text);
    } else {
        memcpy(p->uidmap_argv[1], pid, CTR__CAST(size_t, n) + 1);
        memcpy(p->gidmap_argv[1], pid, CTR__CAST(size_t, n) + 1);
        if (ctr__ns_run(&r, p->newuidmap, p->uidmap_argv) == 0)
            (void)ctr__ns_run(&r, p->newgidmap, p->gidmap_argv);
    }
    do n = ctr__r_write(j->sock, &r, sizeof(r));
    while (n < 0 && errno == EINTR);
    ctr__c_exit(0);
}

/* Sends fds over sock, at most 250 a message. */
static int ctr__send_fds(int sock, const int *fds, int n) {
    while (n > 0) {
        union {
            struct cmsghdr align;
            char buf[CTR__FDMSG_SPACE(250)];
        } cm;
        struct msghdr msg;
        struct iovec iov;
        char byte = 'f';
        int k = n > 250 ? 250 : n;
        ctr__fdmsg(&msg, &iov, &byte, cm.buf, k, fds);
        if (sendmsg(sock, &msg, MSG_NOSIGNAL) != 1) return -1;
        fds += k;
        n -= k;
    }
    return 0;
}

/* Before the clone: the idmapped mounts and the helper, their descriptors queued on the socket
   for the child (l->ns_fds then holds the parent's numbers, which it closes after the clone). */
static int ctr__ns_prepare(ctr__ns_host *h, ctr__plan *p, ctr__launch *l, ctr_error *err) {
    const unsigned base = CTR__MOUNT_ATTR_NOSUID | CTR__MOUNT_ATTR_NODEV;
    uint64_t all = ~CTR__CAST(uint64_t, 0), old = 0;
    ctr__clone_args a;
    ctr__ns_job job;
    int sv[2], userns = -1, n = 1, i;
    size_t k;
    long pid;
    l->root_pre = l->upper_pre = -1;
    if (!p->map_helper) return 0;
    /* slots: the helper's pidfd, the rootfs or the lowers and upper, the binds */
    l->ns_fds = CTR__CAST(int *, ctr__alloc(p, (p->nops + p->nlowers + 3) * sizeof(int)));
    l->op_pre = CTR__CAST(int *, ctr__alloc(p, (p->nops + 1) * sizeof(int)));
    l->lower_pre = CTR__CAST(int *, ctr__alloc(p, (p->nlowers + 1) * sizeof(int)));
    if (!l->ns_fds || !l->op_pre || !l->lower_pre)
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    l->ns_fds[0] = -1;
    for (k = 0; k < p->nops; k++) l->op_pre[k] = -1;
    if (p->idmap) {
        if ((userns = ctr__idmap_userns(p, err)) < 0) return -1;
        if (p->layer) {
            for (k = 0; k < p->nlowers; k++) {
                if ((l->ns_fds[n] = ctr__idmapped(p->lowers[k], userns, 0,
                                                  base | CTR__MOUNT_ATTR_RDONLY, 0, err)) < 0)
                    goto fail;
                l->lower_pre[k] = n++;
            }
            if (p->upper) {
                char dir[PATH_MAX];
                snprintf(dir, sizeof(dir), "%.*s",
                         CTR__CAST(int, strrchr(p->upper, '/') - p->upper), p->upper);
                if ((l->ns_fds[n] = ctr__idmapped(dir, userns, 0, base, 0, err)) < 0) goto fail;
                l->upper_pre = n++;
            }
        } else if (p->rootfs) {
            if ((l->ns_fds[n] = ctr__idmapped(
                     p->rootfs, userns, 1, base | (p->readonly_root ? CTR__MOUNT_ATTR_RDONLY : 0u),
                     p->readonly_root, err)) < 0)
                goto fail;
            l->root_pre = n++;
        }
        for (k = 0; k < p->nops; k++) {
            const ctr__op *op = &p->ops[k];
            if (op->type != CTR_MOUNT_BIND) continue;
            if ((l->ns_fds[n] = ctr__idmapped(
                     op->src, userns, !(op->flags & CTR_MOUNT_NONRECURSIVE),
                     base | ((op->flags & CTR_MOUNT_RW) ? 0u : CTR__MOUNT_ATTR_RDONLY), 0, err)) <
                0)
                goto fail;
            l->op_pre[k] = n++;
        }
    }
    l->ns_nfds = n;
    if (userns >= 0) close(userns);
    userns = -1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0 || ctr__lift(&sv[0]) != 0 ||
        ctr__lift(&sv[1]) != 0) {
        ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a socket for the id maps");
        goto fail;
    }
    h->sock = sv[0];
    l->nssock = sv[1];
    job.p = p;
    job.sock = sv[0];
    memset(&a, 0, sizeof(a));
    a.flags = CLONE_PIDFD;
    a.pidfd = CTR__PTR_TO_U64(&h->helper_pidfd);
    ctr__r_sigmask(SIG_SETMASK, &all, &old); /* no host handler may run in the helper */
    pid = ctr__clone(&a, 0, ctr__ns_helper, &job);
    i = errno;
    ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        ctr__fail(err, CTR_STEP_USERNS, i, "", "start the helper that writes the id maps");
        goto fail;
    }
    if (ctr__lift(&h->helper_pidfd) != 0 ||
        (l->ns_fds[0] = h->helper_pidfd, ctr__send_fds(h->sock, l->ns_fds, n) != 0)) {
        ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "pass descriptors to the container process");
        goto fail;
    }
    l->ns_fds[0] = -1;
    for (i = 1; i < n; i++) ctr__close(&l->ns_fds[i]);
    return 0;
fail:
    if (userns >= 0) close(userns);
    for (i = 1; i < n; i++) ctr__close(&l->ns_fds[i]);
    l->ns_nfds = 0;
    return -1;
}

/* After the clone (the child has exec'd, or died): the helper is done or no longer needed. */
static void ctr__ns_finish(ctr__ns_host *h) {
    if (h->helper_pidfd >= 0) {
        siginfo_t si;
        syscall(SYS_pidfd_send_signal, h->helper_pidfd, SIGKILL, NULL, 0);
        while (syscall(SYS_waitid, P_PIDFD, h->helper_pidfd, &si, WEXITED | __WALL, NULL) < 0 &&
               errno == EINTR) {}
    }
    ctr__close(&h->helper_pidfd);
    ctr__close(&h->sock);
}

/* ---- the diagnosis ---- */

/* A sysctl's value, or -1. */
static long ctr__sysctl(const char *path) {
    char buf[32];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;
    if (fd < 0) return -1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

/* Replaces the generic hint of a refused clone (or a refused step in the new user namespace)
   with what refused it: the sysctl and how to allow it. */
static void ctr__userns_explain(const ctr__plan *p, ctr_error *err) {
    char why[320];
    char *hint;
    long v;
    int root = geteuid() == 0, e = err->sys_errno;
    if (e != EPERM && e != ENOSPC && e != EUSERS && e != EACCES) return;
    why[0] = '\0';
    if (!p->userns && !root && !(p->clone_flags & CLONE_NEWUSER)) {
        snprintf(why, sizeof(why),
                 "the user namespace is shared (CTR_NS_USER), and creating the other namespaces "
                 "needs CAP_SYS_ADMIN in it: only root may share it; leave CTR_NS_USER out to get "
                 "a user namespace of its own");
    } else if (p->userns) {
        if ((v = ctr__sysctl("/proc/sys/user/max_user_namespaces")) == 0)
            snprintf(why, sizeof(why),
                     "user namespaces are disabled: user.max_user_namespaces is 0 (allow them: "
                     "sysctl -w user.max_user_namespaces=15000)");
        else if (e == ENOSPC && v > 0)
            snprintf(why, sizeof(why),
                     "the limit of user namespaces is reached: user.max_user_namespaces is %ld "
                     "(raise it with sysctl -w user.max_user_namespaces=N)",
                     v);
        else if (e == EUSERS)
            snprintf(why, sizeof(why), "user namespaces are nested 32 deep already");
        else if (!root && ctr__sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0)
            snprintf(why, sizeof(why),
                     "unprivileged user namespaces are disabled: "
                     "kernel.unprivileged_userns_clone is 0 (allow them: sysctl -w "
                     "kernel.unprivileged_userns_clone=1, or run as root)");
        else if (!root &&
                 ctr__sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
            snprintf(why, sizeof(why),
                     "AppArmor restricts unprivileged user namespaces: "
                     "kernel.apparmor_restrict_unprivileged_userns is 1 (allow them: sysctl -w "
                     "kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile "
                     "with \"userns,\" for this program)");
    }
    if (!why[0]) return;
    if ((hint = strstr(err->msg, " (hint: ")) != NULL) *hint = '\0';
    ctr__append(err->msg, sizeof(err->msg), strlen(err->msg), " (");
    ctr__append(err->msg, sizeof(err->msg), strlen(err->msg), why);
    ctr__append(err->msg, sizeof(err->msg), strlen(err->msg), ")");
}

/* ---- the child (raw system calls only) ---- */

/* The helper's pidfd and the premade mounts, queued by the parent before the clone. */
static void ctr__c_ns_receive(const ctr__launch *l) {
    int got = 0;
    while (got < l->ns_nfds) {
        union {
            struct cmsghdr align;
            char buf[CTR__FDMSG_SPACE(250)];
        } cm;
        struct msghdr msg;
        struct iovec iov;
        char byte;
        long r;
        int k = 0;
        ctr__fdmsg(&msg, &iov, &byte, cm.buf, 250, NULL);
        do r = syscall(SYS_recvmsg, l->nssock, &msg, MSG_CMSG_CLOEXEC);
        while (r < 0 && errno == EINTR);
        if (r == 1) k = ctr__fdmsg_fds(&msg, l->ns_fds + got, l->ns_nfds - got);
        if (k <= 0) {
            ctr__c_die(l, CTR_STEP_USERNS, r < 0 ? errno : EPROTO, "",
                       "receive the idmapped mounts", NULL, NULL, NULL);
            return;
        }
        got += k;
    }
}

static int ctr__c_pre_fd(const ctr__launch *l, int index) { return l->ns_fds[index]; }

/* Sends our host pid to the helper and waits for its verdict on the maps. */
static void ctr__c_ns_maps(const ctr__launch *l) {
    char self[24];
    ctr__ns_reply r;
    struct pollfd pfd[2];
    long n = syscall(SYS_readlinkat, AT_FDCWD, "/proc/self", self, sizeof(self) - 1);
    if (n <= 0 || syscall(SYS_sendto, l->nssock, self, n, MSG_NOSIGNAL, NULL, 0) != n)
        ctr__c_die(l, CTR_STEP_USERNS, errno, "/proc/self", "tell the id-map helper our pid", NULL,
                   NULL, NULL);
    for (;;) {
        pfd[0].fd = l->nssock;
        pfd[1].fd = l->ns_fds[0];
        pfd[0].events = pfd[1].events = POLLIN;
        pfd[0].revents = pfd[1].revents = 0;
        if (syscall(SYS_ppoll, pfd, 2, NULL, NULL, 8) < 0 && errno != EINTR)
            ctr__c_die(l, CTR_STEP_USERNS, errno, "", "wait for the id-map helper", NULL, NULL,
                       NULL);
        if (pfd[0].revents & POLLIN) break;
        if (pfd[1].revents)
            ctr__c_die(l, CTR_STEP_USERNS, ECHILD, "",
                       "the helper that writes the uid and gid maps died", NULL, NULL, NULL);
    }
    memset(&r, 0, sizeof(r));
    n = syscall(SYS_recvfrom, l->nssock, &r, sizeof(r), 0, NULL, NULL);
    if (n != CTR__CAST(long, sizeof(r)))
        ctr__c_die(l, CTR_STEP_USERNS, n < 0 ? errno : EPROTO, "",
                   "read the id-map helper's verdict", NULL, NULL, NULL);
    r.path[sizeof(r.path) - 1] = r.msg[sizeof(r.msg) - 1] = '\0';
    if (r.err) ctr__c_die(l, CTR_STEP_USERNS, r.err, r.path, r.msg, NULL, NULL, NULL);
    /* Become the namespace's root: the ids we were born with (the host's root, for one) may
       not be mapped, and what the setup creates would fail with EOVERFLOW. */
    if (syscall(SYS_setresgid, 0, 0, 0) != 0 || syscall(SYS_setresuid, 0, 0, 0) != 0)
        ctr__c_die(l, CTR_STEP_USERNS, errno, "", "become root in the user namespace", NULL, NULL,
                   NULL);
    /* The uid change cleared the parent-death signal (child.c sets it again at the end). */
    if (l->plan->die_with_host) (void)ctr__r_prctl(PR_SET_PDEATHSIG, SIGKILL);
    ctr__r_close(l->ns_fds[0]);
    ctr__r_close(l->nssock);
}
/* ---- end src/userns.c ---- */
/* ---- begin src/nonet.c ---- */
/* nonet.c - spec.no_network: a container without any network, cheap enough for thousands of idle
   ones.  A network namespace of its own costs about 220 KiB of kernel memory per container;
   no_network containers instead share one empty namespace (loopback down, made once per process,
   netns.c) and are kept apart from each other in it:
   - socket() of any family but AF_UNIX fails with EAFNOSUPPORT (a seccomp filter of its own,
     stacked on the container's; io_uring, which could make sockets past it, fails with EPERM),
     so no IP, netlink or packet socket exists to talk to or observe the others;
   - abstract unix sockets, the one per-namespace name space left, are scoped with Landlock
     (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, Landlock ABI 6, Linux 6.12): a container can connect
     or send only to abstract sockets made within its own container.  Unix sockets with a path
     live in the container's own files.
   What they still share: the list of unix sockets in /proc/net/unix (the addresses, not the
   traffic) and the namespace's identity.  Root only (the namespace belongs to the host's user
   namespace), and refused where the container could change the namespace (CAP_NET_ADMIN,
   CAP_SYS_ADMIN, no_masks) or where Landlock cannot scope. */

#if defined(__x86_64__)
#define CTR__NONET_ARCH 0xc000003eu /* AUDIT_ARCH_X86_64 */
#define CTR__NONET_X32  0x40000000u
#elif defined(__aarch64__)
#define CTR__NONET_ARCH 0xc00000b7u /* AUDIT_ARCH_AARCH64 */
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif

static int ctr__plan_no_network(ctr__plan *p, const ctr_spec *spec, ctr_error *err) {
    const char *why = NULL;
    long abi;
    if (!spec->no_network) return 0;
    if (spec->share & CTR_NS_NET)
        why = "it contradicts sharing the host's network namespace (CTR_NS_NET)";
    else if (spec->netns_pool)
        why = "it contradicts netns_pool (a namespace of its own, from the pool)";
    else if (spec->net != CTR_NET_NONE)
        why = "it contradicts a network (net = CTR_NET_BRIDGE or CTR_NET_PASTA)";
    else if (geteuid() != 0 || p->userns)
        why = "it needs root and no user namespace (the shared namespace belongs to the host's "
              "user namespace)";
    else if (p->caps_keep & (CTR_CAP(12) | CTR_CAP(21)))
        why = "the container keeps CAP_NET_ADMIN or CAP_SYS_ADMIN and could reconfigure the "
              "shared namespace";
    else if (!p->masks)
        why = "no_masks leaves /proc/sys writable, and with it the shared namespace's sysctls";
    if (why)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "no_network", "no_network cannot be used: %s",
                         why);
    abi = syscall(CTR__SYS_landlock_create_ruleset, NULL, 0, CTR__LL_CREATE_RULESET_VERSION);
    if (abi < 6)
        return ctr__fail(err, CTR_STEP_SPEC, abi < 0 ? errno : ENOTSUP, "no_network",
                         "no_network needs Landlock ABI 6 (Linux 6.12, with landlock among the "
                         "LSMs) to keep the containers' abstract unix sockets apart%s%ld; give "
                         "the container a network namespace of its own (the default) instead",
                         abi < 0 ? ": landlock_create_ruleset fails" : ": this kernel has ABI ",
                         abi < 0 ? 0L : abi);
    p->no_network = 1;
    return 0;
}

/* In the child, next to the container's own seccomp filter (the same moment, for the same
   reason: no_new_privs or CAP_SYS_ADMIN). */
static void ctr__c_nonet(const ctr__launch *l) {
    static const ctr__bpf filter[] = {
        {0x20, 0, 0, 4}, /* ld arch */
        {0x15, 1, 0, CTR__NONET_ARCH},
        {0x06, 0, 0, 0x00050000u | ENOSYS}, /* another ABI: ENOSYS */
        {0x20, 0, 0, 0},                    /* ld nr */
#ifdef CTR__NONET_X32
        {0x35, 0, 1, CTR__NONET_X32},
        {0x06, 0, 0, 0x00050000u | ENOSYS}, /* x32: ENOSYS */
#endif
        {0x15, 3, 0, SYS_socket},
        {0x15, 0, 1, SYS_io_uring_setup},
        {0x06, 0, 0, 0x00050000u | EPERM},
        {0x06, 0, 0, 0x7fff0000u}, /* allow */
        {0x20, 0, 0, 16},          /* ld args[0] (low half) */
        {0x15, 1, 0, AF_UNIX},
        {0x06, 0, 0, 0x00050000u | EAFNOSUPPORT},
        {0x06, 0, 0, 0x7fff0000u},
    };
    struct {
        unsigned short len;
        const ctr__bpf *filter;
    } prog;
    struct {
        uint64_t fs, net, scoped;
    } attr;
    int fd;
    if (!l->plan->no_network) return;
    memset(&attr, 0, sizeof(attr));
    attr.scoped = CTR__LL_SCOPE_ABSTRACT_UNIX;
    fd = ctr__sys_int(syscall(CTR__SYS_landlock_create_ruleset, &attr, sizeof(attr), 0));
    if (fd < 0 || syscall(CTR__SYS_landlock_restrict_self, fd, 0) != 0)
        ctr__c_die(l, CTR_STEP_SECCOMP, errno, "",
                   "scope abstract unix sockets (Landlock) for "
                   "no_network",
                   NULL, NULL, NULL);
    ctr__r_close(fd);
    prog.len = CTR__CAST(unsigned short, sizeof(filter) / sizeof(filter[0]));
    prog.filter = filter;
    if (syscall(SYS_prctl, PR_SET_SECCOMP, 2, &prog, 0, 0) != 0)
        ctr__c_die(l, CTR_STEP_SECCOMP, errno, "", "install the no_network socket filter", NULL,
                   NULL, NULL);
}
/* ---- end src/nonet.c ---- */
/* ---- begin src/netns.c ---- */
/* netns.c - ctr_netns_pool: empty network namespaces (loopback up) reused by containers, one container at a
   time each.  A new network namespace is the most expensive namespace to create and to tear
   down (about 1 ms each way on a small VM, and the teardown runs on a kernel worker that takes
   a CPU from the next spawn); a container with no network needs nothing of it but loopback. */

struct ctr_netns_pool {
    pthread_mutex_t lock;
    unsigned max;     /* slots */
    unsigned created; /* slots holding a namespace */
    unsigned in_use;  /* slots lent to a live container */
    int dying;        /* ctr_netns_pool_destroy was called while some were lent */
    int *fds;         /* max slots: an nsfs fd, or -1 */
    unsigned char *busy;
};

/* What the short-lived child reports; in memory shared with it (MAP_SHARED), whichever way
   clone.c makes it. */
typedef struct ctr__netns_job {
    int fd;  /* the namespace, opened in the shared descriptor table */
    int err; /* errno of the failing step, or 0 */
    const char *what;
} ctr__netns_job;

/* In a new network namespace, sharing our descriptor table: brings loopback up and opens the
   namespace for the parent.  Only raw syscalls (the rules of child.c). */
static void ctr__netns_child(void *arg) {
    ctr__netns_job *m = CTR__CAST(ctr__netns_job *, arg);
    if (m->err == -1) { /* no loopback: spec.no_network's namespace */
        m->err = 0;
        if ((m->fd = ctr__r_openat(AT_FDCWD, "/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC, 0)) <
            0) {
            m->err = errno;
            m->what = "open the shared network namespace (/proc/thread-self/ns/net)";
        }
    } else if (ctr__lo_up() != 0) {
        m->err = errno;
        m->what = "bring up the loopback interface of a new network namespace";
    } else if ((m->fd = ctr__r_openat(AT_FDCWD, "/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC,
                                      0)) < 0) {
        m->err = errno;
        m->what = "open a new network namespace (/proc/thread-self/ns/net)";
    }
}

/* A new empty network namespace with loopback up, as an fd; -1 and *err on failure.  Made by a
   short-lived child (CLONE_FILES | CLONE_NEWNET), so the calling thread never leaves its own
   namespace.  lo 0: loopback stays down (spec.no_network's shared namespace). */
static int ctr__netns_make(int lo, ctr_error *err) {
    ctr__netns_job *m;
    ctr__clone_args a;
    uint64_t all = ~CTR__CAST(uint64_t, 0), old = 0;
    long pid;
    int e, st, fd;
    m = CTR__CAST(ctr__netns_job *, mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE,
                                         MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    if (m == MAP_FAILED) return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "map memory");
    m->fd = -1;
    m->err = lo ? 0 : -1;
    m->what = "";
    memset(&a, 0, sizeof(a));
    a.flags = CLONE_FILES | CLONE_NEWNET;
    ctr__r_sigmask(SIG_SETMASK, &all, &old); /* no host handler may run in the child */
    pid = ctr__clone(&a, CTR__CLONE_VM | CTR__CLONE_WAIT, ctr__netns_child, m);
    e = errno;
    ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    /* exit signal 0: a host's waitpid(-1) cannot take it; reaped here with __WALL. */
    if (pid > 0)
        while (waitpid(CTR__CAST(pid_t, pid), &st, __WALL) < 0 && errno == EINTR) {}
    fd = m->fd;
    if (pid < 0) {
        munmap(m, sizeof(*m));
        return ctr__fail(err, CTR_STEP_NETWORK, e, "", "create a network namespace%s",
                         e == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
    }
    if (m->err) {
        e = m->err;
        if (fd >= 0) close(fd);
        ctr__fail(err, CTR_STEP_NETWORK, e, "lo", "%s", m->what);
        munmap(m, sizeof(*m));
        return -1;
    }
    munmap(m, sizeof(*m));
    if (ctr__lift(&fd) != 0) {
        e = errno;
        close(fd);
        return ctr__fail(err, CTR_STEP_RESOURCE, e, "", "move a descriptor above 2");
    }
    return fd;
}

CONTAINER_API int ctr_netns_pool_create(ctr_netns_pool **out, unsigned max, ctr_error *err) {
    ctr_netns_pool *pool;
    unsigned i;
    ctr__clear_error(err);
    if (!out) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "out is NULL");
    *out = NULL;
    if (max == 0 || max > 65536)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "netns pool size must be 1..65536, not %u",
                         max);
    if (geteuid() != 0)
        return ctr__fail(err, CTR_STEP_SPEC, EPERM, "",
                         "a netns pool needs root: its namespaces belong to "
                         "the host's user namespace");
    pool = CTR__CAST(ctr_netns_pool *, CONTAINER_MALLOC(sizeof(*pool)));
    if (!pool) return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the netns pool");
    memset(pool, 0, sizeof(*pool));
    pool->fds = CTR__CAST(int *, CONTAINER_MALLOC(max * sizeof(int)));
    pool->busy = CTR__CAST(unsigned char *, CONTAINER_MALLOC(max));
    if (!pool->fds || !pool->busy) {
        if (pool->fds) CONTAINER_FREE(pool->fds);
        if (pool->busy) CONTAINER_FREE(pool->busy);
        CONTAINER_FREE(pool);
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the netns pool");
    }
    for (i = 0; i < max; i++) {
        pool->fds[i] = -1;
        pool->busy[i] = 0;
    }
    pool->max = max;
    pthread_mutex_init(&pool->lock, NULL);
    *out = pool;
    return 0;
}

static void ctr__netns_pool_free(ctr_netns_pool *pool) {
    unsigned i;
    for (i = 0; i < pool->max; i++) ctr__close(&pool->fds[i]);
    pthread_mutex_destroy(&pool->lock);
    CONTAINER_FREE(pool->fds);
    CONTAINER_FREE(pool->busy);
    CONTAINER_FREE(pool);
}

CONTAINER_API void ctr_netns_pool_destroy(ctr_netns_pool *pool) {
    unsigned i;
    int last;
    if (!pool) return;
    pthread_mutex_lock(&pool->lock);
    for (i = 0; i < pool->max; i++)
        if (!pool->busy[i]) ctr__close(&pool->fds[i]);
    pool->dying = 1;
    last = pool->in_use == 0;
    pthread_mutex_unlock(&pool->lock);
    if (last) ctr__netns_pool_free(pool); /* else the last container to give its namespace back */
}

/* Lends a namespace: its slot (*fd set), or -1 with *fd = -1 when every slot is lent (the
   container then gets a namespace of its own), or -2 with err set. */
static int ctr__netns_acquire(ctr_netns_pool *pool, int *fd, ctr_error *err) {
    unsigned i;
    int slot = -1, made;
    *fd = -1;
    pthread_mutex_lock(&pool->lock);
    for (i = 0; i < pool->created && slot < 0; i++)
        if (!pool->busy[i]) slot = CTR__CAST(int, i);
    if (slot < 0 && pool->created < pool->max)
        slot = CTR__CAST(int, pool->created++); /* filled below */
    if (slot >= 0) {
        pool->busy[slot] = 1;
        pool->in_use++;
    }
    pthread_mutex_unlock(&pool->lock);
    if (slot < 0) return -1;
    if (pool->fds[slot] < 0) {
        /* A new slot, ours alone while busy: make its namespace outside the lock. */
        if ((made = ctr__netns_make(1, err)) < 0) {
            pthread_mutex_lock(&pool->lock);
            pool->busy[slot] = 0;
            pool->in_use--;
            pthread_mutex_unlock(&pool->lock);
            return -2;
        }
        pool->fds[slot] = made;
    }
    *fd = pool->fds[slot];
    return slot;
}

/* Gives a namespace back once no process can be in it any more (pid 1 of the container's own
   pid namespace has been reaped, so every process of it is gone). */
static void ctr__netns_release(ctr_netns_pool *pool, int slot) {
    int last;
    pthread_mutex_lock(&pool->lock);
    pool->busy[slot] = 0;
    pool->in_use--;
    if (pool->dying) ctr__close(&pool->fds[slot]);
    last = pool->dying && pool->in_use == 0;
    pthread_mutex_unlock(&pool->lock);
    if (last) ctr__netns_pool_free(pool);
}

/* spec.no_network: one empty network namespace (loopback down) shared by all such containers of
   this process, made when the first is spawned and closed when the last handle is destroyed
   (nonet.c says how they are kept apart in it).  ctr__netns_shared takes a reference, returning
   the namespace's fd; ctr__netns_shared_put gives it back. */
static pthread_mutex_t ctr__shared_lock = PTHREAD_MUTEX_INITIALIZER;
static int ctr__shared_fd = -1;
static unsigned long ctr__shared_users;

static int ctr__netns_shared(ctr_error *err) {
    int r;
    pthread_mutex_lock(&ctr__shared_lock);
    if (ctr__shared_fd < 0) ctr__shared_fd = ctr__netns_make(0, err);
    r = ctr__shared_fd;
    if (r >= 0) ctr__shared_users++;
    pthread_mutex_unlock(&ctr__shared_lock);
    return r;
}

static void ctr__netns_shared_put(void) {
    pthread_mutex_lock(&ctr__shared_lock);
    if (--ctr__shared_users == 0) ctr__close(&ctr__shared_fd);
    pthread_mutex_unlock(&ctr__shared_lock);
}
/* ---- end src/netns.c ---- */
/* ---- begin src/net.c ---- */
/* net.c - networking: sockets passed systemd-style (LISTEN_FDS), a bridged network made with
   rtnetlink, and pasta(1) for the rootless.

   Bridge.  The container's own clone makes its network namespace, as without a network, and
   the child goes on with its setup; it sends us (over the launch's net_sock) a NETLINK_ROUTE
   socket made in the namespace and waits for our word only before its last steps.  Meanwhile,
   in the calling thread, which never leaves its own namespace (ctr__net_attach): the bridge is
   looked up (made, with its address and a fixed MAC, if missing), the namespace is had from the
   child's socket, a veth pair is created with its host end up in the bridge and its other end
   made directly in the container's namespace as eth0, and through the child's socket lo and
   eth0 come up with eth0's addresses and default routes (requests batched: five round trips in
   all).  Then the child gets 'g', or the failure as a ctr_error record it reports as its own.
   We close what we had of the namespace at once: it lives exactly as long as the container's
   processes, and when they are gone the kernel tears it down - and the veth with it - on its
   own worker, never on the caller's path.  A host killed at any point leaves no link behind
   either: its descriptors close with it, and the container dies with it.

   pasta.  The child, once it has its namespaces (and uid map), sends them with its pidfd to a
   keeper, a copy of us (a fork-style clone, exit signal 0, never execs; not on our memory, whose
   TLS and errno it would share for the container's lifetime): the keeper runs pasta on them
   (its child: pasta execs, and a process that execs would signal the host's SIGCHLD handler),
   waits for pasta's pid file (a pipe) to say the network is
   up, and lets the child go on to execve.  When the container's first process exits, the keeper
   kills pasta, reaps it and exits; ctr_wait reaps the keeper.  The keeper follows the rules of
   child.c: raw system calls only. */

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif
#ifndef IFA_F_NODAD
#define IFA_F_NODAD 0x02
#endif
#ifndef SIOCGSKNS
#define SIOCGSKNS 0x894C /* Linux 4.9 */
#endif
#define CTR__DNS_FORWARD "169.254.1.1" /* pasta maps this to the host's resolver */
#define CTR__KEEPER_FDS  3             /* pidfd, netns, userns */

/* ---- the plan ---- */

/* "10.0.0.2/24" or "fd00::2/64" (family AF_INET or AF_INET6): 0, or -1. */
static int ctr__parse_cidr(const char *s, int family, unsigned char *addr, int *prefix) {
    char buf[INET6_ADDRSTRLEN + 8];
    const char *slash = strchr(s, '/');
    char *end;
    long n;
    int max = family == AF_INET ? 32 : 128;
    if (!slash || CTR__CAST(size_t, slash - s) >= sizeof(buf)) return -1;
    memcpy(buf, s, CTR__CAST(size_t, slash - s));
    buf[slash - s] = '\0';
    if (inet_pton(family, buf, addr) != 1) return -1;
    errno = 0;
    n = strtol(slash + 1, &end, 10);
    if (!slash[1] || *end || errno || n < 1 || n > max - 1) return -1;
    *prefix = CTR__CAST(int, n);
    return 0;
}

/* Is a within the prefix of net? */
static int ctr__same_net(const unsigned char *a, const unsigned char *net, int prefix) {
    int i;
    for (i = 0; i < prefix; i++)
        if (((a[i / 8] ^ net[i / 8]) >> (7 - i % 8)) & 1) return 0;
    return 1;
}

/* The subnet's first address (the default gateway). */
static void ctr__first_host(unsigned char *out, const unsigned char *a, int prefix, int len) {
    int i;
    for (i = 0; i < len; i++) {
        int keep = prefix - 8 * i;
        unsigned char mask = keep >= 8   ? 0xff
                             : keep <= 0 ? 0
                                         : CTR__CAST(unsigned char, 0xff << (8 - keep));
        out[i] = a[i] & mask;
    }
    out[len - 1] |= 1;
}

/* The bridge's fields: name, addresses, gateways. */
static int ctr__plan_bridge(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    ctr__net_plan *n = &p->net;
    const char *b = s->net_bridge ? s->net_bridge : "ctr0";
    char buf[INET6_ADDRSTRLEN];
    if (!b[0] || strlen(b) >= IFNAMSIZ || strchr(b, '/') || strchr(b, ' ') || strchr(b, ':'))
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_bridge",
                         "bridge name \"%s\" is not a valid interface name (1 to %d characters, "
                         "no '/', ':' or spaces)",
                         b, IFNAMSIZ - 1);
    if (!(n->bridge = ctr__strdup(p, b)))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (!s->net_address || ctr__parse_cidr(s->net_address, AF_INET, n->addr4, &n->prefix4) != 0)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_address",
                         "net_address \"%s\" must be an IPv4 address with its prefix length, as "
                         "10.88.0.2/16",
                         s->net_address ? s->net_address : "(null)");
    if (s->net_gateway) {
        if (inet_pton(AF_INET, s->net_gateway, n->gw4) != 1)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_gateway",
                             "net_gateway \"%s\" is not an IPv4 address", s->net_gateway);
    } else {
        ctr__first_host(n->gw4, n->addr4, n->prefix4, 4);
    }
    if (!ctr__same_net(n->gw4, n->addr4, n->prefix4) || memcmp(n->gw4, n->addr4, 4) == 0)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_gateway",
                         "the gateway %s must be another address of %s's subnet",
                         inet_ntop(AF_INET, n->gw4, buf, sizeof(buf)), s->net_address);
    if (s->net_address6) {
        n->have6 = 1;
        if (ctr__parse_cidr(s->net_address6, AF_INET6, n->addr6, &n->prefix6) != 0)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_address6",
                             "net_address6 \"%s\" must be an IPv6 address with its prefix "
                             "length, as fd00:88::2/64",
                             s->net_address6);
        if (s->net_gateway6) {
            if (inet_pton(AF_INET6, s->net_gateway6, n->gw6) != 1)
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_gateway6",
                                 "net_gateway6 \"%s\" is not an IPv6 address", s->net_gateway6);
        } else {
            ctr__first_host(n->gw6, n->addr6, n->prefix6, 16);
        }
        if (!ctr__same_net(n->gw6, n->addr6, n->prefix6) || memcmp(n->gw6, n->addr6, 16) == 0)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_gateway6",
                             "the IPv6 gateway must be another address of %s's subnet",
                             s->net_address6);
    } else if (s->net_gateway6) {
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net_gateway6",
                         "net_gateway6 is set but net_address6 is not");
    }
    if (geteuid() != 0)
        return ctr__fail(err, CTR_STEP_SPEC, EPERM, "net",
                         "a bridged network needs root (CAP_NET_ADMIN on the host); without "
                         "root use CTR_NET_PASTA");
    if (p->userns)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net",
                         "a bridged network cannot be combined with a user namespace "
                         "(new_userns): its namespace belongs to the host's");
    return 0;
}

/* The program named name in the host process's PATH (or the default one), or NULL. */
static const char *ctr__find_program(ctr__plan *p, const char *name) {
    const char *path = getenv("PATH"), *s;
    char buf[PATH_MAX];
    if (!path || !path[0]) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (s = path;;) {
        const char *e = strchr(s, ':');
        size_t n = e ? CTR__CAST(size_t, e - s) : strlen(s);
        if (n > 0 && n + strlen(name) + 2 <= sizeof(buf)) {
            memcpy(buf, s, n);
            buf[n] = '/';
            strcpy(buf + n + 1, name);
            if (buf[0] == '/' && access(buf, X_OK) == 0) return ctr__strdup(p, buf);
        }
        if (!e) return NULL;
        s = e + 1;
    }
}

/* Appends "-t"/"-u" and the port list of one protocol to argv at *n. */
static int ctr__pasta_ports(ctr__plan *p, const ctr_spec *s, int udp, char **argv, size_t *n) {
    size_t i, len = 1;
    char *list;
    for (i = 0; i < s->nports; i++) len += 64 + (s->ports[i].host_address ? 48 : 0);
    if (!(list = CTR__CAST(char *, ctr__alloc(p, len)))) return -1;
    for (i = 0; i < s->nports; i++) {
        const ctr_port *q = &s->ports[i];
        size_t at = strlen(list);
        if ((q->udp != 0) != udp) continue;
        snprintf(list + at, len - at, "%s%s%s%u:%u", at ? "," : "",
                 q->host_address ? q->host_address : "", q->host_address ? "/" : "",
                 CTR__CAST(unsigned, q->host_port),
                 CTR__CAST(unsigned, q->container_port ? q->container_port : q->host_port));
    }
    if (!(argv[(*n)++] = ctr__strdup(p, udp ? "-u" : "-t"))) return -1;
    if (!list[0]) strcpy(list, "none");
    argv[(*n)++] = list;
    return 0;
}

static int ctr__plan_pasta(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    ctr__net_plan *n = &p->net;
    char **argv;
    size_t i, k = 0;
    if (s->nports && !s->ports)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ports", "nports is %zu but ports is NULL",
                         s->nports);
    for (i = 0; i < s->nports; i++) {
        unsigned char a[16];
        const char *h = s->ports[i].host_address;
        if (!s->ports[i].host_port)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ports", "ports[%zu]: host_port is 0", i);
        if (h && inet_pton(AF_INET, h, a) != 1 && inet_pton(AF_INET6, h, a) != 1)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ports",
                             "ports[%zu]: host_address \"%s\" is not an IP address", i, h);
    }
    if (!(n->pasta_path = ctr__find_program(p, "pasta")))
        return ctr__fail(err, CTR_STEP_NETWORK, ENOENT, "pasta",
                         "pasta, which gives the container its network, is not in PATH: install "
                         "it (Debian and Ubuntu: apt-get install passt)");
    if (!(argv = CTR__CAST(char **, ctr__alloc(p, 32 * sizeof(char *)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    /* Foreground, quiet; the interface configured and named eth0; no automatic forwarding in
       either direction and no mapping of the gateway to the host's loopback (the container must
       not reach the host's 127.0.0.1 services); DNS through the host's resolver. */
    {
        static const char *const fixed[] = {"pasta",
                                            "-f",
                                            "-q",
                                            "--config-net",
                                            "-I",
                                            "eth0",
                                            "-T",
                                            "none",
                                            "-U",
                                            "none",
                                            "--no-map-gw",
                                            "--dns-forward",
                                            CTR__DNS_FORWARD,
                                            "-P",
                                            "/proc/self/fd/5",
                                            "--netns",
                                            "/proc/self/fd/4"};
        for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
            if (!(argv[k++] = ctr__strdup(p, fixed[i])))
                return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    }
    if (p->userns && (!(argv[k++] = ctr__strdup(p, "--userns")) ||
                      !(argv[k++] = ctr__strdup(p, "/proc/self/fd/3"))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    if (ctr__pasta_ports(p, s, 0, argv, &k) != 0 || ctr__pasta_ports(p, s, 1, argv, &k) != 0)
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    argv[k] = NULL;
    n->pasta_argv = argv;
    return 0;
}

/* The nameservers of a resolv.conf that a container can reach (not loopback), one
   "nameserver X\n" line each, and its search and options lines; "" if none. */
static void ctr__host_resolvers(const char *file, char *out, size_t size, int *count) {
    FILE *f = fopen(file, "re");
    char line[512];
    size_t len = strlen(out);
    if (!f) return;
    while (fgets(line, sizeof(line), f)) {
        char word[64], val[INET6_ADDRSTRLEN + 16];
        unsigned char a[16];
        if (sscanf(line, "%63s %61s", word, val) != 2) continue;
        if (strcmp(word, "nameserver") == 0) {
            int v4 = inet_pton(AF_INET, val, a) == 1;
            if (!v4 && inet_pton(AF_INET6, val, a) != 1) continue;
            if ((v4 && a[0] == 127) ||
                (!v4 && memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0))
                continue; /* loopback: the host's own resolver, out of the container's reach */
            (*count)++;
        } else if (strcmp(word, "search") != 0 && strcmp(word, "options") != 0) {
            continue;
        }
        len = ctr__append(out, size, len, line);
        if (len && out[len - 1] != '\n') len = ctr__append(out, size, len, "\n");
    }
    fclose(f);
}

/* /etc/resolv.conf and /etc/hosts for a bridged or pasta container. */
static int ctr__plan_dns(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    ctr__net_plan *n = &p->net;
    const char *host = p->hostname ? p->hostname : "container";
    char a[INET6_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];
    size_t len = 0, i;
    int count = 0;
    if (!(n->resolv = CTR__CAST(char *, ctr__alloc(p, 4096))) ||
        !(n->hosts = CTR__CAST(char *, ctr__alloc(p, 1024))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    len = ctr__append(n->resolv, 4096, 0, "# written by container.h\n");
    if (s->dns) {
        for (i = 0; s->dns[i]; i++) {
            unsigned char b[16];
            if (inet_pton(AF_INET, s->dns[i], b) != 1 && inet_pton(AF_INET6, s->dns[i], b) != 1)
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "dns",
                                 "dns[%zu] \"%s\" is not an IP address", i, s->dns[i]);
            len = ctr__append(n->resolv, 4096, len, "nameserver ");
            len = ctr__append(n->resolv, 4096, len, s->dns[i]);
            len = ctr__append(n->resolv, 4096, len, "\n");
        }
    } else if (n->mode == CTR_NET_PASTA) {
        /* pasta answers there with the host's resolver, loopback ones included */
        ctr__append(n->resolv, 4096, len, "nameserver " CTR__DNS_FORWARD "\n");
    } else {
        ctr__host_resolvers("/etc/resolv.conf", n->resolv, 4096, &count);
        if (!count) /* systemd-resolved's stub on 127.0.0.53: the servers it uses */
            ctr__host_resolvers("/run/systemd/resolve/resolv.conf", n->resolv, 4096, &count);
        if (!count)
            return ctr__fail(err, CTR_STEP_NETWORK, ENOENT, "/etc/resolv.conf",
                             "no DNS server for the container: the host's /etc/resolv.conf "
                             "lists none a bridged container can reach (loopback ones it "
                             "cannot); give the servers in spec.dns (ctrun --dns ADDR)");
    }
    if (n->mode == CTR_NET_BRIDGE) {
        inet_ntop(AF_INET, n->addr4, a, sizeof(a));
        if (n->have6) inet_ntop(AF_INET6, n->addr6, a6, sizeof(a6));
    } else {
        strcpy(a, "127.0.1.1"); /* pasta copies the host's address: Debian's way */
    }
    snprintf(n->hosts, 1024,
             "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n%s%s%s%s", a,
             host, n->have6 ? a6 : "", n->have6 ? "\t" : "", n->have6 ? host : "",
             n->have6 ? "\n" : "");
    return 0;
}

/* spec.listen: the sockets and LISTEN_FDS, LISTEN_FDNAMES and a LISTEN_PID the command fills
   in (its pid inside is known only there: 1, 2 under init, another with a shared pid
   namespace). */
static int ctr__plan_listen(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    ctr__net_plan *n = &p->net;
    size_t i, k, count = 0, names = 16;
    char **env, *fds_env, *names_env, *pid_env;
    if (s->nlisten && !s->listen)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "listen", "nlisten is %zu but listen is NULL",
                         s->nlisten);
    if (s->nlisten > CTR__MAX_LISTEN)
        return ctr__fail(err, CTR_STEP_SPEC, E2BIG, "listen", "at most %d sockets, not %zu",
                         CTR__MAX_LISTEN, s->nlisten);
    if (!s->nlisten) return 0;
    if (!(n->listen = CTR__CAST(ctr__listen *, ctr__alloc(p, s->nlisten * sizeof(ctr__listen)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    n->nlisten = s->nlisten;
    for (i = 0; i < s->nlisten; i++) {
        const ctr_listen *x = &s->listen[i];
        ctr__listen *y = &n->listen[i];
        const char *addr = x->address && x->address[0] ? x->address : "::";
        const char *nm = x->name;
        y->udp = x->udp ? 1 : 0;
        y->fd = -1;
        if (nm && (!nm[0] || strchr(nm, ':') || strlen(nm) > 255))
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "listen",
                             "listen[%zu]: name \"%s\" must be 1 to 255 characters without ':'", i,
                             nm);
        names += (nm ? strlen(nm) : 10) + 1;
        if (x->fd > 0) {
            int type = 0;
            socklen_t tl = sizeof(type);
            if (getsockopt(x->fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0)
                return ctr__fail(err, CTR_STEP_SPEC, errno == ENOTSOCK ? ENOTSOCK : EBADF, "listen",
                                 "listen[%zu]: fd %d is not a socket", i, x->fd);
            y->fd = x->fd;
            y->udp = type == SOCK_DGRAM;
            snprintf(y->desc, sizeof(y->desc), "fd %d", x->fd);
            continue;
        }
        if (!x->port)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "listen", "listen[%zu]: port is 0", i);
        if (inet_pton(AF_INET, addr,
                      &CTR__CAST(struct sockaddr_in *, CTR__CAST(void *, &y->addr))->sin_addr) ==
            1) {
            struct sockaddr_in *a = CTR__CAST(struct sockaddr_in *, CTR__CAST(void *, &y->addr));
            a->sin_family = AF_INET;
            a->sin_port = htons(x->port);
            y->addr_len = sizeof(*a);
            snprintf(y->desc, sizeof(y->desc), "%s %s:%u", y->udp ? "udp" : "tcp", addr,
                     CTR__CAST(unsigned, x->port));
        } else if (inet_pton(
                       AF_INET6, addr,
                       &CTR__CAST(struct sockaddr_in6 *, CTR__CAST(void *, &y->addr))->sin6_addr) ==
                   1) {
            struct sockaddr_in6 *a = CTR__CAST(struct sockaddr_in6 *, CTR__CAST(void *, &y->addr));
            a->sin6_family = AF_INET6;
            a->sin6_port = htons(x->port);
            y->addr_len = sizeof(*a);
            snprintf(y->desc, sizeof(y->desc), "%s [%s]:%u", y->udp ? "udp" : "tcp", addr,
                     CTR__CAST(unsigned, x->port));
        } else {
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "listen",
                             "listen[%zu]: address \"%s\" is not an IP address", i, addr);
        }
    }
    /* They take fds 3, 4...: spec.fds must keep off. */
    for (k = 0; k < p->nfds; k++)
        if (p->fds[k].container_fd < 3 + CTR__CAST(int, s->nlisten))
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "fds",
                             "fds[%zu]: container fd %d is taken by the listening sockets (3 to "
                             "%d)",
                             k, p->fds[k].container_fd, 2 + CTR__CAST(int, s->nlisten));
    /* The environment without any LISTEN_* of the caller's, plus ours. */
    while (p->envp[count]) count++;
    if (!(env = CTR__CAST(char **, ctr__alloc(p, (count + 4) * sizeof(char *)))) ||
        !(fds_env = CTR__CAST(char *, ctr__alloc(p, 32))) ||
        !(names_env = CTR__CAST(char *, ctr__alloc(p, names))) ||
        !(pid_env = CTR__CAST(char *, ctr__alloc(p, 32))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = k = 0; i < count; i++)
        if (strncmp(p->envp[i], "LISTEN_", 7) != 0) env[k++] = p->envp[i];
    snprintf(fds_env, 32, "LISTEN_FDS=%zu", s->nlisten);
    strcpy(names_env, "LISTEN_FDNAMES=");
    for (i = 0; i < s->nlisten; i++) {
        const ctr_listen *x = &s->listen[i];
        char def[16];
        if (i) strcat(names_env, ":");
        snprintf(def, sizeof(def), "%s-%u", n->listen[i].udp ? "udp" : "tcp",
                 CTR__CAST(unsigned, x->port));
        strcat(names_env, x->name ? x->name : x->fd > 0 ? "unknown" : def);
    }
    strcpy(pid_env, "LISTEN_PID=0"); /* the command writes its pid over the 0 (child.c) */
    env[k++] = fds_env;
    env[k++] = names_env;
    env[k++] = pid_env;
    env[k] = NULL;
    p->envp = env;
    return 0;
}

static int ctr__plan_net(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    ctr__net_plan *n = &p->net;
    memset(n, 0, sizeof(*n));
    n->mode = s->net;
    if (ctr__plan_listen(p, s, err) != 0) return -1;
    if (s->net != CTR_NET_NONE && s->net != CTR_NET_BRIDGE && s->net != CTR_NET_PASTA)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net", "unknown net mode %d",
                         CTR__CAST(int, s->net));
    if (s->net != CTR_NET_PASTA && s->nports)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ports",
                         "ports are forwarded by pasta (net = CTR_NET_PASTA); with a bridge the "
                         "host's firewall forwards them (ctrun -p does it with nft)");
    if (s->net == CTR_NET_NONE) {
        if (s->net_address || s->net_address6 || s->net_bridge || s->dns)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net",
                             "net_bridge, net_address, net_address6 and dns need a network "
                             "(net = CTR_NET_BRIDGE or CTR_NET_PASTA)");
        return 0;
    }
    if (s->share & CTR_NS_NET)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net",
                         "a bridged or pasta network needs the container's own network "
                         "namespace, but CTR_NS_NET is shared");
    if (s->netns_pool)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "netns_pool",
                         "netns_pool lends empty namespaces: it cannot be combined with a network");
    if (s->net == CTR_NET_BRIDGE && s->direct_child)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net",
                         "a bridged network is made by the calling thread while the container "
                         "sets up, which a direct_child's clone does not allow: use the shim "
                         "(direct_child 0) or CTR_NET_PASTA");
    if (s->net == CTR_NET_BRIDGE && ctr__plan_bridge(p, s, err) != 0) return -1;
    if (s->net == CTR_NET_PASTA) {
        if (s->net_address || s->net_address6 || s->net_bridge)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "net",
                             "net_bridge, net_address and net_address6 are for CTR_NET_BRIDGE "
                             "(pasta gives the container the host's addresses)");
        if (ctr__plan_pasta(p, s, err) != 0) return -1;
    }
    return ctr__plan_dns(p, s, err);
}

/* ---- rtnetlink (the calling thread's side) ---- */

/* A batch of requests, sent in one sendto and answered in order (the kernel runs them one after
   the other, and acks each: every request asks for one). */
typedef struct ctr__nl {
    int fd;
    unsigned seq;      /* of the last request added */
    unsigned first;    /* of the batch's first request */
    unsigned exist_ok; /* bit i: EEXIST answers the batch's request i as well as 0 */
    size_t len;        /* the batch's length */
    size_t at;         /* where its last request starts */
    union {
        struct nlmsghdr align;
        char buf[2048];
    } out;
} ctr__nl;

static struct nlmsghdr *ctr__nl_hdr(ctr__nl *m) {
    return CTR__CAST(struct nlmsghdr *, CTR__CAST(void *, m->out.buf + m->at));
}

/* Adds a request to the batch (NLM_F_ACK is added). */
static void ctr__nl_begin(ctr__nl *m, int type, int flags, const void *head, size_t head_len) {
    struct nlmsghdr *h;
    if (m->len)
        ctr__nl_hdr(m)->nlmsg_len = CTR__CAST(uint32_t, m->len - m->at);
    else
        m->first = m->seq + 1;
    CONTAINER_ASSERT(m->len + NLMSG_HDRLEN + NLMSG_ALIGN(head_len) <= sizeof(m->out.buf));
    m->at = m->len;
    h = ctr__nl_hdr(m);
    memset(h, 0, NLMSG_HDRLEN + NLMSG_ALIGN(head_len));
    h->nlmsg_type = CTR__CAST(uint16_t, type);
    h->nlmsg_flags = CTR__CAST(uint16_t, NLM_F_REQUEST | NLM_F_ACK | flags);
    h->nlmsg_seq = ++m->seq;
    memcpy(m->out.buf + m->at + NLMSG_HDRLEN, head, head_len);
    m->len = m->at + NLMSG_HDRLEN + NLMSG_ALIGN(head_len);
}

static struct rtattr *ctr__nl_attr(ctr__nl *m, int type, const void *data, size_t len) {
    struct rtattr *a = CTR__CAST(struct rtattr *, CTR__CAST(void *, m->out.buf + m->len));
    CONTAINER_ASSERT(m->len + RTA_SPACE(len) <= sizeof(m->out.buf));
    a->rta_type = CTR__CAST(unsigned short, type);
    a->rta_len = CTR__CAST(unsigned short, RTA_LENGTH(len));
    if (len) memcpy(RTA_DATA(a), data, len);
    m->len += RTA_SPACE(len);
    return a;
}

static void ctr__nl_end_nest(ctr__nl *m, struct rtattr *a) {
    a->rta_len =
        CTR__CAST(unsigned short, m->out.buf + m->len - CTR__CAST(char *, CTR__CAST(void *, a)));
}

/* The kernel's own words in an extended ack, if any, into why. */
static void ctr__nl_why(const struct nlmsghdr *a, char *why, size_t why_size) {
    size_t off = NLMSG_HDRLEN + sizeof(struct nlmsgerr); /* capped acks: no request after it */
    if (!(a->nlmsg_flags & NLM_F_ACK_TLVS) || !why_size) return;
    while (off + sizeof(struct rtattr) <= a->nlmsg_len) {
        const struct rtattr *t = CTR__CAST(
            const struct rtattr *,
            CTR__CAST(const void *, CTR__CAST(const char *, CTR__CAST(const void *, a)) + off));
        if (t->rta_len < sizeof(*t)) break;
        if (t->rta_type == NLMSGERR_ATTR_MSG)
            ctr__strlcpy(why, CTR__CAST(const char *, RTA_DATA(t)),
                         why_size < RTA_PAYLOAD(t) + 1 ? why_size : RTA_PAYLOAD(t) + 1);
        off += RTA_ALIGN(t->rta_len);
    }
}

/* Sends the batch and reads every answer: 0, or the errno of the first request that failed
   (its index in the batch in *failed, the kernel's words, if any, in why) or of the send or
   recv.  A reply to request number want (a GETLINK's) is copied to reply.  A request's failure
   is returned, not put in errno: that is the calling thread's, which a vfork-style child shares
   while it sets up (see ctr__net_attach). */
static int ctr__nl_talk(ctr__nl *m, int want, void *reply, size_t reply_size, int *failed,
                        char *why, size_t why_size) {
    union {
        struct nlmsghdr align;
        char buf[8192];
    } in;
    unsigned acked = 0, count = m->seq - m->first + 1;
    int err = 0, bad = -1;
    ssize_t r;
    ctr__nl_hdr(m)->nlmsg_len = CTR__CAST(uint32_t, m->len - m->at);
    if (why_size) why[0] = '\0';
    do r = send(m->fd, m->out.buf, m->len, 0);
    while (r < 0 && errno == EINTR);
    m->len = 0;
    if (r < 0) return errno;
    while (acked < count) {
        struct nlmsghdr *a;
        int left;
        do r = recv(m->fd, in.buf, sizeof(in.buf), 0);
        while (r < 0 && errno == EINTR);
        if (r < 0) return errno;
        left = CTR__CAST(int, r);
        for (a = &in.align; NLMSG_OK(a, CTR__CAST(unsigned, left)); a = NLMSG_NEXT(a, left)) {
            unsigned i = a->nlmsg_seq - m->first;
            if (a->nlmsg_seq < m->first || i >= count) continue; /* not ours */
            if (a->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = CTR__CAST(const struct nlmsgerr *, NLMSG_DATA(a));
                acked++;
                if (e->error == 0 || (e->error == -EEXIST && (m->exist_ok >> i) & 1) || err)
                    continue;
                err = -e->error;
                bad = CTR__CAST(int, i);
                ctr__nl_why(a, why, why_size);
            } else if (CTR__CAST(int, i) == want && reply) {
                memcpy(reply, a, a->nlmsg_len < reply_size ? a->nlmsg_len : reply_size);
            }
        }
    }
    m->exist_ok = 0;
    if (failed) *failed = bad;
    return err;
}

static int ctr__nl_open(ctr__nl *m) {
    int one = 1;
    memset(m, 0, sizeof(*m));
    m->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (m->fd < 0) return -1;
    (void)setsockopt(m->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    (void)setsockopt(m->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
    return 0;
}

static void ctr__nl_use(ctr__nl *m, int fd) {
    int one = 1;
    memset(m, 0, sizeof(*m));
    m->fd = fd;
    (void)setsockopt(m->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    (void)setsockopt(m->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

/* Adds a lookup of the link called name (its reply: see ctr__nl_parse_link). */
static void ctr__nl_get_link(ctr__nl *m, const char *name) {
    struct ifinfomsg ifi;
    memset(&ifi, 0, sizeof(ifi));
    ctr__nl_begin(m, RTM_GETLINK, 0, &ifi, sizeof(ifi));
    ctr__nl_attr(m, IFLA_IFNAME, name, strlen(name) + 1);
}

/* A link's reply: its index, flags and kind ("bridge", "veth", "" for none); -1 if the reply
   is not one. */
static int ctr__nl_parse_link(const struct nlmsghdr *h, int *index, unsigned *flags, char *kind,
                              size_t kind_size) {
    const struct ifinfomsg *got;
    struct rtattr *a;
    int left;
    if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*got))) return -1;
    got = CTR__CAST(const struct ifinfomsg *, NLMSG_DATA(h));
    *index = got->ifi_index;
    *flags = got->ifi_flags;
    kind[0] = '\0';
    left = CTR__CAST(int, h->nlmsg_len) - CTR__CAST(int, NLMSG_LENGTH(sizeof(*got)));
    for (a = IFLA_RTA(got); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
        if (a->rta_type == IFLA_LINKINFO) {
            int l2 = CTR__CAST(int, RTA_PAYLOAD(a));
            struct rtattr *b;
            for (b = CTR__CAST(struct rtattr *, RTA_DATA(a)); RTA_OK(b, l2); b = RTA_NEXT(b, l2))
                if (b->rta_type == IFLA_INFO_KIND)
                    ctr__strlcpy(kind, CTR__CAST(const char *, RTA_DATA(b)),
                                 kind_size < RTA_PAYLOAD(b) + 1 ? kind_size : RTA_PAYLOAD(b) + 1);
        }
    }
    return 0;
}

/* Adds an address on link index (EEXIST is fine: it is there). */
static void ctr__nl_addr(ctr__nl *m, int index, int family, const unsigned char *addr, int prefix) {
    struct ifaddrmsg ifa;
    size_t len = family == AF_INET ? 4 : 16;
    memset(&ifa, 0, sizeof(ifa));
    ifa.ifa_family = CTR__CAST(unsigned char, family);
    ifa.ifa_prefixlen = CTR__CAST(unsigned char, prefix);
    ifa.ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
    ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    ifa.ifa_index = CTR__CAST(unsigned, index);
    ctr__nl_begin(m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
    m->exist_ok |= 1u << (m->seq - m->first);
    ctr__nl_attr(m, IFA_LOCAL, addr, len);
    ctr__nl_attr(m, IFA_ADDRESS, addr, len);
    if (family == AF_INET) {
        unsigned char b[4];
        uint32_t host = prefix >= 32 ? 0 : (0xffffffffu >> prefix);
        memcpy(b, addr, 4);
        b[0] |= CTR__CAST(unsigned char, host >> 24);
        b[1] |= CTR__CAST(unsigned char, host >> 16);
        b[2] |= CTR__CAST(unsigned char, host >> 8);
        b[3] |= CTR__CAST(unsigned char, host);
        ctr__nl_attr(m, IFA_BROADCAST, b, 4);
    }
}

/* Adds a default route through gw on link index. */
static void ctr__nl_default_route(ctr__nl *m, int index, int family, const unsigned char *gw) {
    struct rtmsg rt;
    uint32_t oif = CTR__CAST(uint32_t, index);
    memset(&rt, 0, sizeof(rt));
    rt.rtm_family = CTR__CAST(unsigned char, family);
    rt.rtm_table = RT_TABLE_MAIN;
    rt.rtm_protocol = RTPROT_BOOT;
    rt.rtm_scope = RT_SCOPE_UNIVERSE;
    rt.rtm_type = RTN_UNICAST;
    ctr__nl_begin(m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof(rt));
    ctr__nl_attr(m, RTA_GATEWAY, gw, family == AF_INET ? 4 : 16);
    ctr__nl_attr(m, RTA_OIF, &oif, sizeof(oif));
}

/* Adds: bring link index (or, index 0, the link called name) up. */
static void ctr__nl_up(ctr__nl *m, int index, const char *name) {
    struct ifinfomsg ifi;
    memset(&ifi, 0, sizeof(ifi));
    ifi.ifi_index = index;
    ifi.ifi_flags = IFF_UP;
    ifi.ifi_change = IFF_UP;
    ctr__nl_begin(m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
    if (!index) ctr__nl_attr(m, IFLA_IFNAME, name, strlen(name) + 1);
}

/* A failure of the network's setup after the clone, for the child to report (the verdict adds
   the errno's text once). */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int
ctr__net_err(ctr_error *e, int errnum, const char *path, const char *fmt, ...) {
    va_list ap;
    memset(e, 0, sizeof(*e));
    e->step = CTR_STEP_NETWORK;
    e->sys_errno = errnum;
    ctr__strlcpy(e->path, path, sizeof(e->path));
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return -1;
}

/* The bridge, made if missing (with a fixed random MAC: a bridge that takes its ports' lowest
   one changes it as containers come and go, and their ARP caches go stale), with its gateway
   addresses and up: its index, or -1 and e. */
static int ctr__bridge(ctr__nl *m, const ctr__net_plan *n, ctr_error *e) {
    union {
        struct nlmsghdr align;
        char buf[4096];
    } r;
    char kind[32], why[256];
    unsigned flags = 0;
    int index = -1, tries, bad, err;
    for (tries = 0; tries < 2; tries++) {
        struct ifinfomsg ifi;
        struct rtattr *info;
        unsigned char mac[6];
        memset(&r, 0, sizeof(r));
        ctr__nl_get_link(m, n->bridge);
        if ((err = ctr__nl_talk(m, 0, r.buf, sizeof(r.buf), NULL, NULL, 0)) == 0) {
            if (ctr__nl_parse_link(&r.align, &index, &flags, kind, sizeof(kind)) != 0)
                return ctr__net_err(e, EPROTO, n->bridge, "look up bridge %s", n->bridge);
            break;
        }
        if (err != ENODEV) return ctr__net_err(e, err, n->bridge, "look up bridge %s", n->bridge);
        memset(&ifi, 0, sizeof(ifi));
        ifi.ifi_flags = ifi.ifi_change = IFF_UP;
        if (syscall(SYS_getrandom, mac, sizeof(mac), 0) != CTR__CAST(long, sizeof(mac))) {
            int64_t t = ctr__now_ns();
            memcpy(mac, &t, sizeof(mac));
        }
        mac[0] = CTR__CAST(unsigned char, (mac[0] & 0xfe) | 0x02); /* unicast, local */
        ctr__nl_begin(m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
        m->exist_ok = 1; /* made by another spawn at the same moment */
        ctr__nl_attr(m, IFLA_IFNAME, n->bridge, strlen(n->bridge) + 1);
        ctr__nl_attr(m, IFLA_ADDRESS, mac, sizeof(mac));
        info = ctr__nl_attr(m, IFLA_LINKINFO, NULL, 0);
        ctr__nl_attr(m, IFLA_INFO_KIND, "bridge", 7);
        ctr__nl_end_nest(m, info);
        if ((err = ctr__nl_talk(m, -1, NULL, 0, NULL, why, sizeof(why))) != 0)
            return ctr__net_err(e, err, n->bridge, "create bridge %s%s%s", n->bridge,
                                why[0] ? ": " : "", why);
        /* made: look again */
    }
    if (index < 0) return ctr__net_err(e, ENODEV, n->bridge, "find bridge %s", n->bridge);
    if (strcmp(kind, "bridge") != 0)
        return ctr__net_err(e, EEXIST, n->bridge,
                            "%s exists but is not a bridge (it is a %s link): name another bridge",
                            n->bridge, kind[0] ? kind : "plain");
    /* Its gateway addresses (there already, usually: EEXIST) and up, in one round trip. */
    ctr__nl_addr(m, index, AF_INET, n->gw4, n->prefix4);
    if (n->have6) ctr__nl_addr(m, index, AF_INET6, n->gw6, n->prefix6);
    if (!(flags & IFF_UP)) ctr__nl_up(m, index, NULL);
    if ((err = ctr__nl_talk(m, -1, NULL, 0, &bad, why, sizeof(why))) != 0) {
        if (bad == 1 + n->have6)
            return ctr__net_err(e, err, n->bridge, "bring bridge %s up%s%s", n->bridge,
                                why[0] ? ": " : "", why);
        return ctr__net_err(e, err, n->bridge, "give bridge %s its gateway address%s%s",
                            n->bridge, why[0] ? ": " : "", why);
    }
    return index;
}

/* The veth: its host end (named by the kernel, vethN) up in bridge br, its peer made in the
   container's namespace (netns) as eth0, down (a peer made up in another namespace fails with
   ENOTCONN).  0, or -1 and e. */
static int ctr__veth(ctr__nl *m, const ctr__net_plan *np, int br, int netns, ctr_error *e) {
    struct ifinfomsg ifi, peer;
    struct rtattr *info, *data, *pa;
    uint32_t master = CTR__CAST(uint32_t, br), nsfd = CTR__CAST(uint32_t, netns), one = 1;
    char why[256];
    int err;
    memset(&ifi, 0, sizeof(ifi));
    peer = ifi;
    ifi.ifi_flags = ifi.ifi_change = IFF_UP;
    ctr__nl_begin(m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
    ctr__nl_attr(m, IFLA_MASTER, &master, sizeof(master));
    /* One queue each way, on each end: a veth gets one per possible CPU otherwise, and each
       queue is a directory of sysfs files made at creation and removed at teardown. */
    ctr__nl_attr(m, IFLA_NUM_TX_QUEUES, &one, sizeof(one));
    ctr__nl_attr(m, IFLA_NUM_RX_QUEUES, &one, sizeof(one));
    info = ctr__nl_attr(m, IFLA_LINKINFO, NULL, 0);
    ctr__nl_attr(m, IFLA_INFO_KIND, "veth", 5);
    data = ctr__nl_attr(m, IFLA_INFO_DATA, NULL, 0);
    pa = ctr__nl_attr(m, VETH_INFO_PEER, &peer, sizeof(peer));
    ctr__nl_attr(m, IFLA_IFNAME, "eth0", 5);
    ctr__nl_attr(m, IFLA_NUM_TX_QUEUES, &one, sizeof(one));
    ctr__nl_attr(m, IFLA_NUM_RX_QUEUES, &one, sizeof(one));
    ctr__nl_attr(m, IFLA_NET_NS_FD, &nsfd, sizeof(nsfd));
    ctr__nl_end_nest(m, pa);
    ctr__nl_end_nest(m, data);
    ctr__nl_end_nest(m, info);
    if ((err = ctr__nl_talk(m, -1, NULL, 0, NULL, why, sizeof(why))) != 0)
        return ctr__net_err(e, err, np->bridge, "create a veth pair into bridge %s%s%s",
                            np->bridge, why[0] ? ": " : "", why);
    return 0;
}

/* Inside the container's namespace (m: a socket of it): lo and eth0 up, eth0's addresses and
   default routes; two round trips.  0, or -1 and e. */
static int ctr__eth0(ctr__nl *m, const ctr__net_plan *np, ctr_error *e) {
    union {
        struct nlmsghdr align;
        char buf[4096];
    } r;
    char why[256], kind[32];
    unsigned flags;
    int eth0 = -1, bad, err;
    ctr__nl_up(m, 1, NULL); /* lo, index 1 in every namespace */
    ctr__nl_up(m, 0, "eth0");
    ctr__nl_get_link(m, "eth0"); /* its index: the kernel chose it */
    memset(&r, 0, sizeof(r));
    if ((err = ctr__nl_talk(m, 2, r.buf, sizeof(r.buf), &bad, why, sizeof(why))) != 0)
        return ctr__net_err(e, err, bad == 0 ? "lo" : "eth0", "bring %s up%s%s",
                            bad == 0 ? "lo" : "eth0", why[0] ? ": " : "", why);
    if (ctr__nl_parse_link(&r.align, &eth0, &flags, kind, sizeof(kind)) != 0 || eth0 <= 0)
        return ctr__net_err(e, EPROTO, "eth0", "look up eth0");
    ctr__nl_addr(m, eth0, AF_INET, np->addr4, np->prefix4);
    if (np->have6) ctr__nl_addr(m, eth0, AF_INET6, np->addr6, np->prefix6);
    ctr__nl_default_route(m, eth0, AF_INET, np->gw4);
    if (np->have6) ctr__nl_default_route(m, eth0, AF_INET6, np->gw6);
    if ((err = ctr__nl_talk(m, -1, NULL, 0, &bad, why, sizeof(why))) != 0) {
        if (bad <= np->have6)
            return ctr__net_err(e, err, "eth0", "give eth0 its address%s%s", why[0] ? ": " : "",
                                why);
        return ctr__net_err(e, err, "eth0", "add the default route%s%s", why[0] ? ": " : "", why);
    }
    return 0;
}

/* The child's netlink socket (made in its network namespace once it has it): 1 with *nl, 0 if
   the child failed or died first (the verdict will say how), -1 with errno. */
static int ctr__net_receive(int sock, int errfd, int statusfd, int pidfd, int *nl) {
    for (;;) {
        union {
            struct cmsghdr align;
            char buf[CTR__FDMSG_SPACE(1)];
        } cm;
        struct msghdr msg;
        struct iovec iov;
        struct pollfd pfd[4];
        char tag = 0;
        ssize_t r;
        int i, n = pidfd >= 0 ? 4 : 3;
        pfd[0].fd = sock;
        pfd[1].fd = errfd;
        pfd[2].fd = statusfd;
        pfd[3].fd = pidfd;
        for (i = 0; i < 4; i++) {
            pfd[i].events = POLLIN;
            pfd[i].revents = 0;
        }
        if (poll(pfd, CTR__CAST(nfds_t, n), -1) < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (!pfd[0].revents) return 0; /* a report, or gone: no namespace will come */
        ctr__fdmsg(&msg, &iov, &tag, cm.buf, 1, NULL);
        do r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        while (r < 0 && errno == EINTR);
        if (r < 0 && errno == EAGAIN) continue;
        if (r <= 0) return r < 0 ? -1 : 0;
        if (ctr__fdmsg_fds(&msg, nl, 1) != 1 || tag != 'b' || (msg.msg_flags & MSG_CTRUNC)) {
            errno = EPROTO;
            return -1;
        }
        return 1;
    }
}

/* A bridged container, after its clone, in the calling thread while the child sets up its root
   (the child waits for our word just before its last steps, ctr__c_net_wait): the bridge is
   looked up (made if missing), the child sends a netlink socket made in its new network
   namespace, and through it we get the namespace (SIOCGSKNS), make the veth into it and
   configure eth0.  Then the child gets 'g', or the failure to report as its own.  Nothing here
   holds the namespace once we return: it and the veth go with the container's processes.
   No call here fails while the spawn goes well (netlink's refusals come back in its answers):
   a vfork-style child (clone.c) shares this thread's errno, and a value written here between
   one of its system calls and its look at errno would be taken for its own. */
static void ctr__net_attach(const ctr__plan *p, ctr__net_run *n, int errfd, int statusfd,
                            int pidfd) {
    const ctr__net_plan *np = &p->net;
    ctr__nl host, inside;
    ctr_error e;
    int br, nl = -1, ns = -1, r, failed = 1;
    long w;
    if (np->mode != CTR_NET_BRIDGE || n->sock[0] < 0) return;
    ctr__close(&n->sock[1]); /* the child's end: in the child now */
    memset(&e, 0, sizeof(e));
    host.fd = -1;
    if (ctr__nl_open(&host) != 0) {
        ctr__net_err(&e, errno, "", "open a netlink socket");
        goto answer;
    }
    if ((br = ctr__bridge(&host, np, &e)) < 0) goto answer;
    if ((r = ctr__net_receive(n->sock[0], errfd, statusfd, pidfd, &nl)) <= 0) {
        if (r < 0)
            ctr__net_err(&e, errno, "", "receive the container's netlink socket");
        else
            ctr__net_err(&e, ECHILD, "", "the container's setup ended before its network");
        goto answer;
    }
    if ((ns = ioctl(nl, SIOCGSKNS)) < 0) {
        ctr__net_err(&e, errno, "", "open the container's network namespace (SIOCGSKNS)");
        goto answer;
    }
    if (ctr__veth(&host, np, br, ns, &e) != 0) goto answer;
    ctr__nl_use(&inside, nl);
    if (ctr__eth0(&inside, np, &e) != 0) goto answer;
    failed = 0;
answer:
    if (failed) {
        do w = send(n->sock[0], &e, sizeof(e), MSG_NOSIGNAL);
        while (w < 0 && errno == EINTR);
    } else {
        do w = send(n->sock[0], "g", 1, MSG_NOSIGNAL);
        while (w < 0 && errno == EINTR);
    }
    ctr__close(&host.fd);
    ctr__close(&nl);
    ctr__close(&ns);
}

/* ---- the spawn ---- */

static void ctr__net_init(ctr__net_run *n) {
    memset(n, 0, sizeof(*n));
    n->sock[0] = n->sock[1] = n->devnull = -1;
}

/* One socket of spec.listen, bound and (TCP) listening: the fd, or -1 and err. */
static int ctr__listen_bind(const ctr__listen *x, ctr_error *err) {
    int one = 1, fd, e;
    int family = CTR__CAST(const struct sockaddr *, CTR__CAST(const void *, &x->addr))->sa_family;
    fd = socket(family, (x->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) return ctr__fail(err, CTR_STEP_NETWORK, errno, x->desc, "socket for %s", x->desc);
    if (!x->udp) (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (family == AF_INET6) {
        /* "::" is every address, IPv4 too; a specific IPv6 address is only that */
        int only = 0;
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof(only));
    }
    if (bind(fd, CTR__CAST(const struct sockaddr *, CTR__CAST(const void *, &x->addr)),
             x->addr_len) != 0 ||
        (!x->udp && listen(fd, SOMAXCONN) != 0)) {
        e = errno;
        close(fd);
        if (e == EADDRINUSE)
            return ctr__fail(err, CTR_STEP_NETWORK, e, x->desc,
                             "bind %s: another socket has that port (stop what listens there, or "
                             "choose another port)",
                             x->desc);
        if (e == EACCES)
            return ctr__fail(err, CTR_STEP_NETWORK, e, x->desc,
                             "bind %s: ports below 1024 need root (or CAP_NET_BIND_SERVICE)",
                             x->desc);
        return ctr__fail(err, CTR_STEP_NETWORK, e, x->desc, "bind %s", x->desc);
    }
    if (ctr__lift(&fd) != 0) {
        e = errno;
        close(fd);
        return ctr__fail(err, CTR_STEP_RESOURCE, e, "", "move a descriptor above 2");
    }
    return fd;
}

static int ctr__net_open(ctr__plan *p, ctr__net_run *n, ctr__launch *l, ctr_error *err) {
    ctr__net_plan *np = &p->net;
    size_t i, total = p->nfds + np->nlisten;
    l->fds = p->fds;
    l->nfds = p->nfds;
    if (np->nlisten) {
        char **e;
        if (!(n->listen_fds = CTR__CAST(int *, ctr__alloc(p, np->nlisten * sizeof(int)))) ||
            !(n->fds = CTR__CAST(ctr_fd *, ctr__alloc(p, total * sizeof(ctr_fd)))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        for (i = 0; i < np->nlisten; i++) n->listen_fds[i] = -1;
        n->nlisten = np->nlisten;
        if (p->nfds) memcpy(n->fds, p->fds, p->nfds * sizeof(ctr_fd));
        for (i = 0; i < np->nlisten; i++) {
            int fd = np->listen[i].fd;
            if (fd < 0 && (fd = n->listen_fds[i] = ctr__listen_bind(&np->listen[i], err)) < 0)
                return -1;
            n->fds[p->nfds + i].host_fd = fd;
            n->fds[p->nfds + i].container_fd = 3 + CTR__CAST(int, i);
        }
        l->fds = n->fds;
        l->nfds = total;
        for (e = p->envp; *e; e++)
            if (strncmp(*e, "LISTEN_PID=", 11) == 0) l->listen_pid = *e + 11;
    }
    if (np->mode == CTR_NET_BRIDGE || np->mode == CTR_NET_PASTA) {
        /* The child's line to us (bridge: ctr__net_attach) or to pasta's keeper. */
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, n->sock) != 0 ||
            ctr__lift(&n->sock[0]) != 0 || ctr__lift(&n->sock[1]) != 0)
            return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a socket pair");
        l->net_sock = n->sock[1];
    }
    if (np->mode == CTR_NET_BRIDGE) l->net_lo = 0; /* up with eth0, from here */
    if (np->mode == CTR_NET_PASTA &&
        ((n->devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 || ctr__lift(&n->devnull)))
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "/dev/null", "open /dev/null");
    return 0;
}

static void ctr__net_close(ctr__net_run *n) {
    size_t i;
    for (i = 0; i < n->nlisten; i++) ctr__close(&n->listen_fds[i]);
    ctr__close(&n->sock[0]);
    ctr__close(&n->sock[1]);
    ctr__close(&n->devnull);
}

/* ---- the keeper (the rules of child.c: raw system calls only) ---- */

typedef struct ctr__keeper_job {
    const char *path;  /* pasta */
    char *const *argv; /* fd 3: userns, 4: netns, 5: pid file */
    int sock;          /* to the child */
    int devnull;
    int die_with_host;
    char *exec_stack; /* pasta's vfork-style clone, or NULL: fork-style */
} ctr__keeper_job;

typedef struct ctr__pasta_exec {
    const ctr__keeper_job *job;
    int fds[CTR__KEEPER_FDS]; /* pidfd (unused here), netns, userns or -1 */
    int ready, err;           /* write ends: pid file, stderr */
} ctr__pasta_exec;

/* pasta's child side: its descriptors at their numbers, then execve. */
static void ctr__pasta_child(void *arg) {
    const ctr__pasta_exec *x = CTR__CAST(const ctr__pasta_exec *, arg);
    uint64_t none = 0;
    int src[6], i;
    char *const envp[] = {NULL};
    (void)ctr__r_prctl(PR_SET_PDEATHSIG, SIGKILL);
    src[0] = x->job->devnull;
    src[1] = x->job->devnull;
    src[2] = x->err;
    src[3] = x->fds[2];
    src[4] = x->fds[1];
    src[5] = x->ready;
    /* above everything first, so that placing one clobbers none */
    for (i = 0; i < 6; i++)
        if (src[i] >= 0) src[i] = ctr__r_fcntl(src[i], F_DUPFD_CLOEXEC, 16);
    for (i = 0; i < 6; i++)
        if (src[i] >= 0 && ctr__r_dup3(src[i], i) != i) ctr__c_exit(126);
    (void)syscall(SYS_close_range, 6, ~0u, 0);
    ctr__r_sigmask(SIG_SETMASK, &none, NULL);
    syscall(SYS_execve, x->job->path, x->job->argv, envp);
    ctr__c_exit(127);
}

/* Sends the child a failure: one ctr_error record. */
static void ctr__keeper_fail(const ctr__keeper_job *job, int e, const char *a, const char *b) {
    ctr_error r;
    size_t n;
    memset(&r, 0, sizeof(r));
    r.step = CTR_STEP_NETWORK;
    r.sys_errno = e;
    ctr__append(r.path, sizeof(r.path), 0, "pasta");
    n = ctr__append(r.msg, sizeof(r.msg), 0, a);
    ctr__append(r.msg, sizeof(r.msg), n, b);
    (void)syscall(SYS_sendto, job->sock, &r, sizeof(r), MSG_NOSIGNAL, NULL, 0);
}

/* What pasta said on stderr: its last non-empty line, in line[size]. */
static void ctr__keeper_last_line(const char *buf, size_t len, char *line, size_t size) {
    size_t end = len, start;
    while (end > 0 && (buf[end - 1] == '\n' || buf[end - 1] == '\r')) end--;
    start = end;
    while (start > 0 && buf[start - 1] != '\n') start--;
    if (end - start >= size) start = end - (size - 1);
    memcpy(line, buf + start, end - start);
    line[end - start] = '\0';
}

static int ctr__contains(const char *s, const char *w) {
    size_t n = strlen(w);
    for (; *s; s++)
        if (strncmp(s, w, n) == 0) return 1;
    return 0;
}

static void ctr__keeper_main(void *arg) {
    const ctr__keeper_job *job = CTR__CAST(const ctr__keeper_job *, arg);
    uint64_t all = ~CTR__CAST(uint64_t, 0);
    union {
        struct cmsghdr align;
        char buf[CTR__FDMSG_SPACE(CTR__KEEPER_FDS)];
    } cm;
    struct msghdr msg;
    struct iovec iov;
    ctr__pasta_exec x;
    ctr__clone_args a;
    struct pollfd pfd[3];
    char tag = 0, out[1024], line[300], pidbuf[32];
    size_t outlen = 0;
    int keep[2], ready[2], errp[2], pasta_fd = -1, sig, n = 0, up = 0;
    long pid, r;
    int64_t deadline;
    struct timespec ts;
    ctr__r_sigmask(SIG_SETMASK, &all, NULL);
    for (sig = 1; sig < NSIG; sig++) {
        static const unsigned long dfl[4] = {0, 0, 0, 0};
        if (sig != SIGKILL && sig != SIGSTOP) (void)syscall(SYS_rt_sigaction, sig, dfl, NULL, 8);
    }
    if (job->die_with_host) (void)ctr__r_prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* Nothing of the host's but our socket and /dev/null. */
    keep[0] = job->sock;
    keep[1] = job->devnull;
    (void)ctr__c_close_except(keep, 2);
    (void)syscall(SYS_close_range, 0, 2, 0);
    /* The child's namespaces and pidfd, or EOF: it failed (or never started). */
    ctr__fdmsg(&msg, &iov, &tag, cm.buf, CTR__KEEPER_FDS, NULL);
    do r = syscall(SYS_recvmsg, job->sock, &msg, MSG_CMSG_CLOEXEC);
    while (r < 0 && errno == EINTR);
    if (r != 1 || tag != 'n') ctr__c_exit(0);
    x.fds[0] = x.fds[1] = x.fds[2] = -1;
    n = ctr__fdmsg_fds(&msg, x.fds, CTR__KEEPER_FDS);
    if (n < 2) {
        ctr__keeper_fail(job, EPROTO, "receive the container's namespaces", NULL);
        ctr__c_exit(0);
    }
    if (syscall(SYS_pipe2, ready, O_CLOEXEC) != 0 || syscall(SYS_pipe2, errp, O_CLOEXEC) != 0) {
        ctr__keeper_fail(job, errno, "create a pipe for pasta", NULL);
        ctr__c_exit(0);
    }
    x.job = job;
    x.ready = ready[1];
    x.err = errp[1];
    memset(&a, 0, sizeof(a));
    a.flags = CLONE_PIDFD;
    a.pidfd = CTR__PTR_TO_U64(&pasta_fd);
    a.exit_signal = SIGCHLD;
    if (job->exec_stack) {
        a.flags |= CLONE_VFORK; /* on our memory until its execve */
        pid = ctr__clone_on(&a, job->exec_stack, CTR__SHIM_STACK, ctr__pasta_child, &x);
    } else {
        pid = ctr__clone(&a, 0, ctr__pasta_child, &x);
    }
    if (pid < 0) {
        ctr__keeper_fail(job, errno, "start pasta", NULL);
        ctr__c_exit(0);
    }
    ctr__r_close(ready[1]);
    ctr__r_close(errp[1]);
    ctr__r_close(x.fds[1]);
    if (x.fds[2] >= 0) ctr__r_close(x.fds[2]);
    /* Up when pasta writes its pid file (after it has configured the namespace); an EOF first
       means it exited, and its stderr says why. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    deadline = CTR__CAST(int64_t, ts.tv_sec) * 1000 + ts.tv_nsec / 1000000 + 10000;
    pfd[0].fd = ready[0];
    pfd[1].fd = errp[0];
    pfd[2].fd = x.fds[0]; /* the container's first process */
    while (!up) {
        int64_t now;
        pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
        pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        now = CTR__CAST(int64_t, ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
        if (now >= deadline) {
            syscall(SYS_pidfd_send_signal, pasta_fd, SIGKILL, NULL, 0);
            syscall(SYS_wait4, pid, NULL, __WALL, NULL);
            ctr__keeper_fail(job, ETIMEDOUT, "pasta did not bring the network up within 10 s",
                             NULL);
            ctr__c_exit(0);
        }
        r = syscall(SYS_poll, pfd, 3, CTR__CAST(int, deadline - now));
        if (r < 0 && errno != EINTR) break;
        if (pfd[1].fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP))) {
            r = ctr__r_read(errp[0], out + outlen, sizeof(out) - 1 - outlen);
            if (r > 0) {
                outlen += CTR__CAST(size_t, r);
                if (outlen > sizeof(out) / 2) { /* keep the latest half */
                    memmove(out, out + outlen - sizeof(out) / 4, sizeof(out) / 4);
                    outlen = sizeof(out) / 4;
                }
            } else if (r == 0) {
                pfd[1].fd = -1;
            }
        }
        if (pfd[0].revents & (POLLIN | POLLHUP)) {
            r = ctr__r_read(ready[0], pidbuf, sizeof(pidbuf));
            if (r > 0) {
                up = 1;
            } else if (r == 0) { /* pasta exited: wait for the rest of its words */
                while (pfd[1].fd >= 0 &&
                       (r = ctr__r_read(errp[0], out + outlen, sizeof(out) - 1 - outlen)) > 0)
                    outlen += CTR__CAST(size_t, r);
                out[outlen] = '\0';
                syscall(SYS_wait4, pid, NULL, __WALL, NULL);
                ctr__keeper_last_line(out, outlen, line, sizeof(line));
                if (ctr__contains(out, "tun"))
                    ctr__keeper_fail(job, EACCES,
                                     "pasta could not open /dev/net/tun (a user "
                                     "needs it readable and writable, crw-rw-rw-, as udev makes "
                                     "it): ",
                                     line);
                else if (ctr__contains(out, "bind") || ctr__contains(out, "in use"))
                    ctr__keeper_fail(job, EADDRINUSE,
                                     "pasta could not bind a forwarded host port "
                                     "(stop what listens there, or choose another port): ",
                                     line);
                else
                    ctr__keeper_fail(job, EIO, "pasta exited before the network was up: ",
                                     line[0] ? line : "(it said nothing)");
                ctr__c_exit(0);
            }
        }
        if (pfd[2].revents) { /* the container died meanwhile */
            syscall(SYS_pidfd_send_signal, pasta_fd, SIGKILL, NULL, 0);
            syscall(SYS_wait4, pid, NULL, __WALL, NULL);
            ctr__c_exit(0);
        }
    }
    tag = 'g';
    (void)syscall(SYS_sendto, job->sock, &tag, 1, MSG_NOSIGNAL, NULL, 0);
    ctr__r_close(job->sock);
    /* Until the container's first process exits (or pasta does): then pasta goes. */
    for (;;) {
        pfd[0].fd = x.fds[0];
        pfd[1].fd = pasta_fd;
        pfd[2].fd = pfd[1].fd >= 0 && errp[0] >= 0 ? errp[0] : -1;
        pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
        pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
        r = syscall(SYS_poll, pfd, 3, -1);
        if (r < 0 && errno != EINTR) break;
        if (pfd[2].revents && ctr__r_read(errp[0], out, sizeof(out)) <= 0) {
            ctr__r_close(errp[0]);
            errp[0] = -1;
        }
        if (pfd[0].revents || pfd[1].revents) break;
    }
    syscall(SYS_pidfd_send_signal, pasta_fd, SIGKILL, NULL, 0);
    syscall(SYS_wait4, pid, NULL, __WALL, NULL);
    ctr__c_exit(0);
}

static int ctr__net_keeper(ctr_container *c, ctr__plan *p, ctr__net_run *n, ctr_error *err) {
    ctr__keeper_job *job;
    ctr__clone_args a;
    uint64_t all = ~CTR__CAST(uint64_t, 0), old = 0;
    char *stack = NULL;
    long r;
    if (p->net.mode != CTR_NET_PASTA) return 0;
    /* The plan's memory lives in the handle until the keeper is reaped (ctr_destroy). */
    if (!(job = CTR__CAST(ctr__keeper_job *, ctr__alloc(p, sizeof(*job)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    job->path = p->net.pasta_path;
    job->argv = p->net.pasta_argv;
    job->sock = n->sock[0];
    job->devnull = n->devnull;
    job->die_with_host = p->die_with_host;
    memset(&a, 0, sizeof(a));
    a.flags = CLONE_PIDFD;
    a.pidfd = CTR__PTR_TO_U64(&c->net_pidfd); /* exit signal 0: no host wait() sees it */
    /* A copy of us (fork-style), not on our memory: the keeper lives as long as the container,
       and on our memory it would share the calling thread's TLS, so each of its failed system
       calls would write that thread's errno at any time.  It starts pasta vfork-style on a stack
       of its own (in its copy of this one). */
    if (ctr__vm_clone_possible() && (stack = ctr__stack_alloc(CTR__SHIM_STACK)))
        job->exec_stack = stack;
    ctr__r_sigmask(SIG_SETMASK, &all, &old);
    r = ctr__clone(&a, 0, ctr__keeper_main, job);
    ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    ctr__stack_free(stack, CTR__SHIM_STACK); /* the keeper has its copy */
    if (r < 0) {
        c->net_pidfd = -1;
        return ctr__fail(err, CTR_STEP_NETWORK, errno, "pasta", "start pasta's keeper process");
    }
    ctr__close(&n->sock[0]); /* the keeper's now */
    return 0;
}

static int ctr__net_reap(ctr_container *c, int nohang) {
    siginfo_t si;
    long r;
    if (c->net_pidfd < 0) return 1;
    memset(&si, 0, sizeof(si));
    do
        r = syscall(SYS_waitid, P_PIDFD, c->net_pidfd, &si,
                    WEXITED | __WALL | (nohang ? WNOHANG : 0), NULL);
    while (r < 0 && errno == EINTR);
    if (r == 0 && si.si_pid == 0) return 0;
    ctr__close(&c->net_pidfd);
    return 1;
}
/* ---- end src/net.c ---- */
/* ---- begin src/lifecycle.c ---- */
/* lifecycle.c - the spec fields of manual section 14 (lifecycle and runtime features: a direct
   child, a created container waiting for ctr_start, namespaces joined by path, supplementary
   groups, umask, oom_score_adj, sysctls, masked and read-only paths, device nodes, the ambient
   set) validated and translated into the plan (plan.c calls ctr__plan_lifecycle last), and the
   launch's part of them (spawn.c): the namespaces to join opened, the start FIFO made. */

/* The sysctls a container may set: those its own namespaces own (as runc allows them). */
static int ctr__sysctl_ns(const char *name) {
    static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",          "kernel.msgmni",
                                      "kernel.sem",    "kernel.shmall",          "kernel.shmmax",
                                      "kernel.shmmni", "kernel.shm_rmid_forced", NULL};
    int i;
    for (i = 0; ipc[i]; i++)
        if (strcmp(name, ipc[i]) == 0) return CLONE_NEWIPC;
    if (strncmp(name, "fs.mqueue.", 10) == 0) return CLONE_NEWIPC;
    if (strncmp(name, "net.", 4) == 0) return CLONE_NEWNET;
    if (strcmp(name, "kernel.hostname") == 0 || strcmp(name, "kernel.domainname") == 0)
        return CLONE_NEWUTS;
    return 0;
}

static unsigned long ctr__ns_flag(unsigned type) {
    switch (type) {
    case CTR_NS_NET: return CLONE_NEWNET;
    case CTR_NS_IPC: return CLONE_NEWIPC;
    case CTR_NS_UTS: return CLONE_NEWUTS;
    case CTR_NS_CGROUP: return CLONE_NEWCGROUP;
    case CTR_NS_PID: return CLONE_NEWPID;
    }
    return 0;
}

/* An absolute path inside the container, normalised ("/" refused); NULL with *err filled. */
static const char *ctr__inner_path(ctr__plan *p, const char *path, const char *field,
                                   ctr_error *err) {
    char *out;
    if (!path || path[0] != '/') {
        ctr__fail(err, CTR_STEP_SPEC, EINVAL, field, "%s: \"%s\" must be an absolute path", field,
                  path ? path : "(null)");
        return NULL;
    }
    if (!(out = ctr__normalize(p, path))) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        return NULL;
    }
    if (strcmp(out, "/") == 0) {
        ctr__fail(err, CTR_STEP_SPEC, EINVAL, field, "%s: \"%s\" is the root", field, path);
        return NULL;
    }
    return out;
}

static size_t ctr__count(const char *const *list) {
    size_t n = 0;
    while (list && list[n]) n++;
    return n;
}

static int ctr__plan_sysctls(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t n = ctr__count(s->sysctls), i;
    if (!n) return 0;
    if (!(p->sysctl_paths = CTR__CAST(char **, ctr__alloc(p, 2 * n * sizeof(char *)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = 0; i < n; i++) {
        const char *kv = s->sysctls[i], *eq = strchr(kv, '=');
        char name[128], *path;
        size_t len = eq ? CTR__CAST(size_t, eq - kv) : 0, k;
        unsigned long ns;
        if (!eq || len == 0 || len >= sizeof(name))
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, kv,
                             "sysctls[%zu]: \"%s\" is not name=value", i, kv);
        memcpy(name, kv, len);
        name[len] = '\0';
        for (k = 0; k < len; k++)
            if (!((name[k] >= 'a' && name[k] <= 'z') || (name[k] >= '0' && name[k] <= '9') ||
                  (name[k] >= 'A' && name[k] <= 'Z') || strchr("._-/", name[k])) ||
                (name[k] == '.' && k + 1 < len && name[k + 1] == '.'))
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, name,
                                 "sysctls[%zu]: \"%s\" is not a sysctl name", i, name);
        ns = CTR__CAST(unsigned long, ctr__sysctl_ns(name));
        if (!ns)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, name,
                             "sysctl %s is not namespaced: setting it would change the host's",
                             name);
        if (!(p->clone_flags & ns) && !(ns == CLONE_NEWNET && p->netns_pool)) {
            size_t j;
            int joined = 0;
            for (j = 0; j < p->nns_paths; j++) joined |= ctr__ns_flag(p->ns_paths[j].type) == ns;
            if (!joined)
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, name,
                                 "sysctl %s belongs to a namespace the container shares with "
                                 "the host: setting it would change the host's",
                                 name);
        }
        if (!(path = CTR__CAST(char *, ctr__alloc(p, len + 11))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(path, "/proc/sys/", 10);
        for (k = 0; k < len; k++) path[10 + k] = name[k] == '.' ? '/' : name[k];
        p->sysctl_paths[2 * i] = path;
        if (!(p->sysctl_paths[2 * i + 1] = ctr__strdup(p, eq + 1)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    }
    p->nsysctls = n;
    return 0;
}

/* Masked paths, read-only paths and devices: ops the mount engine applies after every mount. */
static int ctr__plan_late(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t nm = ctr__count(s->masked_paths), nr = ctr__count(s->readonly_paths), i;
    size_t n = nm + nr + s->ndevices;
    if (s->ndevices && !s->devices)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "devices",
                         "ndevices is %zu but devices is NULL", s->ndevices);
    if (!n) return 0;
    if (!(p->late_ops = CTR__CAST(ctr__op *, ctr__alloc(p, n * sizeof(ctr__op)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = 0; i < s->ndevices; i++) { /* devices first: a masked path may hide one */
        const ctr_device *d = &s->devices[i];
        ctr__op *op = &p->late_ops[p->nlate++];
        op->type = CTR__OP_DEVICE;
        if (!(op->dst = ctr__inner_path(p, d->path, "devices", err))) return -1;
        if (d->type != 'c' && d->type != 'b' && d->type != 'p')
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, d->path,
                             "device %s: type '%c' is not 'c', 'b' or 'p'", d->path,
                             d->type ? d->type : '?');
        if (d->uid == CTR__CAST(uid_t, -1) || d->gid == CTR__CAST(gid_t, -1))
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, d->path, "device %s: uid or gid -1",
                             d->path);
        op->mode = (d->mode ? d->mode & 07777u : 0666u) | (d->type == 'c'   ? S_IFCHR
                                                           : d->type == 'b' ? S_IFBLK
                                                                            : S_IFIFO);
        op->rdev = d->type == 'p' ? 0 : makedev(d->major, d->minor);
        op->uid = d->uid;
        op->gid = d->gid;
    }
    for (i = 0; i < nm + nr; i++) {
        ctr__op *op = &p->late_ops[p->nlate++];
        const char *path = i < nm ? s->masked_paths[i] : s->readonly_paths[i - nm];
        op->type = i < nm ? CTR__OP_MASK : CTR__OP_READONLY;
        if (!(op->dst = ctr__inner_path(p, path, i < nm ? "masked_paths" : "readonly_paths", err)))
            return -1;
    }
    return 0;
}

static int ctr__plan_joins(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    size_t i, j;
    if (s->nns_paths && !s->ns_paths)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ns_paths",
                         "nns_paths is %zu but ns_paths is NULL", s->nns_paths);
    if (!s->nns_paths) return 0;
    if (!(p->ns_paths =
              CTR__CAST(ctr_ns_path *, ctr__alloc(p, s->nns_paths * sizeof(ctr_ns_path)))))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    for (i = 0; i < s->nns_paths; i++) {
        const ctr_ns_path *n = &s->ns_paths[i];
        unsigned long flag = ctr__ns_flag(n->type);
        if (!flag)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ns_paths",
                             "ns_paths[%zu]: type 0x%x is not one of CTR_NS_NET, CTR_NS_IPC, "
                             "CTR_NS_UTS, CTR_NS_CGROUP, CTR_NS_PID",
                             i, n->type);
        if (!n->path || n->path[0] != '/')
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "ns_paths",
                             "ns_paths[%zu]: the path must be absolute", i);
        if (s->share & n->type)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, n->path,
                             "ns_paths[%zu]: a namespace cannot be both shared and joined", i);
        for (j = 0; j < i; j++)
            if (s->ns_paths[j].type == n->type)
                return ctr__fail(err, CTR_STEP_SPEC, EINVAL, n->path,
                                 "ns_paths[%zu] and [%zu] join the same kind of namespace", j, i);
        if (n->type == CTR_NS_NET && s->netns_pool)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "netns_pool",
                             "netns_pool and a network namespace to join exclude each other");
        if (n->type == CTR_NS_PID && s->init)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "init",
                             "init runs as pid 1 of a new pid namespace: it cannot join one");
        p->ns_paths[i].type = n->type;
        if (!(p->ns_paths[i].path = ctr__strdup(p, n->path)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        p->clone_flags &= ~flag;
        if (flag == CLONE_NEWNET) p->net_lo = 0; /* its loopback is its owner's business */
        if (flag == CLONE_NEWCGROUP) p->cgroupns = 0;
        if (flag == CLONE_NEWUTS && !s->hostname) p->hostname = NULL;
        if (flag == CLONE_NEWPID) p->join_pid = CLONE_NEWPID;
    }
    p->nns_paths = s->nns_paths;
    return 0;
}

static int ctr__plan_lifecycle(ctr__plan *p, const ctr_spec *s, ctr_error *err) {
    p->direct = s->direct_child ? 1 : 0;
    p->wait_start = s->wait_start ? 1 : 0;
    if (p->wait_start && !p->direct)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "wait_start", "wait_start needs direct_child");
    if (p->wait_start && p->init)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "wait_start",
                         "wait_start and init together are not supported");
    if (s->start_fifo) {
        if (!p->wait_start || !s->start_fifo[0])
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "start_fifo",
                             "start_fifo needs wait_start, and a path");
        if (!(p->start_fifo = ctr__strdup(p, s->start_fifo)))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
    }
    if (ctr__plan_joins(p, s, err) != 0) return -1;
    if (s->ngroups) {
        if (!s->groups)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "groups",
                             "ngroups is %zu but groups is NULL", s->ngroups);
        if (!p->set_ids || p->userns)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "groups",
                             "supplementary groups need root without a user namespace (a user "
                             "namespace maps one group only)");
        if (s->ngroups > 65536)
            return ctr__fail(err, CTR_STEP_SPEC, E2BIG, "groups", "at most 65536 groups");
        if (!(p->groups = CTR__CAST(gid_t *, ctr__alloc(p, s->ngroups * sizeof(gid_t)))))
            return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        memcpy(p->groups, s->groups, s->ngroups * sizeof(gid_t));
        p->ngroups = s->ngroups;
    }
    if (s->set_umask) {
        if (s->umask > 0777u)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "umask", "umask 0%o is above 0777",
                             s->umask);
        p->set_umask = 1;
        p->umask = s->umask;
    }
    if (s->set_oom_score_adj) {
        if (s->oom_score_adj < -1000 || s->oom_score_adj > 1000)
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "oom_score_adj",
                             "oom_score_adj %d is outside -1000..1000", s->oom_score_adj);
        p->set_oom = 1;
        snprintf(p->oom, sizeof(p->oom), "%d", s->oom_score_adj);
    }
    if (s->set_caps) {
        uint64_t known = p->last_cap >= 63 ? ~0ull : (1ull << (p->last_cap + 1)) - 1;
        const char *why = NULL;
        if (s->cap_add || s->cap_drop)
            why = "set_caps excludes cap_add and cap_drop";
        else if (s->cap_effective & ~s->cap_permitted)
            why = "cap_effective holds capabilities cap_permitted lacks";
        else if (s->cap_ambient & ~(s->cap_permitted & s->cap_inheritable))
            why = "cap_ambient must be within both cap_permitted and cap_inheritable";
        if (why) return ctr__fail(err, CTR_STEP_CAPS, EINVAL, "set_caps", "%s", why);
        p->caps_exact = 1;
        p->caps_keep = s->cap_bounding & known;
        p->caps_eff = s->cap_effective & known;
        p->caps_prm = s->cap_permitted & known;
        p->caps_inh = s->cap_inheritable & known;
        p->caps_ambient = s->cap_ambient & known;
        if (s->init && !p->userns && (p->caps_keep & CTR_CAP(19)))
            return ctr__fail(err, CTR_STEP_CAPS, EINVAL, "set_caps",
                             "init together with CAP_SYS_PTRACE would let the container read the "
                             "host process's memory (pid 1 is a copy of it)");
    }
    if (s->rootfs_propagation) {
        unsigned kinds = s->rootfs_propagation & (CTR_MOUNT_SHARED | CTR_MOUNT_SLAVE |
                                                  CTR_MOUNT_PRIVATE | CTR_MOUNT_UNBINDABLE);
        if ((kinds & (kinds - 1)) || !kinds ||
            (s->rootfs_propagation & ~(kinds | CTR_MOUNT_RPROPAGATION)))
            return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "rootfs_propagation",
                             "rootfs_propagation is one of CTR_MOUNT_SHARED, _SLAVE, _PRIVATE, "
                             "_UNBINDABLE (with CTR_MOUNT_RPROPAGATION)");
        p->root_propagation = s->rootfs_propagation;
    }
    if (ctr__plan_sysctls(p, s, err) != 0) return -1;
    return ctr__plan_late(p, s, err);
}

/* Opens the plan's namespaces to join (close-on-exec, above 2) into fds[0..nns_paths). */
static int ctr__open_ns_paths(const ctr__plan *p, int *fds, ctr_error *err) {
    size_t i;
    for (i = 0; i < p->nns_paths; i++) fds[i] = -1;
    for (i = 0; i < p->nns_paths; i++) {
        const char *path = p->ns_paths[i].path;
        long type = 0;
        if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0 || ctr__lift(&fds[i]) != 0)
            return ctr__fail(err, CTR_STEP_CLONE, errno, path, "open namespace %s", path);
        /* NS_GET_NSTYPE (Linux 4.11): the file is a namespace of the kind asked for */
        type = ioctl(fds[i], 0xb703 /* NS_GET_NSTYPE */);
        if (type < 0 || CTR__CAST(unsigned long, type) != ctr__ns_flag(p->ns_paths[i].type))
            return ctr__fail(err, CTR_STEP_CLONE, type < 0 ? errno : EINVAL, path,
                             "%s is not a namespace of the kind it is joined as", path);
    }
    return 0;
}

/* The start FIFO: made (mode 0600; an existing file is an error), opened read-write so that the
   open does not block and the child never sees EOF. */
static int ctr__make_start_fifo(const ctr__plan *p, int *fd, ctr_error *err) {
    if (mkfifo(p->start_fifo, 0600) != 0)
        return ctr__fail(err, CTR_STEP_SPEC, errno, p->start_fifo, "make the start FIFO %s",
                         p->start_fifo);
    if ((*fd = open(p->start_fifo, O_RDWR | O_CLOEXEC)) < 0 || ctr__lift(fd) != 0) {
        int e = errno;
        ctr__close(fd);
        unlink(p->start_fifo);
        return ctr__fail(err, CTR_STEP_SPEC, e, p->start_fifo, "open the start FIFO %s",
                         p->start_fifo);
    }
    return 0;
}
/* ---- end src/lifecycle.c ---- */
/* ---- begin src/spawn.c ---- */
/* spawn.c - ctr_spawn and the handle: the plan is built, the cgroup made, the launch's descriptors
   opened, the shim (or init) cloned and the verdict read; then wait, poll, kill, stats and
   destroy. */

/* What ctr_spawn opens for one spawn: all close-on-exec and above 2; the child dup2s what it
   needs. */
typedef struct ctr__fds {
    int err[2], status[2], xfer[2], devnull, host;
    int stdio[3];  /* host ends of CTR_STDIO_PIPE streams, received from the child */
    int tty;       /* the terminal's master, received from the child */
    int cmd_pidfd; /* received from the shim */
    int cg_procs[CTR__CG_MAX_DIRS];
    int notify; /* the interception listener, received from the child */
    int start[2];  /* wait_start: the child reads start[0], the handle writes start[1] */
    int execfd;    /* wait_start: the exec pipe's read end, received from the child */
    int fifo_made; /* the start FIFO is ours to remove if the spawn fails */
} ctr__fds;

static void ctr__fds_init(ctr__fds *f) {
    int i;
    f->err[0] = f->err[1] = f->status[0] = f->status[1] = -1;
    f->xfer[0] = f->xfer[1] = f->devnull = f->host = f->cmd_pidfd = f->tty = -1;
    for (i = 0; i < 3; i++) f->stdio[i] = -1;
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) f->cg_procs[i] = -1;
    f->notify = -1;
    f->start[0] = f->start[1] = f->execfd = -1;
    f->fifo_made = 0;
}

static void ctr__fds_close_all(ctr__fds *f) {
    int i;
    ctr__close(&f->err[0]);
    ctr__close(&f->err[1]);
    ctr__close(&f->status[0]);
    ctr__close(&f->status[1]);
    ctr__close(&f->xfer[0]);
    ctr__close(&f->xfer[1]);
    ctr__close(&f->devnull);
    ctr__close(&f->host);
    ctr__close(&f->cmd_pidfd);
    ctr__close(&f->tty);
    for (i = 0; i < 3; i++) ctr__close(&f->stdio[i]);
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) ctr__close(&f->cg_procs[i]);
    ctr__close(&f->notify);
    ctr__close(&f->start[0]);
    ctr__close(&f->start[1]);
    ctr__close(&f->execfd);
}

/* The pipes, the fd-passing socket and the stdio sources of the launch.  The read ends are
   non-blocking: the verdict is read once it is there (ctr__verdict), never by waiting for EOF,
   which any process forked by another thread of the host in the meantime would hold back. */
static int ctr__open_fds(const ctr__plan *p, ctr__launch *l, ctr__fds *f, ctr_error *err) {
    int i;
    if (ctr__pipe(f->err) != 0 || ctr__pipe(f->status) != 0 ||
        fcntl(f->err[0], F_SETFL, O_NONBLOCK) != 0 || fcntl(f->status[0], F_SETFL, O_NONBLOCK) != 0)
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a pipe");
    l->errfd = f->err[1];
    l->statusfd = f->status[1];
    /* The child (its stdio pipes) and the shim (the command's pidfd) pass fds over this. */
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, f->xfer) != 0 ||
        ctr__lift(&f->xfer[0]) != 0 || ctr__lift(&f->xfer[1]) != 0)
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a socket pair");
    l->xferfd = f->xfer[1];
    for (i = 0; i < 3; i++) {
        if (p->tty) { /* /dev/null until the terminal is made, after pivot_root */
            if (f->devnull < 0 && ((f->devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
                                   ctr__lift(&f->devnull) != 0))
                return ctr__fail(err, CTR_STEP_STDIO, errno, "/dev/null", "open /dev/null");
            l->stdio_src[i] = f->devnull;
            continue;
        }
        switch (p->stdio[i]) {
        case CTR_STDIO_INHERIT: break;
        case CTR_STDIO_NULL:
            if (f->devnull < 0 && ((f->devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
                                   ctr__lift(&f->devnull) != 0))
                return ctr__fail(err, CTR_STEP_STDIO, errno, "/dev/null", "open /dev/null");
            l->stdio_src[i] = f->devnull;
            break;
        case CTR_STDIO_FD: l->stdio_src[i] = p->stdio_fd[i]; break;
        case CTR_STDIO_PIPE: break; /* made by the child (ctr__c_stdio_pipes) */
        }
    }
    /* The child checks that the host still lives when it sets its parent-death signal. */
    if (p->die_with_host) {
        f->host = ctr__sys_int(syscall(SYS_pidfd_open, getpid(), 0));
        if (f->host >= 0 && (fcntl(f->host, F_SETFD, FD_CLOEXEC) != 0 || ctr__lift(&f->host) != 0))
            ctr__close(&f->host);
        l->hostfd = f->host; /* -1 before Linux 5.3: only the signal then */
    }
    /* wait_start: the start FIFO (the child's end read-write, ours write-only), or a pipe. */
    if (p->wait_start) {
        if (p->start_fifo) {
            if (ctr__make_start_fifo(p, &f->start[0], err) != 0) return -1;
            f->fifo_made = 1;
            if ((f->start[1] = open(p->start_fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0 ||
                ctr__lift(&f->start[1]) != 0)
                return ctr__fail(err, CTR_STEP_SPEC, errno, p->start_fifo, "open the start FIFO %s",
                                 p->start_fifo);
        } else if (ctr__pipe(f->start) != 0) {
            return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "create a pipe");
        }
        l->startfd = f->start[0];
    }
    if (p->nns_paths) {
        size_t i2;
        if (ctr__open_ns_paths(p, l->join_ns_fds, err) != 0) return -1;
        for (i2 = 0; i2 < p->nns_paths; i2++)
            if (p->ns_paths[i2].type == CTR_NS_PID) { /* the shim joins it before its clone */
                l->join_pidfd = l->join_ns_fds[i2];
                l->join_flags = CLONE_NEWPID;
            }
    }
    return 0;
}

static void ctr__close_ns_fds(const ctr__plan *p, ctr__launch *l) {
    size_t i;
    for (i = 0; l->join_ns_fds && i < p->nns_paths; i++) ctr__close(&l->join_ns_fds[i]);
}

/* Blocks until our child (the shim, or init) exits (pidfd readable) or timeout_ms (-1: none)
   passes.  Cancellation is disabled in every library call; here, only while blocked, it is put
   back as the caller had it (ctr_wait is a cancellation point, like waitpid): a thread cancelled
   here leaves the handle as it was. */
static int ctr__wait_pidfd(ctr_container *c, int timeout_ms) {
    struct pollfd pfd;
    int r, e, ignored;
    pfd.fd = c->pidfd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    pthread_setcancelstate(c->cancel_state, &ignored);
    r = poll(&pfd, 1, timeout_ms);
    e = errno;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &ignored);
    errno = e;
    return r;
}

/* Waits for our child; blocking unless nohang.  1: reaped (c->result set), 0: still running. */
static int ctr__reap(ctr_container *c, int nohang, ctr_error *err) {
    ctr__status_msg m;
    siginfo_t si;
    struct rusage ru;
    long r;
    if (c->reaped) return 1;
    memset(&si, 0, sizeof(si));
    memset(&ru, 0, sizeof(ru));
    if (!nohang && c->pidfd >= 0)
        while (ctr__wait_pidfd(c, -1) < 0 && errno == EINTR) {}
    do {
        /* The raw waitid takes a rusage: our child's, including the descendants it reaped (the
           command's whole tree). */
        if (c->pidfd >= 0)
            r = syscall(SYS_waitid, P_PIDFD, c->pidfd, &si,
                        WEXITED | __WALL | (nohang ? WNOHANG : 0), &ru);
        else
            r = syscall(SYS_waitid, P_PID, c->child_pid, &si,
                        WEXITED | __WALL | (nohang ? WNOHANG : 0), &ru);
    } while (r < 0 && errno == EINTR);
    if (r < 0 && errno == ECHILD && c->attached && c->pidfd >= 0) {
        /* Another process's child (ctr_attach): its exit shows on the pidfd, its status is its
           parent's to take. */
        struct pollfd pfd;
        pfd.fd = c->pidfd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 0) != 1) return 0;
        c->reaped = 1;
        c->result.wall_ns = ctr__now_ns() - c->start_ns;
        if (c->cg.be) c->cg.be->result(&c->cg, &c->result);
        return 1;
    }
    if (r < 0)
        return ctr__fail(err, CTR_STEP_WAIT, errno, "", "wait for container process %d",
                         CTR__CAST(int, c->child_pid));
    if (si.si_pid == 0) return 0;
    c->reaped = 1;
    ctr__net_reap(c, 0); /* pasta's keeper ends with the container's first process */
    if (c->netns_pool) { /* pid 1 of its own pid namespace is gone, and with it every process */
        ctr__netns_release(c->netns_pool, c->netns_slot);
        c->netns_pool = NULL;
    }
    c->result.wall_ns = ctr__now_ns() - c->start_ns;
    /* The command's own status, from the shim or init (it has exited: what it wrote is there,
       and the read end does not block); without it (the shim or init was killed) its own. */
    memset(&m, 0, sizeof(m));
    while (read(c->statusfd, &m, sizeof(m)) == CTR__CAST(ssize_t, sizeof(m)) &&
           m.kind != CTR__MSG_EXIT) {}
    if (m.kind == CTR__MSG_EXIT) {
        int st = m.status;
        c->result.exited = WIFEXITED(st);
        c->result.signaled = WIFSIGNALED(st);
        c->result.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
        c->result.term_signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    } else {
        c->result.exited = si.si_code == CLD_EXITED;
        c->result.signaled = !c->result.exited;
        c->result.exit_code = c->result.exited ? si.si_status : 0;
        c->result.term_signal = c->result.exited ? 0 : si.si_status;
    }
    ctr__close(&c->statusfd);
    c->result.cpu_user_ns =
        CTR__CAST(int64_t, ru.ru_utime.tv_sec) * 1000000000 + ru.ru_utime.tv_usec * 1000;
    c->result.cpu_system_ns =
        CTR__CAST(int64_t, ru.ru_stime.tv_sec) * 1000000000 + ru.ru_stime.tv_usec * 1000;
    c->result.memory_peak = CTR__CAST(uint64_t, ru.ru_maxrss) * 1024u;
    if (c->cg.be)
        c->cg.be->result(&c->cg, &c->result); /* the cgroup's figures cover every process */
    /* Our child is gone: its stack is free. */
    ctr__stack_free(c->shim_stack, CTR__SHIM_STACK);
    c->shim_stack = NULL;
    return 1;
}

/* sig to the container's first process (SIGKILL: then to every process of its cgroup too). */
static int ctr__signal(ctr_container *c, int sig) {
    int fd = c->cmd_pidfd >= 0 && !c->plan.init ? c->cmd_pidfd : c->pidfd, r; /* init forwards */
    r = fd >= 0 ? CTR__CAST(int, syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0))
                : kill(c->pid, sig);
    if (sig == SIGKILL && c->cg.be) {
        int e = errno;
        c->cg.be->kill(&c->cg); /* every process, not just pid 1 */
        errno = e;
    }
    return r;
}

static void ctr__container_init(ctr_container *c) {
    int i;
    memset(c, 0, sizeof(*c));
    c->pidfd = c->cmd_pidfd = c->statusfd = c->tty = c->startfd = c->execfd = c->net_pidfd = -1;
    c->cancel_state = PTHREAD_CANCEL_DISABLE;
    for (i = 0; i < 3; i++) c->stdio[i] = -1;
    ctr__cg_init(&c->cg);
    ctr__layers_init(&c->layers);
}

static ctr_container *ctr__container_new(void) {
    ctr_container *c = CTR__CAST(ctr_container *, CONTAINER_MALLOC(sizeof(*c)));
    if (c) ctr__container_init(c);
    return c;
}

static void ctr__container_free(ctr_container *c) {
    int i;
    ctr__close(&c->startfd);
    ctr__close(&c->execfd);
    if (c->netns_pool) ctr__netns_release(c->netns_pool, c->netns_slot); /* never started */
    ctr__notify_free(c->notify);
    ctr__net_reap(c, 0); /* pasta's keeper, which reads the plan */
    ctr__cg_destroy(&c->cg);
    ctr__layers_release(&c->layers);
    if (c->nonet) ctr__netns_shared_put();
    ctr__close(&c->pidfd);
    ctr__close(&c->cmd_pidfd);
    ctr__close(&c->statusfd);
    ctr__close(&c->tty);
    for (i = 0; i < 3; i++) ctr__close(&c->stdio[i]);
    if (c->shim_stack) ctr__stack_free(c->shim_stack, CTR__SHIM_STACK);
    ctr__plan_free(&c->plan);
    CONTAINER_FREE(c);
}

/* The verdict: 1 started (*pid: the command's host pid from the shim, 0 from init), 0 failed
   (*report filled).  Whichever comes first: an error report of the setup (error pipe), STARTED
   or ERROR over the status pipe, or our child's exit without a word.  The shim tells STARTED
   once the command has exec'd or died, after anything the command wrote: the child writes a
   record with step NONE when its setup is done, and one with the reason if the exec failed;
   without either it died during its setup (killed).  With init, init itself tells STARTED (or
   ERROR) once the command has exec'd (or not).  A pipe is read only when poll, which looks at
   both at one instant, says a record is there: the error pipe's records come before STARTED, so
   a STARTED seen with nothing on the error pipe has nothing behind it there; and no read ever
   fails with EAGAIN, which a vfork-style child setting up meanwhile would take for its own
   errno (it shares this thread's: "resolve /dev inside the container root: Resource
   temporarily unavailable", once in some thousands of bridged spawns).  A pipe whose writers
   are all gone leaves the poll, so that it does not wake it again and again. */
static int ctr__verdict(ctr_container *c, int init, int errfd, int statusfd, ctr_error *report,
                        pid_t *pid) {
    struct pollfd pfd[3];
    int dead = 0, setup_done = 0, n = c->pidfd >= 0 ? 3 : 2, i;
    pfd[0].fd = errfd;
    pfd[1].fd = statusfd;
    pfd[2].fd = c->pidfd;
    for (;;) {
        ctr__status_msg m;
        for (i = 0; i < 3; i++) {
            pfd[i].events = POLLIN;
            pfd[i].revents = 0;
        }
        /* Gone: one more look at both pipes (the order of the wake-ups is not the order of the
           events), then it died without a word. */
        if (poll(pfd, CTR__CAST(nfds_t, n), dead ? 0 : -1) < 0) {
            if (errno == EINTR) continue;
            ctr__fail(report, CTR_STEP_CLONE, errno, "", "wait for the container process");
            return 0;
        }
        if (pfd[0].revents & POLLIN) {
            if (read(errfd, report, sizeof(*report)) != CTR__CAST(ssize_t, sizeof(*report)))
                pfd[0].fd = -1;
            else if (report->step != CTR_STEP_NONE)
                return 0;
            else
                setup_done = 1;
            continue; /* another record, or STARTED, at the next look */
        }
        if (pfd[0].revents & POLLHUP) pfd[0].fd = -1;
        if (pfd[1].revents & POLLIN) {
            if (read(statusfd, &m, sizeof(m)) == CTR__CAST(ssize_t, sizeof(m))) {
                if (m.kind == CTR__MSG_ERROR) {
                    *report = m.err;
                    return 0;
                }
                if (!init && !setup_done) {
                    ctr__fail(report, CTR_STEP_CLONE, ECHILD, "",
                              "the container process died during its setup");
                    return 0;
                }
                *pid = CTR__CAST(pid_t, m.status);
                return 1;
            }
            pfd[1].fd = -1;
        } else if (pfd[1].revents & POLLHUP) {
            pfd[1].fd = -1;
        }
        if (dead) {
            ctr__fail(report, init ? CTR_STEP_INIT : CTR_STEP_CLONE, ECHILD, "",
                      "the container process died during its setup");
            return 0;
        }
        dead = n == 3 ? pfd[2].revents != 0 : pfd[0].fd < 0 && pfd[1].fd < 0;
    }
}

/* The fds the child and the shim passed: 'p' the host ends of the stdio pipes (in stream
   order), 'c' the command's pidfd, 't' the terminal's master, 'x' the exec pipe (wait_start), 'n' the
   interception listener.  0, or -1 with errno. */
static int ctr__recv_fds(const ctr__plan *p, ctr__fds *f) {
    int want = 0, got_pipes = 0, i;
    for (i = 0; i < 3 && !p->tty; i++) want += p->stdio[i] == CTR_STDIO_PIPE;
    for (;;) {
        union {
            struct cmsghdr align;
            char buf[CTR__FDMSG_SPACE(3)];
        } cm;
        struct msghdr msg;
        struct iovec iov;
        int fds[3], n, k = 0;
        char tag = 0;
        ssize_t r;
        ctr__fdmsg(&msg, &iov, &tag, cm.buf, 3, NULL);
        do r = recvmsg(f->xfer[0], &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        while (r < 0 && errno == EINTR);
        if (r == 0 || (r < 0 && errno == EAGAIN)) break; /* all read (0: every sender is gone) */
        if (r != 1) {
            if (r >= 0) errno = EPROTO;
            return -1;
        }
        n = ctr__fdmsg_fds(&msg, fds, 3);
        if (tag == 'p') {
            for (i = 0; i < 3; i++)
                if (p->stdio[i] == CTR_STDIO_PIPE && k < n) f->stdio[i] = fds[k++];
            got_pipes = k;
        } else if (tag == 'c' && n >= 1) {
            f->cmd_pidfd = fds[k++];
        } else if (tag == 't' && n >= 1) {
            f->tty = fds[k++];
        } else if (tag == 'x' && n >= 1) {
            f->execfd = fds[k++];
        } else if (tag == 'n' && n >= 1) {
            f->notify = fds[k++];
        }
        while (k < n) close(fds[k++]); /* nothing we asked for */
        if (msg.msg_flags & MSG_CTRUNC) {
            errno = EPROTO;
            return -1;
        }
    }
    for (i = 0; i < 3; i++) {
        if (ctr__lift(&f->stdio[i]) != 0) return -1;
        if (p->stdio_nonblock && f->stdio[i] >= 0 && fcntl(f->stdio[i], F_SETFL, O_NONBLOCK) != 0)
            return -1;
    }
    if (ctr__lift(&f->cmd_pidfd) != 0 || ctr__lift(&f->tty) != 0 || ctr__lift(&f->execfd) != 0 ||
        ctr__lift(&f->notify) != 0)
        return -1;
    if (p->stdio_nonblock && f->tty >= 0 && fcntl(f->tty, F_SETFL, O_NONBLOCK) != 0) return -1;
    if (got_pipes != want || (p->tty && f->tty < 0) || (p->wait_start && f->execfd < 0) ||
        (p->notify_bpf && f->notify < 0)) {
        errno = EPROTO;
        return -1;
    }
    return 0;
}

/* After the verdict: the descriptors the child and the shim passed back, and the serving of the
   intercepted calls started on the listener among them.  1, or 0 with *report. */
static int ctr__take_fds(ctr_container *c, const ctr__plan *p, ctr__fds *f, ctr_error *report) {
    int fd;
    if (ctr__recv_fds(p, f) != 0) {
        ctr__fail(report, CTR_STEP_STDIO, errno, "", "receive the container's descriptors");
        return 0;
    }
    if (!p->notify_bpf) return 1;
    fd = f->notify;
    f->notify = -1;
    return ctr__notify_start(&c->notify, p, fd, report) == 0;
}

static void ctr__child_entry(void *launch) { ctr__child_main(launch); }

/* The verdict of a direct child (c->pidfd is the command's own): 1 once its setup is done (and,
   unless it waits for its start, it has exec'd: the clone waited for that), 0 with *report. */
static int ctr__verdict_direct(ctr_container *c, int errfd, int waits, ctr_error *report) {
    int dead = 0, setup_done = 0;
    for (;;) {
        struct pollfd pfd[2];
        while (read(errfd, report, sizeof(*report)) == CTR__CAST(ssize_t, sizeof(*report))) {
            if (report->step != CTR_STEP_NONE) return 0;
            setup_done = 1;
        }
        if (setup_done) return 1;
        if (dead || !waits) {
            ctr__fail(report, CTR_STEP_CLONE, ECHILD, "",
                      "the container process died during its setup");
            return 0;
        }
        pfd[0].fd = errfd;
        pfd[1].fd = c->pidfd;
        pfd[0].events = pfd[1].events = POLLIN;
        pfd[0].revents = pfd[1].revents = 0;
        if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
            ctr__fail(report, CTR_STEP_CLONE, errno, "", "wait for the container process");
            return 0;
        }
        dead = pfd[1].revents != 0;
    }
}

/* direct_child: the command is our own child, cloned by us (exit signal SIGCHLD; vfork-style
   unless it waits for its start, which needs a copy of our memory), or, to join a pid
   namespace or a container (ctr_exec), by a shim that makes it our child (CLONE_PARENT) and
   exits.  No status pipe: ctr__reap waits for the command itself. */
static int ctr__start_direct(ctr_container *c, const ctr__plan *p, ctr__launch *l, ctr__fds *f,
                             int vm_cmd, ctr_error *err) {
    uint64_t all = ~CTR__CAST(uint64_t, 0), old = 0;
    int shim = l->join_pidfd >= 0, ok, i;
    ctr__clone_args a;
    ctr_error report;
    long r;
    memset(&a, 0, sizeof(a));
    a.pidfd = CTR__PTR_TO_U64(&c->pidfd);
    a.exit_signal = SIGCHLD;
    a.flags = CLONE_PIDFD;
    if (!shim) {
        a.flags |= l->clone_flags;
        if (l->cgroup_fd >= 0) {
            a.flags |= CLONE_INTO_CGROUP;
            a.cgroup = CTR__CAST(uint64_t, l->cgroup_fd);
        }
    } else if (vm_cmd && !(l->cmd_stack = ctr__stack_alloc(CTR__STACK_SIZE))) {
        return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "allocate a stack");
    }
    if (vm_cmd) ctr__dump_enter();
    ctr__r_sigmask(SIG_SETMASK, &all, &old);
    if (shim)
        r = ctr__clone(&a, CTR__CLONE_WAIT, ctr__shim_main, l); /* a copy: it may setns */
    else
        r = ctr__clone(&a, p->wait_start ? 0u : (vm_cmd ? CTR__CLONE_VM : CTR__CLONE_WAIT),
                       ctr__child_entry, l);
    ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    if (r < 0) {
        if (vm_cmd) ctr__dump_leave();
        return ctr__fail(err, CTR_STEP_CLONE, errno, "",
                         "create the container process (clone3 with flags 0x%llx)",
                         CTR__CAST(unsigned long long, a.flags | l->clone_flags));
    }
    c->pid = c->child_pid = CTR__CAST(pid_t, r);
    ctr__close(&f->err[1]);
    ctr__close(&f->status[1]);
    ctr__close(&f->xfer[1]);
    ctr__close(&f->devnull);
    ctr__close(&f->host);
    ctr__close(&f->start[0]);
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) ctr__close(&f->cg_procs[i]);
    memset(&report, 0, sizeof(report));
    ok = 1;
    if (shim) {
        /* The shim has exited (CTR__CLONE_WAIT, and it never execs: the clone returned when it
           did); STARTED names the command, now our child: its pidfd replaces the shim's. */
        ctr__status_msg m;
        siginfo_t si;
        memset(&m, 0, sizeof(m));
        memset(&si, 0, sizeof(si));
        while (waitid(P_PID, CTR__CAST(id_t, r), &si, WEXITED | __WALL) < 0 && errno == EINTR) {}
        ctr__close(&c->pidfd);
        c->pid = c->child_pid = 0;
        if (read(f->status[0], &m, sizeof(m)) != CTR__CAST(ssize_t, sizeof(m)) ||
            m.kind != CTR__MSG_STARTED) {
            if (read(f->err[0], &report, sizeof(report)) != CTR__CAST(ssize_t, sizeof(report)) ||
                report.step == CTR_STEP_NONE)
                ctr__fail(&report, CTR_STEP_CLONE, ECHILD, "",
                          "the container process died during its setup");
            ok = 0;
        } else {
            c->pid = c->child_pid = CTR__CAST(pid_t, m.status);
            c->pidfd = ctr__sys_int(syscall(SYS_pidfd_open, c->pid, 0)); /* ours: not reaped */
            if (c->pidfd < 0 || ctr__lift(&c->pidfd) != 0 ||
                fcntl(c->pidfd, F_SETFD, FD_CLOEXEC) != 0) {
                ctr__fail(&report, CTR_STEP_CLONE, errno, "", "open a pidfd of the command");
                ok = 0;
            }
        }
    }
    if (ok) ok = ctr__verdict_direct(c, f->err[0], p->wait_start, &report);
    if (vm_cmd) ctr__dump_leave();
    if (l->cmd_stack) {
        if (ok)
            ctr__stack_free(l->cmd_stack, CTR__STACK_SIZE);
        else
            munmap(l->cmd_stack, CTR__STACK_SIZE + CTR__STACK_GUARD);
        l->cmd_stack = NULL;
    }
    if (ok) ok = ctr__take_fds(c, p, f, &report);
    ctr__close(&f->cmd_pidfd); /* the shim's 'c': we opened our own */
    if (ok) return 0;
    if (c->pidfd >= 0) {
        struct pollfd pfd;
        pfd.fd = c->pidfd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 1000) != 1) ctr__signal(c, SIGKILL);
        ctr__reap(c, 0, NULL);
    } else if (c->child_pid > 0) {
        siginfo_t si;
        kill(c->child_pid, SIGKILL);
        while (waitid(P_PID, CTR__CAST(id_t, c->child_pid), &si, WEXITED | __WALL) < 0 &&
               errno == EINTR) {}
    }
    c->reaped = 1;
    if (err) {
        *err = report;
        err->path[sizeof(err->path) - 1] = '\0';
        err->msg[sizeof(err->msg) - 1] = '\0';
        ctr__finish_msg(err);
    }
    return -1;
}

/* Clones the container's process: the shim (shim.c), which clones the command, or with init the
   init itself (it never execs, so it is our child as well).  A bridge's eth0 is made while the
   child sets up (net: ctr_spawn's network, or NULL).  Then reads the verdict.  On failure
   everything started is gone again. */
static int ctr__start(ctr_container *c, const ctr__plan *p, ctr__launch *l, ctr__fds *f,
                      const ctr__cgroup *cg, ctr__net_run *net, ctr_error *err) {
    uint64_t all = ~CTR__CAST(uint64_t, 0), old = 0;
    ctr__clone_args a;
    ctr_error report;
    pid_t cmd = 0;
    long r;
    int i, ok, vm_cmd = 0, vm_shim;
    int into = cg->be ? cg->be->clone_into(cg) : -1;
    l->cgroup_fd = -1;
    if (into >= 0 && ctr__have_clone3())
        l->cgroup_fd = into;
    else if (cg->be && cg->be->procs_fds(cg, f->cg_procs, CTR__CG_MAX_DIRS, err) < 0)
        return -1; /* cgroup v1, or v2 without clone3: the child moves itself */
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) l->cg_procs[i] = f->cg_procs[i];
    memset(&a, 0, sizeof(a));
    a.pidfd = CTR__PTR_TO_U64(&c->pidfd); /* exit signal 0: no host wait() sees our child */
    c->start_ns = ctr__now_ns();
    if (p->direct && !p->init) {
        vm_cmd = ctr__vm_clone_possible() && !p->wait_start &&
                 !(l->join_flags & (CLONE_NEWUSER | CLONE_NEWTIME)) && !p->timens &&
                 !(cg->be && !cg->be->vm_clone) &&
                 !(p->userns && !p->join && ctr__host_dumpable() != 1);
        return ctr__start_direct(c, p, l, f, vm_cmd, err);
    }
    if (p->init) {
        if (p->direct) a.exit_signal = SIGCHLD; /* our child, seen by our wait() */
        a.flags = l->clone_flags | CLONE_PIDFD;
        if (l->cgroup_fd >= 0) {
            a.flags |= CLONE_INTO_CGROUP;
            a.cgroup = CTR__CAST(uint64_t, l->cgroup_fd);
        }
        ctr__r_sigmask(SIG_SETMASK, &all, &old); /* no host handler may run in the child */
        r = ctr__clone(&a, 0, ctr__child_entry, l);
        ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    } else {
        /* The command on our memory (vfork-style, cloned by the shim) but for: a time namespace
           (the kernel lets a process enter one only when it shares its memory with no other),
           cgroup v1 (a rare soft lockup on Linux 6.1 with it, see clone.c), and a rootless
           container of a host that is not dumpable (the child makes itself dumpable to write
           its uid map: the host's memory would be readable for that while). */
        /* A shim that joins a user or time namespace (ctr_exec) must not share our memory
           (setns refuses), nor then its command. */
        vm_shim = ctr__vm_clone_possible() && !(l->join_flags & (CLONE_NEWUSER | CLONE_NEWTIME));
        vm_cmd = vm_shim && !p->timens && !(cg->be && !cg->be->vm_clone) &&
                 !(p->userns && !p->join && ctr__host_dumpable() != 1);
        if (vm_shim && !(c->shim_stack = ctr__stack_alloc(CTR__SHIM_STACK)))
            return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "allocate a stack");
        if (vm_cmd && !(l->cmd_stack = ctr__stack_alloc(CTR__STACK_SIZE)))
            return ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "allocate a stack");
        a.flags = CLONE_PIDFD;
        if (vm_cmd) ctr__dump_enter();
        ctr__r_sigmask(SIG_SETMASK, &all, &old);
        if (c->shim_stack)
            r = ctr__clone_on(&a, c->shim_stack, CTR__SHIM_STACK, ctr__shim_main, l);
        else
            r = ctr__clone(&a, 0, ctr__shim_main, l);
        /* A command on our memory sets up with our thread's TLS, errno included: no handler of
           the host's may run on this thread (and write errno, even to put it back) until the
           verdict, once it has exec'd.  The signals wait meanwhile, as with posix_spawn. */
        if (!vm_cmd || r < 0) ctr__r_sigmask(SIG_SETMASK, &old, NULL);
    }
    if (r < 0) {
        ctr__fail(err, CTR_STEP_CLONE, errno, "",
                  "create the container process (clone3 with flags 0x%llx)",
                  CTR__CAST(unsigned long long, a.flags | l->clone_flags));
        if (err) ctr__userns_explain(p, err);
        if (vm_cmd) ctr__dump_leave();
        return -1;
    }
    c->pid = c->child_pid = CTR__CAST(pid_t, r);
    /* Close our copies of the child's ends. */
    ctr__close(&f->err[1]);
    ctr__close(&f->status[1]);
    ctr__close(&f->xfer[1]);
    ctr__close(&f->devnull);
    ctr__close(&f->host);
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) ctr__close(&f->cg_procs[i]);
    if (net) ctr__net_attach(p, net, f->err[0], f->status[0], c->pidfd);
    memset(&report, 0, sizeof(report));
    ok = ctr__verdict(c, p->init, f->err[0], f->status[0], &report, &cmd);
    if (vm_cmd) {
        ctr__r_sigmask(SIG_SETMASK, &old, NULL);
        ctr__dump_leave();
    }
    if (l->cmd_stack) {
        /* Free once the command has exec'd or died; if the shim died first the command may
           still be on it (and dying): then unmap it rather than reuse it. */
        if (ok)
            ctr__stack_free(l->cmd_stack, CTR__STACK_SIZE);
        else
            munmap(l->cmd_stack, CTR__STACK_SIZE + CTR__STACK_GUARD);
        l->cmd_stack = NULL;
    }
    if (ok) ok = ctr__take_fds(c, p, f, &report);
    if (ok) {
        if (!p->init) c->pid = cmd;
        c->cmd_pidfd = f->cmd_pidfd;
        f->cmd_pidfd = -1;
        return 0;
    }
    /* Failed: the command reported why and exited, and the shim (or init) ends by itself; give
       it a moment, then make sure. */
    if (c->pidfd >= 0) {
        struct pollfd pfd;
        pfd.fd = c->pidfd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 1000) != 1) ctr__signal(c, SIGKILL);
    } else {
        ctr__signal(c, SIGKILL);
    }
    c->statusfd = f->status[0]; /* for the reap */
    f->status[0] = -1;
    ctr__reap(c, 0, NULL);
    if (err) {
        *err = report;
        err->path[sizeof(err->path) - 1] = '\0';
        err->msg[sizeof(err->msg) - 1] = '\0';
        ctr__finish_msg(err);
        if (err->step == CTR_STEP_USERNS || err->step == CTR_STEP_CLONE)
            ctr__userns_explain(p, err);
    }
    return -1;
}

/* A launch with nothing open yet: every descriptor -1. */
static void ctr__launch_init(ctr__launch *l) {
    int i;
    memset(l, 0, sizeof(*l));
    l->errfd = l->statusfd = l->hostfd = l->netns_fd = l->xferfd = l->cgroup_fd = -1;
    l->join_pidfd = l->nssock = l->net_sock = l->startfd = -1;
    l->root_pre = l->upper_pre = -1;
    for (i = 0; i < 3; i++) l->stdio_src[i] = -1;
    for (i = 0; i < CTR__CG_MAX_DIRS; i++) l->cg_procs[i] = -1;
}

static int ctr__spawn(const ctr_spec *spec, ctr_container **out, ctr_error *err) {
    ctr__plan plan;
    ctr__launch l;
    ctr__fds f;
    ctr__ns_host ns;
    ctr__net_run net;
    ctr_container *c = NULL;
    int i, rc = -1;
    ctr__fds_init(&f);
    ctr__ns_init(&ns);
    ctr__net_init(&net);
    ctr__launch_init(&l);
    if (!out) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "out is NULL");
    *out = NULL;
    if (ctr__plan_build(&plan, spec, err) != 0) goto done;
    l.plan = &plan;
    l.clone_flags = plan.clone_flags;
    l.net_lo = plan.net_lo;
    if (!(l.mnt_fds = CTR__CAST(
              int *, ctr__alloc(&plan, (plan.nops + 1) * CTR__DEV_NODES * sizeof(int)))) ||
        (plan.nns_paths &&
         !(l.join_ns_fds = CTR__CAST(int *, ctr__alloc(&plan, plan.nns_paths * sizeof(int)))))) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        goto done;
    }
    if (ctr__open_fds(&plan, &l, &f, err) != 0) goto done;
    if (!(c = ctr__container_new())) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the container handle");
        goto done;
    }
    if (ctr__cg_create(&c->cg, &plan.cg, err) != 0) goto done;
    if (ctr__layers_prepare(&c->layers, &plan, err) != 0) goto done;
    if (plan.no_network) { /* nonet.c: the shared empty namespace */
        if ((l.netns_fd = ctr__netns_shared(err)) < 0) goto done;
        c->nonet = 1;
        l.clone_flags &= ~CTR__CAST(unsigned long, CLONE_NEWNET);
        l.net_lo = 0;
    }
    if (ctr__net_open(&plan, &net, &l, err) != 0 || ctr__net_keeper(c, &plan, &net, err) != 0)
        goto done;
    if (plan.netns_pool) {
        int slot = ctr__netns_acquire(plan.netns_pool, &l.netns_fd, err);
        if (slot == -2) goto done;
        if (slot >= 0) { /* else every namespace is lent: this container gets its own */
            c->netns_pool = plan.netns_pool;
            c->netns_slot = slot;
            l.clone_flags &= ~CTR__CAST(unsigned long, CLONE_NEWNET);
            l.net_lo = 0;
        }
    }
    if (ctr__ns_prepare(&ns, &plan, &l, err) != 0) goto done;
    i = ctr__start(c, &plan, &l, &f, &c->cg, &net, err);
    ctr__ns_finish(&ns); /* the helper is done or no longer needed */
    ctr__close(&l.nssock);
    if (i != 0) goto done;
    /* The container holds its sockets now: ours go, so that they live with the container
       alone. */
    ctr__net_close(&net);
    if (plan.timeout_ns) c->deadline_ns = c->start_ns + plan.timeout_ns;
    /* Hand the host ends over to the handle. */
    c->statusfd = f.status[0];
    f.status[0] = -1;
    for (i = 0; i < 3; i++) {
        c->stdio[i] = f.stdio[i];
        f.stdio[i] = -1;
    }
    c->tty = f.tty;
    f.tty = -1;
    c->startfd = f.start[1];
    f.start[1] = -1;
    c->execfd = f.execfd;
    f.execfd = -1;
    c->plan = plan; /* kept for ctr_exec */
    plan.chunks = NULL;
    *out = c;
    c = NULL;
    rc = 0;
done:
    ctr__net_close(&net); /* first: a keeper waiting for the child sees the end */
    ctr__ns_finish(&ns);
    ctr__close(&l.nssock);
    if (c) ctr__container_free(c);
    if (rc != 0 && f.fifo_made) unlink(plan.start_fifo);
    ctr__close_ns_fds(&plan, &l);
    ctr__fds_close_all(&f);
    ctr__plan_free(&plan);
    return rc;
}

/* ctr_exec: the plan from the container's, a launch whose shim joins the container's
   namespaces (through the pidfd of its first process) and whose command is born in its cgroup.
   The new handle owns no cgroup: destroying it kills only its own process. */
static int ctr__exec(ctr_container *base, const ctr_exec_spec *spec, ctr_container **out,
                     ctr_error *err) {
    ctr__plan plan;
    ctr__launch l;
    ctr__fds f;
    ctr_container *c = NULL;
    int i, rc = -1;
    ctr__fds_init(&f);
    ctr__launch_init(&l);
    memset(&plan, 0, sizeof(plan));
    if (!out) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "out is NULL");
    *out = NULL;
    if (!base) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "container is NULL");
    if (base->reaped || ctr__reap(base, 1, NULL) != 0)
        return ctr__fail(err, CTR_STEP_CLONE, ESRCH, "", "the container has exited");
    if (ctr__plan_exec(&plan, &base->plan, spec, err) != 0) goto done;
    l.plan = &plan;
    l.fds = plan.fds;
    l.nfds = plan.nfds;
    l.join_pidfd = base->cmd_pidfd >= 0 ? base->cmd_pidfd : base->pidfd;
    l.join_flags = base->plan.clone_flags | (base->plan.cgroupns ? CLONE_NEWCGROUP : 0) |
                   (base->plan.timens ? CLONE_NEWTIME : 0);
    for (i = 0; i < CTR__CAST(int, base->plan.nns_paths); i++) { /* joined by path: its too */
        unsigned t = base->plan.ns_paths[i].type;
        l.join_flags |= t == CTR_NS_NET      ? CLONE_NEWNET
                        : t == CTR_NS_IPC    ? CLONE_NEWIPC
                        : t == CTR_NS_UTS    ? CLONE_NEWUTS
                        : t == CTR_NS_CGROUP ? CLONE_NEWCGROUP
                                             : CLONE_NEWPID;
    }
    if (!(l.mnt_fds = CTR__CAST(int *, ctr__alloc(&plan, CTR__DEV_NODES * sizeof(int))))) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the plan");
        goto done;
    }
    if (ctr__open_fds(&plan, &l, &f, err) != 0) goto done;
    if (!(c = ctr__container_new())) {
        ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the container handle");
        goto done;
    }
    if (ctr__start(c, &plan, &l, &f, &base->cg, NULL, err) != 0) goto done;
    c->statusfd = f.status[0];
    f.status[0] = -1;
    for (i = 0; i < 3; i++) {
        c->stdio[i] = f.stdio[i];
        f.stdio[i] = -1;
    }
    c->tty = f.tty;
    f.tty = -1;
    c->plan = plan;
    plan.chunks = NULL;
    *out = c;
    c = NULL;
    rc = 0;
done:
    if (c) ctr__container_free(c);
    ctr__fds_close_all(&f);
    ctr__plan_free(&plan);
    return rc;
}

CONTAINER_API int ctr_exec(ctr_container *c, const ctr_exec_spec *spec, ctr_container **out,
                           ctr_error *err) {
    int old = ctr__nocancel_begin(), rc;
    ctr__clear_error(err);
    rc = ctr__exec(c, spec, out, err);
    ctr__nocancel_end(old);
    return rc;
}

CONTAINER_API int ctr_spawn(const ctr_spec *spec, ctr_container **out, ctr_error *err) {
    int old = ctr__nocancel_begin(), rc;
    ctr__clear_error(err);
    rc = ctr__spawn(spec, out, err);
    ctr__nocancel_end(old);
    return rc;
}

/* The deadline passed: kill the whole container and reap it. */
static int ctr__expire(ctr_container *c, ctr_error *err) {
    ctr__signal(c, SIGKILL);
    if (ctr__reap(c, 0, err) < 0) return -1;
    c->result.timed_out = 1;
    return 1;
}

/* Blocks until exit, or until the deadline, then kills. */
static int ctr__wait_deadline(ctr_container *c, ctr_error *err) {
    while (!c->reaped) {
        int64_t left = c->deadline_ns - ctr__now_ns();
        int r;
        if (left <= 0) return ctr__expire(c, err);
        if (c->pidfd >= 0) {
            r = ctr__wait_pidfd(c, left / 1000000 >= INT_MAX ? INT_MAX
                                                             : CTR__CAST(int, left / 1000000 + 1));
            if (r < 0 && errno != EINTR)
                return ctr__fail(err, CTR_STEP_WAIT, errno, "", "poll the container's pidfd");
        } else {
            ctr__sleep_ms(left > 10000000 ? 10 : left / 1000000 + 1);
        }
        if (ctr__reap(c, 1, err) < 0) return -1;
    }
    return 1;
}

CONTAINER_API int ctr_wait(ctr_container *c, ctr_result *res, ctr_error *err) {
    int r;
    ctr__clear_error(err);
    if (res) memset(res, 0, sizeof(*res));
    if (!c) return ctr__fail(err, CTR_STEP_WAIT, EINVAL, "", "container is NULL");
    c->cancel_state = ctr__nocancel_begin();
    r = c->deadline_ns ? ctr__wait_deadline(c, err) : ctr__reap(c, 0, err);
    ctr__nocancel_end(c->cancel_state);
    c->cancel_state = PTHREAD_CANCEL_DISABLE;
    if (r < 0) return -1;
    if (res) *res = c->result;
    return 0;
}

CONTAINER_API int ctr_poll(ctr_container *c, ctr_result *res, ctr_error *err) {
    int r, old = ctr__nocancel_begin();
    ctr__clear_error(err);
    if (res) memset(res, 0, sizeof(*res));
    if (!c) {
        ctr__nocancel_end(old);
        return ctr__fail(err, CTR_STEP_WAIT, EINVAL, "", "container is NULL");
    }
    r = ctr__reap(c, 1, err);
    if (r == 0 && c->deadline_ns && ctr__now_ns() >= c->deadline_ns) r = ctr__expire(c, err);
    if (r == 1 && res) *res = c->result;
    ctr__nocancel_end(old);
    return r;
}

CONTAINER_API int ctr_kill(ctr_container *c, int sig, ctr_error *err) {
    int old, rc = 0;
    ctr__clear_error(err);
    if (!c) return ctr__fail(err, CTR_STEP_KILL, EINVAL, "", "container is NULL");
    if (c->reaped)
        return ctr__fail(err, CTR_STEP_KILL, ESRCH, "", "the container has already exited");
    old = ctr__nocancel_begin();
    if (ctr__signal(c, sig) != 0)
        rc = ctr__fail(err, CTR_STEP_KILL, errno, "", "send signal %d to the container", sig);
    ctr__nocancel_end(old);
    return rc;
}

CONTAINER_API void ctr_destroy(ctr_container *c) {
    int old;
    if (!c) return;
    old = ctr__nocancel_begin();
    ctr__notify_stop(c->notify); /* no callback starts from here on */
    if (!c->reaped) {
        ctr__signal(c, SIGKILL); /* pid 1 dying takes the whole pid namespace with it */
        ctr__reap(c, 0, NULL);
    }
    ctr__container_free(c);
    ctr__nocancel_end(old);
}

CONTAINER_API int ctr_pidfd(const ctr_container *c) { return c ? c->pidfd : -1; }
CONTAINER_API pid_t ctr_pid(const ctr_container *c) { return c ? c->pid : -1; }

CONTAINER_API int ctr_stdio_fd(const ctr_container *c, int stream) {
    return (c && stream >= 0 && stream < 3) ? c->stdio[stream] : -1;
}

CONTAINER_API void ctr_close_stdio(ctr_container *c, int stream) {
    if (c && stream >= 0 && stream < 3) ctr__close(&c->stdio[stream]);
}

static int ctr__no_cgroup(ctr_error *err, const char *what) {
    return ctr__fail(err, CTR_STEP_CGROUP, ENOTSUP, "",
                     "%s needs a cgroup: set a limit or cgroup = CTR_CGROUP_ALWAYS", what);
}

CONTAINER_API int ctr_stats(ctr_container *c, ctr_usage *usage, ctr_error *err) {
    int old;
    ctr__clear_error(err);
    if (!c || !usage)
        return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "", "container or usage is NULL");
    memset(usage, 0, sizeof(*usage));
    if (!c->cg.be) return ctr__no_cgroup(err, "ctr_stats");
    old = ctr__nocancel_begin();
    c->cg.be->stats(&c->cg, usage);
    ctr__nocancel_end(old);
    return 0;
}

static int ctr__freeze(ctr_container *c, int on, ctr_error *err) {
    int old, rc;
    ctr__clear_error(err);
    if (!c) return ctr__fail(err, CTR_STEP_CGROUP, EINVAL, "", "container is NULL");
    if (!c->cg.be) return ctr__no_cgroup(err, on ? "pausing" : "resuming");
    old = ctr__nocancel_begin();
    rc = c->cg.be->freeze(&c->cg, on, err);
    ctr__nocancel_end(old);
    return rc;
}

CONTAINER_API int ctr_pause(ctr_container *c, ctr_error *err) { return ctr__freeze(c, 1, err); }
CONTAINER_API int ctr_resume(ctr_container *c, ctr_error *err) { return ctr__freeze(c, 0, err); }

CONTAINER_API int64_t ctr_deadline_ns(const ctr_container *c) { return c ? c->deadline_ns : 0; }

CONTAINER_API const char *ctr_cgroup_path(const ctr_container *c) {
    return c && c->cg.be ? c->cg.be->path(&c->cg) : "";
}

CONTAINER_API int ctr_notify_fd(const ctr_container *c) {
    return c ? ctr__notify_fd(c->notify) : -1;
}

CONTAINER_API int ctr_notify_handle(ctr_container *c, ctr_error *err) {
    int old, r;
    ctr__clear_error(err);
    if (!c) return ctr__fail(err, CTR_STEP_SECCOMP, EINVAL, "", "container is NULL");
    old = ctr__nocancel_begin();
    r = ctr__notify_handle(c->notify, err);
    ctr__nocancel_end(old);
    return r;
}
/* ---- end src/spawn.c ---- */
/* ---- begin src/io.c ---- */
/* io.c - the host's side of a container's streams: ctr_write (no SIGPIPE), ctr_wait_io (one wait
   for readable, writable, exited or deadline), the pseudo-terminal's master, and ctr_run (to
   completion, with input and captured output).  Parent side only. */

static int ctr__in_fd(const ctr_container *c) { return c->tty >= 0 ? c->tty : c->stdio[0]; }
static int ctr__out_fd(const ctr_container *c) { return c->tty >= 0 ? c->tty : c->stdio[1]; }

/* write(2) that never raises SIGPIPE in the host: the signal is blocked for the calling thread
   while it writes, and one the write raised is taken off the thread's pending set (unless one
   was pending before).  The caller's cancellation state applies during the write alone. */
static ssize_t ctr__write_nosig(int fd, const void *buf, size_t len, int cancel_state) {
    sigset_t pipe_set, old, pending;
    ssize_t w;
    int e, was_pending, ignored;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigemptyset(&pending);
    (void)sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    pthread_setcancelstate(cancel_state, &ignored);
    do w = write(fd, buf, len);
    while (w < 0 && errno == EINTR);
    e = errno;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &ignored);
    if (w < 0 && e == EPIPE && !was_pending) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {}
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return w;
}

CONTAINER_API ssize_t ctr_write(ctr_container *c, const void *buf, size_t len, ctr_error *err) {
    int old = ctr__nocancel_begin(), fd;
    ssize_t w;
    ctr__clear_error(err);
    if (!c || (!buf && len)) {
        ctr__nocancel_end(old);
        return ctr__fail(err, CTR_STEP_STDIO, EINVAL, "", "container or buffer is NULL");
    }
    if ((fd = ctr__in_fd(c)) < 0) {
        ctr__nocancel_end(old);
        return ctr__fail(err, CTR_STEP_STDIO, EBADF, "",
                         "the container's stdin is not a pipe or terminal of the library's "
                         "(or was closed)");
    }
    w = ctr__write_nosig(fd, buf, len, old);
    if (w < 0)
        ctr__fail(err, CTR_STEP_STDIO, errno, "", "write to the container's stdin%s",
                  errno == EPIPE ? " (nothing reads it any more)" : "");
    ctr__nocancel_end(old);
    return w;
}

static int ctr__io_wait(ctr_container *c, unsigned want, int timeout_ms, unsigned *ready,
                        int cancel_state, ctr_error *err) {
    struct pollfd pfd[4];
    unsigned ev[4];
    int n = 0, i, r, ignored;
    int64_t now = ctr__now_ns();
    *ready = 0;
    if ((want & CTR_IO_EXIT) && c->reaped) *ready |= CTR_IO_EXIT;
    if ((want & CTR_IO_DEADLINE) && c->deadline_ns && now >= c->deadline_ns)
        *ready |= CTR_IO_DEADLINE;
    if (*ready) timeout_ms = 0;
    if ((want & CTR_IO_DEADLINE) && c->deadline_ns && !*ready) {
        int64_t left = (c->deadline_ns - now + 999999) / 1000000;
        if (timeout_ms < 0 || left < timeout_ms)
            timeout_ms = left > INT_MAX ? INT_MAX : CTR__CAST(int, left);
    }
#define CTR__IO_ADD(fd_, events_, bit)      \
    do {                                    \
        if ((want & (bit)) && (fd_) >= 0) { \
            pfd[n].fd = (fd_);              \
            pfd[n].events = (events_);      \
            pfd[n].revents = 0;             \
            ev[n++] = (bit);                \
        }                                   \
    } while (0)
    CTR__IO_ADD(ctr__in_fd(c), POLLOUT, CTR_IO_STDIN);
    CTR__IO_ADD(ctr__out_fd(c), POLLIN, CTR_IO_STDOUT);
    CTR__IO_ADD(c->tty >= 0 ? -1 : c->stdio[2], POLLIN, CTR_IO_STDERR);
    if (!c->reaped) CTR__IO_ADD(c->pidfd, POLLIN, CTR_IO_EXIT);
#undef CTR__IO_ADD
    pthread_setcancelstate(cancel_state, &ignored);
    r = poll(pfd, CTR__CAST(nfds_t, n), timeout_ms);
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &ignored);
    if (r < 0 && errno != EINTR) return ctr__fail(err, CTR_STEP_WAIT, errno, "", "poll");
    for (i = 0; r > 0 && i < n; i++)
        if (pfd[i].revents) *ready |= ev[i];
    if ((want & CTR_IO_DEADLINE) && c->deadline_ns && ctr__now_ns() >= c->deadline_ns)
        *ready |= CTR_IO_DEADLINE;
    return 0;
}

CONTAINER_API int ctr_wait_io(ctr_container *c, unsigned want, int timeout_ms, unsigned *ready,
                              ctr_error *err) {
    unsigned dummy;
    int old = ctr__nocancel_begin(), r;
    ctr__clear_error(err);
    if (!ready) ready = &dummy;
    *ready = 0;
    if (!c)
        r = ctr__fail(err, CTR_STEP_WAIT, EINVAL, "", "container is NULL");
    else
        r = ctr__io_wait(c, want, timeout_ms, ready, old, err);
    ctr__nocancel_end(old);
    return r;
}

CONTAINER_API int ctr_tty_fd(const ctr_container *c) { return c ? c->tty : -1; }

CONTAINER_API int ctr_resize(ctr_container *c, unsigned rows, unsigned cols, ctr_error *err) {
    struct winsize ws;
    ctr__clear_error(err);
    if (!c || c->tty < 0)
        return ctr__fail(err, CTR_STEP_STDIO, EINVAL, "",
                         "the container has no terminal (spec.tty)");
    if (rows == 0 || cols == 0 || rows > 0xffff || cols > 0xffff)
        return ctr__fail(err, CTR_STEP_STDIO, EINVAL, "", "a terminal of %u x %u", rows, cols);
    memset(&ws, 0, sizeof(ws));
    ws.ws_row = CTR__CAST(unsigned short, rows);
    ws.ws_col = CTR__CAST(unsigned short, cols);
    if (ioctl(c->tty, TIOCSWINSZ, &ws) != 0)
        return ctr__fail(err, CTR_STEP_STDIO, errno, "", "resize the container's terminal");
    return 0;
}

CONTAINER_API void ctr_output_free(ctr_output *output) {
    if (!output) return;
    if (output->out) CONTAINER_FREE(output->out);
    if (output->err) CONTAINER_FREE(output->err);
    memset(output, 0, sizeof(*output));
}

/* One captured stream of ctr_run. */
typedef struct ctr__sink {
    char **buf;
    size_t *len;
    int *truncated;
    size_t cap; /* bytes allocated */
    size_t max; /* 0 = no cap */
    int open;
} ctr__sink;

/* Reads what is there (the fd is non-blocking); closes the stream at EOF.  0, or -1 with errno
   (ENOMEM). */
static int ctr__sink_read(ctr_container *c, int stream, ctr__sink *s) {
    char tmp[65536];
    for (;;) {
        ssize_t r = read(c->stdio[stream], tmp, sizeof(tmp));
        size_t keep;
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) return 0;
        if (r <= 0) { /* EOF (or an error: nothing more will come) */
            ctr__close(&c->stdio[stream]);
            s->open = 0;
            return 0;
        }
        keep = CTR__CAST(size_t, r);
        if (s->max && *s->len + keep > s->max) {
            keep = s->max - *s->len;
            *s->truncated = 1;
        }
        if (*s->len + keep + 1 > s->cap) {
            size_t cap = s->cap ? s->cap : 4096;
            char *b;
            while (cap < *s->len + keep + 1) cap *= 2;
            if (s->max && cap > s->max + 1) cap = s->max + 1;
            if (!(b = CTR__CAST(char *, CONTAINER_MALLOC(cap)))) {
                errno = ENOMEM;
                return -1;
            }
            if (*s->buf) {
                memcpy(b, *s->buf, *s->len);
                CONTAINER_FREE(*s->buf);
            }
            *s->buf = b;
            s->cap = cap;
        }
        memcpy(*s->buf + *s->len, tmp, keep);
        *s->len += keep;
        (*s->buf)[*s->len] = '\0';
    }
}

static int ctr__run(const ctr_spec *spec, const void *input, size_t input_len, size_t max_output,
                    ctr_output *o, ctr_result *res, ctr_error *err) {
    ctr_spec s;
    ctr_container *c;
    ctr__sink sink[3];
    const char *in = CTR__CAST(const char *, input);
    size_t fed = 0;
    int exited = 0, i, rc = 0;
    s = *spec;
    s.stdio[0] = input_len ? CTR_STDIO_PIPE : CTR_STDIO_NULL;
    s.stdio[1] = s.stdio[2] = CTR_STDIO_PIPE;
    s.stdio_nonblock = 1;
    s.tty = 0;
    if (ctr_spawn(&s, &c, err) != 0) return -1;
    memset(sink, 0, sizeof(sink));
    sink[1].buf = &o->out;
    sink[1].len = &o->out_len;
    sink[1].truncated = &o->out_truncated;
    sink[2].buf = &o->err;
    sink[2].len = &o->err_len;
    sink[2].truncated = &o->err_truncated;
    for (i = 1; i < 3; i++) {
        sink[i].max = max_output;
        sink[i].open = 1;
    }
    while (!exited || sink[1].open || sink[2].open) {
        unsigned want = CTR_IO_DEADLINE, ready = 0;
        if (c->stdio[0] >= 0) want |= CTR_IO_STDIN;
        if (sink[1].open) want |= CTR_IO_STDOUT;
        if (sink[2].open) want |= CTR_IO_STDERR;
        if (!exited) want |= CTR_IO_EXIT;
        if (ctr__io_wait(c, want, exited ? 0 : -1, &ready, PTHREAD_CANCEL_DISABLE, err) != 0) {
            rc = -1;
            break;
        }
        if (ready & CTR_IO_STDIN) {
            size_t chunk = input_len - fed > 65536 ? 65536 : input_len - fed;
            ssize_t w = ctr__write_nosig(c->stdio[0], in + fed, chunk, PTHREAD_CANCEL_DISABLE);
            if (w > 0) fed += CTR__CAST(size_t, w);
            /* all of it, or the command will not read more (it closed stdin, or exited) */
            if (fed == input_len || (w < 0 && errno != EAGAIN)) ctr__close(&c->stdio[0]);
        }
        for (i = 1; i < 3; i++)
            if (sink[i].open && (exited || (ready & (i == 1 ? CTR_IO_STDOUT : CTR_IO_STDERR))) &&
                ctr__sink_read(c, i, &sink[i]) != 0) {
                ctr__fail(err, CTR_STEP_RESOURCE, errno, "", "store the container's output");
                rc = -1;
            }
        if (rc) break;
        if (exited) break; /* drained what was there after the exit */
        if (ready & CTR_IO_DEADLINE) {
            if (ctr__expire(c, err) < 0) {
                rc = -1;
                break;
            }
            exited = 1;
        } else if (ready & CTR_IO_EXIT) {
            exited = 1;
        }
    }
    if (rc == 0 && ctr_wait(c, res, err) != 0) rc = -1;
    ctr_destroy(c);
    if (rc != 0) ctr_output_free(o);
    return rc;
}

CONTAINER_API int ctr_run(const ctr_spec *spec, const void *input, size_t input_len,
                          size_t max_output, ctr_output *output, ctr_result *res, ctr_error *err) {
    int old, rc;
    ctr__clear_error(err);
    if (res) memset(res, 0, sizeof(*res));
    if (output) memset(output, 0, sizeof(*output));
    if (!spec || !output)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "spec or output is NULL");
    if (input_len && !input)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "input_len is %zu but input is NULL",
                         input_len);
    old = ctr__nocancel_begin();
    rc = ctr__run(spec, input, input_len, max_output, output, res, err);
    ctr__nocancel_end(old);
    return rc;
}
/* ---- end src/io.c ---- */
/* ---- begin src/attach.c ---- */
/* attach.c - the lifecycle functions of manual section 14: ctr_start lets a created container
   (wait_start) exec its command, ctr_release lets a handle go without killing the container, and
   ctr_attach makes a handle for a container another process made, from its pid, its cgroup path
   and its start FIFO, so that a short-lived front end (an OCI runtime's create, start, kill,
   pause, delete commands) can act on it later. */

/* Field 22 of /proc/PID/stat: the start time in clock ticks after boot (the comm field, in
   parentheses, may hold spaces: count from its closing one). */
CONTAINER_API uint64_t ctr_proc_start_time(pid_t pid) {
    char path[64], buf[1024];
    const char *s;
    ssize_t n;
    int fd, field, old = ctr__nocancel_begin();
    uint64_t v = 0;
    snprintf(path, sizeof(path), "/proc/%ld/stat", CTR__CAST(long, pid));
    fd = pid > 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    if (fd >= 0) close(fd);
    if (n > 0) {
        buf[n] = '\0';
        if ((s = strrchr(buf, ')')) != NULL) {
            for (field = 2; *s && field < 22; s++)
                if (*s == ' ') field++;
            if (field == 22) v = CTR__CAST(uint64_t, strtoull(s, NULL, 10));
        }
    }
    ctr__nocancel_end(old);
    return v;
}

/* After ctr_start: EOF on the exec pipe (the command has exec'd), or the child's error record
   (the exec failed; it exits).  Waits with poll, never for another process's EOF: the pipe was
   made in the child, so no other process holds its write end. */
static int ctr__exec_verdict(ctr_container *c, ctr_error *err) {
    ctr_error report;
    for (;;) {
        struct pollfd pfd;
        ssize_t r = read(c->execfd, &report, sizeof(report));
        if (r == CTR__CAST(ssize_t, sizeof(report))) {
            report.path[sizeof(report.path) - 1] = '\0';
            report.msg[sizeof(report.msg) - 1] = '\0';
            ctr__finish_msg(&report);
            if (err) *err = report;
            return -1;
        }
        if (r == 0) return 0;
        if (r > 0)
            return ctr__fail(err, CTR_STEP_EXEC, EPROTO, "", "a short report from the container");
        if (errno != EINTR && errno != EAGAIN)
            return ctr__fail(err, CTR_STEP_EXEC, errno, "", "read the container's exec pipe");
        pfd.fd = c->execfd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (errno == EAGAIN && poll(&pfd, 1, -1) < 0 && errno != EINTR)
            return ctr__fail(err, CTR_STEP_EXEC, errno, "", "wait for the container's exec");
    }
}

CONTAINER_API int ctr_start(ctr_container *c, ctr_error *err) {
    int old, rc = 0;
    ssize_t w;
    ctr__clear_error(err);
    if (!c) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "container is NULL");
    if (c->startfd < 0)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "",
                         "the container is not waiting for its start (no wait_start, or "
                         "started already)");
    old = ctr__nocancel_begin();
    do w = write(c->startfd, "g", 1);
    while (w < 0 && errno == EINTR);
    if (w != 1) {
        rc = ctr__fail(err, CTR_STEP_EXEC, w < 0 ? errno : EIO, "", "tell the container to start");
    } else {
        ctr__close(&c->startfd);
        if (c->execfd >= 0) {
            rc = ctr__exec_verdict(c, err);
            ctr__close(&c->execfd);
        }
    }
    ctr__nocancel_end(old);
    return rc;
}

CONTAINER_API int ctr_release(ctr_container *c, ctr_error *err) {
    int old, i;
    ctr__clear_error(err);
    if (!c) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "container is NULL");
    if (!c->attached && c->plan.die_with_host)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "",
                         "the container would die with this thread: spawn it with "
                         "no_die_with_host to release it");
    if (c->netns_pool)
        return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "",
                         "a container borrowing from a netns pool cannot be released");
    old = ctr__nocancel_begin();
    /* What ctr__container_free does, but for the process and its cgroup: a shim on our memory
       keeps its stack (it is leaked, and the shim goes on using it). */
    c->shim_stack = NULL;
    ctr__close(&c->startfd);
    ctr__close(&c->execfd);
    ctr__close(&c->pidfd);
    ctr__close(&c->cmd_pidfd);
    ctr__close(&c->statusfd);
    ctr__close(&c->tty);
    for (i = 0; i < 3; i++) ctr__close(&c->stdio[i]);
    ctr__close(&c->cg.dirfd);
    CONTAINER_FREE(c->cg.dir);
    for (i = 0; i < CTR__V1_N; i++) CONTAINER_FREE(c->cg.v1[i]);
    ctr__plan_free(&c->plan);
    CONTAINER_FREE(c);
    ctr__nocancel_end(old);
    return 0;
}

static int ctr__attach(const ctr_attach_spec *a, ctr_container **out, ctr_error *err) {
    ctr_container *c;
    ctr__cg_req req;
    if (!out) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "out is NULL");
    *out = NULL;
    if (!a || a->pid <= 0) return ctr__fail(err, CTR_STEP_SPEC, EINVAL, "", "no pid to attach to");
    if (!(c = ctr__container_new()))
        return ctr__fail(err, CTR_STEP_RESOURCE, ENOMEM, "", "allocate the container handle");
    c->attached = 1;
    c->pid = c->child_pid = a->pid;
    c->start_ns = ctr__now_ns();
    /* The pidfd first, then the start time: if the pid was reused between the two, the start
       time tells. */
    c->pidfd = ctr__sys_int(syscall(SYS_pidfd_open, a->pid, 0));
    if (c->pidfd < 0 || ctr__lift(&c->pidfd) != 0 || fcntl(c->pidfd, F_SETFD, FD_CLOEXEC) != 0 ||
        (a->start_time && ctr_proc_start_time(a->pid) != a->start_time)) {
        int e = c->pidfd < 0 || a->start_time ? ESRCH : errno;
        ctr__container_free(c);
        return ctr__fail(err, CTR_STEP_CLONE, e, "", "no container process %ld",
                         CTR__CAST(long, a->pid));
    }
    if (a->spec) { /* the plan, for ctr_exec (nothing is made) */
        ctr_spec s = *a->spec;
        s.cgroup_path = NULL;
        s.cgroup_parent = NULL;
        s.cgroup = CTR_CGROUP_AUTO;
        s.memory_max = s.memory_swap_max = s.pids_max = 0;
        s.cpus = 0;
        s.cpu_weight = s.io_weight = 0;
        s.start_fifo = NULL;
        s.wait_start = 0;
        s.netns_pool = NULL;
        if (ctr__plan_build(&c->plan, &s, err) != 0) {
            ctr__container_free(c);
            return -1;
        }
    }
    c->plan.die_with_host = 0;
    if (a->cgroup_path && a->cgroup_path[0]) {
        memset(&req, 0, sizeof(req));
        req.wanted = req.existing = 1;
        req.path = a->cgroup_path;
        if (ctr__cg_create(&c->cg, &req, err) != 0) {
            ctr__cg_init(&c->cg); /* not ours to remove */
            ctr__container_free(c);
            return -1;
        }
    }
    if (a->start_fifo) {
        /* Non-blocking: ENXIO when nobody reads it any more (started, or gone). */
        c->startfd = open(a->start_fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (c->startfd < 0 && errno != ENXIO && errno != ENOENT) {
            int e = errno;
            c->cg.be = NULL;
            ctr__container_free(c);
            return ctr__fail(err, CTR_STEP_SPEC, e, a->start_fifo, "open the start FIFO %s",
                             a->start_fifo);
        }
    }
    *out = c;
    return 0;
}

CONTAINER_API int ctr_attach(const ctr_attach_spec *a, ctr_container **out, ctr_error *err) {
    int old = ctr__nocancel_begin(), rc;
    ctr__clear_error(err);
    rc = ctr__attach(a, out, err);
    ctr__nocancel_end(old);
    return rc;
}
/* ---- end src/attach.c ---- */

#endif /* CONTAINER_IMPLEMENTATION_INCLUDED */
#endif /* CONTAINER_IMPLEMENTATION */

/*
   MIT License

   Copyright (c) 2026 the container.h authors

   Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
   associated documentation files (the "Software"), to deal in the Software without restriction,
   including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense,
   and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so,
   subject to the following conditions:

   The above copyright notice and this permission notice shall be included in all copies or substantial
   portions of the Software.

   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
   LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN
   NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY,
   WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
   SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
*/
