//! The browser playground's simulated world, tested on the host: the
//! tree-counter app (from `treecounter`: the same metrics, the same
//! behaviour as app-server), its visitors, and a Prometheus scraping it
//! (from `tinyprom`), all on one simulated clock. The yew page in
//! `playground/` is a thin shell over this crate.
//!
//! # Layout
//!
//! - [`playground`]: [`playground::Playground`], the app, its registry, the
//!   scraper, the series store and the visitors on one simulated clock;
//!   what the graphs show comes from the PromQL engine.
//! - [`traffic`]: background requests arriving as a Poisson process.
//! - [`diff`] and [`chart`]: which exposition lines changed, and axis ticks
//!   and labels for the graphs.
//! - [`stack`]: the full stack's alert rules and dashboard, compiled in from
//!   `prometheus.yaml`, its rule files and the Grafana dashboard by
//!   `build.rs`.
//! - [`grafana`]: Grafana's interval arithmetic, built-in variables
//!   (`$__rate_interval`, …) and legends, for the dashboard's queries.

pub mod chart;
pub mod diff;
pub mod grafana;
pub mod playground;
pub mod stack;
pub mod traffic;
