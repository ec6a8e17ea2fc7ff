//! The workshop guide in the page: WORKSHOP.md's sections as steps the
//! page can check by itself, with no Docker and no terminal.
//!
//! Each step says what to do and why, carries the code its section adds
//! (the excerpts of WORKSHOP.md, which `workshop-guide`'s tests hold to the
//! solutions, extracted by `build.rs`), and knows when it is done: from the
//! playground's state (visits made by hand, the scrape interval and the
//! target's last scrape), from an answer typed in, or, for the query
//! exercises, by judging the learner's own query next to the expected one
//! with `workshop_guide::queries` on the in-page engine, so any correct
//! query passes and a wrong one gets a hint.
//!
//! Progress is a set of steps done, kept as a small number: the page stores
//! it in `localStorage` and in share links.

use std::time::Duration;

use tinyprom::labels::{Matcher, METRIC_NAME};
use tinyprom::promql::QueryValue;
use tinyprom::storage::{duration_ms, is_stale_marker, SeriesStore};
use workshop_guide::queries::{exercise_of_section, judge, Evaluate, Exercise};
pub use workshop_guide::report::{Check, Outcome, Report};

use crate::playground::{Playground, PlaygroundAction};

/// A code excerpt of WORKSHOP.md: the code a section adds, as the solution
/// has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeExcerpt {
    /// The section of WORKSHOP.md.
    pub section: u8,
    /// The solution file it is an excerpt of, from the repository root.
    pub path: &'static str,
    /// The code block's language (`rust`, `toml`, `yaml`).
    pub lang: &'static str,
    /// The code.
    pub code: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/guide_code.rs"));

/// The code excerpts of a section, in WORKSHOP.md's order.
pub fn code_of_section(section: u8) -> impl Iterator<Item = &'static CodeExcerpt> {
    CODE.iter()
        .filter(move |excerpt| excerpt.section == section)
}

/// How a step is found done.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Task {
    /// The visitor types an answer; `accepted` are the right ones.
    Answer {
        /// What the input is for, read out by screen readers.
        prompt: &'static str,
        /// The answers taken as right (compared trimmed, ignoring case).
        accepted: &'static [&'static str],
        /// Near misses and what to say about them.
        near: &'static [(&'static str, &'static str)],
    },
    /// Visits by hand (the button), at least this many.
    Visits(usize),
    /// The scrape interval changed from the workshop's 10 s, and the target
    /// scraped since.
    ScrapeIntervalChanged,
    /// A query exercise of WORKSHOP.md, judged on the page's engine.
    Query(&'static str),
}

/// One step of the guide.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// A stable id: progress and the tests name steps by it.
    pub id: &'static str,
    /// WORKSHOP.md's section.
    pub section: u8,
    /// The section's title.
    pub title: &'static str,
    /// What to do.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// How it is found done.
    pub task: Task,
}

/// The workshop's steps in the page, in order.
pub const STEPS: [Step; 6] = [
    Step {
        id: "find-the-counter",
        section: 1,
        title: "Exposing metrics",
        what: "Read the exposition under GET /metrics: every metric the app has, in the text format Prometheus reads. Which metric counts the requests? Type its name as you would query it.",
        why: "Prometheus pulls: every scrape interval it reads this text from /metrics. Everything you query later comes from lines like these.",
        task: Task::Answer {
            prompt: "The metric that counts requests",
            accepted: &["requests_total"],
            near: &[
                (
                    "requests",
                    "that is the family's name in OpenMetrics; its samples, the lines with numbers, are named with _total: that is the name you query",
                ),
                (
                    "request_latency_seconds",
                    "that one times the requests (a histogram); the one that counts them ends in _total",
                ),
            ],
        },
    },
    Step {
        id: "count-visits",
        section: 2,
        title: "Custom metrics",
        what: "Visit the tree counter three times with the button, and watch requests_total{endpoint=\"/treecounter\", status=\"200\"} go up by one each time in the exposition (switch traffic to 0 to see it alone).",
        why: "A counter only goes up: one increment where the page is served, one where the upstream is called, each with its status and endpoint labels.",
        task: Task::Visits(3),
    },
    Step {
        id: "change-scrape-interval",
        section: 3,
        title: "Scraping metrics with Prometheus",
        what: "Prometheus scrapes the app every 10 s (scrape_interval in prometheus.yaml). Set the scrape interval to 5 s and watch the target's last scrape in the Targets view.",
        why: "A scrape is one reading of /metrics at one time: Prometheus only knows the values at those times, so the interval bounds how fine your graphs can be.",
        task: Task::ScrapeIntervalChanged,
    },
    Step {
        id: "error-ratio",
        section: 4,
        title: "Prometheus queries",
        what: "What fraction of the calls to the upstream API failed over the last minute? Write the query (try it in a query panel first if you like), then check it here.",
        why: "A counter's value is a running total since the app started; rate() turns it into a per-second rate over a window, and dividing two rates gives a ratio.",
        task: Task::Query("error-ratio"),
    },
    Step {
        id: "rate-by-endpoint",
        section: 5,
        title: "Dashboards",
        what: "A dashboard panel with one line per endpoint: how many requests each handles per second. Write its query.",
        why: "A Grafana panel is a query evaluated over a time range, one line per series; sum by (endpoint) keeps one series per endpoint.",
        task: Task::Query("rate-by-endpoint"),
    },
    Step {
        id: "p90",
        section: 6,
        title: "Bonus: how slow is it?",
        what: "Over the last minute, how long did nine page views in ten take at most? Use the request_latency_seconds histogram.",
        why: "A histogram counts observations in buckets (le = less or equal); histogram_quantile estimates a percentile from the buckets' rates.",
        task: Task::Query("p90"),
    },
];

