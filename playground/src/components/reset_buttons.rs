use yew::prelude::*;

/// Props of [`ResetButtons`].
#[derive(Properties, PartialEq, Debug)]
pub struct ResetButtonsProps {
    /// Called to restart the simulated app (counters to zero, history kept).
    pub on_restart: Callback<()>,
    /// Called to start everything over.
    pub on_reset: Callback<()>,
}

/// Restart the app (a counter reset, to see `rate()` cope with it) or reset
/// everything.
#[component]
pub fn ResetButtons(props: &ResetButtonsProps) -> Html {
    html! {
        <div class="button-row">
            <button type="button" class="button" data-testid="restart-app"
                title="The app's counters start again from 0; the scraped history stays"
                onclick={props.on_restart.reform(|_: MouseEvent| ())}>
                { "Restart app" }
            </button>
            <button type="button" class="button danger" data-testid="reset"
                title="Clear counters, history and requests; the clock starts at 0"
                onclick={props.on_reset.reform(|_: MouseEvent| ())}>
                { "Reset everything" }
            </button>
        </div>
    }
}
