use playground_core::markup;
use yew::prelude::*;

use crate::components::raw;

/// What [`live_panel`] shows and whom it tells.
#[derive(Debug)]
pub struct LivePanelProps {
    /// The banner: which data the page shows (see [`markup::live_banner`]).
    pub banner: String,
    /// Whether the live data is shown.
    pub live: bool,
    /// Whether the page knows there is no app-server beside it.
    pub server_absent: bool,
    /// Why the last real visit got no answer, if it did not.
    pub visit_error: Option<String>,
    /// The target URL field (read when asked to scrape).
    pub url_input: NodeRef,
    /// The paste area (read when asked to load).
    pub paste_input: NodeRef,
    /// What the last paste did: a summary, or the parse error.
    pub paste_note: Option<Result<String, String>>,
    /// Called to switch between simulation and live.
    pub on_toggle: Callback<()>,
    /// Called to scrape the URL in the field.
    pub on_target: Callback<()>,
    /// Called to load the pasted text.
    pub on_paste: Callback<()>,
}

/// The switch between the simulation and live data, the target URL field
/// and the paste area. (A function without state, like
/// [`visit_button`](super::visit_button): the fields are read through
/// their `NodeRef`s.)
pub fn live_panel(props: &LivePanelProps) -> Html {
    let on_toggle = props.on_toggle.reform(|_: MouseEvent| ());
    let on_target = props.on_target.reform(|_: MouseEvent| ());
    let on_target_key = {
        let on_target = props.on_target.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" {
                on_target.emit(());
            }
        })
    };
    let on_paste = props.on_paste.reform(|_: MouseEvent| ());
    let paste_note = props.paste_note.as_ref().map(|note| match note {
        Ok(text) => html! { <p class="paste-note" role="status" data-testid="paste-result">{ text }</p> },
        Err(text) => {
            html! { <p class="paste-note result-error" role="alert" data-testid="paste-result">{ text }</p> }
        }
    });
    let visit_error = props.visit_error.clone().map(|text| {
        html! { <p class="result-error" role="alert" data-testid="live-visit-error">{ text }</p> }
    });
    html! {
        <section class="panel panel-live" aria-labelledby="live-heading">
            { raw(markup::LIVE_INTRO.to_owned()) }
            <div class="live-row">
                <button type="button" role="switch" aria-checked={if props.live { "true" } else { "false" }}
                    class={classes!("button", "live-toggle", props.live.then_some("on"))}
                    data-testid="live-toggle" disabled={props.server_absent && !props.live}
                    onclick={on_toggle}>{ if props.live { "Live: on" } else { "Live: off" } }</button>
                { raw(props.banner.clone()) }
            </div>
            if props.server_absent { { raw(markup::LIVE_ABSENT.to_owned()) } }
            { for visit_error }
            <div class="target-row">
                <label for="target-url">{ "Target" }</label>
                <input id="target-url" type="url" data-testid="target-url" ref={props.url_input.clone()}
                    placeholder="metrics (this server's)" spellcheck="false" onkeydown={on_target_key} />
                <button type="button" class="button" data-testid="target-scrape" onclick={on_target}>{ "Scrape live" }</button>
            </div>
            <details class="paste">
                <summary>{ "Paste exposition text" }</summary>
                <textarea data-testid="paste-exposition" ref={props.paste_input.clone()} rows="6" spellcheck="false"
                    aria-label="Exposition text, OpenMetrics or Prometheus text 0.0.4"
                    placeholder="requests_total{endpoint=\"/treecounter\",status=\"200\"} 3" />
                <button type="button" class="button" data-testid="paste-load" onclick={on_paste}>{ "Load as a scrape" }</button>
                { for paste_note }
            </details>
        </section>
    }
}
