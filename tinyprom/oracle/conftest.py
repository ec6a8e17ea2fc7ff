"""Fixtures shared by the oracle tests, and the score lines they end with.

    pytest tinyprom/oracle                          # our engine against Prometheus
    pytest tinyprom/oracle --engine=prometheus      # the harness against itself
    pytest tinyprom/oracle --promql-bin=PATH        # another build of the CLI

Fixtures (all session-wide):

* `data_file`: the generated OpenMetrics file (gen_data.py, seed 42).
* `prometheus`: a real Prometheus serving `data_file` from its own TSDB.
* `promql_cli`: our CLI over `data_file`; fails every test that uses it when
  the binary is missing: a missing engine never passes silently.
* `engine`: what is compared with Prometheus: `promql_cli`, or Prometheus
  itself with --engine=prometheus (to check the harness and the corpus).
"""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_data
from harness import DEFAULT_CLI, ROOT, Prometheus, PromqlCli, running_prometheus


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("oracle")
    group.addoption(
        "--engine",
        choices=("promql", "prometheus"),
        default="promql",
        help="what to compare with Prometheus: our CLI (default) or Prometheus itself",
    )
    group.addoption("--promql-bin", type=Path, default=DEFAULT_CLI, help=f"the promql binary (default {DEFAULT_CLI})")


@dataclass
class Score:
    """Outcomes per corpus query and per rule test, for the closing lines."""

    queries: dict[str, list[str]] = field(default_factory=dict)  # query id -> outcomes of its modes
    allow_listed: set[str] = field(default_factory=set)
    answers: int = 0
    identical_text: int = 0  # the engine's JSON text byte for byte the same as Prometheus's
    both_errored: int = 0
    same_message: int = 0
    same_message_text: int = 0  # the same but for the 'invalid parameter "query": ' prefix
    other_messages: dict[str, tuple[str, str]] = field(default_factory=dict)  # query -> both messages
    disagreements: list[tuple[str, str]] = field(default_factory=list)  # (test, what differs)
    rules: dict[str, list[str]] = field(default_factory=dict)  # engine -> outcomes

    def record_query(self, query_id: str, outcome: str) -> None:
        self.queries.setdefault(query_id, []).append(outcome)


SCORE = Score()


@pytest.fixture(scope="session")
def score() -> Score:
    return SCORE


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Counts each differential and rule-expression test once, also when its
    fixtures failed (a missing CLI must show in the score, not vanish)."""
    if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    outcome = "xfailed" if hasattr(report, "wasxfail") else report.outcome
    test_name, _, params = report.nodeid.partition("::")[2].partition("[")
    params = params.removesuffix("]")
    if test_name == "test_differential":
        query_id, _, _mode = params.rpartition("-")
        SCORE.record_query(query_id, outcome)
    elif test_name == "test_rule_case":
        _case, _, engine_name = params.rpartition("-")
        SCORE.rules.setdefault(engine_name, []).append(outcome)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    write = terminalreporter.write_line
    if SCORE.queries:
        total = len(SCORE.queries)
        agree = sum(all(o == "passed" for o in outcomes) for outcomes in SCORE.queries.values())
        allowed = sum(any(o == "xfailed" for o in outcomes) for outcomes in SCORE.queries.values())
        write(
            f"differential: {agree}/{total} queries agree in every mode"
            f" ({allowed} allow-listed differences; engine: {config.getoption('engine')})"
        )
        write(
            f"differential errors: {SCORE.both_errored} evaluations where both errored,"
            f" {SCORE.same_message} of them with the very same message,"
            f" {SCORE.same_message_text} but for the prefix 'invalid parameter \"query\": '"
        )
        if SCORE.disagreements:
            kinds = Counter(disagreement_kind(message) for _, message in SCORE.disagreements)
            report = write_report("disagreements.txt", (f"=== {t}\n{m}\n" for t, m in SCORE.disagreements))
            write(
                f"differential disagreements by kind: {', '.join(f'{k} {n}' for k, n in kinds.most_common())}"
                f" (all of them in {report})"
            )
        if SCORE.other_messages:
            report = write_report(
                "error-messages.txt",
                (f"{q}\n  Prometheus: {p}\n  engine:     {e}\n" for q, (p, e) in SCORE.other_messages.items()),
            )
            write(
                f"differential errors: {len(SCORE.other_messages)} queries whose messages differ in more than that prefix: {report}"
            )
        write(
            f"differential text: {SCORE.identical_text}/{SCORE.answers} answers byte for byte"
            " the same JSON text as Prometheus's (informative: only the parsed answers must agree)"
        )
    if SCORE.rules:
        parts = []
        for engine_name in ("promtool", "promql"):
            outcomes = SCORE.rules.get(engine_name, [])
            if outcomes:
                parts.append(f"{engine_name} {outcomes.count('passed')}/{len(outcomes)}")
        write("rule unit tests: " + ", ".join(parts))


REPORT_DIR = ROOT / "target" / "promql-oracle"
# The first words of compare.differences()'s messages, by kind of disagreement.
KINDS = {
    "status:": "status",
    "errorType:": "errorType",
    "resultType:": "resultType",
    "missing series": "missing series",
    "extra series": "extra series",
    "order:": "order",
    "timestamp": "timestamps",
    "is not formatted": "float format",
    "value:": "value",
    "string:": "string",
}


def disagreement_kind(message: str) -> str:
    """The kind of the first difference reported in a failed test's message."""
    first = message.split("\n  ")[1] if "\n  " in message else message
    matches = [(first.find(word), kind) for word, kind in KINDS.items() if word in first]
    return min(matches)[1] if matches else "other"


def write_report(name: str, chunks: Iterable[str]) -> Path:
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    path = REPORT_DIR / name
    path.write_text("".join(chunks), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "oracle.om"
    path.write_text(gen_data.generate(seed=42).text(), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def prometheus(data_file: Path) -> Iterator[Prometheus]:
    for tool in ("prometheus", "promtool"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (scripts/setup.sh installs it)")
    with running_prometheus(data_file) as server:
        yield server


@pytest.fixture(scope="session")
def promql_cli(request: pytest.FixtureRequest, data_file: Path) -> PromqlCli:
    binary: Path = request.config.getoption("promql_bin")
    if not binary.is_file():
        pytest.fail(f"{binary} does not exist: build it with `cargo build --release -p promql-cli`")
    return PromqlCli(binary, data_file)


@pytest.fixture(scope="session")
def engine(request: pytest.FixtureRequest) -> Prometheus | PromqlCli:
    if request.config.getoption("engine") == "prometheus":
        return request.getfixturevalue("prometheus")
    return request.getfixturevalue("promql_cli")
