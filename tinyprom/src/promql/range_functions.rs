//! The functions over range vectors: each takes one series' samples in a
//! window `(range_start, range_end]` (staleness markers already removed,
//! never empty) and gives at most one value.

use crate::promql::catalog::Function;
use crate::promql::eval::{EvalError, Result};
use crate::promql::histogram::quantile;
use crate::promql::value::format_go_percent_f;
use crate::storage::Sample;

/// One window of one series, and what the function needs to know about it.
pub(crate) struct Window<'a> {
    /// The samples, oldest first; at least one.
    pub samples: &'a [Sample],
    /// The window's exclusive start, in milliseconds.
    pub range_start: i64,
    /// The window's inclusive end.
    pub range_end: i64,
    /// The range as written (`[5m]`), in milliseconds.
    pub range_ms: i64,
    /// The evaluation time of this step (not shifted by offset).
    pub eval_t: i64,
    /// For `rate` and `increase`: where the counter dropped, precomputed
    /// for the whole series (positions `p` with `all[p + 1] < all[p]`,
    /// ascending) and the window's first position in it, so a window costs
    /// O(log n) instead of a scan. `None` scans the window.
    pub resets: Option<(&'a [usize], usize)>,
}

/// `func` over `window`, with the function's scalar arguments at this step
/// in `scalars` (in argument order, the range vector left out).
pub(crate) fn apply(func: Function, window: &Window<'_>, scalars: &[f64]) -> Result<Option<f64>> {
    let samples = window.samples;
    let scalar = |i: usize| scalars.get(i).copied().unwrap_or(f64::NAN);
    Ok(match func {
        Function::Rate => extrapolated_rate(window, true, true),
        Function::Increase => extrapolated_rate(window, true, false),
        Function::Delta => extrapolated_rate(window, false, false),
        Function::Irate => instant_value(samples, true),
        Function::Idelta => instant_value(samples, false),
        Function::Deriv => {
            if samples.len() < 2 {
                None
            } else {
                Some(linear_regression(samples, samples[0].t).0)
            }
        }
        Function::PredictLinear => {
            if samples.len() < 2 {
                None
            } else {
                let (slope, intercept) = linear_regression(samples, window.eval_t);
                Some(slope * scalar(0) + intercept)
            }
        }
        Function::Resets => Some(
            samples
                .windows(2)
                .filter(|pair| pair[1].f < pair[0].f)
                .count() as f64,
        ),
        Function::Changes => Some(
            samples
                .windows(2)
                .filter(|pair| {
                    pair[1].f != pair[0].f && !(pair[1].f.is_nan() && pair[0].f.is_nan())
                })
                .count() as f64,
        ),
        Function::AvgOverTime => Some(avg_over_time(samples)),
        Function::SumOverTime => {
            let (sum, c) = samples
                .iter()
                .fold((0.0, 0.0), |(sum, c), s| kahan_inc(s.f, sum, c));
            Some(if sum.is_infinite() { sum } else { sum + c })
        }
        Function::CountOverTime => Some(samples.len() as f64),
        Function::MinOverTime => {
            Some(compare_over_time(samples, |cur, best| cur < best || best.is_nan()).1)
        }
        Function::MaxOverTime => {
            Some(compare_over_time(samples, |cur, best| cur > best || best.is_nan()).1)
        }
        Function::TsOfMinOverTime => {
            Some(compare_over_time(samples, |cur, best| cur <= best || best.is_nan()).0)
        }
        Function::TsOfMaxOverTime => {
            Some(compare_over_time(samples, |cur, best| cur >= best || best.is_nan()).0)
        }
        Function::LastOverTime => samples.last().map(|s| s.f),
        Function::FirstOverTime => samples.first().map(|s| s.f),
        Function::TsOfLastOverTime => samples.last().map(|s| s.t as f64 / 1000.0),
        Function::TsOfFirstOverTime => samples.first().map(|s| s.t as f64 / 1000.0),
        Function::PresentOverTime | Function::AbsentOverTime => Some(1.0),
        Function::StddevOverTime => Some(variance_over_time(samples).sqrt()),
        Function::StdvarOverTime => Some(variance_over_time(samples)),
        Function::QuantileOverTime => {
            let mut values: Vec<f64> = samples.iter().map(|s| s.f).collect();
            Some(quantile(scalar(0), &mut values))
        }
        Function::MadOverTime => Some(mad_over_time(samples)),
        Function::DoubleExponentialSmoothing | Function::HoltWinters => {
            double_exponential_smoothing(samples, scalar(0), scalar(1))?
        }
        _ => None,
    })
}