/// The exercise a query step is judged against.
pub fn exercise(step: &Step) -> Option<&'static Exercise> {
    match step.task {
        Task::Query(_) => exercise_of_section(step.section),
        _ => None,
    }
}

/// The steps done, one bit per step of [`STEPS`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress(u32);

impl Progress {
    /// Whether step `index` is done.
    pub fn is_done(self, index: usize) -> bool {
        index < STEPS.len() && self.0 & (1 << index) != 0
    }

    /// With step `index` done.
    pub fn with_done(self, index: usize) -> Progress {
        if index < STEPS.len() {
            Progress(self.0 | 1 << index)
        } else {
            self
        }
    }

    /// How many steps are done.
    pub fn count(self) -> usize {
        self.0.count_ones() as usize
    }

    /// As stored: the bits as a decimal number.
    pub fn to_bits(self) -> u32 {
        self.0
    }

    /// From stored bits; bits of steps that do not exist are dropped.
    pub fn from_bits(bits: u32) -> Progress {
        Progress(bits & ((1 << STEPS.len()) - 1))
    }

    /// From stored text (`localStorage`); anything unreadable is no
    /// progress.
    pub fn from_storage(text: &str) -> Progress {
        text.trim()
            .parse()
            .map(Progress::from_bits)
            .unwrap_or_default()
    }
}

/// The steps the playground's state shows done (those found from the page
/// itself; answers and queries are checked when the visitor asks).
pub fn observe(playground: &Playground, progress: Progress) -> Progress {
    STEPS
        .iter()
        .enumerate()
        .filter(|(_, step)| match step.task {
            Task::Visits(n) => visits_by_hand(playground) >= n,
            Task::ScrapeIntervalChanged => scrape_interval_changed(playground),
            Task::Answer { .. } | Task::Query(_) => false,
        })
        .fold(progress, |progress, (index, _)| progress.with_done(index))
}

/// Visits made with the button since the page started that the app
/// answered (the log keeps them, resets included; a press while the app
/// was stopped was refused, and counted nowhere).
pub fn visits_by_hand(playground: &Playground) -> usize {
    let mut stopped = false;
    let mut answered = 0;
    for entry in playground.log() {
        match entry.action {
            PlaygroundAction::StopApp => stopped = true,
            PlaygroundAction::StartApp | PlaygroundAction::RestartApp | PlaygroundAction::Reset => {
                stopped = false;
            }
            PlaygroundAction::Visit if !stopped => answered += 1,
            _ => {}
        }
    }
    answered
}

/// The workshop's scrape interval (prometheus.yaml).
const WORKSHOP_SCRAPE_INTERVAL: Duration = Duration::from_secs(10);

