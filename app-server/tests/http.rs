//! In-process tests of the router: no socket, paused tokio time (the
//! artificial latency is skipped, not slept), seeded randomness.

// Test helpers outside #[test] functions unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use app_server::routes::render_tree_counter;
use app_server::state::StateOptions;
use app_server::upstream::Upstream;
use app_server::{app, AllowedOrigins, AppState};
use axum::http::{header, Method, StatusCode};
use common::*;
use treecounter::simulation::RequestBehaviour;

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
const TEXT_004: &str = "text/plain; version=0.0.4; charset=utf-8";

async fn check_counts_after(visits: usize, latency_max: f64, error_rate: f64) -> String {
    let app = test_app(latency_max, error_rate);
    for _ in 0..visits {
        let reply = get(&app.router, "/treecounter").await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let metrics = get(&app.router, "/metrics").await.body;
    assert_eq!(
        sample(
            &metrics,
            "requests_total{status=\"200\",endpoint=\"/treecounter\"}"
        ),
        Some(visits as f64),
        "{metrics}"
    );
    assert_eq!(
        sum_requests(&metrics, "/upstream"),
        visits as f64,
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "request_latency_seconds_count{endpoint=\"/treecounter\"}"
        ),
        Some(visits as f64)
    );
    metrics
}

#[tokio::test(start_paused = true)]
async fn counts_every_visit_and_every_upstream_call() {
    for visits in [0, 1, 3, 25] {
        check_counts_after(visits, 1.0, 0.15).await;
    }
}

#[tokio::test(start_paused = true)]
async fn upstream_errors_are_counted_as_503_and_the_page_still_answers() {
    let metrics = check_counts_after(20, 1.0, 1.0).await;
    assert_eq!(
        sample(
            &metrics,
            "requests_total{status=\"503\",endpoint=\"/upstream\"}"
        ),
        Some(20.0)
    );
    assert_eq!(
        sample(
            &metrics,
            "requests_total{status=\"200\",endpoint=\"/upstream\"}"
        ),
        Some(0.0)
    );

    let app = test_app(0.0, 1.0);
    let page = get(&app.router, "/treecounter").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("unavailable"), "{}", page.body);
}

#[tokio::test(start_paused = true)]
async fn error_rate_splits_upstream_calls() {
    let metrics = check_counts_after(400, 0.0, 0.15).await;
    let errors = sample(
        &metrics,
        "requests_total{status=\"503\",endpoint=\"/upstream\"}",
    )
    .unwrap();
    // 60 expected; seeded, so this is exact and stable, but any seed lands in this range.
    assert!((35.0..=85.0).contains(&errors), "{errors}");
}

#[tokio::test(start_paused = true)]
async fn page_shows_the_simulated_count_with_separators() {
    let app = test_app(0.0, 0.0);
    let page = get(&app.router, "/treecounter").await;
    assert_eq!(page.content_type, "text/html; charset=utf-8");
    // FIXED_NOW is 2025-01-01: 190,000,000 + 366 days * 86,400 s * 1.25 trees/s.
    assert!(
        page.body.contains("<p class=\"count\">229,528,000</p>"),
        "{}",
        page.body
    );
}

