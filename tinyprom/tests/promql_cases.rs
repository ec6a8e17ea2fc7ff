//! Data-driven PromQL cases: every `testdata/promql/*.test` file, in the
//! shape of Prometheus's own `promqltest` files, with expected values
//! worked out by hand (each file says how) or, where Prometheus 2.42 has
//! the feature, checked against it.
//!
//! ```text
//! load 1m                                  # samples every minute from 0
//!   requests_total{code="200"} 0+10x10     # promtool's notation
//! eval instant at 5m rate(requests_total[5m])
//!   {code="200"} 0.16666666666666666       # labels and value per line
//! eval range from 0 to 10m step 5m sum(requests_total)
//!   {} 0 50 100                            # one value per step, _ for none
//! eval_ordered instant at 5m sort(x)       # the order matters too
//! eval_fail instant at 0 a + on() b
//!   expected_fail_message multiple matches for labels: …
//! clear                                    # an empty store again
//! ```
//!
//! Values match within 1e-9 relative (NaN matches NaN).

use std::fmt::Write as _;
use std::path::Path;

use tinyprom::labels::Labels;
use tinyprom::promql::api::{query, query_range, ApiError};
use tinyprom::promql::{parse_duration, QueryOptions, QueryValue};
use tinyprom::storage::{Sample, SeriesStore};
use tinyprom::unit_test::{expand_values, parse_series_labels};

#[test]
fn promql_case_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/promql");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/promql exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "test"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .test files in {}", dir.display());
    let mut failures = String::new();
    let mut cases = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        cases += run_file(&name, &text, &mut failures);
    }
    assert!(failures.is_empty(), "{failures}");
    eprintln!("{cases} PromQL cases passed in {} files", files.len());
}

/// What an `eval` line expects.
enum Expect {
    Samples {
        ordered: bool,
        lines: Vec<(String, usize)>,
    },
    Fail {
        message: Option<String>,
    },
}

fn run_file(name: &str, text: &str, failures: &mut String) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let mut store = SeriesStore::new();
    let mut cases = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        let line_no = i + 1;
        i += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // The indented lines that belong to this command.
        let mut body: Vec<(String, usize)> = Vec::new();
        while i < lines.len() && (lines[i].starts_with(' ') || lines[i].starts_with('\t')) {
            let item = lines[i].trim();
            if !item.is_empty() && !item.starts_with('#') {
                body.push((item.to_owned(), i + 1));
            }
            i += 1;
        }
        let fail = |failures: &mut String, message: String| {
            let _ = writeln!(failures, "{name}:{line_no}: {line}\n    {message}");
        };
        if line == "clear" {
            store = SeriesStore::new();
        } else if let Some(interval) = line.strip_prefix("load ") {
            match load(interval, &body) {
                Ok(loaded) => {
                    for series in loaded.series() {
                        store.insert_series(series.labels.clone(), series.samples.clone());
                    }
                }
                Err(message) => fail(failures, message),
            }
        } else if let Some(rest) = line.strip_prefix("eval") {
            cases += 1;
            if let Err(message) = eval(rest, &body, &store) {
                fail(failures, message);
            }
        } else {
            fail(failures, "unknown command".to_owned());
        }
    }
    cases
}

fn load(interval: &str, body: &[(String, usize)]) -> Result<SeriesStore, String> {
    let interval = parse_duration(interval.trim())?;
    let mut store = SeriesStore::new();
    for (line, _) in body {
        let (series, values) = split_series_line(line)?;
        let labels = parse_series_labels(series)?;
        let samples = expand_values(values)?
            .into_iter()
            .enumerate()
            .filter_map(|(i, v)| {
                v.map(|f| Sample {
                    t: i as i64 * interval,
                    f,
                })
            })
            .collect();
        store.insert_series(labels, samples);
    }
    Ok(store)
}

/// `name{labels} values…` → (`name{labels}`, `values…`); the braces may
/// hold spaces.
fn split_series_line(line: &str) -> Result<(&str, &str), String> {
    let mut in_quotes = false;
    let mut in_braces = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '{' if !in_quotes => in_braces = true,
            '}' if !in_quotes => in_braces = false,
            ' ' if !in_quotes && !in_braces => return Ok((&line[..i], line[i..].trim())),
            _ => {}
        }
    }
    Err(format!("no values in {line:?}"))
}

fn eval(rest: &str, body: &[(String, usize)], store: &SeriesStore) -> Result<(), String> {
    let (kind, rest) = rest.split_once(' ').ok_or("eval needs more")?;
    let expect = match kind {
        "" => Expect::Samples {
            ordered: false,
            lines: body.to_vec(),
        },
        "_ordered" => Expect::Samples {
            ordered: true,
            lines: body.to_vec(),
        },
        "_fail" => Expect::Fail {
            message: body
                .iter()
                .find_map(|(l, _)| l.strip_prefix("expected_fail_message ").map(str::to_owned)),
        },
        _ => return Err(format!("unknown eval kind {kind:?}")),
    };
    let options = QueryOptions::default();
    let result = if let Some(rest) = rest.strip_prefix("instant at ") {
        let (at, expr) = rest.split_once(' ').ok_or("instant at TIME EXPR")?;
        query(store, expr, parse_duration(at)?, options)
    } else if let Some(rest) = rest.strip_prefix("range from ") {
        let parts: Vec<&str> = rest.splitn(6, ' ').collect();
        let [start, "to", end, "step", step, expr] = parts[..] else {
            return Err("range from T to T step D EXPR".to_owned());
        };
        query_range(
            store,
            expr,
            parse_duration(start)?,
            parse_duration(end)?,
            parse_duration(step)?,
            options,
        )
    } else {
        return Err("expected `instant at` or `range from`".to_owned());
    };
    match (expect, result) {
        (Expect::Fail { message }, Err(error)) => match message {
            Some(message) if message != error_text(&error) => Err(format!(
                "fails with {:?}, expected {message:?}",
                error_text(&error)
            )),
            _ => Ok(()),
        },
        (Expect::Fail { .. }, Ok(value)) => Err(format!("expected an error, got {value:?}")),
        (Expect::Samples { .. }, Err(error)) => Err(format!("unexpected error: {error}")),
        (Expect::Samples { ordered, lines }, Ok(value)) => {
            compare(&value, &lines, ordered, range_grid(rest))
        }
    }
}

