#!/usr/bin/env bash
# Our PromQL engine (the `promql` CLI) checked against a real Prometheus,
# Debian's 2.42 as scripts/setup.sh installs it:
#
# * the differential run: every query of tinyprom/oracle/queries/*.promql is
#   asked as instant queries at four times and as range queries with five
#   start/end/step sets over generated data (counter resets, missed scrapes,
#   series that come and go, ms-jittered timestamps, NaN and infinities), of
#   Prometheus's HTTP API and of `promql query` / `promql query-range`; the
#   answers must agree (values within 1e-9 relative, errors by errorType);
# * the rule unit-test files tinyprom/testdata/rules/*.yaml and the stack's
#   prometheus/*.test.yaml must pass both `promtool test rules` and `promql
#   test`, one expression or alert test at a time and each file whole; the
#   files in tinyprom/testdata/rules/failing/ must fail under both.
#
# The checks are ordinary pytest tests in tinyprom/oracle/ (see its README
# section); this builds the CLI, prepares the venv and runs them. It ends with
# the score lines ("differential: N/M queries agree ...", "rule unit tests:
# promtool N/N, promql N/N") and pytest's "N passed, M failed". It fails on
# any disagreement not in tinyprom/oracle/allowlist.py, and when the CLI does
# not build.
#
#   scripts/test-promql.sh                       everything
#   scripts/test-promql.sh -k selectors -x       pytest's options pass through
#   scripts/test-promql.sh --engine=prometheus   the harness against Prometheus itself (no CLI)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
export PYTHONDONTWRITEBYTECODE=1

python="$("$ROOT/scripts/oracle-venv.sh")"
for tool in prometheus promtool; do
  command -v "$tool" >/dev/null || { echo "test-promql: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done

cli=()
if [[ " $* " != *" --engine=prometheus "* ]]; then
  step "cargo build --release -p promql-cli"
  if ! cargo build --locked --release -p promql-cli; then
    # Still run the promtool half; every test of the CLI then fails.
    echo "test-promql: the promql CLI did not build" >&2
    cli=(--promql-bin="$ROOT/target/release/promql (did not build)")
  fi
fi

step "pytest tinyprom/oracle"
exec "$python" -m pytest tinyprom/oracle -q "${cli[@]}" "$@"
