#!/usr/bin/env python3
"""Macro benchmark: Sonora against nginx, lighttpd, h2o and Apache httpd.

Run it through bench/macro/run.sh (see bench/README.md). Python 3 standard
library only. Every server gets its own generated configuration in a temp dir,
listens on its own 127.0.0.1 port, runs ONE worker process pinned to CPU 0;
wrk runs pinned to CPU 1. All traffic goes to 127.0.0.1.
"""

import argparse
import datetime
import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
RESULTS_DIR = os.path.join(REPO, "bench", "results")
LUA_REPORT = os.path.join(HERE, "report.lua")

ALL_SERVERS = ["sonora", "nginx", "lighttpd", "h2o", "apache"]

# name -> (URL path, connections, Connection: close?, body size)
SCENARIOS = {
    "6k-keepalive": ("/6k.bin", 50, False, 6 * 1024),
    "0b-keepalive": ("/0.html", 50, False, 0),
    "1m": ("/1m.bin", 10, False, 1024 * 1024),
    "6k-close": ("/6k.bin", 50, True, 6 * 1024),
}
ALL_SCENARIOS = list(SCENARIOS)

# The same keep-alive policy everywhere: effectively unlimited requests per
# connection, a generous idle timeout. Apache/Sonora: MaxKeepAliveRequests 0
# means unlimited; nginx takes a large number; lighttpd's value is a 16-bit
# field (65535 is its maximum, far above what one 10 s run sends per
# connection); h2o has no per-connection request limit.
KEEPALIVE_REQUESTS = 1000000
KEEPALIVE_REQUESTS_LIGHTTPD = 65535
KEEPALIVE_TIMEOUT = 65

# Apache event MPM sizing: one child process, enough threads for 50 connections.
APACHE_THREADS = 64

COMMON_LOG = '%h %l %u %t \\"%r\\" %>s %b'  # as written inside an Apache quoted arg

CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# /proc helpers


