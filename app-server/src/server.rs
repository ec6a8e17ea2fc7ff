//! Accepting connections: header-read timeout, HTTP/1.1 keep-alive, and a
//! graceful shutdown that lets in-flight requests finish.
//!
//! `axum::serve` has no header-read timeout, so connections are driven by
//! hyper-util's server builder directly (as axum's `serve-with-hyper`
//! example does).

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// Connection-level limits.
#[derive(Debug, Clone, Copy)]
pub struct ServerTimeouts {
    /// How long a client may take to send its request headers. A slow client
    /// (or one that opens a connection and says nothing) is disconnected.
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

/// Serves `app` on `listener` until `shutdown` completes, then stops
/// accepting and waits up to `timeouts.shutdown_grace` for open connections
/// to finish their requests.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    timeouts: ServerTimeouts,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);

    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(error) => {
                    // Out of file descriptors and the like: back off briefly
                    // instead of spinning, and keep serving.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }

    drop(listener);
    tracing::info!("shutting down: waiting for in-flight requests");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(timeouts.shutdown_grace) => {
            tracing::warn!(grace = ?timeouts.shutdown_grace, "grace period over, closing remaining connections");
        }
    }
}
