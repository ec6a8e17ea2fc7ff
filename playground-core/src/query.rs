//! What the query panels show, computed here so the page only draws it:
//! a query's result as table rows or graph lines, stacked lines, the
//! editor's highlighted segments with the error underlined, accepting a
//! suggestion, the query history kept in the browser, and the windows
//! behind a `rate()` for the explain view.

use tinyprom::labels::Labels;
use tinyprom::promql::ast::{Call, Expr, ExprKind, Span};
use tinyprom::promql::catalog::Function;
use tinyprom::promql::complete::Suggestion;
use tinyprom::promql::explain::{
    explain, explain_window, EdgeRule, ExplainNode, WindowExplanation,
};
use tinyprom::promql::highlight::{highlight, Class};
use tinyprom::promql::value::{format_timestamp, format_value, points};
use tinyprom::promql::{parse, QueryValue};
use tinyprom::storage::SeriesStore;

use crate::chart::format_clock;
use crate::playground::GraphSeries;

/// The query every first panel starts with.
pub const DEFAULT_QUERY: &str = "rate(requests_total[1m])";

/// The workshop's queries, one click away: a name and the query.
pub const EXAMPLES: [(&str, &str); 5] = [
    ("requests", "requests_total"),
    ("rate", "rate(requests_total[1m])"),
    ("by endpoint", "sum by (endpoint) (rate(requests_total[1m]))"),
    (
        "upstream error ratio",
        "sum(rate(requests_total{endpoint=\"/upstream\", status=\"503\"}[1m]))\n  /\nsum(rate(requests_total{endpoint=\"/upstream\"}[1m]))",
    ),
    (
        "p90 latency",
        "histogram_quantile(0.9, sum by (le) (rate(request_latency_seconds_bucket{endpoint=\"/treecounter\"}[1m])))",
    ),
];

/// The most rows a table shows; the rest are counted.
pub const MAX_TABLE_ROWS: usize = 1000;

/// One row of the table: a series and its value as Prometheus prints them.
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    /// `requests_total{endpoint="/treecounter", status="200"}`, or `{}`.
    pub series: String,
    /// The value; for a range vector, each sample as `value @time`, one per
    /// line.
    pub value: String,
}

/// An instant query's result, as the table shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Table {
    /// One row per series (at most [`MAX_TABLE_ROWS`]), and how many
    /// series there were in all.
    Series {
        /// The rows shown.
        rows: Vec<TableRow>,
        /// Series in the result.
        total: usize,
    },
    /// A scalar, printed as Prometheus prints it.
    Scalar(String),
    /// A string.
    String(String),
}

/// An instant vector's table as `series value` lines, for tests.
#[cfg(test)]
pub(crate) fn series_lines(value: &QueryValue) -> Vec<String> {
    match table(value) {
        Table::Series { rows, .. } => rows
            .into_iter()
            .map(|row| format!("{} {}", row.series, row.value))
            .collect(),
        other => panic!("not an instant vector: {other:?}"),
    }
}

/// The table of an instant query's result, in the order Prometheus
/// returns it.
pub fn table(value: &QueryValue) -> Table {
    match value {
        QueryValue::Scalar { f, .. } => Table::Scalar(format_value(*f)),
        QueryValue::String { s, .. } => Table::String(s.clone()),
        QueryValue::Vector(samples) => Table::Series {
            rows: samples
                .iter()
                .take(MAX_TABLE_ROWS)
                .map(|sample| TableRow {
                    series: sample.labels.to_string(),
                    value: format_value(sample.f),
                })
                .collect(),
            total: samples.len(),
        },
        QueryValue::Matrix(series) => Table::Series {
            rows: series
                .iter()
                .take(MAX_TABLE_ROWS)
                .map(|s| {
                    let mut value = String::new();
                    for (t, f) in points(s) {
                        if !value.is_empty() {
                            value.push('\n');
                        }
                        value.push_str(&format_value(f));
                        value.push_str(" @");
                        value.push_str(&format_timestamp(t));
                    }
                    TableRow {
                        series: s.labels.to_string(),
                        value,
                    }
                })
                .collect(),
            total: series.len(),
        },
    }
}

