#!/usr/bin/env bash
# Load benchmark of app-server's /treecounter (a benchmark, not a test: it
# prints figures). Against a release build on loopback:
#
#  1. cost per request against the floor: app-server with the latency off
#     and a bare axum hello-world built from the same crates (the
#     bench_floor example), loaded in turns by wrk (-t2 -c32, keep-alive);
#     CPU time per request from /proc/PID/stat and requests per second for
#     both, side by side, with the ratios (goal: at most 1.5x the floor's
#     CPU and at least 50 % of its requests per second). Both are measured
#     in the same run because the machine is shared and the figures move.
#     Then what the instrumentation (counter and histogram per request)
#     costs, timed by the bench_instrumentation example, as a share of
#     app-server's CPU per request.
#  2. latency off: requests per second (wrk) and an exact count (ab);
#  3. the workshop's default latency (uniform 0-1 s) at 256 concurrent
#     clients: p50/p99 with wrk, then an exact number of requests with
#     ApacheBench. An async server must not queue: p99 stays close to 1 s.
#
# After the counting runs the counts in /metrics must equal the requests
# sent (no lost increments); the script fails otherwise.
#
#   scripts/bench-server.sh [DURATION_SECONDS]   (default 10)
#   PROFILE=1 scripts/bench-server.sh            also perf-record app-server in run 1
#   APP_SERVER_BIN=path scripts/bench-server.sh  measure another build of app-server
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
cleanup() {
  for pid in "$server_pid" "${floor_pid:-}"; do [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${PROFILE:-}" ] && ! command -v perf >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null
fi

cargo build --release --locked -p app-server --bin app-server --quiet
# Examples are built with the dev-dependencies' features (tokio's test-util
# clock among them): a separate build, so the server binary above is the
# one ./scripts/run.sh runs.
cargo build --release --locked -p app-server --example bench_floor --example bench_instrumentation --quiet
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port="$(free_port)"
base="http://127.0.0.1:$port"

start_server() {
  RUST_LOG=warn "${APP_SERVER_BIN:-target/release/app-server}" --listen "127.0.0.1:$port" --static-dir "$work" "$@" >"$work/server.log" 2>&1 &
  server_pid=$!
  local deadline=$((SECONDS + 30))
  until curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; do
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

round=$(( duration / 2 > 3 ? duration / 2 : 3 ))
rounds=3
echo "== 1. cost per request against the floor (latency off; wrk -t2 -c32, keep-alive; $rounds rounds of ${round}s each, in turns)"
start_server --latency-max 0 --seed 1
floor_port="$(free_port)"
target/release/examples/bench_floor "127.0.0.1:$floor_port" >"$work/floor.log" 2>&1 &
floor_pid=$!
deadline=$((SECONDS + 30))
until curl -fsS -o /dev/null "http://127.0.0.1:$floor_port/" 2>/dev/null; do
  [ "$SECONDS" -lt "$deadline" ] || { cat "$work/floor.log"; exit 1; }
  sleep 0.1
done
clk_tck="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime
# measure NAME PID URL: one wrk round; appends "NAME cpu_us_per_request requests_per_second".
measure() {
  local before after
  before="$(cpu_ticks "$2")"
  wrk -t2 -c32 -d"${round}s" "$3" >"$work/wrk-round.txt"
  after="$(cpu_ticks "$2")"
  python3 - "$1" "$before" "$after" "$clk_tck" "$work/wrk-round.txt" >>"$work/cost.txt" <<'PY'
import re, sys
name, before, after, tck, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
text = open(path).read()
assert "Non-2xx" not in text and "Socket errors" not in text, text
requests = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
print(name, (after - before) / tck / requests * 1e6, rps)
PY
}
for i in $(seq "$rounds"); do
  measure floor "$floor_pid" "http://127.0.0.1:$floor_port/"
  if [ -n "${PROFILE:-}" ] && [ "$i" = 1 ]; then
    perf record -F 999 -g -p "$server_pid" -o "$work/perf.data" -- sleep "$round" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  measure app-server "$server_pid" "$base/treecounter"
  if [ -n "${perf_pid:-}" ]; then wait "$perf_pid" || true; perf_pid=""; fi
done
kill "$floor_pid"; wait "$floor_pid" 2>/dev/null || true
read -r one_thread two_threads < <(target/release/examples/bench_instrumentation | awk '{ print $(NF-1), $NF }')
python3 - "$work/cost.txt" "$one_thread" "$two_threads" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def figures(name):
    cpu = [float(r[1]) for r in rows if r[0] == name]
    rps = [float(r[2]) for r in rows if r[0] == name]
    return cpu, rps, statistics.median(cpu), statistics.median(rps)
fcpu, frps, fc, fr = figures("floor")
acpu, arps, ac, ar = figures("app-server")
rounds = lambda xs, fmt: "  ".join(fmt.format(x) for x in xs)
print(f"  {'':34} {'CPU/request':>12} {'requests/s':>12}   rounds (CPU µs | req/s)")
print(f"  {'floor: bare axum hello-world':34} {fc:9.2f} µs {fr:12,.0f}   {rounds(fcpu, '{:.2f}')} | {rounds(frps, '{:,.0f}')}")
print(f"  {'app-server /treecounter':34} {ac:9.2f} µs {ar:12,.0f}   {rounds(acpu, '{:.2f}')} | {rounds(arps, '{:,.0f}')}")
cpu_ratio, rps_ratio = ac / fc, ar / fr
verdict = lambda ok: "met" if ok else "MISSED"
print(f"  app-server / floor: CPU {cpu_ratio:.2f}x (goal <= 1.5x: {verdict(cpu_ratio <= 1.5)}), "
      f"requests/s {rps_ratio:.0%} (goal >= 50 %: {verdict(rps_ratio >= 0.5)})  [medians]")
one, two = float(sys.argv[2]), float(sys.argv[3])
print(f"  instrumentation per request (2 latency timings, 2 counter increments, 2 histogram observations): "
      f"{one:.0f} ns CPU on one thread, {two:.0f} ns with two threads on the same series "
      f"= {one / (ac * 1000):.1%} / {two / (ac * 1000):.1%} of app-server's CPU per request (goal <= 3 %)")
PY
if [ -n "${PROFILE:-}" ]; then
  echo "  perf: where app-server's CPU went in round 1 (self time, top 40 symbols)"
  perf report -i "$work/perf.data" --stdio --no-children --sort symbol 2>/dev/null |
    awk '/^ +[0-9.]+%/ && ++shown <= 40 { sub(/ +- +- *$/, ""); $1 = $1; print "    " substr($0, 1, 150) }'
fi
stop_server

echo "== 2. latency off: throughput (wrk, 2 threads, 64 connections, ${duration}s)"
start_server --latency-max 0 --seed 1
wrk -t2 -c64 -d"${duration}s" --latency "$base/treecounter" | tee "$work/wrk.txt" | grep -E "Requests/sec|Latency|50%|99%|requests in"
echo "== 2b. latency off: exact count (ab, 64 concurrent, 20000 requests)"
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

echo "== 3. default latency (uniform 0-1 s): 256 concurrent clients, ${duration}s (wrk)"
start_server --seed 1
wrk -t2 -c256 -d"${duration}s" --latency "$base/treecounter" | grep -E "Requests/sec|50%|90%|99%|requests in|Socket errors"
stop_server

requests=$((256 * duration))
echo "== 3b. default latency: 256 concurrent clients, exactly $requests requests (ab)"
start_server --seed 2
ab -q -k -l -c 256 -n "$requests" "$base/treecounter" >"$work/ab1.txt"
grep -E "Complete requests|Failed requests|Non-2xx|Requests per second" "$work/ab1.txt" | sed 's/^/  /'
awk '/Percentage of the requests/ {p=1} p && /^ +(50|90|99|100)%/ {print "  p" $1 " " $2 " ms"}' "$work/ab1.txt" | sed 's/%//'
check_counts "$requests"
stop_server
