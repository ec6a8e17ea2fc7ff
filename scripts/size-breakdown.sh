#!/usr/bin/env bash
# What each part of the playground's wasm costs in gzip bytes: the PromQL
# engine, yew, the page's components, std... (scripts/size_breakdown.py).
# Optimises the wasm scripts/build-playground.sh built as Trunk does, but
# keeps the function names, so run that first.
#
#   scripts/size-breakdown.sh
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

target_dir="${CARGO_TARGET_DIR:-$ROOT/target}"
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/playground.wasm"
if [ ! -f "$wasm" ]; then
  echo "size-breakdown: no $wasm; run scripts/build-playground.sh first" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

wasm-bindgen --target web --keep-debug --out-dir "$work" "$wasm"
# wasm-opt's level and parameters from static/index.html, plus -g.
params=$(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' static/index.html)
# shellcheck disable=SC2086 # the parameters are words
wasm-opt -Oz $params -g "$work/playground_bg.wasm" -o "$work/named.wasm"
python3 scripts/size_breakdown.py "$work/named.wasm"
