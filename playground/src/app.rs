//! The root component: owns the view settings, drives the simulated clock
//! and hands every component the slice of the playground it shows.

use std::time::Duration;

use playground_core::alerts::Scenario;
use playground_core::guide::{Progress, STEPS};
use playground_core::markup;
use playground_core::playground::{
    ActionError, Playground, PlaygroundAction, PlaygroundConfig, Visit, MAX_LOGGED_ACTIONS,
};
use playground_core::query::DEFAULT_QUERY;
use playground_core::share::{self, PanelState, SharedState, MAX_PANELS};
use tinyprom::scrape::MIN_SCRAPE_INTERVAL;
use tinyprom::storage::duration_ms;
use treecounter::exposition::Format;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::components::{
    choice, choice_of, raw, reset_buttons, scenario_buttons, scrape_interval_select, time_controls,
    traffic_controls, visit_button, visit_log, ChoiceProps, DashboardView, DataVersion,
    ExpositionView, PanelEvent, QueryPanel, TimeControlsProps, TrafficControlsProps, WorkshopPanel,
};
use crate::hooks::{use_playground, use_sim_clock, PlaygroundHandle};
use crate::settings::{Span, Speed, StartOptions};
use crate::storage;

/// Requests per simulated second of the benchmark's generated history.
const BENCHMARK_TRAFFIC_RATE: f64 = 5.0;

/// Props of [`App`].
#[derive(Properties, PartialEq, Clone, Debug)]
pub struct AppProps {
    /// How to start (benchmark history, seed, paused).
    pub start: StartOptions,
    /// Wall-clock time at start, ms since the Unix epoch: the simulated tree
    /// count starts from it.
    pub start_unix_ms: f64,
    /// A share link's fragment (after the `#`), or empty.
    #[prop_or_default]
    pub link: AttrValue,
}

/// A query panel on the page: its state and a stable id (for keys).
#[derive(Clone, Debug, PartialEq)]
struct Panel {
    id: u32,
    state: PanelState,
}

/// How the page starts: from a share link, or fresh.
struct Initial {
    playground: Option<Playground>,
    speed: Speed,
    span: Span,
    paused: bool,
    format: Format,
    panels: Vec<Panel>,
    /// The workshop guide's progress.
    guide: Progress,
    /// Why a link was not used, or what it left out.
    note: Option<String>,
}

impl Initial {
    fn new(props: &AppProps) -> Initial {
        let mut note = None;
        if !props.link.is_empty() {
            match share::decode(&props.link) {
                Ok(state) => match state.replay(VERSION) {
                    Ok(playground) => return Initial::shared(playground, state),
                    Err(error) => {
                        note = Some(format!(
                            "This link could not be replayed ({error}); the playground started afresh."
                        ));
                    }
                },
                Err(error) => {
                    note = Some(format!(
                        "This link could not be read: {error}. The playground started afresh."
                    ));
                }
            }
        }
        Initial {
            playground: Some(new_playground(props)),
            speed: Speed::X10,
            span: Span::Minutes5,
            paused: props.start.paused,
            format: Format::PrometheusText,
            panels: vec![Panel {
                id: 0,
                state: PanelState {
                    query: DEFAULT_QUERY.to_owned(),
                    ..PanelState::default()
                },
            }],
            guide: Progress::from_storage(&storage::read_guide_progress()),
            note,
        }
    }

    fn shared(playground: Playground, state: SharedState) -> Initial {
        let panels: Vec<Panel> = state
            .panels
            .into_iter()
            .zip(0..)
            .map(|(state, id)| Panel { id, state })
            .collect();
        Initial {
            playground: Some(playground),
            speed: Speed::from_factor(state.speed).unwrap_or(Speed::X10),
            span: Span::from_secs(state.span_s).unwrap_or(Span::Minutes5),
            paused: state.paused,
            format: if state.openmetrics {
                Format::OpenMetrics
            } else {
                Format::PrometheusText
            },
            panels: if panels.is_empty() {
                vec![Panel {
                    id: 0,
                    state: PanelState::default(),
                }]
            } else {
                panels
            },
            guide: Progress::from_bits(state.guide),
            note: None,
        }
    }
}

