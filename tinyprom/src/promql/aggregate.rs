//! Aggregations: `sum`, `avg`, `min`, `max`, `count`, `group`, `stddev`,
//! `stdvar`, `quantile`, `topk`, `bottomk` and `count_values`, with `by`
//! and `without`, step by step as Prometheus's `rangeEvalAgg`.

use crate::labels::Labels;
use crate::promql::ast::{Aggregate, ExprKind};
use crate::promql::catalog::AggregateOp;
use crate::promql::eval::{EvalError, Evaluator, Grid, LabelIndex, Result, StepCursor, Value};
use crate::promql::functions::unwrap_parens;
use crate::promql::histogram::quantile;
use crate::promql::range_functions::kahan_inc;
use crate::promql::value::{format_go_float, format_plain};
use crate::sort::sort_copied_by;
use crate::storage::{Sample, Series};

pub(crate) fn eval_aggregate(
    ev: &mut Evaluator<'_>,
    aggregate: &Aggregate,
    grid: Grid,
) -> Result<Value> {
    if aggregate.op == AggregateOp::CountValues {
        return count_values(ev, aggregate, grid);
    }
    let param = match &aggregate.param {
        Some(param) => Some(ev.eval_scalar(unwrap_parens(param), grid)?),
        None => None,
    };
    let input = ev.eval_vector(unwrap_parens(&aggregate.expr), grid)?;

    // Each input series' group, in order of first appearance.
    let mut groups = LabelIndex::default();
    let series_group: Vec<usize> = input
        .iter()
        .map(|s| {
            let key = grouping_labels(&s.labels, &aggregate.grouping, aggregate.without);
            groups.index(&key, Labels::clone)
        })
        .collect();

    match aggregate.op {
        AggregateOp::Topk | AggregateOp::Bottomk => top_k(
            ev,
            aggregate.op,
            param.unwrap_or_default(),
            &input,
            &series_group,
            groups.len(),
            grid,
        ),
        op => {
            let mut outputs: Vec<Vec<Sample>> = vec![Vec::new(); groups.len()];
            let mut accumulators: Vec<Group> = vec![Group::default(); groups.len()];
            let mut cursor = StepCursor::new(&input);
            let mut present = Vec::new();
            for i in 0..grid.len() {
                let t = grid.time(i);
                cursor.at(t, &mut present);
                for group in &mut accumulators {
                    group.seen = false;
                }
                for &(s, f) in &present {
                    accumulators[series_group[s]].add(op, f);
                }
                let q = param.as_ref().map_or(f64::NAN, |p| p[i]);
                for (group, output) in accumulators.iter_mut().zip(&mut outputs) {
                    if group.seen {
                        output.push(Sample {
                            t,
                            f: group.result(op, q),
                        });
                    }
                }
            }
            let series = groups.into_series(outputs);
            ev.charge(series.iter().map(|s| s.samples.len()).sum())?;
            Ok(Value::Vector(series))
        }
    }
}

/// The labels of a series' group: `by` keeps the listed labels (the name
/// only if listed), `without` drops them and the name.
fn grouping_labels(labels: &Labels, grouping: &[String], without: bool) -> Labels {
    if without {
        labels.drop_with_name(grouping)
    } else if grouping.is_empty() {
        Labels::empty()
    } else {
        labels.keep(grouping)
    }
}

/// One group's running aggregate at one step.
#[derive(Clone, Debug, Default)]
struct Group {
    seen: bool,
    value: f64,
    mean: f64,
    kahan_c: f64,
    count: f64,
    incremental_mean: bool,
    values: Vec<f64>,
}

