# Sourced by the bench scripts: instructions per request of one Sonora
# process under callgrind. callgrind counts instructions, not time, so the
# figure holds on a loaded machine where wall-clock numbers do not.
#
#   callgrind_per_request BINARY CONF ROOT URL WARMUP N [ab options...]
#
# Starts BINARY -X -f CONF -d ROOT under valgrind, waits for URL to answer,
# sends WARMUP requests (`ab -k -c 1`), zeroes the counters, sends N more,
# and prints the instructions per request of those N. Call it in $(...). Leaves the callgrind
# files in ROOT (callgrind.out*). Needs valgrind, callgrind_control, ab, curl.

callgrind_per_request() {
  local bin=$1 conf=$2 root=$3 url=$4 warmup=$5 n=$6 vpid dump total
  shift 6
  valgrind --tool=callgrind --callgrind-out-file="$root/callgrind.out" "$bin" -X -f "$conf" -d "$root" \
    >"$root/valgrind.log" 2>&1 &
  vpid=$!
  trap "kill $vpid 2>/dev/null" EXIT  # called in $(...): the subshell's exit, an interrupt included
  for _ in $(seq 200); do curl -s -o /dev/null "$url" && break; sleep 0.2; done
  ab -k -n "$warmup" -c 1 "$@" "$url" >/dev/null 2>&1
  callgrind_control -z $vpid >/dev/null 2>&1
  ab -k -n "$n" -c 1 "$@" "$url" >/dev/null 2>&1
  callgrind_control -d $vpid >/dev/null 2>&1
  sleep 1
  dump=$(ls -t "$root/callgrind.out"* | head -1)
  total=$(grep -m1 '^summary:' "$dump" | awk '{print $2}')
  kill $vpid 2>/dev/null; wait $vpid 2>/dev/null
  echo $((total / n))
}
