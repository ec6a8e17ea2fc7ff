//! Syntax highlighting: every byte of a query in a class (metric, label,
//! function, string, …), from the same lexer the parser uses, so what is
//! coloured is what is parsed. Incomplete queries highlight too: the text
//! the lexer cannot read is one `Error` run to the end.

use crate::promql::catalog::Function;
use crate::promql::lexer::{lex, TokenKind};

/// What a run of query text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// Spaces and anything uncoloured.
    Plain,
    /// A metric name: `requests_total`.
    Metric,
    /// A label name: `status` in `{status="200"}` or `by (status)`.
    Label,
    /// A function name: `rate`.
    Function,
    /// An aggregation: `sum`, `topk`.
    Aggregation,
    /// `by`, `without`, `on`, `ignoring`, `group_left`, `bool`, `offset`, …
    Keyword,
    /// `+`, `==`, `=~`, `and`, `@`, …
    Operator,
    /// A string literal, quotes included.
    String,
    /// A number.
    Number,
    /// A duration: `5m`.
    Duration,
    /// Brackets, braces, commas, `:`.
    Punctuation,
    /// `# …` to the end of the line.
    Comment,
    /// Text the lexer could not read.
    Error,
}

impl Class {
    /// A short CSS class name: `hl-metric`, `hl-label`, …
    pub fn css(self) -> &'static str {
        match self {
            Class::Plain => "hl-plain",
            Class::Metric => "hl-metric",
            Class::Label => "hl-label",
            Class::Function => "hl-function",
            Class::Aggregation => "hl-aggregation",
            Class::Keyword => "hl-keyword",
            Class::Operator => "hl-operator",
            Class::String => "hl-string",
            Class::Number => "hl-number",
            Class::Duration => "hl-duration",
            Class::Punctuation => "hl-punctuation",
            Class::Comment => "hl-comment",
            Class::Error => "hl-error",
        }
    }
}

/// A run of query text and its class: bytes `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// What it is.
    pub class: Class,
}

/// Every byte of `query` in exactly one run, in order.
pub fn highlight(query: &str) -> Vec<Run> {
    let tokens = lex(query).tokens;
    let mut runs: Vec<Run> = Vec::with_capacity(tokens.len() * 2);
    let mut push = |start: usize, end: usize, class: Class| {
        if start >= end {
            return;
        }
        match runs.last_mut() {
            Some(last) if last.class == class && last.end == start => last.end = end,
            _ => runs.push(Run { start, end, class }),
        }
    };
    let mut position = 0;
    let mut in_braces = false;
    // Parenthesis depths at which a label list (`by (…)`, `on (…)`) is open.
    let mut label_lists: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut opens_label_list = false;
    for (i, token) in tokens.iter().enumerate() {
        // What lies between tokens: spaces, or comments the lexer skipped.
        if token.start > position {
            gap(query, position, token.start, &mut push);
        }
        let next = tokens.get(i + 1).map(|t| t.kind);
        let class = match token.kind {
            TokenKind::Eof => {
                position = token.start;
                continue;
            }
            TokenKind::Error => {
                push(token.start, query.len(), Class::Error);
                position = query.len();
                break;
            }
            TokenKind::Identifier | TokenKind::MetricIdentifier => {
                let text = token.text(query);
                if in_braces || label_lists.last() == Some(&depth) {
                    Class::Label
                } else if next == Some(TokenKind::LeftParen) && Function::from_name(text).is_some()
                {
                    Class::Function
                } else {
                    Class::Metric
                }
            }
            TokenKind::Aggregator(_) => Class::Aggregation,
            TokenKind::By
            | TokenKind::Without
            | TokenKind::On
            | TokenKind::Ignoring
            | TokenKind::GroupLeft
            | TokenKind::GroupRight => {
                opens_label_list = next == Some(TokenKind::LeftParen);
                Class::Keyword
            }
            TokenKind::Bool
            | TokenKind::Offset
            | TokenKind::Fill
            | TokenKind::FillLeft
            | TokenKind::FillRight
            | TokenKind::Smoothed
            | TokenKind::Anchored => Class::Keyword,
            TokenKind::Start
            | TokenKind::End
            | TokenKind::Step
            | TokenKind::Range
            | TokenKind::MaxOf
            | TokenKind::MinOf => Class::Function,
            TokenKind::Number => Class::Number,
            TokenKind::Duration => Class::Duration,
            TokenKind::String => Class::String,
            TokenKind::LeftParen => {
                depth += 1;
                if opens_label_list {
                    label_lists.push(depth);
                    opens_label_list = false;
                }
                Class::Punctuation
            }
            TokenKind::RightParen => {
                if label_lists.last() == Some(&depth) {
                    label_lists.pop();
                }
                depth = depth.saturating_sub(1);
                Class::Punctuation
            }
            TokenKind::LeftBrace => {
                in_braces = true;
                Class::Punctuation
            }
            TokenKind::RightBrace => {
                in_braces = false;
                Class::Punctuation
            }
            TokenKind::Comma
            | TokenKind::LeftBracket
            | TokenKind::RightBracket
            | TokenKind::Colon => Class::Punctuation,
            _ => Class::Operator,
        };
        push(token.start, token.end, class);
        position = token.end;
    }
    if position < query.len() {
        gap(query, position, query.len(), &mut push);
    }
    runs
}

