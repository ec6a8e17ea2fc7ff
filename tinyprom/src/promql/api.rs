//! Queries as Prometheus's HTTP API (`/api/v1/query`,
//! `/api/v1/query_range`) answers them: the same parameter checks, the same
//! two kinds of error (`bad_data` for what the caller sent, `execution` for
//! what failed while evaluating) and the same JSON body, byte for byte.

use std::fmt::Write as _;

use crate::labels::Labels;
use crate::promql::ast::ValueType;
use crate::promql::eval::{instant_query, range_query, QueryOptions};
use crate::promql::parser::parse;
use crate::promql::value::{format_timestamp, format_value, QueryValue};
use crate::storage::SeriesStore;

/// The most points a range query may ask for per series.
pub const MAX_POINTS_PER_SERIES: i64 = 11_000;

/// Why a query was not answered, as the API classifies it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The request was wrong: a query that does not parse, a bad time or
    /// step (`errorType: bad_data`, HTTP 400).
    #[error("{0}")]
    BadData(String),
    /// The evaluation failed (`errorType: execution`, HTTP 422).
    #[error("{0}")]
    Execution(String),
}

impl ApiError {
    /// The API's `errorType`.
    pub fn error_type(&self) -> &'static str {
        match self {
            ApiError::BadData(_) => "bad_data",
            ApiError::Execution(_) => "execution",
        }
    }
}

fn invalid_query(message: impl std::fmt::Display) -> ApiError {
    ApiError::BadData(format!("invalid parameter \"query\": {message}"))
}

/// `/api/v1/query?query=…&time=…`, the time in milliseconds.
pub fn query(
    store: &SeriesStore,
    text: &str,
    time_ms: i64,
    options: QueryOptions,
) -> Result<QueryValue, ApiError> {
    let expr = parse(text).map_err(invalid_query)?;
    instant_query(store, &expr, time_ms, options).map_err(|e| ApiError::Execution(e.message))
}

/// `/api/v1/query_range?query=…&start=…&end=…&step=…`, all in
/// milliseconds.
pub fn query_range(
    store: &SeriesStore,
    text: &str,
    start_ms: i64,
    end_ms: i64,
    step_ms: i64,
    options: QueryOptions,
) -> Result<QueryValue, ApiError> {
    if end_ms < start_ms {
        return Err(ApiError::BadData(
            "end timestamp must not be before start time".to_owned(),
        ));
    }
    if step_ms <= 0 {
        return Err(ApiError::BadData(
            "zero or negative query resolution step widths are not accepted. Try a positive integer".to_owned(),
        ));
    }
    if (end_ms - start_ms) / step_ms > MAX_POINTS_PER_SERIES {
        return Err(ApiError::BadData(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
                .to_owned(),
        ));
    }
    let expr = parse(text).map_err(invalid_query)?;
    let value_type = expr.value_type();
    if value_type != ValueType::Scalar && value_type != ValueType::Vector {
        return Err(invalid_query(format!(
            "invalid expression type \"{}\" for range query, must be Scalar or instant Vector",
            value_type.name()
        )));
    }
    range_query(store, &expr, start_ms, end_ms, step_ms, options)
        .map(QueryValue::Matrix)
        .map_err(|e| ApiError::Execution(e.message))
}

/// The response body the API sends for `result`.
pub fn response_json(result: &Result<QueryValue, ApiError>) -> String {
    let mut out = String::new();
    match result {
        Ok(value) => {
            out.push_str("{\"status\":\"success\",\"data\":{\"resultType\":\"");
            out.push_str(value.result_type());
            out.push_str("\",\"result\":");
            push_result(&mut out, value);
            out.push_str("}}");
        }
        Err(error) => {
            out.push_str("{\"status\":\"error\",\"errorType\":\"");
            out.push_str(error.error_type());
            out.push_str("\",\"error\":");
            push_json_string(&mut out, &error.to_string());
            out.push('}');
        }
    }
    out
}

