#!/usr/bin/env bash
# Load benchmark of app-server's /treecounter (a benchmark, not a test: it
# prints figures). Two runs against a release build on loopback:
#
#  1. latency off (--latency-max 0): requests per second, with wrk;
#  2. the workshop's default latency (uniform 0-1 s) at 256 concurrent
#     clients: p50/p99 with wrk, then an exact number of requests with
#     ApacheBench. An async server must not queue: p99 stays close to 1 s.
#
# After each run the counts in /metrics must equal the requests sent (no lost
# increments); the script fails otherwise.
#
#   scripts/bench-server.sh [DURATION_SECONDS]   (default 10)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

duration="${1:-10}"
for tool in wrk:wrk ab:apache2-utils; do
  command -v "${tool%%:*}" >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${tool#*:}" >/dev/null
  }
done

work="$(mktemp -d)"
server_pid=""
cleanup() { [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

cargo build --release --locked -p app-server --quiet
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"

start_server() {
  RUST_LOG=warn target/release/app-server --listen "127.0.0.1:$port" --static-dir "$work" "$@" >"$work/server.log" 2>&1 &
  server_pid=$!
  local deadline=$((SECONDS + 30))
  until curl -fsS -o /dev/null "$base/healthz"; do
    [ "$SECONDS" -lt "$deadline" ] || { cat "$work/server.log"; exit 1; }
    sleep 0.1
  done
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }
counts() { # prints "<treecounter 200> <sum of /upstream>"
  curl -fsS "$base/metrics" | python3 -c '
import sys
page = upstream = 0.0
for line in sys.stdin:
    if line.startswith("requests_total{") and "endpoint=\"/treecounter\"" in line and "status=\"200\"" in line:
        page += float(line.split()[-1])
    if line.startswith("requests_total{") and "endpoint=\"/upstream\"" in line:
        upstream += float(line.split()[-1])
print(int(page), int(upstream))'
}
check_counts() { # check_counts EXPECTED
  read -r page upstream < <(counts)
  printf '  /metrics after the run: requests_total{endpoint="/treecounter",status="200"} = %s, /upstream total = %s, requests sent = %s\n' "$page" "$upstream" "$1"
  if [ "$page" != "$1" ] || [ "$upstream" != "$1" ]; then
    echo "  LOST INCREMENTS: the counts differ from the requests sent" >&2
    exit 1
  fi
}

echo "== 1. latency off: throughput (wrk, 2 threads, 64 connections, ${duration}s)"
start_server --latency-max 0 --seed 1
wrk -t2 -c64 -d"${duration}s" --latency "$base/treecounter" | tee "$work/wrk.txt" | grep -E "Requests/sec|Latency|50%|99%|requests in"
echo "== 1b. latency off: exact count (ab, 64 concurrent, 20000 requests)"
ab -q -k -l -c 64 -n 20000 "$base/treecounter" >"$work/ab0.txt"
grep -E "Complete requests|Failed requests|Requests per second" "$work/ab0.txt" | sed 's/^/  /'
wrk_sent="$(awk '/requests in/ {print $1}' "$work/wrk.txt")"
read -r page _ < <(counts)
# wrk stops mid-flight, so a few answered requests may never be read by it;
# ab's count is exact, so the total must be wrk's plus ab's, within the
# connections wrk had open.
extra=$((page - wrk_sent - 20000))
printf '  /metrics: %s page requests; wrk read %s + ab sent 20000 (difference %s, wrk in flight at stop <= 64)\n' "$page" "$wrk_sent" "$extra"
[ "$extra" -ge 0 ] && [ "$extra" -le 64 ] || { echo "  LOST INCREMENTS" >&2; exit 1; }
stop_server

echo "== 2. default latency (uniform 0-1 s): 256 concurrent clients, ${duration}s (wrk)"
start_server --seed 1
wrk -t2 -c256 -d"${duration}s" --latency "$base/treecounter" | grep -E "Requests/sec|50%|90%|99%|requests in|Socket errors"
stop_server

requests=$((256 * duration))
echo "== 2b. default latency: 256 concurrent clients, exactly $requests requests (ab)"
start_server --seed 2
ab -q -k -l -c 256 -n "$requests" "$base/treecounter" >"$work/ab1.txt"
grep -E "Complete requests|Failed requests|Non-2xx|Requests per second" "$work/ab1.txt" | sed 's/^/  /'
awk '/Percentage of the requests/ {p=1} p && /^ +(50|90|99|100)%/ {print "  p" $1 " " $2 " ms"}' "$work/ab1.txt" | sed 's/%//'
check_counts "$requests"
stop_server
