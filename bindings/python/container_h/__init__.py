"""container_h - run a process in its own Linux container, from Python.

The binding of container.h (the C library, compiled into this package's extension from the
header itself: its structures cannot drift from it).  What a plugin host needs:

    import container_h
    r = container_h.run(["python3", "plugin.py"], input=b"...", memory="256m", pids=64,
                        timeout=10, binds=[("plugins", "/plugins")])
    r.returncode, r.stdout, r.stderr, r.timed_out, r.oom_killed, r.memory_peak

    with container_h.Container(["sh", "-c", "read x; echo $x"], stdin=container_h.PIPE,
                               stdout=container_h.PIPE) as c:
        out, _ = c.communicate(b"hello\\n", timeout=5)      # as subprocess.Popen
        c.returncode, c.result.memory_peak

The container is isolated by default (new namespaces, the host's /usr /bin /lib* /etc read-only on
a tmpfs root, no network, Docker's capability set, the library's seccomp filter); each keyword
argument loosens or limits one thing.  The manual is the comment at the top of container.h.

Errors of the library raise ContainerError (an OSError: errno, strerror, filename) with the step
that failed (ctr_step_name: "exec", "mount", "cgroup"...), errno, path and message.  Bad
arguments raise TypeError or ValueError before anything starts.

A container is killed when the thread that spawned it exits (the library's die-with-host, which
follows the spawning thread): spawn from a thread that outlives it, or pass die_with_host=False.
"""
import errno as _errno
import io
import locale
import os
import re
import resource as _resource
import select
import signal as _signal
import subprocess
import threading
import time

from ._container import ffi, lib

__all__ = ["run", "Container", "Result", "ContainerError", "PIPE", "DEVNULL", "STDOUT",
           "__version__"]

__version__ = ffi.string(lib.ctr_py_version).decode()

PIPE = subprocess.PIPE
DEVNULL = subprocess.DEVNULL
STDOUT = subprocess.STDOUT


class ContainerError(OSError):
    """A failure of the library: step (its name), errno, path and message (one line)."""

    def __init__(self, step, errno, path, message):
        super().__init__(errno, message, path or None)
        self.step = step
        self.path = path
        self.message = message

    def __str__(self):
        return "%s: %s" % (self.step, self.message)

    def __reduce__(self):
        return (ContainerError, (self.step, self.errno, self.path, self.message))


def _raise(err):
    raise ContainerError(ffi.string(lib.ctr_step_name(err.step)).decode(), err.sys_errno,
                         os.fsdecode(ffi.string(err.path)),
                         ffi.string(err.msg).decode("utf-8", "replace"))


class Result:
    """How a container ended (ctr_result), and what run() captured.

    returncode is the exit status, or -N when signal N killed the command (as subprocess);
    timed_out, oom_killed, memory_peak (bytes), wall_time, cpu_user_time and cpu_system_time
    (seconds) come from the library.  run() also fills stdout, stderr (bytes, or str with text)
    and stdout_truncated / stderr_truncated (max_output was reached)."""

    def __init__(self, args, res, stdout=None, stderr=None):
        self.args = args
        self.exited = bool(res.exited)
        self.exit_code = res.exit_code if res.exited else None
        self.signal = res.term_signal if res.signaled else None
        self.returncode = res.exit_code if res.exited else -res.term_signal
        self.timed_out = bool(res.timed_out)
        self.oom_killed = bool(res.oom_killed)
        self.memory_peak = res.memory_peak
        self.wall_time = res.wall_ns / 1e9
        self.cpu_user_time = res.cpu_user_ns / 1e9
        self.cpu_system_time = res.cpu_system_ns / 1e9
        self.stdout = stdout
        self.stderr = stderr
        self.stdout_truncated = False
        self.stderr_truncated = False

    def check_returncode(self):
        """Raises subprocess.CalledProcessError if the command did not exit with 0."""
        if self.returncode:
            raise subprocess.CalledProcessError(self.returncode, self.args, self.stdout,
                                                self.stderr)

    def __repr__(self):
        return ("Result(args=%r, returncode=%r, timed_out=%r, oom_killed=%r, memory_peak=%r)"
                % (self.args, self.returncode, self.timed_out, self.oom_killed, self.memory_peak))


# ---- the spec ----

