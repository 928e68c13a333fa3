#!/bin/bash
# A WordPress front-controller rewrite from .htaccess, four directories below
# the DocumentRoot: DocumentRoot/a/b/c/blog/.htaccess holds WordPress's stock
# rules (tests/integration/rewrite_frameworks/wordpress.htaccess with
# RewriteBase /a/b/c/blog/), and the request is a pretty permalink,
#   GET /a/b/c/blog/2024/05/hello-world/
# that none of the files matches, so it ends at index.php. index.php is a
# static 2 KiB file served as text/html (AddType text/html .php): what is
# measured is the rewrite and its per-directory configuration, not PHP.
#
# Servers (--servers, in this order within each round):
#   sonora    the same httpd.conf as Apache (AllowOverride All, so every
#             request revalidates the .htaccess files on the path)
#   apache    Apache 2.4, event MPM, one child, AllowOverride All
#   nginx     one worker: location /a/b/c/blog/ { try_files $uri $uri/
#             /a/b/c/blog/index.php?$args; }, open_file_cache as bench/macro
#   lighttpd  one process: url.rewrite-if-not-file to index.php
# Each runs under `taskset -c 0`, wrk (-t1, keep-alive) under `taskset -c 1`.
# Server CPU per request is user+system time of all the server's processes
# (and reaped children) over the measured run, divided by the requests wrk
# completed; "req per CPU-s" is its inverse: requests/s per core of server.
# Runs are interleaved (round 1: every server, round 2: ...); the table
# shows medians.
#
# Before measuring, each server must answer the permalink (and the blog's
# directory, and index.php itself) with 200 and index.php's bytes: a server
# that answers otherwise fails the benchmark (exit 1). A server that is not
# installed (or built), or fails its configuration test or to start, is
# skipped with the reason in the report.
#
#   bench/rewrite/run.sh [--servers sonora,apache,nginx,lighttpd]
#                        [--sonora-bin PATH] [--runs N] [--duration S]
#                        [--warmup S] [--connections N] [--syscalls]
#                        [--out FILE] [--keep-tmp]
#
# Needs wrk and the servers (scripts/install-deps.sh --bench); strace for --syscalls.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
sonora="$repo/build/release/src/main/sonora"
servers="sonora,apache,nginx,lighttpd"
runs=3
duration=5
warmup=2
conns=50
syscalls=0
out=""
keep=0
usage() {
  echo "usage: $0 [--servers a,b] [--sonora-bin PATH] [--runs N] [--duration S] [--warmup S] [--connections N] [--syscalls] [--out FILE] [--keep-tmp]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --servers) servers="$2"; shift 2 ;;
    --sonora-bin|--sonora) sonora="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --connections) conns="$2"; shift 2 ;;
    --syscalls) syscalls=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --keep-tmp) keep=1; shift ;;
    -h|--help) usage ;;
    *) usage ;;
  esac
done
for tool in wrk taskset curl python3; do
  command -v $tool >/dev/null || { echo "$tool is missing (scripts/install-deps.sh --bench)" >&2; exit 2; }
