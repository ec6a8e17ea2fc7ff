//! A scraper: at every `scrape_interval` it takes the exposition text a
//! target answered (or the reason there was none) and stores it the way
//! Prometheus does.
//!
//! - Every sample gets the target's labels (`job`, `instance`); a scraped
//!   label of the same name is kept as `exported_<name>` (`honor_labels:
//!   false`, Prometheus's default).
//! - Samples without a timestamp are stored at the scrape's time.
//! - `up` is 1 after a scrape that parsed and 0 after one that failed, with
//!   `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling` and
//!   `scrape_series_added` beside it.
//! - A series that was in the previous scrape but not in this one gets a
//!   staleness marker, so queries stop seeing it at once instead of five
//!   minutes later. A failed scrape counts as an empty one.
//! - A target that goes away ([`Scraper::end`]) marks the series of its last
//!   scrape and its `up` and `scrape_*` series stale, as Prometheus ends a
//!   scrape loop.
//!
//! The scraper only ever sees text: a caller that owns the metrics encodes
//! them first, so what is stored is exactly what a real scrape would give.

use std::time::Duration;

use std::collections::HashMap;

use crate::exposition::{
    parse_series, parse_value_and_timestamp, sample_lines, series_end, ExpositionSample,
    ParseError, ParseErrorKind, TextFormat,
};
use crate::labels::{Labels, LabelsBuilder, METRIC_NAME};
use crate::storage::{duration_ms, SeriesStore, STALE_NAN};

/// The workshop's `prometheus.yaml` scrapes every 10 s.
pub const DEFAULT_SCRAPE_INTERVAL: Duration = Duration::from_secs(10);
/// Shortest scrape interval accepted: bounds the work per simulated second.
pub const MIN_SCRAPE_INTERVAL: Duration = Duration::from_secs(1);
/// Longest scrape interval accepted (Prometheus's staleness limit is 5 min).
pub const MAX_SCRAPE_INTERVAL: Duration = Duration::from_secs(300);

/// The series Prometheus writes for every scrape of a target, beside what
/// the target answered (`up` is 1 or 0, the others count samples and new
/// series).
pub const REPORT_SERIES: [&str; 4] = [
    "up",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
];

/// Why a scrape interval was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("scrape interval must be between 1 s and 300 s, got {} ms", .0.as_millis() as u64)]
pub struct ScrapeIntervalError(pub Duration);

/// Why a scrape failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScrapeError {
    /// The target could not be reached or did not answer 200; the text is
    /// what Prometheus would show on its targets page.
    #[error("{0}")]
    Unreachable(String),
    /// The answer was not valid exposition text.
    #[error("the exposition did not parse: {0}")]
    Parse(#[from] ParseError),
}

/// What one scrape did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrapeReport {
    /// When it happened, on the scraper's clock.
    pub at: Duration,
    /// Samples stored from the exposition.
    pub samples: usize,
    /// Series that were not in the previous scrape.
    pub series_added: usize,
    /// Series that vanished and got a staleness marker.
    pub series_stale: usize,
    /// Why it failed, if it did (`up` was then 0).
    pub error: Option<ScrapeError>,
}

/// Scrapes one target on a fixed schedule.
#[derive(Debug, Clone)]
pub struct Scraper {
    scrape_interval: Duration,
    next_scrape: Duration,
    /// Milliseconds since the Unix epoch at scraper time zero.
    time_origin_ms: i64,
    /// `job` and `instance`.
    target: Labels,
    /// Scrapes taken since the scraper was made or last ended.
    scrapes: u64,
    /// The series of the last scrape, by their text in the exposition.
    cache: HashMap<String, CachedSeries>,
}

/// A series the scraper saw.
#[derive(Debug, Clone)]
struct CachedSeries {
    /// Its labels, the target's included.
    labels: Labels,
    /// The scrape (count) that last had it.
    last_seen: u64,
    /// Whether its samples carry their own timestamps.
    timestamped: bool,
}

