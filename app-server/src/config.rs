//! Command-line configuration. Every flag can also be set from the
//! environment variable named in `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use treecounter::simulation::RequestBehaviour;

use crate::cors::CorsOrigin;

/// The workshop's tree-counter app, with a Prometheus `/metrics` endpoint.
#[derive(Debug, Clone, Parser)]
#[command(version, about, long_about = None, allow_negative_numbers = true)]
pub struct Config {
    /// Address to listen on (the workshop uses port 8001).
    #[arg(long, env = "APP_LISTEN", default_value = "0.0.0.0:8001")]
    pub listen: SocketAddr,

    /// Folder with the built playground, served at `/` (output of `trunk build --release`).
    #[arg(long, env = "APP_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Maximum artificial latency of /treecounter in seconds, drawn uniformly from 0; 0 turns it off.
    #[arg(long, env = "APP_LATENCY_MAX", default_value_t = 1.0, value_parser = parse_latency_max)]
    pub latency_max: f64,

    /// Fraction (0 to 1) of upstream calls replaced by a simulated 503.
    #[arg(long, env = "APP_UPSTREAM_ERROR_RATE", default_value_t = 0.15, value_parser = parse_fraction)]
    pub upstream_error_rate: f64,

    /// Real upstream answering `{"count": N}` as JSON (http only). Default: an in-process simulation.
    #[arg(long, env = "APP_UPSTREAM_URL", value_parser = parse_upstream_url)]
    pub upstream_url: Option<reqwest::Url>,

    /// How long a call to --upstream-url may take, in seconds.
    #[arg(long, env = "APP_UPSTREAM_TIMEOUT", default_value = "2", value_parser = parse_seconds)]
    pub upstream_timeout: Duration,

    /// Seed for the latency and error draws, for reproducible runs. Default: random.
    #[arg(long, env = "APP_SEED")]
    pub seed: Option<u64>,

    /// Longest a request may take before it is answered 408, in seconds.
    #[arg(long, env = "APP_REQUEST_TIMEOUT", default_value = "30", value_parser = parse_seconds)]
    pub request_timeout: Duration,

    /// Longest a client may take to send a request's headers, in seconds, counted from when the
    /// connection opens or the previous response was sent (so also how long an idle keep-alive
    /// connection stays open).
    #[arg(long, env = "APP_HEADER_READ_TIMEOUT", default_value = "10", value_parser = parse_seconds)]
    pub header_read_timeout: Duration,

    /// How many connections may wait to be accepted (the kernel caps it at net.core.somaxconn).
    #[arg(long, env = "APP_LISTEN_BACKLOG", default_value_t = crate::server::DEFAULT_LISTEN_BACKLOG,
          value_parser = clap::value_parser!(u32).range(1..=65_535))]
    pub listen_backlog: u32,

    /// On SIGTERM or Ctrl-C, how long in-flight requests get to finish, in seconds (idle
    /// connections are closed at once). If any are cut, the exit status is 1.
    #[arg(long, env = "APP_SHUTDOWN_GRACE", default_value = "30", value_parser = parse_seconds)]
    pub shutdown_grace: Duration,

    /// Origin (scheme://host[:port]) of a page served elsewhere that may read /metrics and
    /// /treecounter, or `*` for any; repeat it, or separate origins with commas. Default: none,
    /// only this server's own pages (no CORS headers at all).
    #[arg(
        long,
        env = "APP_CORS_ALLOW_ORIGIN",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub cors_allow_origin: Vec<CorsOrigin>,

    /// Instead of serving, check that a server on --listen answers /healthz, and exit 0 if it does
    /// (for container healthchecks, which have no curl).
    #[arg(long)]
    pub healthcheck: bool,
}

fn parse_f64(value: &str) -> Result<f64, String> {
    value
        .trim()
        .parse::<f64>()
        .map_err(|_| format!("`{value}` is not a number"))
}

