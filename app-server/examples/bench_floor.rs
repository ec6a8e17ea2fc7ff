//! The floor `scripts/bench-server.sh` measures app-server against: a bare
//! axum hello-world, built from the same axum, hyper and tokio as
//! app-server, served the way axum's own examples do (`axum::serve`, no
//! middleware, no timeouts, no metrics). Whatever app-server spends per
//! request above this is the cost of what it does.
//!
//!   cargo run --release -p app-server --example bench_floor -- 127.0.0.1:8002

use axum::routing::get;
use axum::Router;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8002".to_owned());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let app = Router::new().route("/", get(|| async { "Hello, World!" }));
    axum::serve(listener, app).await?;
    Ok(())
}
