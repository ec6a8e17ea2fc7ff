//! A step's checklist and how each check came out.

use std::fmt::Write as _;

/// How one check came out.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Done; the text says what was found (may be empty).
    Pass(String),
    /// Not done: what was found, and what to change.
    Fail {
        /// What the check saw.
        found: String,
        /// What to do about it.
        fix: String,
    },
    /// Not run, because a check before it failed.
    Skipped,
}

/// One line of a checklist.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// What is checked, e.g. "GET /metrics answers 200 OK".
    pub title: &'static str,
    /// How it came out.
    pub outcome: Outcome,
}

/// Why a check failed; becomes [`Outcome::Fail`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// What the check saw.
    pub found: String,
    /// What to do about it.
    pub fix: String,
}

impl Failure {
    /// A failure with what was found and how to fix it.
    pub fn new(found: impl Into<String>, fix: impl Into<String>) -> Failure {
        Failure {
            found: found.into(),
            fix: fix.into(),
        }
    }
}

/// The checks of a step, in order. Later checks build on earlier ones, so
/// after the first failure the rest are [`Outcome::Skipped`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// The checks, in the order they ran.
    pub checks: Vec<Check>,
}

impl Report {
    /// Runs `rules` in order on `input`, skipping the rest after a failure.
    pub fn run<T: ?Sized>(rules: &[Rule<T>], input: &T) -> Report {
        let mut checks = Vec::with_capacity(rules.len());
        let mut failed = false;
        for &(title, rule) in rules {
            let outcome = if failed {
                Outcome::Skipped
            } else {
                match rule(input) {
                    Ok(detail) => Outcome::Pass(detail),
                    Err(Failure { found, fix }) => {
                        failed = true;
                        Outcome::Fail { found, fix }
                    }
                }
            };
            checks.push(Check { title, outcome });
        }
        Report { checks }
    }

    /// A report of one failed check: when nothing could be checked at all.
    pub fn failed(title: &'static str, failure: Failure) -> Report {
        Report {
            checks: vec![Check {
                title,
                outcome: Outcome::Fail {
                    found: failure.found,
                    fix: failure.fix,
                },
            }],
        }
    }

    /// Every check ran and passed.
    pub fn is_done(&self) -> bool {
        !self.checks.is_empty()
            && self
                .checks
                .iter()
                .all(|check| matches!(check.outcome, Outcome::Pass(_)))
    }

    /// The first failed check, if any.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks
            .iter()
            .find(|check| matches!(check.outcome, Outcome::Fail { .. }))
    }

    /// The checklist as text for a terminal, one check a line; a failure is
    /// followed by what was found and how to fix it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for check in &self.checks {
            let _ = match &check.outcome {
                Outcome::Pass(detail) if detail.is_empty() => {
                    writeln!(out, "  ok    {}", check.title)
                }
                Outcome::Pass(detail) => writeln!(out, "  ok    {} ({detail})", check.title),
                Outcome::Fail { found, fix } => writeln!(
                    out,
                    "  FAIL  {}\n        found: {}\n        fix:   {}",
                    check.title,
                    indent_continuation(found),
                    indent_continuation(fix)
                ),
                Outcome::Skipped => writeln!(out, "  skip  {}", check.title),
            };
        }
        out
    }
}

/// A named check: its title and the function that decides it.
pub type Rule<T> = (&'static str, fn(&T) -> Result<String, Failure>);

fn indent_continuation(text: &str) -> String {
    text.replace('\n', "\n               ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positive(n: &i32) -> Result<String, Failure> {
        if *n > 0 {
            Ok(format!("{n} > 0"))
        } else {
            Err(Failure::new(format!("{n}"), "use a positive number"))
        }
    }

    fn even(n: &i32) -> Result<String, Failure> {
        if n % 2 == 0 {
            Ok(String::new())
        } else {
            Err(Failure::new("odd", "add one"))
        }
    }

    const RULES: &[Rule<i32>] = &[("positive", positive), ("even", even)];

    #[test]
    fn runs_in_order_and_skips_after_a_failure() {
        assert_eq!(
            Report::run(RULES, &4).render(),
            "  ok    positive (4 > 0)\n  ok    even\n"
        );
        assert!(Report::run(RULES, &4).is_done());
        let failed = Report::run(RULES, &-3);
        assert_eq!(
            failed.render(),
            "  FAIL  positive\n        found: -3\n        fix:   use a positive number\n  skip  even\n"
        );
        assert!(!failed.is_done());
        assert_eq!(failed.first_failure().map(|c| c.title), Some("positive"));
        assert!(!Report::default().is_done());
    }
}
