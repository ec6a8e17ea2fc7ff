#!/usr/bin/env bash
# Benchmark (not a test): in headless Chromium, the playground with one hour
# of simulated history at a 1 s scrape interval and 50 requests_total series;
# prints how long one click takes until the exposition and graph are
# repainted. Target: 16 ms (one frame at 60 Hz).
#
#   scripts/bench-playground.sh           build if needed, then measure
#   SKIP_BUILD=1 scripts/bench-playground.sh
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

if [ -z "${SKIP_BUILD:-}" ]; then
  "$ROOT/scripts/build-playground.sh"
  cargo build --release -p app-server --locked
fi
step "benchmark: click to repaint with 1 h of history, 50 series"
node playground/e2e/bench.mjs
