//! The stack's Grafana dashboard in the page: each panel of
//! `grafana/dashboards/treecounter.json` ([`stack::DASHBOARD`]) with its
//! queries evaluated on the playground's store as Grafana's Prometheus data
//! source sends them (`$__rate_interval`, `$__interval`, `$__range`
//! substituted for the span and the scrape interval, the range aligned to
//! the step), and its values in the panel's unit.
//!
//! Time series panels become lines; stat panels the last value of each
//! series (`lastNotNull`), through the panel's value mappings and
//! thresholds; a panel type the page cannot draw says so.

use tinyprom::labels::Labels;
use tinyprom::promql::QueryValue;
use tinyprom::storage::duration_ms;

use crate::chart::format_fixed;
use crate::grafana::{legend, QueryContext};
use crate::playground::{GraphSeries, Playground};
use crate::query::graph_lines;
use crate::stack::{self, Panel};

/// How wide a panel of the full 24 columns is taken to be, in pixels, for
/// Grafana's max data points (a panel without `maxDataPoints` asks for as
/// many points as it is wide).
const FULL_WIDTH_PX: i64 = 1200;

/// What a panel shows.
#[derive(Clone, Debug, PartialEq)]
pub enum PanelBody {
    /// Lines over the span, each named by the legend format.
    TimeSeries(Vec<NamedSeries>),
    /// One value per series.
    Stat(Vec<StatValue>),
    /// A panel type the page does not draw.
    Unsupported,
}

/// A series of a time series panel.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedSeries {
    /// Its name in the legend.
    pub name: String,
    /// Its points.
    pub series: GraphSeries,
}

/// A stat panel's value.
#[derive(Clone, Debug, PartialEq)]
pub struct StatValue {
    /// Its series' name in the legend.
    pub name: String,
    /// What is shown: the value in the panel's unit, or its mapped text.
    pub text: String,
    /// Its colour (threshold or mapping), as a CSS colour.
    pub colour: &'static str,
}

/// A panel as the page draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelView {
    /// The panel, as the dashboard file has it.
    pub panel: &'static Panel,
    /// What it shows.
    pub body: PanelBody,
    /// Queries that failed, with Prometheus's message.
    pub errors: Vec<String>,
    /// The range queried (aligned to the step), in milliseconds.
    pub start_ms: i64,
    /// Its end.
    pub end_ms: i64,
    /// The step of its range queries.
    pub step_ms: i64,
}

impl PanelView {
    /// Whether the panel has something to show.
    pub fn has_data(&self) -> bool {
        match &self.body {
            PanelBody::TimeSeries(lines) => lines
                .iter()
                .any(|line| line.series.points.iter().any(|(_, v)| v.is_finite())),
            PanelBody::Stat(values) => !values.is_empty(),
            PanelBody::Unsupported => false,
        }
    }
}

/// Every panel of the dashboard over the last `span_ms` of the playground's
/// clock, in the file's order.
pub fn evaluate(playground: &Playground, span_ms: i64) -> Vec<PanelView> {
    let end_ms = duration_ms(playground.now());
    // `$__rate_interval` counts on the interval of the data shown (the live
    // target's while live), as Grafana's data source is set to its
    // Prometheus's.
    let scrape_interval_ms = duration_ms(playground.scrape_interval());
    stack::DASHBOARD
        .panels
        .iter()
        .filter(|panel| panel.kind != "row")
        .map(|panel| {
            let context = QueryContext {
                range_ms: span_ms,
                max_data_points: panel.max_data_points.map_or_else(
                    || FULL_WIDTH_PX * panel.grid.w as i64 / 24,
                    |points| points as i64,
                ),
                scrape_interval_ms,
                min_interval_ms: panel.min_interval_ms,
            };
            evaluate_panel(playground, panel, &context, end_ms)
        })
        .collect()
}

fn evaluate_panel(
    playground: &Playground,
    panel: &'static Panel,
    context: &QueryContext,
    end_ms: i64,
) -> PanelView {
    let (start_ms, end_ms) = context.aligned_range(end_ms - context.range_ms, end_ms);
    let step_ms = context.step_ms();
    let stat = match panel.kind {
        "timeseries" => false,
        "stat" => true,
        _ => {
            return PanelView {
                panel,
                body: PanelBody::Unsupported,
                errors: Vec::new(),
                start_ms,
                end_ms,
                step_ms,
            }
        }
    };
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for target in panel.targets {
        let expr = context.substitute(target.expr);
        let answer = if target.instant && !target.range {
            playground.query(&expr, end_ms)
        } else {
            playground.query_range(&expr, start_ms, end_ms, step_ms)
        };
        match answer {
            Ok(value) => lines.extend(named_lines(value, target.legend_format, &expr)),
            Err(error) => errors.push(error.to_string()),
        }
    }
    let body = if stat {
        PanelBody::Stat(
            lines
                .iter()
                .filter_map(|line| {
                    let last = line
                        .series
                        .points
                        .iter()
                        .rev()
                        .map(|&(_, v)| v)
                        .find(|v| !v.is_nan())?;
                    Some(stat_value(panel, &line.name, last))
                })
                .collect(),
        )
    } else {
        PanelBody::TimeSeries(lines)
    };
    PanelView {
        panel,
        body,
        errors,
        start_ms,
        end_ms,
        step_ms,
    }
}

