#!/bin/bash
# Graceful restarts under load: wrk keeps 16 keep-alive connections busy on
# 127.0.0.1 for 6 s while the server gets three SIGUSR1 (at 1.5, 3 and 4.5 s);
# every failed request (wrk's socket errors: connect, read, write, timeout,
# and non-2xx answers) is counted. Sonora and Apache 2.4 run the same
# httpd.conf, under each MPM.
#
#   bench/graceful/run.sh [--sonora BINARY] [--servers sonora,apache] [--mpms event,worker,prefork]
#
# Needs wrk and apache2 (scripts/install-deps.sh --bench). Prints one line per
# server and MPM; exits 1 if Sonora lost a request.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
sonora="$repo/build/release/src/main/sonora"
servers="sonora,apache"
mpms="event,worker,prefork"
while [ $# -gt 0 ]; do
  case "$1" in
    --sonora) sonora="$2"; shift 2 ;;
    --servers) servers="$2"; shift 2 ;;
    --mpms) mpms="$2"; shift 2 ;;
    *) echo "usage: $0 [--sonora BINARY] [--servers sonora,apache] [--mpms event,worker,prefork]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing (scripts/install-deps.sh --bench)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sonora-graceful.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

chmod 755 "$tmp"
mkdir -p "$tmp/htdocs"
head -c 6144 /dev/urandom > "$tmp/htdocs/6k.bin"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
lost_by_sonora=0

for server in ${servers//,/ }; do
  for mpm in ${mpms//,/ }; do
    root="$tmp/$server-$mpm"
    mkdir -p "$root/logs"
    case "$mpm" in
      prefork) sizing="StartServers 20
MinSpareServers 10
MaxSpareServers 30
MaxRequestWorkers 64" ;;
      *) sizing="StartServers 2
ThreadsPerChild 25
MinSpareThreads 25
MaxSpareThreads 75
MaxRequestWorkers 150" ;;
    esac
    user=""
    [ "$(id -u)" = 0 ] && user="User www-data
Group www-data"
    cat > "$root/httpd.conf" <<EOF
ServerRoot $root
LoadModule mpm_${mpm}_module /usr/lib/apache2/modules/mod_mpm_${mpm}.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
Listen 127.0.0.1:$port
ServerName localhost
DocumentRoot $tmp/htdocs
<Directory $tmp/htdocs>
Require all granted
</Directory>
TypesConfig /etc/mime.types
ErrorLog $root/logs/error_log
PidFile $root/logs/httpd.pid
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 5
$user
$sizing
EOF
    binary=$sonora
    [ "$server" = apache ] && binary=/usr/sbin/apache2
    setsid "$binary" -DFOREGROUND -d "$root" -f "$root/httpd.conf" 2>"$root/logs/stderr" &
    pid=$!
    for _ in $(seq 50); do [ -s "$root/logs/httpd.pid" ] && break; sleep 0.1; done
    sleep 1
    ( sleep 1.5; kill -USR1 "$pid"; sleep 1.5; kill -USR1 "$pid"; sleep 1.5; kill -USR1 "$pid" ) &
    signaller=$!
    out=$(wrk -t1 -c16 -d6s "http://127.0.0.1:$port/6k.bin" 2>&1)
    wait "$signaller"
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    errors=$(echo "$out" | sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/connect \1, read \2, write \3, timeout \4/p')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    restarts=$(grep -c -i -E "graceful restart requested|doing graceful restart" "$root/logs/error_log" 2>/dev/null)
    total=0
    for n in $(echo "${errors:-} ${non2xx:-0}" | grep -o '[0-9]\+'); do total=$((total + n)); done
    echo "$server $mpm: ${requests:-0} requests, failed ${total:-0} (socket errors: ${errors:-none}; non-2xx: ${non2xx:-0}); graceful restarts logged: $restarts"
    if [ "$server" = sonora ] && [ "${total:-0}" -gt 0 ]; then
      lost_by_sonora=1
    fi
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=""
  done
done
exit $lost_by_sonora
