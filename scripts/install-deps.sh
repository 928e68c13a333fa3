#!/bin/sh
# Installs the Debian packages Sonora's build, tests and benchmarks need, if any
# is missing. Idempotent and quiet when everything is present (Debian 12, root).
set -eu

BUILD="build-essential cmake ninja-build pkg-config libpcre2-dev libgtest-dev clang libclang-rt-14-dev libssl-dev libcrypt-dev zlib1g-dev libbrotli-dev libaprutil1-dev"
# Reference server for differential tests (apache2-utils: logresolve, htpasswd), a log
# analyser that must read our logs, a Prometheus exporter that must read our
# server-status?auto, and peers for the benchmarks (perf counts syscall
# tracepoints for bench/macro --accept-compare).
REFERENCE="apache2 apache2-utils goaccess prometheus-apache-exporter"
# strace counts the server's file-system calls (tests/integration/syscall_count_test.cpp).
TEST="strace"
BENCH="nginx lighttpd h2o wrk linux-perf"

want="$BUILD"
case "${1:-}" in
  --test) want="$BUILD $REFERENCE $TEST" ;;
  --bench) want="$BUILD $REFERENCE $TEST $BENCH" ;;
esac

missing=""
for p in $want; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages:$missing (run as root, or install them)" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
# Debian starts the services it installs where it can; Sonora's tests and
# benchmarks start their own copies on other ports.
for svc in apache2 nginx lighttpd h2o; do
  if command -v "$svc" >/dev/null 2>&1 && pgrep -x "$svc" >/dev/null 2>&1; then
    service "$svc" stop >/dev/null 2>&1 || true
  fi
done
# Its process name is cut to 15 characters, so pgrep -x cannot find it by name.
if command -v prometheus-apache-exporter >/dev/null 2>&1; then
  service prometheus-apache-exporter stop >/dev/null 2>&1 || true
fi
