//! Explaining a query: its tree of sub-expressions, each evaluated on its
//! own with a sentence saying what it does, which series a binary operator
//! paired, and for `rate()` and its kin over one series, every number
//! behind the result.

use crate::labels::{quoted, Labels, MatchOp, METRIC_NAME};
use crate::promql::ast::{
    At, Binary, BinaryOp, Call, Cardinality, Expr, ExprKind, MatrixSelector, UnaryOp,
    VectorMatching, VectorSelector,
};
use crate::promql::binary::match_labels;
use crate::promql::catalog::Function;
use crate::promql::duration::format_duration;
use crate::promql::eval::{instant_query, QueryOptions};
use crate::promql::range_functions::{extrapolate, instant_value, Window};
pub use crate::promql::range_functions::{EdgeRule, Extrapolation};
use crate::promql::value::{format_value, QueryValue};
use crate::storage::{is_stale_marker, Sample, SeriesStore};

/// One node of the explained tree.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplainNode {
    /// The sub-expression, as written in the query.
    pub text: String,
    /// What it does, in one sentence.
    pub description: String,
    /// Its own value at the explained time.
    pub result: NodeResult,
    /// For a binary operation between two vectors: how the sides paired.
    pub matching: Option<MatchSummary>,
    /// Its operands, in the order written.
    pub children: Vec<ExplainNode>,
}

/// A node's value, summarised.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeResult {
    /// A scalar.
    Scalar(f64),
    /// A string.
    String(String),
    /// An instant vector: how many series, and the first few.
    Vector {
        /// Series in the result.
        count: usize,
        /// Up to [`PREVIEW`] of them: labels and value as the API prints it.
        preview: Vec<(Labels, String)>,
    },
    /// A range vector: how many series and samples.
    Matrix {
        /// Series in the result.
        series: usize,
        /// Samples over all of them.
        samples: usize,
    },
    /// The evaluation failed.
    Error(String),
}

/// How many series a node's preview lists.
pub const PREVIEW: usize = 5;

/// Which series a binary operation between vectors paired.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchSummary {
    /// The labels both sides were matched on, as a phrase: `on (job)`,
    /// `all labels but the name`.
    pub matched_on: String,
    /// Pairs made: the left and the right series' labels (at most
    /// [`PREVIEW`]).
    pub pairs: Vec<(Labels, Labels)>,
    /// How many pairs in all.
    pub pair_count: usize,
    /// Left series without a partner.
    pub unmatched_left: Vec<Labels>,
    /// Right series without a partner.
    pub unmatched_right: Vec<Labels>,
}

/// Explains `expr`, parsed from `query`, evaluated at `t` (milliseconds).
/// Each node shows its own slice of `query`: what the visitor wrote, and
/// the printer stays out of the wasm page.
pub fn explain(store: &SeriesStore, query: &str, expr: &Expr, t: i64) -> ExplainNode {
    let result = evaluate(store, expr, t);
    let children: Vec<ExplainNode> = match &expr.kind {
        // Parentheses explain nothing themselves: show what they hold.
        ExprKind::Paren(inner) => return explain(store, query, inner, t),
        _ => expr
            .children()
            .into_iter()
            .map(|child| explain(store, query, child, t))
            .collect(),
    };
    let matching = match &expr.kind {
        ExprKind::Binary(binary) => match_summary(store, binary, t),
        _ => None,
    };
    ExplainNode {
        text: expr.span.of(query).to_owned(),
        description: describe(expr),
        result,
        matching,
        children,
    }
}

fn evaluate(store: &SeriesStore, expr: &Expr, t: i64) -> NodeResult {
    match instant_query(store, expr, t, QueryOptions::default()) {
        Ok(QueryValue::Scalar { f, .. }) => NodeResult::Scalar(f),
        Ok(QueryValue::String { s, .. }) => NodeResult::String(s),
        Ok(QueryValue::Vector(samples)) => NodeResult::Vector {
            count: samples.len(),
            preview: samples
                .into_iter()
                .take(PREVIEW)
                .map(|s| (s.labels, format_value(s.f)))
                .collect(),
        },
        Ok(QueryValue::Matrix(series)) => NodeResult::Matrix {
            series: series.len(),
            samples: series.iter().map(|s| s.samples.len()).sum(),
        },
        Err(error) => NodeResult::Error(error.message),
    }
}

