//! Grafana's side of a panel's query, as its Prometheus data source sends
//! it (`pkg/promlib/models/query.go`, `intervalv2`, the SDK's `gtime`):
//! the interval and step for the panel's time range and width, the
//! built-in variables substituted into the expression, the range aligned
//! to the step, and the legend of each series.
//!
//! - `$__interval`: the time range divided by the panel's max data points
//!   (its width in pixels unless set), rounded to a "nice" interval, at
//!   least the min interval (the data source's scrape interval).
//! - The step: that interval, at least the range divided by 11 000.
//! - `$__rate_interval`: max(`$__interval` + scrape interval, 4 × scrape
//!   interval), so a `rate()` window always holds enough samples.
//! - `$__range`, `$__range_s`, `$__range_ms`: the time range.
//!
//! ```
//! use playground_core::grafana::QueryContext;
//!
//! // 15 minutes on a 600 px wide panel, scraped every 10 s.
//! let context = QueryContext {
//!     range_ms: 15 * 60_000,
//!     max_data_points: 600,
//!     scrape_interval_ms: 10_000,
//!     min_interval_ms: None,
//! };
//! assert_eq!(
//!     context.substitute("rate(x[$__rate_interval]) / $__range_s"),
//!     "rate(x[40s]) / 900"
//! );
//! assert_eq!(context.step_ms(), 10_000);
//! ```

use tinyprom::labels::{Labels, METRIC_NAME};
use tinyprom::promql::format_go_duration;

/// Grafana's cap on points per series (Prometheus refuses more than
/// 11 000): the step is at least the range divided by this.
pub const SAFE_RESOLUTION: i64 = 11_000;

/// What Grafana knows when it sends a panel's query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryContext {
    /// The dashboard's time range (`to - from`), in milliseconds.
    pub range_ms: i64,
    /// The panel's `maxDataPoints`, or its width in pixels.
    pub max_data_points: i64,
    /// The data source's scrape interval (its `timeInterval`), in
    /// milliseconds.
    pub scrape_interval_ms: i64,
    /// The panel's min interval (its `interval`), if set: the floor of
    /// `$__interval` instead of the scrape interval (`$__rate_interval`
    /// still counts scrapes).
    pub min_interval_ms: Option<i64>,
}

impl QueryContext {
    fn low_limit_ms(&self) -> i64 {
        self.min_interval_ms
            .unwrap_or(self.scrape_interval_ms)
            .max(1)
    }

    /// The interval the dashboard computes (`intervalMs`): the range over
    /// the max data points, rounded, at least the min interval.
    pub fn interval_ms(&self) -> i64 {
        let raw = self.range_ms / self.max_data_points.max(1);
        round_interval(raw).max(self.low_limit_ms())
    }

    /// The step of the range query, which `$__interval` prints: the
    /// interval, recomputed by the data source from the raw division (so
    /// it is rounded again unless the min interval wins), and at least the
    /// range over [`SAFE_RESOLUTION`].
    pub fn step_ms(&self) -> i64 {
        let min_interval = self.interval_ms();
        let raw = self.range_ms / self.max_data_points.max(1);
        let calculated = if raw < min_interval {
            min_interval
        } else {
            round_interval(raw)
        };
        calculated.max(round_interval(self.range_ms / SAFE_RESOLUTION))
    }

    /// `$__rate_interval`: max(interval + scrape interval, 4 × scrape
    /// interval).
    pub fn rate_interval_ms(&self) -> i64 {
        let scrape = self.scrape_interval_ms.max(1);
        (self.interval_ms() + scrape).max(4 * scrape)
    }

    /// `expr` with Grafana's built-in variables replaced, in Grafana's
    /// order (`$__interval_ms` before `$__interval`, …), both the `$name`
    /// and `${name}` forms. Other `$` variables are left as they are.
    pub fn substitute(&self, expr: &str) -> String {
        let step = self.step_ms();
        let range_s = (self.range_ms as f64 / 1000.0).round() as i64;
        let rate = self.rate_interval_ms();
        let values = [
            ("__interval_ms", step.to_string()),
            ("__interval", format_interval(step)),
            ("__range_ms", self.range_ms.to_string()),
            ("__range_s", range_s.to_string()),
            ("__range", format!("{range_s}s")),
            ("__rate_interval_ms", rate.to_string()),
            ("__rate_interval", format_go_duration(rate)),
        ];
        let mut out = expr.to_owned();
        for braces in [false, true] {
            for (name, value) in &values {
                let variable = if braces {
                    format!("${{{name}}}")
                } else {
                    format!("${name}")
                };
                out = out.replace(&variable, value);
            }
        }
        out
    }

    /// `start` and `end` rounded down to multiples of the step, as the data
    /// source aligns a range query.
    pub fn aligned_range(&self, start_ms: i64, end_ms: i64) -> (i64, i64) {
        let step = self.step_ms().max(1);
        (
            start_ms - start_ms.rem_euclid(step),
            end_ms - end_ms.rem_euclid(step),
        )
    }
}

