//! promtool's rule unit tests (`promtool test rules`), run as promtool runs
//! them (`cmd/promtool/unittest.go`): a test group's input series, written
//! in promtool's expanding notation (`'0+10x100'`, `'1 _x3 stale'`), are
//! loaded at a fixed interval from the group's start; the rule groups of the
//! file's `rule_files` are evaluated every `evaluation_interval` from the
//! start to the latest `eval_time`, each step seeing only the input samples
//! up to it; after each step the `alert_rule_test` cases whose `eval_time`
//! falls before the next step compare the firing alerts with `exp_alerts`;
//! at the end each `promql_expr_test` is evaluated at its `eval_time` over
//! what was loaded and recorded, and compared with its `exp_samples`
//! exactly (or within one float step with `fuzzy_compare`). The same files
//! run under `promtool test rules` and here. Reading the YAML is the
//! caller's job (the `promql` command does it).

use crate::labels::{Labels, LabelsBuilder, MatchOp};
use crate::promql::ast::ExprKind;
use crate::promql::eval::{instant_query, QueryOptions};
use crate::promql::value::QueryValue;
use crate::promql::{format_duration, format_go_duration, parse};
use crate::rules::{AlertState, RuleGroup, RuleSettings, Rules, ALERT_NAME};
use crate::storage::{Sample, SeriesStore, STALE_NAN};

/// A whole test file: what its groups share.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestFile {
    /// The groups of the files `rule_files` names, in the order read.
    pub rule_groups: Vec<RuleGroup>,
    /// `evaluation_interval`, in milliseconds (promtool's default: 1m).
    pub evaluation_interval_ms: i64,
    /// `group_eval_order`: these groups first, in this order; the others
    /// after the first of them, in file order.
    pub group_eval_order: Vec<String>,
    /// `fuzzy_compare` (Prometheus 3): sample values may differ by one
    /// float step.
    pub fuzzy_compare: bool,
    /// `tests`.
    pub tests: Vec<TestGroup>,
}

/// One `tests:` entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestGroup {
    /// `name`, if given.
    pub name: String,
    /// `interval` between input samples, in milliseconds (also the
    /// interval of rule groups that set none).
    pub interval_ms: i64,
    /// `input_series`.
    pub input_series: Vec<InputSeries>,
    /// `promql_expr_test`.
    pub expr_tests: Vec<ExprTest>,
    /// `alert_rule_test`.
    pub alert_tests: Vec<AlertTest>,
    /// `external_labels`, for `$externalLabels`.
    pub external_labels: Labels,
    /// `external_url`, for `$externalURL`.
    pub external_url: String,
    /// `start_timestamp` (Prometheus 3), in milliseconds since the epoch:
    /// when the input series and the evaluations start (0 by default).
    pub start_ms: i64,
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

/// One `alert_rule_test` entry: the alerts that must be firing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertTest {
    /// `eval_time`, in milliseconds from the start.
    pub eval_time_ms: i64,
    /// `alertname`.
    pub alertname: String,
    /// `exp_alerts`: exactly the firing alerts of that name.
    pub exp_alerts: Vec<ExpectedAlert>,
}

/// One expected alert.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExpectedAlert {
    /// `exp_labels` (`alertname` is added).
    pub labels: Vec<(String, String)>,
    /// `exp_annotations`.
    pub annotations: Vec<(String, String)>,
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
    // `{}` is the empty label set (a scalar's), not an empty selector.
    if text.trim() == "{}" {
        return Ok(Labels::empty());
    }
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

/// A group's input series: labels and samples from the group's start, one
/// value per `interval`.
pub fn input_samples(group: &TestGroup) -> Result<Vec<(Labels, Vec<Sample>)>, String> {
    let mut series = Vec::with_capacity(group.input_series.len());
    for input in &group.input_series {
        let labels = parse_series_labels(&input.series)?;
        let values =
            expand_values(&input.values).map_err(|e| format!("series {:?}: {e}", input.series))?;
        let samples = values
            .into_iter()
            .enumerate()
            .filter_map(|(i, value)| {
                value.map(|f| Sample {
                    t: group.start_ms + i as i64 * group.interval_ms,
                    f,
                })
            })
            .collect();
        series.push((labels, samples));
    }
    Ok(series)
}

/// Every input series of a group, loaded whole.
pub fn load_group(group: &TestGroup) -> Result<SeriesStore, String> {
    let mut store = SeriesStore::new();
    for (labels, samples) in input_samples(group)? {
        store.insert_series(labels, samples);
    }
    Ok(store)
}

