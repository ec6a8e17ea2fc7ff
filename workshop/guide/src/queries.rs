//! The query exercises of sections 4 to 6, and how a learner's query is
//! judged: it is evaluated next to the expected one, at the same instant and
//! over the same window, and passes if the answers agree, so any correct
//! query passes. A wrong answer is compared with the answers of known
//! mistakes, and otherwise described (no data, too many series, a different
//! value) with a hint.
//!
//! The evaluator is the caller's ([`Evaluate`]): `workshop-check` asks a real
//! Prometheus; the playground can ask `tinyprom`'s engine.

use tinyprom::labels::Labels;
use tinyprom::promql::ast::{Expr, ExprKind};
use tinyprom::promql::value::QueryValue;
use tinyprom::promql::{format_duration, parse};

use crate::report::{Failure, Report, Rule};

/// A question answered by a PromQL query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exercise {
    /// The section of WORKSHOP.md it belongs to.
    pub section: u8,
    /// A short name, used in WORKSHOP.md's `<!-- answer ID -->` marks.
    pub id: &'static str,
    /// The question, as WORKSHOP.md asks it.
    pub question: &'static str,
    /// The expected query; `{range}` stands for the learner's window.
    pub reference: &'static str,
    /// Known wrong queries and what to say when an answer matches theirs.
    pub mistakes: &'static [Mistake],
    /// What to suggest when the learner's query returns nothing.
    pub if_empty: &'static str,
}

/// A known wrong query and its hint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mistake {
    /// The query; `{range}` stands for the learner's window.
    pub query: &'static str,
    /// What to tell a learner whose answer is this query's.
    pub hint: &'static str,
}

/// The window used when the learner's query has none.
pub const DEFAULT_RANGE: &str = "1m";

/// Every exercise, in the order of WORKSHOP.md.
pub const EXERCISES: &[Exercise] = &[
    Exercise {
        section: 4,
        id: "error-ratio",
        question: "What fraction of the calls to the upstream API failed, over the last minute?",
        reference: "sum(rate(requests_total{endpoint=\"/upstream\", status=\"503\"}[{range}])) / sum(rate(requests_total{endpoint=\"/upstream\"}[{range}]))",
        mistakes: &[
            Mistake {
                query: "sum(rate(requests_total{endpoint=\"/upstream\", status=\"200\"}[{range}])) / sum(rate(requests_total{endpoint=\"/upstream\"}[{range}]))",
                hint: "that is the fraction of calls that succeeded: count the failed ones, status=\"503\"",
            },
            Mistake {
                query: "sum(rate(requests_total{status=\"503\"}[{range}])) / sum(rate(requests_total[{range}]))",
                hint: "the denominator counts the page views too: divide by the upstream calls only, {endpoint=\"/upstream\"}",
            },
            Mistake {
                query: "sum(requests_total{endpoint=\"/upstream\", status=\"503\"}) / sum(requests_total{endpoint=\"/upstream\"})",
                hint: "that is the fraction since the app started: take the rate() of both sides over the last minute",
            },
            Mistake {
                query: "sum(rate(requests_total{endpoint=\"/upstream\", status=\"503\"}[{range}]))",
                hint: "that is how many calls fail per second: divide it by how many calls are made per second",
            },
            Mistake {
                query: "rate(requests_total{endpoint=\"/upstream\", status=\"503\"}[{range}]) / rate(requests_total{endpoint=\"/upstream\"}[{range}])",
                hint: "dividing series by series pairs them label by label, so the 503s are divided by themselves: sum() each side first",
            },
        ],
        if_empty: "select the calls with {endpoint=\"/upstream\"}; a division of two sum()s always has one series",
    },
    Exercise {
        section: 5,
        id: "rate-by-endpoint",
        question: "A panel with one line per endpoint: how many requests it handles per second.",
        reference: "sum by (endpoint) (rate(requests_total[{range}]))",
        mistakes: &[
            Mistake {
                query: "rate(requests_total[{range}])",
                hint: "that is one line per endpoint and status: add the statuses up with sum by (endpoint) (...)",
            },
            Mistake {
                query: "sum(rate(requests_total[{range}]))",
                hint: "that adds every endpoint into one line: keep them apart with sum by (endpoint) (...)",
            },
            Mistake {
                query: "sum by (endpoint) (requests_total)",
                hint: "that is the total since the app started, which only goes up: graph its rate() instead",
            },
            Mistake {
                query: "sum by (endpoint) (increase(requests_total[{range}]))",
                hint: "that is requests per window, not per second: use rate()",
            },
        ],
        if_empty: "start from requests_total and check the name with the metrics explorer next to the query field",
    },
    Exercise {
        section: 6,
        id: "p90",
        question: "Over the last minute, how long did nine page views in ten take at most (the 90th percentile)?",
        reference: "histogram_quantile(0.9, sum by (le) (rate(request_latency_seconds_bucket{endpoint=\"/treecounter\"}[{range}])))",
        mistakes: &[
            Mistake {
                query: "histogram_quantile(90, sum by (le) (rate(request_latency_seconds_bucket{endpoint=\"/treecounter\"}[{range}])))",
                hint: "the quantile is a fraction: 0.9 for the 90th percentile",
            },
            Mistake {
                query: "histogram_quantile(0.5, sum by (le) (rate(request_latency_seconds_bucket{endpoint=\"/treecounter\"}[{range}])))",
                hint: "that is the median (0.5): ask for the 90th percentile, 0.9",
            },
            Mistake {
                query: "histogram_quantile(0.9, sum by (le) (request_latency_seconds_bucket{endpoint=\"/treecounter\"}))",
                hint: "that is over everything since the app started: take the rate() of the buckets over the last minute",
            },
        ],
        if_empty: "histogram_quantile needs the le label: aggregate with sum by (le) (...), and select the _bucket series",
    },
];