/// How an edge of the window was extrapolated to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeRule {
    /// The gap is under 1.1 average intervals: all the way to the edge.
    Full,
    /// A longer gap: the series probably starts or ends inside the window,
    /// so only half an average interval.
    HalfInterval,
    /// A counter is never negative: only back to where it was zero.
    ZeroPoint,
}

/// Every number `rate()`, `increase()` or `delta()` computes for one
/// window, in Prometheus's order (`extrapolatedRate`): the explain view
/// shows them, and the functions return `result`.
#[derive(Clone, Debug, PartialEq)]
pub struct Extrapolation {
    /// The window's first and last samples.
    pub first: Sample,
    /// The last sample.
    pub last: Sample,
    /// How many samples the window holds.
    pub count: usize,
    /// For counters, each reset: the sample just before the drop (its
    /// value is added back).
    pub resets: Vec<Sample>,
    /// `last - first` plus the values added back: what the samples show.
    pub increase: f64,
    /// Seconds between the first and last samples.
    pub sampled_interval: f64,
    /// `sampled_interval / (count - 1)`.
    pub average_interval: f64,
    /// Seconds from the window's start to the first sample.
    pub gap_to_start: f64,
    /// Seconds from the last sample to the window's end.
    pub gap_to_end: f64,
    /// Seconds added before the first sample, and why.
    pub extend_start: f64,
    /// The rule that decided `extend_start`.
    pub start_rule: EdgeRule,
    /// Seconds added after the last sample.
    pub extend_end: f64,
    /// The rule that decided `extend_end`.
    pub end_rule: EdgeRule,
    /// `(sampled + extend_start + extend_end) / sampled`, divided by the
    /// range in seconds for `rate`.
    pub factor: f64,
    /// `increase × factor`: the function's value.
    pub result: f64,
}

/// `rate`, `increase` and `delta`: Prometheus's `extrapolatedRate`.
fn extrapolated_rate(window: &Window<'_>, is_counter: bool, is_rate: bool) -> Option<f64> {
    extrapolate(window, is_counter, is_rate).map(|e| e.result)
}

