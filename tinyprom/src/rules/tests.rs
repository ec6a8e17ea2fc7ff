//! The rule engine at its boundary: groups in, a store and times in, the
//! alerts' states and the written series out, compared as text. What
//! promtool can check is checked against it in `testdata/rules/*.yaml`;
//! these cover what it cannot see (resolved alerts, `advance`, query
//! offsets, the checks on load).

use super::*;
use crate::promql::value::format_go_float;
use crate::unit_test::{expand_values, parse_series_labels};

const MINUTE: i64 = 60_000;

fn alert(name: &str, expr: &str, for_ms: i64, keep_firing_for_ms: i64) -> Rule {
    Rule::Alerting(AlertingRule {
        alert: name.to_owned(),
        expr: expr.to_owned(),
        for_ms,
        keep_firing_for_ms,
        labels: vec![("severity".to_owned(), "page".to_owned())],
        annotations: vec![(
            "summary".to_owned(),
            "{{ $labels.host }} at {{ $value }}".to_owned(),
        )],
    })
}

fn record(name: &str, expr: &str) -> Rule {
    Rule::Recording(RecordingRule {
        record: name.to_owned(),
        expr: expr.to_owned(),
        labels: Vec::new(),
    })
}

fn group(name: &str, rules: Vec<Rule>) -> RuleGroup {
    RuleGroup {
        name: name.to_owned(),
        rules,
        ..RuleGroup::default()
    }
}

/// A store with series in promtool's notation, one value a minute from 0.
fn store(series: &[(&str, &str)]) -> SeriesStore {
    let mut store = SeriesStore::new();
    for (labels, values) in series {
        let samples = expand_values(values)
            .unwrap()
            .into_iter()
            .enumerate()
            .filter_map(|(i, v)| {
                v.map(|f| crate::storage::Sample {
                    t: i as i64 * MINUTE,
                    f,
                })
            })
            .collect();
        store.insert_series(parse_series_labels(labels).unwrap(), samples);
    }
    store
}

/// One line per evaluation (minutes): every alert the rules hold, with
/// its state, value, active and resolved times.
fn timeline(
    rules: &mut Rules,
    store: &mut SeriesStore,
    minutes: std::ops::RangeInclusive<i64>,
) -> String {
    let mut out = String::new();
    for minute in minutes {
        rules.evaluate(store, minute * MINUTE);
        let alerts: Vec<String> = rules
            .rules()
            .flat_map(|rule| rule.alerts())
            .map(|a| {
                let resolved = a
                    .resolved_at_ms
                    .map_or(String::new(), |t| format!(" resolved {}m", t / MINUTE));
                format!(
                    "{} {} {} since {}m{resolved}",
                    a.labels,
                    a.state.as_str(),
                    format_go_float(a.value),
                    a.active_at_ms / MINUTE
                )
            })
            .collect();
        out.push_str(&format!("{minute}m: {}\n", alerts.join("; ")));
    }
    out
}

