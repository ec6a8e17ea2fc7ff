//! The whole simulated world of the browser playground: the tree-counter
//! app with its metrics registry, a Prometheus scraping it, and visitors.
//!
//! Everything runs on a simulated clock that only moves when
//! [`Playground::advance`] is called, so the page decides how fast time goes
//! (and tests decide exactly when things happen). The stack's alert rules
//! ([`crate::stack`]) are evaluated on the scraped store as the clock
//! passes each evaluation interval, as Prometheus evaluates them.
//!
//! The page can also switch to live data ([`Playground::start_live`]): a
//! real target scraped on wall-clock time into a store of its own
//! ([`crate::live`]). While it is on, [`Playground::store`],
//! [`Playground::now`], [`Playground::target`],
//! [`Playground::scrape_interval`] (which
//! [`Playground::set_scrape_interval`] changes, live or not),
//! [`Playground::alert_rules`] (the live source evaluates its own copy of
//! the rules on its store), the queries and the visit log answer for it
//! and the simulated clock stands still; switching back finds the
//! simulation, its alerts too, as it was. Live data is not in the action log: it
//! cannot be replayed, so a share link holds the simulation only.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus_client::registry::Registry;
use tinyprom::exposition::{ParseError, TextFormat};
use tinyprom::labels::{Labels, Matcher, METRIC_NAME};
use tinyprom::promql::api::{self, ApiError};
use tinyprom::promql::{parse, range_query, QueryOptions, QueryValue};
use tinyprom::rules::Rules;
use tinyprom::scrape::{ScrapeError, ScrapeIntervalError, ScrapeReport, Scraper};
use tinyprom::storage::{duration_ms, is_stale_marker, SeriesStore};
use treecounter::exposition::{encode, EncodeError, Format};
use treecounter::metrics::{Endpoint, Metrics};
use treecounter::process::{self, ProcessCollector, ProcessSample, ReadProcess};
use treecounter::simulation::{
    simulated_tree_count, BehaviourError, RequestBehaviour, SIMULATED_UPSTREAM_ERROR_STATUS,
};

use crate::live::{Answer, LiveSource, Pasted, Pastes, UrlError};
use crate::stack;
use crate::traffic::{Traffic, TrafficRateError};

/// How many recent visits the log keeps.
pub const VISIT_LOG_LEN: usize = 8;
/// How long scraped samples are kept: enough for the longest graph range.
pub const RETENTION: Duration = Duration::from_secs(3600);
/// The counter the playground graphs.
pub const REQUESTS_TOTAL: &str = "requests_total";
/// The scrape job, as in the workshop's `prometheus.yaml`.
pub const JOB: &str = "treecounter";
/// The scraped target, as the compose stack names it.
pub const INSTANCE: &str = "app:8001";

/// The labels Prometheus attaches to everything scraped from the app.
fn target_labels() -> Labels {
    Labels::new([("job", JOB), ("instance", INSTANCE)])
}

/// A scraper of the app every `scrape_interval` (an interval accepted
/// before), from time zero.
fn new_scraper(scrape_interval: Duration) -> Scraper {
    Scraper::new(scrape_interval, Duration::ZERO, 0, target_labels())
        .unwrap_or_else(|_| Scraper::with_default_interval(target_labels()))
}

/// The simulated app's process usage, set before each encoding of its
/// registry ([`Playground::exposition`], a scrape) and read by its
/// `process_*` collector.
#[derive(Debug, Default, Clone)]
struct SimulatedProcess(Arc<Mutex<ProcessSample>>);

impl ReadProcess for SimulatedProcess {
    fn read(&self) -> ProcessSample {
        self.0
            .lock()
            .map(|sample| sample.clone())
            .unwrap_or_default()
    }
}

/// The app's registry with every metric app-server has: the workshop's,
/// through the shared `Metrics::register`, and the process's.
fn new_registry(version: &str, process: &SimulatedProcess) -> (Registry, Metrics) {
    let mut registry = Registry::default();
    let metrics = Metrics::register(&mut registry, version);
    registry.register_collector(Box::new(ProcessCollector::new(process.clone())));
    (registry, metrics)
}

/// What starts a playground.
#[derive(Debug, Clone)]
pub struct PlaygroundConfig {
    /// Wall-clock time (since the Unix epoch) the simulated clock starts at;
    /// only the tree count depends on it.
    pub start_unix_time: Duration,
    /// Seed of every random draw.
    pub seed: u64,
    /// Version exported in `treecounter_build_info`.
    pub version: String,
}

/// Who sent a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitSource {
    /// The visitor pressed the button.
    Button,
    /// The traffic generator.
    Traffic,
}

/// One simulated `GET /treecounter` and what the app answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    /// Sequence number, from 1.
    pub id: u64,
    /// When it was answered, on the simulated clock.
    pub at: Duration,
    /// Who sent it.
    pub source: VisitSource,
    /// The page's status: 200, as in the workshop, or
    /// [`REFUSED`] when the app was stopped and nothing answered.
    pub status: u16,
    /// The upstream call's status: 200, or 503 when it failed;
    /// [`REFUSED`] when there was no call (the app was stopped).
    pub upstream_status: u16,
    /// The artificial latency of the page (zero when refused).
    pub latency: Duration,
    /// The count the page showed; `None` when the upstream failed.
    pub tree_count: Option<u64>,
}

/// The most recent visits, newest first, numbered from 1 as they come:
/// the simulated ones and, in live mode, the real ones each have one.
#[derive(Debug, Clone, Default)]
pub struct VisitLog {
    visits: VecDeque<Visit>,
    count: u64,
}

impl VisitLog {
    /// Numbers `visit` (its `id` is replaced) and puts it at the head of
    /// the log, dropping the oldest past [`VISIT_LOG_LEN`].
    pub fn push(&mut self, mut visit: Visit) -> Visit {
        self.count += 1;
        visit.id = self.count;
        if self.visits.len() == VISIT_LOG_LEN {
            self.visits.pop_back();
        }
        self.visits.push_front(visit);
        visit
    }

    /// The visits kept, newest first.
    pub fn iter(&self) -> impl Iterator<Item = &Visit> {
        self.visits.iter()
    }
}

/// The status of a request nothing answered: the app was stopped, so the
/// connection was refused (a browser reports such a request with status 0).
pub const REFUSED: u16 = 0;

impl Visit {
    /// Whether the connection was refused (the app was stopped).
    pub fn refused(&self) -> bool {
        self.status == REFUSED
    }
}

/// What Prometheus says of a scrape of the stopped app (its targets page
/// shows it under "Error"): the container is up, nothing listens on the
/// port. (Go's dialer names the resolved address; this is the first one
/// Docker's default compose network hands out.)
pub const CONNECTION_REFUSED: &str =
    "Get \"http://app:8001/metrics\": dial tcp 172.18.0.2:8001: connect: connection refused";

/// What the "slow the page" scenario adds to every `/treecounter`
/// request's artificial latency: with it the latency is 1.5 to 2.5 s, so
/// the 90th percentile is over the `TreeCounterSlow` alert's 1 s.
pub const SLOW_PAGE_EXTRA_LATENCY: Duration = Duration::from_millis(1500);

/// Where the simulated Prometheus scrapes the app, as the compose stack's
/// `prometheus.yaml` names it.
pub const SCRAPE_URL: &str = "http://app:8001/metrics";

/// The last scrape of the target, as Prometheus's targets page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastScrape {
    /// When it happened, on the simulated clock.
    pub at: Duration,
    /// How long it took (simulated: see [`simulated_scrape_duration`]).
    pub duration: Duration,
    /// Samples it stored.
    pub samples: usize,
    /// Why it failed (the target is then down), as Prometheus says it.
    pub error: Option<String>,
}

/// The scraped target: what Prometheus's `/targets` page shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetStatus {
    /// The URL scraped.
    pub url: String,
    /// Whether it is the simulated app (its scrape durations are modelled,
    /// not measured).
    pub simulated: bool,
    /// The labels attached to everything scraped from it.
    pub labels: Labels,
    /// Time between scrapes.
    pub scrape_interval: Duration,
    /// The last scrape; `None` before the first (Prometheus's "unknown").
    pub last_scrape: Option<LastScrape>,
}

/// How long a scrape of the simulated app takes. The app answers
/// `/metrics` at once (it has no artificial latency there), so the time is
/// that of reading and parsing its text, modelled as a real scrape of a
/// local target goes: 1 ms, plus 0.1 µs a byte (10 MB/s).
pub fn simulated_scrape_duration(bytes: usize) -> Duration {
    Duration::from_micros(1_000 + bytes as u64 / 10)
}

/// One series of a graph: its labels and `(t_ms, value)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphSeries {
    /// The series' labels.
    pub labels: Labels,
    /// Points in time order.
    pub points: Vec<(i64, f64)>,
}

