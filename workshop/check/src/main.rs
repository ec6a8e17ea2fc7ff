//! `workshop-check`: checks a learner's work in a section of WORKSHOP.md and
//! says what is missing or wrong. The rules are `workshop-guide`'s; this
//! binary does the talking: to the learner's app (sections 1, 2, 6) and to
//! Prometheus (sections 3 to 6).
//!
//! - `app.rs`: scraping `/metrics`, visiting `/treecounter`, and the
//!   `traffic` command.
//! - `prometheus.rs`: Prometheus's query and targets APIs.
//! - `http.rs`: the few lines of HTTP/1.1 all of that needs.

mod app;
mod http;
mod prometheus;

use std::io::Write as _;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use http::BaseUrl;
use prometheus::Prometheus;
use workshop_guide::app_checks::AppStep;
use workshop_guide::queries::{exercise_of_section, judge};
use workshop_guide::report::{Failure, Report};
use workshop_guide::scraping::ScrapeStatus;
use workshop_guide::workshop_md::{sections, WORKSHOP_MD};

/// Where the learner's app listens unless told otherwise.
pub const DEFAULT_APP: &str = "http://127.0.0.1:8001";
/// Where the workshop's Prometheus listens unless told otherwise.
pub const DEFAULT_PROMETHEUS: &str = "http://127.0.0.1:9090";

const USAGE: &str = "\
Checks your work in a section of WORKSHOP.md.

usage: cargo check-work SECTION [QUERY] [options]
       cargo check-work traffic [options]

  1, 2, 6      checks your app: its /metrics, before and after visits to /treecounter
  3            checks that Prometheus scrapes your app
  4 'QUERY'    checks your answer to section 4's question
  5 'QUERY'    checks your panel's query (Grafana's $__rate_interval is understood)
  6 'QUERY'    checks your answer to section 6's question
  traffic      visits your app steadily, so graphs have something to show

options:
  --app URL          your app (default http://127.0.0.1:8001, or $WORKSHOP_APP)
  --prometheus URL   Prometheus (default http://127.0.0.1:9090, or $WORKSHOP_PROMETHEUS)
  --visits N         visits the app checks make (default 10)
  --rate N           visits per second of `traffic` (default 5)
  --seconds N        stop `traffic` after N seconds (default: run until Ctrl-C)

Put queries in single quotes, so the shell leaves $ and quotes alone.
Exit status: 0 the section is done, 1 not yet, 2 the command line is wrong.";

#[derive(Debug)]
enum Command {
    Section { number: u8, query: Option<String> },
    Traffic,
    Help,
}

#[derive(Debug)]
struct Args {
    command: Command,
    app: BaseUrl,
    prometheus: BaseUrl,
    visits: u32,
    rate: u32,
    seconds: Option<u64>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut positional = Vec::new();
    let mut app = std::env::var("WORKSHOP_APP").unwrap_or_else(|_| DEFAULT_APP.to_owned());
    let mut prometheus =
        std::env::var("WORKSHOP_PROMETHEUS").unwrap_or_else(|_| DEFAULT_PROMETHEUS.to_owned());
    let (mut visits, mut rate, mut seconds) = (10, 5, None);
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let number = |name: &str, text: String, max: u64| -> Result<u64, String> {
            text.parse::<u64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| format!("{name} takes a whole number from 1 to {max}, not `{text}`"))
        };
        match arg.as_str() {
            "-h" | "--help" | "help" => positional.push("help".to_owned()),
            "--app" => app = value("--app")?,
            "--prometheus" => prometheus = value("--prometheus")?,
            "--visits" => visits = number("--visits", value("--visits")?, 1000)? as u32,
            "--rate" => rate = number("--rate", value("--rate")?, 200)? as u32,
            "--seconds" => seconds = Some(number("--seconds", value("--seconds")?, 86_400)?),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => positional.push(arg),
        }
    }
    let command = match positional.as_slice() {
        [] => return Err("which section? e.g. `cargo check-work 1`".to_owned()),
        [help, ..] if help == "help" => Command::Help,
        [traffic] if traffic == "traffic" => Command::Traffic,
        [section, rest @ ..] => {
            let number = section
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=6).contains(n))
                .ok_or_else(|| format!("`{section}` is not a section: 1 to 6, or traffic"))?;
            match rest {
                [] => Command::Section {
                    number,
                    query: None,
                },
                [query] => Command::Section {
                    number,
                    query: Some(query.clone()),
                },
                _ => {
                    return Err(
                        "one query at most, in single quotes: cargo check-work 4 'sum(...)'"
                            .to_owned(),
                    )
                }
            }
        }
    };
    Ok(Args {
        command,
        app: BaseUrl::parse(&app).map_err(|e| format!("--app: {e}"))?,
        prometheus: BaseUrl::parse(&prometheus).map_err(|e| format!("--prometheus: {e}"))?,
        visits,
        rate,
        seconds,
    })
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(error) => {
            eprintln!("workshop-check: {error}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match args.command {
        Command::Help => {
            say(USAGE);
            ExitCode::SUCCESS
        }
        Command::Traffic => match app::traffic(&args.app, args.rate, args.seconds) {
            0 => ExitCode::SUCCESS,
            _ => ExitCode::FAILURE,
        },
        Command::Section { number, ref query } => check_section(&args, number, query.as_deref()),
    }
}

fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
}

fn section_title(number: u8) -> String {
    sections(WORKSHOP_MD)
        .into_iter()
        .find(|section| section.number == Some(number))
        .map(|section| format!("{number}. {}", section.title))
        .unwrap_or_else(|| format!("Section {number}"))
}

fn check_section(args: &Args, number: u8, query: Option<&str>) -> ExitCode {
    let title = section_title(number);
    let report = match (number, query) {
        (1 | 2 | 6, None) => {
            let Some(step) = AppStep::of_section(number) else {
                return ExitCode::from(2);
            };
            let visits = if step == AppStep::Exposing {
                0
            } else {
                args.visits
            };
            say(&format!(
                "{title}: checking your app at {}{}",
                args.app,
                if visits > 0 {
                    format!(", with {visits} visits to /treecounter")
                } else {
                    String::new()
                }
            ));
            match app::probe(&args.app, visits) {
                Ok(probe) => step.check(&probe),
                Err(failure) => Report::failed("your app answers", failure),
            }
        }
        (3, None) => {
            say(&format!(
                "{title}: asking Prometheus at {}",
                args.prometheus
            ));
            scraping(&mut prometheus_now(args))
        }
        (3, Some(_)) | (1 | 2, Some(_)) => {
            eprintln!("workshop-check: section {number} takes no query\n\n{USAGE}");
            return ExitCode::from(2);
        }
        (_, query) => {
            let Some(exercise) = exercise_of_section(number) else {
                return ExitCode::from(2);
            };
            let Some(query) = query else {
                say(&format!(
                    "{title}: {}\nWrite a query that answers it, then: cargo check-work {number} 'YOUR QUERY'",
                    exercise.question
                ));
                return ExitCode::from(2);
            };
            say(&format!(
                "{title}: {}\nasking Prometheus at {} for your answer and the expected one",
                exercise.question, args.prometheus
            ));
            let mut prometheus = prometheus_now(args);
            match prometheus.ready() {
                Ok(()) => judge(exercise, query, &mut prometheus),
                Err(error) => Report::failed("Prometheus answers", prometheus_down(error)),
            }
        }
    };
    say(report.render().trim_end());
    if report.is_done() {
        say(&format!("Section {number} is done."));
        ExitCode::SUCCESS
    } else {
        say(&format!(
            "Section {number} is not done yet: fix the first FAIL above, then run the check again."
        ));
        ExitCode::FAILURE
    }
}

fn prometheus_now(args: &Args) -> Prometheus {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    Prometheus::new(args.prometheus.clone(), now)
}

fn prometheus_down(error: String) -> Failure {
    Failure::new(
        error,
        "start the workshop's Prometheus: `docker compose -f workshop/docker-compose.yaml up` (--prometheus says where the checker looks)",
    )
}

fn scraping(prometheus: &mut Prometheus) -> Report {
    use workshop_guide::queries::Evaluate as _;
    if let Err(error) = prometheus.ready() {
        return Report::failed("Prometheus answers", prometheus_down(error));
    }
    let targets = match prometheus.targets() {
        Ok(targets) => targets,
        Err(error) => {
            return Report::failed(
                "Prometheus lists its targets",
                Failure::new(error, "is this the workshop's Prometheus?"),
            )
        }
    };
    let requests_series = match prometheus.evaluate("count(requests_total{job=\"treecounter\"})") {
        Ok(tinyprom::promql::value::QueryValue::Vector(samples)) => {
            samples.first().map_or(0, |sample| sample.f as usize)
        }
        _ => 0,
    };
    ScrapeStatus {
        targets,
        requests_series,
    }
    .check()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        parse_args(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn reads_sections_queries_and_options() {
        let args = parse(&["2", "--app", "http://127.0.0.1:8002", "--visits", "20"]).unwrap();
        assert!(matches!(
            args.command,
            Command::Section {
                number: 2,
                query: None
            }
        ));
        assert_eq!(args.app.to_string(), "http://127.0.0.1:8002");
        assert_eq!(args.visits, 20);
        let args = parse(&["4", "sum(rate(x[1m]))"]).unwrap();
        assert!(
            matches!(args.command, Command::Section { number: 4, query: Some(ref q) } if q == "sum(rate(x[1m]))")
        );
        let args = parse(&["traffic", "--rate", "10", "--seconds", "3"]).unwrap();
        assert!(matches!(args.command, Command::Traffic));
        assert_eq!((args.rate, args.seconds), (10, Some(3)));
        assert!(matches!(parse(&["--help"]).unwrap().command, Command::Help));
    }

    #[test]
    fn says_what_is_wrong_with_the_command_line() {
        for (args, error) in [
            (&[][..], "which section?"),
            (&["7"], "`7` is not a section"),
            (&["checks"], "`checks` is not a section"),
            (&["4", "a", "b"], "one query at most"),
            (
                &["1", "--visits", "0"],
                "--visits takes a whole number from 1 to 1000",
            ),
            (&["1", "--app"], "--app needs a value"),
            (
                &["1", "--app", "https://x"],
                "--app: `https://x` is not an http:// address",
            ),
            (&["1", "--verbose"], "unknown option --verbose"),
        ] {
            let got = parse(args).unwrap_err();
            assert!(got.starts_with(error), "{args:?}: {got}");
        }
    }
}