/// The version the simulated app reports (and replays links with).
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The whole page.
#[component]
pub fn App(props: &AppProps) -> Html {
    let initial = use_mut_ref(|| Initial::new(props));
    let playground = use_playground(|| {
        initial
            .borrow_mut()
            .playground
            .take()
            .unwrap_or_else(|| new_playground(props))
    });
    let format = use_state(|| initial.borrow().format);
    let speed = use_state(|| initial.borrow().speed);
    let paused = use_state(|| initial.borrow().paused);
    let span = use_state(|| initial.borrow().span);
    let panels = use_state(|| initial.borrow().panels.clone());
    let next_panel_id = use_mut_ref(|| initial.borrow().panels.len() as u32);
    let note = use_state(|| initial.borrow().note.clone());
    let share_link = use_state(|| None::<String>);
    let guide = use_state(|| initial.borrow().guide);
    let guide_open = use_state(|| !storage::guide_closed());
    use_effect_with(*guide, |guide| {
        storage::write_guide_progress(guide.to_bits())
    });

    use_sim_clock(speed.factor(), !*paused, {
        let playground = playground.clone();
        Callback::from(move |elapsed: Duration| {
            dispatch(&playground, PlaygroundAction::Advance(elapsed))
        })
    });

    let snapshot = Snapshot::read(&playground);
    let exposition = use_memo((snapshot.changes, *format), {
        let playground = playground.clone();
        move |&(_, format)| exposition_text(&playground, format)
    });
    let visits = use_memo(snapshot.changes, {
        let playground = playground.clone();
        move |_| -> Vec<Visit> {
            playground
                .read()
                .map(|p| p.visits().copied().collect())
                .unwrap_or_default()
        }
    });
    let alerts = use_memo((snapshot.changes, *span), {
        let playground = playground.clone();
        move |&(_, span): &(u64, Span)| -> String {
            playground
                .read()
                .map(|p| {
                    let now_ms = duration_ms(p.now());
                    let start_ms = now_ms - duration_ms(span.duration());
                    markup::alerts_view(p.alert_rules(), p.store(), start_ms, now_ms)
                })
                .unwrap_or_default()
        }
    });
    let step_ms = duration_ms(span.step());
    // Graphs evaluate on multiples of the step, so they only change when a
    // new point is due, or a scrape came in.
    let end_ms = snapshot.now_ms - snapshot.now_ms.rem_euclid(step_ms);
    let version = DataVersion {
        scrapes: snapshot.scrapes,
        resets: snapshot.resets,
    };

    let action = |action: fn(()) -> PlaygroundAction| {
        let playground = playground.clone();
        Callback::from(move |()| dispatch(&playground, action(())))
    };
    let on_visit = action(|()| PlaygroundAction::Visit);
    let on_restart = action(|()| PlaygroundAction::RestartApp);
    let on_reset = action(|()| PlaygroundAction::Reset);
    let on_step = {
        let playground = playground.clone();
        Callback::from(move |()| {
            let interval = playground.read().map(|p| p.scrape_interval());
            if let Some(interval) = interval {
                dispatch(&playground, PlaygroundAction::Advance(interval));
            }
        })
    };
    let on_scrape_interval = {
        let playground = playground.clone();
        Callback::from(move |interval| {
            dispatch(&playground, PlaygroundAction::SetScrapeInterval(interval))
        })
    };
    let on_traffic_rate = {
        let playground = playground.clone();
        Callback::from(move |rate| dispatch(&playground, PlaygroundAction::SetTrafficRate(rate)))
    };
    let on_error_rate = {
        let playground = playground.clone();
        Callback::from(move |rate| {
            dispatch(&playground, PlaygroundAction::SetUpstreamErrorRate(rate))
        })
    };
    let on_scenario = {
        let playground = playground.clone();
        Callback::from(move |scenario: Scenario| {
            let actions = playground.read().map(|p| scenario.toggle(&p));
            for action in actions.into_iter().flatten() {
                dispatch(&playground, action);
            }
        })
    };
    let on_format = setter(&format);
    let on_speed = setter(&speed);
    let on_pause = setter(&paused);
    let on_span = setter(&span);

    let on_panel = {
        let panels = panels.clone();
        Callback::from(move |event: PanelEvent| {
            let mut list = (*panels).clone();
            match event {
                PanelEvent::Change(id, state) => {
                    if let Some(panel) = list.iter_mut().find(|p| p.id == id) {
                        panel.state = state;
                    }
                }
                PanelEvent::Remove(id) => {
                    if list.len() > 1 {
                        list.retain(|p| p.id != id);
                    }
                }
                PanelEvent::Move(id, by) => {
                    if let Some(at) = list.iter().position(|p| p.id == id) {
                        let to = at.saturating_add_signed(by).min(list.len() - 1);
                        list.swap(at, to);
                    }
                }
            }
            panels.set(list);
        })
    };
    let on_add = {
        let panels = panels.clone();
        let next_panel_id = next_panel_id.clone();
        Callback::from(move |_: MouseEvent| {
            if panels.len() >= MAX_PANELS {
                return;
            }
            let mut list = (*panels).clone();
            let id = *next_panel_id.borrow();
            *next_panel_id.borrow_mut() = id + 1;
            list.push(Panel {
                id,
                state: PanelState::default(),
            });
            panels.set(list);
        })
    };
    let on_share = {
        let playground = playground.clone();
        let share_link = share_link.clone();
        let note = note.clone();
        let view = (*speed, *span, *paused, *format);
        let panel_states: Vec<PanelState> = panels.iter().map(|p| p.state.clone()).collect();
        let guide = *guide;
        Callback::from(move |_: MouseEvent| {
            let Some(p) = playground.read() else {
                return;
            };
            let (speed, span, paused, format) = view;
            let state = SharedState {
                seed: p.config().seed,
                start_unix_ms: u64::try_from(p.config().start_unix_time.as_millis()).unwrap_or(0),
                now: p.now(),
                log: p.log().to_vec(),
                speed: speed.factor() as u32,
                span_s: span.duration().as_secs() as u32,
                paused,
                openmetrics: format == Format::OpenMetrics,
                panels: panel_states.clone(),
                guide: guide.to_bits(),
            };
            if !p.log_is_complete() {
                note.set(Some(format!(
                    "The link holds the first {MAX_LOGGED_ACTIONS} things you did; what came after is not in it."
                )));
            }
            let link = share::encode(&state);
            share_link.set(Some(publish_link(&link)));
        })
    };

    let panel_count = panels.len();
    let panel_views = panels.iter().enumerate().map(|(index, panel)| {
        html! {
            <QueryPanel key={panel.id} id={panel.id} {index} count={panel_count} state={panel.state.clone()}
                playground={playground.clone()} {version} now_ms={snapshot.now_ms} {end_ms} span={*span}
                on_event={on_panel.clone()} />
        }
    });
    let (spans, span_index, on_span) = choice_of(&Span::ALL, *span, Span::label, &on_span);
    let link_note = (*note).clone().map(|text| {
        html! { <p class="link-note" role="alert" data-testid="link-note">{ text }</p> }
    });
    let share_view = (*share_link).clone().map(|link| {
        html! {
            <label class="share-field">{ "Link to this page as it is now " }
                <input type="text" readonly=true value={link} data-testid="share-link"
                    onfocus={Callback::from(|event: FocusEvent| {
                        let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                        input.select();
                    })} />
            </label>
        }
    });

    let on_guide_progress = setter(&guide);
    let set_guide_open = {
        let guide_open = guide_open.clone();
        move |open: bool| {
            storage::set_guide_closed(!open);
            guide_open.set(open);
        }
    };
    let on_guide_close = {
        let set_guide_open = set_guide_open.clone();
        Callback::from(move |()| set_guide_open(false))
    };
    let on_guide_open = Callback::from(move |_: MouseEvent| set_guide_open(true));
    let workshop = if *guide_open {
        html! {
            <WorkshopPanel playground={playground.clone()} progress={*guide}
                on_progress={on_guide_progress} on_close={on_guide_close} />
        }
    } else {
        html! {
            <button type="button" class="button guide-open" data-testid="workshop-open" onclick={on_guide_open}>
                { format!("Workshop guide ({} of {} done)", guide.count(), STEPS.len()) }
            </button>
        }
    };

    let targets = raw(playground
        .read()
        .map(|p| markup::targets_view(&p.target(), p.now()))
        .unwrap_or_default());

    html! {
        <>
            <header class="topbar">{ static_html(markup::BRAND) }</header>
            <main class="layout">
                <div class="column">
                <div class="workshop-slot">{ workshop }</div>
                <section class="panel panel-visit" aria-labelledby="visit-heading">
                    { static_html(markup::VISIT_INTRO) }
                    { visit_button(&on_visit) }
                    <h3>{ "Last requests" }</h3>
                    { visit_log(&visits) }
                </section>

                <section class="panel panel-controls" aria-labelledby="sim-heading">
                    { static_html(markup::SIMULATION_INTRO) }
                    { time_controls(&TimeControlsProps {
                        now: Duration::from_millis(snapshot.now_ms.unsigned_abs()),
                        speed: *speed,
                        paused: *paused,
                        scrape_interval: snapshot.scrape_interval,
                        on_speed,
                        on_pause,
                        on_step,
                    }) }
                    { scrape_interval_select(snapshot.scrape_interval, &on_scrape_interval) }
                    { traffic_controls(&TrafficControlsProps {
                        rate: snapshot.traffic_rate,
                        error_rate: snapshot.error_rate,
                        on_rate: on_traffic_rate,
                        on_error_rate,
                    }) }
                    { reset_buttons(&on_restart, &on_reset) }
                    <h3 id="targets-heading">{ "Targets" }</h3>
                    <div class="targets-wrap" aria-labelledby="targets-heading">{ targets }</div>
                </section>
                </div>

                <div class="column">
                <section class="panel panel-graph" aria-labelledby="graph-heading">
                    { static_html(markup::QUERY_INTRO) }
                    <div class="toolbar">
                        { choice(&ChoiceProps {
                            legend: "Graphs show the last".into(),
                            name: "graph-span".into(),
                            options: spans,
                            selected: span_index,
                            on_change: on_span,
                        }) }
                        <button type="button" class="button" data-testid="share" onclick={on_share}>{ "Copy link" }</button>
                    </div>
                    <div class="share-slot">{ for share_view }{ for link_note }</div>
                    { for panel_views }
                    <button type="button" class="button add-panel" data-testid="add-query" onclick={on_add}
                        disabled={panel_count >= MAX_PANELS}>{ "Add query" }</button>
                </section>

                <section class="panel panel-alerts" aria-labelledby="alerts-heading">
                    { static_html(markup::ALERTS_INTRO) }
                    { scenario_buttons(snapshot.scenarios, &on_scenario) }
                    { raw((*alerts).clone()) }
                </section>

                <section class="panel panel-exposition" aria-labelledby="exposition-heading">
                    { static_html(markup::EXPOSITION_INTRO) }
                    <ExpositionView text={(*exposition).clone()} format={*format} {on_format} />
                </section>
                </div>

                <section class="panel panel-dashboard" aria-labelledby="dashboard-heading">
                    { static_html(markup::DASHBOARD_INTRO) }
                    <DashboardView playground={playground.clone()} {version}
                        span_ms={duration_ms(span.duration())} {end_ms} />
                </section>
            </main>
            <footer class="footer">
                { "Counters, histogram and exposition by prometheus-client; scraping and PromQL by the tinyprom crate, checked against a real Prometheus." }
            </footer>
        </>
    }
}