impl Group {
    fn add(&mut self, op: AggregateOp, f: f64) {
        if !self.seen {
            *self = Group {
                seen: true,
                value: f,
                mean: f,
                kahan_c: 0.0,
                count: 1.0,
                incremental_mean: false,
                values: std::mem::take(&mut self.values),
            };
            match op {
                AggregateOp::Stddev | AggregateOp::Stdvar => {
                    self.value = if f.is_nan() || f.is_infinite() {
                        f64::NAN
                    } else {
                        0.0
                    };
                }
                AggregateOp::Quantile => {
                    self.values.clear();
                    self.values.push(f);
                }
                AggregateOp::Group => self.value = 1.0,
                _ => {}
            }
            return;
        }
        match op {
            AggregateOp::Sum => (self.value, self.kahan_c) = kahan_inc(f, self.value, self.kahan_c),
            AggregateOp::Avg => {
                self.count += 1.0;
                if !self.incremental_mean {
                    let (sum, c) = kahan_inc(f, self.value, self.kahan_c);
                    if !sum.is_infinite() {
                        self.value = sum;
                        self.kahan_c = c;
                        return;
                    }
                    // The sum would overflow: go on with the mean instead.
                    self.incremental_mean = true;
                    self.mean = self.value / (self.count - 1.0);
                    self.kahan_c /= self.count - 1.0;
                }
                let q = (self.count - 1.0) / self.count;
                (self.mean, self.kahan_c) =
                    kahan_inc(f / self.count, q * self.mean, q * self.kahan_c);
            }
            AggregateOp::Max => {
                if self.value < f || self.value.is_nan() {
                    self.value = f;
                }
            }
            AggregateOp::Min => {
                if self.value > f || self.value.is_nan() {
                    self.value = f;
                }
            }
            AggregateOp::Count => self.count += 1.0,
            AggregateOp::Stddev | AggregateOp::Stdvar => {
                self.count += 1.0;
                let delta = f - self.mean;
                self.mean += delta / self.count;
                self.value += delta * (f - self.mean);
            }
            AggregateOp::Quantile => self.values.push(f),
            AggregateOp::Group
            | AggregateOp::Topk
            | AggregateOp::Bottomk
            | AggregateOp::CountValues => {}
        }
    }

    fn result(&mut self, op: AggregateOp, q: f64) -> f64 {
        match op {
            AggregateOp::Sum => self.value + self.kahan_c,
            AggregateOp::Avg if self.incremental_mean => self.mean + self.kahan_c,
            AggregateOp::Avg => self.value / self.count + self.kahan_c / self.count,
            AggregateOp::Count => self.count,
            AggregateOp::Stdvar => self.value / self.count,
            AggregateOp::Stddev => (self.value / self.count).sqrt(),
            AggregateOp::Quantile => quantile(q, &mut self.values),
            _ => self.value,
        }
    }
}

/// Go's `math.Max`/`math.Min` over the parameter's values: NaN wins.
fn go_max_min(values: &[f64]) -> (f64, f64) {
    let mut max = -f64::MAX;
    let mut min = f64::MAX;
    for &v in values {
        max = if max.is_nan() || v.is_nan() {
            f64::NAN
        } else {
            max.max(v)
        };
        min = if min.is_nan() || v.is_nan() {
            f64::NAN
        } else {
            min.min(v)
        };
    }
    (max, min)
}

/// `topk` and `bottomk`: per step and group, the k best samples, kept with
/// their own labels. Go's heap is reproduced so that ties pick the same
/// series as Prometheus.
fn top_k(
    ev: &mut Evaluator<'_>,
    op: AggregateOp,
    k_values: Vec<f64>,
    input: &[Series],
    series_group: &[usize],
    group_count: usize,
    grid: Grid,
) -> Result<Value> {
    let (max, min) = go_max_min(&k_values);
    if k_values.is_empty() || max < 1.0 {
        return Ok(Value::Vector(Vec::new()));
    }
    if k_values.iter().any(|k| k.is_nan()) {
        return Err(EvalError::new("Parameter value is NaN"));
    }
    if min <= i64::MIN as f64 {
        return Err(EvalError::new(format!(
            "Scalar value {} underflows int64",
            format_go_float(min)
        )));
    }
    if max >= i64::MAX as f64 {
        return Err(EvalError::new(format!(
            "Scalar value {} overflows int64",
            format_go_float(max)
        )));
    }
    let top = op == AggregateOp::Topk;
    // Heap order: the root is the sample to evict first.
    let less = |a: f64, b: f64| a.is_nan() || if top { a < b } else { a > b };
    let mut heaps: Vec<Vec<(usize, f64)>> = vec![Vec::new(); group_count];
    let mut seen = vec![false; group_count];
    let mut outputs: Vec<Vec<Sample>> = vec![Vec::new(); input.len()];
    let mut instant_order: Vec<usize> = Vec::new();
    let mut cursor = StepCursor::new(input);
    let mut present = Vec::new();
    for (i, &k) in k_values.iter().enumerate().take(grid.len()) {
        let t = grid.time(i);
        cursor.at(t, &mut present);
        let k = (k as i64).min(input.len() as i64);
        if k < 1 {
            continue;
        }
        let k = k as usize;
        for heap in &mut heaps {
            heap.clear();
        }
        seen.iter_mut().for_each(|s| *s = false);
        for &(s, f) in &present {
            let g = series_group[s];
            let heap = &mut heaps[g];
            if !seen[g] {
                seen[g] = true;
                heap.push((s, f));
                continue;
            }
            if heap.len() < k {
                heap.push((s, f));
                let last = heap.len() - 1;
                heap_up(heap, last, &less);
            } else {
                let root = heap[0].1;
                let better = if top { root < f } else { root > f };
                if better || (root.is_nan() && !f.is_nan()) {
                    heap[0] = (s, f);
                    if k > 1 {
                        let len = heap.len();
                        if !heap_down(heap, 0, len, &less) {
                            heap_up(heap, 0, &less);
                        }
                    }
                }
            }
        }
        for heap in &mut heaps {
            // Best first, NaN last.
            sort_copied_by(heap, |a, b| {
                use std::cmp::Ordering;
                match (a.1.is_nan(), b.1.is_nan()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    _ if top => b.1.partial_cmp(&a.1).unwrap_or(Ordering::Equal),
                    _ => a.1.partial_cmp(&b.1).unwrap_or(Ordering::Equal),
                }
            });
            for &(s, f) in heap.iter() {
                outputs[s].push(Sample { t, f });
                if grid.is_instant() {
                    instant_order.push(s);
                }
            }
        }
    }
    let order: Vec<usize> = if grid.is_instant() {
        instant_order
    } else {
        (0..input.len()).collect()
    };
    let mut series: Vec<Series> = Vec::new();
    for s in order {
        let samples = std::mem::take(&mut outputs[s]);
        if !samples.is_empty() {
            series.push(Series {
                labels: input[s].labels.clone(),
                samples,
            });
        }
    }
    ev.charge(series.iter().map(|s| s.samples.len()).sum())?;
    Ok(Value::Vector(series))
}

