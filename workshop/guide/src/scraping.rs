//! The rules of section 3: Prometheus scrapes the app. The input is what
//! Prometheus reports about its targets (`/api/v1/targets`) and how many
//! `requests_total` series it stored from the app.

use crate::report::{Failure, Report, Rule};

/// The job name the workshop's `prometheus.yaml` gives the app.
pub const APP_JOB: &str = "treecounter";

/// One target, as Prometheus's targets page shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    /// The `job` label.
    pub job: String,
    /// The URL Prometheus scrapes.
    pub scrape_url: String,
    /// `up`, `down` or `unknown` (not scraped yet).
    pub health: String,
    /// Why the last scrape failed; empty if it did not.
    pub last_error: String,
}

/// What Prometheus reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScrapeStatus {
    /// Its active targets.
    pub targets: Vec<Target>,
    /// How many `requests_total` series of the app's job it has now.
    pub requests_series: usize,
}

impl ScrapeStatus {
    fn app_target(&self) -> Result<&Target, Failure> {
        self.targets
            .iter()
            .find(|target| target.job == APP_JOB)
            .ok_or_else(|| {
                let jobs: Vec<&str> = self.targets.iter().map(|t| t.job.as_str()).collect();
                let found = if jobs.is_empty() {
                    "Prometheus has no targets".to_owned()
                } else {
                    format!("Prometheus scrapes the jobs {}, not {APP_JOB}", jobs.join(", "))
                };
                Failure::new(
                    found,
                    "start the workshop's stack: `docker compose -f workshop/docker-compose.yaml up`; its prometheus.yaml scrapes your app as the job treecounter",
                )
            })
    }

    /// Runs section 3's checks.
    pub fn check(&self) -> Report {
        Report::run(SCRAPING, self)
    }
}

const SCRAPING: &[Rule<ScrapeStatus>] = &[
    (
        "Prometheus has a target for the job treecounter",
        has_target,
    ),
    (
        "the target is up: Prometheus's last scrape of it worked",
        target_up,
    ),
    ("Prometheus stored requests_total from it", stored_requests),
];

fn has_target(status: &ScrapeStatus) -> Result<String, Failure> {
    status.app_target().map(|target| target.scrape_url.clone())
}

fn target_up(status: &ScrapeStatus) -> Result<String, Failure> {
    let target = status.app_target()?;
    match target.health.as_str() {
        "up" => Ok(String::new()),
        "unknown" => Err(Failure::new(
            format!("Prometheus has not scraped {} yet", target.scrape_url),
            "it scrapes every 10 seconds: wait a little and check again",
        )),
        _ => {
            let error = &target.last_error;
            let fix = if error.contains("connection refused") {
                "is your app running (`cargo run -p workshop-app`)? It must listen on 0.0.0.0:8001, the address the container reaches"
            } else if error.contains("no such host") || error.contains("server misbehaving") {
                "the container cannot resolve host.docker.internal: docker-compose.yaml maps it with extra_hosts, which needs Docker 20.10 or later"
            } else if error.contains("Content-Type") || error.contains("content type") {
                "answer /metrics with `Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8` (`cargo check-work 1` checks it)"
            } else if error.contains("timeout") || error.contains("deadline") {
                "the app did not answer in time: is a firewall dropping connections from containers to port 8001?"
            } else {
                "run `cargo check-work 2` against the app to see what its /metrics answers"
            };
            Err(Failure::new(
                format!("the last scrape of {} failed: {error}", target.scrape_url),
                fix,
            ))
        }
    }
}

fn stored_requests(status: &ScrapeStatus) -> Result<String, Failure> {
    match status.requests_series {
        0 => Err(Failure::new(
            format!("Prometheus has no requests_total{{job=\"{APP_JOB}\"}}"),
            "finish section 2, visit the page, and wait for a scrape (10 s)",
        )),
        1 => Ok("1 series".to_owned()),
        n => Ok(format!("{n} series")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(health: &str, last_error: &str) -> Target {
        Target {
            job: APP_JOB.to_owned(),
            scrape_url: "http://host.docker.internal:8001/metrics".to_owned(),
            health: health.to_owned(),
            last_error: last_error.to_owned(),
        }
    }

    fn check(targets: Vec<Target>, requests_series: usize, expect: &str) {
        let status = ScrapeStatus {
            targets,
            requests_series,
        };
        assert_eq!(status.check().render(), expect);
    }

    #[test]
    fn says_what_is_wrong_with_the_target() {
        check(
            vec![],
            0,
            "  FAIL  Prometheus has a target for the job treecounter\n        found: Prometheus has no targets\n        fix:   start the workshop's stack: `docker compose -f workshop/docker-compose.yaml up`; its prometheus.yaml scrapes your app as the job treecounter\n  skip  the target is up: Prometheus's last scrape of it worked\n  skip  Prometheus stored requests_total from it\n",
        );
        check(
            vec![target("down", "Get \"http://host.docker.internal:8001/metrics\": dial tcp 172.17.0.1:8001: connect: connection refused")],
            0,
            "  ok    Prometheus has a target for the job treecounter (http://host.docker.internal:8001/metrics)\n  FAIL  the target is up: Prometheus's last scrape of it worked\n        found: the last scrape of http://host.docker.internal:8001/metrics failed: Get \"http://host.docker.internal:8001/metrics\": dial tcp 172.17.0.1:8001: connect: connection refused\n        fix:   is your app running (`cargo run -p workshop-app`)? It must listen on 0.0.0.0:8001, the address the container reaches\n  skip  Prometheus stored requests_total from it\n",
        );
        check(
            vec![target("up", "")],
            0,
            "  ok    Prometheus has a target for the job treecounter (http://host.docker.internal:8001/metrics)\n  ok    the target is up: Prometheus's last scrape of it worked\n  FAIL  Prometheus stored requests_total from it\n        found: Prometheus has no requests_total{job=\"treecounter\"}\n        fix:   finish section 2, visit the page, and wait for a scrape (10 s)\n",
        );
        let done = ScrapeStatus {
            targets: vec![target("up", "")],
            requests_series: 3,
        };
        assert!(done.check().is_done());
    }
}