/// One sentence on what a node does.
fn describe(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Number(value) => format!("The number {}.", format_value(*value)),
        ExprKind::String(text) => format!("The string {}.", quoted(text)),
        ExprKind::Selector(selector) => format!(
            "The latest sample, at most 5 minutes old, of each series {}{}.",
            selection(selector),
            modifiers(selector.offset_ms, selector.at)
        ),
        ExprKind::Range(MatrixSelector { selector, range_ms }) => format!(
            "Every sample of the last {} of each series {}{}.",
            format_duration(*range_ms),
            selection(selector),
            modifiers(selector.offset_ms, selector.at)
        ),
        ExprKind::Subquery(subquery) => format!(
            "The inner query evaluated every {} over the last {}{}, as a range vector.",
            subquery
                .step_ms
                .map_or_else(|| "minute (the default)".to_owned(), format_duration),
            format_duration(subquery.range_ms),
            modifiers(subquery.offset_ms, subquery.at)
        ),
        ExprKind::Call(Call { func, .. }) => func.def().doc.to_owned(),
        ExprKind::Aggregate(aggregate) => {
            let doc = aggregate.op.def().doc.trim_end_matches('.');
            let groups = if aggregate.without {
                format!(
                    ", grouping by every label but ({}) and the name",
                    aggregate.grouping.join(", ")
                )
            } else if aggregate.grouping.is_empty() {
                ", all series in one group, labels dropped".to_owned()
            } else {
                format!(", grouping by ({})", aggregate.grouping.join(", "))
            };
            format!("{doc}{groups}.")
        }
        ExprKind::Binary(binary) => describe_binary(binary),
        ExprKind::Unary(unary) => match unary.op {
            UnaryOp::Neg => "Each value negated (the metric name is dropped).".to_owned(),
            UnaryOp::Plus => "The same values (a unary plus changes nothing).".to_owned(),
        },
        ExprKind::Paren(_) => "The expression in parentheses.".to_owned(),
    }
}

/// `named requests_total with status="200"`.
fn selection(selector: &VectorSelector) -> String {
    let mut parts = Vec::new();
    let mut name = None;
    for matcher in &selector.matchers {
        if matcher.name == METRIC_NAME && matcher.op == MatchOp::Equal {
            name = Some(matcher.value.clone());
        } else {
            parts.push(matcher.to_string());
        }
    }
    let mut out = match name {
        Some(name) => format!("named {name}"),
        None => "of any name".to_owned(),
    };
    if !parts.is_empty() {
        out.push_str(" with ");
        out.push_str(&parts.join(", "));
    }
    out
}

fn modifiers(offset_ms: i64, at: Option<At>) -> String {
    let mut out = String::new();
    match at {
        Some(At::Time(t)) => {
            out.push_str(&format!(", as of time {}", format_value(t as f64 / 1000.0)))
        }
        Some(At::Start) => out.push_str(", as of the query's start"),
        Some(At::End) => out.push_str(", as of the query's end"),
        None => {}
    }
    if offset_ms > 0 {
        out.push_str(&format!(", {} earlier", format_duration(offset_ms)));
    } else if offset_ms < 0 {
        out.push_str(&format!(", {} later", format_duration(-offset_ms)));
    }
    out
}

