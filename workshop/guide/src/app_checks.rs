//! The rules of the sections whose work shows in the app's `/metrics`:
//! 1 (exposing metrics), 2 (custom metrics) and 6 (the latency histogram).
//!
//! The input is what a checker saw: `/metrics` before and after a number of
//! visits to `/treecounter`. Each section's checks build on the previous
//! sections' (section 6 also runs the checks of 1 and 2).

use std::time::Duration;

use tinyprom::exposition::TextFormat;

use crate::exposition::{ends_with_eof, Exposition, MediaType, Scrape, OPENMETRICS_CONTENT_TYPE};
use crate::report::{Failure, Report, Rule};

/// A section whose work shows in `/metrics`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppStep {
    /// Section 1: `/metrics` serves a registry with the right content type.
    Exposing,
    /// Section 2: `requests_total{status, endpoint}` counts pages and upstream calls.
    Counting,
    /// Section 6: `request_latency_seconds{endpoint}` times the pages.
    Timing,
}

impl AppStep {
    /// The step of a section number, if that section changes the app.
    pub fn of_section(section: u8) -> Option<AppStep> {
        match section {
            1 => Some(AppStep::Exposing),
            2 => Some(AppStep::Counting),
            6 => Some(AppStep::Timing),
            _ => None,
        }
    }

    /// Its section number in WORKSHOP.md.
    pub fn section(self) -> u8 {
        match self {
            AppStep::Exposing => 1,
            AppStep::Counting => 2,
            AppStep::Timing => 6,
        }
    }

    /// Every check of this step, the earlier steps' first, in order.
    pub fn rules(self) -> Vec<Rule<AppProbe>> {
        let mut rules = EXPOSING.to_vec();
        if matches!(self, AppStep::Counting | AppStep::Timing) {
            rules.extend_from_slice(COUNTING);
        }
        if self == AppStep::Timing {
            rules.extend_from_slice(TIMING);
        }
        rules
    }

    /// The titles of its checks, e.g. to show the checklist before running it.
    pub fn checklist(self) -> Vec<&'static str> {
        self.rules().iter().map(|(title, _)| *title).collect()
    }

    /// Runs the checks on what the checker saw.
    pub fn check(self, probe: &AppProbe) -> Report {
        Report::run(&self.rules(), probe)
    }
}

/// What the checker did to `/treecounter` between the two scrapes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Visits {
    /// How many visits it made.
    pub sent: u32,
    /// How many were answered 200 OK.
    pub answered_ok: u32,
    /// What went wrong with the others, e.g. `HTTP 404 Not Found` (a few).
    pub errors: Vec<String>,
    /// How many pages said the count was unavailable (the upstream failed),
    /// if every page could be read as either a count or that message.
    pub unavailable: Option<u32>,
    /// The longest a visit took, as the checker measured it.
    pub longest: Duration,
}

/// What a checker saw: `/metrics` before and after the visits.
#[derive(Clone, Debug, PartialEq)]
pub struct AppProbe {
    /// `/metrics` before the visits.
    pub before: Scrape,
    /// `/metrics` after the visits.
    pub after: Scrape,
    /// The visits.
    pub visits: Visits,
}

impl AppProbe {
    fn read(scrape: &Scrape) -> Result<Exposition, String> {
        let format = match scrape.content_type.as_deref().map(MediaType::of) {
            Some(MediaType::OpenMetrics) => TextFormat::OpenMetrics,
            _ => TextFormat::Prometheus,
        };
        Exposition::parse(&scrape.body, format)
    }

    /// Both scrapes, read. Only called by checks that run after
    /// `body_parses` passed, so the error is a formality.
    fn expositions(&self) -> Result<(Exposition, Exposition), Failure> {
        let unreadable =
            |error| Failure::new(error, "see the check \"the body is valid exposition text\"");
        Ok((
            Self::read(&self.before).map_err(unreadable)?,
            Self::read(&self.after).map_err(unreadable)?,
        ))
    }
}

