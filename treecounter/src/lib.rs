//! The tree-counter domain, shared by the `app-server` binary and the wasm
//! `playground`. Nothing here knows about HTTP, axum, yew or the DOM, so all of
//! it compiles and is tested on the host with a plain `cargo test`.
//!
//! # Layout
//!
//! - [`metrics`]: the one place where every metric of the workshop app is
//!   defined and registered ([`metrics::Metrics::register`]). The server and
//!   the playground both call it, so what the page shows is what the server
//!   exports.
//! - [`exposition`]: encoding a registry as OpenMetrics 1.0 or as the classic
//!   Prometheus text format 0.0.4, and choosing between them from an `Accept`
//!   header.
//! - [`simulation`]: the workshop app's behaviour: the artificial latency, the
//!   simulated upstream 503s, the steadily growing tree count, and the HTML
//!   number formatting.
//!
//! What the browser playground adds on top, so that it can show a Prometheus
//! at work without a server:
//!
//! - [`parse`]: reading exposition text back into samples, as a scraper does.
//! - [`series`]: [`series::SeriesStore`], in-memory time series keyed by
//!   label set, with bounded retention.
//! - [`scraper`]: a simulated Prometheus that scrapes a registry every
//!   `scrape_interval` of simulated time into a store.
//! - [`rate`]: PromQL's `rate()` with Prometheus's semantics (counter resets,
//!   extrapolation to the window's edges), and range queries over it.
//! - [`traffic`]: background requests arriving as a Poisson process.
//! - [`playground`]: [`playground::Playground`], all of the above on one
//!   simulated clock: the app, its registry, the scraper and the visitors.
//! - [`diff`] and [`chart`]: which exposition lines changed, and axis ticks
//!   and labels for the graphs.

pub mod chart;
pub mod diff;
pub mod exposition;
pub mod metrics;
pub mod parse;
pub mod playground;
pub mod rate;
pub mod scraper;
pub mod series;
pub mod simulation;
pub mod traffic;
