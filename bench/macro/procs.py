"""Process-model measurements of bench/macro (see bench/README.md).

- idle keep-alive memory: ``--scenarios idle-10k`` (``--idle-conns N``)
- MPM variants, two worker processes each: ``--mpm-compare`` (runs in
  macro.py's main loop; this file makes its server variants)
- accept serialization: ``--accept-compare``

Python 3 standard library only. All traffic goes to 127.0.0.1; every loop is
bounded in count and time; every server started here is stopped here (and
recorded in the wrapper's pid file for its backstop).
"""

import datetime
import errno
import fnmatch
import os
import re
import resource
import selectors
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time

import macro as M

log = M.log

# --------------------------------------------------------------------------
# variants

MPMS = ("prefork", "worker", "event")
# Mutex mpm-accept methods, as httpd spells them ("default" is APR's default:
# pthread on this Debian build, see `apache2 -V`: APR_USE_PROC_PTHREAD_SERIALIZE).
MUTEX_METHODS = ("default", "flock", "fcntl", "sysvsem", "posixsem", "pthread", "none")
# ListenCoresBucketsRatio for the ":reuseport" variants: buckets = online CPUs
# / ratio, so 1 gives one SO_REUSEPORT listening socket per CPU (2 here).
BUCKETS_RATIO = 1

MPM_VARIANTS = ["sonora-prefork", "sonora-worker", "sonora-event", "nginx",
                "apache-prefork", "apache-worker", "apache-event"]
MPM_DEFAULT = ["sonora-prefork", "sonora-worker", "sonora-event", "nginx", "apache-event"]


def accept_variant_labels():
    out = []
    for mpm in ("prefork", "worker"):
        out += [f"sonora-{mpm}:{m}" for m in MUTEX_METHODS]
    out += ["sonora-prefork:reuseport", "sonora-worker:reuseport", "sonora-event:reuseport", "sonora-event"]
    out += [f"apache-prefork:{m}" for m in MUTEX_METHODS]
    out += ["apache-event", "apache-event:reuseport", "nginx", "nginx:reuseport"]
    return out


def describe_accept(label):
    """What serializes (or spreads) accepts in a variant, for the report."""
    base, _, how = label.partition(":")
    server, _, mpm = base.partition("-")
    if how == "reuseport":
        if server == "nginx":
            return "listen … reuseport (one socket per worker)"
        return f"ListenCoresBucketsRatio {BUCKETS_RATIO} (SO_REUSEPORT buckets)"
    if how:
        return f"Mutex {how} mpm-accept"
    if server == "nginx":
        return "accept_mutex off (default; EPOLLEXCLUSIVE)"
    if server == "sonora" and mpm == "event":
        return "no mutex (EPOLLEXCLUSIVE, event default)"
    return "no mutex (MPM default)"


def parse_label(label):
    """'sonora-prefork:flock' -> ('sonora', 'prefork', 'flock')."""
    base, _, how = label.partition(":")
    server, _, mpm = base.partition("-")
    return server, (mpm or None), (how or None)


def make_variant(label, args, root, docroot, nports=1):
    server, mpm, how = parse_label(label)
    if server not in ("sonora", "apache", "nginx"):
        raise ValueError(f"unknown variant {label!r}")
    if server == "nginx":
        if mpm is not None or how not in (None, "reuseport"):
            raise ValueError(f"unknown variant {label!r}")
    elif mpm not in MPMS or (how not in (None, "reuseport") and how not in MUTEX_METHODS):
        raise ValueError(f"unknown variant {label!r}")
    srv = M.SERVER_CLASSES[server](args, root, docroot, 0)
    srv.label = label
    srv.v = M.Variant(mpm=mpm, procs=args.procs, nports=nports,
                      mutex=how if how in MUTEX_METHODS else None,
                      buckets=BUCKETS_RATIO if how == "reuseport" else None)
    return srv


def expected_procs(srv):
    """Processes a variant runs once up: master/parent + its children."""
    n = (srv.v.procs or 1) + 1
    if srv.name == "sonora" and srv.v.mpm is None and "-X" in shlex.split(srv.args.sonora_flags):
        n = 1
    if srv.name in ("lighttpd",):
        n = 1
    if srv.name == "h2o":
        n = 2  # the server and its crash-report helper
    return n


def list_variants(args):
    lines = ["--mpm-compare (--servers picks among these; default: " + ",".join(MPM_DEFAULT) + "):"]
    lines += [f"  {v}" for v in MPM_VARIANTS]
    lines.append("--accept-compare (--accept-variants takes shell patterns over these; default: all):")
    lines += [f"  {v:26} {describe_accept(v)}" for v in accept_variant_labels()]
    return "\n".join(lines)


# --------------------------------------------------------------------------
# bringing a server up and down


def bring_up(args, srv, ports, state_file):
    """Config, config test, start, health check on every port, wait for all
    its processes. Returns None when up, else the reason it is not (and then
    it is stopped)."""
    if not srv.available():
        return f"binary not found ({srv.binary})"
    srv.port = ports.take()
    srv.extra_ports = [ports.take() for _ in range(srv.v.nports - 1)]
    srv.write_config()
    rc, out = srv.check_config()
    if rc != 0:
        text = " ".join(out.replace(srv.root, "…").split())
        return f"config test failed: {text[-300:]}"
    for p in srv.ports:
        if not M.port_is_free(p):
            return f"port {p} taken before start"
    srv.start(state_file)
    for p in srv.ports:
        why = M.health_check(p, alive=srv.alive)
        if why:
            tail = srv.tail_output(5)
            srv.stop()
            return f"health check failed on port {p}: {why}" + (f" ({tail[-200:]})" if tail else "")
    # Children come up after the parent answers; wait (bounded) for all.
    want = expected_procs(srv)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(M.process_tree(srv.pid)) < want:
        time.sleep(0.1)
    return None