impl Scraper {
    /// A scraper of the target with labels `target` (usually `job` and
    /// `instance`), whose first scrape is due at `first_scrape`.
    /// Timestamps are `time_origin_ms` plus the scraper's clock.
    pub fn new(
        scrape_interval: Duration,
        first_scrape: Duration,
        time_origin_ms: i64,
        target: Labels,
    ) -> Result<Self, ScrapeIntervalError> {
        check_interval(scrape_interval)?;
        Ok(Scraper {
            scrape_interval,
            next_scrape: first_scrape,
            time_origin_ms,
            target,
            scrapes: 0,
            cache: HashMap::new(),
        })
    }

    /// A scraper of `target` every [`DEFAULT_SCRAPE_INTERVAL`], from time
    /// zero, timestamps counted from the Unix epoch.
    pub fn with_default_interval(target: Labels) -> Self {
        Scraper {
            scrape_interval: DEFAULT_SCRAPE_INTERVAL,
            next_scrape: Duration::ZERO,
            time_origin_ms: 0,
            target,
            scrapes: 0,
            cache: HashMap::new(),
        }
    }

    /// Time between scrapes.
    pub fn scrape_interval(&self) -> Duration {
        self.scrape_interval
    }

    /// When the next scrape is due.
    pub fn next_scrape(&self) -> Duration {
        self.next_scrape
    }

    /// The target's labels.
    pub fn target(&self) -> &Labels {
        &self.target
    }

    /// Moves the next scrape to `next_scrape`, keeping the series of the
    /// last one: for a target that answers elsewhere now but is the same
    /// target (same labels), so its series go on without a break.
    pub fn reschedule(&mut self, next_scrape: Duration) {
        self.next_scrape = next_scrape;
    }

    /// Changes the interval. The next scrape moves to one new interval
    /// after the previous scrape, but never before `now`.
    pub fn set_scrape_interval(
        &mut self,
        scrape_interval: Duration,
        now: Duration,
    ) -> Result<(), ScrapeIntervalError> {
        check_interval(scrape_interval)?;
        // next - old + new, without going below zero on the way.
        let rescheduled = if scrape_interval >= self.scrape_interval {
            self.next_scrape + (scrape_interval - self.scrape_interval)
        } else {
            self.next_scrape
                .saturating_sub(self.scrape_interval - scrape_interval)
        };
        self.next_scrape = rescheduled.max(now);
        self.scrape_interval = scrape_interval;
        Ok(())
    }

    /// Takes the scrape that is due, at its scheduled time, from what the
    /// target answered, and schedules the next one. A text that does not
    /// parse stores nothing (as Prometheus rolls the scrape back) and
    /// counts as a failed scrape.
    pub fn scrape(
        &mut self,
        answer: Result<&str, ScrapeError>,
        format: TextFormat,
        store: &mut SeriesStore,
    ) -> ScrapeReport {
        let parsed = answer.and_then(|text| Ok(self.read(text, format)?));
        self.store_scrape(parsed, store)
    }

    /// Takes a scrape at `at` of `text` only if all of it parses: text that
    /// does not stores nothing at all, not even `up` or staleness markers
    /// (for text a person gives, where a typo is not a failed target).
    /// Otherwise as [`Scraper::scrape_at`], with the text parsed once.
    pub fn scrape_valid_at(
        &mut self,
        at: Duration,
        text: &str,
        format: TextFormat,
        store: &mut SeriesStore,
    ) -> Result<ScrapeReport, ParseError> {
        let samples = self.read(text, format)?;
        self.next_scrape = at;
        Ok(self.store_scrape(Ok(samples), store))
    }