def proc_stat(pid):
    """Fields of /proc/PID/stat after the command name, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(")") + 2:].split()


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        st = proc_stat(int(d))
        if st is None:
            continue
        kids.setdefault(int(st[1]), []).append(int(d))
    return kids


def process_tree(root):
    """root and all its descendants that are alive."""
    kids = children_map()
    out, todo = [], [root]
    while todo and len(out) < 10000:
        p = todo.pop()
        if proc_stat(p) is None:
            continue
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def tree_cpu_ticks(root):
    """utime+stime (+ reaped children's cutime+cstime) over the process tree."""
    total = 0
    pids = process_tree(root)
    for p in pids:
        st = proc_stat(p)
        if st is None:
            continue
        total += int(st[11]) + int(st[12]) + int(st[13]) + int(st[14])
    return total, pids


def cpu_busy_ticks(cpu):
    """(busy, total) jiffies of one CPU from /proc/stat."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith(f"cpu{cpu} "):
                v = [int(x) for x in line.split()[1:]]
                idle = v[3] + (v[4] if len(v) > 4 else 0)
                total = sum(v[:8])
                return total - idle, total
    return 0, 0


def start_time(pid):
    st = proc_stat(pid)
    return st[19] if st else None


# --------------------------------------------------------------------------
# ports, health


def port_is_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(1)
        return True
    except OSError:
        return False
    finally:
        s.close()


class PortAllocator:
    def __init__(self, base):
        self.next = base

    def take(self):
        for _ in range(200):
            port = self.next
            self.next += 1
            if port_is_free(port):
                return port
            log(f"port {port} is in use, trying the next one")
        raise RuntimeError("no free port found")


def http_get(conn, path, close=False):
    headers = {"Host": "127.0.0.1"}
    if close:
        headers["Connection"] = "close"
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    return r.status, len(body), r.getheader("Connection")


def health_check(port, timeout=10.0, alive=lambda: True):
    """Waits for the port, then checks the docroot is served, keep-alive
    included. Returns None when healthy, else a reason."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if not alive():
            return "server process exited"
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            for path, size in (("/6k.bin", 6144), ("/0.html", 0), ("/1m.bin", 1 << 20), ("/6k.html", 6144)):
                status, n, _ = http_get(conn, path)  # same connection: keep-alive
                if status != 200 or n != size:
                    conn.close()
                    return f"GET {path}: status {status}, {n} bytes (want 200, {size})"
            status, n, _ = http_get(conn, "/6k.bin", close=True)
            conn.close()
            if status != 200 or n != 6144:
                return f"GET /6k.bin with Connection: close: status {status}, {n} bytes"
            return None
        except (OSError, http.client.HTTPException) as e:
            last = f"{type(e).__name__}: {e}"
            time.sleep(0.1)
    return f"not healthy after {timeout:.0f}s ({last})"


# --------------------------------------------------------------------------
# servers


class Server:
    name = "?"
    binary = None

    def __init__(self, args, root, docroot, port):
        self.args = args
        self.root = root
        self.docroot = docroot
        self.port = port
        self.logs = os.path.join(root, "logs")
        os.makedirs(self.logs, exist_ok=True)
        os.chmod(root, 0o755)
        os.chmod(self.logs, 0o777)  # workers may run as www-data
        self.proc = None
        self.pid = None
        self.access_log = os.path.join(self.logs, "access.log")
        self.as_root = os.geteuid() == 0

    # subclasses: write_config(), test_cmd(), start_cmd(), version_cmd()
    def available(self):
        return self.binary and shutil.which(self.binary) is not None

    def version(self):
        try:
            r = subprocess.run(self.version_cmd(), capture_output=True, text=True, timeout=10)
            out = (r.stdout + r.stderr).strip().splitlines()
            return out[0].strip() if out else "?"
        except (OSError, subprocess.SubprocessError):
            return "?"

    def check_config(self):
        r = subprocess.run(self.test_cmd(), capture_output=True, text=True, timeout=30, cwd=self.root)
        return r.returncode, (r.stdout + r.stderr).strip()

    def start(self, state_file):
        out = open(os.path.join(self.root, "stdout.txt"), "wb")
        cmd = ["taskset", "-c", str(self.args.server_cpu)] + self.start_cmd()
        self.command = cmd
        self.proc = subprocess.Popen(cmd, cwd=self.root, stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        self.pid = self.proc.pid  # taskset execs the server: same pid
        if state_file:
            with open(state_file, "a") as f:
                f.write(f"{self.pid} {start_time(self.pid) or 0}\n")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                log(f"{self.name}: did not stop on SIGTERM, killing its process group")
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        # Workers left behind in the server's own process group (none expected).
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc = None

    def tail_output(self, n=15):
        chunks = []
        for name in ("stdout.txt", "logs/error_log", "logs/error.log"):
            p = os.path.join(self.root, name)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    lines = f.read().splitlines()[-n:]
                if lines:
                    chunks.append(f"--- {name}\n" + "\n".join(lines))
        return "\n".join(chunks)

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path


def apache_common_conf(s, mime_types, mpm_guard):
    """Shared body of the Apache and Sonora configurations."""
    lines = [
        f"Listen 127.0.0.1:{s.port}",
        "ServerName 127.0.0.1",
        f'PidFile "{s.root}/logs/httpd.pid"',
        "ErrorLog logs/error_log",
        "LogLevel warn",
        "Timeout 60",
        "KeepAlive On",
        "MaxKeepAliveRequests 0",
        f"KeepAliveTimeout {KEEPALIVE_TIMEOUT}",
        "EnableSendfile On",
        "EnableMMAP On",
        "HostnameLookups Off",
        f'TypesConfig "{mime_types}"',
        "AddType text/html .html",
        "AddType application/octet-stream .bin",
        f'DocumentRoot "{s.docroot}"',
        # No .htaccess lookups and no per-component symlink checks: the
        # usual static-file setup, as the Apache performance notes advise.
        "<Directory />",
        "    Options FollowSymLinks",
        "    AllowOverride None",
        "</Directory>",
        f'<Directory "{s.docroot}">',
        "    Options FollowSymLinks",
        "    AllowOverride None",
        "    <IfModule authz_core_module>",
        "        Require all granted",
        "    </IfModule>",
        "</Directory>",
    ]
    if s.as_root:
        lines += ["User www-data", "Group www-data"]
    if not s.args.no_logs:
        lines += [f'LogFormat "{COMMON_LOG}" common', "CustomLog logs/access_log common"]
    mpm = [
        "StartServers 1",
        "ServerLimit 1",
        f"ThreadLimit {APACHE_THREADS}",
        f"ThreadsPerChild {APACHE_THREADS}",
        f"MaxRequestWorkers {APACHE_THREADS}",
        "MinSpareThreads 1",
        f"MaxSpareThreads {APACHE_THREADS * 2}",
        "MaxConnectionsPerChild 0",
    ]
    if mpm_guard:
        lines += ["<IfModule mpm_event_module>"] + ["    " + m for m in mpm] + ["</IfModule>"]
    else:
        lines += mpm
    return "\n".join(lines) + "\n"


class Apache(Server):
    name = "apache"
    binary = "apache2"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.access_log = os.path.join(self.logs, "access_log")
    MODULES = "/usr/lib/apache2/modules"

    def write_config(self):
        os.makedirs(os.path.join(self.root, "run"), exist_ok=True)
        head = "\n".join([
            "# Generated by bench/macro: Apache httpd 2.4, event MPM, one child process.",
            f'DefaultRuntimeDir "{self.root}/run"',
            f"LoadModule mpm_event_module {self.MODULES}/mod_mpm_event.so",
            f"LoadModule authz_core_module {self.MODULES}/mod_authz_core.so",
            f"LoadModule mime_module {self.MODULES}/mod_mime.so",
        ]) + "\n"
        empty = self.write("conf/mime.types", "")
        self.conf = self.write("conf/httpd.conf", head + apache_common_conf(self, empty, mpm_guard=False))

    def base_cmd(self):
        return [shutil.which(self.binary), "-d", self.root, "-f", self.conf]

    def test_cmd(self):
        return self.base_cmd() + ["-t"]

    def start_cmd(self):
        return self.base_cmd() + ["-DFOREGROUND"]

    def version_cmd(self):
        return [self.binary, "-v"]


class Sonora(Server):
    name = "sonora"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.binary = self.args.sonora_bin
        self.access_log = os.path.join(self.logs, "access_log")

    def available(self):
        return os.path.isfile(self.binary) and os.access(self.binary, os.X_OK)

    def write_config(self):
        # Same configuration as Apache's minus the LoadModule lines: Sonora
        # has its modules compiled in.
        head = "# Generated by bench/macro: Sonora, one process (-X).\n"
        mime = os.path.join(REPO, "conf", "mime.types")
        if not os.path.exists(mime):
            mime = self.write("conf/mime.types", "")
        self.write("conf/httpd.conf", head + apache_common_conf(self, mime, mpm_guard=True))

    def base_cmd(self):
        return [self.binary] + shlex.split(self.args.sonora_flags) + ["-d", self.root, "-f", "conf/httpd.conf"]

    def test_cmd(self):
        return [self.binary, "-d", self.root, "-f", "conf/httpd.conf", "-t"]

    def start_cmd(self):
        return self.base_cmd()

    def version_cmd(self):
        return [self.binary, "-v"]


class Nginx(Server):
    name = "nginx"
    binary = "nginx"

    def write_config(self):
        os.makedirs(os.path.join(self.root, "tmp"), exist_ok=True)
        acc = ('access_log logs/access.log common;' if not self.args.no_logs else "access_log off;")
        user = "user www-data;\n" if self.as_root else ""
        conf = f"""# Generated by bench/macro: nginx, master + ONE worker process.
{user}worker_processes 1;
daemon off;
master_process on;
pid {self.root}/logs/nginx.pid;
error_log {self.root}/logs/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    types {{
        text/html html;
        application/octet-stream bin;
    }}
    default_type application/octet-stream;
    log_format common '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent';
    {acc}
    sendfile on;
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    keepalive_timeout {KEEPALIVE_TIMEOUT}s;
    keepalive_requests {KEEPALIVE_REQUESTS};
    client_body_temp_path {self.root}/tmp/body;
    proxy_temp_path {self.root}/tmp/proxy;
    fastcgi_temp_path {self.root}/tmp/fastcgi;
    uwsgi_temp_path {self.root}/tmp/uwsgi;
    scgi_temp_path {self.root}/tmp/scgi;
    server {{
        listen 127.0.0.1:{self.port};
        server_name 127.0.0.1;
        root {self.docroot};
    }}
}}
"""
        self.conf = self.write("conf/nginx.conf", conf)

    def base_cmd(self):
        return [shutil.which(self.binary), "-p", self.root + "/", "-e", self.root + "/logs/error.log",
                "-c", self.conf]

    def test_cmd(self):
        return self.base_cmd() + ["-t"]

    def start_cmd(self):
        return self.base_cmd()

    def version_cmd(self):
        return [self.binary, "-v"]


class Lighttpd(Server):
    name = "lighttpd"
    binary = "lighttpd"

    def write_config(self):
        mods = '"mod_accesslog"' if not self.args.no_logs else ""
        lines = [
            "# Generated by bench/macro: lighttpd, one process (server.max-worker = 0).",
            f"server.modules = ( {mods} )",
            f'server.document-root = "{self.docroot}"',
            'server.bind = "127.0.0.1"',
            f"server.port = {self.port}",
            f'server.pid-file = "{self.root}/logs/lighttpd.pid"',
            f'server.errorlog = "{self.root}/logs/error.log"',
            "server.max-worker = 0",
            'server.event-handler = "linux-sysepoll"',
            'server.network-backend = "sendfile"',
            f"server.max-keep-alive-requests = {KEEPALIVE_REQUESTS_LIGHTTPD}",
            f"server.max-keep-alive-idle = {KEEPALIVE_TIMEOUT}",
            'mimetype.assign = ( ".html" => "text/html", ".bin" => "application/octet-stream" )',
        ]
        if self.as_root:
            lines += ['server.username = "www-data"', 'server.groupname = "www-data"']
        if not self.args.no_logs:
            lines += [f'accesslog.filename = "{self.root}/logs/access.log"',
                      'accesslog.format = "%h %l %u %t \\"%r\\" %>s %b"']
        self.conf = self.write("conf/lighttpd.conf", "\n".join(lines) + "\n")

    def test_cmd(self):
        return [shutil.which(self.binary), "-tt", "-f", self.conf]

    def start_cmd(self):
        return [shutil.which(self.binary), "-D", "-f", self.conf]

    def version_cmd(self):
        return [self.binary, "-v"]


class H2o(Server):
    name = "h2o"
    binary = "h2o"

    def write_config(self):
        lines = [
            "# Generated by bench/macro: h2o, one process with one thread.",
            "listen:",
            "  host: 127.0.0.1",
            f"  port: {self.port}",
            "num-threads: 1",
            f"pid-file: {self.root}/logs/h2o.pid",
            f"error-log: {self.root}/logs/error.log",
            f"http1-request-timeout: {KEEPALIVE_TIMEOUT}",
        ]
        if self.as_root:
            lines.append("user: www-data")
        lines += [
            "file.mime.addtypes:",
            "  text/html: .html",
            "  application/octet-stream: .bin",
            "hosts:",
            '  "127.0.0.1":',
            "    paths:",
            "      /:",
            f"        file.dir: {self.docroot}",
        ]
        if not self.args.no_logs:
            lines += [
                "    access-log:",
                f"      path: {self.root}/logs/access.log",
                "      format: '%h %l %u %t \"%r\" %s %b'",
            ]
        self.conf = self.write("conf/h2o.conf", "\n".join(lines) + "\n")

    def test_cmd(self):
        return [shutil.which(self.binary), "-t", "-c", self.conf]

    def start_cmd(self):
        return [shutil.which(self.binary), "-c", self.conf]

    def version_cmd(self):
        return [self.binary, "-v"]


SERVER_CLASSES = {"sonora": Sonora, "nginx": Nginx, "lighttpd": Lighttpd, "h2o": H2o, "apache": Apache}


# --------------------------------------------------------------------------
# load generation and measurement


def wrk_cmd(args, port, scenario, duration, conns=None):
    path, c, close, _ = SCENARIOS[scenario]
    c = conns or c
    cmd = ["taskset", "-c", str(args.client_cpu), "wrk", "-t", str(args.wrk_threads), "-c", str(c),
           "-d", f"{duration}s", "--timeout", "5s", "-s", LUA_REPORT]
    if close:
        cmd += ["-H", "Connection: close"]
    return cmd + [f"http://127.0.0.1:{port}{path}"]


def run_wrk(args, port, scenario, duration, conns=None):
    cmd = wrk_cmd(args, port, scenario, duration, conns)
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30)
    except subprocess.TimeoutExpired:
        return {"error": "wrk timed out"}
    m = re.search(r"^HARNESS (.*)$", r.stdout, re.M)
    if r.returncode != 0 or not m:
        return {"error": f"wrk failed (rc {r.returncode}): {(r.stdout + r.stderr).strip()[-300:]}"}
    res = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    res["rps"] = res["requests"] / (res["duration_us"] / 1e6) if res["duration_us"] else 0.0
    errs = []
    for k in ("status", "connect", "read", "write", "timeout"):
        if res[k]:
            errs.append(f"{'non-2xx/3xx' if k == 'status' else k} {res[k]}")
    res["errors"] = errs
    return res


def file_size(path):
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def measure(args, server, scenario):
    if args.warmup > 0:
        run_wrk(args, server.port, scenario, args.warmup)
    log_before = file_size(server.access_log)
    before, _ = tree_cpu_ticks(server.pid)
    cpu_before = cpu_busy_ticks(args.server_cpu)
    res = run_wrk(args, server.port, scenario, args.duration)
    cpu_after = cpu_busy_ticks(args.server_cpu)
    after, pids = tree_cpu_ticks(server.pid)
    log_after = file_size(server.access_log)
    if "error" in res:
        return res
    res["log_bytes_per_req"] = (log_after - log_before) / res["requests"] if res["requests"] else 0.0
    if not args.no_logs and log_after == log_before:
        res["errors"].append("access log not written")
    cpu_s = (after - before) / CLK_TCK
    res["cpu_s"] = cpu_s
    res["nprocs"] = len(pids)
    res["cpu_us_per_req"] = cpu_s * 1e6 / res["requests"] if res["requests"] else float("nan")
    res["cpu_util"] = cpu_s / (res["duration_us"] / 1e6) if res["duration_us"] else 0.0
    # Time CPU 0 spent on anything but this server (other processes, and
    # interrupts/softirqs not charged to it): a noise indicator.
    busy = cpu_after[0] - cpu_before[0]
    total = cpu_after[1] - cpu_before[1]
    res["other_cpu0"] = max(0.0, (busy - (after - before)) / total) if total > 0 else 0.0
    return res


def parse_strace_c(path):
    """strace -c table -> {syscall: calls}."""
    calls = {}
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return calls
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 5 or not re.match(r"^[\d.]+$", parts[0]):
            continue
        name = parts[-1]
        if name == "total":
            continue
        try:
            calls[name] = calls.get(name, 0) + int(parts[3])
        except ValueError:
            continue
    return calls


def strace_run(args, server, scenario, workdir):
    pids = process_tree(server.pid)
    out = os.path.join(workdir, f"strace-{server.name}-{scenario}.txt")
    errf = os.path.join(workdir, f"strace-{server.name}-{scenario}.err")
    cmd = ["strace", "-f", "-c", "-o", out]
    for p in pids:
        cmd += ["-p", str(p)]
    with open(errf, "w") as ef:
        st = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=ef, start_new_session=True)
    # Wait (bounded) until strace reports every process attached.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with open(errf, errors="replace") as f:
            if f.read().count("attached") >= len(pids):
                break
        if st.poll() is not None:
            break
        time.sleep(0.05)
    time.sleep(0.2)
    if st.poll() is not None:
        with open(errf, errors="replace") as f:
            return {"error": "strace exited: " + f.read().strip()[-200:]}
    conns = min(SCENARIOS[scenario][1], args.strace_connections)
    res = run_wrk(args, server.port, scenario, args.strace_duration, conns=conns)
    st.send_signal(signal.SIGINT)
    try:
        st.wait(timeout=20)
    except subprocess.TimeoutExpired:
        st.kill()
        st.wait(timeout=5)
        return {"error": "strace did not detach"}
    if "error" in res:
        return res
    calls = parse_strace_c(out)
    if not calls or not res["requests"]:
        return {"error": "no strace data"}
    n = res["requests"]
    total = sum(calls.values())
    top = sorted(calls.items(), key=lambda kv: -kv[1])[: args.strace_top]
    return {"requests": n, "per_req": total / n, "top": [(k, v / n) for k, v in top], "errors": res["errors"],
            "pids": len(pids)}


