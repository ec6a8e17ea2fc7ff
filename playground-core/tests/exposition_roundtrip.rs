//! The scraper's parser (tinyprom) reads what the app's registry
//! (treecounter, prometheus-client) writes, in both formats.

use tinyprom::exposition::{parse_exposition, TextFormat};
use tinyprom::labels::Labels;
use treecounter::exposition::{encode, Format};
use treecounter::metrics::{Endpoint, Metrics};

#[test]
fn reads_what_the_registry_writes() {
    let mut registry = prometheus_client::registry::Registry::default();
    let metrics = Metrics::register(&mut registry, "1.2.3");
    metrics.record_request(Endpoint::TreeCounter, 200);
    for (format, text_format) in [
        (Format::OpenMetrics, TextFormat::OpenMetrics),
        (Format::PrometheusText, TextFormat::Prometheus),
    ] {
        let text = encode(&registry, format).expect("the registry encodes");
        let samples = parse_exposition(&text, text_format).expect("the exposition parses");
        let value = |name: &str, labels: &[(&str, &str)]| {
            let labels = Labels::with_name(name, labels.iter().copied());
            samples.iter().find(|s| s.labels == labels).map(|s| s.value)
        };
        assert_eq!(
            value(
                "requests_total",
                &[("endpoint", "/treecounter"), ("status", "200")]
            ),
            Some(1.0)
        );
        assert_eq!(
            value(
                "requests_total",
                &[("endpoint", "/upstream"), ("status", "503")]
            ),
            Some(0.0)
        );
        assert_eq!(
            value("treecounter_build_info", &[("version", "1.2.3")]),
            Some(1.0)
        );
        // 3 request series, 2 histograms of 16 buckets + sum + count, build info.
        assert_eq!(samples.len(), 3 + 2 * 18 + 1, "{format:?}");
    }
}