/// The lines of a range query's result (a matrix); nothing for any other
/// value.
pub fn graph_lines(value: QueryValue) -> Vec<GraphSeries> {
    match value {
        QueryValue::Matrix(series) => series
            .into_iter()
            .map(|s| GraphSeries {
                points: points(&s).collect(),
                labels: s.labels,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The lines stacked: each point raised by the values the lines before it
/// have at the same time, so the last line is the total. A value that is
/// not finite adds nothing to the lines above it.
pub fn stack(lines: &[GraphSeries]) -> Vec<GraphSeries> {
    // Running totals by time, kept sorted: the lines share the step grid,
    // so this stays as long as one line.
    let mut totals: Vec<(i64, f64)> = Vec::new();
    lines
        .iter()
        .map(|line| {
            let points = line
                .points
                .iter()
                .map(|&(t, f)| {
                    let add = if f.is_finite() { f } else { 0.0 };
                    let i = totals.partition_point(|&(time, _)| time < t);
                    let below = match totals.get_mut(i) {
                        Some((time, total)) if *time == t => {
                            let below = *total;
                            *total += add;
                            below
                        }
                        _ => {
                            totals.insert(i, (t, add));
                            0.0
                        }
                    };
                    (t, if f.is_finite() { below + f } else { f })
                })
                .collect();
            GraphSeries {
                labels: line.labels.clone(),
                points,
            }
        })
        .collect()
}

/// A piece of the editor's text: bytes `start..end`, its highlighting
/// class, and whether the parse error's span covers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The highlighting class.
    pub class: Class,
    /// Inside the error's span.
    pub error: bool,
}

/// The query's highlighting cut where the error's span starts and ends, so
/// the page can underline exactly the offending bytes. An empty span (the
/// error is at the end of the input) marks the last character, or nothing
/// in an empty query.
pub fn segments(query: &str, error: Option<Span>) -> Vec<Segment> {
    let error = error.map(|span| {
        let start = floor_char_boundary(query, span.start.min(query.len()));
        let end = floor_char_boundary(query, span.end.min(query.len())).max(start);
        if start < end {
            (start, end)
        } else {
            // Widen to the character before (or at) the position.
            let before = query[..start].chars().next_back().map_or(0, char::len_utf8);
            let after = query[start..].chars().next().map_or(0, char::len_utf8);
            if after > 0 {
                (start, start + after)
            } else {
                (start - before, start)
            }
        }
    });
    let mut out = Vec::new();
    for run in highlight(query) {
        let mut cuts = vec![run.start];
        if let Some((start, end)) = error {
            for cut in [start, end] {
                if run.start < cut && cut < run.end {
                    cuts.push(cut);
                }
            }
        }
        cuts.push(run.end);
        for pair in cuts.windows(2) {
            let (start, end) = (pair[0], pair[1]);
            if start == end {
                continue;
            }
            out.push(Segment {
                start,
                end,
                class: run.class,
                error: error.is_some_and(|(s, e)| s <= start && end <= e),
            });
        }
    }
    out
}

/// The largest char boundary of `text` at or before `i`.
fn floor_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The byte offset of the position `units` UTF-16 code units into `text`
/// (the browser counts a textarea's cursor in those), clamped to the text.
pub fn utf16_to_byte(text: &str, units: u32) -> usize {
    let mut seen = 0u32;
    for (i, c) in text.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16() as u32;
    }
    text.len()
}

/// The UTF-16 position of byte `byte` of `text` (rounded down to a
/// character).
pub fn byte_to_utf16(text: &str, byte: usize) -> u32 {
    let byte = floor_char_boundary(text, byte);
    text[..byte].chars().map(|c| c.len_utf16() as u32).sum()
}

/// Whether `suggestion` continues what was typed before `cursor` (its
/// label starts with the typed word, ignoring case), rather than merely
/// containing it: Enter takes such a suggestion without the visitor
/// choosing it, and otherwise runs the query.
pub fn continues_typed(query: &str, cursor: usize, suggestion: &Suggestion) -> bool {
    let cursor = floor_char_boundary(query, cursor);
    let start = floor_char_boundary(query, suggestion.replace_start.min(cursor));
    let typed = query[start..cursor].to_ascii_lowercase();
    suggestion.label.to_ascii_lowercase().starts_with(&typed)
}

/// `query` with `suggestion` accepted at `cursor`, and where the cursor
/// goes: after the inserted text.
pub fn accept(query: &str, cursor: usize, suggestion: &Suggestion) -> (String, usize) {
    let cursor = floor_char_boundary(query, cursor);
    let start = floor_char_boundary(query, suggestion.replace_start.min(cursor));
    let mut out = String::with_capacity(query.len() + suggestion.insert.len());
    out.push_str(&query[..start]);
    out.push_str(&suggestion.insert);
    let new_cursor = out.len();
    out.push_str(&query[cursor..]);
    (out, new_cursor)
}

/// The most queries the history keeps.
pub const MAX_HISTORY: usize = 50;
/// Separates entries in storage: a character no query contains by
/// accident (the ASCII record separator).
const RECORD_SEPARATOR: char = '\u{1e}';

/// The queries run last, newest first, without repeats.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    entries: Vec<String>,
}

impl History {
    /// The history stored as `text` by [`History::to_storage`]; anything
    /// else gives what can be read of it.
    pub fn from_storage(text: &str) -> History {
        let mut history = History::default();
        for entry in text.split(RECORD_SEPARATOR).rev() {
            history.push(entry);
        }
        history
    }

    /// The history as one string, for `localStorage`.
    pub fn to_storage(&self) -> String {
        let mut out = String::new();
        for (i, entry) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(RECORD_SEPARATOR);
            }
            out.push_str(entry);
        }
        out
    }

    /// Records a query run: it moves to the front; the oldest falls off
    /// past [`MAX_HISTORY`]. Blank queries are not kept.
    pub fn push(&mut self, query: &str) {
        let query = query.trim();
        if query.is_empty() || query.contains(RECORD_SEPARATOR) {
            return;
        }
        self.entries.retain(|entry| entry != query);
        self.entries.insert(0, query.to_owned());
        self.entries.truncate(MAX_HISTORY);
    }

    /// The queries, newest first.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }
}

