"""The rule unit-test files (tinyprom/testdata/rules/*.yaml) under both engines.

Each `promql_expr_test` becomes a test of its own: it is written, with its
group's input series, into a file of its own and run by `promtool test rules`
(Prometheus 2.42) and by `promql test`; both must pass it. Each whole file is
run by both as well, as a user would run it.

With --engine=prometheus (checking the harness without our CLI) promtool
stands in for `promql test`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness import ROOT

RULES_DIR = ROOT / "tinyprom" / "testdata" / "rules"
RULE_FILES = sorted(RULES_DIR.glob("*.yaml"))
ENGINES = ["promtool", "promql"]


def expression_cases() -> list[Any]:
    cases = []
    for path in RULE_FILES:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for g, group in enumerate(document["tests"]):
            for e, case in enumerate(group.get("promql_expr_test") or []):
                cases.append(pytest.param(path, g, e, id=f"{path.stem}:{g}:{e}:{case['expr']}"))
    return cases


@pytest.fixture(scope="session")
def rule_test_command(request: pytest.FixtureRequest) -> Callable[[str], list[str]]:
    """The command line that runs rule test files, per engine name."""

    def command(engine_name: str) -> list[str]:
        if engine_name == "promtool" or request.config.getoption("engine") == "prometheus":
            return ["promtool", "test", "rules"]
        binary: Path = request.config.getoption("promql_bin")
        if not binary.is_file():
            pytest.fail(f"{binary} does not exist: build it with `cargo build --release -p promql-cli`")
        return [str(binary), "test"]

    return command


def run_rule_files(cmd: list[str], files: list[Path], cwd: Path) -> None:
    result = subprocess.run([*cmd, *map(str, files)], capture_output=True, text=True, cwd=cwd, timeout=120, check=False)
    if result.returncode != 0:
        pytest.fail(f"`{' '.join(cmd)}` exited {result.returncode}:\n{result.stdout}{result.stderr}", pytrace=False)


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize(("path", "group", "index"), expression_cases())
def test_rule_expression(
    path: Path,
    group: int,
    index: int,
    engine_name: str,
    rule_test_command: Callable[[str], list[str]],
    tmp_path: Path,
) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    test_group = document["tests"][group]
    case = test_group["promql_expr_test"][index]
    single = {**document, "tests": [{**test_group, "promql_expr_test": [case]}]}
    single_file = tmp_path / f"{path.stem}-{group}-{index}.yaml"
    single_file.write_text(yaml.safe_dump(single, sort_keys=False, allow_unicode=True), encoding="utf-8")
    run_rule_files(rule_test_command(engine_name), [single_file], tmp_path)


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize("path", RULE_FILES, ids=[p.stem for p in RULE_FILES])
def test_rule_file(path: Path, engine_name: str, rule_test_command: Callable[[str], list[str]]) -> None:
    run_rule_files(rule_test_command(engine_name), [path], RULES_DIR)


def test_every_expression_test_is_collected() -> None:
    assert len(expression_cases()) >= 60
