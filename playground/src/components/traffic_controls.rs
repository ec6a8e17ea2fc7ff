use playground_core::chart::format_value;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::raw_static;

/// What [`traffic_controls`] shows and whom it tells.
#[derive(Debug)]
pub struct TrafficControlsProps {
    /// Mean requests per simulated second; 0 is off.
    pub rate: f64,
    /// Fraction of upstream calls that fail, 0..=1.
    pub error_rate: f64,
    /// Called with a new request rate.
    pub on_rate: Callback<f64>,
    /// Called with a new error fraction.
    pub on_error_rate: Callback<f64>,
}

/// Highest rate the slider offers (the simulation accepts up to 100/s).
const RATE_MAX: u32 = 20;

/// Background traffic: request rate and upstream error rate. (A function
/// without state, like [`visit_button`](super::visit_button).)
pub fn traffic_controls(props: &TrafficControlsProps) -> Html {
    let on_rate = slider_callback(props.on_rate.clone(), 0.0, f64::from(RATE_MAX), 1.0);
    let on_error_rate = slider_callback(props.on_error_rate.clone(), 0.0, 100.0, 0.01);
    let rate_text = if props.rate > 0.0 {
        format!("{} req/s", format_value(props.rate))
    } else {
        "off".to_owned()
    };
    let percent = (props.error_rate * 100.0).round() as u32;
    html! {
        <div class="traffic-controls">
            <div class="field slider">
                { raw_static("<label for=\"traffic-rate\">Traffic</label>") }
                <input id="traffic-rate" type="range" min="0" max={RATE_MAX.to_string()} step="0.5"
                    value={format_value(props.rate)} data-testid="traffic-rate"
                    aria-valuetext={rate_text.clone()} oninput={on_rate} />
                <output for="traffic-rate">{ rate_text }</output>
            </div>
            <div class="field slider">
                { raw_static("<label for=\"error-rate\">Upstream errors</label>") }
                <input id="error-rate" type="range" min="0" max="100" step="1"
                    value={percent.to_string()} data-testid="error-rate"
                    aria-valuetext={format!("{percent} percent")} oninput={on_error_rate} />
                <output for="error-rate">{ format!("{percent} %") }</output>
            </div>
        </div>
    }
}

/// Reads a range input's value, keeps it within `min..=max` (the DOM can be
/// edited) and emits it times `scale`.
fn slider_callback(emit: Callback<f64>, min: f64, max: f64, scale: f64) -> Callback<InputEvent> {
    Callback::from(move |event: InputEvent| {
        let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
            return;
        };
        let value = input.value_as_number();
        if value.is_finite() {
            emit.emit(value.clamp(min, max) * scale);
        }
    })
}
