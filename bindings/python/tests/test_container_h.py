"""Tests of the Python binding (pytest).  Real containers: run as root (the memory tests need a
cgroup; as another user they are skipped), or where unprivileged user namespaces work.

    python3 -m pytest bindings/python/tests      (with container_h installed)
"""
import errno
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import container_h
from container_h import PIPE, STDOUT, DEVNULL, Container, ContainerError, run

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HEADER = os.environ.get("CONTAINER_H", os.path.join(REPO, "container.h"))
ROOT = os.geteuid() == 0


def needs_cgroup():
    if not ROOT:
        pytest.skip("a memory cgroup needs root")


# ---- the binding is the header ----

def test_version_is_the_headers():
    text = open(HEADER).read()
    want = re.search(r'^#define CONTAINER_VERSION_STRING "([^"]+)"', text, re.M).group(1)
    assert container_h.__version__ == want


def test_structures_are_the_headers(tmp_path):
    """Every field of the public structs at the offset the C compiler gives it, every struct of
    the size it has in C: the binding reads what the library writes."""
    ffi = container_h._container.ffi
    lines = []
    for struct in ("ctr_spec", "ctr_result", "ctr_error", "ctr_mount", "ctr_usage", "ctr_rlimit",
                   "ctr_seccomp_rule", "ctr_output"):
        lines.append('printf("%s %%zu\\n", sizeof(%s));' % (struct, struct))
        for name, _ in ffi.typeof(struct).fields:
            lines.append('printf("%s.%s %%zu\\n", offsetof(%s, %s));'
                         % (struct, name, struct, name))
    src = tmp_path / "layout.c"
    src.write_text('#include <stdio.h>\n#include <stddef.h>\n#include "container.h"\n'
                   "int main(void) {\n%s\nreturn 0;\n}\n" % "\n".join(lines))
    exe = tmp_path / "layout"
    subprocess.run(["cc", "-std=c99", "-I", os.path.dirname(HEADER), "-o", str(exe), str(src)],
                   check=True)
    got = {}
    for line in subprocess.run([str(exe)], check=True, capture_output=True,
                               text=True).stdout.splitlines():
        key, value = line.split()
        got[key] = int(value)
    assert len(got) > 60
    for key, value in got.items():
        if "." in key:
            struct, field = key.split(".")
            assert ffi.offsetof(struct, field) == value, key
        else:
            assert ffi.sizeof(key) == value, key
    # and the constants, from the compiler
    lib = container_h._container.lib
    assert lib.CTR_NS_NET == 0x04 and lib.CTR_RLIM_INFINITY == 2**64 - 1
    assert ffi.string(lib.ctr_step_name(lib.CTR_STEP_EXEC)) == b"exec"


# ---- run() ----

