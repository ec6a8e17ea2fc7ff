//! Reading promtool's rule unit-test files and the rule files they name
//! (YAML) into `tinyprom::unit_test` and `tinyprom::rules` structs, and
//! printing the outcome as promtool does. Every field promtool 3 reads is
//! read; an unknown one is an error, as promtool's strict YAML makes it.
//! Scalars read into strings keep their text (`1e+21`, `0.10`), as Go's
//! YAML keeps it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Deserialize;
use tinyprom::labels::Labels;
use tinyprom::promql::parse_duration;
use tinyprom::rules::{
    AlertingRule, RecordingRule, Rule, RuleGroup, RuleSettings, Rules,
    DEFAULT_EVALUATION_INTERVAL_MS,
};
use tinyprom::unit_test::{
    run_file as run_tests, AlertTest, ExpectedAlert, ExpectedSample, ExprTest, InputSeries,
    TestFile, TestGroup,
};

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
    fuzzy_compare: bool,
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
    alert_rule_test: Vec<AlertCase>,
    #[serde(default)]
    external_labels: BTreeMap<String, String>,
    #[serde(default)]
    external_url: String,
    #[serde(default)]
    start_timestamp: Option<String>,
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
    /// Absent or empty (`exp_samples:`) means "expect nothing".
    #[serde(default)]
    exp_samples: Option<Vec<Sample>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sample {
    labels: String,
    value: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertCase {
    eval_time: String,
    #[serde(default)]
    alertname: String,
    /// Absent or empty means "no alert firing".
    #[serde(default)]
    exp_alerts: Option<Vec<ExpAlert>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpAlert {
    #[serde(default)]
    exp_labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    exp_annotations: Option<BTreeMap<String, String>>,
}

/// A rule file (`rulefmt`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    groups: Vec<RuleGroupYaml>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleGroupYaml {
    #[serde(default)]
    name: String,
    #[serde(default)]
    interval: Option<String>,
    #[serde(default)]
    query_offset: Option<String>,
    #[serde(default)]
    limit: usize,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    rules: Vec<RuleYaml>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleYaml {
    #[serde(default)]
    record: String,
    #[serde(default)]
    alert: String,
    #[serde(default)]
    expr: String,
    #[serde(default, rename = "for")]
    for_: Option<String>,
    #[serde(default)]
    keep_firing_for: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

fn pairs(map: BTreeMap<String, String>) -> Vec<(String, String)> {
    map.into_iter().collect()
}

/// Runs one file; prints `SUCCESS` or the failures; whether all passed.
pub fn run_file(path: &Path) -> anyhow::Result<bool> {
    println!("Unit Testing:  {}", path.display());
    let failures = match read_test_file(path) {
        Ok(file) => run_tests(&file),
        Err(errors) => errors,
    };
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

/// The test file and its rule files, or why they cannot run.
fn read_test_file(path: &Path) -> Result<TestFile, Vec<String>> {
    let one = |error: String| vec![error];
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {}", path.display()))
        .map_err(|e| one(format!("    {e:#}")))?;
    let file: UnitTestFile = serde_saphyr::from_str(&text).map_err(|e| one(format!("    {e}")))?;
    let base = path.parent().unwrap_or(Path::new(""));
    let mut rule_groups = Vec::new();
    let mut errors = Vec::new();
    for rule_file in resolve_rule_files(base, &file.rule_files).map_err(one)? {
        match read_rule_file(&rule_file) {
            Ok(groups) => rule_groups.extend(groups),
            // Unindented, as promtool prints what fails to load.
            Err(file_errors) => errors.extend(
                file_errors
                    .into_iter()
                    .map(|e| format!("{}: {e}", rule_file.display())),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let evaluation_interval_ms = match &file.evaluation_interval {
        Some(text) => duration(text).map_err(one)?,
        None => 0,
    };
    let evaluation_interval_ms = if evaluation_interval_ms == 0 {
        DEFAULT_EVALUATION_INTERVAL_MS
    } else {
        evaluation_interval_ms
    };
    let mut tests = Vec::with_capacity(file.tests.len());
    for group in file.tests {
        tests.push(test_group(group, evaluation_interval_ms).map_err(one)?);
    }
    Ok(TestFile {
        rule_groups,
        evaluation_interval_ms,
        group_eval_order: file.group_eval_order,
        fuzzy_compare: file.fuzzy_compare,
        tests,
    })
}

fn test_group(group: Group, evaluation_interval_ms: i64) -> Result<TestGroup, String> {
    let mut expr_tests = Vec::new();
    for case in group.promql_expr_test {
        expr_tests.push(ExprTest {
            expr: case.expr,
            eval_time_ms: duration(&case.eval_time)?,
            exp_samples: case
                .exp_samples
                .unwrap_or_default()
                .into_iter()
                .map(|s| ExpectedSample {
                    labels: s.labels,
                    value: s.value,
                })
                .collect(),
        });
    }
    let mut alert_tests = Vec::new();
    for case in group.alert_rule_test {
        alert_tests.push(AlertTest {
            eval_time_ms: duration(&case.eval_time)?,
            alertname: case.alertname,
            exp_alerts: case
                .exp_alerts
                .unwrap_or_default()
                .into_iter()
                .map(|a| ExpectedAlert {
                    labels: pairs(a.exp_labels.unwrap_or_default()),
                    annotations: pairs(a.exp_annotations.unwrap_or_default()),
                })
                .collect(),
        });
    }
    let interval_ms = match &group.interval {
        Some(text) => duration(text)?,
        None => 0,
    };
    Ok(TestGroup {
        name: group.name,
        interval_ms: if interval_ms == 0 {
            evaluation_interval_ms
        } else {
            interval_ms
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
        alert_tests,
        external_labels: Labels::new(pairs(group.external_labels)),
        external_url: group.external_url,
        start_ms: match &group.start_timestamp {
            Some(text) => parse_timestamp(text)?,
            None => 0,
        },
    })
}

/// `rule_files` as promtool resolves them: relative to the test file, each
/// a glob (`*`, `?`, `[…]`); a pattern that matches nothing is a warning.
fn resolve_rule_files(base: &Path, patterns: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for pattern in patterns {
        let joined = if pattern.is_empty() || Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            base.join(pattern)
        };
        let matches = glob::glob(&joined.to_string_lossy())
            .map_err(|e| format!("    syntax error in pattern {pattern:?}: {e}"))?;
        let before = files.len();
        for entry in matches {
            files.push(entry.map_err(|e| format!("    {e}"))?);
        }
        if files.len() == before {
            eprintln!("  WARNING: no file match pattern {}", joined.display());
        }
    }
    Ok(files)
}

/// A rule file's groups, checked where the YAML says more than the
/// structs can hold (`tinyprom::rules::Rules::new` checks the rest).
fn read_rule_file(path: &Path) -> Result<Vec<RuleGroup>, Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| vec![e.to_string()])?;
    let file: RuleFile = serde_saphyr::from_str(&text).map_err(|e| vec![e.to_string()])?;
    let mut errors = Vec::new();
    let mut groups: Vec<RuleGroup> = Vec::new();
    for group in file.groups {
        if groups.iter().any(|g| g.name == group.name) {
            errors.push(format!(
                "groupname: {:?} is repeated in the same file",
                group.name
            ));
        }
        let mut rules = Vec::new();
        for (index, rule) in group.rules.into_iter().enumerate() {
            let name = if rule.alert.is_empty() {
                &rule.record
            } else {
                &rule.alert
            };
            let context = format!("group {:?}, rule {}, {:?}", group.name, index + 1, name);
            match convert_rule(rule) {
                Ok(rule) => rules.push(rule),
                Err(rule_errors) => {
                    errors.extend(rule_errors.into_iter().map(|e| format!("{context}: {e}")));
                }
            }
        }
        let optional_duration = |text: &Option<String>| match text {
            Some(text) => duration(text).map(Some),
            None => Ok(None),
        };
        let interval_ms = optional_duration(&group.interval).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let query_offset_ms = optional_duration(&group.query_offset).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        groups.push(RuleGroup {
            name: group.name,
            interval_ms,
            query_offset_ms,
            limit: group.limit,
            labels: pairs(group.labels),
            rules,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // What the structs hold is checked where the page's rules are too.
    Rules::new(groups.clone(), RuleSettings::default()).map_err(|invalid| invalid.problems)?;
    Ok(groups)
}

fn convert_rule(rule: RuleYaml) -> Result<Rule, Vec<String>> {
    let mut errors = Vec::new();
    let for_ms = rule.for_.as_ref().map_or(Ok(0), |t| duration(t));
    let keep_firing_for_ms = rule.keep_firing_for.as_ref().map_or(Ok(0), |t| duration(t));
    let (for_ms, keep_firing_for_ms) = match (for_ms, keep_firing_for_ms) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            errors.extend(a.err());
            errors.extend(b.err());
            (0, 0)
        }
    };
    let rule = match (rule.record.is_empty(), rule.alert.is_empty()) {
        (false, false) => {
            errors.push("only one of 'record' and 'alert' must be set".to_owned());
            None
        }
        (true, true) => {
            errors.push("one of 'record' or 'alert' must be set".to_owned());
            None
        }
        (false, true) => {
            if !rule.annotations.is_empty() {
                errors.push("invalid field 'annotations' in recording rule".to_owned());
            }
            if for_ms != 0 {
                errors.push("invalid field 'for' in recording rule".to_owned());
            }
            if keep_firing_for_ms != 0 {
                errors.push("invalid field 'keep_firing_for' in recording rule".to_owned());
            }
            Some(Rule::Recording(RecordingRule {
                record: rule.record,
                expr: rule.expr,
                labels: pairs(rule.labels),
            }))
        }
        (true, false) => Some(Rule::Alerting(AlertingRule {
            alert: rule.alert,
            expr: rule.expr,
            for_ms,
            keep_firing_for_ms,
            labels: pairs(rule.labels),
            annotations: pairs(rule.annotations),
        })),
    };
    match rule {
        Some(rule) if errors.is_empty() => Ok(rule),
        _ => Err(errors),
    }
}

fn duration(text: &str) -> Result<i64, String> {
    parse_duration(text).map_err(|e| format!("invalid duration {text:?}: {e}"))
}

/// `start_timestamp` as promtool reads it: Unix seconds (fractions
/// allowed) or an RFC 3339 time; milliseconds since the epoch.
fn parse_timestamp(text: &str) -> Result<i64, String> {
    if let Ok(seconds) = text.parse::<f64>() {
        return Ok((seconds * 1000.0).round() as i64);
    }
    parse_rfc3339(text).ok_or_else(|| format!("cannot parse {text:?} to a valid timestamp"))
}

/// `2024-01-02T03:04:05.678Z` or with a `+01:00` offset.
fn parse_rfc3339(text: &str) -> Option<i64> {
    let number = |s: &str| s.parse::<i64>().ok();
    let (date, time) = text.split_once(['T', 't'])?;
    let mut date_parts = date.splitn(3, '-');
    let (year, month, day) = (
        number(date_parts.next()?)?,
        number(date_parts.next()?)?,
        number(date_parts.next()?)?,
    );
    let (clock, offset_ms) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let at = time.rfind(['+', '-'])?;
        let (hours, minutes) = time[at + 1..].split_once(':')?;
        let offset = (number(hours)? * 60 + number(minutes)?) * 60_000;
        (
            &time[..at],
            if &time[at..at + 1] == "-" {
                -offset
            } else {
                offset
            },
        )
    };
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut hms_parts = hms.splitn(3, ':');
    let (hour, minute, second) = (
        number(hms_parts.next()?)?,
        number(hms_parts.next()?)?,
        number(hms_parts.next()?)?,
    );
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let millis = if fraction.is_empty() {
        0
    } else {
        number(&format!("{fraction:0<3}")[..3])?
    };
    // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
    // days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis - offset_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_start_timestamps_as_promtool() {
        for (text, ms) in [
            ("0", Some(0)),
            ("1700000000", Some(1_700_000_000_000)),
            ("1.5", Some(1500)),
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2023-11-14T22:13:20Z", Some(1_700_000_000_000)),
            ("2023-11-14T23:13:20.25+01:00", Some(1_700_000_000_250)),
            ("2000-02-29T12:00:00-02:30", Some(951_834_600_000)),
            ("yesterday", None),
        ] {
            assert_eq!(parse_timestamp(text).ok(), ms, "{text}");
        }
    }
}
