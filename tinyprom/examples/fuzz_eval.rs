//! The long fuzz run of the evaluator: random well-typed and mutated
//! queries (see `tests/support/eval_fuzz.rs`) over awkward data, each as a
//! range query and an instant query that must agree, none may panic.
//!
//! ```text
//! cargo run --release -p tinyprom --example fuzz_eval -- 1000000 [SEED]
//! ```
#![allow(clippy::print_stdout)]

#[path = "../tests/support/eval_fuzz.rs"]
mod eval_fuzz;
#[path = "../tests/support/fuzz.rs"]
#[allow(dead_code)]
mod fuzz;

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let count: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(0xE7A1_2026);
    let store = eval_fuzz::store();
    let mut rng = fuzz::XorShift::new(seed);
    let started = Instant::now();
    let (mut evaluated, mut compared, mut failures) = (0u64, 0u64, 0u64);
    for _ in 0..count {
        let query = eval_fuzz::generate(&mut rng);
        match eval_fuzz::check(&store, &query, &mut rng) {
            Ok(outcome) => {
                evaluated += u64::from(outcome.evaluated);
                compared += u64::from(outcome.compared);
            }
            Err(message) => {
                failures += 1;
                if failures <= 20 {
                    println!("FAIL {message}");
                }
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "evaluator fuzz: {count} queries (seed {seed:#x}) in {seconds:.1} s ({:.0}/s): {evaluated} evaluated, {compared} range/instant comparisons, {failures} failures",
        count as f64 / seconds
    );
    if failures > 0 {
        std::process::exit(1);
    }
}
