//! The rules of sections 1, 2 and 6, case by case: what the checker saw,
//! and the first failure it must report (or that the section is done).

// Test helpers outside #[test] functions unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use workshop_guide::app_checks::{AppProbe, AppStep, Visits};
use workshop_guide::exposition::{Scrape, OPENMETRICS_CONTENT_TYPE};
use workshop_guide::report::Outcome;

const VISITS: u32 = 10;

fn scrape(content_type: Option<&str>, body: &str) -> Scrape {
    Scrape {
        status: 200,
        content_type: content_type.map(str::to_owned),
        body: body.to_owned(),
    }
}

fn openmetrics(families: &[String]) -> Scrape {
    scrape(
        Some(OPENMETRICS_CONTENT_TYPE),
        &format!("{}# EOF\n", families.concat()),
    )
}

/// The `requests` counter family with `(status, endpoint, value)` series.
fn requests(series: &[(&str, &str, u32)]) -> String {
    let mut out = "# HELP requests Requests handled.\n# TYPE requests counter\n".to_owned();
    for (status, endpoint, value) in series {
        out += &format!("requests_total{{status=\"{status}\",endpoint=\"{endpoint}\"}} {value}\n");
    }
    out
}

/// The pages after `pages` visits of which `failed` upstream calls failed.
fn counted(pages: u32, failed: u32) -> String {
    requests(&[
        ("200", "/upstream", pages - failed),
        ("503", "/upstream", failed),
        ("200", "/treecounter", pages),
    ])
}

const BOUNDS: [f64; 12] = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 2.5];

/// A `request_latency_seconds` histogram of `observations` for /treecounter.
fn latency(name: &str, bounds: &[f64], observations: &[f64]) -> String {
    let mut out = format!("# HELP {name} Time taken.\n# TYPE {name} histogram\n");
    if observations.is_empty() {
        return out;
    }
    let sum: f64 = observations.iter().sum();
    out += &format!("{name}_sum{{endpoint=\"/treecounter\"}} {sum}\n");
    out += &format!(
        "{name}_count{{endpoint=\"/treecounter\"}} {}\n",
        observations.len()
    );
    for bound in bounds {
        let n = observations.iter().filter(|o| *o <= bound).count();
        out += &format!("{name}_bucket{{le=\"{bound:?}\",endpoint=\"/treecounter\"}} {n}\n");
    }
    out += &format!(
        "{name}_bucket{{le=\"+Inf\",endpoint=\"/treecounter\"}} {}\n",
        observations.len()
    );
    out
}

fn visits(unavailable: u32) -> Visits {
    Visits {
        sent: VISITS,
        answered_ok: VISITS,
        errors: vec![],
        unavailable: Some(unavailable),
        longest: Duration::from_millis(950),
    }
}

/// Latencies of `n` visits, all under the longest visit.
fn seconds(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.05 + 0.09 * (i % 10) as f64).collect()
}

/// Runs `step` and checks its first failure `(title, found, fix)`, or that
/// it is done when `expect` is `None`.
fn check(step: AppStep, probe: AppProbe, expect: Option<(&str, &str, &str)>) {
    let report = step.check(&probe);
    let first = report.first_failure().map(|check| match &check.outcome {
        Outcome::Fail { found, fix } => (check.title, found.as_str(), fix.as_str()),
        _ => unreachable!(),
    });
    assert_eq!(first, expect, "\n{}", report.render());
    if expect.is_none() {
        assert!(report.is_done(), "{}", report.render());
    }
}

fn probe(before: Scrape, after: Scrape, visits: Visits) -> AppProbe {
    AppProbe {
        before,
        after,
        visits,
    }
}

/// Section 1 looks at the answer after the visits; before is the same.
fn exposing(after: Scrape, expect: Option<(&str, &str, &str)>) {
    check(
        AppStep::Exposing,
        probe(after.clone(), after, visits(0)),
        expect,
    );
}

