//! Tests through real sockets on port 0: a real HTTP upstream, graceful
//! shutdown with a request in flight, and the header-read timeout.

// Test helpers outside #[test] functions unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use app_server::server::Shutdown;
use app_server::state::StateOptions;
use app_server::upstream::Upstream;
use app_server::{app, serve, AllowedOrigins, AppState, ServerTimeouts};
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
    done: tokio::task::JoinHandle<Shutdown>,
}

async fn start_server(state: AppState, timeouts: ServerTimeouts) -> RunningServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let router = app(
        state,
        Duration::from_secs(30),
        &AllowedOrigins::same_origin_only(),
    );
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
    assert_eq!(server.done.await.unwrap(), Shutdown::Graceful);
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
    let shutdown = tokio::time::timeout(Duration::from_secs(10), server.done)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shutdown, Shutdown::Graceful);
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
    assert_eq!(server.done.await.unwrap(), Shutdown::Graceful);
}

/// The HTTP/2 connection preface and an empty SETTINGS frame: what a client
/// speaking cleartext HTTP/2 with prior knowledge (h2c) sends first.
const H2C_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

fn quiet_state() -> AppState {
    AppState::new(
        StateOptions {
            behaviour: RequestBehaviour::new(0.0, 0.0).unwrap(),
            static_dir: PathBuf::from("/nonexistent"),
            process_metrics: false,
            ..StateOptions::default()
        },
        fixed_clock(),
    )
}

/// Connects and sends `opening` (maybe nothing). For "keep-alive", sends a
/// whole request first and reads its whole response.
async fn open_connection(addr: SocketAddr, opening: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    if opening == b"keep-alive" {
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut response = Vec::new();
        while !response.ends_with(b"\r\n\r\nok\n") {
            let mut chunk = [0; 512];
            let read = stream.read(&mut chunk).await.unwrap();
            assert!(read > 0, "closed before the response was complete");
            response.extend_from_slice(&chunk[..read]);
        }
    } else {
        stream.write_all(opening).await.unwrap();
    }
    stream
}

/// Reads until the server closes the connection; what it sent, or `None`
/// if it kept the connection open for 10 s.
async fn wait_for_close(mut stream: TcpStream) -> Option<String> {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    // A reset (the server closed with unread bytes) is a close too.
    read.ok()
        .map(|_| String::from_utf8_lossy(&answer).into_owned())
}

/// How a connection opens: nothing at all, part of a request, part or all
/// of the HTTP/2 preface, or a complete request answered and then silence.
const OPENINGS: [(&str, &[u8]); 6] = [
    ("nothing", b""),
    ("half a request line", b"GET /tree"),
    (
        "a request without its blank line",
        b"GET /treecounter HTTP/1.1\r\nHost: x\r\n",
    ),
    ("part of the HTTP/2 preface", b"PRI * HTTP/2.0\r\n"),
    ("the h2c preface and SETTINGS", H2C_PREFACE),
    ("one request, then idle", b"keep-alive"),
];

#[tokio::test]
async fn connections_without_a_complete_request_head_are_closed_after_the_header_timeout() {
    let timeouts = ServerTimeouts {
        header_read: Duration::from_millis(300),
        ..ServerTimeouts::default()
    };
    let server = start_server(quiet_state(), timeouts).await;
    let mut clients = Vec::new();
    for (name, opening) in OPENINGS {
        let stream = open_connection(server.addr, opening).await;
        clients.push((name, tokio::spawn(wait_for_close(stream))));
    }
    let mut wrong = Vec::new();
    for (name, client) in clients {
        match client.await.unwrap() {
            None => wrong.push(format!("{name}: still open after 10 s")),
            // Nothing, or an HTTP/1.1 error (408, 505): never HTTP/2 frames.
            Some(answer) if !answer.is_empty() && !answer.starts_with("HTTP/1.1 ") => {
                wrong.push(format!("{name}: answered {answer:?}"))
            }
            Some(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    server.stop.send(()).unwrap();
    assert_eq!(server.done.await.unwrap(), Shutdown::Graceful);
}

#[tokio::test]
async fn shutdown_closes_idle_connections_at_once() {
    // Timeouts far beyond the test's patience: only the shutdown may close
    // these connections.
    let timeouts = ServerTimeouts {
        header_read: Duration::from_secs(600),
        shutdown_grace: Duration::from_secs(600),
    };
    let server = start_server(quiet_state(), timeouts).await;
    let mut clients = Vec::new();
    for (name, opening) in OPENINGS {
        let stream = open_connection(server.addr, opening).await;
        clients.push((name, stream));
    }
    // Every connection has reached the server's connection task once a
    // later request is answered on a new one.
    let health = reqwest::get(format!("http://{}/healthz", server.addr))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    server.stop.send(()).unwrap();
    let closing: Vec<_> = clients
        .into_iter()
        .map(|(name, stream)| (name, tokio::spawn(wait_for_close(stream))))
        .collect();
    let mut still_open = Vec::new();
    for (name, closed) in closing {
        if closed.await.unwrap().is_none() {
            still_open.push(name);
        }
    }
    assert!(
        still_open.is_empty(),
        "still open 10 s after shutdown: {still_open:?}"
    );
    let shutdown = tokio::time::timeout(Duration::from_secs(5), server.done)
        .await
        .expect("the server did not finish shutting down")
        .unwrap();
    assert_eq!(shutdown, Shutdown::Graceful);
}

#[tokio::test]
async fn requests_still_running_after_the_grace_period_are_cut_and_reported() {
    // An upstream that never answers.
    let reached = Arc::new(Notify::new());
    let upstream = Router::new().route(
        "/count",
        get_route({
            let reached = reached.clone();
            move || async move {
                reached.notify_one();
                std::future::pending::<&str>().await
            }
        }),
    );
    let upstream_addr = spawn_upstream(upstream).await;
    let state = AppState::new(options_with_upstream(upstream_addr), fixed_clock());
    let timeouts = ServerTimeouts {
        shutdown_grace: Duration::from_millis(200),
        ..ServerTimeouts::default()
    };
    let server = start_server(state, timeouts).await;
    let url = format!("http://{}/treecounter", server.addr);
    let in_flight = tokio::spawn(async move { reqwest::get(url).await });
    reached.notified().await;

    server.stop.send(()).unwrap();
    let shutdown = tokio::time::timeout(Duration::from_secs(10), server.done)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shutdown, Shutdown::Forced { connections: 1 });
    let cut = tokio::time::timeout(Duration::from_secs(10), in_flight)
        .await
        .unwrap()
        .unwrap();
    assert!(cut.is_err(), "{cut:?}");
}
