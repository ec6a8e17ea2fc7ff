use std::rc::Rc;

use playground_core::playground::GraphSeries;
use yew::prelude::*;

use crate::components::{choice_of, Choice, Legend, LineChart};
use crate::settings::{GraphView, Span};

/// Props of [`GraphPanel`].
#[derive(Properties, PartialEq, Debug)]
pub struct GraphPanelProps {
    /// The series of the current view.
    pub series: Rc<Vec<GraphSeries>>,
    /// Which graph this is.
    pub view: GraphView,
    /// How much history it covers.
    pub span: Span,
    /// Left edge of the time axis, ms on the simulated clock.
    pub start_ms: i64,
    /// Right edge of the time axis.
    pub end_ms: i64,
    /// Break lines across gaps longer than this.
    pub gap_ms: i64,
    /// Called when the visitor switches graph.
    pub on_view: Callback<GraphView>,
    /// Called when the visitor picks another span.
    pub on_span: Callback<Span>,
}

/// The graph of what the simulated Prometheus scraped: the rate, or the raw
/// counter, with its query, span choice and legend.
#[component]
pub fn GraphPanel(props: &GraphPanelProps) -> Html {
    let labels = use_memo(props.series.clone(), |series| {
        series
            .iter()
            .map(|s| s.labels.labels_text())
            .collect::<Vec<_>>()
    });
    let (views, view, on_view) = choice_of(
        &GraphView::ALL,
        props.view,
        GraphView::label,
        &props.on_view,
    );
    let (spans, span, on_span) = choice_of(&Span::ALL, props.span, Span::label, &props.on_span);
    let (query, chart) = match props.view {
        GraphView::Rate => (
            "rate(requests_total[1m])",
            html! {
                <LineChart series={props.series.clone()} start_ms={props.start_ms} end_ms={props.end_ms}
                    unit="/s" title="rate(requests_total[1m]) per series, requests per second"
                    testid="rate-graph" gap_ms={Some(props.gap_ms)}
                    empty_note="Waiting for two scrapes within a minute…" />
            },
        ),
        GraphView::Counter => (
            "requests_total",
            html! {
                <LineChart series={props.series.clone()} start_ms={props.start_ms} end_ms={props.end_ms}
                    height={200.0} title="requests_total per series, as scraped"
                    testid="counter-graph" gap_ms={Some(props.gap_ms)}
                    empty_note="Waiting for the first scrape…" />
            },
        ),
    };
    html! {
        <div class="graph-panel">
            <div class="toolbar">
                <Choice legend="Graph" name="graph-view" options={views} selected={view} on_change={on_view} />
                <Choice legend="Last" name="graph-span" options={spans} selected={span} on_change={on_span} />
            </div>
            <p class="query"><span class="visually-hidden">{ "Query: " }</span><code>{ query }</code></p>
            { chart }
            <Legend labels={labels} />
        </div>
    }
}
