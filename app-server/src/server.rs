//! Accepting connections: HTTP/1.1 with a header-read timeout, a listen
//! backlog sized for a room of clients, and a graceful shutdown that closes
//! idle connections at once and waits only for requests in flight.
//!
//! `axum::serve` has no header-read timeout, so connections are driven by
//! hyper's HTTP/1 connection builder directly (as axum's `serve-with-hyper`
//! example does).
//!
//! Only HTTP/1.1 is spoken. No client of this app uses cleartext HTTP/2
//! (h2c): browsers speak HTTP/2 over TLS only, and Prometheus, curl and the
//! healthcheck use HTTP/1.1 for `http://` URLs. Serving it anyway meant
//! sniffing every new connection for the HTTP/2 preface with no deadline,
//! and HTTP/2 connections that no header timeout covers. nginx and Caddy
//! leave h2c off by default for the same reasons. A client that sends the
//! HTTP/2 preface is disconnected at once.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;
use tower::util::Oneshot;
use tower::ServiceExt as _;

/// Connection-level limits.
#[derive(Debug, Clone, Copy)]
pub struct ServerTimeouts {
    /// How long a client may take to send a request's headers, counted from
    /// when the connection opens or the previous response was sent. A slow
    /// client, one that opens a connection and says nothing, and a
    /// keep-alive connection left idle are all disconnected after it.
    pub header_read: Duration,
    /// After shutdown is asked for, how long in-flight requests get.
    pub shutdown_grace: Duration,
}

impl Default for ServerTimeouts {
    fn default() -> Self {
        ServerTimeouts {
            header_read: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// The listen backlog when none is given: room for a workshop's worth of
/// browsers and load tools connecting at once (mio's default is 128).
pub const DEFAULT_LISTEN_BACKLOG: u32 = 1024;

/// Binds a listener on `addr` with room for `backlog` connections waiting to
/// be accepted. (The kernel caps it at `net.core.somaxconn`.)
pub fn bind(addr: SocketAddr, backlog: u32) -> io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    // As std and mio do: a restarted server can bind while old connections
    // linger in TIME_WAIT.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(backlog)
}

/// How [`serve`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Shutdown {
    /// Every request in flight finished within the grace period.
    Graceful,
    /// The grace period ran out: this many connections still had a request
    /// in flight, and were cut.
    Forced { connections: usize },
}

/// Serves `app` on `listener` until `shutdown` completes. Then it stops
/// accepting, closes idle connections at once, and waits up to
/// `timeouts.shutdown_grace` for the requests in flight to finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    timeouts: ServerTimeouts,
    shutdown: impl Future<Output = ()>,
) -> Shutdown {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read);
    // Every connection task holds a receiver: the sender tells them when to
    // close, and then waits until all of them are gone.
    let (close_connections, close_requested) = watch::channel(Closing::No);
    let mut accept_errors = AcceptErrorLog::new(ACCEPT_ERROR_LOG_INTERVAL);
    tokio::pin!(shutdown);

    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(error) => {
                    // Out of file descriptors and the like: back off briefly
                    // instead of spinning, keep serving, and say so without
                    // flooding the log.
                    if let Some(left_out) = accept_errors.record(Instant::now()) {
                        tracing::warn!(%error, similar_errors_not_logged = left_out, "accept failed");
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let asked = Arc::new(AtomicBool::new(false));
        let service = ConnectionService {
            app: app.clone(),
            asked: Arc::clone(&asked),
        };
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let mut closing = close_requested.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = closing.changed() => {
                    if !asked.load(Ordering::Relaxed) {
                        // Not a single request yet: nothing to finish.
                        return;
                    }
                    // hyper closes the connection now if it is between
                    // requests, or after the response to the one in flight.
                    connection.as_mut().graceful_shutdown();
                    tokio::select! {
                        result = connection.as_mut() => result,
                        // Closing::Now: the grace period is over.
                        _ = closing.changed() => return,
                    }
                }
            };
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }

    drop(listener);
    drop(close_requested);
    tracing::info!("shutting down: closing idle connections, waiting for requests in flight");
    // `send` fails only when no connection is left, which is fine.
    let _ = close_connections.send(Closing::Gracefully);
    tokio::select! {
        () = close_connections.closed() => {
            tracing::info!("all connections closed");
            Shutdown::Graceful
        }
        () = tokio::time::sleep(timeouts.shutdown_grace) => {
            let connections = close_connections.receiver_count();
            tracing::warn!(
                grace = ?timeouts.shutdown_grace,
                connections,
                "grace period over: cutting connections with requests still in flight"
            );
            let _ = close_connections.send(Closing::Now);
            close_connections.closed().await;
            Shutdown::Forced { connections }
        }
    }
}

/// What the connections are told to do.
#[derive(Debug, Clone, Copy)]
enum Closing {
    No,
    /// Close when idle; finish the request in flight first.
    Gracefully,
    /// Close at once.
    Now,
}

/// The router as one connection's hyper service, noting that the client
/// asked for something (so a shutdown knows the connection may have a
/// request to finish).
#[derive(Debug)]
struct ConnectionService {
    app: Router,
    asked: Arc<AtomicBool>,
}

impl hyper::service::Service<Request<Incoming>> for ConnectionService {
    type Response = Response;
    type Error = Infallible;
    type Future = Oneshot<Router, Request<Incoming>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        self.asked.store(true, Ordering::Relaxed);
        self.app.clone().oneshot(request)
    }
}

/// How often at most an accept failure is logged.
const ACCEPT_ERROR_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// Decides which accept failures are logged: the first, then at most one
/// per interval, saying how many were left out in between. Out of file
/// descriptors, accept fails every time the server retries.
#[derive(Debug)]
struct AcceptErrorLog {
    interval: Duration,
    last_logged: Option<Instant>,
    left_out: u64,
}

impl AcceptErrorLog {
    fn new(interval: Duration) -> Self {
        AcceptErrorLog {
            interval,
            last_logged: None,
            left_out: 0,
        }
    }

    /// Records a failure at `now`. Returns `Some(left out since the last
    /// line)` when this one is to be logged.
    fn record(&mut self, now: Instant) -> Option<u64> {
        let due = self
            .last_logged
            .is_none_or(|last| now.saturating_duration_since(last) >= self.interval);
        if due {
            self.last_logged = Some(now);
            Some(std::mem::take(&mut self.left_out))
        } else {
            self.left_out += 1;
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds failures at the given offsets (ms) and returns what each call
    /// decided.
    fn check_accept_errors(at_ms: &[u64], expect: &[Option<u64>]) {
        let start = Instant::now();
        let mut log = AcceptErrorLog::new(Duration::from_secs(10));
        let logged: Vec<Option<u64>> = at_ms
            .iter()
            .map(|&ms| log.record(start + Duration::from_millis(ms)))
            .collect();
        assert_eq!(logged, expect, "failures at {at_ms:?} ms");
    }

    #[test]
    fn accept_errors_are_logged_at_most_once_per_interval() {
        check_accept_errors(&[0], &[Some(0)]);
        // Every 50 ms, as the accept loop retries: one line, then silence.
        check_accept_errors(&[0, 50, 100, 150], &[Some(0), None, None, None]);
        // The next line says how many were left out.
        check_accept_errors(
            &[0, 50, 100, 10_000, 10_050, 25_000],
            &[Some(0), None, None, Some(2), None, Some(1)],
        );
    }
}
