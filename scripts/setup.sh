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
# The playground's precompressed files (scripts/build-playground.sh).
need_apt brotli brotli
if [ "$mode" != --run ]; then
  need_apt chromium chromium
  need_apt chromedriver chromium-driver
  need_apt prometheus prometheus
  need_apt promtool prometheus
  need_apt wrk wrk
  need_apt ss iproute2
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

# The slow part, only ever once per machine: Trunk (the wasm bundler) and
# wasm-bindgen-cli are compiled from crates.io, and npm and cargo download.
# None of these depends on another, so they run at the same time, each with
# its output in .tools/setup-logs/. Both tools are built unoptimised and
# without debug info (`--debug`, CARGO_PROFILE_DEV_DEBUG=0): they compile in
# a fraction of the time of a release build, and the little work they do
# (calling cargo, wasm-opt, rewriting the HTML) stays fast; the wasm they
# produce is the same. Trunk is built without its TLS and update-check
# features: it downloads nothing here.
logs="$ROOT/.tools/setup-logs"
background_pids=()
background_names=()
in_background() { # in_background NAME COMMAND...: start a step, its output in $logs/NAME.log
  local name="$1"
  shift
  mkdir -p "$logs"
  step "$name (in the background; output in .tools/setup-logs/$name.log)"
  "$@" >"$logs/$name.log" 2>&1 &
  background_pids+=($!)
  background_names+=("$name")
}
wait_for_background() { # fails, with the end of its log, if any step failed
  local i status=0
  for i in "${!background_pids[@]}"; do
    if ! wait "${background_pids[$i]}"; then
      case "${background_names[$i]}" in
        warm-*) # only a head start: the real build reports the problem
          printf 'setup: %s failed (see .tools/setup-logs/%s.log); the build will say why\n' "${background_names[$i]}" "${background_names[$i]}" >&2
          continue ;;
      esac
      printf 'setup: %s failed; the end of .tools/setup-logs/%s.log:\n' "${background_names[$i]}" "${background_names[$i]}" >&2
      tail -n 30 "$logs/${background_names[$i]}.log" >&2
      status=1
    fi
  done
  background_pids=()
  background_names=()
  return "$status"
}
quick_debug_install() { CARGO_PROFILE_DEV_DEBUG=0 cargo install --debug "$@"; }

# Trunk 0.21 (0.22 needs a newer rustc than this machine has).
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  in_background "cargo-install-trunk" \
    quick_debug_install --locked --no-default-features trunk --version "$TRUNK_VERSION"
fi

# wasm-bindgen-cli must be exactly the wasm-bindgen version in Cargo.lock.
# (No --locked: its own lock pins a crate the registry no longer has.)
# Without default features: no TLS, wasm-bindgen-test-runner only talks to
# the local ChromeDriver.
wbg_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$wbg_version" ]; then
  echo "setup: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if ! grep -q "wasm_bindgen = \"$wbg_version\"" Trunk.toml; then
  echo "setup: Trunk.toml [tools] wasm_bindgen must be \"$wbg_version\", as in Cargo.lock" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg_version" ]; then
  in_background "cargo-install-wasm-bindgen-cli" \
    quick_debug_install --no-default-features wasm-bindgen-cli --version "$wbg_version"
fi

# npm: wasm-opt (binaryen 132; Debian's 108 cannot read rustc 1.95 output)
# and, for the tests, playwright-core driving the Debian Chromium.
if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  in_background "npm-ci" npm ci --no-audit --no-fund --loglevel=error
fi

# Trunk builds offline: every crate must already be in cargo's cache.
in_background "cargo-fetch" cargo fetch --locked

# Not an install but a head start, which on a fresh machine saves a minute:
# compile the playground for wasm now, exactly as Trunk will ask cargo to,
# so that Trunk's own cargo build finds it done and only runs wasm-bindgen
# and wasm-opt. If it fails, that build reports why.
in_background "warm-playground-wasm-build" \
  cargo build --locked --target wasm32-unknown-unknown --profile wasm-release -p playground --bin playground

wait_for_background
