//! A Prometheus that needs no Prometheus: everything the browser playground
//! (and the `promql` command) needs to scrape, store and query metrics, in
//! plain Rust with no web and no `prometheus-client` dependency, so it is
//! tested on the host with `cargo test` and compiles to wasm unchanged.
//!
//! # Layout
//!
//! - [`labels`]: [`labels::Labels`], the identity of a series (the metric
//!   name is the `__name__` label), and [`labels::Matcher`]s that select
//!   series.
//! - [`storage`]: [`storage::SeriesStore`], in-memory series with staleness
//!   markers and optional retention.
//! - [`exposition`]: reading exposition text (OpenMetrics 1.0 and the
//!   Prometheus text format 0.0.4) into samples.
//! - [`scrape`]: a scraper that takes exposition text in at each scrape
//!   interval, attaches the target's labels, writes `up` and marks vanished
//!   series stale.
//! - [`promql`]: the query language, lexer to evaluator, and the HTTP
//!   API's answers.
//! - [`rules`]: recording and alerting rules evaluated over a store, with
//!   Prometheus's alert states, `ALERTS` series and label templates.
//! - [`load`]: a saved OpenMetrics file with timestamps into a store.
//! - [`unit_test`]: promtool's rule unit tests (input series notation,
//!   expression tests).
//!
//! Sorting goes through one shared merge sort ([`sort`]), to keep the wasm
//! small.

pub mod exposition;
pub mod labels;
pub mod load;
pub mod number;
pub mod promql;
pub mod rules;
pub mod scrape;
pub mod sort;
pub mod storage;
pub mod unit_test;
