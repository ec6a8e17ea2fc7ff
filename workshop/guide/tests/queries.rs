//! Judging learners' queries, evaluated by tinyprom's PromQL engine over two
//! minutes of scrapes of the finished app: right answers in any form pass,
//! known mistakes get their hint, other wrong answers a description.

// Test helpers outside #[test] functions unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use tinyprom::labels::Labels;
use tinyprom::promql::value::QueryValue;
use tinyprom::promql::{instant_query, parse, QueryOptions};
use tinyprom::storage::SeriesStore;
use workshop_guide::queries::{
    exercise_of_section, fill_grafana_variables, judge, window_of, Evaluate, EXERCISES,
};
use workshop_guide::report::Outcome;

const SCRAPE_MS: i64 = 10_000;
const NOW_MS: i64 = 120_000;

/// The finished app scraped every 10 s for two minutes: a page a second,
/// one upstream call in five failing, latencies spread evenly over 0-1 s.
fn store() -> SeriesStore {
    let mut store = SeriesStore::new();
    let job = [("job", "treecounter"), ("instance", "app:8001")];
    let series = |name: &str, labels: &[(&str, &str)]| {
        Labels::with_name(name, labels.iter().chain(&job).copied())
    };
    for t in (0..=NOW_MS).step_by(SCRAPE_MS as usize) {
        let seconds = (t / 1000) as f64;
        let mut append = |labels: Labels, value: f64| store.append(&labels, t, value).unwrap();
        append(
            series(
                "requests_total",
                &[("endpoint", "/treecounter"), ("status", "200")],
            ),
            seconds,
        );
        append(
            series(
                "requests_total",
                &[("endpoint", "/upstream"), ("status", "200")],
            ),
            seconds * 0.8,
        );
        append(
            series(
                "requests_total",
                &[("endpoint", "/upstream"), ("status", "503")],
            ),
            seconds * 0.2,
        );
        for le in ["0.25", "0.5", "0.75", "1.0", "+Inf"] {
            let fraction = le.parse::<f64>().map_or(1.0, |b| b.min(1.0));
            append(
                series(
                    "request_latency_seconds_bucket",
                    &[("endpoint", "/treecounter"), ("le", le)],
                ),
                seconds * fraction,
            );
        }
        append(
            series(
                "request_latency_seconds_count",
                &[("endpoint", "/treecounter")],
            ),
            seconds,
        );
        append(
            series(
                "request_latency_seconds_sum",
                &[("endpoint", "/treecounter")],
            ),
            seconds * 0.5,
        );
    }
    store
}

struct TinyProm {
    store: SeriesStore,
    at_ms: i64,
}

impl Evaluate for TinyProm {
    fn evaluate(&mut self, query: &str) -> Result<QueryValue, String> {
        let expr = parse(query).map_err(|e| e.to_string())?;
        instant_query(&self.store, &expr, self.at_ms, QueryOptions::default())
            .map_err(|e| e.to_string())
    }
}

/// Judges `query` for the exercise of `section` at two minutes, and checks
/// the first failure `(title, found, fix)`, or that it passes.
fn check(section: u8, query: &str, expect: Option<(&str, &str, &str)>) {
    check_at(NOW_MS, section, query, expect);
}

fn check_at(at_ms: i64, section: u8, query: &str, expect: Option<(&str, &str, &str)>) {
    let exercise = exercise_of_section(section).unwrap();
    let report = judge(
        exercise,
        query,
        &mut TinyProm {
            store: store(),
            at_ms,
        },
    );
    let first = report.first_failure().map(|check| match &check.outcome {
        Outcome::Fail { found, fix } => (check.title, found.as_str(), fix.as_str()),
        _ => unreachable!(),
    });
    assert_eq!(first, expect, "{query}\n{}", report.render());
    assert_eq!(report.is_done(), expect.is_none());
}

const SAME: &str = "its answer is the expected one";

