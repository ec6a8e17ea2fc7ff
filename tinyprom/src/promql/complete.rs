//! Autocompletion: what may be typed at the cursor, from the grammar
//! around it and the series in the store. `requests_total{endpoint="`
//! offers the endpoints of `requests_total`; `sum by (` the label names;
//! `ra` the metric names and functions starting with it.

use crate::promql::catalog::{AGGREGATIONS, FUNCTIONS};
use crate::promql::lexer::{lex, TokenKind};
use crate::storage::SeriesStore;

/// What kind of thing a suggestion is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestionKind {
    /// A metric name from the store.
    Metric,
    /// A function.
    Function,
    /// An aggregation.
    Aggregation,
    /// A label name.
    Label,
    /// A label value (inserted with its closing quote).
    Value,
    /// A keyword: `by`, `without`, `offset`, …
    Keyword,
}

/// One suggestion: replace `replace_start..cursor` of the query with
/// `insert`.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// The text put in place of the prefix.
    pub insert: String,
    /// What the list shows.
    pub label: String,
    /// A signature and one-line description, for functions and
    /// aggregations; empty otherwise.
    pub detail: String,
    /// What it is.
    pub kind: SuggestionKind,
    /// Where the replaced prefix starts (it ends at the cursor).
    pub replace_start: usize,
}

/// Where the cursor is, as far as completion cares.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Context {
    /// An expression is expected: metric names, functions, aggregations.
    Expression,
    /// A label name inside `{…}` of `metric` (if named).
    LabelName { metric: Option<String> },
    /// A label name in `by (…)`, `on (…)`, …
    GroupingLabel,
    /// A label value for `label` of `metric`, inside quotes.
    LabelValue {
        metric: Option<String>,
        label: String,
    },
    /// After an expression: operators and keywords are typed, not offered.
    Nothing,
}

const KEYWORDS: [&str; 9] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "offset",
    "bool",
    "unless",
];

/// Up to `limit` suggestions for the text before byte `cursor` of
/// `query`: names that start with what was typed first, then names that
/// contain it, case-insensitively.
pub fn suggestions(
    query: &str,
    cursor: usize,
    store: &SeriesStore,
    limit: usize,
) -> Vec<Suggestion> {
    let cursor = floor_char_boundary(query, cursor);
    let before = &query[..cursor];
    let (context, prefix_start) = context(before);
    let prefix = &before[prefix_start..];
    let mut candidates: Vec<(String, String, String, SuggestionKind)> = Vec::new();
    match &context {
        Context::Expression => {
            for name in store.metric_names() {
                candidates.push((
                    name.to_owned(),
                    name.to_owned(),
                    String::new(),
                    SuggestionKind::Metric,
                ));
            }
            for def in FUNCTIONS {
                candidates.push((
                    format!("{}(", def.name),
                    def.name.to_owned(),
                    format!("{} — {}", def.signature, def.doc),
                    SuggestionKind::Function,
                ));
            }
            for def in AGGREGATIONS {
                candidates.push((
                    format!("{}(", def.name),
                    def.name.to_owned(),
                    format!("{} — {}", def.signature, def.doc),
                    SuggestionKind::Aggregation,
                ));
            }
            if !prefix.is_empty() {
                for keyword in KEYWORDS {
                    candidates.push((
                        keyword.to_owned(),
                        keyword.to_owned(),
                        String::new(),
                        SuggestionKind::Keyword,
                    ));
                }
            }
        }
        Context::LabelName { metric } => {
            for name in store.label_names(metric.as_deref()) {
                candidates.push((
                    name.to_owned(),
                    name.to_owned(),
                    String::new(),
                    SuggestionKind::Label,
                ));
            }
        }
        Context::GroupingLabel => {
            for name in store.label_names(None) {
                candidates.push((
                    name.to_owned(),
                    name.to_owned(),
                    String::new(),
                    SuggestionKind::Label,
                ));
            }
        }
        Context::LabelValue { metric, label } => {
            for value in store.label_values(metric.as_deref(), label) {
                candidates.push((
                    format!("{}\"", escape(value)),
                    value.to_owned(),
                    String::new(),
                    SuggestionKind::Value,
                ));
            }
        }
        Context::Nothing => return Vec::new(),
    }
    let lower = prefix.to_ascii_lowercase();
    let mut starts = Vec::new();
    let mut contains = Vec::new();
    let mut complete = false;
    for (insert, label, detail, kind) in candidates {
        let name = label.to_ascii_lowercase();
        // The exact text already typed is not worth suggesting.
        if name == lower && kind != SuggestionKind::Value {
            complete = true;
            continue;
        }
        let suggestion = Suggestion {
            insert,
            label,
            detail,
            kind,
            replace_start: prefix_start,
        };
        if name.starts_with(&lower) {
            starts.push(suggestion);
        } else if !lower.is_empty() && name.contains(&lower) {
            contains.push(suggestion);
        }
    }
    // A name typed in full (`up`) is not the start of another word that
    // merely contains it (`group`).
    if !complete {
        starts.extend(contains);
    }
    starts.truncate(limit);
    starts
}