const EXPOSING: &[Rule<AppProbe>] = &[
    ("GET /metrics answers 200 OK", metrics_answers),
    (
        "the Content-Type says which format the body is in",
        content_type,
    ),
    ("the body is valid exposition text", body_parses),
];

const COUNTING: &[Rule<AppProbe>] = &[
    ("GET /treecounter answers 200 OK", pages_answer),
    (
        "requests_total is exported as a counter",
        requests_is_a_counter,
    ),
    (
        "requests_total has the labels status and endpoint",
        requests_labels,
    ),
    (
        "each page view adds 1 to requests_total{endpoint=\"/treecounter\", status=\"200\"}",
        pages_counted,
    ),
    (
        "each upstream call adds 1 to requests_total{endpoint=\"/upstream\"} with its status",
        upstream_counted,
    ),
];

const TIMING: &[Rule<AppProbe>] = &[
    (
        "request_latency_seconds is exported as a histogram",
        latency_is_a_histogram,
    ),
    (
        "request_latency_seconds has a series for endpoint=\"/treecounter\"",
        latency_of_pages,
    ),
    (
        "its buckets are complete and fit this app's latencies",
        buckets_usable,
    ),
    ("each page view is observed once", pages_observed),
    ("the observations are in seconds", observations_in_seconds),
];

fn metrics_answers(probe: &AppProbe) -> Result<String, Failure> {
    match probe.after.status {
        200 => Ok(String::new()),
        404 => Err(Failure::new(
            "GET /metrics answered 404 Not Found: the app has no /metrics route",
            "add `.route(\"/metrics\", get(metrics))` to the Router, with a handler that encodes the registry",
        )),
        status => Err(Failure::new(
            format!("GET /metrics answered HTTP {status}"),
            "the app's terminal may say why; the handler should answer 200 with the encoded registry",
        )),
    }
}

fn content_type(probe: &AppProbe) -> Result<String, Failure> {
    let set_it = format!(
        "answer with the header `Content-Type: {OPENMETRICS_CONTENT_TYPE}`, e.g. `([(CONTENT_TYPE, \"{OPENMETRICS_CONTENT_TYPE}\")], body)`"
    );
    let Some(header) = probe.after.content_type.as_deref() else {
        return Err(Failure::new(
            "GET /metrics has no Content-Type header",
            set_it,
        ));
    };
    let openmetrics_body = ends_with_eof(&probe.after.body);
    match MediaType::of(header) {
        MediaType::OpenMetrics if openmetrics_body => Ok(header.to_owned()),
        MediaType::OpenMetrics => Err(Failure::new(
            format!("the Content-Type is `{header}`, but the body does not end with `# EOF` as OpenMetrics text must"),
            "write the body with `prometheus_client::encoding::text::encode(&mut body, &registry)`, which ends it with # EOF",
        )),
        MediaType::PrometheusText | MediaType::PlainText if openmetrics_body => Err(Failure::new(
            format!("the Content-Type is `{header}`, but the body is OpenMetrics text (it ends with # EOF)"),
            format!("{set_it}: with text/plain Prometheus reads the body as the older text format, where counters lose their type and some metrics fail the scrape"),
        )),
        MediaType::PrometheusText | MediaType::PlainText => Ok(header.to_owned()),
        MediaType::Other => Err(Failure::new(
            format!("the Content-Type is `{header}`, which is not a metrics format"),
            set_it,
        )),
    }
}

fn body_parses(probe: &AppProbe) -> Result<String, Failure> {
    let exposition = AppProbe::read(&probe.after).map_err(|error| {
        Failure::new(
            format!("the body of /metrics cannot be read: {error}"),
            "write it with `prometheus_client::encoding::text::encode` rather than by hand",
        )
    })?;
    AppProbe::read(&probe.before).map_err(|error| {
        Failure::new(
            format!("the body of /metrics, before the visits, cannot be read: {error}"),
            "write it with `prometheus_client::encoding::text::encode` rather than by hand",
        )
    })?;
    Ok(match exposition.samples.len() {
        0 => "no samples yet: the registry is empty".to_owned(),
        1 => "1 sample".to_owned(),
        n => format!("{n} samples"),
    })
}

