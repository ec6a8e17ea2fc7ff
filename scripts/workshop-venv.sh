#!/usr/bin/env bash
# Makes sure .tools/workshop-venv (git-ignored) has exactly the packages
# pinned in workshop/tests/requirements.txt, and prints its python's path.
# Used by scripts/test-workshop.sh; a warm run takes no time: the venv
# remembers which requirements it was built from.
set -euo pipefail
source "$(dirname "$0")/env.sh"

requirements="$ROOT/workshop/tests/requirements.txt"
venv="$ROOT/.tools/workshop-venv"
stamp="$venv/requirements.installed"
if ! [ -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$stamp"; then
  step "pip: workshop/tests/requirements.txt into .tools/workshop-venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$stamp"
fi
echo "$venv/bin/python"
