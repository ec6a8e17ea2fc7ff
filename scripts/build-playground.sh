#!/usr/bin/env bash
# Builds the playground's static site into dist/ (what app-server serves at /).
# Needs the wasm toolchain: `scripts/setup.sh --run` first (run.sh and test.sh
# do that). Extra arguments go to `trunk build`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

step "trunk build --release (static/index.html -> dist/)"
trunk build --release "$@"
