//! PromQL's `rate()` over the samples of a [`SeriesStore`](crate::series::SeriesStore),
//! with Prometheus's semantics.
//!
//! For an evaluation time `t` and a range `r`, `rate(x[r])` looks at the
//! samples with a timestamp in `(t - r, t]` (left-open, as in Prometheus 3)
//! and needs at least two of them. It takes the increase between the first
//! and the last sample, adding back the value before every drop (a drop means
//! the counter was reset, e.g. the process restarted). It then extrapolates
//! that increase towards the window's edges, because samples rarely sit
//! exactly on them:
//!
//! - an edge is extrapolated to all the way when the gap to it is less than
//!   1.1 times the average interval between the samples, otherwise only by
//!   half an average interval (the series probably starts or ends in the
//!   window);
//! - at the start, never further back than where a counter would have been
//!   zero, since counters are never negative.
//!
//! The result is divided by the range in seconds.

use crate::series::Point;

/// Samples of `points` (sorted by time) that `rate(x[range_ms])` evaluated at
/// `at_ms` looks at: those in `(at_ms - range_ms, at_ms]`.
pub fn window(points: &[Point], at_ms: i64, range_ms: i64) -> &[Point] {
    let start = points.partition_point(|p| p.t_ms <= at_ms - range_ms);
    let end = points.partition_point(|p| p.t_ms <= at_ms);
    &points[start..end.max(start)]
}

/// `rate(x[range_ms])` at `at_ms`, in units per second; `None` when the
/// window holds fewer than two samples (Prometheus returns no value then).
pub fn rate(points: &[Point], at_ms: i64, range_ms: i64) -> Option<f64> {
    extrapolated_increase(window(points, at_ms, range_ms), at_ms, range_ms, true)
}

/// `increase(x[range_ms])` at `at_ms`: the extrapolated increase, not divided
/// by the range.
pub fn increase(points: &[Point], at_ms: i64, range_ms: i64) -> Option<f64> {
    extrapolated_increase(window(points, at_ms, range_ms), at_ms, range_ms, false)
}

/// The shared core of `rate` and `increase` for counters, over the samples
/// already selected for the window ending at `range_end_ms`.
fn extrapolated_increase(
    samples: &[Point],
    range_end_ms: i64,
    range_ms: i64,
    per_second: bool,
) -> Option<f64> {
    let (first, last) = match samples {
        [first, .., last] => (first, last),
        _ => return None,
    };
    if range_ms <= 0 {
        return None;
    }
    let range_start_ms = range_end_ms - range_ms;

    let mut increase = last.value - first.value;
    for pair in samples.windows(2) {
        if pair[1].value < pair[0].value {
            // A reset: the counter restarted from zero, so everything it had
            // counted before the drop is part of the increase.
            increase += pair[0].value;
        }
    }

    let seconds = |ms: i64| ms as f64 / 1000.0;
    let sampled_interval = seconds(last.t_ms - first.t_ms);
    let average_gap = sampled_interval / (samples.len() - 1) as f64;
    let threshold = average_gap * 1.1;

    let mut to_start = seconds(first.t_ms - range_start_ms);
    if to_start >= threshold {
        to_start = average_gap / 2.0;
    }
    if increase > 0.0 && first.value >= 0.0 {
        let to_zero = sampled_interval * (first.value / increase);
        if to_zero < to_start {
            to_start = to_zero;
        }
    }
    let mut to_end = seconds(range_end_ms - last.t_ms);
    if to_end >= threshold {
        to_end = average_gap / 2.0;
    }

    let mut factor = (sampled_interval + to_start + to_end) / sampled_interval;
    if per_second {
        factor /= seconds(range_ms);
    }
    Some(increase * factor)
}

