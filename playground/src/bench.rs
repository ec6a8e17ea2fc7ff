//! The PromQL engine's speed in the browser, for `scripts/bench-promql.sh`
//! (a benchmark hook, not part of the page's behaviour): the script calls
//! `window.wasmBindings.bench_promql(...)` in the release build.

use std::time::Duration;

use playground_core::playground::{Playground, PlaygroundConfig};
use tinyprom::storage::duration_ms;
use wasm_bindgen::prelude::wasm_bindgen;

/// The queries the issue names, as range queries over the last hour.
const QUERIES: [&str; 2] = [
    "rate(requests_total[1m])",
    "histogram_quantile(0.9, sum by (le) (rate(request_latency_seconds_bucket[5m])))",
];

/// Fills a playground with one hour of history (`series` request series,
/// scraped every `scrape_interval_s`), then times each query `repeats`
/// times as a range query over the hour at a 10 s step. Returns one line
/// per query: `query<TAB>series<TAB>points<TAB>median ms<TAB>min ms<TAB>max ms`.
#[wasm_bindgen]
pub fn bench_promql(series: u32, scrape_interval_s: u32, repeats: u32) -> String {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else {
        return "no performance clock".to_owned();
    };
    let mut playground = Playground::new(PlaygroundConfig {
        start_unix_time: Duration::from_secs(1_800_000_000),
        seed: 1,
        version: "bench".to_owned(),
    });
    let history = Duration::from_secs(3600);
    if let Err(error) = playground.load_benchmark_history(
        history,
        series as usize,
        20.0,
        Duration::from_secs(u64::from(scrape_interval_s.max(1))),
    ) {
        return format!("cannot load the history: {error}");
    }
    let end = duration_ms(playground.now());
    let start = end - duration_ms(history);
    let mut out = String::new();
    for query in QUERIES {
        let mut times = Vec::new();
        let mut shape = (0, 0);
        for _ in 0..repeats.max(1) {
            let begin = performance.now();
            let result = playground.query_range(query, start, end, 10_000);
            times.push(performance.now() - begin);
            if let Ok(tinyprom::promql::QueryValue::Matrix(series)) = result {
                shape = (series.len(), series.iter().map(|s| s.samples.len()).sum());
            }
        }
        tinyprom::sort::sort_copied_by(&mut times, f64::total_cmp);
        out.push_str(&format!(
            "{query}\t{}\t{}\t{:.3}\t{:.3}\t{:.3}\n",
            shape.0,
            shape.1,
            times[times.len() / 2],
            times[0],
            times[times.len() - 1]
        ));
    }
    out
}
