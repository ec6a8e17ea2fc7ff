"""Writes queries/fuzz.promql: mutants of the corpus's valid queries.

    python3 gen_fuzz.py            # rewrite queries/fuzz.promql (seeded: the same file every time)

Each mutant is a corpus query with one or two small edits: a character
deleted, doubled or swapped with its neighbour, the query cut short, or a
token from PromQL's vocabulary inserted. Most no longer parse, so they compare
the engine's errors (and their errorType) with Prometheus's; the ones that
still parse compare like any other query.

Mutants on which Prometheus 3 and 2.42 are known to differ are not written
(see `differs_in_prometheus_3`): a bare number where a duration goes, a
duration where a number goes, underscores in numbers, quoted label names.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

from corpus import QUERY_DIR, load

SEED = 7
COUNT = 250
SOURCE_FILES = {"errors", "v3_differences", "fuzz"}
TOKENS = [
    "(", ")", "[", "]", "{", "}", ",", '"', "'", "`", ":", "@", " offset ", " by ", " without ",
    " bool ", " on() ", " ignoring(job) ", " group_left ", " and ", " or ", " unless ", "5m", "1m:",
    "-", "+", "*", "/", "%", "^", "==", "!=", "=~", "!~", "<", ">=", "sum", "rate", "start()",
    "\\", "NaN", "Inf", "0x", "1e", ".", "#", "$", "~", "!", "=",
]  # fmt: skip
DURATION = re.compile(r"(?<![\w.])(\d+(ms|s|m|h|d|w|y))+\b")
NUMBER_AS_DURATION = re.compile(r"(\[|:|\boffset)\s*-?\s*[\d.]+(?![\d.]*(ms|s|m|h|d|w|y))(?=\s*[\]:)\s]|\s*$)")


def differs_in_prometheus_3(expr: str) -> bool:
    """Syntax that Prometheus 3 accepts and 2.42 rejects (or reads otherwise),
    and subqueries in subqueries, whose inner windows may start on a step
    (left-open in 3, closed in 2.42) once a mutation changes a duration."""
    if len(re.findall(r"\[[^\]]*:[^\]]*\]", expr)) > 1:
        return True
    if re.search(r"\d_\d", expr):
        return True  # 1_000
    if any(re.search(r"(^|,)\s*[\"'`]", inside) for inside in re.findall(r"\{([^{}]*)\}?", expr)):
        return True  # {"name"} and quoted label names
    if NUMBER_AS_DURATION.search(expr):
        return True  # x[300], x[5m:60], offset 60
    for match in DURATION.finditer(expr):
        if not re.search(r"(\[|:|\boffset)\s*-?\s*$", expr[: match.start()]):
            return True  # a duration used as a number
    return False


def mutate(rng: random.Random, expr: str) -> str:
    for _ in range(rng.choice((1, 1, 2))):
        if not expr:
            break
        i = rng.randrange(len(expr))
        kind = rng.randrange(5)
        if kind == 0:
            expr = expr[:i] + expr[i + 1 :]
        elif kind == 1:
            expr = expr[:i] + expr[i] + expr[i:]
        elif kind == 2 and i + 1 < len(expr):
            expr = expr[:i] + expr[i + 1] + expr[i] + expr[i + 2 :]
        elif kind == 3:
            expr = expr[: max(1, i)]
        else:
            expr = expr[:i] + rng.choice(TOKENS) + expr[i:]
    return expr.strip()


def generate() -> list[str]:
    rng = random.Random(SEED)
    sources = [q.expr for q in load(QUERY_DIR) if q.file not in SOURCE_FILES]
    seen = set(sources)
    mutants: list[str] = []
    while len(mutants) < COUNT:
        mutant = mutate(rng, rng.choice(sources))
        if not mutant or mutant.startswith("#") or mutant in seen or differs_in_prometheus_3(mutant):
            continue
        seen.add(mutant)
        mutants.append(mutant)
    return mutants


def main() -> int:
    out = QUERY_DIR / "fuzz.promql"
    header = "# Mutants of the corpus's queries, written by gen_fuzz.py (do not edit by hand).\n"
    out.write_text(header + "".join(m + "\n" for m in generate()), encoding="utf-8")
    print(f"gen_fuzz: {COUNT} queries in {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
