use playground_core::{dashboard, markup};
use yew::prelude::*;

use crate::components::{raw, DataVersion};
use crate::hooks::PlaygroundHandle;

/// Props of [`DashboardView`].
#[derive(Properties, PartialEq, Debug)]
pub struct DashboardViewProps {
    /// The playground whose store the panels query.
    pub playground: PlaygroundHandle,
    /// What changed in the store: the panels are evaluated again only then.
    pub version: DataVersion,
    /// The span the panels show, in milliseconds (Grafana's time range).
    pub span_ms: i64,
    /// The end of the graphs' span, on a step: a new point is due when it
    /// moves.
    pub end_ms: i64,
}

/// The stack's Grafana dashboard (`grafana/dashboards/treecounter.json`)
/// evaluated on the page's store. Closed at first: its dozen queries run
/// only while it is open.
#[component]
pub fn DashboardView(props: &DashboardViewProps) -> Html {
    let open = use_state(|| false);
    let html = use_memo((props.version, props.span_ms, props.end_ms, *open), {
        let playground = props.playground.clone();
        move |&(_, span_ms, _, open)| {
            let text = if open {
                playground
                    .read()
                    .map(|p| markup::dashboard(&dashboard::evaluate(&p, span_ms)))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            raw(text)
        }
    });
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    html! {
        <>
            <div class="toolbar">
                <button type="button" class="button" data-testid="dashboard-toggle"
                    aria-expanded={open.to_string()} aria-controls="dashboard-panels" onclick={toggle}>
                    { if *open { "Hide the dashboard" } else { "Show the dashboard" } }
                </button>
            </div>
            <div id="dashboard-panels">{ if *open { (*html).clone() } else { Html::default() } }</div>
        </>
    }
}