fn describe_binary(binary: &Binary) -> String {
    let (lhs_vector, rhs_vector) = (
        binary.lhs.value_type() != crate::promql::ast::ValueType::Scalar,
        binary.rhs.value_type() != crate::promql::ast::ValueType::Scalar,
    );
    let op = binary.op;
    let verb = match op {
        BinaryOp::Add => "adds the right value to the left",
        BinaryOp::Sub => "subtracts the right value from the left",
        BinaryOp::Mul => "multiplies the left value by the right",
        BinaryOp::Div => "divides the left value by the right",
        BinaryOp::Mod => "takes the remainder of the left value divided by the right",
        BinaryOp::Pow => "raises the left value to the power of the right",
        BinaryOp::Atan2 => "takes the arctangent of left / right",
        BinaryOp::And => {
            return format!(
                "Keeps the left series that have a partner on the right ({}).",
                matched_on(&binary.matching)
            )
        }
        BinaryOp::Or => {
            return format!(
                "All left series, plus the right ones without a partner on the left ({}).",
                matched_on(&binary.matching)
            )
        }
        BinaryOp::Unless => {
            return format!(
                "Keeps the left series without a partner on the right ({}).",
                matched_on(&binary.matching)
            )
        }
        _ if binary.return_bool => "compares the two values: 1 if true, 0 if false",
        BinaryOp::Eq => "keeps the left samples equal to the right",
        BinaryOp::Ne => "keeps the left samples not equal to the right",
        BinaryOp::Gt => "keeps the left samples greater than the right",
        BinaryOp::Lt => "keeps the left samples less than the right",
        BinaryOp::Ge => "keeps the left samples greater than or equal to the right",
        BinaryOp::Le => "keeps the left samples less than or equal to the right",
    };
    let mut sentence = match (lhs_vector, rhs_vector) {
        (true, true) => format!(
            "For each pair of series with the same labels ({}), {verb}",
            matched_on(&binary.matching)
        ),
        (true, false) | (false, true) => format!("For each series, {verb}"),
        (false, false) => format!("On two numbers, {verb}"),
    };
    match binary.matching.card {
        Cardinality::ManyToOne if lhs_vector && rhs_vector => {
            sentence.push_str("; many left series may share one right series (group_left)")
        }
        Cardinality::OneToMany if lhs_vector && rhs_vector => {
            sentence.push_str("; many right series may share one left series (group_right)")
        }
        _ => {}
    }
    if !binary.op.is_comparison() || binary.return_bool {
        sentence.push_str(", dropping the metric name");
    }
    let mut chars = sentence.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_ascii_uppercase(), chars.as_str()),
        None => sentence,
    }
}

fn matched_on(matching: &VectorMatching) -> String {
    if matching.on {
        format!("on ({})", matching.labels.join(", "))
    } else if matching.labels.is_empty() {
        "all labels but the name".to_owned()
    } else {
        format!(
            "all labels but the name and ({})",
            matching.labels.join(", ")
        )
    }
}

/// Pairs the two sides' series the way the operator does: by the labels
/// it matches on. Only for operations between two instant vectors.
fn match_summary(store: &SeriesStore, binary: &Binary, t: i64) -> Option<MatchSummary> {
    let side = |expr: &Expr| match instant_query(store, expr, t, QueryOptions::default()) {
        Ok(QueryValue::Vector(samples)) => {
            Some(samples.into_iter().map(|s| s.labels).collect::<Vec<_>>())
        }
        _ => None,
    };
    let (left, right) = (side(&binary.lhs)?, side(&binary.rhs)?);
    let signature = |labels: &Labels| match_labels(labels, &binary.matching);
    let right_signatures: Vec<Labels> = right.iter().map(signature).collect();
    let left_signatures: Vec<Labels> = left.iter().map(signature).collect();
    let mut pairs = Vec::new();
    let mut pair_count = 0;
    let mut unmatched_left = Vec::new();
    for (labels, sig) in left.iter().zip(&left_signatures) {
        let mut found = false;
        for (other, other_sig) in right.iter().zip(&right_signatures) {
            if sig == other_sig {
                found = true;
                pair_count += 1;
                if pairs.len() < PREVIEW {
                    pairs.push((labels.clone(), other.clone()));
                }
            }
        }
        if !found {
            unmatched_left.push(labels.clone());
        }
    }
    let unmatched_right = right
        .iter()
        .zip(&right_signatures)
        .filter(|(_, sig)| !left_signatures.contains(sig))
        .map(|(labels, _)| labels.clone())
        .collect();
    Some(MatchSummary {
        matched_on: matched_on(&binary.matching),
        pairs,
        pair_count,
        unmatched_left,
        unmatched_right,
    })
}

