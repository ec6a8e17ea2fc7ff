//! The root component: owns the view settings, drives the simulated clock
//! (or, while live, the real requests on the wall clock) and hands every
//! component the slice of the playground it shows.

use std::time::Duration;

use playground_core::alerts::Scenario;
use playground_core::guide::{Progress, STEPS};
use playground_core::live::ACCEPT;
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
    choice, choice_of, live_panel, raw, raw_static, reset_buttons, scenario_buttons,
    scrape_interval_select, time_controls, traffic_controls, visit_button, visit_log, ChoiceProps,
    DashboardView, DataVersion, ExpositionView, LivePanelProps, PanelEvent, QueryPanel,
    TimeControlsProps, TrafficControlsProps, WorkshopPanel,
};
use crate::fetch::{self, wall_clock};
use crate::hooks::{use_playground, use_sim_clock, use_wall_clock, PlaygroundHandle};
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

    let url_input = use_node_ref();
    let paste_input = use_node_ref();
    let paste_note = use_state(|| None::<Result<String, String>>);
    let snapshot = Snapshot::read(&playground);

    // Simulated time stands still while the live data is shown.
    use_sim_clock(speed.factor(), !*paused && !snapshot.live, {
        let playground = playground.clone();
        Callback::from(move |elapsed: Duration| {
            dispatch(&playground, PlaygroundAction::Advance(elapsed))
        })
    });
    use_wall_clock(snapshot.live, LIVE_TICK_MS, {
        let playground = playground.clone();
        Callback::from(move |now: Duration| live_tick(&playground, now))
    });

    let exposition = use_memo((snapshot.changes, *format), {
        let playground = playground.clone();
        move |&(_, format)| exposition_text(&playground, format)
    });
    let visits = use_memo(snapshot.changes, {
        let playground = playground.clone();
        move |_| {
            let visits: Vec<Visit> = playground
                .read()
                .map(|p| p.visits().copied().collect())
                .unwrap_or_default();
            visit_log(&visits)
        }
    });
    let step_ms = duration_ms(span.step());
    // Graphs evaluate on multiples of the step, so they only change when a
    // new point is due, or a scrape came in.
    let end_ms = snapshot.now_ms - snapshot.now_ms.rem_euclid(step_ms);
    // Alerts change only with the store (a rule's evaluation writes its
    // `ALERTS` series) and their strips move with the graphs' step: a visit
    // alone does not redraw them.
    let alerts = use_memo(
        (
            snapshot.scrapes,
            snapshot.resets,
            snapshot.live,
            *span,
            end_ms,
        ),
        {
            let playground = playground.clone();
            move |&(_, _, _, span, end_ms): &(u64, u64, bool, Span, i64)| -> String {
                playground
                    .read()
                    .map(|p| {
                        let start_ms = end_ms - duration_ms(span.duration());
                        markup::alerts_view(p.alert_rules(), p.store(), start_ms, end_ms)
                    })
                    .unwrap_or_default()
            }
        },
    );
    let version = DataVersion {
        scrapes: snapshot.scrapes,
        resets: snapshot.resets,
        live: snapshot.live,
    };

    let action = |action: fn(()) -> PlaygroundAction| {
        let playground = playground.clone();
        Callback::from(move |()| dispatch(&playground, action(())))
    };
    let on_visit = {
        let playground = playground.clone();
        Callback::from(move |()| {
            if playground.read().is_some_and(|p| p.live().is_some()) {
                live_visit(&playground);
            } else {
                dispatch(&playground, PlaygroundAction::Visit);
            }
        })
    };
    let on_restart = action(|()| PlaygroundAction::RestartApp);
    let on_reset = action(|()| PlaygroundAction::Reset);
    let on_step = {
        let playground = playground.clone();
        Callback::from(move |()| {
            let interval = playground.read().map(|p| p.simulated_scrape_interval());
            if let Some(interval) = interval {
                dispatch(&playground, PlaygroundAction::Advance(interval));
            }
        })
    };
    // Prometheus's setting: the live target's while live, else the
    // simulation's (logged for the share link).
    let on_scrape_interval = {
        let playground = playground.clone();
        Callback::from(move |interval| {
            playground.update(|p| report(p.set_scrape_interval(interval, wall_clock())))
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
            if p.live().is_some() {
                note.set(Some(
                    "A live session cannot be shared: the link holds the simulation.".to_owned(),
                ));
            }
            let state = SharedState {
                seed: p.config().seed,
                start_unix_ms: u64::try_from(p.config().start_unix_time.as_millis()).unwrap_or(0),
                now: p.simulated_now(),
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
    let link_note = (*note).as_deref().map(|text| {
        raw(markup::paragraph(
            " class=\"link-note\" role=\"alert\" data-testid=\"link-note\"",
            text,
        ))
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

    let targets = raw(format!(
        "<h3 id=\"targets-heading\">Targets</h3>\
         <div class=\"targets-wrap\" aria-labelledby=\"targets-heading\">{}</div>",
        playground
            .read()
            .map(|p| markup::targets_view(&p.target(), p.now()))
            .unwrap_or_default()
    ));

    let start_live = {
        let playground = playground.clone();
        let paste_note = paste_note.clone();
        move |url: String| {
            let url = if url.trim().is_empty() {
                "metrics".to_owned()
            } else {
                url.trim().to_owned()
            };
            let absolute = fetch::absolute_url(&url).unwrap_or(url);
            let mut refused = None;
            playground.update(|p| refused = p.start_live(&absolute, wall_clock()).err());
            paste_note.set(refused.map(|error| Err(error.to_string())));
        }
    };
    let live_props = LivePanelProps {
        banner: playground
            .read()
            .map(|p| {
                let live = p.live();
                let visit_url = live.and_then(|live| live.treecounter_url());
                markup::live_banner(
                    live.map(|live| (live.url(), live.scrape_interval(), visit_url.as_deref())),
                )
            })
            .unwrap_or_default(),
        live: snapshot.live,
        server_absent: server_absent(),
        visit_error: playground.read().and_then(|p| {
            p.live()
                .and_then(|live| live.visit_error().map(str::to_owned))
        }),
        url_input: url_input.clone(),
        paste_input: paste_input.clone(),
        paste_note: (*paste_note).clone(),
        on_toggle: {
            let playground = playground.clone();
            let url_input = url_input.clone();
            let start_live = start_live.clone();
            Callback::from(move |()| {
                if snapshot.live {
                    playground.update(|p| p.stop_live());
                } else {
                    start_live(input_value(&url_input));
                }
            })
        },
        on_target: {
            let url_input = url_input.clone();
            Callback::from(move |()| start_live(input_value(&url_input)))
        },
        on_paste: {
            let playground = playground.clone();
            let paste_note = paste_note.clone();
            Callback::from(move |()| {
                let text = paste_input
                    .cast::<web_sys::HtmlTextAreaElement>()
                    .map(|area| area.value())
                    .unwrap_or_default();
                let mut loaded = None;
                playground.update(|p| loaded = Some(p.load_pasted(&text, None)));
                paste_note.set(loaded.map(markup::paste_note));
            })
        },
    };

    html! {
        <>
            { raw_static(markup::BRAND) }
            <main class="layout">
                <div class="column">
                <div class="workshop-slot">{ workshop }</div>
                { live_panel(&live_props) }
                <section class="panel panel-visit" aria-labelledby="visit-heading">
                    { raw_static(markup::VISIT_INTRO) }
                    { visit_button(&on_visit) }
                    { raw_static("<h3>Last requests</h3>") }
                    { (*visits).clone() }
                </section>

                <section class="panel panel-controls" aria-labelledby="sim-heading">
                    { raw_static(markup::SIMULATION_INTRO) }
                    // Disabled while live: the simulation is paused and kept.
                    <fieldset class="sim-controls" disabled={snapshot.live}>
                    { time_controls(&TimeControlsProps {
                        now: snapshot.simulated_now,
                        speed: *speed,
                        paused: *paused,
                        scrape_interval: snapshot.simulated_scrape_interval,
                        on_speed,
                        on_pause,
                        on_step,
                    }) }
                    </fieldset>
                    // Prometheus's setting, not the app's: it stays
                    // enabled while live, for the live target.
                    { scrape_interval_select(snapshot.scrape_interval, &on_scrape_interval) }
                    <fieldset class="sim-controls" disabled={snapshot.live}>
                    { traffic_controls(&TrafficControlsProps {
                        rate: snapshot.traffic_rate,
                        error_rate: snapshot.error_rate,
                        on_rate: on_traffic_rate,
                        on_error_rate,
                    }) }
                    { reset_buttons(&on_restart, &on_reset) }
                    </fieldset>
                    { targets }
                </section>
                </div>

                <div class="column">
                <section class="panel panel-graph" aria-labelledby="graph-heading">
                    { raw_static(markup::QUERY_INTRO) }
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
                    { raw_static(markup::ALERTS_INTRO) }
                    { scenario_buttons(snapshot.scenarios, snapshot.live, &on_scenario) }
                    { raw((*alerts).clone()) }
                </section>

                <section class="panel panel-exposition" aria-labelledby="exposition-heading">
                    { raw_static(markup::EXPOSITION_INTRO) }
                    <ExpositionView text={exposition.1.clone()} format={*format} {on_format}
                        live_note={exposition.0.clone()} />
                </section>
                </div>

                <section class="panel panel-dashboard" aria-labelledby="dashboard-heading">
                    { raw_static(markup::DASHBOARD_INTRO) }
                    <DashboardView playground={playground.clone()} {version}
                        span_ms={duration_ms(span.duration())} {end_ms} />
                </section>
            </main>
            { raw_static(markup::FOOTER) }
        </>
    }
}

/// What one render needs to know about the playground, read once.
#[derive(Default)]
struct Snapshot {
    /// Whether the live data is shown.
    live: bool,
    /// The clock of the data shown (the wall clock while live).
    now_ms: i64,
    simulated_now: Duration,
    changes: u64,
    scrapes: u64,
    resets: u64,
    /// The interval of the data shown (the live target's while live).
    scrape_interval: Duration,
    /// The simulation's, for its single step.
    simulated_scrape_interval: Duration,
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
            live: p.live().is_some(),
            now_ms: duration_ms(p.now()),
            simulated_now: p.simulated_now(),
            changes: p.changes(),
            scrapes: p.store().changes(),
            // A reset starts counting scrapes again.
            resets: p.resets(),
            scrape_interval: p.scrape_interval(),
            simulated_scrape_interval: p.simulated_scrape_interval(),
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

/// What the `GET /metrics` panel shows: the simulated app's answer in
/// `format`, or while live the note and the live target's last answer.
fn exposition_text(
    playground: &PlaygroundHandle,
    format: Format,
) -> (Option<AttrValue>, AttrValue) {
    let Some(p) = playground.read() else {
        return (None, AttrValue::default());
    };
    if let Some(live) = p.live() {
        let (note, text) = markup::live_exposition(live.url(), live.last_answer());
        return (Some(AttrValue::from(note)), AttrValue::from(text));
    }
    let text = if p.app_stopped() {
        Ok(markup::STOPPED_EXPOSITION.to_owned())
    } else {
        p.exposition(format)
    };
    let text = text.unwrap_or_else(|error| format!("# {error}"));
    (None, AttrValue::from(text))
}

/// A callback that stores what it is given into `state`.
fn setter<T: 'static>(state: &UseStateHandle<T>) -> Callback<T> {
    let state = state.clone();
    Callback::from(move |value| state.set(value))
}

/// Applies `action` to the playground (see [`report`] for a refusal).
fn dispatch(playground: &PlaygroundHandle, action: PlaygroundAction) {
    playground.update(|p| report(p.apply(action)));
}

/// Logs why a change was refused. The controls only offer valid values,
/// so a refusal means the DOM was tampered with: it changes nothing. (The
/// error's text is not logged: printing its float would pull float
/// formatting into the wasm.)
fn report(result: Result<(), ActionError>) {
    match result {
        Ok(()) => {}
        Err(ActionError::Advance(_)) => gloo::console::error!("the app's metrics did not encode"),
        Err(_) => gloo::console::warn!("setting out of range, ignored"),
    }
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

/// Wall-clock milliseconds between live mode's ticks: how late a scrape
/// may start, and how often "last scrape … ago" moves.
const LIVE_TICK_MS: u32 = 500;

/// Live mode's clock moved: starts the scrape that is due, if one is, and
/// hands its answer to the playground when it comes.
fn live_tick(playground: &PlaygroundHandle, now: Duration) {
    let mut due = None;
    playground.update(|p| {
        due = p
            .live_tick(now)
            .zip(p.live().map(|live| live.url().to_owned()))
    });
    let Some((at, url)) = due else {
        return;
    };
    let playground = playground.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let fetched = fetch::get(&url, Some(ACCEPT)).await;
        playground.update(|p| {
            p.ingest_live(at, wall_clock(), fetch::answer(&fetched));
        });
    });
}

/// A real `GET /treecounter` beside the live target, logged when answered.
fn live_visit(playground: &PlaygroundHandle) {
    let Some(url) = playground
        .read()
        .and_then(|p| p.live().and_then(|live| live.treecounter_url()))
    else {
        return;
    };
    let playground = playground.clone();
    let at = wall_clock();
    wasm_bindgen_futures::spawn_local(async move {
        let fetched = fetch::get(&url, None).await;
        playground.update(|p| p.record_live_visit(at, wall_clock(), fetch::answer(&fetched)));
    });
}

/// The text in an input field.
fn input_value(input: &NodeRef) -> String {
    input
        .cast::<web_sys::HtmlInputElement>()
        .map(|input| input.value())
        .unwrap_or_default()
}

/// Whether the page's own check (`static/index.html` asks for `healthz`)
/// found no app-server beside it. Unknown yet counts as present: a live
/// scrape of a missing `/metrics` then shows as a down target.
fn server_absent() -> bool {
    gloo::utils::document()
        .get_element_by_id("server-note")
        .and_then(|note| note.get_attribute("data-server"))
        .is_some_and(|server| server == "absent")
}