/// The first call of `rate`, `increase`, `delta`, `irate` or `idelta` on a
/// plain range selector in `expr`, outermost and leftmost first: the one
/// the explain view takes apart.
pub fn window_call(expr: &Expr) -> Option<&Expr> {
    if as_window_call(expr).is_some() {
        return Some(expr);
    }
    expr.children().into_iter().find_map(window_call)
}

/// `expr` as a window function's call, if it is one.
fn as_window_call(expr: &Expr) -> Option<&Call> {
    let ExprKind::Call(call) = &expr.kind else {
        return None;
    };
    let windowed = matches!(
        call.func,
        Function::Rate | Function::Increase | Function::Delta | Function::Irate | Function::Idelta
    );
    let on_range = matches!(
        call.args.first().map(unparen),
        Some(Expr {
            kind: ExprKind::Range(_),
            ..
        })
    );
    (windowed && on_range).then_some(call)
}

/// The series the window call `expr` (see [`window_call`]) reads at `t`,
/// each with the numbers behind its result, in the store's order. Series
/// without a sample in the window are left out; anything but a window call
/// gives none.
pub fn windows(store: &SeriesStore, expr: &Expr, t: i64) -> Vec<WindowExplanation> {
    let Some(call) = as_window_call(expr) else {
        return Vec::new();
    };
    let Some(Expr {
        kind: ExprKind::Range(range),
        ..
    }) = call.args.first().map(unparen)
    else {
        return Vec::new();
    };
    let selected: Vec<Labels> = store
        .select(&range.selector.matchers)
        .map(|s| s.labels.clone())
        .collect();
    selected
        .iter()
        .filter_map(|labels| explain_window(store, call, labels, t))
        .filter(|window| !window.samples.is_empty())
        .collect()
}

/// A query taken apart for the explain view.
#[derive(Clone, Debug, PartialEq)]
pub struct Explained {
    /// The query's tree, each node evaluated on its own.
    pub tree: ExplainNode,
    /// The window function call taken apart (empty when there is none).
    pub window_query: String,
    /// Its windows, one per series it reads.
    pub windows: Vec<WindowExplanation>,
}

