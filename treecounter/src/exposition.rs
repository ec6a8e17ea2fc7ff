//! The two text formats a Prometheus server can scrape, and the choice
//! between them.
//!
//! `prometheus-client` writes OpenMetrics 1.0. Classic scrapers (and a human
//! with `curl`) get the Prometheus text format 0.0.4, derived from the
//! OpenMetrics text by [`openmetrics_to_text`]: the two differ only in family
//! names of counters and info metrics, `# UNIT` lines and the `# EOF` marker.

use prometheus_client::registry::Registry;

/// A text exposition format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// OpenMetrics 1.0 text, ending with `# EOF`. Prometheus asks for it first.
    OpenMetrics,
    /// The classic Prometheus text format, version 0.0.4.
    PrometheusText,
}

impl Format {
    /// The `Content-Type` a response in this format carries.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Format::PrometheusText => "text/plain; version=0.0.4; charset=utf-8",
        }
    }

    /// A short human name, for the playground's toggle and logs.
    pub fn label(self) -> &'static str {
        match self {
            Format::OpenMetrics => "OpenMetrics 1.0",
            Format::PrometheusText => "Prometheus text 0.0.4",
        }
    }

    /// Picks the format from an HTTP `Accept` header.
    ///
    /// OpenMetrics is chosen when the client accepts `application/openmetrics-text`
    /// with a quality at least as high as anything that would give it the
    /// classic format (`text/plain`, `text/*`, `*/*`). Everything else,
    /// including a missing or malformed header, gets the classic text format,
    /// which every scraper and browser can read.
    pub fn negotiate(accept: Option<&str>) -> Format {
        let Some(accept) = accept else {
            return Format::PrometheusText;
        };
        let mut openmetrics_q: Option<f32> = None;
        let mut text_q: Option<f32> = None;
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let mut q = 1.0_f32;
            for param in parts {
                if let Some((name, value)) = param.split_once('=') {
                    if name.trim().eq_ignore_ascii_case("q") {
                        // An unparsable weight is treated as the lowest,
                        // never as an error: the scrape must still succeed.
                        q = value
                            .trim()
                            .parse()
                            .ok()
                            .filter(|q: &f32| (0.0..=1.0).contains(q))
                            .unwrap_or(0.0);
                    }
                }
            }
            let slot = match media.as_str() {
                "application/openmetrics-text" => &mut openmetrics_q,
                "text/plain" | "text/*" | "*/*" => &mut text_q,
                _ => continue,
            };
            *slot = Some(slot.map_or(q, |old| old.max(q)));
        }
        match (openmetrics_q, text_q) {
            (Some(om), text) if om > 0.0 && om >= text.unwrap_or(0.0) => Format::OpenMetrics,
            _ => Format::PrometheusText,
        }
    }
}

/// Failure to encode a registry.
#[derive(Debug, thiserror::Error)]
#[error("could not encode the metrics registry: {0}")]
pub struct EncodeError(#[from] std::fmt::Error);

/// Encodes `registry` in `format`.
pub fn encode(registry: &Registry, format: Format) -> Result<String, EncodeError> {
    let mut openmetrics = String::with_capacity(4096);
    prometheus_client::encoding::text::encode(&mut openmetrics, registry)?;
    Ok(match format {
        Format::OpenMetrics => openmetrics,
        Format::PrometheusText => openmetrics_to_text(&openmetrics),
    })
}

/// Rewrites OpenMetrics text (as `prometheus-client` writes it) into the
/// Prometheus text format 0.0.4.
///
/// - A counter family `x` is named `x_total` in its `# HELP` and `# TYPE`
///   lines (the samples already are).
/// - An info family `x` becomes the gauge `x_info`.
/// - `# UNIT` lines and the `# EOF` marker are dropped.
/// - Exemplars (`... # {trace_id="..."} 1`) are dropped.
pub fn openmetrics_to_text(openmetrics: &str) -> String {
    // A few families: a list is all it takes, and keeps another hash map
    // instantiation out of the wasm playground. Searched from the end so
    // that, as with a map, a repeated name's last `# TYPE` wins.
    let types: Vec<(&str, &str)> = openmetrics
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE ")?.split_once(' '))
        .collect();
    let renamed = |name: &str| -> (String, Option<&'static str>) {
        let kind = types.iter().rev().find(|(n, _)| *n == name);
        match kind.map(|&(_, kind)| kind) {
            Some("counter") => (format!("{name}_total"), None),
            Some("info") => (format!("{name}_info"), Some("gauge")),
            _ => (name.to_owned(), None),
        }
    };

    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
            let (name, _) = renamed(name);
            out.push_str(&format!("# HELP {name} {help}\n"));
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, "untyped"));
            let (name, new_kind) = renamed(name);
            let kind = match (new_kind, kind) {
                (Some(k), _) => k,
                (None, "unknown") => "untyped",
                (None, k) => k,
            };
            out.push_str(&format!("# TYPE {name} {kind}\n"));
        } else {
            out.push_str(strip_exemplar(line));
            out.push('\n');
        }
    }
    out
}

