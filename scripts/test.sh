#!/usr/bin/env bash
# The whole test suite, as CI runs it. Installs what is missing first
# (scripts/setup.sh), then runs every step and prints a summary line.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh"

passed=0
failed=0
failures=()
run_step() {
  local name="$1"
  shift
  step "$name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

run_step "rustfmt" cargo fmt --all -- --check
run_step "clippy (host)" cargo clippy --workspace --all-targets --locked -- -D warnings
run_step "clippy (wasm playground)" cargo clippy -p playground --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
run_step "cargo test (host)" cargo test --workspace --exclude playground --locked
for extra in scripts/test-*.sh; do
  [ -e "$extra" ] || continue
  run_step "$(basename "$extra" .sh)" "$extra"
done

printf '\n==> summary\n'
for name in "${failures[@]}"; do
  printf 'FAILED: %s\n' "$name"
done
printf 'steps: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
