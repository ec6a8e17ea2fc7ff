#!/usr/bin/env bash
# Benchmark (not a test): in headless Chromium, the playground with one hour
# of simulated history at a 1 s scrape interval and 50 requests_total series;
# prints how long one click takes until the exposition and graph are
# repainted. Target: 16 ms (one frame at 60 Hz).
#
#   scripts/bench-playground.sh           build if needed, then measure
#   SKIP_BUILD=1 scripts/bench-playground.sh
#   BASELINE=main~3 scripts/bench-playground.sh
#                                         also build that revision, and measure
#                                         the two in turns (ROUNDS times, 3 by
#                                         default): medians side by side, as this
#                                         machine's speed drifts between runs
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

if [ -z "${SKIP_BUILD:-}" ]; then
  "$ROOT/scripts/build-playground.sh"
  cargo build --release -p app-server --locked
fi

if [ -z "${BASELINE:-}" ]; then
  step "benchmark: click to repaint with 1 h of history, 50 series"
  node playground/e2e/bench.mjs
  exit 0
fi

# The baseline in a worktree of its own, built by its own scripts into a
# target dir of its own (ours stays as it is).
baseline_dir="$ROOT/target/bench-baseline"
git worktree remove --force "$baseline_dir" 2>/dev/null || rm -rf "$baseline_dir"
git worktree prune
step "baseline: $BASELINE ($(git rev-parse --short "$BASELINE")) into $baseline_dir"
git worktree add --detach --quiet "$baseline_dir" "$BASELINE"
trap 'git worktree remove --force "$baseline_dir"' EXIT
ln -s "$ROOT/node_modules" "$baseline_dir/node_modules"
(cd "$baseline_dir" && CARGO_TARGET_DIR="$ROOT/target/bench-baseline-target" ./scripts/build-playground.sh)

# Both pages are served by this tree's app-server (what is measured is the
# page), each from its own dist/.
export APP_SERVER_BIN="${APP_SERVER_BIN:-$ROOT/target/release/app-server}"
medians() { node "$1/playground/e2e/bench.mjs" | awk '/work until laid out/ { printf "%s ", $6 }'; }
step "benchmark: work until laid out, median ms (visit, scrape, keystroke), in turns"
printf '%-8s %-28s %-28s\n' round "baseline $BASELINE" "this tree"
for round in $(seq 1 "${ROUNDS:-3}"); do
  printf '%-8s %-28s %-28s\n' "$round" "$(medians "$baseline_dir")" "$(medians "$ROOT")"
done
