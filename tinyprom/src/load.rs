//! Loading a saved OpenMetrics file with timestamps into a store: the
//! format `promtool tsdb create-blocks-from openmetrics` reads, so the same
//! file can be queried here and by a real Prometheus.

use std::collections::HashMap;

use crate::exposition::{
    parse_series, parse_value_and_timestamp, sample_lines, series_end, ParseErrorKind, TextFormat,
};
use crate::labels::Labels;
use crate::storage::{Sample, SeriesStore};

/// Why a file could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LoadError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// Reads every sample of an OpenMetrics text into a new store. Each sample
/// needs a timestamp (in seconds, fractions allowed), as promtool's
/// backfill requires; comment lines are skipped and `# EOF` ends the data.
/// Samples of a series may come in any order; of two with the same
/// timestamp, the later line wins.
pub fn load_openmetrics(text: &str) -> Result<SeriesStore, LoadError> {
    // Series are recognised by their text before the value, so each
    // distinct label set is parsed once however many samples it has.
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    let mut series: Vec<(Labels, Vec<Sample>)> = Vec::new();
    for (line_no, line) in sample_lines(text) {
        let error = |message: String| LoadError {
            line: line_no,
            message,
        };
        let end = series_end(line).ok_or_else(|| error(ParseErrorKind::Labels.to_string()))?;
        let (key, rest) = line.split_at(end);
        let index = match index_of.get(key) {
            Some(&index) => index,
            None => {
                let (labels, _) = parse_series(line).map_err(|kind| error(kind.to_string()))?;
                index_of.insert(key, series.len());
                series.push((labels, Vec::new()));
                series.len() - 1
            }
        };
        let (value, timestamp) = parse_value_and_timestamp(rest, TextFormat::OpenMetrics)
            .map_err(|kind| error(kind.to_string()))?;
        let t = timestamp.ok_or_else(|| {
            error("sample has no timestamp (promtool's backfill needs one)".to_owned())
        })?;
        series[index].1.push(Sample { t, f: value });
    }
    let mut store = SeriesStore::new();
    for (labels, samples) in series {
        store.insert_series(labels, samples);
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_samples_by_series_with_millisecond_timestamps() {
        let text = "\
# TYPE requests counter
requests_total{code=\"200\"} 1 1700000000.250
requests_total{code=\"500\"} 0 1700000000.250
requests_total{code=\"200\"} 3 1700000015
# EOF
";
        let store = load_openmetrics(text).unwrap();
        assert_eq!(store.len(), 2);
        let ok = Labels::with_name("requests_total", [("code", "200")]);
        assert_eq!(
            store.samples(&ok),
            [
                Sample {
                    t: 1_700_000_000_250,
                    f: 1.0
                },
                Sample {
                    t: 1_700_000_015_000,
                    f: 3.0
                }
            ]
        );
    }

    #[test]
    fn reports_the_line_of_what_it_cannot_read() {
        assert_eq!(
            load_openmetrics("a 1 1\nb 2\n").err().map(|e| e.line),
            Some(2),
            "no timestamp"
        );
        assert_eq!(
            load_openmetrics("a{x=\"1} 1 1\n").err().map(|e| e.line),
            Some(1)
        );
        assert_eq!(load_openmetrics("a one 1\n").err().map(|e| e.line), Some(1));
        assert!(load_openmetrics("").is_ok_and(|s| s.is_empty()));
    }
}
