//! Labels, the identity of a series, and label matchers, the way a selector
//! picks series.
//!
//! As in Prometheus, the metric name is one label among the others,
//! `__name__`, so `requests_total{status="200"}` and
//! `{__name__="requests_total", status="200"}` are the same selector. A label
//! with an empty value is the same as no label at all.

use std::fmt;
use std::sync::Arc;

use regex_lite::Regex;

/// The label that holds the metric name.
pub const METRIC_NAME: &str = "__name__";

/// One label: a name and a non-empty value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label {
    /// The label name, e.g. `status`.
    pub name: String,
    /// The label value, e.g. `200`.
    pub value: String,
}

/// A set of labels sorted by name, each name at most once, no empty value.
///
/// Cloning is cheap (a reference count): the evaluator hands the same label
/// set to every step of a range query. Label sets order as Prometheus orders
/// them (`labels.Compare`): pair by pair, name then value.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Labels(Arc<[Label]>);

impl Labels {
    /// The empty label set.
    pub fn empty() -> Labels {
        Labels::default()
    }

    /// Builds a label set from pairs in any order. Empty values are
    /// dropped; when a name repeats, the last value wins.
    pub fn new<N, V>(pairs: impl IntoIterator<Item = (N, V)>) -> Labels
    where
        N: Into<String>,
        V: Into<String>,
    {
        let mut builder = LabelsBuilder::default();
        for (name, value) in pairs {
            builder.set(name, value);
        }
        builder.build()
    }

    /// A metric name and its other labels.
    pub fn with_name<N, V>(name: &str, pairs: impl IntoIterator<Item = (N, V)>) -> Labels
    where
        N: Into<String>,
        V: Into<String>,
    {
        let mut builder = LabelsBuilder::default();
        builder.set(METRIC_NAME, name);
        for (label, value) in pairs {
            builder.set(label, value);
        }
        builder.build()
    }

    /// The labels, sorted by name.
    pub fn iter(&self) -> std::slice::Iter<'_, Label> {
        self.0.iter()
    }

    /// How many labels there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of label `name`, if the set has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .binary_search_by(|label| label.name.as_str().cmp(name))
            .ok()
            .map(|i| self.0[i].value.as_str())
    }

    /// The metric name (`__name__`), if any.
    pub fn metric_name(&self) -> Option<&str> {
        self.get(METRIC_NAME)
    }

    /// The same labels without the metric name.
    pub fn without_metric_name(&self) -> Labels {
        if self.metric_name().is_none() {
            return self.clone();
        }
        Labels(
            self.0
                .iter()
                .filter(|label| label.name != METRIC_NAME)
                .cloned()
                .collect(),
        )
    }

    /// Only the labels named in `names` (`on (...)`, `by (...)`).
    pub fn keep(&self, names: &[String]) -> Labels {
        Labels(
            self.0
                .iter()
                .filter(|label| names.contains(&label.name))
                .cloned()
                .collect(),
        )
    }

    /// Every label but those named in `names` and the metric name
    /// (`ignoring (...)`, `without (...)`).
    pub fn drop_with_name(&self, names: &[String]) -> Labels {
        Labels(
            self.0
                .iter()
                .filter(|label| label.name != METRIC_NAME && !names.contains(&label.name))
                .cloned()
                .collect(),
        )
    }

    /// Every label in braces, the metric name included, as Prometheus's
    /// `labels.String()` writes them in messages: `{__name__="up", job="a"}`.
    pub fn braces_text(&self) -> String {
        let mut out = String::from("{");
        for (i, label) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            push_label_name(&mut out, &label.name);
            out.push('=');
            push_quoted(&mut out, &label.value);
        }
        out.push('}');
        out
    }

    /// A builder starting from these labels.
    pub fn to_builder(&self) -> LabelsBuilder {
        LabelsBuilder {
            labels: self.0.to_vec(),
        }
    }

    /// The labels without the metric name, as PromQL prints them:
    /// `{endpoint="/upstream",status="503"}`.
    pub fn labels_text(&self) -> String {
        let mut out = String::from("{");
        let mut first = true;
        for label in self.iter().filter(|l| l.name != METRIC_NAME) {
            if !first {
                out.push_str(", ");
            }
            first = false;
            push_label_name(&mut out, &label.name);
            out.push('=');
            push_quoted(&mut out, &label.value);
        }
        out.push('}');
        out
    }
}

