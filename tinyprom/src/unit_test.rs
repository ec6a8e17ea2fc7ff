//! promtool's rule unit tests (`promtool test rules`), the part that checks
//! expressions: input series written in promtool's expanding notation
//! (`'0+10x100'`, `'1 _x3 stale'`), loaded at a fixed interval, then each
//! `promql_expr_test` evaluated at its `eval_time` and compared with its
//! `exp_samples` exactly, as promtool compares them. The same files run
//! under `promtool test rules` and here. Reading the YAML is the caller's
//! job (the `promql` command does it).

use crate::labels::{Labels, LabelsBuilder, MatchOp};
use crate::promql::ast::ExprKind;
use crate::promql::eval::{instant_query, QueryOptions};
use crate::promql::value::QueryValue;
use crate::promql::{format_duration, parse};
use crate::storage::{SeriesStore, STALE_NAN};

/// One `tests:` entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestGroup {
    /// `name`, if given.
    pub name: String,
    /// `interval` between input samples, in milliseconds.
    pub interval_ms: i64,
    /// `input_series`.
    pub input_series: Vec<InputSeries>,
    /// `promql_expr_test`.
    pub expr_tests: Vec<ExprTest>,
}

/// One input series: a series description and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct InputSeries {
    /// `series`, e.g. `requests_total{code="200"}`.
    pub series: String,
    /// `values`, e.g. `0+10x100 _x5 stale`.
    pub values: String,
}

/// One `promql_expr_test` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprTest {
    /// `expr`.
    pub expr: String,
    /// `eval_time`, in milliseconds from the start.
    pub eval_time_ms: i64,
    /// `exp_samples`.
    pub exp_samples: Vec<ExpectedSample>,
}

/// One expected sample.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedSample {
    /// `labels`, a series description such as `up{job="a"}`.
    pub labels: String,
    /// `value`.
    pub value: f64,
}

/// Expands promtool's notation into one value per interval (`None` where a
/// sample is left out). `a+bxn` is `a, a+b, … a+n·b` (n + 1 values), `axn`
/// is a repeated n + 1 times, `_xn` is n missing samples, `stale` is a
/// staleness marker.
pub fn expand_values(text: &str) -> Result<Vec<Option<f64>>, String> {
    let mut values = Vec::new();
    for token in text.split_whitespace() {
        if token == "_" {
            values.push(None);
            continue;
        }
        if let Some(count) = token.strip_prefix("_x") {
            let n = parse_count(count, token)?;
            values.extend(std::iter::repeat_n(None, n));
            continue;
        }
        if token == "stale" {
            values.push(Some(STALE_NAN));
            continue;
        }
        let (base, count) = match token.rsplit_once('x') {
            Some((base, count)) => (base, Some(parse_count(count, token)?)),
            None => (token, None),
        };
        // `a+b` or `a-b`: the sign that is not the number's own and not an
        // exponent's.
        let bytes = base.as_bytes();
        let split = (1..bytes.len())
            .find(|&i| matches!(bytes[i], b'+' | b'-') && !matches!(bytes[i - 1], b'e' | b'E'));
        let (start, step) = match split {
            Some(i) => (
                parse_number(&base[..i], token)?,
                parse_number(&base[i..], token)?,
            ),
            None => (parse_number(base, token)?, 0.0),
        };
        match count {
            None if split.is_some() => {
                return Err(format!(
                    "{token:?}: an increment needs a repeat count (a+bxn)"
                ))
            }
            None => values.push(Some(start)),
            Some(n) => {
                let mut value = start;
                for _ in 0..=n {
                    values.push(Some(value));
                    value += step;
                }
            }
        }
    }
    Ok(values)
}

fn parse_count(text: &str, token: &str) -> Result<usize, String> {
    text.parse()
        .map_err(|_| format!("{token:?}: expected a repeat count after 'x'"))
}

fn parse_number(text: &str, token: &str) -> Result<f64, String> {
    let unsigned = text.trim_start_matches(['+', '-']);
    let value = match unsigned.to_ascii_lowercase().as_str() {
        "inf" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => unsigned
            .parse::<f64>()
            .map_err(|_| format!("{token:?}: {text:?} is not a number"))?,
    };
    Ok(if text.starts_with('-') { -value } else { value })
}

/// The labels of a series description (`name{a="b"}`), read with the
/// PromQL parser: only `=` matchers may appear.
pub fn parse_series_labels(text: &str) -> Result<Labels, String> {
    let expr = parse(text).map_err(|e| e.to_string())?;
    let ExprKind::Selector(selector) = expr.kind else {
        return Err(format!("{text:?} is not a series description"));
    };
    let mut builder = LabelsBuilder::default();
    for matcher in selector.matchers {
        if matcher.op != MatchOp::Equal {
            return Err(format!("{text:?}: only = matchers describe a series"));
        }
        builder.set(matcher.name, matcher.value);
    }
    Ok(builder.build())
}

