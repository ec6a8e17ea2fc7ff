use yew::prelude::*;

/// Props of [`VisitButton`].
#[derive(Properties, PartialEq, Debug)]
pub struct VisitButtonProps {
    /// Called once per press.
    pub on_visit: Callback<()>,
}

/// The big button that sends one simulated `GET /treecounter`.
#[component]
pub fn VisitButton(props: &VisitButtonProps) -> Html {
    let onclick = props.on_visit.reform(|_: MouseEvent| ());
    html! {
        <button type="button" class="button primary visit-button" data-testid="visit-treecounter" {onclick}>
            { "Visit " }<code>{ "/treecounter" }</code>
        </button>
    }
}
