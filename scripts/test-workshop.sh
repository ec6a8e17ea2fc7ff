#!/usr/bin/env bash
# The workshop (WORKSHOP.md and workshop/) checked end to end, so that it
# cannot rot. Builds the starting app, every solution and the checker, then
# runs the pytest suite in workshop/tests/:
#
# * each section's check against the start and every solution: it passes
#   from that section's solution on, and fails, on the right check, before
#   (the start fails section 1, step 1 fails section 2, step 2 section 6);
# * each solution's /metrics read by independent tools: the Python client's
#   strict OpenMetrics parser (the counts after N visits) and `promtool check
#   metrics`;
# * a real Prometheus with workshop/prometheus.yaml (the target rewritten to
#   loopback) scraping the finished app: section 3's check, every query of
#   WORKSHOP.md, each exercise's answer through `cargo check-work`, and wrong
#   answers getting their hint;
# * workshop/docker-compose.yaml validated by the Compose binary and held to
#   the full stack's images and settings; every command WORKSHOP.md gives;
#   workshop/catch-up.sh.
#
# Before that, workshop-guide (the rules) must build for wasm32, as the
# playground's in-page guide will use it.
#
# (That every code block of WORKSHOP.md is the solutions' code is checked by
# `cargo test -p workshop-guide`, in the cargo step of scripts/test.sh.)
#
#   scripts/test-workshop.sh                  everything
#   scripts/test-workshop.sh -k compose -x    pytest's options pass through
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
export PYTHONDONTWRITEBYTECODE=1

python="$("$ROOT/scripts/workshop-venv.sh")"
for tool in prometheus promtool; do
  command -v "$tool" >/dev/null || { echo "test-workshop: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done

cargo build --locked --quiet -p workshop-app -p workshop-step-1 -p workshop-step-2 -p workshop-step-6 -p workshop-check
# The checks' rules must build for the browser too: the playground's guide will call them.
cargo check --locked --quiet -p workshop-guide --target wasm32-unknown-unknown

exec "$python" -m pytest -c workshop/tests/pytest.ini workshop/tests "$@"
