//! A short deterministic fuzz run of the parser in the test suite (the long
//! one is `cargo run --release -p tinyprom --example fuzz_parse -- 1000000`),
//! and inputs nested far deeper than any person writes.

#[path = "support/fuzz.rs"]
mod fuzz;

use tinyprom::promql::parse;

#[test]
fn twenty_thousand_random_and_mutated_queries_never_panic_and_round_trip() {
    let mut rng = fuzz::XorShift::new(0x5EED_2026);
    let mut parsed = 0;
    for _ in 0..20_000 {
        let input = fuzz::generate(&mut rng);
        match fuzz::check(&input) {
            Ok(ok) => parsed += usize::from(ok),
            Err(message) => panic!("{message}"),
        }
    }
    // The mutations must leave a fair share of valid queries, or the run
    // tests only the error paths.
    assert!(parsed > 1_500, "only {parsed} of 20000 inputs parsed");
}

#[test]
fn every_seed_parses_and_round_trips() {
    for seed in fuzz::SEEDS {
        assert_eq!(fuzz::check(seed), Ok(true), "{seed}");
    }
}

fn check_too_deep(input: &str) {
    let error = parse(input).expect_err("too deep");
    assert!(
        error.message.starts_with("expression nested too deeply"),
        "{}...: {error}",
        &input[..40]
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let n = 100_000;
    check_too_deep(&format!("{}1{}", "(".repeat(n), ")".repeat(n)));
    check_too_deep(&format!("{}1", "-".repeat(n)));
    check_too_deep(&format!("{}x", "-(".repeat(n)));
    check_too_deep(&format!("1{}", " + 1".repeat(n)));
    check_too_deep(&format!("{}1", "2 ^ ".repeat(n)));
    check_too_deep(&format!("{}x{}", "abs(".repeat(n), ")".repeat(n)));
    check_too_deep(&format!("{}x{}", "sum(".repeat(n), ")".repeat(n)));
    check_too_deep(&format!("x{}", "[1m:]".repeat(n)));
    check_too_deep(&format!("x{}", "[1m:] + x".repeat(n)));
    check_too_deep(&format!("x[{}5m{}]", "(".repeat(n), ")".repeat(n)));
    // Unclosed: the lexer reports it at the end, the parser never recurses.
    assert!(parse(&"(".repeat(n)).is_err());
}

#[test]
fn nesting_just_under_the_limit_parses_prints_and_checks() {
    let depth = tinyprom::promql::parser::MAX_NESTING as usize - 2;
    for input in [
        format!("{}1{}", "(".repeat(depth), ")".repeat(depth)),
        format!("{}x{}", "abs(".repeat(depth), ")".repeat(depth)),
        format!("1{}", " + 1".repeat(depth)),
        format!("{}x", "-".repeat(depth)),
    ] {
        let expr = parse(&input).unwrap_or_else(|e| panic!("{}...: {e}", &input[..20]));
        assert_eq!(
            parse(&expr.to_string()).map(|e| e.to_string()),
            Ok(expr.to_string())
        );
    }
}
