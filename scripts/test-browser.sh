#!/usr/bin/env bash
# The playground in a real browser: builds the release site, checks its size
# budget, runs the component tests (wasm-bindgen-test in headless Chromium)
# and the end-to-end test (app-server serving dist/, driven by playwright-core
# with the Debian Chromium). scripts/test.sh runs this after the cargo steps.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

"$ROOT/scripts/build-playground.sh"

step "bundle size (the whole page, gzip)"
"$ROOT/scripts/bundle-size.sh"
# Where the bytes go, printed for the log (and kept working: the README's
# table comes from it).
"$ROOT/scripts/size-breakdown.sh"

step "component tests: cargo test -p playground --target wasm32-unknown-unknown"
# From the crate's folder, where wasm-bindgen-test-runner finds webdriver.json
# (the Chromium flags: headless, no sandbox as root).
(cd playground && cargo test -p playground --target wasm32-unknown-unknown --locked)

step "end-to-end: node --test playground/e2e/"
cargo build --release -p app-server --locked
# The host side of the query tests: replays the page's share links.
cargo build --release -p playground-core --example link_table --locked
node --test playground/e2e/