# --------------------------------------------------------------------------
# /proc: memory, sockets


def proc_memory(pid):
    """{'pss', 'private', 'rss'} in KiB from /proc/PID/smaps_rollup (or smaps)."""
    vals = {"Pss": 0, "Private_Clean": 0, "Private_Dirty": 0, "Rss": 0}
    for name in ("smaps_rollup", "smaps"):
        try:
            with open(f"/proc/{pid}/{name}") as f:
                for line in f:
                    k, _, rest = line.partition(":")
                    if k in vals:
                        vals[k] += int(rest.split()[0])
            break
        except (OSError, ValueError, IndexError):
            continue
    return {"pss": vals["Pss"], "private": vals["Private_Clean"] + vals["Private_Dirty"], "rss": vals["Rss"]}


def tree_memory(root):
    total = {"pss": 0, "private": 0, "rss": 0}
    pids = M.process_tree(root)
    for p in pids:
        for k, v in proc_memory(p).items():
            total[k] += v
    total["nprocs"] = len(pids)
    return total


def tcp_sockets(port, state):
    """Sockets in /proc/net/tcp(6) whose LOCAL port is `port`, in the given
    state ('01' ESTABLISHED, '0A' LISTEN)."""
    n = 0
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f, None)
                for line in f:
                    parts = line.split(None, 4)
                    if len(parts) >= 4 and parts[3] == state and int(parts[1].rsplit(":", 1)[1], 16) == port:
                        n += 1
        except OSError:
            continue
    return n


def raise_nofile(want, need):
    """Raises this process's RLIMIT_NOFILE towards `want` (the servers it
    starts inherit it): the hard limit too where allowed (CAP_SYS_RESOURCE),
    else up to the hard limit. Returns (limit, None) or (limit, why not) when
    it stays below `need`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < want:
        try:
            with open("/proc/sys/fs/nr_open") as f:
                cap = int(f.read())
        except (OSError, ValueError):
            cap = want
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, min(want, cap)))
        except (ValueError, OSError):
            pass  # no CAP_SYS_RESOURCE: stay within the hard limit
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, want), hard)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft < need:
        return soft, (f"the open-files limit is {soft} (hard {hard}), {need} needed; "
                      "raise `ulimit -Hn` or use a smaller --idle-conns")
    return soft, None


def local_port_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
        return hi - lo + 1
    except (OSError, ValueError):
        return 28232


# --------------------------------------------------------------------------
# idle keep-alive client


def parse_head(buf):
    """(status, content_length, close) once the head is complete, else None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buf[:end]).decode("latin-1").split("\r\n")
    try:
        status = int(head[0].split()[1])
    except (IndexError, ValueError):
        status = 0
    length, close = None, False
    for h in head[1:]:
        k, _, val = h.partition(":")
        k = k.strip().lower()
        if k == "content-length":
            try:
                length = int(val.strip())
            except ValueError:
                pass
        elif k == "connection" and "close" in val.lower():
            close = True
    return status, length, close, end + 4


