//! What can go wrong with a query: it does not parse (or does not
//! type-check), or its evaluation fails.

use crate::promql::ast::Span;

/// A query that does not parse or type-check, with where and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: parse error: {message}")]
pub struct ParseError {
    /// The offending bytes of the query.
    pub span: Span,
    /// 1-based line of `span.start`.
    pub line: usize,
    /// 1-based column (in bytes, as Prometheus counts) of `span.start`.
    pub column: usize,
    /// What is wrong, in Prometheus's words where it has them.
    pub message: String,
}

impl ParseError {
    /// An error at `span` of `input`, with its line and column computed.
    pub fn new(input: &str, span: Span, message: impl Into<String>) -> ParseError {
        let start = span.start.min(input.len());
        let before = input.get(..start).unwrap_or(input);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        ParseError {
            span,
            line,
            column: start - line_start + 1,
            message: message.into(),
        }
    }
}
