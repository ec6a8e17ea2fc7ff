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
//! - [`live`]: live data: a real target scraped on wall-clock time, and
//!   pasted exposition text loaded as a scrape; the page fetches, this
//!   decides what the answers mean, as Prometheus would.
//! - [`alerts`]: the failure scenarios (stop the app, slow the page, raise
//!   upstream errors) as toggles over actions, and each alerting rule's
//!   pending and firing spans read back from its `ALERTS` series.
//! - [`share`]: the page's whole state in a link: the seed, the visitor's
//!   actions (replayed by [`playground::Playground::replay`]) and the view.
//! - [`query`]: what the query panels show: tables, graph lines, stacking,
//!   the editor's highlighting with the error underlined, the history.
//! - [`guide`]: the workshop's sections as steps the page checks by itself
//!   (visits, the scrape interval, answers, queries judged on the engine).
//! - [`markup`]: the display-only parts of the query panels as HTML text
//!   (escaped), cheaper in the wasm than the same markup as components.
//! - [`traffic`]: background requests arriving as a Poisson process.
//! - [`diff`] and [`chart`]: which exposition lines changed, and axis ticks
//!   and labels for the graphs.
//! - [`stack`]: the full stack's alert rules and dashboard, compiled in from
//!   `prometheus.yaml`, its rule files and the Grafana dashboard by
//!   `build.rs`.
//! - [`grafana`]: Grafana's interval arithmetic, built-in variables
//!   (`$__rate_interval`, …) and legends, for the dashboard's queries.

pub mod alerts;
pub mod chart;
pub mod dashboard;
pub mod diff;
pub mod grafana;
pub mod guide;
pub mod live;
pub mod markup;
pub mod playground;
pub mod query;
pub mod share;
pub mod stack;
pub mod traffic;
