//! Binary operators: between scalars, between a vector and a scalar, and
//! between two vectors with `on`/`ignoring` and `group_left`/`group_right`
//! matching, step by step as Prometheus's `VectorBinop` and set operators.

use std::collections::HashMap;

use crate::labels::{Labels, METRIC_NAME};
use crate::promql::ast::{Binary, BinaryOp, Cardinality, VectorMatching};
use crate::promql::eval::{
    merge_same_labels, EvalError, Evaluator, Grid, LabelIndex, Result, StepCursor, Value,
};
use crate::storage::{Sample, Series};

pub(crate) fn eval_binary(ev: &mut Evaluator<'_>, binary: &Binary, grid: Grid) -> Result<Value> {
    let lhs = ev.eval(&binary.lhs, grid)?;
    let rhs = ev.eval(&binary.rhs, grid)?;
    let op = binary.op;
    match (lhs, rhs) {
        (Value::Scalar(l), Value::Scalar(r)) => Ok(Value::Scalar(
            l.into_iter()
                .zip(r)
                .map(|(l, r)| scalar_op(op, l, r))
                .collect(),
        )),
        (Value::Vector(l), Value::Scalar(r)) => {
            vector_scalar(op, l, &r, false, binary.return_bool, grid)
        }
        (Value::Scalar(l), Value::Vector(r)) => {
            vector_scalar(op, r, &l, true, binary.return_bool, grid)
        }
        (Value::Vector(l), Value::Vector(r)) => {
            let series = if op.is_set_operator() {
                set_operation(op, l, r, &binary.matching, grid)
            } else {
                vector_vector(op, l, r, &binary.matching, binary.return_bool, grid)?
            };
            ev.charge(series.iter().map(|s| s.samples.len()).sum())?;
            Ok(Value::Vector(series))
        }
        _ => Err(EvalError::new(format!(
            "binary expression must contain only scalar and instant vector types (operator {})",
            op.as_str()
        ))),
    }
}

/// Two scalars: arithmetic, or a comparison as 0 or 1 (`bool` is
/// required there, the parser checks it).
fn scalar_op(op: BinaryOp, l: f64, r: f64) -> f64 {
    let truth = |b: bool| if b { 1.0 } else { 0.0 };
    match op {
        BinaryOp::Eq => truth(l == r),
        BinaryOp::Ne => truth(l != r),
        BinaryOp::Gt => truth(l > r),
        BinaryOp::Lt => truth(l < r),
        BinaryOp::Ge => truth(l >= r),
        BinaryOp::Le => truth(l <= r),
        _ => arithmetic(op, l, r),
    }
}

/// The arithmetic operators, with Go's semantics (`%` is `math.Mod`,
/// `^` is `math.Pow`).
fn arithmetic(op: BinaryOp, l: f64, r: f64) -> f64 {
    match op {
        BinaryOp::Add => l + r,
        BinaryOp::Sub => l - r,
        BinaryOp::Mul => l * r,
        BinaryOp::Div => l / r,
        BinaryOp::Mod => l % r,
        BinaryOp::Pow => l.powf(r),
        BinaryOp::Atan2 => l.atan2(r),
        _ => f64::NAN,
    }
}

/// One pair of sample values: the result and whether to keep it (a
/// comparison that is false filters the sample out).
fn element_op(op: BinaryOp, l: f64, r: f64) -> (f64, bool) {
    match op {
        BinaryOp::Eq => (l, l == r),
        BinaryOp::Ne => (l, l != r),
        BinaryOp::Gt => (l, l > r),
        BinaryOp::Lt => (l, l < r),
        BinaryOp::Ge => (l, l >= r),
        BinaryOp::Le => (l, l <= r),
        _ => (arithmetic(op, l, r), true),
    }
}

/// Whether the result loses the metric name: arithmetic changes what the
/// value means.
fn drops_name(op: BinaryOp) -> bool {
    !op.is_comparison() && !op.is_set_operator()
}

/// A vector and a scalar (`swap`: the scalar is on the left). Comparisons
/// keep the vector's value even when the scalar is on the left.
fn vector_scalar(
    op: BinaryOp,
    vector: Vec<Series>,
    scalar: &[f64],
    swap: bool,
    return_bool: bool,
    grid: Grid,
) -> Result<Value> {
    let drop_name = drops_name(op) || return_bool;
    let mapped = vector
        .into_iter()
        .map(|s| {
            let samples = s
                .samples
                .into_iter()
                .filter_map(|p| {
                    let other = scalar[grid.index(p.t)];
                    let (l, r) = if swap { (other, p.f) } else { (p.f, other) };
                    let (mut value, keep) = element_op(op, l, r);
                    if op.is_comparison() && swap {
                        value = p.f;
                    }
                    if return_bool {
                        Some(Sample {
                            t: p.t,
                            f: if keep { 1.0 } else { 0.0 },
                        })
                    } else {
                        keep.then_some(Sample { t: p.t, f: value })
                    }
                })
                .collect();
            Series {
                labels: if drop_name {
                    s.labels.without_metric_name()
                } else {
                    s.labels
                },
                samples,
            }
        })
        .filter(|s: &Series| !s.samples.is_empty())
        .collect();
    Ok(Value::Vector(merge_same_labels(mapped)?))
}

