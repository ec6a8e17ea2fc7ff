use yew::prelude::*;

/// Colours of the series, in order; they repeat after ten. Chosen to stay
/// apart from each other and readable on the light background.
const PALETTE: [&str; 10] = [
    "#2f855a", "#2b6cb0", "#c53030", "#b7791f", "#6b46c1", "#2c7a7b", "#d53f8c", "#4a5568",
    "#dd6b20", "#38a169",
];

/// The colour of the `index`-th series.
pub fn series_colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// Which colour is which series: `labels` is the label text of each
/// series, in colour order. (A function without state, like
/// [`visit_button`](super::visit_button).)
pub fn legend(labels: &[String]) -> Html {
    let items = labels.iter().enumerate().map(|(i, label)| {
        let style = format!("background:{}", series_colour(i));
        html! {
            <li><span class="swatch" {style} aria-hidden="true"></span><code>{ label.clone() }</code></li>
        }
    });
    html! { <ul class="legend" aria-label="Series">{ for items }</ul> }
}
