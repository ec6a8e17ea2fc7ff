//! The router and its handlers.

use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use tokio::time::Instant;
use tower::Service as _;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::TimeoutLayer;
use treecounter::exposition::{self, Format};
use treecounter::metrics::Endpoint;
use treecounter::simulation::{format_count, RequestPlan, SIMULATED_UPSTREAM_ERROR_STATUS};

use crate::cors::AllowedOrigins;
use crate::state::AppState;
use crate::upstream::Upstream;

/// Builds the app: `/treecounter`, `/metrics`, `/healthz`, and the playground
/// under `/`. Every response is counted in `requests_total` and timed in
/// `request_latency_seconds` under a label taken from the route.
///
/// `request_timeout` bounds how long any one request may take (answered 408).
/// `allowed_origins` are the other origins whose pages may read `/metrics`
/// and `/treecounter` (CORS); other routes never answer CORS.
pub fn app(state: AppState, request_timeout: Duration, allowed_origins: &AllowedOrigins) -> Router {
    // scripts/build-playground.sh writes each file's brotli and gzip forms
    // beside it (`x.wasm.br`, `x.wasm.gz`): a browser that accepts one gets
    // it as it is on disk, a third of the wasm's bytes at no CPU cost per
    // request; any other client, or a file without them, gets the file.
    let static_files = ServeDir::new(state.static_dir())
        .precompressed_br()
        .precompressed_gzip();
    let cors = allowed_origins.layer();
    // The timeout is armed only where a request can wait (the artificial
    // latency, a real upstream, the disk): a timer per request is a good
    // part of what a request costs when nothing waits.
    let timeout = TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, request_timeout);
    let page = move |State(state): State<AppState>| tree_counter(state, request_timeout);
    Router::new()
        .route("/treecounter", cross_origin(get(page), cors.as_ref()))
        .route("/metrics", cross_origin(get(metrics), cors.as_ref()))
        .route("/healthz", get(healthz))
        .route("/", {
            let static_files = static_files.clone();
            get(move |request: Request| index(static_files.clone(), request)).layer(timeout)
        })
        .fallback(move |request: Request| {
            playground_file(static_files.clone(), request, request_timeout)
        })
        // Outside the timeouts, so timed-out requests are counted too.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            track_requests,
        ))
        .with_state(state)
}

/// `route`, answering CORS through `cors` when other origins may read it.
/// Without `cors` it is returned as it is: no layer, nothing added to the
/// cost of a request.
fn cross_origin(route: MethodRouter<AppState>, cors: Option<&CorsLayer>) -> MethodRouter<AppState> {
    match cors {
        None => route,
        // Outside the CORS layer, to see the preflights it answers itself.
        Some(cors) => route
            .layer(cors.clone())
            .layer(middleware::from_fn(mark_preflight)),
    }
}

/// Marks a response the CORS layer gave to a preflight itself, so it is not
/// counted as a visit of the route it asked about.
#[derive(Debug, Clone, Copy)]
struct CorsPreflight;

/// Marks the answer to an `OPTIONS` request as a [`CorsPreflight`]. Behind
/// this, the CORS layer answers every `OPTIONS` itself (the routes' handlers
/// are `GET` only).
async fn mark_preflight(request: Request, next: Next) -> Response {
    let preflight = request.method() == Method::OPTIONS;
    let mut response = next.run(request).await;
    if preflight {
        response.extensions_mut().insert(CorsPreflight);
    }
    response
}

/// Which `endpoint` label a request is counted under. Routes give their own
/// path; files of the playground count as `/`; whatever found nothing
/// shares one label, so random paths cannot create new series.
fn endpoint_label(route: Option<Endpoint>, status: StatusCode) -> Endpoint {
    match route {
        Some(endpoint) => endpoint,
        None if status == StatusCode::NOT_FOUND => Endpoint::Unmatched,
        None => Endpoint::Playground,
    }
}

/// The endpoint a matched route is counted under.
fn route_endpoint(route: &MatchedPath) -> Option<Endpoint> {
    match route.as_str() {
        "/treecounter" => Some(Endpoint::TreeCounter),
        "/metrics" => Some(Endpoint::Metrics),
        "/healthz" => Some(Endpoint::Health),
        "/" => Some(Endpoint::Playground),
        _ => None,
    }
}