/// The whole `/treecounter` page for `count`, with `middle` in it, to the byte.
fn check_page(count: Option<u64>, middle: &str) {
    let expected = format!(
        "<!doctype html>
<html lang=\"en\">
<head>
<meta charset=\"utf-8\">
<title>Tree counter</title>
<style>body{{font-family:system-ui,sans-serif;text-align:center;margin-top:15vh;color:#17351f}}.count{{font-size:4rem;font-weight:700;margin:0}}</style>
</head>
<body>
<h1>Tree counter</h1>
{middle}
<p><a href=\"/metrics\">/metrics</a> · <a href=\"/\">playground</a></p>
</body>
</html>
"
    );
    assert_eq!(render_tree_counter(count), expected);
}

#[test]
fn the_page_is_rendered_exactly() {
    check_page(
        Some(1_234_567),
        "<p class=\"count\">1,234,567</p>\n<p>trees planted so far</p>",
    );
    check_page(
        Some(0),
        "<p class=\"count\">0</p>\n<p>trees planted so far</p>",
    );
    check_page(
        None,
        "<p class=\"count\">unavailable</p>\n<p>The tree count could not be fetched from upstream (simulated 503). Try again.</p>",
    );
}

#[tokio::test(start_paused = true)]
async fn artificial_latency_is_waited_and_observed() {
    // An hour of maximum latency costs no real time: tokio's clock is paused
    // and jumps to each timer.
    let app = test_app(3600.0, 0.0);
    let started = tokio::time::Instant::now();
    let wall = std::time::Instant::now();
    for _ in 0..5 {
        get(&app.router, "/treecounter").await;
    }
    let simulated = started.elapsed();
    assert!(simulated > Duration::from_secs(60), "{simulated:?}");
    assert!(wall.elapsed() < Duration::from_secs(30));

    let metrics = get(&app.router, "/metrics").await.body;
    let sum = sample(
        &metrics,
        "request_latency_seconds_sum{endpoint=\"/treecounter\"}",
    )
    .unwrap();
    // Every request's latency is observed: the sum is the simulated time spent.
    assert!(
        (sum - simulated.as_secs_f64()).abs() < 0.01,
        "{sum} vs {simulated:?}"
    );
    assert_eq!(
        sample(
            &metrics,
            "request_latency_seconds_bucket{le=\"2.5\",endpoint=\"/treecounter\"}"
        ),
        Some(0.0)
    );
}

#[tokio::test(start_paused = true)]
async fn latency_zero_means_no_wait() {
    let app = test_app(0.0, 0.0);
    // Between two ticks of tokio's 1 ms timer wheel, where even a zero sleep
    // would wait for the next tick: with the latency off no timer may be
    // registered at all, so the paused clock must not move.
    for offset in [Duration::ZERO, Duration::from_micros(500)] {
        tokio::time::advance(offset).await;
        let started = tokio::time::Instant::now();
        let page = get(&app.router, "/treecounter").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(started.elapsed(), Duration::ZERO, "at {offset:?}");
    }
}

#[tokio::test]
async fn metrics_negotiates_the_format() {
    let app = test_app(0.0, 0.0);
    for (accept, content_type, eof) in [
        (None, TEXT_004, false),
        (Some("text/plain"), TEXT_004, false),
        (Some("text/html,*/*;q=0.8"), TEXT_004, false),
        (
            Some("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
            OPENMETRICS,
            true,
        ),
        (Some("application/openmetrics-text; version=1.0.0"), OPENMETRICS, true),
        // Malformed headers still get a valid exposition.
        (Some(";;q=;,,application/openmetrics-text;q=nope"), TEXT_004, false),
        (Some("garbage"), TEXT_004, false),
    ] {
        let headers: Vec<(&str, &str)> = accept.iter().map(|a| ("accept", *a)).collect();
        let reply = get_with(&app.router, "/metrics", &headers).await;
        assert_eq!(reply.status, StatusCode::OK, "{accept:?}");
        assert_eq!(reply.content_type, content_type, "{accept:?}");
        assert_eq!(reply.body.ends_with("# EOF\n"), eof, "{accept:?}");
        let counter_type = if eof {
            "# TYPE requests counter\n"
        } else {
            "# TYPE requests_total counter\n"
        };
        assert!(reply.body.contains(counter_type), "{accept:?}: {}", reply.body);
    }
}

#[tokio::test]
async fn non_utf8_accept_header_still_gets_metrics() {
    use axum::body::Body;
    use axum::http::{HeaderValue, Request};
    use tower::ServiceExt;

    let app = test_app(0.0, 0.0);
    let mut request = Request::builder()
        .uri("/metrics")
        .body(Body::empty())
        .unwrap();
    request
        .headers_mut()
        .insert("accept", HeaderValue::from_bytes(b"text/\xff\xfe").unwrap());
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], TEXT_004);
}

#[tokio::test]
async fn exports_build_info() {
    let app = test_app(0.0, 0.0);
    let metrics = get(&app.router, "/metrics").await.body;
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        sample(
            &metrics,
            &format!("treecounter_build_info{{version=\"{version}\"}}")
        ),
        Some(1.0)
    );
}

#[tokio::test]
async fn a_flood_of_random_paths_does_not_grow_the_exposition() {
    let app = test_app(0.0, 0.0);
    // Warm up: the first 404 and the first scrape create their own series.
    assert_eq!(
        get(&app.router, "/no-such-page").await.status,
        StatusCode::NOT_FOUND
    );
    get(&app.router, "/metrics").await;
    let before = get(&app.router, "/metrics").await.body;
    let mut rng = fastrand::Rng::with_seed(3);
    for _ in 0..10_000 {
        let path: String = (0..rng.usize(1..24)).map(|_| rng.alphanumeric()).collect();
        let reply = get(&app.router, &format!("/{path}?q={}", rng.u32(..))).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "/{path}");
    }
    let after = get(&app.router, "/metrics").await.body;
    assert_eq!(series_count(&after), series_count(&before));
    assert_eq!(
        sample(
            &after,
            "requests_total{status=\"404\",endpoint=\"unmatched\"}"
        ),
        Some(10_001.0)
    );
}