/// The simulated app, its scraper and its visitors.
#[derive(Debug)]
pub struct Playground {
    config: PlaygroundConfig,
    now: Duration,
    registry: Registry,
    metrics: Metrics,
    /// What the app's `process_*` metrics read at the next encoding.
    process: SimulatedProcess,
    /// When the app (re)started, on the simulated clock.
    app_started_at: Duration,
    /// Requests the app answered since it (re)started.
    served_since_start: u64,
    behaviour: RequestBehaviour,
    /// Whether the app process is stopped: requests are refused and
    /// scrapes fail.
    app_stopped: bool,
    /// Whether every `/treecounter` request takes
    /// [`SLOW_PAGE_EXTRA_LATENCY`] more.
    page_slow: bool,
    rng: fastrand::Rng,
    scraper: Scraper,
    last_scrape: Option<LastScrape>,
    store: SeriesStore,
    alert_rules: Rules,
    traffic: Traffic,
    visits: VisitLog,
    /// Statuses of extra synthetic series, for the benchmark (see
    /// [`Playground::load_benchmark_history`]).
    stray_statuses: Vec<u16>,
    changes: u64,
    resets: u64,
    /// Every action but `Advance`, when it happened: replaying it from the
    /// same config gives the same playground (see [`Playground::replay`]).
    log: Vec<LoggedAction>,
    /// Whether actions were left out of `log` (it is bounded).
    log_truncated: bool,
    /// Texts pasted while the simulation is shown.
    pastes: Pastes,
    /// The live data, once started; kept while the simulation is shown.
    live: Option<LiveSource>,
    /// Whether the live data is what the page shows.
    live_on: bool,
}

/// Everything a visitor can do to the simulation, as one type: the page
/// sends these, tests drive them, and the share link records them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PlaygroundAction {
    /// Let simulated time pass: traffic arrives, scrapes happen.
    Advance(Duration),
    /// A visitor presses the button.
    Visit,
    /// Scrape at another interval from now on.
    SetScrapeInterval(Duration),
    /// Background requests per simulated second (0 stops them).
    SetTrafficRate(f64),
    /// The share of upstream calls that fail with a 503.
    SetUpstreamErrorRate(f64),
    /// The app process restarts: its counters start again from zero (a
    /// stopped app starts).
    RestartApp,
    /// The app process stops: requests to it are refused, scrapes fail
    /// (`up` is 0).
    StopApp,
    /// A stopped app starts again, a new process whose counters start
    /// from zero; a running one is left as it is.
    StartApp,
    /// Whether every `/treecounter` request takes
    /// [`SLOW_PAGE_EXTRA_LATENCY`] more than its artificial latency.
    SetPageSlow(bool),
    /// Everything starts over, with a running app; the settings (scrape
    /// interval, traffic, error rate, slow page) stay.
    Reset,
}

/// An action and the simulated time it happened at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoggedAction {
    /// When, on the simulated clock (which a reset sets back to zero).
    pub at: Duration,
    /// What.
    pub action: PlaygroundAction,
}

/// The most actions the log keeps (a share link carries them all).
pub const MAX_LOGGED_ACTIONS: usize = 2000;