/// Explains `query` at `t`: its tree, and the windows of its first
/// `rate()` or kin. A query that does not parse gives its error.
pub fn explain_query(store: &SeriesStore, query: &str, t: i64) -> Result<Explained, String> {
    let expr = parse(query).map_err(|e| e.to_string())?;
    let call = window_call(&expr);
    Ok(Explained {
        tree: explain(store, query, &expr, t),
        window_query: call.map_or("", |call| call.span.of(query)).to_owned(),
        windows: call.map(|call| windows(store, call, t)).unwrap_or_default(),
    })
}

/// The arithmetic behind a window's result, one step per line, with every
/// number as Prometheus computes it: what the explain view prints under
/// the drawing.
pub fn arithmetic(window: &WindowExplanation) -> Vec<String> {
    let name = window.func.name();
    let range_s = seconds(window.range_end - window.range_start);
    let mut lines = vec![format!(
        "The window is ({}, {}]: the {} s up to the evaluation time, left end excluded.",
        clock(window.range_start),
        clock(window.range_end),
        format_value(range_s),
    )];
    if let Some(instant) = window.instant {
        let [.., previous, last] = window.samples[..] else {
            lines.push(format!(
                "{name}() needs two samples in the window; there is one."
            ));
            return lines;
        };
        let dt = seconds(last.t - previous.t);
        let rate = window.func == Function::Irate;
        let difference = if rate && last.f < previous.f {
            format!(
                "{} (a reset: the counter restarted, so its new value is the increase)",
                format_value(last.f)
            )
        } else {
            format!(
                "{} − {} = {}",
                format_value(last.f),
                format_value(previous.f),
                format_value(last.f - previous.f)
            )
        };
        lines.push(format!(
            "{name}() only looks at the last two samples: {} at {} and {} at {}.",
            format_value(previous.f),
            clock(previous.t),
            format_value(last.f),
            clock(last.t),
        ));
        lines.push(format!("Difference: {difference}."));
        lines.push(if rate {
            format!(
                "Divided by the {} s between them: {name} = {}.",
                format_value(dt),
                format_value(instant)
            )
        } else {
            format!("{name} = {}.", format_value(instant))
        });
        return lines;
    }
    let Some(e) = &window.extrapolation else {
        lines.push(format!(
            "{name}() needs two samples in the window; there is {}, so the series has no result.",
            window.samples.len()
        ));
        return lines;
    };
    lines.push(format!(
        "{} samples in it: the first is {} at {}, the last {} at {}.",
        e.count,
        format_value(e.first.f),
        clock(e.first.t),
        format_value(e.last.f),
        clock(e.last.t),
    ));
    let mut increase = format!("{} − {}", format_value(e.last.f), format_value(e.first.f));
    if !e.resets.is_empty() {
        lines.push(format!(
            "The counter was reset {} time{}: the value before each drop is added back.",
            e.resets.len(),
            if e.resets.len() == 1 { "" } else { "s" },
        ));
        for reset in &e.resets {
            increase.push_str(" + ");
            increase.push_str(&format_value(reset.f));
        }
    }
    let what = if window.func == Function::Delta {
        "Change"
    } else {
        "Increase"
    };
    lines.push(format!(
        "{what} the samples show: {increase} = {}.",
        format_value(e.increase)
    ));
    lines.push(format!(
        "They span {} s, {} s between samples on average.",
        format_value(e.sampled_interval),
        format_value(e.average_interval),
    ));
    lines.push(format!(
        "Start: the first sample is {} s after the window's start; {}: extend by {} s.",
        format_value(e.gap_to_start),
        edge_reason(e.start_rule),
        format_value(e.extend_start),
    ));
    lines.push(format!(
        "End: the last sample is {} s before the window's end; {}: extend by {} s.",
        format_value(e.gap_to_end),
        edge_reason(e.end_rule),
        format_value(e.extend_end),
    ));
    let stretch = if e.sampled_interval != 0.0 {
        (e.sampled_interval + e.extend_start + e.extend_end) / e.sampled_interval
    } else {
        1.0
    };
    lines.push(format!(
        "Stretched to the window: ({} + {} + {}) / {} = {}.",
        format_value(e.sampled_interval),
        format_value(e.extend_start),
        format_value(e.extend_end),
        format_value(e.sampled_interval),
        format_value(stretch),
    ));
    lines.push(if window.func == Function::Rate {
        format!(
            "{name} = {} × {} / {} s = {} per second.",
            format_value(e.increase),
            format_value(stretch),
            format_value(range_s),
            format_value(e.result),
        )
    } else {
        format!(
            "{name} = {} × {} = {}{}",
            format_value(e.increase),
            format_value(stretch),
            format_value(e.result),
            if e.result.fract() != 0.0 && e.increase.fract() == 0.0 {
                ": not a whole number, because of the extrapolation to the edges."
            } else {
                "."
            },
        )
    });
    lines
}

