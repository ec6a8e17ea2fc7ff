use yew::prelude::*;

/// The big button that sends one simulated `GET /treecounter`; `on_visit`
/// is called once per press.
///
/// A function, not a component: it has no state, and each component
/// instantiates yew's lifecycle machinery in the wasm.
pub fn visit_button(on_visit: &Callback<()>) -> Html {
    let onclick = on_visit.reform(|_: MouseEvent| ());
    html! {
        <button type="button" class="button primary visit-button" data-testid="visit-treecounter" {onclick}>
            { "Visit " }<code>{ "/treecounter" }</code>
        </button>
    }
}
