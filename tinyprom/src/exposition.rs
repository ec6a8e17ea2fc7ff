//! Reading exposition text into samples, as a scraper does.
//!
//! Both formats are accepted: OpenMetrics 1.0 and the Prometheus text format
//! 0.0.4 share the sample line syntax
//! `name{label="value",...} value [timestamp] [# exemplar]`. They differ in
//! the timestamp's unit: seconds (fractions allowed) in OpenMetrics,
//! milliseconds in 0.0.4. Comment lines (`# HELP`, `# TYPE`, `# UNIT`) and
//! blank lines carry no samples; `# EOF` ends an OpenMetrics exposition.

use crate::labels::{Labels, LabelsBuilder, METRIC_NAME};
use crate::number::parse_float;

/// Which exposition format a text is in, for the unit of its timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextFormat {
    /// OpenMetrics 1.0: timestamps in seconds.
    OpenMetrics,
    /// Prometheus text format 0.0.4: timestamps in milliseconds.
    Prometheus,
}

/// One sample line: the series it belongs to, its value and its timestamp,
/// if the line gave one.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpositionSample {
    /// Metric name (as `__name__`) and labels.
    pub labels: Labels,
    /// The value (may be `NaN` or infinite, as the formats allow).
    pub value: f64,
    /// Milliseconds since the Unix epoch, if the line had a timestamp.
    pub timestamp_ms: Option<i64>,
}

/// Why a line of exposition text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong with it.
    pub kind: ParseErrorKind,
}

/// What was wrong with a sample line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// The line does not start with a valid metric name.
    #[error("expected a metric name")]
    MetricName,
    /// A label pair is malformed (name, `=`, quotes, separators).
    #[error("malformed label set")]
    Labels,
    /// The value is missing or not a number.
    #[error("expected a sample value")]
    Value,
    /// The timestamp is not a number.
    #[error("malformed timestamp")]
    Timestamp,
}

/// The sample lines of `text` with their 1-based line numbers: comments
/// and blank lines left out, nothing after `# EOF`.
pub fn sample_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .map(str::trim_end)
        .take_while(|line| *line != "# EOF")
        .enumerate()
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .map(|(i, line)| (i + 1, line))
}

/// Parses every sample in `text`, up to `# EOF` if there is one.
pub fn parse_exposition(
    text: &str,
    format: TextFormat,
) -> Result<Vec<ExpositionSample>, ParseError> {
    sample_lines(text)
        .map(|(line, text)| parse_sample(text, format).map_err(|kind| ParseError { line, kind }))
        .collect()
}

fn parse_sample(line: &str, format: TextFormat) -> Result<ExpositionSample, ParseErrorKind> {
    let (labels, rest) = parse_series(line)?;
    let (value, timestamp_ms) = parse_value_and_timestamp(rest, format)?;
    Ok(ExpositionSample {
        labels,
        value,
        timestamp_ms,
    })
}

/// Reads `name{label="value",...}` at the start of a sample line; returns
/// the labels and the rest of the line.
pub(crate) fn parse_series(line: &str) -> Result<(Labels, &str), ParseErrorKind> {
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(line.len());
    let name = &line[..name_end];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(ParseErrorKind::MetricName);
    }
    let mut rest = &line[name_end..];
    let mut labels = LabelsBuilder::default();
    if let Some(after_brace) = rest.strip_prefix('{') {
        rest = parse_labels(after_brace, &mut labels)?;
    }
    labels.set(METRIC_NAME, name);
    Ok((labels.build(), rest))
}

/// Where the series part of a sample line ends (after the name, or after
/// the closing brace of its labels), without reading the labels: a cheap
/// key for "have we seen this series before".
pub(crate) fn series_end(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut i = bytes
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b':'))
        .unwrap_or(bytes.len());
    if bytes.get(i) != Some(&b'{') {
        return Some(i);
    }
    let mut in_quotes = false;
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_quotes => i += 1,
            b'"' => in_quotes = !in_quotes,
            b'}' if !in_quotes => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Reads ` value [timestamp] [# exemplar]` after the series.
pub(crate) fn parse_value_and_timestamp(
    rest: &str,
    format: TextFormat,
) -> Result<(f64, Option<i64>), ParseErrorKind> {
    if !rest.starts_with(' ') {
        return Err(ParseErrorKind::Value);
    }
    let mut fields = rest.split_ascii_whitespace();
    let value = fields
        .next()
        .and_then(parse_value)
        .ok_or(ParseErrorKind::Value)?;
    let timestamp_ms = match fields.next() {
        None => None,
        Some(exemplar) if exemplar.starts_with('#') => None,
        Some(token) => Some(parse_timestamp(token, format).ok_or(ParseErrorKind::Timestamp)?),
    };
    Ok((value, timestamp_ms))
}

/// A timestamp token in the format's unit, as milliseconds. OpenMetrics
/// seconds are multiplied by 1000 and truncated, as Prometheus's parser
/// does (`int64(ts * 1000)`).
fn parse_timestamp(token: &str, format: TextFormat) -> Option<i64> {
    match format {
        TextFormat::Prometheus => token.parse().ok(),
        TextFormat::OpenMetrics => {
            let seconds = parse_float(token)?;
            let ms = (seconds * 1000.0).trunc();
            (ms.is_finite() && ms.abs() < 9.2e18).then_some(ms as i64)
        }
    }
}

