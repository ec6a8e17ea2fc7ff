"""The query corpus (queries/*.promql) and the times it is evaluated at.

One query per line; blank lines and lines starting with `#` are comments.
Every query is asked as an instant query at each of INSTANT_TIMES and as a
range query with each of RANGE_PARAMS.

All times end in .25 or .75 s and every step is a whole or half second, so no
evaluation time, window edge or subquery step falls on a sample (their
timestamps are never a multiple of 50 ms, see gen_data.py) or on a subquery
step's multiple: Prometheus 2.42's closed windows and Prometheus 3's left-open
ones then see the same samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gen_data import T0
from harness import RangeParams

QUERY_DIR = Path(__file__).resolve().parent / "queries"

INSTANT_TIMES = [
    f"{T0 + 200}.25",  # 3 minutes of data: most windows reach before the first sample
    f"{T0 + 2999}.75",  # all targets up but batch-0 (and api-1 restarted at 50 min)
    f"{T0 + 4650}.25",  # web-2 silent for 7.5 minutes (lookback exhausted), batch-0 gone
    f"{T0 + 7380}.75",  # 3 minutes after the last scrape; web-0 gone for 13 minutes
]

RANGE_PARAMS = [
    RangeParams(f"{T0}.25", f"{T0 + 7500}.25", "60"),  # everything and past the end
    RangeParams(f"{T0 + 1000}.75", f"{T0 + 4000}.25", "37"),  # step divides neither range nor start
    RangeParams(f"{T0 - 600}.75", f"{T0 + 900}.25", "45"),  # starts before the first sample
    RangeParams(f"{T0 + 3500}.75", f"{T0 + 5100}.75", "2m"),  # node_info overlap, web-2 and batch-0 gaps
    RangeParams(f"{T0 + 6800}.25", f"{T0 + 7999}.75", "41.5"),  # fractional step, runs past the data
]


@dataclass(frozen=True)
class Query:
    file: str  # file name without .promql
    line: int
    expr: str

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}"


def load(directory: Path = QUERY_DIR) -> list[Query]:
    queries = []
    for path in sorted(directory.glob("*.promql")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if text.strip() and not text.lstrip().startswith("#"):
                queries.append(Query(path.stem, number, text))
    return queries


def by_file(queries: list[Query]) -> dict[str, list[Query]]:
    files: dict[str, list[Query]] = {}
    for query in queries:
        files.setdefault(query.file, []).append(query)
    return files