/// The labels two series are matched on: only the `on` labels, or all but
/// the `ignoring` labels and the name.
pub(crate) fn match_labels(labels: &Labels, matching: &VectorMatching) -> Labels {
    if matching.on {
        labels.keep(&matching.labels)
    } else {
        labels.drop_with_name(&matching.labels)
    }
}

/// Numbers the distinct match signatures of both sides.
fn signatures(
    lhs: &[Series],
    rhs: &[Series],
    matching: &VectorMatching,
) -> (Vec<usize>, Vec<usize>, usize) {
    let mut ordinal: HashMap<Labels, usize> = HashMap::new();
    let mut sig = |s: &Series| {
        let next = ordinal.len();
        *ordinal
            .entry(match_labels(&s.labels, matching))
            .or_insert(next)
    };
    let l = lhs.iter().map(&mut sig).collect();
    let r = rhs.iter().map(&mut sig).collect();
    (l, r, ordinal.len())
}

/// Collects result series: one per distinct label set, points appended in
/// step order.
struct Output {
    index: LabelIndex,
    points: Vec<Vec<Sample>>,
    written_at: Vec<usize>,
}

impl Output {
    fn new() -> Self {
        Output {
            index: LabelIndex::default(),
            points: Vec::new(),
            written_at: Vec::new(),
        }
    }

    fn index(&mut self, labels: &Labels) -> usize {
        let i = self.index.index(labels, Labels::clone);
        if i == self.points.len() {
            self.points.push(Vec::new());
            self.written_at.push(usize::MAX);
        }
        i
    }

    /// Adds a point at `step`; a second point for the same series at the
    /// same step is Prometheus's "same labelset" error.
    fn push(&mut self, index: usize, step: usize, sample: Sample) -> Result<()> {
        if self.written_at[index] == step {
            return Err(EvalError::same_labelset());
        }
        self.written_at[index] = step;
        self.points[index].push(sample);
        Ok(())
    }

    fn finish(self) -> Vec<Series> {
        self.index.into_series(self.points)
    }
}

/// `and`, `or`, `unless`: which series of each side are present at each
/// step, compared by match signature.
fn set_operation(
    op: BinaryOp,
    lhs: Vec<Series>,
    rhs: Vec<Series>,
    matching: &VectorMatching,
    grid: Grid,
) -> Vec<Series> {
    let (lhs_sig, rhs_sig, sig_count) = signatures(&lhs, &rhs, matching);
    let mut output = Output::new();
    let lhs_out: Vec<usize> = lhs.iter().map(|s| output.index(&s.labels)).collect();
    let rhs_out: Vec<usize> = if op == BinaryOp::Or {
        rhs.iter().map(|s| output.index(&s.labels)).collect()
    } else {
        Vec::new()
    };
    let mut lhs_cursor = StepCursor::new(&lhs);
    let mut rhs_cursor = StepCursor::new(&rhs);
    let (mut lhs_present, mut rhs_present) = (Vec::new(), Vec::new());
    let mut sig_present = vec![usize::MAX; sig_count];
    for step in 0..grid.len() {
        let t = grid.time(step);
        lhs_cursor.at(t, &mut lhs_present);
        rhs_cursor.at(t, &mut rhs_present);
        let mut push = |out: usize, f: f64| {
            // Same labels on both sides of `or` are one series; the left
            // one wins, so a clash cannot happen here.
            let points = &mut output.points[out];
            if points.last().is_none_or(|p| p.t != t) {
                points.push(Sample { t, f });
            }
        };
        match op {
            BinaryOp::And | BinaryOp::Unless => {
                if op == BinaryOp::And && (lhs_present.is_empty() || rhs_present.is_empty()) {
                    continue;
                }
                for &(j, _) in &rhs_present {
                    sig_present[rhs_sig[j]] = step;
                }
                for &(i, f) in &lhs_present {
                    let matched = sig_present[lhs_sig[i]] == step;
                    if matched == (op == BinaryOp::And) {
                        push(lhs_out[i], f);
                    }
                }
            }
            _ => {
                for &(i, f) in &lhs_present {
                    sig_present[lhs_sig[i]] = step;
                    push(lhs_out[i], f);
                }
                for &(j, f) in &rhs_present {
                    if sig_present[rhs_sig[j]] != step {
                        push(rhs_out[j], f);
                    }
                }
            }
        }
    }
    output.finish()
}