    /// Stores the scrape that is due from what was read of the answer, and
    /// schedules the next one.
    fn store_scrape(
        &mut self,
        parsed: Result<Vec<(&str, ExpositionSample)>, ScrapeError>,
        store: &mut SeriesStore,
    ) -> ScrapeReport {
        let at = self.next_scrape;
        self.next_scrape += self.scrape_interval;
        self.scrapes += 1;
        let generation = self.scrapes;
        let t = self.time_origin_ms.saturating_add(duration_ms(at));

        let (samples, series_added, error) = match parsed {
            Ok(samples) => {
                let mut added = 0;
                for (key, sample) in &samples {
                    let timestamped = sample.timestamp_ms.is_some();
                    match self.cache.get_mut(*key) {
                        Some(entry) => {
                            entry.last_seen = generation;
                            entry.timestamped = timestamped;
                        }
                        None => {
                            added += 1;
                            self.cache.insert(
                                (*key).to_owned(),
                                CachedSeries {
                                    labels: sample.labels.clone(),
                                    last_seen: generation,
                                    timestamped,
                                },
                            );
                        }
                    }
                    // Out-of-order and duplicate samples are dropped, as
                    // Prometheus drops them, without failing the scrape.
                    let _ = store.append(
                        &sample.labels,
                        sample.timestamp_ms.unwrap_or(t),
                        sample.value,
                    );
                }
                (samples.len(), added, None)
            }
            Err(error) => (0, 0, Some(error)),
        };

        // After this scrape's samples, so a series that merely changed its
        // label order keeps its real value.
        let series_stale = self.mark_unseen_stale(generation, t, store);

        let up = if error.is_none() { 1.0 } else { 0.0 };
        self.write_report(
            [up, samples as f64, samples as f64, series_added as f64],
            t,
            store,
        );
        store.expire(t);
        ScrapeReport {
            at,
            samples,
            series_added,
            series_stale,
            error,
        }
    }

    /// The target went away at `at` (on the scraper's clock): writes a
    /// staleness marker for every series of the last scrape (but those with
    /// their own timestamps, as after a scrape) and for the target's
    /// [`REPORT_SERIES`], so queries stop seeing the target at once rather
    /// than five minutes later, as Prometheus ends a target's scrape loop.
    /// Then forgets the series, so a later scrape starts afresh and ending
    /// again marks nothing. Returns how many series it marked, the report's
    /// included; none when nothing was scraped since the start or the last
    /// end (there is nothing to end).
    pub fn end(&mut self, at: Duration, store: &mut SeriesStore) -> usize {
        if self.scrapes == 0 {
            return 0;
        }
        let t = self.time_origin_ms.saturating_add(duration_ms(at));
        // No scrape has this generation, so every series is unseen in it.
        let marked = self.mark_unseen_stale(self.scrapes + 1, t, store);
        self.write_report([STALE_NAN; REPORT_SERIES.len()], t, store);
        self.scrapes = 0;
        store.expire(t);
        marked + REPORT_SERIES.len()
    }

    /// Series of the scrape before `generation` that it did not have get a
    /// staleness marker at `t`; series with their own timestamps never go
    /// stale. Forgets every series not seen in `generation`. Returns how
    /// many it marked.
    fn mark_unseen_stale(&mut self, generation: u64, t: i64, store: &mut SeriesStore) -> usize {
        let mut marked = 0;
        self.cache.retain(|_, entry| {
            if entry.last_seen == generation {
                return true;
            }
            if entry.last_seen + 1 == generation && !entry.timestamped {
                let _ = store.append(&entry.labels, t, STALE_NAN);
                marked += 1;
            }
            false
        });
        marked
    }

    /// Writes the target's [`REPORT_SERIES`] at `t`, in their order.
    fn write_report(&self, values: [f64; REPORT_SERIES.len()], t: i64, store: &mut SeriesStore) {
        for (name, value) in REPORT_SERIES.into_iter().zip(values) {
            let mut labels = self.target.to_builder();
            labels.set(METRIC_NAME, name);
            // A duplicate or out-of-order report is dropped, as a sample is.
            let _ = store.append(&labels.build(), t, value);
        }
    }