fn pages_answer(probe: &AppProbe) -> Result<String, Failure> {
    let visits = &probe.visits;
    if visits.sent > 0 && visits.answered_ok == visits.sent {
        return Ok(format!("{} visits", visits.sent));
    }
    Err(Failure::new(
        format!(
            "{} of {} visits to /treecounter failed: {}",
            visits.sent - visits.answered_ok,
            visits.sent,
            visits.errors.join("; ")
        ),
        "keep the /treecounter route and its handler as they were; the app's terminal may say what went wrong",
    ))
}

const REGISTER_REQUESTS: &str = "register a counter family: `registry.register(\"requests\", \"Requests handled\", requests.clone())` with `requests: Family<RequestLabels, Counter>`; prometheus-client adds the _total";

fn requests_is_a_counter(probe: &AppProbe) -> Result<String, Failure> {
    let (_, after) = probe.expositions()?;
    let series = after.samples_named("requests_total").count();
    if series == 0 {
        let n = probe.visits.sent;
        if after.samples_named("requests_total_total").next().is_some() {
            return Err(Failure::new(
                "the app exports requests_total_total",
                "prometheus-client adds _total to a counter's name: register it as \"requests\"",
            ));
        }
        if after
            .types
            .iter()
            .any(|(family, _)| family == "requests" || family == "requests_total")
        {
            return Err(Failure::new(
                format!("requests_total is registered but has no series after {n} visits"),
                "a Family exports only the label sets it has seen: call `.get_or_create(&labels).inc()` in the handler",
            ));
        }
        let found = match after.metric_names() {
            names if names.is_empty() => "the app exports no metrics yet".to_owned(),
            names => format!("no requests_total; the app exports {}", names.join(", ")),
        };
        return Err(Failure::new(found, REGISTER_REQUESTS));
    }
    match after.type_of("requests_total") {
        Some("counter") => Ok(plural(series, "series", "series")),
        Some(kind) => Err(Failure::new(
            format!("requests_total is declared as a {kind}"),
            "a count that only goes up is a Counter: `Family<RequestLabels, Counter>`",
        )),
        None => Err(Failure::new(
            "requests_total has no # TYPE line",
            REGISTER_REQUESTS,
        )),
    }
}

fn requests_labels(probe: &AppProbe) -> Result<String, Failure> {
    let (_, after) = probe.expositions()?;
    for sample in after.samples_named("requests_total") {
        let missing: Vec<&str> = ["status", "endpoint"]
            .into_iter()
            .filter(|label| sample.labels.get(label).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(Failure::new(
                format!(
                    "the series requests_total{} has no {} label",
                    sample.labels.labels_text(),
                    missing.join(" and no ")
                ),
                "label each count with a `RequestLabels { status, endpoint }` struct that derives EncodeLabelSet",
            ));
        }
    }
    Ok(String::new())
}

/// Checks that `name` went up by exactly `expected` between the scrapes,
/// for the series carrying `labels`.
fn went_up_by(
    before: &Exposition,
    after: &Exposition,
    name: &str,
    labels: &[(&str, &str)],
    expected: u32,
    what: &str,
) -> Result<String, Failure> {
    let (old, new) = (before.sum(name, labels), after.sum(name, labels));
    let delta = new - old;
    let selector = selector(name, labels);
    if delta == f64::from(expected) {
        return Ok(format!("+{expected}"));
    }
    let found = if delta < 0.0 {
        return Err(Failure::new(
            format!("{selector} went down from {old} to {new}"),
            "did the app restart during the check? Run the check again",
        ));
    } else {
        format!("{selector} went up by {delta} after {expected} {what}")
    };
    let fix = if delta == 0.0 {
        format!("add 1 for each of the {what}: `.inc()`")
    } else if expected > 0 && delta % f64::from(expected) == 0.0 {
        format!(
            "each of the {what} is counted {} times: count it once",
            delta / f64::from(expected)
        )
    } else {
        format!("count exactly one for each of the {what}; if something else visited the app during the check, run it again")
    };
    Err(Failure::new(found, fix))
}

