//! The page's alerts section: the failure scenarios that make the stack's
//! alerts fire, and each alerting rule's state over time.
//!
//! A scenario is a toggle over [`PlaygroundAction`]s, so the share link
//! records it like any other action. The timeline is read back from the
//! `ALERTS{alertstate="pending"|"firing"}` series the rule engine writes
//! into the store at each evaluation, as Prometheus's own graph of
//! `ALERTS` would show it.

use std::time::Duration;

use tinyprom::labels::{Matcher, METRIC_NAME};
use tinyprom::rules::{AlertState, ALERTS_METRIC, ALERT_NAME, ALERT_STATE_LABEL};
use tinyprom::storage::{is_stale_marker, SeriesStore};
use treecounter::simulation::DEFAULT_UPSTREAM_ERROR_RATE;

use crate::playground::{Playground, PlaygroundAction};

/// The upstream error rate of the "raise upstream errors" scenario: twice
/// the `TreeCounterUpstreamErrorsHigh` threshold of 30 %.
pub const SCENARIO_UPSTREAM_ERROR_RATE: f64 = 0.6;

/// The traffic a scenario turns on when there is none: an error rate or a
/// latency needs requests to show (with none, the ratio is 0/0 and no
/// alert fires).
pub const SCENARIO_TRAFFIC_RATE: f64 = 2.0;

/// Something that goes wrong on purpose, to watch an alert fire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// The app process stops: scrapes fail, `up` is 0 (`TreeCounterDown`).
    StopApp,
    /// Every page takes 1.5 s more (`TreeCounterSlow`).
    SlowPage,
    /// 60 % of upstream calls fail (`TreeCounterUpstreamErrorsHigh`).
    UpstreamErrors,
}

impl Scenario {
    /// Every scenario, in the order the page offers them.
    pub const ALL: [Scenario; 3] = [
        Scenario::StopApp,
        Scenario::SlowPage,
        Scenario::UpstreamErrors,
    ];

    /// The button's `data-testid`.
    pub fn test_id(self) -> &'static str {
        match self {
            Scenario::StopApp => "scenario-stop-app",
            Scenario::SlowPage => "scenario-slow-page",
            Scenario::UpstreamErrors => "scenario-errors",
        }
    }

    /// The button's text (the same pressed or not: `aria-pressed` says
    /// which).
    pub fn label(self) -> &'static str {
        match self {
            Scenario::StopApp => "Stop the app",
            Scenario::SlowPage => "Slow the page",
            Scenario::UpstreamErrors => "Raise upstream errors",
        }
    }

    /// What it does, and which alert it sets off.
    pub fn help(self) -> &'static str {
        match self {
            Scenario::StopApp => {
                "Requests are refused and scrapes fail (up is 0): TreeCounterDown, after 1m. \
                 Started again, the app counts from zero."
            }
            Scenario::SlowPage => {
                "Every page takes 1.5 s more, so the p90 latency passes 1 s: TreeCounterSlow, after 5m."
            }
            Scenario::UpstreamErrors => {
                "60 % of upstream calls fail: TreeCounterUpstreamErrorsHigh, after 5m."
            }
        }
    }

    /// Whether it is on in `playground`. Upstream errors count as raised
    /// from the scenario's rate up, wherever the slider put them.
    pub fn is_on(self, playground: &Playground) -> bool {
        match self {
            Scenario::StopApp => playground.app_stopped(),
            Scenario::SlowPage => playground.page_slow(),
            Scenario::UpstreamErrors => {
                playground.behaviour().upstream_error_rate() >= SCENARIO_UPSTREAM_ERROR_RATE
            }
        }
    }

    /// The actions that turn it off if it is on, on if it is off (with
    /// [`SCENARIO_TRAFFIC_RATE`] of traffic when a scenario that needs
    /// requests finds none). Errors go back to the workshop's 15 %.
    pub fn toggle(self, playground: &Playground) -> Vec<PlaygroundAction> {
        let on = !self.is_on(playground);
        let mut actions = vec![match self {
            Scenario::StopApp if on => PlaygroundAction::StopApp,
            Scenario::StopApp => PlaygroundAction::StartApp,
            Scenario::SlowPage => PlaygroundAction::SetPageSlow(on),
            Scenario::UpstreamErrors => PlaygroundAction::SetUpstreamErrorRate(if on {
                SCENARIO_UPSTREAM_ERROR_RATE
            } else {
                DEFAULT_UPSTREAM_ERROR_RATE
            }),
        }];
        if on && self != Scenario::StopApp && playground.traffic_rate() == 0.0 {
            actions.push(PlaygroundAction::SetTrafficRate(SCENARIO_TRAFFIC_RATE));
        }
        actions
    }
}