/// The numbers behind `rate`, `increase`, `delta`, `irate` or `idelta` of
/// one series at one time.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowExplanation {
    /// The function.
    pub func: Function,
    /// The series.
    pub labels: Labels,
    /// The window's exclusive start and inclusive end, in milliseconds.
    pub range_start: i64,
    /// The window's end.
    pub range_end: i64,
    /// Samples inside the window (staleness markers left out).
    pub samples: Vec<Sample>,
    /// Samples just before the window, for context on a drawing.
    pub before: Vec<Sample>,
    /// For `rate`, `increase`, `delta`: the whole computation.
    pub extrapolation: Option<Extrapolation>,
    /// For `irate`, `idelta`: the result from the last two samples.
    pub instant: Option<f64>,
}

/// Explains `call` (one of the window functions over a plain range
/// selector) for the series with `labels`, at `t`. `None` for other calls
/// or a series the selector does not select.
pub fn explain_window(
    store: &SeriesStore,
    call: &Call,
    labels: &Labels,
    t: i64,
) -> Option<WindowExplanation> {
    let (is_counter, is_rate) = match call.func {
        Function::Rate => (true, true),
        Function::Increase => (true, false),
        Function::Delta => (false, false),
        Function::Irate => (true, true),
        Function::Idelta => (false, false),
        _ => return None,
    };
    let arg = call.args.first()?;
    let mut arg = arg;
    while let ExprKind::Paren(inner) = &arg.kind {
        arg = inner;
    }
    let ExprKind::Range(MatrixSelector { selector, range_ms }) = &arg.kind else {
        return None;
    };
    let series = store
        .select(&selector.matchers)
        .find(|s| &s.labels == labels || &s.labels.without_metric_name() == labels)?;
    let at = match selector.at {
        Some(At::Time(at)) => at,
        Some(At::Start | At::End) | None => t,
    };
    let range_end = at - selector.offset_ms;
    let range_start = range_end - range_ms;
    let all: Vec<Sample> = series
        .samples
        .iter()
        .copied()
        .filter(|s| !is_stale_marker(s.f))
        .collect();
    let from = all.partition_point(|s| s.t <= range_start);
    let to = all.partition_point(|s| s.t <= range_end);
    let samples = all[from..to.max(from)].to_vec();
    let before_from = all[..from].partition_point(|s| s.t <= range_start - range_ms / 2);
    let before = all[before_from..from].to_vec();
    let window = Window {
        samples: &samples,
        range_start,
        range_end,
        range_ms: *range_ms,
        eval_t: t,
        resets: None,
    };
    let (extrapolation, instant) = match call.func {
        Function::Irate | Function::Idelta => (None, instant_value(&samples, is_rate)),
        _ => (extrapolate(&window, is_counter, is_rate), None),
    };
    Some(WindowExplanation {
        func: call.func,
        labels: series.labels.clone(),
        range_start,
        range_end,
        samples,
        before,
        extrapolation,
        instant,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::parse;

    fn store() -> SeriesStore {
        let mut store = SeriesStore::new();
        // 10 s apart: 5 6 7, then a restart: 1 2 3.
        for (i, value) in [5.0, 6.0, 7.0, 1.0, 2.0, 3.0].into_iter().enumerate() {
            let labels = Labels::with_name("requests_total", [("job", "api"), ("code", "200")]);
            store.append(&labels, i as i64 * 10_000, value).unwrap();
            let labels = Labels::with_name("requests_total", [("job", "web"), ("code", "200")]);
            store
                .append(&labels, i as i64 * 10_000, 2.0 * i as f64)
                .unwrap();
        }
        store
            .append(&Labels::with_name("limits", [("job", "api")]), 0, 100.0)
            .unwrap();
        store
    }

    /// Every node as `text: description [result]`, indented by depth.
    fn lines(node: &ExplainNode, depth: usize, out: &mut Vec<String>) {
        let result = match &node.result {
            NodeResult::Vector { count, .. } => format!("{count} series"),
            NodeResult::Matrix { series, samples } => format!("{series} series, {samples} samples"),
            NodeResult::Scalar(f) => format!("scalar {f}"),
            NodeResult::String(s) => format!("string {s}"),
            NodeResult::Error(e) => format!("error {e}"),
        };
        out.push(format!("{}{} [{result}]", "  ".repeat(depth), node.text));
        for child in &node.children {
            lines(child, depth + 1, out);
        }
    }

    #[test]
    fn the_tree_has_each_node_with_its_own_result() {
        let store = store();
        let query = "sum(rate(requests_total[1m]))";
        let tree = explain(&store, query, &parse(query).unwrap(), 50_000);
        let mut out = Vec::new();
        lines(&tree, 0, &mut out);
        assert_eq!(
            out,
            [
                "sum(rate(requests_total[1m])) [1 series]",
                "  rate(requests_total[1m]) [2 series]",
                "    requests_total[1m] [2 series, 12 samples]",
            ]
        );
        assert_eq!(
            tree.description,
            "The sum of the samples in each group, all series in one group, labels dropped."
        );
        assert!(tree.children[0]
            .description
            .starts_with("The per-second rate"));
        assert_eq!(
            tree.children[0].children[0].description,
            "Every sample of the last 1m of each series named requests_total."
        );
    }

    #[test]
    fn each_node_shows_its_text_as_written() {
        let store = store();
        let query = "sum(rate(requests_total[1m] offset 10s)) by (job) > (  1 )";
        let tree = explain(&store, query, &parse(query).unwrap(), 50_000);
        let mut out = Vec::new();
        lines(&tree, 0, &mut out);
        assert_eq!(
            out,
            [
                "sum(rate(requests_total[1m] offset 10s)) by (job) > (  1 ) [0 series]",
                "  sum(rate(requests_total[1m] offset 10s)) by (job) [2 series]",
                "    rate(requests_total[1m] offset 10s) [2 series]",
                "      requests_total[1m] offset 10s [2 series, 10 samples]",
                "  1 [scalar 1]",
            ]
        );
    }

    #[test]
    fn binary_operations_say_which_series_paired() {
        let store = store();
        let query = "requests_total / on (job) group_left limits";
        let tree = explain(&store, query, &parse(query).unwrap(), 50_000);
        let matching = tree.matching.expect("two vectors");
        assert_eq!(matching.matched_on, "on (job)");
        assert_eq!(matching.pair_count, 1);
        assert_eq!(
            matching.pairs[0].1,
            Labels::with_name("limits", [("job", "api")])
        );
        assert_eq!(
            matching.unmatched_left,
            [Labels::with_name(
                "requests_total",
                [("job", "web"), ("code", "200")]
            )]
        );
        assert!(matching.unmatched_right.is_empty());
        assert!(
            tree.description
                .starts_with("For each pair of series with the same labels (on (job)), divides"),
            "{}",
            tree.description
        );
    }

    #[test]
    fn the_numbers_behind_a_rate() {
        let store = store();
        let ExprKind::Call(call) = parse("rate(requests_total[1m])").unwrap().kind else {
            panic!("a call");
        };
        let labels = Labels::with_name("requests_total", [("job", "api"), ("code", "200")]);
        let window =
            explain_window(&store, &call, &labels.without_metric_name(), 50_000).expect("selected");
        // (-10 s, 50 s]: all six samples; increase 3 - 5 + 7 = 5; the
        // start edge is 10 s away (< 11 s): extrapolated fully; 5 × 60/50
        // / 60 s = 0.1.
        assert_eq!(window.samples.len(), 6);
        let e = window.extrapolation.expect("two samples");
        assert_eq!(e.resets, [Sample { t: 20_000, f: 7.0 }]);
        assert_eq!(e.increase, 5.0);
        assert_eq!((e.extend_start, e.start_rule), (10.0, EdgeRule::Full));
        assert_eq!((e.extend_end, e.end_rule), (0.0, EdgeRule::Full));
        assert!((e.result - 0.1).abs() < 1e-12);
        // The same number the engine gives.
        let QueryValue::Vector(samples) = instant_query(
            &store,
            &parse("rate(requests_total{job=\"api\"}[1m])").unwrap(),
            50_000,
            QueryOptions::default(),
        )
        .unwrap() else {
            panic!("a vector");
        };
        assert_eq!(samples[0].f, e.result);
    }
}
