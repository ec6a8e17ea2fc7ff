use std::time::Duration;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::raw_static;
use crate::settings::SCRAPE_INTERVALS;

/// Picks how often the simulated Prometheus scrapes: shows `interval`,
/// calls `on_change` with the one picked. (A function without state, like
/// [`visit_button`](super::visit_button).)
pub fn scrape_interval_select(interval: Duration, on_change: &Callback<Duration>) -> Html {
    let onchange = {
        let on_change = on_change.clone();
        Callback::from(move |event: Event| {
            let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            if let Ok(secs) = select.value().parse::<u64>() {
                on_change.emit(Duration::from_secs(secs));
            }
        })
    };
    let current = interval.as_secs();
    let options = SCRAPE_INTERVALS.iter().map(|&secs| {
        html! {
            <option value={secs.to_string()} selected={secs == current}>{ format!("{secs} s") }</option>
        }
    });
    html! {
        <div class="field">
            { raw_static("<label for=\"scrape-interval\">Scrape interval</label>") }
            <select id="scrape-interval" data-testid="scrape-interval" {onchange}>{ for options }</select>
        </div>
    }
}