impl fmt::Display for Labels {
    /// `name{label="value", ...}` as Prometheus prints a series; a label set
    /// without a name prints as `{...}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.metric_name();
        if let Some(name) = name {
            if is_legacy_metric_name(name) {
                f.write_str(name)?;
                if self.len() == 1 {
                    return Ok(());
                }
                return f.write_str(&self.labels_text());
            }
        }
        // No name, or one that needs quoting: everything goes in the braces.
        let mut out = String::from("{");
        if let Some(name) = name {
            push_quoted(&mut out, name);
        }
        for label in self.iter().filter(|l| l.name != METRIC_NAME) {
            if out.len() > 1 {
                out.push_str(", ");
            }
            push_label_name(&mut out, &label.name);
            out.push('=');
            push_quoted(&mut out, &label.value);
        }
        out.push('}');
        f.write_str(&out)
    }
}

impl fmt::Debug for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Whether `name` is a metric name PromQL can write without quotes.
pub fn is_legacy_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Whether `name` is a label name PromQL can write without quotes.
pub fn is_legacy_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn push_label_name(out: &mut String, name: &str) {
    if is_legacy_label_name(name) {
        out.push_str(name);
    } else {
        push_quoted(out, name);
    }
}

/// `value` in double quotes with Go's escapes, as [`push_quoted`] writes
/// it. (Messages use this rather than `{:?}`: Rust's debug escaping brings
/// the Unicode tables into the wasm.)
pub fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    push_quoted(&mut out, value);
    out
}

/// Appends `value` in double quotes with Go's escapes for `"`, `\` and
/// control characters, as Prometheus prints label values.
pub fn push_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Builds a [`Labels`] by setting and deleting labels.
#[derive(Clone, Debug, Default)]
pub struct LabelsBuilder {
    labels: Vec<Label>,
}

impl LabelsBuilder {
    /// Sets `name` to `value`; an empty value deletes the label.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let name = name.into();
        let value = value.into();
        match self.labels.binary_search_by(|l| l.name.cmp(&name)) {
            Ok(i) if value.is_empty() => {
                self.labels.remove(i);
            }
            Ok(i) => self.labels[i].value = value,
            Err(_) if value.is_empty() => {}
            Err(i) => self.labels.insert(i, Label { name, value }),
        }
        self
    }

    /// Deletes `name`, if present.
    pub fn del(&mut self, name: &str) -> &mut Self {
        if let Ok(i) = self.labels.binary_search_by(|l| l.name.as_str().cmp(name)) {
            self.labels.remove(i);
        }
        self
    }

    /// The current value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.labels
            .binary_search_by(|l| l.name.as_str().cmp(name))
            .ok()
            .map(|i| self.labels[i].value.as_str())
    }

    /// The finished label set.
    pub fn build(self) -> Labels {
        Labels(self.labels.into())
    }
}

/// How a matcher compares a label's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchOp {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~`, a fully anchored regular expression.
    Regex,
    /// `!~`
    NotRegex,
}

impl MatchOp {
    /// The operator as written in PromQL.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }
}

/// Why a matcher could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid regular expression {}: {message}", quoted(pattern))]
pub struct RegexError {
    /// The pattern as written.
    pub pattern: String,
    /// What the regex engine said.
    pub message: String,
}

/// One `name op "value"` condition of a selector.
#[derive(Clone)]
pub struct Matcher {
    /// The label it looks at.
    pub name: String,
    /// How it compares.
    pub op: MatchOp,
    /// The value or pattern as written.
    pub value: String,
    regex: Option<Regex>,
}