_SIZE_UNITS = {"": 0, "k": 10, "m": 20, "g": 30, "t": 40}
_NAMESPACES = {"user": lib.CTR_NS_USER, "pid": lib.CTR_NS_PID, "net": lib.CTR_NS_NET,
               "ipc": lib.CTR_NS_IPC, "uts": lib.CTR_NS_UTS, "cgroup": lib.CTR_NS_CGROUP}
_CAPS = ("chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap "
         "linux_immutable net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner "
         "sys_module sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice "
         "sys_resource sys_time sys_tty_config mknod lease audit_write audit_control setfcap "
         "mac_override mac_admin syslog wake_alarm block_suspend audit_read perfmon bpf "
         "checkpoint_restore").split()
_RLIMITS = {"nofile": "RLIMIT_NOFILE", "nproc": "RLIMIT_NPROC", "core": "RLIMIT_CORE",
            "fsize": "RLIMIT_FSIZE", "stack": "RLIMIT_STACK", "as": "RLIMIT_AS",
            "cpu": "RLIMIT_CPU", "memlock": "RLIMIT_MEMLOCK", "data": "RLIMIT_DATA"}
_CGROUP = {None: 0, "auto": 0, "always": 1, "never": 2}


def _size(name, value):
    """Bytes from an int or a string such as "64m" (k, m, g, t: powers of 1024)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError("%s: expected bytes as an int or a string such as '64m', got %r"
                        % (name, value))
    if isinstance(value, str):
        m = re.match(r"^\s*(\d+)\s*([kmgt]?)(?:i?b)?\s*$", value, re.I)
        if not m:
            raise ValueError("%s: bad size %r (a number of bytes, or with a k, m or g suffix)"
                             % (name, value))
        value = int(m.group(1)) << _SIZE_UNITS[m.group(2).lower()]
    if value < 0 or value >= 1 << 64:
        raise ValueError("%s: %r is out of range" % (name, value))
    return value


def _memory(value):
    n = _size("memory", value)
    if n < 1 << 20:
        hint = "; did you mean '%sm'?" % value if isinstance(value, int) or \
            str(value).strip().isdigit() else ""
        raise ValueError("memory: %r is too little for a container (at least 1 MiB, "
                         "'1m')%s" % (value, hint))
    return n


def _cap_bits(name, caps):
    bits = 0
    if isinstance(caps, (str, int)):
        caps = [caps]
    for cap in caps:
        if isinstance(cap, int) and not isinstance(cap, bool):
            if not 0 <= cap < 64:
                raise ValueError("%s: capability number %d is out of range" % (name, cap))
            bits |= 1 << cap
            continue
        if not isinstance(cap, str):
            raise TypeError("%s: expected capability names or numbers, got %r" % (name, cap))
        c = cap.lower()
        if c == "all":
            bits |= lib.CTR_CAPS_ALL
            continue
        c = c[4:] if c.startswith("cap_") else c
        if c not in _CAPS:
            raise ValueError("%s: unknown capability %r (a name of capabilities(7) such as "
                             "'net_admin' or 'CAP_SYS_ADMIN', or 'all')" % (name, cap))
        bits |= 1 << _CAPS.index(c)
    return bits


class _Spec:
    """A ctr_spec and every buffer it points to, alive as long as this object."""

    def __init__(self, argv, rootfs=None, ro=False, binds=(), tmpfs=(), env=None, cwd=None,
                 hostname=None, uid=None, gid=None, init=False, network=None, share=(),
                 userns=False, memory=None, memory_swap=None, pids=None, cpus=None,
                 cpu_weight=None, io_weight=None, timeout=None, rlimits=None, cgroup=None,
                 cgroup_parent=None, cap_add=(), cap_drop=(), seccomp="default",
                 allow_new_privs=False, no_masks=False, no_default_mounts=False, shm_size=None,
                 die_with_host=True):
        self.keep = []
        s = self.spec = ffi.new("ctr_spec *")
        if isinstance(argv, (str, bytes, os.PathLike)):
            raise TypeError("argv: expected a list of arguments, not one string (as "
                            "subprocess without shell=True)")
        argv = list(argv)
        if not argv:
            raise ValueError("argv is empty: give the command to run")
        s.argv = self._strings(argv)
        if env is not None:
            items = env.items() if hasattr(env, "items") else None
            entries = ["%s=%s" % (os.fsdecode(k), os.fsdecode(v)) for k, v in items] \
                if items is not None else [os.fsdecode(e) for e in env]
            for e in entries:
                if "=" not in e or e.startswith("="):
                    raise ValueError("env: expected NAME=value entries, got %r" % e)
            s.env = self._strings(entries)
        if cwd is not None:
            s.cwd = self._string(cwd)
        if hostname is not None:
            s.hostname = self._string(hostname)
        if rootfs is not None:
            s.rootfs = self._string(os.path.abspath(os.fspath(rootfs)))
        s.readonly_root = bool(ro)
        s.no_default_mounts = bool(no_default_mounts)
        mounts = []
        for b in binds:
            if len(b) not in (2, 3) or (len(b) == 3 and b[2] not in ("ro", "rw")):
                raise ValueError("binds: expected (host_path, container_path) or (host_path, "
                                 "container_path, 'rw'|'ro'), got %r" % (b,))
            mounts.append((lib.CTR_MOUNT_BIND, os.path.abspath(os.fspath(b[0])), b[1],
                           lib.CTR_MOUNT_RW if len(b) == 3 and b[2] == "rw" else 0, 0))
        for t in tmpfs:
            target, size = (t, 0) if isinstance(t, (str, bytes, os.PathLike)) else t
            mounts.append((lib.CTR_MOUNT_TMPFS, None, target, 0,
                           _size("tmpfs size", size) if size else 0))
        if mounts:
            array = ffi.new("ctr_mount[]", len(mounts))
            self.keep.append(array)
            for m, (kind, source, target, flags, size) in zip(array, mounts):
                m.type = kind
                if source is not None:
                    m.source = self._string(source)
                m.target = self._string(target)
                m.flags = flags
                m.size = size
            s.mounts = array
            s.nmounts = len(mounts)
        if uid is not None:
            s.uid = uid
        if gid is not None:
            s.gid = gid
        s.init = bool(init)
        shared = 0
        for ns in ([share] if isinstance(share, str) else share):
            if ns not in _NAMESPACES:
                raise ValueError("share: unknown namespace %r (%s)"
                                 % (ns, ", ".join(_NAMESPACES)))
            shared |= _NAMESPACES[ns]
        if network not in (None, "none", "host"):
            raise ValueError("network: expected None, 'none' or 'host', got %r" % (network,))
        if network == "host":
            shared |= lib.CTR_NS_NET
        s.share = shared
        s.new_userns = bool(userns)
        s.no_die_with_host = not die_with_host
        if memory is not None:
            s.memory_max = _memory(memory)
        if memory_swap is not None:
            s.memory_swap_max = _size("memory_swap", memory_swap)
        if pids is not None:
            s.pids_max = pids
        if cpus is not None:
            s.cpus = cpus
        if cpu_weight is not None:
            s.cpu_weight = cpu_weight
        if io_weight is not None:
            s.io_weight = io_weight
        if timeout is not None:
            if not timeout > 0:
                raise ValueError("timeout: expected seconds above 0, got %r" % (timeout,))
            s.timeout_sec = timeout
        if rlimits:
            array = ffi.new("ctr_rlimit[]", len(rlimits))
            self.keep.append(array)
            for r, (name, value) in zip(array, dict(rlimits).items()):
                resource = name if isinstance(name, int) else \
                    _RLIMITS.get(name.lower().replace("rlimit_", ""))
                if resource is None:
                    raise ValueError("rlimits: unknown limit %r (%s)" % (name, ", ".join(_RLIMITS)))
                r.resource = getattr(_resource, resource) if isinstance(resource, str) \
                    else resource
                soft, hard = value if isinstance(value, tuple) else (value, value)
                r.soft = lib.CTR_RLIM_INFINITY if soft is None else soft
                r.hard = lib.CTR_RLIM_INFINITY if hard is None else hard
            s.rlimits = array
            s.nrlimits = len(rlimits)
        if cgroup not in _CGROUP:
            raise ValueError("cgroup: expected 'auto', 'always' or 'never', got %r" % (cgroup,))
        s.cgroup = _CGROUP[cgroup]
        if cgroup_parent is not None:
            s.cgroup_parent = self._string(cgroup_parent)
        s.cap_add = _cap_bits("cap_add", cap_add)
        s.cap_drop = _cap_bits("cap_drop", cap_drop)
        s.allow_new_privs = bool(allow_new_privs)
        if seccomp not in ("default", "none"):
            raise ValueError("seccomp: expected 'default' or 'none', got %r" % (seccomp,))
        s.seccomp = lib.CTR_SECCOMP_DEFAULT if seccomp == "default" else lib.CTR_SECCOMP_NONE
        s.no_masks = bool(no_masks)
        if shm_size is not None:
            s.shm_size = _size("shm_size", shm_size)

    def _string(self, value):
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        if isinstance(value, str):
            value = os.fsencode(value)
        if not isinstance(value, bytes):
            raise TypeError("expected a str, bytes or path, got %r" % (value,))
        if b"\0" in value:
            raise ValueError("embedded NUL byte in %r" % (value,))
        c = ffi.new("char[]", value)
        self.keep.append(c)
        return c

    def _strings(self, values):
        array = ffi.new("const char *[]", len(values) + 1)
        self.keep.append(array)
        for i, v in enumerate(values):
            array[i] = self._string(v)
        return array


# ---- a running container ----

def _fileno(name, value):
    if isinstance(value, int):
        return value
    if hasattr(value, "fileno"):
        return value.fileno()
    raise TypeError("%s: expected None, PIPE, DEVNULL, a file descriptor or a file object, "
                    "got %r" % (name, value))


class Container:
    """A running container, shaped like subprocess.Popen.

    Container(argv, stdin=None, stdout=None, stderr=None, text=False, encoding=None, errors=None,
              bufsize=-1, **spec) starts it (the keyword arguments of the spec are run()'s).
    stdin, stdout, stderr: None (inherited), PIPE (then self.stdin/stdout/stderr are file
    objects), DEVNULL, a file descriptor or a file object; stderr may be STDOUT.  pid, returncode
    (None while it runs), result (a Result once it has ended), poll(), wait(timeout=None),
    communicate(input=None, timeout=None), send_signal(), terminate(), kill() (SIGKILL: every
    process of the container), stats(), pause(), resume(), destroy().  As a context manager it
    closes the pipes and destroys the container (killing what still runs) on exit."""

    def __init__(self, argv, *, stdin=None, stdout=None, stderr=None, text=False, encoding=None,
                 errors=None, bufsize=-1, universal_newlines=None, **spec_options):
        self.args = argv
        self.returncode = None
        self.result = None
        self.stdin = self.stdout = self.stderr = None
        self._c = None
        self._lock = threading.Lock()
        self._comm = None
        self._max_output = None  # run(max_output=): what communicate keeps of each stream
        text = bool(text or universal_newlines or encoding or errors)
        spec = _Spec(argv, **spec_options)
        s = spec.spec
        merged = None  # our own pipe for stdout=PIPE, stderr=STDOUT
        if stdin is STDOUT:
            raise ValueError("stdin cannot be STDOUT")
        if stdout is STDOUT:
            raise ValueError("stdout cannot be STDOUT")
        for i, (name, value) in enumerate((("stdin", stdin), ("stdout", stdout),
                                           ("stderr", stderr))):
            if value is None:
                s.stdio[i] = lib.CTR_STDIO_INHERIT
            elif value is PIPE:
                s.stdio[i] = lib.CTR_STDIO_PIPE
            elif value is DEVNULL:
                s.stdio[i] = lib.CTR_STDIO_NULL
            elif value is STDOUT:  # stderr only
                if stdout is PIPE:
                    merged = os.pipe2(os.O_CLOEXEC)
                    for j in (1, 2):
                        s.stdio[j] = lib.CTR_STDIO_FD
                        s.stdio_fd[j] = merged[1]
                else:
                    s.stdio[2] = s.stdio[1]
                    s.stdio_fd[2] = s.stdio_fd[1]
            else:
                s.stdio[i] = lib.CTR_STDIO_FD
                s.stdio_fd[i] = _fileno(name, value)
        out = ffi.new("ctr_container **")
        err = ffi.new("ctr_error *")
        try:
            rc = lib.ctr_spawn(s, out, err)
        finally:
            if merged:
                os.close(merged[1])
        if rc != 0:
            if merged:
                os.close(merged[0])
            _raise(err)
        self._c = out[0]
        self.pid = lib.ctr_pid(self._c)
        # The pipes' host ends, as file objects of our own: a dup, and the library's copy closed
        # at once (the container sees EOF on stdin once ours is closed).
        for i, mode in ((0, "wb"), (1, "rb"), (2, "rb")):
            fd = lib.ctr_stdio_fd(self._c, i)
            if i == 1 and merged:
                fd = merged[0]
            elif fd < 0:
                continue
            else:
                fd = os.dup(fd)
                lib.ctr_close_stdio(self._c, i)
            f = io.open(fd, mode, buffering=bufsize)
            if text:
                f = io.TextIOWrapper(f, encoding=encoding, errors=errors,
                                     write_through=(i == 0), line_buffering=(i == 0 and
                                                                             bufsize == 1))
            setattr(self, ("stdin", "stdout", "stderr")[i], f)

    # -- waiting --

    def _handle(self):
        if self._c is None:
            raise ValueError("the container was destroyed")
        return self._c

    def _finish(self, res):
        self.result = Result(self.args, res)
        self.returncode = self.result.returncode
        return self.returncode

    def poll(self):
        """The returncode if the container has ended (then result is set), else None.  Kills it
        once its timeout has passed, as ctr_poll does."""
        if self.returncode is not None:
            return self.returncode
        with self._lock:
            if self.returncode is not None:
                return self.returncode
            res = ffi.new("ctr_result *")
            err = ffi.new("ctr_error *")
            rc = lib.ctr_poll(self._handle(), res, err)
            if rc < 0:
                _raise(err)
            return self._finish(res) if rc == 1 else None

    def wait(self, timeout=None):
        """Waits until the container has ended and returns returncode; raises
        subprocess.TimeoutExpired after timeout seconds (the container runs on)."""
        if self.returncode is not None:
            return self.returncode
        end = None if timeout is None else time.monotonic() + timeout
        p = select.poll()
        p.register(lib.ctr_pidfd(self._handle()), select.POLLIN)
        while True:
            if self.poll() is not None:
                return self.returncode
            wait_s = None if end is None else end - time.monotonic()
            if wait_s is not None and wait_s <= 0:
                raise subprocess.TimeoutExpired(self.args, timeout)
            deadline_ns = lib.ctr_deadline_ns(self._handle())
            if deadline_ns:  # the container's own timeout: ctr_poll kills it then
                until = max(0.0, (deadline_ns - time.monotonic_ns()) / 1e9)
                wait_s = until if wait_s is None else min(wait_s, until)
            p.poll(None if wait_s is None else max(1, int(wait_s * 1000 + 0.999)))

    def communicate(self, input=None, timeout=None):
        """As Popen.communicate: writes input to stdin (then closes it), reads stdout and stderr
        (those that are PIPE) to EOF, waits, and returns (stdout, stderr).  After
        subprocess.TimeoutExpired it may be called again (without input) to go on."""
        if self._comm is None:
            if input is not None and self.stdin is None:
                raise ValueError("communicate(input=...) needs stdin=PIPE")
            text = isinstance(self.stdout or self.stderr or self.stdin, io.TextIOWrapper)
            if input is not None and text and isinstance(input, str):
                input = input.encode(self.stdin.encoding, self.stdin.errors or "strict")
            self._comm = {"input": memoryview(input or b""), "out": [], "err": [], "text": text,
                          "kept": {"out": 0, "err": 0}, "truncated": {"out": False, "err": False}}
            if self.stdin is not None:
                self.stdin.flush()
                if input is None:
                    self.stdin.close()
        return self._communicate(timeout)

    def _raw(self, f):
        return f.buffer if isinstance(f, io.TextIOWrapper) else f

    def _communicate(self, timeout):
        comm = self._comm
        end = None if timeout is None else time.monotonic() + timeout
        fds = {}
        if self.stdin is not None and not self.stdin.closed:
            if len(comm["input"]):
                fds[self._raw(self.stdin).fileno()] = ("in", self.stdin)
            else:
                self.stdin.close()
        for name, f in (("out", self.stdout), ("err", self.stderr)):
            if f is not None and not f.closed:
                fds[self._raw(f).fileno()] = (name, f)
        p = select.poll()
        for fd, (name, _) in fds.items():
            p.register(fd, select.POLLOUT if name == "in" else select.POLLIN)
        while fds:
            wait_s = None if end is None else end - time.monotonic()
            if wait_s is not None and wait_s <= 0:
                raise subprocess.TimeoutExpired(self.args, timeout, self._joined("out"),
                                                self._joined("err"))
            deadline_ns = lib.ctr_deadline_ns(self._handle()) if self.returncode is None else 0
            if deadline_ns:
                until = max(0.0, (deadline_ns - time.monotonic_ns()) / 1e9)
                wait_s = until if wait_s is None else min(wait_s, until)
                if until == 0:
                    self.poll()  # kills the container at its deadline: the pipes then end
            for fd, event in p.poll(None if wait_s is None else max(1, int(wait_s * 1000 + 1))):
                name, f = fds[fd]
                if name == "in":
                    try:
                        n = os.write(fd, comm["input"][:65536])
                        comm["input"] = comm["input"][n:]
                    except BrokenPipeError:
                        comm["input"] = memoryview(b"")
                    if not len(comm["input"]):
                        p.unregister(fd)
                        del fds[fd]
                        self.stdin.close()
                else:
                    chunk = os.read(fd, 65536)
                    if not chunk:  # EOF
                        p.unregister(fd)
                        del fds[fd]
                        f.close()
                        continue
                    room = len(chunk) if self._max_output is None else \
                        self._max_output - comm["kept"][name]
                    if room < len(chunk):  # read on to EOF, keep no more than max_output
                        comm["truncated"][name] = True
                        chunk = chunk[:max(room, 0)]
                    if chunk:
                        comm[name].append(chunk)
                        comm["kept"][name] += len(chunk)
        self.wait(None if end is None else max(0, end - time.monotonic()))
        return self._joined("out", True), self._joined("err", True)

    def _joined(self, name, final=False):
        f = self.stdout if name == "out" else self.stderr
        if f is None:
            return None
        data = b"".join(self._comm[name])
        if self._comm["text"] and final:
            return data.decode(f.encoding, f.errors).replace("\r\n", "\n")
        return data

    # -- signals and the rest --

    def send_signal(self, sig):
        """Sends sig to the container's pid 1 (SIGKILL: to every process of it).  Nothing once
        it has ended."""
        if self.returncode is not None:
            return
        err = ffi.new("ctr_error *")
        if lib.ctr_kill(self._handle(), sig, err) != 0 and err.sys_errno != _errno.ESRCH:
            _raise(err)

    def terminate(self):
        self.send_signal(_signal.SIGTERM)

    def kill(self):
        self.send_signal(_signal.SIGKILL)

    def stats(self):
        """{'memory_current': bytes, 'pids_current': n, 'cpu_usage': seconds} while it runs
        (needs a cgroup: a limit, or cgroup='always')."""
        usage = ffi.new("ctr_usage *")
        err = ffi.new("ctr_error *")
        if lib.ctr_stats(self._handle(), usage, err) != 0:
            _raise(err)
        return {"memory_current": usage.memory_current, "pids_current": usage.pids_current,
                "cpu_usage": usage.cpu_usage_ns / 1e9}

    def pause(self):
        err = ffi.new("ctr_error *")
        if lib.ctr_pause(self._handle(), err) != 0:
            _raise(err)

    def resume(self):
        err = ffi.new("ctr_error *")
        if lib.ctr_resume(self._handle(), err) != 0:
            _raise(err)

    @property
    def cgroup_path(self):
        """The container's cgroup directory on the host, or None."""
        path = ffi.string(lib.ctr_cgroup_path(self._handle()))
        return os.fsdecode(path) if path else None

    def destroy(self):
        """Kills whatever still runs, reaps it, removes its cgroup and frees the handle (the
        result of a container that was waited for stays)."""
        for f in (self.stdin, self.stdout, self.stderr):
            if f is not None:
                try:
                    f.close()
                except OSError:
                    pass
        c, self._c = self._c, None
        if c is not None:
            lib.ctr_destroy(c)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.destroy()

    def __del__(self):
        if getattr(self, "_c", None) is not None:
            try:
                self.destroy()
            except Exception:  # at interpreter shutdown the module may be half gone
                pass

    def __repr__(self):
        return "<Container pid=%s returncode=%r args=%r>" % (getattr(self, "pid", None),
                                                              self.returncode, self.args)


def run(argv, *, input=None, timeout=None, max_output=None, check=False, text=False,
        encoding=None, errors=None, stdout=PIPE, stderr=PIPE, **spec_options):
    """Runs argv in a new container, feeds it input, captures its output and waits for it.

    Returns a Result: returncode (-N for signal N), stdout and stderr (bytes; str with text,
    encoding or errors), timed_out, oom_killed, memory_peak (bytes), wall_time, cpu times.  A
    timeout (seconds) kills the whole container and sets timed_out (no exception); check=True
    raises subprocess.CalledProcessError for a returncode other than 0.  max_output (bytes)
    bounds what is kept of each stream (the rest is read and dropped; stdout_truncated,
    stderr_truncated).  stdout and stderr may also be None (inherited), DEVNULL, a descriptor or
    a file object, and stderr STDOUT.  Without input the command's stdin is /dev/null.
    With both outputs captured (the default) this is the library's ctr_run, which runs in C with
    the GIL released: Python's signal handlers (KeyboardInterrupt) run once it has returned, so
    give a timeout, or use Container, whose wait() and communicate() stay interruptible.

    The container (the spec): rootfs (a directory; default: the host's /usr /bin /lib* /etc
    read-only on a tmpfs root), ro (read-only root), binds [(host_path, path[, 'rw'])] (read-only
    unless 'rw'; relative host paths are made absolute), tmpfs [path or (path, size)], env (a
    dict or "K=V" list; None: PATH and HOME only, never the host's), cwd, hostname, uid, gid,
    init, network ('host' to share it), share (namespace names), userns, memory (bytes or '64m',
    at least 1m), memory_swap, pids, cpus, cpu_weight, io_weight, rlimits ({'nofile': 1024,
    'core': (0, None)}: soft, hard; None = unlimited), cgroup ('always' for stats without a
    limit), cgroup_parent, cap_add, cap_drop (names or 'all'), seccomp ('default' or 'none'),
    allow_new_privs, no_masks, no_default_mounts, shm_size, die_with_host.  Section 2 of the
    manual at the top of container.h says what each does."""
    if max_output is not None and max_output < 0:
        raise ValueError("max_output: expected bytes >= 0, got %r" % (max_output,))
    text = bool(text or encoding or errors)
    if text and isinstance(input, str):
        input = input.encode(encoding or locale.getpreferredencoding(False), errors or "strict")
    if stdout is PIPE and stderr is PIPE and max_output != 0:  # (ctr_run's 0 means no cap)
        result = _run_library(argv, input, timeout, max_output, spec_options)
        if text:
            enc, errs = encoding or locale.getpreferredencoding(False), errors or "strict"
            result.stdout = result.stdout.decode(enc, errs).replace("\r\n", "\n")
            result.stderr = result.stderr.decode(enc, errs).replace("\r\n", "\n")
    else:  # another destination for stdout or stderr: a Container and its communicate()
        with Container(argv, stdin=DEVNULL if input is None else PIPE, stdout=stdout,
                       stderr=stderr, timeout=timeout, text=text, encoding=encoding,
                       errors=errors, **spec_options) as c:
            c._max_output = max_output
            out, err = c.communicate(input)
            result = c.result
            truncated = c._comm["truncated"]
        result.stdout, result.stderr = out, err
        result.stdout_truncated, result.stderr_truncated = truncated["out"], truncated["err"]
    if check:
        result.check_returncode()
    return result


def _run_library(argv, input, timeout, max_output, spec_options):
    """run() with both outputs captured: the library's ctr_run, which feeds the input, reads both
    pipes without deadlock, caps what it keeps and enforces the timeout (in C, the GIL released:
    Python's signal handlers, KeyboardInterrupt among them, run once it has returned)."""
    spec = _Spec(argv, timeout=timeout, **spec_options)
    if input is not None and not isinstance(input, (bytes, bytearray, memoryview)):
        raise TypeError("input: expected bytes (or str with text=True), got %r"
                        % type(input).__name__)
    data = ffi.from_buffer(input) if input else ffi.NULL
    output = ffi.new("ctr_output *")
    res = ffi.new("ctr_result *")
    err = ffi.new("ctr_error *")
    if lib.ctr_run(spec.spec, data, len(input) if input else 0, max_output or 0, output, res,
                   err) != 0:
        _raise(err)
    try:
        out = ffi.buffer(output.out, output.out_len)[:] if output.out else b""
        errs = ffi.buffer(output.err, output.err_len)[:] if output.err else b""
        result = Result(argv, res, out, errs)
        result.stdout_truncated = bool(output.out_truncated)
        result.stderr_truncated = bool(output.err_truncated)
    finally:
        lib.ctr_output_free(output)
    return result
