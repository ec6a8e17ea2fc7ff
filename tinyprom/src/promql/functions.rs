//! Function calls: which arguments each function evaluates and how its
//! result is built, series by series or step by step. The arithmetic of
//! the range-vector functions is in `range_functions`, the quantiles in
//! `histogram`.

use crate::labels::{compile_anchored, Labels, MatchOp, METRIC_NAME};
use crate::promql::ast::{Call, Expr, ExprKind, VectorSelector};
use crate::promql::catalog::Function;
use crate::promql::eval::{
    check_unique_labels, merge_same_labels, EvalError, Evaluator, Grid, LabelIndex, Result,
    StepCursor, Value,
};
use crate::promql::histogram::{bucket_fraction, bucket_quantile, Bucket};
use crate::promql::range_functions::{self, Window};
use crate::sort::sort_by;
use crate::storage::{Sample, Series};

/// The argument with its parentheses taken off, as Prometheus does for
/// function arguments before evaluating them.
pub(crate) fn unwrap_parens(mut expr: &Expr) -> &Expr {
    while let ExprKind::Paren(inner) = &expr.kind {
        expr = inner;
    }
    expr
}

pub(crate) fn eval_call(ev: &mut Evaluator<'_>, call: &Call, grid: Grid) -> Result<Value> {
    use Function as F;
    let func = call.func;
    if call.args.iter().any(|arg| {
        matches!(
            unwrap_parens(arg).kind,
            ExprKind::Range(_) | ExprKind::Subquery(_)
        )
    }) {
        return eval_range_call(ev, call, grid);
    }
    let arg = |i: usize| unwrap_parens(&call.args[i]);
    match func {
        F::Time => Ok(Value::Scalar(
            (0..grid.len())
                .map(|i| grid.time(i) as f64 / 1000.0)
                .collect(),
        )),
        F::Pi => Ok(Value::Scalar(vec![std::f64::consts::PI; grid.len()])),
        F::Vector => {
            let values = ev.eval_scalar(arg(0), grid)?;
            let samples = values
                .into_iter()
                .enumerate()
                .map(|(i, f)| Sample { t: grid.time(i), f })
                .collect();
            Ok(Value::Vector(vec![Series {
                labels: Labels::empty(),
                samples,
            }]))
        }
        F::Scalar => {
            let series = ev.eval_vector(arg(0), grid)?;
            Ok(Value::Scalar(scalar_of(&series, grid)))
        }
        F::Absent => {
            let series = ev.eval_vector(arg(0), grid)?;
            let mut present = vec![false; grid.len()];
            for s in &series {
                for p in &s.samples {
                    present[grid.index(p.t)] = true;
                }
            }
            let samples: Vec<Sample> = (0..grid.len())
                .filter(|&i| !present[i])
                .map(|i| Sample {
                    t: grid.time(i),
                    f: 1.0,
                })
                .collect();
            Ok(Value::Vector(if samples.is_empty() {
                Vec::new()
            } else {
                vec![Series {
                    labels: absent_labels(arg(0)),
                    samples,
                }]
            }))
        }
        F::Timestamp => {
            let series = match &arg(0).kind {
                // The timestamps of the samples themselves, not of the
                // evaluation steps.
                ExprKind::Selector(selector) => ev.eval_selector(selector, grid, true)?,
                _ => ev
                    .eval_vector(arg(0), grid)?
                    .into_iter()
                    .map(|s| Series {
                        labels: s.labels,
                        samples: s
                            .samples
                            .into_iter()
                            .map(|p| Sample {
                                t: p.t,
                                f: p.t as f64 / 1000.0,
                            })
                            .collect(),
                    })
                    .collect(),
            };
            elementwise(series, grid, &mut |_: usize, f: f64| Some(f))
        }
        F::Sort | F::SortDesc | F::SortByLabel | F::SortByLabelDesc => {
            let mut series = ev.eval_vector(arg(0), grid)?;
            if grid.is_instant() {
                let labels: Vec<String> =
                    call.args[1..].iter().filter_map(string_literal).collect();
                sort_instant(func, &labels, &mut series);
            }
            Ok(Value::Vector(series))
        }
        F::LabelReplace => label_replace(ev, call, grid),
        F::LabelJoin => label_join(ev, call, grid),
        F::HistogramQuantile | F::HistogramFraction => histogram_function(ev, call, grid),
        F::HistogramAvg
        | F::HistogramCount
        | F::HistogramSum
        | F::HistogramStddev
        | F::HistogramStdvar => {
            // Native histograms only; float samples are ignored.
            ev.eval_vector(arg(0), grid)?;
            Ok(Value::Vector(Vec::new()))
        }
        F::DayOfMonth
        | F::DayOfWeek
        | F::DayOfYear
        | F::DaysInMonth
        | F::Hour
        | F::Minute
        | F::Month
        | F::Year => {
            if call.args.is_empty() {
                let samples = (0..grid.len())
                    .map(|i| {
                        let t = grid.time(i);
                        // `time.Unix(ts/1000, 0)`: whole seconds, truncated.
                        Sample {
                            t,
                            f: date_part(func, t / 1000),
                        }
                    })
                    .collect();
                return Ok(Value::Vector(vec![Series {
                    labels: Labels::empty(),
                    samples,
                }]));
            }
            let series = ev.eval_vector(arg(0), grid)?;
            elementwise(series, grid, &mut |_: usize, f: f64| {
                Some(date_part(func, go_float_to_int(f)))
            })
        }
        F::Round => {
            let series = ev.eval_vector(arg(0), grid)?;
            let to_nearest = match call.args.get(1) {
                Some(expr) => ev.eval_scalar(unwrap_parens(expr), grid)?,
                None => vec![1.0; grid.len()],
            };
            elementwise(series, grid, &mut |i: usize, f: f64| {
                // Inverted, as Prometheus does: fewer rounding surprises.
                let inverse = 1.0 / to_nearest[i];
                Some((f * inverse + 0.5).floor() / inverse)
            })
        }
        F::Clamp | F::ClampMin | F::ClampMax => {
            let series = ev.eval_vector(arg(0), grid)?;
            let first = ev.eval_scalar(arg(1), grid)?;
            let (min, max) = match func {
                F::Clamp => (first, ev.eval_scalar(arg(2), grid)?),
                F::ClampMin => (first, vec![f64::INFINITY; grid.len()]),
                _ => (vec![f64::NEG_INFINITY; grid.len()], first),
            };
            elementwise(series, grid, &mut |i: usize, f: f64| {
                // Nothing at all when max < min (NaN compares false).
                let empty = max[i] < min[i];
                (!empty).then(|| min[i].max_go(max[i].min_go(f)))
            })
        }
        _ => {
            let Some(op) = math_function(func) else {
                return Err(EvalError::new(format!(
                    "function {:?} cannot be evaluated here",
                    func.name()
                )));
            };
            let series = ev.eval_vector(arg(0), grid)?;
            elementwise(series, grid, &mut |_: usize, f: f64| Some(op(f)))
        }
    }
}

