#!/usr/bin/env bash
# The /metrics output checked by independent parsers: promtool's linter on
# the text format 0.0.4, the Python client's strict OpenMetrics parser (as
# client_rust's own tests use it), and a real Prometheus scraping the server
# (it asks for OpenMetrics) whose API must then report up == 1 and the exact
# counts.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

passed=0
failed=0
check() { # check NAME COMMAND...: one assertion, reported on its own line
  local name="$1"
  shift
  if "$@"; then
    printf 'ok   %s\n' "$name"
    passed=$((passed + 1))
  else
    printf 'FAIL %s\n' "$name"
    failed=$((failed + 1))
  fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_for SECONDS COMMAND...: poll until the command succeeds or the deadline passes.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# The Python client's parsers, in a venv of their own under .tools/ (git-ignored).
PY_PROMETHEUS_CLIENT_VERSION=0.26.0
venv="$ROOT/.tools/exposition-venv"
if ! "$venv/bin/python" -c "import prometheus_client, sys; sys.exit(prometheus_client.__version__ != '$PY_PROMETHEUS_CLIENT_VERSION')" 2>/dev/null; then
  step "pip: prometheus-client $PY_PROMETHEUS_CLIENT_VERSION into .tools/exposition-venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "prometheus-client==$PY_PROMETHEUS_CLIENT_VERSION"
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --locked -p app-server --quiet
app_port="$(free_port)"
target/debug/app-server --listen "127.0.0.1:$app_port" --latency-max 0 --seed 1 \
  --static-dir "$work/no-playground" >"$work/app.log" 2>&1 &
pids+=($!)
app="http://127.0.0.1:$app_port"
wait_for 30 curl -fsS "$app/healthz" || { cat "$work/app.log"; exit 1; }

visits=5
for _ in $(seq "$visits"); do curl -fsS -o /dev/null "$app/treecounter"; done
for path in /nope /../etc/passwd /%2e%2e/x; do curl -s -o /dev/null "$app$path"; done

curl -fsS "$app/metrics" >"$work/metrics.txt"
check "promtool check metrics accepts the text format 0.0.4" \
  promtool check metrics <"$work/metrics.txt"
curl -fsS -H 'Accept: application/openmetrics-text;version=1.0.0' "$app/metrics" >"$work/metrics.om"
check "the OpenMetrics exposition ends with # EOF" test "$(tail -n 1 "$work/metrics.om")" = "# EOF"
# parse PARSER FILE: both of the Python client's parsers must read every
# family, with the exact page count.
parse() {
  "$venv/bin/python" - "$1" "$2" "$visits" <<'PY'
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
from prometheus_client.parser import text_string_to_metric_families as text_004
parser = {"openmetrics": openmetrics, "text": text_004}[sys.argv[1]]
families = {f.name: f for f in parser(open(sys.argv[2]).read())}
# The info metric is an info family in OpenMetrics, a gauge named *_info in 0.0.4.
build_info = {"openmetrics": "treecounter_build", "text": "treecounter_build_info"}[sys.argv[1]]
expected = {"requests", "request_latency_seconds", build_info, "process_cpu_seconds",
            "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds"}
missing = expected - set(families)
assert not missing, f"families not found: {missing}; got {sorted(families)}"
assert families["requests"].type == "counter", families["requests"].type
pages = [s.value for s in families["requests"].samples
         if s.name == "requests_total" and s.labels == {"status": "200", "endpoint": "/treecounter"}]
assert pages == [float(sys.argv[3])], pages
assert families["request_latency_seconds"].type == "histogram"
PY
}
check "the Python client's strict OpenMetrics parser reads every family" parse openmetrics "$work/metrics.om"
check "the Python client's text 0.0.4 parser reads every family" parse text "$work/metrics.txt"

prom_port="$(free_port)"
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: treecounter
    static_configs:
      - targets: ["127.0.0.1:$app_port"]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
prom="http://127.0.0.1:$prom_port"

# query EXPR: prints the single value of an instant query (empty if no result).
query() {
  curl -fsS --data-urlencode "query=$1" "$prom/api/v1/query" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if len(r)==1 else "")'
}
scraped() { [ "$(query 'up{job="treecounter"}')" = 1 ] && [ -n "$(query 'requests_total{endpoint="/treecounter",status="200"}')" ]; }
if ! wait_for 60 scraped; then
  echo "Prometheus never scraped the app; its log:"
  tail -n 20 "$work/prometheus.log"
fi
check "Prometheus reports up == 1 for the app" test "$(query 'up{job="treecounter"}')" = 1
check "Prometheus has requests_total{endpoint=\"/treecounter\",status=\"200\"} == $visits" \
  test "$(query 'requests_total{endpoint="/treecounter",status="200"}')" = "$visits"
check "the /upstream series add up to $visits" \
  test "$(query 'sum(requests_total{endpoint="/upstream"})')" = "$visits"
check "404s share one series" test "$(query 'count(requests_total{status="404"})')" = 1
check "the histogram is usable by histogram_quantile" \
  test -n "$(query 'histogram_quantile(0.5, sum by (le) (request_latency_seconds_bucket{endpoint="/treecounter"}))')"
check "process metrics are scraped" test -n "$(query 'process_resident_memory_bytes')"
check "build info is scraped" test "$(query 'count(treecounter_build_info)')" = 1
check "the scrape had no parse errors" \
  test "$(query 'scrape_samples_post_metric_relabeling{job="treecounter"} > 0')" != ""

printf 'exposition: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