#[tokio::test]
async fn health_and_other_routes_are_counted_by_route() {
    let app = test_app(0.0, 0.0);
    let health = get(&app.router, "/healthz").await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok\n")
    );
    get(&app.router, "/metrics").await;
    let metrics = get(&app.router, "/metrics").await.body;
    assert_eq!(
        sample(
            &metrics,
            "requests_total{status=\"200\",endpoint=\"/healthz\"}"
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &metrics,
            "requests_total{status=\"200\",endpoint=\"/metrics\"}"
        ),
        Some(1.0)
    );
}

#[tokio::test]
async fn index_without_a_built_playground_says_how_to_build_it() {
    let app = test_app(0.0, 0.0);
    let page = get(&app.router, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("./scripts/run.sh"), "{}", page.body);
}

fn playground_fixture() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("secret.txt"), "do not serve").unwrap();
    let dist = root.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>playground</title>",
    )
    .unwrap();
    std::fs::write(dist.join("playground.wasm"), b"\0asm").unwrap();
    // As scripts/build-playground.sh leaves them; the bodies only need to
    // say which file was sent.
    std::fs::write(dist.join("playground.wasm.br"), "the brotli form").unwrap();
    std::fs::write(dist.join("playground.wasm.gz"), "the gzip form").unwrap();
    std::fs::write(dist.join("index.html.gz"), "the page, gzipped").unwrap();
    std::fs::write(dist.join("style.css"), "body {}").unwrap();
    // Named as Trunk names what it builds: with a hash of the content.
    std::fs::write(dist.join("style-c565a6eeda40b2dd.css"), "body {}").unwrap();
    std::fs::write(dist.join("playground-69326a897f7cf797_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(dist.join("style-0123456789abcdeg.css"), "body {}").unwrap();
    (root, dist)
}

fn playground_app(dist: PathBuf) -> TestApp {
    test_app_with(StateOptions {
        behaviour: RequestBehaviour::new(0.0, 0.0).unwrap(),
        upstream: Upstream::Simulated,
        seed: Some(1),
        static_dir: dist,
        process_metrics: false,
    })
}

/// `GET path` with `Accept-Encoding: accept` gets `body` in `encoding`
/// (`None`: as it is on disk), with the file's own content type.
async fn check_encoding(
    app: &TestApp,
    path: &str,
    accept: &str,
    expect: (Option<&str>, &str, &str),
) {
    let reply = get_with(&app.router, path, &[("accept-encoding", accept)]).await;
    let encoding = reply
        .headers
        .get(header::CONTENT_ENCODING)
        .map(|value| value.to_str().unwrap());
    assert_eq!(reply.status, StatusCode::OK, "{path} {accept:?}");
    assert_eq!(
        (encoding, reply.content_type.as_str(), reply.body.as_str()),
        expect,
        "{path} with Accept-Encoding: {accept:?}"
    );
}

#[tokio::test]
async fn playground_files_go_out_in_their_compressed_form_when_accepted() {
    let (_root, dist) = playground_fixture();
    let app = playground_app(dist);
    let wasm = "application/wasm";
    for (accept, expect) in [
        // What Chromium and Firefox send.
        (
            "gzip, deflate, br, zstd",
            (Some("br"), wasm, "the brotli form"),
        ),
        ("br", (Some("br"), wasm, "the brotli form")),
        ("gzip", (Some("gzip"), wasm, "the gzip form")),
        ("br;q=0, gzip", (Some("gzip"), wasm, "the gzip form")),
        ("identity", (None, wasm, "\0asm")),
        ("", (None, wasm, "\0asm")),
    ] {
        check_encoding(&app, "/playground.wasm", accept, expect).await;
    }
    // `/` is `index.html`, in its forms too.
    let html = "text/html";
    check_encoding(
        &app,
        "/",
        "gzip, br",
        (Some("gzip"), html, "the page, gzipped"),
    )
    .await;
    check_encoding(
        &app,
        "/",
        "",
        (None, html, "<!doctype html><title>playground</title>"),
    )
    .await;
    // A file with no compressed form beside it goes out as it is.
    check_encoding(
        &app,
        "/style.css",
        "gzip, br",
        (None, "text/css", "body {}"),
    )
    .await;
    let reply = get_with(
        &app.router,
        "/playground.wasm",
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!(
        reply.headers.get(header::VARY).map(|v| v.to_str().unwrap()),
        Some("accept-encoding"),
        "caches must keep the forms apart"
    );
}

#[tokio::test]
async fn content_hashed_files_are_kept_for_good_and_the_page_is_revalidated() {
    let (_root, dist) = playground_fixture();
    let app = playground_app(dist);
    let forever = Some("public, max-age=31536000, immutable");
    for (path, expect) in [
        ("/style-c565a6eeda40b2dd.css", forever),
        ("/playground-69326a897f7cf797_bg.wasm", forever),
        // The page, under either name: asked for again every time.
        ("/", Some("no-cache")),
        ("/index.html", Some("no-cache")),
        // No hash in the name, or one that is not 16 hex digits.
        ("/style.css", None),
        ("/playground.wasm", None),
        ("/style-0123456789abcdeg.css", None),
        // Not found: nothing to keep.
        ("/style-0123456789abcdef.css", None),
    ] {
        let reply = get(&app.router, path).await;
        let cache_control = reply
            .headers
            .get(header::CACHE_CONTROL)
            .map(|value| value.to_str().unwrap());
        assert_eq!(cache_control, expect, "{path}");
    }
}

#[tokio::test]
async fn serves_the_built_playground_and_nothing_outside_it() {
    let (_root, dist) = playground_fixture();
    let app = playground_app(dist);
    let index = get(&app.router, "/").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.body.contains("<title>playground</title>"));
    let wasm = get(&app.router, "/playground.wasm").await;
    assert_eq!(
        (wasm.status, wasm.content_type.as_str()),
        (StatusCode::OK, "application/wasm")
    );

    for attempt in [
        "/../secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/dist/../../secret.txt",
        "/..%5csecret.txt",
        "/%252e%252e/secret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/....//secret.txt",
        "/.%00./secret.txt",
    ] {
        let reply = get(&app.router, attempt).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{attempt}");
        assert!(!reply.body.contains("do not serve"), "{attempt}");
    }
    let metrics = get(&app.router, "/metrics").await.body;
    assert_eq!(
        sample(&metrics, "requests_total{status=\"200\",endpoint=\"/\"}"),
        Some(2.0)
    );
}

#[tokio::test]
async fn names_the_filesystem_cannot_hold_are_not_found() {
    let (_root, dist) = playground_fixture();
    let app = test_app_with(StateOptions {
        behaviour: RequestBehaviour::new(0.0, 0.0).unwrap(),
        upstream: Upstream::Simulated,
        seed: Some(1),
        static_dir: dist,
        process_metrics: false,
    });
    let name_max = "a".repeat(255);
    let too_long = "a".repeat(256);
    let paths = [
        format!("/{name_max}"),
        // ENAMETOOLONG from the filesystem: a 500 until it was mapped to 404.
        format!("/{too_long}"),
        format!("/{}", "%61".repeat(256)),
        format!("/{too_long}/index.html"),
        format!("/dir/{too_long}"),
        // Over PATH_MAX (4096) in short segments.
        "/a".repeat(2100),
        // ENOTDIR.
        "/index.html/inner".to_owned(),
    ];
    for path in &paths {
        let reply = get(&app.router, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
    let metrics = get(&app.router, "/metrics").await.body;
    assert_eq!(
        sample(
            &metrics,
            "requests_total{status=\"404\",endpoint=\"unmatched\"}"
        ),
        Some(paths.len() as f64),
        "{metrics}"
    );
    assert!(!metrics.contains("status=\"500\""), "{metrics}");
}

#[tokio::test(start_paused = true)]
async fn a_request_over_the_timeout_gets_408_and_is_counted() {
    let state = AppState::new(
        StateOptions {
            behaviour: RequestBehaviour::new(3600.0, 0.0).unwrap(),
            seed: Some(5),
            static_dir: PathBuf::from("/nonexistent"),
            process_metrics: false,
            ..StateOptions::default()
        },
        fixed_clock(),
    );
    let router = app(
        state,
        Duration::from_secs(2),
        &AllowedOrigins::same_origin_only(),
    );
    let reply = get(&router, "/treecounter").await;
    assert_eq!(reply.status, StatusCode::REQUEST_TIMEOUT);
    let metrics = get(&router, "/metrics").await.body;
    assert_eq!(
        sample(
            &metrics,
            "requests_total{status=\"408\",endpoint=\"/treecounter\"}"
        ),
        Some(1.0)
    );
    // The page was abandoned before its upstream call: nothing counted there.
    assert_eq!(sum_requests(&metrics, "/upstream"), 0.0);
}

const PAGE: &str = "https://page.example";

fn cors_test_app(allowed: &[&str]) -> TestApp {
    test_app_allowing(
        StateOptions {
            behaviour: RequestBehaviour::new(0.0, 0.0).unwrap(),
            upstream: Upstream::Simulated,
            seed: Some(1),
            static_dir: PathBuf::from("/nonexistent/playground"),
            process_metrics: false,
        },
        allowed,
    )
}

/// Asks `method path` from a page at `origin` (`None`: a same-origin page,
/// or no browser) of an app started with `--cors-allow-origin` for each of
/// `allowed`, and checks the status and the CORS and `Vary` headers of the
/// answer, one `name: value` line each, sorted. `OPTIONS` is sent as a
/// browser's preflight for a `GET` with a long `Accept`.
async fn check_cors(
    allowed: &[&str],
    (method, path, origin): (Method, &str, Option<&str>),
    (status, expect): (StatusCode, &str),
) {
    let app = cors_test_app(allowed);
    let mut headers: Vec<(&str, &str)> = origin.iter().map(|o| ("origin", *o)).collect();
    if method == Method::OPTIONS {
        headers.push(("access-control-request-method", "GET"));
        headers.push(("access-control-request-headers", "accept"));
    }
    let reply = send(&app.router, method.clone(), path, &headers).await;
    let mut lines: Vec<String> = reply
        .headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("access-control-") || *name == "vary")
        .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap()))
        .collect();
    lines.sort();
    let case = format!("{allowed:?} {method} {path} from {origin:?}");
    assert_eq!(reply.status, status, "{case}");
    assert_eq!(lines.join("\n"), expect, "{case}");
}