/// Go's `math.Max` and `math.Min`: an infinity in the right direction
/// wins even over NaN, then NaN wins, and +0 is above -0.
trait GoMinMax {
    fn max_go(self, other: f64) -> f64;
    fn min_go(self, other: f64) -> f64;
}

impl GoMinMax for f64 {
    fn max_go(self, other: f64) -> f64 {
        if self == f64::INFINITY || other == f64::INFINITY {
            f64::INFINITY
        } else if self.is_nan() || other.is_nan() {
            f64::NAN
        } else if self == 0.0 && other == 0.0 {
            if self.is_sign_negative() {
                other
            } else {
                self
            }
        } else if self > other {
            self
        } else {
            other
        }
    }

    fn min_go(self, other: f64) -> f64 {
        if self == f64::NEG_INFINITY || other == f64::NEG_INFINITY {
            f64::NEG_INFINITY
        } else if self.is_nan() || other.is_nan() {
            f64::NAN
        } else if self == 0.0 && other == 0.0 {
            if self.is_sign_negative() {
                self
            } else {
                other
            }
        } else if self < other {
            self
        } else {
            other
        }
    }
}

/// The functions that map each sample's value alone.
fn math_function(func: Function) -> Option<fn(f64) -> f64> {
    use Function as F;
    Some(match func {
        F::Abs => f64::abs,
        F::Ceil => f64::ceil,
        F::Floor => f64::floor,
        F::Exp => f64::exp,
        F::Sqrt => f64::sqrt,
        F::Ln => f64::ln,
        F::Log2 => f64::log2,
        F::Log10 => f64::log10,
        F::Sin => f64::sin,
        F::Cos => f64::cos,
        F::Tan => f64::tan,
        F::Asin => f64::asin,
        F::Acos => f64::acos,
        F::Atan => f64::atan,
        F::Sinh => f64::sinh,
        F::Cosh => f64::cosh,
        F::Tanh => f64::tanh,
        F::Asinh => f64::asinh,
        F::Acosh => f64::acosh,
        F::Atanh => f64::atanh,
        // In Prometheus's order of operations, for the same last bit.
        F::Rad => |f| f * std::f64::consts::PI / 180.0,
        F::Deg => |f| f * 180.0 / std::f64::consts::PI,
        F::Sgn => |f| {
            if f < 0.0 {
                -1.0
            } else if f > 0.0 {
                1.0
            } else {
                f
            }
        },
        _ => return None,
    })
}

