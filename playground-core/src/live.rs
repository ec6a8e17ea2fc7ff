//! Live data: a real target (app-server's own `/metrics`, or any the
//! browser may read) scraped on wall-clock time into a store of its own,
//! and exposition text pasted into the page, loaded as a scrape.
//!
//! The page does the fetching and reads the clock; this module decides what
//! a scrape is due and what the answer means, as Prometheus would: the
//! format from the `Content-Type`, only a 200 is an answer, and a target
//! that cannot be read is a down target with the error Prometheus's targets
//! page would show. Time is passed in (since the Unix epoch), so the tests
//! here never sleep.
//!
//! A live source also evaluates its own copy of the stack's alert rules on
//! its store as its clock passes each evaluation interval, as the
//! simulation does on its own, and keeps the last body the target
//! answered, for the page's `GET /metrics` panel.

use std::time::Duration;

use tinyprom::exposition::{ParseError, TextFormat};
use tinyprom::labels::{quoted, Labels};
use tinyprom::rules::Rules;
use tinyprom::scrape::{ScrapeError, ScrapeIntervalError, ScrapeReport, Scraper};
use tinyprom::storage::{duration_ms, SeriesStore};
use workshop_guide::exposition::{ends_with_eof, MediaType};

use crate::playground::{LastScrape, Visit, VisitLog, VisitSource, JOB, RETENTION};
use crate::stack;

/// What the page asks a target for, as Prometheus asks: OpenMetrics first,
/// the text format 0.0.4 otherwise.
pub const ACCEPT: &str =
    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";

/// The job of pasted text: it comes from no target Prometheus knows.
pub const PASTE_JOB: &str = "pasted";

/// What came back from a request the page sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer<'a> {
    /// The target answered.
    Response {
        /// The HTTP status code.
        status: u16,
        /// Its reason phrase, as received (may be empty over HTTP/2).
        status_text: &'a str,
        /// The `Content-Type` header, if there was one.
        content_type: Option<&'a str>,
        /// The body.
        body: &'a str,
    },
    /// No answer: the browser's message (it says "Failed to fetch" for a
    /// refused connection and for a response CORS does not let it read).
    Failed(&'a str),
}

#[cfg(test)]
impl<'a> Answer<'a> {
    /// `200 OK` with `body` as `content_type`: the usual answer in tests.
    pub(crate) fn ok(content_type: &'a str, body: &'a str) -> Self {
        Answer::Response {
            status: 200,
            status_text: "OK",
            content_type: Some(content_type),
            body,
        }
    }
}

/// The largest body a [`LiveSource`] keeps to show (1 MiB): a larger one
/// is scraped all the same, but not kept.
pub const MAX_KEPT_BODY: usize = 1 << 20;

/// What the target answered to the last scrape, as the page's `GET
/// /metrics` panel shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LastAnswer {
    /// A 200's body, as received.
    Body {
        /// When the scrape started, since the Unix epoch.
        at: Duration,
        /// The `Content-Type` header, if there was one.
        content_type: Option<String>,
        /// The body.
        text: String,
        /// Why the scrape failed all the same (a `Content-Type` Prometheus
        /// does not read, text that does not parse), if it did.
        error: Option<String>,
    },
    /// No body to show.
    Missing {
        /// When the scrape started, since the Unix epoch.
        at: Duration,
        /// Why: the scrape's error, or the body's size over
        /// [`MAX_KEPT_BODY`].
        reason: String,
    },
}

/// Why a target URL was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} is not an http:// or https:// URL", quoted(.0))]
pub struct UrlError(pub String);

/// A real target, scraped every `scrape_interval` of wall-clock time.
#[derive(Debug)]
pub struct LiveSource {
    url: String,
    scraper: Scraper,
    store: SeriesStore,
    /// The wall clock as last told, since the Unix epoch.
    now: Duration,
    /// When the scrape in flight started, if one is.
    pending: Option<Duration>,
    last_scrape: Option<LastScrape>,
    pastes: Pastes,
    visits: VisitLog,
    /// Why the last visit got no answer, if it did not.
    visit_error: Option<String>,
    /// The last answer to a scrape of the current target.
    last_answer: Option<LastAnswer>,
    /// The stack's alert rules, evaluated on `store`.
    alert_rules: Rules,
    /// Group evaluations so far, so the page knows when alerts may have
    /// changed.
    evaluations: u64,
    /// When the scrape interval was last changed.
    interval_changed_at: Option<Duration>,
}

impl LiveSource {
    /// A source scraping `url` (absolute) every `scrape_interval`, the
    /// first scrape due at `now`.
    pub fn new(url: &str, scrape_interval: Duration, now: Duration) -> Result<Self, UrlError> {
        let scraper = scraper_of(target_labels(url)?, scrape_interval, now);
        let mut live = LiveSource {
            url: url.to_owned(),
            scraper,
            store: SeriesStore::with_retention(RETENTION),
            now,
            pending: None,
            last_scrape: None,
            pastes: Pastes::default(),
            visits: VisitLog::default(),
            visit_error: None,
            last_answer: None,
            // Checked by the crate's tests, as the simulation's copy is.
            alert_rules: stack::new_rules().unwrap_or_default(),
            evaluations: 0,
            interval_changed_at: None,
        };
        // The first evaluation is at the last multiple of the interval at
        // or before now, and every later one on the next multiples, as
        // Prometheus aligns them (to the Unix epoch).
        live.evaluate_rules();
        Ok(live)
    }