fn selector(name: &str, labels: &[(&str, &str)]) -> String {
    let labels: Vec<String> = labels.iter().map(|(l, v)| format!("{l}=\"{v}\"")).collect();
    format!("{name}{{{}}}", labels.join(", "))
}

fn endpoint_present(
    after: &Exposition,
    name: &str,
    endpoint: &str,
    fix: &str,
) -> Result<(), Failure> {
    let endpoints = after.label_values(name, "endpoint");
    if endpoints.iter().any(|value| value == endpoint) {
        return Ok(());
    }
    let found = if endpoints.is_empty() {
        format!("{name} has no series with an endpoint label")
    } else {
        format!(
            "{name} has no series with endpoint=\"{endpoint}\"; its endpoint values are {}",
            quoted_list(&endpoints)
        )
    };
    Err(Failure::new(found, fix))
}

fn pages_counted(probe: &AppProbe) -> Result<String, Failure> {
    let (before, after) = probe.expositions()?;
    endpoint_present(
        &after,
        "requests_total",
        "/treecounter",
        "count each page served with `endpoint: \"/treecounter\"` (the route's path) and `status: 200`",
    )?;
    let statuses = statuses_of(&after, "/treecounter");
    if !statuses.iter().any(|status| status == "200") {
        return Err(Failure::new(
            format!(
                "requests_total{{endpoint=\"/treecounter\"}} has the status values {}",
                quoted_list(&statuses)
            ),
            "the page answers 200: use `status: 200`, the number as `StatusCode::as_u16()` gives it",
        ));
    }
    went_up_by(
        &before,
        &after,
        "requests_total",
        &[("endpoint", "/treecounter"), ("status", "200")],
        probe.visits.sent,
        "page views",
    )
}

fn statuses_of(exposition: &Exposition, endpoint: &str) -> Vec<String> {
    let mut statuses: Vec<String> = exposition
        .samples_named("requests_total")
        .filter(|sample| sample.labels.get("endpoint") == Some(endpoint))
        .filter_map(|sample| sample.labels.get("status").map(str::to_owned))
        .collect();
    statuses.sort();
    statuses.dedup();
    statuses
}

fn upstream_counted(probe: &AppProbe) -> Result<String, Failure> {
    let (before, after) = probe.expositions()?;
    endpoint_present(
        &after,
        "requests_total",
        "/upstream",
        "count each call to `fetch_tree_count` with `endpoint: \"/upstream\"` and the status it answered",
    )?;
    let statuses = statuses_of(&after, "/upstream");
    let unexpected: Vec<String> = statuses
        .iter()
        .filter(|status| !matches!(status.as_str(), "200" | "503"))
        .cloned()
        .collect();
    if !unexpected.is_empty() {
        return Err(Failure::new(
            format!(
                "requests_total{{endpoint=\"/upstream\"}} has the status values {}",
                quoted_list(&statuses)
            ),
            "use the upstream's status: 200 when it answered, the StatusCode in the Err (503) when it failed",
        ));
    }
    let sent = probe.visits.sent;
    let detail = went_up_by(
        &before,
        &after,
        "requests_total",
        &[("endpoint", "/upstream")],
        sent,
        "upstream calls",
    )?;
    let Some(unavailable) = probe.visits.unavailable else {
        return Ok(detail);
    };
    let labels = [("endpoint", "/upstream"), ("status", "503")];
    let failed = after.sum("requests_total", &labels) - before.sum("requests_total", &labels);
    if failed == f64::from(unavailable) {
        Ok(format!("{detail}, of which {unavailable} with status 503"))
    } else {
        Err(Failure::new(
            format!(
                "{unavailable} of the {sent} pages said the count was unavailable, but {} went up by {failed}",
                selector("requests_total", &labels)
            ),
            "count a failed call with the status in its Err (503), and a successful one with 200",
        ))
    }
}

