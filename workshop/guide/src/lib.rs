//! The workshop's steps as data and rules, with no I/O: the code each
//! section adds (embedded from the solutions at build time) and how to tell,
//! from an app's `/metrics` or from a query's answer, that a section is
//! done. `workshop-check` does the HTTP and prints the reports; the
//! playground's in-page guide can call the same rules on its simulated app
//! and PromQL engine, and show the same code.
//!
//! # Layout
//!
//! - [`report`]: [`report::Report`], a checklist run in order (after a
//!   failure the rest is skipped), each failure with what was found and how
//!   to fix it.
//! - [`exposition`]: what `/metrics` answered, read as Prometheus reads it
//!   (format from the `Content-Type`, samples with `tinyprom`'s parser).
//! - [`app_checks`]: the rules of sections 1, 2 and 6 over `/metrics`
//!   before and after a number of visits.
//! - [`scraping`]: the rules of section 3 over the targets Prometheus
//!   reports.
//! - [`queries`]: the query exercises of sections 4 to 6, and the judging of
//!   a learner's query against the expected one.
//! - [`workshop_md`]: WORKSHOP.md and the solution files, embedded, and
//!   WORKSHOP.md read into sections and code blocks.

pub mod app_checks;
pub mod exposition;
pub mod queries;
pub mod report;
pub mod scraping;
pub mod workshop_md;