/// The exercise of a section, if it has one.
pub fn exercise_of_section(section: u8) -> Option<&'static Exercise> {
    EXERCISES
        .iter()
        .find(|exercise| exercise.section == section)
}

/// Something that answers PromQL instant queries, all at the same instant.
pub trait Evaluate {
    /// The answer to `query`, or the evaluator's error message.
    fn evaluate(&mut self, query: &str) -> Result<QueryValue, String>;
}

/// Grafana's interval variables, as Grafana fills them in for a short time
/// range and the workshop's 10 s scrape interval (its `$__rate_interval` is
/// at least four scrape intervals).
pub const GRAFANA_VARIABLES: [(&str, &str); 4] = [
    ("${__rate_interval}", "40s"),
    ("$__rate_interval", "40s"),
    ("${__interval}", "10s"),
    ("$__interval", "10s"),
];

/// `query` with Grafana's variables filled in, so a panel's query can be
/// checked as it is.
pub fn fill_grafana_variables(query: &str) -> String {
    GRAFANA_VARIABLES
        .iter()
        .fold(query.to_owned(), |query, (variable, value)| {
            query.replace(variable, value)
        })
}

/// The window of the first range selector or subquery in `query`, as
/// Prometheus prints durations (`1m`, `5m`, `1h30m`).
pub fn window_of(query: &str) -> Option<String> {
    fn first_range(expr: &Expr) -> Option<i64> {
        match &expr.kind {
            ExprKind::Range(matrix) => Some(matrix.range_ms),
            ExprKind::Subquery(subquery) => Some(subquery.range_ms),
            _ => expr.children().into_iter().find_map(first_range),
        }
    }
    first_range(&parse(query).ok()?).map(format_duration)
}

/// The answers a judgement needs, all evaluated at the same instant.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    /// The exercise.
    pub exercise: Exercise,
    /// The learner's query, Grafana variables filled in.
    pub query: String,
    /// The window the expected answer was computed over.
    pub window: String,
    /// The learner's answer.
    pub answer: Result<QueryValue, String>,
    /// The expected answer.
    pub expected: Result<QueryValue, String>,
    /// The answers of the exercise's mistakes, in order.
    pub mistakes: Vec<Result<QueryValue, String>>,
}