/// Grafana's `RoundInterval`: a lower, rounder interval for a computed one
/// (both in milliseconds): 1ms … 500ms, 1s, 2s, 5s, 10s, 15s, 20s, 30s, 1m,
/// 2m, 5m, 10m, 15m, 20m, 30m, 1h, 2h, 3h, 6h, 12h, 1d, 1w, 30d, 1y.
pub fn round_interval(ms: i64) -> i64 {
    const SECOND: i64 = 1000;
    const MINUTE: i64 = 60 * SECOND;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    // (up to and including this, round to that)
    const STEPS: [(i64, i64); 29] = [
        (10, 1),
        (15, 10),
        (35, 20),
        (75, 50),
        (150, 100),
        (350, 200),
        (750, 500),
        (1500, SECOND),
        (3500, 2 * SECOND),
        (7500, 5 * SECOND),
        (12_500, 10 * SECOND),
        (17_500, 15 * SECOND),
        (25_000, 20 * SECOND),
        (45_000, 30 * SECOND),
        (90_000, MINUTE),
        (210_000, 2 * MINUTE),
        (450_000, 5 * MINUTE),
        (750_000, 10 * MINUTE),
        (1_050_000, 15 * MINUTE),
        (1_500_000, 20 * MINUTE),
        (2_700_000, 30 * MINUTE),
        (5_400_000, HOUR),
        (9_000_000, 2 * HOUR),
        (16_200_000, 3 * HOUR),
        (32_400_000, 6 * HOUR),
        (86_400_000, 12 * HOUR),
        (604_800_000, DAY),
        (1_814_400_000, 7 * DAY),
        (3_628_799_999, 30 * DAY),
    ];
    STEPS
        .iter()
        .find(|(limit, _)| ms <= *limit)
        .map_or(365 * DAY, |(_, rounded)| *rounded)
}

