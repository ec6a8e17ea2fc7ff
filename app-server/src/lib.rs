//! The workshop's tree-counter app, instrumented the way the finished
//! workshop is: `requests_total{status, endpoint}`, the
//! `request_latency_seconds` histogram and the process metrics, on a real
//! scrapeable `/metrics`.
//!
//! # Layout
//!
//! - [`config`]: the command line (every flag also an environment variable).
//! - [`cors`]: which other origins' pages may read `/metrics` and
//!   `/treecounter` ([`AllowedOrigins`]), and the CORS layer that says so.
//! - [`state`]: [`AppState`], what every handler shares: metric handles, the
//!   registry, the simulated behaviour, the upstream, the clock.
//! - [`routes`]: the router ([`app`]) and its handlers, and the middleware
//!   that counts every response under a label taken from the route.
//! - [`upstream`]: where the tree count comes from: the in-process simulation
//!   or a real JSON endpoint.
//! - [`process_metrics`]: `process_*` metrics read from `/proc` at scrape time.
//! - [`server`]: accepting connections (HTTP/1.1) with a header-read
//!   timeout, the listen backlog, and a graceful shutdown ([`serve`]).
//!
//! `main.rs` only parses the configuration, binds and calls [`serve`]; tests
//! drive [`app`] in-process or [`serve`] on port 0.

pub mod config;
pub mod cors;
pub mod process_metrics;
pub mod routes;
pub mod server;
pub mod state;
pub mod upstream;

pub use cors::AllowedOrigins;
pub use routes::app;
pub use server::{serve, ServerTimeouts};
pub use state::AppState;