#[test]
fn section_1_exposing_metrics() {
    exposing(openmetrics(&[]), None);
    exposing(
        scrape(
            Some("text/plain; version=0.0.4; charset=utf-8"),
            "# TYPE a_total counter\na_total 1\n",
        ),
        None,
    );
    exposing(
        Scrape { status: 404, ..openmetrics(&[]) },
        Some((
            "GET /metrics answers 200 OK",
            "GET /metrics answered 404 Not Found: the app has no /metrics route",
            "add `.route(\"/metrics\", get(metrics))` to the Router, with a handler that encodes the registry",
        )),
    );
    exposing(
        Scrape { status: 500, ..openmetrics(&[]) },
        Some((
            "GET /metrics answers 200 OK",
            "GET /metrics answered HTTP 500",
            "the app's terminal may say why; the handler should answer 200 with the encoded registry",
        )),
    );
    let set_it = "answer with the header `Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8`, e.g. `([(CONTENT_TYPE, \"application/openmetrics-text; version=1.0.0; charset=utf-8\")], body)`";
    // axum's default for a String body.
    exposing(
        scrape(Some("text/plain; charset=utf-8"), "# EOF\n"),
        Some((
            "the Content-Type says which format the body is in",
            "the Content-Type is `text/plain; charset=utf-8`, but the body is OpenMetrics text (it ends with # EOF)",
            &format!("{set_it}: with text/plain Prometheus reads the body as the older text format, where counters lose their type and some metrics fail the scrape"),
        )),
    );
    exposing(
        scrape(None, "# EOF\n"),
        Some((
            "the Content-Type says which format the body is in",
            "GET /metrics has no Content-Type header",
            set_it,
        )),
    );
    exposing(
        scrape(Some("text/html; charset=utf-8"), "# EOF\n"),
        Some((
            "the Content-Type says which format the body is in",
            "the Content-Type is `text/html; charset=utf-8`, which is not a metrics format",
            set_it,
        )),
    );
    exposing(
        scrape(Some(OPENMETRICS_CONTENT_TYPE), "a_total 1\n"),
        Some((
            "the Content-Type says which format the body is in",
            "the Content-Type is `application/openmetrics-text; version=1.0.0; charset=utf-8`, but the body does not end with `# EOF` as OpenMetrics text must",
            "write the body with `prometheus_client::encoding::text::encode(&mut body, &registry)`, which ends it with # EOF",
        )),
    );
    exposing(
        scrape(Some(OPENMETRICS_CONTENT_TYPE), "requests_total{status=200} 1\n# EOF\n"),
        Some((
            "the body is valid exposition text",
            "the body of /metrics cannot be read: line 1: malformed label set: `requests_total{status=200} 1`",
            "write it with `prometheus_client::encoding::text::encode` rather than by hand",
        )),
    );
}

/// Section 2 with `before` and `after` families and the visits' outcome.
fn counting(
    before: &[String],
    after: &[String],
    unavailable: u32,
    expect: Option<(&str, &str, &str)>,
) {
    check(
        AppStep::Counting,
        probe(openmetrics(before), openmetrics(after), visits(unavailable)),
        expect,
    );
}