/// Whether the scrape interval is not the workshop's and the target was
/// scraped at it: `up` has a sample after the last change. Either the
/// simulation's or, while live, the real target's: the interval is
/// Prometheus's setting, whichever app it scrapes.
fn scrape_interval_changed(playground: &Playground) -> bool {
    let simulated = playground.simulated_scrape_interval() != WORKSHOP_SCRAPE_INTERVAL
        && playground
            .log()
            .iter()
            .rev()
            .find_map(|entry| match entry.action {
                PlaygroundAction::SetScrapeInterval(_) => Some(entry.at),
                _ => None,
            })
            .is_some_and(|changed_at| scraped_after(playground.simulated_store(), changed_at));
    let live = playground.live().is_some_and(|live| {
        live.scrape_interval() != WORKSHOP_SCRAPE_INTERVAL
            && live
                .interval_changed_at()
                .is_some_and(|changed_at| scraped_after(live.store(), changed_at))
    });
    simulated || live
}

/// Whether a target in `store` was scraped after `at`: its `up` has a
/// sample since (not a staleness marker).
fn scraped_after(store: &SeriesStore, at: Duration) -> bool {
    let at = duration_ms(at);
    let up = [Matcher::equal(METRIC_NAME, "up")];
    // Bound before `up` is dropped: `select` borrows it.
    let scraped = store
        .select(&up)
        .filter_map(|series| series.samples.last())
        .any(|sample| sample.t > at && !is_stale_marker(sample.f));
    scraped
}

/// The verdict on a typed answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Right.
    Right,
    /// Not right, and what to say.
    Wrong(String),
}

/// Judges an answer to an [`Task::Answer`] step.
pub fn check_answer(step: &Step, answer: &str) -> Verdict {
    let Task::Answer { accepted, near, .. } = step.task else {
        return Verdict::Wrong("this step has no answer to type".to_owned());
    };
    let answer = answer.trim();
    if accepted.iter().any(|a| a.eq_ignore_ascii_case(answer)) {
        return Verdict::Right;
    }
    if let Some((_, hint)) = near.iter().find(|(n, _)| n.eq_ignore_ascii_case(answer)) {
        return Verdict::Wrong(format!("Not quite: {hint}."));
    }
    if answer.is_empty() {
        return Verdict::Wrong("Type a metric name from the exposition.".to_owned());
    }
    Verdict::Wrong(format!(
        "{} is not the one: look for the # TYPE line that says counter.",
        tinyprom::labels::quoted(answer)
    ))
}

/// Evaluates queries on the playground's store, all at one instant.
struct StoreEvaluator<'a> {
    playground: &'a Playground,
    t_ms: i64,
}

impl Evaluate for StoreEvaluator<'_> {
    fn evaluate(&mut self, query: &str) -> Result<QueryValue, String> {
        self.playground
            .query(query, self.t_ms)
            .map_err(|error| error.to_string())
    }
}

/// The advice the page gives when there is no data yet, in place of the
/// command-line checker's.
const NO_DATA_FIX: &str = "turn Traffic up, run the clock (60× is quickest) for a simulated minute or two, and check again";

/// Judges the learner's `query` for a query step at the playground's
/// current time, as `cargo check-work` judges it against a real
/// Prometheus; advice that only makes sense in a terminal is replaced by
/// the page's.
pub fn check_query(step: &Step, query: &str, playground: &Playground) -> Report {
    let Some(exercise) = exercise(step) else {
        return Report::default();
    };
    let mut evaluator = StoreEvaluator {
        playground,
        t_ms: duration_ms(playground.now()),
    };
    let mut report = judge(exercise, query, &mut evaluator);
    for check in &mut report.checks {
        if let Outcome::Fail { fix, .. } = &mut check.outcome {
            if check.title == "Prometheus has the data to answer with" {
                *fix = NO_DATA_FIX.to_owned();
            } else if fix.contains("cargo check-work") || fix.contains("Prometheus query page") {
                *fix = "fix the query where the message points; a query panel below shows the error's position".to_owned();
            }
        }
    }
    report
}