#[test]
fn the_upstream_error_ratio() {
    for right in [
        "sum(rate(requests_total{endpoint=\"/upstream\", status=\"503\"}[1m])) / sum(rate(requests_total{endpoint=\"/upstream\"}[1m]))",
        // Another window: the expected answer is computed over the same one.
        "sum(rate(requests_total{endpoint=\"/upstream\",status=\"503\"}[90s])) / sum(rate(requests_total{endpoint=\"/upstream\"}[90s]))",
        // Other labels kept, the same single answer.
        "sum by (job) (rate(requests_total{status=\"503\"}[1m])) / sum by (job) (rate(requests_total{endpoint=\"/upstream\"}[1m]))",
        "sum(increase(requests_total{endpoint=\"/upstream\", status=\"503\"}[1m])) / sum(increase(requests_total{endpoint=\"/upstream\"}[1m]))",
        "  1 - sum(rate(requests_total{endpoint=\"/upstream\", status=\"200\"}[1m])) / sum(rate(requests_total{endpoint=\"/upstream\"}[1m]))\n",
    ] {
        check(4, right, None);
    }
    check(
        4,
        "sum(rate(requests_total{endpoint=\"/upstream\", status=\"200\"}[5m])) / sum(rate(requests_total{endpoint=\"/upstream\"}[5m]))",
        Some((SAME, "the query returns 0.8; the expected answer is 0.2", "that is the fraction of calls that succeeded: count the failed ones, status=\"503\"")),
    );
    check(
        4,
        "sum(requests_total{endpoint=\"/upstream\", status=\"503\"}) / sum(requests_total)",
        // Wrong twice; the hint names what its answer shares with a known mistake.
        Some((
            SAME,
            "the query returns 0.1; the expected answer is 0.2",
            "the denominator counts the page views too: divide by the upstream calls only, {endpoint=\"/upstream\"}",
        )),
    );
    check(
        4,
        "rate(requests_total{endpoint=\"/upstream\", status=\"503\"}[1m]) / rate(requests_total{endpoint=\"/upstream\"}[1m])",
        Some((
            SAME,
            "the query returns 1; the expected answer is 0.2",
            "dividing series by series pairs them label by label, so the 503s are divided by themselves: sum() each side first",
        )),
    );
    check(
        4,
        "rate(requests_total{endpoint=\"/upstream\"}[1m])",
        Some((
            SAME,
            "the query returns 2 series: {endpoint=\"/upstream\", instance=\"app:8001\", job=\"treecounter\", status=\"200\"}, {endpoint=\"/upstream\", instance=\"app:8001\", job=\"treecounter\", status=\"503\"}; the expected answer has 1 series, 0.2",
            "the question has one answer: add the series up with sum(...)",
        )),
    );
    check(
        4,
        "sum(rate(requests_total{endpoint=\"upstream\"}[1m]))",
        Some((SAME, "the query returns no series", "select the calls with {endpoint=\"/upstream\"}; a division of two sum()s always has one series")),
    );
    check(
        4,
        "requests_total{endpoint=\"/upstream\"}[1m]",
        Some((
            "it returns a value per series (an instant vector) or a number",
            "the query returns a range vector: every raw sample in the window",
            "wrap it in a function that makes one value of the window, such as rate(...)",
        )),
    );
    check(
        4,
        "sum(rate(requests_total[1m])",
        Some((
            "the query runs",
            "Prometheus says: 1:29: parse error: unclosed left parenthesis",
            "fix the query where the message points; the Prometheus query page helps with names and brackets",
        )),
    );
    // Before any traffic there is nothing to compare with.
    check_at(
        -600_000,
        4,
        "sum(rate(requests_total{endpoint=\"/upstream\", status=\"503\"}[1m])) / sum(rate(requests_total{endpoint=\"/upstream\"}[1m]))",
        Some((
            "Prometheus has the data to answer with",
            "Prometheus has no data for the last 1m to compute the answer from",
            "keep traffic flowing to the app (`cargo check-work traffic` in another terminal), wait half a minute, and check again",
        )),
    );
}

