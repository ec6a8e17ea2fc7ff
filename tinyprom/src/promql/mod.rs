//! PromQL: the query language, parsed and evaluated as Prometheus 3 does
//! for float samples.
//!
//! - [`ast`]: the syntax tree, with byte spans into the query text.
//! - [`catalog`]: every function and aggregation, with its signature and a
//!   one-line description.
//! - [`lexer`] and [`parser`]: text to a type-checked [`ast::Expr`], or a
//!   [`ParseError`] that says where and why.
//! - [`printer`]: an expression back to text, as Prometheus formats it.
//! - [`duration`]: durations (`1h30m`) parsed and printed as Prometheus
//!   does.
//! - [`eval`]: the evaluator over a grid of evaluation times, with
//!   `aggregate`, `binary`, `functions`, `range_functions` and `histogram`
//!   for the operators and functions; [`value`] for what a query returns.
//! - [`api`]: instant and range queries as Prometheus's HTTP API answers
//!   them: parameter checks, error kinds and the JSON body.
//! - [`highlight`] and [`complete`]: the editor's syntax classes and
//!   autocompletion, from the same lexer; [`explain`]: a query's tree with
//!   each node's own result, and the numbers behind `rate()`.

mod aggregate;
pub mod api;
pub mod ast;
mod binary;
pub mod catalog;
pub mod complete;
pub mod duration;
pub mod error;
pub mod eval;
pub mod explain;
mod functions;
pub mod highlight;
mod histogram;
pub mod lexer;
pub mod parser;
pub mod printer;
mod range_functions;
pub mod value;

pub use duration::{format_duration, format_go_duration, parse_duration};
pub use error::ParseError;
pub use eval::{instant_query, range_query, EvalError, QueryOptions};
pub use parser::parse;
pub use value::QueryValue;
