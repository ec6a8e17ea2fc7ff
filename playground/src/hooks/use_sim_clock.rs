use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use gloo::timers::callback::Interval;
use yew::prelude::*;

/// Wall-clock milliseconds between ticks.
const TICK_MS: u32 = 100;
/// A tick never covers more than this much wall-clock time: after the tab
/// was hidden for a while, the simulation resumes instead of replaying it.
const MAX_TICK_WALL_MS: f64 = 1000.0;

/// While `running`, calls `on_tick` about ten times a second with the
/// simulated time that passed since the previous tick: the wall-clock time
/// times `speed`.
///
/// ```no_run
/// # use std::time::Duration;
/// # use yew::prelude::*;
/// # use playground::hooks::use_sim_clock;
/// #[component]
/// fn Clock() -> Html {
///     let elapsed = use_mut_ref(|| Duration::ZERO);
///     let on_tick = {
///         let elapsed = elapsed.clone();
///         Callback::from(move |dt: Duration| *elapsed.borrow_mut() += dt)
///     };
///     use_sim_clock(60.0, true, on_tick);
///     html! {}
/// }
/// ```
#[hook]
pub fn use_sim_clock(speed: f64, running: bool, on_tick: Callback<Duration>) {
    // f64 is not Eq; its bits are, and compare the same for our speeds.
    use_effect_with((speed.to_bits(), running), move |&(speed_bits, running)| {
        let speed = f64::from_bits(speed_bits);
        let interval = running.then(|| {
            let last = Rc::new(Cell::new(now_ms()));
            Interval::new(TICK_MS, move || {
                let now = now_ms();
                let wall_ms = (now - last.get()).clamp(0.0, MAX_TICK_WALL_MS);
                last.set(now);
                on_tick.emit(
                    Duration::try_from_secs_f64(wall_ms * speed / 1000.0).unwrap_or_default(),
                );
            })
        });
        move || drop(interval)
    });
}

/// A monotonic clock in milliseconds (`performance.now()`), or the wall
/// clock where there is no `performance`.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|window| window.performance())
        .map_or_else(js_sys::Date::now, |performance| performance.now())
}