/// Parses `name="value",...}` (the opening brace already consumed) into
/// `labels` and returns the text after the closing brace.
fn parse_labels<'a>(
    mut rest: &'a str,
    labels: &mut LabelsBuilder,
) -> Result<&'a str, ParseErrorKind> {
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Ok(after);
        }
        // Split at a char, not at `="`: a `&str` pattern brings the two-way
        // substring searcher into the wasm. A valid name has no `=`, so
        // the first `=` is the one before the quote.
        let (name, after_name) = rest.split_once('=').ok_or(ParseErrorKind::Labels)?;
        let after_name = after_name.strip_prefix('"').ok_or(ParseErrorKind::Labels)?;
        let valid_name = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name {
            return Err(ParseErrorKind::Labels);
        }
        let mut value = String::new();
        let mut chars = after_name.char_indices();
        let after_value = loop {
            match chars.next() {
                Some((i, '"')) => break &after_name[i + 1..],
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c @ ('\\' | '"'))) => value.push(c),
                    _ => return Err(ParseErrorKind::Labels),
                },
                Some((_, c)) => value.push(c),
                None => return Err(ParseErrorKind::Labels),
            }
        };
        labels.set(name, value);
        rest = match after_value.strip_prefix(',') {
            Some(after_comma) => after_comma,
            None if after_value.starts_with('}') => after_value,
            None => return Err(ParseErrorKind::Labels),
        };
    }
}

fn parse_value(token: &str) -> Option<f64> {
    match token {
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => parse_float(token),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text` and compares each sample, printed as
    /// `name{labels} value`, with `expect`.
    fn check_parse(text: &str, expect: &[&str]) {
        let samples = parse_exposition(text, TextFormat::OpenMetrics).unwrap();
        let printed: Vec<String> = samples
            .iter()
            .map(|s| match s.timestamp_ms {
                Some(t) => format!("{} {:?} @{t}", s.labels, s.value),
                None => format!("{} {:?}", s.labels, s.value),
            })
            .collect();
        assert_eq!(printed, expect);
    }

    fn check_error(text: &str, line: usize, kind: ParseErrorKind) {
        assert_eq!(
            parse_exposition(text, TextFormat::OpenMetrics),
            Err(ParseError { line, kind })
        );
    }

    #[test]
    fn parses_openmetrics_and_text_format() {
        check_parse(
            "\
# HELP requests Requests handled.
# TYPE requests counter
requests_total{status=\"200\",endpoint=\"/treecounter\"} 3
request_latency_seconds_bucket{le=\"+Inf\",endpoint=\"/\"} 1
request_latency_seconds_sum{endpoint=\"/\"} 0.5
treecounter_build_info{version=\"0.1.0\"} 1
# EOF
",
            &[
                "requests_total{endpoint=\"/treecounter\", status=\"200\"} 3.0",
                "request_latency_seconds_bucket{endpoint=\"/\", le=\"+Inf\"} 1.0",
                "request_latency_seconds_sum{endpoint=\"/\"} 0.5",
                "treecounter_build_info{version=\"0.1.0\"} 1.0",
            ],
        );
        check_parse(
            "up 1\n\nprocess_start_time_seconds 1.7e9 1700000000.5\nx{} -Inf\ny NaN\nz +Inf\n# EOF\nafter 1\n",
            &[
                "up 1.0",
                "process_start_time_seconds 1700000000.0 @1700000000500",
                "x -inf",
                "y NaN",
                "z inf",
            ],
        );
    }

    #[test]
    fn reads_escapes_and_skips_exemplars() {
        check_parse(
            "weird{note=\"} # \\\" \\\\ \\n\",a=\"\"} 2 # {trace_id=\"a\"} 1.0\n",
            &["weird{note=\"} # \\\" \\\\ \\n\"} 2.0"],
        );
        check_parse(
            "trailing_comma{a=\"b\",} 1\n",
            &["trailing_comma{a=\"b\"} 1.0"],
        );
    }

    #[test]
    fn reads_timestamps_in_each_formats_unit() {
        let text = "a 1 1700000000123\n";
        let prometheus = parse_exposition(text, TextFormat::Prometheus).unwrap();
        assert_eq!(prometheus[0].timestamp_ms, Some(1_700_000_000_123));
        let openmetrics =
            parse_exposition("a 1 1700000000.123\n", TextFormat::OpenMetrics).unwrap();
        assert_eq!(openmetrics[0].timestamp_ms, Some(1_700_000_000_123));
    }

    #[test]
    fn reports_the_line_of_malformed_input() {
        check_error("ok 1\n{a=\"b\"} 1\n", 2, ParseErrorKind::MetricName);
        check_error("9lives 1\n", 1, ParseErrorKind::MetricName);
        check_error("x{a=\"b} 1\n", 1, ParseErrorKind::Labels);
        check_error("x{a=b} 1\n", 1, ParseErrorKind::Labels);
        check_error("x{a=\"b\"c=\"d\"} 1\n", 1, ParseErrorKind::Labels);
        check_error("x{a=\"\\t\"} 1\n", 1, ParseErrorKind::Labels);
        check_error("x{1a=\"b\"} 1\n", 1, ParseErrorKind::Labels);
        check_error("x\n", 1, ParseErrorKind::Value);
        check_error("x banana\n", 1, ParseErrorKind::Value);
        check_error("x infinity\n", 1, ParseErrorKind::Value);
        check_error("x{a=\"b\"}1\n", 1, ParseErrorKind::Value);
        check_error("x 1 soon\n", 1, ParseErrorKind::Timestamp);
    }
}