/// Maps every point (step index, value) and drops the metric name, as
/// Prometheus's per-sample functions do; `None` drops the point. Series
/// that end up with the same labels merge.
fn elementwise(
    series: Vec<Series>,
    grid: Grid,
    map: &mut dyn FnMut(usize, f64) -> Option<f64>,
) -> Result<Value> {
    let mapped = series
        .into_iter()
        .map(|s| Series {
            labels: s.labels.without_metric_name(),
            samples: s
                .samples
                .into_iter()
                .filter_map(|p| map(grid.index(p.t), p.f).map(|f| Sample { t: p.t, f }))
                .collect(),
        })
        .filter(|s| !s.samples.is_empty())
        .collect();
    Ok(Value::Vector(merge_same_labels(mapped)?))
}

/// `scalar(v)`: the single sample's value, NaN when there is not exactly
/// one.
fn scalar_of(series: &[Series], grid: Grid) -> Vec<f64> {
    let mut values = vec![f64::NAN; grid.len()];
    let mut counts = vec![0u32; grid.len()];
    for s in series {
        for p in &s.samples {
            let i = grid.index(p.t);
            counts[i] += 1;
            values[i] = p.f;
        }
    }
    for (value, count) in values.iter_mut().zip(counts) {
        if count != 1 {
            *value = f64::NAN;
        }
    }
    values
}

/// The labels `absent(x{...})` reports: the equality matchers of a
/// selector argument (not the name; a label matched twice is dropped).
pub(crate) fn absent_labels(arg: &Expr) -> Labels {
    let selector: &VectorSelector = match &arg.kind {
        ExprKind::Selector(selector) => selector,
        ExprKind::Range(matrix) => &matrix.selector,
        _ => return Labels::empty(),
    };
    let mut builder = Labels::empty().to_builder();
    let mut has: Vec<&str> = Vec::new();
    for matcher in &selector.matchers {
        if matcher.name == METRIC_NAME {
            continue;
        }
        if matcher.op == MatchOp::Equal && !has.contains(&matcher.name.as_str()) {
            builder.set(matcher.name.clone(), matcher.value.clone());
            has.push(&matcher.name);
        } else {
            builder.del(&matcher.name);
        }
    }
    builder.build()
}

fn string_literal(expr: &Expr) -> Option<String> {
    match &unwrap_parens(expr).kind {
        ExprKind::String(text) => Some(text.clone()),
        _ => None,
    }
}

/// `sort`, `sort_desc`, `sort_by_label(_desc)` on an instant query's single
/// step. (On a range query they change nothing: the result is sorted by
/// labels.)
fn sort_instant(func: Function, labels: &[String], series: &mut Vec<Series>) {
    let value = |s: &Series| s.samples.first().map_or(f64::NAN, |p| p.f);
    match func {
        Function::Sort => sort_by(series, |a, b| by_value_nan_last(value(a), value(b))),
        Function::SortDesc => sort_by(series, |a, b| by_value_nan_last(-value(a), -value(b))),
        _ => {
            let descending = func == Function::SortByLabelDesc;
            sort_by(series, |a, b| {
                for label in labels {
                    let (x, y) = (
                        a.labels.get(label).unwrap_or(""),
                        b.labels.get(label).unwrap_or(""),
                    );
                    if x != y {
                        let order = natural_compare(x, y);
                        return if descending { order.reverse() } else { order };
                    }
                }
                let order = a.labels.cmp(&b.labels);
                if descending {
                    order.reverse()
                } else {
                    order
                }
            });
        }
    }
}

