//! The series store: the stand-in for Prometheus's TSDB.
//!
//! Each series is identified by its [`Labels`] and holds float [`Sample`]s in
//! time order, millisecond timestamps as in Prometheus. A sample whose value
//! is the special [`STALE_NAN`] is a staleness marker: the scraper writes one
//! when a series disappears, and the query engine treats the series as
//! absent from that point on. Memory can be bounded by a retention window.

use std::time::Duration;

use crate::labels::{Labels, Matcher};
use crate::sort::sort_copied_by;

/// One sample: a timestamp in milliseconds since the Unix epoch and a value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// Milliseconds.
    pub t: i64,
    /// The value; [`STALE_NAN`] marks the series stale.
    pub f: f64,
}

/// The bit pattern Prometheus writes as a staleness marker: a NaN that no
/// arithmetic produces, so it cannot be confused with a scraped `NaN`.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// The staleness marker value.
pub const STALE_NAN: f64 = f64::from_bits(STALE_NAN_BITS);

/// Whether `value` is a staleness marker (not merely any NaN).
pub fn is_stale_marker(value: f64) -> bool {
    value.to_bits() == STALE_NAN_BITS
}

/// Why a sample was not stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    /// Older than the series' newest sample, which Prometheus rejects.
    #[error("out of order sample")]
    OutOfOrder,
    /// Same timestamp as the newest sample but another value.
    #[error("duplicate sample for timestamp")]
    DuplicateTimestamp,
}

/// One series: its labels and samples, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Its identity.
    pub labels: Labels,
    /// Its samples, in strictly increasing time order.
    pub samples: Vec<Sample>,
}

/// In-memory series, sorted by labels, with optional bounded retention.
#[derive(Clone, Debug, Default)]
pub struct SeriesStore {
    /// `None`: keep everything.
    retention_ms: Option<i64>,
    /// Sorted by labels. A sorted `Vec` rather than a map: new series are
    /// rare, lookups are binary searches, selections scan it in the order
    /// Prometheus returns series, and the map's code would cost the wasm
    /// playground kilobytes.
    series: Vec<Series>,
    changes: u64,
}

impl SeriesStore {
    /// An empty store that keeps every sample.
    pub fn new() -> SeriesStore {
        SeriesStore::default()
    }

    /// An empty store that drops samples older than `retention` before the
    /// newest appended timestamp.
    pub fn with_retention(retention: Duration) -> SeriesStore {
        SeriesStore {
            retention_ms: Some(duration_ms(retention)),
            ..SeriesStore::default()
        }
    }

    /// How long samples are kept, if bounded.
    pub fn retention(&self) -> Option<Duration> {
        self.retention_ms
            .map(|ms| Duration::from_millis(ms.unsigned_abs()))
    }

    /// Appends one sample. Out-of-order samples are refused, as Prometheus
    /// refuses them; the same sample twice is accepted once.
    pub fn append(&mut self, labels: &Labels, t: i64, f: f64) -> Result<(), AppendError> {
        let index = match self.series.binary_search_by(|s| s.labels.cmp(labels)) {
            Ok(index) => index,
            Err(index) => {
                self.series.insert(
                    index,
                    Series {
                        labels: labels.clone(),
                        samples: Vec::new(),
                    },
                );
                index
            }
        };
        let samples = &mut self.series[index].samples;
        if let Some(last) = samples.last() {
            if t < last.t {
                return Err(AppendError::OutOfOrder);
            }
            if t == last.t {
                return if last.f.to_bits() == f.to_bits() {
                    Ok(())
                } else {
                    Err(AppendError::DuplicateTimestamp)
                };
            }
        }
        samples.push(Sample { t, f });
        self.changes += 1;
        Ok(())
    }