# --------------------------------------------------------------------------
# docroot, report


def make_docroot(path):
    os.makedirs(path)
    os.chmod(path, 0o755)
    six = 6 * 1024
    html_head = b"<!DOCTYPE html>\n<html><head><title>6k</title></head><body>\n<p>"
    html_tail = b"</p>\n</body></html>\n"
    filler = b"Sonora benchmark page. " * (six // 23 + 1)
    files = {
        "6k.bin": bytes((i * 131 + 7) & 0xFF for i in range(six)),
        "6k.html": html_head + filler[: six - len(html_head) - len(html_tail)] + html_tail,
        "0.html": b"",
        "1m.bin": os.urandom(1024 * 1024),
    }
    for name, data in files.items():
        assert name != "6k.html" or len(data) == six
        p = os.path.join(path, name)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, 0o644)


def machine_facts():
    facts = {}
    facts["nproc"] = str(os.cpu_count())
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    facts["cpu"] = model
    u = os.uname()
    facts["kernel"] = f"{u.sysname} {u.release} {u.machine}"
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        facts["memory"] = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    gov = "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"
    if os.path.exists(gov):
        with open(gov) as f:
            facts["governor"] = f.read().strip()
    facts["loadavg at start (1/5/15 min)"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    try:
        rev = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        facts["sonora tree"] = rev or "?"
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        r = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=10)
        facts["wrk"] = (r.stdout + r.stderr).splitlines()[0].strip()
    except (OSError, subprocess.SubprocessError, IndexError):
        pass
    return facts


