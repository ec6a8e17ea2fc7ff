//! The stack's files as the page gets them (`playground_core::stack`, made
//! by build.rs): every alert rule loads and every panel query parses in the
//! engine once Grafana's variables are substituted, for any time range,
//! width and scrape interval the page offers; and what was generated is
//! what the files say, read here again.

use std::collections::BTreeMap;
use std::path::Path;

use playground_core::grafana::QueryContext;
use playground_core::stack::{self, DASHBOARD};
use serde::Deserialize;
use serde_json::Value;
use tinyprom::promql::{parse, parse_duration};
use tinyprom::rules::Rule;

const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;

#[test]
fn every_alert_rule_loads_and_its_expression_parses() {
    let groups = stack::rule_groups();
    assert!(!groups.is_empty());
    for rule in groups.iter().flat_map(|g| &g.rules) {
        let expr = match rule {
            Rule::Alerting(alert) => &alert.expr,
            Rule::Recording(record) => &record.expr,
        };
        if let Err(error) = parse(expr) {
            panic!("rule {}: {expr:?} does not parse: {error}", rule.name());
        }
    }
    let rules = stack::new_rules().unwrap_or_else(|invalid| panic!("{invalid}"));
    let names: Vec<&str> = rules.rules().map(|r| r.name()).collect();
    assert_eq!(
        names,
        [
            "TreeCounterDown",
            "TreeCounterUpstreamErrorsHigh",
            "TreeCounterSlow"
        ]
    );
    assert_eq!(stack::EVALUATION_INTERVAL_MS, 10 * SECOND);
    assert_eq!(stack::SCRAPE_INTERVAL_MS, 10 * SECOND);
}

