//! The wasm benchmark's queries on the host, for profiling
//! (`perf record ./target/release/examples/bench_queries`).
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use playground_core::playground::{Playground, PlaygroundConfig};
use tinyprom::storage::duration_ms;

fn main() {
    let scrape_s: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let repeats: u32 = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let mut playground = Playground::new(PlaygroundConfig {
        start_unix_time: Duration::from_secs(1_800_000_000),
        seed: 1,
        version: "bench".to_owned(),
    });
    let history = Duration::from_secs(3600);
    if let Err(error) =
        playground.load_benchmark_history(history, 50, 20.0, Duration::from_secs(scrape_s))
    {
        println!("cannot load: {error}");
        return;
    }
    let end = duration_ms(playground.now());
    let start = end - duration_ms(history);
    for query in [
        "rate(requests_total[1m])",
        "histogram_quantile(0.9, sum by (le) (rate(request_latency_seconds_bucket[5m])))",
    ] {
        let begin = Instant::now();
        for _ in 0..repeats {
            let _ = playground.query_range(query, start, end, 10_000);
        }
        println!(
            "{query}: {:.3} ms",
            begin.elapsed().as_secs_f64() * 1000.0 / f64::from(repeats)
        );
    }
}
