#!/usr/bin/env python3
"""Macro benchmark: Sonora against nginx, lighttpd, h2o and Apache httpd.

Run it through bench/macro/run.sh (see bench/README.md). Python 3 standard
library only. Every server gets its own generated configuration in a temp dir,
listens on its own 127.0.0.1 port, runs ONE worker process pinned to CPU 0;
wrk runs pinned to CPU 1. All traffic goes to 127.0.0.1.

The process-model measurements (--scenarios idle-10k, --mpm-compare,
--accept-compare) live in procs.py; their server variants are configured here
(Variant).
"""

import argparse
import dataclasses
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

# Scenarios of the process-model measurements (procs.py), same layout.
# mpm-*: --mpm-compare; accept-*: --accept-compare (internal).
MPM_SCENARIOS = {
    "mpm-6k-keepalive": ("/6k.bin", 50, False, 6 * 1024),
    "mpm-6k-keepalive-c2": ("/6k.bin", 2, False, 6 * 1024),
    "mpm-6k-close": ("/6k.bin", 50, True, 6 * 1024),
}
ACCEPT_SCENARIOS = {
    "accept-6k-close": ("/6k.bin", 50, True, 6 * 1024),
}
IDLE_SCENARIOS = ["idle-10k"]


def scenario_spec(name):
    return SCENARIOS.get(name) or MPM_SCENARIOS.get(name) or ACCEPT_SCENARIOS[name]

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

APACHE_MODULES = "/usr/lib/apache2/modules"