    /// Adds a whole series at once (the samples need not be sorted; the
    /// last of equal timestamps wins). Replaces a series with the same
    /// labels. For loading files, where building sample by sample would
    /// shift the vector for every new series.
    pub fn insert_series(&mut self, labels: Labels, mut samples: Vec<Sample>) {
        if !samples.is_sorted_by_key(|s| s.t) {
            sort_copied_by(&mut samples, |a, b| a.t.cmp(&b.t));
        }
        let mut deduped: Vec<Sample> = Vec::with_capacity(samples.len());
        for sample in samples {
            match deduped.last_mut() {
                Some(last) if last.t == sample.t => *last = sample,
                _ => deduped.push(sample),
            }
        }
        match self.series.binary_search_by(|s| s.labels.cmp(&labels)) {
            Ok(index) => self.series[index].samples = deduped,
            Err(index) => self.series.insert(
                index,
                Series {
                    labels,
                    samples: deduped,
                },
            ),
        }
        self.changes += 1;
    }

    /// Drops what fell out of the retention window, counted back from
    /// `now_ms`, and series left without samples.
    pub fn expire(&mut self, now_ms: i64) {
        let Some(retention_ms) = self.retention_ms else {
            return;
        };
        let cutoff = now_ms.saturating_sub(retention_ms);
        let before = self.series.len();
        self.series.retain_mut(|series| {
            let samples = &mut series.samples;
            let expired = samples.partition_point(|s| s.t < cutoff);
            // Draining shifts the whole vector, so only do it once a good
            // share has expired: amortised O(1) per sample.
            if expired > 0 && (expired == samples.len() || expired * 4 >= samples.len()) {
                samples.drain(..expired);
            }
            !samples.is_empty()
        });
        if self.series.len() != before {
            self.changes += 1;
        }
    }

    /// Changes whenever the store does, so a view can tell whether to
    /// recompute.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// The number of series.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// Whether the store has no series.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// The total number of samples held, for memory accounting.
    pub fn sample_count(&self) -> usize {
        self.series.iter().map(|s| s.samples.len()).sum()
    }

    /// Every series, in label order.
    pub fn series(&self) -> &[Series] {
        &self.series
    }

    /// The samples of one series, oldest first (empty if unknown).
    pub fn samples(&self, labels: &Labels) -> &[Sample] {
        match self.series.binary_search_by(|s| s.labels.cmp(labels)) {
            Ok(index) => &self.series[index].samples,
            Err(_) => &[],
        }
    }

    /// The series every matcher accepts, in label order.
    pub fn select<'a, 'm>(
        &'a self,
        matchers: &'m [Matcher],
    ) -> impl Iterator<Item = &'a Series> + 'm
    where
        'a: 'm,
    {
        self.series
            .iter()
            .filter(move |series| matchers.iter().all(|m| m.matches_labels(&series.labels)))
    }

    /// Every metric name, sorted.
    pub fn metric_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .series
            .iter()
            .filter_map(|s| s.labels.metric_name())
            .collect();
        sort_and_dedup(&mut names);
        names
    }

    /// The label names (the metric name aside) of the series of `metric`,
    /// or of every series, sorted.
    pub fn label_names<'a>(&'a self, metric: Option<&str>) -> Vec<&'a str> {
        let mut names: Vec<&str> = self
            .series_of(metric)
            .flat_map(|s| s.labels.iter())
            .map(|label| label.name.as_str())
            .filter(|name| *name != crate::labels::METRIC_NAME)
            .collect();
        sort_and_dedup(&mut names);
        names
    }

    /// The values of label `label` in the series of `metric`, or of every
    /// series, sorted.
    pub fn label_values<'a>(&'a self, metric: Option<&str>, label: &str) -> Vec<&'a str> {
        let mut values: Vec<&str> = self
            .series_of(metric)
            .filter_map(|s| s.labels.get(label))
            .collect();
        sort_and_dedup(&mut values);
        values
    }

    fn series_of<'a, 'm>(&'a self, metric: Option<&'m str>) -> impl Iterator<Item = &'a Series> + 'm
    where
        'a: 'm,
    {
        self.series
            .iter()
            .filter(move |s| metric.is_none_or(|name| s.labels.metric_name() == Some(name)))
    }

    /// The oldest and newest sample timestamps in the store.
    pub fn time_range(&self) -> Option<(i64, i64)> {
        let mut range: Option<(i64, i64)> = None;
        for series in &self.series {
            if let (Some(first), Some(last)) = (series.samples.first(), series.samples.last()) {
                range = Some(match range {
                    None => (first.t, last.t),
                    Some((lo, hi)) => (lo.min(first.t), hi.max(last.t)),
                });
            }
        }
        range
    }
}