const REGISTER_LATENCY: &str = "register a histogram family: `registry.register(\"request_latency_seconds\", \"…\", latency.clone())` with `latency: Family<EndpointLabels, Histogram, fn() -> Histogram>`";

fn latency_is_a_histogram(probe: &AppProbe) -> Result<String, Failure> {
    let (_, after) = probe.expositions()?;
    let name = "request_latency_seconds";
    if after
        .samples_named("request_latency_seconds_count")
        .next()
        .is_none()
    {
        let n = probe.visits.sent;
        let found = if after.types.iter().any(|(family, _)| family == name) {
            return Err(Failure::new(
                format!("{name} is registered but has no series after {n} visits"),
                "a Family exports only the label sets it has seen: call `.get_or_create(&labels).observe(seconds)` in the handler",
            ));
        } else if let Some(other) = after
            .metric_names()
            .into_iter()
            .find(|m| m.contains("latency") || m.contains("duration"))
        {
            format!("no {name}, but {other}: the unit belongs at the end of the name")
        } else {
            format!(
                "no {name}; the app exports {}",
                after.metric_names().join(", ")
            )
        };
        return Err(Failure::new(found, REGISTER_LATENCY));
    }
    match after.type_of("request_latency_seconds_count") {
        Some("histogram") => Ok(String::new()),
        Some(kind) => Err(Failure::new(
            format!("{name} is declared as a {kind}"),
            "use a Histogram: its buckets let histogram_quantile() estimate percentiles",
        )),
        None => Err(Failure::new(
            format!("{name} has no # TYPE line"),
            REGISTER_LATENCY,
        )),
    }
}

fn latency_of_pages(probe: &AppProbe) -> Result<String, Failure> {
    let (_, after) = probe.expositions()?;
    endpoint_present(
        &after,
        "request_latency_seconds_count",
        "/treecounter",
        "observe each page with `EndpointLabels { endpoint: \"/treecounter\" }`",
    )?;
    Ok(String::new())
}

/// One histogram series (labels other than `le`) and its buckets.
struct Histogram {
    labels: String,
    buckets: Vec<(f64, f64)>,
    count: Option<f64>,
    sum: Option<f64>,
}

fn histograms(exposition: &Exposition, name: &str) -> Result<Vec<Histogram>, Failure> {
    fn entry(histograms: &mut Vec<Histogram>, labels: String) -> &mut Histogram {
        let i = match histograms.iter().position(|h| h.labels == labels) {
            Some(i) => i,
            None => {
                histograms.push(Histogram {
                    labels,
                    buckets: Vec::new(),
                    count: None,
                    sum: None,
                });
                histograms.len() - 1
            }
        };
        &mut histograms[i]
    }
    let bucket_name = format!("{name}_bucket");
    let (count_name, sum_name) = (format!("{name}_count"), format!("{name}_sum"));
    let mut out: Vec<Histogram> = Vec::new();
    for sample in &exposition.samples {
        let Some(metric) = sample.labels.metric_name() else {
            continue;
        };
        let mut without_le = sample.labels.to_builder();
        without_le.del("le");
        without_le.del(tinyprom::labels::METRIC_NAME);
        let key = without_le.build().labels_text();
        if metric == bucket_name {
            let le = sample.labels.get("le").unwrap_or_default();
            let bound = match le {
                "+Inf" | "Inf" => Some(f64::INFINITY),
                _ => tinyprom::number::parse_float(le),
            };
            let bound = bound.ok_or_else(|| {
                Failure::new(
                    format!(
                        "{bucket_name}{} has no number in its le label",
                        sample.labels.labels_text()
                    ),
                    "let prometheus-client's Histogram write the buckets",
                )
            })?;
            entry(&mut out, key).buckets.push((bound, sample.value));
        } else if metric == count_name {
            entry(&mut out, key).count = Some(sample.value);
        } else if metric == sum_name {
            entry(&mut out, key).sum = Some(sample.value);
        }
    }
    Ok(out)
}