/// The sample part of a line, without an OpenMetrics exemplar.
fn strip_exemplar(line: &str) -> &str {
    // Label values are quoted and may contain " # " or "}", so skip the
    // label set by walking it, honouring quotes and backslash escapes.
    let mut sample_end = 0;
    let mut in_labels = false;
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '{' if !in_quotes => in_labels = true,
            '}' if !in_quotes => {
                sample_end = i + 1;
                break;
            }
            ' ' if !in_labels => {
                sample_end = i;
                break;
            }
            _ => {}
        }
    }
    // Bytes, not `find(" # ")`: a `&str` pattern brings the two-way
    // substring searcher into the wasm playground.
    let exemplar = line.as_bytes()[sample_end..]
        .windows(3)
        .position(|window| window == b" # ");
    match exemplar {
        Some(i) => &line[..sample_end + i],
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_negotiate(accept: Option<&str>, expect: Format) {
        assert_eq!(Format::negotiate(accept), expect, "Accept: {accept:?}");
    }

    #[test]
    fn negotiates_like_prometheus_expects() {
        use Format::*;
        // Prometheus 2.x default scrape Accept header.
        check_negotiate(
            Some("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
            OpenMetrics,
        );
        // Prometheus 3.x default scrape protocols.
        check_negotiate(
            Some("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"),
            OpenMetrics,
        );
        // A scraper configured for the classic format only.
        check_negotiate(Some("text/plain;version=0.0.4"), PrometheusText);
        check_negotiate(
            Some("text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5"),
            PrometheusText,
        );
        check_negotiate(
            Some("application/openmetrics-text; version=1.0.0"),
            OpenMetrics,
        );
        check_negotiate(Some("APPLICATION/OPENMETRICS-TEXT"), OpenMetrics);
        // Browsers and curl.
        check_negotiate(
            Some("text/html,application/xhtml+xml,*/*;q=0.8"),
            PrometheusText,
        );
        check_negotiate(Some("*/*"), PrometheusText);
        check_negotiate(None, PrometheusText);
        // Malformed headers never fail, they fall back to the classic format.
        check_negotiate(Some(""), PrometheusText);
        check_negotiate(Some(";;;,,,"), PrometheusText);
        check_negotiate(
            Some("application/openmetrics-text;q=banana"),
            PrometheusText,
        );
        check_negotiate(Some("application/openmetrics-text;q=0"), PrometheusText);
        check_negotiate(Some("application/openmetrics-text;q=7"), PrometheusText);
        check_negotiate(Some("\u{1F332}/\u{1F332}"), PrometheusText);
    }

    #[test]
    fn converts_openmetrics_to_text_004() {
        let openmetrics = "\
# HELP requests Requests handled.
# TYPE requests counter
requests_total{status=\"200\",endpoint=\"/treecounter\"} 3
# HELP request_latency_seconds Time taken.
# TYPE request_latency_seconds histogram
# UNIT request_latency_seconds seconds
request_latency_seconds_sum{endpoint=\"/\"} 0.5
request_latency_seconds_count{endpoint=\"/\"} 1
request_latency_seconds_bucket{le=\"+Inf\",endpoint=\"/\"} 1
# HELP temperature A gauge.
# TYPE temperature gauge
temperature 21.5 # {trace_id=\"a # b\"} 1.0
# HELP mystery Something.
# TYPE mystery unknown
mystery{note=\"x # y\"} 1
weird{note=\"} # \\\" # \"} 2 # {a=\"b\"} 1
# HELP treecounter_build Build information.
# TYPE treecounter_build info
treecounter_build_info{version=\"0.1.0\"} 1
# EOF
";
        let expected = "\
# HELP requests_total Requests handled.
# TYPE requests_total counter
requests_total{status=\"200\",endpoint=\"/treecounter\"} 3
# HELP request_latency_seconds Time taken.
# TYPE request_latency_seconds histogram
request_latency_seconds_sum{endpoint=\"/\"} 0.5
request_latency_seconds_count{endpoint=\"/\"} 1
request_latency_seconds_bucket{le=\"+Inf\",endpoint=\"/\"} 1
# HELP temperature A gauge.
# TYPE temperature gauge
temperature 21.5
# HELP mystery Something.
# TYPE mystery untyped
mystery{note=\"x # y\"} 1
weird{note=\"} # \\\" # \"} 2
# HELP treecounter_build_info Build information.
# TYPE treecounter_build_info gauge
treecounter_build_info{version=\"0.1.0\"} 1
";
        assert_eq!(openmetrics_to_text(openmetrics), expected);
    }

    #[test]
    fn content_types_are_the_ones_scrapers_parse() {
        assert_eq!(
            Format::OpenMetrics.content_type(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        );
        assert_eq!(
            Format::PrometheusText.content_type(),
            "text/plain; version=0.0.4; charset=utf-8"
        );
    }
}