fn edge_reason(rule: EdgeRule) -> &'static str {
    match rule {
        EdgeRule::Full => "under 1.1 average intervals, so all the way to the edge",
        EdgeRule::HalfInterval => {
            "more than 1.1 average intervals, so the series likely starts or stops here: half an interval only"
        }
        EdgeRule::ZeroPoint => "a counter is never negative, so only back to where it would be 0",
    }
}

fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// A time on the simulated clock, `m:ss` with milliseconds when there are
/// any: `4:01.300`.
pub fn clock(t_ms: i64) -> String {
    let millis = t_ms.rem_euclid(1000);
    let mut text = format_clock(t_ms);
    if millis != 0 {
        text.push_str(&format!(".{millis:03}"));
    }
    text
}

fn unparen(mut expr: &Expr) -> &Expr {
    while let ExprKind::Paren(inner) = &expr.kind {
        expr = inner;
    }
    expr
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinyprom::promql::complete::SuggestionKind;
    use tinyprom::promql::value::VectorSample;
    use tinyprom::storage::{Sample, Series};

    fn line(name: &str, points: &[(i64, f64)]) -> GraphSeries {
        GraphSeries {
            labels: Labels::new([("s", name)]),
            points: points.to_vec(),
        }
    }

    #[test]
    fn a_vector_prints_each_series_and_value_as_prometheus_does() {
        let value = QueryValue::Vector(vec![
            VectorSample {
                labels: Labels::with_name("requests_total", [("endpoint", "/upstream")]),
                t: 0,
                f: 0.1 + 0.2,
            },
            VectorSample {
                labels: Labels::empty(),
                t: 0,
                f: f64::NAN,
            },
        ]);
        assert_eq!(
            table(&value),
            Table::Series {
                rows: vec![
                    TableRow {
                        series: "requests_total{endpoint=\"/upstream\"}".into(),
                        value: "0.30000000000000004".into(),
                    },
                    TableRow {
                        series: "{}".into(),
                        value: "NaN".into(),
                    },
                ],
                total: 2,
            }
        );
        assert_eq!(
            table(&QueryValue::Scalar { t: 0, f: 1e21 }),
            Table::Scalar("1e+21".into())
        );
        assert_eq!(
            table(&QueryValue::String {
                t: 0,
                s: "hi".into()
            }),
            Table::String("hi".into())
        );
    }

    #[test]
    fn a_range_vector_lists_each_sample_with_its_time() {
        let value = QueryValue::Matrix(vec![Series {
            labels: Labels::with_name("up", [("job", "a")]),
            samples: vec![Sample { t: 1500, f: 1.0 }, Sample { t: 11_500, f: 0.0 }],
        }]);
        let Table::Series { rows, total } = table(&value) else {
            panic!("not rows");
        };
        assert_eq!(total, 1);
        assert_eq!(rows[0].series, "up{job=\"a\"}");
        assert_eq!(rows[0].value, "1 @1.500\n0 @11.500");
    }

    #[test]
    fn a_table_stops_at_the_row_limit_but_counts_everything() {
        let samples = (0..MAX_TABLE_ROWS + 5)
            .map(|i| VectorSample {
                labels: Labels::new([("i", i.to_string())]),
                t: 0,
                f: 1.0,
            })
            .collect();
        let Table::Series { rows, total } = table(&QueryValue::Vector(samples)) else {
            panic!("not rows");
        };
        assert_eq!((rows.len(), total), (MAX_TABLE_ROWS, MAX_TABLE_ROWS + 5));
    }

    #[test]
    fn stacking_adds_the_lines_below_at_the_same_time() {
        let lines = [
            line("a", &[(0, 1.0), (10, 2.0)]),
            line("b", &[(10, 5.0), (20, 1.0)]),
            line("c", &[(0, f64::NAN), (10, 0.5), (20, 2.0)]),
        ];
        let stacked = stack(&lines);
        assert_eq!(stacked[0].points, vec![(0, 1.0), (10, 2.0)]);
        assert_eq!(stacked[1].points, vec![(10, 7.0), (20, 1.0)]);
        assert!(stacked[2].points[0].1.is_nan());
        assert_eq!(stacked[2].points[1..], [(10, 7.5), (20, 3.0)]);
        assert_eq!(stacked[2].labels, lines[2].labels);
    }

    #[test]
    fn segments_cover_the_query_and_cut_at_the_error() {
        let query = "sum(rate(x[1m]) +)";
        let error = parse(query).expect_err("bad query");
        let segments = segments(query, Some(error.span));
        // Every byte once, in order.
        let mut at = 0;
        for segment in &segments {
            assert_eq!(segment.start, at);
            at = segment.end;
        }
        assert_eq!(at, query.len());
        let underlined: String = segments
            .iter()
            .filter(|s| s.error)
            .map(|s| &query[s.start..s.end])
            .collect();
        assert_eq!(
            underlined,
            &query[error.span.start..error.span.end.max(error.span.start + 1)]
        );
        assert!(!underlined.is_empty());
    }

    #[test]
    fn an_error_at_the_end_underlines_the_last_character() {
        let end = segments("rate(", Some(Span::new(5, 5)));
        let underlined: Vec<_> = end.iter().filter(|s| s.error).collect();
        assert_eq!(underlined.len(), 1);
        assert_eq!((underlined[0].start, underlined[0].end), (4, 5));
        assert!(segments("", Some(Span::new(0, 0))).is_empty());
        // Out of range or inside a character: clamped, never a panic.
        let inside = segments("é", Some(Span::new(1, 9)));
        assert!(!inside.is_empty() && inside.iter().all(|s| s.error));
    }

    #[test]
    fn no_error_underlines_nothing() {
        assert!(segments("rate(x[1m])", None).iter().all(|s| !s.error));
    }

    #[test]
    fn accepting_replaces_the_prefix_and_keeps_what_follows() {
        let suggestion = Suggestion {
            insert: "requests_total".into(),
            label: "requests_total".into(),
            detail: String::new(),
            kind: SuggestionKind::Metric,
            replace_start: 5,
        };
        assert_eq!(
            accept("rate(req[1m])", 8, &suggestion),
            ("rate(requests_total[1m])".to_owned(), 19)
        );
        // A stale suggestion past the cursor replaces nothing before it.
        let stale = Suggestion {
            replace_start: 50,
            ..suggestion
        };
        assert_eq!(accept("ab", 1, &stale), ("arequests_totalb".to_owned(), 15));
    }

    #[test]
    fn cursor_positions_convert_between_utf16_and_bytes() {
        let text = "a€𝄞b";
        // a: 1 unit, 1 byte; €: 1 unit, 3 bytes; 𝄞: 2 units, 4 bytes.
        let pairs = [(0, 0), (1, 1), (2, 4), (4, 8), (5, 9)];
        for (units, byte) in pairs {
            assert_eq!(utf16_to_byte(text, units), byte);
            assert_eq!(byte_to_utf16(text, byte), units);
        }
        assert_eq!(
            utf16_to_byte(text, 3),
            8,
            "inside a surrogate pair: after the character"
        );
        assert_eq!(utf16_to_byte(text, 99), text.len());
        assert_eq!(byte_to_utf16(text, 3), 1, "inside a character: before it");
    }

    #[test]
    fn a_suggestion_continues_the_typed_word_only_from_its_start() {
        let suggestion = |label: &str, replace_start| Suggestion {
            insert: format!("{label}("),
            label: label.to_owned(),
            detail: String::new(),
            kind: SuggestionKind::Function,
            replace_start,
        };
        assert!(continues_typed("sum(RA", 6, &suggestion("rate", 4)));
        assert!(!continues_typed("up", 2, &suggestion("group", 0)));
        assert!(
            continues_typed("x", 1, &suggestion("rate", 9)),
            "a stale start is clamped"
        );
    }

    #[test]
    fn history_keeps_the_newest_first_without_repeats_and_survives_storage() {
        let mut history = History::default();
        for query in ["a", "b", " a ", "", "multi\nline"] {
            history.push(query);
        }
        assert_eq!(history.entries(), ["multi\nline", "a", "b"]);
        let stored = history.to_storage();
        assert_eq!(History::from_storage(&stored), history);
        for i in 0..MAX_HISTORY + 10 {
            history.push(&i.to_string());
        }
        assert_eq!(history.entries().len(), MAX_HISTORY);
        assert_eq!(history.entries()[0], (MAX_HISTORY + 9).to_string());
        assert_eq!(History::from_storage("").entries().len(), 0);
    }

    #[test]
    fn the_window_call_is_the_outermost_leftmost_rate_on_a_range() {
        let expr = parse("sum(rate(a[1m])) / sum(increase((b[5m])))").expect("parses");
        let call = window_call(&expr).expect("found");
        assert_eq!(call.to_string(), "rate(a[1m])");
        let expr = parse("increase((b[5m]))").expect("parses");
        assert_eq!(window_call(&expr), Some(&expr));
        for query in ["sum(a)", "rate(a[5m:1m])", "deriv(a[5m])"] {
            let expr = parse(query).expect("parses");
            assert!(window_call(&expr).is_none(), "{query}");
        }
    }

    #[test]
    fn every_example_answers_after_some_traffic() {
        use crate::playground::{Playground, PlaygroundAction, PlaygroundConfig};
        use std::time::Duration;
        let mut playground = Playground::new(PlaygroundConfig {
            start_unix_time: Duration::ZERO,
            seed: 7,
            version: "test".into(),
        });
        playground
            .apply(PlaygroundAction::SetTrafficRate(5.0))
            .expect("traffic");
        playground
            .apply(PlaygroundAction::Advance(Duration::from_secs(300)))
            .expect("advance");
        let t = tinyprom::storage::duration_ms(playground.now());
        for (name, query) in EXAMPLES {
            let value = playground.query(query, t).expect(name);
            let Table::Series { rows, .. } = table(&value) else {
                panic!("{name}: not a vector");
            };
            assert!(!rows.is_empty(), "{name}: no series");
            assert!(
                rows.iter().all(|row| row.value != "NaN"),
                "{name}: {rows:?}"
            );
        }
    }

    #[test]
    fn windows_explain_each_series_with_samples_in_the_window() {
        let mut store = SeriesStore::new();
        let busy = Labels::with_name("c", [("s", "busy")]);
        let old = Labels::with_name("c", [("s", "old")]);
        for (i, t) in (0..7).map(|i| (i, 1_000 + i * 10_000)) {
            store.append(&busy, t, (i * 3) as f64).expect("append");
        }
        store.append(&old, 0, 1.0).expect("append");
        let expr = parse("sum(rate(c[1m]))").expect("parses");
        let call = window_call(&expr).expect("window call");
        let windows = windows(&store, call, 61_000);
        assert_eq!(
            windows.len(),
            1,
            "the old series has no sample in (1s, 61s]"
        );
        let window = &windows[0];
        assert_eq!(window.labels, busy);
        assert_eq!(window.samples.len(), 6);
        let extrapolation = window.extrapolation.as_ref().expect("two samples or more");
        assert_eq!(extrapolation.increase, 15.0);
        // Samples at 11 s … 61 s, 3 apart every 10 s; the window (1 s, 61 s].
        // Start: 10 s gap, under 1.1 × 10 s: extended the whole 10 s; but a
        // counter stops where it was zero: 3 / 15 × 50 s = 10 s, the same.
        let lines = arithmetic(window);
        assert_eq!(
            lines,
            [
                "The window is (0:01, 1:01]: the 60 s up to the evaluation time, left end excluded.",
                "6 samples in it: the first is 3 at 0:11, the last 18 at 1:01.",
                "Increase the samples show: 18 − 3 = 15.",
                "They span 50 s, 10 s between samples on average.",
                "Start: the first sample is 10 s after the window's start; under 1.1 average intervals, so all the way to the edge: extend by 10 s.",
                "End: the last sample is 0 s before the window's end; under 1.1 average intervals, so all the way to the edge: extend by 0 s.",
                "Stretched to the window: (50 + 10 + 0) / 50 = 1.2.",
                "rate = 15 × 1.2 / 60 s = 0.3 per second.",
            ]
        );
    }

    #[test]
    fn explaining_a_query_finds_its_tree_and_windows() {
        let mut store = SeriesStore::new();
        let labels = Labels::with_name("c", [("s", "x")]);
        for i in 0..4 {
            store.append(&labels, i * 10_000, i as f64).expect("append");
        }
        let explained = explain_query(&store, "sum(rate(c[1m]))", 30_000).expect("parses");
        assert_eq!(explained.tree.children.len(), 1);
        assert_eq!(explained.window_query, "rate(c[1m])");
        assert_eq!(explained.windows.len(), 1);
        let error = explain_query(&store, "sum(", 0).expect_err("does not parse");
        assert!(error.contains("parse error"), "{error}");
        let plain = explain_query(&store, "c", 0).expect("parses");
        assert!(plain.window_query.is_empty() && plain.windows.is_empty());
    }

    #[test]
    fn the_arithmetic_adds_resets_back_and_says_why_increase_is_fractional() {
        let mut store = SeriesStore::new();
        let labels = Labels::with_name("c", [("s", "x")]);
        // 10 s apart from 1 s: 5 6 7, a restart, 1 2.
        for (i, f) in [5.0, 6.0, 7.0, 1.0, 2.0].into_iter().enumerate() {
            store
                .append(&labels, 1_000 + i as i64 * 10_000, f)
                .expect("append");
        }
        let expr = parse("increase(c[1m])").expect("parses");
        let call = window_call(&expr).expect("window call");
        let windows = windows(&store, call, 60_000);
        let lines = arithmetic(&windows[0]);
        assert!(
            lines.contains(
                &"The counter was reset 1 time: the value before each drop is added back."
                    .to_owned()
            ),
            "{lines:#?}"
        );
        assert!(
            lines.contains(&"Increase the samples show: 2 − 5 + 7 = 4.".to_owned()),
            "{lines:#?}"
        );
        let last = lines.last().expect("a result");
        assert!(
            last.ends_with("not a whole number, because of the extrapolation to the edges."),
            "{last}"
        );
        // Starts 1 s into the window: 5 / 4 × 40 s = 50 s to zero, more
        // than the 1 s gap: extended the whole second; ends 19 s early,
        // over 1.1 × 10 s: half an interval, 5 s.
        assert!(
            lines
                .iter()
                .any(|l| l.contains("half an interval only: extend by 5 s")),
            "{lines:#?}"
        );
        assert!(last.starts_with("increase = 4 × 1.15 = 4.6"), "{last}");
    }

    #[test]
    fn irate_shows_the_last_two_samples() {
        let mut store = SeriesStore::new();
        let labels = Labels::with_name("c", [("s", "x")]);
        for (i, f) in [5.0, 6.0, 10.0].into_iter().enumerate() {
            store.append(&labels, i as i64 * 10_000, f).expect("append");
        }
        let expr = parse("irate(c[1m])").expect("parses");
        let call = window_call(&expr).expect("window call");
        let windows = windows(&store, call, 20_000);
        let lines = arithmetic(&windows[0]);
        assert_eq!(
            lines[1],
            "irate() only looks at the last two samples: 6 at 0:10 and 10 at 0:20."
        );
        assert_eq!(lines[2], "Difference: 10 − 6 = 4.");
        assert_eq!(lines[3], "Divided by the 10 s between them: irate = 0.4.");
    }
}