#[test]
fn every_panel_query_parses_after_grafanas_substitution() {
    let mut checked = 0;
    for panel in DASHBOARD.panels {
        for target in panel.targets {
            for range_ms in [5 * MINUTE, 15 * MINUTE, 60 * MINUTE, 6 * 60 * MINUTE] {
                for max_data_points in [100, 400, 1200, 3000] {
                    for scrape_interval_ms in [SECOND, 5 * SECOND, 10 * SECOND, MINUTE] {
                        let context = QueryContext {
                            range_ms,
                            max_data_points,
                            scrape_interval_ms,
                            min_interval_ms: panel.min_interval_ms,
                        };
                        let expr = context.substitute(target.expr);
                        assert!(!expr.contains('$'), "panel {:?}: {expr:?}", panel.title);
                        if let Err(error) = parse(&expr) {
                            panic!(
                                "panel {:?}, target {}: {expr:?}: {error}",
                                panel.title, target.ref_id
                            );
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    // 15 queries in 12 panels, 64 settings each.
    assert_eq!(checked, 15 * 64);
}

fn repository_file(relative: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("in the workspace");
    std::fs::read_to_string(root.join(relative)).expect("the stack's file reads")
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("")
}

/// What build.rs generated, against the JSON Grafana provisions, read here
/// with its own code: every panel, its fields and its queries, in order.
#[test]
fn the_dashboard_is_the_one_grafana_provisions() {
    let json: Value = serde_json::from_str(&repository_file("grafana/dashboards/treecounter.json"))
        .expect("the dashboard is JSON");
    assert_eq!(DASHBOARD.uid, text(&json["uid"]));
    assert_eq!(DASHBOARD.title, text(&json["title"]));
    assert_eq!(DASHBOARD.time_from, text(&json["time"]["from"]));
    let panels = json["panels"].as_array().expect("panels");
    assert_eq!(DASHBOARD.panels.len(), panels.len());
    for (panel, expect) in DASHBOARD.panels.iter().zip(panels) {
        let defaults = &expect["fieldConfig"]["defaults"];
        assert_eq!(panel.title, text(&expect["title"]));
        assert_eq!(panel.kind, text(&expect["type"]));
        assert_eq!(
            panel.description,
            text(&expect["description"]),
            "{}",
            panel.title
        );
        assert_eq!(panel.unit, text(&defaults["unit"]), "{}", panel.title);
        assert_eq!(panel.max, defaults["max"].as_f64(), "{}", panel.title);
        let grid = &expect["gridPos"];
        assert_eq!(
            [panel.grid.x, panel.grid.y, panel.grid.w, panel.grid.h].map(Some),
            ["x", "y", "w", "h"].map(|k| grid[k].as_u64()),
            "{}",
            panel.title
        );
        let steps = defaults["thresholds"]["steps"]
            .as_array()
            .expect("thresholds");
        let thresholds: Vec<(Option<f64>, &str)> = panel
            .thresholds
            .iter()
            .map(|t| (t.value, t.color))
            .collect();
        let expect_thresholds: Vec<(Option<f64>, &str)> = steps
            .iter()
            .map(|s| (s["value"].as_f64(), text(&s["color"])))
            .collect();
        assert_eq!(thresholds, expect_thresholds, "{}", panel.title);
        let targets = expect["targets"].as_array().expect("targets");
        assert_eq!(panel.targets.len(), targets.len(), "{}", panel.title);
        for (target, expect) in panel.targets.iter().zip(targets) {
            assert_eq!(target.ref_id, text(&expect["refId"]));
            assert_eq!(target.expr, text(&expect["expr"]));
            assert_eq!(target.legend_format, text(&expect["legendFormat"]));
            assert_eq!(target.range, expect["range"].as_bool().unwrap_or(false));
        }
    }
    // The value mappings the "App up" stat shows instead of 0 and 1.
    let app_up = DASHBOARD
        .panels
        .iter()
        .find(|p| p.title == "App up")
        .expect("App up");
    let mappings: Vec<(&str, &str)> = app_up.mappings.iter().map(|m| (m.value, m.text)).collect();
    assert_eq!(mappings, [("0", "DOWN"), ("1", "UP")]);
}

#[derive(Deserialize)]
struct RuleFile {
    groups: Vec<YamlGroup>,
}

#[derive(Deserialize)]
struct YamlGroup {
    name: String,
    rules: Vec<BTreeMap<String, serde_json::Value>>,
}

/// The rule groups build.rs generated, against prometheus.yaml's rule
/// files read here: names, expressions, `for`, labels and annotations.
#[test]
fn the_rules_are_the_ones_prometheus_loads() {
    let config: BTreeMap<String, serde_json::Value> =
        serde_saphyr::from_str(&repository_file("prometheus.yaml")).expect("prometheus.yaml reads");
    let files: Vec<&str> = config["rule_files"]
        .as_array()
        .expect("rule_files")
        .iter()
        .map(text)
        .collect();
    assert_eq!(stack::RULE_FILES, files.as_slice());
    let mut expected = Vec::new();
    for file in files {
        let rules: RuleFile = serde_saphyr::from_str(&repository_file(file)).expect("rules read");
        for group in rules.groups {
            for rule in group.rules {
                let pairs = |key: &str| -> Vec<(String, String)> {
                    rule.get(key)
                        .and_then(Value::as_object)
                        .map(|map| {
                            map.iter()
                                .map(|(k, v)| (k.clone(), text(v).to_owned()))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                if let Some(record) = rule.get("record") {
                    expected.push(format!("{} recording {}", group.name, text(record)));
                    continue;
                }
                let for_ms = rule.get("for").map_or(Ok(0), |t| parse_duration(text(t)));
                expected.push(format!(
                    "{} {} {:?} for {:?} labels {:?} annotations {:?}",
                    group.name,
                    text(&rule["alert"]),
                    text(&rule["expr"]),
                    for_ms,
                    pairs("labels"),
                    pairs("annotations")
                ));
            }
        }
    }
    let generated: Vec<String> = stack::rule_groups()
        .into_iter()
        .flat_map(|group| {
            let name = group.name;
            group.rules.into_iter().map(move |rule| match rule {
                Rule::Alerting(alert) => format!(
                    "{name} {} {:?} for {:?} labels {:?} annotations {:?}",
                    alert.alert,
                    alert.expr,
                    Ok::<i64, String>(alert.for_ms),
                    alert.labels,
                    alert.annotations
                ),
                Rule::Recording(record) => format!("{name} recording {}", record.record),
            })
        })
        .collect();
    assert_eq!(generated, expected);
}
