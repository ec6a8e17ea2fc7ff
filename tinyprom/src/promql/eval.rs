//! The evaluator: an expression over a grid of evaluation times, the way
//! Prometheus's engine does it.
//!
//! Every node is evaluated once for the whole grid and hands its parent one
//! series per label set with a point at each step where it has a value
//! (Prometheus's `Matrix` between nodes). An instant query is a grid of one
//! step, so the order of the series a node returns is the order Prometheus
//! returns them in; a range query's result is sorted by labels at the end.
//! Subqueries evaluate their inner expression on their own grid, aligned to
//! multiples of their step, exactly once.

use std::borrow::Cow;

use crate::labels::Labels;
use crate::promql::ast::{At, Expr, ExprKind, MatrixSelector, Subquery, UnaryOp, VectorSelector};
use crate::promql::{aggregate, binary, functions};
use crate::sort::{sort_by, sort_copied_by};
use crate::storage::{is_stale_marker, Sample, Series, SeriesStore};

/// Prometheus's default lookback: an instant selector sees a series'
/// latest sample up to five minutes old.
pub const DEFAULT_LOOKBACK_MS: i64 = 5 * 60 * 1000;
/// The step of a subquery written without one (`x[5m:]`): Prometheus's
/// default evaluation interval, one minute.
pub const DEFAULT_SUBQUERY_STEP_MS: i64 = 60 * 1000;
/// Prometheus's default `--query.max-samples`.
pub const DEFAULT_MAX_SAMPLES: usize = 50_000_000;

/// Settings of an evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryOptions {
    /// How far back an instant selector looks for a sample.
    pub lookback_delta_ms: i64,
    /// The step of subqueries written without one.
    pub default_subquery_step_ms: i64,
    /// The most points an evaluation may produce before it stops with
    /// Prometheus's "too many samples" error.
    pub max_samples: usize,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions {
            lookback_delta_ms: DEFAULT_LOOKBACK_MS,
            default_subquery_step_ms: DEFAULT_SUBQUERY_STEP_MS,
            max_samples: DEFAULT_MAX_SAMPLES,
        }
    }
}

/// An evaluation that failed, with Prometheus's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    /// What went wrong.
    pub message: String,
}

impl EvalError {
    pub(crate) fn new(message: impl Into<String>) -> EvalError {
        EvalError {
            message: message.into(),
        }
    }

    pub(crate) fn same_labelset() -> EvalError {
        EvalError::new("vector cannot contain metrics with the same labelset")
    }

    pub(crate) fn too_many_samples() -> EvalError {
        EvalError::new(
            "query processing would load too many samples into memory in query execution",
        )
    }
}

pub(crate) type Result<T> = std::result::Result<T, EvalError>;

/// The evaluation times: `start`, `start + interval`, … up to `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Grid {
    pub start: i64,
    pub end: i64,
    pub interval: i64,
}

impl Grid {
    /// One evaluation at `t`.
    pub fn instant(t: i64) -> Grid {
        Grid {
            start: t,
            end: t,
            interval: 1,
        }
    }

    /// How many steps; zero when `end` is before `start`.
    pub fn len(&self) -> usize {
        if self.end < self.start || self.interval <= 0 {
            0
        } else {
            usize::try_from((self.end - self.start) / self.interval + 1).unwrap_or(usize::MAX)
        }
    }

    /// The time of step `i`.
    pub fn time(&self, i: usize) -> i64 {
        self.start + i as i64 * self.interval
    }

    /// The step at time `t` (which must be on the grid).
    pub fn index(&self, t: i64) -> usize {
        ((t - self.start) / self.interval) as usize
    }

    /// Whether this is an instant query's single step.
    pub fn is_instant(&self) -> bool {
        self.start == self.end
    }
}

/// A node's value over the grid.
#[derive(Debug)]
pub(crate) enum Value {
    /// One number per step.
    Scalar(Vec<f64>),
    /// Series with a point at the steps where they have a value.
    Vector(Vec<Series>),
    /// A string literal.
    String(String),
    /// Raw samples of a range selector or subquery (instant queries only).
    Matrix(Vec<Series>),
}