@dataclasses.dataclass
class Variant:
    """How a server deviates from the default one-process setup (the
    process-model measurements in procs.py). The defaults reproduce the
    configurations of the four standard scenarios exactly."""
    mpm: str = None        # Sonora/Apache: prefork, worker or event; None: the default (event, one child)
    procs: int = None      # worker processes (children); None: one
    mutex: str = None      # Sonora/Apache: Mutex <method> mpm-accept
    buckets: int = None    # Sonora/Apache: ListenCoresBucketsRatio; nginx: listen ... reuseport
    nports: int = 1        # Listen sockets (ports)
    max_conns: int = None  # size every limit for this many concurrent connections (idle scenario)
    nofile: int = None     # with max_conns: the open-files limit the server inherits (its own can't be higher)
    threads: int = APACHE_THREADS  # ThreadsPerChild for worker/event

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
        self.label = self.name  # how results and reports name it (a variant's label)
        self.v = Variant()
        self.extra_ports = []   # a variant's further Listen ports (self.port is the first)

    @property
    def ports(self):
        return [self.port] + self.extra_ports

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

    def conns_for(self, scenario, conns=None):
        """wrk connections for a scenario. Prefork holds one keep-alive
        connection per child for its whole life: more connections than
        children would wait (and time out) behind the ones being served, so
        a prefork variant gets one connection per child on keep-alive."""
        _, c, close, _ = scenario_spec(scenario)
        c = conns or c
        if self.v.mpm == "prefork" and not close:
            return min(c, self.v.procs or 1)
        return c

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
    lines = [f"Listen 127.0.0.1:{p}" for p in s.ports] + [
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
    v = s.v
    if v.mpm is None:
        # The idle scenario may ask for more threads: Apache's event MPM
        # closes keep-alive connections early whenever all its threads were busy.
        t = v.threads if v.max_conns else APACHE_THREADS
        mpm = [
            "StartServers 1",
            "ServerLimit 1",
            f"ThreadLimit {t}",
            f"ThreadsPerChild {t}",
            f"MaxRequestWorkers {t}",
            "MinSpareThreads 1",
            f"MaxSpareThreads {t * 2}",
            "MaxConnectionsPerChild 0",
        ]
        if v.max_conns:
            mpm.append(f"AsyncRequestWorkerFactor {async_factor(v.max_conns, t)}")
        # The idle scenario's sizing goes in unguarded (it is for event only).
        if mpm_guard and not v.max_conns:
            lines += ["<IfModule mpm_event_module>"] + ["    " + m for m in mpm] + ["</IfModule>"]
        else:
            lines += mpm
    else:
        lines += variant_mpm_lines(v)
    return "\n".join(lines) + "\n"


def async_factor(conns, threads):
    """Event MPM: a child takes new connections while it holds fewer than
    ThreadsPerChild + idle threads * AsyncRequestWorkerFactor; sized so that
    one child with all its threads idle takes `conns` (plus a margin)."""
    return -(-(conns + 512) // threads) + 1


def variant_mpm_lines(v):
    """MPM sizing for a variant with v.procs children, exactly that many: the
    spare-server/thread bounds never ask for a third child nor reap one."""
    p = v.procs or 1
    if v.mpm == "prefork":
        # One connection per child: p children serve p connections at once.
        mpm = [f"StartServers {p}", f"ServerLimit {p}", f"MaxRequestWorkers {p}", "MinSpareServers 1",
               f"MaxSpareServers {p}", "MaxConnectionsPerChild 0"]
    else:
        t = v.threads
        mpm = [f"StartServers {p}", f"ServerLimit {p}", f"ThreadLimit {t}", f"ThreadsPerChild {t}",
               f"MaxRequestWorkers {p * t}", "MinSpareThreads 1", f"MaxSpareThreads {p * t * 2}",
               "MaxConnectionsPerChild 0"]
        if v.mpm == "event" and v.max_conns:
            mpm.append(f"AsyncRequestWorkerFactor {async_factor(v.max_conns, t)}")
    if v.mutex:
        mpm.append(f"Mutex {v.mutex} mpm-accept")
    if v.buckets:
        mpm.append(f"ListenCoresBucketsRatio {v.buckets}")
    return mpm


def mpm_load_line(v, always):
    """LoadModule for a variant's MPM; Sonora runs event when none is loaded."""
    mpm = v.mpm or "event"
    if mpm == "event" and not always:
        return None
    return f"LoadModule mpm_{mpm}_module {APACHE_MODULES}/mod_mpm_{mpm}.so"


class Apache(Server):
    name = "apache"
    binary = "apache2"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.access_log = os.path.join(self.logs, "access_log")
    MODULES = APACHE_MODULES

    def write_config(self):
        os.makedirs(os.path.join(self.root, "run"), exist_ok=True)
        os.chmod(os.path.join(self.root, "run"), 0o777)  # accept-mutex lock files, children as www-data
        what = ("event MPM, one child process" if self.v.mpm is None
                else f"{self.v.mpm} MPM, {self.v.procs or 1} child process(es)")
        head = "\n".join([
            f"# Generated by bench/macro: Apache httpd 2.4, {what}.",
            f'DefaultRuntimeDir "{self.root}/run"',
            mpm_load_line(self.v, always=True),
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
        if self.v.mpm is None:
            head = "# Generated by bench/macro: Sonora, one process (-X).\n"
        else:
            run = os.path.join(self.root, "run")
            os.makedirs(run, exist_ok=True)
            os.chmod(run, 0o777)  # accept-mutex lock files, children as www-data
            head = "\n".join(x for x in [
                f"# Generated by bench/macro: Sonora, {self.v.mpm} MPM, {self.v.procs or 1} child process(es).",
                f'DefaultRuntimeDir "{run}"',
                mpm_load_line(self.v, always=False)] if x) + "\n"
        mime = os.path.join(REPO, "conf", "mime.types")
        if not os.path.exists(mime):
            mime = self.write("conf/mime.types", "")
        self.write("conf/httpd.conf", head + apache_common_conf(self, mime, mpm_guard=True))

    def base_cmd(self):
        # The default setup runs one process (-X); a variant with an MPM runs
        # the parent and its children.
        flags = self.args.sonora_flags if self.v.mpm is None else self.args.sonora_mp_flags
        return [self.binary] + shlex.split(flags) + ["-d", self.root, "-f", "conf/httpd.conf"]

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
        procs = self.v.procs or 1
        what = "ONE worker process" if procs == 1 else f"{procs} worker processes"
        conns = 1024
        if self.v.max_conns:
            nofile = self.v.nofile or 2 * (self.v.max_conns + 1024)
            conns = min(self.v.max_conns + 1024, nofile)
            user += f"worker_rlimit_nofile {nofile};\n"
        reuse = " reuseport" if self.v.buckets else ""
        listen = "\n        ".join(f"listen 127.0.0.1:{p}{reuse};" for p in self.ports)
        conf = f"""# Generated by bench/macro: nginx, master + {what}.
{user}worker_processes {procs};
daemon off;
master_process on;
pid {self.root}/logs/nginx.pid;
error_log {self.root}/logs/error.log warn;
events {{
    worker_connections {conns};
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
        {listen}
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
        if self.v.max_conns:
            # lighttpd sets its own fd limit from max-fds (not above the hard
            # limit it inherits) and takes at most max-fds/2 connections.
            fds = min(2 * self.v.max_conns + 2048, self.v.nofile or 1 << 20)
            lines += [f"server.max-fds = {fds}",
                      f"server.max-connections = {min(self.v.max_conns + 512, fds // 2)}"]
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
        if self.v.max_conns:
            lines.append(f"max-connections: {self.v.max_conns + 512}")
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


def make_server(label, args, root, docroot):
    """A server by name, or a process-model variant by label (procs.py)."""
    if label in SERVER_CLASSES and getattr(args, "mode", "") != "mpm":
        srv = SERVER_CLASSES[label](args, root, docroot, 0)
    else:
        import procs
        srv = procs.make_variant(label, args, root, docroot)
    if getattr(args, "mode", "") == "idle":
        srv.v.max_conns = args.idle_conns
        srv.v.nofile = getattr(args, "idle_nofile", None)
        # More threads than connections being set up at once (Apache event
        # closes idle keep-alive connections when all its threads were busy).
        srv.v.threads = max(APACHE_THREADS, 2 * args.idle_batch)
    return srv


# --------------------------------------------------------------------------
# load generation and measurement


def wrk_cmd(args, port, scenario, duration, conns=None):
    path, c, close, _ = scenario_spec(scenario)
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
    return parse_wrk(r.returncode, r.stdout, r.stderr)


def parse_wrk(returncode, stdout, stderr):
    m = re.search(r"^HARNESS (.*)$", stdout, re.M)
    if returncode != 0 or not m:
        return {"error": f"wrk failed (rc {returncode}): {(stdout + stderr).strip()[-300:]}"}
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


def ctx_switches(pids):
    """{tid: voluntary context switches} over every thread of the processes:
    how often each went to sleep (in epoll_wait, accept, a lock...) and was
    woken again."""
    out = {}
    for p in pids:
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tids:
            try:
                with open(f"/proc/{p}/task/{t}/status") as f:
                    for line in f:
                        if line.startswith("voluntary_ctxt_switches:"):
                            out[int(t)] = int(line.split()[1])
                            break
            except (OSError, ValueError):
                continue
    return out


def wakeups_between(before, after):
    """Voluntary switches between two ctx_switches() snapshots; a thread
    born in between counts from zero, one that died is lost."""
    return sum(v - before.get(t, 0) for t, v in after.items() if v >= before.get(t, 0))


def measure(args, server, scenario):
    conns = server.conns_for(scenario)
    if args.warmup > 0:
        run_wrk(args, server.port, scenario, args.warmup, conns=conns)
    log_before = file_size(server.access_log)
    before, pids0 = tree_cpu_ticks(server.pid)
    ctx0 = ctx_switches(pids0)
    cpu_before = cpu_busy_ticks(args.server_cpu)
    res = run_wrk(args, server.port, scenario, args.duration, conns=conns)
    cpu_after = cpu_busy_ticks(args.server_cpu)
    after, pids = tree_cpu_ticks(server.pid)
    ctx1 = ctx_switches(pids)
    log_after = file_size(server.access_log)
    if "error" in res:
        return res
    res["conns"] = conns
    res["wakeups_per_req"] = wakeups_between(ctx0, ctx1) / res["requests"] if res["requests"] else float("nan")
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
    tag = re.sub(r"[^A-Za-z0-9.-]", "_", server.label)
    out = os.path.join(workdir, f"strace-{tag}-{scenario}.txt")
    errf = os.path.join(workdir, f"strace-{tag}-{scenario}.err")
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
    conns = min(server.conns_for(scenario), args.strace_connections)
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


def cell(text, n=150):
    """Text made safe for one markdown table cell."""
    return re.sub(r"\s+", " ", str(text)).replace("|", "/")[:n]


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
    mp = getattr(args, "mode", "") == "mpm"
    L.append(f"Runs per scenario: {args.runs} (interleaved), duration {args.duration} s after a {args.warmup} s "
             f"warm-up; access logs {'OFF' if args.no_logs else 'on (common format, to a file)'}; "
             f"servers pinned to CPU {args.server_cpu}, wrk ({args.wrk_threads} thread) to CPU {args.client_cpu}. "
             f"Wall time {(t1 - t0).total_seconds() / 60:.1f} min.")
    L.append("")
    if mp:
        L.append(f"Process models (--mpm-compare): every server runs {args.procs} worker processes (Sonora and "
                 f"Apache: StartServers = ServerLimit = {args.procs}, spare bounds that neither add nor reap a "
                 f"child; nginx: worker_processes {args.procs}), ALL of them on CPU {args.server_cpu}: equal CPU "
                 "for every server, so this measures what the process model costs, not how it scales. "
                 "Prefork serves one connection per child: on keep-alive it gets one wrk connection per child "
                 "(column conns); `mpm-6k-keepalive-c2` gives every server that same number, for a like-for-like "
                 "row. wake-ups/req = voluntary context switches of all the server's threads / requests.")
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
    if mp:
        L.append("| scenario | server | conns | req/s | vs nginx | p99 ms | vs nginx | CPU µs/req | vs nginx | "
                 "srv CPU | wake-ups/req | syscalls/req | top syscalls / req | errors |")
        L.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|")
    else:
        L.append("| scenario | server | req/s | vs nginx | CPU µs/req | vs nginx | srv CPU | p99 ms | "
                 "syscalls/req | top syscalls / req | errors |")
        L.append("|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|")
    medians = {}
    unlike = False
    for sc in scenarios:
        for name in servers:
            runs = [r for r in results.get((sc, name), []) if "error" not in r]
            if runs:
                medians[(sc, name)] = (statistics.median(r["rps"] for r in runs),
                                       statistics.median(r["cpu_us_per_req"] for r in runs),
                                       statistics.median(r["cpu_util"] for r in runs),
                                       statistics.median(r["p99_us"] for r in runs) / 1000,
                                       statistics.median(r.get("wakeups_per_req", float("nan")) for r in runs),
                                       runs[0].get("conns"))
    for sc in scenarios:
        ref = medians.get((sc, "nginx"))
        for name in servers:
            allruns = results.get((sc, name), [])
            if not allruns:
                if name in skipped:
                    dashes = "— | " * (12 if mp else 8)
                    L.append(f"| {sc} | {name} | {dashes}skipped: {cell(skipped[name])} |")
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
                dashes = "— | " * (11 if mp else 6)
                L.append(f"| {sc} | {name} | {dashes}{sys_cell} | {top_cell} | "
                         f"**{'; '.join(errs)[:200]}** |")
                continue
            rps, cpu, util, p99, wake, conns = m
            if mp:
                # A ratio against nginx at another connection count is not like for like.
                dag = "†" if ref and ref[5] != conns else ""
                if dag:
                    unlike = True
                L.append(f"| {sc} | {name} | {conns} | {fmt_num(rps)} | {ratio(rps, ref[0] if ref else None)}{dag} | "
                         f"{p99:.2f} | {ratio(p99, ref[3] if ref else None)}{dag} | "
                         f"{fmt_num(cpu, 1)} | {ratio(cpu, ref[1] if ref else None)} | {util * 100:.0f}% | "
                         f"{fmt_num(wake, 2)} | {sys_cell} | {top_cell} | "
                         f"{('**' + '; '.join(errs)[:200] + '**') if errs else 'none'} |")
                continue
            L.append(f"| {sc} | {name} | {fmt_num(rps)} | {ratio(rps, ref[0] if ref else None)} | "
                     f"{fmt_num(cpu, 1)} | {ratio(cpu, ref[1] if ref else None)} | {util * 100:.0f}% | "
                     f"{p99:.2f} | {sys_cell} | {top_cell} | "
                     f"{('**' + '; '.join(errs)[:200] + '**') if errs else 'none'} |")
    if unlike:
        L.append("")
        L.append("† fewer wrk connections than nginx had (prefork on keep-alive: one per child), so req/s and p99 "
                 "are not like for like; compare CPU µs/req here, and the `mpm-6k-keepalive-c2` rows.")
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


def install_signal_handlers():
    """TERM and HUP end the run through SystemExit (so servers are stopped);
    INT too, also when started in the background, where the shell leaves
    SIGINT ignored."""
    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/macro/run.sh", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--servers", help="comma list (default: all five; --mpm-compare: its variants)")
    p.add_argument("--scenarios", help="comma list (default: the four standard ones). Also: "
                   f"{', '.join(IDLE_SCENARIOS)} (idle keep-alive memory), {', '.join(MPM_SCENARIOS)} "
                   "(as --mpm-compare); one kind per invocation")
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
    p.add_argument("--sonora-mp-flags", default="-DFOREGROUND",
                   help="sonora flags of the multi-process variants (default: %(default)s)")
    g = p.add_argument_group("idle connections memory (--scenarios idle-10k)")
    g.add_argument("--idle-conns", type=int, help="idle keep-alive connections to hold (default 10000; --smoke 2000)")
    g.add_argument("--idle-path", default="/6k.bin", help="the one request each connection sends (default %(default)s)")
    g.add_argument("--idle-batch", type=int, default=100, help="connections being set up at once (default 100)")
    g.add_argument("--idle-settle", type=float, default=2.0, help="seconds between the last response and the "
                   "measurement (default 2)")
    g.add_argument("--idle-open-timeout", type=float, default=45.0,
                   help="seconds allowed to open all connections (default 45; keep-alive timeout is 65)")
    g = p.add_argument_group("process models (--mpm-compare)")
    g.add_argument("--mpm-compare", action="store_true",
                   help="Sonora prefork/worker/event, nginx, Apache event; each with --procs worker processes")
    g.add_argument("--procs", type=int, default=2, help="worker processes per server (default 2)")
    g = p.add_argument_group("accept serialization (--accept-compare)")
    g.add_argument("--accept-compare", action="store_true",
                   help="Mutex mpm-accept methods, ListenCoresBucketsRatio, EPOLLEXCLUSIVE: req/s, p99, wake-ups")
    g.add_argument("--accept-variants", default="*",
                   help="comma list of shell patterns over the variant labels (default: all; --list-variants)")
    g.add_argument("--accept-listeners", default="1,2", help="Listen sockets (ports) to run with (default 1,2)")
    g.add_argument("--accept-conns", type=int, default=50, help="wrk connections in all (split over the ports)")
    g.add_argument("--counter", choices=["auto", "perf", "strace", "none"], default="auto",
                   help="syscall counts: perf tracepoints during the measured run, or a separate strace -f -c run "
                   "(default auto: perf if it works, else strace)")
    p.add_argument("--list-variants", action="store_true", help="print the process-model variant labels and exit")
    p.add_argument("--out", help="report file (default bench/results/<date>-<host>.md; --smoke: none)")
    p.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (configs, logs) for inspection")
    p.add_argument("--state-dir", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.smoke:
        a.runs, a.duration, a.warmup, a.no_strace = 1, 2, 1, True
    if a.idle_conns is None:
        a.idle_conns = 2000 if a.smoke else 10000
    a.scenario_list = [s.strip() for s in (a.scenarios or "").split(",") if s.strip()]
    kinds = {("idle" if s in IDLE_SCENARIOS else "mpm" if s in MPM_SCENARIOS else
              "standard" if s in SCENARIOS else s) for s in a.scenario_list}
    for k in kinds:
        if k not in ("idle", "mpm", "standard"):
            p.error(f"unknown scenario {k!r} (known: {', '.join(ALL_SCENARIOS + IDLE_SCENARIOS + list(MPM_SCENARIOS))})")
    if len(kinds) > 1:
        p.error("standard, idle-* and mpm-* scenarios need separate invocations")
    if a.accept_compare:
        if a.mpm_compare or kinds:
            p.error("--accept-compare runs its own scenario: no --scenarios, no --mpm-compare")
        a.mode = "accept"
    elif "idle" in kinds:
        a.mode = "idle"
    elif a.mpm_compare or "mpm" in kinds:
        a.mode = "mpm"
        if not a.scenario_list:
            a.scenario_list = list(MPM_SCENARIOS)
        if kinds - {"mpm"}:
            p.error("--mpm-compare runs the mpm-* scenarios only")
    else:
        a.mode = "standard"
        if not a.scenario_list:
            a.scenario_list = list(ALL_SCENARIOS)
    import procs
    if a.list_variants:
        return a
    if a.mode == "mpm":
        known = procs.MPM_VARIANTS
        default = procs.MPM_DEFAULT
    else:
        known = ALL_SERVERS
        default = ALL_SERVERS
    a.server_list = [s.strip() for s in a.servers.split(",") if s.strip()] if a.servers else list(default)
    if a.mode != "accept":
        for s in a.server_list:
            if s not in known:
                p.error(f"unknown server {s!r} (known here: {', '.join(known)})")
    if not (1 <= a.runs <= 20 and 1 <= a.duration <= 600 and 0 <= a.warmup <= 60 and 1 <= a.strace_duration <= 60):
        p.error("runs 1..20, duration 1..600, warmup 0..60, strace-duration 1..60")
    if not (1 <= a.procs <= 16 and 1 <= a.idle_conns <= 100000 and 1 <= a.idle_batch <= 1000
            and 0 <= a.idle_settle <= 30 and 1 <= a.idle_open_timeout <= 60 and 2 <= a.accept_conns <= 1000):
        p.error("procs 1..16, idle-conns 1..100000, idle-batch 1..1000, idle-settle 0..30, "
                "idle-open-timeout 1..60 (below the 65 s keep-alive timeout), accept-conns 2..1000")
    try:
        a.listener_counts = sorted({int(x) for x in a.accept_listeners.split(",") if x.strip()})
    except ValueError:
        p.error("--accept-listeners: comma list of 1 and/or 2")
    if not a.listener_counts or not set(a.listener_counts) <= {1, 2}:
        p.error("--accept-listeners: comma list of 1 and/or 2")
    return a


def main(argv):
    args = parse_args(argv)
    if args.list_variants:
        import procs
        print(procs.list_variants(args))
        return 0
    if args.mode in ("idle", "accept"):
        import procs
        return procs.main(args, argv)
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

    install_signal_handlers()

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
            root = os.path.join(tmp, re.sub(r"[^A-Za-z0-9.-]", "_", name))
            os.makedirs(root)
            srv = make_server(name, args, root, docroot)
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
                    results.setdefault((sc, srv.label), []).append(res)
                    if "error" in res:
                        log(f"[{done}/{total}] {sc} run {run} {srv.label}: ERROR {res['error']}")
                    else:
                        log(f"[{done}/{total}] {sc} run {run} {srv.label}: {res['rps']:,.0f} req/s, "
                            f"{res['cpu_us_per_req']:.1f} µs CPU/req, srv CPU {res['cpu_util'] * 100:.0f}%"
                            + (f", ERRORS {', '.join(res['errors'])}" if res["errors"] else ""))
            if not args.no_strace:
                for srv in servers:
                    if not srv.alive():
                        continue
                    st = strace_run(args, srv, sc, tmp)
                    straces[(sc, srv.label)] = st
                    if "error" in st:
                        log(f"strace {sc} {srv.label}: {st['error']}")
                    else:
                        log(f"strace {sc} {srv.label}: {st['per_req']:.2f} syscalls/req ("
                            + ", ".join(f"{k} {v:.2f}" for k, v in st["top"]) + ")")
        for srv in servers:
            if not srv.alive():
                log(f"{srv.label} died during the run:\n{srv.tail_output()}")
    finally:
        for srv in started:
            srv.stop()
        if args.keep_tmp:
            log(f"temp dir kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    t1 = datetime.datetime.now()
    names = [s.label for s in servers] + [n for n in args.server_list if n in skipped]
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
        kind = "-mpm" if args.mode == "mpm" else ""
        out = os.path.join(RESULTS_DIR, f"{t0:%Y-%m-%d}{kind}-{host}.md")
        if os.path.exists(out):
            out = os.path.join(RESULTS_DIR, f"{t0:%Y-%m-%d-%H%M%S}{kind}-{host}.md")
    if out:
        with open(out, "w") as f:
            f.write(report)
        log(f"report written to {os.path.relpath(out)}")
    bad = any("error" in r or r["errors"] for rs in results.values() for r in rs)
    if bad:
        log("WARNING: some runs reported errors (see the errors column)")
    return 1 if (args.smoke and bad) else 0


# procs.py imports this file as "macro"; when it runs as the script, that is
# this very module (not a second copy).
sys.modules.setdefault("macro", sys.modules[__name__])

if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        sys.exit(130)