def hard_close(s):
    """Close with RST (SO_LINGER 0): no TIME_WAIT left on the client side."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    except OSError:
        pass
    s.close()


def open_idle(port, n, path, batch, timeout):
    """Opens n keep-alive connections to 127.0.0.1:port, at most `batch` at
    a time being set up; on each sends one GET and reads the whole response.
    Returns (idle sockets, {failure reason: count}, seconds). Bounded by
    `timeout` seconds; whatever is not done by then counts as failed."""
    req = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: sonora-bench-idle\r\n\r\n".encode()
    sel = selectors.DefaultSelector()
    idle, failed = [], {}
    started = 0
    pending = 0
    t0 = time.monotonic()
    deadline = t0 + timeout

    def fail(s, why):
        nonlocal pending
        failed[why] = failed.get(why, 0) + 1
        try:
            sel.unregister(s)
        except (KeyError, ValueError):
            pass
        hard_close(s)
        pending -= 1

    try:
        while (started < n or pending) and time.monotonic() < deadline:
            while pending < batch and started < n:
                started += 1
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                err = s.connect_ex(("127.0.0.1", port))
                if err not in (0, errno.EINPROGRESS):
                    failed[f"connect: {errno.errorcode.get(err, err)}"] = failed.get(
                        f"connect: {errno.errorcode.get(err, err)}", 0) + 1
                    s.close()
                    continue
                pending += 1
                sel.register(s, selectors.EVENT_WRITE, {"phase": "connect", "buf": bytearray()})
            for key, _ev in sel.select(timeout=0.2):
                s, st = key.fileobj, key.data
                if st["phase"] == "connect":
                    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        fail(s, f"connect: {errno.errorcode.get(err, err)}")
                        continue
                    try:
                        sent = s.send(req)
                    except OSError as e:
                        fail(s, f"send: {e.__class__.__name__}")
                        continue
                    if sent != len(req):
                        fail(s, "short send")
                        continue
                    st["phase"] = "read"
                    sel.modify(s, selectors.EVENT_READ, st)
                    continue
                try:
                    data = s.recv(65536)
                except BlockingIOError:
                    continue
                except OSError as e:
                    fail(s, f"recv: {e.__class__.__name__}")
                    continue
                if not data:
                    fail(s, "closed before the response ended")
                    continue
                st["buf"] += data
                head = parse_head(st["buf"])
                if head is None:
                    if len(st["buf"]) > 65536:
                        fail(s, "response head too long")
                    continue
                status, length, close, body_at = head
                if length is None:
                    fail(s, "no Content-Length")
                    continue
                if len(st["buf"]) < body_at + length:
                    continue
                if status != 200:
                    fail(s, f"status {status}")
                elif close:
                    fail(s, "server sent Connection: close")
                elif len(st["buf"]) > body_at + length:
                    fail(s, "extra bytes after the response")
                else:
                    sel.unregister(s)
                    st["buf"] = None
                    idle.append(s)
                    pending -= 1
        for key in list(sel.get_map().values()):
            fail(key.fileobj, "not done in time")
        if started < n:
            failed["not started in time"] = n - started
    finally:
        sel.close()
    return idle, failed, time.monotonic() - t0


def client_still_open(socks):
    """(open, closed, with unexpected data) among idle client sockets: a
    socket the server closed polls readable with EOF (or HUP/ERR)."""
    import select
    pollin, rdhup = select.POLLIN, getattr(select, "POLLRDHUP", 0x2000)
    bad = select.POLLHUP | select.POLLERR | rdhup
    p = select.poll()
    by_fd = {}
    for s in socks:
        by_fd[s.fileno()] = s
        p.register(s, pollin | rdhup)
    closed = data = 0
    for fd, ev in p.poll(0):
        s = by_fd[fd]
        if ev & bad:
            closed += 1
            continue
        try:
            got = s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            continue
        except OSError:
            closed += 1
            continue
        if got:
            data += 1
        else:
            closed += 1
    return len(socks) - closed, closed, data


def idle_measure(args, srv):
    n = args.idle_conns
    res = {"asked": n, "errors": []}
    # Warm-up: the request's code paths (and the first pool growth) before the baseline.
    w, wf, _ = open_idle(srv.port, min(n, 100), args.idle_path, args.idle_batch, 20)
    for s in w:
        hard_close(s)
    if wf:
        res["errors"].append("warm-up: " + ", ".join(f"{k} ×{v}" for k, v in wf.items()))
    time.sleep(1.0)
    before = tree_memory(srv.pid)
    socks, failed, secs = open_idle(srv.port, n, args.idle_path, args.idle_batch, args.idle_open_timeout)
    try:
        time.sleep(args.idle_settle)
        after = tree_memory(srv.pid)
        est = tcp_sockets(srv.port, "01")
        still, closed, data = client_still_open(socks)
    finally:
        for s in socks:
            hard_close(s)
    res.update(opened=len(socks), open_s=secs, still_open=still, server_established=est,
               pss_before=before["pss"], pss_after=after["pss"], private_before=before["private"],
               private_after=after["private"], rss_before=before["rss"], rss_after=after["rss"],
               nprocs=after["nprocs"])
    if failed:
        res["errors"].append("not opened: " + ", ".join(f"{k} ×{v}" for k, v in sorted(failed.items())))
    if closed:
        res["errors"].append(f"{closed} closed by the server before the measurement")
    if data:
        res["errors"].append(f"{data} got unexpected bytes while idle")
    if still < n:
        res["errors"].append(f"only {still} of {n} open at the measurement")
    if secs + args.idle_settle >= M.KEEPALIVE_TIMEOUT - 5:
        res["errors"].append("opening took close to the keep-alive timeout")
    held = still if still > 0 else 0
    res["kib_pss"] = (after["pss"] - before["pss"]) / held if held else float("nan")
    res["kib_private"] = (after["private"] - before["private"]) / held if held else float("nan")
    return res


# --------------------------------------------------------------------------
# wrk against one or more ports at once


def run_wrk_multi(args, ports, scenario, duration, conns):
    """One wrk per port, all at once (wrk takes one URL), all on the client
    CPU; `conns` split over them. Totals summed; p50/p99 the worst of them."""
    k = len(ports)
    split = [conns // k + (1 if i < conns % k else 0) for i in range(k)]
    procs = []
    for p, c in zip(ports, split):
        procs.append(subprocess.Popen(M.wrk_cmd(args, p, scenario, duration, conns=c), stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL))
    parts = []
    for pr in procs:
        try:
            out, err = pr.communicate(timeout=duration + 30)
            parts.append(M.parse_wrk(pr.returncode, out, err))
        except subprocess.TimeoutExpired:
            pr.kill()
            pr.communicate(timeout=10)
            parts.append({"error": "wrk timed out"})
    bad = [r["error"] for r in parts if "error" in r]
    if bad:
        return {"error": "; ".join(bad)}
    res = {"requests": sum(r["requests"] for r in parts), "duration_us": max(r["duration_us"] for r in parts),
           "rps": sum(r["rps"] for r in parts), "p50_us": max(r["p50_us"] for r in parts),
           "p99_us": max(r["p99_us"] for r in parts), "per_port_rps": [r["rps"] for r in parts],
           "errors": []}
    for p, r in zip(ports, parts):
        res["errors"] += [f"port {p}: {e}" if k > 1 else e for e in r["errors"]]
    return res


# --------------------------------------------------------------------------
# syscall counters: perf tracepoints, or strace -c


TRACING_DIRS = ("/sys/kernel/tracing/events/syscalls", "/sys/kernel/debug/tracing/events/syscalls")
WAIT_CALLS = ("epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "ppoll", "select", "pselect6")
# (our key, tracepoint, filter): the sys_exit_* of the waits count returns
# (wake-ups); accept calls are counted on entry, successes on exit.
PERF_EVENTS = [("wait", f"sys_exit_{c}", None) for c in WAIT_CALLS] + [
    ("accept_calls", "sys_enter_accept4", None), ("accept_calls", "sys_enter_accept", None),
    ("accept_ok", "sys_exit_accept4", "ret >= 0"), ("accept_ok", "sys_exit_accept", "ret >= 0"),
    ("flock", "sys_enter_flock", None),
    # F_SETLK 6, F_SETLKW 7, F_OFD_SETLK 37, F_OFD_SETLKW 38: the record locks APR's fcntl mutex takes.
    ("fcntl_lock", "sys_enter_fcntl", "cmd == 6 || cmd == 7 || cmd == 37 || cmd == 38"),
    ("semop", "sys_enter_semop", None), ("semop", "sys_enter_semtimedop", None),
    ("futex", "sys_enter_futex", None),
]
STRACE_CALLS = list(WAIT_CALLS) + ["accept4", "accept", "flock", "fcntl", "semop", "semtimedop", "futex"]
STRACE_CALLS.remove("epoll_pwait2")  # older strace builds do not know it
KEYS = ("wait", "accept_calls", "accept_ok", "flock", "fcntl_lock", "semop", "futex")


def perf_events():
    """The tracepoints of PERF_EVENTS this kernel has."""
    for d in TRACING_DIRS:
        if os.path.isdir(d):
            return [e for e in PERF_EVENTS if os.path.isdir(os.path.join(d, e[1]))]
    return list(PERF_EVENTS)  # cannot list them here: let perf try


def perf_works():
    """None if `perf stat` can count syscall tracepoints here, else why not."""
    if shutil.which("perf") is None:
        return "perf not installed"
    try:
        r = subprocess.run(["perf", "stat", "-x,", "-e", "syscalls:sys_exit_accept4", "--", "true"],
                           capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as e:
        return f"perf failed: {e}"
    text = r.stdout + r.stderr
    if r.returncode != 0 or "sys_exit_accept4" not in text or "<not supported>" in text:
        return "perf cannot count syscall tracepoints: " + M.cell(text.strip()[-150:])
    return None


class PerfCounter:
    """perf stat --per-thread on the server's threads, for the measured run."""

    def __init__(self, pids, workdir, tag):
        self.out = os.path.join(workdir, f"perf-{tag}.csv")
        self.errf = os.path.join(workdir, f"perf-{tag}.err")
        self.events = perf_events()
        cmd = ["perf", "stat", "--per-thread", "-x,", "-o", self.out]
        for _key, tp, filt in self.events:
            cmd += ["-e", f"syscalls:{tp}"]
            if filt:
                cmd += ["--filter", filt]
        cmd += ["-p", ",".join(str(p) for p in pids)]
        self.tgid = {}
        for p in pids:
            try:
                for t in os.listdir(f"/proc/{p}/task"):
                    self.tgid[int(t)] = p
            except OSError:
                pass
        with open(self.errf, "w") as ef:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=ef, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        time.sleep(0.5)  # attach to every thread before the load starts

    def stop(self):
        """{'total': {key: n}, 'by_pid': {pid: {key: n}}} or {'error': ...}."""
        if self.proc.poll() is not None:
            with open(self.errf, errors="replace") as f:
                return {"error": "perf exited early: " + M.cell(f.read().strip()[-200:])}
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
            return {"error": "perf did not stop"}
        key_of = {tp: key for key, tp, _ in self.events}
        total = {k: 0 for k in KEYS}
        by_pid = {}
        try:
            with open(self.out, errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            return {"error": "no perf output"}
        seen = False
        for line in lines:
            parts = line.split(",")
            if len(parts) < 4 or line.startswith("#"):
                continue
            ev = parts[3].split(":")[-1]
            key = key_of.get(ev)
            if key is None:
                continue
            seen = True
            try:
                n = int(float(parts[1]))
            except ValueError:
                continue  # <not counted>
            tid_s = parts[0].rsplit("-", 1)[-1]
            pid = self.tgid.get(int(tid_s), 0) if tid_s.isdigit() else 0
            total[key] += n
            by_pid.setdefault(pid, {k: 0 for k in KEYS})[key] += n
        if not seen:
            return {"error": "perf output unreadable"}
        return {"total": total, "by_pid": by_pid, "source": "perf"}


STRACE_LINE = re.compile(r"^(\d+)\s+(\w+)\((.*)$")
STRACE_RESUMED = re.compile(r"^(\d+)\s+<\.\.\. (\w+) resumed>(.*)$")
STRACE_RET = re.compile(r"\)\s+=\s+(-?\d+|\?)")
FCNTL_LOCK_CMDS = ("F_SETLK", "F_SETLKW", "F_OFD_SETLK", "F_OFD_SETLKW", "F_SETLK64", "F_SETLKW64")


def parse_strace_log(path, tgid):
    """strace -f output -> ({key: n}, {pid: {key: n}}). Completed calls
    only; a call split by another thread's line (<unfinished ...> then
    <... resumed>) counts once, when it returns."""
    total = {k: 0 for k in KEYS}
    by_pid = {}
    pending = {}
    try:
        f = open(path, errors="replace")
    except OSError:
        return None, None
    with f:
        for line in f:
            m = STRACE_LINE.match(line)
            if m:
                tid, name, rest = int(m.group(1)), m.group(2), m.group(3)
                if rest.rstrip().endswith("<unfinished ...>"):
                    pending[tid] = (name, rest)
                    continue
                args_text = rest
            else:
                m = STRACE_RESUMED.match(line)
                if not m:
                    continue
                tid, name, rest = int(m.group(1)), m.group(2), m.group(3)
                args_text = pending.pop(tid, (name, ""))[1] + rest
            r = STRACE_RET.search(rest)
            if not r or r.group(1) == "?":
                continue
            ret = int(r.group(1))
            keys = []
            if name in WAIT_CALLS:
                keys = ["wait"]
            elif name in ("accept", "accept4"):
                keys = ["accept_calls"] + (["accept_ok"] if ret >= 0 else [])
            elif name == "flock":
                keys = ["flock"]
            elif name == "fcntl":
                parts = args_text.split(",", 2)
                if len(parts) > 1 and parts[1].strip() in FCNTL_LOCK_CMDS:
                    keys = ["fcntl_lock"]
            elif name in ("semop", "semtimedop"):
                keys = ["semop"]
            elif name == "futex":
                keys = ["futex"]
            pid = tgid.get(tid, tid)
            for k in keys:
                total[k] += 1
                by_pid.setdefault(pid, {kk: 0 for kk in KEYS})[k] += 1
    return total, by_pid


def strace_counts(args, srv, workdir, tag):
    """Separate run under strace -f (slow: only the ratios count), every
    traced call written out so that fcntl lock commands can be told apart
    and accepts attributed to processes."""
    pids = M.process_tree(srv.pid)
    tgid = {}
    for p in pids:
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                tgid[int(t)] = p
        except OSError:
            pass
    out = os.path.join(workdir, f"strace-{tag}.txt")
    errf = os.path.join(workdir, f"strace-{tag}.err")
    cmd = ["strace", "-f", "-qq", "-e", "signal=none", "-e", "trace=" + ",".join(STRACE_CALLS), "-o", out]
    for p in pids:
        cmd += ["-p", str(p)]
    with open(errf, "w") as ef:
        st = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=ef, stdin=subprocess.DEVNULL,
                              start_new_session=True)
    time.sleep(1.0)  # -qq: no "attached" lines to wait for
    if st.poll() is not None:
        with open(errf, errors="replace") as f:
            return {"error": "strace exited: " + M.cell(f.read().strip()[-200:])}
    try:
        res = run_wrk_multi(args, srv.ports, "accept-6k-close", args.strace_duration, args.accept_conns)
    finally:
        st.send_signal(signal.SIGINT)
        try:
            st.wait(timeout=20)
        except subprocess.TimeoutExpired:
            st.kill()
            st.wait(timeout=5)
            res = {"error": "strace did not detach"}
    if "error" in res:
        return {"error": "strace run: " + res["error"]}
    total, by_pid = parse_strace_log(out, tgid)
    if total is None or not any(total.values()):
        return {"error": "no strace data"}
    return {"total": total, "by_pid": by_pid, "source": "strace", "requests": res["requests"]}


