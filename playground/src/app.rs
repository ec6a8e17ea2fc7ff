//! The root component: owns the view settings, drives the simulated clock
//! and hands every component the slice of the playground it shows.

use std::time::Duration;

use playground_core::playground::{GraphSeries, Playground, PlaygroundConfig, Visit};
use tinyprom::storage::duration_ms;
use treecounter::exposition::Format;
use yew::prelude::*;

use crate::components::{
    ExpositionView, GraphPanel, ResetButtons, ScrapeIntervalSelect, TimeControls, TrafficControls,
    VisitButton, VisitLog,
};
use crate::hooks::{use_playground, use_sim_clock, PlaygroundHandle};
use crate::settings::{GraphView, Span, Speed, StartOptions, RATE_RANGE};

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
}

/// The whole page.
#[component]
pub fn App(props: &AppProps) -> Html {
    let playground = use_playground(|| new_playground(props));
    let format = use_state(|| Format::PrometheusText);
    let speed = use_state(|| Speed::X10);
    let paused = use_state(|| props.start.paused);
    let view = use_state(|| GraphView::Rate);
    let span = use_state(|| Span::Minutes5);

    use_sim_clock(speed.factor(), !*paused, {
        let playground = playground.clone();
        Callback::from(move |elapsed: Duration| advance(&playground, elapsed))
    });

    let Some(snapshot) = Snapshot::read(&playground) else {
        return html! {};
    };

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
    let step_ms = duration_ms(span.step());
    // Evaluate on multiples of the step, so the graph only changes when a
    // new point is due, or a scrape came in.
    let end_ms = snapshot.now_ms - snapshot.now_ms.rem_euclid(step_ms);
    let graph = use_memo((*view, *span, snapshot.scrapes, snapshot.resets, end_ms), {
        let playground = playground.clone();
        move |&(view, span, ..)| graph_series(&playground, view, span)
    });

    let on_visit = {
        let playground = playground.clone();
        Callback::from(move |()| {
            playground.update(|p| {
                p.visit();
            })
        })
    };
    let on_format = setter(&format);
    let on_speed = setter(&speed);
    let on_pause = setter(&paused);
    let on_view = setter(&view);
    let on_span = setter(&span);
    let on_step = {
        let playground = playground.clone();
        Callback::from(move |()| {
            let interval = playground.read().map(|p| p.scrape_interval());
            if let Some(interval) = interval {
                advance(&playground, interval);
            }
        })
    };
    let on_scrape_interval = change(&playground, |p, interval: Duration| {
        p.set_scrape_interval(interval).is_ok()
    });
    let on_traffic_rate = change(&playground, |p, rate: f64| p.set_traffic_rate(rate).is_ok());
    let on_error_rate = change(&playground, |p, rate: f64| {
        p.set_upstream_error_rate(rate).is_ok()
    });
    let on_restart = change(&playground, |p, ()| {
        p.restart_app();
        true
    });
    let on_reset = change(&playground, |p, ()| {
        p.reset();
        true
    });

    html! {
        <>
            <header class="topbar">
                <div class="brand">
                    <svg class="logo" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M12 2 5 12h4l-4 6h6v4h2v-4h6l-4-6h4z" />
                    </svg>
                    <div>
                        <h1>{ "Tree counter playground" }</h1>
                        <p class="tagline">
                            { "The workshop app, its " }<code>{ "/metrics" }</code>
                            { " and a Prometheus scraping it, simulated in your browser with the same Rust code as the real server." }
                        </p>
                    </div>
                </div>
            </header>
            <main class="layout">
                <div class="column">
                <section class="panel panel-visit" aria-labelledby="visit-heading">
                    <h2 id="visit-heading"><span class="step-no">{ "1" }</span>{ "Visit the tree counter" }</h2>
                    <p class="help">
                        { "Each visit waits up to 1 s of artificial latency and asks the upstream for the count; 15 % of those calls fail with a simulated 503 (the page still answers 200)." }
                    </p>
                    <VisitButton {on_visit} />
                    <h3>{ "Last requests" }</h3>
                    <VisitLog visits={visits} />
                </section>

                <section class="panel panel-controls" aria-labelledby="sim-heading">
                    <h2 id="sim-heading"><span class="step-no">{ "2" }</span>{ "Run the simulation" }</h2>
                    <TimeControls now={Duration::from_millis(snapshot.now_ms.unsigned_abs())} speed={*speed}
                        paused={*paused} scrape_interval={snapshot.scrape_interval}
                        {on_speed} {on_pause} {on_step} />
                    <ScrapeIntervalSelect interval={snapshot.scrape_interval} on_change={on_scrape_interval} />
                    <TrafficControls rate={snapshot.traffic_rate} error_rate={snapshot.error_rate}
                        on_rate={on_traffic_rate} {on_error_rate} />
                    <ResetButtons {on_restart} {on_reset} />
                </section>
                </div>

                <div class="column">
                <section class="panel panel-graph" aria-labelledby="graph-heading">
                    <h2 id="graph-heading"><span class="step-no">{ "3" }</span>{ "What Prometheus sees" }</h2>
                    <GraphPanel series={graph} view={*view} span={*span}
                        start_ms={end_ms - duration_ms(span.duration())} {end_ms}
                        gap_ms={gap_ms(*view, step_ms, snapshot.scrape_interval)}
                        {on_view} {on_span} />
                </section>

                <section class="panel panel-exposition" aria-labelledby="exposition-heading">
                    <h2 id="exposition-heading"><span class="step-no">{ "4" }</span><code>{ "GET /metrics" }</code></h2>
                    <ExpositionView text={(*exposition).clone()} format={*format} {on_format} />
                </section>
                </div>
            </main>
            <footer class="footer">
                { "Counters, histogram and exposition by prometheus-client; scraping and rate() by the treecounter crate, tested against hand-computed Prometheus results." }
            </footer>
        </>
    }
}

