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

pub mod ast;
pub mod catalog;
pub mod duration;
pub mod error;
pub mod lexer;
pub mod parser;
pub mod printer;

pub use duration::{format_duration, parse_duration};
pub use error::ParseError;
pub use parser::parse;