/// The file's rule groups in `group_eval_order`: the named ones by their
/// position, every other one as if it were the first, in file order.
/// (promtool sorts Go's randomly ordered map of groups with an unstable
/// sort, so among groups it ranks equal any order can happen; this is one
/// of them, the same every run.)
pub fn ordered_rule_groups(file: &TestFile) -> Result<Vec<RuleGroup>, String> {
    for (i, name) in file.group_eval_order.iter().enumerate() {
        if file.group_eval_order[..i].contains(name) {
            return Err(format!("group name repeated in evaluation order: {name}"));
        }
    }
    let rank = |group: &RuleGroup| {
        file.group_eval_order
            .iter()
            .position(|name| *name == group.name)
            .unwrap_or(0)
    };
    let mut groups = file.rule_groups.clone();
    crate::sort::sort_by(&mut groups, |a, b| rank(a).cmp(&rank(b)));
    Ok(groups)
}

/// Runs every test group of a file; the failures in promtool's words, each
/// one or more lines (none: the file passes).
pub fn run_file(file: &TestFile) -> Vec<String> {
    let groups = match ordered_rule_groups(file) {
        Ok(groups) => groups,
        Err(error) => return vec![error],
    };
    let mut failures = Vec::new();
    for group in &file.tests {
        match run_group(group, file, &groups) {
            Ok(group_failures) => failures.extend(group_failures),
            Err(error) => failures.push(format!("    {error}")),
        }
    }
    failures
}

/// Runs one test group with the file's rule groups (already in evaluation
/// order, see [`ordered_rule_groups`]); its failures in promtool's words.
/// `Err` when the group cannot run at all (an input series that does not
/// read).
pub fn run_group(
    group: &TestGroup,
    file: &TestFile,
    rule_groups: &[RuleGroup],
) -> Result<Vec<String>, String> {
    let evaluation_interval = if file.evaluation_interval_ms > 0 {
        file.evaluation_interval_ms
    } else {
        crate::rules::DEFAULT_EVALUATION_INTERVAL_MS
    };
    // promtool's engine steps subqueries without a step at the evaluation
    // interval.
    let options = QueryOptions {
        default_subquery_step_ms: evaluation_interval,
        ..QueryOptions::default()
    };
    let settings = RuleSettings {
        evaluation_interval_ms: group.interval_ms.max(1),
        query_offset_ms: 0,
        external_labels: group.external_labels.clone(),
        external_url: group.external_url.clone(),
        query_options: options,
    };
    if let Some(test) = group.alert_tests.iter().find(|t| t.alertname.is_empty()) {
        let in_group = if group.name.is_empty() {
            String::new()
        } else {
            format!(" (in TestGroup {})", group.name)
        };
        return Ok(vec![format!(
            "an item under alert_rule_test misses required attribute alertname at eval_time {}{in_group}",
            format_duration(test.eval_time_ms)
        )]);
    }
    let mut rules = match Rules::new(rule_groups.to_vec(), settings) {
        Ok(rules) => rules,
        Err(invalid) => return Ok(invalid.problems),
    };
    let input = input_samples(group)?;
    let start = group.start_ms;
    let last_eval_time = group
        .alert_tests
        .iter()
        .map(|t| t.eval_time_ms)
        .chain(group.expr_tests.iter().map(|t| t.eval_time_ms))
        .max()
        .unwrap_or(0);
    let mut alert_times: Vec<i64> = group.alert_tests.iter().map(|t| t.eval_time_ms).collect();
    crate::sort::sort_copied_by(&mut alert_times, |a, b| a.cmp(b));
    alert_times.dedup();
    let mut next_alert_time = 0;

    let mut store = SeriesStore::new();
    let mut loaded = vec![0; input.len()];
    let mut failures = Vec::new();
    let mut t = start;
    while t <= start + last_eval_time {
        // promtool's lazy loader: the input samples up to this step only.
        for ((labels, samples), next) in input.iter().zip(&mut loaded) {
            while let Some(sample) = samples.get(*next).filter(|s| s.t <= t) {
                store
                    .append(labels, sample.t, sample.f)
                    .map_err(|e| format!("series {labels}: {e}"))?;
                *next += 1;
            }
        }
        rules.evaluate(&mut store, t);
        let rule_errors: Vec<String> = rules
            .rules()
            .filter_map(|rule| {
                rule.last_error().map(|error| {
                    format!(
                        "    rule: {}, time: {}, err: {error}",
                        rule.name(),
                        format_go_duration(t)
                    )
                })
            })
            .collect();
        if !rule_errors.is_empty() {
            failures.extend(rule_errors);
            return Ok(failures);
        }
        // The alert tests whose time falls in [t, t + interval) see the
        // alerts as this step left them.
        while let Some(&eval_time) = alert_times.get(next_alert_time) {
            if !(t - start <= eval_time && eval_time < t + evaluation_interval - start) {
                break;
            }
            for test in group
                .alert_tests
                .iter()
                .filter(|a| a.eval_time_ms == eval_time)
            {
                failures.extend(check_alerts(group, test, &rules));
            }
            next_alert_time += 1;
        }
        t += evaluation_interval;
    }
    for test in &group.expr_tests {
        failures.extend(check_expression(
            test,
            &store,
            start,
            options,
            file.fuzzy_compare,
        ));
    }
    Ok(failures)
}