/// The completion context of `before` (the text up to the cursor) and
/// where the word being completed starts.
fn context(before: &str) -> (Context, usize) {
    let tokens = lex(before).tokens;
    // The word under the cursor, if the cursor ends an identifier.
    let mut prefix_start = before.len();
    let mut end = tokens.len();
    // The last real token (not Eof).
    while end > 0 && tokens[end - 1].kind == TokenKind::Eof {
        end -= 1;
    }
    // "Unexpected end of input": the query is merely unfinished.
    if end > 0 && tokens[end - 1].kind == TokenKind::Error && tokens[end - 1].start >= before.len()
    {
        end -= 1;
    }
    let mut last = tokens.get(end.wrapping_sub(1)).copied().filter(|_| end > 0);
    if let Some(token) = last {
        // An unfinished string: a label value being typed.
        if token.kind == TokenKind::Error && before[token.start..].starts_with(['"', '\'', '`']) {
            let (metric, label) = matcher_before(before, &tokens[..end - 1]);
            return match label {
                Some(label) => (Context::LabelValue { metric, label }, token.start + 1),
                None => (Context::Nothing, before.len()),
            };
        }
        let is_word = matches!(
            token.kind,
            TokenKind::Identifier
                | TokenKind::MetricIdentifier
                | TokenKind::Aggregator(_)
                | TokenKind::By
                | TokenKind::Without
                | TokenKind::On
                | TokenKind::Ignoring
                | TokenKind::GroupLeft
                | TokenKind::GroupRight
                | TokenKind::Bool
                | TokenKind::Offset
                | TokenKind::Unless
                | TokenKind::And
                | TokenKind::Or
                | TokenKind::Start
                | TokenKind::End
        );
        if is_word && token.end == before.len() {
            prefix_start = token.start;
            end -= 1;
            last = tokens.get(end.wrapping_sub(1)).copied().filter(|_| end > 0);
        } else if token.kind == TokenKind::Error {
            return (Context::Nothing, before.len());
        }
    }
    // Which brackets are open, walking forwards.
    let mut in_braces = false;
    let mut label_lists: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut opens_label_list = false;
    for (i, token) in tokens[..end].iter().enumerate() {
        match token.kind {
            TokenKind::LeftBrace => in_braces = true,
            TokenKind::RightBrace => in_braces = false,
            TokenKind::By
            | TokenKind::Without
            | TokenKind::On
            | TokenKind::Ignoring
            | TokenKind::GroupLeft
            | TokenKind::GroupRight => {
                opens_label_list = tokens
                    .get(i + 1)
                    .is_some_and(|t| t.kind == TokenKind::LeftParen);
            }
            TokenKind::LeftParen => {
                depth += 1;
                if opens_label_list {
                    label_lists.push(depth);
                    opens_label_list = false;
                }
            }
            TokenKind::RightParen => {
                if label_lists.last() == Some(&depth) {
                    label_lists.pop();
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    let previous = last.map(|t| t.kind);
    if in_braces {
        // After `{` or `,` a label name; elsewhere in the braces nothing.
        return match previous {
            Some(TokenKind::LeftBrace | TokenKind::Comma) => (
                Context::LabelName {
                    metric: braces_metric(before, &tokens[..end]),
                },
                prefix_start,
            ),
            _ => (Context::Nothing, before.len()),
        };
    }
    if label_lists.last() == Some(&depth) {
        return match previous {
            Some(TokenKind::LeftParen | TokenKind::Comma) => (Context::GroupingLabel, prefix_start),
            _ => (Context::Nothing, before.len()),
        };
    }
    // An expression may start after an operator, an opening bracket, a
    // comma, or at the start.
    let expression_follows = match previous {
        None => true,
        Some(kind) => matches!(
            kind,
            TokenKind::LeftParen
                | TokenKind::Comma
                | TokenKind::Add
                | TokenKind::Sub
                | TokenKind::Mul
                | TokenKind::Div
                | TokenKind::Mod
                | TokenKind::Pow
                | TokenKind::EqlC
                | TokenKind::Neq
                | TokenKind::Lte
                | TokenKind::Lss
                | TokenKind::Gte
                | TokenKind::Gtr
                | TokenKind::And
                | TokenKind::Or
                | TokenKind::Unless
                | TokenKind::Atan2
                | TokenKind::Bool
                | TokenKind::RightParen
        ),
    };
    // `sum by (a) (` and `x + on (a) y`: after a closed label list an
    // expression follows too.
    if expression_follows {
        (Context::Expression, prefix_start)
    } else {
        (Context::Nothing, before.len())
    }
}

/// For a value being typed after `name op "`: the metric the braces belong
/// to and the label name.
fn matcher_before(
    before: &str,
    tokens: &[crate::promql::lexer::Token],
) -> (Option<String>, Option<String>) {
    let n = tokens.len();
    if n < 2 {
        return (None, None);
    }
    let op = tokens[n - 1].kind;
    let is_matcher = matches!(
        op,
        TokenKind::Eql | TokenKind::Neq | TokenKind::EqlRegex | TokenKind::NeqRegex
    );
    let label = tokens[n - 2];
    if !is_matcher
        || !matches!(
            label.kind,
            TokenKind::Identifier | TokenKind::MetricIdentifier
        )
    {
        return (None, None);
    }
    (
        braces_metric(before, tokens),
        Some(label.text(before).to_owned()),
    )
}

/// The metric name written before the last open `{`, if any.
fn braces_metric(before: &str, tokens: &[crate::promql::lexer::Token]) -> Option<String> {
    let brace = tokens
        .iter()
        .rposition(|t| t.kind == TokenKind::LeftBrace)?;
    let name = tokens.get(brace.checked_sub(1)?)?;
    matches!(
        name.kind,
        TokenKind::Identifier | TokenKind::MetricIdentifier
    )
    .then(|| name.text(before).to_owned())
}

/// A label value as it goes between double quotes.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Labels;

    fn labels(list: &[Suggestion]) -> Vec<String> {
        list.iter().map(|s| s.label.clone()).collect()
    }

    fn store() -> SeriesStore {
        let mut store = SeriesStore::new();
        for (endpoint, status) in [
            ("/treecounter", "200"),
            ("/upstream", "200"),
            ("/upstream", "503"),
        ] {
            let labels = Labels::with_name(
                "requests_total",
                [("endpoint", endpoint), ("status", status)],
            );
            store.append(&labels, 0, 1.0).unwrap();
        }
        let latency = Labels::with_name(
            "request_latency_seconds_bucket",
            [("endpoint", "/"), ("le", "0.1")],
        );
        store.append(&latency, 0, 1.0).unwrap();
        store
            .append(&Labels::with_name("up", [("job", "treecounter")]), 0, 1.0)
            .unwrap();
        store
    }

    /// The labels suggested with the cursor at `|` in `query`.
    fn check(query: &str, expect: &[&str]) {
        let cursor = query.find('|').expect("a cursor");
        let text = query.replace('|', "");
        let got: Vec<String> = suggestions(&text, cursor, &store(), 8)
            .into_iter()
            .map(|s| s.label)
            .collect();
        assert_eq!(got, expect, "{query}");
    }

    #[test]
    fn a_name_typed_in_full_is_not_followed_by_names_that_merely_contain_it() {
        let store = store();
        // "up" is a metric: "group" (which contains it) is not offered.
        let offered = labels(&suggestions("up", 2, &store, 20));
        assert!(!offered.iter().any(|l| l == "group"), "{offered:?}");
        // Unfinished, the contained matches still come after the prefixes.
        let offered = labels(&suggestions("rou", 3, &store, 20));
        assert!(offered.iter().any(|l| l == "group"), "{offered:?}");
    }

    #[test]
    fn offers_what_fits_the_grammar() {
        check(
            "req|",
            &["request_latency_seconds_bucket", "requests_total"],
        );
        check(
            "sum(rate(requests_total{endpoint=\"|",
            &["/treecounter", "/upstream"],
        );
        check("requests_total{status=~\"5|", &["503"]);
        check("requests_total{|", &["endpoint", "status"]);
        check("requests_total{endpoint=\"/\",st|", &["status"]);
        check("sum by (|", &["endpoint", "job", "le", "status"]);
        check("sum by (endpoint, j|", &["job"]);
        check("histogram_q|", &["histogram_quantile"]);
        check("requests_total |", &[]);
        check("requests_total{endpoint=|", &[]);
        check("rate(requests_total[5|", &[]);
        // Anywhere in the word: "total" finds requests_total.
        check("total|", &["requests_total"]);
    }

    #[test]
    fn functions_carry_their_signature_and_insert_the_parenthesis() {
        let got = suggestions("irat", 4, &store(), 4);
        assert_eq!(got[0].insert, "irate(");
        assert!(
            got[0].detail.starts_with("irate(v range-vector) — "),
            "{}",
            got[0].detail
        );
        assert_eq!(got[0].replace_start, 0);
        let value = suggestions("up{job=\"t", 9, &store(), 4);
        assert_eq!(value[0].insert, "treecounter\"");
        assert_eq!(value[0].replace_start, 8);
    }
}