#[test]
fn a_panel_of_requests_by_endpoint() {
    check(5, "sum by (endpoint) (rate(requests_total[1m]))", None);
    check(
        5,
        "sum by (endpoint) (rate(requests_total[$__rate_interval]))",
        None,
    );
    check(
        5,
        "sum by (endpoint, job) (rate(requests_total{job=\"treecounter\"}[5m]))",
        None,
    );
    check(
        5,
        "rate(requests_total[1m])",
        Some((
            SAME,
            "the query returns 3 series: {endpoint=\"/treecounter\", instance=\"app:8001\", job=\"treecounter\", status=\"200\"}, {endpoint=\"/upstream\", instance=\"app:8001\", job=\"treecounter\", status=\"200\"}, {endpoint=\"/upstream\", instance=\"app:8001\", job=\"treecounter\", status=\"503\"}; the expected answer has 2 series: {endpoint=\"/treecounter\"}, {endpoint=\"/upstream\"}",
            "that is one line per endpoint and status: add the statuses up with sum by (endpoint) (...)",
        )),
    );
    check(
        5,
        "sum by (endpoint) (requests_total)",
        Some((
            SAME,
            "for {endpoint=\"/treecounter\"} the query returns 120; the expected answer is 1",
            "that is the total since the app started, which only goes up: graph its rate() instead",
        )),
    );
    check(
        5,
        "sum by (status) (rate(requests_total[1m]))",
        Some((
            SAME,
            "the query has no series {endpoint=\"/treecounter\"}; it returns 2 series: {status=\"200\"}, {status=\"503\"}",
            "compare your query with the question: which series, which window, which function",
        )),
    );
    // What a shell leaves of an unquoted $__rate_interval.
    check(
        5,
        "sum by (endpoint) (rate(requests_total[]))",
        Some((
            "the query runs",
            "Prometheus says: 1:40: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, step(), or range()",
            "the range in [] is empty: if you typed $__rate_interval in a shell, put the query in single quotes",
        )),
    );
}

#[test]
fn the_90th_percentile_latency() {
    check(6, "histogram_quantile(0.9, sum by (le) (rate(request_latency_seconds_bucket{endpoint=\"/treecounter\"}[1m])))", None);
    check(
        6,
        "histogram_quantile(0.9, rate(request_latency_seconds_bucket[2m]))",
        None,
    );
    check(
        6,
        "histogram_quantile(90, sum by (le) (rate(request_latency_seconds_bucket[1m])))",
        Some((
            SAME,
            "the query returns inf; the expected answer is 0.9",
            "the quantile is a fraction: 0.9 for the 90th percentile",
        )),
    );
    check(
        6,
        "histogram_quantile(0.9, sum(rate(request_latency_seconds_bucket[1m])))",
        Some((
            SAME,
            "the query returns no series",
            "histogram_quantile needs the le label: aggregate with sum by (le) (...), and select the _bucket series",
        )),
    );
}

#[test]
fn finds_the_learners_window() {
    for (query, window) in [
        ("rate(x[5m])", Some("5m")),
        ("sum(rate(x[90s])) / sum(rate(y[1m]))", Some("1m30s")),
        ("max_over_time(rate(x[1m])[1h:])", Some("1h")),
        ("x", None),
        ("rate(x[", None),
    ] {
        assert_eq!(window_of(query).as_deref(), window, "{query}");
    }
    assert_eq!(
        fill_grafana_variables("rate(x[$__rate_interval]) + rate(x[${__interval}])"),
        "rate(x[40s]) + rate(x[10s])"
    );
}

#[test]
fn every_reference_and_mistake_parses() {
    for exercise in EXERCISES {
        for query in
            std::iter::once(exercise.reference).chain(exercise.mistakes.iter().map(|m| m.query))
        {
            let query = query.replace("{range}", "1m");
            assert!(parse(&query).is_ok(), "{}: {query}", exercise.id);
        }
    }
}