/// Ascending by value, NaN after every number.
fn by_value_nan_last(a: f64, b: f64) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// Natural order of label values, as the `natsort` package Prometheus uses:
/// runs of digits compare as numbers.
pub(crate) fn natural_compare(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let run = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (run(a), run(b));
                let (da, db) = (&a[..na], &b[..nb]);
                let (ta, tb) = (trim_zeros(da), trim_zeros(db));
                let order = ta
                    .len()
                    .cmp(&tb.len())
                    .then_with(|| ta.cmp(tb))
                    .then_with(|| da.len().cmp(&db.len()));
                if order != Ordering::Equal {
                    return order;
                }
                a = &a[na..];
                b = &b[nb..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&c| c == b'0').count();
    &digits[zeros..]
}

fn label_replace(ev: &mut Evaluator<'_>, call: &Call, grid: Grid) -> Result<Value> {
    let arg_string = |i: usize| string_literal(&call.args[i]).unwrap_or_default();
    let (dst, replacement, src, pattern) =
        (arg_string(1), arg_string(2), arg_string(3), arg_string(4));
    let regex = compile_anchored(&pattern).map_err(|_| {
        EvalError::new(format!(
            "invalid regular expression in label_replace(): {pattern}"
        ))
    })?;
    if dst.is_empty() {
        return Err(EvalError::new(format!(
            "invalid destination label name in label_replace(): {dst}"
        )));
    }
    let series = ev.eval_vector(unwrap_parens(&call.args[0]), grid)?;
    let relabelled = series
        .into_iter()
        .map(|mut s| {
            let value = s.labels.get(&src).unwrap_or("");
            if let Some(captures) = regex.captures(value) {
                let mut expanded = String::new();
                captures.expand(&replacement, &mut expanded);
                let mut builder = s.labels.to_builder();
                builder.set(dst.clone(), expanded);
                s.labels = builder.build();
            }
            s
        })
        .collect();
    Ok(Value::Vector(merge_same_labels(relabelled)?))
}

fn label_join(ev: &mut Evaluator<'_>, call: &Call, grid: Grid) -> Result<Value> {
    let dst = string_literal(&call.args[1]).unwrap_or_default();
    let separator = string_literal(&call.args[2]).unwrap_or_default();
    let sources: Vec<String> = call.args[3..].iter().filter_map(string_literal).collect();
    if let Some(empty) = sources.iter().find(|s| s.is_empty()) {
        return Err(EvalError::new(format!(
            "invalid source label name in label_join(): {empty}"
        )));
    }
    if dst.is_empty() {
        return Err(EvalError::new(format!(
            "invalid destination label name in label_join(): {dst}"
        )));
    }
    let series = ev.eval_vector(unwrap_parens(&call.args[0]), grid)?;
    let relabelled = series
        .into_iter()
        .map(|mut s| {
            let joined: Vec<&str> = sources
                .iter()
                .map(|src| s.labels.get(src).unwrap_or(""))
                .collect();
            let joined = joined.join(&separator);
            let mut builder = s.labels.to_builder();
            builder.set(dst.clone(), joined);
            s.labels = builder.build();
            s
        })
        .collect();
    Ok(Value::Vector(merge_same_labels(relabelled)?))
}

