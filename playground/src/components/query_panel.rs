use std::rc::Rc;

use playground_core::markup;
use playground_core::playground::GraphSeries;
use playground_core::query::{
    clock, explain_query, graph_lines, stack, table, Explained, Table, EXAMPLES,
};
use playground_core::share::{PanelState, Tab};
use tinyprom::storage::duration_ms;
use yew::prelude::*;

use crate::components::{
    choice, choice_of, legend, raw, raw_static, ChoiceProps, ExplainView, LineChart, QueryEditor,
};
use crate::hooks::PlaygroundHandle;
use crate::settings::Span;
use crate::storage;

/// What a panel asks of the page.
#[derive(Clone, Debug, PartialEq)]
pub enum PanelEvent {
    /// The panel's state changed (a query run, a tab chosen, …).
    Change(u32, PanelState),
    /// Remove the panel.
    Remove(u32),
    /// Move the panel up (-1) or down (+1).
    Move(u32, isize),
}

/// What changed in the store, so results are computed again only then.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct DataVersion {
    /// Changes to the series store (scrapes).
    pub scrapes: u64,
    /// Resets of the playground.
    pub resets: u64,
    /// Whether the data is the live store rather than the simulated one.
    pub live: bool,
}

/// Props of [`QueryPanel`].
#[derive(Properties, PartialEq, Debug)]
pub struct QueryPanelProps {
    /// Stable id of the panel.
    pub id: u32,
    /// Position on the page, from 0.
    pub index: usize,
    /// How many panels there are.
    pub count: usize,
    /// The query, tab and options.
    pub state: PanelState,
    /// The data.
    pub playground: PlaygroundHandle,
    /// When the data last changed.
    pub version: DataVersion,
    /// The simulated time the table and explain view evaluate at, ms.
    pub now_ms: i64,
    /// The graph's right edge (a multiple of its step), ms.
    pub end_ms: i64,
    /// The graph's span.
    pub span: Span,
    /// Where the panel reports what the visitor did.
    pub on_event: Callback<PanelEvent>,
}

