//! The tree counter: a page that says how many trees have been planted.
//!
//! This is the app of the workshop (WORKSHOP.md). Run it with
//! `cargo run -p workshop-app` and open http://localhost:8001/treecounter.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use axum::Router;

/// The longest the page waits before answering: each visit waits a random
/// time between zero and this, like a slow database would make it.
const LATENCY_MAX: Duration = Duration::from_secs(1);
/// How often the (simulated) upstream API fails: 15 % of calls.
const UPSTREAM_ERROR_RATE: f64 = 0.15;

#[tokio::main]
async fn main() {
    let app = Router::new().route("/treecounter", get(tree_counter));

    // The workshop's port; APP_LISTEN=127.0.0.1:8002 picks another one.
    let listen = std::env::var("APP_LISTEN").unwrap_or_else(|_| "0.0.0.0:8001".to_owned());
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {listen}: {error}. Is the app already running?");
            std::process::exit(1);
        }
    };
    let port = listener.local_addr().map_or(0, |address| address.port());
    eprintln!("listening on {listen}: open http://localhost:{port}/treecounter");
    if let Err(error) = axum::serve(listener, app).await {
        eprintln!("server error: {error}");
        std::process::exit(1);
    }
}

/// `GET /treecounter`: waits the artificial latency, asks the upstream API
/// for the count and shows it. When the upstream fails the page still
/// answers 200 and says so.
async fn tree_counter() -> Html<String> {
    tokio::time::sleep(LATENCY_MAX.mul_f64(fastrand::f64())).await;
    let count = fetch_tree_count().await;
    Html(render_page(count.ok()))
}

/// The upstream API that counts trees, simulated: the count grows by 1.25
/// trees a second since 2024, and 15 % of calls fail with a 503.
async fn fetch_tree_count() -> Result<u64, StatusCode> {
    if fastrand::f64() < UPSTREAM_ERROR_RATE {
        return Err(StatusCode::SERVICE_UNAVAILABLE);
    }
    let since_2024 = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |now| now.as_secs_f64() - 1_704_067_200.0);
    Ok(190_000_000 + (since_2024.max(0.0) * 1.25) as u64)
}

fn render_page(count: Option<u64>) -> String {
    let body = match count {
        Some(count) => format!(
            "<p class=\"count\">{}</p>\n<p>trees planted so far</p>",
            with_thousands_separators(count)
        ),
        None => "<p class=\"count\">unavailable</p>\n<p>The tree count could not be fetched from upstream (simulated 503). Try again.</p>".to_owned(),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Tree counter</title>\n\
         <style>body{{font-family:system-ui,sans-serif;text-align:center;margin-top:15vh;color:#17351f}}.count{{font-size:4rem;font-weight:700;margin:0}}</style>\n\
         </head>\n<body>\n<h1>Tree counter</h1>\n{body}\n</body>\n</html>\n"
    )
}

/// `1234567` → `"1,234,567"`.
fn with_thousands_separators(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
