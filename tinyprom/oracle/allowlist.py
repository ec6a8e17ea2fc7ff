"""Known, intended differences between Prometheus 2.42 (the oracle here) and
Prometheus 3, which our engine follows. A query listed here may disagree with
2.42 without failing the suite (its test is reported as xfailed, with the
reason); it still passes if the answers happen to agree.

Keep this short: a query belongs here only when Prometheus 3's answer is known
to differ from 2.42's, with the reason. Functions 2.42 lacks altogether
(sort_by_label, sort_by_label_desc, mad_over_time, first_over_time, limitk,
limit_ratio, ...) are not in the differential corpus at all: there is nothing
to compare them with, and the engine's own tests cover them with hand-computed
cases.
"""

ALLOWED_DIFFERENCES: dict[str, str] = {
    # Prometheus 3 (#14941) starts each stddev/stdvar group at NaN when its
    # first sample is NaN or +-Inf; 2.42 starts at 0, so a group of one
    # NaN or infinite sample gives 0 in 2.42 and NaN in 3.
    "stdvar by (sensor) (sensor_reading)": "3.x: stdvar of a lone NaN/Inf sample is NaN, 2.42 says 0",
    # Where a window starts before a counter's first sample, Prometheus 3
    # (#13725) extrapolates towards the start by at most half the average
    # sample interval, even when the counter's zero point is further back;
    # 2.42 extrapolated to the zero point if it lay within 1.1 intervals.
    # late_counter_total starts at 1 and grows by 1 a scrape: its zero point
    # is one interval (15 s) before its first sample, 3 extrapolates 7.5 s.
    "increase(late_counter_total[5m] @ 1700003100)": "3.x extrapolates a new counter by half an interval (#13725)",
    "rate(late_counter_total[5m])": "3.x extrapolates a new counter by half an interval (#13725)",
    # Prometheus 3 reads a bare number or duration wherever the other is
    # expected (#9138); 2.42 rejects both.
    "1h30m": "3.x: a duration is a number literal (5400); 2.42: parse error",
    "vector(5m)": "3.x: a duration is a number literal (300); 2.42: parse error",
    "rate(http_requests_total[300])": "3.x: a number is a range in seconds; 2.42: parse error",
    # Prometheus 3 accepts underscores between digits (#12821).
    "1_000 + 0": "3.x: 1_000 is 1000; 2.42: parse error",
    # Prometheus 3 allows any UTF-8 label name and quoted names in selectors.
    'count_values("a-b", up)': '3.x: "a-b" is a valid label name; 2.42: invalid label name',
    'label_replace(up, "1dst", "$1", "instance", "(.*)")': "3.x: any UTF-8 destination label name is valid",
    '{"up"}': '3.x: {"up"} selects the metric up; 2.42: parse error',
    'up{"job"="api"}': "3.x: quoted label names in matchers; 2.42: parse error",
    # Prometheus 3 returns nothing as soon as every k is below 1, before any
    # range check (rangeEvalAgg); 2.42 checked the int64 range first.
    "topk(-1e20, up)": "3.x: k < 1 gives an empty result; 2.42: 'Scalar value -1e+20 overflows int64'",
    # atan2 changes what the value means, so Prometheus 3 drops the metric
    # name (changesMetricSchema lists ATAN2); 2.42 kept it.
    "2 atan2 sensor_reading": "3.x drops __name__ for atan2; 2.42 keeps it",
    "sensor_reading atan2 2": "3.x drops __name__ for atan2; 2.42 keeps it",
    # A date of NaN or an infinity: Go converts them to an int64 in a way
    # that depends on the CPU (MinInt64 on amd64, saturation on arm64) and
    # time.Unix then overflows, in a way that changed with Go 1.23's new
    # calendar code. There is no meaningful answer to copy; the engine gives
    # the calendar date of MinInt64 seconds.
    "month(vector(NaN))": "the date of NaN is CPU- and Go-version-specific in Prometheus",
    "minute(vector(Inf))": "the date of +Inf is CPU- and Go-version-specific in Prometheus",
    "year(sensor_reading)": "sensor_reading has a NaN sample: its date is CPU- and Go-version-specific",
}