# --------------------------------------------------------------------------
# accept-compare measurement


def accept_measure(args, srv, counter, workdir, tag):
    sc = "accept-6k-close"
    if args.warmup > 0:
        run_wrk_multi(args, srv.ports, sc, args.warmup, args.accept_conns)
    pids = M.process_tree(srv.pid)
    ctx0 = M.ctx_switches(pids)
    cpu0, _ = M.tree_cpu_ticks(srv.pid)
    busy0 = M.cpu_busy_ticks(args.server_cpu)
    perf = PerfCounter(pids, workdir, tag) if counter == "perf" else None
    try:
        res = run_wrk_multi(args, srv.ports, sc, args.duration, args.accept_conns)
    finally:
        counts = perf.stop() if perf else None
    busy1 = M.cpu_busy_ticks(args.server_cpu)
    cpu1, pids1 = M.tree_cpu_ticks(srv.pid)
    ctx1 = M.ctx_switches(pids1)
    if "error" in res:
        return res
    n = res["requests"]
    res["nprocs"] = len(pids1)
    if set(pids1) != set(pids):
        res["errors"].append("the server's processes changed during the run")
    res["listen_sockets"] = [tcp_sockets(p, "0A") for p in srv.ports]
    cpu_s = (cpu1 - cpu0) / M.CLK_TCK
    res["cpu_s"] = cpu_s
    res["cpu_us_per_req"] = cpu_s * 1e6 / n if n else float("nan")
    res["cpu_util"] = cpu_s / (res["duration_us"] / 1e6) if res["duration_us"] else 0.0
    total = busy1[1] - busy0[1]
    res["other_cpu0"] = max(0.0, (busy1[0] - busy0[0] - (cpu1 - cpu0)) / total) if total > 0 else 0.0
    res["wakeups"] = M.wakeups_between(ctx0, ctx1)
    if counter == "strace" and srv.alive():
        counts = strace_counts(args, srv, workdir, tag)
    res["counts"] = counts
    if counts and "error" in counts:
        res["errors"].append(counts["error"])
    # Accepted connections: the counter's successful accepts (perf: this very
    # run); else wrk's requests (Connection: close: one request each).
    accepted = n
    if counts and "total" in counts and counts["source"] == "perf" and counts["total"]["accept_ok"]:
        accepted = counts["total"]["accept_ok"]
    res["accepted"] = accepted
    res["wakeups_per_conn"] = res["wakeups"] / accepted if accepted else float("nan")
    if counts and "total" in counts:
        t = counts["total"]
        base = t["accept_ok"] or 1
        res["per_conn"] = {k: t[k] / base for k in KEYS}
        # A process already blocked in accept() when perf attached returns
        # without a counted entry: clamp at zero.
        res["per_conn"]["eagain"] = max(0, t["accept_calls"] - t["accept_ok"]) / base
        res["per_conn"]["lock"] = (t["flock"] + t["fcntl_lock"] + t["semop"]) / base
        shares = sorted(((pid, c["accept_ok"]) for pid, c in counts["by_pid"].items() if c["accept_ok"]),
                        key=lambda x: x[0])
        tot = sum(x[1] for x in shares)
        res["shares"] = [100.0 * x[1] / tot for x in shares] if tot else []
    res["notes"] = effect_notes(srv, res)
    return res