/// The whole computation of `extrapolated_rate`; `None` under two samples.
pub(crate) fn extrapolate(
    window: &Window<'_>,
    is_counter: bool,
    is_rate: bool,
) -> Option<Extrapolation> {
    let samples = window.samples;
    let (first, last) = match samples {
        [first, .., last] => (*first, *last),
        _ => return None,
    };
    let mut result = last.f - first.f;
    let mut resets = Vec::new();
    if is_counter {
        // A counter reset: what was counted before the drop is part of the
        // increase. Added in order, as Prometheus adds them, so the sum
        // rounds the same.
        match window.resets {
            Some((positions, from)) => {
                let to = from + samples.len();
                let first_reset = positions.partition_point(|&p| p < from);
                for &p in positions[first_reset..].iter().take_while(|&&p| p + 1 < to) {
                    result += samples[p - from].f;
                    resets.push(samples[p - from]);
                }
            }
            None => {
                for pair in samples.windows(2) {
                    if pair[1].f < pair[0].f {
                        result += pair[0].f;
                        resets.push(pair[0]);
                    }
                }
            }
        }
    }
    let seconds = |ms: i64| ms as f64 / 1000.0;
    let gap_to_start = seconds(first.t - window.range_start);
    let gap_to_end = seconds(window.range_end - last.t);
    let sampled_interval = seconds(last.t - first.t);
    let average_interval = sampled_interval / (samples.len() - 1) as f64;
    let threshold = average_interval * 1.1;

    let (mut extend_start, mut start_rule) = if gap_to_start >= threshold {
        (average_interval / 2.0, EdgeRule::HalfInterval)
    } else {
        (gap_to_start, EdgeRule::Full)
    };
    if is_counter {
        // Counters are never negative: do not extrapolate back past the
        // point where the counter would have been zero.
        let mut duration_to_zero = extend_start;
        if result > 0.0 && first.f >= 0.0 {
            duration_to_zero = sampled_interval * (first.f / result);
        }
        if duration_to_zero < extend_start {
            extend_start = duration_to_zero;
            start_rule = EdgeRule::ZeroPoint;
        }
    }
    let (extend_end, end_rule) = if gap_to_end >= threshold {
        (average_interval / 2.0, EdgeRule::HalfInterval)
    } else {
        (gap_to_end, EdgeRule::Full)
    };
    let mut factor = if sampled_interval != 0.0 {
        (sampled_interval + extend_start + extend_end) / sampled_interval
    } else {
        1.0
    };
    if is_rate {
        factor /= seconds(window.range_ms);
    }
    Some(Extrapolation {
        first,
        last,
        count: samples.len(),
        resets,
        increase: result,
        sampled_interval,
        average_interval,
        gap_to_start,
        gap_to_end,
        extend_start,
        start_rule,
        extend_end,
        end_rule,
        factor,
        result: result * factor,
    })
}

/// `irate` and `idelta`: the last two samples.
pub(crate) fn instant_value(samples: &[Sample], is_rate: bool) -> Option<f64> {
    let (previous, last) = match samples {
        [.., previous, last] => (*previous, *last),
        _ => return None,
    };
    let interval = last.t - previous.t;
    if interval == 0 {
        return None;
    }
    // After a counter reset the last value is the increase; NaN compares
    // false, as in Go, so it falls to the difference.
    let mut result = if is_rate && last.f < previous.f {
        last.f
    } else {
        last.f - previous.f
    };
    if is_rate {
        result /= interval as f64 / 1000.0;
    }
    Some(result)
}