/// A query's answer as named lines (an instant vector as one point each).
fn named_lines(value: QueryValue, legend_format: &str, expr: &str) -> Vec<NamedSeries> {
    let series = match value {
        QueryValue::Vector(samples) => samples
            .into_iter()
            .map(|sample| GraphSeries {
                labels: sample.labels,
                points: vec![(sample.t, sample.f)],
            })
            .collect(),
        QueryValue::Scalar { t, f } => vec![GraphSeries {
            labels: Labels::empty(),
            points: vec![(t, f)],
        }],
        other => graph_lines(other),
    };
    series
        .into_iter()
        .map(|series| NamedSeries {
            name: legend(legend_format, &series.labels, expr),
            series,
        })
        .collect()
}

/// A stat's value: its mapped text and colour if a value mapping has it,
/// else the value in the panel's unit, coloured by the thresholds.
fn stat_value(panel: &Panel, name: &str, value: f64) -> StatValue {
    let plain = format_unit("", value, None);
    if let Some(mapping) = panel.mappings.iter().find(|m| m.value == plain) {
        return StatValue {
            name: name.to_owned(),
            text: mapping.text.to_owned(),
            colour: colour(if mapping.color.is_empty() {
                threshold_colour(panel, value)
            } else {
                mapping.color
            }),
        };
    }
    let text = if panel.text_mode == "name" {
        name.to_owned()
    } else {
        format_unit(panel.unit, value, panel.decimals)
    };
    StatValue {
        name: name.to_owned(),
        text,
        colour: colour(threshold_colour(panel, value)),
    }
}

/// The colour of the highest threshold step at or below `value`.
fn threshold_colour(panel: &Panel, value: f64) -> &'static str {
    panel
        .thresholds
        .iter()
        .rev()
        .find(|step| step.value.is_none_or(|from| value >= from))
        .map_or("", |step| step.color)
}