fn sort_and_dedup(items: &mut Vec<&str>) {
    crate::sort::sort_by(items, |a, b| a.cmp(b));
    items.dedup();
}

/// A duration in whole milliseconds, saturating.
pub fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::MatchOp;

    fn requests(status: &str) -> Labels {
        Labels::with_name(
            "requests_total",
            [("status", status), ("endpoint", "/upstream")],
        )
    }

    fn points(store: &SeriesStore, labels: &Labels) -> Vec<(i64, f64)> {
        store.samples(labels).iter().map(|s| (s.t, s.f)).collect()
    }

    #[test]
    fn keeps_samples_within_retention() {
        let mut store = SeriesStore::with_retention(Duration::from_secs(20));
        for (t, f) in [(0, 0.0), (10_000, 1.0), (20_000, 2.0), (30_000, 3.0)] {
            store.append(&requests("200"), t, f).unwrap();
            store.expire(t);
        }
        // 0 is older than 30 s - 20 s; draining waits for a quarter to expire.
        let kept: Vec<(i64, f64)> = points(&store, &requests("200"))
            .into_iter()
            .filter(|&(t, _)| t >= 10_000)
            .collect();
        assert_eq!(kept, [(10_000, 1.0), (20_000, 2.0), (30_000, 3.0)]);
        let mut long = SeriesStore::with_retention(Duration::from_secs(59));
        for i in 0..10_000 {
            long.append(&requests("200"), i * 1000, i as f64).unwrap();
            long.expire(i * 1000);
        }
        assert!(long.sample_count() <= 2 * 60 + 4, "{}", long.sample_count());
        assert_eq!(
            long.samples(&requests("200")).last().map(|s| s.t),
            Some(9_999_000)
        );
    }

    #[test]
    fn refuses_out_of_order_samples_and_drops_dead_series() {
        let mut store = SeriesStore::with_retention(Duration::from_secs(60));
        store.append(&requests("200"), 10_000, 1.0).unwrap();
        store.append(&requests("503"), 10_000, 1.0).unwrap();
        assert_eq!(store.append(&requests("200"), 10_000, 1.0), Ok(()));
        assert_eq!(
            store.append(&requests("200"), 10_000, 5.0),
            Err(AppendError::DuplicateTimestamp)
        );
        assert_eq!(
            store.append(&requests("200"), 5_000, 5.0),
            Err(AppendError::OutOfOrder)
        );
        assert_eq!(points(&store, &requests("200")), [(10_000, 1.0)]);
        store.append(&requests("200"), 80_000, 2.0).unwrap();
        store.expire(80_000);
        assert_eq!(store.len(), 1, "the 503 series aged out");
    }

    #[test]
    fn selects_by_matchers_in_label_order() {
        let mut store = SeriesStore::new();
        for status in ["503", "200", "404"] {
            store.append(&requests(status), 0, 1.0).unwrap();
        }
        store
            .append(&Labels::with_name::<&str, &str>("up", []), 0, 1.0)
            .unwrap();
        let matchers = [
            Matcher::equal("__name__", "requests_total"),
            Matcher::new(MatchOp::Regex, "status", "[25]0.").unwrap(),
        ];
        let statuses: Vec<&str> = store
            .select(&matchers)
            .filter_map(|s| s.labels.get("status"))
            .collect();
        assert_eq!(statuses, ["200", "503"]);
        assert_eq!(store.time_range(), Some((0, 0)));
    }

    #[test]
    fn staleness_markers_are_one_nan_among_many() {
        assert!(is_stale_marker(STALE_NAN));
        assert!(STALE_NAN.is_nan());
        assert!(!is_stale_marker(f64::NAN));
        assert!(!is_stale_marker(f64::NAN));
    }

    #[test]
    fn inserting_a_series_sorts_and_dedups() {
        let mut store = SeriesStore::new();
        store.insert_series(
            requests("200"),
            vec![
                Sample { t: 20, f: 2.0 },
                Sample { t: 10, f: 1.0 },
                Sample { t: 20, f: 3.0 },
            ],
        );
        assert_eq!(points(&store, &requests("200")), [(10, 1.0), (20, 3.0)]);
    }
}