/// Labels and annotations as promtool compares them: sorted pairs, empty
/// values kept.
type AlertText = (Vec<(String, String)>, Vec<(String, String)>);

fn check_alerts(group: &TestGroup, test: &AlertTest, rules: &Rules) -> Option<String> {
    let mut got: Vec<AlertText> = rules
        .rules()
        .filter(|rule| rule.is_alerting() && rule.name() == test.alertname)
        .flat_map(|rule| rule.active_alerts())
        .filter(|alert| alert.state == AlertState::Firing)
        .map(|alert| {
            let labels = alert
                .labels
                .iter()
                .map(|l| (l.name.clone(), l.value.clone()))
                .collect();
            (labels, alert.annotations.clone())
        })
        .collect();
    let mut expected: Vec<AlertText> = test
        .exp_alerts
        .iter()
        .map(|alert| {
            let mut labels = sorted_pairs(&alert.labels);
            match labels.binary_search_by(|(name, _)| name.as_str().cmp(ALERT_NAME)) {
                Ok(i) => labels[i].1 = test.alertname.clone(),
                Err(i) => labels.insert(i, (ALERT_NAME.to_owned(), test.alertname.clone())),
            }
            (labels, sorted_pairs(&alert.annotations))
        })
        .collect();
    crate::sort::sort_by(&mut got, |a, b| a.cmp(b));
    crate::sort::sort_by(&mut expected, |a, b| a.cmp(b));
    if got == expected {
        return None;
    }
    let name = if group.name.is_empty() {
        String::new()
    } else {
        format!("    name: {},\n", group.name)
    };
    Some(format!(
        "{name}    alertname: {}, time: {}, \n        exp:{}, \n        got:{}",
        test.alertname,
        format_duration(test.eval_time_ms),
        alerts_text(&expected),
        alerts_text(&got)
    ))
}

fn sorted_pairs(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut sorted = pairs.to_vec();
    crate::sort::sort_by(&mut sorted, |a, b| a.0.cmp(&b.0));
    sorted
}

/// promtool's listing of alerts: `[]`, or numbered `Labels:{…}` and
/// `Annotations:{…}` lines.
fn alerts_text(alerts: &[AlertText]) -> String {
    if alerts.is_empty() {
        return "[]".to_owned();
    }
    let indent = "\n            ";
    let mut out = String::from("[");
    for (i, (labels, annotations)) in alerts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{indent}{i}:{indent}  Labels:{}{indent}  Annotations:{}",
            pairs_text(labels),
            pairs_text(annotations)
        ));
    }
    out.push_str(indent);
    out.push(']');
    out
}

fn pairs_text(pairs: &[(String, String)]) -> String {
    let mut builder = LabelsBuilder::default();
    for (name, value) in pairs {
        builder.set(name.as_str(), value.as_str());
    }
    builder.build().braces_text()
}