/// Counts and times every response but CORS preflights, and logs every
/// request at debug level. A preflight only asks whether another origin's
/// page may read a route: it is no visit of it, and runs no handler.
/// (The log is written here, with the latency already measured, rather
/// than by tower-http's `TraceLayer`: one layer, one clock, less per
/// request.)
async fn track_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    // Decided before the request moves on, so no copy of the path is kept.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(route_endpoint);
    let logged = tracing::enabled!(tracing::Level::DEBUG).then(|| {
        let (method, uri) = (request.method().clone(), request.uri().clone());
        tracing::debug!(%method, %uri, "request started");
        (method, uri)
    });
    let response = next.run(request).await;
    let latency = started.elapsed();
    let status = response.status();
    if response.extensions().get::<CorsPreflight>().is_none() {
        state
            .metrics()
            .record_response(endpoint_label(route, status), status.as_u16(), latency);
    }
    if let Some((method, uri)) = logged {
        tracing::debug!(%method, %uri, status = status.as_u16(), ?latency, "request finished");
    }
    response
}

/// `GET /treecounter`: the workshop's page. Waits the artificial latency,
/// asks the upstream for the count and renders it; when the upstream fails
/// the page still answers 200 and says so.
async fn tree_counter(state: AppState, request_timeout: Duration) -> Response {
    let plan = state.plan_request();
    // With no artificial latency and the simulated upstream nothing waits:
    // no timer at all, not even the timeout's.
    let waits = !plan.latency.is_zero() || matches!(state.upstream(), Upstream::Http { .. });
    if !waits {
        return serve_tree_counter(&state, plan).await.into_response();
    }
    match tokio::time::timeout(request_timeout, serve_tree_counter(&state, plan)).await {
        Ok(page) => page.into_response(),
        // Abandoned: its upstream call, if it was under way, is not counted.
        Err(_elapsed) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// The page of one `/treecounter` request, as `plan` drew it.
async fn serve_tree_counter(state: &AppState, plan: RequestPlan) -> Html<String> {
    // Not even a zero sleep: it registers a timer and waits for the timer
    // wheel's next 1 ms tick.
    if !plan.latency.is_zero() {
        tokio::time::sleep(plan.latency).await;
    }

    let upstream_started = Instant::now();
    let count = if plan.upstream_fails {
        Err(SIMULATED_UPSTREAM_ERROR_STATUS)
    } else {
        state
            .upstream()
            .tree_count(state.now())
            .await
            .map_err(|error| {
                tracing::warn!(%error, "upstream call failed");
                error.status_label()
            })
    };
    let upstream_status = match count {
        Ok(_) => 200,
        Err(status) => status,
    };
    state.metrics().record_response(
        Endpoint::Upstream,
        upstream_status,
        upstream_started.elapsed(),
    );

    Html(render_tree_counter(count.ok()))
}

/// The page of `/treecounter`.
pub fn render_tree_counter(count: Option<u64>) -> String {
    const HEAD: &str = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Tree counter</title>\n\
         <style>body{font-family:system-ui,sans-serif;text-align:center;margin-top:15vh;color:#17351f}.count{font-size:4rem;font-weight:700;margin:0}</style>\n\
         </head>\n<body>\n<h1>Tree counter</h1>\n";
    const TAIL: &str = "\n<p><a href=\"/metrics\">/metrics</a> · <a href=\"/\">playground</a></p>\n</body>\n</html>\n";
    const UNAVAILABLE: &str = "<p class=\"count\">unavailable</p>\n<p>The tree count could not be fetched from upstream (simulated 503). Try again.</p>";
    // One allocation of the right size, rather than format!'s growing ones.
    let mut page = String::with_capacity(HEAD.len() + UNAVAILABLE.len() + TAIL.len());
    page.push_str(HEAD);
    match count {
        Some(count) => {
            page.push_str("<p class=\"count\">");
            page.push_str(&format_count(count));
            page.push_str("</p>\n<p>trees planted so far</p>");
        }
        None => page.push_str(UNAVAILABLE),
    }
    page.push_str(TAIL);
    page
}

/// `GET /metrics`: the registry, as OpenMetrics 1.0 when the scraper asks for
/// it (Prometheus does) and as the classic text format 0.0.4 otherwise.
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok());
    let format = Format::negotiate(accept);
    match exposition::encode(state.registry(), format) {
        Ok(body) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(format.content_type()),
                ),
                (header::VARY, HeaderValue::from_static("accept")),
            ],
            body,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "encoding /metrics failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not encode the metrics; see the server log\n",
            )
                .into_response()
        }
    }
}