#[tokio::test]
async fn by_default_no_route_answers_cors() {
    for (request, expect) in [
        (
            (Method::GET, "/metrics", Some(PAGE)),
            (StatusCode::OK, "vary: accept"),
        ),
        (
            (Method::GET, "/treecounter", Some(PAGE)),
            (StatusCode::OK, ""),
        ),
        (
            (Method::HEAD, "/treecounter", Some(PAGE)),
            (StatusCode::OK, ""),
        ),
        // As before there was CORS: no handler for OPTIONS.
        (
            (Method::OPTIONS, "/treecounter", Some(PAGE)),
            (StatusCode::METHOD_NOT_ALLOWED, ""),
        ),
        (
            (Method::OPTIONS, "/metrics", Some(PAGE)),
            (StatusCode::METHOD_NOT_ALLOWED, ""),
        ),
    ] {
        check_cors(&[], request, expect).await;
    }
}

#[tokio::test]
async fn listed_origins_may_read_metrics_and_treecounter() {
    let allowed = &[PAGE, "http://localhost:8080"];
    let preflight_allowed = "access-control-allow-headers: accept
access-control-allow-methods: GET,HEAD
access-control-allow-origin: https://page.example
vary: origin";
    for (request, expect) in [
        (
            (Method::GET, "/metrics", Some(PAGE)),
            (
                StatusCode::OK,
                "access-control-allow-origin: https://page.example\nvary: accept\nvary: origin",
            ),
        ),
        (
            (Method::HEAD, "/metrics", Some(PAGE)),
            (
                StatusCode::OK,
                "access-control-allow-origin: https://page.example\nvary: accept\nvary: origin",
            ),
        ),
        (
            (Method::GET, "/treecounter", Some(PAGE)),
            (
                StatusCode::OK,
                "access-control-allow-origin: https://page.example\nvary: origin",
            ),
        ),
        (
            (Method::GET, "/treecounter", Some("http://localhost:8080")),
            (
                StatusCode::OK,
                "access-control-allow-origin: http://localhost:8080\nvary: origin",
            ),
        ),
        // Not listed: nothing allows the browser to hand the answer over.
        (
            (Method::GET, "/treecounter", Some("https://other.example")),
            (StatusCode::OK, "vary: origin"),
        ),
        (
            (Method::GET, "/treecounter", Some("http://localhost:8081")),
            (StatusCode::OK, "vary: origin"),
        ),
        ((Method::GET, "/metrics", None), (StatusCode::OK, "vary: accept\nvary: origin")),
        ((Method::OPTIONS, "/treecounter", Some(PAGE)), (StatusCode::OK, preflight_allowed)),
        ((Method::OPTIONS, "/metrics", Some(PAGE)), (StatusCode::OK, preflight_allowed)),
        (
            (Method::OPTIONS, "/metrics", Some("https://other.example")),
            (
                StatusCode::OK,
                "access-control-allow-headers: accept\naccess-control-allow-methods: GET,HEAD\nvary: origin",
            ),
        ),
        // Every other route is same-origin only, as without the flag.
        ((Method::GET, "/healthz", Some(PAGE)), (StatusCode::OK, "")),
        ((Method::OPTIONS, "/healthz", Some(PAGE)), (StatusCode::METHOD_NOT_ALLOWED, "")),
        ((Method::GET, "/", Some(PAGE)), (StatusCode::OK, "")),
        ((Method::GET, "/playground.wasm", Some(PAGE)), (StatusCode::NOT_FOUND, "")),
    ] {
        check_cors(allowed, request, expect).await;
    }
}