def effect_notes(srv, res):
    """Whether what the variant asked for shows in what the server did."""
    notes = []
    v = srv.v
    socks = res.get("listen_sockets", [])
    if v.buckets and socks and max(socks) <= 1:
        notes.append("one listening socket per port: no SO_REUSEPORT buckets in effect")
    counts = res.get("counts") or {}
    t = counts.get("total")
    if t is not None and v.mutex:
        want = {"flock": ("flock", "flock(2)"), "fcntl": ("fcntl_lock", "fcntl lock"),
                "file": ("fcntl_lock", "fcntl lock"), "sysvsem": ("semop", "semop(2)")}.get(v.mutex)
        if want and t[want[0]] == 0:
            single = v.nports == 1
            notes.append(f"no {want[1]} calls seen: Mutex {v.mutex} not in effect"
                         + (" (httpd skips the accept mutex with one listener)" if single else ""))
    return notes


# --------------------------------------------------------------------------
# reports


def header(args, argv, facts, versions, t0, t1, title):
    L = [f"# Sonora macro benchmark — {title} — {t0:%Y-%m-%d %H:%M} on {socket.gethostname()}", "",
         "Command: `" + " ".join(shlex.quote(a) for a in argv) + "`", ""]
    L.append(f"Wall time {(t1 - t0).total_seconds() / 60:.1f} min; runs: {args.runs} (interleaved, medians shown); "
             f"access logs {'OFF' if args.no_logs else 'on'}; servers started under `taskset -c {args.server_cpu}` "
             f"(every process of a server on CPU {args.server_cpu}), load generator on CPU {args.client_cpu}.")
    L += ["", "## Machine", ""]
    for k, v in facts.items():
        L.append(f"- {k}: {v}")
    for k, v in versions.items():
        L.append(f"- {k}: {v}")
    L.append("")
    return L