/// Walks an expression over a store.
pub(crate) struct Evaluator<'s> {
    pub store: &'s SeriesStore,
    pub options: QueryOptions,
    /// The query's start and end, for `@ start()` and `@ end()`.
    pub query_start: i64,
    pub query_end: i64,
    /// Points produced so far, against `options.max_samples`.
    produced: usize,
}

impl<'s> Evaluator<'s> {
    pub fn new(
        store: &'s SeriesStore,
        options: QueryOptions,
        query_start: i64,
        query_end: i64,
    ) -> Self {
        Evaluator {
            store,
            options,
            query_start,
            query_end,
            produced: 0,
        }
    }

    /// Counts `points` against the sample limit.
    pub fn charge(&mut self, points: usize) -> Result<()> {
        self.produced = self.produced.saturating_add(points);
        if self.produced > self.options.max_samples {
            Err(EvalError::too_many_samples())
        } else {
            Ok(())
        }
    }

    /// The time an `@` modifier stands for.
    pub fn resolve_at(&self, at: At) -> i64 {
        match at {
            At::Time(t) => t,
            At::Start => self.query_start,
            At::End => self.query_end,
        }
    }

    pub fn eval(&mut self, expr: &Expr, grid: Grid) -> Result<Value> {
        match &expr.kind {
            ExprKind::Number(value) => {
                self.charge(grid.len())?;
                Ok(Value::Scalar(vec![*value; grid.len()]))
            }
            ExprKind::String(text) => Ok(Value::String(text.clone())),
            ExprKind::Paren(inner) => self.eval(inner, grid),
            ExprKind::Unary(unary) => {
                let value = self.eval(&unary.expr, grid)?;
                match (unary.op, value) {
                    (UnaryOp::Plus, value) => Ok(value),
                    (UnaryOp::Neg, Value::Scalar(values)) => {
                        Ok(Value::Scalar(values.into_iter().map(|f| -f).collect()))
                    }
                    (UnaryOp::Neg, Value::Vector(series)) => {
                        let negated = series
                            .into_iter()
                            .map(|s| Series {
                                labels: s.labels.without_metric_name(),
                                samples: s
                                    .samples
                                    .into_iter()
                                    .map(|p| Sample { t: p.t, f: -p.f })
                                    .collect(),
                            })
                            .collect();
                        Ok(Value::Vector(merge_same_labels(negated)?))
                    }
                    (UnaryOp::Neg, other) => Ok(other),
                }
            }
            ExprKind::Selector(selector) => {
                Ok(Value::Vector(self.eval_selector(selector, grid, false)?))
            }
            ExprKind::Range(matrix) => Ok(Value::Matrix(self.eval_range_raw(matrix, grid.start)?)),
            ExprKind::Subquery(subquery) => {
                let (series, _) = self.eval_subquery(subquery, grid)?;
                Ok(Value::Matrix(series))
            }
            ExprKind::Call(call) => functions::eval_call(self, call, grid),
            ExprKind::Aggregate(aggregate) => aggregate::eval_aggregate(self, aggregate, grid),
            ExprKind::Binary(binary) => binary::eval_binary(self, binary, grid),
        }
    }

    /// Evaluates an expression that must give one number per step.
    pub fn eval_scalar(&mut self, expr: &Expr, grid: Grid) -> Result<Vec<f64>> {
        match self.eval(expr, grid)? {
            Value::Scalar(values) => Ok(values),
            _ => Err(EvalError::new("expected a scalar")),
        }
    }

    /// Evaluates an expression that must give an instant vector.
    pub fn eval_vector(&mut self, expr: &Expr, grid: Grid) -> Result<Vec<Series>> {
        match self.eval(expr, grid)? {
            Value::Vector(series) => Ok(series),
            _ => Err(EvalError::new("expected an instant vector")),
        }
    }

