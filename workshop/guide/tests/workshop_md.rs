//! WORKSHOP.md cannot drift from the code: every Rust, TOML and YAML block
//! is an exact excerpt of the file it names, each section shows every line
//! its solution adds, the exercises' answers are the checker's references,
//! and each section says how to check it.

// Test helpers outside #[test] functions unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::ops::Range;
use std::path::Path;

use workshop_guide::queries::{DEFAULT_RANGE, EXERCISES};
use workshop_guide::workshop_md::{
    locate_excerpt, sections, solution_file, Section, SOLUTION_FILES, WORKSHOP_MD,
};

fn repository_file(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn numbered(number: u8) -> Section<'static> {
    sections(WORKSHOP_MD)
        .into_iter()
        .find(|section| section.number == Some(number))
        .unwrap_or_else(|| panic!("WORKSHOP.md has no section {number}"))
}

#[test]
fn every_code_block_is_an_excerpt_of_the_file_it_names() {
    let mut checked = 0;
    for section in sections(WORKSHOP_MD) {
        for block in &section.blocks {
            let Some(("from", path)) = block.mark else {
                assert!(
                    !matches!(block.lang, "rust" | "toml" | "yaml"),
                    "WORKSHOP.md line {}: a {} block needs a `<!-- from PATH -->` line before it",
                    block.line,
                    block.lang
                );
                continue;
            };
            assert!(
                locate_excerpt(&block.code, &repository_file(path)).is_some(),
                "WORKSHOP.md line {}: this block is not in {path} as written:\n{}",
                block.line,
                block.code
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 10,
        "only {checked} blocks checked: are the marks read?"
    );
}

#[test]
fn the_embedded_solutions_are_the_files() {
    for (path, text) in SOLUTION_FILES {
        assert_eq!(*text, repository_file(path), "{path}");
    }
}

/// Lines a line diff may pair with any other like line: blank lines and
/// lone closing brackets. Crate names differ between the crates by design.
fn is_trivial(line: &str) -> bool {
    let line = line.trim();
    line.chars().all(|c| "})];,".contains(c)) || line.starts_with("name = \"workshop-")
}

/// The lines of `new` that a longest-common-subsequence diff from `old`
/// marks as added (0-based).
fn added_lines(old: &str, new: &str) -> Vec<usize> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut added) = (0, 0, Vec::new());
    while j < b.len() {
        if i < a.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if i < a.len() && lcs[i + 1][j] >= lcs[i][j + 1] {
            i += 1;
        } else {
            added.push(j);
            j += 1;
        }
    }
    added
}

#[test]
fn each_section_shows_every_line_its_solution_adds() {
    for (number, before, after) in [
        (1, "app", "step-1"),
        (2, "step-1", "step-2"),
        (6, "step-2", "step-6"),
    ] {
        let section = numbered(number);
        for file in ["Cargo.toml", "src/main.rs"] {
            let after_path = format!("workshop/{after}/{file}");
            // Read from disk: the start is not embedded (see SOLUTION_FILES).
            let old = repository_file(&format!("workshop/{before}/{file}"));
            let old = old.as_str();
            let new = solution_file(&after_path).unwrap();
            let shown: Vec<Range<usize>> = section
                .blocks
                .iter()
                .filter(|block| block.mark == Some(("from", after_path.as_str())))
                .flat_map(|block| locate_excerpt(&block.code, new).unwrap_or_default())
                .collect();
            let new_lines: Vec<&str> = new.lines().collect();
            let missing: Vec<String> = added_lines(old, new)
                .into_iter()
                .filter(|&line| !is_trivial(new_lines[line]))
                .filter(|line| !shown.iter().any(|range| range.contains(line)))
                .map(|line| format!("{:>4}: {}", line + 1, new_lines[line]))
                .collect();
            assert!(
                missing.is_empty(),
                "section {number} of WORKSHOP.md does not show these lines of {after_path}:\n{}",
                missing.join("\n")
            );
        }
    }
}

#[test]
fn the_diff_finds_added_lines() {
    assert_eq!(added_lines("a\nb\nc\n", "a\nx\nb\nc\ny\n"), [1, 4]);
    assert_eq!(added_lines("a\nb\n", "a\nB\n"), [1]);
    assert_eq!(added_lines("", "a\n"), [0]);
    assert!(added_lines("a\nb\n", "a\n").is_empty());
}

#[test]
fn the_answers_are_the_checkers_references() {
    for exercise in EXERCISES {
        let section = numbered(exercise.section);
        let answers: Vec<&str> = section
            .blocks
            .iter()
            .filter(|block| block.mark == Some(("answer", exercise.id)))
            .map(|block| block.code.trim())
            .collect();
        assert_eq!(
            answers,
            [exercise.reference.replace("{range}", DEFAULT_RANGE)],
            "section {}'s `<!-- answer {} -->` block",
            exercise.section,
            exercise.id
        );
    }
}

#[test]
fn each_section_says_how_to_check_it() {
    for number in 1..=6 {
        let section = numbered(number);
        let command = format!("cargo check-work {number}");
        assert!(
            section.blocks.iter().any(|block| block.lang == "sh"
                && block
                    .code
                    .lines()
                    .any(|line| line == command || line.starts_with(&format!("{command} '")))),
            "section {number} has no `{command}` block"
        );
    }
}

/// `190000000` as written in Rust source: `190_000_000`.
fn with_underscores(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('_');
        }
        out.push(digit);
    }
    out
}

#[test]
fn the_start_behaves_as_the_finished_app() {
    use treecounter::simulation as sim;
    let start = repository_file("workshop/app/src/main.rs");
    for expected in [
        format!(
            "const LATENCY_MAX: Duration = Duration::from_secs({});",
            sim::DEFAULT_LATENCY_MAX.as_secs()
        ),
        format!(
            "const UPSTREAM_ERROR_RATE: f64 = {};",
            sim::DEFAULT_UPSTREAM_ERROR_RATE
        ),
        format!(
            "now.as_secs_f64() - {}.0",
            with_underscores(sim::TREE_COUNT_EPOCH_UNIX_SECS)
        ),
        format!(
            "Ok({} + (since_2024.max(0.0) * {}) as u64)",
            with_underscores(sim::TREE_COUNT_AT_EPOCH),
            sim::TREES_PER_SECOND
        ),
        "return Err(StatusCode::SERVICE_UNAVAILABLE);".to_owned(),
    ] {
        assert!(
            start.contains(&expected),
            "workshop/app/src/main.rs lacks `{expected}`"
        );
    }
    assert_eq!(sim::SIMULATED_UPSTREAM_ERROR_STATUS, 503);
}

#[test]
fn the_workshop_builds_with_the_workspaces_versions() {
    let lock = repository_file("Cargo.lock");
    for package in ["axum", "tokio", "prometheus-client", "fastrand"] {
        let versions = lock
            .lines()
            .filter(|line| *line == format!("name = \"{package}\""))
            .count();
        assert_eq!(
            versions, 1,
            "Cargo.lock has {versions} versions of {package}"
        );
    }
}
