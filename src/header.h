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
