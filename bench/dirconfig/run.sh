#!/bin/bash
# The cost of per-directory configuration (seeds: AllowOverride and
# FollowSymLinks): a 6 KiB file four directories below the DocumentRoot,
# served keep-alive, under
#   cheap:     AllowOverride None, Options FollowSymLinks (httpd's fast path)
#   expensive: AllowOverride All, Options SymLinksIfOwnerMatch everywhere,
#              one .htaccess on the path (DirectoryIndex) and none elsewhere
# by Sonora and Apache 2.4 (event MPM, one child, same httpd.conf). Each
# server runs under `taskset -c 0` with wrk (-t1 -c50) on CPU 1; server CPU
# per request is the user+system time of all its processes over the run.
# Then the file-system calls per request (strace on the child, after one
# warm-up request), which is what the seeds count.
#
#   bench/dirconfig/run.sh [--sonora BINARY] [--runs N] [--duration S] [--out FILE]
#
# Needs wrk, strace and apache2 (scripts/install-deps.sh --bench).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
sonora="$repo/build/release/src/main/sonora"
runs=3
duration=5
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sonora) sonora="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "usage: $0 [--sonora BINARY] [--runs N] [--duration S] [--out FILE]" >&2; exit 2 ;;
  esac
done
for tool in wrk strace taskset; do
  command -v $tool >/dev/null || { echo "$tool is missing (scripts/install-deps.sh --bench)" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sonora-dirconfig.XXXXXX")
# strace's output stays out of the watched tree (the DocumentRoot's parents):
# its writes would be events for Sonora's directory watches.
traces=$(mktemp -d "${TMPDIR:-/tmp}/sonora-dirconfig-traces.XXXXXX")
pid=""
stop_server() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null
  fi
  pid=""
}
cleanup() { stop_server; rm -rf "$tmp" "$traces"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

chmod 755 "$tmp"
deep="$tmp/htdocs/a/b/c/d"
mkdir -p "$deep"
head -c 6144 /dev/urandom > "$deep/6k.bin"
printf 'DirectoryIndex index.html\n' > "$tmp/htdocs/a/.htaccess"
chmod -R a+rX "$tmp/htdocs"
url_path=/a/b/c/d/6k.bin
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

write_conf() {  # server setting root
  local server=$1 setting=$2 root=$3 dir_rules
  mkdir -p "$root/logs"
  if [ "$setting" = cheap ]; then
    dir_rules="AllowOverride None
Options FollowSymLinks"
  else
    dir_rules="AllowOverride All
Options SymLinksIfOwnerMatch"
  fi
  local user=""
  [ "$(id -u)" = 0 ] && user="User www-data
Group www-data"
  cat > "$root/httpd.conf" <<EOF
ServerRoot "$root"
Listen 127.0.0.1:$port
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
$user
ServerName localhost
PidFile "$root/logs/httpd.pid"
ErrorLog "$root/logs/error_log"
TypesConfig /etc/mime.types
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
<Directory />
$dir_rules
Require all granted
</Directory>
EOF
}

start_server() {  # server root
  local bin=/usr/sbin/apache2
  [ "$1" = sonora ] && bin="$sonora"
  taskset -c 0 setsid "$bin" -DFOREGROUND -f "$2/httpd.conf" -d "$2" >"$2/logs/stderr" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port$url_path" && return 0
    sleep 0.05
  done
  echo "$1 did not start: $(cat "$2/logs/stderr" "$2/logs/error_log" 2>/dev/null | tail -3)" >&2
  return 1
}

# Jiffies of user+system time of a process group's processes.
group_cpu() {
  local total=0 p stat
  for p in $(pgrep -g "$pid"); do
    stat=$(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null) || continue
    set -- $stat
    total=$((total + ${12} + ${13}))
  done
  echo $total
}

hz=$(getconf CLK_TCK)
declare -A rps cpu_us syscalls
configs="sonora:cheap sonora:expensive apache:cheap apache:expensive"
for run in $(seq "$runs"); do
  for c in $configs; do
    server=${c%%:*}; setting=${c#*:}
    root="$tmp/$server-$setting"
    write_conf "$server" "$setting" "$root"
    start_server "$server" "$root" || exit 1
    taskset -c 1 wrk -t1 -c50 -d2s "http://127.0.0.1:$port$url_path" >/dev/null 2>&1  # warm-up
    before=$(group_cpu)
    result=$(taskset -c 1 wrk -t1 -c50 -d"${duration}s" "http://127.0.0.1:$port$url_path" 2>&1)
    after=$(group_cpu)
    requests=$(echo "$result" | awk '/requests in/ {print $1}')
    non2xx=$(echo "$result" | awk '/Non-2xx/ {print $NF}')
    if [ -n "$non2xx" ]; then echo "$c: $non2xx non-2xx answers" >&2; exit 1; fi
    rate=$(echo "$result" | awk '/Requests\/sec/ {print $2}')
    us=$(awk -v j=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.1f", j * 1e6 / hz / n }')
    rps[$c]="${rps[$c]:-} $rate"
    cpu_us[$c]="${cpu_us[$c]:-} $us"
    echo "[dirconfig] run $run $c: $rate req/s, $us us CPU/req" >&2
    if [ "$run" = 1 ]; then
      # File-system calls per request on a warm server: 200 requests on one
      # connection, every thread of every child traced.
      children=$(pgrep -g "$pid" | grep -v "^$pid\$" | tr '\n' ',' | sed 's/,$//')
      [ "$server" = sonora ] && [ -z "$children" ] && children=$pid
      trace="$traces/strace-$server-$setting"
      strace -f -qq -o "$trace" -e trace=openat,open,stat,lstat,newfstatat,statx,fstat,read \
        $(echo "$children" | tr ',' '\n' | sed 's/^/-p /') &
      spid=$!
      sleep 0.5
      python3 - "$port" "$url_path" <<'PY'
import socket, sys
port, path = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
req = f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()
for _ in range(200):
    s.sendall(req)
    need, got = None, b""
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
      syscalls[$c]=$(awk '!/resumed|unfinished|exited|\+\+\+/ { n++ } END { printf "%.2f", n / 200 }' "$trace")
      grep -v "resumed\|unfinished" "$trace" | sed -E 's/^[0-9]+ +//; s/\(.*//' | sort | uniq -c | sort -rn |
        awk '{ printf "%s %.2f, ", $2, $1 / 200 }' > "$trace.top"
    fi
    stop_server
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
report() {
  echo "# Per-directory configuration cost — $(date -u '+%Y-%m-%d %H:%M') on $(hostname)"
  echo
  echo "Command: \`bench/dirconfig/run.sh --runs $runs --duration $duration\`; sonora tree $(git -C "$repo" rev-parse --short HEAD)."
  echo "GET $url_path (6 KiB, four directories below the DocumentRoot), keep-alive, wrk -t1 -c50 on CPU 1, server on CPU 0 (event MPM, one child). Medians of $runs interleaved runs."
  echo "cheap: AllowOverride None + Options FollowSymLinks; expensive: AllowOverride All + Options SymLinksIfOwnerMatch on <Directory />, one .htaccess on the path (htdocs/a)."
  echo
  echo "| server | setting | req/s | CPU µs/req | vs own cheap (CPU) | file-system calls/req (strace, warm) | calls |"
  echo "|---|---|--:|--:|--:|--:|---|"
  for c in $configs; do
    server=${c%%:*}
    r=$(echo "${rps[$c]}" | median); u=$(echo "${cpu_us[$c]}" | median); base=$(echo "${cpu_us[$server:cheap]}" | median)
    ratio=$(awk -v a="$u" -v b="$base" 'BEGIN { printf "%.2f×", a / b }')
    echo "| $server | ${c#*:} | $r | $u | $ratio | ${syscalls[$c]} | $(cat "$traces/strace-${c/:/-}.top" 2>/dev/null) |"
  done
  echo
  se=$(echo "${rps[sonora:expensive]}" | median); ae=$(echo "${rps[apache:expensive]}" | median)
  awk -v s="$se" -v a="$ae" 'BEGIN { printf "Sonora expensive vs Apache expensive: %.2f× the requests/s\n", s / a }'
}
if [ -n "$out" ]; then report | tee "$out"; else report; fi
