use std::time::Duration;

use gloo::timers::callback::Interval;
use yew::prelude::*;

/// While `running`, calls `on_tick` at once and then every `period_ms` of
/// wall-clock time with the time since the Unix epoch (live mode's clock:
/// the core decides from it when a scrape is due). Stops when `running`
/// turns false or the component goes.
///
/// ```no_run
/// # use std::time::Duration;
/// # use yew::prelude::*;
/// # use playground::hooks::use_wall_clock;
/// #[component]
/// fn Clock() -> Html {
///     let now = use_state(|| Duration::ZERO);
///     use_wall_clock(true, 1000, { let now = now.clone(); Callback::from(move |t| now.set(t)) });
///     html! { { now.as_secs() } }
/// }
/// ```
#[hook]
pub fn use_wall_clock(running: bool, period_ms: u32, on_tick: Callback<Duration>) {
    use_effect_with((running, period_ms), move |&(running, period_ms)| {
        let interval = running.then(|| {
            on_tick.emit(crate::fetch::wall_clock());
            Interval::new(period_ms, move || on_tick.emit(crate::fetch::wall_clock()))
        });
        move || drop(interval)
    });
}
