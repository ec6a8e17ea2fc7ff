#!/usr/bin/env bash
# Installs what building, running and testing need, skipping what is there.
# Idempotent: a warm rerun takes a few seconds. Needs root (or sudo) for apt.
#
#   scripts/setup.sh           everything (toolchain, wasm tools, browser, Prometheus, load tool)
#   scripts/setup.sh --run     only what `scripts/run.sh` needs (toolchain and wasm tools)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

TRUNK_VERSION=0.21.14
mode="${1:-all}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages, by the command each provides.
apt_missing=()
need_apt() { command -v "$1" >/dev/null 2>&1 || apt_missing+=("$2"); }
need_apt node nodejs
need_apt npm npm
need_apt curl curl
if [ "$mode" != --run ]; then
  need_apt chromium chromium
  need_apt chromedriver chromium-driver
  need_apt prometheus prometheus
  need_apt promtool prometheus
  need_apt wrk wrk
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
  step "apt: installing ${apt_missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
fi
# Debian starts a system Prometheus on :9090 when it installs the package; the
# tests run their own on other ports, so that one is only in the way.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  as_root systemctl stop prometheus || true
fi

# Rust: the wasm target and the lint tools.
installed_targets="$(rustup target list --installed)"
if ! grep -qx wasm32-unknown-unknown <<<"$installed_targets"; then
  step "rustup: adding wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    rustup component add "$component"
  fi
done

# Trunk (the wasm bundler). 0.22 needs a newer rustc than this machine has.
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  step "cargo install trunk $TRUNK_VERSION (takes 8-15 minutes once)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# wasm-bindgen-cli must be exactly the wasm-bindgen version in Cargo.lock.
# (No --locked: its own lock pins a crate the registry no longer has.)
wbg_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$wbg_version" ]; then
  echo "setup: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg_version" ]; then
  step "cargo install wasm-bindgen-cli $wbg_version (about 3 minutes once)"
  cargo install wasm-bindgen-cli --version "$wbg_version"
fi
if ! grep -q "wasm_bindgen = \"$wbg_version\"" Trunk.toml; then
  echo "setup: Trunk.toml [tools] wasm_bindgen must be \"$wbg_version\", as in Cargo.lock" >&2
  exit 1
fi

# npm: wasm-opt (binaryen 132; Debian's 108 cannot read rustc 1.95 output)
# and, for the tests, playwright-core driving the Debian Chromium.
if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Trunk builds offline: every crate must already be in cargo's cache.
cargo fetch --locked >/dev/null