done
[ "$syscalls" = 1 ] && { command -v strace >/dev/null || { echo "strace is missing" >&2; exit 2; }; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sonora-rewrite.XXXXXX")
# strace's output stays out of the DocumentRoot's parents, which Sonora
# watches with inotify: its writes there would be events for the server.
traces=$(mktemp -d "${TMPDIR:-/tmp}/sonora-rewrite-traces.XXXXXX")
pid=""
stop_server() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  pid=""
}
cleanup() { stop_server; if [ "$keep" = 1 ]; then echo "kept $tmp $traces" >&2; else rm -rf "$tmp" "$traces"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# The site: WordPress's files four levels down, its .htaccess, index.php.
chmod 755 "$tmp"
blog="$tmp/htdocs/a/b/c/blog"
mkdir -p "$blog/wp-content/themes/twentytwentyfour" "$blog/wp-content/uploads/2024/05" "$blog/wp-admin" \
  "$blog/wp-includes/js"
sed 's|@HOME@|/a/b/c/blog/|g' "$repo/tests/integration/rewrite_frameworks/wordpress.htaccess" > "$blog/.htaccess"
{ echo '<!DOCTYPE html><html><head><title>index.php</title></head><body>'
  head -c 1900 /usr/share/common-licenses/GPL-3 | tr -d '<>&'
  echo '</body></html>'; } > "$blog/index.php"
echo 'body{}' > "$blog/wp-content/themes/twentytwentyfour/style.css"
echo 'x' > "$blog/wp-includes/js/wp-emoji.js"
echo 'admin' > "$blog/wp-admin/index.php"
chmod -R a+rX "$tmp/htdocs"
url_path=/a/b/c/blog/2024/05/hello-world/
index_bytes=$(wc -c < "$blog/index.php")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port$url_path"
as_root=0
[ "$(id -u)" = 0 ] && as_root=1

write_httpd_conf() {  # root
  local root=$1 user=""
  [ "$as_root" = 1 ] && user="User www-data
Group www-data"
  cat > "$root/httpd.conf" <<EOF
ServerRoot "$root"
Listen 127.0.0.1:$port
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
$user
ServerName localhost
PidFile "$root/logs/httpd.pid"
ErrorLog "$root/logs/error_log"
TypesConfig /etc/mime.types
AddType text/html .php
DirectoryIndex index.php index.html
DocumentRoot "$tmp/htdocs"
StartServers 1
ServerLimit 1
ThreadsPerChild 64
MaxRequestWorkers 64
MinSpareThreads 1
MaxSpareThreads 64
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 65
EnableSendfile On
<Directory />
AllowOverride None
Require all denied
</Directory>
<Directory "$tmp/htdocs">
AllowOverride All
Options FollowSymLinks
Require all granted
</Directory>
EOF
}

write_nginx_conf() {  # root
  local root=$1 user=""
  mkdir -p "$root/tmp"
  [ "$as_root" = 1 ] && user="user www-data;"
  cat > "$root/nginx.conf" <<EOF
$user
worker_processes 1;
daemon off;
master_process on;
pid $root/logs/nginx.pid;
error_log $root/logs/error.log warn;
events {
    worker_connections 1024;
}
http {
    types {
        text/html html php;
        text/css css;
        application/javascript js;
    }
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    keepalive_timeout 65s;
    keepalive_requests 1000000;
    client_body_temp_path $root/tmp/body;
    proxy_temp_path $root/tmp/proxy;
    fastcgi_temp_path $root/tmp/fastcgi;
    uwsgi_temp_path $root/tmp/uwsgi;
    scgi_temp_path $root/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        server_name localhost;
        root $tmp/htdocs;
        index index.php index.html;
        location /a/b/c/blog/ {
            try_files \$uri \$uri/ /a/b/c/blog/index.php?\$args;
        }
    }
}
EOF
}

write_lighttpd_conf() {  # root
  local root=$1
  {
    echo 'server.modules = ( "mod_rewrite", "mod_indexfile", "mod_staticfile" )'
    echo "server.document-root = \"$tmp/htdocs\""
    echo 'server.bind = "127.0.0.1"'
    echo "server.port = $port"
    echo "server.pid-file = \"$root/logs/lighttpd.pid\""
    echo "server.errorlog = \"$root/logs/error.log\""
    echo 'server.max-worker = 0'
    echo 'server.event-handler = "linux-sysepoll"'
    echo 'server.network-backend = "sendfile"'
    echo 'server.max-keep-alive-requests = 65535'
    echo 'server.max-keep-alive-idle = 65'
    echo 'index-file.names = ( "index.php", "index.html" )'
    echo 'mimetype.assign = ( ".php" => "text/html", ".html" => "text/html", ".css" => "text/css", ".js" => "application/javascript" )'
    echo 'url.rewrite-if-not-file = ( "^/a/b/c/blog/[^?]*(\?.*)?$" => "/a/b/c/blog/index.php$1" )'
    [ "$as_root" = 1 ] && { echo 'server.username = "www-data"'; echo 'server.groupname = "www-data"'; }
  } > "$root/lighttpd.conf"
}