/// Spaces and `#` comments between tokens.
fn gap(query: &str, start: usize, end: usize, push: &mut impl FnMut(usize, usize, Class)) {
    let text = &query[start..end];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = start + offset;
        match line.find('#') {
            Some(hash) => {
                push(at, at + hash, Class::Plain);
                let comment_end = at + line.trim_end_matches('\n').len();
                push(at + hash, comment_end, Class::Comment);
                push(comment_end, at + line.len(), Class::Plain);
            }
            None => push(at, at + line.len(), Class::Plain),
        }
        offset += line.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Highlights `query` and writes each run as `class:text`, spaces left
    /// out.
    fn check(query: &str, expect: &[&str]) {
        let got: Vec<String> = highlight(query)
            .iter()
            .filter(|run| run.class != Class::Plain)
            .map(|run| {
                format!(
                    "{}:{}",
                    run.class.css().trim_start_matches("hl-"),
                    &query[run.start..run.end]
                )
            })
            .collect();
        assert_eq!(got, expect, "{query}");
        // Every byte in exactly one run, in order.
        let runs = highlight(query);
        let mut position = 0;
        for run in &runs {
            assert_eq!(run.start, position, "{query}: {runs:?}");
            position = run.end;
        }
        assert_eq!(position, query.len());
    }

    #[test]
    fn classes_follow_the_grammar() {
        check(
            "sum by (endpoint) (rate(requests_total{status=~\"5..\"}[5m]))",
            &[
                "aggregation:sum",
                "keyword:by",
                "punctuation:(",
                "label:endpoint",
                "punctuation:)",
                "punctuation:(",
                "function:rate",
                "punctuation:(",
                "metric:requests_total",
                "punctuation:{",
                "label:status",
                "operator:=~",
                "string:\"5..\"",
                "punctuation:}[",
                "duration:5m",
                "punctuation:]))",
            ],
        );
        check(
            "a / on (job) group_left b > bool 0.5 # note",
            &[
                "metric:a",
                "operator:/",
                "keyword:on",
                "punctuation:(",
                "label:job",
                "punctuation:)",
                "keyword:group_left",
                "metric:b",
                "operator:>",
                "keyword:bool",
                "number:0.5",
                "comment:# note",
            ],
        );
        // A metric may be named like a function when no `(` follows.
        check(
            "rate + up @ start()",
            &[
                "metric:rate",
                "operator:+",
                "metric:up",
                "operator:@",
                "function:start",
                "punctuation:()",
            ],
        );
    }

    #[test]
    fn an_unfinished_query_highlights_what_it_can() {
        check(
            "up{job=\"ap",
            &[
                "metric:up",
                "punctuation:{",
                "label:job",
                "operator:=",
                "error:\"ap",
            ],
        );
        check("", &[]);
        check("   ", &[]);
    }
}