    /// An instant selector at every step: each series' latest sample in
    /// `(t - offset - lookback, t - offset]`, unless it is a staleness
    /// marker. With `sample_times`, the value is the sample's timestamp in
    /// seconds instead (for `timestamp()`).
    pub fn eval_selector(
        &mut self,
        selector: &VectorSelector,
        grid: Grid,
        sample_times: bool,
    ) -> Result<Vec<Series>> {
        let steps = grid.len();
        let lookback = self.options.lookback_delta_ms;
        let fixed = selector.at.map(|at| self.resolve_at(at));
        // `timestamp(x @ t offset o)` looks at `t` itself: Prometheus
        // replaces the offset there (engine.go,
        // rangeEvalTimestampFunctionOverVectorSelector).
        let offset = if sample_times && fixed.is_some() {
            0
        } else {
            selector.offset_ms
        };
        let mut out = Vec::new();
        for series in self.store.select(&selector.matchers) {
            let samples = &series.samples;
            let mut points = Vec::new();
            let pick = |sample: &Sample| {
                if sample_times {
                    sample.t as f64 / 1000.0
                } else {
                    sample.f
                }
            };
            if let Some(at) = fixed {
                if let Some(sample) = latest_sample(samples, at - offset, lookback) {
                    let f = pick(&sample);
                    points.extend((0..steps).map(|i| Sample { t: grid.time(i), f }));
                }
            } else {
                let mut next = 0;
                for i in 0..steps {
                    let t = grid.time(i);
                    let reference = t - offset;
                    while next < samples.len() && samples[next].t <= reference {
                        next += 1;
                    }
                    if next == 0 {
                        continue;
                    }
                    let sample = samples[next - 1];
                    if sample.t > reference - lookback && !is_stale_marker(sample.f) {
                        points.push(Sample {
                            t,
                            f: pick(&sample),
                        });
                    }
                }
            }
            self.charge(points.len())?;
            if !points.is_empty() {
                out.push(Series {
                    labels: series.labels.clone(),
                    samples: points,
                });
            }
        }
        Ok(out)
    }

    /// The raw samples of a range selector evaluated at `t` (an instant
    /// query of `x[5m]`), staleness markers left out.
    pub fn eval_range_raw(&mut self, matrix: &MatrixSelector, t: i64) -> Result<Vec<Series>> {
        let selector = &matrix.selector;
        let end = selector.at.map_or(t, |at| self.resolve_at(at)) - selector.offset_ms;
        let start = end - matrix.range_ms;
        let mut out = Vec::new();
        for series in self.store.select(&selector.matchers) {
            let window = window(&series.samples, start, end);
            let samples: Vec<Sample> = window
                .iter()
                .copied()
                .filter(|s| !is_stale_marker(s.f))
                .collect();
            self.charge(samples.len())?;
            if !samples.is_empty() {
                out.push(Series {
                    labels: series.labels.clone(),
                    samples,
                });
            }
        }
        Ok(out)
    }

    /// The series a range selector reads from, with staleness markers
    /// removed (they never enter a range window).
    pub fn range_source(&self, selector: &VectorSelector) -> Vec<(Labels, Cow<'s, [Sample]>)> {
        let store: &'s SeriesStore = self.store;
        store
            .select(&selector.matchers)
            .map(|series| {
                let samples = if series.samples.iter().any(|s| is_stale_marker(s.f)) {
                    Cow::Owned(
                        series
                            .samples
                            .iter()
                            .copied()
                            .filter(|s| !is_stale_marker(s.f))
                            .collect(),
                    )
                } else {
                    Cow::Borrowed(series.samples.as_slice())
                };
                (series.labels.clone(), samples)
            })
            .collect()
    }

    /// Evaluates a subquery's inner expression on the subquery's own grid,
    /// which covers every window the outer grid will read. Returns the
    /// inner series and that grid.
    pub fn eval_subquery(
        &mut self,
        subquery: &Subquery,
        grid: Grid,
    ) -> Result<(Vec<Series>, Grid)> {
        let inner = self.subquery_grid(subquery, grid)?;
        let series = match self.eval(&subquery.expr, inner)? {
            Value::Vector(series) => series,
            Value::Scalar(values) => vec![Series {
                labels: Labels::empty(),
                samples: values
                    .into_iter()
                    .enumerate()
                    .map(|(i, f)| Sample {
                        t: inner.time(i),
                        f,
                    })
                    .collect(),
            }],
            _ => Vec::new(),
        };
        Ok((series, inner))
    }

