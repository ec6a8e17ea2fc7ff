"""The comparison rules themselves, on hand-made answers: a harness that
let every difference through would make the differential score meaningless."""

from __future__ import annotations

import pytest

from compare import defines_order, differences, prometheus_float


def vector(*samples: tuple[dict[str, str], str], t: float = 100.0) -> dict:
    result = [{"metric": m, "value": [t, v]} for m, v in samples]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


def matrix(*series: tuple[dict[str, str], list[tuple[float, str]]]) -> dict:
    result = [{"metric": m, "values": [[t, v] for t, v in points]} for m, points in series]
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


def error(kind: str, message: str = "boom") -> dict:
    return {"status": "error", "errorType": kind, "error": message}


A, B, C = {"i": "a"}, {"i": "b"}, {"i": "c"}


@pytest.mark.parametrize(
    ("want", "got"),
    [
        ("1", "1.0000000001"),  # within 1e-9 relative
        ("1e-12", "0"),  # within 1e-9 absolute near zero
        ("NaN", "NaN"),
        ("+Inf", "+Inf"),
        ("123456789", "123456789.00001"),
    ],
)
def test_values_that_agree(want: str, got: str) -> None:
    assert differences(vector((A, want)), vector((A, got))) == []


@pytest.mark.parametrize(
    ("want", "got"),
    [("1", "1.00001"), ("NaN", "0"), ("0", "NaN"), ("+Inf", "-Inf"), ("+Inf", "1e+308"), ("2", "3")],
)
def test_values_that_differ(want: str, got: str) -> None:
    assert differences(vector((A, want)), vector((A, got)))


@pytest.mark.parametrize("got", ["1.0", "1e0", "0.0000001", "+1", "inf", "nan", "Infinity", 1])
def test_values_must_be_formatted_as_prometheus_does(got: object) -> None:
    want = "1" if got not in ("0.0000001", "inf", "nan", "Infinity") else "1e-07"
    assert differences(vector((A, want)), vector((A, got))) != []


@pytest.mark.parametrize(
    ("value", "sample", "scalar"),
    [
        (0.0, "0", "0"),
        (-0.0, "-0", "-0"),
        (1.5e-7, "1.5e-07", "0.00000015"),
        (1e-6, "0.000001", "0.000001"),
        (1e21, "1e+21", "1000000000000000000000"),
        (123.456, "123.456", "123.456"),
        (2.0**63, "9223372036854776000", "9223372036854776000"),  # shortest digits, then zeros
        (5e-324, "5e-324", "0." + "0" * 323 + "5"),
    ],
)
def test_prometheus_float(value: float, sample: str, scalar: str) -> None:
    assert prometheus_float(value) == sample
    assert prometheus_float(value, scalar=True) == scalar


def test_series_are_matched_by_labels_not_position() -> None:
    assert differences(vector((A, "1"), (B, "2")), vector((B, "2"), (A, "1"))) == []
    assert differences(vector((A, "1")), vector((A, "1"), (B, "2"))) == ['extra series {i="b"}']
    assert differences(vector((A, "1"), (B, "2")), vector((A, "1"))) == ['missing series {i="b"}']


def test_order_counts_only_when_the_query_sorts() -> None:
    want = vector((A, "3"), (B, "2"), (C, "1"))
    got = vector((C, "1"), (B, "2"), (A, "3"))
    assert differences(want, got, ordered=False) == []
    assert differences(want, got, ordered=True)[0].startswith("order:")


def test_equal_values_may_come_in_any_order() -> None:
    want = vector((A, "3"), (B, "1"), (C, "1"))
    assert differences(want, vector((A, "3"), (C, "1"), (B, "1")), ordered=True) == []


def test_matrices() -> None:
    want = matrix((A, [(1.0, "1"), (2.5, "NaN")]), (B, [(1.0, "2")]))
    assert differences(want, matrix((B, [(1.0, "2")]), (A, [(1.0, "1"), (2.5, "NaN")]))) == []
    assert differences(want, matrix((A, [(1.0, "1")]), (B, [(1.0, "2")])))  # a point is missing
    assert differences(want, matrix((A, [(1.0, "1"), (2.0, "NaN")]), (B, [(1.0, "2")])))  # timestamp


def test_scalars_and_strings() -> None:
    scalar = {"status": "success", "data": {"resultType": "scalar", "result": [1.5, "0.00000015"]}}
    assert differences(scalar, scalar) == []
    string = {"status": "success", "data": {"resultType": "string", "result": [1.5, "a\tb"]}}
    other = {"status": "success", "data": {"resultType": "string", "result": [1.5, "a b"]}}
    assert differences(string, other) != []
    assert differences(scalar, string) == ["resultType: Prometheus 'scalar', engine 'string'"]


def test_errors_compare_by_type_only() -> None:
    assert differences(error("bad_data", "1:1: parse error: x"), error("bad_data", "other words")) == []
    assert differences(error("bad_data"), error("execution")) != []
    assert differences(error("bad_data"), vector()) != []
    assert differences(vector(), error("bad_data")) != []
    assert differences(vector(), {"status": "unparsable", "error": "x"}) != []


@pytest.mark.parametrize(
    ("expr", "ordered"),
    [
        ("sort(up)", True),
        (" ( sort_desc(rate(x[5m])) ) ", True),
        ("topk(3, x)", True),
        ("topk by (job) (3, x)", True),
        ("bottomk(3, x) by (job)", True),
        ("sort(x) + 1", False),
        ("sum(sort(x))", False),
        ("sort(x) or sort(y)", False),
        ('sort(label_replace(x, "a", ")", "b", "("))', True),
        ("sorted_metric", False),
        ("up", False),
    ],
)
def test_defines_order(expr: str, ordered: bool) -> None:
    assert defines_order(expr) == ordered