    /// Scrapes `url` from now on, into the same store (as Prometheus keeps
    /// its data when a target changes); the first scrape is due at once.
    ///
    /// Another target (other `job` or `instance` labels) ends the old one
    /// as Prometheus ends a target's scrape loop: its series and its `up`
    /// get a staleness marker now, so queries stop showing the old instance
    /// at once rather than for five minutes. The same target at another
    /// path or query keeps its series: a series missing from the next
    /// scrape goes stale then, as after any scrape, and the others go on
    /// without a stale gap (a marker now would also clash with a first
    /// scrape at the same time, which would be dropped as a duplicate).
    pub fn set_target(&mut self, url: &str, now: Duration) -> Result<(), UrlError> {
        let target = target_labels(url)?;
        self.now = self.now.max(now);
        if &target == self.scraper.target() {
            self.scraper.reschedule(self.now);
        } else {
            self.scraper.end(self.now, &mut self.store);
            self.scraper = scraper_of(target, self.scraper.scrape_interval(), self.now);
        }
        self.url = url.to_owned();
        self.pending = None;
        self.last_scrape = None;
        self.last_answer = None;
        Ok(())
    }

    /// The URL scraped.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Where a visit goes: `/treecounter` beside the target's `/metrics`,
    /// or `None` when the target's path does not end in `metrics`.
    pub fn treecounter_url(&self) -> Option<String> {
        let base = self.url.strip_suffix("metrics")?;
        base.ends_with('/').then(|| format!("{base}treecounter"))
    }

    /// The labels of everything scraped from the target.
    pub fn target(&self) -> &Labels {
        self.scraper.target()
    }

    /// Time between scrapes.
    pub fn scrape_interval(&self) -> Duration {
        self.scraper.scrape_interval()
    }

    /// Scrapes every `scrape_interval` from now on, as Prometheus
    /// reschedules a target's scrape loop when its config is reloaded: the
    /// next scrape is one new interval after the previous one, but never
    /// before `now` (see [`Scraper::set_scrape_interval`]). A scrape in
    /// flight is still awaited; its time-out (the interval, as
    /// Prometheus's default `scrape_timeout`) follows the new one. A
    /// refused interval changes nothing, the clock included.
    pub fn set_scrape_interval(
        &mut self,
        scrape_interval: Duration,
        now: Duration,
    ) -> Result<(), ScrapeIntervalError> {
        let now = self.now.max(now);
        self.scraper.set_scrape_interval(scrape_interval, now)?;
        self.now = now;
        self.interval_changed_at = Some(now);
        Ok(())
    }

    /// When the scrape interval was last changed, if it was (the workshop
    /// guide's scrape step waits for a scrape after it).
    pub fn interval_changed_at(&self) -> Option<Duration> {
        self.interval_changed_at
    }

    /// The wall clock as last told.
    pub fn now(&self) -> Duration {
        self.now
    }

    /// The scraped samples.
    pub fn store(&self) -> &SeriesStore {
        &self.store
    }

    /// The last scrape, as the targets page shows it.
    pub fn last_scrape(&self) -> Option<&LastScrape> {
        self.last_scrape.as_ref()
    }

    /// What the target answered to the last scrape; `None` before its
    /// first answer (or time-out).
    pub fn last_answer(&self) -> Option<&LastAnswer> {
        self.last_answer.as_ref()
    }

    /// The stack's alert rules and their state on the live data (their
    /// `ALERTS` series are in [`LiveSource::store`]).
    pub fn alert_rules(&self) -> &Rules {
        &self.alert_rules
    }

    /// How many rule group evaluations ran so far: a change means the
    /// alerts may have changed.
    pub fn evaluations(&self) -> u64 {
        self.evaluations
    }

    /// Evaluates the alert rules at every evaluation time up to the clock.
    /// After a pause longer than the store's retention (the simulation was
    /// shown), everything they would read is gone: they start afresh
    /// rather than catch up on every evaluation missed.
    fn evaluate_rules(&mut self) {
        let now_ms = duration_ms(self.now);
        let last_ms = self
            .alert_rules
            .groups()
            .iter()
            .filter_map(|group| group.last_evaluation_ms())
            .max();
        if last_ms.is_some_and(|last| now_ms.saturating_sub(last) > duration_ms(RETENTION)) {
            self.alert_rules = stack::new_rules().unwrap_or_default();
        }
        let evaluated = self.alert_rules.advance(&mut self.store, now_ms);
        self.evaluations += evaluated as u64;
    }

    /// The wall clock moved to `now`. Returns the time to start a scrape
    /// at when one is due (the caller fetches and hands the answer to
    /// [`LiveSource::ingest`]). A scrape still unanswered after an interval
    /// (Prometheus's default `scrape_timeout` is the interval) fails as
    /// Prometheus's does, and the next one starts. The alert rules are
    /// evaluated at every evaluation time passed.
    pub fn tick(&mut self, now: Duration) -> Option<Duration> {
        self.now = self.now.max(now);
        let interval = self.scraper.scrape_interval();
        if let Some(at) = self.pending.filter(|&at| now >= at + interval) {
            self.pending = None;
            let error = format!("Get {}: context deadline exceeded", quoted(&self.url));
            self.record(
                at,
                interval,
                Err(ScrapeError::Unreachable(error.clone())),
                TextFormat::Prometheus,
            );
            self.last_answer = Some(LastAnswer::Missing { at, reason: error });
        }
        self.evaluate_rules();
        if self.pending.is_some() || now < self.scraper.next_scrape() {
            return None;
        }
        self.pending = Some(now);
        Some(now)
    }