fn buckets_usable(probe: &AppProbe) -> Result<String, Failure> {
    let (_, after) = probe.expositions()?;
    let name = "request_latency_seconds";
    for histogram in histograms(&after, name)? {
        let series = format!("{name}{}", histogram.labels);
        let mut buckets = histogram.buckets.clone();
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        let Some(&(_, last_value)) = buckets.last().filter(|(b, _)| *b == f64::INFINITY) else {
            return Err(Failure::new(
                format!("{series} has no le=\"+Inf\" bucket"),
                "let prometheus-client's Histogram write the buckets; it always adds +Inf",
            ));
        };
        if buckets.windows(2).any(|pair| pair[1].1 < pair[0].1) {
            return Err(Failure::new(
                format!("{series}'s buckets are not cumulative"),
                "each bucket counts every observation up to its bound; let prometheus-client's Histogram write them",
            ));
        }
        let (Some(count), Some(_)) = (histogram.count, histogram.sum) else {
            return Err(Failure::new(
                format!("{series} lacks its _count or _sum"),
                "let prometheus-client's Histogram write the series",
            ));
        };
        if count != last_value {
            return Err(Failure::new(
                format!("{series}_count is {count} but its +Inf bucket is {last_value}"),
                "let prometheus-client's Histogram write the series",
            ));
        }
        let useful: Vec<f64> = buckets
            .iter()
            .map(|(bound, _)| *bound)
            .filter(|bound| *bound > 0.0 && *bound <= 1.0)
            .collect();
        if useful.len() < 3 {
            let bounds: Vec<String> = buckets.iter().map(|(b, _)| format_bound(*b)).collect();
            return Err(Failure::new(
                format!("{series} has the bucket bounds {}: fewer than 3 between 0 and 1 s, where this app's latencies are", bounds.join(", ")),
                "give Histogram::new bounds in seconds across 0-1 s, e.g. [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 2.5]",
            ));
        }
    }
    Ok(String::new())
}

fn format_bound(bound: f64) -> String {
    if bound == f64::INFINITY {
        "+Inf".to_owned()
    } else {
        format!("{bound}")
    }
}

fn pages_observed(probe: &AppProbe) -> Result<String, Failure> {
    let (before, after) = probe.expositions()?;
    went_up_by(
        &before,
        &after,
        "request_latency_seconds_count",
        &[("endpoint", "/treecounter")],
        probe.visits.sent,
        "page views",
    )
    .map_err(|failure| Failure {
        fix: failure.fix.replace("`.inc()`", "`.observe(seconds)`"),
        ..failure
    })
}

fn observations_in_seconds(probe: &AppProbe) -> Result<String, Failure> {
    let (before, after) = probe.expositions()?;
    let labels = [("endpoint", "/treecounter")];
    let name = "request_latency_seconds";
    let sum =
        after.sum(&format!("{name}_sum"), &labels) - before.sum(&format!("{name}_sum"), &labels);
    let count = f64::from(probe.visits.sent);
    let longest = probe.visits.longest.as_secs_f64();
    if sum <= 0.0 {
        return Err(Failure::new(
            format!("{count} page views added {sum} s to {name}_sum"),
            "observe `started.elapsed().as_secs_f64()`; `as_secs()` rounds down to whole seconds, which is 0 here",
        ));
    }
    let average = sum / count;
    // The app measures less than the checker does (no network, no client),
    // so its average cannot exceed the longest visit, give or take rounding.
    if average > longest + 0.05 {
        let fix = if average > 100.0 * longest {
            "that looks like milliseconds: observe `started.elapsed().as_secs_f64()`"
        } else {
            "observe the time from the start of the handler to the answer, in seconds: `started.elapsed().as_secs_f64()`"
        };
        return Err(Failure::new(
            format!("the page views observed {average:.3} on average, but the longest visit took {longest:.3} s"),
            fix,
        ));
    }
    Ok(format!(
        "{average:.3} s on average; the longest visit took {longest:.3} s"
    ))
}

fn quoted_list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    quoted.join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