fn check_expression(
    test: &ExprTest,
    store: &SeriesStore,
    start: i64,
    options: QueryOptions,
    fuzzy: bool,
) -> Option<String> {
    let time = format_duration(test.eval_time_ms);
    let got = match parse(&test.expr) {
        Err(error) => Err(error.to_string()),
        Ok(expr) => instant_query(store, &expr, start + test.eval_time_ms, options)
            .map_err(|e| e.to_string()),
    };
    let mut got: Vec<(Labels, f64)> = match got {
        Ok(QueryValue::Vector(samples)) => samples.into_iter().map(|s| (s.labels, s.f)).collect(),
        Ok(QueryValue::Scalar { f, .. }) => vec![(Labels::empty(), f)],
        Ok(_) => {
            return Some(format!(
                "    expr: {:?}, time: {time}, err: rule result is not a vector or scalar",
                test.expr
            ))
        }
        Err(error) => {
            return Some(format!(
                "    expr: {:?}, time: {time}, err: {error}",
                test.expr
            ))
        }
    };
    let mut expected = Vec::with_capacity(test.exp_samples.len());
    for sample in &test.exp_samples {
        match parse_series_labels(&sample.labels) {
            Ok(labels) => expected.push((labels, sample.value)),
            Err(error) => {
                return Some(format!(
                    "    expr: {:?}, time: {time}, err: labels {:?}: {error}",
                    test.expr, sample.labels
                ))
            }
        }
    }
    crate::sort::sort_by(&mut got, |a, b| a.0.cmp(&b.0));
    crate::sort::sort_by(&mut expected, |a, b| a.0.cmp(&b.0));
    // Exact equality, as promtool compares (NaN never matches), or within
    // one float step either way with `fuzzy_compare`.
    let same_value = |g: f64, e: f64| {
        g == e || (fuzzy && (next_toward(g, false) == e || next_toward(g, true) == e))
    };
    let same = got.len() == expected.len()
        && got
            .iter()
            .zip(&expected)
            .all(|(g, e)| g.0 == e.0 && same_value(g.1, e.1));
    if same {
        return None;
    }
    Some(format!(
        "    expr: {:?}, time: {time},\n        exp: {}\n        got: {}",
        test.expr,
        samples_text(&expected),
        samples_text(&got)
    ))
}

/// Go's `math.Nextafter` toward +Inf (`up`) or -Inf.
fn next_toward(x: f64, up: bool) -> f64 {
    if x.is_nan() || (x.is_infinite() && (x > 0.0) == up) {
        return x;
    }
    if x == 0.0 {
        let smallest = f64::from_bits(1);
        return if up { smallest } else { -smallest };
    }
    let bits = x.to_bits();
    f64::from_bits(if (x > 0.0) == up { bits + 1 } else { bits - 1 })
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

    /// What Prometheus 3 added and 2.42 cannot check: runs `tests` (one
    /// expression test each: expr, eval time, expected value) over a
    /// series `x` of `values`, and returns the failures.
    fn check_file(
        start_ms: i64,
        fuzzy: bool,
        values: &str,
        tests: &[(&str, i64, f64)],
    ) -> Vec<String> {
        let group = TestGroup {
            interval_ms: 60_000,
            start_ms,
            input_series: vec![InputSeries {
                series: "x".to_owned(),
                values: values.to_owned(),
            }],
            expr_tests: tests
                .iter()
                .map(|&(expr, eval_time_ms, value)| ExprTest {
                    expr: expr.to_owned(),
                    eval_time_ms,
                    exp_samples: vec![ExpectedSample {
                        labels: "{}".to_owned(),
                        value,
                    }],
                })
                .collect(),
            ..TestGroup::default()
        };
        run_file(&TestFile {
            evaluation_interval_ms: 60_000,
            fuzzy_compare: fuzzy,
            tests: vec![group],
            ..TestFile::default()
        })
    }

    #[test]
    fn start_timestamp_moves_the_input_and_the_evaluations() {
        let start = 1_700_000_000_000;
        // eval_time counts from the start; time() is absolute.
        assert_eq!(
            check_file(
                start,
                false,
                "5 6 7",
                &[
                    ("time()", 60_000, 1_700_000_060.0),
                    ("sum(x)", 120_000, 7.0)
                ]
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            check_file(start, false, "5 6 7", &[("sum(x)", 60_000, 7.0)]),
            ["    expr: \"sum(x)\", time: 1m,\n        exp: {} 7E+00\n        got: {} 6E+00"]
        );
    }

    #[test]
    fn fuzzy_compare_allows_one_float_step() {
        let tests = [("sum(x) / 10", 0, 0.30000000000000004), ("sum(x)", 0, 3.0)];
        assert_eq!(check_file(0, true, "3", &tests), Vec::<String>::new());
        assert_eq!(check_file(0, false, "3", &tests).len(), 1);
        let two_steps = [("sum(x) / 10", 0, f64::from_bits(0.3f64.to_bits() + 2))];
        assert_eq!(check_file(0, true, "3", &two_steps).len(), 1);
        assert_eq!(next_toward(0.0, true), f64::from_bits(1));
        assert_eq!(next_toward(-1.0, true), -1.0 + f64::EPSILON / 2.0);
        assert_eq!(next_toward(f64::INFINITY, true), f64::INFINITY);
    }

    #[test]
    fn formats_like_go_capital_e() {
        assert_eq!(format_go_e(1.0), "1E+00");
        assert_eq!(format_go_e(0.0025), "2.5E-03");
        assert_eq!(format_go_e(123456.0), "1.23456E+05");
    }
}