    /// Stores the answer to the scrape started at `at`, received at `now`,
    /// keeps its body (up to [`MAX_KEPT_BODY`]) and evaluates the alert
    /// rules up to `now`. Returns `None` (and stores nothing) when that
    /// scrape is no longer awaited: it timed out, or the target changed.
    pub fn ingest(
        &mut self,
        at: Duration,
        now: Duration,
        answer: Answer<'_>,
    ) -> Option<ScrapeReport> {
        if self.pending != Some(at) {
            return None;
        }
        self.pending = None;
        self.now = self.now.max(now);
        let read = read_answer(&self.url, answer);
        let (text, format) = match read {
            Ok((text, format)) => (Ok(text), format),
            Err(error) => (Err(ScrapeError::Unreachable(error)), TextFormat::Prometheus),
        };
        let report = self.record(at, now.saturating_sub(at), text, format);
        let error = report.error.as_ref().map(ToString::to_string);
        self.last_answer = Some(match answer {
            Answer::Response {
                status: 200,
                content_type,
                body,
                ..
            } if body.len() <= MAX_KEPT_BODY => LastAnswer::Body {
                at,
                content_type: content_type.map(str::to_owned),
                text: body.to_owned(),
                error,
            },
            Answer::Response {
                status: 200, body, ..
            } => LastAnswer::Missing {
                at,
                reason: format!(
                    "the body is {} bytes, more than the {MAX_KEPT_BODY} (1 MiB) this page keeps \
                     to show; it was scraped all the same",
                    body.len()
                ),
            },
            _ => LastAnswer::Missing {
                at,
                reason: error.unwrap_or_default(),
            },
        });
        self.evaluate_rules();
        Some(report)
    }

    fn record(
        &mut self,
        at: Duration,
        duration: Duration,
        text: Result<&str, ScrapeError>,
        format: TextFormat,
    ) -> ScrapeReport {
        let report = self.scraper.scrape_at(at, text, format, &mut self.store);
        self.last_scrape = Some(LastScrape {
            at,
            duration,
            samples: report.samples,
            error: report.error.as_ref().map(ToString::to_string),
        });
        report
    }

    /// Loads pasted exposition text as one scrape at the clock's time.
    pub fn load_pasted(
        &mut self,
        text: &str,
        format: Option<TextFormat>,
    ) -> Result<Pasted, ParseError> {
        self.pastes.load(text, format, self.now, &mut self.store)
    }

    /// A visit sent at `at` was answered (or not) at `now`: logged with
    /// what the page said, as the simulated visits are.
    pub fn record_visit(&mut self, at: Duration, now: Duration, answer: Answer<'_>) {
        self.now = self.now.max(now);
        let (status, body) = match answer {
            Answer::Response { status, body, .. } => (status, body),
            Answer::Failed(message) => {
                let url = self.treecounter_url().unwrap_or_default();
                self.visit_error = Some(failed_fetch(&url, message));
                return;
            }
        };
        self.visit_error = None;
        let tree_count = tree_count_of(body);
        self.visits.push(Visit {
            id: 0,
            at,
            source: VisitSource::Button,
            status,
            // The page shows the count when the upstream answered.
            upstream_status: if tree_count.is_some() { 200 } else { 503 },
            latency: now.saturating_sub(at),
            tree_count,
        });
    }

    /// The real visits, newest first.
    pub(crate) fn visit_log(&self) -> &VisitLog {
        &self.visits
    }

    /// Why the last visit got no answer, if it did not.
    pub fn visit_error(&self) -> Option<&str> {
        self.visit_error.as_deref()
    }
}

/// Pasted texts, each loaded as a scrape of one pretend target (so a series
/// missing from the next paste goes stale, as in a scrape).
#[derive(Debug, Default)]
pub struct Pastes {
    scraper: Option<Scraper>,
}

/// What a paste loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pasted {
    /// Samples stored.
    pub samples: usize,
    /// The format it was read as.
    pub format: TextFormat,
    /// When, on the store's clock.
    pub at: Duration,
}

impl Pastes {
    /// Loads `text` (in `format`, or the one it looks like) into `store` as
    /// one scrape at `at`. Text that does not parse stores nothing, and
    /// the error names its line.
    pub fn load(
        &mut self,
        text: &str,
        format: Option<TextFormat>,
        at: Duration,
        store: &mut SeriesStore,
    ) -> Result<Pasted, ParseError> {
        let format = format.unwrap_or_else(|| paste_format(text));
        let scraper = self.scraper.get_or_insert_with(|| {
            Scraper::with_default_interval(Labels::new([("job", PASTE_JOB), ("instance", "paste")]))
        });
        // A typo is not a failed target: text that does not parse stores
        // nothing, not even `up` 0 or staleness markers.
        let report = scraper.scrape_valid_at(at, text, format, store)?;
        Ok(Pasted {
            samples: report.samples,
            format,
            at,
        })
    }
}

