//! `promql`: PromQL over a saved OpenMetrics file, with no server. Each
//! answer is one line of JSON, the body Prometheus's HTTP API returns for
//! the same query, so answers can be compared with a real Prometheus byte
//! for byte. `promql test` runs promtool's rule unit-test files.
//!
//! ```text
//! promql query --data FILE --time T (EXPR | --queries FILE)
//! promql query-range --data FILE --start S --end E --step STEP (EXPR | --queries FILE)
//! promql test FILE...
//! ```

// A command-line tool: standard output is where its answers go.
#![allow(clippy::print_stdout)]

mod unit_test_file;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use tinyprom::load::load_openmetrics;
use tinyprom::promql::api::{query, query_range, response_json, ApiError};
use tinyprom::promql::{parse_duration, QueryOptions};
use tinyprom::storage::SeriesStore;

#[derive(Debug, Parser)]
#[command(
    name = "promql",
    version,
    about = "Evaluate PromQL over a saved OpenMetrics file, answers as Prometheus's HTTP API prints them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// An instant query at one time (as /api/v1/query).
    Query {
        #[command(flatten)]
        input: Input,
        /// Evaluation time: Unix seconds, fractions allowed.
        #[arg(long, allow_hyphen_values = true)]
        time: String,
    },
    /// A range query (as /api/v1/query_range).
    QueryRange {
        #[command(flatten)]
        input: Input,
        /// Start: Unix seconds, fractions allowed.
        #[arg(long, allow_hyphen_values = true)]
        start: String,
        /// End: Unix seconds, fractions allowed.
        #[arg(long, allow_hyphen_values = true)]
        end: String,
        /// Resolution: seconds (`15`, `0.5`) or a duration (`15s`, `1m`).
        #[arg(long, allow_hyphen_values = true)]
        step: String,
    },
    /// Runs promtool rule unit-test files (`rule_files`, `alert_rule_test`,
    /// `promql_expr_test`) as `promtool test rules` does; exits 1 if any
    /// test fails.
    Test {
        /// The test files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct Input {
    /// OpenMetrics text with timestamps, as `promtool tsdb
    /// create-blocks-from openmetrics` reads it.
    #[arg(long)]
    data: PathBuf,
    /// A file of expressions, one per line (blank lines and lines starting
    /// with `#` are skipped), answered one per line in order.
    #[arg(long, conflicts_with = "expr")]
    queries: Option<PathBuf>,
    /// The expression.
    #[arg(required_unless_present = "queries")]
    expr: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("promql: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let options = QueryOptions::default();
    match cli.command {
        Command::Query { input, time } => {
            let (store, queries) = load(&input)?;
            let time = parse_time(&time)
                .map_err(|e| ApiError::BadData(format!("invalid parameter \"time\": {e}")));
            answer_all(&queries, |expr| {
                let time = time.clone()?;
                query(&store, expr, time, options)
            })?;
        }
        Command::QueryRange {
            input,
            start,
            end,
            step,
        } => {
            let (store, queries) = load(&input)?;
            let params = (|| {
                let start = parse_time(&start)
                    .map_err(|e| ApiError::BadData(format!("invalid parameter \"start\": {e}")))?;
                let end = parse_time(&end)
                    .map_err(|e| ApiError::BadData(format!("invalid parameter \"end\": {e}")))?;
                let step = parse_step(&step)
                    .map_err(|e| ApiError::BadData(format!("invalid parameter \"step\": {e}")))?;
                Ok::<_, ApiError>((start, end, step))
            })();
            answer_all(&queries, |expr| {
                let (start, end, step) = params.clone()?;
                query_range(&store, expr, start, end, step, options)
            })?;
        }
        Command::Test { files } => {
            let mut failed = false;
            for file in &files {
                failed |= !unit_test_file::run_file(file)?;
            }
            return Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The store from `--data` and the expressions to answer.
fn load(input: &Input) -> anyhow::Result<(SeriesStore, Vec<String>)> {
    let text = read(&input.data)?;
    let store = load_openmetrics(&text).with_context(|| format!("{}", input.data.display()))?;
    let queries = match (&input.queries, &input.expr) {
        (Some(path), _) => read(path)?
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(str::to_owned)
            .collect(),
        (None, Some(expr)) => vec![expr.clone()],
        (None, None) => anyhow::bail!("give an expression or --queries FILE"),
    };
    Ok((store, queries))
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn answer_all(
    queries: &[String],
    mut answer: impl FnMut(&str) -> Result<tinyprom::promql::QueryValue, ApiError>,
) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for expr in queries {
        writeln!(out, "{}", response_json(&answer(expr)))?;
    }
    out.flush()?;
    Ok(())
}

/// A time parameter as Prometheus's API reads it: Unix seconds with up to
/// millisecond precision (rounded to the nearest millisecond).
fn parse_time(text: &str) -> Result<i64, String> {
    let cannot = || format!("cannot parse {text:?} to a valid timestamp");
    let seconds: f64 = text.trim().parse().map_err(|_| cannot())?;
    if !seconds.is_finite() || seconds.abs() > 9.2e15 {
        return Err(cannot());
    }
    // Go: s, ns := math.Modf(t); ns = math.Round(ns*1000)/1000;
    // time.Unix(int64(s), int64(ns*1e9)), then milliseconds.
    let whole = seconds.trunc();
    let fraction = ((seconds - whole) * 1000.0).round() / 1000.0;
    let mut secs = whole as i64;
    let mut nanos = (fraction * 1e9) as i64;
    if nanos < 0 {
        secs -= 1;
        nanos += 1_000_000_000;
    }
    Ok(secs * 1000 + nanos / 1_000_000)
}

/// A step as Prometheus's API reads it: seconds (fractions allowed) or a
/// duration such as `15s`; in milliseconds, truncated.
fn parse_step(text: &str) -> Result<i64, String> {
    if let Ok(seconds) = text.trim().parse::<f64>() {
        let nanos = seconds * 1e9;
        if !nanos.is_finite() || nanos.abs() > 9.2e18 {
            return Err(format!(
                "cannot parse {text:?} to a valid duration. It overflows int64"
            ));
        }
        return Ok((nanos as i64) / 1_000_000);
    }
    parse_duration(text).map_err(|_| format!("cannot parse {text:?} to a valid duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_to_milliseconds_as_prometheus_does() {
        assert_eq!(parse_time("1700000000"), Ok(1_700_000_000_000));
        assert_eq!(parse_time("1700000000.123"), Ok(1_700_000_000_123));
        assert_eq!(parse_time("1700000000.1234"), Ok(1_700_000_000_123));
        assert_eq!(parse_time("1700000000.9996"), Ok(1_700_000_001_000));
        assert_eq!(parse_time("-1.5"), Ok(-1_500));
        assert!(parse_time("soon").is_err());
        assert!(parse_time("NaN").is_err());
    }

    #[test]
    fn steps_are_seconds_or_durations() {
        assert_eq!(parse_step("15"), Ok(15_000));
        assert_eq!(parse_step("0.5"), Ok(500));
        assert_eq!(parse_step("1m30s"), Ok(90_000));
        assert!(parse_step("often").is_err());
    }
}