# The command that tests a server's configuration, and the one that runs it
# in the foreground; "" when it is not installed.
server_bin() {
  case "$1" in
    sonora) [ -x "$sonora" ] && echo "$sonora" ;;
    apache) [ -x /usr/sbin/apache2 ] && echo /usr/sbin/apache2 ;;
    nginx) command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } ;;
    lighttpd) command -v lighttpd || { [ -x /usr/sbin/lighttpd ] && echo /usr/sbin/lighttpd; } ;;
  esac
}
configure() {  # server root -> test command in $test_cmd, start command in $start_cmd
  local server=$1 root=$2 bin
  bin=$(server_bin "$server")
  mkdir -p "$root/logs"
  # lighttpd opens its error log after taking www-data's identity.
  chmod 777 "$root/logs"
  case "$server" in
    sonora|apache)
      write_httpd_conf "$root"
      test_cmd=("$bin" -t -f "$root/httpd.conf" -d "$root")
      start_cmd=("$bin" -DFOREGROUND -f "$root/httpd.conf" -d "$root") ;;
    nginx)
      write_nginx_conf "$root"
      test_cmd=("$bin" -t -p "$root/" -e "$root/logs/error.log" -c "$root/nginx.conf")
      start_cmd=("$bin" -p "$root/" -e "$root/logs/error.log" -c "$root/nginx.conf") ;;
    lighttpd)
      write_lighttpd_conf "$root"
      test_cmd=("$bin" -tt -f "$root/lighttpd.conf")
      start_cmd=("$bin" -D -f "$root/lighttpd.conf") ;;
  esac
}

start_server() {  # server root
  taskset -c 0 setsid "${start_cmd[@]}" >"$2/logs/stderr" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/a/b/c/blog/index.php" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  start_error=$(cat "$2/logs/stderr" "$2"/logs/error* 2>/dev/null | tail -3 | tr '\n' ' ')
  stop_server
  return 1
}

# The permalink, the blog's directory and index.php itself must each be a 200
# with index.php's bytes; prints what is wrong, if anything.
verify() {
  local path code body
  for path in "$url_path" /a/b/c/blog/ /a/b/c/blog/index.php "$url_path?replytocom=5"; do
    code=$(curl -s -o "$traces/verify.body" -w '%{http_code}' "http://127.0.0.1:$port$path")
    if [ "$code" != 200 ]; then echo "GET $path answered $code, not 200"; return; fi
    if ! cmp -s "$traces/verify.body" "$blog/index.php"; then
      echo "GET $path answered $(wc -c < "$traces/verify.body") bytes that are not index.php's $index_bytes"
      return
    fi
  done
  # A file that exists is served as itself, not rewritten.
  body=$(curl -s "http://127.0.0.1:$port/a/b/c/blog/wp-content/themes/twentytwentyfour/style.css")
  [ "$body" = 'body{}' ] || echo "an existing file was not served as itself"
}

# Jiffies of user+system time of the server's processes, with reaped children.
group_cpu() {
  local total=0 p stat
  for p in $(pgrep -g "$pid"); do
    stat=$(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null) || continue
    set -- $stat
    total=$((total + ${12} + ${13} + ${14} + ${15}))
  done
  echo $total
}

# Requests of the last wrk run (report.lua's summary line) and its errors.
wrk_field() { sed -n "s/.*HARNESS.* $1=\([0-9]*\).*/\1/p" <<<"$2"; }

hz=$(getconf CLK_TCK)
IFS=',' read -r -a order <<<"$servers"
declare -A rps cpu_us busy errs skipped syscall_counts
for server in "${order[@]}"; do
  case "$server" in sonora|apache|nginx|lighttpd) ;; *) echo "unknown server $server" >&2; exit 2 ;; esac
  if [ -z "$(server_bin "$server")" ]; then
    skipped[$server]="not installed$([ "$server" = sonora ] && echo " (no $sonora)")"
    continue
  fi
  root="$tmp/$server"
  configure "$server" "$root"
  if ! msg=$("${test_cmd[@]}" 2>&1); then
    skipped[$server]="configuration test failed: $(echo "$msg" | tail -2 | tr '\n' ' ')"
  fi