/// Arithmetic and comparisons between two vectors: each series of the
/// "many" side is paired with the one series of the other side that has the
/// same match signature at that step.
fn vector_vector(
    op: BinaryOp,
    lhs: Vec<Series>,
    rhs: Vec<Series>,
    matching: &VectorMatching,
    return_bool: bool,
    grid: Grid,
) -> Result<Vec<Series>> {
    let (lhs_sig, rhs_sig, sig_count) = signatures(&lhs, &rhs, matching);
    // For group_right the right side is the "many" side: swap, and swap the
    // values back for the operation.
    let swapped = matching.card == Cardinality::OneToMany;
    let (many, one, many_sig, one_sig) = if swapped {
        (&rhs, &lhs, &rhs_sig, &lhs_sig)
    } else {
        (&lhs, &rhs, &lhs_sig, &rhs_sig)
    };
    let mut many_cursor = StepCursor::new(many);
    let mut one_cursor = StepCursor::new(one);
    let (mut many_present, mut one_present) = (Vec::new(), Vec::new());
    // Per signature: the step it was last seen on the "one" side and which
    // sample; the step it was last matched (one-to-one).
    let mut one_seen_at = vec![usize::MAX; sig_count];
    let mut one_sample = vec![(0usize, 0.0f64); sig_count];
    let mut matched_at = vec![usize::MAX; sig_count];
    let mut pair_output: HashMap<(usize, usize), usize> = HashMap::new();
    // Many-to-one: the step and signature each result series was last
    // produced for.
    let mut inserted: Vec<(usize, usize)> = Vec::new();
    let mut output = Output::new();
    let drop_name = drops_name(op) || return_bool;
    for step in 0..grid.len() {
        let t = grid.time(step);
        many_cursor.at(t, &mut many_present);
        one_cursor.at(t, &mut one_present);
        if many_present.is_empty() || one_present.is_empty() {
            continue;
        }
        for &(j, f) in &one_present {
            let sig = one_sig[j];
            if one_seen_at[sig] == step {
                let side = if swapped { "left" } else { "right" };
                let (first, second) = (&one[one_sample[sig].0].labels, &one[j].labels);
                let (mut a, mut b) = (second.braces_text(), first.braces_text());
                if a > b {
                    std::mem::swap(&mut a, &mut b);
                }
                return Err(EvalError::new(format!(
                    "found duplicate series for the match group {} on the {side} hand-side of the operation: [{a}, {b}];many-to-many matching not allowed: matching labels must be unique on one side",
                    match_labels(&one[j].labels, matching).braces_text()
                )));
            }
            one_seen_at[sig] = step;
            one_sample[sig] = (j, f);
        }
        for &(i, f) in &many_present {
            let sig = many_sig[i];
            if one_seen_at[sig] != step {
                continue;
            }
            let (j, one_f) = one_sample[sig];
            let (l, r) = if swapped { (one_f, f) } else { (f, one_f) };
            let (value, keep) = element_op(op, l, r);
            let out = match pair_output.get(&(i, j)) {
                Some(&out) => out,
                None => {
                    let labels =
                        result_labels(&many[i].labels, &one[j].labels, matching, drop_name);
                    let out = output.index(&labels);
                    pair_output.insert((i, j), out);
                    out
                }
            };
            if matching.card == Cardinality::OneToOne {
                if matched_at[sig] == step {
                    return Err(EvalError::new(
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)",
                    ));
                }
                matched_at[sig] = step;
            } else {
                if inserted.len() <= out {
                    inserted.resize(out + 1, (usize::MAX, usize::MAX));
                }
                if inserted[out] == (step, sig) {
                    return Err(EvalError::new(
                        "multiple matches for labels: grouping labels must ensure unique matches",
                    ));
                }
                inserted[out] = (step, sig);
            }
            if return_bool {
                output.push(
                    out,
                    step,
                    Sample {
                        t,
                        f: if keep { 1.0 } else { 0.0 },
                    },
                )?;
            } else if keep {
                output.push(out, step, Sample { t, f: value })?;
            }
        }
    }
    Ok(output.finish())
}

/// Prometheus's `resultMetric`: the "many" side's labels, without the name
/// for arithmetic and `bool`, reduced to the `on` labels (or without the
/// `ignoring` ones) for one-to-one matching, plus the `group_x` labels
/// copied from the "one" side.
fn result_labels(
    many: &Labels,
    one: &Labels,
    matching: &VectorMatching,
    drop_name: bool,
) -> Labels {
    let mut builder = many.to_builder();
    if drop_name {
        builder.del(METRIC_NAME);
    }
    if matching.card == Cardinality::OneToOne {
        if matching.on {
            let mut kept = Labels::empty().to_builder();
            for label in builder.clone().build().iter() {
                if matching.labels.contains(&label.name) {
                    kept.set(label.name.clone(), label.value.clone());
                }
            }
            builder = kept;
        } else {
            for name in &matching.labels {
                builder.del(name);
            }
        }
    }
    for name in &matching.include {
        match one.get(name) {
            Some(value) => builder.set(name.clone(), value),
            None => builder.del(name),
        };
    }
    builder.build()
}