#[test]
fn section_2_custom_metrics() {
    // Done: from a fresh app, and from one that had traffic before.
    counting(&[], &[counted(10, 2)], 2, None);
    counting(&[counted(5, 1)], &[counted(15, 3)], 2, None);
    counting(&[requests(&[])], &[counted(10, 0)], 0, None);

    let missing = "register a counter family: `registry.register(\"requests\", \"Requests handled\", requests.clone())` with `requests: Family<RequestLabels, Counter>`; prometheus-client adds the _total";
    counting(
        &[],
        &[],
        0,
        Some((
            "requests_total is exported as a counter",
            "the app exports no metrics yet",
            missing,
        )),
    );
    counting(
        &[],
        &["# TYPE hits counter\nhits_total 10\n".to_owned()],
        0,
        Some((
            "requests_total is exported as a counter",
            "no requests_total; the app exports hits_total",
            missing,
        )),
    );
    counting(
        &[],
        &["# TYPE requests_total counter\nrequests_total_total{status=\"200\",endpoint=\"/treecounter\"} 10\n".to_owned()],
        0,
        Some((
            "requests_total is exported as a counter",
            "the app exports requests_total_total",
            "prometheus-client adds _total to a counter's name: register it as \"requests\"",
        )),
    );
    counting(
        &[],
        &[requests(&[])],
        0,
        Some((
            "requests_total is exported as a counter",
            "requests_total is registered but has no series after 10 visits",
            "a Family exports only the label sets it has seen: call `.get_or_create(&labels).inc()` in the handler",
        )),
    );
    counting(
        &[],
        &["# TYPE requests_total gauge\nrequests_total{status=\"200\",endpoint=\"/treecounter\"} 10\n".to_owned()],
        0,
        Some((
            "requests_total is exported as a counter",
            "requests_total is declared as a gauge",
            "a count that only goes up is a Counter: `Family<RequestLabels, Counter>`",
        )),
    );
    counting(
        &[],
        &["# TYPE requests counter\nrequests_total{code=\"200\"} 10\n".to_owned()],
        0,
        Some((
            "requests_total has the labels status and endpoint",
            "the series requests_total{code=\"200\"} has no status and no endpoint label",
            "label each count with a `RequestLabels { status, endpoint }` struct that derives EncodeLabelSet",
        )),
    );
    counting(
        &[],
        &[requests(&[("200", "treecounter", 10), ("200", "upstream", 10)])],
        0,
        Some((
            "each page view adds 1 to requests_total{endpoint=\"/treecounter\", status=\"200\"}",
            "requests_total has no series with endpoint=\"/treecounter\"; its endpoint values are \"treecounter\", \"upstream\"",
            "count each page served with `endpoint: \"/treecounter\"` (the route's path) and `status: 200`",
        )),
    );
    counting(
        &[],
        &[requests(&[("OK", "/treecounter", 10)])],
        0,
        Some((
            "each page view adds 1 to requests_total{endpoint=\"/treecounter\", status=\"200\"}",
            "requests_total{endpoint=\"/treecounter\"} has the status values \"OK\"",
            "the page answers 200: use `status: 200`, the number as `StatusCode::as_u16()` gives it",
        )),
    );
    let pages =
        "each page view adds 1 to requests_total{endpoint=\"/treecounter\", status=\"200\"}";
    counting(
        &[counted(10, 1)],
        &[counted(10, 1)],
        0,
        Some((
            pages,
            "requests_total{endpoint=\"/treecounter\", status=\"200\"} went up by 0 after 10 page views",
            "add 1 for each of the page views: `.inc()`",
        )),
    );
    counting(
        &[],
        &[requests(&[("200", "/treecounter", 20)])],
        0,
        Some((
            pages,
            "requests_total{endpoint=\"/treecounter\", status=\"200\"} went up by 20 after 10 page views",
            "each of the page views is counted 2 times: count it once",
        )),
    );
    counting(
        &[],
        &[requests(&[("200", "/treecounter", 13)])],
        0,
        Some((
            pages,
            "requests_total{endpoint=\"/treecounter\", status=\"200\"} went up by 13 after 10 page views",
            "count exactly one for each of the page views; if something else visited the app during the check, run it again",
        )),
    );
    counting(
        &[counted(30, 3)],
        &[counted(10, 1)],
        0,
        Some((
            pages,
            "requests_total{endpoint=\"/treecounter\", status=\"200\"} went down from 30 to 10",
            "did the app restart during the check? Run the check again",
        )),
    );
    let upstream =
        "each upstream call adds 1 to requests_total{endpoint=\"/upstream\"} with its status";
    counting(
        &[],
        &[requests(&[("200", "/treecounter", 10)])],
        0,
        Some((
            upstream,
            "requests_total has no series with endpoint=\"/upstream\"; its endpoint values are \"/treecounter\"",
            "count each call to `fetch_tree_count` with `endpoint: \"/upstream\"` and the status it answered",
        )),
    );
    counting(
        &[],
        &[requests(&[("200", "/treecounter", 10), ("200", "/upstream", 8), ("500", "/upstream", 2)])],
        2,
        Some((
            upstream,
            "requests_total{endpoint=\"/upstream\"} has the status values \"200\", \"500\"",
            "use the upstream's status: 200 when it answered, the StatusCode in the Err (503) when it failed",
        )),
    );
    // Every call counted as a success, though two pages said "unavailable".
    counting(
        &[],
        &[requests(&[("200", "/treecounter", 10), ("200", "/upstream", 10)])],
        2,
        Some((
            upstream,
            "2 of the 10 pages said the count was unavailable, but requests_total{endpoint=\"/upstream\", status=\"503\"} went up by 0",
            "count a failed call with the status in its Err (503), and a successful one with 200",
        )),
    );
    // Pages the checker could not read: the 503s are not cross-checked.
    check(
        AppStep::Counting,
        probe(
            openmetrics(&[]),
            openmetrics(&[requests(&[
                ("200", "/treecounter", 10),
                ("200", "/upstream", 10),
            ])]),
            Visits {
                unavailable: None,
                ..visits(0)
            },
        ),
        None,
    );
    check(
        AppStep::Counting,
        probe(
            openmetrics(&[]),
            openmetrics(&[counted(10, 0)]),
            Visits { answered_ok: 7, errors: vec!["HTTP 404 Not Found".to_owned()], ..visits(0) },
        ),
        Some((
            "GET /treecounter answers 200 OK",
            "3 of 10 visits to /treecounter failed: HTTP 404 Not Found",
            "keep the /treecounter route and its handler as they were; the app's terminal may say what went wrong",
        )),
    );
}

/// Section 6 with the histogram's families before and after.
fn timing(before: &str, after: &str, expect: Option<(&str, &str, &str)>) {
    check(
        AppStep::Timing,
        probe(
            openmetrics(&[counted(10, 1), before.to_owned()]),
            openmetrics(&[counted(20, 2), after.to_owned()]),
            visits(1),
        ),
        expect,
    );
}