fn error_text(error: &ApiError) -> String {
    error.to_string()
}

/// `(start, step, steps)` of a `range from S to E step D` command.
fn range_grid(rest: &str) -> Option<(i64, i64, usize)> {
    let parts: Vec<&str> = rest.splitn(7, ' ').collect();
    match parts[..] {
        ["range", "from", start, "to", end, "step", step_and_expr] => {
            let step = step_and_expr.split(' ').next()?;
            let (start, end, step) = (
                parse_duration(start).ok()?,
                parse_duration(end).ok()?,
                parse_duration(step).ok()?,
            );
            (step > 0 && end >= start).then(|| (start, step, ((end - start) / step + 1) as usize))
        }
        _ => None,
    }
}

/// One expected value per step; `_` for none.
fn parse_values(text: &str) -> Result<Vec<Option<f64>>, String> {
    text.split_whitespace()
        .map(|v| match v {
            "_" => Ok(None),
            "NaN" => Ok(Some(f64::NAN)),
            "Inf" | "+Inf" => Ok(Some(f64::INFINITY)),
            "-Inf" => Ok(Some(f64::NEG_INFINITY)),
            _ => v.parse().map(Some).map_err(|_| format!("bad value {v:?}")),
        })
        .collect()
}

fn close(got: f64, expect: f64) -> bool {
    if got.is_nan() || expect.is_nan() {
        return got.is_nan() && expect.is_nan();
    }
    if got == expect {
        return true;
    }
    (got - expect).abs() <= 1e-9 * expect.abs().max(got.abs())
}

fn compare(
    value: &QueryValue,
    lines: &[(String, usize)],
    ordered: bool,
    grid: Option<(i64, i64, usize)>,
) -> Result<(), String> {
    // What we got, as (labels, values per step or one value).
    let got: Vec<(Labels, Vec<Option<f64>>)> = match value {
        QueryValue::Scalar { f, .. } => vec![(Labels::empty(), vec![Some(*f)])],
        QueryValue::String { .. } => return Err("a string result".to_owned()),
        QueryValue::Vector(samples) => samples
            .iter()
            .map(|s| (s.labels.clone(), vec![Some(s.f)]))
            .collect(),
        QueryValue::Matrix(series) => match grid {
            // A range query: each point in its step's place.
            Some((start, step, steps)) => series
                .iter()
                .map(|s| {
                    let mut values = vec![None; steps];
                    for p in &s.samples {
                        let i = ((p.t - start) / step) as usize;
                        if (p.t - start) % step == 0 && i < steps {
                            values[i] = Some(p.f);
                        }
                    }
                    (s.labels.clone(), values)
                })
                .collect(),
            // An instant query of a range vector: the raw samples.
            None => series
                .iter()
                .map(|s| {
                    (
                        s.labels.clone(),
                        s.samples.iter().map(|p| Some(p.f)).collect(),
                    )
                })
                .collect(),
        },
    };
    let mut expected: Vec<(Labels, Vec<Option<f64>>)> = Vec::new();
    for (line, line_no) in lines {
        // A scalar result is written as the bare value.
        let (labels, values) = if !line.contains('{') && parse_values(line).is_ok() {
            (Labels::empty(), line.as_str())
        } else {
            let (series, values) =
                split_series_line(line).map_err(|e| format!("line {line_no}: {e}"))?;
            let labels = if series == "{}" {
                Labels::empty()
            } else {
                parse_series_labels(series).map_err(|e| format!("line {line_no}: {e}"))?
            };
            (labels, values)
        };
        let values = parse_values(values).map_err(|e| format!("line {line_no}: {e}"))?;
        expected.push((labels, values));
    }
    let show = |rows: &[(Labels, Vec<Option<f64>>)]| {
        rows.iter()
            .map(|(l, v)| format!("{l} {v:?}"))
            .collect::<Vec<_>>()
            .join("\n      ")
    };
    let mut got_sorted = got.clone();
    let mut expected_sorted = expected.clone();
    if !ordered {
        got_sorted.sort_by(|a, b| a.0.cmp(&b.0));
        expected_sorted.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let same = got_sorted.len() == expected_sorted.len()
        && got_sorted.iter().zip(&expected_sorted).all(|(g, e)| {
            g.0 == e.0
                && g.1.len() == e.1.len()
                && g.1.iter().zip(&e.1).all(|(a, b)| match (a, b) {
                    (Some(a), Some(b)) => close(*a, *b),
                    (None, None) => true,
                    _ => false,
                })
        });
    if same {
        Ok(())
    } else {
        Err(format!(
            "got:\n      {}\n    expected:\n      {}",
            show(&got_sorted),
            show(&expected_sorted)
        ))
    }
}