/// No file of the playground has a longer name (path segment) than this,
/// nor could one: it is the longest file name Linux allows (`NAME_MAX`).
const LONGEST_FILE_NAME: usize = 255;
/// Nor a longer path than this, well under Linux's `PATH_MAX` (4096) with
/// the static folder in front.
const LONGEST_FILE_PATH: usize = 1024;

/// Every other path: a file of the built playground, or 404. A path no file
/// could have is answered 404 without asking the filesystem, which would
/// fail with "name too long" (and `ServeDir` answer 500).
async fn playground_file(mut files: ServeDir, request: Request, timeout: Duration) -> Response {
    let path = request.uri().path();
    let nameable = path.len() <= LONGEST_FILE_PATH
        && path
            .split('/')
            .all(|segment| segment.len() <= LONGEST_FILE_NAME);
    if !nameable {
        tracing::debug!(path_bytes = path.len(), "path too long to name a file");
        return StatusCode::NOT_FOUND.into_response();
    }
    let cache_control = cache_control(path);
    match tokio::time::timeout(timeout, files.call(request)).await {
        Ok(Ok(response)) => with_cache_control(response.into_response(), cache_control),
        Ok(Err(never)) => match never {},
        Err(_elapsed) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// For a file whose name carries a hash of its content: a new build gives
/// it a new name, so a browser may keep it and never ask again.
const CACHE_FOR_GOOD: &str = "public, max-age=31536000, immutable";
/// For the page: always ask whether it changed (an unchanged page costs a
/// 304 and no body). Without it a browser may guess a lifetime from
/// `Last-Modified` and, after a new build, load an old page naming files
/// that are gone.
const CACHE_REVALIDATE: &str = "no-cache";

/// How long a browser may keep the playground's file at `path`.
fn cache_control(path: &str) -> Option<&'static str> {
    if content_hashed(path) {
        Some(CACHE_FOR_GOOD)
    } else if path.ends_with('/') || path.ends_with(".html") {
        Some(CACHE_REVALIDATE)
    } else {
        None
    }
}

/// `response` with `cache_control`, if it is a file that was found.
fn with_cache_control(mut response: Response, cache_control: Option<&'static str>) -> Response {
    if let Some(value) = cache_control.filter(|_| response.status() == StatusCode::OK) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// Whether the file `path` names has the content hash Trunk puts in the
/// names it writes: `-` and 16 hex digits before the extension
/// (`style-c565a6eeda40b2dd.css`) or before wasm-bindgen's `_bg`
/// (`playground-69326a897f7cf797_bg.wasm`).
fn content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.match_indices('-').any(|(dash, _)| {
        let rest = &name[dash + 1..];
        rest.len() > 16
            && rest.as_bytes()[..16]
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            && matches!(rest.as_bytes()[16], b'.' | b'_')
    })
}

/// `GET /healthz`: liveness for container healthchecks.
async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /`: the playground's page (`index.html`, compressed as the other
/// files are), or, when it has not been built, a short page that says how
/// to build it.
async fn index(mut files: ServeDir, request: Request) -> Response {
    let Ok(response) = files.call(request).await;
    if response.status() == StatusCode::NOT_FOUND {
        tracing::debug!("playground not built");
        return Html(PLAYGROUND_MISSING).into_response();
    }
    with_cache_control(response.into_response(), Some(CACHE_REVALIDATE))
}

const PLAYGROUND_MISSING: &str = "<!doctype html>
<html lang=\"en\">
<head><meta charset=\"utf-8\"><title>Tree counter: playground not built</title></head>
<body style=\"font-family:system-ui,sans-serif;max-width:40rem;margin:10vh auto\">
<h1>The playground has not been built</h1>
<p>The server is running: try <a href=\"/treecounter\">/treecounter</a> and <a href=\"/metrics\">/metrics</a>.</p>
<p>To get the in-browser playground here, build it and restart the server:</p>
<pre>./scripts/run.sh</pre>
<p>or, by hand, <code>trunk build --release</code> and <code>app-server --static-dir dist</code>.</p>
</body>
</html>
";
