//! An in-memory time-series store, the playground's stand-in for
//! Prometheus's TSDB.
//!
//! Each series is identified by its [`LabelSet`] (metric name plus sorted
//! labels) and holds [`Point`]s in time order. Memory is bounded: points
//! older than the retention are dropped, and a series with no point left in
//! the retention window disappears.

use std::fmt;
use std::time::Duration;

/// A metric name and its labels, sorted by label name: the identity of a
/// series, as Prometheus sees it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LabelSet {
    name: String,
    labels: Vec<(String, String)>,
}

impl LabelSet {
    /// Builds a label set; the labels are sorted by name so that the same
    /// labels in any order are the same series.
    pub fn new(
        name: impl Into<String>,
        labels: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        // Insertion into place rather than `sort_unstable`: a label set has a
        // handful of labels, and each `sort` instantiation costs the wasm
        // playground about a kilobyte compressed.
        let mut sorted: Vec<(String, String)> = Vec::new();
        for label in labels {
            let at = sorted.partition_point(|existing| *existing < label);
            sorted.insert(at, label);
        }
        LabelSet {
            name: name.into(),
            labels: sorted,
        }
    }

    /// The metric name, e.g. `requests_total`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The labels, sorted by name.
    pub fn labels(&self) -> &[(String, String)] {
        &self.labels
    }

    /// The value of label `name`, if the set has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The labels alone, as PromQL prints them: `{endpoint="/upstream",status="503"}`.
    pub fn labels_text(&self) -> String {
        let mut out = String::from("{");
        for (i, (name, value)) in self.labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(name);
            out.push_str("=\"");
            for c in value.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' => out.push_str("\\\""),
                    '\n' => out.push_str("\\n"),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        out.push('}');
        out
    }
}

impl fmt::Display for LabelSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.labels.is_empty() {
            f.write_str(&self.labels_text())?;
        }
        Ok(())
    }
}

/// One sample of a series: a timestamp in milliseconds (Prometheus's unit)
/// and a value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Milliseconds on the simulated clock.
    pub t_ms: i64,
    /// The sampled value.
    pub value: f64,
}

/// In-memory series, keyed by label set, with bounded retention.
#[derive(Clone, Debug)]
pub struct SeriesStore {
    retention_ms: i64,
    /// Sorted by label set. A sorted `Vec` rather than a `BTreeMap`: new
    /// series are rare, lookups are binary searches, and the map's code
    /// would cost the wasm playground 3 KB compressed.
    series: Vec<(LabelSet, Vec<Point>)>,
    appends: u64,
}

impl SeriesStore {
    /// An empty store that keeps points for `retention` after the newest one.
    pub fn new(retention: Duration) -> Self {
        SeriesStore {
            retention_ms: duration_ms(retention),
            series: Vec::new(),
            appends: 0,
        }
    }

    /// How long points are kept.
    pub fn retention(&self) -> Duration {
        Duration::from_millis(self.retention_ms.unsigned_abs())
    }

    /// Appends the samples of one scrape taken at `t_ms`, then drops what
    /// fell out of the retention window.
    ///
    /// A sample older than or as old as its series' newest point is ignored,
    /// as Prometheus rejects out-of-order samples.
    pub fn append(&mut self, t_ms: i64, samples: impl IntoIterator<Item = (LabelSet, f64)>) {
        for (labels, value) in samples {
            let index = match self.series.binary_search_by(|(l, _)| l.cmp(&labels)) {
                Ok(index) => index,
                Err(index) => {
                    self.series.insert(index, (labels, Vec::new()));
                    index
                }
            };
            let points = &mut self.series[index].1;
            if points.last().is_some_and(|last| last.t_ms >= t_ms) {
                continue;
            }
            points.push(Point { t_ms, value });
        }
        self.appends += 1;
        self.expire(t_ms - self.retention_ms);
    }

    /// Drops points older than `cutoff_ms`, and series left empty.
    fn expire(&mut self, cutoff_ms: i64) {
        self.series.retain_mut(|(_, points)| {
            let expired = points.partition_point(|p| p.t_ms < cutoff_ms);
            // Draining shifts the whole vector, so only do it once a good
            // share has expired: amortised O(1) per point.
            if expired > 0 && (expired == points.len() || expired * 4 >= points.len()) {
                points.drain(..expired);
            }
            !points.is_empty()
        });
    }