/// Fixed markup from [`markup`].
fn static_html(html: &'static str) -> Html {
    Html::from_html_unchecked(AttrValue::Static(html))
}

/// What one render needs to know about the playground, read once.
#[derive(Default)]
struct Snapshot {
    now_ms: i64,
    changes: u64,
    scrapes: u64,
    resets: u64,
    scrape_interval: Duration,
    traffic_rate: f64,
    error_rate: f64,
    /// Whether each of [`Scenario::ALL`] is on.
    scenarios: [bool; 3],
}

impl Snapshot {
    /// The playground's state; defaults in the instant it is being changed
    /// (which a single-threaded page never sees).
    fn read(playground: &PlaygroundHandle) -> Self {
        let Some(p) = playground.read() else {
            return Snapshot::default();
        };
        Snapshot {
            now_ms: duration_ms(p.now()),
            changes: p.changes(),
            scrapes: p.store().changes(),
            // A reset starts counting scrapes again.
            resets: p.resets(),
            scrape_interval: p.scrape_interval(),
            traffic_rate: p.traffic_rate(),
            error_rate: p.behaviour().upstream_error_rate(),
            scenarios: Scenario::ALL.map(|scenario| scenario.is_on(&p)),
        }
    }
}

fn new_playground(props: &AppProps) -> Playground {
    let start_unix_time =
        Duration::try_from_secs_f64(props.start_unix_ms / 1000.0).unwrap_or_default();
    let mut playground = Playground::new(PlaygroundConfig {
        start_unix_time,
        seed: props.start.seed.unwrap_or(props.start_unix_ms as u64),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    });
    if let Some(history) = props.start.history {
        let loaded = playground.load_benchmark_history(
            history,
            props.start.series,
            BENCHMARK_TRAFFIC_RATE,
            MIN_SCRAPE_INTERVAL,
        );
        if let Err(error) = loaded {
            gloo::console::error!(format!("could not load the history: {error}"));
        }
    }
    playground
}

