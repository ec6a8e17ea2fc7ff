//! Metric definitions of the tree-counter app, named exactly as in the
//! workshop: `requests_total{status, endpoint}` and the bonus
//! `request_latency_seconds{endpoint}` histogram, plus a build-info metric.

use std::fmt::Write as _;
use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};

use crate::simulation::SIMULATED_UPSTREAM_ERROR_STATUS;

/// Upper bounds of the latency histogram, in seconds.
///
/// The artificial latency is uniform between 0 and 1 s by default, so the
/// buckets are dense in that range (every 100 ms, finer near zero for the
/// fast routes) and a few wider ones catch anything slower.
pub const LATENCY_BUCKETS: [f64; 15] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 2.5,
];

/// The value of the `endpoint` label.
///
/// Labels come from the route, never from the raw request path: every path
/// the server does not know shares [`Endpoint::Unmatched`], so a flood of
/// random paths cannot grow the exposition.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord)]
pub enum Endpoint {
    /// `GET /treecounter`, the page attendees visit.
    TreeCounter,
    /// Each call the app makes to its upstream tree-count API.
    Upstream,
    /// `GET /metrics`, the scrape endpoint.
    Metrics,
    /// `GET /healthz`, the liveness probe of container healthchecks.
    Health,
    /// The playground's static files, served under `/`.
    Playground,
    /// Any path the server has no route or file for (answered with 404).
    Unmatched,
}

impl Endpoint {
    /// The label value as it appears in the exposition.
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::TreeCounter => "/treecounter",
            Endpoint::Upstream => "/upstream",
            Endpoint::Metrics => "/metrics",
            Endpoint::Health => "/healthz",
            Endpoint::Playground => "/",
            Endpoint::Unmatched => "unmatched",
        }
    }
}

impl EncodeLabelValue for Endpoint {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> Result<(), std::fmt::Error> {
        encoder.write_str(self.as_str())
    }
}

/// An HTTP status code as a label value (`status="200"`).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord)]
pub struct Status(pub u16);

impl EncodeLabelValue for Status {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> Result<(), std::fmt::Error> {
        write!(encoder, "{}", self.0)
    }
}

/// Labels of `requests_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, PartialOrd, Ord, EncodeLabelSet)]
pub struct RequestLabels {
    /// The HTTP status code of the response (or of the upstream answer).
    pub status: Status,
    /// Which route or upstream call this was.
    pub endpoint: Endpoint,
}

/// Labels of `request_latency_seconds`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, PartialOrd, Ord, EncodeLabelSet)]
pub struct EndpointLabels {
    /// Which route or upstream call this was.
    pub endpoint: Endpoint,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

type LatencyFamily = Family<EndpointLabels, Histogram, fn() -> Histogram>;

/// Handles to every metric of the app. Cheap to clone: each metric is an
/// `Arc` around atomics, so clones share the same values without a lock.
#[derive(Clone, Debug)]
pub struct Metrics {
    requests: Family<RequestLabels, Counter>,
    request_latency: LatencyFamily,
    /// The series every request touches, looked up once: a family's lookup
    /// takes its lock, shared by every request on every thread.
    usual: UsualSeries,
}

/// Handles to the series of the usual requests, in their families.
#[derive(Clone, Debug)]
struct UsualSeries {
    page_ok: Counter,
    upstream_ok: Counter,
    upstream_failed: Counter,
    page_latency: Histogram,
    upstream_latency: Histogram,
}

impl Metrics {
    /// Creates every metric and registers it into `registry`.
    ///
    /// This is the single definition of what the app exports; the server and
    /// the playground both call it. `version` is exported as
    /// `treecounter_build_info{version="..."} 1`.
    ///
    /// The series a fresh process is known to produce (`/treecounter` 200,
    /// `/upstream` 200 and 503, and the latency of both) are created at zero,
    /// so that the first increment is already visible to `rate()`.
    pub fn register(registry: &mut Registry, version: &str) -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "Requests handled, by HTTP status and endpoint; endpoint=\"/upstream\" counts the app's calls to its upstream API",
            requests.clone(),
        );