/// `histogram_quantile` and `histogram_fraction` over classic buckets:
/// series are grouped by their labels without `le` (the name included),
/// each group is one histogram, reported without `le` and the name.
fn histogram_function(ev: &mut Evaluator<'_>, call: &Call, grid: Grid) -> Result<Value> {
    let is_quantile = call.func == Function::HistogramQuantile;
    let scalars: Vec<Vec<f64>> = if is_quantile {
        vec![ev.eval_scalar(unwrap_parens(&call.args[0]), grid)?]
    } else {
        vec![
            ev.eval_scalar(unwrap_parens(&call.args[0]), grid)?,
            ev.eval_scalar(unwrap_parens(&call.args[1]), grid)?,
        ]
    };
    let input = ev.eval_vector(
        unwrap_parens(call.args.last().unwrap_or(&call.args[0])),
        grid,
    )?;

    // Group the bucket series once; series without a valid `le` are left out.
    let mut groups = LabelIndex::default();
    let mut members: Vec<Option<(usize, f64)>> = Vec::with_capacity(input.len());
    for s in &input {
        let upper_bound = s.labels.get("le").and_then(parse_go_float);
        members.push(upper_bound.map(|bound| {
            let mut builder = s.labels.to_builder();
            builder.del("le");
            (
                groups.index(&builder.build(), Labels::without_metric_name),
                bound,
            )
        }));
    }
    let mut outputs: Vec<Vec<Sample>> = vec![Vec::new(); groups.len()];
    let mut buckets: Vec<Vec<Bucket>> = vec![Vec::new(); groups.len()];
    let mut cursor = StepCursor::new(&input);
    let mut present = Vec::new();
    for (i, &first) in scalars[0].iter().enumerate() {
        let t = grid.time(i);
        cursor.at(t, &mut present);
        for b in &mut buckets {
            b.clear();
        }
        for &(s, count) in &present {
            if let Some((group, upper_bound)) = members[s] {
                buckets[group].push(Bucket { upper_bound, count });
            }
        }
        for (group, group_buckets) in buckets.iter_mut().enumerate() {
            if group_buckets.is_empty() {
                continue;
            }
            let taken = std::mem::take(group_buckets);
            let f = if is_quantile {
                bucket_quantile(first, taken)
            } else {
                bucket_fraction(first, scalars[1][i], taken)
            };
            outputs[group].push(Sample { t, f });
        }
    }
    let series = groups.into_series(outputs);
    ev.charge(series.iter().map(|s| s.samples.len()).sum())?;
    Ok(Value::Vector(merge_same_labels(series)?))
}

/// Go's `strconv.ParseFloat` for `le` values: decimals, exponents, `Inf`,
/// `+Inf`, `-Inf`, `NaN` in any case, `infinity`.
pub(crate) fn parse_go_float(text: &str) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if unsigned == "inf" || unsigned == "infinity" || unsigned == "nan" {
        if lower.len() - unsigned.len() > 1 {
            return None;
        }
        return match unsigned {
            "nan" if lower.len() == 3 => Some(f64::NAN),
            "nan" => None,
            _ if lower.starts_with('-') => Some(f64::NEG_INFINITY),
            _ => Some(f64::INFINITY),
        };
    }
    crate::number::parse_float(text)
}

