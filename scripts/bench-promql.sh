#!/usr/bin/env bash
# The PromQL engine's speed (a benchmark, not part of the test suite):
#
# 1. The promql CLI against Prometheus, timed side by side in one run:
#    ~500 k generated samples, the differential corpus as range queries over
#    two hours at a 60 s step. The CLI's time includes loading the file;
#    Prometheus's is the sum of its HTTP requests, made one after the other
#    from its own TSDB (loading it is not timed). See tinyprom/oracle/bench.py.
# 2. The engine in the browser (the playground's release build in Chromium):
#    rate(requests_total[1m]) and a histogram_quantile over one hour at a
#    10 s step with 50 series (playground/e2e/bench-promql.mjs).
# 3. The long fuzz runs: a million parser inputs and a million evaluated
#    queries (tinyprom/examples/fuzz_parse.rs, fuzz_eval.rs).
#
#   scripts/bench-promql.sh                      all three, 3 rounds of 1
#   scripts/bench-promql.sh --rounds 5 --scale 8 (options go to bench.py)
#   SKIP_BUILD=1 scripts/bench-promql.sh         dist/ is already built
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
export PYTHONDONTWRITEBYTECODE=1

python="$("$ROOT/scripts/oracle-venv.sh")"
for tool in prometheus promtool; do
  command -v "$tool" >/dev/null || { echo "bench-promql: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
step "cargo build --release -p promql-cli"
cargo build --locked --release -p promql-cli
step "benchmark: promql CLI against Prometheus"
"$python" tinyprom/oracle/bench.py --promql-bin "$ROOT/target/release/promql" "$@"

if [ -z "${SKIP_BUILD:-}" ]; then
  "$ROOT/scripts/build-playground.sh"
fi
cargo build --locked --release -p app-server
step "benchmark: the engine in wasm, in Chromium"
node playground/e2e/bench-promql.mjs

step "fuzz: 1,000,000 parser inputs, 1,000,000 evaluated queries"
cargo run --locked --release -p tinyprom --example fuzz_parse -- 1000000
cargo run --locked --release -p tinyprom --example fuzz_eval -- 1000000