#[tokio::test]
async fn a_wildcard_lets_any_origin_read_metrics_and_treecounter() {
    for (request, expect) in [
        (
            (Method::GET, "/metrics", Some(PAGE)),
            (StatusCode::OK, "access-control-allow-origin: *\nvary: accept"),
        ),
        (
            (Method::GET, "/treecounter", Some("http://localhost:8080")),
            (StatusCode::OK, "access-control-allow-origin: *"),
        ),
        (
            (Method::OPTIONS, "/treecounter", Some(PAGE)),
            (
                StatusCode::OK,
                "access-control-allow-headers: accept\naccess-control-allow-methods: GET,HEAD\naccess-control-allow-origin: *",
            ),
        ),
        ((Method::GET, "/healthz", Some(PAGE)), (StatusCode::OK, "")),
        ((Method::GET, "/", Some(PAGE)), (StatusCode::OK, "")),
    ] {
        check_cors(&["*"], request, expect).await;
    }
}

/// Visits `/treecounter` once, scrapes once, then sends three preflights to
/// each of `/treecounter` and `/metrics`, and checks the request counts
/// (`requests_total` and `request_latency_seconds_count`, sorted) a last
/// scrape shows.
async fn check_preflights_counted(allowed: &[&str], expect: &str) {
    let app = cors_test_app(allowed);
    assert_eq!(
        get(&app.router, "/treecounter").await.status,
        StatusCode::OK
    );
    get(&app.router, "/metrics").await;
    let preflight = [("origin", PAGE), ("access-control-request-method", "GET")];
    for path in ["/treecounter", "/metrics"] {
        for _ in 0..3 {
            send(&app.router, Method::OPTIONS, path, &preflight).await;
        }
    }
    let metrics = get(&app.router, "/metrics").await.body;
    let mut counts: Vec<&str> = metrics
        .lines()
        .filter(|line| {
            line.starts_with("requests_total{")
                || line.starts_with("request_latency_seconds_count{")
        })
        .collect();
    counts.sort_unstable();
    assert_eq!(counts.join("\n"), expect, "{allowed:?}");
}