#[test]
fn section_6_latency_histogram() {
    let name = "request_latency_seconds";
    timing(
        &latency(name, &BOUNDS, &[]),
        &latency(name, &BOUNDS, &seconds(10)),
        None,
    );
    timing(
        &latency(name, &BOUNDS, &seconds(10)),
        &latency(name, &BOUNDS, &seconds(20)),
        None,
    );

    let histogram = "request_latency_seconds is exported as a histogram";
    let register = "register a histogram family: `registry.register(\"request_latency_seconds\", \"…\", latency.clone())` with `latency: Family<EndpointLabels, Histogram, fn() -> Histogram>`";
    timing(
        "",
        "",
        Some((
            histogram,
            "no request_latency_seconds; the app exports requests_total",
            register,
        )),
    );
    timing(
        "",
        &latency("request_latency", &BOUNDS, &seconds(10)),
        Some((
            histogram,
            "no request_latency_seconds, but request_latency_sum: the unit belongs at the end of the name",
            register,
        )),
    );
    timing(
        "",
        &latency(name, &BOUNDS, &[]),
        Some((
            histogram,
            "request_latency_seconds is registered but has no series after 10 visits",
            "a Family exports only the label sets it has seen: call `.get_or_create(&labels).observe(seconds)` in the handler",
        )),
    );
    timing(
        "",
        "# TYPE request_latency_seconds summary\nrequest_latency_seconds_sum{endpoint=\"/treecounter\"} 5\nrequest_latency_seconds_count{endpoint=\"/treecounter\"} 10\n",
        Some((
            histogram,
            "request_latency_seconds is declared as a summary",
            "use a Histogram: its buckets let histogram_quantile() estimate percentiles",
        )),
    );
    timing(
        "",
        &latency(name, &BOUNDS, &seconds(10)).replace("/treecounter", "tree_counter"),
        Some((
            "request_latency_seconds has a series for endpoint=\"/treecounter\"",
            "request_latency_seconds_count has no series with endpoint=\"/treecounter\"; its endpoint values are \"tree_counter\"",
            "observe each page with `EndpointLabels { endpoint: \"/treecounter\" }`",
        )),
    );
    let buckets = "its buckets are complete and fit this app's latencies";
    timing(
        "",
        &latency(name, &[5.0, 10.0], &seconds(10)),
        Some((
            buckets,
            "request_latency_seconds{endpoint=\"/treecounter\"} has the bucket bounds 5, 10, +Inf: fewer than 3 between 0 and 1 s, where this app's latencies are",
            "give Histogram::new bounds in seconds across 0-1 s, e.g. [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 2.5]",
        )),
    );
    let without_inf: String = latency(name, &BOUNDS, &seconds(10))
        .lines()
        .filter(|line| !line.contains("+Inf"))
        .map(|line| format!("{line}\n"))
        .collect();
    timing(
        "",
        &without_inf,
        Some((
            buckets,
            "request_latency_seconds{endpoint=\"/treecounter\"} has no le=\"+Inf\" bucket",
            "let prometheus-client's Histogram write the buckets; it always adds +Inf",
        )),
    );
    timing(
        "",
        &latency(name, &BOUNDS, &seconds(10)).replace("_count{endpoint=\"/treecounter\"} 10", "_count{endpoint=\"/treecounter\"} 9"),
        Some((
            buckets,
            "request_latency_seconds{endpoint=\"/treecounter\"}_count is 9 but its +Inf bucket is 10",
            "let prometheus-client's Histogram write the series",
        )),
    );
    timing(
        "",
        &latency(name, &BOUNDS, &seconds(20)),
        Some((
            "each page view is observed once",
            "request_latency_seconds_count{endpoint=\"/treecounter\"} went up by 20 after 10 page views",
            "each of the page views is counted 2 times: count it once",
        )),
    );
    let units = "the observations are in seconds";
    timing(
        "",
        &latency(name, &BOUNDS, &[0.0; 10]),
        Some((
            units,
            "10 page views added 0 s to request_latency_seconds_sum",
            "observe `started.elapsed().as_secs_f64()`; `as_secs()` rounds down to whole seconds, which is 0 here",
        )),
    );
    let millis: Vec<f64> = seconds(10).iter().map(|s| s * 1000.0).collect();
    timing(
        "",
        &latency(name, &BOUNDS, &millis),
        Some((
            units,
            "the page views observed 455.000 on average, but the longest visit took 0.950 s",
            "that looks like milliseconds: observe `started.elapsed().as_secs_f64()`",
        )),
    );
}

#[test]
fn each_step_adds_its_checks_to_the_previous_ones() {
    let one = AppStep::Exposing.checklist();
    let two = AppStep::Counting.checklist();
    let six = AppStep::Timing.checklist();
    assert_eq!(one.len(), 3);
    assert!(two.starts_with(&one) && two.len() > one.len());
    assert!(six.starts_with(&two) && six.len() > two.len());
    for section in [1, 2, 6] {
        assert_eq!(
            AppStep::of_section(section).map(AppStep::section),
            Some(section)
        );
    }
    assert_eq!(AppStep::of_section(3), None);
}
