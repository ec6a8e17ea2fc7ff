//! A simulated Prometheus scraper: at every `scrape_interval` of simulated
//! time it encodes a registry, as `/metrics` would answer, parses the text
//! back and appends every sample to a [`SeriesStore`].
//!
//! Going through the text (rather than reading the metrics directly) keeps
//! the playground honest: the graph shows exactly what a scrape of the
//! exposition would give.

use std::time::Duration;

use prometheus_client::registry::Registry;

use crate::exposition::{encode, EncodeError, Format};
use crate::parse::{parse_exposition, ParseError};
use crate::series::{duration_ms, SeriesStore};

/// The workshop's `prometheus.yaml` scrapes every 10 s.
pub const DEFAULT_SCRAPE_INTERVAL: Duration = Duration::from_secs(10);
/// Shortest scrape interval accepted: bounds the work per simulated second.
pub const MIN_SCRAPE_INTERVAL: Duration = Duration::from_secs(1);
/// Longest scrape interval accepted (Prometheus's staleness limit is 5 min).
pub const MAX_SCRAPE_INTERVAL: Duration = Duration::from_secs(300);

/// Why a scrape failed.
#[derive(Debug, thiserror::Error)]
pub enum ScrapeError {
    /// The registry could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The exposition text did not parse.
    #[error("the exposition did not parse: {0}")]
    Parse(#[from] ParseError),
}

/// Why a scrape interval was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("scrape interval must be between 1 s and 300 s, got {0:?}")]
pub struct ScrapeIntervalError(pub Duration);

/// Scrapes on a fixed schedule of simulated time.
#[derive(Debug, Clone)]
pub struct Scraper {
    scrape_interval: Duration,
    next_scrape: Duration,
}

impl Default for Scraper {
    /// Every [`DEFAULT_SCRAPE_INTERVAL`], the first scrape at time zero.
    fn default() -> Self {
        Scraper {
            scrape_interval: DEFAULT_SCRAPE_INTERVAL,
            next_scrape: Duration::ZERO,
        }
    }
}

impl Scraper {
    /// A scraper whose first scrape is due at `first_scrape` on the
    /// simulated clock.
    pub fn new(
        scrape_interval: Duration,
        first_scrape: Duration,
    ) -> Result<Self, ScrapeIntervalError> {
        check_interval(scrape_interval)?;
        Ok(Scraper {
            scrape_interval,
            next_scrape: first_scrape,
        })
    }

    /// Time between scrapes.
    pub fn scrape_interval(&self) -> Duration {
        self.scrape_interval
    }

    /// When the next scrape is due.
    pub fn next_scrape(&self) -> Duration {
        self.next_scrape
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

    /// Takes the scrape that is due, at its scheduled time, and schedules
    /// the next one. Returns the number of samples stored.
    pub fn scrape(
        &mut self,
        registry: &Registry,
        store: &mut SeriesStore,
    ) -> Result<usize, ScrapeError> {
        let at = self.next_scrape;
        self.next_scrape += self.scrape_interval;
        // Prometheus asks for OpenMetrics first; so do we.
        let text = encode(registry, Format::OpenMetrics)?;
        let samples = parse_exposition(&text)?;
        let count = samples.len();
        store.append(
            duration_ms(at),
            samples.into_iter().map(|s| (s.labels, s.value)),
        );
        Ok(count)
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
    use crate::metrics::{Endpoint, Metrics};
    use crate::series::LabelSet;

    fn treecounter_200() -> LabelSet {
        LabelSet::new(
            "requests_total",
            [
                ("endpoint".to_owned(), "/treecounter".to_owned()),
                ("status".to_owned(), "200".to_owned()),
            ],
        )
    }

    #[test]
    fn scrapes_every_series_at_the_scheduled_times() {
        let mut registry = Registry::default();
        let metrics = Metrics::register(&mut registry, "0.0.0");
        let mut store = SeriesStore::new(Duration::from_secs(3600));
        let mut scraper = Scraper::new(Duration::from_secs(10), Duration::ZERO).unwrap();

        assert_eq!(scraper.scrape(&registry, &mut store).unwrap(), 40);
        metrics.record_request(Endpoint::TreeCounter, 200);
        metrics.record_request(Endpoint::TreeCounter, 200);
        assert_eq!(scraper.next_scrape(), Duration::from_secs(10));
        scraper.scrape(&registry, &mut store).unwrap();

        let points: Vec<(i64, f64)> = store
            .points(&treecounter_200())
            .iter()
            .map(|p| (p.t_ms, p.value))
            .collect();
        assert_eq!(points, [(0, 0.0), (10_000, 2.0)]);
        assert_eq!(store.len(), 40);
    }

    #[test]
    fn changing_the_interval_reschedules_from_the_last_scrape() {
        let mut scraper = Scraper::new(Duration::from_secs(10), Duration::from_secs(20)).unwrap();
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
        assert!(Scraper::new(Duration::from_secs(301), Duration::ZERO).is_err());
    }
}