def fmt_num(x, digits=0):
    if x is None or x != x:
        return "—"
    return f"{x:,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0 or a != a or b != b:
        return "—"
    return f"{a / b:.2f}×"


def build_report(args, argv, facts, versions, skipped, results, straces, scenarios, servers, t0, t1):
    L = []
    L.append(f"# Sonora macro benchmark — {t0:%Y-%m-%d %H:%M} on {socket.gethostname()}")
    L.append("")
    L.append("Command: `" + " ".join(shlex.quote(a) for a in argv) + "`")
    L.append("")
    L.append(f"Runs per scenario: {args.runs} (interleaved), duration {args.duration} s after a {args.warmup} s "
             f"warm-up; access logs {'OFF' if args.no_logs else 'on (common format, to a file)'}; "
             f"servers pinned to CPU {args.server_cpu}, wrk ({args.wrk_threads} thread) to CPU {args.client_cpu}. "
             f"Wall time {(t1 - t0).total_seconds() / 60:.1f} min.")
    L.append("")
    L.append("## Machine")
    L.append("")
    for k, v in facts.items():
        L.append(f"- {k}: {v}")
    for name in servers:
        if name in versions:
            L.append(f"- {name}: {versions[name]}")
    for name, why in skipped.items():
        L.append(f"- **{name}: skipped** — {why}")
    L.append("")
    L.append("## Results (medians)")
    L.append("")
    L.append("Ratios are against nginx (median/median). CPU µs/req = server CPU time (user+system, all its "
             "processes) / requests; lower is better. srv CPU = server CPU time / wall time (100% = CPU 0 "
             "saturated; well below 100% means wrk, not the server, was the bottleneck).")
    L.append("")
    L.append("| scenario | server | req/s | vs nginx | CPU µs/req | vs nginx | srv CPU | p99 ms | "
             "syscalls/req | top syscalls / req | errors |")
    L.append("|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|")
    medians = {}
    for sc in scenarios:
        for name in servers:
            runs = [r for r in results.get((sc, name), []) if "error" not in r]
            if runs:
                medians[(sc, name)] = (statistics.median(r["rps"] for r in runs),
                                       statistics.median(r["cpu_us_per_req"] for r in runs),
                                       statistics.median(r["cpu_util"] for r in runs),
                                       statistics.median(r["p99_us"] for r in runs) / 1000)
    for sc in scenarios:
        ref = medians.get((sc, "nginx"))
        for name in servers:
            allruns = results.get((sc, name), [])
            if not allruns:
                continue
            errs = []
            for i, r in enumerate(allruns, 1):
                if "error" in r:
                    errs.append(f"run {i}: {r['error']}")
                elif r["errors"]:
                    errs.append(f"run {i}: " + ", ".join(r["errors"]))
            st = straces.get((sc, name))
            if st is None:
                sys_cell, top_cell = "—", "—"
            elif "error" in st:
                sys_cell, top_cell = "n/a", st["error"][:60]
            else:
                sys_cell = f"{st['per_req']:.2f}"
                top_cell = ", ".join(f"{k} {v:.2f}" for k, v in st["top"])
                if st["errors"]:
                    errs.append("strace run: " + ", ".join(st["errors"]))
            m = medians.get((sc, name))
            if m is None:
                L.append(f"| {sc} | {name} | — | — | — | — | — | — | {sys_cell} | {top_cell} | "
                         f"**{'; '.join(errs)[:200]}** |")
                continue
            rps, cpu, util, p99 = m
            L.append(f"| {sc} | {name} | {fmt_num(rps)} | {ratio(rps, ref[0] if ref else None)} | "
                     f"{fmt_num(cpu, 1)} | {ratio(cpu, ref[1] if ref else None)} | {util * 100:.0f}% | "
                     f"{p99:.2f} | {sys_cell} | {top_cell} | "
                     f"{('**' + '; '.join(errs)[:200] + '**') if errs else 'none'} |")
    L.append("")
    L.append("## Every run")
    L.append("")
    L.append("| scenario | server | run | req/s | requests | CPU s | CPU µs/req | srv CPU | procs | p50 ms | "
             "p99 ms | log B/req | other CPU0 | errors |")
    L.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for sc in scenarios:
        for name in servers:
            for i, r in enumerate(results.get((sc, name), []), 1):
                if "error" in r:
                    L.append(f"| {sc} | {name} | {i} | — | — | — | — | — | — | — | — | — | — | **{r['error'][:120]}** |")
                    continue
                L.append(f"| {sc} | {name} | {i} | {fmt_num(r['rps'])} | {r['requests']} | {r['cpu_s']:.2f} | "
                         f"{r['cpu_us_per_req']:.1f} | {r['cpu_util'] * 100:.0f}% | {r['nprocs']} | "
                         f"{r['p50_us'] / 1000:.2f} | {r['p99_us'] / 1000:.2f} | {r['log_bytes_per_req']:.0f} | "
                         f"{r['other_cpu0'] * 100:.0f}% | {', '.join(r['errors']) or 'none'} |")
    noisy = [r for rs in results.values() for r in rs if "error" not in r and r["other_cpu0"] > 0.10]
    if noisy:
        L.append("")
        L.append(f"**Noise warning**: in {len(noisy)} run(s) more than 10% of CPU {args.server_cpu} went to "
                 "something other than the server under test (column 'other CPU0': other processes, or "
                 "interrupt work not charged to the server). Re-run on a quiet machine before trusting "
                 "small differences.")
    if straces:
        L.append("")
        L.append(f"Syscall counts: a separate {args.strace_duration} s run per scenario and server with at most "
                 f"{args.strace_connections} connections, `strace -f -c` attached to all the server's processes "
                 "(and their threads); total calls / requests completed in that window. The traced run is slow; "
                 "only the counts per request mean anything.")
    L.append("")
    L.append("See bench/README.md for how to read these numbers.")
    return "\n".join(L) + "\n"


