use playground_core::chart::format_clock;
use playground_core::playground::{Visit, VisitSource};
use tinyprom::storage::duration_ms;
use treecounter::simulation::format_count;
use yew::prelude::*;

/// The simulated responses to the last few requests, `visits` newest
/// first. (A function without state, like
/// [`visit_button`](super::visit_button).)
pub fn visit_log(visits: &[Visit]) -> Html {
    if visits.is_empty() {
        return html! {
            <p class="empty-note">{ "No requests yet. Press the button, or turn on traffic." }</p>
        };
    }
    let rows = visits.iter().map(|visit| {
        let source = match visit.source {
            VisitSource::Button => "you",
            VisitSource::Traffic => "traffic",
        };
        // A stopped app answers nothing: the connection was refused.
        let (status, upstream, latency, count) = if visit.refused() {
            (
                "refused".to_owned(),
                "–".to_owned(),
                "–".to_owned(),
                "no answer".to_owned(),
            )
        } else {
            (
                visit.status.to_string(),
                visit.upstream_status.to_string(),
                format!("{} ms", duration_ms(visit.latency)),
                visit
                    .tree_count
                    .map_or_else(|| "unavailable".to_owned(), format_count),
            )
        };
        let failed = visit.tree_count.is_none();
        html! {
            <tr key={visit.id} class={classes!(failed.then_some("upstream-failed"))}>
                <td class="num">{ format_clock(duration_ms(visit.at)) }</td>
                <td class="source">{ source }</td>
                <td><span class={classes!("status", if visit.refused() { "error" } else { "ok" })}>{ status }</span></td>
                <td><span class={classes!("status", if failed { "error" } else { "ok" })}>{ upstream }</span></td>
                <td class="num">{ latency }</td>
                <td class="num">{ count }</td>
            </tr>
        }
    });
    html! {
        <div class="table-scroll">
            <table class="visit-log" data-testid="visit-log">
                <caption class="visually-hidden">{ "Last requests to /treecounter, newest first" }</caption>
                <thead>
                    <tr>
                        <th scope="col" class="num">{ "at" }</th>
                        <th scope="col">{ "from" }</th>
                        <th scope="col">{ "page" }</th>
                        <th scope="col">{ "upstream" }</th>
                        <th scope="col" class="num">{ "latency" }</th>
                        <th scope="col" class="num">{ "trees" }</th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}
