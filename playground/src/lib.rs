//! The tree counter in the browser: the workshop app, its `/metrics` and a
//! Prometheus scraping it, all simulated client-side with the same
//! `treecounter` code that app-server runs.
//!
//! This crate is a thin shell: every rule of the simulation lives in
//! [`playground_core::playground`] and is tested on the host. Here are only the
//! yew components that show it and the hooks that drive it.
//!
//! # Layout
//!
//! - [`app`]: the root component. Owns the view settings (format, speed,
//!   graph view) and hands each component the data it shows.
//! - [`hooks`]: [`hooks::use_playground`] keeps the simulation and re-renders
//!   when it changes; [`hooks::use_sim_clock`] turns wall-clock time into
//!   simulated time at the chosen speed; [`hooks::use_wall_clock`] ticks
//!   live mode's scrapes.
//! - [`components`]: one component per file; children report upwards through
//!   `on_*` callbacks.
//! - `fetch`: live mode's real requests (`GET /metrics`, `/treecounter`)
//!   through the browser's `fetch`.
//! - `storage`: the query history in `localStorage`.
//! - [`settings`]: the choices the page offers (speeds, graph spans, …) and
//!   the start options read from the URL.
//! - `panic`: the panic hook that replaces a dead page with a message.
//! - `bench`: a benchmark hook that times the PromQL engine in the page
//!   (`scripts/bench-promql.sh`).

pub mod app;
mod bench;
pub mod components;
mod fetch;
pub mod hooks;
mod panic;
pub mod settings;
mod storage;

use app::{App, AppProps};
use settings::StartOptions;
use yew::AttrValue;

/// Mounts the playground into the page's `#app` element (or the body).
pub fn run() {
    panic::install();
    let location = gloo::utils::window().location();
    let search = location.search().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    let props = AppProps {
        start: StartOptions::from_query(&search),
        start_unix_ms: js_sys::Date::now(),
        link: AttrValue::from(hash.trim_start_matches('#').to_owned()),
    };
    match gloo::utils::document().get_element_by_id("app") {
        Some(root) => {
            // Drop the "Loading…" placeholder.
            root.set_inner_html("");
            yew::Renderer::<App>::with_root_and_props(root, props).render();
        }
        None => {
            yew::Renderer::<App>::with_props(props).render();
        }
    }
}