/// A Grafana colour name as the page's CSS colour (the page's palette for
/// the names the dashboard uses; a CSS colour as it is).
fn colour(name: &'static str) -> &'static str {
    match name {
        "green" => "#2f855a",
        "red" => "#c53030",
        "orange" => "#dd6b20",
        "yellow" => "#b7791f",
        "blue" => "#2b6cb0",
        "" | "text" => "#1f2a22",
        other => other,
    }
}

/// `value` in a Grafana unit, as Grafana's stat panels print it:
/// `reqps` (`12.3 req/s`), `percentunit` (`15.2%`), `s` (`850 ms`,
/// `1.20 s`, `2.50 min`, `3.00 hour`), `bytes` (IEC: `5.28 MiB`), `short`
/// (`1.50 K`), `none` or unset (the number). `decimals` fixes the digits
/// after the point; otherwise three significant digits.
pub fn format_unit(unit: &str, value: f64, decimals: Option<u64>) -> String {
    if !value.is_finite() {
        return crate::chart::format_value(value);
    }
    let (scaled, suffix) = match unit {
        "reqps" => (value, " req/s"),
        "percentunit" => (value * 100.0, "%"),
        "percent" => (value, "%"),
        "s" => seconds(value),
        "bytes" => scaled(value, 1024.0, &[" B", " KiB", " MiB", " GiB", " TiB"]),
        "short" => scaled(value, 1000.0, &["", " K", " Mil", " Bil", " Tri"]),
        _ => (value, ""),
    };
    let digits = match decimals {
        Some(d) => d.min(6) as u32,
        None => significant_decimals(scaled),
    };
    format!("{}{suffix}", format_fixed(scaled, digits))
}

/// Seconds in the largest unit that keeps the number at least 1.
fn seconds(value: f64) -> (f64, &'static str) {
    let magnitude = value.abs();
    if magnitude < 1.0 && magnitude > 0.0 {
        (value * 1000.0, " ms")
    } else if magnitude < 60.0 {
        (value, " s")
    } else if magnitude < 3600.0 {
        (value / 60.0, " min")
    } else if magnitude < 86_400.0 {
        (value / 3600.0, " hour")
    } else {
        (value / 86_400.0, " day")
    }
}

/// `value` divided by `base` while it is at least `base`, with the unit.
fn scaled(mut value: f64, base: f64, units: &[&'static str]) -> (f64, &'static str) {
    let mut unit = 0;
    while value.abs() >= base && unit + 1 < units.len() {
        value /= base;
        unit += 1;
    }
    (value, units[unit])
}

/// Decimals for three significant digits (none for whole numbers).
fn significant_decimals(value: f64) -> u32 {
    let magnitude = value.abs();
    if value.fract() == 0.0 || magnitude >= 100.0 {
        0
    } else if magnitude >= 10.0 {
        1
    } else if magnitude >= 1.0 || magnitude == 0.0 {
        2
    } else {
        // 0.0123 → 4 decimals: three significant digits.
        (2 - magnitude.log10().floor() as i32).clamp(2, 6) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::{PlaygroundAction, PlaygroundConfig};
    use std::time::Duration;

    fn playground_with_traffic() -> Playground {
        let mut p = Playground::new(PlaygroundConfig {
            start_unix_time: Duration::from_secs(1_800_000_000),
            seed: 11,
            version: "9.9.9".to_owned(),
        });
        p.apply(PlaygroundAction::SetTrafficRate(5.0)).unwrap();
        p.apply(PlaygroundAction::Advance(Duration::from_secs(300)))
            .unwrap();
        p
    }

    #[test]
    fn every_panel_has_data_after_simulated_traffic() {
        let p = playground_with_traffic();
        let views = evaluate(&p, 5 * 60_000);
        assert_eq!(views.len(), stack::DASHBOARD.panels.len());
        for view in &views {
            assert!(
                view.errors.is_empty(),
                "{}: {:?}",
                view.panel.title,
                view.errors
            );
            assert!(view.has_data(), "{}: {:?}", view.panel.title, view.body);
        }
    }

    #[test]
    fn stat_panels_map_values_and_name_series_as_grafana_does() {
        let p = playground_with_traffic();
        let views = evaluate(&p, 5 * 60_000);
        let stat = |title: &str| -> Vec<StatValue> {
            match &views.iter().find(|v| v.panel.title == title).unwrap().body {
                PanelBody::Stat(values) => values.clone(),
                other => panic!("{title}: {other:?}"),
            }
        };
        let up = stat("App up");
        assert_eq!(up.len(), 1);
        assert_eq!(
            (up[0].name.as_str(), up[0].text.as_str()),
            ("app:8001", "UP")
        );
        // The version's text is its legend, {{version}}.
        assert_eq!(stat("Version")[0].text, "9.9.9");
        assert_eq!(stat("Uptime")[0].text, "5 min");
        let views_lines = match &views
            .iter()
            .find(|v| v.panel.title == "Request rate by endpoint and status")
            .unwrap()
            .body
        {
            PanelBody::TimeSeries(lines) => {
                lines.iter().map(|l| l.name.clone()).collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(
            views_lines,
            ["/treecounter 200", "/upstream 200", "/upstream 503"]
        );
    }

    #[test]
    fn no_scrape_no_data() {
        let p = Playground::new(PlaygroundConfig {
            start_unix_time: Duration::ZERO,
            seed: 1,
            version: "1".to_owned(),
        });
        for view in evaluate(&p, 5 * 60_000) {
            assert!(!view.has_data(), "{}", view.panel.title);
        }
    }

    #[test]
    fn units_print_as_grafana_prints_them() {
        for (unit, value, decimals, text) in [
            ("reqps", 12.345, None, "12.3 req/s"),
            ("reqps", 0.0, None, "0 req/s"),
            ("percentunit", 0.1523, None, "15.2%"),
            ("percentunit", 0.15, Some(1), "15.0%"),
            ("s", 0.85, None, "850 ms"),
            ("s", 1.2, None, "1.20 s"),
            ("s", 150.0, None, "2.50 min"),
            ("s", 10_800.0, None, "3 hour"),
            ("bytes", 5_540_960.0, None, "5.28 MiB"),
            ("bytes", 512.0, None, "512 B"),
            ("short", 1_500.0, None, "1.50 K"),
            ("none", 0.0123, None, "0.0123"),
            ("", 3.0, None, "3"),
        ] {
            assert_eq!(format_unit(unit, value, decimals), text, "{unit} {value}");
        }
    }
}
