#!/usr/bin/env bash
# The main job: build the playground (when its sources changed) and serve it
# with the tree-counter app on http://localhost:8001. Extra arguments go to
# app-server (see `cargo run -p app-server -- --help`), e.g.
#   ./scripts/run.sh --latency-max 0 --listen 127.0.0.1:9001
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh" --run

# Rebuild the playground only when something it is built from is newer.
if [ ! -f dist/index.html ] || [ -n "$(find playground treecounter static Trunk.toml Cargo.lock -newer dist/index.html -print -quit)" ]; then
  step "building the playground (trunk build --release)"
  "$ROOT/scripts/build-playground.sh"
fi

step "starting app-server (Ctrl-C stops it)"
exec cargo run --release --locked -p app-server -- --static-dir dist "$@"
