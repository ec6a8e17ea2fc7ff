"""Comparing two answers of Prometheus's HTTP API (as parsed JSON).

`differences(expected, actual, ordered)` returns what differs, in words, and
an empty list when the answers agree:

* the status must be equal; two errors agree when their errorType is equal
  (the message texts may differ: they are shown, not compared);
* a success must have the same resultType, the same series (label sets),
  the same timestamps, and values equal within 1e-9 relative (1e-9 absolute
  near zero), NaN equal to NaN and infinities exact;
* a vector is compared in order only when `ordered` (the query's outermost
  operation sorts: sort, sort_desc, topk, bottomk), else as a set keyed by
  labels; samples with equal values may come in any order either way, since
  Prometheus's own sort is not stable; matrices are sets keyed by labels;
* every value the engine under test prints must be formatted exactly as
  Prometheus formats that float (see `prometheus_float`).

Warnings and infos (annotations) are not compared.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

REL_TOL = 1e-9
ABS_TOL = 1e-9
ORDERING_CALLS = ("sort", "sort_desc", "topk", "bottomk")
MAX_REPORTED = 8

Answer = dict[str, Any]
LabelKey = tuple[tuple[str, str], ...]


def parse_float(text: Any) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        return float(text)  # Python reads "NaN", "+Inf" and "-Inf" as Go writes them
    except ValueError:
        return None


def prometheus_float(value: float, scalar: bool = False) -> str:
    """`value` as Prometheus's JSON writes it: the shortest digits that read
    back exactly. A sample of a vector or matrix (util/jsonutil.MarshalFloat)
    is positional for 1e-6 <= |v| < 1e21 and zero, else has an exponent of at
    least two digits, as in "1.5e-07"; a scalar result (promql.Scalar's
    MarshalJSON, strconv.FormatFloat(v, 'f', -1, 64)) is always positional."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    digits, exponent = shortest_digits(abs(value))  # value = 0.digits * 10**exponent
    if scalar or value == 0 or 1e-6 <= abs(value) < 1e21:
        if exponent <= 0:
            return f"{sign}0.{'0' * -exponent}{digits}"
        if exponent >= len(digits):
            return f"{sign}{digits}{'0' * (exponent - len(digits))}"
        return f"{sign}{digits[:exponent]}.{digits[exponent:]}"
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    e = exponent - 1
    return f"{sign}{mantissa}e{'-' if e < 0 else '+'}{abs(e):02d}"


def shortest_digits(value: float) -> tuple[str, int]:
    """The shortest decimal digits that read back as `value` (Python's repr, like
    Go's strconv with precision -1), and the decimal point's position."""
    if value == 0:
        return "0", 1
    mantissa, _, exp = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    fraction = fraction.rstrip("0") if fraction != "0" else ""
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + (int(exp) if exp else 0)
    point -= len(whole + fraction) - len((whole + fraction).lstrip("0"))
    return digits.rstrip("0") or "0", point


def floats_equal(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def millis(timestamp: Any) -> int | None:
    if isinstance(timestamp, bool) or not isinstance(timestamp, (int, float)):
        return None
    return round(timestamp * 1000)


def label_key(metric: dict[str, str]) -> LabelKey:
    return tuple(sorted(metric.items()))


def show_labels(key: LabelKey) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in key) + "}"


def differences(expected: Answer, actual: Answer, ordered: bool = False) -> list[str]:
    """What differs between Prometheus's answer (`expected`) and ours (`actual`)."""
    problems: list[str] = []
    if actual.get("status") not in ("success", "error"):
        return [f"not an API answer: {actual}"]
    if expected.get("status") != actual.get("status"):
        return [f"status: Prometheus {expected.get('status')!r}, engine {actual.get('status')!r}"]
    if expected["status"] == "error":
        if expected.get("errorType") != actual.get("errorType"):
            problems.append(f"errorType: Prometheus {expected.get('errorType')!r}, engine {actual.get('errorType')!r}")
        return problems
    want, got = expected["data"], actual.get("data") or {}
    if want.get("resultType") != got.get("resultType"):
        return [f"resultType: Prometheus {want.get('resultType')!r}, engine {got.get('resultType')!r}"]
    kind = want["resultType"]
    if kind in ("scalar", "string"):
        compare_point(problems, "", want["result"], got.get("result"), kind)
    elif kind == "vector":
        compare_vector(problems, want["result"], got.get("result"), ordered)
    elif kind == "matrix":
        compare_matrix(problems, want["result"], got.get("result"))
    else:
        problems.append(f"unknown resultType {kind!r}")
    if len(problems) > MAX_REPORTED:
        problems[MAX_REPORTED:] = [f"... and {len(problems) - MAX_REPORTED} more differences"]
    return problems


def compare_point(problems: list[str], where: str, want: Any, got: Any, kind: str = "vector") -> None:
    if not (isinstance(got, list) and len(got) == 2):
        problems.append(f"{where}malformed point {got!r}")
        return
    if millis(want[0]) != millis(got[0]):
        problems.append(f"{where}timestamp: Prometheus {want[0]}, engine {got[0]}")
    if kind == "string":
        if want[1] != got[1]:
            problems.append(f"{where}string: Prometheus {want[1]!r}, engine {got[1]!r}")
        return
    compare_value(problems, where, want[1], got[1], scalar=kind == "scalar")


