"""Every corpus query, asked of Prometheus and of the engine, must get the same answer.

One test per query and mode: `instant` asks at each of corpus.INSTANT_TIMES,
`range` with each of corpus.RANGE_PARAMS. The engine answers a whole corpus
file per time (or range) in one run of the CLI; Prometheus is asked one query
at a time over HTTP. Answers are cached for the session.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from allowlist import ALLOWED_DIFFERENCES
from compare import defines_order, differences
from conftest import Score
from corpus import INSTANT_TIMES, RANGE_PARAMS, Query, by_file, load
from harness import RAW, Answer, Prometheus, PromqlCli, RangeParams

QUERIES = load()
FILES = by_file(QUERIES)
SHOWN_CHARS = 1500


class AnswerBook:
    """Answers of one engine, computed a whole corpus file at a time and kept."""

    def __init__(self, engine: Prometheus | PromqlCli) -> None:
        self.engine = engine
        self.pages: dict[tuple[str, str], list[Answer]] = {}

    def instant(self, query: Query, at: str) -> Answer:
        return self._lookup(query, at, lambda exprs: self.engine.instant_many(exprs, at))

    def range(self, query: Query, params: RangeParams) -> Answer:
        return self._lookup(query, str(params), lambda exprs: self.engine.range_many(exprs, params))

    def _lookup(self, query: Query, when: str, ask: Callable[[list[str]], list[Answer]]) -> Answer:
        key = (query.file, when)
        if key not in self.pages:
            self.pages[key] = ask([q.expr for q in FILES[query.file]])
        return self.pages[key][FILES[query.file].index(query)]


@pytest.fixture(scope="session")
def oracle_answers(prometheus: Prometheus) -> AnswerBook:
    return AnswerBook(prometheus)


@pytest.fixture(scope="session")
def engine_answers(engine: Prometheus | PromqlCli) -> AnswerBook:
    return AnswerBook(engine)


def without_param_prefix(answer: Answer) -> str:
    """The error message without 'invalid parameter "query": ', which 2.42 puts
    before parse errors of instant queries only and Prometheus 3 before both."""
    return str(answer.get("error")).removeprefix('invalid parameter "query": ')


def shorten(answer: Answer) -> str:
    text = answer.get(RAW) or json.dumps(answer, ensure_ascii=False)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + f"... ({len(text)} chars)"


@pytest.mark.parametrize("mode", ["instant", "range"])
@pytest.mark.parametrize("query", QUERIES, ids=[q.id for q in QUERIES])
def test_differential(
    query: Query,
    mode: str,
    oracle_answers: AnswerBook,
    engine_answers: AnswerBook,
    score: Score,
) -> None:
    ordered = mode == "instant" and defines_order(query.expr)
    if mode == "instant":
        cases = [
            (f"time={at}", oracle_answers.instant(query, at), engine_answers.instant(query, at)) for at in INSTANT_TIMES
        ]
    else:
        cases = [(str(p), oracle_answers.range(query, p), engine_answers.range(query, p)) for p in RANGE_PARAMS]

    report = []
    for when, expected, actual in cases:
        problems = differences(expected, actual, ordered)
        score.answers += 1
        score.identical_text += expected.get(RAW) == actual.get(RAW)
        if expected.get("status") == "error" and actual.get("status") == "error":
            score.both_errored += 1
            score.same_message += expected.get("error") == actual.get("error")
            score.same_message_text += without_param_prefix(expected) == without_param_prefix(actual)
        if problems:
            report.append(
                f"--- {mode} {when}\n  "
                + "\n  ".join(problems)
                + f"\n  Prometheus: {shorten(expected)}\n  engine:     {shorten(actual)}"
            )
        elif expected.get("status") == "error" and without_param_prefix(expected) != without_param_prefix(actual):
            score.other_messages.setdefault(query.expr, (str(expected.get("error")), str(actual.get("error"))))
    if report:
        message = f"{query.expr}\n" + "\n".join(report)
        if query.expr in ALLOWED_DIFFERENCES:
            pytest.xfail(f"allow-listed: {ALLOWED_DIFFERENCES[query.expr]}\n{message}")
        score.disagreements.append((f"{query.id} {mode}", message))
        pytest.fail(message, pytrace=False)


def test_allow_list_entries_are_in_the_corpus() -> None:
    exprs = {q.expr for q in QUERIES}
    assert sorted(set(ALLOWED_DIFFERENCES) - exprs) == []