impl Matcher {
    /// A matcher; regular expressions are anchored at both ends and `.`
    /// matches newlines too, as in Prometheus 3 (`^(?s:pattern)$`).
    pub fn new(
        op: MatchOp,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Matcher, RegexError> {
        let value = value.into();
        let regex = match op {
            MatchOp::Regex | MatchOp::NotRegex => Some(compile_anchored(&value)?),
            MatchOp::Equal | MatchOp::NotEqual => None,
        };
        Ok(Matcher {
            name: name.into(),
            op,
            value,
            regex,
        })
    }

    /// `name="value"`, which cannot fail.
    pub fn equal(name: impl Into<String>, value: impl Into<String>) -> Matcher {
        Matcher {
            name: name.into(),
            op: MatchOp::Equal,
            value: value.into(),
            regex: None,
        }
    }

    /// Whether a label value (empty when the label is absent) matches.
    pub fn matches(&self, value: &str) -> bool {
        match (self.op, &self.regex) {
            (MatchOp::Equal, _) => self.value == value,
            (MatchOp::NotEqual, _) => self.value != value,
            (MatchOp::Regex, Some(regex)) => regex.is_match(value),
            (MatchOp::NotRegex, Some(regex)) => !regex.is_match(value),
            (MatchOp::Regex | MatchOp::NotRegex, None) => false,
        }
    }

    /// Whether the series with `labels` satisfies this matcher.
    pub fn matches_labels(&self, labels: &Labels) -> bool {
        self.matches(labels.get(&self.name).unwrap_or(""))
    }

    /// Whether the matcher accepts the empty string, i.e. series without
    /// the label. A selector needs at least one matcher that does not.
    pub fn matches_empty(&self) -> bool {
        self.matches("")
    }
}

/// Compiles `pattern` anchored as Prometheus 3 does: `^(?s:pattern)$`.
pub fn compile_anchored(pattern: &str) -> Result<Regex, RegexError> {
    Regex::new(&format!("^(?s:{pattern})$")).map_err(|e| RegexError {
        pattern: pattern.to_owned(),
        message: e.to_string(),
    })
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Matcher) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        push_label_name(&mut out, &self.name);
        out.push_str(self.op.as_str());
        push_quoted(&mut out, &self.value);
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_sets_sort_drop_empty_values_and_print_like_prometheus() {
        let labels = Labels::with_name(
            "requests_total",
            [("status", "503"), ("endpoint", "/upstream"), ("empty", "")],
        );
        assert_eq!(
            labels.to_string(),
            "requests_total{endpoint=\"/upstream\", status=\"503\"}"
        );
        assert_eq!(labels.get("status"), Some("503"));
        assert_eq!(labels.get("empty"), None);
        assert_eq!(labels.metric_name(), Some("requests_total"));
        assert_eq!(
            labels.without_metric_name().to_string(),
            "{endpoint=\"/upstream\", status=\"503\"}"
        );
        assert_eq!(Labels::with_name::<&str, &str>("up", []).to_string(), "up");
        assert_eq!(Labels::empty().to_string(), "{}");
        let escaped = Labels::new([("a", "q\"\\\n")]);
        assert_eq!(escaped.to_string(), "{a=\"q\\\"\\\\\\n\"}");
        let utf8 = Labels::with_name("my.metric", [("label.x", "v")]);
        assert_eq!(utf8.to_string(), "{\"my.metric\", \"label.x\"=\"v\"}");
    }

    #[test]
    fn label_sets_order_as_labels_compare() {
        let a = Labels::new([("a", "1")]);
        let ab = Labels::new([("a", "1"), ("b", "1")]);
        let b = Labels::new([("b", "0")]);
        let a2 = Labels::new([("a", "2")]);
        let mut sets = vec![b.clone(), a2.clone(), ab.clone(), a.clone()];
        sets.sort();
        assert_eq!(sets, [a, ab, a2, b]);
    }

    #[test]
    fn builder_sets_replaces_and_deletes() {
        let mut builder = Labels::new([("b", "2"), ("a", "1")]).to_builder();
        builder.set("c", "3").set("a", "x").del("b").set("c", "");
        assert_eq!(builder.build(), Labels::new([("a", "x")]));
    }

    fn check_match(op: MatchOp, pattern: &str, yes: &[&str], no: &[&str]) {
        let matcher = Matcher::new(op, "l", pattern).unwrap();
        for value in yes {
            assert!(matcher.matches(value), "{matcher} should match {value:?}");
        }
        for value in no {
            assert!(
                !matcher.matches(value),
                "{matcher} should not match {value:?}"
            );
        }
    }

    #[test]
    fn regex_matchers_are_fully_anchored_and_dot_matches_newline() {
        check_match(
            MatchOp::Regex,
            "/up.*",
            &["/upstream", "/up"],
            &["x/upstream", ""],
        );
        check_match(
            MatchOp::Regex,
            "2..|503",
            &["200", "503"],
            &["5033", "1200"],
        );
        check_match(MatchOp::Regex, "a.b", &["a\nb"], &["ab"]);
        check_match(MatchOp::Regex, "", &[""], &["x"]);
        check_match(MatchOp::NotRegex, "4..", &["", "200"], &["404"]);
        check_match(MatchOp::Equal, "", &[""], &["x"]);
        check_match(MatchOp::NotEqual, "x", &["", "y"], &["x"]);
        assert!(Matcher::new(MatchOp::Regex, "l", "(").is_err());
    }
}