        let request_latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "request_latency",
            "Time taken to answer a request (or, for endpoint=\"/upstream\", to get the upstream's answer)",
            Unit::Seconds,
            request_latency.clone(),
        );

        registry.register(
            "treecounter_build",
            "Build information of the tree-counter app; the value is always 1",
            Info::new(vec![("version".to_owned(), version.to_owned())]),
        );

        // Created now, at zero, so the first increment is already visible to
        // `rate()`; their handles are kept for the hot path.
        let counter = |endpoint, status| {
            requests
                .get_or_create(&RequestLabels {
                    status: Status(status),
                    endpoint,
                })
                .clone()
        };
        let histogram = |endpoint| {
            request_latency
                .get_or_create(&EndpointLabels { endpoint })
                .clone()
        };
        let usual = UsualSeries {
            page_ok: counter(Endpoint::TreeCounter, 200),
            upstream_ok: counter(Endpoint::Upstream, 200),
            upstream_failed: counter(Endpoint::Upstream, SIMULATED_UPSTREAM_ERROR_STATUS),
            page_latency: histogram(Endpoint::TreeCounter),
            upstream_latency: histogram(Endpoint::Upstream),
        };
        Metrics {
            requests,
            request_latency,
            usual,
        }
    }

    /// Records one answered request (or upstream call): counts it in
    /// `requests_total` and times it in `request_latency_seconds`. The server
    /// and the playground both record through this, so every counted request
    /// is also timed.
    pub fn record_response(&self, endpoint: Endpoint, status: u16, latency: Duration) {
        self.record_request(endpoint, status);
        self.observe_latency(endpoint, latency);
    }

    /// Counts one request (or upstream call) in `requests_total`.
    pub fn record_request(&self, endpoint: Endpoint, status: u16) {
        let usual = &self.usual;
        let counter = match (endpoint, status) {
            (Endpoint::TreeCounter, 200) => &usual.page_ok,
            (Endpoint::Upstream, 200) => &usual.upstream_ok,
            (Endpoint::Upstream, SIMULATED_UPSTREAM_ERROR_STATUS) => &usual.upstream_failed,
            _ => {
                self.requests
                    .get_or_create(&RequestLabels {
                        status: Status(status),
                        endpoint,
                    })
                    .inc();
                return;
            }
        };
        counter.inc();
    }

    /// Observes how long a request (or upstream call) took.
    pub fn observe_latency(&self, endpoint: Endpoint, latency: Duration) {
        let seconds = latency.as_secs_f64();
        match endpoint {
            Endpoint::TreeCounter => self.usual.page_latency.observe(seconds),
            Endpoint::Upstream => self.usual.upstream_latency.observe(seconds),
            _ => self
                .request_latency
                .get_or_create(&EndpointLabels { endpoint })
                .observe(seconds),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposition::{encode, Format};

    fn registry_with(actions: impl FnOnce(&Metrics)) -> String {
        let mut registry = Registry::default();
        let metrics = Metrics::register(&mut registry, "1.2.3");
        actions(&metrics);
        encode(&registry, Format::OpenMetrics).unwrap()
    }

    #[test]
    fn fresh_registry_exports_zeroed_known_series_and_build_info() {
        let text = registry_with(|_| {});
        let mut expected = String::from(
            "\
# HELP requests Requests handled, by HTTP status and endpoint; endpoint=\"/upstream\" counts the app's calls to its upstream API.
# TYPE requests counter
requests_total{status=\"200\",endpoint=\"/treecounter\"} 0
requests_total{status=\"200\",endpoint=\"/upstream\"} 0
requests_total{status=\"503\",endpoint=\"/upstream\"} 0
# HELP request_latency_seconds Time taken to answer a request (or, for endpoint=\"/upstream\", to get the upstream's answer).
# TYPE request_latency_seconds histogram
# UNIT request_latency_seconds seconds
# HELP treecounter_build Build information of the tree-counter app; the value is always 1.
# TYPE treecounter_build info
treecounter_build_info{version=\"1.2.3\"} 1
# EOF
",
        );
        for endpoint in ["/treecounter", "/upstream"] {
            expected += &format!("request_latency_seconds_sum{{endpoint=\"{endpoint}\"}} 0.0\n");
            expected += &format!("request_latency_seconds_count{{endpoint=\"{endpoint}\"}} 0\n");
            let bounds = LATENCY_BUCKETS.iter().map(|b| format!("{b:?}"));
            for le in bounds.chain(["+Inf".to_owned()]) {
                expected += &format!(
                    "request_latency_seconds_bucket{{le=\"{le}\",endpoint=\"{endpoint}\"}} 0\n"
                );
            }
        }
        assert_eq!(sorted_lines(&text), sorted_lines(&expected));
    }

    /// Family iteration order is a hash map's: compare sorted lines.
    fn sorted_lines(text: &str) -> Vec<&str> {
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort_unstable();
        lines
    }

    #[test]
    fn records_requests_by_endpoint_and_status() {
        let text = registry_with(|m| {
            m.record_request(Endpoint::TreeCounter, 200);
            m.record_request(Endpoint::TreeCounter, 200);
            m.record_request(Endpoint::Upstream, 503);
            m.record_request(Endpoint::Unmatched, 404);
        });
        assert!(text.contains("requests_total{status=\"200\",endpoint=\"/treecounter\"} 2\n"));
        assert!(text.contains("requests_total{status=\"503\",endpoint=\"/upstream\"} 1\n"));
        assert!(text.contains("requests_total{status=\"404\",endpoint=\"unmatched\"} 1\n"));
    }

    #[test]
    fn latency_lands_in_the_right_buckets() {
        let text = registry_with(|m| {
            m.record_response(Endpoint::TreeCounter, 200, Duration::from_millis(250));
            m.record_response(Endpoint::TreeCounter, 200, Duration::from_millis(950));
        });
        for line in [
            "request_latency_seconds_sum{endpoint=\"/treecounter\"} 1.2",
            "request_latency_seconds_count{endpoint=\"/treecounter\"} 2",
            "request_latency_seconds_bucket{le=\"0.2\",endpoint=\"/treecounter\"} 0",
            "request_latency_seconds_bucket{le=\"0.3\",endpoint=\"/treecounter\"} 1",
            "request_latency_seconds_bucket{le=\"0.9\",endpoint=\"/treecounter\"} 1",
            "request_latency_seconds_bucket{le=\"1.0\",endpoint=\"/treecounter\"} 2",
            "request_latency_seconds_bucket{le=\"+Inf\",endpoint=\"/treecounter\"} 2",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
    }
}