/// Why an action was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// A setting out of range.
    #[error(transparent)]
    ScrapeInterval(#[from] ScrapeIntervalError),
    /// A traffic rate out of range.
    #[error(transparent)]
    TrafficRate(#[from] TrafficRateError),
    /// An error rate out of range.
    #[error(transparent)]
    Behaviour(#[from] BehaviourError),
    /// Time could not pass (the app's registry did not encode).
    #[error(transparent)]
    Advance(#[from] AdvanceError),
    /// A replayed action is dated before the clock.
    #[error(
        "a replayed action is dated {} ms, before the clock ({} ms)",
        at.as_millis() as u64,
        now.as_millis() as u64
    )]
    OutOfOrder {
        /// The action's time.
        at: Duration,
        /// The clock.
        now: Duration,
    },
}

/// Why [`Playground::advance`] stopped early. (A failed scrape is not
/// one: the target is down, `up` is 0, and time goes on.)
#[derive(Debug, thiserror::Error)]
pub enum AdvanceError {
    /// The registry could not be encoded for the scrape.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// Why [`Playground::load_benchmark_history`] failed.
#[derive(Debug, thiserror::Error)]
pub enum BenchmarkError {
    /// The traffic rate is out of range.
    #[error("benchmark settings out of range")]
    Settings,
    /// A scrape failed.
    #[error(transparent)]
    Scrape(#[from] AdvanceError),
}

/// Most synthetic series [`Playground::load_benchmark_history`] adds.
const MAX_STRAY_SERIES: usize = 100;

impl Playground {
    /// A fresh app at simulated time zero, scraped every 10 s from time zero.
    pub fn new(config: PlaygroundConfig) -> Self {
        let process = SimulatedProcess::default();
        let (registry, metrics) = new_registry(&config.version, &process);
        let rng = fastrand::Rng::with_seed(config.seed);
        let mut store = SeriesStore::with_retention(RETENTION);
        // The rule engine starts with the playground, as Prometheus's starts
        // with the server: its first evaluation is at time zero, so later
        // ones fall on the same multiples however time is advanced (a
        // replayed share link advances in larger steps than the page).
        let mut alert_rules = stack::new_rules().unwrap_or_default();
        alert_rules.advance(&mut store, 0);
        Playground {
            now: Duration::ZERO,
            registry,
            metrics,
            process,
            app_started_at: Duration::ZERO,
            served_since_start: 0,
            behaviour: RequestBehaviour::default(),
            app_stopped: false,
            page_slow: false,
            rng,
            scraper: Scraper::with_default_interval(target_labels()),
            last_scrape: None,
            store,
            // The rule files are checked by the crate's tests; were they
            // broken, the page would show no rules rather than fail.
            alert_rules,
            traffic: Traffic::default(),
            visits: VisitLog::default(),
            stray_statuses: Vec::new(),
            changes: 0,
            resets: 0,
            log: Vec::new(),
            log_truncated: false,
            pastes: Pastes::default(),
            live: None,
            live_on: false,
            config,
        }
    }

    /// Applies one action, recording it (all but `Advance`) in the log.
    pub fn apply(&mut self, action: PlaygroundAction) -> Result<(), ActionError> {
        let at = self.now;
        match action {
            PlaygroundAction::Advance(elapsed) => return Ok(self.advance(elapsed)?),
            PlaygroundAction::Visit => {
                self.visit();
            }
            PlaygroundAction::SetScrapeInterval(interval) => {
                self.set_simulated_scrape_interval(interval)?
            }
            PlaygroundAction::SetTrafficRate(rate) => self.set_traffic_rate(rate)?,
            PlaygroundAction::SetUpstreamErrorRate(rate) => self.set_upstream_error_rate(rate)?,
            PlaygroundAction::RestartApp => self.restart_app(),
            PlaygroundAction::StopApp => self.stop_app(),
            PlaygroundAction::StartApp => self.start_app(),
            PlaygroundAction::SetPageSlow(slow) => self.set_page_slow(slow),
            PlaygroundAction::Reset => self.reset(),
        }
        if self.log.len() < MAX_LOGGED_ACTIONS {
            self.log.push(LoggedAction { at, action });
        } else {
            self.log_truncated = true;
        }
        Ok(())
    }

    /// The actions applied so far (not the passing of time), in order.
    pub fn log(&self) -> &[LoggedAction] {
        &self.log
    }

    /// Whether the log holds every action (it keeps
    /// [`MAX_LOGGED_ACTIONS`]).
    pub fn log_is_complete(&self) -> bool {
        !self.log_truncated
    }

    /// The playground `config` and `log` lead to, with the clock at `now`:
    /// the same samples, visits and numbers as the one that logged it.
    pub fn replay(
        config: PlaygroundConfig,
        log: &[LoggedAction],
        now: Duration,
    ) -> Result<Playground, ActionError> {
        let mut playground = Playground::new(config);
        for entry in log {
            let elapsed = entry
                .at
                .checked_sub(playground.now)
                .ok_or(ActionError::OutOfOrder {
                    at: entry.at,
                    now: playground.now,
                })?;
            playground.advance(elapsed)?;
            playground.apply(entry.action)?;
        }
        let elapsed = now
            .checked_sub(playground.now)
            .ok_or(ActionError::OutOfOrder {
                at: now,
                now: playground.now,
            })?;
        playground.advance(elapsed)?;
        Ok(playground)
    }

    /// The configuration it started from.
    pub fn config(&self) -> &PlaygroundConfig {
        &self.config
    }

    /// Starts over: new app (running), empty store, clock at zero.
    /// Settings (scrape interval, traffic, error rate, slow page) are kept.
    pub fn reset(&mut self) {
        let mut fresh = Playground::new(self.config.clone());
        fresh.behaviour = self.behaviour;
        fresh.page_slow = self.page_slow;
        // Both settings were accepted before, so they are accepted again.
        fresh.scraper = new_scraper(self.scraper.scrape_interval());
        let rate = self.traffic.rate();
        fresh
            .traffic
            .set_rate(rate, Duration::ZERO, &mut fresh.rng)
            .ok();
        fresh.changes = self.changes + 1;
        fresh.resets = self.resets + 1;
        fresh.log = std::mem::take(&mut self.log);
        fresh.log_truncated = self.log_truncated;
        fresh.live = self.live.take();
        fresh.live_on = self.live_on;
        *self = fresh;
    }

    /// Restarts the simulated app process: its counters start again from
    /// zero while the scraped history stays, which is what `rate()`'s
    /// counter-reset handling is for. A stopped app is started.
    pub fn restart_app(&mut self) {
        let (registry, metrics) = new_registry(&self.config.version, &self.process);
        self.registry = registry;
        self.metrics = metrics;
        self.app_started_at = self.now;
        self.served_since_start = 0;
        self.app_stopped = false;
        self.changes += 1;
    }

    /// Stops the app process: until [`Playground::start_app`], every
    /// request is refused (logged with status [`REFUSED`], counted
    /// nowhere) and every scrape fails with [`CONNECTION_REFUSED`], so
    /// `up` is 0 and `TreeCounterDown` goes pending, then firing.
    pub fn stop_app(&mut self) {
        if !self.app_stopped {
            self.app_stopped = true;
            self.changes += 1;
        }
    }

    /// Starts a stopped app: a new process, whose counters start from
    /// zero (as [`Playground::restart_app`]). A running app is left alone.
    pub fn start_app(&mut self) {
        if self.app_stopped {
            self.restart_app();
        }
    }

    /// Whether the app process is stopped.
    pub fn app_stopped(&self) -> bool {
        self.app_stopped
    }

    /// Makes every `/treecounter` request take [`SLOW_PAGE_EXTRA_LATENCY`]
    /// more (or no more). The random draws stay the same either way, so
    /// the rest of the simulation is unchanged.
    pub fn set_page_slow(&mut self, slow: bool) {
        if self.page_slow != slow {
            self.page_slow = slow;
            self.changes += 1;
        }
    }

    /// Whether requests take [`SLOW_PAGE_EXTRA_LATENCY`] more.
    pub fn page_slow(&self) -> bool {
        self.page_slow
    }

    /// The clock of the data shown: the simulated one, or while live the
    /// wall clock as last told (since the Unix epoch).
    pub fn now(&self) -> Duration {
        self.live().map_or(self.now, LiveSource::now)
    }

    /// The simulated clock, live or not (a share link records it).
    pub fn simulated_now(&self) -> Duration {
        self.now
    }

    /// Changes every time something visible changes (a request, a scrape,
    /// a reset), so a view knows when to redraw.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// How many times [`Playground::reset`] was called.
    pub fn resets(&self) -> u64 {
        self.resets
    }

    /// The registry, as `/metrics` would encode it.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The metric handles of the simulated app.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The exposition text, as `/metrics` answers in `format` (the last
    /// the app had, when it is stopped).
    pub fn exposition(&self, format: Format) -> Result<String, EncodeError> {
        self.set_process_usage();
        encode(&self.registry, format)
    }

    /// Sets what the `process_*` metrics read now: see
    /// [`treecounter::process::simulated`]. Its start time is on the
    /// simulated clock, as every timestamp of the playground's Prometheus
    /// is, so `time() - process_start_time_seconds` is the app's uptime.
    fn set_process_usage(&self) {
        let sample = process::simulated(
            self.app_started_at,
            self.now.saturating_sub(self.app_started_at),
            self.served_since_start,
        );
        if let Ok(mut usage) = self.process.0.lock() {
            *usage = sample;
        }
    }

    /// The scraped samples shown: the simulation's, or the live ones.
    pub fn store(&self) -> &SeriesStore {
        self.live().map_or(&self.store, LiveSource::store)
    }

    /// The simulation's scraped samples, live or not.
    pub fn simulated_store(&self) -> &SeriesStore {
        &self.store
    }

    /// The most recent visits, newest first: simulated, or while live the
    /// real ones.
    pub fn visits(&self) -> impl Iterator<Item = &Visit> {
        self.live()
            .map_or(&self.visits, LiveSource::visit_log)
            .iter()
    }

    /// The live data, while it is what the page shows.
    pub fn live(&self) -> Option<&LiveSource> {
        self.live.as_ref().filter(|_| self.live_on)
    }

    /// [`Playground::live`], to change.
    fn live_mut(&mut self) -> Option<&mut LiveSource> {
        self.live.as_mut().filter(|_| self.live_on)
    }

    /// Shows live data scraped from `url` (absolute) every scrape interval
    /// of wall-clock time, from `now` (since the Unix epoch). The live store
    /// is kept from an earlier session, whatever the target (another
    /// target's series end with staleness markers, see
    /// [`LiveSource::set_target`]); the simulation stands still until
    /// [`Playground::stop_live`].
    ///
    /// The first session scrapes at the simulation's interval; a later one
    /// keeps the interval the live data last had, as it keeps its store:
    /// the simulation and the live target each keep their own setting, so
    /// switching back and forth finds each as the learner left it (the
    /// page's select shows the one of the data shown).
    pub fn start_live(&mut self, url: &str, now: Duration) -> Result<(), UrlError> {
        match &mut self.live {
            Some(live) if live.url() == url => {}
            Some(live) => live.set_target(url, now)?,
            None => {
                self.live = Some(LiveSource::new(url, self.scraper.scrape_interval(), now)?);
            }
        }
        self.live_on = true;
        self.changes += 1;
        Ok(())
    }

    /// Shows the simulation again, as it was.
    pub fn stop_live(&mut self) {
        self.live_on = false;
        self.changes += 1;
    }

    /// While live, the wall clock moved to `now`: returns the time a due
    /// scrape starts at (see [`LiveSource::tick`]), after evaluating the
    /// alert rules at every evaluation time passed.
    pub fn live_tick(&mut self, now: Duration) -> Option<Duration> {
        let live = self.live_mut()?;
        let evaluations = live.evaluations();
        let due = live.tick(now);
        if due.is_some() || live.evaluations() != evaluations {
            self.changes += 1;
        }
        due
    }

    /// The answer to the live scrape started at `at`, received at `now`.
    pub fn ingest_live(
        &mut self,
        at: Duration,
        now: Duration,
        answer: Answer<'_>,
    ) -> Option<ScrapeReport> {
        let report = self.live.as_mut()?.ingest(at, now, answer);
        self.changes += 1;
        report
    }

    /// A real visit sent at `at`, answered (or not) at `now`.
    pub fn record_live_visit(&mut self, at: Duration, now: Duration, answer: Answer<'_>) {
        if let Some(live) = self.live.as_mut() {
            live.record_visit(at, now, answer);
            self.changes += 1;
        }
    }

    /// Loads pasted exposition text (in `format`, or the one it looks like)
    /// as one scrape at [`Playground::now`] into the store shown. A text
    /// that does not parse stores nothing; the error names its line. (Not
    /// in the action log: a share link does not carry it.)
    pub fn load_pasted(
        &mut self,
        text: &str,
        format: Option<TextFormat>,
    ) -> Result<Pasted, ParseError> {
        let pasted = match self.live_mut() {
            Some(live) => live.load_pasted(text, format),
            None => self.pastes.load(text, format, self.now, &mut self.store),
        }?;
        self.changes += 1;
        Ok(pasted)
    }

    /// How the app behaves (latency, upstream error rate).
    pub fn behaviour(&self) -> RequestBehaviour {
        self.behaviour
    }

    /// Sets the fraction of upstream calls that fail with a simulated 503.
    pub fn set_upstream_error_rate(&mut self, rate: f64) -> Result<(), BehaviourError> {
        self.behaviour = RequestBehaviour::new(self.behaviour.latency_max().as_secs_f64(), rate)?;
        Ok(())
    }

    /// The scraped target and its last scrape (the live one while live).
    pub fn target(&self) -> TargetStatus {
        if let Some(live) = self.live() {
            return TargetStatus {
                url: live.url().to_owned(),
                simulated: false,
                labels: live.target().clone(),
                scrape_interval: live.scrape_interval(),
                last_scrape: live.last_scrape().cloned(),
            };
        }
        TargetStatus {
            url: SCRAPE_URL.to_owned(),
            simulated: true,
            labels: self.scraper.target().clone(),
            scrape_interval: self.scraper.scrape_interval(),
            last_scrape: self.last_scrape.clone(),
        }
    }

    /// Time between scrapes of the data shown: the simulation's, or while
    /// live the live target's (what the page's select and the Targets view
    /// show).
    pub fn scrape_interval(&self) -> Duration {
        self.live()
            .map_or(self.scraper.scrape_interval(), LiveSource::scrape_interval)
    }

    /// The simulation's scrape interval, live or not (its single step is
    /// one of them, and the workshop guide checks it).
    pub fn simulated_scrape_interval(&self) -> Duration {
        self.scraper.scrape_interval()
    }

    /// The page's scrape interval setting: changes how often the data shown
    /// is scraped. The scrape interval is Prometheus's setting, not the
    /// app's, so it stays the learner's to change while live.
    ///
    /// While live, the live target's scraper is rescheduled from the wall
    /// clock `now` (since the Unix epoch), as Prometheus reschedules a
    /// reloaded target (see [`LiveSource::set_scrape_interval`]). That
    /// change is not in the action log and leaves the simulation's
    /// interval alone: live scrapes cannot be replayed, so a share link
    /// (and the workshop guide, which reads the log) holds the simulation
    /// only, and switching back finds it as it was.
    ///
    /// Otherwise it is [`PlaygroundAction::SetScrapeInterval`], logged, on
    /// the simulated clock (`now` is not used). A refused interval is an
    /// error and changes nothing.
    pub fn set_scrape_interval(
        &mut self,
        interval: Duration,
        now: Duration,
    ) -> Result<(), ActionError> {
        let Some(live) = self.live_mut() else {
            return self.apply(PlaygroundAction::SetScrapeInterval(interval));
        };
        live.set_scrape_interval(interval, now)?;
        self.changes += 1;
        Ok(())
    }

    /// Changes the simulation's scrape interval from now on, live or not,
    /// without logging it (the page goes through
    /// [`Playground::set_scrape_interval`], so a share link has it).
    pub fn set_simulated_scrape_interval(
        &mut self,
        interval: Duration,
    ) -> Result<(), ScrapeIntervalError> {
        self.scraper.set_scrape_interval(interval, self.now)
    }

    /// Mean background requests per simulated second.
    pub fn traffic_rate(&self) -> f64 {
        self.traffic.rate()
    }

    /// Sets the background traffic (Poisson arrivals); 0 turns it off.
    pub fn set_traffic_rate(&mut self, rate: f64) -> Result<(), TrafficRateError> {
        self.traffic.set_rate(rate, self.now, &mut self.rng)
    }

    /// A visitor presses the button: one `GET /treecounter`, answered now.
    pub fn visit(&mut self) -> Visit {
        self.serve(VisitSource::Button)
    }

    /// Serves one `/treecounter` request at the current simulated time and
    /// records it exactly as app-server does: the upstream call under
    /// `endpoint="/upstream"` with its status (200 or 503), then the page
    /// under `endpoint="/treecounter"` with status 200, and the latency of
    /// each. The simulated request is answered at once: its artificial
    /// latency is drawn and recorded, not waited for. A stopped app
    /// answers nothing: the visit is logged as refused, counted nowhere,
    /// and draws nothing from the RNG.
    fn serve(&mut self, source: VisitSource) -> Visit {
        if self.app_stopped {
            return self.log_visit(Visit {
                id: 0,
                at: self.now,
                source,
                status: REFUSED,
                upstream_status: REFUSED,
                latency: Duration::ZERO,
                tree_count: None,
            });
        }
        let mut plan = self.behaviour.plan(&mut self.rng);
        if self.page_slow {
            plan.latency += SLOW_PAGE_EXTRA_LATENCY;
        }
        let (upstream_status, tree_count) = if plan.upstream_fails {
            (SIMULATED_UPSTREAM_ERROR_STATUS, None)
        } else {
            let now_unix = self.config.start_unix_time + self.now;
            (200, Some(simulated_tree_count(now_unix)))
        };
        // The simulated upstream answers instantly.
        self.metrics
            .record_response(Endpoint::Upstream, upstream_status, Duration::ZERO);
        self.metrics
            .record_response(Endpoint::TreeCounter, 200, plan.latency);
        if !self.stray_statuses.is_empty() {
            let i = self.rng.usize(..self.stray_statuses.len());
            self.metrics
                .record_request(Endpoint::Unmatched, self.stray_statuses[i]);
        }

        self.served_since_start += 1;
        self.log_visit(Visit {
            id: 0,
            at: self.now,
            source,
            status: 200,
            upstream_status,
            latency: plan.latency,
            tree_count,
        })
    }

    /// Numbers `visit` and puts it at the head of the visit log.
    fn log_visit(&mut self, visit: Visit) -> Visit {
        self.changes += 1;
        self.visits.push(visit)
    }

    /// Moves the simulated clock forward by `elapsed`, serving the traffic
    /// that arrives and taking the scrapes that fall due, in time order (an
    /// arrival at the same instant as a scrape is served first); then
    /// evaluates the alert rules at every evaluation time passed (each sees
    /// only the samples up to its time, so evaluating after the scrapes is
    /// the same as between them).
    pub fn advance(&mut self, elapsed: Duration) -> Result<(), AdvanceError> {
        let until = self.now.saturating_add(elapsed);
        loop {
            let scrape_at = self.scraper.next_scrape();
            match self.traffic.next_arrival() {
                Some(arrival) if arrival <= until && arrival <= scrape_at => {
                    self.now = arrival;
                    self.serve(VisitSource::Traffic);
                    self.traffic.arrive(&mut self.rng);
                }
                _ if scrape_at <= until => {
                    self.now = scrape_at;
                    // Prometheus asks for OpenMetrics first; so do we. A
                    // stopped app refuses the connection: the scrape fails
                    // (`up` 0), which is the target's state, not an error.
                    let text = if self.app_stopped {
                        None
                    } else {
                        self.set_process_usage();
                        Some(encode(&self.registry, Format::OpenMetrics)?)
                    };
                    let answer = text
                        .as_deref()
                        .ok_or_else(|| ScrapeError::Unreachable(CONNECTION_REFUSED.to_owned()));
                    let report =
                        self.scraper
                            .scrape(answer, TextFormat::OpenMetrics, &mut self.store);
                    self.last_scrape = Some(LastScrape {
                        at: report.at,
                        // Refused at once: the fixed part of a scrape.
                        duration: simulated_scrape_duration(text.map_or(0, |t| t.len())),
                        samples: report.samples,
                        error: report.error.as_ref().map(ToString::to_string),
                    });
                    self.changes += 1;
                }
                _ => break,
            }
        }
        if self
            .alert_rules
            .advance(&mut self.store, duration_ms(until))
            > 0
        {
            self.changes += 1;
        }
        self.now = until;
        Ok(())
    }

    /// The stack's alert rules (`prometheus/alerts.yaml`) and their state
    /// on the data shown (the simulation's, or while live the live
    /// source's): each alert pending, firing or resolved, with its labels
    /// and annotations. Their `ALERTS` series are in [`Playground::store`],
    /// for a timeline.
    pub fn alert_rules(&self) -> &Rules {
        self.live()
            .map_or(&self.alert_rules, LiveSource::alert_rules)
    }

    /// `rate(requests_total[range])` per label set, evaluated every `step`
    /// over the last `span` of simulated time by the PromQL engine, as a
    /// range query. Series with no value in the span are left out.
    pub fn rate_graph(&self, span: Duration, step: Duration, range: Duration) -> Vec<GraphSeries> {
        let end = duration_ms(self.now);
        let step = duration_ms(step).max(1);
        // Evaluate on multiples of the step, as Grafana aligns range queries,
        // so points do not shimmer as time moves.
        let end = end - end.rem_euclid(step);
        let start = end - duration_ms(span);
        let query = format!("rate({REQUESTS_TOTAL}[{}ms])", duration_ms(range).max(1));
        let Ok(expr) = parse(&query) else {
            return Vec::new();
        };
        range_query(
            &self.store,
            &expr,
            start,
            end,
            step,
            QueryOptions::default(),
        )
        .unwrap_or_default()
        .into_iter()
        .map(|series| GraphSeries {
            labels: series.labels,
            points: series.samples.iter().map(|s| (s.t, s.f)).collect(),
        })
        .collect()
    }

    /// The raw scraped `requests_total` samples of the last `span`
    /// (staleness markers left out).
    pub fn counter_graph(&self, span: Duration) -> Vec<GraphSeries> {
        let start = duration_ms(self.now) - duration_ms(span);
        let matchers = [Matcher::equal(METRIC_NAME, REQUESTS_TOTAL)];
        self.store
            .select(&matchers)
            .map(|series| {
                let from = series.samples.partition_point(|s| s.t < start);
                GraphSeries {
                    labels: series.labels.clone(),
                    points: series.samples[from..]
                        .iter()
                        .filter(|s| !is_stale_marker(s.f))
                        .map(|s| (s.t, s.f))
                        .collect(),
                }
            })
            .filter(|series| !series.points.is_empty())
            .collect()
    }

    /// A PromQL instant query at time `t_ms` over the store shown,
    /// answered as Prometheus's HTTP API answers it.
    pub fn query(&self, query: &str, t_ms: i64) -> Result<QueryValue, ApiError> {
        api::query(self.store(), query, t_ms, QueryOptions::default())
    }

    /// A PromQL range query over the store shown, answered as
    /// Prometheus's HTTP API answers it.
    pub fn query_range(
        &self,
        query: &str,
        start_ms: i64,
        end_ms: i64,
        step_ms: i64,
    ) -> Result<QueryValue, ApiError> {
        api::query_range(
            self.store(),
            query,
            start_ms,
            end_ms,
            step_ms,
            QueryOptions::default(),
        )
    }

    /// Fills the playground with `history` of traffic, scraped every
    /// `scrape_interval`,
    /// with `series` label sets of `requests_total` in all: the benchmark's
    /// worst case. At most 103 series: the synthetic statuses are 400..=499.
    /// Besides the three real series, every request also counts
    /// one stray unmatched request under one of `series - 3` synthetic
    /// statuses (as if bots were probing random paths).
    pub fn load_benchmark_history(
        &mut self,
        history: Duration,
        series: usize,
        traffic_rate: f64,
        scrape_interval: Duration,
    ) -> Result<(), BenchmarkError> {
        let extra = series.saturating_sub(3).min(MAX_STRAY_SERIES);
        self.stray_statuses = (400..).take(extra).collect();
        for &status in &self.stray_statuses {
            // Create every series at zero, so all are scraped from the start.
            self.metrics.record_request(Endpoint::Unmatched, status);
        }
        self.scraper
            .set_scrape_interval(scrape_interval, self.now)
            .map_err(|_| BenchmarkError::Settings)?;
        self.traffic
            .set_rate(traffic_rate, self.now, &mut self.rng)
            .map_err(|_| BenchmarkError::Settings)?;
        Ok(self.advance(history)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::{state_spans, Scenario};
    use crate::markup;
    use tinyprom::exposition::parse_exposition;
    use tinyprom::rules::AlertState;
    use tinyprom::scrape::MIN_SCRAPE_INTERVAL;

    const START: Duration = Duration::from_secs(1_800_000_000);

    fn playground(upstream_error_rate: f64) -> Playground {
        let mut playground = Playground::new(PlaygroundConfig {
            start_unix_time: START,
            seed: 7,
            version: "1.2.3".to_owned(),
        });
        playground
            .set_upstream_error_rate(upstream_error_rate)
            .unwrap();
        playground
    }

    /// The current value of `requests_total{endpoint, status}` in the
    /// exposition text, as a scraper would read it.
    fn requests_total(playground: &Playground, endpoint: &str, status: &str) -> f64 {
        let text = playground.exposition(Format::PrometheusText).unwrap();
        let labels =
            Labels::with_name(REQUESTS_TOTAL, [("endpoint", endpoint), ("status", status)]);
        parse_exposition(&text, TextFormat::Prometheus)
            .unwrap()
            .into_iter()
            .find(|s| s.labels == labels)
            .map_or(0.0, |s| s.value)
    }

    /// Runs `visits_at`: at each simulated second in the list (ascending),
    /// one button visit, after the scrapes due by then. Ends at `end_s`.
    fn run(playground: &mut Playground, visits_at: &[u64], end_s: u64) {
        for &at in visits_at {
            playground
                .advance(Duration::from_secs(at) - playground.now())
                .unwrap();
            playground.visit();
        }
        playground
            .advance(Duration::from_secs(end_s) - playground.now())
            .unwrap();
    }

    fn check_graph(graph: &[GraphSeries], expect: &[(&str, &[(i64, f64)])]) {
        let labels: Vec<String> = graph.iter().map(|s| s.labels.labels_text()).collect();
        let expect_labels: Vec<&str> = expect.iter().map(|(l, _)| *l).collect();
        assert_eq!(labels, expect_labels);
        for (series, (labels, points)) in graph.iter().zip(expect) {
            assert_eq!(series.points.len(), points.len(), "{labels}: {series:?}");
            for (&(t, value), &(expect_t, expect_value)) in series.points.iter().zip(*points) {
                assert_eq!(t, expect_t, "{labels}");
                assert!(
                    (value - expect_value).abs() < 1e-12,
                    "{labels} at {t}: {value}, expected {expect_value}"
                );
            }
        }
    }

    #[test]
    fn visits_are_counted_as_the_server_counts_them() {
        let mut ok = playground(0.0);
        for _ in 0..3 {
            ok.visit();
        }
        assert_eq!(requests_total(&ok, "/treecounter", "200"), 3.0);
        assert_eq!(requests_total(&ok, "/upstream", "200"), 3.0);
        assert_eq!(requests_total(&ok, "/upstream", "503"), 0.0);
        let text = ok.exposition(Format::OpenMetrics).unwrap();
        assert!(text.contains("request_latency_seconds_count{endpoint=\"/treecounter\"} 3\n"));
        assert!(text.contains("request_latency_seconds_count{endpoint=\"/upstream\"} 3\n"));

        let mut failing = playground(1.0);
        failing.advance(Duration::from_secs(100)).unwrap();
        let visit = failing.visit();
        assert_eq!(requests_total(&failing, "/treecounter", "200"), 1.0);
        assert_eq!(requests_total(&failing, "/upstream", "503"), 1.0);
        assert_eq!(
            (visit.id, visit.at, visit.status, visit.upstream_status),
            (1, Duration::from_secs(100), 200, 503)
        );
        assert_eq!(visit.tree_count, None);
        assert!(visit.latency < Duration::from_secs(1));

        let mut counted = playground(0.0);
        counted.advance(Duration::from_secs(8)).unwrap();
        assert_eq!(
            counted.visit().tree_count,
            // 1.25 trees per second since 2024-01-01, 8 s after START.
            Some(simulated_tree_count(START + Duration::from_secs(8)))
        );
    }

    #[test]
    fn the_visit_log_keeps_the_latest_few_newest_first() {
        let mut playground = playground(0.15);
        for _ in 0..20 {
            playground.visit();
        }
        let ids: Vec<u64> = playground.visits().map(|v| v.id).collect();
        assert_eq!(ids, [20, 19, 18, 17, 16, 15, 14, 13]);
        for visit in playground.visits() {
            assert_eq!(visit.tree_count.is_none(), visit.upstream_status == 503);
        }
    }

    #[test]
    fn scrapes_land_in_the_store_on_schedule() {
        let mut playground = playground(0.0);
        run(&mut playground, &[5, 6, 12], 25);
        let labels = Labels::with_name(
            REQUESTS_TOTAL,
            [
                ("endpoint", "/treecounter"),
                ("status", "200"),
                ("job", JOB),
                ("instance", INSTANCE),
            ],
        );
        let points: Vec<(i64, f64)> = playground
            .store()
            .samples(&labels)
            .iter()
            .map(|p| (p.t, p.f))
            .collect();
        assert_eq!(points, [(0, 0.0), (10_000, 2.0), (20_000, 3.0)]);
        assert_eq!(playground.now(), Duration::from_secs(25));
    }

    #[test]
    fn the_target_shows_its_last_scrape() {
        let mut playground = playground(0.0);
        let fresh = playground.target();
        assert_eq!(fresh.url, "http://app:8001/metrics");
        assert_eq!(
            fresh.labels.labels_text(),
            "{instance=\"app:8001\", job=\"treecounter\"}"
        );
        assert_eq!(fresh.scrape_interval, Duration::from_secs(10));
        // Nothing scraped before the clock runs: Prometheus's "unknown".
        assert_eq!(fresh.last_scrape, None);

        run(&mut playground, &[5], 25);
        playground
            .set_simulated_scrape_interval(Duration::from_secs(5))
            .unwrap();
        let last = playground.target().last_scrape.expect("scraped");
        assert_eq!(last.at, Duration::from_secs(20));
        assert_eq!(last.error, None);
        let bytes = playground.exposition(Format::OpenMetrics).unwrap().len();
        assert_eq!(last.duration, simulated_scrape_duration(bytes));
        let stored = playground
            .store()
            .select(&[Matcher::equal(METRIC_NAME, "scrape_samples_scraped")])
            .filter_map(|series| series.samples.last())
            .map(|sample| sample.f)
            .next();
        assert_eq!(stored, Some(last.samples as f64));
        assert_eq!(playground.target().scrape_interval, Duration::from_secs(5));

        // A reset forgets the scrapes with the store.
        playground.reset();
        assert_eq!(playground.target().last_scrape, None);
    }

    /// The value of a one-series instant query.
    fn scalar_of(playground: &Playground, query: &str) -> f64 {
        match playground.query(query, duration_ms(playground.now())) {
            Ok(QueryValue::Vector(v)) if v.len() == 1 => v[0].f,
            other => panic!("{query}: {other:?}"),
        }
    }

    #[test]
    fn the_app_exports_its_process_like_the_server_and_a_restart_starts_it_anew() {
        let mut playground = playground(0.0);
        run(&mut playground, &[5, 6, 7], 60);
        let text = playground.exposition(Format::PrometheusText).unwrap();
        for name in [
            "process_cpu_seconds_total",
            "process_resident_memory_bytes",
            "process_virtual_memory_bytes",
            "process_open_fds",
            "process_max_fds",
            "process_start_time_seconds",
        ] {
            assert!(text.contains(&format!("\n{name} ")), "{name} in {text}");
        }
        // The dashboard's uptime panel, on the scraped store.
        let uptime = "time() - process_start_time_seconds{job=\"treecounter\"}";
        assert_eq!(scalar_of(&playground, uptime), 60.0);
        // Its CPU grows with the requests answered.
        let cpu = "process_cpu_seconds_total";
        let before = scalar_of(&playground, cpu);
        playground.visit();
        playground.advance(Duration::from_secs(10)).unwrap();
        assert!(scalar_of(&playground, cpu) > before);

        playground.restart_app();
        playground.advance(Duration::from_secs(30)).unwrap();
        assert_eq!(scalar_of(&playground, uptime), 30.0);
    }

    #[test]
    fn a_scrape_takes_a_millisecond_and_more_for_more_text() {
        assert_eq!(simulated_scrape_duration(0), Duration::from_millis(1));
        assert_eq!(
            simulated_scrape_duration(3_000),
            Duration::from_micros(1_300)
        );
    }

    #[test]
    fn rate_graph_is_prometheus_rate_of_the_scrapes() {
        // One visit right after each scrape: the scrape at k × 10 s reads k.
        let mut playground = playground(0.0);
        run(&mut playground, &[0, 10, 20, 30, 40, 50], 60);
        let graph = playground.rate_graph(
            Duration::from_secs(60),
            Duration::from_secs(10),
            Duration::from_secs(60),
        );
        // At 10..50 s the series started inside the minute at 0, its zero
        // point: no extrapolation, k / 60 s. At 60 s, samples 10..60 read
        // 1..6: 5 × 60/50 / 60 s = 0.1/s (see rate.rs).
        let ramp: &[(i64, f64)] = &[
            (10_000, 1.0 / 60.0),
            (20_000, 2.0 / 60.0),
            (30_000, 3.0 / 60.0),
            (40_000, 4.0 / 60.0),
            (50_000, 5.0 / 60.0),
            (60_000, 0.1),
        ];
        let flat: &[(i64, f64)] = &[
            (10_000, 0.0),
            (20_000, 0.0),
            (30_000, 0.0),
            (40_000, 0.0),
            (50_000, 0.0),
            (60_000, 0.0),
        ];
        check_graph(
            &graph,
            &[
                ("{endpoint=\"/treecounter\", instance=\"app:8001\", job=\"treecounter\", status=\"200\"}", ramp),
                ("{endpoint=\"/upstream\", instance=\"app:8001\", job=\"treecounter\", status=\"200\"}", ramp),
                ("{endpoint=\"/upstream\", instance=\"app:8001\", job=\"treecounter\", status=\"503\"}", flat),
            ],
        );
    }

    #[test]
    fn an_app_restart_is_a_counter_reset_that_rate_sees_through() {
        let mut playground = playground(0.0);
        run(&mut playground, &[0, 10, 20, 30], 30);
        // The scrape at 30 s has read 3; the restarted app counts from 0.
        playground.restart_app();
        assert_eq!(requests_total(&playground, "/treecounter", "200"), 0.0);
        run(&mut playground, &[30, 40, 50], 60);
        // Scrapes at 10..60 s read 1, 2, 3, 1, 2, 3: an increase of 5, so
        // the same 0.1/s as without the restart.
        let graph = playground.rate_graph(
            Duration::ZERO,
            Duration::from_secs(10),
            Duration::from_secs(60),
        );
        check_graph(
            &graph[..1],
            &[(
                "{endpoint=\"/treecounter\", instance=\"app:8001\", job=\"treecounter\", status=\"200\"}",
                &[(60_000, 0.1)],
            )],
        );
        let counter = playground.counter_graph(Duration::from_secs(30));
        assert_eq!(
            counter[0].points,
            [(30_000, 3.0), (40_000, 1.0), (50_000, 2.0), (60_000, 3.0)]
        );
    }

    #[test]
    fn traffic_arrives_between_scrapes_and_is_counted() {
        let mut playground = playground(1.0);
        playground.set_traffic_rate(2.0).unwrap();
        playground.advance(Duration::from_secs(100)).unwrap();
        let served = playground.visits().next().map_or(0, |v| v.id) as f64;
        // 200 expected on average; the seed makes it exact, the bounds say
        // it is plausible.
        assert!((150.0..=250.0).contains(&served), "{served}");
        assert_eq!(requests_total(&playground, "/treecounter", "200"), served);
        assert_eq!(requests_total(&playground, "/upstream", "503"), served);
        assert_eq!(requests_total(&playground, "/upstream", "200"), 0.0);
        assert!(playground
            .visits()
            .all(|v| v.source == VisitSource::Traffic && v.at <= Duration::from_secs(100)));
        // Scrapes at 0, 10, …, 100 s: `up` has one sample each.
        let up = Labels::with_name("up", [("job", JOB), ("instance", INSTANCE)]);
        assert_eq!(playground.store().samples(&up).len(), 11);
    }

    #[test]
    fn reset_starts_over_with_the_same_settings() {
        let mut playground = playground(0.5);
        playground.set_traffic_rate(3.0).unwrap();
        playground
            .set_simulated_scrape_interval(Duration::from_secs(2))
            .unwrap();
        playground.advance(Duration::from_secs(30)).unwrap();
        let before = playground.changes();
        playground.reset();
        assert!(playground.changes() > before);
        assert_eq!(playground.resets(), 1);
        assert_eq!(playground.now(), Duration::ZERO);
        assert!(playground.store().is_empty());
        assert_eq!(playground.visits().count(), 0);
        assert_eq!(requests_total(&playground, "/treecounter", "200"), 0.0);
        assert_eq!(playground.traffic_rate(), 3.0);
        assert_eq!(playground.scrape_interval(), Duration::from_secs(2));
        assert_eq!(playground.behaviour().upstream_error_rate(), 0.5);
    }

    #[test]
    fn benchmark_history_has_the_requested_series_and_samples() {
        let mut playground = playground(0.15);
        playground
            .load_benchmark_history(Duration::from_secs(120), 50, 5.0, MIN_SCRAPE_INTERVAL)
            .unwrap();
        let matchers = [Matcher::equal(METRIC_NAME, REQUESTS_TOTAL)];
        let series: Vec<usize> = playground
            .store()
            .select(&matchers)
            .map(|series| series.samples.len())
            .collect();
        assert_eq!(series.len(), 50);
        assert!(series.iter().all(|&n| n == 121), "{series:?}");
        assert_eq!(
            playground
                .rate_graph(
                    Duration::from_secs(60),
                    Duration::from_secs(1),
                    Duration::from_secs(60)
                )
                .len(),
            50
        );
    }

    #[test]
    fn settings_out_of_range_are_refused_and_change_nothing() {
        let mut playground = playground(0.15);
        assert!(playground.set_upstream_error_rate(1.5).is_err());
        assert!(playground.set_traffic_rate(-1.0).is_err());
        assert!(playground
            .set_simulated_scrape_interval(Duration::ZERO)
            .is_err());
        assert_eq!(playground.behaviour().upstream_error_rate(), 0.15);
        assert_eq!(playground.traffic_rate(), 0.0);
        assert_eq!(playground.scrape_interval(), Duration::from_secs(10));
    }

    /// The stack's alerts as the page would list them: `name state` of
    /// each alert held (resolved ones too), one line each.
    fn alerts(playground: &Playground) -> String {
        playground
            .alert_rules()
            .rules()
            .flat_map(|rule| rule.alerts().iter().map(move |a| (rule.name(), a)))
            .map(|(name, a)| {
                format!(
                    "{name} {} since {}s\n",
                    a.state.as_str(),
                    a.active_at_ms / 1000
                )
            })
            .collect()
    }

    #[test]
    fn failing_upstream_calls_make_the_alert_pend_then_fire_in_simulated_time() {
        let mut playground = playground(1.0);
        playground.set_traffic_rate(2.0).unwrap();
        // Evaluated every 10 s (prometheus.yaml); rate() has two samples at
        // 10 s; `for: 5m` then runs to 310 s.
        for (at_s, expect) in [
            (9, ""),
            (10, "TreeCounterUpstreamErrorsHigh pending since 10s\n"),
            (309, "TreeCounterUpstreamErrorsHigh pending since 10s\n"),
            (310, "TreeCounterUpstreamErrorsHigh firing since 10s\n"),
        ] {
            playground
                .advance(Duration::from_secs(at_s) - playground.now())
                .unwrap();
            assert_eq!(alerts(&playground), expect, "at {at_s} s");
        }
        let rule = playground
            .alert_rules()
            .rules()
            .find(|r| r.name() == "TreeCounterUpstreamErrorsHigh")
            .unwrap();
        let alert = &rule.alerts()[0];
        assert_eq!(
            alert.labels.to_string(),
            "{alertname=\"TreeCounterUpstreamErrorsHigh\", instance=\"app:8001\", job=\"treecounter\", severity=\"warning\"}"
        );
        assert_eq!(
            alert.annotations[1],
            (
                "summary".to_owned(),
                "100% of upstream calls from app:8001 fail".to_owned()
            )
        );

        // The upstream recovers: the 5-minute ratio falls under 30 % once
        // more than 210 s of the window are clean, and the alert resolves.
        playground.set_upstream_error_rate(0.0).unwrap();
        playground
            .advance(Duration::from_secs(700) - playground.now())
            .unwrap();
        let rule = playground
            .alert_rules()
            .rules()
            .find(|r| r.name() == "TreeCounterUpstreamErrorsHigh")
            .unwrap();
        assert_eq!(rule.state(), tinyprom::rules::AlertState::Inactive);
        let resolved = rule.alerts()[0].resolved_at_ms.unwrap();
        assert!(
            (520_000..=560_000).contains(&resolved),
            "resolved at {resolved}"
        );

        // The page's timeline: the ALERTS series, pending then firing.
        let Ok(QueryValue::Matrix(series)) = playground.query_range("ALERTS", 0, 700_000, 10_000)
        else {
            panic!("ALERTS is a matrix");
        };
        let spans: Vec<String> = series
            .iter()
            .map(|s| {
                let first = s.samples.first().unwrap().t / 1000;
                let last = s.samples.last().unwrap().t / 1000;
                format!("{} {first}..{last}", s.labels.get("alertstate").unwrap())
            })
            .collect();
        assert_eq!(
            spans,
            [
                format!("firing 310..{}", resolved / 1000 - 10),
                "pending 10..300".to_owned()
            ]
        );
    }

    /// Toggles `scenario` (as the page's button does) at `on_s`, and again
    /// at `off_s`, stepping the clock 10 s at a time (each scrape and
    /// evaluation) to `end_s`; returns each change of `alert`'s state as
    /// `state at_s` (`at_s` when the page first shows it).
    fn scenario_run(
        playground: &mut Playground,
        scenario: Scenario,
        alert: &str,
        (on_s, off_s, end_s): (u64, u64, u64),
    ) -> String {
        let mut seen = AlertState::Inactive;
        let mut changes = String::new();
        while playground.now() < Duration::from_secs(end_s) {
            let now_s = playground.now().as_secs();
            if now_s == on_s || now_s == off_s {
                for action in scenario.toggle(playground) {
                    playground.apply(action).unwrap();
                }
                assert_eq!(scenario.is_on(playground), now_s == on_s);
            }
            let step = Duration::from_secs(10).min(Duration::from_secs(end_s) - playground.now());
            playground.apply(PlaygroundAction::Advance(step)).unwrap();
            let now_s = playground.now().as_secs();
            let rule = playground
                .alert_rules()
                .rules()
                .find(|r| r.name() == alert)
                .unwrap();
            if rule.state() != seen {
                seen = rule.state();
                changes.push_str(&format!("{} {now_s}\n", seen.as_str()));
            }
        }
        changes
    }

    /// The states the page's timeline draws for `alert` over the run.
    fn timeline(playground: &Playground, alert: &str) -> String {
        crate::alerts::spans_text(&state_spans(
            playground.store(),
            alert,
            Duration::from_secs(10),
            0,
            duration_ms(playground.now()),
        ))
    }

    #[test]
    fn a_stopped_app_is_down_and_fires_treecounterdown_after_a_minute() {
        let mut playground = playground(0.15);
        playground.set_traffic_rate(2.0).unwrap();
        run(&mut playground, &[5], 20);
        // Stopped at 20 s (after that scrape and evaluation): the scrape at
        // 30 s fails, `for: 1m` runs from the evaluation at 30 s to 90 s;
        // started at 100 s, the scrape at 110 s works and it resolves.
        let changes = scenario_run(
            &mut playground,
            Scenario::StopApp,
            "TreeCounterDown",
            (20, 100, 130),
        );
        assert_eq!(changes, "pending 30\nfiring 90\ninactive 110\n");
        assert_eq!(
            timeline(&playground, "TreeCounterDown"),
            "pending 30..90\nfiring 90..110\n"
        );
        let rule = playground
            .alert_rules()
            .rules()
            .find(|r| r.name() == "TreeCounterDown")
            .unwrap();
        let alert = &rule.alerts()[0];
        assert_eq!(
            alert.labels.to_string(),
            "{alertname=\"TreeCounterDown\", instance=\"app:8001\", job=\"treecounter\", severity=\"critical\"}"
        );
        assert_eq!(
            alert.annotations[1].1,
            "The tree-counter app app:8001 is down"
        );
        assert_eq!(
            (alert.active_at_ms, alert.fired_at_ms, alert.resolved_at_ms),
            (30_000, Some(90_000), Some(110_000))
        );
        // `up` as Prometheus wrote it: 1, then 0 for every scrape of the
        // stopped app (30..100 s), then 1 again.
        let up = Labels::with_name("up", [("job", JOB), ("instance", INSTANCE)]);
        let up: Vec<(i64, f64)> = playground
            .store()
            .samples(&up)
            .iter()
            .map(|s| (s.t / 1000, s.f))
            .collect();
        assert_eq!(
            up,
            [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130]
                .map(|t| (t, if (30..=100).contains(&t) { 0.0 } else { 1.0 }))
        );
    }

    #[test]
    fn a_stopped_app_refuses_visits_and_its_target_is_down_with_the_reason() {
        let mut playground = playground(0.0);
        run(&mut playground, &[1, 2], 10);
        playground.apply(PlaygroundAction::StopApp).unwrap();
        let changes = playground.changes();
        let refused = playground.visit();
        assert!(playground.changes() > changes);
        assert_eq!(
            (refused.id, refused.status, refused.upstream_status),
            (3, REFUSED, REFUSED)
        );
        assert!(refused.refused() && refused.tree_count.is_none());
        assert_eq!(refused.latency, Duration::ZERO);
        // Counted nowhere: the app is not there to count it.
        assert_eq!(requests_total(&playground, "/treecounter", "200"), 2.0);
        // Traffic meets the same closed port.
        playground.set_traffic_rate(5.0).unwrap();
        playground.advance(Duration::from_secs(10)).unwrap();
        assert!(playground.visits().all(Visit::refused));
        assert!(playground
            .visits()
            .any(|v| v.source == VisitSource::Traffic));
        assert_eq!(requests_total(&playground, "/treecounter", "200"), 2.0);

        let target = playground.target();
        let last = target.last_scrape.expect("scraped");
        assert_eq!(last.at, Duration::from_secs(20));
        assert_eq!(last.samples, 0);
        assert_eq!(last.duration, Duration::from_millis(1));
        assert_eq!(
            last.error.as_deref(),
            Some("Get \"http://app:8001/metrics\": dial tcp 172.18.0.2:8001: connect: connection refused")
        );
        assert!(CONNECTION_REFUSED.starts_with(&format!("Get \"{SCRAPE_URL}\"")));
        let page = markup::targets_view(&playground.target(), playground.now());
        assert!(page.contains("data-state=\"down\">DOWN<"), "{page}");
        assert!(page.contains("connect: connection refused"), "{page}");
        let up = playground.query("up", 20_000).unwrap();
        let QueryValue::Vector(up) = up else {
            panic!("a vector");
        };
        assert_eq!(up[0].f, 0.0);
        // What the app exported is stale, as after any failed scrape.
        let QueryValue::Vector(requests) = playground.query(REQUESTS_TOTAL, 20_000).unwrap() else {
            panic!("a vector");
        };
        assert!(requests.is_empty(), "{requests:?}");

        // Started again: a new process, counting from zero, scraped again.
        playground.apply(PlaygroundAction::StartApp).unwrap();
        assert!(!playground.app_stopped());
        assert_eq!(requests_total(&playground, "/treecounter", "200"), 0.0);
        playground.advance(Duration::from_secs(10)).unwrap();
        assert_eq!(playground.target().last_scrape.unwrap().error, None);
        assert!(playground.visits().all(|v| !v.refused()));
        // A restart starts a stopped app too; a reset starts afresh.
        playground.apply(PlaygroundAction::StopApp).unwrap();
        playground.apply(PlaygroundAction::RestartApp).unwrap();
        assert!(!playground.app_stopped());
        playground.apply(PlaygroundAction::StopApp).unwrap();
        playground.apply(PlaygroundAction::Reset).unwrap();
        assert!(!playground.app_stopped());
    }

    #[test]
    fn a_slow_page_fires_treecounterslow_and_resolves_once_fast_again() {
        let mut playground = playground(0.15);
        playground.set_traffic_rate(2.0).unwrap();
        run(&mut playground, &[], 600);
        // Slow from 600 s: all fast requests fall in the buckets up to 1 s
        // and the slow ones above, so the p90 passes 1 s once more than
        // 10 % of the 5-minute window is slow, 30 s in (at a steady
        // rate); `for: 5m` later it fires. Fast again at 1200 s, it
        // resolves once less than 10 % is slow: 270 s later, give or take
        // the randomness of the arrivals.
        let changes = scenario_run(
            &mut playground,
            Scenario::SlowPage,
            "TreeCounterSlow",
            (600, 1200, 1600),
        );
        assert_eq!(changes, "pending 630\nfiring 930\ninactive 1460\n");
        let rule = playground
            .alert_rules()
            .rules()
            .find(|r| r.name() == "TreeCounterSlow")
            .unwrap();
        let summary = &rule.alerts()[0].annotations[1].1;
        assert!(
            summary.starts_with("/treecounter on app:8001 is slow: p90 "),
            "{summary}"
        );
    }

    #[test]
    fn the_slow_page_adds_its_latency_and_draws_nothing_more() {
        // The same seed, slow or not, draws the same requests: a link made
        // before the scenario existed replays as it did.
        let visits = |slow: bool| {
            let mut playground = playground(0.15);
            playground.set_page_slow(slow);
            (0..50).map(|_| playground.visit()).collect::<Vec<Visit>>()
        };
        for (fast, slow) in visits(false).iter().zip(visits(true)) {
            assert_eq!(slow.latency, fast.latency + SLOW_PAGE_EXTRA_LATENCY);
            assert_eq!(
                (slow.upstream_status, slow.tree_count),
                (fast.upstream_status, fast.tree_count)
            );
        }
    }

    #[test]
    fn raised_upstream_errors_fire_their_alert_and_resolve_when_lowered() {
        let mut playground = playground(0.15);
        playground.set_traffic_rate(2.0).unwrap();
        run(&mut playground, &[], 600);
        // 60 % from 600 s: the 5-minute ratio, 15 % × (300 − x)/300 +
        // 60 % × x/300 after x s, passes 30 % at x = 100 s; it fires 5m
        // later. Back to 15 % at 1200 s, it falls under 30 % 200 s later.
        let changes = scenario_run(
            &mut playground,
            Scenario::UpstreamErrors,
            "TreeCounterUpstreamErrorsHigh",
            (600, 1200, 1600),
        );
        assert_eq!(changes, "pending 700\nfiring 1000\ninactive 1400\n");
        assert_eq!(
            timeline(&playground, "TreeCounterUpstreamErrorsHigh"),
            "pending 700..1000\nfiring 1000..1400\n"
        );
    }

    #[test]
    fn the_workshops_baseline_raises_no_alert() {
        let mut playground = playground(0.15);
        playground.set_traffic_rate(2.0).unwrap();
        for tick in 1..=120 {
            playground.advance(Duration::from_secs(10)).unwrap();
            assert_eq!(alerts(&playground), "", "at {} s", tick * 10);
        }
        let evaluated = playground
            .alert_rules()
            .rules()
            .map(|r| (r.name(), r.last_evaluation_ms(), r.health()))
            .collect::<Vec<_>>();
        assert_eq!(
            evaluated,
            [
                (
                    "TreeCounterDown",
                    Some(1_200_000),
                    tinyprom::rules::RuleHealth::Ok
                ),
                (
                    "TreeCounterUpstreamErrorsHigh",
                    Some(1_200_000),
                    tinyprom::rules::RuleHealth::Ok
                ),
                (
                    "TreeCounterSlow",
                    Some(1_200_000),
                    tinyprom::rules::RuleHealth::Ok
                ),
            ]
        );
    }

    /// `query`'s table at the clock of the data shown, as `series value`
    /// lines.
    fn table_now(playground: &Playground, query: &str) -> Vec<String> {
        let value = playground
            .query(query, duration_ms(playground.now()))
            .unwrap();
        crate::query::series_lines(&value)
    }

    #[test]
    fn live_data_replaces_the_simulation_until_switched_back() {
        use crate::live::Answer;

        let mut playground = playground(0.0);
        run(&mut playground, &[5], 25);
        let simulated = playground.store().series().to_vec();
        let changes = playground.changes();
        const QUERY: &str = "requests_total{endpoint=\"/treecounter\"}";
        let t0 = Duration::from_secs(1_700_000_000);
        let url = "http://127.0.0.1:8001/metrics";

        playground.start_live(url, t0).unwrap();
        assert!(playground.changes() > changes);
        assert_eq!(playground.now(), t0);
        assert!(playground.store().is_empty());
        assert_eq!(playground.visits().count(), 0);
        assert_eq!(playground.target().url, url);
        assert_eq!(playground.target().last_scrape, None);
        let at = playground.live_tick(t0 + Duration::from_millis(3)).unwrap();
        let body = "requests_total{endpoint=\"/treecounter\",status=\"200\"} 3\n";
        playground.ingest_live(
            at,
            at + Duration::from_millis(5),
            Answer::ok("text/plain; version=0.0.4; charset=utf-8", body),
        );
        assert_eq!(
            table_now(&playground, QUERY),
            ["requests_total{endpoint=\"/treecounter\", instance=\"127.0.0.1:8001\", job=\"treecounter\", status=\"200\"} 3"]
        );
        let target = playground.target();
        assert!(!target.simulated);
        assert_eq!(
            target.last_scrape.map(|s| (s.at, s.duration, s.error)),
            Some((at, Duration::from_millis(5), None))
        );
        // Pasted text goes to the live store; a bad line stores nothing.
        let error = playground.load_pasted("x 1\ny{\n", None).unwrap_err();
        assert_eq!(error.to_string(), "line 2: malformed label set");
        assert_eq!(
            table_now(&playground, "count({__name__=~\"x|y\"})"),
            [] as [&str; 0]
        );
        // While live, simulated time is not the clock shown.
        assert_eq!(playground.simulated_now(), Duration::from_secs(25));

        playground.stop_live();
        assert_eq!(playground.now(), Duration::from_secs(25));
        assert_eq!(playground.store().series(), simulated.as_slice());
        assert_eq!(playground.target().url, SCRAPE_URL);
        assert_eq!(
            table_now(&playground, QUERY),
            ["requests_total{endpoint=\"/treecounter\", instance=\"app:8001\", job=\"treecounter\", status=\"200\"} 1"]
        );
        assert_eq!(playground.live_tick(t0 + Duration::from_secs(60)), None);
        // A paste in the simulation is a scrape at the simulated time.
        let pasted = playground.load_pasted("pasted_total 7\n", None).unwrap();
        assert_eq!((pasted.samples, pasted.at), (1, Duration::from_secs(25)));
        assert_eq!(
            table_now(&playground, "pasted_total"),
            ["pasted_total{instance=\"paste\", job=\"pasted\"} 7"]
        );

        // Live again: its store was kept, and a scrape is due at once.
        playground
            .start_live(url, t0 + Duration::from_secs(60))
            .unwrap();
        assert_eq!(
            playground.store().series().len(),
            5,
            "requests_total, up and the three scrape_* series"
        );
        assert!(playground.live_tick(t0 + Duration::from_secs(60)).is_some());
        assert!(playground.start_live("metrics", t0).is_err());
    }

    #[test]
    fn the_scrape_interval_setting_changes_the_data_shown() {
        use crate::live::Answer;

        let mut playground = playground(0.0);
        run(&mut playground, &[], 25);
        let (t0, url) = (
            Duration::from_secs(1_700_000_000),
            "http://127.0.0.1:8001/metrics",
        );
        let secs = |s: u64| t0 + Duration::from_secs(s);
        playground.start_live(url, t0).unwrap();
        let answer = Answer::ok("text/plain; version=0.0.4", "a 1\n");
        // Scraped at 0 s; set to 5 s at 3 s, the next is due at 5 s.
        let at = playground.live_tick(t0).unwrap();
        playground.ingest_live(at, at, answer);
        let changes = playground.changes();
        playground
            .set_scrape_interval(Duration::from_secs(5), secs(3))
            .unwrap();
        assert!(playground.changes() > changes);
        assert_eq!(playground.live_tick(secs(4)), None);
        assert_eq!(playground.live_tick(secs(5)), Some(secs(5)));
        playground.ingest_live(secs(5), secs(5), answer);
        assert_eq!(playground.live_tick(secs(9)), None);
        assert_eq!(playground.live_tick(secs(10)), Some(secs(10)));
        playground.ingest_live(secs(10), secs(10), answer);
        // What the page shows is the live interval ...
        assert_eq!(playground.scrape_interval(), Duration::from_secs(5));
        assert_eq!(playground.target().scrape_interval, Duration::from_secs(5));
        let targets = markup::targets_view(&playground.target(), playground.now());
        assert!(
            targets.contains("<code>treecounter</code>, scraped every 5s</caption>"),
            "{targets}"
        );
        // ... and the simulation's is as it was, not logged.
        assert_eq!(
            playground.simulated_scrape_interval(),
            Duration::from_secs(10)
        );
        assert_eq!(playground.log(), []);

        // Out of range: an error, and nothing changes.
        for refused in [Duration::ZERO, Duration::from_secs(301)] {
            let changes = playground.changes();
            let error = playground.set_scrape_interval(refused, secs(11));
            assert!(
                matches!(error, Err(ActionError::ScrapeInterval(ScrapeIntervalError(d))) if d == refused),
                "{error:?}"
            );
            assert_eq!(playground.changes(), changes);
        }
        assert_eq!(playground.scrape_interval(), Duration::from_secs(5));
        assert_eq!(playground.now(), secs(10));
        assert_eq!(playground.live_tick(secs(14)), None);
        assert_eq!(playground.live_tick(secs(15)), Some(secs(15)));

        // Back to the simulation: the setting is its own again, changed on
        // its clock and logged (a share link replays it).
        playground.stop_live();
        assert_eq!(playground.scrape_interval(), Duration::from_secs(10));
        playground
            .set_scrape_interval(Duration::from_secs(2), secs(20))
            .unwrap();
        assert_eq!(
            playground.log(),
            [LoggedAction {
                at: Duration::from_secs(25),
                action: PlaygroundAction::SetScrapeInterval(Duration::from_secs(2)),
            }]
        );
        // Scraped at 20 s, due at once (22 s is past), then every 2 s.
        playground.advance(Duration::from_secs(5)).unwrap();
        assert_eq!(
            playground.target().last_scrape.map(|s| s.at),
            Some(Duration::from_secs(29))
        );
        assert!(playground.set_scrape_interval(Duration::ZERO, t0).is_err());
        assert_eq!(playground.log().len(), 1);
        // Live again, the live data keeps its own.
        playground.start_live(url, secs(30)).unwrap();
        assert_eq!(playground.scrape_interval(), Duration::from_secs(5));
    }

    #[test]
    fn live_alerts_are_the_live_sources_and_the_simulations_wait() {
        use crate::live::Answer;

        // The simulation with an alert pending: every upstream call fails.
        let mut playground = playground(1.0);
        playground.set_traffic_rate(2.0).unwrap();
        run(&mut playground, &[], 30);
        let simulated = alerts(&playground);
        assert_eq!(
            simulated,
            "TreeCounterUpstreamErrorsHigh pending since 10s\n"
        );
        let simulated_timeline = timeline(&playground, "TreeCounterUpstreamErrorsHigh");

        // Live, scraped every 15 s (evaluated every 10 s), the target fails
        // every scrape for over a minute of wall clock: the live source's
        // own TreeCounterDown, pending from the evaluation at 10 s, firing
        // a minute later.
        playground
            .set_simulated_scrape_interval(Duration::from_secs(15))
            .unwrap();
        let t0 = Duration::from_secs(1_700_000_000);
        playground
            .start_live("http://127.0.0.1:8001/metrics", t0)
            .unwrap();
        assert_eq!(alerts(&playground), "");
        let mut states = Vec::new();
        for s in (0..=90).step_by(15) {
            let now = t0 + Duration::from_secs(s);
            let at = playground.live_tick(now).expect("a scrape is due");
            playground.ingest_live(at, now, Answer::Failed("Failed to fetch"));
            let rule = playground
                .alert_rules()
                .rules()
                .find(|r| r.name() == "TreeCounterDown")
                .unwrap();
            states.push(format!("{s} {}", rule.state().as_str()));
        }
        assert_eq!(
            states,
            [
                "0 inactive",
                "15 pending",
                "30 pending",
                "45 pending",
                "60 pending",
                "75 firing",
                "90 firing"
            ]
        );
        assert_eq!(
            alerts(&playground),
            "TreeCounterDown firing since 1700000010s\n"
        );
        assert_eq!(
            timeline(&playground, "TreeCounterDown"),
            "pending 1700000010..1700000070\nfiring 1700000070..1700000090\n"
        );
        // An evaluation with no scrape is a change (the alerts redraw); a
        // tick with neither is none.
        let changes = playground.changes();
        assert_eq!(playground.live_tick(t0 + Duration::from_secs(100)), None);
        assert!(playground.changes() > changes);
        let changes = playground.changes();
        assert_eq!(playground.live_tick(t0 + Duration::from_secs(101)), None);
        assert_eq!(playground.changes(), changes);

        // Back to the simulation: its alerts and timeline as they were.
        playground.stop_live();
        assert_eq!(alerts(&playground), simulated);
        assert_eq!(
            timeline(&playground, "TreeCounterUpstreamErrorsHigh"),
            simulated_timeline
        );
        assert_eq!(timeline(&playground, "TreeCounterDown"), "");
    }
}
