//! Reading promtool's rule unit-test files (YAML) into
//! `tinyprom::unit_test` groups and printing the outcome as promtool does.

use std::path::Path;

use anyhow::Context as _;
use serde::Deserialize;
use tinyprom::promql::parse_duration;
use tinyprom::unit_test::{run_group, ExpectedSample, ExprTest, InputSeries, TestGroup};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitTestFile {
    #[serde(default)]
    rule_files: Vec<String>,
    #[serde(default)]
    evaluation_interval: Option<String>,
    #[serde(default)]
    group_eval_order: Vec<String>,
    #[serde(default)]
    tests: Vec<Group>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    #[serde(default)]
    name: String,
    #[serde(default)]
    interval: Option<String>,
    #[serde(default)]
    input_series: Vec<Series>,
    #[serde(default)]
    promql_expr_test: Vec<ExprCase>,
    #[serde(default)]
    alert_rule_test: Vec<serde::de::IgnoredAny>,
    #[serde(default)]
    external_labels: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    external_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Series {
    series: String,
    values: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExprCase {
    expr: String,
    eval_time: String,
    #[serde(default)]
    exp_samples: Vec<Sample>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sample {
    labels: String,
    value: f64,
}

/// Runs one file; prints `SUCCESS` or the failures; whether all passed.
pub fn run_file(path: &Path) -> anyhow::Result<bool> {
    println!("Unit Testing:  {}", path.display());
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: UnitTestFile = match serde_saphyr::from_str(&text) {
        Ok(file) => file,
        Err(error) => {
            println!("  FAILED:\n    {error}");
            return Ok(false);
        }
    };
    let mut failures = Vec::new();
    if !file.rule_files.is_empty() || !file.group_eval_order.is_empty() {
        failures.push("    rule_files and group_eval_order are not supported yet: only promql_expr_test runs here".to_owned());
    }
    let default_interval = match &file.evaluation_interval {
        Some(text) => duration(text)?,
        None => 60_000,
    };
    for group in file.tests {
        if !group.alert_rule_test.is_empty()
            || group.external_labels.is_some()
            || group.external_url.is_some()
        {
            failures.push(format!(
                "    group {:?}: alert_rule_test, external_labels and external_url are not supported yet",
                group.name
            ));
            continue;
        }
        let mut expr_tests = Vec::new();
        for case in group.promql_expr_test {
            expr_tests.push(ExprTest {
                expr: case.expr,
                eval_time_ms: duration(&case.eval_time)?,
                exp_samples: case
                    .exp_samples
                    .into_iter()
                    .map(|s| ExpectedSample {
                        labels: s.labels,
                        value: s.value,
                    })
                    .collect(),
            });
        }
        let test_group = TestGroup {
            name: group.name,
            interval_ms: match &group.interval {
                Some(text) => duration(text)?,
                None => default_interval,
            },
            input_series: group
                .input_series
                .into_iter()
                .map(|s| InputSeries {
                    series: s.series,
                    values: s.values,
                })
                .collect(),
            expr_tests,
        };
        match run_group(&test_group) {
            Ok(group_failures) => failures.extend(group_failures),
            Err(error) => failures.push(format!("    {error}")),
        }
    }
    if failures.is_empty() {
        println!("  SUCCESS\n");
        Ok(true)
    } else {
        println!("  FAILED:");
        for failure in failures {
            println!("{failure}");
        }
        println!();
        Ok(false)
    }
}

fn duration(text: &str) -> anyhow::Result<i64> {
    parse_duration(text).map_err(|e| anyhow::anyhow!("invalid duration {text:?}: {e}"))
}