impl Attempt {
    /// Evaluates the learner's query, the expected one over the same window,
    /// and the known mistakes.
    pub fn evaluate(exercise: &Exercise, query: &str, evaluator: &mut dyn Evaluate) -> Attempt {
        let query = fill_grafana_variables(query.trim());
        let window = window_of(&query).unwrap_or_else(|| DEFAULT_RANGE.to_owned());
        let with_window = |template: &str| template.replace("{range}", &window);
        Attempt {
            exercise: *exercise,
            answer: evaluator.evaluate(&query),
            expected: evaluator.evaluate(&with_window(exercise.reference)),
            mistakes: exercise
                .mistakes
                .iter()
                .map(|mistake| evaluator.evaluate(&with_window(mistake.query)))
                .collect(),
            query,
            window,
        }
    }

    /// Judges the attempt.
    pub fn judge(&self) -> Report {
        Report::run(QUERY_RULES, self)
    }
}

/// Evaluates and judges a learner's query in one go.
pub fn judge(exercise: &Exercise, query: &str, evaluator: &mut dyn Evaluate) -> Report {
    Attempt::evaluate(exercise, query, evaluator).judge()
}

const QUERY_RULES: &[Rule<Attempt>] = &[
    ("Prometheus has the data to answer with", has_data),
    ("the query runs", query_runs),
    (
        "it returns a value per series (an instant vector) or a number",
        instant_answer,
    ),
    ("its answer is the expected one", same_answer),
];

fn has_data(attempt: &Attempt) -> Result<String, Failure> {
    let traffic = "keep traffic flowing to the app (`cargo check-work traffic` in another terminal), wait half a minute, and check again";
    match &attempt.expected {
        Err(error) => Err(Failure::new(
            format!("the expected query fails: {error}"),
            "is Prometheus scraping the app? `cargo check-work 3` says",
        )),
        Ok(expected) => {
            let series = as_series(expected);
            if series.is_empty() || series.iter().all(|(_, value)| value.is_nan()) {
                Err(Failure::new(
                    format!(
                        "Prometheus has no data for the last {} to compute the answer from",
                        attempt.window
                    ),
                    traffic,
                ))
            } else {
                Ok(String::new())
            }
        }
    }
}

fn query_runs(attempt: &Attempt) -> Result<String, Failure> {
    match &attempt.answer {
        Ok(_) => Ok(String::new()),
        Err(error) => {
            let fix = if attempt.query.contains("[]") {
                "the range in [] is empty: if you typed $__rate_interval in a shell, put the query in single quotes"
            } else {
                "fix the query where the message points; the Prometheus query page helps with names and brackets"
            };
            Err(Failure::new(format!("Prometheus says: {error}"), fix))
        }
    }
}

fn instant_answer(attempt: &Attempt) -> Result<String, Failure> {
    match &attempt.answer {
        Ok(QueryValue::Matrix(_)) => Err(Failure::new(
            "the query returns a range vector: every raw sample in the window",
            "wrap it in a function that makes one value of the window, such as rate(...)",
        )),
        Ok(QueryValue::String { .. }) => Err(Failure::new(
            "the query returns a string",
            "query the metrics, e.g. starting from requests_total",
        )),
        _ => Ok(String::new()),
    }
}

fn same_answer(attempt: &Attempt) -> Result<String, Failure> {
    let (Ok(answer), Ok(expected)) = (&attempt.answer, &attempt.expected) else {
        return Err(Failure::new("no answer to compare", "see the checks above"));
    };
    let (got, want) = (as_series(answer), as_series(expected));
    let Err(difference) = compare(&got, &want) else {
        return Ok(describe(&got));
    };
    for (mistake, mistake_answer) in attempt.exercise.mistakes.iter().zip(&attempt.mistakes) {
        let Ok(mistake_answer) = mistake_answer else {
            continue;
        };
        let mistaken = as_series(mistake_answer);
        // A mistake with no data would match every empty answer.
        if !mistaken.is_empty() && compare(&got, &mistaken).is_ok() {
            return Err(Failure::new(difference, mistake.hint));
        }
    }
    let fix = if got.is_empty() {
        attempt.exercise.if_empty.to_owned()
    } else if got.len() != want.len() {
        let wanted = label_names(&want);
        if wanted.is_empty() {
            "the question has one answer: add the series up with sum(...)".to_owned()
        } else {
            format!(
                "the question wants one series per {}: sum by ({}) (...)",
                wanted.join(" and "),
                wanted.join(", ")
            )
        }
    } else {
        "compare your query with the question: which series, which window, which function"
            .to_owned()
    };
    Err(Failure::new(difference, fix))
}

