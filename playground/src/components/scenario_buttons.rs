use playground_core::alerts::Scenario;
use playground_core::markup::SCENARIOS_LIVE;
use yew::prelude::*;

use crate::components::raw_static;

/// The failure scenarios as toggle buttons (`data-testid` from
/// [`Scenario::test_id`], `aria-pressed` saying whether each is on);
/// `pressed` is in [`Scenario::ALL`]'s order, and `on_toggle` is called
/// with the scenario pressed. While `live`, they are off (they act on the
/// simulated app), and a line says why. (A function without state, like
/// [`visit_button`](super::visit_button).)
pub fn scenario_buttons(pressed: [bool; 3], live: bool, on_toggle: &Callback<Scenario>) -> Html {
    let buttons = Scenario::ALL.into_iter().zip(pressed).map(|(scenario, on)| {
        html! {
            <button type="button" class="button scenario" aria-pressed={if on { "true" } else { "false" }}
                data-testid={scenario.test_id()} title={scenario.help()} disabled={live}
                onclick={on_toggle.reform(move |_: MouseEvent| scenario)}>
                { scenario.label() }
            </button>
        }
    });
    html! {
        <div class="scenarios">
            <div class="button-row">{ for buttons }</div>
            { for live.then(|| raw_static(SCENARIOS_LIVE)) }
        </div>
    }
}