    /// Prometheus's `subqueryTimeRange`: from the first multiple of the step
    /// after `start - offset - range` to the outer grid's last step minus
    /// the offset. With `@`, the window sits at that time whatever the step.
    fn subquery_grid(&self, subquery: &Subquery, grid: Grid) -> Result<Grid> {
        let interval = subquery
            .step_ms
            .unwrap_or(self.options.default_subquery_step_ms)
            .max(1);
        let (parent_start, parent_end) = match subquery.at {
            Some(at) => {
                let at = self.resolve_at(at);
                (at, at)
            }
            None => {
                let steps = grid.len().max(1) as i64 - 1;
                (grid.start, grid.start + steps * grid.interval)
            }
        };
        let end = parent_end - subquery.offset_ms;
        let first = parent_start - subquery.offset_ms - subquery.range_ms;
        // Go's integer division truncates towards zero, as Rust's does.
        let mut start = interval * (first / interval);
        if start <= first {
            start += interval;
        }
        let inner = Grid {
            start,
            end,
            interval,
        };
        if inner.len() > self.options.max_samples {
            return Err(EvalError::too_many_samples());
        }
        Ok(inner)
    }
}

/// The latest sample at or before `at` and after `at - lookback`, unless
/// it is a staleness marker.
pub(crate) fn latest_sample(samples: &[Sample], at: i64, lookback: i64) -> Option<Sample> {
    let next = samples.partition_point(|s| s.t <= at);
    let sample = *samples.get(next.checked_sub(1)?)?;
    (sample.t > at - lookback && !is_stale_marker(sample.f)).then_some(sample)
}

/// The samples in `(start, end]`.
pub(crate) fn window(samples: &[Sample], start: i64, end: i64) -> &[Sample] {
    let from = samples.partition_point(|s| s.t <= start);
    let to = samples.partition_point(|s| s.t <= end);
    &samples[from..to.max(from)]
}

/// Series whose labels became equal (after dropping the metric name, say)
/// are merged into one, as Prometheus's `mergeSeriesWithSameLabelset` and
/// range evaluation do; two of them with a point at the same time are the
/// "same labelset" error.
pub(crate) fn merge_same_labels(series: Vec<Series>) -> Result<Vec<Series>> {
    if series.len() < 2 {
        return Ok(series);
    }
    let mut first_of: std::collections::HashMap<Labels, usize> =
        std::collections::HashMap::with_capacity(series.len());
    let mut merged: Vec<Series> = Vec::with_capacity(series.len());
    let mut needs_sort = Vec::new();
    for s in series {
        match first_of.get(&s.labels) {
            Some(&i) => {
                merged[i].samples.extend(s.samples);
                needs_sort.push(i);
            }
            None => {
                first_of.insert(s.labels.clone(), merged.len());
                merged.push(s);
            }
        }
    }
    for i in needs_sort {
        let samples = &mut merged[i].samples;
        sort_copied_by(samples, |a, b| a.t.cmp(&b.t));
        if samples.windows(2).any(|w| w[0].t == w[1].t) {
            return Err(EvalError::same_labelset());
        }
    }
    Ok(merged)
}

/// Prometheus's `ContainsSameLabelset` over a whole result: any two series
/// with equal labels are an error, whether or not their points overlap.
pub(crate) fn check_unique_labels(series: &[Series]) -> Result<()> {
    if series.len() < 2 {
        return Ok(());
    }
    let mut seen = std::collections::HashSet::with_capacity(series.len());
    for s in series {
        if !seen.insert(&s.labels) {
            return Err(EvalError::same_labelset());
        }
    }
    Ok(())
}

/// Label sets numbered in order of first appearance: the order Prometheus's
/// groups (aggregations, histograms, `count_values`) and binary results
/// take in an instant query.
#[derive(Debug, Default)]
pub(crate) struct LabelIndex {
    index_of: std::collections::HashMap<Labels, usize>,
    /// What each number stands for.
    pub labels: Vec<Labels>,
}

