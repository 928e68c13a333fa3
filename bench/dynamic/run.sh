#!/bin/bash
# The dynamic features the performance notes call expensive, served by Sonora
# and by Apache 2.4 (event MPM, one child, same httpd.conf):
#   cgi         a trivial POSIX sh CGI script (a head and one line)
#   ssi         an .shtml page with three includes (two files, one nested
#               .shtml) and an echo (mod_include)
#   ssi-hot     a 55 KiB .shtml with 400 echo elements and no include: the
#               scan is much of the work (Sonora keeps it: the SSI document cache)
#   multiviews  /page with page.en.html and page.de.html beside it and an
#               Accept-Language (mod_negotiation, Options MultiViews)
# Each server runs under `taskset -c 0` with wrk (-t1 -c8, keep-alive) on
# CPU 1. CPU per request is the user+system time of the server's processes
# and of the children they reaped (cutime/cstime), so a script's fork/exec
# is in it. Then the server's own system calls per request (strace on the
# child, 100 requests on one connection; scripts are not traced). With
# --callgrind N, also Sonora's instructions per request under callgrind (-X,
# N requests after N/10 warm-up ones, bench/callgrind.sh): unlike the
# wall-clock figures, they hold on a loaded machine.
#
#   bench/dynamic/run.sh [--scenario cgi|ssi|ssi-hot|multiviews] [--sonora BINARY]
#                        [--runs N] [--duration S] [--out FILE] [--callgrind N]
#
# Needs wrk, strace and apache2 (scripts/install-deps.sh --bench); valgrind
# and ab for --callgrind.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
sonora="$repo/build/release/src/main/sonora"
runs=3
duration=5
out=""
scenario=cgi
callgrind=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scenario) scenario="$2"; shift 2 ;;
    --sonora) sonora="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --callgrind) callgrind="$2"; shift 2 ;;
    *) echo "usage: $0 [--scenario cgi|ssi|ssi-hot|multiviews] [--sonora BINARY] [--runs N] [--duration S] [--out FILE] [--callgrind N]" >&2; exit 2 ;;
  esac
done
for tool in wrk strace taskset apache2; do
  command -v $tool >/dev/null || { echo "$tool is missing (scripts/install-deps.sh --bench)" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sonora-$scenario.XXXXXX")
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
mkdir -p "$tmp/cgi-bin" "$tmp/htdocs"
printf '#!/bin/sh\necho "Content-Type: text/plain"\necho\necho hello\n' > "$tmp/cgi-bin/hello.cgi"
chmod 755 "$tmp/cgi-bin/hello.cgi"
header=()
case "$scenario" in
  cgi)
    url_path=/cgi-bin/hello.cgi
    what="GET $url_path (ScriptAlias, /bin/sh script: a head and one line)"
    modules="LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so
ScriptAlias /cgi-bin/ \"$tmp/cgi-bin/\"" ;;
  ssi)
    url_path=/page.shtml
    what="GET $url_path (three includes: two files and a nested .shtml, and an echo)"
    head -c 2000 /usr/share/common-licenses/GPL-3 > "$tmp/htdocs/header.html"
    head -c 1000 /usr/share/common-licenses/Apache-2.0 > "$tmp/htdocs/footer.html"
    printf '<p>nested <!--#echo var="DOCUMENT_URI" --></p>\n' > "$tmp/htdocs/nav.shtml"
    { echo '<!--#include virtual="/header.html" -->'; echo '<h1><!--#echo var="DOCUMENT_NAME" --></h1>'
      head -c 3000 /usr/share/common-licenses/GPL-2
      echo '<!--#include virtual="/nav.shtml" -->'; echo '<!--#include file="footer.html" -->'; } > "$tmp/htdocs/page.shtml"
    modules="LoadModule include_module /usr/lib/apache2/modules/mod_include.so
AddType text/html .shtml
AddOutputFilter INCLUDES .shtml" ;;
  ssi-hot)
    url_path=/hot.shtml
    what="GET $url_path (55 KiB, 400 echo elements, no include)"
    line=$(head -c 100 /usr/share/common-licenses/GPL-2 | tr '\n' ' ')
    for _ in $(seq 400); do printf '<p>%s <!--#echo var="DOCUMENT_NAME" --></p>\n' "$line"; done > "$tmp/htdocs/hot.shtml"
    modules="LoadModule include_module /usr/lib/apache2/modules/mod_include.so
AddType text/html .shtml
AddOutputFilter INCLUDES .shtml" ;;
  multiviews)
    url_path=/page
    what="GET $url_path with Accept-Language: de, en;q=0.5 (page.en.html and page.de.html, MultiViews)"
    header=(-H "Accept-Language: de, en;q=0.5")
    head -c 6000 /usr/share/common-licenses/GPL-3 > "$tmp/htdocs/page.en.html"
    head -c 6000 /usr/share/common-licenses/GPL-2 > "$tmp/htdocs/page.de.html"
    modules="LoadModule negotiation_module /usr/lib/apache2/modules/mod_negotiation.so
AddLanguage en .en
AddLanguage de .de" ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
chmod -R a+rX "$tmp"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

write_conf() {  # root
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
$modules
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
<Directory />
Require all granted
Options +Includes +MultiViews
</Directory>
EOC
}

start_server() {  # server root
  local bin=/usr/sbin/apache2
  [ "$1" = sonora ] && bin="$sonora"
  taskset -c 0 setsid "$bin" -DFOREGROUND -f "$2/httpd.conf" -d "$2" >"$2/logs/stderr" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    curl -sf -o /dev/null "${header[@]}" "http://127.0.0.1:$port$url_path" && return 0
    sleep 0.05
  done
  echo "$1 did not start: $(cat "$2/logs/stderr" "$2/logs/error_log" 2>/dev/null | tail -3)" >&2
  return 1
}

