//! A short deterministic fuzz run of the evaluator in the test suite (the
//! long one is `cargo run --release -p tinyprom --example fuzz_eval --
//! 1000000`): random well-typed and mutated queries over awkward data,
//! evaluated as range and instant queries, which must agree.

#[path = "support/eval_fuzz.rs"]
mod eval_fuzz;
#[path = "support/fuzz.rs"]
#[allow(dead_code)]
mod fuzz;

#[test]
fn random_queries_evaluate_consistently_without_panicking() {
    let store = eval_fuzz::store();
    let mut rng = fuzz::XorShift::new(0xE7A1_2026);
    let (mut evaluated, mut compared) = (0, 0);
    let mut failures = Vec::new();
    for _ in 0..4_000 {
        let query = eval_fuzz::generate(&mut rng);
        match eval_fuzz::check(&store, &query, &mut rng) {
            Ok(outcome) => {
                evaluated += usize::from(outcome.evaluated);
                compared += usize::from(outcome.compared);
            }
            Err(message) => failures.push(message),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Most inputs must reach the evaluator, and many must be comparable,
    // or the run tests nothing.
    assert!(
        evaluated > 3_000,
        "only {evaluated} of 4000 queries were evaluated"
    );
    assert!(
        compared > 1_500,
        "only {compared} of 4000 queries were compared"
    );
}
