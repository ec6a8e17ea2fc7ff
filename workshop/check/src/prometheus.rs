//! Prometheus's HTTP API, as much as the checks need: instant queries (all
//! at one instant) and the list of targets.

use std::time::Duration;

use serde_json::Value;
use tinyprom::labels::Labels;
use tinyprom::promql::value::{QueryValue, VectorSample};
use tinyprom::storage::{Sample, Series};
use workshop_guide::queries::Evaluate;
use workshop_guide::scraping::Target;

use crate::http::{self, BaseUrl, HttpError};

const TIMEOUT: Duration = Duration::from_secs(10);

/// A Prometheus server, queried at a fixed instant.
#[derive(Debug)]
pub struct Prometheus {
    base: BaseUrl,
    /// Seconds since the Unix epoch, as the API's `time` parameter.
    at: f64,
}

impl Prometheus {
    /// Queries `base` at `at` (seconds since the Unix epoch).
    pub fn new(base: BaseUrl, at: f64) -> Prometheus {
        Prometheus { base, at }
    }

    /// Whether it is up and ready (`/-/ready`).
    pub fn ready(&self) -> Result<(), String> {
        let response =
            http::get(&self.base, "/-/ready", None, TIMEOUT).map_err(|e| e.to_string())?;
        match response.status {
            200 => Ok(()),
            status => Err(format!(
                "{} answered HTTP {status}: {}",
                self.base.join("/-/ready"),
                response.text().trim()
            )),
        }
    }

    fn api(&self, path: &str) -> Result<Value, String> {
        let response = http::get(&self.base, path, Some("application/json"), TIMEOUT)
            .map_err(|e: HttpError| e.to_string())?;
        let body: Value = serde_json::from_slice(&response.body).map_err(|error| {
            format!(
                "{} answered HTTP {} with something that is not JSON ({error})",
                self.base.join(path),
                response.status
            )
        })?;
        match body.get("status").and_then(Value::as_str) {
            Some("success") => Ok(body.get("data").cloned().unwrap_or(Value::Null)),
            _ => Err(body
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("Prometheus answered an error without a message")
                .to_owned()),
        }
    }

    /// Prometheus's active targets.
    pub fn targets(&self) -> Result<Vec<Target>, String> {
        let data = self.api("/api/v1/targets?state=active")?;
        let targets = data
            .get("activeTargets")
            .and_then(Value::as_array)
            .ok_or("the targets API answered without activeTargets")?;
        let text = |target: &Value, key: &str| {
            target
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Ok(targets
            .iter()
            .map(|target| Target {
                job: target
                    .pointer("/labels/job")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                scrape_url: text(target, "scrapeUrl"),
                health: text(target, "health"),
                last_error: text(target, "lastError"),
            })
            .collect())
    }
}

impl Evaluate for Prometheus {
    fn evaluate(&mut self, query: &str) -> Result<QueryValue, String> {
        let path = format!(
            "/api/v1/query?query={}&time={:.3}",
            http::percent_encode(query),
            self.at
        );
        query_value(&self.api(&path)?)
    }
}

/// The API's `data` of an instant query as a [`QueryValue`].
pub fn query_value(data: &Value) -> Result<QueryValue, String> {
    let result = data.get("result").ok_or("the answer has no result")?;
    let bad = || format!("unexpected answer from Prometheus: {data}");
    let point = |pair: &Value| -> Option<(i64, f64)> {
        let t = pair.get(0)?.as_f64()?;
        let f = pair.get(1)?.as_str()?.parse::<f64>().ok()?;
        Some(((t * 1000.0).round() as i64, f))
    };
    let labels = |series: &Value| -> Option<Labels> {
        let metric = series.get("metric")?.as_object()?;
        Some(Labels::new(metric.iter().filter_map(|(name, value)| {
            Some((name.clone(), value.as_str()?.to_owned()))
        })))
    };
    match data.get("resultType").and_then(Value::as_str) {
        Some("scalar") => {
            let (t, f) = point(result).ok_or_else(bad)?;
            Ok(QueryValue::Scalar { t, f })
        }
        Some("string") => {
            let t = result.get(0).and_then(Value::as_f64).ok_or_else(bad)?;
            let s = result.get(1).and_then(Value::as_str).ok_or_else(bad)?;
            Ok(QueryValue::String {
                t: (t * 1000.0).round() as i64,
                s: s.to_owned(),
            })
        }
        Some("vector") => result
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|series| {
                let (t, f) = point(series.get("value")?)?;
                Some(VectorSample {
                    labels: labels(series)?,
                    t,
                    f,
                })
            })
            .collect::<Option<Vec<_>>>()
            .map(QueryValue::Vector)
            .ok_or_else(bad),
        Some("matrix") => result
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|series| {
                let samples = series
                    .get("values")?
                    .as_array()?
                    .iter()
                    .map(|pair| point(pair).map(|(t, f)| Sample { t, f }))
                    .collect::<Option<Vec<_>>>()?;
                Some(Series {
                    labels: labels(series)?,
                    samples,
                })
            })
            .collect::<Option<Vec<_>>>()
            .map(QueryValue::Matrix)
            .ok_or_else(bad),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<QueryValue, String> {
        query_value(&serde_json::from_str(json).unwrap())
    }

    #[test]
    fn reads_every_result_type() {
        assert_eq!(
            read(r#"{"resultType":"scalar","result":[1700000000.5,"0.25"]}"#),
            Ok(QueryValue::Scalar {
                t: 1_700_000_000_500,
                f: 0.25
            })
        );
        assert_eq!(
            read(
                r#"{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a"},"value":[1700000000,"+Inf"]}]}"#
            ),
            Ok(QueryValue::Vector(vec![VectorSample {
                labels: Labels::with_name("up", [("job", "a")]),
                t: 1_700_000_000_000,
                f: f64::INFINITY,
            }]))
        );
        let Ok(QueryValue::Matrix(series)) = read(
            r#"{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"NaN"]]}]}"#,
        ) else {
            panic!("not a matrix");
        };
        assert_eq!(series[0].samples.len(), 2);
        assert!(series[0].samples[1].f.is_nan());
        assert_eq!(
            read(r#"{"resultType":"string","result":[3,"hi"]}"#),
            Ok(QueryValue::String {
                t: 3000,
                s: "hi".to_owned()
            })
        );
        assert!(
            read(r#"{"resultType":"vector","result":[{"value":[1,"x"]}]}"#)
                .unwrap_err()
                .starts_with("unexpected answer from Prometheus")
        );
    }
}
