"""Every command WORKSHOP.md tells a learner to run: each is recognised here
and either run (the checks, through the cargo alias, as typed) or its
subject checked to exist; a command this file does not know fails the
suite, so a new one gets a test. And workshop/catch-up.sh."""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT, read_workshop_md, run_check

COMMANDS = sorted(
    {
        line.strip()
        for section in read_workshop_md()
        for block in section.blocks
        if block.lang == "sh"
        for line in block.code.splitlines()
        if line.strip() and not line.startswith("#")
    }
)


@pytest.fixture(scope="module")
def packages() -> dict[str, set[str]]:
    """Workspace packages and the kinds of their targets."""
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--no-deps", "--offline"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    )
    return {p["name"]: {kind for t in p["targets"] for kind in t["kind"]} for p in metadata["packages"]}


@pytest.mark.parametrize("command", COMMANDS)
def test_workshop_md_command(command, packages, apps):
    words = command.split()
    if match := re.fullmatch(r"cargo check-work (\d)", command):
        # As typed, through the alias in .cargo/config.toml, against the finished app.
        if match[1] == "3":
            pytest.skip("section 3's check needs the compose stack; test_prometheus runs it")
        result = run_check(match[1], env={"WORKSHOP_APP": apps["workshop-step-6"].url}, via_cargo=True)
        assert result.status == 0, result.output
    elif re.fullmatch(r"cargo check-work \d '[A-Z ]+'", command) or command == "cargo check-work traffic":
        # A placeholder for the learner's query, or the endless traffic:
        # test_prometheus runs both with real arguments.
        result = run_check("--help", via_cargo=True)
        assert result.status == 0, result.output
    elif words[:2] == ["cargo", "run"] and words[2] == "-p":
        assert "bin" in packages[words[3]], command
    elif words[:2] == ["cargo", "build"]:
        for package in words[3::2]:
            assert package in packages, command
    elif command == "cargo fetch --locked":
        subprocess.run(["cargo", "fetch", "--locked", "--offline"], cwd=ROOT, check=True, capture_output=True)
    elif words[:4] == ["docker", "compose", "-f", "workshop/docker-compose.yaml"]:
        assert (ROOT / words[3]).is_file() and words[4] in ("up", "pull")
    elif words[0] == "curl":
        assert words[-1] == "http://localhost:8001/metrics"
    elif re.fullmatch(r"workshop/catch-up\.sh [1-6]", command):
        assert os.access(ROOT / words[0], os.X_OK)
    else:
        pytest.fail(f"WORKSHOP.md runs `{command}`, which this test does not know: add it")


@pytest.mark.parametrize(("section", "solution"), [(1, "step-1"), (2, "step-2"), (3, "step-2"), (5, "step-2"), (6, "step-6")])
def test_catch_up_puts_the_solution_in_place(section, solution):
    with tempfile.TemporaryDirectory(prefix="workshop-catch-up-") as tmp:
        app = Path(tmp) / "app"
        shutil.copytree(ROOT / "workshop" / "app", app)
        main = app / "src" / "main.rs"
        main.write_text(main.read_text() + "// my own change\n")
        run = lambda: subprocess.run(
            [ROOT / "workshop" / "catch-up.sh", str(section)],
            env={**os.environ, "WORKSHOP_APP_DIR": str(app)},
            capture_output=True,
            text=True,
        )
        result = run()
        assert result.returncode == 0, result.stderr
        expected = ROOT / "workshop" / solution
        assert filecmp.cmp(main, expected / "src" / "main.rs", shallow=False)
        manifest = (expected / "Cargo.toml").read_text().replace(f'name = "workshop-{solution}"', 'name = "workshop-app"')
        assert (app / "Cargo.toml").read_text() == manifest
        assert (app / "src" / "main.rs.mine").read_text().endswith("// my own change\n")
        # Again, after a change: the first backup is kept.
        main.write_text("// another change\n")
        assert run().returncode == 0
        assert (app / "src" / "main.rs.mine").read_text().endswith("// my own change\n")
        assert (app / "src" / "main.rs.mine.1").read_text() == "// another change\n"


def test_catch_up_refuses_an_unknown_section():
    result = subprocess.run([ROOT / "workshop" / "catch-up.sh", "7"], capture_output=True, text=True)
    assert result.returncode == 2 and "usage: workshop/catch-up.sh SECTION" in result.stderr


def test_traffic_visits_as_many_times_as_it_says(apps):
    app = apps["workshop-step-2"]

    def pages() -> float:
        body = subprocess.run(["curl", "-fsS", f"{app.url}/metrics"], capture_output=True, text=True, check=True).stdout
        match = re.search(r'^requests_total\{status="200",endpoint="/treecounter"\} (\S+)$', body, re.MULTILINE)
        return float(match[1]) if match else 0.0

    before = pages()
    result = run_check("traffic", "--app", app.url, "--rate", "20", "--seconds", "2")
    assert result.status == 0, result.output
    done = re.search(r"done: (\d+) pages showed the count, (\d+) said it was unavailable .*, 0 visits failed", result.output)
    assert done, result.output
    visits = int(done[1]) + int(done[2])
    assert 35 <= visits <= 45, result.output
    assert pages() - before == visits