/// The format pasted text is in: OpenMetrics when it ends with `# EOF`,
/// the text format 0.0.4 otherwise (they differ in timestamps' unit).
pub fn paste_format(text: &str) -> TextFormat {
    if ends_with_eof(text) {
        TextFormat::OpenMetrics
    } else {
        TextFormat::Prometheus
    }
}

/// A scraper of the target with labels `target` every `scrape_interval`,
/// the first scrape due at `now`, its timestamps the wall clock's.
fn scraper_of(target: Labels, scrape_interval: Duration, now: Duration) -> Scraper {
    // The interval is one the simulation accepted.
    Scraper::new(scrape_interval, now, 0, target)
        .unwrap_or_else(|_| Scraper::with_default_interval(Labels::default()))
}

/// The target labels Prometheus gives `url`: the job, and the host and
/// port as the instance (Prometheus 3 adds no default port).
fn target_labels(url: &str) -> Result<Labels, UrlError> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| UrlError(url.to_owned()))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() {
        return Err(UrlError(url.to_owned()));
    }
    Ok(Labels::new([("job", JOB), ("instance", host)]))
}

/// The exposition text and its format, or why the answer is not one, in
/// Prometheus 3's words.
pub fn read_answer<'a>(url: &str, answer: Answer<'a>) -> Result<(&'a str, TextFormat), String> {
    match answer {
        Answer::Failed(message) => Err(failed_fetch(url, message)),
        Answer::Response {
            status,
            status_text,
            ..
        } if status != 200 => Err(
            format!("server returned HTTP status {status} {status_text}")
                .trim_end()
                .to_owned(),
        ),
        Answer::Response {
            content_type, body, ..
        } => Ok((body, format_of(content_type)?)),
    }
}

/// What Prometheus 3 makes of a `Content-Type` (with no
/// `fallback_scrape_protocol`, its default).
fn format_of(content_type: Option<&str>) -> Result<TextFormat, String> {
    let Some(content_type) = content_type.filter(|c| !c.trim().is_empty()) else {
        return Err("non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target".to_owned());
    };
    match MediaType::of(content_type) {
        MediaType::OpenMetrics => Ok(TextFormat::OpenMetrics),
        MediaType::PrometheusText | MediaType::PlainText => Ok(TextFormat::Prometheus),
        MediaType::Other => Err(format!(
            "received unsupported Content-Type {} and no fallback_scrape_protocol specified for target",
            quoted(content_type)
        )),
    }
}

/// A request that got no answer, as Prometheus words a failed `GET`, with
/// what the browser cannot say.
fn failed_fetch(url: &str, message: &str) -> String {
    format!(
        "Get {}: {message} (the browser does not say why: the target may be down, or may not \
         allow this page to read it; app-server allows it with --cors-allow-origin)",
        quoted(url)
    )
}

