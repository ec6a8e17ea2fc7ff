//! `promql test` over every rule unit-test file in the repository, without
//! promtool: the files under `tinyprom/testdata/rules/` and the stack's
//! `prometheus/*.test.yaml` pass, those under `failing/` fail. (The oracle,
//! `scripts/test-promql.sh`, also runs each of them under promtool.)

use std::path::{Path, PathBuf};
use std::process::Command;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate is in the workspace")
        .to_owned()
}

fn yaml_files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the directory exists")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.to_string_lossy().ends_with(suffix))
        .collect();
    files.sort();
    files
}

/// The exit code and output of `promql test FILE`, run from the file's
/// directory as a user would.
fn run(file: &Path) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_promql"))
        .arg("test")
        .arg(file.file_name().expect("a file name"))
        .current_dir(file.parent().expect("a directory"))
        .output()
        .expect("promql runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code(), text)
}

#[test]
fn every_rule_test_file_passes() {
    let root = repository();
    let mut files = yaml_files(&root.join("tinyprom/testdata/rules"), ".yaml");
    files.extend(yaml_files(&root.join("prometheus"), ".test.yaml"));
    assert!(files.len() >= 12, "{files:?}");
    for file in files {
        let (code, output) = run(&file);
        assert_eq!(code, Some(0), "{}:\n{output}", file.display());
        assert!(output.ends_with("  SUCCESS\n\n"), "{output}");
    }
}

#[test]
fn every_failing_rule_test_file_fails() {
    let files = yaml_files(
        &repository().join("tinyprom/testdata/rules/failing"),
        ".yaml",
    );
    assert!(files.len() >= 9, "{files:?}");
    for file in files {
        let (code, output) = run(&file);
        assert_eq!(code, Some(1), "{}:\n{output}", file.display());
        assert!(output.contains("  FAILED:\n"), "{output}");
    }
}
