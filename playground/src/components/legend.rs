use playground_core::chart::series_colour;
use yew::prelude::*;

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
