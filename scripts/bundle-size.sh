#!/usr/bin/env bash
# Prints the gzip size of the built playground's files (wasm, JS, CSS and
# the page itself) and fails when together they exceed the budget. Reads
# dist/ as scripts/build-playground.sh left it.
#
#   scripts/bundle-size.sh            check against 250 KB (250 000 bytes)
#   BUDGET_BYTES=120000 scripts/bundle-size.sh
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# 250 KB is the whole page's budget (the query UI issue sets it); the
# PromQL engine alone takes about 90 KB of it.
budget="${BUDGET_BYTES:-250000}"
kb() { awk -v bytes="$1" 'BEGIN { printf "%.1f", bytes / 1000 }'; }
shopt -s nullglob
files=(dist/*.wasm dist/*.js dist/*.css dist/index.html)
if [ ${#files[@]} -eq 0 ]; then
  echo "bundle-size: nothing in dist/; run scripts/build-playground.sh first" >&2
  exit 1
fi

total=0
for file in "${files[@]}"; do
  raw=$(stat -c %s "$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  total=$((total + gz))
  printf '%-48s %8d bytes, gzip %7d bytes (%s KB)\n' "$(basename "$file")" "$raw" "$gz" "$(kb "$gz")"
done
printf 'page gzip total: %d bytes (%s KB), budget %d bytes\n' "$total" "$(kb "$total")" "$budget"
if [ "$total" -gt "$budget" ]; then
  echo "bundle-size: over budget by $((total - budget)) bytes" >&2
  exit 1
fi