    /// Takes a scrape at `at` rather than on the schedule, for a caller
    /// whose scrapes come when they come (a browser's timer, a pasted
    /// text), and schedules the next one an interval later. The samples of
    /// an `at` before the previous scrape are dropped as out of order.
    pub fn scrape_at(
        &mut self,
        at: Duration,
        answer: Result<&str, ScrapeError>,
        format: TextFormat,
        store: &mut SeriesStore,
    ) -> ScrapeReport {
        self.next_scrape = at;
        self.scrape(answer, format, store)
    }

    /// Parses every sample line of `text`; series seen before skip the
    /// label parsing (their text is the cache key, as in Prometheus's
    /// scrape cache). Returns each sample with its key.
    fn read<'t>(
        &self,
        text: &'t str,
        format: TextFormat,
    ) -> Result<Vec<(&'t str, ExpositionSample)>, ParseError> {
        let mut samples = Vec::new();
        for (line_no, line) in sample_lines(text) {
            let error = |kind: ParseErrorKind| ParseError {
                line: line_no,
                kind,
            };
            let end = series_end(line).ok_or(error(ParseErrorKind::Labels))?;
            let key = &line[..end];
            let labels = match self.cache.get(key) {
                Some(entry) => entry.labels.clone(),
                None => {
                    let (labels, _) = parse_series(line).map_err(error)?;
                    self.with_target_labels(&labels)
                }
            };
            let (value, timestamp_ms) =
                parse_value_and_timestamp(&line[end..], format).map_err(error)?;
            samples.push((
                key,
                ExpositionSample {
                    labels,
                    value,
                    timestamp_ms,
                },
            ));
        }
        Ok(samples)
    }

    fn with_target_labels(&self, scraped: &Labels) -> Labels {
        if self.target.is_empty() {
            return scraped.clone();
        }
        let mut builder: LabelsBuilder = scraped.to_builder();
        for label in self.target.iter() {
            if let Some(existing) = scraped.get(&label.name) {
                builder.set(format!("exported_{}", label.name), existing);
            }
            builder.set(label.name.clone(), label.value.clone());
        }
        builder.build()
    }
}

