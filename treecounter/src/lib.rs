//! The tree-counter domain: the workshop app's metrics and behaviour, shared
//! by the `app-server` binary and the browser playground. Nothing here knows
//! about HTTP, axum, yew or the DOM, and nothing here is Prometheus's side of
//! a scrape (that is the `tinyprom` crate), so the server compiles none of
//! it and all of this is tested on the host with a plain `cargo test`.
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
//! - [`process`]: the `process_*` metrics (CPU, memory, file descriptors,
//!   start time), defined once; the server reads its own process, the
//!   playground simulates its app's.
//! - [`simulation`]: the workshop app's behaviour: the artificial latency, the
//!   simulated upstream 503s, the steadily growing tree count, and the HTML
//!   number formatting.

pub mod exposition;
pub mod metrics;
pub mod process;
pub mod simulation;
