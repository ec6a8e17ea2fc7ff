use std::time::Duration;

use playground_core::chart::format_clock;
use tinyprom::storage::duration_ms;
use yew::prelude::*;

use crate::components::{choice, choice_of, raw, ChoiceProps};
use crate::settings::Speed;

/// What [`time_controls`] shows and whom it tells.
#[derive(Debug)]
pub struct TimeControlsProps {
    /// The simulated clock.
    pub now: Duration,
    /// How fast it runs.
    pub speed: Speed,
    /// Whether it is stopped.
    pub paused: bool,
    /// The scrape interval, for the step button's label.
    pub scrape_interval: Duration,
    /// Called with the speed picked.
    pub on_speed: Callback<Speed>,
    /// Called to pause or resume.
    pub on_pause: Callback<bool>,
    /// Called to move the paused clock on by one scrape interval.
    pub on_step: Callback<()>,
}

/// The simulated clock, its speed, pause and single-step. (A function
/// without state, like [`visit_button`](super::visit_button).)
pub fn time_controls(props: &TimeControlsProps) -> Html {
    let (speeds, speed, on_speed) =
        choice_of(&Speed::ALL, props.speed, Speed::label, &props.on_speed);
    let onpause = {
        let on_pause = props.on_pause.clone();
        let paused = props.paused;
        Callback::from(move |_: MouseEvent| on_pause.emit(!paused))
    };
    let onstep = props.on_step.reform(|_: MouseEvent| ());
    html! {
        <div class="time-controls">
            { raw(format!(
                "<div class=\"clock\" aria-live=\"off\"><span class=\"clock-label\">simulated time</span>\
                 <span class=\"clock-value\" data-testid=\"sim-clock\">{}</span></div>",
                format_clock(duration_ms(props.now))
            )) }
            { choice(&ChoiceProps {
                legend: "Speed".into(),
                name: "speed".into(),
                options: speeds,
                selected: speed,
                on_change: on_speed,
            }) }
            <div class="button-row">
                <button type="button" class="button" aria-pressed={props.paused.to_string()}
                    data-testid="pause" onclick={onpause}>
                    { if props.paused { "Resume" } else { "Pause" } }
                </button>
                <button type="button" class="button" disabled={!props.paused} data-testid="step"
                    title="Move the paused clock to the next scrape" onclick={onstep}>
                    { format!("Step +{} s", props.scrape_interval.as_secs()) }
                </button>
            </div>
        </div>
    }
}
