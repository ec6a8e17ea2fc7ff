"""Range-query parameters that Prometheus's HTTP API itself checks.

The CLI prints "exactly the body Prometheus's HTTP API returns", so a range
whose end is before its start, a step that is not positive, or more than
11,000 points per series must give the API's error (compared by errorType,
like every error), and the edge cases just inside the limits must answer.
"""

from __future__ import annotations

import pytest

from compare import differences
from gen_data import T0
from harness import Prometheus, PromqlCli, RangeParams

CASES = {
    "end before start": RangeParams(f"{T0 + 3000}", f"{T0 + 2000}", "60"),
    "zero step": RangeParams(f"{T0 + 2000}", f"{T0 + 3000}", "0"),
    "negative step": RangeParams(f"{T0 + 2000}", f"{T0 + 3000}", "-5"),
    "11001 points": RangeParams(f"{T0}", f"{T0 + 11_000}", "1"),
    "11000 points": RangeParams(f"{T0}.5", f"{T0 + 10_999}.5", "1"),
    "start equals end": RangeParams(f"{T0 + 3000}.25", f"{T0 + 3000}.25", "60"),
    "sub-second step": RangeParams(f"{T0 + 3000}.05", f"{T0 + 3001}.05", "0.1"),
    "step as a duration": RangeParams(f"{T0}.25", f"{T0 + 7200}.25", "1h"),
    "step longer than the range": RangeParams(f"{T0}.25", f"{T0 + 600}.25", "1d"),
}


@pytest.mark.parametrize("params", CASES.values(), ids=CASES.keys())
def test_range_parameters(params: RangeParams, prometheus: Prometheus, engine: Prometheus | PromqlCli) -> None:
    expr = "count(up)"
    expected = prometheus.range(expr, params)
    actual = engine.range_many([expr], params)[0]
    problems = differences(expected, actual)
    assert not problems, f"{params}\n  " + "\n  ".join(problems) + f"\n  Prometheus: {expected}\n  engine: {actual}"