def test_run_captures_output_and_status():
    r = run(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"])
    assert (r.returncode, r.stdout, r.stderr) == (3, b"out\n", b"err\n")
    assert r.exited and r.exit_code == 3 and r.signal is None
    assert not r.timed_out and not r.oom_killed
    assert r.wall_time > 0
    with pytest.raises(subprocess.CalledProcessError):
        run(["/bin/sh", "-c", "exit 1"], check=True)
    assert run(["true"], check=True).returncode == 0


def test_run_is_isolated():
    r = run(["/bin/sh", "-c", "echo $$; hostname; ls /proc | grep -c '^[0-9]'; env | sort"],
            hostname="plugin", text=True)
    pid, host, nprocs, *env = r.stdout.split("\n")
    assert pid == "1" and host == "plugin"
    assert int(nprocs) <= 4  # sh, ls, grep: its own pid namespace
    assert "HOME=/" in env and not any(e.startswith("USER=") for e in env)


def test_run_input_larger_than_a_pipe():
    data = os.urandom(3 << 20)
    r = run(["cat"], input=data)
    assert r.returncode == 0 and r.stdout == data
    r = run(["/bin/sh", "-c", "cat; echo done >&2"], input="héllo", text=True)
    assert (r.stdout, r.stderr) == ("héllo", "done\n")


def test_run_without_input_reads_dev_null():
    r = run(["cat"], timeout=10)
    assert (r.returncode, r.stdout, r.timed_out) == (0, b"", False)


def test_run_timeout_kills_the_container():
    r = run(["/bin/sh", "-c", "echo started; sleep 30 & sleep 30"], timeout=0.5)
    assert r.timed_out and r.returncode == -signal.SIGKILL and r.signal == signal.SIGKILL
    assert r.stdout == b"started\n"
    assert r.wall_time < 20


def test_run_max_output():
    r = run(["/bin/sh", "-c", "yes | head -c 1000000; yes e | head -c 10 >&2"], max_output=100)
    assert r.returncode == 0
    assert r.stdout == b"y\n" * 50 and r.stdout_truncated
    assert r.stderr == b"e\n" * 5 and not r.stderr_truncated
    r = run(["/bin/sh", "-c", "echo a; echo b >&2"], max_output=0)
    assert (r.stdout, r.stderr, r.stdout_truncated, r.stderr_truncated) == (b"", b"", True, True)


def test_run_stderr_to_stdout_and_devnull():
    r = run(["/bin/sh", "-c", "echo a; echo b >&2; echo c"], stderr=STDOUT)
    assert r.stdout == b"a\nb\nc\n" and r.stderr is None
    r = run(["/bin/sh", "-c", "echo a; echo b >&2"], stdout=DEVNULL)
    assert r.stdout is None and r.stderr == b"b\n"


def test_run_env_cwd_uid_and_limits():
    r = run(["/bin/sh", "-c", "echo $A $PATH; pwd; id -u; id -g; ulimit -n"],
            env={"A": "1", "PATH": "/usr/bin:/bin"}, cwd="/tmp", uid=1000, gid=1000,
            rlimits={"nofile": 77}, pids=20, text=True)
    assert r.stdout.split("\n")[:5] == ["1 /usr/bin:/bin", "/tmp", "1000", "1000", "77"]
    assert run(["true"], env=["A=1"]).returncode == 0
    with pytest.raises(ValueError):
        run(["true"], env=["novalue"])


def test_binds_read_only_and_writable_relative(tmp_path, monkeypatch):
    (tmp_path / "in.txt").write_text("from the host\n")
    monkeypatch.chdir(tmp_path)
    r = run(["/bin/sh", "-c", "cat /data/in.txt; touch /data/x 2>/dev/null || echo read-only"],
            binds=[(".", "/data")], text=True)
    assert r.stdout == "from the host\nread-only\n"
    assert not (tmp_path / "x").exists()
    r = run(["/bin/sh", "-c", "echo made > /data/out.txt"], binds=[(".", "/data", "rw")])
    assert r.returncode == 0 and (tmp_path / "out.txt").read_text() == "made\n"
    r = run(["/bin/sh", "-c", "echo x > /t/f && cat /t/f; touch /y 2>/dev/null || echo ro"],
            ro=True, tmpfs=["/t"], text=True)
    assert r.stdout == "x\nro\n"


def test_rootfs(tmp_path, monkeypatch):
    """A directory of one's own as the root (relative, as any host path): build/tests/probe, the
    static program of the repository's tests, is its only program."""
    probe = os.path.join(REPO, "build", "tests", "probe")
    if not os.path.exists(probe):
        pytest.skip("build/tests/probe is not built (make)")
    root = tmp_path / "root"
    for d in ("bin", "proc", "dev", "tmp"):
        (root / d).mkdir(parents=True)
    (root / "bin" / "probe").write_bytes(open(probe, "rb").read())
    (root / "bin" / "probe").chmod(0o755)
    monkeypatch.chdir(tmp_path)
    r = run(["/bin/probe", "echo", "in", "rootfs"], rootfs="root")
    assert (r.returncode, r.stdout) == (0, b"in rootfs\n")
    r = run(["/bin/probe", "ls", "/"], rootfs=root)
    assert r.stdout == b"bin dev proc tmp\n"


# ---- errors ----

def test_errors_are_container_errors():
    with pytest.raises(ContainerError) as e:
        run(["/nonexistent-command"])
    assert isinstance(e.value, OSError)
    assert (e.value.step, e.value.errno, e.value.path) == ("exec", errno.ENOENT,
                                                          "/nonexistent-command")
    assert e.value.filename == "/nonexistent-command"
    assert "No such file or directory" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(ContainerError) as e:
        run(["true"], rootfs="/nonexistent-rootfs")
    assert (e.value.step, e.value.errno) == ("rootfs", errno.ENOENT)
    with pytest.raises(ContainerError) as e:
        run(["true"], binds=[("/nonexistent-src", "/x")])
    assert (e.value.step, e.value.path) == ("mount", "/nonexistent-src")
    with pytest.raises(ContainerError) as e:
        run(["true"], cwd="relative")
    assert (e.value.step, e.value.errno) == ("cwd", errno.EINVAL)


def test_bad_arguments_raise_before_anything_starts():
    with pytest.raises(ValueError, match=r"did you mean '512m'\?"):
        run(["true"], memory=512)
    with pytest.raises(ValueError, match="did you mean '100m'"):
        run(["true"], memory="100")
    with pytest.raises(ValueError):
        run(["true"], memory="lots")
    with pytest.raises(TypeError):
        run("true")
    with pytest.raises(ValueError):
        run([])
    with pytest.raises(ValueError):
        run(["true"], share=["bogus"])
    with pytest.raises(ValueError):
        run(["true"], cap_add=["bogus"])
    with pytest.raises(ValueError):
        run(["true\0x"])
    with pytest.raises(ValueError):
        run(["true"], binds=[("/tmp",)])


# ---- limits (root: a cgroup) ----

HOG = "x=$(head -c 300000000 /dev/zero | tr '\\0' a); echo survived"


def test_run_oom_killed():
    needs_cgroup()
    r = run(["/bin/sh", "-c", HOG], memory="32m")
    assert r.oom_killed and r.returncode == -signal.SIGKILL
    assert 16 << 20 <= r.memory_peak <= 36 << 20
    assert r.stdout == b""


def test_stats_pause_resume():
    needs_cgroup()
    with Container(["sleep", "30"], cgroup="always") as c:
        assert c.cgroup_path and os.path.isdir(c.cgroup_path)
        st = c.stats()
        assert st["memory_current"] >= 0 and st["pids_current"] >= 0
        c.pause()
        c.resume()
        assert c.poll() is None
        path = c.cgroup_path
    assert not os.path.exists(path)


# ---- Container, as subprocess.Popen ----

def test_container_pipes_and_wait():
    with Container(["/bin/sh", "-c", "read line; echo got $line; echo err >&2; exit 5"],
                   stdin=PIPE, stdout=PIPE, stderr=PIPE) as c:
        assert c.pid > 0 and os.path.exists("/proc/%d" % c.pid)
        c.stdin.write(b"hello\n")
        c.stdin.close()
        assert c.stdout.read() == b"got hello\n"
        assert c.stderr.read() == b"err\n"
        assert c.wait(timeout=20) == 5
        assert c.returncode == 5 and c.result.exit_code == 5
        assert c.poll() == 5


def test_container_text_mode():
    with Container(["cat"], stdin=PIPE, stdout=PIPE, text=True) as c:
        out, err = c.communicate("ünïcode\n", timeout=20)
    assert (out, err) == ("ünïcode\n", None)


def test_container_poll_kill_and_wait_timeout():
    with Container(["sleep", "30"]) as c:
        assert c.poll() is None
        with pytest.raises(subprocess.TimeoutExpired):
            c.wait(timeout=0.2)
        c.kill()
        assert c.wait(timeout=20) == -signal.SIGKILL
        c.kill()  # once it has ended: nothing, as Popen
        assert not c.result.timed_out


def test_container_terminate_with_init():
    with Container(["sleep", "30"], init=True) as c:
        c.terminate()
        assert c.wait(timeout=20) == -signal.SIGTERM


def test_container_timeout_in_wait():
    with Container(["sleep", "30"], timeout=0.3) as c:
        assert c.wait() == -signal.SIGKILL
        assert c.result.timed_out


def test_communicate_timeout_then_again():
    with Container(["/bin/sh", "-c", "echo first; sleep 1; echo second"], stdout=PIPE) as c:
        with pytest.raises(subprocess.TimeoutExpired) as e:
            c.communicate(timeout=0.2)
        assert e.value.output in (b"", b"first\n")
        out, _ = c.communicate(timeout=20)
        assert out == b"first\nsecond\n" and c.returncode == 0


def test_context_manager_destroys(tmp_path):
    with Container(["sleep", "30"], stdout=PIPE) as c:
        pid = c.pid
        assert os.path.exists("/proc/%d" % pid)
    assert c.stdout.closed
    assert not os.path.exists("/proc/%d/status" % pid) or \
        "Z" in open("/proc/%d/status" % pid).read().split("State:")[1][:4]
    with pytest.raises(ValueError):
        c.poll()


def test_stdio_to_file_objects(tmp_path):
    out = open(tmp_path / "out", "wb")
    with Container(["/bin/sh", "-c", "echo to-file"], stdout=out, stdin=DEVNULL) as c:
        assert c.wait(timeout=20) == 0
    out.close()
    assert (tmp_path / "out").read_bytes() == b"to-file\n"


def test_many_threads_at_once():
    results = [None] * 8

    def worker(i):
        results[i] = run(["/bin/sh", "-c", "echo %d" % i], timeout=30)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.stdout for r in results] == [b"%d\n" % i for i in range(8)]


def test_unprivileged_caller(tmp_path):
    """As uid 65534 (a user namespace of its own, where the kernel allows it)."""
    if not ROOT:
        pytest.skip("runs itself as uid 65534 through setpriv: needs root")
    if not os.path.exists("/usr/bin/setpriv"):
        pytest.skip("setpriv (util-linux) is missing")
    code = textwrap.dedent("""
        import container_h
        r = container_h.run(["/bin/sh", "-c", "id -u; cat /proc/self/uid_map"])
        print(r.returncode, r.stdout.decode().split())
    """)
    p = subprocess.run(["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        sys.executable, "-c", code], capture_output=True, text=True,
                       cwd="/", env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    if p.returncode != 0 and "userns" in p.stderr and os.environ.get(
            "CONTAINER_TEST_MUST_WORK") != "1":
        pytest.skip("no unprivileged user namespaces: " + p.stderr.strip()[-200:])
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "0 ['0', '0', '65534', '1']"
