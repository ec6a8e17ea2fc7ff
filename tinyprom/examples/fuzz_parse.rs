//! The long fuzz run of the PromQL parser: random and mutated queries
//! (see `tests/support/fuzz.rs`), checked for panics and for printing back
//! to text that parses the same.
//!
//! ```text
//! cargo run --release -p tinyprom --example fuzz_parse -- 1000000 [SEED]
//! ```
#![allow(clippy::print_stdout)]

#[path = "../tests/support/fuzz.rs"]
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
        .unwrap_or(0x5EED_2026);
    let mut rng = fuzz::XorShift::new(seed);
    let started = Instant::now();
    let (mut parsed, mut bytes, mut failures) = (0u64, 0u64, 0u64);
    for _ in 0..count {
        let input = fuzz::generate(&mut rng);
        bytes += input.len() as u64;
        match fuzz::check(&input) {
            Ok(true) => parsed += 1,
            Ok(false) => {}
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
        "{count} inputs ({parsed} parsed, {} rejected, {failures} failures), {bytes} bytes, seed {seed}, in {seconds:.2} s: {:.0} inputs/s",
        count - parsed - failures,
        count as f64 / seconds
    );
    if failures > 0 {
        std::process::exit(1);
    }
}
