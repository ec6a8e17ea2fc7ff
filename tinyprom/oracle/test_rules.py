"""promtool's rule unit-test files under both engines.

The files: tinyprom/testdata/rules/*.yaml (expression tests, and recording
and alerting rules from rule_files/) and the stack's prometheus/*.test.yaml
(the alerts of prometheus/alerts.yaml).

Each `promql_expr_test` and each `alert_rule_test` becomes a test of its
own: it is written, with its group's input series and settings, into a file
of its own and run by `promtool test rules` (Prometheus 2.42) and by `promql
test`; both must pass it. Each whole file is run by both as well, as a user
would run it. The files in tinyprom/testdata/rules/failing/ must fail under
both: broken rule files, rules that fail to evaluate, wrong expectations.

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
RULE_FILES = sorted(RULES_DIR.glob("*.yaml")) + sorted((ROOT / "prometheus").glob("*.test.yaml"))
FAILING_FILES = sorted((RULES_DIR / "failing").glob("*.yaml"))
ENGINES = ["promtool", "promql"]
CASE_KINDS = ("promql_expr_test", "alert_rule_test")


def file_id(path: Path) -> str:
    return str(path.relative_to(ROOT).with_suffix(""))


def rule_cases() -> list[Any]:
    cases = []
    for path in RULE_FILES:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for g, group in enumerate(document["tests"]):
            for kind in CASE_KINDS:
                for e, case in enumerate(group.get(kind) or []):
                    what = case.get("expr") or f"{case['alertname']}@{case['eval_time']}"
                    cases.append(pytest.param(path, g, kind, e, id=f"{path.stem}:{g}:{kind}:{e}:{what}"))
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


def run_rule_files(cmd: list[str], files: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*cmd, *map(str, files)], capture_output=True, text=True, cwd=cwd, timeout=120, check=False)


def passes(cmd: list[str], files: list[Path], cwd: Path) -> None:
    result = run_rule_files(cmd, files, cwd)
    if result.returncode != 0:
        pytest.fail(f"`{' '.join(cmd)}` exited {result.returncode}:\n{result.stdout}{result.stderr}", pytrace=False)


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize(("path", "group", "kind", "index"), rule_cases())
def test_rule_case(
    path: Path,
    group: int,
    kind: str,
    index: int,
    engine_name: str,
    rule_test_command: Callable[[str], list[str]],
    tmp_path: Path,
) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    test_group = {key: value for key, value in document["tests"][group].items() if key not in CASE_KINDS}
    test_group[kind] = [document["tests"][group][kind][index]]
    # The file lands elsewhere: its rule files must still be found.
    rule_files = [str((path.parent / pattern).resolve()) for pattern in document.get("rule_files") or []]
    single = {**document, "rule_files": rule_files, "tests": [test_group]}
    single_file = tmp_path / f"{path.stem}-{group}-{kind}-{index}.yaml"
    single_file.write_text(yaml.safe_dump(single, sort_keys=False, allow_unicode=True), encoding="utf-8")
    passes(rule_test_command(engine_name), [single_file], tmp_path)


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize("path", RULE_FILES, ids=[file_id(p) for p in RULE_FILES])
def test_rule_file(path: Path, engine_name: str, rule_test_command: Callable[[str], list[str]]) -> None:
    passes(rule_test_command(engine_name), [path], path.parent)


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize("path", FAILING_FILES, ids=[p.stem for p in FAILING_FILES])
def test_failing_rule_file(path: Path, engine_name: str, rule_test_command: Callable[[str], list[str]]) -> None:
    cmd = rule_test_command(engine_name)
    result = run_rule_files(cmd, [path], path.parent)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "FAILED" in output, (
        f"`{' '.join(cmd)}` should fail with exit code 1 and FAILED, got {result.returncode}:\n{output}"
    )


def test_every_case_is_collected() -> None:
    cases = rule_cases()
    kinds = [case.values[2] for case in cases]
    assert kinds.count("promql_expr_test") >= 165
    assert kinds.count("alert_rule_test") >= 37
    assert any(path.parent.name == "prometheus" for path in RULE_FILES)
    assert len(FAILING_FILES) >= 9
