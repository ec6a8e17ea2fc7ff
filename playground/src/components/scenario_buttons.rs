use playground_core::alerts::Scenario;
use yew::prelude::*;

/// The failure scenarios as toggle buttons (`data-testid` from
/// [`Scenario::test_id`], `aria-pressed` saying whether each is on);
/// `pressed` is in [`Scenario::ALL`]'s order, and `on_toggle` is called
/// with the scenario pressed. (A function without state, like
/// [`visit_button`](super::visit_button).)
pub fn scenario_buttons(pressed: [bool; 3], on_toggle: &Callback<Scenario>) -> Html {
    let buttons = Scenario::ALL.into_iter().zip(pressed).map(|(scenario, on)| {
        html! {
            <button type="button" class="button scenario" aria-pressed={if on { "true" } else { "false" }}
                data-testid={scenario.test_id()} title={scenario.help()}
                onclick={on_toggle.reform(move |_: MouseEvent| scenario)}>
                { scenario.label() }
            </button>
        }
    });
    html! { <div class="button-row scenarios">{ for buttons }</div> }
}