/// The first failed check of a report, if any: what to show under the
/// query.
pub fn first_failure(report: &Report) -> Option<&Check> {
    report
        .checks
        .iter()
        .find(|check| matches!(check.outcome, Outcome::Fail { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::PlaygroundConfig;
    use workshop_guide::workshop_md::{locate_excerpt, sections, solution_file, WORKSHOP_MD};

    fn playground() -> Playground {
        Playground::new(PlaygroundConfig {
            start_unix_time: Duration::from_secs(1_800_000_000),
            seed: 3,
            version: "test".to_owned(),
        })
    }

    fn step(id: &str) -> &'static Step {
        STEPS.iter().find(|s| s.id == id).expect("a step")
    }

    fn index(id: &str) -> usize {
        STEPS.iter().position(|s| s.id == id).expect("a step")
    }

    #[test]
    fn the_code_is_workshop_md_s_excerpts_of_the_solutions() {
        let expected: Vec<(u8, String, String, String)> = sections(WORKSHOP_MD)
            .into_iter()
            .filter_map(|s| s.number.map(|n| (n, s.blocks)))
            .flat_map(|(n, blocks)| {
                blocks.into_iter().filter_map(move |b| match b.mark {
                    Some(("from", path)) => {
                        Some((n, path.to_owned(), b.lang.to_owned(), b.code.clone()))
                    }
                    _ => None,
                })
            })
            .collect();
        let built: Vec<(u8, String, String, String)> = CODE
            .iter()
            .map(|c| {
                (
                    c.section,
                    c.path.to_owned(),
                    c.lang.to_owned(),
                    c.code.to_owned(),
                )
            })
            .collect();
        assert_eq!(built, expected);
        for excerpt in CODE {
            if let Some(file) = solution_file(excerpt.path) {
                assert!(
                    locate_excerpt(excerpt.code, file).is_some(),
                    "{} is not an excerpt of {}",
                    excerpt.code,
                    excerpt.path
                );
            }
        }
        // Every section with code in WORKSHOP.md shows some in the page.
        for section in [1, 2, 3, 6] {
            assert!(
                code_of_section(section).next().is_some(),
                "section {section}"
            );
        }
    }

    #[test]
    fn every_query_step_has_its_exercise() {
        for step in STEPS {
            if let Task::Query(id) = step.task {
                assert_eq!(exercise(&step).map(|e| e.id), Some(id));
            }
        }
        let sections: Vec<u8> = STEPS.iter().map(|s| s.section).collect();
        assert_eq!(sections, [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn progress_keeps_only_steps_that_exist() {
        let progress = Progress::default().with_done(0).with_done(4).with_done(99);
        assert!(progress.is_done(0) && progress.is_done(4) && !progress.is_done(1));
        assert_eq!(progress.count(), 2);
        assert_eq!(Progress::from_bits(progress.to_bits()), progress);
        assert_eq!(Progress::from_bits(u32::MAX).count(), STEPS.len());
        assert_eq!(Progress::from_storage(" 17 "), Progress::from_bits(17));
        assert_eq!(Progress::from_storage("junk"), Progress::default());
    }

    #[test]
    fn the_answer_is_the_name_you_query() {
        let find = step("find-the-counter");
        assert_eq!(check_answer(find, " Requests_Total "), Verdict::Right);
        let Verdict::Wrong(hint) = check_answer(find, "requests") else {
            panic!("requests is not the sample name");
        };
        assert!(hint.contains("_total"), "{hint}");
        let Verdict::Wrong(other) = check_answer(find, "up") else {
            panic!("up is not it");
        };
        assert!(other.contains("\"up\""), "{other}");
    }

    #[test]
    fn visits_by_hand_tick_the_visit_step_and_traffic_does_not() {
        let mut p = playground();
        p.apply(PlaygroundAction::SetTrafficRate(5.0))
            .expect("rate");
        p.apply(PlaygroundAction::Advance(Duration::from_secs(60)))
            .expect("advance");
        let visit = index("count-visits");
        assert!(!observe(&p, Progress::default()).is_done(visit));
        // Presses while the app is stopped are refused: they do not count.
        p.apply(PlaygroundAction::StopApp).expect("stop");
        for _ in 0..3 {
            p.apply(PlaygroundAction::Visit).expect("visit");
        }
        assert_eq!(visits_by_hand(&p), 0);
        assert!(!observe(&p, Progress::default()).is_done(visit));
        p.apply(PlaygroundAction::StartApp).expect("start");
        for _ in 0..3 {
            p.apply(PlaygroundAction::Visit).expect("visit");
        }
        assert_eq!(visits_by_hand(&p), 3);
        assert!(observe(&p, Progress::default()).is_done(visit));
    }

    #[test]
    fn the_scrape_step_needs_a_scrape_at_the_new_interval() {
        let mut p = playground();
        let scrape = index("change-scrape-interval");
        p.apply(PlaygroundAction::Advance(Duration::from_secs(30)))
            .expect("advance");
        p.apply(PlaygroundAction::SetScrapeInterval(Duration::from_secs(5)))
            .expect("interval");
        assert!(
            !observe(&p, Progress::default()).is_done(scrape),
            "no scrape yet at 5 s"
        );
        p.apply(PlaygroundAction::Advance(Duration::from_secs(6)))
            .expect("advance");
        assert!(observe(&p, Progress::default()).is_done(scrape));
        // Back at 10 s it is not "changed"; but progress, once made, stays.
        p.apply(PlaygroundAction::SetScrapeInterval(Duration::from_secs(10)))
            .expect("interval");
        assert!(!observe(&p, Progress::default()).is_done(scrape));
        assert!(observe(&p, Progress::default().with_done(scrape)).is_done(scrape));
    }

    #[test]
    fn the_scrape_step_counts_a_live_change_once_the_real_target_is_scraped_at_it() {
        use crate::live::Answer;

        let mut p = playground();
        let scrape = index("change-scrape-interval");
        let t0 = Duration::from_secs(1_700_000_000);
        let secs = |s: u64| t0 + Duration::from_secs(s);
        let answer = Answer::ok("text/plain; version=0.0.4", "a 1\n");
        p.start_live("http://127.0.0.1:8001/metrics", t0)
            .expect("live");
        let at = p.live_tick(t0).expect("first scrape due");
        p.ingest_live(at, at, answer);
        assert!(
            !observe(&p, Progress::default()).is_done(scrape),
            "still 10 s"
        );
        p.set_scrape_interval(Duration::from_secs(5), secs(2))
            .expect("interval");
        assert!(
            !observe(&p, Progress::default()).is_done(scrape),
            "no scrape yet at 5 s"
        );
        let at = p.live_tick(secs(5)).expect("due at 5 s");
        p.ingest_live(at, at, answer);
        assert!(observe(&p, Progress::default()).is_done(scrape));
        // The simulation's interval and log are untouched.
        assert_eq!(p.simulated_scrape_interval(), WORKSHOP_SCRAPE_INTERVAL);
        assert_eq!(p.log(), []);
    }

    #[test]
    fn a_right_query_passes_and_a_known_mistake_gets_its_hint() {
        let mut p = playground();
        p.apply(PlaygroundAction::SetTrafficRate(20.0))
            .expect("rate");
        p.apply(PlaygroundAction::Advance(Duration::from_secs(180)))
            .expect("advance");
        let ratio = step("error-ratio");
        // Any correct query passes, written differently from the reference.
        let right = "sum(rate(requests_total{status=\"503\", endpoint=\"/upstream\"}[1m]))/sum(rate(requests_total{endpoint=~\"/upstream\"}[1m]))";
        let report = check_query(ratio, right, &p);
        assert!(report.is_done(), "{}", report.render());
        let wrong = "sum(rate(requests_total{endpoint=\"/upstream\", status=\"200\"}[1m])) / sum(rate(requests_total{endpoint=\"/upstream\"}[1m]))";
        let report = check_query(ratio, wrong, &p);
        let failure = first_failure(&report).expect("a failure");
        let Outcome::Fail { fix, .. } = &failure.outcome else {
            unreachable!()
        };
        assert!(fix.contains("status=\"503\""), "{fix}");
        // The p90 and the panel too.
        let p90 = "histogram_quantile(0.9, sum by (le) (rate(request_latency_seconds_bucket{endpoint=\"/treecounter\"}[1m])))";
        assert!(check_query(step("p90"), p90, &p).is_done());
        let panel = "sum by (endpoint) (rate(requests_total[1m]))";
        assert!(check_query(step("rate-by-endpoint"), panel, &p).is_done());
    }

    #[test]
    fn with_no_data_the_advice_is_the_page_s() {
        let p = playground();
        let report = check_query(step("error-ratio"), "sum(rate(requests_total[1m]))", &p);
        let failure = first_failure(&report).expect("no data yet");
        let Outcome::Fail { fix, .. } = &failure.outcome else {
            unreachable!()
        };
        assert_eq!(fix, NO_DATA_FIX);
        let broken = check_query(step("error-ratio"), "sum(", &playground_with_traffic());
        let text = broken.render();
        assert!(!text.contains("cargo check-work"), "{text}");
    }

    fn playground_with_traffic() -> Playground {
        let mut p = playground();
        p.apply(PlaygroundAction::SetTrafficRate(10.0))
            .expect("rate");
        p.apply(PlaygroundAction::Advance(Duration::from_secs(120)))
            .expect("advance");
        p
    }
}
