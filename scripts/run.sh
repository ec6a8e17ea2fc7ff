#!/usr/bin/env bash
# The main job: build the playground (when its sources changed) and serve it
# with the tree-counter app on http://localhost:8001. Extra arguments go to
# app-server (see `cargo run -p app-server -- --help`), e.g.
#   ./scripts/run.sh --latency-max 0 --listen 127.0.0.1:9001
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# The server needs neither the wasm tools nor the playground: it compiles
# while they are installed and built (on a fresh machine that is most of the
# wait), its output in .tools/setup-logs/app-server-build.log. A debug build:
# it compiles in half the CPU time of a release build (which matters on the
# first run: two cores also compile Trunk and wasm-bindgen-cli meanwhile),
# rebuilds faster when you change the app, and is plenty for a workshop's
# traffic. scripts/bench-server.sh and the container build release ones.
mkdir -p .tools/setup-logs
step "cargo build -p app-server (in the background; output in .tools/setup-logs/app-server-build.log)"
cargo build --locked -p app-server >.tools/setup-logs/app-server-build.log 2>&1 &
server_build=$!
trap 'kill "$server_build" 2>/dev/null || true' EXIT

"$ROOT/scripts/setup.sh" --run

# Rebuild the playground only when something it is built from is newer.
if [ ! -f dist/index.html ] || [ -n "$(find playground treecounter static Trunk.toml Cargo.lock -newer dist/index.html -print -quit)" ]; then
  step "building the playground (trunk build --release)"
  "$ROOT/scripts/build-playground.sh"
fi

if ! wait "$server_build"; then
  echo "run: building app-server failed; the end of .tools/setup-logs/app-server-build.log:" >&2
  tail -n 30 .tools/setup-logs/app-server-build.log >&2
  exit 1
fi
trap - EXIT
step "starting app-server (Ctrl-C stops it)"
exec cargo run --locked --quiet -p app-server -- --static-dir dist "$@"
