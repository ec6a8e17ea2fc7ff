#!/usr/bin/env bash
# Prints the gzip size of the built playground's files (wasm, JS, CSS and
# the page itself) and fails when together they exceed the budget. Reads
# dist/ as scripts/build-playground.sh left it.
#
#   scripts/bundle-size.sh            check against 341 KB (341 000 bytes)
#   BUDGET_BYTES=250000 scripts/bundle-size.sh
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# The query UI's issue asks for 250 KB for the whole page; with the PromQL
# engine (about 90 KB), the query panels (about 37 KB) and the alert rules
# (15 KB) the page was 290.3 KB; the workshop guide with the Targets view
# (24 KB), the dashboard with the simulated process metrics (13 KB) and
# live mode (12.4 KB) took it to 340 KB, live mode's alerts and its
# `GET /metrics` panel (1.9 KB) to 342 KB, and the README says what each
# part costs (scripts/size-breakdown.sh: without any of the page's own
# components the page would still be 275 KB). This is a ratchet: the page
# may not grow past 341 KB unnoticed. Raise it only with the figure in the
# README.
budget="${BUDGET_BYTES:-341000}"
kb() { awk -v bytes="$1" 'BEGIN { printf "%.1f", bytes / 1000 }'; }
shopt -s nullglob
files=(dist/*.wasm dist/*.js dist/*.css dist/index.html)
if [ ${#files[@]} -eq 0 ]; then
  echo "bundle-size: nothing in dist/; run scripts/build-playground.sh first" >&2
  exit 1
fi

total=0
sent=0
for file in "${files[@]}"; do
  raw=$(stat -c %s "$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  total=$((total + gz))
  # What app-server sends a browser: the smallest form build-playground.sh
  # left beside the file (brotli, gzip), or the file itself.
  smallest=$raw
  for form in "$file.br" "$file.gz"; do
    if [ -f "$form" ] && [ "$(stat -c %s "$form")" -lt "$smallest" ]; then
      smallest=$(stat -c %s "$form")
    fi
  done
  sent=$((sent + smallest))
  printf '%-40s %7d bytes, gzip %6d (%s KB), sent %6d\n' "$(basename "$file")" "$raw" "$gz" "$(kb "$gz")" "$smallest"
done
printf 'page gzip total: %d bytes (%s KB), budget %d bytes\n' "$total" "$(kb "$total")" "$budget"
printf 'app-server sends a browser %d bytes (%s KB) for the page\n' "$sent" "$(kb "$sent")"
if [ "$total" -gt "$budget" ]; then
  echo "bundle-size: over budget by $((total - budget)) bytes" >&2
  exit 1
fi
