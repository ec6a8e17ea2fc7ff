#!/usr/bin/env bash
# The workspace's layering, checked on the dependency graph (ARCHITECTURE.md's
# invariants): app-server compiles none of the Prometheus side, the simulated
# Prometheus (tinyprom) knows neither prometheus-client nor the web, and
# neither it nor playground-core links a YAML or JSON parser into the page
# (playground-core's build script reads the stack's files at build time).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

failed=0
# forbid CRATE DEPENDENCY...: fails if CRATE's normal dependencies include one.
forbid() {
  local crate="$1"
  shift
  local tree
  tree="$(cargo tree --locked -p "$crate" -e normal --prefix none --format '{p}' | awk '{print $1}' | sort -u)"
  for dependency in "$@"; do
    if grep -qx "$dependency" <<<"$tree"; then
      printf 'FAIL %s depends on %s\n' "$crate" "$dependency"
      failed=1
    else
      printf 'ok   %s does not depend on %s\n' "$crate" "$dependency"
    fi
  done
}

forbid app-server tinyprom playground-core regex-lite
forbid tinyprom prometheus-client treecounter axum hyper tokio yew web-sys wasm-bindgen serde serde-saphyr serde_json
forbid playground-core serde serde-saphyr serde_json
forbid treecounter tinyprom axum yew
# The workshop: the learner's app and the solutions stand alone (nothing of
# the finished app or of our Prometheus to lean on); the checks' rules are a
# library with no I/O that the playground can call.
for crate in workshop-app workshop-step-1 workshop-step-2 workshop-step-6; do
  forbid "$crate" treecounter tinyprom app-server
done
forbid workshop-app prometheus-client
forbid workshop-guide axum tokio hyper serde_json prometheus-client treecounter
exit "$failed"