/// Grafana's `FormatInterval`: the largest whole unit (`1y`, `2d`, `3h`,
/// `15m`, `30s`, `500ms`).
pub fn format_interval(ms: i64) -> String {
    const UNITS: [(&str, i64); 6] = [
        ("y", 365 * 86_400_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
        ("ms", 1),
    ];
    UNITS.iter().find(|(_, length)| ms >= *length).map_or_else(
        || "1ms".to_owned(),
        |(unit, length)| format!("{}{unit}", ms / length),
    )
}

/// A series' name in the legend, as the data source names it: the legend
/// format with each `{{ label }}` replaced by the label's value (empty when
/// the series has no such label); without a format, `name{a="b", …}`; the
/// expression when that would be `{}`.
pub fn legend(format: &str, labels: &Labels, expr: &str) -> String {
    let text = if format.is_empty() {
        let name = labels.metric_name().unwrap_or("");
        let others: Vec<String> = labels
            .iter()
            .filter(|label| label.name != METRIC_NAME)
            .map(|label| {
                let mut quoted = String::new();
                tinyprom::labels::push_quoted(&mut quoted, &label.value);
                format!("{}={quoted}", label.name)
            })
            .collect();
        match (name.is_empty(), others.is_empty()) {
            (_, false) => format!("{name}{{{}}}", others.join(", ")),
            (false, true) => name.to_owned(),
            (true, true) => "{}".to_owned(),
        }
    } else {
        let mut out = String::new();
        let mut rest = format;
        while let Some(open) = rest.find("{{") {
            let Some(close) = rest[open + 2..].find("}}") else {
                break;
            };
            let name = rest[open + 2..open + 2 + close].trim();
            if name.is_empty() {
                // Grafana's pattern needs at least one character inside.
                out.push_str(&rest[..open + 2]);
                rest = &rest[open + 2..];
                continue;
            }
            out.push_str(&rest[..open]);
            out.push_str(labels.get(name).unwrap_or(""));
            rest = &rest[open + 2 + close + 2..];
        }
        out.push_str(rest);
        out
    };
    if text == "{}" {
        expr.to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = 1000;
    const MINUTE: i64 = 60 * SECOND;

    /// (range, max data points, scrape interval) →
    /// ($__interval, step, $__rate_interval).
    fn check_intervals(range_ms: i64, points: i64, scrape_ms: i64, expect: (&str, i64, &str)) {
        let context = QueryContext {
            range_ms,
            max_data_points: points,
            scrape_interval_ms: scrape_ms,
            min_interval_ms: None,
        };
        let got = (
            context.substitute("$__interval"),
            context.step_ms(),
            context.substitute("$__rate_interval"),
        );
        assert_eq!(
            got,
            (expect.0.to_owned(), expect.1, expect.2.to_owned()),
            "range {range_ms} ms, {points} points, scrape {scrape_ms} ms"
        );
    }

    #[test]
    fn intervals_follow_grafana() {
        // The dashboard's default: 15 minutes, a wide panel, 10 s scrapes:
        // the scrape interval is the floor; rate windows are 4 scrapes.
        check_intervals(15 * MINUTE, 1200, 10 * SECOND, ("10s", 10 * SECOND, "40s"));
        // A narrow panel: 900 s / 60 points = 15 s.
        check_intervals(15 * MINUTE, 60, 10 * SECOND, ("15s", 15 * SECOND, "40s"));
        // An hour on 300 px: 12 s rounds to 10 s ... the floor is the scrape.
        check_intervals(60 * MINUTE, 300, 10 * SECOND, ("10s", 10 * SECOND, "40s"));
        // Six hours on 300 px: 72 s rounds to 1m; rate = 1m + 10s.
        check_intervals(360 * MINUTE, 300, 10 * SECOND, ("1m", MINUTE, "1m10s"));
        // Fast scrapes: 1 s; 15 minutes on 600 px is 1.5 s, rounded to 1 s.
        check_intervals(15 * MINUTE, 600, SECOND, ("1s", SECOND, "4s"));
        // 5 minutes on 100 px at 1 s scrapes: 3 s rounds to 2 s.
        check_intervals(5 * MINUTE, 100, SECOND, ("2s", 2 * SECOND, "4s"));
        // A day on 100 px at 1 s: 864 s rounds to 15m; rate = 15m1s.
        check_intervals(1440 * MINUTE, 100, SECOND, ("15m", 15 * MINUTE, "15m1s"));
        // The safe resolution: 30 days on 20 000 points is 129.6 s (2m),
        // but 30 d / 11 000 = 235.6 s rounds to 5m, and wins for the step
        // (which $__interval prints); $__rate_interval keeps the 2m.
        check_intervals(
            30 * 1440 * MINUTE,
            20_000,
            SECOND,
            ("5m", 5 * MINUTE, "2m1s"),
        );
        // A minute scrape interval (Prometheus's default).
        check_intervals(15 * MINUTE, 1200, MINUTE, ("1m", MINUTE, "4m0s"));
    }

    #[test]
    fn rounds_and_formats_intervals_as_grafana() {
        for (ms, rounded, text) in [
            (1, 1, "1ms"),
            (12, 10, "10ms"),
            (700, 500, "500ms"),
            (1500, 1000, "1s"),
            (1501, 2000, "2s"),
            (13_000, 15_000, "15s"),
            (100_000, 120_000, "2m"),
            (4_000_000, 3_600_000, "1h"),
            (100_000_000, 86_400_000, "1d"),
            (1_000_000_000, 604_800_000, "7d"),
            (3_000_000_000, 2_592_000_000, "30d"),
            (4_000_000_000, 31_536_000_000, "1y"),
        ] {
            assert_eq!(round_interval(ms), rounded, "{ms}");
            assert_eq!(format_interval(rounded), text, "{rounded}");
        }
    }

    #[test]
    fn substitutes_every_built_in_variable_in_both_forms() {
        let context = QueryContext {
            range_ms: 3_600_500,
            max_data_points: 360,
            scrape_interval_ms: 10 * SECOND,
            min_interval_ms: None,
        };
        assert_eq!(
            context.substitute(
                "$__interval $__interval_ms $__range $__range_s $__range_ms \
                 $__rate_interval $__rate_interval_ms ${__interval} ${__rate_interval} ${__range_s} $other"
            ),
            "10s 10000 3601s 3601 3600500 40s 40000 10s 40s 3601 $other"
        );
        // A min interval on the panel raises $__interval (and with it
        // $__rate_interval).
        let slow = QueryContext {
            min_interval_ms: Some(30 * SECOND),
            ..context
        };
        assert_eq!(
            slow.substitute("[$__rate_interval] $__interval"),
            "[40s] 30s"
        );
        let slower = QueryContext {
            min_interval_ms: Some(45 * SECOND),
            ..context
        };
        assert_eq!(
            slower.substitute("[$__rate_interval] $__interval"),
            "[55s] 45s"
        );
        assert_eq!(slow.aligned_range(95_000, 3_695_000), (90_000, 3_690_000));
    }

    #[test]
    fn legends_as_the_data_source_writes_them() {
        let labels = Labels::with_name(
            "requests_total",
            [("endpoint", "/upstream"), ("status", "503")],
        );
        for (format, expect) in [
            ("{{endpoint}} {{status}}", "/upstream 503"),
            ("{{ endpoint }}", "/upstream"),
            ("{{missing}}!", "!"),
            ("p90", "p90"),
            ("{{}} {{status}}", "{{}} 503"),
            ("", "requests_total{endpoint=\"/upstream\", status=\"503\"}"),
        ] {
            assert_eq!(legend(format, &labels, "expr"), expect, "{format:?}");
        }
        assert_eq!(legend("", &Labels::empty(), "sum(x)"), "sum(x)");
        assert_eq!(
            legend("", &Labels::with_name("up", [("a", ""); 0]), "up"),
            "up"
        );
    }
}
