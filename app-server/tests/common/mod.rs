//! Helpers shared by the app-server integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use app_server::cors::CorsOrigin;
use app_server::state::{Clock, StateOptions};
use app_server::upstream::Upstream;
use app_server::{app, AllowedOrigins, AppState};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;
use treecounter::simulation::RequestBehaviour;

/// A fixed wall clock: 2025-01-01T00:00:00Z.
pub const FIXED_NOW: Duration = Duration::from_secs(1_735_689_600);

pub fn fixed_clock() -> Clock {
    Arc::new(|| FIXED_NOW)
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
}

pub fn test_app(latency_max: f64, error_rate: f64) -> TestApp {
    test_app_with(StateOptions {
        behaviour: RequestBehaviour::new(latency_max, error_rate).unwrap(),
        upstream: Upstream::Simulated,
        seed: Some(7),
        static_dir: PathBuf::from("/nonexistent/playground"),
        process_metrics: false,
    })
}

pub fn test_app_with(options: StateOptions) -> TestApp {
    test_app_allowing(options, &[])
}

/// An app whose `/metrics` and `/treecounter` pages of `origins` may read,
/// as given to `--cors-allow-origin`.
pub fn test_app_allowing(options: StateOptions, origins: &[&str]) -> TestApp {
    let origins = origins
        .iter()
        .map(|origin| origin.parse::<CorsOrigin>().unwrap());
    let allowed_origins = AllowedOrigins::new(origins).unwrap();
    let state = AppState::new(options, fixed_clock());
    TestApp {
        router: app(
            state.clone(),
            Duration::from_secs(3600 * 2),
            &allowed_origins,
        ),
        state,
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: HeaderMap,
    pub body: String,
}

pub async fn get(router: &Router, uri: &str) -> Reply {
    get_with(router, uri, &[]).await
}

pub async fn get_with(router: &Router, uri: &str, headers: &[(&str, &str)]) -> Reply {
    send(router, Method::GET, uri, headers).await
}

pub async fn send(router: &Router, method: Method, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        content_type,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// The value of the sample whose name and label set are exactly `series`
/// (as written in the exposition, e.g. `requests_total{status="200",endpoint="/treecounter"}`).
pub fn sample(exposition: &str, series: &str) -> Option<f64> {
    exposition.lines().find_map(|line| {
        let value = line.strip_prefix(series)?.strip_prefix(' ')?;
        value.split(' ').next()?.parse().ok()
    })
}

/// Sum of every `requests_total` sample with `endpoint="<endpoint>"`.
pub fn sum_requests(exposition: &str, endpoint: &str) -> f64 {
    let needle = format!("endpoint=\"{endpoint}\"");
    exposition
        .lines()
        .filter(|line| line.starts_with("requests_total{") && line.contains(&needle))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Number of samples (non-comment lines) in an exposition.
pub fn series_count(exposition: &str) -> usize {
    exposition
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .count()
}
