use yew::prelude::*;

/// Restart the app (a counter reset, to see `rate()` cope with it):
/// `on_restart` sets the counters to zero and keeps the history; or reset
/// everything: `on_reset` starts over. (A function without state, like
/// [`visit_button`](super::visit_button).)
pub fn reset_buttons(on_restart: &Callback<()>, on_reset: &Callback<()>) -> Html {
    html! {
        <div class="button-row">
            <button type="button" class="button" data-testid="restart-app"
                title="The app's counters start again from 0; the scraped history stays"
                onclick={on_restart.reform(|_: MouseEvent| ())}>
                { "Restart app" }
            </button>
            <button type="button" class="button danger" data-testid="reset"
                title="Clear counters, history and requests; the clock starts at 0"
                onclick={on_reset.reform(|_: MouseEvent| ())}>
                { "Reset everything" }
            </button>
        </div>
    }
}
