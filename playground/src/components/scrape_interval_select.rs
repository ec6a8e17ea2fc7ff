use std::time::Duration;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::raw_static;
use crate::settings::SCRAPE_INTERVALS;

/// Picks how often Prometheus scrapes the data shown (the simulated app,
/// or while live the live target): shows `interval`, calls `on_change`
/// with the one picked. (A function without state, like
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
    // `selected` picks the option when the select is made; after that an
    // option the user picked ignores the attribute (its "dirtiness"), so
    // an interval changed from elsewhere (switching between the simulation
    // and the live data, each with its own) is set as the `value` property.
    html! {
        <div class="field">
            { raw_static("<label for=\"scrape-interval\">Scrape interval</label>") }
            <select id="scrape-interval" data-testid="scrape-interval" ~value={current.to_string()}
                {onchange}>{ for options }</select>
        </div>
    }
}