fn push_result(out: &mut String, value: &QueryValue) {
    match value {
        QueryValue::Scalar { t, f } => push_point(out, *t, &format_value(*f)),
        QueryValue::String { t, s } => push_point(out, *t, s),
        QueryValue::Vector(samples) => {
            out.push('[');
            for (i, sample) in samples.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str("{\"metric\":");
                push_labels(out, &sample.labels);
                out.push_str(",\"value\":");
                push_point(out, sample.t, &format_value(sample.f));
                out.push('}');
            }
            out.push(']');
        }
        QueryValue::Matrix(series) => {
            out.push('[');
            for (i, s) in series.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str("{\"metric\":");
                push_labels(out, &s.labels);
                out.push_str(",\"values\":[");
                for (j, sample) in s.samples.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    push_point(out, sample.t, &format_value(sample.f));
                }
                out.push_str("]}");
            }
            out.push(']');
        }
    }
}

/// `[1435781451.781,"1"]`
fn push_point(out: &mut String, t: i64, value: &str) {
    out.push('[');
    out.push_str(&format_timestamp(t));
    out.push(',');
    push_json_string(out, value);
    out.push(']');
}

fn push_labels(out: &mut String, labels: &Labels) {
    out.push('{');
    for (i, label) in labels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(out, &label.name);
        out.push(':');
        push_json_string(out, &label.value);
    }
    out.push('}');
}

/// A JSON string as Go's `encoding/json` writes it (Prometheus's encoder is
/// configured to match it): `<`, `>`, `&`, U+2028 and U+2029 escaped too.
pub fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Series;

    #[test]
    fn bodies_are_prometheus_bytes() {
        let vector = QueryValue::Vector(vec![crate::promql::value::VectorSample {
            labels: Labels::with_name("up", [("job", "a<b>&\"c\"\n")]),
            t: 1_435_781_451_781,
            f: 1.0,
        }]);
        assert_eq!(
            response_json(&Ok(vector)),
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a\u003cb\u003e\u0026\"c\"\n"},"value":[1435781451.781,"1"]}]}}"#
        );
        let matrix = QueryValue::Matrix(vec![Series {
            labels: Labels::empty(),
            samples: vec![
                crate::storage::Sample {
                    t: 1000,
                    f: f64::NAN,
                },
                crate::storage::Sample {
                    t: 2500,
                    f: f64::INFINITY,
                },
            ],
        }]);
        assert_eq!(
            response_json(&Ok(matrix)),
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"NaN"],[2.500,"+Inf"]]}]}}"#
        );
        assert_eq!(
            response_json(&Ok(QueryValue::Scalar { t: 0, f: -0.5 })),
            r#"{"status":"success","data":{"resultType":"scalar","result":[0,"-0.5"]}}"#
        );
        assert_eq!(
            response_json(&Ok(QueryValue::String {
                t: 5,
                s: "a\"b".to_owned()
            })),
            r#"{"status":"success","data":{"resultType":"string","result":[0.005,"a\"b"]}}"#
        );
        assert_eq!(
            response_json(&Err(ApiError::Execution("boom".to_owned()))),
            r#"{"status":"error","errorType":"execution","error":"boom"}"#
        );
    }

    #[test]
    fn range_parameters_are_checked_as_the_api_does() {
        let store = SeriesStore::new();
        let options = QueryOptions::default();
        let error =
            |r: Result<QueryValue, ApiError>| r.err().map(|e| (e.error_type(), e.to_string()));
        assert_eq!(
            error(query_range(&store, "1", 10, 5, 1, options)),
            Some((
                "bad_data",
                "end timestamp must not be before start time".to_owned()
            ))
        );
        assert_eq!(
            error(query_range(&store, "1", 0, 5, 0, options)).map(|e| e.0),
            Some("bad_data")
        );
        assert!(
            error(query_range(&store, "1", 0, 11_001_000, 1000, options)).is_some_and(|e| e
                .1
                .starts_with("exceeded maximum resolution of 11,000 points"))
        );
        assert!(query_range(&store, "1", 0, 11_000_000, 1000, options).is_ok());
    }
}