done
failed=0
for run in $(seq "$runs"); do
  for server in "${order[@]}"; do
    [ -n "${skipped[$server]:-}" ] && continue
    root="$tmp/$server"
    configure "$server" "$root"
    if ! start_server "$server" "$root"; then
      skipped[$server]="did not start: $start_error"
      continue
    fi
    if [ "$run" = 1 ]; then
      wrong=$(verify)
      if [ -n "$wrong" ]; then
        echo "[rewrite] $server: $wrong" >&2
        skipped[$server]="WRONG ANSWER: $wrong"
        failed=1
        stop_server
        continue
      fi
    fi
    taskset -c 1 wrk -t1 -c"$conns" -d"${warmup}s" "$url" >/dev/null 2>&1
    before=$(group_cpu)
    t0=$(date +%s%N)
    result=$(taskset -c 1 wrk -t1 -c"$conns" -d"${duration}s" -s "$repo/bench/macro/report.lua" "$url" 2>&1)
    t1=$(date +%s%N)
    sleep 0.2
    after=$(group_cpu)
    requests=$(wrk_field requests "$result")
    if [ -z "$requests" ] || [ "$requests" = 0 ]; then
      echo "[rewrite] $server: wrk completed no request: $result" >&2
      errs[$server]="${errs[$server]:-} run$run:no-requests"
      stop_server
      continue
    fi
    e=""
    for f in status connect read write timeout; do
      v=$(wrk_field $f "$result"); [ "${v:-0}" != 0 ] && e="$e $f=$v"
    done
    [ -n "$e" ] && errs[$server]="${errs[$server]:-} run$run:${e# }"
    dur_us=$(wrk_field duration_us "$result")
    rate=$(awk -v n="$requests" -v d="$dur_us" 'BEGIN { printf "%.0f", n * 1e6 / d }')
    us=$(awk -v j=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.2f", j * 1e6 / hz / n }')
    pct=$(awk -v j=$((after - before)) -v hz="$hz" -v t=$(((t1 - t0) / 1000)) 'BEGIN { printf "%.0f", j * 1e8 / hz / t }')
    rps[$server]="${rps[$server]:-} $rate"
    cpu_us[$server]="${cpu_us[$server]:-} $us"
    busy[$server]="${busy[$server]:-} $pct"
    echo "[rewrite] run $run $server: $rate req/s, $us us CPU/req, server CPU $pct %${e:+, errors:$e}" >&2
    if [ "$run" = 1 ] && [ "$syscalls" = 1 ]; then
      # System calls per warm request: 200 keep-alive requests on one
      # connection, every thread of every process of the server traced.
      tids=$(for p in $(pgrep -g "$pid"); do ls "/proc/$p/task" 2>/dev/null; done)
      strace -qq -o "$traces/strace-$server" $(for t in $tids; do echo "-p $t"; done) 2>/dev/null &
      spid=$!
      sleep 0.5
      python3 - "$port" "$url_path" <<'PY'
import socket, sys
port, path = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
req = f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()
for _ in range(200):
    s.sendall(req)
    got = b""
    while True:
        got += s.recv(65536)
        head, sep, body = got.partition(b"\r\n\r\n")
        if sep:
            length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
            if len(body) >= length:
                break
s.close()
PY
      sleep 0.3
      kill -INT $spid 2>/dev/null; wait $spid 2>/dev/null
      syscall_counts[$server]=$(awk '!/resumed|exited|\+\+\+|---/ { n++ } END { printf "%.1f", n / 200 }' "$traces/strace-$server")
      syscall_counts[$server]="${syscall_counts[$server]} ($(grep -v "resumed\|unfinished\|+++\|---" "$traces/strace-$server" |
        sed -E 's/^[0-9]+ +//; s/\(.*//' | sort | uniq -c | sort -rn | head -5 | awk '{ printf "%s%s %.1f", (NR > 1 ? ", " : ""), $2, $1 / 200 }'))"
    fi
    stop_server
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.2f×", a / b }'; }
version_of() {
  case "$1" in
    sonora) "$sonora" -v 2>/dev/null | head -1 ;;
    apache) /usr/sbin/apache2 -v 2>/dev/null | head -1 ;;
    nginx) "$(server_bin nginx)" -v 2>&1 | head -1 ;;
    lighttpd) "$(server_bin lighttpd)" -v 2>&1 | head -1 ;;
  esac
}
report() {
  echo "# WordPress rewrite from .htaccess, 4 levels deep — $(date -u '+%Y-%m-%d %H:%M') on $(hostname)"
  echo
  echo "Command: \`bench/rewrite/run.sh --servers $servers --runs $runs --duration $duration --warmup $warmup --connections $conns$([ "$syscalls" = 1 ] && echo " --syscalls")\`; sonora tree $(git -C "$repo" rev-parse --short HEAD 2>/dev/null)."
  echo "GET $url_path (no such file: WordPress's stock rules in /a/b/c/blog/.htaccess, RewriteBase /a/b/c/blog/, end at index.php, a static $index_bytes-byte file served as text/html)."
  echo "Keep-alive, wrk -t1 -c$conns on CPU 1, server on CPU 0; no access logs. Apache and Sonora: same httpd.conf, event MPM with one child, AllowOverride All (every request revalidates .htaccess). nginx: try_files \$uri \$uri/ /a/b/c/blog/index.php?\$args, one worker, open_file_cache. lighttpd: url.rewrite-if-not-file, one process."
  echo "Medians of $runs interleaved runs of ${duration} s (after ${warmup} s of warm-up). req per CPU-s = requests per second of server CPU (1e6 / CPU µs per request): throughput per core."
  echo
  echo "| server | req/s | CPU µs/req | req per CPU-s | srv CPU | req/s vs apache | req/CPU-s vs apache | req/s vs nginx | req/CPU-s vs nginx | errors |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"
  local ar au nr nu r u per
  ar=$(echo "${rps[apache]:-}" | median); au=$(echo "${cpu_us[apache]:-}" | median)
  nr=$(echo "${rps[nginx]:-}" | median); nu=$(echo "${cpu_us[nginx]:-}" | median)
  local ap np
  ap=$(awk -v u="$au" 'BEGIN { if (u != "") printf "%.0f", 1e6 / u }'); np=$(awk -v u="$nu" 'BEGIN { if (u != "") printf "%.0f", 1e6 / u }')
  for server in "${order[@]}"; do
    if [ -n "${skipped[$server]:-}" ] && [ -z "${rps[$server]:-}" ]; then
      echo "| $server | skipped: ${skipped[$server]} | | | | | | | | |"
      continue
    fi
    r=$(echo "${rps[$server]:-}" | median); u=$(echo "${cpu_us[$server]:-}" | median)
    per=$(awk -v u="$u" 'BEGIN { if (u != "" && u > 0) printf "%.0f", 1e6 / u }')
    echo "| $server | $r | $u | $per | $(echo "${busy[$server]:-}" | median) % | $(ratio "$r" "$ar") | $(ratio "$per" "$ap") | $(ratio "$r" "$nr") | $(ratio "$per" "$np") | ${errs[$server]:-none} |"
  done
  if [ "$syscalls" = 1 ]; then
    echo
    echo "System calls per warm request (strace on every thread, 200 keep-alive requests on one connection):"
    echo
    for server in "${order[@]}"; do
      [ -n "${syscall_counts[$server]:-}" ] && echo "- $server: ${syscall_counts[$server]}"
    done
  fi
  echo
  echo "Targets for Sonora: req per CPU-s ≥ 3× Apache's, and ≥ 1× nginx's (with its .htaccess revalidation)."
  echo
  echo "Every run (req/s, CPU µs/req, srv CPU %):"
  echo
  for server in "${order[@]}"; do
    [ -n "${rps[$server]:-}" ] && echo "- $server: req/s${rps[$server]}; µs/req${cpu_us[$server]}; CPU %${busy[$server]}"
  done
  echo
  echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)."
  for server in "${order[@]}"; do
    [ -n "$(server_bin "$server")" ] && echo "- $server: $(version_of "$server")"
  done
}
if [ -n "$out" ]; then report | tee "$out"; else report; fi
exit $failed
