//! Tests through real sockets on port 0: a real HTTP upstream, graceful
//! shutdown with a request in flight, and the header-read timeout.

// Test helpers outside #[test] functions unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use app_server::state::StateOptions;
use app_server::upstream::Upstream;
use app_server::{app, serve, AppState, ServerTimeouts};
use axum::http::StatusCode;
use axum::routing::get as get_route;
use axum::Router;
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Notify};
use treecounter::simulation::RequestBehaviour;

/// Serves `router` on a loopback port until the test ends.
async fn spawn_upstream(router: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

fn options_with_upstream(addr: SocketAddr) -> StateOptions {
    let url = format!("http://{addr}/count").parse().unwrap();
    StateOptions {
        behaviour: RequestBehaviour::new(0.0, 0.0).unwrap(),
        upstream: Upstream::http(url, Duration::from_secs(5)).unwrap(),
        seed: Some(1),
        static_dir: PathBuf::from("/nonexistent"),
        process_metrics: false,
    }
}

async fn check_upstream(upstream: Router, expect_page: &str, expect_status: u16) {
    let addr = spawn_upstream(upstream).await;
    let app = test_app_with(options_with_upstream(addr));
    let page = get(&app.router, "/treecounter").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(expect_page), "{}", page.body);
    let metrics = get(&app.router, "/metrics").await.body;
    let series = format!("requests_total{{status=\"{expect_status}\",endpoint=\"/upstream\"}}");
    assert_eq!(sample(&metrics, &series), Some(1.0), "{metrics}");
    assert_eq!(sum_requests(&metrics, "/upstream"), 1.0);
}

#[tokio::test]
async fn real_upstream_count_is_rendered() {
    let upstream = Router::new().route("/count", get_route(|| async { r#"{"count": 1234567}"# }));
    check_upstream(upstream, "<p class=\"count\">1,234,567</p>", 200).await;
}

#[tokio::test]
async fn real_upstream_errors_are_counted_with_their_status() {
    let failing = Router::new().route(
        "/count",
        get_route(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
    );
    check_upstream(failing, "unavailable", 500).await;

    let garbage = Router::new().route("/count", get_route(|| async { "{\"trees\": \"many\"}" }));
    check_upstream(garbage, "unavailable", 502).await;
}

#[tokio::test]
async fn unreachable_upstream_counts_as_502() {
    // Bind then drop: nothing listens on this port any more.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let app = test_app_with(options_with_upstream(addr));
    let page = get(&app.router, "/treecounter").await;
    assert!(page.body.contains("unavailable"));
    let metrics = get(&app.router, "/metrics").await.body;
    assert_eq!(
        sample(
            &metrics,
            "requests_total{status=\"502\",endpoint=\"/upstream\"}"
        ),
        Some(1.0)
    );
}

struct RunningServer {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    done: tokio::task::JoinHandle<()>,
}

async fn start_server(state: AppState, timeouts: ServerTimeouts) -> RunningServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let router = app(state, Duration::from_secs(30));
    let done = tokio::spawn(serve(listener, router, timeouts, async {
        let _ = stopped.await;
    }));
    RunningServer { addr, stop, done }
}

#[tokio::test]
async fn serves_over_a_real_socket() {
    let state = AppState::new(
        StateOptions {
            behaviour: RequestBehaviour::new(0.0, 0.15).unwrap(),
            seed: Some(9),
            static_dir: PathBuf::from("/nonexistent"),
            ..StateOptions::default()
        },
        fixed_clock(),
    );
    let server = start_server(state, ServerTimeouts::default()).await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let page = client
            .get(format!("http://{}/treecounter", server.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
    }
    let metrics = client
        .get(format!("http://{}/metrics", server.addr))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        sample(
            &metrics,
            "requests_total{status=\"200\",endpoint=\"/treecounter\"}"
        ),
        Some(3.0)
    );
    assert_eq!(sum_requests(&metrics, "/upstream"), 3.0);
    // The real process metrics are there on Linux.
    #[cfg(target_os = "linux")]
    for name in [
        "process_cpu_seconds_total ",
        "process_resident_memory_bytes ",
        "process_virtual_memory_bytes ",
        "process_open_fds ",
        "process_max_fds ",
        "process_start_time_seconds ",
    ] {
        assert!(
            metrics.lines().any(|l| l.starts_with(name)),
            "{name} missing:\n{metrics}"
        );
    }
    server.stop.send(()).unwrap();
    server.done.await.unwrap();
}

#[tokio::test]
async fn shutdown_lets_the_request_in_flight_finish() {
    // The upstream holds its answer until the test releases it, so the
    // request is provably in flight when shutdown starts.
    let release = Arc::new(Notify::new());
    let reached = Arc::new(Notify::new());
    let upstream = Router::new().route(
        "/count",
        get_route({
            let (release, reached) = (release.clone(), reached.clone());
            move || async move {
                reached.notify_one();
                release.notified().await;
                r#"{"count": 42}"#
            }
        }),
    );
    let upstream_addr = spawn_upstream(upstream).await;
    let state = AppState::new(options_with_upstream(upstream_addr), fixed_clock());
    let server = start_server(state, ServerTimeouts::default()).await;

    let url = format!("http://{}/treecounter", server.addr);
    let in_flight = tokio::spawn(async move { reqwest::get(url).await?.text().await });
    reached.notified().await;

    server.stop.send(()).unwrap();
    // New connections are refused once the listener is dropped...
    let refused = async {
        loop {
            if TcpStream::connect(server.addr).await.is_err() {
                break;
            }
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), refused)
        .await
        .unwrap();
    // ...but the one in flight completes.
    release.notify_one();
    let page = tokio::time::timeout(Duration::from_secs(10), in_flight)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(page.contains("<p class=\"count\">42</p>"), "{page}");
    tokio::time::timeout(Duration::from_secs(10), server.done)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let state = AppState::new(
        StateOptions {
            static_dir: PathBuf::from("/nonexistent"),
            process_metrics: false,
            ..StateOptions::default()
        },
        fixed_clock(),
    );
    let timeouts = ServerTimeouts {
        header_read: Duration::from_millis(300),
        ..ServerTimeouts::default()
    };
    let server = start_server(state, timeouts).await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET /treecounter HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // The server closes the connection (possibly after a 408); reading to
    // the end must finish well before this deadline.
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut answer))
        .await
        .expect("the server kept a slow client's connection open")
        .ok();
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    server.stop.send(()).unwrap();
    server.done.await.unwrap();
}
