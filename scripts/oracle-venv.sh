#!/usr/bin/env bash
# Makes sure .tools/oracle-venv (git-ignored) has exactly the packages pinned
# in tinyprom/oracle/requirements.txt, and prints its python's path. Used by
# scripts/test-promql.sh and scripts/bench-promql.sh; a warm run takes no
# time: the venv remembers which requirements it was built from.
set -euo pipefail
source "$(dirname "$0")/env.sh"

requirements="$ROOT/tinyprom/oracle/requirements.txt"
venv="$ROOT/.tools/oracle-venv"
stamp="$venv/requirements.installed"
if ! [ -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$stamp"; then
  step "pip: tinyprom/oracle/requirements.txt into .tools/oracle-venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$stamp"
fi
echo "$venv/bin/python"