/// An answer as `(labels without the metric name, value)` pairs.
fn as_series(value: &QueryValue) -> Vec<(Labels, f64)> {
    match value {
        QueryValue::Scalar { f, .. } => vec![(Labels::empty(), *f)],
        QueryValue::Vector(samples) => samples
            .iter()
            .map(|sample| (sample.labels.without_metric_name(), sample.f))
            .collect(),
        QueryValue::Matrix(_) | QueryValue::String { .. } => Vec::new(),
    }
}

/// The label names of an answer's series, sorted.
fn label_names(series: &[(Labels, f64)]) -> Vec<String> {
    let mut names: Vec<String> = series
        .iter()
        .flat_map(|(labels, _)| labels.iter().map(|label| label.name.clone()))
        .collect();
    // tinyprom's shared sort: `sort()` here would bring a copy of the
    // standard library's into the page's wasm.
    tinyprom::sort::sort_by(&mut names, |a, b| a.cmp(b));
    names.dedup();
    names
}

/// Equal, or within a relative millionth: the same query evaluated twice
/// may sum in another order. NaN answers NaN; infinities only themselves.
fn close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    a == b
        || (a.is_finite() && b.is_finite() && (a - b).abs() <= 1e-9 + 1e-6 * a.abs().max(b.abs()))
}

/// Whether `got` answers as `want` does. With one expected series, the
/// labels do not matter (`sum(x)` and `sum by (job) (x)` both answer); with
/// several, series are matched on the expected series' label names.
fn compare(got: &[(Labels, f64)], want: &[(Labels, f64)]) -> Result<(), String> {
    if got.is_empty() {
        return Err("the query returns no series".to_owned());
    }
    if got.len() != want.len() {
        return Err(format!(
            "the query returns {}; the expected answer has {}",
            describe(got),
            describe(want)
        ));
    }
    if let ([(_, value)], [(_, expected)]) = (got, want) {
        return if close(*value, *expected) {
            Ok(())
        } else {
            Err(format!(
                "the query returns {}; the expected answer is {}",
                format_value(*value),
                format_value(*expected)
            ))
        };
    }
    let names = label_names(want);
    for (labels, expected) in want {
        let key = labels.keep(&names);
        match got.iter().find(|(labels, _)| labels.keep(&names) == key) {
            None => {
                return Err(format!(
                    "the query has no series {}; it returns {}",
                    key.labels_text(),
                    describe(got)
                ))
            }
            Some((_, value)) if !close(*value, *expected) => {
                return Err(format!(
                    "for {} the query returns {}; the expected answer is {}",
                    key.labels_text(),
                    format_value(*value),
                    format_value(*expected)
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn format_value(value: f64) -> String {
    if value.is_finite() && value != 0.0 && value.abs() < 1e-3 {
        format!("{value:e}")
    } else if value.is_finite() {
        format!("{}", (value * 1e4).round() / 1e4)
    } else {
        format!("{value}")
    }
}

/// `1 series ({…})` or `3 series: {…}, {…}, {…}`.
fn describe(series: &[(Labels, f64)]) -> String {
    match series {
        [] => "no series".to_owned(),
        [(labels, value)] if labels.is_empty() => format!("1 series, {}", format_value(*value)),
        [(labels, value)] => format!(
            "1 series, {} {}",
            labels.labels_text(),
            format_value(*value)
        ),
        many => {
            let shown: Vec<String> = many
                .iter()
                .take(4)
                .map(|(labels, _)| labels.labels_text())
                .collect();
            let more = if many.len() > 4 { ", …" } else { "" };
            format!("{} series: {}{more}", many.len(), shown.join(", "))
        }
    }
}