# --------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/macro/run.sh", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--servers", default=",".join(ALL_SERVERS), help="comma list (default: all five)")
    p.add_argument("--scenarios", default=",".join(ALL_SCENARIOS), help="comma list (default: all)")
    p.add_argument("--runs", type=int, default=3, help="interleaved runs per scenario (default 3)")
    p.add_argument("--duration", type=int, default=10, help="seconds per measured run (default 10)")
    p.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each run (default 2)")
    p.add_argument("--no-strace", action="store_true", help="skip the syscall-count runs")
    p.add_argument("--strace-duration", type=int, default=3, help="seconds of the traced run (default 3)")
    p.add_argument("--strace-connections", type=int, default=10, help="connections in the traced run")
    p.add_argument("--strace-top", type=int, default=5, help="how many syscalls to list")
    p.add_argument("--no-logs", action="store_true", help="turn access logging off for every server")
    p.add_argument("--smoke", action="store_true", help="quick self-test: 1 run of 2 s, no strace")
    p.add_argument("--port-base", type=int, default=18480, help="first port to try (default 18480)")
    p.add_argument("--server-cpu", type=int, default=0)
    p.add_argument("--client-cpu", type=int, default=1)
    p.add_argument("--wrk-threads", type=int, default=1)
    p.add_argument("--sonora-bin", default=os.path.join(REPO, "build", "release", "src", "main", "sonora"))
    p.add_argument("--sonora-flags", default="-DFOREGROUND -X", help="extra sonora flags (default: %(default)s)")
    p.add_argument("--out", help="report file (default bench/results/<date>-<host>.md; --smoke: none)")
    p.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (configs, logs) for inspection")
    p.add_argument("--state-dir", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.smoke:
        a.runs, a.duration, a.warmup, a.no_strace = 1, 2, 1, True
    a.server_list = [s.strip() for s in a.servers.split(",") if s.strip()]
    a.scenario_list = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    for s in a.server_list:
        if s not in SERVER_CLASSES:
            p.error(f"unknown server {s!r} (known: {', '.join(ALL_SERVERS)})")
    for s in a.scenario_list:
        if s not in SCENARIOS:
            p.error(f"unknown scenario {s!r} (known: {', '.join(ALL_SCENARIOS)})")
    if not (1 <= a.runs <= 20 and 1 <= a.duration <= 600 and 0 <= a.warmup <= 60 and 1 <= a.strace_duration <= 60):
        p.error("runs 1..20, duration 1..600, warmup 0..60, strace-duration 1..60")
    return a


def main(argv):
    args = parse_args(argv)
    for tool in ("wrk", "taskset") + (() if args.no_strace else ("strace",)):
        if shutil.which(tool) is None:
            log(f"{tool} is not installed (scripts/install-deps.sh --bench installs it)")
            return 2
    ncpu = len(os.sched_getaffinity(0))
    if max(args.server_cpu, args.client_cpu) >= (os.cpu_count() or 1):
        log(f"CPU {max(args.server_cpu, args.client_cpu)} does not exist on this machine")
        return 2
    if ncpu < 2:
        log("warning: fewer than 2 CPUs: server and wrk share a CPU")

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    # Also when started in the background, where the shell leaves SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    t0 = datetime.datetime.now()
    facts = machine_facts()
    tmp = tempfile.mkdtemp(prefix="sonora-macro-")
    os.chmod(tmp, 0o755)
    state_file = os.path.join(args.state_dir, "pids") if args.state_dir else None
    if args.state_dir and not args.keep_tmp:
        with open(os.path.join(args.state_dir, "tmpdir"), "w") as f:
            f.write(tmp + "\n")
    servers = []
    started = []
    skipped = {}
    versions = {}
    results = {}
    straces = {}
    try:
        docroot = os.path.join(tmp, "docroot")
        make_docroot(docroot)
        ports = PortAllocator(args.port_base)
        for name in args.server_list:
            root = os.path.join(tmp, name)
            os.makedirs(root)
            srv = SERVER_CLASSES[name](args, root, docroot, 0)
            if not srv.available():
                skipped[name] = f"binary not found ({srv.binary})"
                log(f"{name}: skipped, {skipped[name]}")
                continue
            srv.port = ports.take()
            srv.write_config()
            rc, out = srv.check_config()
            if rc != 0:
                skipped[name] = f"config test failed: {out[-300:]}"
                log(f"{name}: skipped, {skipped[name]}")
                continue
            versions[name] = srv.version()
            if not port_is_free(srv.port):
                skipped[name] = f"port {srv.port} taken before start"
                log(f"{name}: skipped, {skipped[name]}")
                continue
            srv.start(state_file)
            started.append(srv)
            why = health_check(srv.port, alive=srv.alive)
            if why:
                skipped[name] = f"health check failed: {why}"
                log(f"{name}: skipped, {skipped[name]}\n{srv.tail_output()}")
                srv.stop()
                continue
            log(f"{name}: up on 127.0.0.1:{srv.port}, pid {srv.pid}, "
                f"{len(process_tree(srv.pid))} process(es), config {root}/conf")
            servers.append(srv)
        if not servers:
            log("no server could be started")
            return 2

        total = len(args.scenario_list) * args.runs * len(servers)
        done = 0
        for sc in args.scenario_list:
            for run in range(1, args.runs + 1):
                for srv in servers:
                    done += 1
                    if not srv.alive():
                        res = {"error": "server process died"}
                    else:
                        res = measure(args, srv, sc)
                    results.setdefault((sc, srv.name), []).append(res)
                    if "error" in res:
                        log(f"[{done}/{total}] {sc} run {run} {srv.name}: ERROR {res['error']}")
                    else:
                        log(f"[{done}/{total}] {sc} run {run} {srv.name}: {res['rps']:,.0f} req/s, "
                            f"{res['cpu_us_per_req']:.1f} µs CPU/req, srv CPU {res['cpu_util'] * 100:.0f}%"
                            + (f", ERRORS {', '.join(res['errors'])}" if res["errors"] else ""))
            if not args.no_strace:
                for srv in servers:
                    if not srv.alive():
                        continue
                    st = strace_run(args, srv, sc, tmp)
                    straces[(sc, srv.name)] = st
                    if "error" in st:
                        log(f"strace {sc} {srv.name}: {st['error']}")
                    else:
                        log(f"strace {sc} {srv.name}: {st['per_req']:.2f} syscalls/req ("
                            + ", ".join(f"{k} {v:.2f}" for k, v in st["top"]) + ")")
        for srv in servers:
            if not srv.alive():
                log(f"{srv.name} died during the run:\n{srv.tail_output()}")
    finally:
        for srv in started:
            srv.stop()
        if args.keep_tmp:
            log(f"temp dir kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    t1 = datetime.datetime.now()
    names = [s.name for s in servers] + [n for n in args.server_list if n in skipped]
    shown = []
    skip_next = False
    for a in argv:  # the wrapper's private --state-dir is not part of the user's command
        if skip_next:
            skip_next = False
        elif a == "--state-dir":
            skip_next = True
        elif not a.startswith("--state-dir="):
            shown.append(a)
    report = build_report(args, ["bench/macro/run.sh"] + shown, facts, versions, skipped, results, straces,
                          args.scenario_list, [n for n in args.server_list if n in names], t0, t1)
    print(report)
    out = args.out
    if out is None and not args.smoke:
        os.makedirs(RESULTS_DIR, exist_ok=True)
        host = re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())
        out = os.path.join(RESULTS_DIR, f"{t0:%Y-%m-%d}-{host}.md")
        if os.path.exists(out):
            out = os.path.join(RESULTS_DIR, f"{t0:%Y-%m-%d-%H%M%S}-{host}.md")
    if out:
        with open(out, "w") as f:
            f.write(report)
        log(f"report written to {os.path.relpath(out)}")
    bad = any("error" in r or r["errors"] for rs in results.values() for r in rs)
    if bad:
        log("WARNING: some runs reported errors (see the errors column)")
    return 1 if (args.smoke and bad) else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        sys.exit(130)