# Jiffies of the server's processes, with what their reaped children used.
group_cpu() {
  local total=0 p stat
  for p in $(pgrep -g "$pid"); do
    stat=$(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null) || continue
    set -- $stat
    total=$((total + ${12} + ${13} + ${14} + ${15}))
  done
  echo $total
}

hz=$(getconf CLK_TCK)
declare -A rps cpu_us syscalls tops
for run in $(seq "$runs"); do
  for server in sonora apache; do
    root="$tmp/$server"
    write_conf "$root"
    start_server "$server" "$root" || exit 1
    taskset -c 1 wrk -t1 -c8 -d1s "${header[@]}" "http://127.0.0.1:$port$url_path" >/dev/null 2>&1  # warm-up
    before=$(group_cpu)
    result=$(taskset -c 1 wrk -t1 -c8 -d"${duration}s" "${header[@]}" "http://127.0.0.1:$port$url_path" 2>&1)
    sleep 0.5  # the last scripts reaped
    after=$(group_cpu)
    requests=$(echo "$result" | awk '/requests in/ {print $1}')
    non2xx=$(echo "$result" | awk '/Non-2xx/ {print $NF}')
    if [ -n "$non2xx" ]; then echo "$server: $non2xx non-2xx answers" >&2; exit 1; fi
    rate=$(echo "$result" | awk '/Requests\/sec/ {print $2}')
    us=$(awk -v j=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.0f", j * 1e6 / hz / n }')
    rps[$server]="${rps[$server]:-} $rate"
    cpu_us[$server]="${cpu_us[$server]:-} $us"
    echo "[$scenario] run $run $server: $rate req/s, $us us CPU/req" >&2
    if [ "$run" = 1 ]; then
      children=$(pgrep -g "$pid" -P "$pid" | tr '\n' ' ')
      [ -z "$children" ] && children=$pid
      trace="$tmp/strace-$server"
      # Every thread of the child (Apache serves from its worker threads),
      # not the scripts it starts.
      tids=$(for c in $children; do ls "/proc/$c/task"; done)
      strace -qq -o "$trace" $(for t in $tids; do echo "-p $t"; done) &
      spid=$!
      sleep 0.5
      python3 - "$port" "$url_path" "${header[1]:-X-None: 1}" <<'PY'
import socket, sys
port, path, extra = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
req = f"GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra}\r\n\r\n".encode()
for _ in range(100):
    s.sendall(req)
    got = b""
    while True:
        got += s.recv(65536)
        head, sep, body = got.partition(b"\r\n\r\n")
        if not sep:
            continue
        if b"chunked" in head.lower():
            if body.endswith(b"0\r\n\r\n"):
                break
        else:
            length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
            if len(body) >= length:
                break
s.close()
PY
      sleep 0.3
      kill -INT $spid 2>/dev/null; wait $spid 2>/dev/null
      syscalls[$server]=$(awk '!/resumed|exited|\+\+\+|---/ { n++ } END { printf "%.1f", n / 100 }' "$trace")
      tops[$server]=$(grep -v "resumed\|unfinished\|+++\|---" "$trace" | sed -E 's/^[0-9]+ +//; s/\(.*//' | sort | uniq -c |
        sort -rn | head -6 | awk '{ printf "%s %.1f, ", $2, $1 / 100 }')
    fi
    stop_server
  done
done

if [ "$callgrind" -gt 0 ]; then
  . "$repo/bench/callgrind.sh"
  root="$tmp/sonora"
  write_conf "$root"
  sed -i '/^User \|^Group /d' "$root/httpd.conf"  # callgrind writes its dumps as the server's user
  instructions=$(callgrind_per_request "$sonora" "$root/httpd.conf" "$root" "http://127.0.0.1:$port$url_path" \
    $((callgrind / 10 + 1)) "$callgrind" "${header[@]}")
fi

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
report() {
  echo "# $scenario — $(date -u '+%Y-%m-%d %H:%M') on $(hostname)"
  echo
  echo "Command: \`bench/dynamic/run.sh --scenario $scenario --runs $runs --duration $duration$([ "$callgrind" -gt 0 ] && echo " --callgrind $callgrind")\`; sonora tree $(git -C "$repo" rev-parse --short HEAD)."
  echo "$what, keep-alive, wrk -t1 -c8 on CPU 1, server on CPU 0 (event MPM, one child, same httpd.conf). CPU includes reaped children (scripts). Medians of $runs interleaved runs."
  echo
  echo "| server | req/s | CPU µs/req (server + children) | vs Apache (req/s) | server syscalls/req (strace) | top calls |"
  echo "|---|--:|--:|--:|--:|---|"
  base=$(echo "${rps[apache]}" | median)
  for server in sonora apache; do
    r=$(echo "${rps[$server]}" | median); u=$(echo "${cpu_us[$server]}" | median)
    ratio=$(awk -v a="$r" -v b="$base" 'BEGIN { printf "%.2f×", a / b }')
    echo "| $server | $r | $u | $ratio | ${syscalls[$server]} | ${tops[$server]} |"
  done
  if [ "$callgrind" -gt 0 ]; then
    echo
    echo "Sonora under callgrind (-X, ab -k -c 1, $callgrind requests): $instructions instructions/request."
  fi
}
if [ -n "$out" ]; then report | tee "$out"; else report; fi