/// Prometheus's Kahan–Neumaier step (`kahansum.Inc`).
pub(crate) fn kahan_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= inc.abs() {
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

/// The mean, summed directly while the sum does not overflow, then
/// incrementally (Prometheus's `avg_over_time`).
fn avg_over_time(samples: &[Sample]) -> f64 {
    let mut sum = samples[0].f;
    let mut c = 0.0;
    let mut mean = 0.0;
    let mut incremental = false;
    let mut count = 1.0;
    for (i, sample) in samples.iter().enumerate().skip(1) {
        count = (i + 1) as f64;
        if !incremental {
            let (new_sum, new_c) = kahan_inc(sample.f, sum, c);
            if !new_sum.is_infinite() {
                sum = new_sum;
                c = new_c;
                continue;
            }
            incremental = true;
            mean = sum / (count - 1.0);
            c /= count - 1.0;
        }
        let q = (count - 1.0) / count;
        let (new_mean, new_c) = kahan_inc(sample.f / count, q * mean, q * c);
        mean = new_mean;
        c = new_c;
    }
    if incremental {
        mean + c
    } else {
        sum / count + c / count
    }
}

/// Welford's variance with Kahan-compensated mean and sum of squares.
fn variance_over_time(samples: &[Sample]) -> f64 {
    let (mut count, mut mean, mut c_mean, mut aux, mut c_aux) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for sample in samples {
        count += 1.0;
        let delta = sample.f - (mean + c_mean);
        (mean, c_mean) = kahan_inc(delta / count, mean, c_mean);
        (aux, c_aux) = kahan_inc(delta * (sample.f - (mean + c_mean)), aux, c_aux);
    }
    (aux + c_aux) / count
}

/// The winning sample under `better(current, best)`: `(timestamp in
/// seconds, value)`.
fn compare_over_time(samples: &[Sample], better: impl Fn(f64, f64) -> bool) -> (f64, f64) {
    let mut best = samples[0];
    for sample in samples {
        if better(sample.f, best.f) {
            best = *sample;
        }
    }
    (best.t as f64 / 1000.0, best.f)
}

/// The median absolute deviation; NaN if any sample is NaN.
fn mad_over_time(samples: &[Sample]) -> f64 {
    if samples.iter().any(|s| s.f.is_nan()) {
        return f64::NAN;
    }
    let mut values: Vec<f64> = samples.iter().map(|s| s.f).collect();
    let median = quantile(0.5, &mut values);
    for value in &mut values {
        *value = (*value - median).abs();
    }
    quantile(0.5, &mut values)
}

/// Least squares over `(t - intercept_time, value)`: `(slope, intercept)`.
pub(crate) fn linear_regression(samples: &[Sample], intercept_time: i64) -> (f64, f64) {
    let (mut n, mut sum_x, mut c_x, mut sum_y, mut c_y) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut sum_xy, mut c_xy, mut sum_x2, mut c_x2) = (0.0, 0.0, 0.0, 0.0);
    let init_y = samples[0].f;
    let mut const_y = true;
    for (i, sample) in samples.iter().enumerate() {
        if const_y && i > 0 && sample.f != init_y {
            const_y = false;
        }
        n += 1.0;
        let x = (sample.t - intercept_time) as f64 / 1e3;
        (sum_x, c_x) = kahan_inc(x, sum_x, c_x);
        (sum_y, c_y) = kahan_inc(sample.f, sum_y, c_y);
        (sum_xy, c_xy) = kahan_inc(x * sample.f, sum_xy, c_xy);
        (sum_x2, c_x2) = kahan_inc(x * x, sum_x2, c_x2);
    }
    if const_y {
        if init_y.is_infinite() {
            return (f64::NAN, f64::NAN);
        }
        return (0.0, init_y);
    }
    let sum_x = sum_x + c_x;
    let sum_y = sum_y + c_y;
    let sum_xy = sum_xy + c_xy;
    let sum_x2 = sum_x2 + c_x2;
    let cov_xy = sum_xy - sum_x * sum_y / n;
    let var_x = sum_x2 - sum_x * sum_x / n;
    let slope = cov_xy / var_x;
    let intercept = sum_y / n - slope * sum_x / n;
    (slope, intercept)
}

/// Holt's linear smoothing with smoothing factor `sf` and trend factor
/// `tf`, both in (0, 1). (A NaN factor passes the check, as in Prometheus,
/// and gives NaN.)
fn double_exponential_smoothing(samples: &[Sample], sf: f64, tf: f64) -> Result<Option<f64>> {
    // The message is Prometheus's, `%f` included.
    if sf <= 0.0 || sf >= 1.0 {
        return Err(EvalError::new(format!(
            "invalid smoothing factor. Expected: 0 < sf < 1, got: {}",
            format_go_percent_f(sf)
        )));
    }
    if tf <= 0.0 || tf >= 1.0 {
        return Err(EvalError::new(format!(
            "invalid trend factor. Expected: 0 < tf < 1, got: {}",
            format_go_percent_f(tf)
        )));
    }
    if samples.len() < 2 {
        return Ok(None);
    }
    let mut s0 = 0.0;
    let mut s1 = samples[0].f;
    let mut b = samples[1].f - samples[0].f;
    for (i, sample) in samples.iter().enumerate().skip(1) {
        let x = sf * sample.f;
        if i > 1 {
            // The trend at the previous point.
            b = tf * (s1 - s0) + (1.0 - tf) * b;
        }
        let y = (1.0 - sf) * (s1 + b);
        s0 = s1;
        s1 = x + y;
    }
    Ok(Some(s1))
}
