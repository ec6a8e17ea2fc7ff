#!/usr/bin/env bash
# The promql CLI against Prometheus, timed side by side in one run (not part
# of the test suite): ~500 k generated samples, the differential corpus as
# range queries over two hours at a 60 s step. The CLI's time includes
# loading the file; Prometheus's is the sum of its HTTP requests, made one
# after the other from its own TSDB (loading it is not timed). See
# tinyprom/oracle/bench.py.
#
#   scripts/bench-promql.sh                      3 rounds, ~500 k samples
#   scripts/bench-promql.sh --rounds 5 --scale 8
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
step "benchmark"
exec "$python" tinyprom/oracle/bench.py --promql-bin "$ROOT/target/release/promql" "$@"