/// What one render needs to know about the playground, read once.
struct Snapshot {
    now_ms: i64,
    changes: u64,
    scrapes: u64,
    resets: u64,
    scrape_interval: Duration,
    traffic_rate: f64,
    error_rate: f64,
}

impl Snapshot {
    fn read(playground: &PlaygroundHandle) -> Option<Self> {
        let p = playground.read()?;
        Some(Snapshot {
            now_ms: duration_ms(p.now()),
            changes: p.changes(),
            scrapes: p.store().changes(),
            // A reset starts counting scrapes again.
            resets: p.resets(),
            scrape_interval: p.scrape_interval(),
            traffic_rate: p.traffic_rate(),
            error_rate: p.behaviour().upstream_error_rate(),
        })
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
        let loaded =
            playground.load_benchmark_history(history, props.start.series, BENCHMARK_TRAFFIC_RATE);
        if let Err(error) = loaded {
            gloo::console::error!(format!("could not load the history: {error}"));
        }
    }
    playground
}

fn advance(playground: &PlaygroundHandle, elapsed: Duration) {
    playground.update(|p| {
        if let Err(error) = p.advance(elapsed) {
            gloo::console::error!(format!("scrape failed: {error}"));
        }
    });
}

fn exposition_text(playground: &PlaygroundHandle, format: Format) -> AttrValue {
    let text = playground.read().map(|p| p.exposition(format));
    match text {
        Some(Ok(text)) => AttrValue::from(text),
        Some(Err(error)) => AttrValue::from(format!("# {error}")),
        None => AttrValue::default(),
    }
}

fn graph_series(playground: &PlaygroundHandle, view: GraphView, span: Span) -> Vec<GraphSeries> {
    let series = playground.read().map(|p| match view {
        GraphView::Rate => p.rate_graph(span.duration(), span.step(), RATE_RANGE),
        GraphView::Counter => p.counter_graph(span.duration()),
    });
    series.unwrap_or_default()
}

/// Lines break across gaps: in the rate graph, a missing evaluation; in the
/// raw counter, more than two missed scrapes.
fn gap_ms(view: GraphView, step_ms: i64, scrape_interval: Duration) -> i64 {
    match view {
        GraphView::Rate => step_ms + step_ms / 2,
        GraphView::Counter => duration_ms(scrape_interval) * 3,
    }
}

/// A callback that stores what it is given into `state`.
fn setter<T: 'static>(state: &UseStateHandle<T>) -> Callback<T> {
    let state = state.clone();
    Callback::from(move |value| state.set(value))
}

/// A callback that applies a change to the playground. The controls only
/// offer valid values, so a refusal (`false`) means the DOM was tampered
/// with: it is logged and changes nothing. (The error's text is not logged:
/// printing its float would pull float formatting into the wasm.)
fn change<T: 'static>(
    playground: &PlaygroundHandle,
    apply: impl Fn(&mut Playground, T) -> bool + 'static,
) -> Callback<T> {
    let playground = playground.clone();
    Callback::from(move |value: T| {
        playground.update(|p| {
            if !apply(p, value) {
                gloo::console::warn!("setting out of range, ignored");
            }
        })
    })
}
