//! What an app's `/metrics` answered, read the way Prometheus reads it: the
//! format from the `Content-Type`, the samples with `tinyprom`'s parser, and
//! each family's type from its `# TYPE` line.

use tinyprom::exposition::{parse_exposition, ExpositionSample, TextFormat};

/// One answer of `GET /metrics`, as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scrape {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, if there was one.
    pub content_type: Option<String>,
    /// The body.
    pub body: String,
}

/// The `Content-Type` of the OpenMetrics text `prometheus-client` writes.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What a `Content-Type` says about the body, before reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaType {
    /// `application/openmetrics-text`.
    OpenMetrics,
    /// `text/plain` with `version=0.0.4`: the Prometheus text format.
    PrometheusText,
    /// `text/plain` with no version: Prometheus reads it as the text format 0.0.4.
    PlainText,
    /// Anything else (`text/html`, …).
    Other,
}

impl MediaType {
    /// Reads a `Content-Type` header value.
    pub fn of(content_type: &str) -> MediaType {
        let mut parts = content_type.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let version = parts.find_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("version")
                .then(|| value.trim().trim_matches('"').to_owned())
        });
        match (media.as_str(), version.as_deref()) {
            ("application/openmetrics-text", _) => MediaType::OpenMetrics,
            ("text/plain", Some("0.0.4")) => MediaType::PrometheusText,
            ("text/plain", _) => MediaType::PlainText,
            _ => MediaType::Other,
        }
    }
}

/// Whether `body` is OpenMetrics text: its last line is `# EOF`.
pub fn ends_with_eof(body: &str) -> bool {
    body.lines().rev().find(|line| !line.trim().is_empty()) == Some("# EOF")
}

/// A `/metrics` body read into samples and family types.
#[derive(Clone, Debug, PartialEq)]
pub struct Exposition {
    /// The format it was read as.
    pub format: TextFormat,
    /// `(family, type)` from each `# TYPE` line, in order.
    pub types: Vec<(String, String)>,
    /// Every sample.
    pub samples: Vec<ExpositionSample>,
}

/// The suffixes a family's samples may add to its name.
const SAMPLE_SUFFIXES: [&str; 6] = ["_total", "_bucket", "_sum", "_count", "_created", "_info"];

impl Exposition {
    /// Reads `body` in `format`; the error names the line that could not be read.
    pub fn parse(body: &str, format: TextFormat) -> Result<Exposition, String> {
        let samples = parse_exposition(body, format).map_err(|error| {
            let text = body.lines().nth(error.line - 1).unwrap_or_default();
            format!("{error}: `{text}`")
        })?;
        let types = body
            .lines()
            .filter_map(|line| line.strip_prefix("# TYPE ")?.split_once(' '))
            .map(|(family, kind)| (family.to_owned(), kind.trim().to_owned()))
            .collect();
        Ok(Exposition {
            format,
            types,
            samples,
        })
    }

    /// The samples named `name`.
    pub fn samples_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a ExpositionSample> + 'a {
        self.samples
            .iter()
            .filter(move |sample| sample.labels.metric_name() == Some(name))
    }

    /// The sum of the samples named `name` that carry every label in `labels`.
    pub fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples_named(name)
            .filter(|sample| {
                labels
                    .iter()
                    .all(|(label, value)| sample.labels.get(label) == Some(value))
            })
            .map(|sample| sample.value)
            .sum()
    }

    /// The type declared for the family a sample name belongs to:
    /// `requests_total` is in the counter family `requests` in OpenMetrics,
    /// and its own family in the text format 0.0.4.
    pub fn type_of(&self, sample_name: &str) -> Option<&str> {
        let declared = |family: &str| {
            self.types
                .iter()
                .rev()
                .find(|(name, _)| name == family)
                .map(|(_, kind)| kind.as_str())
        };
        declared(sample_name).or_else(|| {
            SAMPLE_SUFFIXES
                .iter()
                .filter_map(|suffix| sample_name.strip_suffix(suffix))
                .find_map(declared)
        })
    }

    /// The distinct metric names, in order of appearance.
    pub fn metric_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for name in self.samples.iter().filter_map(|s| s.labels.metric_name()) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// The distinct values of `label` on the samples named `name`, sorted.
    pub fn label_values(&self, name: &str, label: &str) -> Vec<String> {
        let mut values: Vec<String> = self
            .samples_named(name)
            .filter_map(|sample| sample.labels.get(label).map(str::to_owned))
            .collect();
        values.sort();
        values.dedup();
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_media_types() {
        for (header, expect) in [
            (OPENMETRICS_CONTENT_TYPE, MediaType::OpenMetrics),
            ("application/openmetrics-text", MediaType::OpenMetrics),
            (
                "text/plain; version=0.0.4; charset=utf-8",
                MediaType::PrometheusText,
            ),
            ("Text/Plain;Version=\"0.0.4\"", MediaType::PrometheusText),
            ("text/plain; charset=utf-8", MediaType::PlainText),
            ("text/html; charset=utf-8", MediaType::Other),
            ("", MediaType::Other),
        ] {
            assert_eq!(MediaType::of(header), expect, "{header}");
        }
    }

    #[test]
    fn finds_the_type_of_a_samples_family() {
        let openmetrics = Exposition::parse(
            "# TYPE requests counter\nrequests_total{status=\"200\"} 3\n\
             # TYPE latency histogram\nlatency_bucket{le=\"+Inf\"} 1\nlatency_sum 0.5\nlatency_count 1\n# EOF\n",
            TextFormat::OpenMetrics,
        )
        .unwrap();
        assert_eq!(openmetrics.type_of("requests_total"), Some("counter"));
        assert_eq!(openmetrics.type_of("latency_bucket"), Some("histogram"));
        assert_eq!(openmetrics.type_of("latency_count"), Some("histogram"));
        assert_eq!(openmetrics.type_of("other"), None);
        assert_eq!(
            openmetrics.metric_names(),
            [
                "requests_total",
                "latency_bucket",
                "latency_sum",
                "latency_count"
            ]
        );
        let text = Exposition::parse(
            "# TYPE requests_total counter\nrequests_total 3\n",
            TextFormat::Prometheus,
        )
        .unwrap();
        assert_eq!(text.type_of("requests_total"), Some("counter"));
    }

    #[test]
    fn sums_series_with_the_given_labels() {
        let exposition = Exposition::parse(
            "r_total{status=\"200\",endpoint=\"/a\"} 3\nr_total{status=\"503\",endpoint=\"/a\"} 2\nr_total{status=\"200\",endpoint=\"/b\"} 7\n",
            TextFormat::Prometheus,
        )
        .unwrap();
        assert_eq!(exposition.sum("r_total", &[("endpoint", "/a")]), 5.0);
        assert_eq!(exposition.sum("r_total", &[("status", "200")]), 10.0);
        assert_eq!(exposition.sum("r_total", &[("status", "404")]), 0.0);
        assert_eq!(exposition.label_values("r_total", "status"), ["200", "503"]);
    }

    #[test]
    fn names_the_line_it_cannot_read() {
        let error = Exposition::parse("ok 1\nbroken{ 2\n", TextFormat::Prometheus).unwrap_err();
        assert_eq!(error, "line 2: malformed label set: `broken{ 2`");
    }

    #[test]
    fn recognises_openmetrics_by_its_eof() {
        assert!(ends_with_eof("# EOF\n"));
        assert!(ends_with_eof("a 1\n# EOF\n\n"));
        assert!(!ends_with_eof("a 1\n"));
        assert!(!ends_with_eof(""));
    }
}
