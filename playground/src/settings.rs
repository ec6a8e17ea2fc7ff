//! The choices the page offers, and the start options read from the URL.

use std::time::Duration;

use treecounter::exposition::Format;

/// How fast simulated time runs, relative to the wall clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    /// Real time.
    X1,
    /// Ten simulated seconds per second.
    X10,
    /// A simulated minute per second.
    X60,
}

impl Speed {
    /// Every speed, in the order the page lists them.
    pub const ALL: [Speed; 3] = [Speed::X1, Speed::X10, Speed::X60];

    /// Simulated seconds per wall-clock second.
    pub fn factor(self) -> f64 {
        match self {
            Speed::X1 => 1.0,
            Speed::X10 => 10.0,
            Speed::X60 => 60.0,
        }
    }

    /// The speed whose factor is `factor` (a share link's `speed`).
    pub fn from_factor(factor: u32) -> Option<Speed> {
        Speed::ALL
            .into_iter()
            .find(|speed| speed.factor() == f64::from(factor))
    }

    /// The button text.
    pub fn label(self) -> &'static str {
        match self {
            Speed::X1 => "1×",
            Speed::X10 => "10×",
            Speed::X60 => "60×",
        }
    }
}

/// Which graph is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphView {
    /// `rate(requests_total[1m])`.
    Rate,
    /// The scraped `requests_total` samples themselves.
    Counter,
}

impl GraphView {
    /// Every view, in the order the page lists them.
    pub const ALL: [GraphView; 2] = [GraphView::Rate, GraphView::Counter];

    /// The button text.
    pub fn label(self) -> &'static str {
        match self {
            GraphView::Rate => "rate",
            GraphView::Counter => "raw counter",
        }
    }
}

/// How much history the graph shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    /// The last 5 minutes.
    Minutes5,
    /// The last 15 minutes.
    Minutes15,
    /// The last hour (the store's retention).
    Hour1,
}

impl Span {
    /// Every span, in the order the page lists them.
    pub const ALL: [Span; 3] = [Span::Minutes5, Span::Minutes15, Span::Hour1];

    /// The length of the span.
    pub fn duration(self) -> Duration {
        Duration::from_secs(match self {
            Span::Minutes5 => 300,
            Span::Minutes15 => 900,
            Span::Hour1 => 3600,
        })
    }

    /// The span of `seconds` (a share link's `span`).
    pub fn from_secs(seconds: u32) -> Option<Span> {
        Span::ALL
            .into_iter()
            .find(|span| span.duration().as_secs() == u64::from(seconds))
    }

    /// The button text.
    pub fn label(self) -> &'static str {
        match self {
            Span::Minutes5 => "5m",
            Span::Minutes15 => "15m",
            Span::Hour1 => "1h",
        }
    }

    /// Time between evaluations of the rate graph: about 150 points across.
    pub fn step(self) -> Duration {
        self.duration() / 150
    }
}

/// The range of the graphed `rate()`, as in the workshop's queries.
pub const RATE_RANGE: Duration = Duration::from_secs(60);

/// Scrape intervals the page offers.
pub const SCRAPE_INTERVALS: [u64; 6] = [1, 5, 10, 15, 30, 60];

/// The exposition formats the toggle offers, in order.
pub const FORMATS: [Format; 2] = [Format::PrometheusText, Format::OpenMetrics];

/// A short name for the format toggle.
pub fn format_short_label(format: Format) -> &'static str {
    match format {
        Format::PrometheusText => "text 0.0.4",
        Format::OpenMetrics => "OpenMetrics 1.0",
    }
}

/// How the page starts, from its query string. The benchmark opens
/// `?history=3600&series=50` to start with an hour of history at a 1 s
/// scrape interval and 50 `requests_total` series, paused.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct StartOptions {
    /// Simulated history to generate before the first render.
    pub history: Option<Duration>,
    /// Number of `requests_total` series in that history.
    pub series: usize,
    /// Start with the clock paused.
    pub paused: bool,
    /// Seed of the simulation; random when absent.
    pub seed: Option<u64>,
}

impl StartOptions {
    /// Longest history accepted: the store's retention.
    pub const MAX_HISTORY: Duration = Duration::from_secs(3600);

    /// Reads `history` (seconds), `series`, `paused` and `seed` from a query
    /// string like `?history=3600&series=50`. Anything malformed or out of
    /// range is ignored, never an error: the page must always start.
    pub fn from_query(query: &str) -> Self {
        let mut options = StartOptions {
            series: 3,
            ..StartOptions::default()
        };
        for pair in query.trim_start_matches('?').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "history" => {
                    options.history = value
                        .parse::<u64>()
                        .ok()
                        .map(Duration::from_secs)
                        .filter(|history| *history <= Self::MAX_HISTORY);
                }
                "series" => {
                    if let Ok(series) = value.parse::<usize>() {
                        options.series = series.clamp(3, 103);
                    }
                }
                "paused" => options.paused = value != "0",
                "seed" => options.seed = value.parse().ok(),
                _ => {}
            }
        }
        if options.history.is_some() {
            options.paused = true;
        }
        options
    }
}