def med(values):
    vals = [v for v in values if v == v]
    return statistics.median(vals) if vals else float("nan")


def idle_report(args, argv, facts, versions, skipped, results, labels, t0, t1):
    L = header(args, argv, facts, versions, t0, t1, f"idle keep-alive connections ({args.idle_conns})")
    L.append("## Idle keep-alive connections: memory per connection (medians)")
    L.append("")
    L.append(f"Each run starts the server afresh, opens {args.idle_conns} keep-alive connections to it "
             f"({args.idle_batch} being set up at a time), sends `GET {args.idle_path}` on each and reads the whole "
             f"response, waits {args.idle_settle:g} s, then sums the memory of the server's processes (master and "
             "every descendant) from /proc/PID/smaps_rollup. KiB/conn = (after − before) / connections still "
             "open at the measurement. Pss (proportional set size: a page shared by k processes counts 1/k to "
             "each) is the main figure; Private (Private_Clean + Private_Dirty) beside it. Kernel socket memory "
             "is not included (it is the same for every server). 'open' = client sockets not at EOF / "
             "server-side ESTABLISHED sockets of the port in /proc/net/tcp.")
    L.append("")
    L.append("| server | conns | open (client / kernel) | Pss before MiB | Pss after MiB | KiB/conn (Pss) | vs nginx | "
             "KiB/conn (Private) | procs | open s | errors |")
    L.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    meds = {}
    for name in labels:
        runs = [r for r in results.get(name, []) if "error" not in r]
        if runs:
            meds[name] = med(r["kib_pss"] for r in runs)
    ref = meds.get("nginx")
    for name in labels:
        if name in skipped:
            L.append(f"| {name} | — | — | — | — | — | — | — | — | — | skipped: {M.cell(skipped[name])} |")
            continue
        allruns = results.get(name, [])
        runs = [r for r in allruns if "error" not in r]
        errs = [f"run {i}: {r['error']}" for i, r in enumerate(allruns, 1) if "error" in r]
        errs += [f"run {i}: " + "; ".join(r["errors"]) for i, r in enumerate(allruns, 1)
                 if "error" not in r and r["errors"]]
        if not runs:
            L.append(f"| {name} | — | — | — | — | — | — | — | — | — | **{M.cell('; '.join(errs), 200)}** |")
            continue
        kib = meds[name]
        L.append(f"| {name} | {args.idle_conns} | {min(r['still_open'] for r in runs)} / "
                 f"{min(r['server_established'] for r in runs)} | "
                 f"{med(r['pss_before'] for r in runs) / 1024:.1f} | {med(r['pss_after'] for r in runs) / 1024:.1f} | "
                 f"{kib:.2f} | {M.ratio(kib, ref)} | {med(r['kib_private'] for r in runs):.2f} | "
                 f"{runs[0]['nprocs']} | {med(r['open_s'] for r in runs):.1f} | "
                 f"{('**' + M.cell('; '.join(errs), 200) + '**') if errs else 'none'} |")
    L += ["", "## Every run", "",
          "| server | run | opened | still open | ESTABLISHED | Pss before KiB | Pss after KiB | KiB/conn Pss | "
          "Private before KiB | Private after KiB | KiB/conn Private | Rss after KiB | procs | open s | errors |",
          "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"]
    for name in labels:
        for i, r in enumerate(results.get(name, []), 1):
            if "error" in r:
                L.append(f"| {name} | {i} |" + " — |" * 12 + f" **{M.cell(r['error'])}** |")
                continue
            L.append(f"| {name} | {i} | {r['opened']} | {r['still_open']} | {r['server_established']} | "
                     f"{r['pss_before']} | {r['pss_after']} | {r['kib_pss']:.2f} | {r['private_before']} | "
                     f"{r['private_after']} | {r['kib_private']:.2f} | {r['rss_after']} | {r['nprocs']} | "
                     f"{r['open_s']:.1f} | {M.cell('; '.join(r['errors']), 200) or 'none'} |")
    L += ["", "See bench/README.md for how to read these numbers."]
    return "\n".join(L) + "\n"