/// Go's `container/heap` sift-up.
fn heap_up(heap: &mut [(usize, f64)], mut j: usize, less: &impl Fn(f64, f64) -> bool) {
    while j > 0 {
        let parent = (j - 1) / 2;
        if !less(heap[j].1, heap[parent].1) {
            break;
        }
        heap.swap(parent, j);
        j = parent;
    }
}

/// Go's `container/heap` sift-down; whether the element moved.
fn heap_down(
    heap: &mut [(usize, f64)],
    i0: usize,
    n: usize,
    less: &impl Fn(f64, f64) -> bool,
) -> bool {
    let mut i = i0;
    loop {
        let left = 2 * i + 1;
        if left >= n {
            break;
        }
        let mut j = left;
        let right = left + 1;
        if right < n && less(heap[right].1, heap[left].1) {
            j = right;
        }
        if !less(heap[j].1, heap[i].1) {
            break;
        }
        heap.swap(i, j);
        i = j;
    }
    i > i0
}

/// `count_values("label", v)`: per step, how many samples have each value,
/// the value written into `label`.
fn count_values(ev: &mut Evaluator<'_>, aggregate: &Aggregate, grid: Grid) -> Result<Value> {
    let value_label = match aggregate.param.as_deref().map(|p| &unwrap_parens(p).kind) {
        Some(ExprKind::String(label)) => label.clone(),
        _ => String::new(),
    };
    if value_label.is_empty() {
        return Err(EvalError::new("invalid label name \"\""));
    }
    let mut grouping = aggregate.grouping.clone();
    if !aggregate.without {
        grouping.push(value_label.clone());
    }
    let input = ev.eval_vector(unwrap_parens(&aggregate.expr), grid)?;
    let mut outputs = LabelIndex::default();
    let mut points: Vec<Vec<Sample>> = Vec::new();
    let mut cursor = StepCursor::new(&input);
    let mut present = Vec::new();
    // Counts of this step, by output series, and which ones were touched.
    let mut counts: Vec<f64> = Vec::new();
    let mut touched: Vec<usize> = Vec::new();
    for i in 0..grid.len() {
        let t = grid.time(i);
        cursor.at(t, &mut present);
        touched.clear();
        for &(s, f) in &present {
            let mut builder = input[s].labels.to_builder();
            builder.set(value_label.clone(), format_plain(f));
            let labels = grouping_labels(&builder.build(), &grouping, aggregate.without);
            let index = outputs.index(&labels, Labels::clone);
            if index == points.len() {
                points.push(Vec::new());
                counts.push(0.0);
            }
            if counts[index] == 0.0 {
                touched.push(index);
            }
            counts[index] += 1.0;
        }
        for &index in &touched {
            points[index].push(Sample {
                t,
                f: counts[index],
            });
            counts[index] = 0.0;
        }
    }
    let series = outputs.into_series(points);
    ev.charge(series.iter().map(|s| s.samples.len()).sum())?;
    Ok(Value::Vector(series))
}
