//! The stack's files as the page gets them (`playground_core::stack`, made
//! by build.rs): every alert rule loads and every panel query parses in the
//! engine once Grafana's variables are substituted, for any time range,
//! width and scrape interval the page offers.

use playground_core::grafana::QueryContext;
use playground_core::stack::{self, DASHBOARD};
use tinyprom::promql::parse;
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
    let rules = stack::new_rules().unwrap_or_else(|errors| panic!("{errors:#?}"));
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

#[test]
fn the_dashboard_keeps_what_the_page_draws() {
    assert_eq!(DASHBOARD.title, "Tree counter");
    assert_eq!(DASHBOARD.time_from, "now-15m");
    let summary: Vec<String> = DASHBOARD
        .panels
        .iter()
        .map(|p| {
            format!(
                "{} {} {:?} {} {}x{}@{},{} {}",
                p.id,
                p.kind,
                p.title,
                p.unit,
                p.grid.w,
                p.grid.h,
                p.grid.x,
                p.grid.y,
                p.targets.len()
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "1 stat \"App up\" none 4x4@0,0 1",
            "2 stat \"Page views per second\" reqps 5x4@4,0 1",
            "3 stat \"Upstream error ratio now\" percentunit 5x4@9,0 1",
            "4 stat \"Uptime\" s 5x4@14,0 1",
            "5 stat \"Version\" none 5x4@19,0 1",
            "6 timeseries \"Request rate by endpoint and status\" reqps 12x8@0,4 1",
            "7 timeseries \"Upstream error ratio\" percentunit 12x8@12,4 1",
            "8 timeseries \"/treecounter latency: p50, p90, p99\" s 12x8@0,12 3",
            "9 timeseries \"Average latency by endpoint\" s 12x8@12,12 1",
            "10 timeseries \"Process memory\" bytes 8x8@0,20 2",
            "11 timeseries \"Process CPU\" percentunit 8x8@8,20 1",
            "12 timeseries \"Open file descriptors\" short 8x8@16,20 1",
        ]
    );
    let app_up = &DASHBOARD.panels[0];
    assert_eq!(
        format!("{:?} {:?} {}", app_up.thresholds, app_up.mappings, app_up.color_mode),
        "[Threshold { value: None, color: \"red\" }, Threshold { value: Some(1.0), color: \"green\" }] \
         [ValueMapping { value: \"0\", text: \"DOWN\", color: \"red\" }, ValueMapping { value: \"1\", text: \"UP\", color: \"green\" }] background"
    );
    let version = &DASHBOARD.panels[4];
    assert_eq!(
        (version.text_mode, version.targets[0].legend_format),
        ("name", "{{version}}")
    );
    let error_ratio = &DASHBOARD.panels[6];
    assert_eq!(
        (error_ratio.thresholds_style, error_ratio.max),
        ("line+area", Some(1.0))
    );
    assert_eq!(error_ratio.thresholds[1].value, Some(0.3));
}