def accept_report(args, argv, facts, versions, counter, counter_note, skipped, results, order, t0, t1):
    L = header(args, argv, facts, versions, t0, t1, "accept serialization")
    L.append(f"## Accept serialization (medians), {args.procs} worker processes each")
    L.append("")
    L.append(f"Load: `GET /6k.bin` with `Connection: close` (one new connection per request), "
             f"{args.accept_conns} wrk connections in all; with two Listen ports one wrk per port, "
             f"{args.accept_conns // 2} connections each, both at once on CPU {args.client_cpu} (req/s summed, p99 = "
             f"the worse of the two). {args.duration} s per run after {args.warmup} s of warm-up; every "
             "configuration is started afresh for each run. Syscall counts: "
             + counter_note + ". Per accepted connection: **wake-ups** = voluntary context switches of all "
             "the server's threads (every return from a blocking wait: epoll_wait, poll, accept, a lock); "
             "**waits** = returns of epoll_wait/epoll_pwait/poll/select; **EAGAIN** = accept calls that found "
             "nothing (woken for a connection another process took: the thundering herd); **lock** = "
             "flock + fcntl record locks + semop (the accept mutex when it is a file or SysV one; "
             "pthread/posixsem mutexes only show as futex calls when contended); **accepts by process** = "
             "share of the accepted connections per server process (balance).")
    L.append("")
    L.append("| listeners | server | accept | listen sockets/port | procs | req/s | vs nginx | p99 ms | "
             "CPU µs/req | wake-ups/conn | waits/conn | EAGAIN/conn | lock/conn | futex/conn | "
             "accepts by process | notes / errors |")
    L.append("|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|")
    for nl in args.listener_counts:
        ok = lambda lab: [r for r in results.get((nl, lab), []) if "error" not in r]  # noqa: E731
        ref_runs = ok("nginx")
        ref = med(r["rps"] for r in ref_runs) if ref_runs else None
        for lab in order:
            key = (nl, lab)
            if key in skipped:
                L.append(f"| {nl} | {lab} | {describe_accept(lab)} |" + " — |" * 12
                         + f" skipped: {M.cell(skipped[key], 300)} |")
                continue
            allruns = results.get(key, [])
            if not allruns:
                continue
            runs = ok(lab)
            notes = []
            for i, r in enumerate(allruns, 1):
                if "error" in r:
                    notes.append(f"run {i}: {r['error']}")
                elif r["errors"]:
                    notes.append(f"run {i}: " + ", ".join(r["errors"]))
            for r in runs:
                for nt in r["notes"]:
                    if nt not in notes:
                        notes.append(nt)
            if not runs:
                L.append(f"| {nl} | {lab} | {describe_accept(lab)} |" + " — |" * 12
                         + f" **{M.cell('; '.join(notes), 200)}** |")
                continue
            pc = [r["per_conn"] for r in runs if "per_conn" in r]
            f = lambda k: f"{med(p[k] for p in pc):.2f}" if pc else "—"  # noqa: E731
            shares = next((r["shares"] for r in runs if r.get("shares")), None)
            share_cell = "/".join(f"{s:.0f}%" for s in shares) if shares else "—"
            rps = med(r["rps"] for r in runs)
            L.append(f"| {nl} | {lab} | {describe_accept(lab)} | "
                     f"{'/'.join(str(x) for x in runs[0]['listen_sockets'])} | {runs[0]['nprocs']} | "
                     f"{M.fmt_num(rps)} | {M.ratio(rps, ref)} | {med(r['p99_us'] for r in runs) / 1000:.2f} | "
                     f"{med(r['cpu_us_per_req'] for r in runs):.1f} | "
                     f"{med(r['wakeups_per_conn'] for r in runs):.2f} | {f('wait')} | {f('eagain')} | "
                     f"{f('lock')} | {f('futex')} | {share_cell} | "
                     f"{M.cell('; '.join(notes), 300) if notes else 'none'} |")
    L += ["", "## Every run", "",
          "| listeners | server | run | req/s | req/s per port | requests | accepted | CPU µs/req | srv CPU | "
          "p50 ms | p99 ms | wake-ups | wait | accept calls | accept ok | flock | fcntl lock | semop | futex | "
          "counter | other CPU0 | errors |",
          "|--:|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|---|"]
    for nl in args.listener_counts:
        for lab in order:
            for i, r in enumerate(results.get((nl, lab), []), 1):
                if "error" in r:
                    L.append(f"| {nl} | {lab} | {i} |" + " — |" * 18 + f" **{M.cell(r['error'])}** |")
                    continue
                c = (r.get("counts") or {}).get("total")
                cc = " | ".join(str(c[k]) for k in KEYS) if c else " | ".join("—" for _ in KEYS)
                src = (r.get("counts") or {}).get("source", "—")
                L.append(f"| {nl} | {lab} | {i} | {M.fmt_num(r['rps'])} | "
                         f"{'/'.join(M.fmt_num(x) for x in r['per_port_rps'])} | {r['requests']} | {r['accepted']} | "
                         f"{r['cpu_us_per_req']:.1f} | {r['cpu_util'] * 100:.0f}% | {r['p50_us'] / 1000:.2f} | "
                         f"{r['p99_us'] / 1000:.2f} | {r['wakeups']} | {cc} | {src} | "
                         f"{r['other_cpu0'] * 100:.0f}% | {M.cell(', '.join(r['errors']), 200) or 'none'} |")
    if counter == "strace":
        L += ["", "The strace columns of 'Every run' come from the separate traced run (its own request count), "
              "the rest from the measured run."]
    L += ["", "See bench/README.md for how to read these numbers."]
    return "\n".join(L) + "\n"


# --------------------------------------------------------------------------
# entry point for --scenarios idle-* and --accept-compare