impl LabelIndex {
    /// The number of `key`; a new key gets the next number and stands for
    /// `stands_for(&key)`.
    pub fn index(&mut self, key: &Labels, stands_for: impl FnOnce(&Labels) -> Labels) -> usize {
        if let Some(&i) = self.index_of.get(key) {
            return i;
        }
        let i = self.labels.len();
        self.labels.push(stands_for(key));
        self.index_of.insert(key.clone(), i);
        i
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Each numbered label set with its points, leaving out those without
    /// any.
    pub fn into_series(self, points: Vec<Vec<Sample>>) -> Vec<Series> {
        self.labels
            .into_iter()
            .zip(points)
            .filter(|(_, samples)| !samples.is_empty())
            .map(|(labels, samples)| Series { labels, samples })
            .collect()
    }
}

/// Walks several series' points step by step: at each step, which series
/// have a point and its value. `inputs` are in the order they are visited.
pub(crate) struct StepCursor<'a> {
    series: &'a [Series],
    next: Vec<usize>,
}

impl<'a> StepCursor<'a> {
    pub fn new(series: &'a [Series]) -> Self {
        StepCursor {
            series,
            next: vec![0; series.len()],
        }
    }

    /// The series with a point at `t` (which must not decrease between
    /// calls), as `(index, value)`, appended to `out` after clearing it.
    pub fn at(&mut self, t: i64, out: &mut Vec<(usize, f64)>) {
        out.clear();
        for (i, series) in self.series.iter().enumerate() {
            let samples = &series.samples;
            let mut next = self.next[i];
            while next < samples.len() && samples[next].t < t {
                next += 1;
            }
            if next < samples.len() && samples[next].t == t {
                out.push((i, samples[next].f));
                next += 1;
            }
            self.next[i] = next;
        }
    }
}

/// Evaluates `expr` at one time (milliseconds), as an instant query.
pub fn instant_query(
    store: &SeriesStore,
    expr: &Expr,
    t: i64,
    options: QueryOptions,
) -> Result<crate::promql::value::QueryValue> {
    use crate::promql::value::{QueryValue, VectorSample};
    let mut evaluator = Evaluator::new(store, options, t, t);
    Ok(match evaluator.eval(expr, Grid::instant(t))? {
        Value::Scalar(values) => QueryValue::Scalar {
            t,
            f: values.first().copied().unwrap_or(f64::NAN),
        },
        Value::String(s) => QueryValue::String { t, s },
        Value::Vector(series) => QueryValue::Vector(
            series
                .into_iter()
                .filter_map(|s| {
                    s.samples.first().map(|p| VectorSample {
                        labels: s.labels,
                        t,
                        f: p.f,
                    })
                })
                .collect(),
        ),
        Value::Matrix(mut series) => {
            sort_by(&mut series, |a, b| a.labels.cmp(&b.labels));
            QueryValue::Matrix(series)
        }
    })
}

/// Evaluates `expr` at `start`, `start + step`, … up to `end` (all in
/// milliseconds), as a range query. The result is sorted by labels. The
/// expression must be a scalar or an instant vector (the API checks).
pub fn range_query(
    store: &SeriesStore,
    expr: &Expr,
    start: i64,
    end: i64,
    step: i64,
    options: QueryOptions,
) -> Result<Vec<Series>> {
    let grid = Grid {
        start,
        end,
        interval: step.max(1),
    };
    let mut evaluator = Evaluator::new(store, options, start, end);
    let mut series = match evaluator.eval(expr, grid)? {
        Value::Scalar(values) => vec![Series {
            labels: Labels::empty(),
            samples: values
                .into_iter()
                .enumerate()
                .map(|(i, f)| Sample { t: grid.time(i), f })
                .collect(),
        }],
        Value::Vector(series) => series,
        Value::String(_) | Value::Matrix(_) => {
            return Err(EvalError::new(
                "range queries need a scalar or an instant vector",
            ));
        }
    };
    series.retain(|s| !s.samples.is_empty());
    sort_by(&mut series, |a, b| a.labels.cmp(&b.labels));
    Ok(series)
}