    /// Counts scrapes appended so far; it changes whenever the store does,
    /// so a view can tell whether to recompute.
    pub fn appends(&self) -> u64 {
        self.appends
    }

    /// The number of series.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// Whether the store has no series.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// The total number of points held, for memory accounting.
    pub fn point_count(&self) -> usize {
        self.series.iter().map(|(_, points)| points.len()).sum()
    }

    /// The points of one series, oldest first.
    pub fn points(&self, labels: &LabelSet) -> &[Point] {
        match self.series.binary_search_by(|(l, _)| l.cmp(labels)) {
            Ok(index) => &self.series[index].1,
            Err(_) => &[],
        }
    }

    /// Every series of metric `name`, in label order, with its points.
    pub fn select<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = (&'a LabelSet, &'a [Point])> + 'a {
        self.series
            .iter()
            .filter(move |(labels, _)| labels.name() == name)
            .map(|(labels, points)| (labels, points.as_slice()))
    }
}

/// A duration in whole milliseconds, saturating.
pub fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requests(status: &str) -> LabelSet {
        LabelSet::new(
            "requests_total",
            [
                ("status".to_owned(), status.to_owned()),
                ("endpoint".to_owned(), "/upstream".to_owned()),
            ],
        )
    }

    #[test]
    fn label_sets_sort_labels_and_print_like_promql() {
        let labels = requests("503");
        assert_eq!(
            labels.to_string(),
            "requests_total{endpoint=\"/upstream\",status=\"503\"}"
        );
        assert_eq!(labels.get("status"), Some("503"));
        assert_eq!(labels.get("le"), None);
        let escaped = LabelSet::new("x", [("a".to_owned(), "q\"\\\n".to_owned())]);
        assert_eq!(escaped.to_string(), "x{a=\"q\\\"\\\\\\n\"}");
        assert_eq!(LabelSet::new("up", []).to_string(), "up");
    }

    /// Appends one scrape per `(t_ms, value)` to series `status="200"`, then
    /// compares the kept points with `expect`.
    fn check_retention(retention_ms: u64, scrapes: &[(i64, f64)], expect: &[(i64, f64)]) {
        let mut store = SeriesStore::new(Duration::from_millis(retention_ms));
        for &(t_ms, value) in scrapes {
            store.append(t_ms, [(requests("200"), value)]);
        }
        let kept: Vec<(i64, f64)> = store
            .points(&requests("200"))
            .iter()
            .filter(|p| p.t_ms >= scrapes.last().map_or(0, |s| s.0) - retention_ms as i64)
            .map(|p| (p.t_ms, p.value))
            .collect();
        assert_eq!(kept, expect);
        // Memory stays within a constant factor of the retention window.
        assert!(store.point_count() <= 2 * expect.len() + 4);
    }

    #[test]
    fn keeps_points_within_retention() {
        check_retention(
            20_000,
            &[(0, 0.0), (10_000, 1.0), (20_000, 2.0)],
            &[(0, 0.0), (10_000, 1.0), (20_000, 2.0)],
        );
        check_retention(
            20_000,
            &[(0, 0.0), (10_000, 1.0), (20_000, 2.0), (30_000, 3.0)],
            &[(10_000, 1.0), (20_000, 2.0), (30_000, 3.0)],
        );
        let long: Vec<(i64, f64)> = (0..10_000).map(|i| (i * 1000, i as f64)).collect();
        let tail: Vec<(i64, f64)> = (9_940..10_000).map(|i| (i * 1000, i as f64)).collect();
        check_retention(59_000, &long, &tail);
    }

    #[test]
    fn rejects_out_of_order_samples_and_drops_dead_series() {
        let mut store = SeriesStore::new(Duration::from_secs(60));
        store.append(10_000, [(requests("200"), 1.0), (requests("503"), 1.0)]);
        store.append(10_000, [(requests("200"), 5.0)]);
        store.append(5_000, [(requests("200"), 5.0)]);
        assert_eq!(
            store.points(&requests("200")),
            &[Point {
                t_ms: 10_000,
                value: 1.0
            }]
        );
        assert_eq!(store.len(), 2);
        assert_eq!(store.appends(), 3);
        store.append(80_000, [(requests("200"), 2.0)]);
        assert_eq!(store.len(), 1, "the 503 series aged out");
        assert_eq!(store.select("requests_total").count(), 1);
        assert_eq!(store.select("other").count(), 0);
    }
}
