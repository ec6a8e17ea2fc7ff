use std::time::Duration;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::settings::SCRAPE_INTERVALS;

/// Props of [`ScrapeIntervalSelect`].
#[derive(Properties, PartialEq, Debug)]
pub struct ScrapeIntervalSelectProps {
    /// The current interval.
    pub interval: Duration,
    /// Called with the interval picked.
    pub on_change: Callback<Duration>,
}

/// Picks how often the simulated Prometheus scrapes.
#[component]
pub fn ScrapeIntervalSelect(props: &ScrapeIntervalSelectProps) -> Html {
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            if let Ok(secs) = select.value().parse::<u64>() {
                on_change.emit(Duration::from_secs(secs));
            }
        })
    };
    let current = props.interval.as_secs();
    let options = SCRAPE_INTERVALS.iter().map(|&secs| {
        html! {
            <option value={secs.to_string()} selected={secs == current}>{ format!("{secs} s") }</option>
        }
    });
    html! {
        <div class="field">
            <label for="scrape-interval">{ "Scrape interval" }</label>
            <select id="scrape-interval" data-testid="scrape-interval" {onchange}>{ for options }</select>
        </div>
    }
}