#[tokio::test]
async fn preflights_are_not_counted_and_call_no_upstream() {
    let visit_and_scrape = r#"request_latency_seconds_count{endpoint="/metrics"} 1
request_latency_seconds_count{endpoint="/treecounter"} 1
request_latency_seconds_count{endpoint="/upstream"} 1
requests_total{status="200",endpoint="/metrics"} 1
requests_total{status="200",endpoint="/treecounter"} 1
requests_total{status="200",endpoint="/upstream"} 1
requests_total{status="503",endpoint="/upstream"} 0"#;
    check_preflights_counted(&[PAGE], visit_and_scrape).await;
    check_preflights_counted(&["*"], visit_and_scrape).await;
    // Without CORS an OPTIONS is what it always was: a 405 of the route.
    check_preflights_counted(
        &[],
        r#"request_latency_seconds_count{endpoint="/metrics"} 4
request_latency_seconds_count{endpoint="/treecounter"} 4
request_latency_seconds_count{endpoint="/upstream"} 1
requests_total{status="200",endpoint="/metrics"} 1
requests_total{status="200",endpoint="/treecounter"} 1
requests_total{status="200",endpoint="/upstream"} 1
requests_total{status="405",endpoint="/metrics"} 3
requests_total{status="405",endpoint="/treecounter"} 3
requests_total{status="503",endpoint="/upstream"} 0"#,
    )
    .await;
}