#[test]
fn alerts_go_pending_firing_resolved_and_are_forgotten_after_15_minutes() {
    let mut rules = Rules::new(
        vec![group("g", vec![alert("High", "load > 5", 2 * MINUTE, 0)])],
        RuleSettings::default(),
    )
    .unwrap();
    let mut store = store(&[("load{host=\"a\"}", "6 7 8 1x20")]);
    let got = timeline(&mut rules, &mut store, 0..=19);
    let expect = "\
0m: {alertname=\"High\", host=\"a\", severity=\"page\"} pending 6 since 0m
1m: {alertname=\"High\", host=\"a\", severity=\"page\"} pending 7 since 0m
2m: {alertname=\"High\", host=\"a\", severity=\"page\"} firing 8 since 0m
3m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
4m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
5m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
6m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
7m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
8m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
9m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
10m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
11m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
12m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
13m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
14m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
15m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
16m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
17m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
18m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 8 since 0m resolved 3m
19m: 
";
    assert_eq!(got, expect);
    let rule = rules.rules().next().unwrap();
    assert_eq!(rule.health(), RuleHealth::Ok);
    assert_eq!(rule.state(), AlertState::Inactive);
    assert_eq!(rule.last_evaluation_ms(), Some(19 * MINUTE));
}

#[test]
fn a_pending_alert_that_goes_away_is_forgotten_at_once() {
    let mut rules = Rules::new(
        vec![group("g", vec![alert("High", "load > 5", 5 * MINUTE, 0)])],
        RuleSettings::default(),
    )
    .unwrap();
    let mut store = store(&[("load{host=\"a\"}", "6 1 6")]);
    let got = timeline(&mut rules, &mut store, 0..=2);
    let expect = "\
0m: {alertname=\"High\", host=\"a\", severity=\"page\"} pending 6 since 0m
1m: 
2m: {alertname=\"High\", host=\"a\", severity=\"page\"} pending 6 since 2m
";
    assert_eq!(got, expect);
}

#[test]
fn keep_firing_for_holds_a_firing_alert_after_its_series_is_gone() {
    let mut rules = Rules::new(
        vec![group("g", vec![alert("High", "load > 5", 0, 2 * MINUTE)])],
        RuleSettings::default(),
    )
    .unwrap();
    let mut store = store(&[("load{host=\"a\"}", "6 1 1 1")]);
    let got = timeline(&mut rules, &mut store, 0..=3);
    let expect = "\
0m: {alertname=\"High\", host=\"a\", severity=\"page\"} firing 6 since 0m
1m: {alertname=\"High\", host=\"a\", severity=\"page\"} firing 6 since 0m
2m: {alertname=\"High\", host=\"a\", severity=\"page\"} firing 6 since 0m
3m: {alertname=\"High\", host=\"a\", severity=\"page\"} inactive 6 since 0m resolved 3m
";
    assert_eq!(got, expect);
}

/// The samples of the store's series matching `selector`, as text.
fn written(store: &SeriesStore, selector: &str) -> String {
    let expr = parse(selector).unwrap();
    let crate::promql::ast::ExprKind::Selector(selector) = expr.kind else {
        panic!("not a selector");
    };
    store
        .select(&selector.matchers)
        .map(|series| {
            let samples: Vec<String> = series
                .samples
                .iter()
                .map(|s| {
                    let value = if crate::storage::is_stale_marker(s.f) {
                        "stale".to_owned()
                    } else {
                        format_go_float(s.f)
                    };
                    format!("{}@{}s", value, s.t / 1000)
                })
                .collect();
            format!("{} {}\n", series.labels, samples.join(" "))
        })
        .collect()
}

#[test]
fn alerts_write_alerts_and_alerts_for_state_ending_with_staleness_markers() {
    let mut rules = Rules::new(
        vec![group("g", vec![alert("High", "load > 5", MINUTE, 0)])],
        RuleSettings::default(),
    )
    .unwrap();
    let mut store = store(&[("load{host=\"a\"}", "1 6 7 8 1")]);
    for minute in 0..=5 {
        rules.evaluate(&mut store, minute * MINUTE);
    }
    let expect = "\
ALERTS{alertname=\"High\", alertstate=\"firing\", host=\"a\", severity=\"page\"} 1@120s 1@180s stale@240s
ALERTS{alertname=\"High\", alertstate=\"pending\", host=\"a\", severity=\"page\"} 1@60s stale@120s
ALERTS_FOR_STATE{alertname=\"High\", host=\"a\", severity=\"page\"} 60@60s 60@120s 60@180s stale@240s
";
    assert_eq!(written(&store, "{__name__=~\"ALERTS.*\"}"), expect);
}

#[test]
fn a_query_offset_evaluates_and_writes_in_the_past() {
    let mut rules = Rules::new(
        vec![RuleGroup {
            query_offset_ms: Some(MINUTE),
            ..group("g", vec![record("load:doubled", "load * 2")])
        }],
        RuleSettings::default(),
    )
    .unwrap();
    let mut store = store(&[("load{host=\"a\"}", "1 2 3 4")]);
    for minute in 1..=3 {
        rules.evaluate(&mut store, minute * MINUTE);
    }
    assert_eq!(
        written(&store, "load:doubled"),
        "load:doubled{host=\"a\"} 2@0s 4@60s 6@120s\n"
    );
}

#[test]
fn advance_evaluates_each_group_on_its_own_interval_in_time_order() {
    let mut rules = Rules::new(
        vec![
            RuleGroup {
                interval_ms: Some(20_000),
                ..group("fast", vec![record("fast:time", "time()")])
            },
            group("slow", vec![record("slow:sees_fast", "fast:time")]),
        ],
        RuleSettings {
            evaluation_interval_ms: 30_000,
            ..RuleSettings::default()
        },
    )
    .unwrap();
    let mut store = SeriesStore::new();
    // First call: one evaluation each, at the last multiple of its interval.
    assert_eq!(rules.advance(&mut store, 65_000), 2);
    // Then every multiple up to now, earliest first (fast before slow at 120s).
    assert_eq!(rules.advance(&mut store, 120_000), 5);
    assert_eq!(rules.advance(&mut store, 120_000), 0);
    assert_eq!(
        written(&store, "{__name__=~\".*:.*\"}"),
        "\
fast:time 60@60s 80@80s 100@100s 120@120s
slow:sees_fast 60@60s 80@90s 120@120s
"
    );
    let next: Vec<i64> = rules
        .groups()
        .iter()
        .map(|g| g.next_evaluation(120_000))
        .collect();
    assert_eq!(next, [140_000, 150_000]);
}

#[test]
fn rules_that_fail_report_why_and_write_nothing() {
    let mut rules = Rules::new(
        vec![group(
            "g",
            vec![
                record("strings", "\"text\""),
                // Both series become one alert once `host` is overwritten.
                Rule::Alerting(AlertingRule {
                    alert: "Twice".to_owned(),
                    expr: "load".to_owned(),
                    labels: vec![("host".to_owned(), "same".to_owned())],
                    ..AlertingRule::default()
                }),
            ],
        )],
        RuleSettings::default(),
    )
    .unwrap();
    let mut store = store(&[("load{host=\"a\"}", "6"), ("load{host=\"b\"}", "6")]);
    rules.evaluate(&mut store, 0);
    let errors: Vec<(RuleHealth, Option<&str>)> = rules
        .rules()
        .map(|r| (r.health(), r.last_error()))
        .collect();
    assert_eq!(
        errors,
        [
            (
                RuleHealth::Err,
                Some("rule result is not a vector or scalar")
            ),
            (
                RuleHealth::Err,
                Some("vector contains metrics with the same labelset after applying alert labels")
            ),
        ]
    );
    assert_eq!(store.len(), 2);
}

fn check_refused(rule: Rule, expect: &[&str]) {
    let got = Rules::new(vec![group("g", vec![rule])], RuleSettings::default())
        .err()
        .map(|invalid| invalid.problems)
        .unwrap_or_default();
    assert_eq!(got, expect);
}

#[test]
fn refuses_rules_as_rulefmt_does() {
    check_refused(
        record("x", "sum(up"),
        &["group \"g\", rule 1, \"x\": could not parse expression: 1:7: parse error: unclosed left parenthesis"],
    );
    check_refused(
        record("x", " "),
        &["group \"g\", rule 1, \"x\": field 'expr' must be set in rule"],
    );
    check_refused(
        record("", "up"),
        &["group \"g\", rule 1, \"\": one of 'record' or 'alert' must be set"],
    );
    check_refused(
        record("up{job=\"a\"}", "up"),
        &["group \"g\", rule 1, \"up{job=\\\"a\\\"}\": braces present in the recording rule name; should it be in expr?: up{job=\"a\"}"],
    );
    check_refused(
        Rule::Recording(RecordingRule {
            record: "x".to_owned(),
            expr: "up".to_owned(),
            labels: vec![("__name__".to_owned(), "y".to_owned())],
        }),
        &["group \"g\", rule 1, \"x\": invalid label name: __name__"],
    );
    check_refused(
        Rule::Alerting(AlertingRule {
            alert: "A".to_owned(),
            expr: "up".to_owned(),
            annotations: vec![("summary".to_owned(), "{{ if $value }}".to_owned())],
            ..AlertingRule::default()
        }),
        &["group \"g\", rule 1, \"A\": annotation \"summary\": template: __alert_A:1: {{if}} is not supported by this engine (no control structures)"],
    );
    // Prometheus 3 takes any UTF-8 name (2.42 only [a-zA-Z_:][a-zA-Z0-9_:]*).
    assert!(Rules::new(
        vec![group("g", vec![record("requests.per.second", "up")])],
        RuleSettings::default()
    )
    .is_ok());
}