/// The input series of a group, loaded at `interval` from time zero.
pub fn load_group(group: &TestGroup) -> Result<SeriesStore, String> {
    let mut store = SeriesStore::new();
    for input in &group.input_series {
        let labels = parse_series_labels(&input.series)?;
        let values =
            expand_values(&input.values).map_err(|e| format!("series {:?}: {e}", input.series))?;
        let samples = values
            .into_iter()
            .enumerate()
            .filter_map(|(i, value)| {
                value.map(|f| crate::storage::Sample {
                    t: i as i64 * group.interval_ms,
                    f,
                })
            })
            .collect();
        store.insert_series(labels, samples);
    }
    Ok(store)
}

/// Runs a group's expression tests; the failures, in promtool's words.
pub fn run_group(group: &TestGroup) -> Result<Vec<String>, String> {
    let store = load_group(group)?;
    let mut failures = Vec::new();
    for test in &group.expr_tests {
        let time = format_duration(test.eval_time_ms);
        let got = match parse(&test.expr) {
            Err(error) => Err(error.to_string()),
            Ok(expr) => instant_query(&store, &expr, test.eval_time_ms, QueryOptions::default())
                .map_err(|e| e.to_string()),
        };
        let mut got: Vec<(Labels, f64)> = match got {
            Ok(QueryValue::Vector(samples)) => {
                samples.into_iter().map(|s| (s.labels, s.f)).collect()
            }
            Ok(QueryValue::Scalar { f, .. }) => vec![(Labels::empty(), f)],
            Ok(_) => {
                failures.push(format!(
                    "    expr: {:?}, time: {time}, err: rule result is not a vector or scalar",
                    test.expr
                ));
                continue;
            }
            Err(error) => {
                failures.push(format!(
                    "    expr: {:?}, time: {time}, err: {error}",
                    test.expr
                ));
                continue;
            }
        };
        let mut expected = Vec::with_capacity(test.exp_samples.len());
        for sample in &test.exp_samples {
            match parse_series_labels(&sample.labels) {
                Ok(labels) => expected.push((labels, sample.value)),
                Err(error) => {
                    failures.push(format!(
                        "    expr: {:?}, time: {time}, err: labels {:?}: {error}",
                        test.expr, sample.labels
                    ));
                }
            }
        }
        if expected.len() != test.exp_samples.len() {
            continue;
        }
        got.sort_by(|a, b| a.0.cmp(&b.0));
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        // Exact equality, as promtool compares (NaN never matches).
        let same = got.len() == expected.len()
            && got
                .iter()
                .zip(&expected)
                .all(|(g, e)| g.0 == e.0 && g.1 == e.1);
        if !same {
            failures.push(format!(
                "    expr: {:?}, time: {time},\n        exp: {}\n        got: {}",
                test.expr,
                samples_text(&expected),
                samples_text(&got)
            ));
        }
    }
    Ok(failures)
}

/// `{__name__="x", a="b"} 1E+00, …` or `nil`, as promtool prints samples.
fn samples_text(samples: &[(Labels, f64)]) -> String {
    if samples.is_empty() {
        return "nil".to_owned();
    }
    samples
        .iter()
        .map(|(labels, value)| format!("{} {}", labels.braces_text(), format_go_e(*value)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Go's `strconv.FormatFloat(f, 'E', -1, 64)`: `1E+00`, `2.5E-03`.
fn format_go_e(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let sci = format!("{f:E}");
    let (mantissa, exponent) = sci.split_once('E').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}E{sign}{:02}", exponent.unsigned_abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_expand(text: &str, expect: &[Option<f64>]) {
        let got = expand_values(text).unwrap();
        let show = |v: &[Option<f64>]| format!("{v:?}");
        assert_eq!(show(&got), show(expect), "{text}");
    }

    #[test]
    fn expands_promtool_notation() {
        check_expand("0+10x3", &[Some(0.0), Some(10.0), Some(20.0), Some(30.0)]);
        check_expand("1x2", &[Some(1.0), Some(1.0), Some(1.0)]);
        check_expand("-2-2x2", &[Some(-2.0), Some(-4.0), Some(-6.0)]);
        check_expand("1 _ 3", &[Some(1.0), None, Some(3.0)]);
        check_expand(
            "1+1x1 _x2 5",
            &[Some(1.0), Some(2.0), None, None, Some(5.0)],
        );
        check_expand("1e3 2.5e-1+1e-1x1", &[Some(1000.0), Some(0.25), Some(0.35)]);
        check_expand("Inf -Inf", &[Some(f64::INFINITY), Some(f64::NEG_INFINITY)]);
        let stale = expand_values("1 stale").unwrap();
        assert!(stale[1].is_some_and(crate::storage::is_stale_marker));
        assert!(expand_values("1+x").is_err());
        assert!(expand_values("abc").is_err());
        assert!(expand_values("1+2").is_err());
    }

    #[test]
    fn formats_like_go_capital_e() {
        assert_eq!(format_go_e(1.0), "1E+00");
        assert_eq!(format_go_e(0.0025), "2.5E-03");
        assert_eq!(format_go_e(123456.0), "1.23456E+05");
    }
}
