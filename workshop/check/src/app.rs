//! Talking to the learner's app: scraping `/metrics` and visiting
//! `/treecounter`, as the checks of sections 1, 2 and 6 need, and the
//! steady traffic of `workshop-check traffic`.

use std::time::{Duration, Instant};

use workshop_guide::app_checks::{AppProbe, Visits};
use workshop_guide::exposition::Scrape;
use workshop_guide::report::Failure;

use crate::http::{self, BaseUrl, HttpError};

/// What Prometheus 2 sends when it scrapes, so the app answers the checker
/// as it would answer Prometheus.
const SCRAPE_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// A visit takes up to a second of artificial latency.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What to say when the app does not answer at all.
pub fn unreachable(base: &BaseUrl, error: &HttpError) -> Failure {
    if error.is_connect() {
        Failure::new(
            error.to_string(),
            format!(
                "start your app in another terminal, `cargo run -p workshop-app`, and leave it running{}",
                if base.to_string() == crate::DEFAULT_APP {
                    String::new()
                } else {
                    format!(" (on {base}: --app says where the checker looks)")
                }
            ),
        )
    } else {
        Failure::new(
            error.to_string(),
            "look at your app's terminal for an error",
        )
    }
}

/// `GET /metrics`.
pub fn scrape(base: &BaseUrl) -> Result<Scrape, HttpError> {
    let response = http::get(base, "/metrics", Some(SCRAPE_ACCEPT), TIMEOUT)?;
    Ok(Scrape {
        status: response.status,
        content_type: response.header("content-type").map(str::to_owned),
        body: response.text(),
    })
}

/// How one visit to `/treecounter` went.
#[derive(Debug)]
enum Visit {
    /// The page showed the count.
    Count,
    /// The page said the count was unavailable (the upstream failed).
    Unavailable,
    /// A 200 page the checker does not recognise.
    Other,
    /// Not a 200, or no answer.
    Failed(String),
}

fn visit(base: &BaseUrl) -> (Visit, Duration) {
    let started = Instant::now();
    let outcome = match http::get(base, "/treecounter", None, TIMEOUT) {
        Ok(response) if response.status == 200 => {
            let page = response.text();
            if page.contains("class=\"count\">unavailable<") {
                Visit::Unavailable
            } else if page.contains("class=\"count\">") {
                Visit::Count
            } else {
                Visit::Other
            }
        }
        Ok(response) => Visit::Failed(format!("HTTP {} {}", response.status, response.reason)),
        Err(error) => Visit::Failed(error.to_string()),
    };
    (outcome, started.elapsed())
}

/// `count` visits to `/treecounter`, all at once.
pub fn visit_many(base: &BaseUrl, count: u32) -> Visits {
    let outcomes: Vec<(Visit, Duration)> = std::thread::scope(|scope| {
        let visits: Vec<_> = (0..count).map(|_| scope.spawn(|| visit(base))).collect();
        visits
            .into_iter()
            .map(|visit| {
                visit.join().unwrap_or((
                    Visit::Failed("the visit panicked".to_owned()),
                    Duration::ZERO,
                ))
            })
            .collect()
    });
    let mut visits = Visits {
        sent: count,
        unavailable: Some(0),
        ..Visits::default()
    };
    for (outcome, took) in outcomes {
        visits.longest = visits.longest.max(took);
        match outcome {
            Visit::Count => visits.answered_ok += 1,
            Visit::Unavailable => {
                visits.answered_ok += 1;
                visits.unavailable = visits.unavailable.map(|n| n + 1);
            }
            Visit::Other => {
                visits.answered_ok += 1;
                visits.unavailable = None;
            }
            Visit::Failed(error) => {
                if !visits.errors.contains(&error) && visits.errors.len() < 3 {
                    visits.errors.push(error);
                }
            }
        }
    }
    visits
}

/// Scrapes, visits `visits` times (none for section 1), scrapes again.
pub fn probe(base: &BaseUrl, visits: u32) -> Result<AppProbe, Failure> {
    let before = scrape(base).map_err(|error| unreachable(base, &error))?;
    let visits = if visits == 0 {
        Visits::default()
    } else {
        visit_many(base, visits)
    };
    let after = scrape(base).map_err(|error| unreachable(base, &error))?;
    Ok(AppProbe {
        before,
        after,
        visits,
    })
}

/// Running totals of `workshop-check traffic`.
#[derive(Debug, Default)]
struct Tally {
    count: u64,
    unavailable: u64,
    failed: u64,
    errors: Vec<String>,
}

impl Tally {
    fn add(&mut self, visit: Visit) {
        match visit {
            Visit::Count | Visit::Other => self.count += 1,
            Visit::Unavailable => self.unavailable += 1,
            Visit::Failed(error) => {
                self.failed += 1;
                if !self.errors.contains(&error) && self.errors.len() < 3 {
                    self.errors.push(error);
                }
            }
        }
    }

    fn line(&mut self) -> String {
        let errors = if self.errors.is_empty() {
            String::new()
        } else {
            format!(": {}", self.errors.join("; "))
        };
        self.errors.clear();
        format!(
            "{} pages showed the count, {} said it was unavailable (the upstream failed), {} visits failed{errors}",
            self.count, self.unavailable, self.failed
        )
    }
}

/// Visits the app `per_second` times a second, printing a summary every
/// ten seconds, for `seconds` seconds or until interrupted. Returns how
/// many visits failed.
pub fn traffic(base: &BaseUrl, per_second: u32, seconds: Option<u64>) -> u64 {
    let started = Instant::now();
    let interval = Duration::from_secs_f64(1.0 / f64::from(per_second.max(1)));
    let (sender, receiver) = std::sync::mpsc::channel::<Visit>();
    let mut next_visit = started;
    let mut next_report = started + Duration::from_secs(10);
    let mut tally = Tally::default();
    eprintln!(
        "visiting {base}/treecounter {per_second} times a second{}; Ctrl-C stops",
        seconds.map(|s| format!(" for {s} s")).unwrap_or_default()
    );
    loop {
        let now = Instant::now();
        if seconds.is_some_and(|s| now.duration_since(started) >= Duration::from_secs(s)) {
            break;
        }
        while now >= next_visit {
            let sender = sender.clone();
            let base = base.clone();
            std::thread::spawn(move || {
                let _ = sender.send(visit(&base).0);
            });
            next_visit += interval;
        }
        while let Ok(visit) = receiver.try_recv() {
            tally.add(visit);
        }
        if now >= next_report {
            eprintln!(
                "{:>4} s: {}",
                now.duration_since(started).as_secs(),
                tally.line()
            );
            next_report += Duration::from_secs(10);
        }
        std::thread::sleep(
            (next_visit - Instant::now().min(next_visit)).min(Duration::from_millis(100)),
        );
    }
    // Wait for the visits in flight, so that /metrics counts all of them.
    drop(sender);
    for visit in receiver {
        tally.add(visit);
    }
    eprintln!("done: {}", tally.line());
    tally.failed
}
