#!/bin/bash
# Instructions per request of Sonora's warm 6 KiB keep-alive request, four
# directories below the DocumentRoot, under the cheap and the expensive
# per-directory settings of run.sh (AllowOverride None + FollowSymLinks;
# AllowOverride All + SymLinksIfOwnerMatch with one .htaccess on the path).
# callgrind counts instructions, not time, so the figure holds on a loaded
# machine where run.sh's wall-clock ratios do not.
#
#   bench/dirconfig/callgrind.sh [BINARY] [KEEP_DIR]
#
# One process (-X); counters are zeroed after 2000 warm-up requests, then
# `ab -k -n 20000 -c 1`. KEEP_DIR receives the callgrind files. Needs
# valgrind and ab (apache2-utils).
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/bench/callgrind.sh"
bin=${1:-$repo/build/release/src/main/sonora}
keep=${2:-}
for tool in valgrind callgrind_control ab curl; do
  command -v $tool >/dev/null || { echo "$tool is missing" >&2; exit 2; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sonora-callgrind.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
deep=$tmp/htdocs/a/b/c/d
mkdir -p "$deep"
head -c 6144 /dev/urandom > "$deep/6k.bin"
printf 'DirectoryIndex index.html\n' > "$tmp/htdocs/a/.htaccess"
chmod -R a+rX "$tmp/htdocs"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port/a/b/c/d/6k.bin
for setting in cheap expensive; do
  root=$tmp/$setting
  mkdir -p "$root/logs"
  if [ $setting = cheap ]; then
    rules=$'AllowOverride None\nOptions FollowSymLinks'
  else
    rules=$'AllowOverride All\nOptions SymLinksIfOwnerMatch'
  fi
  cat > "$root/httpd.conf" <<EOF
ServerRoot "$root"
Listen 127.0.0.1:$port
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
ServerName localhost
PidFile "$root/logs/httpd.pid"
ErrorLog "$root/logs/error_log"
TypesConfig /etc/mime.types
DocumentRoot "$tmp/htdocs"
KeepAlive On
MaxKeepAliveRequests 0
<Directory />
$rules
Require all granted
</Directory>
EOF
  per_request=$(callgrind_per_request "$bin" "$root/httpd.conf" "$root" "$url" 2000 20000)
  echo "$setting: $per_request instructions/request"
  if [ -n "$keep" ]; then cp "$(ls -t "$root/callgrind.out"* | head -1)" "$keep/"; fi
done
