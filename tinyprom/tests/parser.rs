//! Data-driven parser tests: every case in `testdata/parser/*.txt` is a
//! query and what Prometheus 3 answers for it, either the expression as
//! Prometheus prints it (`=> ...`) or its parse error (`!! L:C: parse
//! error: ...`). Every query that parses is also printed, parsed again and
//! compared, so the printer and the parser agree.
//!
//! The file format, one case after another:
//!
//! ```text
//! # a comment
//! sum by (job) (rate(x[5m]))
//!   => sum by (job) (rate(x[5m]))
//! json:"a\u0000b"
//!   !! 1:2: parse error: unexpected character: '\x00'
//! ```
//!
//! A query line starting with `json:` is a JSON string (for newlines and
//! odd characters). `BLESS=1 cargo test -p tinyprom --test parser`
//! rewrites the expectations from what the parser answers now; review the
//! diff before committing it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tinyprom::promql::ast::{Expr, ExprKind, Span};
use tinyprom::promql::parse;

struct Case {
    /// The query line as written in the file.
    line: String,
    query: String,
    expect: String,
}

fn read_cases(path: &Path) -> (Vec<String>, Vec<Option<Case>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut cases = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if line.is_empty() || line.starts_with('#') || line.starts_with("  ") {
            cases.push(None);
            i += 1;
            continue;
        }
        let query = match line.strip_prefix("json:") {
            Some(json) => decode_json_string(json),
            None => line.clone(),
        };
        let expect = lines
            .get(i + 1)
            .filter(|l| l.starts_with("  "))
            .map_or(String::new(), |l| l.trim_start().to_owned());
        cases.push(Some(Case {
            line: line.clone(),
            query,
            expect,
        }));
        i += 1;
    }
    (lines, cases)
}

/// A minimal JSON string decoder (the test needs no JSON crate).
fn decode_json_string(json: &str) -> String {
    let inner = json
        .trim()
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .expect("json: needs a quoted string");
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16).expect("\\u needs four hex digits");
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// What the parser answers for `query`, in the file's notation.
fn answer(query: &str) -> String {
    match parse(query) {
        Ok(expr) => format!("=> {expr}"),
        Err(error) => format!("!! {error}"),
    }
}

/// The tree with every span zeroed and matchers sorted, for comparing
/// trees parsed from different texts.
fn normalized(expr: &Expr) -> String {
    fn strip(expr: &mut Expr) {
        expr.span = Span::default();
        match &mut expr.kind {
            ExprKind::Selector(selector) => selector.matchers.sort_by_key(|m| m.to_string()),
            ExprKind::Range(matrix) => matrix.selector.matchers.sort_by_key(|m| m.to_string()),
            ExprKind::Subquery(subquery) => strip(&mut subquery.expr),
            ExprKind::Call(call) => call.args.iter_mut().for_each(strip),
            ExprKind::Aggregate(aggregate) => {
                strip(&mut aggregate.expr);
                if let Some(param) = &mut aggregate.param {
                    strip(param);
                }
            }
            ExprKind::Binary(binary) => {
                strip(&mut binary.lhs);
                strip(&mut binary.rhs);
            }
            ExprKind::Unary(unary) => strip(&mut unary.expr),
            ExprKind::Paren(inner) => strip(inner),
            ExprKind::Number(_) | ExprKind::String(_) => {}
        }
    }
    let mut copy = expr.clone();
    strip(&mut copy);
    format!("{copy:?}")
}

/// Printing a parsed query and parsing the text again gives the same tree.
fn check_round_trip(query: &str) -> Result<(), String> {
    let Ok(expr) = parse(query) else {
        return Ok(());
    };
    let printed = expr.to_string();
    let again = parse(&printed)
        .map_err(|e| format!("{query:?} prints as {printed:?}, which fails: {e}"))?;
    if normalized(&again) != normalized(&expr) {
        return Err(format!(
            "{query:?} prints as {printed:?}, which parses differently:\n  {}\n  {}",
            normalized(&expr),
            normalized(&again)
        ));
    }
    if again.to_string() != printed {
        return Err(format!(
            "{printed:?} prints again as {:?}",
            again.to_string()
        ));
    }
    Ok(())
}

/// Every node's span is its own text: parsed alone, it gives the same
/// tree. (The explain view shows each sub-expression as its slice of the
/// query.)
fn check_spans(query: &str) -> Result<(), String> {
    fn walk(query: &str, expr: &Expr) -> Result<(), String> {
        let text = query
            .get(expr.span.start..expr.span.end)
            .ok_or_else(|| format!("{query:?}: span {:?} is not in the text", expr.span))?;
        let alone =
            parse(text).map_err(|e| format!("{query:?}: the node {text:?} fails alone: {e}"))?;
        if normalized(&alone) != normalized(expr) {
            return Err(format!(
                "{query:?}: the node {text:?} parses differently alone:\n  {}\n  {}",
                normalized(expr),
                normalized(&alone)
            ));
        }
        expr.children()
            .into_iter()
            .try_for_each(|child| walk(query, child))
    }
    match parse(query) {
        Ok(expr) => walk(query, &expr),
        Err(_) => Ok(()),
    }
}

fn case_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/parser");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("testdata/parser exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    files
}

#[test]
fn parser_cases() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = String::new();
    let mut count = 0;
    for path in case_files() {
        let (lines, cases) = read_cases(&path);
        let mut blessed = String::new();
        for (line, case) in lines.iter().zip(&cases) {
            let Some(case) = case else {
                // Expectation lines are rewritten with their case.
                if !line.starts_with("  ") {
                    blessed.push_str(line);
                    blessed.push('\n');
                }
                continue;
            };
            count += 1;
            let got = answer(&case.query);
            if got != case.expect {
                let _ = writeln!(
                    failures,
                    "{}: {}\n  want {}\n  got  {}",
                    path.display(),
                    case.line,
                    case.expect,
                    got
                );
            }
            if let Err(message) = check_round_trip(&case.query) {
                let _ = writeln!(failures, "{}: round trip: {message}", path.display());
            }
            if let Err(message) = check_spans(&case.query) {
                let _ = writeln!(failures, "{}: spans: {message}", path.display());
            }
            blessed.push_str(&case.line);
            blessed.push_str("\n  ");
            blessed.push_str(&got);
            blessed.push('\n');
        }
        if bless {
            std::fs::write(&path, blessed).expect("writable testdata");
        }
    }
    assert!(count > 0, "no parser cases found");
    assert!(failures.is_empty(), "{failures}");
    eprintln!("{count} parser cases passed");
}