def compare_value(problems: list[str], where: str, want: str, got: Any, scalar: bool = False) -> None:
    want_f, got_f = parse_float(want), parse_float(got)
    if got_f is None or got != prometheus_float(got_f, scalar):
        formatted = "" if got_f is None else f" (Prometheus writes this float as {prometheus_float(got_f, scalar)!r})"
        problems.append(f"{where}value {got!r} is not formatted as Prometheus formats floats{formatted}")
    elif want_f is None or not floats_equal(want_f, got_f):
        problems.append(f"{where}value: Prometheus {want}, engine {got}")


def series_by_labels(problems: list[str], who: str, result: Any) -> dict[LabelKey, Any] | None:
    if not isinstance(result, list):
        problems.append(f"{who} result is not a list: {result!r}")
        return None
    table: dict[LabelKey, Any] = {}
    for item in result:
        key = label_key(item.get("metric", {}))
        if key in table:
            problems.append(f"{who} returns {show_labels(key)} twice")
        table[key] = item
    return table


def compare_labels(problems: list[str], want: dict[LabelKey, Any], got: dict[LabelKey, Any]) -> None:
    for key in want.keys() - got.keys():
        problems.append(f"missing series {show_labels(key)}")
    for key in got.keys() - want.keys():
        problems.append(f"extra series {show_labels(key)}")


def compare_vector(problems: list[str], want: list[Any], got: Any, ordered: bool) -> None:
    want_by, got_by = series_by_labels(problems, "Prometheus", want), series_by_labels(problems, "engine", got)
    if want_by is None or got_by is None:
        return
    compare_labels(problems, want_by, got_by)
    for key in want_by.keys() & got_by.keys():
        compare_point(problems, f"{show_labels(key)} ", want_by[key]["value"], got_by[key].get("value"))
    if ordered and not problems:
        compare_order(problems, want, got)


def compare_order(problems: list[str], want: Sequence[Any], got: Sequence[Any]) -> None:
    """Same order, except within runs of equal values (an unstable sort may swap those)."""
    for start, end in equal_value_runs(want):
        want_run = Counter(label_key(s["metric"]) for s in want[start:end])
        got_run = Counter(label_key(s["metric"]) for s in got[start:end])
        if want_run != got_run:
            order_w = ", ".join(show_labels(label_key(s["metric"])) for s in want)
            order_g = ", ".join(show_labels(label_key(s["metric"])) for s in got)
            problems.append(f"order: Prometheus [{order_w}], engine [{order_g}]")
            return


def equal_value_runs(samples: Sequence[Any]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(samples) + 1):
        if i == len(samples) or not same_value(samples[start]["value"][1], samples[i]["value"][1]):
            runs.append((start, i))
            start = i
    return runs


def same_value(a: str, b: str) -> bool:
    fa, fb = parse_float(a), parse_float(b)
    return fa is not None and fb is not None and floats_equal(fa, fb)


def compare_matrix(problems: list[str], want: list[Any], got: Any) -> None:
    want_by, got_by = series_by_labels(problems, "Prometheus", want), series_by_labels(problems, "engine", got)
    if want_by is None or got_by is None:
        return
    compare_labels(problems, want_by, got_by)
    for key in sorted(want_by.keys() & got_by.keys()):
        want_points, got_points = want_by[key]["values"], got_by[key].get("values")
        if not isinstance(got_points, list):
            problems.append(f"{show_labels(key)} values is not a list")
            continue
        want_t = [millis(p[0]) for p in want_points]
        got_t = [millis(p[0]) if isinstance(p, list) and p else None for p in got_points]
        if want_t != got_t:
            only_w = sorted(set(want_t) - set(got_t))[:5]
            only_g = sorted(set(got_t) - set(want_t), key=lambda t: t or 0)[:5]
            problems.append(
                f"{show_labels(key)} timestamps: {len(want_t)} from Prometheus, {len(got_t)} from engine; "
                f"only Prometheus has {only_w}, only the engine has {only_g} (ms)"
            )
            continue
        for w, g in zip(want_points, got_points):
            compare_point(problems, f"{show_labels(key)} at {w[0]}: ", w, g)


def defines_order(expr: str) -> bool:
    """True when the outermost operation of `expr` is sort, sort_desc, topk or bottomk."""
    expr = strip_outer_parens(expr.strip())
    match = re.match(r"(\w+)\s*", expr)
    if not match or match.group(1) not in ORDERING_CALLS:
        return False
    rest = expr[match.end() :]
    grouping = re.match(r"(by|without)\s*\([^)]*\)\s*", rest)
    if grouping:  # topk by (x) (k, v)
        rest = rest[grouping.end() :]
    if not rest.startswith("("):
        return False
    close = matching_paren(rest, 0)
    if close is None:
        return False
    tail = rest[close + 1 :].strip()
    return tail == "" or re.fullmatch(r"(by|without)\s*\([^)]*\)", tail) is not None


def strip_outer_parens(expr: str) -> str:
    while expr.startswith("(") and matching_paren(expr, 0) == len(expr) - 1:
        expr = expr[1:-1].strip()
    return expr


def matching_paren(text: str, open_at: int) -> int | None:
    """Index of the parenthesis closing the one at `open_at`, skipping quoted strings."""
    depth = 0
    i = open_at
    while i < len(text):
        c = text[i]
        if c in "\"'`":
            i += 1
            while i < len(text) and text[i] != c:
                i += 2 if c != "`" and text[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None