/// A stretch of time an alerting rule had a pending or firing alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateSpan {
    /// Pending or firing.
    pub state: AlertState,
    /// From (ms, the evaluation that first wrote it).
    pub start_ms: i64,
    /// To (ms): the evaluation that no longer wrote it, or one interval
    /// after the last one that did, or the end asked for.
    pub end_ms: i64,
}

/// `spans` as `state start..end` lines, in seconds: how tests write them.
#[cfg(test)]
pub(crate) fn spans_text(spans: &[StateSpan]) -> String {
    spans
        .iter()
        .map(|s| {
            format!(
                "{} {}..{}\n",
                s.state.as_str(),
                s.start_ms / 1000,
                s.end_ms / 1000
            )
        })
        .collect()
}

/// When the alerts of rule `alert` were pending and firing between
/// `start_ms` and `end_ms`, from the rule's `ALERTS` series in `store`:
/// each sample holds its state until the next evaluation,
/// `interval` later, or until a staleness marker says it ended. Pending
/// spans come first, so a drawing puts the firing ones over them (two
/// alerts of one rule can be in both states at once).
pub fn state_spans(
    store: &SeriesStore,
    alert: &str,
    interval: Duration,
    start_ms: i64,
    end_ms: i64,
) -> Vec<StateSpan> {
    let interval_ms = i64::try_from(interval.as_millis())
        .unwrap_or(i64::MAX)
        .max(1);
    let matchers = [
        Matcher::equal(METRIC_NAME, ALERTS_METRIC),
        Matcher::equal(ALERT_NAME, alert),
    ];
    let mut spans: Vec<StateSpan> = Vec::new();
    for state in [AlertState::Pending, AlertState::Firing] {
        let first = spans.len();
        for series in store.select(&matchers) {
            if series.labels.get(ALERT_STATE_LABEL) != Some(state.as_str()) {
                continue;
            }
            let from = series
                .samples
                .partition_point(|s| s.t < start_ms.saturating_sub(interval_ms));
            let mut open: Option<StateSpan> = None;
            for sample in series.samples[from..].iter().take_while(|s| s.t <= end_ms) {
                match open.as_mut() {
                    Some(span) if is_stale_marker(sample.f) => {
                        span.end_ms = span.end_ms.min(sample.t);
                        spans.extend(open.take());
                    }
                    None if is_stale_marker(sample.f) => {}
                    Some(span) if sample.t <= span.end_ms => {
                        span.end_ms = sample.t.saturating_add(interval_ms);
                    }
                    _ => {
                        spans.extend(open.take());
                        open = Some(StateSpan {
                            state,
                            start_ms: sample.t,
                            end_ms: sample.t.saturating_add(interval_ms),
                        });
                    }
                }
            }
            spans.extend(open);
        }
        // Clipped to the window; several alerts' spans may overlap.
        let mut kept = first;
        for i in first..spans.len() {
            let span = StateSpan {
                start_ms: spans[i].start_ms.max(start_ms),
                end_ms: spans[i].end_ms.min(end_ms),
                ..spans[i]
            };
            if span.end_ms > span.start_ms {
                spans[kept] = span;
                kept += 1;
            }
        }
        spans.truncate(kept);
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::PlaygroundConfig;
    use tinyprom::labels::Labels;
    use tinyprom::storage::STALE_NAN;

    fn playground() -> Playground {
        Playground::new(PlaygroundConfig {
            start_unix_time: Duration::from_secs(1_800_000_000),
            seed: 7,
            version: "test".to_owned(),
        })
    }

    #[test]
    fn each_scenario_toggles_with_its_actions() {
        let mut p = playground();
        for scenario in Scenario::ALL {
            assert!(!scenario.is_on(&p), "{scenario:?}");
        }
        // Scenarios that need requests bring traffic when there is none.
        let expected: [(Scenario, &[PlaygroundAction], &[PlaygroundAction]); 3] = [
            (
                Scenario::StopApp,
                &[PlaygroundAction::StopApp],
                &[PlaygroundAction::StartApp],
            ),
            (
                Scenario::SlowPage,
                &[
                    PlaygroundAction::SetPageSlow(true),
                    PlaygroundAction::SetTrafficRate(SCENARIO_TRAFFIC_RATE),
                ],
                &[PlaygroundAction::SetPageSlow(false)],
            ),
            (
                Scenario::UpstreamErrors,
                &[PlaygroundAction::SetUpstreamErrorRate(0.6)],
                &[PlaygroundAction::SetUpstreamErrorRate(0.15)],
            ),
        ];
        for (scenario, on, off) in expected {
            assert_eq!(scenario.toggle(&p), on, "{scenario:?} on");
            for &action in on {
                p.apply(action).unwrap();
            }
            assert!(scenario.is_on(&p), "{scenario:?}");
            assert_eq!(scenario.toggle(&p), off, "{scenario:?} off");
        }
        for scenario in Scenario::ALL {
            for action in scenario.toggle(&p) {
                p.apply(action).unwrap();
            }
            assert!(!scenario.is_on(&p), "{scenario:?}");
        }
        // The slider past the scenario's rate counts as raised.
        p.set_upstream_error_rate(0.9).unwrap();
        assert!(Scenario::UpstreamErrors.is_on(&p));
    }

    /// `state_spans` over one `ALERTS` series per `(state, [(t_s, value)])`,
    /// evaluated every 10 s, as `state start..end` lines in seconds.
    fn check_spans(series: &[(&str, &[(i64, f64)])], window: (i64, i64), expect: &str) {
        let mut store = SeriesStore::new();
        for (i, (state, samples)) in series.iter().enumerate() {
            let labels = Labels::with_name(
                ALERTS_METRIC,
                [
                    (ALERT_NAME, "Down"),
                    (ALERT_STATE_LABEL, *state),
                    ("instance", if i < 2 { "a" } else { "b" }),
                ],
            );
            for &(t, f) in *samples {
                store.append(&labels, t * 1000, f).unwrap();
            }
        }
        let other = Labels::with_name(
            ALERTS_METRIC,
            [(ALERT_NAME, "Other"), (ALERT_STATE_LABEL, "firing")],
        );
        store.append(&other, 0, 1.0).unwrap();
        let spans = state_spans(
            &store,
            "Down",
            Duration::from_secs(10),
            window.0 * 1000,
            window.1 * 1000,
        );
        assert_eq!(spans_text(&spans), expect);
    }

    #[test]
    fn spans_follow_the_alerts_series_and_end_at_staleness() {
        let stale = STALE_NAN;
        // Pending 10..60, firing from 70 until the marker at 100.
        check_spans(
            &[
                (
                    "pending",
                    &[
                        (10, 1.0),
                        (20, 1.0),
                        (30, 1.0),
                        (40, 1.0),
                        (50, 1.0),
                        (60, 1.0),
                        (70, stale),
                    ],
                ),
                ("firing", &[(70, 1.0), (80, 1.0), (90, 1.0), (100, stale)]),
            ],
            (0, 200),
            "pending 10..70\nfiring 70..100\n",
        );
        // Still firing at the end: up to the end asked for; clipped at the
        // start; a gap of more than an interval is two spans.
        check_spans(
            &[
                ("pending", &[(10, 1.0), (20, 1.0), (50, 1.0)]),
                ("firing", &[(70, 1.0), (80, 1.0)]),
            ],
            (15, 85),
            "pending 15..30\npending 50..60\nfiring 70..85\n",
        );
        // Another alert of the same rule firing at once overlaps.
        check_spans(
            &[
                ("pending", &[(10, 1.0), (20, stale)]),
                ("firing", &[]),
                ("firing", &[(10, 1.0), (20, 1.0)]),
            ],
            (0, 100),
            "pending 10..20\nfiring 10..30\n",
        );
        check_spans(&[("pending", &[(500, 1.0)])], (0, 100), "");
    }
}
