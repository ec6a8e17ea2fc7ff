//! An expression back to text, as Prometheus's `String()` methods
//! (`promql/parser/printer.go`) write it: `sum by (job) (rate(x[5m]))`,
//! `a + on (x) group_left (y) b`, `foo @ 100.000 offset 5m`.
//!
//! Parsing the printed text gives the same tree (spans aside). Also here:
//! Go's quoting rules (`strconv.Quote`, `%q` of a rune), which both the
//! printer and the lexer's messages need.

use std::fmt::{self, Display, Formatter, Write};

use crate::labels::{is_legacy_label_name, MatchOp, Matcher, METRIC_NAME};
use crate::promql::ast::{
    At, BinaryOp, Cardinality, Expr, ExprKind, MatrixSelector, Subquery, UnaryOp, ValueType,
    VectorSelector,
};
use crate::promql::duration::format_duration;

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Number(value) => f.write_str(&format_number(*value)),
            ExprKind::String(value) => f.write_str(&go_quote(value)),
            ExprKind::Selector(selector) => write_selector(f, selector, true),
            ExprKind::Range(matrix) => write_matrix(f, matrix),
            ExprKind::Subquery(subquery) => write_subquery(f, subquery),
            ExprKind::Call(call) => {
                write!(f, "{}(", call.func.name())?;
                for (i, arg) in call.args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{arg}")?;
                }
                f.write_str(")")
            }
            ExprKind::Aggregate(aggregate) => {
                f.write_str(aggregate.op.name())?;
                if aggregate.without {
                    write!(f, " without ({}) ", LabelList(&aggregate.grouping))?;
                } else if !aggregate.grouping.is_empty() {
                    write!(f, " by ({}) ", LabelList(&aggregate.grouping))?;
                }
                f.write_str("(")?;
                if let Some(param) = &aggregate.param {
                    write!(f, "{param}, ")?;
                }
                write!(f, "{})", aggregate.expr)
            }
            ExprKind::Binary(binary) => {
                match binary.lhs.kind {
                    // Prometheus writes `+Inf ^ 2`, which parses back as
                    // `+(Inf ^ 2)`; `Inf ^ 2` keeps the tree.
                    ExprKind::Number(value)
                        if binary.op == BinaryOp::Pow && value == f64::INFINITY =>
                    {
                        f.write_str("Inf")?;
                    }
                    _ => write!(f, "{}", binary.lhs)?,
                }
                write!(f, " {}", binary.op.as_str())?;
                if binary.return_bool {
                    f.write_str(" bool")?;
                }
                let both_vectors = binary.lhs.value_type() == ValueType::Vector
                    && binary.rhs.value_type() == ValueType::Vector;
                if both_vectors {
                    let matching = &binary.matching;
                    let grouped = matches!(
                        matching.card,
                        Cardinality::ManyToOne | Cardinality::OneToMany
                    );
                    if !matching.labels.is_empty() || matching.on || grouped {
                        let keyword = if matching.on { "on" } else { "ignoring" };
                        write!(f, " {keyword} ({})", LabelList(&matching.labels))?;
                    }
                    if grouped {
                        let side = if matching.card == Cardinality::ManyToOne {
                            "left"
                        } else {
                            "right"
                        };
                        write!(f, " group_{side} ({})", LabelList(&matching.include))?;
                    }
                }
                write!(f, " {}", binary.rhs)
            }
            ExprKind::Unary(unary) => {
                let sign = match unary.op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Plus => "+",
                };
                write!(f, "{sign}{}", unary.expr)
            }
            ExprKind::Paren(inner) => write!(f, "({inner})"),
        }
    }
}

/// A number as Go's `strconv.FormatFloat(v, 'f', -1, 64)` writes it:
/// shortest digits, never an exponent; `+Inf`, `-Inf`, `NaN`.
pub fn format_number(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else {
        // Rust's `Display` for floats also writes the shortest digits that
        // round-trip, without an exponent.
        value.to_string()
    }
}

/// Label names as Prometheus lists them in `by (...)`, `on (...)`:
/// comma-separated, quoted when not a legacy name.
struct LabelList<'a>(&'a [String]);

impl Display for LabelList<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, name) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            if is_legacy_label_name(name) {
                f.write_str(name)?;
            } else {
                f.write_str(&go_quote(name))?;
            }
        }
        Ok(())
    }
}