/// Go's `int64(f)` on amd64: truncation, and the minimum int64 for NaN and
/// values out of range.
fn go_float_to_int(f: f64) -> i64 {
    // i64::MIN and i64::MAX + 1 are exact powers of two as floats.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// One calendar field of a Unix time in seconds, in UTC.
fn date_part(func: Function, seconds: i64) -> f64 {
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    match func {
        Function::Year => year as f64,
        Function::Month => month as f64,
        Function::DayOfMonth => day as f64,
        Function::DayOfWeek => (days + 4).rem_euclid(7) as f64,
        Function::DayOfYear => (days - days_from_civil(year, 1, 1) + 1) as f64,
        Function::DaysInMonth => days_in_month(year, month) as f64,
        Function::Hour => (second_of_day / 3600) as f64,
        Function::Minute => (second_of_day % 3600 / 60) as f64,
        _ => f64::NAN,
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days as i128 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = if m <= 2 { y + 1 } else { y };
    (year as i64, m, d)
}

/// (year, month, day) to days since 1970-01-01.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year } as i128;
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = month as i128;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i128 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as i64
}

/// A call with a range-vector argument: per series, per step, the window
/// of samples the function reads.
fn eval_range_call(ev: &mut Evaluator<'_>, call: &Call, grid: Grid) -> Result<Value> {
    let func = call.func;
    let mut scalars: Vec<Vec<f64>> = Vec::new();
    let mut source = None;
    for arg in &call.args {
        let arg = unwrap_parens(arg);
        match &arg.kind {
            ExprKind::Range(_) | ExprKind::Subquery(_) if source.is_none() => source = Some(arg),
            _ => scalars.push(ev.eval_scalar(arg, grid)?),
        }
    }
    let Some(source) = source else {
        return Err(EvalError::new("expected a range vector argument"));
    };

    // The series the windows are cut from, the window's offset and `@`.
    let (inputs, offset, at, range) = match &source.kind {
        ExprKind::Range(matrix) => {
            let selector = &matrix.selector;
            let at = selector.at.map(|at| ev.resolve_at(at));
            (
                ev.range_source(selector),
                selector.offset_ms,
                at,
                matrix.range_ms,
            )
        }
        ExprKind::Subquery(subquery) => {
            let (series, _) = ev.eval_subquery(subquery, grid)?;
            let at = subquery.at.map(|at| ev.resolve_at(at));
            let inputs = series
                .into_iter()
                .map(|s| (s.labels, std::borrow::Cow::Owned(s.samples)))
                .collect();
            (inputs, subquery.offset_ms, at, subquery.range_ms)
        }
        _ => return Err(EvalError::new("expected a range vector argument")),
    };

    let keep_name = matches!(func, Function::LastOverTime | Function::FirstOverTime);
    let steps = grid.len();
    // With `@` the window is the same at every step; the function may still
    // see other scalar arguments or, for predict_linear, another time.
    let fixed_window = at.map(|at| (at - offset - range, at - offset));
    let reuse_fixed =
        fixed_window.is_some() && scalars.is_empty() && func != Function::PredictLinear;
    let mut out: Vec<Series> = Vec::new();
    let mut step_scalars = vec![0.0; scalars.len()];
    let counter = matches!(func, Function::Rate | Function::Increase);
    let mut resets: Vec<usize> = Vec::new();
    for (labels, samples) in &inputs {
        let mut points = Vec::new();
        let (mut from, mut to) = (0, 0);
        if counter {
            resets.clear();
            resets.extend(
                (0..samples.len().saturating_sub(1)).filter(|&p| samples[p + 1].f < samples[p].f),
            );
        }
        let mut memo: Option<Option<f64>> = None;
        for i in 0..steps {
            let t = grid.time(i);
            for (value, values) in step_scalars.iter_mut().zip(&scalars) {
                *value = values[i];
            }
            let (start, end) = fixed_window.unwrap_or((t - offset - range, t - offset));
            let window: &[Sample] = if fixed_window.is_some() {
                let window = crate::promql::eval::window(samples, start, end);
                from = samples.partition_point(|s| s.t <= start);
                window
            } else {
                while to < samples.len() && samples[to].t <= end {
                    to += 1;
                }
                while from < to && samples[from].t <= start {
                    from += 1;
                }
                &samples[from..to]
            };
            let result = match memo {
                Some(result) => result,
                None if window.is_empty() => None,
                None => range_functions::apply(
                    func,
                    &Window {
                        samples: window,
                        range_start: start,
                        range_end: end,
                        range_ms: range,
                        eval_t: t,
                        resets: counter.then_some((resets.as_slice(), from)),
                    },
                    &step_scalars,
                )?,
            };
            if reuse_fixed {
                memo = Some(result);
            }
            if let Some(f) = result {
                points.push(Sample { t, f });
            }
        }
        ev.charge(points.len())?;
        if !points.is_empty() {
            out.push(Series {
                labels: if keep_name {
                    labels.clone()
                } else {
                    labels.without_metric_name()
                },
                samples: points,
            });
        }
    }

    if func == Function::AbsentOverTime {
        let mut present = vec![false; steps];
        for s in &out {
            for p in &s.samples {
                present[grid.index(p.t)] = true;
            }
        }
        let samples: Vec<Sample> = (0..steps)
            .filter(|&i| !present[i])
            .map(|i| Sample {
                t: grid.time(i),
                f: 1.0,
            })
            .collect();
        return Ok(Value::Vector(if samples.is_empty() {
            Vec::new()
        } else {
            vec![Series {
                labels: absent_labels(source),
                samples,
            }]
        }));
    }
    check_unique_labels(&out)?;
    Ok(Value::Vector(out))
}