/// `rate(x[range_ms])` evaluated at `start_ms`, `start_ms + step_ms`, … up to
/// `end_ms`, like a Prometheus range query. Returns `(t_ms, value)` pairs for
/// the evaluation times that have a value.
pub fn rate_range(
    points: &[Point],
    start_ms: i64,
    end_ms: i64,
    step_ms: i64,
    range_ms: i64,
) -> Vec<(i64, f64)> {
    let step_ms = step_ms.max(1);
    let mut out = Vec::new();
    let mut at = start_ms;
    while at <= end_ms {
        if let Some(value) = rate(points, at, range_ms) {
            out.push((at, value));
        }
        at += step_ms;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Samples `(seconds, value)`, `rate(x[range_s])` at `at_s`, compared
    /// with a hand-computed `expect` (to float rounding).
    fn check_rate(samples: &[(i64, f64)], range_s: i64, at_s: i64, expect: Option<f64>) {
        let points: Vec<Point> = samples
            .iter()
            .map(|&(t, value)| Point {
                t_ms: t * 1000,
                value,
            })
            .collect();
        let got = rate(&points, at_s * 1000, range_s * 1000);
        match (got, expect) {
            (Some(got), Some(expect)) => assert!(
                (got - expect).abs() <= 1e-12 * expect.abs().max(1.0),
                "rate = {got}, expected {expect} for {samples:?}"
            ),
            _ => assert_eq!(got, expect, "for {samples:?}"),
        }
    }

    #[test]
    fn regular_samples_extrapolate_to_both_edges() {
        // Window (0, 60]: samples at 10..60 s. Increase 5 over 50 s; the
        // start edge is 10 s away (< 1.1 × 10 s), and the zero point
        // (50 × 1/5 = 10 s back) is not closer, so extrapolate over 60 s:
        // 5 × 60/50 = 6 → 6 / 60 s = 0.1/s.
        check_rate(
            &[
                (10, 1.0),
                (20, 2.0),
                (30, 3.0),
                (40, 4.0),
                (50, 5.0),
                (60, 6.0),
            ],
            60,
            60,
            Some(0.1),
        );
    }

    #[test]
    fn counter_reset_adds_back_the_value_before_the_drop() {
        // 5, 6, 7 then the process restarts: 1, 2, 3. Increase = 3 - 5 + 7
        // = 5, extrapolated by 60/50 as above: 6 / 60 = 0.1/s.
        check_rate(
            &[
                (10, 5.0),
                (20, 6.0),
                (30, 7.0),
                (40, 1.0),
                (50, 2.0),
                (60, 3.0),
            ],
            60,
            60,
            Some(0.1),
        );
        // Two resets: 4 → 1 and 3 → 0. Increase = 2 - 2 + 4 + 3 = 7 over
        // 50 s, extrapolated to 60 s: 8.4 / 60 = 0.14/s.
        check_rate(
            &[
                (10, 2.0),
                (20, 4.0),
                (30, 1.0),
                (40, 3.0),
                (50, 0.0),
                (60, 2.0),
            ],
            60,
            60,
            Some(0.14),
        );
    }

    #[test]
    fn never_extrapolates_below_zero() {
        // The counter starts at 0 at 10 s: the zero point is the first
        // sample, so nothing is added at the start. 5 / 60 s.
        check_rate(
            &[
                (10, 0.0),
                (20, 1.0),
                (30, 2.0),
                (40, 3.0),
                (50, 4.0),
                (60, 5.0),
            ],
            60,
            60,
            Some(5.0 / 60.0),
        );
        // First sample 1 at 40 s, then 5 at 50 s: the zero point is
        // 10 × 1/4 = 2.5 s before the first sample, closer than the start
        // edge (40 s away, beyond the threshold, so capped at 5 s).
        // Increase 4 × (10 + 2.5 + 10)/10 = 9 → 9 / 60 = 0.15/s.
        check_rate(&[(40, 1.0), (50, 5.0)], 60, 60, Some(0.15));
    }

    #[test]
    fn a_series_starting_or_ending_inside_the_window_extrapolates_half_a_gap() {
        // Starts at 40 s: 40 s from the start edge, beyond 1.1 × 10 s, so
        // only 5 s are added; the zero point (20 × 10/2 = 100 s) is further.
        // Increase 2 × 25/20 = 2.5 → 2.5 / 60 s.
        check_rate(
            &[(40, 10.0), (50, 11.0), (60, 12.0)],
            60,
            60,
            Some(2.5 / 60.0),
        );
        // Ends at 35 s, 25 s before the end edge: only 5 s are added there;
        // the start edge is 5 s away. Increase 3 × 40/30 = 4 → 4 / 60 s.
        check_rate(
            &[(5, 1.0), (15, 2.0), (25, 3.0), (35, 4.0)],
            60,
            60,
            Some(4.0 / 60.0),
        );
    }

    #[test]
    fn window_is_left_open_and_needs_two_samples() {
        // The sample at exactly 0 s is outside (0, 60]: 30 s and 60 s remain.
        // Increase 3 over 30 s, start edge 30 s away (< 1.1 × 30 s), zero
        // point 30 × 3/3 = 30 s (not closer): 3 × 60/30 = 6 → 0.1/s.
        check_rate(&[(0, 0.0), (30, 3.0), (60, 6.0)], 60, 60, Some(0.1));
        check_rate(&[(0, 0.0), (60, 6.0)], 60, 60, None);
        check_rate(&[(30, 1.0)], 60, 60, None);
        check_rate(&[], 60, 60, None);
        // Samples after the evaluation time are not seen.
        check_rate(&[(50, 1.0), (70, 2.0)], 60, 60, None);
        // A flat counter has rate 0.
        check_rate(&[(10, 7.0), (20, 7.0), (30, 7.0)], 60, 30, Some(0.0));
    }

    #[test]
    fn increase_is_rate_times_range() {
        let points: Vec<Point> = [
            (10, 1.0),
            (20, 2.0),
            (30, 3.0),
            (40, 4.0),
            (50, 5.0),
            (60, 6.0),
        ]
        .iter()
        .map(|&(t, value)| Point {
            t_ms: t * 1000,
            value,
        })
        .collect();
        let increase = increase(&points, 60_000, 60_000).unwrap();
        assert!((increase - 6.0).abs() < 1e-12, "{increase}");
    }

    #[test]
    fn range_queries_step_through_time() {
        let points: Vec<Point> = (0..=12)
            .map(|i| Point {
                t_ms: i * 10_000,
                value: (i * 5) as f64,
            })
            .collect();
        // A steady 0.5/s from zero at 0 s. At 30 s the window (-30, 30] holds
        // 0..30 s: the zero point caps the start, so 15 / 60 s = 0.25/s.
        // Later windows see the full minute: 0.5/s. At 0 s there is only
        // one sample, so no value.
        let got = rate_range(&points, 0, 120_000, 30_000, 60_000);
        let expect = [(30_000, 0.25), (60_000, 0.5), (90_000, 0.5), (120_000, 0.5)];
        assert_eq!(got.len(), expect.len(), "{got:?}");
        for ((t, value), (expect_t, expect_value)) in got.into_iter().zip(expect) {
            assert_eq!(t, expect_t);
            assert!((value - expect_value).abs() < 1e-12, "at {t}: {value}");
        }
    }
}