/// `name{matchers}`, then (when `modifiers`) ` @ t` and ` offset d`.
fn write_selector(
    f: &mut Formatter<'_>,
    selector: &VectorSelector,
    modifiers: bool,
) -> fmt::Result {
    let name = selector.name.as_deref().unwrap_or("");
    let mut matchers: Vec<String> = selector
        .matchers
        .iter()
        .filter(|m| {
            !(m.name == METRIC_NAME
                && m.op == MatchOp::Equal
                && m.value == name
                && !name.is_empty())
        })
        .map(matcher_text)
        .collect();
    f.write_str(name)?;
    if !matchers.is_empty() {
        matchers.sort_unstable();
        write!(f, "{{{}}}", matchers.join(","))?;
    }
    if modifiers {
        write_at(f, selector.at)?;
        write_offset(f, selector.offset_ms)?;
    }
    Ok(())
}

/// A matcher as Prometheus's `Matcher.String()`: the name bare when it is
/// a legacy label name, the value always in Go quotes.
fn matcher_text(matcher: &Matcher) -> String {
    let mut out = String::new();
    if is_legacy_label_name(&matcher.name) {
        out.push_str(&matcher.name);
    } else {
        out.push_str(&go_quote(&matcher.name));
    }
    out.push_str(matcher.op.as_str());
    out.push_str(&go_quote(&matcher.value));
    out
}

fn write_matrix(f: &mut Formatter<'_>, matrix: &MatrixSelector) -> fmt::Result {
    write_selector(f, &matrix.selector, false)?;
    write!(f, "[{}]", format_duration(matrix.range_ms))?;
    write_at(f, matrix.selector.at)?;
    write_offset(f, matrix.selector.offset_ms)
}

fn write_subquery(f: &mut Formatter<'_>, subquery: &Subquery) -> fmt::Result {
    write!(
        f,
        "{}[{}:",
        subquery.expr,
        format_duration(subquery.range_ms)
    )?;
    if let Some(step) = subquery.step_ms.filter(|&step| step != 0) {
        f.write_str(&format_duration(step))?;
    }
    f.write_str("]")?;
    write_at(f, subquery.at)?;
    write_offset(f, subquery.offset_ms)
}

fn write_at(f: &mut Formatter<'_>, at: Option<At>) -> fmt::Result {
    match at {
        Some(At::Time(ms)) => write!(f, " @ {:.3}", ms as f64 / 1000.0),
        Some(At::Start) => f.write_str(" @ start()"),
        Some(At::End) => f.write_str(" @ end()"),
        None => Ok(()),
    }
}

fn write_offset(f: &mut Formatter<'_>, offset_ms: i64) -> fmt::Result {
    match offset_ms {
        0 => Ok(()),
        ms if ms > 0 => write!(f, " offset {}", format_duration(ms)),
        ms => write!(f, " offset -{}", format_duration(ms.saturating_neg())),
    }
}

/// Whether Go's `strconv.IsPrint` holds for `c`: letters, marks, numbers,
/// punctuation, symbols and the ASCII space. Approximated for non-ASCII
/// text: controls, separators other than U+0020, format characters,
/// private use and non-characters are treated as unprintable.
pub(crate) fn go_is_print(c: char) -> bool {
    let code = c as u32;
    if code < 0x80 {
        return (0x20..0x7f).contains(&code);
    }
    !matches!(code,
        0x80..=0xA0
        | 0xAD
        | 0x600..=0x605
        | 0x61C
        | 0x6DD
        | 0x70F
        | 0x1680
        | 0x180E
        | 0x2000..=0x200F
        | 0x2028..=0x202F
        | 0x205F..=0x206F
        | 0x3000
        | 0xD800..=0xF8FF
        | 0xFDD0..=0xFDEF
        | 0xFEFF
        | 0xFFF9..=0xFFFB
        // U+FFFD stands for bytes that were not UTF-8 (Go prints them as
        // `\x..`); written as an escape it reads back the same, while
        // Prometheus's lexer refuses it raw.
        | 0xFFFD..=0xFFFF
        | 0x110BD
        | 0x1D173..=0x1D17A
        | 0xE0001..=0xE007F
        | 0xF0000..=0x10FFFF)
}

fn push_escaped(out: &mut String, c: char, quote: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if go_is_print(c) => out.push(c),
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c == '\u{7f}' => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// `s` in double quotes with Go's escapes, as `strconv.Quote` and `%q`
/// write it.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// A character as Go's `%q` writes a rune: `'x'`, `'\n'`, `'\''`; the end
/// of input (Go's rune -1) as the replacement character.
pub fn go_quote_rune(c: Option<char>) -> String {
    let Some(c) = c else {
        return "'\u{FFFD}'".to_owned();
    };
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// A character as Go's `%#U` writes it: `U+0063 'c'`.
pub fn go_unicode_format(c: char) -> String {
    if go_is_print(c) {
        format!("U+{:04X} '{c}'", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}