/// One query panel, as on Prometheus's graph page: the editor, a run
/// button, examples, and the result as a graph, a table, or explained.
#[component]
pub fn QueryPanel(props: &QueryPanelProps) -> Html {
    let draft = use_state(|| props.state.query.clone());
    // A query set from outside (an example, a shared link) replaces the draft.
    use_effect_with(props.state.query.clone(), {
        let draft = draft.clone();
        move |query| draft.set(query.clone())
    });

    let id = props.id;
    let state = props.state.clone();
    let on_event = props.on_event.clone();
    let change = move |new: PanelState| on_event.emit(PanelEvent::Change(id, new));
    let change = Rc::new(change);

    let run = {
        let draft = draft.clone();
        let state = state.clone();
        let change = change.clone();
        Callback::from(move |()| {
            storage::remember(&draft);
            change(PanelState {
                query: (*draft).clone(),
                ..state.clone()
            });
        })
    };
    let on_input = {
        let draft = draft.clone();
        Callback::from(move |text: String| draft.set(text))
    };
    let on_run_click = run.reform(|_: MouseEvent| ());
    let (tabs, tab, on_tab) = choice_of(&Tab::ALL, state.tab, tab_label, &{
        let state = state.clone();
        let change = change.clone();
        Callback::from(move |tab: Tab| {
            change(PanelState {
                tab,
                ..state.clone()
            })
        })
    });
    let on_stacked = {
        let state = state.clone();
        let change = change.clone();
        Callback::from(move |_: Event| {
            change(PanelState {
                stacked: !state.stacked,
                ..state.clone()
            })
        })
    };
    let examples = EXAMPLES.iter().map(|&(name, query)| {
        let state = state.clone();
        let change = change.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            change(PanelState {
                query: query.to_owned(),
                ..state.clone()
            })
        });
        html! { <button type="button" class="example" title={query} {onclick}>{ name }</button> }
    });

    let query = state.query.clone();
    let graph = use_memo(
        (
            query.clone(),
            state.tab == Tab::Graph,
            props.span,
            props.version,
            props.end_ms,
        ),
        {
            let playground = props.playground.clone();
            move |(query, shown, span, _, end_ms)| -> Result<Rc<Vec<GraphSeries>>, String> {
                if !*shown || query.trim().is_empty() {
                    return Ok(Rc::default());
                }
                let end_ms = *end_ms;
                let step_ms = duration_ms(span.step());
                let start_ms = end_ms - duration_ms(span.duration());
                let p = playground.read().ok_or("busy")?;
                let value = p
                    .query_range(query, start_ms, end_ms, step_ms)
                    .map_err(|e| e.to_string())?;
                Ok(Rc::new(graph_lines(value)))
            }
        },
    );
    let stacked = use_memo(
        (graph.clone(), state.stacked),
        |(graph, stacked)| match graph.as_ref() {
            Ok(lines) if *stacked => Rc::new(stack(lines)),
            Ok(lines) => lines.clone(),
            Err(_) => Rc::default(),
        },
    );
    let table = use_memo(
        (
            query.clone(),
            state.tab == Tab::Table,
            props.version,
            props.now_ms,
        ),
        {
            let playground = props.playground.clone();
            move |(query, shown, _, now_ms)| -> Option<Result<Table, String>> {
                if !*shown || query.trim().is_empty() {
                    return None;
                }
                let p = playground.read()?;
                Some(
                    p.query(query, *now_ms)
                        .map(|v| table(&v))
                        .map_err(|e| e.to_string()),
                )
            }
        },
    );
    let explained = use_memo(
        (
            query.clone(),
            state.tab == Tab::Explain,
            props.version,
            props.now_ms,
        ),
        {
            let playground = props.playground.clone();
            move |(query, shown, _, now_ms)| -> Option<Result<Rc<Explained>, String>> {
                if !*shown || query.trim().is_empty() {
                    return None;
                }
                let p = playground.read()?;
                Some(explain_query(p.store(), query, *now_ms).map(Rc::new))
            }
        },
    );

    let body = match state.tab {
        Tab::Graph => graph_view(props, &graph, &stacked),
        Tab::Table => table_view(table.as_ref().as_ref(), props.now_ms),
        Tab::Explain => match explained.as_ref() {
            Some(Ok(data)) => html! { <ExplainView data={data.clone()} /> },
            Some(Err(error)) => error_view(error),
            None => empty_result("Run a query to explain it."),
        },
    };

    let heading_id = format!("panel-{id}-heading");
    let on_remove = props
        .on_event
        .reform(move |_: MouseEvent| PanelEvent::Remove(id));
    let on_up = props
        .on_event
        .reform(move |_: MouseEvent| PanelEvent::Move(id, -1));
    let on_down = props
        .on_event
        .reform(move |_: MouseEvent| PanelEvent::Move(id, 1));
    let number = props.index + 1;
    html! {
        <section class="query-panel" aria-labelledby={heading_id.clone()} data-testid="query-panel">
            <div class="query-panel-head">
                { raw(format!("<h3 id=\"{heading_id}\">Query {number}</h3>")) }
                <div class="panel-buttons">
                    <button type="button" class="button icon" aria-label={format!("Move query {number} up")}
                        disabled={props.index == 0} onclick={on_up}>{ "↑" }</button>
                    <button type="button" class="button icon" aria-label={format!("Move query {number} down")}
                        disabled={number == props.count} onclick={on_down}>{ "↓" }</button>
                    <button type="button" class="button icon" aria-label={format!("Remove query {number}")}
                        disabled={props.count == 1} onclick={on_remove}>{ "✕" }</button>
                </div>
            </div>
            <div class="query-row">
                <QueryEditor id={format!("query-{id}")} value={AttrValue::from((*draft).clone())}
                    playground={props.playground.clone()} {on_input} on_run={run} />
                <button type="button" class="button primary run" data-testid="query-run" onclick={on_run_click}>{ "Run" }</button>
            </div>
            <div class="examples">{ raw_static("<span class=\"examples-label\">Examples:</span>") }{ for examples }</div>
            <div class="toolbar">
                { choice(&ChoiceProps {
                    legend: "View".into(),
                    name: format!("tab-{id}").into(),
                    options: tabs,
                    selected: tab,
                    on_change: on_tab,
                }) }
                // Hidden rather than left out: the radio group keeps its focus.
                <label class="check" hidden={state.tab != Tab::Graph}>
                    <input type="checkbox" checked={state.stacked} onchange={on_stacked} />{ " stacked" }
                </label>
            </div>
            { body }
        </section>
    }
}

fn tab_label(tab: Tab) -> &'static str {
    match tab {
        Tab::Graph => "Graph",
        Tab::Table => "Table",
        Tab::Explain => "Explain",
    }
}

fn graph_view(
    props: &QueryPanelProps,
    graph: &Result<Rc<Vec<GraphSeries>>, String>,
    lines: &Rc<Vec<GraphSeries>>,
) -> Html {
    if let Err(error) = graph {
        return error_view(error);
    }
    let labels: Vec<String> = lines.iter().map(|s| s.labels.to_string()).collect();
    let step_ms = duration_ms(props.span.step());
    let testid = if props.index == 0 {
        AttrValue::Static("rate-graph")
    } else {
        AttrValue::from(format!("graph-{}", props.id))
    };
    let title = format!("{} over the last {}", props.state.query, props.span.label());
    html! {
        <div class="query-graph" data-testid="query-graph">
            <LineChart series={lines.clone()} start_ms={props.end_ms - duration_ms(props.span.duration())}
                end_ms={props.end_ms} {title} {testid} gap_ms={Some(step_ms + step_ms / 2)}
                empty_note="No data in this span yet" />
            { legend(&labels) }
        </div>
    }
}

fn table_view(table: Option<&Result<Table, String>>, now_ms: i64) -> Html {
    match table {
        None => empty_result("Run a query to see its value now."),
        Some(Err(error)) => error_view(error),
        Some(Ok(table)) => raw(markup::table(table, &clock(now_ms))),
    }
}

fn error_view(error: &str) -> Html {
    raw(markup::paragraph(
        " class=\"result-error\" role=\"alert\" data-testid=\"query-result-error\"",
        error,
    ))
}

fn empty_result(text: &str) -> Html {
    raw(markup::paragraph(" class=\"empty-result\"", text))
}