// The bounds of the two behaviour flags are the domain's: validate through
// `RequestBehaviour::new` so they are checked in one place.
fn parse_latency_max(value: &str) -> Result<f64, String> {
    let secs = parse_f64(value)?;
    RequestBehaviour::new(secs, 0.0)
        .map(|_| secs)
        .map_err(|e| e.to_string())
}

fn parse_fraction(value: &str) -> Result<f64, String> {
    let fraction = parse_f64(value)?;
    RequestBehaviour::new(0.0, fraction)
        .map(|_| fraction)
        .map_err(|e| e.to_string())
}

fn parse_seconds(value: &str) -> Result<Duration, String> {
    let secs = parse_f64(value)?;
    if secs > 0.0 && secs <= 86_400.0 {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(format!(
            "must be a number of seconds above 0 and at most 86400, got {value}"
        ))
    }
}

fn parse_upstream_url(value: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(value).map_err(|e| format!("`{value}` is not a URL: {e}"))?;
    match url.scheme() {
        "http" => Ok(url),
        other => Err(format!(
            "only http:// upstreams are supported (got {other}://); put a local proxy in front of an https API"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, String> {
        Config::try_parse_from(std::iter::once("app-server").chain(args.iter().copied()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_the_workshops() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.listen, "0.0.0.0:8001".parse().unwrap());
        assert_eq!(config.latency_max, 1.0);
        assert_eq!(config.upstream_error_rate, 0.15);
        assert_eq!(config.static_dir, PathBuf::from("dist"));
        assert!(config.upstream_url.is_none());
        assert!(config.seed.is_none());
        assert_eq!(config.listen_backlog, 1024);
        assert!(config.cors_allow_origin.is_empty());
    }

    #[test]
    fn cors_origins_are_repeated_or_separated_by_commas() {
        let origin = |value| CorsOrigin::Origin(axum::http::HeaderValue::from_static(value));
        for (args, expect) in [
            (&["--cors-allow-origin", "*"][..], vec![CorsOrigin::Any]),
            (
                &[
                    "--cors-allow-origin",
                    "https://a.example",
                    "--cors-allow-origin",
                    "http://localhost:8080",
                ],
                vec![origin("https://a.example"), origin("http://localhost:8080")],
            ),
            // The form of APP_CORS_ALLOW_ORIGIN, split the same way.
            (
                &[
                    "--cors-allow-origin",
                    "https://a.example, http://localhost:8080",
                ],
                vec![origin("https://a.example"), origin("http://localhost:8080")],
            ),
        ] {
            assert_eq!(parse(args).unwrap().cors_allow_origin, expect, "{args:?}");
        }
    }

    #[test]
    fn bad_values_get_clear_errors() {
        for (args, expect) in [
            (
                &["--latency-max", "-1"][..],
                "must be between 0 and 3600 seconds",
            ),
            (&["--latency-max", "fast"], "`fast` is not a number"),
            (&["--upstream-error-rate", "1.5"], "must be between 0 and 1"),
            (&["--upstream-url", "not a url"], "is not a URL"),
            (
                &["--upstream-url", "https://api.example/count"],
                "only http:// upstreams",
            ),
            (&["--listen", "localhost"], "invalid socket address"),
            (&["--request-timeout", "0"], "above 0"),
            (&["--seed", "-3"], "invalid"),
            (&["--listen-backlog", "0"], "not in 1..=65535"),
            (
                &["--cors-allow-origin", "https://a.example/"],
                "did you mean `https://a.example`?",
            ),
            (
                &["--cors-allow-origin", "https://a.example,page.example"],
                "`page.example` is neither `*` nor an origin",
            ),
            (
                &["--cors-allow-origin", "ftp://a.example"],
                "not an http:// or https:// origin",
            ),
        ] {
            let err = parse(args).unwrap_err();
            assert!(err.contains(expect), "{args:?}: {err}");
        }
    }
}
