#!/bin/bash
# Macro benchmark: Sonora against nginx, lighttpd, h2o and Apache httpd.
#   bench/macro/run.sh [--servers sonora,nginx,lighttpd,h2o,apache] [--scenarios ...]
#                      [--runs 3] [--duration 10] [--no-strace] [--no-logs] [--smoke]
#   bench/macro/run.sh --scenarios idle-10k | --mpm-compare | --accept-compare  [...]
# See bench/README.md, or run with --help. Needs: python3, wrk, strace, taskset
# and the servers (scripts/install-deps.sh --bench installs them).
set -u
here=$(cd "$(dirname "$0")" && pwd)

state=$(mktemp -d "${TMPDIR:-/tmp}/sonora-macro-state.XXXXXX") || exit 2

# Backstop: the python harness stops its servers itself; if it was killed
# before it could, stop every server it recorded (pid + start time, so a
# recycled pid is never hit). Each server leads its own process group.
cleanup() {
  if [ -f "$state/pids" ]; then
    while read -r pid started; do
      [ -r "/proc/$pid/stat" ] || continue
      now=$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f20)
      [ "$now" = "$started" ] || continue
      echo "[bench] stopping leftover server pid $pid" >&2
      kill -TERM -- "-$pid" 2>/dev/null
      i=0
      while [ -d "/proc/$pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
      kill -KILL -- "-$pid" 2>/dev/null
    done < "$state/pids"
  fi
  # The harness's temp dir (configs, docroot, logs), if it could not remove it.
  if [ -f "$state/tmpdir" ]; then
    tmp=$(cat "$state/tmpdir")
    case "$tmp" in
      */sonora-macro-*) [ -d "$tmp" ] && rm -rf "$tmp" ;;
    esac
  fi
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

python3 "$here/macro.py" --state-dir "$state" "$@"
rc=$?
exit $rc
