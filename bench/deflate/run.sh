#!/bin/bash
# A 100 KiB HTML page served gzip-compressed (level 6, window 15, memlevel 9
# on all three) by Sonora (mod_deflate: DEFLATE filter, with its cache of
# compressed files), nginx (gzip on, gzip_comp_level 6) and Apache 2.4
# (mod_deflate). Each server runs under `taskset -c 0`, one process serving
# (event MPM one child / one nginx worker), with wrk (-t1 -c8, keep-alive,
# Accept-Encoding: gzip) on CPU 1. CPU per request is the user+system time of
# the server's processes. The compressed size and the ratio are what each
# server sent to curl.
#
#   bench/deflate/run.sh [--sonora BINARY] [--runs N] [--duration S] [--servers "sonora nginx apache"] [--out FILE]
#
# Needs wrk, nginx and apache2 (scripts/install-deps.sh --bench).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
sonora="$repo/build/release/src/main/sonora"
runs=3
duration=5
out=""
servers="sonora nginx apache"
while [ $# -gt 0 ]; do
  case "$1" in
    --sonora) sonora="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --servers) servers="$2"; shift 2 ;;
    *) echo "usage: $0 [--sonora BINARY] [--runs N] [--duration S] [--servers LIST] [--out FILE]" >&2; exit 2 ;;
  esac
done
for tool in wrk taskset apache2 nginx curl; do
  command -v $tool >/dev/null || { echo "$tool is missing (scripts/install-deps.sh --bench)" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sonora-deflate.XXXXXX")
pid=""
stop_server() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null
  fi
  pid=""
}
cleanup() { stop_server; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

chmod 755 "$tmp"
mkdir -p "$tmp/htdocs"
# Deterministic markup-like text: words and tags from a fixed generator.
python3 - "$tmp/htdocs/page.html" <<'PY'
import random, sys
random.seed(13)
words = ["<div class=\"item\">", "</div>", "<p>", "</p>", "<a href=\"/x/%d\">", "</a>", "alpha", "beta",
         "gamma", "delta", "sonora", "server", "request", "filter", "compress", "the", "of", "and"]
out = ["<!DOCTYPE html>\n<html><head><title>bench</title></head><body>\n"]
size = len(out[0])
while size < 102400:
    w = random.choice(words)
    if "%d" in w:
        w = w % random.randint(1, 5000)
    w += random.choice([" ", " ", "\n"])
    out.append(w)
    size += len(w)
open(sys.argv[1], "w").write("".join(out)[:102400])
PY
chmod -R a+rX "$tmp"
url_path=/page.html
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

write_httpd_conf() {  # root
  local root=$1 user=""
  mkdir -p "$root/logs"
  [ "$(id -u)" = 0 ] && user="User www-data
Group www-data"
  cat > "$root/httpd.conf" <<EOC
ServerRoot "$root"
Listen 127.0.0.1:$port
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule deflate_module /usr/lib/apache2/modules/mod_deflate.so
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
DeflateCompressionLevel 6
<Directory />
Require all granted
SetOutputFilter DEFLATE
</Directory>
EOC
}

write_nginx_conf() {  # root
  local root=$1
  mkdir -p "$root/logs"
  cat > "$root/nginx.conf" <<EOC
worker_processes 1;
pid $root/logs/nginx.pid;
error_log $root/logs/error.log;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  keepalive_requests 1000000;
  gzip on;
  gzip_comp_level 6;
  gzip_vary on;
  server {
    listen 127.0.0.1:$port;
    root $tmp/htdocs;
  }
}
EOC
}

start_server() {  # server root
  case "$1" in
    sonora) taskset -c 0 setsid "$sonora" -DFOREGROUND -f "$2/httpd.conf" -d "$2" >"$2/logs/stderr" 2>&1 & ;;
    apache) taskset -c 0 setsid /usr/sbin/apache2 -DFOREGROUND -f "$2/httpd.conf" -d "$2" >"$2/logs/stderr" 2>&1 & ;;
    nginx) taskset -c 0 setsid nginx -c "$2/nginx.conf" -p "$2" -g 'daemon off;' >"$2/logs/stderr" 2>&1 & ;;
  esac
  pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port$url_path" && return 0
    sleep 0.05
  done
  echo "$1 did not start: $(cat "$2"/logs/* 2>/dev/null | tail -3)" >&2
  return 1
}

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
declare -A rps cpu_us size
for run in $(seq "$runs"); do
  for server in $servers; do
    root="$tmp/$server"
    if [ "$server" = nginx ]; then write_nginx_conf "$root"; else write_httpd_conf "$root"; fi
    start_server "$server" "$root" || exit 1
    got=$(curl -s -H 'Accept-Encoding: gzip' -D "$root/head" -o "$root/body" -w '%{size_download}' "http://127.0.0.1:$port$url_path")
    grep -qi '^content-encoding: gzip' "$root/head" || { echo "$server did not compress" >&2; exit 1; }
    gzip -dc < "$root/body" | cmp -s - "$tmp/htdocs/page.html" || { echo "$server: body does not decompress to the page" >&2; exit 1; }
    size[$server]=$got
    taskset -c 1 wrk -t1 -c8 -d1s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$url_path" >/dev/null 2>&1
    before=$(group_cpu)
    result=$(taskset -c 1 wrk -t1 -c8 -d"${duration}s" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$url_path" 2>&1)
    after=$(group_cpu)
    requests=$(echo "$result" | awk '/requests in/ {print $1}')
    rate=$(echo "$result" | awk '/Requests\/sec/ {print $2}')
    us=$(awk -v j=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.0f", j * 1e6 / hz / n }')
    rps[$server]="${rps[$server]:-} $rate"
    cpu_us[$server]="${cpu_us[$server]:-} $us"
    echo "[deflate] run $run $server: $rate req/s, $us us CPU/req, $got bytes" >&2
    stop_server
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
report() {
  echo "# gzip: a 100 KiB HTML page — $(date -u '+%Y-%m-%d %H:%M') on $(hostname)"
  echo
  echo "Command: \`bench/deflate/run.sh --runs $runs --duration $duration\`; sonora tree $(git -C "$repo" rev-parse --short HEAD)."
  echo "GET $url_path with Accept-Encoding: gzip, keep-alive, wrk -t1 -c8 on CPU 1, server on CPU 0 (one serving process). Level 6 everywhere. Medians of $runs interleaved runs."
  echo
  echo "| server | req/s | CPU µs/req | bytes sent (body) | ratio | vs Apache (req/s) |"
  echo "|---|--:|--:|--:|--:|--:|"
  base=$(echo "${rps[apache]}" | median)
  for server in $servers; do
    r=$(echo "${rps[$server]}" | median); u=$(echo "${cpu_us[$server]}" | median)
    ratio=$(awk -v a="$r" -v b="$base" 'BEGIN { printf "%.2f×", a / b }')
    cr=$(awk -v s="${size[$server]}" 'BEGIN { printf "%.1f%%", s * 100 / 102400 }')
    echo "| $server | $r | $u | ${size[$server]} | $cr | $ratio |"
  done
}
if [ -n "$out" ]; then report | tee "$out"; else report; fi
