//! What app-server's instrumentation costs per `/treecounter` request, for
//! `scripts/bench-server.sh`: the two clock reads and the two
//! `Metrics::record_response` calls (a `requests_total` increment and a
//! `request_latency_seconds` observation for the page, the same for its
//! upstream call) that every such request makes, in a loop on one thread and
//! on two threads at once (the server's two workers sharing the same
//! series), in CPU time per request.
//!
//!   cargo run --release -p app-server --example bench_instrumentation [ITERATIONS]
//!
//! Prints `instrumentation ns/request: <one thread> <two threads>`.
// Its output is the figure the bench script reads.
#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::time::Instant;

use prometheus_client::registry::Registry;
use treecounter::metrics::{Endpoint, Metrics};

/// One request's worth of instrumentation, as the middleware and the
/// handler do it.
fn instrumented_request(metrics: &Metrics) {
    // std's clock: what `tokio::time::Instant` is in a release build (an
    // example is built with the dev-dependencies' `test-util` clock, which
    // the server binary is not).
    let page_started = Instant::now();
    let upstream_started = Instant::now();
    metrics.record_response(Endpoint::Upstream, 200, upstream_started.elapsed());
    metrics.record_response(Endpoint::TreeCounter, 200, page_started.elapsed());
}

/// Nanoseconds of this thread's CPU time per request: CPU time rather than
/// wall time, so that the other processes sharing the machine's cores do not
/// count (Linux's per-thread scheduler statistics; elsewhere, wall time).
fn ns_per_request(metrics: &Metrics, iterations: u32) -> f64 {
    let started = thread_cpu_ns();
    let wall = Instant::now();
    for _ in 0..iterations {
        instrumented_request(black_box(metrics));
    }
    let spent = match (started, thread_cpu_ns()) {
        (Some(start), Some(end)) => end.saturating_sub(start) as f64,
        _ => wall.elapsed().as_nanos() as f64,
    };
    spent / f64::from(iterations)
}

/// The first field of /proc/thread-self/schedstat: time this thread has
/// spent running, in nanoseconds.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn main() {
    let iterations: u32 = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(2_000_000);
    let mut registry = Registry::default();
    let metrics = Metrics::register(&mut registry, "bench");
    // Warm up: create the series, fault in the pages.
    ns_per_request(&metrics, iterations / 10);

    let one_thread = ns_per_request(&metrics, iterations);
    let two_threads = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| ns_per_request(&metrics, iterations)))
            .collect();
        let times: Vec<f64> = workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or(f64::NAN))
            .collect();
        times.iter().sum::<f64>() / times.len() as f64
    });
    println!("instrumentation ns/request: {one_thread:.0} {two_threads:.0}");
}