fn check_interval(interval: Duration) -> Result<(), ScrapeIntervalError> {
    if (MIN_SCRAPE_INTERVAL..=MAX_SCRAPE_INTERVAL).contains(&interval) {
        Ok(())
    } else {
        Err(ScrapeIntervalError(interval))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::is_stale_marker;

    fn target() -> Labels {
        Labels::new([("job", "treecounter"), ("instance", "app:8001")])
    }

    fn series(name: &str, status: &str) -> Labels {
        Labels::with_name(
            name,
            [
                ("job", "treecounter"),
                ("instance", "app:8001"),
                ("status", status),
            ],
        )
    }

    fn values(store: &SeriesStore, labels: &Labels) -> Vec<(i64, String)> {
        store
            .samples(labels)
            .iter()
            .map(|s| {
                let v = if is_stale_marker(s.f) {
                    "stale".to_owned()
                } else {
                    s.f.to_string()
                };
                (s.t, v)
            })
            .collect()
    }

    fn up(store: &SeriesStore) -> Vec<(i64, String)> {
        values(
            store,
            &Labels::with_name("up", [("job", "treecounter"), ("instance", "app:8001")]),
        )
    }

    #[test]
    fn stores_samples_with_target_labels_at_the_scheduled_times() {
        let mut store = SeriesStore::new();
        let mut scraper =
            Scraper::new(Duration::from_secs(10), Duration::ZERO, 1_000_000, target()).unwrap();
        let report = scraper.scrape(
            Ok("requests_total{status=\"200\"} 1\nrequests_total{status=\"503\"} 0\n"),
            TextFormat::OpenMetrics,
            &mut store,
        );
        assert_eq!(
            (report.samples, report.series_added, report.series_stale),
            (2, 2, 0)
        );
        assert_eq!(scraper.next_scrape(), Duration::from_secs(10));
        scraper.scrape(
            Ok("requests_total{status=\"200\"} 3\nrequests_total{status=\"503\"} 1\n"),
            TextFormat::OpenMetrics,
            &mut store,
        );
        assert_eq!(
            values(&store, &series("requests_total", "200")),
            [(1_000_000, "1".to_owned()), (1_010_000, "3".to_owned())]
        );
        assert_eq!(
            up(&store),
            [(1_000_000, "1".to_owned()), (1_010_000, "1".to_owned())]
        );
        let added = Labels::with_name(
            "scrape_series_added",
            [("job", "treecounter"), ("instance", "app:8001")],
        );
        assert_eq!(
            values(&store, &added),
            [(1_000_000, "2".to_owned()), (1_010_000, "0".to_owned())]
        );
    }

    #[test]
    fn vanished_series_and_failed_scrapes_write_staleness_markers() {
        let mut store = SeriesStore::new();
        let mut scraper =
            Scraper::new(Duration::from_secs(10), Duration::ZERO, 0, target()).unwrap();
        let both = "x{status=\"a\"} 1\nx{status=\"b\"} 1\n";
        scraper.scrape(Ok(both), TextFormat::OpenMetrics, &mut store);
        let report = scraper.scrape(
            Ok("x{status=\"a\"} 2\n"),
            TextFormat::OpenMetrics,
            &mut store,
        );
        assert_eq!(report.series_stale, 1);
        assert_eq!(
            values(&store, &series("x", "b")),
            [(0, "1".to_owned()), (10_000, "stale".to_owned())]
        );
        let failed = scraper.scrape(
            Err(ScrapeError::Unreachable("connection refused".to_owned())),
            TextFormat::OpenMetrics,
            &mut store,
        );
        assert_eq!(failed.series_stale, 1);
        assert_eq!(
            values(&store, &series("x", "a")).last(),
            Some(&(20_000, "stale".to_owned()))
        );
        assert_eq!(up(&store).last(), Some(&(20_000, "0".to_owned())));
        // A later good scrape brings the series back.
        let back = scraper.scrape(Ok(both), TextFormat::OpenMetrics, &mut store);
        assert_eq!(back.series_added, 2);
        let garbage = scraper.scrape(Ok("x{ 1\n"), TextFormat::OpenMetrics, &mut store);
        assert!(matches!(garbage.error, Some(ScrapeError::Parse(_))));
        assert_eq!(garbage.series_stale, 2);
    }

    /// `labels`'s samples as `value@seconds`, markers as `stale`.
    fn history(store: &SeriesStore, labels: &Labels) -> String {
        values(store, labels)
            .iter()
            .map(|(t, v)| format!("{v}@{}", t / 1000))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn ending_marks_the_last_scrapes_series_and_the_report_stale() {
        let down = || Err(ScrapeError::Unreachable("connection refused".to_owned()));
        let a = "x{status=\"a\"} 1\n";
        // (answers to the scrapes at 0 s, 10 s, …; series marked by the end
        // at 25 s; x{status="a"} then)
        for (answers, marked, expect_x) in [
            // Never scraped: nothing to end.
            (vec![], 0, ""),
            (vec![Ok(a)], 5, "1@0 stale@25"),
            // Its own timestamp: never stale, as after a scrape.
            (vec![Ok("x{status=\"a\"} 1 3\n")], 4, "1@3"),
            // Gone before the last scrape: marked then, not again.
            (vec![Ok(a), Ok("x{status=\"b\"} 1\n")], 5, "1@0 stale@10"),
            (vec![Ok(a), down()], 4, "1@0 stale@10"),
        ] {
            let mut store = SeriesStore::new();
            let mut scraper =
                Scraper::new(Duration::from_secs(10), Duration::ZERO, 0, target()).unwrap();
            let scrapes = answers.len();
            for answer in answers {
                scraper.scrape(answer, TextFormat::OpenMetrics, &mut store);
            }
            let context = format!("{scrapes} scrapes, x {expect_x}");
            assert_eq!(
                scraper.end(Duration::from_secs(25), &mut store),
                marked,
                "{context}"
            );
            assert_eq!(history(&store, &series("x", "a")), expect_x, "{context}");
            for name in REPORT_SERIES {
                let report =
                    Labels::with_name(name, [("job", "treecounter"), ("instance", "app:8001")]);
                let last = values(&store, &report).pop();
                let expect = (scrapes > 0).then(|| (25_000, "stale".to_owned()));
                assert_eq!(last, expect, "{name}, {context}");
            }
        }
    }

    #[test]
    fn after_an_end_the_target_starts_afresh() {
        let mut store = SeriesStore::new();
        let mut scraper =
            Scraper::new(Duration::from_secs(10), Duration::ZERO, 0, target()).unwrap();
        let a = "x{status=\"a\"} 1\n";
        scraper.scrape(Ok(a), TextFormat::OpenMetrics, &mut store);
        assert_eq!(scraper.end(Duration::from_secs(5), &mut store), 5);
        assert_eq!(scraper.end(Duration::from_secs(6), &mut store), 0);
        let back = scraper.scrape_at(
            Duration::from_secs(10),
            Ok(a),
            TextFormat::OpenMetrics,
            &mut store,
        );
        assert_eq!(back.series_added, 1);
        assert_eq!(history(&store, &series("x", "a")), "1@0 stale@5 1@10");
        assert_eq!(
            up(&store),
            [
                (0, "1".to_owned()),
                (5_000, "stale".to_owned()),
                (10_000, "1".to_owned())
            ]
        );
    }

    #[test]
    fn a_text_that_does_not_parse_stores_nothing_of_it() {
        let mut store = SeriesStore::new();
        let mut scraper =
            Scraper::new(Duration::from_secs(10), Duration::ZERO, 0, target()).unwrap();
        let report = scraper.scrape(
            Ok("x{status=\"a\"} 1\nx{ 2\n"),
            TextFormat::OpenMetrics,
            &mut store,
        );
        assert!(matches!(
            report.error,
            Some(ScrapeError::Parse(ParseError { line: 2, .. }))
        ));
        assert!(values(&store, &series("x", "a")).is_empty());
        assert_eq!(up(&store), [(0, "0".to_owned())]);
    }

    #[test]
    fn a_scrape_of_valid_text_only_stores_nothing_when_the_text_is_bad() {
        let mut store = SeriesStore::new();
        let mut scraper =
            Scraper::new(Duration::from_secs(10), Duration::ZERO, 0, target()).unwrap();
        let first = scraper.scrape_valid_at(
            Duration::from_secs(5),
            "x{status=\"a\"} 1\nx{status=\"b\"} 1\n",
            TextFormat::Prometheus,
            &mut store,
        );
        assert_eq!(first.map(|report| report.samples), Ok(2));
        assert_eq!(scraper.next_scrape(), Duration::from_secs(15));
        // A typo on line 2: nothing of it, no `up` 0 and no staleness
        // markers for the series it lacks; the schedule stays.
        let refused = scraper.scrape_valid_at(
            Duration::from_secs(7),
            "x{status=\"a\"} 2\nx{ 2\n",
            TextFormat::Prometheus,
            &mut store,
        );
        assert!(matches!(refused, Err(ParseError { line: 2, .. })));
        assert_eq!(scraper.next_scrape(), Duration::from_secs(15));
        assert_eq!(up(&store), [(5000, "1".to_owned())]);
        assert_eq!(values(&store, &series("x", "b")), [(5000, "1".to_owned())]);
        // The next good text is a scrape as any: `b`, gone, goes stale.
        let second = scraper.scrape_valid_at(
            Duration::from_secs(8),
            "x{status=\"a\"} 3\n",
            TextFormat::Prometheus,
            &mut store,
        );
        assert_eq!(second.map(|report| report.series_stale), Ok(1));
        assert_eq!(
            values(&store, &series("x", "a")),
            [(5000, "1".to_owned()), (8000, "3".to_owned())]
        );
    }

    #[test]
    fn the_same_series_written_differently_does_not_go_stale() {
        let mut store = SeriesStore::new();
        let mut scraper =
            Scraper::new(Duration::from_secs(10), Duration::ZERO, 0, target()).unwrap();
        let labels = Labels::with_name(
            "x",
            [
                ("job", "treecounter"),
                ("instance", "app:8001"),
                ("a", "1"),
                ("b", "2"),
            ],
        );
        scraper.scrape(
            Ok("x{a=\"1\",b=\"2\"} 1\n"),
            TextFormat::OpenMetrics,
            &mut store,
        );
        scraper.scrape(
            Ok("x{b=\"2\",a=\"1\"} 2\n"),
            TextFormat::OpenMetrics,
            &mut store,
        );
        assert_eq!(
            values(&store, &labels),
            [(0, "1".to_owned()), (10_000, "2".to_owned())]
        );
    }

    #[test]
    fn scraped_target_labels_are_kept_as_exported() {
        let mut store = SeriesStore::new();
        let mut scraper =
            Scraper::new(Duration::from_secs(10), Duration::ZERO, 0, target()).unwrap();
        scraper.scrape(
            Ok("x{job=\"other\"} 1\n"),
            TextFormat::OpenMetrics,
            &mut store,
        );
        let labels = Labels::with_name(
            "x",
            [
                ("job", "treecounter"),
                ("instance", "app:8001"),
                ("exported_job", "other"),
            ],
        );
        assert_eq!(values(&store, &labels), [(0, "1".to_owned())]);
    }

    #[test]
    fn changing_the_interval_reschedules_from_the_last_scrape() {
        let mut scraper = Scraper::new(
            Duration::from_secs(10),
            Duration::from_secs(20),
            0,
            target(),
        )
        .unwrap();
        scraper
            .set_scrape_interval(Duration::from_secs(5), Duration::from_secs(12))
            .unwrap();
        assert_eq!(scraper.next_scrape(), Duration::from_secs(15));
        scraper
            .set_scrape_interval(Duration::from_secs(1), Duration::from_secs(14))
            .unwrap();
        assert_eq!(scraper.next_scrape(), Duration::from_secs(14));
        assert_eq!(
            scraper.set_scrape_interval(Duration::from_millis(999), Duration::ZERO),
            Err(ScrapeIntervalError(Duration::from_millis(999)))
        );
        assert_eq!(scraper.scrape_interval(), Duration::from_secs(1));
        assert!(Scraper::new(Duration::from_secs(301), Duration::ZERO, 0, target()).is_err());
    }

    #[test]
    fn a_scrape_at_a_given_time_is_stored_then_and_reschedules() {
        let mut store = SeriesStore::new();
        let mut scraper =
            Scraper::new(Duration::from_secs(10), Duration::ZERO, 0, target()).unwrap();
        scraper.scrape_at(
            Duration::from_millis(12_345),
            Ok("x 1\n"),
            TextFormat::Prometheus,
            &mut store,
        );
        assert_eq!(scraper.next_scrape(), Duration::from_millis(22_345));
        // Earlier than the last: out of order, dropped by the store.
        scraper.scrape_at(
            Duration::from_secs(12),
            Ok("x 2\n"),
            TextFormat::Prometheus,
            &mut store,
        );
        scraper.scrape_at(
            Duration::from_secs(13),
            Ok("x 3\n"),
            TextFormat::Prometheus,
            &mut store,
        );
        let x = Labels::with_name("x", [("job", "treecounter"), ("instance", "app:8001")]);
        assert_eq!(
            values(&store, &x),
            [(12_345, "1".to_owned()), (13_000, "3".to_owned())]
        );
    }
}