fn exposition_text(playground: &PlaygroundHandle, format: Format) -> AttrValue {
    let text = playground.read().map(|p| {
        if p.app_stopped() {
            return Ok(markup::STOPPED_EXPOSITION.to_owned());
        }
        p.exposition(format)
    });
    match text {
        Some(Ok(text)) => AttrValue::from(text),
        Some(Err(error)) => AttrValue::from(format!("# {error}")),
        None => AttrValue::default(),
    }
}

/// A callback that stores what it is given into `state`.
fn setter<T: 'static>(state: &UseStateHandle<T>) -> Callback<T> {
    let state = state.clone();
    Callback::from(move |value| state.set(value))
}

/// Applies `action` to the playground. The controls only offer valid
/// values, so a refusal means the DOM was tampered with: it is logged and
/// changes nothing. (The error's text is not logged: printing its float
/// would pull float formatting into the wasm.)
fn dispatch(playground: &PlaygroundHandle, action: PlaygroundAction) {
    playground.update(|p| match p.apply(action) {
        Ok(()) => {}
        Err(ActionError::Advance(_)) => gloo::console::error!("the app's metrics did not encode"),
        Err(_) => gloo::console::warn!("setting out of range, ignored"),
    });
}

/// Puts `fragment` in the address bar (without a new history entry) and
/// on the clipboard where the page may write it; returns the whole link.
fn publish_link(fragment: &str) -> String {
    let window = gloo::utils::window();
    let location = window.location();
    let base = format!(
        "{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default()
    );
    let link = format!("{base}#{fragment}");
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&link));
    }
    // `navigator.clipboard` only exists on secure origins (https, localhost).
    let navigator = window.navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|clipboard| !clipboard.is_undefined());
    if has_clipboard {
        let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
        let _ = navigator.clipboard().write_text(&link).catch(&ignore);
        ignore.forget();
    }
    link
}