def main(args, argv):
    tools = ["wrk", "taskset"] if args.mode == "accept" else ["taskset"]
    for tool in tools:
        if shutil.which(tool) is None:
            log(f"{tool} is not installed (scripts/install-deps.sh --bench installs it)")
            return 2
    if max(args.server_cpu, args.client_cpu) >= (os.cpu_count() or 1):
        log(f"CPU {max(args.server_cpu, args.client_cpu)} does not exist on this machine")
        return 2
    counter, counter_note = "none", "none (--counter none)"
    if args.mode == "accept":
        if args.counter in ("auto", "perf"):
            why = perf_works()
            if why is None:
                counter = "perf"
                counter_note = ("`perf stat --per-thread` on the syscall tracepoints of every server thread, "
                                "during the measured run itself (counting in the kernel: a small overhead, alike "
                                "for every server)")
            elif args.counter == "perf":
                log(why)
                return 2
            else:
                log(f"{why}; falling back to strace")
        if counter == "none" and args.counter in ("auto", "strace"):
            if shutil.which("strace") is None:
                log("strace is not installed: no syscall counts")
            else:
                counter = "strace"
                counter_note = (f"a separate {args.strace_duration} s run under `strace -f` (perf tracepoints "
                                "unavailable or --counter strace), every traced call decoded; strace slows the "
                                "server by an order of magnitude and changes its timing, so only counts per "
                                "connection mean anything, and they are less exact than perf's")
    if args.mode == "idle":
        n = args.idle_conns
        # The client holds n sockets; each server n connections (lighttpd
        # wants two descriptors per connection it may take: 2n).
        args.idle_nofile, why = raise_nofile(2 * n + 4096, n + 1024)
        if why:
            log(why)
            return 2
        if n + 1000 > local_port_range():
            log(f"--idle-conns {n} needs more local ports than ip_local_port_range gives ({local_port_range()})")
            return 2

    M.install_signal_handlers()

    t0 = datetime.datetime.now()
    facts = M.machine_facts()
    tmp = tempfile.mkdtemp(prefix="sonora-macro-")
    os.chmod(tmp, 0o755)
    state_file = os.path.join(args.state_dir, "pids") if args.state_dir else None
    if args.state_dir and not args.keep_tmp:
        with open(os.path.join(args.state_dir, "tmpdir"), "w") as f:
            f.write(tmp + "\n")
    versions, skipped, results = {}, {}, {}
    current = []
    bad = False
    try:
        docroot = os.path.join(tmp, "docroot")
        M.make_docroot(docroot)
        ports = M.PortAllocator(args.port_base)
        if args.mode == "idle":
            labels = list(args.server_list)
            jobs = [(lab, None) for lab in labels]
        else:
            pats = [p.strip() for p in args.accept_variants.split(",") if p.strip()]
            labels = [lab for lab in accept_variant_labels() if any(fnmatch.fnmatch(lab, p) for p in pats)]
            if not labels:
                log(f"--accept-variants {args.accept_variants!r} matches none of: "
                    + ", ".join(accept_variant_labels()))
                return 2
            jobs = [(lab, nl) for nl in args.listener_counts for lab in labels]
        total = args.runs * len(jobs)
        done = 0
        seq = 0
        for run in range(1, args.runs + 1):
            for lab, nl in jobs:
                done += 1
                key = lab if nl is None else (nl, lab)
                if key in skipped:
                    continue
                seq += 1
                root = os.path.join(tmp, f"{seq:03d}-" + re.sub(r"[^A-Za-z0-9.-]", "_", lab) + (f"-{nl}L" if nl else ""))
                os.makedirs(root)
                if args.mode == "idle":
                    srv = M.make_server(lab, args, root, docroot)
                else:
                    srv = make_variant(lab, args, root, docroot, nports=nl)
                why = bring_up(args, srv, ports, state_file)
                if why:
                    skipped[key] = why
                    log(f"[{done}/{total}] {lab}{f' ({nl} listener(s))' if nl else ''}: skipped, {why}")
                    srv.stop()
                    continue
                current.append(srv)
                if srv.name not in versions:
                    versions[srv.name] = srv.version()
                try:
                    if args.mode == "idle":
                        res = idle_measure(args, srv)
                    else:
                        tag = f"{seq:03d}"
                        res = accept_measure(args, srv, counter, tmp, tag)
                    if not srv.alive():
                        res.setdefault("errors", []).append("server died")
                finally:
                    srv.stop()
                    current.remove(srv)
                results.setdefault(key, []).append(res)
                what = f"[{done}/{total}] run {run} {lab}" + (f" {nl} listener(s)" if nl else "")
                if "error" in res:
                    log(f"{what}: ERROR {res['error']}")
                elif args.mode == "idle":
                    log(f"{what}: {res['kib_pss']:.2f} KiB/conn (Pss), {res['kib_private']:.2f} (Private), "
                        f"{res['still_open']}/{res['asked']} open, opened in {res['open_s']:.1f} s"
                        + (f"; {'; '.join(res['errors'])}" if res["errors"] else ""))
                else:
                    pc = res.get("per_conn")
                    log(f"{what}: {res['rps']:,.0f} req/s, p99 {res['p99_us'] / 1000:.2f} ms, "
                        f"{res['wakeups_per_conn']:.2f} wake-ups/conn"
                        + (f", {pc['wait']:.2f} waits, {pc['eagain']:.2f} EAGAIN, {pc['lock']:.2f} lock/conn"
                           if pc else "")
                        + (f"; {'; '.join(res['errors'] + res['notes'])}" if res["errors"] or res["notes"] else ""))
    finally:
        for srv in current:
            srv.stop()
        if args.keep_tmp:
            log(f"temp dir kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    t1 = datetime.datetime.now()
    shown = [a for a in argv]
    clean = []
    skip_next = False
    for a in shown:
        if skip_next:
            skip_next = False
        elif a == "--state-dir":
            skip_next = True
        elif not a.startswith("--state-dir="):
            clean.append(a)
    argv_shown = ["bench/macro/run.sh"] + clean
    if args.mode == "idle":
        report = idle_report(args, argv_shown, facts, versions, skipped, results, labels, t0, t1)
    else:
        report = accept_report(args, argv_shown, facts, versions, counter, counter_note, skipped, results, labels,
                               t0, t1)
    print(report)
    out = args.out
    if out is None and not args.smoke:
        os.makedirs(M.RESULTS_DIR, exist_ok=True)
        host = re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())
        out = os.path.join(M.RESULTS_DIR, f"{t0:%Y-%m-%d-%H%M%S}-{args.mode}-{host}.md")
    if out:
        with open(out, "w") as f:
            f.write(report)
        log(f"report written to {os.path.relpath(out)}")
    bad = any("error" in r or r.get("errors") for rs in results.values() for r in rs)
    if bad:
        log("WARNING: some runs reported errors (see the errors column)")
    return 1 if (args.smoke and bad) else 0
