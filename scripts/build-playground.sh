#!/usr/bin/env bash
# Builds the playground's static site into dist/ (what app-server serves at /).
# Needs the wasm toolchain: `scripts/setup.sh --run` first (run.sh and test.sh
# do that). Extra arguments go to `trunk build`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

step "trunk build --release (static/index.html -> dist/)"
trunk build --release "$@"

# The forms app-server sends browsers that accept them (ServeDir's
# precompressed files): compressed once here, at the best ratio, rather
# than on every request. A workshop room loads the page 30 times at once.
step "compressing dist/ (brotli and gzip forms beside each file)"
have_brotli=$(command -v brotli || true)
if [ -z "$have_brotli" ]; then
  echo "build-playground: no brotli (scripts/setup.sh --run installs it); writing gzip forms only" >&2
fi
shopt -s nullglob
for file in dist/*.wasm dist/*.js dist/*.css dist/*.html; do
  gzip -9 --no-name --keep --force "$file"
  if [ -n "$have_brotli" ]; then
    brotli --quality=11 --keep --force "$file"
  fi
done