/// The count `/treecounter`'s page shows, or `None` when it says
/// "unavailable" (or is not that page).
fn tree_count_of(body: &str) -> Option<u64> {
    let shown = body
        .split('<')
        .find_map(|part| part.strip_prefix("p class=\"count\">"))?;
    let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinyprom::exposition::ParseErrorKind;
    use tinyprom::labels::{Matcher, METRIC_NAME};
    use tinyprom::storage::is_stale_marker;

    const URL: &str = "http://127.0.0.1:8001/metrics";
    const T0: Duration = Duration::from_secs(1_700_000_000);
    const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    const TEXT_004: &str = "text/plain; version=0.0.4; charset=utf-8";

    fn secs(s: u64) -> Duration {
        T0 + Duration::from_secs(s)
    }

    fn source() -> LiveSource {
        LiveSource::new(URL, Duration::from_secs(10), T0).unwrap()
    }

    /// The target labels of [`URL`], as printed.
    const TARGET: &str = "{instance=\"127.0.0.1:8001\", job=\"treecounter\"}";

    /// Every sample of series named `name` as `{labels} value@seconds`
    /// (seconds since T0), staleness markers as `stale`.
    fn samples(store: &SeriesStore, name: &str) -> Vec<String> {
        let t0 = tinyprom::storage::duration_ms(T0);
        store
            .select(&[Matcher::equal(METRIC_NAME, name)])
            .flat_map(|series| {
                series.samples.iter().map(move |s| {
                    let value = if is_stale_marker(s.f) {
                        "stale".to_owned()
                    } else {
                        s.f.to_string()
                    };
                    format!(
                        "{} {value}@{}",
                        series.labels.labels_text(),
                        (s.t - t0) / 1000
                    )
                })
            })
            .collect()
    }

    /// Runs one scrape due at `at_s`, answered after 20 ms with `answer`;
    /// returns the targets page's error.
    fn scrape(live: &mut LiveSource, at_s: u64, answer: Answer<'_>) -> Option<String> {
        let at = live.tick(secs(at_s)).expect("a scrape is due");
        live.ingest(at, at + Duration::from_millis(20), answer)
            .expect("awaited");
        live.last_scrape().unwrap().error.clone()
    }

    #[test]
    fn scrapes_are_due_every_interval_of_wall_clock_time() {
        let mut live = source();
        assert_eq!(live.tick(T0), Some(T0));
        // In flight: nothing more is due until it is answered.
        assert_eq!(live.tick(secs(5)), None);
        let body = "# TYPE a counter\na_total 1\n# EOF\n";
        let report = live
            .ingest(
                T0,
                T0 + Duration::from_millis(30),
                Answer::ok(OPENMETRICS, body),
            )
            .unwrap();
        assert_eq!((report.samples, report.error), (1, None));
        let last = live.last_scrape().unwrap();
        assert_eq!((last.at, last.duration), (T0, Duration::from_millis(30)));
        assert_eq!(live.tick(secs(9)), None);
        // A late timer: the scrape is stamped when it starts.
        assert_eq!(live.tick(secs(12)), Some(secs(12)));
        live.ingest(secs(12), secs(12), Answer::ok(OPENMETRICS, body));
        assert_eq!(live.tick(secs(21)), None);
        assert_eq!(live.tick(secs(22)), Some(secs(22)));
        assert_eq!(
            samples(live.store(), "a_total"),
            [format!("{TARGET} 1@0"), format!("{TARGET} 1@12")]
        );
    }

    /// A source scraping every 10 s reads the clock every second from 0 to
    /// `until_s` (seconds since T0), and the target answers every scrape
    /// at once; before the tick at `at_s` of each `(at_s, interval_ms)` in
    /// `changes`, the interval is set. Checks what happened, one entry an
    /// event: the second a scrape started, `at_s: interval` after an
    /// accepted change, `at_s: error` after a refused one.
    #[track_caller]
    fn check_interval_changes(changes: &[(u64, u64)], until_s: u64, expect: &[&str]) {
        let mut live = source();
        let mut seen = Vec::new();
        for at_s in 0..=until_s {
            for &(_, interval_ms) in changes.iter().filter(|(change_s, _)| *change_s == at_s) {
                let interval = Duration::from_millis(interval_ms);
                match live.set_scrape_interval(interval, secs(at_s)) {
                    Ok(()) => seen.push(format!("{at_s}: {}s", live.scrape_interval().as_secs())),
                    Err(error) => {
                        assert_eq!(error, ScrapeIntervalError(interval));
                        seen.push(format!("{at_s}: {error}"));
                    }
                }
            }
            if let Some(at) = live.tick(secs(at_s)) {
                seen.push((at - T0).as_secs().to_string());
                live.ingest(at, at, Answer::ok(TEXT_004, "a 1\n"))
                    .expect("awaited");
            }
        }
        assert_eq!(seen, expect);
    }

    #[test]
    fn after_an_interval_change_the_next_scrape_is_one_new_interval_after_the_last() {
        // Unchanged: every 10 s.
        check_interval_changes(&[], 30, &["0", "10", "20", "30"]);
        // Shorter: 5 s after the scrape at 10 s, then every 5 s.
        check_interval_changes(
            &[(12, 5_000)],
            30,
            &["0", "10", "12: 5s", "15", "20", "25", "30"],
        );
        // Longer: the scrape due at 20 s waits until 30 s.
        check_interval_changes(&[(12, 20_000)], 50, &["0", "10", "12: 20s", "30", "50"]);
        // Shorter, when one new interval after the last is past: now, never
        // before (no scrape is owed for the time gone by).
        check_interval_changes(&[(17, 5_000)], 30, &["0", "10", "17: 5s", "17", "22", "27"]);
        // Changed twice between scrapes: the last change counts.
        check_interval_changes(
            &[(12, 5_000), (13, 30_000)],
            45,
            &["0", "10", "12: 5s", "13: 30s", "40"],
        );
        // Out of range: refused, the schedule as it was.
        check_interval_changes(
            &[(12, 0), (13, 999), (14, 301_000)],
            30,
            &[
                "0",
                "10",
                "12: scrape interval must be between 1 s and 300 s, got 0 ms",
                "13: scrape interval must be between 1 s and 300 s, got 999 ms",
                "14: scrape interval must be between 1 s and 300 s, got 301000 ms",
                "20",
                "30",
            ],
        );
    }

    #[test]
    fn an_interval_changed_during_a_scrape_counts_from_that_scrape() {
        let mut live = source();
        assert_eq!(live.tick(T0), Some(T0));
        live.set_scrape_interval(Duration::from_secs(5), secs(1))
            .unwrap();
        live.ingest(T0, secs(2), Answer::ok(TEXT_004, "a 1\n"))
            .unwrap();
        assert_eq!(live.tick(secs(4)), None);
        assert_eq!(live.tick(secs(5)), Some(secs(5)));
        // The time-out follows the interval: cut to 2 s while the scrape
        // at 5 s is in flight, that scrape fails at 7 s, and the next
        // starts then.
        live.set_scrape_interval(Duration::from_secs(2), secs(6))
            .unwrap();
        assert_eq!(live.tick(secs(7)), Some(secs(7)));
        let last = live.last_scrape().unwrap();
        assert_eq!(
            (last.at, last.duration, last.error.as_deref()),
            (
                secs(5),
                Duration::from_secs(2),
                Some("Get \"http://127.0.0.1:8001/metrics\": context deadline exceeded")
            )
        );
        // A refused interval leaves the clock alone too.
        assert!(live.set_scrape_interval(Duration::ZERO, secs(100)).is_err());
        assert_eq!(
            (live.now(), live.scrape_interval()),
            (secs(7), Duration::from_secs(2))
        );
    }

    #[test]
    fn the_format_comes_from_the_content_type() {
        // A timestamp reads as seconds in OpenMetrics, as ms in 0.0.4.
        for (content_type, body, expect) in [
            (OPENMETRICS, "a 1 1700000003\n# EOF\n", "1@3"),
            (TEXT_004, "a 1 1700000003000\n", "1@3"),
            ("text/plain", "a 1 1700000004000\n", "1@4"),
        ] {
            let mut live = source();
            assert_eq!(scrape(&mut live, 0, Answer::ok(content_type, body)), None);
            assert_eq!(
                samples(live.store(), "a"),
                [format!("{TARGET} {expect}")],
                "{content_type}"
            );
        }
    }

    #[test]
    fn a_target_that_gives_no_exposition_is_down_with_prometheus_error() {
        let not_found = Answer::Response {
            status: 404,
            status_text: "Not Found",
            content_type: Some("text/plain"),
            body: "nope",
        };
        let http2 = Answer::Response {
            status: 503,
            status_text: "",
            content_type: None,
            body: "",
        };
        for (answer, expect) in [
            (not_found, "server returned HTTP status 404 Not Found"),
            (http2, "server returned HTTP status 503"),
            (
                Answer::ok("text/html; charset=utf-8", "<p>hi</p>"),
                "received unsupported Content-Type \"text/html; charset=utf-8\" and no fallback_scrape_protocol specified for target",
            ),
            (
                Answer::ok("", "a 1\n"),
                "non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target",
            ),
            (
                Answer::Failed("Failed to fetch"),
                "Get \"http://127.0.0.1:8001/metrics\": Failed to fetch (the browser does not say why: the target may be down, or may not allow this page to read it; app-server allows it with --cors-allow-origin)",
            ),
            (
                Answer::ok(TEXT_004, "a 1\nb{x=\"1} 2\n"),
                "the exposition did not parse: line 2: malformed label set",
            ),
        ] {
            let mut live = source();
            assert_eq!(scrape(&mut live, 0, answer).as_deref(), Some(expect));
            assert_eq!(samples(live.store(), "up"), [format!("{TARGET} 0@0")]);
        }
    }

    #[test]
    fn a_failed_scrape_marks_the_previous_series_stale() {
        let mut live = source();
        scrape(&mut live, 0, Answer::ok(TEXT_004, "a 1\n"));
        scrape(&mut live, 10, Answer::Failed("Failed to fetch"));
        assert_eq!(
            samples(live.store(), "a"),
            [format!("{TARGET} 1@0"), format!("{TARGET} stale@10")]
        );
    }

    #[test]
    fn an_unanswered_scrape_times_out_and_its_late_answer_is_dropped() {
        let mut live = source();
        assert_eq!(live.tick(T0), Some(T0));
        assert_eq!(live.tick(secs(9)), None);
        // An interval later it has failed, and the next one starts.
        assert_eq!(live.tick(secs(10)), Some(secs(10)));
        assert_eq!(
            live.last_scrape().unwrap().error.as_deref(),
            Some("Get \"http://127.0.0.1:8001/metrics\": context deadline exceeded")
        );
        assert_eq!(
            live.ingest(T0, secs(11), Answer::ok(TEXT_004, "a 1\n")),
            None
        );
        assert!(samples(live.store(), "a").is_empty());
    }

    /// `TreeCounterDown`'s state and its alerts as `state since_s
    /// [firing_s]` (seconds since T0).
    fn down_alert(live: &LiveSource) -> String {
        let rule = live
            .alert_rules()
            .rules()
            .find(|rule| rule.name() == "TreeCounterDown")
            .expect("the stack has TreeCounterDown");
        let t0 = tinyprom::storage::duration_ms(T0);
        let mut text = rule.state().as_str().to_owned();
        for alert in rule.alerts() {
            text.push_str(&format!(
                " {}:{}",
                alert.labels.get("instance").unwrap_or_default(),
                (alert.active_at_ms - t0) / 1000
            ));
            if let Some(fired) = alert.fired_at_ms {
                text.push_str(&format!(" fired {}", (fired - t0) / 1000));
            }
        }
        text
    }

    #[test]
    fn a_target_that_fails_for_a_minute_fires_treecounterdown() {
        let mut live = source();
        let unavailable = Answer::Response {
            status: 503,
            status_text: "Service Unavailable",
            content_type: Some("text/plain"),
            body: "",
        };
        // Scraped every 10 s, evaluated every 10 s from T0 (a multiple of
        // the interval): the evaluation at 10 s is the first to see `up`
        // 0 (from the scrape at 0 s); `for: 1m` runs to 70 s.
        let mut seen = Vec::new();
        for at_s in (0..=80).step_by(10) {
            scrape(&mut live, at_s, unavailable);
            seen.push(format!("{at_s} {}", down_alert(&live)));
        }
        assert_eq!(
            seen,
            [
                "0 inactive",
                "10 pending 127.0.0.1:8001:10",
                "20 pending 127.0.0.1:8001:10",
                "30 pending 127.0.0.1:8001:10",
                "40 pending 127.0.0.1:8001:10",
                "50 pending 127.0.0.1:8001:10",
                "60 pending 127.0.0.1:8001:10",
                "70 firing 127.0.0.1:8001:10 fired 70",
                "80 firing 127.0.0.1:8001:10 fired 70",
            ]
            .map(str::to_owned)
        );
        // The `ALERTS` series are in the live store, for the timeline.
        assert_eq!(
            samples(live.store(), "ALERTS").len(),
            9,
            "pending at 10..=60 and a marker at 70, firing at 70 and 80"
        );
        // Between ticks the rules wait for the wall clock, not the scrapes.
        let evaluations = live.evaluations();
        assert_eq!(live.tick(secs(85)), None);
        assert_eq!(live.evaluations(), evaluations);
        live.tick(secs(90));
        assert_eq!(live.evaluations(), evaluations + 1);
    }

    #[test]
    fn after_a_pause_longer_than_the_retention_the_rules_start_afresh() {
        let mut live = source();
        for at_s in (0..=70).step_by(10) {
            scrape(&mut live, at_s, Answer::Failed("Failed to fetch"));
        }
        assert!(down_alert(&live).starts_with("firing"));
        let evaluations = live.evaluations();
        // Two hours later (the simulation was shown meanwhile): one
        // evaluation, not 720, and nothing it read is left.
        scrape(&mut live, 70 + 7200, Answer::ok(TEXT_004, "a 1\n"));
        assert_eq!(live.evaluations(), evaluations + 1);
        assert_eq!(down_alert(&live), "inactive");
    }

    /// What the source keeps of its last answer, as
    /// `at_s content_type: text` or `at_s missing: reason`.
    fn last_answer(live: &LiveSource) -> Option<String> {
        live.last_answer().map(|answer| match answer {
            LastAnswer::Body {
                at,
                content_type,
                text,
                error,
            } => format!(
                "{} {}: {text}{}",
                (*at - T0).as_secs(),
                content_type.as_deref().unwrap_or("none"),
                error
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            ),
            LastAnswer::Missing { at, reason } => {
                format!("{} missing: {reason}", (*at - T0).as_secs())
            }
        })
    }

    #[test]
    fn the_last_body_is_kept_as_received_up_to_a_mebibyte() {
        let mut live = source();
        assert_eq!(last_answer(&live), None);
        scrape(&mut live, 0, Answer::ok(TEXT_004, "a 1\n"));
        assert_eq!(
            last_answer(&live).as_deref(),
            Some("0 text/plain; version=0.0.4; charset=utf-8: a 1\n")
        );
        // A 200 that is no exposition is shown, with why it failed.
        scrape(&mut live, 10, Answer::ok("text/html", "<p>hi</p>"));
        assert_eq!(
            last_answer(&live).as_deref(),
            Some("10 text/html: <p>hi</p> (received unsupported Content-Type \"text/html\" and no fallback_scrape_protocol specified for target)")
        );
        let not_found = Answer::Response {
            status: 404,
            status_text: "Not Found",
            content_type: Some("text/plain"),
            body: "nope",
        };
        scrape(&mut live, 20, not_found);
        assert_eq!(
            last_answer(&live).as_deref(),
            Some("20 missing: server returned HTTP status 404 Not Found")
        );
        // Over 1 MiB: scraped, not kept.
        let big = "a 1\n".repeat(MAX_KEPT_BODY / 4 + 1);
        assert_eq!(scrape(&mut live, 30, Answer::ok(TEXT_004, &big)), None);
        assert_eq!(
            last_answer(&live).as_deref(),
            Some("30 missing: the body is 1048580 bytes, more than the 1048576 (1 MiB) this page keeps to show; it was scraped all the same")
        );
        scrape(&mut live, 40, Answer::ok(TEXT_004, &big[..MAX_KEPT_BODY]));
        assert!(
            matches!(live.last_answer(), Some(LastAnswer::Body { text, .. }) if text.len() == MAX_KEPT_BODY)
        );
        // Unanswered: timed out.
        live.tick(secs(50));
        live.tick(secs(60));
        assert_eq!(
            last_answer(&live).as_deref(),
            Some("50 missing: Get \"http://127.0.0.1:8001/metrics\": context deadline exceeded")
        );
        // Another target has answered nothing yet.
        live.set_target("http://127.0.0.1:9/metrics", secs(61))
            .unwrap();
        assert_eq!(last_answer(&live), None);
    }

    /// What an instant query of `query` at `at_s` answers, one
    /// `{labels} value` a series.
    fn instant(live: &LiveSource, query: &str, at_s: u64) -> Vec<String> {
        let t = tinyprom::storage::duration_ms(secs(at_s));
        let value = tinyprom::promql::api::query(live.store(), query, t, Default::default())
            .expect("the query is valid");
        crate::query::series_lines(&value)
    }

    #[test]
    fn another_host_ends_the_old_target_with_staleness_markers() {
        let mut live = source();
        scrape(&mut live, 0, Answer::ok(TEXT_004, "a 1\n"));
        scrape(&mut live, 10, Answer::ok(TEXT_004, "a 1\n"));
        live.set_target("http://127.0.0.1:9100/metrics", secs(15))
            .unwrap();
        // Gone from queries at once, not five minutes later.
        assert_eq!(instant(&live, "{__name__=~\"a|up\"}", 15), [] as [&str; 0]);
        for name in ["a", "up", "scrape_series_added"] {
            assert_eq!(
                samples(live.store(), name).last(),
                Some(&format!("{TARGET} stale@15")),
                "{name}"
            );
        }
        scrape(&mut live, 15, Answer::ok(TEXT_004, "a 2\n"));
        let new = "{instance=\"127.0.0.1:9100\", job=\"treecounter\"}";
        assert_eq!(
            instant(&live, "{__name__=~\"a|up\"}", 16),
            [format!("a{new} 2"), format!("up{new} 1")]
        );
    }

    #[test]
    fn the_same_host_at_another_path_keeps_its_series_going() {
        let mut live = source();
        scrape(&mut live, 0, Answer::ok(TEXT_004, "a 1\nb 1\n"));
        // The next scrape would be due at 10 s; the change makes it due now.
        live.set_target("http://127.0.0.1:8001/other/metrics?x=1", secs(5))
            .unwrap();
        assert_eq!(live.target().labels_text(), TARGET);
        scrape(&mut live, 5, Answer::ok(TEXT_004, "a 2\n"));
        // No marker between: the scrape at 5 s is stored, and only `b`,
        // gone from it, goes stale, as after any scrape.
        assert_eq!(
            samples(live.store(), "a"),
            [format!("{TARGET} 1@0"), format!("{TARGET} 2@5")]
        );
        assert_eq!(
            samples(live.store(), "up"),
            [format!("{TARGET} 1@0"), format!("{TARGET} 1@5")]
        );
        assert_eq!(
            samples(live.store(), "b"),
            [format!("{TARGET} 1@0"), format!("{TARGET} stale@5")]
        );
        assert_eq!(
            samples(live.store(), "scrape_series_added"),
            [format!("{TARGET} 2@0"), format!("{TARGET} 0@5")]
        );
    }

    #[test]
    fn target_urls_give_the_instance_and_the_visit_url() {
        let live = source();
        assert_eq!(live.target().labels_text(), TARGET);
        assert_eq!(
            live.treecounter_url().as_deref(),
            Some("http://127.0.0.1:8001/treecounter")
        );
        let sub = LiveSource::new(
            "https://example.org/app/metrics",
            Duration::from_secs(10),
            T0,
        )
        .unwrap();
        assert_eq!(sub.target().get("instance"), Some("example.org"));
        assert_eq!(
            sub.treecounter_url().as_deref(),
            Some("https://example.org/app/treecounter")
        );
        let other = LiveSource::new("http://node:9100/stats", Duration::from_secs(10), T0).unwrap();
        assert_eq!(other.treecounter_url(), None);
        for bad in ["metrics", "ftp://x/metrics", "http:///metrics"] {
            assert_eq!(
                LiveSource::new(bad, Duration::from_secs(10), T0).err(),
                Some(UrlError(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn real_visits_are_logged_with_what_the_page_said() {
        let mut live = source();
        let page = |count: &str| {
            format!("<h1>Tree counter</h1>\n<p class=\"count\">{count}</p>\n<p>trees</p>")
        };
        let (shown, unavailable) = (page("1,234,567"), page("unavailable"));
        for body in [&shown, &unavailable] {
            live.record_visit(
                secs(1),
                secs(1) + Duration::from_millis(250),
                Answer::ok("text/html", body),
            );
        }
        live.record_visit(secs(2), secs(2), Answer::Failed("Failed to fetch"));
        let logged: Vec<_> = live
            .visit_log()
            .iter()
            .map(|v| (v.id, v.status, v.upstream_status, v.tree_count, v.latency))
            .collect();
        let latency = Duration::from_millis(250);
        assert_eq!(
            logged,
            [
                (2, 200, 503, None, latency),
                (1, 200, 200, Some(1_234_567), latency)
            ]
        );
        assert!(live
            .visit_error()
            .unwrap()
            .starts_with("Get \"http://127.0.0.1:8001/treecounter\": Failed to fetch"));
    }

    #[test]
    fn pasted_text_is_one_scrape_and_a_bad_line_stores_nothing() {
        let mut store = SeriesStore::default();
        let mut pastes = Pastes::default();
        let first = pastes
            .load(
                "# TYPE a counter\na_total 1\nb 2\n# EOF\n",
                None,
                secs(0),
                &mut store,
            )
            .unwrap();
        assert_eq!((first.samples, first.format), (2, TextFormat::OpenMetrics));
        let second = pastes
            .load("a_total 3\n", None, secs(5), &mut store)
            .unwrap();
        assert_eq!(second.format, TextFormat::Prometheus);
        let error = pastes
            .load("a_total 4\n\n# HELP b\nb two\n", None, secs(9), &mut store)
            .unwrap_err();
        assert_eq!(
            error,
            ParseError {
                line: 4,
                kind: ParseErrorKind::Value
            }
        );
        assert_eq!(error.to_string(), "line 4: expected a sample value");
        let target = "{instance=\"paste\", job=\"pasted\"}";
        assert_eq!(
            samples(&store, "b"),
            [format!("{target} 2@0"), format!("{target} stale@5")]
        );
        assert_eq!(
            samples(&store, "a_total"),
            [format!("{target} 1@0"), format!("{target} 3@5")]
        );
        assert_eq!(samples(&store, "up").len(), 2);
    }
}
